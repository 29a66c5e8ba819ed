//! The blueprint document: what a team writes (JSON or YAML), as plain serde types.
//!
//! These types hold the document exactly as written, before any semantic check: a type may still be
//! an alias, a reference may still dangle. [`Blueprint::check`] turns a document into a
//! [`CheckedBlueprint`](crate::CheckedBlueprint) that every verb works on.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Code, Error, ErrorKind, Finding, Location, Result};
use crate::free_form;
use crate::limits::Limits;
use crate::source_text::{clean_serde_message, json_location, without_bom, yaml_flow_too_deep};

/// Reads a `T` from a mapping only: as a [`DeserializeSeed`] (`MapOnly::<T>::new()`), or, for
/// a whole document, wrapped in [`Document`].
///
/// serde's derived impls also take a struct's fields in declaration order from a sequence (for
/// formats without field names), and serde_json hands them a JSON array: `["aws_vpc", "main"]`
/// would be read as a resource, and `["abc", "1.0.0", "aws", "us-east-1"]` as a blueprint. YAML
/// never reads a sequence as a struct, so the two formats disagreed too. The document's entry
/// points and its struct-typed fields (`#[serde(deserialize_with = "...")]`) read through this.
pub(crate) struct MapOnly<T>(PhantomData<T>);

/// A part of a document that is a mapping, and what an error says was expected in its place
/// ("invalid type: sequence, expected a resource (a mapping with ...)").
pub(crate) trait Mapping {
    const EXPECTED: &'static str;
}

impl Mapping for Blueprint {
    const EXPECTED: &'static str =
        "a blueprint (a mapping with `name`, `version`, `provider`, `region` and `resources`)";
}

impl Mapping for Resource {
    const EXPECTED: &'static str = "a resource (a mapping with `type`, `name` and `properties`)";
}

impl Mapping for Variable {
    const EXPECTED: &'static str = "a variable (a mapping with `name`, `type` and `default`)";
}

impl Mapping for Output {
    const EXPECTED: &'static str = "an output (a mapping with `name` and `value`)";
}

impl Mapping for Lifecycle {
    const EXPECTED: &'static str = "a lifecycle block (a mapping with `create_before_destroy`, `prevent_destroy` or `ignore_changes`)";
}

impl Mapping for Waiver {
    const EXPECTED: &'static str = "a waiver (a mapping with the check's `id` and a `reason`)";
}

impl<T> MapOnly<T> {
    pub(crate) fn new() -> Self {
        MapOnly(PhantomData)
    }
}

impl<'de, T: Deserialize<'de> + Mapping> DeserializeSeed<'de> for MapOnly<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<T, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de> + Mapping> Visitor<'de> for MapOnly<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

/// A whole document (a blueprint, a usage file) read from a mapping only (see [`MapOnly`]).
pub(crate) struct Document<T>(pub(crate) T);

impl<'de, T: Deserialize<'de> + Mapping> Deserialize<'de> for Document<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        MapOnly::new().deserialize(d).map(Document)
    }
}

/// `#[serde(deserialize_with)]` of a struct-typed field (see [`MapOnly`]).
fn map_only<'de, D: Deserializer<'de>, T: Deserialize<'de> + Mapping>(
    d: D,
) -> std::result::Result<T, D::Error> {
    MapOnly::new().deserialize(d)
}

/// `#[serde(deserialize_with)]` of a list of structs: each item read from a mapping only.
fn maps_only<'de, D: Deserializer<'de>, T: Deserialize<'de> + Mapping>(
    d: D,
) -> std::result::Result<Vec<T>, D::Error> {
    struct Items<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Mapping> Visitor<'de> for Items<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<T>, A::Error> {
            // A hint from the input is not trusted beyond a modest preallocation.
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(item) = seq.next_element_seed(MapOnly::new())? {
                items.push(item);
            }
            Ok(items)
        }
    }
    d.deserialize_seq(Items(PhantomData))
}

/// Free-form JSON value of a property, variable default or output.
pub type Value = serde_json::Value;

/// Map of property names to values, sorted by name (so every output is deterministic).
pub type Properties = serde_json::Map<String, Value>;

/// The text Terraform makes of a number given where a string is expected: the shortest digits
/// that read back as the same number, never an exponent (`100`, not `100.0`; `1e20` is
/// `100000000000000000000`; `-0.0` is `-0`), as `tostring()` and the providers see it. Rust's
/// `Display` for `f64` writes exactly that; `serde_json` writes floats as `100.0` or `1e20`.
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) => f.to_string(),
        _ => n.to_string(),
    }
}

/// A blueprint: the infrastructure a team wants, for one provider and region.
///
/// ```
/// let bp = iac_dharma::Blueprint::from_yaml(r#"
/// name: demo
/// version: 1.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - type: aws_vpc
///     name: main
///     properties: {cidr_block: 10.0.0.0/16}
/// "#)?;
/// assert_eq!(bp.resources[0].name, "main");
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "IAC Dharma blueprint",
    description = "A blueprint: the infrastructure a team wants, for one provider and region."
)]
pub struct Blueprint {
    /// Name of the blueprint: 3 to 100 characters of letters, digits, `_` and `-`.
    #[schemars(length(min = 3, max = 100), regex(pattern = r"^[A-Za-z0-9_-]{3,100}$"))]
    #[serde(deserialize_with = "free_form::text")]
    pub name: String,
    /// Semantic version of the blueprint (`1.2.0`; a leading `v` is accepted).
    #[serde(deserialize_with = "free_form::text")]
    pub version: String,
    /// Cloud provider: `aws`, `azure` or `gcp`.
    #[schemars(extend("enum" = ["aws", "azure", "gcp"]))]
    #[serde(deserialize_with = "free_form::text")]
    pub provider: String,
    /// Region of the provider, e.g. `us-east-1`, `westeurope`, `europe-west1`.
    #[serde(deserialize_with = "free_form::text")]
    pub region: String,
    /// What this infrastructure is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default tags (labels on GCP) applied to every taggable resource.
    #[serde(
        default,
        deserialize_with = "free_form::strings_by_key",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub tags: BTreeMap<String, String>,
    /// Free-form information about the blueprint (owner, ticket, ...); not interpreted.
    #[serde(
        default,
        deserialize_with = "free_form::values_by_key",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub metadata: BTreeMap<String, Value>,
    /// Input variables, referenced as `${var.NAME}`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "maps_only"
    )]
    pub variables: Vec<Variable>,
    /// Values exported after deployment.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "maps_only"
    )]
    pub outputs: Vec<Output>,
    /// The resources.
    #[serde(default, deserialize_with = "maps_only")]
    pub resources: Vec<Resource>,
}

/// One resource of a blueprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// The provider's Terraform type (`aws_vpc`, `azurerm_virtual_network`, `google_compute_network`)
    /// or a short alias (`vpc`, `subnet`, `ec2_instance`, `s3_bucket`, ...).
    #[serde(rename = "type", deserialize_with = "free_form::text")]
    pub resource_type: String,
    /// Unique name in the blueprint: a lowercase letter or `_`, then lowercase letters, digits, `_`.
    #[schemars(regex(pattern = r"^[a-z_][a-z0-9_]*$"))]
    #[serde(deserialize_with = "free_form::text")]
    pub name: String,
    /// Number of instances (default 1). Instances are addressed as `type.name[i]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "free_form::count"
    )]
    #[schemars(range(max = 1000))]
    pub count: Option<u32>,
    /// Arguments of the resource, named as in the provider's Terraform schema. Strings may hold
    /// references: `${other.attribute}` and `${var.name}`; `$${` writes a literal `${`.
    #[serde(
        default,
        deserialize_with = "free_form::object",
        skip_serializing_if = "serde_json::Map::is_empty"
    )]
    pub properties: Properties,
    /// Explicit dependencies, by resource name, in addition to those implied by references.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "free_form::texts"
    )]
    pub dependencies: Vec<String>,
    /// Usage assumptions for cost estimates (e.g. `monthly_hours`, `storage_gb`).
    #[serde(
        default,
        deserialize_with = "free_form::object",
        skip_serializing_if = "serde_json::Map::is_empty"
    )]
    pub usage: Properties,
    /// How changes to this resource are applied.
    #[serde(
        default,
        skip_serializing_if = "Lifecycle::is_default",
        deserialize_with = "map_only"
    )]
    pub lifecycle: Lifecycle,
    /// Human-readable note about the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Policy checks this resource is exempt from, each with a reason and an optional expiry date
    /// (see `docs/policies.md`). Waived findings stay in the validation report, marked as waived.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "maps_only"
    )]
    pub waivers: Vec<Waiver>,
}

/// An exemption of one resource from one policy check.
///
/// ```yaml
/// waivers:
///   - id: DHARMA_AWS_S3_005
///     reason: access logs of this bucket go to CloudTrail data events
///     expires: 2027-06-30
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The check id, e.g. `DHARMA_AWS_S3_005` (or the id a user policy gives its findings).
    pub id: String,
    /// Why the finding is accepted; shown in every report.
    pub reason: String,
    /// Last day (`YYYY-MM-DD`, inclusive) the waiver applies; after it the finding counts again
    /// and the report lists the waiver as expired. No date: the waiver does not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub expires: Option<String>,
}

impl Resource {
    /// The number of instances (`count`, default 1).
    pub fn instance_count(&self) -> u32 {
        self.count.unwrap_or(1)
    }
}

/// Lifecycle settings of a resource, as in Terraform's `lifecycle` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// When the resource must be replaced, create the new one before destroying the old one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
    /// Refuse any plan that would destroy (or replace) this resource.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prevent_destroy: bool,
    /// Arguments whose differences are ignored when planning updates.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "free_form::texts"
    )]
    pub ignore_changes: Vec<String>,
}

impl Lifecycle {
    /// True when nothing is set (the default lifecycle).
    pub fn is_default(&self) -> bool {
        self == &Lifecycle::default()
    }
}

/// An input variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Name, referenced as `${var.NAME}`: a letter or `_`, then letters, digits, `_`, `-`.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_-]*$"))]
    #[serde(deserialize_with = "free_form::text")]
    pub name: String,
    /// Type: `string`, `number`, `bool`, `any`, `list(T)`, `set(T)` or `map(T)`; default `string`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub var_type: Option<String>,
    /// Default value; a variable without one must be given a value at deploy time. An explicit
    /// `default: null` is kept (`Some(Value::Null)`): as in Terraform, it makes the variable
    /// optional with no value.
    #[schemars(
        description = "Default value; a variable without one must be given a value at deploy time. An explicit `default: null` makes the variable optional with no value, as in Terraform."
    )]
    #[serde(
        default,
        deserialize_with = "free_form::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<Value>,
    /// What the variable is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hide the value in plans and outputs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// A value exported after deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Name of the output: a letter or `_`, then letters, digits, `_`, `-`.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_-]*$"))]
    #[serde(deserialize_with = "free_form::text")]
    pub name: String,
    /// The value, usually a reference such as `${lb.dns_name}`.
    #[serde(deserialize_with = "free_form::value")]
    pub value: Value,
    /// What the output is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hide the value in plans and CLI output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// The syntax of a blueprint source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// JSON.
    Json,
    /// YAML (1.2; JSON is valid YAML, but is read as JSON when detected).
    Yaml,
}

impl SourceFormat {
    /// Guesses the format of a text: JSON when the first non-blank character is `{`, else YAML.
    pub fn detect(text: &str) -> SourceFormat {
        match without_bom(text).trim_start().chars().next() {
            Some('{') => SourceFormat::Json,
            _ => SourceFormat::Yaml,
        }
    }

    /// Guesses the format from a file name's extension (`.json`, `.yaml`/`.yml`).
    pub fn from_extension(file_name: &str) -> Option<SourceFormat> {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(SourceFormat::Json)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(SourceFormat::Yaml)
        } else {
            None
        }
    }
}

impl Blueprint {
    /// Parses a blueprint from JSON text.
    ///
    /// # Errors
    /// A [`ErrorKind::Parse`] error with the line and column of a syntax error, or the path and
    /// line:column of a field that does not fit the blueprint's shape.
    pub fn from_json(text: &str) -> Result<Blueprint> {
        Blueprint::from_text_as_with_limits(text, SourceFormat::Json, &Limits::default())
    }

    /// Parses a blueprint from YAML text.
    ///
    /// # Errors
    /// As [`Blueprint::from_json`].
    pub fn from_yaml(text: &str) -> Result<Blueprint> {
        Blueprint::from_text_as_with_limits(text, SourceFormat::Yaml, &Limits::default())
    }

    /// Parses a blueprint from JSON or YAML text, guessing the format with [`SourceFormat::detect`].
    ///
    /// # Errors
    /// As [`Blueprint::from_json`].
    pub fn from_text(text: &str) -> Result<Blueprint> {
        Blueprint::from_text_as(text, SourceFormat::detect(text))
    }

    /// Parses a blueprint from text in the given format.
    ///
    /// # Errors
    /// As [`Blueprint::from_json`].
    pub fn from_text_as(text: &str, format: SourceFormat) -> Result<Blueprint> {
        Blueprint::from_text_as_with_limits(text, format, &Limits::default())
    }

    /// Parses a blueprint from JSON or YAML text (detected) under the given [`Limits`] (the other
    /// parse functions apply [`Limits::default`]).
    ///
    /// # Errors
    /// As [`Blueprint::from_json`], and a [`ErrorKind::Limit`] error (`limit_exceeded`, with
    /// the path of the offending part) when the text breaks a limit.
    pub fn from_text_with_limits(text: &str, limits: &Limits) -> Result<Blueprint> {
        Blueprint::from_text_as_with_limits(text, SourceFormat::detect(text), limits)
    }

    /// As [`Blueprint::from_text_with_limits`], in the given format.
    ///
    /// # Errors
    /// As [`Blueprint::from_text_with_limits`].
    pub fn from_text_as_with_limits(
        text: &str,
        format: SourceFormat,
        limits: &Limits,
    ) -> Result<Blueprint> {
        limits.check_text(text)?;
        let bp = match format {
            SourceFormat::Json => from_json_text(text)?,
            SourceFormat::Yaml => from_yaml_text(text)?,
        };
        limits.check_blueprint(&bp)?;
        Ok(bp)
    }

    /// Builds a blueprint from an already-parsed JSON value (a dict from Python, an object from JS).
    ///
    /// # Errors
    /// A [`ErrorKind::Parse`] error with the path of the field that does not fit.
    pub fn from_value(value: Value) -> Result<Blueprint> {
        let Document(bp): Document<Blueprint> = serde_path_to_error::deserialize(value)
            .map_err(|e| structure_error(e.path().to_string(), e.into_inner().to_string(), None))?;
        Limits::default().check_blueprint(&bp)?;
        Ok(bp)
    }

    /// The blueprint as a JSON value.
    pub fn to_value(&self) -> Value {
        // Serializing these plain types into a `Value` cannot fail (string keys only).
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The blueprint as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The blueprint as YAML.
    ///
    /// # Errors
    /// Only if a value cannot be represented in YAML (never for documents parsed by this crate).
    pub fn to_yaml(&self) -> Result<String> {
        yaml_serde::to_string(self).map_err(|e| {
            Error::single(
                ErrorKind::InvalidInput,
                Finding::error(Code::InvalidArgument, "", e.to_string()),
            )
        })
    }
}

/// Parses and checks a blueprint (JSON or YAML, detected) under the default [`Limits`]: the same
/// result as `Blueprint::from_text(text)?.into_checked()`, but each resource is checked against
/// the limits while the semantic check reads it, not in a walk of its own over the whole document
/// (at 10,000 resources the document is far larger than the CPU caches, and every pass reads it
/// from memory again).
pub(crate) fn parse_checked(text: &str) -> Result<crate::CheckedBlueprint> {
    let limits = Limits::default();
    limits.check_text(text)?;
    let bp = match SourceFormat::detect(text) {
        SourceFormat::Json => from_json_text(text)?,
        SourceFormat::Yaml => from_yaml_text(text)?,
    };
    limits.check_document_head(&bp)?;
    bp.into_checked_with_limits(Some(&limits))
}

/// Formats a serde_path_to_error path the way findings print paths (`resources[3].count`).
fn normalize_path(path: String) -> String {
    if path == "." {
        String::new()
    } else {
        path
    }
}

fn structure_error(path: String, message: String, location: Option<Location>) -> Error {
    Error::single(
        ErrorKind::Parse,
        Finding::error(
            Code::InvalidStructure,
            normalize_path(path),
            clean_serde_message(&message),
        )
        .with_location(location),
    )
}

/// yaml_serde starts shape messages with the path (`resources[0].count: invalid type...`), or
/// with the path of the mapping for an error raised after reading its value (`tags: ...` for
/// `tags.Owner`); findings carry the path separately.
fn strip_path_prefix(message: String, path: &str) -> String {
    let path = normalize_path(path.to_string());
    if path.is_empty() {
        return message;
    }
    let Some((head, rest)) = message.split_once(": ") else {
        return message;
    };
    let ancestor = path
        .strip_prefix(head)
        .is_some_and(|tail| tail.is_empty() || tail.starts_with(['.', '[']));
    if ancestor {
        rest.to_string()
    } else {
        message
    }
}

/// The readers' own nesting guard (128 levels) tripped: a `limit_exceeded` error whose path is
/// the part of the document path before the deep nesting began, so it stays readable.
fn nesting_error(path: &str, location: Option<Location>) -> Error {
    let path = normalize_path(path.to_string());
    let head = match path.find("[0][0]") {
        Some(i) => &path[..i],
        None => path.as_str(),
    };
    let head = if head.len() > 200 {
        head.get(..200).unwrap_or(head)
    } else {
        head
    };
    Error::single(
        ErrorKind::Limit,
        Finding::error(
            Code::LimitExceeded,
            head,
            "the document is nested more than 128 levels deep",
        )
        .with_location(location),
    )
}

fn from_json_text(text: &str) -> Result<Blueprint> {
    let text = without_bom(text);
    // Fast path: a plain parse. Only a failing document is read again with path tracking, which
    // costs about half as much again as the parse itself.
    if let Ok(Document(bp)) = serde_json::from_str::<Document<Blueprint>>(text) {
        return no_big_integers(text).map(|()| bp);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: std::result::Result<Document<Blueprint>, _> =
        serde_path_to_error::deserialize(&mut de);
    let Document(bp) = parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = json_location(text, &inner);
        use serde_json::error::Category;
        if inner.to_string().starts_with("recursion limit exceeded") {
            return nesting_error(&path, location);
        }
        let message = inner.to_string();
        match inner.classify() {
            Category::Data => structure_error(path, message, location),
            // A `\ud800` escape without its pair: JSON.stringify writes one for a JS string that
            // holds half a UTF-16 pair. The string's path says which one.
            Category::Syntax if message.contains("surrogate") || message.contains("hex escape") => {
                Error::single(
                    ErrorKind::Parse,
                    Finding::error(
                        Code::JsonSyntax,
                        normalize_path(path),
                        "invalid JSON: a string holds a lone surrogate (`\\uD800`-`\\uDFFF` without its pair), which is not text",
                    )
                    .with_location(location),
                )
            }
            Category::Syntax | Category::Eof | Category::Io => Error::single(
                ErrorKind::Parse,
                Finding::error(
                    Code::JsonSyntax,
                    "",
                    format!("invalid JSON: {}", clean_serde_message(&inner.to_string())),
                )
                .with_location(location),
            ),
        }
    })?;
    de.end().map_err(|e| {
        Error::single(
            ErrorKind::Parse,
            Finding::error(
                Code::JsonSyntax,
                "",
                format!("invalid JSON: {}", clean_serde_message(&e.to_string())),
            )
            .with_location(json_location(text, &e)),
        )
    })?;
    no_big_integers(text).map(|()| bp)
}

/// Refuses an integer literal beyond 64 bits ([`json_big_integer`]), which serde_json would have
/// read as another number. Its path comes from reading the text again with the literal replaced
/// by a token that cannot parse (only when there is one).
fn no_big_integers(text: &str) -> Result<()> {
    let Some((location, range)) = crate::source_text::json_big_integer(text) else {
        return Ok(());
    };
    let literal = text.get(range.clone()).unwrap_or_default();
    let mut marked = String::with_capacity(text.len());
    marked.push_str(text.get(..range.start).unwrap_or_default());
    marked.push('x');
    marked.push_str(text.get(range.end..).unwrap_or_default());
    let mut de = serde_json::Deserializer::from_str(&marked);
    let path = serde_path_to_error::deserialize::<_, Document<Blueprint>>(&mut de)
        .err()
        .map(|e| e.path().to_string())
        .unwrap_or_default();
    Err(Error::single(
        ErrorKind::Parse,
        Finding::error(
            Code::InvalidStructure,
            normalize_path(path),
            crate::source_text::big_integer_message(literal),
        )
        .with_location(Some(location)),
    ))
}

fn from_yaml_text(text: &str) -> Result<Blueprint> {
    // A byte order mark (as some Windows editors save) starts the stream; the YAML reader would
    // take it for content before a second document.
    let text = without_bom(text);
    if text.trim().is_empty() {
        return Err(Error::single(
            ErrorKind::Parse,
            Finding::error(Code::YamlSyntax, "", "the blueprint is empty"),
        ));
    }
    if let Some(line) = yaml_flow_too_deep(text) {
        return Err(nesting_error("", Some(Location { line, column: 1 })));
    }
    if let Some(merged) = from_yaml_with_merge_keys(text) {
        return merged;
    }
    if let Ok(Document(bp)) = yaml_serde::from_str::<Document<Blueprint>>(text) {
        return Ok(bp);
    }
    let de = yaml_serde::Deserializer::from_str(text);
    let parsed: std::result::Result<Document<Blueprint>, _> = serde_path_to_error::deserialize(de);
    parsed.map(|Document(bp)| bp).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = inner.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        let message = inner.to_string();
        // yaml_serde reports syntax problems (scanner/parser) and shape problems (serde) through
        // one type. Only on failure, re-read the text accepting any shape: if that fails too, the
        // problem is the YAML itself, and that second error says where.
        if message.contains("recursion limit exceeded") {
            return nesting_error(&path, location);
        }
        if message.contains("repetition limit exceeded") {
            return Error::single(
                ErrorKind::Limit,
                Finding::error(
                    Code::LimitExceeded,
                    "",
                    "the YAML aliases expand to far more values than the text holds (an alias bomb)",
                )
                .with_location(location),
            );
        }
        match yaml_serde::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) => {
                let location = syntax
                    .location()
                    .map(|l| Location {
                        line: l.line(),
                        column: l.column(),
                    })
                    .or_else(|| {
                        // The reader says "more than one document" without a place.
                        syntax
                            .to_string()
                            .contains("more than one document")
                            .then(|| second_document(text))
                            .flatten()
                    })
                    .or(location);
                Error::single(
                    ErrorKind::Parse,
                    Finding::error(
                        Code::YamlSyntax,
                        "",
                        format!("invalid YAML: {}", clean_serde_message(&syntax.to_string())),
                    )
                    .with_location(location),
                )
            }
            Ok(_) => {
                let message = strip_path_prefix(message, &path);
                structure_error(path, message, location)
            }
        }
    })
}

/// Where a YAML stream's second document starts: the `---` after some content (a first `---`
/// before any content opens the first document).
fn second_document(text: &str) -> Option<Location> {
    let mut content = false;
    for (i, line) in text.lines().enumerate() {
        let marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if marker && content {
            return Some(Location {
                line: i + 1,
                column: 1,
            });
        }
        let trimmed = line.trim();
        if !marker && !trimmed.is_empty() && !trimmed.starts_with('#') {
            content = true;
        }
    }
    None
}

/// A YAML blueprint that uses merge keys (`<<: *defaults`; see [`crate::yaml_merge`]): read as
/// a value and merged there, then read as a blueprint from that value's JSON text (the WASM
/// module carries no third reader), whose line and column would be those of that text, so they
/// are dropped. `None` when the document has no merge key, is not valid YAML or breaks a reader
/// limit: the direct reader then reads it, or reports why with its position.
fn from_yaml_with_merge_keys(text: &str) -> Option<Result<Blueprint>> {
    match crate::yaml_merge::applied(text)? {
        Err(bad) => {
            let message = strip_path_prefix(bad.message, &bad.path);
            Some(Err(structure_error(bad.path, message, bad.location)))
        }
        Ok(value) => {
            // (A value with string keys always writes.)
            let json = serde_json::to_string(&value).unwrap_or_default();
            Some(from_json_text(&json).map_err(Error::without_locations))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML_HEAD: &str = "name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\n";

    #[test]
    fn count_errors_say_what_is_wrong_with_the_number() {
        let first = |e: Error| {
            let f = e.findings()[0].clone();
            (f.code, f.path, f.message, f.location.map(|l| l.line))
        };
        let json = |count: &str| {
            Blueprint::from_json(&format!(
                r#"{{"name": "demo", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
"resources": [{{"type": "aws_sqs_queue", "name": "q", "count": {count}}}]}}"#
            ))
        };
        let yaml = |count: &str| {
            Blueprint::from_yaml(&format!(
                "{YAML_HEAD}resources:\n  - type: aws_sqs_queue\n    name: q\n    count: {count}\n"
            ))
        };
        for (result, message) in [
            (json("1000000000000"), "count 1000000000000 is larger than the limit of 1000 instances"),
            (yaml("1000000000000"), "count 1000000000000 is larger than the limit of 1000 instances"),
            (json("-1"), "count -1 is negative: give a whole number of instances from 0 to 1000"),
            (yaml("-4"), "count -4 is negative: give a whole number of instances from 0 to 1000"),
            (json("1.5"), "invalid type: floating point `1.5`, expected a whole number of instances from 0 to 1000"),
            (yaml("'3'"), "invalid type: string \"3\", expected a whole number of instances from 0 to 1000"),
        ] {
            let (code, path, text, line) = first(result.unwrap_err());
            assert_eq!((code, path.as_str()), (Code::InvalidStructure, "resources[0].count"));
            assert_eq!(text, message);
            assert!(line.is_some(), "{message}: a line");
        }
        assert_eq!(json("3").unwrap().resources[0].count, Some(3));
        assert_eq!(yaml("~").unwrap().resources[0].count, None);
        // Within u32 and over the limit: the check's error, as before.
        assert!(json("5000").is_ok());
    }

    #[test]
    fn yaml_merge_keys_merge_with_explicit_keys_first() {
        let text = format!(
            "{YAML_HEAD}{}",
            r"resources:
  - type: aws_sqs_queue
    name: jobs
    properties: &defaults
      visibility_timeout_seconds: 60
      delay_seconds: 5
  - type: aws_sqs_queue
    name: retries
    properties:
      <<: [*defaults, {delay_seconds: 9, max_message_size: 2048}]
      delay_seconds: 0
"
        );
        let bp = Blueprint::from_yaml(&text).unwrap();
        let retries = &bp.resources[1].properties;
        assert_eq!(retries["visibility_timeout_seconds"], 60);
        assert_eq!(retries["delay_seconds"], 0, "the explicit key wins");
        assert_eq!(retries["max_message_size"], 2048);
        assert!(!retries.contains_key("<<"));

        // A merged mapping with a merge key of its own.
        let text = format!(
            "{YAML_HEAD}{}",
            r"resources:
  - type: aws_sqs_queue
    name: jobs
    properties: &base
      delay_seconds: 5
  - type: aws_sqs_queue
    name: slow
    properties: &slow
      <<: *base
      visibility_timeout_seconds: 600
  - type: aws_sqs_queue
    name: slower
    properties:
      <<: *slow
      max_message_size: 1024
"
        );
        let bp = Blueprint::from_yaml(&text).unwrap();
        let slower = &bp.resources[2].properties;
        assert_eq!(slower["delay_seconds"], 5);
        assert_eq!(slower["visibility_timeout_seconds"], 600);
        assert_eq!(slower.len(), 3, "{slower:?}");
    }

    #[test]
    fn errors_in_a_document_with_merge_keys_have_a_path() {
        let text =
            format!("{YAML_HEAD}resources:\n  - {{<<: {{count: two}}, type: aws_vpc, name: a}}\n");
        let err = Blueprint::from_yaml(&text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidStructure);
        assert_eq!(err.path(), "resources[0].count");
        assert_eq!(err.location(), None);
        // The first read, as a value, refuses what the free-form reader refuses, where it is.
        let text = format!(
            "{YAML_HEAD}resources:\n  - {{<<: {{name: a}}, type: aws_ebs_volume, properties: {{size: .nan}}}}\n"
        );
        let err = Blueprint::from_yaml(&text).unwrap_err();
        assert_eq!(err.path(), "resources[0].properties.size");
        assert!(err.to_string().contains("NaN is not a number"), "{err}");
        assert_eq!(err.location().map(|l| l.line), Some(6));
    }

    #[test]
    fn a_heredoc_in_a_string_is_not_a_merge_key() {
        // `<<` in a value: the direct reader runs, and its errors keep their line.
        let text = format!(
            "{YAML_HEAD}{}",
            r#"resources:
  - type: aws_instance
    name: a
    count: two
    properties:
      user_data: "cat <<EOF"
"#
        );
        let err = Blueprint::from_yaml(&text).unwrap_err();
        assert_eq!(err.path(), "resources[0].count");
        assert_eq!(err.location().map(|l| l.line), Some(8));
    }

    #[test]
    fn json_syntax_error_has_location() {
        let err = Blueprint::from_json("{\n  \"name\": \"x\",\n  oops\n}").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert_eq!(err.code(), Code::JsonSyntax);
        assert_eq!(err.location().map(|l| l.line), Some(3));
    }

    #[test]
    fn json_structure_error_has_path_and_location() {
        let text = r#"{"name":"abc","version":"1.0.0","provider":"aws","region":"us-east-1",
"resources":[{"type":"aws_vpc","name":"a","count":"two"}]}"#;
        let err = Blueprint::from_json(text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidStructure);
        assert_eq!(err.path(), "resources[0].count");
        assert_eq!(err.location().map(|l| l.line), Some(2));
    }

    #[test]
    fn keys_given_twice_and_numbers_that_are_not_finite_are_errors_where_they_are() {
        let head = "name: abc\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\n";
        let cases = [
            (
                format!("{head}resources:\n  - type: aws_vpc\n    name: a\n    properties:\n      cidr_block: 10.0.0.0/16\n      cidr_block: 10.1.0.0/16\n"),
                "resources[0].properties",
                "duplicate key `cidr_block`",
                9,
            ),
            (
                format!("{head}tags: {{Owner: a, Owner: b}}\nresources: []\n"),
                "tags",
                "duplicate key `Owner`",
                5,
            ),
            (
                format!("{head}resources:\n  - type: aws_ebs_volume\n    name: d\n    properties: {{size: .nan}}\n"),
                "resources[0].properties.size",
                "NaN is not a number a blueprint can hold",
                8,
            ),
            (
                format!("{head}variables:\n  - {{name: n, type: number, default: -.inf}}\nresources: []\n"),
                "variables[0].default",
                "-inf is not a number",
                6,
            ),
            (
                format!("{head}outputs:\n  - {{name: o, value: {{a: 1, a: 2}}}}\nresources: []\n"),
                "outputs[0].value",
                "duplicate key `a`",
                6,
            ),
        ];
        for (text, path, message, line) in cases {
            let err = Blueprint::from_yaml(&text).unwrap_err();
            assert_eq!(err.code(), Code::InvalidStructure, "{text}");
            assert_eq!(err.path(), path, "{text}");
            assert!(err.message().contains(message), "{text}: {}", err.message());
            // YAML locates a repeated key at the mapping that holds it.
            assert_eq!(err.location().map(|l| l.line), Some(line), "{text}");
        }
        // JSON, at any depth, located after the repeated key's value.
        let text = r#"{"name":"abc","version":"1.0.0","provider":"aws","region":"us-east-1",
"resources":[{"type":"aws_instance","name":"a","properties":{"root_block_device":{"volume_size":8,"volume_size":16}}}]}"#;
        let err = Blueprint::from_json(text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidStructure);
        assert_eq!(err.path(), "resources[0].properties.root_block_device");
        assert!(err
            .message()
            .contains("duplicate key `volume_size`: each key of a mapping may be given once"));
        assert_eq!(err.location().map(|l| (l.line, l.column)), Some((2, 115)));
        // Without a repeated key the same text is fine.
        assert!(Blueprint::from_json(&text.replace(r#","volume_size":16"#, "")).is_ok());
    }

    #[test]
    fn a_byte_order_mark_starts_a_document_in_either_format() {
        let yaml =
            "\u{feff}name: abc\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources: []\n";
        let json = "\u{feff}{\"name\":\"abc\",\"version\":\"1.0.0\",\"provider\":\"aws\",\"region\":\"us-east-1\"}";
        for text in [yaml, json] {
            assert_eq!(Blueprint::from_text(text).unwrap().name, "abc");
        }
        assert_eq!(Blueprint::from_yaml(yaml).unwrap().name, "abc");
        // A syntax error after the mark is reported as such (the mark made the reader see a
        // second document before).
        let err = Blueprint::from_yaml("\u{feff}name: [abc\n").unwrap_err();
        assert_eq!(err.code(), Code::YamlSyntax);
        assert!(!err.message().contains("more than one document"), "{err}");
    }

    #[test]
    fn arrays_are_never_read_as_objects() {
        // serde's derived impls would take the fields in order from an array; a blueprint reads
        // mappings only, in JSON as in YAML and from an already-parsed value.
        let head = r#""name":"abc","version":"1.0.0","provider":"aws","region":"us-east-1""#;
        let cases = [
            (
                r#"["abc","1.0.0","aws","us-east-1"]"#.to_string(),
                "",
                "a blueprint (a mapping with `name`",
            ),
            (
                format!(r#"{{{head},"resources":[["aws_vpc","main"]]}}"#),
                "resources[0]",
                "a resource (a mapping",
            ),
            (
                format!(r#"{{{head},"variables":[["env","string"]]}}"#),
                "variables[0]",
                "a variable (a mapping",
            ),
            (
                format!(r#"{{{head},"outputs":[["id","${{a.id}}"]]}}"#),
                "outputs[0]",
                "an output (a mapping",
            ),
            (
                format!(
                    r#"{{{head},"resources":[{{"type":"aws_vpc","name":"a","lifecycle":[true]}}]}}"#
                ),
                "resources[0].lifecycle",
                "a lifecycle block (a mapping",
            ),
            (
                format!(
                    r#"{{{head},"resources":[{{"type":"aws_vpc","name":"a","waivers":[["X","why"]]}}]}}"#
                ),
                "resources[0].waivers[0]",
                "a waiver (a mapping",
            ),
        ];
        for (text, path, expected) in cases {
            let from_text = Blueprint::from_json(&text).unwrap_err();
            let value: Value = serde_json::from_str(&text).unwrap();
            let from_value = Blueprint::from_value(value).unwrap_err();
            for err in [&from_text, &from_value] {
                assert_eq!(err.code(), Code::InvalidStructure, "{text}");
                assert_eq!(err.path(), path, "{text}");
                assert!(
                    err.message()
                        .contains(&format!("invalid type: sequence, expected {expected}")),
                    "{text}: {}",
                    err.message()
                );
            }
            // Columns count from 1, also for an array at the very start of the text.
            let at = from_text.location().unwrap();
            assert!(at.line == 1 && at.column >= 1, "{text}: {at:?}");
        }
        // YAML says the same.
        let yaml = Blueprint::from_yaml("- abc\n- 1.0.0\n").unwrap_err();
        assert!(yaml.message().contains("expected a blueprint (a mapping"));
        let yaml = Blueprint::from_yaml(
            "name: abc\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - [aws_vpc, main]\n",
        )
        .unwrap_err();
        assert_eq!(yaml.path(), "resources[0]");
        assert!(
            yaml.message()
                .contains("invalid type: sequence, expected a resource (a mapping"),
            "{}",
            yaml.message()
        );
    }

    #[test]
    fn yaml_unknown_field_is_structure_error_with_path() {
        let text = "name: abc\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - type: aws_vpc\n    name: a\n    dependecies: []\n";
        let err = Blueprint::from_yaml(text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidStructure);
        assert_eq!(err.path(), "resources[0].dependecies");
        assert!(err.message().contains("dependecies"), "{}", err.message());
        assert_eq!(err.location().map(|l| l.line), Some(8));
    }

    #[test]
    fn numbers_read_back_as_the_same_number() {
        // 17 significant digits: serde_json's fast float reader can be one unit in the last
        // place off, and the generated code would then hold another number.
        for text in [
            "14603.425819095239",
            "0.44999999999999996",
            "1.7976931348623157e308",
        ] {
            let doc = format!(
                r#"{{"name": "abc", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
                    "resources": [{{"type": "aws_ebs_volume", "name": "v", "properties": {{"size": {text}}}}}]}}"#
            );
            let bp = Blueprint::from_json(&doc).unwrap();
            let read = bp.resources[0].properties["size"].as_f64().unwrap();
            assert_eq!(read, text.parse::<f64>().unwrap(), "{text}");
        }
    }

    #[test]
    fn a_lone_surrogate_escape_is_named_with_the_string_s_path() {
        let text = r#"{"name": "abc", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            "resources": [{"type": "aws_vpc", "name": "v", "properties": {"tags": {"Name": "ab\ud800cd"}}}]}"#;
        let err = Blueprint::from_json(text).unwrap_err();
        assert_eq!(err.code(), Code::JsonSyntax);
        assert_eq!(err.path(), "resources[0].properties.tags.Name");
        assert!(err.message().contains("lone surrogate"), "{err}");
    }

    #[test]
    fn a_second_yaml_document_is_an_error_where_it_starts() {
        let text =
            "---\nname: abc\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\n---\nname: other\n";
        let err = Blueprint::from_yaml(text).unwrap_err();
        assert_eq!(err.code(), Code::YamlSyntax);
        assert!(err.message().contains("more than one document"), "{err}");
        assert_eq!(err.location().map(|l| (l.line, l.column)), Some((6, 1)));
    }

    #[test]
    fn yaml_null_is_not_the_text_of_a_name_or_a_tag() {
        let head = "version: 1.0.0\nprovider: aws\nregion: us-east-1\n";
        for (text, path, line) in [
            (format!("name: ~\n{head}"), "name", 1),
            (
                format!("name: abc\n{head}tags:\n  Owner: ~\n"),
                "tags.Owner",
                6,
            ),
            (
                format!("name: abc\n{head}resources:\n  - {{type: aws_vpc, name: null}}\n"),
                "resources[0].name",
                6,
            ),
            (
                format!("name: abc\n{head}resources:\n  - {{type: aws_vpc, name: v, dependencies: [~]}}\n"),
                "resources[0].dependencies[0]",
                6,
            ),
            (
                format!("name: abc\n{head}resources:\n  - type: aws_vpc\n    name: v\n    lifecycle: {{ignore_changes: [tags, null]}}\n"),
                "resources[0].lifecycle.ignore_changes[1]",
                8,
            ),
        ] {
            let err = Blueprint::from_yaml(&text).unwrap_err();
            assert_eq!(
                (err.code(), err.path()),
                (Code::InvalidStructure, path),
                "{text}"
            );
            assert_eq!(err.message(), "invalid type: null, expected a string");
            assert_eq!(err.location().map(|l| l.line), Some(line), "{text}");
        }
    }

    #[test]
    fn an_integer_beyond_64_bits_is_an_error_not_another_number() {
        let head = r#"{"name":"abc","version":"1.0.0","provider":"aws","region":"us-east-1","#;
        // JSON would read it as the nearest float, 1.2345678901234568e23.
        let text = format!(
            "{head}\n\"resources\":[{{\"type\":\"aws_sqs_queue\",\"name\":\"q\",\"properties\":{{\"name\":\"q 12345678901234567890123\",\"delay_seconds\": 123456789012345678901234}}}}]}}"
        );
        let err = Blueprint::from_json(&text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidStructure, "{err}");
        assert_eq!(err.path(), "resources[0].properties.delay_seconds");
        assert_eq!(err.location().map(|l| l.line), Some(2));
        assert!(err.message().contains("does not fit in 64 bits"), "{err}");
        // YAML refused it already; now with the same words.
        let yaml = "name: abc\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - {type: aws_sqs_queue, name: q, properties: {delay_seconds: -92233720368547758089}}\n";
        let err = Blueprint::from_yaml(yaml).unwrap_err();
        assert_eq!(err.path(), "resources[0].properties.delay_seconds");
        assert!(err.message().contains("does not fit in 64 bits"), "{err}");
        // The edges of 64 bits, digits in strings and large floats are fine.
        for value in [
            "18446744073709551615",
            "-9223372036854775808",
            "1.2345678901234568e23",
        ] {
            let ok = format!(
                "{head}\"resources\":[{{\"type\":\"aws_sqs_queue\",\"name\":\"q\",\"properties\":{{\"delay_seconds\":{value}}}}}]}}"
            );
            Blueprint::from_json(&ok).unwrap_or_else(|e| panic!("{value}: {e}"));
        }
    }

    #[test]
    fn yaml_syntax_error_has_location() {
        let err = Blueprint::from_yaml("name: [abc\nversion: 1").unwrap_err();
        assert_eq!(err.code(), Code::YamlSyntax);
        assert!(err.location().is_some());
    }

    #[test]
    fn missing_field_is_reported() {
        let err = Blueprint::from_yaml("name: abc\nversion: 1.0.0\nprovider: aws\n").unwrap_err();
        assert_eq!(err.code(), Code::InvalidStructure);
        assert!(err.message().contains("region"), "{}", err.message());
    }

    #[test]
    fn messages_carry_no_location_or_path_text() {
        let err = Blueprint::from_yaml(
            "name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - type: aws_vpc\n    name: main\n    count: two\n",
        )
        .unwrap_err();
        assert_eq!(err.path(), "resources[0].count");
        assert!(!err.message().contains("resources[0]"), "{}", err.message());
        assert!(!err.message().contains(" at line "), "{}", err.message());
    }

    #[test]
    fn unterminated_flow_sequence_is_a_syntax_error_at_its_end() {
        let err =
            Blueprint::from_yaml("name: demo\nversion: 1.0.0\nprovider: aws\nregion: [us-east-1\n")
                .unwrap_err();
        assert_eq!(err.code(), Code::YamlSyntax);
        assert!(!err.message().contains("invalid type"), "{}", err.message());
    }

    #[test]
    fn detects_format() {
        assert_eq!(SourceFormat::detect("  {\"a\":1}"), SourceFormat::Json);
        assert_eq!(SourceFormat::detect("name: x"), SourceFormat::Yaml);
    }
}
