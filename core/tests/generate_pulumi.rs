//! Pulumi output: every example generates in both Pulumi formats, user strings round-trip through
//! Pulumi YAML (property), and the Pulumi YAML programs
//! hold to the structure Pulumi YAML reads (the `pulumi` CLI, which would load them, is no
//! package of the registries CI reaches; pulumi-ts is type-checked and run under Pulumi's mocks,
//! against these same YAML programs, by scripts/test.d/20-generate-tools.sh).
#![cfg(feature = "generate-pulumi")] // the format is left out of builds without it
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::collections::{BTreeMap, BTreeSet};

use iac_dharma::{generate, GenerateOptions, OutputFormat, Provider};
use serde_json::{json, Value};

use common::{example_blueprints, gen, repo_root};

/// The Pulumi package of a provider (`@pulumi/<package>`, config keys `<package>:...`).
fn package(provider: Provider) -> &'static str {
    match provider {
        Provider::Aws => "aws",
        Provider::Azure => "azure",
        Provider::Gcp => "gcp",
    }
}

/// Terraform type -> Pulumi token, from the `@type token` lines of the provider's map.
fn tokens(provider: Provider) -> BTreeMap<String, String> {
    let file = repo_root().join(format!("catalog/formats/pulumi-{}.map", package(provider)));
    let text = std::fs::read_to_string(&file).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix('@'))
        .filter_map(|l| {
            let mut parts = l.split(' ');
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect()
}

/// The roots of the `${...}` expressions of a Pulumi YAML string (`$$` is a literal `$`), or an
/// error for an unterminated one.
fn expression_roots(s: &str) -> Result<Vec<String>, String> {
    let mut roots = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            rest = a;
        } else if let Some(expr) = after.strip_prefix('{') {
            let end = expr
                .find('}')
                .ok_or_else(|| format!("unterminated ${{ in {s:?}"))?;
            let body = &expr[..end];
            let root_end = body.find(['.', '[']).unwrap_or(body.len());
            roots.push(body[..root_end].to_string());
            rest = &expr[end + 1..];
        } else {
            rest = after;
        }
    }
    Ok(roots)
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out)
        }),
        _ => {}
    }
}

const TOP_LEVEL: &[&str] = &[
    "name",
    "runtime",
    "description",
    "config",
    "variables",
    "resources",
    "outputs",
];
// https://www.pulumi.com/docs/iac/languages-sdks/yaml/yaml-language-reference/ (resource options)
const OPTIONS: &[&str] = &[
    "additionalSecretOutputs",
    "aliases",
    "customTimeouts",
    "deleteBeforeReplace",
    "dependsOn",
    "ignoreChanges",
    "import",
    "parent",
    "protect",
    "provider",
    "providers",
    "replaceOnChanges",
    "retainOnDelete",
    "version",
];
const CONFIG_TYPES: &[&str] = &["string", "integer", "boolean", "array"];

/// The problems of one Pulumi YAML program generated from a blueprint of `provider`.
fn yaml_problems(text: &str, provider: Provider, tokens: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let doc: Value = match yaml_serde::from_str(text) {
        Ok(d) => d,
        Err(e) => return vec![format!("not YAML: {e}")],
    };
    let Some(top) = doc.as_object() else {
        return vec!["not a mapping".into()];
    };
    for k in top.keys() {
        if !TOP_LEVEL.contains(&k.as_str()) {
            problems.push(format!("unknown top-level key {k}"));
        }
    }
    if doc["runtime"] != "yaml" {
        problems.push(format!("runtime is {}", doc["runtime"]));
    }
    if doc["name"].as_str().is_none_or(str::is_empty) {
        problems.push("no project name".into());
    }
    let known_tokens: BTreeSet<&str> = tokens.values().map(String::as_str).collect();
    let empty = serde_json::Map::new();
    let config = doc["config"].as_object().unwrap_or(&empty);
    let resources = doc["resources"].as_object().unwrap_or(&empty);
    let variables = doc["variables"].as_object().unwrap_or(&empty);
    for (k, c) in config {
        if let Some((package, _)) = k.split_once(':') {
            // Provider configuration: a plain value for the provider's package.
            if package != self::package(provider) {
                problems.push(format!("config {k} is not for the {provider:?} package"));
            }
            continue;
        }
        let ty = c["type"].as_str().unwrap_or("");
        if !CONFIG_TYPES.contains(&ty) {
            problems.push(format!("config {k} has type {:?}", c["type"]));
        }
        if ty == "array" && !CONFIG_TYPES.contains(&c["items"]["type"].as_str().unwrap_or("")) {
            problems.push(format!("config {k} is an array of {:?}", c["items"]));
        }
        if let Some(d) = c.get("default") {
            let ok = match ty {
                "string" => d.is_string(),
                "integer" => d.is_i64() || d.is_u64(),
                "boolean" => d.is_boolean(),
                _ => d.is_array(),
            };
            if !ok {
                problems.push(format!("config {k}: default {d} is not a {ty}"));
            }
        }
    }
    // A resource, variable and config key share one namespace.
    for k in resources.keys() {
        if config.contains_key(k) || variables.contains_key(k) {
            problems.push(format!("{k} names a resource and a config key or variable"));
        }
    }
    let defined = |root: &str| {
        resources.contains_key(root)
            || variables.contains_key(root)
            || config.contains_key(root)
            || root == "pulumi"
    };
    for (name, r) in resources {
        let Some(r) = r.as_object() else {
            problems.push(format!("resource {name} is not a mapping"));
            continue;
        };
        for k in r.keys() {
            if !["type", "properties", "options"].contains(&k.as_str()) {
                problems.push(format!("resource {name}: unknown key {k}"));
            }
        }
        let ty = r.get("type").and_then(Value::as_str).unwrap_or("");
        if !known_tokens.contains(ty) {
            problems.push(format!(
                "resource {name}: {ty:?} is no token of the package"
            ));
        }
        if let Some(p) = r.get("properties") {
            if !p.is_object() {
                problems.push(format!("resource {name}: properties is not a mapping"));
            }
        }
        let Some(options) = r.get("options") else {
            continue;
        };
        for (k, v) in options.as_object().unwrap_or(&empty) {
            if !OPTIONS.contains(&k.as_str()) {
                problems.push(format!("resource {name}: unknown option {k}"));
            }
            if k == "dependsOn" {
                for d in v.as_array().map(Vec::as_slice).unwrap_or(&[]) {
                    let target = d
                        .as_str()
                        .and_then(|s| s.strip_prefix("${"))
                        .and_then(|s| s.strip_suffix('}'));
                    if !target.is_some_and(|t| resources.contains_key(t)) {
                        problems.push(format!("resource {name}: dependsOn {d} is no resource"));
                    }
                }
            }
            if k == "protect" && !v.is_boolean() {
                problems.push(format!("resource {name}: protect {v}"));
            }
        }
    }
    let mut all = Vec::new();
    for section in ["resources", "variables", "outputs"] {
        strings(&doc[section], &mut all);
    }
    for s in all {
        match expression_roots(s) {
            Ok(roots) => {
                for root in roots {
                    if !defined(&root) {
                        problems.push(format!("${{{root}...}} in {s:?} names nothing"));
                    }
                }
            }
            Err(e) => problems.push(e),
        }
    }
    problems
}

#[test]
fn every_example_generates_both_pulumi_formats_and_well_formed_yaml() {
    let mut n = 0;
    let mut maps = BTreeMap::new();
    for (path, bp) in example_blueprints() {
        let tokens = maps
            .entry(package(bp.provider()))
            .or_insert_with(|| tokens(bp.provider()));
        // Pulumi project config has no map/object type: a fixture (never an example) with such a
        // variable is refused in pulumi-yaml at that variable's type, and nothing else.
        if !path.starts_with("examples/") {
            if let Err(e) = generate(&bp, OutputFormat::PulumiYaml, &GenerateOptions::default()) {
                for f in e.findings() {
                    assert_eq!(f.code.as_str(), "unmapped_property", "{path}: {f}");
                    assert!(
                        f.path.starts_with("variables[") && f.path.ends_with("].type"),
                        "{path}: {f}"
                    );
                }
                gen(&bp, OutputFormat::PulumiTs);
                continue;
            }
        }
        let yaml = gen(&bp, OutputFormat::PulumiYaml);
        assert_eq!(
            yaml.files.keys().collect::<Vec<_>>(),
            ["Pulumi.yaml"],
            "{path}"
        );
        let text = yaml.get("Pulumi.yaml").unwrap();
        let problems = yaml_problems(text, bp.provider(), tokens);
        assert!(problems.is_empty(), "{path}:\n{}", problems.join("\n"));
        // The program has one resource per instance of each blueprint resource.
        let doc: Value = yaml_serde::from_str(text).unwrap();
        let instances: usize = bp
            .blueprint()
            .resources
            .iter()
            .map(|r| r.count.unwrap_or(1) as usize)
            .sum();
        assert_eq!(
            doc["resources"].as_object().unwrap().len(),
            instances,
            "{path}"
        );

        let ts = gen(&bp, OutputFormat::PulumiTs);
        for f in ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"] {
            assert!(ts.get(f).is_some(), "{path}: no {f}");
        }
        let project: Value = yaml_serde::from_str(ts.get("Pulumi.yaml").unwrap()).unwrap();
        assert_eq!(project["runtime"]["name"], "nodejs", "{path}");
        let package: Value = serde_json::from_str(ts.get("package.json").unwrap()).unwrap();
        assert!(
            package["dependencies"]["@pulumi/pulumi"].is_string(),
            "{path}"
        );
        // Same bytes for the same input.
        assert_eq!(
            gen(&bp, OutputFormat::PulumiYaml).files,
            yaml.files,
            "{path}"
        );
        assert_eq!(gen(&bp, OutputFormat::PulumiTs).files, ts.files, "{path}");
        n += 1;
    }
    assert!(n >= 8, "only {n} blueprints");
}

#[test]
fn tag_values_are_strings_as_terraform_converts_them() {
    let text = r#"{"name": "tags", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
        "tags": {"CostCenter": "4711"},
        "resources": [{"type": "aws_s3_bucket", "name": "data",
                       "properties": {"bucket": "b-4711", "tags": {"Retention": 30, "Legal": false}}}]}"#;
    let bp = iac_dharma::parse(text).unwrap();
    let ts = gen(&bp, OutputFormat::PulumiTs);
    let index = ts.get("index.ts").unwrap();
    assert!(index.contains("\"Retention\": \"30\","), "{index}");
    assert!(index.contains("\"Legal\": \"false\","), "{index}");
    let yaml = gen(&bp, OutputFormat::PulumiYaml);
    let program = yaml.get("Pulumi.yaml").unwrap();
    assert!(program.contains("Retention: \"30\""), "{program}");
}

#[test]
fn the_structural_check_finds_what_pulumi_would_refuse() {
    let tokens = tokens(Provider::Aws);
    let good = "name: x\nruntime: yaml\nconfig:\n  n:\n    type: integer\n    default: 2\nresources:\n  vpc:\n    type: aws:ec2/vpc:Vpc\n    properties:\n      cidrBlock: 10.0.0.0/16\n  sub:\n    type: aws:ec2/subnet:Subnet\n    properties:\n      vpcId: ${vpc.id}\n      tags:\n        note: $${literal} ${n}\n    options:\n      dependsOn: [\"${vpc}\"]\n";
    assert!(yaml_problems(good, Provider::Aws, &tokens).is_empty());
    for (bad, why) in [
        (good.replace("yaml\n", "nodejs\n"), "runtime"),
        (good.replace("aws:ec2/vpc:Vpc", "aws:ec2/vpcs:Vpc"), "token"),
        (good.replace("${vpc.id}", "${vpx.id}"), "reference"),
        (good.replace("[\"${vpc}\"]", "[\"${vpx}\"]"), "dependsOn"),
        (good.replace("dependsOn", "dependOn"), "option"),
        (good.replace("type: integer", "type: number"), "config type"),
        (good.replace("default: 2", "default: two"), "config default"),
        (good.replace("${n}", "${n"), "unterminated"),
        (good.replace("resources:", "resource:"), "top-level key"),
    ] {
        assert!(
            !yaml_problems(&bad, Provider::Aws, &tokens).is_empty(),
            "{why} not found"
        );
    }
}

/// A string as Pulumi YAML reads it when it holds no expression: `$$` is `$`.
fn pulumi_literal(v: &Value) -> Result<String, String> {
    let s = v.as_str().ok_or_else(|| format!("not a string: {v}"))?;
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('$', Some('$')) => {
                chars.next();
                out.push('$');
            }
            ('$', Some('{')) => return Err(format!("an expression in {s:?}")),
            _ => out.push(c),
        }
    }
    Ok(out)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    #[test]
    fn pulumi_yaml_strings_round_trip(value in "[a-z0-9 ${}%\"\\\\\n\t\u{8}\u{c}\u{0}é😀<>!:\\[\\]'#&*|-]{0,30}", desc in proptest::prelude::any::<String>()) {
        let escaped = value.replace("${", "$${");
        let doc = serde_json::json!({"name": "prop", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
            "variables": [{"name": "v", "default": value, "description": desc}],
            "outputs": [{"name": "o", "value": escaped}],
            "resources": [{"type": "aws_sqs_queue", "name": "q", "properties": {
                "name": escaped, "tags": {"k": escaped}}}]});
        let bp = iac_dharma::parse(&doc.to_string()).unwrap();
        let files = gen(&bp, OutputFormat::PulumiYaml);
        let y: Value = yaml_serde::from_str(files.get("Pulumi.yaml").unwrap()).unwrap();
        let q = &y["resources"]["q"]["properties"];
        proptest::prop_assert_eq!(pulumi_literal(&q["name"]), Ok(value.clone()));
        proptest::prop_assert_eq!(pulumi_literal(&q["tags"]["k"]), Ok(value.clone()));
        proptest::prop_assert_eq!(pulumi_literal(&y["outputs"]["o"]), Ok(value.clone()));
        // Project config is not interpolated: its default and description are the text itself.
        proptest::prop_assert_eq!(y["config"]["v"]["default"].as_str(), Some(value.as_str()));
        proptest::prop_assert_eq!(y["config"]["v"]["description"].as_str(), Some(desc.as_str()));
    }
}

fn pulumi_yaml_of(bp: &Value) -> Value {
    let bp = iac_dharma::Blueprint::from_value(bp.clone())
        .and_then(iac_dharma::Blueprint::into_checked)
        .unwrap();
    yaml_serde::from_str(
        gen(&bp, OutputFormat::PulumiYaml)
            .get("Pulumi.yaml")
            .unwrap(),
    )
    .unwrap()
}

/// `ignore_changes` paths take the Pulumi names and shapes the properties themselves take: a
/// repeatable block is a plural list, a single block one object (its `[0]` dropped).
#[test]
fn ignore_changes_paths_use_the_property_names_and_shapes() {
    let doc = pulumi_yaml_of(
        &json!({"name": "ign", "version": "1.0.0", "provider": "gcp",
        "region": "europe-west1", "resources": [{"type": "google_compute_instance", "name": "vm",
        "lifecycle": {"ignore_changes": ["network_interface[0].access_config",
            "boot_disk[0].initialize_params[0].image", "labels[\"team\"]",
            "labels[\"a.b\"]", "machine_type"]},
        "properties": {"name": "vm", "machine_type": "e2-small", "zone": "europe-west1-b",
            "boot_disk": {"initialize_params": {"image": "debian-cloud/debian-12"}},
            "network_interface": [{"network": "default"}]}}]}),
    );
    let vm = &doc["resources"]["vm"];
    assert!(vm["properties"]["networkInterfaces"].is_array(), "{vm}");
    assert!(
        vm["properties"]["bootDisk"]["initializeParams"]["image"].is_string(),
        "{vm}"
    );
    assert_eq!(
        vm["options"]["ignoreChanges"],
        json!([
            "networkInterfaces[0].accessConfigs",
            "bootDisk.initializeParams.image",
            "labels.team",
            "labels[\"a.b\"]",
            "machineType"
        ])
    );
}

/// Terraform's `ignore_changes = all` has no Pulumi keyword: every input the program sets is
/// ignored.
#[test]
fn ignore_changes_all_ignores_every_property_the_program_sets() {
    let doc = pulumi_yaml_of(
        &json!({"name": "ign", "version": "1.0.0", "provider": "aws",
        "region": "us-east-1", "resources": [{"type": "aws_vpc", "name": "v",
        "lifecycle": {"ignore_changes": ["all"]},
        "properties": {"cidr_block": "10.0.0.0/16", "enable_dns_support": true,
            "tags": {"Owner": "a"}}}]}),
    );
    let v = &doc["resources"]["v"];
    let mut set: Vec<&str> = v["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    set.sort_unstable();
    let mut ignored: Vec<&str> = v["options"]["ignoreChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    ignored.sort_unstable();
    assert_eq!(ignored, set);
    assert_eq!(ignored, ["cidrBlock", "enableDnsSupport", "tags"]);
}
