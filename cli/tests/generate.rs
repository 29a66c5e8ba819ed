//! `dharma generate`: files written, stdout for one file, nothing half-written on errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{dharma, entries, write};

const AWS: &str = r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1",
"tags":{"team":"platform"},
"resources":[{"type":"aws_vpc","name":"main","properties":{"cidr_block":"10.0.0.0/16"}},
{"type":"aws_subnet","name":"a","properties":{"vpc_id":"${main.id}","cidr_block":"10.0.1.0/24"}}]}"#;

#[test]
fn writes_every_file_to_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(tmp.path(), "bp.json", AWS);
    let out = tmp.path().join("tf");
    let o = dharma(&[
        "generate",
        &bp,
        "--format",
        "terraform",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        entries(&out),
        [".dharma-generated", "main.tf", "providers.tf"]
    );
    let main = std::fs::read_to_string(out.join("main.tf")).unwrap();
    assert!(main.contains("vpc_id     = aws_vpc.main.id"), "{main}");
    // No staging folder is left next to the output.
    assert_eq!(entries(tmp.path()), ["bp.json", "tf"]);

    // Again into the existing folder: files replaced in place, no temporary files left.
    let o = dharma(&[
        "generate",
        &bp,
        "-f",
        "terraform",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(
        entries(&out),
        [".dharma-generated", "main.tf", "providers.tf"]
    );
}

#[test]
fn a_later_run_removes_the_files_it_no_longer_writes_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tf");
    let gen = |bp: &str| {
        let o = dharma(&[
            "generate",
            bp,
            "-f",
            "terraform",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    // With an output and a variable: outputs.tf and variables.tf.
    let v1 = write(
        tmp.path(),
        "v1.json",
        r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1",
        "variables":[{"name":"env","type":"string","default":"dev"}],
        "outputs":[{"name":"bucket_arn","value":"${logs.arn}"}],
        "resources":[{"type":"aws_s3_bucket","name":"logs","properties":{"bucket":"logs-${var.env}"}}]}"#,
    );
    gen(&v1);
    assert_eq!(
        entries(&out),
        [
            ".dharma-generated",
            "main.tf",
            "outputs.tf",
            "providers.tf",
            "variables.tf"
        ]
    );
    // The user's own file in the folder.
    write(&out, "backend.tf", "terraform {}\n");
    gen(&write(tmp.path(), "v2.json", AWS));
    // outputs.tf would name a resource that is gone: removed with variables.tf.
    assert_eq!(
        entries(&out),
        [".dharma-generated", "backend.tf", "main.tf", "providers.tf"]
    );
    // Another format into the same folder: the Terraform files go, folders come.
    let o = dharma(&["generate", &v1, "-f", "cdk-ts", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("lib/stack.ts").is_file());
    assert!(!out.join("main.tf").exists() && out.join("backend.tf").exists());
    gen(&v1);
    assert!(!out.join("lib").exists(), "emptied folders are removed");
}

#[test]
fn an_output_path_that_is_not_a_folder_or_a_folder_in_the_way_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(tmp.path(), "bp.json", AWS);
    let file = write(tmp.path(), "afile", "x");
    let o = dharma(&["generate", &bp, "-f", "terraform", "-o", &file]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("it exists and is not a folder"), "{err}");

    let out = tmp.path().join("tf");
    std::fs::create_dir_all(out.join("providers.tf")).unwrap();
    write(&out, "main.tf", "old");
    let o = dharma(&[
        "generate",
        &bp,
        "-f",
        "terraform",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("a folder of that name is in the way"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("main.tf")).unwrap(), "old");
    assert_eq!(entries(&out), ["main.tf", "providers.tf"]);
}

#[test]
fn prints_a_single_file_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(tmp.path(), "bp.json", AWS);
    let o = dharma(&["generate", &bp, "--format", "terraform-json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["resource"]["aws_subnet"]["a"]["vpc_id"],
        "${aws_vpc.main.id}"
    );
}

#[test]
fn output_dash_is_standard_output() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(tmp.path(), "bp.json", AWS);
    let o = common::dharma_in(
        tmp.path(),
        &["generate", &bp, "-f", "terraform-json", "-o", "-"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc["resource"]["aws_vpc"]["main"].is_object());
    assert!(!tmp.path().join("-").exists(), "no folder named `-`");
}

#[test]
fn several_files_need_an_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(tmp.path(), "bp.json", AWS);
    let o = dharma(&["generate", &bp, "--format", "terraform"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("main.tf") && err.contains("-o"), "{err}");
}

#[test]
fn errors_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // A generation error (CloudFormation cannot express Azure).
    let azure = write(
        tmp.path(),
        "az.json",
        r#"{"name":"demo","version":"1.0.0","provider":"azure","region":"westeurope","resources":[]}"#,
    );
    let o = dharma(&[
        "generate",
        &azure,
        "-f",
        "cloudformation",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unsupported_provider"));
    assert!(!out.exists());
    // A blueprint that does not check.
    let bad = write(
        tmp.path(),
        "bad.json",
        &AWS.replace("${main.id}", "${mian.id}"),
    );
    let o = dharma(&[
        "generate",
        &bad,
        "-f",
        "terraform",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_reference"));
    assert!(!out.exists());
    // An unknown format is a usage error.
    let good = write(tmp.path(), "bp.json", AWS);
    let o = dharma(&["generate", &good, "-f", "terraform-hcl"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(entries(tmp.path()), ["az.json", "bad.json", "bp.json"]);
}

#[test]
fn caller_templates_replace_and_add_files() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(tmp.path(), "bp.json", AWS);
    let templates = tmp.path().join("templates/terraform");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("README.md.tera"),
        "# {{ blueprint.name }}\n{% for r in resources %}- {{ r.address }}\n{% endfor %}",
    )
    .unwrap();
    std::fs::write(
        templates.join("providers.tf.tera"),
        "provider \"aws\" {\n  region = {{ provider.region | hcl_string }}\n}\n",
    )
    .unwrap();
    let dir = tmp.path().join("templates");
    let out = tmp.path().join("out");
    let o = dharma(&[
        "generate",
        &bp,
        "-f",
        "terraform",
        "-o",
        out.to_str().unwrap(),
        "--templates",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        "# demo\n- aws_vpc.main\n- aws_subnet.a\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("providers.tf")).unwrap(),
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n"
    );
    // A template that does not compile is reported, nothing is written.
    std::fs::write(templates.join("main.tf.tera"), "{% for r in resources %}").unwrap();
    let out2 = tmp.path().join("out2");
    let o = dharma(&[
        "generate",
        &bp,
        "-f",
        "terraform",
        "-o",
        out2.to_str().unwrap(),
        "--templates",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("template_error"));
    assert!(!out2.exists());
}

#[test]
fn arm_prints_the_template_and_names_unmappable_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = write(
        tmp.path(),
        "az.json",
        r#"{"name":"azdemo","version":"1.0.0","provider":"azure","region":"westeurope",
"resources":[{"type":"azurerm_resource_group","name":"rg","properties":{"name":"rg-demo","location":"westeurope"}},
{"type":"azurerm_virtual_network","name":"vnet","properties":{"name":"vnet","location":"${rg.location}","resource_group_name":"${rg.name}","address_space":["10.0.0.0/16"]}}]}"#,
    );
    let o = dharma(&["generate", &bp, "--format", "arm"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["resources"][0]["type"],
        "Microsoft.Network/virtualNetworks"
    );
    assert_eq!(
        doc["resources"][0]["location"],
        "[resourceGroup().location]"
    );

    let bad = write(
        tmp.path(),
        "bad.json",
        r#"{"name":"azdemo","version":"1.0.0","provider":"azure","region":"westeurope",
"resources":[{"type":"azurerm_public_ip","name":"ip","properties":{"name":"ip","location":"westeurope","resource_group_name":"rg","allocation_method":"Static","ip_tags":{"RoutingPreference":"Internet"}}}]}"#,
    );
    let out = tmp.path().join("arm");
    let o = dharma(&["generate", &bad, "-f", "arm", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unmapped_property") && err.contains("resources[0].properties.ip_tags"),
        "{err}"
    );
    assert!(!out.exists());
}
