//! Variable type expressions (`string`, `list(string)`, `map(number)`, ...) and default checks.

use std::fmt;

use crate::blueprint::Value;

/// The type of a variable, in Terraform's type-constraint syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarType {
    /// `string`
    String,
    /// `number`
    Number,
    /// `bool`
    Bool,
    /// `any`
    Any,
    /// `list(T)`
    List(Box<VarType>),
    /// `set(T)`
    Set(Box<VarType>),
    /// `map(T)`
    Map(Box<VarType>),
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarType::String => f.write_str("string"),
            VarType::Number => f.write_str("number"),
            VarType::Bool => f.write_str("bool"),
            VarType::Any => f.write_str("any"),
            VarType::List(t) => write!(f, "list({t})"),
            VarType::Set(t) => write!(f, "set({t})"),
            VarType::Map(t) => write!(f, "map({t})"),
        }
    }
}

impl VarType {
    /// Parses a type expression.
    ///
    /// ```
    /// use iac_dharma::VarType;
    /// assert_eq!(VarType::parse("list(string)").unwrap().to_string(), "list(string)");
    /// assert!(VarType::parse("lst(string)").is_err());
    /// ```
    ///
    /// # Errors
    /// A message naming the accepted forms.
    pub fn parse(text: &str) -> Result<VarType, String> {
        let t = text.trim();
        let simple = match t {
            "string" => Some(VarType::String),
            "number" => Some(VarType::Number),
            "bool" => Some(VarType::Bool),
            "any" => Some(VarType::Any),
            _ => None,
        };
        if let Some(s) = simple {
            return Ok(s);
        }
        for (prefix, make) in [
            ("list(", VarType::List as fn(Box<VarType>) -> VarType),
            ("set(", VarType::Set),
            ("map(", VarType::Map),
        ] {
            if let Some(inner) = t.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')) {
                return VarType::parse(inner).map(|i| make(Box::new(i)));
            }
        }
        Err(format!(
            "`{text}` is not a variable type; use string, number, bool, any, list(T), set(T) or map(T)"
        ))
    }

    /// Why `value` does not fit this type, if it does not. Strings convert to numbers and bools
    /// the way Terraform converts them.
    pub fn mismatch(&self, value: &Value) -> Option<String> {
        match (self, value) {
            (_, Value::Null) | (VarType::Any, _) => None,
            (VarType::String, Value::String(_) | Value::Number(_) | Value::Bool(_)) => None,
            (VarType::Number, Value::Number(_)) => None,
            (VarType::Number, Value::String(s)) if s.trim().parse::<f64>().is_ok() => None,
            (VarType::Bool, Value::Bool(_)) => None,
            (VarType::Bool, Value::String(s)) if s == "true" || s == "false" => None,
            (VarType::List(t) | VarType::Set(t), Value::Array(items)) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| t.mismatch(v).map(|m| format!("item {i}: {m}"))),
            (VarType::Map(t), Value::Object(map)) => map
                .iter()
                .find_map(|(k, v)| t.mismatch(v).map(|m| format!("key `{k}`: {m}"))),
            (t, v) => Some(format!(
                "{} is not a {t}",
                serde_json::to_string(v).unwrap_or_default()
            )),
        }
    }
}
