//! Lowering to Azure Resource Manager (ARM) templates: `azuredeploy.json`, a resource-group
//! deployment template (schema 2019-04-01). Terraform types and arguments are mapped with
//! `catalog/formats/arm.yaml`; references become `resourceId(...)` / `reference(...)`
//! expressions, variables become parameters, `count` a `copy` loop.
//!
//! The blueprint's `azurerm_resource_group` is the deployment target, not a resource of the
//! template (see the header of `catalog/formats/arm.yaml` and `templates/README.md`).

mod expr;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Map};

use crate::blueprint::Value;
use crate::check::{CheckedBlueprint, VarType};
use crate::error::{Code, Error, ErrorKind, Finding, Result};
use crate::reference::{push_key, Part, Reference, Step};

use super::gen_error;
use super::idents::Namespace;
use super::mapping::{blocks, no_attribute, no_equivalent, no_mapping, ArgMap};
use super::node::{write_value_pretty, JsonObject};
use super::values::{has_markers, merged_tags, parse_template};

use expr::{concat, escape_literal, AStr};

// `catalog/formats/arm.yaml`, embedded compressed (see `crate::embedded`).
static DATA: &[u8] = crate::embedded::packed!("catalog-formats-arm.yaml");

const FORMAT: &str = "ARM";
const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/// `Microsoft.Resources/tags` at the deployment's resource group (its tags).
const TAGS_API: &str = "2024-03-01";
/// `Microsoft.Authorization/locks` (for `prevent_destroy`).
const LOCKS_API: &str = "2020-05-01";
const MAX_DEPTH: usize = 16;
/// Resources lowered between two clearings of the lowering's caches (see [`Lowering::forget`]).
const CACHE_SPAN: usize = 64;

/// The mapping data (see the header of `catalog/formats/arm.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingFile {
    /// Built-in role name → role definition GUID.
    #[serde(default)]
    pub(crate) roles: BTreeMap<String, String>,
    pub(crate) types: BTreeMap<String, TypeMap>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypeMap {
    #[serde(rename = "type")]
    pub(crate) arm_type: Option<String>,
    pub(crate) api: Option<String>,
    #[serde(default)]
    pub(crate) resource_group: bool,
    #[serde(default)]
    pub(crate) name: Vec<Segment>,
    pub(crate) location: Option<String>,
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) properties: ArgMap<Prop>,
    #[serde(default)]
    pub(crate) set: Map<String, Value>,
    /// The azurerm provider's defaults where the ARM API's differ or it has none (dotted
    /// paths): written unless an argument writes that path.
    #[serde(default)]
    pub(crate) defaults: Map<String, Value>,
    #[serde(default)]
    pub(crate) combine: Vec<Combine>,
    pub(crate) fold: Option<Fold>,
    pub(crate) unmapped: Option<String>,
    /// Where the tags go (default `tags`; `properties.tags` for some child types).
    pub(crate) tags: Option<String>,
    /// Siblings (same type and parent) are created one after the other.
    #[serde(default)]
    pub(crate) serial: bool,
    /// A child type written inside its parent's properties when the parent is in the template.
    pub(crate) nest: Option<Nest>,
}

/// A child resource written as an item of a list of its parent (subnets in
/// `properties.subnets` of their virtual network): the parent's own list is what ARM deploys,
/// and a redeployed parent without it deletes the children.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Nest {
    /// The argument naming the parent: nested when it is `${x.name}` of a resource of the
    /// template of the parent ARM type (neither with `count`).
    pub(crate) via: String,
    /// The parent's list the item goes to (`{name, ...properties}`).
    pub(crate) into: String,
}

/// One `/`-separated segment of an ARM resource name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Segment {
    /// The argument giving it (`a|b`: the first one set); an argument ending in `_id` names the
    /// parent by its ID, whose last segment is taken.
    pub(crate) arg: Option<String>,
    pub(crate) literal: Option<String>,
    /// When the argument is not set: `guid(...)` of these arguments.
    #[serde(default)]
    pub(crate) guid: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Combine {
    pub(crate) to: String,
    pub(crate) args: Vec<String>,
    pub(crate) sep: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fold {
    pub(crate) via: String,
    pub(crate) into: String,
    #[serde(default)]
    pub(crate) list: bool,
    #[serde(default)]
    pub(crate) fields: ArgMap<Prop>,
    #[serde(default)]
    pub(crate) set: Map<String, Value>,
    pub(crate) id_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Prop {
    Path(String),
    Spec(Box<Spec>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    pub(crate) to: Option<String>,
    #[serde(default)]
    pub(crate) fields: ArgMap<Prop>,
    #[serde(default)]
    pub(crate) list: bool,
    #[serde(default)]
    pub(crate) set: Map<String, Value>,
    pub(crate) wrap: Option<String>,
    pub(crate) each: Option<String>,
    pub(crate) values: Option<Map<String, Value>>,
    pub(crate) transform: Option<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) unmapped: Option<String>,
    pub(crate) terraform_only: Option<String>,
    pub(crate) ignore_if: Option<Value>,
    pub(crate) allowed: Option<Vec<Value>>,
    pub(crate) child: Option<ChildSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChildSpec {
    #[serde(rename = "type")]
    pub(crate) arm_type: String,
    pub(crate) api: String,
    pub(crate) name: Option<String>,
    pub(crate) name_arg: Option<String>,
    #[serde(default)]
    pub(crate) set: Map<String, Value>,
}

/// `resources[i].properties`, the path of a resource's arguments (written without `format!`:
/// it is made for every resource, several times).
fn props_path(i: usize) -> String {
    let mut digits = [0u8; 20];
    let mut n = i;
    let mut len = 0;
    loop {
        if let Some(d) = digits.get_mut(len) {
            *d = b'0' + (n % 10) as u8;
        }
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(len + 32);
    out.push_str("resources[");
    for d in digits.iter().take(len).rev() {
        out.push(char::from(*d));
    }
    out.push_str("].properties");
    out
}

/// The name segments of a type (by default one, its `name` argument).
fn name_segments(tm: &TypeMap) -> &[Segment] {
    static DEFAULT: std::sync::LazyLock<[Segment; 1]> = std::sync::LazyLock::new(|| {
        [Segment {
            arg: Some("name".into()),
            ..Segment::default()
        }]
    });
    if tm.name.is_empty() {
        DEFAULT.as_slice()
    } else {
        &tm.name
    }
}

/// The mapping data, parsed on first use.
pub(crate) fn mapping() -> Result<&'static MappingFile> {
    static CELL: OnceLock<std::result::Result<MappingFile, String>> = OnceLock::new();
    super::mapping::load(&CELL, DATA, "catalog/formats/arm.yaml")
}

/// Where a blueprint resource went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// A resource of the template.
    Own,
    /// Part of another resource's properties (by blueprint index).
    Folded(usize),
    /// The resource group the template is deployed to.
    Group,
    /// Not mapped (an error is reported).
    None,
}

/// Which instance of a resource an expression is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inst {
    /// A resource without `count`.
    One,
    /// Inside the resource's own `copy` loop (`copyIndex()`).
    Copy,
    /// Instance k of a counted resource.
    Index(u32),
}

/// A child resource written from a block of its parent (e.g. a storage account's
/// `blob_properties` → `blobServices/default`).
struct ChildRes {
    arm_type: String,
    api: String,
    name: AStr,
    body: Map<String, Value>,
}

struct Lowering<'a> {
    bp: &'a CheckedBlueprint,
    map: &'static MappingFile,
    placements: Vec<Placement>,
    /// Variable name → ARM parameter type.
    params: HashMap<&'a str, &'static str>,
    group: Option<usize>,
    /// The mapping of each resource's type (by index).
    types: Vec<Option<&'static TypeMap>>,
    /// Resource IDs and name segments of resources without `count`, computed once.
    ids: RefCell<HashMap<usize, AStr>>,
    names: RefCell<HashMap<usize, Vec<AStr>>>,
    /// Blueprint strings with references, lowered once (`${rg.location}` appears everywhere).
    strings: RefCell<HashMap<&'a str, AStr>>,
    /// Resources written inside another one's properties (see [`Nest`]): index → parent. They
    /// keep their own type, name and ID for references.
    nested_in: HashMap<usize, usize>,
}

fn unmapped(code: Code, path: &str, message: String) -> Error {
    gen_error(code, path, message)
}

fn lit(s: impl Into<String>) -> AStr {
    AStr::Lit(s.into())
}

/// The ARM text of a mapped JSON value that is a string.
fn astr_of(v: &Value) -> Option<AStr> {
    v.as_str().map(AStr::from_text)
}

impl<'a> Lowering<'a> {
    fn type_map(&self, index: usize) -> Option<&'static TypeMap> {
        self.types.get(index).copied().flatten()
    }

    fn type_name(&self, index: usize) -> &'a str {
        self.bp
            .resource_info(index)
            .map(|i| i.type_name.as_str())
            .unwrap_or_default()
    }

    /// Empties the caches of resource IDs, names and strings. The main loop does so every
    /// [`CACHE_SPAN`] resources: most references point to resources close by in the blueprint,
    /// and caches that grow with the blueprint leave its L2-sized window (then are walked once
    /// more, cold, to free them).
    fn forget(&self) {
        self.ids.borrow_mut().clear();
        self.names.borrow_mut().clear();
        self.strings.borrow_mut().clear();
    }

    /// The resource of the template that holds resource `index` (itself, or the parent it is
    /// nested in).
    fn host(&self, index: usize) -> usize {
        self.nested_in.get(&index).copied().unwrap_or(index)
    }

    fn count(&self, index: usize) -> Option<u32> {
        self.bp.resources().get(index).and_then(|r| r.count)
    }

    fn inst_for(&self, index: usize, reference_index: Option<u32>) -> Inst {
        match self.count(index) {
            None => Inst::One,
            Some(_) => Inst::Index(reference_index.unwrap_or(0)),
        }
    }

    /// The argument `arg` of resource `index` (`a|b`: the first one set), with its name.
    fn arg(&self, index: usize, arg: &str) -> Option<(&'a str, &'a Value)> {
        let r = self.bp.resources().get(index)?;
        arg.split('|').find_map(|a| {
            r.properties
                .get_key_value(a)
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.as_str(), v))
        })
    }

    /// The segments of the ARM name of resource `index` (parents first).
    fn segments(&self, index: usize, inst: Inst, depth: usize) -> Result<Vec<AStr>> {
        if inst == Inst::One {
            if let Some(s) = self.names.borrow().get(&index) {
                return Ok(s.clone());
            }
            let s = self.segments_uncached(index, inst, depth)?;
            self.names.borrow_mut().insert(index, s.clone());
            return Ok(s);
        }
        self.segments_uncached(index, inst, depth)
    }

    fn segments_uncached(&self, index: usize, inst: Inst, depth: usize) -> Result<Vec<AStr>> {
        let at = props_path(index);
        if depth > MAX_DEPTH {
            return Err(unmapped(
                Code::UnmappedProperty,
                &at,
                "the name of this resource depends on itself".into(),
            ));
        }
        let Some(tm) = self.type_map(index) else {
            return Ok(Vec::new());
        };
        let segs = name_segments(tm);
        let mut out = Vec::with_capacity(segs.len());
        let last = segs.len().saturating_sub(1);
        for (n, seg) in segs.iter().enumerate() {
            if let Some(l) = &seg.literal {
                out.push(lit(l.clone()));
                continue;
            }
            let arg = seg.arg.as_deref().unwrap_or("name");
            let value = match self.arg(index, arg) {
                Some((name, v)) => {
                    let mut a = at.clone();
                    push_key(&mut a, name);
                    let s = v.as_str().ok_or_else(|| {
                        unmapped(
                            Code::UnmappedProperty,
                            &a,
                            format!("`{name}` must be a string to name an ARM resource"),
                        )
                    })?;
                    if name.ends_with("_id") {
                        // A parent given by its ID: the parent's own name segments.
                        out.extend(self.parent_segments(s, &a, depth)?);
                        continue;
                    }
                    self.string_cached(s, &a, depth + 1)?
                }
                None if !seg.guid.is_empty() => self.guid_name(index, &seg.guid, &at, depth)?,
                None => {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        &at,
                        format!(
                            "{} needs `{arg}` to name its ARM resource",
                            self.type_name(index)
                        ),
                    ))
                }
            };
            let value = if n == last {
                match inst {
                    Inst::One => value,
                    Inst::Copy => concat(vec![
                        value,
                        lit("-"),
                        AStr::Expr("string(copyIndex())".into()),
                    ]),
                    Inst::Index(k) => concat(vec![value, lit(format!("-{k}"))]),
                }
            } else {
                value
            };
            if !matches!(value, AStr::Lit(_)) {
                let e = value.expr();
                if e.contains("reference(") || e.contains("listKeys(") {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        &at,
                        format!(
                            "the name of this {} is known only after deployment; {FORMAT} needs resource names before it",
                            self.type_name(index)
                        ),
                    ));
                }
            }
            out.push(value);
        }
        Ok(out)
    }

    /// The name segments of a parent given by ID: the referenced resource's own, or the last
    /// segment of the ID.
    fn parent_segments(&self, s: &str, at: &str, depth: usize) -> Result<Vec<AStr>> {
        if has_markers(s) {
            let t = parse_template(s, at)?;
            if let Some(Reference::Resource {
                name,
                index,
                attribute,
            }) = t.as_single_reference()
            {
                if let (Some(j), [Step::Attr(a)]) = (self.bp.index_of(name), attribute.as_slice()) {
                    let is_id = self
                        .type_map(j)
                        .and_then(|m| m.attributes.get(a.as_str()))
                        .map_or(a == "id", |spec| spec == "id");
                    if is_id && self.placements.get(j) == Some(&Placement::Own) {
                        return self.segments(j, self.inst_for(j, *index), depth + 1);
                    }
                }
            }
        }
        let id = self.string(s, at, depth + 1)?;
        Ok(vec![match id {
            AStr::Lit(l) => lit(l.rsplit('/').next().unwrap_or_default()),
            e => AStr::call("last", &[AStr::call("split", &[e, lit("/")])]),
        }])
    }

    /// `guid(...)` of the given arguments, for names Azure wants as GUIDs (role assignments).
    /// A reference to a value known only after deployment is replaced by the ID of the resource
    /// it comes from and the attribute's name (ARM needs names before deployment).
    fn guid_name(&self, index: usize, args: &[String], at: &str, depth: usize) -> Result<AStr> {
        let mut parts = Vec::with_capacity(args.len());
        for arg in args {
            let Some((name, v)) = self.arg(index, arg) else {
                continue;
            };
            let mut a = at.to_string();
            push_key(&mut a, name);
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let mut part = None;
            if has_markers(&s) {
                let t = parse_template(&s, &a)?;
                if let Some(Reference::Resource {
                    name: target,
                    index: k,
                    attribute,
                }) = t.as_single_reference()
                {
                    if let Some(j) = self.bp.index_of(target) {
                        let key = attribute_key(attribute);
                        if key != "id" && self.placements.get(j) == Some(&Placement::Own) {
                            let id = self.resource_id(j, self.inst_for(j, *k), depth + 1, &a)?;
                            part = Some(concat(vec![id, lit(format!("/{key}"))]));
                        }
                    }
                }
            }
            let p = match part {
                Some(p) => p,
                None => self.string(&s, &a, depth + 1)?,
            };
            parts.push(p);
        }
        Ok(AStr::call("guid", &parts))
    }

    /// The full ARM name (`parent/child`).
    fn full_name(segs: &[AStr]) -> AStr {
        let mut parts = Vec::with_capacity(segs.len() * 2);
        for (n, s) in segs.iter().enumerate() {
            if n > 0 {
                parts.push(lit("/"));
            }
            parts.push(s.clone());
        }
        concat(parts)
    }

    /// The extension scope of resource `index` (`None`: the resource group itself).
    fn scope(&self, index: usize, depth: usize) -> Result<Option<AStr>> {
        let Some(arg) = self.type_map(index).and_then(|m| m.scope.as_deref()) else {
            return Ok(None);
        };
        let mut at = props_path(index);
        at.push('.');
        at.push_str(arg);
        let Some((_, v)) = self.arg(index, arg) else {
            return Err(unmapped(
                Code::UnmappedProperty,
                &at,
                format!("{} needs `{arg}` in {FORMAT}", self.type_name(index)),
            ));
        };
        let s = v.as_str().unwrap_or_default();
        let scope = self.string(s, &at, depth + 1)?;
        Ok(match &scope {
            AStr::Expr(e) if e == "resourceGroup().id" => None,
            _ => Some(scope),
        })
    }

    /// The resource ID expression of resource `index`.
    fn resource_id(&self, index: usize, inst: Inst, depth: usize, at: &str) -> Result<AStr> {
        if inst == Inst::One {
            if let Some(id) = self.ids.borrow().get(&index) {
                return Ok(id.clone());
            }
            let id = self.resource_id_uncached(index, inst, depth, at)?;
            self.ids.borrow_mut().insert(index, id.clone());
            return Ok(id);
        }
        self.resource_id_uncached(index, inst, depth, at)
    }

    fn resource_id_uncached(
        &self,
        index: usize,
        inst: Inst,
        depth: usize,
        at: &str,
    ) -> Result<AStr> {
        match self.placements.get(index).copied() {
            Some(Placement::Group) => Ok(AStr::Expr("resourceGroup().id".into())),
            Some(Placement::Own) => {
                let tm = self.type_map(index);
                let arm_type = tm.and_then(|m| m.arm_type.clone()).unwrap_or_default();
                let segs = self.segments(index, inst, depth + 1)?;
                let mut args = Vec::with_capacity(segs.len() + 2);
                let scope = self.scope(index, depth + 1)?;
                if let Some(s) = &scope {
                    args.push(s.clone());
                }
                args.push(lit(arm_type));
                args.extend(segs);
                Ok(AStr::call(
                    if scope.is_some() {
                        "extensionResourceId"
                    } else {
                        "resourceId"
                    },
                    &args,
                ))
            }
            Some(Placement::Folded(target)) => {
                let fold = self.type_map(index).and_then(|m| m.fold.as_ref());
                match fold.and_then(|f| f.id_type.as_deref()) {
                    Some(id_type) => {
                        let mut segs =
                            self.segments(target, self.inst_for(target, None), depth + 1)?;
                        segs.extend(self.segments(index, Inst::One, depth + 1)?);
                        let mut args = vec![lit(id_type)];
                        args.extend(segs);
                        Ok(AStr::call("resourceId", &args))
                    }
                    None => Err(self.folded_error(index, target, at)),
                }
            }
            Some(Placement::None) | None => Err(unmapped(
                Code::UnmappedType,
                at,
                format!("{} has no {FORMAT} mapping", self.type_name(index)),
            )),
        }
    }

    fn folded_error(&self, index: usize, target: usize, at: &str) -> Error {
        let name = |i: usize| {
            self.bp
                .resources()
                .get(i)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        };
        unmapped(
            Code::UnmappedAttribute,
            at,
            format!(
                "`{}` ({}) is a property of `{}` in {FORMAT}, so it has no attributes to reference",
                name(index),
                self.type_name(index),
                name(target)
            ),
        )
    }

    /// The location expression of resource `index`.
    fn location(&self, index: usize, depth: usize) -> Result<Option<AStr>> {
        let tm = self.type_map(index);
        let spec = tm.and_then(|m| m.location.as_deref()).unwrap_or("location");
        let at = props_path(index);
        match spec {
            "none" => Ok(None),
            "global" => Ok(Some(lit("global"))),
            "parent" => {
                let first = tm
                    .and_then(|m| m.name.first())
                    .and_then(|s| s.arg.as_deref())
                    .unwrap_or_default();
                let parent = self
                    .arg(index, first)
                    .and_then(|(_, v)| v.as_str())
                    .and_then(|s| parse_template(s, &at).ok())
                    .and_then(|t| t.as_single_reference().cloned());
                match parent {
                    Some(Reference::Resource { name, index: k, .. }) => {
                        match self.bp.index_of(&name) {
                            Some(j) if j != index => {
                                self.attribute(j, self.inst_for(j, k), "location", &at, depth + 1)
                                    .map(Some)
                            }
                            _ => Ok(None),
                        }
                    }
                    _ => Err(unmapped(
                        Code::UnmappedProperty,
                        &format!("{at}.{first}"),
                        format!(
                            "{} takes its parent's location in {FORMAT}: `{first}` must reference a resource of the blueprint",
                            self.type_name(index)
                        ),
                    )),
                }
            }
            arg => match self.arg(index, arg) {
                Some((name, v)) => {
                    let mut a = at.clone();
                    push_key(&mut a, name);
                    match v {
                        Value::String(s) => self.string_cached(s, &a, depth + 1).map(Some),
                        _ => Err(unmapped(
                            Code::UnmappedProperty,
                            &a,
                            "a location is a string".into(),
                        )),
                    }
                }
                None => Ok(None),
            },
        }
    }

    /// The expression of attribute `key` of resource `index`.
    fn attribute(
        &self,
        index: usize,
        inst: Inst,
        key: &str,
        at: &str,
        depth: usize,
    ) -> Result<AStr> {
        if depth > MAX_DEPTH {
            return Err(unmapped(
                Code::UnmappedAttribute,
                at,
                "this reference depends on itself".into(),
            ));
        }
        let type_name = self.type_name(index);
        let no_attr = |mapped: Vec<&str>| {
            unmapped(
                Code::UnmappedAttribute,
                at,
                no_attribute(key, type_name, FORMAT, &mapped),
            )
        };
        match self.placements.get(index).copied() {
            Some(Placement::Group) => match key {
                "name" | "location" | "id" => Ok(AStr::Expr(format!("resourceGroup().{key}"))),
                _ => Err(no_attr(vec!["id", "name", "location"])),
            },
            Some(Placement::Folded(target)) => match key {
                "id" => self.resource_id(index, inst, depth + 1, at),
                _ => Err(self.folded_error(index, target, at)),
            },
            Some(Placement::Own) => {
                let tm = self.type_map(index);
                // `ref:sslPort|int`: the value's ARM type after `|` (string when absent).
                let spec = tm
                    .and_then(|m| m.attributes.get(key))
                    .map(|s| s.split('|').next().unwrap_or_default());
                // A managed identity's IDs, for every type with an `identity` block.
                let has_identity = tm.is_some_and(|m| m.properties.contains_key("identity"));
                let spec = match (spec, key) {
                    (Some(s), _) => s,
                    (None, "identity[0].principal_id") if has_identity => {
                        "full:identity.principalId"
                    }
                    (None, "identity[0].tenant_id") if has_identity => "full:identity.tenantId",
                    (None, "id" | "name" | "location" | "resource_group_name") => key,
                    (None, _) => {
                        let mut mapped = vec!["id", "name"];
                        if let Some(m) = tm {
                            mapped.extend(m.attributes.keys().map(String::as_str));
                        }
                        return Err(no_attr(mapped));
                    }
                };
                let api = tm.and_then(|m| m.api.clone()).unwrap_or_default();
                match spec.split_once(':') {
                    None => match spec {
                        "id" => self.resource_id(index, inst, depth + 1, at),
                        "name" => self
                            .segments(index, inst, depth + 1)?
                            .pop()
                            .ok_or_else(|| no_attr(Vec::new())),
                        "location" => self
                            .location(index, depth + 1)?
                            .ok_or_else(|| no_attr(vec!["id", "name"])),
                        "resource_group_name" => Ok(AStr::Expr("resourceGroup().name".into())),
                        _ => Err(no_attr(Vec::new())),
                    },
                    Some((kind, path)) => {
                        let id = self.resource_id(index, inst, depth + 1, at)?;
                        let call = match kind {
                            "ref" => AStr::call("reference", &[id, lit(api)]),
                            "full" => AStr::call("reference", &[id, lit(api), lit("Full")]),
                            "list" => AStr::call("listKeys", &[id, lit(api)]),
                            _ => return Err(no_attr(Vec::new())),
                        };
                        Ok(call.property(path))
                    }
                }
            }
            Some(Placement::None) | None => Err(unmapped(
                Code::UnmappedType,
                at,
                format!("{type_name} has no {FORMAT} mapping"),
            )),
        }
    }

    /// The expression of a reference.
    fn reference(&self, r: &Reference, at: &str, depth: usize) -> Result<AStr> {
        match r {
            Reference::Variable { name } => Ok(AStr::call("parameters", &[lit(name.clone())])),
            Reference::Resource {
                name,
                index,
                attribute,
            } => {
                let target = self.bp.index_of(name).ok_or_else(|| {
                    gen_error(Code::UnknownReference, at, format!("no resource `{name}`"))
                })?;
                let key = attribute_key(attribute);
                self.attribute(target, self.inst_for(target, *index), &key, at, depth + 1)
            }
        }
    }

    /// A blueprint string as an ARM string: literal text, one expression, or `concat(...)`.
    fn string(&self, s: &str, at: &str, depth: usize) -> Result<AStr> {
        if !has_markers(s) {
            return Ok(lit(s));
        }
        if let Some(a) = self.strings.borrow().get(s) {
            return Ok(a.clone());
        }
        self.string_uncached(s, at, depth)
    }

    /// Lowers a string of the blueprint, remembering the result.
    fn string_cached(&self, s: &'a str, at: &str, depth: usize) -> Result<AStr> {
        if !has_markers(s) {
            return Ok(lit(s));
        }
        if let Some(a) = self.strings.borrow().get(s) {
            return Ok(a.clone());
        }
        let a = self.string_uncached(s, at, depth)?;
        self.strings.borrow_mut().insert(s, a.clone());
        Ok(a)
    }

    fn string_uncached(&self, s: &str, at: &str, depth: usize) -> Result<AStr> {
        self.lower_string(s, at, depth, false)
    }

    /// A blueprint string; with `text`, a lone reference that is no string is made one (a
    /// value of a map of strings, such as tags), as Terraform converts it.
    fn lower_string(&self, s: &str, at: &str, depth: usize, text: bool) -> Result<AStr> {
        let t = parse_template(s, at)?;
        if let Some(text) = t.literal_text() {
            return Ok(lit(text));
        }
        let single = t.parts.len() == 1;
        let mut parts = Vec::with_capacity(t.parts.len());
        for part in &t.parts {
            match part {
                Part::Literal(l) => parts.push(lit(l.clone())),
                Part::Ref(r) => {
                    let e = self.reference(r, at, depth + 1)?;
                    // Inside concat() every part must be a string. The ARM type of the value
                    // (None: a string).
                    let kind = match r {
                        Reference::Variable { name } => self
                            .params
                            .get(name.as_str())
                            .copied()
                            .filter(|t| *t != "string" && *t != "securestring"),
                        Reference::Resource {
                            name, attribute, ..
                        } => self
                            .bp
                            .index_of(name)
                            .and_then(|j| self.type_map(j))
                            .and_then(|m| m.attributes.get(&attribute_key(attribute)))
                            .and_then(|spec| spec.split_once('|'))
                            .map(|(_, ty)| ty)
                            .filter(|ty| *ty != "string"),
                    };
                    parts.push(match kind {
                        None => e,
                        Some(_) if single && !text => e,
                        // ARM's string() of a bool is `True`/`False`; Terraform writes
                        // `true`/`false`.
                        Some("bool") => AStr::call("toLower", &[AStr::call("string", &[e])]),
                        Some(_) => AStr::call("string", &[e]),
                    });
                }
            }
        }
        Ok(concat(parts))
    }

    /// A map of strings (tags): each value a string, as Terraform converts a reference to a
    /// number or a boolean (`${var.flag}` is `true`, not a boolean).
    fn text_map(&self, m: Map<String, Value>, at: &str) -> Result<Value> {
        let mut out = Map::new();
        for (k, v) in m {
            if v.is_null() {
                continue;
            }
            let mapped = match &v {
                Value::String(s) if has_markers(s) => {
                    let mut a = at.to_string();
                    push_key(&mut a, &k);
                    self.lower_string(s, &a, 0, true)?.to_json()
                }
                _ if is_plain(&v) => v,
                _ => {
                    let mut a = at.to_string();
                    push_key(&mut a, &k);
                    self.owned_value(v, &a)?
                }
            };
            // Keys as `owned_value` writes them.
            out.insert(escape_literal(&k), mapped);
        }
        Ok(Value::Object(out))
    }

    /// A blueprint value as an ARM value (strings as template text, object keys escaped).
    fn value(&self, v: &Value, at: &str) -> Result<Value> {
        Ok(match v {
            Value::String(s) => self.string(s, at, 0)?.to_json(),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (n, item) in items.iter().enumerate() {
                    out.push(match plain(item) {
                        Some(p) => p,
                        None => self.value(item, &format!("{at}[{n}]"))?,
                    });
                }
                Value::Array(out)
            }
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    if v.is_null() {
                        continue;
                    }
                    let mapped = match plain(v) {
                        Some(p) => p,
                        None => {
                            let mut a = at.to_string();
                            push_key(&mut a, k);
                            self.value(v, &a)?
                        }
                    };
                    out.insert(escape_literal(k), mapped);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// [`Lowering::value`] of a value the caller gives away (a merged tag map): what maps to
    /// itself is moved, not copied.
    fn owned_value(&self, v: Value, at: &str) -> Result<Value> {
        Ok(match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (n, item) in items.into_iter().enumerate() {
                    out.push(if is_plain(&item) {
                        item
                    } else {
                        self.owned_value(item, &format!("{at}[{n}]"))?
                    });
                }
                Value::Array(out)
            }
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    if v.is_null() {
                        continue;
                    }
                    let mapped = if is_plain(&v) {
                        v
                    } else {
                        let mut a = at.to_string();
                        push_key(&mut a, &k);
                        self.owned_value(v, &a)?
                    };
                    out.insert(escape_literal(&k), mapped);
                }
                Value::Object(out)
            }
            other => self.value(&other, at)?,
        })
    }

    /// Maps the arguments `props` with `specs` into `out` (rooted at the resource, or at a
    /// nested object for blocks).
    #[allow(clippy::too_many_arguments)]
    fn block(
        &self,
        type_name: &str,
        props: &Map<String, Value>,
        specs: &ArgMap<Prop>,
        skip: &[&str],
        out: &mut Map<String, Value>,
        children: &mut Vec<ChildRes>,
        at: &str,
    ) -> Result<()> {
        for (k, v) in props {
            if v.is_null() || skip.contains(&k.as_str()) {
                continue;
            }
            if let (Some(Prop::Path(path)), Some(p)) = (specs.get(k), plain(v)) {
                insert_path(out, path, p, false);
                continue;
            }
            let mut a = at.to_string();
            push_key(&mut a, k);
            let Some(prop) = specs.get(k) else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &a,
                    no_mapping(k, type_name, FORMAT),
                ));
            };
            match prop {
                Prop::Path(path) => {
                    let mapped = self.value(v, &a)?;
                    insert_path(out, path, mapped, false);
                }
                Prop::Spec(spec) => self.spec(type_name, k, v, spec, out, children, &a)?,
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
        children: &mut Vec<ChildRes>,
        at: &str,
    ) -> Result<()> {
        if spec.ignore_if.as_ref() == Some(v) {
            return Ok(());
        }
        if let Some(reason) = &spec.unmapped {
            return Err(unmapped(
                Code::UnmappedProperty,
                at,
                no_equivalent(k, type_name, FORMAT, reason),
            ));
        }
        if spec.terraform_only.is_some() {
            return Ok(());
        }
        if let Some(allowed) = &spec.allowed {
            if !allowed.contains(v) {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!(
                        "argument `{k}` of {type_name}: only {} map to {FORMAT}",
                        list.join(", ")
                    ),
                ));
            }
            if spec.to.is_none() {
                return Ok(());
            }
        }
        if let Some(child) = &spec.child {
            return self.child(type_name, k, v, spec, child, children, at);
        }
        let mapped = self.mapped(type_name, k, v, spec, children, at)?;
        let Some(mapped) = mapped else {
            return Ok(());
        };
        write(out, spec.to.as_deref().unwrap_or(k), mapped, spec.list);
        Ok(())
    }

    /// The mapped value of one argument (`None`: nothing to write).
    fn mapped(
        &self,
        type_name: &str,
        k: &str,
        v: &Value,
        spec: &Spec,
        children: &mut Vec<ChildRes>,
        at: &str,
    ) -> Result<Option<Value>> {
        if let Some(values) = &spec.values {
            let key = match v {
                Value::String(s) if !has_markers(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => crate::blueprint::number_text(n),
                _ => {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        at,
                        format!(
                        "argument `{k}` of {type_name} must be a literal value to map to {FORMAT}"
                    ),
                    ))
                }
            };
            return match values.get(&key) {
                Some(Value::Null) => Ok(None),
                Some(c) => Ok(Some(c.clone())),
                None => {
                    let keys: Vec<&str> = values.keys().map(String::as_str).collect();
                    Err(unmapped(
                        Code::UnmappedProperty,
                        at,
                        format!(
                            "argument `{k}` of {type_name}: `{key}` has no {FORMAT} equivalent (mapped: {})",
                            keys.join(", ")
                        ),
                    ))
                }
            };
        }
        if !spec.fields.is_empty() {
            let items =
                blocks(v, k, type_name).map_err(|m| unmapped(Code::UnmappedProperty, at, m))?;
            let mut list = Vec::with_capacity(items.len());
            for (n, item) in items {
                let item_at = match n {
                    Some(n) => format!("{at}[{n}]"),
                    None => at.to_string(),
                };
                let mut obj = Map::new();
                set_all(&mut obj, &spec.set);
                self.block(
                    type_name,
                    item,
                    &spec.fields,
                    &[],
                    &mut obj,
                    children,
                    &item_at,
                )?;
                list.push(Value::Object(obj));
            }
            let mut mapped = if spec.list {
                Value::Array(list)
            } else if list.len() <= 1 {
                list.pop().unwrap_or(Value::Null)
            } else {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    at,
                    format!("argument `{k}` of {type_name} takes one block in {FORMAT}"),
                ));
            };
            if let Some(t) = &spec.transform {
                mapped = self.transform(t, mapped, k, type_name, at)?;
            }
            return Ok(Some(mapped));
        }
        let mut mapped = self.value(v, at)?;
        if let Some(p) = &spec.prefix {
            if let Some(s) = astr_of(&mapped) {
                mapped = concat(vec![lit(p.clone()), s]).to_json();
            }
        }
        if let Some(t) = &spec.transform {
            mapped = self.transform(t, mapped, k, type_name, at)?;
        }
        if let Some(key) = &spec.each {
            mapped = match mapped {
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .map(|e| {
                            let mut o = Map::new();
                            set_all(&mut o, &spec.set);
                            insert_path(&mut o, key, e, false);
                            Value::Object(o)
                        })
                        .collect(),
                ),
                other => {
                    let mut o = Map::new();
                    set_all(&mut o, &spec.set);
                    insert_path(&mut o, key, other, false);
                    Value::Array(vec![Value::Object(o)])
                }
            };
        } else if let Some(w) = &spec.wrap {
            let mut o = Map::new();
            set_all(&mut o, &spec.set);
            insert_path(&mut o, w, mapped, false);
            mapped = Value::Object(o);
        }
        if spec.list && !mapped.is_array() {
            mapped = Value::Array(vec![mapped]);
        }
        Ok(Some(mapped))
    }

    /// An argument written to a child resource of this one.
    #[allow(clippy::too_many_arguments)]
    fn child(
        &self,
        type_name: &str,
        k: &str,
        v: &Value,
        spec: &Spec,
        child: &ChildSpec,
        children: &mut Vec<ChildRes>,
        at: &str,
    ) -> Result<()> {
        let items: Vec<(Option<&Map<String, Value>>, String)> = match v {
            Value::Object(m) if !spec.fields.is_empty() => vec![(Some(m), at.to_string())],
            Value::Array(list) if !spec.fields.is_empty() => list
                .iter()
                .enumerate()
                .filter_map(|(n, i)| i.as_object().map(|m| (Some(m), format!("{at}[{n}]"))))
                .collect(),
            _ => vec![(None, at.to_string())],
        };
        for (item, item_at) in items {
            let name = match (&child.name, &child.name_arg, item) {
                (Some(n), _, _) => lit(n.clone()),
                (None, Some(arg), Some(m)) => match m.get(arg).and_then(Value::as_str) {
                    Some(s) => self.string(s, &format!("{item_at}.{arg}"), 0)?,
                    None => {
                        return Err(unmapped(
                            Code::UnmappedProperty,
                            &item_at,
                            format!("`{k}` of {type_name} needs `{arg}` in {FORMAT}"),
                        ))
                    }
                },
                _ => lit(k),
            };
            let pos = children
                .iter()
                .position(|c| c.arm_type == child.arm_type && c.name == name);
            let pos = match pos {
                Some(p) => p,
                None => {
                    let mut body = Map::new();
                    set_all(&mut body, &child.set);
                    children.push(ChildRes {
                        arm_type: child.arm_type.clone(),
                        api: child.api.clone(),
                        name,
                        body,
                    });
                    children.len() - 1
                }
            };
            let mut nested = Vec::new();
            let mut body = children
                .get_mut(pos)
                .map(|c| std::mem::take(&mut c.body))
                .unwrap_or_default();
            match item {
                Some(m) => {
                    let skip: Vec<&str> = child.name_arg.as_deref().into_iter().collect();
                    self.block(
                        type_name,
                        m,
                        &spec.fields,
                        &skip,
                        &mut body,
                        &mut nested,
                        &item_at,
                    )?;
                }
                None => {
                    let plain = Spec {
                        transform: spec.transform.clone(),
                        values: spec.values.clone(),
                        wrap: spec.wrap.clone(),
                        each: spec.each.clone(),
                        prefix: spec.prefix.clone(),
                        set: spec.set.clone(),
                        list: spec.list,
                        ..Spec::default()
                    };
                    if let Some(m) = self.mapped(type_name, k, v, &plain, &mut nested, &item_at)? {
                        write(
                            &mut body,
                            spec.to.as_deref().unwrap_or("properties"),
                            m,
                            spec.list,
                        );
                    }
                }
            }
            if let Some(c) = children.get_mut(pos) {
                c.body = body;
            }
        }
        Ok(())
    }

    fn transform(&self, t: &str, v: Value, k: &str, type_name: &str, at: &str) -> Result<Value> {
        let bad = |why: &str| {
            unmapped(
                Code::UnmappedProperty,
                at,
                format!("argument `{k}` of {type_name}: {why}"),
            )
        };
        let literal = |v: &Value| -> Option<String> {
            match astr_of(v) {
                Some(AStr::Lit(s)) => Some(s),
                _ => None,
            }
        };
        Ok(match t {
            "string" => match v {
                Value::Number(n) => Value::String(crate::blueprint::number_text(&n)),
                Value::Bool(b) => Value::String(b.to_string()),
                other => other,
            },
            "not" => match v {
                Value::Bool(b) => Value::Bool(!b),
                Value::String(_) => {
                    let e = astr_of(&v).unwrap_or(lit(""));
                    AStr::call("not", &[e]).to_json()
                }
                _ => return Err(bad("must be a bool")),
            },
            "identity" => {
                let Value::Object(mut m) = v else {
                    return Err(bad("must be a block"));
                };
                let mut out = Map::new();
                if let Some(t) = m.remove("type") {
                    out.insert("type".into(), t);
                }
                if let Some(Value::Array(ids)) = m.remove("identity_ids") {
                    let mut uai = Map::new();
                    for id in ids {
                        if let Value::String(s) = id {
                            uai.insert(s, json!({}));
                        }
                    }
                    out.insert("userAssignedIdentities".into(), Value::Object(uai));
                }
                if let Some((extra, _)) = m.iter().next() {
                    return Err(bad(&format!("`{extra}` has no {FORMAT} mapping")));
                }
                Value::Object(out)
            }
            "json" => match literal(&v) {
                Some(s) => serde_json::from_str(&s).map_err(|e| bad(&format!("not JSON: {e}")))?,
                None => AStr::call("json", &[astr_of(&v).unwrap_or(lit(""))]).to_json(),
            },
            "flex_sku" => {
                let s = literal(&v).ok_or_else(|| bad("must be a literal SKU name"))?;
                let (tier, name) = s
                    .split_once('_')
                    .ok_or_else(|| bad("expected <tier>_<name>, e.g. GP_Standard_D2ds_v5"))?;
                let tier = match tier {
                    "B" => "Burstable",
                    "GP" => "GeneralPurpose",
                    "MO" => "MemoryOptimized",
                    _ => return Err(bad("the tier prefix must be B, GP or MO")),
                };
                json!({"name": name, "tier": tier})
            }
            "sku_capacity" => {
                let s = literal(&v).ok_or_else(|| bad("must be a literal SKU name"))?;
                let (name, cap) = s
                    .split_once('_')
                    .ok_or_else(|| bad("expected <sku>_<capacity>, e.g. Developer_1"))?;
                let cap: u64 = cap
                    .parse()
                    .map_err(|_| bad("the capacity must be a number"))?;
                json!({"name": name, "capacity": cap})
            }
            "mb_to_gb" => match v.as_u64() {
                Some(mb) if mb % 1024 == 0 => json!(mb / 1024),
                _ => {
                    return Err(bad(
                        "must be a whole number of GiB in MB (a multiple of 1024)",
                    ))
                }
            },
            "gb_to_bytes" => match v.as_u64().and_then(|gb| gb.checked_mul(1 << 30)) {
                Some(b) => json!(b),
                None => return Err(bad("must be a whole number")),
            },
            "join" => match v {
                Value::Array(items) => {
                    let mut parts = Vec::new();
                    for (n, i) in items.iter().enumerate() {
                        if n > 0 {
                            parts.push(lit(", "));
                        }
                        parts.push(astr_of(i).ok_or_else(|| bad("must be a list of strings"))?);
                    }
                    concat(parts).to_json()
                }
                other => other,
            },
            "name_value_list" => match v {
                Value::Object(m) => Value::Array(
                    m.into_iter()
                        .map(|(name, value)| json!({"name": name, "value": value}))
                        .collect(),
                ),
                _ => return Err(bad("must be a map")),
            },
            "epoch" => match astr_of(&v) {
                Some(s) => AStr::call("dateTimeToEpoch", &[s]).to_json(),
                None => return Err(bad("must be an RFC 3339 date")),
            },
            "role" => {
                let s = literal(&v).ok_or_else(|| {
                    bad("must be a literal built-in role name (or use role_definition_id)")
                })?;
                let guid = self.map.roles.get(&s).ok_or_else(|| {
                    bad(&format!(
                        "`{s}` is not a built-in role this generator knows; use role_definition_id"
                    ))
                })?;
                AStr::call(
                    "subscriptionResourceId",
                    &[
                        lit("Microsoft.Authorization/roleDefinitions"),
                        lit(guid.clone()),
                    ],
                )
                .to_json()
            }
            "dns_zone_configs" => match v {
                Value::Array(ids) => {
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        let a = astr_of(&id).ok_or_else(|| bad("must be a list of zone IDs"))?;
                        let name = match &a {
                            AStr::Lit(s) => {
                                lit(s.rsplit('/').next().unwrap_or_default().replace('.', "-"))
                            }
                            e => AStr::call(
                                "replace",
                                &[
                                    AStr::call(
                                        "last",
                                        &[AStr::call("split", &[e.clone(), lit("/")])],
                                    ),
                                    lit("."),
                                    lit("-"),
                                ],
                            ),
                        };
                        out.push(
                            json!({"name": name.to_json(), "properties": {"privateDnsZoneId": id}}),
                        );
                    }
                    Value::Array(out)
                }
                _ => return Err(bad("must be a list of zone IDs")),
            },
            "ssh_keys" => {
                let items = match v {
                    Value::Array(items) => items,
                    o @ Value::Object(_) => vec![o],
                    _ => return Err(bad("must be a list of blocks")),
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let user = item
                        .get("username")
                        .and_then(astr_of)
                        .ok_or_else(|| bad("needs username"))?;
                    let key = item
                        .get("public_key")
                        .cloned()
                        .ok_or_else(|| bad("needs public_key"))?;
                    let path = concat(vec![lit("/home/"), user, lit("/.ssh/authorized_keys")]);
                    out.push(json!({"path": path.to_json(), "keyData": key}));
                }
                Value::Array(out)
            }
            "list" => match v {
                Value::Array(_) => v,
                other => Value::Array(vec![other]),
            },
            other => {
                return Err(bad(&format!(
                    "unknown transform `{other}` in the mapping data"
                )))
            }
        })
    }
}

/// A value that maps to itself in ARM syntax (a number, a bool, literal text that ARM does not
/// read as an expression), with no path to compute; `None` for anything else.
fn plain(v: &Value) -> Option<Value> {
    is_plain(v).then(|| v.clone())
}

/// Whether [`plain`] gives the value back.
fn is_plain(v: &Value) -> bool {
    match v {
        Value::String(s) => {
            let looks_like_expression = s.starts_with('[') && s.ends_with(']');
            !has_markers(s) && !looks_like_expression
        }
        Value::Number(_) | Value::Bool(_) => true,
        _ => false,
    }
}

/// `identity[0].principal_id` for an attribute path.
fn attribute_key(steps: &[Step]) -> String {
    let mut s = String::new();
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Attr(a) => {
                if n > 0 {
                    s.push('.');
                }
                s.push_str(a);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Writes `value` at the dotted `path` of `out` (`.`: merges an object's dotted keys); `append`
/// extends a list already there.
fn write(out: &mut Map<String, Value>, path: &str, value: Value, append: bool) {
    if path == "." {
        if let Value::Object(m) = value {
            for (k, v) in m {
                insert_key(out, k, v, append);
            }
        }
        return;
    }
    insert_path(out, path, value, append);
}

/// Inserts at a dotted path, creating objects on the way; objects merge, lists append when
/// `append`.
fn insert_path(out: &mut Map<String, Value>, path: &str, value: Value, append: bool) {
    match path.split_once('.') {
        None => match (out.get_mut(path), value) {
            (Some(Value::Object(existing)), Value::Object(new)) => {
                for (k, v) in new {
                    insert_key(existing, k, v, append);
                }
            }
            (Some(Value::Array(existing)), Value::Array(new)) if append => existing.extend(new),
            (_, value) => {
                out.insert(path.to_string(), value);
            }
        },
        Some((head, rest)) => {
            // Only a new (or replaced) key is copied.
            if !matches!(out.get(head), Some(Value::Object(_))) {
                out.insert(head.to_string(), Value::Object(Map::new()));
            }
            if let Some(Value::Object(m)) = out.get_mut(head) {
                insert_path(m, rest, value, append);
            }
        }
    }
}

/// [`insert_path`] with a path the caller owns: a key without dots is moved into `out`
/// instead of copied.
fn insert_key(out: &mut Map<String, Value>, key: String, value: Value, append: bool) {
    if key.contains('.') {
        return insert_path(out, &key, value, append);
    }
    match (out.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                insert_key(existing, k, v, append);
            }
        }
        (Some(Value::Array(existing)), Value::Array(new)) if append => existing.extend(new),
        (_, value) => {
            out.insert(key, value);
        }
    }
}

/// Writes constants (keys are dotted paths).
fn set_all(out: &mut Map<String, Value>, set: &Map<String, Value>) {
    for (k, v) in set {
        insert_path(out, k, v.clone(), false);
    }
}

/// The ARM parameter of a variable.
fn parameter(
    v: &crate::blueprint::Variable,
    path: &str,
    lw: &Lowering,
) -> Result<Map<String, Value>> {
    if v.default.as_ref().is_some_and(Value::is_null) {
        // Terraform's `default = null` makes a variable optional with no value; a parameter of a
        // 2019-04-01 template has no null (`nullable` needs languageVersion 2.0).
        return Err(unmapped(
            Code::UnmappedProperty,
            &format!("{path}.default"),
            format!("a null default (an optional variable with no value) has no {FORMAT} parameter equivalent; give the variable a real default or none"),
        ));
    }
    let arm_type = param_type(v, path)?;
    let mut p = Map::new();
    p.insert("type".into(), json!(arm_type));
    if let Some(d) = &v.default {
        p.insert("defaultValue".into(), literal_value(d, lw));
    }
    if let Some(desc) = &v.description {
        p.insert("metadata".into(), json!({"description": desc}));
    }
    Ok(p)
}

/// A literal blueprint value (a variable default: no references) in ARM syntax.
fn literal_value(v: &Value, lw: &Lowering) -> Value {
    let _ = lw;
    match v {
        Value::String(s) => Value::String(escape_literal(s)),
        Value::Array(items) => Value::Array(items.iter().map(|i| literal_value(i, lw)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (escape_literal(k), literal_value(v, lw)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn param_type(v: &crate::blueprint::Variable, path: &str) -> Result<&'static str> {
    let ty = match v.var_type.as_deref() {
        Some(t) => VarType::parse(t)
            .map_err(|e| unmapped(Code::UnmappedProperty, &format!("{path}.type"), e))?,
        None => match &v.default {
            Some(Value::Number(_)) => VarType::Number,
            Some(Value::Bool(_)) => VarType::Bool,
            Some(Value::Array(_)) => VarType::List(Box::new(VarType::Any)),
            Some(Value::Object(_)) => VarType::Map(Box::new(VarType::Any)),
            _ => VarType::String,
        },
    };
    let ty = match ty {
        VarType::Any => match &v.default {
            Some(Value::Number(_)) => VarType::Number,
            Some(Value::Bool(_)) => VarType::Bool,
            Some(Value::Array(_)) => VarType::List(Box::new(VarType::Any)),
            Some(Value::Object(_)) => VarType::Map(Box::new(VarType::Any)),
            Some(Value::String(_)) => VarType::String,
            _ => {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &format!("{path}.type"),
                    format!(
                        "{FORMAT} parameters have a type: give this variable a type or a default"
                    ),
                ))
            }
        },
        t => t,
    };
    if let (VarType::Number, Some(Value::Number(n))) = (&ty, &v.default) {
        if !(n.is_i64() || n.is_u64()) {
            return Err(unmapped(
                Code::UnmappedProperty,
                &format!("{path}.default"),
                format!("{FORMAT} number parameters are whole numbers (int)"),
            ));
        }
    }
    Ok(match (ty, v.sensitive) {
        (VarType::String, false) => "string",
        (VarType::String, true) => "securestring",
        (VarType::Number, false) => "int",
        (VarType::Bool, false) => "bool",
        (VarType::List(_) | VarType::Set(_), false) => "array",
        (VarType::Map(_), false) => "object",
        (VarType::Map(_), true) => "secureObject",
        (other, true) => {
            return Err(unmapped(
                Code::UnmappedProperty,
                &format!("{path}.sensitive"),
                format!("{FORMAT} hides only string and object parameters (securestring, secureObject); this one is {other}"),
            ))
        }
        (VarType::Any, false) => "string",
    })
}

/// Lowers the blueprint to the parts of an ARM template, handing each to `emit` as soon as it is
/// made: the head first, then the resources in order (none when the head fails).
fn lower_parts(bp: &CheckedBlueprint, emit: &mut dyn FnMut(Piece)) -> Result<()> {
    let map = mapping()?;
    let doc = bp.blueprint();
    let mut lw = Lowering {
        bp,
        map,
        placements: Vec::with_capacity(doc.resources.len()),
        params: HashMap::new(),
        group: None,
        types: bp
            .resource_infos()
            .iter()
            .map(|i| map.types.get(&i.type_name))
            .collect(),
        ids: RefCell::new(HashMap::new()),
        names: RefCell::new(HashMap::new()),
        strings: RefCell::new(HashMap::new()),
        nested_in: HashMap::new(),
    };
    let mut findings = Vec::new();

    // Parameters first (their types matter in concat()).
    let mut ns = Namespace::default();
    for (i, v) in doc.variables.iter().enumerate() {
        let at = format!("variables[{i}]");
        ns.claim(&v.name, &format!("{at}.name"))?;
        lw.params.insert(&v.name, param_type(v, &at)?);
    }

    // Placements.
    for (i, r, info) in bp.iter() {
        let Some(tm) = lw.type_map(i) else {
            let supported: Vec<&str> = map.types.keys().map(String::as_str).collect();
            findings.push(Finding::error(
                Code::UnmappedType,
                format!("resources[{i}].type"),
                format!(
                    "resource type {} has no {FORMAT} mapping (mapped types: {})",
                    info.type_name,
                    supported.join(", ")
                ),
            ));
            lw.placements.push(Placement::None);
            continue;
        };
        if let Some(reason) = &tm.unmapped {
            findings.push(Finding::error(
                Code::UnmappedType,
                format!("resources[{i}].type"),
                format!(
                    "resource type {} has no {FORMAT} equivalent: {reason}",
                    info.type_name
                ),
            ));
            lw.placements.push(Placement::None);
            continue;
        }
        if tm.resource_group {
            if let Some(first) = lw.group {
                findings.push(Finding::error(
                    Code::UnmappedType,
                    format!("resources[{i}].type"),
                    format!(
                        "an {FORMAT} template is deployed into one resource group, and resources[{first}] already is it; split the blueprint per resource group"
                    ),
                ));
                lw.placements.push(Placement::None);
                continue;
            }
            if r.count.is_some() {
                findings.push(Finding::error(
                    Code::UnmappedProperty,
                    format!("resources[{i}].count"),
                    format!(
                        "the resource group is the {FORMAT} deployment's target; it takes no count"
                    ),
                ));
            }
            lw.group = Some(i);
            lw.placements.push(Placement::Group);
            continue;
        }
        if let Some(fold) = &tm.fold {
            let at = format!("resources[{i}].properties.{}", fold.via);
            let target = single_reference(r, &fold.via, &at).and_then(|rf| match rf {
                Reference::Resource { name, .. } => bp.index_of(&name),
                Reference::Variable { .. } => None,
            });
            match target {
                Some(t)
                    if r.count.is_none()
                        && bp.resources().get(t).is_some_and(|x| x.count.is_none()) =>
                {
                    lw.placements.push(Placement::Folded(t))
                }
                _ => {
                    findings.push(Finding::error(
                        Code::UnmappedProperty,
                        at,
                        format!(
                            "{} is a property of another resource in {FORMAT}: `{}` must reference that resource of the blueprint (and neither takes a count)",
                            info.type_name, fold.via
                        ),
                    ));
                    lw.placements.push(Placement::None);
                }
            }
            continue;
        }
        lw.placements.push(Placement::Own);
    }
    // A folded resource must land on a resource of the template.
    for (i, p) in lw.placements.clone().iter().enumerate() {
        if let Placement::Folded(t) = p {
            if lw.placements.get(*t) != Some(&Placement::Own) {
                findings.push(Finding::error(
                    Code::UnmappedProperty,
                    format!("resources[{i}].properties"),
                    format!(
                        "{} must reference a resource that exists on its own in {FORMAT}",
                        lw.type_name(i)
                    ),
                ));
            }
        }
    }
    lw.nested_in = nested_children(&lw, &mut findings);
    if !findings.is_empty() {
        return Err(Error::new(ErrorKind::Generate, findings));
    }

    // The resource group: every resource goes into it.
    let mut group_target: Option<(String, String)> = None;
    let mut checked_group_name: Option<&str> = None;
    for (i, r, _) in bp.iter() {
        if lw.placements.get(i) != Some(&Placement::Own) {
            continue;
        }
        let Some(Value::String(s)) = r.properties.get("resource_group_name") else {
            continue;
        };
        // Most resources give the same text (`${rg.name}`): it was checked already.
        if lw.group.is_some() && checked_group_name == Some(s.as_str()) {
            continue;
        }
        let at = format!("resources[{i}].properties.resource_group_name");
        let points_at_group = lw.group.is_some_and(|g| {
            parse_template(s, &at)
                .ok()
                .and_then(|t| t.as_single_reference().cloned())
                .is_some_and(|rf| match rf {
                    Reference::Resource {
                        name, attribute, ..
                    } => bp.index_of(&name) == Some(g) && attribute_key(&attribute) == "name",
                    Reference::Variable { .. } => false,
                })
        });
        let ok = match (&lw.group, &group_target) {
            (Some(_), _) => points_at_group,
            (None, None) => {
                group_target = Some((s.clone(), at.clone()));
                true
            }
            (None, Some((first, _))) => first == s,
        };
        if !ok {
            let want = match (lw.group, &group_target) {
                (Some(g), _) => format!(
                    "`${{{}.name}}`",
                    bp.resources()
                        .get(g)
                        .map(|x| x.name.as_str())
                        .unwrap_or("rg")
                ),
                (None, Some((first, p))) => format!("`{first}` (as at {p})"),
                (None, None) => String::new(),
            };
            return Err(unmapped(
                Code::UnmappedProperty,
                &at,
                format!(
                    "an {FORMAT} template is deployed into one resource group: resource_group_name must be {want}"
                ),
            ));
        }
        checked_group_name = Some(s);
    }

    // Resource-group tags: `Microsoft.Resources/tags` named `default` sets the tags of the
    // resource group the template is deployed to.
    let mut group_tags: Option<Value> = None;
    let mut metadata = Map::new();
    metadata.insert("_generator".into(), json!({"name": "iac-dharma"}));
    if let Some(g) = lw.group {
        let r = bp.resources().get(g);
        let base = format!("resources[{g}].properties");
        let mut target = Map::new();
        for (k, v) in r.map(|r| &r.properties).into_iter().flatten() {
            let tag_arg = bp
                .resource_info(g)
                .and_then(|i| i.tag_argument.as_deref())
                .unwrap_or("tags");
            match k.as_str() {
                "name" | "location" => {
                    if let Some(s) = v.as_str().filter(|s| !has_markers(s)) {
                        target.insert(k.clone(), json!(s));
                    }
                }
                t if t == tag_arg => {}
                _ if v.is_null() => {}
                other => {
                    return Err(unmapped(
                        Code::UnmappedProperty,
                        &format!("{base}.{other}"),
                        format!(
                            "argument `{other}` of azurerm_resource_group has no {FORMAT} equivalent: the resource group is the deployment's target (created with `az group create`)"
                        ),
                    ))
                }
            }
        }
        if !target.is_empty() {
            metadata.insert("resourceGroup".into(), Value::Object(target));
        }
        let tags = merged_tags(bp, g);
        if !tags.is_empty() {
            let tags = lw.text_map(tags, &format!("{base}.tags"))?;
            group_tags = Some(json!({
                "type": "Microsoft.Resources/tags",
                "apiVersion": TAGS_API,
                "name": "default",
                "properties": {"tags": tags},
            }));
        }
    } else if let Some((name, _)) = &group_target {
        if !has_markers(name) {
            metadata.insert("resourceGroup".into(), json!({"name": name}));
        }
    }
    if let Some(d) = &doc.description {
        metadata.insert("description".into(), json!(d));
    }

    // Everything but the resources, made before them so that it can be written first (`resources`
    // is the last key of the template); an error in it is reported only when the resources have
    // none (they come first in the template's order of checks).
    let head = head(&lw, metadata);
    let (head, head_error) = match head {
        Ok(h) => (Some(h), None),
        Err(e) => (None, Some(e)),
    };
    let write = head.is_some();
    if let Some(h) = head {
        emit(Piece::Head(h));
    }
    let mut push = |v: Value| {
        if write {
            emit(Piece::Resource(v));
        }
    };
    if let Some(t) = group_tags {
        push(t);
    }

    // Folded resources, by target.
    let mut folded_into: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (j, p) in lw.placements.iter().enumerate() {
        if let Placement::Folded(t) = p {
            folded_into.entry(*t).or_default().push(j);
        }
    }
    // Nested resources, by parent, in blueprint order.
    let mut nested: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut by_child: Vec<(usize, usize)> = lw.nested_in.iter().map(|(c, p)| (*c, *p)).collect();
    by_child.sort_unstable();
    for (c, p) in by_child {
        nested.entry(p).or_default().push(c);
    }

    // Types Azure creates one at a time per parent (subnets of a virtual network): each sibling
    // waits for the previous one, in the dependency graph's order (so no cycle can appear).
    let mut previous_sibling: HashMap<usize, usize> = HashMap::new();
    let mut last_of_parent: HashMap<String, usize> = HashMap::new();
    for &i in bp.graph().order() {
        let Some(tm) = lw.type_map(i).filter(|m| m.serial) else {
            continue;
        };
        // A nested sibling is part of its parent: nothing to wait for.
        if lw.placements.get(i) != Some(&Placement::Own) || lw.nested_in.contains_key(&i) {
            continue;
        }
        let inst = if lw.count(i).is_some() {
            Inst::Copy
        } else {
            Inst::One
        };
        let mut segs = lw.segments(i, inst, 0)?;
        segs.pop();
        let key = format!(
            "{}|{}",
            tm.arm_type.as_deref().unwrap_or_default(),
            segs.iter().map(AStr::to_text).collect::<Vec<_>>().join("/")
        );
        if let Some(prev) = last_of_parent.insert(key, i) {
            previous_sibling.insert(i, prev);
        }
    }

    for (i, r, info) in bp.iter() {
        if i % CACHE_SPAN == 0 {
            lw.forget();
        }
        if lw.placements.get(i) != Some(&Placement::Own) || lw.nested_in.contains_key(&i) {
            continue;
        }
        let Some(tm) = lw.type_map(i) else {
            continue;
        };
        let base = props_path(i);
        let inst = if r.count.is_some() {
            Inst::Copy
        } else {
            Inst::One
        };
        let arm_type = tm.arm_type.clone().unwrap_or_default();
        let api = tm.api.clone().unwrap_or_default();
        let tag_arg = info.tag_argument.as_deref();
        let Body {
            mut body,
            children,
            mut extra_deps,
        } = own_body(&lw, i, &folded_into)?;

        // Nested children (subnets of this virtual network) are items of one of its lists.
        let mut nested_children: Vec<(Vec<AStr>, ChildRes)> = Vec::new();
        let mut nested_locks: Vec<(AStr, String)> = Vec::new();
        let mut nested_comments: Vec<String> = Vec::new();
        for &j in nested.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
            let (Some(child), Some(into)) = (
                bp.resources().get(j),
                lw.type_map(j)
                    .and_then(|m| m.nest.as_ref())
                    .map(|n| n.into.as_str()),
            ) else {
                continue;
            };
            let Body {
                body: cbody,
                children: cchildren,
                extra_deps: cdeps,
            } = own_body(&lw, j, &folded_into)?;
            let csegs = lw.segments(j, Inst::One, 0)?;
            let mut item = Map::new();
            if let Some(n) = csegs.last() {
                item.insert("name".into(), n.to_json());
            }
            for (k, v) in cbody {
                insert_key(&mut item, k, v, false);
            }
            insert_path(
                &mut body,
                into,
                Value::Array(vec![Value::Object(item)]),
                true,
            );
            extra_deps.extend(bp.graph().dependencies(j));
            extra_deps.extend(cdeps);
            nested_children.extend(cchildren.into_iter().map(|c| (csegs.clone(), c)));
            let address = bp
                .resource_info(j)
                .map(|x| x.address.clone())
                .unwrap_or_default();
            if child.lifecycle.prevent_destroy {
                nested_locks.push((lw.resource_id(j, Inst::One, 0, &base)?, address.clone()));
            }
            // A list item has no `comments`: the parent's say it.
            let notes = resource_notes(child, "it");
            if !notes.is_empty() {
                nested_comments.push(format!("{address}: {}", notes.join(" ")));
            }
        }

        let segs = lw.segments(i, inst, 0)?;
        let own_id = lw.resource_id(i, inst, 0, &base)?;
        let mut res = Map::new();
        res.insert("type".into(), json!(arm_type));
        res.insert("apiVersion".into(), json!(api));
        res.insert("name".into(), Lowering::full_name(&segs).to_json());
        if let Some(scope) = lw.scope(i, 0)? {
            res.insert("scope".into(), scope.to_json());
        }
        if let Some(loc) = lw.location(i, 0)? {
            res.insert("location".into(), loc.to_json());
        }
        if tag_arg.is_some() {
            let tags = merged_tags(bp, i);
            if !tags.is_empty() {
                let t = lw.text_map(tags, &format!("{base}.{}", tag_arg.unwrap_or("tags")))?;
                insert_path(&mut res, tm.tags.as_deref().unwrap_or("tags"), t, false);
            }
        }
        for (k, v) in body {
            insert_key(&mut res, k, v, false);
        }
        if let Some(n) = r.count {
            let copy = if tm.serial {
                json!({"name": r.name, "count": n, "mode": "serial", "batchSize": 1})
            } else {
                json!({"name": r.name, "count": n})
            };
            res.insert("copy".into(), copy);
        }
        let mut comments = resource_notes(r, "this resource");
        comments.extend(nested_comments);
        if !comments.is_empty() {
            res.insert("comments".into(), json!(comments.join(" ")));
        }

        // dependsOn: every dependency of the graph that is a resource of the template.
        let mut deps: Vec<usize> = bp.graph().dependencies(i);
        deps.extend(extra_deps);
        deps.extend(previous_sibling.get(&i).copied());
        deps.sort_unstable();
        deps.dedup();
        let mut depends: Vec<Value> = Vec::new();
        for d in deps {
            // A nested resource is deployed with its parent.
            let target = match lw.placements.get(d) {
                Some(Placement::Own) => lw.host(d),
                Some(Placement::Folded(t)) => lw.host(*t),
                _ => continue,
            };
            if target == i {
                continue;
            }
            let entry = match bp.resources().get(target).and_then(|x| x.count) {
                Some(_) => json!(bp
                    .resources()
                    .get(target)
                    .map(|x| x.name.clone())
                    .unwrap_or_default()),
                None => lw.resource_id(target, Inst::One, 0, &base)?.to_json(),
            };
            if !depends.contains(&entry) {
                depends.push(entry);
            }
        }
        if !depends.is_empty() {
            res.insert("dependsOn".into(), Value::Array(depends));
        }
        push(Value::Object(res));

        // Child resources from blocks, then the delete lock.
        for c in children {
            let copy = r.count.map(|n| {
                let last = c.arm_type.rsplit('/').next().unwrap_or_default();
                json!({"name": format!("{}-{last}-{}", r.name, c.name.to_text()), "count": n})
            });
            push(child_resource(segs.clone(), c, copy, own_id.to_json()));
        }
        // Children of a nested resource (it has no `count`) are named under it.
        for (psegs, c) in nested_children {
            push(child_resource(psegs, c, None, own_id.to_json()));
        }
        for (scope, address) in nested_locks {
            push(json!({
                "type": "Microsoft.Authorization/locks",
                "apiVersion": LOCKS_API,
                "name": "prevent-destroy",
                "scope": scope.to_json(),
                "properties": {"level": "CanNotDelete", "notes": format!("lifecycle.prevent_destroy of {address}")},
                "dependsOn": [own_id.to_json()],
            }));
        }
        if r.lifecycle.prevent_destroy {
            let mut lock = Map::new();
            lock.insert("type".into(), json!("Microsoft.Authorization/locks"));
            lock.insert("apiVersion".into(), json!(LOCKS_API));
            lock.insert("name".into(), json!("prevent-destroy"));
            lock.insert("scope".into(), own_id.to_json());
            lock.insert(
                "properties".into(),
                json!({"level": "CanNotDelete", "notes": format!("lifecycle.prevent_destroy of {}", info.address)}),
            );
            if let Some(n) = r.count {
                lock.insert(
                    "copy".into(),
                    json!({"name": format!("{}-lock", r.name), "count": n}),
                );
            }
            lock.insert("dependsOn".into(), json!([own_id.to_json()]));
            push(Value::Object(lock));
        }
    }

    match head_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A child resource written from a block (`parent/child`): under `parent_segs`, with its copy
/// loop when the parent has one, depending on `parent_id`.
fn child_resource(
    mut parent_segs: Vec<AStr>,
    c: ChildRes,
    copy: Option<Value>,
    parent_id: Value,
) -> Value {
    let mut child = Map::new();
    parent_segs.push(c.name.clone());
    child.insert("type".into(), json!(c.arm_type));
    child.insert("apiVersion".into(), json!(c.api));
    child.insert("name".into(), Lowering::full_name(&parent_segs).to_json());
    for (k, v) in c.body {
        insert_key(&mut child, k, v, false);
    }
    if let Some(copy) = copy {
        child.insert("copy".into(), copy);
    }
    child.insert("dependsOn".into(), json!([parent_id]));
    Value::Object(child)
}

/// The reference an argument of `r` is made of (`${x.name}`), when it is exactly one.
fn single_reference(r: &crate::blueprint::Resource, arg: &str, at: &str) -> Option<Reference> {
    let text = r.properties.get(arg)?.as_str()?;
    parse_template(text, at)
        .ok()?
        .as_single_reference()
        .cloned()
}

/// A resource's description and what ARM cannot say of its lifecycle, as `comments` (`it`: how
/// the notes name the resource).
fn resource_notes(r: &crate::blueprint::Resource, it: &str) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(d) = &r.description {
        notes.push(d.clone());
    }
    let ignored = &r.lifecycle.ignore_changes;
    if ignored.iter().any(|c| c == "all") {
        notes.push(format!(
            "Terraform ignores every later change to {it} (ignore_changes = all); ARM has no such setting: a redeployment sets it to this template's values."
        ));
    } else if !ignored.is_empty() {
        notes.push(format!(
            "Terraform ignores later changes to {}; ARM has no such setting: a redeployment sets them to this template's values.",
            ignored.join(", ")
        ));
    }
    if r.lifecycle.create_before_destroy {
        notes.push(format!(
            "Terraform replaces {it} create-before-destroy; ARM updates in place."
        ));
    }
    notes
}

/// Which resources are written inside their parent's properties (see [`Nest`]): child → parent.
/// A child is nested when its `via` argument is `${parent.name}` of a resource of the template of
/// the parent ARM type, neither has `count`, and the parent would not come to depend on itself
/// (a dependency of the child, or of what folds into it, that depends on the parent in turn: a
/// route table whose next hop is a firewall in another subnet of the same network). A parent
/// that also has the inline blocks for that list is an error, as in Terraform.
fn nested_children(lw: &Lowering, findings: &mut Vec<Finding>) -> HashMap<usize, usize> {
    let bp = lw.bp;
    let mut nested: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, r, _) in bp.iter() {
        let Some(tm) = lw.type_map(i) else { continue };
        let Some(nest) = &tm.nest else { continue };
        if lw.placements.get(i) != Some(&Placement::Own) || r.count.is_some() {
            continue;
        }
        let at = format!("resources[{i}].properties.{}", nest.via);
        let parent = single_reference(r, &nest.via, &at).and_then(|rf| match rf {
            Reference::Resource {
                name,
                index: None,
                attribute,
            } if attribute_key(&attribute) == "name" => bp.index_of(&name),
            _ => None,
        });
        let Some(p) = parent else { continue };
        let parent_type = tm
            .arm_type
            .as_deref()
            .and_then(|t| t.rsplit_once('/'))
            .map(|(parent, _)| parent);
        let fits = p != i
            && parent_type.is_some()
            && lw.type_map(p).and_then(|m| m.arm_type.as_deref()) == parent_type
            && lw.placements.get(p) == Some(&Placement::Own)
            && lw.count(p).is_none();
        if fits {
            nested.insert(i, p);
        }
    }
    // One level: a parent stays a resource of its own even where it could nest itself.
    let parents: Vec<usize> = nested.values().copied().collect();
    for p in parents {
        nested.remove(&p);
    }

    // What depends on each parent, directly or not; what folds into each child.
    let mut folded_by: HashMap<usize, Vec<usize>> = HashMap::new();
    for (j, pl) in lw.placements.iter().enumerate() {
        if let Placement::Folded(t) = pl {
            folded_by.entry(*t).or_default().push(j);
        }
    }
    let mut radius: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in nested.values() {
        radius
            .entry(*p)
            .or_insert_with(|| bp.graph().blast_radius(*p));
    }
    loop {
        let mut cyclic = Vec::new();
        for (&i, &p) in &nested {
            let mut deps = bp.graph().dependencies(i);
            for &j in folded_by.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
                deps.extend(bp.graph().dependencies(j));
            }
            let dependents = radius.get(&p).map(Vec::as_slice).unwrap_or(&[]);
            let loops = deps.iter().any(|&d| {
                let d = match lw.placements.get(d) {
                    Some(Placement::Folded(t)) => *t,
                    _ => d,
                };
                d != p
                    && d != i
                    && nested.get(&d) != Some(&p)
                    && dependents.binary_search(&d).is_ok()
            });
            if loops {
                cyclic.push(i);
            }
        }
        if cyclic.is_empty() {
            break;
        }
        for i in cyclic {
            nested.remove(&i);
        }
    }

    // Inline blocks and separate children of one parent: Terraform's provider overwrites one
    // with the other, so the blueprint says two things.
    let mut reported: Vec<usize> = Vec::new();
    for (&i, &p) in &nested {
        if reported.contains(&p) {
            continue;
        }
        let Some(into) = lw
            .type_map(i)
            .and_then(|m| m.nest.as_ref())
            .map(|n| n.into.as_str())
        else {
            continue;
        };
        let inline = lw.type_map(p).and_then(|m| {
            (&m.properties).into_iter().find_map(|(k, prop)| {
                let to = match prop {
                    Prop::Path(path) => Some(path.as_str()),
                    Prop::Spec(spec) => spec.to.as_deref(),
                };
                (to == Some(into)).then_some(k.as_str())
            })
        });
        let Some(arg) = inline else { continue };
        let set = lw.arg(p, arg).is_some_and(|(_, v)| match v {
            Value::Array(a) => !a.is_empty(),
            _ => true,
        });
        if !set {
            continue;
        }
        reported.push(p);
        let children: Vec<String> = nested
            .iter()
            .filter(|(_, q)| **q == p)
            .map(|(c, _)| format!("resources[{c}]"))
            .collect();
        findings.push(Finding::error(
            Code::UnmappedProperty,
            format!("resources[{p}].properties.{arg}"),
            format!(
                "{} `{}` declares `{arg}` blocks and {} {} also name it; Terraform's provider overwrites one with the other when both are used: declare them one way",
                lw.type_name(p),
                bp.resources().get(p).map(|r| r.name.as_str()).unwrap_or_default(),
                lw.type_name(i),
                children.join(", "),
            ),
        ));
    }
    nested.into_iter().collect()
}

/// The properties of a resource of the template, the child resources its blocks make, and the
/// dependencies of the resources folded into it.
struct Body {
    body: Map<String, Value>,
    children: Vec<ChildRes>,
    extra_deps: Vec<usize>,
}

/// [`Body`] of resource `i` (its own arguments and the resources folded into it).
fn own_body(lw: &Lowering, i: usize, folded_into: &BTreeMap<usize, Vec<usize>>) -> Result<Body> {
    let bp = lw.bp;
    let (Some(r), Some(info), Some(tm)) =
        (bp.resources().get(i), bp.resource_info(i), lw.type_map(i))
    else {
        return Ok(Body {
            body: Map::new(),
            children: Vec::new(),
            extra_deps: Vec::new(),
        });
    };
    let base = props_path(i);
    // Arguments that name, place or scope the resource are not properties.
    let mut skip: Vec<&str> = vec!["resource_group_name"];
    let segs_spec = name_segments(tm);
    for s in segs_spec {
        if let Some(a) = &s.arg {
            skip.extend(a.split('|'));
        }
    }
    let loc_arg = tm.location.as_deref().unwrap_or("location");
    if !matches!(loc_arg, "none" | "global" | "parent") {
        skip.push(loc_arg);
    } else if loc_arg == "global" {
        skip.push("location");
    }
    if let Some(s) = &tm.scope {
        skip.push(s);
    }
    let tag_arg = info.tag_argument.as_deref();
    if let Some(t) = tag_arg {
        skip.push(t);
    }
    for c in &tm.combine {
        skip.extend(c.args.iter().map(String::as_str));
    }

    let mut body = Map::new();
    // Defaults first: an argument mapped to the same path replaces its default.
    set_all(&mut body, &tm.defaults);
    set_all(&mut body, &tm.set);
    let mut children = Vec::new();
    lw.block(
        &info.type_name,
        &r.properties,
        &tm.properties,
        &skip,
        &mut body,
        &mut children,
        &base,
    )?;
    for c in &tm.combine {
        let mut parts = Vec::new();
        for (n, a) in c.args.iter().enumerate() {
            let Some((name, v)) = lw.arg(i, a) else {
                continue;
            };
            let at = format!("{base}.{name}");
            let s = v.as_str().ok_or_else(|| {
                unmapped(
                    Code::UnmappedProperty,
                    &at,
                    format!("`{name}` must be a string"),
                )
            })?;
            if n > 0 && !parts.is_empty() {
                parts.push(lit(c.sep.clone()));
            }
            parts.push(lw.string(s, &at, 0)?);
        }
        if !parts.is_empty() {
            insert_path(&mut body, &c.to, concat(parts).to_json(), false);
        }
    }

    // Folded resources write into this one.
    let mut extra_deps: Vec<usize> = Vec::new();
    for &j in folded_into.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
        let (Some(other), Some(ftm)) = (bp.resources().get(j), lw.type_map(j)) else {
            continue;
        };
        let Some(fold) = &ftm.fold else { continue };
        let fbase = props_path(j);
        let mut obj = Map::new();
        set_all(&mut obj, &fold.set);
        let mut nested = Vec::new();
        let mut fskip = vec![fold.via.as_str(), "resource_group_name"];
        if fold.id_type.is_some() {
            fskip.push("name");
            if let Some(Value::String(n)) = other.properties.get("name") {
                insert_path(
                    &mut obj,
                    "name",
                    lw.string(n, &format!("{fbase}.name"), 0)?.to_json(),
                    false,
                );
            }
        }
        let ftype = lw.type_name(j);
        lw.block(
            ftype,
            &other.properties,
            &fold.fields,
            &fskip,
            &mut obj,
            &mut nested,
            &fbase,
        )?;
        let value = if fold.list {
            Value::Array(vec![Value::Object(obj)])
        } else {
            Value::Object(obj)
        };
        insert_path(&mut body, &fold.into, value, fold.list);
        extra_deps.extend(bp.graph().dependencies(j));
    }

    Ok(Body {
        body,
        children,
        extra_deps,
    })
}

/// One part of the template, as [`lower_parts`] makes them.
enum Piece {
    /// Every entry of the template but `resources` (`$schema`, `contentVersion`, `metadata`,
    /// `outputs`, `parameters`).
    Head(Map<String, Value>),
    /// The next entry of `resources`.
    Resource(Value),
}

/// The template's entries other than `resources`.
fn head(lw: &Lowering, metadata: Map<String, Value>) -> Result<Map<String, Value>> {
    let bp = lw.bp;
    let doc = bp.blueprint();
    let mut params = Map::new();
    for (i, v) in doc.variables.iter().enumerate() {
        params.insert(
            v.name.clone(),
            Value::Object(parameter(v, &format!("variables[{i}]"), lw)?),
        );
    }
    let mut outputs = Map::new();
    let mut out_ns = Namespace::default();
    for (i, o) in doc.outputs.iter().enumerate() {
        let at = format!("outputs[{i}].value");
        out_ns.claim(&o.name, &format!("outputs[{i}].name"))?;
        let (ty, value) = match &o.value {
            Value::String(s) => {
                let a = lw.string(s, &at, 0)?;
                let single_var = parse_template(s, &at)
                    .ok()
                    .and_then(|t| t.as_single_reference().cloned())
                    .and_then(|r| match r {
                        Reference::Variable { name } => lw.params.get(name.as_str()).copied(),
                        Reference::Resource {
                            name, attribute, ..
                        } => lw
                            .bp
                            .index_of(&name)
                            .and_then(|j| lw.type_map(j))
                            .and_then(|m| m.attributes.get(&attribute_key(&attribute)))
                            .and_then(|spec| spec.split_once('|'))
                            .map(|(_, ty)| match ty {
                                "int" => "int",
                                "bool" => "bool",
                                "array" => "array",
                                "object" => "object",
                                _ => "string",
                            }),
                    });
                (single_var.unwrap_or("string"), a.to_json())
            }
            Value::Number(_) => ("int", o.value.clone()),
            Value::Bool(_) => ("bool", o.value.clone()),
            Value::Array(_) => ("array", lw.value(&o.value, &at)?),
            Value::Object(_) => ("object", lw.value(&o.value, &at)?),
            Value::Null => continue,
        };
        let ty = match (ty, o.sensitive) {
            ("string" | "securestring", true) => "securestring",
            ("object" | "secureObject", true) => "secureObject",
            (t, true) => {
                return Err(unmapped(
                    Code::UnmappedProperty,
                    &format!("outputs[{i}].sensitive"),
                    format!("{FORMAT} hides only string and object outputs; this one is {t}"),
                ))
            }
            (t, false) => t,
        };
        let mut out = Map::new();
        out.insert("type".into(), json!(ty));
        out.insert("value".into(), value);
        if let Some(d) = &o.description {
            out.insert("metadata".into(), json!({"description": d}));
        }
        outputs.insert(o.name.clone(), Value::Object(out));
    }

    let v = bp.version();
    let mut template = Map::new();
    template.insert("$schema".into(), json!(SCHEMA));
    template.insert(
        "contentVersion".into(),
        json!(format!("{}.{}.{}.0", v.major, v.minor, v.patch)),
    );
    template.insert("metadata".into(), Value::Object(metadata));
    template.insert("parameters".into(), Value::Object(params));
    template.insert("outputs".into(), Value::Object(outputs));
    Ok(template)
}

/// Lowers the blueprint to an ARM template (as data).
pub(crate) fn lower(bp: &CheckedBlueprint) -> Result<Value> {
    let mut template = Map::new();
    let mut resources = Vec::new();
    lower_parts(bp, &mut |piece| match piece {
        Piece::Head(h) => template = h,
        Piece::Resource(r) => resources.push(r),
    })?;
    template.insert("resources".into(), Value::Array(resources));
    Ok(Value::Object(template))
}

/// The template context of `arm`: the template written as pretty JSON (`template_json`), and
/// with `data` (templates other than the embedded ones) the template as data (`template`).
pub(crate) fn context(bp: &CheckedBlueprint, data: bool) -> Result<Value> {
    let mut ctx = Map::new();
    ctx.insert("blueprint".into(), super::blueprint_context(bp));
    if data {
        let template = lower(bp)?;
        // The serializer the `json` filter uses, writing straight into the text.
        let text = serde_json::to_string_pretty(&template)
            .map_err(|e| gen_error(Code::TemplateError, "", e.to_string()))?;
        ctx.insert("template_json".into(), Value::String(text));
        ctx.insert("template".into(), template);
    } else {
        ctx.insert("template_json".into(), Value::String(template_json(bp)?));
    }
    Ok(Value::Object(ctx))
}

/// The template as pretty JSON (as `serde_json::to_string_pretty` writes [`lower`]'s value),
/// each resource written as soon as it is lowered and dropped right after, while it is still in
/// cache (about 600 bytes per resource in typical blueprints: the buffer rarely grows).
fn template_json(bp: &CheckedBlueprint) -> Result<String> {
    let mut out = String::with_capacity(bp.resources().len() * 768 + 4096);
    let mut top = JsonObject::default();
    let mut resources = 0usize;
    lower_parts(bp, &mut |piece| match piece {
        Piece::Head(h) => {
            top.begin(&mut out);
            // Every key of the head sorts before `resources`.
            for (k, v) in h {
                top.key(&mut out, &k, 0);
                write_value_pretty(v, &mut out, 1);
            }
            top.key(&mut out, "resources", 0);
            out.push('[');
        }
        Piece::Resource(r) => {
            out.push_str(if resources == 0 { "\n    " } else { ",\n    " });
            resources += 1;
            write_value_pretty(r, &mut out, 2);
        }
    })?;
    out.push_str(if resources == 0 { "]" } else { "\n  ]" });
    top.end(&mut out, 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{catalog, provider_schema, Provider};
    use crate::generate::mapping::{check_arguments as check_props, MappedArgument};

    impl MappedArgument for Prop {
        fn fields(&self) -> Option<&ArgMap<Prop>> {
            match self {
                Prop::Spec(s) => Some(&s.fields),
                Prop::Path(_) => None,
            }
        }

        fn problem(&self) -> Option<&'static str> {
            let Prop::Spec(s) = self else {
                return None;
            };
            let meaningful = s.to.is_some()
                || s.child.is_some()
                || s.unmapped.is_some()
                || s.terraform_only.is_some()
                || s.allowed.is_some()
                || s.ignore_if.is_some();
            (!meaningful).then_some("a spec needs to, child, unmapped or terraform_only")
        }
    }

    #[test]
    fn mapping_data_names_real_terraform_arguments_and_arm_types() {
        let map = mapping().unwrap();
        let schema = provider_schema(Provider::Azure);
        let mut problems = Vec::new();
        for (t, tm) in &map.types {
            let Some(s) = schema.get(t) else {
                problems.push(format!("{t}: not a Terraform type"));
                continue;
            };
            check_props(t, &tm.properties, s, &mut problems);
            if let Some(f) = &tm.fold {
                check_props(t, &f.fields, s, &mut problems);
                if s.get(&f.via).is_none() {
                    problems.push(format!("{t}: fold.via {} is not an argument", f.via));
                }
            }
            if let Some(n) = &tm.nest {
                if s.get(&n.via).is_none() {
                    problems.push(format!("{t}: nest.via {} is not an argument", n.via));
                }
            }
            for seg in &tm.name {
                for a in seg
                    .arg
                    .iter()
                    .flat_map(|a| a.split('|'))
                    .chain(seg.guid.iter().flat_map(|g| g.split('|')))
                {
                    if s.get(a).is_none() {
                        problems.push(format!("{t}: name argument {a} is not an argument"));
                    }
                }
            }
            for c in &tm.combine {
                for a in &c.args {
                    if s.get(a).is_none() {
                        problems.push(format!("{t}: combine argument {a} is not an argument"));
                    }
                }
            }
            let own = tm.fold.is_none() && tm.unmapped.is_none() && !tm.resource_group;
            if own {
                let ok_type = tm
                    .arm_type
                    .as_deref()
                    .is_some_and(|a| a.starts_with("Microsoft.") && a.split('/').count() >= 2);
                let ok_api = tm.api.as_deref().is_some_and(|a| {
                    a.len() >= 10 && a.bytes().take(10).all(|b| b.is_ascii_digit() || b == b'-')
                });
                if !ok_type || !ok_api {
                    problems.push(format!("{t}: needs an ARM type and an apiVersion"));
                }
                let segments = if tm.name.is_empty() { 1 } else { tm.name.len() };
                let depth = tm
                    .arm_type
                    .as_deref()
                    .map_or(0, |a| a.split('/').count() - 1);
                if segments != depth {
                    problems.push(format!(
                        "{t}: {segments} name segments for a type of depth {depth}"
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
        // The Azure catalog grows (another data file): its types without an entry here are
        // reported (they generate as unmapped_type errors), the ones known today must be mapped.
        let missing: Vec<&String> = catalog(Provider::Azure)
            .types
            .keys()
            .filter(|t| !map.types.contains_key(*t))
            .collect();
        if !missing.is_empty() {
            eprintln!("azure catalog types without an ARM mapping entry: {missing:?}");
        }
        for t in [
            "azurerm_resource_group",
            "azurerm_virtual_network",
            "azurerm_api_management",
            "azurerm_cdn_frontdoor_endpoint",
            "azurerm_network_watcher_flow_log",
            "azurerm_linux_function_app",
            "azurerm_cosmosdb_account",
        ] {
            assert!(map.types.contains_key(t), "{t}");
        }
    }

    #[test]
    fn props_path_writes_the_index() {
        for i in [0usize, 7, 10, 99, 1234, 10_000, usize::MAX] {
            assert_eq!(props_path(i), format!("resources[{i}].properties"));
        }
    }

    #[test]
    fn role_names_map_to_guids() {
        let map = mapping().unwrap();
        for (name, guid) in &map.roles {
            let parts: Vec<usize> = guid.split('-').map(str::len).collect();
            assert_eq!(parts, [8, 4, 4, 4, 12], "{name}");
        }
    }
}
