//! Change plans between two blueprints (`plan_diff`), their inverse (`Plan::rollback`), replaying
//! them on the document model (`apply_plan`), the version bump they imply (`version_bump`), and
//! Terraform-style text (`render_plan_text`).
//!
//! See [`plan_diff`] for an example.

mod diff;
mod document;
mod model;
mod order;
mod render;
mod values;
mod version;

pub use document::apply_plan;
pub use model::{
    Action, AttributeChange, Change, DocumentChange, NamedChange, Plan, PlanStep, Replacement,
    ResourceChange, Side, StepAction, Summary,
};
pub use render::render_plan_text;
pub use values::PathStep;
pub use version::{check_version, version_bump, Bump, VersionCheck};

pub(crate) use diff::{for_each_reference, instance_address, sensitive_variables};

use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

use model::ChangeFacts;

/// Computes the plan that turns the `old` blueprint into the `new` one: every resource instance
/// matched by address (`type.name`, `type.name[i]` for `count`), its action and attribute-level
/// changes, why each replacement happens, the order of the actions in parallel waves, and the
/// changes of variables and outputs.
///
/// A resource whose type changes (same name) is replaced. An attribute change replaces the
/// resource when the catalog lists the attribute as force-new for the type; for types the catalog
/// does not describe, it is an in-place update whose [`Replacement`] is `Unknown`. A value that
/// refers to a replaced resource's computed attribute, or to a variable whose default changes,
/// is known only after apply, and replaces its resource when it is force-new there.
///
/// # Errors
/// A [`ErrorKind::Plan`] error (code `prevent_destroy`) naming every resource with
/// `lifecycle.prevent_destroy` the plan would destroy or replace.
///
/// ```
/// let old = iac_dharma::parse(r#"
/// name: net
/// version: 1.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
///   - type: aws_subnet
///     name: a
///     properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
/// "#)?;
/// let new = iac_dharma::parse(r#"
/// name: net
/// version: 2.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - {type: aws_vpc, name: main, properties: {cidr_block: 10.1.0.0/16}}
///   - type: aws_subnet
///     name: a
///     properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
/// "#)?;
/// let plan = iac_dharma::plan_diff(&old, &new)?;
/// // The VPC's CIDR block forces a replacement; the subnet's vpc_id is then known only after
/// // apply, and it forces the subnet's replacement too.
/// let actions: Vec<(&str, &str)> = plan.resource_changes.iter()
///     .map(|c| (&*c.address, c.action.as_str())).collect();
/// assert_eq!(actions, [("aws_vpc.main", "replace"), ("aws_subnet.a", "replace")]);
/// // Destroy the subnet, then the VPC, then create them again in dependency order.
/// let waves: Vec<Vec<String>> = plan.waves.iter()
///     .map(|w| w.iter().map(|s| format!("{} {}", s.action.as_str(), s.address)).collect())
///     .collect();
/// assert_eq!(waves, [["delete aws_subnet.a"], ["delete aws_vpc.main"], ["create aws_vpc.main"], ["create aws_subnet.a"]]);
/// assert_eq!(iac_dharma::version_bump(&plan), iac_dharma::Bump::Major);
/// // Replaying the plan on the old document gives the new one; the rollback gives the old back.
/// let replayed = iac_dharma::apply_plan(old.blueprint(), &plan)?;
/// assert_eq!(&replayed, new.blueprint());
/// let back = iac_dharma::apply_plan(&replayed, &plan.rollback()?)?;
/// assert_eq!(&back, old.blueprint());
/// # Ok::<(), iac_dharma::Error>(())
/// ```
///
/// The plan borrows both blueprints (it reads the instances' attributes from them when it is
/// serialized), so they outlive it.
pub fn plan_diff<'a>(old: &'a CheckedBlueprint, new: &'a CheckedBlueprint) -> Result<Plan<'a>> {
    diff::plan_diff(old, new)
}

impl<'a> Plan<'a> {
    /// The inverse plan: what restores the old blueprint from the new one, with its own order
    /// (creates become deletes and the other way round, updates and replaces run backwards, and
    /// dependencies are those of the new side as it stands before the rollback).
    ///
    /// # Errors
    /// A [`ErrorKind::Plan`] error (code `prevent_destroy`) when the rollback would destroy or
    /// replace a resource the new blueprint protects with `lifecycle.prevent_destroy`.
    pub fn rollback(&self) -> Result<Plan<'a>> {
        let mut findings = Vec::new();
        let mut changes: Vec<ResourceChange<'a>> = self
            .resource_changes
            .iter()
            .map(|c| invert_change(c, &mut findings))
            .collect();
        if !findings.is_empty() {
            return Err(Error::new(ErrorKind::Plan, findings));
        }
        // The rollback goes from the new blueprint to the old one.
        let (old, new) = (self.new, self.old);
        let waves = order::order_plan(
            &mut changes,
            &diff::SideDeps::of(old.0),
            &diff::SideDeps::of(new.0),
        )?;
        let invert_named = |list: &[NamedChange]| -> Vec<NamedChange> {
            list.iter()
                .map(|n| NamedChange {
                    name: n.name.clone(),
                    action: invert_action(n.action),
                    changes: n.changes.iter().map(invert_attribute).collect(),
                })
                .collect()
        };
        Ok(Plan {
            format_version: self.format_version,
            before: self.after.clone(),
            after: self.before.clone(),
            summary: diff::summarize(&changes),
            resource_changes: changes,
            waves,
            variable_changes: invert_named(&self.variable_changes),
            output_changes: invert_named(&self.output_changes),
            document_changes: self
                .document_changes
                .iter()
                .map(|d| DocumentChange {
                    steps: d.steps.clone(),
                    shown: invert_attribute(&d.shown),
                    reorder: d.reorder,
                    raw: d.raw.as_ref().map(|r| Box::new((r.1.clone(), r.0.clone()))),
                })
                .collect(),
            notes: self.notes.clone(),
            old,
            new,
        })
    }
}

fn invert_action(a: Action) -> Action {
    match a {
        Action::Create => Action::Delete,
        Action::Delete => Action::Create,
        other => other,
    }
}

fn invert_attribute(c: &AttributeChange) -> AttributeChange {
    AttributeChange {
        path: c.path.clone(),
        before: c.after.clone(),
        after: c.before.clone(),
        ..c.clone()
    }
}

fn invert_change<'a>(c: &ResourceChange<'a>, findings: &mut Vec<Finding>) -> ResourceChange<'a> {
    let f = &c.facts;
    let action = invert_action(c.action);
    // The instance as it was before the forward change (its address, type, index, provider).
    let (address, type_name, index, provider_name) = match c.action {
        Action::Create => (c.address.clone(), c.type_name, c.index, c.provider_name),
        _ => (
            c.previous_address
                .clone()
                .unwrap_or_else(|| c.address.clone()),
            f.type_before.unwrap_or(c.type_name),
            f.index_before,
            f.provider_before.unwrap_or(c.provider_name),
        ),
    };
    let previous_address = (matches!(c.action, Action::Update | Action::Replace | Action::NoOp)
        && c.address != address)
        .then(|| c.address.clone());
    let type_changed = f.type_before.is_some_and(|t| t != c.type_name);
    let replace_reasons = if type_changed {
        let mut r = vec![format!(
            "the type changes from {} to {}",
            c.type_name, type_name
        )];
        r.extend(c.replace_reasons.iter().skip(1).cloned());
        r
    } else {
        c.replace_reasons.clone()
    };
    let action_reason = match action {
        Action::Replace => Some("replace_because_cannot_update"),
        Action::Delete if f.rid_before.is_none() => Some("delete_because_no_resource_config"),
        Action::Delete => Some("delete_because_count_index"),
        _ => None,
    };
    let facts = ChangeFacts {
        old: f.new,
        new: f.old,
        own_cbd_before: f.own_cbd_after,
        own_cbd_after: f.own_cbd_before,
        prevent_before: f.prevent_after,
        prevent_after: f.prevent_before,
        rid_before: f.rid_after,
        rid_after: f.rid_before,
        type_before: type_changed.then_some(c.type_name),
        index_before: c.index,
        provider_before: (c.action != Action::Delete).then_some(c.provider_name),
    };
    // As plan_diff decides: the blueprint the rollback goes to protects what it keeps; a resource
    // it no longer has is protected by the blueprint the rollback starts from.
    let protected = match action {
        Action::Delete if f.rid_before.is_some() => f.prevent_before,
        Action::Delete => f.prevent_after,
        Action::Replace => f.prevent_before,
        _ => false,
    };
    if protected {
        let what = if action == Action::Delete {
            "destroyed"
        } else {
            "replaced"
        };
        findings.push(Finding::error(
            Code::PreventDestroy,
            c.address.to_string(),
            format!(
                "{} has lifecycle.prevent_destroy, but rolling back this plan would have it {what}",
                c.address
            ),
        ));
    }
    ResourceChange {
        address,
        previous_address,
        mode: c.mode,
        type_name,
        name: c.name,
        index,
        provider_name,
        change: Change {
            actions: &[],
            before: c.change.after,
            after: c.change.before,
            same_attributes: c.change.same_attributes,
            after_unknown: match action {
                Action::Update | Action::Replace => c.change.after_unknown.clone(),
                _ => serde_json::Value::Object(serde_json::Map::new()),
            },
            replace_paths: c.change.replace_paths.clone(),
        },
        action_reason,
        action,
        replacement: c.replacement,
        replace_reasons,
        create_before_destroy: false,
        changes: c.changes.iter().map(invert_attribute).collect(),
        facts,
    }
}

#[cfg(test)]
mod tests;
