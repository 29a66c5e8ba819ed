//! `generate` once in one format on a synthetic blueprint of `N` resources, for callgrind
//! instruction counts that stay stable on a busy machine (the wall-clock bench is
//! `benches/benches/generate.rs`). Parsing and a warm-up call on a small blueprint happen
//! before the measured call, which is its own function so callgrind reports it inclusively:
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example generate_profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/examples/generate_profile cloudformation 10000
//! callgrind_annotate --inclusive=yes cg.out | grep generate_profile::measured
//! ```
//!
//! With a third argument `ITERS`, the measured call instead runs `ITERS` times (after 3 warm-up
//! calls) and the example prints per call the CPU time of this thread and the minor page faults
//! (fresh memory the kernel had to map), two costs of a large working set that callgrind's
//! instruction counts do not show (allocations: `valgrind --tool=dhat` on the one-call mode):
//!
//! ```text
//! target/release/examples/generate_profile terraform 10000 50
//! ```
//!
//! With `same` as the third argument, the warm-up call also runs on the measured blueprint, as
//! criterion's hot loop does, so that what one call leaves in cache for the next (at 1,000
//! resources, most of it) is in callgrind's simulated cache too; the small warm-up alone counts
//! the first touch of the input as misses:
//!
//! ```text
//! valgrind --tool=callgrind --cache-sim=yes --D1=32768,8,64 --LL=1048576,16,64 \
//!     --toggle-collect='generate_profile::measured*' \
//!     target/release/examples/generate_profile cloudformation 10000 same
//! ```
//!
//! Formats are the ids of `dharma generate --format`; `arm` runs on the synthetic Azure blueprint,
//! the AWS-only formats on the synthetic AWS blueprint with `root_block_device` written as an
//! `ebs_block_device` (as the bench does; CloudFormation cannot express the former).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use iac_dharma::{CheckedBlueprint, GenerateOptions, OutputFormat};
use iac_dharma_bench::{loop_cost, synthetic_for};

fn blueprint(format: OutputFormat, n: usize) -> CheckedBlueprint {
    iac_dharma::parse(&synthetic_for(format, n).to_string()).unwrap()
}

/// The warm-up call, its own function so that it is not counted with [`measured`].
#[inline(never)]
fn warm(bp: &CheckedBlueprint, format: OutputFormat) -> usize {
    // Not the same body as `measured`, so that the two are not merged into one symbol.
    iac_dharma::generate(bp, format, &GenerateOptions::default())
        .unwrap()
        .len()
}

#[inline(never)]
fn measured(bp: &CheckedBlueprint, format: OutputFormat) -> usize {
    let files = iac_dharma::generate(bp, format, &GenerateOptions::default()).unwrap();
    files.files.values().map(String::len).sum()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let format: OutputFormat = args
        .next()
        .unwrap_or_else(|| "terraform".into())
        .parse()
        .unwrap();
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let mode = args.next();
    // Warm the embedded templates, schemas and mappings, as a long-running service would.
    std::hint::black_box(warm(&blueprint(format, 50), format));
    let bp = blueprint(format, n);
    match mode.as_deref() {
        None => println!("{format} {n}: {} bytes", measured(&bp, format)),
        Some("same") => {
            std::hint::black_box(warm(&bp, format));
            println!("{format} {n}: {} bytes", measured(&bp, format));
        }
        Some(iters) => {
            let iters: usize = iters.parse().expect("ITERS (a count) or `same`");
            let cost = loop_cost(iters, || measured(&bp, format));
            println!(
                "{format} n={n} iters={iters}: cpu {:.3} ms, wall {:.3} ms, {:.0} minor faults per call",
                cost.cpu_ms, cost.wall_ms, cost.minor_faults,
            );
        }
    }
}
