//! The deployment pipeline (`Blueprint.runPipeline`: validate, estimate and budget, generate,
//! plan or drift, and a decision) and the `DeploymentStatus` state machine helpers.

use std::collections::BTreeMap;
use std::sync::Arc;

use iac_dharma::{
    did_you_mean, ApprovalRules, Baseline, CheckedBlueprint, DeploymentStatus, OutputFormat,
    PipelineOptions,
};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::Env;
use napi_derive::napi;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use crate::args::{
    apply_estimate_fields, blueprint_arg, instance_option, price_catalog_arg, StateArg,
};
use crate::convert::{options, Amount};
use crate::error::{guard, invalid_argument, Outcome};
use crate::lazy::{lazy_value, split_text};
use crate::policy::{policy_set_arg, ValidateOpts};
use crate::task::{deferred, JsonJob};
use crate::Blueprint;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the `IgnoredAny` fields are read by the caller (instances, documents)
struct PipelineOpts {
    previous: Option<IgnoredAny>,
    state: Option<IgnoredAny>,
    policy_set: Option<IgnoredAny>,
    catalog: Option<IgnoredAny>,
    format: Option<String>,
    fail_on: Option<String>,
    today: Option<String>,
    variables: Option<BTreeMap<String, Value>>,
    usage: Option<Value>,
    budget: Option<Amount>,
    skip_optimizations: Option<bool>,
    templates: Option<BTreeMap<String, String>>,
    approval: Option<ApprovalOpts>,
}

const PIPELINE_FIELDS: &[&str] = &[
    "previous",
    "state",
    "policySet",
    "catalog",
    "format",
    "failOn",
    "today",
    "variables",
    "usage",
    "budget",
    "skipOptimizations",
    "templates",
    "approval",
];

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApprovalOpts {
    environment: Option<String>,
    protected_environments: Option<Vec<String>>,
    on_replace: Option<bool>,
    on_delete: Option<bool>,
    max_monthly_increase: Option<Amount>,
    max_increase_percent: Option<Amount>,
    on_unknown_findings: Option<bool>,
}

impl ApprovalOpts {
    fn into_rules(self) -> Outcome<ApprovalRules> {
        let mut r = ApprovalRules::default();
        if self.environment.is_some() {
            r.environment = self.environment;
        }
        if let Some(p) = self.protected_environments {
            r.protected_environments = p;
        }
        if let Some(b) = self.on_replace {
            r.on_replace = b;
        }
        if let Some(b) = self.on_delete {
            r.on_delete = b;
        }
        if let Some(a) = self.max_monthly_increase {
            r.max_monthly_increase = Some(a.decimal("options.approval.maxMonthlyIncrease")?);
        }
        if let Some(a) = self.max_increase_percent {
            r.max_increase_percent = Some(a.decimal("options.approval.maxIncreasePercent")?);
        }
        if let Some(b) = self.on_unknown_findings {
            r.on_unknown_findings = b;
        }
        Ok(r)
    }
}

/// What to compare with, read on the JS thread (the state is parsed with the run).
enum Previous {
    None,
    Blueprint(Arc<CheckedBlueprint>),
    State(StateArg),
}

/// The arguments of a run, owned (so an async run can take them to the pool).
struct Run {
    previous: Previous,
    options: PipelineOptions,
}

fn run_args(env: &Env, value: Option<Unknown<'_>>) -> Outcome<Run> {
    let previous = instance_option(env, &value, "previous")?;
    let state = instance_option(env, &value, "state")?;
    let policy_set = instance_option(env, &value, "policySet")?;
    let catalog = instance_option(env, &value, "catalog")?;
    let o: PipelineOpts = options(env, value, "options", PIPELINE_FIELDS)?;
    let previous = match (previous, state) {
        (Some(_), Some(_)) => {
            return Err(invalid_argument(
                "options.state",
                "give `previous` (the blueprint deployed now) or `state` (the Terraform state), not both",
                None,
            )
            .into())
        }
        (Some(p), None) => Previous::Blueprint(blueprint_arg(env, p, "options.previous")?),
        (None, Some(s)) => Previous::State(StateArg::read(env, s, "options.state")?),
        (None, None) => Previous::None,
    };
    let mut options = PipelineOptions::default();
    if policy_set.is_some() {
        options.policies = Some(policy_set_arg(policy_set, "options.policySet")?);
    }
    let validate = ValidateOpts {
        fail_on: o.fail_on,
        today: o.today,
        variables: o.variables,
        waivers: None,
    };
    options.validate = validate.into_options("options")?;
    let mut estimate = iac_dharma::EstimateOptions::new();
    if let Some(c) = catalog {
        estimate = estimate.with_catalog(price_catalog_arg(c, "options.catalog")?);
    }
    options.estimate = apply_estimate_fields(estimate, o.usage, o.budget, o.skip_optimizations)?;
    if let Some(f) = o.format {
        let format: OutputFormat = f.parse()?;
        options.format = Some(format);
    }
    if let Some(t) = o.templates {
        options.generate.templates = Some(iac_dharma::TemplateSet::with_overrides(t)?);
    }
    if let Some(a) = o.approval {
        options.approval = a.into_rules()?;
    }
    Ok(Run { previous, options })
}

/// Runs the pipeline and serializes its result, with `decision.next_status` (the deployment
/// status to move to from `planning`: `failed`, `approved`, or null to wait for approval).
fn run_value(bp: &CheckedBlueprint, run: &Run) -> Outcome<Value> {
    let state;
    let baseline = match &run.previous {
        Previous::None => Baseline::None,
        Previous::Blueprint(old) => Baseline::Blueprint(old),
        Previous::State(text) => {
            state = text.parse()?;
            Baseline::State(&state)
        }
    };
    let result = iac_dharma::run_pipeline(bp, baseline, &run.options)?;
    let next = result.decision.next_status().map(|s| s.as_str());
    let mut value = serde_json::to_value(&result).map_err(|e| {
        invalid_argument(
            "",
            format!("the result cannot be written as JSON: {e}"),
            None,
        )
    })?;
    if let Some(decision) = value.get_mut("decision").and_then(Value::as_object_mut) {
        decision.insert("next_status".into(), next.into());
    }
    Ok(value)
}

#[napi]
impl Blueprint {
    /// The deployment pipeline up to apply, in one call: validate (`policySet`, default the
    /// built-in checks; `failOn`), estimate (and the `budget`), generate (`format`, default
    /// Terraform), plan against `previous` (a blueprint: plan and cost diff) or drift against
    /// `state` (a Terraform state), then the decision: `blocked`, `needs_approval` or `ready`,
    /// with every reason. Every stage runs even when an earlier one blocks.
    ///
    /// @throws {DharmaError} the errors of the stages on bad input (a malformed waiver, a bad
    /// usage file, a previous blueprint or state of another provider), `invalid_input` for a bad
    /// option (both `previous` and `state`, an unknown `format`).
    #[napi(
        ts_args_type = "options?: PipelineOptions | null",
        ts_return_type = "WithDispose<PipelineResult>"
    )]
    pub fn run_pipeline<'e>(
        &self,
        env: &'e Env,
        options: Option<Unknown>,
    ) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let run = run_args(env, options)?;
            lazy_value(env, run_value(&*self.inner()?, &run)?)
        })
    }

    /// `runPipeline` on the libuv thread pool.
    #[napi(
        ts_args_type = "options?: PipelineOptions | null",
        ts_return_type = "Promise<WithDispose<PipelineResult>>"
    )]
    pub fn run_pipeline_async(&self, env: Env, options: Option<Unknown>) -> AsyncTask<JsonJob> {
        deferred(|| {
            let mut run = run_args(&env, options)?;
            // Its validation leaves the event loop's thread a core, as `validateAsync` does.
            run.options.validate.threads = Some(crate::policy::pool_threads(Some(
                self.inner()?.resources().len(),
            )));
            let bp = self.inner()?;
            Ok(JsonJob::new(move || split_text(&run_value(&bp, &run)?)))
        })
    }
}

fn status(value: Unknown<'_>, path: &str) -> Outcome<DeploymentStatus> {
    let name = crate::args::string_arg(value, path)?;
    name.parse().map_err(|_: iac_dharma::Error| {
        let names: Vec<&str> = DeploymentStatus::ALL.iter().map(|s| s.as_str()).collect();
        invalid_argument(
            path,
            format!(
                "unknown deployment status `{name}` (one of: {})",
                names.join(", ")
            ),
            did_you_mean(&name, names.iter().copied()),
        )
        .into()
    })
}

fn names(list: &[DeploymentStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

/// Every deployment status, in flow order.
#[napi(
    namespace = "DeploymentStatus",
    js_name = "all",
    ts_return_type = "DeploymentStatusName[]"
)]
pub fn status_all() -> Vec<&'static str> {
    names(&DeploymentStatus::ALL)
}

/// The statuses `status` may move to (empty for a final one).
///
/// @throws {DharmaError} `invalid_input` (path `status`) for an unknown status.
#[napi(
    namespace = "DeploymentStatus",
    js_name = "nextStatuses",
    ts_args_type = "status: DeploymentStatusName",
    ts_return_type = "DeploymentStatusName[]"
)]
pub fn status_next(env: Env, status_name: Unknown) -> napi::Result<Vec<&'static str>> {
    guard(&env, || {
        Ok(names(status(status_name, "status")?.next_statuses()))
    })
}

/// True for `completed`, `failed` and `rolled_back`.
///
/// @throws {DharmaError} `invalid_input` (path `status`) for an unknown status.
#[napi(
    namespace = "DeploymentStatus",
    js_name = "isFinal",
    ts_args_type = "status: DeploymentStatusName"
)]
pub fn status_is_final(env: Env, status_name: Unknown) -> napi::Result<bool> {
    guard(&env, || Ok(status(status_name, "status")?.is_final()))
}

/// True when the flow allows moving from `from` to `to`.
///
/// @throws {DharmaError} `invalid_input` (path `from` or `to`) for an unknown status.
#[napi(
    namespace = "DeploymentStatus",
    js_name = "canTransition",
    ts_args_type = "from: DeploymentStatusName, to: DeploymentStatusName"
)]
pub fn status_can_transition(env: Env, from: Unknown, to: Unknown) -> napi::Result<bool> {
    guard(&env, || {
        Ok(status(from, "from")?.can_transition_to(status(to, "to")?))
    })
}

/// Moves from `from` to `to`: returns `to`, or throws when the flow does not allow it.
///
/// @throws {DharmaError} `invalid_input` with code `illegal_transition` (naming both statuses
/// and the allowed ones), or `invalid_argument` for an unknown status.
#[napi(
    namespace = "DeploymentStatus",
    js_name = "transition",
    ts_generic_types = "T extends DeploymentStatusName",
    ts_args_type = "from: DeploymentStatusName, to: T",
    ts_return_type = "T"
)]
pub fn status_transition(env: Env, from: Unknown, to: Unknown) -> napi::Result<&'static str> {
    guard(&env, || {
        let (from, to) = (status(from, "from")?, status(to, "to")?);
        Ok(from.transition(to)?.as_str())
    })
}
