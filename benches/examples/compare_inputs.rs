//! Writes the inputs of the whole-process comparison (`benches/compare/run.sh`): for each size N
//! given, `aws-N.json` ([`synthetic_aws`]) and `aws-N-changed.json` ([`synthetic_aws_changed`],
//! the new version `dharma plan` diffs against it) in the folder given first.
//!
//! ```text
//! cargo run --release -p iac-dharma-bench --example compare_inputs -- OUT_DIR 100 1000 10000
//! ```

use iac_dharma_bench::{synthetic_aws, synthetic_aws_changed};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: compare_inputs OUT_DIR N...");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for arg in args {
        let Ok(n) = arg.parse::<usize>() else {
            eprintln!("not a resource count: {arg}");
            return ExitCode::from(2);
        };
        let doc = synthetic_aws(n);
        let changed = synthetic_aws_changed(doc.clone());
        for (name, value) in [
            (format!("aws-{n}.json"), doc),
            (format!("aws-{n}-changed.json"), changed),
        ] {
            let path = dir.join(name);
            if let Err(e) = std::fs::write(&path, value.to_string()) {
                eprintln!("{}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
