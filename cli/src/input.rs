//! Reading blueprint files (or standard input) and turning failures into located messages.

use std::io::Read;

use iac_dharma::{Blueprint, CheckedBlueprint, SourceFormat};

use crate::report::Reporter;

/// Reads a file, or standard input for `-`.
pub fn read_source(path: &str, reporter: &Reporter) -> Result<String, ()> {
    let result = if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(path)
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
