//! Which catalog prices apply to which resource, per Terraform type.
//!
//! The prices are data (`pricing/*.csv`) and so is the list of free types (`pricing/free.csv`).
//! The mapping from a type's arguments to billed components stays in code, one function per
//! service family: it is full of conditions (Multi-AZ doubles instance hours, gp3 bills IOPS
//! only above 3,000, an autoscaling group takes its instance type from a launch template, a GKE
//! node pool multiplies by its zones) that a table would have to re-invent as a language.

use std::borrow::Cow;
use std::sync::OnceLock;

use rust_decimal::Decimal;

use super::catalog::PriceCatalog;
use super::props::Props;
use super::usage::{UsageLookup, UsageSource};
use super::{LineItem, PriceStatus, ResourceCost, UnpricedComponent, HOURS_PER_MONTH};
use crate::blueprint::Resource;
use crate::catalog::Provider;
use crate::check::{CheckedBlueprint, ResourceInfo};

// `pricing/free.csv`, embedded compressed (see `crate::embedded`).
static FREE_CSV: &[u8] = crate::embedded::packed!("pricing-free.csv");

/// Everything a rule needs besides the resource.
pub(crate) struct Ctx<'a> {
    pub bp: &'a CheckedBlueprint,
    pub catalog: &'a PriceCatalog,
    /// `catalog` when it is the built-in one (whose SKUs line items borrow).
    pub builtin: Option<&'static PriceCatalog>,
    pub provider: Provider,
    pub region: &'a str,
}

/// The free-type list: exact names and `prefix*` patterns, with the reason.
struct FreeList {
    exact: rustc_hash::FxHashMap<String, String>,
    prefixes: Vec<(String, String)>,
}

fn free_list() -> &'static FreeList {
    static LIST: OnceLock<FreeList> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list = FreeList {
            exact: Default::default(),
            prefixes: Vec::new(),
        };
        let text = crate::embedded::text(FREE_CSV);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records().flatten() {
            let (Some(ty), Some(reason)) = (rec.get(1), rec.get(2)) else {
                continue;
            };
            match ty.strip_suffix('*') {
                Some(prefix) => list.prefixes.push((prefix.to_string(), reason.to_string())),
                None => {
                    list.exact.insert(ty.to_string(), reason.to_string());
                }
            }
        }
        list
    })
}

/// Why a type is free, if it is.
pub(crate) fn free_reason(type_name: &str) -> Option<&'static str> {
    let list = free_list();
    if let Some(r) = list.exact.get(type_name) {
        return Some(r);
    }
    list.prefixes
        .iter()
        .find(|(p, _)| type_name.starts_with(p.as_str()))
        .map(|(_, r)| r.as_str())
}

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

fn hours() -> Decimal {
    Decimal::from(HOURS_PER_MONTH)
}

/// Builds the line items of one resource.
pub(crate) struct Pricer<'a> {
    ctx: &'a Ctx<'a>,
    pub usage: &'a UsageLookup<'a>,
    count: Decimal,
    lines: Vec<LineItem>,
    missing: Vec<UnpricedComponent>,
    notes: Vec<String>,
    /// Set when `average_instances` replaced the configured instance count.
    fleet_usage: Option<UsageSource>,
}

/// Why the main component of a resource could not be priced.
type Unpriced = String;

impl<'a> Pricer<'a> {
    fn reason(&self, sku: &str) -> String {
        if self.ctx.catalog.priced_elsewhere(self.ctx.provider, sku) {
            format!(
                "no price for `{sku}` in {} (the catalog has it in other regions)",
                self.ctx.region
            )
        } else {
            format!("`{sku}` is not in the price catalog")
        }
    }

    /// Adds a line of `per_instance` units of `sku` (x count). `usage`: where the quantity came
    /// from, for usage-based lines. Returns false (and records the component) when unpriced.
    fn line(
        &mut self,
        name: String,
        sku: impl Into<Cow<'static, str>>,
        purchase: &str,
        per_instance: Decimal,
        usage: Option<(UsageSource, &'static str)>,
    ) -> bool {
        let mut sku = sku.into();
        let (provider, region) = (self.ctx.provider, self.ctx.region);
        let row = match self.ctx.builtin {
            Some(builtin) => {
                let row = builtin.lookup(provider, region, &sku, purchase);
                if let Some(row) = row {
                    // The row's SKU is the key it was found by: borrow it, no copy per line item.
                    sku = Cow::Borrowed(row.sku.as_str());
                }
                row
            }
            None => self.ctx.catalog.lookup(provider, region, &sku, purchase),
        };
        match row {
            Some(row) => {
                let quantity = per_instance * self.count;
                self.lines.push(LineItem {
                    name,
                    unit: static_unit(&row.unit),
                    quantity,
                    unit_price: row.price_usd,
                    monthly: quantity * row.price_usd,
                    sku,
                    usage_source: usage.map(|u| u.0),
                    usage_key: usage.map(|u| Cow::Borrowed(u.1)),
                    hours_per_instance: None,
                });
                true
            }
            None => {
                let reason = self.reason(&sku);
                self.missing.push(UnpricedComponent { name, reason });
                false
            }
        }
    }

    /// The main component: unpriced means the whole resource is unpriced.
    fn main(
        &mut self,
        name: String,
        sku: impl Into<Cow<'static, str>>,
        per_instance: Decimal,
    ) -> Result<(), Unpriced> {
        if self.line(name, sku, "on_demand", per_instance, None) {
            Ok(())
        } else {
            Err(self.take_missing())
        }
    }

    /// Removes the last unpriced component and returns its reason (the main component decides
    /// the resource's status instead).
    fn take_missing(&mut self) -> Unpriced {
        self.missing.pop().map(|m| m.reason).unwrap_or_default()
    }

    /// A usage-based line: quantity = usage value / `per` (e.g. requests per 1M).
    fn usage_line(
        &mut self,
        name: &str,
        sku: impl Into<Cow<'static, str>>,
        key: &'static str,
        default: Decimal,
        per: Decimal,
    ) {
        let (v, src) = self.usage.get(key, default);
        if v.is_zero() && src == UsageSource::Default {
            return;
        }
        let qty = if per.is_zero() { v } else { v / per };
        self.line(name.to_string(), sku, "on_demand", qty, Some((src, key)));
    }

    /// [`Pricer::usage_line`] for a price with volume tiers: the usage of `key` (per instance)
    /// fills each tier `(label, size, sku)` in turn, the last one without a size; a line per
    /// tier that gets any usage (the first one always).
    fn tiered_usage_line(
        &mut self,
        name: &str,
        key: &'static str,
        default: Decimal,
        tiers: &[(&str, Option<i64>, &'static str)],
    ) {
        let (v, src) = self.usage.get(key, default);
        if v.is_zero() && src == UsageSource::Default {
            return;
        }
        let mut left = v;
        for (i, &(label, size, sku)) in tiers.iter().enumerate() {
            let qty = size.map_or(left, |s| left.min(dec(s)));
            if qty.is_zero() && i > 0 {
                break;
            }
            self.line(
                format!("{name} ({label})"),
                sku,
                "on_demand",
                qty,
                Some((src, key)),
            );
            left -= qty;
        }
    }

    /// Hours per instance: `monthly_hours` usage if given, else 730 (a baseline line).
    fn hours(&self) -> (Decimal, Option<UsageSource>) {
        match self.usage.explicit("monthly_hours") {
            Some((h, s)) => (h, Some(s)),
            None => (hours(), None),
        }
    }

    /// Instance hours of `sku`, possibly usage-based (`monthly_hours`).
    fn instance_hours(
        &mut self,
        name: String,
        sku: impl Into<Cow<'static, str>>,
        instances: Decimal,
    ) -> Result<(), Unpriced> {
        let (h, src) = self.hours();
        let usage = src
            .map(|s| (s, "monthly_hours"))
            .or(self.fleet_usage.map(|s| (s, "average_instances")));
        if self.line(name, sku, "on_demand", h * instances, usage) {
            if let Some(last) = self.lines.last_mut() {
                last.hours_per_instance = Some(h);
            }
            Ok(())
        } else {
            Err(self.take_missing())
        }
    }

    /// The instance count of a fleet (autoscaling group, node pool...): `average_instances`
    /// usage when given, else the configured count.
    fn fleet(&mut self, configured: Decimal) -> Decimal {
        match self.usage.explicit("average_instances") {
            Some((n, src)) => {
                self.fleet_usage = Some(src);
                n
            }
            None => configured,
        }
    }

    fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

/// Units as static strings where they are the common ones (no allocation per line item).
fn static_unit(unit: &str) -> Cow<'static, str> {
    const UNITS: [&str; 12] = [
        "hour",
        "GB-month",
        "GB",
        "month",
        "1M requests",
        "1K requests",
        "10K requests",
        "IOPS-month",
        "LCU-hour",
        "GB-second",
        "day",
        "vCPU-hour",
    ];
    match UNITS.iter().find(|u| **u == unit) {
        Some(u) => Cow::Borrowed(u),
        None => Cow::Owned(unit.to_string()),
    }
}

/// Buffers the pricing of one resource fills, reused from resource to resource: each
/// resource's result then gets vectors of exactly its length (one allocation each, no growth by
/// reallocation), which keeps the estimate's memory small and dense.
#[derive(Default)]
pub(crate) struct Scratch {
    lines: Vec<LineItem>,
    missing: Vec<UnpricedComponent>,
    notes: Vec<String>,
}

/// The items of a scratch buffer in a vector of exactly their number; the buffer is left empty
/// (with its capacity) for the next resource.
fn exact<T>(scratch: &mut Vec<T>) -> Vec<T> {
    if scratch.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(scratch.len());
    out.append(scratch);
    out
}

/// The region a resource is billed in when it names its own, other than the blueprint's:
/// AWS's per-resource `region` (provider 6), Azure's `location` (`West Europe` is
/// `westeurope`), Google's `region`, `zone` (`europe-west1-b` is in `europe-west1`) or a
/// regional or zonal `location`. A multi-region location (`US`, `EU`, `nam5`) is not a
/// region: the rules that take one decide about it.
pub(crate) fn own_region(ctx: &Ctx<'_>, res: &Resource) -> Option<String> {
    let props = Props::new(ctx.bp, res);
    let region = match ctx.provider {
        Provider::Aws => props.str(&["region"])?.trim().to_ascii_lowercase(),
        Provider::Azure => props
            .str(&["location"])?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase(),
        Provider::Gcp => {
            let place = props
                .str(&["region"])
                .or_else(|| props.str(&["zone"]))
                .or_else(|| props.str(&["location"]))?
                .trim()
                .to_ascii_lowercase();
            match place.matches('-').count() {
                1 => place,
                2 => place
                    .rsplit_once('-')
                    .map(|(region, _)| region.to_string())?,
                _ => return None,
            }
        }
    };
    (!region.is_empty() && region != ctx.region.to_ascii_lowercase()).then_some(region)
}

/// Prices one resource.
///
/// `region`: the resource's own region ([`own_region`]) when it is not the blueprint's: its
/// prices are looked up there, and a note says so.
pub(crate) fn price_resource(
    ctx: &Ctx<'_>,
    res: &Resource,
    info: &ResourceInfo,
    usage: &UsageLookup<'_>,
    region: Option<&str>,
    scratch: &mut Scratch,
) -> ResourceCost {
    let here;
    let ctx = match region {
        Some(region) => {
            here = Ctx { region, ..*ctx };
            &here
        }
        None => ctx,
    };
    let count = res.instance_count();
    let mut out = ResourceCost {
        address: info.address.clone(),
        name: res.name.clone(),
        resource_type: info.type_name.clone(),
        count,
        status: PriceStatus::Priced,
        monthly: Decimal::ZERO,
        line_items: Vec::new(),
        reason: None,
        unpriced_components: Vec::new(),
        notes: Vec::new(),
    };
    if let Some(reason) = free_reason(&info.type_name) {
        out.status = PriceStatus::Free;
        out.reason = Some(Cow::Borrowed(reason));
        return out;
    }
    let mut p = Pricer {
        ctx,
        usage,
        count: Decimal::from(count),
        lines: std::mem::take(&mut scratch.lines),
        missing: std::mem::take(&mut scratch.missing),
        notes: std::mem::take(&mut scratch.notes),
        fleet_usage: None,
    };
    if let Some(region) = region {
        p.notes.push(format!(
            "priced in {region}, the resource's own region (the blueprint's is {})",
            ctx.bp.blueprint().region
        ));
    }
    let props = Props::new(ctx.bp, res);
    let result = match ctx.provider {
        Provider::Aws => aws(&mut p, &props, &info.type_name),
        Provider::Azure => azure(&mut p, &props, &info.type_name),
        Provider::Gcp => gcp(&mut p, &props, &info.type_name),
    };
    match result {
        Rule::Priced(Ok(())) if p.lines.is_empty() && !p.missing.is_empty() => {
            // Not one component could be priced: the resource is unpriced, never a silent $0.
            out.status = PriceStatus::Unpriced;
            let reasons: Vec<String> = p
                .missing
                .iter()
                .map(|m| format!("{}: {}", m.name, m.reason))
                .collect();
            out.reason = Some(Cow::Owned(format!(
                "no component could be priced ({})",
                reasons.join("; ")
            )));
            out.unpriced_components = exact(&mut p.missing);
            out.notes = exact(&mut p.notes);
        }
        Rule::Priced(Ok(())) => {
            out.monthly = p.lines.iter().map(|l| l.monthly).sum();
            out.line_items = exact(&mut p.lines);
            out.unpriced_components = exact(&mut p.missing);
            out.notes = exact(&mut p.notes);
        }
        Rule::Priced(Err(reason)) => {
            out.status = PriceStatus::Unpriced;
            out.reason = Some(Cow::Owned(reason));
            out.notes = exact(&mut p.notes);
        }
        Rule::Free(reason) => {
            out.status = PriceStatus::Free;
            out.reason = Some(Cow::Borrowed(reason));
        }
        Rule::NotCovered => {
            out.status = PriceStatus::Unpriced;
            out.reason = Some(Cow::Owned(format!(
                "the price catalog does not cover `{}` yet",
                info.type_name
            )));
        }
    }
    // What a rule left unused (e.g. lines of a resource that turned out unpriced) is dropped
    // here; the buffers go back, empty, for the next resource.
    p.lines.clear();
    p.missing.clear();
    p.notes.clear();
    scratch.lines = p.lines;
    scratch.missing = p.missing;
    scratch.notes = p.notes;
    out
}

/// What a rule decided.
pub(crate) enum Rule {
    Priced(Result<(), Unpriced>),
    Free(&'static str),
    NotCovered,
}

fn need<'p>(v: Option<&'p str>, arg: &str) -> Result<&'p str, Unpriced> {
    v.ok_or_else(|| {
        format!("`{arg}` is not set to a literal value, so the size to price is unknown")
    })
}

// ---------------------------------------------------------------------------------------- AWS

fn ebs(
    p: &mut Pricer<'_>,
    label: &str,
    vtype: &str,
    size: Decimal,
    iops: Option<Decimal>,
    throughput: Option<Decimal>,
    instances: Decimal,
) {
    let sku = format!("ebs/{vtype}");
    p.line(
        format!("{label} ({vtype})"),
        sku,
        "on_demand",
        size * instances,
        None,
    );
    match vtype {
        "gp3" => {
            if let Some(i) = iops.filter(|i| *i > dec(3000)) {
                p.line(
                    format!("{label} provisioned IOPS above 3000"),
                    "ebs/gp3-iops",
                    "on_demand",
                    (i - dec(3000)) * instances,
                    None,
                );
            }
            if let Some(t) = throughput.filter(|t| *t > dec(125)) {
                p.line(
                    format!("{label} throughput above 125 MBps"),
                    "ebs/gp3-throughput",
                    "on_demand",
                    (t - dec(125)) * instances,
                    None,
                );
            }
        }
        "io1" | "io2" => {
            let i = iops.unwrap_or(dec(100));
            p.line(
                format!("{label} provisioned IOPS"),
                format!("ebs/{vtype}-iops"),
                "on_demand",
                i * instances,
                None,
            );
        }
        _ => {}
    }
}

fn root_volume(p: &mut Pricer<'_>, props: &Props<'_>, block: &str, instances: Decimal) {
    let size = props.num(&[block, "volume_size"]).unwrap_or(dec(8));
    let vtype = props.str(&[block, "volume_type"]).unwrap_or("gp2");
    if !props.has(&[block, "volume_size"]) {
        p.note("root volume: 8 GB gp2 assumed (the EC2 default when root_block_device is not set)");
    }
    ebs(
        p,
        "Root volume",
        vtype,
        size,
        props.num(&[block, "iops"]),
        props.num(&[block, "throughput"]),
        instances,
    );
}

fn ec2_instance(p: &mut Pricer<'_>, t: &str, instances: Decimal) -> Result<(), Unpriced> {
    p.instance_hours(
        format!("Instance usage (Linux, on-demand, {t})"),
        format!("ec2/{t}"),
        instances,
    )
}

/// The instance type and root volume of a launch template.
fn launch_template<'a>(lt: &Props<'a>) -> (Option<&'a str>, Option<Decimal>, Option<&'a str>) {
    (
        lt.str(&["instance_type"]),
        lt.num(&["block_device_mappings", "ebs", "volume_size"]),
        lt.str(&["block_device_mappings", "ebs", "volume_type"]),
    )
}

fn rds_engine(engine: &str) -> Option<&'static str> {
    Some(match engine {
        "mysql" | "mariadb" => "mysql",
        "postgres" | "postgresql" => "postgres",
        "aurora" | "aurora-mysql" => "aurora-mysql",
        "aurora-postgresql" => "aurora-postgresql",
        _ => return None,
    })
}

fn aws(p: &mut Pricer<'_>, props: &Props<'_>, ty: &str) -> Rule {
    let one = Decimal::ONE;
    let r = match ty {
        "aws_instance" => (|| {
            let t = need(props.str(&["instance_type"]), "instance_type")?;
            if props.str(&["instance_market_options", "market_type"]) == Some("spot") {
                // Spot prices move with supply and demand, per zone and hour: no catalog holds
                // them, and the on-demand price would overstate the bill (and invite a
                // reserved-instance suggestion for a spot instance).
                p.missing.push(UnpricedComponent {
                    name: format!("Instance usage (Linux, spot, {t})"),
                    reason: "spot prices change with supply and demand in each availability zone; the catalog has no AWS spot prices (the on-demand price is the most a spot instance can cost)".into(),
                });
            } else {
                ec2_instance(p, t, one)?;
            }
            root_volume(p, props, "root_block_device", one);
            if let Some(Value::Array(devs)) = props.value(&["ebs_block_device"]).cloned() {
                for d in devs {
                    let size = d.get("volume_size").and_then(json_dec).unwrap_or(dec(8));
                    let vt = d
                        .get("volume_type")
                        .and_then(Value::as_str)
                        .unwrap_or("gp2")
                        .to_string();
                    ebs(
                        p,
                        "EBS volume",
                        &vt,
                        size,
                        d.get("iops").and_then(json_dec),
                        d.get("throughput").and_then(json_dec),
                        one,
                    );
                }
            }
            Ok(())
        })(),
        "aws_ebs_volume" => (|| {
            let vtype = props.str(&["type"]).unwrap_or("gp2");
            let size = props
                .num(&["size"])
                .ok_or_else(|| "`size` is not a literal value".to_string())?;
            let sku = format!("ebs/{vtype}");
            p.main(format!("Storage ({vtype})"), sku, size)?;
            let (iops, tp) = (props.num(&["iops"]), props.num(&["throughput"]));
            // Storage already added; add the performance lines.
            match vtype {
                "gp3" => {
                    if let Some(i) = iops.filter(|i| *i > dec(3000)) {
                        p.line(
                            "Provisioned IOPS above 3000".into(),
                            "ebs/gp3-iops",
                            "on_demand",
                            i - dec(3000),
                            None,
                        );
                    }
                    if let Some(t) = tp.filter(|t| *t > dec(125)) {
                        p.line(
                            "Throughput above 125 MBps".into(),
                            "ebs/gp3-throughput",
                            "on_demand",
                            t - dec(125),
                            None,
                        );
                    }
                }
                "io1" | "io2" => {
                    p.line(
                        "Provisioned IOPS".into(),
                        format!("ebs/{vtype}-iops"),
                        "on_demand",
                        iops.unwrap_or(dec(100)),
                        None,
                    );
                }
                _ => {}
            }
            Ok(())
        })(),
        "aws_ebs_snapshot" => {
            p.usage_line(
                "Snapshot storage",
                "ebs/snapshot",
                "storage_gb",
                dec(10),
                Decimal::ZERO,
            );
            Ok(())
        }
        "aws_autoscaling_group" => {
            (|| {
                let configured = props
                    .num(&["desired_capacity"])
                    .or(props.num(&["min_size"]))
                    .unwrap_or(one);
                let n = p.fleet(configured);
                let lt = props
                .referenced(&["launch_template", "id"])
                .or_else(|| props.referenced(&["launch_template", "name"]))
                .or_else(|| props.referenced(&["mixed_instances_policy", "launch_template", "launch_template_specification", "launch_template_id"]))
                .ok_or_else(|| "the instance type comes from a launch template this blueprint does not define".to_string())?;
                let ltp = Props::new(props.bp, lt);
                let (t, size, vt) = launch_template(&ltp);
                let t = need(t, "launch template instance_type")?;
                ec2_instance(p, t, n)?;
                ebs(
                    p,
                    "Root volume",
                    vt.unwrap_or("gp2"),
                    size.unwrap_or(dec(8)),
                    None,
                    None,
                    n,
                );
                p.note(format!(
                    "{n} instances (desired_capacity, else min_size) from launch template `{}`",
                    lt.name
                ));
                Ok(())
            })()
        }
        "aws_eks_node_group" => (|| {
            let configured = props
                .num(&["scaling_config", "desired_size"])
                .or(props.num(&["scaling_config", "min_size"]))
                .unwrap_or(one);
            let n = p.fleet(configured);
            let lt = props
                .referenced(&["launch_template", "id"])
                .or_else(|| props.referenced(&["launch_template", "name"]));
            let lt_props = lt.map(|r| Props::new(props.bp, r));
            let lt_info = lt_props.as_ref().map(launch_template);
            let t = props
                .str(&["instance_types"])
                .or(lt_info.and_then(|i| i.0))
                .unwrap_or("t3.medium");
            ec2_instance(p, t, n)?;
            match lt_info {
                Some((_, size, vt)) => ebs(
                    p,
                    "Node volume",
                    vt.unwrap_or("gp2"),
                    size.unwrap_or(dec(20)),
                    None,
                    None,
                    n,
                ),
                None => ebs(
                    p,
                    "Node volume",
                    "gp2",
                    props.num(&["disk_size"]).unwrap_or(dec(20)),
                    None,
                    None,
                    n,
                ),
            }
            if props.str(&["capacity_type"]) == Some("SPOT") {
                p.note("capacity_type SPOT: priced at on-demand rates (spot prices vary)");
            }
            Ok(())
        })(),
        "aws_eks_cluster" => p.instance_hours("EKS cluster".into(), "eks/cluster", Decimal::ONE),
        "aws_nat_gateway" => (|| {
            p.instance_hours("NAT gateway".into(), "vpc/nat-gateway", Decimal::ONE)?;
            p.usage_line(
                "Data processed",
                "vpc/nat-data",
                "monthly_data_processed_gb",
                dec(10),
                Decimal::ZERO,
            );
            Ok(())
        })(),
        "aws_eip" => p.instance_hours(
            "Public IPv4 address".into(),
            "vpc/public-ipv4",
            Decimal::ONE,
        ),
        "aws_vpc_endpoint" => {
            let kind = props.str(&["vpc_endpoint_type"]).unwrap_or("Gateway");
            if kind == "Gateway" {
                return Rule::Free("gateway endpoints (S3, DynamoDB) are free");
            }
            (|| {
                let azs = props.len(&["subnet_ids"]).filter(|n| *n > 0).unwrap_or(1);
                p.instance_hours(
                    format!("Interface endpoint ({azs} AZ)"),
                    "vpc/interface-endpoint",
                    Decimal::from(azs),
                )?;
                p.usage_line(
                    "Data processed",
                    "vpc/endpoint-data",
                    "monthly_data_processed_gb",
                    dec(1),
                    Decimal::ZERO,
                );
                Ok(())
            })()
        }
        "aws_lb" | "aws_alb" => (|| {
            let kind = props.str(&["load_balancer_type"]).unwrap_or("application");
            let (sku, lcu, label) = match kind {
                "application" => ("elb/alb", "elb/alb-lcu", "Application load balancer"),
                "network" => ("elb/nlb", "elb/nlb-lcu", "Network load balancer"),
                other => {
                    return Err(format!(
                        "`{other}` load balancers are not in the price catalog"
                    ))
                }
            };
            p.instance_hours(label.into(), sku, Decimal::ONE)?;
            let (n, src) = p.usage.get("monthly_lcu", one);
            let (h, _) = p.hours();
            p.line(
                "Load balancer capacity units".into(),
                lcu,
                "on_demand",
                n * h,
                Some((src, "monthly_lcu")),
            );
            Ok(())
        })(),
        "aws_s3_bucket" => {
            p.usage_line(
                "Standard storage",
                "s3/standard",
                "storage_gb",
                dec(10),
                Decimal::ZERO,
            );
            p.usage_line(
                "PUT, COPY, POST, LIST requests",
                "s3/put",
                "monthly_put_requests",
                dec(10_000),
                dec(1000),
            );
            p.usage_line(
                "GET and other requests",
                "s3/get",
                "monthly_get_requests",
                dec(100_000),
                dec(1000),
            );
            // Other storage classes (set by lifecycle rules) only when given.
            for (label, sku, key) in [
                (
                    "Standard-IA storage",
                    "s3/standard-ia",
                    "standard_ia_storage_gb",
                ),
                (
                    "One Zone-IA storage",
                    "s3/onezone-ia",
                    "onezone_ia_storage_gb",
                ),
                (
                    "Glacier Flexible Retrieval storage",
                    "s3/glacier",
                    "glacier_storage_gb",
                ),
                (
                    "Glacier Deep Archive storage",
                    "s3/deep-archive",
                    "deep_archive_storage_gb",
                ),
            ] {
                p.usage_line(label, sku, key, Decimal::ZERO, Decimal::ZERO);
            }
            Ok(())
        }
        "aws_db_instance" => (|| {
            let class = need(props.str(&["instance_class"]), "instance_class")?;
            let engine_name = props.str(&["engine"]).unwrap_or("mysql");
            let engine = rds_engine(engine_name).ok_or_else(|| format!("engine `{engine_name}` is not in the price catalog (mysql, mariadb, postgres, aurora-*)"))?;
            let multi = props.bool(&["multi_az"]).unwrap_or(false);
            rds_instance(p, engine, class, multi)?;
            let storage = props.num(&["allocated_storage"]).unwrap_or(dec(20));
            let iops = props.num(&["iops"]);
            let stype =
                props
                    .str(&["storage_type"])
                    .unwrap_or(if iops.is_some() { "io1" } else { "gp2" });
            let az = if multi { dec(2) } else { one };
            let multi_sku = format!("rds/storage/{stype}/multi-az");
            if multi
                && p.ctx
                    .catalog
                    .lookup(p.ctx.provider, p.ctx.region, &multi_sku, "on_demand")
                    .is_some()
            {
                p.line(
                    format!("Storage ({stype}, Multi-AZ)"),
                    multi_sku,
                    "on_demand",
                    storage,
                    None,
                );
            } else {
                p.line(
                    format!(
                        "Storage ({stype}{})",
                        if multi { ", Multi-AZ x2" } else { "" }
                    ),
                    format!("rds/storage/{stype}"),
                    "on_demand",
                    storage * az,
                    None,
                );
            }
            if stype == "io1" {
                p.line(
                    "Provisioned IOPS".into(),
                    "rds/iops/io1",
                    "on_demand",
                    iops.unwrap_or(dec(1000)) * az,
                    None,
                );
            }
            p.usage_line(
                "Backup storage beyond the free allowance",
                "rds/backup",
                "backup_storage_gb",
                Decimal::ZERO,
                Decimal::ZERO,
            );
            Ok(())
        })(),
        "aws_rds_cluster_instance" => (|| {
            let class = need(props.str(&["instance_class"]), "instance_class")?;
            let engine_name = props.str(&["engine"]).unwrap_or("aurora-mysql");
            let engine = rds_engine(engine_name)
                .ok_or_else(|| format!("engine `{engine_name}` is not in the price catalog"))?;
            rds_instance(p, engine, class, false)
        })(),
        "aws_rds_cluster" => {
            p.usage_line(
                "Aurora storage",
                "aurora/storage",
                "storage_gb",
                dec(10),
                Decimal::ZERO,
            );
            p.usage_line(
                "Aurora I/O requests",
                "aurora/io",
                "monthly_io_requests",
                dec(1_000_000),
                dec(1_000_000),
            );
            p.usage_line(
                "Backup storage",
                "aurora/backup",
                "backup_storage_gb",
                Decimal::ZERO,
                Decimal::ZERO,
            );
            if props.has(&["serverlessv2_scaling_configuration"]) {
                p.note("Aurora Serverless v2 capacity (ACU-hours) is not in the catalog; instances are priced on aws_rds_cluster_instance");
            }
            Ok(())
        }
        "aws_elasticache_cluster" => (|| {
            let node = need(props.str(&["node_type"]), "node_type")?;
            let n = props.num(&["num_cache_nodes"]).unwrap_or(one);
            p.instance_hours(
                format!("Cache nodes ({node})"),
                format!("elasticache/{node}"),
                n,
            )
        })(),
        "aws_elasticache_replication_group" => (|| {
            let node = need(props.str(&["node_type"]), "node_type")?;
            let n = props
                .num(&["num_cache_clusters"])
                .or_else(|| {
                    let groups = props.num(&["num_node_groups"])?;
                    Some(
                        groups
                            * (props
                                .num(&["replicas_per_node_group"])
                                .unwrap_or(Decimal::ZERO)
                                + one),
                    )
                })
                .unwrap_or(one);
            p.instance_hours(
                format!("Cache nodes ({node})"),
                format!("elasticache/{node}"),
                n,
            )?;
            p.note(format!("{n} nodes"));
            Ok(())
        })(),
        "aws_lambda_function" => {
            let arm = matches!(props.str(&["architectures"]), Some("arm64"));
            let mem = props.num(&["memory_size"]).unwrap_or(dec(128));
            let (req, rsrc) = p.usage.get("monthly_requests", dec(1_000_000));
            let (ms, msrc) = p.usage.get("average_duration_ms", dec(100));
            p.line(
                "Requests".into(),
                "lambda/requests",
                "on_demand",
                req / dec(1_000_000),
                Some((rsrc, "monthly_requests")),
            );
            let gbs = req * ms / dec(1000) * mem / dec(1024);
            let src = if rsrc == UsageSource::Default || msrc == UsageSource::Default {
                UsageSource::Default
            } else {
                rsrc
            };
            let sku = if arm {
                "lambda/duration-arm64"
            } else {
                "lambda/duration-x86"
            };
            p.line(
                format!(
                    "Duration ({mem} MB, {})",
                    if arm { "arm64" } else { "x86_64" }
                ),
                sku,
                "on_demand",
                gbs,
                Some((src, "average_duration_ms")),
            );
            Ok(())
        }
        "aws_dynamodb_table" => {
            if props.str(&["billing_mode"]) == Some("PAY_PER_REQUEST") {
                p.usage_line(
                    "Write request units",
                    "dynamodb/wru",
                    "monthly_write_request_units",
                    dec(1_000_000),
                    dec(1_000_000),
                );
                p.usage_line(
                    "Read request units",
                    "dynamodb/rru",
                    "monthly_read_request_units",
                    dec(1_000_000),
                    dec(1_000_000),
                );
            } else {
                let w = props.num(&["write_capacity"]).unwrap_or(one);
                let rc = props.num(&["read_capacity"]).unwrap_or(one);
                p.line(
                    format!("Write capacity ({w} WCU)"),
                    "dynamodb/wcu",
                    "on_demand",
                    w * hours(),
                    None,
                );
                p.line(
                    format!("Read capacity ({rc} RCU)"),
                    "dynamodb/rcu",
                    "on_demand",
                    rc * hours(),
                    None,
                );
            }
            p.usage_line(
                "Data storage",
                "dynamodb/storage",
                "storage_gb",
                dec(1),
                Decimal::ZERO,
            );
            Ok(())
        }
        "aws_cloudwatch_log_group" => {
            p.usage_line(
                "Data ingested",
                "cloudwatch/logs-ingest",
                "monthly_ingested_gb",
                dec(1),
                Decimal::ZERO,
            );
            p.usage_line(
                "Archival storage",
                "cloudwatch/logs-storage",
                "storage_gb",
                dec(1),
                Decimal::ZERO,
            );
            Ok(())
        }
        "aws_cloudwatch_metric_alarm" => p.main("Standard alarm".into(), "cloudwatch/alarm", one),
        "aws_route53_zone" => (|| {
            p.main("Hosted zone".into(), "route53/hosted-zone", one)?;
            p.usage_line(
                "Standard queries",
                "route53/queries",
                "monthly_queries",
                Decimal::ZERO,
                dec(1_000_000),
            );
            Ok(())
        })(),
        "aws_kms_key" => (|| {
            p.main("Customer managed key".into(), "kms/key", one)?;
            p.usage_line(
                "Requests",
                "kms/requests",
                "monthly_requests",
                dec(10_000),
                dec(10_000),
            );
            Ok(())
        })(),
        "aws_sqs_queue" => {
            let fifo = props.bool(&["fifo_queue"]).unwrap_or(false);
            let (sku, label) = if fifo {
                ("sqs/fifo", "Requests (FIFO)")
            } else {
                ("sqs/standard", "Requests")
            };
            p.usage_line(
                label,
                sku,
                "monthly_requests",
                dec(1_000_000),
                dec(1_000_000),
            );
            Ok(())
        }
        "aws_sns_topic" => {
            p.usage_line(
                "API requests",
                "sns/requests",
                "monthly_requests",
                dec(1_000_000),
                dec(1_000_000),
            );
            Ok(())
        }
        "aws_ecr_repository" => {
            p.usage_line(
                "Storage",
                "ecr/storage",
                "storage_gb",
                dec(1),
                Decimal::ZERO,
            );
            Ok(())
        }
        "aws_secretsmanager_secret" => p.main("Secret".into(), "secretsmanager/secret", one),
        "aws_cloudfront_distribution" => {
            // AWS's volume tiers for the US, Mexico and Canada (GB a month).
            p.tiered_usage_line(
                "Data transfer out",
                "monthly_data_transfer_out_gb",
                dec(10),
                &[
                    ("first 10TB", Some(10_240), "cloudfront/data-out"),
                    ("next 40TB", Some(40_960), "cloudfront/data-out-next-40tb"),
                    (
                        "next 100TB",
                        Some(102_400),
                        "cloudfront/data-out-next-100tb",
                    ),
                    (
                        "next 350TB",
                        Some(358_400),
                        "cloudfront/data-out-next-350tb",
                    ),
                    (
                        "next 524TB",
                        Some(536_576),
                        "cloudfront/data-out-next-524tb",
                    ),
                    ("next 4PB", Some(4_194_304), "cloudfront/data-out-next-4pb"),
                    ("over 5PB", None, "cloudfront/data-out-over-5pb"),
                ],
            );
            p.usage_line(
                "HTTPS requests",
                "cloudfront/https-requests",
                "monthly_https_requests",
                dec(1_000_000),
                dec(10_000),
            );
            Ok(())
        }
        "aws_wafv2_web_acl" => (|| {
            p.main("Web ACL".into(), "waf/web-acl", one)?;
            let rules = props.len(&["rule"]).unwrap_or(0);
            if rules > 0 {
                p.line(
                    format!("Rules ({rules})"),
                    "waf/rule",
                    "on_demand",
                    Decimal::from(rules),
                    None,
                );
            }
            p.usage_line(
                "Requests",
                "waf/requests",
                "monthly_requests",
                dec(1_000_000),
                dec(1_000_000),
            );
            Ok(())
        })(),
        "aws_cloudfront_function" => {
            p.usage_line(
                "Invocations",
                "cloudfront/function-invocations",
                "monthly_requests",
                dec(1_000_000),
                dec(1_000_000),
            );
            Ok(())
        }
        "aws_apigatewayv2_api" => {
            if props.str(&["protocol_type"]) == Some("WEBSOCKET") {
                Err("WebSocket API prices are not in the catalog".to_string())
            } else {
                p.usage_line(
                    "HTTP API requests",
                    "apigw/http-requests",
                    "monthly_requests",
                    dec(1_000_000),
                    dec(1_000_000),
                );
                Ok(())
            }
        }
        _ => return Rule::NotCovered,
    };
    Rule::Priced(r)
}

fn rds_instance(
    p: &mut Pricer<'_>,
    engine: &str,
    class: &str,
    multi: bool,
) -> Result<(), Unpriced> {
    let single = format!("rds/{engine}/{class}");
    if multi {
        let multi_sku = format!("{single}/multi-az");
        if p.ctx
            .catalog
            .lookup(p.ctx.provider, p.ctx.region, &multi_sku, "on_demand")
            .is_some()
        {
            return p.instance_hours(
                format!("Database instance ({engine}, {class}, Multi-AZ)"),
                multi_sku,
                Decimal::ONE,
            );
        }
        p.note("Multi-AZ: billed as two instances (the standby costs the same as the primary)");
        return p.instance_hours(
            format!("Database instance ({engine}, {class}, Multi-AZ x2)"),
            single,
            dec(2),
        );
    }
    p.instance_hours(
        format!("Database instance ({engine}, {class})"),
        single,
        Decimal::ONE,
    )
}

use crate::blueprint::Value;

fn json_dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

// -------------------------------------------------------------------------------------- Azure

/// The managed disk tier for a size: Premium_LRS -> P*, StandardSSD_LRS -> E*, Standard_LRS -> S*.
pub(crate) fn azure_disk_tier(account_type: &str, size_gb: Decimal) -> Option<String> {
    let prefix = match account_type {
        "Premium_LRS" | "Premium_ZRS" => "P",
        "StandardSSD_LRS" | "StandardSSD_ZRS" => "E",
        "Standard_LRS" => "S",
        _ => return None,
    };
    const TIERS: [(i64, u32); 15] = [
        (4, 1),
        (8, 2),
        (16, 3),
        (32, 4),
        (64, 6),
        (128, 10),
        (256, 15),
        (512, 20),
        (1024, 30),
        (2048, 40),
        (4096, 50),
        (8192, 60),
        (16384, 70),
        (32767, 80),
        (i64::MAX, 80),
    ];
    let n = TIERS
        .iter()
        .find(|(max, _)| size_gb <= Decimal::from(*max))?
        .1;
    // Standard HDD starts at S4.
    let n = if prefix == "S" { n.max(4) } else { n };
    Some(format!("{prefix}{n}"))
}

fn azure_disk(
    p: &mut Pricer<'_>,
    label: &str,
    account_type: &str,
    size: Decimal,
    instances: Decimal,
) {
    match azure_disk_tier(account_type, size) {
        Some(tier) => {
            p.line(
                format!("{label} ({tier}, {size} GB)"),
                format!("disk/{tier}"),
                "on_demand",
                instances,
                None,
            );
        }
        None => p.missing.push(UnpricedComponent {
            name: label.to_string(),
            reason: format!("disk type `{account_type}` is not in the price catalog"),
        }),
    }
}

fn azure(p: &mut Pricer<'_>, props: &Props<'_>, ty: &str) -> Rule {
    let one = Decimal::ONE;
    let r = match ty {
        "azurerm_linux_virtual_machine" => (|| {
            let size = need(props.str(&["size"]), "size")?;
            p.instance_hours(format!("Instance usage (Linux, pay as you go, {size})"), format!("vm/{size}"), one)?;
            let at = props.str(&["os_disk", "storage_account_type"]).unwrap_or("Standard_LRS");
            let gb = props.num(&["os_disk", "disk_size_gb"]).unwrap_or(dec(30));
            azure_disk(p, "OS disk", at, gb, one);
            Ok(())
        })(),
        "azurerm_windows_virtual_machine" | "azurerm_windows_virtual_machine_scale_set" => {
            Err("Windows VM prices (with the Windows license) are not in the catalog; it has Linux rates only".to_string())
        }
        "azurerm_linux_virtual_machine_scale_set" => (|| {
            let size = need(props.str(&["sku"]), "sku")?;
            let n = p.fleet(props.num(&["instances"]).unwrap_or(one));
            p.instance_hours(format!("Instance usage (Linux, pay as you go, {size})"), format!("vm/{size}"), n)?;
            let at = props.str(&["os_disk", "storage_account_type"]).unwrap_or("Standard_LRS");
            let gb = props.num(&["os_disk", "disk_size_gb"]).unwrap_or(dec(30));
            azure_disk(p, "OS disk", at, gb, n);
            Ok(())
        })(),
        "azurerm_managed_disk" => (|| {
            let at = props.str(&["storage_account_type"]).unwrap_or("Standard_LRS");
            let gb = props.num(&["disk_size_gb"]).ok_or_else(|| "`disk_size_gb` is not a literal value".to_string())?;
            let tier = azure_disk_tier(at, gb).ok_or_else(|| format!("disk type `{at}` is not in the price catalog"))?;
            p.main(format!("Managed disk ({tier}, {gb} GB)"), format!("disk/{tier}"), one)
        })(),
        "azurerm_kubernetes_cluster" => (|| {
            let tier = props.str(&["sku_tier"]).unwrap_or("Free");
            if tier != "Free" {
                p.instance_hours(format!("Uptime SLA ({tier} tier)"), "aks/uptime-sla", Decimal::ONE)?;
            }
            let size = need(props.str(&["default_node_pool", "vm_size"]), "default_node_pool.vm_size")?;
            let configured = props
                .num(&["default_node_pool", "node_count"])
                .or(props.num(&["default_node_pool", "min_count"]))
                .unwrap_or(one);
            let n = p.fleet(configured);
            p.instance_hours(format!("Default node pool ({n} x {size})"), format!("vm/{size}"), n)?;
            aks_os_disk(p, props, &["default_node_pool"], n);
            Ok(())
        })(),
        "azurerm_kubernetes_cluster_node_pool" => (|| {
            let size = need(props.str(&["vm_size"]), "vm_size")?;
            let n = p.fleet(props.num(&["node_count"]).or(props.num(&["min_count"])).unwrap_or(one));
            p.instance_hours(format!("Node pool ({n} x {size})"), format!("vm/{size}"), n)?;
            aks_os_disk(p, props, &[], n);
            Ok(())
        })(),
        "azurerm_storage_account" => {
            let tier = props.str(&["access_tier"]).unwrap_or("Hot");
            let repl = props.str(&["account_replication_type"]).unwrap_or("LRS");
            if props.str(&["account_tier"]) == Some("Premium") {
                Err("Premium storage account prices are not in the catalog".to_string())
            } else {
                p.usage_line(&format!("Blob capacity ({tier}, {repl})"), format!("blob/{tier}/{repl}"), "storage_gb", dec(10), Decimal::ZERO);
                p.usage_line("Write operations", "blob/write-ops/LRS", "monthly_write_operations", dec(10_000), dec(10_000));
                p.usage_line("Read operations", "blob/read-ops/LRS", "monthly_read_operations", dec(100_000), dec(10_000));
                Ok(())
            }
        }
        "azurerm_postgresql_flexible_server" | "azurerm_mysql_flexible_server" => (|| {
            let fam = if ty.contains("postgresql") { "pg-flex" } else { "mysql-flex" };
            let sku = need(props.str(&["sku_name"]), "sku_name")?;
            let ha = props.has(&["high_availability", "mode"]);
            let n = if ha { dec(2) } else { one };
            p.instance_hours(format!("Compute ({sku}{})", if ha { ", high availability x2" } else { "" }), format!("{fam}/{sku}"), n)?;
            let gb = if fam == "pg-flex" {
                props.num(&["storage_mb"]).map(|mb| mb / dec(1024)).unwrap_or(dec(32))
            } else {
                props.num(&["storage", "size_gb"]).unwrap_or(dec(20))
            };
            p.line(format!("Storage ({gb} GB)"), format!("{fam}/storage"), "on_demand", gb * n, None);
            p.usage_line("Additional backup storage", format!("{fam}/backup"), "backup_storage_gb", Decimal::ZERO, Decimal::ZERO);
            if ha {
                p.note("high availability: the standby is billed like the primary (compute and storage x2)");
            }
            Ok(())
        })(),
        "azurerm_lb" => {
            if props.str(&["sku"]).unwrap_or("Basic") == "Basic" {
                return Rule::Free("Basic load balancers are free");
            }
            p.usage_line("Data processed", "lb/data", "monthly_data_processed_gb", dec(10), Decimal::ZERO);
            p.note("Standard load balancer rule hours are not in the catalog; only data processed is priced");
            Ok(())
        }
        "azurerm_nat_gateway" => (|| {
            p.instance_hours("NAT gateway".into(), "nat/gateway", Decimal::ONE)?;
            p.usage_line("Data processed", "nat/data", "monthly_data_processed_gb", dec(10), Decimal::ZERO);
            Ok(())
        })(),
        "azurerm_public_ip" => p.instance_hours("IP address (static)".into(), "public-ip/static", Decimal::ONE),
        "azurerm_container_registry" => (|| {
            let sku = props.str(&["sku"]).unwrap_or("Basic");
            let days = hours() / dec(24);
            p.main(format!("Registry usage ({sku})"), format!("acr/{sku}"), days)?;
            let geo = props.len(&["georeplications"]).unwrap_or(0);
            if geo > 0 {
                p.line(format!("Geo replication ({geo} locations)"), "acr/Premium", "on_demand", days * Decimal::from(geo), None);
            }
            p.usage_line("Storage above the included amount", "acr/storage", "storage_gb", Decimal::ZERO, Decimal::ZERO);
            Ok(())
        })(),
        "azurerm_log_analytics_workspace" => {
            p.usage_line("Log data ingestion", "log-analytics/ingest", "monthly_ingested_gb", dec(1), Decimal::ZERO);
            Ok(())
        }
        "azurerm_dns_zone" => p.main("DNS zone".into(), "dns/zone", one),
        "azurerm_private_dns_zone" => p.main("Private DNS zone".into(), "private-dns/zone", one),
        "azurerm_key_vault" => {
            p.usage_line("Operations", "keyvault/operations", "monthly_operations", dec(10_000), dec(10_000));
            Ok(())
        }
        "azurerm_private_endpoint" => (|| {
            p.instance_hours("Private endpoint".into(), "private-endpoint/hour", Decimal::ONE)?;
            p.usage_line("Data processed", "private-endpoint/data", "monthly_data_processed_gb", dec(1), Decimal::ZERO);
            Ok(())
        })(),
        "azurerm_service_plan" => (|| {
            if props.str(&["os_type"]) == Some("Windows") {
                return Err("Windows App Service plan prices are not in the catalog".to_string());
            }
            let sku = need(props.str(&["sku_name"]), "sku_name")?;
            let n = props.num(&["worker_count"]).unwrap_or(one);
            p.instance_hours(format!("App Service plan ({n} x {sku}, Linux)"), format!("app-service/{sku}"), n)
        })(),
        _ => return Rule::NotCovered,
    };
    Rule::Priced(r)
}

fn aks_os_disk(p: &mut Pricer<'_>, props: &Props<'_>, prefix: &[&str], n: Decimal) {
    let path = |k: &'static str| -> Vec<&str> { prefix.iter().copied().chain([k]).collect() };
    if props.str(&path("os_disk_type")) == Some("Ephemeral") {
        return;
    }
    let gb = props.num(&path("os_disk_size_gb")).unwrap_or(dec(128));
    azure_disk(p, "OS disk (managed)", "Premium_LRS", gb, n);
}

// ---------------------------------------------------------------------------------------- GCP

fn gce_instance(p: &mut Pricer<'_>, m: &str, n: Decimal, spot: bool) -> Result<(), Unpriced> {
    let sku = format!("gce/{m}");
    let (h, src) = p.hours();
    if spot {
        p.note("spot/preemptible: priced at the spot rate, which varies");
        return if p.line(
            format!("Instance usage (spot, {m})"),
            sku,
            "spot",
            h * n,
            src.map(|s| (s, "monthly_hours")),
        ) {
            Ok(())
        } else {
            Err(p.take_missing())
        };
    }
    let sud = p
        .ctx
        .catalog
        .lookup(p.ctx.provider, p.ctx.region, &sku, "sud_month")
        .map(|r| r.price_usd);
    if let (Some(source), Some(month)) = (src, sud) {
        let hourly = p
            .ctx
            .catalog
            .lookup(p.ctx.provider, p.ctx.region, &sku, "on_demand")
            .map(|r| r.price_usd);
        if let Some(fraction) = hourly.and_then(|hourly| sustained_use_months(h, hourly, month)) {
            // GCP applies the discount to the hours the instance runs, whoever says how many.
            if p.line(
                format!("Instance usage (on-demand, sustained use for {h} hours, {m})"),
                sku.clone(),
                "sud_month",
                fraction * n,
                Some((source, "monthly_hours")),
            ) {
                if let Some(last) = p.lines.last_mut() {
                    last.hours_per_instance = Some(h);
                }
                return Ok(());
            }
            p.missing.pop();
        }
    }
    if src.is_none() && sud.is_some() {
        // Always on: GCP's sustained-use discount applies; the published monthly price has it.
        if p.line(
            format!("Instance usage (on-demand, sustained use, {m})"),
            sku.clone(),
            "sud_month",
            n,
            None,
        ) {
            return Ok(());
        }
        p.missing.pop();
    }
    p.instance_hours(format!("Instance usage (on-demand, {m})"), sku, n)
}

/// The cost of `running` hours of an instance with GCP's sustained-use discount, in months of its
/// `month` price (the catalog's price for a whole month, discount included). GCP bills each
/// quarter of the month the instance runs at a lower rate than the one before: for N1 100%,
/// 80%, 60%, 40% of the hourly price; for N2 and N2D 100%, 86.78%, 73.56%, 60.34%. The steps
/// are equal, so the step follows from the whole month's discount (the average of the four
/// rates). Hours past the catalog's month take the last rate. `None` when there is no discount.
fn sustained_use_months(running: Decimal, hourly: Decimal, month: Decimal) -> Option<Decimal> {
    let full = hours() * hourly;
    if month <= Decimal::ZERO || full <= month {
        return None;
    }
    let step = (Decimal::ONE - month / full) / Decimal::new(15, 1);
    let quarter = hours() / dec(4);
    let mut cost = Decimal::ZERO;
    for k in 0..4i64 {
        let start = quarter * dec(k);
        let within = if k == 3 {
            (running - start).max(Decimal::ZERO)
        } else {
            (running - start).clamp(Decimal::ZERO, quarter)
        };
        cost += within * hourly * (Decimal::ONE - step * dec(k));
    }
    Some(cost / month)
}

fn gcp_disk(p: &mut Pricer<'_>, label: &str, dtype: &str, gb: Decimal, n: Decimal) {
    p.line(
        format!("{label} ({dtype}, {gb} GB)"),
        format!("disk/{dtype}"),
        "on_demand",
        gb * n,
        None,
    );
}

fn is_gcp_region(location: &str) -> bool {
    // Regions are `europe-west1`; zones add `-b`.
    location.matches('-').count() == 1
}

fn gcp(p: &mut Pricer<'_>, props: &Props<'_>, ty: &str) -> Rule {
    let one = Decimal::ONE;
    let r = match ty {
        "google_compute_instance" => (|| {
            let m = need(props.str(&["machine_type"]), "machine_type")?;
            let spot = props.bool(&["scheduling", "preemptible"]) == Some(true)
                || props.str(&["scheduling", "provisioning_model"]) == Some("SPOT");
            gce_instance(p, m, one, spot)?;
            let dt = props
                .str(&["boot_disk", "initialize_params", "type"])
                .unwrap_or("pd-standard");
            let gb = props
                .num(&["boot_disk", "initialize_params", "size"])
                .unwrap_or(dec(10));
            gcp_disk(p, "Boot disk", dt, gb, one);
            Ok(())
        })(),
        "google_compute_disk" => {
            let dt = props.str(&["type"]).unwrap_or("pd-standard");
            let gb = props.num(&["size"]).unwrap_or(dec(10));
            p.main(format!("Disk ({dt}, {gb} GB)"), format!("disk/{dt}"), gb)
        }
        "google_compute_instance_group_manager"
        | "google_compute_region_instance_group_manager" => (|| {
            let n = p.fleet(props.num(&["target_size"]).unwrap_or(one));
            let tpl = props
                .referenced(&["version", "instance_template"])
                .ok_or_else(|| "the machine type comes from an instance template this blueprint does not define".to_string())?;
            let tp = Props::new(props.bp, tpl);
            let m = need(tp.str(&["machine_type"]), "instance template machine_type")?;
            gce_instance(p, m, n, false)?;
            let gb = tp.num(&["disk", "disk_size_gb"]).unwrap_or(dec(10));
            let dt = tp.str(&["disk", "disk_type"]).unwrap_or("pd-standard");
            gcp_disk(p, "Boot disk", dt, gb, n);
            Ok(())
        })(),
        "google_container_cluster" => (|| {
            p.instance_hours("Cluster management fee".into(), "gke/cluster", Decimal::ONE)?;
            let autopilot = props.bool(&["enable_autopilot"]) == Some(true);
            let removed = props.bool(&["remove_default_node_pool"]) == Some(true);
            if autopilot {
                p.note("Autopilot pod resources are billed per use and not estimated");
            } else if !removed {
                let per_zone = props.num(&["initial_node_count"]).unwrap_or(one);
                let zones = gke_zones(props, props.str(&["location"]));
                let n = per_zone * zones;
                let m = props
                    .str(&["node_config", "machine_type"])
                    .unwrap_or("e2-medium");
                gce_instance(p, m, n, false)?;
                let gb = props
                    .num(&["node_config", "disk_size_gb"])
                    .unwrap_or(dec(100));
                let dt = props
                    .str(&["node_config", "disk_type"])
                    .unwrap_or("pd-balanced");
                gcp_disk(p, "Default pool disks", dt, gb, n);
                p.note(format!(
                    "default node pool: {n} nodes ({per_zone} per zone x {zones} zones)"
                ));
            }
            Ok(())
        })(),
        "google_container_node_pool" => (|| {
            let per_zone = props
                .num(&["node_count"])
                .or(props.num(&["autoscaling", "min_node_count"]))
                .or(props.num(&["initial_node_count"]))
                .unwrap_or(one);
            let cluster_loc = props
                .referenced(&["cluster"])
                .and_then(|c| Props::new(props.bp, c).str(&["location"]));
            let zones = gke_zones(props, props.str(&["location"]).or(cluster_loc));
            // `average_instances` is the pool's total node count (all zones).
            let n = p.fleet(per_zone * zones);
            let m = props
                .str(&["node_config", "machine_type"])
                .unwrap_or("e2-medium");
            let spot = props.bool(&["node_config", "spot"]) == Some(true)
                || props.bool(&["node_config", "preemptible"]) == Some(true);
            gce_instance(p, m, n, spot)?;
            let gb = props
                .num(&["node_config", "disk_size_gb"])
                .unwrap_or(dec(100));
            let dt = props
                .str(&["node_config", "disk_type"])
                .unwrap_or("pd-balanced");
            gcp_disk(p, "Node disks", dt, gb, n);
            p.note(format!("{n} nodes ({per_zone} per zone x {zones} zones)"));
            Ok(())
        })(),
        "google_compute_router_nat" => (|| {
            p.instance_hours("Cloud NAT gateway".into(), "nat/gateway", Decimal::ONE)?;
            p.usage_line(
                "Data processed",
                "nat/data",
                "monthly_data_processed_gb",
                dec(10),
                Decimal::ZERO,
            );
            Ok(())
        })(),
        "google_compute_address" => {
            if props.str(&["address_type"]) == Some("INTERNAL") {
                return Rule::Free("internal addresses are free");
            }
            p.instance_hours(
                "Static IP address (in use)".into(),
                "ip/in-use",
                Decimal::ONE,
            )
        }
        "google_compute_global_address" => {
            if matches!(
                props.str(&["purpose"]),
                Some("VPC_PEERING") | Some("PRIVATE_SERVICE_CONNECT")
            ) || props.str(&["address_type"]) == Some("INTERNAL")
            {
                return Rule::Free("internal address ranges are free");
            }
            p.instance_hours(
                "Static IP address (in use)".into(),
                "ip/in-use",
                Decimal::ONE,
            )
        }
        "google_compute_forwarding_rule" | "google_compute_global_forwarding_rule" => (|| {
            p.instance_hours("Forwarding rule".into(), "lb/forwarding-rule", Decimal::ONE)?;
            p.usage_line(
                "Ingress data processed",
                "lb/ingress",
                "monthly_ingress_data_gb",
                dec(10),
                Decimal::ZERO,
            );
            Ok(())
        })(),
        "google_storage_bucket" => {
            let class = props.str(&["storage_class"]).unwrap_or("STANDARD");
            let loc = props.str(&["location"]).unwrap_or("US");
            if !loc.eq_ignore_ascii_case(p.ctx.region) {
                Err(format!("location `{loc}` is a multi- or dual-region; the catalog has regional bucket prices only (use location {})", p.ctx.region.to_uppercase()))
            } else {
                p.usage_line(
                    &format!("Storage ({class})"),
                    format!("gcs/{class}"),
                    "storage_gb",
                    dec(10),
                    Decimal::ZERO,
                );
                p.usage_line(
                    "Class A operations",
                    "gcs/class-a",
                    "monthly_class_a_operations",
                    Decimal::ZERO,
                    dec(10_000),
                );
                p.usage_line(
                    "Class B operations",
                    "gcs/class-b",
                    "monthly_class_b_operations",
                    Decimal::ZERO,
                    dec(10_000),
                );
                Ok(())
            }
        }
        "google_sql_database_instance" => (|| {
            let tier = need(props.str(&["settings", "tier"]), "settings.tier")?;
            let (cpu, mem) = cloudsql_shape(tier).ok_or_else(|| format!("tier `{tier}` is not in the price catalog (db-custom-*, db-n1-standard-*, db-n1-highmem-*)"))?;
            let avail = props
                .str(&["settings", "availability_type"])
                .unwrap_or("ZONAL");
            p.instance_hours(
                format!("vCPUs ({cpu}, {avail})"),
                format!("cloudsql/vcpu/{avail}"),
                cpu,
            )?;
            let (h, hsrc) = p.hours();
            p.line(
                format!("Memory ({mem} GB, {avail})"),
                format!("cloudsql/memory/{avail}"),
                "on_demand",
                mem * h,
                hsrc.map(|s| (s, "monthly_hours")),
            );
            let gb = props.num(&["settings", "disk_size"]).unwrap_or(dec(10));
            if props.str(&["settings", "disk_type"]).unwrap_or("PD_SSD") == "PD_SSD" {
                p.line(
                    format!("Storage (SSD, {avail})"),
                    format!("cloudsql/ssd/{avail}"),
                    "on_demand",
                    gb,
                    None,
                );
            } else {
                p.missing.push(UnpricedComponent {
                    name: "Storage (HDD)".into(),
                    reason: "Cloud SQL HDD storage is not in the catalog".into(),
                });
            }
            p.usage_line(
                "Backups",
                "cloudsql/backup",
                "backup_storage_gb",
                Decimal::ZERO,
                Decimal::ZERO,
            );
            Ok(())
        })(),
        "google_pubsub_topic" => {
            // Throughput is priced per TiB; the usage is given in GB.
            p.usage_line(
                "Message throughput",
                "pubsub/throughput",
                "monthly_data_processed_gb",
                dec(1),
                dec(1024),
            );
            Ok(())
        }
        "google_secret_manager_secret" => {
            let (n, src) = p.usage.get("active_versions", one);
            p.line(
                "Active secret versions".into(),
                "secretmanager/version",
                "on_demand",
                n,
                Some((src, "active_versions")),
            );
            Ok(())
        }
        "google_cloud_scheduler_job" => p.main("Scheduler job".into(), "scheduler/job", one),
        "google_cloud_run_v2_service" => {
            let c = ["template", "containers", "resources", "limits"];
            let cpu = cloud_run_cpu(props.str(&[c[0], c[1], c[2], c[3], "cpu"]).unwrap_or("1"));
            let gib = memory_gib(
                props
                    .str(&[c[0], c[1], c[2], c[3], "memory"])
                    .unwrap_or("512Mi"),
            );
            match (cpu, gib.map(|g| g.normalize())) {
                (Some(cpu), Some(gib)) => {
                    let (req, rsrc) = p.usage.get("monthly_requests", dec(1_000_000));
                    let (ms, msrc) = p.usage.get("average_duration_ms", dec(100));
                    let (conc, _) = p.usage.get("average_concurrency", one);
                    let conc = conc.max(one);
                    let secs = req * ms / dec(1000) / conc;
                    let src = if rsrc == UsageSource::Default || msrc == UsageSource::Default {
                        UsageSource::Default
                    } else {
                        rsrc
                    };
                    p.line(
                        "Requests".into(),
                        "run/requests",
                        "on_demand",
                        req / dec(1_000_000),
                        Some((rsrc, "monthly_requests")),
                    );
                    p.line(
                        format!("CPU while serving ({cpu} vCPU)"),
                        "run/request-vcpu-second",
                        "on_demand",
                        secs * cpu,
                        Some((src, "average_duration_ms")),
                    );
                    p.line(
                        format!("Memory while serving ({gib} GiB)"),
                        "run/request-gib-second",
                        "on_demand",
                        secs * gib,
                        Some((src, "average_duration_ms")),
                    );
                    let min = p
                        .usage
                        .explicit("min_instances")
                        .map(|x| x.0)
                        .or(props.num(&["template", "scaling", "min_instance_count"]))
                        .unwrap_or(Decimal::ZERO);
                    if min > Decimal::ZERO {
                        p.missing.push(UnpricedComponent {
                            name: format!("Idle minimum instances ({min})"),
                            reason: "idle minimum-instance rates are not in the catalog".into(),
                        });
                    }
                    p.note("each request's time is billed on its own unless `average_concurrency` says how many requests an instance serves at once");
                    Ok(())
                }
                _ => Err(
                    "the container's cpu or memory limit is not a literal Cloud Run value"
                        .to_string(),
                ),
            }
        }
        "google_cloud_run_v2_job" => {
            let c = ["template", "template", "containers", "resources", "limits"];
            let cpu = cloud_run_cpu(
                props
                    .str(&[c[0], c[1], c[2], c[3], c[4], "cpu"])
                    .unwrap_or("1"),
            );
            let gib = memory_gib(
                props
                    .str(&[c[0], c[1], c[2], c[3], c[4], "memory"])
                    .unwrap_or("512Mi"),
            );
            match (cpu, gib.map(|g| g.normalize())) {
                (Some(cpu), Some(gib)) => {
                    let tasks = props.num(&["template", "task_count"]).unwrap_or(one);
                    let (runs, esrc) = p.usage.get("monthly_executions", dec(30));
                    let (ms, msrc) = p.usage.get("average_duration_ms", dec(60_000));
                    let secs = runs * tasks * ms / dec(1000);
                    let src = if esrc == UsageSource::Default || msrc == UsageSource::Default {
                        UsageSource::Default
                    } else {
                        esrc
                    };
                    p.line(
                        format!("CPU ({tasks} tasks x {cpu} vCPU)"),
                        "run/job-vcpu-second",
                        "on_demand",
                        secs * cpu,
                        Some((src, "monthly_executions")),
                    );
                    p.line(
                        format!("Memory ({tasks} tasks x {gib} GiB)"),
                        "run/job-gib-second",
                        "on_demand",
                        secs * gib,
                        Some((src, "monthly_executions")),
                    );
                    Ok(())
                }
                _ => Err(
                    "the container's cpu or memory limit is not a literal Cloud Run value"
                        .to_string(),
                ),
            }
        }
        "google_firestore_database" => (|| {
            // A database's price follows its own `location_id`, and a multi-region location
            // (`nam5`, `eur3`) costs about twice a regional one. The catalog holds regional rows
            // looked up by the blueprint's region, so any other location is unpriced, not guessed.
            if let Some(location) = props.str(&["location_id"]) {
                if location != p.ctx.region {
                    return Err(format!(
                        "the database's location_id `{location}` is not the blueprint region {}; \
                         the catalog prices Firestore in the blueprint region only",
                        p.ctx.region
                    ));
                }
            }
            p.usage_line(
                "Document reads",
                "firestore/reads",
                "monthly_reads",
                dec(100_000),
                dec(100_000),
            );
            p.usage_line(
                "Document writes",
                "firestore/writes",
                "monthly_writes",
                dec(100_000),
                dec(100_000),
            );
            p.usage_line(
                "Stored data",
                "firestore/storage",
                "storage_gb",
                dec(1),
                Decimal::ZERO,
            );
            Ok(())
        })(),
        "google_kms_crypto_key" => p.main("Key version".into(), "kms/key-version", one),
        "google_artifact_registry_repository" => {
            p.usage_line(
                "Storage",
                "artifact-registry/storage",
                "storage_gb",
                dec(1),
                Decimal::ZERO,
            );
            Ok(())
        }
        _ => return Rule::NotCovered,
    };
    Rule::Priced(r)
}

/// Cloud Run CPU limits: `"1"`, `"2"`, `"1000m"`.
fn cloud_run_cpu(text: &str) -> Option<Decimal> {
    match text.strip_suffix('m') {
        Some(milli) => Some(milli.parse::<Decimal>().ok()? / dec(1000)),
        None => text.parse().ok(),
    }
}

/// Kubernetes-style memory quantities in GiB: `512Mi`, `1Gi`, `2G`.
fn memory_gib(text: &str) -> Option<Decimal> {
    let (num, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: Decimal = num.parse().ok()?;
    Some(match unit {
        "Gi" => n,
        "Mi" => n / dec(1024),
        "Ki" => n / dec(1024 * 1024),
        "G" => n * dec(1_000_000_000) / dec(1_073_741_824),
        "M" => n * dec(1_000_000) / dec(1_073_741_824),
        _ => return None,
    })
}

/// Zones a GKE pool spans: its `node_locations`, else 3 for a regional cluster, else 1.
fn gke_zones(props: &Props<'_>, location: Option<&str>) -> Decimal {
    if let Some(n) = props.len(&["node_locations"]).filter(|n| *n > 0) {
        return Decimal::from(n);
    }
    match location {
        Some(l) if is_gcp_region(l) => dec(3),
        _ => Decimal::ONE,
    }
}

/// vCPUs and memory (GB) of a Cloud SQL tier.
fn cloudsql_shape(tier: &str) -> Option<(Decimal, Decimal)> {
    if let Some(rest) = tier.strip_prefix("db-custom-") {
        let (cpu, mb) = rest.split_once('-')?;
        let cpu: Decimal = cpu.parse().ok()?;
        let mb: Decimal = mb.parse().ok()?;
        return Some((cpu, mb / dec(1024)));
    }
    if let Some(n) = tier.strip_prefix("db-n1-standard-") {
        let n: Decimal = n.parse().ok()?;
        return Some((n, n * Decimal::new(375, 2)));
    }
    if let Some(n) = tier.strip_prefix("db-n1-highmem-") {
        let n: Decimal = n.parse().ok()?;
        return Some((n, n * Decimal::new(65, 1)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_run_quantities() {
        assert_eq!(cloud_run_cpu("1"), Some(dec(1)));
        assert_eq!(cloud_run_cpu("1000m"), Some(dec(1)));
        assert_eq!(cloud_run_cpu("lots"), None);
        assert_eq!(
            memory_gib("512Mi")
                .map(|d| d.normalize().to_string())
                .as_deref(),
            Some("0.5")
        );
        assert_eq!(memory_gib("2Gi"), Some(dec(2)));
        assert_eq!(memory_gib("1.5"), None);
    }

    #[test]
    fn disk_tiers() {
        assert_eq!(
            azure_disk_tier("Premium_LRS", dec(128)).as_deref(),
            Some("P10")
        );
        assert_eq!(
            azure_disk_tier("Standard_LRS", dec(30)).as_deref(),
            Some("S4")
        );
        assert_eq!(
            azure_disk_tier("StandardSSD_LRS", dec(1024)).as_deref(),
            Some("E30")
        );
        assert_eq!(azure_disk_tier("UltraSSD_LRS", dec(64)), None);
    }
}
