#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The check reads each resource once and leaves references to resources declared further down
//! (and explicit dependencies) to a second pass: findings must still come out resource by
//! resource, each resource's in the order properties, references, lifecycle, dependencies.

use iac_dharma::{Blueprint, Code, ErrorKind};

#[test]
fn findings_keep_document_order_across_forward_references() {
    let text = r#"
name: order
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_vpc
    name: a
    properties:
      bogus_arg: 1
      cidr_block: 10.0.0.0/16
      tags: {Name: "${b.bogus}", Other: "${a.nope}"}
    lifecycle: {ignore_changes: [nope_arg]}
    dependencies: [zzz]
  - type: aws_subnet
    name: b
    properties: {vpc_id: "${a.id}", cidr_block: "${a.wrong_attr}"}
    dependencies: [a]
"#;
    let err = Blueprint::from_yaml(text)
        .unwrap()
        .into_checked()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Check, "{err}");
    let got: Vec<(Code, &str)> = err
        .findings()
        .iter()
        .map(|f| (f.code, f.path.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Code::UnknownArgument, "resources[0].properties.bogus_arg"),
            (Code::UnknownAttribute, "resources[0].properties.tags.Name"),
            (Code::UnknownAttribute, "resources[0].properties.tags.Other"),
            (
                Code::UnknownArgument,
                "resources[0].lifecycle.ignore_changes[0]"
            ),
            (Code::UnknownDependency, "resources[0].dependencies[0]"),
            (Code::UnknownAttribute, "resources[1].properties.cidr_block"),
            // a -> a (`${a.nope}` in its own tags), its own mistake, and the loop a -> b (tags),
            // b -> a (vpc_id): the cycles come after every resource's findings.
            (Code::DependencyCycle, "resources[0]"),
            (Code::DependencyCycle, "resources[0]"),
        ],
        "{err}"
    );
    let cycles: Vec<&str> = err
        .findings()
        .iter()
        .filter(|f| f.code == Code::DependencyCycle)
        .map(|f| f.message.as_str())
        .collect();
    assert!(cycles[0].contains("cycle: a -> a "), "{cycles:?}");
    assert!(cycles[1].contains("cycle: a -> b -> a "), "{cycles:?}");
}

#[test]
fn forward_references_make_the_same_graph_as_backward_ones() {
    let text = r#"
name: order
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_subnet
    name: s
    properties: {vpc_id: "${v.id}", cidr_block: 10.0.1.0/24}
    dependencies: [v]
  - type: aws_vpc
    name: v
    properties: {cidr_block: 10.0.0.0/16}
"#;
    let bp = iac_dharma::parse(text).unwrap();
    assert_eq!(bp.graph().waves(), &[vec![1], vec![0]]);
    assert_eq!(bp.graph().dependencies(0), vec![1]);
    let edges: Vec<_> = bp.graph().edges();
    assert_eq!(edges.len(), 1, "{edges:?}");
    assert_eq!(edges[0].kind, iac_dharma::EdgeKind::Both);
}
