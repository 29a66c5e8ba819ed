//! The dependency graph of a blueprint's resources: edges from explicit `dependencies` and from
//! references found anywhere in property values; creation order; parallel waves; cycles;
//! transitive dependents ("blast radius").

use std::collections::{BTreeSet, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;
use serde::Serialize;

/// Why one resource depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// A property references the other resource.
    Reference,
    /// The resource lists the other in `dependencies`.
    Explicit,
    /// Both.
    Both,
}

impl EdgeKind {
    fn merge(self, other: EdgeKind) -> EdgeKind {
        if self == other {
            self
        } else {
            EdgeKind::Both
        }
    }

    /// The string form used in JSON (`reference`, `explicit`, `both`).
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Reference => "reference",
            EdgeKind::Explicit => "explicit",
            EdgeKind::Both => "both",
        }
    }
}

/// A resource depends on another (both by index into the blueprint's `resources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Edge {
    /// The resource that depends.
    pub dependent: usize,
    /// The resource it depends on (created first, destroyed last).
    pub dependency: usize,
    /// Why.
    pub kind: EdgeKind,
}

/// A dependency cycle, as resource indices: each depends on the next, and the last on the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The resources on the cycle, starting with the lowest index.
    pub path: Vec<usize>,
}

/// The dependency graph of a checked blueprint. Nodes are resource indices.
#[derive(Debug, Clone)]
pub struct DependencyGraph {
    /// Edges point from a dependent to its dependency ("depends on"), as `terraform graph` draws them.
    graph: DiGraph<(), EdgeKind, u32>,
    order: Vec<usize>,
    waves: Vec<Vec<usize>>,
    wave_of: Vec<usize>,
}

impl DependencyGraph {
    /// Builds the graph of `n` resources from `(dependent, dependency, kind)` edges. Duplicate
    /// edges are merged.
    ///
    /// # Errors
    /// Every dependency cycle (one per strongly connected group), when there is any.
    pub fn build(
        n: usize,
        edges: impl IntoIterator<Item = (usize, usize, EdgeKind)>,
    ) -> Result<DependencyGraph, Vec<Cycle>> {
        let mut graph = DiGraph::<(), EdgeKind, u32>::with_capacity(n, n * 2);
        for _ in 0..n {
            graph.add_node(());
        }
        for (dependent, dependency, kind) in edges {
            if dependent >= n || dependency >= n {
                continue;
            }
            let (a, b) = (NodeIndex::new(dependent), NodeIndex::new(dependency));
            match graph.find_edge(a, b) {
                Some(e) => {
                    if let Some(w) = graph.edge_weight_mut(e) {
                        *w = w.merge(kind);
                    }
                }
                None => {
                    graph.add_edge(a, b, kind);
                }
            }
        }
        let cycles = find_cycles(&graph);
        if !cycles.is_empty() {
            return Err(cycles);
        }
        // Waves by longest path from the roots (resources with no dependencies): a resource's wave
        // is one more than the latest wave among its dependencies. Kahn's algorithm in index order
        // keeps the result deterministic.
        let mut remaining: Vec<usize> = (0..n)
            .map(|i| {
                graph
                    .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
                    .count()
            })
            .collect();
        let mut wave_of = vec![0usize; n];
        let mut current: Vec<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
        let mut waves = Vec::new();
        while !current.is_empty() {
            let mut next = Vec::new();
            for &i in &current {
                for dependent in graph.neighbors_directed(NodeIndex::new(i), Direction::Incoming) {
                    let d = dependent.index();
                    remaining[d] -= 1;
                    if remaining[d] == 0 {
                        wave_of[d] = waves.len() + 1;
                        next.push(d);
                    }
                }
            }
            next.sort_unstable();
            waves.push(std::mem::replace(&mut current, next));
        }
        let order = waves.iter().flatten().copied().collect();
        Ok(DependencyGraph {
            graph,
            order,
            waves,
            wave_of,
        })
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// True when there are no resources.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Every resource, in an order where each comes after everything it depends on (wave by wave,
    /// declaration order within a wave).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Groups of resources that can be created in parallel: every resource's dependencies are in
    /// earlier waves.
    pub fn waves(&self) -> &[Vec<usize>] {
        &self.waves
    }

    /// The wave of a resource.
    pub fn wave_of(&self, resource: usize) -> Option<usize> {
        self.wave_of.get(resource).copied()
    }

    /// Direct dependencies of a resource, sorted.
    pub fn dependencies(&self, resource: usize) -> Vec<usize> {
        self.neighbors(resource, Direction::Outgoing)
    }

    /// Direct dependents of a resource (what depends on it), sorted.
    pub fn dependents(&self, resource: usize) -> Vec<usize> {
        self.neighbors(resource, Direction::Incoming)
    }

    fn neighbors(&self, resource: usize, dir: Direction) -> Vec<usize> {
        if resource >= self.len() {
            return Vec::new();
        }
        let mut v: Vec<usize> = self
            .graph
            .neighbors_directed(NodeIndex::new(resource), dir)
            .map(|n| n.index())
            .collect();
        v.sort_unstable();
        v
    }

    /// Every resource that depends on `resource`, directly or transitively (what a change to it
    /// can affect), sorted by index.
    pub fn blast_radius(&self, resource: usize) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([resource]);
        while let Some(i) = queue.pop_front() {
            for d in self.neighbors(i, Direction::Incoming) {
                if seen.insert(d) {
                    queue.push_back(d);
                }
            }
        }
        seen.remove(&resource);
        seen.into_iter().collect()
    }

    /// All edges, sorted by (dependent, dependency).
    pub fn edges(&self) -> Vec<Edge> {
        let mut v: Vec<Edge> = self
            .graph
            .raw_edges()
            .iter()
            .map(|e| Edge {
                dependent: e.source().index(),
                dependency: e.target().index(),
                kind: e.weight,
            })
            .collect();
        v.sort_by_key(|e| (e.dependent, e.dependency));
        v
    }

    /// Every edge as `(dependent, dependency)`, in the graph's own order (no copy, no sort).
    pub(crate) fn raw_edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.graph
            .raw_edges()
            .iter()
            .map(|e| (e.source().index(), e.target().index()))
    }
}

/// Every cycle of the graph: one per strongly connected component with more than one node, or a
/// node that depends on itself. Each is reported as a concrete path from its lowest index.
fn find_cycles(graph: &DiGraph<(), EdgeKind, u32>) -> Vec<Cycle> {
    let mut cycles = Vec::new();
    for component in petgraph::algo::tarjan_scc(graph) {
        let members: BTreeSet<usize> = component.iter().map(|n| n.index()).collect();
        if let Some(path) = loop_through_first(graph, &members) {
            cycles.push(Cycle { path });
        }
        // A resource that depends on itself is its own mistake, alone or inside a larger loop.
        for &m in &members {
            let node = NodeIndex::new(m);
            if graph.find_edge(node, node).is_some() {
                cycles.push(Cycle { path: vec![m] });
            }
        }
    }
    cycles.sort_by(|a, b| (a.path.first(), a.path.len()).cmp(&(b.path.first(), b.path.len())));
    cycles
}

/// The shortest loop through the first member of a component of two or more resources, over
/// other members (BFS in index order; self-edges are reported on their own).
fn loop_through_first(
    graph: &DiGraph<(), EdgeKind, u32>,
    members: &BTreeSet<usize>,
) -> Option<Vec<usize>> {
    let &start = members.iter().next()?;
    if members.len() < 2 {
        return None;
    }
    let mut parent: Vec<Option<usize>> = vec![None; graph.node_count()];
    let mut queue = VecDeque::from([start]);
    let mut found = None;
    'search: while let Some(i) = queue.pop_front() {
        let mut next: Vec<usize> = graph
            .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
            .map(|n| n.index())
            .filter(|&n| n != i && members.contains(&n))
            .collect();
        next.sort_unstable();
        for n in next {
            if n == start {
                found = Some(i);
                break 'search;
            }
            if parent[n].is_none() {
                parent[n] = Some(i);
                queue.push_back(n);
            }
        }
    }
    let mut path = Vec::new();
    let mut cursor = found;
    while let Some(i) = cursor {
        path.push(i);
        cursor = if i == start { None } else { parent[i] };
    }
    path.reverse();
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_and_order() {
        // 0 <- 1 <- 2, 0 <- 3
        let g = DependencyGraph::build(
            4,
            [
                (1, 0, EdgeKind::Reference),
                (2, 1, EdgeKind::Explicit),
                (3, 0, EdgeKind::Reference),
                (3, 0, EdgeKind::Explicit),
            ],
        )
        .unwrap();
        assert_eq!(g.waves(), &[vec![0], vec![1, 3], vec![2]]);
        assert_eq!(g.order(), &[0, 1, 3, 2]);
        assert_eq!(g.blast_radius(0), vec![1, 2, 3]);
        assert_eq!(g.dependencies(3), vec![0]);
        assert_eq!(g.edges().len(), 3);
        assert_eq!(g.edges()[2].kind, EdgeKind::Both);
    }

    #[test]
    fn reports_cycle_path() {
        let err = DependencyGraph::build(
            4,
            [
                (0, 1, EdgeKind::Reference),
                (1, 2, EdgeKind::Reference),
                (2, 0, EdgeKind::Reference),
                (3, 3, EdgeKind::Explicit),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec![
                Cycle {
                    path: vec![0, 1, 2]
                },
                Cycle { path: vec![3] }
            ]
        );
    }

    #[test]
    fn a_self_dependency_inside_a_larger_loop_is_reported_too() {
        // 1 -> 2 -> 1, and 2 -> 2; then 3 -> 4 -> 3 with 3 -> 3 on the loop's first member,
        // which the search for the loop must not take for the loop itself.
        let err = DependencyGraph::build(
            5,
            [
                (1, 2, EdgeKind::Explicit),
                (2, 1, EdgeKind::Explicit),
                (2, 2, EdgeKind::Explicit),
                (3, 3, EdgeKind::Reference),
                (3, 4, EdgeKind::Reference),
                (4, 3, EdgeKind::Reference),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec![
                Cycle { path: vec![1, 2] },
                Cycle { path: vec![2] },
                Cycle { path: vec![3] },
                Cycle { path: vec![3, 4] }
            ]
        );
    }
}
