//! YAML output (CloudFormation YAML, Pulumi YAML) that every YAML reader takes as the same data,
//! YAML 1.1 readers included (PyYAML, cfn-lint, CloudFormation, which read `yes`, `on`,
//! `2010-09-09`, `0o17`, `1:20` as booleans, dates and numbers). A string is written plain only
//! when it is made of letters, digits and `_ . / : -`, starts with a letter or `_`, and is not
//! one of YAML's special words; any other string is double-quoted, with JSON's escapes (a subset
//! of YAML's) plus escapes for the characters YAML does not allow raw or reads as line breaks.

use crate::blueprint::Value;

use super::node::Node;

/// What the writer needs to see of a JSON value: both `serde_json::Value` (template filters) and
/// the lowered [`Node`] trees (CloudFormation YAML, written without a `Value` copy) are written
/// by the same code, so they come out byte for byte the same.
pub(crate) trait Tree: Sized {
    /// The value's shape; objects give their size, their entries come from [`Tree::entries`].
    fn shape(&self) -> Shape<'_, Self>;
    /// The entries of an object, in key order (nothing for other values).
    fn entries(&self) -> impl Iterator<Item = (&str, &Self)>;
}

/// One level of a [`Tree`].
pub(crate) enum Shape<'a, T> {
    Null,
    Bool(bool),
    Number(&'a serde_json::Number),
    String(&'a str),
    Seq(&'a [T]),
    /// An object of this many entries.
    Map(usize),
}

impl Tree for Value {
    fn shape(&self) -> Shape<'_, Self> {
        match self {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(*b),
            Value::Number(n) => Shape::Number(n),
            Value::String(s) => Shape::String(s),
            Value::Array(a) => Shape::Seq(a),
            Value::Object(m) => Shape::Map(m.len()),
        }
    }

    fn entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        self.as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
    }
}

impl Tree for Node<'_> {
    fn shape(&self) -> Shape<'_, Self> {
        match self {
            Node::Null => Shape::Null,
            Node::Bool(b) => Shape::Bool(*b),
            Node::Number(n) => Shape::Number(n),
            Node::String(s) => Shape::String(s),
            Node::Array(a) => Shape::Seq(a),
            Node::Object(m) => Shape::Map(m.len()),
        }
    }

    fn entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        let map = match self {
            Node::Object(m) => Some(m),
            _ => None,
        };
        map.into_iter()
            .flat_map(|m| m.entries())
            .map(|(k, v)| (k.as_ref(), v))
    }
}

/// A JSON value as a YAML document body (block style, 2-space indent), ending with a newline.
pub(crate) fn to_yaml<T: Tree>(value: &T) -> String {
    to_yaml_with_capacity(value, 256)
}

/// [`to_yaml`] into a buffer of `capacity` bytes to start with (a big document then grows its
/// buffer, copying it, rarely or never).
pub(crate) fn to_yaml_with_capacity<T: Tree>(value: &T, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    write_document(&mut out, value);
    out
}

/// [`to_yaml`] into `out`.
pub(crate) fn write_document<T: Tree>(out: &mut String, value: &T) {
    match value.shape() {
        Shape::Map(n) if n > 0 => write_map(out, value, 0),
        Shape::Seq(a) if !a.is_empty() => write_seq(out, a, 0),
        scalar => {
            write_scalar(out, scalar);
            out.push('\n');
        }
    }
}

/// One entry `key: value` of a block map at `indent` spaces, as [`write_document`] writes each
/// entry of a map at that depth: for documents written one entry at a time.
pub(crate) fn write_entry<T: Tree>(out: &mut String, key: &str, value: &T, indent: usize) {
    write_key(out, key, indent);
    write_value(out, value, indent);
}

/// The `key:` of [`write_entry`], its value to follow.
pub(crate) fn write_key(out: &mut String, key: &str, indent: usize) {
    pad(out, indent);
    write_string(out, key);
    out.push(':');
}

/// The value of [`write_entry`] (from the space or line break after its `key:`). It is the same
/// text whatever precedes it, so it may be written elsewhere and copied after its key.
pub(crate) fn write_value<T: Tree>(out: &mut String, value: &T, indent: usize) {
    write_child(out, value, indent);
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push(' ');
    }
}

fn write_map<T: Tree>(out: &mut String, m: &T, indent: usize) {
    let mut first = true;
    for (k, v) in m.entries() {
        if !first || !out.ends_with("- ") {
            pad(out, indent);
        }
        first = false;
        write_string(out, k);
        out.push(':');
        write_child(out, v, indent);
    }
}

fn write_seq<T: Tree>(out: &mut String, a: &[T], indent: usize) {
    for v in a {
        pad(out, indent);
        out.push('-');
        match v.shape() {
            Shape::Map(n) if n > 0 => {
                out.push(' ');
                write_map(out, v, indent + 2);
            }
            Shape::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar);
                out.push('\n');
            }
        }
    }
}

/// The value after `key:`.
fn write_child<T: Tree>(out: &mut String, v: &T, indent: usize) {
    match v.shape() {
        Shape::Map(n) if n > 0 => {
            out.push('\n');
            write_map(out, v, indent + 2);
        }
        Shape::Seq(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, indent);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar);
            out.push('\n');
        }
    }
}

fn write_scalar<T>(out: &mut String, v: Shape<'_, T>) {
    match v {
        Shape::Null => out.push_str("null"),
        Shape::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Shape::Number(n) => out.push_str(&n.to_string()),
        Shape::String(s) => write_string(out, s),
        Shape::Seq(_) => out.push_str("[]"),
        Shape::Map(_) => out.push_str("{}"),
    }
}

/// Words YAML 1.1 or 1.2 reads as something other than a string.
const SPECIAL: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

fn plain(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | ':' | '-'))
        && !s.ends_with(':')
        && !s.contains(": ")
        && !SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(s))
}

fn write_string(out: &mut String, s: &str) {
    if plain(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_and_quoting() {
        let v = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Main": {"Type": "AWS::EC2::VPC", "Properties": {
                "Tags": [{"Key": "yes", "Value": "a: b"}, {"Key": "k", "Value": "line\nx\u{85}"}],
                "Empty": {}, "List": [], "N": 1, "B": true, "Nested": [[1, 2], "x"]}}}
        });
        let text = to_yaml(&v);
        assert_eq!(
            text,
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Main:\n    Properties:\n      B: true\n      Empty: {}\n      List: []\n      \"N\": 1\n      Nested:\n      -\n        - 1\n        - 2\n      - x\n      Tags:\n      - Key: \"yes\"\n        Value: \"a: b\"\n      - Key: k\n        Value: \"line\\nx\\u0085\"\n    Type: AWS::EC2::VPC\n"
        );
        let back: Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(back, v);
        assert_eq!(to_yaml(&Node::from_value(&v)), text);
    }
}
