#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Limits: every bound gives a `limit_exceeded` error with a path, never a crash or a hang.

use std::time::{Duration, Instant};

use iac_dharma::{validate, Blueprint, Code, ErrorKind, Limits, PolicySet, ValidateOptions};

const HEAD_JSON: &str = r#"{"name":"x","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[{"type":"aws_s3_bucket","name":"b","properties":{"bucket":"#;

fn assert_limit(err: &iac_dharma::Error, path_prefix: &str) {
    assert_eq!(err.kind(), ErrorKind::Limit, "{err}");
    assert_eq!(err.code(), Code::LimitExceeded, "{err}");
    let path = &err.findings()[0].path;
    assert!(
        path.starts_with(path_prefix),
        "path {path:?} should start with {path_prefix:?}"
    );
}

#[test]
fn deep_json_array_is_a_limit_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!(
        "{HEAD_JSON}{}1{}}}}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let err = Blueprint::from_json(&text).unwrap_err();
    assert_limit(&err, "resources[0].properties.bucket");
    assert!(err.location().is_some());
}

#[test]
fn deep_yaml_flow_sequence_is_a_limit_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!(
        "name: x\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - type: aws_s3_bucket\n    name: b\n    properties:\n      bucket: {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let start = Instant::now();
    let err = Blueprint::from_yaml(&text).unwrap_err();
    // Refused by a linear pre-scan before the YAML reader runs: the place is the line.
    assert_limit(&err, "");
    assert_eq!(err.location().map(|l| l.line), Some(9));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn nesting_under_the_parsers_guard_is_checked_against_max_depth() {
    let text = format!("{HEAD_JSON}{}1{}}}}}]}}", "[".repeat(70), "]".repeat(70));
    let err = Blueprint::from_json(&text).unwrap_err();
    assert_limit(&err, "resources[0].properties.bucket");
    let mut limits = Limits::default();
    limits.max_depth = 100;
    Blueprint::from_text_with_limits(&text, &limits).unwrap();
}

#[test]
fn billion_laughs_yaml_errors_fast() {
    let mut text = String::from("name: x\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nmetadata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!(
            "  a{i}: &a{i} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    text.push_str("resources: []\n");
    let start = Instant::now();
    let err = Blueprint::from_yaml(&text).unwrap_err();
    assert_limit(&err, "");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    // The same with a merge key, which takes another reader first.
    let text = text.replace("metadata:\n", "metadata:\n  <<: {merged: true}\n");
    let start = Instant::now();
    let err = Blueprint::from_yaml(&text).unwrap_err();
    assert_limit(&err, "");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn long_strings_are_refused_with_their_path() {
    let mut limits = Limits::default();
    limits.max_string_bytes = 20;
    let text = format!("{HEAD_JSON}\"{}\"}}}}]}}", "a".repeat(21));
    let err = Blueprint::from_text_with_limits(&text, &limits).unwrap_err();
    assert_limit(&err, "resources[0].properties.bucket");
    // The default (1 MiB) accepts it, and refuses a string just over it.
    Blueprint::from_json(&text).unwrap();
    let big = format!(
        "{HEAD_JSON}\"{}\"}}}}]}}",
        "a".repeat(iac_dharma::DEFAULT_MAX_STRING_BYTES + 1)
    );
    assert_limit(
        &Blueprint::from_json(&big).unwrap_err(),
        "resources[0].properties.bucket",
    );
}

#[test]
fn the_path_reaches_into_nested_values() {
    let mut limits = Limits::default();
    limits.max_string_bytes = 20;
    let long = "a".repeat(21);
    let text = format!(
        r#"{{"name":"x","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[
            {{"type":"aws_s3_bucket","name":"ok","properties":{{"bucket":"fine"}}}},
            {{"type":"aws_s3_bucket","name":"b","properties":{{"tags":{{"team":"a","kubernetes.io/x":["short","{long}"]}}}}}}]}}"#
    );
    let err = Blueprint::from_text_with_limits(&text, &limits).unwrap_err();
    assert_eq!(
        err.findings()[0].path,
        r#"resources[1].properties.tags["kubernetes.io/x"][1]"#
    );
}

#[test]
fn too_many_resources_and_too_large_input_are_refused() {
    let resource = r#"{"type":"aws_s3_bucket","name":"b"}"#;
    let text = format!(
        r#"{{"name":"x","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[{}]}}"#,
        [resource; 3].join(",")
    );
    let mut limits = Limits::default();
    limits.max_resources = 2;
    assert_limit(
        &Blueprint::from_text_with_limits(&text, &limits).unwrap_err(),
        "resources",
    );
    let mut limits = Limits::default();
    limits.max_input_bytes = 20;
    let err = Blueprint::from_text_with_limits(&text, &limits).unwrap_err();
    assert_eq!(err.code(), Code::LimitExceeded);
    // Defaults parse it.
    Blueprint::from_json(&text).unwrap();
    assert_eq!(Limits::default().max_resources, 50_000);
}

#[test]
fn limits_apply_to_values_from_bindings_too() {
    let mut v: serde_json::Value = serde_json::json!(1);
    for _ in 0..80 {
        v = serde_json::json!([v]);
    }
    let doc = serde_json::json!({"name":"x","version":"1.0.0","provider":"aws","region":"us-east-1",
        "resources":[{"type":"aws_s3_bucket","name":"b","properties":{"tags": v}}]});
    assert_limit(
        &Blueprint::from_value(doc).unwrap_err(),
        "resources[0].properties.tags",
    );
}

#[test]
fn a_huge_comprehension_in_a_user_policy_stops_with_a_time_limit_error() {
    let rego = r#"package main
import rego.v1
deny contains msg if {
    xs := [x | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); x := a * b]
    count(xs) > 0
    msg := "never reached in time"
}
"#;
    let set = PolicySet::builder()
        .without_builtin()
        .add_policy("huge.rego", rego)
        .time_limit(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let bp = iac_dharma::parse(
        r#"{"name":"xyz","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[]}"#,
    )
    .unwrap();
    let start = Instant::now();
    let err = validate(&bp, &set, &ValidateOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit, "{err}");
    assert_eq!(err.code(), Code::PolicyTimeout);
    assert_eq!(err.findings()[0].path, "huge.rego");
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_builtin_that_panics_inside_regorus_is_a_policy_error_not_a_crash() {
    // regorus's numbers.range allocates the whole range up front: "capacity overflow".
    let rego = "package main\nimport rego.v1\ndeny contains msg if {\n    xs := numbers.range(0, 1e18)\n    msg := \"unreachable\"\n}\n";
    let set = PolicySet::builder()
        .without_builtin()
        .add_policy("range.rego", rego)
        .build()
        .unwrap();
    let bp = iac_dharma::parse(
        r#"{"name":"xyz","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[]}"#,
    )
    .unwrap();
    let err = validate(&bp, &set, &ValidateOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Policy, "{err}");
    assert_eq!(err.code(), Code::PolicyError);
    assert_eq!(err.findings()[0].path, "range.rego");
    assert!(err.to_string().contains("capacity overflow"), "{err}");
    // The set is still usable: the engine that panicked was this call's own clone.
    let again = validate(&bp, &set, &ValidateOptions::default()).unwrap_err();
    assert_eq!(again.code(), Code::PolicyError);
}

#[test]
fn brackets_inside_quoted_strings_and_comments_are_not_nesting() {
    let many = "[".repeat(200);
    let text = format!(
        "# {many}\nname: xyz\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - type: aws_s3_bucket\n    name: b\n    properties:\n      bucket: \"{many}\"\n      tags: {{Note: '{many}'}}\n"
    );
    let bp = Blueprint::from_yaml(&text).unwrap();
    assert_eq!(bp.resources[0].properties["bucket"], many.as_str());
}

/// `parse` checks each resource against the limits during the semantic check (not in a walk of
/// its own): it must refuse the same first violation as parsing alone, before any check finding.
#[test]
fn parse_reports_the_first_limit_violation_as_parsing_alone_does() {
    let long = "a".repeat(iac_dharma::DEFAULT_MAX_STRING_BYTES + 1);
    let deep = format!("{}1{}", "[".repeat(70), "]".repeat(70));
    let doc = |resources: &[String]| {
        format!(
            r#"{{"name":"xyz","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[{}]}}"#,
            resources.join(",")
        )
    };
    let cases = [
        // A deep value in resource 0, a long name in resource 1: resource 0 comes first.
        (
            doc(&[
                format!(
                    r#"{{"type":"aws_s3_bucket","name":"a","properties":{{"bucket":{deep}}}}}"#
                ),
                format!(r#"{{"type":"aws_s3_bucket","name":"{long}"}}"#),
            ]),
            "resources[0].properties.bucket",
        ),
        // A long type after a resource the check would refuse (unknown type).
        (
            doc(&[
                r#"{"type":"aws_nope","name":"a"}"#.to_string(),
                format!(r#"{{"type":"{long}","name":"b"}}"#),
            ]),
            "resources[1].type",
        ),
        // A long usage key in the last resource, after check errors in earlier ones.
        (
            doc(&[
                r#"{"type":"aws_s3_bucket","name":"a","properties":{"bucket":"${nope.id}"}}"#
                    .to_string(),
                r#"{"type":"aws_s3_bucket","name":"b"}"#.to_string(),
                format!(r#"{{"type":"aws_s3_bucket","name":"c","usage":{{"{long}":1}}}}"#),
            ]),
            "resources[2].usage",
        ),
    ];
    for (text, path) in cases {
        let alone = Blueprint::from_json(&text).unwrap_err();
        let parsed = iac_dharma::parse(&text).unwrap_err();
        assert_limit(&parsed, path);
        assert_eq!(parsed.findings(), alone.findings());
    }
}

#[test]
fn a_user_policy_may_have_lines_longer_than_regorus_default_of_1024_columns() {
    // A 50-AMI allow-list on one line, as real policies have it (OPA has no line limit).
    let amis: Vec<String> = (0..200).map(|i| format!("\"ami-{i:017x}\"")).collect();
    let rego = format!(
        "package main\nimport rego.v1\nallowed := {{{}}}\ndeny contains msg if {{\n    some r in input.resource_changes\n    r.type == \"aws_instance\"\n    not allowed[r.change.after.ami]\n    msg := sprintf(\"%s uses an unapproved AMI\", [r.address])\n}}\n",
        amis.join(", ")
    );
    assert!(rego.lines().any(|l| l.len() > 4000));
    let set = PolicySet::builder()
        .without_builtin()
        .add_policy("amis.rego", rego)
        .build()
        .unwrap();
    let bp = iac_dharma::parse(
        r#"{"name":"xyz","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[
            {"type":"aws_instance","name":"web","properties":{"ami":"ami-other","instance_type":"t3.micro"}}]}"#,
    )
    .unwrap();
    let report = validate(&bp, &set, &ValidateOptions::default()).unwrap();
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert!(report.findings[0].message.contains("unapproved AMI"));
}

#[test]
fn a_policy_named_without_rego_still_gets_line_and_column() {
    let bad =
        "package p\nimport rego.v1\n\ndeny contains msg if {\n  msg := \"x\"\n  x := [1, 2\n}\n";
    for name in ["syn", "syn.rego", "team/policy"] {
        let err = PolicySet::builder()
            .without_builtin()
            .add_policy(name, bad)
            .build()
            .unwrap_err();
        let f = &err.findings()[0];
        assert_eq!(f.code, Code::PolicySyntax, "{name}: {err}");
        let at = f
            .location
            .unwrap_or_else(|| panic!("{name}: no location in {err}"));
        assert_eq!(at.line, 7, "{name}: {err}");
        assert!(f.path.starts_with(name), "{name}: {}", f.path);
    }
}
