//! The pure part of the binding: reading a blueprint source, and the plain result structures the
//! JS functions return. Nothing here touches JavaScript, so it is unit-tested natively.

use std::collections::BTreeMap;
use std::sync::Arc;

#[cfg(feature = "templates")]
use iac_dharma::TemplateSet;
use iac_dharma::{
    did_you_mean, Blueprint, CheckedBlueprint, Code, Decimal, Error, ErrorKind, EstimateOptions,
    Finding, GenerateOptions, OutputFormat, PolicySet, PriceCatalog, Provider, SourceFormat,
    TerraformPlan, TerraformState, UsageFile, ValidateOptions, Value, Waiver,
};
use serde::{Deserialize, Serialize};

/// A blueprint as the caller gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Source text; `format` is `None` to detect JSON or YAML from the text.
    Text {
        /// The text.
        text: String,
        /// The syntax, when the caller named it.
        format: Option<SourceFormat>,
    },
    /// A JS object, serialized to JSON text by `JSON.stringify`. Locations in that text mean
    /// nothing to the caller, so findings about it carry paths only.
    Object {
        /// The object as JSON text.
        json: String,
    },
}

impl Input {
    /// How the blueprint was read: `json`, `yaml` or `object`.
    pub fn source_name(&self) -> &'static str {
        match self {
            Input::Text { text, format } => {
                match format.unwrap_or_else(|| SourceFormat::detect(text)) {
                    SourceFormat::Json => "json",
                    SourceFormat::Yaml => "yaml",
                }
            }
            Input::Object { .. } => "object",
        }
    }

    /// Parses and checks the blueprint.
    ///
    /// # Errors
    /// The engine's parse or check error; for objects, without source locations.
    pub fn load(&self) -> Result<CheckedBlueprint, Error> {
        match self {
            Input::Text { text, format } => {
                let format = format.unwrap_or_else(|| SourceFormat::detect(text));
                Blueprint::from_text_as(text, format)?.into_checked()
            }
            Input::Object { json } => Blueprint::from_json(json)
                .and_then(Blueprint::into_checked)
                .map_err(Error::without_locations),
        }
    }
}

/// An error about an argument the caller passed (not about the blueprint).
pub fn invalid_argument(
    path: &str,
    message: impl Into<String>,
    suggestion: Option<String>,
) -> Error {
    Error::single(
        ErrorKind::InvalidInput,
        Finding::error(Code::InvalidArgument, path, message).with_suggestion(suggestion),
    )
}

/// Reads the optional `format` argument of a text blueprint (`"json"`, `"yaml"`, or absent).
///
/// # Errors
/// An [`ErrorKind::InvalidInput`] error at path `format` for any other value.
pub fn source_format(arg: Option<&str>) -> Result<Option<SourceFormat>, Error> {
    match arg {
        None => Ok(None),
        Some("json") => Ok(Some(SourceFormat::Json)),
        Some("yaml") | Some("yml") => Ok(Some(SourceFormat::Yaml)),
        Some(other) => Err(invalid_argument(
            "format",
            format!("unknown blueprint format `{other}`; expected \"json\" or \"yaml\""),
            did_you_mean(other, ["json", "yaml"]),
        )),
    }
}

/// Reads the optional `format` argument of `graph` (`"json"` when absent).
///
/// # Errors
/// An [`ErrorKind::InvalidInput`] error at path `format` for an unknown format.
pub fn graph_format(arg: Option<&str>) -> Result<iac_dharma::GraphFormat, Error> {
    let name = arg.unwrap_or("json");
    name.parse().map_err(|message: String| {
        invalid_argument(
            "format",
            message,
            did_you_mean(name, ["json", "dot", "mermaid"]),
        )
    })
}

/// Reads an options object (as JSON text, from `JSON.stringify`) into a core options struct;
/// absent options are the defaults. Unknown or mistyped fields are errors with their path under
/// `arg` (e.g. `options.fail_on`), as long as the struct denies unknown fields.
///
/// # Errors
/// An [`ErrorKind::InvalidInput`] error naming the field that does not fit.
pub fn options_from_json<T: serde::de::DeserializeOwned + Default>(
    json: Option<&str>,
    arg: &str,
) -> Result<T, Error> {
    let Some(json) = json else {
        return Ok(T::default());
    };
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => arg.to_string(),
            p => format!("{arg}.{p}"),
        };
        invalid_argument(&path, without_position(&e.into_inner()), None)
    })
}

/// serde_json's message without its ` at line 1 column 10`: the position in the text that
/// `JSON.stringify` made of the caller's object, which the caller never saw.
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) if e.line() > 0 => message.get(..i).unwrap_or(&message).to_string(),
        _ => message,
    }
}

/// An error of the engine's options check, with `today` named as the option it is
/// (`options.today`), as the options' other errors are.
pub fn option_paths(e: Error) -> Error {
    if !e.findings().iter().any(|f| f.path == "today") {
        return e;
    }
    let kind = e.kind();
    let findings = e
        .into_findings()
        .into_iter()
        .map(|mut f| {
            if f.path == "today" {
                f.path = "options.today".into();
            }
            f
        })
        .collect();
    Error::new(kind, findings)
}

/// What the check resolved about one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceSummary<'a> {
    /// The resource's name.
    pub name: &'a str,
    /// The Terraform type, aliases resolved.
    #[serde(rename = "type")]
    pub type_name: &'a str,
    /// `type.name`.
    pub address: &'a str,
    /// Number of instances.
    pub count: u32,
    /// Whether blueprint tags are merged into this resource.
    pub taggable: bool,
    /// The tags (labels on GCP) the resource gets: the blueprint's `tags` merged with its own
    /// (its own win); empty when the type takes none.
    pub tags: Value,
}

/// The result of `check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport<'a> {
    /// The blueprint's name.
    pub name: &'a str,
    /// The version, normalized (`v1.2` is not accepted; `v1.2.0` becomes `1.2.0`).
    pub version: String,
    /// `aws`, `azure` or `gcp`.
    pub provider: &'static str,
    /// The region as written.
    pub region: &'a str,
    /// Every resource, in document order.
    pub resources: Vec<ResourceSummary<'a>>,
    /// Warnings: problems that do not stop the blueprint from being used.
    pub warnings: &'a [Finding],
}

impl<'a> CheckReport<'a> {
    /// The report of a checked blueprint.
    pub fn new(bp: &'a CheckedBlueprint) -> Self {
        let doc = bp.blueprint();
        CheckReport {
            name: &doc.name,
            version: bp.version().to_string(),
            provider: bp.provider().as_str(),
            region: &doc.region,
            resources: bp
                .iter()
                .map(|(i, r, info)| {
                    let mut tags = Value::Object(bp.effective_tags(i));
                    js_safe_numbers(&mut tags);
                    ResourceSummary {
                        name: &r.name,
                        type_name: &info.type_name,
                        address: &info.address,
                        count: r.instance_count(),
                        taggable: info.taggable,
                        tags,
                    }
                })
                .collect(),
            warnings: bp.warnings(),
        }
    }
}

/// The result of `parse`: the check report plus the document itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParseReport<'a> {
    /// How the blueprint was read: `json`, `yaml` or `object`.
    pub format: &'static str,
    /// The document, normalized (defaults left out), as plain JSON.
    pub blueprint: Value,
    /// Everything `check` returns.
    #[serde(flatten)]
    pub check: CheckReport<'a>,
}

impl<'a> ParseReport<'a> {
    /// The report of a checked blueprint read from `input`.
    pub fn new(bp: &'a CheckedBlueprint, input: &Input) -> Self {
        let mut blueprint = bp.blueprint().to_value();
        js_safe_numbers(&mut blueprint);
        ParseReport {
            format: input.source_name(),
            blueprint,
            check: CheckReport::new(bp),
        }
    }
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Turns integers a JS number cannot hold exactly into floating-point numbers, as `JSON.parse`
/// would, so that converting the value to JS never fails.
pub fn js_safe_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            let unsafe_int = n.as_u64().is_some_and(|u| u > MAX_SAFE_INTEGER)
                || n.as_i64()
                    .is_some_and(|i| i.unsigned_abs() > MAX_SAFE_INTEGER);
            if unsafe_int {
                if let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64) {
                    *n = f;
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(js_safe_numbers),
        Value::Object(map) => map.values_mut().for_each(js_safe_numbers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// Every transitive dependent of the resource `name`, in resource order: what a change to it can
/// break.
///
/// # Errors
/// An [`ErrorKind::InvalidInput`] error at path `name` when no resource has that name.
pub fn blast_radius(bp: &CheckedBlueprint, name: &str) -> Result<Vec<String>, Error> {
    let Some(index) = bp.index_of(name) else {
        return Err(invalid_argument(
            "name",
            format!("no resource is named `{name}`"),
            did_you_mean(name, bp.resources().iter().map(|r| r.name.as_str())),
        ));
    };
    Ok(bp
        .graph()
        .blast_radius(index)
        .into_iter()
        .filter_map(|i| bp.resources().get(i).map(|r| r.name.clone()))
        .collect())
}

/// The options of `estimate` and `costDiff`, as the caller passes them (snake_case keys, as the
/// results have).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EstimateArgs {
    /// A usage file as an object (`{"resource_usage": {"<name>": {"<key>": number}}, ...}`):
    /// usage assumptions; the blueprint's own `usage` wins over it.
    pub usage: Option<serde_json::Value>,
    /// A monthly budget in USD, as a decimal string (`"120.50"`) or a number.
    pub budget: Option<serde_json::Value>,
    /// Price rows as CSV text with the header of `pricing/*.csv`
    /// (`provider,region,service,sku,unit,price_usd,purchase,source,date`): they extend the
    /// built-in catalog, replacing rows with the same provider, region, SKU and purchase option.
    pub prices: Option<String>,
    /// Skip the optimization analysis (faster for very large blueprints).
    #[serde(alias = "skipOptimizations")]
    pub skip_optimizations: bool,
}

impl EstimateArgs {
    /// The engine's options.
    ///
    /// # Errors
    /// An [`ErrorKind::InvalidInput`] error at `options.budget` for a budget that is not a
    /// decimal; the engine's [`ErrorKind::Pricing`] errors for a bad usage file
    /// (`invalid_usage`, path inside the file) or bad price rows (`invalid_price_catalog`, path
    /// `line N.column`).
    pub fn into_options(self) -> Result<EstimateOptions, Error> {
        let mut opts = EstimateOptions::new();
        if let Some(usage) = self.usage {
            opts = opts.with_usage(UsageFile::from_value(usage)?);
        }
        if let Some(budget) = self.budget {
            opts = opts.with_budget(budget_decimal(&budget)?);
        }
        if let Some(csv) = self.prices {
            let mut catalog = (*PriceCatalog::builtin()).clone();
            catalog.extend(PriceCatalog::from_csv(&csv)?);
            opts = opts.with_catalog(Arc::new(catalog));
        }
        opts.skip_optimizations = self.skip_optimizations;
        Ok(opts)
    }
}

/// The `options` of `validate`, as JS passes them (snake_case or camelCase keys).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidateArgs {
    /// The lowest severity whose failures fail the report: `low` (default), `medium`, `high` or
    /// `critical`.
    #[serde(alias = "failOn")]
    pub fail_on: Option<String>,
    /// The date waiver expiry is compared with, `YYYY-MM-DD`. WebAssembly has no system clock:
    /// callers pass `new Date().toISOString().slice(0, 10)`; a blueprint whose waivers have an
    /// expiry date cannot be validated without it.
    pub today: Option<String>,
    /// Values of blueprint variables (like a `.tfvars` file).
    pub variables: BTreeMap<String, serde_json::Value>,
    /// Settings of the built-in checks (`data.dharma.settings`, e.g. `{"required_tags": [...]}`).
    pub settings: Option<serde_json::Value>,
    /// Extra Rego policies, each `{name, rego}`.
    pub policies: Vec<PolicySource>,
    /// Leave the built-in checks out (only `policies` run).
    #[serde(alias = "noBuiltin")]
    pub no_builtin: bool,
    /// Time budget of the policies in milliseconds. Not enforced in WebAssembly (no clock);
    /// accepted so that options written for the CLI or the native bindings work.
    #[serde(alias = "timeLimitMs")]
    pub time_limit_ms: Option<u64>,
    /// Waivers of a Terraform plan's findings, by resource address (`validatePlan` only:
    /// blueprints carry their own, in `resources[i].waivers`).
    pub waivers: Option<BTreeMap<String, Vec<Waiver>>>,
}

/// A caller's Rego policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySource {
    /// The file name reported in errors and findings (`team.rego`).
    pub name: String,
    /// The Rego text.
    pub rego: String,
}

impl ValidateArgs {
    /// The policy set: the built-in one (compiled once per instance and reused) unless the
    /// options add policies or settings or leave the built-ins out.
    ///
    /// # Errors
    /// The engine's [`ErrorKind::Policy`] errors (`policy_syntax` with `file:line:column`,
    /// `invalid_settings`).
    pub fn policies(&self) -> Result<PolicySet, Error> {
        let plain = self.policies.is_empty() && self.settings.is_none() && !self.no_builtin;
        if plain {
            return PolicySet::builtin();
        }
        let mut b = PolicySet::builder();
        if self.no_builtin {
            b = b.without_builtin();
        }
        if let Some(s) = &self.settings {
            b = b.settings(s.clone());
        }
        if let Some(ms) = self.time_limit_ms {
            b = b.time_limit(Some(std::time::Duration::from_millis(ms)));
        }
        for p in &self.policies {
            b = b.add_policy(&p.name, &p.rego);
        }
        b.build()
    }

    /// The engine's options.
    ///
    /// # Errors
    /// An [`ErrorKind::InvalidInput`] error at `options.fail_on` for an unknown severity.
    pub fn options(&self) -> Result<ValidateOptions, Error> {
        let mut o = ValidateOptions::default();
        if let Some(s) = &self.fail_on {
            o.fail_on = s.parse().map_err(|message: String| {
                invalid_argument(
                    "options.fail_on",
                    message,
                    did_you_mean(s, ["low", "medium", "high", "critical"]),
                )
            })?;
        }
        o.today = self.today.clone();
        o.variables = self.variables.clone();
        Ok(o)
    }

    /// The engine's options for a blueprint: as [`ValidateArgs::options`], refusing `waivers`.
    ///
    /// # Errors
    /// As [`ValidateArgs::options`]; an [`ErrorKind::InvalidInput`] error at `options.waivers`
    /// when waivers are given (a blueprint's waivers belong to its resources).
    pub fn blueprint_options(&self) -> Result<ValidateOptions, Error> {
        if self.waivers.is_some() {
            return Err(invalid_argument(
                "options.waivers",
                "`waivers` apply to validatePlan only: a blueprint carries its own, in `resources[i].waivers`",
                None,
            ));
        }
        self.options()
    }

    /// The engine's options for a Terraform plan: as [`ValidateArgs::options`], with the waivers.
    ///
    /// # Errors
    /// As [`ValidateArgs::options`].
    pub fn plan_options(&self) -> Result<ValidateOptions, Error> {
        let mut o = self.options()?;
        o.waivers = self.waivers.clone().unwrap_or_default();
        Ok(o)
    }
}

/// Reads a Terraform plan (`terraform show -json` output) from JSON text.
///
/// # Errors
/// The engine's [`ErrorKind::Parse`] errors (`json_syntax` with line and column, `binary_plan`,
/// `unsupported_plan_format`, `invalid_plan` with the JSON path); when the text came from a JS
/// object (`object`), without locations.
pub fn terraform_plan(text: &str, object: bool) -> Result<TerraformPlan, Error> {
    TerraformPlan::parse(text).map_err(|e| if object { e.without_locations() } else { e })
}

/// Reads a Terraform state (`terraform.tfstate`, or `terraform show -json` of a state) from JSON
/// text.
///
/// # Errors
/// The engine's errors (`json_syntax`, `invalid_state` with the JSON path,
/// `unsupported_state_version`); when the text came from a JS object, without locations.
pub fn terraform_state(text: &str, object: bool) -> Result<TerraformState, Error> {
    TerraformState::from_json(text).map_err(|e| if object { e.without_locations() } else { e })
}

/// The result of `versionCheck`: the engine's [`iac_dharma::VersionCheck`] (`required`,
/// `declared`, `before`, `after`, `minimum`, `ok`).
///
/// # Errors
/// The engine's [`ErrorKind::Plan`] errors.
pub fn version_check(
    old: &CheckedBlueprint,
    new: &CheckedBlueprint,
) -> Result<iac_dharma::VersionCheck, Error> {
    iac_dharma::check_version(&iac_dharma::plan_diff(old, new)?)
}

/// A budget given as a decimal string or a JSON number.
fn budget_decimal(value: &serde_json::Value) -> Result<Decimal, Error> {
    let text = match value {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        other => {
            return Err(invalid_argument(
                "options.budget",
                format!("the budget must be a decimal string or a number, got {other}"),
                None,
            ))
        }
    };
    match iac_dharma::exact_decimal(&text) {
        Ok(d) if d.is_sign_negative() => Err(invalid_argument(
            "options.budget",
            format!("the budget must not be negative, got {text}"),
            None,
        )),
        Ok(d) => Ok(d),
        Err(message) => Err(invalid_argument(
            "options.budget",
            format!("the budget (USD per month): {message}"),
            None,
        )),
    }
}

/// The options of `generate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenerateArgs {
    /// Templates (name → tera text) replacing the embedded ones of the same name or adding
    /// others; see `templates/README.md` in the repository.
    pub templates: Option<BTreeMap<String, String>>,
}

impl GenerateArgs {
    /// The engine's options.
    ///
    /// # Errors
    /// A [`ErrorKind::Generate`] error (`template_error`) when a template does not compile.
    #[cfg(feature = "templates")]
    pub fn into_options(self) -> Result<GenerateOptions, Error> {
        let mut opts = GenerateOptions::default();
        if let Some(templates) = self.templates {
            opts.templates = Some(TemplateSet::with_overrides(templates)?);
        }
        Ok(opts)
    }

    /// The engine's options (a module without the `templates` feature: no caller templates).
    ///
    /// # Errors
    /// An [`ErrorKind::InvalidInput`] error (`unsupported_call`, path `options.templates`) when
    /// templates are given.
    #[cfg(not(feature = "templates"))]
    pub fn into_options(self) -> Result<GenerateOptions, Error> {
        match self.templates {
            Some(templates) if !templates.is_empty() => Err(Error::single(
                ErrorKind::InvalidInput,
                Finding::error(
                    Code::UnsupportedCall,
                    "options.templates",
                    "caller templates (generate's `templates` option) are left out of this \
                     WebAssembly module to keep it small; build the module with \
                     WASM_FEATURES=full (or templates) to include them",
                ),
            )),
            _ => Ok(GenerateOptions::default()),
        }
    }
}

/// Reads the `format` argument of `generate` (`"terraform"` when absent).
///
/// # Errors
/// The engine's [`ErrorKind::InvalidInput`] error (`unknown_format`, with a suggestion).
pub fn output_format(arg: Option<&str>) -> Result<OutputFormat, Error> {
    let format: OutputFormat = arg.unwrap_or("terraform").parse()?;
    if !format.is_built() {
        let built: Vec<&str> = OutputFormat::ALL
            .into_iter()
            .filter(|f| f.is_built())
            .map(OutputFormat::as_str)
            .collect();
        return Err(Error::single(
            ErrorKind::InvalidInput,
            Finding::error(
                Code::UnsupportedFormat,
                "format",
                format!(
                    "output format {format} is left out of this WebAssembly module to keep it small \
                     (it has {}); build the module with WASM_FEATURES=full (or {}) to include it",
                    built.join(", "),
                    format.feature().unwrap_or_default()
                ),
            ),
        ));
    }
    Ok(format)
}

/// The optional parts this module was built with (cargo features of this crate; the formats as
/// the engine reports them).
pub fn module_features() -> Vec<&'static str> {
    let formats = [
        OutputFormat::CloudFormation,
        OutputFormat::Arm,
        OutputFormat::PulumiYaml,
        OutputFormat::CdkTs,
    ];
    let mut features: Vec<&'static str> = formats
        .into_iter()
        .filter(|f| f.is_built())
        .filter_map(OutputFormat::feature)
        .collect();
    let calls = [
        ("plan-import", cfg!(feature = "plan-import")),
        ("templates", cfg!(feature = "templates")),
        ("cost-diff", cfg!(feature = "cost-diff")),
        ("version-check", cfg!(feature = "version-check")),
    ];
    features.extend(calls.into_iter().filter(|(_, on)| *on).map(|(f, _)| f));
    features
}

/// The error a function of the API throws when this module was built without it (see
/// `Cargo.toml`, `[features]`): kind `invalid_input`, code `unsupported_call`.
pub fn left_out(function: &str, feature: &str) -> Error {
    Error::single(
        ErrorKind::InvalidInput,
        Finding::error(
            Code::UnsupportedCall,
            "",
            format!(
                "{function} is left out of this WebAssembly module to keep it small; build the \
                 module with WASM_FEATURES=full (or {feature}) to include it"
            ),
        ),
    )
}

/// The output formats of `generate`: all of them, or those that can express blueprints of
/// `provider`.
///
/// # Errors
/// An [`ErrorKind::InvalidInput`] error at path `provider` for an unknown provider.
pub fn output_formats(provider: Option<&str>) -> Result<Vec<&'static str>, Error> {
    let formats = match provider {
        None => OutputFormat::ALL.to_vec(),
        Some(name) => {
            let provider: Provider = name.parse().map_err(|message: String| {
                invalid_argument(
                    "provider",
                    message,
                    did_you_mean(name, Provider::ALL.iter().map(|p| p.as_str())),
                )
            })?;
            OutputFormat::for_provider(provider)
        }
    };
    Ok(formats
        .into_iter()
        .filter(|f| f.is_built())
        .map(OutputFormat::as_str)
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use iac_dharma::GraphFormat;

    const YAML: &str = "name: demo\nversion: v1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - {type: vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}\n  - type: subnet\n    name: a\n    count: 2\n    properties: {vpc_id: \"${main.id}\", cidr_block: 10.0.1.0/24}\n";

    #[test]
    fn check_report_resolves_types_and_normalizes_version() {
        let input = Input::Text {
            text: YAML.into(),
            format: None,
        };
        let bp = input.load().unwrap();
        let report = CheckReport::new(&bp);
        assert_eq!(report.version, "1.0.0");
        assert_eq!(report.provider, "aws");
        let types: Vec<_> = report.resources.iter().map(|r| r.type_name).collect();
        assert_eq!(types, ["aws_vpc", "aws_subnet"]);
        assert_eq!(report.resources[1].count, 2);
        assert_eq!(input.source_name(), "yaml");
        let parsed = serde_json::to_value(ParseReport::new(&bp, &input)).unwrap();
        assert_eq!(parsed["format"], "yaml");
        assert_eq!(parsed["blueprint"]["resources"][0]["type"], "vpc");
        assert_eq!(parsed["resources"][0]["type"], "aws_vpc");
    }

    #[test]
    fn object_input_has_paths_but_no_locations() {
        let text = Input::Text {
            text: "{\"name\":\"demo\",\n\"version\":\"1.0.0\",\"provider\":\"aws\",\"region\":\"us-east-1\",\"resources\":[{\"type\":\"vpc\",\"name\":\"a\",\"count\":\"x\"}]}".into(),
            format: Some(SourceFormat::Json),
        };
        let e = text.load().unwrap_err();
        assert_eq!(e.path(), "resources[0].count");
        assert!(e.location().is_some());
        let Input::Text { text, .. } = text else {
            unreachable!()
        };
        let object = Input::Object { json: text };
        let e = object.load().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse);
        assert_eq!(e.path(), "resources[0].count");
        assert_eq!(e.location(), None);
    }

    #[test]
    fn arguments_are_validated_with_suggestions() {
        assert_eq!(
            source_format(Some("yaml")).unwrap(),
            Some(SourceFormat::Yaml)
        );
        assert_eq!(source_format(None).unwrap(), None);
        let e = source_format(Some("jsn")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.path(), "format");
        assert_eq!(e.findings()[0].suggestion.as_deref(), Some("json"));
        assert_eq!(graph_format(None).unwrap(), GraphFormat::Json);
        assert_eq!(graph_format(Some("dot")).unwrap(), GraphFormat::Dot);
        let e = graph_format(Some("mermiad")).unwrap_err();
        assert_eq!(e.findings()[0].suggestion.as_deref(), Some("mermaid"));
    }

    #[test]
    fn blast_radius_lists_dependents_or_suggests_a_name() {
        let bp = Input::Text {
            text: YAML.into(),
            format: None,
        }
        .load()
        .unwrap();
        assert_eq!(blast_radius(&bp, "main").unwrap(), ["a"]);
        assert!(blast_radius(&bp, "a").unwrap().is_empty());
        let e = blast_radius(&bp, "mian").unwrap_err();
        assert_eq!(e.path(), "name");
        assert_eq!(e.findings()[0].suggestion.as_deref(), Some("main"));
    }

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Opts {
        limit: u32,
        names: Vec<String>,
    }

    #[test]
    fn options_default_or_fail_with_their_path() {
        assert_eq!(
            options_from_json::<Opts>(None, "options").unwrap(),
            Opts::default()
        );
        let o: Opts = options_from_json(Some(r#"{"limit": 3}"#), "options").unwrap();
        assert_eq!(o.limit, 3);
        let e = options_from_json::<Opts>(Some(r#"{"names": [1]}"#), "options").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.path(), "options.names[0]");
        let e = options_from_json::<Opts>(Some(r#"{"limt": 3}"#), "options").unwrap_err();
        assert!(e.message().contains("limt"), "{}", e.message());
        let e = options_from_json::<Opts>(Some("5"), "options").unwrap_err();
        assert_eq!(e.path(), "options");
    }

    #[test]
    fn large_integers_become_floats() {
        let mut v = serde_json::json!({"a": [9_007_199_254_740_993_u64, 5, -9_007_199_254_740_993_i64], "b": 1.5});
        js_safe_numbers(&mut v);
        assert!(v["a"][0].is_f64());
        assert_eq!(v["a"][1], 5);
        assert!(v["a"][1].is_u64());
        assert!(v["a"][2].is_f64());
    }

    #[test]
    fn validate_args_become_engine_options() {
        let args: ValidateArgs = options_from_json(
            Some(r#"{"failOn": "high", "today": "2026-01-02", "variables": {"env": "prod"}}"#),
            "options",
        )
        .unwrap();
        let opts = args.options().unwrap();
        assert_eq!(opts.fail_on.as_str(), "high");
        assert_eq!(opts.today.as_deref(), Some("2026-01-02"));
        assert_eq!(opts.variables["env"], "prod");
        assert!(args.policies().unwrap().has_builtin());
        let bad: ValidateArgs =
            options_from_json(Some(r#"{"fail_on": "hihg"}"#), "options").unwrap();
        let e = bad.options().unwrap_err();
        assert_eq!(e.findings()[0].path, "options.fail_on");
        assert_eq!(e.findings()[0].suggestion.as_deref(), Some("high"));
        let e =
            options_from_json::<ValidateArgs>(Some(r#"{"failon": "low"}"#), "options").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn waivers_are_for_plans_only() {
        let args: ValidateArgs = options_from_json(
            Some(r#"{"waivers": {"aws_s3_bucket.logs": [{"id": "DHARMA_AWS_S3_001", "reason": "public site"}]}}"#),
            "options",
        )
        .unwrap();
        let opts = args.plan_options().unwrap();
        assert_eq!(
            opts.waivers["aws_s3_bucket.logs"][0].id,
            "DHARMA_AWS_S3_001"
        );
        let e = args.blueprint_options().unwrap_err();
        assert_eq!(
            (e.kind(), e.path()),
            (ErrorKind::InvalidInput, "options.waivers")
        );
        assert!(ValidateArgs::default().blueprint_options().is_ok());
        let e = options_from_json::<ValidateArgs>(
            Some(r#"{"waivers": {"a.b": [{"id": "X"}]}}"#),
            "options",
        )
        .unwrap_err();
        assert_eq!(e.path(), "options.waivers.a.b[0]");
    }

    #[test]
    fn plans_and_states_lose_locations_when_they_were_objects() {
        let text = "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [";
        let e = terraform_plan(text, false).unwrap_err();
        assert_eq!(e.code().as_str(), "json_syntax");
        assert!(e.location().is_some());
        let e = terraform_plan(r#"{"format_version": "1.2", "resource_changes": 5}"#, true)
            .unwrap_err();
        assert_eq!(e.location(), None);
        let plan = terraform_plan(r#"{"format_version": "1.2", "resource_changes": []}"#, true);
        assert!(plan.is_ok());
        let e = terraform_state("{\"version\": 4,\n\"resources\": 5}", false).unwrap_err();
        assert!(e.location().is_some(), "{e}");
        let e = terraform_state("{\"version\": 4,\n\"resources\": 5}", true).unwrap_err();
        assert_eq!(e.location(), None);
    }

    #[test]
    fn version_check_compares_required_and_declared_bumps() {
        let load = |text: &str| {
            Input::Text {
                text: text.into(),
                format: None,
            }
            .load()
            .unwrap()
        };
        let old = load(YAML);
        let new = load(
            &YAML
                .replace("v1.0.0", "1.0.1")
                .replace("    count: 2\n", ""),
        );
        let check = version_check(&old, &new).unwrap();
        assert_eq!(check.required.as_str(), "major");
        assert_eq!(check.minimum, "2.0.0");
        assert!(!check.ok);
    }

    #[test]
    fn estimate_args_become_engine_options() {
        let args: EstimateArgs = options_from_json(
            Some(r#"{"budget": "12.50", "usage": {"resource_usage": {"a": {"storage_gb": 5}}}, "skip_optimizations": true}"#),
            "options",
        )
        .unwrap();
        let opts = args.into_options().unwrap();
        assert_eq!(opts.budget.unwrap().to_string(), "12.50");
        assert!(opts.usage.is_some());
        assert!(opts.skip_optimizations);
        assert!(opts.catalog.is_none());
        let number: EstimateArgs =
            options_from_json(Some(r#"{"budget": 1e3}"#), "options").unwrap();
        assert_eq!(
            number.into_options().unwrap().budget.unwrap(),
            Decimal::from(1000)
        );
        for bad in [
            r#"{"budget": "x"}"#,
            r#"{"budget": -1}"#,
            r#"{"budget": true}"#,
        ] {
            let args: EstimateArgs = options_from_json(Some(bad), "options").unwrap();
            let e = args.into_options().unwrap_err();
            assert_eq!(
                (e.kind(), e.path()),
                (ErrorKind::InvalidInput, "options.budget"),
                "{bad}"
            );
        }
        let e = options_from_json::<EstimateArgs>(Some(r#"{"budjet": 1}"#), "options").unwrap_err();
        assert_eq!(e.path(), "options.budjet");
        let args: EstimateArgs = options_from_json(
            Some(r#"{"usage": {"resource_usage": {"a": {"storage_gb": -1}}}}"#),
            "options",
        )
        .unwrap();
        let e = args.into_options().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Pricing);
        assert_eq!(e.path(), "resource_usage.a.storage_gb");
    }

    #[test]
    fn caller_prices_extend_the_builtin_catalog() {
        let csv = "provider,region,service,sku,unit,price_usd,purchase,source,date\naws,us-east-1,AmazonEC2,ec2/t3.micro,hour,0.5,on_demand,test,2026-11-01\n";
        let args = EstimateArgs {
            prices: Some(csv.into()),
            ..EstimateArgs::default()
        };
        let catalog = args.into_options().unwrap().catalog.unwrap();
        assert_eq!(catalog.rows().len(), PriceCatalog::builtin().rows().len());
        let args = EstimateArgs {
            prices: Some("provider,region\naws".into()),
            ..EstimateArgs::default()
        };
        assert_eq!(args.into_options().unwrap_err().kind(), ErrorKind::Pricing);
    }

    #[test]
    fn generate_arguments() {
        assert_eq!(output_format(None).unwrap(), OutputFormat::Terraform);
        assert_eq!(output_format(Some("cdk-ts")).unwrap(), OutputFormat::CdkTs);
        let e = output_format(Some("terraform-jsn")).unwrap_err();
        assert_eq!(e.code().as_str(), "unknown_format");
        assert_eq!(
            e.findings()[0].suggestion.as_deref(),
            Some("terraform-json")
        );
        assert_eq!(output_formats(None).unwrap().len(), OutputFormat::ALL.len());
        assert_eq!(
            output_formats(Some("azure")).unwrap(),
            [
                "terraform",
                "terraform-json",
                "arm",
                "pulumi-yaml",
                "pulumi-ts"
            ]
        );
        let e = output_formats(Some("gpc")).unwrap_err();
        assert_eq!(e.path(), "provider");
        assert_eq!(e.findings()[0].suggestion.as_deref(), Some("gcp"));
        let args: GenerateArgs = options_from_json(
            Some(r#"{"templates": {"terraform/x.tf": "{% if %}"}}"#),
            "options",
        )
        .unwrap();
        #[cfg(feature = "templates")]
        {
            assert_eq!(
                args.into_options().unwrap_err().code().as_str(),
                "template_error"
            );
            assert!(GenerateArgs::default()
                .into_options()
                .unwrap()
                .templates
                .is_none());
        }
        #[cfg(not(feature = "templates"))]
        {
            let e = args.into_options().unwrap_err();
            assert_eq!(e.code().as_str(), "unsupported_call");
            assert_eq!(e.path(), "options.templates");
            assert!(GenerateArgs::default().into_options().is_ok());
        }
    }
}
