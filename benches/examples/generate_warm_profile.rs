//! `generate` in one format on a synthetic blueprint of `N` resources as the criterion bench runs
//! it: a warm-up call on the same blueprint, then the measured call (its own function, for
//! callgrind's `--toggle-collect`), so that what a hot loop keeps in cache from one call to the
//! next (at 1,000 resources, most of it) is in the simulated cache too. `generate_profile` warms
//! up on a 50-resource blueprint instead, which counts the first touch of the input as misses.
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example generate_warm_profile
//! valgrind --tool=callgrind --cache-sim=yes --D1=32768,8,64 --LL=1048576,16,64 \
//!     --toggle-collect='generate_warm_profile::measured*' \
//!     target/release/examples/generate_warm_profile cloudformation 10000
//! ```
//!
//! Arguments: `FORMAT N` (the ids of `dharma generate --format`; N defaults to 10000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use iac_dharma::{CheckedBlueprint, GenerateOptions, OutputFormat};
use iac_dharma_bench::synthetic_for;

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
        .unwrap_or_else(|| "cloudformation".into())
        .parse()
        .unwrap();
    let n: usize = args.next().map_or(10_000, |a| a.parse().expect("a size"));
    let bp = iac_dharma::parse(&synthetic_for(format, n).to_string()).unwrap();
    std::hint::black_box(warm(&bp, format));
    println!("{format} {n}: {} bytes", measured(&bp, format));
}
