# Checks for every provider: required tags, allowed regions, hard-coded secrets, allowed sizes.
# The settings come from the data document data.dharma.settings (docs/policies.md).
package dharma.general

import rego.v1

import data.dharma.lib

# --- DHARMA_GEN_TAGS_001: required tags or labels missing ---------------------------------------

tag_key(rc) := "labels" if startswith(rc.type, "google_")

tag_key(rc) := "tags" if not startswith(rc.type, "google_")

# Taggable resources: Terraform writes their tags (null when none are set).
taggable(rc, key) if object.get(rc.change.after, key, false) != false

taggable(rc, key) if rc.change.after_unknown[key] == true

# Tags the resource ends up with: its own, and the provider's default tags (tags_all, or the GCP
# effective_labels / terraform_labels).
effective(rc, key) := object.union_n([
	as_object(object.get(rc.change.after, key, {})),
	as_object(object.get(rc.change.after, "tags_all", {})),
	as_object(object.get(rc.change.after, "effective_labels", {})),
])

as_object(x) := x if is_object(x)

as_object(x) := {} if not is_object(x)

# Keys whose value is only known after apply (a reference in the value): Terraform leaves them out
# of `after` and marks them in after_unknown (`"tags": {"Name": true}`). The key is there; the
# check is about keys, so they count as present.
unknown_keys(rc, key) := {k |
	some attr in [key, "tags_all"]
	m := rc.change.after_unknown[attr]
	is_object(m)
	some k, v in m
	v == true
}

tags_unknown(rc, key) if {
	rc.change.after_unknown[key] == true
	not rc.change.after.tags_all
}

findings contains lib.fail(rc, "DHARMA_GEN_TAGS_001", key, sprintf("missing required %s: %s", [key, concat(", ", missing_keys)])) if {
	count(lib.required_tags) > 0
	some rc in input.resource_changes
	rc.mode == "managed"
	not rc.change.actions == ["delete"]
	not rc.change.actions == ["forget"]
	key := tag_key(rc)
	taggable(rc, key)
	not tags_unknown(rc, key)
	tags := effective(rc, key)
	missing := [t | some t in lib.required_tags; not tags[t]]
	count(missing) > 0
	later := unknown_keys(rc, key)
	missing_keys := [t | some t in missing; not later[t]]
	count(missing_keys) > 0
}

findings contains lib.unknown_finding(rc, "DHARMA_GEN_TAGS_001", key) if {
	count(lib.required_tags) > 0
	some rc in input.resource_changes
	rc.mode == "managed"
	not rc.change.actions == ["delete"]
	not rc.change.actions == ["forget"]
	key := tag_key(rc)
	tags_unknown(rc, key)
}

# --- DHARMA_GEN_REGION_001: region outside the allowed list -------------------------------------

provider_region(name) := input.configuration.provider_config[name].expressions.region.constant_value

findings contains {
	"id": "DHARMA_GEN_REGION_001",
	"address": sprintf("provider.%s", [name]),
	"path": "region",
	"message": sprintf("region %q is not in the allowed list (%s)", [region, concat(", ", lib.allowed_regions)]),
	"status": "fail",
} if {
	count(lib.allowed_regions) > 0
	some name, _ in input.configuration.provider_config
	region := provider_region(name)
	not region in lib.allowed_regions
}

findings contains lib.fail(rc, "DHARMA_GEN_REGION_001", key, sprintf("%s %q is not in the allowed list (%s)", [key, region, concat(", ", lib.allowed_regions)])) if {
	count(lib.allowed_regions) > 0
	some rc in input.resource_changes
	rc.mode == "managed"
	not rc.change.actions == ["delete"]
	not rc.change.actions == ["forget"]
	some key in ["location", "region"]
	region := rc.change.after[key]
	is_string(region)
	not region in lib.allowed_regions
	not lower(region) in {lower(r) | some r in lib.allowed_regions}
}

# --- DHARMA_GEN_SECRET_001: hard-coded secrets ---------------------------------------------------

aws_key_pattern := `(A3T[A-Z0-9]|AKIA|ASIA)[A-Z0-9]{16}`

secret_literal(attr, value) if {
	attr != "user_data"
	is_string(value)
	value != ""
}

secret_literal("user_data", value) if regex.match(aws_key_pattern, value)

# A reference to a root-module variable whose default is a literal secret.
variable_default(cfg, attr) := d if {
	some ref in cfg.expressions[attr].references
	startswith(ref, "var.")
	name := substring(ref, 4, -1)
	d := input.configuration.root_module.variables[name].default
}

# Only values known at plan time can be literals: the planned value is a string first.
findings contains lib.fail(rc, "DHARMA_GEN_SECRET_001", attr, sprintf("%s is written in the configuration as a literal value; pass it from a secret store or a sensitive variable without a default", [attr])) if {
	some t, attrs in lib.secret_attributes
	some rc in lib.by_type[t]
	some attr in attrs
	planned := rc.change.after[attr]
	is_string(planned)
	value := lib.constant(rc, attr)
	secret_literal(attr, value)
}

findings contains lib.fail(rc, "DHARMA_GEN_SECRET_001", attr, sprintf("%s comes from a variable whose default is a literal secret; remove the default and pass the value at deploy time", [attr])) if {
	some t, attrs in lib.secret_attributes
	some rc in lib.by_type[t]
	some attr in attrs
	planned := rc.change.after[attr]
	is_string(planned)
	value := variable_default(lib.config_of(rc), attr)
	secret_literal(attr, value)
}

findings contains {
	"id": "DHARMA_GEN_SECRET_001",
	"address": sprintf("provider.%s", [name]),
	"path": key,
	"message": sprintf("the provider's %s is a literal credential in the configuration", [key]),
	"status": "fail",
} if {
	some name, p in input.configuration.provider_config
	some key in ["access_key", "secret_key", "client_secret", "credentials"]
	v := p.expressions[key].constant_value
	is_string(v)
	v != ""
}

# --- DHARMA_GEN_SIZE_001: instance size outside the allowed list --------------------------------

size_attributes := {
	"aws_instance": "instance_type",
	"aws_launch_template": "instance_type",
	"aws_db_instance": "instance_class",
	"aws_rds_cluster_instance": "instance_class",
	"azurerm_linux_virtual_machine": "size",
	"azurerm_windows_virtual_machine": "size",
	"azurerm_virtual_machine": "vm_size",
	"google_compute_instance": "machine_type",
	"google_sql_database_instance": "settings.tier",
}

size_of(rc, "settings.tier") := lib.first_block(rc, "settings").tier

size_of(rc, key) := rc.change.after[key] if key != "settings.tier"

# An allowed entry is a size ("t3.micro") or a prefix ending in "*" ("t3.*", "Standard_B*").
allowed_size(size) if size in lib.allowed_instance_types

allowed_size(size) if {
	some p in lib.allowed_instance_types
	endswith(p, "*")
	startswith(size, trim_suffix(p, "*"))
}

findings contains lib.fail(rc, "DHARMA_GEN_SIZE_001", key, sprintf("%s is not in the allowed instance types (%s)", [size, concat(", ", lib.allowed_instance_types)])) if {
	count(lib.allowed_instance_types) > 0
	some t, key in size_attributes
	some rc in lib.by_type[t]
	size := size_of(rc, key)
	is_string(size)
	not allowed_size(size)
}

# The size is only known after apply. An aws_instance launched from a launch template leaves
# instance_type unset (real plans mark it unknown): the template's own size is checked.
findings contains lib.unknown_finding(rc, "DHARMA_GEN_SIZE_001", key) if {
	count(lib.allowed_instance_types) > 0
	some t, key in size_attributes
	some rc in lib.by_type[t]
	size_unknown(rc, key)
	not from_launch_template(rc)
}

size_unknown(rc, "settings.tier") if lib.unknown_at(rc, ["settings", 0, "tier"])

size_unknown(rc, key) if {
	key != "settings.tier"
	rc.change.after_unknown[key] == true
}

from_launch_template(rc) if {
	rc.type == "aws_instance"
	count(lib.block_list(rc, "launch_template")) > 0
}

from_launch_template(rc) if {
	rc.type == "aws_instance"
	rc.change.after_unknown.launch_template == true
}
