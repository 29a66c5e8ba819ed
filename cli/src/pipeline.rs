//! `dharma pipeline BLUEPRINT [--previous OLD | --state FILE]`: validate, estimate, generate and
//! plan (or drift) in one run, then a decision: ready, needs approval or blocked.
//!
//! Exit codes: 0 ready; 1 blocked (a policy failure, the budget exceeded, a blueprint the format
//! cannot express); 3 needs approval (nothing blocks, but a person must approve); 2 bad input
//! (nothing is written then). Needs-approval is 3 rather than 2 because 2 already means bad input
//! for every dharma command, and a CI job must be able to tell "ask a person" from "fix the call".

use std::fmt::Write as _;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use iac_dharma::policy::PolicySet;
use iac_dharma::{
    run_pipeline, Baseline, Decimal, DecisionStatus, ErrorKind, OutputFormat, PipelineOptions,
    PipelineResult, TerraformState,
};

use crate::estimate::{estimate_options, parse_budget};
use crate::input::{load_blueprint, read_source, var_pairs, var_values};
use crate::report::{counted, Reporter};
use crate::validate::{policy_error, read_document, SeverityArg};
use crate::Outcome;

/// Arguments of `dharma pipeline`.
#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes:\n  0  ready: nothing blocks and nothing needs approval\n  \
1  blocked: a policy failed at or above --fail-on, the estimate is over --budget, or the format \
cannot express the blueprint\n  \
2  bad input: unreadable or invalid files, a baseline of another provider (nothing is written)\n  \
3  needs approval: nothing blocks, but a rule asks a person to approve (3, not 2, because 2 \
means bad input for every dharma command)"
)]
pub struct PipelineArgs {
    /// Blueprint file (JSON or YAML); `-` reads standard input.
    pub blueprint: String,
    /// The previous version of the blueprint: the pipeline computes the change plan and the cost
    /// change from it.
    #[arg(long, value_name = "OLD", conflicts_with = "state")]
    pub previous: Option<String>,
    /// The deployed Terraform state (state file or `terraform show -json` output): the pipeline
    /// computes the drift from it.
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,
    /// The format to generate.
    #[arg(long, short, default_value = "terraform", value_parser = clap::builder::PossibleValuesParser::new(
        OutputFormat::ALL.map(|f| f.as_str())))]
    pub format: String,
    /// Folder to write the generated files to (created if missing); nothing is written on bad
    /// input, or when the format cannot express the blueprint.
    #[arg(long = "out-dir", short = 'o', value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Monthly budget in USD: an estimate over it blocks.
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,
    /// Usage assumptions file (YAML or JSON), as for `dharma estimate`.
    #[arg(long, value_name = "FILE")]
    pub usage: Option<String>,
    /// Extra price rows (CSV or JSON array), as for `dharma estimate`.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<String>,
    /// A Rego file or folder of policies to run as well (repeatable), as for `dharma validate`.
    #[arg(long = "policies", short = 'p', value_name = "PATH")]
    pub policies: Vec<String>,
    /// Do not run the built-in policy catalog (only the --policies given, if any).
    #[arg(long)]
    pub no_builtin: bool,
    /// Settings of the built-in checks (JSON or YAML), as for `dharma validate`.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<String>,
    /// The lowest severity whose policy failures block.
    #[arg(long, value_enum, default_value_t = SeverityArg::Low)]
    pub fail_on: SeverityArg,
    /// The date waiver expiry is compared with (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// A value for a blueprint variable, NAME=VALUE (VALUE read as JSON when it parses). Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// The environment deployed to (default: the blueprint's `metadata.environment`, else its
    /// `environment`/`env` tag).
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// An environment whose every change needs approval (repeatable; replaces the default
    /// `production`, `prod`; `--protected-env none` protects none).
    #[arg(long = "protected-env", value_name = "NAME")]
    pub protected_envs: Vec<String>,
    /// Replacing a resource does not need approval (by default it does).
    #[arg(long)]
    pub no_approval_on_replace: bool,
    /// Deleting a resource does not need approval (by default it does).
    #[arg(long)]
    pub no_approval_on_delete: bool,
    /// A monthly cost increase above this amount (USD) needs approval (default: no limit).
    #[arg(long, value_name = "AMOUNT")]
    pub max_increase: Option<String>,
    /// A monthly cost increase above this percentage of the previous total needs approval
    /// (default: no limit).
    #[arg(long, value_name = "PERCENT")]
    pub max_increase_percent: Option<String>,
    /// Policy findings whose outcome is unknown before apply need approval (by default they
    /// do not).
    #[arg(long)]
    pub approval_on_unknown: bool,
    /// Output: a text summary, or the whole result as JSON on standard output.
    #[arg(long, value_enum, default_value_t = PipelineOutput::Text)]
    pub output: PipelineOutput,
}

/// What `dharma pipeline` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineOutput {
    /// A short summary per stage, then the decision and its reasons.
    Text,
    /// The pipeline result as JSON.
    Json,
}

fn amount(flag: &str, text: &str) -> Result<Decimal, String> {
    parse_budget(text).map_err(|m| m.replace("--budget", flag))
}

fn percent(text: &str) -> Result<Decimal, String> {
    match Decimal::from_str(text.trim().trim_end_matches('%')) {
        Ok(d) if !d.is_sign_negative() => Ok(d),
        _ => Err(format!(
            "--max-increase-percent must be a non-negative number such as 10 or 12.5 (got `{text}`)"
        )),
    }
}

/// Builds every option from the arguments; `Err(())` after reporting (exit 2).
fn options(args: &PipelineArgs, reporter: &Reporter) -> Result<PipelineOptions, ()> {
    if args.out_dir.as_deref() == Some(std::path::Path::new("-")) {
        // Standard output holds the summary; the files need a folder.
        reporter.message("-o needs a folder: the pipeline prints its summary on standard output");
        return Err(());
    }
    let mut opts = PipelineOptions::default();
    opts.format = Some(
        args.format
            .parse()
            .map_err(|e: iac_dharma::Error| reporter.error(&args.blueprint, &e))?,
    );
    opts.estimate = estimate_options(args.usage.as_deref(), args.prices.as_deref(), reporter)?;
    if let Some(b) = &args.budget {
        opts.estimate.budget = Some(amount("--budget", b).map_err(|m| reporter.message(&m))?);
    }

    opts.validate.fail_on = args.fail_on.into();
    opts.validate.today = args.today.clone();
    let mut builder = PolicySet::builder();
    if args.no_builtin {
        builder = builder.without_builtin();
    }
    for p in &args.policies {
        builder = builder.add_path(p).map_err(|e| reporter.error(p, &e))?;
    }
    if let Some(path) = &args.settings {
        builder = builder.settings(read_document(path, reporter)?);
    }
    opts.policies = Some(Arc::new(
        builder.build().map_err(|e| policy_error(reporter, &e))?,
    ));

    let rules = &mut opts.approval;
    rules.environment = args.environment.clone();
    if !args.protected_envs.is_empty() {
        rules.protected_environments = args
            .protected_envs
            .iter()
            .filter(|e| !e.eq_ignore_ascii_case("none"))
            .cloned()
            .collect();
    }
    rules.on_replace = !args.no_approval_on_replace;
    rules.on_delete = !args.no_approval_on_delete;
    rules.on_unknown_findings = args.approval_on_unknown;
    if let Some(m) = &args.max_increase {
        rules.max_monthly_increase =
            Some(amount("--max-increase", m).map_err(|m| reporter.message(&m))?);
    }
    if let Some(p) = &args.max_increase_percent {
        rules.max_increase_percent = Some(percent(p).map_err(|m| reporter.message(&m))?);
    }
    Ok(opts)
}

/// Runs `dharma pipeline`.
pub fn run(args: PipelineArgs, reporter: &Reporter) -> Result<Outcome, ()> {
    let mut opts = options(&args, reporter)?;
    let vars = var_pairs(&args.vars).map_err(|m| reporter.message(&m))?;
    let bp = load_blueprint(&args.blueprint, reporter)?;
    reporter.warnings(&args.blueprint, bp.warnings());
    // Typed by the blueprint's declarations, as Terraform reads `-var`.
    opts.validate.variables = var_values(&vars, &bp);
    let previous = match &args.previous {
        Some(path) => {
            let old = load_blueprint(path, reporter)?;
            reporter.warnings(path, old.warnings());
            Some(old)
        }
        None => None,
    };
    let state = match &args.state {
        Some(path) => {
            let text = read_source(path, reporter)?;
            Some(TerraformState::from_json(&text).map_err(|e| reporter.error(path, &e))?)
        }
        None => None,
    };
    let (baseline, baseline_file) = match (&previous, &state, &args.previous, &args.state) {
        (Some(old), _, Some(path), _) => (Baseline::Blueprint(old), path.as_str()),
        (_, Some(st), _, Some(path)) => (Baseline::State(st), path.as_str()),
        _ => (Baseline::None, args.blueprint.as_str()),
    };

    let result = run_pipeline(&bp, baseline, &opts).map_err(|e| match e.kind() {
        ErrorKind::Policy | ErrorKind::Limit => policy_error(reporter, &e),
        // A baseline the blueprint cannot be compared with: name the baseline's file.
        ErrorKind::Plan => reporter.error(baseline_file, &e),
        _ => reporter.error(&args.blueprint, &e),
    })?;
    crate::estimate::estimate_warnings(
        reporter,
        &args.blueprint,
        args.usage.as_deref(),
        &result.estimate.warnings,
    );

    let written = match (&args.out_dir, &result.files) {
        (Some(dir), Some(files)) => {
            crate::generate::write_all(dir, files).map_err(|m| reporter.message(&m))?;
            Some(files.files.len())
        }
        _ => None,
    };
    match args.output {
        PipelineOutput::Json => crate::print_stdout(&format!("{}\n", result.to_json())),
        PipelineOutput::Text => {
            crate::print_stdout(&summary(&result, &args, written, bp.resources().len()))
        }
    }
    Ok(match result.decision.status {
        DecisionStatus::Ready => Outcome::Success,
        DecisionStatus::Blocked => Outcome::CheckFailed,
        DecisionStatus::NeedsApproval => Outcome::NeedsApproval,
    })
}

fn usd(d: Decimal) -> String {
    format!("{:.2} USD", d.round_dp(2))
}

/// The text summary: one block per stage, then the decision and its reasons.
fn summary(
    r: &PipelineResult<'_>,
    args: &PipelineArgs,
    written: Option<usize>,
    resources: usize,
) -> String {
    let mut out = String::new();
    let c = &r.validation.counts;
    let _ = writeln!(
        out,
        "Policies: {} failed (critical {}, high {}, medium {}, low {}), {} unknown, {} waived; \
         blocking at {} and above",
        c.failed(),
        c.critical,
        c.high,
        c.medium,
        c.low,
        c.unknown,
        c.waived,
        r.validation.fail_on.as_str()
    );
    let mut cost = format!("Cost: {} a month", usd(r.estimate.total_monthly));
    if let Some(b) = &r.estimate.budget {
        let _ = write!(
            cost,
            ", budget {} ({})",
            usd(b.limit),
            if b.is_over() { "over" } else { "within" }
        );
    }
    if let Some(d) = &r.cost_diff {
        let sign = if d.delta_monthly.is_sign_negative() {
            ""
        } else {
            "+"
        };
        let _ = write!(
            cost,
            ", {sign}{} from {} before",
            usd(d.delta_monthly),
            usd(d.old_total)
        );
        let unknown = d.unknown_changes().count();
        if unknown > 0 {
            let _ = write!(
                cost,
                " (not counting {unknown} unpriced resource{})",
                if unknown == 1 { "" } else { "s" }
            );
        }
    }
    out.push_str(&cost);
    out.push('\n');
    match &r.files {
        Some(files) => {
            let _ = write!(
                out,
                "Generate: {} of {}",
                counted(files.files.len(), "file", "files"),
                r.format.as_str()
            );
            match (written, &args.out_dir) {
                (Some(n), Some(dir)) => {
                    let _ = writeln!(out, ", {n} written to {}", dir.display());
                }
                _ => out.push('\n'),
            }
        }
        None => {
            let _ = writeln!(
                out,
                "Generate: {} cannot express this blueprint",
                r.format.as_str()
            );
        }
    }
    if let Some(p) = &r.plan {
        let s = &p.summary;
        let _ = writeln!(
            out,
            "Plan: {} to add, {} to change, {} to destroy ({} replaced).",
            s.add, s.change, s.destroy, s.replace
        );
    } else if let Some(d) = &r.drift {
        let _ = writeln!(
            out,
            "Drift: {} missing, {} unmanaged, {} changed, {} in sync.",
            d.missing.len(),
            d.unmanaged.len(),
            d.changed.len(),
            d.in_sync.len()
        );
    } else {
        let _ = writeln!(
            out,
            "Plan: no baseline: {} new (compare with --previous OLD or --state FILE).",
            match resources {
                1 => "the 1 resource is".to_string(),
                n => format!("all {n} resources are"),
            }
        );
    }
    let label = match r.decision.status {
        DecisionStatus::Ready => "READY",
        DecisionStatus::NeedsApproval => "NEEDS APPROVAL",
        DecisionStatus::Blocked => "BLOCKED",
    };
    out.push('\n');
    let _ = write!(out, "Decision: {label}");
    if !r.decision.environment.is_empty() {
        let _ = write!(out, " (environment {})", r.decision.environment);
    }
    out.push('\n');
    for reason in &r.decision.reasons {
        // Policy messages do not name the resource; the others already do.
        let place = match (&reason.check, &reason.address) {
            (Some(_), Some(address)) => format!("{address}: "),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  - [{}] {place}{}",
            if reason.blocking { "blocks" } else { "approve" },
            reason.message
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_percents_parse() {
        assert_eq!(
            amount("--max-increase", "$1,000"),
            Ok(Decimal::new(1000, 0))
        );
        assert!(amount("--max-increase", "-1")
            .unwrap_err()
            .contains("--max-increase"));
        assert_eq!(percent("12.5%"), Ok(Decimal::new(125, 1)));
        assert!(percent("many").is_err());
        assert!(percent("-5").is_err());
    }
}
