//! The published JSON Schema accepts every example and shared-vector blueprint that parses, and
//! rejects documents the parser rejects for their shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::Path;

use iac_dharma::{blueprint_json_schema, Blueprint, SourceFormat};
use serde_json::{json, Value};

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&blueprint_json_schema()).expect("the schema itself is valid")
}

fn examples() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blueprints");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.to_string_lossy().to_string();
        let Some(format) = SourceFormat::from_extension(&name) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let bp = Blueprint::from_text_as(&text, format).unwrap();
        out.push((name, bp.to_value()));
    }
    out
}

#[test]
fn every_example_validates() {
    let v = validator();
    let examples = examples();
    assert!(examples.len() >= 6, "only {} examples", examples.len());
    for (name, doc) in examples {
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        // The document as written (YAML parsed to plain JSON), not only our re-serialization.
    }
}

#[test]
fn every_example_as_written_validates() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blueprints");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::from_str(&text).unwrap(),
            Some("yaml" | "yml") => yaml_serde::from_str(&text).unwrap(),
            _ => continue,
        };
        assert!(v.is_valid(&doc), "{}", path.display());
    }
}

#[test]
fn broken_documents_are_rejected() {
    let v = validator();
    let good = json!({"name": "demo", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
                      "resources": [{"type": "aws_vpc", "name": "main", "properties": {"cidr_block": "10.0.0.0/16"}}]});
    assert!(v.is_valid(&good));
    let mut cases = Vec::new();
    let mut missing_region = good.clone();
    missing_region.as_object_mut().unwrap().remove("region");
    cases.push(("missing region", missing_region));
    let mut unknown_field = good.clone();
    unknown_field["resources"][0]["propertes"] = json!({});
    cases.push(("unknown resource field", unknown_field));
    let mut bad_count = good.clone();
    bad_count["resources"][0]["count"] = json!("two");
    cases.push(("count is not a number", bad_count));
    let mut too_many = good.clone();
    too_many["resources"][0]["count"] = json!(1001);
    cases.push(("count over the maximum the check allows", too_many));
    let mut bad_name = good.clone();
    bad_name["name"] = json!("x");
    cases.push(("name too short", bad_name));
    let mut bad_provider = good.clone();
    bad_provider["provider"] = json!("awz");
    cases.push(("unknown provider", bad_provider));
    let mut bad_resource_name = good.clone();
    bad_resource_name["resources"][0]["name"] = json!("Main VPC");
    cases.push(("resource name pattern", bad_resource_name));
    for (what, doc) in cases {
        assert!(!v.is_valid(&doc), "{what} should be rejected");
    }
    // Descriptions are for people writing blueprints: no Rust from the rustdoc behind them.
    let text = iac_dharma::blueprint_json_schema().to_string();
    for rust in ["Ok::<", "Some(", "assert_eq!"] {
        assert!(!text.contains(rust), "{rust} in the schema's descriptions");
    }
}
