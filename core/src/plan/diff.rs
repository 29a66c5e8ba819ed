//! `plan_diff`: match resources by name (their address is `type.name`), expand `count` into
//! instances, classify each instance's action, and record every attribute-level difference.
//!
//! Unchanged instances (most of a typical plan) cost a comparison of their properties and a
//! small record of where their attributes are: the attributes themselves stay in the blueprints
//! and are read from there when the plan is serialized.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::blueprint::{Resource, Value, Variable};
use crate::catalog::{self, CatalogType, Provider};
use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::reference::{may_contain_reference, Reference, Template};

use super::document::{document_changes, same_resource_besides_properties};
use super::model::{
    diff_attributes, Action, AttributeChange, Bp, Change, ChangeFacts, NamedChange, Plan,
    Replacement, ResourceChange, ResourceRef, Side, Summary,
};
use super::order::order_plan;
use super::values::{diff, path_string, same_map, PathStep, RawChange};

/// The Terraform provider address of a provider (`registry.terraform.io/hashicorp/aws`).
pub(crate) fn provider_address(provider: Provider) -> &'static str {
    static CELLS: [OnceLock<String>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = match provider {
        Provider::Aws => 0,
        Provider::Azure => 1,
        Provider::Gcp => 2,
    };
    match CELLS.get(i) {
        Some(cell) => cell.get_or_init(|| {
            format!(
                "registry.terraform.io/{}",
                catalog::catalog(provider).terraform.source
            )
        }),
        None => "",
    }
}

/// Where the effective tags of resource `i` (its own merged over the blueprint's default tags)
/// show among its instance attributes, when the blueprint sets default tags on a taggable type:
/// `tags_all` on AWS (whose provider applies the defaults through `default_tags`, keeping `tags`
/// as written), the type's tag argument on Azure and Google (`tags`, `labels`,
/// `resource_labels`, ...), which the generated code fills with the merged tags.
pub(crate) fn tags_attribute(bp: &CheckedBlueprint, i: usize) -> Option<&str> {
    if bp.blueprint().tags.is_empty() {
        return None;
    }
    let tag_argument = bp.resource_info(i)?.tag_argument.as_deref()?;
    Some(match bp.provider() {
        Provider::Aws => "tags_all",
        Provider::Azure | Provider::Gcp => tag_argument,
    })
}

/// The attributes of every instance of resource `i`, as Terraform plans the generated code: its
/// properties with the effective tags (see [`tags_attribute`]).
pub(crate) fn instance_attributes(bp: &CheckedBlueprint, i: usize) -> Value {
    ResourceRef::new(bp, i).attributes()
}

/// The instance keys of a resource: `[None]` without count, `[Some(0)..]` with.
fn instance_keys(count: Option<u32>) -> impl Iterator<Item = Option<u32>> {
    let (n, indexed) = match count {
        None => (1, false),
        Some(n) => (n, true),
    };
    (0..n).map(move |i| indexed.then_some(i))
}

/// How the instances of a resource present on both sides pair up. Adding `count` to a resource
/// moves its instance to `[0]` and back, as Terraform does implicitly. (Ranges, not lists: most
/// resources have one instance, and this runs for every resource.)
struct Pairing {
    old: Option<u32>,
    new: Option<u32>,
}

fn key_at(count: Option<u32>, i: u32) -> Option<u32> {
    count.map(|_| i)
}

fn len_of(count: Option<u32>) -> u32 {
    count.unwrap_or(1)
}

impl Pairing {
    fn common(&self) -> u32 {
        len_of(self.old).min(len_of(self.new))
    }

    fn matched(&self) -> impl Iterator<Item = (Option<u32>, Option<u32>)> + '_ {
        (0..self.common()).map(|i| (key_at(self.old, i), key_at(self.new, i)))
    }

    fn created(&self) -> impl Iterator<Item = Option<u32>> + '_ {
        (self.common()..len_of(self.new)).map(|i| key_at(self.new, i))
    }

    fn deleted(&self) -> impl Iterator<Item = Option<u32>> + '_ {
        (self.common()..len_of(self.old)).map(|i| key_at(self.old, i))
    }
}

/// The address of an instance: the resource's address (borrowed) without `count`, indexed with.
pub(crate) fn instance_address(resource_address: &str, key: Option<u32>) -> Cow<'_, str> {
    match key {
        None => Cow::Borrowed(resource_address),
        Some(i) => Cow::Owned(format!("{resource_address}[{i}]")),
    }
}

/// Top-level attribute names whose values are secret (a handful at most).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Secrets<'a>(Vec<&'a str>);

impl<'a> Secrets<'a> {
    pub(crate) fn has(&self, attr: &str) -> bool {
        self.0.contains(&attr)
    }

    pub(crate) fn union(&self, other: &Secrets<'a>) -> Secrets<'a> {
        let mut v = self.0.clone();
        v.extend(other.0.iter().filter(|x| !self.has(x)));
        Secrets(v)
    }

    pub(crate) fn into_set(self) -> HashSet<String> {
        self.0.into_iter().map(str::to_string).collect()
    }
}

/// Does any string in the value refer to a variable `is_var` accepts?
fn refers_to_variable(value: &Value, is_var: &dyn Fn(&str) -> bool) -> bool {
    match value {
        // Only strings that can hold `${var.…}` are parsed.
        Value::String(s) if s.contains("${") && s.contains("var.") => Template::parse(s)
            .map(|t| {
                t.references()
                    .any(|r| matches!(r, Reference::Variable { name } if is_var(name)))
            })
            .unwrap_or(false),
        Value::Array(items) => items.iter().any(|v| refers_to_variable(v, is_var)),
        Value::Object(m) => m.values().any(|v| refers_to_variable(v, is_var)),
        _ => false,
    }
}

/// The top-level attributes of a resource whose values are secret: the catalog's sensitive
/// arguments, and every attribute whose value refers to a sensitive variable (`is_var`).
pub(crate) fn sensitive_attributes_with<'a>(
    bp: &'a CheckedBlueprint,
    i: usize,
    is_var: &dyn Fn(&str) -> bool,
) -> Secrets<'a> {
    let mut out: Vec<&'a str> = bp
        .catalog_entry(i)
        .map(|e| e.sensitive.iter().map(String::as_str).collect())
        .unwrap_or_default();
    if bp.blueprint().variables.iter().any(|v| v.sensitive) {
        if let Some(r) = bp.resources().get(i) {
            for (k, v) in &r.properties {
                if !out.contains(&k.as_str()) && refers_to_variable(v, is_var) {
                    out.push(k);
                }
            }
        }
    }
    Secrets(out)
}

/// [`sensitive_attributes_with`] against a set of sensitive variable names.
pub(crate) fn sensitive_attributes<'a>(
    bp: &'a CheckedBlueprint,
    i: usize,
    sensitive_vars: &HashSet<&str>,
) -> Secrets<'a> {
    sensitive_attributes_with(bp, i, &|name| sensitive_vars.contains(name))
}

/// Calls `f` with the path and each reference of every string in a value.
pub(crate) fn for_each_reference(
    value: &Value,
    path: &mut Vec<PathStep>,
    f: &mut dyn FnMut(&[PathStep], &Reference),
) {
    match value {
        Value::String(s) if may_contain_reference(s) => {
            if let Ok(t) = Template::parse(s) {
                for r in t.references() {
                    f(path, r);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                for_each_reference(item, path, f);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                path.push(PathStep::Key(k.clone()));
                for_each_reference(item, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Does any string in the value hold a reference? (Cheaper than finding them.)
fn has_reference(value: &Value) -> bool {
    match value {
        Value::String(s) => may_contain_reference(s),
        Value::Array(items) => items.iter().any(has_reference),
        Value::Object(map) => map.values().any(has_reference),
        _ => false,
    }
}

pub(crate) fn sensitive_variables(bp: &CheckedBlueprint) -> HashSet<&str> {
    bp.blueprint()
        .variables
        .iter()
        .filter(|v| v.sensitive)
        .map(|v| v.name.as_str())
        .collect()
}

/// The resources `i` depends on, sorted. A dependency with `count = 0` has no instance to wait
/// for, so its own dependencies stand in for it (order still flows through it).
pub(crate) fn effective_deps(bp: &CheckedBlueprint, i: usize) -> Vec<usize> {
    let g = bp.graph();
    let zero = |d: &usize| bp.resources().get(*d).and_then(|r| r.count) == Some(0);
    let direct = g.dependencies(i);
    if !direct.iter().any(zero) {
        return direct;
    }
    let mut found: Vec<usize> = Vec::new();
    let mut stack = direct;
    let mut seen: HashSet<usize> = HashSet::new();
    while let Some(d) = stack.pop() {
        if !seen.insert(d) {
            continue;
        }
        if zero(&d) {
            stack.extend(g.dependencies(d));
        } else {
            found.push(d);
        }
    }
    found.sort_unstable();
    found
}

/// [`effective_deps`] of every resource of a blueprint, in compressed form
/// (`items[start[i]..start[i + 1]]`), built from one pass over the graph's edges.
pub(crate) struct SideDeps {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl SideDeps {
    pub(crate) fn of(bp: &CheckedBlueprint) -> SideDeps {
        let n = bp.resources().len();
        let edges: Vec<(u32, u32)> = bp
            .graph()
            .raw_edges()
            .map(|(dependent, dependency)| (dependent as u32, dependency as u32))
            .collect();
        let (start, items) = super::order::compressed(n, &edges);
        let direct = SideDeps { start, items };
        if !bp.resources().iter().any(|r| r.count == Some(0)) {
            return direct;
        }
        // Some lists go through count = 0 resources: rebuild with those replaced.
        let mut start = Vec::with_capacity(n + 1);
        let mut items = Vec::with_capacity(direct.items.len());
        start.push(0);
        for i in 0..n {
            items.extend(effective_deps(bp, i).into_iter().map(|d| d as u32));
            start.push(items.len() as u32);
        }
        SideDeps { start, items }
    }

    /// The resources `i` depends on (after count = 0 pass-through), sorted.
    pub(crate) fn get(&self, i: u32) -> &[u32] {
        let i = i as usize;
        let (a, b) = (
            self.start.get(i).copied().unwrap_or(0) as usize,
            self.start.get(i + 1).copied().unwrap_or(0) as usize,
        );
        self.items.get(a..b).unwrap_or_default()
    }

    /// True when every resource depends only on resources before it in the document.
    fn in_document_order(&self) -> bool {
        (0..self.start.len().saturating_sub(1))
            .all(|i| self.get(i as u32).iter().all(|&d| (d as usize) < i))
    }
}

/// Sets `true` at a path of a mirror value (objects for keys, lists of `false` for indices).
fn mirror_set(mirror: &mut Value, steps: &[PathStep]) {
    let Some((first, rest)) = steps.split_first() else {
        *mirror = Value::Bool(true);
        return;
    };
    match first {
        PathStep::Key(k) => {
            if !mirror.is_object() {
                *mirror = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(m) = mirror {
                let slot = m.entry(k.clone()).or_insert(Value::Bool(false));
                mirror_set(slot, rest);
            }
        }
        PathStep::Index(i) => {
            if !mirror.is_array() {
                *mirror = Value::Array(Vec::new());
            }
            if let Value::Array(a) = mirror {
                while a.len() <= *i {
                    a.push(Value::Bool(false));
                }
                if let Some(slot) = a.get_mut(*i) {
                    mirror_set(slot, rest);
                }
            }
        }
    }
}

fn top_attr(steps: &[PathStep]) -> Option<&str> {
    match steps.first() {
        Some(PathStep::Key(k)) => Some(k),
        _ => None,
    }
}

/// A value set to `null` and an absent value mean the same to Terraform.
fn is_cosmetic(c: &RawChange) -> bool {
    matches!(
        (&c.before, &c.after),
        (None, Some(Value::Null)) | (Some(Value::Null), None)
    )
}

/// A top-level argument written as the provider's documented default on one side and absent on
/// the other: the provider plans the default when it is absent, so nothing changes.
fn is_default_either_way(
    c: &RawChange,
    defaults: Option<&std::collections::BTreeMap<String, serde_json::Value>>,
) -> bool {
    let ([PathStep::Key(attr)], Some(defaults)) = (c.steps.as_slice(), defaults) else {
        return false;
    };
    let Some(default) = defaults.get(attr) else {
        return false;
    };
    match (&c.before, &c.after) {
        (None, Some(v)) | (Some(v), None) => same_scalar(v, default),
        _ => false,
    }
}

/// Two scalars equal under Terraform's conversions (`false` = `"false"`, `1` = `"1"`).
fn same_scalar(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    a == b || text(a).is_some_and(|t| Some(t) == text(b))
}

fn shown_change(
    steps: &[PathStep],
    before: Option<&Value>,
    after: Option<&Value>,
    sensitive: bool,
) -> AttributeChange {
    let mask = |v: Option<&Value>| v.map(|v| if sensitive { Value::Null } else { v.clone() });
    AttributeChange {
        path: path_string(steps),
        before: mask(before),
        after: mask(after),
        sensitive,
        unknown: false,
        forces_replacement: false,
    }
}

/// Every attribute of an instance as changes from nothing (create) or to nothing (delete).
fn whole_changes(attrs: &Value, sensitive: &Secrets, created: bool) -> Vec<AttributeChange> {
    let Value::Object(map) = attrs else {
        return Vec::new();
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let steps = [PathStep::Key(k.clone())];
            let s = sensitive.has(k);
            if created {
                shown_change(&steps, None, Some(v), s)
            } else {
                shown_change(&steps, Some(v), None, s)
            }
        })
        .collect()
}

/// What the diff decided about one resource present in the new blueprint. Small (24 bytes:
/// there is one per resource, and at 10,000 resources the plan's own memory competes with the
/// two blueprints for the cache).
#[derive(Default)]
struct Decided {
    /// The action of the instances present on both sides.
    action: Option<Action>,
    /// Whether the resource exists in the old blueprint at all.
    existed: bool,
    /// The created instances (absent before) are indexed (`[i]`, the resource has `count`).
    created_indexed: bool,
    /// The indices of the created instances (`0..1` for a created unindexed instance).
    created: std::ops::Range<u32>,
    /// Top-level attributes whose value changes (written or known after apply), each once;
    /// none when empty.
    changing: Option<Box<[String]>>,
}

impl Decided {
    /// Does anything about this resource's instances change?
    fn changes(&self) -> bool {
        !self.existed || !self.created.is_empty() || self.action != Some(Action::NoOp)
    }

    /// Is instance `key` created?
    fn creates(&self, key: Option<u32>) -> bool {
        match key {
            None => !self.created_indexed && !self.created.is_empty(),
            Some(i) => self.created_indexed && self.created.contains(&i),
        }
    }

    /// Does top-level attribute `attr` change?
    fn changes_attribute(&self, attr: &str) -> bool {
        self.changing
            .as_ref()
            .is_some_and(|c| c.iter().any(|a| a == attr))
    }
}

/// What the diff reads: both blueprints and facts derived from them once.
struct Ctx<'a> {
    old: &'a CheckedBlueprint,
    new: &'a CheckedBlueprint,
    old_deps: SideDeps,
    new_deps: SideDeps,
    old_sv: HashSet<&'a str>,
    new_sv: HashSet<&'a str>,
    changing_vars: HashSet<String>,
    /// The resource of the old blueprint with the same name as each new one.
    old_of_new: Vec<Option<usize>>,
    /// The default tags are the same on both sides.
    same_default_tags: bool,
}

/// What the diff decides and collects, resource by resource.
struct State<'a> {
    decided: Vec<Decided>,
    findings: Vec<Finding>,
    notes: Vec<String>,
    unknown_types: HashSet<&'a str>,
    /// Per new resource: the old document has the very same resource.
    doc_same: Vec<bool>,
    /// Per new resource: its sensitive attributes (on either side), when it changes.
    secrets_of: Vec<Secrets<'a>>,
}

/// Computes the plan that turns `old` into `new`.
pub(crate) fn plan_diff<'a>(
    old: &'a CheckedBlueprint,
    new: &'a CheckedBlueprint,
) -> Result<Plan<'a>> {
    let n = new.resources().len();
    // Which resource of the other side has the same name, looked up once. Names are unique in a
    // checked blueprint, and two versions of a document mostly keep their order: the resource
    // after the last match is tried first (one comparison of names that are read anyway), and
    // only a miss hashes the name and probes the old side's name index at a random place.
    let old_resources = old.resources();
    let mut next = 0;
    let old_of_new: Vec<Option<usize>> = new
        .resources()
        .iter()
        .map(|r| {
            let i = match old_resources.get(next) {
                Some(o) if o.name == r.name => Some(next),
                _ => old.index_of(&r.name),
            };
            if let Some(i) = i {
                next = i + 1;
            }
            i
        })
        .collect();
    let mut new_of_old: Vec<Option<usize>> = vec![None; old.resources().len()];
    for (j, i) in old_of_new.iter().enumerate() {
        if let Some(slot) = i.and_then(|i| new_of_old.get_mut(i)) {
            *slot = Some(j);
        }
    }
    let cx = Ctx {
        old,
        new,
        old_deps: SideDeps::of(old),
        new_deps: SideDeps::of(new),
        old_sv: sensitive_variables(old),
        new_sv: sensitive_variables(new),
        changing_vars: changing_variables(&old.blueprint().variables, &new.blueprint().variables),
        old_of_new,
        same_default_tags: old.blueprint().tags == new.blueprint().tags,
    };
    let mut st = State {
        decided: (0..n).map(|_| Decided::default()).collect(),
        findings: Vec::new(),
        notes: Vec::new(),
        unknown_types: HashSet::new(),
        doc_same: vec![false; n],
        secrets_of: vec![Secrets::default(); n],
    };
    // Decide in dependency order, so that what a resource refers to is decided first; the
    // changes are listed in document order. When the document is already in dependency order
    // (the usual case), both are the same walk.
    let mut resource_changes: Vec<ResourceChange<'a>> = Vec::with_capacity(n + n / 8);
    if cx.new_deps.in_document_order() {
        for j in 0..n {
            cx.resource(&mut st, j, &mut resource_changes);
        }
    } else {
        let mut per_resource: Vec<Vec<ResourceChange<'a>>> = vec![Vec::new(); n];
        for &j in new.graph().order() {
            if let Some(slot) = per_resource.get_mut(j) {
                cx.resource(&mut st, j, slot);
            }
        }
        resource_changes.extend(per_resource.into_iter().flatten());
    }
    for (i, r, info) in old.iter() {
        if new_of_old.get(i).copied().flatten().is_none() {
            cx.deleted_resource(&mut st, i, r, &info.address, &mut resource_changes);
        }
    }
    if !st.findings.is_empty() {
        return Err(Error::new(ErrorKind::Plan, st.findings));
    }
    let mut notes = std::mem::take(&mut st.notes);
    let mut unknown: Vec<&str> = st.unknown_types.iter().copied().collect();
    unknown.sort_unstable();
    for t in unknown {
        notes.push(format!(
            "the catalog does not list which arguments of {t} force a replacement: its updates are planned in place, but the provider may replace it"
        ));
    }
    if old.provider() != new.provider() {
        notes.insert(
            0,
            format!(
                "the provider changes from {} to {}: every resource changes type",
                old.provider(),
                new.provider()
            ),
        );
    }
    let waves = order_plan(&mut resource_changes, &cx.old_deps, &cx.new_deps)?;
    let output_changes = cx.outputs_known_after_apply(&st, output_changes(old, new));
    let summary = summarize(&resource_changes);
    Ok(Plan {
        format_version: "1.0",
        before: Side {
            name: old.blueprint().name.clone(),
            version: old.blueprint().version.clone(),
        },
        after: Side {
            name: new.blueprint().name.clone(),
            version: new.blueprint().version.clone(),
        },
        resource_changes,
        waves,
        variable_changes: variable_changes(old, new, &cx.old_sv, &cx.new_sv),
        output_changes,
        document_changes: document_changes(
            old,
            new,
            &cx.old_of_new,
            &new_of_old,
            &st.doc_same,
            &st.secrets_of,
            &|i| sensitive_attributes(old, i, &cx.old_sv).into_set(),
        ),
        summary,
        notes,
        old: Bp(old),
        new: Bp(new),
    })
}

pub(crate) fn summarize(changes: &[ResourceChange]) -> Summary {
    let mut s = Summary::default();
    for c in changes {
        match c.action {
            Action::NoOp => s.no_op += 1,
            Action::Create => s.add += 1,
            Action::Update => s.change += 1,
            Action::Delete => s.destroy += 1,
            Action::Replace => {
                s.add += 1;
                s.destroy += 1;
                s.replace += 1;
            }
        }
        if c.replacement == Some(Replacement::Unknown) {
            s.replacement_unknown += 1;
        }
    }
    s
}

/// Variables whose value may differ: present on both sides with a different default.
fn changing_variables(old: &[Variable], new: &[Variable]) -> HashSet<String> {
    let old: HashMap<&str, &Variable> = old.iter().map(|v| (v.name.as_str(), v)).collect();
    new.iter()
        .filter(|v| {
            old.get(v.name.as_str())
                .is_some_and(|o| o.default != v.default)
        })
        .map(|v| v.name.clone())
        .collect()
}

/// Values computed at most once, when first needed.
struct Lazy<T, F: FnOnce() -> T> {
    value: Option<T>,
    init: Option<F>,
}

impl<T, F: FnOnce() -> T> Lazy<T, F> {
    fn new(init: F) -> Self {
        Lazy {
            value: None,
            init: Some(init),
        }
    }

    fn get(&mut self) -> Option<&T> {
        if self.value.is_none() {
            self.value = self.init.take().map(|f| f());
        }
        self.value.as_ref()
    }
}

impl<'a> Ctx<'a> {
    /// Adds, for outputs whose written value stays, a change when what they refer to changes
    /// (Terraform shows such outputs as known after apply).
    fn outputs_known_after_apply(
        &self,
        st: &State,
        mut changes: Vec<NamedChange>,
    ) -> Vec<NamedChange> {
        let old = self.old.blueprint();
        let new = self.new.blueprint();
        for o in &new.outputs {
            if changes.iter().any(|c| c.name == o.name) {
                continue;
            }
            if !old.outputs.iter().any(|p| p.name == o.name) {
                continue;
            }
            let mut found = Vec::new();
            let mut path = vec![PathStep::Key("value".into())];
            self.unknown_in(st, &o.value, &mut path, &mut found);
            let hidden = o.sensitive || old.outputs.iter().any(|p| p.name == o.name && p.sensitive);
            let list: Vec<AttributeChange> = found
                .into_iter()
                .map(|(steps, _)| {
                    let v = super::values::get(
                        &serde_json::json!({ "value": o.value.clone() }),
                        &steps,
                    )
                    .cloned();
                    let mut c = shown_change(&steps, v.as_ref(), v.as_ref(), hidden);
                    c.unknown = true;
                    c
                })
                .collect();
            if !list.is_empty() {
                changes.push(NamedChange {
                    name: o.name.clone(),
                    action: Action::Update,
                    changes: list,
                });
            }
        }
        changes
    }

    /// Does attribute `attr` of instance `key` of new resource `j` change (or become unknown)?
    fn attribute_changes(&self, st: &State, j: usize, key: Option<u32>, attr: &str) -> bool {
        let Some(d) = st.decided.get(j) else {
            return false;
        };
        if !d.existed || d.creates(key) {
            return true;
        }
        match d.action {
            Some(Action::NoOp) | None => false,
            Some(Action::Update) => d.changes_attribute(attr),
            Some(Action::Replace) => {
                d.changes_attribute(attr)
                    || !self
                        .new
                        .resources()
                        .get(j)
                        .is_some_and(|r| r.properties.contains_key(attr))
            }
            Some(Action::Create) | Some(Action::Delete) => true,
        }
    }

    /// Paths of `props` whose written value stays but refers to something that changes, with the
    /// cause.
    fn unknown_paths(
        &self,
        st: &State,
        deps: &[u32],
        props: &serde_json::Map<String, Value>,
    ) -> Vec<(Vec<PathStep>, String)> {
        let deps_change = deps
            .iter()
            .any(|&d| st.decided.get(d as usize).is_some_and(Decided::changes));
        if !deps_change && self.changing_vars.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<(Vec<PathStep>, String)> = Vec::new();
        let mut path = Vec::new();
        for (k, v) in props {
            if !has_reference(v) {
                continue;
            }
            path.push(PathStep::Key(k.clone()));
            self.unknown_in(st, v, &mut path, &mut out);
            path.pop();
        }
        out
    }

    fn unknown_in(
        &self,
        st: &State,
        value: &Value,
        path: &mut Vec<PathStep>,
        out: &mut Vec<(Vec<PathStep>, String)>,
    ) {
        let new = self.new;
        for_each_reference(value, path, &mut |path, r| {
            if out.last().is_some_and(|(p, _)| p.as_slice() == path) {
                return;
            }
            let cause = match r {
                Reference::Variable { name } => self
                    .changing_vars
                    .contains(name)
                    .then(|| format!("the default of variable `{name}` changes")),
                Reference::Resource {
                    name,
                    index,
                    attribute,
                } => {
                    let attr = match attribute.first() {
                        Some(crate::reference::Step::Attr(a)) => a.as_str(),
                        _ => "",
                    };
                    new.index_of(name).and_then(|t| {
                        self.attribute_changes(st, t, *index, attr).then(|| {
                            let addr = new
                                .resource_info(t)
                                .map(|i| instance_address(&i.address, *index).into_owned())
                                .unwrap_or_default();
                            let what = match st.decided.get(t).and_then(|d| d.action) {
                                Some(Action::Replace) => "is replaced",
                                Some(Action::Update) => "changes",
                                _ => "is created",
                            };
                            format!("{addr} {what}")
                        })
                    })
                }
            };
            if let Some(cause) = cause {
                out.push((path.to_vec(), cause));
            }
        });
    }

    fn new_secrets(&self, j: usize) -> Secrets<'a> {
        sensitive_attributes(self.new, j, &self.new_sv)
    }

    fn old_secrets(&self, i: usize) -> Secrets<'a> {
        sensitive_attributes(self.old, i, &self.old_sv)
    }

    /// Every instance change of new resource `j`, appended to `out`.
    fn resource(&self, st: &mut State<'a>, j: usize, out: &mut Vec<ResourceChange<'a>>) {
        let (new, old) = (self.new, self.old);
        let (Some(r_new), Some(info_new)) = (new.resources().get(j), new.resource_info(j)) else {
            return;
        };
        let provider_name = provider_address(new.provider());
        let base = |address: Cow<'a, str>, index: Option<u32>| ResourceChange {
            address,
            previous_address: None,
            mode: "managed",
            type_name: info_new.type_name.as_str(),
            name: r_new.name.as_str(),
            index,
            provider_name,
            change: Change {
                actions: &[],
                before: None,
                after: None,
                same_attributes: false,
                after_unknown: Value::Object(serde_json::Map::new()),
                replace_paths: Vec::new(),
            },
            action_reason: None,
            action: Action::NoOp,
            replacement: None,
            replace_reasons: Vec::new(),
            create_before_destroy: false,
            changes: Vec::new(),
            facts: ChangeFacts::between(old, new),
        };
        let unknown = self.unknown_paths(st, self.new_deps.get(j as u32), &r_new.properties);
        let Some(i) = self.old_of_new.get(j).copied().flatten() else {
            // A new resource: every instance is created.
            let new_attrs = instance_attributes(new, j);
            let new_sensitive = self.new_secrets(j);
            for key in instance_keys(r_new.count) {
                let mut rc = created(
                    base(instance_address(&info_new.address, key), key),
                    ResourceRef::new(new, j),
                    &new_attrs,
                    &new_sensitive,
                    r_new,
                    &unknown,
                );
                rc.facts.rid_after = Some(j as u32);
                out.push(rc);
            }
            if let Some(d) = st.decided.get_mut(j) {
                d.existed = false;
            }
            if let Some(slot) = st.secrets_of.get_mut(j) {
                *slot = new_sensitive;
            }
            return;
        };
        let (Some(r_old), Some(info_old)) = (old.resources().get(i), old.resource_info(i)) else {
            return;
        };
        let pairing = Pairing {
            old: r_old.count,
            new: r_new.count,
        };
        // The same written type under the same provider resolves to the same type (and tag
        // argument): the resolved names are compared only when the written ones differ.
        let same_written_type = r_old.resource_type == r_new.resource_type;
        let same_resolution = same_written_type && old.provider() == new.provider();
        let type_changed = !same_resolution && info_old.type_name != info_new.type_name;
        let before_ref = ResourceRef::new(old, i);
        let after_ref = ResourceRef::new(new, j);

        // The attribute differences (same for every matched instance). When the properties and
        // the default tags are the same, the attributes are: no copy, no walk.
        let props_same = same_map(&r_old.properties, &r_new.properties);
        let doc_same =
            props_same && same_written_type && same_resource_besides_properties(r_old, r_new);
        if let Some(slot) = st.doc_same.get_mut(j) {
            *slot = doc_same;
        }
        let unchanged = !type_changed
            && (same_resolution || info_old.tag_argument == info_new.tag_argument)
            && self.same_default_tags
            && props_same;
        let mut old_attrs = Lazy::new(|| instance_attributes(old, i));
        let mut new_attrs = Lazy::new(|| instance_attributes(new, j));
        let mut raw = Vec::new();
        if !unchanged {
            diff_attributes(&before_ref, &after_ref, &mut raw);
            let defaults = (!type_changed)
                .then(|| new.catalog_entry(j))
                .flatten()
                .map(|e| &e.defaults);
            raw.retain(|c| !is_cosmetic(c) && !is_default_either_way(c, defaults));
        }
        let unknown: Vec<&(Vec<PathStep>, String)> = unknown
            .iter()
            .filter(|(p, _)| !raw.iter().any(|c| c.steps == *p))
            .collect();
        let instances_move =
            pairing.created().next().is_some() || pairing.deleted().next().is_some();
        let needs_secrets =
            !raw.is_empty() || !unknown.is_empty() || !doc_same || type_changed || instances_move;
        let (old_sensitive, new_sensitive, secret) = if needs_secrets {
            let new_sensitive = self.new_secrets(j);
            // Same properties, type and sensitive variables: the same secrets.
            let old_sensitive = if unchanged && self.old_sv == self.new_sv {
                new_sensitive.clone()
            } else {
                self.old_secrets(i)
            };
            let secret = old_sensitive.union(&new_sensitive);
            (old_sensitive, new_sensitive, secret)
        } else {
            Default::default()
        };
        let entry: Option<&CatalogType> = new.catalog_entry(j);
        let mut changing: HashSet<String> = HashSet::new();
        let mut reasons = Vec::new();
        let mut replace_paths: Vec<Vec<PathStep>> = Vec::new();
        // Unconditional force-new arguments, and those that force a replacement only when the
        // new configuration turns a boolean on (`user_data` with `user_data_replace_on_change`).
        let force_new = |attr: &str| -> Option<String> {
            let e = entry?;
            if e.force_new.iter().any(|f| f == attr) {
                return Some(String::new());
            }
            let flag = e.force_new_when.get(attr)?;
            let on = r_new
                .properties
                .get(flag)
                .is_some_and(|v| is_true(v, &new.blueprint().variables));
            on.then(|| format!(" with `{flag}` true"))
        };
        let mut changes: Vec<AttributeChange> = Vec::new();
        for c in &raw {
            let attr = top_attr(&c.steps).unwrap_or_default();
            changing.insert(attr.to_string());
            let mut shown = shown_change(
                &c.steps,
                c.before.as_ref(),
                c.after.as_ref(),
                secret.has(attr),
            );
            if let Some(when) = force_new(attr).filter(|_| !type_changed) {
                shown.forces_replacement = true;
                let top = vec![PathStep::Key(attr.to_string())];
                if !replace_paths.contains(&top) {
                    replace_paths.push(top);
                    reasons.push(format!(
                        "`{attr}` changes, and changing it{when} forces {} to be replaced",
                        info_new.type_name
                    ));
                }
            }
            changes.push(shown);
        }
        let mut after_unknown = Value::Object(serde_json::Map::new());
        for (steps, cause) in &unknown {
            let attr = top_attr(steps).unwrap_or_default();
            changing.insert(attr.to_string());
            mirror_set(&mut after_unknown, steps);
            let v = r_new
                .properties
                .get(attr)
                .and_then(|v| super::values::get(v, steps.get(1..).unwrap_or_default()));
            let mut shown = shown_change(steps, v, v, secret.has(attr));
            shown.unknown = true;
            if let Some(when) = force_new(attr).filter(|_| !type_changed) {
                shown.forces_replacement = true;
                let top = vec![PathStep::Key(attr.to_string())];
                if !replace_paths.contains(&top) {
                    replace_paths.push(top);
                    reasons.push(format!(
                        "`{attr}` is known only after apply ({cause}), and changing it{when} forces {} to be replaced",
                        info_new.type_name
                    ));
                }
            }
            changes.push(shown);
        }
        let action = if type_changed {
            reasons.insert(
                0,
                format!(
                    "the type changes from {} to {}",
                    info_old.type_name, info_new.type_name
                ),
            );
            Action::Replace
        } else if changes.is_empty() {
            Action::NoOp
        } else if !replace_paths.is_empty() {
            Action::Replace
        } else {
            Action::Update
        };
        let replacement = match action {
            Action::Replace => Some(Replacement::Yes),
            Action::Update if entry.is_some() => Some(Replacement::No),
            Action::Update => {
                st.unknown_types.insert(info_new.type_name.as_str());
                Some(Replacement::Unknown)
            }
            _ => None,
        };
        if type_changed {
            // Every attribute of the old object goes, every one of the new comes.
            changes = old_attrs
                .get()
                .map(|a| whole_changes(a, &old_sensitive, false))
                .unwrap_or_default();
            if let Some(a) = new_attrs.get() {
                changes.extend(whole_changes(a, &new_sensitive, true));
            }
        }
        if let Some(d) = st.decided.get_mut(j) {
            d.existed = true;
            d.action = Some(action);
            d.changing = (!changing.is_empty()).then(|| changing.into_iter().collect());
            d.created_indexed = pairing.new.is_some();
            d.created = pairing.common()..len_of(pairing.new);
        }
        if let Some(slot) = st.secrets_of.get_mut(j) {
            *slot = secret;
        }
        if action == Action::Replace && r_new.lifecycle.prevent_destroy {
            st.findings.push(prevent_destroy_finding(
                j,
                &info_new.address,
                "replaced",
                &reasons,
            ));
        }
        let facts = ChangeFacts {
            own_cbd_before: r_old.lifecycle.create_before_destroy,
            own_cbd_after: r_new.lifecycle.create_before_destroy,
            prevent_before: r_old.lifecycle.prevent_destroy,
            prevent_after: r_new.lifecycle.prevent_destroy,
            rid_before: Some(i as u32),
            rid_after: Some(j as u32),
            type_before: type_changed.then_some(info_old.type_name.as_str()),
            index_before: None,
            provider_before: Some(provider_address(old.provider())),
            ..ChangeFacts::between(old, new)
        };
        let common = pairing.common();
        for (k, (old_key, new_key)) in pairing.matched().enumerate() {
            // The last instance takes the lists instead of copying them.
            let last = k as u32 + 1 == common;
            let mut rc = base(instance_address(&info_new.address, new_key), new_key);
            if old_key != new_key || type_changed {
                rc.previous_address = Some(instance_address(&info_old.address, old_key));
            }
            rc.action = action;
            rc.change.before = Some(before_ref);
            rc.change.after = Some(after_ref);
            rc.change.same_attributes = unchanged;
            if action != Action::NoOp {
                if last {
                    rc.change.after_unknown = std::mem::take(&mut after_unknown);
                    rc.change.replace_paths = std::mem::take(&mut replace_paths);
                    rc.changes = std::mem::take(&mut changes);
                    rc.replace_reasons = std::mem::take(&mut reasons);
                } else {
                    rc.change.after_unknown = after_unknown.clone();
                    rc.change.replace_paths = replace_paths.clone();
                    rc.changes = changes.clone();
                    rc.replace_reasons = reasons.clone();
                }
            }
            if action == Action::Replace {
                rc.action_reason = Some("replace_because_cannot_update");
            }
            rc.replacement = replacement;
            rc.facts = facts.clone();
            rc.facts.index_before = old_key;
            out.push(rc);
        }
        if !instances_move {
            return;
        }
        for key in pairing.created() {
            let mut rc = created(
                base(instance_address(&info_new.address, key), key),
                after_ref,
                new_attrs.get().unwrap_or(&Value::Null),
                &new_sensitive,
                r_new,
                &[],
            );
            rc.facts.own_cbd_before = r_old.lifecycle.create_before_destroy;
            rc.facts.prevent_before = r_old.lifecycle.prevent_destroy;
            // The resource was there before (only this instance is new).
            rc.facts.rid_before = Some(i as u32);
            rc.facts.rid_after = Some(j as u32);
            out.push(rc);
        }
        for key in pairing.deleted() {
            let mut rc = self.deleted(
                r_old,
                before_ref,
                &info_old.address,
                &info_old.type_name,
                key,
                old_attrs.get().unwrap_or(&Value::Null),
                &old_sensitive,
                "delete_because_count_index",
            );
            // The resource stays in the new blueprint, whose lifecycle decides.
            rc.facts.own_cbd_after = r_new.lifecycle.create_before_destroy;
            rc.facts.prevent_after = r_new.lifecycle.prevent_destroy;
            rc.facts.rid_before = Some(i as u32);
            rc.facts.rid_after = Some(j as u32);
            if r_new.lifecycle.prevent_destroy {
                st.findings.push(prevent_destroy_finding(
                    j,
                    &rc.address,
                    "destroyed",
                    &[format!(
                        "its count goes from {} to {}",
                        r_old.instance_count(),
                        r_new.instance_count()
                    )],
                ));
            }
            out.push(rc);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn deleted(
        &self,
        r: &'a Resource,
        from: ResourceRef<'a>,
        address: &'a str,
        type_name: &'a str,
        key: Option<u32>,
        attrs: &Value,
        sensitive: &Secrets,
        reason: &'static str,
    ) -> ResourceChange<'a> {
        let provider = provider_address(self.old.provider());
        ResourceChange {
            address: instance_address(address, key),
            previous_address: None,
            mode: "managed",
            type_name,
            name: r.name.as_str(),
            index: key,
            provider_name: provider,
            change: Change {
                actions: &[],
                before: Some(from),
                after: None,
                same_attributes: false,
                after_unknown: Value::Object(serde_json::Map::new()),
                replace_paths: Vec::new(),
            },
            action_reason: Some(reason),
            action: Action::Delete,
            replacement: None,
            replace_reasons: Vec::new(),
            create_before_destroy: false,
            changes: whole_changes(attrs, sensitive, false),
            facts: ChangeFacts {
                own_cbd_before: r.lifecycle.create_before_destroy,
                prevent_before: r.lifecycle.prevent_destroy,
                index_before: key,
                provider_before: Some(provider),
                ..ChangeFacts::between(self.old, self.new)
            },
        }
    }

    /// Every instance of an old resource that the new blueprint no longer has.
    fn deleted_resource(
        &self,
        st: &mut State<'a>,
        i: usize,
        r: &'a Resource,
        address: &'a str,
        out: &mut Vec<ResourceChange<'a>>,
    ) {
        let old = self.old;
        let attrs = instance_attributes(old, i);
        let sensitive = self.old_secrets(i);
        let type_name = old
            .resource_info(i)
            .map(|x| x.type_name.as_str())
            .unwrap_or_default();
        if r.lifecycle.prevent_destroy {
            st.findings.push(
                Finding::error(
                    Code::PreventDestroy,
                    format!("resources[{i}].lifecycle.prevent_destroy"),
                    format!(
                        "{address} has lifecycle.prevent_destroy in the old blueprint and the new one removes it: it would be destroyed. Plan a version that clears prevent_destroy first"
                    ),
                ),
            );
        }
        for key in instance_keys(r.count) {
            let mut rc = self.deleted(
                r,
                ResourceRef::new(old, i),
                address,
                type_name,
                key,
                &attrs,
                &sensitive,
                "delete_because_no_resource_config",
            );
            rc.facts.rid_before = Some(i as u32);
            out.push(rc);
        }
    }
}

/// A created instance: every attribute is a change from nothing.
fn created<'a>(
    mut rc: ResourceChange<'a>,
    to: ResourceRef<'a>,
    attrs: &Value,
    sensitive: &Secrets,
    r: &Resource,
    unknown: &[(Vec<PathStep>, String)],
) -> ResourceChange<'a> {
    rc.action = Action::Create;
    rc.change.after = Some(to);
    for (steps, _) in unknown {
        mirror_set(&mut rc.change.after_unknown, steps);
    }
    rc.changes = whole_changes(attrs, sensitive, true);
    rc.facts.own_cbd_after = r.lifecycle.create_before_destroy;
    rc.facts.prevent_after = r.lifecycle.prevent_destroy;
    rc
}

/// Whether a written boolean is true: `true`, its string form `"true"` (Terraform's conversion),
/// or a reference to a variable whose default is one of those. Anything else (false, absent, a
/// reference to a resource) is not known to be true.
fn is_true(v: &Value, variables: &[Variable]) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) if s == "true" => true,
        Value::String(s) => s
            .strip_prefix("${var.")
            .and_then(|r| r.strip_suffix('}'))
            .and_then(|name| variables.iter().find(|x| x.name == name))
            .and_then(|x| x.default.as_ref())
            .is_some_and(|d| matches!(d, Value::Bool(true)) || d.as_str() == Some("true")),
        _ => false,
    }
}

fn prevent_destroy_finding(j: usize, address: &str, what: &str, reasons: &[String]) -> Finding {
    let why = if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.join("; "))
    };
    Finding::error(
        Code::PreventDestroy,
        format!("resources[{j}].lifecycle.prevent_destroy"),
        format!("{address} has lifecycle.prevent_destroy, but this plan would have it {what}{why}"),
    )
}

/// A named item (variable or output) as a JSON object without its name.
fn named_doc<T: serde::Serialize>(item: &T) -> Value {
    let mut v = serde_json::to_value(item).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.remove("name");
    }
    v
}

fn named_changes<'a, T: serde::Serialize + 'a>(
    old: impl Iterator<Item = (&'a str, &'a T)>,
    new: impl Iterator<Item = (&'a str, &'a T)>,
    secret_key: &str,
    is_secret: &dyn Fn(&str) -> bool,
) -> Vec<NamedChange> {
    let old: Vec<(&str, &T)> = old.collect();
    let new: Vec<(&str, &T)> = new.collect();
    let old_map: HashMap<&str, &T> = old.iter().copied().collect();
    let new_map: HashMap<&str, &T> = new.iter().copied().collect();
    let mut out = Vec::new();
    let mut push = |name: &str, before: Option<&T>, after: Option<&T>| {
        let b = before.map(named_doc);
        let a = after.map(named_doc);
        let mut raw = Vec::new();
        diff(b.as_ref(), a.as_ref(), &mut Vec::new(), &mut raw);
        if raw.is_empty() {
            return;
        }
        let secret = is_secret(name);
        let mut changes = Vec::new();
        for c in raw {
            // Whole items added or removed: one change per field.
            if c.steps.is_empty() {
                let created = c.before.is_none();
                let v = if created { &c.after } else { &c.before };
                if let Some(Value::Object(m)) = v {
                    for (k, v) in m {
                        let steps = [PathStep::Key(k.clone())];
                        let s = secret && k == secret_key;
                        changes.push(if created {
                            shown_change(&steps, None, Some(v), s)
                        } else {
                            shown_change(&steps, Some(v), None, s)
                        });
                    }
                }
                continue;
            }
            let s = secret && top_attr(&c.steps) == Some(secret_key);
            changes.push(shown_change(
                &c.steps,
                c.before.as_ref(),
                c.after.as_ref(),
                s,
            ));
        }
        let action = match (before, after) {
            (None, _) => Action::Create,
            (_, None) => Action::Delete,
            _ => Action::Update,
        };
        out.push(NamedChange {
            name: name.to_string(),
            action,
            changes,
        });
    };
    for (name, n) in &new {
        push(name, old_map.get(name).copied(), Some(n));
    }
    for (name, o) in &old {
        if !new_map.contains_key(name) {
            push(name, Some(o), None);
        }
    }
    out
}

fn variable_changes(
    old: &CheckedBlueprint,
    new: &CheckedBlueprint,
    old_sv: &HashSet<&str>,
    new_sv: &HashSet<&str>,
) -> Vec<NamedChange> {
    named_changes(
        old.blueprint()
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v)),
        new.blueprint()
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v)),
        "default",
        &|name| old_sv.contains(name) || new_sv.contains(name),
    )
}

fn output_changes(old: &CheckedBlueprint, new: &CheckedBlueprint) -> Vec<NamedChange> {
    let secret: HashSet<&str> = old
        .blueprint()
        .outputs
        .iter()
        .chain(&new.blueprint().outputs)
        .filter(|o| o.sensitive)
        .map(|o| o.name.as_str())
        .collect();
    named_changes(
        old.blueprint().outputs.iter().map(|o| (o.name.as_str(), o)),
        new.blueprint().outputs.iter().map(|o| (o.name.as_str(), o)),
        "value",
        &|name| secret.contains(name),
    )
}
