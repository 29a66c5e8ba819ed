//! Report formats of `validate`: SARIF validated against the official 2.1.0 schema, JUnit XML
//! well-formedness and escaping, JSON round trip, text grouping, determinism; plus the OPA
//! compatibility of the rendered input (the indexes computed in Rego equal the ones passed in).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};

use iac_dharma::policy::{
    format_report, plan_input, validate, validate_plan, PolicySet, ReportFormat, Status,
    ValidateOptions,
};
use iac_dharma::tfplan::Plan;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A blueprint with a failure of each severity, an unknown, a waiver and hostile strings.
const BLUEPRINT: &str = r#"
name: formats
version: 1.0.0
provider: aws
region: us-east-1
variables:
  - {name: public, type: bool}
resources:
  - type: aws_s3_bucket
    name: site
    properties: {bucket: "site-<&>\"'", acl: public-read}
    waivers:
      - {id: DHARMA_AWS_S3_002, reason: "public website <reviewed> & \"approved\"", expires: 2026-12-31}
  - type: aws_db_instance
    name: db
    properties: {instance_class: db.m4.large, publicly_accessible: "${var.public}", storage_encrypted: false}
  - type: aws_sqs_queue
    name: "q"
    properties: {sqs_managed_sse_enabled: false}
"#;

fn report() -> iac_dharma::Report {
    let bp = iac_dharma::parse(BLUEPRINT).unwrap();
    let mut options = ValidateOptions::default();
    options.today = Some("2026-06-01".into());
    validate(&bp, &PolicySet::builtin().unwrap(), &options).unwrap()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    // Two patterns of the official file (`language` of `run` and of `toolComponent`,
    // `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, with a stray `]`) are not valid regular
    // expressions, so the meta-schema rejects the file. They are replaced in memory by the
    // language-tag pattern they mean; dharma writes no `language`, so the replacement cannot
    // hide a problem in our output.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let plan = Plan::parse(
        &std::fs::read_to_string(root().join("tests/fixtures/plans/terragoat-aws.tfplan.json"))
            .unwrap(),
    )
    .unwrap();
    let plan_report =
        validate_plan(&plan, &PolicySet::builtin().unwrap(), &Default::default()).unwrap();
    for (r, artifact) in [
        (report(), "blueprints/formats dir/app.yaml"),
        (plan_report, "plan.json"),
    ] {
        let text = format_report(&r, ReportFormat::Sarif, artifact);
        let sarif: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let run = &sarif["runs"][0];
        // Every result points at a rule of the driver, with the severity mapped to a level.
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for res in run["results"].as_array().unwrap() {
            let i = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], res["ruleId"]);
        }
    }
    let sarif: Value =
        serde_json::from_str(&format_report(&report(), ReportFormat::Sarif, "app.yaml")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let by_rule = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
    assert_eq!(by_rule("DHARMA_AWS_RDS_002")["level"], "error"); // high
    assert_eq!(by_rule("DHARMA_AWS_SQS_001")["level"], "warning"); // medium
    assert_eq!(by_rule("DHARMA_AWS_EC2_005")["level"], "note"); // low
    let unknown = by_rule("DHARMA_AWS_RDS_001");
    assert_eq!(
        (&unknown["kind"], &unknown["level"]),
        (&"review".into(), &"none".into())
    );
    let waived = by_rule("DHARMA_AWS_S3_002");
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "app.yaml"
    );
}

#[test]
fn junit_is_well_formed_and_escaped() {
    let xml = format_report(&report(), ReportFormat::Junit, "dir/a&b.yaml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    // Balanced elements and no raw special characters from user strings.
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert!(xml.contains("dir/a&amp;b.yaml"));
    assert!(xml.contains("waived: public website &lt;reviewed&gt; &amp; &quot;approved&quot;"));
    assert!(!xml.contains("<reviewed>"));
    assert!(xml.contains("<failure type=\"high\""));
    assert!(xml.contains("<skipped message=\"unknown: "));
    // Suite counts add up to the totals.
    let total: usize = xml
        .match_indices("<testsuite name")
        .map(|(i, _)| {
            let rest = &xml[i..];
            let t = rest.split("tests=\"").nth(1).unwrap();
            t[..t.find('"').unwrap()].parse::<usize>().unwrap()
        })
        .sum();
    let header = xml.split("tests=\"").nth(1).unwrap();
    assert_eq!(
        header[..header.find('"').unwrap()]
            .parse::<usize>()
            .unwrap(),
        total
    );
}

#[test]
fn checks_that_are_off_are_not_listed_as_passing() {
    // DHARMA_GEN_TAGS_001, _REGION_001 and _SIZE_001 are off until their setting is given: no
    // JUnit suite of passing resources, no entry in the report's checks.
    let off = [
        "DHARMA_GEN_TAGS_001",
        "DHARMA_GEN_REGION_001",
        "DHARMA_GEN_SIZE_001",
    ];
    let r = report();
    let xml = format_report(&r, ReportFormat::Junit, "app.yaml");
    for id in off {
        assert!(!xml.contains(id), "{id} is off but listed:\n{xml}");
        assert!(
            r.checks.iter().all(|c| c.id != id),
            "{id} is off but in checks"
        );
    }
    assert!(xml.contains("DHARMA_AWS_SQS_001"));
    // With its setting, a check is on and its passing resources are listed.
    let bp = iac_dharma::parse(BLUEPRINT).unwrap();
    let mut options = ValidateOptions::default();
    options.today = Some("2026-06-01".into());
    let policies = PolicySet::builder()
        .settings(serde_json::json!({"allowed_regions": ["us-east-1"], "required_tags": []}))
        .build()
        .unwrap();
    let r = validate(&bp, &policies, &options).unwrap();
    let xml = format_report(&r, ReportFormat::Junit, "app.yaml");
    assert!(xml.contains("DHARMA_GEN_REGION_001"));
    assert!(r.checks.iter().any(|c| c.id == "DHARMA_GEN_REGION_001"));
    assert!(!xml.contains("DHARMA_GEN_TAGS_001"));
}

#[test]
fn emitted_input_has_terraform_shape() {
    // terraform show -json (jsonplan's unknownAsBool): a known list is a list of marks
    // (`[false]`), a known object element is `{}` or the object of its non-false marks, a known
    // map is `{}`; known scalars and nulls are left out; an argument the configuration does not
    // set has no expression.
    let bp = iac_dharma::parse(
        r#"
name: shape
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_vpc
    name: main
    properties: {cidr_block: 10.0.0.0/16}
  - type: aws_security_group
    name: sg
    properties:
      vpc_id: "${main.id}"
      ingress:
        - {from_port: 22, to_port: 22, protocol: tcp, cidr_blocks: [10.0.0.0/8, "${main.cidr_block}"]}
        - {from_port: 443, to_port: 443, protocol: tcp, cidr_blocks: [0.0.0.0/0]}
      egress:
        - {from_port: 0, to_port: 0, protocol: "-1"}
      tags: {Name: sg, Owner: "${main.id}"}
  - type: aws_ebs_volume
    name: v
    properties: {availability_zone: us-east-1a, size: 10, tags: {Name: data}}
"#,
    )
    .unwrap();
    let input = plan_input(&bp, &ValidateOptions::default());
    let change = |i: usize| input["resource_changes"][i]["change"].clone();
    assert_eq!(change(0)["after_unknown"], serde_json::json!({}));
    assert_eq!(
        change(1)["after_unknown"],
        serde_json::json!({
            "vpc_id": true,
            "ingress": [{"cidr_blocks": [false, true]}, {"cidr_blocks": [false]}],
            "egress": [{}],
            "tags": {"Owner": true}
        })
    );
    assert_eq!(change(2)["after_unknown"], serde_json::json!({"tags": {}}));
    let config = &input["configuration"]["root_module"]["resources"];
    // No tags anywhere for the VPC: `tags` is null in `after` and has no expression.
    assert_eq!(change(0)["after"]["tags"], Value::Null);
    assert!(config[0]["expressions"].get("tags").is_none());
    assert_eq!(
        config[2]["expressions"]["tags"],
        serde_json::json!({"constant_value": {"Name": "data"}})
    );
}

#[test]
fn json_round_trips_and_text_groups_by_resource() {
    let r = report();
    let json = format_report(&r, ReportFormat::Json, "x");
    let back: iac_dharma::Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let text = format_report(&r, ReportFormat::Text { color: false }, "app.yaml");
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert_eq!(
        headers[..3],
        [
            "aws_s3_bucket.site",
            "aws_db_instance.db",
            "aws_sqs_queue.q"
        ]
    );
    assert!(text.contains("WAIVED   DHARMA_AWS_S3_002"));
    assert!(text.contains("UNKNOWN  DHARMA_AWS_RDS_001"));
    assert!(headers.last().unwrap().starts_with("FAILED: app.yaml:"));
    assert!(!text.contains('\x1b'));
    let colored = format_report(&r, ReportFormat::Text { color: true }, "app.yaml");
    assert!(colored.contains("\x1b[1;31mFAILED\x1b[0m"));
}

#[test]
fn reports_are_deterministic() {
    let a = format_report(&report(), ReportFormat::Json, "x");
    for _ in 0..3 {
        assert_eq!(format_report(&report(), ReportFormat::Json, "x"), a);
    }
    let r = report();
    let statuses: Vec<Status> = r.findings.iter().map(|f| f.status).collect();
    assert!(statuses.contains(&Status::Waived) && statuses.contains(&Status::Unknown));
}

/// The indexes the engine passes as data equal what policies/lib/computed.rego computes, on
/// rendered blueprints and on every real plan: the built-in rules see the same thing under
/// `opa eval` as here.
#[test]
fn rust_indexes_equal_the_rego_fallback() {
    let mut inputs = Vec::new();
    for name in [
        "terragoat-aws.tfplan.json",
        "nested-modules.tfplan.json",
        "azure-vm-open-ssh-rdp.tfplan.json",
        "deleted-resources.tfplan.json",
    ] {
        let text = std::fs::read_to_string(root().join("tests/fixtures/plans").join(name)).unwrap();
        inputs.push((name.to_string(), Plan::parse(&text).unwrap()));
    }
    let bp = iac_dharma::parse(BLUEPRINT).unwrap();
    inputs.push((
        "blueprint".into(),
        Plan::from_value(plan_input(&bp, &Default::default())).unwrap(),
    ));
    // With the built-ins (which bring the index as data) plus a probe comparing both forms.
    let policies = PolicySet::builder()
        .add_policy("probe.rego", probe_source())
        .build()
        .unwrap();
    for (name, plan) in inputs {
        let r = validate_plan(&plan, &policies, &Default::default()).unwrap();
        let problems: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| f.id == "probe.deny")
            .map(|f| f.message.as_str())
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

fn probe_source() -> &'static str {
    r#"package probe
import rego.v1
deny contains "by_type differs" if data.dharma.lib.by_type != data.dharma.computed.by_type
deny contains sprintf("config %s differs", [k]) if {
    some k, cfg in data.dharma.computed.configs
    data.dharma.lib.configs[k] != cfg
}
deny contains sprintf("refs of %s.%s differ", [k, attr]) if {
    some k, cfg in data.dharma.computed.configs
    some attr, e in cfg.expressions
    is_array(e.references)
    computed := {t | some r in e.references; t := concat("", [prefix(k), data.dharma.lib.ref_resource(r)])}
    object.get(data.dharma.index.refs, [k, attr], set()) != computed
}
prefix(k) := concat(".", array.concat(array.slice(parts, 0, count(parts) - 2), [""])) if {
    parts := split(k, ".")
    count(parts) > 2
} else := ""
"#
}
