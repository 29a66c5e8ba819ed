//! Property values against the provider's argument schema: unknown arguments (with "did you
//! mean"), missing required arguments, wrong value types — and, on the same walk, every
//! `${...}` reference with its path.

use crate::blueprint::{Properties, Value};
use crate::catalog::{ArgType, BlockSchema};
use crate::error::{Code, Finding};
use crate::reference::{may_contain_reference, Template};
use crate::suggest::did_you_mean;

use super::{parse_template, path_index, path_key, FoundRef};

/// Checks a resource's `properties` against its type's schema (`None`: type unknown, only
/// references are collected).
pub(super) fn check_properties(
    props: &Properties,
    schema: Option<&BlockSchema>,
    mut path: String,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<FoundRef>,
) {
    match schema {
        Some(schema) => check_block(props, schema, &mut path, findings, refs),
        None => {
            for (k, v) in props {
                let len = path.len();
                path_key(&mut path, k);
                collect_references(v, &mut path, findings, refs);
                path.truncate(len);
            }
        }
    }
}

/// Walks any value, recording references and malformed `${...}` (no type information).
pub(super) fn collect_references(
    value: &Value,
    path: &mut String,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<FoundRef>,
) {
    match value {
        Value::String(s) => {
            string_template(s, path, findings, refs);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path_index(path, i);
                collect_references(item, path, findings, refs);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                path_key(path, k);
                collect_references(v, path, findings, refs);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Parses a string (when it may hold references) and records its references. Returns the
/// template, or `None` for plain strings and malformed ones.
fn string_template(
    s: &str,
    path: &str,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<FoundRef>,
) -> Option<Template> {
    if !may_contain_reference(s) {
        return None;
    }
    let template = parse_template(s, path, findings)?;
    for r in template.references() {
        refs.push(FoundRef {
            path: path.to_string(),
            reference: r.clone(),
        });
    }
    Some(template)
}

fn check_block(
    map: &serde_json::Map<String, Value>,
    schema: &BlockSchema,
    path: &mut String,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<FoundRef>,
) {
    for (key, value) in map {
        let len = path.len();
        path_key(path, key);
        match schema.get(key) {
            Some(arg) => check_value(value, &arg.ty, path, findings, refs),
            None => {
                let suggestion = did_you_mean(key, schema.names());
                findings.push(
                    Finding::error(
                        Code::UnknownArgument,
                        path.as_str(),
                        format!("`{key}` is not an argument here"),
                    )
                    .with_suggestion(suggestion),
                );
                collect_references(value, path, findings, refs);
            }
        }
        path.truncate(len);
    }
    for arg in schema.arguments.iter().filter(|a| a.required) {
        if map.get(&arg.name).is_none_or(Value::is_null) {
            let len = path.len();
            path_key(path, &arg.name);
            findings.push(Finding::error(
                Code::MissingArgument,
                path.as_str(),
                format!("required argument `{}` is missing", arg.name),
            ));
            path.truncate(len);
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn wrong(value: &Value, ty: &ArgType, path: &str, findings: &mut Vec<Finding>) {
    findings.push(Finding::error(
        Code::WrongValueType,
        path,
        format!("expected {}, found {}", ty.describe(), type_name(value)),
    ));
}

fn check_value(
    value: &Value,
    ty: &ArgType,
    path: &mut String,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<FoundRef>,
) {
    match value {
        // null means "not set", as in Terraform.
        Value::Null => {}
        Value::String(s) => {
            let template = string_template(s, path, findings, refs);
            if template
                .as_ref()
                .is_some_and(|t| t.as_single_reference().is_some())
            {
                // A whole-string reference takes the referenced attribute's type: unknown here.
                return;
            }
            let has_refs = template.as_ref().is_some_and(|t| !t.is_literal());
            let ok = match ty {
                ArgType::String | ArgType::Any => true,
                // Terraform converts "5" to 5 and "true" to true.
                ArgType::Number => has_refs || s.trim().parse::<f64>().is_ok_and(f64::is_finite),
                ArgType::Bool => has_refs || s == "true" || s == "false",
                _ => false,
            };
            if !ok {
                wrong(value, ty, path, findings);
            }
        }
        Value::Number(n) => {
            if !matches!(ty, ArgType::Number | ArgType::String | ArgType::Any) {
                wrong(value, ty, path, findings);
            } else if *ty == ArgType::String && n.is_f64() {
                // Terraform takes the number's text, and a decimal number has lost what the
                // author may have meant: `engine_version: 8.10` reads as 8.1.
                findings.push(Finding::warning(
                    Code::WrongValueType,
                    path.as_str(),
                    format!(
                        "expected a string, found the number {n}, which becomes the text \"{}\" (a number keeps no trailing zeros: 1.30 reads as 1.3); quote it to keep it as written",
                        crate::blueprint::number_text(n)
                    ),
                ));
            }
        }
        Value::Bool(_) => {
            if !matches!(ty, ArgType::Bool | ArgType::String | ArgType::Any) {
                wrong(value, ty, path, findings);
            }
        }
        Value::Array(items) => match ty {
            ArgType::List(inner) => each_item(items, inner, path, findings, refs),
            ArgType::BlockList(block) | ArgType::Block(block) => {
                // Terraform's JSON syntax writes blocks as an object or a list of objects.
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path_index(path, i);
                    match item {
                        Value::Object(map) => check_block(map, block, path, findings, refs),
                        other => wrong(other, ty, path, findings),
                    }
                    path.truncate(len);
                }
            }
            ArgType::Any => collect_references(value, path, findings, refs),
            _ => {
                wrong(value, ty, path, findings);
                collect_references(value, path, findings, refs);
            }
        },
        Value::Object(map) => match ty {
            ArgType::Map(inner) => {
                for (k, v) in map {
                    let len = path.len();
                    path_key(path, k);
                    check_value(v, inner, path, findings, refs);
                    path.truncate(len);
                }
            }
            ArgType::Block(block) | ArgType::BlockList(block) => {
                check_block(map, block, path, findings, refs)
            }
            ArgType::Any => collect_references(value, path, findings, refs),
            _ => {
                wrong(value, ty, path, findings);
                collect_references(value, path, findings, refs);
            }
        },
    }
}

fn each_item(
    items: &[Value],
    inner: &ArgType,
    path: &mut String,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<FoundRef>,
) {
    for (i, item) in items.iter().enumerate() {
        let len = path.len();
        path_index(path, i);
        check_value(item, inner, path, findings, refs);
        path.truncate(len);
    }
}
