//! **validate**: guardrail policies in Rego over a blueprint or a Terraform plan.
//!
//! The input of every policy is Terraform plan JSON: a real `terraform show -json` plan as it is
//! ([`crate::tfplan::Plan`]), or a blueprint rendered in that shape ([`plan_input`]). The built-in
//! catalog (`policies/` in the repository, embedded) and the caller's Rego files are compiled
//! once into a [`PolicySet`]; [`validate`] and [`validate_plan`] evaluate it and return a
//! [`Report`] with structured findings, waivers applied, counts by severity and a pass/fail
//! verdict. [`format_report`] renders a report as text, JSON, SARIF 2.1.0 or JUnit XML.
//!
//! ```
//! use iac_dharma::policy::{validate, PolicySet, ValidateOptions, Status};
//! let bp = iac_dharma::parse(r#"
//! name: demo
//! version: 1.0.0
//! provider: aws
//! region: us-east-1
//! resources:
//!   - type: aws_db_instance
//!     name: db
//!     properties: {instance_class: db.t3.micro, publicly_accessible: true, storage_encrypted: true,
//!                  deletion_protection: true, backup_retention_period: 7}
//! "#)?;
//! let policies = PolicySet::builtin()?;
//! let report = validate(&bp, &policies, &ValidateOptions::default())?;
//! assert!(!report.passed);
//! let f = &report.findings[0];
//! assert_eq!((f.id.as_str(), f.address.as_str(), f.status), ("DHARMA_AWS_RDS_001", "aws_db_instance.db", Status::Fail));
//! # Ok::<(), iac_dharma::Error>(())
//! ```

mod catalog;
mod date;
mod engine;
mod format;
mod input;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use catalog::{builtin_catalog, Category, Check};
pub use date::Date;
pub use engine::{
    PolicySet, PolicySetBuilder, DEFAULT_TIME_LIMIT, MAX_THREADS, PARALLEL_MIN_RESOURCES,
};
pub use format::{format_report, ReportFormat};
pub use input::RENDERED_FORMAT_VERSION;

use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::tfplan::Plan;
use engine::Origin;

/// How serious a failed check is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Hygiene; fix when convenient.
    #[default]
    Low,
    /// A weakness worth fixing soon.
    Medium,
    /// A serious weakness.
    High,
    /// Directly exploitable or data-exposing.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The stable string form: `low`, `medium`, `high`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "info" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}`; expected low, medium, high or critical"
            )),
        }
    }
}

/// The outcome of a check on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The resource breaks the check.
    Fail,
    /// A user policy's `warn` result: reported, never fails the report.
    Warn,
    /// The value the check needs is only known after apply (a reference, a variable without a
    /// value): neither pass nor fail.
    Unknown,
    /// The resource breaks the check, but a waiver accepts it (see [`AppliedWaiver`]).
    Waived,
}

impl Status {
    /// The stable string form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Unknown => "unknown",
            Status::Waived => "waived",
        }
    }
}

/// Options of a validation.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ValidateOptions {
    /// The lowest severity whose failures make the report fail (default `low`: any failure).
    pub fail_on: Severity,
    /// The date waiver expiry is compared with, `YYYY-MM-DD`; default: today (UTC) from the
    /// system clock. Required on wasm32 in a browser when a waiver has an expiry date.
    pub today: Option<String>,
    /// Values of blueprint variables (like a `.tfvars` file); a variable with neither a value
    /// here nor a default is unknown to the policies. A name the blueprint does not declare, or
    /// a value that does not fit the variable's type, is an `invalid_argument` error (path
    /// `variables.NAME`), as Terraform refuses such a `-var`.
    pub variables: BTreeMap<String, serde_json::Value>,
    /// Waivers for plan input (which has no place for them), by resource address
    /// (`aws_s3_bucket.logs`, `module.a.aws_s3_bucket.logs`); they apply to every instance.
    /// Blueprint waivers are read from the resources themselves.
    pub waivers: BTreeMap<String, Vec<crate::Waiver>>,
    /// How many threads evaluate the built-in policy packages: `None` (default) decides from
    /// the input (one thread under 50 resource changes, else the available parallelism, at
    /// most 4); `Some(1)` evaluates sequentially. The report is the same either way. Always
    /// one on wasm32.
    pub threads: Option<usize>,
}

/// The result of a validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// True when no finding with status `fail` has a severity at or above `fail_on`.
    pub passed: bool,
    /// The threshold the verdict used.
    pub fail_on: Severity,
    /// What was validated.
    pub input: InputSummary,
    /// Failures (not waived) by severity, and the number of unknown, waived and warning findings.
    pub counts: Counts,
    /// Every finding, in resource order (the input's order), then by check id, path and message.
    pub findings: Vec<PolicyFinding>,
    /// The waivers that were declared, and what became of each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverNote>,
    /// The built-in checks that apply to the input's resource types, with their results.
    pub checks: Vec<CheckSummary>,
}

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSummary {
    /// `blueprint` or `plan`.
    pub kind: String,
    /// The blueprint's name (empty for a plan).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The plan's `format_version` (the rendered one for a blueprint).
    pub format_version: String,
    /// Resource changes the policies looked at.
    pub resources: usize,
}

/// Finding counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Failures of critical severity.
    pub critical: usize,
    /// Failures of high severity.
    pub high: usize,
    /// Failures of medium severity.
    pub medium: usize,
    /// Failures of low severity.
    pub low: usize,
    /// Findings whose outcome is not known before apply.
    pub unknown: usize,
    /// Failures accepted by a waiver.
    pub waived: usize,
    /// Warnings from user policies.
    pub warnings: usize,
}

impl Counts {
    /// Failures (not waived) of every severity.
    pub fn failed(&self) -> usize {
        self.critical + self.high + self.medium + self.low
    }

    fn severity_mut(&mut self, s: Severity) -> &mut usize {
        match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
        }
    }
}

/// One finding: a check's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFinding {
    /// The check id (`DHARMA_AWS_S3_001`, or what a user policy returned; `package.rule` for
    /// results given as plain strings).
    pub id: String,
    /// The resource address (`aws_s3_bucket.logs[0]`, `module.a.aws_vpc.main`); empty when a user
    /// policy did not say.
    pub address: String,
    /// The argument the finding is about, e.g. `ingress[0].cidr_blocks` (may be empty).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// fail, warn, unknown or waived.
    pub status: Status,
    /// The check's severity.
    pub severity: Severity,
    /// The check's title.
    pub title: String,
    /// The check's category (built-in checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// How to fix it (built-in checks).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    /// Equivalent Checkov ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkov: Vec<String>,
    /// CIS benchmark references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// `builtin`, or the file of the user policy that produced it.
    pub source: String,
    /// The waiver that accepts this finding, when status is `waived`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

/// A waiver applied to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    /// Why the finding is accepted.
    pub reason: String,
    /// Last day the waiver applies, when it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The status the finding had before the waiver (`fail`, `warn` or `unknown`).
    pub original_status: Status,
}

/// A declared waiver and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverNote {
    /// The resource address it was declared on.
    pub address: String,
    /// The waived check id.
    pub id: String,
    /// The reason given.
    pub reason: String,
    /// The expiry date, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `applied` (it waived findings), `expired` (past its date: the findings count again) or
    /// `unused` (no finding of that check on that resource).
    pub state: WaiverState,
    /// How many findings it waived.
    pub findings: usize,
}

/// What became of a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// It accepted at least one finding.
    Applied,
    /// Its date has passed; it no longer applies.
    Expired,
    /// It matched no finding.
    Unused,
}

/// A built-in check that applies to the input, with its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// The check id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: Severity,
    /// Resources of the types it looks at.
    pub resources: usize,
    /// Failed findings (not waived).
    pub failed: usize,
    /// Unknown findings.
    pub unknown: usize,
    /// Waived findings.
    pub waived: usize,
}

/// Validates a checked blueprint: renders it as Terraform plan JSON ([`plan_input`]) and
/// evaluates the policy set on it. Waivers come from the resources' `waivers`.
///
/// # Errors
/// [`ErrorKind::Check`] with `invalid_waiver` for a malformed waiver (path
/// `resources[i].waivers[j]...`) and `invalid_argument` for a value of
/// [`ValidateOptions::variables`] the blueprint does not declare or whose type is wrong; [`ErrorKind::Policy`] / [`ErrorKind::Limit`] when a policy
/// fails or runs past its time budget; [`ErrorKind::InvalidInput`] for a bad `today` option.
pub fn validate(
    bp: &CheckedBlueprint,
    policies: &PolicySet,
    options: &ValidateOptions,
) -> Result<Report> {
    let mut waivers: Vec<DeclaredWaiver> = Vec::new();
    let mut problems = Vec::new();
    for (i, r, info) in bp.iter() {
        for (j, w) in r.waivers.iter().enumerate() {
            let path = format!("resources[{i}].waivers[{j}]");
            if let Some(p) = waiver_problem(w, &path) {
                problems.push(p);
                continue;
            }
            waivers.push(DeclaredWaiver {
                address: info.address.clone(),
                waiver: w.clone(),
            });
        }
    }
    variable_problems(bp, &options.variables, &mut problems);
    if !problems.is_empty() {
        return Err(Error::new(ErrorKind::Check, problems));
    }
    // User policies may read planned_values (conftest policies often do); the built-ins do not.
    let with_planned = !policies.user_packages().is_empty();
    let threads = engine::worker_count(options.threads, bp.resources().len(), usize::MAX);
    // The built-in packages read an index of the document, built as it is rendered.
    let (document, index) = if policies.has_builtin() {
        let (document, index) =
            input::render_blueprint_indexed(bp, &options.variables, with_planned, threads);
        (document, Some(index))
    } else {
        let document = input::render_blueprint(
            bp,
            &options.variables,
            with_planned,
            threads,
            input::Marks::UnknownOnly,
        );
        (document, None)
    };
    let order: Vec<String> = bp.iter().map(|(_, _, info)| info.address.clone()).collect();
    let types: Vec<String> = bp.iter().map(|(_, _, i)| i.type_name.clone()).collect();
    let resources = bp
        .resources()
        .iter()
        .map(|r| r.instance_count() as usize)
        .sum();
    let summary = InputSummary {
        kind: "blueprint".into(),
        name: bp.blueprint().name.clone(),
        format_version: RENDERED_FORMAT_VERSION.into(),
        resources,
    };
    let evaluation = Evaluation {
        input: document,
        index,
        free_threads: input::free_workers(threads, bp.resources().len()),
    };
    run(
        evaluation, policies, options, waivers, &order, &types, summary,
    )
}

/// Validates a Terraform plan (`terraform show -json`). Waivers come from
/// [`ValidateOptions::waivers`].
///
/// # Errors
/// As [`validate`], with `invalid_waiver` paths `waivers.<address>[j]`.
pub fn validate_plan(
    plan: &Plan,
    policies: &PolicySet,
    options: &ValidateOptions,
) -> Result<Report> {
    let mut waivers = Vec::new();
    let mut problems = Vec::new();
    for (address, list) in &options.waivers {
        for (j, w) in list.iter().enumerate() {
            let path = format!("waivers.{address}[{j}]");
            if let Some(p) = waiver_problem(w, &path) {
                problems.push(p);
                continue;
            }
            waivers.push(DeclaredWaiver {
                address: address.clone(),
                waiver: w.clone(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::new(ErrorKind::InvalidInput, problems));
    }
    let mut order: Vec<String> = Vec::new();
    let mut types: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut resources = 0;
    for rc in plan.resource_changes() {
        let base = strip_instance_keys(&rc.address);
        if rc.mode == "managed" && !rc.is_removed() {
            resources += 1;
            types.push(rc.resource_type.clone());
        }
        if seen.insert(base.clone()) {
            order.push(base);
        }
    }
    let summary = InputSummary {
        kind: "plan".into(),
        name: String::new(),
        format_version: plan.format_version().to_string(),
        resources,
    };
    let evaluation = Evaluation {
        input: input::to_rego(plan.document()),
        index: None,
        free_threads: 1,
    };
    run(
        evaluation, policies, options, waivers, &order, &types, summary,
    )
}

/// The policy input for a blueprint: the blueprint rendered as `terraform show -json` output
/// (format_version [`RENDERED_FORMAT_VERSION`]). Give it to `opa eval -i` or conftest to run the
/// same policies elsewhere.
///
/// ```
/// let bp = iac_dharma::parse(r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1",
///   "resources":[{"type":"aws_vpc","name":"main","properties":{"cidr_block":"10.0.0.0/16"}},
///                {"type":"aws_subnet","name":"a","properties":{"vpc_id":"${main.id}","cidr_block":"10.0.1.0/24"}}]}"#)?;
/// let plan = iac_dharma::policy::plan_input(&bp, &Default::default());
/// let subnet = &plan["resource_changes"][1];
/// assert_eq!(subnet["change"]["after"]["cidr_block"], "10.0.1.0/24");
/// assert_eq!(subnet["change"]["after_unknown"]["vpc_id"], true);
/// assert_eq!(plan["configuration"]["root_module"]["resources"][1]["expressions"]["vpc_id"]["references"][1], "aws_vpc.main");
/// # Ok::<(), iac_dharma::Error>(())
/// ```
pub fn plan_input(bp: &CheckedBlueprint, options: &ValidateOptions) -> serde_json::Value {
    let threads = engine::worker_count(options.threads, bp.resources().len(), usize::MAX);
    input::to_json(&input::render_blueprint(
        bp,
        &options.variables,
        true,
        threads,
        input::Marks::Terraform,
    ))
}

/// Values given for variables the blueprint does not declare, or that do not fit the declared
/// type: errors, as Terraform makes them of `-var`, since a misspelled name would otherwise leave
/// the variable unknown and the policies reading it silently unable to fail.
fn variable_problems(
    bp: &CheckedBlueprint,
    values: &BTreeMap<String, serde_json::Value>,
    problems: &mut Vec<Finding>,
) {
    let declared = &bp.blueprint().variables;
    for (name, value) in values {
        let path = format!("variables.{name}");
        match declared.iter().find(|v| v.name == *name) {
            None => {
                let names = declared.iter().map(|v| v.name.as_str());
                problems.push(
                    Finding::error(
                        Code::InvalidArgument,
                        path,
                        format!("a value is given for `{name}`, which is not a variable of this blueprint"),
                    )
                    .with_suggestion(crate::did_you_mean(name, names)),
                );
            }
            Some(v) => {
                let ty = v
                    .var_type
                    .as_deref()
                    .and_then(|t| crate::VarType::parse(t).ok());
                if let Some(problem) = ty.as_ref().and_then(|t| t.mismatch(value)) {
                    problems.push(Finding::error(
                        Code::InvalidArgument,
                        path,
                        format!(
                            "the value given for `{name}` does not match its type {}: {problem}",
                            ty.map(|t| t.to_string()).unwrap_or_default()
                        ),
                    ));
                }
            }
        }
    }
}

/// What [`run`] evaluates the policies on.
struct Evaluation {
    /// The plan document.
    input: regorus::Value,
    /// Its index, when it was built with the document.
    index: Option<engine::IndexDocument>,
    /// How many threads free the document once it is evaluated (see [`input::free_while`]).
    free_threads: usize,
}

struct DeclaredWaiver {
    address: String,
    waiver: crate::Waiver,
}

fn waiver_problem(w: &crate::Waiver, path: &str) -> Option<Finding> {
    if w.id.trim().is_empty() {
        return Some(Finding::error(
            Code::InvalidWaiver,
            format!("{path}.id"),
            "a waiver names the check id it waives",
        ));
    }
    if w.reason.trim().is_empty() {
        return Some(Finding::error(
            Code::InvalidWaiver,
            format!("{path}.reason"),
            "a waiver needs a reason",
        ));
    }
    if let Some(e) = &w.expires {
        if Date::parse(e).is_none() {
            return Some(Finding::error(
                Code::InvalidWaiver,
                format!("{path}.expires"),
                format!("`{e}` is not a date of the form YYYY-MM-DD"),
            ));
        }
    }
    None
}

/// `module.a[0].aws_x.b["k"]` -> `module.a.aws_x.b`
fn strip_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '[' {
                depth += 1;
            } else if c == ']' {
                depth -= 1;
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

fn run(
    evaluation: Evaluation,
    policies: &PolicySet,
    options: &ValidateOptions,
    waivers: Vec<DeclaredWaiver>,
    order: &[String],
    types: &[String],
    input_summary: InputSummary,
) -> Result<Report> {
    let today = match &options.today {
        Some(t) => Some(Date::parse(t).ok_or_else(|| {
            Error::single(
                ErrorKind::InvalidInput,
                Finding::error(
                    Code::InvalidArgument,
                    "today",
                    format!("`{t}` is not a date of the form YYYY-MM-DD"),
                ),
            )
        })?),
        None => Date::today(),
    };
    if today.is_none() && waivers.iter().any(|w| w.waiver.expires.is_some()) {
        return Err(Error::single(
            ErrorKind::InvalidInput,
            Finding::error(
                Code::InvalidArgument,
                "today",
                "this platform has no clock: pass `today` (YYYY-MM-DD) to compare waiver expiry dates",
            ),
        ));
    }
    let Evaluation {
        input,
        index,
        free_threads,
    } = evaluation;
    let raw = policies.evaluate(input.clone(), index, options.threads)?;
    // The evaluation is over (its engines are gone): the document is freed while the report is
    // built.
    let report = input::free_while(input, free_threads, || {
        build_report(
            raw,
            policies,
            options,
            waivers,
            order,
            types,
            input_summary,
            today,
        )
    });
    Ok(report)
}

/// The report of an evaluation's findings: metadata and waivers applied, sorted, counted.
#[allow(clippy::too_many_arguments)]
fn build_report(
    raw: Vec<engine::RawFinding>,
    policies: &PolicySet,
    options: &ValidateOptions,
    waivers: Vec<DeclaredWaiver>,
    order: &[String],
    types: &[String],
    input_summary: InputSummary,
    today: Option<Date>,
) -> Report {
    let checks = policies.checks();
    let position: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();

    let mut notes: Vec<WaiverNote> = waivers
        .iter()
        .map(|d| {
            let expired = match (&d.waiver.expires, today) {
                (Some(e), Some(today)) => Date::parse(e).is_some_and(|e| e < today),
                _ => false,
            };
            WaiverNote {
                address: d.address.clone(),
                id: d.waiver.id.clone(),
                reason: d.waiver.reason.clone(),
                expires: d.waiver.expires.clone(),
                state: if expired {
                    WaiverState::Expired
                } else {
                    WaiverState::Unused
                },
                findings: 0,
            }
        })
        .collect();

    let mut findings: Vec<(usize, PolicyFinding)> = Vec::with_capacity(raw.len());
    for f in raw {
        let meta = match f.origin {
            Origin::Builtin => checks.get(&f.id),
            Origin::User { .. } => None,
        };
        let base = strip_instance_keys(&f.address);
        let mut status = f.status;
        let mut applied = None;
        // A waiver keyed by an instance address (`aws_ebs_volume.data["dev"]`, as the report
        // prints it) matches that instance only, and wins over one keyed by the resource's address
        // without instance keys (`aws_ebs_volume.data`), which matches every instance.
        let live = |n: &WaiverNote| n.id == f.id && n.state != WaiverState::Expired;
        let k = notes
            .iter()
            .position(|n| live(n) && n.address == f.address)
            .or_else(|| notes.iter().position(|n| live(n) && n.address == base));
        if let Some((k, note)) = k.and_then(|k| notes.get_mut(k).map(|n| (k, n))) {
            note.state = WaiverState::Applied;
            note.findings += 1;
            applied = waivers.get(k).map(|d| AppliedWaiver {
                reason: d.waiver.reason.clone(),
                expires: d.waiver.expires.clone(),
                original_status: status,
            });
            status = Status::Waived;
        }
        let severity = f
            .severity
            .or(meta.map(|m| m.severity))
            .unwrap_or(match f.origin {
                Origin::User { warn: true, .. } => Severity::Low,
                _ => Severity::High,
            });
        let source = match &f.origin {
            Origin::Builtin => "builtin".to_string(),
            Origin::User { file, .. } => file.clone(),
        };
        let pos = if f.address.is_empty() {
            0
        } else {
            position.get(base.as_str()).map_or(usize::MAX, |p| p + 1)
        };
        findings.push((
            pos,
            PolicyFinding {
                title: f
                    .title
                    .or(meta.map(|m| m.title.clone()))
                    .unwrap_or_else(|| f.id.clone()),
                category: meta.map(|m| m.category),
                remediation: meta.map(|m| m.remediation.clone()).unwrap_or_default(),
                checkov: meta.map(|m| m.checkov.clone()).unwrap_or_default(),
                cis: meta.map(|m| m.cis.clone()).unwrap_or_default(),
                id: f.id,
                address: f.address,
                path: f.path,
                message: f.message,
                status,
                severity,
                source,
                waiver: applied,
            },
        ));
    }
    findings.sort_by(|(pa, a), (pb, b)| {
        (pa, &a.address, &a.id, &a.path, &a.message, a.status)
            .cmp(&(pb, &b.address, &b.id, &b.path, &b.message, b.status))
    });
    findings.dedup_by(|(_, a), (_, b)| a == b);
    let findings: Vec<PolicyFinding> = findings.into_iter().map(|(_, f)| f).collect();

    let mut counts = Counts::default();
    for f in &findings {
        match f.status {
            Status::Fail => *counts.severity_mut(f.severity) += 1,
            Status::Unknown => counts.unknown += 1,
            Status::Waived => counts.waived += 1,
            Status::Warn => counts.warnings += 1,
        }
    }
    let passed = !findings
        .iter()
        .any(|f| f.status == Status::Fail && f.severity >= options.fail_on);

    // Per-check summary over the built-in checks that apply to the input's types.
    let mut type_counts: HashMap<&str, usize> = HashMap::new();
    for t in types {
        *type_counts.entry(t.as_str()).or_default() += 1;
    }
    let mut by_check: HashMap<(&str, Status), usize> = HashMap::new();
    for f in &findings {
        *by_check.entry((f.id.as_str(), f.status)).or_default() += 1;
    }
    let mut check_summaries = Vec::new();
    if policies.has_builtin() {
        for check in checks.values().filter(|c| policies.is_on(c)) {
            let resources: usize = if check.resource_types.iter().any(|t| t == "*") {
                types.len()
            } else {
                check
                    .resource_types
                    .iter()
                    .map(|t| type_counts.get(t.as_str()).copied().unwrap_or(0))
                    .sum()
            };
            if resources == 0 {
                continue;
            }
            let of = |s: Status| by_check.get(&(check.id.as_str(), s)).copied().unwrap_or(0);
            check_summaries.push(CheckSummary {
                id: check.id.clone(),
                title: check.title.clone(),
                severity: check.severity,
                resources,
                failed: of(Status::Fail),
                unknown: of(Status::Unknown),
                waived: of(Status::Waived),
            });
        }
    }
    Report {
        passed,
        fail_on: options.fail_on,
        input: input_summary,
        counts,
        findings,
        waivers: notes,
        checks: check_summaries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_are_stripped() {
        assert_eq!(strip_instance_keys("aws_x.b[0]"), "aws_x.b");
        assert_eq!(
            strip_instance_keys(r#"module.a["x]y"].aws_x.b["k.z"]"#),
            "module.a.aws_x.b"
        );
        assert_eq!(
            strip_instance_keys("module.a[1].module.b.aws_x.c"),
            "module.a.module.b.aws_x.c"
        );
    }

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Medium > Severity::Low);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }
}
