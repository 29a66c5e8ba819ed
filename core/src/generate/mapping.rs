//! What the CloudFormation and ARM lowerings share about their mapping data
//! (`catalog/formats/cloudformation.yaml`, `catalog/formats/arm.yaml`): loading a file once per
//! process, the messages for what a format cannot express, the blocks of a block argument, and
//! (for their tests) the check that every mapped argument is an argument of the Terraform schema.

use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde_json::Map;

use crate::blueprint::Value;
use crate::error::{Code, Result};

use super::gen_error;

/// The mapping file embedded compressed as `packed` (named `file` in errors), inflated and
/// parsed into `cell` on first use.
pub(crate) fn load<T: DeserializeOwned + Send + Sync>(
    cell: &'static OnceLock<std::result::Result<T, String>>,
    packed: &[u8],
    file: &str,
) -> Result<&'static T> {
    cell.get_or_init(|| {
        yaml_serde::from_str(&crate::embedded::text(packed)).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| gen_error(Code::TemplateError, "", format!("{file}: {e}")))
}

/// An argument the mapping of its type does not name.
pub(crate) fn no_mapping(arg: &str, type_name: &str, format: &str) -> String {
    format!("argument `{arg}` of {type_name} has no {format} mapping")
}

/// An argument the mapping marks as having no equivalent in the format, and why.
pub(crate) fn no_equivalent(arg: &str, type_name: &str, format: &str, reason: &str) -> String {
    format!("argument `{arg}` of {type_name} has no {format} equivalent: {reason}")
}

/// A referenced attribute the mapping of its type does not name (`mapped`: those it does).
pub(crate) fn no_attribute(key: &str, type_name: &str, format: &str, mapped: &[&str]) -> String {
    format!(
        "attribute `{key}` of {type_name} has no {format} equivalent (mapped: {})",
        mapped.join(", ")
    )
}

/// A block of a block argument: its index when the argument is a list, and its arguments.
pub(crate) type Block<'v> = (Option<usize>, &'v Map<String, Value>);

/// The blocks of a block argument: an object is one block, a list holds blocks (its items that
/// are not objects are not blocks), each with its index in the list. `None`, with the message,
/// when the value is neither.
pub(crate) fn blocks<'v>(
    v: &'v Value,
    arg: &str,
    type_name: &str,
) -> std::result::Result<Vec<Block<'v>>, String> {
    match v {
        Value::Object(m) => Ok(vec![(None, m)]),
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_object().map(|m| (Some(i), m)))
            .collect()),
        _ => Err(format!(
            "argument `{arg}` of {type_name} must be a block (an object)"
        )),
    }
}

#[cfg(test)]
pub(crate) use checks::{check_arguments, MappedArgument};

#[cfg(test)]
mod checks {
    use std::collections::BTreeMap;

    use crate::catalog::{ArgType, BlockSchema};

    /// A property mapping entry that may have nested fields (a block's arguments).
    pub(crate) trait MappedArgument: Sized {
        /// Whether only block arguments may have fields (CloudFormation also maps the fields
        /// of JSON-document arguments, such as a WAF rule's `statement`).
        const FIELDS_ONLY_IN_BLOCKS: bool = true;
        /// The mappings of the block's own arguments (empty for a plain argument).
        fn fields(&self) -> Option<&BTreeMap<String, Self>>;
        /// A problem of the entry itself, if the format has rules for its entries.
        fn problem(&self) -> Option<&'static str> {
            None
        }
    }

    /// Checks mapping entries against the Terraform schema of their block: every key is an argument,
    /// entries with fields are blocks; problems are collected as `type.argument: what`.
    pub(crate) fn check_arguments<P: MappedArgument>(
        type_name: &str,
        specs: &BTreeMap<String, P>,
        schema: &BlockSchema,
        problems: &mut Vec<String>,
    ) {
        for (k, p) in specs {
            let Some(arg) = schema.get(k) else {
                problems.push(format!("{type_name}.{k}: not a Terraform argument"));
                continue;
            };
            if let Some(problem) = p.problem() {
                problems.push(format!("{type_name}.{k}: {problem}"));
            }
            let Some(fields) = p.fields().filter(|f| !f.is_empty()) else {
                continue;
            };
            match &arg.ty {
                ArgType::Block(b) | ArgType::BlockList(b) => {
                    check_arguments(type_name, fields, b, problems)
                }
                _ if P::FIELDS_ONLY_IN_BLOCKS => {
                    problems.push(format!("{type_name}.{k}: has fields but is not a block"))
                }
                _ => {}
            }
        }
    }
}
