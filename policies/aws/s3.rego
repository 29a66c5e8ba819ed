# AWS S3: public access, ACLs, default encryption, versioning, access logging.
package dharma.aws.s3

import rego.v1

import data.dharma.lib

public_acls := {"public-read", "public-read-write", "authenticated-read"}

pab_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# Buckets by their literal name, for companion resources that name a bucket instead of referring
# to it.
bucket_keys_by_name[name] contains key if {
	some b in lib.by_type.aws_s3_bucket
	name := b.change.after.bucket
	is_string(name)
	key := bucket_key[b.address]
}

companion_types := [
	"aws_s3_bucket_public_access_block",
	"aws_s3_bucket_server_side_encryption_configuration",
	"aws_s3_bucket_versioning",
	"aws_s3_bucket_logging",
]

# Configuration keys of the buckets each companion resource (public access block, versioning,
# logging, encryption) applies to, by the companion's address: by reference, or by literal
# bucket name. Computed once per companion.
targets[x.address] := keys if {
	some t in companion_types
	some x in lib.by_type[t]
	keys := lib.ref_targets(x, "bucket") | {key |
		name := x.change.after.bucket
		some key in bucket_keys_by_name[name]
	}
}

# The configuration key of every bucket, by address (computed once per bucket: function calls are
# the costly part of an evaluation, so the checks below look keys up here).
bucket_key[b.address] := lib.config_key(b.address) if some b in lib.by_type.aws_s3_bucket

# --- DHARMA_AWS_S3_001: public access block -------------------------------------------------

all_flags_true(pab) if every f in pab_flags {
	pab.change.after[f] == true
}

some_flag_unknown(pab) if {
	some f in pab_flags
	pab.change.after_unknown[f] == true
}

account_blocked if {
	some pab in lib.by_type.aws_s3_account_public_access_block
	all_flags_true(pab)
}

blocked contains key if {
	some pab in lib.by_type.aws_s3_bucket_public_access_block
	all_flags_true(pab)
	some key in targets[pab.address]
}

block_unknown contains key if {
	some pab in lib.by_type.aws_s3_bucket_public_access_block
	some_flag_unknown(pab)
	some key in targets[pab.address]
}

findings contains lib.fail(b, "DHARMA_AWS_S3_001", "", "no aws_s3_bucket_public_access_block with all four settings true (block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets) applies to this bucket") if {
	not account_blocked
	some b in lib.by_type.aws_s3_bucket
	key := bucket_key[b.address]
	not blocked[key]
	not block_unknown[key]
}

findings contains lib.unknown_finding(b, "DHARMA_AWS_S3_001", "aws_s3_bucket_public_access_block") if {
	not account_blocked
	some b in lib.by_type.aws_s3_bucket
	key := bucket_key[b.address]
	not blocked[key]
	block_unknown[key]
}

# --- DHARMA_AWS_S3_002: public ACL ----------------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_S3_002", "acl", sprintf("the canned ACL %q grants access to everyone", [acl])) if {
	some t in ["aws_s3_bucket", "aws_s3_bucket_acl"]
	some rc in lib.by_type[t]
	acl := rc.change.after.acl
	public_acls[acl]
}

# Grants to the AllUsers or AuthenticatedUsers group: in an aws_s3_bucket_acl's
# access_control_policy, or in an aws_s3_bucket's inline grant blocks (provider v3).
public_group_uris := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

findings contains lib.fail(rc, "DHARMA_AWS_S3_002", sprintf("access_control_policy.grant[%d]", [i]), sprintf("the ACL grants %s to everyone (%s)", [object.get(g, "permission", "access"), uri])) if {
	some rc in lib.by_type.aws_s3_bucket_acl
	rc.change.after.access_control_policy
	some acp in lib.block_list(rc, "access_control_policy")
	some i, g in lib.blocks(object.get(acp, "grant", []))
	some grantee in lib.blocks(object.get(g, "grantee", []))
	uri := grantee.uri
	public_group_uris[uri]
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_S3_002", sprintf("access_control_policy.grant[%d]", [i])) if {
	some rc in lib.by_type.aws_s3_bucket_acl
	rc.change.after_unknown.access_control_policy
	some i, _ in lib.blocks(object.get(lib.first_block(rc, "access_control_policy"), "grant", []))
	lib.unknown_at(rc, ["access_control_policy", 0, "grant", i, "grantee", 0, "uri"])
}

findings contains lib.fail(rc, "DHARMA_AWS_S3_002", sprintf("grant[%d]", [i]), sprintf("the bucket grants %s to everyone (%s)", [concat(", ", lib.list(object.get(g, "permissions", []))), uri])) if {
	some rc in lib.by_type.aws_s3_bucket
	rc.change.after.grant
	some i, g in lib.block_list(rc, "grant")
	uri := g.uri
	public_group_uris[uri]
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_S3_002", "acl") if {
	some t in ["aws_s3_bucket", "aws_s3_bucket_acl"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.acl == true
}

# --- DHARMA_AWS_S3_003: default encryption with KMS -----------------------------------------

kms_algorithms := {"aws:kms", "aws:kms:dsse"}

# The sse_algorithm values of a server_side_encryption_configuration (inline block or resource).
sse_algorithms(x) := {alg |
	some rule in lib.blocks(object.get(x, "rule", []))
	some d in lib.blocks(object.get(rule, "apply_server_side_encryption_by_default", []))
	alg := d.sse_algorithm
}

# Buckets (by address) with an inline KMS default encryption.
inline_kms contains b.address if {
	some b in lib.by_type.aws_s3_bucket
	b.change.after.server_side_encryption_configuration
	some sse in lib.block_list(b, "server_side_encryption_configuration")
	some alg in sse_algorithms(sse)
	kms_algorithms[alg]
}

kms_encrypted contains key if {
	some e in lib.by_type.aws_s3_bucket_server_side_encryption_configuration
	some alg in sse_algorithms(e.change.after)
	kms_algorithms[alg]
	some key in targets[e.address]
}

kms_unknown contains key if {
	some e in lib.by_type.aws_s3_bucket_server_side_encryption_configuration
	e.change.after_unknown.rule == true
	some key in targets[e.address]
}

kms_unknown contains key if {
	some e in lib.by_type.aws_s3_bucket_server_side_encryption_configuration
	lib.unknown_at(e, ["rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"])
	some key in targets[e.address]
}

# Buckets (by configuration key) that an aws_s3_bucket_server_side_encryption_configuration applies
# to. That resource is authoritative: when there is one, its value decides, whatever the inline
# attribute says (provider v4+ plans mark the inline attribute, Optional+Computed, unknown).
sse_companion contains key if {
	some e in lib.by_type.aws_s3_bucket_server_side_encryption_configuration
	some key in targets[e.address]
}

# A companion resource with a known algorithm that is not KMS.
findings contains lib.fail(b, "DHARMA_AWS_S3_003", "server_side_encryption_configuration", "default encryption is not SSE-KMS (aws:kms): objects are encrypted with S3-managed keys at most") if {
	some b in lib.by_type.aws_s3_bucket
	key := bucket_key[b.address]
	sse_companion[key]
	not kms_encrypted[key]
	not kms_unknown[key]
}

# No companion resource: the inline attribute decides.
findings contains lib.fail(b, "DHARMA_AWS_S3_003", "server_side_encryption_configuration", "default encryption is not SSE-KMS (aws:kms): objects are encrypted with S3-managed keys at most") if {
	some b in lib.by_type.aws_s3_bucket
	not inline_kms[b.address]
	not b.change.after_unknown.server_side_encryption_configuration == true
	key := bucket_key[b.address]
	not sse_companion[key]
}

findings contains lib.unknown_finding(b, "DHARMA_AWS_S3_003", "server_side_encryption_configuration") if {
	some b in lib.by_type.aws_s3_bucket
	key := bucket_key[b.address]
	not kms_encrypted[key]
	kms_unknown[key]
}

findings contains lib.unknown_finding(b, "DHARMA_AWS_S3_003", "server_side_encryption_configuration") if {
	some b in lib.by_type.aws_s3_bucket
	not inline_kms[b.address]
	b.change.after_unknown.server_side_encryption_configuration == true
	key := bucket_key[b.address]
	not sse_companion[key]
}

# --- DHARMA_AWS_S3_004: versioning ----------------------------------------------------------

# Buckets (by address) with inline versioning enabled, or whose inline setting is unknown.
inline_versioning contains b.address if {
	some b in lib.by_type.aws_s3_bucket
	b.change.after.versioning
	some v in lib.block_list(b, "versioning")
	v.enabled == true
}

inline_versioning_unknown contains b.address if {
	some b in lib.by_type.aws_s3_bucket
	b.change.after_unknown.versioning
	lib.unknown_at(b, ["versioning", 0, "enabled"])
}

versioned contains key if {
	some v in lib.by_type.aws_s3_bucket_versioning
	some c in lib.block_list(v, "versioning_configuration")
	c.status == "Enabled"
	some key in targets[v.address]
}

versioning_unknown contains key if {
	some v in lib.by_type.aws_s3_bucket_versioning
	lib.unknown_at(v, ["versioning_configuration", 0, "status"])
	some key in targets[v.address]
}

# Buckets (by configuration key) that an aws_s3_bucket_versioning applies to: as for encryption,
# that resource decides when there is one.
versioning_companion contains key if {
	some v in lib.by_type.aws_s3_bucket_versioning
	some key in targets[v.address]
}

# A companion resource with a known status that is not Enabled (Suspended, Disabled).
findings contains lib.fail(b, "DHARMA_AWS_S3_004", "versioning", "versioning is not enabled: overwritten or deleted objects cannot be recovered") if {
	some b in lib.by_type.aws_s3_bucket
	key := bucket_key[b.address]
	versioning_companion[key]
	not versioned[key]
	not versioning_unknown[key]
}

# No companion resource: the inline attribute decides.
findings contains lib.fail(b, "DHARMA_AWS_S3_004", "versioning", "versioning is not enabled: overwritten or deleted objects cannot be recovered") if {
	some b in lib.by_type.aws_s3_bucket
	not inline_versioning[b.address]
	not inline_versioning_unknown[b.address]
	key := bucket_key[b.address]
	not versioning_companion[key]
}

findings contains lib.unknown_finding(b, "DHARMA_AWS_S3_004", "versioning") if {
	some b in lib.by_type.aws_s3_bucket
	key := bucket_key[b.address]
	not versioned[key]
	versioning_unknown[key]
}

findings contains lib.unknown_finding(b, "DHARMA_AWS_S3_004", "versioning") if {
	some b in lib.by_type.aws_s3_bucket
	not inline_versioning[b.address]
	inline_versioning_unknown[b.address]
	key := bucket_key[b.address]
	not versioning_companion[key]
}

# --- DHARMA_AWS_S3_005: access logging ------------------------------------------------------

# Buckets (by address) with an inline logging block.
inline_logging contains b.address if {
	some b in lib.by_type.aws_s3_bucket
	b.change.after.logging
	count(lib.block_list(b, "logging")) > 0
}

logged contains key if {
	some l in lib.by_type.aws_s3_bucket_logging
	some key in targets[l.address]
}

findings contains lib.fail(b, "DHARMA_AWS_S3_005", "logging", "server access logging is not enabled") if {
	some b in lib.by_type.aws_s3_bucket
	not inline_logging[b.address]
	not b.change.after_unknown.logging == true
	not logged[bucket_key[b.address]]
}

# The inline logging attribute is only known after apply (provider v4+ marks it so whenever the
# configuration leaves it unset) and no aws_s3_bucket_logging applies to the bucket: undecided.
findings contains lib.unknown_finding(b, "DHARMA_AWS_S3_005", "logging") if {
	some b in lib.by_type.aws_s3_bucket
	not inline_logging[b.address]
	b.change.after_unknown.logging == true
	not logged[bucket_key[b.address]]
}
