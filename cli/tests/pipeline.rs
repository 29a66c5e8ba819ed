//! `dharma pipeline` end to end: each decision and its exit code, the JSON shape, bad input, and
//! that `-o` writes files only when the input was good.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{dharma, json, stderr, stdout, write};

fn state_fixture(name: &str) -> String {
    common::fixture("state", name)
}

/// A small AWS blueprint: a bucket and an instance.
fn site(version: &str, bucket: &str, instance_type: &str) -> String {
    format!(
        "name: site\nversion: {version}\nprovider: aws\nregion: us-east-1\nresources:\n  \
         - {{type: aws_s3_bucket, name: logs, properties: {{bucket: {bucket}}}}}\n  \
         - {{type: aws_instance, name: web, properties: {{ami: ami-0abcdef1234567890, instance_type: {instance_type}}}}}\n"
    )
}

#[test]
fn ready_exits_0_and_writes_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(
        dir.path(),
        "site.yaml",
        &site("1.0.0", "acme-logs", "t3.micro"),
    );
    let out_dir = dir.path().join("out");
    let o = dharma(&[
        "pipeline",
        &bp,
        "--no-builtin",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Policies: 0 failed"), "{text}");
    assert!(text.contains("Cost: "), "{text}");
    assert!(text.contains("all 2 resources are new"), "{text}");
    assert!(text.contains("written to"), "{text}");
    assert!(text.trim_end().ends_with("Decision: READY"), "{text}");
    let main_tf = std::fs::read_to_string(out_dir.join("main.tf")).unwrap();
    assert!(
        main_tf.contains("resource \"aws_instance\" \"web\""),
        "{main_tf}"
    );
}

#[test]
fn builtin_policy_failures_block_with_exit_1() {
    let o = dharma(&["pipeline", &state_fixture("aws-web.blueprint.yaml")]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Decision: BLOCKED"), "{text}");
    assert!(
        text.contains("[blocks] aws_s3_bucket.assets: DHARMA_AWS_S3_001 (high)"),
        "{text}"
    );
    // Raising the threshold above every failure unblocks the policies (the prod environment
    // still asks for approval).
    let o = dharma(&[
        "pipeline",
        &state_fixture("aws-web.blueprint.yaml"),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_budget_exceeded_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(
        dir.path(),
        "site.yaml",
        &site("1.0.0", "acme-logs", "t3.micro"),
    );
    let o = dharma(&["pipeline", &bp, "--no-builtin", "--budget", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("budget 1.00 USD (over)"), "{text}");
    assert!(
        text.contains("[blocks] the estimate of") && text.contains("over the budget of 1 USD"),
        "{text}"
    );
}

#[test]
fn a_replacement_needs_approval_with_exit_3_and_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        dir.path(),
        "old.yaml",
        &site("1.0.0", "acme-logs", "t3.micro"),
    );
    let new = write(
        dir.path(),
        "new.yaml",
        &site("2.0.0", "acme-logs-2", "t3.micro"),
    );
    let o = dharma(&[
        "pipeline",
        &new,
        "--previous",
        &old,
        "--no-builtin",
        "--output",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    assert_eq!(v["decision"]["status"], "needs_approval");
    assert_eq!(v["decision"]["environment"], "");
    let reasons = v["decision"]["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0]["kind"], "replace");
    assert_eq!(reasons[0]["blocking"], false);
    assert_eq!(reasons[0]["address"], "aws_s3_bucket.logs");
    assert_eq!(v["validation"]["passed"], true);
    assert!(
        v["estimate"]["total_monthly"].is_string() || v["estimate"]["total_monthly"].is_number()
    );
    assert!(v["cost_diff"].is_object(), "{v}");
    assert!(v["plan"].is_object(), "{v}");
    assert!(v.get("drift").is_none(), "{v}");
    assert_eq!(v["format"], "terraform");
    assert!(v["files"].is_object(), "{v}");

    // The same change with replacements allowed is ready; text says what the plan does.
    let o = dharma(&[
        "pipeline",
        &new,
        "--previous",
        &old,
        "--no-builtin",
        "--no-approval-on-replace",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("Plan: 1 to add, 0 to change, 1 to destroy (1 replaced)."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn cost_increase_and_protected_environment_need_approval() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        dir.path(),
        "old.yaml",
        &site("1.0.0", "acme-logs", "t3.micro"),
    );
    let new = write(
        dir.path(),
        "new.yaml",
        &site("1.1.0", "acme-logs", "t3.large"),
    );
    let o = dharma(&[
        "pipeline",
        &new,
        "--previous",
        &old,
        "--no-builtin",
        "--max-increase",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Decision: NEEDS APPROVAL"), "{text}");
    assert!(
        text.contains("[approve] the monthly cost rises by"),
        "{text}"
    );
    assert!(text.contains(" from ") && text.contains("+"), "{text}");
    // Within a generous limit it is ready.
    let o = dharma(&[
        "pipeline",
        &new,
        "--previous",
        &old,
        "--no-builtin",
        "--max-increase",
        "1000",
        "--max-increase-percent",
        "1000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    let o = dharma(&["pipeline", &new, "--no-builtin", "--environment", "Prod"]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Decision: NEEDS APPROVAL (environment Prod)"));
    let o = dharma(&[
        "pipeline",
        &new,
        "--no-builtin",
        "--environment",
        "prod",
        "--protected-env",
        "none",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn drift_against_state_is_summarised() {
    let o = dharma(&[
        "pipeline",
        &state_fixture("aws-web.blueprint.yaml"),
        "--state",
        &state_fixture("aws-web.tfstate"),
        "--no-builtin",
        "--protected-env",
        "none",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Drift: 1 missing, 1 unmanaged, 4 changed, 3 in sync."),
        "{text}"
    );
    assert!(
        text.contains("[approve] aws_eip.bastion is deployed but not in the blueprint"),
        "{text}"
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = out_dir.to_str().unwrap();

    let missing = dir.path().join("missing.yaml");
    let o = dharma(&["pipeline", missing.to_str().unwrap(), "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    // A state of another provider is bad input, named by the state file.
    let azure = state_fixture("azure-app.tfstate");
    let o = dharma(&[
        "pipeline",
        &state_fixture("aws-web.blueprint.yaml"),
        "--state",
        &azure,
        "-o",
        out,
        "--output",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("state_provider_mismatch") && stderr(&o).contains(&azure),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());

    let bp = write(
        dir.path(),
        "site.yaml",
        &site("1.0.0", "acme-logs", "t3.micro"),
    );
    // So is a previous version of another provider, named by its file.
    let azure_bp = format!(
        "{}/../examples/blueprints/azure-web-app.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = dharma(&["pipeline", &bp, "--previous", &azure_bp, "-o", out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("baseline_provider_mismatch") && stderr(&o).contains(&azure_bp),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
    let o = dharma(&["pipeline", &bp, "--budget", "lots", "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--budget must be an amount"),
        "{}",
        stderr(&o)
    );
    let o = dharma(&["pipeline", &bp, "--max-increase-percent", "x", "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    let o = dharma(&["pipeline", &bp, "--previous", &bp, "--state", &azure]);
    assert_eq!(o.status.code(), Some(2), "--previous and --state conflict");

    assert!(!out_dir.exists(), "bad input must not write files");
}

#[test]
fn help_documents_the_exit_codes() {
    let o = dharma(&["pipeline", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for line in [
        "0  ready",
        "1  blocked",
        "2  bad input",
        "3  needs approval",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
}
