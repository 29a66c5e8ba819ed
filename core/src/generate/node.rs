//! A lean JSON tree for lowered templates: strings borrow from the blueprint and the mapping data
//! wherever they can, objects are sorted vectors. Building, writing and dropping one is a fraction
//! of the cost of a `serde_json::Value` tree (no allocation per key, one per object), which is
//! what lets 10,000 resources lower and print in a few tens of milliseconds. It converts to a
//! `serde_json::Value` for the template variables that need data, and prints itself as JSON
//! byte for byte as `serde_json::to_string_pretty` prints the same value.

use std::borrow::Cow;

use crate::blueprint::Value;

/// A string of the tree: borrowed, or owned when it was built.
pub(crate) type Str<'a> = Cow<'a, str>;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Str<'a>),
    Array(Vec<Node<'a>>),
    Object(NodeMap<'a>),
}

/// A JSON object: entries sorted by key (the order `serde_json::Map` keeps), keys unique.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NodeMap<'a> {
    entries: Vec<(Str<'a>, Node<'a>)>,
}

impl<'a> NodeMap<'a> {
    pub(crate) fn new() -> Self {
        NodeMap {
            entries: Vec::new(),
        }
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        NodeMap {
            entries: Vec::with_capacity(n),
        }
    }

    /// A map from entries in any order; a later entry replaces an earlier one with its key.
    pub(crate) fn from_unsorted(mut entries: Vec<(Str<'a>, Node<'a>)>) -> Self {
        // Stable, so among equal keys the last one is last.
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut out: Vec<(Str<'a>, Node<'a>)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        NodeMap { entries: out }
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(k, _)| k.as_bytes().cmp(key.as_bytes()))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.position(key)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        match self.position(key) {
            Ok(i) => self.entries.get_mut(i).map(|(_, v)| v),
            Err(_) => None,
        }
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// The same keys, each value passed through `f`.
    pub(crate) fn map_values(self, f: impl Fn(Node<'a>) -> Node<'a>) -> Self {
        NodeMap {
            entries: self.entries.into_iter().map(|(k, v)| (k, f(v))).collect(),
        }
    }

    /// Sets `key`, returning the value it replaces.
    pub(crate) fn insert(&mut self, key: impl Into<Str<'a>>, value: Node<'a>) -> Option<Node<'a>> {
        let key = key.into();
        match self.position(&key) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value at `key`, inserted with `make` when absent.
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: impl Into<Str<'a>>,
        make: impl FnOnce() -> Node<'a>,
    ) -> &mut Node<'a> {
        let key = key.into();
        let i = match self.position(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        // In bounds: found there, or just inserted there.
        &mut self.entries[i].1
    }

    /// The entries, keys as stored (borrowed or owned).
    pub(crate) fn entries(&self) -> impl Iterator<Item = &(Str<'a>, Node<'a>)> {
        self.entries.iter()
    }
}

impl<'a> IntoIterator for NodeMap<'a> {
    type Item = (Str<'a>, Node<'a>);
    type IntoIter = std::vec::IntoIter<(Str<'a>, Node<'a>)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> Node<'a> {
    /// A tree borrowing the strings of `v`.
    pub(crate) fn from_value(v: &'a Value) -> Node<'a> {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(m) => Node::Object(NodeMap {
                // serde_json's map iterates in key order already.
                entries: m
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from_value(v)))
                    .collect(),
            }),
        }
    }

    /// The same tree owning all its strings.
    pub(crate) fn into_owned(self) -> Node<'static> {
        match self {
            Node::Null => Node::Null,
            Node::Bool(b) => Node::Bool(b),
            Node::Number(n) => Node::Number(n),
            Node::String(s) => Node::String(Cow::Owned(s.into_owned())),
            Node::Array(items) => Node::Array(items.into_iter().map(Node::into_owned).collect()),
            Node::Object(m) => Node::Object(NodeMap {
                entries: m
                    .entries
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            }),
        }
    }

    /// An owned string node.
    pub(crate) fn owned(s: String) -> Node<'a> {
        Node::String(Cow::Owned(s))
    }

    /// `{key: value}`.
    pub(crate) fn single(key: &'static str, value: Node<'a>) -> Node<'a> {
        Node::Object(NodeMap {
            entries: vec![(Cow::Borrowed(key), value)],
        })
    }

    /// The entry `key` of an object (`None` for other values).
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_object().and_then(|m| m.get(key))
    }

    pub(crate) fn as_object(&self) -> Option<&NodeMap<'a>> {
        match self {
            Node::Object(m) => Some(m),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }

    pub(crate) fn is_array(&self) -> bool {
        matches!(self, Node::Array(_))
    }

    /// The same value as a `serde_json::Value`.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(m) => Value::Object(
                m.entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// Pretty JSON (2-space indent), exactly as `serde_json::to_string_pretty` writes the same
    /// value.
    #[cfg(test)]
    pub(crate) fn to_json_pretty(&self) -> String {
        let mut out = String::with_capacity(4096);
        self.write_json(&mut out, 0);
        out
    }

    /// Pretty JSON (2-space indent), exactly as `serde_json::to_string_pretty` writes the same
    /// value, into a buffer of `capacity` bytes to start with, consuming the
    /// tree: each value is dropped right after it is written, while it is still in cache,
    /// instead of the whole tree being walked once more (cold) to drop it afterwards.
    pub(crate) fn into_json_pretty(self, capacity: usize) -> String {
        let mut out = String::with_capacity(capacity);
        self.write_json_consuming(&mut out, 0);
        out
    }

    fn write_json_consuming(self, out: &mut String, indent: usize) {
        match self {
            Node::Array(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.into_iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    pad(out, indent + 1);
                    item.write_json_consuming(out, indent + 1);
                }
                out.push('\n');
                pad(out, indent);
                out.push(']');
            }
            Node::Object(m) if !m.is_empty() => {
                out.push('{');
                for (i, (k, v)) in m.entries.into_iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    pad(out, indent + 1);
                    write_json_string(out, &k);
                    out.push_str(": ");
                    v.write_json_consuming(out, indent + 1);
                }
                out.push('\n');
                pad(out, indent);
                out.push('}');
            }
            other => other.write_json(out, indent),
        }
    }

    fn write_json(&self, out: &mut String, indent: usize) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(true) => out.push_str("true"),
            Node::Bool(false) => out.push_str("false"),
            Node::Number(n) => write_number(out, n),
            Node::String(s) => write_json_string(out, s),
            Node::Array(items) if items.is_empty() => out.push_str("[]"),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    pad(out, indent + 1);
                    item.write_json(out, indent + 1);
                }
                out.push('\n');
                pad(out, indent);
                out.push(']');
            }
            Node::Object(m) if m.is_empty() => out.push_str("{}"),
            Node::Object(m) => {
                out.push('{');
                for (i, (k, v)) in m.entries.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    pad(out, indent + 1);
                    write_json_string(out, k);
                    out.push_str(": ");
                    v.write_json(out, indent + 1);
                }
                out.push('\n');
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

/// Pretty JSON (2-space indent) of a `serde_json::Value` at depth `indent` of a document,
/// exactly as `serde_json::to_string_pretty` writes it there, appended to `out`, consuming the
/// value: each part is dropped right after it is written, while it is still in cache, instead of
/// the whole value being walked once more (cold) to drop it afterwards.
pub(crate) fn write_value_pretty(value: Value, out: &mut String, indent: usize) {
    write_value_consuming(value, out, indent);
}

fn write_value_consuming(value: Value, out: &mut String, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, &n),
        Value::String(s) => write_json_string(out, &s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.into_iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                pad(out, indent + 1);
                write_value_consuming(item, out, indent + 1);
            }
            out.push('\n');
            pad(out, indent);
            out.push(']');
        }
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.into_iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                pad(out, indent + 1);
                write_json_string(out, &k);
                out.push_str(": ");
                write_value_consuming(v, out, indent + 1);
            }
            out.push('\n');
            pad(out, indent);
            out.push('}');
        }
    }
}

/// A JSON object written one entry at a time, byte for byte as [`Node::into_json_pretty`] writes
/// the same object at the same depth: for documents whose entries are made (and dropped) one by
/// one instead of being held in a tree first.
#[derive(Debug, Default)]
pub(crate) struct JsonObject {
    entries: usize,
}

impl JsonObject {
    /// Opens the object.
    pub(crate) fn begin(&mut self, out: &mut String) {
        out.push('{');
    }

    /// Writes the next key of the object (at depth `indent`), its value to follow.
    pub(crate) fn key(&mut self, out: &mut String, key: &str, indent: usize) {
        out.push_str(if self.entries == 0 { "\n" } else { ",\n" });
        self.entries += 1;
        pad(out, indent + 1);
        write_json_string(out, key);
        out.push_str(": ");
    }

    /// Writes the value of an entry of an object at depth `indent` (what follows the key that
    /// [`JsonObject::key`] writes), consuming it. It is the same text whatever precedes it, so
    /// it may be written elsewhere and copied after its key.
    pub(crate) fn value(out: &mut String, value: Node<'_>, indent: usize) {
        value.write_json_consuming(out, indent + 1);
    }

    /// Writes the next entry of the object (at depth `indent`); keys must come in order.
    pub(crate) fn entry(&mut self, out: &mut String, key: &str, value: Node<'_>, indent: usize) {
        self.key(out, key, indent);
        value.write_json_consuming(out, indent + 1);
    }

    /// Closes the object (at depth `indent`).
    pub(crate) fn end(self, out: &mut String, indent: usize) {
        if self.entries > 0 {
            out.push('\n');
            pad(out, indent);
        }
        out.push('}');
    }
}

/// Two spaces per level.
fn pad(out: &mut String, indent: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = indent * 2;
    while n > 0 {
        let take = n.min(SPACES.len());
        out.push_str(SPACES.get(..take).unwrap_or_default());
        n -= take;
    }
}

fn write_number(out: &mut String, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else {
        // Floats exactly as serde_json writes them.
        out.push_str(&serde_json::to_string(n).unwrap_or_else(|_| String::from("null")));
    }
}

/// Per byte: 0 when it is written as it is, else the letter of its escape (`u` for `\u00XX`).
static ESCAPES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// A JSON string literal with serde_json's escapes: `"`, `\`, and control characters (`\b`,
/// `\t`, `\n`, `\f`, `\r`, others as `\u00XX`); everything else as it is.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        let e = ESCAPES.get(usize::from(b)).copied().unwrap_or(0);
        if e == 0 {
            i += 1;
            continue;
        }
        // Escaped bytes are ASCII, so `start..i` is on character boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        out.push('\\');
        if e == b'u' {
            out.push_str("u00");
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'),
            ));
        } else {
            out.push(char::from(e));
        }
        i += 1;
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\"\\\\\u{0}-\u{1f}\u{7f}\u{2028}a-z]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn prints_as_serde_json_prints(v in arb_value()) {
            let node = Node::from_value(&v);
            prop_assert_eq!(node.to_json_pretty(), serde_json::to_string_pretty(&v).unwrap());
            prop_assert_eq!(node.clone().into_json_pretty(0), node.to_json_pretty());
            prop_assert_eq!(node.to_value(), v.clone());
            let mut text = String::new();
            write_value_pretty(v.clone(), &mut text, 0);
            prop_assert_eq!(text, serde_json::to_string_pretty(&v).unwrap());
        }
    }

    proptest! {
        #[test]
        fn objects_written_entry_by_entry_print_as_trees_print(
            m in prop::collection::btree_map(any::<String>(), arb_value(), 0..6)
        ) {
            let v = Value::Object(m.into_iter().collect());
            let node = Node::from_value(&v);
            let Node::Object(m) = node.clone() else { return Ok(()) };
            let mut out = String::new();
            let mut o = JsonObject::default();
            o.begin(&mut out);
            for (k, v) in m {
                o.entry(&mut out, &k, v, 0);
            }
            o.end(&mut out, 0);
            prop_assert_eq!(out, node.to_json_pretty());
        }
    }

    #[test]
    fn maps_stay_sorted_and_unique() {
        let mut m = NodeMap::new();
        m.insert("b", Node::Bool(true));
        m.insert("a", Node::Null);
        m.insert("b", Node::Bool(false));
        *m.get_or_insert_with("c", || Node::Array(Vec::new())) = Node::Null;
        assert_eq!(
            Node::Object(m).to_value(),
            json!({"a": null, "b": false, "c": null})
        );
        let u = NodeMap::from_unsorted(vec![
            (Cow::Borrowed("z"), Node::Null),
            (Cow::Borrowed("a"), Node::Bool(true)),
            (Cow::Borrowed("z"), Node::Bool(true)),
        ]);
        assert_eq!(Node::Object(u).to_value(), json!({"a": true, "z": true}));
    }
}
