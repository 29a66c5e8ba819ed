//! Property tests of plan_diff, apply_plan, rollback and the waves, over random pairs of related
//! blueprints (resources added, removed, changed in force-new and in-place attributes, retyped,
//! re-counted, reordered; references, explicit dependencies, create_before_destroy, sensitive
//! variables, default tags, outputs), plus unit tests of specific plans.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::{Blueprint, CheckedBlueprint};

const TYPES: [&str; 7] = [
    "aws_vpc",
    "aws_subnet",
    "aws_instance",
    "aws_s3_bucket",
    "aws_sqs_queue",
    "aws_cloudwatch_log_group",
    "aws_db_instance",
];

#[derive(Debug, Clone)]
struct SideSpec {
    present: bool,
    ty: usize,
    count: Option<u32>,
    variant: u8,
    cbd: bool,
    explicit_dep: bool,
}

#[derive(Debug, Clone)]
struct SlotSpec {
    a: SideSpec,
    b: SideSpec,
    target: usize,
}

#[derive(Debug, Clone)]
struct Spec {
    slots: Vec<SlotSpec>,
    reverse_b: bool,
    tags_a: u8,
    tags_b: u8,
    ami_a: u8,
    ami_b: u8,
    outputs_a: u8,
    outputs_b: u8,
}

fn side_spec() -> impl Strategy<Value = SideSpec> {
    (
        prop::bool::weighted(0.8),
        0..TYPES.len(),
        prop_oneof![3 => Just(None), 1 => (0u32..4).prop_map(Some)],
        0u8..3,
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(present, ty, count, variant, cbd, explicit_dep)| SideSpec {
                present,
                ty,
                count,
                variant,
                cbd,
                explicit_dep,
            },
        )
}

fn slot_spec() -> impl Strategy<Value = SlotSpec> {
    (
        side_spec(),
        side_spec(),
        any::<prop::sample::Index>(),
        0u8..10,
    )
        .prop_map(|(a, mut b, target, mutate)| {
            // b is mostly a variation of a.
            if mutate < 6 {
                b.ty = a.ty;
                b.present = a.present || b.present;
            }
            if mutate < 3 {
                b.count = a.count;
                b.cbd = a.cbd;
            }
            SlotSpec {
                a,
                b,
                target: target.index(1000),
            }
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(slot_spec(), 1..8),
        any::<bool>(),
        0u8..3,
        0u8..3,
        0u8..2,
        0u8..2,
        0u8..4,
        0u8..4,
    )
        .prop_map(
            |(slots, reverse_b, tags_a, tags_b, ami_a, ami_b, outputs_a, outputs_b)| Spec {
                slots,
                reverse_b,
                tags_a,
                tags_b,
                ami_a,
                ami_b,
                outputs_a,
                outputs_b,
            },
        )
}

/// A reference to slot `t` as it exists on this side (indexed when it has count), or None.
fn reference(spec: &Spec, side: bool, t: usize, attr: &str) -> Option<String> {
    let s = spec.slots.get(t)?;
    let s = if side { &s.b } else { &s.a };
    if !s.present {
        return None;
    }
    match s.count {
        None => Some(format!("${{r{t}.{attr}}}")),
        Some(0) => None,
        Some(_) => Some(format!("${{r{t}[0].{attr}}}")),
    }
}

fn properties(spec: &Spec, side: bool, i: usize, s: &SideSpec, target: usize) -> Value {
    let v = s.variant;
    let r = |attr: &str| reference(spec, side, target, attr);
    let mut p = match TYPES[s.ty] {
        "aws_vpc" => {
            json!({"cidr_block": format!("10.{v}.0.0/16"), "enable_dns_hostnames": v % 2 == 0})
        }
        "aws_subnet" => {
            json!({"cidr_block": format!("10.0.{v}.0/24"), "map_public_ip_on_launch": v == 1})
        }
        "aws_instance" => json!({
            "ami": if v == 2 { "ami-literal".to_string() } else { "${var.ami}".to_string() },
            "instance_type": if v == 1 { "t3.small" } else { "t3.micro" },
            "root_block_device": {"volume_size": 20 + u64::from(v % 2) * 10}
        }),
        "aws_s3_bucket" => {
            json!({"bucket": format!("bucket-{i}-{}", v / 2), "force_destroy": v == 1})
        }
        "aws_sqs_queue" => json!({"name": format!("q{i}"), "delay_seconds": v}),
        "aws_cloudwatch_log_group" => {
            json!({"name": format!("l{i}"), "retention_in_days": 7 * (1 + u64::from(v))})
        }
        _ => json!({"instance_class": "db.t3.micro", "engine": "postgres", "username": "app",
                    "password": "${var.db_password}", "allocated_storage": 20 + u64::from(v)}),
    };
    let m = p.as_object_mut().unwrap();
    // One reference per resource, to a lower slot: force-new where the type has one.
    if target < i {
        match TYPES[s.ty] {
            "aws_subnet" => {
                if let Some(x) = r("id") {
                    m.insert("vpc_id".into(), json!(x));
                }
            }
            "aws_instance" => {
                if let Some(x) = r("id") {
                    m.insert("subnet_id".into(), json!(x));
                }
            }
            _ => {
                if let Some(x) = r("id") {
                    m.insert("tags".into(), json!({"Ref": x, "Name": format!("n{v}")}));
                }
            }
        }
    }
    if TYPES[s.ty] == "aws_subnet" && !m.contains_key("vpc_id") {
        m.insert("vpc_id".into(), json!("vpc-literal"));
    }
    p
}

fn build(spec: &Spec, side: bool) -> Blueprint {
    let mut resources = Vec::new();
    for (i, slot) in spec.slots.iter().enumerate() {
        let s = if side { &slot.b } else { &slot.a };
        if !s.present {
            continue;
        }
        let target = if i == 0 { 0 } else { slot.target % i };
        let mut r = json!({
            "type": TYPES[s.ty],
            "name": format!("r{i}"),
            "properties": properties(spec, side, i, s, target),
        });
        if let Some(c) = s.count {
            r["count"] = json!(c);
        }
        if s.cbd {
            r["lifecycle"] = json!({"create_before_destroy": true});
        }
        if s.explicit_dep && i > 0 {
            let dep = (target + 1) % i;
            let present = spec
                .slots
                .get(dep)
                .map(|x| if side { x.b.present } else { x.a.present });
            if present == Some(true) {
                r["dependencies"] = json!([format!("r{dep}")]);
            }
        }
        resources.push(r);
    }
    if side && spec.reverse_b {
        resources.reverse();
    }
    let (tags, ami, outputs) = if side {
        (spec.tags_b, spec.ami_b, spec.outputs_b)
    } else {
        (spec.tags_a, spec.ami_a, spec.outputs_a)
    };
    let mut doc = json!({
        "name": "prop",
        "version": if side { "2.0.0" } else { "1.0.0" },
        "provider": "aws",
        "region": "us-east-1",
        "variables": [
            {"name": "ami", "default": format!("ami-{ami}")},
            {"name": "db_password", "sensitive": true, "default": format!("secret-{ami}")}
        ],
        "resources": resources,
    });
    match tags {
        0 => {}
        1 => doc["tags"] = json!({"Env": "prod"}),
        _ => doc["tags"] = json!({"Env": "dev", "Team": "x"}),
    }
    let mut outs = Vec::new();
    if outputs & 1 == 1 {
        outs.push(json!({"name": "first", "value": "constant"}));
    }
    if outputs & 2 == 2 {
        outs.push(json!({"name": "secret", "value": "${var.db_password}", "sensitive": true}));
    }
    if !outs.is_empty() {
        doc["outputs"] = json!(outs);
    }
    Blueprint::from_value(doc).unwrap()
}

fn checked(doc: &Blueprint) -> CheckedBlueprint {
    doc.check().unwrap_or_else(|e| {
        panic!(
            "generated blueprint fails its check: {e}\n{}",
            doc.to_json()
        )
    })
}

/// The address a replacement's delete step destroys: the old address when the type changes
/// (`aws_lb.lb` for `aws_lb.lb` -> `aws_alb.lb`: the state holds the old one), else the address.
fn deleted_address(c: &ResourceChange) -> String {
    let type_changed = c
        .replace_reasons
        .first()
        .is_some_and(|r| r.starts_with("the type changes"));
    match (&c.previous_address, type_changed) {
        (Some(p), true) => p.to_string(),
        _ => c.address.to_string(),
    }
}

/// Wave index of every step, checking each step appears exactly once and that the steps are
/// exactly those the actions call for.
fn wave_index(plan: &Plan) -> HashMap<(String, StepAction), usize> {
    let mut at = HashMap::new();
    for (w, wave) in plan.waves.iter().enumerate() {
        assert!(!wave.is_empty(), "empty wave {w}");
        for s in wave {
            assert!(
                at.insert((s.address.to_string(), s.action), w).is_none(),
                "step {} {} appears twice",
                s.action.as_str(),
                s.address
            );
        }
    }
    let mut expected = HashSet::new();
    for c in &plan.resource_changes {
        let a = c.address.to_string();
        match c.action {
            Action::NoOp => {}
            Action::Create => {
                expected.insert((a, StepAction::Create));
            }
            Action::Update => {
                expected.insert((a, StepAction::Update));
            }
            Action::Delete => {
                expected.insert((a, StepAction::Delete));
            }
            Action::Replace => {
                expected.insert((a, StepAction::Create));
                expected.insert((deleted_address(c), StepAction::Delete));
            }
        }
    }
    let got: HashSet<(String, StepAction)> = at.keys().cloned().collect();
    assert_eq!(got, expected, "waves hold exactly the planned steps");
    at
}

/// Checks that no step runs in the same or an earlier wave than a step it depends on, for every
/// dependency (direct or transitive) of both blueprints, and the order of each replacement.
fn assert_waves_respect(plan: &Plan, old: &CheckedBlueprint, new: &CheckedBlueprint) {
    let at = wave_index(plan);
    // Steps by resource name and side.
    let mut cu: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut del: HashMap<&str, Vec<usize>> = HashMap::new();
    for c in &plan.resource_changes {
        if let Some(&w) = at
            .get(&(c.address.to_string(), StepAction::Create))
            .or_else(|| at.get(&(c.address.to_string(), StepAction::Update)))
        {
            cu.entry(c.name).or_default().push(w);
        }
        if let Some(&w) = at.get(&(deleted_address(c), StepAction::Delete)) {
            del.entry(c.name).or_default().push(w);
        }
        if c.action == Action::Replace {
            let create = at[&(c.address.to_string(), StepAction::Create)];
            let delete = at[&(deleted_address(c), StepAction::Delete)];
            if c.create_before_destroy {
                assert!(
                    create < delete,
                    "{}: create-before-destroy order",
                    c.address
                );
                assert_eq!(c.change.actions, ["create", "delete"]);
            } else {
                assert!(delete < create, "{}: destroy-first order", c.address);
                assert_eq!(c.change.actions, ["delete", "create"]);
            }
        }
    }
    let empty = Vec::new();
    // New blueprint: a dependency's creates/updates come before its dependents'.
    for (y, r, _) in new.iter() {
        for x in new.graph().blast_radius(y) {
            let xn = &new.resources()[x].name;
            for wy in cu.get(r.name.as_str()).unwrap_or(&empty) {
                for wx in cu.get(xn.as_str()).unwrap_or(&empty) {
                    assert!(
                        wy < wx,
                        "{xn} depends on {} (new): wave {wx} vs {wy}",
                        r.name
                    );
                }
            }
        }
    }
    // Old blueprint: a dependent's deletes come before its dependency's.
    for (y, r, _) in old.iter() {
        for x in old.graph().blast_radius(y) {
            let xn = &old.resources()[x].name;
            for wy in del.get(r.name.as_str()).unwrap_or(&empty) {
                for wx in del.get(xn.as_str()).unwrap_or(&empty) {
                    assert!(
                        wx < wy,
                        "{xn} depended on {} (old): delete wave {wx} vs {wy}",
                        r.name
                    );
                }
            }
        }
    }
}

/// Replays each instance's attribute changes on its `before` and compares with its `after`.
fn assert_changes_replay(plan: &Plan) {
    for c in &plan.resource_changes {
        if !matches!(c.action, Action::Update | Action::Replace) || c.previous_address.is_some() {
            continue;
        }
        if c.replace_reasons
            .first()
            .is_some_and(|r| r.starts_with("the type"))
        {
            continue;
        }
        let mut v = c.change.before();
        let mut steps: Vec<(Vec<PathStep>, &AttributeChange)> = Vec::new();
        for a in c.changes.iter().filter(|a| !a.unknown) {
            steps.push((parse_path(&a.path), a));
        }
        values::order_for_apply(&mut steps, |(s, a)| {
            (s, a.before.is_some(), a.after.is_some())
        });
        for (s, a) in steps {
            values::apply_change(&mut v, &s, a.before.as_ref(), a.after.as_ref()).unwrap_or_else(
                |e| panic!("{}: change {} does not replay: {e:?}", c.address, a.path),
            );
        }
        // Null and absent are the same to Terraform (and to the diff).
        let strip = |v: &Value| -> Value {
            let mut v = v.clone();
            if let Value::Object(m) = &mut v {
                m.retain(|_, x| !x.is_null());
            }
            v
        };
        assert_eq!(strip(&v), strip(&c.change.after()), "{}", c.address);
    }
}

/// Test-only parser of the plain paths the generator produces (`a.b[0].c`).
fn parse_path(p: &str) -> Vec<PathStep> {
    let mut out = Vec::new();
    for part in p.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            out.push(PathStep::Key(rest[..i].to_string()));
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                out.push(PathStep::Index(rest[1..end].parse().unwrap()));
                rest = &rest[end + 1..];
            }
        } else {
            out.push(PathStep::Key(rest.to_string()));
        }
    }
    out
}

fn actions(plan: &Plan) -> Vec<(String, Action, bool)> {
    let mut v: Vec<(String, Action, bool)> = plan
        .resource_changes
        .iter()
        .map(|c| (c.address.to_string(), c.action, c.create_before_destroy))
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn plan_of_a_blueprint_with_itself_is_all_no_op(spec in spec()) {
        let a = checked(&build(&spec, false));
        let plan = plan_diff(&a, &a).unwrap();
        prop_assert!(plan.resource_changes.iter().all(|c| c.action == Action::NoOp));
        prop_assert!(plan.waves.is_empty());
        prop_assert!(plan.document_changes.is_empty());
        prop_assert!(plan.variable_changes.is_empty() && plan.output_changes.is_empty());
        prop_assert!(!plan.has_changes());
        prop_assert_eq!(version_bump(&plan), Bump::None);
        let instances: u32 = a.resources().iter().map(|r| r.instance_count()).sum();
        prop_assert_eq!(plan.summary.no_op, instances as usize);
    }

    #[test]
    fn apply_rollback_and_waves(spec in spec()) {
        let (ad, bd) = (build(&spec, false), build(&spec, true));
        let (a, b) = (checked(&ad), checked(&bd));
        let plan = plan_diff(&a, &b).unwrap();
        // Applying the plan to a gives b.
        let applied = apply_plan(&ad, &plan).unwrap();
        prop_assert_eq!(&applied, &bd);
        // The rollback applied to b gives a.
        let rollback = plan.rollback().unwrap();
        let restored = apply_plan(&bd, &rollback).unwrap();
        prop_assert_eq!(&restored, &ad);
        // Waves respect every dependency of both sides, for the plan and for its rollback.
        assert_waves_respect(&plan, &a, &b);
        assert_waves_respect(&rollback, &b, &a);
        // The rollback decides what a plan from b to a decides.
        let back = plan_diff(&b, &a).unwrap();
        prop_assert_eq!(actions(&rollback), actions(&back));
        prop_assert_eq!(rollback.summary, back.summary);
        // Instance-level changes replay from before to after.
        assert_changes_replay(&plan);
        assert_changes_replay(&rollback);
        // The serialized plan never shows the secret.
        let json = plan.to_json();
        prop_assert!(!json.contains("secret-"), "a sensitive value leaked: {json}");
        let text = render_plan_text(&plan);
        prop_assert!(!text.contains("secret-"));
        // A plan made from another document is refused, not half-applied.
        if !plan.document_changes.is_empty() {
            prop_assert!(apply_plan(&bd, &plan).is_err() || bd == ad);
        }
    }
}

fn parse(yaml: &str) -> CheckedBlueprint {
    crate::parse(yaml).unwrap_or_else(|e| panic!("{e}"))
}

const HEAD: &str = "name: tst\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\n";

/// The plan between two blueprints that live as long as the test (a plan borrows them).
fn plan_of(old: &str, new: &str) -> Plan<'static> {
    let old: &'static CheckedBlueprint = Box::leak(Box::new(parse(&format!("{HEAD}{old}"))));
    let new: &'static CheckedBlueprint = Box::leak(Box::new(parse(&format!("{HEAD}{new}"))));
    plan_diff(old, new).unwrap()
}

fn wave_strings(plan: &Plan) -> Vec<Vec<String>> {
    plan.waves
        .iter()
        .map(|w| {
            w.iter()
                .map(|s| format!("{} {}", s.action.as_str(), s.address))
                .collect()
        })
        .collect()
}

#[test]
fn create_before_destroy_is_forced_on_dependencies() {
    // As the research run with terraform_data showed: vm has create_before_destroy and depends
    // on subnet; both are replaced; subnet is handled create-before-destroy too.
    let old = r#"resources:
  - {type: aws_subnet, name: subnet, properties: {vpc_id: vpc-1, cidr_block: 10.0.1.0/24}}
  - type: aws_instance
    name: vm
    properties: {subnet_id: "${subnet.id}", ami: ami-1}
    lifecycle: {create_before_destroy: true}
"#;
    let new = old.replace("10.0.1.0/24", "10.0.2.0/24");
    let plan = plan_of(old, &new);
    let subnet = &plan.resource_changes[0];
    assert_eq!(subnet.change.actions, ["create", "delete"]);
    assert!(subnet.create_before_destroy);
    assert_eq!(subnet.action_reason, Some("replace_because_cannot_update"));
    assert_eq!(
        subnet.change.replace_paths,
        vec![vec![PathStep::Key("cidr_block".into())]]
    );
    let vm = &plan.resource_changes[1];
    assert_eq!(vm.action, Action::Replace);
    assert_eq!(vm.change.actions, ["create", "delete"]);
    assert!(vm
        .changes
        .iter()
        .any(|c| c.path == "subnet_id" && c.unknown && c.forces_replacement));
    assert_eq!(
        wave_strings(&plan),
        [
            vec!["create aws_subnet.subnet"],
            vec!["create aws_instance.vm"],
            vec!["delete aws_instance.vm"],
            vec!["delete aws_subnet.subnet"]
        ]
    );
    let text = render_plan_text(&plan);
    assert!(
        text.contains("+/- resource \"aws_subnet\" \"subnet\""),
        "{text}"
    );
    assert!(text.contains("# forces replacement"), "{text}");
    assert!(
        text.ends_with("Plan: 2 to add, 0 to change, 2 to destroy.\n"),
        "{text}"
    );
}

#[test]
fn count_changes_are_per_instance() {
    let plan = plan_of(
        "resources:\n  - {type: aws_sqs_queue, name: q, count: 3, properties: {delay_seconds: 1}}\n",
        "resources:\n  - {type: aws_sqs_queue, name: q, count: 2, properties: {delay_seconds: 2}}\n",
    );
    let got: Vec<(&str, &str, Option<&str>)> = plan
        .resource_changes
        .iter()
        .map(|c| (&*c.address, c.action.as_str(), c.action_reason))
        .collect();
    assert_eq!(
        got,
        [
            ("aws_sqs_queue.q[0]", "update", None),
            ("aws_sqs_queue.q[1]", "update", None),
            (
                "aws_sqs_queue.q[2]",
                "delete",
                Some("delete_because_count_index")
            ),
        ]
    );
    // The catalog lists aws_sqs_queue's force-new arguments (name, fifo_queue, ...), and
    // delay_seconds is not one of them: an in-place update, known not to replace.
    assert_eq!(plan.resource_changes[0].replacement, Some(Replacement::No));
    assert_eq!(plan.summary.replacement_unknown, 0);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    assert_eq!(version_bump(&plan), Bump::Major);

    // A type the provider schema has but the catalog does not describe: the update may still be
    // a replacement, which the plan says (per instance, in the summary, and in a note).
    let plan = plan_of(
        "resources:\n  - {type: aws_sqs_queue_redrive_policy, name: p, count: 2, properties: {queue_url: u, redrive_policy: a}}\n",
        "resources:\n  - {type: aws_sqs_queue_redrive_policy, name: p, count: 2, properties: {queue_url: u, redrive_policy: b}}\n",
    );
    assert!(crate::catalog::catalog(crate::catalog::Provider::Aws)
        .get("aws_sqs_queue_redrive_policy")
        .is_none());
    let got: Vec<(&str, Action, Option<Replacement>)> = plan
        .resource_changes
        .iter()
        .map(|c| (&*c.address, c.action, c.replacement))
        .collect();
    assert_eq!(
        got,
        [
            (
                "aws_sqs_queue_redrive_policy.p[0]",
                Action::Update,
                Some(Replacement::Unknown)
            ),
            (
                "aws_sqs_queue_redrive_policy.p[1]",
                Action::Update,
                Some(Replacement::Unknown)
            ),
        ]
    );
    assert_eq!(plan.summary.replacement_unknown, 2);
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("aws_sqs_queue_redrive_policy")));
    assert!(render_plan_text(&plan).contains("replacement behavior unknown"));

    // Adding count moves the instance to [0].
    let plan = plan_of(
        "resources:\n  - {type: aws_sqs_queue, name: q, properties: {delay_seconds: 1}}\n",
        "resources:\n  - {type: aws_sqs_queue, name: q, count: 2, properties: {delay_seconds: 1}}\n",
    );
    assert_eq!(plan.resource_changes[0].address, "aws_sqs_queue.q[0]");
    assert_eq!(
        plan.resource_changes[0].previous_address.as_deref(),
        Some("aws_sqs_queue.q")
    );
    assert_eq!(plan.resource_changes[0].action, Action::NoOp);
    assert_eq!(plan.resource_changes[1].action, Action::Create);
    assert_eq!(version_bump(&plan), Bump::Minor);
}

#[test]
fn prevent_destroy_refuses_replace_and_delete() {
    let old = "resources:\n  - type: aws_s3_bucket\n    name: b\n    properties: {bucket: one}\n    lifecycle: {prevent_destroy: true}\n";
    let new = old.replace("one", "two");
    let err = plan_diff(
        &parse(&format!("{HEAD}{old}")),
        &parse(&format!("{HEAD}{new}")),
    )
    .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Plan);
    assert_eq!(err.code(), crate::Code::PreventDestroy);
    assert_eq!(err.path(), "resources[0].lifecycle.prevent_destroy");
    assert!(
        err.message().contains("aws_s3_bucket.b"),
        "{}",
        err.message()
    );
    let err = plan_diff(
        &parse(&format!("{HEAD}{old}")),
        &parse(&format!("{HEAD}resources: []\n")),
    )
    .unwrap_err();
    assert_eq!(err.code(), crate::Code::PreventDestroy);
    // Creating a protected resource is fine; rolling that back is refused.
    let plan = plan_of("resources: []\n", old);
    assert_eq!(
        plan.rollback().unwrap_err().code(),
        crate::Code::PreventDestroy
    );
}

#[test]
fn nested_and_sensitive_changes() {
    let old = r#"variables:
  - {name: pw, sensitive: true, default: hunter2}
resources:
  - type: aws_security_group
    name: sg
    properties:
      name: web
      ingress:
        - {from_port: 443, to_port: 443, protocol: tcp, cidr_blocks: [10.0.0.0/8]}
  - type: aws_db_instance
    name: db
    properties: {instance_class: db.t3.micro, password: "${var.pw}", username: a}
"#;
    let new = old
        .replace("[10.0.0.0/8]", "[10.0.0.0/8, 192.168.0.0/16]")
        .replace("hunter2", "correct-horse")
        .replace("username: a", "username: b");
    let plan = plan_of(old, &new);
    let sg = &plan.resource_changes[0];
    assert_eq!(sg.changes.len(), 1);
    assert_eq!(sg.changes[0].path, "ingress[0].cidr_blocks[1]");
    assert_eq!(sg.changes[0].after, Some(json!("192.168.0.0/16")));
    let db = &plan.resource_changes[1];
    let pw = db.changes.iter().find(|c| c.path == "password").unwrap();
    assert!(pw.sensitive && pw.unknown);
    assert_eq!(db.change.after()["password"], Value::Null);
    assert_eq!(db.change.after_sensitive(), json!({"password": true}));
    let v = &plan.variable_changes[0];
    assert_eq!(v.changes[0].path, "default");
    assert!(v.changes[0].sensitive);
    let json = plan.to_json();
    assert!(
        !json.contains("hunter2") && !json.contains("correct-horse"),
        "{json}"
    );
    let text = render_plan_text(&plan);
    assert!(text.contains("(sensitive value)"), "{text}");
    // The real values still replay.
    let applied = apply_plan(
        &Blueprint::from_yaml(&format!("{HEAD}{old}")).unwrap(),
        &plan,
    )
    .unwrap();
    assert_eq!(applied.variables[0].default, Some(json!("correct-horse")));
}

#[test]
fn type_change_is_a_replace_with_a_reason() {
    let plan = plan_of(
        "resources:\n  - {type: aws_sqs_queue, name: x, properties: {name: a}}\n",
        "resources:\n  - {type: aws_sns_topic, name: x, properties: {name: a}}\n",
    );
    let c = &plan.resource_changes[0];
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.address, "aws_sns_topic.x");
    assert_eq!(c.previous_address.as_deref(), Some("aws_sqs_queue.x"));
    assert_eq!(
        c.replace_reasons[0],
        "the type changes from aws_sqs_queue to aws_sns_topic"
    );
    let back = plan.rollback().unwrap();
    assert_eq!(back.resource_changes[0].address, "aws_sqs_queue.x");
    assert_eq!(back.resource_changes[0].type_name, "aws_sqs_queue");
    // The rollback destroys the new type's object where it is, and creates the old one back.
    assert_eq!(
        wave_strings(&back),
        [["delete aws_sns_topic.x"], ["create aws_sqs_queue.x"]]
    );
}

#[test]
fn type_change_deletes_the_old_address() {
    // aws_lb -> aws_alb (the same load balancer under the provider's older name): the state
    // holds aws_lb.lb, which is what the delete step destroys; aws_alb.lb is created.
    let old = "resources:\n  - {type: aws_lb, name: lb, properties: {name: lb, internal: false}}\n  - {type: aws_sqs_queue, name: q, properties: {name: q}}\n";
    let new = old.replace("aws_lb,", "aws_alb,");
    let plan = plan_of(old, &new);
    let c = &plan.resource_changes[0];
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.address, "aws_alb.lb");
    assert_eq!(c.previous_address.as_deref(), Some("aws_lb.lb"));
    assert_eq!(
        wave_strings(&plan),
        [["delete aws_lb.lb"], ["create aws_alb.lb"]]
    );
    let json: Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert_eq!(
        json["waves"],
        json!([[{"address": "aws_lb.lb", "action": "delete"}],
                           [{"address": "aws_alb.lb", "action": "create"}]])
    );
    let text = render_plan_text(&plan);
    assert!(text.contains("wave 1: delete aws_lb.lb\n"), "{text}");
    assert!(text.contains("wave 2: create aws_alb.lb\n"), "{text}");
    assert!(
        text.contains("# (aws_lb.lb is destroyed, aws_alb.lb created)"),
        "{text}"
    );
    assert!(!text.contains("moved from"), "{text}");
    // With create-before-destroy the new one comes first, and the old address still goes.
    let cbd = |s: &str| {
        s.replace(
            "name: lb, properties",
            "name: lb, lifecycle: {create_before_destroy: true}, properties",
        )
    };
    let plan = plan_of(&cbd(old), &cbd(&new));
    assert_eq!(
        wave_strings(&plan),
        [["create aws_alb.lb"], ["delete aws_lb.lb"]]
    );
}

#[test]
fn version_check() {
    let plan = plan_of(
        "resources:\n  - {type: aws_sqs_queue, name: x, properties: {name: a}}\n",
        "resources: []\n",
    );
    let check = check_version(&plan).unwrap();
    assert_eq!(check.required, Bump::Major);
    assert_eq!(check.minimum, "2.0.0");
    assert!(!check.ok, "1.0.0 -> 1.0.0 does not satisfy a major change");
}

#[test]
fn stale_plan_is_refused() {
    let plan = plan_of(
        "resources:\n  - {type: aws_sqs_queue, name: x, properties: {name: a}}\n",
        "resources:\n  - {type: aws_sqs_queue, name: x, properties: {name: b}}\n",
    );
    let other = Blueprint::from_yaml(&format!(
        "{HEAD}resources:\n  - {{type: aws_sqs_queue, name: x, properties: {{name: c}}}}\n"
    ))
    .unwrap();
    let err = apply_plan(&other, &plan).unwrap_err();
    assert_eq!(err.code(), crate::Code::StalePlan);
    assert_eq!(err.path(), "resources.x.properties.name");
}

#[test]
fn outputs_of_replaced_resources_are_known_after_apply() {
    let old = "outputs:\n  - {name: vpc, value: \"id=${main.id}\"}\n  - {name: fixed, value: constant}\nresources:\n  - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}\n";
    let plan = plan_of(old, &old.replace("10.0.0.0/16", "10.9.0.0/16"));
    assert_eq!(plan.output_changes.len(), 1);
    let o = &plan.output_changes[0];
    assert_eq!((o.name.as_str(), o.action), ("vpc", Action::Update));
    assert!(o.changes[0].unknown && o.changes[0].path == "value");
    assert!(render_plan_text(&plan).contains("~ value = \"id=${main.id}\" -> (known after apply)"));
    assert!(plan.has_changes());
}

#[test]
fn default_tags_show_where_the_generated_code_puts_them() {
    // Changing the blueprint's default tags updates every taggable instance, in the attribute that
    // holds its effective tags: AWS `tags_all` (`tags` stays as written), Azure and Google the
    // type's own tag argument, which the generated code fills with the merged tags.
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "provider: aws\nregion: us-east-1\n",
            "  - {type: aws_s3_bucket, name: b, properties: {bucket: x, tags: {Own: o}}}\n  - {type: aws_sqs_queue_policy, name: p, properties: {queue_url: u, policy: '{}'}}\n",
            &["aws_s3_bucket.b tags_all.team"],
        ),
        (
            "provider: azure\nregion: westeurope\n",
            "  - {type: azurerm_resource_group, name: rg, properties: {name: rg, location: westeurope, tags: {own: o}}}\n",
            &["azurerm_resource_group.rg tags.team"],
        ),
        (
            "provider: gcp\nregion: europe-west1\n",
            "  - {type: google_storage_bucket, name: b, properties: {name: b, location: EU, labels: {own: o}}}\n  - {type: google_container_cluster, name: k, properties: {name: k, location: europe-west1, resource_labels: {own: o}}}\n",
            &[
                "google_storage_bucket.b labels.team",
                "google_container_cluster.k resource_labels.team",
            ],
        ),
    ];
    for (provider, resources, expected) in cases {
        let doc = |team: &str| {
            parse(&format!(
                "name: tst\nversion: 1.0.0\n{provider}tags: {{team: {team}}}\nresources:\n{resources}"
            ))
        };
        let (a, b) = (doc("a"), doc("b"));
        let plan = plan_diff(&a, &b).unwrap();
        let got: Vec<String> = plan
            .resource_changes
            .iter()
            .flat_map(|c| {
                c.changes
                    .iter()
                    .map(move |x| format!("{} {}", c.address, x.path))
            })
            .collect();
        assert_eq!(got, expected, "{provider}");
        // The resource's own tags are merged in, and the plan's `after` shows the merged map.
        let first = &plan.resource_changes[0];
        let (attr, _) = expected[0]
            .split_once(' ')
            .unwrap()
            .1
            .split_once('.')
            .unwrap();
        let own = if provider.contains("aws") {
            "Own"
        } else {
            "own"
        };
        assert_eq!(first.change.after()[attr][own], "o", "{provider}");
        assert_eq!(first.change.after()[attr]["team"], "b", "{provider}");
        // Untaggable types (the queue policy) are left alone.
        assert!(plan
            .resource_changes
            .iter()
            .filter(|c| c.action == Action::NoOp)
            .all(|c| c.change.after().get("tags_all").is_none()));
    }
}

/// Changes of every field of a resource but its properties (waivers, description, lifecycle,
/// usage, dependencies, count, the written type) are document changes that replay, and the
/// field-wise document diff gives what a diff of the serialized resources gives.
#[test]
fn resource_fields_besides_properties_replay() {
    let base = "  - {type: aws_vpc, name: net, properties: {cidr_block: 10.0.0.0/16}}\n";
    let variants = [
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, waivers: [{id: DHARMA_AWS_S3_005, reason: logs go elsewhere}]}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, waivers: [{id: DHARMA_AWS_S3_005, reason: logs go elsewhere, expires: 2027-01-31}]}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, description: the logs}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, lifecycle: {create_before_destroy: true}}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, usage: {storage_gb: 10}}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, usage: {storage_gb: 20, monthly_get_requests: 5}}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: x}, dependencies: [net]}\n",
        "  - {type: aws_s3_bucket, name: b, count: 2, properties: {bucket: x}}\n",
        "  - {type: s3_bucket, name: b, properties: {bucket: x}}\n",
        "  - {type: aws_s3_bucket, name: b}\n",
        "  - {type: aws_s3_bucket, name: b, properties: {bucket: y, force_destroy: true}}\n",
    ];
    for old in variants {
        for new in variants {
            let (old, new) = (
                format!("resources:\n{base}{old}"),
                format!("resources:\n{base}{new}"),
            );
            let plan = plan_of(&old, &new);
            let od = Blueprint::from_yaml(&format!("{HEAD}{old}")).unwrap();
            let nd = Blueprint::from_yaml(&format!("{HEAD}{new}")).unwrap();
            assert_eq!(plan.document_changes.is_empty(), od == nd, "{old}\n{new}");
            assert_eq!(apply_plan(&od, &plan).unwrap(), nd, "{old}\n{new}");
            assert_eq!(
                apply_plan(&nd, &plan.rollback().unwrap()).unwrap(),
                od,
                "{old}\n{new}"
            );
            // The same raw differences as the serialized resources have.
            let mut expected = Vec::new();
            let (a, b) = (&od.resources[1], &nd.resources[1]);
            let mut prefix = vec![PathStep::Key("resources".into()), PathStep::Key("b".into())];
            values::diff(
                Some(&serde_json::to_value(a).unwrap()),
                Some(&serde_json::to_value(b).unwrap()),
                &mut prefix,
                &mut expected,
            );
            let mut got: Vec<(&[PathStep], Option<&Value>, Option<&Value>)> = plan
                .document_changes
                .iter()
                .filter(|d| !d.reorder)
                .map(|d| (d.steps.as_slice(), d.raw_before(), d.raw_after()))
                .collect();
            let mut want: Vec<(&[PathStep], Option<&Value>, Option<&Value>)> = expected
                .iter()
                .map(|c| (c.steps.as_slice(), c.before.as_ref(), c.after.as_ref()))
                .collect();
            got.sort_by(|x, y| x.0.cmp(y.0));
            want.sort_by(|x, y| x.0.cmp(y.0));
            assert_eq!(got, want, "{old}\n{new}");
        }
    }
}

/// The attribute diff of two instances, walked on their views, is the diff of their copied
/// attributes (properties merged with the effective tags), with and without default tags.
#[test]
fn attribute_diff_on_views_is_the_diff_of_copies() {
    let variants = [
        "{type: aws_s3_bucket, name: b, properties: {bucket: x}}",
        "{type: aws_s3_bucket, name: b, properties: {bucket: x, tags: {Team: a}}}",
        "{type: aws_s3_bucket, name: b, properties: {bucket: x, tags: {Team: b, Env: dev}}}",
        "{type: aws_s3_bucket, name: b, properties: {bucket: y, force_destroy: true, tags_all: {Z: z}}}",
        "{type: aws_s3_bucket, name: b, properties: {acl: private, bucket: x, versioning: [{enabled: true}]}}",
        "{type: aws_s3_bucket, name: b, properties: {acl: private, bucket: x, versioning: [{enabled: false}, {enabled: true}]}}",
        "{type: aws_s3_bucket, name: b}",
        "{type: aws_sqs_queue, name: b, properties: {name: q, tags: {Team: a}}}",
    ];
    let heads = [
        HEAD.to_string(),
        format!("{HEAD}tags: {{Owner: ops, Team: core}}\n"),
        format!("{HEAD}tags: {{Owner: dev}}\n"),
    ];
    let bps: Vec<CheckedBlueprint> = heads
        .iter()
        .flat_map(|h| {
            variants
                .iter()
                .map(move |v| parse(&format!("{h}resources:\n  - {v}\n")))
        })
        .collect();
    for a in &bps {
        for b in &bps {
            let (ra, rb) = (model::ResourceRef::new(a, 0), model::ResourceRef::new(b, 0));
            let mut want = Vec::new();
            values::diff(
                Some(&ra.attributes()),
                Some(&rb.attributes()),
                &mut Vec::new(),
                &mut want,
            );
            let mut got = Vec::new();
            model::diff_attributes(&ra, &rb, &mut got);
            assert_eq!(got, want, "{:?}\n{:?}", ra.attributes(), rb.attributes());
        }
    }
}

proptest! {
    /// The compressed adjacency lists are those of the sorted, deduplicated edge list.
    #[test]
    fn compressed_edges_are_sorted_and_deduplicated(
        n in 0usize..12,
        raw in proptest::collection::vec((0u32..12, 0u32..12), 0..60),
    ) {
        let edges: Vec<(u32, u32)> =
            raw.into_iter().filter(|&(a, b)| (a as usize) < n && (b as usize) < n).collect();
        let (start, targets) = order::compressed(n, &edges);
        let mut sorted = edges.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(start.len(), n + 1);
        for x in 0..n {
            let want: Vec<u32> =
                sorted.iter().filter(|e| e.0 as usize == x).map(|e| e.1).collect();
            prop_assert_eq!(&targets[start[x] as usize..start[x + 1] as usize], want.as_slice());
        }
        prop_assert_eq!(targets.len(), sorted.len());
    }
}

#[test]
fn user_data_replaces_only_with_replace_on_change() {
    let old = "resources:\n  - {type: aws_instance, name: one, properties: {ami: ami-1, instance_type: t3.micro, user_data: a}}\n";
    // Without the flag (or with it false) a user_data change is an in-place update.
    for flag in ["", ", user_data_replace_on_change: false"] {
        let new = old.replace("user_data: a", &format!("user_data: b{flag}"));
        let plan = plan_of(old, &new);
        assert_eq!(plan.resource_changes[0].action, Action::Update, "{flag}");
    }
    // With it true (as a boolean, its string form or a variable's default) it is a replacement.
    for (vars, flag) in [
        ("", "true"),
        ("", "\"true\""),
        (
            "variables:\n  - {name: rep, type: bool, default: true}\n",
            "\"${var.rep}\"",
        ),
    ] {
        let new = old.replace(
            "user_data: a",
            &format!("user_data: b, user_data_replace_on_change: {flag}"),
        );
        let plan = plan_of(&format!("{vars}{old}"), &format!("{vars}{new}"));
        let c = &plan.resource_changes[0];
        assert_eq!(c.action, Action::Replace, "{flag}");
        assert_eq!(c.replacement, Some(Replacement::Yes));
        assert_eq!(
            c.replace_reasons,
            ["`user_data` changes, and changing it with `user_data_replace_on_change` true forces aws_instance to be replaced"]
        );
        let forced: Vec<&str> = c
            .changes
            .iter()
            .filter(|a| a.forces_replacement)
            .map(|a| a.path.as_str())
            .collect();
        assert_eq!(forced, ["user_data"]);
    }
    // Only the flag turning on, user_data unchanged: no replacement.
    let new = old.replace(
        "user_data: a",
        "user_data: a, user_data_replace_on_change: true",
    );
    assert_eq!(
        plan_of(old, &new).resource_changes[0].action,
        Action::Update
    );
    // The reviewer's case: count added (moved to [0]) and user_data added with the flag.
    let new = "resources:\n  - {type: aws_instance, name: one, count: 2, properties: {ami: ami-1, instance_type: t3.micro, user_data: \"echo hi\", user_data_replace_on_change: true}}\n";
    let old = "resources:\n  - {type: aws_instance, name: one, properties: {ami: ami-1, instance_type: t3.micro}}\n";
    let plan = plan_of(old, new);
    assert_eq!(plan.resource_changes[0].address, "aws_instance.one[0]");
    assert_eq!(plan.resource_changes[0].action, Action::Replace);
    assert_eq!(plan.resource_changes[1].action, Action::Create);
}

#[test]
fn writing_a_force_new_default_is_no_change() {
    // aws_sqs_queue.fifo_queue defaults to false (catalog `defaults`): writing it where it was
    // absent, or removing it, changes nothing, as `terraform plan` shows no difference.
    let old = "resources:\n  - {type: aws_sqs_queue, name: q, properties: {name: q1}}\n";
    for written in ["false", "\"false\""] {
        let new = old.replace("name: q1", &format!("name: q1, fifo_queue: {written}"));
        let plan = plan_of(old, &new);
        let c = &plan.resource_changes[0];
        assert_eq!(c.action, Action::NoOp, "{written}");
        assert!(c.changes.is_empty());
        assert!(!render_plan_text(&plan).contains("forces replacement"));
        // The document still changes (apply_plan replays it), and so the other way.
        assert!(!plan.document_changes.is_empty());
        let back = plan_of(&new, old);
        assert_eq!(back.resource_changes[0].action, Action::NoOp, "{written}");
    }
    // Anything else than the default still replaces: true, and false -> true.
    let fifo = |v: &str| {
        format!("resources:\n  - {{type: aws_sqs_queue, name: q, properties: {{name: q1.fifo, fifo_queue: {v}}}}}\n")
    };
    let plain = "resources:\n  - {type: aws_sqs_queue, name: q, properties: {name: q1.fifo}}\n";
    assert_eq!(
        plan_of(plain, &fifo("true")).resource_changes[0].action,
        Action::Replace
    );
    assert_eq!(
        plan_of(&fifo("false"), &fifo("true")).resource_changes[0].action,
        Action::Replace
    );
    // A string default (aws_lb.load_balancer_type: application) and a type without one.
    let lb = "resources:\n  - {type: aws_lb, name: lb, properties: {name: lb}}\n";
    let typed = |t: &str| lb.replace("name: lb}", &format!("name: lb, load_balancer_type: {t}}}"));
    assert_eq!(
        plan_of(lb, &typed("application")).resource_changes[0].action,
        Action::NoOp
    );
    assert_eq!(
        plan_of(lb, &typed("network")).resource_changes[0].action,
        Action::Replace
    );
}

#[test]
fn audited_force_new_arguments_replace() {
    // aws_db_instance.engine and aws_dynamodb_table.local_secondary_index are ForceNew in the
    // provider schema (catalog/aws.yaml cites the sources).
    let db = "resources:\n  - {type: aws_db_instance, name: db, properties: {engine: mysql, instance_class: db.t3.micro, allocated_storage: 20, username: admin}}\n";
    let plan = plan_of(db, &db.replace("mysql", "postgres"));
    let c = &plan.resource_changes[0];
    assert_eq!(c.action, Action::Replace);
    assert_eq!(
        c.replace_reasons,
        ["`engine` changes, and changing it forces aws_db_instance to be replaced"]
    );
    let t = "resources:\n  - {type: aws_dynamodb_table, name: t, properties: {name: t, hash_key: id, range_key: sk, billing_mode: PAY_PER_REQUEST, attribute: [{name: id, type: S}, {name: sk, type: S}, {name: x, type: S}]}}\n";
    let lsi = t.replace(
        "billing_mode",
        "local_secondary_index: [{name: by_x, range_key: x, projection_type: ALL}], billing_mode",
    );
    assert_eq!(plan_of(t, &lsi).resource_changes[0].action, Action::Replace);
}

/// The plan of one resource between two blueprints of another provider than [`HEAD`]'s.
fn provider_plan_of(provider: &str, old: &str, new: &str) -> Plan<'static> {
    let doc = |resources: &str| -> &'static CheckedBlueprint {
        Box::leak(Box::new(parse(&format!(
            "name: tst\nversion: 1.0.0\n{provider}resources:\n{resources}"
        ))))
    };
    plan_diff(doc(old), doc(new)).unwrap()
}

/// The action of the only resource change and the paths that force its replacement.
fn action_and_forced(plan: &Plan) -> (Action, Vec<String>) {
    let c = &plan.resource_changes[0];
    let forced = c
        .changes
        .iter()
        .filter(|a| a.forces_replacement)
        .map(|a| a.path.clone())
        .collect();
    (c.action, forced)
}

#[test]
fn azurerm_source_audited_force_new_arguments_replace() {
    // catalog/azure.yaml cites the azurerm resource sources these come from.
    let az = "provider: azure\nregion: westeurope\n";
    let aks = "  - {type: azurerm_kubernetes_cluster, name: k, properties: {name: k, location: westeurope, resource_group_name: rg, dns_prefix: k, default_node_pool: {name: default, vm_size: Standard_D2s_v3, node_count: 1}, identity: {type: SystemAssigned}}}\n";
    // role_based_access_control_enabled is ForceNew and defaults to true: turning it off replaces,
    // writing the default changes nothing.
    let off = aks.replace(
        "dns_prefix: k,",
        "dns_prefix: k, role_based_access_control_enabled: false,",
    );
    let plan = provider_plan_of(az, aks, &off);
    assert_eq!(
        action_and_forced(&plan),
        (
            Action::Replace,
            vec!["role_based_access_control_enabled".to_string()]
        )
    );
    assert_eq!(
        plan.resource_changes[0].replace_reasons,
        ["`role_based_access_control_enabled` changes, and changing it forces azurerm_kubernetes_cluster to be replaced"]
    );
    let on = aks.replace(
        "dns_prefix: k,",
        "dns_prefix: k, role_based_access_control_enabled: true,",
    );
    assert_eq!(
        provider_plan_of(az, aks, &on).resource_changes[0].action,
        Action::NoOp
    );
    // network_profile is a ForceNew block.
    let kubenet = aks.replace(
        "dns_prefix: k,",
        "dns_prefix: k, network_profile: {network_plugin: kubenet},",
    );
    let azure = kubenet.replace("kubenet", "azure");
    assert_eq!(
        provider_plan_of(az, &kubenet, &azure).resource_changes[0].action,
        Action::Replace
    );

    // azurerm_mssql_server.version is ForceNew.
    let sql = "  - {type: azurerm_mssql_server, name: s, properties: {name: s, location: westeurope, resource_group_name: rg, version: '2.0', administrator_login: adm}}\n";
    let plan = provider_plan_of(az, sql, &sql.replace("'2.0'", "'12.0'"));
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["version".to_string()])
    );

    // azurerm_storage_account.provisioned_billing_model_version and the node pool's gpu_driver.
    let sa = "  - {type: azurerm_storage_account, name: s, properties: {name: s, location: westeurope, resource_group_name: rg, account_kind: FileStorage, account_tier: Premium, account_replication_type: LRS}}\n";
    let v2 = sa.replace(
        "account_replication_type: LRS",
        "account_replication_type: LRS, provisioned_billing_model_version: V2",
    );
    assert_eq!(
        action_and_forced(&provider_plan_of(az, sa, &v2)),
        (
            Action::Replace,
            vec!["provisioned_billing_model_version".to_string()]
        )
    );
    let np = "  - {type: azurerm_kubernetes_cluster_node_pool, name: p, properties: {name: gpu, kubernetes_cluster_id: k, vm_size: Standard_NC6s_v3}}\n";
    let none = np.replace(
        "vm_size: Standard_NC6s_v3",
        "vm_size: Standard_NC6s_v3, gpu_driver: None",
    );
    assert_eq!(
        action_and_forced(&provider_plan_of(az, np, &none)),
        (Action::Replace, vec!["gpu_driver".to_string()])
    );
}

#[test]
fn azurerm_source_audited_force_new_corrections() {
    // catalog/azure.yaml cites the azurerm resource sources of these corrections.
    let az = "provider: azure\nregion: westeurope\n";
    // azurerm_linux_virtual_machine_scale_set.upgrade_mode is ForceNew with Default Manual.
    let vmss = "  - {type: azurerm_linux_virtual_machine_scale_set, name: s, properties: {name: s, location: westeurope, resource_group_name: rg, sku: Standard_B2s, admin_username: adm, network_interface: {name: n, ip_configuration: {name: i}}, os_disk: {caching: ReadWrite, storage_account_type: Standard_LRS}}}\n";
    let mode = |m: &str| {
        vmss.replace(
            "sku: Standard_B2s,",
            &format!("sku: Standard_B2s, upgrade_mode: {m},"),
        )
    };
    let plan = provider_plan_of(az, vmss, &mode("Automatic"));
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["upgrade_mode".to_string()])
    );
    assert_eq!(
        plan.resource_changes[0].replace_reasons,
        ["`upgrade_mode` changes, and changing it forces azurerm_linux_virtual_machine_scale_set to be replaced"]
    );
    assert_eq!(
        provider_plan_of(az, vmss, &mode("Manual")).resource_changes[0].action,
        Action::NoOp
    );
    // ...and disable_password_authentication is not ForceNew for scale sets: an update.
    let no_pw = vmss.replace(
        "admin_username: adm,",
        "admin_username: adm, disable_password_authentication: false,",
    );
    assert_eq!(
        action_and_forced(&provider_plan_of(az, vmss, &no_pw)),
        (Action::Update, vec![])
    );

    // Added ForceNew arguments replace.
    for (old, new, forced) in [
        (
            "  - {type: azurerm_managed_disk, name: d, properties: {name: d, location: westeurope, resource_group_name: rg, storage_account_type: Standard_LRS, create_option: FromImage}}\n",
            "  - {type: azurerm_managed_disk, name: d, properties: {name: d, location: westeurope, resource_group_name: rg, storage_account_type: Standard_LRS, create_option: FromImage, trusted_launch_enabled: true}}\n",
            "trusted_launch_enabled",
        ),
        (
            "  - {type: azurerm_lb_backend_address_pool, name: p, properties: {name: p, loadbalancer_id: lb}}\n",
            "  - {type: azurerm_lb_backend_address_pool, name: p, properties: {name: p, loadbalancer_id: lb, synchronous_mode: Automatic}}\n",
            "synchronous_mode",
        ),
        (
            "  - {type: azurerm_role_assignment, name: r, properties: {scope: s, principal_id: p, role_definition_name: Reader}}\n",
            "  - {type: azurerm_role_assignment, name: r, properties: {scope: s, principal_id: p, role_definition_name: Reader, description: d}}\n",
            "description",
        ),
        (
            "  - {type: azurerm_mysql_flexible_server, name: m, properties: {name: m, location: westeurope, resource_group_name: rg, version: '5.7'}}\n",
            "  - {type: azurerm_mysql_flexible_server, name: m, properties: {name: m, location: westeurope, resource_group_name: rg, version: 8.0.21}}\n",
            "version",
        ),
        (
            "  - {type: azurerm_nat_gateway, name: n, properties: {name: n, location: westeurope, resource_group_name: rg}}\n",
            "  - {type: azurerm_nat_gateway, name: n, properties: {name: n, location: westeurope, resource_group_name: rg, sku_name: StandardV2}}\n",
            "sku_name",
        ),
    ] {
        assert_eq!(
            action_and_forced(&provider_plan_of(az, old, new)),
            (Action::Replace, vec![forced.to_string()]),
            "{new}"
        );
    }
    // private_endpoint.ip_configuration is a block whose fields are all ForceNew.
    let pe = "  - {type: azurerm_private_endpoint, name: e, properties: {name: e, location: westeurope, resource_group_name: rg, subnet_id: s, private_service_connection: {name: c, is_manual_connection: false}, ip_configuration: {name: i, private_ip_address: 10.0.0.5}}}\n";
    assert_eq!(
        provider_plan_of(az, pe, &pe.replace("10.0.0.5", "10.0.0.6")).resource_changes[0].action,
        Action::Replace
    );

    // A removed one is an update: the flow log's network_security_group_id has no ForceNew in 4.x.
    let fl = "  - {type: azurerm_network_watcher_flow_log, name: f, properties: {name: f, network_watcher_name: w, resource_group_name: rg, storage_account_id: s, enabled: true, retention_policy: {enabled: false, days: 0}, network_security_group_id: a}}\n";
    assert_eq!(
        action_and_forced(&provider_plan_of(
            az,
            fl,
            &fl.replace("group_id: a", "group_id: b")
        )),
        (Action::Update, vec![])
    );

    // Schema defaults written change nothing.
    for (old, new) in [
        (
            "  - {type: azurerm_mysql_flexible_server, name: m, properties: {name: m, location: westeurope, resource_group_name: rg}}\n",
            "  - {type: azurerm_mysql_flexible_server, name: m, properties: {name: m, location: westeurope, resource_group_name: rg, geo_redundant_backup_enabled: false}}\n",
        ),
        (
            "  - {type: azurerm_nat_gateway, name: n, properties: {name: n, location: westeurope, resource_group_name: rg}}\n",
            "  - {type: azurerm_nat_gateway, name: n, properties: {name: n, location: westeurope, resource_group_name: rg, sku_name: Standard}}\n",
        ),
        (
            "  - {type: azurerm_storage_container, name: c, properties: {name: c, storage_account_id: s}}\n",
            "  - {type: azurerm_storage_container, name: c, properties: {name: c, storage_account_id: s, encryption_scope_override_enabled: true}}\n",
        ),
    ] {
        assert_eq!(
            provider_plan_of(az, old, new).resource_changes[0].action,
            Action::NoOp,
            "{new}"
        );
    }
}

#[test]
fn google_source_audited_force_new_arguments() {
    // catalog/gcp.yaml cites the google resource sources these come from.
    let gcp = "provider: gcp\nregion: europe-west1\n";
    // google_container_cluster.confidential_nodes and node_pool are ForceNew blocks.
    let gke = "  - {type: google_container_cluster, name: k, properties: {name: k, location: europe-west1, initial_node_count: 1}}\n";
    let conf = gke.replace(
        "initial_node_count: 1",
        "initial_node_count: 1, confidential_nodes: {enabled: true}",
    );
    let plan = provider_plan_of(gcp, gke, &conf);
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["confidential_nodes".to_string()])
    );
    assert_eq!(
        plan.resource_changes[0].replace_reasons,
        ["`confidential_nodes` changes, and changing it forces google_container_cluster to be replaced"]
    );
    let pools = |n: u32| {
        gke.replace(
            "initial_node_count: 1",
            &format!("node_pool: [{{name: a, node_count: {n}}}]"),
        )
    };
    assert_eq!(
        provider_plan_of(gcp, &pools(1), &pools(2)).resource_changes[0].action,
        Action::Replace
    );
    // google_sql_database_instance.clone is neither ForceNew nor forced new by CustomizeDiff.
    let sql = "  - {type: google_sql_database_instance, name: d, properties: {name: d, database_version: POSTGRES_16, clone: {source_instance_name: a}}}\n";
    let plan = provider_plan_of(gcp, sql, &sql.replace("name: a", "name: b"));
    assert_eq!(action_and_forced(&plan), (Action::Update, vec![]));
}

#[test]
fn google_source_audited_force_new_corrections() {
    // catalog/gcp.yaml cites the hashicorp/terraform-provider-google sources these come from.
    let gcp = "provider: gcp\nregion: europe-west1\n";
    // ForceNew arguments the hand-curated lists had missed replace, with their reason.
    for (old, new, forced, ty) in [
        (
            "  - {type: google_compute_instance, name: v, properties: {name: v, machine_type: e2-small, zone: europe-west1-b, boot_disk: {initialize_params: {image: debian-12}}, network_interface: [{network: default}], description: a}}\n",
            "  - {type: google_compute_instance, name: v, properties: {name: v, machine_type: e2-small, zone: europe-west1-b, boot_disk: {initialize_params: {image: debian-12}}, network_interface: [{network: default}], description: b}}\n",
            "description",
            "google_compute_instance",
        ),
        (
            "  - {type: google_compute_target_http_proxy, name: p, properties: {name: p, url_map: m, http_keep_alive_timeout_sec: 610}}\n",
            "  - {type: google_compute_target_http_proxy, name: p, properties: {name: p, url_map: m, http_keep_alive_timeout_sec: 600}}\n",
            "http_keep_alive_timeout_sec",
            "google_compute_target_http_proxy",
        ),
        (
            "  - {type: google_secret_manager_secret, name: s, properties: {secret_id: s, replication: {auto: {}}, ttl: 3600s}}\n",
            "  - {type: google_secret_manager_secret, name: s, properties: {secret_id: s, replication: {auto: {}}, ttl: 7200s}}\n",
            "ttl",
            "google_secret_manager_secret",
        ),
    ] {
        let plan = provider_plan_of(gcp, old, new);
        assert_eq!(
            action_and_forced(&plan),
            (Action::Replace, vec![forced.to_string()]),
            "{new}"
        );
        assert_eq!(
            plan.resource_changes[0].replace_reasons,
            [format!(
                "`{forced}` changes, and changing it forces {ty} to be replaced"
            )]
        );
    }
    // Arguments the lists had that are not ForceNew are in-place updates.
    for (old, new) in [
        (
            "  - {type: google_compute_firewall, name: f, properties: {name: f, network: a, source_ranges: [10.0.0.0/8], allow: [{protocol: tcp}]}}\n",
            "  - {type: google_compute_firewall, name: f, properties: {name: f, network: b, source_ranges: [10.0.0.0/8], allow: [{protocol: tcp}]}}\n",
        ),
        (
            "  - {type: google_kms_crypto_key, name: k, properties: {name: k, key_ring: r, skip_initial_version_creation: false}}\n",
            "  - {type: google_kms_crypto_key, name: k, properties: {name: k, key_ring: r, skip_initial_version_creation: true}}\n",
        ),
        (
            "  - {type: google_compute_instance_group_manager, name: g, properties: {name: g, base_instance_name: g, zone: europe-west1-b, version: [{instance_template: t}], description: a}}\n",
            "  - {type: google_compute_instance_group_manager, name: g, properties: {name: g, base_instance_name: g, zone: europe-west1-b, version: [{instance_template: t}], description: b}}\n",
        ),
    ] {
        assert_eq!(
            action_and_forced(&provider_plan_of(gcp, old, new)),
            (Action::Update, vec![]),
            "{new}"
        );
    }
    // Schema defaults of force-new arguments: writing the default is no change.
    for (old, new) in [
        (
            "  - {type: google_compute_disk, name: d, properties: {name: d, zone: europe-west1-b}}\n",
            "  - {type: google_compute_disk, name: d, properties: {name: d, zone: europe-west1-b, type: pd-standard}}\n",
        ),
        (
            "  - {type: google_redis_instance, name: r, properties: {name: r, memory_size_gb: 1}}\n",
            "  - {type: google_redis_instance, name: r, properties: {name: r, memory_size_gb: 1, tier: BASIC}}\n",
        ),
    ] {
        assert_eq!(
            provider_plan_of(gcp, old, new).resource_changes[0].action,
            Action::NoOp,
            "{new}"
        );
    }
}

#[test]
fn google_load_balancer_audit_corrections() {
    // catalog/gcp.yaml: google_compute_security_policy.type is ForceNew in the provider source;
    // load_balancing_scheme of the backend service and the global forwarding rule is updated in
    // place since 6.36.0 (the EXTERNAL to EXTERNAL_MANAGED migration).
    let gcp = "provider: gcp\nregion: europe-west1\n";
    let policy = "  - {type: google_compute_security_policy, name: p, properties: {name: p, type: CLOUD_ARMOR}}\n";
    let plan = provider_plan_of(
        gcp,
        policy,
        &policy.replace("CLOUD_ARMOR", "CLOUD_ARMOR_EDGE"),
    );
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["type".to_string()])
    );
    for old in [
        "  - {type: google_compute_backend_service, name: b, properties: {name: b, load_balancing_scheme: EXTERNAL}}\n",
        "  - {type: google_compute_global_forwarding_rule, name: f, properties: {name: f, target: t, load_balancing_scheme: EXTERNAL}}\n",
    ] {
        let new = old.replace("EXTERNAL}", "EXTERNAL_MANAGED}");
        assert_eq!(
            action_and_forced(&provider_plan_of(gcp, old, &new)),
            (Action::Update, vec![]),
            "{new}"
        );
    }
}

#[test]
fn aws_db_instance_identifier_is_updated_in_place() {
    // hashicorp/terraform-provider-aws 5.x/6.x: identifier and identifier_prefix are Optional and
    // Computed without ForceNew (the rename goes through ModifyDBInstance); catalog/aws.yaml.
    let db = "resources:\n  - {type: aws_db_instance, name: db, properties: {identifier: a, engine: mysql, instance_class: db.t3.micro, allocated_storage: 20, username: admin}}\n";
    for new in [
        db.replace("identifier: a", "identifier: b"),
        db.replace("identifier: a", "identifier_prefix: b-"),
    ] {
        let plan = plan_of(db, &new);
        assert_eq!(action_and_forced(&plan), (Action::Update, vec![]), "{new}");
    }
}

#[test]
fn aws_source_audited_force_new_corrections() {
    // catalog/aws.yaml cites the hashicorp/terraform-provider-aws sources these come from.
    // aws_elasticache_replication_group.security_group_names is ForceNew (CloudFormation missed it).
    let rg = "resources:\n  - {type: aws_elasticache_replication_group, name: r, properties: {replication_group_id: r, description: r, node_type: cache.t3.micro, security_group_names: [a]}}\n";
    let plan = plan_of(rg, &rg.replace("[a]", "[b]"));
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["security_group_names[0]".to_string()])
    );
    assert_eq!(
        plan.resource_changes[0].replace_reasons,
        ["`security_group_names` changes, and changing it forces aws_elasticache_replication_group to be replaced"]
    );
    // ...and preferred_cache_cluster_azs is not ForceNew: an in-place update.
    let azs = rg.replace(
        "security_group_names: [a]",
        "preferred_cache_cluster_azs: [us-east-1a, us-east-1b]",
    );
    let plan = plan_of(&azs, &azs.replace("us-east-1b", "us-east-1c"));
    assert_eq!(action_and_forced(&plan), (Action::Update, vec![]));

    // Arguments CloudFormation has createOnly that the provider updates in place, or forces new
    // only for some values (named in the catalog comments), are updates.
    for (old, new) in [
        (
            "resources:\n  - {type: aws_eip, name: e, properties: {domain: vpc, customer_owned_ipv4_pool: p1}}\n",
            "resources:\n  - {type: aws_eip, name: e, properties: {domain: vpc, customer_owned_ipv4_pool: p2}}\n",
        ),
        (
            "resources:\n  - {type: aws_dynamodb_table, name: t, properties: {name: t, hash_key: id, restore_source_name: a}}\n",
            "resources:\n  - {type: aws_dynamodb_table, name: t, properties: {name: t, hash_key: id}}\n",
        ),
        (
            "resources:\n  - {type: aws_dynamodb_table, name: t, properties: {name: t, hash_key: id}}\n",
            "resources:\n  - {type: aws_dynamodb_table, name: t, properties: {name: t, hash_key: id, import_table: {input_format: CSV, s3_bucket_source: {bucket: b}}}}\n",
        ),
        (
            "resources:\n  - {type: aws_eks_cluster, name: k, properties: {name: k, role_arn: r, vpc_config: {subnet_ids: [s]}}}\n",
            "resources:\n  - {type: aws_eks_cluster, name: k, properties: {name: k, role_arn: r, vpc_config: {subnet_ids: [s]}, encryption_config: {resources: [secrets], provider: {key_arn: k}}}}\n",
        ),
    ] {
        assert_eq!(
            action_and_forced(&plan_of(old, new)),
            (Action::Update, vec![]),
            "{new}"
        );
    }

    // Schema defaults of force-new arguments: writing the default is no change, another value
    // replaces.
    let kms = "resources:\n  - {type: aws_kms_key, name: k, properties: {description: k}}\n";
    let usage = |u: &str| kms.replace("description: k", &format!("description: k, key_usage: {u}"));
    assert_eq!(
        plan_of(kms, &usage("ENCRYPT_DECRYPT")).resource_changes[0].action,
        Action::NoOp
    );
    assert_eq!(
        action_and_forced(&plan_of(kms, &usage("SIGN_VERIFY"))),
        (Action::Replace, vec!["key_usage".to_string()])
    );
    let role = "resources:\n  - {type: aws_iam_role, name: r, properties: {name: r, assume_role_policy: '{}'}}\n";
    assert_eq!(
        plan_of(
            role,
            &role.replace("assume_role_policy", "path: /, assume_role_policy")
        )
        .resource_changes[0]
            .action,
        Action::NoOp
    );
    assert_eq!(
        plan_of(
            role,
            &role.replace("assume_role_policy", "path: /svc/, assume_role_policy")
        )
        .resource_changes[0]
            .action,
        Action::Replace
    );
}

#[test]
fn aws_source_audited_force_new_corrections_second_pass() {
    // catalog/aws.yaml cites the hashicorp/terraform-provider-aws sources these come from.
    // aws_autoscaling_group.initial_lifecycle_hook is ForceNew (the CloudFormation-derived list
    // missed it).
    let asg = "resources:\n  - {type: aws_autoscaling_group, name: g, properties: {name: g, max_size: 2, min_size: 1, initial_lifecycle_hook: [{name: h, lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', heartbeat_timeout: 60}]}}\n";
    let plan = plan_of(
        asg,
        &asg.replace("heartbeat_timeout: 60", "heartbeat_timeout: 120"),
    );
    assert_eq!(plan.resource_changes[0].action, Action::Replace);
    assert_eq!(
        plan.resource_changes[0].replace_reasons,
        ["`initial_lifecycle_hook` changes, and changing it forces aws_autoscaling_group to be replaced"]
    );
    // ...while the sizes are updated in place.
    let plan = plan_of(asg, &asg.replace("max_size: 2", "max_size: 3"));
    assert_eq!(action_and_forced(&plan), (Action::Update, vec![]));
    // aws_acm_certificate.validation_method is ForceNew as well (also missed).
    let cert = "resources:\n  - {type: aws_acm_certificate, name: c, properties: {domain_name: example.com, validation_method: DNS}}\n";
    let plan = plan_of(cert, &cert.replace("DNS", "EMAIL"));
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["validation_method".to_string()])
    );
    // aws_apigatewayv2_api.credentials_arn, route_key and target are ForceNew (also missed).
    let api = "resources:\n  - {type: aws_apigatewayv2_api, name: a, properties: {name: a, protocol_type: HTTP, target: arn:aws:lambda:us-east-1:1:function:f}}\n";
    let plan = plan_of(api, &api.replace("function:f", "function:g"));
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["target".to_string()])
    );

    // The schema Default "/" of the force-new path of aws_iam_policy and
    // aws_iam_instance_profile: writing it is no change, another path replaces.
    for base in [
        "resources:\n  - {type: aws_iam_policy, name: p, properties: {name: p, policy: '{}'}}\n",
        "resources:\n  - {type: aws_iam_instance_profile, name: p, properties: {name: p}}\n",
    ] {
        let with_path = |path: &str| base.replace("{name: p", &format!("{{name: p, path: {path}"));
        assert_eq!(
            plan_of(base, &with_path("/")).resource_changes[0].action,
            Action::NoOp,
            "{base}"
        );
        assert_eq!(
            action_and_forced(&plan_of(base, &with_path("/svc/"))),
            (Action::Replace, vec!["path".to_string()]),
            "{base}"
        );
    }

    // Arguments the sources update in place stay updates, among them
    // aws_route53_record.set_identifier, which the CloudFormation-derived list had force-new.
    for (old, new) in [
        (
            "resources:\n  - {type: aws_route53_record, name: r, properties: {zone_id: z, name: www, type: A, ttl: 60, records: [10.0.0.1], set_identifier: a, weighted_routing_policy: {weight: 1}}}\n",
            "resources:\n  - {type: aws_route53_record, name: r, properties: {zone_id: z, name: www, type: A, ttl: 60, records: [10.0.0.1], set_identifier: b, weighted_routing_policy: {weight: 1}}}\n",
        ),
        (
            "resources:\n  - {type: aws_internet_gateway, name: i, properties: {vpc_id: vpc-1}}\n",
            "resources:\n  - {type: aws_internet_gateway, name: i, properties: {vpc_id: vpc-2}}\n",
        ),
        (
            "resources:\n  - {type: aws_route_table_association, name: a, properties: {subnet_id: s, route_table_id: rt-1}}\n",
            "resources:\n  - {type: aws_route_table_association, name: a, properties: {subnet_id: s, route_table_id: rt-2}}\n",
        ),
        (
            "resources:\n  - {type: aws_vpc_security_group_ingress_rule, name: r, properties: {security_group_id: sg, ip_protocol: tcp, from_port: 80, to_port: 80, cidr_ipv4: 10.0.0.0/8}}\n",
            "resources:\n  - {type: aws_vpc_security_group_ingress_rule, name: r, properties: {security_group_id: sg, ip_protocol: tcp, from_port: 443, to_port: 443, cidr_ipv4: 10.0.0.0/16}}\n",
        ),
    ] {
        assert_eq!(
            action_and_forced(&plan_of(old, new)),
            (Action::Update, vec![]),
            "{new}"
        );
    }
}

#[test]
fn aws_instance_and_security_group_rule_source_audit() {
    // catalog/aws.yaml cites the hashicorp/terraform-provider-aws sources these come from.
    // aws_instance.ipv6_address_count is updated in place (Assign/UnassignIpv6Addresses), so it
    // is no longer force-new; ipv6_addresses still is, and instance_type is an update.
    let vm = "resources:\n  - {type: aws_instance, name: vm, properties: {ami: ami-1, instance_type: t3.micro, subnet_id: s, ipv6_address_count: 1}}\n";
    let plan = plan_of(
        vm,
        &vm.replace("ipv6_address_count: 1", "ipv6_address_count: 2"),
    );
    assert_eq!(action_and_forced(&plan), (Action::Update, vec![]));
    let plan = plan_of(vm, &vm.replace("t3.micro", "t3.small"));
    assert_eq!(action_and_forced(&plan), (Action::Update, vec![]));
    let with_addresses =
        |a: &str| vm.replace("ipv6_address_count: 1", &format!("ipv6_addresses: ['{a}']"));
    let plan = plan_of(
        &with_addresses("2001:db8::1"),
        &with_addresses("2001:db8::2"),
    );
    assert_eq!(
        action_and_forced(&plan),
        (Action::Replace, vec!["ipv6_addresses[0]".to_string()])
    );

    // aws_security_group_rule.self has the schema Default false: writing it is no change, true
    // replaces; description is the only argument updated in place.
    let rule = "resources:\n  - {type: aws_security_group_rule, name: r, properties: {type: ingress, from_port: 443, to_port: 443, protocol: tcp, security_group_id: sg-1, prefix_list_ids: [pl-1]}}\n";
    let with_self =
        |v: &str| rule.replace("prefix_list_ids", &format!("self: {v}, prefix_list_ids"));
    assert_eq!(
        plan_of(rule, &with_self("false")).resource_changes[0].action,
        Action::NoOp
    );
    assert_eq!(
        action_and_forced(&plan_of(rule, &with_self("true"))),
        (Action::Replace, vec!["self".to_string()])
    );
    let described = rule.replace("prefix_list_ids", "description: https, prefix_list_ids");
    assert_eq!(
        action_and_forced(&plan_of(rule, &described)),
        (Action::Update, vec![])
    );
}
