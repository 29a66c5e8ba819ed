//! YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`; <https://yaml.org/type/merge.html>), which
//! Compose and CI files use to share settings: the keys of the merged mappings are added to the
//! mapping that has the merge key, unless it has them already; of several merged mappings, the
//! first wins. The typed readers cannot merge as they go, so a document with a merge key is read
//! as a free-form value first, with that reader's checks (keys given twice, numbers that are not
//! finite, with line and column), and merged there; the caller then reads its blueprint or usage
//! file from the merged value.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::Location;
use crate::free_form;

/// A problem found while reading a document as a value or applying its merge keys.
pub(crate) struct Invalid {
    /// Where: the path in the document (`resources[0].properties`).
    pub(crate) path: String,
    pub(crate) message: String,
    /// Line and column, for problems found while reading the text.
    pub(crate) location: Option<Location>,
}

/// The YAML document `text` as a value with its merge keys applied. `None` when it has no merge
/// key (first the cheap test: no `<<` in the text), is not valid YAML or breaks a reader limit
/// (nesting, alias expansion): the caller's own reader handles those, with their positions.
pub(crate) fn applied(text: &str) -> Option<Result<Value, Invalid>> {
    if !text.contains("<<") {
        return None;
    }
    let read: Result<WholeDocument, _> =
        serde_path_to_error::deserialize(yaml_serde::Deserializer::from_str(text));
    let mut value = match read {
        Ok(WholeDocument(value)) => value,
        Err(e) if e.inner().to_string().contains("limit exceeded") => return None,
        Err(_) if yaml_serde::from_str::<serde::de::IgnoredAny>(text).is_err() => return None,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let location = inner.location().map(|l| Location {
                line: l.line(),
                column: l.column(),
            });
            return Some(Err(Invalid {
                path,
                message: inner.to_string(),
                location,
            }));
        }
    };
    let mut path = String::new();
    match apply(&mut value, &mut path) {
        Ok(false) => None,
        Ok(true) => Some(Ok(value)),
        Err(message) => Some(Err(Invalid {
            path,
            message,
            location: None,
        })),
    }
}

/// A whole document read as a free-form value, with that reader's checks.
struct WholeDocument(Value);

impl<'de> Deserialize<'de> for WholeDocument {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        free_form::value(d).map(WholeDocument)
    }
}

/// Replaces each merge key (`<<`) in `value` with the keys of the mapping (or mappings) it
/// gives that the mapping does not have yet; whether there was any. On an error, `path` is
/// where the merge key is.
fn apply(value: &mut Value, path: &mut String) -> Result<bool, String> {
    let mut merged = false;
    match value {
        Value::Object(map) => {
            // A merged mapping may bring a merge key of its own (`b: {<<: *a}`, then `<<: *b`).
            while let Some(sources) = map.remove("<<") {
                merged = true;
                let sources = match sources {
                    Value::Object(source) => vec![source],
                    Value::Array(items) => items
                        .into_iter()
                        .map(|item| match item {
                            Value::Object(source) => Ok(source),
                            _ => Err(()),
                        })
                        .collect::<Result<Vec<_>, ()>>()
                        .map_err(|()| not_mappings(path))?,
                    _ => return Err(not_mappings(path)),
                };
                for (k, v) in sources.into_iter().flatten() {
                    map.entry(k).or_insert(v);
                }
            }
            for (k, v) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                merged |= apply(v, path)?;
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                merged |= apply(item, path)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(merged)
}

fn not_mappings(path: &str) -> String {
    let at = if path.is_empty() {
        "the document"
    } else {
        path
    };
    format!("the merge key (`<<`) of {at} must be given a mapping or a list of mappings")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(text: &str) -> Value {
        applied(text).unwrap().ok().unwrap()
    }

    #[test]
    fn explicit_keys_win_then_the_first_merged_mapping() {
        let v = merged("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc: {<<: [*a, *b], x: 0}\n");
        assert_eq!(v["c"], serde_json::json!({"x": 0, "y": 1, "z": 2}));
    }

    #[test]
    fn no_merge_key_leaves_the_document_to_the_caller() {
        assert!(applied("a: 1\n").is_none(), "no `<<` in the text");
        assert!(
            applied("a: \"cat <<EOF\"\n").is_none(),
            "`<<` only in a string"
        );
        assert!(applied("a: [\n<<: {}").is_none(), "not YAML");
    }

    #[test]
    fn a_merge_key_takes_mappings_only() {
        let bad = applied("a:\n  b:\n    <<: [{x: 1}, 2]\n")
            .unwrap()
            .err()
            .unwrap();
        assert_eq!(bad.path, "a.b");
        assert!(
            bad.message.contains("mapping or a list of mappings"),
            "{}",
            bad.message
        );
        let bad = applied("a: {a: 1, a: 2}\nb: {<<: {x: 1}}\n")
            .unwrap()
            .err()
            .unwrap();
        assert_eq!(bad.path, "a");
        assert_eq!(bad.location.map(|l| l.line), Some(1));
    }
}
