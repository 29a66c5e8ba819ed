//! Terraform plan JSON: the document `terraform show -json PLANFILE` writes.
//!
//! [`Plan::parse`] reads the text as it is — every `format_version` Terraform has written (`0.1`,
//! `0.2`, `1.0`, `1.1`, `1.2`, ...; minor versions only add fields), resources inside modules,
//! data-source reads, deletes and replaces — and checks the few fields the engine relies on, each
//! problem located by line:column (syntax) or by a JSON path (shape). The document itself is kept
//! unchanged, so policies written for `terraform show -json` see exactly what Terraform wrote.
//!
//! ```
//! let plan = iac_dharma::tfplan::Plan::parse(r#"{
//!   "format_version": "1.2",
//!   "resource_changes": [{
//!     "address": "module.net.aws_vpc.main[0]", "module_address": "module.net",
//!     "mode": "managed", "type": "aws_vpc", "name": "main", "index": 0,
//!     "change": {"actions": ["create"], "before": null, "after": {"cidr_block": "10.0.0.0/16"}}
//!   }]
//! }"#)?;
//! assert_eq!(plan.format_version(), "1.2");
//! assert_eq!(plan.resource_changes()[0].address, "module.net.aws_vpc.main[0]");
//! # Ok::<(), iac_dharma::Error>(())
//! ```

use serde_json::Value;

use crate::error::{Code, Error, ErrorKind, Finding, Location, Result};
use crate::source_text::{clean_serde_message, json_location, without_bom};

/// The `format_version` majors this reader understands. Terraform's rule: a consumer must reject
/// a major it does not know, and accept any minor of a major it knows.
pub const SUPPORTED_MAJORS: [u64; 2] = [0, 1];

/// A parsed `terraform show -json` plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    document: Value,
    format_version: String,
    changes: Vec<ResourceChange>,
}

/// The facts the engine reads about one entry of `resource_changes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// Full address, e.g. `module.a.module.b.aws_s3_bucket.logs[0]`.
    pub address: String,
    /// The module part of the address (`module.a.module.b`), empty for the root module.
    pub module_address: String,
    /// `managed` (a resource) or `data` (a data source read).
    pub mode: String,
    /// The resource type, e.g. `aws_s3_bucket`.
    pub resource_type: String,
    /// The resource name in its module.
    pub name: String,
    /// The planned actions: `create`, `update`, `delete`, `read`, `no-op`, or two of them for a
    /// replace (`["delete","create"]` / `["create","delete"]`).
    pub actions: Vec<String>,
}

impl ResourceChange {
    /// True when the change only removes the resource (nothing of it will exist afterwards).
    pub fn is_delete_only(&self) -> bool {
        self.actions.iter().all(|a| a == "delete")
    }

    /// True when nothing of the resource is managed after the change: a plain delete, or a
    /// `forget` (Terraform 1.7+: removed from state, not destroyed; `after` is null). Such
    /// changes are not checked by `validate`.
    pub fn is_removed(&self) -> bool {
        self.actions.iter().all(|a| a == "delete" || a == "forget")
    }
}

impl Plan {
    /// Parses plan JSON text.
    ///
    /// # Errors
    /// A [`ErrorKind::Parse`] error: `json_syntax` with the line and column for malformed or
    /// truncated text; `binary_plan` for a binary plan file (run `terraform show -json` on it);
    /// `unsupported_plan_format` with path `format_version` for a major version this reader does
    /// not know; `invalid_plan` with the JSON path of a field that does not have Terraform's shape.
    pub fn parse(text: &str) -> Result<Plan> {
        if text.starts_with("PK\u{3}\u{4}") {
            return Err(binary_plan_error());
        }
        let text = without_bom(text);
        let document: Value = serde_json::from_str(text).map_err(|e| {
            let location = json_location(text, &e);
            let message = clean_serde_message(&e.to_string());
            let what = if e.is_eof() {
                "the plan JSON ends early (truncated file?)"
            } else {
                "invalid plan JSON"
            };
            Error::single(
                ErrorKind::Parse,
                Finding::error(Code::JsonSyntax, "", format!("{what}: {message}"))
                    .with_location(location),
            )
        })?;
        let location = key_location(text, "format_version");
        Plan::from_value_located(document, location)
    }

    /// Builds a plan from an already-parsed JSON value (a dict from Python, an object from JS).
    ///
    /// # Errors
    /// As [`Plan::parse`], without line numbers.
    pub fn from_value(document: Value) -> Result<Plan> {
        Plan::from_value_located(document, None)
    }

    fn from_value_located(document: Value, version_location: Option<Location>) -> Result<Plan> {
        let Some(root) = document.as_object() else {
            return Err(shape_error(
                "",
                "a plan is a JSON object (the output of `terraform show -json`)",
            ));
        };
        let format_version = match root.get("format_version") {
            Some(Value::String(v)) => v.clone(),
            Some(_) => {
                return Err(shape_error(
                    "format_version",
                    "`format_version` must be a string such as \"1.2\"",
                ))
            }
            None => {
                return Err(shape_error(
                    "format_version",
                    "no `format_version`: this is not the output of `terraform show -json`",
                ))
            }
        };
        let major = format_version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u64>().ok());
        match major {
            Some(m) if SUPPORTED_MAJORS.contains(&m) => {}
            _ => {
                return Err(Error::single(
                    ErrorKind::Parse,
                    Finding::error(
                        Code::UnsupportedPlanFormat,
                        "format_version",
                        format!(
                            "plan format_version \"{format_version}\" is not supported: this reader knows majors 0 and 1 (Terraform 0.12 to 1.x)"
                        ),
                    )
                    .with_location(version_location),
                ))
            }
        }
        let mut changes = Vec::new();
        match root.get("resource_changes") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    changes.push(read_change(item, i)?);
                }
            }
            Some(_) => {
                return Err(shape_error(
                    "resource_changes",
                    "`resource_changes` must be a list",
                ))
            }
        }
        if let Some(config) = root.get("configuration") {
            if !config.is_object() {
                return Err(shape_error(
                    "configuration",
                    "`configuration` must be an object",
                ));
            }
        }
        Ok(Plan {
            document,
            format_version,
            changes,
        })
    }

    /// The document as Terraform wrote it.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Consumes the plan, returning the document.
    pub fn into_document(self) -> Value {
        self.document
    }

    /// The `format_version` string.
    pub fn format_version(&self) -> &str {
        &self.format_version
    }

    /// Every entry of `resource_changes`, in the plan's order.
    pub fn resource_changes(&self) -> &[ResourceChange] {
        &self.changes
    }
}

/// True when a JSON document looks like a Terraform plan rather than a blueprint: an object with a
/// `format_version` and one of the plan's own fields.
pub fn looks_like_plan(document: &Value) -> bool {
    document.as_object().is_some_and(|o| {
        o.contains_key("format_version")
            && (o.contains_key("resource_changes")
                || o.contains_key("planned_values")
                || o.contains_key("terraform_version")
                || o.contains_key("configuration"))
    })
}

fn read_change(item: &Value, i: usize) -> Result<ResourceChange> {
    let base = format!("resource_changes[{i}]");
    let Some(obj) = item.as_object() else {
        return Err(shape_error(&base, "each resource change must be an object"));
    };
    let text = |key: &str, required: bool| -> Result<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) if !required => Ok(String::new()),
            _ => Err(shape_error(
                &format!("{base}.{key}"),
                &format!("`{key}` must be a string"),
            )),
        }
    };
    let address = text("address", true)?;
    let resource_type = text("type", true)?;
    let name = text("name", false)?;
    let mode = match text("mode", false)?.as_str() {
        "" => "managed".to_string(),
        m => m.to_string(),
    };
    let module_address = text("module_address", false)?;
    let change = obj
        .get("change")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            shape_error(
                &format!("{base}.change"),
                "each resource change needs a `change` object",
            )
        })?;
    let actions_value = change.get("actions").and_then(Value::as_array);
    let Some(actions_value) = actions_value else {
        return Err(shape_error(
            &format!("{base}.change.actions"),
            "`change.actions` must be a list of strings",
        ));
    };
    let mut actions = Vec::with_capacity(actions_value.len());
    for (j, a) in actions_value.iter().enumerate() {
        match a.as_str() {
            Some(s) => actions.push(s.to_string()),
            None => {
                return Err(shape_error(
                    &format!("{base}.change.actions[{j}]"),
                    "an action is a string (create, update, delete, read, no-op)",
                ))
            }
        }
    }
    for key in ["after", "before"] {
        if let Some(v) = change.get(key) {
            if !(v.is_object() || v.is_null()) {
                return Err(shape_error(
                    &format!("{base}.change.{key}"),
                    &format!("`change.{key}` must be an object or null"),
                ));
            }
        }
    }
    Ok(ResourceChange {
        address,
        module_address,
        mode,
        resource_type,
        name,
        actions,
    })
}

fn shape_error(path: &str, message: &str) -> Error {
    Error::single(
        ErrorKind::Parse,
        Finding::error(Code::InvalidPlan, path, message),
    )
}

fn binary_plan_error() -> Error {
    Error::single(
        ErrorKind::Parse,
        Finding::error(
            Code::BinaryPlan,
            "",
            "this is a binary Terraform plan file; convert it with `terraform show -json PLANFILE > plan.json`",
        ),
    )
}

/// The error for a binary (zip) plan file given as bytes.
pub fn binary_plan(bytes: &[u8]) -> Option<Error> {
    bytes.starts_with(b"PK\x03\x04").then(binary_plan_error)
}

/// Line and column of the first occurrence of `"key":` at nesting depth 1 (a top-level key).
fn key_location(text: &str, key: &str) -> Option<Location> {
    let needle = format!("\"{key}\"");
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut line = 1usize;
    let mut line_start = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                b'"' => {
                    if depth == 1 && text.get(i..).is_some_and(|t| t.starts_with(&needle)) {
                        let column = text.get(line_start..i).map_or(1, |t| t.chars().count() + 1);
                        return Some(Location { line, column });
                    }
                    in_string = true;
                }
                _ => {}
            }
        }
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(version: &str) -> String {
        format!(
            r#"{{"format_version":"{version}","resource_changes":[{{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","change":{{"actions":["create"],"before":null,"after":{{}}}}}}]}}"#
        )
    }

    #[test]
    fn every_known_format_version_is_accepted() {
        for v in ["0.1", "0.2", "1.0", "1.1", "1.2", "1.9"] {
            let p = Plan::parse(&plan(v)).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(p.resource_changes().len(), 1);
        }
    }

    #[test]
    fn unknown_major_is_located() {
        let text = "{\n  \"terraform_version\": \"9.0\",\n  \"format_version\": \"2.0\"\n}";
        let e = Plan::parse(text).unwrap_err();
        assert_eq!(e.code(), Code::UnsupportedPlanFormat);
        assert_eq!(e.path(), "format_version");
        assert_eq!(e.location(), Some(Location { line: 3, column: 3 }));
    }

    #[test]
    fn truncated_file_is_located() {
        let text = plan("1.2");
        let cut = &text[..text.len() / 2];
        let e = Plan::parse(cut).unwrap_err();
        assert_eq!(e.code(), Code::JsonSyntax);
        assert!(e.message().contains("truncated"), "{}", e.message());
        assert_eq!(e.location().map(|l| l.line), Some(1));
    }

    #[test]
    fn wrong_shapes_name_their_path() {
        let e = Plan::parse(r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":"create"}}]}"#).unwrap_err();
        assert_eq!(e.code(), Code::InvalidPlan);
        assert_eq!(e.path(), "resource_changes[0].change.actions");
        let e = Plan::parse(r#"{"resource_changes":[]}"#).unwrap_err();
        assert_eq!(e.path(), "format_version");
        let e = Plan::parse("[1]").unwrap_err();
        assert_eq!(e.code(), Code::InvalidPlan);
    }

    #[test]
    fn binary_plans_get_a_hint() {
        let e = Plan::parse("PK\u{3}\u{4}rest").unwrap_err();
        assert_eq!(e.code(), Code::BinaryPlan);
        assert!(binary_plan(b"PK\x03\x04..").is_some());
    }

    #[test]
    fn plan_detection() {
        let v: Value = serde_json::from_str(&plan("1.2")).unwrap();
        assert!(looks_like_plan(&v));
        let bp =
            serde_json::json!({"name":"x","version":"1.0.0","provider":"aws","region":"us-east-1"});
        assert!(!looks_like_plan(&bp));
    }
}
