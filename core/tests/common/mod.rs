//! Shared helpers of the generate tests: the blueprints every format is tried on.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use iac_dharma::{
    generate, Blueprint, CheckedBlueprint, GenerateOptions, GeneratedFiles, OutputFormat,
    SourceFormat,
};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every blueprint of `examples/blueprints/` (when present) and `tests/toolchecks/blueprints/`,
/// checked, with its path.
pub fn example_blueprints() -> Vec<(String, CheckedBlueprint)> {
    let mut out = Vec::new();
    for dir in ["examples/blueprints", "tests/toolchecks/blueprints"] {
        let Ok(entries) = std::fs::read_dir(repo_root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let name = path.to_string_lossy().to_string();
            let Some(fmt) = SourceFormat::from_extension(&name) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let bp = Blueprint::from_text_as(&text, fmt)
                .and_then(Blueprint::into_checked)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            out.push((
                format!("{dir}/{}", path.file_name().unwrap().to_string_lossy()),
                bp,
            ));
        }
    }
    out
}

/// Generates with the embedded templates, failing the test with the error's findings.
pub fn gen(bp: &CheckedBlueprint, format: OutputFormat) -> GeneratedFiles {
    generate(bp, format, &GenerateOptions::default()).unwrap_or_else(|e| {
        panic!(
            "{} {format}: {}",
            bp.blueprint().name,
            e.findings()
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}
