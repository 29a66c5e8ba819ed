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
	protocol_ok(r, protocols)
	some range in port_ranges(r)
	covers_port(range, port)
	some p in prefixes(r)
	lib.is_world(p)
	f := lib.fail(rc, id, sub(base, "source_address_prefix"), sprintf("an inbound rule allows %s (port %d) from %s", [name, port, p]))
}

# --- DHARMA_AZURE_NET_001 / 002 ----------------------------------------------------------------

findings contains f if some f in port_check("DHARMA_AZURE_NET_001", 22, {"tcp", "*"}, "SSH")

findings contains f if some f in port_check("DHARMA_AZURE_NET_002", 3389, {"tcp", "udp", "*"}, "RDP")
