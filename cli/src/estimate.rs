//! `dharma estimate` and `dharma cost-diff`.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use iac_dharma::{Decimal, EstimateOptions, PriceCatalog, UsageFile};

use crate::input::{load_blueprint, read_source};
use crate::report::Reporter;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostFormat {
    Text,
    Json,
}

/// Arguments shared by both commands.
#[derive(Args, Debug)]
pub struct PricingArgs {
    /// Usage assumptions file (YAML or JSON; `resource_usage` by resource name,
    /// `resource_type_default_usage` by type). A resource's own `usage` wins.
    #[arg(long, value_name = "FILE")]
    usage: Option<String>,
    /// Extra price rows (CSV with the pricing/*.csv header, or a JSON array) that extend and
    /// override the built-in catalog.
    #[arg(long, value_name = "FILE")]
    prices: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CostFormat::Text)]
    format: CostFormat,
}

#[derive(Args, Debug)]
pub struct EstimateArgs {
    /// Blueprint file (JSON or YAML); `-` reads standard input.
    blueprint: String,
    /// Monthly budget in USD: exit 1 when the estimate is over it.
    #[arg(long, value_name = "AMOUNT")]
    budget: Option<String>,
    #[command(flatten)]
    pricing: PricingArgs,
}

#[derive(Args, Debug)]
pub struct CostDiffArgs {
    /// The blueprint before the change.
    old: String,
    /// The blueprint after the change.
    new: String,
    #[command(flatten)]
    pricing: PricingArgs,
}

fn options(args: &PricingArgs, reporter: &Reporter) -> Result<EstimateOptions, ()> {
    estimate_options(args.usage.as_deref(), args.prices.as_deref(), reporter)
}

/// Estimate options from a usage file and extra price rows (shared with `dharma pipeline`).
pub(crate) fn estimate_options(
    usage: Option<&str>,
    prices: Option<&str>,
    reporter: &Reporter,
) -> Result<EstimateOptions, ()> {
    let mut opts = EstimateOptions::new();
    if let Some(path) = usage {
        let text = read_source(path, reporter)?;
        let parsed = if path.to_ascii_lowercase().ends_with(".json") {
            UsageFile::from_json(&text)
        } else {
            UsageFile::from_yaml(&text)
        };
        opts = opts.with_usage(parsed.map_err(|e| reporter.error(path, &e))?);
    }
    if let Some(path) = prices {
        let text = read_source(path, reporter)?;
        let extra = if text.trim_start().starts_with('[') {
            PriceCatalog::from_json(&text)
        } else {
            PriceCatalog::from_csv(&text)
        }
        .map_err(|e| reporter.error(path, &e))?;
        let mut cat = (*PriceCatalog::builtin()).clone();
        cat.extend(extra);
        opts = opts.with_catalog(Arc::new(cat));
    }
    Ok(opts)
}

/// Reads `100`, `100.50`, `$1,200`, `1,200.50`: thousands separators (`,` or `_`) only between
/// groups of three digits of the whole part, so that `1.200,50` (a decimal comma) or `1,2,3`
/// is refused rather than read as another amount.
pub(crate) fn parse_budget(text: &str) -> Result<Decimal, String> {
    let invalid = || {
        format!("--budget must be an amount in USD such as 250, 1200.50 or $1,200 (got `{text}`)")
    };
    let amount = text.trim();
    let amount = amount.strip_prefix('$').unwrap_or(amount);
    let (whole, fraction) = match amount.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (amount, None),
    };
    let groups: Vec<&str> = whole.split([',', '_']).collect();
    let grouped = groups.len() > 1;
    if grouped {
        let well_formed = groups.iter().enumerate().all(|(i, g)| {
            let digits = g.len();
            g.bytes().all(|b| b.is_ascii_digit())
                && if i == 0 {
                    (1..=3).contains(&digits)
                } else {
                    digits == 3
                }
        });
        if !well_formed || fraction.is_some_and(|f| f.contains([',', '_'])) {
            return Err(invalid());
        }
    }
    let mut cleaned = groups.concat();
    if let Some(f) = fraction {
        cleaned.push('.');
        cleaned.push_str(f);
    }
    match iac_dharma::exact_decimal(&cleaned) {
        Ok(d) if !d.is_sign_negative() => Ok(d),
        Ok(_) => Err(format!("--budget cannot be negative (got `{text}`)")),
        Err(_) => Err(invalid()),
    }
}

/// Reports an estimate's warnings under the file they are about: those at a path of the usage
/// file (`resource_usage.db.monthly_hour`) under the usage file, the others under the blueprint.
pub(crate) fn estimate_warnings(
    reporter: &Reporter,
    blueprint: &str,
    usage: Option<&str>,
    warnings: &[iac_dharma::Finding],
) {
    let in_usage_file = |f: &&iac_dharma::Finding| {
        ["resource_usage", "resource_type_default_usage"]
            .iter()
            .any(|key| {
                f.path
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            })
    };
    match usage {
        Some(file) => {
            let (theirs, ours): (Vec<_>, Vec<_>) = warnings.iter().partition(in_usage_file);
            reporter.warnings(blueprint, &ours.into_iter().cloned().collect::<Vec<_>>());
            reporter.warnings(file, &theirs.into_iter().cloned().collect::<Vec<_>>());
        }
        None => reporter.warnings(blueprint, warnings),
    }
}

/// Runs `dharma estimate`; `Ok(true)` when over budget.
pub fn run_estimate(args: EstimateArgs, reporter: &Reporter) -> Result<bool, ()> {
    let budget = match &args.budget {
        Some(b) => Some(parse_budget(b).map_err(|m| reporter.message(&m))?),
        None => None,
    };
    let mut opts = options(&args.pricing, reporter)?;
    opts.budget = budget;
    let bp = load_blueprint(&args.blueprint, reporter)?;
    reporter.warnings(&args.blueprint, bp.warnings());
    let est = iac_dharma::estimate(&bp, &opts).map_err(|e| reporter.error(&args.blueprint, &e))?;
    estimate_warnings(
        reporter,
        &args.blueprint,
        args.pricing.usage.as_deref(),
        &est.warnings,
    );
    let text = match args.pricing.format {
        CostFormat::Json => {
            let mut t = serde_json::to_string_pretty(&est).unwrap_or_default();
            t.push('\n');
            t
        }
        CostFormat::Text => iac_dharma::render_text(&est),
    };
    crate::print_stdout(&text);
    Ok(est.budget.as_ref().is_some_and(|b| b.is_over()))
}

/// Runs `dharma cost-diff`.
pub fn run_cost_diff(args: CostDiffArgs, reporter: &Reporter) -> Result<(), ()> {
    let opts = options(&args.pricing, reporter)?;
    let old = load_blueprint(&args.old, reporter)?;
    let new = load_blueprint(&args.new, reporter)?;
    let diff =
        iac_dharma::cost_diff(&old, &new, &opts).map_err(|e| reporter.error(&args.new, &e))?;
    let text = match args.pricing.format {
        CostFormat::Json => {
            let mut t = serde_json::to_string_pretty(&diff).unwrap_or_default();
            t.push('\n');
            t
        }
        CostFormat::Text => iac_dharma::render_diff_text(&diff),
    };
    crate::print_stdout(&text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse() {
        assert_eq!(parse_budget("$1,200.50"), Ok(Decimal::new(120050, 2)));
        assert!(parse_budget("-3").is_err());
        assert!(parse_budget("lots").is_err());
        assert_eq!(parse_budget("1_000_000"), Ok(Decimal::new(1_000_000, 0)));
        assert_eq!(parse_budget(" 250 "), Ok(Decimal::new(250, 0)));
        // A decimal comma or stray separators are refused, not read as another amount.
        for bad in ["1.200,50", "1,2,3", "12,00", ",100", "1,000.5,0", "1,0000"] {
            assert!(parse_budget(bad).is_err(), "{bad}");
        }
    }
}
