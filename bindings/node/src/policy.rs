//! Validation: the `PolicySet` class (built-in Rego checks and the caller's policies, compiled
//! once and shared), `Blueprint.validate` and `validatePlan`, sync and async.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use iac_dharma::policy::Severity;
use iac_dharma::{did_you_mean, TerraformPlan, ValidateOptions, Waiver};
use napi::bindgen_prelude::{AsyncTask, ClassInstance, FromNapiValue, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;

use crate::args::{document_text, string_arg};
use crate::convert::{is_absent, options, to_js, type_name};
use crate::error::{disposed, guard, invalid_argument, Failure, Outcome};
use crate::lazy::{lazy_value, split_text};
use crate::release::Slot;
use crate::task::{deferred, JsonJob};
use crate::Blueprint;

/// A compiled set of Rego policies: the built-in checks (unless left out), the caller's
/// policies, data documents and the built-ins' settings. Compiling is the slow part; build a set
/// once and pass it to any number of `validate` calls (sync or async, in parallel).
#[napi]
pub struct PolicySet {
    /// The compiled set, until disposed.
    slot: Slot<iac_dharma::PolicySet>,
}

impl PolicySet {
    /// The compiled set, or the `disposed` error.
    pub(crate) fn inner(&self) -> Outcome<Arc<iac_dharma::PolicySet>> {
        self.slot.get("this PolicySet")
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SetOpts {
    builtin: Option<bool>,
    data: Option<Value>,
    settings: Option<Value>,
    time_limit_ms: Option<Option<u64>>,
}

const SET_FIELDS: &[&str] = &["builtin", "data", "settings", "timeLimitMs"];

/// A policy given as text: `{name, rego}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    name: String,
    rego: String,
}

/// The caller's policies: `{name: rego}` or `[{name, rego}]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Sources {
    List(Vec<Source>),
    Map(BTreeMap<String, String>),
}

fn build_set(
    env: &Env,
    options_arg: Option<Unknown<'_>>,
    add: impl FnOnce(
        iac_dharma::policy::PolicySetBuilder,
    ) -> Outcome<iac_dharma::policy::PolicySetBuilder>,
) -> Outcome<PolicySet> {
    let o: SetOpts = options(env, options_arg, "options", SET_FIELDS)?;
    let mut builder = iac_dharma::PolicySet::builder();
    if o.builtin == Some(false) {
        builder = builder.without_builtin();
    }
    match o.data {
        None => {}
        Some(Value::Array(docs)) => {
            for d in docs {
                builder = builder.data(d);
            }
        }
        Some(d) => builder = builder.data(d),
    }
    if let Some(s) = o.settings {
        builder = builder.settings(s);
    }
    if let Some(limit) = o.time_limit_ms {
        builder = builder.time_limit(limit.map(Duration::from_millis));
    }
    let builder = add(builder)?;
    Ok(PolicySet {
        slot: Slot::new(Arc::new(builder.build()?)),
    })
}

#[napi]
impl PolicySet {
    /// The built-in checks; `options` can set their `settings` (`required_tags`,
    /// `allowed_regions`, ...), add `data` documents or change the time limit. Without options,
    /// the set is compiled once per process.
    ///
    /// @throws {DharmaError} `policy` (`invalid_settings`) for settings of the wrong shape,
    /// `invalid_input` for an unknown option.
    #[napi(factory, ts_args_type = "options?: PolicySetOptions | null")]
    pub fn builtin(env: Env, options: Option<Unknown>) -> napi::Result<PolicySet> {
        guard(&env, || build_set(&env, options, Ok))
    }

    /// Compiles the caller's Rego policies (`{fileName: rego}` or `[{name, rego}]`; the name is
    /// how errors refer to a policy), with the built-in checks unless `options.builtin` is false.
    ///
    /// @throws {DharmaError} `policy` (`policy_syntax`, with `file:line:column` in its
    /// location and message) for a policy that does not compile.
    #[napi(
        factory,
        ts_args_type = "policies: Record<string, string> | Array<{ name: string; rego: string }>, options?: PolicySetOptions | null"
    )]
    pub fn from_rego(
        env: Env,
        policies: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<PolicySet> {
        guard(&env, || {
            let sources = policy_sources(&env, policies)?;
            build_set(&env, options, |mut b| {
                for (name, rego) in sources {
                    b = b.add_policy(name, rego);
                }
                Ok(b)
            })
        })
    }

    /// Compiles the Rego files at `path` (a file, or every `*.rego` under a folder, recursively,
    /// `*_test.rego` left out), or at each of several paths.
    ///
    /// @throws {DharmaError} `invalid_input` for a path that cannot be read or holds no `.rego`
    /// file; `policy` as `fromRego`.
    #[napi(
        factory,
        ts_args_type = "path: string | string[], options?: PolicySetOptions | null"
    )]
    pub fn from_path(env: Env, path: Unknown, options: Option<Unknown>) -> napi::Result<PolicySet> {
        guard(&env, || {
            let paths: Vec<String> = if path.get_type()? == ValueType::String {
                vec![string_arg(path, "path")?]
            } else {
                let bad = || {
                    invalid_argument(
                        "path",
                        format!(
                            "`path` must be a string or an array of strings, got {}",
                            type_name(&path)
                        ),
                        None,
                    )
                };
                if !path.is_array()? {
                    return Err(bad().into());
                }
                let text = crate::convert::json_stringify(
                    &env,
                    path,
                    "path",
                    iac_dharma::ErrorKind::InvalidInput,
                )?
                .unwrap_or_default();
                serde_json::from_str(&text).map_err(|_| bad())?
            };
            build_set(&env, options, |mut b| {
                for p in paths {
                    b = b.add_path(p)?;
                }
                Ok(b)
            })
        })
    }

    /// Frees the compiled policies now (their last reference, off the JS thread: the default
    /// built-in set stays for the process), instead of when V8 collects the object;
    /// `[Symbol.dispose]()` does the same, so `using policies = ...` works. Idempotent; calls
    /// already running finish first; any later use (or passing it to a call) throws a
    /// `DharmaError` with code `disposed`.
    #[napi]
    pub fn dispose(&self) {
        self.slot.dispose();
    }

    /// Whether `dispose()` was called.
    #[napi(getter)]
    pub fn disposed(&self) -> bool {
        self.slot.is_disposed()
    }

    /// Whether the built-in checks are part of the set.
    ///
    /// @throws {DharmaError} `disposed` after `dispose()` (as every member below).
    #[napi(getter)]
    pub fn has_builtin(&self, env: Env) -> napi::Result<bool> {
        guard(&env, || Ok(self.inner()?.has_builtin()))
    }

    /// The packages of the caller's policies (`team.storage`), in load order.
    #[napi(getter)]
    pub fn user_packages(&self, env: Env) -> napi::Result<Vec<String>> {
        guard(&env, || Ok(self.inner()?.user_packages()))
    }

    /// The built-in checks' metadata (id, title, severity, category, resource types,
    /// description, remediation, Checkov and CIS references), by id order.
    #[napi(ts_return_type = "PolicyCheck[]")]
    pub fn checks<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let inner = self.inner()?;
            let checks: Vec<_> = if inner.has_builtin() {
                inner.checks().values().collect()
            } else {
                Vec::new()
            };
            to_js(env, &checks)
        })
    }
}

/// Reads `{name: rego}` or `[{name, rego}]`.
fn policy_sources(env: &Env, value: Unknown<'_>) -> Outcome<Vec<(String, String)>> {
    let bad = || {
        invalid_argument(
            "policies",
            format!(
                "`policies` must be {{name: rego}} or [{{name, rego}}], got {}",
                type_name(&value)
            ),
            None,
        )
    };
    if value.get_type()? != ValueType::Object {
        return Err(bad().into());
    }
    let text = crate::convert::json_stringify(
        env,
        value,
        "policies",
        iac_dharma::ErrorKind::InvalidInput,
    )?
    .unwrap_or_default();
    let sources: Sources = serde_json::from_str(&text).map_err(|_| bad())?;
    Ok(match sources {
        Sources::List(list) => list.into_iter().map(|s| (s.name, s.rego)).collect(),
        Sources::Map(map) => map.into_iter().collect(),
    })
}

/// The policy set argument: a `PolicySet`, or absent for the built-in checks.
pub fn policy_set_arg(
    value: Option<Unknown<'_>>,
    path: &str,
) -> Outcome<Arc<iac_dharma::PolicySet>> {
    match value.filter(|v| !is_absent(v)) {
        None => Ok(Arc::new(iac_dharma::PolicySet::builtin()?)),
        Some(v) => ClassInstance::<PolicySet>::from_unknown(v)
            .map_err(|_| {
                Failure::from(invalid_argument(
                    path,
                    format!("`{path}` must be a PolicySet, got {}", type_name(&v)),
                    None,
                ))
            })
            .and_then(|p| match p.inner() {
                Ok(inner) => Ok(inner),
                Err(_) => Err(disposed(&format!("`{path}` (a PolicySet)"))),
            }),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ValidateOpts {
    pub fail_on: Option<String>,
    pub today: Option<String>,
    pub variables: Option<BTreeMap<String, Value>>,
    pub waivers: Option<BTreeMap<String, Vec<Waiver>>>,
}

pub(crate) const VALIDATE_FIELDS: &[&str] = &["failOn", "today", "variables", "waivers"];

/// A severity option (`failOn`) at `path`.
pub fn severity(name: &str, path: &str) -> Outcome<Severity> {
    name.parse().map_err(|message: String| {
        invalid_argument(
            path,
            message,
            did_you_mean(name, Severity::ALL.iter().map(|s| s.as_str())),
        )
        .into()
    })
}

impl ValidateOpts {
    /// The engine's options; `prefix` names the object in errors (`options`).
    pub fn into_options(self, prefix: &str) -> Outcome<ValidateOptions> {
        let mut o = ValidateOptions::default();
        if let Some(f) = self.fail_on {
            o.fail_on = severity(&f, &format!("{prefix}.failOn"))?;
        }
        o.today = self.today;
        o.variables = self.variables.unwrap_or_default();
        o.waivers = self.waivers.unwrap_or_default();
        Ok(o)
    }
}

/// The policy threads of an async validation of `resources` resource changes (unknown for a plan
/// not read yet): one core fewer than the machine has (at most 4, at least 1; one for small
/// inputs), so that the engine's threads leave the event loop's thread a core. With every core
/// busy, timers of a 2-core machine ran up to ~20 ms late during a 10,000-resource
/// `validateAsync` (bench/event-loop.mjs); the sync call blocks the loop anyway and uses them all.
pub(crate) fn pool_threads(resources: Option<usize>) -> usize {
    use iac_dharma::policy::{MAX_THREADS, PARALLEL_MIN_RESOURCES};
    if resources.is_some_and(|n| n < PARALLEL_MIN_RESOURCES) {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    cores.saturating_sub(1).clamp(1, MAX_THREADS)
}

fn validate_options(env: &Env, value: Option<Unknown<'_>>) -> Outcome<ValidateOptions> {
    let o: ValidateOpts = options(env, value, "options", VALIDATE_FIELDS)?;
    o.into_options("options")
}

/// A Terraform plan argument (text or object) as JSON text.
fn plan_text(env: &Env, value: Unknown<'_>) -> Outcome<String> {
    document_text(env, value, "plan")
}

fn validate_plan_report(
    plan: &str,
    policies: &iac_dharma::PolicySet,
    options: &ValidateOptions,
) -> Outcome<iac_dharma::policy::Report> {
    let plan = TerraformPlan::parse(plan)?;
    Ok(iac_dharma::validate_plan(&plan, policies, options)?)
}

#[napi]
impl Blueprint {
    /// Evaluates the policy set (default: the built-in checks) on the blueprint, rendered as a
    /// Terraform plan. The report lists every finding (`fail`, `warn`, `unknown` before apply,
    /// `waived`) with its check, address and path, the counts, the waivers and whether it
    /// `passed` (no failure at or above `options.failOn`).
    ///
    /// @throws {DharmaError} `check` (`invalid_waiver`) for a malformed waiver in the blueprint,
    /// `policy`/`limit` when a policy fails at run time or runs too long, `invalid_input` for a
    /// bad option or a `policySet` that is not a `PolicySet`.
    #[napi(
        ts_args_type = "policySet?: PolicySet | null, options?: ValidateOptions | null",
        ts_return_type = "WithDispose<ValidationReport>"
    )]
    pub fn validate<'e>(
        &self,
        env: &'e Env,
        policy_set: Option<Unknown>,
        options: Option<Unknown>,
    ) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let policies = policy_set_arg(policy_set, "policySet")?;
            let options = validate_options(env, options)?;
            lazy_value(
                env,
                iac_dharma::validate(&*self.inner()?, &policies, &options)?,
            )
        })
    }

    /// `validate` on the libuv thread pool.
    #[napi(
        ts_args_type = "policySet?: PolicySet | null, options?: ValidateOptions | null",
        ts_return_type = "Promise<WithDispose<ValidationReport>>"
    )]
    pub fn validate_async(
        &self,
        env: Env,
        policy_set: Option<Unknown>,
        options: Option<Unknown>,
    ) -> AsyncTask<JsonJob> {
        deferred(|| {
            let policies = policy_set_arg(policy_set, "policySet")?;
            let mut options = validate_options(&env, options)?;
            options.threads = Some(pool_threads(Some(self.inner()?.resources().len())));
            let bp = self.inner()?;
            Ok(JsonJob::new(move || {
                split_text(&iac_dharma::validate(&bp, &policies, &options)?)
            }))
        })
    }
}

/// Evaluates the policy set (default: the built-in checks) on a Terraform plan
/// (`terraform show -json` output, as text or an object). Waivers come from `options.waivers`
/// (by resource address).
///
/// @throws {DharmaError} `parse` for a plan that cannot be read (with its JSON path),
/// `invalid_input` (`invalid_waiver`) for a malformed waiver, and as `Blueprint.validate`.
#[napi(
    ts_args_type = "plan: string | Record<string, unknown>, policySet?: PolicySet | null, options?: ValidateOptions | null",
    ts_return_type = "WithDispose<ValidationReport>"
)]
pub fn validate_plan<'e>(
    env: &'e Env,
    plan: Unknown,
    policy_set: Option<Unknown>,
    options: Option<Unknown>,
) -> napi::Result<Unknown<'e>> {
    guard(env, || {
        let plan = plan_text(env, plan)?;
        let policies = policy_set_arg(policy_set, "policySet")?;
        let options = validate_options(env, options)?;
        lazy_value(env, validate_plan_report(&plan, &policies, &options)?)
    })
}

/// `validatePlan` on the libuv thread pool (the plan is read there too).
#[napi(
    ts_args_type = "plan: string | Record<string, unknown>, policySet?: PolicySet | null, options?: ValidateOptions | null",
    ts_return_type = "Promise<WithDispose<ValidationReport>>"
)]
pub fn validate_plan_async(
    env: Env,
    plan: Unknown,
    policy_set: Option<Unknown>,
    options: Option<Unknown>,
) -> AsyncTask<JsonJob> {
    deferred(|| {
        let plan = plan_text(&env, plan)?;
        let policies = policy_set_arg(policy_set, "policySet")?;
        let mut options = validate_options(&env, options)?;
        options.threads = Some(pool_threads(None));
        Ok(JsonJob::new(move || {
            split_text(&validate_plan_report(&plan, &policies, &options)?)
        }))
    })
}
