//! YAML output (CloudFormation YAML, Pulumi YAML) that every YAML reader takes as the same data,
//! YAML 1.1 readers included (PyYAML, cfn-lint, CloudFormation, which read `yes`, `on`,
//! `2010-09-09`, `0o17`, `1:20` as booleans, dates and numbers). A string is written plain only
//! when it is made of letters, digits and `_ . / : -`, starts with a letter or `_`, and is not
//! one of YAML's special words; any other string is double-quoted, with JSON's escapes (a subset
//! of YAML's) plus escapes for the characters YAML does not allow raw or reads as line breaks.

use crate::blueprint::Value;

/// A JSON value as a YAML document body (block style, 2-space indent), ending with a newline.
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        scalar => {
            write_scalar(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push(' ');
    }
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize) {
    let mut first = true;
    for (k, v) in m {
        if !first || !out.ends_with("- ") {
            pad(out, indent);
        }
        first = false;
        write_string(out, k);
        out.push(':');
        write_child(out, v, indent);
    }
}

fn write_seq(out: &mut String, a: &[Value], indent: usize) {
    for v in a {
        pad(out, indent);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push(' ');
                write_map(out, m, indent + 2);
            }
            Value::Array(inner) if !inner.is_empty() => {
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
fn write_child(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2);
        }
        Value::Array(a) if !a.is_empty() => {
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

fn write_scalar(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
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
        && !SPECIAL.contains(&s.to_ascii_lowercase().as_str())
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
    }
}
