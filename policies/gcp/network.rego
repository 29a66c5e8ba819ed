# Google Cloud firewall rules open to the Internet.
package dharma.gcp.network

import rego.v1

import data.dharma.lib

ingress(rc) if upper(object.get(rc.change.after, "direction", "INGRESS")) == "INGRESS"

# "22", "20-30"; a rule without ports covers every port.
covers_port(allow, port) if count(lib.list(object.get(allow, "ports", []))) == 0

covers_port(allow, port) if {
	some p in lib.list(allow.ports)
	not contains(p, "-")
	to_number(p) == port
}

covers_port(allow, port) if {
	some p in lib.list(allow.ports)
	[lo, hi] := split(p, "-")
	to_number(lo) <= port
	port <= to_number(hi)
}

# The protocol's name: GCP also takes IP protocol numbers ("6" is tcp, "17" is udp).
protocol_numbers := {"6": "tcp", "17": "udp"}

protocol_name(p) := n if {
	n := protocol_numbers[p]
} else := lower(p)

# The sources of an INGRESS rule that mean "from anywhere": a world range in source_ranges, or no
# source at all. With source_ranges empty and neither source_tags nor source_service_accounts,
# GCP applies the rule to 0.0.0.0/0, and the provider hides the difference in the plan
# (hashicorp/terraform-provider-google#6789, `diffSuppressSourceRanges`).
world_sources(rc) := {c |
	some c in lib.list(rc.change.after.source_ranges)
	lib.is_world(c)
} | {"0.0.0.0/0 (GCP's default when no source_ranges, source_tags or source_service_accounts are given)" |
	no_source(rc)
}

source_keys := ["source_ranges", "source_tags", "source_service_accounts"]

# The source list `key` is absent or empty.
no_list(rc, key) if count(lib.list(object.get(rc.change.after, key, []))) == 0

# No source is given, and none is only known after apply.
no_source(rc) if {
	every key in source_keys {
		no_list(rc, key)
		not lib.unknown_at(rc, [key])
	}
}

# The source keys only known after apply while no source range is given (and no known tag or
# service account): when they turn out empty, the rule admits the world.
maybe_missing_sources(rc) := {key |
	no_list(rc, "source_ranges")
	not lib.unknown_at(rc, ["source_ranges"])
	some key in ["source_tags", "source_service_accounts"]
	lib.unknown_at(rc, [key])
	every other in ["source_tags", "source_service_accounts"] {
		no_list(rc, other)
	}
}

port_check(id, port, protocols, name) := {f |
	some rc in lib.by_type.google_compute_firewall
	ingress(rc)
	not rc.change.after.disabled == true
	some c in world_sources(rc)
	some i, allow in lib.list(rc.change.after.allow)
	protocol_name(allow.protocol) in protocols
	covers_port(allow, port)
	f := lib.fail(rc, id, sprintf("allow[%d]", [i]), sprintf("the firewall admits %s (port %d) from %s", [name, port, c]))
} | {f |
	some rc in lib.by_type.google_compute_firewall
	ingress(rc)
	rc.change.after_unknown.source_ranges
	lib.unknown_at(rc, ["source_ranges"])
	some allow in lib.list(rc.change.after.allow)
	protocol_name(allow.protocol) in protocols
	covers_port(allow, port)
	f := lib.unknown_finding(rc, id, "source_ranges")
} | {f |
	some rc in lib.by_type.google_compute_firewall
	ingress(rc)
	not rc.change.after.disabled == true
	some key in maybe_missing_sources(rc)
	known_allow(rc, port, protocols)
	f := lib.unknown_finding(rc, id, key)
} | {f |
	# Open to the world, and an allow block's protocol or ports (or the whole allow list) are only
	# known after apply, while no known allow block already fails.
	some rc in lib.by_type.google_compute_firewall
	ingress(rc)
	not rc.change.after.disabled == true
	count(world_sources(rc)) > 0
	allow_unknown(rc, port, protocols)
	not known_allow(rc, port, protocols)
	f := lib.unknown_finding(rc, id, "allow")
}

known_allow(rc, port, protocols) if {
	some allow in lib.list(rc.change.after.allow)
	protocol_name(allow.protocol) in protocols
	covers_port(allow, port)
}

allow_unknown(rc, _, _) if rc.change.after_unknown.allow == true

allow_unknown(rc, port, protocols) if {
	rc.change.after_unknown.allow
	some i, allow in lib.list(rc.change.after.allow)
	some key in ["protocol", "ports"]
	lib.unknown_at(rc, ["allow", i, key])
	maybe_protocol(rc, i, allow, protocols)
	maybe_ports(rc, i, allow, port)
}

maybe_protocol(rc, i, _, _) if lib.unknown_at(rc, ["allow", i, "protocol"])

maybe_protocol(_, _, allow, protocols) if protocol_name(allow.protocol) in protocols

maybe_ports(rc, i, _, _) if lib.unknown_at(rc, ["allow", i, "ports"])

maybe_ports(_, _, allow, port) if covers_port(allow, port)

# --- DHARMA_GCP_NET_001 / 002 -------------------------------------------------------------------

findings contains f if some f in port_check("DHARMA_GCP_NET_001", 22, {"tcp", "all"}, "SSH")

findings contains f if some f in port_check("DHARMA_GCP_NET_002", 3389, {"tcp", "udp", "all"}, "RDP")
