//! `dharma plan` and `dharma drift` end to end: output formats, exit codes, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{dharma, write};

fn fixture(name: &str) -> String {
    common::fixture("state", name)
}

const OLD: &str = r#"name: net
version: 1.0.0
provider: aws
region: us-east-1
outputs:
  - {name: vpc_id, value: "${main.id}"}
resources:
  - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
  - type: aws_subnet
    name: a
    properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
  - {type: aws_sqs_queue, name: jobs, properties: {delay_seconds: 0}}
"#;

fn new_text() -> String {
    OLD.replace("10.0.1.0/24", "10.0.2.0/24")
        .replace("delay_seconds: 0", "delay_seconds: 5")
        .replace("version: 1.0.0", "version: 2.0.0")
        + "  - {type: aws_s3_bucket, name: logs, properties: {bucket: net-logs}}\n"
}

#[test]
fn plan_text_like_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.yaml", OLD);
    let new = write(dir.path(), "new.yaml", &new_text());
    let out = dharma(&["plan", &old, &new]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "-/+ resource \"aws_subnet\" \"a\" {",
        "~ cidr_block = \"10.0.1.0/24\" -> \"10.0.2.0/24\" # forces replacement",
        "  ~ resource \"aws_sqs_queue\" \"jobs\" {",
        "  + resource \"aws_s3_bucket\" \"logs\" {",
        "wave 1: delete aws_subnet.a, update aws_sqs_queue.jobs, create aws_s3_bucket.logs",
        "wave 2: create aws_subnet.a",
        "Plan: 2 to add, 1 to change, 1 to destroy.",
        "Version: 1.0.0 -> 2.0.0: the changes need a major bump (at least 2.0.0)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The catalog knows every type here (delay_seconds does not force a new queue).
    assert!(!text.contains("replacement behavior unknown"), "{text}");
}

#[test]
fn plan_json_and_detailed_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.yaml", OLD);
    let new = write(dir.path(), "new.yaml", &new_text());
    let out = dharma(&[
        "plan",
        &old,
        &new,
        "--format",
        "json",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.status.code(), Some(1), "changes present");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format_version"], "1.0");
    assert_eq!(v["resource_changes"][1]["address"], "aws_subnet.a");
    assert_eq!(
        v["resource_changes"][1]["change"]["actions"],
        serde_json::json!(["delete", "create"])
    );
    assert_eq!(v["summary"]["add"], 2);
    assert_eq!(
        v["waves"][0][0],
        serde_json::json!({"address": "aws_subnet.a", "action": "delete"})
    );
    assert_eq!(v["version_check"]["required"], "major");
    // Nothing to do: 0, with or without the flag.
    let out = dharma(&["plan", &old, &old, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("No changes."), "{text}");
    assert!(
        text.contains("Version: 1.0.0 -> 1.0.0: no change needs a new version"),
        "{text}"
    );
}

#[test]
fn plan_rollback_and_version_check() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.yaml", OLD);
    let new = write(dir.path(), "new.yaml", &new_text());
    let out = dharma(&["plan", &old, &new, "--rollback"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("  - resource \"aws_s3_bucket\" \"logs\" {"),
        "{text}"
    );
    assert!(
        text.contains(
            "wave 1: delete aws_subnet.a, update aws_sqs_queue.jobs, delete aws_s3_bucket.logs"
        ),
        "{text}"
    );
    // A breaking change declared as a minor version: refused with --check-version.
    let low = write(
        dir.path(),
        "low.yaml",
        &new_text().replace("version: 2.0.0", "version: 1.1.0"),
    );
    let out = dharma(&["plan", &old, &low, "--check-version"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lower than 2.0.0"));
}

#[test]
fn plan_bad_input_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.yaml", OLD);
    let broken = write(
        dir.path(),
        "broken.yaml",
        &OLD.replace("${main.id}\", cidr", "${mian.id}\", cidr"),
    );
    let out = dharma(&["plan", &old, &broken]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[unknown_reference]") && err.contains("did you mean"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // prevent_destroy refuses the plan.
    let guarded = write(
        dir.path(),
        "guarded.yaml",
        &OLD.replace(
            "properties: {delay_seconds: 0}}",
            "properties: {delay_seconds: 0}, lifecycle: {prevent_destroy: true}}",
        ),
    );
    let without = write(
        dir.path(),
        "without.yaml",
        &OLD.replace(
            "  - {type: aws_sqs_queue, name: jobs, properties: {delay_seconds: 0}}\n",
            "",
        ),
    );
    let out = dharma(&["plan", &guarded, &without]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[prevent_destroy]"));
}

#[test]
fn drift_text_json_and_exit_codes() {
    let bp = fixture("gcp-data.blueprint.yaml");
    let state = fixture("gcp-data.tfstate");
    let out = dharma(&["drift", &bp, "--state", &state]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("~ google_compute_firewall.ssh differs from the blueprint"),
        "{text}"
    );
    assert!(
        text.contains("Drift: 0 missing, 2 changed, 1 unmanaged, 2 in sync."),
        "{text}"
    );
    let out = dharma(&[
        "drift",
        &bp,
        "--state",
        &state,
        "--format",
        "json",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.status.code(), Some(1), "drift present");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["unmanaged"],
        serde_json::json!(["google_compute_address.tmp"])
    );
}

#[test]
fn drift_bad_state_is_exit_2_with_location() {
    let bp = fixture("aws-web.blueprint.yaml");
    for (state, needle) in [
        (
            "terraform-0.11-v3.tfstate",
            "error[unsupported_state_version]: ",
        ),
        ("truncated.tfstate", "error[json_syntax]: "),
        ("azure-app.tfstate", "error[state_provider_mismatch]: "),
    ] {
        let path = fixture(state);
        let out = dharma(&["drift", &bp, "--state", &path]);
        assert_eq!(out.status.code(), Some(2), "{state}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{state}: {err}");
        assert!(out.stdout.is_empty(), "{state}");
    }
    let out = dharma(&["drift", &bp, "--state", &fixture("truncated.tfstate")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated.tfstate:246:"), "{err}");
}
