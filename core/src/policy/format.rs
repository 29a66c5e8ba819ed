//! Report formats: text (grouped by resource), JSON, SARIF 2.1.0 and JUnit XML.

use std::fmt::Write as _;
use std::str::FromStr;

use serde_json::{json, Map, Value};

use super::{PolicyFinding, Report, Severity, Status, WaiverState};
use crate::cost::counted;

/// An output format of [`format_report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportFormat {
    /// Human-readable, grouped by resource; ANSI colors when `color` is true.
    Text {
        /// Use ANSI colors.
        color: bool,
    },
    /// The [`Report`] as pretty-printed JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
    /// JUnit XML, one test suite per check.
    Junit,
}

impl FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(ReportFormat::Text { color: false }),
            "json" => Ok(ReportFormat::Json),
            "sarif" => Ok(ReportFormat::Sarif),
            "junit" => Ok(ReportFormat::Junit),
            other => Err(format!(
                "unknown report format `{other}`; expected text, json, sarif or junit"
            )),
        }
    }
}

/// Renders a report. `artifact` is the path of the validated file as the reader should see it
/// (SARIF `artifactLocation.uri`, JUnit `file` attributes, the text header).
///
/// ```
/// use iac_dharma::policy::{format_report, validate, PolicySet, ReportFormat, ValidateOptions};
/// let bp = iac_dharma::parse(r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1",
///   "resources":[{"type":"aws_sqs_queue","name":"q","properties":{"sqs_managed_sse_enabled":false}}]}"#)?;
/// let report = validate(&bp, &PolicySet::builtin()?, &ValidateOptions::default())?;
/// let sarif: serde_json::Value = serde_json::from_str(&format_report(&report, ReportFormat::Sarif, "demo.json"))?;
/// assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "DHARMA_AWS_SQS_001");
/// assert_eq!(sarif["runs"][0]["results"][0]["level"], "warning");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn format_report(report: &Report, format: ReportFormat, artifact: &str) -> String {
    match format {
        ReportFormat::Text { color } => text(report, color, artifact),
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
            s.push('\n');
            s
        }
        ReportFormat::Sarif => {
            let mut s = serde_json::to_string_pretty(&sarif(report, artifact)).unwrap_or_default();
            s.push('\n');
            s
        }
        ReportFormat::Junit => junit(report, artifact),
    }
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// User strings with their control characters escaped ([`crate::printable`]).
fn clean(s: &str) -> String {
    crate::printable(s).into_owned()
}

fn label(f: &PolicyFinding) -> (String, &'static str) {
    match f.status {
        Status::Fail => (
            f.severity.as_str().to_uppercase(),
            match f.severity {
                Severity::Critical => "1;35",
                Severity::High => "1;31",
                Severity::Medium => "1;33",
                Severity::Low => "1;36",
            },
        ),
        Status::Warn => ("WARN".into(), "33"),
        Status::Unknown => ("UNKNOWN".into(), "2"),
        Status::Waived => ("WAIVED".into(), "2"),
    }
}

fn text(report: &Report, color: bool, artifact: &str) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for f in &report.findings {
        if current != Some(f.address.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            let name = if f.address.is_empty() {
                format!("{artifact} (whole input)")
            } else {
                clean(&f.address)
            };
            let _ = writeln!(out, "{}", paint(color, "1", &name));
            current = Some(f.address.as_str());
        }
        let (tag, code) = label(f);
        let path = if f.path.is_empty() {
            String::new()
        } else {
            format!(" ({})", clean(&f.path))
        };
        let _ = writeln!(
            out,
            "  {} {}  {}{}",
            paint(color, code, &format!("{tag:<8}")),
            paint(color, "1", &clean(&f.id)),
            clean(&f.title),
            path
        );
        let _ = writeln!(out, "           {}", clean(&f.message));
        if let Some(w) = &f.waiver {
            let until = w
                .expires
                .as_deref()
                .map_or_else(String::new, |e| format!(", until {e}"));
            let _ = writeln!(out, "           waived: {}{until}", clean(&w.reason));
        } else if f.status == Status::Fail && !f.remediation.is_empty() {
            let _ = writeln!(
                out,
                "           {} {}",
                paint(color, "36", "fix:"),
                clean(&f.remediation)
            );
        }
    }
    let expired: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| w.state == WaiverState::Expired)
        .collect();
    if !expired.is_empty() {
        out.push('\n');
        for w in expired {
            let _ = writeln!(
                out,
                "{} waiver of {} on {} expired on {}: its findings count again",
                paint(color, "1;33", "note:"),
                clean(&w.id),
                clean(&w.address),
                w.expires.as_deref().unwrap_or("?")
            );
        }
    }
    let c = &report.counts;
    if !report.findings.is_empty() {
        out.push('\n');
    }
    let verdict = if report.passed {
        paint(color, "1;32", "PASSED")
    } else {
        paint(color, "1;31", "FAILED")
    };
    let _ = writeln!(
        out,
        "{verdict}: {artifact}: {}, {} failed ({} critical, {} high, {} medium, {} low), {} unknown, {} waived{} (fail-on: {})",
        counted(report.input.resources, "resource", "resources"),
        c.failed(),
        c.critical,
        c.high,
        c.medium,
        c.low,
        c.unknown,
        c.waived,
        if c.warnings > 0 {
            format!(", {}", counted(c.warnings, "warning", "warnings"))
        } else {
            String::new()
        },
        report.fail_on
    );
    out
}

/// SARIF levels: critical/high -> error, medium -> warning, low -> note.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` scale (0-10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn sarif(report: &Report, artifact: &str) -> Value {
    // One rule per check id that has findings, in first-seen order of ids sorted.
    let mut ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rules = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some(f) = report.findings.iter().find(|f| f.id == *id) else {
            continue;
        };
        let mut props = Map::new();
        let mut tags = vec![json!("iac")];
        if let Some(c) = f.category {
            tags.push(json!(c.as_str()));
        }
        props.insert("tags".into(), Value::Array(tags));
        props.insert("severity".into(), json!(f.severity.as_str()));
        if f.category == Some(super::Category::Security) {
            props.insert(
                "security-severity".into(),
                json!(security_severity(f.severity)),
            );
        }
        if !f.checkov.is_empty() {
            props.insert("checkov".into(), json!(f.checkov));
        }
        if !f.cis.is_empty() {
            props.insert("cis".into(), json!(f.cis));
        }
        let mut rule = Map::new();
        rule.insert("id".into(), json!(id));
        rule.insert("name".into(), json!(rule_name(id)));
        rule.insert("shortDescription".into(), json!({ "text": f.title }));
        if !f.remediation.is_empty() {
            rule.insert("help".into(), json!({ "text": f.remediation }));
        }
        rule.insert(
            "defaultConfiguration".into(),
            json!({ "level": level(f.severity) }),
        );
        rule.insert("properties".into(), Value::Object(props));
        rules.push(Value::Object(rule));
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = ids.iter().position(|i| *i == f.id).unwrap_or(0);
            let mut r = Map::new();
            r.insert("ruleId".into(), json!(f.id));
            r.insert("ruleIndex".into(), json!(rule_index));
            // A result of kind other than "fail" must have level "none" (SARIF 3.27.9/3.27.10).
            let (kind, lvl) = match f.status {
                Status::Unknown => ("review", "none"),
                Status::Warn => ("fail", "warning"),
                Status::Fail | Status::Waived => ("fail", level(f.severity)),
            };
            r.insert("kind".into(), json!(kind));
            r.insert("level".into(), json!(lvl));
            let text = if f.address.is_empty() {
                f.message.clone()
            } else {
                format!("{}: {}", f.address, f.message)
            };
            r.insert("message".into(), json!({ "text": text }));
            let mut location = Map::new();
            location.insert(
                "physicalLocation".into(),
                json!({ "artifactLocation": { "uri": artifact_uri(artifact) } }),
            );
            if !f.address.is_empty() {
                location.insert(
                    "logicalLocations".into(),
                    json!([{ "fullyQualifiedName": f.address, "kind": "resource" }]),
                );
            }
            r.insert("locations".into(), json!([Value::Object(location)]));
            r.insert(
                "partialFingerprints".into(),
                json!({ "dharma/v1": format!("{}|{}|{}", f.id, f.address, f.path) }),
            );
            if let Some(w) = &f.waiver {
                let mut s = Map::new();
                s.insert("kind".into(), json!("inSource"));
                s.insert("status".into(), json!("accepted"));
                s.insert("justification".into(), json!(w.reason));
                if let Some(e) = &w.expires {
                    s.insert("properties".into(), json!({ "expires": e }));
                }
                r.insert("suppressions".into(), json!([Value::Object(s)]));
            }
            let mut props = Map::new();
            props.insert("status".into(), json!(f.status.as_str()));
            if !f.path.is_empty() {
                props.insert("path".into(), json!(f.path));
            }
            r.insert("properties".into(), Value::Object(props));
            Value::Object(r)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "dharma",
                "fullName": "IAC Dharma validate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/iac-dharma/iac-dharma",
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "passed": report.passed,
                "failOn": report.fail_on.as_str(),
            },
        }],
    })
}

/// `DHARMA_AWS_S3_001` -> `DharmaAwsS3001` (SARIF rule names are identifiers).
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lower = p.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A relative path as a URI reference (forward slashes, spaces and `%` escaped).
fn artifact_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.replace('\\', "/").chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' | ':' => out.push(c),
            other => {
                let mut buf = [0u8; 4];
                for b in other.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
        }
    }
    out
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "&#x{:X};", 0xFFFD);
            }
            c => out.push(c),
        }
    }
    out
}

fn junit(report: &Report, artifact: &str) -> String {
    // One suite per check: the built-in checks that apply (with their passing resources as one
    // case), then any other id that has findings (user policies).
    struct Suite<'a> {
        id: &'a str,
        title: &'a str,
        applicable: Option<usize>,
        findings: Vec<&'a PolicyFinding>,
    }
    let mut suites: Vec<Suite> = report
        .checks
        .iter()
        .map(|c| Suite {
            id: &c.id,
            title: &c.title,
            applicable: Some(c.resources),
            findings: Vec::new(),
        })
        .collect();
    for f in &report.findings {
        match suites.iter_mut().find(|s| s.id == f.id) {
            Some(s) => s.findings.push(f),
            None => suites.push(Suite {
                id: &f.id,
                title: &f.title,
                applicable: None,
                findings: vec![f],
            }),
        }
    }
    let mut body = String::new();
    let (mut total, mut failures, mut skipped) = (0usize, 0usize, 0usize);
    for s in &suites {
        let mut cases = String::new();
        let (mut t, mut fl, mut sk) = (0usize, 0usize, 0usize);
        for f in &s.findings {
            t += 1;
            let name = if f.address.is_empty() {
                artifact.to_string()
            } else {
                f.address.clone()
            };
            let _ = write!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\">",
                xml(s.id),
                xml(&name),
                xml(artifact)
            );
            match f.status {
                Status::Fail => {
                    fl += 1;
                    let _ = write!(
                        cases,
                        "<failure type=\"{}\" message=\"{}\">{}{}</failure>",
                        f.severity,
                        xml(&f.message),
                        xml(&f.path),
                        if f.remediation.is_empty() {
                            String::new()
                        } else {
                            format!("\nfix: {}", xml(&f.remediation))
                        }
                    );
                }
                Status::Warn => {
                    let _ = write!(
                        cases,
                        "<system-out>warning: {}</system-out>",
                        xml(&f.message)
                    );
                }
                Status::Unknown => {
                    sk += 1;
                    let _ = write!(cases, "<skipped message=\"unknown: {}\"/>", xml(&f.message));
                }
                Status::Waived => {
                    sk += 1;
                    let reason = f.waiver.as_ref().map_or("", |w| w.reason.as_str());
                    let _ = write!(cases, "<skipped message=\"waived: {}\"/>", xml(reason));
                }
            }
            cases.push_str("</testcase>\n");
        }
        if let Some(n) = s.applicable {
            let with_findings: std::collections::BTreeSet<&str> =
                s.findings.iter().map(|f| f.address.as_str()).collect();
            let passing = n.saturating_sub(with_findings.len());
            if passing > 0 {
                t += 1;
                let _ = writeln!(
                    cases,
                    "    <testcase classname=\"{}\" name=\"{} other resource(s) pass\" file=\"{}\"/>",
                    xml(s.id),
                    passing,
                    xml(artifact)
                );
            }
        }
        total += t;
        failures += fl;
        skipped += sk;
        let _ = write!(
            body,
            "  <testsuite name=\"{}: {}\" tests=\"{t}\" failures=\"{fl}\" errors=\"0\" skipped=\"{sk}\">\n{cases}  </testsuite>\n",
            xml(s.id),
            xml(s.title)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dharma validate {}\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n{body}</testsuites>\n",
        xml(artifact)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(rule_name("DHARMA_AWS_S3_001"), "DharmaAwsS3001");
        assert_eq!(rule_name("team.storage.deny"), "TeamStorageDeny");
        assert_eq!(artifact_uri("my plans\\a b.json"), "my%20plans/a%20b.json");
        assert_eq!(
            xml("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#xFFFD;"
        );
        assert_eq!(clean("a\x1b[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!("sarif".parse::<ReportFormat>(), Ok(ReportFormat::Sarif));
        assert!("xml".parse::<ReportFormat>().is_err());
    }
}
