#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The injection corpus of `tests/vectors/injection/` (issue 11): every case's blueprint holds
//! each hostile string in every place a user string reaches generated code. Each generated
//! JSON, YAML and HCL file is parsed back with a real parser (`serde_json`, `yaml_serde`,
//! `hcl-rs`) and read the way the target tool reads it:
//!
//! - **inert**: no `pwned_*` canary may sit anywhere the tool evaluates — an HCL expression,
//!   interpolation or directive, a block label or attribute name; a Terraform JSON template
//!   interpolation; a CloudFormation intrinsic function (`Ref`, `Fn::*`, a `!Tag`, a `${...}` of
//!   `Fn::Sub`); an ARM `[...]` expression; a Pulumi YAML `${...}` or `fn::` call;
//! - **intact**: decoded the way the tool decodes literal text, each hostile string comes back
//!   exactly, as often as the benign control string placed beside it in the same places (so a
//!   hostile string that was mangled, split or dropped in one place is caught).
//!
//! The TypeScript formats are checked with the TypeScript compiler's parser in
//! `scripts/test.d/21-injection.sh`.
// The corpus has a case for every format: it runs in builds that have them all (the default).
#![cfg(all(
    feature = "generate-cloudformation",
    feature = "generate-arm",
    feature = "generate-pulumi",
    feature = "generate-cdk"
))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::template::Element;
use hcl::{Body, Expression, ObjectKey, Structure, Template, TemplateExpr};
use iac_dharma::{generate, Blueprint, CheckedBlueprint, GenerateOptions, OutputFormat, Value};

const CANARY: &str = "pwned";
const CONTROL: &str = "benign control text";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every case of the corpus: (case file name, format, checked blueprint).
fn cases() -> Vec<(String, OutputFormat, CheckedBlueprint)> {
    let dir = root().join("tests/vectors/injection");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let case: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let format: OutputFormat =
                serde_json::from_value(case["args"]["format"].clone()).unwrap();
            let file = root().join(case["blueprint_file"].as_str().unwrap());
            let text = std::fs::read_to_string(&file).unwrap();
            let bp = Blueprint::from_text(&text).unwrap().into_checked().unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, format, bp)
        })
        .collect()
}

/// The literal strings the corpus expects back: the defaults of the variables `h0`..`hN`.
fn hostile(bp: &CheckedBlueprint) -> Vec<String> {
    let list: Vec<String> = bp
        .blueprint()
        .variables
        .iter()
        .filter(|v| v.name.starts_with('h'))
        .filter_map(|v| {
            v.default
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    assert!(list.len() > 20, "the corpus lost its strings: {list:?}");
    assert!(list.iter().any(|s| s == CONTROL), "no control string");
    list
}

/// What a parse-back found: literal text (decoded) and problems (canaries in evaluated places).
#[derive(Default)]
struct Found {
    literals: Vec<String>,
    problems: Vec<String>,
}

impl Found {
    fn live(&mut self, place: &str, text: &str) {
        if text.contains(CANARY) {
            self.problems.push(format!("{place}: evaluated: {text:?}"));
        }
    }
}

// ---- HCL -------------------------------------------------------------------------------------

fn hcl_body(body: &Body, place: &str, f: &mut Found) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                f.live(place, a.key.as_str());
                hcl_expr(&a.expr, &format!("{place}.{}", a.key.as_str()), f);
            }
            Structure::Block(b) => {
                f.live(place, b.identifier.as_str());
                let mut p = format!("{place}.{}", b.identifier.as_str());
                for l in &b.labels {
                    f.live(&p, l.as_str());
                    p = format!("{p}.{}", l.as_str());
                }
                hcl_body(&b.body, &p, f);
            }
        }
    }
}

fn hcl_template(t: &Template, place: &str, f: &mut Found) -> Option<String> {
    let mut literal = Some(String::new());
    for e in t.elements() {
        match e {
            Element::Literal(s) => {
                if let Some(l) = literal.as_mut() {
                    l.push_str(s);
                }
            }
            Element::Interpolation(i) => {
                literal = None;
                hcl_expr(&i.expr, place, f);
                f.live(place, &i.expr.to_string());
            }
            Element::Directive(d) => {
                literal = None;
                f.live(place, &format!("{d:?}"));
            }
        }
    }
    literal
}

fn hcl_expr(e: &Expression, place: &str, f: &mut Found) {
    match e {
        Expression::Null | Expression::Bool(_) | Expression::Number(_) => {}
        Expression::String(s) => f.literals.push(s.clone()),
        Expression::Array(a) => a.iter().for_each(|x| hcl_expr(x, place, f)),
        Expression::Object(o) => {
            for (k, v) in o {
                match k {
                    ObjectKey::Identifier(i) => f.live(place, i.as_str()),
                    ObjectKey::Expression(k) => hcl_expr(k, place, f),
                    other => f.live(place, &format!("{other:?}")),
                }
                hcl_expr(v, place, f);
            }
        }
        Expression::TemplateExpr(t) => {
            let template = Template::from_expr(t)
                .unwrap_or_else(|err| panic!("{place}: not a template: {err}: {t:?}"));
            if let Some(l) = hcl_template(&template, place, f) {
                f.literals.push(l);
            }
            if let TemplateExpr::Heredoc(_) = **t {
                // Heredocs are fine as long as their body is literal; counted above.
            }
        }
        other => f.live(place, &other.to_string()),
    }
}

fn parse_hcl(path: &str, text: &str, f: &mut Found) {
    let body: Body = hcl::parse(text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
    hcl_body(&body, path, f);
}

// ---- Terraform JSON --------------------------------------------------------------------------

/// A Terraform JSON string is a template: read it with hcl-rs's template parser.
fn tf_json_template(s: &str, place: &str, f: &mut Found) {
    let t: Template = s
        .parse()
        .unwrap_or_else(|e| panic!("{place}: not a template: {e}: {s:?}"));
    if let Some(l) = hcl_template(&t, place, f) {
        f.literals.push(l);
    }
}

fn tf_json(v: &serde_json::Value, place: &str, literal: bool, f: &mut Found) {
    use serde_json::Value as J;
    match v {
        J::String(s) if literal => f.literals.push(s.clone()),
        J::String(s) => tf_json_template(s, place, f),
        J::Array(a) => a.iter().for_each(|x| tf_json(x, place, literal, f)),
        J::Object(o) => {
            for (k, x) in o {
                let p = format!("{place}.{k}");
                // Variable blocks, output and variable descriptions and `//` comments are plain
                // strings to Terraform, never templates.
                let literal = literal
                    || k == "//"
                    || place == "$.variable"
                    || (k == "description" && place.starts_with("$.output."));
                if literal {
                    f.literals.push(k.clone());
                } else {
                    tf_json_template(k, &p, f);
                }
                tf_json(x, &p, literal, f);
            }
        }
        _ => {}
    }
}

// ---- CloudFormation --------------------------------------------------------------------------

/// The `${...}` references of an `Fn::Sub` string (`${!...}` is literal text).
fn sub_references(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        let after = &rest[at + 2..];
        let end = after.find('}').unwrap_or(after.len());
        if !after.starts_with('!') {
            out.push(&after[..end]);
        }
        rest = &after[end.min(after.len())..];
    }
    out
}

fn cfn_json(v: &serde_json::Value, place: &str, f: &mut Found) {
    use serde_json::Value as J;
    match v {
        J::String(s) => f.literals.push(s.clone()),
        J::Array(a) => a.iter().for_each(|x| cfn_json(x, place, f)),
        J::Object(o) => {
            if o.len() == 1 {
                let (k, x) = o.iter().next().unwrap();
                if k == "Fn::Sub" {
                    let text = match x {
                        J::String(s) => s.as_str(),
                        J::Array(a) => a.first().and_then(J::as_str).unwrap_or(""),
                        _ => "",
                    };
                    for r in sub_references(text) {
                        f.live(place, r);
                    }
                    if let J::Array(a) = x {
                        a.iter().skip(1).for_each(|x| cfn_json(x, place, f));
                    }
                    return;
                }
                if k == "Ref" || k.starts_with("Fn::") || k == "Condition" {
                    f.live(&format!("{place}.{k}"), &x.to_string());
                    return;
                }
            }
            for (k, x) in o {
                if k.contains(CANARY) {
                    f.problems.push(format!("{place}: a key: {k:?}"));
                }
                cfn_json(x, &format!("{place}.{k}"), f);
            }
        }
        _ => {}
    }
}

/// CloudFormation YAML read with the project's YAML crate, tags kept (`!Ref`, `!Sub`, ...).
fn cfn_yaml(v: &yaml_serde::Value, place: &str, f: &mut Found) {
    use yaml_serde::Value as Y;
    match v {
        Y::String(s) => f.literals.push(s.clone()),
        Y::Sequence(a) => a.iter().for_each(|x| cfn_yaml(x, place, f)),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            if tag == "!Sub" {
                if let Some(s) = t.value.as_str() {
                    for r in sub_references(s) {
                        f.live(place, r);
                    }
                    return;
                }
            }
            f.live(
                &format!("{place}.{tag}"),
                &yaml_serde::to_string(&t.value).unwrap(),
            );
        }
        Y::Mapping(m) => {
            // The long form, as JSON.
            let as_json: serde_json::Value = yaml_serde::from_value(v.clone()).unwrap_or_default();
            if m.len() == 1 {
                if let Some(k) = m.keys().next().and_then(Y::as_str) {
                    if k == "Fn::Sub" || k == "Ref" || k.starts_with("Fn::") {
                        cfn_json(&as_json, place, f);
                        return;
                    }
                }
            }
            for (k, x) in m {
                let k = k.as_str().unwrap_or_else(|| panic!("{place}: key {k:?}"));
                if k.contains(CANARY) {
                    f.problems.push(format!("{place}: a key: {k:?}"));
                }
                cfn_yaml(x, &format!("{place}.{k}"), f);
            }
        }
        _ => {}
    }
}

// ---- ARM -------------------------------------------------------------------------------------

/// The code of an ARM expression without its string literals (`'it''s'`).
fn arm_code(expr: &str) -> String {
    let mut code = String::new();
    let mut in_string = false;
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (false, '\'') => in_string = true,
            (true, '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (true, '\'') => in_string = false,
            (false, c) => code.push(c),
            (true, _) => {}
        }
    }
    code
}

/// An ARM template string: `[...]` is an expression (its string literals are text), `[[...`
/// literal text starting with `[`.
fn arm_string(s: &str, place: &str, f: &mut Found) {
    if s.starts_with("[[") {
        f.literals.push(s[1..].to_string());
    } else if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        f.live(place, &arm_code(s));
    } else {
        f.literals.push(s.to_string());
    }
}

fn arm(v: &serde_json::Value, place: &str, literal: bool, f: &mut Found) {
    use serde_json::Value as J;
    match v {
        J::String(s) if literal => f.literals.push(s.clone()),
        J::String(s) => arm_string(s, place, f),
        J::Array(a) => a.iter().for_each(|x| arm(x, place, literal, f)),
        J::Object(o) => {
            for (k, x) in o {
                // Resource Manager ignores `metadata` objects and resource `comments`: their
                // text is shown as written, never evaluated.
                let literal = literal || k == "metadata" || k == "comments";
                if literal {
                    f.literals.push(k.clone());
                } else {
                    arm_string(k, place, f);
                }
                arm(x, &format!("{place}.{k}"), literal, f);
            }
        }
        _ => {}
    }
}

// ---- Pulumi YAML -----------------------------------------------------------------------------

/// A Pulumi YAML string: `${...}` is an expression, `$$` a literal `$`.
fn pulumi_string(s: &str, place: &str, f: &mut Found) {
    let mut out = String::new();
    let mut literal = true;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (c, chars.peek().map(|&(_, c)| c)) {
            ('$', Some('$')) => {
                chars.next();
                out.push('$');
            }
            ('$', Some('{')) => {
                literal = false;
                let rest = &s[i..];
                let end = rest.find('}').unwrap_or(rest.len() - 1);
                f.live(place, &rest[..=end]);
                while chars.peek().is_some_and(|&(j, _)| j <= i + end) {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    if literal {
        f.literals.push(out);
    }
}

fn pulumi_yaml(v: &yaml_serde::Value, place: &str, config: bool, f: &mut Found) {
    use yaml_serde::Value as Y;
    match v {
        Y::String(s) if config => f.literals.push(s.clone()),
        Y::String(s) => pulumi_string(s, place, f),
        Y::Sequence(a) => a.iter().for_each(|x| pulumi_yaml(x, place, config, f)),
        Y::Tagged(t) => f.live(place, &yaml_serde::to_string(&t.value).unwrap()),
        Y::Mapping(m) => {
            for (k, x) in m {
                let k = k.as_str().unwrap_or_else(|| panic!("{place}: key {k:?}"));
                let p = format!("{place}.{k}");
                if k.starts_with("fn::") {
                    f.live(&p, &yaml_serde::to_string(x).unwrap());
                    continue;
                }
                // Project config declarations and the project's own attributes (`name`,
                // `runtime`, `description`) are not expressions.
                let config = config || place == "$.config" || (place == "$" && x.is_string());
                if config {
                    f.literals.push(k.to_string());
                } else {
                    pulumi_string(k, &p, f);
                }
                pulumi_yaml(x, &p, config, f);
            }
        }
        _ => {}
    }
}

// ---- the checks ------------------------------------------------------------------------------

fn parse_back(format: OutputFormat, path: &str, text: &str, f: &mut Found) -> bool {
    let json = || -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"))
    };
    let yaml = || -> yaml_serde::Value {
        yaml_serde::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"))
    };
    match format {
        OutputFormat::Terraform if path.ends_with(".tf") => parse_hcl(path, text, f),
        OutputFormat::TerraformJson if path.ends_with(".tf.json") => {
            tf_json(&json(), "$", false, f)
        }
        OutputFormat::CloudFormation if path.ends_with(".json") => cfn_json(&json(), "$", f),
        OutputFormat::CloudFormationYaml if path.ends_with(".yaml") => cfn_yaml(&yaml(), "$", f),
        OutputFormat::Arm if path.ends_with(".json") => arm(&json(), "$", false, f),
        OutputFormat::PulumiYaml if path == "Pulumi.yaml" => pulumi_yaml(&yaml(), "$", false, f),
        _ => return false,
    }
    true
}

#[test]
fn hostile_strings_come_back_inert_and_intact_from_every_json_yaml_and_hcl_output() {
    let mut checked = BTreeMap::new();
    for (case, format, bp) in cases() {
        let strings = hostile(&bp);
        let files = generate(&bp, format, &GenerateOptions::default())
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let mut found = Found::default();
        let mut parsed = 0;
        for (path, text) in &files.files {
            if parse_back(format, path, text, &mut found) {
                parsed += 1;
            }
        }
        if parsed == 0 {
            // cdk-ts, pulumi-ts: scripts/test.d/21-injection.sh parses them with TypeScript.
            continue;
        }
        assert!(
            found.problems.is_empty(),
            "{case}: hostile text was evaluated:\n{}",
            found.problems.join("\n")
        );
        let count = |s: &str| found.literals.iter().filter(|l| *l == s).count();
        let places = count(CONTROL);
        assert!(
            places >= 3,
            "{case}: the control string comes back {places} times"
        );
        let wrong: Vec<String> = strings
            .iter()
            .filter(|s| count(s) != places)
            .map(|s| format!("{s:?}: {} times, not {places}", count(s)))
            .collect();
        assert!(wrong.is_empty(), "{case}:\n{}", wrong.join("\n"));
        checked.insert(case, (parsed, places));
    }
    // Every JSON/YAML/HCL format of every provider was checked.
    let formats: Vec<&str> = checked.keys().map(String::as_str).collect();
    assert_eq!(
        formats,
        [
            "aws-cloudformation-yaml.json",
            "aws-cloudformation.json",
            "aws-pulumi-yaml.json",
            "aws-terraform-json.json",
            "aws-terraform.json",
            "azure-arm.json",
            "azure-pulumi-yaml.json",
            "azure-terraform-json.json",
            "azure-terraform.json",
            "gcp-pulumi-yaml.json",
            "gcp-terraform-json.json",
            "gcp-terraform.json",
        ],
        "{checked:?}"
    );
}

/// The checks themselves catch what they are for: output with a live canary fails them.
#[test]
fn the_parse_back_checks_find_evaluated_canaries() {
    let bad: [(OutputFormat, &str, &str); 9] = [
        (OutputFormat::Terraform, "main.tf", "x = \"${pwned}\"\n"),
        (
            OutputFormat::Terraform,
            "main.tf",
            "x = \"%{ if pwned }a%{ endif }\"\n",
        ),
        (
            OutputFormat::Terraform,
            "main.tf",
            "resource \"a\" \"pwned\" {}\n",
        ),
        (
            OutputFormat::Terraform,
            "main.tf",
            "x = <<EOT\n${pwned}\nEOT\n",
        ),
        (
            OutputFormat::TerraformJson,
            "main.tf.json",
            r#"{"output": {"o": {"value": "${pwned}"}}}"#,
        ),
        (
            OutputFormat::CloudFormation,
            "template.json",
            r#"{"Outputs": {"O": {"Value": {"Fn::Sub": "x ${pwned}"}}}}"#,
        ),
        (
            OutputFormat::CloudFormationYaml,
            "template.yaml",
            "Outputs:\n  O:\n    Value: !Ref pwned\n",
        ),
        (
            OutputFormat::Arm,
            "azuredeploy.json",
            r#"{"outputs": {"o": {"value": "[pwned()]"}}}"#,
        ),
        (
            OutputFormat::PulumiYaml,
            "Pulumi.yaml",
            "outputs:\n  o: ${pwned.id}\n",
        ),
    ];
    for (format, path, text) in bad {
        let mut f = Found::default();
        assert!(parse_back(format, path, text, &mut f));
        assert!(
            !f.problems.is_empty(),
            "{format:?} missed the canary in {text}"
        );
    }
    // ... and literal text written the way each tool escapes it passes.
    let good: [(OutputFormat, &str, &str, &str); 6] = [
        (
            OutputFormat::Terraform,
            "main.tf",
            "x = \"$${pwned}\"\n",
            "${pwned}",
        ),
        (
            OutputFormat::TerraformJson,
            "main.tf.json",
            r#"{"output": {"o": {"value": "%%{pwned}"}}}"#,
            "%{pwned}",
        ),
        (
            OutputFormat::CloudFormation,
            "template.json",
            r#"{"Outputs": {"O": {"Value": {"Fn::Sub": "${!pwned}"}}}}"#,
            "o",
        ),
        (
            OutputFormat::CloudFormationYaml,
            "template.yaml",
            "Outputs:\n  O:\n    Value: \"!Ref pwned\"\n",
            "!Ref pwned",
        ),
        (
            OutputFormat::Arm,
            "azuredeploy.json",
            r#"{"outputs": {"o": {"value": "[[pwned()]"}}}"#,
            "[pwned()]",
        ),
        (
            OutputFormat::PulumiYaml,
            "Pulumi.yaml",
            "outputs:\n  o: $${pwned.id}\n",
            "${pwned.id}",
        ),
    ];
    for (format, path, text, literal) in good {
        let mut f = Found::default();
        assert!(parse_back(format, path, text, &mut f));
        assert!(f.problems.is_empty(), "{format:?}: {:?}", f.problems);
        if format != OutputFormat::CloudFormation {
            assert!(
                f.literals.iter().any(|l| l == literal),
                "{format:?}: {:?}",
                f.literals
            );
        }
    }
}
