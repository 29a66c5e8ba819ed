# Helpers shared by the built-in checks. Input: a Terraform plan as `terraform show -json` writes it
# (format_version 0.x or 1.x), or a blueprint rendered in that shape by IAC Dharma.
#
# Finding objects: {"id", "address", "path", "message", "status"} with status "fail" or "unknown".
# "unknown" means the value the check needs is not known before apply (a reference to another
# resource, a variable without a value): the check neither passes nor fails it.
package dharma.lib

import rego.v1

# Resource changes by type, for managed resources that exist after the change (every action but a
# plain delete or a "forget"; a replace is checked on its new state). A check only visits the resources of its
# own types. IAC Dharma passes this index precomputed (data.dharma.index.by_type, built with the
# same definition); elsewhere (opa eval, conftest) policies/lib/computed.rego computes it.
by_type := data.dharma.index.by_type if {
	data.dharma.index.by_type
} else := data.dharma.computed.by_type


# True when the value at `path` (an array of keys and indexes into `change.after`) is only known
# after apply: it, or one of the blocks holding it, is marked in `change.after_unknown`, or it is a
# list with an element marked so.
#
# Terraform marks every known list and object too (`[false]`, `{}`, `[{"cidr_blocks": [false]}]`),
# so the walk must be cheap when nothing is unknown: the first three levels are plain lookups
# (no arrays built), the deeper ones a general walk.
unknown_at(rc, path) if rc.change.after_unknown[path[0]] == true

unknown_at(rc, path) if {
	count(path) > 1
	rc.change.after_unknown[path[0]][path[1]] == true
}

unknown_at(rc, path) if {
	count(path) > 2
	rc.change.after_unknown[path[0]][path[1]][path[2]] == true
}

unknown_at(rc, path) if {
	count(path) > 3
	some n in numbers.range(4, count(path))
	object.get(rc.change.after_unknown, array.slice(path, 0, n), false) == true
}

unknown_at(rc, path) if {
	v := object.get(rc.change.after_unknown, path, false)
	is_array(v)
	some x in v
	x == true
}

# True when a top-level attribute is unknown.
unknown(rc, key) if rc.change.after_unknown[key] == true

fail(rc, id, path, message) := {
	"id": id,
	"address": rc.address,
	"path": path,
	"message": message,
	"status": "fail",
}

unknown_finding(rc, id, path) := {
	"id": id,
	"address": rc.address,
	"path": path,
	"message": sprintf("%s is only known after apply (a reference or a variable without a value): the check cannot decide", [path]),
	"status": "unknown",
}

# Nested blocks: Terraform writes single and repeated blocks as arrays of objects; a blueprint may
# write a single block as an object. Both read as a list here.
blocks(x) := x if {
	is_array(x)
} else := [x] if {
	is_object(x)
} else := []

# The blocks under a top-level attribute (empty when absent).
block_list(rc, key) := blocks(object.get(rc.change.after, key, []))

# The first block under an attribute, or {} when there is none.
first_block(rc, key) := b if {
	b := rc.change.after[key][0]
	is_object(b)
} else := b if {
	b := rc.change.after[key]
	is_object(b)
} else := {}

# Values of a list attribute that may be absent or null.
list(x) := x if {
	is_array(x)
} else := []

# Addresses that mean "everyone" in a firewall source.
world_cidrs := {"0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0", "<nw>/0", "/0"}

is_world(cidr) if world_cidrs[lower(cidr)]

# --- Settings (data.dharma.settings, documented in docs/policies.md) -------------------------

default user_settings := {}

user_settings := data.dharma.settings

setting(key, fallback) := object.get(user_settings, key, fallback)

required_tags := setting("required_tags", [])

allowed_regions := setting("allowed_regions", [])

allowed_instance_types := setting("allowed_instance_types", [])

previous_generation_families := setting("previous_generation_families", [
	"t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "d2", "g2", "p2", "x1",
])

# --- Configuration: following references between resources ------------------------------------

# The configuration address of a resource change: its address without instance keys
# (module.a[0].aws_s3_bucket.b["x"] -> module.a.aws_s3_bucket.b).
config_key(address) := regex.replace(address, `\[[^\]]*\]`, "") if {
	contains(address, "[")
} else := address

# The module part of a configuration key, with a trailing dot ("" for the root module).
module_prefix(rc) := concat("", [config_key(rc.module_address), "."]) if {
	is_string(rc.module_address)
	rc.module_address != ""
} else := ""

# Types whose configuration blocks the checks read (to follow references, or to tell a literal
# from a reference). Only these are indexed.
config_types := {
	"aws_s3_bucket_public_access_block",
	"aws_s3_bucket_server_side_encryption_configuration",
	"aws_s3_bucket_versioning",
	"aws_s3_bucket_logging",
	"aws_s3_bucket_acl",
	"aws_flow_log",
	"aws_security_group_rule",
	"aws_vpc_security_group_ingress_rule",
	"azurerm_mssql_server_extended_auditing_policy",
	"azurerm_network_security_rule",
	"azurerm_storage_account_network_rules",
	"google_compute_firewall",
} | {t | some t, _ in secret_attributes}

# Configuration blocks of the indexed types, by configuration key. IAC Dharma passes this index
# precomputed (data.dharma.index.configs, every resource of every module); elsewhere it is computed
# by policies/lib/computed.rego, for modules up to four levels deep.
configs := data.dharma.index.configs if {
	data.dharma.index.configs
} else := data.dharma.computed.configs

# The configuration block of a resource change (of an indexed type).
config_of(rc) := configs[config_key(rc.address)]

# The resource a reference string names, without instance key: "aws_s3_bucket.b[0]" and
# "aws_s3_bucket.b" -> "aws_s3_bucket.b"; "data.aws_x.y.id" -> "data.aws_x.y". A reference to an
# attribute ("aws_s3_bucket.b.id") names none: Terraform lists the resource itself next to it.
ref_resource(ref) := config_key(ref) if {
	parts := split(ref, ".")
	count(parts) == 2
	not ref_keywords[parts[0]]
} else := config_key(concat(".", ["data", parts[1], parts[2]])) if {
	parts := split(ref, ".")
	count(parts) >= 3
	parts[0] == "data"
}

ref_keywords := {"var", "local", "module", "data", "each", "count", "path", "terraform", "self"}

# Configuration keys of the resources that a top-level attribute of `rc` refers to. IAC Dharma
# passes these precomputed (data.dharma.index.refs[key][attr], same definition).
ref_targets(rc, attr) := targets if {
	data.dharma.index.refs
	targets := object.get(data.dharma.index.refs, [config_key(rc.address), attr], set())
} else := {target |
	cfg := config_of(rc)
	some ref in cfg.expressions[attr].references
	target := concat("", [module_prefix(rc), ref_resource(ref)])
}

# The literal (constant) value of a top-level attribute in the configuration, if it is one.
constant(rc, attr) := config_of(rc).expressions[attr].constant_value

# Arguments that hold secrets, by resource type (for DHARMA_GEN_SECRET_001).
secret_attributes := {
	"aws_db_instance": ["password"],
	"aws_rds_cluster": ["master_password"],
	"aws_docdb_cluster": ["master_password"],
	"aws_redshift_cluster": ["master_password"],
	"aws_elasticache_replication_group": ["auth_token"],
	"aws_secretsmanager_secret_version": ["secret_string"],
	"aws_ssm_parameter": ["value"],
	"aws_iam_user_login_profile": ["password"],
	"aws_instance": ["user_data"],
	"aws_launch_template": ["user_data"],
	"azurerm_linux_virtual_machine": ["admin_password"],
	"azurerm_windows_virtual_machine": ["admin_password"],
	"azurerm_mssql_server": ["administrator_login_password"],
	"azurerm_postgresql_flexible_server": ["administrator_password"],
	"azurerm_mysql_flexible_server": ["administrator_password"],
	"azurerm_key_vault_secret": ["value"],
	"google_sql_user": ["password"],
	"google_secret_manager_secret_version": ["secret_data"],
}
