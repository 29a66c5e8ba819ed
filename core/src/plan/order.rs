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

use std::collections::{HashMap, VecDeque};

use crate::error::{Code, Error, ErrorKind, Finding, Result};

use super::diff::SideDeps;
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
    change: u32,
    kind: Kind,
}

impl Node {
    fn real(&self) -> bool {
        matches!(self.kind, Kind::Create | Kind::Update | Kind::Delete)
    }
}

/// The action DAG: nodes, and edges in compressed form (`edges[start[n]..start[n + 1]]` are the
/// successors of `n`) plus the few optional edges added afterwards.
struct Dag {
    nodes: Vec<Node>,
    start: Vec<u32>,
    edges: Vec<u32>,
    extra: HashMap<u32, Vec<u32>>,
}

impl Dag {
    fn successors(&self, n: u32) -> impl Iterator<Item = u32> + '_ {
        let i = n as usize;
        let (a, b) = (
            self.start.get(i).copied().unwrap_or(0) as usize,
            self.start.get(i + 1).copied().unwrap_or(0) as usize,
        );
        self.edges
            .get(a..b)
            .unwrap_or_default()
            .iter()
            .copied()
            .chain(self.extra.get(&n).into_iter().flatten().copied())
    }

    /// Is `to` reachable from `from`?
    fn reaches(&self, from: u32, to: u32) -> bool {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            match seen.get_mut(n as usize) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            stack.extend(self.successors(n));
        }
        false
    }
}

/// Members (change indices) of each resource index of one side, in compressed form.
struct Groups {
    start: Vec<u32>,
    members: Vec<u32>,
}

impl Groups {
    fn build(n: usize, keys: impl Iterator<Item = (u32, u32)> + Clone) -> Groups {
        let mut start = vec![0u32; n + 1];
        for (r, _) in keys.clone() {
            if let Some(s) = start.get_mut(r as usize + 1) {
                *s += 1;
            }
        }
        for i in 0..n {
            let prev = start.get(i).copied().unwrap_or(0);
            if let Some(s) = start.get_mut(i + 1) {
                *s += prev;
            }
        }
        let mut fill = start.clone();
        let mut members = vec![0u32; start.get(n).copied().unwrap_or(0) as usize];
        for (r, c) in keys {
            if let Some(f) = fill.get_mut(r as usize) {
                if let Some(m) = members.get_mut(*f as usize) {
                    *m = c;
                }
                *f += 1;
            }
        }
        Groups { start, members }
    }

    fn of(&self, r: u32) -> &[u32] {
        let i = r as usize;
        let (a, b) = (
            self.start.get(i).copied().unwrap_or(0) as usize,
            self.start.get(i + 1).copied().unwrap_or(0) as usize,
        );
        self.members.get(a..b).unwrap_or_default()
    }
}

/// Which changes are replaced create-before-destroy: resources that ask for it and, transitively,
/// everything they depend on (on either side), grouped by resource name.
fn forced_cbd(changes: &[Slim], side_deps: &Deps) -> Vec<bool> {
    let asks = |c: &Slim| {
        if c.rid_after.is_some() {
            c.own_cbd_after
        } else {
            c.own_cbd_before
        }
    };
    let mut out = vec![false; changes.len()];
    // Nothing to propagate (the common case), or nothing it could apply to.
    if !changes.iter().any(asks) || !changes.iter().any(|c| c.action == Action::Replace) {
        return out;
    }
    // One group per resource: its new-side index, or (absent from the new side) past those.
    let n_after = changes
        .iter()
        .filter_map(|c| c.rid_after)
        .max()
        .map_or(0, |m| m as usize + 1);
    let n_before = changes
        .iter()
        .filter_map(|c| c.rid_before)
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut old_group: Vec<usize> = (0..n_before).map(|r| n_after + r).collect();
    for c in changes {
        if let (Some(b), Some(a)) = (c.rid_before, c.rid_after) {
            if let Some(g) = old_group.get_mut(b as usize) {
                *g = a as usize;
            }
        }
    }
    let group = |c: &Slim| match (c.rid_after, c.rid_before) {
        (Some(a), _) => Some(a as usize),
        (None, Some(b)) => old_group.get(b as usize).copied(),
        (None, None) => None,
    };
    let total = n_after + n_before;
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut own = vec![false; total];
    for c in changes {
        let Some(g) = group(c) else { continue };
        if let Some(o) = own.get_mut(g) {
            *o |= asks(c);
        }
        if let Some(d) = deps.get_mut(g) {
            d.extend(side_deps.after(c).iter().map(|&x| x as usize));
            d.extend(
                side_deps
                    .before(c)
                    .iter()
                    .filter_map(|&x| old_group.get(x as usize).copied()),
            );
        }
    }
    let mut marked = vec![false; total];
    let mut queue: VecDeque<usize> = (0..total)
        .filter(|&g| own.get(g).copied().unwrap_or(false))
        .collect();
    while let Some(g) = queue.pop_front() {
        match marked.get_mut(g) {
            Some(m) if !*m => *m = true,
            _ => continue,
        }
        queue.extend(deps.get(g).into_iter().flatten().copied());
    }
    for (i, c) in changes.iter().enumerate() {
        if let (Some(g), Some(o)) = (group(c), out.get_mut(i)) {
            *o = marked.get(g).copied().unwrap_or(false);
        }
    }
    out
}

/// What ordering reads of one change, copied once into a dense array: the passes below read
/// these 16 bytes per change instead of striding through the changes themselves (hundreds of
/// bytes each: at 10,000 resources the changes are far larger than the CPU caches).
#[derive(Clone, Copy)]
struct Slim {
    action: Action,
    rid_after: Option<u32>,
    rid_before: Option<u32>,
    own_cbd_after: bool,
    own_cbd_before: bool,
    create_before_destroy: bool,
}

impl Slim {
    fn of(c: &ResourceChange) -> Slim {
        Slim {
            action: c.action,
            rid_after: c.facts.rid_after,
            rid_before: c.facts.rid_before,
            own_cbd_after: c.facts.own_cbd_after,
            own_cbd_before: c.facts.own_cbd_before,
            create_before_destroy: c.create_before_destroy,
        }
    }

    /// As [`ResourceChange::new_side`].
    fn new_side(&self) -> Option<u32> {
        self.rid_after.filter(|_| self.action != Action::Delete)
    }

    /// As [`ResourceChange::old_side`].
    fn old_side(&self) -> Option<u32> {
        self.rid_before.filter(|_| self.action != Action::Create)
    }
}

/// The dependencies of both blueprints.
struct Deps<'d> {
    old: &'d SideDeps,
    new: &'d SideDeps,
}

impl Deps<'_> {
    /// What a change's create or update waits for (new blueprint).
    fn after(&self, c: &Slim) -> &[u32] {
        c.new_side().map_or(&[], |r| self.new.get(r))
    }

    /// What a change's delete must wait for the deletes of (old blueprint).
    fn before(&self, c: &Slim) -> &[u32] {
        c.old_side().map_or(&[], |r| self.old.get(r))
    }
}

/// Edges `(from, to)` among `n` nodes in compressed form: `targets[start[x]..start[x + 1]]`
/// are the distinct successors of `x`, ascending — what sorting and deduplicating the edges
/// gives, by a counting pass instead of a sort of every edge (the lists are short).
pub(crate) fn compressed(n: usize, edges: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for &(from, _) in edges {
        if let Some(s) = start.get_mut(from as usize + 1) {
            *s += 1;
        }
    }
    for i in 0..n {
        let prev = start.get(i).copied().unwrap_or(0);
        if let Some(s) = start.get_mut(i + 1) {
            *s += prev;
        }
    }
    let mut next: Vec<u32> = start.clone();
    let mut targets = vec![0u32; edges.len()];
    for &(from, to) in edges {
        if let Some(at) = next.get_mut(from as usize) {
            if let Some(slot) = targets.get_mut(*at as usize) {
                *slot = to;
            }
            *at += 1;
        }
    }
    // Sort and deduplicate each list, moving the lists down over the duplicates removed.
    let mut write = 0usize;
    let mut read = 0usize;
    for x in 0..n {
        let end = start.get(x + 1).copied().unwrap_or(0) as usize;
        if let Some(list) = targets.get_mut(read..end) {
            list.sort_unstable();
        }
        if let Some(s) = start.get_mut(x) {
            *s = write as u32;
        }
        let mut last = None;
        for k in read..end {
            let t = targets.get(k).copied();
            if t != last {
                if let (Some(t), Some(slot)) = (t, targets.get_mut(write)) {
                    *slot = t;
                }
                write += 1;
                last = t;
            }
        }
        read = end;
    }
    if let Some(s) = start.get_mut(n) {
        *s = write as u32;
    }
    targets.truncate(write);
    (start, targets)
}

/// Sets each change's Terraform `actions` and create-before-destroy flag, and computes the waves.
///
/// # Errors
/// A [`ErrorKind::Plan`] error (`plan_cycle`) if the actions cannot be ordered, naming them.
pub(crate) fn order_plan<'a>(
    changes: &mut [ResourceChange<'a>],
    old: &SideDeps,
    new: &SideDeps,
) -> Result<Vec<Vec<PlanStep<'a>>>> {
    let deps = Deps { old, new };
    let mut slim: Vec<Slim> = changes.iter().map(Slim::of).collect();
    let cbd = forced_cbd(&slim, &deps);
    for ((c, s), &forced) in changes.iter_mut().zip(&mut slim).zip(&cbd) {
        c.create_before_destroy = c.action == Action::Replace && forced;
        s.create_before_destroy = c.create_before_destroy;
        c.change.actions = match c.action {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Delete => &["delete"],
            Action::Replace if c.create_before_destroy => &["create", "delete"],
            Action::Replace => &["delete", "create"],
        };
    }
    let changes: &[ResourceChange<'a>] = changes;
    let slim: &[Slim] = &slim;
    let mut nodes: Vec<Node> = Vec::with_capacity(slim.len() * 2);
    // The node of each change on each side.
    let mut new_node: Vec<Option<u32>> = vec![None; slim.len()];
    let mut old_node: Vec<Option<u32>> = vec![None; slim.len()];
    for (i, c) in slim.iter().enumerate() {
        let (new_kind, old_kind) = match c.action {
            Action::NoOp => (Some(Kind::PassNew), Some(Kind::PassOld)),
            Action::Create => (Some(Kind::Create), None),
            Action::Update => (Some(Kind::Update), Some(Kind::PassOld)),
            Action::Delete => (None, Some(Kind::Delete)),
            Action::Replace => (Some(Kind::Create), Some(Kind::Delete)),
        };
        if let (Some(kind), Some(_)) = (new_kind, c.rid_after) {
            if let Some(slot) = new_node.get_mut(i) {
                *slot = Some(nodes.len() as u32);
            }
            nodes.push(Node {
                change: i as u32,
                kind,
            });
        }
        if let (Some(kind), Some(_)) = (old_kind, c.rid_before) {
            if let Some(slot) = old_node.get_mut(i) {
                *slot = Some(nodes.len() as u32);
            }
            nodes.push(Node {
                change: i as u32,
                kind,
            });
        }
    }
    let side_len = |f: &dyn Fn(&Slim) -> Option<u32>| {
        slim.iter()
            .filter_map(f)
            .max()
            .map_or(0, |m| m as usize + 1)
    };
    let by_new = Groups::build(
        side_len(&|c| c.rid_after),
        slim.iter()
            .enumerate()
            .filter(|(i, _)| new_node[*i].is_some())
            .filter_map(|(i, c)| c.rid_after.map(|r| (r, i as u32))),
    );
    let by_old = Groups::build(
        side_len(&|c| c.rid_before),
        slim.iter()
            .enumerate()
            .filter(|(i, _)| old_node[*i].is_some())
            .filter_map(|(i, c)| c.rid_before.map(|r| (r, i as u32))),
    );
    let node = |v: &[Option<u32>], i: u32| v.get(i as usize).copied().flatten();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for (x, c) in slim.iter().enumerate() {
        let x = x as u32;
        // Rule 1: the new blueprint's dependencies, creates and updates first.
        if let Some(nx) = node(&new_node, x) {
            for &dep in deps.after(c) {
                for &y in by_new.of(dep) {
                    if let Some(ny) = node(&new_node, y) {
                        edges.push((ny, nx));
                    }
                }
            }
        }
        // Rule 2: the old blueprint's dependencies, deletes of dependents first.
        if let Some(ox) = node(&old_node, x) {
            for &dep in deps.before(c) {
                for &y in by_old.of(dep) {
                    if let Some(oy) = node(&old_node, y) {
                        edges.push((ox, oy));
                    }
                }
            }
        }
        // Rules 3 and 4: the two halves of a replace.
        if c.action == Action::Replace {
            if let (Some(n), Some(o)) = (node(&new_node, x), node(&old_node, x)) {
                edges.push(if c.create_before_destroy {
                    (n, o)
                } else {
                    (o, n)
                });
            }
        }
    }
    let (start, edges) = compressed(nodes.len(), &edges);
    let mut dag = Dag {
        nodes,
        start,
        edges,
        extra: HashMap::new(),
    };
    // Rule 5, only where it adds no cycle.
    for (x, c) in slim.iter().enumerate() {
        if !matches!(c.action, Action::Update | Action::Delete) {
            continue;
        }
        let x = x as u32;
        for &dep in deps.before(c) {
            for &y in by_old.of(dep) {
                let Some(yc) = slim.get(y as usize) else {
                    continue;
                };
                let pair = match (c.action, yc.action) {
                    // X lets go of the old Y before Y is destroyed.
                    (Action::Update, Action::Delete) => (node(&new_node, x), node(&old_node, y)),
                    (Action::Update, Action::Replace) if yc.create_before_destroy => {
                        (node(&new_node, x), node(&old_node, y))
                    }
                    // X, which used Y, is destroyed before Y changes.
                    (Action::Delete, Action::Update) => (node(&old_node, x), node(&new_node, y)),
                    _ => (None, None),
                };
                if let (Some(from), Some(to)) = pair {
                    if !dag.reaches(to, from) {
                        dag.extra.entry(from).or_default().push(to);
                    }
                }
            }
        }
    }
    waves(&dag, changes)
}

/// Layers of real steps by the longest chain of real steps before each.
fn waves<'a>(dag: &Dag, changes: &[ResourceChange<'a>]) -> Result<Vec<Vec<PlanStep<'a>>>> {
    let n = dag.nodes.len();
    let mut indegree = vec![0u32; n];
    for i in 0..n as u32 {
        for t in dag.successors(i) {
            if let Some(d) = indegree.get_mut(t as usize) {
                *d += 1;
            }
        }
    }
    let mut level = vec![0u32; n];
    let mut queue: VecDeque<u32> = (0..n as u32)
        .filter(|&i| indegree.get(i as usize) == Some(&0))
        .collect();
    let mut done = 0usize;
    while let Some(i) = queue.pop_front() {
        done += 1;
        let Some(node) = dag.nodes.get(i as usize) else {
            continue;
        };
        let next_level = level.get(i as usize).copied().unwrap_or(0) + u32::from(node.real());
        for t in dag.successors(i) {
            if let Some(l) = level.get_mut(t as usize) {
                *l = (*l).max(next_level);
            }
            if let Some(d) = indegree.get_mut(t as usize) {
                *d -= 1;
                if *d == 0 {
                    queue.push_back(t);
                }
            }
        }
    }
    if done < n {
        let stuck: Vec<String> = (0..n)
            .filter(|&i| indegree.get(i).is_some_and(|&d| d > 0))
            .filter_map(|i| dag.nodes.get(i))
            .filter(|x| x.real())
            .filter_map(|x| {
                changes
                    .get(x.change as usize)
                    .map(|c| c.address.to_string())
            })
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
    let mut by_level: Vec<Vec<(u32, u8, usize)>> = Vec::new();
    for (i, node) in dag.nodes.iter().enumerate() {
        if !node.real() {
            continue;
        }
        let l = level.get(i).copied().unwrap_or(0) as usize;
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
                    let change = changes.get(c as usize)?;
                    // The delete of a replacement whose type changes destroys the object of the
                    // old type, at its old address (what the state holds); the new address only
                    // exists once the create has run. (A `count` move keeps the type: Terraform
                    // moves the object first, and both steps name the new address.)
                    let address = match (&change.previous_address, action) {
                        (Some(old), StepAction::Delete) if change.facts.type_before.is_some() => {
                            old.clone()
                        }
                        _ => change.address.clone(),
                    };
                    Some(PlanStep { address, action })
                })
                .collect()
        })
        .collect())
}
