//! Element-wise differences between JSON values, and applying them back.
//!
//! Objects are compared key by key, lists index by index (the common prefix element-wise, then the
//! added or removed tail), anything else as a whole. Each difference is a path (steps) with the
//! value before (absent = `None`) and after. [`apply_change`] replays one difference on a value;
//! replaying every difference of `diff(a, b)` on `a` (modifications first, then removals from the
//! end, then additions) gives back `b`.

use serde::Serialize;

use crate::blueprint::Value;
use crate::reference::{push_index, push_key};

/// One step of a path into a value: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum PathStep {
    /// An object key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// The display form of a path (`ingress[0].cidr_blocks[1]`, `tags["kubernetes.io/role"]`).
pub fn path_string(steps: &[PathStep]) -> String {
    let mut s = String::new();
    for step in steps {
        match step {
            PathStep::Key(k) => push_key(&mut s, k),
            PathStep::Index(i) => push_index(&mut s, *i),
        }
    }
    s
}

/// Equality of JSON values that compares objects key by key in order first (no hashing), and
/// falls back to order-insensitive comparison only when the key orders differ. Same result as `==`.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let mut in_order = true;
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                if ka != kb {
                    in_order = false;
                    break;
                }
                if !same(va, vb) {
                    return false;
                }
            }
            in_order || x == y
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        _ => a == b,
    }
}

/// [`same`] for two property maps.
pub fn same_map(a: &serde_json::Map<String, Value>, b: &serde_json::Map<String, Value>) -> bool {
    a.len() == b.len()
        && (a
            .iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            || a == b)
}

/// One raw difference.
#[derive(Debug, Clone, PartialEq)]
pub struct RawChange {
    pub steps: Vec<PathStep>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Every difference between two values (`None` = absent), appended to `out` under `prefix`.
pub fn diff(
    before: Option<&Value>,
    after: Option<&Value>,
    prefix: &mut Vec<PathStep>,
    out: &mut Vec<RawChange>,
) {
    match (before, after) {
        (None, None) => {}
        (Some(Value::Object(a)), Some(Value::Object(b))) => diff_maps(a, b, prefix, out),
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)) {
                return;
            }
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                prefix.push(PathStep::Index(i));
                diff(Some(va), Some(vb), prefix, out);
                prefix.pop();
            }
            // The removed tail, then the added tail.
            for (i, va) in a.iter().enumerate().skip(b.len()) {
                prefix.push(PathStep::Index(i));
                diff(Some(va), None, prefix, out);
                prefix.pop();
            }
            for (i, vb) in b.iter().enumerate().skip(a.len()) {
                prefix.push(PathStep::Index(i));
                diff(None, Some(vb), prefix, out);
                prefix.pop();
            }
        }
        (a, b) => {
            if a != b {
                out.push(RawChange {
                    steps: prefix.clone(),
                    before: a.cloned(),
                    after: b.cloned(),
                });
            }
        }
    }
}

/// [`diff`] of two objects, given as maps (no `Value` around them needed).
pub fn diff_maps(
    a: &serde_json::Map<String, Value>,
    b: &serde_json::Map<String, Value>,
    prefix: &mut Vec<PathStep>,
    out: &mut Vec<RawChange>,
) {
    if same_map(a, b) {
        return;
    }
    // Both maps iterate in key order (serde_json without `preserve_order`): one merge
    // walk, the changes in key order whichever side has the key.
    let (mut ia, mut ib) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let (k, va, vb) = match (ia.peek(), ib.peek()) {
            (None, None) => break,
            (Some(&(ka, va)), Some(&(kb, vb))) => match ka.cmp(kb) {
                std::cmp::Ordering::Less => {
                    ia.next();
                    (ka, Some(va), None)
                }
                std::cmp::Ordering::Greater => {
                    ib.next();
                    (kb, None, Some(vb))
                }
                std::cmp::Ordering::Equal => {
                    ia.next();
                    ib.next();
                    (ka, Some(va), Some(vb))
                }
            },
            (Some(&(ka, va)), None) => {
                ia.next();
                (ka, Some(va), None)
            }
            (None, Some(&(kb, vb))) => {
                ib.next();
                (kb, None, Some(vb))
            }
        };
        prefix.push(PathStep::Key(k.clone()));
        diff(va, vb, prefix, out);
        prefix.pop();
    }
}

/// The value at a path, if any.
pub fn get<'a>(root: &'a Value, steps: &[PathStep]) -> Option<&'a Value> {
    let mut cur = root;
    for step in steps {
        cur = match (step, cur) {
            (PathStep::Key(k), Value::Object(m)) => m.get(k)?,
            (PathStep::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Why a change could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyProblem {
    /// The value found at the path is not the change's `before`.
    Mismatch,
    /// The path does not lead anywhere (a missing parent, or an index past the end).
    NoPath,
}

/// Replays one change on `root`: checks that the value at the path is `before`, then sets it to
/// `after` (removing it when `after` is absent). A removed list element must be the last one and
/// an added one must come right after the end, which holds when changes are replayed in the order
/// [`order_for_apply`] gives.
pub fn apply_change(
    root: &mut Value,
    steps: &[PathStep],
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<(), ApplyProblem> {
    if get(root, steps) != before {
        return Err(ApplyProblem::Mismatch);
    }
    let Some((last, parents)) = steps.split_last() else {
        // The whole value.
        match after {
            Some(v) => *root = v.clone(),
            None => *root = Value::Null,
        }
        return Ok(());
    };
    let mut cur = root;
    for step in parents {
        cur = match (step, cur) {
            (PathStep::Key(k), Value::Object(m)) => m.get_mut(k).ok_or(ApplyProblem::NoPath)?,
            (PathStep::Index(i), Value::Array(a)) => a.get_mut(*i).ok_or(ApplyProblem::NoPath)?,
            _ => return Err(ApplyProblem::NoPath),
        };
    }
    match (last, cur, after) {
        (PathStep::Key(k), Value::Object(m), Some(v)) => {
            m.insert(k.clone(), v.clone());
        }
        (PathStep::Key(k), Value::Object(m), None) => {
            m.remove(k);
        }
        (PathStep::Index(i), Value::Array(a), Some(v)) => {
            if let Some(slot) = a.get_mut(*i) {
                *slot = v.clone();
            } else if *i == a.len() {
                a.push(v.clone());
            } else {
                return Err(ApplyProblem::NoPath);
            }
        }
        (PathStep::Index(i), Value::Array(a), None) if *i + 1 == a.len() => {
            a.pop();
        }
        _ => return Err(ApplyProblem::NoPath),
    }
    Ok(())
}

/// Sort key that makes a list of changes replayable: modifications and key changes in their
/// order, list-tail removals from the highest index down, list-tail additions from the lowest up.
pub fn order_for_apply<T>(changes: &mut [T], parts: impl Fn(&T) -> (&[PathStep], bool, bool)) {
    // Stable sort on a class only: 0 = in place, 1 = removal of a list element, 2 = addition of a
    // list element; removals descend by index, additions ascend.
    changes.sort_by(|x, y| {
        let class = |t: &T| {
            let (steps, has_before, has_after) = parts(t);
            let is_index = matches!(steps.last(), Some(PathStep::Index(_)));
            match (is_index, has_before, has_after) {
                (true, true, false) => 1u8,
                (true, false, true) => 2,
                _ => 0,
            }
        };
        let (cx, cy) = (class(x), class(y));
        cx.cmp(&cy).then_with(|| {
            let (sx, _, _) = parts(x);
            let (sy, _, _) = parts(y);
            match cx {
                1 => sy.cmp(sx),
                2 => sx.cmp(sy),
                _ => std::cmp::Ordering::Equal,
            }
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn roundtrip(a: Value, b: Value) -> Vec<RawChange> {
        let mut out = Vec::new();
        diff(Some(&a), Some(&b), &mut Vec::new(), &mut out);
        let mut changes = out.clone();
        order_for_apply(&mut changes, |c| {
            (&c.steps, c.before.is_some(), c.after.is_some())
        });
        let mut x = a;
        for c in &changes {
            apply_change(&mut x, &c.steps, c.before.as_ref(), c.after.as_ref()).unwrap();
        }
        assert_eq!(x, b);
        out
    }

    #[test]
    fn nested_element_wise() {
        let out = roundtrip(
            json!({"a": 1, "tags": {"x": "1", "y": "2"}, "l": [1, {"p": 2}, 3]}),
            json!({"a": 1, "tags": {"x": "1", "z": "3"}, "l": [1, {"p": 5}], "n": true}),
        );
        let paths: Vec<String> = out.iter().map(|c| path_string(&c.steps)).collect();
        // In key order (property maps are sorted), whichever side has the key.
        assert_eq!(paths, ["l[1].p", "l[2]", "n", "tags.y", "tags.z"]);
    }

    #[test]
    fn maps_iterate_in_key_order() {
        // `diff` walks two maps side by side, which needs serde_json's sorted `Map` (it is an
        // insertion-ordered map when the `preserve_order` feature is on).
        let m = json!({"b": 1, "a": 2, "c": 3});
        let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn list_growth_and_type_change() {
        roundtrip(json!({"l": [1]}), json!({"l": [1, 2, 3]}));
        roundtrip(json!({"l": [1, 2, 3, 4]}), json!({"l": [9]}));
        roundtrip(json!({"l": [1]}), json!({"l": {"a": 1}}));
        roundtrip(json!({"k": "v"}), json!("scalar"));
    }

    #[test]
    fn mismatch_is_detected() {
        let mut v = json!({"a": 1});
        assert_eq!(
            apply_change(
                &mut v,
                &[PathStep::Key("a".into())],
                Some(&json!(2)),
                Some(&json!(3))
            ),
            Err(ApplyProblem::Mismatch)
        );
    }
}
