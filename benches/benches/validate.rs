//! `validate` of synthetic AWS blueprints (about 10% of resources misconfigured) against the
//! whole built-in catalog, with the policy set compiled once and reused (issue targets: 10,000
//! resources under 250 ms, 1,000 under 30 ms); and the same on the rendered plan JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma::policy::{plan_input, validate, validate_plan, PolicySet, ValidateOptions};
use iac_dharma_bench::synthetic_aws_text;

/// Thread CPU time, as a criterion measurement (formatted like wall time).
struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = cpu_time::ThreadTime;
    type Value = std::time::Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        *v1 + *v2
    }
    fn zero(&self) -> Self::Value {
        std::time::Duration::ZERO
    }
    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}

/// The blueprint validation in thread CPU time.
fn bench_validate_cpu(c: &mut Criterion<ThreadCpu>) {
    let policies = PolicySet::builtin().unwrap();
    let options = ValidateOptions::default();
    let mut group = c.benchmark_group("validate_blueprint_cpu");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(n), &bp, |b, bp| {
            b.iter(|| validate(bp, &policies, &options).map(|r| r.findings.len()))
        });
    }
    group.finish();
}

fn bench_validate(c: &mut Criterion) {
    let policies = PolicySet::builtin().unwrap();
    let options = ValidateOptions::default();

    let mut group = c.benchmark_group("validate_blueprint");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
        let report = validate(&bp, &policies, &options).unwrap();
        assert!(
            report.counts.failed() > 0,
            "the synthetic fleet has violations"
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &bp, |b, bp| {
            b.iter(|| validate(bp, &policies, &options).map(|r| r.findings.len()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("validate_plan_json");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let bp = iac_dharma::parse(&synthetic_aws_text(n)).unwrap();
        let text = serde_json::to_string(&plan_input(&bp, &options)).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let plan = iac_dharma::TerraformPlan::parse(text).unwrap();
                validate_plan(&plan, &policies, &options).map(|r| r.findings.len())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("policy_set_build");
    group.sample_size(10);
    group.bench_function("builtin_with_settings", |b| {
        b.iter(|| {
            PolicySet::builder()
                .settings(serde_json::json!({"required_tags": ["Owner"]}))
                .build()
                .map(|p| p.checks().len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_validate);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench_validate_cpu
}
criterion_main!(benches, cpu);
