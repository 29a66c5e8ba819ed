//! Estimating synthetic AWS blueprints (issue target: 10,000 resources in under 20 ms, with
//! the price catalog loaded once).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma::{estimate, EstimateOptions, PriceCatalog};
use iac_dharma_bench::synthetic_aws_text;

fn bench_estimate(c: &mut Criterion) {
    // Load the catalog once, as a long-running service would; every iteration shares it.
    let options = EstimateOptions::new().with_catalog(PriceCatalog::builtin());
    let mut group = c.benchmark_group("estimate");
    group.sample_size(20);
    for n in [1_000usize, 10_000] {
        let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
        // Every synthetic resource type is free or priced: nothing unpriced to skip cheaply.
        let est = estimate(&bp, &options).unwrap();
        assert_eq!(
            est.summary.unpriced,
            0,
            "{:?}",
            est.resources
                .iter()
                .find(|r| r.reason.is_some() && r.status == iac_dharma::PriceStatus::Unpriced)
        );
        assert!(!est.optimizations.is_empty());
        group.throughput(Throughput::Elements(bp.resources().len() as u64));
        group.bench_with_input(BenchmarkId::new("with_optimizations", n), &bp, |b, bp| {
            b.iter(|| estimate(bp, &options).map(|e| e.total_monthly))
        });
    }
    let bp = iac_dharma::parse(&synthetic_aws_text(10_000)).unwrap();
    let mut fast = options.clone();
    fast.skip_optimizations = true;
    group.bench_with_input(
        BenchmarkId::new("without_optimizations", 10_000),
        &bp,
        |b, bp| b.iter(|| estimate(bp, &fast).map(|e| e.total_monthly)),
    );
    group.finish();

    c.bench_function("catalog_parse_builtin_csv", |b| {
        b.iter(|| {
            PriceCatalog::from_csv(include_str!("../../pricing/gcp.csv")).map(|c| c.rows().len())
        })
    });
}

criterion_group!(benches, bench_estimate);
criterion_main!(benches);
