# AWS services: load balancer listeners, queues and topics, EKS control planes.
package dharma.aws.services

import rego.v1

import data.dharma.lib

listener_types := ["aws_lb_listener", "aws_alb_listener"]

# --- DHARMA_AWS_LB_001: plain HTTP listener without a redirect to HTTPS -----------------------

redirects_to_https(rc) if {
	some a in lib.block_list(rc, "default_action")
	a.type == "redirect"
	some r in lib.blocks(object.get(a, "redirect", []))
	upper(object.get(r, "protocol", "")) == "HTTPS"
}

findings contains lib.fail(rc, "DHARMA_AWS_LB_001", "protocol", "the listener serves plain HTTP and does not redirect to HTTPS") if {
	some t in listener_types
	some rc in lib.by_type[t]
	rc.change.after.protocol == "HTTP"
	not redirects_to_https(rc)
	not rc.change.after_unknown.default_action == true
}

# The protocol is only known after apply and the listener does not redirect to HTTPS, or it serves
# HTTP and its default action is only known after apply.
findings contains lib.unknown_finding(rc, "DHARMA_AWS_LB_001", "protocol") if {
	some t in listener_types
	some rc in lib.by_type[t]
	rc.change.after_unknown.protocol == true
	not redirects_to_https(rc)
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_LB_001", "default_action") if {
	some t in listener_types
	some rc in lib.by_type[t]
	rc.change.after.protocol == "HTTP"
	not redirects_to_https(rc)
	rc.change.after_unknown.default_action == true
}

# --- DHARMA_AWS_LB_002: TLS policy allows TLS 1.0/1.1 -----------------------------------------

# Predefined ELB security policies that only negotiate TLS 1.2 or newer.
modern_policy(p) if contains(p, "TLS13")

modern_policy(p) if contains(p, "TLS-1-2")

modern_policy(p) if contains(p, "FS-1-2")

findings contains lib.fail(rc, "DHARMA_AWS_LB_002", "ssl_policy", sprintf("the TLS policy %q still accepts TLS 1.0/1.1", [policy])) if {
	some t in listener_types
	some rc in lib.by_type[t]
	rc.change.after.protocol in {"HTTPS", "TLS"}
	not rc.change.after_unknown.ssl_policy == true
	policy := object.get(rc.change.after, "ssl_policy", "ELBSecurityPolicy-2016-08")
	is_string(policy)
	not modern_policy(policy)
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_LB_002", "ssl_policy") if {
	some t in listener_types
	some rc in lib.by_type[t]
	rc.change.after.protocol in {"HTTPS", "TLS"}
	rc.change.after_unknown.ssl_policy == true
}

# The protocol is only known after apply (it may be HTTPS or TLS) and the TLS policy is not known
# to be a TLS 1.2+ one: undecided.
findings contains lib.unknown_finding(rc, "DHARMA_AWS_LB_002", "protocol") if {
	some t in listener_types
	some rc in lib.by_type[t]
	rc.change.after_unknown.protocol == true
	not modern_policy(object.get(rc.change.after, "ssl_policy", "ELBSecurityPolicy-2016-08"))
}

# --- DHARMA_AWS_SQS_001: queue not encrypted ---------------------------------------------------

# Without either argument AWS applies SSE-SQS to new queues (default since 2022-10).
findings contains lib.fail(rc, "DHARMA_AWS_SQS_001", "sqs_managed_sse_enabled", "the queue is not encrypted at rest (sqs_managed_sse_enabled = false and no kms_master_key_id)") if {
	some rc in lib.by_type.aws_sqs_queue
	rc.change.after.sqs_managed_sse_enabled == false
	not is_string(object.get(rc.change.after, "kms_master_key_id", null))
	not rc.change.after_unknown.kms_master_key_id == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_SQS_001", "sqs_managed_sse_enabled") if {
	some rc in lib.by_type.aws_sqs_queue
	rc.change.after_unknown.sqs_managed_sse_enabled == true
	not is_string(object.get(rc.change.after, "kms_master_key_id", null))
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_SQS_001", "kms_master_key_id") if {
	some rc in lib.by_type.aws_sqs_queue
	rc.change.after.sqs_managed_sse_enabled == false
	rc.change.after_unknown.kms_master_key_id == true
}

# --- DHARMA_AWS_SNS_001: topic not encrypted ---------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_SNS_001", "kms_master_key_id", "the topic is not encrypted at rest (no kms_master_key_id)") if {
	some rc in lib.by_type.aws_sns_topic
	not is_string(object.get(rc.change.after, "kms_master_key_id", null))
	not rc.change.after_unknown.kms_master_key_id == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_SNS_001", "kms_master_key_id") if {
	some rc in lib.by_type.aws_sns_topic
	rc.change.after_unknown.kms_master_key_id == true
}

# --- DHARMA_AWS_EKS_001: public API endpoint open to the world --------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_EKS_001", "vpc_config.public_access_cidrs", "the Kubernetes API endpoint is public and accepts connections from anywhere") if {
	some rc in lib.by_type.aws_eks_cluster
	vpc := lib.first_block(rc, "vpc_config")
	object.get(vpc, "endpoint_public_access", true) == true
	not lib.unknown_at(rc, ["vpc_config", 0, "endpoint_public_access"])
	not lib.unknown_at(rc, ["vpc_config", 0, "public_access_cidrs"])
	cidrs := object.get(vpc, "public_access_cidrs", ["0.0.0.0/0"])
	open_cidrs(cidrs)
}

open_cidrs(cidrs) if count(lib.list(cidrs)) == 0

open_cidrs(cidrs) if {
	some c in lib.list(cidrs)
	lib.is_world(c)
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_EKS_001", "vpc_config.endpoint_public_access") if {
	some rc in lib.by_type.aws_eks_cluster
	lib.unknown_at(rc, ["vpc_config", 0, "endpoint_public_access"])
	not lib.unknown_at(rc, ["vpc_config", 0, "public_access_cidrs"])
	open_cidrs(object.get(lib.first_block(rc, "vpc_config"), "public_access_cidrs", ["0.0.0.0/0"]))
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_EKS_001", "vpc_config.public_access_cidrs") if {
	some rc in lib.by_type.aws_eks_cluster
	lib.unknown_at(rc, ["vpc_config", 0, "public_access_cidrs"])
}

# --- DHARMA_AWS_EKS_002: Kubernetes secrets not encrypted with KMS ----------------------------

findings contains lib.fail(rc, "DHARMA_AWS_EKS_002", "encryption_config", "Kubernetes secrets are not envelope-encrypted with a KMS key (no encryption_config)") if {
	some rc in lib.by_type.aws_eks_cluster
	count(lib.block_list(rc, "encryption_config")) == 0
	not rc.change.after_unknown.encryption_config == true
}

# The whole encryption_config is only known after apply (a dynamic block over an unknown value):
# whether the cluster has one is undecided. A known block with unknown contents is a block.
findings contains lib.unknown_finding(rc, "DHARMA_AWS_EKS_002", "encryption_config") if {
	some rc in lib.by_type.aws_eks_cluster
	count(lib.block_list(rc, "encryption_config")) == 0
	rc.change.after_unknown.encryption_config == true
}
