# AWS networking: security groups open to the world, VPC flow logs, subnets that hand out public IPs.
package dharma.aws.network

import rego.v1

import data.dharma.lib

# Every ingress rule, from the three ways Terraform writes them, as
# {rc, path, from, to, protocol, world, cidrs_unknown, ports_unknown}; `world` is true when a
# source CIDR is 0.0.0.0/0 or ::/0.
ingress contains r if {
	some rc in lib.by_type.aws_security_group
	rules := rc.change.after.ingress
	is_array(rules)
	some i, rule in rules
	r := {
		"rc": rc,
		"path": sprintf("ingress[%d]", [i]),
		"from": object.get(rule, "from_port", null),
		"to": object.get(rule, "to_port", null),
		"protocol": known_protocol([rc.address, i] in inline_protocol_unknown, object.get(rule, "protocol", "-1")),
		"world": [rc.address, i] in inline_world,
		"cidrs_unknown": [rc.address, i] in inline_cidrs_unknown,
		"ports_unknown": [rc.address, i] in inline_ports_unknown,
	}
}

ingress contains r if {
	some rc in lib.by_type.aws_security_group_rule
	after := rc.change.after
	after.type == "ingress"
	r := {
		"rc": rc,
		"path": "",
		"from": object.get(after, "from_port", null),
		"to": object.get(after, "to_port", null),
		"protocol": known_protocol(any_unknown(rc, ["protocol"]), object.get(after, "protocol", "-1")),
		"world": world([object.get(after, "cidr_blocks", null), object.get(after, "ipv6_cidr_blocks", null)]),
		"cidrs_unknown": any_unknown(rc, ["cidr_blocks", "ipv6_cidr_blocks"]),
		"ports_unknown": any_unknown(rc, ["from_port", "to_port", "protocol"]),
	}
}

ingress contains r if {
	some rc in lib.by_type.aws_vpc_security_group_ingress_rule
	after := rc.change.after
	r := {
		"rc": rc,
		"path": "",
		"from": object.get(after, "from_port", null),
		"to": object.get(after, "to_port", null),
		"protocol": known_protocol(any_unknown(rc, ["ip_protocol"]), object.get(after, "ip_protocol", "-1")),
		"world": world([[object.get(after, "cidr_ipv4", ""), object.get(after, "cidr_ipv6", "")]]),
		"cidrs_unknown": any_unknown(rc, ["cidr_ipv4", "cidr_ipv6"]),
		"ports_unknown": any_unknown(rc, ["from_port", "to_port", "ip_protocol"]),
	}
}

# A whole security group whose inline ingress list is only known after apply, unless its rules
# are separate resources (Terraform then computes the inline list from them).
ingress_unknown contains rc if {
	some rc in lib.by_type.aws_security_group
	rc.change.after_unknown.ingress == true
	not separate_rules[lib.config_key(rc.address)]
}

separate_rules contains key if {
	some t in ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule"]
	some r in lib.by_type[t]
	some key in lib.ref_targets(r, "security_group_id")
}

# The protocol, or "?" when it is only known after apply (then absent from `after`, which must not
# read as the default "-1", every protocol).
known_protocol(true, _) := "?"

known_protocol(false, x) := protocol(x)

# "tcp", 6 -> "6", null -> "-1"
protocol(x) := lower(x) if {
	is_string(x)
} else := format_int(x, 10) if {
	is_number(x)
} else := "-1"

# True when one of the lists (null or missing lists skipped) holds a world CIDR.
world(lists) := true if {
	some l in lists
	is_array(l)
	some c in l
	is_string(c)
	lib.world_cidrs[lower(c)]
} else := false

# Inline rules ([address, index]) open to the world: what world() says of their cidr_blocks and
# ipv6_cidr_blocks, computed once per rule.
inline_world contains [rc.address, i] if {
	some rc in lib.by_type.aws_security_group
	rules := rc.change.after.ingress
	is_array(rules)
	some i, rule in rules
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	cidrs := rule[key]
	is_array(cidrs)
	some c in cidrs
	is_string(c)
	lib.world_cidrs[lower(c)]
}

# Inline rules ([address, index]) with a source CIDR list, or a port or protocol, only known after
# apply (a set computed once, so that the common case costs no function call).
inline_cidrs_unknown contains [rc.address, i] if {
	some rc in lib.by_type.aws_security_group
	rc.change.after_unknown.ingress
	some i, _ in rc.change.after.ingress
	some k in ["cidr_blocks", "ipv6_cidr_blocks"]
	lib.unknown_at(rc, ["ingress", i, k])
}

inline_protocol_unknown contains [rc.address, i] if {
	some rc in lib.by_type.aws_security_group
	rc.change.after_unknown.ingress
	some i, _ in rc.change.after.ingress
	lib.unknown_at(rc, ["ingress", i, "protocol"])
}

inline_ports_unknown contains [rc.address, i] if {
	some rc in lib.by_type.aws_security_group
	rc.change.after_unknown.ingress
	some i, _ in rc.change.after.ingress
	some k in ["from_port", "to_port", "protocol"]
	lib.unknown_at(rc, ["ingress", i, k])
}

# True when one of the attributes is only known after apply. Terraform writes `[false]` (or `[]`)
# in after_unknown for a known list, so the test is lib.unknown_at's, not the entry's truthiness;
# the guard keeps the usual case (nothing marked) free of a call.
any_unknown(rc, keys) := true if {
	some k in keys
	rc.change.after_unknown[k]
	lib.unknown_at(rc, [k])
} else := false

all_protocols := {"-1", "all"}

# The rule lets traffic reach `port` over one of `protocols` (or every protocol).
covers(r, port, protocols) if {
	all_protocols[r.protocol]
} else if {
	protocols[r.protocol]
	# A port only known after apply is absent (null), which Rego orders before every number.
	is_number(r.from)
	is_number(r.to)
	r.from <= port
	port <= r.to
}

rule_path(r, p) := p if {
	r.path == ""
} else := sprintf("%s.%s", [r.path, p])

port_check(id, port, protocols, name) := {f |
	some r in ingress
	r.world
	covers(r, port, protocols)
	f := lib.fail(r.rc, id, rule_path(r, "cidr_blocks"), sprintf("ingress from anywhere (0.0.0.0/0 or ::/0) reaches port %d (%s)", [port, name]))
} | {f |
	some r in ingress
	not r.world
	r.cidrs_unknown
	covers(r, port, protocols)
	f := lib.unknown_finding(r.rc, id, rule_path(r, "cidr_blocks"))
} | {f |
	some r in ingress
	r.world
	r.ports_unknown
	f := lib.unknown_finding(r.rc, id, rule_path(r, "from_port"))
} | {f |
	some rc in ingress_unknown
	f := lib.unknown_finding(rc, id, "ingress")
}

# --- DHARMA_AWS_NET_001 / 002: SSH and RDP open to the world ---------------------------------

findings contains f if some f in port_check("DHARMA_AWS_NET_001", 22, {"tcp", "6"}, "SSH")

findings contains f if some f in port_check("DHARMA_AWS_NET_002", 3389, {"tcp", "6", "udp", "17"}, "RDP")

# --- DHARMA_AWS_NET_003: every port open to the world ----------------------------------------

every_port(r) if all_protocols[r.protocol]

every_port(r) if {
	is_number(r.from)
	is_number(r.to)
	r.from <= 0
	r.to >= 65535
}

findings contains lib.fail(r.rc, "DHARMA_AWS_NET_003", rule_path(r, "protocol"), "ingress from anywhere on every protocol and port") if {
	some r in ingress
	r.world
	all_protocols[r.protocol]
}

findings contains lib.fail(r.rc, "DHARMA_AWS_NET_003", rule_path(r, "from_port"), sprintf("ingress from anywhere on ports %d-%d (%s)", [r.from, r.to, r.protocol])) if {
	some r in ingress
	r.world
	not all_protocols[r.protocol]
	is_number(r.from)
	is_number(r.to)
	r.from <= 0
	r.to >= 65535
}

# Undecided: the source of a rule open on every port is only known after apply; or a rule open to
# the world has a port or protocol only known after apply; or a group's whole inline ingress list is.
findings contains lib.unknown_finding(r.rc, "DHARMA_AWS_NET_003", rule_path(r, "cidr_blocks")) if {
	some r in ingress
	not r.world
	r.cidrs_unknown
	every_port(r)
}

findings contains lib.unknown_finding(r.rc, "DHARMA_AWS_NET_003", rule_path(r, "from_port")) if {
	some r in ingress
	r.world
	r.ports_unknown
	not every_port(r)
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_NET_003", "ingress") if {
	some rc in ingress_unknown
}

# --- DHARMA_AWS_NET_004: VPC flow logs -------------------------------------------------------

vpcs_with_flow_logs contains key if {
	some fl in lib.by_type.aws_flow_log
	some key in lib.ref_targets(fl, "vpc_id")
}

findings contains lib.fail(vpc, "DHARMA_AWS_NET_004", "", "no aws_flow_log records this VPC's traffic") if {
	some vpc in lib.by_type.aws_vpc
	not vpcs_with_flow_logs[lib.config_key(vpc.address)]
}

# --- DHARMA_AWS_NET_005: subnets that give every instance a public IP ------------------------

findings contains lib.fail(rc, "DHARMA_AWS_NET_005", "map_public_ip_on_launch", "instances launched in this subnet get a public IP address") if {
	some rc in lib.by_type.aws_subnet
	rc.change.after.map_public_ip_on_launch == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_NET_005", "map_public_ip_on_launch") if {
	some rc in lib.by_type.aws_subnet
	rc.change.after_unknown.map_public_ip_on_launch == true
}
