//! The policy input: a blueprint rendered as Terraform plan JSON, and the conversion of any plan
//! JSON into the Rego engine's value type.
//!
//! The rendering is what `terraform show -json` would print for a first apply of the Terraform
//! configuration the blueprint generates: every resource instance is a `create` in
//! `resource_changes`, with its known values in `change.after` and the values that are references
//! to other resources (or variables without a value) marked `true` in `change.after_unknown`;
//! `configuration` keeps each argument's expression (`constant_value`, or the `references` it
//! reads), so rules can follow edges between resources; `planned_values` lists the same values,
//! for policies written against it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::catalog::{self, provider_schema, ArgType, BlockSchema, Provider};
use crate::check::CheckedBlueprint;
use crate::reference::{Part, Reference, Step, Template};

/// The `format_version` of rendered plans (the version Terraform 1.8+ writes).
pub const RENDERED_FORMAT_VERSION: &str = "1.2";

/// Renders a checked blueprint as Terraform plan JSON (see the module docs).
///
/// `variables` gives values for blueprint variables, as a `.tfvars` file would; a variable with
/// neither a value here nor a default is unknown, like a reference.
pub(crate) fn render_blueprint(
    bp: &CheckedBlueprint,
    variables: &BTreeMap<String, Value>,
) -> Value {
    let doc = bp.blueprint();
    let provider = bp.provider();
    let tf = provider.terraform_name();
    let provider_source = catalog::catalog(provider).terraform.source.clone();
    let provider_name = format!("registry.terraform.io/{provider_source}");
    let schemas = provider_schema(provider);

    let mut var_values: BTreeMap<&str, Value> = BTreeMap::new();
    let mut plan_vars = Map::new();
    let mut config_vars = Map::new();
    for v in &doc.variables {
        let value = variables.get(&v.name).or(v.default.as_ref());
        if let Some(value) = value {
            var_values.insert(v.name.as_str(), value.clone());
            plan_vars.insert(v.name.clone(), object([("value", value.clone())]));
        }
        let mut cv = Map::new();
        if let Some(d) = &v.default {
            cv.insert("default".into(), d.clone());
        }
        if let Some(d) = &v.description {
            cv.insert("description".into(), Value::String(d.clone()));
        }
        if v.sensitive {
            cv.insert("sensitive".into(), Value::Bool(true));
        }
        config_vars.insert(v.name.clone(), Value::Object(cv));
    }
    let ctx = Ctx {
        bp,
        variables: &var_values,
    };

    let mut changes = Vec::with_capacity(bp.resources().len());
    let mut planned = Vec::with_capacity(bp.resources().len());
    let mut config_resources = Vec::with_capacity(bp.resources().len());
    for (i, r, info) in bp.iter() {
        let schema = schemas.get(&info.type_name);
        let sensitive = bp
            .catalog_entry(i)
            .map(|e| e.sensitive.as_slice())
            .unwrap_or_default();
        // Tags as they will be applied: the blueprint's default tags merged with the resource's.
        let mut props = r.properties.clone();
        if info.taggable {
            let key = provider.tag_argument();
            let mut tags: Map<String, Value> = doc
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            if let Some(Value::Object(own)) = r.properties.get(key) {
                for (k, v) in own {
                    tags.insert(k.clone(), v.clone());
                }
            }
            let value = if tags.is_empty() && !r.properties.contains_key(key) {
                Value::Null
            } else {
                Value::Object(tags)
            };
            props.insert(key.to_string(), value);
        }
        let mut after = Map::new();
        let mut after_unknown = Map::new();
        let mut expressions = Map::new();
        for (key, value) in &props {
            let ty = schema.and_then(|s| s.get(key)).map(|a| &a.ty);
            let rendered = ctx.render(value, ty);
            if let Some(v) = rendered.after {
                after.insert(key.clone(), v);
            }
            if rendered.unknown != Value::Bool(false) {
                after_unknown.insert(key.clone(), rendered.unknown);
            }
            expressions.insert(key.clone(), ctx.expression(value, ty));
        }
        let after_sensitive: Map<String, Value> = sensitive
            .iter()
            .filter(|k| after.contains_key(k.as_str()) || after_unknown.contains_key(k.as_str()))
            .map(|k| (k.clone(), Value::Bool(true)))
            .collect();
        let after = Value::Object(after);
        let base = format!("{}.{}", info.type_name, r.name);
        let count = r.count;
        let instances: Vec<Option<u32>> = match count {
            Some(n) => (0..n).map(Some).collect(),
            None => vec![None],
        };
        for index in instances {
            let address = match index {
                Some(n) => format!("{base}[{n}]"),
                None => base.clone(),
            };
            let mut rc = Map::new();
            rc.insert("address".into(), Value::String(address.clone()));
            rc.insert("mode".into(), Value::String("managed".into()));
            rc.insert("type".into(), Value::String(info.type_name.clone()));
            rc.insert("name".into(), Value::String(r.name.clone()));
            if let Some(n) = index {
                rc.insert("index".into(), json!(n));
            }
            rc.insert("provider_name".into(), Value::String(provider_name.clone()));
            let mut change = Map::new();
            change.insert(
                "actions".into(),
                Value::Array(vec![Value::String("create".into())]),
            );
            change.insert("before".into(), Value::Null);
            change.insert("after".into(), after.clone());
            change.insert("after_unknown".into(), Value::Object(after_unknown.clone()));
            change.insert("before_sensitive".into(), Value::Bool(false));
            change.insert(
                "after_sensitive".into(),
                Value::Object(after_sensitive.clone()),
            );
            rc.insert("change".into(), Value::Object(change));
            changes.push(Value::Object(rc));
            let mut pv = Map::new();
            pv.insert("address".into(), Value::String(address));
            pv.insert("mode".into(), Value::String("managed".into()));
            pv.insert("type".into(), Value::String(info.type_name.clone()));
            pv.insert("name".into(), Value::String(r.name.clone()));
            if let Some(n) = index {
                pv.insert("index".into(), json!(n));
            }
            pv.insert("provider_name".into(), Value::String(provider_name.clone()));
            pv.insert("schema_version".into(), json!(0));
            pv.insert("values".into(), after.clone());
            pv.insert("sensitive_values".into(), json!({}));
            planned.push(Value::Object(pv));
        }
        let mut cr = Map::new();
        cr.insert("address".into(), Value::String(base));
        cr.insert("mode".into(), Value::String("managed".into()));
        cr.insert("type".into(), Value::String(info.type_name.clone()));
        cr.insert("name".into(), Value::String(r.name.clone()));
        cr.insert("provider_config_key".into(), Value::String(tf.into()));
        cr.insert("expressions".into(), Value::Object(expressions));
        cr.insert("schema_version".into(), json!(0));
        if let Some(n) = count {
            cr.insert("count_expression".into(), json!({ "constant_value": n }));
        }
        if !r.dependencies.is_empty() {
            let deps: Vec<Value> = r
                .dependencies
                .iter()
                .filter_map(|d| bp.index_of(d))
                .filter_map(|j| bp.resource_info(j))
                .map(|info| Value::String(info.address.clone()))
                .collect();
            cr.insert("depends_on".into(), Value::Array(deps));
        }
        config_resources.push(Value::Object(cr));
    }

    let mut provider_expressions = Map::new();
    if provider != Provider::Azure {
        provider_expressions.insert("region".into(), json!({ "constant_value": doc.region }));
    } else {
        provider_expressions.insert("features".into(), json!([{}]));
    }
    let mut outputs = Map::new();
    for o in &doc.outputs {
        let mut e = match ctx.expression(&o.value, None) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        if o.sensitive {
            e.insert("sensitive".into(), Value::Bool(true));
        }
        outputs.insert(o.name.clone(), Value::Object(e));
    }
    let mut root = Map::new();
    root.insert("resources".into(), Value::Array(config_resources));
    if !outputs.is_empty() {
        root.insert("outputs".into(), Value::Object(outputs));
    }
    if !config_vars.is_empty() {
        root.insert("variables".into(), Value::Object(config_vars));
    }
    let mut plan = Map::new();
    plan.insert(
        "format_version".into(),
        Value::String(RENDERED_FORMAT_VERSION.into()),
    );
    if !plan_vars.is_empty() {
        plan.insert("variables".into(), Value::Object(plan_vars));
    }
    plan.insert(
        "planned_values".into(),
        object([(
            "root_module",
            object([("resources", Value::Array(planned))]),
        )]),
    );
    plan.insert("resource_changes".into(), Value::Array(changes));
    let provider_config = object([
        ("name", Value::String(tf.into())),
        ("full_name", Value::String(provider_name)),
        ("expressions", Value::Object(provider_expressions)),
    ]);
    plan.insert(
        "configuration".into(),
        object([
            ("provider_config", object([(tf, provider_config)])),
            ("root_module", Value::Object(root)),
        ]),
    );
    Value::Object(plan)
}

struct Ctx<'a> {
    bp: &'a CheckedBlueprint,
    variables: &'a BTreeMap<&'a str, Value>,
}

/// A rendered value: what goes into `change.after` (`None` when unknown) and into
/// `change.after_unknown` (`false` when fully known, `true` when unknown, or a container marking
/// the unknown parts).
struct Rendered {
    after: Option<Value>,
    unknown: Value,
}

impl Rendered {
    fn known(v: Value) -> Rendered {
        Rendered {
            after: Some(v),
            unknown: Value::Bool(false),
        }
    }
    fn unknown() -> Rendered {
        Rendered {
            after: None,
            unknown: Value::Bool(true),
        }
    }
}

fn block_schema(ty: Option<&ArgType>) -> Option<&BlockSchema> {
    match ty {
        Some(ArgType::Block(b) | ArgType::BlockList(b)) => Some(b),
        _ => None,
    }
}

fn element_type(ty: Option<&ArgType>) -> Option<&ArgType> {
    match ty {
        Some(ArgType::List(t) | ArgType::Map(t)) => Some(t),
        _ => None,
    }
}

impl Ctx<'_> {
    fn render(&self, value: &Value, ty: Option<&ArgType>) -> Rendered {
        if let Some(block) = block_schema(ty) {
            // Terraform writes every nested block as a list of objects.
            return match value {
                Value::Object(_) => self.render_list(std::slice::from_ref(value), |v| {
                    self.render_object(v, Some(block))
                }),
                Value::Array(items) => {
                    self.render_list(items, |v| self.render_object(v, Some(block)))
                }
                other => self.render_scalar(other),
            };
        }
        match value {
            Value::Array(items) => {
                let elem = element_type(ty);
                self.render_list(items, |v| self.render(v, elem))
            }
            Value::Object(_) => self.render_object(value, None),
            other => self.render_scalar(other),
        }
    }

    fn render_list(&self, items: &[Value], f: impl Fn(&Value) -> Rendered) -> Rendered {
        let mut after = Vec::with_capacity(items.len());
        let mut unknown = Vec::with_capacity(items.len());
        let mut any_unknown = false;
        for item in items {
            let r = f(item);
            after.push(r.after.unwrap_or(Value::Null));
            if r.unknown != Value::Bool(false) {
                any_unknown = true;
            }
            unknown.push(r.unknown);
        }
        Rendered {
            after: Some(Value::Array(after)),
            unknown: if any_unknown {
                Value::Array(unknown)
            } else {
                Value::Bool(false)
            },
        }
    }

    fn render_object(&self, value: &Value, block: Option<&BlockSchema>) -> Rendered {
        let Value::Object(map) = value else {
            return self.render_scalar(value);
        };
        let mut after = Map::new();
        let mut unknown = Map::new();
        for (k, v) in map {
            let ty = block.and_then(|b| b.get(k)).map(|a| &a.ty);
            let r = if block.is_some() {
                self.render(v, ty)
            } else {
                // A map value or a free-form object: its values are attributes.
                self.render(v, element_type(ty))
            };
            if let Some(a) = r.after {
                after.insert(k.clone(), a);
            }
            if r.unknown != Value::Bool(false) {
                unknown.insert(k.clone(), r.unknown);
            }
        }
        Rendered {
            after: Some(Value::Object(after)),
            unknown: if unknown.is_empty() {
                Value::Bool(false)
            } else {
                Value::Object(unknown)
            },
        }
    }

    fn render_scalar(&self, value: &Value) -> Rendered {
        let Value::String(s) = value else {
            return Rendered::known(value.clone());
        };
        if !s.contains("${") {
            return Rendered::known(value.clone());
        }
        let Ok(template) = Template::parse(s) else {
            return Rendered::known(value.clone());
        };
        // A string that is exactly one variable keeps the variable's own type.
        if let [Part::Ref(Reference::Variable { name })] = template.parts.as_slice() {
            return match self.variables.get(name.as_str()) {
                Some(v) => Rendered::known(v.clone()),
                None => Rendered::unknown(),
            };
        }
        let mut out = String::new();
        for part in &template.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Ref(Reference::Variable { name }) => {
                    match self.variables.get(name.as_str()) {
                        Some(Value::String(v)) => out.push_str(v),
                        Some(v) => out.push_str(&v.to_string()),
                        None => return Rendered::unknown(),
                    }
                }
                Part::Ref(Reference::Resource { .. }) => return Rendered::unknown(),
            }
        }
        Rendered::known(Value::String(out))
    }

    /// The configuration expression of an argument: nested blocks as lists of expression
    /// objects; attributes as `{"constant_value": ...}` or `{"references": [...]}`.
    fn expression(&self, value: &Value, ty: Option<&ArgType>) -> Value {
        if let Some(block) = block_schema(ty) {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let blocks: Vec<Value> = items
                .into_iter()
                .map(|item| match item {
                    Value::Object(map) => {
                        let fields: Map<String, Value> = map
                            .iter()
                            .map(|(k, v)| {
                                let ty = block.get(k).map(|a| &a.ty);
                                (k.clone(), self.expression(v, ty))
                            })
                            .collect();
                        Value::Object(fields)
                    }
                    other => self.expression(other, None),
                })
                .collect();
            return Value::Array(blocks);
        }
        let mut refs = Vec::new();
        self.collect_references(value, &mut refs);
        if refs.is_empty() {
            object([("constant_value", literal(value))])
        } else {
            object([(
                "references",
                Value::Array(refs.into_iter().map(Value::String).collect()),
            )])
        }
    }

    fn collect_references(&self, value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if s.contains("${") => {
                let Ok(template) = Template::parse(s) else {
                    return;
                };
                for part in template.parts {
                    let Part::Ref(reference) = part else { continue };
                    for r in self.reference_strings(&reference) {
                        if !out.contains(&r) {
                            out.push(r);
                        }
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect_references(v, out)),
            Value::Object(map) => map.values().for_each(|v| self.collect_references(v, out)),
            _ => {}
        }
    }

    /// The strings Terraform lists in `references` for one reference: the full traversal, then
    /// the resource instance and the resource (`aws_s3_bucket.b.id`, `aws_s3_bucket.b`).
    fn reference_strings(&self, reference: &Reference) -> Vec<String> {
        match reference {
            Reference::Variable { name } => vec![format!("var.{name}")],
            Reference::Resource {
                name,
                index,
                attribute,
            } => {
                let Some(info) = self
                    .bp
                    .index_of(name)
                    .and_then(|i| self.bp.resource_info(i))
                else {
                    return Vec::new();
                };
                let base = info.address.clone();
                let instance = match index {
                    Some(i) => format!("{base}[{i}]"),
                    None => base.clone(),
                };
                let mut full = instance.clone();
                for step in attribute {
                    match step {
                        Step::Attr(a) => {
                            full.push('.');
                            full.push_str(a);
                        }
                        Step::Index(i) => full.push_str(&format!("[{i}]")),
                    }
                }
                let mut out = vec![full];
                if !out.contains(&instance) {
                    out.push(instance);
                }
                if !out.contains(&base) {
                    out.push(base);
                }
                out
            }
        }
    }
}

/// An object from key-value pairs, moving the values (the `json!` macro would copy them).
fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A value with `$${` escapes turned into the literal `${` they stand for.
fn literal(value: &Value) -> Value {
    match value {
        Value::String(s) if s.contains("$${") => Value::String(s.replace("$${", "${")),
        Value::Array(items) => Value::Array(items.iter().map(literal).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), literal(v))).collect())
        }
        other => other.clone(),
    }
}

/// Converts a JSON value into the Rego engine's value type, sharing repeated object keys.
pub(crate) fn to_rego(value: &Value) -> regorus::Value {
    let mut keys: std::collections::HashMap<String, regorus::Value> =
        std::collections::HashMap::new();
    convert(value, &mut keys)
}

fn convert(
    value: &Value,
    keys: &mut std::collections::HashMap<String, regorus::Value>,
) -> regorus::Value {
    match value {
        Value::Null => regorus::Value::Null,
        Value::Bool(b) => regorus::Value::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                regorus::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                regorus::Value::from(u)
            } else {
                regorus::Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => regorus::Value::from(s.as_str()),
        Value::Array(items) => {
            regorus::Value::from(items.iter().map(|v| convert(v, keys)).collect::<Vec<_>>())
        }
        Value::Object(map) => {
            let mut obj = regorus::Value::new_object();
            if let Ok(o) = obj.as_object_mut() {
                for (k, v) in map {
                    let key = match keys.get(k.as_str()) {
                        Some(key) => key.clone(),
                        None => {
                            let key = regorus::Value::from(k.as_str());
                            if keys.len() < 4096 {
                                keys.insert(k.clone(), key.clone());
                            }
                            key
                        }
                    };
                    let v = convert(v, keys);
                    o.insert(key, v);
                }
            }
            obj
        }
    }
}
