//! The plan's data types, serialized in the shape of Terraform's plan JSON (`resource_changes[]`
//! with `address`, `change.actions`, `before`, `after`, `replace_paths`, `action_reason`) plus a
//! few fields of our own (`action`, `changes`, `replacement`, `replace_reasons`, `depends_on`),
//! so OPA/conftest policies written for Terraform plans read it unchanged.

use std::borrow::Cow;
use std::fmt;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::blueprint::Value;
use crate::check::CheckedBlueprint;

use super::diff::{effective_deps, sensitive_attributes_with, tags_attribute, Secrets};
use super::values::{diff, diff_maps, PathStep, RawChange};

/// What happens to one resource instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Nothing changes.
    NoOp,
    /// The instance is created.
    Create,
    /// The instance is changed in place.
    Update,
    /// The instance is destroyed and created again (in the order [`ResourceChange::create_before_destroy`] says).
    Replace,
    /// The instance is destroyed.
    Delete,
}

impl Action {
    /// The string form: `no-op`, `create`, `update`, `replace`, `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::NoOp => "no-op",
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// Whether an update could turn into a replacement (CloudFormation's `Replacement`:
/// `True | False | Conditional`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Replacement {
    /// The resource is replaced (a force-new attribute changed, or its type did).
    Yes,
    /// The catalog knows the type and none of its force-new attributes changed: in place.
    No,
    /// The catalog does not know which attributes of this type force a replacement, so the
    /// provider may still replace it; planned as an in-place update.
    Unknown,
}

/// One attribute-level difference of a resource instance (or of a variable, output or the
/// blueprint document).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeChange {
    /// Where, e.g. `ingress[0].cidr_blocks[1]` or `tags.Name`.
    pub path: String,
    /// The value before; absent (`None`) when the attribute was not set. A sensitive value is
    /// masked to `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value after; absent (`None`) when the attribute is removed. A sensitive value is masked
    /// to `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// The values are secret (a sensitive argument of the type, a sensitive variable or output)
    /// and are masked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// The written value does not change, but what it refers to does (a replaced resource's
    /// computed attribute, a changed variable default): the value is known only after apply.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    /// This change forces the resource to be replaced.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forces_replacement: bool,
}

/// One of the two blueprints a plan compares, by reference (compared by identity).
#[derive(Clone, Copy)]
pub(crate) struct Bp<'a>(pub &'a CheckedBlueprint);

impl PartialEq for Bp<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl fmt::Debug for Bp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0.blueprint();
        write!(f, "{} {}", b.name, b.version)
    }
}

/// A resource of one of the blueprints: where an instance's attributes come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ResourceRef<'a> {
    pub bp: Bp<'a>,
    pub index: u32,
}

impl<'a> ResourceRef<'a> {
    pub(crate) fn new(bp: &'a CheckedBlueprint, index: usize) -> ResourceRef<'a> {
        ResourceRef {
            bp: Bp(bp),
            index: index as u32,
        }
    }

    /// The resource's secret top-level attributes.
    fn secrets(&self) -> Secrets<'a> {
        let bp = self.bp.0;
        let vars = &bp.blueprint().variables;
        sensitive_attributes_with(bp, self.index as usize, &|name| {
            vars.iter().any(|v| v.sensitive && v.name == name)
        })
    }

    /// The instance's attributes as Terraform plans them: the properties, with the effective
    /// tags where the provider keeps them (see [`tags_attribute`]); secret ones masked to `null`.
    fn view(&self, secrets: Secrets<'a>) -> AttrsView<'a> {
        let bp = self.bp.0;
        let i = self.index as usize;
        let props = bp.resources().get(i).map(|r| &r.properties);
        let tags = tags_attribute(bp, i).map(|name| (name, bp.effective_tags(i)));
        AttrsView {
            props,
            tags,
            secrets,
        }
    }

    /// The instance's attributes, unmasked.
    pub(crate) fn attributes(&self) -> Value {
        self.view(Secrets::default()).to_value()
    }
}

/// Every difference between the (unmasked) attributes of two instances, as [`diff`] of their
/// [`ResourceRef::attributes`] gives it, without copying the attributes into values: the
/// properties are compared where they are, and only the changed parts are copied.
///
/// [`diff`]: super::values::diff
pub(crate) fn diff_attributes(
    before: &ResourceRef<'_>,
    after: &ResourceRef<'_>,
    out: &mut Vec<RawChange>,
) {
    let (a, b) = (
        before.view(Secrets::default()),
        after.view(Secrets::default()),
    );
    fn entries<'v>(v: &'v AttrsView<'_>) -> Vec<(&'v str, Entry<'v>)> {
        let mut list = Vec::new();
        v.for_each(|k, e| list.push((k, e)));
        list
    }
    fn value<'v>(e: Option<Entry<'v>>) -> Option<Cow<'v, Value>> {
        e.map(|e| match e {
            Entry::Borrowed(v) => Cow::Borrowed(v),
            Entry::Tags(t) => Cow::Owned(Value::Object(t.clone())),
        })
    }
    // Both lists are in key order: one merge walk, as `diff` walks two objects.
    let (ea, eb) = (entries(&a), entries(&b));
    let (mut ia, mut ib) = (ea.into_iter().peekable(), eb.into_iter().peekable());
    let mut prefix = Vec::new();
    loop {
        let (k, x, y) = match (ia.peek(), ib.peek()) {
            (None, None) => break,
            (Some((ka, _)), Some((kb, _))) => match ka.cmp(kb) {
                std::cmp::Ordering::Less => match ia.next() {
                    Some((k, x)) => (k, Some(x), None),
                    None => break,
                },
                std::cmp::Ordering::Greater => match ib.next() {
                    Some((k, y)) => (k, None, Some(y)),
                    None => break,
                },
                std::cmp::Ordering::Equal => match (ia.next(), ib.next()) {
                    (Some((k, x)), Some((_, y))) => (k, Some(x), Some(y)),
                    _ => break,
                },
            },
            (Some(_), None) => match ia.next() {
                Some((k, x)) => (k, Some(x), None),
                None => break,
            },
            (None, Some(_)) => match ib.next() {
                Some((k, y)) => (k, None, Some(y)),
                None => break,
            },
        };
        prefix.push(PathStep::Key(k.to_string()));
        match (x, y) {
            (Some(Entry::Tags(x)), Some(Entry::Tags(y))) => diff_maps(x, y, &mut prefix, out),
            (x, y) => {
                let (x, y) = (value(x), value(y));
                diff(x.as_deref(), y.as_deref(), &mut prefix, out);
            }
        }
        prefix.pop();
    }
}

/// The attributes of one instance, borrowed from its blueprint and serialized on demand (the
/// properties merged with the effective tags attribute, in key order, secret values as `null`).
struct AttrsView<'a> {
    props: Option<&'a serde_json::Map<String, Value>>,
    tags: Option<(&'a str, serde_json::Map<String, Value>)>,
    secrets: Secrets<'a>,
}

/// One entry of an [`AttrsView`]: a property or the effective tags.
#[derive(Clone, Copy)]
enum Entry<'v> {
    Borrowed(&'v Value),
    Tags(&'v serde_json::Map<String, Value>),
}

impl AttrsView<'_> {
    /// Every attribute in key order.
    fn for_each<'v>(&'v self, mut f: impl FnMut(&'v str, Entry<'v>)) {
        let mut tags = self.tags.as_ref();
        for (k, v) in self.props.into_iter().flatten() {
            if let Some((name, map)) = tags {
                if *name <= k.as_str() {
                    f(name, Entry::Tags(map));
                    tags = None;
                    if *name == k.as_str() {
                        continue; // the tag argument, replaced by the merged tags
                    }
                }
            }
            f(k, Entry::Borrowed(v));
        }
        if let Some((name, map)) = tags {
            f(name, Entry::Tags(map));
        }
    }

    /// The attributes as a value (secret ones `null`).
    fn to_value(&self) -> Value {
        let mut m = serde_json::Map::new();
        self.for_each(|k, e| {
            let v = if self.secrets.has(k) {
                Value::Null
            } else {
                match e {
                    Entry::Borrowed(v) => v.clone(),
                    Entry::Tags(t) => Value::Object(t.clone()),
                }
            };
            m.insert(k.to_string(), v);
        });
        Value::Object(m)
    }

    /// `{attr: true}` for each secret attribute present.
    fn mirror(&self) -> Value {
        let mut m = serde_json::Map::new();
        self.for_each(|k, _| {
            if self.secrets.has(k) {
                m.insert(k.to_string(), Value::Bool(true));
            }
        });
        Value::Object(m)
    }
}

impl Serialize for AttrsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let mut result = Ok(());
        self.for_each(|k, e| {
            if result.is_err() {
                return;
            }
            result = if self.secrets.has(k) {
                map.serialize_entry(k, &Value::Null)
            } else {
                match e {
                    Entry::Borrowed(v) => map.serialize_entry(k, v),
                    Entry::Tags(t) => map.serialize_entry(k, t),
                }
            };
        });
        result?;
        map.end()
    }
}

/// `{attr: true}` for each secret attribute present, serialized without building it.
struct MirrorView<'v, 'a>(&'v AttrsView<'a>);

impl Serialize for MirrorView<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let mut result = Ok(());
        self.0.for_each(|k, _| {
            if result.is_ok() && self.0.secrets.has(k) {
                result = map.serialize_entry(k, &true);
            }
        });
        result?;
        map.end()
    }
}

/// Terraform's `change` object of a resource change.
///
/// The instance's attributes are not copied into the plan: they are read from the blueprints
/// when the plan is serialized, or asked for with [`Change::before`] and [`Change::after`].
#[derive(Debug, Clone, PartialEq)]
pub struct Change<'a> {
    /// `["no-op"]`, `["create"]`, `["update"]`, `["delete"]`, `["delete","create"]` (replace,
    /// destroy first) or `["create","delete"]` (replace, create first).
    pub actions: &'static [&'static str],
    /// The resource the instance's attributes before come from (none: it is created).
    pub(crate) before: Option<ResourceRef<'a>>,
    /// The resource the instance's attributes after come from (none: it is deleted).
    pub(crate) after: Option<ResourceRef<'a>>,
    /// The attributes are the same on both sides: both are masked with the secrets of both.
    pub(crate) same_attributes: bool,
    /// `true` at each path known only after apply (Terraform's `after_unknown` mirror).
    pub after_unknown: Value,
    /// The attribute paths that forced a replacement.
    pub replace_paths: Vec<Vec<PathStep>>,
}

impl<'a> Change<'a> {
    /// The secrets that mask each side: its own, or both sides' when the attributes are the same.
    fn secrets(&self) -> (Secrets<'a>, Secrets<'a>) {
        let own = |r: &Option<ResourceRef<'a>>| r.map(|r| r.secrets()).unwrap_or_default();
        let (b, a) = (own(&self.before), own(&self.after));
        if self.same_attributes {
            let both = b.union(&a);
            (both.clone(), both)
        } else {
            (b, a)
        }
    }

    fn views(&self) -> (Option<AttrsView<'a>>, Option<AttrsView<'a>>) {
        let (sb, sa) = self.secrets();
        (
            self.before.map(|r| r.view(sb)),
            self.after.map(|r| r.view(sa)),
        )
    }

    /// The instance's attributes before (`null` when created), sensitive values masked to `null`.
    pub fn before(&self) -> Value {
        self.views().0.map_or(Value::Null, |v| v.to_value())
    }

    /// The instance's attributes after (`null` when deleted), sensitive values masked to `null`.
    pub fn after(&self) -> Value {
        self.views().1.map_or(Value::Null, |v| v.to_value())
    }

    /// `true` at each attribute whose before value is sensitive (and masked); `false` when the
    /// instance is created.
    pub fn before_sensitive(&self) -> Value {
        self.views().0.map_or(Value::Bool(false), |v| v.mirror())
    }

    /// `true` at each attribute whose after value is sensitive (and masked); `false` when the
    /// instance is deleted.
    pub fn after_sensitive(&self) -> Value {
        self.views().1.map_or(Value::Bool(false), |v| v.mirror())
    }
}

impl Serialize for Change<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (b, a) = self.views();
        let n = if self.replace_paths.is_empty() { 6 } else { 7 };
        let mut st = s.serialize_struct("Change", n)?;
        st.serialize_field("actions", &self.actions)?;
        st.serialize_field("before", &b)?;
        st.serialize_field("after", &a)?;
        st.serialize_field("after_unknown", &self.after_unknown)?;
        match &b {
            Some(v) => st.serialize_field("before_sensitive", &MirrorView(v))?,
            None => st.serialize_field("before_sensitive", &false)?,
        }
        match &a {
            Some(v) => st.serialize_field("after_sensitive", &MirrorView(v))?,
            None => st.serialize_field("after_sensitive", &false)?,
        }
        if self.replace_paths.is_empty() {
            st.skip_field("replace_paths")?;
        } else {
            st.serialize_field("replace_paths", &self.replace_paths)?;
        }
        st.end()
    }
}

/// What happens to one resource instance, with why and in which details.
///
/// Borrows from the two blueprints the plan compares: names, types and the instance's attributes
/// are read from them, not copied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceChange<'a> {
    /// The instance address: `type.name`, or `type.name[i]` for resources with `count`.
    pub address: Cow<'a, str>,
    /// The address the instance had before, when it moved: `count` added or removed
    /// (`aws_instance.web` ↔ `aws_instance.web[0]`), or the type changed.
    pub previous_address: Option<Cow<'a, str>>,
    /// Always `managed` (blueprints have no data sources).
    pub mode: &'static str,
    /// The Terraform type (after the change; before it, for a deleted instance).
    pub type_name: &'a str,
    /// The resource name.
    pub name: &'a str,
    /// The instance index, for resources with `count`.
    pub index: Option<u32>,
    /// The Terraform provider, e.g. `registry.terraform.io/hashicorp/aws`.
    pub provider_name: &'static str,
    /// Terraform's change object.
    pub change: Change<'a>,
    /// Terraform's reason for a replace or delete (`replace_because_cannot_update`,
    /// `delete_because_no_resource_config`, `delete_because_count_index`).
    pub action_reason: Option<&'static str>,
    /// The action, as one word.
    pub action: Action,
    /// For updates and replaces: whether the change replaces the resource (`unknown` for types
    /// the catalog does not describe).
    pub replacement: Option<Replacement>,
    /// Why the instance is replaced, one sentence per cause.
    pub replace_reasons: Vec<String>,
    /// For replaces: whether the new instance is created before the old one is destroyed —
    /// because the resource sets `lifecycle.create_before_destroy`, or because a resource that
    /// depends on it does (Terraform's forced create-before-destroy).
    pub create_before_destroy: bool,
    /// The attribute-level differences (empty for no-ops; every attribute for creates and deletes).
    pub changes: Vec<AttributeChange>,
    /// Internal facts kept for ordering and the inverse plan (never serialized).
    pub(crate) facts: ChangeFacts<'a>,
}

/// Facts of a resource change that ordering and the inverse plan need.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChangeFacts<'a> {
    /// The blueprints before and after the change.
    pub old: Bp<'a>,
    pub new: Bp<'a>,
    /// The resource's own `create_before_destroy` on each side.
    pub own_cbd_before: bool,
    pub own_cbd_after: bool,
    /// `prevent_destroy` on each side.
    pub prevent_before: bool,
    pub prevent_after: bool,
    /// Index of the resource in each blueprint, when it is there.
    pub rid_before: Option<u32>,
    pub rid_after: Option<u32>,
    /// The type before the change, when it differs from `type_name`.
    pub type_before: Option<&'a str>,
    /// Index and provider of the instance before the change (for instances that existed).
    pub index_before: Option<u32>,
    pub provider_before: Option<&'static str>,
}

impl<'a> ChangeFacts<'a> {
    /// Facts with nothing known but the two blueprints.
    pub(crate) fn between(old: &'a CheckedBlueprint, new: &'a CheckedBlueprint) -> Self {
        ChangeFacts {
            old: Bp(old),
            new: Bp(new),
            own_cbd_before: false,
            own_cbd_after: false,
            prevent_before: false,
            prevent_after: false,
            rid_before: None,
            rid_after: None,
            type_before: None,
            index_before: None,
            provider_before: None,
        }
    }
}

impl<'a> ResourceChange<'a> {
    /// The address of the resource this instance belongs to (`type.name`, no index).
    pub fn resource_address(&self) -> String {
        format!("{}.{}", self.type_name, self.name)
    }

    /// The resource (index in the new blueprint) whose dependencies order this instance's
    /// create or update: there is one unless the instance is deleted.
    pub(crate) fn new_side(&self) -> Option<u32> {
        self.facts
            .rid_after
            .filter(|_| self.action != Action::Delete)
    }

    /// The resource (index in the old blueprint) whose dependencies order this instance's
    /// delete: there is one unless the instance is created.
    pub(crate) fn old_side(&self) -> Option<u32> {
        self.facts
            .rid_before
            .filter(|_| self.action != Action::Create)
    }

    /// Resource addresses this one depends on after the change (new blueprint); none when it is
    /// deleted. A dependency with `count = 0` stands for its own dependencies.
    pub fn depends_on(&self) -> Vec<&'a str> {
        addresses(self.facts.new.0, self.new_side())
    }

    /// Resource addresses this one depended on before the change (old blueprint); none when it is
    /// created.
    pub fn prior_depends_on(&self) -> Vec<&'a str> {
        addresses(self.facts.old.0, self.old_side())
    }
}

fn addresses(bp: &CheckedBlueprint, resource: Option<u32>) -> Vec<&str> {
    match resource {
        Some(i) => effective_deps(bp, i as usize)
            .into_iter()
            .filter_map(|d| bp.resource_info(d).map(|r| r.address.as_str()))
            .collect(),
        None => Vec::new(),
    }
}

impl Serialize for ResourceChange<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let depends_on = self.depends_on();
        let prior_depends_on = self.prior_depends_on();
        let mut st = s.serialize_struct("ResourceChange", 17)?;
        st.serialize_field("address", &self.address)?;
        match &self.previous_address {
            Some(p) => st.serialize_field("previous_address", p)?,
            None => st.skip_field("previous_address")?,
        }
        st.serialize_field("mode", self.mode)?;
        st.serialize_field("type", self.type_name)?;
        st.serialize_field("name", self.name)?;
        match self.index {
            Some(i) => st.serialize_field("index", &i)?,
            None => st.skip_field("index")?,
        }
        st.serialize_field("provider_name", self.provider_name)?;
        st.serialize_field("change", &self.change)?;
        match self.action_reason {
            Some(r) => st.serialize_field("action_reason", r)?,
            None => st.skip_field("action_reason")?,
        }
        st.serialize_field("action", &self.action)?;
        match self.replacement {
            Some(r) => st.serialize_field("replacement", &r)?,
            None => st.skip_field("replacement")?,
        }
        if self.replace_reasons.is_empty() {
            st.skip_field("replace_reasons")?;
        } else {
            st.serialize_field("replace_reasons", &self.replace_reasons)?;
        }
        if self.create_before_destroy {
            st.serialize_field("create_before_destroy", &true)?;
        } else {
            st.skip_field("create_before_destroy")?;
        }
        if self.changes.is_empty() {
            st.skip_field("changes")?;
        } else {
            st.serialize_field("changes", &self.changes)?;
        }
        if depends_on.is_empty() {
            st.skip_field("depends_on")?;
        } else {
            st.serialize_field("depends_on", &depends_on)?;
        }
        if prior_depends_on.is_empty() {
            st.skip_field("prior_depends_on")?;
        } else {
            st.serialize_field("prior_depends_on", &prior_depends_on)?;
        }
        st.end()
    }
}

/// One step of the ordered plan: an action on an instance. A replace is two steps, `delete` and
/// `create`, in the order its create-before-destroy setting says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PlanStep<'a> {
    /// The instance address.
    pub address: Cow<'a, str>,
    /// `create`, `update` or `delete`.
    pub action: StepAction,
}

/// The action of a [`PlanStep`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// Create the instance (or the new instance of a replace).
    Create,
    /// Update the instance in place.
    Update,
    /// Destroy the instance (or the old instance of a replace).
    Delete,
}

impl StepAction {
    /// `create`, `update` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::Create => "create",
            StepAction::Update => "update",
            StepAction::Delete => "delete",
        }
    }
}

/// A change to a named variable or output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedChange {
    /// The variable's or output's name.
    pub name: String,
    /// `create` (added), `update` or `delete` (removed).
    pub action: Action,
    /// The differences, with paths inside the variable or output (`default`, `type`, `value`, ...).
    pub changes: Vec<AttributeChange>,
}

/// Counts of the plan, as Terraform's `Plan: N to add, N to change, N to destroy.` line counts
/// them (a replace adds one and destroys one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Instances created, replaces included.
    pub add: usize,
    /// Instances updated in place.
    pub change: usize,
    /// Instances destroyed, replaces included.
    pub destroy: usize,
    /// Instances replaced (counted in `add` and `destroy` too).
    pub replace: usize,
    /// Instances left as they are.
    pub no_op: usize,
    /// Updates of types whose replacement behavior the catalog does not know.
    pub replacement_unknown: usize,
}

/// The name and version of one side of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The blueprint name.
    pub name: String,
    /// The declared version, as written.
    pub version: String,
}

/// One difference between the two blueprint documents, at a path where resources, variables and
/// outputs are keyed by name (`resources.web.properties.ami`, `variables.region.default`,
/// `description`). These are what [`apply_plan`](crate::apply_plan) replays; when the order of
/// resources, variables or outputs changes (beyond removing some and appending others), it is a
/// change at `resources` (`variables`, `outputs`) from the old list of names to the new one.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentChange {
    /// The path steps.
    pub steps: Vec<PathStep>,
    /// Masked values (sensitive ones are `null`), as shown.
    pub shown: AttributeChange,
    /// Whether this is a change of order (values are lists of names).
    pub reorder: bool,
    /// The real values when `shown` masks them (used to replay the change).
    pub(crate) raw: Option<Box<(Option<Value>, Option<Value>)>>,
}

impl DocumentChange {
    /// The real value before (not masked).
    pub(crate) fn raw_before(&self) -> Option<&Value> {
        match &self.raw {
            Some(r) => r.0.as_ref(),
            None => self.shown.before.as_ref(),
        }
    }

    /// The real value after (not masked).
    pub(crate) fn raw_after(&self) -> Option<&Value> {
        match &self.raw {
            Some(r) => r.1.as_ref(),
            None => self.shown.after.as_ref(),
        }
    }
}

impl Serialize for DocumentChange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            change: &'a AttributeChange,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            reorder: bool,
        }
        Shown {
            change: &self.shown,
            reorder: self.reorder,
        }
        .serialize(s)
    }
}

/// The plan: what changes between two blueprints, instance by instance, and in which order.
///
/// It borrows the two blueprints it was made from: the attributes of the instances (which
/// Terraform's format lists for every instance, unchanged ones included) are read from them when
/// the plan is serialized, not copied into it.
///
/// Serializes as JSON shaped like `terraform show -json PLANFILE` (`format_version`,
/// `resource_changes`, `output_changes`-style lists) with the ordering in `waves`. Sensitive
/// values are masked everywhere they are shown; the plan keeps the real values only internally,
/// to replay the document changes ([`apply_plan`](crate::apply_plan), [`Plan::rollback`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan<'a> {
    /// Version of this plan format (`1.0`).
    pub format_version: &'static str,
    /// The old blueprint's name and version.
    pub before: Side,
    /// The new blueprint's name and version.
    pub after: Side,
    /// One entry per resource instance of either side, no-ops included: the new blueprint's
    /// instances in document order, then the deleted ones in the old blueprint's order.
    pub resource_changes: Vec<ResourceChange<'a>>,
    /// Steps that can run in parallel, wave after wave: every step comes after the steps it
    /// depends on, which are all in earlier waves.
    pub waves: Vec<Vec<PlanStep<'a>>>,
    /// Variables added, changed or removed.
    pub variable_changes: Vec<NamedChange>,
    /// Outputs added, changed or removed.
    pub output_changes: Vec<NamedChange>,
    /// Every difference between the two documents (see [`DocumentChange`]).
    pub document_changes: Vec<DocumentChange>,
    /// Counts.
    pub summary: Summary,
    /// Things the reader should know: types whose replacement behavior is unknown, and similar.
    pub notes: Vec<String>,
    /// The blueprints before and after (for ordering the inverse plan).
    #[serde(skip)]
    pub(crate) old: Bp<'a>,
    #[serde(skip)]
    pub(crate) new: Bp<'a>,
}

impl Plan<'_> {
    /// True when applying the plan would do something to infrastructure: any resource action other
    /// than no-op, or an output change (as `terraform plan -detailed-exitcode` counts them).
    pub fn has_changes(&self) -> bool {
        self.resource_changes
            .iter()
            .any(|r| r.action != Action::NoOp)
            || !self.output_changes.is_empty()
    }

    /// The plan as pretty-printed JSON (sensitive values masked).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The plan as a JSON value (sensitive values masked).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
