//! Lowering for `terraform` and `terraform-json`: the blueprint in Terraform JSON syntax (every
//! string a template: references as `${aws_vpc.main.id}`, literal `${`/`%{` as `$${`/`%%{`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map};

use crate::blueprint::Value;
use crate::catalog::{catalog, Provider};
use crate::check::{CheckedBlueprint, VarType};
use crate::error::Result;
use crate::reference::{Part, Reference, Step, Template};

use super::gen_error;
use super::hcl;
use super::node::{JsonObject, Node, NodeMap};
use super::values::{default_tags, has_markers, merged_tags, parse_template, truthy};
use crate::error::Code;

/// Escapes literal text for a Terraform template string.
pub(crate) fn escape_literal(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(pos) = rest.find(['$', '%']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("${") {
            out.push_str("$${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("%{") {
            out.push_str("%%{");
            rest = after;
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
}

/// The Terraform expression of a reference (`aws_vpc.main.id`, `var.x`).
pub(crate) fn reference_expr(bp: &CheckedBlueprint, r: &Reference, out: &mut String) {
    match r {
        Reference::Variable { name } => {
            out.push_str("var.");
            out.push_str(name);
        }
        Reference::Resource {
            name,
            index,
            attribute,
        } => {
            let address = bp
                .index_of(name)
                .and_then(|i| bp.resource_info(i))
                .map(|info| info.address.as_str());
            match address {
                Some(a) => out.push_str(a),
                None => out.push_str(name),
            }
            if let Some(i) = index {
                out.push_str(&format!("[{i}]"));
            }
            for step in attribute {
                match step {
                    Step::Attr(a) => {
                        out.push('.');
                        out.push_str(a);
                    }
                    Step::Index(i) => out.push_str(&format!("[{i}]")),
                }
            }
        }
    }
}

/// A blueprint string in Terraform JSON syntax.
pub(crate) fn tf_string(bp: &CheckedBlueprint, text: &str, path: &str) -> Result<Value> {
    if !has_markers(text) && !text.contains("%{") {
        return Ok(Value::String(text.to_string()));
    }
    let template: Template = parse_template(text, path)?;
    let mut out = String::with_capacity(text.len() + 16);
    for part in &template.parts {
        match part {
            Part::Literal(l) => escape_literal(l, &mut out),
            Part::Ref(r) => {
                out.push_str("${");
                reference_expr(bp, r, &mut out);
                out.push('}');
            }
        }
    }
    Ok(Value::String(out))
}

/// A blueprint value in Terraform JSON syntax. Object keys are templates too in that syntax, so
/// they are escaped (blueprint keys are literal text). `path` names the value in errors.
fn tf_value(bp: &CheckedBlueprint, value: &Value, path: &str) -> Result<Value> {
    fn walk(bp: &CheckedBlueprint, value: &Value, path: &str) -> Result<Value> {
        Ok(match value {
            Value::String(s) => tf_string(bp, s, path)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| walk(bp, item, path))
                    .collect::<Result<_>>()?,
            ),
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    if v.is_null() {
                        continue;
                    }
                    let key = if k.contains("${") || k.contains("%{") {
                        let mut e = String::with_capacity(k.len() + 2);
                        escape_literal(k, &mut e);
                        e
                    } else {
                        k.clone()
                    };
                    out.insert(key, walk(bp, v, path)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
    walk(bp, value, path)
}

/// Names of the resources a resource references anywhere in its properties.
pub(crate) fn referenced_names(props: &crate::blueprint::Properties) -> HashSet<String> {
    fn walk(v: &Value, out: &mut HashSet<String>) {
        match v {
            Value::String(s) if has_markers(s) => {
                if let Ok(t) = Template::parse(s) {
                    for r in t.references() {
                        if let Reference::Resource { name, .. } = r {
                            out.insert(name.clone());
                        }
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(m) => m.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = HashSet::new();
    for v in props.values() {
        walk(v, &mut out);
    }
    out
}

/// The addresses of the explicit dependencies of a resource that its properties do not
/// reference already (`depends_on`).
fn explicit_depends_on(bp: &CheckedBlueprint, r: &crate::blueprint::Resource) -> Vec<Value> {
    if r.dependencies.is_empty() {
        return Vec::new();
    }
    let referenced = referenced_names(&r.properties);
    r.dependencies
        .iter()
        .filter(|d| !referenced.contains(*d))
        .filter_map(|d| bp.index_of(d).and_then(|j| bp.resource_info(j)))
        .map(|dep| Value::String(dep.address.clone()))
        .collect()
}

/// `main.tf` as the embedded `main.tf.tera` lays it out (`\n`, block, `\n` for each resource,
/// then `\n`) and [`super::hcl::finish`] tidies it, written in one pass: each block is written
/// into a scratch buffer and tidied into the file while it is still in cache, instead of
/// keeping every block as its own string for the template, copying them all into the rendered
/// text and reading that whole text again to tidy it. `None` without resources (the template
/// renders only whitespace, so there is no file).
pub(crate) fn main_tf(bp: &CheckedBlueprint) -> Result<Option<String>> {
    if bp.resources().is_empty() {
        return Ok(None);
    }
    // About 250 bytes per resource in typical blueprints; the buffer grows if it must.
    let mut out = String::with_capacity(bp.resources().len() * 320 + 1024);
    let mut block = String::with_capacity(4096);
    let mut tidy = super::hcl::Tidy::new();
    tidy.feed("", &mut out);
    for (i, r, info) in bp.iter() {
        block.clear();
        let depends_on = explicit_depends_on(bp, r);
        resource_block(&mut block, bp, i, r, info, &depends_on)?;
        // Every block ends with its closing `}` line, so no run of aligned assignments spans
        // two pieces (see `Tidy`).
        tidy.feed(&block, &mut out);
        tidy.feed("", &mut out);
    }
    tidy.feed("", &mut out);
    Ok(Some(out))
}

/// The `resource` block of a resource, written by the engine into `out` (`block` of the
/// context).
fn resource_block(
    out: &mut String,
    bp: &CheckedBlueprint,
    i: usize,
    r: &crate::blueprint::Resource,
    info: &crate::check::ResourceInfo,
    depends_on: &[Value],
) -> Result<()> {
    // Azure and GCP get the blueprint tags merged into every taggable resource (AWS through the
    // provider's default_tags).
    let merged;
    let props = match info.tag_argument.as_deref() {
        Some(tag_arg) if bp.provider() != Provider::Aws => {
            let tags = merged_tags(bp, i);
            if tags.is_empty() {
                &r.properties
            } else {
                let mut p = r.properties.clone();
                p.insert(tag_arg.to_string(), Value::Object(tags));
                merged = p;
                &merged
            }
        }
        _ => &r.properties,
    };
    super::hcl::write_resource_block(out, bp, r, &info.type_name, props, depends_on)
        .map_err(|m| gen_error(Code::TemplateError, format!("resources[{i}]"), m))
}

/// The files of the embedded `terraform/` templates (besides `main.tf`, see [`main_tf`]) that
/// [`embedded_file`] writes.
pub(crate) const EMBEDDED_FILES: &[&str] = &["providers.tf", "variables.tf", "outputs.tf"];

/// `providers.tf`, `variables.tf` or `outputs.tf` as the embedded templates lay them out from the
/// same context (before [`hcl::finish`]), so that a build without tera (the `templates` feature)
/// writes Terraform too; `direct_files_are_what_tera_renders` (`tests/generate_terraform.rs`)
/// compares them with what tera renders. Tera's tests as the templates use them: `is string`,
/// `is defined` and truthiness ([`truthy`]).
pub(crate) fn embedded_file(file: &str, ctx: &Value) -> std::result::Result<String, String> {
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let mut out = String::new();
    match file {
        "providers.tf" => {
            let p = field(ctx, "provider");
            out.push_str(
                "terraform {\n  required_version = \">= 1.5.0\"\n\n  required_providers {\n    ",
            );
            out.push_str(hcl::ident(&field(&p, "name"))?);
            out.push_str(" = {\n      source  = ");
            out.push_str(&hcl::string(&field(&p, "source"))?);
            out.push_str("\n      version = ");
            out.push_str(&hcl::string(&field(&p, "version"))?);
            out.push_str("\n    }\n  }\n}\n\nprovider ");
            out.push_str(&hcl::string(&field(&p, "name"))?);
            out.push_str(" {\n");
            if p.get("name").and_then(Value::as_str) == Some("azurerm") {
                out.push_str("\n  features {}\n");
            } else {
                out.push_str("\n  region = ");
                out.push_str(&hcl::string(&field(&p, "region"))?);
                out.push('\n');
            }
            out.push('\n');
            let tags = field(&p, "default_tags");
            if truthy(&tags) {
                out.push_str("\n\n  default_tags {\n    tags = ");
                hcl::expression(&mut out, &tags, 2)?;
                out.push_str("\n  }\n");
            }
            out.push_str("\n}\n");
        }
        "variables.tf" | "outputs.tf" => {
            let (list, keyword) = if file == "outputs.tf" {
                ("outputs", "output")
            } else {
                ("variables", "variable")
            };
            for item in ctx
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push('\n');
                out.push_str(keyword);
                out.push(' ');
                out.push_str(&hcl::string(&field(item, "name"))?);
                out.push_str(" {\n");
                if keyword == "output" {
                    out.push_str("  value = ");
                    hcl::expression(&mut out, &field(item, "value"), 1)?;
                    out.push('\n');
                } else {
                    out.push_str("  type = ");
                    out.push_str(&hcl::var_type(&field(item, "type"))?);
                    out.push('\n');
                    if let Some(default) = item.get("default") {
                        out.push_str("  default = ");
                        hcl::literal(&mut out, default, 1)?;
                        out.push('\n');
                    }
                }
                if let Some(d) = item.get("description").filter(|d| d.is_string()) {
                    out.push_str("  description = ");
                    out.push_str(&hcl::string(d)?);
                    out.push('\n');
                }
                if truthy(&field(item, "sensitive")) {
                    out.push_str("  sensitive = true\n");
                }
                out.push_str("}\n\n");
            }
            out.push('\n');
        }
        other => return Err(format!("the engine does not write {other}")),
    }
    Ok(out)
}

/// The template context of the Terraform formats (documented in `templates/README.md`); `data`
/// adds the resources' data (templates other than the embedded ones; always for
/// `terraform-json`, whose document is built from it).
pub(crate) fn context(bp: &CheckedBlueprint, json_syntax: bool, data: bool) -> Result<Value> {
    let doc = bp.blueprint();
    let provider = bp.provider();
    let cat = catalog(provider);
    // Templates other than the embedded ones also get `document` (the embedded one prints
    // `document_json`).
    let custom = data;
    let data = data || json_syntax;

    // Terraform JSON with the embedded template: `document_json` is written resource by
    // resource (see `write_json_document`), no resource data is needed.
    if json_syntax && !custom {
        let streamed = context(bp, false, false).and_then(|mut ctx| {
            let text = write_json_document(bp, &ctx)?;
            if let Value::Object(m) = &mut ctx {
                m.insert("document_json".into(), Value::String(text));
            }
            Ok(ctx)
        });
        // On an error, the error the whole document reports (the checks are the same, made in
        // another order).
        return streamed.map_err(|e| context(bp, true, true).err().unwrap_or(e));
    }

    // With the embedded templates, `main.tf` is written by [`main_tf`] and the HCL context needs
    // no resources.
    let mut resources = Vec::with_capacity(if data { doc.resources.len() } else { 0 });
    for (i, r, info) in bp.iter().filter(|_| data) {
        resources.push(resource_value(bp, i, r, info, json_syntax)?);
    }

    let mut variables = Vec::with_capacity(doc.variables.len());
    for v in &doc.variables {
        let ty = v
            .var_type
            .as_deref()
            .map(VarType::parse)
            .transpose()
            .ok()
            .flatten()
            .unwrap_or(VarType::String);
        let mut var = json!({
            "name": v.name,
            "type": ty.to_string(),
            "description": v.description,
            "sensitive": v.sensitive,
        });
        if let (Some(default), Value::Object(m)) = (&v.default, &mut var) {
            m.insert("default".into(), default.clone());
        }
        variables.push(var);
    }

    let mut outputs = Vec::with_capacity(doc.outputs.len());
    for (i, o) in doc.outputs.iter().enumerate() {
        outputs.push(json!({
            "name": o.name,
            "value": tf_value(bp, &o.value, &format!("outputs[{i}].value"))?,
            "description": o.description,
            // Terraform refuses an output that shows a sensitive value unless it is marked.
            "sensitive": o.sensitive || shows_sensitive(bp, &o.value),
        }));
    }

    let default_tags: Map<String, Value> = if provider == Provider::Aws {
        default_tags(bp)
    } else {
        Map::new()
    };
    let provider_ctx = json!({
        "name": provider.terraform_name(),
        "source": cat.terraform.source,
        "version": cat.terraform.version,
        "region": doc.region,
        "default_tags": tf_value(bp, &Value::Object(default_tags), "tags")?,
    });

    let mut ctx = Map::with_capacity(7);
    ctx.insert(
        "blueprint".into(),
        json!({
            "name": doc.name,
            "version": doc.version,
            "description": doc.description,
            "provider": provider.as_str(),
            "region": doc.region,
        }),
    );
    ctx.insert("provider".into(), provider_ctx);
    ctx.insert("variables".into(), Value::Array(variables));
    ctx.insert("outputs".into(), Value::Array(outputs));
    ctx.insert("resources".into(), Value::Array(resources));
    let mut ctx = Value::Object(ctx);
    if json_syntax {
        let (text, document) = {
            let document = json_document(&ctx);
            let value = custom.then(|| document.to_value());
            // About 280 bytes per resource in typical blueprints: the buffer rarely grows.
            let capacity = bp.resources().len() * 384 + 4096;
            (document.into_json_pretty(capacity), value)
        };
        if let Value::Object(m) = &mut ctx {
            m.insert("document_json".into(), Value::String(text));
            if let Some(document) = document {
                m.insert("document".into(), document);
            }
        }
    }
    Ok(ctx)
}

/// One resource of the context's `resources` (documented in `templates/README.md`).
fn resource_value(
    bp: &CheckedBlueprint,
    i: usize,
    r: &crate::blueprint::Resource,
    info: &crate::check::ResourceInfo,
    json_syntax: bool,
) -> Result<Value> {
    let provider = bp.provider();
    let depends_on = explicit_depends_on(bp, r);
    let block = if json_syntax {
        Value::Null
    } else {
        let mut out = String::with_capacity(256 + r.properties.len() * 48);
        resource_block(&mut out, bp, i, r, info, &depends_on)?;
        Value::String(out)
    };
    let base = format!("resources[{i}]");
    let mut props = Map::with_capacity(r.properties.len() + 1);
    let props_path = format!("{base}.properties");
    for (k, v) in &r.properties {
        if v.is_null() {
            continue;
        }
        props.insert(k.clone(), tf_value(bp, v, &props_path)?);
    }
    // AWS gets the blueprint tags through the provider's default_tags; the others get them
    // merged into every taggable resource.
    if let (true, Some(tag_arg)) = (provider != Provider::Aws, info.tag_argument.as_deref()) {
        let tags = merged_tags(bp, i);
        if !tags.is_empty() {
            let path = format!("{base}.properties.{tag_arg}");
            props.insert(
                tag_arg.to_string(),
                tf_value(bp, &Value::Object(tags), &path)?,
            );
        }
    }
    let lifecycle = if r.lifecycle.is_default() {
        Value::Null
    } else {
        let mut l = Map::new();
        if r.lifecycle.create_before_destroy {
            l.insert("create_before_destroy".into(), Value::Bool(true));
        }
        if r.lifecycle.prevent_destroy {
            l.insert("prevent_destroy".into(), Value::Bool(true));
        }
        let ignore = &r.lifecycle.ignore_changes;
        if ignore.iter().any(|c| c == hcl::IGNORE_ALL) {
            // Terraform JSON's form of `ignore_changes = all`: the keyword as a string.
            l.insert("ignore_changes".into(), Value::from(hcl::IGNORE_ALL));
        } else if !ignore.is_empty() {
            // Each item is an HCL traversal, in Terraform JSON as in HCL.
            let mut items = Vec::with_capacity(ignore.len());
            for (n, c) in ignore.iter().enumerate() {
                let text = hcl::traversal_text(c).map_err(|m| {
                    gen_error(
                        Code::InvalidArgument,
                        format!("{base}.lifecycle.ignore_changes[{n}]"),
                        m,
                    )
                })?;
                items.push(Value::String(text));
            }
            l.insert("ignore_changes".into(), Value::Array(items));
        }
        Value::Object(l)
    };
    let mut res = Map::with_capacity(8);
    res.insert("type".into(), Value::String(info.type_name.clone()));
    res.insert("name".into(), Value::String(r.name.clone()));
    res.insert("address".into(), Value::String(info.address.clone()));
    res.insert("count".into(), r.count.map_or(Value::Null, Value::from));
    res.insert("properties".into(), Value::Object(props));
    res.insert("depends_on".into(), Value::Array(depends_on));
    res.insert("lifecycle".into(), lifecycle);
    res.insert(
        "description".into(),
        r.description.clone().map_or(Value::Null, Value::String),
    );
    res.insert("block".into(), block);
    Ok(Value::Object(res))
}

/// An object of borrowed keys, in key order (a later entry replaces an earlier one).
fn obj<'a>(entries: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    Node::Object(NodeMap::from_unsorted(
        entries
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    ))
}

/// The body of a resource (a value of the context's `resources`) in Terraform JSON syntax.
fn json_resource_body(r: &Value) -> Node<'_> {
    let props = r["properties"].as_object();
    let mut body = Vec::with_capacity(props.map_or(0, |p| p.len()) + 3);
    if let Some(c) = r["count"].as_u64() {
        body.push(("count", Node::Number(c.into())));
    }
    for (k, v) in props.into_iter().flatten() {
        body.push((k.as_str(), Node::from_value(v)));
    }
    if r["depends_on"].as_array().is_some_and(|d| !d.is_empty()) {
        body.push(("depends_on", Node::from_value(&r["depends_on"])));
    }
    if r["lifecycle"].is_object() {
        body.push(("lifecycle", Node::from_value(&r["lifecycle"])));
    }
    obj(body)
}

/// `main.tf.json` as [`json_document`] writes it (`ctx`: the context without resources),
/// without building the document first: the resources are lowered one at a time, in blueprint
/// order, and each is written (as text, to be put in its place in the document, by type and
/// name) and dropped while it is still in cache, instead of every resource's data and then the
/// whole document being built (bigger than the cache, for 10,000 resources), walked to write it
/// and walked again to drop it. On an error, the caller reports the error of the whole document
/// instead (the same checks, made in blueprint order).
fn write_json_document(bp: &CheckedBlueprint, ctx: &Value) -> Result<String> {
    // Everything but the resources, from the context without them (`ctx`).
    let head = match json_document(ctx) {
        Node::Object(m) => m,
        _ => NodeMap::new(),
    };
    let resources = JsonResources::write(bp)?;
    // About 280 bytes per resource in typical blueprints: the buffer rarely grows.
    let mut out = String::with_capacity(bp.resources().len() * 384 + 4096);
    let mut doc = JsonObject::default();
    doc.begin(&mut out);
    let mut pending = !resources.records.is_empty();
    for (k, v) in head {
        if pending && k.as_ref() > "resource" {
            resources.copy(&mut doc, &mut out);
            pending = false;
        }
        doc.entry(&mut out, &k, v, 0);
    }
    if pending {
        resources.copy(&mut doc, &mut out);
    }
    doc.end(&mut out, 0);
    Ok(out)
}

/// The resources of `main.tf.json`, each written in blueprint order (while its data is in
/// cache: references mostly point to resources nearby in the blueprint) as the text of its
/// `resource.<type>.<name>` value, to be copied into the document by type and name. Lowering
/// them in that order instead strides through the whole blueprint, which at 10,000 resources
/// misses the cache on most reads; the copy is sequential text.
struct JsonResources {
    /// The resources' values, one after another.
    text: String,
    /// Type and name of every resource, one after another (dense, for the sort).
    names: String,
    /// Per resource: type start, type end (= name start), name end, blueprint index, value
    /// start, value end; sorted by type, name and index.
    records: Vec<[usize; 6]>,
}

impl JsonResources {
    fn write(bp: &CheckedBlueprint) -> Result<Self> {
        let n = bp.resources().len();
        let mut w = JsonResources {
            text: String::with_capacity(n * 384),
            names: String::with_capacity(n * 48),
            records: Vec::with_capacity(n),
        };
        for (i, r, info) in bp.iter() {
            let value = resource_value(bp, i, r, info, true)?;
            let start = w.text.len();
            JsonObject::value(&mut w.text, json_resource_body(&value), 2);
            let type_start = w.names.len();
            w.names.push_str(&info.type_name);
            let name_start = w.names.len();
            w.names.push_str(&r.name);
            w.records.push([
                type_start,
                name_start,
                w.names.len(),
                i,
                start,
                w.text.len(),
            ]);
        }
        let names = &w.names;
        let key = |r: &[usize; 6]| {
            (
                names.get(r[0]..r[1]).unwrap_or_default().as_bytes(),
                names.get(r[1]..r[2]).unwrap_or_default().as_bytes(),
                r[3],
            )
        };
        w.records.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        Ok(w)
    }

    fn type_of(&self, r: &[usize; 6]) -> &str {
        self.names.get(r[0]..r[1]).unwrap_or_default()
    }

    fn name_of(&self, r: &[usize; 6]) -> &str {
        self.names.get(r[1]..r[2]).unwrap_or_default()
    }

    /// Writes the `resource` entry of the document: types in order, in each the resources by
    /// name.
    fn copy(&self, doc: &mut JsonObject, out: &mut String) {
        doc.key(out, "resource", 0);
        let mut types = JsonObject::default();
        types.begin(out);
        let mut current: Option<(&str, JsonObject)> = None;
        for (k, r) in self.records.iter().enumerate() {
            let (ty, name) = (self.type_of(r), self.name_of(r));
            // A name given twice within a type keeps its last resource (as the document's
            // object).
            if self
                .records
                .get(k + 1)
                .is_some_and(|next| self.type_of(next) == ty && self.name_of(next) == name)
            {
                continue;
            }
            match &mut current {
                Some((t, _)) if *t == ty => {}
                _ => {
                    if let Some((_, named)) = current.take() {
                        named.end(out, 2);
                    }
                    types.key(out, ty, 1);
                    let mut named = JsonObject::default();
                    named.begin(out);
                    current = Some((ty, named));
                }
            }
            if let Some((_, named)) = &mut current {
                named.key(out, name, 2);
                out.push_str(self.text.get(r[4]..r[5]).unwrap_or_default());
            }
        }
        if let Some((_, named)) = current.take() {
            named.end(out, 2);
        }
        types.end(out, 1);
    }
}

/// The whole configuration in Terraform JSON syntax (`main.tf.json`), borrowing the context's
/// values (printed with [`Node::into_json_pretty`], byte for byte what the `json` filter prints).
fn json_document(ctx: &Value) -> Node<'_> {
    let p = &ctx["provider"];
    let name = p["name"].as_str().unwrap_or_default();
    let mut doc: Vec<(&str, Node<'_>)> = Vec::with_capacity(5);
    doc.push((
        "terraform",
        obj(vec![
            ("required_version", Node::String(Cow::Borrowed(">= 1.5.0"))),
            (
                "required_providers",
                obj(vec![(
                    name,
                    obj(vec![
                        ("source", Node::from_value(&p["source"])),
                        ("version", Node::from_value(&p["version"])),
                    ]),
                )]),
            ),
        ]),
    ));
    let mut provider_block = Vec::with_capacity(2);
    match name {
        "azurerm" => provider_block.push(("features", Node::Object(NodeMap::new()))),
        _ => provider_block.push(("region", Node::from_value(&p["region"]))),
    }
    if p["default_tags"].as_object().is_some_and(|t| !t.is_empty()) {
        provider_block.push((
            "default_tags",
            obj(vec![("tags", Node::from_value(&p["default_tags"]))]),
        ));
    }
    doc.push(("provider", obj(vec![(name, obj(provider_block))])));

    let vars = ctx["variables"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if !vars.is_empty() {
        let mut m = Vec::with_capacity(vars.len());
        for v in vars {
            let mut var = vec![("type", Node::from_value(&v["type"]))];
            if let Some(d) = v.get("default") {
                var.push(("default", Node::from_value(d)));
            }
            if !v["description"].is_null() {
                var.push(("description", Node::from_value(&v["description"])));
            }
            if v["sensitive"] == Value::Bool(true) {
                var.push(("sensitive", Node::Bool(true)));
            }
            m.push((v["name"].as_str().unwrap_or_default(), obj(var)));
        }
        doc.push(("variable", obj(m)));
    }

    let resources = ctx["resources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if !resources.is_empty() {
        let mut by_type: BTreeMap<&str, Vec<(&str, Node<'_>)>> = BTreeMap::new();
        for r in resources {
            let ty = r["type"].as_str().unwrap_or_default();
            by_type.entry(ty).or_default().push((
                r["name"].as_str().unwrap_or_default(),
                json_resource_body(r),
            ));
        }
        doc.push((
            "resource",
            obj(by_type
                .into_iter()
                .map(|(ty, named)| (ty, obj(named)))
                .collect()),
        ));
    }

    let outputs = ctx["outputs"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if !outputs.is_empty() {
        let mut m = Vec::with_capacity(outputs.len());
        for o in outputs {
            let mut out = vec![("value", Node::from_value(&o["value"]))];
            if !o["description"].is_null() {
                out.push(("description", Node::from_value(&o["description"])));
            }
            if o["sensitive"] == Value::Bool(true) {
                out.push(("sensitive", Node::Bool(true)));
            }
            m.push((o["name"].as_str().unwrap_or_default(), obj(out)));
        }
        doc.push(("output", obj(m)));
    }
    obj(doc)
}

/// Whether a value references a sensitive variable or a sensitive argument of a resource.
pub(crate) fn shows_sensitive(bp: &CheckedBlueprint, value: &Value) -> bool {
    match value {
        Value::String(s) if has_markers(s) => Template::parse(s).is_ok_and(|t| {
            t.references().any(|r| match r {
                Reference::Variable { name } => bp
                    .blueprint()
                    .variables
                    .iter()
                    .any(|v| &v.name == name && v.sensitive),
                Reference::Resource { name, .. } => {
                    let attr = r.attribute_name().unwrap_or_default();
                    bp.index_of(name)
                        .and_then(|i| bp.catalog_entry(i))
                        .is_some_and(|e| e.sensitive.iter().any(|s| s == attr))
                }
            })
        }),
        Value::Array(items) => items.iter().any(|v| shows_sensitive(bp, v)),
        Value::Object(m) => m.values().any(|v| shows_sensitive(bp, v)),
        _ => false,
    }
}
