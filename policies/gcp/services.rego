# Google Kubernetes Engine and Cloud KMS.
package dharma.gcp.services

import rego.v1

import data.dharma.lib

# --- DHARMA_GCP_GKE_001: nodes with public IPs --------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_GKE_001", "private_cluster_config.enable_private_nodes", "cluster nodes get public IP addresses (no private_cluster_config with enable_private_nodes = true)") if {
	some rc in lib.by_type.google_container_cluster
	not lib.first_block(rc, "private_cluster_config").enable_private_nodes == true
	not rc.change.after_unknown.private_cluster_config == true
	not lib.unknown_at(rc, ["private_cluster_config", 0, "enable_private_nodes"])
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_GKE_001", "private_cluster_config.enable_private_nodes") if {
	some rc in lib.by_type.google_container_cluster
	not lib.first_block(rc, "private_cluster_config").enable_private_nodes == true
	lib.unknown_at(rc, ["private_cluster_config", 0, "enable_private_nodes"])
}

# --- DHARMA_GCP_GKE_002: control plane open to every address ------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_GKE_002", "master_authorized_networks_config", "the control plane endpoint accepts connections from any address (no master_authorized_networks_config)") if {
	some rc in lib.by_type.google_container_cluster
	count(lib.block_list(rc, "master_authorized_networks_config")) == 0
	not rc.change.after_unknown.master_authorized_networks_config == true
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_GKE_002", "master_authorized_networks_config") if {
	some rc in lib.by_type.google_container_cluster
	count(lib.block_list(rc, "master_authorized_networks_config")) == 0
	rc.change.after_unknown.master_authorized_networks_config == true
}

# --- DHARMA_GCP_GKE_003: no network policy ------------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_GKE_003", "network_policy.enabled", "network policy enforcement is off: every pod can reach every other pod") if {
	some rc in lib.by_type.google_container_cluster
	not lib.first_block(rc, "network_policy").enabled == true
	not dataplane_v2(rc)
	not rc.change.after_unknown.network_policy == true
	not lib.unknown_at(rc, ["network_policy", 0, "enabled"])
}

# network_policy is Optional+Computed: real plans mark it unknown when the configuration leaves it
# unset, so such a cluster is unknown unless it uses Dataplane V2.
findings contains lib.unknown_finding(rc, "DHARMA_GCP_GKE_003", "network_policy.enabled") if {
	some rc in lib.by_type.google_container_cluster
	not lib.first_block(rc, "network_policy").enabled == true
	not dataplane_v2(rc)
	lib.unknown_at(rc, ["network_policy", 0, "enabled"])
}

# GKE Dataplane V2 enforces network policies without the network_policy block.
dataplane_v2(rc) if rc.change.after.datapath_provider == "ADVANCED_DATAPATH"

# --- DHARMA_GCP_KMS_001: key rotation longer than 90 days ---------------------------------------

max_rotation_seconds := 7776000

seconds(p) := to_number(trim_suffix(p, "s"))

findings contains lib.fail(rc, "DHARMA_GCP_KMS_001", "rotation_period", "the key is never rotated automatically (no rotation_period)") if {
	some rc in lib.by_type.google_kms_crypto_key
	not is_string(object.get(rc.change.after, "rotation_period", null))
	not rc.change.after_unknown.rotation_period == true
	object.get(rc.change.after, "purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_KMS_001", "rotation_period") if {
	some rc in lib.by_type.google_kms_crypto_key
	rc.change.after_unknown.rotation_period == true
	object.get(rc.change.after, "purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
}

findings contains lib.fail(rc, "DHARMA_GCP_KMS_001", "rotation_period", sprintf("the key rotates every %s, more than 90 days (7776000s)", [p])) if {
	some rc in lib.by_type.google_kms_crypto_key
	p := rc.change.after.rotation_period
	is_string(p)
	seconds(p) > max_rotation_seconds
}
