//! Lowering to Pulumi programs on the bridged providers (`@pulumi/aws`, `@pulumi/azure`,
//! `@pulumi/gcp`): a YAML program (`Pulumi.yaml`) and a TypeScript program (`index.ts`,
//! `package.json`, `tsconfig.json`, `Pulumi.yaml`).
//!
//! Both are written from one lowered [`Program`]: types become type tokens / classes and arguments
//! Pulumi property names with the data of `catalog/formats/pulumi-<provider>.map` (camelCase of the
//! Terraform name unless the data says otherwise; nested blocks become objects or lists as the
//! bridged schema has them); variables become Pulumi config, outputs stack outputs; blueprint tags
//! are merged into every taggable resource; `count` is unrolled into `name-0`, `name-1`... in YAML
//! (which cannot loop) and a loop filling an array in TypeScript, under the same logical names;
//! references stay references (`${vpc.id}` in YAML, `vpc.id` in TypeScript), explicit
//! dependencies only where no reference implies them.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map, Number};

use crate::blueprint::{Blueprint, Resource, Value};
use crate::catalog::{provider_schema, ArgType, Argument, BlockSchema, Provider};
use crate::check::{CheckedBlueprint, VarType};
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::reference::{push_key, Part, Reference, Step};

use super::gen_error;
use super::idents::camel_case;
use super::idents::ts_string;
use super::pulumi_map::{pulumi_map, Field, Fields, PulumiMap, Shape, TypeMap};
use super::values::{has_markers, merged_tags, parse_template};
use super::OutputFormat;

/// The `@pulumi/pulumi` SDK version the generated TypeScript programs are written for (the one
/// `tests/toolchecks/pulumi/package.json` pins and type-checks them against).
pub(crate) const PULUMI_SDK_VERSION: &str = "3.270.0";
/// The TypeScript version of the generated `package.json` (the toolcheck pins the same).
pub(crate) const TYPESCRIPT_VERSION: &str = "6.0.3";

// ------------------------------------------------------------------------------------------------
// The lowered program

/// A value in a Pulumi program.
#[derive(Debug, Clone, PartialEq)]
enum Pv {
    Null,
    Bool(bool),
    Num(Number),
    /// Literal text.
    Str(String),
    List(Vec<Pv>),
    /// Keys in output order.
    Obj(Vec<(Key, Pv)>),
    /// A whole-value reference (keeps the referenced value's type).
    Ref(PRef),
    /// Text mixing literals and references.
    Concat(Vec<Piece>),
    /// A value converted to a string (a number attribute into a string property).
    ToStr(Box<Pv>),
    /// A value converted to a number.
    ToNum(Box<Pv>),
}

/// An object key: a Pulumi property name, or a key of user data (a map such as `tags`).
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Prop(String),
    Data(String),
}

impl Key {
    fn text(&self) -> &str {
        match self {
            Key::Prop(s) | Key::Data(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(String),
    Ref(PRef),
}

/// A reference: a config value or a resource (instance) output, with a path into it.
#[derive(Debug, Clone, PartialEq)]
struct PRef {
    root: Root,
    steps: Vec<PStep>,
    /// The Pulumi scalar type of the value (`s`, `n`, `b`) when known.
    ty: Option<char>,
}

#[derive(Debug, Clone, PartialEq)]
enum Root {
    /// Variable index.
    Var(usize),
    /// Resource index and count instance.
    Res(usize, Option<u32>),
}

#[derive(Debug, Clone, PartialEq)]
enum PStep {
    /// A Pulumi property (output) name.
    Prop(String),
    /// A key of a map.
    Key(String),
    /// A list index.
    Index(u32),
}

struct Var {
    name: String,
    ty: VarType,
    default: Option<Value>,
    secret: bool,
    description: Option<String>,
}

struct Res {
    name: String,
    token: String,
    class_path: String,
    count: Option<u32>,
    props: Vec<(Key, Pv)>,
    depends_on: Vec<usize>,
    protect: bool,
    ignore_changes: Vec<String>,
    custom_timeouts: Vec<(String, String)>,
    description: Option<String>,
}

struct Out {
    name: String,
    value: Pv,
    secret: bool,
    description: Option<String>,
}

/// A blueprint lowered to Pulumi's model, shared by the YAML and TypeScript writers.
struct Program {
    vars: Vec<Var>,
    /// Index-aligned with the blueprint's resources.
    resources: Vec<Res>,
    outputs: Vec<Out>,
    map: &'static PulumiMap,
}

impl Drop for Program {
    /// A program holds every resource, lowered: freed in batches (see `crate::memory`).
    fn drop(&mut self) {
        crate::memory::free_in_batches(std::mem::take(&mut self.resources));
    }
}

// ------------------------------------------------------------------------------------------------
// Lowering

/// `cidr_block` → `cidrBlock`: Pulumi's plain property name of a Terraform name (the bridge's
/// rule: words after the first capitalized, underscores dropped).
pub(crate) fn tf_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn field_name(tf: &str, field: Option<&Field>) -> String {
    field
        .and_then(|f| f.rename.clone())
        .unwrap_or_else(|| tf_camel(tf))
}

/// The steps of an `ignore_changes` path: a name, then any of `.name`, `[N]` and `["key"]` (the
/// key literal text up to the first `"]`, as the blueprint check reads it; a key is an `Attr`).
fn ignore_steps(path: &str) -> Option<Vec<Step>> {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (root, mut rest) = path.split_at(end);
    let mut steps = vec![Step::Attr(root.to_string())];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            steps.push(Step::Attr(after.get(..end)?.to_string()));
            rest = after.get(end..)?;
        } else if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]")?;
            steps.push(Step::Attr(after.get(..end)?.to_string()));
            rest = after.get(end + 2..)?;
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            steps.push(Step::Index(after.get(..end)?.trim().parse().ok()?));
            rest = after.get(end + 1..)?;
        } else {
            return None;
        }
    }
    (!root.is_empty()).then_some(steps)
}

/// Steps as a Pulumi property path (<https://www.pulumi.com/docs/reference/property-paths/>):
/// `a.b[0].c`; a name holding `[`, `]`, `"` or `.`, starting with a digit, or empty, in brackets
/// (`tags["kubernetes.io/role"]`) with `"` and `\` escaped.
fn property_path(steps: &[PStep]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            PStep::Prop(n) | PStep::Key(n) => {
                let plain = !n.is_empty()
                    && !n.starts_with(|c: char| c.is_ascii_digit())
                    && !n.contains(['[', ']', '"', '.', '\\', '*']);
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(n);
                } else {
                    out.push_str("[\"");
                    for c in n.chars() {
                        if matches!(c, '"' | '\\') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push_str("\"]");
                }
            }
            PStep::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

struct Lowering<'a> {
    bp: &'a CheckedBlueprint,
    format: OutputFormat,
    map: &'static PulumiMap,
    /// Per resource: its type's Pulumi side (absent types are reported before lowering).
    types: Vec<Option<&'static TypeMap>>,
    vars: BTreeMap<&'a str, usize>,
}

static EMPTY_FIELDS: std::sync::LazyLock<Fields> = std::sync::LazyLock::new(Fields::default);
static EMPTY_SCHEMA: std::sync::LazyLock<BlockSchema> =
    std::sync::LazyLock::new(BlockSchema::default);

/// Where a reference path is inside a value, to turn Terraform steps into Pulumi ones.
#[derive(Clone, Copy)]
enum Node<'s> {
    /// One object of the Terraform schema (`[0]` dropped: Pulumi holds the object itself).
    Object(Option<&'s BlockSchema>, &'s Fields),
    /// One object the data describes field by field (`[0]` dropped).
    Loose(&'s Fields),
    /// A list of such objects.
    LooseList(&'s Fields),
    /// A list whose items the Terraform type describes (with its nested exceptions).
    List(&'s ArgType, &'s Fields),
    /// A map: steps are keys.
    Map,
    /// A scalar Terraform holds in a one-item list (`[0]` dropped), of this Pulumi type.
    One(Option<char>),
    /// A scalar of this Pulumi type.
    Scalar(Option<char>),
    /// Nothing known: names are camelCased, indexes kept.
    Unknown,
}

/// The Pulumi type code of a scalar Terraform type.
fn scalar_code(ty: &ArgType) -> Option<char> {
    match ty {
        ArgType::String => Some('s'),
        ArgType::Number => Some('n'),
        ArgType::Bool => Some('b'),
        _ => None,
    }
}

fn node_of<'s>(ty: &'s ArgType, field: Option<&'s Field>) -> Node<'s> {
    let shape = field.map(|f| f.shape).unwrap_or_default();
    let nested = field.map(|f| &f.nested).unwrap_or(&EMPTY_FIELDS);
    let scalar = field.and_then(|f| f.scalar);
    match ty {
        ArgType::Block(b) => match shape {
            Shape::List => Node::List(ty, nested),
            _ => Node::Object(Some(b), nested),
        },
        ArgType::BlockList(b) => match shape {
            Shape::One => Node::Object(Some(b), nested),
            _ => Node::List(ty, nested),
        },
        ArgType::List(inner) if shape == Shape::One => Node::One(scalar.or(scalar_code(inner))),
        ArgType::List(_) => Node::List(ty, nested),
        ArgType::Map(_) => Node::Map,
        ArgType::Any => match field {
            Some(f) if f.loose => loose_node(f),
            _ => Node::Unknown,
        },
        other => Node::Scalar(scalar.or(scalar_code(other))),
    }
}

/// The node of a value the data describes without a Terraform schema (computed attributes,
/// `any` arguments).
fn loose_node(f: &Field) -> Node<'_> {
    match f.shape {
        Shape::One => Node::Loose(&f.nested),
        Shape::List => Node::LooseList(&f.nested),
        Shape::AsIs => match f.scalar {
            Some(t) => Node::Scalar(Some(t)),
            None => Node::Unknown,
        },
    }
}

impl<'a> Lowering<'a> {
    fn unmapped(&self, code: Code, path: &str, message: String) -> Error {
        gen_error(
            code,
            path,
            format!(
                "{message} in {} ({}@{})",
                self.format, self.map.package, self.map.version
            ),
        )
    }

    fn type_name(&self, i: usize) -> &str {
        self.bp
            .resource_info(i)
            .map(|info| info.type_name.as_str())
            .unwrap_or("?")
    }

    /// A reference in Pulumi terms.
    fn reference(&self, r: &Reference, path: &str) -> Result<PRef> {
        match r {
            Reference::Variable { name } => {
                let i = self.vars.get(name.as_str()).copied().ok_or_else(|| {
                    gen_error(Code::UnknownVariable, path, format!("no variable `{name}`"))
                })?;
                let ty = self
                    .bp
                    .blueprint()
                    .variables
                    .get(i)
                    .and_then(|v| v.var_type.as_deref())
                    .map_or(Some('s'), |t| match VarType::parse(t) {
                        Ok(VarType::String) => Some('s'),
                        Ok(VarType::Number) => Some('n'),
                        Ok(VarType::Bool) => Some('b'),
                        _ => None,
                    });
                Ok(PRef {
                    root: Root::Var(i),
                    steps: Vec::new(),
                    ty,
                })
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
                let type_name = self.type_name(target);
                let tm = self.types.get(target).copied().flatten();
                let schema = provider_schema(self.bp.provider()).get(type_name);
                let mut steps = Vec::with_capacity(attribute.len());
                let mut rest = attribute.iter();
                let Some(Step::Attr(first)) = rest.next() else {
                    return Err(gen_error(
                        Code::MalformedReference,
                        path,
                        format!("`{r}` names no attribute"),
                    ));
                };
                let attr = tm.and_then(|t| t.attrs.get(first.as_str()));
                let arg = schema.and_then(|s| s.get(first));
                let field = tm.and_then(|t| t.fields.get(first));
                let no_output = |what: &str| {
                    self.unmapped(
                        Code::UnmappedAttribute,
                        path,
                        format!("{what} `{first}` of {type_name} has no Pulumi output"),
                    )
                };
                let node = if first == "id" {
                    steps.push(PStep::Prop("id".into()));
                    Node::Scalar(Some('s'))
                } else if let Some(attr) = attr {
                    if attr.no_input {
                        return Err(no_output("attribute"));
                    }
                    steps.push(PStep::Prop(field_name(first, Some(attr))));
                    match arg {
                        Some(a) => node_of(&a.ty, field.filter(|f| !f.no_input)),
                        None => loose_node(attr),
                    }
                } else if let Some(a) = arg {
                    if field.is_some_and(|f| f.no_input) {
                        return Err(no_output("argument"));
                    }
                    steps.push(PStep::Prop(field_name(first, field)));
                    node_of(&a.ty, field)
                } else {
                    steps.push(PStep::Prop(tf_camel(first)));
                    Node::Unknown
                };
                let node = self.walk(
                    node,
                    rest,
                    &mut steps,
                    &|| r.to_string(),
                    type_name,
                    Code::UnmappedAttribute,
                    path,
                )?;
                let ty = match node {
                    Node::Scalar(t) | Node::One(t) => t,
                    _ => None,
                };
                Ok(PRef {
                    root: Root::Res(target, *index),
                    steps,
                    ty,
                })
            }
        }
    }

    /// The steps after the first of a Terraform path (a reference's attribute path, an
    /// `ignore_changes` path) in Pulumi terms, from `node`, the place of the first step: names as
    /// the map renames them, `[0]` of a block Pulumi holds as one object dropped. `shown` is the
    /// path as the user wrote it (for messages).
    #[allow(clippy::too_many_arguments)]
    fn walk<'s, 't>(
        &self,
        mut node: Node<'s>,
        rest: impl Iterator<Item = &'t Step>,
        steps: &mut Vec<PStep>,
        shown: &dyn Fn() -> String,
        type_name: &str,
        code: Code,
        path: &str,
    ) -> Result<Node<'s>> {
        for step in rest {
            let one_only = |n: u32| {
                self.unmapped(
                    code,
                    path,
                    format!(
                        "`{}`: Pulumi holds one value there, so index [{n}] has no equivalent",
                        shown()
                    ),
                )
            };
            node = match (node, step) {
                (Node::Object(schema, fields), Step::Attr(k)) => {
                    let field = fields.get(k);
                    if field.is_some_and(|f| f.no_input) {
                        return Err(self.unmapped(
                            code,
                            path,
                            format!("field `{k}` of {type_name} has no Pulumi name"),
                        ));
                    }
                    steps.push(PStep::Prop(field_name(k, field)));
                    match (schema.and_then(|s| s.get(k)), field) {
                        (Some(a), _) => node_of(&a.ty, field),
                        (None, Some(f)) => loose_node(f),
                        (None, None) => Node::Unknown,
                    }
                }
                (Node::Loose(fields), Step::Attr(k)) => {
                    let field = fields.get(k);
                    steps.push(PStep::Prop(field_name(k, field)));
                    field.map_or(Node::Unknown, loose_node)
                }
                (Node::Object(..) | Node::Loose(_), Step::Index(0)) => node,
                (Node::One(t), Step::Index(0)) => Node::Scalar(t),
                (Node::Object(..) | Node::Loose(_) | Node::One(_), Step::Index(n)) => {
                    return Err(one_only(*n))
                }
                (Node::LooseList(fields), Step::Index(n)) => {
                    steps.push(PStep::Index(*n));
                    Node::Loose(fields)
                }
                (Node::List(ty, fields), Step::Index(n)) => {
                    steps.push(PStep::Index(*n));
                    match ty {
                        ArgType::Block(b) | ArgType::BlockList(b) => Node::Object(Some(b), fields),
                        ArgType::List(inner) => node_of(inner, None),
                        _ => Node::Unknown,
                    }
                }
                (Node::Map, Step::Attr(k)) => {
                    steps.push(PStep::Key(k.clone()));
                    Node::Unknown
                }
                (_, Step::Attr(k)) => {
                    steps.push(PStep::Prop(tf_camel(k)));
                    Node::Unknown
                }
                (_, Step::Index(n)) => {
                    steps.push(PStep::Index(*n));
                    Node::Unknown
                }
            };
        }
        Ok(node)
    }

    /// A blueprint string: literal text, one reference, or text mixing both.
    fn string(&self, s: &str, path: &str) -> Result<Pv> {
        if !has_markers(s) {
            return Ok(Pv::Str(s.to_string()));
        }
        let t = parse_template(s, path)?;
        if let Some(text) = t.literal_text() {
            return Ok(Pv::Str(text));
        }
        if let Some(r) = t.as_single_reference() {
            return Ok(Pv::Ref(self.reference(r, path)?));
        }
        let mut pieces = Vec::with_capacity(t.parts.len());
        for part in &t.parts {
            pieces.push(match part {
                Part::Literal(l) => Piece::Lit(l.clone()),
                Part::Ref(r) => Piece::Ref(self.reference(r, path)?),
            });
        }
        Ok(Pv::Concat(pieces))
    }

    /// A value with no schema: strings are templates, object keys are data.
    fn data(&self, v: &Value, path: &str) -> Result<Pv> {
        Ok(match v {
            Value::Null => Pv::Null,
            Value::Bool(b) => Pv::Bool(*b),
            Value::Number(n) => Pv::Num(n.clone()),
            Value::String(s) => self.string(s, path)?,
            Value::Array(items) => Pv::List(
                items
                    .iter()
                    .map(|i| self.data(i, path))
                    .collect::<Result<_>>()?,
            ),
            Value::Object(m) => {
                let mut out = Vec::with_capacity(m.len());
                for (k, v) in m {
                    if v.is_null() {
                        continue;
                    }
                    let mut at = path.to_string();
                    push_key(&mut at, k);
                    out.push((Key::Data(k.clone()), self.data(v, &at)?));
                }
                Pv::Obj(out)
            }
        })
    }

    /// The arguments `props` of a block (or of the resource, `top`).
    fn block<'v>(
        &self,
        type_name: &str,
        props: impl ExactSizeIterator<Item = (&'v String, &'v Value)>,
        schema: &BlockSchema,
        fields: &Fields,
        path: &str,
    ) -> Result<Vec<(Key, Pv)>> {
        let mut out = Vec::with_capacity(props.len());
        for (k, v) in props {
            if v.is_null() {
                continue;
            }
            let mut at = path.to_string();
            push_key(&mut at, k);
            if let Some(pv) = self.argument(type_name, k, v, schema.get(k), fields.get(k), &at)? {
                out.push(pv);
            }
        }
        Ok(out)
    }

    /// One argument: its Pulumi name and value (`None` when it holds nothing, e.g. `[]` for a
    /// property Pulumi holds as one item).
    fn argument(
        &self,
        type_name: &str,
        name: &str,
        v: &Value,
        arg: Option<&Argument>,
        field: Option<&Field>,
        path: &str,
    ) -> Result<Option<(Key, Pv)>> {
        if field.is_some_and(|f| f.no_input) {
            return Err(self.unmapped(
                Code::UnmappedProperty,
                path,
                format!("argument `{name}` of {type_name} has no Pulumi input property"),
            ));
        }
        let key = Key::Prop(field_name(name, field));
        let shape = field.map(|f| f.shape).unwrap_or_default();
        let nested = field.map(|f| &f.nested).unwrap_or(&EMPTY_FIELDS);
        let value = match arg.map(|a| &a.ty) {
            Some(ArgType::Block(b)) | Some(ArgType::BlockList(b)) => {
                let list_in_tf = matches!(arg.map(|a| &a.ty), Some(ArgType::BlockList(_)));
                let items: Vec<&Map<String, Value>> = match v {
                    Value::Object(m) => vec![m],
                    Value::Array(items) if items.iter().all(Value::is_object) => {
                        items.iter().filter_map(Value::as_object).collect()
                    }
                    // A reference to a whole block, or data the check let through as `any`.
                    other => return Ok(Some((key, self.data(other, path)?))),
                };
                let mut lowered = Vec::with_capacity(items.len());
                for item in items {
                    lowered.push(Pv::Obj(self.block(
                        type_name,
                        item.iter(),
                        b,
                        nested,
                        path,
                    )?));
                }
                let as_list = match shape {
                    Shape::List => true,
                    Shape::One => false,
                    Shape::AsIs => list_in_tf,
                };
                if as_list {
                    Pv::List(lowered)
                } else {
                    match one(lowered, name, type_name, path, self)? {
                        Some(v) => v,
                        None => return Ok(None),
                    }
                }
            }
            Some(ArgType::List(inner)) => {
                let target = field.and_then(|f| f.scalar).or(scalar_code(inner));
                match (v, shape) {
                    (Value::Array(items), Shape::One) => {
                        let mut lowered = Vec::with_capacity(items.len());
                        for item in items {
                            lowered.push(self.coerce(self.data(item, path)?, target, path)?);
                        }
                        match one(lowered, name, type_name, path, self)? {
                            Some(v) => v,
                            None => return Ok(None),
                        }
                    }
                    (Value::Array(items), _) => {
                        let mut lowered = Vec::with_capacity(items.len());
                        for item in items {
                            lowered.push(self.coerce(self.data(item, path)?, target, path)?);
                        }
                        Pv::List(lowered)
                    }
                    (other, _) => self.data(other, path)?,
                }
            }
            Some(ArgType::Any) if field.is_some_and(|f| f.loose) => {
                match self.loose(v, shape, nested, path)? {
                    Some(v) => v,
                    None => return Ok(None),
                }
            }
            // A map of scalars (`tags`): each value converted as Terraform converts it (`Tier: 2`
            // is the tag "2"; Pulumi's types take `Input<string>` there).
            Some(ArgType::Map(inner))
                if scalar_code(inner).is_some() && field.and_then(|f| f.scalar).is_none() =>
            {
                match self.data(v, path)? {
                    Pv::Obj(entries) => Pv::Obj(
                        entries
                            .into_iter()
                            .map(|(k, item)| {
                                let mut at = path.to_string();
                                push_key(&mut at, k.text());
                                Ok((k, self.coerce(item, scalar_code(inner), &at)?))
                            })
                            .collect::<Result<_>>()?,
                    ),
                    other => other,
                }
            }
            Some(ty) => {
                let target = field.and_then(|f| f.scalar).or(scalar_code(ty));
                self.coerce(self.data(v, path)?, target, path)?
            }
            None => self.data(v, path)?,
        };
        Ok(Some((key, value)))
    }

    /// A value of a structure only Pulumi's types describe (`nested`, keyed by likely Terraform
    /// names): objects and one-item lists become what the Pulumi type holds.
    fn loose(&self, v: &Value, shape: Shape, nested: &Fields, path: &str) -> Result<Option<Pv>> {
        let object = |m: &Map<String, Value>| -> Result<Pv> {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                let mut at = path.to_string();
                push_key(&mut at, k);
                let field = nested.get(k);
                let value = match field {
                    Some(f) if f.shape != Shape::AsIs => {
                        match self.loose(v, f.shape, &f.nested, &at)? {
                            Some(v) => v,
                            None => continue,
                        }
                    }
                    _ => self.data(v, &at)?,
                };
                out.push((Key::Prop(field_name(k, field)), value));
            }
            out.sort_by(|a, b| a.0.text().cmp(b.0.text()));
            Ok(Pv::Obj(out))
        };
        Ok(Some(match (shape, v) {
            (Shape::One, Value::Object(m)) => object(m)?,
            (Shape::One, Value::Array(items)) if items.iter().all(Value::is_object) => {
                match items.as_slice() {
                    [] => return Ok(None),
                    [Value::Object(m)] => object(m)?,
                    _ => {
                        return Err(self.unmapped(
                            Code::UnmappedProperty,
                            path,
                            format!("this block holds one item, not {},", items.len()),
                        ))
                    }
                }
            }
            (Shape::List, Value::Object(m)) => Pv::List(vec![object(m)?]),
            (Shape::List, Value::Array(items)) if items.iter().all(Value::is_object) => Pv::List(
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(object)
                    .collect::<Result<_>>()?,
            ),
            (_, other) => self.data(other, path)?,
        }))
    }

    /// A value converted to the Pulumi scalar type `target` where Terraform types it otherwise
    /// (`deregistration_delay = "30"` is a number in Pulumi; a number attribute read into a
    /// string argument becomes a string).
    fn coerce(&self, v: Pv, target: Option<char>, path: &str) -> Result<Pv> {
        let Some(target) = target else {
            return Ok(v);
        };
        let cannot = |what: &str| {
            self.unmapped(
                Code::UnmappedProperty,
                path,
                format!(
                    "{what} cannot become the {} Pulumi takes here",
                    kind_name(target)
                ),
            )
        };
        Ok(match (v, target) {
            (Pv::Str(s), 'n') => match s.trim().parse::<i64>() {
                Ok(n) => Pv::Num(n.into()),
                Err(_) => match s.trim().parse::<f64>().ok().and_then(Number::from_f64) {
                    Some(n) => Pv::Num(n),
                    None => return Err(cannot(&format!("the text `{s}`"))),
                },
            },
            (Pv::Str(s), 'b') => match s.as_str() {
                "true" => Pv::Bool(true),
                "false" => Pv::Bool(false),
                _ => return Err(cannot(&format!("the text `{s}`"))),
            },
            (Pv::Num(n), 's') => Pv::Str(crate::blueprint::number_text(&n)),
            (Pv::Bool(b), 's') => Pv::Str(b.to_string()),
            (Pv::Ref(r), 's') if r.ty.is_some_and(|t| t != 's') => Pv::ToStr(Box::new(Pv::Ref(r))),
            (v @ (Pv::Ref(_) | Pv::Concat(_)), 'n') if !matches!(&v, Pv::Ref(r) if r.ty.is_none_or(|t| t == 'n')) =>
            {
                if self.format == OutputFormat::PulumiYaml {
                    return Err(cannot("a text value (Pulumi YAML has no conversion)"));
                }
                Pv::ToNum(Box::new(v))
            }
            (v, _) => v,
        })
    }

    /// A resource: its Pulumi body and options.
    /// The resource `i` (`r`) lowered (its type known: absent types are reported first).
    /// Resource `i` as the writers take it: with `direct` (`Some(yaml)`), lowered now into
    /// `slot`, one resource at a time; otherwise from the whole lowered program. `None` when
    /// there is no resource `i`.
    fn resource_at<'r>(
        &self,
        i: usize,
        direct: Option<bool>,
        program: &'r [Res],
        slot: &'r mut Option<Res>,
    ) -> Result<Option<&'r Res>> {
        let Some(yaml) = direct else {
            return Ok(program.get(i));
        };
        let Some(r) = self.bp.blueprint().resources.get(i) else {
            return Ok(None);
        };
        Ok(Some(&*slot.insert(self.lower_resource(i, r, yaml)?)))
    }

    fn lower_resource(&self, i: usize, r: &Resource, yaml: bool) -> Result<Res> {
        match self.types.get(i).copied().flatten() {
            Some(tm) => self.resource(i, r, tm, yaml),
            None => Err(self.unmapped(
                Code::UnmappedType,
                &format!("resources[{i}].type"),
                format!("{} has no Pulumi class", self.type_name(i)),
            )),
        }
    }

    fn resource(&self, i: usize, r: &Resource, tm: &'static TypeMap, yaml: bool) -> Result<Res> {
        let info = self.bp.resource_info(i);
        let type_name = self.type_name(i);
        let schema = provider_schema(self.bp.provider())
            .get(type_name)
            .unwrap_or(&EMPTY_SCHEMA);
        let base = format!("resources[{i}].properties");
        let tag_arg = info.and_then(|x| x.tag_argument.as_deref());
        // The arguments, borrowed (in key order, as the properties are).
        let mut props: Vec<(&String, &Value)> = Vec::with_capacity(r.properties.len());
        let mut custom_timeouts = Vec::new();
        for (k, v) in &r.properties {
            if Some(k.as_str()) == tag_arg {
                continue;
            }
            if k == "id" {
                return Err(self.unmapped(
                    Code::UnmappedProperty,
                    &format!("{base}.id"),
                    format!("`id` of {type_name} is assigned by the provider; it is no input"),
                ));
            }
            if k == "timeouts" && !tm.timeouts_property {
                custom_timeouts = self.timeouts(v, &format!("{base}.timeouts"))?;
                continue;
            }
            props.push((k, v));
        }
        let mut body = self.block(type_name, props.iter().copied(), schema, &tm.fields, &base)?;
        if let Some(tag_arg) = tag_arg {
            if let Some(own) = r
                .properties
                .get(tag_arg)
                .filter(|v| !v.is_object() && !v.is_null())
            {
                // Tags given whole (`${var.tags}`): kept as they are when there is nothing to
                // merge into them.
                let at = format!("{base}.{tag_arg}");
                if !self.bp.blueprint().tags.is_empty() {
                    return Err(self.unmapped(
                        Code::UnmappedProperty,
                        &at,
                        "tags given as one reference cannot be merged with the blueprint's tags"
                            .into(),
                    ));
                }
                if let Some(pv) = self.argument(
                    type_name,
                    tag_arg,
                    own,
                    schema.get(tag_arg),
                    tm.fields.get(tag_arg),
                    &at,
                )? {
                    body.push(pv);
                }
            }
            let tags = merged_tags(self.bp, i);
            if !tags.is_empty() {
                let at = format!("{base}.{tag_arg}");
                if let Some(pv) = self.argument(
                    type_name,
                    tag_arg,
                    &Value::Object(tags),
                    schema.get(tag_arg),
                    tm.fields.get(tag_arg),
                    &at,
                )? {
                    body.push(pv);
                }
            }
        }
        body.sort_by(|a, b| a.0.text().cmp(b.0.text()));
        if yaml {
            check_yaml_keys(&body, &base, self)?;
        }

        let referenced = if r.dependencies.is_empty() {
            HashSet::new()
        } else {
            super::terraform::referenced_names(&r.properties)
        };
        let depends_on: Vec<usize> = r
            .dependencies
            .iter()
            .filter(|d| !referenced.contains(*d))
            .filter_map(|d| self.bp.index_of(d))
            .collect();
        let ignore_changes = if r.lifecycle.ignore_changes.iter().any(|c| c == "all") {
            // Terraform's `all` ignores every argument. Pulumi has no such keyword (property
            // paths name properties; pulumi/pulumi#6710): every top-level input this program
            // sets is ignored instead, the same thing for every property Pulumi compares.
            body.iter().map(|(k, _)| k.text().to_string()).collect()
        } else {
            let mut out = Vec::with_capacity(r.lifecycle.ignore_changes.len());
            for (n, arg) in r.lifecycle.ignore_changes.iter().enumerate() {
                let at = format!("resources[{i}].lifecycle.ignore_changes[{n}]");
                out.push(self.ignore_path(arg, tm, schema, type_name, &at)?);
            }
            out
        };
        Ok(Res {
            name: r.name.clone(),
            token: tm.token.clone().unwrap_or_default(),
            class_path: tm.class_path().unwrap_or_default(),
            count: r.count,
            props: body,
            depends_on,
            protect: r.lifecycle.prevent_destroy,
            ignore_changes,
            custom_timeouts,
            description: r.description.clone(),
        })
    }

    /// An `ignore_changes` path (`tags["Owner"]`, `network_interface[0].access_config`) as a
    /// Pulumi property path, with the names and shapes the properties themselves get
    /// (`networkInterfaces[0].accessConfigs`; `[0]` of a block Pulumi holds as one object dropped).
    fn ignore_path(
        &self,
        entry: &str,
        tm: &'static TypeMap,
        schema: &'static BlockSchema,
        type_name: &str,
        at: &str,
    ) -> Result<String> {
        let parsed = ignore_steps(entry).ok_or_else(|| {
            gen_error(
                Code::InvalidArgument,
                at,
                format!("`{entry}` is not an attribute path"),
            )
        })?;
        let mut rest = parsed.iter();
        let Some(Step::Attr(first)) = rest.next() else {
            return Err(gen_error(
                Code::InvalidArgument,
                at,
                format!("`{entry}` is not an attribute path"),
            ));
        };
        let field = tm.fields.get(first);
        if field.is_some_and(|f| f.no_input) {
            return Err(self.unmapped(
                Code::UnmappedProperty,
                at,
                format!("argument `{first}` of {type_name} has no Pulumi input property"),
            ));
        }
        let mut steps = vec![PStep::Prop(field_name(first, field))];
        let node = match schema.get(first) {
            Some(a) => node_of(&a.ty, field),
            None => Node::Unknown,
        };
        self.walk(
            node,
            rest,
            &mut steps,
            &|| entry.to_string(),
            type_name,
            Code::UnmappedProperty,
            at,
        )?;
        Ok(property_path(&steps))
    }

    /// Terraform's `timeouts` block as Pulumi's `customTimeouts` option.
    fn timeouts(&self, v: &Value, path: &str) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let block = match v {
            Value::Array(items) if items.len() == 1 => items.first().unwrap_or(v),
            other => other,
        };
        let Some(m) = block.as_object() else {
            return Err(self.unmapped(
                Code::UnmappedProperty,
                path,
                "`timeouts` must be one block of durations".into(),
            ));
        };
        for (k, v) in m {
            let mut at = path.to_string();
            push_key(&mut at, k);
            if !matches!(k.as_str(), "create" | "update" | "delete") {
                return Err(self.unmapped(
                    Code::UnmappedProperty,
                    &at,
                    format!(
                        "timeout `{k}` has no customTimeouts equivalent (create, update, delete)"
                    ),
                ));
            }
            match v {
                Value::String(s) if !has_markers(s) => out.push((k.clone(), s.clone())),
                Value::Null => {}
                _ => {
                    return Err(self.unmapped(
                        Code::UnmappedProperty,
                        &at,
                        "customTimeouts takes literal durations such as 30m".into(),
                    ))
                }
            }
        }
        Ok(out)
    }
}

fn kind_name(t: char) -> &'static str {
    match t {
        'n' => "number",
        'b' => "boolean",
        _ => "string",
    }
}

/// The one item of a list Pulumi holds as a single value; `None` for an empty list.
fn one(
    mut items: Vec<Pv>,
    name: &str,
    type_name: &str,
    path: &str,
    l: &Lowering<'_>,
) -> Result<Option<Pv>> {
    match items.len() {
        0 => Ok(None),
        1 => Ok(items.pop()),
        n => Err(l.unmapped(
            Code::UnmappedProperty,
            path,
            format!("argument `{name}` of {type_name} holds one item, not {n},"),
        )),
    }
}

/// Pulumi YAML reads an object with a key starting with `fn::` as a function call: such a key in
/// user data cannot be written.
fn check_yaml_keys(body: &[(Key, Pv)], path: &str, l: &Lowering<'_>) -> Result<()> {
    fn walk(v: &Pv, path: &str, l: &Lowering<'_>) -> Result<()> {
        match v {
            Pv::Obj(items) => check_yaml_keys(items, path, l),
            Pv::List(items) => items.iter().try_for_each(|i| walk(i, path, l)),
            _ => Ok(()),
        }
    }
    for (k, v) in body {
        let mut at = path.to_string();
        push_key(&mut at, k.text());
        if let Key::Data(d) = k {
            if d.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("fn::")) {
                return Err(l.unmapped(
                    Code::UnmappedProperty,
                    &at,
                    format!("the key `{d}` would be read as a function call (`fn::`)"),
                ));
            }
        }
        walk(v, &at, l)?;
    }
    Ok(())
}

/// The blueprint lowered, with its resources when `resources` is true (without, the program
/// has none, and each is lowered with [`Lowering::resource`] where it is written, then
/// dropped: only one lowered resource at a time). The errors, first the types', then the
/// variables', the resources', the outputs'.
fn lower_with(
    bp: &CheckedBlueprint,
    format: OutputFormat,
    resources: bool,
) -> Result<(Lowering<'_>, Program)> {
    let provider = bp.provider();
    let map = pulumi_map(provider);
    let doc = bp.blueprint();
    let mut findings = Vec::new();
    let mut types = Vec::with_capacity(doc.resources.len());
    for (i, _, info) in bp.iter() {
        match map.get(&info.type_name).filter(|t| t.token.is_some()) {
            Some(t) => types.push(Some(t)),
            None => {
                findings.push(Finding::error(
                    Code::UnmappedType,
                    format!("resources[{i}].type"),
                    format!(
                        "resource type {} has no Pulumi class in {}@{}, so it has no {format} equivalent",
                        info.type_name, map.package, map.version
                    ),
                ));
                types.push(None);
            }
        }
    }
    if !findings.is_empty() {
        return Err(Error::new(ErrorKind::Generate, findings));
    }
    let l = Lowering {
        bp,
        format,
        map,
        types,
        vars: doc
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| (v.name.as_str(), i))
            .collect(),
    };
    let yaml = format == OutputFormat::PulumiYaml;

    let mut vars = Vec::with_capacity(doc.variables.len());
    for (vi, v) in doc.variables.iter().enumerate() {
        if v.default.as_ref().is_some_and(Value::is_null) {
            // Terraform's `default = null` makes a variable optional with no value; Pulumi config
            // has no null default (YAML reads it as required), and "" would be a different value.
            return Err(gen_error(
                Code::UnmappedProperty,
                format!("variables[{vi}].default"),
                format!(
                    "a null default (an optional variable with no value) has no Pulumi config equivalent in {}; give the variable a real default or none",
                    format.as_str()
                ),
            ));
        }
        let ty = v
            .var_type
            .as_deref()
            .map(VarType::parse)
            .transpose()
            .ok()
            .flatten()
            .unwrap_or(VarType::String);
        vars.push(Var {
            name: v.name.clone(),
            ty,
            default: v.default.clone(),
            secret: v.sensitive,
            description: v.description.clone(),
        });
    }

    let mut lowered = Vec::new();
    if resources {
        lowered.reserve(doc.resources.len());
        for (i, r, _) in bp.iter() {
            lowered.push(l.lower_resource(i, r, yaml)?);
        }
    }

    let mut outputs = Vec::with_capacity(doc.outputs.len());
    for (i, o) in doc.outputs.iter().enumerate() {
        let at = format!("outputs[{i}].value");
        let value = l.data(&o.value, &at)?;
        if yaml {
            if let Pv::Obj(items) = &value {
                check_yaml_keys(items, &at, &l)?;
            }
        }
        outputs.push(Out {
            name: o.name.clone(),
            value,
            secret: o.sensitive || super::terraform::shows_sensitive(bp, &o.value),
            description: o.description.clone(),
        });
    }
    let program = Program {
        vars,
        resources: lowered,
        outputs,
        map,
    };
    Ok((l, program))
}

/// The provider configuration key holding the blueprint's region.
fn region_key(provider: Provider) -> &'static str {
    match provider {
        Provider::Aws => "aws:region",
        Provider::Azure => "azure:location",
        Provider::Gcp => "gcp:region",
    }
}

/// The package's short name (`aws`), also its import alias.
fn package_alias(map: &PulumiMap) -> &str {
    map.package.rsplit('/').next().unwrap_or(&map.package)
}

// ------------------------------------------------------------------------------------------------
// Names

/// Exact-case identifier bookkeeping with the blueprint path that claimed each.
#[derive(Default)]
struct Names {
    taken: BTreeMap<String, String>,
}

impl Names {
    fn claim(&mut self, id: &str, path: &str, what: &str) -> Result<String> {
        if let Some(first) = self.taken.get(id) {
            return Err(gen_error(
                Code::NameCollision,
                path,
                format!("this name becomes the {what} `{id}`, which {first} already has; rename one of them"),
            ));
        }
        self.taken.insert(id.to_string(), path.to_string());
        Ok(id.to_string())
    }

    /// `id`, or `id_`, `id__`... when taken (local variables, whose names nothing outside the
    /// program depends on).
    fn claim_free(&mut self, id: &str, path: &str) -> String {
        let mut candidate = id.to_string();
        while self.taken.contains_key(&candidate) {
            candidate.push('_');
        }
        self.taken.insert(candidate.clone(), path.to_string());
        candidate
    }
}

/// The logical name of each instance of a resource: `name`, or `name-0`, `name-1`... with count.
fn instance_names(name: &str, count: Option<u32>) -> Vec<String> {
    match count {
        None => vec![name.to_string()],
        Some(n) => (0..n).map(|k| format!("{name}-{k}")).collect(),
    }
}

// ------------------------------------------------------------------------------------------------
// Pulumi YAML

/// Pulumi YAML's escape for literal text in an expression: `$$` is a literal `$`, so a `$`
/// followed by `$` or `{` is doubled.
fn yaml_literal(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' && matches!(chars.peek(), Some('$') | Some('{')) {
            out.push('$');
        }
    }
}

/// A property name or map key in a `${...}` path: `.name` or `["key"]`.
fn yaml_path_key(k: &str, out: &mut String) {
    let mut chars = k.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        out.push('.');
        out.push_str(k);
    } else {
        out.push_str("[\"");
        out.push_str(&k.replace('"', "\\\""));
        out.push_str("\"]");
    }
}

struct YamlWriter<'p> {
    p: &'p Program,
    /// Per resource: the YAML key of each instance.
    keys: Vec<Vec<String>>,
}

impl YamlWriter<'_> {
    fn path(&self, r: &PRef, out: &mut String) {
        out.push_str("${");
        match &r.root {
            Root::Var(i) => {
                out.push_str(self.p.vars.get(*i).map(|v| v.name.as_str()).unwrap_or(""))
            }
            Root::Res(i, inst) => {
                let key = self
                    .keys
                    .get(*i)
                    .and_then(|k| k.get(inst.unwrap_or(0) as usize))
                    .map(String::as_str)
                    .unwrap_or("");
                out.push_str(key);
            }
        }
        for s in &r.steps {
            match s {
                PStep::Prop(n) | PStep::Key(n) => yaml_path_key(n, out),
                PStep::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out.push('}');
    }

    fn value(&self, v: &Pv) -> Value {
        match v {
            Pv::Null => Value::Null,
            Pv::Bool(b) => Value::Bool(*b),
            Pv::Num(n) => Value::Number(n.clone()),
            Pv::Str(s) => {
                let mut out = String::with_capacity(s.len());
                yaml_literal(s, &mut out);
                Value::String(out)
            }
            Pv::List(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Pv::Obj(items) => self.object(items),
            Pv::Ref(r) => {
                let mut out = String::new();
                self.path(r, &mut out);
                Value::String(out)
            }
            Pv::Concat(pieces) => {
                let mut out = String::new();
                for p in pieces {
                    match p {
                        Piece::Lit(l) => yaml_literal(l, &mut out),
                        Piece::Ref(r) => self.path(r, &mut out),
                    }
                }
                Value::String(out)
            }
            // Pulumi YAML assigns numbers and booleans to strings itself; a number from text is
            // refused while lowering.
            Pv::ToStr(v) | Pv::ToNum(v) => self.value(v),
        }
    }

    fn object(&self, items: &[(Key, Pv)]) -> Value {
        // Pulumi YAML reads object keys as expressions too: a user key (a tag name) with `${`
        // must be escaped like any literal text.
        Value::Object(
            items
                .iter()
                .map(|(k, v)| {
                    let mut key = String::with_capacity(k.text().len());
                    yaml_literal(k.text(), &mut key);
                    (key, self.value(v))
                })
                .collect(),
        )
    }
}

/// `{key: value}`, the value moved in.
fn single(key: &str, value: Value) -> Value {
    let mut m = Map::with_capacity(1);
    m.insert(key.into(), value);
    Value::Object(m)
}

/// A Pulumi project config type declaration for a variable type.
fn config_type(ty: &VarType) -> Option<Value> {
    Some(match ty {
        VarType::String => json!({"type": "string"}),
        VarType::Number => json!({"type": "integer"}),
        VarType::Bool => json!({"type": "boolean"}),
        VarType::List(inner) | VarType::Set(inner) => {
            json!({"type": "array", "items": config_type(inner)?})
        }
        VarType::Map(_) | VarType::Any => return None,
    })
}

/// The template context of `pulumi-yaml` (documented in `templates/README.md`). With `direct`
/// (the embedded template), `Pulumi.yaml` too, written as `pulumi-yaml/Pulumi.yaml.tera` writes
/// it (`direct_files_are_what_tera_renders` in `tests/generate_terraform.rs`), and the context
/// without `sections`: each resource is written right after it is built, instead of all of them
/// being kept in one `resources` map for the template (and each is lowered right before, then
/// dropped: one lowered resource at a time instead of the whole program).
pub(crate) fn yaml_context(bp: &CheckedBlueprint, direct: bool) -> Result<(Value, Option<String>)> {
    direct_or_whole(direct, |direct| yaml_program(bp, direct))
}

/// [`yaml_context`]; with `direct`, the first error found, whichever it is.
fn yaml_program(bp: &CheckedBlueprint, direct: bool) -> Result<(Value, Option<String>)> {
    let (l, p) = lower_with(bp, OutputFormat::PulumiYaml, !direct)?;
    let doc = bp.blueprint();
    let mut names = Names::default();
    names.claim("pulumi", "Pulumi YAML's built-in `pulumi` variable", "name")?;
    let mut config = Map::new();
    config.insert(
        region_key(bp.provider()).into(),
        Value::String(doc.region.clone()),
    );
    for (i, v) in p.vars.iter().enumerate() {
        let path = format!("variables[{i}]");
        names.claim(&v.name, &format!("{path}.name"), "Pulumi YAML name")?;
        let Some(Value::Object(mut decl)) = config_type(&v.ty) else {
            return Err(gen_error(
                Code::UnmappedProperty,
                format!("{path}.type"),
                format!(
                    "Pulumi project config has no {} type (string, integer, boolean and arrays of them only); pulumi-ts can read it with getObject",
                    v.ty
                ),
            ));
        };
        if let Some(d) = &v.default {
            if v.ty == VarType::Number && !(d.is_i64() || d.is_u64()) {
                return Err(gen_error(
                    Code::UnmappedProperty,
                    format!("{path}.default"),
                    format!("Pulumi project config numbers are integers; {d} is not one"),
                ));
            }
            decl.insert("default".into(), d.clone());
        }
        if let Some(d) = &v.description {
            decl.insert("description".into(), Value::String(d.clone()));
        }
        if v.secret {
            decl.insert("secret".into(), Value::Bool(true));
        }
        config.insert(v.name.clone(), Value::Object(decl));
    }
    let doc_resources = &bp.blueprint().resources;
    let mut keys = Vec::with_capacity(doc_resources.len());
    for (i, r) in doc_resources.iter().enumerate() {
        let mut ks = Vec::new();
        for key in instance_names(&r.name, r.count) {
            ks.push(names.claim(&key, &format!("resources[{i}].name"), "Pulumi YAML name")?);
        }
        keys.push(ks);
    }
    let w = YamlWriter { p: &p, keys };
    let mut resources = Map::new();
    // With `direct`, the resources' YAML (`key: body` at two spaces, as the `yaml` filter writes
    // each entry of the `resources` map), in blueprint order, with each key's place in it; put
    // in key order (the map's) at the end.
    let mut written = String::new();
    let mut spans: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
    if direct {
        written.reserve(640 * p.resources.len());
        spans.reserve(p.resources.len());
    }
    for i in 0..doc_resources.len() {
        let mut lowered = None;
        let Some(r) = l.resource_at(i, direct.then_some(true), &p.resources, &mut lowered)? else {
            continue;
        };
        let mut options = Map::new();
        if !r.depends_on.is_empty() {
            let mut deps = Vec::new();
            for &d in &r.depends_on {
                for key in w.keys.get(d).into_iter().flatten() {
                    deps.push(Value::String(format!("${{{key}}}")));
                }
            }
            options.insert("dependsOn".into(), Value::Array(deps));
        }
        if r.protect {
            options.insert("protect".into(), Value::Bool(true));
        }
        if !r.ignore_changes.is_empty() {
            options.insert("ignoreChanges".into(), json!(r.ignore_changes));
        }
        if !r.custom_timeouts.is_empty() {
            let t: Map<String, Value> = r
                .custom_timeouts
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            options.insert("customTimeouts".into(), Value::Object(t));
        }
        let props = w.object(&r.props);
        let keys = w.keys.get(i).map(Vec::as_slice).unwrap_or_default();
        // One entry per instance; the last takes the values, the others copies.
        let mut shared = Some((props, options));
        for (n, key) in keys.iter().enumerate() {
            let (props, options) = if n + 1 == keys.len() {
                shared.take().unwrap_or_default()
            } else {
                shared.clone().unwrap_or_default()
            };
            let mut res = Map::new();
            res.insert("type".into(), Value::String(r.token.clone()));
            if !r.props.is_empty() {
                res.insert("properties".into(), props);
            }
            if !options.is_empty() {
                res.insert("options".into(), Value::Object(options));
            }
            if direct {
                let start = written.len();
                super::yaml::write_entry(&mut written, key, &Value::Object(res), 2);
                spans.push((key, start..written.len()));
            } else {
                resources.insert(key.clone(), Value::Object(res));
            }
        }
    }
    let mut outputs = Map::new();
    for o in &p.outputs {
        let v = w.value(&o.value);
        let v = if o.secret {
            json!({"fn::secret": v})
        } else {
            v
        };
        outputs.insert(o.name.clone(), v);
    }
    // The big values are moved in (`json!` would copy them).
    let mut sections = vec![json!({"name": doc.name}), json!({"runtime": "yaml"})];
    if let Some(d) = &doc.description {
        sections.push(json!({"description": d}));
    }
    sections.push(single("config", Value::Object(config)));
    if !resources.is_empty() {
        sections.push(single("resources", Value::Object(resources)));
    }
    let outputs = (!outputs.is_empty()).then(|| single("outputs", Value::Object(outputs)));
    let ctx = json!({
        "blueprint": super::blueprint_context(bp),
        "package": {"name": p.map.package, "version": p.map.version},
    });
    if !direct {
        sections.extend(outputs);
        return Ok((
            super::with_entries(ctx, [("sections", Value::Array(sections))]),
            None,
        ));
    }
    // The template: a comment line, then each section through the `yaml` filter.
    let mut text = String::with_capacity(written.len() + 4096);
    for part in [
        "# Pulumi YAML program on ",
        &p.map.package,
        " ",
        &p.map.version,
        ", generated by IAC Dharma.\n",
    ] {
        text.push_str(part);
    }
    for section in &sections {
        super::yaml::write_document(&mut text, section);
    }
    if !spans.is_empty() {
        text.push_str("resources:\n");
        spans.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (_, span) in spans {
            text.push_str(written.get(span).unwrap_or_default());
        }
    }
    if let Some(outputs) = &outputs {
        super::yaml::write_document(&mut text, outputs);
    }
    text.push('\n');
    Ok((ctx, Some(text)))
}

// ------------------------------------------------------------------------------------------------
// Pulumi TypeScript

fn is_ts_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Text as `//` comment lines: every line break JavaScript knows starts a new comment line, and
/// `*/` is broken up, so nothing in it can end a comment or become code.
pub(crate) fn ts_comment(text: &str, indent: &str) -> String {
    text.split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(|l| {
            format!("{indent}// {}", l.replace("*/", "* /"))
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("    ");
    }
}

struct TsWriter {
    /// Per variable / resource: its TypeScript identifier.
    var_ids: Vec<String>,
    res_ids: Vec<String>,
}

impl TsWriter {
    fn reference(&self, r: &PRef, out: &mut String) {
        match &r.root {
            Root::Var(i) => out.push_str(self.var_ids.get(*i).map(String::as_str).unwrap_or("")),
            Root::Res(i, inst) => {
                out.push_str(self.res_ids.get(*i).map(String::as_str).unwrap_or(""));
                if let Some(n) = inst {
                    out.push_str(&format!("[{n}]"));
                }
            }
        }
        let mut steps = r.steps.iter();
        if let Some(first) = steps.next() {
            match first {
                PStep::Prop(n) if is_ts_ident(n) => {
                    out.push('.');
                    out.push_str(n);
                }
                PStep::Prop(n) | PStep::Key(n) => {
                    out.push('[');
                    out.push_str(&ts_string(n));
                    out.push(']');
                }
                PStep::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        let rest: Vec<&PStep> = steps.collect();
        if !rest.is_empty() {
            // Deeper than an output: read it when the value is known.
            out.push_str(".apply((v) => v");
            for s in rest {
                match s {
                    PStep::Prop(n) if is_ts_ident(n) => {
                        out.push_str("?.");
                        out.push_str(n);
                    }
                    PStep::Prop(n) | PStep::Key(n) => {
                        out.push_str("?.[");
                        out.push_str(&ts_string(n));
                        out.push(']');
                    }
                    PStep::Index(n) => out.push_str(&format!("?.[{n}]")),
                }
            }
            // Present once deployed (a reference in a Terraform configuration would fail
            // otherwise); still `?.` above, so an unknown value in a preview reads as undefined.
            out.push_str("!)");
        }
    }

    fn key(&self, k: &Key, out: &mut String) {
        match k {
            Key::Prop(n) if is_ts_ident(n) => out.push_str(n),
            // An own property named `__proto__` needs a computed key (a plain one sets the
            // object's prototype instead).
            Key::Data(n) if n == "__proto__" => out.push_str("[\"__proto__\"]"),
            Key::Prop(n) | Key::Data(n) => out.push_str(&ts_string(n)),
        }
    }

    fn object(&self, items: &[(Key, Pv)], indent: usize, out: &mut String) {
        if items.is_empty() {
            out.push_str("{}");
            return;
        }
        out.push_str("{\n");
        for (k, v) in items {
            pad(out, indent + 1);
            self.key(k, out);
            out.push_str(": ");
            self.value(v, indent + 1, out);
            out.push_str(",\n");
        }
        pad(out, indent);
        out.push('}');
    }

    fn value(&self, v: &Pv, indent: usize, out: &mut String) {
        match v {
            Pv::Null => out.push_str("undefined"),
            Pv::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Pv::Num(n) => out.push_str(&n.to_string()),
            Pv::Str(s) => out.push_str(&ts_string(s)),
            Pv::List(items) if items.is_empty() => out.push_str("[]"),
            Pv::List(items) => {
                out.push_str("[\n");
                for item in items {
                    pad(out, indent + 1);
                    self.value(item, indent + 1, out);
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push(']');
            }
            Pv::Obj(items) => self.object(items, indent, out),
            Pv::Ref(r) => self.reference(r, out),
            Pv::ToStr(v) => {
                out.push_str("pulumi.concat(");
                self.value(v, indent, out);
                out.push(')');
            }
            Pv::ToNum(v) => {
                out.push_str("pulumi.output(");
                self.value(v, indent, out);
                out.push_str(").apply(Number)");
            }
            Pv::Concat(pieces) => {
                out.push_str("pulumi.concat(");
                for (n, piece) in pieces.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    match piece {
                        Piece::Lit(l) => out.push_str(&ts_string(l)),
                        Piece::Ref(r) => self.reference(r, out),
                    }
                }
                out.push(')');
            }
        }
    }

    /// A plain JSON value (variable defaults: literal text) as TypeScript.
    fn literal(v: &Value, indent: usize, out: &mut String) {
        match v {
            Value::Null => out.push_str("undefined"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) => out.push_str(&ts_string(s)),
            Value::Array(items) if items.is_empty() => out.push_str("[]"),
            Value::Array(items) => {
                out.push_str("[\n");
                for item in items {
                    pad(out, indent + 1);
                    Self::literal(item, indent + 1, out);
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push(']');
            }
            Value::Object(m) if m.is_empty() => out.push_str("{}"),
            Value::Object(m) => {
                out.push_str("{\n");
                for (k, v) in m {
                    pad(out, indent + 1);
                    if k == "__proto__" {
                        out.push_str("[\"__proto__\"]");
                    } else {
                        out.push_str(&ts_string(k));
                    }
                    out.push_str(": ");
                    Self::literal(v, indent + 1, out);
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

/// The TypeScript type of a config value.
fn ts_type(ty: &VarType) -> String {
    match ty {
        VarType::String => "string".into(),
        VarType::Number => "number".into(),
        VarType::Bool => "boolean".into(),
        VarType::Any => "any".into(),
        VarType::List(t) | VarType::Set(t) => format!("{}[]", ts_elem(t)),
        VarType::Map(t) => format!("Record<string, {}>", ts_type(t)),
    }
}

fn ts_elem(ty: &VarType) -> String {
    let t = ts_type(ty);
    if t.contains('<') || t.ends_with("[]") || t.contains(' ') {
        format!("({t})")
    } else {
        t
    }
}

/// `config.get("x") ?? default` and friends for one variable.
fn config_read(v: &Var) -> String {
    let (base, generic) = match &v.ty {
        VarType::String => ("", String::new()),
        VarType::Number => ("Number", String::new()),
        VarType::Bool => ("Boolean", String::new()),
        other => ("Object", format!("<{}>", ts_type(other))),
    };
    let key = ts_string(&v.name);
    match (&v.default, v.secret) {
        (None, false) => format!("config.require{base}{generic}({key})"),
        (None, true) => format!("config.requireSecret{base}{generic}({key})"),
        (Some(d), secret) => {
            let mut lit = String::new();
            TsWriter::literal(d, 0, &mut lit);
            if secret {
                format!("config.getSecret{base}{generic}({key}) ?? pulumi.secret({lit})")
            } else {
                format!("config.get{base}{generic}({key}) ?? {lit}")
            }
        }
    }
}

/// An npm package name from a blueprint name: lowercase, not starting with `.` or `_`.
fn npm_name(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    let n = n.trim_start_matches(['_', '.', '-']);
    if n.is_empty() {
        "pulumi-program".into()
    } else {
        n.to_string()
    }
}

/// One resource of `index.ts`: its `resources` context entry, or what the embedded template
/// writes of it.
struct TsResource<'p> {
    r: &'p Res,
    var: Option<&'p String>,
    class: String,
    name_code: String,
    opts_code: Option<String>,
    comment: Option<String>,
}

impl<'p> TsResource<'p> {
    fn new(doc: &Blueprint, w: &'p TsWriter, alias: &str, i: usize, r: &'p Res) -> Self {
        let mut opts = Vec::new();
        if !r.depends_on.is_empty() {
            let deps: Vec<String> = r
                .depends_on
                .iter()
                .filter_map(|&d| {
                    let id = w.res_ids.get(d)?;
                    Some(match doc.resources.get(d)?.count {
                        Some(_) => format!("...{id}"),
                        None => id.clone(),
                    })
                })
                .collect();
            opts.push(format!("dependsOn: [{}]", deps.join(", ")));
        }
        if r.protect {
            opts.push("protect: true".into());
        }
        if !r.ignore_changes.is_empty() {
            let items: Vec<String> = r.ignore_changes.iter().map(|s| ts_string(s)).collect();
            opts.push(format!("ignoreChanges: [{}]", items.join(", ")));
        }
        if !r.custom_timeouts.is_empty() {
            let items: Vec<String> = r
                .custom_timeouts
                .iter()
                .map(|(k, v)| format!("{k}: {}", ts_string(v)))
                .collect();
            opts.push(format!("customTimeouts: {{ {} }}", items.join(", ")));
        }
        TsResource {
            r,
            var: w.res_ids.get(i),
            class: format!("{alias}.{}", r.class_path),
            name_code: match r.count {
                Some(_) => format!("{} + i", ts_string(&format!("{}-", r.name))),
                None => ts_string(&r.name),
            },
            opts_code: (!opts.is_empty()).then(|| format!("{{ {} }}", opts.join(", "))),
            comment: r.description.as_deref().map(|d| ts_comment(d, "")),
        }
    }

    /// Where the arguments go in [`TsResource::write`]'s statement: its indent (inside the
    /// loop of a `count`, one more).
    fn indent(&self) -> usize {
        if self.r.count.is_some() {
            1
        } else {
            0
        }
    }

    /// The context entry, with `args_code` (the arguments, written at [`TsResource::indent`]).
    fn entry(self, args_code: String) -> Value {
        let r = self.r;
        let entry = json!({
            "name": r.name,
            "var": self.var,
            "class": self.class,
            "type": r.token,
            "count": r.count,
            "name_code": self.name_code,
            "opts_code": self.opts_code,
            "comment": self.comment,
        });
        super::with_entries(entry, [("args_code", Value::String(args_code))])
    }

    /// What `pulumi-ts/index.ts.tera` writes of the entry (from the line break before it), the
    /// arguments written by `args` at [`TsResource::indent`].
    fn write(&self, out: &mut String, args: impl FnOnce(&mut String)) {
        let var = self.var.map(String::as_str).unwrap_or_default();
        out.push('\n');
        if let Some(c) = &self.comment {
            out.push_str(c);
            out.push('\n');
        }
        let close = match self.r.count {
            Some(n) => {
                for part in ["const ", var, ": ", &self.class, "[] = [];\n"] {
                    out.push_str(part);
                }
                out.push_str("for (let i = 0; i < ");
                out.push_str(&n.to_string());
                for part in ["; i++) {\n    ", var, ".push(new "] {
                    out.push_str(part);
                }
                "));\n}\n"
            }
            None => {
                for part in ["const ", var, " = new "] {
                    out.push_str(part);
                }
                ");\n"
            }
        };
        out.push_str(&self.class);
        out.push('(');
        out.push_str(&self.name_code);
        out.push_str(", ");
        args(out);
        if let Some(o) = &self.opts_code {
            out.push_str(", ");
            out.push_str(o);
        }
        out.push_str(close);
    }
}

/// The template context of `pulumi-ts` (documented in `templates/README.md`). With `direct`
/// (the embedded templates), `index.ts` too, written as `pulumi-ts/index.ts.tera` writes it
/// (`direct_files_are_what_tera_renders` in `tests/generate_terraform.rs`), and the context
/// without what only that template uses (`config`, `resources`, `outputs`): no entry is built
/// per resource, and each resource is lowered right before its code is written straight into
/// the file, then dropped (one lowered resource at a time instead of the whole program).
pub(crate) fn ts_context(bp: &CheckedBlueprint, direct: bool) -> Result<(Value, Option<String>)> {
    direct_or_whole(direct, |direct| ts_program(bp, direct))
}

/// [`ts_context`]; with `direct`, the first error found, whichever it is.
fn ts_program(bp: &CheckedBlueprint, direct: bool) -> Result<(Value, Option<String>)> {
    let (l, p) = lower_with(bp, OutputFormat::PulumiTs, !direct)?;
    let doc = bp.blueprint();
    let alias = package_alias(p.map).to_string();
    let mut names = Names::default();
    for word in [
        "pulumi",
        "config",
        "i",
        alias.as_str(),
        "exports",
        "module",
        "require",
        "__dirname",
        "__filename",
    ] {
        names.claim_free(word, "the generated code");
    }
    // Stack outputs are the module's exports: their names are public, so they are claimed
    // exactly (camelCase, as Pulumi's own converters name them), before the local variables,
    // which step aside (`vpc_`) when an export has their name.
    let mut out_ids = Vec::with_capacity(p.outputs.len());
    for (i, o) in p.outputs.iter().enumerate() {
        out_ids.push(names.claim(
            &camel_case(&o.name),
            &format!("outputs[{i}].name"),
            "TypeScript export",
        )?);
    }
    let var_ids: Vec<String> = p
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| names.claim_free(&camel_case(&v.name), &format!("variables[{i}].name")))
        .collect();
    let res_ids: Vec<String> = doc
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| names.claim_free(&camel_case(&r.name), &format!("resources[{i}].name")))
        .collect();
    let w = TsWriter { var_ids, res_ids };
    let header_comment = ts_comment(
        &format!(
            "{} {}{}",
            doc.name,
            doc.version,
            doc.description
                .as_deref()
                .map(|d| format!("\n{d}"))
                .unwrap_or_default()
        ),
        "",
    );

    let mut config_ctx = Vec::new();
    let mut res_ctx = Vec::new();
    let mut out_ctx = Vec::new();
    let mut index = String::new();
    if direct {
        // About what the synthetic blueprints take per resource: grown rarely, if ever.
        index.reserve(1024 + 640 * p.resources.len());
        for part in [
            header_comment.as_str(),
            "\nimport * as pulumi from \"@pulumi/pulumi\";\nimport * as ",
            &alias,
            " from ",
            &ts_string(&p.map.package),
            ";\n",
        ] {
            index.push_str(part);
        }
        if !p.vars.is_empty() {
            index.push_str("\nconst config = new pulumi.Config();\n");
        }
    }
    for (i, v) in p.vars.iter().enumerate() {
        let var = w.var_ids.get(i);
        let code = config_read(v);
        let comment = v.description.as_deref().map(|d| ts_comment(d, ""));
        if direct {
            push_declaration(&mut index, comment.as_deref(), "const", var, &code);
        } else {
            config_ctx.push(json!({
                "name": v.name,
                "var": var,
                "code": code,
                "comment": comment,
            }));
        }
    }

    if !direct {
        res_ctx.reserve(p.resources.len());
    }
    for &i in bp.graph().order() {
        let mut lowered = None;
        let Some(r) = l.resource_at(i, direct.then_some(false), &p.resources, &mut lowered)? else {
            continue;
        };
        let entry = TsResource::new(doc, &w, &alias, i, r);
        let indent = entry.indent();
        if direct {
            entry.write(&mut index, |out| w.object(&r.props, indent, out));
        } else {
            let mut args = String::new();
            w.object(&r.props, indent, &mut args);
            res_ctx.push(entry.entry(args));
        }
    }

    for (i, o) in p.outputs.iter().enumerate() {
        let mut code = String::new();
        w.value(&o.value, 0, &mut code);
        if o.secret {
            code = format!("pulumi.secret({code})");
        }
        let var = out_ids.get(i);
        let comment = o.description.as_deref().map(|d| ts_comment(d, ""));
        if direct {
            index.push('\n');
            push_declaration(&mut index, comment.as_deref(), "export const", var, &code);
        } else {
            out_ctx.push(json!({
                "name": o.name,
                "var": var,
                "value_code": code,
                "comment": comment,
            }));
        }
    }
    if direct {
        index.push('\n');
    }

    let mut project = vec![
        json!({"name": doc.name}),
        json!({"runtime": {"name": "nodejs", "options": {"typescript": true}}}),
    ];
    if let Some(d) = &doc.description {
        project.push(json!({"description": d}));
    }
    let mut provider_config = Map::new();
    provider_config.insert(
        region_key(bp.provider()).into(),
        Value::String(doc.region.clone()),
    );
    project.push(json!({"config": provider_config}));
    let ctx = json!({
        "blueprint": super::blueprint_context(bp),
        "header_comment": header_comment,
        "package": {
            "name": npm_name(&doc.name),
            "version": bp.version().to_string(),
            "alias": alias,
            "provider_package": p.map.package,
            "dependencies": {
                "@pulumi/pulumi": format!("^{PULUMI_SDK_VERSION}"),
                p.map.package.as_str(): format!("^{}", p.map.version),
            },
            "dev_dependencies": {
                "typescript": format!("^{TYPESCRIPT_VERSION}"),
            },
        },
        "project": {"sections": project},
    });
    if direct {
        return Ok((ctx, Some(index)));
    }
    Ok((
        super::with_entries(
            ctx,
            [
                ("config", Value::Array(config_ctx)),
                ("resources", Value::Array(res_ctx)),
                ("outputs", Value::Array(out_ctx)),
            ],
        ),
        None,
    ))
}

/// Writes `// comment` (when there is one) and `KEYWORD NAME = CODE;` into `index.ts`, as the
/// embedded template lays out a config read or an exported output.
fn push_declaration(
    out: &mut String,
    comment: Option<&str>,
    keyword: &str,
    name: Option<&String>,
    code: &str,
) {
    if let Some(c) = comment {
        out.push_str(c);
        out.push('\n');
    }
    for part in [
        keyword,
        " ",
        name.map(String::as_str).unwrap_or_default(),
        " = ",
        code,
        ";\n",
    ] {
        out.push_str(part);
    }
}

/// Runs `program` the direct way (each resource lowered right before it is written) when
/// `direct`, and the whole-program way when not, or when the direct way fails: the errors are
/// then those of the whole program lowered first, in its order (types, variables, resources,
/// outputs, then names), not whichever the direct way met first.
fn direct_or_whole<T>(direct: bool, program: impl Fn(bool) -> Result<T>) -> Result<T> {
    if direct {
        if let Ok(done) = program(true) {
            return Ok(done);
        }
    }
    program(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_of_terraform_names() {
        for (tf, p) in [
            ("cidr_block", "cidrBlock"),
            ("ipv6_cidr_block", "ipv6CidrBlock"),
            ("address_line_1", "addressLine1"),
            ("s3_key", "s3Key"),
            ("name", "name"),
        ] {
            assert_eq!(tf_camel(tf), p, "{tf}");
        }
    }

    #[test]
    fn yaml_escapes_only_what_pulumi_reads() {
        for (text, escaped) in [
            ("plain", "plain"),
            ("$5", "$5"),
            ("${x}", "$${x}"),
            ("$$", "$$$"),
            ("a$", "a$"),
            ("$${", "$$$${"),
        ] {
            let mut out = String::new();
            yaml_literal(text, &mut out);
            assert_eq!(out, escaped, "{text}");
            // Pulumi YAML's reading: `$$` is `$`, every other character is itself.
            let mut back = String::new();
            let mut rest = out.as_str();
            while let Some(c) = rest.chars().next() {
                if rest.starts_with("$$") {
                    back.push('$');
                    rest = &rest[2..];
                } else {
                    assert!(
                        !rest.starts_with("${"),
                        "{text}: interpolation left in {out}"
                    );
                    back.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
            assert_eq!(back, text);
        }
    }

    #[test]
    fn comments_cannot_end_or_escape() {
        let c = ts_comment("a */ b\nc\u{2028}d", "");
        assert_eq!(c, "// a * / b\n// c\n// d");
    }

    #[test]
    fn versions_match_the_toolcheck_pins() {
        let pins = include_str!("../../../tests/toolchecks/pulumi/package.json");
        let pins: Value = serde_json::from_str(pins).unwrap();
        let deps = &pins["dependencies"];
        assert_eq!(deps["@pulumi/pulumi"], PULUMI_SDK_VERSION);
        assert_eq!(deps["typescript"], TYPESCRIPT_VERSION);
        for provider in Provider::ALL {
            let m = pulumi_map(provider);
            assert_eq!(
                deps[&m.package],
                Value::String(m.version.clone()),
                "{provider}"
            );
        }
    }
}
