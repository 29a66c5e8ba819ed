//! Lowering to AWS CloudFormation (JSON and YAML; the CDK app is built from the same template):
//! Terraform types and arguments mapped with `catalog/formats/cloudformation.yaml`, references as
//! `Ref` / `Fn::GetAtt` / `Fn::Sub`, variables as `Parameters`, outputs as `Outputs`.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Map};

use crate::blueprint::Value;
use crate::check::{CheckedBlueprint, VarType};
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::reference::{push_key, Part, Reference, Step};

use super::gen_error;
use super::idents::{pascal_case, Namespace};
use super::values::{has_markers, merged_tags, parse_template};

static DATA: &str = include_str!("../../../catalog/formats/cloudformation.yaml");

/// The mapping data (see the header of `catalog/formats/cloudformation.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingFile {
    pub(crate) types: BTreeMap<String, TypeMap>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypeMap {
    #[serde(rename = "type")]
    pub(crate) cfn_type: Option<String>,
    #[serde(default)]
    pub(crate) attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) properties: BTreeMap<String, Prop>,
    #[serde(default)]
    pub(crate) tags: Option<String>,
    #[serde(default)]
    pub(crate) defaults: Map<String, Value>,
    #[serde(default)]
    pub(crate) merge: Option<Merge>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Prop {
    Name(String),
    Spec(Box<Spec>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    pub(crate) to: Option<String>,
    #[serde(default)]
    pub(crate) fields: BTreeMap<String, Prop>,
    #[serde(default)]
    pub(crate) split: Vec<String>,
    #[serde(default)]
    pub(crate) list: bool,
    pub(crate) transform: Option<String>,
    pub(crate) ignore_if: Option<Value>,
    pub(crate) deletion_policy: Option<BTreeMap<String, String>>,
    pub(crate) unmapped: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Merge {
    pub(crate) via: String,
    pub(crate) property: String,
    #[serde(default)]
    pub(crate) fields: BTreeMap<String, Prop>,
    pub(crate) append: Option<String>,
}

/// The mapping data, parsed on first use.
pub(crate) fn mapping() -> Result<&'static MappingFile> {
    static CELL: OnceLock<std::result::Result<MappingFile, String>> = OnceLock::new();
    CELL.get_or_init(|| yaml_serde::from_str(DATA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| {
            gen_error(
                Code::TemplateError,
                "",
                format!("catalog/formats/cloudformation.yaml: {e}"),
            )
        })
}

/// Where a resource went in the template.
#[derive(Debug, Clone)]
pub(crate) enum Placement {
    /// Its own resources: one logical ID per instance.
    Own(Vec<String>),
    /// Folded into another resource's properties (by blueprint index).
    Folded(usize),
}

/// The lowered template and what the CDK lowering needs to know about it.
pub(crate) struct Lowered {
    pub(crate) template: Value,
}

struct Lowering<'a> {
    bp: &'a CheckedBlueprint,
    map: &'static MappingFile,
    placements: Vec<Placement>,
    params: HashMap<&'a str, String>,
    findings: Vec<Finding>,
}

const FORMAT: &str = "CloudFormation";

fn unmapped(code: Code, path: &str, message: String) -> Error {
    gen_error(code, path, message)
}

impl<'a> Lowering<'a> {
    fn type_map(&self, index: usize) -> Option<&'static TypeMap> {
        let info = self.bp.resource_info(index)?;
        self.map.types.get(&info.type_name)
    }

    /// The intrinsic for a reference: `Ref` / `Fn::GetAtt`, or `None` with an error.
    fn reference(&self, r: &Reference, path: &str) -> Result<Value> {
        match r {
            Reference::Variable { name } => {
                let id = self.params.get(name.as_str()).cloned().unwrap_or_default();
                Ok(json!({ "Ref": id }))
            }
            Reference::Resource {
                name,
                index,
                attribute,
            } => {
                let target = self.bp.index_of(name).ok_or_else(|| {
                    gen_error(
                        Code::UnknownReference,
                        path,
                        format!("no resource `{name}`"),
                    )
                })?;
                let type_name = self
                    .bp
                    .resource_info(target)
                    .map(|i| i.type_name.clone())
                    .unwrap_or_default();
                let id = match self.placements.get(target) {
                    Some(Placement::Own(ids)) => ids
                        .get(index.unwrap_or(0) as usize)
                        .cloned()
                        .unwrap_or_default(),
                    Some(Placement::Folded(into)) => {
                        let into_name = self
                            .bp
                            .resources()
                            .get(*into)
                            .map(|r| r.name.as_str())
                            .unwrap_or("?");
                        return Err(unmapped(
                            Code::UnmappedAttribute,
                            path,
                            format!(
                                "`{name}` ({type_name}) is a property of `{into_name}` in {FORMAT}, so it has no attributes to reference"
                            ),
                        ));
                    }
                    None => String::new(),
                };
                let attr = match attribute.as_slice() {
                    [Step::Attr(a)] => a.as_str(),
                    _ => {
                        return Err(unmapped(
                            Code::UnmappedAttribute,
                            path,
                            format!(
                                "`{}` has no {FORMAT} equivalent (nested attribute paths are not mapped)",
                                r
                            ),
                        ))
                    }
                };
                let known = self.type_map(target).and_then(|m| m.attributes.get(attr));
                match known.map(String::as_str) {
                    Some("Ref") => Ok(json!({ "Ref": id })),
                    Some(getatt) => Ok(json!({ "Fn::GetAtt": [id, getatt] })),
                    None => {
                        let available: Vec<&str> = self
                            .type_map(target)
                            .map(|m| m.attributes.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        Err(unmapped(
                            Code::UnmappedAttribute,
                            path,
                            format!(
                                "attribute `{attr}` of {type_name} has no {FORMAT} equivalent (mapped: {})",
                                available.join(", ")
                            ),
                        ))
                    }
                }
            }
        }
    }

    /// A blueprint string: literal, a single reference, or `Fn::Sub` for mixed text.
    fn string(&self, s: &str, path: &str) -> Result<Value> {
        if !has_markers(s) {
            return Ok(Value::String(s.to_string()));
        }
        let t = parse_template(s, path)?;
        if let Some(text) = t.literal_text() {
            return Ok(Value::String(text));
        }
        if let Some(r) = t.as_single_reference() {
            return self.reference(r, path);
        }
        let mut sub = String::with_capacity(s.len() + 16);
        for part in &t.parts {
            match part {
                // In Fn::Sub a literal `${` is written `${!`.
                Part::Literal(l) => sub.push_str(&l.replace("${", "${!")),
                Part::Ref(r) => {
                    let v = self.reference(r, path)?;
                    sub.push_str("${");
                    if let Some(id) = v.get("Ref").and_then(Value::as_str) {
                        sub.push_str(id);
                    } else if let Some([id, attr]) = v
                        .get("Fn::GetAtt")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                    {
                        sub.push_str(id.as_str().unwrap_or_default());
                        sub.push('.');
                        sub.push_str(attr.as_str().unwrap_or_default());
                    }
                    sub.push('}');
                }
            }
        }
        Ok(json!({ "Fn::Sub": sub }))
    }

    fn value(&self, v: &Value, path: &str) -> Result<Value> {
        Ok(match v {
            Value::String(s) => self.string(s, path)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.value(i, path))
                    .collect::<Result<_>>()?,
            ),
            Value::Object(m) => {
                let mut out = Map::with_capacity(m.len());
                for (k, v) in m {
                    if !v.is_null() {
                        out.insert(k.clone(), self.value(v, path)?);
                    }
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// Maps the arguments `props` of a block with `specs` into `out`.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &self,
        type_name: &str,
        props: &Map<String, Value>,
        specs: &BTreeMap<String, Prop>,
        out: &mut Map<String, Value>,
        attrs: &mut Map<String, Value>,
        path: &str,
        skip: Option<&str>,
    ) -> Result<()> {
        for (k, v) in props {
            if v.is_null() || Some(k.as_str()) == skip {
                continue;
            }
            let mut at = path.to_string();
            push_key(&mut at, k);
            let Some(prop) = specs.get(k) else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &at,
                    format!("argument `{k}` of {type_name} has no {FORMAT} mapping"),
                ));
            };
            match prop {
                Prop::Name(name) => insert_path(out, name, self.value(v, &at)?),
                Prop::Spec(spec) => self.spec(type_name, k, v, spec, out, attrs, &at)?,
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn spec(
        &self,
        type_name: &str,
        k: &str,
        v: &Value,
        spec: &Spec,
        out: &mut Map<String, Value>,
        attrs: &mut Map<String, Value>,
        at: &str,
    ) -> Result<()> {
        if let Some(reason) = &spec.unmapped {
            return Err(unmapped(
                Code::UnmappedProperty,
                at,
                format!("argument `{k}` of {type_name} has no {FORMAT} equivalent: {reason}"),
            ));
        }
        if let Some(neutral) = &spec.ignore_if {
            if v == neutral {
                return Ok(());
            }
            if spec.to.is_none() && spec.deletion_policy.is_none() {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!(
                        "argument `{k}` of {type_name} can only be {neutral} in {FORMAT} (its own behaviour)"
                    ),
                ));
            }
        }
        if let Some(policies) = &spec.deletion_policy {
            let key = match v {
                Value::Bool(b) => b.to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let Some(policy) = policies.get(&key) else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!("argument `{k}` of {type_name}: {key} has no {FORMAT} deletion policy"),
                ));
            };
            attrs.insert("DeletionPolicy".into(), Value::String(policy.clone()));
            attrs.insert("UpdateReplacePolicy".into(), Value::String(policy.clone()));
            return Ok(());
        }
        let to = spec.to.as_deref().unwrap_or(k);
        let mapped = if spec.fields.is_empty() {
            self.value(v, at)?
        } else {
            let items: Vec<&Map<String, Value>> = match v {
                Value::Object(m) => vec![m],
                Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
                _ => {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        at,
                        format!("argument `{k}` of {type_name} must be a block (an object)"),
                    ))
                }
            };
            let mut list = Vec::new();
            for item in items {
                for expanded in split(item, &spec.split) {
                    let mut obj = Map::new();
                    self.block(
                        type_name,
                        &expanded,
                        &spec.fields,
                        &mut obj,
                        attrs,
                        at,
                        None,
                    )?;
                    list.push(Value::Object(obj));
                }
            }
            let as_list = spec.list || !spec.split.is_empty();
            match (as_list, list.len()) {
                (false, 1) => list.pop().unwrap_or(Value::Null),
                _ => Value::Array(list),
            }
        };
        let mapped = match spec.transform.as_deref() {
            Some("base64") => json!({ "Fn::Base64": mapped }),
            Some("json") => match &mapped {
                Value::String(s) => serde_json::from_str(s).unwrap_or(mapped),
                _ => mapped,
            },
            Some("string") => match &mapped {
                Value::Number(n) => Value::String(n.to_string()),
                _ => mapped,
            },
            _ => mapped,
        };
        if to == "." {
            match mapped {
                Value::Object(m) => out.extend(m),
                Value::Array(items) => {
                    for item in items {
                        if let Value::Object(m) = item {
                            out.extend(m);
                        }
                    }
                }
                _ => {}
            }
        } else {
            insert_path(out, to, mapped);
        }
        Ok(())
    }
}

/// One item per element of each split list argument (the others copied).
fn split(item: &Map<String, Value>, fields: &[String]) -> Vec<Map<String, Value>> {
    let present: Vec<(&String, &Vec<Value>)> = fields
        .iter()
        .filter_map(|f| item.get(f).and_then(Value::as_array).map(|l| (f, l)))
        .collect();
    if present.is_empty() {
        return vec![item.clone()];
    }
    let mut base = item.clone();
    for f in fields {
        base.remove(f);
    }
    let mut out = Vec::new();
    for (field, list) in present {
        for element in list {
            let mut one = base.clone();
            one.insert(field.clone(), element.clone());
            out.push(one);
        }
    }
    out
}

/// Inserts at a dotted path (`Ebs.VolumeSize`), creating objects on the way.
fn insert_path(out: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            out.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = out
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(m) = entry {
                insert_path(m, rest, value);
            }
        }
    }
}

/// CloudFormation parameter type and default of a variable.
fn parameter(v: &crate::blueprint::Variable, path: &str) -> Result<Map<String, Value>> {
    let ty = v
        .var_type
        .as_deref()
        .map(VarType::parse)
        .transpose()
        .ok()
        .flatten()
        .unwrap_or(VarType::String);
    if v.default.as_ref().is_some_and(Value::is_null) {
        // Terraform's `default = null` makes a variable optional with no value; a CloudFormation
        // parameter has no null, and "" or "null" would be a different value.
        return Err(gen_error(
            Code::UnmappedProperty,
            format!("{path}.default"),
            format!("a null default (an optional variable with no value) has no {FORMAT} parameter equivalent; give the variable a real default or none"),
        ));
    }
    let mut p = Map::new();
    let (cfn_type, default) = match (&ty, &v.default) {
        (VarType::String, d) => ("String", d.clone().map(|d| string_of(&d))),
        (VarType::Number, d) => ("Number", d.clone().map(|d| string_of(&d))),
        (VarType::Bool, d) => {
            p.insert("AllowedValues".into(), json!(["true", "false"]));
            ("String", d.clone().map(|d| string_of(&d)))
        }
        (VarType::List(inner) | VarType::Set(inner), d) => {
            let t = match **inner {
                VarType::Number => "List<Number>",
                VarType::String => "CommaDelimitedList",
                _ => "",
            };
            let joined = d.as_ref().and_then(Value::as_array).map(|items| {
                Value::String(
                    items
                        .iter()
                        .map(|i| match string_of(i) {
                            Value::String(s) => s,
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                )
            });
            (t, joined)
        }
        _ => ("", None),
    };
    if cfn_type.is_empty() {
        return Err(gen_error(
            Code::UnmappedProperty,
            format!("{path}.type"),
            format!("a variable of type {ty} has no {FORMAT} parameter type (use string, number, bool or a list of strings or numbers)"),
        ));
    }
    p.insert("Type".into(), Value::String(cfn_type.into()));
    if let Some(d) = default {
        p.insert("Default".into(), d);
    }
    if let Some(desc) = &v.description {
        p.insert("Description".into(), Value::String(desc.clone()));
    }
    if v.sensitive {
        p.insert("NoEcho".into(), Value::Bool(true));
    }
    Ok(p)
}

fn string_of(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(other.to_string()),
    }
}

/// Lowers the blueprint to a CloudFormation template.
pub(crate) fn lower(bp: &CheckedBlueprint) -> Result<Lowered> {
    let map = mapping()?;
    let doc = bp.blueprint();
    let mut ns = Namespace::default();
    let mut l = Lowering {
        bp,
        map,
        placements: Vec::with_capacity(doc.resources.len()),
        params: HashMap::new(),
        findings: Vec::new(),
    };

    // Names first: parameters and logical IDs share one namespace.
    for (i, v) in doc.variables.iter().enumerate() {
        let id = ns.claim(&pascal_case(&v.name), &format!("variables[{i}].name"))?;
        l.params.insert(&v.name, id);
    }
    // Folded types need their target resolved; assign placements in document order.
    for (i, r, info) in bp.iter() {
        let Some(tm) = map.types.get(&info.type_name) else {
            let mut supported: Vec<&str> = map.types.keys().map(String::as_str).collect();
            supported.truncate(60);
            l.findings.push(Finding::error(
                Code::UnmappedType,
                format!("resources[{i}].type"),
                format!(
                    "resource type {} has no {FORMAT} mapping (mapped types: {})",
                    info.type_name,
                    supported.join(", ")
                ),
            ));
            l.placements.push(Placement::Own(Vec::new()));
            continue;
        };
        if let Some(merge) = &tm.merge {
            let at = format!("resources[{i}].properties.{}", merge.via);
            let target = r
                .properties
                .get(&merge.via)
                .and_then(Value::as_str)
                .and_then(|s| parse_template(s, &at).ok())
                .and_then(|t| t.as_single_reference().cloned())
                .and_then(|rf| match rf {
                    Reference::Resource { name, .. } => bp.index_of(&name),
                    Reference::Variable { .. } => None,
                });
            match target {
                Some(t) if r.count.is_none() => l.placements.push(Placement::Folded(t)),
                _ => {
                    l.findings.push(Finding::error(
                        Code::UnmappedProperty,
                        at,
                        format!(
                            "{} is a property of another resource in {FORMAT}: `{}` must reference that resource (and the resource takes no count)",
                            info.type_name, merge.via
                        ),
                    ));
                    l.placements.push(Placement::Own(Vec::new()));
                }
            }
            continue;
        }
        let base = pascal_case(&r.name);
        let mut ids = Vec::new();
        match r.count {
            None => ids.push(ns.claim(&base, &format!("resources[{i}].name"))?),
            Some(n) => {
                for k in 0..n {
                    ids.push(ns.claim(&format!("{base}{k}"), &format!("resources[{i}].name"))?);
                }
            }
        }
        l.placements.push(Placement::Own(ids));
    }
    if !l.findings.is_empty() {
        return Err(Error::new(ErrorKind::Generate, l.findings));
    }

    // Resources.
    // Per resource: (Properties, resource attributes such as DeletionPolicy).
    type Body = (Map<String, Value>, Map<String, Value>);
    let mut bodies: Vec<Option<Body>> = Vec::with_capacity(doc.resources.len());
    for (i, r, info) in bp.iter() {
        let Some(tm) = map.types.get(&info.type_name) else {
            bodies.push(None);
            continue;
        };
        if tm.merge.is_some() {
            bodies.push(None);
            continue;
        }
        let base = format!("resources[{i}].properties");
        let mut props = Map::new();
        let mut attrs = Map::new();
        let tag_arg = info.tag_argument.as_deref().unwrap_or("tags");
        let skip = tm.tags.as_ref().map(|_| tag_arg);
        l.block(
            &info.type_name,
            &r.properties,
            &tm.properties,
            &mut props,
            &mut attrs,
            &base,
            skip,
        )?;
        for (k, v) in &tm.defaults {
            if !props.contains_key(k) {
                props.insert(k.clone(), v.clone());
            }
        }
        if tm.tags.is_some() {
            let tags = merged_tags(bp, i);
            if !tags.is_empty() {
                let mut list = Vec::with_capacity(tags.len());
                let at = format!("{base}.{tag_arg}");
                for (k, v) in &tags {
                    list.push(json!({"Key": k, "Value": l.value(v, &at)?}));
                }
                props.insert("Tags".into(), Value::Array(list));
            }
        } else if r.properties.contains_key(tag_arg) && !tm.properties.contains_key(tag_arg) {
            return Err(unmapped(
                Code::UnmappedProperty,
                &format!("{base}.{tag_arg}"),
                format!("{} takes no tags in {FORMAT}", info.type_name),
            ));
        }
        if r.lifecycle.prevent_destroy {
            attrs.insert("DeletionPolicy".into(), json!("Retain"));
            attrs.insert("UpdateReplacePolicy".into(), json!("Retain"));
        }
        if !r.lifecycle.ignore_changes.is_empty() {
            return Err(unmapped(
                Code::UnmappedProperty,
                &format!("resources[{i}].lifecycle.ignore_changes"),
                format!("{FORMAT} has no ignore_changes"),
            ));
        }
        bodies.push(Some((props, attrs)));
    }

    // Folded resources become properties of their target.
    for (i, r, info) in bp.iter() {
        let (Some(Placement::Folded(target)), Some(tm)) =
            (l.placements.get(i), map.types.get(&info.type_name))
        else {
            continue;
        };
        let Some(merge) = &tm.merge else { continue };
        let base = format!("resources[{i}].properties");
        let value = match &merge.append {
            Some(arg) => l.value(
                r.properties.get(arg).unwrap_or(&Value::Null),
                &format!("{base}.{arg}"),
            )?,
            None => {
                let mut obj = Map::new();
                let mut ignored = Map::new();
                l.block(
                    &info.type_name,
                    &r.properties,
                    &merge.fields,
                    &mut obj,
                    &mut ignored,
                    &base,
                    Some(merge.via.as_str()),
                )?;
                Value::Object(obj)
            }
        };
        let Some(Some((props, _))) = bodies.get_mut(*target) else {
            return Err(unmapped(
                Code::UnmappedProperty,
                &format!("{base}.{}", merge.via),
                format!(
                    "{} must reference a resource that exists on its own in {FORMAT}",
                    info.type_name
                ),
            ));
        };
        if merge.append.is_some() {
            let list = props
                .entry(merge.property.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            match list {
                Value::Array(items) => items.push(value),
                _ => {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        &base,
                        format!("{} of the target is not a list", merge.property),
                    ))
                }
            }
        } else if props.contains_key(&merge.property) {
            return Err(unmapped(
                Code::UnmappedProperty,
                &base,
                format!(
                    "{} of the referenced resource is already set; {FORMAT} holds one",
                    merge.property
                ),
            ));
        } else {
            props.insert(merge.property.clone(), value);
        }
    }

    // Dependencies: explicit ones no reference implies; folded resources stand for their target.
    let id_of = |j: usize| -> Vec<String> {
        match l.placements.get(j) {
            Some(Placement::Own(ids)) => ids.clone(),
            Some(Placement::Folded(t)) => match l.placements.get(*t) {
                Some(Placement::Own(ids)) => ids.clone(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        }
    };
    let mut folded_into: HashMap<usize, Vec<usize>> = HashMap::new();
    for (j, p) in l.placements.iter().enumerate() {
        if let Placement::Folded(t) = p {
            folded_into.entry(*t).or_default().push(j);
        }
    }
    let mut resources = Map::new();
    for (i, r, info) in bp.iter() {
        let (Some(Placement::Own(ids)), Some(Some((props, attrs)))) =
            (l.placements.get(i), bodies.get_mut(i).map(Option::take))
        else {
            continue;
        };
        let cfn_type = map
            .types
            .get(&info.type_name)
            .and_then(|t| t.cfn_type.clone())
            .unwrap_or_default();
        let referenced = if r.dependencies.is_empty() {
            std::collections::HashSet::new()
        } else {
            super::terraform::referenced_names(&r.properties)
        };
        let mut depends: Vec<String> = Vec::new();
        let push_dep = |d: &str, depends: &mut Vec<String>| {
            if let Some(j) = bp.index_of(d) {
                for id in id_of(j) {
                    if !ids.contains(&id) && !depends.contains(&id) {
                        depends.push(id);
                    }
                }
            }
        };
        for d in r.dependencies.iter().filter(|d| !referenced.contains(*d)) {
            push_dep(d, &mut depends);
        }
        // Dependencies of resources folded into this one.
        for &j in folded_into.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(other) = bp.resources().get(j) {
                for d in &other.dependencies {
                    push_dep(d, &mut depends);
                }
            }
        }
        let mut props = Some(props);
        for (n, id) in ids.iter().enumerate() {
            let mut res = Map::new();
            res.insert("Type".into(), Value::String(cfn_type.clone()));
            if !depends.is_empty() {
                res.insert(
                    "DependsOn".into(),
                    Value::Array(depends.iter().cloned().map(Value::String).collect()),
                );
            }
            for (k, v) in &attrs {
                res.insert(k.clone(), v.clone());
            }
            // The last instance takes the properties, the others a copy.
            let p = if n + 1 == ids.len() {
                props.take().unwrap_or_default()
            } else {
                props.clone().unwrap_or_default()
            };
            if !p.is_empty() {
                res.insert("Properties".into(), Value::Object(p));
            }
            resources.insert(id.clone(), Value::Object(res));
        }
    }

    // Parameters and outputs.
    let mut params = Map::new();
    for (i, v) in doc.variables.iter().enumerate() {
        let id = l.params.get(v.name.as_str()).cloned().unwrap_or_default();
        params.insert(id, Value::Object(parameter(v, &format!("variables[{i}]"))?));
    }
    let mut outputs = Map::new();
    let mut out_ns = Namespace::default();
    for (i, o) in doc.outputs.iter().enumerate() {
        let at = format!("outputs[{i}].value");
        if o.sensitive {
            return Err(unmapped(
                Code::UnmappedProperty,
                &format!("outputs[{i}].sensitive"),
                format!("{FORMAT} outputs cannot be hidden; remove the output or `sensitive`"),
            ));
        }
        let value = match &o.value {
            Value::String(s) => l.string(s, &at)?,
            Value::Number(_) | Value::Bool(_) => string_of(&o.value),
            _ => {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &at,
                    format!("{FORMAT} outputs are strings; this one is a list or an object"),
                ))
            }
        };
        let id = out_ns.claim(&pascal_case(&o.name), &format!("outputs[{i}].name"))?;
        let mut out = Map::new();
        out.insert("Value".into(), value);
        if let Some(d) = &o.description {
            out.insert("Description".into(), Value::String(d.clone()));
        }
        outputs.insert(id, Value::Object(out));
    }

    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    if let Some(d) = &doc.description {
        template.insert("Description".into(), Value::String(d.clone()));
    }
    if !params.is_empty() {
        template.insert("Parameters".into(), Value::Object(params));
    }
    template.insert("Resources".into(), Value::Object(resources));
    if !outputs.is_empty() {
        template.insert("Outputs".into(), Value::Object(outputs));
    }
    Ok(Lowered {
        template: Value::Object(template),
    })
}

/// The template context of `cloudformation` / `cloudformation-yaml`.
pub(crate) fn context(bp: &CheckedBlueprint) -> Result<Value> {
    let lowered = lower(bp)?;
    let mut ctx = Map::new();
    ctx.insert("blueprint".into(), super::blueprint_context(bp));
    ctx.insert("template".into(), lowered.template);
    Ok(Value::Object(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{provider_schema, ArgType, BlockSchema, Provider};

    fn check_props(
        type_name: &str,
        specs: &BTreeMap<String, Prop>,
        schema: &BlockSchema,
        problems: &mut Vec<String>,
    ) {
        for (k, p) in specs {
            let Some(arg) = schema.get(k) else {
                problems.push(format!("{type_name}.{k}: not a Terraform argument"));
                continue;
            };
            if let Prop::Spec(s) = p {
                if !s.fields.is_empty() {
                    if let ArgType::Block(b) | ArgType::BlockList(b) = &arg.ty {
                        check_props(type_name, &s.fields, b, problems);
                    }
                }
            }
        }
    }

    #[test]
    fn mapping_data_loads_and_names_real_terraform_arguments() {
        let map = mapping().unwrap();
        let schema = provider_schema(Provider::Aws);
        let mut problems = Vec::new();
        for (t, tm) in &map.types {
            let Some(s) = schema.get(t) else {
                problems.push(format!("{t}: not a Terraform type"));
                continue;
            };
            check_props(t, &tm.properties, s, &mut problems);
            if let Some(m) = &tm.merge {
                check_props(t, &m.fields, s, &mut problems);
                assert!(tm.cfn_type.is_none(), "{t}");
            } else {
                assert!(
                    tm.cfn_type
                        .as_deref()
                        .is_some_and(|c| c.starts_with("AWS::")),
                    "{t}"
                );
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
