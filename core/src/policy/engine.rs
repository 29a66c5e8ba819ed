//! [`PolicySet`]: the compiled Rego policies (built-in and the caller's), and their evaluation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use regorus::Engine;

use super::catalog::{builtin_checks, Check, BUILTIN_FILES, BUILTIN_QUERY};
use super::{Severity, Status};
use crate::error::{Code, Error, ErrorKind, Finding, Location, Result};

/// The default time budget of one evaluation.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);

/// Rule-name prefixes that conftest reads as results: `deny`, `violation` (failures) and `warn`.
const RESULT_RULES: [&str; 3] = ["deny", "violation", "warn"];

/// A compiled set of policies: the built-in catalog (unless left out) plus the caller's Rego
/// files, with the settings data document. Build it once; it is `Send + Sync` and cheap to
/// clone, and every validation runs on its own copy of the engine.
///
/// ```
/// use iac_dharma::policy::PolicySet;
/// let policies = PolicySet::builder()
///     .add_policy("team.rego", r#"
///         package team.storage
///         import rego.v1
///         deny contains msg if {
///             some rc in input.resource_changes
///             rc.type == "aws_s3_bucket"
///             not rc.change.after.tags.team
///             msg := sprintf("%s: every bucket needs a team tag", [rc.address])
///         }
///     "#)
///     .settings(serde_json::json!({"required_tags": ["owner"]}))
///     .build()?;
/// assert_eq!(policies.user_packages(), ["team.storage"]);
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicySet {
    engine: Engine,
    builtin: bool,
    user: Arc<Vec<UserPackage>>,
    checks: &'static BTreeMap<String, Check>,
    time_limit: Option<Duration>,
    /// The settings keys given a non-empty value (they turn on the checks that name them).
    settings_on: Arc<BTreeSet<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct UserPackage {
    /// The package path without `data.`, e.g. `main` or `team.storage`.
    package: String,
    /// The file that declared it first.
    file: String,
}

/// Builds a [`PolicySet`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct PolicySetBuilder {
    without_builtin: bool,
    sources: Vec<(String, String)>,
    data: Vec<serde_json::Value>,
    settings: Option<serde_json::Value>,
    time_limit: Option<Option<Duration>>,
}

impl PolicySet {
    /// The built-in catalog alone, with default settings (compiled once per process).
    ///
    /// # Errors
    /// Only if the embedded policies are broken (a build defect, reported rather than panicking).
    pub fn builtin() -> Result<PolicySet> {
        static BUILTIN: OnceLock<std::result::Result<PolicySet, Error>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| PolicySetBuilder::default().build_fresh())
            .clone()
    }

    /// A builder, starting from the built-in catalog.
    pub fn builder() -> PolicySetBuilder {
        PolicySetBuilder::default()
    }

    /// Whether the built-in catalog is part of the set.
    pub fn has_builtin(&self) -> bool {
        self.builtin
    }

    /// The caller's packages (paths without `data.`), in load order.
    pub fn user_packages(&self) -> Vec<String> {
        self.user.iter().map(|u| u.package.clone()).collect()
    }

    /// Metadata of the built-in checks, by id.
    pub fn checks(&self) -> &BTreeMap<String, Check> {
        self.checks
    }

    /// Whether a built-in check is on with this set's settings: a check that names a
    /// [`Check::setting`] is off while that setting is unset or empty.
    pub fn is_on(&self, check: &Check) -> bool {
        check
            .setting
            .as_ref()
            .is_none_or(|key| self.settings_on.contains(key))
    }

    /// Evaluates every policy against `input` (a plan document in the engine's value type).
    ///
    /// The built-in packages (those `policies/dharma.rego` unions) are evaluated one by one,
    /// on `threads` worker threads (see [`worker_count`]); a provider's packages are skipped when
    /// the input has no resource of that provider. The findings are merged in the packages'
    /// order, so the result does not depend on the number of threads. `index` is the input's
    /// index when the caller built it (while rendering a blueprint); it is built here otherwise.
    pub(crate) fn evaluate(
        &self,
        input: regorus::Value,
        index: Option<IndexDocument>,
        threads: Option<usize>,
    ) -> Result<Vec<RawFinding>> {
        let mut engine = self.engine.clone();
        let mut out = Vec::new();
        if self.builtin {
            let index = index.unwrap_or_else(|| index_document(&input));
            let packages: Vec<&BuiltinPackage> = builtin_packages()
                .map_err(|message| {
                    Error::single(
                        ErrorKind::Policy,
                        Finding::error(Code::PolicySyntax, "policies/dharma.rego", message),
                    )
                })?
                .iter()
                .filter(|p| p.applies_to(&index.prefixes))
                .collect();
            engine
                .add_data(index.document)
                .map_err(|e| eval_error(&e, "policies/lib/lib.rego", self.time_limit))?;
            engine.set_input(input);
            let workers = worker_count(threads, index.resources, packages.len());
            out = self.eval_builtin(&mut engine, &packages, workers)?;
            // The built-in packages shared one budget; each user package has its own, as before.
            if let Some(limit) = self.time_limit {
                set_timer(&mut engine, limit);
            }
        } else {
            engine.set_input(input);
        }
        for pkg in self.user.iter() {
            let query = format!("data.{}", pkg.package);
            let results = unpanicked(&pkg.file, || {
                engine
                    .eval_query(query, false)
                    .map_err(|e| eval_error(&e, &pkg.file, self.time_limit))
            })?;
            for result in &results.result {
                for expr in &result.expressions {
                    let Ok(rules) = expr.value.as_object() else {
                        continue;
                    };
                    for (name, value) in rules.iter() {
                        let Ok(name) = name.as_string() else { continue };
                        let Some(kind) = result_rule(name) else {
                            continue;
                        };
                        let origin = Origin::User {
                            file: pkg.file.clone(),
                            warn: kind == "warn",
                        };
                        collect(value, &pkg.package, name, origin, &mut out)?;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Evaluates the `findings` of the built-in `packages` on `workers` threads (the calling
    /// thread is one of them), each with its own clone of `engine` (which has the input and the
    /// index), pulling the next package from a shared counter. Returns the findings in package
    /// order; on failure, the error of the first failing package in that order.
    fn eval_builtin(
        &self,
        engine: &mut Engine,
        packages: &[&BuiltinPackage],
        workers: usize,
    ) -> Result<Vec<RawFinding>> {
        let deadline = Deadline::start(self.time_limit);
        let limit = self.time_limit;
        if workers <= 1 {
            let mut out = Vec::new();
            for package in packages {
                out.extend(eval_package(engine, package, deadline, limit)?);
            }
            return Ok(out);
        }
        // `add_data` makes regorus analyse the modules again at the next evaluation; do it once
        // here, on a constant rule, so that the clones share the prepared engine.
        engine
            .eval_rule(PREPARE_RULE.to_string())
            .map_err(|e| eval_error(&e, "policies/lib/lib.rego", limit))?;
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let work = |engine: &mut Engine| {
            let mut done: Vec<(usize, Result<Vec<RawFinding>>)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(package) = packages.get(i) else {
                    break;
                };
                let result = eval_package(engine, package, deadline, limit);
                if result.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                done.push((i, result));
            }
            done
        };
        let mut slots: Vec<Option<Result<Vec<RawFinding>>>> =
            packages.iter().map(|_| None).collect();
        let mut lost_worker = false;
        std::thread::scope(|scope| {
            let work = &work;
            let handles: Vec<_> = (1..workers)
                .filter_map(|n| {
                    let mut clone = engine.clone();
                    // A thread the system refuses to start is no error: the others (and this
                    // one) take its share of the packages.
                    std::thread::Builder::new()
                        .name(format!("dharma-policy-{n}"))
                        .spawn_scoped(scope, move || work(&mut clone))
                        .ok()
                })
                .collect();
            let mut done = work(engine);
            for handle in handles {
                match handle.join() {
                    Ok(d) => done.extend(d),
                    Err(_) => lost_worker = true,
                }
            }
            for (i, result) in done {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = Some(result);
                }
            }
        });
        let mut out = Vec::new();
        for slot in slots {
            match slot {
                Some(result) => out.extend(result?),
                // Packages after a failing one are not evaluated; one missing before any failure
                // means a worker thread died.
                None => {
                    return Err(Error::single(
                        ErrorKind::Policy,
                        Finding::error(
                            Code::PolicyError,
                            "policies/dharma.rego",
                            if lost_worker {
                                "a policy evaluation thread stopped unexpectedly"
                            } else {
                                "a built-in policy package was not evaluated"
                            },
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// A rule of the built-in library that is a constant: evaluating it prepares the engine.
const PREPARE_RULE: &str = "data.dharma.lib.world_cidrs";

/// Inputs with fewer resource changes than this are evaluated on one thread by default: below
/// it, starting threads and cloning engines costs more than it saves (measured: see
/// `docs/policies.md`, "Parallel evaluation").
pub const PARALLEL_MIN_RESOURCES: usize = 50;

/// The most threads an automatic validation uses.
pub const MAX_THREADS: usize = 4;

/// How many threads evaluate the built-in packages: `requested` (at least 1) when given;
/// otherwise one for inputs under [`PARALLEL_MIN_RESOURCES`] resource changes, else the
/// available parallelism capped at [`MAX_THREADS`]. Never more than there are packages; always
/// one on wasm32, which has no threads.
pub(crate) fn worker_count(requested: Option<usize>, resources: usize, packages: usize) -> usize {
    if cfg!(target_arch = "wasm32") {
        return 1;
    }
    let wanted = match requested {
        Some(n) => n,
        None if resources < PARALLEL_MIN_RESOURCES => 1,
        None => std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(MAX_THREADS),
    };
    wanted.clamp(1, packages.max(1))
}

/// Evaluates one built-in package's `findings`, within what is left of the shared time budget.
fn eval_package(
    engine: &mut Engine,
    package: &BuiltinPackage,
    deadline: Deadline,
    limit: Option<Duration>,
) -> Result<Vec<RawFinding>> {
    if let Some(remaining) = deadline.remaining() {
        if remaining.is_zero() {
            return Err(timeout_error(package.file, limit));
        }
        set_timer(engine, remaining);
    }
    let value = unpanicked(package.file, || {
        engine
            .eval_rule(package.query.clone())
            .map_err(|e| eval_error(&e, package.file, limit))
    })?;
    let mut out = Vec::new();
    collect(
        &value,
        &package.package,
        "findings",
        Origin::Builtin,
        &mut out,
    )?;
    Ok(out)
}

/// The regorus execution timer with `limit` (not on wasm32 in a browser: no monotonic clock).
fn set_timer(engine: &mut Engine, limit: Duration) {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit,
        check_interval: std::num::NonZeroU32::MIN.saturating_add(255),
    });
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    let _ = (engine, limit);
}

/// When the time budget of the built-in packages runs out (none without a limit, and on wasm32
/// in a browser, where there is no clock).
#[derive(Debug, Clone, Copy)]
struct Deadline(Option<std::time::Instant>);

impl Deadline {
    fn start(limit: Option<Duration>) -> Deadline {
        #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
        return Deadline(limit.and_then(|l| std::time::Instant::now().checked_add(l)));
        #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
        {
            let _ = limit;
            Deadline(None)
        }
    }

    fn remaining(self) -> Option<Duration> {
        self.0
            .map(|d| d.saturating_duration_since(std::time::Instant::now()))
    }
}

/// One package of the built-in catalog, as `policies/dharma.rego` lists it.
#[derive(Debug)]
pub(crate) struct BuiltinPackage {
    /// The package path without `data.`, e.g. `dharma.aws.s3`.
    pub package: String,
    /// The rule evaluated: `data.<package>.findings`.
    pub query: String,
    /// The file that declares the package (named in errors).
    pub file: &'static str,
    /// The resource-type prefix of the provider whose resources the package checks (`aws_`);
    /// none for packages that look at every resource (`dharma.general`).
    pub prefix: Option<&'static str>,
}

/// Resource-type prefixes of the providers whose packages can be skipped, by the package path
/// segment after `dharma.`. A package of a provider only reads `lib.by_type` at types with its
/// prefix (a test checks this), so it finds nothing in an input without such a type.
const PROVIDER_PREFIXES: [(&str, &str); 3] =
    [("aws", "aws_"), ("azure", "azurerm_"), ("gcp", "google_")];

impl BuiltinPackage {
    fn applies_to(&self, prefixes: &[&str]) -> bool {
        self.prefix.is_none_or(|p| prefixes.contains(&p))
    }
}

/// The built-in packages in the order of `policies/dharma.rego` (read from it once).
pub(crate) fn builtin_packages() -> std::result::Result<&'static [BuiltinPackage], String> {
    static PACKAGES: OnceLock<std::result::Result<Vec<BuiltinPackage>, String>> = OnceLock::new();
    PACKAGES
        .get_or_init(|| {
            let entry = BUILTIN_FILES
                .iter()
                .find(|f| f.path == "policies/dharma.rego")
                .ok_or("policies/dharma.rego is not embedded")?;
            let mut out = Vec::new();
            for (n, line) in entry.rego.lines().enumerate() {
                let line = line.trim();
                if line.is_empty()
                    || line.starts_with('#')
                    || line.starts_with("package ")
                    || line.starts_with("import ")
                {
                    continue;
                }
                let package = line
                    .strip_prefix("findings contains f if some f in data.")
                    .and_then(|rest| rest.strip_suffix(".findings"))
                    .ok_or_else(|| {
                        format!(
                            "policies/dharma.rego:{}: expected `findings contains f if some f in data.<package>.findings`",
                            n + 1
                        )
                    })?;
                let file = BUILTIN_FILES
                    .iter()
                    .find(|f| f.rego.contains(&format!("package {package}\n")))
                    .ok_or_else(|| format!("policies/dharma.rego:{}: no file declares package {package}", n + 1))?
                    .path;
                let segment = package.split('.').nth(1).unwrap_or_default();
                let prefix = PROVIDER_PREFIXES
                    .iter()
                    .find(|(name, _)| *name == segment)
                    .map(|(_, prefix)| *prefix);
                out.push(BuiltinPackage {
                    package: package.to_string(),
                    query: format!("data.{package}.findings"),
                    file,
                    prefix,
                });
            }
            Ok(out)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// The indexes `policies/lib/lib.rego` would otherwise compute in Rego, built here in one pass
/// (same definitions; `policies/lib/computed.rego` computes them under `opa eval`): resource
/// changes by type, configuration blocks by configuration key, and the resources each argument
/// refers to, as `{"dharma": {"index": {...}}}`.
pub(crate) fn index_document(input: &regorus::Value) -> IndexDocument {
    let mut index = IndexBuilder::default();
    if let regorus::Value::Array(changes) = &input["resource_changes"] {
        for rc in changes.iter() {
            index.add_change(rc);
        }
    }
    index.add_module(&input["configuration"]["root_module"], "", 0);
    index.finish()
}

/// The index data document, with what the evaluation plan needs to know of it.
#[derive(Debug, PartialEq)]
pub(crate) struct IndexDocument {
    /// `{"dharma": {"index": {...}}}`.
    pub(crate) document: regorus::Value,
    /// The [`PROVIDER_PREFIXES`] of the types in `by_type`.
    pub(crate) prefixes: Vec<&'static str>,
    /// The resource changes in `by_type`.
    pub(crate) resources: usize,
}

/// Builds an [`IndexDocument`] resource by resource, so that parts of a document can be indexed
/// on different threads and [`IndexBuilder::append`]ed: the result is the same as one pass over
/// the whole document in order (a later configuration key replaces an earlier one, as in one
/// pass).
pub(crate) struct IndexBuilder {
    /// Resource changes by type, in the order they were added, or in sorted runs (see
    /// [`IndexBuilder::sort`]); `finish` makes them sets.
    by_type: BTreeMap<regorus::Value, Vec<regorus::Value>>,
    configs: BTreeMap<regorus::Value, regorus::Value>,
    refs: BTreeMap<regorus::Value, regorus::Value>,
    /// The object keys looked up, made once (a lookup by `&str` allocates the key each time).
    keys: [regorus::Value; 7],
}

impl Default for IndexBuilder {
    fn default() -> Self {
        let keys = [
            "mode",
            "change",
            "actions",
            "type",
            "address",
            "expressions",
            "references",
        ]
        .map(regorus::Value::from);
        IndexBuilder {
            by_type: BTreeMap::new(),
            configs: BTreeMap::new(),
            refs: BTreeMap::new(),
            keys,
        }
    }
}

impl IndexBuilder {
    /// Indexes one element of `resource_changes` (managed, not only deleted or forgotten, with a
    /// type).
    pub(crate) fn add_change(&mut self, rc: &regorus::Value) {
        use regorus::Value;
        let [mode, change, actions, type_key, ..] = &self.keys;
        if !matches!(&rc[mode], Value::String(m) if &**m == "managed") {
            return;
        }
        if let Value::Array(actions) = &rc[change][actions] {
            if actions.len() == 1
                && matches!(actions.first(), Some(Value::String(a)) if &**a == "delete" || &**a == "forget")
            {
                return;
            }
        }
        let t = &rc[type_key];
        if *t == Value::Undefined {
            return;
        }
        match self.by_type.get_mut(t) {
            Some(list) => list.push(rc.clone()),
            None => {
                self.by_type.insert(t.clone(), vec![rc.clone()]);
            }
        }
    }

    /// Sorts (and deduplicates) the resource changes of each type, so that `finish` after
    /// `append`s only merges sorted runs: call it on the threads that built the parts.
    pub(crate) fn sort(&mut self) {
        for list in self.by_type.values_mut() {
            list.sort();
            list.dedup();
        }
    }

    /// Adds the resources of a configuration module (and of its module calls) to `configs`,
    /// keyed by `module.<call>.` prefixes plus their address, and to `refs` the resources each
    /// top-level argument refers to (`refs[key][argument]` = set of configuration keys).
    fn add_module(&mut self, module: &regorus::Value, prefix: &str, depth: usize) {
        use regorus::Value;
        if depth > 64 {
            return;
        }
        if let Value::Array(resources) = &module["resources"] {
            for cfg in resources.iter() {
                self.add_config(cfg, prefix);
            }
        }
        if let Value::Object(calls) = &module["module_calls"] {
            for (name, call) in calls.iter() {
                if let Value::String(name) = name {
                    self.add_module(
                        &call["module"],
                        &format!("{prefix}module.{name}."),
                        depth + 1,
                    );
                }
            }
        }
    }

    /// Indexes one resource of a configuration module whose resources are keyed with `prefix`.
    pub(crate) fn add_config(&mut self, cfg: &regorus::Value, prefix: &str) {
        use regorus::Value;
        let [.., address_key, expressions_key, references] = &self.keys;
        let address = &cfg[address_key];
        let Value::String(text) = address else {
            return;
        };
        let key = if prefix.is_empty() {
            address.clone()
        } else {
            Value::from(format!("{prefix}{text}"))
        };
        let mut by_attr: BTreeMap<Value, Value> = BTreeMap::new();
        if let Value::Object(expressions) = &cfg[expressions_key] {
            for (attr, expr) in expressions.iter() {
                let Value::Array(list) = &expr[references] else {
                    continue;
                };
                let targets: std::collections::BTreeSet<Value> = list
                    .iter()
                    .filter_map(|r| match r {
                        Value::String(r) => ref_resource(r),
                        _ => None,
                    })
                    .map(|r| {
                        if prefix.is_empty() {
                            Value::from(r)
                        } else {
                            Value::from(format!("{prefix}{r}"))
                        }
                    })
                    .collect();
                by_attr.insert(attr.clone(), Value::from(targets));
            }
        }
        if !by_attr.is_empty() {
            self.refs.insert(key.clone(), Value::from(by_attr));
        }
        self.configs.insert(key, cfg.clone());
    }

    /// Adds what `later` indexed, as if its resources came after this builder's.
    pub(crate) fn append(&mut self, later: IndexBuilder) {
        for (t, mut list) in later.by_type {
            match self.by_type.get_mut(&t) {
                Some(own) => own.append(&mut list),
                None => {
                    self.by_type.insert(t, list);
                }
            }
        }
        let (mut configs, mut refs) = (later.configs, later.refs);
        self.configs.append(&mut configs);
        self.refs.append(&mut refs);
    }

    /// The index document.
    pub(crate) fn finish(self) -> IndexDocument {
        use regorus::Value;
        // Sets of the changes (a stable sort: runs already sorted are merged in linear time).
        let by_type: BTreeMap<Value, std::collections::BTreeSet<Value>> = self
            .by_type
            .into_iter()
            .map(|(t, list)| (t, list.into_iter().collect()))
            .collect();
        let resources = by_type.values().map(std::collections::BTreeSet::len).sum();
        let mut prefixes = Vec::new();
        for (_, prefix) in PROVIDER_PREFIXES {
            let present = by_type
                .keys()
                .any(|t| matches!(t, Value::String(t) if t.starts_with(prefix)));
            if present {
                prefixes.push(prefix);
            }
        }
        let by_type: BTreeMap<Value, Value> = by_type
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect();
        let mut index = BTreeMap::new();
        index.insert(Value::from("by_type"), Value::from(by_type));
        index.insert(Value::from("configs"), Value::from(self.configs));
        index.insert(Value::from("refs"), Value::from(self.refs));
        let mut dharma = BTreeMap::new();
        dharma.insert(Value::from("index"), Value::from(index));
        let mut root = BTreeMap::new();
        root.insert(Value::from("dharma"), Value::from(dharma));
        IndexDocument {
            document: Value::from(root),
            prefixes,
            resources,
        }
    }
}

/// The resource a reference names, as `lib.ref_resource` defines it: `type.name` (instance key
/// removed) for a two-part reference, `data.type.name` for a data source; none for attribute
/// references (Terraform lists the resource itself next to them), variables, locals, modules.
fn ref_resource(reference: &str) -> Option<String> {
    const KEYWORDS: [&str; 9] = [
        "var",
        "local",
        "module",
        "data",
        "each",
        "count",
        "path",
        "terraform",
        "self",
    ];
    let parts: Vec<&str> = reference.split('.').collect();
    match parts.as_slice() {
        [first, _] if !KEYWORDS.contains(first) => Some(strip_keys(reference)),
        ["data", t, n, ..] => Some(strip_keys(&format!("data.{t}.{n}"))),
        _ => None,
    }
}

/// Removes `[...]` instance keys, as `lib.config_key` does (no nesting, no quoting rules: the
/// same regular expression).
fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut in_key = false;
    for c in address.chars() {
        match (in_key, c) {
            (false, '[') => in_key = true,
            (true, ']') => in_key = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

/// `deny`, `deny_public_buckets`, `violation`, `warn_x` → the kind; anything else → None.
fn result_rule(name: &str) -> Option<&'static str> {
    RESULT_RULES.into_iter().find(|kind| {
        name == *kind
            || name
                .strip_prefix(kind)
                .is_some_and(|rest| rest.starts_with('_'))
    })
}

impl PolicySetBuilder {
    /// Leaves the built-in catalog out (only the caller's policies run).
    pub fn without_builtin(mut self) -> Self {
        self.without_builtin = true;
        self
    }

    /// Adds a Rego policy from text. `name` is how errors refer to it (a file name).
    pub fn add_policy(mut self, name: impl Into<String>, rego: impl Into<String>) -> Self {
        self.sources.push((
            name.into(),
            crate::source_text::without_bom_owned(rego.into()),
        ));
        self
    }

    /// Adds the Rego files at `path`: one file, or every `*.rego` file under a folder
    /// (recursively, in name order; `*_test.rego` files are skipped, as `opa eval` and conftest
    /// tests are not policies).
    ///
    /// # Errors
    /// A [`ErrorKind::InvalidInput`] error when the path cannot be read.
    pub fn add_path(mut self, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut files = Vec::new();
        collect_rego_files(path, &mut files)?;
        if files.is_empty() {
            return Err(io_error(path, "no .rego files found"));
        }
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| io_error(&file, &e.to_string()))?;
            self.sources.push((
                file.to_string_lossy().replace('\\', "/"),
                crate::source_text::without_bom_owned(text),
            ));
        }
        Ok(self)
    }

    /// Merges a data document (as `opa eval -d data.json` would).
    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data.push(data);
        self
    }

    /// Sets the settings of the built-in checks (`data.dharma.settings`): `required_tags`,
    /// `allowed_regions`, `allowed_instance_types`, `previous_generation_families`.
    pub fn settings(mut self, settings: serde_json::Value) -> Self {
        self.settings = Some(settings);
        self
    }

    /// The time budget of one evaluation (default [`DEFAULT_TIME_LIMIT`]); `None` for no limit.
    /// Not enforced on wasm32 in a browser, which has no monotonic clock.
    pub fn time_limit(mut self, limit: Option<Duration>) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// Compiles the set.
    ///
    /// # Errors
    /// A [`ErrorKind::Policy`] error: `policy_syntax` naming `file:line:column` for a policy that
    /// does not parse or compile; `invalid_settings` for settings of the wrong shape.
    pub fn build(self) -> Result<PolicySet> {
        let plain = self.sources.is_empty()
            && self.data.is_empty()
            && self.settings.is_none()
            && self.time_limit.is_none()
            && !self.without_builtin;
        if plain {
            return PolicySet::builtin();
        }
        self.build_fresh()
    }

    fn build_fresh(self) -> Result<PolicySet> {
        let checks = builtin_checks().map_err(|message| {
            Error::single(
                ErrorKind::Policy,
                Finding::error(Code::PolicySyntax, "", message),
            )
        })?;
        let mut engine = if self.without_builtin {
            Engine::new()
        } else {
            builtin_engine()?
        };
        // As OPA and conftest do by default: a builtin that fails (lower(null), to_number("x"))
        // makes its expression undefined instead of aborting the whole evaluation.
        engine.set_strict_builtin_errors(false);
        engine.set_policy_length_config(user_policy_lengths());
        if let Some(settings) = &self.settings {
            check_settings(settings)?;
            let doc = serde_json::json!({"dharma": {"settings": settings}});
            engine
                .add_data(super::input::to_rego(&doc))
                .map_err(|e| settings_error(&e.to_string()))?;
        }
        for data in &self.data {
            engine
                .add_data(super::input::to_rego(data))
                .map_err(|e| settings_error(&e.to_string()))?;
        }
        let mut user: Vec<UserPackage> = Vec::new();
        for (name, text) in self.sources {
            let package = add_user_policy(&mut engine, &name, &text)?;
            if !user.iter().any(|u| u.package == package) {
                user.push(UserPackage {
                    package,
                    file: name,
                });
            }
        }
        let time_limit = self.time_limit.unwrap_or(Some(DEFAULT_TIME_LIMIT));
        if let Some(limit) = time_limit {
            set_timer(&mut engine, limit);
        }
        // Compile every rule now, so that errors surface here and not at the first validation.
        if !self.without_builtin || !user.is_empty() {
            let mut probe = engine.clone();
            probe.set_input(regorus::Value::new_object());
            if !self.without_builtin {
                probe.eval_rule(BUILTIN_QUERY.to_string()).map_err(|e| {
                    // A budget too small for even this probe is a timeout, not a syntax error.
                    if ran_out_of_time(&e) {
                        timeout_error("policies/dharma.rego", time_limit)
                    } else {
                        compile_error(&e, "policies/dharma.rego")
                    }
                })?;
            }
        }
        // The settings given a value, from `settings` or a data document's `dharma.settings`.
        let settings_on: BTreeSet<String> = self
            .settings
            .iter()
            .chain(self.data.iter().map(|d| &d["dharma"]["settings"]))
            .filter_map(serde_json::Value::as_object)
            .flat_map(|m| m.iter())
            .filter(|(_, v)| match v {
                serde_json::Value::Null | serde_json::Value::Bool(false) => false,
                serde_json::Value::Array(a) => !a.is_empty(),
                serde_json::Value::Object(o) => !o.is_empty(),
                serde_json::Value::String(s) => !s.is_empty(),
                _ => true,
            })
            .map(|(k, _)| k.clone())
            .collect();
        Ok(PolicySet {
            engine,
            builtin: !self.without_builtin,
            user: Arc::new(user),
            checks,
            time_limit,
            settings_on: Arc::new(settings_on),
        })
    }
}

/// The size limits of a caller's policy file. regorus refuses lines over 1,024 columns by
/// default, which real policies exceed (an allow-list of 50 AMIs on one line); OPA and conftest
/// have no such limit. A line may be as long as the file, and the file is bounded by size.
fn user_policy_lengths() -> regorus::utils::limits::PolicyLengthConfig {
    use std::num::{NonZeroU32, NonZeroUsize};
    const MAX_BYTES: usize = 8 << 20;
    regorus::utils::limits::PolicyLengthConfig {
        max_col: NonZeroU32::new(MAX_BYTES as u32).unwrap_or(NonZeroU32::MIN),
        max_file_bytes: NonZeroUsize::new(MAX_BYTES).unwrap_or(NonZeroUsize::MIN),
        max_lines: NonZeroUsize::new(1_000_000).unwrap_or(NonZeroUsize::MIN),
    }
}

/// An engine loaded with the built-in policies (parsed once per process, cloned per use).
fn builtin_engine() -> Result<Engine> {
    static ENGINE: OnceLock<std::result::Result<Engine, Error>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut engine = Engine::new();
            for file in BUILTIN_FILES {
                engine
                    .add_policy(file.path.to_string(), file.rego.to_string())
                    .map_err(|e| compile_error(&e, file.path))?;
            }
            Ok(engine)
        })
        .clone()
}

/// Adds a caller's policy: Rego v1 first; a file written in v0 syntax (conftest's classic
/// `deny[msg] { ... }`) is read as v0 when v1 does not parse it.
fn add_user_policy(engine: &mut Engine, name: &str, text: &str) -> Result<String> {
    if let Some((line, column)) = rego_too_deep(text) {
        return Err(Error::single(
            ErrorKind::Policy,
            Finding::error(
                Code::PolicySyntax,
                format!("{name}:{line}:{column}"),
                format!("brackets are nested more than {MAX_REGO_NESTING} levels deep"),
            )
            .with_location(Some(Location { line, column })),
        ));
    }
    let mut attempt = engine.clone();
    match attempt.add_policy(name.to_string(), text.to_string()) {
        Ok(pkg) => {
            *engine = attempt;
            Ok(package_path(&pkg))
        }
        Err(v1_error) => {
            let mut v0 = engine.clone();
            v0.set_rego_v0(true);
            match v0.add_policy(name.to_string(), text.to_string()) {
                Ok(pkg) => {
                    v0.set_rego_v0(false);
                    *engine = v0;
                    Ok(package_path(&pkg))
                }
                Err(v0_error) => {
                    // Report the error of the dialect the file is most likely written in.
                    let v1_text = v1_error.to_string();
                    let looks_v0 = v1_text.contains("`if` keyword is required")
                        || v1_text.contains("`contains` keyword is required");
                    let e = if looks_v0 { v0_error } else { v1_error };
                    Err(compile_error(&e, name))
                }
            }
        }
    }
}

fn package_path(pkg: &str) -> String {
    pkg.strip_prefix("data.").unwrap_or(pkg).to_string()
}

fn collect_rego_files(path: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e.to_string()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(path)
        .map_err(|e| io_error(path, &e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_rego_files(&p, out)?;
        } else {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if let Some(name) = name {
                if name.ends_with(".rego") && !name.ends_with("_test.rego") {
                    out.push(p);
                }
            }
        }
    }
    Ok(())
}

fn io_error(path: &Path, message: &str) -> Error {
    Error::single(
        ErrorKind::InvalidInput,
        Finding::error(
            Code::InvalidArgument,
            "",
            format!("policies {}: {message}", path.display()),
        ),
    )
}

fn settings_error(message: &str) -> Error {
    Error::single(
        ErrorKind::Policy,
        Finding::error(Code::InvalidSettings, "settings", message.to_string()),
    )
}

/// The settings document: an object whose known keys are lists of strings.
fn check_settings(settings: &serde_json::Value) -> Result<()> {
    let Some(map) = settings.as_object() else {
        return Err(settings_error(
            "the settings document must be an object (see docs/policies.md)",
        ));
    };
    for key in [
        "required_tags",
        "allowed_regions",
        "allowed_instance_types",
        "previous_generation_families",
    ] {
        if let Some(v) = map.get(key) {
            let ok = v
                .as_array()
                .is_some_and(|items| items.iter().all(serde_json::Value::is_string));
            if !ok {
                return Err(Error::single(
                    ErrorKind::Policy,
                    Finding::error(
                        Code::InvalidSettings,
                        format!("settings.{key}"),
                        format!("`{key}` must be a list of strings"),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The deepest nesting of `(`, `[` and `{` a user policy may have. regorus refuses parentheses
/// past 32 levels, but parses nested arrays and objects in time that doubles with each level
/// (in a release build: 20 levels 0.4 s, 24 levels 6 s, 40 beyond patience); 16 levels take
/// milliseconds and are far more than policies use.
const MAX_REGO_NESTING: usize = 16;

/// Where the nesting of brackets in a Rego text first passes [`MAX_REGO_NESTING`] (line and
/// column, from 1), outside strings (`"..."` with escapes, `` `raw` ``) and `#` comments.
fn rego_too_deep(text: &str) -> Option<(usize, usize)> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Quoted { escaped: bool },
        Raw,
        Comment,
    }
    let (mut state, mut depth, mut line, mut column) = (State::Code, 0usize, 1usize, 0usize);
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            if state == State::Comment {
                state = State::Code;
            }
            continue;
        }
        state = match state {
            State::Code => match c {
                '"' => State::Quoted { escaped: false },
                '`' => State::Raw,
                '#' => State::Comment,
                '(' | '[' | '{' => {
                    depth += 1;
                    if depth > MAX_REGO_NESTING {
                        return Some((line, column));
                    }
                    State::Code
                }
                ')' | ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    State::Code
                }
                _ => State::Code,
            },
            State::Quoted { escaped: true } => State::Quoted { escaped: false },
            State::Quoted { escaped: false } => match c {
                '\\' => State::Quoted { escaped: true },
                '"' => State::Code,
                _ => State::Quoted { escaped: false },
            },
            State::Raw if c == '`' => State::Code,
            other => other,
        };
    }
    None
}

/// A policy that does not parse or compile: the finding names `file:line:column`.
fn compile_error(e: &dyn std::fmt::Display, file: &str) -> Error {
    let text = format!("{e:#}");
    let (located, message) = locate(&text, file);
    let (path, location) = match located {
        Some((name, l)) => (format!("{name}:{}:{}", l.line, l.column), Some(l)),
        None => (file.to_string(), None),
    };
    Error::single(
        ErrorKind::Policy,
        Finding::error(Code::PolicySyntax, path, message).with_location(location),
    )
}

/// Whether a regorus error is its time budget running out.
fn ran_out_of_time(e: &dyn std::fmt::Display) -> bool {
    format!("{e:#}").contains("exceeded time limit")
}

/// An evaluation failure: a time-budget overrun, or an error raised while evaluating.
fn eval_error(e: &dyn std::fmt::Display, file: &str, limit: Option<Duration>) -> Error {
    if ran_out_of_time(e) {
        return timeout_error(file, limit);
    }
    let text = format!("{e:#}");
    let (located, message) = locate(&text, file);
    let (path, location) = match located {
        Some((name, l)) => (format!("{name}:{}:{}", l.line, l.column), Some(l)),
        None => (file.to_string(), None),
    };
    Error::single(
        ErrorKind::Policy,
        Finding::error(Code::PolicyError, path, message).with_location(location),
    )
}

/// Runs one evaluation, turning a panic inside regorus into a `policy_error` of `file`. Some of
/// its built-in functions panic on arguments a policy controls (`numbers.range(0, 1e18)` asks
/// for a vector of that length: "capacity overflow"); a policy must not crash the engine, nor
/// the process or page that embeds it. The engine that panicked is a clone made for this call
/// and is dropped with the error.
fn unpanicked<T>(file: &str, eval: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(eval)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal failure".to_string());
        Err(Error::single(
            ErrorKind::Policy,
            Finding::error(
                Code::PolicyError,
                file.to_string(),
                format!("the policy engine failed while evaluating this policy ({why}); a built-in function was probably given arguments too large for it, such as a huge numbers.range"),
            ),
        ))
    })
}

/// A time-budget overrun while evaluating `file`.
fn timeout_error(file: &str, limit: Option<Duration>) -> Error {
    let budget = limit.map_or_else(String::new, |l| format!(" of {} ms", l.as_millis()));
    Error::single(
        ErrorKind::Limit,
        Finding::error(
            Code::PolicyTimeout,
            file.to_string(),
            format!("policy evaluation stopped: it ran past its time budget{budget} (a rule that loops over too much, or explodes combinatorially)"),
        ),
    )
}

/// Finds the location in a regorus error (`--> file:line:col`, or `file:line:col: message`); returns the
/// location (of `file`, or of the first `*.rego` file the text names, with that file's name) and
/// a one-line message.
fn locate(text: &str, file: &str) -> (Option<(String, Location)>, String) {
    // regorus writes `--> file:line:col`, the source line with a caret, then `error: message`.
    let mut message = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("error:"))
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or(text)
        .trim()
        .to_string();
    // A name without `.rego` (a policy given as text under any name): `name:line:col`.
    if !file.is_empty() && !file.ends_with(".rego") {
        let needle = format!("{file}:");
        for line in text.lines().map(str::trim) {
            for (i, _) in line.match_indices(&needle) {
                let boundary = line
                    .get(..i)
                    .and_then(|head| head.chars().next_back())
                    .is_none_or(|c| c.is_whitespace() || c == '>');
                let mut parts = line.get(i + needle.len()..).unwrap_or("").splitn(3, ':');
                let l = parts.next().and_then(|x| x.trim().parse::<usize>().ok());
                let c = parts.next().and_then(|x| x.trim().parse::<usize>().ok());
                if let (true, Some(line_no), Some(column)) = (boundary, l, c) {
                    let location = Location {
                        line: line_no,
                        column,
                    };
                    return (Some((file.to_string(), location)), message);
                }
            }
        }
    }
    for line in text.lines() {
        let line = line.trim();
        let start = if let Some(i) = line.find(file).filter(|_| !file.is_empty()) {
            i
        } else if let Some(i) = line.find(".rego:") {
            line.get(..i)
                .and_then(|head| head.rfind(|c: char| c.is_whitespace()).map(|w| w + 1))
                .unwrap_or(0)
        } else {
            continue;
        };
        let Some(rest) = line.get(start..) else {
            continue;
        };
        let Some(ext) = rest.find(".rego:") else {
            continue;
        };
        let name = rest.get(..ext + 5).unwrap_or(file).to_string();
        let mut parts = rest.get(ext + 6..).unwrap_or("").splitn(3, ':');
        let l = parts.next().and_then(|x| x.trim().parse::<usize>().ok());
        let c = parts.next().and_then(|x| x.trim().parse::<usize>().ok());
        if let (Some(line_no), Some(column)) = (l, c) {
            if let Some(m) = parts.next() {
                let m = m.trim();
                let m = m.strip_prefix("error:").unwrap_or(m).trim();
                if !m.is_empty() {
                    message = m.to_string();
                }
            }
            return (
                Some((
                    name,
                    Location {
                        line: line_no,
                        column,
                    },
                )),
                message,
            );
        }
    }
    (None, message)
}

/// Where a finding came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Builtin,
    User { file: String, warn: bool },
}

/// A finding as a rule returned it, before metadata and waivers are applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawFinding {
    pub id: String,
    pub address: String,
    pub path: String,
    pub message: String,
    pub status: Status,
    pub severity: Option<Severity>,
    pub title: Option<String>,
    pub origin: Origin,
}

/// Reads the results of one rule: a set (or array) of strings or objects, or `true`.
fn collect(
    value: &regorus::Value,
    package: &str,
    rule: &str,
    origin: Origin,
    out: &mut Vec<RawFinding>,
) -> Result<()> {
    let items: Vec<&regorus::Value> = match value {
        regorus::Value::Set(s) => s.iter().collect(),
        regorus::Value::Array(a) => a.iter().collect(),
        regorus::Value::Undefined | regorus::Value::Null | regorus::Value::Bool(false) => {
            Vec::new()
        }
        other => vec![other],
    };
    let default_id = format!("{package}.{rule}");
    let default_status = match &origin {
        Origin::User { warn: true, .. } => Status::Warn,
        _ => Status::Fail,
    };
    for item in items {
        let finding = match item {
            regorus::Value::String(s) => RawFinding {
                id: default_id.clone(),
                address: String::new(),
                path: String::new(),
                message: s.to_string(),
                status: default_status,
                severity: None,
                title: None,
                origin: origin.clone(),
            },
            regorus::Value::Bool(true) => RawFinding {
                id: default_id.clone(),
                address: String::new(),
                path: String::new(),
                message: format!("{default_id} is true"),
                status: default_status,
                severity: None,
                title: None,
                origin: origin.clone(),
            },
            regorus::Value::Object(_) => {
                let text = |keys: &[&str]| -> Option<String> {
                    keys.iter().find_map(|k| match &item[*k] {
                        regorus::Value::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                };
                let message = text(&["message", "msg"]).ok_or_else(|| {
                    invalid_result(
                        package,
                        rule,
                        "an object result needs a `message` (or `msg`)",
                    )
                })?;
                let status = match text(&["status"]).as_deref() {
                    Some("unknown") => Status::Unknown,
                    Some("warn") => Status::Warn,
                    Some("fail") | None => default_status,
                    Some(other) => {
                        return Err(invalid_result(
                            package,
                            rule,
                            &format!("status `{other}` is not fail, warn or unknown"),
                        ))
                    }
                };
                let severity = match text(&["severity"]) {
                    Some(s) => Some(
                        s.parse::<Severity>()
                            .map_err(|m| invalid_result(package, rule, &m))?,
                    ),
                    None => None,
                };
                RawFinding {
                    id: text(&["id", "rule"]).unwrap_or_else(|| default_id.clone()),
                    address: text(&["address", "resource"]).unwrap_or_default(),
                    path: text(&["path"]).unwrap_or_default(),
                    message,
                    status,
                    severity,
                    title: text(&["title"]),
                    origin: origin.clone(),
                }
            }
            other => {
                return Err(invalid_result(
                    package,
                    rule,
                    &format!("a result must be a string or an object, not {other}"),
                ))
            }
        };
        out.push(finding);
    }
    Ok(())
}

fn invalid_result(package: &str, rule: &str, message: &str) -> Error {
    Error::single(
        ErrorKind::Policy,
        Finding::error(
            Code::InvalidPolicyResult,
            format!("data.{package}.{rule}"),
            message.to_string(),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_rule_names() {
        assert_eq!(result_rule("deny"), Some("deny"));
        assert_eq!(result_rule("deny_public"), Some("deny"));
        assert_eq!(result_rule("warn_x"), Some("warn"));
        assert_eq!(result_rule("violation"), Some("violation"));
        assert_eq!(result_rule("denylist"), None);
        assert_eq!(result_rule("allow"), None);
    }

    #[test]
    fn builtin_set_compiles() {
        let set = PolicySet::builtin().unwrap();
        assert!(set.has_builtin());
        assert!(set.checks().len() >= 40);
    }

    #[test]
    fn builtin_packages_are_the_metadata_packages() {
        let packages = builtin_packages().unwrap();
        let listed: std::collections::BTreeSet<&str> =
            packages.iter().map(|p| p.package.as_str()).collect();
        assert_eq!(listed.len(), packages.len(), "a package is listed twice");
        let with_checks: std::collections::BTreeSet<&str> = builtin_checks()
            .unwrap()
            .values()
            .map(|c| c.package.as_str())
            .collect();
        assert_eq!(listed, with_checks);
        for p in packages {
            let file = BUILTIN_FILES.iter().find(|f| f.path == p.file).unwrap();
            assert!(file.rego.contains(&format!("package {}\n", p.package)));
            let expected = if p.package == "dharma.general" {
                None
            } else {
                Some(p.prefix.unwrap())
            };
            assert_eq!(p.prefix, expected, "{}", p.package);
        }
    }

    /// A provider's package is skipped when the input has no type of its prefix: that is only
    /// right if its rules never look at another provider's types. Every resource type its file
    /// names (`by_type.<type>`, or a quoted type name) must have its own prefix.
    #[test]
    fn provider_packages_only_name_their_own_types() {
        for p in builtin_packages().unwrap() {
            let Some(own) = p.prefix else { continue };
            let rego = BUILTIN_FILES
                .iter()
                .find(|f| f.path == p.file)
                .unwrap()
                .rego;
            let words = rego.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            for word in words {
                for (_, prefix) in PROVIDER_PREFIXES {
                    if word.starts_with(prefix) && word.len() > prefix.len() {
                        assert_eq!(prefix, own, "{}: {word}", p.file);
                    }
                }
            }
            assert!(
                !rego.contains("input.resource_changes"),
                "{} reads resource changes outside lib.by_type",
                p.file
            );
        }
    }

    #[test]
    fn every_builtin_package_evaluates_on_an_empty_plan() {
        let set = PolicySet::builtin().unwrap();
        for p in builtin_packages().unwrap() {
            let mut engine = set.engine.clone();
            engine.set_input(regorus::Value::new_object());
            let value = engine.eval_rule(p.query.clone()).unwrap();
            assert_eq!(value, regorus::Value::new_set(), "{}", p.package);
        }
    }

    #[test]
    fn worker_counts() {
        assert_eq!(worker_count(None, 10, 18), 1);
        assert_eq!(worker_count(Some(1), 100_000, 18), 1);
        assert_eq!(worker_count(Some(0), 100_000, 18), 1);
        assert_eq!(worker_count(Some(64), 10, 18), 18);
        assert_eq!(worker_count(Some(3), 10, 0), 1);
        let auto = worker_count(None, 100_000, 18);
        assert!((1..=MAX_THREADS).contains(&auto));
    }

    /// Every input the repository has for validate: the vector cases' blueprints and plans, the
    /// real plans, the example blueprints, and one plan mixing the three providers.
    fn inputs() -> Vec<(String, regorus::Value)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = Vec::new();
        let mut add_blueprint = |name: String, bp: crate::Result<crate::Blueprint>| {
            if let Ok(bp) = bp.and_then(crate::Blueprint::into_checked) {
                let doc = super::super::input::render_blueprint(
                    &bp,
                    &BTreeMap::new(),
                    false,
                    1,
                    super::super::input::Marks::UnknownOnly,
                );
                out.push((name, doc));
            }
        };
        let mut stack = vec![root.join("tests/vectors/validate")];
        let mut cases = Vec::new();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    cases.push(p);
                }
            }
        }
        cases.sort();
        let mut plans = Vec::new();
        for path in &cases {
            let case: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let name = path.display().to_string();
            if let Some(doc) = case.get("blueprint") {
                add_blueprint(name.clone(), crate::Blueprint::from_json(&doc.to_string()));
            }
            if let Some(file) = case["blueprint_file"].as_str() {
                let text = std::fs::read_to_string(root.join(file)).unwrap();
                add_blueprint(name.clone(), crate::Blueprint::from_text(&text));
            }
            if let Some(plan) = case["args"].get("plan") {
                plans.push((name, plan.clone()));
            }
        }
        for e in std::fs::read_dir(root.join("examples/blueprints")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                let text = std::fs::read_to_string(&p).unwrap();
                add_blueprint(p.display().to_string(), crate::Blueprint::from_text(&text));
            }
        }
        let mut mixed: Vec<serde_json::Value> = Vec::new();
        for e in std::fs::read_dir(root.join("tests/fixtures/plans")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                let plan: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                mixed.extend(
                    plan["resource_changes"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                );
                plans.push((p.display().to_string(), plan));
            }
        }
        plans.push((
            "mixed providers".into(),
            serde_json::json!({"format_version": "1.2", "resource_changes": mixed}),
        ));
        for (name, plan) in plans {
            out.push((name, super::super::input::to_rego(&plan)));
        }
        out
    }

    fn sorted(mut findings: Vec<RawFinding>) -> Vec<RawFinding> {
        findings.sort_by(|a, b| {
            (&a.address, &a.id, &a.path, &a.message, a.status)
                .cmp(&(&b.address, &b.id, &b.path, &b.message, b.status))
        });
        findings.dedup();
        findings
    }

    /// Per-package evaluation (skipping other providers' packages, on 1 or 3 threads) finds
    /// exactly what one evaluation of `data.dharma.findings` finds, and the threads do not
    /// change the order of the findings.
    #[test]
    fn package_evaluation_equals_the_union_rule() {
        let set = PolicySet::builtin().unwrap();
        let inputs = inputs();
        assert!(inputs.len() > 150, "{}", inputs.len());
        for (name, input) in inputs {
            let mut engine = set.engine.clone();
            engine.add_data(index_document(&input).document).unwrap();
            engine.set_input(input.clone());
            let union = engine.eval_rule(BUILTIN_QUERY.to_string()).unwrap();
            let mut expected = Vec::new();
            collect(&union, "dharma", "findings", Origin::Builtin, &mut expected).unwrap();
            let sequential = set.evaluate(input.clone(), None, Some(1)).unwrap();
            let parallel = set.evaluate(input, None, Some(3)).unwrap();
            assert_eq!(sequential, parallel, "{name}");
            assert_eq!(sorted(sequential), sorted(expected), "{name}");
        }
    }

    #[test]
    fn deeply_nested_brackets_are_refused_before_regorus_parses_them() {
        // regorus takes seconds for 24 nested arrays and does not finish 40.
        let deep = format!("package a\n\nx := {}{}\n", "[".repeat(40), "]".repeat(40));
        let e = PolicySet::builder()
            .add_policy("deep.rego", &deep)
            .build()
            .unwrap_err();
        let f = &e.findings()[0];
        assert_eq!(
            (f.code, f.path.as_str()),
            (Code::PolicySyntax, "deep.rego:3:22"),
            "{e}"
        );
        // Brackets inside strings and comments do not count; 8 levels are fine.
        let fine = format!(
            "package a\n\n# {c}\ns := \"{c}\"\nr := `{c}`\nx := {o}{e}\n",
            c = "[".repeat(100),
            o = "[".repeat(8),
            e = "]".repeat(8)
        );
        PolicySet::builder()
            .without_builtin()
            .add_policy("fine.rego", &fine)
            .build()
            .unwrap();
    }

    #[test]
    fn a_budget_too_small_to_build_is_a_timeout() {
        let e = PolicySet::builder()
            .time_limit(Some(Duration::ZERO))
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
        assert_eq!(e.findings()[0].code, Code::PolicyTimeout, "{e}");
    }

    #[test]
    fn time_budget_is_shared_by_the_packages() {
        // (A set built with a zero budget fails its build probe; this one ran out later.)
        let mut set = PolicySet::builtin().unwrap();
        set.time_limit = Some(Duration::ZERO);
        let input = super::super::input::to_rego(&serde_json::json!({"resource_changes": []}));
        for threads in [1, 3] {
            let e = set
                .evaluate(input.clone(), None, Some(threads))
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
        }
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PolicySet>();
    }
}
