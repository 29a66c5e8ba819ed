"""Checks every property path of generated ARM templates against the Azure REST API models.

The Azure SDK for Python management packages (azure-mgmt-*, PyPI) are generated from the Azure
REST API specifications; each model's `_attribute_map` gives the wire path of every property
(`properties.addressSpace`). This walks each resource of an `azuredeploy.json` through the model
of its type and reports keys the API does not know. Template-level keys (`type`, `apiVersion`,
`dependsOn`, `copy`, `scope`, `comments`) and map-valued properties (tags, labels) are not walked.

usage: python sdk_paths.py azuredeploy.json...
"""
import enum
import importlib
import json
import re
import sys
import types
import typing

MODELS = {
    "Microsoft.Network/virtualNetworks": ("azure.mgmt.network.models", "VirtualNetwork"),
    "Microsoft.Network/virtualNetworks/subnets": ("azure.mgmt.network.models", "Subnet"),
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings": ("azure.mgmt.network.models", "VirtualNetworkPeering"),
    "Microsoft.Network/networkSecurityGroups": ("azure.mgmt.network.models", "NetworkSecurityGroup"),
    "Microsoft.Network/networkSecurityGroups/securityRules": ("azure.mgmt.network.models", "SecurityRule"),
    "Microsoft.Network/publicIPAddresses": ("azure.mgmt.network.models", "PublicIPAddress"),
    "Microsoft.Network/natGateways": ("azure.mgmt.network.models", "NatGateway"),
    "Microsoft.Network/networkInterfaces": ("azure.mgmt.network.models", "NetworkInterface"),
    "Microsoft.Network/routeTables": ("azure.mgmt.network.models", "RouteTable"),
    "Microsoft.Network/privateEndpoints": ("azure.mgmt.network.models", "PrivateEndpoint"),
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups": ("azure.mgmt.network.models", "PrivateDnsZoneGroup"),
    "Microsoft.Network/loadBalancers": ("azure.mgmt.network.models", "LoadBalancer"),
    "Microsoft.Network/loadBalancers/backendAddressPools": ("azure.mgmt.network.models", "BackendAddressPool"),
    "Microsoft.Network/networkWatchers/flowLogs": ("azure.mgmt.network.models", "FlowLog"),
    "Microsoft.Network/privateDnsZones": ("azure.mgmt.privatedns.models", "PrivateZone"),
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks": ("azure.mgmt.privatedns.models", "VirtualNetworkLink"),
    "Microsoft.Network/dnsZones": ("azure.mgmt.dns.models", "Zone"),
    "Microsoft.Network/dnsZones/A": ("azure.mgmt.dns.models", "RecordSet"),
    "Microsoft.Network/dnsZones/CNAME": ("azure.mgmt.dns.models", "RecordSet"),
    "Microsoft.ManagedIdentity/userAssignedIdentities": ("azure.mgmt.msi.models", "Identity"),
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials": ("azure.mgmt.msi.models", "FederatedIdentityCredential"),
    "Microsoft.Authorization/roleAssignments": ("azure.mgmt.authorization.models", "RoleAssignmentCreateParameters"),
    "Microsoft.Resources/tags": ("azure.mgmt.resource.resources.models", "TagsResource"),
    "Microsoft.KeyVault/vaults": ("azure.mgmt.keyvault.models", "VaultCreateOrUpdateParameters"),
    "Microsoft.KeyVault/vaults/keys": ("azure.mgmt.keyvault.models", "KeyCreateParameters"),
    "Microsoft.KeyVault/vaults/secrets": ("azure.mgmt.keyvault.models", "SecretCreateOrUpdateParameters"),
    "Microsoft.OperationalInsights/workspaces": ("azure.mgmt.loganalytics.models", "Workspace"),
    "Microsoft.Insights/components": ("azure.mgmt.applicationinsights.v2020_02_02.models", "ApplicationInsightsComponent"),
    "Microsoft.Insights/diagnosticSettings": ("azure.mgmt.monitor.v2021_05_01_preview.models", "DiagnosticSettingsResource"),
    "Microsoft.Storage/storageAccounts": ("azure.mgmt.storage.models", "StorageAccountCreateParameters"),
    "Microsoft.Storage/storageAccounts/blobServices": ("azure.mgmt.storage.models", "BlobServiceProperties"),
    "Microsoft.Storage/storageAccounts/blobServices/containers": ("azure.mgmt.storage.models", "BlobContainer"),
    "Microsoft.Storage/storageAccounts/fileServices/shares": ("azure.mgmt.storage.models", "FileShare"),
    "Microsoft.Compute/disks": ("azure.mgmt.compute.models", "Disk"),
    "Microsoft.Compute/virtualMachines": ("azure.mgmt.compute.models", "VirtualMachine"),
    "Microsoft.Compute/virtualMachineScaleSets": ("azure.mgmt.compute.models", "VirtualMachineScaleSet"),
    "Microsoft.ContainerRegistry/registries": ("azure.mgmt.containerregistry.models", "Registry"),
    "Microsoft.ContainerService/managedClusters": ("azure.mgmt.containerservice.models", "ManagedCluster"),
    "Microsoft.ContainerService/managedClusters/agentPools": ("azure.mgmt.containerservice.models", "AgentPool"),
    "Microsoft.ContainerService/managedClusters/maintenanceConfigurations": ("azure.mgmt.containerservice.models", "MaintenanceConfiguration"),
    "Microsoft.Web/serverfarms": ("azure.mgmt.web.models", "AppServicePlan"),
    "Microsoft.Web/sites": ("azure.mgmt.web.models", "Site"),
    "Microsoft.Web/sites/basicPublishingCredentialsPolicies": ("azure.mgmt.web.models", "CsmPublishingCredentialsPoliciesEntity"),
    "Microsoft.DBforPostgreSQL/flexibleServers": ("azure.mgmt.postgresqlflexibleservers.models", "Server"),
    "Microsoft.DBforPostgreSQL/flexibleServers/configurations": ("azure.mgmt.postgresqlflexibleservers.models", "Configuration"),
    "Microsoft.DBforPostgreSQL/flexibleServers/databases": ("azure.mgmt.postgresqlflexibleservers.models", "Database"),
    "Microsoft.DBforMySQL/flexibleServers": ("azure.mgmt.rdbms.mysql_flexibleservers.models", "Server"),
    "Microsoft.Sql/servers": ("azure.mgmt.sql.models", "Server"),
    "Microsoft.Sql/servers/databases": ("azure.mgmt.sql.models", "Database"),
    "Microsoft.DocumentDB/databaseAccounts": ("azure.mgmt.cosmosdb.models", "DatabaseAccountCreateUpdateParameters"),
    "Microsoft.Cache/redis": ("azure.mgmt.redis.models", "RedisCreateParameters"),
    "Microsoft.ServiceBus/namespaces": ("azure.mgmt.servicebus.models", "SBNamespace"),
    "Microsoft.ServiceBus/namespaces/queues": ("azure.mgmt.servicebus.models", "SBQueue"),
    "Microsoft.ServiceBus/namespaces/topics": ("azure.mgmt.servicebus.models", "SBTopic"),
    "Microsoft.Cdn/profiles": ("azure.mgmt.cdn.models", "Profile"),
    "Microsoft.Cdn/profiles/afdEndpoints": ("azure.mgmt.cdn.models", "AFDEndpoint"),
    "Microsoft.ApiManagement/service": ("azure.mgmt.apimanagement.models", "ApiManagementServiceResource"),
}
# Types whose models are not in the packages installed here: their few properties, from the
# Microsoft.Authorization REST API reference (management locks, 2020-05-01).
LOCAL = {
    "Microsoft.Authorization/locks": {"properties": {"level": None, "notes": None, "owners": None}},
}
TEMPLATE_KEYS = {"type", "apiVersion", "name", "dependsOn", "copy", "scope", "comments", "condition"}
SPLIT = re.compile(r"(?<!\\)\.")


def tree(module, cls):
    """The wire tree of a model: key -> subtree (dict) or a node to expand lazily."""
    out = {}
    if hasattr(cls, "_attribute_map"):  # msrest-style models
        for attr in cls._attribute_map.values():
            parts = [p.replace("\\.", ".") for p in SPLIT.split(attr["key"])]
            node = out
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = ("old", module, attr["type"])
        return out
    # TypeSpec-style models: rest fields with type annotations.
    cls()  # computes _attr_to_rest_field
    namespace = dict(vars(sys.modules[cls.__module__]))
    namespace["_models"] = module
    hints = typing.get_type_hints(cls, globalns=namespace)
    for attr, field in cls._attr_to_rest_field.items():
        out[field._rest_name] = ("ann", module, hints.get(attr))
    return out


def model_of(ann):
    """The model class, list item or None (a leaf) of an annotation."""
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        for a in typing.get_args(ann):
            if a is type(None):
                continue
            m = model_of(a)
            if m is not None:
                return m
        return None
    if origin in (list, typing.List):
        inner = typing.get_args(ann)
        return ("list", inner[0] if inner else None)
    if isinstance(ann, type) and (hasattr(ann, "_is_model") or hasattr(ann, "_attribute_map")) and not issubclass(ann, enum.Enum):
        return ann
    return None


def walk(value, node, at, problems):
    if node is None:
        return
    if isinstance(node, tuple) and node[0] == "old":
        _, module, ty = node
        if ty.startswith("[") and ty.endswith("]"):
            if isinstance(value, list):
                for n, item in enumerate(value):
                    walk(item, ("old", module, ty[1:-1]), f"{at}[{n}]", problems)
            return
        cls = getattr(module, ty, None)
        if ty.startswith("{") or cls is None or not hasattr(cls, "_attribute_map"):
            return
        node = tree(module, cls)
    elif isinstance(node, tuple) and node[0] == "ann":
        _, module, ann = node
        m = model_of(ann)
        if m is None:
            return
        if isinstance(m, tuple):
            if isinstance(value, list):
                for n, item in enumerate(value):
                    walk(item, ("ann", module, m[1]), f"{at}[{n}]", problems)
            return
        node = tree(module, m)
    if not isinstance(value, dict):
        return
    lower = {k.lower(): k for k in node}
    for k, v in value.items():
        if k.startswith("["):
            continue  # an expression as a key (userAssignedIdentities)
        key = lower.get(k.lower())
        if key is None:
            problems.append(f"{at}.{k}: not a property of this type (known: {', '.join(sorted(node))})")
            continue
        walk(v, node[key], f"{at}.{k}", problems)


def main(paths):
    problems, checked = [], 0
    for path in paths:
        doc = json.load(open(path))
        for n, r in enumerate(doc.get("resources", [])):
            body = {k: v for k, v in r.items() if k not in TEMPLATE_KEYS}
            if r.get("type") in LOCAL:
                walk(body, LOCAL[r["type"]], f"{path}: resources[{n}] ({r['type']})", problems)
                checked += 1
                continue
            spec = MODELS.get(r.get("type"))
            if spec is None:
                problems.append(f"{path}: resources[{n}] {r.get('type')}: no model known to this check")
                continue
            module = importlib.import_module(spec[0])
            cls = getattr(module, spec[1])
            walk(body, tree(module, cls), f"{path}: resources[{n}] ({r['type']})", problems)
            checked += 1
    for p in problems:
        print(p)
    print(f"{checked} resources checked against the Azure REST API models, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
