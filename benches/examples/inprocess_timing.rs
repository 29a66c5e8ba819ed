//! The engine called in-process from Rust, timed as `benches/compare/inprocess.py` (Python) and
//! `inprocess.mjs` (Node) time it through the bindings, for the binding-overhead rows of
//! `benches/compare/run.sh`: the blueprint text is read once; each run parses and checks it, then
//! runs the verb and drops the result (the policy set and the price catalog are loaded once, as
//! a service loads them). Prints `{"verb", "runs", "median_ms", "min_ms"}` as JSON.
//!
//! ```text
//! cargo run --release -p iac-dharma-bench --example inprocess_timing -- FILE validate|estimate RUNS
//! ```

use std::process::ExitCode;
use std::time::Instant;

use iac_dharma::{EstimateOptions, PolicySet, PriceCatalog, ValidateOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(file), Some(verb)) = (args.first(), args.get(1)) else {
        eprintln!("usage: inprocess_timing FILE validate|estimate [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args
        .get(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(20)
        .max(1);
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let policies = match PolicySet::builtin() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut validate_options = ValidateOptions::default();
    validate_options.today = Some("2026-06-01".into());
    let estimate_options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
    let once = || -> Result<usize, iac_dharma::Error> {
        let bp = iac_dharma::parse(&text)?;
        match verb.as_str() {
            "validate" => Ok(iac_dharma::validate(&bp, &policies, &validate_options)?
                .findings
                .len()),
            _ => Ok(iac_dharma::estimate(&bp, &estimate_options)?
                .resources
                .len()),
        }
    };
    if !matches!(verb.as_str(), "validate" | "estimate") {
        eprintln!("unknown verb {verb}: validate or estimate");
        return ExitCode::from(2);
    }
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs + 2 {
        let t = Instant::now();
        if let Err(e) = once() {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        // The first two runs warm the lazily loaded catalogs and the allocator.
        if i >= 2 {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    times.sort_by(f64::total_cmp);
    let median = match times.len() % 2 {
        1 => times.get(times.len() / 2).copied().unwrap_or_default(),
        _ => {
            let hi = times.get(times.len() / 2).copied().unwrap_or_default();
            let lo = times.get(times.len() / 2 - 1).copied().unwrap_or_default();
            (lo + hi) / 2.0
        }
    };
    let min = times.first().copied().unwrap_or_default();
    println!(
        "{}",
        serde_json::json!({"verb": verb, "runs": runs, "median_ms": median, "min_ms": min})
    );
    ExitCode::SUCCESS
}
