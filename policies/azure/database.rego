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

# --- DHARMA_AZURE_SQL_002: firewall rule open to every address ---------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_SQL_002", "end_ip_address", "the firewall rule admits every IPv4 address (0.0.0.0 - 255.255.255.255)") if {
	some t in ["azurerm_mssql_firewall_rule", "azurerm_sql_firewall_rule"]
	some rc in lib.by_type[t]
	rc.change.after.start_ip_address == "0.0.0.0"
	rc.change.after.end_ip_address == "255.255.255.255"
}

# --- DHARMA_AZURE_SQL_003: auditing missing or short --------------------------------------------

audited contains key if {
	some a in lib.by_type.azurerm_mssql_server_extended_auditing_policy
	object.get(a.change.after, "enabled", true) == true
	retention_ok(a)
	some key in lib.ref_targets(a, "server_id")
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
}
