//! Terraform-style text of a plan: `+ create`, `~ update in-place`, `-/+ replace` (`+/-` when
//! the new instance comes first), `- destroy`, the order in waves, output changes, then
//! `Plan: N to add, N to change, N to destroy.`

use std::fmt::Write;

use crate::blueprint::Value;

use super::model::{Action, AttributeChange, NamedChange, Plan, Replacement, ResourceChange};

/// A value as one line: JSON syntax, so every string is quoted and escaped (newlines, control
/// characters and terminal escapes never reach the terminal raw).
fn show(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn show_side(c: &AttributeChange, v: Option<&Value>) -> String {
    match v {
        _ if c.sensitive => "(sensitive value)".to_string(),
        Some(v) => show(v),
        None => "null".to_string(),
    }
}

fn attribute_line(out: &mut String, indent: &str, c: &AttributeChange, width: usize) {
    let (sym, text) = match (&c.before, &c.after) {
        _ if c.unknown => (
            "~",
            format!("{} -> (known after apply)", show_side(c, c.before.as_ref())),
        ),
        (None, Some(_)) => ("+", show_side(c, c.after.as_ref())),
        (Some(_), None) => ("-", format!("{} -> null", show_side(c, c.before.as_ref()))),
        _ => (
            "~",
            format!(
                "{} -> {}",
                show_side(c, c.before.as_ref()),
                show_side(c, c.after.as_ref())
            ),
        ),
    };
    let note = if c.forces_replacement {
        " # forces replacement"
    } else {
        ""
    };
    let _ = writeln!(out, "{indent}{sym} {:<width$} = {text}{note}", c.path);
}

fn header(c: &ResourceChange) -> (&'static str, String) {
    let a = &c.address;
    match c.action {
        Action::Create => ("  +", format!("# {a} will be created")),
        Action::Delete => ("  -", format!("# {a} will be destroyed")),
        Action::Update => ("  ~", format!("# {a} will be updated in-place")),
        Action::Replace if c.create_before_destroy => (
            "+/-",
            format!("# {a} must be replaced (the new one is created first)"),
        ),
        Action::Replace => ("-/+", format!("# {a} must be replaced")),
        Action::NoOp => ("   ", format!("# {a} is unchanged")),
    }
}

fn resource_block(out: &mut String, c: &ResourceChange) {
    let (sym, title) = header(c);
    let _ = writeln!(out, "  {title}");
    if let Some(prev) = &c.previous_address {
        if c.facts.type_before.is_some() {
            // Not a move: the object of the old type is destroyed where it is.
            let _ = writeln!(out, "  # ({prev} is destroyed, {} created)", c.address);
        } else {
            let _ = writeln!(out, "  # (moved from {prev})");
        }
    }
    for r in &c.replace_reasons {
        let _ = writeln!(out, "  # because {r}");
    }
    if c.replacement == Some(Replacement::Unknown) {
        let _ = writeln!(
            out,
            "  # (replacement behavior unknown: the catalog does not list the force-new arguments of {})",
            c.type_name
        );
    }
    let _ = writeln!(
        out,
        "{sym} resource {} {} {{",
        show(&Value::String(c.type_name.to_string())),
        show(&Value::String(c.name.to_string()))
    );
    let width = c
        .changes
        .iter()
        .map(|x| x.path.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for change in &c.changes {
        attribute_line(out, "      ", change, width);
    }
    let _ = writeln!(out, "    }}\n");
}

fn named_block(out: &mut String, title: &str, list: &[NamedChange]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}:");
    for n in list {
        let sym = match n.action {
            Action::Create => "+",
            Action::Delete => "-",
            _ => "~",
        };
        let _ = writeln!(out, "  {sym} {}", n.name);
        let width = n
            .changes
            .iter()
            .map(|x| x.path.chars().count())
            .max()
            .unwrap_or(0);
        for c in &n.changes {
            attribute_line(out, "      ", c, width);
        }
    }
    out.push('\n');
}

/// The plan as text, as `terraform plan` prints it: one block per instance that changes (with its
/// attribute changes and why a replacement happens), the waves, variable and output changes, and
/// the summary line. Sensitive values show as `(sensitive value)`.
pub fn render_plan_text(plan: &Plan) -> String {
    let mut out = String::new();
    let acting: Vec<&ResourceChange> = plan
        .resource_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if acting.is_empty() && plan.output_changes.is_empty() {
        out.push_str("No changes. The infrastructure matches the new blueprint.\n");
        if !plan.variable_changes.is_empty() || !plan.document_changes.is_empty() {
            let _ = writeln!(
                out,
                "({} change(s) to the blueprint document have no effect on infrastructure.)",
                plan.document_changes.len()
            );
        }
        return out;
    }
    if !acting.is_empty() {
        out.push_str("Resource actions are indicated with the following symbols:\n");
        let used = |a: Action, cbd: bool| {
            acting
                .iter()
                .any(|c| c.action == a && (a != Action::Replace || c.create_before_destroy == cbd))
        };
        if used(Action::Create, false) {
            out.push_str("  + create\n");
        }
        if used(Action::Update, false) {
            out.push_str("  ~ update in-place\n");
        }
        if used(Action::Delete, false) {
            out.push_str("  - destroy\n");
        }
        if used(Action::Replace, false) {
            out.push_str("-/+ destroy and then create replacement\n");
        }
        if used(Action::Replace, true) {
            out.push_str("+/- create replacement and then destroy\n");
        }
        out.push_str("\nIAC Dharma will perform the following actions:\n\n");
        for c in &acting {
            resource_block(&mut out, c);
        }
        out.push_str("Order (steps in one wave can run in parallel):\n");
        for (i, wave) in plan.waves.iter().enumerate() {
            let steps: Vec<String> = wave
                .iter()
                .map(|s| format!("{} {}", s.action.as_str(), s.address))
                .collect();
            let _ = writeln!(out, "  wave {}: {}", i + 1, steps.join(", "));
        }
        out.push('\n');
    }
    named_block(&mut out, "Changes to Variables", &plan.variable_changes);
    named_block(&mut out, "Changes to Outputs", &plan.output_changes);
    for n in &plan.notes {
        let _ = writeln!(out, "Note: {n}");
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    let s = &plan.summary;
    let _ = writeln!(
        out,
        "Plan: {} to add, {} to change, {} to destroy.",
        s.add, s.change, s.destroy
    );
    out
}
