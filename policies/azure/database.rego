# Azure SQL: public network access, firewall open to everything, auditing.
package dharma.azure.database

import rego.v1

import data.dharma.lib

sql_servers := ["azurerm_mssql_server", "azurerm_sql_server"]

# --- DHARMA_AZURE_SQL_001: public network access -----------------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_SQL_001", "public_network_access_enabled", "the SQL server accepts connections from public networks (public_network_access_enabled is not false)") if {
	some t in sql_servers
	some rc in lib.by_type[t]
	not rc.change.after.public_network_access_enabled == false
	not rc.change.after_unknown.public_network_access_enabled == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_SQL_001", "public_network_access_enabled") if {
	some t in sql_servers
	some rc in lib.by_type[t]
	rc.change.after_unknown.public_network_access_enabled == true
}

# --- DHARMA_AZURE_SQL_002: firewall rule open to every address ---------------------------------

firewall_rule_types := ["azurerm_mssql_firewall_rule", "azurerm_sql_firewall_rule"]

findings contains lib.fail(rc, "DHARMA_AZURE_SQL_002", "end_ip_address", "the firewall rule admits every IPv4 address (0.0.0.0 - 255.255.255.255)") if {
	some t in firewall_rule_types
	some rc in lib.by_type[t]
	rc.change.after.start_ip_address == "0.0.0.0"
	rc.change.after.end_ip_address == "255.255.255.255"
}

# One end of the range is only known after apply and the other does not rule "every address" out.
findings contains lib.unknown_finding(rc, "DHARMA_AZURE_SQL_002", key) if {
	some t in firewall_rule_types
	some rc in lib.by_type[t]
	some key in ["start_ip_address", "end_ip_address"]
	rc.change.after_unknown[key] == true
	may_be(rc, "start_ip_address", "0.0.0.0")
	may_be(rc, "end_ip_address", "255.255.255.255")
}

may_be(rc, key, value) if rc.change.after[key] == value

may_be(rc, key, _) if rc.change.after_unknown[key] == true

# --- DHARMA_AZURE_SQL_003: auditing missing or short --------------------------------------------

audited contains key if {
	some a in lib.by_type.azurerm_mssql_server_extended_auditing_policy
	not audit_unknown(a)
	object.get(a.change.after, "enabled", true) == true
	retention_ok(a)
	some key in lib.ref_targets(a, "server_id")
}

# Servers (by configuration key) with an auditing policy whose enabled or retention_in_days is only
# known after apply, while the other does not rule the policy out.
audit_undecided contains key if {
	some a in lib.by_type.azurerm_mssql_server_extended_auditing_policy
	audit_unknown(a)
	audit_enabled_maybe(a)
	audit_retention_maybe(a)
	some key in lib.ref_targets(a, "server_id")
}

audit_unknown(a) if a.change.after_unknown.enabled == true

audit_unknown(a) if a.change.after_unknown.retention_in_days == true

audit_enabled_maybe(a) if a.change.after_unknown.enabled == true

audit_enabled_maybe(a) if object.get(a.change.after, "enabled", true) == true

audit_retention_maybe(a) if a.change.after_unknown.retention_in_days == true

audit_retention_maybe(a) if {
	not a.change.after_unknown.retention_in_days == true
	retention_ok(a)
}

retention_ok(a) if {
	days := object.get(a.change.after, "retention_in_days", 0)
	days == 0
}

retention_ok(a) if a.change.after.retention_in_days >= 90

findings contains lib.fail(rc, "DHARMA_AZURE_SQL_003", "", "no azurerm_mssql_server_extended_auditing_policy keeps this server's audit logs for at least 90 days") if {
	some t in sql_servers
	some rc in lib.by_type[t]
	not audited[lib.config_key(rc.address)]
	not audit_undecided[lib.config_key(rc.address)]
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_SQL_003", "azurerm_mssql_server_extended_auditing_policy") if {
	some t in sql_servers
	some rc in lib.by_type[t]
	not audited[lib.config_key(rc.address)]
	audit_undecided[lib.config_key(rc.address)]
}
