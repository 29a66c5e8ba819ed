//! `plan_diff`: match resources by name (their address is `type.name`), expand `count` into
//! instances, classify each instance's action, and record every attribute-level difference.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use crate::blueprint::{Resource, Value, Variable};
use crate::catalog::{self, CatalogType, Provider};
use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::reference::{may_contain_reference, Reference, Template};

use super::document::document_changes;
use super::model::{
    Action, AttributeChange, Change, ChangeFacts, NamedChange, Plan, Replacement, ResourceChange,
    Side, Summary,
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

/// The attributes of every instance of resource `i`, as Terraform plans the generated code: its
/// properties and, when the blueprint sets default tags on a taggable type, its effective tags
/// (its own merged over the defaults) — in `tags_all` on AWS (whose provider applies the defaults
/// through `default_tags`, keeping `tags` as written), and in the type's tag argument (`tags`,
/// `labels`, `resource_labels`, ...) on Azure and Google, where the generated code merges them.
pub(crate) fn instance_attributes(bp: &CheckedBlueprint, i: usize) -> Value {
    let mut attrs = bp
        .resources()
        .get(i)
        .map(|r| r.properties.clone())
        .unwrap_or_default();
    let tag_argument = bp.resource_info(i).and_then(|r| r.tag_argument.as_deref());
    if let (false, Some(tag_argument)) = (bp.blueprint().tags.is_empty(), tag_argument) {
        let name = match bp.provider() {
            Provider::Aws => "tags_all",
            Provider::Azure | Provider::Gcp => tag_argument,
        };
        attrs.insert(name.to_string(), Value::Object(bp.effective_tags(i)));
    }
    Value::Object(attrs)
}

/// The instance keys of a resource: `[None]` without count, `[Some(0)..]` with.
fn instance_keys(count: Option<u32>) -> Vec<Option<u32>> {
    match count {
        None => vec![None],
        Some(n) => (0..n).map(Some).collect(),
    }
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

fn pair_instances(old: Option<u32>, new: Option<u32>) -> Pairing {
    Pairing { old, new }
}

pub(crate) fn instance_address(resource_address: &str, key: Option<u32>) -> String {
    match key {
        None => resource_address.to_string(),
        Some(i) => format!("{resource_address}[{i}]"),
    }
}

/// Top-level attribute names whose values are secret (a handful at most).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    pub(crate) fn has(&self, attr: &str) -> bool {
        self.0.iter().any(|s| s == attr)
    }

    fn union(&self, other: &Secrets) -> Secrets {
        let mut v = self.0.clone();
        v.extend(other.0.iter().filter(|x| !self.has(x)).cloned());
        Secrets(v)
    }

    pub(crate) fn into_set(self) -> HashSet<String> {
        self.0.into_iter().collect()
    }
}

/// Does any string in the value refer to one of these variables?
fn refers_to_variable(value: &Value, vars: &HashSet<&str>) -> bool {
    match value {
        // Only strings that can hold `${var.…}` are parsed.
        Value::String(s) if s.contains("${") && s.contains("var.") => Template::parse(s)
            .map(|t| {
                t.references().any(
                    |r| matches!(r, Reference::Variable { name } if vars.contains(name.as_str())),
                )
            })
            .unwrap_or(false),
        Value::Array(items) => items.iter().any(|v| refers_to_variable(v, vars)),
        Value::Object(m) => m.values().any(|v| refers_to_variable(v, vars)),
        _ => false,
    }
}

/// The top-level attributes of a resource whose values are secret: the catalog's sensitive
/// arguments, and every attribute whose value refers to a sensitive variable.
pub(crate) fn sensitive_attributes(
    bp: &CheckedBlueprint,
    i: usize,
    sensitive_vars: &HashSet<&str>,
) -> Secrets {
    let mut out: Vec<String> = bp
        .catalog_entry(i)
        .map(|e| e.sensitive.clone())
        .unwrap_or_default();
    if !sensitive_vars.is_empty() {
        if let Some(r) = bp.resources().get(i) {
            for (k, v) in &r.properties {
                if refers_to_variable(v, sensitive_vars) && !out.contains(k) {
                    out.push(k.clone());
                }
            }
        }
    }
    Secrets(out)
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

pub(crate) fn sensitive_variables(bp: &CheckedBlueprint) -> HashSet<&str> {
    bp.blueprint()
        .variables
        .iter()
        .filter(|v| v.sensitive)
        .map(|v| v.name.as_str())
        .collect()
}

/// Masks the given top-level attributes of an object to `null` (copying only when one is
/// present); returns the masked value and its sensitivity mirror (`{attr: true}`).
fn mask_object(value: &Arc<Value>, sensitive: &Secrets) -> (Arc<Value>, Value) {
    let mut mirror = serde_json::Map::new();
    let Value::Object(map) = value.as_ref() else {
        return (value.clone(), Value::Object(mirror));
    };
    if !map.keys().any(|k| sensitive.has(k)) {
        return (value.clone(), Value::Object(mirror));
    }
    let mut masked = map.clone();
    for (k, v) in masked.iter_mut() {
        if sensitive.has(k) {
            *v = Value::Null;
            mirror.insert(k.clone(), Value::Bool(true));
        }
    }
    (Arc::new(Value::Object(masked)), Value::Object(mirror))
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

/// What the diff decided about one resource present in the new blueprint.
#[derive(Default)]
struct Decided {
    /// The action of the instances present on both sides.
    action: Option<Action>,
    /// Instance keys created (absent before).
    created: HashSet<Option<u32>>,
    /// Top-level attributes whose value changes (written or known after apply).
    changing: HashSet<String>,
    /// Whether the resource exists in the old blueprint at all.
    existed: bool,
}

/// Per-resource facts both sides need.
struct SideFacts<'a> {
    bp: &'a CheckedBlueprint,
    sensitive_vars: HashSet<&'a str>,
}

impl<'a> SideFacts<'a> {
    /// The resources `i` depends on, as addresses and indices. A dependency with `count = 0`
    /// has no instance to wait for, so its own dependencies stand in for it (order still flows
    /// through it).
    fn depends_on(&self, i: usize) -> (Vec<String>, Arc<[u32]>) {
        let g = self.bp.graph();
        let direct = g.dependencies(i);
        let zero = |d: &usize| self.bp.resources().get(*d).and_then(|r| r.count) == Some(0);
        if !direct.iter().any(zero) {
            let names = direct
                .iter()
                .filter_map(|&d| self.bp.resource_info(d).map(|r| r.address.clone()))
                .collect();
            let ids: Arc<[u32]> = direct.iter().map(|&d| d as u32).collect();
            return (names, ids);
        }
        let mut found: Vec<usize> = Vec::new();
        let mut stack = direct;
        let mut seen: HashSet<usize> = HashSet::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            if self.bp.resources().get(d).and_then(|r| r.count) == Some(0) {
                stack.extend(g.dependencies(d));
            } else {
                found.push(d);
            }
        }
        found.sort_unstable();
        let names = found
            .iter()
            .filter_map(|&d| self.bp.resource_info(d).map(|r| r.address.clone()))
            .collect();
        let ids: Arc<[u32]> = found.iter().map(|&d| d as u32).collect();
        (names, ids)
    }
}

struct Builder<'a> {
    old: SideFacts<'a>,
    new: SideFacts<'a>,
    changing_vars: HashSet<String>,
    decided: Vec<Decided>,
    findings: Vec<Finding>,
    notes: Vec<String>,
    unknown_types: HashSet<String>,
    old_of_new: &'a [Option<usize>],
    /// Per new resource: the old document has the very same resource.
    doc_same: Vec<bool>,
    /// Per new resource: its sensitive attributes (on either side).
    secrets_of: Vec<Secrets>,
    same_sensitive_vars: bool,
}

/// Computes the plan that turns `old` into `new`.
pub(crate) fn plan_diff(old: &CheckedBlueprint, new: &CheckedBlueprint) -> Result<Plan> {
    let changing_vars = changing_variables(&old.blueprint().variables, &new.blueprint().variables);
    // Which resource of the other side has the same name, looked up once.
    let old_of_new: Vec<Option<usize>> = new
        .resources()
        .iter()
        .map(|r| old.index_of(&r.name))
        .collect();
    let mut new_of_old: Vec<Option<usize>> = vec![None; old.resources().len()];
    for (j, i) in old_of_new.iter().enumerate() {
        if let Some(slot) = i.and_then(|i| new_of_old.get_mut(i)) {
            *slot = Some(j);
        }
    }
    let mut b = Builder {
        old: SideFacts {
            bp: old,
            sensitive_vars: sensitive_variables(old),
        },
        new: SideFacts {
            bp: new,
            sensitive_vars: sensitive_variables(new),
        },
        changing_vars,
        decided: (0..new.resources().len())
            .map(|_| Decided::default())
            .collect(),
        findings: Vec::new(),
        notes: Vec::new(),
        unknown_types: HashSet::new(),
        old_of_new: &old_of_new,
        doc_same: vec![false; new.resources().len()],
        secrets_of: vec![Secrets::default(); new.resources().len()],
        same_sensitive_vars: false,
    };
    b.same_sensitive_vars = b.old.sensitive_vars == b.new.sensitive_vars;
    // Decide in dependency order, so that what a resource refers to is decided first; the
    // changes are listed in document order. When the document is already in dependency order
    // (the usual case), both are the same walk.
    let n = new.resources().len();
    let mut resource_changes: Vec<ResourceChange> = Vec::with_capacity(n + n / 8);
    if new
        .graph()
        .edges()
        .iter()
        .all(|e| e.dependency < e.dependent)
    {
        for j in 0..n {
            b.resource(j, &mut resource_changes);
        }
    } else {
        let mut per_resource: Vec<Vec<ResourceChange>> = vec![Vec::new(); n];
        for &j in new.graph().order() {
            if let Some(slot) = per_resource.get_mut(j) {
                b.resource(j, slot);
            }
        }
        resource_changes.extend(per_resource.into_iter().flatten());
    }
    for (i, r, info) in old.iter() {
        if new_of_old.get(i).copied().flatten().is_none() {
            resource_changes.extend(b.deleted_resource(i, r, &info.address));
        }
    }
    if !b.findings.is_empty() {
        return Err(Error::new(ErrorKind::Plan, b.findings));
    }
    let mut notes = std::mem::take(&mut b.notes);
    let mut unknown: Vec<&String> = b.unknown_types.iter().collect();
    unknown.sort();
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
    let waves = order_plan(&mut resource_changes)?;
    let output_changes = b.outputs_known_after_apply(output_changes(old, new));
    let summary = summarize(&resource_changes);
    let old_sv = &b.old.sensitive_vars;
    let new_sv = &b.new.sensitive_vars;
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
        variable_changes: variable_changes(old, new, old_sv, new_sv),
        output_changes,
        document_changes: document_changes(
            old,
            new,
            &old_of_new,
            &new_of_old,
            &b.doc_same,
            &b.secrets_of,
            &|i| sensitive_attributes(old, i, old_sv).into_set(),
        ),
        summary,
        notes,
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

impl Builder<'_> {
    /// Adds, for outputs whose written value stays, a change when what they refer to changes
    /// (Terraform shows such outputs as known after apply).
    fn outputs_known_after_apply(&self, mut changes: Vec<NamedChange>) -> Vec<NamedChange> {
        let old = self.old.bp.blueprint();
        let new = self.new.bp.blueprint();
        for o in &new.outputs {
            if changes.iter().any(|c| c.name == o.name) {
                continue;
            }
            if !old.outputs.iter().any(|p| p.name == o.name) {
                continue;
            }
            let mut found = Vec::new();
            let mut path = vec![PathStep::Key("value".into())];
            self.unknown_in(&o.value, &mut path, &mut found);
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
    fn attribute_changes(&self, j: usize, key: Option<u32>, attr: &str) -> bool {
        let Some(d) = self.decided.get(j) else {
            return false;
        };
        if !d.existed || d.created.contains(&key) {
            return true;
        }
        match d.action {
            Some(Action::NoOp) | None => false,
            Some(Action::Update) => d.changing.contains(attr),
            Some(Action::Replace) => {
                d.changing.contains(attr)
                    || !self
                        .new
                        .bp
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
        deps: &[u32],
        props: &serde_json::Map<String, Value>,
    ) -> Vec<(Vec<PathStep>, String)> {
        let deps_change = deps.iter().any(|&d| {
            self.decided.get(d as usize).is_some_and(|x| {
                !x.existed || !x.created.is_empty() || x.action != Some(Action::NoOp)
            })
        });
        if !deps_change && self.changing_vars.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<(Vec<PathStep>, String)> = Vec::new();
        let mut path = Vec::new();
        for (k, v) in props {
            path.push(PathStep::Key(k.clone()));
            self.unknown_in(v, &mut path, &mut out);
            path.pop();
        }
        out
    }

    fn unknown_in(
        &self,
        value: &Value,
        path: &mut Vec<PathStep>,
        out: &mut Vec<(Vec<PathStep>, String)>,
    ) {
        let new = self.new.bp;
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
                        self.attribute_changes(t, *index, attr).then(|| {
                            let addr = new
                                .resource_info(t)
                                .map(|i| instance_address(&i.address, *index))
                                .unwrap_or_default();
                            let what = match self.decided.get(t).and_then(|d| d.action) {
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

    /// Every instance change of new resource `j`, appended to `out`.
    fn resource(&mut self, j: usize, out: &mut Vec<ResourceChange>) {
        let new = self.new.bp;
        let old = self.old.bp;
        let (Some(r_new), Some(info_new)) = (new.resources().get(j), new.resource_info(j)) else {
            return;
        };
        let new_attrs = Arc::new(instance_attributes(new, j));
        let new_sensitive = sensitive_attributes(new, j, &self.new.sensitive_vars);
        let (mut depends_on, deps_after) = self.new.depends_on(j);
        let provider_name = provider_address(new.provider());
        let base = |address: String, index: Option<u32>| ResourceChange {
            address,
            previous_address: None,
            mode: "managed",
            type_name: info_new.type_name.clone(),
            name: r_new.name.clone(),
            index,
            provider_name,
            change: Change {
                actions: &[],
                before: Arc::new(Value::Null),
                after: Arc::new(Value::Null),
                after_unknown: Value::Object(serde_json::Map::new()),
                before_sensitive: Value::Bool(false),
                after_sensitive: Value::Bool(false),
                replace_paths: Vec::new(),
            },
            action_reason: None,
            action: Action::NoOp,
            replacement: None,
            replace_reasons: Vec::new(),
            create_before_destroy: false,
            changes: Vec::new(),
            depends_on: Vec::new(),
            prior_depends_on: Vec::new(),
            facts: ChangeFacts::default(),
        };
        let unknown = self.unknown_paths(&deps_after, &r_new.properties);
        let Some(i) = self.old_of_new.get(j).copied().flatten() else {
            // A new resource: every instance is created.
            for key in instance_keys(r_new.count) {
                let mut rc = self.created(
                    base(instance_address(&info_new.address, key), key),
                    &new_attrs,
                    &new_sensitive,
                    &depends_on,
                    r_new,
                    &unknown,
                );
                rc.facts.rid_after = Some(j as u32);
                rc.facts.deps_after = deps_after.clone();
                out.push(rc);
            }
            if let Some(d) = self.decided.get_mut(j) {
                d.existed = false;
            }
            if let Some(slot) = self.secrets_of.get_mut(j) {
                *slot = new_sensitive;
            }
            return;
        };
        let (Some(r_old), Some(info_old)) = (old.resources().get(i), old.resource_info(i)) else {
            return;
        };
        let (mut prior_depends_on, deps_before) = self.old.depends_on(i);
        let pairing = pair_instances(r_old.count, r_new.count);
        let type_changed = info_old.type_name != info_new.type_name;
        let same_secrets = !type_changed && self.same_sensitive_vars;

        // The attribute differences (same for every matched instance). When the properties and
        // the default tags are the same, the attributes are: no copy, no walk.
        let props_same = same_map(&r_old.properties, &r_new.properties);
        if let Some(slot) = self.doc_same.get_mut(j) {
            *slot = props_same && super::document::same_resource_besides_properties(r_old, r_new);
        }
        let unchanged = !type_changed
            && info_old.taggable == info_new.taggable
            && old.blueprint().tags == new.blueprint().tags
            && props_same;
        let old_attrs = if unchanged {
            new_attrs.clone()
        } else {
            Arc::new(instance_attributes(old, i))
        };
        // Same properties, type and sensitive variables: the same secrets.
        let old_sensitive = if unchanged && same_secrets {
            new_sensitive.clone()
        } else {
            sensitive_attributes(old, i, &self.old.sensitive_vars)
        };
        let mut raw = Vec::new();
        if !unchanged {
            diff(
                Some(&old_attrs),
                Some(&new_attrs),
                &mut Vec::new(),
                &mut raw,
            );
            raw.retain(|c| !is_cosmetic(c));
        }
        let written: HashSet<&[PathStep]> = raw.iter().map(|c| c.steps.as_slice()).collect();
        let unknown: Vec<&(Vec<PathStep>, String)> = unknown
            .iter()
            .filter(|(p, _)| !written.contains(p.as_slice()))
            .collect();
        let entry: Option<&CatalogType> = new.catalog_entry(j);
        let mut changing: HashSet<String> = HashSet::new();
        let mut reasons = Vec::new();
        let mut replace_paths: Vec<Vec<PathStep>> = Vec::new();
        let force_new = |attr: &str| entry.is_some_and(|e| e.force_new.iter().any(|f| f == attr));
        let secret = old_sensitive.union(&new_sensitive);
        if let Some(slot) = self.secrets_of.get_mut(j) {
            *slot = secret.clone();
        }
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
            if !type_changed && force_new(attr) {
                shown.forces_replacement = true;
                let top = vec![PathStep::Key(attr.to_string())];
                if !replace_paths.contains(&top) {
                    replace_paths.push(top);
                    reasons.push(format!(
                        "`{attr}` changes, and changing it forces {} to be replaced",
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
            let v = super::values::get(&new_attrs, steps);
            let mut shown = shown_change(steps, v, v, secret.has(attr));
            shown.unknown = true;
            if !type_changed && force_new(attr) {
                shown.forces_replacement = true;
                let top = vec![PathStep::Key(attr.to_string())];
                if !replace_paths.contains(&top) {
                    replace_paths.push(top);
                    reasons.push(format!(
                        "`{attr}` is known only after apply ({cause}), and changing it forces {} to be replaced",
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
                self.unknown_types.insert(info_new.type_name.clone());
                Some(Replacement::Unknown)
            }
            _ => None,
        };
        if type_changed {
            // Every attribute of the old object goes, every one of the new comes.
            changes = whole_changes(&old_attrs, &old_sensitive, false);
            changes.extend(whole_changes(&new_attrs, &new_sensitive, true));
        }
        if let Some(d) = self.decided.get_mut(j) {
            d.existed = true;
            d.action = Some(action);
            d.changing = changing;
            d.created = pairing.created().collect();
        }
        if action == Action::Replace && r_new.lifecycle.prevent_destroy {
            self.findings.push(prevent_destroy_finding(
                j,
                &info_new.address,
                "replaced",
                &reasons,
            ));
        }
        let (before_shown, before_mirror) =
            mask_object(&old_attrs, if unchanged { &secret } else { &old_sensitive });
        let (after_shown, after_mirror) = if unchanged {
            (before_shown.clone(), before_mirror.clone())
        } else {
            mask_object(&new_attrs, &new_sensitive)
        };
        let facts = ChangeFacts {
            own_cbd_before: r_old.lifecycle.create_before_destroy,
            own_cbd_after: r_new.lifecycle.create_before_destroy,
            prevent_before: r_old.lifecycle.prevent_destroy,
            prevent_after: r_new.lifecycle.prevent_destroy,
            rid_before: Some(i as u32),
            rid_after: Some(j as u32),
            deps_before: deps_before.clone(),
            deps_after: deps_after.clone(),
            type_before: type_changed.then(|| info_old.type_name.clone()),
            index_before: None,
            provider_before: Some(provider_address(old.provider())),
        };
        let singles = pairing.created().next().is_none() && pairing.deleted().next().is_none();
        let common = pairing.common();
        for (k, (old_key, new_key)) in pairing.matched().enumerate() {
            // The last instance takes the dependency lists instead of copying them.
            let last = singles && k as u32 + 1 == common;
            let mut rc = base(instance_address(&info_new.address, new_key), new_key);
            if old_key != new_key || type_changed {
                rc.previous_address = Some(instance_address(&info_old.address, old_key));
            }
            rc.action = action;
            rc.change.before = before_shown.clone();
            rc.change.after = after_shown.clone();
            rc.change.before_sensitive = before_mirror.clone();
            rc.change.after_sensitive = after_mirror.clone();
            if action != Action::NoOp {
                rc.change.after_unknown = after_unknown.clone();
                rc.change.replace_paths = replace_paths.clone();
                rc.changes = changes.clone();
                rc.replace_reasons = reasons.clone();
            }
            if action == Action::Replace {
                rc.action_reason = Some("replace_because_cannot_update");
            }
            rc.replacement = replacement;
            if last {
                rc.depends_on = std::mem::take(&mut depends_on);
                rc.prior_depends_on = std::mem::take(&mut prior_depends_on);
            } else {
                rc.depends_on = depends_on.clone();
                rc.prior_depends_on = prior_depends_on.clone();
            }
            rc.facts = facts.clone();
            rc.facts.index_before = old_key;
            out.push(rc);
        }
        for key in pairing.created() {
            let mut rc = self.created(
                base(instance_address(&info_new.address, key), key),
                &new_attrs,
                &new_sensitive,
                &depends_on,
                r_new,
                &[],
            );
            rc.prior_depends_on = Vec::new();
            rc.facts.own_cbd_before = r_old.lifecycle.create_before_destroy;
            rc.facts.prevent_before = r_old.lifecycle.prevent_destroy;
            // The resource was there before (only this instance is new).
            rc.facts.rid_before = Some(i as u32);
            rc.facts.rid_after = Some(j as u32);
            rc.facts.deps_after = deps_after.clone();
            out.push(rc);
        }
        for key in pairing.deleted() {
            let mut rc = self.deleted(
                r_old,
                &info_old.address,
                &info_old.type_name,
                key,
                &old_attrs,
                &old_sensitive,
                &prior_depends_on,
                "delete_because_count_index",
            );
            // The resource stays in the new blueprint, whose lifecycle decides.
            rc.facts.own_cbd_after = r_new.lifecycle.create_before_destroy;
            rc.facts.prevent_after = r_new.lifecycle.prevent_destroy;
            rc.facts.rid_before = Some(i as u32);
            rc.facts.rid_after = Some(j as u32);
            rc.facts.deps_before = deps_before.clone();
            if r_new.lifecycle.prevent_destroy {
                self.findings.push(prevent_destroy_finding(
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
    fn created(
        &self,
        mut rc: ResourceChange,
        attrs: &Arc<Value>,
        sensitive: &Secrets,
        depends_on: &[String],
        r: &Resource,
        unknown: &[(Vec<PathStep>, String)],
    ) -> ResourceChange {
        let (after, mirror) = mask_object(attrs, sensitive);
        rc.action = Action::Create;
        rc.change.after = after;
        rc.change.after_sensitive = mirror;
        for (steps, _) in unknown {
            mirror_set(&mut rc.change.after_unknown, steps);
        }
        rc.changes = whole_changes(attrs, sensitive, true);
        rc.depends_on = depends_on.to_vec();
        rc.facts = ChangeFacts {
            own_cbd_after: r.lifecycle.create_before_destroy,
            prevent_after: r.lifecycle.prevent_destroy,
            ..ChangeFacts::default()
        };
        rc
    }

    #[allow(clippy::too_many_arguments)]
    fn deleted(
        &self,
        r: &Resource,
        address: &str,
        type_name: &str,
        key: Option<u32>,
        attrs: &Arc<Value>,
        sensitive: &Secrets,
        prior_depends_on: &[String],
        reason: &'static str,
    ) -> ResourceChange {
        let (before, mirror) = mask_object(attrs, sensitive);
        ResourceChange {
            address: instance_address(address, key),
            previous_address: None,
            mode: "managed",
            type_name: type_name.to_string(),
            name: r.name.clone(),
            index: key,
            provider_name: provider_address(self.old.bp.provider()),
            change: Change {
                actions: &[],
                before,
                after: Arc::new(Value::Null),
                after_unknown: Value::Object(serde_json::Map::new()),
                before_sensitive: mirror,
                after_sensitive: Value::Bool(false),
                replace_paths: Vec::new(),
            },
            action_reason: Some(reason),
            action: Action::Delete,
            replacement: None,
            replace_reasons: Vec::new(),
            create_before_destroy: false,
            changes: whole_changes(attrs, sensitive, false),
            depends_on: Vec::new(),
            prior_depends_on: prior_depends_on.to_vec(),
            facts: ChangeFacts {
                own_cbd_before: r.lifecycle.create_before_destroy,
                prevent_before: r.lifecycle.prevent_destroy,
                index_before: key,
                provider_before: Some(provider_address(self.old.bp.provider())),
                ..ChangeFacts::default()
            },
        }
    }

    /// Every instance of an old resource that the new blueprint no longer has.
    fn deleted_resource(&mut self, i: usize, r: &Resource, address: &str) -> Vec<ResourceChange> {
        let old = self.old.bp;
        let attrs = Arc::new(instance_attributes(old, i));
        let sensitive = sensitive_attributes(old, i, &self.old.sensitive_vars);
        let (deps, deps_before) = self.old.depends_on(i);
        let type_name = old
            .resource_info(i)
            .map(|x| x.type_name.clone())
            .unwrap_or_default();
        if r.lifecycle.prevent_destroy {
            self.findings.push(
                Finding::error(
                    Code::PreventDestroy,
                    format!("resources[{i}].lifecycle.prevent_destroy"),
                    format!(
                        "{address} has lifecycle.prevent_destroy in the old blueprint and the new one removes it: it would be destroyed. Plan a version that clears prevent_destroy first"
                    ),
                ),
            );
        }
        instance_keys(r.count)
            .into_iter()
            .map(|key| {
                let mut rc = self.deleted(
                    r,
                    address,
                    &type_name,
                    key,
                    &attrs,
                    &sensitive,
                    &deps,
                    "delete_because_no_resource_config",
                );
                rc.facts.rid_before = Some(i as u32);
                rc.facts.deps_before = deps_before.clone();
                rc
            })
            .collect()
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
