//! Values across the boundary.
//!
//! Results leave as JSON text that `JSON.parse` turns into plain objects (exactly the engine's
//! serde output: snake_case keys, money as decimal strings); on large results this is faster
//! than building objects property by property through napi, and it keeps the work on the JS
//! thread small for the async variants, which serialize on the pool thread. Objects come in
//! through `JSON.stringify` (cycles and `BigInt`s become clean errors, `undefined` is left out)
//! and the engine's JSON reader, which applies its depth limit and reports paths.

use std::collections::BTreeSet;

use iac_dharma::{did_you_mean, Code, Error, ErrorKind, Finding};
use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{FnArgs, Function, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{invalid_argument, Failure, Outcome};

fn json_function<'e, Args, Return>(
    env: &'e Env,
    name: &str,
) -> napi::Result<Function<'e, Args, Return>>
where
    Args: napi::bindgen_prelude::JsValuesTupleIntoVec,
    Return: napi::bindgen_prelude::FromNapiValue,
{
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    json.get_named_property(name)
}

/// `JSON.parse(text)`.
pub fn json_parse<'e>(env: &'e Env, text: &str) -> napi::Result<Unknown<'e>> {
    let parse: Function<'e, &str, Unknown<'e>> = json_function(env, "parse")?;
    parse.call(text)
}

/// A serializable result as JSON text (for [`json_parse`] on the JS thread).
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Outcome<String> {
    serde_json::to_string(value).map_err(|e| {
        Failure::Engine(invalid_argument(
            "",
            format!("the result cannot be written as JSON: {e}"),
            None,
        ))
    })
}

/// A serializable result as a JS value.
pub fn to_js<'e, T: Serialize + ?Sized>(env: &'e Env, value: &T) -> Outcome<Unknown<'e>> {
    Ok(json_parse(env, &to_json(value)?)?)
}

/// `JSON.stringify(value)` for an argument at `path`; `None` for `undefined` (and functions and
/// symbols, which JSON leaves out). A throw (cycle, `BigInt`, too deep) is an error at `path`,
/// of `kind`.
pub fn json_stringify(
    env: &Env,
    value: Unknown<'_>,
    path: &str,
    kind: ErrorKind,
) -> Outcome<Option<String>> {
    let stringify: Function<'_, Unknown<'_>, Unknown<'_>> = json_function(env, "stringify")?;
    match stringify.call(value) {
        Ok(out) if out.get_type()? == ValueType::String => {
            Ok(Some(out.coerce_to_string()?.into_utf8()?.into_owned()?))
        }
        Ok(_) => Ok(None),
        Err(e) => {
            let code = if kind == ErrorKind::InvalidInput {
                Code::InvalidArgument
            } else {
                Code::InvalidStructure
            };
            let what = if path.is_empty() {
                "the value".to_string()
            } else {
                format!("`{path}`")
            };
            Err(Failure::Engine(Error::single(
                kind,
                Finding::error(
                    code,
                    path,
                    format!("{what} is not JSON-compatible: {}", e.reason),
                ),
            )))
        }
    }
}

/// `object[key]` through `Reflect.get`, so that a getter or a Proxy trap that throws comes back
/// as an error at `path` (the call clears the exception) instead of staying pending.
pub fn property<'e>(
    env: &'e Env,
    object: Unknown<'e>,
    key: &str,
    path: &str,
) -> Outcome<Unknown<'e>> {
    let reflect: Object = env.get_global()?.get_named_property("Reflect")?;
    let get: Function<'e, FnArgs<(Unknown<'e>, &str)>, Unknown<'e>> =
        reflect.get_named_property("get")?;
    get.call(FnArgs::from((object, key)))
        .map_err(|e| unreadable(path, &e))
}

/// The error of a value at `path` whose getter, Proxy trap or `Object.keys` threw `e`.
fn unreadable(path: &str, e: &napi::Error) -> Failure {
    Failure::Engine(invalid_argument(
        path,
        format!("`{path}` cannot be read: {}", e.reason),
        None,
    ))
}

/// The JS type name of a value, for messages.
pub fn type_name(value: &Unknown<'_>) -> String {
    match value.get_type() {
        Ok(ValueType::Null) => "null".into(),
        Ok(ValueType::Object) if value.is_array().unwrap_or(false) => "an array".into(),
        Ok(ValueType::Object) => "an object".into(),
        Ok(ValueType::Undefined) => "undefined".into(),
        Ok(t) => format!("a {}", t.to_string().to_lowercase()),
        Err(_) => "unknown".into(),
    }
}

/// Whether the value is `undefined` or `null`.
pub fn is_absent(value: &Unknown<'_>) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// An options object (`undefined`/`null`: defaults) read into `T`, which names its fields in
/// camelCase. Fields in `special` (class instances such as `policies`) are left out: the caller
/// reads them. Unknown fields are errors with a suggestion (`fail_on` -> `failOn`).
pub fn options<T: DeserializeOwned + Default>(
    env: &Env,
    value: Option<Unknown<'_>>,
    arg: &str,
    fields: &[&str],
) -> Outcome<T> {
    let Some(value) = value.filter(|v| !is_absent(v)) else {
        return Ok(T::default());
    };
    if value.get_type()? != ValueType::Object || value.is_array()? {
        return Err(invalid_argument(
            arg,
            format!("`{arg}` must be an object, got {}", type_name(&value)),
            None,
        )
        .into());
    }
    finite_numbers(env, value, arg, 2)?;
    let text =
        json_stringify(env, value, arg, ErrorKind::InvalidInput)?.unwrap_or_else(|| "{}".into());
    let json: Value =
        serde_json::from_str(&text).map_err(|e| invalid_argument(arg, e.to_string(), None))?;
    options_from_value(json, arg, fields)
}

/// Options that hold documents or class instances rather than option groups.
const DOCUMENT_OPTIONS: [&str; 9] = [
    "previous",
    "state",
    "policySet",
    "catalog",
    "usage",
    "templates",
    "settings",
    "waivers",
    "variables",
];

/// `JSON.stringify` writes `NaN` and `±Infinity` as `null`, and an option given as `null` is
/// absent: `{budget: NaN}` (a budget read from a missing environment variable) would turn the
/// budget off. An option object's numbers, `depth` levels down (`approval.maxMonthlyIncrease`),
/// must be finite. Documents given as options (usage, templates) are read as documents.
fn finite_numbers(env: &Env, value: Unknown<'_>, path: &str, depth: usize) -> Outcome<()> {
    if depth == 0 || value.get_type()? != ValueType::Object || value.is_array()? {
        return Ok(());
    }
    // (`Object` is a function: read as an unknown value, then as an object.)
    let keys: Function<'_, Unknown<'_>, Vec<String>> = env
        .get_global()?
        .get_named_property::<Unknown>("Object")?
        .coerce_to_object()?
        .get_named_property("keys")?;
    let keys = keys.call(value).map_err(|e| unreadable(path, &e))?;
    for key in keys {
        let at = format!("{path}.{key}");
        let field = property(env, value, &key, &at)?;
        match field.get_type()? {
            ValueType::Number => {
                let n = field.coerce_to_number()?.get_double()?;
                if !n.is_finite() {
                    return Err(invalid_argument(
                        &at,
                        format!("`{at}` must be a finite number, got {n}"),
                        None,
                    )
                    .into());
                }
            }
            // Nested option groups (`approval`); not documents or class instances, whose
            // getters may build large values.
            ValueType::Object if !DOCUMENT_OPTIONS.contains(&key.as_str()) => {
                finite_numbers(env, field, &at, depth - 1)?
            }
            _ => {}
        }
    }
    Ok(())
}

/// [`options`] after `JSON.stringify`: checks the field names, then deserializes.
pub fn options_from_value<T: DeserializeOwned>(
    mut json: Value,
    arg: &str,
    fields: &[&str],
) -> Outcome<T> {
    if let Value::Object(map) = &mut json {
        let known: BTreeSet<&str> = fields.iter().copied().collect();
        if let Some(key) = map.keys().find(|k| !known.contains(k.as_str())) {
            let suggestion = did_you_mean(key, fields.iter().copied());
            return Err(invalid_argument(
                &format!("{arg}.{key}"),
                format!(
                    "unknown option `{key}`; expected one of {}",
                    fields.join(", ")
                ),
                suggestion,
            )
            .into());
        }
        // Class instances stringify as `{}`; their fields are read by the caller.
        map.retain(|_, v| !v.is_null());
    }
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => arg.to_string(),
            p => format!("{arg}.{p}"),
        };
        Failure::Engine(invalid_argument(&path, e.into_inner().to_string(), None))
    })
}

/// A decimal amount given as a string (`"1500.50"`) or a number (`1500.5`, read through its
/// shortest decimal form, so `0.1` is exactly 0.1).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum Amount {
    /// A decimal string.
    Text(String),
    /// A JSON number.
    Number(serde_json::Number),
}

impl Amount {
    /// The exact decimal; `path` names the argument in errors.
    pub fn decimal(&self, path: &str) -> Outcome<iac_dharma::Decimal> {
        let text = match self {
            Amount::Text(s) => s.trim().to_string(),
            Amount::Number(n) => n.to_string(),
        };
        iac_dharma::exact_decimal(&text)
            .map_err(|message| invalid_argument(path, message, None).into())
    }
}

/// A text-or-object argument (usage files, Terraform state, plans, settings): `Text` for a
/// string, `Json` for an object (as JSON text).
pub enum Document {
    /// A string as given.
    Text(String),
    /// An object, through `JSON.stringify`.
    Json(String),
}

/// Reads a text-or-object argument at `path`; a wrong type is an `invalid_input` error.
pub fn document(env: &Env, value: Unknown<'_>, path: &str) -> Outcome<Document> {
    match value.get_type()? {
        ValueType::String => Ok(Document::Text(
            value.coerce_to_string()?.into_utf8()?.into_owned()?,
        )),
        ValueType::Object if !value.is_array()? => {
            let json = json_stringify(env, value, path, ErrorKind::InvalidInput)?;
            Ok(Document::Json(json.unwrap_or_else(|| "{}".into())))
        }
        _ => Err(invalid_argument(
            path,
            format!(
                "`{path}` must be text or an object, got {}",
                type_name(&value)
            ),
            None,
        )
        .into()),
    }
}
