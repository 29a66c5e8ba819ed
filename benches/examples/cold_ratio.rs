//! The 10,000 / 1,000 resource ratio of each verb measured on a cold cache: before every call
//! the harness streams through a buffer three times the size of the L3 cache, so the call finds
//! neither its input nor the allocator's free lists in any cache, as a CLI run or a service
//! request that follows other work does.
//!
//! The criterion benches call a verb again and again on the same input: at 1,000 resources the
//! whole working set (input, allocator state, output) stays in the 1 MiB per-core L2 between
//! calls, at 10,000 it does not, so the criterion ratio mixes the verb's growth with the cache
//! hierarchy. This harness measures both sizes the same way; together with callgrind's
//! instruction counts (about 10x for every verb) it tells a verb that grows faster than linearly
//! from one whose 1k baseline is flattered by a hot cache. Reported per call: median thread CPU
//! time (of the calling thread: validate's other threads are not counted) and median wall time
//! of `ROUNDS` calls (default 15).
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example cold_ratio
//! target/release/examples/cold_ratio            # every verb
//! target/release/examples/cold_ratio estimate 31  # one verb, 31 rounds
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use std::time::Instant;

use iac_dharma::{CheckedBlueprint, EstimateOptions, GenerateOptions, OutputFormat, PriceCatalog};
use iac_dharma_bench::{synthetic_aws, synthetic_aws_changed, synthetic_aws_text, synthetic_for};

/// Three times this machine's 32 MiB L3.
const EVICT_BYTES: usize = 96 << 20;

/// Reads and writes every cache line of `buf`, pushing everything else out of the caches.
fn evict(buf: &mut [u8]) {
    let mut sum = 0u8;
    for line in buf.chunks_mut(64) {
        line[0] = line[0].wrapping_add(1);
        sum = sum.wrapping_add(line[0]);
    }
    std::hint::black_box(sum);
}

/// Median (CPU ms, wall ms) of `rounds` cold calls of `f`, after one warm-up call (so lazily
/// built tables such as the embedded catalogs exist, as in a long-running service).
fn cold(rounds: usize, buf: &mut [u8], mut f: impl FnMut() -> usize) -> (f64, f64) {
    std::hint::black_box(f());
    let mut cpu = Vec::with_capacity(rounds);
    let mut wall = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        evict(buf);
        // clock_gettime(CLOCK_THREAD_CPUTIME_ID): exact, where /proc's counters move by ticks.
        let c0 = cpu_time::ThreadTime::now();
        let t0 = Instant::now();
        std::hint::black_box(f());
        let w = t0.elapsed().as_secs_f64() * 1e3;
        cpu.push(c0.elapsed().as_secs_f64() * 1e3);
        wall.push(w);
    }
    (median(&mut cpu), median(&mut wall))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The verb `verb` on the synthetic blueprint of `n` resources: (CPU ms, wall ms).
fn measure(verb: &str, n: usize, rounds: usize, buf: &mut [u8]) -> (f64, f64) {
    let parse = |doc: serde_json::Value| -> CheckedBlueprint {
        iac_dharma::parse(&doc.to_string()).unwrap()
    };
    match verb {
        "check" => {
            let text = synthetic_aws_text(n);
            cold(rounds, buf, || {
                iac_dharma::parse(&text)
                    .map(|bp| bp.graph().waves().len())
                    .unwrap()
            })
        }
        "estimate" => {
            let options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
            let bp = parse(synthetic_aws(n));
            cold(rounds, buf, || {
                iac_dharma::estimate(&bp, &options).unwrap().resources.len()
            })
        }
        "plan" => {
            let a_doc = synthetic_aws(n);
            let b_doc = synthetic_aws_changed(a_doc.clone());
            let (a, b) = (parse(a_doc), parse(b_doc));
            cold(rounds, buf, || {
                iac_dharma::plan_diff(&a, &b).unwrap().waves.len()
            })
        }
        "validate" => {
            let bp = parse(synthetic_aws(n));
            let policies = iac_dharma::PolicySet::builtin().unwrap();
            let options = iac_dharma::ValidateOptions::default();
            cold(rounds, buf, || {
                iac_dharma::validate(&bp, &policies, &options)
                    .unwrap()
                    .findings
                    .len()
            })
        }
        format => {
            let format: OutputFormat = format
                .parse()
                .unwrap_or_else(|_| panic!("unknown verb or format {format}"));
            let bp = parse(synthetic_for(format, n));
            let options = GenerateOptions::default();
            cold(rounds, buf, || {
                iac_dharma::generate(&bp, format, &options).unwrap().len()
            })
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let verbs: Vec<String> = match args.next() {
        Some(v) => vec![v],
        None => [
            "check",
            "estimate",
            "plan",
            "validate",
            "terraform",
            "terraform-json",
            "cloudformation",
            "cloudformation-yaml",
            "pulumi-yaml",
            "pulumi-ts",
            "cdk-ts",
        ]
        .map(String::from)
        .to_vec(),
    };
    let rounds: usize = args.next().map_or(15, |a| a.parse().expect("a count"));
    let mut buf = vec![0u8; EVICT_BYTES];
    println!("| verb | 1,000 CPU / wall ms | 10,000 CPU / wall ms | ratio CPU / wall |");
    println!("|---|---:|---:|---:|");
    for verb in &verbs {
        let (c1, w1) = measure(verb, 1_000, rounds, &mut buf);
        let (c10, w10) = measure(verb, 10_000, rounds, &mut buf);
        println!(
            "| {verb} | {c1:.2} / {w1:.2} | {c10:.1} / {w10:.1} | {:.1}x / {:.1}x |",
            c10 / c1,
            w10 / w1
        );
    }
}
