# Google Cloud Storage: public IAM bindings, uniform bucket-level access.
package dharma.gcp.storage

import rego.v1

import data.dharma.lib

public_members := {"allUsers", "allAuthenticatedUsers"}

# --- DHARMA_GCP_GCS_001: bucket readable by everyone --------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_GCS_001", "member", sprintf("the bucket grants %s to %s", [rc.change.after.role, m])) if {
	some rc in lib.by_type.google_storage_bucket_iam_member
	m := rc.change.after.member
	public_members[m]
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_GCS_001", "member") if {
	some rc in lib.by_type.google_storage_bucket_iam_member
	rc.change.after_unknown.member == true
}

findings contains lib.fail(rc, "DHARMA_GCP_GCS_001", sprintf("members[%d]", [i]), sprintf("the bucket grants %s to %s", [rc.change.after.role, m])) if {
	some rc in lib.by_type.google_storage_bucket_iam_binding
	some i, m in lib.list(rc.change.after.members)
	public_members[m]
}

# Members only known after apply, unless a known member already grants public access.
findings contains lib.unknown_finding(rc, "DHARMA_GCP_GCS_001", "members") if {
	some rc in lib.by_type.google_storage_bucket_iam_binding
	rc.change.after_unknown.members
	lib.unknown_at(rc, ["members"])
	not some_public(rc)
}

some_public(rc) if {
	some m in lib.list(rc.change.after.members)
	public_members[m]
}

# --- DHARMA_GCP_GCS_002: no uniform bucket-level access -----------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_GCS_002", "uniform_bucket_level_access", "uniform bucket-level access is off: object ACLs can grant access around IAM") if {
	some rc in lib.by_type.google_storage_bucket
	not rc.change.after.uniform_bucket_level_access == true
	not rc.change.after_unknown.uniform_bucket_level_access == true
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_GCS_002", "uniform_bucket_level_access") if {
	some rc in lib.by_type.google_storage_bucket
	rc.change.after_unknown.uniform_bucket_level_access == true
}
