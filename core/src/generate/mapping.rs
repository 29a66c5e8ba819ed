//! What the CloudFormation and ARM lowerings share about their mapping data
//! (`catalog/formats/cloudformation.yaml`, `catalog/formats/arm.yaml`): loading a file once per
//! process, the messages for what a format cannot express, the blocks of a block argument, and
//! (for their tests) the check that every mapped argument is an argument of the Terraform schema.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
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
    load_then(cell, packed, file, |_| {})
}

/// As [`load`], with `finish` applied to the parsed file before it is kept (what the file
/// leaves to be derived from other data, such as the Terraform schema).
pub(crate) fn load_then<T: DeserializeOwned + Send + Sync>(
    cell: &'static OnceLock<std::result::Result<T, String>>,
    packed: &[u8],
    file: &str,
    finish: fn(&mut T),
) -> Result<&'static T> {
    cell.get_or_init(|| {
        let mut parsed: T =
            yaml_serde::from_str(&crate::embedded::text(packed)).map_err(|e| e.to_string())?;
        finish(&mut parsed);
        Ok(parsed)
    })
    .as_ref()
    .map_err(|e| gen_error(Code::TemplateError, "", format!("{file}: {e}")))
}

/// The mappings of a block's arguments, by argument name: iterated in name order, looked up
/// through a hash index. The lowering looks up every argument of every resource here; a
/// `BTreeMap` search compares the name with up to a dozen keys per node, each key its own
/// allocation, which a blueprint bigger than the cache has pushed out of it.
#[derive(Debug)]
pub(crate) struct ArgMap<V> {
    /// Sorted by name.
    entries: Vec<(String, V)>,
    /// Positions in `entries`, by the hash of the name.
    index: HashTable<u32>,
}

impl<V> Default for ArgMap<V> {
    fn default() -> Self {
        ArgMap {
            entries: Vec::new(),
            index: HashTable::new(),
        }
    }
}

impl<V> From<BTreeMap<String, V>> for ArgMap<V> {
    fn from(map: BTreeMap<String, V>) -> Self {
        let entries: Vec<(String, V)> = map.into_iter().collect();
        let mut index = HashTable::with_capacity(entries.len());
        for (i, (k, _)) in entries.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            index.insert_unique(FxBuildHasher.hash_one(k.as_str()), i, |&j| {
                entries
                    .get(j as usize)
                    .map_or(0, |(k, _)| FxBuildHasher.hash_one(k.as_str()))
            });
        }
        ArgMap { entries, index }
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for ArgMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        BTreeMap::<String, V>::deserialize(d).map(ArgMap::from)
    }
}

impl<V> ArgMap<V> {
    /// The mapping of argument `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        let at = *self.index.find(FxBuildHasher.hash_one(name), |&i| {
            self.entries.get(i as usize).is_some_and(|(k, _)| k == name)
        })?;
        self.entries.get(at as usize).map(|(_, v)| v)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The mappings with their names, in name order, to amend (names and order stay).
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    /// The mappings, in name order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a, V> IntoIterator for &'a ArgMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
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
    use super::ArgMap;
    use crate::catalog::{ArgType, BlockSchema};

    /// A property mapping entry that may have nested fields (a block's arguments).
    pub(crate) trait MappedArgument: Sized {
        /// Whether only block arguments may have fields (CloudFormation also maps the fields
        /// of JSON-document arguments, such as a WAF rule's `statement`).
        const FIELDS_ONLY_IN_BLOCKS: bool = true;
        /// The mappings of the block's own arguments (empty for a plain argument).
        fn fields(&self) -> Option<&ArgMap<Self>>;
        /// A problem of the entry itself, if the format has rules for its entries.
        fn problem(&self) -> Option<&'static str> {
            None
        }
    }

    /// Checks mapping entries against the Terraform schema of their block: every key is an argument,
    /// entries with fields are blocks; problems are collected as `type.argument: what`.
    pub(crate) fn check_arguments<P: MappedArgument>(
        type_name: &str,
        specs: &ArgMap<P>,
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
