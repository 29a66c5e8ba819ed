//! The files the Pulumi and CDK generators write themselves for the embedded templates
//! (`index.ts`, `Pulumi.yaml`, `lib/stack.ts`) are what tera renders from those templates, on a
//! blueprint that reaches every branch of them: an empty and a multi-line description, commented
//! and uncommented variables (config, CDK parameters), resources with `count`, a description,
//! explicit dependencies and lifecycle options, outputs with and without descriptions, secret.
//! (`direct_files_are_what_tera_renders` in `generate_terraform.rs` does the same on the
//! examples.)
#![cfg(all(feature = "generate-pulumi", feature = "generate-cdk"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use iac_dharma::{generate, GenerateOptions, OutputFormat, TemplateSet};

/// Options whose templates are the embedded ones, changed in a comment only: rendered by tera.
fn through_tera() -> GenerateOptions {
    let set = TemplateSet::with_overrides(
        TemplateSet::embedded_sources()
            .map(|(n, t)| (n.to_string(), format!("{{# through tera #}}{t}"))),
    )
    .unwrap();
    let mut options = GenerateOptions::default();
    options.templates = Some(set);
    options
}

/// The blueprint, with a secret output but for CDK (CloudFormation outputs cannot be hidden).
fn blueprint(description: &str, format: OutputFormat) -> String {
    let secret_output = if format == OutputFormat::CdkTs {
        ""
    } else {
        "\n  - {name: key_out, value: \"${var.secret_key}\", sensitive: true}"
    };
    format!(
        r#"
name: direct_app
version: 2.1.0
provider: aws
region: eu-west-1
description: {description}
variables:
  - {{name: env, type: string, default: prod, description: "Stage\nsecond */ line"}}
  - {{name: size, type: number, default: 3}}
  - {{name: secret_key, type: string, sensitive: true}}
  - {{name: zones, type: list(string), default: [a, b]}}
outputs:
  - {{name: vpc_id, value: "${{main.id}}", description: "The VPC\nof the app"}}
  - {{name: web_ip, value: "${{web[1].private_ip}}"}}{secret_output}
resources:
  - type: aws_vpc
    name: main
    description: "Main network */ here"
    properties: {{cidr_block: 10.0.0.0/16, tags: {{Name: "main ${{var.env}}"}}}}
    lifecycle: {{prevent_destroy: true, ignore_changes: [tags]}}
  - type: aws_subnet
    name: public
    properties: {{vpc_id: "${{main.id}}", cidr_block: 10.0.1.0/24}}
  - type: aws_s3_bucket
    name: logs
    properties: {{bucket: direct-app-logs}}
  - type: aws_instance
    name: web
    count: 2
    dependencies: [logs]
    description: web servers
    properties:
      ami: ami-0abcdef1234567890
      instance_type: t3.micro
      subnet_id: "${{public.id}}"
  - type: aws_sqs_queue
    name: jobs
    dependencies: [web, logs]
    lifecycle: {{create_before_destroy: true}}
    properties: {{name: "jobs-${{var.env}}", visibility_timeout_seconds: 60}}
"#
    )
}

#[test]
fn written_files_are_what_tera_renders() {
    let tera = through_tera();
    for description in ["\"\"", "\"one line\"", "\"two\\nlines */ and ${x}\""] {
        for format in [
            OutputFormat::PulumiYaml,
            OutputFormat::PulumiTs,
            OutputFormat::CdkTs,
        ] {
            let text = blueprint(description, format);
            let bp = iac_dharma::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            // Both must generate: an error on both sides would compare nothing.
            let direct = generate(&bp, format, &GenerateOptions::default())
                .unwrap_or_else(|e| panic!("{format}, written: {e}"));
            let rendered =
                generate(&bp, format, &tera).unwrap_or_else(|e| panic!("{format}, tera: {e}"));
            assert_eq!(direct, rendered, "{format} with description {description}");
        }
    }
}

/// CDK's `lib/stack.ts` is written from resources lowered one at a time in logical-ID order;
/// on an error the whole template is lowered as before, so the error is the one the templates'
/// path reports (the first in blueprint order, not in logical-ID order).
#[test]
fn cdk_errors_are_those_of_the_whole_template() {
    let conflicting = |name: &str| {
        format!(
            "{{type: aws_eks_addon, name: {name}, properties: {{cluster_name: c, addon_name: coredns, \
             resolve_conflicts_on_create: OVERWRITE, resolve_conflicts_on_update: PRESERVE}}}}"
        )
    };
    let cases = [
        // `zeta` is first in the blueprint, last in logical-ID order.
        (
            format!(
                "  - {}\n  - {}\n",
                conflicting("zeta"),
                conflicting("alpha")
            ),
            "resources[0].properties.resolve_conflicts_on_update",
        ),
        (
            "  - {type: aws_security_group, name: sg, properties: {description: x}}\n  \
             - {type: aws_security_group_rule, name: r, properties: {type: ingress, \
             security_group_id: \"${sg.id}\", protocol: tcp, from_port: 443, to_port: 443, \
             cidr_blocks: [10.0.0.0/8, 192.168.0.0/16]}}\n"
                .to_string(),
            "resources[1].properties.cidr_blocks",
        ),
    ];
    let tera = through_tera();
    for (resources, path) in cases {
        let text = format!(
            "name: errs\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n{resources}"
        );
        let bp = iac_dharma::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let direct = generate(&bp, OutputFormat::CdkTs, &GenerateOptions::default()).unwrap_err();
        let rendered = generate(&bp, OutputFormat::CdkTs, &tera).unwrap_err();
        assert_eq!(format!("{direct:?}"), format!("{rendered:?}"), "{text}");
        assert_eq!(direct.findings()[0].path, path, "{text}");
    }
}
