//! Reading blueprint files (or standard input) and turning failures into located messages.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

use iac_dharma::{Blueprint, CheckedBlueprint, SourceFormat};

use crate::report::Reporter;

/// Whether standard input was read already: a second `-` would read nothing.
static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// Reads a file, or standard input for `-` (once per run), as text.
pub fn read_source(path: &str, reporter: &Reporter) -> Result<String, ()> {
    let bytes = read_bytes(path, reporter)?;
    String::from_utf8(bytes).map_err(|_| reporter.message(&format!("{path} is not UTF-8 text")))
}

/// Reads a file, or standard input for `-` (once per run: a second `-` would read nothing).
pub fn read_bytes(path: &str, reporter: &Reporter) -> Result<Vec<u8>, ()> {
    let result = if path == "-" {
        if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
            reporter.message("standard input (`-`) can be read only once in a run; give a file for the other input");
            return Err(());
        }
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map(|_| b)
    } else {
        std::fs::read(path)
    };
    result.map_err(|e| reporter.message(&format!("cannot read {path}: {e}")))
}

/// Reads, parses and checks a blueprint; reports every problem on failure.
pub fn load_blueprint(path: &str, reporter: &Reporter) -> Result<CheckedBlueprint, ()> {
    let text = read_source(path, reporter)?;
    let format = SourceFormat::from_extension(path).unwrap_or_else(|| SourceFormat::detect(&text));
    Blueprint::from_text_as(&text, format)
        .and_then(Blueprint::into_checked)
        .map_err(|e| reporter.error(path, &e))
}

/// `--var NAME=VALUE` arguments, split at the first `=`.
pub fn var_pairs(vars: &[String]) -> Result<Vec<(&str, &str)>, String> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name, value)),
            _ => Err(format!("--var {v}: expected NAME=VALUE")),
        })
        .collect()
}

/// The values of `--var` for `bp`, as Terraform reads `-var`: the text itself for a variable
/// declared `string`; otherwise the text read as JSON when it is JSON (`8080`, `true`,
/// `["a","b"]`), else the text. Names and types are checked by the engine.
pub fn var_values(
    pairs: &[(&str, &str)],
    bp: &CheckedBlueprint,
) -> BTreeMap<String, serde_json::Value> {
    let declared_string = |name: &str| {
        bp.blueprint()
            .variables
            .iter()
            .any(|v| v.name == name && v.var_type.as_deref().map(str::trim) == Some("string"))
    };
    pairs
        .iter()
        .map(|&(name, text)| {
            let value = if declared_string(name) {
                serde_json::Value::String(text.to_string())
            } else {
                serde_json::from_str(text)
                    .unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
            };
            (name.to_string(), value)
        })
        .collect()
}
