//! Free-form values of a document (properties, usage, tags, metadata, variable defaults,
//! output values), read strictly.
//!
//! serde_json's own `Value` reader keeps the last of two equal keys of a mapping and turns a
//! number that is not finite (YAML's `.nan`, `.inf`) into `null`: `cidr_block` given twice came
//! out as the second value alone, and `size: .nan` vanished from the generated code without a
//! word, since null arguments are left out. Terraform rejects the first ("Attribute
//! redefined") and neither JSON nor any target format can hold the second. The readers here
//! build the same `Value`s and fail on both, with the location the format gives (line:column)
//! and the path of the mapping.
//!
//! Fields use them through `#[serde(deserialize_with = "...")]`; documents given as values
//! (`from_value`: Python dicts, JS objects) cannot hold either problem.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// A value: any JSON value, with every mapping's keys given once and every number finite.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            E::custom(format_args!(
                "{v} is not a number a blueprint can hold (JSON and the target formats have no NaN or infinity)"
            ))
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Strict)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        // A hint from the input is not trusted beyond a modest preallocation.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        Keyed::<_, Map<String, Value>>::new(Strict)
            .visit_map(map)
            .map(Value::Object)
    }
}

/// A mapping of [`Strict`] values, as serde_json's `Map`.
#[derive(Clone, Copy)]
struct StrictObject;

impl<'de> DeserializeSeed<'de> for StrictObject {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(Keyed::<_, Map<String, Value>>::new(Strict))
    }
}

/// A map that takes a key only once (serde_json's `Map` and `BTreeMap`).
trait UniqueKeys: Default {
    type Item;
    /// Adds `key`; `Err(key)` when it is there already.
    fn add(&mut self, key: String, value: Self::Item) -> Result<(), String>;
}

impl UniqueKeys for Map<String, Value> {
    type Item = Value;

    fn add(&mut self, key: String, value: Value) -> Result<(), String> {
        match self.entry(key) {
            Entry::Vacant(e) => {
                e.insert(value);
                Ok(())
            }
            Entry::Occupied(e) => Err(e.key().clone()),
        }
    }
}

impl<V> UniqueKeys for BTreeMap<String, V> {
    type Item = V;

    fn add(&mut self, key: String, value: V) -> Result<(), String> {
        match self.entry(key) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(value);
                Ok(())
            }
            std::collections::btree_map::Entry::Occupied(e) => Err(e.key().clone()),
        }
    }
}

/// A mapping into `M` whose values are read by `V`, each key once.
struct Keyed<V, M>(V, std::marker::PhantomData<M>);

impl<V, M> Keyed<V, M> {
    fn new(values: V) -> Self {
        Keyed(values, std::marker::PhantomData)
    }
}

impl<'de, V: DeserializeSeed<'de> + Copy, M: UniqueKeys<Item = V::Value>> Visitor<'de>
    for Keyed<V, M>
{
    type Value = M;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<M, A::Error> {
        let mut out = M::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.0)?;
            out.add(key, value).map_err(|key| duplicate(&key))?;
        }
        Ok(out)
    }
}

fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format_args!(
        "duplicate key `{key}`: each key of a mapping may be given once"
    ))
}

/// `#[serde(deserialize_with)]` of a free-form value.
pub(crate) fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Strict.deserialize(d)
}

/// `#[serde(deserialize_with)]` of a free-form value that is `Some` whenever present, even as
/// `null` (an absent field stays `None` through `#[serde(default)]`).
pub(crate) fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Strict.deserialize(d).map(Some)
}

/// `#[serde(deserialize_with)]` of a mapping of free-form values (properties, usage).
pub(crate) fn object<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    StrictObject.deserialize(d)
}

/// `#[serde(deserialize_with)]` of a mapping of free-form values by name (metadata).
pub(crate) fn values_by_key<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Value>, D::Error> {
    d.deserialize_map(Keyed::new(Strict))
}

/// `#[serde(deserialize_with)]` of a mapping of mappings of free-form values by name (a usage
/// file's usage per resource or type).
pub(crate) fn objects_by_key<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Map<String, Value>>, D::Error> {
    d.deserialize_map(Keyed::new(StrictObject))
}

/// `#[serde(deserialize_with)]` of a mapping of strings (tags).
pub(crate) fn strings_by_key<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    d.deserialize_map(Keyed::new(Text))
}

/// A string that may not be null (see [`text`]).
#[derive(Clone, Copy)]
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        text(d)
    }
}

/// `#[serde(deserialize_with)]` of a string that must be given. Asked for a string, the YAML
/// reader hands over a null's own text (`~`, `null`, or `""` for nothing at all), so `name: ~`
/// would be the name "~" and `Owner:` an empty tag, where JSON refuses `null`. Read as an
/// optional string first, a null is refused in both; a number or boolean in YAML stays its text.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    <Option<String> as de::Deserialize>::deserialize(d)?
        .ok_or_else(|| de::Error::invalid_type(de::Unexpected::Other("null"), &"a string"))
}

/// A list of strings, each refusing null as [`text`] does (`dependencies: [~]` is not the
/// dependency `~`); the error names the item's index.
pub(crate) fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Text(String);
    impl<'de> de::Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            text(d).map(Text)
        }
    }
    let items: Vec<Text> = de::Deserialize::deserialize(d)?;
    Ok(items.into_iter().map(|Text(s)| s).collect())
}

/// A resource's `count`: a whole number of instances. Beyond `u32` or below zero the error says
/// what is wrong with the number (serde's own "expected u32" would call `1000000000000` not a
/// whole number); above [`crate::MAX_COUNT`] but within `u32` the check reports it.
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct Count(u32);
    impl<'de> de::Deserialize<'de> for Count {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Count;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(
                        f,
                        "a whole number of instances from 0 to {}",
                        crate::MAX_COUNT
                    )
                }

                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                    u32::try_from(v).map(Count).map_err(|_| {
                        E::custom(format_args!(
                            "count {v} is larger than the limit of {} instances",
                            crate::MAX_COUNT
                        ))
                    })
                }

                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                    match u64::try_from(v) {
                        Ok(v) => self.visit_u64(v),
                        Err(_) => Err(E::custom(format_args!(
                            "count {v} is negative: give a whole number of instances from 0 to {}",
                            crate::MAX_COUNT
                        ))),
                    }
                }
            }
            d.deserialize_any(V)
        }
    }
    Ok(<Option<Count> as de::Deserialize>::deserialize(d)?.map(|Count(n)| n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Doc {
        #[serde(default, deserialize_with = "object")]
        properties: Map<String, Value>,
        #[serde(default, deserialize_with = "strings_by_key")]
        tags: BTreeMap<String, String>,
    }

    fn json(text: &str) -> Result<Doc, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    fn yaml(text: &str) -> Result<Doc, String> {
        yaml_serde::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_null_where_a_string_is_expected_is_refused_in_yaml_as_in_json() {
        for text in [
            "tags: {Owner: ~}",
            "tags: {Owner: null}",
            "tags:\n  Owner:\n",
        ] {
            let e = yaml(text).unwrap_err();
            assert!(
                e.contains("invalid type: null, expected a string"),
                "{text}: {e}"
            );
        }
        let e = json(r#"{"tags": {"Owner": null}}"#).unwrap_err();
        assert!(e.contains("invalid type: null, expected a string"), "{e}");
        // Quoted, it is the text; a YAML number is its own text.
        let doc = yaml("tags: {Owner: 'null', Team: '', Cost: 1.50}").unwrap();
        let tags: Vec<(&str, &str)> = doc
            .tags
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(tags, [("Cost", "1.50"), ("Owner", "null"), ("Team", "")]);
    }

    #[test]
    fn values_are_read_as_serde_json_reads_them() {
        let text = r#"{"properties": {"b": [1, -2, 2.5, "x", null, true, {"z": {}}], "a": 18446744073709551615}}"#;
        let doc = json(text).unwrap();
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(Value::Object(doc.properties), expected["properties"]);
        let doc = yaml("properties: {n: ~, f: 1.5e3, l: [a, 2]}\ntags: {Owner: team}").unwrap();
        assert_eq!(
            Value::Object(doc.properties),
            serde_json::json!({"n": null, "f": 1500.0, "l": ["a", 2]})
        );
        assert_eq!(doc.tags.get("Owner").map(String::as_str), Some("team"));
    }

    #[test]
    fn a_key_given_twice_is_an_error_at_any_depth() {
        for text in [
            r#"{"properties": {"cidr_block": "10.0.0.0/16", "cidr_block": "10.1.0.0/16"}}"#,
            r#"{"properties": {"tags": {"a": 1, "b": 2, "a": 3}}}"#,
            r#"{"properties": {"rules": [{"port": 22, "port": 23}]}}"#,
            r#"{"tags": {"Owner": "a", "Owner": "b"}}"#,
        ] {
            let e = json(text).unwrap_err();
            assert!(e.starts_with("duplicate key `"), "{text}: {e}");
            assert!(e.contains("at line 1 column"), "{e}");
        }
        // YAML locates the error at the mapping that holds the key twice.
        let e = yaml("properties:\n  size: 1\n  size: 2\n").unwrap_err();
        assert!(e.contains("duplicate key `size`"), "{e}");
        assert!(e.contains("line 2 column 3"), "{e}");
    }

    #[test]
    fn numbers_that_are_not_finite_are_errors() {
        for text in ["properties: {size: .nan}", "properties: {l: [-.inf]}"] {
            let e = yaml(text).unwrap_err();
            assert!(
                e.contains("is not a number a blueprint can hold"),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn tags_must_be_strings_as_before() {
        let e = json(r#"{"tags": {"n": 1}}"#).unwrap_err();
        assert!(e.contains("expected a string"), "{e}");
    }
}
