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

/// What one call in a loop cost, averaged over the loop (see [`loop_cost`]).
#[derive(Debug, Clone, Copy)]
pub struct LoopCost {
    /// CPU time of the calling thread, in ms.
    pub cpu_ms: f64,
    /// Wall-clock time, in ms.
    pub wall_ms: f64,
    /// Minor page faults: fresh memory the kernel had to map, a cost of a large working set
    /// that callgrind's instruction counts do not show.
    pub minor_faults: f64,
}

/// Runs `f` three times to warm up, then `iters` times, and returns the cost of one call
/// (the result is dropped inside the loop, as criterion does). Linux only: the counters come
/// from `/proc/thread-self`.
///
/// # Panics
/// When `/proc/thread-self` cannot be read (not Linux): this is profiling code.
pub fn loop_cost(iters: usize, mut f: impl FnMut() -> usize) -> LoopCost {
    for _ in 0..3 {
        std::hint::black_box(f());
    }
    let (f0, c0) = thread_counters();
    let t0 = std::time::Instant::now();
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    let wall = t0.elapsed().as_secs_f64() * 1e3;
    let (f1, c1) = thread_counters();
    let per_call = iters.max(1) as f64;
    LoopCost {
        cpu_ms: c1.saturating_sub(c0) as f64 / 1e6 / per_call,
        wall_ms: wall / per_call,
        minor_faults: f1.saturating_sub(f0) as f64 / per_call,
    }
}

/// (minor page faults, CPU time of this thread in ns) so far.
#[allow(clippy::unwrap_used, clippy::expect_used)] // profiling code: see `loop_cost`
fn thread_counters() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("/proc/thread-self/stat");
    // Fields after the parenthesized command name: state is field 3, minflt field 10.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let minflt: u64 = rest.split(' ').nth(7).unwrap().parse().unwrap();
    let sched = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    let cpu: u64 = sched.split(' ').next().unwrap().parse().unwrap();
    (minflt, cpu)
}

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

/// Resources per cell of [`synthetic_azure`].
pub const AZURE_CELL_SIZE: usize = 12;

/// A synthetic Azure blueprint with about `n` resources, as a JSON document: one resource group,
/// a virtual network per 20 cells, and cells of an application tier — a subnet with its NSG, a
/// rule and the association, a NIC, a Linux VM with a system identity, a managed data disk and
/// its attachment, a storage account with a container, a Key Vault and a role assignment giving
/// the VM's identity read access to the vault's secrets. References wire them together; about
/// one resource in ten is misconfigured (SSH open to the internet, public blob access, a vault
/// without purge protection). Deterministic.
pub fn synthetic_azure(n: usize) -> Value {
    let cells = n.saturating_sub(1).div_ceil(AZURE_CELL_SIZE).max(1);
    let mut resources = Vec::with_capacity(cells * AZURE_CELL_SIZE + cells / 20 + 2);
    resources.push(json!({"type": "azurerm_resource_group", "name": "rg",
        "properties": {"name": "rg-synthetic", "location": "westeurope"}}));
    let sizes = [
        "Standard_B2s",
        "Standard_D2s_v5",
        "Standard_D4s_v5",
        "Standard_E2s_v5",
    ];
    for c in 0..cells {
        let bad = |k: usize| c % 6 == k % 6;
        if c % 20 == 0 {
            resources.push(json!({"type": "azurerm_virtual_network", "name": format!("vnet_{c}"),
                "properties": {"name": format!("vnet-{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}",
                               "address_space": [format!("10.{}.0.0/16", (c / 20) % 256)]}}));
        }
        let vnet = format!("vnet_{}", c - c % 20);
        let ssh_from = if bad(0) { "Internet" } else { "10.0.0.0/8" };
        resources.extend([
            json!({"type": "azurerm_subnet", "name": format!("subnet_{c}"),
                   "properties": {"name": format!("snet-{c}"), "resource_group_name": "${rg.name}", "virtual_network_name": format!("${{{vnet}.name}}"),
                                  "address_prefixes": [format!("10.{}.{}.0/24", (c / 20) % 256, c % 20 * 8)], "default_outbound_access_enabled": false}}),
            json!({"type": "azurerm_network_security_group", "name": format!("nsg_{c}"),
                   "properties": {"name": format!("nsg-{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}"}}),
            json!({"type": "azurerm_network_security_rule", "name": format!("nsg_{c}_ssh"),
                   "properties": {"name": "AllowSsh", "network_security_group_name": format!("${{nsg_{c}.name}}"), "resource_group_name": "${rg.name}",
                                  "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                                  "source_address_prefix": ssh_from, "source_port_range": "*", "destination_address_prefix": "*", "destination_port_range": "22"}}),
            json!({"type": "azurerm_subnet_network_security_group_association", "name": format!("subnet_{c}_nsg"),
                   "properties": {"subnet_id": format!("${{subnet_{c}.id}}"), "network_security_group_id": format!("${{nsg_{c}.id}}")}}),
            json!({"type": "azurerm_network_interface", "name": format!("nic_{c}"),
                   "properties": {"name": format!("nic-{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}",
                                  "ip_configuration": [{"name": "primary", "subnet_id": format!("${{subnet_{c}.id}}"), "private_ip_address_allocation": "Dynamic"}]}}),
            json!({"type": "azurerm_linux_virtual_machine", "name": format!("vm_{c}"),
                   "properties": {"name": format!("vm-{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}",
                                  "size": sizes[c % sizes.len()], "admin_username": "azureuser", "network_interface_ids": [format!("${{nic_{c}.id}}")],
                                  "admin_ssh_key": [{"username": "azureuser", "public_key": "${var.ssh_public_key}"}],
                                  "os_disk": {"caching": "ReadWrite", "storage_account_type": "Premium_LRS"},
                                  "source_image_reference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                                  "identity": {"type": "SystemAssigned"}, "tags": {"Tier": "app"}}}),
            json!({"type": "azurerm_managed_disk", "name": format!("disk_{c}"),
                   "properties": {"name": format!("disk-{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}",
                                  "storage_account_type": "Premium_LRS", "create_option": "Empty", "disk_size_gb": 128}}),
            json!({"type": "azurerm_virtual_machine_data_disk_attachment", "name": format!("disk_{c}_attach"),
                   "properties": {"managed_disk_id": format!("${{disk_{c}.id}}"), "virtual_machine_id": format!("${{vm_{c}.id}}"), "lun": 0, "caching": "ReadOnly"}}),
            json!({"type": "azurerm_storage_account", "name": format!("st_{c}"),
                   "properties": {"name": format!("stsynthetic{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}",
                                  "account_tier": "Standard", "account_replication_type": "ZRS", "min_tls_version": "TLS1_2",
                                  "allow_nested_items_to_be_public": bad(1)}, "usage": {"storage_gb": 100}}),
            json!({"type": "azurerm_storage_container", "name": format!("st_{c}_data"),
                   "properties": {"name": "data", "storage_account_id": format!("${{st_{c}.id}}"), "container_access_type": "private"}}),
            json!({"type": "azurerm_key_vault", "name": format!("kv_{c}"),
                   "properties": {"name": format!("kv-synthetic-{c}"), "location": "${rg.location}", "resource_group_name": "${rg.name}",
                                  "tenant_id": "${var.tenant_id}", "sku_name": "standard", "rbac_authorization_enabled": true,
                                  "purge_protection_enabled": !bad(2), "soft_delete_retention_days": 90}}),
            json!({"type": "azurerm_role_assignment", "name": format!("vm_{c}_kv"),
                   "properties": {"scope": format!("${{kv_{c}.id}}"), "role_definition_name": "Key Vault Secrets User",
                                  "principal_id": format!("${{vm_{c}.identity[0].principal_id}}"), "principal_type": "ServicePrincipal"}}),
        ]);
    }
    json!({
        "name": format!("synthetic-azure-{n}"),
        "version": "1.0.0",
        "provider": "azure",
        "region": "westeurope",
        "description": format!("Synthetic Azure application fleet of about {n} resources"),
        "tags": {"Owner": "platform", "Environment": "prod", "CostCenter": "cc-1234"},
        "variables": [
            {"name": "ssh_public_key", "type": "string", "description": "SSH public key of the VM admins"},
            {"name": "tenant_id", "type": "string"}
        ],
        "resources": resources,
    })
}

/// The synthetic blueprint of about `n` resources the generate benches use for `format`: the
/// Azure one for ARM, the AWS one made [`cloudformation_expressible`] for the AWS-only formats
/// (CloudFormation, CDK), the AWS one otherwise.
pub fn synthetic_for(format: iac_dharma::OutputFormat, n: usize) -> Value {
    if format == iac_dharma::OutputFormat::Arm {
        synthetic_azure(n)
    } else if !format.supports(iac_dharma::Provider::Azure) {
        cloudformation_expressible(synthetic_aws(n))
    } else {
        synthetic_aws(n)
    }
}

/// [`synthetic_aws`] made expressible in CloudFormation and CDK: each instance's
/// `root_block_device` (CloudFormation needs the AMI's root device name for it) written as an
/// `ebs_block_device` on `/dev/xvda` — same size and shape, for the generate benches.
pub fn cloudformation_expressible(mut bp: Value) -> Value {
    for r in bp["resources"].as_array_mut().into_iter().flatten() {
        if r["type"] == "aws_instance" {
            if let Some(props) = r["properties"].as_object_mut() {
                if let Some(mut root) = props.remove("root_block_device") {
                    root["device_name"] = json!("/dev/xvda");
                    props.insert("ebs_block_device".into(), json!([root]));
                }
            }
        }
    }
    bp
}

/// [`synthetic_aws`] changed as a new version would change it, for plan benchmarks: one resource
/// in ten changes — subnets get a new CIDR block (a force-new change that cascades replacements
/// to what uses them), instances a new size, volumes a new size, queues are removed, other
/// resources a changed scalar — plus one new log group per hundred resources, and version 2.0.0.
pub fn synthetic_aws_changed(mut doc: Value) -> Value {
    let Some(resources) = doc.get_mut("resources").and_then(Value::as_array_mut) else {
        return doc;
    };
    let mut out = Vec::with_capacity(resources.len() + resources.len() / 100);
    for (i, mut r) in std::mem::take(resources).into_iter().enumerate() {
        if i % 10 != 0 {
            out.push(r);
            continue;
        }
        let ty = r["type"].as_str().unwrap_or_default().to_string();
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
            _ => p["tags"] = json!({"Rev": "2"}),
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

    #[test]
    fn synthetic_azure_blueprints_pass_the_checks() {
        for n in [1, 100, 1000] {
            let text = synthetic_azure(n).to_string();
            let bp = iac_dharma::parse(&text).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(bp.resources().len() >= n, "{n}: {}", bp.resources().len());
            assert!(
                bp.resources().len() < n + 2 * AZURE_CELL_SIZE,
                "{n}: {}",
                bp.resources().len()
            );
            assert!(bp.warnings().is_empty(), "{:?}", bp.warnings());
        }
    }
}
