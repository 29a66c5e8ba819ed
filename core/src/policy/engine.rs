//! [`PolicySet`]: the compiled Rego policies (built-in and the caller's), and their evaluation.

use std::collections::BTreeMap;
use std::path::Path;
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

    /// Evaluates every policy against `input` (a plan document in the engine's value type).
    pub(crate) fn evaluate(&self, input: regorus::Value) -> Result<Vec<RawFinding>> {
        let mut engine = self.engine.clone();
        if self.builtin {
            engine
                .add_data(index_document(&input))
                .map_err(|e| eval_error(&e, "policies/lib/lib.rego", self.time_limit))?;
        }
        engine.set_input(input);
        let mut out = Vec::new();
        if self.builtin {
            let value = engine
                .eval_rule(BUILTIN_QUERY.to_string())
                .map_err(|e| eval_error(&e, "policies/dharma.rego", self.time_limit))?;
            collect(&value, "dharma", "findings", Origin::Builtin, &mut out)?;
        }
        for pkg in self.user.iter() {
            let query = format!("data.{}", pkg.package);
            let results = engine
                .eval_query(query, false)
                .map_err(|e| eval_error(&e, &pkg.file, self.time_limit))?;
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
}

/// The indexes `policies/lib/lib.rego` would otherwise compute in Rego, built here in one pass
/// (same definitions; `policies/lib/computed.rego` computes them under `opa eval`): resource
/// changes by type, configuration blocks by configuration key, and the resources each argument
/// refers to, as `{"dharma": {"index": {...}}}`.
fn index_document(input: &regorus::Value) -> regorus::Value {
    use regorus::Value;
    let managed = Value::from("managed");
    let delete_only = Value::from(vec![Value::from("delete")]);
    let (k_mode, k_change, k_actions, k_type) = (
        Value::from("mode"),
        Value::from("change"),
        Value::from("actions"),
        Value::from("type"),
    );
    let mut by_type: BTreeMap<Value, std::collections::BTreeSet<Value>> = BTreeMap::new();
    if let Ok(changes) = input["resource_changes"].as_array() {
        for rc in changes.iter() {
            if rc[&k_mode] != managed || rc[&k_change][&k_actions] == delete_only {
                continue;
            }
            let t = &rc[&k_type];
            if *t == Value::Undefined {
                continue;
            }
            by_type.entry(t.clone()).or_default().insert(rc.clone());
        }
    }
    let mut configs: BTreeMap<Value, Value> = BTreeMap::new();
    let mut refs: BTreeMap<Value, Value> = BTreeMap::new();
    index_module(
        &input["configuration"]["root_module"],
        String::new(),
        &mut configs,
        &mut refs,
        0,
    );
    let by_type: BTreeMap<Value, Value> = by_type
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
    let mut index = BTreeMap::new();
    index.insert(Value::from("by_type"), Value::from(by_type));
    index.insert(Value::from("configs"), Value::from(configs));
    index.insert(Value::from("refs"), Value::from(refs));
    let mut dharma = BTreeMap::new();
    dharma.insert(Value::from("index"), Value::from(index));
    let mut root = BTreeMap::new();
    root.insert(Value::from("dharma"), Value::from(dharma));
    Value::from(root)
}

/// Adds the resources of a configuration module (and of its module calls) to `configs`, keyed by
/// `module.<call>.` prefixes plus their address, and to `refs` the resources each top-level
/// argument refers to (`refs[key][argument]` = set of configuration keys).
fn index_module(
    module: &regorus::Value,
    prefix: String,
    configs: &mut BTreeMap<regorus::Value, regorus::Value>,
    refs: &mut BTreeMap<regorus::Value, regorus::Value>,
    depth: usize,
) {
    use regorus::Value;
    if depth > 64 {
        return;
    }
    if let Ok(resources) = module["resources"].as_array() {
        for cfg in resources.iter() {
            let Ok(address) = cfg["address"].as_string() else {
                continue;
            };
            let key = Value::from(format!("{prefix}{address}"));
            let mut by_attr: BTreeMap<Value, Value> = BTreeMap::new();
            if let Ok(expressions) = cfg["expressions"].as_object() {
                for (attr, expr) in expressions.iter() {
                    let Ok(list) = expr["references"].as_array() else {
                        continue;
                    };
                    let targets: std::collections::BTreeSet<Value> = list
                        .iter()
                        .filter_map(|r| r.as_string().ok())
                        .filter_map(|r| ref_resource(r))
                        .map(|r| Value::from(format!("{prefix}{r}")))
                        .collect();
                    by_attr.insert(attr.clone(), Value::from(targets));
                }
            }
            if !by_attr.is_empty() {
                refs.insert(key.clone(), Value::from(by_attr));
            }
            configs.insert(key, cfg.clone());
        }
    }
    if let Ok(calls) = module["module_calls"].as_object() {
        for (name, call) in calls.iter() {
            if let Ok(name) = name.as_string() {
                index_module(
                    &call["module"],
                    format!("{prefix}module.{name}."),
                    configs,
                    refs,
                    depth + 1,
                );
            }
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
        self.sources.push((name.into(), rego.into()));
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
            self.sources
                .push((file.to_string_lossy().replace('\\', "/"), text));
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
        #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
        if let Some(limit) = time_limit {
            engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
                limit,
                check_interval: std::num::NonZeroU32::MIN.saturating_add(255),
            });
        }
        // Compile every rule now, so that errors surface here and not at the first validation.
        if !self.without_builtin || !user.is_empty() {
            let mut probe = engine.clone();
            probe.set_input(regorus::Value::new_object());
            if !self.without_builtin {
                probe
                    .eval_rule(BUILTIN_QUERY.to_string())
                    .map_err(|e| compile_error(&e, "policies/dharma.rego"))?;
            }
        }
        Ok(PolicySet {
            engine,
            builtin: !self.without_builtin,
            user: Arc::new(user),
            checks,
            time_limit,
        })
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

/// An evaluation failure: a time-budget overrun, or an error raised while evaluating.
fn eval_error(e: &dyn std::fmt::Display, file: &str, limit: Option<Duration>) -> Error {
    let text = format!("{e:#}");
    let timed_out = text.contains("exceeded time limit");
    if timed_out {
        let budget = limit.map_or_else(String::new, |l| format!(" of {} ms", l.as_millis()));
        return Error::single(
            ErrorKind::Limit,
            Finding::error(
                Code::PolicyTimeout,
                file.to_string(),
                format!("policy evaluation stopped: it ran past its time budget{budget} (a rule that loops over too much, or explodes combinatorially)"),
            ),
        );
    }
    let (located, message) = locate(&text, "");
    let (path, location) = match located {
        Some((name, l)) => (format!("{name}:{}:{}", l.line, l.column), Some(l)),
        None => (file.to_string(), None),
    };
    Error::single(
        ErrorKind::Policy,
        Finding::error(Code::PolicyError, path, message).with_location(location),
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
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PolicySet>();
    }
}
