//! Differences between the two blueprint documents, in a form where resources, variables and
//! outputs are keyed by name, and replaying them ([`apply_plan`]).

use std::collections::{HashMap, HashSet};

use crate::blueprint::{Blueprint, Lifecycle, Resource, Value};
use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

use super::model::{AttributeChange, DocumentChange, Plan};
use super::values::{
    apply_change, diff, diff_maps, order_for_apply, path_string, same_map, ApplyProblem, PathStep,
    RawChange,
};

const COLLECTIONS: [&str; 3] = ["variables", "outputs", "resources"];

/// The header fields of a blueprint, serialized as the document serializes them.
fn header(bp: &Blueprint) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), Value::String(bp.name.clone()));
    m.insert("version".into(), Value::String(bp.version.clone()));
    m.insert("provider".into(), Value::String(bp.provider.clone()));
    m.insert("region".into(), Value::String(bp.region.clone()));
    if let Some(d) = &bp.description {
        m.insert("description".into(), Value::String(d.clone()));
    }
    if !bp.tags.is_empty() {
        m.insert(
            "tags".into(),
            serde_json::to_value(&bp.tags).unwrap_or(Value::Null),
        );
    }
    if !bp.metadata.is_empty() {
        m.insert(
            "metadata".into(),
            serde_json::to_value(&bp.metadata).unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

/// The document with `resources`, `variables` and `outputs` as objects keyed by name, and the
/// order of each collection's names (the objects are sorted maps, so the order is kept apart).
struct Keyed {
    doc: Value,
    /// The names of each of [`COLLECTIONS`], in document order.
    order: [Vec<String>; 3],
}

impl Keyed {
    fn new(bp: &Blueprint) -> Keyed {
        let mut doc = bp.to_value();
        let mut order: [Vec<String>; 3] = Default::default();
        if let Value::Object(m) = &mut doc {
            for (key, names) in COLLECTIONS.iter().zip(order.iter_mut()) {
                let mut by_name = serde_json::Map::new();
                if let Some(Value::Array(items)) = m.remove(*key) {
                    for item in items {
                        let name = item
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        if !by_name.contains_key(&name) {
                            names.push(name.clone());
                        }
                        by_name.insert(name, item);
                    }
                }
                m.insert((*key).to_string(), Value::Object(by_name));
            }
        }
        Keyed { doc, order }
    }

    /// The name order of a collection.
    fn order_mut(&mut self, key: &str) -> Option<&mut Vec<String>> {
        let i = COLLECTIONS.iter().position(|c| *c == key)?;
        self.order.get_mut(i)
    }

    /// Keeps the name order in step with a change just applied: an item added goes last, an item
    /// removed leaves the order.
    fn track(&mut self, steps: &[PathStep], before: bool, after: bool) {
        let [PathStep::Key(key), PathStep::Key(name)] = steps else {
            return;
        };
        let Some(names) = self.order_mut(key) else {
            return;
        };
        match (before, after) {
            (false, true) if !names.contains(name) => names.push(name.clone()),
            (true, false) => names.retain(|n| n != name),
            _ => {}
        }
    }

    /// Back to a document, each collection in its name order.
    fn into_blueprint(self) -> Result<Blueprint> {
        let Keyed { mut doc, order } = self;
        if let Value::Object(m) = &mut doc {
            for (key, names) in COLLECTIONS.iter().zip(order) {
                if let Some(Value::Object(mut by_name)) = m.remove(*key) {
                    let mut items: Vec<Value> = names
                        .iter()
                        .filter_map(|n| by_name.remove(n.as_str()))
                        .collect();
                    // Nothing is left unless the plan added a name the order does not know.
                    items.extend(by_name.into_iter().map(|(_, x)| x));
                    m.insert((*key).to_string(), Value::Array(items));
                }
            }
        }
        Blueprint::from_value(doc).map_err(|e| {
            Error::new(
                ErrorKind::Plan,
                e.into_findings()
                    .into_iter()
                    .map(|f| {
                        Finding::error(
                            Code::StalePlan,
                            f.path,
                            format!("the plan does not apply to this blueprint: {}", f.message),
                        )
                    })
                    .collect(),
            )
        })
    }
}

/// What is secret in a document change, from the sensitive facts of both sides.
struct Secrets {
    /// Resource name → sensitive top-level properties (both sides).
    resources: HashMap<String, HashSet<String>>,
    variables: HashSet<String>,
    outputs: HashSet<String>,
}

impl Secrets {
    /// The value at `steps` with its sensitive parts set to `null`, when it has any.
    fn mask(&self, steps: &[PathStep], value: &Value) -> Option<Value> {
        match self.mask_inner(steps, value) {
            (v, true) => Some(v),
            _ => None,
        }
    }

    fn mask_inner(&self, steps: &[PathStep], value: &Value) -> (Value, bool) {
        let key = |i: usize| match steps.get(i) {
            Some(PathStep::Key(k)) => Some(k.as_str()),
            _ => None,
        };
        let (Some(collection), Some(name)) = (key(0), key(1)) else {
            return (Value::Null, false);
        };
        let (secret_fields, field_path): (HashSet<String>, &[PathStep]) = match collection {
            "resources" => {
                let Some(attrs) = self.resources.get(name) else {
                    return (Value::Null, false);
                };
                // resources.NAME.properties.ATTR...
                match (key(2), key(3)) {
                    (Some("properties"), Some(attr)) => {
                        return (Value::Null, attrs.contains(attr));
                    }
                    (Some("properties"), None) => (attrs.clone(), &[]),
                    (None, _) => (attrs.clone(), &[PathStep::Key("properties".into())][..]),
                    _ => return (Value::Null, false),
                }
            }
            "variables" | "outputs" => {
                let (set, field) = if collection == "variables" {
                    (&self.variables, "default")
                } else {
                    (&self.outputs, "value")
                };
                if !set.contains(name) {
                    return (Value::Null, false);
                }
                match key(2) {
                    Some(f) if f == field => return (Value::Null, true),
                    Some(_) => return (Value::Null, false),
                    None => {
                        let mut v = value.clone();
                        let hit = match &mut v {
                            Value::Object(m) => {
                                m.get_mut(field).map(|x| *x = Value::Null).is_some()
                            }
                            _ => false,
                        };
                        return (v, hit);
                    }
                }
            }
            _ => return (value.clone(), false),
        };
        let mut v = value.clone();
        let mut target = Some(&mut v);
        for step in field_path {
            target = match (step, target) {
                (PathStep::Key(k), Some(Value::Object(m))) => m.get_mut(k),
                _ => None,
            };
        }
        let mut hit = false;
        if let Some(Value::Object(m)) = target {
            for (k, x) in m.iter_mut() {
                if secret_fields.contains(k) {
                    *x = Value::Null;
                    hit = true;
                }
            }
        }
        (v, hit)
    }
}

/// `a == b` for two resources of the same name whose properties are known to be equal (the
/// type is compared by the caller, which knows it already).
pub(crate) fn same_resource_besides_properties(a: &Resource, b: &Resource) -> bool {
    // Every field, so that a new one is not forgotten here.
    let Resource {
        resource_type: _,
        name: _,
        count,
        properties: _,
        dependencies,
        usage,
        lifecycle,
        description,
        waivers,
    } = a;
    *count == b.count
        && *dependencies == b.dependencies
        && *lifecycle == b.lifecycle
        && *description == b.description
        && *waivers == b.waivers
        && same_map(usage, &b.usage)
}

/// The differences of two resources of the same name, as [`diff`] of their serialized forms
/// gives them (fields in key order, each present unless serde skips it), without serializing
/// the resources: the property and usage maps are compared in place, and the other fields are
/// serialized only when they differ.
fn diff_resources(
    a: &Resource,
    b: &Resource,
    prefix: &mut Vec<PathStep>,
    out: &mut Vec<RawChange>,
) {
    // Destructured so that a new field does not compile until it is diffed here.
    let Resource {
        resource_type,
        name,
        count,
        properties,
        dependencies,
        usage,
        lifecycle,
        description,
        waivers,
    } = a;
    /// One field as serialized, `None` when serde skips it.
    fn field<T: serde::Serialize>(v: &T, skipped: bool) -> Option<Value> {
        if skipped {
            None
        } else {
            serde_json::to_value(v).ok()
        }
    }
    fn plain<T: serde::Serialize + PartialEq>(
        key: &str,
        (x, y): (&T, &T),
        skipped: impl Fn(&T) -> bool,
        prefix: &mut Vec<PathStep>,
        out: &mut Vec<RawChange>,
    ) {
        if x == y {
            return;
        }
        prefix.push(PathStep::Key(key.to_string()));
        diff(
            field(x, skipped(x)).as_ref(),
            field(y, skipped(y)).as_ref(),
            prefix,
            out,
        );
        prefix.pop();
    }
    fn map(
        key: &str,
        (x, y): (&crate::blueprint::Properties, &crate::blueprint::Properties),
        prefix: &mut Vec<PathStep>,
        out: &mut Vec<RawChange>,
    ) {
        prefix.push(PathStep::Key(key.to_string()));
        match (x.is_empty(), y.is_empty()) {
            (true, true) => {}
            (false, false) => diff_maps(x, y, prefix, out),
            _ => {
                let whole = |m: &crate::blueprint::Properties| {
                    (!m.is_empty()).then(|| Value::Object(m.clone()))
                };
                diff(whole(x).as_ref(), whole(y).as_ref(), prefix, out);
            }
        }
        prefix.pop();
    }
    // In the serialized key order: count, dependencies, description, lifecycle, name,
    // properties, type, usage, waivers.
    plain("count", (count, &b.count), Option::is_none, prefix, out);
    plain(
        "dependencies",
        (dependencies, &b.dependencies),
        Vec::is_empty,
        prefix,
        out,
    );
    plain(
        "description",
        (description, &b.description),
        Option::is_none,
        prefix,
        out,
    );
    plain(
        "lifecycle",
        (lifecycle, &b.lifecycle),
        Lifecycle::is_default,
        prefix,
        out,
    );
    plain("name", (name, &b.name), |_| false, prefix, out);
    map("properties", (properties, &b.properties), prefix, out);
    plain(
        "type",
        (resource_type, &b.resource_type),
        |_| false,
        prefix,
        out,
    );
    map("usage", (usage, &b.usage), prefix, out);
    plain("waivers", (waivers, &b.waivers), Vec::is_empty, prefix, out);
}

fn names<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|x| name(x).to_string()).collect()
}

/// The order a collection has after replaying its changes: the old names still present, then the
/// new ones in new order.
fn natural_order(old: &[String], new: &[String]) -> Vec<String> {
    let new_set: HashSet<&str> = new.iter().map(String::as_str).collect();
    let old_set: HashSet<&str> = old.iter().map(String::as_str).collect();
    old.iter()
        .filter(|n| new_set.contains(n.as_str()))
        .chain(new.iter().filter(|n| !old_set.contains(n.as_str())))
        .cloned()
        .collect()
}

/// Every difference between the two documents.
pub(crate) fn document_changes(
    old: &CheckedBlueprint,
    new: &CheckedBlueprint,
    old_of_new: &[Option<usize>],
    new_of_old: &[Option<usize>],
    doc_same: &[bool],
    secrets_of: &[super::diff::Secrets],
    old_sensitive: &dyn Fn(usize) -> HashSet<String>,
) -> Vec<DocumentChange> {
    let (ob, nb) = (old.blueprint(), new.blueprint());
    let mut raw = Vec::new();
    diff(
        Some(&header(ob)),
        Some(&header(nb)),
        &mut Vec::new(),
        &mut raw,
    );
    let mut secrets = Secrets {
        resources: HashMap::new(),
        variables: ob
            .variables
            .iter()
            .chain(&nb.variables)
            .filter(|v| v.sensitive)
            .map(|v| v.name.clone())
            .collect(),
        outputs: ob
            .outputs
            .iter()
            .chain(&nb.outputs)
            .filter(|o| o.sensitive)
            .map(|o| o.name.clone())
            .collect(),
    };
    let mut reorders = Vec::new();
    let mut resource_order = None;
    // Resources.
    {
        let mut prefix = vec![PathStep::Key("resources".into())];
        for (j, r) in nb.resources.iter().enumerate() {
            let before = old_of_new
                .get(j)
                .copied()
                .flatten()
                .and_then(|i| ob.resources.get(i).map(|o| (i, o)));
            if before.is_some() && doc_same.get(j).copied().unwrap_or(false) {
                continue;
            }
            let secret = secrets_of.get(j).cloned().unwrap_or_default().into_set();
            secrets.resources.insert(r.name.clone(), secret);
            prefix.push(PathStep::Key(r.name.clone()));
            match before {
                Some((_, o)) => diff_resources(o, r, &mut prefix, &mut raw),
                None => diff(
                    None,
                    serde_json::to_value(r).ok().as_ref(),
                    &mut prefix,
                    &mut raw,
                ),
            }
            prefix.pop();
        }
        for (i, r) in ob.resources.iter().enumerate() {
            if new_of_old.get(i).copied().flatten().is_none() {
                secrets.resources.insert(r.name.clone(), old_sensitive(i));
                prefix.push(PathStep::Key(r.name.clone()));
                let b = serde_json::to_value(r).ok();
                diff(b.as_ref(), None, &mut prefix, &mut raw);
                prefix.pop();
            }
        }
        // The order only needs recording when replaying would not give it (common names in
        // another relative order, or a new name between common ones); checked on indices.
        let mut last = None;
        let mut common_done = false;
        let mut plain = true;
        for i in old_of_new {
            match i {
                Some(i) => {
                    plain &= !common_done && last < Some(*i);
                    last = Some(*i);
                }
                None => common_done = true,
            }
        }
        let mut common_done = false;
        for j in new_of_old {
            match j {
                Some(_) => plain &= !common_done,
                None => common_done = true,
            }
        }
        if !plain {
            let list = |rs: &[Resource]| {
                Value::Array(rs.iter().map(|r| Value::String(r.name.clone())).collect())
            };
            let (b, a) = (list(&ob.resources), list(&nb.resources));
            resource_order = Some(DocumentChange {
                steps: vec![PathStep::Key("resources".into())],
                shown: AttributeChange {
                    path: "resources".into(),
                    before: Some(b),
                    after: Some(a),
                    sensitive: false,
                    unknown: false,
                    forces_replacement: false,
                },
                reorder: true,
                raw: None,
            });
        }
    }
    // Variables and outputs.
    fn by_name<T: serde::Serialize>(
        key: &str,
        old: &[T],
        new: &[T],
        name: impl Fn(&T) -> &str,
        raw: &mut Vec<super::values::RawChange>,
    ) {
        let old_map: HashMap<&str, &T> = old.iter().map(|x| (name(x), x)).collect();
        let new_names: HashSet<&str> = new.iter().map(&name).collect();
        let mut prefix = vec![PathStep::Key(key.into())];
        for x in new {
            prefix.push(PathStep::Key(name(x).to_string()));
            let a = serde_json::to_value(x).ok();
            let b = old_map
                .get(name(x))
                .and_then(|o| serde_json::to_value(o).ok());
            diff(b.as_ref(), a.as_ref(), &mut prefix, raw);
            prefix.pop();
        }
        for x in old.iter().filter(|x| !new_names.contains(name(x))) {
            prefix.push(PathStep::Key(name(x).to_string()));
            let b = serde_json::to_value(x).ok();
            diff(b.as_ref(), None, &mut prefix, raw);
            prefix.pop();
        }
    }
    by_name(
        "variables",
        &ob.variables,
        &nb.variables,
        |v| &v.name,
        &mut raw,
    );
    by_name("outputs", &ob.outputs, &nb.outputs, |o| &o.name, &mut raw);
    let (o, n) = (
        names(&ob.variables, |v| &v.name),
        names(&nb.variables, |v| &v.name),
    );
    reorders.push(("variables", o, n));
    let (o, n) = (
        names(&ob.outputs, |v| &v.name),
        names(&nb.outputs, |v| &v.name),
    );
    reorders.push(("outputs", o, n));

    let mut out: Vec<DocumentChange> = raw
        .into_iter()
        .map(|c| {
            let before = c.before.as_ref().and_then(|v| secrets.mask(&c.steps, v));
            let after = c.after.as_ref().and_then(|v| secrets.mask(&c.steps, v));
            let path = path_string(&c.steps);
            if before.is_none() && after.is_none() {
                return DocumentChange {
                    shown: AttributeChange {
                        path,
                        before: c.before,
                        after: c.after,
                        sensitive: false,
                        unknown: false,
                        forces_replacement: false,
                    },
                    steps: c.steps,
                    reorder: false,
                    raw: None,
                };
            }
            DocumentChange {
                shown: AttributeChange {
                    path,
                    before: before.or_else(|| c.before.clone()),
                    after: after.or_else(|| c.after.clone()),
                    sensitive: true,
                    unknown: false,
                    forces_replacement: false,
                },
                steps: c.steps,
                reorder: false,
                raw: Some(Box::new((c.before, c.after))),
            }
        })
        .collect();
    out.extend(resource_order);
    for (key, before, after) in reorders {
        // Replaying keeps the old order and appends new names; say so when that is not the new
        // order (or, for the inverse plan, the old one).
        if natural_order(&before, &after) != after || natural_order(&after, &before) != before {
            let list = |v: Vec<String>| Value::Array(v.into_iter().map(Value::String).collect());
            let (b, a) = (list(before), list(after));
            out.push(DocumentChange {
                steps: vec![PathStep::Key(key.into())],
                shown: AttributeChange {
                    path: key.into(),
                    before: Some(b),
                    after: Some(a),
                    sensitive: false,
                    unknown: false,
                    forces_replacement: false,
                },
                reorder: true,
                raw: None,
            });
        }
    }
    out
}

fn stale(path: &str, message: String) -> Finding {
    Finding::error(Code::StalePlan, path, message)
}

/// Replays a plan's document changes on the old blueprint, giving the new one.
///
/// Every change is checked first: the value the plan expects before must be the one the document
/// has, so a plan computed from another document is refused instead of half-applied.
///
/// # Errors
/// A [`ErrorKind::Plan`] error (code `stale_plan`) listing every change that does not fit.
pub fn apply_plan(old: &Blueprint, plan: &Plan) -> Result<Blueprint> {
    let mut keyed = Keyed::new(old);
    let mut changes: Vec<&DocumentChange> = plan
        .document_changes
        .iter()
        .filter(|c| !c.reorder)
        .collect();
    order_for_apply(&mut changes, |c| {
        (&c.steps, c.raw_before().is_some(), c.raw_after().is_some())
    });
    let mut findings = Vec::new();
    for c in changes {
        let (before, after) = (c.raw_before(), c.raw_after());
        match apply_change(&mut keyed.doc, &c.steps, before, after) {
            Ok(()) => keyed.track(&c.steps, before.is_some(), after.is_some()),
            Err(problem) => {
                let why = match problem {
                    ApplyProblem::Mismatch => {
                        "the document's value is not the one the plan was made from"
                    }
                    ApplyProblem::NoPath => "the document has no such place",
                };
                findings.push(stale(
                    &c.shown.path,
                    format!("cannot apply the change at `{}`: {why}", c.shown.path),
                ));
            }
        }
    }
    for c in plan.document_changes.iter().filter(|c| c.reorder) {
        let (Some(PathStep::Key(key)), Some(Value::Array(before)), Some(Value::Array(after))) =
            (c.steps.first(), c.raw_before(), c.raw_after())
        else {
            continue;
        };
        let Some(current) = keyed.order_mut(key) else {
            findings.push(stale(key, format!("the document has no `{key}`")));
            continue;
        };
        let strings = |v: &[Value]| -> Vec<String> {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        if *current != natural_order(&strings(before), &strings(after)) {
            findings.push(stale(
                key,
                format!("the order of `{key}` is not the one the plan was made from"),
            ));
            continue;
        }
        *current = strings(after);
    }
    if !findings.is_empty() {
        return Err(Error::new(ErrorKind::Plan, findings));
    }
    keyed.into_blueprint()
}
