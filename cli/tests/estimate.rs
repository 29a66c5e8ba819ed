//! `dharma estimate` and `dharma cost-diff`: output, exit codes, budgets, usage files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{dharma, write};

const WEB: &str = "name: cost-cli
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_instance
    name: web
    count: 2
    properties: {ami: ami-1, instance_type: t3.micro, root_block_device: {volume_size: 10, volume_type: gp3}}
  - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
  - {type: aws_s3_bucket, name: assets, properties: {bucket: assets-1}}
";

#[test]
fn text_table_lists_line_items_and_total() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "web.yaml", WEB);
    let out = dharma(&["estimate", &bp]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Monthly Qty",
        "aws_instance.web (x2)",
        "Instance usage (Linux, on-demand, t3.micro)",
        "1,460",
        "$15.18",
        "Root volume (gp3)",
        "*d", // the bucket's default usage is marked
        "OVERALL TOTAL",
        "3 resources: 2 priced, 1 free, 0 unpriced",
        "Confidence:",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

#[test]
fn json_output_has_decimal_strings() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "web.yaml", WEB);
    let usage = write(
        dir.path(),
        "usage.yml",
        "resource_usage:\n  assets: {storage_gb: 1000, monthly_put_requests: 0, monthly_get_requests: 0}\n",
    );
    let out = dharma(&["estimate", &bp, "--usage", &usage, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 2 x (0.0104 x 730 + 10 x 0.08) + 1000 x 0.023
    assert_eq!(v["total_monthly"], "39.784");
    assert_eq!(
        v["resources"][2]["line_items"][0]["usage_source"],
        "usage_file"
    );
}

#[test]
fn budget_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "web.yaml", WEB);
    let bp = bp.as_str();
    let over = dharma(&["estimate", bp, "--budget", "10"]);
    assert_eq!(over.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&over.stdout).contains("OVER BUDGET"));
    // A 29th digit is refused, not rounded into another verdict.
    let precise = dharma(&[
        "estimate",
        bp,
        "--budget",
        "17.1039999999999999999999999999",
    ]);
    assert_eq!(precise.status.code(), Some(2));
    // 17.104 over a budget of 17.10: the rounded total is the budget, the overrun not $0.00.
    let just_over = dharma(&["estimate", bp, "--budget", "17.10"]);
    assert_eq!(just_over.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&just_over.stdout)
            .contains("Budget $17.10: OVER BUDGET by less than $0.01"),
        "{}",
        String::from_utf8_lossy(&just_over.stdout)
    );
    let within = dharma(&["estimate", bp, "--budget", "$1,000"]);
    assert_eq!(within.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&within.stdout).contains("headroom"));
    let json = dharma(&["estimate", bp, "--budget", "10", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["budget"]["status"], "over");
    let bad = dharma(&["estimate", bp, "--budget", "cheap"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--budget"));
}

#[test]
fn bad_usage_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "web.yaml", WEB);
    let usage = write(
        dir.path(),
        "usage.yml",
        "resource_usage:\n  assets: {storage_gb: -3}\n",
    );
    let out = dharma(&["estimate", &bp, "--usage", &usage]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("resource_usage.assets.storage_gb"), "{err}");
    assert!(err.contains("invalid_usage"), "{err}");
    let neg = write(
        dir.path(),
        "neg.yaml",
        &WEB.replace(
            "properties: {bucket: assets-1}",
            "properties: {bucket: assets-1}, usage: {storage_gb: many}",
        ),
    );
    let out = dharma(&["estimate", &neg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("resources[2].usage.storage_gb"));
}

#[test]
fn extra_prices_extend_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "web.yaml", WEB);
    let prices = write(
        dir.path(),
        "prices.csv",
        "provider,region,service,sku,unit,price_usd,purchase,source,date\naws,us-east-1,AmazonEC2,ec2/t3.micro,hour,0.005,on_demand,our rate card,2026-11-01\n",
    );
    let out = dharma(&["estimate", &bp, "--prices", &prices, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["resources"][0]["line_items"][0]["unit_price"], "0.005");
    let broken = write(dir.path(), "broken.csv", "provider,region\naws\n");
    let out = dharma(&["estimate", &bp, "--prices", &broken]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cost_diff_shows_per_resource_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.yaml", WEB);
    let new = write(
        dir.path(),
        "new.yaml",
        &WEB.replace("t3.micro", "t3.small")
            .replace("count: 2", "count: 1"),
    );
    let out = dharma(&["cost-diff", &old, &new]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    // old 2 x (7.592 + 0.80) = 16.784; new 15.184 + 0.80 = 15.984
    assert!(text.contains("~ aws_instance.web"), "{text}");
    assert!(text.contains("-$0.80"), "{text}");
    let out = dharma(&["cost-diff", &old, &new, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["delta_monthly"], "-0.8");
    assert_eq!(v["resources"][0]["change"], "changed");
}

#[test]
fn missing_file_is_bad_input() {
    let out = dharma(&["estimate", "/nonexistent/bp.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn usage_file_warnings_name_the_usage_file() {
    let dir = tempfile::tempdir().unwrap();
    let bp = write(dir.path(), "web.yaml", WEB);
    let usage = write(
        dir.path(),
        "usage.yml",
        "resource_usage:\n  assets: {storage_gb: 10, monthly_put_request: 5}\n",
    );
    let out = dharma(&["estimate", &bp, "--usage", &usage]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning[unused_usage]: ")
            && err.contains("usage.yml: resource_usage.assets.monthly_put_request:"),
        "{err}"
    );
    assert!(!err.contains("web.yaml: resource_usage"), "{err}");
}
