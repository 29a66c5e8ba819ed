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

# --- DHARMA_AZURE_KV_002: vault reachable from every network -----------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_KV_002", "network_acls.default_action", "the key vault accepts connections from any network (network_acls default_action is not Deny)") if {
	some rc in lib.by_type.azurerm_key_vault
	not rc.change.after.public_network_access_enabled == false
	not lib.first_block(rc, "network_acls").default_action == "Deny"
	not rc.change.after_unknown.network_acls == true
	not lib.unknown_at(rc, ["network_acls", 0, "default_action"])
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
