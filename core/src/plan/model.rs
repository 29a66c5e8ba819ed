//! The plan's data types, serialized in the shape of Terraform's plan JSON (`resource_changes[]`
//! with `address`, `change.actions`, `before`, `after`, `replace_paths`, `action_reason`) plus a
//! few fields of our own (`action`, `changes`, `replacement`, `replace_reasons`, `depends_on`),
//! so OPA/conftest policies written for Terraform plans read it unchanged.

use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::blueprint::Value;

use super::values::PathStep;

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

/// Terraform's `change` object of a resource change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `["no-op"]`, `["create"]`, `["update"]`, `["delete"]`, `["delete","create"]` (replace,
    /// destroy first) or `["create","delete"]` (replace, create first).
    pub actions: &'static [&'static str],
    /// The instance's attributes before (`null` when created). Sensitive values are masked to
    /// `null`. Shared (not copied) between the instances of a resource and, for no-ops, with `after`.
    #[serde(serialize_with = "shared_value")]
    pub before: Arc<Value>,
    /// The instance's attributes after (`null` when deleted). Sensitive values are masked to `null`.
    #[serde(serialize_with = "shared_value")]
    pub after: Arc<Value>,
    /// `true` at each path known only after apply (Terraform's `after_unknown` mirror).
    pub after_unknown: Value,
    /// `true` at each path whose before value is sensitive (and masked).
    pub before_sensitive: Value,
    /// `true` at each path whose after value is sensitive (and masked).
    pub after_sensitive: Value,
    /// The attribute paths that forced a replacement.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replace_paths: Vec<Vec<PathStep>>,
}

fn shared_value<S: Serializer>(v: &Arc<Value>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().serialize(s)
}

/// What happens to one resource instance, with why and in which details.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ResourceChange {
    /// The instance address: `type.name`, or `type.name[i]` for resources with `count`.
    pub address: String,
    /// The address the instance had before, when it moved: `count` added or removed
    /// (`aws_instance.web` ↔ `aws_instance.web[0]`), or the type changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// Always `managed` (blueprints have no data sources).
    pub mode: &'static str,
    /// The Terraform type (after the change; before it, for a deleted instance).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The resource name.
    pub name: String,
    /// The instance index, for resources with `count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// The Terraform provider, e.g. `registry.terraform.io/hashicorp/aws`.
    pub provider_name: &'static str,
    /// Terraform's change object.
    pub change: Change,
    /// Terraform's reason for a replace or delete (`replace_because_cannot_update`,
    /// `delete_because_no_resource_config`, `delete_because_count_index`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<&'static str>,
    /// The action, as one word.
    pub action: Action,
    /// For updates and replaces: whether the change replaces the resource (`unknown` for types
    /// the catalog does not describe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Replacement>,
    /// Why the instance is replaced, one sentence per cause.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replace_reasons: Vec<String>,
    /// For replaces: whether the new instance is created before the old one is destroyed —
    /// because the resource sets `lifecycle.create_before_destroy`, or because a resource that
    /// depends on it does (Terraform's forced create-before-destroy).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
    /// The attribute-level differences (empty for no-ops; every attribute for creates and deletes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<AttributeChange>,
    /// Resource addresses this one depends on after the change (new blueprint).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Resource addresses this one depended on before the change (old blueprint).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prior_depends_on: Vec<String>,
    /// Internal facts kept for rollback (never serialized).
    #[serde(skip)]
    pub(crate) facts: ChangeFacts,
}

/// Facts of a resource change that ordering and the inverse plan need.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ChangeFacts {
    /// The resource's own `create_before_destroy` on each side.
    pub own_cbd_before: bool,
    pub own_cbd_after: bool,
    /// `prevent_destroy` on each side.
    pub prevent_before: bool,
    pub prevent_after: bool,
    /// Index of the resource in each blueprint, when it is there.
    pub rid_before: Option<u32>,
    pub rid_after: Option<u32>,
    /// Indices of the resources it depends on in each blueprint (shared by its instances).
    pub deps_before: Arc<[u32]>,
    pub deps_after: Arc<[u32]>,
    /// The type before the change, when it differs from `type_name`.
    pub type_before: Option<String>,
    /// Index and provider of the instance before the change (for instances that existed).
    pub index_before: Option<u32>,
    pub provider_before: Option<&'static str>,
}

impl ResourceChange {
    /// The address of the resource this instance belongs to (`type.name`, no index).
    pub fn resource_address(&self) -> String {
        format!("{}.{}", self.type_name, self.name)
    }
}

/// One step of the ordered plan: an action on an instance. A replace is two steps, `delete` and
/// `create`, in the order its create-before-destroy setting says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PlanStep {
    /// The instance address.
    pub address: String,
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
/// Serializes as JSON shaped like `terraform show -json PLANFILE` (`format_version`,
/// `resource_changes`, `output_changes`-style lists) with the ordering in `waves`. Sensitive
/// values are masked everywhere they are shown; the plan keeps the real values only internally,
/// to replay the document changes ([`apply_plan`](crate::apply_plan), [`Plan::rollback`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// Version of this plan format (`1.0`).
    pub format_version: &'static str,
    /// The old blueprint's name and version.
    pub before: Side,
    /// The new blueprint's name and version.
    pub after: Side,
    /// One entry per resource instance of either side, no-ops included: the new blueprint's
    /// instances in document order, then the deleted ones in the old blueprint's order.
    pub resource_changes: Vec<ResourceChange>,
    /// Steps that can run in parallel, wave after wave: every step comes after the steps it
    /// depends on, which are all in earlier waves.
    pub waves: Vec<Vec<PlanStep>>,
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
}

impl Plan {
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
