#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The fuzz corpus in every `cargo test` (issue 11): the committed seeds (`fuzz/corpus/<target>/`)
//! and every input a fuzzer found to crash or hang the engine (`fuzz/regressions/<target>/`, kept
//! after the fix) go through exactly the calls the fuzz targets make (`fuzz/src/harness.rs`,
//! included here), on the stable toolchain. None may panic, and every error must say what and
//! where: at least one finding, each with a code and a path or a source location.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/harness.rs"]
mod harness;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs one input through a target and checks the errors it reports.
fn replay(target: &str, run: harness::Target, name: &str, data: &[u8]) {
    for e in run(data) {
        let findings = e.findings();
        assert!(
            !findings.is_empty(),
            "{target}/{name}: an error without findings: {e:?}"
        );
        for f in findings {
            assert!(
                !f.code.as_str().is_empty(),
                "{target}/{name}: a finding without code: {f:?}"
            );
            assert!(
                !f.path.is_empty() || f.location.is_some() || f.code.as_str() == "limit_exceeded",
                "{target}/{name}: a finding that says nowhere: {f:?}"
            );
        }
    }
}

#[test]
fn seeds_and_crash_inputs_replay_without_panics() {
    let mut seeds = 0;
    let mut regressions = 0;
    for (target, run) in harness::TARGETS {
        for (kind, count) in [("corpus", &mut seeds), ("regressions", &mut regressions)] {
            for path in inputs(&root().join("fuzz").join(kind).join(target)) {
                let data = std::fs::read(&path).unwrap();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                replay(target, run, &name, &data);
                *count += 1;
            }
        }
    }
    // Every target has seeds.
    for (target, _) in harness::TARGETS {
        assert!(
            !inputs(&root().join("fuzz/corpus").join(target)).is_empty(),
            "no seeds for {target}"
        );
    }
    assert!(seeds >= 80, "only {seeds} seeds");
    println!("{seeds} seeds and {regressions} crash inputs replayed");
}
