//! The plan benchmark's operations, once each, on the 10,000-resource blueprints (or `N` given
//! as the argument), for instruction counts that stay stable on a busy machine. Each operation is
//! its own function, as the criterion bench times it (the result is dropped inside):
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example plan_profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/examples/plan_profile
//! callgrind_annotate --inclusive=yes cg.out | grep plan_profile::
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // profiling harness

use iac_dharma::{CheckedBlueprint, Plan};
use iac_dharma_bench::{synthetic_aws, synthetic_aws_changed};

#[inline(never)]
fn diff_and_waves(a: &CheckedBlueprint, b: &CheckedBlueprint) -> usize {
    let plan = iac_dharma::plan_diff(a, b).unwrap();
    std::hint::black_box(&plan);
    plan.waves.len()
}

#[inline(never)]
fn rollback(plan: &Plan) -> usize {
    let back = plan.rollback().unwrap();
    std::hint::black_box(&back);
    back.waves.len()
}

#[inline(never)]
fn to_json(plan: &Plan) -> usize {
    plan.to_json().len()
}

#[inline(never)]
fn render_text(plan: &Plan) -> usize {
    iac_dharma::render_plan_text(plan).len()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |a| a.parse().expect("a size"));
    let a_doc = synthetic_aws(n);
    let b_doc = synthetic_aws_changed(a_doc.clone());
    let a = iac_dharma::parse(&a_doc.to_string()).unwrap();
    let b = iac_dharma::parse(&b_doc.to_string()).unwrap();
    let waves = diff_and_waves(&a, &b);
    let plan = iac_dharma::plan_diff(&a, &b).unwrap();
    println!(
        "{} instances, {waves} waves, {:?}; rollback {} waves, JSON {} bytes, text {} bytes",
        plan.resource_changes.len(),
        plan.summary,
        rollback(&plan),
        to_json(&plan),
        render_text(&plan)
    );
}
