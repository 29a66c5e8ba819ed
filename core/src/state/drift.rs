//! Drift: what differs between a blueprint and the deployed state.
//!
//! Only what the blueprint sets is compared: attributes the provider computes (ids, ARNs, defaults
//! filled in) are ignored unless the blueprint sets them. References are resolved against the
//! state (`${main.id}` becomes the VPC id recorded there); values that cannot be resolved (a
//! referenced resource missing from the state, a variable without a default) are listed as not
//! compared rather than guessed. Nested blocks written as one object match Terraform's one-element
//! lists; lists of blocks match in any order (Terraform stores sets sorted its own way); numbers,
//! booleans and their string forms match each other, and JSON documents held in strings (IAM
//! policies) match when they parse to the same value.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use serde::Serialize;

use crate::blueprint::Value;
use crate::catalog::Provider;
use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::plan::{for_each_reference, instance_address, sensitive_variables};
use crate::reference::{Part, Reference, Step, Template};

use super::{StateInstance, TerraformState};

/// The label the Google provider (6.x) adds to every resource it creates.
const GCP_ATTRIBUTION_LABEL: &str = "goog-terraform-provisioned";

/// The state attribute that holds a resource's effective tags when the provider computes one:
/// AWS `tags_all` (own tags merged over the provider's `default_tags`), Google
/// `terraform_labels` (on the types with a `labels` argument). Azure has none: the tag argument
/// itself holds them.
fn effective_tags_attribute(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::Aws => Some("tags_all"),
        Provider::Gcp => Some("terraform_labels"),
        Provider::Azure => None,
    }
}

/// One attribute that differs between the blueprint and the state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftChange {
    /// The attribute path, e.g. `instance_type` or `tags_all.Owner`.
    pub path: String,
    /// What the blueprint says (absent: the blueprint does not have this key, which the state has).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What the state holds (absent: the state does not have it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// Masked values (a sensitive argument or variable, or marked sensitive in the state).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// A deployed instance that differs from the blueprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedResource {
    /// The instance address.
    pub address: String,
    /// The state marks it tainted: Terraform will replace it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tainted: bool,
    /// The differing attributes.
    pub changes: Vec<DriftChange>,
}

/// A blueprint value that could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCompared {
    /// The instance address.
    pub address: String,
    /// The attribute path.
    pub path: String,
    /// Why (e.g. `${db.endpoint}` refers to a resource missing from the state).
    pub reason: String,
}

/// What differs between a blueprint and a deployed state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DriftReport {
    /// Instances the blueprint has and the state does not (they would be created), blueprint order.
    pub missing: Vec<String>,
    /// Managed instances the state has and the blueprint does not, state order.
    pub unmanaged: Vec<String>,
    /// Instances in both whose attributes differ (or that are tainted).
    pub changed: Vec<ChangedResource>,
    /// Instances in both that match.
    pub in_sync: Vec<String>,
    /// Values that could not be compared.
    pub not_compared: Vec<NotCompared>,
}

impl DriftReport {
    /// True when anything is missing, unmanaged or changed.
    pub fn has_drift(&self) -> bool {
        !(self.missing.is_empty() && self.unmanaged.is_empty() && self.changed.is_empty())
    }
}

/// The cloud provider of a Terraform provider source address (`…/hashicorp/aws` → AWS).
fn cloud_of(source: &str) -> Option<Provider> {
    match source.rsplit('/').next()? {
        "aws" => Some(Provider::Aws),
        "azurerm" => Some(Provider::Azure),
        "google" | "google-beta" => Some(Provider::Gcp),
        _ => None,
    }
}

/// Compares a blueprint with a deployed state.
///
/// ```
/// let bp = iac_dharma::parse(r#"
/// name: net
/// version: 1.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
///   - {type: aws_subnet, name: a, properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}}
/// "#)?;
/// let state = iac_dharma::TerraformState::from_json(r#"{"version": 4, "terraform_version": "1.11.4",
///   "serial": 1, "lineage": "x", "outputs": {}, "resources": [
///   {"mode": "managed", "type": "aws_vpc", "name": "main",
///    "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
///    "instances": [{"schema_version": 1, "attributes": {"id": "vpc-1", "cidr_block": "10.9.0.0/16"}}]}]}"#)?;
/// let report = iac_dharma::drift(&bp, &state)?;
/// assert_eq!(report.missing, ["aws_subnet.a"]);
/// assert_eq!(report.changed[0].changes[0].path, "cidr_block");
/// # Ok::<(), iac_dharma::Error>(())
/// ```
///
/// # Errors
/// A [`ErrorKind::Plan`] error (`state_provider_mismatch`) when the state holds resources of
/// other cloud providers and none of the blueprint's: the state belongs to another blueprint.
pub fn drift(bp: &CheckedBlueprint, state: &TerraformState) -> Result<DriftReport> {
    let provider = bp.provider();
    let managed: Vec<&StateInstance> = state
        .instances
        .iter()
        .filter(|i| i.mode == "managed")
        .collect();
    let clouds: Vec<(Provider, &StateInstance)> = managed
        .iter()
        .filter_map(|i| cloud_of(&i.provider).map(|p| (p, *i)))
        .collect();
    if let (Some(&(other, inst)), false) =
        (clouds.first(), clouds.iter().any(|(p, _)| *p == provider))
    {
        return Err(Error::single(
            ErrorKind::Plan,
            Finding::error(
                Code::StateProviderMismatch,
                match inst.source_path.split_once(".instances[") {
                    Some((resource, _)) => format!("{resource}.provider"),
                    None => format!("{}.provider_name", inst.source_path),
                },
                format!(
                    "the state holds {other} resources ({}, from {}) and no {provider} resources, but the blueprint is for {provider}: this state belongs to another blueprint",
                    inst.address, inst.provider
                ),
            ),
        ));
    }
    let by_address: HashMap<&str, &StateInstance> = managed
        .iter()
        .filter(|i| i.deposed.is_none() && i.module.is_none())
        .map(|i| (i.address.as_str(), *i))
        .collect();
    let sensitive_vars = sensitive_variables(bp);
    let mut report = DriftReport {
        missing: Vec::new(),
        unmanaged: Vec::new(),
        changed: Vec::new(),
        in_sync: Vec::new(),
        not_compared: Vec::new(),
    };
    let mut seen: HashSet<&str> = HashSet::new();
    let ctx = Resolver {
        bp,
        by_address: &by_address,
    };
    for (i, r, info) in bp.iter() {
        let keys: Vec<Option<u32>> = match r.count {
            None => vec![None],
            Some(n) => (0..n).map(Some).collect(),
        };
        let mut secret: HashSet<String> = bp
            .catalog_entry(i)
            .map(|e| e.sensitive.iter().cloned().collect())
            .unwrap_or_default();
        for (k, v) in &r.properties {
            for_each_reference(v, &mut Vec::new(), &mut |_, rf| {
                if let Reference::Variable { name } = rf {
                    if sensitive_vars.contains(name.as_str()) {
                        secret.insert(k.clone());
                    }
                }
            });
        }
        for key in keys {
            let address = instance_address(&info.address, key).into_owned();
            let Some(inst) = by_address.get(address.as_str()) else {
                report.missing.push(address);
                continue;
            };
            seen.insert(inst.address.as_str());
            let mut changes = Vec::new();
            let tag_attr = info.tag_argument.as_deref();
            for (attr, value) in &r.properties {
                if tag_attr == Some(attr.as_str()) {
                    continue; // compared below, with the blueprint's default tags
                }
                let expected = match ctx.resolve(value) {
                    Ok(v) => v,
                    Err(reason) => {
                        report.not_compared.push(NotCompared {
                            address: address.clone(),
                            path: attr.clone(),
                            reason,
                        });
                        continue;
                    }
                };
                let mut diffs = Vec::new();
                compare(
                    &expected,
                    inst.attributes.get(attr),
                    attr.clone(),
                    &mut diffs,
                );
                let s = secret.contains(attr) || inst.sensitive_attributes.contains(attr);
                changes.extend(diffs.into_iter().map(|(path, e, a)| masked(path, e, a, s)));
            }
            if let Some(tag_attr) = tag_attr {
                let effective = Value::Object(bp.effective_tags(i));
                // The provider's merged attribute when the state has it (not every Google type
                // does), else the tag argument.
                let (name, actual) = match effective_tags_attribute(provider)
                    .and_then(|a| inst.attributes.get(a).map(|v| (a, v)))
                {
                    Some((a, v)) => (a, Some(v)),
                    None => (tag_attr, inst.attributes.get(tag_attr)),
                };
                match ctx.resolve(&effective) {
                    Ok(expected) => {
                        let mut diffs = Vec::new();
                        // The Google provider adds its own attribution label.
                        let actual = actual.map(|a| {
                            let mut a = a.clone();
                            if let (Provider::Gcp, Value::Object(m)) = (provider, &mut a) {
                                m.remove(GCP_ATTRIBUTION_LABEL);
                            }
                            a
                        });
                        compare_map_exact(&expected, actual.as_ref(), name, &mut diffs);
                        changes.extend(diffs.into_iter().map(|(p, e, a)| masked(p, e, a, false)));
                    }
                    Err(reason) => report.not_compared.push(NotCompared {
                        address: address.clone(),
                        path: name.to_string(),
                        reason,
                    }),
                }
            }
            if changes.is_empty() && !inst.tainted {
                report.in_sync.push(address);
            } else {
                report.changed.push(ChangedResource {
                    address,
                    tainted: inst.tainted,
                    changes,
                });
            }
        }
    }
    for inst in &managed {
        if inst.deposed.is_none() && !seen.contains(inst.address.as_str()) {
            report.unmanaged.push(inst.address.clone());
        }
    }
    Ok(report)
}

fn masked(path: String, e: Option<Value>, a: Option<Value>, sensitive: bool) -> DriftChange {
    let hide = |v: Option<Value>| v.map(|v| if sensitive { Value::Null } else { v });
    DriftChange {
        path,
        expected: hide(e),
        actual: hide(a),
        sensitive,
    }
}

struct Resolver<'a> {
    bp: &'a CheckedBlueprint,
    by_address: &'a HashMap<&'a str, &'a StateInstance>,
}

impl Resolver<'_> {
    /// The value with every reference replaced by what the state (or a variable default) holds.
    fn resolve(&self, value: &Value) -> std::result::Result<Value, String> {
        match value {
            Value::String(s) if s.contains("${") => {
                let t = Template::parse(s).map_err(|e| e.message)?;
                if let Some(r) = t.as_single_reference() {
                    return self.reference(r);
                }
                let mut out = String::new();
                for part in &t.parts {
                    match part {
                        Part::Literal(l) => out.push_str(l),
                        Part::Ref(r) => match self.reference(r)? {
                            Value::String(s) => out.push_str(&s),
                            Value::Null => return Err(format!("`${{{r}}}` is null in the state")),
                            v @ (Value::Number(_) | Value::Bool(_)) => {
                                let _ = write!(out, "{v}");
                            }
                            _ => return Err(format!("`${{{r}}}` is not a single value")),
                        },
                    }
                }
                Ok(Value::String(out))
            }
            Value::String(s) => Ok(Value::String(
                Template::parse(s)
                    .ok()
                    .and_then(|t| t.literal_text())
                    .unwrap_or_else(|| s.clone()),
            )),
            Value::Array(items) => items.iter().map(|v| self.resolve(v)).collect(),
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), self.resolve(v)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    fn reference(&self, r: &Reference) -> std::result::Result<Value, String> {
        match r {
            Reference::Variable { name } => self
                .bp
                .blueprint()
                .variables
                .iter()
                .find(|v| &v.name == name)
                .and_then(|v| v.default.clone())
                .ok_or_else(|| {
                    format!("`${{var.{name}}}` has no default: its value is given at deploy time")
                }),
            Reference::Resource {
                name,
                index,
                attribute,
            } => {
                let info = self
                    .bp
                    .index_of(name)
                    .and_then(|i| self.bp.resource_info(i))
                    .ok_or_else(|| format!("`${{{r}}}` names no resource"))?;
                let address = instance_address(&info.address, *index).into_owned();
                let inst = self.by_address.get(address.as_str()).ok_or_else(|| {
                    format!("`${{{r}}}` refers to {address}, which is not in the state")
                })?;
                let mut cur = &inst.attributes;
                for step in attribute {
                    let next = match (step, cur) {
                        (Step::Attr(k), Value::Object(m)) => m.get(k),
                        // A nested block is a one-element list in the state.
                        (Step::Attr(k), Value::Array(a)) if a.len() == 1 => {
                            a.first().and_then(|x| x.get(k))
                        }
                        (Step::Index(i), Value::Array(a)) => a.get(*i as usize),
                        _ => None,
                    };
                    cur = next.ok_or_else(|| {
                        format!("`${{{r}}}`: {address} has no such attribute in the state")
                    })?;
                }
                Ok(cur.clone())
            }
        }
    }
}

/// Scalars equal as Terraform would see them.
fn scalar_equal(e: &Value, a: &Value) -> bool {
    if e == a {
        return true;
    }
    match (e, a) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.trim().parse::<f64>().ok() == n.as_f64()
        }
        (Value::Bool(b), Value::String(s)) | (Value::String(s), Value::Bool(b)) => {
            s == if *b { "true" } else { "false" }
        }
        (Value::String(x), Value::String(y)) => {
            // JSON documents in strings (policies): equal when they parse to the same value.
            let doc = |s: &str| {
                let t = s.trim_start();
                if t.starts_with('{') || t.starts_with('[') {
                    serde_json::from_str::<Value>(s).ok()
                } else {
                    None
                }
            };
            matches!((doc(x), doc(y)), (Some(p), Some(q)) if p == q)
        }
        _ => false,
    }
}

type Diffs = Vec<(String, Option<Value>, Option<Value>)>;

fn matches(e: &Value, a: &Value) -> bool {
    let mut d = Vec::new();
    compare(e, Some(a), String::new(), &mut d);
    d.is_empty()
}

/// Compares what the blueprint sets (`e`) with the state (`a`): object keys the blueprint does
/// not set are computed and ignored.
fn compare(e: &Value, a: Option<&Value>, path: String, out: &mut Diffs) {
    let push = |out: &mut Diffs| out.push((path.clone(), Some(e.clone()), a.cloned()));
    match (e, a) {
        (Value::Null, _) => {}
        (Value::Object(em), Some(Value::Array(items))) if items.len() == 1 => {
            if let Some(first) = items.first() {
                compare(e, Some(first), path, out);
            } else {
                let _ = em;
            }
        }
        (Value::Object(em), Some(Value::Object(am))) => {
            for (k, ev) in em {
                let mut p = path.clone();
                crate::reference::push_key(&mut p, k);
                compare(ev, am.get(k), p, out);
            }
        }
        (Value::Array(ea), Some(Value::Array(aa))) => {
            if ea.len() == aa.len() && ea.iter().zip(aa).all(|(x, y)| matches(x, y)) {
                return;
            }
            // As a set: every expected element matches a distinct actual one.
            let mut used = vec![false; aa.len()];
            let all = ea.len() == aa.len()
                && ea.iter().all(|x| {
                    let found = aa
                        .iter()
                        .enumerate()
                        .find(|(j, y)| !used.get(*j).copied().unwrap_or(true) && matches(x, y));
                    if let Some((j, _)) = found {
                        if let Some(u) = used.get_mut(j) {
                            *u = true;
                        }
                    }
                    found.is_some()
                });
            if !all {
                // Elements of a list or set pair up by content, not position: show the whole
                // list, the deployed one cut down to the keys the blueprint sets.
                out.push((
                    path,
                    Some(e.clone()),
                    Some(project(&Value::Array(aa.clone()), e)),
                ));
            }
        }
        (Value::Object(_) | Value::Array(_), _) => push(out),
        (_, Some(a)) if scalar_equal(e, a) => {}
        _ => push(out),
    }
}

/// The parts of `actual` that `shape` (a blueprint value) sets: object keys the blueprint does not
/// write are dropped, recursively (list elements take the shape of the blueprint's first element).
fn project(actual: &Value, shape: &Value) -> Value {
    match (actual, shape) {
        (Value::Object(am), Value::Object(sm)) => Value::Object(
            am.iter()
                .filter_map(|(k, v)| sm.get(k).map(|s| (k.clone(), project(v, s))))
                .collect(),
        ),
        (Value::Array(items), Value::Array(shapes)) => match shapes.first() {
            Some(s) => Value::Array(items.iter().map(|v| project(v, s)).collect()),
            None => actual.clone(),
        },
        // A nested block: the state's one-element list against the blueprint's object.
        (Value::Array(items), Value::Object(_)) if items.len() == 1 => {
            items.first().map_or(Value::Null, |v| project(v, shape))
        }
        _ => actual.clone(),
    }
}

/// Tags compare exactly: a key set outside the blueprint is drift too.
fn compare_map_exact(e: &Value, a: Option<&Value>, name: &str, out: &mut Diffs) {
    let empty = serde_json::Map::new();
    let em = e.as_object().unwrap_or(&empty);
    let am = a.and_then(Value::as_object).unwrap_or(&empty);
    for (k, ev) in em {
        let av = am.get(k);
        if !av.is_some_and(|av| scalar_equal(ev, av)) {
            let mut p = name.to_string();
            crate::reference::push_key(&mut p, k);
            out.push((p, Some(ev.clone()), av.cloned()));
        }
    }
    for (k, av) in am {
        if !em.contains_key(k) {
            let mut p = name.to_string();
            crate::reference::push_key(&mut p, k);
            out.push((p, None, Some(av.clone())));
        }
    }
}

/// The drift report as text.
pub fn render_drift_text(report: &DriftReport) -> String {
    let mut out = String::new();
    if !report.has_drift() {
        let _ = writeln!(
            out,
            "No drift: the {} deployed instance(s) match the blueprint.",
            report.in_sync.len()
        );
    }
    // Addresses and paths come from the state file too: shown through `printable`.
    use crate::printable as p;
    for a in &report.missing {
        let _ = writeln!(out, "  + {} is in the blueprint but not deployed", p(a));
    }
    for c in &report.changed {
        let _ = writeln!(
            out,
            "  ~ {a} differs from the blueprint{t}",
            a = p(&c.address),
            t = if c.tainted {
                " (tainted: Terraform will replace it)"
            } else {
                ""
            }
        );
        let width = c
            .changes
            .iter()
            .map(|x| x.path.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for d in &c.changes {
            let show = |v: &Option<Value>| match v {
                _ if d.sensitive => "(sensitive value)".to_string(),
                Some(v) => serde_json::to_string(v).unwrap_or_default(),
                None => "(not set)".to_string(),
            };
            let _ = writeln!(
                out,
                "      {:<width$} blueprint {} / deployed {}",
                p(&d.path),
                show(&d.expected),
                show(&d.actual)
            );
        }
    }
    for a in &report.unmanaged {
        let _ = writeln!(out, "  ? {} is deployed but not in the blueprint", p(a));
    }
    for n in &report.not_compared {
        let _ = writeln!(
            out,
            "  . {} {}: not compared: {}",
            p(&n.address),
            p(&n.path),
            p(&n.reason)
        );
    }
    let _ = writeln!(
        out,
        "Drift: {} missing, {} changed, {} unmanaged, {} in sync.",
        report.missing.len(),
        report.changed.len(),
        report.unmanaged.len(),
        report.in_sync.len()
    );
    out
}
