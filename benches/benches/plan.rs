//! plan_diff of two synthetic AWS blueprints of ~n resources where 10% of the resources changed
//! (issue target: 10,000 resources diffed and ordered into waves in under 50 ms), plus the plan's
//! rollback, JSON and text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iac_dharma_bench::synthetic_aws;
use serde_json::{json, Value};

/// The synthetic blueprint with one resource in ten changed: subnets get a new CIDR block (a
/// force-new change that cascades replacements to what uses them), instances a new size, volumes
/// a new size, queues are removed, other resources get a changed scalar; plus one new log group
/// per hundred resources.
fn changed(mut doc: Value) -> Value {
    let resources = doc["resources"].as_array_mut().unwrap();
    let mut out = Vec::with_capacity(resources.len() + resources.len() / 100);
    for (i, mut r) in std::mem::take(resources).into_iter().enumerate() {
        if i % 10 != 0 {
            out.push(r);
            continue;
        }
        let ty = r["type"].as_str().unwrap().to_string();
        let p = &mut r["properties"];
        match ty.as_str() {
            "aws_sqs_queue" => continue,
            "aws_subnet" => p["cidr_block"] = json!(format!("10.200.{}.0/24", i % 250)),
            "aws_instance" => p["instance_type"] = json!("m7i.large"),
            "aws_ebs_volume" => p["size"] = json!(200),
            "aws_db_instance" => p["allocated_storage"] = json!(100),
            "aws_cloudwatch_log_group" => p["retention_in_days"] = json!(90),
            "aws_security_group" => p["description"] = json!("Application tier (v2)"),
            "aws_s3_bucket" => p["force_destroy"] = json!(true),
            "aws_iam_role_policy_attachment" => {
                p["policy_arn"] = json!("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")
            }
            "aws_volume_attachment" => p["device_name"] = json!("/dev/sdg"),
            "aws_s3_bucket_versioning" => {
                p["versioning_configuration"] = json!({"status": "Suspended"})
            }
            "aws_s3_bucket_public_access_block" => p["block_public_acls"] = json!(true),
            _ => {
                p.as_object_mut()
                    .unwrap()
                    .insert("tags".into(), json!({"Rev": "2"}));
            }
        }
        out.push(r);
    }
    let n = out.len();
    for k in 0..n / 100 {
        out.push(
            json!({"type": "aws_cloudwatch_log_group", "name": format!("new_logs_{k}"),
                        "properties": {"name": format!("/new/{k}"), "retention_in_days": 14}}),
        );
    }
    doc["resources"] = Value::Array(out);
    doc["version"] = json!("2.0.0");
    doc
}

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_diff");
    group.sample_size(20);
    for n in [1_000usize, 10_000] {
        let a_doc = synthetic_aws(n);
        let b_doc = changed(a_doc.clone());
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
