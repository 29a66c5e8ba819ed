# Google Compute Engine instances: external IPs, service accounts, SSH keys, IP forwarding.
package dharma.gcp.compute

import rego.v1

import data.dharma.lib

# --- DHARMA_GCP_VM_001: external IP -------------------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_VM_001", sprintf("network_interface[%d].access_config", [i]), "the instance has an external IP address (an access_config block)") if {
	some rc in lib.by_type.google_compute_instance
	some i, nic in lib.block_list(rc, "network_interface")
	count(lib.blocks(object.get(nic, "access_config", []))) > 0
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_VM_001", sprintf("network_interface[%d].access_config", [i])) if {
	some rc in lib.by_type.google_compute_instance
	rc.change.after_unknown.network_interface
	some i, nic in lib.block_list(rc, "network_interface")
	count(lib.blocks(object.get(nic, "access_config", []))) == 0
	lib.unknown_at(rc, ["network_interface", i, "access_config"])
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_VM_001", "network_interface") if {
	some rc in lib.by_type.google_compute_instance
	rc.change.after_unknown.network_interface == true
}

# --- DHARMA_GCP_VM_002: default service account with full API scope ----------------------------

default_account(sa) if endswith(object.get(sa, "email", ""), "-compute@developer.gserviceaccount.com")

default_account(sa) if object.get(sa, "email", null) in {null, "", "default"}

findings contains lib.fail(rc, "DHARMA_GCP_VM_002", "service_account.scopes", "the instance runs as the default compute service account with the cloud-platform scope (full access to every API the project allows)") if {
	some rc in lib.by_type.google_compute_instance
	some sa in lib.block_list(rc, "service_account")
	default_account(sa)
	not lib.unknown_at(rc, ["service_account", 0, "email"])
	some s in lib.list(object.get(sa, "scopes", []))
	s in {"cloud-platform", "https://www.googleapis.com/auth/cloud-platform"}
}

full_scopes := {"cloud-platform", "https://www.googleapis.com/auth/cloud-platform"}

# The account or the scopes are only known after apply, and the other does not rule the finding out.
findings contains lib.unknown_finding(rc, "DHARMA_GCP_VM_002", "service_account.scopes") if {
	some rc in lib.by_type.google_compute_instance
	rc.change.after_unknown.service_account
	some i, sa in lib.block_list(rc, "service_account")
	some key in ["email", "scopes"]
	lib.unknown_at(rc, ["service_account", i, key])
	may_be_default_account(rc, i, sa)
	may_have_full_scope(rc, i, sa)
	not known_full_default(rc, i, sa)
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_VM_002", "service_account") if {
	some rc in lib.by_type.google_compute_instance
	rc.change.after_unknown.service_account == true
}

may_be_default_account(rc, i, _) if lib.unknown_at(rc, ["service_account", i, "email"])

may_be_default_account(_, _, sa) if default_account(sa)

may_have_full_scope(rc, i, _) if lib.unknown_at(rc, ["service_account", i, "scopes"])

may_have_full_scope(_, _, sa) if {
	some s in lib.list(object.get(sa, "scopes", []))
	s in full_scopes
}

known_full_default(rc, i, sa) if {
	not lib.unknown_at(rc, ["service_account", i, "email"])
	default_account(sa)
	some s in lib.list(object.get(sa, "scopes", []))
	s in full_scopes
}

# --- DHARMA_GCP_VM_003: project-wide SSH keys allowed -------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_VM_003", "metadata.block-project-ssh-keys", "project-wide SSH keys can log in to this instance (metadata block-project-ssh-keys is not true)") if {
	some rc in lib.by_type.google_compute_instance
	not lower(format(object.get(object.get(rc.change.after, "metadata", {}), "block-project-ssh-keys", false))) == "true"
	not rc.change.after_unknown.metadata == true
	not lib.unknown_at(rc, ["metadata", "block-project-ssh-keys"])
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_VM_003", "metadata.block-project-ssh-keys") if {
	some rc in lib.by_type.google_compute_instance
	not lower(format(object.get(object.get(rc.change.after, "metadata", {}), "block-project-ssh-keys", false))) == "true"
	lib.unknown_at(rc, ["metadata", "block-project-ssh-keys"])
}

format(x) := x if is_string(x)

format(x) := sprintf("%v", [x]) if not is_string(x)

# --- DHARMA_GCP_VM_004: IP forwarding -----------------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_VM_004", "can_ip_forward", "the instance may forward packets it did not originate (can_ip_forward = true)") if {
	some rc in lib.by_type.google_compute_instance
	rc.change.after.can_ip_forward == true
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_VM_004", "can_ip_forward") if {
	some rc in lib.by_type.google_compute_instance
	rc.change.after_unknown.can_ip_forward == true
}
