//! Semantic checks: turn a [`Blueprint`] document into a [`CheckedBlueprint`], or report every
//! problem found, each with a stable [`Code`] and a path.

mod properties;
mod variables;

use std::collections::HashMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::blueprint::{Blueprint, Resource, Value};
use crate::catalog::{self, provider_schema, BlockSchema, CatalogType, Provider, TypeResolution};
use crate::error::{Code, Error, ErrorKind, Finding, Result, Severity};
use crate::graph::{Cycle, DependencyGraph, EdgeKind};
use crate::limits::Limits;
use crate::reference::{push_index, push_key, Reference, Template};
use crate::str_table::StrTable;
use crate::suggest::did_you_mean;

pub use variables::VarType;

/// The largest `count` a resource may have. Every instance becomes its own address in plans and
/// generated code; larger fleets belong in autoscaling groups.
pub const MAX_COUNT: u32 = 1000;

/// A blueprint that passed every check, with its resolved resource types and dependency graph.
/// Every verb (generate, validate, estimate, plan) works on this.
///
/// ```
/// let bp = iac_dharma::parse(r#"
/// name: demo
/// version: v1.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - {type: vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
///   - type: subnet
///     name: a
///     properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
/// "#)?;
/// assert_eq!(bp.resource_info(0).unwrap().type_name, "aws_vpc");
/// assert_eq!(bp.graph().waves(), &[vec![0], vec![1]]);
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CheckedBlueprint {
    blueprint: Blueprint,
    provider: Provider,
    version: semver::Version,
    resources: Vec<ResourceInfo>,
    /// The catalog entry of each resource's type, resolved once by the check (a dense array:
    /// verbs ask for it per resource, and a lookup by type name hashes the name every time).
    entries: Vec<Option<&'static CatalogType>>,
    /// The resources' names, numbered as the resources (dense: a verb looks a name up per
    /// reference, and reads names where it does not need the rest of the resource).
    names: StrTable,
    graph: DependencyGraph,
    warnings: Vec<Finding>,
}

/// What the check resolved about one resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The Terraform type (aliases resolved).
    pub type_name: String,
    /// The address, `type.name`.
    pub address: String,
    /// Whether the type takes tags (labels on GCP) that blueprint tags are merged into.
    pub taggable: bool,
    /// The argument holding the type's tags (`tags`, `labels`, or a per-type exception such as
    /// GKE's `resource_labels`), when taggable.
    pub tag_argument: Option<String>,
}

impl Drop for CheckedBlueprint {
    fn drop(&mut self) {
        drop_resources(
            std::mem::take(&mut self.blueprint.resources),
            std::mem::take(&mut self.resources),
        );
    }
}

/// Frees a document's resources (with what the check resolved about each) in small batches,
/// letting the allocator merge the freed blocks after each batch while they are still in cache
/// (see `crate::memory`).
fn drop_resources(resources: Vec<Resource>, infos: Vec<ResourceInfo>) {
    use crate::memory::BATCH;
    let mut resources = resources.into_iter();
    let mut infos = infos.into_iter();
    while resources.len() > 0 || infos.len() > 0 {
        for r in resources.by_ref().take(BATCH) {
            drop(r);
        }
        for info in infos.by_ref().take(BATCH) {
            drop(info);
        }
        crate::memory::merge_freed_blocks();
    }
}

impl CheckedBlueprint {
    /// The document, as written.
    pub fn blueprint(&self) -> &Blueprint {
        &self.blueprint
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The parsed version.
    pub fn version(&self) -> &semver::Version {
        &self.version
    }

    /// The blueprint's resources, in document order.
    pub fn resources(&self) -> &[Resource] {
        &self.blueprint.resources
    }

    /// Resolved facts about the resource at `index`, if it exists.
    pub fn resource_info(&self, index: usize) -> Option<&ResourceInfo> {
        self.resources.get(index)
    }

    /// Every resource with its index and resolved facts, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Resource, &ResourceInfo)> {
        self.blueprint
            .resources
            .iter()
            .zip(&self.resources)
            .enumerate()
            .map(|(i, (r, info))| (i, r, info))
    }

    /// Resolved facts about every resource, index-aligned with [`Self::resources`].
    pub fn resource_infos(&self) -> &[ResourceInfo] {
        &self.resources
    }

    /// The index of the resource with this name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.find(name)
    }

    /// The name of the resource at `index`: as `resources()[index].name`, from a dense copy of
    /// the names (for passes over every resource that need only its name).
    #[cfg_attr(not(feature = "generate-cloudformation"), allow(dead_code))]
    pub(crate) fn resource_name(&self, index: usize) -> Option<&str> {
        self.names.get(index)
    }

    /// The catalog entry of the resource at `index`, if the catalog knows its type.
    pub fn catalog_entry(&self, index: usize) -> Option<&'static CatalogType> {
        self.entries.get(index).copied().flatten()
    }

    /// The dependency graph.
    pub fn graph(&self) -> &DependencyGraph {
        &self.graph
    }

    /// Warnings found by the check (the blueprint is usable despite them).
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    /// The tags to apply to resource `index`: the blueprint's default tags, overridden by the
    /// resource's own tags (its [`ResourceInfo::tag_argument`]) where both set a key. Empty for
    /// untaggable types.
    pub fn effective_tags(&self, index: usize) -> serde_json::Map<String, Value> {
        let mut tags = serde_json::Map::new();
        let Some(info) = self.resources.get(index) else {
            return tags;
        };
        let Some(tag_argument) = info.tag_argument.as_deref() else {
            return tags;
        };
        for (k, v) in &self.blueprint.tags {
            tags.insert(k.clone(), Value::String(v.clone()));
        }
        let own = self
            .blueprint
            .resources
            .get(index)
            .and_then(|r| r.properties.get(tag_argument))
            .and_then(Value::as_object);
        if let Some(own) = own {
            for (k, v) in own {
                tags.insert(k.clone(), v.clone());
            }
        }
        tags
    }
}

impl Blueprint {
    /// Checks the blueprint and resolves its types, references and dependency graph.
    ///
    /// # Errors
    /// A [`ErrorKind::Check`] error listing every problem found (not only the first), in document
    /// order, each with its code and path. Warnings are listed too but do not fail the check.
    pub fn check(&self) -> Result<CheckedBlueprint> {
        self.clone().into_checked()
    }

    /// As [`Blueprint::check`], consuming the document (no copy).
    ///
    /// # Errors
    /// As [`Blueprint::check`].
    pub fn into_checked(self) -> Result<CheckedBlueprint> {
        self.into_checked_with_limits(None)
    }

    /// As [`Blueprint::into_checked`], checking also each resource against `limits` as the check
    /// reaches it (see [`Limits::check_document_head`]; the caller has checked the rest of the
    /// document): the first part over a limit fails as [`Limits::check_blueprint`] would.
    pub(crate) fn into_checked_with_limits(
        self,
        limits: Option<&Limits>,
    ) -> Result<CheckedBlueprint> {
        let mut checker = Checker::new(&self);
        checker.limits = limits;
        checker.run();
        if let Some(e) = checker.limit_error.take() {
            return Err(e);
        }
        let Checker {
            findings,
            provider,
            version,
            infos,
            entries,
            names,
            edges,
            ..
        } = checker;
        let mut findings = findings;
        let graph = match DependencyGraph::build(self.resources.len(), edges) {
            Ok(g) => Some(g),
            Err(cycles) => {
                for cycle in cycles {
                    findings.push(cycle_finding(&self, &cycle));
                }
                None
            }
        };
        let has_errors = findings.iter().any(|f| f.severity == Severity::Error);
        match (has_errors, provider, version, graph) {
            (false, Some(provider), Some(version), Some(graph)) => Ok(CheckedBlueprint {
                resources: infos,
                entries,
                blueprint: self,
                provider,
                version,
                names,
                graph,
                warnings: findings,
            }),
            _ => Err(Error::new(ErrorKind::Check, findings)),
        }
    }
}

fn cycle_finding(bp: &Blueprint, cycle: &Cycle) -> Finding {
    let name = |i: usize| bp.resources.get(i).map(|r| r.name.as_str()).unwrap_or("?");
    let mut names: Vec<&str> = cycle.path.iter().map(|&i| name(i)).collect();
    if let Some(first) = names.first().copied() {
        names.push(first);
    }
    let first = cycle.path.first().copied().unwrap_or(0);
    Finding::error(
        Code::DependencyCycle,
        format!("resources[{first}]"),
        format!(
            "dependency cycle: {} (each resource depends on the next)",
            names.join(" -> ")
        ),
    )
}

/// Parses the version, accepting a leading `v` as many teams write it.
pub(crate) fn parse_version(text: &str) -> std::result::Result<semver::Version, semver::Error> {
    semver::Version::parse(text.strip_prefix('v').unwrap_or(text))
}

struct Checker<'a> {
    bp: &'a Blueprint,
    findings: Vec<Finding>,
    provider: Option<Provider>,
    version: Option<semver::Version>,
    /// What the check resolved about each resource (the default for a type it could not
    /// resolve: the check then fails).
    infos: Vec<ResourceInfo>,
    /// The catalog entry of each resource's type.
    entries: Vec<Option<&'static CatalogType>>,
    /// The resources' names, numbered as the resources.
    names: StrTable,
    /// The `count` of each resource and the facts of its type when the type is known: dense
    /// copies, so that checking a reference does not read the target resource (at 10,000
    /// resources the document is far larger than the CPU caches).
    counts: Vec<Option<u32>>,
    facts: Vec<Option<Rc<TypeFacts>>>,
    variables: HashMap<&'a str, usize>,
    edges: Vec<(usize, usize, EdgeKind)>,
    /// Type facts, looked up once per distinct written type (a blueprint has thousands of
    /// resources but a few dozen types).
    types: FxHashMap<&'a str, Rc<TypeFacts>>,
    /// Limits to check each resource against on the way (`parse`), and the first violation.
    limits: Option<&'a Limits>,
    limit_error: Option<Error>,
}

/// What a written type resolved to, with the schema data the checks need.
struct TypeFacts {
    resolution: TypeResolution,
    schema: Option<&'static BlockSchema>,
    computed: Option<&'static [String]>,
    entry: Option<&'static CatalogType>,
    tag_argument: Option<String>,
}

/// What the second pass of the check still has to do for one resource: its findings so far,
/// the references it could not check yet (from the first to a resource named further down),
/// the findings that follow those references', and whether it has explicit dependencies.
struct Pending {
    findings: Vec<Finding>,
    refs: Vec<FoundRef>,
    tail: Vec<Finding>,
    deps: bool,
}

/// A reference found in a value, with where it was found and which resource holds it.
struct FoundRef {
    path: String,
    reference: Reference,
}

impl<'a> Checker<'a> {
    fn new(bp: &'a Blueprint) -> Self {
        Checker {
            bp,
            findings: Vec::new(),
            provider: None,
            version: None,
            infos: vec![ResourceInfo::default(); bp.resources.len()],
            entries: vec![None; bp.resources.len()],
            // Room for names of 16 bytes on average (summing their lengths would read every
            // resource once more).
            names: StrTable::with_capacity(bp.resources.len(), bp.resources.len() * 16),
            counts: Vec::with_capacity(bp.resources.len()),
            facts: vec![None; bp.resources.len()],
            variables: HashMap::new(),
            // About one or two references per resource: grown by doubling, a 10,000-resource
            // list is copied a dozen times.
            edges: Vec::with_capacity(bp.resources.len() * 2),
            types: FxHashMap::default(),
            limits: None,
            limit_error: None,
        }
    }

    /// The facts of a written type (resolved once per check).
    fn type_facts(&mut self, provider: Provider, written: &'a str) -> Rc<TypeFacts> {
        if let Some(f) = self.types.get(written) {
            return Rc::clone(f);
        }
        let resolution = catalog::resolve_type(provider, written);
        let (schema, computed, entry, tag_argument) = match &resolution {
            TypeResolution::Known { type_name, .. } => {
                let schemas = provider_schema(provider);
                let cat = catalog::catalog(provider);
                (
                    schemas.get(type_name),
                    schemas.computed(type_name),
                    cat.get(type_name),
                    cat.tag_argument(type_name).map(str::to_string),
                )
            }
            _ => (None, None, None, None),
        };
        let facts = Rc::new(TypeFacts {
            resolution,
            schema,
            computed,
            entry,
            tag_argument,
        });
        self.types.insert(written, Rc::clone(&facts));
        facts
    }

    fn error(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding::error(code, path, message));
    }

    fn run(&mut self) {
        self.check_header();
        // One pass over the resources while each is in the CPU caches (a large blueprint is far
        // larger than them: every pass over it reads it from memory again): the limits, the name,
        // the type, the properties, the references to resources named earlier, the lifecycle. A
        // reference to a resource declared further down, and the explicit dependencies, wait for
        // a short second pass, when every name is known. Findings still come out in document
        // order: the names' findings, the variables', then resource by resource.
        let before = self.findings.len();
        self.check_variables();
        let variable_findings = self.findings.split_off(before);
        let mut pending: Vec<Option<Box<Pending>>> = Vec::with_capacity(self.bp.resources.len());
        for i in 0..self.bp.resources.len() {
            let Some(r) = self.bp.resources.get(i) else {
                break;
            };
            if let Some(limits) = self.limits {
                if limits.check_resource_head(i, r).is_err() {
                    // The first violation may be in the values of an earlier resource.
                    self.limit_error = limits.check_blueprint(self.bp).err();
                    return;
                }
            }
            self.index_name(i);
            let before = self.findings.len();
            self.resolve_resource(i);
            // Every earlier resource and this one's name and type are within the limits: a
            // violation in this resource's values is the first one of the document.
            if let Some(limits) = self.limits {
                if let Err(e) = limits.check_resource_values(i, r) {
                    self.limit_error = Some(e);
                    return;
                }
            }
            let (refs, tail) = self.check_resource(i);
            let findings = self.findings.split_off(before);
            let deps = !r.dependencies.is_empty();
            pending.push((!findings.is_empty() || !refs.is_empty() || deps).then(|| {
                Box::new(Pending {
                    findings,
                    refs,
                    tail,
                    deps,
                })
            }));
        }
        self.findings.extend(variable_findings);
        let mut late_edges = false;
        for (i, p) in pending.into_iter().enumerate() {
            let Some(p) = p else {
                continue;
            };
            let Pending {
                findings,
                refs,
                tail,
                deps,
            } = *p;
            self.findings.extend(findings);
            if !refs.is_empty() {
                late_edges = true;
                for found in &refs {
                    self.check_reference(Some(i), found, None);
                }
                self.findings.extend(tail);
            }
            if deps {
                late_edges = true;
                self.check_dependencies(i);
            }
        }
        if late_edges {
            // Back in the order of a resource-by-resource check: by dependent (a stable sort
            // keeps each resource's edges in the order they were found).
            self.edges.sort_by_key(|&(dependent, _, _)| dependent);
        }
        self.check_outputs();
    }

    fn check_header(&mut self) {
        let bp = self.bp;
        let n = bp.name.chars().count();
        let valid_chars = bp
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !(3..=100).contains(&n) || !valid_chars {
            self.error(
                Code::InvalidName,
                "name",
                format!(
                    "blueprint name `{}` must be 3 to 100 characters of letters, digits, `_` and `-`",
                    bp.name
                ),
            );
        }
        match parse_version(&bp.version) {
            Ok(v) => self.version = Some(v),
            Err(e) => self.error(
                Code::InvalidVersion,
                "version",
                format!(
                    "version `{}` is not a semantic version such as 1.2.0 ({e})",
                    bp.version
                ),
            ),
        }
        match bp.provider.parse::<Provider>() {
            Ok(p) => self.provider = Some(p),
            Err(message) => {
                let suggestion = did_you_mean(
                    &bp.provider.to_lowercase(),
                    Provider::ALL.iter().map(|p| p.as_str()),
                )
                .or_else(|| provider_synonym(&bp.provider).map(str::to_string));
                self.findings.push(
                    Finding::error(Code::UnknownProvider, "provider", message)
                        .with_suggestion(suggestion),
                );
            }
        }
        if let Some(provider) = self.provider {
            let cat = catalog::catalog(provider);
            if cat.region(&bp.region).is_none() {
                let suggestion = cat.suggest_region(&bp.region);
                self.findings.push(
                    Finding::error(
                        Code::UnknownRegion,
                        "region",
                        format!("`{}` is not a known {provider} region", bp.region),
                    )
                    .with_suggestion(suggestion),
                );
            }
            let tags: Vec<(String, String)> = bp
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in &tags {
                let mut path = String::from("tags");
                push_key(&mut path, k);
                if let Some(problem) = tag_problem(provider, k, v) {
                    self.error(Code::InvalidTag, path, problem);
                }
            }
        }
    }

    /// Records the name of resource `i` (its findings: not an identifier, already used).
    fn index_name(&mut self, i: usize) {
        let bp = self.bp;
        let Some(r) = bp.resources.get(i) else {
            return;
        };
        if !is_resource_name(&r.name) {
            self.error(
                Code::InvalidIdentifier,
                format!("resources[{i}].name"),
                format!(
                    "resource name `{}` must start with a lowercase letter or `_` and hold only lowercase letters, digits and `_`",
                    r.name
                ),
            );
        }
        if let Err(first) = self.names.push(&r.name) {
            self.error(
                Code::DuplicateName,
                format!("resources[{i}].name"),
                format!(
                    "resource name `{}` is already used by resources[{first}]",
                    r.name
                ),
            );
        }
    }

    fn check_variables(&mut self) {
        let bp = self.bp;
        for (i, v) in bp.variables.iter().enumerate() {
            let path = format!("variables[{i}]");
            if !is_identifier(&v.name) {
                self.error(
                    Code::InvalidIdentifier,
                    format!("{path}.name"),
                    format!(
                        "variable name `{}` must start with a letter or `_` and hold only letters, digits, `_` and `-`",
                        v.name
                    ),
                );
            }
            if let Some(&first) = self.variables.get(v.name.as_str()) {
                self.error(
                    Code::DuplicateName,
                    format!("{path}.name"),
                    format!(
                        "variable `{}` is already declared by variables[{first}]",
                        v.name
                    ),
                );
            } else {
                self.variables.insert(&v.name, i);
            }
            let ty = match v.var_type.as_deref().map(VarType::parse) {
                None => Some(VarType::String),
                Some(Ok(t)) => Some(t),
                Some(Err(message)) => {
                    self.error(Code::InvalidVariableType, format!("{path}.type"), message);
                    None
                }
            };
            if let (Some(ty), Some(default)) = (ty, &v.default) {
                if let Some(problem) = ty.mismatch(default) {
                    self.error(
                        Code::InvalidDefault,
                        format!("{path}.default"),
                        format!(
                            "the default of `{}` does not match its type {}: {problem}",
                            v.name, ty
                        ),
                    );
                }
            }
        }
    }

    /// The count and the type of resource `i`: fills its `ResourceInfo`.
    fn resolve_resource(&mut self, i: usize) {
        let bp = self.bp;
        let Some(r) = bp.resources.get(i) else {
            return;
        };
        if self.counts.len() == i {
            self.counts.push(r.count);
        }
        if let Some(count) = r.count {
            if count > MAX_COUNT {
                self.error(
                    Code::InvalidCount,
                    format!("resources[{i}].count"),
                    format!("count {count} is larger than the limit of {MAX_COUNT} instances"),
                );
            }
        }
        // Resolve the type.
        if let Some(provider) = self.provider {
            let facts = self.type_facts(provider, &r.resource_type);
            match facts.resolution.clone() {
                TypeResolution::Known { type_name, .. } => {
                    let tag_argument = facts.tag_argument.clone();
                    if let Some(slot) = self.entries.get_mut(i) {
                        *slot = facts.entry;
                    }
                    if let Some(slot) = self.facts.get_mut(i) {
                        *slot = Some(Rc::clone(&facts));
                    }
                    if let Some(slot) = self.infos.get_mut(i) {
                        *slot = ResourceInfo {
                            address: format!("{type_name}.{}", r.name),
                            type_name,
                            taggable: tag_argument.is_some(),
                            tag_argument,
                        };
                    }
                }
                TypeResolution::OtherProvider { owner, type_name } => {
                    let shown = if type_name == r.resource_type {
                        format!("`{type_name}`")
                    } else {
                        format!("`{}` ({type_name})", r.resource_type)
                    };
                    self.error(
                        Code::WrongProviderType,
                        format!("resources[{i}].type"),
                        format!(
                            "resource type {shown} belongs to provider {owner}, but the blueprint's provider is {provider}"
                        ),
                    );
                }
                TypeResolution::Unknown { suggestion } => {
                    self.findings.push(
                        Finding::error(
                            Code::UnknownResourceType,
                            format!("resources[{i}].type"),
                            format!(
                                "`{}` is not a known {provider} resource type or alias",
                                r.resource_type
                            ),
                        )
                        .with_suggestion(suggestion),
                    );
                }
            }
        }
    }

    /// Properties, references and lifecycle of resource `i` (types are resolved; names up to
    /// `i` are known). References to resources not named yet are returned, from the first such
    /// one on (so their findings keep their order), with the findings that must follow theirs
    /// (the lifecycle's); the rest of the findings are pushed.
    fn check_resource(&mut self, i: usize) -> (Vec<FoundRef>, Vec<Finding>) {
        let bp = self.bp;
        let Some(r) = bp.resources.get(i) else {
            return (Vec::new(), Vec::new());
        };
        let schema = self
            .facts
            .get(i)
            .and_then(|f| f.as_ref())
            .and_then(|f| f.schema);
        // Properties against the argument schema, collecting references on the way.
        let mut refs = Vec::new();
        let props_path = format!("resources[{i}].properties");
        let mut prop_findings = Vec::new();
        properties::check_properties(
            &r.properties,
            schema,
            props_path,
            &mut prop_findings,
            &mut refs,
        );
        self.findings.extend(prop_findings);
        let mut later = Vec::new();
        for found in refs {
            let known = match &found.reference {
                _ if !later.is_empty() => None,
                Reference::Variable { .. } => Some(None),
                Reference::Resource { name, .. } => self.names.find(name).map(Some),
            };
            match known {
                Some(target) => self.check_reference(Some(i), &found, target),
                None => later.push(found),
            }
        }
        let before = self.findings.len();
        // Lifecycle: ignore_changes names arguments, or paths into them (`tags["Owner"]`,
        // `scaling_config[0].desired_size`), or `all`, as Terraform accepts.
        if let Some(schema) = schema {
            for (j, entry) in r.lifecycle.ignore_changes.iter().enumerate() {
                let path = format!("resources[{i}].lifecycle.ignore_changes[{j}]");
                if entry == "all" {
                    continue;
                }
                match ignore_path_root(entry) {
                    None => self.error(
                        Code::InvalidArgument,
                        path,
                        format!(
                            "`{entry}` is not an attribute path such as `tags` or `scaling_config[0].desired_size`"
                        ),
                    ),
                    Some(arg) if schema.get(arg).is_none() => {
                        let suggestion = did_you_mean(arg, schema.names());
                        self.findings.push(
                            Finding::error(
                                Code::UnknownArgument,
                                path,
                                format!("`{arg}` is not an argument of {}", r.resource_type),
                            )
                            .with_suggestion(suggestion),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        let tail = if later.is_empty() {
            Vec::new()
        } else {
            self.findings.split_off(before)
        };
        (later, tail)
    }

    /// The explicit dependencies of resource `i` (every name is known).
    fn check_dependencies(&mut self, i: usize) {
        let Some(r) = self.bp.resources.get(i) else {
            return;
        };
        for (j, dep) in r.dependencies.iter().enumerate() {
            match self.names.find(dep) {
                Some(target) => self.edges.push((i, target, EdgeKind::Explicit)),
                None => {
                    let suggestion = did_you_mean(dep, self.names.iter());
                    self.findings.push(
                        Finding::error(
                            Code::UnknownDependency,
                            format!("resources[{i}].dependencies[{j}]"),
                            format!("dependency `{dep}` is not a resource of this blueprint"),
                        )
                        .with_suggestion(suggestion),
                    );
                }
            }
        }
    }

    fn check_outputs(&mut self) {
        let bp = self.bp;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, o) in bp.outputs.iter().enumerate() {
            let path = format!("outputs[{i}]");
            if !is_identifier(&o.name) {
                self.error(
                    Code::InvalidIdentifier,
                    format!("{path}.name"),
                    format!(
                        "output name `{}` must start with a letter or `_` and hold only letters, digits, `_` and `-`",
                        o.name
                    ),
                );
            }
            if let Some(first) = seen.insert(&o.name, i) {
                self.error(
                    Code::DuplicateName,
                    format!("{path}.name"),
                    format!(
                        "output `{}` is already declared by outputs[{first}]",
                        o.name
                    ),
                );
            }
            let mut refs = Vec::new();
            let mut found = Vec::new();
            let mut value_path = format!("{path}.value");
            properties::collect_references(&o.value, &mut value_path, &mut found, &mut refs);
            self.findings.extend(found);
            for r in refs {
                self.check_reference(None, &r, None);
            }
        }
    }

    /// Checks one reference; `from` is the resource holding it (None for outputs), `known` the
    /// index of the resource it names when the caller has looked it up already.
    fn check_reference(&mut self, from: Option<usize>, found: &FoundRef, known: Option<usize>) {
        match &found.reference {
            Reference::Variable { name } => {
                if !self.variables.contains_key(name.as_str()) {
                    let suggestion = did_you_mean(name, self.variables.keys().copied());
                    self.findings.push(
                        Finding::error(
                            Code::UnknownVariable,
                            found.path.clone(),
                            format!("`${{var.{name}}}` refers to an undeclared variable"),
                        )
                        .with_suggestion(suggestion.map(|s| format!("${{var.{s}}}"))),
                    );
                }
            }
            Reference::Resource {
                name,
                index,
                attribute,
            } => {
                let Some(target) = known.or_else(|| self.names.find(name)) else {
                    let suggestion = self.suggest_resource_reference(&found.reference);
                    self.findings.push(
                        Finding::error(
                            Code::UnknownReference,
                            found.path.clone(),
                            format!(
                                "`${{{}}}` refers to `{name}`, which is not a resource of this blueprint",
                                found.reference
                            ),
                        )
                        .with_suggestion(suggestion),
                    );
                    return;
                };
                if let Some(from) = from {
                    self.edges.push((from, target, EdgeKind::Reference));
                }
                let Some(&target_count) = self.counts.get(target) else {
                    return;
                };
                match (target_count, index) {
                    // No instance to point at: no index helps.
                    (Some(0), _) => self.error(
                        Code::InvalidIndex,
                        found.path.clone(),
                        format!(
                            "`${{{}}}` refers to `{name}`, which has count = 0 (no instances)",
                            found.reference
                        ),
                    ),
                    (Some(count), Some(i)) if *i >= count => self.error(
                        Code::InvalidIndex,
                        found.path.clone(),
                        format!(
                            "`${{{}}}` indexes instance {i}, but `{name}` has count = {count} (instances 0 to {})",
                            found.reference,
                            count.saturating_sub(1)
                        ),
                    ),
                    (Some(count), None) => {
                        let mut fixed = found.reference.clone();
                        if let Reference::Resource { index, .. } = &mut fixed {
                            *index = Some(0);
                        }
                        self.findings.push(
                            Finding::error(
                                Code::InvalidIndex,
                                found.path.clone(),
                                format!(
                                    "`{name}` has count = {count}, so `${{{}}}` must say which instance",
                                    found.reference
                                ),
                            )
                            .with_suggestion(Some(format!("${{{fixed}}}"))),
                        );
                    }
                    (None, Some(_)) => {
                        let mut fixed = found.reference.clone();
                        if let Reference::Resource { index, .. } = &mut fixed {
                            *index = None;
                        }
                        self.findings.push(
                            Finding::error(
                                Code::InvalidIndex,
                                found.path.clone(),
                                format!(
                                    "`{name}` has no count, so `${{{}}}` cannot take an index",
                                    found.reference
                                ),
                            )
                            .with_suggestion(Some(format!("${{{fixed}}}"))),
                        );
                    }
                    _ => {}
                }
                if let Some(crate::reference::Step::Attr(attr)) = attribute.first() {
                    self.check_attribute(target, attr, found);
                }
            }
        }
    }

    /// An attribute must be an argument or a computed attribute of the target's type. The schema
    /// data records computed attributes for every type; where it would not, the catalog's list is
    /// used and an unknown name is only a warning.
    fn check_attribute(&mut self, target: usize, attr: &str, found: &FoundRef) {
        if attr == "id" {
            return;
        }
        let Some(facts) = self.facts.get(target).and_then(Option::clone) else {
            return;
        };
        let (schema, computed, entry) = (facts.schema, facts.computed, facts.entry);
        let known = schema.is_some_and(|s| s.get(attr).is_some())
            || computed.is_some_and(|c| c.iter().any(|a| a == attr))
            || entry.is_some_and(|e| e.attributes.iter().any(|a| a == attr));
        if known {
            return;
        }
        let candidates: Vec<&str> = schema
            .into_iter()
            .flat_map(|s| s.names())
            .chain(computed.into_iter().flatten().map(String::as_str))
            .chain(
                entry
                    .into_iter()
                    .flat_map(|e| e.attributes.iter().map(String::as_str)),
            )
            .collect();
        let suggestion = did_you_mean(attr, candidates.iter().copied());
        let type_name = match &facts.resolution {
            TypeResolution::Known { type_name, .. } => type_name.as_str(),
            _ => "",
        };
        let finding = if computed.is_some() || entry.is_some() {
            Finding::error(
                Code::UnknownAttribute,
                found.path.clone(),
                format!(
                    "`${{{}}}`: {type_name} has no attribute `{attr}`",
                    found.reference
                ),
            )
        } else {
            Finding::warning(
                Code::UnknownAttribute,
                found.path.clone(),
                format!(
                    "`${{{}}}`: `{attr}` is not an argument of {type_name}, and its computed attributes are not recorded",
                    found.reference
                ),
            )
        };
        self.findings.push(finding.with_suggestion(suggestion));
    }

    /// Suggests a fix for a reference to an unknown resource: a close resource name, or — when the
    /// author wrote a Terraform address such as `${aws_vpc.main.id}` — the blueprint form.
    fn suggest_resource_reference(&self, reference: &Reference) -> Option<String> {
        let Reference::Resource {
            name, attribute, ..
        } = reference
        else {
            return None;
        };
        if let Some(crate::reference::Step::Attr(second)) = attribute.first() {
            if self.names.find(second).is_some() && attribute.len() > 1 {
                let rest: String = attribute
                    .get(1..)
                    .unwrap_or_default()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                return Some(format!("${{{second}{rest}}}"));
            }
        }
        let close = did_you_mean(name, self.names.iter())?;
        let mut fixed = reference.clone();
        if let Reference::Resource { name, .. } = &mut fixed {
            *name = close;
        }
        Some(format!("${{{fixed}}}"))
    }
}

/// The top-level argument of an `ignore_changes` path, if the path is well-formed:
/// `name`, then any of `.name`, `[N]`, `["key"]`.
fn ignore_path_root(path: &str) -> Option<&str> {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (root, mut rest) = path.split_at(end);
    if !is_identifier(root) {
        return None;
    }
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if !is_identifier(&after[..end]) {
                return None;
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("[\"") {
            let close = after.find("\"]")?;
            rest = &after[close + 2..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']')?;
            after[..close].parse::<u32>().ok()?;
            rest = &after[close + 1..];
        } else {
            return None;
        }
    }
    Some(root)
}

fn provider_synonym(provider: &str) -> Option<&'static str> {
    match provider.to_lowercase().as_str() {
        "amazon" | "aws-cloud" | "amazon-web-services" => Some("aws"),
        "azurerm" | "microsoft" | "azure-rm" => Some("azure"),
        "google" | "gcloud" | "google-cloud" | "gce" => Some("gcp"),
        _ => None,
    }
}

/// Resource names: `[a-z_][a-z0-9_]*` (valid in every target format once prefixed by the type).
fn is_resource_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Variable and output names: Terraform identifiers, `[A-Za-z_][A-Za-z0-9_-]*`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The provider's rules for tag keys and values (AWS tags, Azure tags, GCP labels).
fn tag_problem(provider: Provider, key: &str, value: &str) -> Option<String> {
    match provider {
        Provider::Aws => {
            if key.is_empty() || key.chars().count() > 128 {
                Some(format!(
                    "AWS tag keys are 1 to 128 characters; `{key}` is not"
                ))
            } else if key.to_lowercase().starts_with("aws:") {
                Some(format!(
                    "AWS reserves tag keys starting with `aws:`; `{key}` cannot be set"
                ))
            } else if value.chars().count() > 256 {
                Some(format!(
                    "AWS tag values are at most 256 characters (tag `{key}`)"
                ))
            } else {
                None
            }
        }
        Provider::Azure => {
            if key.is_empty() || key.chars().count() > 512 {
                Some(format!(
                    "Azure tag names are 1 to 512 characters; `{key}` is not"
                ))
            } else if key.chars().any(|c| "<>%&\\?/".contains(c)) {
                Some(format!(
                    "Azure tag names cannot contain < > % & \\ ? /; `{key}` does"
                ))
            } else if value.chars().count() > 256 {
                Some(format!(
                    "Azure tag values are at most 256 characters (tag `{key}`)"
                ))
            } else {
                None
            }
        }
        Provider::Gcp => {
            let ok_char = |c: char| c.is_lowercase() || c.is_numeric() || c == '_' || c == '-';
            let key_ok = key.chars().next().is_some_and(char::is_lowercase)
                && key.chars().count() <= 63
                && key.chars().all(ok_char);
            let value_ok = value.chars().count() <= 63 && value.chars().all(ok_char);
            if !key_ok {
                Some(format!(
                    "GCP label keys start with a lowercase letter and hold up to 63 lowercase letters, digits, `_` and `-`; `{key}` does not"
                ))
            } else if !value_ok {
                Some(format!(
                    "GCP label values hold up to 63 lowercase letters, digits, `_` and `-`; the value of `{key}` does not"
                ))
            } else {
                None
            }
        }
    }
}

/// Appends the path step of a key (`.key` or `["odd key"]`) — re-exported for the submodules.
pub(crate) fn path_key(path: &mut String, key: &str) {
    push_key(path, key)
}

/// Appends the path step of an index.
pub(crate) fn path_index(path: &mut String, i: usize) {
    push_index(path, i)
}

/// Parses a string into a template, recording a malformed reference as a finding.
pub(crate) fn parse_template(
    text: &str,
    path: &str,
    findings: &mut Vec<Finding>,
) -> Option<Template> {
    match Template::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            findings.push(Finding::error(Code::MalformedReference, path, e.message));
            None
        }
    }
}
