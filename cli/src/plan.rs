//! `dharma plan OLD NEW` and `dharma drift BLUEPRINT --state FILE`.
//!
//! Exit codes: 0 success (with `--detailed-exitcode`: success and nothing to do); 1 with
//! `--detailed-exitcode` when there are changes (or drift), and with `--check-version` when the
//! new blueprint's declared version is lower than its changes require; 2 bad input (unreadable
//! file, invalid blueprint or state, a plan refused by `prevent_destroy`).

use clap::ValueEnum;
use iac_dharma::{Plan, TerraformState};
use serde_json::Value;

use crate::input::{load_blueprint, read_source};
use crate::report::Reporter;
use crate::{print_stdout, Outcome};

/// Output format of `plan` and `drift`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanFormat {
    /// Terraform-style text.
    Text,
    /// JSON (the plan in the shape of `terraform show -json PLANFILE`).
    Json,
}

/// Options of `dharma plan`.
pub struct PlanArgs {
    pub old: String,
    pub new: String,
    pub format: PlanFormat,
    pub detailed_exitcode: bool,
    pub rollback: bool,
    pub check_version: bool,
}

fn json_text(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

pub fn plan(args: PlanArgs, reporter: &Reporter) -> Result<Outcome, ()> {
    let old = load_blueprint(&args.old, reporter)?;
    let new = load_blueprint(&args.new, reporter)?;
    reporter.warnings(&args.old, old.warnings());
    reporter.warnings(&args.new, new.warnings());
    let mut plan: Plan =
        iac_dharma::plan_diff(&old, &new).map_err(|e| reporter.error(&args.new, &e))?;
    if args.rollback {
        plan = plan.rollback().map_err(|e| reporter.error(&args.new, &e))?;
    }
    let check = iac_dharma::check_version(&plan).map_err(|e| reporter.error(&args.new, &e))?;
    match args.format {
        PlanFormat::Json => {
            let mut v = plan.to_value();
            if let Value::Object(m) = &mut v {
                m.insert(
                    "version_check".into(),
                    serde_json::to_value(&check).unwrap_or(Value::Null),
                );
            }
            print_stdout(&json_text(&v));
        }
        PlanFormat::Text => {
            let mut text = iac_dharma::render_plan_text(&plan);
            let need = if check.required == iac_dharma::Bump::None {
                "no change needs a new version".to_string()
            } else {
                format!(
                    "the changes need a {} bump (at least {})",
                    check.required.as_str(),
                    check.minimum
                )
            };
            text.push_str(&format!(
                "Version: {} -> {}: {need}{}\n",
                check.before,
                check.after,
                if check.ok {
                    ""
                } else {
                    " — the declared version is too low"
                }
            ));
            print_stdout(&text);
        }
    }
    if args.check_version && !check.ok {
        reporter.message(&format!(
            "{}: version {} is lower than {}, which the plan's {} changes require",
            args.new,
            check.after,
            check.minimum,
            check.required.as_str()
        ));
        return Ok(Outcome::CheckFailed);
    }
    if args.detailed_exitcode && plan.has_changes() {
        return Ok(Outcome::CheckFailed);
    }
    Ok(Outcome::Success)
}

/// Options of `dharma drift`.
pub struct DriftArgs {
    pub blueprint: String,
    pub state: String,
    pub format: PlanFormat,
    pub detailed_exitcode: bool,
}

pub fn drift(args: DriftArgs, reporter: &Reporter) -> Result<Outcome, ()> {
    let bp = load_blueprint(&args.blueprint, reporter)?;
    reporter.warnings(&args.blueprint, bp.warnings());
    let text = read_source(&args.state, reporter)?;
    let state = TerraformState::from_json(&text).map_err(|e| reporter.error(&args.state, &e))?;
    let report = iac_dharma::drift(&bp, &state).map_err(|e| reporter.error(&args.state, &e))?;
    match args.format {
        PlanFormat::Json => print_stdout(&json_text(
            &serde_json::to_value(&report).unwrap_or(Value::Null),
        )),
        PlanFormat::Text => print_stdout(&iac_dharma::render_drift_text(&report)),
    }
    if args.detailed_exitcode && report.has_drift() {
        return Ok(Outcome::CheckFailed);
    }
    Ok(Outcome::Success)
}
