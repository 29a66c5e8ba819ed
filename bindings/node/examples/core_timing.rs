//! The Rust side of the Node package's benchmarks (`bench/`), on the same input as the Node
//! side:
//!
//! ```text
//! cargo run --release -p iac-dharma-node --example core_timing -- blueprint 1000 > bp.json
//! cargo run --release -p iac-dharma-node --example core_timing -- time bp.json estimate 20
//! ```
//!
//! `blueprint N` prints `iac_dharma_bench::synthetic_aws_text(N)` (the blueprint the criterion
//! benches use). `time FILE VERB RUNS` times parse + check + VERB (`check`, `estimate`,
//! `generate`, `validate`: the built-in policies, compiled once before the runs, as the Node
//! side's `PolicySet.builtin()`, with `today` 2026-06-01; `VERB-only`: parse + check once,
//! the verb alone timed) on the file RUNS times and prints the timings in milliseconds as JSON: wall time
//! (`ms`) and the thread's CPU time (`cpu_ms`, which a busy machine does not inflate) of each
//! run, and the CPU time of the whole process over all runs (`process_cpu_ms`: the policy
//! threads of `validate` included).

use std::time::Instant;

/// With the `mimalloc-baseline` feature the Rust side allocates with mimalloc, as the addon
/// does, so that the comparison shows the binding's cost alone, not the allocators' difference.
#[cfg(feature = "mimalloc-baseline")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["blueprint", n] => {
            let n = n.parse().unwrap_or(1000);
            println!("{}", iac_dharma_bench::synthetic_aws_text(n));
        }
        ["time", file, verb, runs] => {
            let text = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) => return fail(&format!("cannot read {file}: {e}")),
            };
            let runs: usize = runs.parse().unwrap_or(10);
            let policies = match iac_dharma::PolicySet::builtin() {
                Ok(p) => p,
                Err(e) => return fail(&e.to_string()),
            };
            // `VERB-only`: the blueprint is parsed and checked once, before the runs, which time
            // the verb alone.
            let (verb, parsed) = match verb.strip_suffix("-only") {
                Some(verb) => match iac_dharma::parse(&text) {
                    Ok(bp) => (verb, Some(bp)),
                    Err(e) => return fail(&e.to_string()),
                },
                None => (*verb, None),
            };
            let mut times = Vec::with_capacity(runs);
            let mut cpu = Vec::with_capacity(runs);
            let process = cpu_time::ProcessTime::now();
            for _ in 0..runs {
                let (start, cpu_start) = (Instant::now(), thread_cpu_ns());
                if let Err(e) = run(&text, parsed.as_ref(), verb, &policies) {
                    return fail(&e);
                }
                times.push(start.elapsed().as_secs_f64() * 1000.0);
                cpu.push((thread_cpu_ns() - cpu_start) as f64 / 1e6);
            }
            let list = |xs: &[f64]| {
                xs.iter()
                    .map(|t| format!("{t:.4}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let process_ms = process.elapsed().as_secs_f64() * 1000.0;
            println!(
                "{{\"verb\":\"{verb}\",\"ms\":[{}],\"cpu_ms\":[{}],\"process_cpu_ms\":{process_ms:.4}}}",
                list(&times),
                list(&cpu)
            );
        }
        _ => fail("usage: core_timing blueprint N | time FILE VERB RUNS"),
    }
}

fn run(
    text: &str,
    parsed: Option<&iac_dharma::CheckedBlueprint>,
    verb: &str,
    policies: &iac_dharma::PolicySet,
) -> Result<(), String> {
    let owned;
    let bp = match parsed {
        Some(bp) => bp,
        None => {
            owned = iac_dharma::parse(text).map_err(|e| e.to_string())?;
            &owned
        }
    };
    match verb {
        "check" => Ok(()),
        "estimate" => iac_dharma::estimate(bp, &iac_dharma::EstimateOptions::default())
            .map(drop)
            .map_err(|e| e.to_string()),
        "generate" => {
            iac_dharma::generate(bp, iac_dharma::OutputFormat::Terraform, &Default::default())
                .map(drop)
                .map_err(|e| e.to_string())
        }
        "validate" => {
            let mut options = iac_dharma::ValidateOptions::default();
            options.today = Some("2026-06-01".into());
            iac_dharma::validate(bp, policies, &options)
                .map(drop)
                .map_err(|e| e.to_string())
        }
        other => Err(format!("unknown verb {other}")),
    }
}

/// CPU time of the calling thread in nanoseconds (Linux: first field of
/// `/proc/thread-self/schedstat`), so that timings hold on a busy machine; 0 elsewhere.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn fail(message: &str) {
    eprintln!("{message}");
    std::process::exit(2);
}
