//! Synthetic but realistic blueprints for benchmarks and comparisons.
//!
//! [`synthetic_aws`] builds an AWS blueprint of about `n` resources from repeating "cells" of a
//! web service: a subnet, a security group, instances with EBS volumes, a bucket with its
//! versioning and public-access-block resources, a database with its subnet group, an IAM role
//! with a policy attachment, a log group and a queue — every resource wired to the others by
//! references, one VPC per 20 cells. About one resource in ten is deliberately misconfigured
//! (SSH open to the world, unencrypted volume, public database, IMDSv1, ...), as in real
//! repositories, so policy benchmarks have violations to report. Deterministic: the same `n`
//! gives the same blueprint.

use serde_json::{json, Value};

/// Resources per cell (see the module docs).
pub const CELL_SIZE: usize = 14;

/// A synthetic AWS blueprint with about `n` resources, as a JSON document.
pub fn synthetic_aws(n: usize) -> Value {
    let cells = n.div_ceil(CELL_SIZE).max(1);
    let mut resources = Vec::with_capacity(cells * CELL_SIZE + cells / 20 + 1);
    let azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let sizes = [
        "t3.micro",
        "t3.small",
        "m6i.large",
        "c6i.xlarge",
        "r6i.large",
        "t4g.medium",
    ];
    for c in 0..cells {
        // A misconfiguration in roughly one resource of ten: which kind rotates with the cell.
        let bad = |k: usize| c % 6 == k % 6;
        if c % 20 == 0 {
            resources.push(json!({
                "type": "aws_vpc", "name": format!("vpc_{c}"),
                "properties": {"cidr_block": format!("10.{}.0.0/16", (c / 20) % 256), "enable_dns_hostnames": true, "enable_dns_support": true,
                                "tags": {"Name": format!("vpc-{c}")}}
            }));
        }
        let vpc = format!("vpc_{}", c - c % 20);
        let az = azs[c % azs.len()];
        let size = sizes[c % sizes.len()];
        let cidr = format!("10.{}.{}.0/24", (c / 20) % 256, c % 20 * 8);
        let ssh_from = if bad(0) { "0.0.0.0/0" } else { "10.0.0.0/8" };
        resources.extend([
            json!({"type": "aws_subnet", "name": format!("subnet_{c}"),
                   "properties": {"vpc_id": format!("${{{vpc}.id}}"), "cidr_block": cidr, "availability_zone": az}}),
            json!({"type": "aws_security_group", "name": format!("sg_{c}"),
                   "properties": {"name": format!("app-{c}"), "description": "Application tier", "vpc_id": format!("${{{vpc}.id}}"),
                                  "ingress": [
                                      {"description": "HTTPS", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]},
                                      {"description": "SSH", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": [ssh_from]}],
                                  "egress": [{"description": "All outbound", "from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}]}}),
            json!({"type": "aws_iam_role", "name": format!("role_{c}"),
                   "properties": {"name": format!("app-role-{c}"),
                                  "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}}),
            json!({"type": "aws_iam_role_policy_attachment", "name": format!("role_ssm_{c}"),
                   "properties": {"role": format!("${{role_{c}.name}}"), "policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}}),
            json!({"type": "aws_instance", "name": format!("app_{c}"), "count": 2,
                   "properties": {"ami": "${var.ami_id}", "instance_type": size, "subnet_id": format!("${{subnet_{c}.id}}"),
                                  "vpc_security_group_ids": [format!("${{sg_{c}.id}}")],
                                  "metadata_options": {"http_tokens": if bad(1) { "optional" } else { "required" }},
                                  "root_block_device": {"volume_size": 20, "volume_type": "gp3", "encrypted": true},
                                  "tags": {"Name": format!("app-{c}"), "Tier": "app"}}}),
            json!({"type": "aws_ebs_volume", "name": format!("data_{c}"),
                   "properties": {"availability_zone": az, "size": 100, "type": if bad(2) { "gp2" } else { "gp3" }, "encrypted": !bad(2)}}),
            json!({"type": "aws_volume_attachment", "name": format!("data_attach_{c}"),
                   "properties": {"device_name": "/dev/sdf", "volume_id": format!("${{data_{c}.id}}"), "instance_id": format!("${{app_{c}[0].id}}")}}),
            json!({"type": "aws_s3_bucket", "name": format!("bucket_{c}"),
                   "properties": {"bucket": format!("synthetic-app-data-{c}"), "force_destroy": false}, "usage": {"storage_gb": 250}}),
            json!({"type": "aws_s3_bucket_versioning", "name": format!("bucket_{c}_versioning"),
                   "properties": {"bucket": format!("${{bucket_{c}.id}}"), "versioning_configuration": {"status": "Enabled"}}}),
            json!({"type": "aws_s3_bucket_public_access_block", "name": format!("bucket_{c}_pab"),
                   "properties": {"bucket": format!("${{bucket_{c}.id}}"), "block_public_acls": !bad(3), "block_public_policy": true,
                                  "ignore_public_acls": true, "restrict_public_buckets": true}}),
            json!({"type": "aws_db_subnet_group", "name": format!("db_subnets_{c}"),
                   "properties": {"name": format!("db-subnets-{c}"), "subnet_ids": [format!("${{subnet_{c}.id}}")]}}),
            json!({"type": "aws_db_instance", "name": format!("db_{c}"),
                   "properties": {"identifier": format!("app-db-{c}"), "engine": "postgres", "engine_version": "16.3", "instance_class": "db.t3.large",
                                  "allocated_storage": 50, "storage_type": "gp3", "storage_encrypted": !bad(4), "publicly_accessible": bad(5),
                                  "multi_az": c % 2 == 0, "username": "app", "password": "${var.db_password}",
                                  "db_subnet_group_name": format!("${{db_subnets_{c}.name}}"), "vpc_security_group_ids": [format!("${{sg_{c}.id}}")],
                                  "backup_retention_period": 7, "deletion_protection": true, "skip_final_snapshot": false}}),
            json!({"type": "aws_cloudwatch_log_group", "name": format!("logs_{c}"),
                   "properties": {"name": format!("/app/{c}"), "retention_in_days": 30}}),
            json!({"type": "aws_sqs_queue", "name": format!("queue_{c}"),
                   "properties": {"name": format!("app-queue-{c}"), "sqs_managed_sse_enabled": !bad(0), "visibility_timeout_seconds": 60}}),
        ]);
    }
    json!({
        "name": format!("synthetic-{n}"),
        "version": "1.0.0",
        "provider": "aws",
        "region": "us-east-1",
        "description": format!("Synthetic web service fleet of about {n} resources"),
        "tags": {"Owner": "platform", "Environment": "prod", "CostCenter": "cc-1234"},
        "variables": [
            {"name": "ami_id", "type": "string", "default": "ami-0abcdef1234567890"},
            {"name": "db_password", "type": "string", "sensitive": true}
        ],
        "resources": resources,
    })
}

/// [`synthetic_aws`] as JSON text.
pub fn synthetic_aws_text(n: usize) -> String {
    serde_json::to_string(&synthetic_aws(n)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_blueprints_pass_the_checks() {
        for n in [1, 100, 1000] {
            let text = synthetic_aws_text(n);
            let bp = iac_dharma::parse(&text).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(bp.resources().len() >= n, "{n}: {}", bp.resources().len());
            assert!(
                bp.resources().len() < n + 2 * CELL_SIZE,
                "{n}: {}",
                bp.resources().len()
            );
            assert!(bp.warnings().is_empty(), "{:?}", bp.warnings());
        }
    }
}
