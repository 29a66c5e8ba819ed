//! Arguments: JS values read into the engine's types, every mistake an `invalid_input`
//! `DharmaError` naming the argument (`format`, `options.budget`, `other`).

use std::sync::Arc;

use iac_dharma::{
    did_you_mean, Blueprint as Document, CheckedBlueprint, Error, ErrorKind, SourceFormat,
};
use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, Unknown};
use napi::{Env, JsValue, ValueType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::convert::{self, json_stringify, options, type_name, Amount, Document as Doc};
use crate::error::{disposed, invalid_argument, Failure, Outcome};

/// A string argument at `path`.
pub fn string_arg(value: Unknown<'_>, path: &str) -> Outcome<String> {
    if value.get_type()? != ValueType::String {
        return Err(invalid_argument(
            path,
            format!("`{path}` must be a string, got {}", type_name(&value)),
            None,
        )
        .into());
    }
    let js = value.coerce_to_string()?;
    let text = js.into_utf8()?.into_owned()?;
    // The UTF-8 conversion turns a lone surrogate into U+FFFD: look closer only then.
    if text.contains('\u{FFFD}') {
        if let Some(e) = iac_dharma::lone_surrogate_error(path, js.into_utf16()?.as_slice()) {
            return Err(e.into());
        }
    }
    Ok(text)
}

/// An optional string argument: `undefined` and `null` are absent.
pub fn optional_string(value: Option<Unknown<'_>>, path: &str) -> Outcome<Option<String>> {
    match value {
        Some(v) if !convert::is_absent(&v) => string_arg(v, path).map(Some),
        _ => Ok(None),
    }
}

/// The `format` of blueprint text: `"json"`, `"yaml"`, or absent (detected).
pub fn source_format(arg: Option<&str>) -> Outcome<Option<SourceFormat>> {
    match arg {
        None => Ok(None),
        Some("json") => Ok(Some(SourceFormat::Json)),
        Some("yaml") | Some("yml") => Ok(Some(SourceFormat::Yaml)),
        Some(other) => Err(invalid_argument(
            "format",
            format!("unknown blueprint format `{other}`; expected \"json\" or \"yaml\""),
            did_you_mean(other, ["json", "yaml"]),
        )
        .into()),
    }
}

/// The `format` of `graph` (`"json"` when absent).
pub fn graph_format(arg: Option<&str>) -> Outcome<iac_dharma::GraphFormat> {
    let name = arg.unwrap_or("json");
    name.parse().map_err(|message: String| {
        invalid_argument(
            "format",
            message,
            did_you_mean(name, ["json", "dot", "mermaid"]),
        )
        .into()
    })
}

/// Parses and checks blueprint text; returns it with how it was read (`json` or `yaml`).
pub fn load_text(
    text: &str,
    format: Option<SourceFormat>,
) -> Outcome<(CheckedBlueprint, &'static str)> {
    let format = format.unwrap_or_else(|| SourceFormat::detect(text));
    let bp = Document::from_text_as(text, format)?.into_checked()?;
    Ok((bp, source_name(format)))
}

fn source_name(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Json => "json",
        SourceFormat::Yaml => "yaml",
    }
}

/// Checks a blueprint given as an object. The engine reads the object's JSON text, whose line
/// and column mean nothing to the caller: findings keep their paths only.
pub fn load_object(env: &Env, value: Unknown<'_>) -> Outcome<(CheckedBlueprint, &'static str)> {
    Ok((load_object_json(&object_json(env, value)?)?, "object"))
}

/// The JSON text of a blueprint object (`JSON.stringify`, on the JS thread).
fn object_json(env: &Env, value: Unknown<'_>) -> Outcome<String> {
    if value.get_type()? != ValueType::Object || value.is_array()? {
        return Err(invalid_argument(
            "document",
            format!("expected a blueprint object, got {}", type_name(&value)),
            None,
        )
        .into());
    }
    Ok(json_stringify(env, value, "", ErrorKind::Parse)?.unwrap_or_else(|| "{}".into()))
}

/// Checks a blueprint object's JSON text (from [`object_json`]).
fn load_object_json(json: &str) -> Outcome<CheckedBlueprint> {
    Ok(Document::from_json(json)
        .and_then(Document::into_checked)
        .map_err(Error::without_locations)?)
}

/// A blueprint argument: a `Blueprint`, text (JSON or YAML, detected) or an object.
pub fn blueprint_arg(env: &Env, value: Unknown<'_>, path: &str) -> Outcome<Arc<CheckedBlueprint>> {
    pending_blueprint_arg(env, value, path)?.load()
}

/// A blueprint argument as read on the JS thread, to be parsed and checked ([`Self::load`])
/// where the work runs: on the pool thread for the async variants.
pub enum PendingBlueprint {
    /// A `Blueprint` instance.
    Ready(Arc<CheckedBlueprint>),
    /// Text, JSON or YAML (detected).
    Text(String),
    /// An object, as its JSON text.
    Object(String),
}

impl PendingBlueprint {
    /// The checked blueprint.
    pub fn load(self) -> Outcome<Arc<CheckedBlueprint>> {
        match self {
            PendingBlueprint::Ready(bp) => Ok(bp),
            PendingBlueprint::Text(text) => Ok(Arc::new(load_text(&text, None)?.0)),
            PendingBlueprint::Object(json) => Ok(Arc::new(load_object_json(&json)?)),
        }
    }
}

/// Reads a blueprint argument (a `Blueprint`, text or an object) without parsing it.
pub fn pending_blueprint_arg(
    env: &Env,
    value: Unknown<'_>,
    path: &str,
) -> Outcome<PendingBlueprint> {
    match value.get_type()? {
        ValueType::String => Ok(PendingBlueprint::Text(string_arg(value, path)?)),
        ValueType::Object if !value.is_array()? => {
            if let Ok(bp) = ClassInstance::<crate::Blueprint>::from_unknown(value) {
                let inner = bp
                    .inner()
                    .map_err(|_| disposed(&format!("`{path}` (a Blueprint)")))?;
                return Ok(PendingBlueprint::Ready(inner));
            }
            Ok(PendingBlueprint::Object(object_json(env, value)?))
        }
        _ => Err(invalid_argument(
            path,
            format!(
                "`{path}` must be a Blueprint, blueprint text or a blueprint object, got {}",
                type_name(&value)
            ),
            None,
        )
        .into()),
    }
}

/// A `PriceCatalog` argument.
pub fn price_catalog_arg(value: Unknown<'_>, path: &str) -> Outcome<Arc<iac_dharma::PriceCatalog>> {
    let catalog = ClassInstance::<crate::PriceCatalog>::from_unknown(value).map_err(|_| {
        Failure::from(invalid_argument(
            path,
            format!("`{path}` must be a PriceCatalog, got {}", type_name(&value)),
            None,
        ))
    })?;
    match catalog.inner() {
        Ok(inner) => Ok(inner),
        Err(_) => Err(disposed(&format!("`{path}` (a PriceCatalog)"))),
    }
}

/// Reads an optional class-instance option (`options.catalog`, `options.policies`), through
/// `Reflect.get`: a getter or a Proxy that throws is an error at `options.KEY`, not a JS
/// exception left pending (which would make an async variant throw synchronously).
pub fn instance_option<'e>(
    env: &'e Env,
    options: &Option<Unknown<'e>>,
    key: &str,
) -> Outcome<Option<Unknown<'e>>> {
    let Some(options) = options.filter(|o| !convert::is_absent(o)) else {
        return Ok(None);
    };
    if options.get_type()? != ValueType::Object {
        return Ok(None);
    }
    let value = convert::property(env, options, key, &format!("options.{key}"))?;
    Ok(Some(value).filter(|v| !convert::is_absent(v)))
}

/// The items of an array argument at `path` (a `DharmaError` for anything else).
pub fn array_argument<'e>(value: Unknown<'e>, path: &str) -> Outcome<Vec<Unknown<'e>>> {
    if !value.is_array()? {
        return Err(invalid_argument(
            path,
            format!("`{path}` must be an array, got {}", type_name(&value)),
            None,
        )
        .into());
    }
    let array = value.coerce_to_object()?;
    (0..array.get_array_length()?)
        .map(|i| Ok(array.get_element::<Unknown<'e>>(i)?))
        .collect()
}

/// A whole-number argument at `path` within `range` (a `DharmaError` for a string, a fraction,
/// `NaN` or a number out of range, where napi's own conversion would wrap or truncate it).
pub fn whole_number(
    value: Unknown<'_>,
    path: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Outcome<u32> {
    let number = if value.get_type()? == ValueType::Number {
        Some(value.coerce_to_number()?.get_double()?)
    } else {
        None
    };
    match number {
        Some(n)
            if n.fract() == 0.0
                && n >= f64::from(*range.start())
                && n <= f64::from(*range.end()) =>
        {
            Ok(n as u32)
        }
        _ => Err(invalid_argument(
            path,
            format!(
                "`{path}` must be a whole number from {} to {}, got {}",
                range.start(),
                range.end(),
                match number {
                    Some(n) => n.to_string(),
                    None => type_name(&value),
                }
            ),
            None,
        )
        .into()),
    }
}

/// What the check resolved about one resource.
#[derive(Serialize)]
pub struct ResourceSummary<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    address: &'a str,
    count: u32,
    taggable: bool,
    tags: serde_json::Map<String, Value>,
}

/// Every resource's summary, in document order.
pub fn resource_summaries(bp: &CheckedBlueprint) -> Vec<ResourceSummary<'_>> {
    bp.iter()
        .map(|(i, r, info)| ResourceSummary {
            name: &r.name,
            type_name: &info.type_name,
            address: &info.address,
            count: r.instance_count(),
            taggable: info.taggable,
            tags: bp.effective_tags(i),
        })
        .collect()
}

/// The names of every resource that depends on `name`, in document order.
pub fn blast_radius(bp: &CheckedBlueprint, name: &str) -> Outcome<Vec<String>> {
    let Some(index) = bp.index_of(name) else {
        return Err(invalid_argument(
            "name",
            format!("no resource is named `{name}`"),
            did_you_mean(name, bp.resources().iter().map(|r| r.name.as_str())),
        )
        .into());
    };
    Ok(bp
        .graph()
        .blast_radius(index)
        .into_iter()
        .filter_map(|i| bp.resources().get(i).map(|r| r.name.clone()))
        .collect())
}

/// A decimal argument (string or number) at `path`.
pub fn amount_decimal(env: &Env, value: Unknown<'_>, path: &str) -> Outcome<iac_dharma::Decimal> {
    let json = json_stringify(env, value, path, ErrorKind::InvalidInput)?.unwrap_or_default();
    let amount: Amount = serde_json::from_str(&json).map_err(|_| {
        invalid_argument(
            path,
            format!("`{path}` must be a decimal string or a number"),
            None,
        )
    })?;
    amount.decimal(path)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GenerateOpts {
    templates: Option<std::collections::BTreeMap<String, String>>,
}

/// The arguments of `generate`: the format id and `{templates}`.
pub fn generate_options(
    env: &Env,
    format: Unknown<'_>,
    opts: Option<Unknown<'_>>,
) -> Outcome<(iac_dharma::OutputFormat, iac_dharma::GenerateOptions)> {
    let format: iac_dharma::OutputFormat = string_arg(format, "format")?.parse()?;
    let opts: GenerateOpts = options(env, opts, "options", &["templates"])?;
    let mut options = iac_dharma::GenerateOptions::default();
    if let Some(t) = opts.templates {
        options.templates = Some(iac_dharma::TemplateSet::with_overrides(t)?);
    }
    Ok((format, options))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EstimateOpts {
    usage: Option<Value>,
    budget: Option<Amount>,
    skip_optimizations: Option<bool>,
    /// Read as a `PriceCatalog` instance by the caller.
    #[allow(dead_code)]
    catalog: Option<serde::de::IgnoredAny>,
}

/// The options of `estimate` and `costDiff`: `{usage, budget, catalog, skipOptimizations}`.
pub fn estimate_options(
    env: &Env,
    opts: Option<Unknown<'_>>,
) -> Outcome<iac_dharma::EstimateOptions> {
    let catalog = instance_option(env, &opts, "catalog")?
        .map(|c| price_catalog_arg(c, "options.catalog"))
        .transpose()?;
    let o: EstimateOpts = options(
        env,
        opts,
        "options",
        &["usage", "budget", "catalog", "skipOptimizations"],
    )?;
    let mut options = iac_dharma::EstimateOptions::new();
    if let Some(catalog) = catalog {
        options = options.with_catalog(catalog);
    }
    apply_estimate_fields(options, o.usage, o.budget, o.skip_optimizations)
}

/// Sets the usage file (text or object), budget and `skipOptimizations` of estimate options
/// (`estimate`, `costDiff`, `runPipeline`).
pub fn apply_estimate_fields(
    mut options: iac_dharma::EstimateOptions,
    usage: Option<Value>,
    budget: Option<Amount>,
    skip_optimizations: Option<bool>,
) -> Outcome<iac_dharma::EstimateOptions> {
    match usage {
        None => {}
        Some(Value::String(text)) => {
            let usage = match SourceFormat::detect(&text) {
                SourceFormat::Json => iac_dharma::UsageFile::from_json(&text)?,
                SourceFormat::Yaml => iac_dharma::UsageFile::from_yaml(&text)?,
            };
            options = options.with_usage(usage);
        }
        Some(v @ Value::Object(_)) => {
            options = options.with_usage(iac_dharma::UsageFile::from_value(v)?)
        }
        Some(_) => {
            return Err(invalid_argument(
                "options.usage",
                "`options.usage` must be a usage file as text or an object",
                None,
            )
            .into())
        }
    }
    if let Some(budget) = budget {
        options = options.with_budget(budget.decimal("options.budget")?);
    }
    if let Some(skip) = skip_optimizations {
        options.skip_optimizations = skip;
    }
    Ok(options)
}

/// A Terraform state argument for `drift`: text, or an object read as its JSON. Errors in an
/// object's JSON carry no line:column: the caller never saw that text.
pub struct StateArg {
    text: String,
    object: bool,
}

impl StateArg {
    /// Reads the argument at `path` on the JS thread.
    pub fn read(env: &Env, value: Unknown<'_>, path: &str) -> Outcome<StateArg> {
        Ok(match convert::document(env, value, path)? {
            Doc::Text(text) => StateArg {
                text,
                object: false,
            },
            Doc::Json(text) => StateArg { text, object: true },
        })
    }

    /// The state (on any thread).
    pub fn parse(&self) -> iac_dharma::Result<iac_dharma::TerraformState> {
        iac_dharma::TerraformState::from_json(&self.text).map_err(|e| {
            if self.object {
                e.without_locations()
            } else {
                e
            }
        })
    }
}

/// A text-or-object argument as text: strings as given, objects as JSON.
pub fn document_text(env: &Env, value: Unknown<'_>, path: &str) -> Outcome<String> {
    Ok(match convert::document(env, value, path)? {
        Doc::Text(t) | Doc::Json(t) => t,
    })
}
