//! The built-in checks: Rego sources and their metadata, embedded from `policies/`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Severity;

/// What kind of risk a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Exposure, encryption, access control.
    Security,
    /// Audit, logging, key management and other controls a framework requires.
    Compliance,
    /// Backups, deletion protection, recoverability.
    Reliability,
    /// Spend: sizes, generations, tagging for cost allocation.
    Cost,
    /// Conventions that keep infrastructure manageable.
    BestPractice,
}

impl Category {
    /// The stable string form (`security`, `best_practice`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Compliance => "compliance",
            Category::Reliability => "reliability",
            Category::Cost => "cost",
            Category::BestPractice => "best_practice",
        }
    }
}

/// The metadata of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Stable id, e.g. `DHARMA_AWS_S3_001`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// How serious a failure is.
    pub severity: Severity,
    /// What kind of risk it is.
    pub category: Category,
    /// The resource types it looks at (`*`: every taggable or located resource).
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Exactly what is checked, including the defaults assumed for unset arguments.
    #[serde(default)]
    pub description: String,
    /// How to fix a failure.
    #[serde(default)]
    pub remediation: String,
    /// Equivalent Checkov check ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkov: Vec<String>,
    /// CIS benchmark references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// The Rego package holding the rule (filled in from the metadata file).
    #[serde(default)]
    pub package: String,
    /// The setting (a key of `data.dharma.settings`) that turns the check on: while it is unset
    /// or an empty list the check is off, and reports do not list it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataFile {
    package: String,
    checks: Vec<Check>,
}

/// One embedded policy file.
pub(crate) struct BuiltinFile {
    /// Path in the repository, used as the file name in error messages.
    pub path: &'static str,
    /// The Rego source.
    pub rego: &'static str,
    /// The metadata (YAML) of the checks the file defines, if it defines any.
    pub metadata: Option<&'static str>,
}

macro_rules! policy {
    ($name:literal) => {
        BuiltinFile {
            path: concat!("policies/", $name, ".rego"),
            rego: include_str!(concat!("../../../policies/", $name, ".rego")),
            metadata: None,
        }
    };
    ($name:literal, meta) => {
        BuiltinFile {
            path: concat!("policies/", $name, ".rego"),
            rego: include_str!(concat!("../../../policies/", $name, ".rego")),
            metadata: Some(include_str!(concat!("../../../policies/", $name, ".yaml"))),
        }
    };
}

/// Every built-in policy file, in load order.
pub(crate) static BUILTIN_FILES: &[BuiltinFile] = &[
    policy!("dharma"),
    policy!("lib/lib"),
    policy!("lib/computed"),
    policy!("aws/s3", meta),
    policy!("aws/network", meta),
    policy!("aws/compute", meta),
    policy!("aws/database", meta),
    policy!("aws/iam", meta),
    policy!("aws/logging", meta),
    policy!("aws/services", meta),
    policy!("azure/storage", meta),
    policy!("azure/network", meta),
    policy!("azure/database", meta),
    policy!("azure/security", meta),
    policy!("azure/services", meta),
    policy!("gcp/network", meta),
    policy!("gcp/storage", meta),
    policy!("gcp/database", meta),
    policy!("gcp/compute", meta),
    policy!("gcp/services", meta),
    policy!("general/general", meta),
];

/// The query that returns every built-in finding.
pub(crate) const BUILTIN_QUERY: &str = "data.dharma.findings";

/// The metadata of every built-in check, by id (parsed once). A broken metadata file is an
/// error naming the file.
pub(crate) fn builtin_checks() -> Result<&'static BTreeMap<String, Check>, String> {
    static CHECKS: OnceLock<Result<BTreeMap<String, Check>, String>> = OnceLock::new();
    CHECKS
        .get_or_init(|| {
            let mut out = BTreeMap::new();
            for file in BUILTIN_FILES {
                let Some(text) = file.metadata else { continue };
                let meta: MetadataFile = yaml_serde::from_str(text)
                    .map_err(|e| format!("{}: metadata: {e}", file.path))?;
                for mut check in meta.checks {
                    check.package = meta.package.clone();
                    let id = check.id.clone();
                    if out.insert(id.clone(), check).is_some() {
                        return Err(format!("{}: check {id} is defined twice", file.path));
                    }
                }
            }
            Ok(out)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The metadata of every built-in check, sorted by id.
///
/// ```
/// let checks = iac_dharma::policy::builtin_catalog();
/// assert!(checks.len() >= 40);
/// assert!(checks.iter().any(|c| c.id == "DHARMA_AWS_S3_001" && c.checkov == ["CKV2_AWS_6"]));
/// ```
pub fn builtin_catalog() -> Vec<Check> {
    builtin_checks()
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_parses_and_every_check_has_a_rule() {
        let checks = builtin_checks().unwrap();
        assert!(checks.len() >= 40, "{}", checks.len());
        let all_rego: String = BUILTIN_FILES.iter().map(|f| f.rego).collect();
        for (id, c) in checks {
            assert!(all_rego.contains(&format!("\"{id}\"")), "{id} has no rule");
            assert!(!c.title.is_empty() && !c.remediation.is_empty(), "{id}");
            assert!(!c.resource_types.is_empty(), "{id}");
            let file = BUILTIN_FILES
                .iter()
                .find(|f| f.rego.contains(&format!("package {}\n", c.package)))
                .unwrap_or_else(|| panic!("{id}: package {} not found", c.package));
            assert!(
                file.rego.contains(&format!("\"{id}\"")),
                "{id} is not in {}",
                file.path
            );
        }
        // And every id used in a rule has metadata.
        for f in BUILTIN_FILES {
            for (pos, _) in f.rego.match_indices("\"DHARMA_") {
                let id: String = f.rego[pos + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(checks.contains_key(&id), "{}: {id} has no metadata", f.path);
            }
        }
    }

    #[test]
    fn every_policy_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let mut found = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rego") {
                    let rel = p.strip_prefix(root.parent().unwrap()).unwrap();
                    found.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        for f in &found {
            assert!(
                BUILTIN_FILES.iter().any(|b| b.path == f),
                "{f} is not listed in BUILTIN_FILES"
            );
        }
        assert_eq!(found.len(), BUILTIN_FILES.len());
    }
}
