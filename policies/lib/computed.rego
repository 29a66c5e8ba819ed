# The indexes of policies/lib/lib.rego, computed in Rego. IAC Dharma builds the same indexes in
# Rust and passes them as data.dharma.index; these rules run where it does not (opa eval, conftest).
# They live in their own package so that reading data.dharma.lib never evaluates them.
package dharma.computed

import rego.v1

# Managed resources that exist after the change, by type (a plain delete or a Terraform 1.7+
# "forget", which only drops the resource from the state, leaves nothing to check).
by_type[t] contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	not rc.change.actions == ["delete"]
	not rc.change.actions == ["forget"]
	t := rc.type
}

# Configuration blocks of the types data.dharma.lib.config_types lists, by configuration key.
configs[key] := cfg if {
	some cfg in input.configuration.root_module.resources
	data.dharma.lib.config_types[cfg.type]
	key := cfg.address
}

configs[key] := cfg if {
	some n1, c1 in input.configuration.root_module.module_calls
	some cfg in c1.module.resources
	data.dharma.lib.config_types[cfg.type]
	key := concat(".", ["module", n1, cfg.address])
}

configs[key] := cfg if {
	some n1, c1 in input.configuration.root_module.module_calls
	some n2, c2 in c1.module.module_calls
	some cfg in c2.module.resources
	data.dharma.lib.config_types[cfg.type]
	key := concat(".", ["module", n1, "module", n2, cfg.address])
}

configs[key] := cfg if {
	some n1, c1 in input.configuration.root_module.module_calls
	some n2, c2 in c1.module.module_calls
	some n3, c3 in c2.module.module_calls
	some cfg in c3.module.resources
	data.dharma.lib.config_types[cfg.type]
	key := concat(".", ["module", n1, "module", n2, "module", n3, cfg.address])
}

configs[key] := cfg if {
	some n1, c1 in input.configuration.root_module.module_calls
	some n2, c2 in c1.module.module_calls
	some n3, c3 in c2.module.module_calls
	some n4, c4 in c3.module.module_calls
	some cfg in c4.module.resources
	data.dharma.lib.config_types[cfg.type]
	key := concat(".", ["module", n1, "module", n2, "module", n3, "module", n4, cfg.address])
}
