//! What the engine knows about each provider: its regions, the resource types it knows well (kind,
//! aliases, exported attributes, arguments that force replacement, sensitive arguments), and the
//! Terraform argument schema of every resource type.
//!
//! The catalog is data (`catalog/<provider>.yaml`, embedded at build time) so that later layers —
//! format mappings, prices — extend the same entries. Each provider's file is parsed the first time
//! a blueprint of that provider needs it.

pub mod schema;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use schema::{provider_schema, ArgType, Argument, BlockSchema, ProviderSchema};

use crate::suggest::did_you_mean;

/// A cloud provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Amazon Web Services (Terraform provider `hashicorp/aws`).
    Aws,
    /// Microsoft Azure (Terraform provider `hashicorp/azurerm`).
    Azure,
    /// Google Cloud (Terraform provider `hashicorp/google`).
    Gcp,
}

impl Provider {
    /// All providers.
    pub const ALL: [Provider; 3] = [Provider::Aws, Provider::Azure, Provider::Gcp];

    /// The blueprint spelling: `aws`, `azure`, `gcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Azure => "azure",
            Provider::Gcp => "gcp",
        }
    }

    /// The Terraform provider's local name: `aws`, `azurerm`, `google`.
    pub fn terraform_name(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Azure => "azurerm",
            Provider::Gcp => "google",
        }
    }

    /// The prefix of the provider's Terraform resource types (`aws_`, `azurerm_`, `google_`).
    pub fn type_prefix(self) -> &'static str {
        match self {
            Provider::Aws => "aws_",
            Provider::Azure => "azurerm_",
            Provider::Gcp => "google_",
        }
    }

    /// The argument that holds a resource's tags: `tags` (AWS, Azure) or `labels` (GCP).
    pub fn tag_argument(self) -> &'static str {
        match self {
            Provider::Aws | Provider::Azure => "tags",
            Provider::Gcp => "labels",
        }
    }

    /// The provider that owns a Terraform type name, from its prefix.
    pub fn owning(type_name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| type_name.starts_with(p.type_prefix()))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "aws" => Ok(Provider::Aws),
            "azure" => Ok(Provider::Azure),
            "gcp" => Ok(Provider::Gcp),
            other => Err(format!(
                "unknown provider `{other}`; expected one of aws, azure, gcp"
            )),
        }
    }
}

/// A region of a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The identifier used in configuration (`us-east-1`, `westeurope`, `europe-west1`).
    pub id: String,
    /// The display name (`US East (N. Virginia)`, `West Europe`, `Belgium`).
    pub name: String,
}

/// The Terraform provider requirement written into generated configurations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerraformProvider {
    /// Registry source, e.g. `hashicorp/aws`.
    pub source: String,
    /// Version constraint, e.g. `~> 6.0`.
    pub version: String,
}

/// What the catalog knows about one resource type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogType {
    /// Provider-neutral kind (`network`, `subnet`, `vm`, `object_bucket`, ...).
    pub kind: String,
    /// Short names a blueprint may use instead of the type name.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Attributes the type exports besides its arguments (computed: `id`, `arn`, `dns_name`, ...).
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Arguments whose change forces the resource to be replaced (destroyed and created again).
    #[serde(default)]
    pub force_new: Vec<String>,
    /// Arguments whose change forces a replacement only when a boolean argument of the new
    /// configuration is true: argument -> that boolean (`aws_instance.user_data` ->
    /// `user_data_replace_on_change`).
    #[serde(default)]
    pub force_new_when: BTreeMap<String, String>,
    /// The provider's documented defaults of force-new arguments (`aws_sqs_queue.fifo_queue`:
    /// `false`): writing the default where the argument was absent, or removing it where it was
    /// written, is no change (the provider plans the default either way).
    #[serde(default)]
    pub defaults: BTreeMap<String, serde_json::Value>,
    /// Arguments whose values are secret (masked in plans and outputs).
    #[serde(default)]
    pub sensitive: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    provider: Provider,
    terraform: TerraformProvider,
    regions: Vec<Region>,
    #[serde(default)]
    tag_arguments: BTreeMap<String, Option<String>>,
    types: BTreeMap<String, CatalogType>,
}

/// The catalog of one provider.
#[derive(Debug)]
pub struct ProviderCatalog {
    /// The provider.
    pub provider: Provider,
    /// The Terraform provider requirement.
    pub terraform: TerraformProvider,
    /// Known regions, in the file's order.
    pub regions: Vec<Region>,
    /// Well-known resource types, by Terraform type name.
    pub types: BTreeMap<String, CatalogType>,
    /// Exceptions to the provider's tag argument (`tags`/`labels`): types whose tags live in
    /// another argument (`Some`), or whose argument of that name is not resource tags (`None`).
    pub tag_arguments: BTreeMap<String, Option<String>>,
    aliases: HashMap<String, String>,
    region_index: HashMap<String, usize>,
    /// A problem found while loading the embedded data (empty when the data is sound).
    pub load_error: Option<String>,
}

// `catalog/<provider>.yaml`, embedded compressed (see `crate::embedded`).
static AWS_YAML: &[u8] = crate::embedded::packed!("catalog-aws.yaml");
static AZURE_YAML: &[u8] = crate::embedded::packed!("catalog-azure.yaml");
static GCP_YAML: &[u8] = crate::embedded::packed!("catalog-gcp.yaml");

/// The catalog of a provider (parsed on first use, then shared).
pub fn catalog(provider: Provider) -> &'static ProviderCatalog {
    static CELLS: [OnceLock<ProviderCatalog>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (cell, text) = match provider {
        Provider::Aws => (&CELLS[0], AWS_YAML),
        Provider::Azure => (&CELLS[1], AZURE_YAML),
        Provider::Gcp => (&CELLS[2], GCP_YAML),
    };
    cell.get_or_init(|| ProviderCatalog::load(provider, &crate::embedded::text(text)))
}

impl ProviderCatalog {
    fn load(provider: Provider, text: &str) -> ProviderCatalog {
        let mut load_error = None;
        let file = match yaml_serde::from_str::<CatalogFile>(text) {
            Ok(f) if f.provider == provider => Some(f),
            Ok(f) => {
                load_error = Some(format!(
                    "catalog file for {provider} declares provider {}",
                    f.provider
                ));
                None
            }
            Err(e) => {
                load_error = Some(format!("catalog file for {provider}: {e}"));
                None
            }
        };
        let (terraform, regions, types, tag_arguments) = match file {
            Some(f) => (f.terraform, f.regions, f.types, f.tag_arguments),
            None => (
                TerraformProvider {
                    source: format!("hashicorp/{}", provider.terraform_name()),
                    version: String::new(),
                },
                Vec::new(),
                BTreeMap::new(),
                BTreeMap::new(),
            ),
        };
        let mut aliases = HashMap::new();
        for (type_name, entry) in &types {
            for alias in &entry.aliases {
                aliases.insert(alias.clone(), type_name.clone());
            }
        }
        let region_index = regions
            .iter()
            .enumerate()
            .flat_map(|(i, r)| [(r.id.clone(), i), (normalize_region(&r.name), i)].into_iter())
            .collect();
        ProviderCatalog {
            provider,
            terraform,
            regions,
            types,
            tag_arguments,
            aliases,
            region_index,
            load_error,
        }
    }

    /// The catalog entry of a Terraform type, if the catalog knows it.
    pub fn get(&self, type_name: &str) -> Option<&CatalogType> {
        self.types.get(type_name)
    }

    /// The Terraform type an alias stands for.
    pub fn alias(&self, alias: &str) -> Option<&str> {
        self.aliases.get(alias).map(String::as_str)
    }

    /// All aliases, sorted.
    pub fn alias_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.aliases.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// The region with this id (or, on Azure, display name such as `West Europe`).
    pub fn region(&self, region: &str) -> Option<&Region> {
        let i = self
            .region_index
            .get(region)
            .or_else(|| self.region_index.get(&normalize_region(region)))?;
        self.regions.get(*i)
    }

    /// The argument that holds a type's tags (labels on GCP), if the type is taggable: the
    /// provider's `tags`/`labels` when the type has it as a map of strings, unless the catalog
    /// names an exception.
    pub fn tag_argument(&self, type_name: &str) -> Option<&str> {
        let name = match self.tag_arguments.get(type_name) {
            Some(exception) => exception.as_deref()?,
            None => self.provider.tag_argument(),
        };
        let arg = provider_schema(self.provider).get(type_name)?.get(name)?;
        match &arg.ty {
            ArgType::Map(inner) if matches!(**inner, ArgType::String | ArgType::Any) => {
                // Hand back the schema's own string, which lives as long as the schema.
                Some(arg.name.as_str())
            }
            _ => None,
        }
    }

    /// The closest region id to a misspelled one.
    pub fn suggest_region(&self, region: &str) -> Option<String> {
        did_you_mean(region, self.regions.iter().map(|r| r.id.as_str()))
    }
}

/// Azure accepts display names in any case and spacing (`West Europe` = `westeurope`).
fn normalize_region(region: &str) -> String {
    region
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a resource's written type resolved against a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeResolution {
    /// A Terraform type of the provider (written directly, or through an alias).
    Known {
        /// The Terraform type name.
        type_name: String,
        /// The alias used, if any.
        alias: Option<String>,
    },
    /// A type (or alias) of another provider.
    OtherProvider {
        /// The provider that owns the type.
        owner: Provider,
        /// The Terraform type name on that provider.
        type_name: String,
    },
    /// Not a known type or alias.
    Unknown {
        /// The closest known type or alias of the blueprint's provider.
        suggestion: Option<String>,
    },
}

/// Resolves a written resource type (a Terraform type name or an alias) for a provider.
///
/// ```
/// use iac_dharma::catalog::{resolve_type, Provider, TypeResolution};
/// assert!(matches!(resolve_type(Provider::Aws, "vpc"), TypeResolution::Known { type_name, .. } if type_name == "aws_vpc"));
/// assert!(matches!(resolve_type(Provider::Aws, "azurerm_subnet"), TypeResolution::OtherProvider { owner: Provider::Azure, .. }));
/// ```
pub fn resolve_type(provider: Provider, written: &str) -> TypeResolution {
    let schema = provider_schema(provider);
    let cat = catalog(provider);
    if schema.contains(written) || cat.get(written).is_some() {
        return TypeResolution::Known {
            type_name: written.to_string(),
            alias: None,
        };
    }
    if let Some(type_name) = cat.alias(written) {
        return TypeResolution::Known {
            type_name: type_name.to_string(),
            alias: Some(written.to_string()),
        };
    }
    for other in Provider::ALL.into_iter().filter(|p| *p != provider) {
        if provider_schema(other).contains(written) {
            return TypeResolution::OtherProvider {
                owner: other,
                type_name: written.to_string(),
            };
        }
    }
    // An alias only another provider has (e.g. `s3_bucket` on azure).
    for other in Provider::ALL.into_iter().filter(|p| *p != provider) {
        if let Some(type_name) = catalog(other).alias(written) {
            return TypeResolution::OtherProvider {
                owner: other,
                type_name: type_name.to_string(),
            };
        }
    }
    let aliases = cat.alias_names();
    let suggestion = did_you_mean(written, schema.type_names().chain(aliases.iter().copied()));
    TypeResolution::Unknown { suggestion }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogs_load_cleanly() {
        for p in Provider::ALL {
            let c = catalog(p);
            assert_eq!(c.load_error, None, "{p}");
            assert!(!c.regions.is_empty(), "{p} has regions");
            for t in c.types.keys() {
                assert!(
                    provider_schema(p).contains(t),
                    "catalog type {t} is not in the {p} schema"
                );
            }
        }
    }

    #[test]
    fn force_new_and_sensitive_are_top_level_arguments() {
        for p in Provider::ALL {
            let schema = provider_schema(p);
            for (t, entry) in &catalog(p).types {
                let arguments = schema.get(t);
                assert!(
                    arguments.is_some(),
                    "catalog type {t} is not in the {p} schema"
                );
                let when: Vec<String> = entry
                    .force_new_when
                    .iter()
                    .flat_map(|(k, v)| [k.clone(), v.clone()])
                    .collect();
                for (field, names) in [
                    ("force_new", &entry.force_new),
                    ("sensitive", &entry.sensitive),
                    ("force_new_when", &when),
                ] {
                    for name in names {
                        assert!(
                            arguments.is_some_and(|a| a.get(name).is_some()),
                            "{p} {t}: {field} entry `{name}` is not a top-level argument"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn defaults_are_of_force_new_scalar_arguments() {
        // The table says when a change is no change: only for arguments whose change would
        // otherwise replace, and only scalars (compared with Terraform's conversions).
        for p in Provider::ALL {
            for (t, entry) in &catalog(p).types {
                for (name, value) in &entry.defaults {
                    assert!(
                        entry.force_new.contains(name) || entry.force_new_when.contains_key(name),
                        "{p} {t}: default of `{name}`, which is not force-new"
                    );
                    assert!(
                        value.is_boolean() || value.is_string() || value.is_number(),
                        "{p} {t}: default of `{name}` is not a scalar"
                    );
                }
            }
        }
    }

    #[test]
    fn attributes_are_computed_only() {
        // `attributes` lists what a type exports besides its arguments; `id` is listed always.
        for p in Provider::ALL {
            let schema = provider_schema(p);
            for (t, entry) in &catalog(p).types {
                assert!(
                    entry.attributes.iter().any(|a| a == "id"),
                    "{p} {t}: attributes must include `id`"
                );
                let arguments = schema.get(t);
                for a in entry.attributes.iter().filter(|a| *a != "id") {
                    assert!(
                        arguments.is_some_and(|args| args.get(a).is_none()),
                        "{p} {t}: attribute `{a}` is an argument; list only computed attributes"
                    );
                }
            }
        }
    }

    #[test]
    fn aliases_are_unique_and_never_type_names() {
        for p in Provider::ALL {
            let mut seen: HashMap<&str, &str> = HashMap::new();
            for (t, entry) in &catalog(p).types {
                for alias in &entry.aliases {
                    let first = seen.insert(alias, t);
                    assert!(
                        first.is_none(),
                        "{p}: alias `{alias}` names both {} and {t}",
                        first.unwrap_or_default()
                    );
                    for q in Provider::ALL {
                        assert!(
                            !provider_schema(q).contains(alias),
                            "{p} {t}: alias `{alias}` is a {q} type name"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn catalogs_meet_minimum_sizes() {
        for (p, min_types) in [
            (Provider::Aws, 30),
            (Provider::Azure, 18),
            (Provider::Gcp, 18),
        ] {
            let c = catalog(p);
            assert!(
                c.types.len() >= min_types,
                "{p} has {} types, fewer than {min_types}",
                c.types.len()
            );
            let mut ids: Vec<&str> = c.regions.iter().map(|r| r.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), c.regions.len(), "{p} region ids are unique");
        }
        // Generic kind names are aliases on every provider.
        for alias in [
            "network",
            "subnet",
            "vm",
            "bucket",
            "database",
            "kubernetes_cluster",
        ] {
            for p in Provider::ALL {
                assert!(
                    catalog(p).alias(alias).is_some(),
                    "{p} lacks alias `{alias}`"
                );
            }
        }
        for alias in [
            "vpc",
            "subnet",
            "security_group",
            "ec2_instance",
            "s3_bucket",
            "ebs_volume",
            "rds_instance",
            "lambda_function",
            "eks_cluster",
            "alb",
            "load_balancer",
            "nat_gateway",
            "iam_role",
            "kms_key",
            "sqs_queue",
            "sns_topic",
            "dynamodb_table",
        ] {
            assert!(
                catalog(Provider::Aws).alias(alias).is_some(),
                "aws lacks `{alias}`"
            );
        }
    }

    #[test]
    fn tag_arguments() {
        let gcp = catalog(Provider::Gcp);
        assert_eq!(gcp.tag_argument("google_storage_bucket"), Some("labels"));
        assert_eq!(
            gcp.tag_argument("google_container_cluster"),
            Some("resource_labels")
        );
        assert_eq!(
            gcp.tag_argument("google_monitoring_notification_channel"),
            Some("user_labels")
        );
        assert_eq!(gcp.tag_argument("google_cloud_identity_group"), None);
        assert_eq!(
            gcp.tag_argument("google_monitoring_metric_descriptor"),
            None
        );
        let aws = catalog(Provider::Aws);
        assert_eq!(aws.tag_argument("aws_vpc"), Some("tags"));
        assert_eq!(aws.tag_argument("aws_inspector_resource_group"), None);
        assert_eq!(aws.tag_argument("aws_devopsguru_resource_collection"), None);
        assert_eq!(
            catalog(Provider::Azure).tag_argument("azurerm_api_management_named_value"),
            None
        );
        for p in Provider::ALL {
            for t in catalog(p).tag_arguments.keys() {
                assert!(
                    provider_schema(p).contains(t),
                    "tag_arguments names unknown type {t}"
                );
            }
        }
    }

    #[test]
    fn regions_and_suggestions() {
        let aws = catalog(Provider::Aws);
        assert!(aws.region("us-east-1").is_some());
        assert_eq!(
            aws.suggest_region("us-east-l").as_deref(),
            Some("us-east-1")
        );
        let azure = catalog(Provider::Azure);
        assert_eq!(
            azure.region("West Europe").map(|r| r.id.as_str()),
            Some("westeurope")
        );
    }

    #[test]
    fn resolves_types() {
        assert_eq!(
            resolve_type(Provider::Aws, "aws_instance"),
            TypeResolution::Known {
                type_name: "aws_instance".into(),
                alias: None
            }
        );
        assert_eq!(
            resolve_type(Provider::Aws, "ec2_instance"),
            TypeResolution::Known {
                type_name: "aws_instance".into(),
                alias: Some("ec2_instance".into())
            }
        );
        assert!(matches!(
            resolve_type(Provider::Gcp, "aws_vpc"),
            TypeResolution::OtherProvider {
                owner: Provider::Aws,
                ..
            }
        ));
        assert_eq!(
            resolve_type(Provider::Aws, "aws_s3_buckett"),
            TypeResolution::Unknown {
                suggestion: Some("aws_s3_bucket".into())
            }
        );
    }
}
