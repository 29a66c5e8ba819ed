//! Generating code for synthetic AWS blueprints (issue target: 10,000 resources in under 100 ms
//! for Terraform HCL and for CloudFormation JSON; 10k vs 1k at most 12x).
//!
//! CloudFormation cannot express `root_block_device` of `aws_instance` (it needs the AMI's root
//! device name), so the CloudFormation and CDK benchmarks run on the same synthetic blueprint with
//! that block written as an `ebs_block_device` with its device name — same size and shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma::{generate, GenerateOptions, OutputFormat};
use iac_dharma_bench::synthetic_for;

fn bench_generate(c: &mut Criterion) {
    let options = GenerateOptions::default();
    for format in [
        OutputFormat::Terraform,
        OutputFormat::TerraformJson,
        OutputFormat::CloudFormation,
        OutputFormat::CloudFormationYaml,
        OutputFormat::CdkTs,
        OutputFormat::PulumiYaml,
        OutputFormat::PulumiTs,
    ] {
        let blueprints: Vec<(usize, iac_dharma::CheckedBlueprint)> = [1_000usize, 10_000]
            .into_iter()
            .map(|n| {
                (
                    n,
                    iac_dharma::parse(&synthetic_for(format, n).to_string()).unwrap(),
                )
            })
            .collect();
        // Warm the embedded templates, schemas and mappings once, as a long-running service would.
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

/// ARM templates for synthetic Azure blueprints.
fn bench_generate_arm(c: &mut Criterion) {
    let options = GenerateOptions::default();
    let blueprints: Vec<(usize, iac_dharma::CheckedBlueprint)> = [1_000usize, 10_000]
        .into_iter()
        .map(|n| {
            let doc = synthetic_for(OutputFormat::Arm, n);
            (n, iac_dharma::parse(&doc.to_string()).unwrap())
        })
        .collect();
    let _ = generate(&blueprints[0].1, OutputFormat::Arm, &options).unwrap();
    let mut group = c.benchmark_group("generate_arm");
    group.sample_size(10);
    for (n, bp) in &blueprints {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), bp, |b, bp| {
            b.iter(|| generate(bp, OutputFormat::Arm, &options).unwrap().len())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_generate, bench_generate_arm);
criterion_main!(benches);
