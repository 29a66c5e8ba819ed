//! Lowering to AWS CloudFormation (JSON and YAML; the CDK app is built from the same template):
//! Terraform types and arguments mapped with `catalog/formats/cloudformation.yaml`, references as
//! `Ref` / `Fn::GetAtt` / `Fn::Sub`, variables as `Parameters`, outputs as `Outputs`.
//!
//! Paths for error messages are never built unless an error happens: the lowering carries an
//! [`At`] (a chain of borrowed keys) and renders it only into a finding.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxBuildHasher;
use serde::Deserialize;
use serde_json::Map;

use crate::blueprint::Value;
use crate::catalog::{ArgType, BlockSchema};
use crate::check::{CheckedBlueprint, VarType};
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::reference::{push_index, push_key, Part, Reference, Step, Template};

use super::gen_error;
use super::idents::{pascal_case, Namespace};
use super::mapping::{blocks, no_attribute, no_equivalent, no_mapping, ArgMap};
use super::node::{JsonObject, Node, NodeMap, Str};
use super::values::has_markers;

// `catalog/formats/cloudformation.yaml`, embedded compressed (see `crate::embedded`).
static DATA: &[u8] = crate::embedded::packed!("catalog-formats-cloudformation.yaml");

/// The mapping data (see the header of `catalog/formats/cloudformation.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingFile {
    pub(crate) types: BTreeMap<String, TypeMap>,
}

impl MappingFile {
    /// Every mapping, variants included, with its Terraform type.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&str, &TypeMap)> {
        self.types.iter().flat_map(|(name, tm)| {
            std::iter::once((name.as_str(), tm)).chain(
                tm.variants
                    .iter()
                    .flat_map(|v| v.values.values())
                    .map(move |inner| (name.as_str(), inner)),
            )
        })
    }
}

/// How one Terraform type maps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypeMap {
    #[serde(rename = "type")]
    pub(crate) cfn_type: Option<String>,
    #[serde(default)]
    pub(crate) attributes: BTreeMap<String, Attr>,
    #[serde(default)]
    pub(crate) properties: ArgMap<Prop>,
    #[serde(default)]
    pub(crate) tags: Option<Tags>,
    #[serde(default)]
    pub(crate) defaults: Map<String, Value>,
    #[serde(default)]
    pub(crate) merge: Option<Merge>,
    /// A type whose CloudFormation type depends on an argument's value
    /// (`aws_security_group_rule`'s `type`): the mapping of each value.
    #[serde(default)]
    pub(crate) variants: Option<Variants>,
    /// The arguments with a companion resource, found on first use: the plan asks for every
    /// resource, and walking every argument's mapping each time reads data that a large
    /// blueprint has pushed out of the cache.
    #[serde(skip)]
    companion_args: OnceLock<Vec<(&'static str, &'static Companion)>>,
}

impl TypeMap {
    /// The arguments that take a companion resource (see [`Companion`]), in name order.
    pub(crate) fn companion_args(&'static self) -> &'static [(&'static str, &'static Companion)] {
        self.companion_args.get_or_init(|| {
            self.properties
                .into_iter()
                .filter_map(|(k, p)| match p {
                    Prop::Spec(s) => s.companion.as_ref().map(|c| (k.as_str(), c)),
                    Prop::Name(_) | Prop::Text(_) => None,
                })
                .collect()
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Variants {
    pub(crate) by: String,
    pub(crate) values: BTreeMap<String, TypeMap>,
}

/// What a Terraform attribute is in CloudFormation.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Attr {
    /// `Ref`, or the name of a `Fn::GetAtt` attribute.
    Name(String),
    /// Any other form.
    Spec(AttrSpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttrSpec {
    /// A `Fn::GetAtt` attribute ...
    getatt: Option<String>,
    /// ... whose value is a list (joined with `,` where a string is needed: outputs).
    #[serde(default)]
    list: bool,
    /// An `Fn::Sub` text: `${Ref}` is the resource's `Ref`, `${AWS::...}` a pseudo parameter,
    /// any other `${X}` its attribute X.
    sub: Option<String>,
    /// A constant.
    value: Option<String>,
}

/// How a type takes tags.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Tags {
    /// `Tags` as a list of `{Key, Value}` or as a map.
    Style(TagStyle),
    /// Tags somewhere else.
    Spec(TagSpec),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TagStyle {
    List,
    Map,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TagSpec {
    style: TagStyle,
    /// The property holding the tags.
    to: String,
    /// When set, the property is a one-item list of this object plus `Tags`.
    #[serde(default)]
    item: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Prop {
    /// The CloudFormation property of the same value.
    Name(String),
    /// As `Name`, for a Terraform argument of strings (`string`, `list(string)`, `map(string)`):
    /// numbers and booleans are written as strings, as Terraform converts them (derived from the
    /// Terraform schema when the mapping is loaded, never written in the file).
    #[serde(skip)]
    Text(String),
    Spec(Box<Spec>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Transform {
    /// `Fn::Base64` of the value.
    Base64,
    /// A JSON document held in a string becomes an object (references inside its strings stay
    /// references).
    Json,
    /// Numbers and booleans become strings.
    String,
    /// The strings `"true"`/`"false"` become booleans.
    Bool,
    /// A name prefix: the prefix followed by the last group of the stack's UUID.
    Prefix,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyValue {
    key: String,
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    pub(crate) to: Option<String>,
    #[serde(default)]
    pub(crate) fields: ArgMap<Prop>,
    #[serde(default)]
    split: Vec<String>,
    #[serde(default)]
    list: bool,
    pub(crate) transform: Option<Transform>,
    ignore_if: Option<Value>,
    deletion_policy: Option<BTreeMap<String, String>>,
    unmapped: Option<String>,
    implied: Option<String>,
    values: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    set: Map<String, Value>,
    wrap: Option<String>,
    #[serde(default)]
    with: Map<String, Value>,
    #[serde(default)]
    each: bool,
    #[serde(default)]
    append: bool,
    map_of: Option<KeyValue>,
    from_map: Option<KeyValue>,
    #[serde(default)]
    pub(crate) keep_keys: bool,
    #[serde(default)]
    attribute: bool,
    #[serde(default)]
    defaults: Map<String, Value>,
    #[serde(default)]
    defaults_unless: Vec<String>,
    pub(crate) companion: Option<Companion>,
    /// A list that CloudFormation holds as one value: one element is written as it is, more
    /// are an error.
    #[serde(default)]
    single: bool,
    /// A block that takes no arguments (`none {}`): written as `{}`.
    #[serde(default)]
    empty_block: bool,
}

/// A second CloudFormation resource that one Terraform argument needs (an internet gateway's
/// VPC attachment): its logical ID is the resource's plus `suffix`; it gets the resource's
/// `Ref` in `ref` and the argument's value in `to`. Whatever refers to or depends on the
/// resource also depends on it, as Terraform waits for the attachment too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Companion {
    pub(crate) suffix: String,
    #[serde(rename = "type")]
    pub(crate) cfn_type: String,
    #[serde(rename = "ref")]
    ref_to: String,
    to: String,
}

/// What a resource's arguments give besides its properties.
#[derive(Default)]
struct Extra<'s> {
    /// Resource attributes (`DeletionPolicy`, `UpdatePolicy`).
    attrs: NodeMap<'s>,
    /// Companion resources, with the value of their argument.
    companions: Vec<(&'static Companion, Node<'s>)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Merge {
    pub(crate) via: String,
    pub(crate) property: Option<String>,
    #[serde(default)]
    pub(crate) fields: ArgMap<Prop>,
    append: Option<String>,
    #[serde(default)]
    list: bool,
    pub(crate) when: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, Attr>,
    index_from: Option<IndexFrom>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndexFrom {
    property: String,
    arguments: Vec<String>,
}

/// The mapping data, parsed on first use.
pub(crate) fn mapping() -> Result<&'static MappingFile> {
    static CELL: OnceLock<std::result::Result<MappingFile, String>> = OnceLock::new();
    super::mapping::load_then(
        &CELL,
        DATA,
        "catalog/formats/cloudformation.yaml",
        mark_text_arguments,
    )
}

/// Marks the plain mappings of Terraform string arguments as [`Prop::Text`] (and maps of user
/// keys to strings, `keep_keys`, as `transform: string`), at every depth of every type. A blueprint may give `engine_version: 14`: Terraform hands the provider `"14"`,
/// and CloudFormation's and the CDK's types take a string there (a number fails `tsc`).
fn mark_text_arguments(file: &mut MappingFile) {
    fn mark(props: &mut ArgMap<Prop>, schema: &BlockSchema) {
        for (k, p) in props.iter_mut() {
            let Some(arg) = schema.get(k) else { continue };
            match (&mut *p, &arg.ty) {
                (Prop::Name(to), ty) if holds_text(ty) => {
                    let to = std::mem::take(to);
                    *p = Prop::Text(to);
                }
                (Prop::Spec(spec), ArgType::Block(b) | ArgType::BlockList(b)) => {
                    mark(&mut spec.fields, b)
                }
                // A map of user keys to strings (Lambda environment variables, API Gateway
                // stage variables, EKS labels): CloudFormation's and the CDK's types take
                // strings as its values (`{[key: string]: string}`), and a number as JSON
                // would lose digits in JavaScript.
                (Prop::Spec(spec), ArgType::Map(inner))
                    if spec.keep_keys && spec.transform.is_none() && **inner == ArgType::String =>
                {
                    spec.transform = Some(Transform::String);
                }
                _ => {}
            }
        }
    }
    fn holds_text(ty: &ArgType) -> bool {
        match ty {
            ArgType::String => true,
            ArgType::List(inner) | ArgType::Map(inner) => **inner == ArgType::String,
            _ => false,
        }
    }
    let schema = crate::catalog::provider_schema(crate::catalog::Provider::Aws);
    for (type_name, tm) in &mut file.types {
        let Some(block) = schema.get(type_name) else {
            continue;
        };
        mark(&mut tm.properties, block);
        for inner in tm.variants.iter_mut().flat_map(|v| v.values.values_mut()) {
            mark(&mut inner.properties, block);
        }
    }
}

/// Where a value sits in the blueprint, rendered only for error messages.
#[derive(Clone, Copy)]
enum At<'a> {
    /// `resources[i].properties`
    Props(usize),
    /// Any fixed path (`outputs[2].value`).
    Text(&'a str),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn key<'b>(&'b self, k: &'b str) -> At<'b> {
        At::Key(self, k)
    }

    fn render(&self, out: &mut String) {
        match self {
            At::Props(i) => {
                out.push_str("resources");
                push_index(out, *i);
                out.push_str(".properties");
            }
            At::Text(t) => out.push_str(t),
            At::Key(parent, k) => {
                parent.render(out);
                push_key(out, k);
            }
            At::Index(parent, i) => {
                parent.render(out);
                push_index(out, *i);
            }
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.render(&mut s);
        f.write_str(&s)
    }
}

/// Where a resource went in the template.
#[derive(Debug, Clone)]
pub(crate) enum Placement {
    /// Its own resources: one logical ID per instance (these entries of the plan's [`IdList`]).
    Own(Range<usize>),
    /// Folded into another resource's properties (by blueprint index).
    Folded(usize),
}

/// The logical IDs of a plan, in one buffer: a blueprint of 10,000 resources has 10,000 of
/// them, which as one allocation each (and a list per resource) cost as much to free, cold,
/// as to make.
#[derive(Debug, Default)]
pub(crate) struct IdList {
    text: String,
    /// Per ID: where it is in `text`.
    spans: Vec<(usize, usize)>,
}

impl IdList {
    fn with_capacity(n: usize) -> Self {
        IdList {
            text: String::with_capacity(n * 16),
            spans: Vec::with_capacity(n),
        }
    }

    /// Adds `id`.
    fn push(&mut self, id: &str) {
        let start = self.text.len();
        self.text.push_str(id);
        self.spans.push((start, self.text.len()));
    }

    /// The number of IDs so far (the index of the next one).
    fn len(&self) -> usize {
        self.spans.len()
    }

    fn get(&self, k: usize) -> Option<&str> {
        let &(start, end) = self.spans.get(k)?;
        self.text.get(start..end)
    }

    /// The IDs `range`.
    fn slice(&self, range: &Range<usize>) -> impl Iterator<Item = &str> + Clone + '_ {
        self.spans
            .get(range.clone())
            .unwrap_or_default()
            .iter()
            .map(|&(start, end)| self.text.get(start..end).unwrap_or_default())
    }
}

/// The lowered template.
pub(crate) struct Lowered<'a> {
    pub(crate) template: Node<'a>,
}

/// A reference, resolved to what CloudFormation computes.
enum Resolved<'x> {
    Ref(&'x str),
    GetAtt(&'x str, &'x str, bool),
    Sub(String),
    Const(&'x str),
}

impl<'x> Resolved<'x> {
    fn into_node(self) -> Node<'x> {
        match self {
            Resolved::Ref(id) => Node::single("Ref", text(id)),
            Resolved::GetAtt(id, attr, _) => {
                Node::single("Fn::GetAtt", Node::Array(vec![text(id), text(attr)]))
            }
            Resolved::Sub(text) => Node::single("Fn::Sub", Node::owned(text)),
            Resolved::Const(c) => text(c),
        }
    }
}

/// A borrowed string node.
fn text(s: &str) -> Node<'_> {
    Node::String(Cow::Borrowed(s))
}

/// The names of a lowering: what each resource becomes, its logical IDs, the parameters.
pub(crate) struct Plan<'a> {
    /// Per resource: its mapping (None for unmapped types, reported before anything else).
    type_maps: Vec<Option<&'static TypeMap>>,
    /// Per resource: the argument holding its tags (`ResourceInfo::tag_argument`), one string
    /// per type: each resource's own copy is one more cache line to read in a blueprint bigger
    /// than the cache.
    tag_args: Vec<Option<&'a str>>,
    placements: Vec<Placement>,
    /// The logical IDs of the resources (and their companions).
    ids: IdList,
    params: HashMap<&'a str, String>,
    /// Per folded resource (by blueprint index, ascending): the reference of its `via` argument.
    /// Only the few resources that have one are listed: a list of 10,000 mostly empty entries
    /// costs a pass over half a megabyte to free.
    fold_refs: Vec<(usize, Reference)>,
    /// Per resource with companion resources (by blueprint index, ascending): their logical IDs
    /// (per companion argument, per instance), entries of `ids`.
    companions: Vec<(usize, Range<usize>)>,
}

/// The entry of `i` in a list of (index, entry) sorted by index.
fn entry_of<T>(list: &[(usize, T)], i: usize) -> Option<&T> {
    let k = list.binary_search_by_key(&i, |&(j, _)| j).ok()?;
    list.get(k).map(|(_, t)| t)
}

struct Lowering<'a> {
    bp: &'a CheckedBlueprint,
    type_maps: &'a [Option<&'static TypeMap>],
    tag_args: &'a [Option<&'a str>],
    placements: &'a [Placement],
    ids: &'a IdList,
    params: &'a HashMap<&'a str, String>,
}

const FORMAT: &str = "CloudFormation";

fn unmapped(code: Code, at: &At<'_>, message: String) -> Error {
    gen_error(code, at.to_string(), message)
}

/// The key of an attribute path in the mapping data (`arn`, `master_user_secret[0].secret_arn`).
fn attribute_key(steps: &[Step]) -> Cow<'_, str> {
    match steps {
        [Step::Attr(a)] => Cow::Borrowed(a.as_str()),
        _ => {
            let mut s = String::new();
            for (i, step) in steps.iter().enumerate() {
                match step {
                    Step::Attr(a) => {
                        if i > 0 {
                            s.push('.');
                        }
                        s.push_str(a);
                    }
                    Step::Index(n) => {
                        s.push('[');
                        s.push_str(&n.to_string());
                        s.push(']');
                    }
                }
            }
            Cow::Owned(s)
        }
    }
}

/// An attribute's `Fn::Sub` text for the resource `id`.
fn expand_sub(text: &str, id: &str) -> String {
    let mut out = String::with_capacity(text.len() + id.len() * 2);
    let mut rest = text;
    while let Some(pos) = rest.find("${") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let end = after.find('}').unwrap_or(after.len());
        let name = &after[..end];
        out.push_str("${");
        if name == "Ref" {
            out.push_str(id);
        } else if name.starts_with("AWS::") {
            out.push_str(name);
        } else {
            out.push_str(id);
            out.push('.');
            out.push_str(name);
        }
        out.push('}');
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn resolve_attr<'x>(id: &'x str, attr: &'x Attr) -> Resolved<'x> {
    match attr {
        Attr::Name(n) if n == "Ref" => Resolved::Ref(id),
        Attr::Name(n) => Resolved::GetAtt(id, n, false),
        Attr::Spec(s) => {
            if let Some(n) = &s.getatt {
                Resolved::GetAtt(id, n, s.list)
            } else if let Some(t) = &s.sub {
                Resolved::Sub(expand_sub(t, id))
            } else if let Some(c) = &s.value {
                Resolved::Const(c)
            } else {
                Resolved::Ref(id)
            }
        }
    }
}

/// The name suffix of [`Transform::Prefix`]: the last group of the stack's UUID (12 hex digits),
/// so names stay unique per stack and stable across updates.
fn stack_suffix<'n>() -> Node<'n> {
    let select = |i: u64, list: Node<'n>| {
        Node::single(
            "Fn::Select",
            Node::Array(vec![Node::Number(i.into()), list]),
        )
    };
    let split =
        |sep: &'static str, s: Node<'n>| Node::single("Fn::Split", Node::Array(vec![text(sep), s]));
    let stack_id = Node::single("Ref", text("AWS::StackId"));
    select(4, split("-", select(2, split("/", stack_id))))
}

impl<'a> Lowering<'a> {
    fn type_name(&self, index: usize) -> &str {
        self.bp
            .resource_info(index)
            .map(|i| i.type_name.as_str())
            .unwrap_or_default()
    }

    /// The first logical ID of a resource (or of the resource it is folded into).
    fn own_id(&self, index: usize) -> Option<&'a str> {
        match self.placements.get(index)? {
            Placement::Own(ids) => self.ids.slice(ids).next(),
            Placement::Folded(t) => self.own_id(*t),
        }
    }

    /// What a reference is in CloudFormation.
    fn resolve(&self, r: &Reference, at: &At<'_>) -> Result<Resolved<'a>> {
        let (name, index, attribute) = match r {
            Reference::Variable { name } => {
                return match self.params.get(name.as_str()) {
                    Some(id) => Ok(Resolved::Ref(id)),
                    None => Err(unmapped(
                        Code::UnknownReference,
                        at,
                        format!("no variable `{name}`"),
                    )),
                }
            }
            Reference::Resource {
                name,
                index,
                attribute,
            } => (name, index, attribute),
        };
        let target = self
            .bp
            .index_of(name)
            .ok_or_else(|| unmapped(Code::UnknownReference, at, format!("no resource `{name}`")))?;
        let key = attribute_key(attribute);
        let tm = self.type_maps.get(target).copied().flatten();
        match self.placements.get(target) {
            Some(Placement::Own(ids)) => {
                let n = index.unwrap_or(0) as usize;
                let id = self.ids.slice(ids).nth(n).ok_or_else(|| {
                    unmapped(
                        Code::UnknownReference,
                        at,
                        format!("`{r}`: `{name}` has no instance {n}"),
                    )
                })?;
                match tm.and_then(|m| m.attributes.get(key.as_ref())) {
                    Some(attr) => Ok(resolve_attr(id, attr)),
                    None => Err(self.unknown_attribute(target, &key, at)),
                }
            }
            Some(Placement::Folded(into)) => {
                let known = tm
                    .and_then(|m| m.merge.as_ref())
                    .and_then(|m| m.attributes.get(key.as_ref()));
                match (known, self.own_id(*into)) {
                    (Some(attr), Some(id)) => Ok(resolve_attr(id, attr)),
                    _ => {
                        let into_name = self
                            .bp
                            .resources()
                            .get(*into)
                            .map(|r| r.name.as_str())
                            .unwrap_or("?");
                        Err(unmapped(
                            Code::UnmappedAttribute,
                            at,
                            format!(
                                "`{name}` ({}) is a property of `{into_name}` in {FORMAT}, so its attribute `{key}` cannot be referenced",
                                self.type_name(target)
                            ),
                        ))
                    }
                }
            }
            None => Err(unmapped(
                Code::UnknownReference,
                at,
                format!("no resource `{name}`"),
            )),
        }
    }

    fn unknown_attribute(&self, target: usize, key: &str, at: &At<'_>) -> Error {
        let available: Vec<&str> = self
            .type_maps
            .get(target)
            .copied()
            .flatten()
            .map(|m| m.attributes.keys().map(String::as_str).collect())
            .unwrap_or_default();
        unmapped(
            Code::UnmappedAttribute,
            at,
            no_attribute(key, self.type_name(target), FORMAT, &available),
        )
    }

    /// The tags of `r`: the blueprint's default tags (literal text) merged with the resource's
    /// own (templates), its own winning, in key order.
    fn tags(
        &self,
        r: &'a crate::blueprint::Resource,
        tag_arg: &str,
        at: &At<'_>,
    ) -> Result<Vec<(&'a str, Node<'a>)>> {
        let defaults = &self.bp.blueprint().tags;
        let own = r.properties.get(tag_arg).and_then(Value::as_object);
        let mut out = Vec::with_capacity(defaults.len() + own.map_or(0, Map::len));
        let mut d = defaults.iter().peekable();
        let mut o = own
            .into_iter()
            .flatten()
            .filter(|(_, v)| !v.is_null())
            .peekable();
        loop {
            let dk: Option<&'a str> = d.peek().map(|&(k, _)| k.as_str());
            let ok: Option<&'a str> = o.peek().map(|&(k, _)| k.as_str());
            let take_own = match (dk, ok) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some(dk), Some(ok)) => {
                    if dk == ok {
                        // The resource's own tag replaces the default one.
                        d.next();
                    }
                    ok <= dk
                }
            };
            if take_own {
                if let Some((k, v)) = o.next() {
                    // Tag values are strings in every cloud (`Tier: 2` is the tag "2").
                    out.push((k.as_str(), stringify(self.value(v, &at.key(k))?)));
                }
            } else if let Some((k, v)) = d.next() {
                out.push((k.as_str(), text(v)));
            }
        }
        Ok(out)
    }

    /// A blueprint string: literal, a single reference, or `Fn::Sub` for mixed text.
    fn string<'s>(&self, s: &'s str, at: &At<'_>) -> Result<Node<'s>>
    where
        'a: 's,
    {
        if !has_markers(s) {
            return Ok(text(s));
        }
        let t =
            Template::parse(s).map_err(|e| unmapped(Code::MalformedReference, at, e.message))?;
        self.template(&t, at)
    }

    fn template<'s>(&self, t: &Template, at: &At<'_>) -> Result<Node<'s>>
    where
        'a: 's,
    {
        if let Some(text) = t.literal_text() {
            return Ok(Node::owned(text));
        }
        if let [Part::Ref(r)] = t.parts.as_slice() {
            return Ok(self.resolve(r, at)?.into_node());
        }
        let mut sub = String::with_capacity(64);
        for part in &t.parts {
            match part {
                // In Fn::Sub a literal `${` is written `${!`.
                Part::Literal(l) => push_sub_literal(&mut sub, l),
                Part::Ref(r) => match self.resolve(r, at)? {
                    Resolved::Ref(id) => {
                        sub.push_str("${");
                        sub.push_str(id);
                        sub.push('}');
                    }
                    Resolved::GetAtt(id, attr, false) => {
                        sub.push_str("${");
                        sub.push_str(id);
                        sub.push('.');
                        sub.push_str(attr);
                        sub.push('}');
                    }
                    Resolved::GetAtt(_, _, true) => {
                        return Err(unmapped(
                            Code::UnmappedAttribute,
                            at,
                            format!("`{r}` is a list in {FORMAT}; it cannot be part of a string"),
                        ))
                    }
                    Resolved::Sub(text) => sub.push_str(&text),
                    Resolved::Const(c) => push_sub_literal(&mut sub, c),
                },
            }
        }
        Ok(Node::single("Fn::Sub", Node::owned(sub)))
    }

    /// A blueprint value: strings through [`Self::string`], nulls left out of objects.
    fn value<'s>(&self, v: &'s Value, at: &At<'_>) -> Result<Node<'s>>
    where
        'a: 's,
    {
        Ok(match v {
            Value::String(s) => self.string(s, at)?,
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.value(item, &At::Index(at, i))?);
                }
                Node::Array(out)
            }
            Value::Object(m) => {
                // The blueprint's map is sorted already: entries are pushed in order.
                let mut out = NodeMap::with_capacity(m.len());
                for (k, v) in m {
                    if !v.is_null() {
                        out.insert(k.as_str(), self.value(v, &at.key(k))?);
                    }
                }
                Node::Object(out)
            }
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
        })
    }

    /// A JSON document parsed from a blueprint string: its strings may hold references (they
    /// become `Ref`/`Fn::GetAtt`/`Fn::Sub`); keys are literal text.
    fn json_doc<'s>(&self, v: &Value, at: &At<'_>) -> Result<Node<'s>>
    where
        'a: 's,
    {
        Ok(match v {
            Value::String(s) if !has_markers(s) => Node::owned(s.clone()),
            Value::String(s) => {
                let t = Template::parse(s)
                    .map_err(|e| unmapped(Code::MalformedReference, at, e.message))?;
                self.template(&t, at)?
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.json_doc(item, &At::Index(at, i))?);
                }
                Node::Array(out)
            }
            Value::Object(m) => {
                let mut out = NodeMap::with_capacity(m.len());
                for (k, v) in m {
                    let key = if has_markers(k) {
                        let t = Template::parse(k)
                            .map_err(|e| unmapped(Code::MalformedReference, at, e.message))?;
                        t.literal_text().ok_or_else(|| {
                            unmapped(
                                Code::UnmappedProperty,
                                at,
                                format!("the key `{k}` of a JSON document holds a reference; {FORMAT} takes references in values only"),
                            )
                        })?
                    } else {
                        k.clone()
                    };
                    out.insert(key, self.json_doc(v, &at.key(k))?);
                }
                Node::Object(out)
            }
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
        })
    }

    /// Maps the arguments `props` of a block with `specs` into `out` (resource attributes such
    /// as `DeletionPolicy` into `attrs`); `skip` is an argument already handled elsewhere.
    #[allow(clippy::too_many_arguments)]
    fn block<'s>(
        &self,
        type_name: &str,
        props: &'s Map<String, Value>,
        specs: &'static ArgMap<Prop>,
        out: &mut NodeMap<'s>,
        attrs: &mut Extra<'s>,
        at: &At<'_>,
        skip: Option<&str>,
    ) -> Result<()>
    where
        'a: 's,
    {
        for (k, v) in props {
            if v.is_null() || Some(k.as_str()) == skip {
                continue;
            }
            let here = at.key(k);
            let Some(prop) = specs.get(k) else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &here,
                    no_mapping(k, type_name, FORMAT),
                ));
            };
            match prop {
                Prop::Name(name) => {
                    let value = self.value(v, &here)?;
                    insert_checked(out, name, value, type_name, k, &here)?;
                }
                Prop::Text(name) => {
                    let value = stringify(self.value(v, &here)?);
                    insert_checked(out, name, value, type_name, k, &here)?;
                }
                Prop::Spec(spec) => self.spec(type_name, k, v, spec, out, attrs, &here)?,
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn spec<'s>(
        &self,
        type_name: &str,
        k: &'s str,
        v: &'s Value,
        spec: &'static Spec,
        out: &mut NodeMap<'s>,
        attrs: &mut Extra<'s>,
        at: &At<'_>,
    ) -> Result<()>
    where
        'a: 's,
    {
        if let Some(reason) = &spec.unmapped {
            return Err(unmapped(
                Code::UnmappedProperty,
                at,
                no_equivalent(k, type_name, FORMAT, reason),
            ));
        }
        if spec.implied.is_some() {
            return Ok(());
        }
        if let Some(neutral) = &spec.ignore_if {
            if v == neutral {
                return Ok(());
            }
            if spec.to.is_none() && spec.deletion_policy.is_none() && spec.values.is_none() {
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
            let key = literal_key(v);
            let Some(policy) = policies.get(key.as_ref()) else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!("argument `{k}` of {type_name}: {key} has no {FORMAT} deletion policy"),
                ));
            };
            attrs.attrs.insert("DeletionPolicy", text(policy));
            attrs.attrs.insert("UpdateReplacePolicy", text(policy));
            return Ok(());
        }
        let to = spec.to.as_deref().unwrap_or(k);
        let mut mapped = if let Some(values) = &spec.values {
            let key = literal_key(v);
            match values.get(key.as_ref()) {
                Some(mapped) => Node::from_value(mapped),
                None => {
                    let known: Vec<&str> = values.keys().map(String::as_str).collect();
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        at,
                        format!(
                            "argument `{k}` of {type_name}: {key} has no {FORMAT} equivalent (mapped values: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        } else if spec.empty_block {
            let empty = match v {
                Value::Object(m) => m.values().all(Value::is_null),
                Value::Array(items) => items.iter().all(|i| {
                    i.as_object()
                        .is_some_and(|m| m.values().all(Value::is_null))
                }),
                _ => false,
            };
            if !empty {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!(
                        "argument `{k}` of {type_name} is an empty block (`{k} {{}}`) in {FORMAT}"
                    ),
                ));
            }
            Node::Object(NodeMap::new())
        } else if !spec.fields.is_empty() {
            self.nested(type_name, k, v, spec, attrs, at)?
        } else if let Some(kv) = &spec.map_of {
            self.map_of(type_name, k, v, kv, at)?
        } else if let Some(kv) = &spec.from_map {
            let Value::Object(m) = v else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!("argument `{k}` of {type_name} must be a map"),
                ));
            };
            let mut list = Vec::with_capacity(m.len());
            for (key, item) in m {
                if item.is_null() {
                    continue;
                }
                let mut o = NodeMap::with_capacity(2);
                o.insert(kv.key.as_str(), text(key));
                o.insert(kv.value.as_str(), self.value(item, &at.key(key))?);
                list.push(Node::Object(o));
            }
            Node::Array(list)
        } else if spec.transform == Some(Transform::Json) {
            match v {
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(doc) => self.json_doc(&doc, at)?,
                    Err(_) => self.string(s, at)?,
                },
                other => self.value(other, at)?,
            }
        } else {
            self.value(v, at)?
        };
        if spec.single {
            if let Node::Array(items) = &mut mapped {
                if items.len() != 1 {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        at,
                        format!(
                            "argument `{k}` of {type_name} holds {} values; {FORMAT} takes one per resource (use one resource per value)",
                            items.len()
                        ),
                    ));
                }
                mapped = items.pop().unwrap_or(Node::Null);
            }
        }
        mapped = match spec.transform {
            Some(Transform::Base64) => Node::single("Fn::Base64", mapped),
            Some(Transform::String) => stringify(mapped),
            Some(Transform::Bool) => boolify(mapped),
            Some(Transform::Prefix) => Node::single(
                "Fn::Join",
                Node::Array(vec![text(""), Node::Array(vec![mapped, stack_suffix()])]),
            ),
            Some(Transform::Json) | None => mapped,
        };
        if let Some(wrap) = &spec.wrap {
            let wrap_one = |item: Node<'s>| {
                let mut o = NodeMap::with_capacity(spec.with.len() + 1);
                for (wk, wv) in &spec.with {
                    o.insert(wk.as_str(), Node::from_value(wv));
                }
                o.insert(wrap.as_str(), item);
                Node::Object(o)
            };
            mapped = match mapped {
                Node::Array(items) if spec.each => {
                    Node::Array(items.into_iter().map(wrap_one).collect())
                }
                other => wrap_one(other),
            };
        }
        if spec.list && spec.fields.is_empty() && !mapped.is_array() {
            mapped = Node::Array(vec![mapped]);
        }
        if let Some(c) = &spec.companion {
            attrs.companions.push((c, mapped));
            return Ok(());
        }
        let target = if spec.attribute {
            &mut attrs.attrs
        } else {
            out
        };
        if to == "." {
            let items = match mapped {
                Node::Object(m) => vec![m],
                Node::Array(items) => items
                    .into_iter()
                    .filter_map(|i| match i {
                        Node::Object(m) => Some(m),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for m in items {
                for (key, value) in m {
                    // Lists written by several arguments (attribute lists) are concatenated.
                    match (target.get_mut(&key), value) {
                        (Some(Node::Array(existing)), Node::Array(more)) => existing.extend(more),
                        (_, value) => insert_checked(target, key, value, type_name, k, at)?,
                    }
                }
            }
        } else if spec.append {
            append_path(target, to, mapped, type_name, k, at)?;
        } else {
            insert_checked(target, to, mapped, type_name, k, at)?;
        }
        for (key, value) in &spec.set {
            insert_checked(target, key, Node::from_value(value), type_name, k, at)?;
        }
        Ok(())
    }

    /// A nested block (an object, or a list of objects) mapped with `spec.fields`.
    fn nested<'s>(
        &self,
        type_name: &str,
        k: &str,
        v: &'s Value,
        spec: &'static Spec,
        attrs: &mut Extra<'s>,
        at: &At<'_>,
    ) -> Result<Node<'s>>
    where
        'a: 's,
    {
        let items = blocks(v, k, type_name).map_err(|m| unmapped(Code::UnmappedProperty, at, m))?;
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items {
            let item_at = match i {
                Some(i) => At::Index(at, i),
                None => *at,
            };
            if spec.split.is_empty() {
                list.push(self.nested_item(type_name, item, spec, attrs, &item_at)?);
            } else {
                for one in split(item, &spec.split) {
                    // A split item is a copy: what it gives is copied out of it.
                    let mut scratch = Extra::default();
                    let obj = self
                        .nested_item(type_name, &one, spec, &mut scratch, &item_at)?
                        .into_owned();
                    list.push(obj);
                    for (k2, v2) in scratch.attrs {
                        attrs
                            .attrs
                            .insert(Cow::Owned(k2.into_owned()), v2.into_owned());
                    }
                    for (c, v2) in scratch.companions {
                        attrs.companions.push((c, v2.into_owned()));
                    }
                }
            }
        }
        let as_list = spec.list || !spec.split.is_empty();
        Ok(match (as_list, list.len()) {
            (false, 1) => list.pop().unwrap_or(Node::Null),
            _ => Node::Array(list),
        })
    }

    /// One item of a nested block.
    fn nested_item<'s>(
        &self,
        type_name: &str,
        item: &'s Map<String, Value>,
        spec: &'static Spec,
        attrs: &mut Extra<'s>,
        at: &At<'_>,
    ) -> Result<Node<'s>>
    where
        'a: 's,
    {
        let mut obj = NodeMap::with_capacity(item.len());
        self.block(type_name, item, &spec.fields, &mut obj, attrs, at, None)?;
        if !spec.defaults.is_empty() && !spec.defaults_unless.iter().any(|u| obj.contains_key(u)) {
            for (dk, dv) in &spec.defaults {
                if !obj.contains_key(dk) {
                    obj.insert(dk.as_str(), Node::from_value(dv));
                }
            }
        }
        Ok(Node::Object(obj))
    }

    /// A list of `{key, value}` blocks as a map.
    fn map_of<'s>(
        &self,
        type_name: &str,
        k: &str,
        v: &'s Value,
        kv: &KeyValue,
        at: &At<'_>,
    ) -> Result<Node<'s>>
    where
        'a: 's,
    {
        let items: Vec<&'s Value> = match v {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![v],
            _ => Vec::new(),
        };
        let mut out = NodeMap::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let item_at = At::Index(at, i);
            let Some(m) = item.as_object() else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &item_at,
                    format!("argument `{k}` of {type_name} must be a list of blocks"),
                ));
            };
            if let Some(extra) = m
                .iter()
                .find(|(f, x)| !x.is_null() && **f != kv.key && **f != kv.value)
            {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &item_at.key(extra.0),
                    format!(
                        "argument `{}` of {type_name}.{k} has no {FORMAT} equivalent ({FORMAT} holds only {} and {})",
                        extra.0, kv.key, kv.value
                    ),
                ));
            }
            let key: Str<'s> = match m.get(&kv.key) {
                Some(Value::String(s)) if !has_markers(s) => Cow::Borrowed(s.as_str()),
                Some(Value::String(s)) => match self.string(s, &item_at.key(&kv.key))? {
                    Node::String(text) => text,
                    _ => {
                        return Err(unmapped(
                            Code::UnmappedProperty,
                            &item_at.key(&kv.key),
                            format!(
                                "`{}` becomes a {FORMAT} map key, so it cannot hold a reference",
                                kv.key
                            ),
                        ))
                    }
                },
                Some(other) => Cow::Owned(literal_key(other).into_owned()),
                None => {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        &item_at,
                        format!("each `{k}` of {type_name} needs `{}`", kv.key),
                    ))
                }
            };
            let value = match m.get(&kv.value) {
                Some(x) => self.value(x, &item_at.key(&kv.value))?,
                None => Node::Null,
            };
            out.insert(key, value);
        }
        Ok(Node::Object(out))
    }
}

/// A `${` in literal text of an `Fn::Sub` is written `${!`.
fn push_sub_literal(out: &mut String, text: &str) {
    if text.contains("${") {
        out.push_str(&text.replace("${", "${!"));
    } else {
        out.push_str(text);
    }
}

/// The text of a literal value, used as a lookup key (`true`, `42`, `internal`).
fn literal_key(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        other => Cow::Owned(other.to_string()),
    }
}

fn stringify(v: Node<'_>) -> Node<'_> {
    match v {
        Node::Number(n) => Node::owned(crate::blueprint::number_text(&n)),
        Node::Bool(true) => text("true"),
        Node::Bool(false) => text("false"),
        Node::Array(items) => Node::Array(items.into_iter().map(stringify).collect()),
        // A map of user data (`Prop::Text` of a `map(string)`); an intrinsic function
        // (`{"Fn::Select": [0, ...]}`) keeps its arguments as they are.
        Node::Object(map) if !is_intrinsic(&map) => Node::Object(map.map_values(stringify)),
        other => other,
    }
}

/// `{"Ref": ...}`, `{"Fn::...": ...}` or `{"Condition": ...}`: one key naming a function.
fn is_intrinsic(map: &NodeMap<'_>) -> bool {
    map.len() == 1
        && map.entries().any(|(k, _)| {
            let k: &str = k.as_ref();
            k == "Ref" || k == "Condition" || k.starts_with("Fn::")
        })
}

fn boolify(v: Node<'_>) -> Node<'_> {
    match v {
        Node::String(s) if s.eq_ignore_ascii_case("true") => Node::Bool(true),
        Node::String(s) if s.eq_ignore_ascii_case("false") => Node::Bool(false),
        other => other,
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

/// The first key of a dotted path and the rest, borrowed as the path is.
fn split_path<'s>(path: &Str<'s>) -> Option<(Str<'s>, Str<'s>)> {
    match path {
        Cow::Borrowed(p) => p
            .split_once('.')
            .map(|(h, r)| (Cow::Borrowed(h), Cow::Borrowed(r))),
        Cow::Owned(p) => p
            .split_once('.')
            .map(|(h, r)| (Cow::Owned(h.to_string()), Cow::Owned(r.to_string()))),
    }
}

/// The object at a dotted path (`Ebs.VolumeSize` → the `Ebs` object), created on the way, and
/// the last key. Keys borrow the path when it is borrowed (the mapping data's paths are).
fn parent_of<'m, 's>(
    out: &'m mut NodeMap<'s>,
    path: Str<'s>,
    type_name: &str,
    arg: &str,
    at: &At<'_>,
) -> Result<(&'m mut NodeMap<'s>, Str<'s>)> {
    match split_path(&path) {
        None => Ok((out, path)),
        Some((head, rest)) => {
            let entry = out.get_or_insert_with(head.clone(), || Node::Object(NodeMap::new()));
            match entry {
                Node::Object(m) => parent_of(m, rest, type_name, arg, at),
                _ => Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!("argument `{arg}` of {type_name} writes inside {FORMAT} property {head}, which another argument sets as a whole"),
                )),
            }
        }
    }
}

/// Inserts at a dotted path; two arguments giving one property different values is an error.
fn insert_checked<'s>(
    out: &mut NodeMap<'s>,
    path: impl Into<Str<'s>>,
    value: Node<'s>,
    type_name: &str,
    arg: &str,
    at: &At<'_>,
) -> Result<()> {
    let path: Str<'s> = path.into();
    let (parent, key) = parent_of(out, path.clone(), type_name, arg, at)?;
    match parent.get_mut(&key) {
        None => {
            parent.insert(key, value);
            Ok(())
        }
        Some(existing) if *existing == value => Ok(()),
        Some(Node::Object(existing)) if value.is_object() => {
            // Two arguments filling different fields of one object.
            if let Node::Object(m) = value {
                for (k, v) in m {
                    match existing.get(&k) {
                        Some(e) if *e != v => {
                            return Err(conflict(&path, type_name, arg, at));
                        }
                        _ => {
                            existing.insert(k, v);
                        }
                    }
                }
            }
            Ok(())
        }
        Some(_) => Err(conflict(&path, type_name, arg, at)),
    }
}

fn conflict(path: &str, type_name: &str, arg: &str, at: &At<'_>) -> Error {
    unmapped(
        Code::UnmappedProperty,
        at,
        format!("argument `{arg}` of {type_name} sets {FORMAT} property {path}, which another argument sets to a different value; {FORMAT} holds one"),
    )
}

/// Appends to the list at a dotted path.
fn append_path<'s>(
    out: &mut NodeMap<'s>,
    path: &'s str,
    value: Node<'s>,
    type_name: &str,
    arg: &str,
    at: &At<'_>,
) -> Result<()> {
    let (parent, key) = parent_of(out, Cow::Borrowed(path), type_name, arg, at)?;
    match parent.get_or_insert_with(key, || Node::Array(Vec::new())) {
        Node::Array(items) => {
            items.push(value);
            Ok(())
        }
        _ => Err(conflict(path, type_name, arg, at)),
    }
}

/// CloudFormation parameter type and default of a variable.
fn parameter<'s>(v: &'s crate::blueprint::Variable, path: &str) -> Result<NodeMap<'s>> {
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
    let mut p = NodeMap::new();
    let (cfn_type, default) = match (&ty, &v.default) {
        (VarType::String, d) => ("String", d.as_ref().map(string_of)),
        (VarType::Number, d) => ("Number", d.as_ref().map(string_of)),
        (VarType::Bool, d) => {
            p.insert(
                "AllowedValues",
                Node::Array(vec![text("true"), text("false")]),
            );
            ("String", d.as_ref().map(string_of))
        }
        (VarType::List(inner) | VarType::Set(inner), d) => {
            let t = match **inner {
                VarType::Number => "List<Number>",
                VarType::String => "CommaDelimitedList",
                _ => "",
            };
            let joined = d.as_ref().and_then(Value::as_array).map(|items| {
                Node::owned(
                    items
                        .iter()
                        .map(|i| match i {
                            Value::String(s) => s.clone(),
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
    p.insert("Type", text(cfn_type));
    if let Some(d) = default {
        p.insert("Default", d);
    }
    if let Some(desc) = &v.description {
        p.insert("Description", text(desc));
    }
    if v.sensitive {
        p.insert("NoEcho", Node::Bool(true));
    }
    Ok(p)
}

fn string_of(v: &Value) -> Node<'_> {
    match v {
        Value::String(s) => text(s),
        other => Node::owned(other.to_string()),
    }
}

/// The resource a folded type's `via` argument points at, with the reference (when `when` is
/// set, only a reference to that attribute counts).
fn fold_target(
    bp: &CheckedBlueprint,
    props: &Map<String, Value>,
    merge: &Merge,
) -> Option<(usize, Reference)> {
    let text = props.get(&merge.via)?.as_str()?;
    let t = Template::parse(text).ok()?;
    let r = t.as_single_reference()?.clone();
    let Reference::Resource { name, .. } = &r else {
        return None;
    };
    if let Some(w) = &merge.when {
        if r.attribute_name() != Some(w.as_str()) {
            return None;
        }
    }
    Some((bp.index_of(name)?, r))
}

/// Whether `to` can be reached from `from` along dependencies, with folded resources standing
/// for the resource they are folded into.
fn reaches(bp: &CheckedBlueprint, rep: &[usize], from: usize, to: usize) -> bool {
    let mut seen = vec![false; rep.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        let r = rep.get(i).copied().unwrap_or(i);
        if r == to {
            return true;
        }
        if std::mem::replace(seen.get_mut(i).unwrap_or(&mut true), true) {
            continue;
        }
        // A folded resource's edges are its target's, and the target carries theirs.
        let members: Vec<usize> = (0..rep.len()).filter(|&j| rep.get(j) == Some(&r)).collect();
        for m in members {
            if let Some(s) = seen.get_mut(m) {
                *s = true;
            }
            for d in bp.graph().dependencies(m) {
                let rd = rep.get(d).copied().unwrap_or(d);
                if rd != r {
                    stack.push(d);
                }
            }
        }
    }
    false
}

/// Lowers the blueprint to a CloudFormation template.
pub(crate) fn plan(bp: &CheckedBlueprint) -> Result<Plan<'_>> {
    let map = mapping()?;
    let doc = bp.blueprint();
    let n = doc.resources.len();
    // One logical ID per resource in most blueprints (companions and `count` grow it).
    let mut ns = Namespace::with_capacity(doc.variables.len() + n);
    let mut l = Plan {
        type_maps: Vec::with_capacity(n),
        tag_args: Vec::with_capacity(n),
        placements: Vec::with_capacity(n),
        ids: IdList::with_capacity(n + n / 8),
        params: HashMap::new(),
        fold_refs: Vec::new(),
        companions: Vec::new(),
    };
    let mut findings = Vec::new();

    // Names first: parameters and logical IDs share one namespace.
    for (i, v) in doc.variables.iter().enumerate() {
        let id = ns.claim_item(pascal_case(&v.name), "variables", i)?;
        l.params.insert(&v.name, id);
    }
    let mut fold_refs: Vec<(usize, Reference)> = Vec::new();
    // Logical IDs of companion resources, per resource that has some.
    let mut companions: Vec<(usize, Range<usize>)> = Vec::new();
    // The mapping of each type met so far, by the address of its catalog entry (one type name
    // per entry): finding it by name would read every resource's type-name string, one more
    // cache line per resource in a blueprint bigger than the cache.
    // The tag argument depends on the type alone, so the first resource's string serves all.
    type PerType<'t> = (Option<&'static TypeMap>, Option<&'t str>);
    let mut by_entry: HashMap<usize, PerType<'_>, FxBuildHasher> = HashMap::default();
    for (i, r, info) in bp.iter() {
        let own = || (map.types.get(&info.type_name), info.tag_argument.as_deref());
        let (mut tm, tag_arg) = match bp.catalog_entry(i) {
            Some(entry) => *by_entry
                .entry(std::ptr::from_ref(entry) as usize)
                .or_insert_with(own),
            None => own(),
        };
        l.tag_args.push(tag_arg);
        if let Some(v) = tm.and_then(|t| t.variants.as_ref()) {
            let chosen = r
                .properties
                .get(&v.by)
                .map(literal_key)
                .and_then(|k| v.values.get(k.as_ref()));
            if chosen.is_none() {
                let known: Vec<&str> = v.values.keys().map(String::as_str).collect();
                findings.push(Finding::error(
                    Code::UnmappedProperty,
                    format!("resources[{i}].properties.{}", v.by),
                    format!(
                        "{} maps to {FORMAT} by `{}`, which must be one of {}",
                        info.type_name,
                        v.by,
                        known.join(", ")
                    ),
                ));
            }
            tm = chosen;
        }
        l.type_maps.push(tm);
        let Some(tm) = tm else {
            if map
                .types
                .get(&info.type_name)
                .is_some_and(|t| t.variants.is_some())
            {
                l.placements.push(Placement::Own(0..0));
                continue;
            }
            let mut supported: Vec<&str> = map.types.keys().map(String::as_str).collect();
            supported.truncate(60);
            findings.push(Finding::error(
                Code::UnmappedType,
                format!("resources[{i}].type"),
                format!(
                    "resource type {} has no {FORMAT} mapping (mapped types: {}, ...)",
                    info.type_name,
                    supported.join(", ")
                ),
            ));
            l.placements.push(Placement::Own(0..0));
            continue;
        };
        if let Some(merge) = &tm.merge {
            match fold_target(bp, &r.properties, merge) {
                Some((t, reference)) if r.count.is_none() => {
                    l.placements.push(Placement::Folded(t));
                    fold_refs.push((i, reference));
                    continue;
                }
                _ if tm.cfn_type.is_some() => {}
                _ => {
                    findings.push(Finding::error(
                        Code::UnmappedProperty,
                        format!("resources[{i}].properties.{}", merge.via),
                        format!(
                            "{} is a property of another resource in {FORMAT}: `{}` must reference that resource (and the resource takes no count)",
                            info.type_name, merge.via
                        ),
                    ));
                    l.placements.push(Placement::Own(0..0));
                    continue;
                }
            }
        }
        let base = pascal_case(bp.resource_name(i).unwrap_or(&r.name));
        let first = l.ids.len();
        match r.count {
            None => l.ids.push(&ns.claim_item(base, "resources", i)?),
            Some(c) => {
                for k in 0..c {
                    l.ids
                        .push(&ns.claim_item(format!("{base}{k}"), "resources", i)?);
                }
            }
        }
        let ids = first..l.ids.len();
        let first_companion = l.ids.len();
        for &(k, c) in tm.companion_args() {
            if r.properties.get(k).is_some_and(|v| !v.is_null()) {
                for n in ids.clone() {
                    let id = format!("{}{}", l.ids.get(n).unwrap_or_default(), c.suffix);
                    l.ids.push(&ns.claim_item(id, "resources", i)?);
                }
            }
        }
        if l.ids.len() > first_companion {
            companions.push((i, first_companion..l.ids.len()));
        }
        l.placements.push(Placement::Own(ids));
    }
    if !findings.is_empty() {
        return Err(Error::new(ErrorKind::Generate, findings));
    }
    // A resource folded into a resource that is itself folded has nowhere to go.
    for (i, p) in l.placements.iter().enumerate() {
        if let Placement::Folded(t) = p {
            if matches!(l.placements.get(*t), Some(Placement::Folded(_))) {
                let via = l
                    .type_maps
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|m| m.merge.as_ref())
                    .map(|m| m.via.as_str())
                    .unwrap_or_default();
                return Err(gen_error(
                    Code::UnmappedProperty,
                    format!("resources[{i}].properties.{via}"),
                    format!(
                        "{} must reference a resource that exists on its own in {FORMAT}",
                        bp.resource_info(i)
                            .map(|x| x.type_name.as_str())
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }

    l.fold_refs = fold_refs;
    l.companions = companions;
    Ok(l)
}

/// A resource's lowered body: its `Properties` and what its arguments give besides.
type Body<'b> = (NodeMap<'b>, Extra<'b>);

/// What a resource puts in the template's `Resources` (see [`Steps::entries`]).
enum Entry<'b> {
    /// A companion resource, with its logical ID.
    Companion(&'b str, Node<'b>),
    /// The resource, once for all its instances: the range of their logical IDs in the plan's
    /// [`IdList`].
    Instances(Range<usize>, Node<'b>),
}

/// A folded resource's value, ready to go into its target's properties.
struct Fold<'b> {
    index: usize,
    target: usize,
    merge: &'static Merge,
    property: &'static str,
    value: Node<'b>,
}

/// The steps of a lowering, one resource at a time: [`lower`] takes them phase by phase (every
/// body, then every fold, ...), [`write_template`] resource by resource, in the order of the
/// template, writing each one as soon as it is lowered.
struct Steps<'a> {
    l: Lowering<'a>,
    fold_refs: &'a [(usize, Reference)],
    companions: &'a [(usize, Range<usize>)],
    /// Per resource: the resource it stands for (its fold target, or itself).
    rep: Vec<usize>,
    /// Per fold target: the resources folded into it, in blueprint order.
    folded_into: HashMap<usize, Vec<usize>>,
    any_companions: bool,
}

impl<'a> Steps<'a> {
    fn new(bp: &'a CheckedBlueprint, plan: &'a Plan<'a>) -> Self {
        let l = Lowering {
            bp,
            type_maps: &plan.type_maps,
            tag_args: &plan.tag_args,
            placements: &plan.placements,
            ids: &plan.ids,
            params: &plan.params,
        };
        let n = bp.blueprint().resources.len();
        let rep = (0..n)
            .map(|i| match l.placements.get(i) {
                Some(Placement::Folded(t)) => *t,
                _ => i,
            })
            .collect();
        let mut folded_into: HashMap<usize, Vec<usize>> = HashMap::new();
        for (j, p) in l.placements.iter().enumerate() {
            if let Placement::Folded(t) = p {
                folded_into.entry(*t).or_default().push(j);
            }
        }
        Steps {
            l,
            fold_refs: &plan.fold_refs,
            companions: &plan.companions,
            rep,
            folded_into,
            any_companions: !plan.companions.is_empty(),
        }
    }

    fn has_folds(&self) -> bool {
        !self.folded_into.is_empty()
    }

    /// Whether resource `i` has a body: it is its own resource, of a mapped type.
    fn has_body(&self, i: usize) -> bool {
        matches!(
            (self.l.placements.get(i), self.l.type_maps.get(i)),
            (Some(Placement::Own(_)), Some(Some(_)))
        )
    }

    /// The body of resource `i` (`None` when it has none: folded, or unmapped).
    fn body(&self, i: usize) -> Result<Option<Body<'a>>> {
        let l = &self.l;
        let (Some(Placement::Own(_)), Some(Some(tm)), Some(r), Some(info)) = (
            l.placements.get(i),
            l.type_maps.get(i),
            l.bp.resources().get(i),
            l.bp.resource_info(i),
        ) else {
            return Ok(None);
        };
        let at = At::Props(i);
        let mut props = NodeMap::with_capacity(r.properties.len() + 2);
        let mut attrs = Extra::default();
        let tag_arg = l.tag_args.get(i).copied().flatten().unwrap_or("tags");
        let skip = tm.tags.as_ref().map(|_| tag_arg);
        l.block(
            &info.type_name,
            &r.properties,
            &tm.properties,
            &mut props,
            &mut attrs,
            &at,
            skip,
        )?;
        for (k, v) in &tm.defaults {
            // An empty list is no value (`egress = []`: no egress rule, like none given).
            let empty = matches!(props.get(k.as_str()), Some(Node::Array(a)) if a.is_empty());
            if empty || !props.contains_key(k) {
                props.insert(k.as_str(), Node::from_value(v));
            }
        }
        if let Some(tags_map) = &tm.tags {
            let tags_at = at.key(tag_arg);
            let tags = l.tags(r, tag_arg, &tags_at)?;
            if !tags.is_empty() {
                let (style, to, item) = match tags_map {
                    Tags::Style(s) => (*s, "Tags", None),
                    Tags::Spec(s) => (s.style, s.to.as_str(), Some(&s.item)),
                };
                let value = match style {
                    TagStyle::List => Node::Array(
                        tags.into_iter()
                            .map(|(k, v)| {
                                let mut o = NodeMap::with_capacity(2);
                                o.insert("Key", text(k));
                                o.insert("Value", v);
                                Node::Object(o)
                            })
                            .collect(),
                    ),
                    TagStyle::Map => {
                        let mut m = NodeMap::with_capacity(tags.len());
                        for (k, v) in tags {
                            m.insert(k, v);
                        }
                        Node::Object(m)
                    }
                };
                let value = match item {
                    Some(item) if !item.is_empty() => {
                        let mut o = NodeMap::with_capacity(item.len() + 1);
                        for (ik, iv) in item {
                            o.insert(ik.as_str(), Node::from_value(iv));
                        }
                        o.insert("Tags", value);
                        Node::Array(vec![Node::Object(o)])
                    }
                    _ => value,
                };
                insert_checked(&mut props, to, value, &info.type_name, tag_arg, &tags_at)?;
            }
        } else if r.properties.contains_key(tag_arg) && !tm.properties.contains_key(tag_arg) {
            return Err(unmapped(
                Code::UnmappedProperty,
                &at.key(tag_arg),
                format!("{} takes no tags in {FORMAT}", info.type_name),
            ));
        }
        if r.lifecycle.prevent_destroy {
            attrs.attrs.insert("DeletionPolicy", text("Retain"));
            attrs.attrs.insert("UpdateReplacePolicy", text("Retain"));
        }
        // `ignore_changes` needs nothing: CloudFormation never reverts changes made outside it;
        // an update only applies properties whose value in the template changed.
        // `create_before_destroy` is CloudFormation's own order when it replaces a resource.
        Ok(Some((props, attrs)))
    }

    /// The value resource `i` adds to its fold target (`None` when it is not folded, or adds
    /// nothing).
    fn fold(&self, i: usize) -> Result<Option<Fold<'a>>> {
        let l = &self.l;
        let bp = l.bp;
        let (Some(Placement::Folded(target)), Some(Some(tm)), Some(r), Some(info)) = (
            l.placements.get(i),
            l.type_maps.get(i),
            bp.resources().get(i),
            bp.resource_info(i),
        ) else {
            return Ok(None);
        };
        let Some(merge) = &tm.merge else {
            return Ok(None);
        };
        let at = At::Props(i);
        let value = match &merge.append {
            Some(arg) => match r.properties.get(arg) {
                Some(v) => l.value(v, &at.key(arg))?,
                None => Node::Null,
            },
            None => {
                let mut obj = NodeMap::new();
                let mut ignored = Extra::default();
                l.block(
                    &info.type_name,
                    &r.properties,
                    &merge.fields,
                    &mut obj,
                    &mut ignored,
                    &at,
                    Some(merge.via.as_str()),
                )?;
                if let Some(from) = &merge.index_from {
                    let via_at = at.key(&merge.via);
                    let index = entry_of(self.fold_refs, i)
                        .and_then(|r| match r {
                            Reference::Resource { attribute, .. } => {
                                attribute.iter().find_map(|s| match s {
                                    Step::Index(n) => Some(*n as usize),
                                    Step::Attr(_) => None,
                                })
                            }
                            Reference::Variable { .. } => None,
                        })
                        .unwrap_or(0);
                    let target_props = bp
                        .resources()
                        .get(*target)
                        .map(|t| &t.properties)
                        .ok_or_else(|| unmapped(Code::UnknownReference, &via_at, String::new()))?;
                    let mut candidates: Vec<(&str, Option<usize>, &Value)> = Vec::new();
                    for arg in &from.arguments {
                        match target_props.get(arg) {
                            Some(Value::Array(items)) => candidates.extend(
                                items
                                    .iter()
                                    .enumerate()
                                    .map(|(j, v)| (arg.as_str(), Some(j), v)),
                            ),
                            Some(v) if !v.is_null() => candidates.push((arg.as_str(), None, v)),
                            _ => {}
                        }
                    }
                    let Some((arg, j, v)) = candidates.get(index).copied() else {
                        return Err(unmapped(
                            Code::UnmappedProperty,
                            &via_at,
                            format!(
                                "{} takes element {index} of {}, which has {} in {FORMAT}",
                                info.type_name,
                                from.arguments.join(" + "),
                                candidates.len()
                            ),
                        ));
                    };
                    let tp = At::Props(*target);
                    let arg_at = tp.key(arg);
                    let value = match j {
                        Some(j) => l.value(v, &At::Index(&arg_at, j))?,
                        None => l.value(v, &arg_at)?,
                    };
                    obj.insert(from.property.as_str(), value);
                }
                Node::Object(obj)
            }
        };
        let Some(property) = &merge.property else {
            return Ok(None);
        };
        Ok(Some(Fold {
            index: i,
            target: *target,
            merge,
            property,
            value,
        }))
    }

    /// The error of a fold whose target has no body.
    fn no_target(&self, fold: &Fold<'_>) -> Error {
        unmapped(
            Code::UnmappedProperty,
            &At::Props(fold.index).key(&fold.merge.via),
            format!(
                "{} must reference a resource that exists on its own in {FORMAT}",
                self.l.type_name(fold.index)
            ),
        )
    }

    /// Puts a folded resource's value into its target's properties.
    fn apply(&self, props: &mut NodeMap<'a>, fold: Fold<'a>) -> Result<()> {
        let Fold {
            index,
            merge,
            property,
            value,
            ..
        } = fold;
        let at = At::Props(index);
        let type_name = self.l.type_name(index);
        if merge.append.is_some() || merge.list {
            append_path(props, property, value, type_name, &merge.via, &at)
        } else if props.contains_key(property) {
            Err(unmapped(
                Code::UnmappedProperty,
                &at,
                format!("{property} of the referenced resource is already set; {FORMAT} holds one"),
            ))
        } else {
            props.insert(property, value);
            Ok(())
        }
    }

    /// A folded resource stands for its target: its dependencies become the target's. When one
    /// of them depends on the target, CloudFormation would see a cycle.
    fn check_fold_cycles(&self) -> Result<()> {
        let l = &self.l;
        let bp = l.bp;
        let rep = &self.rep;
        for (i, r, info) in bp.iter() {
            let Some(Placement::Folded(target)) = l.placements.get(i) else {
                continue;
            };
            for d in bp.graph().dependencies(i) {
                let rd = rep.get(d).copied().unwrap_or(d);
                if rd != *target && reaches(bp, rep, d, *target) {
                    let dep = bp
                        .resources()
                        .get(d)
                        .map(|x| x.name.as_str())
                        .unwrap_or("?");
                    let into = bp
                        .resources()
                        .get(*target)
                        .map(|x| x.name.as_str())
                        .unwrap_or("?");
                    return Err(gen_error(
                        Code::UnmappedProperty,
                        format!("resources[{i}]"),
                        format!(
                            "`{}` ({}) is a property of `{into}` in {FORMAT}, so `{into}` would depend on `{dep}`, which depends on `{into}`: a cycle {FORMAT} refuses; drop the dependency of `{}` on `{dep}` or the reference that makes `{dep}` depend on `{into}`",
                            r.name, info.type_name, r.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The template entries of resource `i` with its body (folds applied), given to `push`:
    /// its companion resources, then the resource its instances all are (once, with the range
    /// of their logical IDs in the plan's ID list).
    fn entries(&self, i: usize, body: Body<'a>, mut push: impl FnMut(Entry<'a>)) {
        let l = &self.l;
        let bp = l.bp;
        let rep = &self.rep;
        let (Some(Placement::Own(ids)), Some(r)) = (l.placements.get(i), bp.resources().get(i))
        else {
            return;
        };
        let own_ids = ids;
        let ids = l.ids.slice(ids);
        let count = own_ids.len();
        let (props, attrs) = body;
        let cfn_type = l
            .type_maps
            .get(i)
            .copied()
            .flatten()
            .and_then(|t| t.cfn_type.as_deref())
            .unwrap_or_default();
        // Dependencies: explicit ones no reference implies; folded resources stand for their
        // target.
        let members = self.folded_into.get(&i).map(Vec::as_slice).unwrap_or(&[]);
        let has_deps = !r.dependencies.is_empty()
            || members.iter().any(|&j| {
                bp.resources()
                    .get(j)
                    .is_some_and(|o| !o.dependencies.is_empty())
            });
        let referenced = if has_deps {
            let mut names = super::terraform::referenced_names(&r.properties);
            for &j in members {
                if let Some(other) = bp.resources().get(j) {
                    names.extend(super::terraform::referenced_names(&other.properties));
                }
            }
            names
        } else {
            std::collections::HashSet::new()
        };
        let mut depends: Vec<&'a str> = Vec::new();
        let mut push_dep = |d: &str| {
            if referenced.contains(d) {
                return;
            }
            let Some(j) = bp.index_of(d) else { return };
            let rj = rep.get(j).copied().unwrap_or(j);
            if let Some(name) = bp.resources().get(rj).map(|x| x.name.as_str()) {
                if referenced.contains(name) {
                    return;
                }
            }
            if let Some(Placement::Own(dep_ids)) = l.placements.get(rj) {
                for id in l.ids.slice(dep_ids) {
                    if !ids.clone().any(|own| own == id) && !depends.contains(&id) {
                        depends.push(id);
                    }
                }
            }
        };
        for d in &r.dependencies {
            push_dep(d);
        }
        for &j in members {
            if let Some(other) = bp.resources().get(j) {
                for d in &other.dependencies {
                    push_dep(d);
                }
            }
        }
        // Whatever depends on a resource with companions depends on them too.
        if self.any_companions {
            for &m in std::iter::once(&i).chain(members) {
                for j in bp.graph().dependencies(m) {
                    let rj = rep.get(j).copied().unwrap_or(j);
                    for c in entry_of(self.companions, rj)
                        .into_iter()
                        .flat_map(|c| l.ids.slice(c))
                    {
                        if !depends.contains(&c) {
                            depends.push(c);
                        }
                    }
                }
            }
        }
        // Sorted, as `cdk synth` writes them.
        depends.sort();
        // Companion resources, one per instance (their IDs were claimed per companion argument,
        // per instance).
        let own_companions = entry_of(self.companions, i).cloned().unwrap_or_default();
        for (ci, (c, value)) in attrs.companions.iter().enumerate() {
            for (k, id) in ids.clone().enumerate() {
                let Some(cid) = l.ids.slice(&own_companions).nth(ci * count + k) else {
                    continue;
                };
                let mut cprops = NodeMap::with_capacity(2);
                cprops.insert(c.ref_to.as_str(), Node::single("Ref", text(id)));
                cprops.insert(c.to.as_str(), value.clone());
                let mut res = NodeMap::with_capacity(2);
                res.insert("Type", text(&c.cfn_type));
                res.insert("Properties", Node::Object(cprops));
                push(Entry::Companion(cid, Node::Object(res)));
            }
        }
        if count == 0 {
            return;
        }
        // Every instance is the same resource: only its logical ID differs.
        let mut res = NodeMap::with_capacity(3 + attrs.attrs.len());
        res.insert("Type", text(cfn_type));
        if !depends.is_empty() {
            res.insert(
                "DependsOn",
                Node::Array(depends.iter().map(|d| text(d)).collect()),
            );
        }
        for (key, v) in attrs.attrs {
            res.insert(key, v);
        }
        if !props.is_empty() {
            res.insert("Properties", Node::Object(props));
        }
        push(Entry::Instances(own_ids.clone(), Node::Object(res)));
    }

    /// The template's entries but `Resources`: format version, description, parameters and
    /// outputs.
    fn head(&self) -> Result<NodeMap<'a>> {
        let l = &self.l;
        let doc = l.bp.blueprint();
        let mut params = NodeMap::with_capacity(doc.variables.len());
        for (i, v) in doc.variables.iter().enumerate() {
            let id = l.params.get(v.name.as_str()).cloned().unwrap_or_default();
            params.insert(id, Node::Object(parameter(v, &format!("variables[{i}]"))?));
        }
        let mut outputs = NodeMap::with_capacity(doc.outputs.len());
        let mut out_ns = Namespace::default();
        for (i, o) in doc.outputs.iter().enumerate() {
            let path = format!("outputs[{i}].value");
            let at = At::Text(&path);
            if o.sensitive {
                return Err(gen_error(
                    Code::UnmappedProperty,
                    format!("outputs[{i}].sensitive"),
                    format!("{FORMAT} outputs cannot be hidden; remove the output or `sensitive`"),
                ));
            }
            if super::terraform::shows_sensitive(l.bp, &o.value) {
                // Terraform marks such an output sensitive itself; here it would be published
                // in plain text.
                return Err(gen_error(
                    Code::UnmappedProperty,
                    path,
                    format!(
                        "this output shows a sensitive value, which Terraform keeps hidden; {FORMAT} outputs cannot be hidden: remove the output"
                    ),
                ));
            }
            let value = match &o.value {
                Value::String(s) => output_value(l, s, &at)?,
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
            let mut out = NodeMap::with_capacity(2);
            out.insert("Value", value);
            if let Some(d) = &o.description {
                out.insert("Description", text(d));
            }
            outputs.insert(id, Node::Object(out));
        }

        let mut template = NodeMap::with_capacity(5);
        template.insert("AWSTemplateFormatVersion", text("2010-09-09"));
        if let Some(d) = &doc.description {
            template.insert("Description", text(d));
        }
        if !params.is_empty() {
            template.insert("Parameters", Node::Object(params));
        }
        if !outputs.is_empty() {
            template.insert("Outputs", Node::Object(outputs));
        }
        Ok(template)
    }
}

/// Lowers the blueprint, named by [`plan`], to a CloudFormation template.
pub(crate) fn lower<'a>(bp: &'a CheckedBlueprint, plan: &'a Plan<'a>) -> Result<Lowered<'a>> {
    let n = bp.blueprint().resources.len();
    let steps = Steps::new(bp, plan);
    // Resources: (Properties, resource attributes such as DeletionPolicy).
    let mut bodies: Vec<Option<Body>> = Vec::with_capacity(n);
    for i in 0..n {
        bodies.push(steps.body(i)?);
    }
    // Folded resources become properties of their target.
    for i in 0..n {
        let Some(fold) = steps.fold(i)? else {
            continue;
        };
        let Some(Some((props, _))) = bodies.get_mut(fold.target) else {
            return Err(steps.no_target(&fold));
        };
        steps.apply(props, fold)?;
    }
    if steps.has_folds() {
        steps.check_fold_cycles()?;
    }
    let mut resources: Vec<(Str<'_>, Node<'_>)> = Vec::with_capacity(n + n / 8);
    for (i, body) in bodies.into_iter().enumerate() {
        if let Some(body) = body {
            steps.entries(i, body, |entry| match entry {
                Entry::Companion(id, res) => resources.push((Cow::Borrowed(id), res)),
                Entry::Instances(ids, mut res) => {
                    // The last instance takes the resource, the others a copy.
                    let mut ids = plan.ids.slice(&ids).peekable();
                    while let Some(id) = ids.next() {
                        let res = if ids.peek().is_some() {
                            res.clone()
                        } else {
                            std::mem::replace(&mut res, Node::Null)
                        };
                        resources.push((Cow::Borrowed(id), res));
                    }
                }
            });
        }
    }
    if resources.is_empty() {
        return Err(no_resources());
    }
    let mut template = steps.head()?;
    template.insert("Resources", Node::Object(NodeMap::from_unsorted(resources)));
    Ok(Lowered {
        template: Node::Object(template),
    })
}

/// Writes the template of [`lower`] (JSON, or YAML with `yaml`) into a buffer of `capacity`
/// bytes to start with, without building it first: resources are lowered one at a time, in
/// the template's (logical-ID) order, each written in its place and dropped while it is still
/// in cache. A 10,000-resource template never exists as a tree, which would not fit in the
/// cache, to be walked once more to write it and once more to drop it.
///
/// The result is byte for byte the template of [`lower`] written by
/// [`Node::into_json_pretty`] or [`super::yaml::to_yaml`]; on an error, it is the error
/// [`lower`] reports (the checks are the same, but [`lower`] makes them in blueprint order).
fn write_template(
    bp: &CheckedBlueprint,
    plan: &Plan<'_>,
    yaml: bool,
    capacity: usize,
) -> Result<String> {
    stream_template(bp, plan, yaml, capacity).map_err(|e| lower(bp, plan).err().unwrap_or(e))
}

fn stream_template(
    bp: &CheckedBlueprint,
    plan: &Plan<'_>,
    yaml: bool,
    capacity: usize,
) -> Result<String> {
    let steps = Steps::new(bp, plan);
    // The template's order is decided from the plan's logical IDs alone, then each resource is
    // lowered and written straight into the template at its first logical ID: no resource is
    // written twice or copied from a buffer of fragments (some 6.5 MB at 10,000 resources,
    // written once in blueprint order and read again in logical-ID order), and what a resource
    // lowers into is dropped before the next one is lowered.
    let (head, order) = checked_order(&steps, plan)?;
    if order.is_empty() {
        return Err(no_resources());
    }

    let mut out = String::with_capacity(capacity);
    let mut top = JsonObject::default();
    if !yaml {
        top.begin(&mut out);
    }
    for (k, v) in head {
        if yaml {
            super::yaml::write_entry(&mut out, &k, &v, 0);
        } else {
            top.entry(&mut out, &k, v, 0);
        }
    }
    let mut resources = JsonObject::default();
    if yaml {
        out.push_str(if order.is_empty() {
            "Resources: {}\n"
        } else {
            "Resources:\n"
        });
    } else {
        top.key(&mut out, "Resources", 0);
        resources.begin(&mut out);
    }
    let write = |buf: &mut String, res: Node<'_>| {
        if yaml {
            super::yaml::write_value(buf, &res, 2);
        } else {
            JsonObject::value(buf, res, 1);
        }
    };
    // The entries of resources written at an earlier entry of theirs (the other instances of a
    // `count`, companions), by logical ID: where their text is, in `out` (an instance: the same
    // text as the instance written) or in `pending`.
    let mut waiting: HashMap<&str, (bool, Range<usize>), FxBuildHasher> = HashMap::default();
    let mut pending = String::new();
    let mut scratch = String::new();
    for &(id, i) in &order {
        if yaml {
            super::yaml::write_key(&mut out, id, 2);
        } else {
            resources.key(&mut out, id, 1);
        }
        if let Some((in_out, range)) = waiting.remove(id) {
            if in_out {
                // (`String::extend_from_within` is newer than the supported Rust.)
                scratch.clear();
                scratch.push_str(out.get(range).unwrap_or_default());
                out.push_str(&scratch);
            } else {
                out.push_str(pending.get(range).unwrap_or_default());
            }
            if waiting.is_empty() {
                pending.clear();
            }
            continue;
        }
        let Some(body) = lowered(&steps, i)? else {
            continue;
        };
        steps.entries(i, body, |entry| match entry {
            Entry::Companion(cid, res) if cid == id => write(&mut out, res),
            Entry::Companion(cid, res) => {
                let start = pending.len();
                write(&mut pending, res);
                waiting.insert(cid, (false, start..pending.len()));
            }
            Entry::Instances(ids, res) => {
                let ids = plan.ids.slice(&ids);
                let (in_out, range) = if ids.clone().any(|x| x == id) {
                    let start = out.len();
                    write(&mut out, res);
                    (true, start..out.len())
                } else {
                    let start = pending.len();
                    write(&mut pending, res);
                    (false, start..pending.len())
                };
                for other in ids.filter(|&x| x != id) {
                    waiting.insert(other, (in_out, range.clone()));
                }
            }
        });
    }
    if !yaml {
        resources.end(&mut out, 1);
        top.end(&mut out, 0);
    }
    Ok(out)
}

/// CloudFormation refuses a template without resources ("At least one Resources member must
/// be defined"): a blueprint whose resources all have `count = 0`, or none at all.
fn no_resources() -> Error {
    gen_error(
        Code::EmptyTemplate,
        "resources",
        "a CloudFormation template needs at least one resource, and this blueprint has none to write (no resources, or only ones with count 0)",
    )
}

/// What [`stream_template`] checks before writing any resource (folds without a target, fold
/// cycles, the head, resources without instances), then the template's head (all but
/// `Resources`) and its `Resources` entries in logical-ID order: per entry, its logical ID and
/// the resource whose lowering writes it.
fn checked_order<'a>(
    steps: &Steps<'a>,
    plan: &'a Plan<'a>,
) -> Result<(NodeMap<'a>, Vec<(&'a str, usize)>)> {
    let n = steps.l.bp.blueprint().resources.len();
    // Folds into resources without a body, which no resource below takes.
    for (&target, members) in &steps.folded_into {
        if steps.has_body(target) {
            continue;
        }
        for &j in members {
            if let Some(fold) = steps.fold(j)? {
                return Err(steps.no_target(&fold));
            }
        }
    }
    if steps.has_folds() {
        steps.check_fold_cycles()?;
    }
    let head = steps.head()?;
    // Per entry: its logical ID (in the plan's ID list, dense for the sort) and its resource.
    let mut order: Vec<(&str, usize)> = Vec::with_capacity(plan.ids.len());
    for i in 0..n {
        let Some(Placement::Own(ids)) = plan.placements.get(i) else {
            continue;
        };
        if !steps.has_body(i) {
            continue;
        }
        let first = order.len();
        order.extend(plan.ids.slice(ids).map(|id| (id, i)));
        if let Some(c) = entry_of(&plan.companions, i) {
            order.extend(plan.ids.slice(c).map(|id| (id, i)));
        }
        if order.len() == first {
            // No instance (`count = 0`): nothing to write, but lowered all the same for the
            // errors it may have.
            lowered(steps, i)?;
        }
    }
    order.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok((head, order))
}

/// The template of [`lower`], one resource at a time, for the writers of other formats (CDK):
/// [`streamed`] gives its head (all but `Resources`); then each `Resources` entry comes in
/// logical-ID order, lowered (with the resources folded into it) when its first entry comes,
/// for the caller to drop once written. Only the entries lowered with an earlier one (other
/// instances of a `count`, companions) wait, until their logical ID comes.
///
/// The checks are those of [`stream_template`]: on an error, it may not be the one [`lower`]
/// reports first (ask [`lower`] for that), and with no error the entries are those of
/// [`lower`]'s `Resources` (an entry missing from the lowering, or one left over, is an error).
pub(super) struct Streamed<'a> {
    steps: Steps<'a>,
    ids: &'a IdList,
    order: std::vec::IntoIter<(&'a str, usize)>,
    /// The entries lowered with an earlier one, by logical ID.
    waiting: HashMap<&'a str, Node<'a>, FxBuildHasher>,
}

/// The head of the template and its resources one at a time (see [`Streamed`]), after the
/// checks [`stream_template`] makes first.
pub(super) fn streamed<'a>(
    bp: &'a CheckedBlueprint,
    plan: &'a Plan<'a>,
) -> Result<(NodeMap<'a>, Vec<&'a str>, Streamed<'a>)> {
    let steps = Steps::new(bp, plan);
    let (head, order) = checked_order(&steps, plan)?;
    let ids = order.iter().map(|&(id, _)| id).collect();
    Ok((
        head,
        ids,
        Streamed {
            steps,
            ids: &plan.ids,
            order: order.into_iter(),
            waiting: HashMap::default(),
        },
    ))
}

impl<'a> Streamed<'a> {
    /// The error of a lowering whose entries are not the plan's.
    fn mismatch(id: &str) -> Error {
        gen_error(
            Code::UnmappedType,
            "",
            format!("the lowering of `{id}` is not the entry planned for it"),
        )
    }
}

impl<'a> Iterator for Streamed<'a> {
    type Item = Result<(&'a str, Node<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        let Some((id, i)) = self.order.next() else {
            // An entry left over is an error, once.
            let left = self.waiting.keys().next().copied();
            self.waiting.clear();
            return left.map(|id| Err(Self::mismatch(id)));
        };
        if let Some(res) = self.waiting.remove(id) {
            return Some(Ok((id, res)));
        }
        let body = match lowered(&self.steps, i) {
            Ok(Some(body)) => body,
            Ok(None) => return Some(Err(Self::mismatch(id))),
            Err(e) => return Some(Err(e)),
        };
        let mut found = None;
        let (ids, waiting) = (self.ids, &mut self.waiting);
        self.steps.entries(i, body, |entry| match entry {
            Entry::Companion(cid, res) if cid == id => found = Some(res),
            Entry::Companion(cid, res) => {
                waiting.insert(cid, res);
            }
            Entry::Instances(range, res) => {
                for other in ids.slice(&range).filter(|&x| x != id) {
                    waiting.insert(other, res.clone());
                }
                if ids.slice(&range).any(|x| x == id) {
                    found = Some(res);
                }
            }
        });
        Some(found.map(|res| (id, res)).ok_or_else(|| Self::mismatch(id)))
    }
}

/// Resource `i` lowered, with the resources folded into it (`None` when it has no body).
fn lowered<'a>(steps: &Steps<'a>, i: usize) -> Result<Option<Body<'a>>> {
    let Some((mut props, attrs)) = steps.body(i)? else {
        return Ok(None);
    };
    for &j in steps.folded_into.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
        if let Some(fold) = steps.fold(j)? {
            steps.apply(&mut props, fold)?;
        }
    }
    Ok(Some((props, attrs)))
}

/// An output's value: a string; a list attribute is joined with `,`.
fn output_value<'s>(l: &Lowering<'s>, s: &'s str, at: &At<'_>) -> Result<Node<'s>> {
    if has_markers(s) {
        let t =
            Template::parse(s).map_err(|e| unmapped(Code::MalformedReference, at, e.message))?;
        if let Some(r) = t.as_single_reference() {
            return Ok(match l.resolve(r, at)? {
                Resolved::GetAtt(id, attr, true) => Node::single(
                    "Fn::Join",
                    Node::Array(vec![
                        text(","),
                        Resolved::GetAtt(id, attr, true).into_node(),
                    ]),
                ),
                other => other.into_node(),
            });
        }
        return l.template(&t, at);
    }
    Ok(text(s))
}

/// The template context of `cloudformation` / `cloudformation-yaml`: the template written as
/// JSON (`template_json`) or YAML (`template_yaml`), and with `data` (templates other than the
/// embedded ones) the template as data (`template`).
pub(crate) fn context(bp: &CheckedBlueprint, yaml: bool, data: bool) -> Result<Value> {
    let plan = plan(bp)?;
    let mut ctx = Map::new();
    ctx.insert("blueprint".into(), super::blueprint_context(bp));
    // About 450 bytes per resource in YAML, 650 in JSON, in typical blueprints: the buffer
    // rarely grows.
    let capacity = bp.resources().len() * if yaml { 600 } else { 800 } + 4096;
    let key = if yaml {
        "template_yaml"
    } else {
        "template_json"
    };
    if data {
        let lowered = lower(bp, &plan)?;
        ctx.insert("template".into(), lowered.template.to_value());
        let text = if yaml {
            super::yaml::to_yaml_with_capacity(&lowered.template, capacity)
        } else {
            lowered.template.into_json_pretty(capacity)
        };
        ctx.insert(key.into(), Value::String(text));
    } else {
        let text = write_template(bp, &plan, yaml, capacity)?;
        ctx.insert(key.into(), Value::String(text));
    }
    Ok(Value::Object(ctx))
}

/// CloudFormation property paths (per CloudFormation type) whose object keys are data, not
/// property names: JSON documents, maps of user keys, tags written as a map. The CDK writer keeps
/// those keys as they are.
pub(crate) fn verbatim_paths() -> Result<&'static HashMap<String, Vec<String>>> {
    static CELL: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let map = mapping()?;
    Ok(CELL.get_or_init(|| {
        fn walk(prefix: &str, specs: &ArgMap<Prop>, out: &mut Vec<String>) {
            for p in specs.values() {
                let Prop::Spec(s) = p else { continue };
                let to = s.to.as_deref().unwrap_or_default();
                let here = match (prefix.is_empty(), to) {
                    (_, ".") => prefix.to_string(),
                    (true, t) => t.to_string(),
                    (false, t) => format!("{prefix}.{t}"),
                };
                if s.keep_keys || s.transform == Some(Transform::Json) || s.map_of.is_some() {
                    out.push(here.clone());
                }
                walk(&here, &s.fields, out);
            }
        }
        let mut by_type: HashMap<String, Vec<String>> = HashMap::new();
        for (_, tm) in map.all() {
            let mut paths = Vec::new();
            walk("", &tm.properties, &mut paths);
            if let Some(Tags::Style(TagStyle::Map)) = &tm.tags {
                paths.push("Tags".into());
            }
            if let Some(Tags::Spec(s)) = &tm.tags {
                if s.style == TagStyle::Map {
                    paths.push(s.to.clone());
                }
            }
            if let Some(cfn) = &tm.cfn_type {
                by_type.entry(cfn.clone()).or_default().extend(paths);
            }
        }
        for v in by_type.values_mut() {
            v.sort();
            v.dedup();
        }
        by_type
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{provider_schema, Provider};
    use crate::generate::mapping::{check_arguments as check_props, MappedArgument};

    impl MappedArgument for Prop {
        const FIELDS_ONLY_IN_BLOCKS: bool = false;

        fn fields(&self) -> Option<&ArgMap<Prop>> {
            match self {
                Prop::Spec(s) => Some(&s.fields),
                Prop::Name(_) | Prop::Text(_) => None,
            }
        }
    }

    #[test]
    fn mapping_data_loads_and_names_real_terraform_arguments() {
        let map = mapping().unwrap();
        let schema = provider_schema(Provider::Aws);
        let mut problems = Vec::new();
        for (t, tm) in map.all() {
            let Some(s) = schema.get(t) else {
                problems.push(format!("{t}: not a Terraform type"));
                continue;
            };
            check_props(t, &tm.properties, s, &mut problems);
            if let Some(m) = &tm.merge {
                check_props(t, &m.fields, s, &mut problems);
                if s.get(&m.via).is_none() {
                    problems.push(format!("{t}: merge.via {} is not an argument", m.via));
                }
                // A type with a conditional fold is its own resource otherwise.
                assert_eq!(tm.cfn_type.is_some(), m.when.is_some(), "{t}");
            }
            if let Some(c) = &tm.cfn_type {
                assert!(c.starts_with("AWS::"), "{t}");
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn sub_attributes_name_the_resource() {
        assert_eq!(
            expand_sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:x:log-group:${Ref}",
                "Logs"
            ),
            "arn:${AWS::Partition}:logs:${AWS::Region}:x:log-group:${Logs}"
        );
        assert_eq!(
            expand_sub("${Endpoint.Address}:${Endpoint.Port}", "Db"),
            "${Db.Endpoint.Address}:${Db.Endpoint.Port}"
        );
    }
}
