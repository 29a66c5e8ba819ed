//! The one place where engine errors (and panics) become JavaScript errors.
//!
//! Every failure reaches JS as a `DharmaError`: a real `Error` subclass defined in `lib/index.js`,
//! whose constructor the package entry hands over once per environment
//! (`__registerErrorFactory`). It carries the engine's `kind`, the first finding's `code`, `path`,
//! `location` and `suggestion`, and every finding. Loaded without the entry (`require` of the
//! generated `index.js`), the same fields are set on a plain `Error` named `DharmaError`.
//!
//! A panic in the engine never unwinds into Node: [`guard`] (JS thread) and the async tasks
//! (pool threads) catch it and report kind `internal`, code `internal_error`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use iac_dharma::{Code, Error, ErrorKind, Finding};
use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{FnArgs, Function, FunctionRef, Object, Unknown};
use napi::{Env, JsValue};
use serde::Serialize;

/// Error kind of a panic inside the engine: never the caller's fault, always a bug to report.
pub const INTERNAL_KIND: &str = "internal";
/// Error code of a panic inside the engine.
pub const INTERNAL_CODE: &str = "internal_error";
/// Error code of a use of an object after its `dispose()` (kind `invalid_input`).
pub const DISPOSED_CODE: &str = "disposed";

/// A failure on its way to JS: an engine error, a panic, or a napi error (from converting a
/// value, which already has a JS exception or a message of its own).
#[derive(Debug)]
pub enum Failure {
    /// An error from the engine, or about an argument.
    Engine(Error),
    /// A panic, with its message.
    Panic(String),
    /// A napi error.
    Napi(napi::Error),
    /// A use of an object after its `dispose()`, with the message saying which and what.
    Disposed(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Engine(e)
    }
}

impl From<napi::Error> for Failure {
    fn from(e: napi::Error) -> Self {
        Failure::Napi(e)
    }
}

/// Result type of the binding's internals.
pub type Outcome<T> = std::result::Result<T, Failure>;

/// An `invalid_input` error about an argument (`path` names it: `options.failOn`, `format`).
pub fn invalid_argument(
    path: &str,
    message: impl Into<String>,
    suggestion: Option<String>,
) -> Error {
    Error::single(
        ErrorKind::InvalidInput,
        Finding::error(Code::InvalidArgument, path, message).with_suggestion(suggestion),
    )
}

/// The failure of a use of `what` (`this Blueprint`, `policySet`) after its `dispose()`.
pub fn disposed(what: &str) -> Failure {
    Failure::Disposed(format!(
        "{what} was disposed: its native memory is freed, so it cannot be used any more"
    ))
}

/// Runs `f`, turning a panic into [`Failure::Panic`].
pub fn catch<T>(f: impl FnOnce() -> Outcome<T>) -> Outcome<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(Failure::Panic(panic_message(&*payload))))
}

/// Runs the body of a JS-facing function: panics are caught, failures become `DharmaError`s.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> Outcome<T>) -> napi::Result<T> {
    catch(|| {
        // What V8 collected since the last call is freed now, before this call allocates.
        crate::release::drop_parked();
        f()
    })
    .map_err(|failure| to_js_error(env, failure))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    format!("internal error in the IAC Dharma engine (please report it): {what}")
}

/// The data a `DharmaError` carries besides its message.
#[derive(Serialize)]
struct Payload<'a> {
    kind: &'a str,
    code: &'a str,
    path: &'a str,
    location: Option<iac_dharma::Location>,
    suggestion: Option<&'a str>,
    findings: Vec<Finding>,
}

/// What a failure says: message and payload as JSON text.
fn describe(failure: Failure) -> std::result::Result<(String, String), napi::Error> {
    let (message, payload) = match failure {
        Failure::Napi(e) => return Err(e),
        Failure::Engine(e) => {
            let payload = Payload {
                kind: e.kind().as_str(),
                code: e.code().as_str(),
                path: e.path(),
                location: e.location(),
                suggestion: e.findings().first().and_then(|f| f.suggestion.as_deref()),
                findings: e.findings().to_vec(),
            };
            (e.to_string(), serde_json::to_string(&payload))
        }
        Failure::Panic(message) => binding_error(INTERNAL_KIND, INTERNAL_CODE, message),
        Failure::Disposed(message) => binding_error("invalid_input", DISPOSED_CODE, message),
    };
    let payload = payload.map_err(|e| napi::Error::from_reason(e.to_string()))?;
    Ok((message, payload))
}

/// An error the binding itself raises (not the engine): one finding with `code`.
fn binding_error(kind: &str, code: &str, message: String) -> (String, serde_json::Result<String>) {
    let finding = serde_json::json!({
        "code": code, "severity": "error", "path": "", "message": message,
    });
    let payload = serde_json::json!({
        "kind": kind, "code": code, "path": "", "location": null,
        "suggestion": null, "findings": [finding],
    });
    (message, serde_json::to_string(&payload))
}

/// What the addon keeps per environment (the main thread and each worker thread have their
/// own): the `DharmaError` factory registered by the package entry, `(message, payloadJson) =>
/// DharmaError`, and the function that builds results with lazy members (`lazy.rs`).
#[derive(Default)]
pub struct EnvData {
    error_factory: Option<FunctionRef<FnArgs<(String, String)>, Unknown<'static>>>,
    /// `lazy(head, entries, result)` of `lazy.js`, compiled on first use.
    pub lazy: Option<crate::lazy::Wrapper>,
}

/// This environment's data, created on first use.
pub fn env_data(env: &Env) -> napi::Result<&'static mut EnvData> {
    if env.get_instance_data::<EnvData>()?.is_none() {
        env.set_instance_data(EnvData::default(), (), |_| {})?;
    }
    env.get_instance_data::<EnvData>()?
        .ok_or_else(|| napi::Error::from_reason("the addon's instance data is missing"))
}

/// Remembers this environment's `DharmaError` factory (called once by `lib/index.js`).
pub fn register_error_factory(
    env: &Env,
    factory: Function<'_, FnArgs<(String, String)>, Unknown<'static>>,
) -> napi::Result<()> {
    env_data(env)?.error_factory = Some(factory.create_ref()?);
    Ok(())
}

/// Builds the JS error for a failure.
pub fn to_js_error(env: &Env, failure: Failure) -> napi::Error {
    match build_js_error(env, failure) {
        Ok(e) | Err(e) => e,
    }
}

fn build_js_error(env: &Env, failure: Failure) -> napi::Result<napi::Error> {
    let (message, payload) = match describe(failure) {
        Ok(d) => d,
        Err(napi_error) => return Ok(napi_error),
    };
    if let Some(factory) = env_data(env)?.error_factory.as_ref() {
        let factory = factory.borrow_back(env)?;
        let error = factory.call(FnArgs::from((message, payload)))?;
        return Ok(napi::Error::from(error));
    }
    // Loaded without the package entry: a plain Error with the same fields.
    let mut err: Object = env.create_error(napi::Error::from_reason(message))?;
    err.set_named_property("name", "DharmaError")?;
    let data: Object = crate::convert::json_parse(env, &payload)?.coerce_to_object()?;
    for key in ["kind", "code", "path", "location", "suggestion", "findings"] {
        let v: Unknown = data.get_named_property(key)?;
        err.set_named_property(key, v)?;
    }
    Ok(napi::Error::from(err.to_unknown()))
}
