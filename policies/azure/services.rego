# Azure Kubernetes Service and App Service.
package dharma.azure.services

import rego.v1

import data.dharma.lib

# --- DHARMA_AZURE_AKS_001: Kubernetes RBAC off -------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_AKS_001", "role_based_access_control_enabled", "Kubernetes role-based access control is disabled") if {
	some rc in lib.by_type.azurerm_kubernetes_cluster
	rc.change.after.role_based_access_control_enabled == false
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_AKS_001", "role_based_access_control_enabled") if {
	some rc in lib.by_type.azurerm_kubernetes_cluster
	rc.change.after_unknown.role_based_access_control_enabled == true
}

# --- DHARMA_AZURE_AKS_002: API server open to every address ------------------------------------

restricted(rc) if rc.change.after.private_cluster_enabled == true

restricted(rc) if {
	some p in lib.block_list(rc, "api_server_access_profile")
	count(lib.list(object.get(p, "authorized_ip_ranges", []))) > 0
}

restricted(rc) if count(lib.list(object.get(rc.change.after, "api_server_authorized_ip_ranges", []))) > 0

# Whether the API server is restricted is only known after apply: the access profile, its
# authorized ranges, the 3.x api_server_authorized_ip_ranges or private_cluster_enabled is unknown.
restriction_unknown(rc) if rc.change.after_unknown.api_server_access_profile == true

restriction_unknown(rc) if lib.unknown_at(rc, ["api_server_access_profile", 0, "authorized_ip_ranges"])

restriction_unknown(rc) if lib.unknown_at(rc, ["api_server_authorized_ip_ranges"])

restriction_unknown(rc) if rc.change.after_unknown.private_cluster_enabled == true

findings contains lib.fail(rc, "DHARMA_AZURE_AKS_002", "api_server_access_profile.authorized_ip_ranges", "the cluster's API server is public and accepts any source address (no authorized IP ranges, not private)") if {
	some rc in lib.by_type.azurerm_kubernetes_cluster
	not restricted(rc)
	not restriction_unknown(rc)
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_AKS_002", "api_server_access_profile.authorized_ip_ranges") if {
	some rc in lib.by_type.azurerm_kubernetes_cluster
	not restricted(rc)
	restriction_unknown(rc)
}

# --- DHARMA_AZURE_APP_001: App Service not HTTPS-only ------------------------------------------

app_types := ["azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service", "azurerm_linux_function_app", "azurerm_windows_function_app"]

findings contains lib.fail(rc, "DHARMA_AZURE_APP_001", "https_only", "the app accepts plain HTTP (https_only is not true)") if {
	some t in app_types
	some rc in lib.by_type[t]
	not rc.change.after.https_only == true
	not rc.change.after_unknown.https_only == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_APP_001", "https_only") if {
	some t in app_types
	some rc in lib.by_type[t]
	rc.change.after_unknown.https_only == true
}

# --- DHARMA_AZURE_APP_002: App Service minimum TLS below 1.2 -----------------------------------

findings contains lib.fail(rc, "DHARMA_AZURE_APP_002", "site_config.minimum_tls_version", sprintf("the minimum TLS version is %s; 1.2 is expected", [v])) if {
	some t in app_types
	some rc in lib.by_type[t]
	some c in lib.block_list(rc, "site_config")
	v := object.get(c, "minimum_tls_version", "1.2")
	v in {"1.0", "1.1"}
}

findings contains lib.unknown_finding(rc, "DHARMA_AZURE_APP_002", "site_config.minimum_tls_version") if {
	some t in app_types
	some rc in lib.by_type[t]
	tls_version_unknown(rc)
}

tls_version_unknown(rc) if rc.change.after_unknown.site_config == true

tls_version_unknown(rc) if {
	rc.change.after_unknown.site_config
	some i, _ in lib.block_list(rc, "site_config")
	lib.unknown_at(rc, ["site_config", i, "minimum_tls_version"])
}
