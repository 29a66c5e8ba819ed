//! The `dharma` command line: outputs, located errors, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{dharma_in_root as dharma, dharma_stdin, text};

const EXAMPLE: &str = "examples/blueprints/aws-three-tier-web.yaml";

#[test]
fn check_ok_exits_0() {
    let out = dharma(&["check", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(": ok ("),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_reports_every_problem_with_path_and_exits_2() {
    let bp = r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-l",
      "resources":[{"type":"aws_vpc","name":"main","properties":{"cidr_block":"10.0.0.0/16"}},
                   {"type":"aws_subnet","name":"a","properties":{"vpc_id":"${mian.id}","cidr_block":"10.0.1.0/24"}}]}"#;
    let out = dharma_stdin(&["check", "-"], bp);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("error[unknown_region]: -: region:"), "{err}");
    assert!(err.contains("did you mean `us-east-1`?"), "{err}");
    assert!(
        err.contains("error[unknown_reference]: -: resources[1].properties.vpc_id:"),
        "{err}"
    );
    assert!(err.contains("did you mean `${main.id}`?"), "{err}");
    assert!(err.contains("2 problems"), "{err}");
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
}

#[test]
fn syntax_error_shows_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "name: demo\nversion: 1.0.0\nprovider: aws\nregion: [us-east-1\n",
    )
    .unwrap();
    let out = dharma(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("error[yaml_syntax]: ") && err.contains("bad.yaml:"),
        "{err}"
    );
    let located = err.lines().next().unwrap();
    assert!(
        located.contains("bad.yaml:4:") || located.contains("bad.yaml:5:"),
        "{err}"
    );
}

#[test]
fn missing_file_exits_2() {
    let out = dharma(&["graph", "no/such/file.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read no/such/file.yaml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn usage_error_exits_2() {
    let out = dharma(&["graph", EXAMPLE, "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn graph_formats() {
    let dot = dharma(&["graph", EXAMPLE]);
    assert_eq!(dot.status.code(), Some(0));
    let dot = text(&dot.stdout);
    assert!(
        dot.starts_with("digraph \"three-tier-web\"") || dot.starts_with("digraph "),
        "{dot}"
    );
    assert!(
        dot.contains("\"aws_subnet.") && dot.contains(" -> \"aws_vpc."),
        "{dot}"
    );

    let mermaid = text(&dharma(&["graph", EXAMPLE, "--format", "mermaid"]).stdout);
    assert!(mermaid.starts_with("flowchart RL\n"), "{mermaid}");
    assert!(mermaid.contains(" --> r_"), "{mermaid}");

    let json: serde_json::Value =
        serde_json::from_slice(&dharma(&["graph", EXAMPLE, "-f", "json"]).stdout).unwrap();
    let resources = json["resources"].as_array().unwrap();
    assert!(resources.len() >= 15);
    let waves = json["waves"].as_array().unwrap();
    let in_waves: usize = waves.iter().map(|w| w.as_array().unwrap().len()).sum();
    assert_eq!(in_waves, resources.len(), "waves partition the resources");
}

#[test]
fn schema_is_json() {
    let out = dharma(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "IAC Dharma blueprint");
}

#[test]
fn every_example_checks() {
    for entry in std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/blueprints"
    ))
    .unwrap()
    {
        let path = entry.unwrap().path();
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "json")
        ) {
            continue;
        }
        let out = dharma(&["check", path.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            text(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}: warnings: {}",
            path.display(),
            text(&out.stderr)
        );
    }
}

#[test]
fn standard_input_is_read_once() {
    let bp = r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1",
      "resources":[{"type":"aws_vpc","name":"main","properties":{"cidr_block":"10.0.0.0/16"}}]}"#;
    let out = dharma_stdin(&["plan", "-", "-"], bp);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("standard input (`-`) can be read only once"),
        "{err}"
    );
    // validate reads its settings through the same guard.
    let out = dharma_stdin(&["validate", "-", "--settings", "-"], bp);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("standard input (`-`) can be read only once"),
        "{err}"
    );
}

#[test]
fn terminal_escapes_in_user_text_are_shown_escaped() {
    let bp = "{\"name\":\"demo\",\"version\":\"1.0.0\",\"provider\":\"aws\",\"region\":\"us-east-1\\u001b[2J\",\"resources\":[]}";
    let out = dharma_stdin(&["check", "-"], bp);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`us-east-1\\u{1b}[2J` is not a known aws region"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err}");
}
