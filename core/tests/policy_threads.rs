#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `validate` gives byte-identical reports whatever the number of policy threads
//! (`ValidateOptions::threads`): sequential, automatic, and more threads than cores.

use std::path::PathBuf;

use iac_dharma::{parse, validate, validate_plan, PolicySet, TerraformPlan, ValidateOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn options(threads: Option<usize>) -> ValidateOptions {
    let mut o = ValidateOptions::default();
    o.threads = threads;
    o.today = Some("2026-11-26".into());
    o
}

const THREADS: [Option<usize>; 4] = [Some(1), None, Some(2), Some(7)];

#[test]
fn blueprint_reports_do_not_depend_on_threads() {
    let policies = PolicySet::builder()
        .settings(serde_json::json!({"required_tags": ["owner"], "allowed_regions": ["eu-west-1"]}))
        .build()
        .unwrap();
    let mut seen = 0;
    for e in std::fs::read_dir(root().join("examples/blueprints")).unwrap() {
        let path = e.unwrap().path();
        if !path.extension().is_some_and(|x| x == "yaml" || x == "json") {
            continue;
        }
        let bp = parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let reports: Vec<String> = THREADS
            .iter()
            .map(|t| {
                serde_json::to_string(&validate(&bp, &policies, &options(*t)).unwrap()).unwrap()
            })
            .collect();
        for r in &reports[1..] {
            assert_eq!(r, &reports[0], "{}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 8);
}

#[test]
fn plan_reports_do_not_depend_on_threads() {
    let policies = PolicySet::builtin().unwrap();
    let mut seen = 0;
    for e in std::fs::read_dir(root().join("tests/fixtures/plans")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let plan = TerraformPlan::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let reports: Vec<String> = THREADS
            .iter()
            .map(|t| {
                serde_json::to_string(&validate_plan(&plan, &policies, &options(*t)).unwrap())
                    .unwrap()
            })
            .collect();
        for r in &reports[1..] {
            assert_eq!(r, &reports[0], "{}", path.display());
        }
        assert!(reports[0].contains("\"findings\""));
        seen += 1;
    }
    assert!(seen >= 6);
}
