# Azure Key Vault and virtual machines.
package dharma.azure.security

import rego.v1

import data.dharma.lib

# --- DHARMA_AZURE_KV_001: purge protection off -------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_KV_001", "purge_protection_enabled", "purge protection is off: a deleted vault and its keys can be purged before the retention period ends") if {
	some rc in lib.by_type.azurerm_key_vault
	not rc.change.after.purge_protection_enabled == true
	not rc.change.after_unknown.purge_protection_enabled == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_KV_001", "purge_protection_enabled") if {
	some rc in lib.by_type.azurerm_key_vault
	rc.change.after_unknown.purge_protection_enabled == true
}

# --- DHARMA_AZURE_KV_002: vault reachable from every network -----------------------------------

# Vaults (by address) not known to deny by default nor to be closed to public networks.
vault_open contains rc.address if {
	some rc in lib.by_type.azurerm_key_vault
	not rc.change.after.public_network_access_enabled == false
	not lib.first_block(rc, "network_acls").default_action == "Deny"
}

# Whether such a vault is reachable is only known after apply: its public network access or its
# network_acls (Optional+Computed: real plans mark it unknown when the configuration leaves it
# unset) is unknown.
vault_network_unknown(rc) if rc.change.after_unknown.public_network_access_enabled == true

vault_network_unknown(rc) if rc.change.after_unknown.network_acls == true

vault_network_unknown(rc) if lib.unknown_at(rc, ["network_acls", 0, "default_action"])

findings contains lib.fail(rc, "DHARMA_AZURE_KV_002", "network_acls.default_action", "the key vault accepts connections from any network (network_acls default_action is not Deny)") if {
	some rc in lib.by_type.azurerm_key_vault
	vault_open[rc.address]
	not vault_network_unknown(rc)
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_KV_002", "network_acls.default_action") if {
	some rc in lib.by_type.azurerm_key_vault
	vault_open[rc.address]
	vault_network_unknown(rc)
}

# --- DHARMA_AZURE_VM_001: Linux VM allows password login ---------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_VM_001", "disable_password_authentication", "SSH password authentication is enabled; use SSH keys") if {
	some rc in lib.by_type.azurerm_linux_virtual_machine
	rc.change.after.disable_password_authentication == false
}

findings contains lib.fail(rc, "DHARMA_AZURE_VM_001", "os_profile_linux_config.disable_password_authentication", "SSH password authentication is enabled; use SSH keys") if {
	some rc in lib.by_type.azurerm_virtual_machine
	some c in lib.block_list(rc, "os_profile_linux_config")
	c.disable_password_authentication == false
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_VM_001", "disable_password_authentication") if {
	some rc in lib.by_type.azurerm_linux_virtual_machine
	rc.change.after_unknown.disable_password_authentication == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_VM_001", "os_profile_linux_config.disable_password_authentication") if {
	some rc in lib.by_type.azurerm_virtual_machine
	some i, _ in lib.block_list(rc, "os_profile_linux_config")
	lib.unknown_at(rc, ["os_profile_linux_config", i, "disable_password_authentication"])
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_VM_001", "os_profile_linux_config.disable_password_authentication") if {
	some rc in lib.by_type.azurerm_virtual_machine
	rc.change.after_unknown.os_profile_linux_config == true
}
