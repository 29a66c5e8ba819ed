//! Generating code for synthetic AWS blueprints (issue target: 10,000 resources in under 100 ms
//! for Terraform HCL and for CloudFormation JSON; 10k vs 1k at most 12x).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma::{generate, GenerateOptions, OutputFormat};
use iac_dharma_bench::synthetic_aws_text;

fn bench_generate(c: &mut Criterion) {
    let options = GenerateOptions::default();
    let blueprints: Vec<(usize, iac_dharma::CheckedBlueprint)> = [1_000usize, 10_000]
        .into_iter()
        .map(|n| (n, iac_dharma::parse(&synthetic_aws_text(n)).unwrap()))
        .collect();
    for format in [OutputFormat::Terraform, OutputFormat::TerraformJson] {
        // Warm the embedded templates and schemas once, as a long-running service would.
        let _ = generate(&blueprints[0].1, format, &options).unwrap();
        let mut group =
            c.benchmark_group(format!("generate_{}", format.as_str().replace('-', "_")));
        group.sample_size(10);
        for (n, bp) in &blueprints {
            group.throughput(Throughput::Elements(*n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), bp, |b, bp| {
                b.iter(|| generate(bp, format, &options).unwrap().len())
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
