//! Drift against the Terraform state fixtures in `tests/fixtures/state/` (AWS, Azure, GCP), and
//! the errors for bad state input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::{Blueprint, CheckedBlueprint, Code, ErrorKind};

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "tests",
        "fixtures",
        "state",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn blueprint(name: &str) -> CheckedBlueprint {
    Blueprint::from_yaml(&fixture(name))
        .unwrap()
        .into_checked()
        .unwrap()
}

fn changed_paths(report: &DriftReport) -> Vec<(String, Vec<String>)> {
    report
        .changed
        .iter()
        .map(|c| {
            (
                c.address.clone(),
                c.changes.iter().map(|x| x.path.clone()).collect(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    v.iter()
        .map(|(a, p)| (a.to_string(), p.iter().map(|x| x.to_string()).collect()))
        .collect()
}

#[test]
fn aws_drift() {
    let state = TerraformState::from_json(&fixture("aws-web.tfstate")).unwrap();
    assert_eq!(state.format, StateFormat::Tfstate);
    assert_eq!(state.serial, Some(14));
    assert_eq!(state.instances.len(), 9);
    assert_eq!(state.instances[0].address, "data.aws_ami.ubuntu");
    let db = state.instance("aws_db_instance.db").unwrap();
    assert_eq!(db.sensitive_attributes, ["password"]);
    let report = drift(&blueprint("aws-web.blueprint.yaml"), &state).unwrap();
    assert_eq!(report.missing, ["aws_subnet.private"]);
    assert_eq!(report.unmanaged, ["aws_eip.bastion"]);
    assert_eq!(
        changed_paths(&report),
        pairs(&[
            ("aws_security_group.web_sg", &["ingress"]),
            ("aws_instance.web[0]", &["tags_all.Owner"]),
            ("aws_instance.web[1]", &["instance_type"]),
            ("aws_db_instance.db", &["allocated_storage"]),
        ])
    );
    // Computed attributes the blueprint does not set (arn, owner_id, ...) are not drift; the VPC
    // id reference, the egress set in another order, nested blocks as one-element lists and the
    // default tags in tags_all all match.
    assert_eq!(
        report.in_sync,
        ["aws_vpc.main", "aws_subnet.public", "aws_s3_bucket.assets"]
    );
    let sg = &report.changed[0].changes[0];
    assert_eq!(
        sg.actual.as_ref().unwrap()[0],
        json!({"cidr_blocks": ["0.0.0.0/0"], "description": "SSH from the VPC", "from_port": 22, "protocol": "tcp", "to_port": 22})
    );
    assert_eq!(report.changed[2].changes[0].actual, Some(json!("t3.large")));
    // The password comes from a variable without a default: not compared, and said so.
    assert_eq!(report.not_compared.len(), 1);
    assert_eq!(report.not_compared[0].path, "password");
    let text = render_drift_text(&report);
    assert!(
        text.contains("Drift: 1 missing, 4 changed, 1 unmanaged, 3 in sync."),
        "{text}"
    );
    assert!(!text.contains("correct-horse"), "{text}");

    // Names from the state file are shown escaped: a terminal escape in one cannot clear the
    // screen of whoever reads the report.
    let mut hostile = report.clone();
    hostile.unmanaged = vec!["aws_s3_bucket.ex\u{1b}[2Jtra".into()];
    let text = render_drift_text(&hostile);
    assert!(
        text.contains("? aws_s3_bucket.ex\\u{1b}[2Jtra is deployed but not in the blueprint"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn azure_drift() {
    let state = TerraformState::from_json(&fixture("azure-app.tfstate")).unwrap();
    let report = drift(&blueprint("azure-app.blueprint.yaml"), &state).unwrap();
    assert_eq!(report.missing, ["azurerm_network_security_group.nsg"]);
    assert_eq!(report.unmanaged, ["azurerm_public_ip.debug"]);
    assert_eq!(
        changed_paths(&report),
        pairs(&[
            ("azurerm_resource_group.rg", &["tags.costcenter"]),
            ("azurerm_virtual_network.vnet", &["address_space"]),
            ("azurerm_storage_account.logs", &["min_tls_version"]),
        ])
    );
    assert_eq!(report.in_sync, ["azurerm_subnet.app"]);
    let rg = &report.changed[0].changes[0];
    assert_eq!(
        (rg.expected.clone(), rg.actual.clone()),
        (Some(json!("cc-42")), None)
    );
    // The storage account's keys are sensitive in the state; none of them is shown.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("AccountKey"), "{json}");
}

#[test]
fn gcp_drift_from_state_file_and_show_json() {
    let bp = blueprint("gcp-data.blueprint.yaml");
    let expected = pairs(&[
        ("google_compute_firewall.ssh", &["source_ranges"]),
        ("google_storage_bucket.data", &["versioning.enabled"]),
    ]);
    for file in ["gcp-data.tfstate", "gcp-data.show.json"] {
        let state = TerraformState::from_json(&fixture(file)).unwrap();
        let report = drift(&bp, &state).unwrap();
        assert!(report.missing.is_empty(), "{file}");
        assert_eq!(report.unmanaged, ["google_compute_address.tmp"], "{file}");
        assert_eq!(changed_paths(&report), expected, "{file}");
        // ${vpc.id} and ${vpc.self_link} resolve from the state; the provider's attribution
        // label is not drift.
        assert_eq!(
            report.in_sync,
            [
                "google_compute_network.vpc",
                "google_compute_subnetwork.app"
            ],
            "{file}"
        );
    }
    let show = TerraformState::from_json(&fixture("gcp-data.show.json")).unwrap();
    assert_eq!(show.format, StateFormat::ShowJson);
}

#[test]
fn bad_state_input() {
    let err = TerraformState::from_json(&fixture("terraform-0.11-v3.tfstate")).unwrap_err();
    assert_eq!(err.code(), Code::UnsupportedStateVersion);
    assert_eq!(err.path(), "version");
    assert_eq!(err.location().map(|l| (l.line, l.column)), Some((2, 3)));
    assert!(err.message().contains("version 3"), "{}", err.message());

    let err = TerraformState::from_json(&fixture("truncated.tfstate")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert_eq!(err.code(), Code::JsonSyntax);
    assert!(err.location().is_some_and(|l| l.line > 100));

    let state = TerraformState::from_json(&fixture("azure-app.tfstate")).unwrap();
    let err = drift(&blueprint("aws-web.blueprint.yaml"), &state).unwrap_err();
    assert_eq!(err.code(), Code::StateProviderMismatch);
    assert_eq!(err.path(), "resources[0].provider");
    assert!(err.message().contains("azure") && err.message().contains("aws"));

    // A field of the wrong type: the JSON path and the line of the value.
    let err = TerraformState::from_json(
        "{\"version\": 4,\n \"resources\": [{\"mode\": \"managed\", \"type\": \"aws_vpc\", \"name\": \"x\",\n \"provider\": 7}]}",
    )
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidState);
    assert_eq!(err.path(), "resources[0].provider");
    assert_eq!(err.location().map(|l| l.line), Some(3));

    for (text, code) in [
        ("[1, 2]", Code::InvalidState),
        ("{\"name\": \"a blueprint?\"}", Code::InvalidState),
        (
            "{\"format_version\": \"2.0\"}",
            Code::UnsupportedStateVersion,
        ),
        ("{\"version\": \"4\"}", Code::UnsupportedStateVersion),
        (
            "{\"format_version\": \"1.2\", \"resource_changes\": []}",
            Code::InvalidState,
        ),
    ] {
        assert_eq!(
            TerraformState::from_json(text).unwrap_err().code(),
            code,
            "{text}"
        );
    }
}

#[test]
fn empty_show_json_state_is_all_missing() {
    let state = TerraformState::from_json(r#"{"format_version":"1.0"}"#).unwrap();
    let report = drift(&blueprint("gcp-data.blueprint.yaml"), &state).unwrap();
    assert_eq!(report.missing.len(), 4);
    assert!(report.has_drift());
}

#[test]
fn tags_compare_in_the_types_own_tag_argument() {
    // google_container_cluster labels itself in `resource_labels`. A state without
    // `terraform_labels` (an older provider) is compared there; with it, there.
    let bp = Blueprint::from_yaml(
        "name: gke\nversion: 1.0.0\nprovider: gcp\nregion: europe-west1\ntags: {env: prod}\nresources:\n  - {type: google_container_cluster, name: k, properties: {name: k, location: europe-west1, resource_labels: {tier: one}}}\n",
    )
    .unwrap()
    .into_checked()
    .unwrap();
    let state = |attrs: serde_json::Value| {
        TerraformState::from_json(
            &json!({"version": 4, "resources": [{"mode": "managed", "type": "google_container_cluster",
                "name": "k", "provider": "provider[\"registry.terraform.io/hashicorp/google\"]",
                "instances": [{"attributes": attrs}]}]})
            .to_string(),
        )
        .unwrap()
    };
    let report = drift(
        &bp,
        &state(json!({"name": "k", "location": "europe-west1",
            "resource_labels": {"env": "prod", "tier": "one"}})),
    )
    .unwrap();
    assert_eq!(report.in_sync, ["google_container_cluster.k"]);
    let report = drift(
        &bp,
        &state(json!({"name": "k", "location": "europe-west1",
            "resource_labels": {"env": "prod", "tier": "one", "owner": "bob"},
            "terraform_labels": {"env": "prod", "tier": "one", "owner": "bob",
                "goog-terraform-provisioned": "true"}})),
    )
    .unwrap();
    assert_eq!(
        changed_paths(&report),
        pairs(&[("google_container_cluster.k", &["terraform_labels.owner"])])
    );
}

#[test]
fn impossible_instance_keys_are_invalid_state_where_they_stand() {
    // A count index is a whole number of 0 or more, a for_each key a string; nothing else.
    for key in ["1.5", "-1", "true", "{\"a\": 1}", "[0]"] {
        let text = format!(
            "{{\"version\": 4, \"resources\": [{{\"mode\": \"managed\", \"type\": \"aws_vpc\", \"name\": \"x\",\n \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\", \"instances\": [\n {{\"index_key\": 0, \"attributes\": {{}}}},\n {{\"index_key\": {key}, \"attributes\": {{}}}}]}}]}}"
        );
        let err = TerraformState::from_json(&text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidState, "{key}");
        assert_eq!(err.path(), "resources[0].instances[1].index_key", "{key}");
        assert_eq!(err.location().map(|l| l.line), Some(4), "{key}");
        // `terraform show -json` names it `index`.
        let text = format!(
            "{{\"format_version\": \"1.0\", \"values\": {{\"root_module\": {{\"resources\": [\n {{\"address\": \"aws_vpc.x[0]\", \"mode\": \"managed\", \"type\": \"aws_vpc\", \"name\": \"x\",\n \"index\": {key}, \"provider_name\": \"registry.terraform.io/hashicorp/aws\", \"values\": {{}}}}]}}}}}}"
        );
        let err = TerraformState::from_json(&text).unwrap_err();
        assert_eq!(err.code(), Code::InvalidState, "{key}");
        assert_eq!(err.path(), "values.root_module.resources[0].index", "{key}");
        assert_eq!(err.location().map(|l| l.line), Some(3), "{key}");
    }
    // Whole numbers and strings are keys; null is no key.
    for (key, address) in [
        ("2", "aws_vpc.x[2]"),
        ("\"a b\"", "aws_vpc.x[\"a b\"]"),
        ("null", "aws_vpc.x"),
    ] {
        let text = format!(
            "{{\"version\": 4, \"resources\": [{{\"mode\": \"managed\", \"type\": \"aws_vpc\", \"name\": \"x\", \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\", \"instances\": [{{\"index_key\": {key}, \"attributes\": {{}}}}]}}]}}"
        );
        let state = TerraformState::from_json(&text).unwrap();
        assert_eq!(state.instances[0].address, address);
    }
}
