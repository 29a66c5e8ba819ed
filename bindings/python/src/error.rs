//! The one place where engine errors (and panics) become Python exceptions.
//!
//! Every [`iac_dharma::ErrorKind`] maps to one class of `iac_dharma.exceptions` (all subclasses of
//! `DharmaError`); the exception is built by the class's `_from_engine` constructor from the kind,
//! the error's text and its findings as JSON, so its attributes (`kind`, `code`, `path`,
//! `location`, `suggestion`, `findings`) are plain Python values. A panic caught at the boundary
//! becomes `InternalError` (kind `internal`, code `internal_error`), never pyo3's
//! `PanicException`.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe, PanicHookInfo};

use iac_dharma::{Error, ErrorKind};
use pyo3::prelude::*;

/// The exception class of each error kind (names in `python/iac_dharma/exceptions.py`).
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Parse => "ParseError",
        ErrorKind::Check => "CheckError",
        ErrorKind::Generate => "GenerateError",
        ErrorKind::Policy => "PolicyError",
        ErrorKind::Pricing => "PricingError",
        ErrorKind::Plan => "PlanError",
        ErrorKind::Limit => "LimitError",
        ErrorKind::InvalidInput => "InvalidInputError",
        // A kind added to the engine later and not mapped yet still reaches Python as the base.
        _ => "DharmaError",
    }
}

/// Builds the exception `class(kind, message, findings_json, file)`.
fn build(
    py: Python<'_>,
    class: &str,
    kind: &str,
    message: &str,
    findings_json: &str,
    file: Option<&str>,
) -> PyErr {
    let made = py
        .import("iac_dharma.exceptions")
        .and_then(|m| m.getattr(class))
        .and_then(|cls| cls.call_method1("_from_engine", (kind, message, findings_json, file)));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        // The package itself is broken (cannot import its exceptions): report that.
        Err(e) => e,
    }
}

/// The Python exception for an engine error. `file` is the file the input was read from, if any.
pub fn to_py(py: Python<'_>, err: &Error, file: Option<&str>) -> PyErr {
    // An exception the caller's code raised while its value was read, left pending by
    // `convert`: raised as it is (a Ctrl-C stays a KeyboardInterrupt).
    if let Some(raised) = PyErr::take(py) {
        return raised;
    }
    let findings = serde_json::to_string(err.findings()).unwrap_or_else(|_| "[]".into());
    build(
        py,
        class_name(err.kind()),
        err.kind().as_str(),
        &err.to_string(),
        &findings,
        file,
    )
}

thread_local! {
    /// Where the last panic of this thread happened (`file:line:column`), for its exception.
    static PANIC_PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that remembers where a panic happened (so that `InternalError` can say
/// it), then runs the previous hook (which prints the panic to stderr). The extension module has
/// its own copy of the Rust standard library, so this hook sees only panics of this module.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
        let place = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        PANIC_PLACE.with(|p| *p.borrow_mut() = place);
        previous(info);
    }));
}

/// `InternalError` for a panic, with the panic's message and place.
pub fn internal(py: Python<'_>, payload: &(dyn Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic without a message".into());
    let place = PANIC_PLACE
        .with(|p| p.borrow_mut().take())
        .map(|p| format!(" at {p}"))
        .unwrap_or_default();
    let message = format!("internal error in iac-dharma (a bug: please report it): {what}{place}");
    let finding = serde_json::json!([{
        "code": "internal_error", "severity": "error", "path": "", "message": message,
    }]);
    build(
        py,
        "InternalError",
        "internal",
        &message,
        &finding.to_string(),
        None,
    )
}

/// Runs `f` with the GIL held, turning a panic anywhere in it (conversion code included) into
/// `InternalError`. Every function and method of the module runs inside it.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(internal(py, payload.as_ref())),
    }
}

/// Runs engine work with the GIL released (other Python threads run meanwhile), mapping its error
/// and catching a panic. `f` may not touch Python objects (the compiler enforces it: it must be
/// `Send`).
pub fn engine<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    engine_in(py, None, f)
}

/// As [`engine`], for input read from `file` (the exception's `file` attribute).
pub fn engine_in<T: Send>(
    py: Python<'_>,
    file: Option<&str>,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(to_py(py, &e, file)),
        Err(payload) => Err(internal(py, payload.as_ref())),
    }
}
