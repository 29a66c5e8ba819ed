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
//!
//! `time FILE VERB RUNS KEEP` keeps each run's blueprint and result alive for KEEP more runs
//! before dropping them (oldest first), as a garbage-collected caller frees them some calls
//! later (V8 collects when the native memory it was told of has grown by its limit): the Rust
//! baseline of the Node rows that leave results to V8 (`bench/overhead.mjs` measures K for each
//! row).

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
        ["time", file, verb, runs, keep @ ..] if keep.len() <= 1 => {
            let keep: usize = keep.first().and_then(|k| k.parse().ok()).unwrap_or(0);
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
            // What the last KEEP runs made, freed KEEP runs later.
            let mut kept: std::collections::VecDeque<Kept> =
                std::collections::VecDeque::with_capacity(keep + 1);
            let process = cpu_time::ProcessTime::now();
            for _ in 0..runs {
                let (start, cpu_start) = (Instant::now(), thread_cpu_ns());
                match run(&text, parsed.as_ref(), verb, &policies) {
                    Ok(made) if keep > 0 => {
                        kept.push_back(made);
                        if kept.len() > keep {
                            drop(kept.pop_front());
                        }
                    }
                    Ok(made) => drop(made),
                    Err(e) => return fail(&e),
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
        _ => fail("usage: core_timing blueprint N | time FILE VERB RUNS [KEEP]"),
    }
}

/// What one run made: the verb's result and the blueprint it parsed (none for `VERB-only`),
/// dropped in that order.
type Kept = (Made, Option<iac_dharma::CheckedBlueprint>);

/// A verb's result, kept as it is (no allocation beyond the engine's own).
#[allow(dead_code, clippy::large_enum_variant)] // held only to be dropped; boxing would add an allocation per run
enum Made {
    Nothing,
    Estimate(iac_dharma::CostEstimate),
    Files(iac_dharma::GeneratedFiles),
    Report(iac_dharma::Report),
}

fn run(
    text: &str,
    parsed: Option<&iac_dharma::CheckedBlueprint>,
    verb: &str,
    policies: &iac_dharma::PolicySet,
) -> Result<Kept, String> {
    match parsed {
        Some(bp) => Ok((run_verb(bp, verb, policies)?, None)),
        None => {
            let bp = iac_dharma::parse(text).map_err(|e| e.to_string())?;
            Ok((run_verb(&bp, verb, policies)?, Some(bp)))
        }
    }
}

fn run_verb(
    bp: &iac_dharma::CheckedBlueprint,
    verb: &str,
    policies: &iac_dharma::PolicySet,
) -> Result<Made, String> {
    let made = match verb {
        "check" => Made::Nothing,
        "estimate" => Made::Estimate(
            iac_dharma::estimate(bp, &iac_dharma::EstimateOptions::default())
                .map_err(|e| e.to_string())?,
        ),
        "generate" => Made::Files(
            iac_dharma::generate(bp, iac_dharma::OutputFormat::Terraform, &Default::default())
                .map_err(|e| e.to_string())?,
        ),
        "validate" => {
            let mut options = iac_dharma::ValidateOptions::default();
            options.today = Some("2026-06-01".into());
            Made::Report(iac_dharma::validate(bp, policies, &options).map_err(|e| e.to_string())?)
        }
        other => return Err(format!("unknown verb {other}")),
    };
    Ok(made)
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
