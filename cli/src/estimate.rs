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

/// Reads `100`, `100.50`, `$1,200`.
pub(crate) fn parse_budget(text: &str) -> Result<Decimal, String> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    match iac_dharma::exact_decimal(&cleaned) {
        Ok(d) if !d.is_sign_negative() => Ok(d),
        Ok(_) => Err(format!("--budget cannot be negative (got `{text}`)")),
        Err(_) => Err(format!(
            "--budget must be an amount in USD such as 250 or 1200.50 (got `{text}`)"
        )),
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
    reporter.warnings(&args.blueprint, &est.warnings);
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
    }
}
