# AWS audit trail and keys: CloudTrail coverage and integrity, KMS key rotation.
package dharma.aws.logging

import rego.v1

import data.dharma.lib

# --- DHARMA_AWS_TRAIL_001: CloudTrail in one region only --------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_TRAIL_001", "is_multi_region_trail", "the trail records one region only (is_multi_region_trail is not true)") if {
	some rc in lib.by_type.aws_cloudtrail
	not rc.change.after.is_multi_region_trail == true
	not rc.change.after_unknown.is_multi_region_trail == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_TRAIL_001", "is_multi_region_trail") if {
	some rc in lib.by_type.aws_cloudtrail
	rc.change.after_unknown.is_multi_region_trail == true
}

# --- DHARMA_AWS_TRAIL_002: CloudTrail log file validation off ---------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_TRAIL_002", "enable_log_file_validation", "log file integrity validation is off: tampering with delivered logs goes unnoticed") if {
	some rc in lib.by_type.aws_cloudtrail
	not rc.change.after.enable_log_file_validation == true
	not rc.change.after_unknown.enable_log_file_validation == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_TRAIL_002", "enable_log_file_validation") if {
	some rc in lib.by_type.aws_cloudtrail
	rc.change.after_unknown.enable_log_file_validation == true
}

# --- DHARMA_AWS_TRAIL_003: CloudTrail logs not encrypted with KMS ------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_TRAIL_003", "kms_key_id", "the trail's log files are not encrypted with a KMS key (no kms_key_id)") if {
	some rc in lib.by_type.aws_cloudtrail
	not is_string(object.get(rc.change.after, "kms_key_id", null))
	not rc.change.after_unknown.kms_key_id == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_TRAIL_003", "kms_key_id") if {
	some rc in lib.by_type.aws_cloudtrail
	rc.change.after_unknown.kms_key_id == true
}

# --- DHARMA_AWS_KMS_001: KMS key rotation off -------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_KMS_001", "enable_key_rotation", "automatic rotation of the key material is off") if {
	some rc in lib.by_type.aws_kms_key
	object.get(rc.change.after, "customer_master_key_spec", "SYMMETRIC_DEFAULT") in {"SYMMETRIC_DEFAULT", null}
	not rc.change.after.enable_key_rotation == true
	not rc.change.after_unknown.enable_key_rotation == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_KMS_001", "enable_key_rotation") if {
	some rc in lib.by_type.aws_kms_key
	rc.change.after_unknown.enable_key_rotation == true
}
