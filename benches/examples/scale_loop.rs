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

use iac_dharma::{EstimateOptions, PriceCatalog};
use iac_dharma_bench::{loop_cost, synthetic_aws, synthetic_aws_changed, synthetic_aws_text};

fn main() {
    let mut args = std::env::args().skip(1);
    let verb = args.next().unwrap_or_else(|| "check".into());
    let n: usize = args.next().map_or(10_000, |a| a.parse().expect("a size"));
    let iters: usize = args.next().map_or(20, |a| a.parse().expect("a count"));
    let cost = match verb.as_str() {
        "check" => {
            let text = synthetic_aws_text(n);
            let _ = iac_dharma::parse(&synthetic_aws_text(10));
            loop_cost(iters, || {
                iac_dharma::parse(&text)
                    .map(|bp| bp.graph().waves().len())
                    .unwrap()
            })
        }
        "check_only" => {
            let doc = iac_dharma::Blueprint::from_json(&synthetic_aws_text(n)).unwrap();
            loop_cost(iters, || {
                doc.check().map(|bp| bp.resources().len()).unwrap()
            })
        }
        "estimate" => {
            let options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
            let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
            loop_cost(iters, || {
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
                loop_cost(iters, || iac_dharma::plan_diff(&a, &b).unwrap().waves.len())
            } else {
                let plan = iac_dharma::plan_diff(&a, &b).unwrap();
                loop_cost(iters, || plan.to_json().len())
            }
        }
        other => panic!("unknown verb {other}"),
    };
    println!(
        "{verb} n={n} iters={iters}: cpu {:.3} ms, wall {:.3} ms, {:.0} minor faults per iteration",
        cost.cpu_ms, cost.wall_ms, cost.minor_faults
    );
}
