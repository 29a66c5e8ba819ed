# AWS compute: EBS encryption, instance metadata service v2, public IPs, instance generations.
package dharma.aws.compute

import rego.v1

import data.dharma.lib

# Encryption by default for the account and region turns on encryption of every new volume.
account_default_encryption if {
	some e in lib.by_type.aws_ebs_encryption_by_default
	object.get(e.change.after, "enabled", true) == true
}

# --- DHARMA_AWS_EC2_001: EBS volume not encrypted --------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_EC2_001", "encrypted", "the EBS volume is not encrypted") if {
	not account_default_encryption
	some rc in lib.by_type.aws_ebs_volume
	not rc.change.after.encrypted == true
	not rc.change.after_unknown.encrypted == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_EC2_001", "encrypted") if {
	not account_default_encryption
	some rc in lib.by_type.aws_ebs_volume
	rc.change.after_unknown.encrypted == true
}

# --- DHARMA_AWS_EC2_002: instance block devices not encrypted --------------------------------

device_keys := ["root_block_device", "ebs_block_device"]

findings contains lib.fail(rc, "DHARMA_AWS_EC2_002", "root_block_device", "the root volume is not encrypted (no root_block_device with encrypted = true)") if {
	not account_default_encryption
	some rc in lib.by_type.aws_instance
	not rc.change.after_unknown.root_block_device == true
	# A non-empty list of blocks has an element 0: the common case stops here, without a call.
	not rc.change.after.root_block_device[0]
	count(lib.block_list(rc, "root_block_device")) == 0
}

findings contains lib.fail(rc, "DHARMA_AWS_EC2_002", sprintf("%s[%d].encrypted", [key, i]), "the block device is not encrypted") if {
	not account_default_encryption
	some rc in lib.by_type.aws_instance
	some key in device_keys
	some i, d in device_blocks(rc, key)
	not d.encrypted == true
	not device_unknown(rc, key, i)
}

# The blocks under `key`, as lib.block_list reads them; a non-empty list (the usual shape) is
# returned as it is, without calling the helper.
device_blocks(rc, key) := blocks if {
	blocks := rc.change.after[key]
	blocks[0]
} else := lib.block_list(rc, key) if {
	rc.change.after[key]
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_EC2_002", sprintf("%s[%d].encrypted", [key, i])) if {
	not account_default_encryption
	some rc in lib.by_type.aws_instance
	some key in device_keys
	rc.change.after_unknown[key]
	some i, _ in lib.block_list(rc, key)
	device_unknown(rc, key, i)
}

# The whole root_block_device list is only known after apply (a real plan marks it so when the
# configuration leaves it unset): whether the root volume is encrypted is undecided.
findings contains lib.unknown_finding(rc, "DHARMA_AWS_EC2_002", "root_block_device") if {
	not account_default_encryption
	some rc in lib.by_type.aws_instance
	rc.change.after_unknown.root_block_device == true
}

device_unknown(rc, key, i) if {
	rc.change.after_unknown[key]
	lib.unknown_at(rc, [key, i, "encrypted"])
}

# --- DHARMA_AWS_EC2_003: IMDSv2 not required -------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_EC2_003", "metadata_options.http_tokens", sprintf("the instance metadata service accepts IMDSv1 requests (http_tokens = %q)", [tokens])) if {
	some t in ["aws_instance", "aws_launch_template"]
	some rc in lib.by_type[t]
	md := lib.first_block(rc, "metadata_options")
	not md.http_endpoint == "disabled"
	tokens := object.get(md, "http_tokens", "optional")
	tokens != "required"
	not unknown_tokens[rc.address]
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_EC2_003", "metadata_options.http_tokens") if {
	some t in ["aws_instance", "aws_launch_template"]
	some rc in lib.by_type[t]
	unknown_tokens[rc.address]
}

# Instances and launch templates (by address) whose http_tokens is only known after apply.
unknown_tokens contains rc.address if {
	some t in ["aws_instance", "aws_launch_template"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.metadata_options
	lib.unknown_at(rc, ["metadata_options", 0, "http_tokens"])
}

unknown_tokens contains rc.address if {
	some t in ["aws_instance", "aws_launch_template"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.metadata_options == true
}

# --- DHARMA_AWS_EC2_004: instance with a public IP -------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_EC2_004", "associate_public_ip_address", "the instance gets a public IP address") if {
	some rc in lib.by_type.aws_instance
	rc.change.after.associate_public_ip_address == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_EC2_004", "associate_public_ip_address") if {
	some rc in lib.by_type.aws_instance
	rc.change.after_unknown.associate_public_ip_address == true
}

# --- DHARMA_AWS_EC2_005: previous-generation instance family ---------------------------------

sized_types := {
	"aws_instance": "instance_type",
	"aws_launch_template": "instance_type",
	"aws_db_instance": "instance_class",
}

previous_generation := {f | some f in lib.previous_generation_families}

# The family is the next-to-last part of the size: "m4.large" -> "m4"; "db.m4.large" -> "m4".

findings contains lib.fail(rc, "DHARMA_AWS_EC2_005", key, sprintf("%s is a previous-generation family (%s): current generations cost less for the same capacity", [size, f])) if {
	some t, key in sized_types
	some rc in lib.by_type[t]
	size := rc.change.after[key]
	is_string(size)
	parts := split(size, ".")
	count(parts) >= 2
	f := parts[count(parts) - 2]
	previous_generation[f]
}

# The size is only known after apply. An aws_instance launched from a launch template leaves
# instance_type unset, and real plans mark it unknown then: the template's own instance_type is
# checked on the template, so such an instance is not reported.
findings contains lib.unknown_finding(rc, "DHARMA_AWS_EC2_005", key) if {
	some t, key in sized_types
	some rc in lib.by_type[t]
	rc.change.after_unknown[key] == true
	not from_launch_template(rc)
}

from_launch_template(rc) if {
	rc.type == "aws_instance"
	count(lib.block_list(rc, "launch_template")) > 0
}

from_launch_template(rc) if {
	rc.type == "aws_instance"
	rc.change.after_unknown.launch_template == true
}
