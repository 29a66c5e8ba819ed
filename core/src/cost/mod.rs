//! `estimate`: monthly cost of a blueprint from the embedded price catalog, with line items,
//! usage assumptions, optimizations with their savings, budgets and cost diffs.
//!
//! Money is [`Decimal`] everywhere, never floats; a month is [`HOURS_PER_MONTH`] hours; amounts
//! are kept exact and rounded only for display ([`render_text`]). In JSON every amount is a
//! decimal string.

mod catalog;
mod optimize;
mod props;
mod render;
mod rules;
mod usage;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

pub use catalog::{CatalogInfo, PriceCatalog, PriceRow, MAX_UNIT_PRICE};
pub use render::{render_diff_text, render_text};
pub use usage::{UsageFile, UsageSource, MAX_USAGE};

/// Reads an amount written as text (`"1500.50"`, `"1.5e3"`) exactly, as the bindings and the
/// command line read budgets and money arguments: a 29th significant digit is refused, not
/// rounded away (rounded, a budget just below the total could come out equal to it).
///
/// ```
/// use iac_dharma::exact_decimal;
/// assert_eq!(exact_decimal(" 1500.50 ").unwrap().to_string(), "1500.50");
/// assert_eq!(exact_decimal("1.5e3").unwrap().to_string(), "1500");
/// assert!(exact_decimal("8.39199999999999999999999999999").unwrap_err().contains("exactly"));
/// assert!(exact_decimal("lots").unwrap_err().contains("is not a decimal number"));
/// ```
///
/// # Errors
/// A message naming the text: a number a decimal cannot hold exactly, or not a number.
pub fn exact_decimal(text: &str) -> std::result::Result<Decimal, String> {
    let t = text.trim();
    Decimal::from_str_exact(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|_| {
            if t.parse::<f64>().is_ok_and(f64::is_finite) {
                format!("`{t}` is a number a decimal cannot hold exactly (28 significant digits, below 7.9e28)")
            } else {
                format!("`{t}` is not a decimal number")
            }
        })
}

/// Hours in the billing month used everywhere (8760 / 12), as Infracost and the cloud
/// calculators do.
pub const HOURS_PER_MONTH: u32 = 730;

/// Serializes [`Decimal`] money as a normalized decimal string (`"7.592"`).
pub(crate) mod money {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.normalize().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }

    pub mod option {
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&d.normalize().to_string()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            let s = Option::<String>::deserialize(d)?;
            s.map(|s| s.parse().map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

/// Options of [`estimate`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EstimateOptions {
    /// The price catalog; `None` uses [`PriceCatalog::builtin`].
    pub catalog: Option<Arc<PriceCatalog>>,
    /// Usage assumptions from a separate file (the blueprint's own `usage` wins over it).
    pub usage: Option<UsageFile>,
    /// A monthly budget in USD: the estimate then carries a [`BudgetResult`].
    pub budget: Option<Decimal>,
    /// Skip the optimization analysis (faster for very large blueprints; default: analyse).
    pub skip_optimizations: bool,
}

impl EstimateOptions {
    /// Options with the built-in catalog, no usage file, no budget.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the catalog.
    pub fn with_catalog(mut self, catalog: Arc<PriceCatalog>) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Sets the usage file.
    pub fn with_usage(mut self, usage: UsageFile) -> Self {
        self.usage = Some(usage);
        self
    }

    /// Sets the budget (USD per month).
    pub fn with_budget(mut self, budget: Decimal) -> Self {
        self.budget = Some(budget);
        self
    }
}

/// One priced component of a resource, already multiplied by the resource's `count`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// What is billed, e.g. `Instance usage (Linux, on-demand, t3.micro)`.
    pub name: String,
    /// The catalog unit (`hour`, `GB-month`, `1M requests`, ...).
    pub unit: Cow<'static, str>,
    /// Quantity per month in that unit (all instances).
    #[serde(with = "money")]
    pub quantity: Decimal,
    /// Price per unit (USD).
    #[serde(with = "money")]
    pub unit_price: Decimal,
    /// quantity x unit price (USD per month), exact.
    #[serde(with = "money")]
    pub monthly: Decimal,
    /// The catalog key that priced the line.
    pub sku: Cow<'static, str>,
    /// Where the usage figure came from, for usage-based lines (`None` for baseline lines such
    /// as instance hours or provisioned storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_source: Option<UsageSource>,
    /// The usage key the quantity came from (`monthly_requests`, `storage_gb`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_key: Option<Cow<'static, str>>,
    /// For instance-hour lines: the hours each instance runs per month (730 unless
    /// `monthly_hours` says otherwise). Commitments are only suggested for always-on capacity.
    #[serde(
        with = "money::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub hours_per_instance: Option<Decimal>,
}

/// Whether a resource was priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceStatus {
    /// At least its main component was priced.
    Priced,
    /// The resource costs nothing by itself (VPC, subnet, IAM role, ...).
    Free,
    /// The catalog cannot price it; `reason` says why. Never counted as $0 silently.
    Unpriced,
}

/// A component of a priced resource that could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpricedComponent {
    /// The component (`Root volume`, `Storage`, ...).
    pub name: String,
    /// Why it is not priced.
    pub reason: String,
}

/// The cost of one resource (all its `count` instances).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCost {
    /// `type.name`.
    pub address: String,
    /// The resource name.
    pub name: String,
    /// The Terraform type.
    pub resource_type: String,
    /// Number of instances.
    pub count: u32,
    /// Priced, free or unpriced.
    pub status: PriceStatus,
    /// Sum of the line items (USD per month).
    #[serde(with = "money")]
    pub monthly: Decimal,
    /// The billed components.
    pub line_items: Vec<LineItem>,
    /// Why the resource is free or unpriced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Cow<'static, str>>,
    /// Components of a priced resource the catalog could not price.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unpriced_components: Vec<UnpricedComponent>,
    /// Assumptions and conventions applied (Multi-AZ doubling, defaults read, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Counts of resources by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateSummary {
    /// Resources in the blueprint.
    pub resources: usize,
    /// Priced resources.
    pub priced: usize,
    /// Free resources.
    pub free: usize,
    /// Unpriced resources.
    pub unpriced: usize,
    /// Priced resources with at least one component the catalog could not price (their
    /// `unpriced_components` say which); counted in `priced` too.
    pub partially_priced: usize,
    /// Usage-based line items whose quantity is a built-in default.
    pub default_usage_items: usize,
}

/// How much of the estimate rests on prices versus assumptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confidence {
    /// 0 to 1: (priced / (priced + unpriced)) x (1 - share of cost from default usage / 2).
    #[serde(with = "money")]
    pub score: Decimal,
    /// `high` (>= 0.9), `medium` (>= 0.6) or `low`.
    pub level: String,
    /// What lowered it.
    pub explanation: String,
}

/// Kind of cost optimization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizationKind {
    /// EBS gp2 volume to gp3.
    Gp2ToGp3,
    /// Previous-generation instance family to the current one.
    CurrentGeneration,
    /// x86 instance (or Lambda) to the Graviton (arm64) equivalent.
    Graviton,
    /// 1-year commitment (reserved instance, savings plan, committed use) for always-on capacity.
    Commitment1y,
    /// 3-year commitment.
    Commitment3y,
    /// Several NAT gateways where fewer would do.
    NatGatewayConsolidation,
    /// A non-production resource larger (or more redundant) than it needs to be.
    NonProductionRightsizing,
}

/// A suggested change with its monthly savings computed from the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Optimization {
    /// What kind of change.
    pub kind: OptimizationKind,
    /// The resource address it applies to.
    pub address: String,
    /// One-line summary (`Change t3.large to t4g.large`).
    pub title: String,
    /// Monthly cost of the affected components today.
    #[serde(with = "money")]
    pub current_monthly: Decimal,
    /// Monthly cost after the change.
    #[serde(with = "money")]
    pub optimized_monthly: Decimal,
    /// current - optimized.
    #[serde(with = "money")]
    pub monthly_savings: Decimal,
    /// Where the rate behind the savings comes from (catalog SKU or labeled typical rate).
    pub basis: String,
}

/// Whether the estimate fits a budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetResult {
    /// The budget (USD per month).
    #[serde(with = "money")]
    pub limit: Decimal,
    /// The estimated total.
    #[serde(with = "money")]
    pub total: Decimal,
    /// `within` or `over`.
    pub status: BudgetStatus,
    /// limit - total when within budget.
    #[serde(
        with = "money::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub headroom: Option<Decimal>,
    /// total - limit when over budget.
    #[serde(
        with = "money::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub overrun: Option<Decimal>,
}

/// Budget verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetStatus {
    /// total <= limit.
    Within,
    /// total > limit.
    Over,
}

impl BudgetResult {
    /// Compares a total with a limit.
    pub fn new(limit: Decimal, total: Decimal) -> Self {
        if total > limit {
            BudgetResult {
                limit,
                total,
                status: BudgetStatus::Over,
                headroom: None,
                overrun: Some(total - limit),
            }
        } else {
            BudgetResult {
                limit,
                total,
                status: BudgetStatus::Within,
                headroom: Some(limit - total),
                overrun: None,
            }
        }
    }

    /// True when over budget.
    pub fn is_over(&self) -> bool {
        self.status == BudgetStatus::Over
    }
}

/// The monthly cost of a blueprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostEstimate {
    /// Always `USD`.
    pub currency: String,
    /// The blueprint's provider.
    pub provider: String,
    /// The blueprint's region.
    pub region: String,
    /// Hours in a month (730).
    pub hours_per_month: u32,
    /// Sum of every line item (USD per month), exact.
    #[serde(with = "money")]
    pub total_monthly: Decimal,
    /// Part of the total from baseline lines (provisioned capacity).
    #[serde(with = "money")]
    pub baseline_monthly: Decimal,
    /// Part of the total from usage-based lines.
    #[serde(with = "money")]
    pub usage_monthly: Decimal,
    /// Every resource, in blueprint order.
    pub resources: Vec<ResourceCost>,
    /// Counts by status.
    pub summary: EstimateSummary,
    /// Priced versus assumed.
    pub confidence: Confidence,
    /// Suggested changes, largest savings first.
    pub optimizations: Vec<Optimization>,
    /// Sum over resources of the largest saving suggested for each (suggestions for one resource
    /// overlap, so they are not added up).
    #[serde(with = "money")]
    pub potential_savings_monthly: Decimal,
    /// The budget check, when a budget was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetResult>,
    /// The catalog used.
    pub catalog: CatalogInfo,
    /// Problems that did not stop the estimate (e.g. no prices for the region).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Finding>,
}

impl CostEstimate {
    /// The cost of the resource with this name, if any.
    pub fn resource(&self, name: &str) -> Option<&ResourceCost> {
        self.resources.iter().find(|r| r.name == name)
    }
}

/// Estimates the monthly cost of a checked blueprint.
///
/// ```
/// use iac_dharma::{estimate, EstimateOptions};
/// let bp = iac_dharma::parse(r#"
/// name: demo
/// version: 1.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - type: aws_instance
///     name: web
///     count: 2
///     properties: {ami: ami-0abc, instance_type: t3.micro, root_block_device: {volume_size: 8, volume_type: gp3}}
///   - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
/// "#)?;
/// let est = estimate(&bp, &EstimateOptions::default())?;
/// let web = est.resource("web").unwrap();
/// assert_eq!(web.line_items[0].quantity.to_string(), "1460");     // 2 x 730 hours
/// assert_eq!(web.line_items[0].monthly.to_string(), "15.1840");   // x $0.0104
/// assert_eq!(est.resource("main").unwrap().status, iac_dharma::PriceStatus::Free);
/// # Ok::<(), iac_dharma::Error>(())
/// ```
///
/// # Errors
/// A [`ErrorKind::Pricing`] error (`invalid_usage`) listing every usage value, in the blueprint
/// (`resources[3].usage.storage_gb`) or the usage file, that is negative, not a number or too
/// large. Types and sizes the catalog cannot price are not errors: they are listed as unpriced
/// with the reason.
pub fn estimate(bp: &CheckedBlueprint, options: &EstimateOptions) -> Result<CostEstimate> {
    let catalog = options
        .catalog
        .clone()
        .unwrap_or_else(PriceCatalog::builtin);
    // The usage file is checked first; the blueprint's usage values resource by resource in the
    // pricing loop below (one pass over the blueprint: at 10,000 resources it is far larger than
    // the CPU caches, and every extra pass reads it from memory again).
    let file_findings = match options.usage.as_ref().map(UsageFile::validate) {
        Some(Err(e)) => e.into_findings(),
        _ => Vec::new(),
    };
    let provider = bp.provider();
    let region = bp.blueprint().region.as_str();
    let mut warnings = Vec::new();
    if !catalog.has_region(provider, region) {
        let known: Vec<&str> = catalog.regions(provider).collect();
        warnings.push(
            Finding::warning(
                Code::NoPricesForRegion,
                "region",
                format!(
                    "the price catalog has no {provider} prices for region `{region}`; priced regions: {}",
                    known.join(", ")
                ),
            )
            .with_suggestion(crate::suggest::did_you_mean(region, known.iter().copied())),
        );
    }
    let usage = options.usage.as_ref();
    let ctx = rules::Ctx {
        bp,
        catalog: &catalog,
        builtin: PriceCatalog::as_builtin(&catalog),
        provider,
        region,
    };
    let mut resources = Vec::with_capacity(bp.resources().len());
    let mut usage_findings = Vec::new();
    let mut totals = Totals::default();
    let mut optimizer = (!options.skip_optimizations).then(|| optimize::Optimizer::new(&ctx));
    let mut scratch = rules::Scratch::default();
    let mut unused = usage::UnusedUsage::default();
    for (i, res, info) in bp.iter() {
        check_usage(i, res, &mut usage_findings);
        if !usage_findings.is_empty() || !file_findings.is_empty() {
            // Invalid usage: the estimate fails; only the remaining usage values are checked.
            continue;
        }
        let lookup =
            usage::UsageLookup::new(&res.usage, usage, &res.name, &info.address, &info.type_name);
        let region = rules::own_region(&ctx, res);
        let cost = rules::price_resource(&ctx, res, info, &lookup, region.as_deref(), &mut scratch);
        let complete = cost.status != PriceStatus::Unpriced && cost.unpriced_components.is_empty();
        unused.note(i, &info.type_name, &lookup, complete);
        totals.add(&cost);
        if let Some(optimizer) = optimizer.as_mut() {
            optimizer.add(i, res, &info.type_name, &cost, region.as_deref());
        }
        resources.push(cost);
    }
    if !usage_findings.is_empty() || !file_findings.is_empty() {
        usage_findings.extend(file_findings);
        return Err(Error::new(ErrorKind::Pricing, usage_findings));
    }
    // The budget after the usage values: a request with both problems reports the usage values.
    if let Some(b) = options.budget {
        if b.is_sign_negative() {
            return Err(Error::single(
                ErrorKind::InvalidInput,
                Finding::error(
                    Code::InvalidArgument,
                    "budget",
                    format!("the budget cannot be negative (got {b})"),
                ),
            ));
        }
    }
    warnings.extend(unused.finish(usage, bp));
    let opts = optimizer.map(|o| o.finish(&resources));
    let mut est = assemble(bp, resources, totals, catalog.info(), warnings);
    if let Some(opts) = opts {
        est.potential_savings_monthly = optimize::potential_savings(&opts);
        est.optimizations = opts;
    }
    est.budget = options
        .budget
        .map(|limit| BudgetResult::new(limit, est.total_monthly));
    Ok(est)
}

/// The usage values of resource `i` that are negative, not numbers or too large.
fn check_usage(i: usize, res: &crate::blueprint::Resource, findings: &mut Vec<Finding>) {
    for (key, value) in &res.usage {
        if let Err(msg) = usage::usage_value(key, value) {
            findings.push(Finding::error(
                Code::InvalidUsage,
                format!("resources[{i}].usage.{key}"),
                msg,
            ));
        }
    }
}

/// Sums over the resource costs, added up as each resource is priced.
#[derive(Default)]
struct Totals {
    total: Decimal,
    usage: Decimal,
    default_usage: Decimal,
    /// Resources with components the catalog could not price, whatever their status.
    partial: usize,
    summary: EstimateSummary,
}

impl Totals {
    fn add(&mut self, r: &ResourceCost) {
        let summary = &mut self.summary;
        summary.resources += 1;
        match r.status {
            PriceStatus::Priced => {
                summary.priced += 1;
                if !r.unpriced_components.is_empty() {
                    summary.partially_priced += 1;
                }
            }
            PriceStatus::Free => summary.free += 1,
            PriceStatus::Unpriced => summary.unpriced += 1,
        }
        if !r.unpriced_components.is_empty() {
            self.partial += 1;
        }
        for li in &r.line_items {
            self.total += li.monthly;
            if li.usage_source.is_some() {
                self.usage += li.monthly;
            }
            if li.usage_source == Some(UsageSource::Default) {
                self.default_usage += li.monthly;
                summary.default_usage_items += 1;
            }
        }
    }
}

/// The estimate from per-resource costs and their totals.
fn assemble(
    bp: &CheckedBlueprint,
    resources: Vec<ResourceCost>,
    totals: Totals,
    catalog: CatalogInfo,
    warnings: Vec<Finding>,
) -> CostEstimate {
    let Totals {
        total,
        usage: usage_total,
        default_usage: default_usage_total,
        partial,
        summary,
    } = totals;
    let confidence = confidence(partial, &summary, total, default_usage_total);
    CostEstimate {
        currency: "USD".into(),
        provider: bp.provider().as_str().into(),
        region: bp.blueprint().region.clone(),
        hours_per_month: HOURS_PER_MONTH,
        total_monthly: total,
        baseline_monthly: total - usage_total,
        usage_monthly: usage_total,
        resources,
        summary,
        confidence,
        optimizations: Vec::new(),
        potential_savings_monthly: Decimal::ZERO,
        budget: None,
        catalog,
        warnings,
    }
}

/// `partial`: resources with components the catalog could not price.
fn confidence(
    partial: usize,
    summary: &EstimateSummary,
    total: Decimal,
    default_usage_total: Decimal,
) -> Confidence {
    let considered = summary.priced + summary.unpriced;
    let coverage = if considered == 0 {
        Decimal::ONE
    } else {
        // A partially priced resource counts half.
        (Decimal::from(summary.priced) - Decimal::from(partial) / Decimal::TWO)
            / Decimal::from(considered)
    };
    let assumed = if total.is_zero() {
        Decimal::ZERO
    } else {
        default_usage_total / total
    };
    let score = (coverage * (Decimal::ONE - assumed / Decimal::TWO))
        .round_dp(2)
        .max(Decimal::ZERO);
    let level = if score >= Decimal::new(9, 1) {
        "high"
    } else if score >= Decimal::new(6, 1) {
        "medium"
    } else {
        "low"
    };
    let mut why = Vec::new();
    if summary.unpriced > 0 {
        why.push(format!(
            "{} of {} billable resources could not be priced",
            summary.unpriced, considered
        ));
    }
    if partial > 0 {
        why.push(format!(
            "{} only partly priced",
            counted(partial, "resource is", "resources are")
        ));
    }
    if summary.default_usage_items > 0 {
        let pct = (assumed * Decimal::ONE_HUNDRED).round_dp(0);
        let share = if pct.is_zero() {
            "under 1% of the total".to_string()
        } else {
            format!("{pct}% of the total")
        };
        why.push(format!(
            "{} documented defaults ({share}); give usage values to firm it up",
            counted(
                summary.default_usage_items,
                "usage-based line item uses",
                "usage-based line items use"
            )
        ));
    }
    if why.is_empty() {
        why.push("every billable resource was priced from the catalog with given usage".into());
    }
    Confidence {
        score,
        level: level.into(),
        explanation: why.join("; "),
    }
}

/// How one resource's cost changes between two blueprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostChange {
    /// Only in the new blueprint.
    Added,
    /// Only in the old blueprint.
    Removed,
    /// In both, with a different monthly cost.
    Changed,
    /// In both, same monthly cost.
    Unchanged,
    /// In both, but unpriced in at least one of them: how its cost changes is not known. Its
    /// `delta` is zero and not part of [`CostDiff::delta_monthly`]; never a silent $0 on one
    /// side, which would turn a downsize into an increase.
    Unknown,
}

/// One resource in a cost diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCostDiff {
    /// `type.name`.
    pub address: String,
    /// Added, removed, changed, unchanged or unknown.
    pub change: CostChange,
    /// Monthly cost before (zero when added, or unpriced in the old blueprint).
    #[serde(with = "money")]
    pub old_monthly: Decimal,
    /// Monthly cost after (zero when removed, or unpriced in the new blueprint).
    #[serde(with = "money")]
    pub new_monthly: Decimal,
    /// new - old; zero when the change is [`CostChange::Unknown`].
    #[serde(with = "money")]
    pub delta: Decimal,
}

/// What a change to a blueprint adds to or saves from the monthly bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostDiff {
    /// Total of the old blueprint (its priced resources, as its estimate).
    #[serde(with = "money")]
    pub old_total: Decimal,
    /// Total of the new blueprint (its priced resources, as its estimate).
    #[serde(with = "money")]
    pub new_total: Decimal,
    /// The sum of the resources' deltas (negative: the change saves money). A resource
    /// unpriced in one blueprint and priced in the other is not in it
    /// ([`CostChange::Unknown`]), so it differs from `new_total - old_total` then.
    #[serde(with = "money")]
    pub delta_monthly: Decimal,
    /// Every resource of either blueprint: the new blueprint's order, then removed ones.
    pub resources: Vec<ResourceCostDiff>,
    /// Unpriced resources in the new blueprint (their cost is not in the delta).
    pub new_unpriced: Vec<String>,
    /// Unpriced resources in the old blueprint (their cost is not in the delta).
    pub old_unpriced: Vec<String>,
}

impl CostDiff {
    /// The resources whose cost change is not known: [`CostChange::Unknown`] (unpriced in one
    /// blueprint or both), and those added or removed while unpriced. Their change is not in
    /// [`CostDiff::delta_monthly`], which a reader of the total should be told.
    ///
    /// ```
    /// let old = iac_dharma::parse("name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - {type: aws_instance, name: web, properties: {ami: a, instance_type: t3.micro}}\n")?;
    /// let new = iac_dharma::parse("name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - {type: aws_instance, name: web, properties: {ami: a, instance_type: t3.micro}}\n  - {type: aws_instance, name: gpu, properties: {ami: a, instance_type: p9.imaginary}}\n")?;
    /// let diff = iac_dharma::cost_diff(&old, &new, &iac_dharma::EstimateOptions::default())?;
    /// let unknown: Vec<&str> = diff.unknown_changes().map(|r| r.address.as_str()).collect();
    /// assert_eq!(unknown, ["aws_instance.gpu"]);
    /// # Ok::<(), iac_dharma::Error>(())
    /// ```
    pub fn unknown_changes(&self) -> impl Iterator<Item = &ResourceCostDiff> + '_ {
        self.resources.iter().filter(move |r| match r.change {
            CostChange::Unknown => true,
            CostChange::Added => self.new_unpriced.contains(&r.address),
            CostChange::Removed => self.old_unpriced.contains(&r.address),
            CostChange::Changed | CostChange::Unchanged => false,
        })
    }
}

/// The cost difference between two blueprints, per resource (matched by address).
///
/// ```
/// let old = iac_dharma::parse("name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - {type: aws_instance, name: web, properties: {ami: a, instance_type: t3.micro}}\n")?;
/// let new = iac_dharma::parse("name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - {type: aws_instance, name: web, properties: {ami: a, instance_type: t3.small}}\n")?;
/// let diff = iac_dharma::cost_diff(&old, &new, &iac_dharma::EstimateOptions::default())?;
/// assert_eq!(diff.delta_monthly.to_string(), "7.5920"); // (0.0208 - 0.0104) x 730
/// # Ok::<(), iac_dharma::Error>(())
/// ```
///
/// # Errors
/// As [`estimate`], for either blueprint.
pub fn cost_diff(
    old: &CheckedBlueprint,
    new: &CheckedBlueprint,
    options: &EstimateOptions,
) -> Result<CostDiff> {
    let opts = EstimateOptions {
        skip_optimizations: true,
        budget: None,
        ..options.clone()
    };
    let before = estimate(old, &opts)?;
    let after = estimate(new, &opts)?;
    Ok(diff_estimates(&before, &after))
}

/// The cost difference between two estimates.
pub fn diff_estimates(before: &CostEstimate, after: &CostEstimate) -> CostDiff {
    let unpriced = |r: &ResourceCost| r.status == PriceStatus::Unpriced;
    let old: BTreeMap<&str, &ResourceCost> = before
        .resources
        .iter()
        .map(|r| (r.address.as_str(), r))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut resources = Vec::new();
    for r in &after.resources {
        seen.insert(r.address.as_str());
        let (change, old_monthly) = match old.get(r.address.as_str()) {
            None => (CostChange::Added, Decimal::ZERO),
            Some(o) if unpriced(o) || unpriced(r) => (CostChange::Unknown, o.monthly),
            Some(o) if o.monthly == r.monthly => (CostChange::Unchanged, o.monthly),
            Some(o) => (CostChange::Changed, o.monthly),
        };
        let delta = if change == CostChange::Unknown {
            Decimal::ZERO
        } else {
            r.monthly - old_monthly
        };
        resources.push(ResourceCostDiff {
            address: r.address.clone(),
            change,
            old_monthly,
            new_monthly: r.monthly,
            delta,
        });
    }
    for r in &before.resources {
        if !seen.contains(r.address.as_str()) {
            resources.push(ResourceCostDiff {
                address: r.address.clone(),
                change: CostChange::Removed,
                old_monthly: r.monthly,
                new_monthly: Decimal::ZERO,
                delta: -r.monthly,
            });
        }
    }
    let unpriced_in = |estimate: &CostEstimate| -> Vec<String> {
        estimate
            .resources
            .iter()
            .filter(|r| unpriced(r))
            .map(|r| r.address.clone())
            .collect()
    };
    CostDiff {
        old_total: before.total_monthly,
        new_total: after.total_monthly,
        delta_monthly: resources.iter().map(|r| r.delta).sum(),
        resources,
        new_unpriced: unpriced_in(after),
        old_unpriced: unpriced_in(before),
    }
}

/// `n` followed by the singular or the plural words: "1 line", "2 lines".
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
