//! Resource limits on blueprint input: how large, how many resources, how deep, how long a
//! string. Every parse applies [`Limits::default`]; callers that need other bounds parse with
//! [`Blueprint::from_text_with_limits`](crate::Blueprint::from_text_with_limits).
//!
//! The JSON and YAML readers also stop any nesting deeper than 128 levels by themselves (before a
//! deep document can overflow the stack), and the YAML reader refuses documents whose aliases
//! would expand to far more nodes than the text holds ("billion laughs"). Both come out as
//! `limit_exceeded` errors too.

use crate::blueprint::{Blueprint, Value};
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
        let s = |path: &str, v: &str| self.string(path, v);
        s("name", &bp.name)?;
        s("version", &bp.version)?;
        s("provider", &bp.provider)?;
        s("region", &bp.region)?;
        if let Some(d) = &bp.description {
            s("description", d)?;
        }
        for (k, v) in &bp.tags {
            s("tags", k)?;
            s(&format!("tags.{k}"), v)?;
        }
        for (k, v) in &bp.metadata {
            s("metadata", k)?;
            self.value(&format!("metadata.{k}"), v, 0)?;
        }
        for (i, var) in bp.variables.iter().enumerate() {
            let base = format!("variables[{i}]");
            s(&format!("{base}.name"), &var.name)?;
            if let Some(t) = &var.var_type {
                s(&format!("{base}.type"), t)?;
            }
            if let Some(d) = &var.description {
                s(&format!("{base}.description"), d)?;
            }
            if let Some(d) = &var.default {
                self.value(&format!("{base}.default"), d, 0)?;
            }
        }
        for (i, out) in bp.outputs.iter().enumerate() {
            let base = format!("outputs[{i}]");
            s(&format!("{base}.name"), &out.name)?;
            if let Some(d) = &out.description {
                s(&format!("{base}.description"), d)?;
            }
            self.value(&format!("{base}.value"), &out.value, 0)?;
        }
        for (i, r) in bp.resources.iter().enumerate() {
            let base = format!("resources[{i}]");
            s(&format!("{base}.type"), &r.resource_type)?;
            s(&format!("{base}.name"), &r.name)?;
            if let Some(d) = &r.description {
                s(&format!("{base}.description"), d)?;
            }
            for d in &r.dependencies {
                s(&format!("{base}.dependencies"), d)?;
            }
            for (field, map) in [("properties", &r.properties), ("usage", &r.usage)] {
                for (k, v) in map {
                    let path = format!("{base}.{field}.{k}");
                    s(&path, k)?;
                    self.value(&path, v, 0)?;
                }
            }
        }
        Ok(())
    }

    fn string(&self, path: &str, v: &str) -> Result<()> {
        if v.len() > self.max_string_bytes {
            return Err(limit_error(
                path,
                format!(
                    "a string of {} bytes is longer than the limit of {} bytes",
                    v.len(),
                    self.max_string_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Walks one value; `depth` is the nesting of `v` itself (0 for the top value). Recursion is
    /// bounded: it stops at `max_depth`, and parsed values are at most 128 deep anyway.
    fn value(&self, path: &str, v: &Value, depth: usize) -> Result<()> {
        let nested = matches!(v, Value::Array(_) | Value::Object(_));
        if nested && depth >= self.max_depth {
            return Err(limit_error(
                path,
                format!(
                    "the value is nested more than {} levels deep",
                    self.max_depth
                ),
            ));
        }
        match v {
            Value::String(text) => self.string(path, text),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(&format!("{path}[{i}]"), item, depth + 1)?;
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let p = format!("{path}.{k}");
                    self.string(&p, k)?;
                    self.value(&p, item, depth + 1)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
