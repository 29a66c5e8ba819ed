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

# --- DHARMA_GCP_SQL_001: authorized network open to the world -----------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_SQL_001", sprintf("settings.ip_configuration.authorized_networks[%d].value", [i]), sprintf("the instance accepts connections from %s", [n.value])) if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	some i, n in lib.blocks(object.get(ip_config(rc), "authorized_networks", []))
	lib.is_world(n.value)
}

# --- DHARMA_GCP_SQL_002: public IPv4 address ----------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_SQL_002", "settings.ip_configuration.ipv4_enabled", "the instance has a public IPv4 address (ipv4_enabled is not false)") if {
	some rc in lib.by_type.google_sql_database_instance
	ipv4_enabled(rc)
	not rc.change.after_unknown.settings == true
	not lib.unknown_at(rc, ["settings", 0, "ip_configuration", 0, "ipv4_enabled"])
}

# --- DHARMA_GCP_SQL_003: connections without TLS ------------------------------------------------

tls_modes := {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}

tls_required(rc) if ip_config(rc).ssl_mode in tls_modes

tls_required(rc) if ip_config(rc).require_ssl == true

tls_required(rc) if lib.unknown_at(rc, ["settings", 0, "ip_configuration", 0, "ssl_mode"])

tls_required(rc) if rc.change.after_unknown.settings == true

findings contains lib.fail(rc, "DHARMA_GCP_SQL_003", "settings.ip_configuration.ssl_mode", "unencrypted connections are accepted (ssl_mode is not ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED)") if {
	some rc in lib.by_type.google_sql_database_instance
	not tls_required(rc)
}

# --- DHARMA_GCP_SQL_004: backups off ------------------------------------------------------------

findings contains lib.fail(rc, "DHARMA_GCP_SQL_004", "settings.backup_configuration.enabled", "automated backups are off") if {
	some rc in lib.by_type.google_sql_database_instance
	not backups_on(rc)
	not rc.change.after_unknown.settings == true
	not lib.unknown_at(rc, ["settings", 0, "backup_configuration", 0, "enabled"])
}

backups_on(rc) if {
	some b in lib.blocks(object.get(settings(rc), "backup_configuration", []))
	b.enabled == true
}
