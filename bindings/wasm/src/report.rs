//! The pure part of the binding: reading a blueprint source, and the plain result structures the
//! JS functions return. Nothing here touches JavaScript, so it is unit-tested natively.

use iac_dharma::{
    did_you_mean, Blueprint, CheckedBlueprint, Code, Error, ErrorKind, Finding, SourceFormat, Value,
};
use serde::Serialize;

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
                .map_err(without_locations),
        }
    }
}

fn without_locations(e: Error) -> Error {
    let kind = e.kind();
    let findings = e
        .into_findings()
        .into_iter()
        .map(|f| f.with_location(None))
        .collect();
    Error::new(kind, findings)
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
        invalid_argument(&path, e.into_inner().to_string(), None)
    })
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
                .map(|(_, r, info)| ResourceSummary {
                    name: &r.name,
                    type_name: &info.type_name,
                    address: &info.address,
                    count: r.instance_count(),
                    taggable: info.taggable,
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
}
