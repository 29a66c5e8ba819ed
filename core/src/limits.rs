//! Resource limits on blueprint input: how large, how many resources, how deep, how long a
//! string. Every parse applies [`Limits::default`]; callers that need other bounds parse with
//! [`Blueprint::from_text_with_limits`](crate::Blueprint::from_text_with_limits).
//!
//! The JSON and YAML readers also stop any nesting deeper than 128 levels by themselves (before a
//! deep document can overflow the stack), and the YAML reader refuses documents whose aliases
//! would expand to far more nodes than the text holds ("billion laughs"). Both come out as
//! `limit_exceeded` errors too.

use crate::blueprint::{Blueprint, Resource, Value};
use crate::error::{Code, Error, ErrorKind, Finding, Result};

/// Default of [`Limits::max_input_bytes`]: 16 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Default of [`Limits::max_resources`]: 50,000 resources (the largest blueprints the benchmarks
/// exercise, five times the 10,000-resource performance targets).
pub const DEFAULT_MAX_RESOURCES: usize = 50_000;
/// Default of [`Limits::max_depth`]: 64 levels of nesting inside one value.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// Default of [`Limits::max_string_bytes`]: 1 MiB per string.
pub const DEFAULT_MAX_STRING_BYTES: usize = 1024 * 1024;

/// Bounds on a blueprint, checked when it is parsed. A value over a bound is a
/// [`ErrorKind::Limit`] error with code `limit_exceeded` and the path of the offending part.
///
/// ```
/// use iac_dharma::{Blueprint, Limits};
/// let mut limits = Limits::default();
/// limits.max_resources = 1;
/// let text = r#"{"name":"x","version":"1.0.0","provider":"aws","region":"us-east-1",
///   "resources":[{"type":"aws_vpc","name":"a"},{"type":"aws_vpc","name":"b"}]}"#;
/// let err = Blueprint::from_text_with_limits(text, &limits).unwrap_err();
/// assert_eq!(err.code().as_str(), "limit_exceeded");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest source text, in bytes (default [`DEFAULT_MAX_INPUT_BYTES`]).
    pub max_input_bytes: usize,
    /// Most resources in one blueprint (default [`DEFAULT_MAX_RESOURCES`]).
    pub max_resources: usize,
    /// Deepest nesting of arrays/objects inside one property, usage, metadata, variable default
    /// or output value; a scalar is depth 0 (default [`DEFAULT_MAX_DEPTH`]). The readers stop at
    /// 128 levels of the whole document whatever this says.
    pub max_depth: usize,
    /// Longest string (key or value), in bytes (default [`DEFAULT_MAX_STRING_BYTES`]).
    pub max_string_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_resources: DEFAULT_MAX_RESOURCES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_string_bytes: DEFAULT_MAX_STRING_BYTES,
        }
    }
}

pub(crate) fn limit_error(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::single(
        ErrorKind::Limit,
        Finding::error(Code::LimitExceeded, path, message),
    )
}

impl Limits {
    /// Checks the size of a source text before it is parsed.
    ///
    /// # Errors
    /// A `limit_exceeded` error when the text is longer than [`Limits::max_input_bytes`].
    pub fn check_text(&self, text: &str) -> Result<()> {
        if text.len() > self.max_input_bytes {
            return Err(limit_error(
                "",
                format!(
                    "the input is {} bytes, more than the limit of {} bytes",
                    text.len(),
                    self.max_input_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Checks a parsed blueprint: resource count, nesting depth and string lengths.
    ///
    /// # Errors
    /// A `limit_exceeded` error naming the path of the first part over a limit.
    pub fn check_blueprint(&self, bp: &Blueprint) -> Result<()> {
        self.check_document_head(bp)?;
        for (i, r) in bp.resources.iter().enumerate() {
            self.check_resource_head(i, r)?;
            self.check_resource_values(i, r)?;
        }
        Ok(())
    }

    /// The checks of [`Limits::check_blueprint`] except those of the resources (the count of
    /// resources is checked). With [`Limits::check_resource_head`] and
    /// [`Limits::check_resource_values`] of every resource in document order, the same checks:
    /// split so that `parse` can check each resource while the semantic check has it in the CPU
    /// caches, instead of reading the whole document from memory once more.
    pub(crate) fn check_document_head(&self, bp: &Blueprint) -> Result<()> {
        if bp.resources.len() > self.max_resources {
            return Err(limit_error(
                "resources",
                format!(
                    "the blueprint has {} resources, more than the limit of {}",
                    bp.resources.len(),
                    self.max_resources
                ),
            ));
        }
        // Paths are written only for a violation: the walk itself allocates nothing, since it
        // runs on every parse (a 10,000-resource blueprint has ~100,000 values).
        let fail = |path: String, v: Violation<'_>| Err(v.into_error(path));
        let s = |path: &dyn Fn() -> String, v: &str| match self.string(v) {
            Some(violation) => fail(path(), violation),
            None => Ok(()),
        };
        let val = |path: &dyn Fn() -> String, v: &Value| match self.value(v, 0) {
            Some(violation) => fail(path(), violation),
            None => Ok(()),
        };
        s(&|| "name".into(), &bp.name)?;
        s(&|| "version".into(), &bp.version)?;
        s(&|| "provider".into(), &bp.provider)?;
        s(&|| "region".into(), &bp.region)?;
        if let Some(d) = &bp.description {
            s(&|| "description".into(), d)?;
        }
        for (k, v) in &bp.tags {
            s(&|| "tags".into(), k)?;
            s(&|| key_path("tags", k), v)?;
        }
        for (k, v) in &bp.metadata {
            s(&|| "metadata".into(), k)?;
            val(&|| key_path("metadata", k), v)?;
        }
        for (i, var) in bp.variables.iter().enumerate() {
            let base = || format!("variables[{i}]");
            s(&|| format!("{}.name", base()), &var.name)?;
            if let Some(t) = &var.var_type {
                s(&|| format!("{}.type", base()), t)?;
            }
            if let Some(d) = &var.description {
                s(&|| format!("{}.description", base()), d)?;
            }
            if let Some(d) = &var.default {
                val(&|| format!("{}.default", base()), d)?;
            }
        }
        for (i, out) in bp.outputs.iter().enumerate() {
            let base = || format!("outputs[{i}]");
            s(&|| format!("{}.name", base()), &out.name)?;
            if let Some(d) = &out.description {
                s(&|| format!("{}.description", base()), d)?;
            }
            val(&|| format!("{}.value", base()), &out.value)?;
        }
        Ok(())
    }

    /// The string limits of resource `i`'s type, name, description and dependencies.
    pub(crate) fn check_resource_head(&self, i: usize, r: &Resource) -> Result<()> {
        let s = |path: &dyn Fn() -> String, v: &str| match self.string(v) {
            Some(violation) => Err(violation.into_error(path())),
            None => Ok(()),
        };
        let base = || format!("resources[{i}]");
        s(&|| format!("{}.type", base()), &r.resource_type)?;
        s(&|| format!("{}.name", base()), &r.name)?;
        if let Some(d) = &r.description {
            s(&|| format!("{}.description", base()), d)?;
        }
        for d in &r.dependencies {
            s(&|| format!("{}.dependencies", base()), d)?;
        }
        Ok(())
    }

    /// The limits of resource `i`'s properties and usage values (keys, strings, depth).
    pub(crate) fn check_resource_values(&self, i: usize, r: &Resource) -> Result<()> {
        for (field, map) in [("properties", &r.properties), ("usage", &r.usage)] {
            for (k, v) in map {
                let path = || key_path(&format!("resources[{i}].{field}"), k);
                if let Some(violation) = self.string(k).or_else(|| self.value(v, 0)) {
                    return Err(violation.into_error(path()));
                }
            }
        }
        Ok(())
    }

    fn string(&self, v: &str) -> Option<Violation<'static>> {
        (v.len() > self.max_string_bytes).then(|| Violation {
            steps: Vec::new(),
            message: format!(
                "a string of {} bytes is longer than the limit of {} bytes",
                v.len(),
                self.max_string_bytes
            ),
        })
    }

    /// Walks one value; `depth` is the nesting of `v` itself (0 for the top value). Recursion is
    /// bounded: it stops at `max_depth`, and parsed values are at most 128 deep anyway.
    fn value<'a>(&self, v: &'a Value, depth: usize) -> Option<Violation<'a>> {
        let nested = matches!(v, Value::Array(_) | Value::Object(_));
        if nested && depth >= self.max_depth {
            return Some(Violation {
                steps: Vec::new(),
                message: format!(
                    "the value is nested more than {} levels deep",
                    self.max_depth
                ),
            });
        }
        match v {
            Value::String(text) => self.string(text),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                self.value(item, depth + 1).map(|mut violation| {
                    violation.steps.push(Step::Index(i));
                    violation
                })
            }),
            Value::Object(map) => map.iter().find_map(|(k, item)| {
                self.string(k)
                    .or_else(|| self.value(item, depth + 1))
                    .map(|mut violation| {
                        violation.steps.push(Step::Key(k));
                        violation
                    })
            }),
            _ => None,
        }
    }
}

/// One step of the path inside a value.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A value over a limit: the steps from the top value to it (innermost first, pushed while the
/// walk unwinds) and what is wrong.
struct Violation<'a> {
    steps: Vec<Step<'a>>,
    message: String,
}

impl Violation<'_> {
    fn into_error(self, mut path: String) -> Error {
        for step in self.steps.iter().rev() {
            match step {
                Step::Key(k) => crate::reference::push_key(&mut path, k),
                Step::Index(i) => crate::reference::push_index(&mut path, *i),
            }
        }
        limit_error(path, self.message)
    }
}

fn key_path(base: &str, key: &str) -> String {
    let mut path = base.to_string();
    crate::reference::push_key(&mut path, key);
    path
}
