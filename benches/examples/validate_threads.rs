//! `validate` of the synthetic AWS blueprint of `N` resources with `THREADS` policy threads
//! (`auto` = the default choice, `1` = sequential), `ITERS` times: prints the median wall time
//! and the process CPU time per call (user + system of every thread, from `/proc/self/stat`), so
//! the parallel speed-up and its overhead can be read side by side; run it with `ITERS` = 1
//! under callgrind for instruction counts summed over the threads. Linux only (`/proc`).
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example validate_threads
//! target/release/examples/validate_threads 1000 auto 20
//! valgrind --tool=callgrind target/release/examples/validate_threads 1000 1 1
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use std::time::{Duration, Instant};

use iac_dharma::{PolicySet, ValidateOptions};
use iac_dharma_bench::synthetic_aws_text;

/// CPU time of the whole process so far (user + system, in clock ticks of 10 ms).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the command name).
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

#[inline(never)]
fn validate(bp: &iac_dharma::CheckedBlueprint, policies: &PolicySet, o: &ValidateOptions) -> usize {
    iac_dharma::validate(bp, policies, o)
        .unwrap()
        .findings
        .len()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let threads: Option<usize> = args.next().and_then(|a| a.parse().ok());
    let iters: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    // No time budget: under valgrind a large evaluation runs past the default 10 s.
    let policies = PolicySet::builder().time_limit(None).build().unwrap();
    let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
    let mut options = ValidateOptions::default();
    options.threads = threads;
    let mut walls = Vec::new();
    let cpu0 = process_cpu();
    let mut findings = 0;
    for _ in 0..iters {
        let t = Instant::now();
        findings = validate(&bp, &policies, &options);
        walls.push(t.elapsed());
    }
    let cpu = process_cpu() - cpu0;
    walls.sort();
    let median = walls[walls.len() / 2];
    println!(
        "n={n} threads={} findings={findings}: median wall {:.2} ms, min {:.2} ms, CPU {:.2} ms per call",
        threads.map_or("auto".to_string(), |t| t.to_string()),
        median.as_secs_f64() * 1e3,
        walls[0].as_secs_f64() * 1e3,
        cpu.as_secs_f64() * 1e3 / iters as f64,
    );
}
