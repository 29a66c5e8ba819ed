//! CloudFormation output: every AWS blueprint maps, strings round-trip (property), logical IDs
//! are stable, references stay references.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use iac_dharma::{generate, GenerateOptions, OutputFormat, Provider};
use proptest::prelude::*;
use serde_json::{json, Value};

use common::{example_blueprints, gen};

#[test]
fn every_aws_blueprint_generates_json_and_the_same_yaml() {
    let mut n = 0;
    for (path, bp) in example_blueprints() {
        if bp.provider() != Provider::Aws {
            continue;
        }
        // Every AWS example and fixture generates: no "not expressible yet" allowance.
        let json_text = gen(&bp, OutputFormat::CloudFormation);
        let yaml_text = gen(&bp, OutputFormat::CloudFormationYaml);
        let a: Value = serde_json::from_str(json_text.get("template.json").unwrap()).unwrap();
        let b: Value = yaml_serde::from_str(yaml_text.get("template.yaml").unwrap()).unwrap();
        assert_eq!(a, b, "{path}: JSON and YAML hold the same template");
        assert_eq!(a["AWSTemplateFormatVersion"], "2010-09-09");
        let _ = gen(&bp, OutputFormat::CdkTs);
        n += 1;
    }
    assert!(n >= 6, "{n}");
}

fn template(bp: &Value) -> Value {
    let bp = iac_dharma::parse(&bp.to_string()).unwrap();
    let files = generate(
        &bp,
        OutputFormat::CloudFormation,
        &GenerateOptions::default(),
    )
    .unwrap();
    serde_json::from_str(files.get("template.json").unwrap()).unwrap()
}

#[test]
fn logical_ids_come_from_names_not_positions() {
    let mut bp = json!({"name": "ids", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
        "resources": [
            {"type": "aws_vpc", "name": "main", "properties": {"cidr_block": "10.0.0.0/16"}},
            {"type": "aws_subnet", "name": "app_a", "properties": {"vpc_id": "${main.id}", "cidr_block": "10.0.1.0/24"}}]});
    let before = template(&bp);
    bp["resources"].as_array_mut().unwrap().insert(
        0,
        json!({"type": "aws_sqs_queue", "name": "jobs", "properties": {}}),
    );
    let after = template(&bp);
    for id in ["Main", "AppA"] {
        assert_eq!(before["Resources"][id], after["Resources"][id], "{id}");
    }
    assert_eq!(
        after["Resources"]["AppA"]["Properties"]["VpcId"],
        json!({"Ref": "Main"})
    );
}

#[test]
fn mixed_strings_become_fn_sub_with_literal_markers_escaped() {
    let t = template(
        &json!({"name": "sub", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
        "resources": [
            {"type": "aws_s3_bucket", "name": "b", "properties": {"bucket": "x"}},
            {"type": "aws_sqs_queue", "name": "q", "properties": {"name": "q-${b.id}-$${AWS::Region}"}}]}),
    );
    assert_eq!(
        t["Resources"]["Q"]["Properties"]["QueueName"],
        json!({"Fn::Sub": "q-${B}-${!AWS::Region}"})
    );
}

/// Decodes a value CloudFormation would compute for a literal: a plain string, or an `Fn::Sub`
/// without variables.
fn cfn_literal(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => panic!("not a literal: {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn cloudformation_strings_round_trip(value in "[a-z0-9 ${}%\"\\\\\n\t\u{8}\u{c}\u{0}é😀<>!:\\[\\]'-]{0,30}", desc in any::<String>()) {
        let escaped = value.replace("${", "$${");
        let t = template(&json!({"name": "prop", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            "variables": [{"name": "v", "default": value, "description": desc}],
            "outputs": [{"name": "o", "value": escaped}],
            "resources": [{"type": "aws_sqs_queue", "name": "q", "properties": {
                "name": escaped, "tags": {"k": escaped}}}]}));
        prop_assert_eq!(cfn_literal(&t["Resources"]["Q"]["Properties"]["QueueName"]), value.clone());
        prop_assert_eq!(cfn_literal(&t["Resources"]["Q"]["Properties"]["Tags"][0]["Value"]), value.clone());
        prop_assert_eq!(cfn_literal(&t["Outputs"]["O"]["Value"]), value.clone());
        prop_assert_eq!(cfn_literal(&t["Parameters"]["V"]["Default"]), value.clone());
        prop_assert_eq!(cfn_literal(&t["Parameters"]["V"]["Description"]), desc.clone());
    }
}
