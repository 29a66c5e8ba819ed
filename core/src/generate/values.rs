//! Walking property values: every string goes through a format's string mapper (which renders
//! references natively and escapes literal text), with the path of each value for errors.

use crate::blueprint::Value;
use crate::error::Result;
use crate::reference::Template;

use super::gen_error;
use crate::error::Code;

/// Parses a blueprint string into a template. The blueprint was checked, so a failure here means
/// the caller built a `CheckedBlueprint` by other means; it is still reported, never a panic.
pub(crate) fn parse_template(text: &str, path: &str) -> Result<Template> {
    Template::parse(text).map_err(|e| gen_error(Code::MalformedReference, path, e.message))
}

/// True when a blueprint string may hold a reference or an escape (`${`, `$${`).
pub(crate) fn has_markers(text: &str) -> bool {
    text.contains("${")
}

/// A literal text in blueprint syntax (`${` written `$${`), so it can sit among template values.
pub(crate) fn literal_to_template(text: &str) -> String {
    if text.contains("${") {
        text.replace("${", "$${")
    } else {
        text.to_string()
    }
}

/// The tags of resource `index` in blueprint (template) syntax: the blueprint's default tags
/// (literal text, escaped here) overridden by the resource's own tags (already templates; a
/// number or boolean becomes its text, as Terraform converts it: tags are strings in every
/// cloud). Empty for types without a tags argument.
pub(crate) fn merged_tags(
    bp: &crate::check::CheckedBlueprint,
    index: usize,
) -> serde_json::Map<String, Value> {
    let mut tags = serde_json::Map::new();
    let (Some(info), Some(r)) = (bp.resource_info(index), bp.resources().get(index)) else {
        return tags;
    };
    let Some(tag_arg) = info.tag_argument.as_deref() else {
        return tags;
    };
    for (k, v) in &bp.blueprint().tags {
        tags.insert(k.clone(), Value::String(literal_to_template(v)));
    }
    if let Some(own) = r.properties.get(tag_arg).and_then(Value::as_object) {
        for (k, v) in own {
            let v = match v {
                Value::Number(n) => Value::String(crate::blueprint::number_text(n)),
                Value::Bool(b) => Value::String(b.to_string()),
                other => other.clone(),
            };
            tags.insert(k.clone(), v);
        }
    }
    tags
}

/// The blueprint's default tags in blueprint (template) syntax.
pub(crate) fn default_tags(bp: &crate::check::CheckedBlueprint) -> serde_json::Map<String, Value> {
    bp.blueprint()
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(literal_to_template(v))))
        .collect()
}

/// Tera's truthiness (what an `{% if %}` takes as true): false for `null`, `false`, `0`, and
/// empty strings, arrays and objects. The engine's own writers of the embedded templates decide
/// the same way the templates do.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
