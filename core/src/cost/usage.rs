//! Usage assumptions: per-resource `usage` in the blueprint, a separate usage file, and the
//! documented defaults, in that order of precedence.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::blueprint::{Document, Mapping, Properties, Value};
use crate::error::{Code, Error, ErrorKind, Finding, Result};

/// The largest usage value accepted (requests, GB, hours...): 10^12. Larger values are errors,
/// so that no product of usage, count and price can leave the exact range of [`Decimal`].
pub const MAX_USAGE: i64 = 1_000_000_000_000;

/// A usage file, modelled on Infracost's `infracost-usage.yml`:
///
/// ```yaml
/// version: 0.1
/// resource_type_default_usage:      # applies to every resource of the type
///   aws_lambda_function:
///     monthly_requests: 5000000
///     request_duration_ms: 120
/// resource_usage:                   # by resource name (or address `type.name`); wins over type defaults
///   logs:
///     monthly_data_ingested_gb: 40
/// ```
///
/// A resource's own `usage` in the blueprint wins over both. The keys each type reads, and their
/// defaults, are listed in `docs/cost.md`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageFile {
    /// Format version (informational; `0.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Value>,
    /// Usage values by resource type.
    #[serde(default, deserialize_with = "crate::free_form::objects_by_key")]
    pub resource_type_default_usage: BTreeMap<String, Properties>,
    /// Usage values by resource name or address.
    #[serde(default, deserialize_with = "crate::free_form::objects_by_key")]
    pub resource_usage: BTreeMap<String, Properties>,
}

fn usage_error(path: String, message: String) -> Error {
    Error::single(
        ErrorKind::Pricing,
        Finding::error(Code::InvalidUsage, path, message),
    )
}

/// A YAML usage file that does not read: the message with the line, when known, at `path`.
fn invalid_yaml(path: String, message: &str, line: Option<usize>) -> Error {
    let path = if path == "." { String::new() } else { path };
    // yaml_serde repeats the path before its message and the place after it; the finding
    // carries the path, and the line is added once.
    let message = message
        .strip_prefix(&format!("{path}: "))
        .unwrap_or(message);
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => &message[..i],
        _ => message,
    };
    let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
    usage_error(path, format!("invalid usage file: {message}{at}"))
}

impl Mapping for UsageFile {
    const EXPECTED: &'static str =
        "a usage file (a mapping with `resource_usage` or `resource_type_default_usage`)";
}

impl UsageFile {
    /// Parses a usage file from YAML.
    ///
    /// ```
    /// let usage = iac_dharma::UsageFile::from_yaml("resource_usage:\n  logs: {monthly_ingested_gb: 40}\n")?;
    /// assert!(usage.resource_usage.contains_key("logs"));
    /// let err = iac_dharma::UsageFile::from_yaml("resource_usage:\n  logs: {storage_gb: -1}\n").unwrap_err();
    /// assert_eq!(err.path(), "resource_usage.logs.storage_gb");
    /// # Ok::<(), iac_dharma::Error>(())
    /// ```
    ///
    /// # Errors
    /// A [`ErrorKind::Pricing`] error (`invalid_usage`) with the path and line of the problem, or
    /// of the first value that is not a non-negative number. YAML merge keys (`<<: *defaults`)
    /// are applied; errors found after merging have the path but no line.
    pub fn from_yaml(text: &str) -> Result<UsageFile> {
        let text = crate::source_text::without_bom(text);
        if text.trim().is_empty() {
            return Ok(UsageFile::default());
        }
        // As for blueprints: brackets nested past the readers' limit are refused before the
        // YAML reader, whose time grows with the square of such nesting.
        if let Some(line) = crate::source_text::yaml_flow_too_deep(text) {
            return Err(Error::single(
                ErrorKind::Limit,
                Finding::error(
                    Code::LimitExceeded,
                    "",
                    format!("invalid usage file: brackets nested more than 128 levels deep (line {line})"),
                ),
            ));
        }
        // Merge keys (`<<: *defaults`) are applied to a value first (`yaml_merge`).
        match crate::yaml_merge::applied(text) {
            Some(Ok(merged)) => return UsageFile::from_value(merged),
            Some(Err(bad)) => {
                let line = bad.location.map(|l| l.line);
                return Err(invalid_yaml(bad.path, &bad.message, line));
            }
            None => {}
        }
        let de = yaml_serde::Deserializer::from_str(text);
        let Document(file): Document<UsageFile> =
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let line = inner.location().map(|l| l.line());
                invalid_yaml(path, &inner.to_string(), line)
            })?;
        file.validate()?;
        Ok(file)
    }

    /// Parses a usage file from JSON (same shape as the YAML form).
    ///
    /// # Errors
    /// As [`UsageFile::from_yaml`].
    pub fn from_json(text: &str) -> Result<UsageFile> {
        let text = crate::source_text::without_bom(text);
        let mut de = serde_json::Deserializer::from_str(text);
        let Document(file): Document<UsageFile> = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| {
                let path = e.path().to_string();
                usage_error(
                    if path == "." { String::new() } else { path },
                    format!("invalid usage file: {}", e.into_inner()),
                )
            })?;
        file.validate()?;
        Ok(file)
    }

    /// Builds a usage file from an already-parsed JSON value.
    ///
    /// # Errors
    /// As [`UsageFile::from_yaml`].
    pub fn from_value(value: Value) -> Result<UsageFile> {
        let Document(file): Document<UsageFile> =
            serde_path_to_error::deserialize(value).map_err(|e| {
                usage_error(
                    e.path().to_string(),
                    format!("invalid usage file: {}", e.into_inner()),
                )
            })?;
        file.validate()?;
        Ok(file)
    }

    /// Checks every value: each must be a non-negative number no larger than [`MAX_USAGE`].
    ///
    /// # Errors
    /// Every bad value, each with its path (`resource_usage.logs.monthly_data_ingested_gb`).
    pub fn validate(&self) -> Result<()> {
        let mut findings = Vec::new();
        for (section, map) in [
            (
                "resource_type_default_usage",
                &self.resource_type_default_usage,
            ),
            ("resource_usage", &self.resource_usage),
        ] {
            for (name, values) in map {
                for (key, value) in values {
                    if let Err(msg) = usage_value(key, value) {
                        findings.push(Finding::error(
                            Code::InvalidUsage,
                            format!("{section}.{name}.{key}"),
                            msg,
                        ));
                    }
                }
            }
        }
        if findings.is_empty() {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::Pricing, findings))
        }
    }
}

/// The most hours an instance can run in a month (31 days).
pub const MAX_MONTHLY_HOURS: i64 = 744;

/// Reads the usage value of `key` ([`usage_number`]); `monthly_hours` is per instance, so at
/// most [`MAX_MONTHLY_HOURS`].
pub(crate) fn usage_value(key: &str, value: &Value) -> std::result::Result<Decimal, String> {
    let d = usage_number(value)?;
    if key == "monthly_hours" && d > Decimal::from(MAX_MONTHLY_HOURS) {
        return Err(format!(
            "monthly_hours is the hours each instance runs in a month: at most {MAX_MONTHLY_HOURS} (31 days of 24 hours), got {d}; for several instances, set the count (or average_instances)"
        ));
    }
    Ok(d)
}

/// Reads one usage value: a JSON number or a numeric string, non-negative, at most [`MAX_USAGE`].
pub(crate) fn usage_number(value: &Value) -> std::result::Result<Decimal, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        other => {
            return Err(format!(
                "usage values must be numbers; got {}",
                match other {
                    Value::Null => "null",
                    Value::Bool(_) => "a boolean",
                    Value::Array(_) => "a list",
                    Value::Object(_) => "a map",
                    _ => "another value",
                }
            ))
        }
    };
    let d = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(
            |_| match value.as_f64().or_else(|| text.parse::<f64>().ok()) {
                // A number, but past what a decimal holds (1e300): too large, not "not a number".
                Some(f) if f.is_finite() && f > 0.0 => {
                    format!("usage {text} is larger than the maximum {MAX_USAGE}")
                }
                Some(f) if f.is_finite() => format!("usage cannot be negative (got {text})"),
                _ => format!("`{text}` is not a number"),
            },
        )?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("usage cannot be negative (got {text})"));
    }
    if d > Decimal::from(MAX_USAGE) {
        return Err(format!(
            "usage {text} is larger than the maximum {MAX_USAGE}"
        ));
    }
    Ok(d)
}

/// Where a usage value came from; shown on every usage-based line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageSource {
    /// The resource's own `usage` in the blueprint.
    Resource,
    /// The usage file's `resource_usage` entry for this resource.
    UsageFile,
    /// The usage file's `resource_type_default_usage` entry for this type.
    UsageFileTypeDefault,
    /// The documented built-in default (see `docs/cost.md`).
    Default,
}

/// Resolves usage keys for one resource.
pub(crate) struct UsageLookup<'a> {
    own: &'a Properties,
    /// The usage file's `resource_usage` entry for the resource: its key (name or address) and
    /// values.
    by_name: Option<(&'a str, &'a Properties)>,
    /// The usage file's `resource_type_default_usage` entry for the resource's type.
    by_type: Option<(&'a str, &'a Properties)>,
    /// The keys the pricing asked for, when there are usage values to hold them against: a
    /// value no rule asks for is a misspelled key or one of another type, reported as
    /// `unused_usage`.
    asked: RefCell<Vec<&'static str>>,
    record: bool,
}

/// Other spellings accepted for a usage key (Infracost's names next to this project's).
const ALIASES: [(&str, &str); 4] = [
    ("average_duration_ms", "request_duration_ms"),
    ("monthly_data_transfer_out_gb", "monthly_data_transfer_gb"),
    ("monthly_ingested_gb", "monthly_data_ingested_gb"),
    ("monthly_lcu", "capacity_units"),
];

fn alias_of(key: &str) -> Option<&'static str> {
    ALIASES.iter().find_map(|(a, b)| {
        if *a == key {
            Some(*b)
        } else if *b == key {
            Some(*a)
        } else {
            None
        }
    })
}

impl<'a> UsageLookup<'a> {
    /// The lookup for a resource with usage values `own`, named `name` (or addressed
    /// `address`) in the usage file, of type `type_name`.
    pub fn new(
        own: &'a Properties,
        file: Option<&'a UsageFile>,
        name: &str,
        address: &str,
        type_name: &str,
    ) -> Self {
        let entry = |map: &'a BTreeMap<String, Properties>, key: &str| {
            map.get_key_value(key).map(|(k, v)| (k.as_str(), v))
        };
        let by_name = file.and_then(|f| {
            entry(&f.resource_usage, name).or_else(|| entry(&f.resource_usage, address))
        });
        let by_type = file.and_then(|f| entry(&f.resource_type_default_usage, type_name));
        let record = !own.is_empty()
            || by_name.is_some_and(|(_, m)| !m.is_empty())
            || by_type.is_some_and(|(_, m)| !m.is_empty());
        UsageLookup {
            own,
            by_name,
            by_type,
            asked: RefCell::new(Vec::new()),
            record,
        }
    }

    /// The keys the pricing asked for (recorded only when the resource has usage values).
    fn asked(&self) -> BTreeSet<&'static str> {
        self.asked.borrow().iter().copied().collect()
    }

    /// The value of `key` (or its alias) and where it came from, or the default. Values were
    /// validated before.
    pub fn get(&self, key: &'static str, default: Decimal) -> (Decimal, UsageSource) {
        if self.record {
            let mut asked = self.asked.borrow_mut();
            if !asked.contains(&key) {
                asked.push(key);
            }
        }
        let layers = [
            (Some(self.own), UsageSource::Resource),
            (self.by_name.map(|(_, m)| m), UsageSource::UsageFile),
            (
                self.by_type.map(|(_, m)| m),
                UsageSource::UsageFileTypeDefault,
            ),
        ];
        let alias = alias_of(key);
        for (map, source) in layers {
            let Some(map) = map else { continue };
            let v = map.get(key).or_else(|| alias.and_then(|a| map.get(a)));
            if let Some(v) = v {
                if let Ok(d) = usage_number(v) {
                    return (d, source);
                }
            }
        }
        (default, UsageSource::Default)
    }

    /// The value of `key` if someone set it (no default).
    pub fn explicit(&self, key: &'static str) -> Option<(Decimal, UsageSource)> {
        let (v, s) = self.get(key, Decimal::ZERO);
        (s != UsageSource::Default).then_some((v, s))
    }
}

/// Usage values no pricing rule read, gathered resource by resource: a misspelled key
/// (`monthly_hour`) or a usage-file entry that names no resource would otherwise change nothing,
/// silently. Reported as `unused_usage` warnings.
#[derive(Default)]
pub(crate) struct UnusedUsage<'a> {
    /// The `resource_usage` entries of the usage file that applied to a resource.
    by_name: BTreeMap<&'a str, Applied>,
    /// The `resource_type_default_usage` entries that applied to a resource.
    by_type: BTreeMap<&'a str, Applied>,
    findings: Vec<Finding>,
}

/// What the resources a usage-file entry applied to asked for.
#[derive(Default)]
struct Applied {
    asked: BTreeSet<&'static str>,
    /// It applied to a resource the catalog could not price in full, whose rule may have
    /// stopped before asking: its values are not reported.
    exempt: bool,
}

impl<'a> UnusedUsage<'a> {
    /// Notes what the pricing of resource `i` (of type `type_name`) read through `lookup`: its
    /// own usage values it did not read are reported now; the usage file's entries once every
    /// resource is priced. A resource the catalog could not price in full (`complete` false) is
    /// not held to what its rule read.
    pub fn note(&mut self, i: usize, type_name: &str, lookup: &UsageLookup<'a>, complete: bool) {
        let asked = lookup.asked();
        for (entry, seen) in [
            (lookup.by_name, &mut self.by_name),
            (lookup.by_type, &mut self.by_type),
        ] {
            if let Some((key, _)) = entry {
                let applied = seen.entry(key).or_default();
                applied.exempt |= !complete;
                applied.asked.extend(asked.iter().copied());
            }
        }
        if !complete {
            return;
        }
        unused_keys(
            &mut self.findings,
            &format!("resources[{i}].usage"),
            lookup.own,
            type_name,
            &asked,
        );
    }

    /// The warnings: the resource's own values noted before, then the usage file's values no
    /// resource read, and its entries that name no resource of the blueprint (or no type).
    pub fn finish(
        mut self,
        file: Option<&UsageFile>,
        bp: &crate::check::CheckedBlueprint,
    ) -> Vec<Finding> {
        let Some(file) = file else {
            return self.findings;
        };
        for (name, values) in &file.resource_usage {
            match self.by_name.get(name.as_str()) {
                Some(applied) if applied.exempt => {}
                Some(applied) => unused_keys(
                    &mut self.findings,
                    &format!("resource_usage.{name}"),
                    values,
                    &format!("`{name}`"),
                    &applied.asked,
                ),
                None => {
                    let names = bp.resources().iter().map(|r| r.name.as_str());
                    self.findings.push(
                        Finding::warning(
                            Code::UnusedUsage,
                            format!("resource_usage.{name}"),
                            format!("the usage file gives values for `{name}`, which is not a resource (name or address) of this blueprint"),
                        )
                        .with_suggestion(crate::suggest::did_you_mean(name, names)),
                    );
                }
            }
        }
        for (type_name, values) in &file.resource_type_default_usage {
            match self.by_type.get(type_name.as_str()) {
                Some(applied) if applied.exempt => {}
                Some(applied) => unused_keys(
                    &mut self.findings,
                    &format!("resource_type_default_usage.{type_name}"),
                    values,
                    type_name,
                    &applied.asked,
                ),
                // A usage file shared by several blueprints may hold other types; only a name
                // that is no type at all is reported.
                None => {
                    if let crate::catalog::TypeResolution::Unknown { suggestion } =
                        crate::catalog::resolve_type(bp.provider(), type_name)
                    {
                        self.findings.push(
                            Finding::warning(
                                Code::UnusedUsage,
                                format!("resource_type_default_usage.{type_name}"),
                                format!("the usage file gives defaults for `{type_name}`, which is not a {} resource type", bp.provider()),
                            )
                            .with_suggestion(suggestion),
                        );
                    }
                }
            }
        }
        self.findings
    }
}

/// The warnings for the usage values at `path` (a resource's own, or a usage-file entry's) that
/// the pricing of `what` did not ask for, with what it did ask for and a did-you-mean.
fn unused_keys(
    findings: &mut Vec<Finding>,
    path: &str,
    values: &Properties,
    what: &str,
    asked: &BTreeSet<&'static str>,
) {
    let reads = if asked.is_empty() {
        "it reads no usage values".to_string()
    } else {
        format!(
            "it reads {}",
            Vec::from_iter(asked.iter().copied()).join(", ")
        )
    };
    for key in values.keys().filter(|key| !was_asked(asked, key)) {
        findings.push(
            Finding::warning(
                Code::UnusedUsage,
                format!("{path}.{key}"),
                format!("the estimate of {what} does not read the usage value `{key}` ({reads})"),
            )
            .with_suggestion(crate::suggest::did_you_mean(key, asked.iter().copied())),
        );
    }
}

fn was_asked(asked: &BTreeSet<&'static str>, key: &str) -> bool {
    asked.contains(key) || alias_of(key).is_some_and(|a| asked.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_too_large_for_a_decimal_is_too_large_not_not_a_number() {
        let e = usage_number(&serde_json::json!(1e300)).unwrap_err();
        assert!(e.contains("larger than the maximum"), "{e}");
        let e = usage_number(&serde_json::json!("-1e300")).unwrap_err();
        assert!(e.contains("cannot be negative"), "{e}");
        let e = usage_number(&serde_json::json!("lots")).unwrap_err();
        assert!(e.contains("is not a number"), "{e}");
    }

    #[test]
    fn deep_bracket_nesting_is_refused_before_the_yaml_reader() {
        let text = format!(
            "resource_usage: {}{}",
            "[".repeat(80_000),
            "]".repeat(80_000)
        );
        let e = UsageFile::from_yaml(&text).unwrap_err();
        assert_eq!(e.code(), Code::LimitExceeded);
        assert!(e.message().contains("128 levels"), "{}", e.message());
    }

    #[test]
    fn yaml_merge_keys_are_applied() {
        let text = "resource_usage:\n  web: &web\n    monthly_hours: 730\n    storage_gb: 20\n  worker:\n    <<: *web\n    storage_gb: 100\n";
        let usage = UsageFile::from_yaml(text).unwrap();
        let worker = &usage.resource_usage["worker"];
        assert_eq!(worker["monthly_hours"], 730);
        assert_eq!(worker["storage_gb"], 100);
        // Values are still checked after merging, each with its path.
        let text = text.replace("storage_gb: 100", "storage_gb: -1");
        let e = UsageFile::from_yaml(&text).unwrap_err();
        assert_eq!(e.path(), "resource_usage.worker.storage_gb");
        let e = UsageFile::from_yaml("resource_usage:\n  web: {<<: 5}\n").unwrap_err();
        assert_eq!(e.path(), "resource_usage.web");
    }

    #[test]
    fn parses_and_validates_with_paths() {
        let ok = UsageFile::from_yaml(
            "version: 0.1\nresource_usage:\n  logs:\n    monthly_data_ingested_gb: 40\nresource_type_default_usage:\n  aws_s3_bucket:\n    storage_gb: \"12.5\"\n",
        )
        .unwrap();
        assert_eq!(ok.resource_usage.len(), 1);
        let e = UsageFile::from_yaml(
            "resource_usage:\n  logs:\n    monthly_data_ingested_gb: -4\n    storage_gb: lots\n",
        )
        .unwrap_err();
        let paths: Vec<&str> = e.findings().iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "resource_usage.logs.monthly_data_ingested_gb",
                "resource_usage.logs.storage_gb"
            ]
        );
        assert_eq!(e.code(), Code::InvalidUsage);
        let e = UsageFile::from_json(r#"{"resource_usage": {"a": {"x": 1e40}}}"#).unwrap_err();
        assert_eq!(e.path(), "resource_usage.a.x");
        let e = UsageFile::from_yaml("resource_usages: {}\n").unwrap_err();
        assert_eq!(e.code(), Code::InvalidUsage);
    }

    #[test]
    fn a_usage_key_given_twice_is_an_error() {
        for text in [
            "resource_usage:\n  logs: {storage_gb: 1}\n  logs: {storage_gb: 2}\n",
            "resource_usage:\n  logs: {storage_gb: 1, storage_gb: 2}\n",
        ] {
            let e = UsageFile::from_yaml(text).unwrap_err();
            assert_eq!(e.code(), Code::InvalidUsage, "{text}");
            assert!(e.message().contains("duplicate key `"), "{}", e.message());
        }
    }

    #[test]
    fn a_byte_order_mark_starts_a_usage_file() {
        let yaml =
            UsageFile::from_yaml("\u{feff}resource_usage:\n  logs: {storage_gb: 5}\n").unwrap();
        let json =
            UsageFile::from_json("\u{feff}{\"resource_usage\": {\"logs\": {\"storage_gb\": 5}}}")
                .unwrap();
        assert_eq!(yaml.resource_usage, json.resource_usage);
        assert_eq!(yaml.resource_usage.len(), 1);
    }

    #[test]
    fn an_array_is_not_a_usage_file() {
        // Derived impls would read `[version, type defaults, by resource]` from an array.
        let e = UsageFile::from_json(r#"[0.1, {}, {"logs": {"storage_gb": 1}}]"#).unwrap_err();
        assert_eq!(e.code(), Code::InvalidUsage);
        assert!(
            e.message().contains("expected a usage file (a mapping"),
            "{}",
            e.message()
        );
    }
}
