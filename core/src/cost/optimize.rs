//! Optimizations, each with its monthly savings computed from catalog prices.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::props::Props;
use super::rules::Ctx;
use super::{LineItem, Optimization, OptimizationKind, PriceStatus, ResourceCost, HOURS_PER_MONTH};
use crate::blueprint::{Resource, Value};

const NON_PROD: [&str; 7] = [
    "dev",
    "development",
    "test",
    "testing",
    "qa",
    "sandbox",
    "nonprod",
];

/// Previous generation -> current generation, same architecture.
const CURRENT_GEN: [(&str, &str); 14] = [
    ("t2", "t3"),
    ("m3", "m5"),
    ("m4", "m5"),
    ("c3", "c5"),
    ("c4", "c5"),
    ("r3", "r5"),
    ("r4", "r5"),
    ("db.t2", "db.t3"),
    ("db.m4", "db.m5"),
    ("db.r4", "db.r5"),
    ("cache.t2", "cache.t3"),
    ("cache.m4", "cache.m5"),
    ("cache.r4", "cache.r5"),
    ("n1", "n2d"),
];

/// x86 family -> Graviton family.
const GRAVITON: [(&str, &str); 16] = [
    ("t3", "t4g"),
    ("t3a", "t4g"),
    ("m5", "m6g"),
    ("m5a", "m6g"),
    ("m6i", "m7g"),
    ("m7i", "m7g"),
    ("c5", "c6g"),
    ("c6i", "c7g"),
    ("r5", "r6g"),
    ("r6i", "r6g"),
    ("db.t3", "db.t4g"),
    ("db.m5", "db.m6g"),
    ("db.m6i", "db.m6g"),
    ("db.r5", "db.r6g"),
    ("cache.t3", "cache.t4g"),
    ("cache.r5", "cache.r6g"),
];

struct Opt<'a> {
    ctx: &'a Ctx<'a>,
    /// Typical commitment discounts (`commit/{family}/{term}` rows), looked up once.
    commit: [(&'static str, &'static str, Option<Decimal>); 6],
}

impl<'a> Opt<'a> {
    fn new(ctx: &'a Ctx<'a>) -> Self {
        let mut o = Opt {
            ctx,
            commit: [
                ("ec2", "1y", None),
                ("ec2", "3y", None),
                ("rds", "1y", None),
                ("rds", "3y", None),
                ("elasticache", "1y", None),
                ("elasticache", "3y", None),
            ],
        };
        let prices: Vec<Option<Decimal>> = o
            .commit
            .iter()
            .map(|(f, t, _)| o.price(&format!("commit/{f}/{t}"), "on_demand"))
            .collect();
        for (slot, p) in o.commit.iter_mut().zip(prices) {
            slot.2 = p;
        }
        o
    }

    fn commit_fraction(&self, family: &str, term: &str) -> Option<Decimal> {
        self.commit
            .iter()
            .find(|(f, t, _)| *f == family && *t == term)
            .and_then(|c| c.2)
    }

    fn price(&self, sku: &str, purchase: &str) -> Option<Decimal> {
        self.ctx
            .catalog
            .lookup(self.ctx.provider, self.ctx.region, sku, purchase)
            .map(|r| r.price_usd)
    }
}

/// Splits an instance SKU into (prefix incl. family, size): `ec2/t3.large` -> (`ec2/`, `t3`, `large`),
/// `rds/mysql/db.t3.large` -> (`rds/mysql/`, `db.t3`, `large`), `gce/n1-standard-2` ->
/// (`gce/`, `n1`, `-standard-2`).
fn split_sku(sku: &str) -> Option<(&str, &str, &str)> {
    let slash = sku.rfind('/')?;
    let (prefix, name) = sku.split_at(slash + 1);
    if prefix == "gce/" {
        let dash = name.find('-')?;
        return Some((prefix, &name[..dash], &name[dash..]));
    }
    let dot = name.rfind('.')?;
    Some((prefix, &name[..dot], &name[dot + 1..]))
}

fn join_sku(prefix: &str, family: &str, size: &str) -> String {
    if prefix == "gce/" {
        format!("{prefix}{family}{size}")
    } else {
        format!("{prefix}{family}.{size}")
    }
}

fn is_compute(li: &LineItem) -> bool {
    (li.sku.starts_with("ec2/") && li.sku != "ec2/cpu-credits")
        || (li.sku.starts_with("rds/") && li.sku.contains("/db."))
        || li.sku.starts_with("elasticache/cache.")
        || li.sku.starts_with("gce/")
}

/// The next size down: AWS `2xlarge`->`xlarge`->`large`, GCP/Azure `-8`->`-4`, `D4s`->`D2s`.
fn smaller(size: &str) -> Option<String> {
    match size {
        "xlarge" => return Some("large".into()),
        "large" | "medium" | "small" | "micro" | "nano" => return None,
        _ => {}
    }
    if let Some(n) = size.strip_suffix("xlarge") {
        let n: u32 = n.parse().ok()?;
        return Some(if n <= 2 {
            "xlarge".into()
        } else {
            format!("{}xlarge", n / 2)
        });
    }
    // gce `-standard-8`
    let (head, n) = size.rsplit_once('-')?;
    let n: u32 = n.parse().ok()?;
    (n >= 4).then(|| format!("{head}-{}", n / 2))
}

fn azure_smaller(size: &str) -> Option<String> {
    // Standard_D4s_v5 -> Standard_D2s_v5
    let rest = size.strip_prefix("Standard_")?;
    let letters: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let digits: String = rest[letters.len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let n: u32 = digits.parse().ok()?;
    let tail = &rest[letters.len() + digits.len()..];
    (n >= 4).then(|| format!("Standard_{letters}{}{tail}", n / 2))
}

/// `Some(Some(env))` for a non-production environment tag, `Some(None)` for another
/// environment, `None` when no environment tag is set. No allocation: this runs per resource.
fn env_tag<'v>(
    mut tags: impl Iterator<Item = (&'v String, &'v str)>,
) -> Option<Option<&'static str>> {
    tags.find_map(|(k, v)| {
        ["environment", "env", "stage"]
            .iter()
            .any(|key| k.eq_ignore_ascii_case(key))
            .then(|| NON_PROD.iter().copied().find(|p| v.eq_ignore_ascii_case(p)))
    })
}

/// The non-production environment name of resource `index`: its own tag (labels on GCP) if it
/// sets one, else the blueprint's default tag.
fn env_is_non_prod(ctx: &Ctx<'_>, index: usize) -> Option<&'static str> {
    let own = ctx
        .bp
        .resources()
        .get(index)
        .and_then(|r| r.properties.get(ctx.provider.tag_argument()))
        .and_then(Value::as_object)
        .and_then(|m| env_tag(m.iter().filter_map(|(k, v)| Some((k, v.as_str()?)))));
    match own {
        Some(env) => env,
        None => env_tag(ctx.bp.blueprint().tags.iter().map(|(k, v)| (k, v.as_str()))).flatten(),
    }
}

fn saving(
    kind: OptimizationKind,
    r: &ResourceCost,
    title: impl FnOnce() -> String,
    current: Decimal,
    optimized: Decimal,
    basis: impl FnOnce() -> String,
) -> Option<Optimization> {
    let savings = current - optimized;
    (savings > Decimal::ZERO).then(|| Optimization {
        kind,
        address: r.address.clone(),
        title: title(),
        current_monthly: current,
        optimized_monthly: optimized,
        monthly_savings: savings,
        basis: basis(),
    })
}

/// Every optimization for the estimated resources, largest savings first.
/// The optimization analysis, fed resource by resource from the pricing loop (so each resource's
/// properties and line items are read while they are still in cache, not in a second pass over a
/// large blueprint), then [`Optimizer::finish`] adds the cross-resource suggestions and sorts.
pub(crate) struct Optimizer<'a> {
    o: Opt<'a>,
    out: Vec<Optimization>,
    /// Indices of the priced NAT gateways (for [`nat_consolidation`]).
    nats: Vec<usize>,
    nat_type: &'static str,
}

impl<'a> Optimizer<'a> {
    pub(crate) fn new(ctx: &'a Ctx<'a>) -> Self {
        let nat_type = match ctx.provider {
            crate::catalog::Provider::Aws => "aws_nat_gateway",
            crate::catalog::Provider::Azure => "azurerm_nat_gateway",
            crate::catalog::Provider::Gcp => "google_compute_router_nat",
        };
        Optimizer {
            o: Opt::new(ctx),
            out: Vec::new(),
            nats: Vec::new(),
            nat_type,
        }
    }

    /// The suggestions for resource `index` (`r` is its cost; `region`, its own region when it
    /// is not the blueprint's, where its alternatives are priced too).
    pub(crate) fn add(
        &mut self,
        index: usize,
        res: &Resource,
        type_name: &str,
        r: &ResourceCost,
        region: Option<&str>,
    ) {
        if r.status != PriceStatus::Priced {
            return;
        }
        match region {
            None => {
                if type_name == self.nat_type {
                    self.nats.push(index);
                }
                resource_optimizations(&self.o, index, res, r, &mut self.out);
            }
            Some(region) => {
                // NAT gateways of another region are not consolidated with the blueprint's.
                let ctx = Ctx {
                    region,
                    ..*self.o.ctx
                };
                resource_optimizations(&Opt::new(&ctx), index, res, r, &mut self.out);
            }
        }
    }

    /// Adds the cross-resource suggestions; every suggestion, largest savings first.
    pub(crate) fn finish(self, resources: &[ResourceCost]) -> Vec<Optimization> {
        let Optimizer {
            o, mut out, nats, ..
        } = self;
        let nats: Vec<(usize, &ResourceCost)> = nats
            .into_iter()
            .filter_map(|i| Some((i, resources.get(i)?)))
            .collect();
        nat_consolidation(&o, &nats, &mut out);
        sort_by_savings(&mut out);
        out
    }
}

/// Sorts suggestions by savings (largest first), then address, then kind, keeping the original
/// order of equal ones (as a stable sort would). The sort orders 4-byte indices and then moves
/// each suggestion once, instead of moving the 128-byte suggestions around while sorting.
fn sort_by_savings(out: &mut [Optimization]) {
    let Ok(n) = u32::try_from(out.len()) else {
        // More suggestions than `u32` counts: sort them directly.
        out.sort_by(compare_savings);
        return;
    };
    let mut order: Vec<u32> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| {
        match (out.get(a as usize), out.get(b as usize)) {
            (Some(x), Some(y)) => compare_savings(x, y),
            _ => std::cmp::Ordering::Equal,
        }
        .then(a.cmp(&b))
    });
    // Position k receives the suggestion at `order[k]`: follow each cycle of the permutation,
    // swapping along it, and mark every position done.
    for start in 0..order.len() {
        let mut cur = start;
        while let Some(slot) = order.get_mut(cur) {
            let next = *slot as usize;
            *slot = cur as u32;
            if next == start || next == cur {
                break;
            }
            out.swap(cur, next);
            cur = next;
        }
    }
}

fn compare_savings(a: &Optimization, b: &Optimization) -> std::cmp::Ordering {
    b.monthly_savings
        .cmp(&a.monthly_savings)
        .then_with(|| a.address.cmp(&b.address))
        .then_with(|| a.kind.cmp(&b.kind))
}

/// The single-resource suggestions for priced resource `index`.
fn resource_optimizations(
    o: &Opt<'_>,
    index: usize,
    res: &Resource,
    r: &ResourceCost,
    out: &mut Vec<Optimization>,
) {
    let non_prod = env_is_non_prod(o.ctx, index);
    for li in &r.line_items {
        // gp2 -> gp3
        if li.sku == "ebs/gp2" {
            if let Some(gp3) = o.price("ebs/gp3", "on_demand") {
                out.extend(saving(
                    OptimizationKind::Gp2ToGp3,
                    r,
                    || format!("Change {} from gp2 to gp3", li.name),
                    li.monthly,
                    li.quantity * gp3,
                    || format!("ebs/gp3 at ${} per GB-month", gp3.normalize()),
                ));
            }
        }
        if li.sku == "lambda/duration-x86" {
            if let Some(arm) = o.price("lambda/duration-arm64", "on_demand") {
                out.extend(saving(
                    OptimizationKind::Graviton,
                    r,
                    || "Run the function on arm64 (Graviton)".into(),
                    li.monthly,
                    li.quantity * arm,
                    || {
                        format!(
                            "lambda/duration-arm64 at ${} per GB-second",
                            arm.normalize()
                        )
                    },
                ));
            }
        }
        if !is_compute(li) {
            continue;
        }
        family_switch(
            o,
            r,
            li,
            &CURRENT_GEN,
            OptimizationKind::CurrentGeneration,
            out,
        );
        family_switch(o, r, li, &GRAVITON, OptimizationKind::Graviton, out);
        // Always-on capacity only: baseline lines (e.g. GCP sustained-use months) or
        // instance hours of at least a full month per instance.
        let always_on = match li.hours_per_instance {
            Some(h) => h >= Decimal::from(HOURS_PER_MONTH),
            None => li.usage_source.is_none(),
        };
        if always_on {
            commitment(o, r, li, out);
        }
        if non_prod.is_some() {
            if let Some((prefix, fam, size)) = split_sku(&li.sku) {
                if let Some(small) = smaller(size) {
                    let new_sku = join_sku(prefix, fam, &small);
                    let purchase = if li.unit == "month" {
                        "sud_month"
                    } else {
                        "on_demand"
                    };
                    if let Some(p) = o.price(&new_sku, purchase) {
                        out.extend(saving(
                            OptimizationKind::NonProductionRightsizing,
                            r,
                            || {
                                let s = sep(prefix);
                                format!(
                                    "Non-production ({}): downsize {fam}{s}{size} to {fam}{s}{small}",
                                    non_prod.unwrap_or_default()
                                )
                            },
                            li.monthly,
                            li.quantity * p,
                            || format!("{new_sku} at ${}/{}", p.normalize(), li.unit),
                        ));
                    }
                }
            }
        }
    }
    if let Some(env) = &non_prod {
        non_prod_specific(o, res, r, env, out);
    }
}

fn sep(prefix: &str) -> &'static str {
    if prefix == "gce/" {
        ""
    } else {
        "."
    }
}

fn family_switch(
    o: &Opt<'_>,
    r: &ResourceCost,
    li: &LineItem,
    map: &[(&str, &str)],
    kind: OptimizationKind,
    out: &mut Vec<Optimization>,
) {
    let Some((prefix, fam, size)) = split_sku(&li.sku) else {
        return;
    };
    let Some((_, to)) = map.iter().find(|(from, _)| *from == fam) else {
        return;
    };
    let new_sku = join_sku(prefix, to, size);
    // Lines priced per month (GCP sustained use) compare monthly prices; others hourly.
    let purchase = if li.unit == "month" {
        "sud_month"
    } else {
        "on_demand"
    };
    let Some(new_price) = o.price(&new_sku, purchase) else {
        return;
    };
    let s = sep(prefix);
    out.extend(saving(
        kind,
        r,
        || format!("Change {fam}{s}{size} to {to}{s}{size}"),
        li.monthly,
        li.quantity * new_price,
        || format!("{new_sku} at ${} per {}", new_price.normalize(), li.unit),
    ));
}

fn commitment(o: &Opt<'_>, r: &ResourceCost, li: &LineItem, out: &mut Vec<Optimization>) {
    let family = if li.sku.starts_with("ec2/") {
        "ec2"
    } else if li.sku.starts_with("rds/") {
        "rds"
    } else if li.sku.starts_with("elasticache/") {
        "elasticache"
    } else {
        "gce"
    };
    for (term, kind) in [
        ("1y", OptimizationKind::Commitment1y),
        ("3y", OptimizationKind::Commitment3y),
    ] {
        if family == "gce" {
            // Real committed-use prices per machine type (monthly).
            let Some(month) = o.price(&li.sku, &format!("commit_{term}")) else {
                continue;
            };
            let months = if li.unit == "month" {
                li.quantity
            } else {
                li.quantity / Decimal::from(HOURS_PER_MONTH)
            };
            out.extend(saving(
                kind,
                r,
                || format!("{term} committed-use discount for {}", li.name),
                li.monthly,
                months * month,
                || {
                    format!(
                        "{} commit_{term} at ${} per month (catalog)",
                        li.sku,
                        month.normalize()
                    )
                },
            ));
        } else {
            let Some(fraction) = o.commit_fraction(family, term) else {
                continue;
            };
            let label = if family == "ec2" {
                "reserved instance / savings plan"
            } else {
                "reserved instance"
            };
            out.extend(saving(
                kind,
                r,
                || format!("{term} {label} (no upfront) for {}", li.name),
                li.monthly,
                li.monthly * (Decimal::ONE - fraction),
                || {
                    format!(
                        "labelled typical rate: {}% off on-demand (catalog row commit/{family}/{term}, see its source)",
                        (fraction * Decimal::ONE_HUNDRED).round_dp(2).normalize()
                    )
                },
            ));
        }
    }
}

fn non_prod_specific(
    o: &Opt<'_>,
    res: &crate::blueprint::Resource,
    r: &ResourceCost,
    env: &str,
    out: &mut Vec<Optimization>,
) {
    let props = Props::new(o.ctx.bp, res);
    match r.resource_type.as_str() {
        "aws_db_instance" if props.bool(&["multi_az"]) == Some(true) => {
            // Multi-AZ lines cost twice the single-AZ ones.
            let current: Decimal = r
                .line_items
                .iter()
                .filter(|l| l.name.contains("Multi-AZ"))
                .map(|l| l.monthly)
                .sum();
            out.extend(saving(
                OptimizationKind::NonProductionRightsizing,
                r,
                || format!("Non-production ({env}): run the database single-AZ"),
                current,
                current / Decimal::TWO,
                || "Multi-AZ is billed at twice the single-AZ rate (catalog prices)".into(),
            ));
        }
        "azurerm_linux_virtual_machine"
        | "azurerm_kubernetes_cluster_node_pool"
        | "azurerm_kubernetes_cluster" => {
            let size = props
                .str(&["size"])
                .or(props.str(&["vm_size"]))
                .or(props.str(&["default_node_pool", "vm_size"]));
            let Some(size) = size else { return };
            let Some(small) = azure_smaller(size) else {
                return;
            };
            let Some(li) = r.line_items.iter().find(|l| l.sku == format!("vm/{size}")) else {
                return;
            };
            if let Some(p) = o.price(&format!("vm/{small}"), "on_demand") {
                out.extend(saving(
                    OptimizationKind::NonProductionRightsizing,
                    r,
                    || format!("Non-production ({env}): downsize {size} to {small}"),
                    li.monthly,
                    li.quantity * p,
                    || format!("vm/{small} at ${}/hour", p.normalize()),
                ));
            }
        }
        _ => {}
    }
}

/// Several NAT gateways in one availability zone (AWS), or more than one NAT in a
/// non-production blueprint.
/// `nats`: the priced NAT gateways, in document order, with their index.
fn nat_consolidation(o: &Opt<'_>, nats: &[(usize, &ResourceCost)], out: &mut Vec<Optimization>) {
    let instances: u32 = nats.iter().map(|(_, r)| r.count).sum();
    if instances < 2 {
        return;
    }
    // The gateway's hours line (the one with hours per instance), whether its hours are the
    // default or a `monthly_hours` usage value.
    let hourly = |r: &ResourceCost| -> Decimal {
        r.line_items
            .iter()
            .find(|l| l.hours_per_instance.is_some())
            .map(|l| l.monthly / Decimal::from(r.count.max(1)))
            .unwrap_or_default()
    };
    let non_prod = nats.iter().find_map(|(i, _)| env_is_non_prod(o.ctx, *i));
    let (Some((_, first)), true) = (nats.first(), instances > 1) else {
        return;
    };
    if let Some(env) = non_prod {
        let per = hourly(first);
        let current = per * Decimal::from(instances);
        out.extend(saving(
            super::OptimizationKind::NatGatewayConsolidation,
            first,
            || format!("Non-production ({env}): use one NAT gateway instead of {instances}"),
            current,
            per,
            || "NAT gateway hourly price (catalog); data processing is unchanged".into(),
        ));
        return;
    }
    if o.ctx.provider != crate::catalog::Provider::Aws {
        return;
    }
    // Production: one NAT per AZ is the HA pattern; more than one in the same AZ is sprawl.
    let mut per_az: BTreeMap<String, (u32, Decimal, &ResourceCost)> = BTreeMap::new();
    for (i, r) in nats {
        let Some(res) = o.ctx.bp.resources().get(*i) else {
            continue;
        };
        let props = Props::new(o.ctx.bp, res);
        let az = props
            .referenced(&["subnet_id"])
            .and_then(|s| {
                Props::new(o.ctx.bp, s)
                    .str(&["availability_zone"])
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("subnet of {}", r.address));
        let e = per_az.entry(az).or_insert((0, hourly(r), r));
        e.0 += r.count;
    }
    for (az, (n, per, r)) in per_az {
        if n > 1 {
            out.extend(saving(
                super::OptimizationKind::NatGatewayConsolidation,
                r,
                || format!("{n} NAT gateways in {az}: one per availability zone is enough"),
                per * Decimal::from(n),
                per,
                || "NAT gateway hourly price (catalog)".into(),
            ));
        }
    }
}

/// Sum over resources of the largest saving for each (suggestions for one resource overlap).
pub(crate) fn potential_savings(opts: &[Optimization]) -> Decimal {
    let mut best: BTreeMap<&str, Decimal> = BTreeMap::new();
    for o in opts {
        let e = best.entry(o.address.as_str()).or_default();
        if o.monthly_savings > *e {
            *e = o.monthly_savings;
        }
    }
    best.values().copied().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_by_index_matches_a_stable_sort() {
        let kinds = [
            OptimizationKind::Graviton,
            OptimizationKind::Commitment1y,
            OptimizationKind::Gp2ToGp3,
        ];
        // Many equal keys (same savings, address and kind), told apart by the title.
        let mut opts: Vec<Optimization> = (0..300u32)
            .map(|i| Optimization {
                kind: kinds[(i % 3) as usize],
                address: format!("aws_instance.r{}", (i * 7) % 5),
                title: format!("#{i}"),
                current_monthly: Decimal::from(10),
                optimized_monthly: Decimal::ZERO,
                monthly_savings: Decimal::new(i64::from((i * 13) % 4), 1),
                basis: String::new(),
            })
            .collect();
        let mut stable = opts.clone();
        stable.sort_by(compare_savings);
        sort_by_savings(&mut opts);
        assert_eq!(opts, stable);
        let mut empty: Vec<Optimization> = Vec::new();
        sort_by_savings(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn sizes_and_skus() {
        assert_eq!(split_sku("ec2/t3.large"), Some(("ec2/", "t3", "large")));
        assert_eq!(
            split_sku("rds/mysql/db.t3.large"),
            Some(("rds/mysql/", "db.t3", "large"))
        );
        assert_eq!(
            split_sku("gce/n1-standard-2"),
            Some(("gce/", "n1", "-standard-2"))
        );
        assert_eq!(smaller("2xlarge").as_deref(), Some("xlarge"));
        assert_eq!(smaller("8xlarge").as_deref(), Some("4xlarge"));
        assert_eq!(smaller("xlarge").as_deref(), Some("large"));
        assert_eq!(smaller("large"), None);
        assert_eq!(smaller("-standard-8").as_deref(), Some("-standard-4"));
        assert_eq!(smaller("-standard-2"), None);
        assert_eq!(
            azure_smaller("Standard_D4s_v5").as_deref(),
            Some("Standard_D2s_v5")
        );
        assert_eq!(azure_smaller("Standard_B2s"), None);
    }
}
