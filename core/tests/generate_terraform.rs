//! Terraform output: arguments against the provider schema, escaping round-trips (property),
//! determinism.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use iac_dharma::catalog::{provider_schema, ArgType, BlockSchema};
use iac_dharma::{generate, GenerateOptions, OutputFormat};
use proptest::prelude::*;
use serde_json::{json, Value};

use common::{example_blueprints, gen};

const META: [&str; 5] = ["count", "depends_on", "lifecycle", "provider", "for_each"];

/// Every argument of every resource exists in the provider schema (nested blocks too), and
/// every required argument is set: what `terraform validate` would check, offline.
fn check_against_schema(doc: &Value, provider: iac_dharma::Provider, problems: &mut Vec<String>) {
    fn block(v: &Value, schema: &BlockSchema, at: &str, top: bool, problems: &mut Vec<String>) {
        let Some(map) = v.as_object() else {
            problems.push(format!("{at}: not an object"));
            return;
        };
        for (k, v) in map {
            if top && META.contains(&k.as_str()) {
                continue;
            }
            match schema.get(k) {
                None => problems.push(format!("{at}.{k}: not an argument")),
                Some(arg) => match &arg.ty {
                    ArgType::Block(b) | ArgType::BlockList(b) => match v {
                        Value::Array(items) => {
                            for (i, item) in items.iter().enumerate() {
                                block(item, b, &format!("{at}.{k}[{i}]"), false, problems)
                            }
                        }
                        other => block(other, b, &format!("{at}.{k}"), false, problems),
                    },
                    _ => {}
                },
            }
        }
        for arg in schema.arguments.iter().filter(|a| a.required) {
            if !map.contains_key(&arg.name) {
                problems.push(format!("{at}: required `{}` missing", arg.name));
            }
        }
    }
    let schema = provider_schema(provider);
    for (ty, by_name) in doc["resource"].as_object().into_iter().flatten() {
        let Some(s) = schema.get(ty) else {
            problems.push(format!("{ty}: unknown type"));
            continue;
        };
        for (name, body) in by_name.as_object().into_iter().flatten() {
            block(body, s, &format!("{ty}.{name}"), true, problems);
        }
    }
}

#[test]
fn generated_terraform_matches_the_provider_schema() {
    let mut checked = 0;
    for (path, bp) in example_blueprints() {
        for format in [OutputFormat::Terraform, OutputFormat::TerraformJson] {
            let files = gen(&bp, format);
            let doc: Value = match format {
                OutputFormat::Terraform => {
                    hcl::from_str(files.get("main.tf").unwrap_or("")).unwrap()
                }
                _ => serde_json::from_str(files.get("main.tf.json").unwrap()).unwrap(),
            };
            let mut problems = Vec::new();
            check_against_schema(&doc, bp.provider(), &mut problems);
            assert!(
                problems.is_empty(),
                "{path} ({format}):\n{}",
                problems.join("\n")
            );
            assert_eq!(
                doc["resource"]
                    .as_object()
                    .map(|m| m
                        .values()
                        .map(|v| v.as_object().map_or(0, |o| o.len()))
                        .sum::<usize>())
                    .unwrap_or(0),
                bp.resources().len(),
                "{path} ({format}): every resource is generated"
            );
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} blueprints checked");
}

#[test]
fn the_schema_check_catches_a_wrong_argument() {
    let doc: Value =
        hcl::from_str("resource \"aws_vpc\" \"x\" {\n  cidr_blok = \"a\"\n}\n").unwrap();
    let mut problems = Vec::new();
    check_against_schema(&doc, iac_dharma::Provider::Aws, &mut problems);
    assert_eq!(problems, ["aws_vpc.x.cidr_blok: not an argument"]);
}

#[test]
fn same_input_same_bytes() {
    for (path, bp) in example_blueprints() {
        for format in [OutputFormat::Terraform, OutputFormat::TerraformJson] {
            let a = gen(&bp, format);
            let b = generate(&bp, format, &GenerateOptions::default()).unwrap();
            assert_eq!(a, b, "{path} {format}");
        }
    }
}

/// A replaced `terraform-json` template gets the document as data: written with the `json`
/// filter, it is the embedded template's text (which prints the engine's `document_json`).
#[test]
#[cfg(feature = "templates")] // caller templates need tera
fn replaced_terraform_json_template_gets_the_document_as_data() {
    let set = iac_dharma::TemplateSet::with_overrides([(
        "terraform-json/main.tf.json.tera".to_string(),
        "{{ document | json }}\n".to_string(),
    )])
    .unwrap();
    let mut options = GenerateOptions::default();
    options.templates = Some(set);
    for (path, bp) in example_blueprints() {
        if !OutputFormat::TerraformJson.supports(bp.provider()) {
            continue;
        }
        let embedded = gen(&bp, OutputFormat::TerraformJson);
        let replaced = generate(&bp, OutputFormat::TerraformJson, &options).unwrap();
        assert_eq!(embedded, replaced, "{path}");
    }
}

/// Decodes a Terraform JSON-syntax template that must be all literal text.
fn tf_literal(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find(['$', '%']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("$${") || tail.starts_with("%%{") {
            out.push_str(&tail[1..3]);
            rest = &tail[3..];
        } else {
            assert!(
                !tail.starts_with("${") && !tail.starts_with("%{"),
                "live template sequence in {s:?}"
            );
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// A literal text written in blueprint syntax (`${` escaped as `$${`).
fn blueprint_literal(s: &str) -> String {
    s.replace("${", "$${")
}

fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 ${}%\"\\\\\n\r\t\u{8}\u{c}\u{0}\u{7f}é😀<>EOT:/.-]{0,30}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn terraform_strings_round_trip(value in nasty(), key in nasty(), default in nasty(), desc in nasty()) {
        let key = format!("k{}", key.chars().take(100).collect::<String>());
        let value: String = value.chars().take(200).collect();
        let bp = json!({
            "name": "prop", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            // Variable defaults and descriptions are literal text in a blueprint; properties and
            // output values are templates.
            "variables": [{"name": "v", "default": default, "description": desc}],
            "outputs": [{"name": "o", "value": blueprint_literal(&value)}],
            "resources": [{"type": "aws_vpc", "name": "main",
                           "properties": {"cidr_block": "10.0.0.0/16", "tags": {key.clone(): blueprint_literal(&value)}}}]
        });
        let bp = iac_dharma::parse(&bp.to_string()).unwrap();

        let files = gen(&bp, OutputFormat::TerraformJson);
        let doc: Value = serde_json::from_str(files.get("main.tf.json").unwrap()).unwrap();
        let tags = doc["resource"]["aws_vpc"]["main"]["tags"].as_object().unwrap();
        let (k, v) = tags.iter().next().unwrap();
        prop_assert_eq!(tf_literal(k), key.clone());
        prop_assert_eq!(tf_literal(v.as_str().unwrap()), value.clone());
        prop_assert_eq!(tf_literal(doc["output"]["o"]["value"].as_str().unwrap()), value.clone());
        // Variable defaults and descriptions are literal in Terraform JSON (not templates).
        prop_assert_eq!(doc["variable"]["v"]["default"].as_str().unwrap(), default.as_str());
        prop_assert_eq!(doc["variable"]["v"]["description"].as_str().unwrap(), desc.as_str());

        let files = gen(&bp, OutputFormat::Terraform);
        let main: Value = hcl::from_str(files.get("main.tf").unwrap()).unwrap();
        let tags = main["resource"]["aws_vpc"]["main"]["tags"].as_object().unwrap();
        prop_assert_eq!(tags.get(&key).and_then(Value::as_str), Some(value.as_str()));
        let outputs: Value = hcl::from_str(files.get("outputs.tf").unwrap()).unwrap();
        prop_assert_eq!(outputs["output"]["o"]["value"].as_str(), Some(value.as_str()));
        let vars: Value = hcl::from_str(files.get("variables.tf").unwrap()).unwrap();
        prop_assert_eq!(vars["variable"]["v"]["default"].as_str(), Some(default.as_str()));
        prop_assert_eq!(vars["variable"]["v"]["description"].as_str(), Some(desc.as_str()));
    }
}

/// Every file of every format, written the engine's way (printed variables moved out of the
/// context, `main.tf` written directly), is byte for byte what tera renders from the same
/// templates: each template is replaced by itself behind a tera comment, which prints nothing but
/// makes the format's templates custom, so the engine renders them through tera.
#[test]
#[cfg(feature = "templates")] // caller templates need tera
fn direct_files_are_what_tera_renders() {
    let through_tera = iac_dharma::TemplateSet::with_overrides(
        iac_dharma::TemplateSet::embedded_sources()
            .map(|(n, t)| (n.to_string(), format!("{{# through tera #}}{t}"))),
    )
    .unwrap();
    let mut tera_options = GenerateOptions::default();
    tera_options.templates = Some(through_tera);
    let mut compared = 0;
    for (name, bp) in example_blueprints() {
        for format in OutputFormat::for_provider(bp.provider()) {
            let direct = generate(&bp, format, &GenerateOptions::default());
            let tera = generate(&bp, format, &tera_options);
            match (direct, tera) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{name} {format}");
                    compared += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{name} {format}"),
                (a, b) => panic!("{name} {format}: {:?} vs {:?}", a.err(), b.err()),
            }
        }
    }
    assert!(compared > 20, "{compared}");
}

fn checked(bp: &Value) -> iac_dharma::CheckedBlueprint {
    iac_dharma::Blueprint::from_value(bp.clone())
        .and_then(iac_dharma::Blueprint::into_checked)
        .unwrap()
}

fn vpc_ignoring(ignore: Value) -> iac_dharma::CheckedBlueprint {
    checked(
        &json!({"name": "ign", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
        "resources": [{"type": "aws_vpc", "name": "v", "lifecycle": {"ignore_changes": ignore},
            "properties": {"cidr_block": "10.0.0.0/16", "tags": {"Owner": "a"}}}]}),
    )
}

/// `ignore_changes: [all]` is Terraform's keyword `all`, not a list naming an argument `all`.
#[test]
fn ignore_changes_all_is_the_keyword() {
    let bp = vpc_ignoring(json!(["all"]));
    let tf = gen(&bp, OutputFormat::Terraform);
    let main = tf.get("main.tf").unwrap();
    assert!(main.contains("    ignore_changes = all\n"), "{main}");
    let doc: hcl::Body = hcl::from_str(main).unwrap();
    let text = hcl::to_string(&doc).unwrap();
    assert!(!text.contains("[all]"), "{text}");
    let js = gen(&bp, OutputFormat::TerraformJson);
    let doc: Value = serde_json::from_str(js.get("main.tf.json").unwrap()).unwrap();
    assert_eq!(
        doc["resource"]["aws_vpc"]["v"]["lifecycle"]["ignore_changes"],
        json!("all")
    );
}

/// A map key in an `ignore_changes` path is an HCL string index, escaped as HCL strings are.
#[test]
fn ignore_changes_paths_with_map_keys_are_hcl_traversals() {
    for (entry, hcl_text) in [
        (r#"tags["Owner"]"#, r#"tags["Owner"]"#),
        (r#"tags["a.b/c d"]"#, r#"tags["a.b/c d"]"#),
        (r#"tags["q\"]"#, r#"tags["q\\"]"#),
        (r#"tags["${x}"]"#, r#"tags["$${x}"]"#),
    ] {
        let bp = vpc_ignoring(json!([entry, "cidr_block"]));
        let main = gen(&bp, OutputFormat::Terraform);
        let main = main.get("main.tf").unwrap();
        let line = format!("    ignore_changes = [{hcl_text}, cidr_block]\n");
        assert!(main.contains(&line), "{entry}: {main}");
        let _: hcl::Body = hcl::from_str(main).unwrap_or_else(|e| panic!("{entry}: {e}\n{main}"));
        let js = gen(&bp, OutputFormat::TerraformJson);
        let doc: Value = serde_json::from_str(js.get("main.tf.json").unwrap()).unwrap();
        assert_eq!(
            doc["resource"]["aws_vpc"]["v"]["lifecycle"]["ignore_changes"],
            json!([hcl_text, "cidr_block"]),
            "{entry}"
        );
    }
}
