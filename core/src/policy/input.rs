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
//!
//! The document is built directly in the Rego engine's value type (shared, reference-counted
//! values: the instances of a `count` resource and `planned_values` share one `after` value); the
//! JSON form ([`super::plan_input`]) is serialized from it.

use std::collections::{BTreeMap, HashMap};

use regorus::Value as R;
use serde_json::Value as J;

use super::engine::{IndexBuilder, IndexDocument};
use crate::catalog::{self, provider_schema, ArgType, BlockSchema, Provider};
use crate::check::CheckedBlueprint;
use crate::reference::{Part, Reference, Step, Template};

/// The `format_version` of rendered plans (the version Terraform 1.8+ writes).
pub const RENDERED_FORMAT_VERSION: &str = "1.2";

/// Interned strings: object keys and repeated values are allocated once per document.
#[derive(Default)]
struct Strings {
    map: HashMap<String, R>,
}

impl Strings {
    fn get(&mut self, s: &str) -> R {
        if let Some(v) = self.map.get(s) {
            return v.clone();
        }
        let v = R::from(s);
        if self.map.len() < 65_536 {
            self.map.insert(s.to_string(), v.clone());
        }
        v
    }

    fn object(&mut self, pairs: Vec<(&str, R)>) -> R {
        let map: BTreeMap<R, R> = pairs.into_iter().map(|(k, v)| (self.get(k), v)).collect();
        R::from(map)
    }

    /// A JSON value from the blueprint, converted.
    fn json(&mut self, value: &J) -> R {
        match value {
            J::Null => R::Null,
            J::Bool(b) => R::Bool(*b),
            J::Number(n) => number(n),
            J::String(s) => R::from(s.as_str()),
            J::Array(items) => R::from(items.iter().map(|v| self.json(v)).collect::<Vec<_>>()),
            J::Object(map) => {
                let m: BTreeMap<R, R> = map
                    .iter()
                    .map(|(k, v)| (self.get(k), self.json(v)))
                    .collect();
                R::from(m)
            }
        }
    }
}

fn number(n: &serde_json::Number) -> R {
    if let Some(i) = n.as_i64() {
        R::from(i)
    } else if let Some(u) = n.as_u64() {
        R::from(u)
    } else {
        R::from(n.as_f64().unwrap_or(0.0))
    }
}

/// How `change.after_unknown` marks what is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    /// As Terraform writes them (its `unknownAsBool`): every known list and object has a mark
    /// too (`[false]`, `{}`, `[{"cidr_blocks": [false]}]`). What `--emit-input` prints, so that
    /// a policy tried on it with `opa eval` sees a real plan's shape.
    Terraform,
    /// Only the unknown parts: a list or object with nothing unknown inside is `false`, and an
    /// object leaves such entries out. What the policies evaluate: the marks of known values
    /// carry nothing a policy can use (the built-in ones give the same verdicts on both shapes,
    /// as they must on real plans), and building and walking them made `validate` about 40%
    /// slower (10,000 resources: 199 -> 289 ms).
    UnknownOnly,
}

/// Renders a checked blueprint as Terraform plan JSON (see the module docs).
///
/// `variables` gives values for blueprint variables, as a `.tfvars` file would; a variable with
/// neither a value here nor a default is unknown, like a reference. `planned_values` is left out
/// when `with_planned_values` is false (the built-in checks never read it; it is a tenth of the
/// document). Large blueprints are rendered on `threads` threads (see [`render_workers`]).
pub(crate) fn render_blueprint(
    bp: &CheckedBlueprint,
    variables: &BTreeMap<String, J>,
    with_planned_values: bool,
    threads: usize,
    marks: Marks,
) -> R {
    render(bp, variables, with_planned_values, threads, false, marks).0
}

/// [`render_blueprint`], and the policies' index of the rendered document, built as the
/// resources are rendered (on the same threads): the same index as
/// [`super::engine::PolicySet::evaluate`] builds from the document.
pub(crate) fn render_blueprint_indexed(
    bp: &CheckedBlueprint,
    variables: &BTreeMap<String, J>,
    with_planned_values: bool,
    threads: usize,
) -> (R, IndexDocument) {
    let (document, index) = render(
        bp,
        variables,
        with_planned_values,
        threads,
        true,
        Marks::UnknownOnly,
    );
    (document, index.unwrap_or_default().finish())
}

fn render(
    bp: &CheckedBlueprint,
    variables: &BTreeMap<String, J>,
    with_planned_values: bool,
    threads: usize,
    index: bool,
    marks: Marks,
) -> (R, Option<IndexBuilder>) {
    let doc = bp.blueprint();
    let provider = bp.provider();
    let tf = provider.terraform_name();
    let provider_source = catalog::catalog(provider).terraform.source.clone();
    let provider_name = format!("registry.terraform.io/{provider_source}");
    let mut s = Strings::default();

    let mut var_values: BTreeMap<&str, J> = BTreeMap::new();
    let mut plan_vars = Vec::new();
    let mut config_vars = Vec::new();
    for v in &doc.variables {
        let value = variables.get(&v.name).or(v.default.as_ref());
        if let Some(value) = value {
            var_values.insert(v.name.as_str(), value.clone());
            let converted = s.json(value);
            plan_vars.push((v.name.as_str(), s.object(vec![("value", converted)])));
        }
        let mut cv = Vec::new();
        if let Some(d) = &v.default {
            cv.push(("default", s.json(d)));
        }
        if let Some(d) = &v.description {
            cv.push(("description", R::from(d.as_str())));
        }
        if v.sensitive {
            cv.push(("sensitive", R::Bool(true)));
        }
        config_vars.push((v.name.as_str(), s.object(cv)));
    }
    let ctx = Ctx {
        bp,
        variables: &var_values,
        marks,
    };

    let shared = Shared {
        managed: s.get("managed"),
        provider_value: s.get(&provider_name),
        create: R::from(vec![s.get("create")]),
        empty: s.object(Vec::new()),
        tf,
        with_planned_values,
        index,
    };
    let n = bp.resources().len();
    let workers = render_workers(threads, n);
    let mut changes = Vec::with_capacity(n);
    let mut planned = Vec::with_capacity(n);
    let mut config_resources = Vec::with_capacity(n);
    let chunks: Vec<Chunk> = if workers <= 1 {
        vec![render_resources(&ctx, &mut s, &shared, 0..n)]
    } else {
        // Contiguous ranges, one per thread (each with its own interned strings), joined in
        // order: the document is the same as a sequential rendering.
        let size = n.div_ceil(workers);
        let (ctx, shared) = (&ctx, &shared);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (1..workers)
                .map(|w| {
                    let range = (w * size).min(n)..((w + 1) * size).min(n);
                    let thread = std::thread::Builder::new()
                        .name(format!("dharma-render-{w}"))
                        .spawn_scoped(scope, {
                            let range = range.clone();
                            move || render_resources(ctx, &mut Strings::default(), shared, range)
                        });
                    (range, thread)
                })
                .collect();
            let mut chunks = vec![render_resources(ctx, &mut s, shared, 0..size.min(n))];
            for (range, thread) in handles {
                // A thread that could not start or did not finish: render its range here.
                let chunk = thread.ok().and_then(|h| h.join().ok());
                chunks.push(chunk.unwrap_or_else(|| render_resources(ctx, &mut s, shared, range)));
            }
            chunks
        })
    };
    let mut index: Option<IndexBuilder> = None;
    for chunk in chunks {
        changes.extend(chunk.changes);
        planned.extend(chunk.planned);
        config_resources.extend(chunk.config);
        if let Some(later) = chunk.index {
            match &mut index {
                Some(index) => index.append(later),
                None => index = Some(later),
            }
        }
    }
    let provider_expressions = if provider == Provider::Azure {
        let features = R::from(vec![s.object(Vec::new())]);
        s.object(vec![("features", features)])
    } else {
        let region = s.object(vec![("constant_value", R::from(doc.region.as_str()))]);
        s.object(vec![("region", region)])
    };
    let mut outputs = Vec::new();
    for o in &doc.outputs {
        let e = ctx.expression(&mut s, &o.value, None);
        let e = if o.sensitive {
            let mut e = e;
            if let Ok(map) = e.as_object_mut() {
                map.insert(s.get("sensitive"), R::Bool(true));
            }
            e
        } else {
            e
        };
        outputs.push((o.name.as_str(), e));
    }
    let mut root = vec![("resources", R::from(config_resources))];
    if !outputs.is_empty() {
        root.push(("outputs", s.object(outputs)));
    }
    if !config_vars.is_empty() {
        root.push(("variables", s.object(config_vars)));
    }
    let tf_value = s.get(tf);
    let provider_config = s.object(vec![
        ("name", tf_value),
        ("full_name", shared.provider_value.clone()),
        ("expressions", provider_expressions),
    ]);
    let root = s.object(root);
    let provider_configs = s.object(vec![(tf, provider_config)]);
    let configuration = s.object(vec![
        ("provider_config", provider_configs),
        ("root_module", root),
    ]);
    let mut plan = vec![
        ("format_version", R::from(RENDERED_FORMAT_VERSION)),
        ("resource_changes", R::from(changes)),
        ("configuration", configuration),
    ];
    if with_planned_values {
        let planned = s.object(vec![("resources", R::from(planned))]);
        plan.push(("planned_values", s.object(vec![("root_module", planned)])));
    }
    if !plan_vars.is_empty() {
        plan.push(("variables", s.object(plan_vars)));
    }
    (s.object(plan), index)
}

/// What every resource's rendering shares.
struct Shared<'a> {
    managed: R,
    provider_value: R,
    create: R,
    empty: R,
    tf: &'a str,
    with_planned_values: bool,
    /// Whether the chunks index what they render.
    index: bool,
}

/// The rendered resources of a range: their `resource_changes`, `planned_values` resources and
/// configuration resources, in order.
#[derive(Default)]
struct Chunk {
    changes: Vec<R>,
    planned: Vec<R>,
    config: Vec<R>,
    /// The index of `changes` and `config`, when [`Shared::index`].
    index: Option<IndexBuilder>,
}

/// Blueprints with fewer resources than this are rendered on one thread.
const PARALLEL_RENDER_MIN_RESOURCES: usize = 500;

/// How many threads render `n` resources: as many as evaluate the policies (`threads`), for
/// blueprints of at least [`PARALLEL_RENDER_MIN_RESOURCES`] resources.
fn render_workers(threads: usize, n: usize) -> usize {
    if n < PARALLEL_RENDER_MIN_RESOURCES {
        1
    } else {
        threads.max(1)
    }
}

/// How many threads free a rendered document of `n` resources (see [`free_while`]): as many as
/// rendered it, at most two.
pub(crate) fn free_workers(threads: usize, n: usize) -> usize {
    render_workers(threads, n).min(2)
}

/// Runs `f` while `document` is freed: on `threads` > 1, the last three fifths of its
/// `resource_changes` and configuration resources (mostly rendered by another thread than the
/// caller's) are freed on a second thread while the caller runs `f` (which builds the report:
/// hence the larger share for the other thread), then frees the rest.
/// Parts still shared elsewhere are freed on the caller. Returns what `f` returns.
pub(crate) fn free_while<T>(document: R, threads: usize, f: impl FnOnce() -> T) -> T {
    if threads <= 1 {
        let out = f();
        drop(document);
        return out;
    }
    let (early, late) = split_for_free(document);
    std::thread::scope(|scope| {
        // If the thread cannot start, `late` is freed here, before `f` runs.
        let helper = std::thread::Builder::new()
            .name("dharma-free".into())
            .spawn_scoped(scope, move || drop(late));
        let out = f();
        drop(early);
        if let Ok(helper) = helper {
            // A panic while freeing values cannot happen; if it did, the memory is leaked.
            let _ = helper.join();
        }
        out
    })
}

/// The parts of a document to free: (everything but the last three fifths of the two resource
/// lists, those last three fifths).
fn split_for_free(document: R) -> (Vec<R>, Vec<R>) {
    fn take(value: &mut R, key: &str) -> Option<R> {
        match value {
            R::Object(map) => regorus::Rc::get_mut(map)?.remove(&R::from(key)),
            _ => None,
        }
    }
    fn cut(list: R, early: &mut Vec<R>, late: &mut Vec<R>) {
        match list {
            R::Array(items) => match regorus::Rc::try_unwrap(items) {
                Ok(items) => {
                    let mut items = items.into_vec();
                    let tail = items.split_off(items.len() * 2 / 5);
                    late.push(R::from(tail));
                    early.push(R::from(items));
                }
                Err(shared) => early.push(R::Array(shared)),
            },
            other => early.push(other),
        }
    }
    let (mut early, mut late) = (Vec::new(), Vec::new());
    let mut document = document;
    if let Some(changes) = take(&mut document, "resource_changes") {
        cut(changes, &mut early, &mut late);
    }
    if let Some(mut configuration) = take(&mut document, "configuration") {
        if let Some(mut root) = take(&mut configuration, "root_module") {
            if let Some(resources) = take(&mut root, "resources") {
                cut(resources, &mut early, &mut late);
            }
            early.push(root);
        }
        early.push(configuration);
    }
    early.push(document);
    (early, late)
}

/// Renders the resources in `range` (positions in the blueprint).
fn render_resources(
    ctx: &Ctx<'_>,
    s: &mut Strings,
    shared: &Shared<'_>,
    range: std::ops::Range<usize>,
) -> Chunk {
    let bp = ctx.bp;
    let doc = bp.blueprint();
    let provider = bp.provider();
    let schemas = provider_schema(provider);
    let mut out = Chunk {
        index: shared.index.then(IndexBuilder::default),
        ..Chunk::default()
    };
    for (i, r, info) in bp.iter().skip(range.start).take(range.len()) {
        let schema = schemas.get(&info.type_name);
        let sensitive = bp
            .catalog_entry(i)
            .map(|e| e.sensitive.as_slice())
            .unwrap_or_default();
        // Tags as they will be applied: the blueprint's default tags merged with the resource's.
        let tag_key = provider.tag_argument();
        let merged_tags = info.taggable.then(|| {
            let mut tags: serde_json::Map<String, J> = doc
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), J::String(v.clone())))
                .collect();
            if let Some(J::Object(own)) = r.properties.get(tag_key) {
                for (k, v) in own {
                    tags.insert(k.clone(), v.clone());
                }
            }
            if tags.is_empty() && !r.properties.contains_key(tag_key) {
                J::Null
            } else {
                J::Object(tags)
            }
        });
        let mut props: Vec<(&str, &J)> = r
            .properties
            .iter()
            .filter(|(k, _)| merged_tags.is_none() || k.as_str() != tag_key)
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        if let Some(tags) = &merged_tags {
            props.push((tag_key, tags));
        }
        let mut after = BTreeMap::new();
        let mut after_unknown = BTreeMap::new();
        let mut expressions = BTreeMap::new();
        for (key, value) in &props {
            let ty = schema.and_then(|sc| sc.get(key)).map(|a| &a.ty);
            let rendered = ctx.render(s, value, ty);
            let k = s.get(key);
            if let Some(v) = rendered.after {
                after.insert(k.clone(), v);
            }
            if rendered.unknown != R::Bool(false) {
                after_unknown.insert(k.clone(), rendered.unknown);
            }
            // Terraform writes an expression only for an argument the configuration sets: not
            // for the tags argument when neither the resource nor the blueprint gives tags.
            if !value.is_null() || r.properties.contains_key(*key) {
                expressions.insert(k, ctx.expression(s, value, ty));
            }
        }
        let after_sensitive: BTreeMap<R, R> = sensitive
            .iter()
            .map(|k| s.get(k))
            .filter(|k| after.contains_key(k) || after_unknown.contains_key(k))
            .map(|k| (k, R::Bool(true)))
            .collect();
        let after = R::from(after);
        let after_unknown = R::from(after_unknown);
        let after_sensitive = R::from(after_sensitive);
        let change = s.object(vec![
            ("actions", shared.create.clone()),
            ("before", R::Null),
            ("after", after.clone()),
            ("after_unknown", after_unknown),
            ("before_sensitive", R::Bool(false)),
            ("after_sensitive", after_sensitive),
        ]);
        let type_name = s.get(&info.type_name);
        let name = R::from(r.name.as_str());
        let instances: Vec<Option<u32>> = match r.count {
            Some(n) => (0..n).map(Some).collect(),
            None => vec![None],
        };
        for index in instances {
            let address = match index {
                Some(n) => R::from(format!("{}[{n}]", info.address)),
                None => R::from(info.address.as_str()),
            };
            let mut rc = vec![
                ("address", address.clone()),
                ("mode", shared.managed.clone()),
                ("type", type_name.clone()),
                ("name", name.clone()),
                ("provider_name", shared.provider_value.clone()),
                ("change", change.clone()),
            ];
            if let Some(n) = index {
                rc.push(("index", R::from(u64::from(n))));
            }
            if shared.with_planned_values {
                let mut pv = vec![
                    ("address", address),
                    ("mode", shared.managed.clone()),
                    ("type", type_name.clone()),
                    ("name", name.clone()),
                    ("provider_name", shared.provider_value.clone()),
                    ("schema_version", R::from(0u64)),
                    ("values", after.clone()),
                    ("sensitive_values", shared.empty.clone()),
                ];
                if let Some(n) = index {
                    pv.push(("index", R::from(u64::from(n))));
                }
                out.planned.push(s.object(pv));
            }
            let rc = s.object(rc);
            if let Some(index) = &mut out.index {
                index.add_change(&rc);
            }
            out.changes.push(rc);
        }
        let mut cr = vec![
            ("address", R::from(info.address.as_str())),
            ("mode", shared.managed.clone()),
            ("type", type_name),
            ("name", name),
            ("provider_config_key", s.get(shared.tf)),
            ("expressions", R::from(expressions)),
            ("schema_version", R::from(0u64)),
        ];
        if let Some(n) = r.count {
            let count = s.object(vec![("constant_value", R::from(u64::from(n)))]);
            cr.push(("count_expression", count));
        }
        if !r.dependencies.is_empty() {
            let deps: Vec<R> = r
                .dependencies
                .iter()
                .filter_map(|d| bp.index_of(d))
                .filter_map(|j| bp.resource_info(j))
                .map(|info| R::from(info.address.as_str()))
                .collect();
            cr.push(("depends_on", R::from(deps)));
        }
        let cr = s.object(cr);
        if let Some(index) = &mut out.index {
            index.add_config(&cr, "");
        }
        out.config.push(cr);
    }
    if let Some(index) = &mut out.index {
        index.sort();
    }
    out
}

struct Ctx<'a> {
    bp: &'a CheckedBlueprint,
    variables: &'a BTreeMap<&'a str, J>,
    marks: Marks,
}

/// A rendered value: what goes into `change.after` (`None` when unknown) and into
/// `change.after_unknown`, with Terraform's shape (`unknownAsBool` in its `jsonplan`): `true` when
/// unknown, `false` for a known scalar or null; a known list is the list of its elements' marks
/// (`[false]`, `[{}]`, `[]` when empty), a known map or object the object of its entries' marks
/// that are not `false` (`{}` when every entry is a known scalar).
struct Rendered {
    after: Option<R>,
    unknown: R,
}

impl Rendered {
    fn known(v: R) -> Rendered {
        Rendered {
            after: Some(v),
            unknown: R::Bool(false),
        }
    }
    fn unknown() -> Rendered {
        Rendered {
            after: None,
            unknown: R::Bool(true),
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
    /// A list's or object's `after_unknown` marks: kept as Terraform writes them, or, with
    /// [`Marks::UnknownOnly`], `false` when nothing inside is unknown.
    fn marked(&self, marks: impl Into<R>, any_unknown: bool) -> R {
        if self.marks == Marks::Terraform || any_unknown {
            marks.into()
        } else {
            R::Bool(false)
        }
    }

    fn render(&self, s: &mut Strings, value: &J, ty: Option<&ArgType>) -> Rendered {
        if let Some(block) = block_schema(ty) {
            // Terraform writes every nested block as a list of objects.
            return match value {
                J::Object(_) => self.render_list(s, std::slice::from_ref(value), Some(block), None),
                J::Array(items) => self.render_list(s, items, Some(block), None),
                other => self.render_scalar(s, other),
            };
        }
        match value {
            J::Array(items) => self.render_list(s, items, None, element_type(ty)),
            J::Object(_) => self.render_object(s, value, None),
            other => self.render_scalar(s, other),
        }
    }

    fn render_list(
        &self,
        s: &mut Strings,
        items: &[J],
        block: Option<&BlockSchema>,
        elem: Option<&ArgType>,
    ) -> Rendered {
        let mut after = Vec::with_capacity(items.len());
        let mut unknown = Vec::with_capacity(items.len());
        for item in items {
            let r = match block {
                Some(b) => self.render_object(s, item, Some(b)),
                None => self.render(s, item, elem),
            };
            after.push(r.after.unwrap_or(R::Null));
            unknown.push(r.unknown);
        }
        let any = unknown.iter().any(|u| *u != R::Bool(false));
        Rendered {
            after: Some(R::from(after)),
            unknown: self.marked(unknown, any),
        }
    }

    fn render_object(&self, s: &mut Strings, value: &J, block: Option<&BlockSchema>) -> Rendered {
        let J::Object(map) = value else {
            return self.render_scalar(s, value);
        };
        let mut after = BTreeMap::new();
        let mut unknown = BTreeMap::new();
        for (k, v) in map {
            let r = match block {
                Some(b) => self.render(s, v, b.get(k).map(|a| &a.ty)),
                // A map value or a free-form object: its values are attributes.
                None => self.render(s, v, None),
            };
            let key = s.get(k);
            if let Some(a) = r.after {
                after.insert(key.clone(), a);
            }
            if r.unknown != R::Bool(false) {
                unknown.insert(key, r.unknown);
            }
        }
        let any = !unknown.is_empty();
        Rendered {
            after: Some(R::from(after)),
            unknown: self.marked(unknown, any),
        }
    }

    fn render_scalar(&self, s: &mut Strings, value: &J) -> Rendered {
        let J::String(text) = value else {
            return Rendered::known(s.json(value));
        };
        if !text.contains("${") {
            return Rendered::known(R::from(text.as_str()));
        }
        let Ok(template) = Template::parse(text) else {
            return Rendered::known(R::from(text.as_str()));
        };
        // A string that is exactly one variable keeps the variable's own type.
        if let [Part::Ref(Reference::Variable { name })] = template.parts.as_slice() {
            return match self.variables.get(name.as_str()) {
                Some(v) => Rendered::known(s.json(v)),
                None => Rendered::unknown(),
            };
        }
        let mut out = String::new();
        for part in &template.parts {
            match part {
                Part::Literal(t) => out.push_str(t),
                Part::Ref(Reference::Variable { name }) => {
                    match self.variables.get(name.as_str()) {
                        Some(J::String(v)) => out.push_str(v),
                        Some(v) => out.push_str(&v.to_string()),
                        None => return Rendered::unknown(),
                    }
                }
                Part::Ref(Reference::Resource { .. }) => return Rendered::unknown(),
            }
        }
        Rendered::known(R::from(out))
    }

    /// The configuration expression of an argument: nested blocks as lists of expression
    /// objects; attributes as `{"constant_value": ...}` or `{"references": [...]}`.
    fn expression(&self, s: &mut Strings, value: &J, ty: Option<&ArgType>) -> R {
        if let Some(block) = block_schema(ty) {
            let items: Vec<&J> = match value {
                J::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let blocks: Vec<R> = items
                .into_iter()
                .map(|item| match item {
                    J::Object(map) => {
                        let fields: BTreeMap<R, R> = map
                            .iter()
                            .map(|(k, v)| {
                                let ty = block.get(k).map(|a| &a.ty);
                                (s.get(k), self.expression(s, v, ty))
                            })
                            .collect();
                        R::from(fields)
                    }
                    other => self.expression(s, other, None),
                })
                .collect();
            return R::from(blocks);
        }
        let mut refs = Vec::new();
        self.collect_references(value, &mut refs);
        if refs.is_empty() {
            let constant = literal(s, value);
            s.object(vec![("constant_value", constant)])
        } else {
            let refs: Vec<R> = refs.iter().map(|r| s.get(r)).collect();
            s.object(vec![("references", R::from(refs))])
        }
    }

    fn collect_references(&self, value: &J, out: &mut Vec<String>) {
        match value {
            J::String(text) if text.contains("${") => {
                let Ok(template) = Template::parse(text) else {
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
            J::Array(items) => items.iter().for_each(|v| self.collect_references(v, out)),
            J::Object(map) => map.values().for_each(|v| self.collect_references(v, out)),
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

/// A value with `$${` escapes turned into the literal `${` they stand for.
fn literal(s: &mut Strings, value: &J) -> R {
    match value {
        J::String(text) if text.contains("$${") => R::from(text.replace("$${", "${")),
        J::Array(items) => R::from(items.iter().map(|v| literal(s, v)).collect::<Vec<_>>()),
        J::Object(map) => {
            let m: BTreeMap<R, R> = map.iter().map(|(k, v)| (s.get(k), literal(s, v))).collect();
            R::from(m)
        }
        other => s.json(other),
    }
}

/// Converts a JSON document (a Terraform plan) into the Rego engine's value type, sharing
/// repeated object keys.
pub(crate) fn to_rego(value: &J) -> R {
    Strings::default().json(value)
}

/// The rendered document as JSON (sets become arrays; object keys are sorted).
pub(crate) fn to_json(value: &R) -> J {
    serde_json::to_value(value).unwrap_or(J::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blueprint of `n` resources of a few types, with references, counts and nested blocks.
    fn blueprint(n: usize) -> CheckedBlueprint {
        let mut resources = vec![serde_json::json!({"type": "aws_vpc", "name": "main",
            "properties": {"cidr_block": "10.0.0.0/16"}})];
        for i in 0..n {
            resources.push(match i % 3 {
                0 => serde_json::json!({"type": "aws_s3_bucket", "name": format!("b{i}"),
                    "properties": {"bucket": format!("bucket-${{var.env}}-{i}"), "tags": {"n": i}}}),
                1 => serde_json::json!({"type": "aws_security_group", "name": format!("sg{i}"),
                    "count": 2, "properties": {"vpc_id": "${main.id}",
                    "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp",
                                 "cidr_blocks": ["0.0.0.0/0"]}]}}),
                _ => serde_json::json!({"type": "aws_subnet", "name": format!("s{i}"),
                    "properties": {"vpc_id": "${main.id}", "cidr_block": "10.0.1.0/24"}}),
            });
        }
        let doc = serde_json::json!({"name": "render-test", "version": "1.0.0", "provider": "aws",
            "region": "us-east-1", "tags": {"team": "x"},
            "variables": [{"name": "env", "default": "dev"}], "resources": resources});
        crate::parse(&doc.to_string()).unwrap()
    }

    #[test]
    fn parallel_rendering_equals_sequential() {
        let bp = blueprint(PARALLEL_RENDER_MIN_RESOURCES + 100);
        for planned in [false, true] {
            let one = render_blueprint(&bp, &BTreeMap::new(), planned, 1, Marks::UnknownOnly);
            for threads in [2, 3, 4] {
                let many =
                    render_blueprint(&bp, &BTreeMap::new(), planned, threads, Marks::UnknownOnly);
                assert_eq!(to_json(&one), to_json(&many), "{threads} threads");
            }
        }
        assert_eq!(render_workers(4, PARALLEL_RENDER_MIN_RESOURCES - 1), 1);
        assert_eq!(render_workers(0, PARALLEL_RENDER_MIN_RESOURCES), 1);
        assert_eq!(render_workers(3, PARALLEL_RENDER_MIN_RESOURCES), 3);
    }

    /// The index built while rendering (on any number of threads) is the one the evaluation
    /// builds from the rendered document.
    #[test]
    fn index_built_while_rendering_equals_index_of_the_document() {
        for bp in [blueprint(7), blueprint(PARALLEL_RENDER_MIN_RESOURCES + 100)] {
            for planned in [false, true] {
                for threads in [1, 2, 3] {
                    let (doc, index) =
                        render_blueprint_indexed(&bp, &BTreeMap::new(), planned, threads);
                    let expected = super::super::engine::index_document(&doc);
                    assert!(expected.resources > 7);
                    assert_eq!(index, expected, "{threads} threads");
                }
            }
        }
    }

    /// Freeing a document on two threads: `f` runs once and its result comes back; the two
    /// resource lists are cut in two when the document is not shared, and nothing is taken
    /// from a shared one.
    #[test]
    fn documents_are_freed_in_two_parts() {
        let bp = blueprint(PARALLEL_RENDER_MIN_RESOURCES + 100);
        let doc = render_blueprint(&bp, &BTreeMap::new(), false, 2, Marks::Terraform);
        let changes = doc["resource_changes"].as_array().unwrap().len();
        let configs = doc["configuration"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .len();
        let (early, late) = split_for_free(doc.clone());
        assert!(late.is_empty(), "a shared document is not taken apart");
        assert_eq!(early, vec![doc.clone()]);
        drop(early);
        let (early, late) = split_for_free(doc);
        let lengths = |parts: &[R]| -> Vec<usize> {
            parts
                .iter()
                .filter_map(|p| p.as_array().ok().map(|a| a.len()))
                .collect()
        };
        let head = |n: usize| n * 2 / 5;
        assert_eq!(
            lengths(&late),
            [changes - head(changes), configs - head(configs)]
        );
        assert_eq!(lengths(&early), [head(changes), head(configs)]);
        for threads in [1, 2] {
            let doc = render_blueprint(&bp, &BTreeMap::new(), false, 2, Marks::Terraform);
            let mut calls = 0;
            assert_eq!(
                free_while(doc, threads, || {
                    calls += 1;
                    42
                }),
                42
            );
            assert_eq!(calls, 1);
        }
        assert_eq!(free_workers(4, PARALLEL_RENDER_MIN_RESOURCES), 2);
        assert_eq!(free_workers(4, PARALLEL_RENDER_MIN_RESOURCES - 1), 1);
        assert_eq!(free_workers(1, PARALLEL_RENDER_MIN_RESOURCES), 1);
    }
}
