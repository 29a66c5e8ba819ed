# Azure network security groups: SSH and RDP open to the Internet.
package dharma.azure.network

import rego.v1

import data.dharma.lib

# Inbound allow rules, inline (security_rule blocks) or as azurerm_network_security_rule.
rules contains [rc, sprintf("security_rule[%d]", [i]), r] if {
	some rc in lib.by_type.azurerm_network_security_group
	some i, r in lib.list(rc.change.after.security_rule)
}

rules contains [rc, "", rc.change.after] if {
	some rc in lib.by_type.azurerm_network_security_rule
}

inbound_allow(r) if {
	lower(object.get(r, "direction", "")) == "inbound"
	lower(object.get(r, "access", "")) == "allow"
}

prefixes(r) := array.concat(
	[p | p := r.source_address_prefix; is_string(p)],
	lib.list(object.get(r, "source_address_prefixes", [])),
)

port_ranges(r) := array.concat(
	[p | p := r.destination_port_range; is_string(p)],
	lib.list(object.get(r, "destination_port_ranges", [])),
)

# "22", "20-30", "*"
covers_port(range, port) if range == "*"

covers_port(range, port) if {
	not contains(range, "-")
	range != "*"
	to_number(range) == port
}

covers_port(range, port) if {
	[lo, hi] := split(range, "-")
	to_number(lo) <= port
	port <= to_number(hi)
}

protocol_ok(r, protocols) if lower(object.get(r, "protocol", "*")) in protocols

sub(base, p) := p if base == ""

sub(base, p) := sprintf("%s.%s", [base, p]) if base != ""

port_check(id, port, protocols, name) := {f |
	some [rc, base, r] in rules
	inbound_allow(r)
	# A protocol only known after apply is absent, which must not read as the default "*".
	not marked(marks(rc, base), "protocol")
	protocol_ok(r, protocols)
	some range in port_ranges(r)
	covers_port(range, port)
	some p in prefixes(r)
	lib.is_world(p)
	f := lib.fail(rc, id, sub(base, "source_address_prefix"), sprintf("an inbound rule allows %s (port %d) from %s", [name, port, p]))
}

# --- Unknown values ------------------------------------------------------------------------------

# The after_unknown marks of a rule (an object; {} when nothing is marked).
marks(rc, "") := object.get(rc.change, "after_unknown", {})

marks(rc, base) := m if {
	base != ""
	i := to_number(trim_suffix(trim_prefix(base, "security_rule["), "]"))
	m := object.get(rc.change, ["after_unknown", "security_rule", i], {})
	is_object(m)
} else := {} if base != ""

# An argument of the rule (a scalar, or a list with an element) only known after apply.
marked(m, key) if m[key] == true

marked(m, key) if {
	is_array(m[key])
	some x in m[key]
	x == true
}

# Each condition of a failing rule holds, or rests on a value only known after apply.
maybe_inbound_allow(r, m) if {
	may_equal(r, m, "direction", "inbound")
	may_equal(r, m, "access", "allow")
}

may_equal(r, m, key, v) if lower(object.get(r, key, "")) == v

may_equal(_, m, key, _) if marked(m, key)

maybe_protocol(r, m, protocols) if protocol_ok(r, protocols)

maybe_protocol(_, m, _) if marked(m, "protocol")

maybe_port(r, m, port) if {
	some range in port_ranges(r)
	covers_port(range, port)
}

maybe_port(_, m, _) if marked(m, "destination_port_range")

maybe_port(_, m, _) if marked(m, "destination_port_ranges")

maybe_world(r, m) if {
	some p in prefixes(r)
	lib.is_world(p)
}

maybe_world(_, m) if marked(m, "source_address_prefix")

maybe_world(_, m) if marked(m, "source_address_prefixes")

rule_keys := ["direction", "access", "protocol", "destination_port_range", "destination_port_ranges", "source_address_prefix", "source_address_prefixes"]

# Network security groups (by configuration key) that separate azurerm_network_security_rule
# resources add rules to: Terraform then computes the group's inline security_rule list from them.
separate_rules contains key if {
	some r in lib.by_type.azurerm_network_security_rule
	some key in lib.ref_targets(r, "network_security_group_name")
}

unknown_check(id, port, protocols) := {f |
	some [rc, base, r] in rules
	m := marks(rc, base)
	some k in rule_keys
	marked(m, k)
	maybe_inbound_allow(r, m)
	maybe_protocol(r, m, protocols)
	maybe_port(r, m, port)
	maybe_world(r, m)
	f := lib.unknown_finding(rc, id, sub(base, "source_address_prefix"))
} | {f |
	# The whole inline list is only known after apply (azurerm marks it so when the configuration
	# leaves it unset), and no separate rule resource fills it.
	some rc in lib.by_type.azurerm_network_security_group
	rc.change.after_unknown.security_rule == true
	not separate_rules[lib.config_key(rc.address)]
	f := lib.unknown_finding(rc, id, "security_rule")
}

# A rule that fails is not also unknown.
checked(id, port, protocols, name) := result if {
	fails := port_check(id, port, protocols, name)
	result := fails | {f |
		some f in unknown_check(id, port, protocols)
		not failing_path(fails, f)
	}
}

failing_path(fails, f) if {
	some g in fails
	g.address == f.address
	g.path == f.path
}

# --- DHARMA_AZURE_NET_001 / 002 ----------------------------------------------------------------

findings contains f if some f in checked("DHARMA_AZURE_NET_001", 22, {"tcp", "*"}, "SSH")

findings contains f if some f in checked("DHARMA_AZURE_NET_002", 3389, {"tcp", "udp", "*"}, "RDP")
