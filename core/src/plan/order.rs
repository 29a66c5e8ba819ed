//! Ordering a plan's actions into waves.
//!
//! Every instance present in the new blueprint has a *create/update* node, every instance present
//! in the old one a *delete* node; nodes of instances that do nothing on that side (a no-op, or the
//! old side of an update) are pass-through: they carry order but are not steps and take no time.
//! Edges ("runs before"):
//!
//! 1. new blueprint, X depends on Y: create/update of Y → create/update of X;
//! 2. old blueprint, X depended on Y: delete of X → delete of Y (reverse order);
//! 3. replace, destroy first: delete of X → create of X;
//! 4. replace with create-before-destroy: create of X → delete of X. A resource is handled
//!    create-before-destroy when it sets `lifecycle.create_before_destroy` or when anything that
//!    depends on it (transitively, on either side) does — Terraform's forced create-before-destroy,
//!    without which rules 1–4 could form a cycle;
//! 5. when they add no cycle: an update of X before the delete of Y it used to depend on, when Y
//!    is deleted or replaced create-first (X lets go of the old Y first); and the delete of X before
//!    the update of Y it depended on.
//!
//! A step's wave is the longest chain of real steps before it, so pass-through nodes never delay
//! anything; every step's predecessors are in earlier waves.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::error::{Code, Error, ErrorKind, Finding, Result};

use super::model::{Action, PlanStep, ResourceChange, StepAction};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Update,
    Delete,
    /// Pass-through on the new side (no-op).
    PassNew,
    /// Pass-through on the old side (no-op, or the old side of an update).
    PassOld,
}

struct Node {
    change: usize,
    kind: Kind,
}

impl Node {
    fn real(&self) -> bool {
        matches!(self.kind, Kind::Create | Kind::Update | Kind::Delete)
    }
}

struct Dag {
    nodes: Vec<Node>,
    succ: Vec<Vec<usize>>,
}

impl Dag {
    fn add_node(&mut self, change: usize, kind: Kind) -> usize {
        self.nodes.push(Node { change, kind });
        self.succ.push(Vec::new());
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize) {
        if let Some(s) = self.succ.get_mut(from) {
            s.push(to);
        }
    }

    /// Is `to` reachable from `from`?
    fn reaches(&self, from: usize, to: usize) -> bool {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if let Some(s) = seen.get_mut(n) {
                if *s {
                    continue;
                }
                *s = true;
            }
            if let Some(next) = self.succ.get(n) {
                stack.extend(next.iter().copied());
            }
        }
        false
    }
}

/// Names of resources that must be replaced create-before-destroy: those that ask for it and,
/// transitively, everything they depend on (on either side).
fn forced_cbd(changes: &[ResourceChange]) -> HashSet<String> {
    let mut name_of: HashMap<&str, &str> = HashMap::new();
    let mut own: HashMap<&str, bool> = HashMap::new();
    let mut deps: HashMap<&str, HashSet<&str>> = HashMap::new();
    for c in changes {
        if let Some(a) = &c.facts.resource_after {
            name_of.insert(a, &c.name);
        }
        if let Some(b) = &c.facts.resource_before {
            name_of.insert(b, &c.name);
        }
    }
    for c in changes {
        let present_after = c.facts.resource_after.is_some();
        let flag = if present_after {
            c.facts.own_cbd_after
        } else {
            c.facts.own_cbd_before
        };
        let e = own.entry(&c.name).or_insert(false);
        *e |= flag;
        let d = deps.entry(&c.name).or_default();
        for a in c.depends_on.iter().chain(&c.prior_depends_on) {
            if let Some(n) = name_of.get(a.as_str()) {
                d.insert(n);
            }
        }
    }
    let mut marked: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<&str> = own.iter().filter(|(_, &f)| f).map(|(n, _)| *n).collect();
    while let Some(n) = queue.pop_front() {
        if !marked.insert(n.to_string()) {
            continue;
        }
        if let Some(ds) = deps.get(n) {
            queue.extend(ds.iter().copied().filter(|d| !marked.contains(*d)));
        }
    }
    marked
}

/// Sets each change's Terraform `actions` and create-before-destroy flag, and computes the waves.
///
/// # Errors
/// A [`ErrorKind::Plan`] error (`plan_cycle`) if the actions cannot be ordered, naming them.
pub(crate) fn order_plan(changes: &mut [ResourceChange]) -> Result<Vec<Vec<PlanStep>>> {
    let cbd = forced_cbd(changes);
    for c in changes.iter_mut() {
        c.create_before_destroy = c.action == Action::Replace && cbd.contains(&c.name);
        c.change.actions = match c.action {
            Action::NoOp => vec!["no-op"],
            Action::Create => vec!["create"],
            Action::Update => vec!["update"],
            Action::Delete => vec!["delete"],
            Action::Replace if c.create_before_destroy => vec!["create", "delete"],
            Action::Replace => vec!["delete", "create"],
        };
    }
    let mut dag = Dag {
        nodes: Vec::with_capacity(changes.len() * 2),
        succ: Vec::with_capacity(changes.len() * 2),
    };
    // new[c] / old[c]: the node of change c on each side.
    let mut new_node: Vec<Option<usize>> = vec![None; changes.len()];
    let mut old_node: Vec<Option<usize>> = vec![None; changes.len()];
    let mut by_new_resource: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_old_resource: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        let (new_kind, old_kind) = match c.action {
            Action::NoOp => (Some(Kind::PassNew), Some(Kind::PassOld)),
            Action::Create => (Some(Kind::Create), None),
            Action::Update => (Some(Kind::Update), Some(Kind::PassOld)),
            Action::Delete => (None, Some(Kind::Delete)),
            Action::Replace => (Some(Kind::Create), Some(Kind::Delete)),
        };
        if let (Some(k), Some(addr)) = (new_kind, &c.facts.resource_after) {
            new_node[i] = Some(dag.add_node(i, k));
            by_new_resource.entry(addr).or_default().push(i);
        }
        if let (Some(k), Some(addr)) = (old_kind, &c.facts.resource_before) {
            old_node[i] = Some(dag.add_node(i, k));
            by_old_resource.entry(addr).or_default().push(i);
        }
    }
    let node = |v: &[Option<usize>], i: usize| v.get(i).copied().flatten();
    let kind_of = |dag: &Dag, n: usize| dag.nodes.get(n).map(|x| x.kind);
    // Rules 1 and 2.
    for (x, c) in changes.iter().enumerate() {
        if let Some(nx) = node(&new_node, x) {
            for dep in &c.depends_on {
                for &y in by_new_resource.get(dep.as_str()).into_iter().flatten() {
                    if let Some(ny) = node(&new_node, y) {
                        dag.edge(ny, nx);
                    }
                }
            }
        }
        if let Some(ox) = node(&old_node, x) {
            for dep in &c.prior_depends_on {
                for &y in by_old_resource.get(dep.as_str()).into_iter().flatten() {
                    if let Some(oy) = node(&old_node, y) {
                        dag.edge(ox, oy);
                    }
                }
            }
        }
    }
    // Rules 3 and 4.
    for (x, c) in changes.iter().enumerate() {
        if c.action == Action::Replace {
            if let (Some(n), Some(o)) = (node(&new_node, x), node(&old_node, x)) {
                if c.create_before_destroy {
                    dag.edge(n, o);
                } else {
                    dag.edge(o, n);
                }
            }
        }
    }
    // Rule 5, only where it adds no cycle.
    for (x, c) in changes.iter().enumerate() {
        let nx = node(&new_node, x);
        let ox = node(&old_node, x);
        for dep in &c.prior_depends_on {
            for &y in by_old_resource.get(dep.as_str()).into_iter().flatten() {
                let Some(yc) = changes.get(y) else { continue };
                if c.action == Action::Update {
                    let lets_go = yc.action == Action::Delete
                        || (yc.action == Action::Replace && yc.create_before_destroy);
                    if let (true, Some(from), Some(to)) = (lets_go, nx, node(&old_node, y)) {
                        if !dag.reaches(to, from) {
                            dag.edge(from, to);
                        }
                    }
                }
                if c.action == Action::Delete && yc.action == Action::Update {
                    if let (Some(from), Some(to)) = (ox, node(&new_node, y)) {
                        if kind_of(&dag, to) == Some(Kind::Update) && !dag.reaches(to, from) {
                            dag.edge(from, to);
                        }
                    }
                }
            }
        }
    }
    waves(&dag, changes)
}

/// Layers of real steps by the longest chain of real steps before each.
fn waves(dag: &Dag, changes: &[ResourceChange]) -> Result<Vec<Vec<PlanStep>>> {
    let n = dag.nodes.len();
    let mut indegree = vec![0usize; n];
    for s in &dag.succ {
        for &t in s {
            if let Some(d) = indegree.get_mut(t) {
                *d += 1;
            }
        }
    }
    let mut level = vec![0usize; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut done = 0usize;
    while let Some(i) = queue.pop_front() {
        done += 1;
        let (Some(node), Some(succ)) = (dag.nodes.get(i), dag.succ.get(i)) else {
            continue;
        };
        let next_level = level[i] + usize::from(node.real());
        for &t in succ {
            if let Some(l) = level.get_mut(t) {
                *l = (*l).max(next_level);
            }
            if let Some(d) = indegree.get_mut(t) {
                *d -= 1;
                if *d == 0 {
                    queue.push_back(t);
                }
            }
        }
    }
    if done < n {
        let stuck: Vec<String> = (0..n)
            .filter(|&i| indegree[i] > 0)
            .filter_map(|i| dag.nodes.get(i))
            .filter(|x| x.real())
            .filter_map(|x| changes.get(x.change).map(|c| c.address.clone()))
            .take(10)
            .collect();
        return Err(Error::single(
            ErrorKind::Plan,
            Finding::error(
                Code::PlanCycle,
                "",
                format!(
                    "the actions cannot be ordered: they wait on each other ({})",
                    stuck.join(", ")
                ),
            ),
        ));
    }
    let mut by_level: Vec<Vec<(usize, u8, usize)>> = Vec::new();
    for (i, node) in dag.nodes.iter().enumerate() {
        if !node.real() {
            continue;
        }
        let l = level[i];
        while by_level.len() <= l {
            by_level.push(Vec::new());
        }
        let rank = match node.kind {
            Kind::Delete => 0u8,
            Kind::Create => 1,
            _ => 2,
        };
        if let Some(w) = by_level.get_mut(l) {
            w.push((node.change, rank, i));
        }
    }
    Ok(by_level
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(|mut w| {
            w.sort_unstable();
            w.into_iter()
                .filter_map(|(c, _, i)| {
                    let action = match dag.nodes.get(i)?.kind {
                        Kind::Create => StepAction::Create,
                        Kind::Update => StepAction::Update,
                        _ => StepAction::Delete,
                    };
                    Some(PlanStep {
                        address: changes.get(c)?.address.clone(),
                        action,
                    })
                })
                .collect()
        })
        .collect())
}
