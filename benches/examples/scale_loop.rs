//! One verb run `ITERS` times on the synthetic AWS blueprint of `N` resources, reporting per
//! iteration the CPU time of this thread and the minor page faults (fresh memory the kernel had
//! to map), the two costs of a large working set that callgrind's instruction counts do not show.
//! CPU time is robust on the shared machine where wall time is not. Linux only (`/proc`).
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example scale_loop
//! target/release/examples/scale_loop check 10000 50
//! ```
//!
//! Verbs: `check` (parse + check + graph waves, as the `parse_check_graph` bench), `check_only`
//! (check of a parsed document), `estimate` (with optimizations), `plan` (diff and waves) and
//! `plan_json` (the plan's JSON); the result is dropped inside the loop, as criterion does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use std::time::Instant;

use iac_dharma::{EstimateOptions, PriceCatalog};
use iac_dharma_bench::{synthetic_aws, synthetic_aws_changed, synthetic_aws_text};

/// (minor page faults, CPU time of this thread in ns) so far.
fn counters() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the parenthesized command name: state is field 3, minflt field 10.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let minflt: u64 = rest.split(' ').nth(7).unwrap().parse().unwrap();
    let sched = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    let cpu: u64 = sched.split(' ').next().unwrap().parse().unwrap();
    (minflt, cpu)
}

fn run(iters: usize, mut f: impl FnMut() -> usize) -> (f64, f64, f64) {
    for _ in 0..3 {
        std::hint::black_box(f());
    }
    let (f0, c0) = counters();
    let t0 = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    let wall = t0.elapsed().as_secs_f64() * 1e3 / iters as f64;
    let (f1, c1) = counters();
    let cpu = (c1 - c0) as f64 / 1e6 / iters as f64;
    (cpu, wall, (f1 - f0) as f64 / iters as f64)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let verb = args.next().unwrap_or_else(|| "check".into());
    let n: usize = args.next().map_or(10_000, |a| a.parse().expect("a size"));
    let iters: usize = args.next().map_or(20, |a| a.parse().expect("a count"));
    let (cpu, wall, faults) = match verb.as_str() {
        "check" => {
            let text = synthetic_aws_text(n);
            let _ = iac_dharma::parse(&synthetic_aws_text(10));
            run(iters, || {
                iac_dharma::parse(&text)
                    .map(|bp| bp.graph().waves().len())
                    .unwrap()
            })
        }
        "check_only" => {
            let doc = iac_dharma::Blueprint::from_json(&synthetic_aws_text(n)).unwrap();
            run(iters, || {
                doc.check().map(|bp| bp.resources().len()).unwrap()
            })
        }
        "estimate" => {
            let options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
            let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
            run(iters, || {
                iac_dharma::estimate(&bp, &options)
                    .map(|e| e.resources.len())
                    .unwrap()
            })
        }
        "plan" | "plan_json" => {
            let a_doc = synthetic_aws(n);
            let b_doc = synthetic_aws_changed(a_doc.clone());
            let a = iac_dharma::parse(&a_doc.to_string()).unwrap();
            let b = iac_dharma::parse(&b_doc.to_string()).unwrap();
            if verb == "plan" {
                run(iters, || iac_dharma::plan_diff(&a, &b).unwrap().waves.len())
            } else {
                let plan = iac_dharma::plan_diff(&a, &b).unwrap();
                run(iters, || plan.to_json().len())
            }
        }
        other => panic!("unknown verb {other}"),
    };
    println!("{verb} n={n} iters={iters}: cpu {cpu:.3} ms, wall {wall:.3} ms, {faults:.0} minor faults per iteration");
}
