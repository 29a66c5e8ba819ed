//! Parse + check + dependency graph of synthetic blueprints (issue target: 10,000 resources in
//! under 50 ms).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma_bench::synthetic_aws_text;

fn bench_parse_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_check_graph");
    group.sample_size(20);
    // Warm the embedded schema and catalog once, as a long-running service would.
    let _ = iac_dharma::parse(&synthetic_aws_text(10));
    for n in [100usize, 1_000, 10_000] {
        let text = synthetic_aws_text(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| iac_dharma::parse(text).map(|bp| bp.graph().waves().len()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("check_only");
    group.sample_size(20);
    for n in [1_000usize, 10_000] {
        let doc =
            iac_dharma::Blueprint::from_json(&synthetic_aws_text(n)).map_err(|e| e.to_string());
        let Ok(doc) = doc else { continue };
        group.bench_with_input(BenchmarkId::from_parameter(n), &doc, |b, doc| {
            b.iter(|| doc.check().map(|bp| bp.resources().len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse_check);
criterion_main!(benches);
