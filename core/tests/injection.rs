#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Hostile strings in outputs and variable defaults come out as inert literals: each generated
//! JSON/YAML file is parsed back with a real parser and the exact string is found as a value.
//! Outputs are blueprint templates (`$${` means a literal `${`); variable defaults are plain
//! values, taken as written.

use iac_dharma::{generate, parse, GenerateOptions, OutputFormat};
use serde_json::{json, Value};

/// (as written in the blueprint, where `$${` is a literal `${`; the literal string it means).
const HOSTILE: [(&str, &str); 6] = [
    ("$${var.secret}", "${var.secret}"),
    ("%{ if true }x%{ endif }", "%{ if true }x%{ endif }"),
    (
        "EOT\n}\nresource \"x\" \"y\" {}\n<<EOT",
        "EOT\n}\nresource \"x\" \"y\" {}\n<<EOT",
    ),
    (
        "a\u{1}b\u{1f}\t\r\n\u{2028}\u{2029}\"\\",
        "a\u{1}b\u{1f}\t\r\n\u{2028}\u{2029}\"\\",
    ),
    (
        "{\"Fn::Sub\": \"$${AWS::AccountId}\"} {\"Ref\": \"AWS::Region\"}",
        "{\"Fn::Sub\": \"${AWS::AccountId}\"} {\"Ref\": \"AWS::Region\"}",
    ),
    (
        "`$${process.exit(1)}` */ // '",
        "`${process.exit(1)}` */ // '",
    ),
];

fn blueprint(provider: &str, region: &str) -> String {
    let outputs: Vec<Value> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, (raw, _))| json!({"name": format!("o{i}"), "value": raw}))
        .collect();
    let variables: Vec<Value> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, (raw, _))| json!({"name": format!("v{i}"), "type": "string", "default": raw}))
        .collect();
    // One plain resource: CloudFormation refuses a template without any.
    let resource = match provider {
        "aws" => json!({"type": "aws_sqs_queue", "name": "queue", "properties": {}}),
        _ => json!({"type": "azurerm_resource_group", "name": "rg",
                    "properties": {"name": "rg-inject", "location": region}}),
    };
    json!({"name": "inject", "version": "1.0.0", "provider": provider, "region": region,
        "variables": variables, "outputs": outputs, "resources": [resource]})
    .to_string()
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn check(provider: &str, region: &str, format: OutputFormat, expect: impl Fn(&str) -> String) {
    let bp = parse(&blueprint(provider, region)).unwrap();
    let files = generate(&bp, format, &GenerateOptions::default()).unwrap();
    let mut found = Vec::new();
    for (path, text) in &files.files {
        let v: Value = if path.ends_with(".json") {
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"))
        } else if path.ends_with(".yaml") || path.ends_with(".yml") {
            yaml_serde::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"))
        } else {
            continue;
        };
        strings(&v, &mut found);
    }
    for (raw, literal) in HOSTILE {
        for (what, want) in [("output", expect(literal)), ("default", raw.to_string())] {
            assert!(
                found.contains(&want),
                "{format:?}: {what} {want:?} not found in {found:?}"
            );
        }
    }
}

#[test]
fn terraform_json_keeps_hostile_strings_literal() {
    // Terraform JSON reads every string as a template: a literal `${`/`%{` must be doubled.
    check("aws", "us-east-1", OutputFormat::TerraformJson, |s| {
        s.replace("${", "$${").replace("%{", "%%{")
    });
}

#[test]
#[cfg(feature = "generate-cloudformation")]
fn cloudformation_keeps_hostile_strings_literal() {
    check(
        "aws",
        "us-east-1",
        OutputFormat::CloudFormation,
        str::to_string,
    );
    check(
        "aws",
        "us-east-1",
        OutputFormat::CloudFormationYaml,
        str::to_string,
    );
}

#[test]
#[cfg(feature = "generate-pulumi")]
fn pulumi_yaml_keeps_hostile_strings_literal() {
    // Pulumi YAML interpolates `${...}`: a literal one is written `$${...}`.
    check("aws", "us-east-1", OutputFormat::PulumiYaml, |s| {
        s.replace("${", "$${")
    });
}

#[test]
#[cfg(feature = "generate-arm")]
fn arm_keeps_hostile_strings_literal() {
    check("azure", "eastus", OutputFormat::Arm, str::to_string);
}
