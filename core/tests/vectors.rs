//! Runs every shared case in `tests/vectors/` (see its README) through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use std::path::{Path, PathBuf};

use iac_dharma::{Blueprint, CheckedBlueprint, Error, Severity, SourceFormat};
use serde_json::{json, Value};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// The blueprint text and format of a case.
fn blueprint_source(case: &Value, key_prefix: &str) -> Option<(String, SourceFormat)> {
    if let Some(doc) = case.get(format!("{key_prefix}blueprint")) {
        return Some((
            serde_json::to_string(doc).expect("json"),
            SourceFormat::Json,
        ));
    }
    if let Some(text) = case.get(format!("{key_prefix}blueprint_text")) {
        let fmt = match case[format!("{key_prefix}blueprint_format")].as_str() {
            Some("yaml") => SourceFormat::Yaml,
            _ => SourceFormat::Json,
        };
        return Some((text.as_str().expect("text").to_string(), fmt));
    }
    if let Some(file) = case.get(format!("{key_prefix}blueprint_file")) {
        let path = repo_root().join(file.as_str().expect("path"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let fmt =
            SourceFormat::from_extension(&path.to_string_lossy()).unwrap_or(SourceFormat::Yaml);
        return Some((text, fmt));
    }
    None
}

fn load(case: &Value) -> Result<CheckedBlueprint, Error> {
    let (text, fmt) = blueprint_source(case, "").expect("case has a blueprint");
    Blueprint::from_text_as(&text, fmt)?.into_checked()
}

fn error_outcome(e: &Error) -> Value {
    let findings: Vec<Value> = e
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let mut v = json!({"code": f.code.as_str(), "path": f.path});
            if let Some(s) = &f.suggestion {
                v["suggestion"] = json!(s);
            }
            if let Some(l) = f.location {
                v["line"] = json!(l.line);
            }
            v
        })
        .collect();
    json!({"error": {"kind": e.kind().as_str(), "findings": findings}})
}

fn names(bp: &CheckedBlueprint, idx: &[usize]) -> Vec<String> {
    idx.iter()
        .map(|&i| bp.resources()[i].name.clone())
        .collect()
}

// --- validate ---------------------------------------------------------------------------

/// The policy set of a validate case: built-ins (unless `args.no_builtin`), `args.settings`, and
/// `args.policies` ([{name, rego}]).
fn validate_policies(args: &Value) -> Result<iac_dharma::PolicySet, Error> {
    let mut b = iac_dharma::PolicySet::builder();
    if args["no_builtin"].as_bool() == Some(true) {
        b = b.without_builtin();
    }
    if let Some(s) = args.get("settings") {
        b = b.settings(s.clone());
    }
    if let Some(ms) = args["time_limit_ms"].as_u64() {
        b = b.time_limit(Some(std::time::Duration::from_millis(ms)));
    }
    for p in args["policies"].as_array().into_iter().flatten() {
        b = b.add_policy(
            p["name"].as_str().expect("policy name"),
            p["rego"].as_str().expect("policy rego"),
        );
    }
    b.build()
}

fn validate_options(args: &Value) -> iac_dharma::ValidateOptions {
    let mut o = iac_dharma::ValidateOptions::default();
    if let Some(s) = args["fail_on"].as_str() {
        o.fail_on = s.parse().expect("fail_on");
    }
    o.today = Some(args["today"].as_str().unwrap_or("2026-06-01").to_string());
    if let Some(vars) = args["variables"].as_object() {
        o.variables = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(w) = args.get("waivers") {
        o.waivers = serde_json::from_value(w.clone()).expect("waivers");
    }
    o
}

/// The plain-JSON result of a validate call (see the README table).
fn report_outcome(r: &iac_dharma::Report, args: &Value) -> Value {
    let only = args["check"].as_str();
    let findings: Vec<Value> = r
        .findings
        .iter()
        .filter(|f| only.is_none_or(|id| f.id == id))
        .map(|f| {
            json!({"id": f.id, "address": f.address, "path": f.path,
                   "status": f.status.as_str(), "severity": f.severity.as_str()})
        })
        .collect();
    let waivers: Vec<Value> = r
        .waivers
        .iter()
        .map(|w| json!({"address": w.address, "id": w.id, "state": serde_json::to_value(w.state).expect("state")}))
        .collect();
    json!({"result": {"passed": r.passed, "counts": serde_json::to_value(r.counts).expect("counts"),
                      "findings": findings, "waivers": waivers}})
}

fn run_validate_plan(case: &Value) -> Value {
    let args = &case["args"];
    let text = if let Some(file) = args["plan_file"].as_str() {
        std::fs::read_to_string(repo_root().join(file)).expect("plan_file")
    } else if let Some(t) = args["plan_text"].as_str() {
        t.to_string()
    } else {
        serde_json::to_string(&args["plan"]).expect("plan")
    };
    let outcome = iac_dharma::TerraformPlan::parse(&text).and_then(|plan| {
        let policies = validate_policies(args)?;
        iac_dharma::validate_plan(&plan, &policies, &validate_options(args))
    });
    match outcome {
        Ok(r) => report_outcome(&r, args),
        Err(e) => error_outcome(&e),
    }
}

/// Runs a case's call; the outcome has the shape of `expect`.
fn run(case: &Value) -> Value {
    let call = case["call"].as_str().expect("call");
    if call == "validate_plan" {
        return run_validate_plan(case);
    }
    let bp = match load(case) {
        Ok(bp) => bp,
        Err(e) => return error_outcome(&e),
    };
    match call {
        "check" => {
            let types: serde_json::Map<String, Value> = bp
                .iter()
                .map(|(_, r, info)| (r.name.clone(), json!(info.type_name)))
                .collect();
            let warnings: Vec<Value> = bp
                .warnings()
                .iter()
                .map(|f| json!({"code": f.code.as_str(), "path": f.path}))
                .collect();
            let tags: serde_json::Map<String, Value> = bp
                .iter()
                .map(|(i, r, _)| (r.name.clone(), Value::Object(bp.effective_tags(i))))
                .collect();
            json!({"result": {"types": types, "warnings": warnings, "tags": tags}})
        }
        "graph" => {
            let g = bp.graph();
            let waves: Vec<Vec<String>> = g.waves().iter().map(|w| names(&bp, w)).collect();
            let edges: Vec<Value> = g
                .edges()
                .iter()
                .map(|e| {
                    json!({
                        "resource": bp.resources()[e.dependent].name,
                        "depends_on": bp.resources()[e.dependency].name,
                        "kind": e.kind.as_str(),
                    })
                })
                .collect();
            let mut blast = serde_json::Map::new();
            for name in case["args"]["blast_radius"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = name.as_str().expect("name");
                let i = bp.index_of(name).expect("blast_radius names a resource");
                blast.insert(name.into(), json!(names(&bp, &g.blast_radius(i))));
            }
            json!({"result": {"waves": waves, "order": names(&bp, g.order()), "edges": edges, "blast_radius": blast}})
        }
        "validate" => {
            let args = &case["args"];
            let outcome = validate_policies(args)
                .and_then(|p| iac_dharma::validate(&bp, &p, &validate_options(args)));
            match outcome {
                Ok(r) => report_outcome(&r, args),
                Err(e) => error_outcome(&e),
            }
        }
        // plan_diff, drift, version_bump (see the README's table).
        "plan_diff" | "version_bump" => {
            let doc = &case["args"]["new_blueprint"];
            assert!(doc.is_object(), "{call} needs args.new_blueprint");
            let new = match Blueprint::from_json(&doc.to_string()).and_then(Blueprint::into_checked)
            {
                Ok(b) => b,
                Err(e) => return error_outcome(&e),
            };
            let plan = match iac_dharma::plan_diff(&bp, &new) {
                Ok(p) => p,
                Err(e) => return error_outcome(&e),
            };
            if call == "plan_diff" {
                return json!({"result": plan.to_value()});
            }
            let check = iac_dharma::check_version(&plan).expect("versions of checked blueprints");
            json!({"result": {"bump": check.required.as_str(), "minimum": check.minimum, "ok": check.ok}})
        }
        "drift" => {
            let file = case["args"]["state_file"]
                .as_str()
                .expect("args.state_file");
            let text = std::fs::read_to_string(repo_root().join(file))
                .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
            let report = iac_dharma::TerraformState::from_json(&text)
                .and_then(|state| iac_dharma::drift(&bp, &state));
            match report {
                Ok(r) => json!({"result": serde_json::to_value(&r).expect("json")}),
                Err(e) => error_outcome(&e),
            }
        }
        // estimate
        "estimate" => match estimate_options(&case["args"]) {
            Ok(opts) => match iac_dharma::estimate(&bp, &opts) {
                Ok(est) => json!({"result": serde_json::to_value(&est).expect("json")}),
                Err(e) => error_outcome(&e),
            },
            Err(e) => error_outcome(&e),
        },
        "cost_diff" => {
            let new_text = serde_json::to_string(&case["args"]["new_blueprint"]).expect("json");
            let new = match Blueprint::from_json(&new_text).and_then(Blueprint::into_checked) {
                Ok(b) => b,
                Err(e) => return error_outcome(&e),
            };
            match estimate_options(&case["args"])
                .and_then(|opts| iac_dharma::cost_diff(&bp, &new, &opts))
            {
                Ok(diff) => json!({"result": serde_json::to_value(&diff).expect("json")}),
                Err(e) => error_outcome(&e),
            }
        }
        "generate" => {
            let format: iac_dharma::OutputFormat = match case["args"]["format"]
                .as_str()
                .expect("args.format")
                .parse()
            {
                Ok(f) => f,
                Err(e) => return error_outcome(&e),
            };
            let files = match iac_dharma::generate(&bp, format, &Default::default()) {
                Ok(f) => f,
                Err(e) => return error_outcome(&e),
            };
            // `contains`: echo back the expected substrings that are present in each file.
            let mut contains = serde_json::Map::new();
            if let Some(expected) = case["expect"]["result"]["contains"].as_object() {
                for (file, subs) in expected {
                    let text = files.get(file).unwrap_or_default();
                    let found: Vec<Value> = subs
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|s| s.as_str().is_some_and(|s| text.contains(s)))
                        .cloned()
                        .collect();
                    contains.insert(file.clone(), json!(found));
                }
            }
            json!({"result": {
                "files": files.paths().collect::<Vec<_>>(),
                "text": files.files,
                "contains": contains,
            }})
        }
        other => panic!("unknown call `{other}`"),
    }
}

/// Options of the `estimate` and `cost_diff` calls: `usage` (a usage file as JSON), `budget`
/// (a decimal string or number), `prices` (CSV rows extending the built-in catalog).
fn estimate_options(args: &Value) -> Result<iac_dharma::EstimateOptions, Error> {
    use std::str::FromStr;
    let mut opts = iac_dharma::EstimateOptions::new();
    if let Some(u) = args.get("usage") {
        opts = opts.with_usage(iac_dharma::UsageFile::from_value(u.clone())?);
    }
    if let Some(b) = args.get("budget") {
        let text = match b {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let budget = iac_dharma::Decimal::from_str(&text).expect("budget is a decimal");
        opts = opts.with_budget(budget);
    }
    if let Some(csv) = args.get("prices").and_then(Value::as_str) {
        let mut cat = (*iac_dharma::PriceCatalog::builtin()).clone();
        cat.extend(iac_dharma::PriceCatalog::from_csv(csv)?);
        opts = opts.with_catalog(std::sync::Arc::new(cat));
    }
    Ok(opts)
}

/// Subset comparison: every key of `expected` must be in `actual` with an equal value; lists are
/// compared element by element and must have the same length.
fn matches(expected: &Value, actual: &Value, path: &str, problems: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => matches(ev, av, &format!("{path}.{k}"), problems),
                    None => problems.push(format!("{path}.{k}: missing (expected {ev})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                problems.push(format!(
                    "{path}: expected {} items {expected}, got {} {actual}",
                    e.len(),
                    a.len()
                ));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, av, &format!("{path}[{i}]"), problems);
            }
        }
        (e, a) if e == a => {}
        (e, a) => problems.push(format!("{path}: expected {e}, got {a}")),
    }
}

/// A `generate` case of an output format this build of the engine leaves out (a build with
/// `--no-default-features`): skipped, and listed, as the WASM runner does for its module.
fn left_out_format(case: &Value) -> bool {
    case["call"] == "generate"
        && case["args"]["format"]
            .as_str()
            .and_then(|f| f.parse::<iac_dharma::OutputFormat>().ok())
            .is_some_and(|f| !f.is_built())
}

#[test]
fn shared_vectors() {
    let mut files = Vec::new();
    case_files(&repo_root().join("tests/vectors"), &mut files);
    assert!(files.len() >= 40, "found only {} cases", files.len());
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read case");
        let case: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid case JSON: {e}", file.display()));
        assert!(
            case["description"].is_string(),
            "{}: no description",
            file.display()
        );
        if left_out_format(&case) {
            skipped.push(
                file.strip_prefix(repo_root())
                    .unwrap_or(file)
                    .display()
                    .to_string(),
            );
            continue;
        }
        let outcome = run(&case);
        let mut problems = Vec::new();
        matches(&case["expect"], &outcome, "expect", &mut problems);
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n  outcome: {outcome}",
                file.strip_prefix(repo_root()).unwrap_or(file).display(),
                problems.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    if !skipped.is_empty() {
        eprintln!(
            "skipped {} generate cases of formats this build leaves out: {}",
            skipped.len(),
            skipped.join(", ")
        );
    }
}

#[test]
fn every_check_code_has_a_vector() {
    let mut files = Vec::new();
    case_files(&repo_root().join("tests/vectors"), &mut files);
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("read"))
        .collect();
    // Codes the blueprint checks produce (later verbs have their own vectors).
    for code in [
        "json_syntax",
        "yaml_syntax",
        "invalid_structure",
        "invalid_name",
        "invalid_identifier",
        "duplicate_name",
        "invalid_version",
        "unknown_provider",
        "unknown_region",
        "unknown_resource_type",
        "wrong_provider_type",
        "unknown_argument",
        "missing_argument",
        "wrong_value_type",
        "malformed_reference",
        "unknown_reference",
        "unknown_variable",
        "unknown_attribute",
        "invalid_index",
        "unknown_dependency",
        "dependency_cycle",
        "invalid_count",
        "invalid_variable_type",
        "invalid_default",
        "invalid_tag",
    ] {
        assert!(
            all.contains(&format!("\"{code}\"")),
            "no vector for code {code}"
        );
    }
}

// --- validate ---------------------------------------------------------------------------

#[test]
fn every_builtin_check_has_a_failing_and_a_passing_vector() {
    let mut files = Vec::new();
    case_files(&repo_root().join("tests/vectors/validate"), &mut files);
    let cases: Vec<Value> = files
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json"))
        .collect();
    for check in iac_dharma::policy::builtin_catalog() {
        let of_check: Vec<&Value> = cases
            .iter()
            .filter(|c| c["call"] == "validate" && c["args"]["check"] == check.id.as_str())
            .collect();
        let failing = of_check.iter().any(|c| {
            c["expect"]["result"]["findings"]
                .as_array()
                .is_some_and(|fs| fs.iter().any(|f| f["status"] == "fail"))
        });
        let passing = of_check.iter().any(|c| {
            c["expect"]["result"]["findings"]
                .as_array()
                .is_some_and(Vec::is_empty)
        });
        assert!(failing, "{}: no vector where it fails", check.id);
        assert!(passing, "{}: no vector where it passes", check.id);
    }
}
