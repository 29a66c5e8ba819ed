#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One shared `PolicySet` and `PriceCatalog` used from 8 threads gives the same results as
//! sequential use: the engine keeps no global mutable state.

use std::sync::Arc;

use iac_dharma::{
    estimate, generate, parse, validate, EstimateOptions, GenerateOptions, OutputFormat, PolicySet,
    PriceCatalog, ValidateOptions,
};

const BLUEPRINTS: [&str; 8] = [
    include_str!("../../examples/blueprints/aws-eks-platform.yaml"),
    include_str!("../../examples/blueprints/aws-serverless-api.json"),
    include_str!("../../examples/blueprints/aws-static-site.yaml"),
    include_str!("../../examples/blueprints/aws-three-tier-web.yaml"),
    include_str!("../../examples/blueprints/azure-aks-platform.yaml"),
    include_str!("../../examples/blueprints/azure-web-app.yaml"),
    include_str!("../../examples/blueprints/gcp-gke-platform.yaml"),
    include_str!("../../examples/blueprints/gcp-serverless.yaml"),
];

fn run(text: &str, policies: &PolicySet, catalog: &Arc<PriceCatalog>) -> String {
    let bp = parse(text).unwrap();
    let report = validate(&bp, policies, &ValidateOptions::default()).unwrap();
    let cost = estimate(&bp, &EstimateOptions::new().with_catalog(catalog.clone())).unwrap();
    let files = generate(&bp, OutputFormat::Terraform, &GenerateOptions::default()).unwrap();
    serde_json::to_string(&(report, cost, files.files)).unwrap()
}

#[test]
fn shared_policy_set_and_catalog_give_sequential_results_from_8_threads() {
    let policies = PolicySet::builtin().unwrap();
    let catalog = PriceCatalog::builtin();
    let sequential: Vec<String> = BLUEPRINTS
        .iter()
        .map(|t| run(t, &policies, &catalog))
        .collect();
    for _round in 0..3 {
        let parallel: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = BLUEPRINTS
                .iter()
                .map(|t| {
                    let (policies, catalog) = (&policies, &catalog);
                    s.spawn(move || run(t, policies, catalog))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (i, (a, b)) in sequential.iter().zip(&parallel).enumerate() {
            assert_eq!(
                a, b,
                "blueprint {i} differs between threads and sequential use"
            );
        }
    }
    // Every thread got real findings and prices, not empty results.
    assert!(sequential.iter().all(|r| r.contains("total_monthly")));
}
