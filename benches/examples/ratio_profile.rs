//! One verb of the scaling goal (issue 10: at most 12x slower at 10,000 resources than at 1,000)
//! on the synthetic AWS blueprint of `N` resources, as the criterion benches run it: one warm-up
//! call, then `CALLS` (default 1) measured calls (their own function, for callgrind's
//! `--toggle-collect`). Allocations of one call: the difference of `valgrind --tool=dhat` totals
//! between `CALLS` 1 and 0.
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example ratio_profile
//! target/release/examples/ratio_profile check 10000
//! valgrind --tool=callgrind --cache-sim=yes --toggle-collect='ratio_profile::measured*' \
//!     target/release/examples/ratio_profile estimate 10000
//! ```
//!
//! Arguments: `VERB N CALLS`. Verbs: `check` (parse + check + graph waves, the `parse_check_graph` bench), `estimate` (with
//! optimizations) and `plan` (diff and waves, `plan_diff/diff_and_waves`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use iac_dharma::{CheckedBlueprint, EstimateOptions, PriceCatalog};
use iac_dharma_bench::{synthetic_aws, synthetic_aws_changed, synthetic_aws_text};

#[inline(never)]
fn measured_check(text: &str) -> usize {
    iac_dharma::parse(text)
        .map(|bp| bp.graph().waves().len())
        .unwrap()
}

#[inline(never)]
fn measured_estimate(bp: &CheckedBlueprint, options: &EstimateOptions) -> usize {
    iac_dharma::estimate(bp, options)
        .map(|e| e.resources.len())
        .unwrap()
}

#[inline(never)]
fn measured_plan(a: &CheckedBlueprint, b: &CheckedBlueprint) -> usize {
    iac_dharma::plan_diff(a, b).map(|p| p.waves.len()).unwrap()
}

/// Runs `warm` once, then `f` `calls` times.
fn run(calls: usize, warm: impl Fn() -> usize, f: impl Fn() -> usize) {
    std::hint::black_box(warm());
    for _ in 0..calls {
        std::hint::black_box(f());
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let verb = args.next().unwrap_or_else(|| "check".into());
    let n: usize = args.next().map_or(10_000, |a| a.parse().expect("a size"));
    let calls: usize = args.next().map_or(1, |a| a.parse().expect("a count"));
    match verb.as_str() {
        "check" => {
            let text = synthetic_aws_text(n);
            run(
                calls,
                || {
                    iac_dharma::parse(&text)
                        .map(|bp| bp.resources().len())
                        .unwrap()
                },
                || measured_check(&text),
            );
        }
        "estimate" => {
            let options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
            let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
            run(
                calls,
                || iac_dharma::estimate(&bp, &options).unwrap().resources.len(),
                || measured_estimate(&bp, &options),
            );
        }
        "plan" => {
            let a_doc = synthetic_aws(n);
            let b_doc = synthetic_aws_changed(a_doc.clone());
            let a = iac_dharma::parse(&a_doc.to_string()).unwrap();
            let b = iac_dharma::parse(&b_doc.to_string()).unwrap();
            drop((a_doc, b_doc));
            run(
                calls,
                || iac_dharma::plan_diff(&a, &b).unwrap().waves.len(),
                || measured_plan(&a, &b),
            );
        }
        other => panic!("unknown verb {other}"),
    }
}
