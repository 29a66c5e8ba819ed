#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use rust_decimal::Decimal;

use super::*;
use crate::{parse, CheckedBlueprint};

fn bp(version: &str, bucket: &str, extra: &str) -> CheckedBlueprint {
    parse(&format!(
        r#"{{"name": "site", "version": "{version}", "provider": "aws", "region": "us-east-1",
            "resources": [
              {{"type": "aws_s3_bucket", "name": "logs", "properties": {{"bucket": "{bucket}"}}}},
              {{"type": "aws_instance", "name": "web",
                "properties": {{"ami": "ami-0abcdef1234567890", "instance_type": "t3.micro"}}}}
              {extra}
            ]}}"#
    ))
    .unwrap()
}

/// Options with no policy at all, so the tests see only the rule under test.
fn no_policies() -> PipelineOptions {
    PipelineOptions {
        policies: Some(Arc::new(
            PolicySet::builder().without_builtin().build().unwrap(),
        )),
        ..PipelineOptions::default()
    }
}

fn kinds(r: &PipelineResult<'_>) -> Vec<ReasonKind> {
    r.decision.reasons.iter().map(|r| r.kind).collect()
}

#[test]
fn a_first_deployment_with_nothing_to_approve_is_ready() {
    let new = bp("1.0.0", "acme-logs", "");
    let run = run_pipeline(&new, Baseline::None, &no_policies()).unwrap();
    assert_eq!(
        run.decision.status,
        DecisionStatus::Ready,
        "{:?}",
        run.decision
    );
    assert_eq!(run.decision.next_status(), Some(DeploymentStatus::Approved));
    assert!(run.plan.is_none() && run.drift.is_none() && run.cost_diff.is_none());
    assert!(run.estimate.total_monthly > Decimal::ZERO);
    assert!(run
        .files
        .unwrap()
        .get("main.tf")
        .unwrap()
        .contains("aws_instance"));
}

#[test]
fn builtin_policy_failures_block_with_the_check_and_address() {
    let open_ssh = r#", {"type": "aws_security_group", "name": "ssh", "properties": {
        "name": "ssh", "description": "ssh",
        "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}"#;
    let new = bp("1.0.0", "acme-logs", open_ssh);
    let run = run_pipeline(&new, Baseline::None, &PipelineOptions::default()).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::Blocked);
    assert_eq!(run.decision.next_status(), Some(DeploymentStatus::Failed));
    let policy: Vec<&Reason> = run
        .decision
        .reasons
        .iter()
        .filter(|r| r.kind == ReasonKind::Policy)
        .collect();
    assert!(!policy.is_empty());
    assert!(policy.iter().all(|r| r.blocking && r.check.is_some()));
    assert!(
        policy
            .iter()
            .any(|r| r.address.as_deref() == Some("aws_security_group.ssh")),
        "{policy:?}"
    );
    // The report behind the decision is in the result.
    assert!(!run.validation.passed);
}

#[test]
fn an_exceeded_budget_blocks() {
    let new = bp("1.0.0", "acme-logs", "");
    let mut options = no_policies();
    options.estimate = options.estimate.clone().with_budget(Decimal::ONE);
    let run = run_pipeline(&new, Baseline::None, &options).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::Blocked);
    assert_eq!(kinds(&run), [ReasonKind::Budget]);
    assert!(run.decision.reasons[0].message.contains("budget of 1"));
}

#[test]
fn replaces_and_deletes_need_approval_unless_the_rules_say_otherwise() {
    let queue = r#", {"type": "aws_sqs_queue", "name": "jobs", "properties": {"name": "jobs"}}"#;
    let old = bp("1.0.0", "acme-logs", queue);
    let new = bp("2.0.0", "acme-logs-2", "");
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &no_policies()).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::NeedsApproval);
    assert_eq!(run.decision.next_status(), None);
    assert_eq!(kinds(&run), [ReasonKind::Replace, ReasonKind::Delete]);
    assert_eq!(
        run.decision.reasons[0].address.as_deref(),
        Some("aws_s3_bucket.logs")
    );
    assert_eq!(
        run.decision.reasons[1].address.as_deref(),
        Some("aws_sqs_queue.jobs")
    );
    assert!(run.plan.is_some() && run.cost_diff.is_some());

    let mut relaxed = no_policies();
    relaxed.approval.on_replace = false;
    relaxed.approval.on_delete = false;
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &relaxed).unwrap();
    assert_eq!(
        run.decision.status,
        DecisionStatus::Ready,
        "{:?}",
        run.decision
    );
}

#[test]
fn a_cost_increase_over_a_threshold_needs_approval() {
    let old = bp("1.0.0", "acme-logs", "");
    let bigger = r#", {"type": "aws_instance", "name": "worker",
        "properties": {"ami": "ami-0abcdef1234567890", "instance_type": "m5.large"}}"#;
    let new = bp("1.1.0", "acme-logs", bigger);
    let mut options = no_policies();
    options.approval.max_monthly_increase = Some(Decimal::from(10));
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &options).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::NeedsApproval);
    assert_eq!(kinds(&run), [ReasonKind::CostIncrease]);
    let diff = run.cost_diff.as_ref().unwrap();
    assert!(diff.delta_monthly > Decimal::from(10));

    // A generous threshold lets it through; a percentage threshold catches it again.
    options.approval.max_monthly_increase = Some(Decimal::from(100_000));
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &options).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::Ready);
    options.approval.max_increase_percent = Some(Decimal::from(50));
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &options).unwrap();
    assert_eq!(kinds(&run), [ReasonKind::CostIncrease]);
    assert!(run.decision.reasons[0].message.contains("50%"));
}

#[test]
fn a_cost_limit_cannot_pass_a_change_whose_cost_is_unknown() {
    // The old worker's size has no price: a downsize must not read as a rise from $0, nor an
    // upsize as a saving; with a limit set, the change needs approval.
    let worker = |size: &str| {
        format!(
            r#", {{"type": "aws_instance", "name": "worker",
                "properties": {{"ami": "ami-0abcdef1234567890", "instance_type": "{size}"}}}}"#
        )
    };
    let old = bp("1.0.0", "acme-logs", &worker("z9.nonexistent"));
    let new = bp("1.1.0", "acme-logs", &worker("t3.micro"));
    let mut options = no_policies();
    options.approval.max_monthly_increase = Some(Decimal::from(5));
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &options).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::NeedsApproval);
    assert_eq!(kinds(&run), [ReasonKind::CostIncrease]);
    let reason = &run.decision.reasons[0];
    assert_eq!(reason.address.as_deref(), Some("aws_instance.worker"));
    assert!(
        reason.message.contains("unpriced in the old blueprint"),
        "{}",
        reason.message
    );

    // Unchanged and unpriced on both sides: nothing changes, nothing to approve.
    let run = run_pipeline(&old, Baseline::Blueprint(&old), &options).unwrap();
    assert_eq!(
        run.decision.status,
        DecisionStatus::Ready,
        "{:?}",
        run.decision
    );
    // No limit set: the unknown cost is reported in the diff, not as a reason.
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &no_policies()).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::Ready);
    assert_eq!(run.cost_diff.unwrap().old_unpriced, ["aws_instance.worker"]);
}

#[test]
fn protected_environments_need_approval_from_tags_metadata_or_options() {
    let tagged = parse(
        r#"{"name": "site", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            "tags": {"Environment": "Production"},
            "resources": [{"type": "aws_sqs_queue", "name": "q", "properties": {"name": "q"}}]}"#,
    )
    .unwrap();
    let run = run_pipeline(&tagged, Baseline::None, &no_policies()).unwrap();
    assert_eq!(run.decision.environment, "Production");
    assert_eq!(kinds(&run), [ReasonKind::Environment]);

    let mut options = no_policies();
    options.approval.environment = Some("staging".into());
    let run = run_pipeline(&tagged, Baseline::None, &options).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::Ready);

    let meta = parse(
        r#"{"name": "site", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            "metadata": {"environment": "prod"},
            "resources": [{"type": "aws_sqs_queue", "name": "q", "properties": {"name": "q"}}]}"#,
    )
    .unwrap();
    let run = run_pipeline(&meta, Baseline::None, &no_policies()).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::NeedsApproval);
}

#[test]
#[cfg(feature = "generate-cloudformation")] // the format it asks for
fn a_format_that_cannot_express_the_blueprint_blocks() {
    let new = parse(
        r#"{"name": "site", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            "variables": [{"name": "suffix", "type": "string", "default": null}],
            "resources": [{"type": "aws_sqs_queue", "name": "q", "properties": {"name": "q-${var.suffix}"}}]}"#,
    )
    .unwrap();
    let mut options = no_policies();
    options.format = Some(OutputFormat::CloudFormation);
    let run = run_pipeline(&new, Baseline::None, &options).unwrap();
    assert_eq!(run.decision.status, DecisionStatus::Blocked);
    assert_eq!(kinds(&run), [ReasonKind::Generate]);
    assert!(run.files.is_none());
    assert!(run.decision.reasons[0]
        .message
        .contains("variables[0].default"));
}

#[test]
fn drift_against_state_reports_resources_that_would_be_deleted() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/state");
    let new = parse(&std::fs::read_to_string(dir.join("aws-web.blueprint.yaml")).unwrap()).unwrap();
    let state =
        TerraformState::from_json(&std::fs::read_to_string(dir.join("aws-web.tfstate")).unwrap())
            .unwrap();
    let mut options = no_policies();
    options.approval.protected_environments.clear();
    let run = run_pipeline(&new, Baseline::State(&state), &options).unwrap();
    let drift = run.drift.as_ref().unwrap();
    assert!(drift.unmanaged.iter().any(|a| a == "aws_eip.bastion"));
    assert!(run
        .decision
        .reasons
        .iter()
        .any(|r| r.kind == ReasonKind::Delete && r.address.as_deref() == Some("aws_eip.bastion")));
    assert_eq!(run.decision.status, DecisionStatus::NeedsApproval);
}

#[test]
fn a_state_of_another_provider_is_an_error() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/state");
    let gcp =
        TerraformState::from_json(&std::fs::read_to_string(dir.join("gcp-data.tfstate")).unwrap())
            .unwrap();
    let new = bp("2.0.0", "acme-logs", "");
    let err = run_pipeline(&new, Baseline::State(&gcp), &no_policies()).unwrap_err();
    assert_eq!(err.findings()[0].code.as_str(), "state_provider_mismatch");
}

#[test]
fn the_result_serializes_every_stage() {
    let old = bp("1.0.0", "acme-logs", "");
    let new = bp("1.0.1", "acme-logs", "");
    let run = run_pipeline(&new, Baseline::Blueprint(&old), &no_policies()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&run.to_json()).unwrap();
    for key in [
        "decision",
        "validation",
        "estimate",
        "cost_diff",
        "format",
        "files",
        "plan",
    ] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    assert_eq!(json["decision"]["status"], "ready");
    assert_eq!(json["format"], "terraform");
}

#[test]
fn a_previous_version_of_another_provider_is_an_error() {
    let old = parse(
        r#"{"name": "site", "version": "1.0.0", "provider": "azure", "region": "westeurope",
            "resources": [{"type": "azurerm_resource_group", "name": "rg",
                           "properties": {"name": "rg-site", "location": "westeurope"}}]}"#,
    )
    .unwrap();
    let new = bp("2.0.0", "acme-logs", "");
    let err = run_pipeline(&new, Baseline::Blueprint(&old), &no_policies()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Plan);
    let finding = &err.findings()[0];
    assert_eq!(finding.code.as_str(), "baseline_provider_mismatch");
    assert_eq!(finding.path, "provider");
    assert!(finding.message.contains("azure"), "{}", finding.message);
}
