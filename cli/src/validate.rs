//! `dharma validate`: guardrail policies over a blueprint or a Terraform plan JSON.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use clap::{Args, ValueEnum};
use iac_dharma::policy::{self, PolicySet, ReportFormat, Severity, ValidateOptions};
use iac_dharma::{tfplan, Blueprint, SourceFormat};

use crate::input::{read_bytes, var_pairs, var_values};
use crate::report::Reporter;
use crate::Outcome;

/// Arguments of `dharma validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Blueprint (JSON or YAML) or Terraform plan JSON (`terraform show -json`); `-` reads
    /// standard input.
    pub file: String,
    /// A Rego file or folder of policies to run as well (repeatable). conftest-style packages
    /// with `deny` / `violation` / `warn` rules returning strings or objects run unchanged.
    #[arg(long = "policies", short = 'p', value_name = "PATH")]
    pub policies: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// The lowest severity whose failures make the command fail (exit code 1).
    #[arg(long, value_enum, default_value_t = SeverityArg::Low)]
    pub fail_on: SeverityArg,
    /// What FILE is (default: detected from its content).
    #[arg(long, value_enum, default_value_t = InputType::Auto)]
    pub input_type: InputType,
    /// Settings of the built-in checks: a JSON or YAML file with required_tags,
    /// allowed_regions, allowed_instance_types, previous_generation_families.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<String>,
    /// Run only the policies given with --policies, not the built-in catalog.
    #[arg(long)]
    pub no_builtin: bool,
    /// The date waiver expiry is compared with (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// A value for a blueprint variable, NAME=VALUE (VALUE is read as JSON when it parses as
    /// JSON, else as a string). Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Waivers for a plan: a JSON or YAML file mapping resource addresses to lists of
    /// {id, reason, expires}.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<String>,
    /// Time budget of the policy evaluation, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Print the policy input (the blueprint rendered as Terraform plan JSON) instead of
    /// validating; feed it to `opa eval -i` or conftest.
    #[arg(long)]
    pub emit_input: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Text,
    Json,
    Sarif,
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputType {
    Auto,
    Blueprint,
    Plan,
}

fn read_text(path: &str, reporter: &Reporter) -> Result<String, ()> {
    let bytes = read_bytes(path, reporter)?;
    if let Some(e) = tfplan::binary_plan(&bytes) {
        reporter.error(path, &e);
        return Err(());
    }
    String::from_utf8(bytes).map_err(|_| reporter.message(&format!("{path} is not UTF-8 text")))
}

/// Reads a JSON or YAML document (settings, waivers).
pub(crate) fn read_document(path: &str, reporter: &Reporter) -> Result<serde_json::Value, ()> {
    let text = read_text(path, reporter)?;
    let format = SourceFormat::from_extension(path).unwrap_or_else(|| SourceFormat::detect(&text));
    match format {
        SourceFormat::Json => serde_json::from_str(&text)
            .map_err(|e| reporter.message(&format!("{path}: invalid JSON: {e}"))),
        SourceFormat::Yaml => yaml_serde::from_str(&text)
            .map_err(|e| reporter.message(&format!("{path}: invalid YAML: {e}"))),
    }
}

fn detect_plan(text: &str, path: &str) -> bool {
    if SourceFormat::from_extension(path) == Some(SourceFormat::Yaml) {
        return false;
    }
    if SourceFormat::detect(text) != SourceFormat::Json {
        return false;
    }
    // Only the top-level keys matter; a full parse is cheap next to the validation itself.
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => tfplan::looks_like_plan(&v),
        // A truncated plan: guess from the opening bytes.
        Err(_) => text.get(..text.len().min(4096)).is_some_and(|head| {
            head.contains("\"format_version\"") && !head.contains("\"provider\"")
        }),
    }
}

/// Policy errors name their own file:line in the path; print them without the input's name.
pub(crate) fn policy_error(reporter: &Reporter, e: &iac_dharma::Error) {
    for f in e.findings() {
        reporter.message(&format!("{}: {} [{}]", f.path, f.message, f.code));
    }
}

fn input_error(reporter: &Reporter, file: &str, e: &iac_dharma::Error) {
    match e.kind() {
        iac_dharma::ErrorKind::Policy | iac_dharma::ErrorKind::Limit => policy_error(reporter, e),
        _ => reporter.error(file, e),
    }
}

pub fn run(args: ValidateArgs, reporter: &Reporter) -> Result<Outcome, ()> {
    let file = args.file.as_str();
    let text = read_text(file, reporter)?;
    let is_plan = match args.input_type {
        InputType::Plan => true,
        InputType::Blueprint => false,
        InputType::Auto => detect_plan(&text, file),
    };

    let mut options = ValidateOptions::default();
    options.fail_on = args.fail_on.into();
    options.today = args.today.clone();
    let vars = var_pairs(&args.vars).map_err(|m| reporter.message(&m))?;
    if is_plan && !vars.is_empty() {
        reporter
            .message("--var sets blueprint variables; a plan already holds its variables' values");
        return Err(());
    }
    if let Some(path) = &args.waivers {
        let doc = read_document(path, reporter)?;
        let waivers: BTreeMap<String, Vec<iac_dharma::Waiver>> = serde_json::from_value(doc)
            .map_err(|e| {
                reporter.message(&format!(
                    "{path}: expected a map of resource addresses to lists of {{id, reason, expires}}: {e}"
                ))
            })?;
        options.waivers = waivers;
    }

    if args.emit_input {
        if is_plan {
            reporter.message("--emit-input renders blueprints; a plan is already policy input");
            return Err(());
        }
        let bp = Blueprint::from_text_as(
            &text,
            SourceFormat::from_extension(file).unwrap_or_else(|| SourceFormat::detect(&text)),
        )
        .and_then(Blueprint::into_checked)
        .map_err(|e| reporter.error(file, &e))?;
        options.variables = var_values(&vars, &bp);
        let doc = policy::plan_input(&bp, &options);
        crate::print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
        return Ok(Outcome::Success);
    }

    let mut builder =
        PolicySet::builder().time_limit(Some(std::time::Duration::from_millis(args.timeout_ms)));
    if args.no_builtin {
        if args.policies.is_empty() {
            reporter.message("--no-builtin needs at least one --policies PATH");
            return Err(());
        }
        builder = builder.without_builtin();
    }
    for p in &args.policies {
        builder = builder.add_path(p).map_err(|e| reporter.error(p, &e))?;
    }
    if let Some(path) = &args.settings {
        builder = builder.settings(read_document(path, reporter)?);
    }
    let policies = builder.build().map_err(|e| policy_error(reporter, &e))?;

    let report = if is_plan {
        let plan = tfplan::Plan::parse(&text).map_err(|e| reporter.error(file, &e))?;
        policy::validate_plan(&plan, &policies, &options)
            .map_err(|e| input_error(reporter, file, &e))?
    } else {
        let format =
            SourceFormat::from_extension(file).unwrap_or_else(|| SourceFormat::detect(&text));
        let bp = Blueprint::from_text_as(&text, format)
            .and_then(Blueprint::into_checked)
            .map_err(|e| reporter.error(file, &e))?;
        reporter.warnings(file, bp.warnings());
        options.variables = var_values(&vars, &bp);
        policy::validate(&bp, &policies, &options).map_err(|e| input_error(reporter, file, &e))?
    };

    let format = match args.format {
        FormatArg::Text => ReportFormat::Text {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        },
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Sarif => ReportFormat::Sarif,
        FormatArg::Junit => ReportFormat::Junit,
    };
    let artifact = if file == "-" { "<stdin>" } else { file };
    crate::print_stdout(&policy::format_report(&report, format, artifact));
    Ok(if report.passed {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}
