//! CloudFormation output: every AWS blueprint maps, strings round-trip (property), logical IDs
//! are stable, references stay references.
#![cfg(feature = "generate-cloudformation")] // the format is left out of builds without it
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

fn error_of(bp: &Value) -> iac_dharma::Error {
    let bp = iac_dharma::parse(&bp.to_string()).unwrap();
    generate(
        &bp,
        OutputFormat::CloudFormation,
        &GenerateOptions::default(),
    )
    .unwrap_err()
}

fn aws(resources: Value) -> Value {
    json!({"name": "cfn-test", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
           "variables": [{"name": "domain", "type": "string"}],
           "resources": resources})
}

#[test]
fn numbers_and_booleans_for_terraform_strings_are_written_as_strings() {
    // `engine_version: 16` and tag values, as YAML users write them unquoted: Terraform converts
    // them to strings, and CloudFormation's and the CDK's types take strings there.
    let bp = aws(
        json!([{"type": "aws_db_instance", "name": "db", "properties": {
        "engine": "postgres", "engine_version": 16, "instance_class": "db.t3.micro",
        "allocated_storage": 20, "username": "app", "manage_master_user_password": true,
        "tags": {"Tier": 2, "Backup": true}}},
        {"type": "aws_s3_bucket", "name": "logs", "properties": {
            "bucket": "logs-4711", "tags": {"Db": "${db.id}", "Days": 30}}}]),
    );
    let t = template(&bp);
    // A reference in a tag stays a reference.
    assert_eq!(
        t["Resources"]["Logs"]["Properties"]["Tags"],
        json!([{"Key": "Days", "Value": "30"}, {"Key": "Db", "Value": {"Fn::GetAtt": ["Db", "DbiResourceId"]}}])
    );
    let props = &t["Resources"]["Db"]["Properties"];
    assert_eq!(props["EngineVersion"], "16");
    assert_eq!(props["AllocatedStorage"], "20");
    // Terraform booleans stay booleans.
    assert_eq!(props["ManageMasterUserPassword"], true);
    assert_eq!(
        props["Tags"],
        json!([{"Key": "Backup", "Value": "true"}, {"Key": "Tier", "Value": "2"}])
    );
    let parsed = iac_dharma::parse(&bp.to_string()).unwrap();
    let cdk = gen(&parsed, OutputFormat::CdkTs);
    let stack = cdk.get("lib/stack.ts").unwrap();
    assert!(stack.contains("engineVersion: \"16\","), "{stack}");
    assert!(stack.contains("value: \"2\","), "{stack}");
}

#[test]
fn a_number_for_a_string_takes_the_text_terraform_gives_it() {
    // `tostring()` in Terraform: no `.0`, no exponent, `-0` keeps its sign.
    let bp = aws(
        json!([{"type": "aws_s3_bucket", "name": "logs", "properties": {
        "bucket": "logs-4711", "tags": {"E": 1e2, "B": 1e20, "N": -0.0, "F": 0.25, "I": 7}}}]),
    );
    let t = template(&bp);
    assert_eq!(
        t["Resources"]["Logs"]["Properties"]["Tags"],
        json!([{"Key": "B", "Value": "100000000000000000000"}, {"Key": "E", "Value": "100"},
               {"Key": "F", "Value": "0.25"}, {"Key": "I", "Value": "7"}, {"Key": "N", "Value": "-0"}])
    );
}

#[test]
fn internet_gateway_attachment_is_a_companion_every_user_waits_for() {
    let t = template(&aws(json!([
        {"type": "aws_vpc", "name": "vpc", "properties": {"cidr_block": "10.0.0.0/16"}},
        {"type": "aws_internet_gateway", "name": "igw", "properties": {"vpc_id": "${vpc.id}"}},
        {"type": "aws_route_table", "name": "rt", "properties": {"vpc_id": "${vpc.id}"}},
        {"type": "aws_route", "name": "default", "properties": {
            "route_table_id": "${rt.id}", "destination_cidr_block": "0.0.0.0/0", "gateway_id": "${igw.id}"}}])));
    let r = &t["Resources"];
    assert_eq!(r["IgwAttachment"]["Type"], "AWS::EC2::VPCGatewayAttachment");
    assert_eq!(
        r["IgwAttachment"]["Properties"],
        json!({"InternetGatewayId": {"Ref": "Igw"}, "VpcId": {"Ref": "Vpc"}})
    );
    assert_eq!(r["Default"]["DependsOn"], json!(["IgwAttachment"]));
    assert!(r["Igw"].get("Properties").is_none());
}

#[test]
fn certificate_validation_records_fold_into_the_certificate() {
    let t = template(&aws(json!([
        {"type": "aws_route53_zone", "name": "zone", "properties": {"name": "${var.domain}"}},
        {"type": "aws_acm_certificate", "name": "cert", "properties": {
            "domain_name": "${var.domain}", "subject_alternative_names": ["www.${var.domain}"], "validation_method": "DNS"}},
        {"type": "aws_route53_record", "name": "v1", "properties": {
            "zone_id": "${zone.zone_id}", "name": "${cert.domain_validation_options[1].resource_record_name}",
            "type": "${cert.domain_validation_options[1].resource_record_type}", "ttl": 60,
            "records": ["${cert.domain_validation_options[1].resource_record_value}"]}},
        {"type": "aws_acm_certificate_validation", "name": "valid", "properties": {
            "certificate_arn": "${cert.arn}", "validation_record_fqdns": ["${v1.fqdn}"]}},
        {"type": "aws_route53_record", "name": "www", "properties": {
            "zone_id": "${zone.zone_id}", "name": "www.${var.domain}", "type": "CNAME", "ttl": 300,
            "records": ["${valid.certificate_arn}"]}}])));
    let r = &t["Resources"];
    assert_eq!(
        r["Cert"]["Properties"]["DomainValidationOptions"],
        json!([{"DomainName": {"Fn::Sub": "www.${Domain}"}, "HostedZoneId": {"Ref": "Zone"}}])
    );
    assert!(r.get("V1").is_none() && r.get("Valid").is_none());
    // A record that is not a validation record stays a record; the validation is the certificate.
    assert_eq!(
        r["Www"]["Properties"]["ResourceRecords"],
        json!([{"Ref": "Cert"}])
    );
    assert_eq!(r["Www"]["Properties"]["TTL"], "300");
}

#[test]
fn json_documents_keep_references_and_attribute_lists_join_in_outputs() {
    let mut bp = aws(json!([
        {"type": "aws_route53_zone", "name": "zone", "properties": {"name": "example.com"}},
        {"type": "aws_s3_bucket", "name": "b", "properties": {"bucket_prefix": "logs-"}},
        {"type": "aws_s3_bucket_policy", "name": "p", "properties": {"bucket": "${b.id}",
            "policy": "{\"Statement\": [{\"Effect\": \"Deny\", \"Resource\": [\"${b.arn}\", \"${b.arn}/*\"], \"Principal\": \"*\", \"Action\": \"s3:*\"}]}"}}]));
    bp["outputs"] = json!([{"name": "ns", "value": "${zone.name_servers}"}]);
    let t = template(&bp);
    let r = &t["Resources"];
    assert_eq!(
        r["P"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"],
        json!([{"Fn::GetAtt": ["B", "Arn"]}, {"Fn::Sub": "${B.Arn}/*"}])
    );
    assert_eq!(
        t["Outputs"]["Ns"]["Value"],
        json!({"Fn::Join": [",", {"Fn::GetAtt": ["Zone", "NameServers"]}]})
    );
    let name = &r["B"]["Properties"]["BucketName"]["Fn::Join"];
    assert_eq!(name[1][0], "logs-");
}

#[test]
fn what_cloudformation_cannot_express_is_an_error_with_a_path() {
    // Two arguments that are one CloudFormation property must agree.
    let e = error_of(&aws(json!([
        {"type": "aws_eks_addon", "name": "a", "properties": {"cluster_name": "c", "addon_name": "coredns",
            "resolve_conflicts_on_create": "OVERWRITE", "resolve_conflicts_on_update": "PRESERVE"}}])));
    let f = &e.findings()[0];
    assert_eq!(f.code.as_str(), "unmapped_property");
    assert_eq!(
        f.path,
        "resources[0].properties.resolve_conflicts_on_update"
    );
    assert!(f.message.contains("ResolveConflicts"), "{}", f.message);

    // One CIDR per CloudFormation rule.
    let e = error_of(&aws(json!([
        {"type": "aws_security_group", "name": "sg", "properties": {"description": "x"}},
        {"type": "aws_security_group_rule", "name": "r", "properties": {"type": "ingress",
            "security_group_id": "${sg.id}", "protocol": "tcp", "from_port": 443, "to_port": 443,
            "cidr_blocks": ["10.0.0.0/8", "192.168.0.0/16"]}}])));
    assert_eq!(e.findings()[0].path, "resources[1].properties.cidr_blocks");

    // A folded resource whose dependency depends on the resource it is folded into.
    let e = error_of(&aws(json!([
        {"type": "aws_s3_bucket", "name": "logs", "properties": {}},
        {"type": "aws_s3_bucket", "name": "site", "properties": {}},
        {"type": "aws_s3_bucket_policy", "name": "logs_policy", "properties": {"bucket": "${logs.id}",
            "policy": "{\"Statement\": [{\"Resource\": \"${logs.arn}/*\", \"Condition\": {\"ArnLike\": {\"aws:SourceArn\": \"${site.arn}\"}}}]}"}},
        {"type": "aws_s3_bucket_logging", "name": "site_logging", "dependencies": ["logs_policy"],
            "properties": {"bucket": "${site.id}", "target_bucket": "${logs.id}", "target_prefix": "s/"}}])));
    let f = &e.findings()[0];
    assert_eq!(f.path, "resources[3]");
    assert!(f.message.contains("cycle"), "{}", f.message);
}

#[test]
fn security_group_rules_become_ingress_or_egress() {
    let t = template(&aws(json!([
        {"type": "aws_security_group", "name": "sg", "properties": {"description": "x"}},
        {"type": "aws_security_group_rule", "name": "out", "properties": {"type": "egress",
            "security_group_id": "${sg.id}", "protocol": "tcp", "from_port": 443, "to_port": 443,
            "cidr_blocks": ["0.0.0.0/0"]}}])));
    assert_eq!(
        t["Resources"]["Out"],
        json!({"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Sg", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 443,
            "ToPort": 443, "CidrIp": "0.0.0.0/0"}})
    );
}

#[test]
fn a_template_without_resources_is_an_error() {
    // CloudFormation refuses a template without resources; with `count = 0` everywhere there is
    // nothing to write.
    for resources in [
        json!([]),
        json!([{"type": "aws_vpc", "name": "main", "count": 0,
                "properties": {"cidr_block": "10.0.0.0/16"}}]),
    ] {
        let e = error_of(&aws(resources));
        let f = &e.findings()[0];
        assert_eq!(
            (f.code.as_str(), f.path.as_str()),
            ("empty_template", "resources")
        );
    }
}

#[test]
fn scalars_in_maps_of_user_keys_to_strings_are_strings() {
    // Lambda's `environment.variables` is `map(string)` in Terraform, a map of strings in
    // CloudFormation and `{[key: string]: string}` in the CDK: `true` and a 20-digit number are
    // their Terraform text (as JSON numbers they would fail tsc / lose digits in JavaScript).
    let bp = aws(
        json!([{"type": "aws_lambda_function", "name": "fn", "properties": {
        "function_name": "my-fn", "role": "arn:aws:iam::123456789012:role/x",
        "runtime": "python3.12", "handler": "index.handler", "s3_bucket": "b", "s3_key": "k.zip",
        "environment": {"variables": {"FLAG": true, "BIG_ID": 12345678901234567890_u64,
            "RATE": 0.5, "NAME": "x", "DOMAIN": "${var.domain}"}}}}]),
    );
    let t = template(&bp);
    assert_eq!(
        t["Resources"]["Fn"]["Properties"]["Environment"]["Variables"],
        json!({"BIG_ID": "12345678901234567890", "DOMAIN": {"Ref": "Domain"}, "FLAG": "true",
               "NAME": "x", "RATE": "0.5"})
    );
    let parsed = iac_dharma::parse(&bp.to_string()).unwrap();
    let cdk = gen(&parsed, OutputFormat::CdkTs);
    let stack = cdk.get("lib/stack.ts").unwrap();
    assert!(stack.contains("FLAG: \"true\""), "{stack}");
    assert!(
        stack.contains("BIG_ID: \"12345678901234567890\""),
        "{stack}"
    );
}

#[test]
fn an_output_showing_a_sensitive_value_is_refused_as_a_sensitive_one_is() {
    // Terraform marks `admin:${var.pw}` sensitive by itself; CloudFormation and the CDK would
    // publish it in plain text.
    let mut bp =
        aws(json!([{"type": "aws_vpc", "name": "v", "properties": {"cidr_block": "10.0.0.0/16"}}]));
    bp["variables"] = json!([{"name": "pw", "type": "string", "sensitive": true}]);
    bp["outputs"] = json!([{"name": "dsn", "value": "admin:${var.pw}"}]);
    let parsed = iac_dharma::parse(&bp.to_string()).unwrap();
    for format in [
        OutputFormat::CloudFormation,
        OutputFormat::CloudFormationYaml,
        OutputFormat::CdkTs,
    ] {
        let e = generate(&parsed, format, &GenerateOptions::default()).unwrap_err();
        let f = &e.findings()[0];
        assert_eq!(
            (f.code.as_str(), f.path.as_str()),
            ("unmapped_property", "outputs[0].value"),
            "{format}"
        );
        assert!(f.message.contains("sensitive"), "{format}: {}", f.message);
    }
    // An output that shows no sensitive value is written.
    bp["outputs"] = json!([{"name": "vpc", "value": "${v.id}"}]);
    template(&bp);
}

#[test]
fn a_security_group_without_egress_gets_no_allow_all_egress() {
    // Terraform removes AWS's default allow-all egress rule; in CloudFormation a group created
    // with no egress rule keeps it, so a rule that matches nothing is written instead.
    let none = json!([{"CidrIp": "127.0.0.1/32", "IpProtocol": "-1"}]);
    for (egress, separate_rule) in [(None, false), (Some(json!([])), false), (None, true)] {
        let mut sg = json!({"type": "aws_security_group", "name": "sg", "properties": {
            "description": "x", "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp",
            "cidr_blocks": ["10.0.0.0/8"]}]}});
        if let Some(e) = egress {
            sg["properties"]["egress"] = e;
        }
        let mut resources = vec![sg];
        if separate_rule {
            resources.push(
                json!({"type": "aws_vpc_security_group_egress_rule", "name": "out",
                "properties": {"security_group_id": "${sg.id}", "ip_protocol": "tcp",
                "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}}),
            );
        }
        let bp = aws(Value::Array(resources));
        let t = template(&bp);
        assert_eq!(
            t["Resources"]["Sg"]["Properties"]["SecurityGroupEgress"], none,
            "{bp}"
        );
        let parsed = iac_dharma::parse(&bp.to_string()).unwrap();
        let stack = gen(&parsed, OutputFormat::CdkTs);
        let stack = stack.get("lib/stack.ts").unwrap();
        assert!(stack.contains("cidrIp: \"127.0.0.1/32\""), "{stack}");
    }
    // Egress rules given: those, nothing else.
    let t = template(&aws(
        json!([{"type": "aws_security_group", "name": "sg", "properties": {
        "description": "x", "egress": [{"from_port": 443, "to_port": 443, "protocol": "tcp",
        "cidr_blocks": ["0.0.0.0/0"]}]}}]),
    ));
    assert_eq!(
        t["Resources"]["Sg"]["Properties"]["SecurityGroupEgress"],
        json!([{"CidrIp": "0.0.0.0/0", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}])
    );
}

#[test]
fn a_db_instance_id_is_its_resource_id() {
    // AWS provider v5+: `aws_db_instance.x.id` is the DbiResourceId; `identifier` is the name.
    let mut bp = aws(
        json!([{"type": "aws_db_instance", "name": "db", "properties": {
        "identifier": "mydb", "engine": "postgres", "instance_class": "db.t3.micro",
        "allocated_storage": 20, "username": "app", "manage_master_user_password": true}}]),
    );
    bp["outputs"] = json!([{"name": "db_id", "value": "${db.id}"},
        {"name": "db_name", "value": "${db.identifier}"}]);
    let t = template(&bp);
    assert_eq!(
        t["Outputs"]["DbId"]["Value"],
        json!({"Fn::GetAtt": ["Db", "DbiResourceId"]})
    );
    assert_eq!(t["Outputs"]["DbName"]["Value"], json!({"Ref": "Db"}));
}
