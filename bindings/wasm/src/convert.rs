//! Conversions at the JavaScript boundary: arguments in, results out, engine errors thrown as
//! real `Error` objects.

use iac_dharma::{Code, Error, ErrorKind, Finding};
use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::report::{invalid_argument, Input};

/// Converts a result to a plain JS value: objects (not `Map`s) for maps, `null` for missing
/// values, numbers for integers, exactly as `JSON.parse` gives, because that is how: the result is
/// written as JSON by serde_json (whose serializer the engine links anyway) and read by the
/// browser's `JSON.parse`. (serde-wasm-bindgen, used before, instantiated a second serializer
/// for every result type: 14 KB raw / 3.4 KB gzipped more, for the same values.)
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let cannot = |e: &dyn std::fmt::Display| {
        js_error(&invalid_argument(
            "",
            format!("the result cannot be represented in JavaScript: {e}"),
            None,
        ))
    };
    let json = serde_json::to_string(value).map_err(|e| cannot(&e))?;
    js_sys::JSON::parse(&json).map_err(|e| cannot(&error_message(&e)))
}

/// The text of a JS string `value` (an argument at `path`), `None` when it is not a string. A
/// lone surrogate, which `as_string` would turn into U+FFFD, is an error with its line and column.
pub fn string_text(value: &JsValue, path: &str) -> Option<Result<String, JsValue>> {
    let text = value.as_string()?;
    if text.contains('\u{FFFD}') {
        if let Some(js) = value.dyn_ref::<js_sys::JsString>() {
            let units: Vec<u16> = js.iter().collect();
            if let Some(e) = iac_dharma::lone_surrogate_error(path, &units) {
                return Some(Err(js_error(&e)));
            }
        }
    }
    Some(Ok(text))
}

/// An optional string argument: `undefined` and `null` are absent; anything else must be a string.
pub fn optional_string(value: Option<JsValue>, path: &str) -> Result<Option<String>, JsValue> {
    match value {
        None => Ok(None),
        Some(v) if v.is_undefined() || v.is_null() => Ok(None),
        Some(v) => string_text(&v, path)
            .map(|t| t.map(Some))
            .unwrap_or_else(|| {
                Err(js_error(&invalid_argument(
                    path,
                    format!("`{path}` must be a string, got {}", type_of(&v)),
                    None,
                )))
            }),
    }
}

/// An optional options object (`undefined`/`null`: the defaults), read into a core options struct
/// that derives `Deserialize` (see [`crate::report::options_from_json`]). For the verbs' functions.
pub fn options<T: serde::de::DeserializeOwned + Default>(
    value: Option<JsValue>,
    arg: &str,
) -> Result<T, JsValue> {
    let json = match value {
        None => None,
        Some(v) if v.is_undefined() || v.is_null() => None,
        Some(v) if v.is_object() && !js_sys::Array::is_array(&v) => Some(json_text(&v, arg)?),
        Some(v) => {
            return Err(js_error(&invalid_argument(
                arg,
                format!("`{arg}` must be an object, got {}", type_of(&v)),
                None,
            )))
        }
    };
    crate::report::options_from_json(json.as_deref(), arg).map_err(|e| js_error(&e))
}

/// `JSON.stringify(value)`, or an invalid-input error at `arg`.
fn json_text(value: &JsValue, arg: &str) -> Result<String, JsValue> {
    let json = js_sys::JSON::stringify(value).map_err(|e| {
        js_error(&invalid_argument(
            arg,
            format!("`{arg}` is not JSON-compatible: {}", error_message(&e)),
            None,
        ))
    })?;
    json.as_string().ok_or_else(|| {
        js_error(&invalid_argument(
            arg,
            format!("`{arg}` is not JSON-compatible"),
            None,
        ))
    })
}

/// A blueprint argument (text in its detected syntax, or an object), parsed and checked: what
/// every verb but `parse`/`check` starts with.
pub fn load_blueprint(value: &JsValue) -> Result<iac_dharma::CheckedBlueprint, JsValue> {
    blueprint_input(value, None)?
        .load()
        .map_err(|e| js_error(&e))
}

/// [`load_blueprint`] for one of two blueprint arguments (`oldBlueprint`, `newBlueprint`): the
/// paths of its errors start with the argument's name (`newBlueprint.region`, as options'
/// errors start with `options.`), so that a caller can tell which document is wrong.
pub fn load_named_blueprint(
    value: &JsValue,
    arg: &str,
) -> Result<iac_dharma::CheckedBlueprint, JsValue> {
    let loaded = match blueprint_input_named(value, None, arg) {
        Ok(input) => input.load(),
        Err(e) => return Err(e),
    };
    loaded.map_err(|e| {
        let kind = e.kind();
        let findings = e
            .into_findings()
            .into_iter()
            .map(|mut f| {
                f.path = if f.path.is_empty() {
                    arg.to_string()
                } else if f.path.starts_with('[') {
                    format!("{arg}{}", f.path)
                } else {
                    format!("{arg}.{}", f.path)
                };
                f
            })
            .collect();
        js_error(&Error::new(kind, findings))
    })
}

/// A blueprint argument: source text (JSON or YAML), or a JSON-compatible object.
///
/// Objects go through `JSON.stringify`, which turns cycles and `BigInt`s into clean errors and
/// omits `undefined` and functions, exactly as when the caller serializes it themselves; the
/// engine's own JSON reader then applies its depth limit and reports paths.
pub fn blueprint_input(value: &JsValue, format: Option<JsValue>) -> Result<Input, JsValue> {
    blueprint_input_named(value, format, "blueprint")
}

/// [`blueprint_input`] for the argument named `arg`.
fn blueprint_input_named(
    value: &JsValue,
    format: Option<JsValue>,
    arg: &str,
) -> Result<Input, JsValue> {
    let format = optional_string(format, "format")?;
    let format = crate::report::source_format(format.as_deref()).map_err(|e| js_error(&e))?;
    if let Some(text) = string_text(value, arg) {
        return Ok(Input::Text {
            text: text?,
            format,
        });
    }
    if value.is_object() {
        let json = js_sys::JSON::stringify(value).map_err(|e| {
            js_error(&Error::single(
                ErrorKind::Parse,
                Finding::error(
                    Code::InvalidStructure,
                    "",
                    format!(
                        "the blueprint object is not JSON-compatible: {}",
                        error_message(&e)
                    ),
                ),
            ))
        })?;
        if let Some(json) = json.as_string() {
            return Ok(Input::Object { json });
        }
    }
    Err(js_error(&invalid_argument(
        arg,
        format!(
            "expected a blueprint as text (JSON or YAML) or as an object, got {}",
            type_of(value)
        ),
        None,
    )))
}

/// A JSON document argument other than a blueprint (a Terraform plan or state): JSON text, or a
/// JSON-compatible object (serialized with `JSON.stringify`). Returns the text and whether it came
/// from an object (whose errors then carry JSON paths only, no source lines).
#[cfg_attr(not(feature = "plan-import"), allow(dead_code))] // used by validatePlan and drift only
pub fn document_text(value: &JsValue, arg: &str, what: &str) -> Result<(String, bool), JsValue> {
    if let Some(text) = string_text(value, arg) {
        return Ok((text?, false));
    }
    if value.is_object() && !js_sys::Array::is_array(value) {
        return Ok((json_text(value, arg)?, true));
    }
    Err(js_error(&invalid_argument(
        arg,
        format!(
            "expected {what} as JSON text or as an object, got {}",
            type_of(value)
        ),
        None,
    )))
}

fn type_of(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(value) {
        "an array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

fn error_message(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh, unfrozen Error object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Builds the JS `Error` thrown for an engine error: `message` says what and where, and the
/// properties `kind`, `code`, `path`, `location` (`{line, column}` or `null`), `suggestion`
/// and `findings` (every finding, as plain objects) describe it for programs.
pub fn js_error(e: &Error) -> JsValue {
    error_object(
        &e.to_string(),
        e.kind().as_str(),
        e.code().as_str(),
        e.path(),
        e.location().map(|l| (l.line, l.column)),
        e.findings().first().and_then(|f| f.suggestion.as_deref()),
        to_js(e.findings()).unwrap_or_else(|_| js_sys::Array::new().into()),
    )
}

/// The error thrown when the engine panicked (a bug): kind `internal`, code `internal_error`.
pub fn internal_error(message: &str) -> JsValue {
    let finding = js_sys::Object::new();
    set(&finding, "code", &JsValue::from_str(INTERNAL_CODE));
    set(&finding, "severity", &JsValue::from_str("error"));
    set(&finding, "path", &JsValue::from_str(""));
    set(&finding, "message", &JsValue::from_str(message));
    let findings = js_sys::Array::of1(&finding);
    error_object(
        message,
        INTERNAL_KIND,
        INTERNAL_CODE,
        "",
        None,
        None,
        findings.into(),
    )
}

/// Error kind of a panic inside the engine (not an [`ErrorKind`]: it is never the caller's fault).
pub const INTERNAL_KIND: &str = "internal";
/// Error code of a panic inside the engine.
pub const INTERNAL_CODE: &str = "internal_error";

fn error_object(
    message: &str,
    kind: &str,
    code: &str,
    path: &str,
    location: Option<(usize, usize)>,
    suggestion: Option<&str>,
    findings: JsValue,
) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("DharmaError");
    let v: &JsValue = err.as_ref();
    set(v, "kind", &JsValue::from_str(kind));
    set(v, "code", &JsValue::from_str(code));
    set(v, "path", &JsValue::from_str(path));
    let location = match location {
        Some((line, column)) => {
            let loc = js_sys::Object::new();
            set(&loc, "line", &JsValue::from_f64(line as f64));
            set(&loc, "column", &JsValue::from_f64(column as f64));
            loc.into()
        }
        None => JsValue::NULL,
    };
    set(v, "location", &location);
    set(
        v,
        "suggestion",
        &suggestion.map_or(JsValue::NULL, JsValue::from_str),
    );
    set(v, "findings", &findings);
    err.into()
}
