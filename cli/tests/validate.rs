//! `dharma validate`: input detection, formats, exit codes, user policies, settings, waivers,
//! and located errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{dharma, root, stderr, stdout, write};

fn fixture(name: &str) -> String {
    common::fixture("plans", name)
}

const BUCKET: &str = r#"
name: cli-validate
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_s3_bucket
    name: site
    properties: {bucket: cli-site, acl: public-read}
"#;

const CLEAN: &str = r#"
name: cli-clean
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_vpc
    name: main
    properties: {cidr_block: 10.0.0.0/16}
  - type: aws_flow_log
    name: main_flow
    properties: {vpc_id: "${main.id}", traffic_type: ALL, log_destination_type: s3, log_destination: "arn:aws:s3:::flow-logs"}
"#;

#[test]
fn a_clean_blueprint_passes_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "clean.yaml", CLEAN);
    let o = dharma(&["validate", &f]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("PASSED: "), "{}", stdout(&o));
}

#[test]
fn the_summary_counts_in_words_that_agree() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "bucket.yaml", BUCKET);
    let o = dharma(&["validate", &f]);
    let text = stdout(&o);
    assert!(text.contains(": 1 resource, "), "{text}");
    let f = write(&dir, "clean.yaml", CLEAN);
    let text = stdout(&dharma(&["validate", &f]));
    assert!(text.contains(": 2 resources, "), "{text}");
}

#[test]
fn a_policy_file_saved_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "clean.yaml", CLEAN);
    let policy = write(
        &dir,
        "no_vpc.rego",
        "\u{feff}package main\n\nimport rego.v1\n\ndeny contains msg if {\n  some r in input.resource_changes\n  r.type == \"aws_vpc\"\n  msg := \"no VPCs here\"\n}\n",
    );
    let o = dharma(&["validate", &f, "--no-builtin", "-p", &policy]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("no VPCs here"), "{}", stdout(&o));
}

#[test]
fn failures_exit_1_and_fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "bucket.yaml", BUCKET);
    let o = dharma(&["validate", &f]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.starts_with("aws_s3_bucket.site\n"), "{text}");
    assert!(text.contains("CRITICAL DHARMA_AWS_S3_002"), "{text}");
    // Only low/medium/high besides the critical ACL: with the ACL waived, fail-on critical passes.
    let waived = BUCKET.replace(
        "properties: {bucket: cli-site, acl: public-read}",
        "properties: {bucket: cli-site, acl: public-read}\n    waivers: [{id: DHARMA_AWS_S3_002, reason: public website}]",
    );
    let f = write(&dir, "waived.yaml", &waived);
    let o = dharma(&["validate", &f, "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("WAIVED   DHARMA_AWS_S3_002"));
}

#[test]
fn plans_are_detected_and_json_goes_to_stdout_only() {
    let o = dharma(&[
        "validate",
        &fixture("gcp-gke-cluster.tfplan.json"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["input"]["kind"], "plan");
    assert_eq!(report["input"]["format_version"], "0.1");
    let ids: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    // The plan leaves `network_policy` to the provider (computed): GKE_003 cannot decide.
    assert_eq!(
        ids,
        [
            ("DHARMA_GCP_GKE_001", "fail"),
            ("DHARMA_GCP_GKE_002", "fail"),
            ("DHARMA_GCP_GKE_003", "unknown")
        ]
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn sarif_and_junit_formats() {
    let plan = fixture("terragoat-aws.tfplan.json");
    let o = dharma(&["validate", &plan, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .is_empty());
    let o = dharma(&["validate", &plan, "--format", "junit"]);
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("classname=\"DHARMA_AWS_RDS_001\" name=\"aws_db_instance.default\""));
}

#[test]
fn conftest_policies_run_unchanged_from_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "policy/main.rego",
        r#"package main

deny[msg] {
  rc := input.resource_changes[_]
  rc.type == "aws_s3_bucket"
  rc.change.after.acl == "public-read"
  msg := sprintf("%s is public", [rc.address])
}
"#,
    );
    // Test files next to policies are not policies.
    write(
        &dir,
        "policy/main_test.rego",
        "package main\ntest_x { true }\n",
    );
    let f = write(&dir, "bucket.yaml", BUCKET);
    let policy_dir = dir.path().join("policy").to_string_lossy().into_owned();
    let o = dharma(&[
        "validate",
        &f,
        "--no-builtin",
        "--policies",
        &policy_dir,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f0 = &report["findings"][0];
    assert_eq!(f0["id"], "main.deny");
    assert_eq!(f0["message"], "aws_s3_bucket.site is public");
    assert!(f0["source"].as_str().unwrap().ends_with("policy/main.rego"));
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_policy_syntax_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "bad.rego",
        "package bad\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := sprintf(\"x\", [\n}\n",
    );
    let f = write(&dir, "clean.yaml", CLEAN);
    let o = dharma(&["validate", &f, "--policies", &p]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("policy_syntax"), "{err}");
    assert!(
        err.contains("bad.rego:6:7: expecting `}` while parsing set"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn a_runaway_policy_is_stopped_by_the_time_budget() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "slow.rego",
        "package slow\n\nimport rego.v1\n\ndeny contains n if {\n  some a in numbers.range(1, 500)\n  some b in numbers.range(1, 500)\n  some c in numbers.range(1, 500)\n  n := a * b * c\n  n < 0\n}\n",
    );
    let f = write(&dir, "clean.yaml", CLEAN);
    let start = std::time::Instant::now();
    let o = dharma(&["validate", &f, "--policies", &p, "--timeout-ms", "300"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("policy_timeout"), "{}", stderr(&o));
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn bad_plans_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("deleted-resources.tfplan.json")).unwrap();
    let cut = write(&dir, "cut.json", &text[..text.len() / 2]);
    let o = dharma(&["validate", &cut]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("json_syntax"), "{}", stderr(&o));
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
    let future = write(
        &dir,
        "future.json",
        "{\"format_version\": \"3.0\", \"resource_changes\": []}",
    );
    let o = dharma(&["validate", &future]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unsupported_plan_format"));
    assert!(stderr(&o).contains(":1:2"), "{}", stderr(&o));
    let zip = dir.path().join("tfplan");
    std::fs::write(&zip, b"PK\x03\x04\x14\x00binary").unwrap();
    let o = dharma(&["validate", &zip.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("terraform show -json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn settings_and_plan_waivers_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let settings = write(
        &dir,
        "settings.yaml",
        "required_tags: [Owner]\nallowed_regions: [eu-west-1]\n",
    );
    let f = write(&dir, "clean.yaml", CLEAN);
    let o = dharma(&["validate", &f, "--settings", &settings, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"DHARMA_GEN_REGION_001"), "{ids:?}");
    assert!(ids.contains(&"DHARMA_GEN_TAGS_001"), "{ids:?}");

    let waivers = write(
        &dir,
        "waivers.yaml",
        "google_container_cluster.primary:\n  - {id: DHARMA_GCP_GKE_001, reason: nodes need public egress, expires: 2099-01-01}\n  - {id: DHARMA_GCP_GKE_002, reason: temporary, expires: 2020-01-01}\n",
    );
    let o = dharma(&[
        "validate",
        &fixture("gcp-gke-cluster.tfplan.json"),
        "--waivers",
        &waivers,
    ]);
    let text = stdout(&o);
    assert!(text.contains("WAIVED   DHARMA_GCP_GKE_001"), "{text}");
    assert!(text.contains("HIGH     DHARMA_GCP_GKE_002"), "{text}");
    assert!(
        text.contains("waiver of DHARMA_GCP_GKE_002 on google_container_cluster.primary expired on 2020-01-01"),
        "{text}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn emit_input_prints_the_rendered_plan() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "clean.yaml", CLEAN);
    let o = dharma(&["validate", &f, "--emit-input"]);
    assert_eq!(o.status.code(), Some(0));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(plan["format_version"], "1.2");
    assert_eq!(
        plan["resource_changes"][1]["change"]["after_unknown"]["vpc_id"],
        true
    );
    // The emitted input is itself a valid plan for `dharma validate`.
    let p = write(&dir, "rendered.json", &stdout(&o));
    let o = dharma(&["validate", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// Every bundled example passes the built-in catalog with the tags the examples' README promises
/// (exit 0), so `dharma validate examples/blueprints/<any>` behaves as documented.
#[test]
fn every_example_blueprint_passes_with_its_required_tags() {
    let dir = tempfile::tempdir().unwrap();
    let tags = write(
        &dir,
        "tags.yaml",
        "required_tags: [Owner, Environment, CostCenter]\n",
    );
    let labels = write(
        &dir,
        "labels.yaml",
        "required_tags: [owner, environment, cost_center]\n",
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("examples/blueprints")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".yaml") || name.ends_with(".json")) {
            continue;
        }
        let settings = if name.starts_with("gcp-") {
            &labels
        } else {
            &tags
        };
        let file = path.to_string_lossy().into_owned();
        let o = dharma(&[
            "validate",
            &file,
            "--settings",
            settings,
            "--today",
            "2026-06-01",
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(
            stdout(&o).starts_with("PASSED") || stdout(&o).contains("\nPASSED"),
            "{name}: {}",
            stdout(&o)
        );
        seen += 1;
    }
    assert!(seen >= 8, "only {seen} examples");
}

const OPEN_SSH: &str = r#"
name: cli-vars
version: 1.0.0
provider: aws
region: us-east-1
variables:
  - {name: admin_cidr, type: string}
  - {name: port, type: number, default: 22}
resources:
  - type: aws_vpc
    name: main
    properties: {cidr_block: 10.0.0.0/16}
  - type: aws_security_group
    name: admin
    properties:
      vpc_id: "${main.id}"
      ingress:
        - {from_port: "${var.port}", to_port: "${var.port}", protocol: tcp, cidr_blocks: ["${var.admin_cidr}"]}
"#;

#[test]
fn var_values_are_checked_against_the_declared_variables() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "ssh.yaml", OPEN_SSH);
    // The value reaches the policies: SSH open to the world fails.
    let o = dharma(&[
        "validate",
        &bp,
        "--var",
        "admin_cidr=0.0.0.0/0",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // A misspelled name is an error, not an unknown variable that lets the policy pass.
    let o = dharma(&["validate", &bp, "--var", "admin_cdir=0.0.0.0/0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("variables.admin_cdir") && err.contains("did you mean `admin_cidr`"),
        "{err}"
    );
    // So is a value of the wrong type.
    let o = dharma(&["validate", &bp, "--var", "port=ssh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does not match its type number"),
        "{}",
        stderr(&o)
    );
    // A string variable takes the text as it is, as Terraform's -var does.
    let o = dharma(&["validate", &bp, "--var", "admin_cidr=10", "--emit-input"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let input: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(input["variables"]["admin_cidr"]["value"], "10");
    // A plan holds its own variables.
    let o = dharma(&[
        "validate",
        &fixture("deleted-resources.tfplan.json"),
        "--var",
        "a=b",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--var sets blueprint variables"),
        "{}",
        stderr(&o)
    );
}
