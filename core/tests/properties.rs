//! Property tests of the foundation's invariants.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;

use iac_dharma::{Blueprint, Lifecycle, Resource, Value, Variable};
use proptest::prelude::*;
use serde_json::json;

/// A blueprint of `n` security groups where resource i references or depends on a subset of the
/// resources before it (so the graph is a DAG), given as (reference targets, explicit targets).
fn dag_blueprint(links: &[(Vec<usize>, Vec<usize>)]) -> Blueprint {
    let resources = links
        .iter()
        .enumerate()
        .map(|(i, (refs, deps))| {
            let mut props = serde_json::Map::new();
            props.insert("name".into(), json!(format!("sg-{i}")));
            if !refs.is_empty() {
                let text: Vec<String> = refs.iter().map(|r| format!("${{r{r}.id}}")).collect();
                props.insert("description".into(), json!(text.join(",")));
            }
            Resource {
                resource_type: "aws_security_group".into(),
                name: format!("r{i}"),
                count: None,
                properties: props,
                dependencies: deps.iter().map(|d| format!("r{d}")).collect(),
                usage: Default::default(),
                lifecycle: Lifecycle::default(),
                description: None,
                waivers: Vec::new(),
            }
        })
        .collect();
    Blueprint {
        name: "prop-test".into(),
        version: "1.0.0".into(),
        provider: "aws".into(),
        region: "us-east-1".into(),
        description: None,
        tags: Default::default(),
        metadata: Default::default(),
        variables: vec![],
        outputs: vec![],
        resources,
    }
}

fn links(max: usize) -> impl Strategy<Value = Vec<(Vec<usize>, Vec<usize>)>> {
    (1..max).prop_flat_map(|n| {
        (0..n)
            .map(|i| {
                let earlier = if i == 0 { 0..1 } else { 0..i };
                (
                    proptest::collection::vec(earlier.clone(), 0..3.min(i + 1)),
                    proptest::collection::vec(earlier, 0..2.min(i + 1)),
                )
                    .prop_map(move |(r, d)| if i == 0 { (vec![], vec![]) } else { (r, d) })
                    .boxed()
            })
            .collect::<Vec<_>>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every dependency comes before its dependent in the order and in an earlier wave; the
    /// waves partition the resources.
    #[test]
    fn order_and_waves_respect_every_edge(links in links(40)) {
        let bp = dag_blueprint(&links).into_checked().unwrap();
        let g = bp.graph();
        let n = bp.resources().len();
        let mut position = vec![usize::MAX; n];
        for (pos, &i) in g.order().iter().enumerate() {
            position[i] = pos;
        }
        let mut seen = BTreeSet::new();
        for wave in g.waves() {
            prop_assert!(!wave.is_empty());
            for &i in wave {
                prop_assert!(seen.insert(i), "resource {} in two waves", i);
            }
        }
        prop_assert_eq!(seen.len(), n);
        prop_assert_eq!(g.order().len(), n);
        for (i, (refs, deps)) in links.iter().enumerate() {
            for &d in refs.iter().chain(deps) {
                prop_assert!(position[d] < position[i], "{} must come before {}", d, i);
                prop_assert!(g.wave_of(d) < g.wave_of(i));
            }
        }
        for e in g.edges() {
            prop_assert!(g.wave_of(e.dependency) < g.wave_of(e.dependent));
        }
    }

    /// Adding one back edge to a DAG makes a cycle, reported with its path.
    #[test]
    fn back_edge_is_a_cycle(links in links(20)) {
        let n = links.len();
        prop_assume!(n >= 2);
        let mut bp = dag_blueprint(&links);
        // r0 now depends on the last resource, which transitively may not depend on r0; force it.
        bp.resources[n - 1].dependencies.push("r0".into());
        bp.resources[0].dependencies.push(format!("r{}", n - 1));
        let err = bp.into_checked().unwrap_err();
        let cycle = err.findings().iter().find(|f| f.code.as_str() == "dependency_cycle").unwrap();
        prop_assert!(cycle.message.contains("r0 -> "), "{}", cycle.message);
    }
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _./:-]{0,20}",
        any::<String>(),
        Just("$${literal} 100%{x} \"quoted\" \\ back\nslash\ttab EOT <<EOF".to_string()),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        arb_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_blueprint() -> impl Strategy<Value = Blueprint> {
    (
        arb_text(),
        proptest::collection::btree_map("[A-Za-z]{1,8}", arb_text(), 0..3),
        proptest::collection::vec(
            (
                "[a-z_]{1,10}",
                proptest::option::of(0u32..5),
                proptest::collection::btree_map("[a-z_]{1,8}", arb_value(), 0..4),
                any::<bool>(),
            ),
            0..5,
        ),
        // `default: null` means "no default" in the format, so a null default is written as none.
        proptest::option::of(
            arb_value().prop_filter("null default is no default", |v| !v.is_null()),
        ),
    )
        .prop_map(|(desc, tags, resources, default)| Blueprint {
            name: "round-trip".into(),
            version: "1.0.0".into(),
            provider: "aws".into(),
            region: "us-east-1".into(),
            description: Some(desc),
            tags: tags.into_iter().collect(),
            metadata: Default::default(),
            variables: vec![Variable {
                name: "v".into(),
                var_type: Some("any".into()),
                default,
                description: None,
                sensitive: false,
            }],
            outputs: vec![],
            resources: resources
                .into_iter()
                .map(|(name, count, props, cbd)| Resource {
                    resource_type: "aws_vpc".into(),
                    name,
                    count,
                    properties: props.into_iter().collect(),
                    dependencies: vec![],
                    usage: Default::default(),
                    lifecycle: Lifecycle {
                        create_before_destroy: cbd,
                        ..Default::default()
                    },
                    description: None,
                    waivers: Vec::new(),
                })
                .collect(),
        })
}

/// Floats survive a JSON round trip only up to their shortest representation; compare through
/// serde_json's own canonical text.
fn canonical(bp: &Blueprint) -> String {
    serde_json::to_string(&bp.to_value()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// parse(serialize(bp)) == bp, through JSON and through YAML.
    #[test]
    fn serialize_then_parse_is_identity(bp in arb_blueprint()) {
        let from_json = Blueprint::from_json(&bp.to_json()).unwrap();
        prop_assert_eq!(canonical(&from_json), canonical(&bp));
        let yaml = bp.to_yaml().unwrap();
        let from_yaml = Blueprint::from_yaml(&yaml).unwrap();
        prop_assert_eq!(canonical(&from_yaml), canonical(&bp), "yaml was:\n{}", yaml);
    }

    /// No input text makes parsing or checking panic: every outcome is a value or an Error.
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = iac_dharma::parse(&text);
        let _ = Blueprint::from_json(&text);
        let _ = Blueprint::from_yaml(&text);
    }

    /// Nor does text that is almost a blueprint: random edits of a valid one.
    #[test]
    fn mutated_blueprints_never_panic(cut in 0usize..400, insert in "[\\[\\]{}:,\"'$ a-z0-9\n-]{0,6}") {
        let base = "name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n  - type: vpc\n    name: main\n    properties: {cidr_block: 10.0.0.0/16}\n  - type: aws_subnet\n    name: a\n    properties: {vpc_id: \"${main.id}\", cidr_block: 10.0.1.0/24}\n";
        let cut = cut.min(base.len());
        let cut = (0..=cut).rev().find(|c| base.is_char_boundary(*c)).unwrap_or(0);
        let text = format!("{}{}{}", &base[..cut], insert, &base[cut..]);
        let _ = iac_dharma::parse(&text);
        let json = serde_json::to_string(&Blueprint::from_yaml(base).unwrap().to_value()).unwrap();
        let cut = cut.min(json.len());
        let _ = iac_dharma::parse(&format!("{}{}{}", &json[..cut], insert, &json[cut..]));
    }
}
