//! The semantic-version bump a plan implies, and a check of the declared versions against it.

use serde::Serialize;

use crate::check::parse_version;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

use super::model::{Action, Plan};

/// A semantic-version bump, ordered from none to major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    /// Nothing changed that needs a new version.
    None,
    /// Compatible fixes: in-place updates, changed output values or variable defaults, document
    /// changes without infrastructure effect.
    Patch,
    /// Compatible additions: new resources, outputs, or variables with a default.
    Minor,
    /// Breaking changes: resources deleted or replaced, outputs removed, variables removed, added
    /// without a default, or given another type.
    Major,
}

impl Bump {
    /// `none`, `patch`, `minor` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The smallest version that makes this bump from `v`.
    pub fn apply(self, v: &semver::Version) -> semver::Version {
        match self {
            Bump::None => v.clone(),
            Bump::Patch => semver::Version::new(v.major, v.minor, v.patch + 1),
            Bump::Minor => semver::Version::new(v.major, v.minor + 1, 0),
            Bump::Major => semver::Version::new(v.major + 1, 0, 0),
        }
    }
}

/// The version bump a plan implies: the largest of its changes' bumps. Resources: delete or
/// replace → major, create → minor, in-place update → patch. Outputs: removed → major, added →
/// minor, changed → patch. Variables: removed, added without a default, or with another type →
/// major; added with a default → minor; otherwise changed → patch. Any other document change
/// (description, tags, usage, ...) → patch; the `version` field itself does not count.
pub fn version_bump(plan: &Plan) -> Bump {
    let mut bump = Bump::None;
    for c in &plan.resource_changes {
        bump = bump.max(match c.action {
            Action::NoOp => Bump::None,
            Action::Update => Bump::Patch,
            Action::Create => Bump::Minor,
            Action::Replace | Action::Delete => Bump::Major,
        });
    }
    for o in &plan.output_changes {
        bump = bump.max(match o.action {
            Action::Delete => Bump::Major,
            Action::Create => Bump::Minor,
            _ => Bump::Patch,
        });
    }
    for v in &plan.variable_changes {
        let has = |field: &str, after: bool| {
            v.changes.iter().any(|c| {
                c.path == field
                    && if after {
                        c.after.is_some()
                    } else {
                        c.before.is_some()
                    }
            })
        };
        bump = bump.max(match v.action {
            Action::Delete => Bump::Major,
            Action::Create if has("default", true) => Bump::Minor,
            Action::Create => Bump::Major,
            _ if v.changes.iter().any(|c| c.path == "type") => Bump::Major,
            _ if has("default", false) && !has("default", true) => Bump::Major,
            _ => Bump::Patch,
        });
    }
    if plan
        .document_changes
        .iter()
        .any(|d| d.shown.path != "version")
    {
        bump = bump.max(Bump::Patch);
    }
    bump
}

/// The outcome of [`check_version`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct VersionCheck {
    /// The bump the plan implies.
    pub required: Bump,
    /// The bump the declared versions make (old → new).
    pub declared: Bump,
    /// The old blueprint's version.
    pub before: String,
    /// The new blueprint's version, as declared.
    pub after: String,
    /// The smallest version the new blueprint may declare.
    pub minimum: String,
    /// Whether the declared new version is at least `minimum`.
    pub ok: bool,
}

/// Checks that the new blueprint's declared version is at least what the plan's changes require
/// (the old version bumped by [`version_bump`]).
///
/// # Errors
/// A [`ErrorKind::Plan`] error (`invalid_version`) if either declared version is not semantic
/// versioning (never for plans of checked blueprints).
pub fn check_version(plan: &Plan) -> Result<VersionCheck> {
    let parse = |text: &str, side: &str| {
        parse_version(text).map_err(|e| {
            Error::single(
                ErrorKind::Plan,
                Finding::error(
                    Code::InvalidVersion,
                    format!("{side}.version"),
                    format!("`{text}` is not a semantic version ({e})"),
                ),
            )
        })
    };
    let before = parse(&plan.before.version, "before")?;
    let after = parse(&plan.after.version, "after")?;
    let required = version_bump(plan);
    let minimum = required.apply(&before);
    let declared = if after.major > before.major {
        Bump::Major
    } else if after.major == before.major && after.minor > before.minor {
        Bump::Minor
    } else if after.major == before.major
        && after.minor == before.minor
        && after.patch > before.patch
    {
        Bump::Patch
    } else {
        Bump::None
    };
    Ok(VersionCheck {
        required,
        declared,
        before: before.to_string(),
        after: after.to_string(),
        ok: after >= minimum,
        minimum: minimum.to_string(),
    })
}
