# Azure storage accounts: HTTPS, TLS version, public blob access, network default action.
package dharma.azure.storage

import rego.v1

import data.dharma.lib

# azurerm 4.x renamed some arguments; the 3.x names are read too.
attr(rc, names, fallback) := v if {
	vs := [x | some n in names; x := rc.change.after[n]; x != null]
	count(vs) > 0
	v := vs[0]
}

attr(rc, names, fallback) := fallback if {
	count([x | some n in names; x := rc.change.after[n]; x != null]) == 0
}

any_unknown(rc, names) if {
	some n in names
	rc.change.after_unknown[n] == true
}

https_names := ["https_traffic_only_enabled", "enable_https_traffic_only"]

public_names := ["allow_nested_items_to_be_public", "allow_blob_public_access"]

# --- DHARMA_AZURE_STORAGE_001: HTTP allowed ----------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_STORAGE_001", "https_traffic_only_enabled", "the storage account accepts plain HTTP requests") if {
	some rc in lib.by_type.azurerm_storage_account
	attr(rc, https_names, true) == false
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_STORAGE_001", "https_traffic_only_enabled") if {
	some rc in lib.by_type.azurerm_storage_account
	any_unknown(rc, https_names)
	not attr(rc, https_names, true) == false
}

# --- DHARMA_AZURE_STORAGE_002: minimum TLS below 1.2 -------------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_STORAGE_002", "min_tls_version", sprintf("the minimum TLS version is %s; TLS1_2 is expected", [v])) if {
	some rc in lib.by_type.azurerm_storage_account
	v := rc.change.after.min_tls_version
	v in {"TLS1_0", "TLS1_1"}
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_STORAGE_002", "min_tls_version") if {
	some rc in lib.by_type.azurerm_storage_account
	rc.change.after_unknown.min_tls_version == true
}

# --- DHARMA_AZURE_STORAGE_003: blobs can be public ---------------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_STORAGE_003", "allow_nested_items_to_be_public", "containers of this account may allow anonymous public read access") if {
	some rc in lib.by_type.azurerm_storage_account
	attr(rc, public_names, true) == true
	not any_unknown(rc, public_names)
}

findings contains lib.fail(rc, "DHARMA_AZURE_STORAGE_003", "container_access_type", sprintf("the container allows anonymous %s access", [v])) if {
	some rc in lib.by_type.azurerm_storage_container
	v := rc.change.after.container_access_type
	v in {"blob", "container"}
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_STORAGE_003", "allow_nested_items_to_be_public") if {
	some rc in lib.by_type.azurerm_storage_account
	any_unknown(rc, public_names)
	not attr(rc, public_names, true) == false
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_STORAGE_003", "container_access_type") if {
	some rc in lib.by_type.azurerm_storage_container
	rc.change.after_unknown.container_access_type == true
}

# --- DHARMA_AZURE_STORAGE_004: network access not denied by default ----------------------------

network_rules_denied contains key if {
	some r in lib.by_type.azurerm_storage_account_network_rules
	r.change.after.default_action == "Deny"
	some key in lib.ref_targets(r, "storage_account_id")
}

network_rules_unknown contains key if {
	some r in lib.by_type.azurerm_storage_account_network_rules
	r.change.after_unknown.default_action == true
	some key in lib.ref_targets(r, "storage_account_id")
}

# Accounts (by address) that are not known to deny by default nor to be closed to public networks.
storage_open contains rc.address if {
	some rc in lib.by_type.azurerm_storage_account
	not rc.change.after.public_network_access_enabled == false
	not lib.first_block(rc, "network_rules").default_action == "Deny"
	not network_rules_denied[lib.config_key(rc.address)]
}

# Whether such an account is reachable is only known after apply: its public network access, its
# inline network_rules or a separate azurerm_storage_account_network_rules is unknown.
storage_network_unknown(rc) if rc.change.after_unknown.public_network_access_enabled == true

storage_network_unknown(rc) if rc.change.after_unknown.network_rules == true

storage_network_unknown(rc) if lib.unknown_at(rc, ["network_rules", 0, "default_action"])

storage_network_unknown(rc) if network_rules_unknown[lib.config_key(rc.address)]

findings contains lib.fail(rc, "DHARMA_AZURE_STORAGE_004", "network_rules.default_action", "the storage account accepts connections from any network (network_rules default_action is not Deny)") if {
	some rc in lib.by_type.azurerm_storage_account
	storage_open[rc.address]
	not storage_network_unknown(rc)
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_STORAGE_004", "network_rules.default_action") if {
	some rc in lib.by_type.azurerm_storage_account
	storage_open[rc.address]
	storage_network_unknown(rc)
}
