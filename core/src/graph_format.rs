//! Renders a blueprint's dependency graph as Graphviz DOT, Mermaid or JSON.
//!
//! Edges point from a resource to what it depends on, as `terraform graph` draws them. Explicit
//! `dependencies` are dashed; references are solid.

use std::fmt::Write;
use std::str::FromStr;

use serde_json::json;

use crate::check::CheckedBlueprint;
use crate::graph::EdgeKind;

/// An output format for [`render_graph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// JSON: resources with their wave, edges, waves and creation order.
    Json,
}

impl FromStr for GraphFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dot" => Ok(GraphFormat::Dot),
            "mermaid" => Ok(GraphFormat::Mermaid),
            "json" => Ok(GraphFormat::Json),
            other => Err(format!(
                "unknown graph format `{other}`; expected dot, mermaid or json"
            )),
        }
    }
}

/// Renders the dependency graph of a checked blueprint.
///
/// ```
/// use iac_dharma::{parse, render_graph, GraphFormat};
/// let bp = parse(r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1",
///   "resources":[{"type":"aws_vpc","name":"main","properties":{"cidr_block":"10.0.0.0/16"}},
///                {"type":"aws_subnet","name":"a","properties":{"vpc_id":"${main.id}","cidr_block":"10.0.1.0/24"}}]}"#)?;
/// assert!(render_graph(&bp, GraphFormat::Dot).contains(r#""aws_subnet.a" -> "aws_vpc.main""#));
/// # Ok::<(), iac_dharma::Error>(())
/// ```
pub fn render_graph(bp: &CheckedBlueprint, format: GraphFormat) -> String {
    match format {
        GraphFormat::Dot => dot(bp),
        GraphFormat::Mermaid => mermaid(bp),
        GraphFormat::Json => {
            serde_json::to_string_pretty(&graph_json(bp)).unwrap_or_default() + "\n"
        }
    }
}

fn address(bp: &CheckedBlueprint, i: usize) -> &str {
    bp.resource_info(i)
        .map(|r| r.address.as_str())
        .unwrap_or("?")
}

fn name(bp: &CheckedBlueprint, i: usize) -> &str {
    bp.resources()
        .get(i)
        .map(|r| r.name.as_str())
        .unwrap_or("?")
}

/// DOT quoted-string escaping.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot(bp: &CheckedBlueprint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", dot_quote(&bp.blueprint().name));
    out.push_str("  rankdir = \"RL\";\n  node [shape = \"box\", fontname = \"Helvetica\"];\n");
    for (wave_no, wave) in bp.graph().waves().iter().enumerate() {
        let _ = writeln!(out, "  // wave {wave_no}");
        for &i in wave {
            let _ = writeln!(out, "  {};", dot_quote(address(bp, i)));
        }
    }
    for e in bp.graph().edges() {
        let style = match e.kind {
            EdgeKind::Explicit => " [style = \"dashed\"]",
            _ => "",
        };
        let _ = writeln!(
            out,
            "  {} -> {}{style};",
            dot_quote(address(bp, e.dependent)),
            dot_quote(address(bp, e.dependency))
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid(bp: &CheckedBlueprint) -> String {
    // Node ids are prefixed so that names such as `end` (a Mermaid keyword) stay valid.
    let mut out = String::from("flowchart RL\n");
    for &i in bp.graph().order() {
        let _ = writeln!(out, "  r_{}[\"{}\"]", name(bp, i), address(bp, i));
    }
    for e in bp.graph().edges() {
        let arrow = match e.kind {
            EdgeKind::Explicit => "-.->",
            _ => "-->",
        };
        let _ = writeln!(
            out,
            "  r_{} {arrow} r_{}",
            name(bp, e.dependent),
            name(bp, e.dependency)
        );
    }
    out
}

/// The graph as a JSON value (also used by the bindings).
pub fn graph_json(bp: &CheckedBlueprint) -> serde_json::Value {
    let g = bp.graph();
    let resources: Vec<_> = bp
        .iter()
        .map(|(i, r, info)| {
            json!({
                "name": r.name,
                "type": info.type_name,
                "address": info.address,
                "wave": g.wave_of(i),
                "depends_on": g.dependencies(i).into_iter().map(|d| name(bp, d)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let edges: Vec<_> = g
        .edges()
        .into_iter()
        .map(|e| {
            json!({
                "resource": name(bp, e.dependent),
                "depends_on": name(bp, e.dependency),
                "kind": e.kind.as_str(),
            })
        })
        .collect();
    let waves: Vec<Vec<&str>> = g
        .waves()
        .iter()
        .map(|w| w.iter().map(|&i| name(bp, i)).collect())
        .collect();
    let order: Vec<&str> = g.order().iter().map(|&i| name(bp, i)).collect();
    json!({
        "blueprint": bp.blueprint().name,
        "resources": resources,
        "edges": edges,
        "waves": waves,
        "order": order,
    })
}
