// What each fuzz target runs, shared by the targets (fuzz/fuzz_targets/) and by the regression
// test core/tests/fuzz_regressions.rs (which includes this file), so that CI replays the seeds and
// every crash input through exactly the calls the fuzzers make. Each function returns the errors
// the engine reported; the fuzzers ignore them, the test checks that each names its problem.

use std::sync::OnceLock;

use iac_dharma::{
    drift, estimate, generate, graph_json, plan_diff, render_drift_text, render_graph,
    render_plan_text, render_text, validate, Blueprint, CheckedBlueprint, Error, EstimateOptions,
    GenerateOptions, GraphFormat, OutputFormat, PolicySet, TerraformPlan, TerraformState,
    ValidateOptions,
};

/// What a target runs: the input bytes in, the errors the engine reported out.
pub type Target = fn(&[u8]) -> Vec<Error>;

/// The fuzz targets, by name.
pub const TARGETS: [(&str, Target); 8] = [
    ("parse_json", parse_json),
    ("parse_yaml", parse_yaml),
    ("generate", generate_any),
    ("validate", validate_builtin),
    ("estimate", estimate_builtin),
    ("plan_diff", plan_two),
    ("tf_plan", tf_plan),
    ("tf_state", tf_state),
];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

fn checked(text: &str, errors: &mut Vec<Error>) -> Option<CheckedBlueprint> {
    iac_dharma::parse(text).map_err(|e| errors.push(e)).ok()
}

/// Blueprint JSON: parse, back to JSON, check, the graph and its renderings.
pub fn parse_json(data: &[u8]) -> Vec<Error> {
    let mut errors = Vec::new();
    let Some(text) = text(data) else {
        return errors;
    };
    let bp = match Blueprint::from_json(text) {
        Ok(bp) => bp,
        Err(e) => return vec![e],
    };
    let _ = bp.to_json();
    match bp.into_checked() {
        Ok(bp) => graph(&bp),
        Err(e) => errors.push(e),
    }
    errors
}

/// Blueprint YAML: parse, back to YAML, check, effective tags, the graph.
pub fn parse_yaml(data: &[u8]) -> Vec<Error> {
    let mut errors = Vec::new();
    let Some(text) = text(data) else {
        return errors;
    };
    let bp = match Blueprint::from_yaml(text) {
        Ok(bp) => bp,
        Err(e) => return vec![e],
    };
    if let Err(e) = bp.to_yaml() {
        errors.push(e);
    }
    match bp.into_checked() {
        Ok(bp) => {
            for i in 0..bp.resources().len() {
                let _ = bp.effective_tags(i);
            }
            graph(&bp);
        }
        Err(e) => errors.push(e),
    }
    errors
}

fn graph(bp: &CheckedBlueprint) {
    let g = bp.graph();
    let _ = g.order();
    let _ = g.waves();
    if !bp.resources().is_empty() {
        let _ = g.blast_radius(0);
    }
    let _ = graph_json(bp);
    let _ = render_graph(bp, GraphFormat::Dot);
    let _ = render_graph(bp, GraphFormat::Mermaid);
}

/// The first byte picks one of the 8 formats; the rest is a blueprint (JSON or YAML).
pub fn generate_any(data: &[u8]) -> Vec<Error> {
    let mut errors = Vec::new();
    let Some((&first, rest)) = data.split_first() else {
        return errors;
    };
    let format = OutputFormat::ALL
        .get(usize::from(first) % OutputFormat::ALL.len())
        .copied()
        .unwrap_or(OutputFormat::Terraform);
    let Some(text) = text(rest) else {
        return errors;
    };
    let Some(bp) = checked(text, &mut errors) else {
        return errors;
    };
    match generate(&bp, format, &GenerateOptions::default()) {
        Ok(files) => {
            for path in files.paths() {
                let _ = files.get(path);
            }
        }
        Err(e) => errors.push(e),
    }
    errors
}

static POLICIES: OnceLock<Result<PolicySet, Error>> = OnceLock::new();

/// A blueprint through the built-in policy set (compiled once).
pub fn validate_builtin(data: &[u8]) -> Vec<Error> {
    let mut errors = Vec::new();
    let policies = match POLICIES.get_or_init(PolicySet::builtin) {
        Ok(p) => p,
        Err(e) => return vec![e.clone()],
    };
    let Some(text) = text(data) else {
        return errors;
    };
    let Some(bp) = checked(text, &mut errors) else {
        return errors;
    };
    if let Err(e) = validate(&bp, policies, &ValidateOptions::default()) {
        errors.push(e);
    }
    errors
}

/// A blueprint priced with the built-in catalog, then rendered.
pub fn estimate_builtin(data: &[u8]) -> Vec<Error> {
    let mut errors = Vec::new();
    let Some(text) = text(data) else {
        return errors;
    };
    let Some(bp) = checked(text, &mut errors) else {
        return errors;
    };
    match estimate(&bp, &EstimateOptions::default()) {
        Ok(est) => {
            let _ = render_text(&est);
        }
        Err(e) => errors.push(e),
    }
    errors
}

/// Two blueprints split at the first NUL byte (none: the input against itself): the plan, its
/// rendering and its rollback.
pub fn plan_two(data: &[u8]) -> Vec<Error> {
    let mut errors = Vec::new();
    let (old, new) = match data.iter().position(|&b| b == 0) {
        Some(at) => (
            data.get(..at).unwrap_or_default(),
            data.get(at + 1..).unwrap_or_default(),
        ),
        None => (data, data),
    };
    let (Some(old), Some(new)) = (text(old), text(new)) else {
        return errors;
    };
    let old = checked(old, &mut errors);
    let new = checked(new, &mut errors);
    let (Some(old), Some(new)) = (old, new) else {
        return errors;
    };
    match plan_diff(&old, &new) {
        Ok(plan) => {
            let _ = render_plan_text(&plan);
            if let Err(e) = plan.rollback() {
                errors.push(e);
            }
        }
        Err(e) => errors.push(e),
    }
    errors
}

/// The Terraform plan JSON reader.
pub fn tf_plan(data: &[u8]) -> Vec<Error> {
    let Some(text) = text(data) else {
        return Vec::new();
    };
    match TerraformPlan::parse(text) {
        Ok(plan) => {
            let _ = plan.format_version();
            for change in plan.resource_changes() {
                let _ = change.is_delete_only();
            }
            Vec::new()
        }
        Err(e) => vec![e],
    }
}

static DRIFT_BLUEPRINT: OnceLock<Result<CheckedBlueprint, Error>> = OnceLock::new();

/// The Terraform state reader, then drift against a fixed AWS blueprint.
pub fn tf_state(data: &[u8]) -> Vec<Error> {
    let bp = match DRIFT_BLUEPRINT.get_or_init(|| {
        iac_dharma::parse(include_str!(
            "../../tests/fixtures/state/aws-web.blueprint.yaml"
        ))
    }) {
        Ok(bp) => bp,
        Err(e) => return vec![e.clone()],
    };
    let Some(text) = text(data) else {
        return Vec::new();
    };
    let state = match TerraformState::from_json(text) {
        Ok(s) => s,
        Err(e) => return vec![e],
    };
    match drift(bp, &state) {
        Ok(report) => {
            let _ = render_drift_text(&report);
            Vec::new()
        }
        Err(e) => vec![e],
    }
}
