//! Reading deployed state: a Terraform state file (format version 4, what `terraform.tfstate`
//! holds and `terraform state pull` prints) or the JSON that `terraform show -json` prints for a
//! state (`format_version` 1.x, `values.root_module`). Either becomes a [`TerraformState`]: every
//! resource instance with its address, provider and attributes.

mod drift;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::blueprint::Value;
use crate::error::{Code, Error, ErrorKind, Finding, Location, Result};
use crate::source_text::{clean_serde_message, json_location, without_bom};

pub use drift::{drift, render_drift_text, ChangedResource, DriftChange, DriftReport, NotCompared};

/// Which of Terraform's two JSON forms a state was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateFormat {
    /// A state file, `"version": 4` (`terraform.tfstate`, `terraform state pull`).
    Tfstate,
    /// `terraform show -json` of a state (`"format_version": "1.x"`).
    ShowJson,
}

/// One resource instance of a state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StateInstance {
    /// The full address: `aws_vpc.main`, `aws_instance.web[1]`, `module.net.aws_vpc.this`,
    /// `aws_iam_user.u["alice"]`.
    pub address: String,
    /// The module address (`module.net`), `None` for the root module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// `managed` or `data`.
    pub mode: String,
    /// The Terraform type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The resource name.
    pub name: String,
    /// The `count` index (a number) or `for_each` key (a string), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<Value>,
    /// The provider's source address, e.g. `registry.terraform.io/hashicorp/aws`.
    pub provider: String,
    /// The attributes, as Terraform recorded them (arguments and computed attributes).
    pub attributes: Value,
    /// Top-level attributes Terraform marked sensitive.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensitive_attributes: Vec<String>,
    /// Addresses of the resources it depends on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Marked for replacement (`terraform taint`, or a failed create).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tainted: bool,
    /// The deposed key of an old object waiting to be destroyed (create-before-destroy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    /// Where the instance is in the file (a JSON path such as `resources[3].instances[0]`).
    pub source_path: String,
}

/// A Terraform state.
///
/// ```
/// let state = iac_dharma::TerraformState::from_json(r#"{
///   "version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "4c1f…",
///   "outputs": {},
///   "resources": [{"mode": "managed", "type": "aws_vpc", "name": "main",
///     "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
///     "instances": [{"schema_version": 1, "attributes": {"id": "vpc-0a1b", "cidr_block": "10.0.0.0/16"},
///                    "sensitive_attributes": []}]}],
///   "check_results": null
/// }"#)?;
/// assert_eq!(state.instances[0].address, "aws_vpc.main");
/// assert_eq!(state.instances[0].provider, "registry.terraform.io/hashicorp/aws");
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TerraformState {
    /// Which form the text had.
    pub format: StateFormat,
    /// The Terraform version that wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_version: Option<String>,
    /// The state's serial (state files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<u64>,
    /// The state's lineage (state files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lineage: Option<String>,
    /// Every resource instance, in file order.
    pub instances: Vec<StateInstance>,
    /// Root module output values, by name.
    pub outputs: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct V4 {
    #[serde(default)]
    terraform_version: Option<String>,
    #[serde(default)]
    serial: Option<u64>,
    #[serde(default)]
    lineage: Option<String>,
    #[serde(default)]
    outputs: BTreeMap<String, V4Output>,
    #[serde(default)]
    resources: Vec<V4Resource>,
}

#[derive(Deserialize)]
struct V4Output {
    value: Value,
}

#[derive(Deserialize)]
struct V4Resource {
    #[serde(default)]
    module: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    provider: String,
    #[serde(default)]
    instances: Vec<V4Instance>,
}

/// A resource instance's key: a `count` index (a whole number, 0 or more) or a `for_each` key (a
/// string). Anything else (a fraction, a negative number, a boolean, a list, an object) is not
/// a key Terraform can write, and is refused where it stands.
struct InstanceKey(Value);

impl<'de> Deserialize<'de> for InstanceKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        const EXPECTED: &str =
            "a count index (a whole number, 0 or more) or a for_each key (a string)";
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = InstanceKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<InstanceKey, E> {
                Ok(InstanceKey(Value::from(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<InstanceKey, E> {
                u64::try_from(v)
                    .map(|v| InstanceKey(Value::from(v)))
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &EXPECTED))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<InstanceKey, E> {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &EXPECTED))
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<InstanceKey, E> {
                Ok(InstanceKey(Value::String(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(
                self,
                v: String,
            ) -> std::result::Result<InstanceKey, E> {
                Ok(InstanceKey(Value::String(v)))
            }
        }
        d.deserialize_any(Visit)
    }
}

fn instance_key(k: Option<InstanceKey>) -> Option<Value> {
    k.map(|k| k.0)
}

#[derive(Deserialize)]
struct V4Instance {
    #[serde(default)]
    index_key: Option<InstanceKey>,
    #[serde(default)]
    attributes: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    attributes_flat: Option<BTreeMap<String, String>>,
    #[serde(default)]
    sensitive_attributes: Option<Value>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    deposed: Option<String>,
}

#[derive(Deserialize)]
struct Show {
    #[serde(default)]
    terraform_version: Option<String>,
    #[serde(default)]
    values: Option<ShowValues>,
}

#[derive(Deserialize)]
struct ShowValues {
    #[serde(default)]
    outputs: BTreeMap<String, V4Output>,
    #[serde(default)]
    root_module: Option<ShowModule>,
}

#[derive(Deserialize)]
struct ShowModule {
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    resources: Vec<ShowResource>,
    #[serde(default)]
    child_modules: Vec<ShowModule>,
}

#[derive(Deserialize)]
struct ShowResource {
    address: String,
    mode: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    #[serde(default)]
    index: Option<InstanceKey>,
    provider_name: String,
    #[serde(default)]
    values: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    sensitive_values: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
    #[serde(default)]
    tainted: bool,
    #[serde(default)]
    deposed_key: Option<String>,
}

/// A text that is JSON but not a state (a parse error, like a blueprint of the wrong shape).
fn state_error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::single(ErrorKind::Parse, Finding::error(code, path, message))
}

/// The line:column of the first `"key":` in a text (for errors about a top-level field).
fn locate_key(text: &str, key: &str) -> Option<Location> {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(pos) = text.get(from..)?.find(&needle) {
        let at = from + pos;
        let rest = text.get(at + needle.len()..)?;
        if rest.trim_start().starts_with(':') {
            let before = text.get(..at)?;
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Some(Location { line, column });
        }
        from = at + needle.len();
    }
    None
}

/// Deserializes typed data from the text, with the JSON path and line:column of a mismatch.
fn typed<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = json_location(text, &inner);
        let message = clean_serde_message(&inner.to_string());
        Error::single(
            ErrorKind::Parse,
            Finding::error(
                Code::InvalidState,
                if path == "." { String::new() } else { path },
                format!("not a Terraform state: {message}"),
            )
            .with_location(location),
        )
    })
}

/// `provider["registry.terraform.io/hashicorp/aws"]`, `provider["…"].alias` or the legacy
/// `provider.aws` → `registry.terraform.io/hashicorp/aws`.
fn provider_source(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("provider[\"") {
        if let Some(end) = rest.find("\"]") {
            return rest.get(..end).unwrap_or(rest).to_string();
        }
    }
    if let Some(rest) = text.strip_prefix("provider.") {
        let name = rest.split('.').next().unwrap_or(rest);
        return format!("registry.terraform.io/hashicorp/{name}");
    }
    text.to_string()
}

/// The top-level attribute names of Terraform's `sensitive_attributes` (a list of paths, each a
/// list of `{"type": "get_attr", "value": NAME}` steps) or of a `sensitive_values` mirror.
fn sensitive_names(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match v {
        Some(Value::Array(paths)) => {
            for p in paths {
                let first = match p {
                    Value::Array(steps) => steps.first(),
                    other => Some(other),
                };
                if let Some(name) = first.and_then(|s| s.get("value")).and_then(Value::as_str) {
                    out.push(name.to_string());
                }
            }
        }
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if v == &Value::Bool(true) {
                    out.push(k.clone());
                }
            }
        }
        _ => {}
    }
    out.sort();
    out.dedup();
    out
}

fn index_suffix(index: &Option<Value>) -> String {
    match index {
        None => String::new(),
        Some(Value::String(s)) => format!("[{}]", serde_json::to_string(s).unwrap_or_default()),
        Some(v) => format!("[{v}]"),
    }
}

impl TerraformState {
    /// Reads a state from JSON text: a state file (`"version": 4`) or `terraform show -json`
    /// output (`"format_version": "1.x"`).
    ///
    /// # Errors
    /// - [`ErrorKind::Parse`], `json_syntax`: not JSON (truncated, ...), with line and column;
    /// - [`ErrorKind::Plan`], `unsupported_state_version`: a state of another format version
    ///   (0.11 and older wrote 3), or `show -json` output of another major format;
    /// - [`ErrorKind::Parse`], `invalid_state`: JSON that is not a state (a plan, a blueprint, a
    ///   field of the wrong type), with the JSON path and line:column.
    pub fn from_json(text: &str) -> Result<TerraformState> {
        let text = without_bom(text);
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::single(
                ErrorKind::Parse,
                Finding::error(
                    Code::JsonSyntax,
                    "",
                    format!(
                        "invalid JSON in the state: {}",
                        clean_serde_message(&e.to_string())
                    ),
                )
                .with_location(json_location(text, &e)),
            )
        })?;
        let Value::Object(top) = &value else {
            return Err(state_error(
                Code::InvalidState,
                "",
                "a Terraform state is a JSON object; this is not",
            ));
        };
        if top.contains_key("resource_changes") || top.contains_key("planned_values") {
            return Err(state_error(
                Code::InvalidState,
                "",
                "this is a Terraform plan (`terraform show -json PLANFILE`), not a state: give a state file or `terraform show -json` without a plan",
            ));
        }
        if let Some(version) = top.get("version") {
            if version.as_u64() != Some(4) {
                let shown = serde_json::to_string(version).unwrap_or_default();
                return Err(Error::single(
                    ErrorKind::Plan,
                    Finding::error(
                        Code::UnsupportedStateVersion,
                        "version",
                        format!(
                            "state format version {shown} is not supported: only version 4 (written by Terraform 0.12 and later) is; open it with a current Terraform (`terraform state pull`) to upgrade it"
                        ),
                    )
                    .with_location(locate_key(text, "version")),
                ));
            }
            return Self::from_v4(typed::<V4>(text)?);
        }
        if let Some(fv) = top.get("format_version") {
            let major = fv.as_str().and_then(|s| s.split('.').next());
            if major != Some("1") {
                let shown = serde_json::to_string(fv).unwrap_or_default();
                return Err(Error::single(
                    ErrorKind::Plan,
                    Finding::error(
                        Code::UnsupportedStateVersion,
                        "format_version",
                        format!("`terraform show -json` format version {shown} is not supported: only 1.x is"),
                    )
                    .with_location(locate_key(text, "format_version")),
                ));
            }
            return Ok(Self::from_show(typed::<Show>(text)?));
        }
        Err(state_error(
            Code::InvalidState,
            "",
            "not a Terraform state: it has neither `version` (a state file) nor `format_version` (`terraform show -json`)",
        ))
    }

    fn from_v4(v4: V4) -> Result<TerraformState> {
        let mut instances = Vec::new();
        for (ri, r) in v4.resources.into_iter().enumerate() {
            let provider = provider_source(&r.provider);
            for (ii, inst) in r.instances.into_iter().enumerate() {
                let source_path = format!("resources[{ri}].instances[{ii}]");
                let attributes = match (inst.attributes, inst.attributes_flat) {
                    (Some(a), _) => Value::Object(a),
                    (None, Some(flat)) => Value::Object(
                        flat.into_iter()
                            .map(|(k, v)| (k, Value::String(v)))
                            .collect(),
                    ),
                    (None, None) => {
                        return Err(state_error(
                            Code::InvalidState,
                            format!("{source_path}.attributes"),
                            "a resource instance has no attributes",
                        ))
                    }
                };
                let mut address = String::new();
                if let Some(m) = &r.module {
                    address.push_str(m);
                    address.push('.');
                }
                if r.mode == "data" {
                    address.push_str("data.");
                }
                address.push_str(&format!("{}.{}", r.type_name, r.name));
                let index = instance_key(inst.index_key);
                address.push_str(&index_suffix(&index));
                instances.push(StateInstance {
                    address,
                    module: r.module.clone(),
                    mode: r.mode.clone(),
                    type_name: r.type_name.clone(),
                    name: r.name.clone(),
                    index,
                    provider: provider.clone(),
                    attributes,
                    sensitive_attributes: sensitive_names(inst.sensitive_attributes.as_ref()),
                    dependencies: inst.dependencies,
                    tainted: inst.status.as_deref() == Some("tainted"),
                    deposed: inst.deposed,
                    source_path,
                });
            }
        }
        Ok(TerraformState {
            format: StateFormat::Tfstate,
            terraform_version: v4.terraform_version,
            serial: Some(v4.serial.unwrap_or_default()),
            lineage: v4.lineage,
            instances,
            outputs: v4.outputs.into_iter().map(|(k, o)| (k, o.value)).collect(),
        })
    }

    fn from_show(show: Show) -> TerraformState {
        let mut instances = Vec::new();
        let mut outputs = BTreeMap::new();
        if let Some(values) = show.values {
            outputs = values
                .outputs
                .into_iter()
                .map(|(k, o)| (k, o.value))
                .collect();
            if let Some(root) = values.root_module {
                collect_module(&root, "values.root_module", &mut instances);
            }
        }
        TerraformState {
            format: StateFormat::ShowJson,
            terraform_version: show.terraform_version,
            serial: None,
            lineage: None,
            instances,
            outputs,
        }
    }

    /// The instance at an address (current objects only, not deposed ones).
    pub fn instance(&self, address: &str) -> Option<&StateInstance> {
        self.instances
            .iter()
            .find(|i| i.address == address && i.deposed.is_none())
    }
}

fn collect_module(m: &ShowModule, path: &str, out: &mut Vec<StateInstance>) {
    for (i, r) in m.resources.iter().enumerate() {
        out.push(StateInstance {
            address: r.address.clone(),
            module: m.address.clone(),
            mode: r.mode.clone(),
            type_name: r.type_name.clone(),
            name: r.name.clone(),
            index: r.index.as_ref().map(|k| k.0.clone()),
            provider: r.provider_name.clone(),
            attributes: Value::Object(r.values.clone().unwrap_or_default()),
            sensitive_attributes: sensitive_names(r.sensitive_values.as_ref()),
            dependencies: r.depends_on.clone(),
            tainted: r.tainted,
            deposed: r.deposed_key.clone(),
            source_path: format!("{path}.resources[{i}]"),
        });
    }
    for (i, c) in m.child_modules.iter().enumerate() {
        collect_module(c, &format!("{path}.child_modules[{i}]"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_sources() {
        assert_eq!(
            provider_source(r#"provider["registry.terraform.io/hashicorp/aws"]"#),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(
            provider_source(r#"provider["registry.terraform.io/hashicorp/aws"].west"#),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(
            provider_source("provider.google"),
            "registry.terraform.io/hashicorp/google"
        );
    }

    #[test]
    fn locates_keys() {
        assert_eq!(
            locate_key("{\n  \"a\": 1,\n  \"version\": 3\n}", "version"),
            Some(Location { line: 3, column: 3 })
        );
    }

    #[test]
    fn sensitive_paths() {
        let v: Value = serde_json::from_str(
            r#"[[{"type":"get_attr","value":"password"}],[{"type":"get_attr","value":"a"},{"type":"index","value":{"value":0,"type":"number"}}]]"#,
        )
        .unwrap();
        assert_eq!(sensitive_names(Some(&v)), ["a", "password"]);
    }
}

#[cfg(test)]
mod fixture_tests;
