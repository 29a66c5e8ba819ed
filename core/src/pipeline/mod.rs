//! The deployment pipeline: one call that runs the platform's flow up to (not including) apply —
//! validate (policies), estimate (and budget), generate (the chosen format), plan (against the
//! previous version or the deployed state) — and decides: `blocked`, `needs_approval` or `ready`.
//!
//! Every stage runs even when an earlier one blocks, so one run shows everything that is wrong.
//! Bad input (a blueprint of another provider than the previous version, a malformed waiver) is an
//! error, as in the verbs themselves; a blueprint the chosen format cannot express is a `generate`
//! blocking reason, since it is a property of the change, not of the call.

mod status;

pub use status::DeploymentStatus;

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::policy::{PolicySet, Report, Status, ValidateOptions};
use crate::state::{drift, DriftReport, TerraformState};
use crate::{
    cost_diff, estimate, generate, plan_diff, Action, BudgetStatus, CheckedBlueprint, Code,
    CostChange, CostDiff, CostEstimate, Error, ErrorKind, EstimateOptions, Finding,
    GenerateOptions, GeneratedFiles, OutputFormat, Plan, Result,
};

/// What the new blueprint is compared with.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub enum Baseline<'a> {
    /// Nothing is deployed yet: every resource is created (no plan is computed).
    #[default]
    None,
    /// The previous version of the blueprint: a [`Plan`] and a [`CostDiff`] are computed.
    Blueprint(&'a CheckedBlueprint),
    /// The deployed state: a [`DriftReport`] is computed.
    State(&'a TerraformState),
}

/// When a change needs a person's approval before it is applied.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApprovalRules {
    /// The environment the blueprint deploys to; `None` reads it from the blueprint's
    /// `metadata.environment`, else its `environment`/`Environment`/`env`/`Env` tag.
    pub environment: Option<String>,
    /// Environments whose every change needs approval (compared case-insensitively); default
    /// `production`, `prod`.
    pub protected_environments: Vec<String>,
    /// Replacing a resource needs approval (default true).
    pub on_replace: bool,
    /// Deleting a resource needs approval (default true).
    pub on_delete: bool,
    /// A monthly cost increase above this amount (USD) needs approval; `None`: no limit.
    pub max_monthly_increase: Option<Decimal>,
    /// A monthly cost increase above this percentage of the previous total needs approval;
    /// `None`: no limit. A previous total of zero makes any increase exceed it.
    pub max_increase_percent: Option<Decimal>,
    /// Policy findings whose outcome is unknown before apply need approval (default false).
    pub on_unknown_findings: bool,
}

impl Default for ApprovalRules {
    fn default() -> Self {
        ApprovalRules {
            environment: None,
            protected_environments: vec!["production".into(), "prod".into()],
            on_replace: true,
            on_delete: true,
            max_monthly_increase: None,
            max_increase_percent: None,
            on_unknown_findings: false,
        }
    }
}

/// Options of [`run_pipeline`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PipelineOptions {
    /// The policies to validate with; `None` uses the built-in catalog.
    pub policies: Option<Arc<PolicySet>>,
    /// Validation options (`fail_on`, variables, `today`).
    pub validate: ValidateOptions,
    /// Estimate options (price catalog, usage, and the `budget` whose excess blocks).
    pub estimate: EstimateOptions,
    /// The format to generate; `None` generates Terraform HCL.
    pub format: Option<OutputFormat>,
    /// Generation options (templates).
    pub generate: GenerateOptions,
    /// When the change needs approval.
    pub approval: ApprovalRules,
}

/// The pipeline's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// A policy failure, an exceeded budget or an inexpressible blueprint stops the change.
    Blocked,
    /// Nothing blocks, but a rule of [`ApprovalRules`] asks a person to approve.
    NeedsApproval,
    /// Nothing blocks and nothing needs approval.
    Ready,
}

/// Why the decision is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Blocks: a policy failed at or above `fail_on`.
    Policy,
    /// Blocks: the estimate is over the budget.
    Budget,
    /// Blocks: the blueprint cannot be generated in the chosen format.
    Generate,
    /// Needs approval: the environment is protected.
    Environment,
    /// Needs approval: a resource is replaced.
    Replace,
    /// Needs approval: a resource is deleted.
    Delete,
    /// Needs approval: the monthly cost rises above a threshold.
    CostIncrease,
    /// Needs approval: a policy's outcome is unknown before apply.
    UnknownFinding,
}

/// One reason of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// What kind of reason.
    pub kind: ReasonKind,
    /// True when this reason blocks (policy, budget, generate); false when it asks for approval.
    pub blocking: bool,
    /// The resource address it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The policy check id, for policy reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// A sentence for people.
    pub message: String,
}

/// The decision: its status and every reason (blocking ones first, then approval ones, each in
/// the order the stages found them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// blocked, needs_approval or ready.
    pub status: DecisionStatus,
    /// The environment the approval rules used (empty when none was found).
    pub environment: String,
    /// Why.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// The deployment status the platform moves to from `planning` once it has this decision:
    /// `failed` when blocked, `approved` when ready, `None` (stay in `planning`, wait for a
    /// person) when it needs approval.
    pub fn next_status(&self) -> Option<DeploymentStatus> {
        match self.status {
            DecisionStatus::Blocked => Some(DeploymentStatus::Failed),
            DecisionStatus::Ready => Some(DeploymentStatus::Approved),
            DecisionStatus::NeedsApproval => None,
        }
    }
}

/// Everything one pipeline run found, and the decision.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineResult<'a> {
    /// blocked / needs_approval / ready, and why.
    pub decision: Decision,
    /// The policy report.
    pub validation: Report,
    /// The cost estimate (with the budget result when a budget was given).
    pub estimate: CostEstimate,
    /// The cost change from the previous version (blueprint baseline only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_diff: Option<CostDiff>,
    /// The format generated.
    pub format: OutputFormat,
    /// The generated files; `None` when the format cannot express the blueprint (see the
    /// `generate` reasons).
    pub files: Option<GeneratedFiles>,
    /// The change plan from the previous version (blueprint baseline only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan<'a>>,
    /// The drift from the deployed state (state baseline only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftReport>,
}

impl PipelineResult<'_> {
    /// The result as pretty-printed JSON (sensitive plan values masked).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Runs validate, estimate, generate and plan for `blueprint` against `baseline`, and decides.
///
/// ```
/// use iac_dharma::{run_pipeline, Baseline, DecisionStatus, PipelineOptions};
///
/// let old = iac_dharma::parse(r#"{"name": "site", "version": "1.0.0", "provider": "aws",
///   "region": "us-east-1", "resources": [
///     {"type": "aws_s3_bucket", "name": "logs", "properties": {"bucket": "acme-logs"}}]}"#)?;
/// let new = iac_dharma::parse(r#"{"name": "site", "version": "2.0.0", "provider": "aws",
///   "region": "us-east-1", "resources": [
///     {"type": "aws_s3_bucket", "name": "logs", "properties": {"bucket": "acme-logs-2"}}]}"#)?;
/// let run = run_pipeline(&new, Baseline::Blueprint(&old), &PipelineOptions::default())?;
/// // Renaming a bucket replaces it: a person must approve (unless a policy already blocks).
/// assert_ne!(run.decision.status, DecisionStatus::Ready);
/// assert_eq!(run.plan.as_ref().map(|p| p.summary.replace), Some(1));
/// assert!(run.files.as_ref().is_some_and(|f| f.get("main.tf").is_some()));
/// # Ok::<(), iac_dharma::Error>(())
/// ```
///
/// # Errors
/// The errors of the stages on bad input: [`crate::validate`] (malformed waivers, policy runtime
/// errors), [`estimate`] (bad usage), [`plan_diff`] / [`drift`] (a baseline for another
/// provider). A blueprint the format cannot express is not an error but a `generate` reason.
pub fn run_pipeline<'a>(
    blueprint: &'a CheckedBlueprint,
    baseline: Baseline<'a>,
    options: &PipelineOptions,
) -> Result<PipelineResult<'a>> {
    let builtin;
    let policies: &PolicySet = match &options.policies {
        Some(p) => p,
        None => {
            builtin = PolicySet::builtin()?;
            &builtin
        }
    };
    let validation = crate::validate(blueprint, policies, &options.validate)?;
    let estimate = estimate(blueprint, &options.estimate)?;
    let format = options.format.unwrap_or(OutputFormat::Terraform);
    let mut generate_errors = Vec::new();
    let files = match generate(blueprint, format, &options.generate) {
        Ok(files) => Some(files),
        Err(e) if e.kind() == ErrorKind::Generate => {
            generate_errors = e.into_findings();
            None
        }
        Err(e) => return Err(e),
    };
    let (plan, cost_diff, drift) = match baseline {
        Baseline::None => (None, None, None),
        Baseline::Blueprint(old) if old.provider() != blueprint.provider() => {
            // `plan` shows a move to another cloud as a plan (every resource replaced, with a
            // note); for the pipeline, which gates the next version of one deployment, such a
            // baseline is the wrong file.
            return Err(Error::new(
                ErrorKind::Plan,
                vec![Finding::error(
                    Code::BaselineProviderMismatch,
                    "provider",
                    format!(
                        "the previous version is a blueprint for {}, this one for {}: compare versions of the same deployment",
                        old.provider(),
                        blueprint.provider()
                    ),
                )],
            ));
        }
        Baseline::Blueprint(old) => (
            Some(plan_diff(old, blueprint)?),
            Some(cost_diff(old, blueprint, &options.estimate)?),
            None,
        ),
        Baseline::State(state) => (None, None, Some(drift(blueprint, state)?)),
    };

    let mut reasons = Vec::new();
    blocking_reasons(
        &validation,
        &estimate,
        format,
        &generate_errors,
        &mut reasons,
    );
    let environment = options
        .approval
        .environment
        .clone()
        .or_else(|| environment_of(blueprint))
        .unwrap_or_default();
    approval_reasons(
        &options.approval,
        &environment,
        &validation,
        plan.as_ref(),
        cost_diff.as_ref(),
        drift.as_ref(),
        &mut reasons,
    );
    let status = if reasons.iter().any(|r| r.blocking) {
        DecisionStatus::Blocked
    } else if reasons.is_empty() {
        DecisionStatus::Ready
    } else {
        DecisionStatus::NeedsApproval
    };
    Ok(PipelineResult {
        decision: Decision {
            status,
            environment,
            reasons,
        },
        validation,
        estimate,
        cost_diff,
        format,
        files,
        plan,
        drift,
    })
}

fn reason(kind: ReasonKind, blocking: bool, message: String) -> Reason {
    Reason {
        kind,
        blocking,
        address: None,
        check: None,
        message,
    }
}

fn blocking_reasons(
    validation: &Report,
    estimate: &CostEstimate,
    format: OutputFormat,
    generate_errors: &[crate::Finding],
    out: &mut Vec<Reason>,
) {
    for f in &validation.findings {
        if f.status == Status::Fail && f.severity >= validation.fail_on {
            out.push(Reason {
                address: (!f.address.is_empty()).then(|| f.address.clone()),
                check: Some(f.id.clone()),
                ..reason(
                    ReasonKind::Policy,
                    true,
                    format!("{} ({}): {}", f.id, f.severity.as_str(), f.message),
                )
            });
        }
    }
    if let Some(budget) = &estimate.budget {
        if budget.status == BudgetStatus::Over {
            out.push(reason(
                ReasonKind::Budget,
                true,
                format!(
                    "the estimate of {} USD a month is over the budget of {} USD",
                    budget.total.round_dp(2),
                    budget.limit.round_dp(2)
                ),
            ));
        }
    }
    for f in generate_errors {
        out.push(reason(
            ReasonKind::Generate,
            true,
            format!(
                "{} cannot be generated: {} (at {})",
                format.as_str(),
                f.message,
                f.path
            ),
        ));
    }
}

fn approval_reasons(
    rules: &ApprovalRules,
    environment: &str,
    validation: &Report,
    plan: Option<&Plan<'_>>,
    cost: Option<&CostDiff>,
    drift: Option<&DriftReport>,
    out: &mut Vec<Reason>,
) {
    if !environment.is_empty()
        && rules
            .protected_environments
            .iter()
            .any(|p| p.eq_ignore_ascii_case(environment))
    {
        out.push(reason(
            ReasonKind::Environment,
            false,
            format!("`{environment}` is a protected environment: every change needs approval"),
        ));
    }
    if let Some(plan) = plan {
        for rc in &plan.resource_changes {
            let (kind, enabled, verb) = match rc.action {
                Action::Replace => (ReasonKind::Replace, rules.on_replace, "replaced"),
                Action::Delete => (ReasonKind::Delete, rules.on_delete, "deleted"),
                _ => continue,
            };
            if enabled {
                out.push(Reason {
                    address: Some(rc.address.to_string()),
                    ..reason(kind, false, format!("{} will be {verb}", rc.address))
                });
            }
        }
    }
    if let Some(drift) = drift {
        if rules.on_delete {
            for address in &drift.unmanaged {
                out.push(Reason {
                    address: Some(address.clone()),
                    ..reason(
                        ReasonKind::Delete,
                        false,
                        format!(
                            "{address} is deployed but not in the blueprint: it will be deleted"
                        ),
                    )
                });
            }
        }
        if rules.on_replace {
            for changed in drift.changed.iter().filter(|c| c.tainted) {
                out.push(Reason {
                    address: Some(changed.address.clone()),
                    ..reason(
                        ReasonKind::Replace,
                        false,
                        format!(
                            "{} is tainted in the state: it will be replaced",
                            changed.address
                        ),
                    )
                });
            }
        }
    }
    if let Some(cost) = cost {
        if rules.max_monthly_increase.is_some() || rules.max_increase_percent.is_some() {
            unknown_cost_reasons(plan, cost, out);
        }
        let delta = cost.delta_monthly;
        if delta > Decimal::ZERO {
            if let Some(limit) = rules.max_monthly_increase {
                if delta > limit {
                    out.push(reason(
                        ReasonKind::CostIncrease,
                        false,
                        format!(
                            "the monthly cost rises by {} USD, more than {} USD",
                            delta.round_dp(2),
                            limit.round_dp(2)
                        ),
                    ));
                }
            }
            if let Some(percent) = rules.max_increase_percent {
                let over = cost.old_total.is_zero()
                    || delta * Decimal::ONE_HUNDRED > percent * cost.old_total;
                if over {
                    out.push(reason(
                        ReasonKind::CostIncrease,
                        false,
                        format!(
                            "the monthly cost rises by {} USD (from {} USD), more than {percent}%",
                            delta.round_dp(2),
                            cost.old_total.round_dp(2)
                        ),
                    ));
                }
            }
        }
    }
    if rules.on_unknown_findings {
        for f in validation
            .findings
            .iter()
            .filter(|f| f.status == Status::Unknown)
        {
            out.push(Reason {
                address: (!f.address.is_empty()).then(|| f.address.clone()),
                check: Some(f.id.clone()),
                ..reason(
                    ReasonKind::UnknownFinding,
                    false,
                    format!("{}: not known before apply: {}", f.id, f.message),
                )
            });
        }
    }
}

/// A cost limit cannot vouch for a resource whose cost change is not known (unpriced in the
/// old or the new blueprint): each such resource that the plan creates or changes needs
/// approval, rather than counting as $0 on its unpriced side.
fn unknown_cost_reasons(plan: Option<&Plan<'_>>, cost: &CostDiff, out: &mut Vec<Reason>) {
    let changed: Option<std::collections::HashSet<(&str, &str)>> = plan.map(|p| {
        p.resource_changes
            .iter()
            .filter(|rc| !matches!(rc.action, Action::NoOp | Action::Delete))
            .map(|rc| (rc.type_name, rc.name))
            .collect()
    });
    for r in &cost.resources {
        let side = match r.change {
            CostChange::Unknown if cost.old_unpriced.contains(&r.address) => "old",
            CostChange::Unknown | CostChange::Added if cost.new_unpriced.contains(&r.address) => {
                "new"
            }
            _ => continue,
        };
        let touched = match (&changed, r.address.split_once('.')) {
            (Some(set), Some(key)) => set.contains(&key),
            _ => true,
        };
        if touched {
            out.push(Reason {
                address: Some(r.address.clone()),
                ..reason(
                    ReasonKind::CostIncrease,
                    false,
                    format!(
                        "{} is unpriced in the {side} blueprint, so the cost limit cannot be checked for its change",
                        r.address
                    ),
                )
            });
        }
    }
}

/// The environment a blueprint says it deploys to: `metadata.environment`, else an
/// `environment`/`Environment`/`env`/`Env` default tag.
fn environment_of(bp: &CheckedBlueprint) -> Option<String> {
    let doc = bp.blueprint();
    if let Some(env) = doc.metadata.get("environment").and_then(|v| v.as_str()) {
        return Some(env.to_string());
    }
    ["environment", "Environment", "env", "Env"]
        .iter()
        .find_map(|k| doc.tags.get(*k).cloned())
}

#[cfg(test)]
mod tests;
