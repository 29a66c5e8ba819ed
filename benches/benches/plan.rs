//! plan_diff of two synthetic AWS blueprints of ~n resources where 10% of the resources changed
//! ([`synthetic_aws_changed`])
//! (issue target: 10,000 resources diffed and ordered into waves in under 50 ms), plus the plan's
//! rollback, JSON and text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma_bench::{synthetic_aws, synthetic_aws_changed};

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_diff");
    group.sample_size(20);
    for n in [1_000usize, 10_000] {
        let a_doc = synthetic_aws(n);
        let b_doc = synthetic_aws_changed(a_doc.clone());
        let a = iac_dharma::parse(&a_doc.to_string()).unwrap();
        let b = iac_dharma::parse(&b_doc.to_string())
            .unwrap_or_else(|e| panic!("changed blueprint: {e}"));
        let plan = iac_dharma::plan_diff(&a, &b).unwrap();
        eprintln!(
            "{n}: {} instances, summary {:?}, {} waves",
            plan.resource_changes.len(),
            plan.summary,
            plan.waves.len()
        );
        group.throughput(Throughput::Elements(a.resources().len() as u64));
        group.bench_with_input(
            BenchmarkId::new("diff_and_waves", n),
            &(&a, &b),
            |bench, (a, b)| bench.iter(|| iac_dharma::plan_diff(a, b).map(|p| p.waves.len())),
        );
        group.bench_with_input(BenchmarkId::new("rollback", n), &plan, |bench, plan| {
            bench.iter(|| plan.rollback().map(|p| p.waves.len()))
        });
        group.bench_with_input(BenchmarkId::new("to_json", n), &plan, |bench, plan| {
            bench.iter(|| plan.to_json().len())
        });
        group.bench_with_input(BenchmarkId::new("render_text", n), &plan, |bench, plan| {
            bench.iter(|| iac_dharma::render_plan_text(plan).len())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
