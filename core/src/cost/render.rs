//! Human-readable views of estimates and diffs (amounts rounded here, and only here).

use std::fmt::Write;

use rust_decimal::{Decimal, RoundingStrategy};

use super::{BudgetStatus, CostChange, CostDiff, CostEstimate, PriceStatus};

/// `$1,234.57` (rounded half away from zero to cents for display only).
fn usd(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let neg = r.is_sign_negative() && !r.is_zero();
    let text = format!("{:.2}", r.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    format!("{}${}.{frac}", if neg { "-" } else { "" }, group(int))
}

fn group(int: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Quantities: integers grouped, fractions to at most 4 places.
fn qty(d: Decimal) -> String {
    let r = d.round_dp(4).normalize();
    let text = r.to_string();
    match text.split_once('.') {
        Some((i, f)) => format!("{}.{f}", group(i)),
        None => group(&text),
    }
}

/// The estimate as a table in the style of Infracost's breakdown: each resource with its line
/// items (quantity, unit, monthly cost), free and unpriced resources with their reasons, the
/// total, optimizations, budget and confidence. Usage-based lines are marked `*`, lines whose
/// usage is a built-in default `*d`.
pub fn render_text(est: &CostEstimate) -> String {
    let name_w = est
        .resources
        .iter()
        .flat_map(|r| {
            std::iter::once(r.address.len()).chain(r.line_items.iter().map(|l| l.name.len() + 4))
        })
        .max()
        .unwrap_or(20)
        .clamp(30, 90);
    let mut out = String::new();
    let _ = writeln!(
        out,
        " {:<name_w$}  {:>14}  {:<14}  {:>14}",
        "Name", "Monthly Qty", "Unit", "Monthly Cost"
    );
    let _ = writeln!(out);
    for r in &est.resources {
        if r.status != PriceStatus::Priced {
            continue;
        }
        let count = if r.count > 1 {
            format!(" (x{})", r.count)
        } else {
            String::new()
        };
        let _ = writeln!(out, " {}{count}", r.address);
        let n = r.line_items.len();
        for (i, li) in r.line_items.iter().enumerate() {
            let branch = if i + 1 == n && r.unpriced_components.is_empty() {
                "└─"
            } else {
                "├─"
            };
            let mark = match li.usage_source {
                Some(super::UsageSource::Default) => " *d",
                Some(_) => " *",
                None => "",
            };
            let label = format!("{branch} {}", li.name);
            let _ = writeln!(
                out,
                " {:<name_w$}  {:>14}  {:<14}  {:>14}{mark}",
                label,
                qty(li.quantity),
                li.unit,
                usd(li.monthly)
            );
        }
        let m = r.unpriced_components.len();
        for (i, c) in r.unpriced_components.iter().enumerate() {
            let branch = if i + 1 == m { "└─" } else { "├─" };
            let _ = writeln!(out, " {branch} {}: not priced ({})", c.name, c.reason);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        " {:<w$}  {:>14}",
        "OVERALL TOTAL (USD per month)",
        usd(est.total_monthly),
        w = name_w + 34
    );
    let _ = writeln!(out, "{}", "─".repeat(name_w + 52));
    let s = &est.summary;
    let _ = writeln!(
        out,
        "{} resources: {} priced{}, {} free, {} unpriced. Baseline {}, usage-based {}.",
        s.resources,
        s.priced,
        if s.partially_priced > 0 {
            format!(" ({} partly)", s.partially_priced)
        } else {
            String::new()
        },
        s.free,
        s.unpriced,
        usd(est.baseline_monthly),
        usd(est.usage_monthly)
    );
    if s.default_usage_items > 0 {
        let _ = writeln!(
            out,
            "* usage-based; *d uses a documented default ({}): set `usage` on the resource or pass --usage.",
            super::counted(s.default_usage_items, "line", "lines")
        );
    }
    let unpriced: Vec<_> = est
        .resources
        .iter()
        .filter(|r| r.status == PriceStatus::Unpriced)
        .collect();
    if !unpriced.is_empty() {
        let _ = writeln!(out, "\nUnpriced (not included in the total):");
        for r in unpriced {
            let _ = writeln!(
                out,
                "  {}: {}",
                r.address,
                r.reason.as_deref().unwrap_or("unknown reason")
            );
        }
    }
    let free = est
        .resources
        .iter()
        .filter(|r| r.status == PriceStatus::Free)
        .count();
    if free > 0 {
        let mut types: Vec<&str> = est
            .resources
            .iter()
            .filter(|r| r.status == PriceStatus::Free)
            .map(|r| r.resource_type.as_str())
            .collect();
        types.sort_unstable();
        types.dedup();
        let _ = writeln!(out, "\nFree: {free} resources ({})", types.join(", "));
    }
    if !est.optimizations.is_empty() {
        let _ = writeln!(
            out,
            "\nOptimizations (up to {} per month; suggestions for one resource overlap):",
            usd(est.potential_savings_monthly)
        );
        for o in &est.optimizations {
            let _ = writeln!(
                out,
                "  {:>12}  {}: {} [{}]",
                format!("-{}", usd(o.monthly_savings)),
                o.address,
                o.title,
                o.basis
            );
        }
    }
    if let Some(b) = &est.budget {
        let _ = writeln!(out);
        match b.status {
            BudgetStatus::Within => {
                let _ = writeln!(
                    out,
                    "Budget {}: within budget, headroom {}",
                    usd(b.limit),
                    usd(b.headroom.unwrap_or_default())
                );
            }
            BudgetStatus::Over => {
                let overrun = b.overrun.unwrap_or_default();
                // Over by a fraction of a cent, the rounded total equals the budget.
                let by = if overrun < Decimal::new(5, 3) {
                    "less than $0.01".to_string()
                } else {
                    usd(overrun)
                };
                let _ = writeln!(out, "Budget {}: OVER BUDGET by {by}", usd(b.limit));
            }
        }
    }
    let _ = writeln!(
        out,
        "\nConfidence: {} ({}): {}",
        est.confidence.level, est.confidence.score, est.confidence.explanation
    );
    let _ = writeln!(
        out,
        "Prices: {} {} from the catalog ({} rows, dated {} to {}); a month is {} hours.",
        est.provider,
        est.region,
        est.catalog.rows,
        est.catalog.oldest_date,
        est.catalog.newest_date,
        est.hours_per_month
    );
    for w in &est.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// A cost diff as text: every added, removed or changed resource with its delta, then totals.
pub fn render_diff_text(diff: &CostDiff) -> String {
    let mut out = String::new();
    let w = diff
        .resources
        .iter()
        .map(|r| r.address.len())
        .max()
        .unwrap_or(20)
        .max(20);
    let old_unpriced: std::collections::HashSet<&str> =
        diff.old_unpriced.iter().map(String::as_str).collect();
    let new_unpriced: std::collections::HashSet<&str> =
        diff.new_unpriced.iter().map(String::as_str).collect();
    let side = |amount: Decimal, unpriced: bool| {
        if unpriced {
            "unpriced".to_string()
        } else {
            usd(amount)
        }
    };
    let unknown: std::collections::HashSet<&str> =
        diff.unknown_changes().map(|r| r.address.as_str()).collect();
    for r in &diff.resources {
        let sign = match r.change {
            CostChange::Added => "+",
            CostChange::Removed => "-",
            CostChange::Changed => "~",
            CostChange::Unknown => "?",
            CostChange::Unchanged => continue,
        };
        let (was, is) = (
            old_unpriced.contains(r.address.as_str()),
            new_unpriced.contains(r.address.as_str()),
        );
        let delta = if unknown.contains(r.address.as_str()) {
            "unknown".to_string()
        } else if r.delta.is_sign_negative() {
            usd(r.delta)
        } else {
            format!("+{}", usd(r.delta))
        };
        let _ = writeln!(
            out,
            "{sign} {:<w$}  {:>12} -> {:>12}  {:>13}",
            r.address,
            side(r.old_monthly, was),
            side(r.new_monthly, is),
            delta
        );
    }
    let mut delta = if diff.delta_monthly.is_sign_negative() {
        usd(diff.delta_monthly)
    } else {
        format!("+{}", usd(diff.delta_monthly))
    };
    delta.push_str(" per month");
    if !unknown.is_empty() {
        let _ = write!(
            delta,
            " for the resources priced in both; {} not known",
            super::counted(unknown.len(), "change", "changes")
        );
    }
    let _ = writeln!(
        out,
        "\nMonthly cost: {} -> {} ({delta})",
        usd(diff.old_total),
        usd(diff.new_total)
    );
    for (list, which) in [(&diff.old_unpriced, "old"), (&diff.new_unpriced, "new")] {
        if !list.is_empty() {
            let _ = writeln!(
                out,
                "Unpriced in the {which} blueprint: {}",
                list.join(", ")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_display_rounds_only_here() {
        assert_eq!(usd(Decimal::new(1518399, 5)), "$15.18");
        assert_eq!(usd(Decimal::new(1234565, 3)), "$1,234.57");
        assert_eq!(usd(Decimal::new(-75920, 4)), "-$7.59");
        assert_eq!(usd(Decimal::ZERO), "$0.00");
        assert_eq!(qty(Decimal::new(36500, 1)), "3,650");
    }
}
