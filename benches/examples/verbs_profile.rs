//! Each verb once (generate: Terraform HCL) on the synthetic AWS blueprint of `N` resources (default 10,000), for instruction
//! counts that stay stable on a busy machine (wall-clock benches are in `benches/benches/`). Every
//! operation is its own function so callgrind reports it inclusively:
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example verbs_profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/examples/verbs_profile
//! callgrind_annotate --inclusive=yes cg.out | grep verbs_profile::
//! ```
//!
//! The price catalog and the policy set are loaded before the measured calls, as a service
//! loads them once. The policy set has no time budget here (see `main`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use iac_dharma::{
    CheckedBlueprint, EstimateOptions, GenerateOptions, OutputFormat, PolicySet, PriceCatalog,
    ValidateOptions,
};
use iac_dharma_bench::synthetic_aws_text;

#[inline(never)]
fn parse_check_graph(text: &str) -> CheckedBlueprint {
    let bp = iac_dharma::parse(text).unwrap();
    std::hint::black_box(bp.graph().waves().len());
    bp
}

#[inline(never)]
fn estimate(bp: &CheckedBlueprint, options: &EstimateOptions) -> usize {
    iac_dharma::estimate(bp, options).unwrap().resources.len()
}

#[inline(never)]
fn generate(bp: &CheckedBlueprint, format: OutputFormat) -> usize {
    let files = iac_dharma::generate(bp, format, &GenerateOptions::default()).unwrap();
    files.files.values().map(String::len).sum()
}

#[inline(never)]
fn validate(bp: &CheckedBlueprint, policies: &PolicySet) -> usize {
    iac_dharma::validate(bp, policies, &ValidateOptions::default())
        .unwrap()
        .findings
        .len()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let text = synthetic_aws_text(n);
    let options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
    // No time budget: it is wall-clock time, and under valgrind a 10,000-resource evaluation runs
    // ~50x slower than natively, past the default 10 s on a busy machine.
    let policies = PolicySet::builder().time_limit(None).build().unwrap();
    // Warm the lazily parsed catalog data (regions, types, schemas) outside the measured calls.
    let warm = iac_dharma::parse(&synthetic_aws_text(50)).unwrap();
    estimate(&warm, &options);
    let bp = parse_check_graph(&text);
    println!("resources: {}", bp.resources().len());
    println!("estimate: {} resources", estimate(&bp, &options));
    println!(
        "terraform: {} bytes",
        generate(&bp, OutputFormat::Terraform)
    );
    println!("validate: {} findings", validate(&bp, &policies));
}
