# Google Cloud SQL: open authorized networks, public IP, TLS, backups.
package dharma.gcp.database

import rego.v1

import data.dharma.lib

settings(rc) := lib.first_block(rc, "settings")

ip_config(rc) := c if {
	bs := lib.blocks(object.get(settings(rc), "ip_configuration", []))
	count(bs) > 0
	c := bs[0]
}

ip_config(rc) := {} if count(lib.blocks(object.get(settings(rc), "ip_configuration", []))) == 0

ipv4_enabled(rc) if object.get(ip_config(rc), "ipv4_enabled", true) == true

# Whether the instance has a public IPv4 address is only known after apply (real plans mark
# ip_configuration, Optional+Computed, unknown when the configuration leaves it unset).
ipv4_unknown(rc) if rc.change.after_unknown.settings == true

ipv4_unknown(rc) if lib.unknown_at(rc, ["settings", 0, "ip_configuration", 0, "ipv4_enabled"])

ip_path := ["settings", 0, "ip_configuration", 0]

# --- DHARMA_GCP_SQL_001: authorized network open to the world -----------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_SQL_001", sprintf("settings.ip_configuration.authorized_networks[%d].value", [i]), sprintf("the instance accepts connections from %s", [n.value])) if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	not ipv4_unknown(rc)
	some i, n in lib.blocks(object.get(ip_config(rc), "authorized_networks", []))
	lib.is_world(n.value)
}

# A world network on an instance whose public address is only known after apply, or a network
# only known after apply on an instance that may have a public address.
findings contains lib.unknown_finding(rc, "DHARMA_GCP_SQL_001", sprintf("settings.ip_configuration.authorized_networks[%d].value", [i])) if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	ipv4_unknown(rc)
	some i, n in lib.blocks(object.get(ip_config(rc), "authorized_networks", []))
	lib.is_world(n.value)
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_SQL_001", sprintf("settings.ip_configuration.authorized_networks[%d].value", [i])) if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	rc.change.after_unknown.settings
	some i, _ in lib.blocks(object.get(ip_config(rc), "authorized_networks", []))
	lib.unknown_at(rc, array.concat(ip_path, ["authorized_networks", i, "value"]))
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_SQL_001", "settings.ip_configuration.authorized_networks") if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	count(lib.blocks(object.get(ip_config(rc), "authorized_networks", []))) == 0
	lib.unknown_at(rc, array.concat(ip_path, ["authorized_networks"]))
}

# --- DHARMA_GCP_SQL_002: public IPv4 address ----------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_SQL_002", "settings.ip_configuration.ipv4_enabled", "the instance has a public IPv4 address (ipv4_enabled is not false)") if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	not rc.change.after_unknown.settings == true
	not lib.unknown_at(rc, ["settings", 0, "ip_configuration", 0, "ipv4_enabled"])
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_SQL_002", "settings.ip_configuration.ipv4_enabled") if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	ipv4_unknown(rc)
}

# --- DHARMA_GCP_SQL_003: connections without TLS ------------------------------------------------

tls_modes := {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}

tls_required(rc) if ip_config(rc).ssl_mode in tls_modes

tls_required(rc) if ip_config(rc).require_ssl == true

# The TLS mode is only known after apply (real plans mark ip_configuration, Optional+Computed,
# unknown when the configuration leaves it unset).
tls_unknown(rc) if lib.unknown_at(rc, ["settings", 0, "ip_configuration", 0, "ssl_mode"])

tls_unknown(rc) if rc.change.after_unknown.settings == true

findings contains lib.fail(rc, "DHARMA_GCP_SQL_003", "settings.ip_configuration.ssl_mode", "unencrypted connections are accepted (ssl_mode is not ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED)") if {
	some rc in lib.by_type.google_sql_database_instance
	not tls_required(rc)
	not tls_unknown(rc)
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_SQL_003", "settings.ip_configuration.ssl_mode") if {
	some rc in lib.by_type.google_sql_database_instance
	not tls_required(rc)
	tls_unknown(rc)
}

# --- DHARMA_GCP_SQL_004: backups off ------------------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_SQL_004", "settings.backup_configuration.enabled", "automated backups are off") if {
	some rc in lib.by_type.google_sql_database_instance
	not backups_on(rc)
	not rc.change.after_unknown.settings == true
	not lib.unknown_at(rc, ["settings", 0, "backup_configuration", 0, "enabled"])
}

findings contains lib.unknown_finding(rc, "DHARMA_GCP_SQL_004", "settings.backup_configuration.enabled") if {
	some rc in lib.by_type.google_sql_database_instance
	not backups_on(rc)
	backups_unknown(rc)
}

backups_unknown(rc) if rc.change.after_unknown.settings == true

backups_unknown(rc) if lib.unknown_at(rc, ["settings", 0, "backup_configuration", 0, "enabled"])

backups_on(rc) if {
	some b in lib.blocks(object.get(settings(rc), "backup_configuration", []))
	b.enabled == true
}
