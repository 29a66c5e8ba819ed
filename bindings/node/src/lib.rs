//! # `@iac-dharma/node`
//!
//! The IAC Dharma engine as a Node.js native addon (napi-rs v3). Every function converts its
//! arguments, calls the `iac-dharma` crate and returns plain objects (the engine's JSON: money
//! as decimal strings); errors become `DharmaError`s in one place (`error.rs`); the `...Async`
//! variants run the engine on the libuv thread pool (`task.rs`). The package entry
//! `lib/index.js` adds the `DharmaError` class and the money helpers; `README.md` is the guide.

mod args;
mod convert;
mod error;
pub mod functions;
mod lazy;
pub mod pipeline;
pub mod policy;
mod release;
mod size;
mod task;

use std::cell::Cell;
use std::sync::Arc;

/// The addon's own allocations (the engine's, and the binding's) go through mimalloc, not
/// glibc's malloc. A result that V8 collects is freed on the release thread (`release.rs`), not
/// on the thread that made it: glibc files such a block under the freeing thread or in the
/// arena's locked bins, so the next call on the JS thread allocates colder memory, while
/// mimalloc hands it back to the page of the thread that allocated it. Measured on 1,000
/// resources (idle, calling-thread CPU against core with glibc, results left to V8):
/// `validate` +33–40% → −1 to +9%; see README.md, **mimalloc**. `local_dynamic_tls`: the addon
/// is loaded with `dlopen`, where mimalloc's default TLS model can fail to load when static TLS
/// space is short.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iac_dharma::{CheckedBlueprint, SourceFormat};
use napi::bindgen_prelude::{AsyncTask, FnArgs, Function, ObjectFinalize, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::args::{
    amount_decimal, blueprint_arg, estimate_options, generate_options, graph_format,
    optional_string, pending_blueprint_arg, source_format, string_arg,
};
use crate::convert::to_js;
use crate::error::{guard, invalid_argument, Outcome};
use crate::lazy::{lazy_text, lazy_value, split_text};
use crate::release::Slot;
use crate::size::{approx_bytes, give_back, report};
use crate::task::{deferred, JsonJob, ParseJob};

/// A parsed and checked blueprint: parse once, then generate, validate, estimate and plan from it.
/// Immutable, so one instance can serve many calls (and async calls in parallel).
/// `dispose()` (or `using`) frees its native memory at once instead of when V8 collects it.
#[napi(custom_finalize)]
pub struct Blueprint {
    /// The checked blueprint, until disposed.
    slot: Slot<CheckedBlueprint>,
    source: &'static str,
    /// The native memory V8 was told this instance holds (`size.rs`), given back when the
    /// instance is disposed or collected.
    bytes: Cell<i64>,
}

/// The process memory a checked blueprint holds per byte the count of its document gives: the
/// check's resource infos, graph and indexes, allocation headers and spare capacity come on top
/// of the document (measured on the 1,000-resource synthetic blueprint: 660 kB counted, ~2.1 MB
/// of process memory per `Blueprint`).
const CHECKED_PER_DOCUMENT_BYTE: usize = 3;

/// The native memory a checked blueprint holds, as V8 is told (`size.rs`). It walks the whole
/// document, so an async load counts it on the pool thread, not on the JS thread.
pub(crate) fn held_bytes(bp: &CheckedBlueprint) -> i64 {
    i64::try_from(approx_bytes(bp.blueprint()).saturating_mul(CHECKED_PER_DOCUMENT_BYTE))
        .unwrap_or(i64::MAX)
}

impl Blueprint {
    /// Wraps `inner`, which holds `bytes` of native memory ([`held_bytes`]).
    pub(crate) fn new(
        env: &Env,
        inner: Arc<CheckedBlueprint>,
        source: &'static str,
        bytes: i64,
    ) -> Self {
        // Without the hint, V8 keeps unreachable blueprints (and their memory) for a long time;
        // a failed adjustment only leaves it without the hint.
        let bytes = report(env, bytes);
        Blueprint {
            slot: Slot::new(inner),
            source,
            bytes: Cell::new(bytes),
        }
    }

    /// The checked blueprint, or the `disposed` error.
    pub(crate) fn inner(&self) -> Outcome<Arc<CheckedBlueprint>> {
        self.slot.get("this Blueprint")
    }

    /// Lets go of the checked blueprint (this reference) with `free`, which is given the memory
    /// it holds, and gives that memory back to V8's count; idempotent.
    fn release(&self, env: &Env, free: fn(Arc<CheckedBlueprint>, i64)) {
        let bytes = self.bytes.take();
        if let Some(inner) = self.slot.take() {
            free(inner, bytes);
        }
        give_back(env, bytes);
    }

    fn from_loaded(env: &Env, (bp, source): (CheckedBlueprint, &'static str)) -> Self {
        let bytes = held_bytes(&bp);
        Blueprint::new(env, Arc::new(bp), source, bytes)
    }
}

impl ObjectFinalize for Blueprint {
    fn finalize(self, env: Env) -> napi::Result<()> {
        // The last reference frees the whole checked document: at the next call, or on the
        // background thread (`release.rs`).
        self.release(&env, crate::release::finalize);
        Ok(())
    }
}

fn parse_job(text: String, format: Option<SourceFormat>) -> ParseJob {
    ParseJob::new(move || args::load_text(&text, format))
}

#[napi]
impl Blueprint {
    /// Parses and checks a blueprint written in JSON.
    ///
    /// @throws {DharmaError} kind `parse` (with `location`: line and column) for malformed text,
    /// `check` with every finding (each with its `path`) for a well-formed but wrong blueprint.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_json(env: Env, text: Unknown) -> napi::Result<Blueprint> {
        guard(&env, || {
            let text = string_arg(text, "text")?;
            Ok(Blueprint::from_loaded(
                &env,
                args::load_text(&text, Some(SourceFormat::Json))?,
            ))
        })
    }

    /// Parses and checks a blueprint written in YAML.
    ///
    /// @throws {DharmaError} as `fromJson`.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_yaml(env: Env, text: Unknown) -> napi::Result<Blueprint> {
        guard(&env, || {
            let text = string_arg(text, "text")?;
            Ok(Blueprint::from_loaded(
                &env,
                args::load_text(&text, Some(SourceFormat::Yaml))?,
            ))
        })
    }

    /// Parses and checks a blueprint in JSON or YAML; the syntax is detected when `format` is
    /// omitted.
    ///
    /// @throws {DharmaError} as `fromJson`, or `invalid_input` for an unknown `format`.
    #[napi(factory, ts_args_type = "text: string, format?: SourceFormat | null")]
    pub fn from_text(env: Env, text: Unknown, format: Option<Unknown>) -> napi::Result<Blueprint> {
        guard(&env, || {
            let text = string_arg(text, "text")?;
            let format = source_format(optional_string(format, "format")?.as_deref())?;
            Ok(Blueprint::from_loaded(
                &env,
                args::load_text(&text, format)?,
            ))
        })
    }

    /// Checks a blueprint given as a plain object (what `JSON.parse` or a YAML library returns).
    /// Findings carry paths (`resources[1].properties.vpc_id`), no source locations.
    ///
    /// @throws {DharmaError} kind `parse` for a value that is not shaped like a blueprint (or
    /// not JSON-compatible: a cycle, a `BigInt`), `check` with every finding.
    #[napi(factory, ts_args_type = "document: BlueprintDocument")]
    pub fn from_object(env: Env, document: Unknown) -> napi::Result<Blueprint> {
        guard(&env, || {
            Ok(Blueprint::from_loaded(
                &env,
                args::load_object(&env, document)?,
            ))
        })
    }

    /// `fromJson` on the libuv thread pool: the event loop stays free while a large blueprint is
    /// parsed and checked.
    #[napi(ts_args_type = "text: string", ts_return_type = "Promise<Blueprint>")]
    pub fn from_json_async(text: Unknown) -> AsyncTask<ParseJob> {
        deferred(|| {
            Ok(parse_job(
                string_arg(text, "text")?,
                Some(SourceFormat::Json),
            ))
        })
    }

    /// `fromYaml` on the libuv thread pool.
    #[napi(ts_args_type = "text: string", ts_return_type = "Promise<Blueprint>")]
    pub fn from_yaml_async(text: Unknown) -> AsyncTask<ParseJob> {
        deferred(|| {
            Ok(parse_job(
                string_arg(text, "text")?,
                Some(SourceFormat::Yaml),
            ))
        })
    }

    /// `fromText` on the libuv thread pool.
    #[napi(
        ts_args_type = "text: string, format?: SourceFormat | null",
        ts_return_type = "Promise<Blueprint>"
    )]
    pub fn from_text_async(text: Unknown, format: Option<Unknown>) -> AsyncTask<ParseJob> {
        deferred(|| {
            let text = string_arg(text, "text")?;
            let format = source_format(optional_string(format, "format")?.as_deref())?;
            Ok(parse_job(text, format))
        })
    }

    /// Frees the blueprint's native memory now (a large one off the JS thread), instead of when
    /// V8 collects the object; `[Symbol.dispose]()` does the same, so `using bp = ...` works.
    /// Idempotent. Calls already running (async ones on the thread pool) finish first; any
    /// later use throws a `DharmaError` with code `disposed`. Results it returned are not
    /// affected (they have their own `dispose()`).
    #[napi]
    pub fn dispose(&self, env: Env) {
        self.release(&env, crate::release::dispose_of);
    }

    /// Whether `dispose()` was called.
    #[napi(getter)]
    pub fn disposed(&self) -> bool {
        self.slot.is_disposed()
    }

    /// How the blueprint was given: `json`, `yaml` or `object`.
    ///
    /// @throws {DharmaError} `disposed` after `dispose()` (as every member below).
    #[napi(getter, ts_return_type = "SourceFormat | 'object'")]
    pub fn source(&self, env: Env) -> napi::Result<&'static str> {
        guard(&env, || self.inner().map(|_| self.source))
    }

    /// The blueprint's name.
    #[napi(getter)]
    pub fn name(&self, env: Env) -> napi::Result<String> {
        guard(&env, || Ok(self.inner()?.blueprint().name.clone()))
    }

    /// The version, normalized (`v1.2.0` becomes `1.2.0`).
    #[napi(getter)]
    pub fn version(&self, env: Env) -> napi::Result<String> {
        guard(&env, || Ok(self.inner()?.version().to_string()))
    }

    /// `aws`, `azure` or `gcp`.
    #[napi(getter, ts_return_type = "Provider")]
    pub fn provider(&self, env: Env) -> napi::Result<&'static str> {
        guard(&env, || Ok(self.inner()?.provider().as_str()))
    }

    /// The region as written.
    #[napi(getter)]
    pub fn region(&self, env: Env) -> napi::Result<String> {
        guard(&env, || Ok(self.inner()?.blueprint().region.clone()))
    }

    /// Problems that do not stop the blueprint from being used.
    #[napi(getter, ts_return_type = "Finding[]")]
    pub fn warnings<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        guard(env, || to_js(env, self.inner()?.warnings()))
    }

    /// Every resource in document order, with what the check resolved: Terraform type, address,
    /// instance count, and the tags it gets (blueprint tags merged with its own).
    #[napi(getter, ts_return_type = "ResourceSummary[]")]
    pub fn resources<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            to_js(env, &args::resource_summaries(&*self.inner()?))
        })
    }

    /// The document as a plain object (normalized: defaults left out).
    #[napi(ts_return_type = "BlueprintDocument")]
    pub fn to_object<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        guard(env, || to_js(env, &self.inner()?.blueprint().to_value()))
    }

    /// The document as pretty-printed JSON.
    #[napi]
    pub fn to_json(&self, env: Env) -> napi::Result<String> {
        guard(&env, || Ok(self.inner()?.blueprint().to_json()))
    }

    /// The document as YAML.
    #[napi]
    pub fn to_yaml(&self, env: Env) -> napi::Result<String> {
        guard(&env, || Ok(self.inner()?.blueprint().to_yaml()?))
    }

    /// The dependency graph: `"json"` (default) gives every resource's wave and dependencies,
    /// the edges, the waves (resources that can be created in parallel) and the creation order;
    /// `"dot"` and `"mermaid"` give diagram text.
    ///
    /// @throws {DharmaError} `invalid_input` (path `format`) for an unknown format.
    #[napi(
        ts_generic_types = "F extends GraphFormat | null | undefined = undefined",
        ts_args_type = "format?: F",
        ts_return_type = "GraphOutput<F>"
    )]
    pub fn graph<'e>(&self, env: &'e Env, format: Option<Unknown>) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            match graph_format(optional_string(format, "format")?.as_deref())? {
                iac_dharma::GraphFormat::Json => {
                    to_js(env, &iac_dharma::graph_json(&*self.inner()?))
                }
                other => to_js(env, &iac_dharma::render_graph(&*self.inner()?, other)),
            }
        })
    }

    /// Every resource that depends on `name`, directly or not, in document order: what a
    /// change to it can break.
    ///
    /// @throws {DharmaError} `invalid_input` (path `name`, with a suggestion) when no resource
    /// has that name.
    #[napi(ts_args_type = "name: string", ts_return_type = "string[]")]
    pub fn blast_radius<'e>(&self, env: &'e Env, name: Unknown) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let name = string_arg(name, "name")?;
            to_js(env, &args::blast_radius(&*self.inner()?, &name)?)
        })
    }

    /// Generates infrastructure code: `{path: text}` for every file of the format
    /// (`terraform`, `terraform-json`, `cloudformation`, `cloudformation-yaml`, `cdk-ts`, `arm`).
    ///
    /// @throws {DharmaError} `invalid_input` (`unknown_format`) for an unknown format, `generate`
    /// for a blueprint the format cannot express (`unsupported_provider`, `unmapped_type`,
    /// `unmapped_property`, ... each with its path).
    #[napi(
        ts_args_type = "format: OutputFormat, options?: GenerateOptions | null",
        ts_return_type = "WithDispose<Record<string, string>>"
    )]
    pub fn generate<'e>(
        &self,
        env: &'e Env,
        format: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let (format, options) = generate_options(env, format, options)?;
            lazy_value(
                env,
                iac_dharma::generate(&*self.inner()?, format, &options)?,
            )
        })
    }

    /// `generate` on the libuv thread pool.
    #[napi(
        ts_args_type = "format: OutputFormat, options?: GenerateOptions | null",
        ts_return_type = "Promise<WithDispose<Record<string, string>>>"
    )]
    pub fn generate_async(
        &self,
        env: Env,
        format: Unknown,
        options: Option<Unknown>,
    ) -> AsyncTask<JsonJob> {
        deferred(|| {
            let (format, options) = generate_options(&env, format, options)?;
            let bp = self.inner()?;
            Ok(JsonJob::new(move || {
                split_text(&iac_dharma::generate(&bp, format, &options)?)
            }))
        })
    }

    /// Estimates the monthly cost: per resource and line item, with usage assumptions, budget
    /// verdict and optimizations. Amounts are exact decimal strings (see `money`).
    ///
    /// @throws {DharmaError} `pricing` for a bad usage file (`invalid_usage`, with its path),
    /// `invalid_input` for a bad option.
    #[napi(
        ts_args_type = "options?: EstimateOptions | null",
        ts_return_type = "WithDispose<CostEstimate>"
    )]
    pub fn estimate<'e>(
        &self,
        env: &'e Env,
        options: Option<Unknown>,
    ) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let options = estimate_options(env, options)?;
            lazy_value(env, iac_dharma::estimate(&*self.inner()?, &options)?)
        })
    }

    /// `estimate` on the libuv thread pool.
    #[napi(
        ts_args_type = "options?: EstimateOptions | null",
        ts_return_type = "Promise<WithDispose<CostEstimate>>"
    )]
    pub fn estimate_async(&self, env: Env, options: Option<Unknown>) -> AsyncTask<JsonJob> {
        deferred(|| {
            let options = estimate_options(&env, options)?;
            let bp = self.inner()?;
            Ok(JsonJob::new(move || {
                split_text(&iac_dharma::estimate(&bp, &options)?)
            }))
        })
    }

    /// The monthly cost change from this blueprint to `other` (a `Blueprint`, or text or an
    /// object to read as one), per resource.
    ///
    /// @throws {DharmaError} as `estimate`, and as `Blueprint.fromText`/`fromObject` for `other`.
    #[napi(
        ts_args_type = "other: BlueprintInput, options?: EstimateOptions | null",
        ts_return_type = "WithDispose<CostDiff>"
    )]
    pub fn cost_diff<'e>(
        &self,
        env: &'e Env,
        other: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let other = blueprint_arg(env, other, "other")?;
            let options = estimate_options(env, options)?;
            lazy_value(
                env,
                iac_dharma::cost_diff(&*self.inner()?, &other, &options)?,
            )
        })
    }

    /// `costDiff` on the libuv thread pool.
    #[napi(
        ts_args_type = "other: BlueprintInput, options?: EstimateOptions | null",
        ts_return_type = "Promise<WithDispose<CostDiff>>"
    )]
    pub fn cost_diff_async(
        &self,
        env: Env,
        other: Unknown,
        options: Option<Unknown>,
    ) -> AsyncTask<JsonJob> {
        deferred(|| {
            let other = pending_blueprint_arg(&env, other, "other")?;
            let options = estimate_options(&env, options)?;
            let bp = self.inner()?;
            Ok(JsonJob::new(move || {
                let other = other.load()?;
                split_text(&iac_dharma::cost_diff(&bp, &other, &options)?)
            }))
        })
    }
}

#[napi]
impl Blueprint {
    /// The ordered change plan from this blueprint (the old side) to `other` (the new side: a
    /// `Blueprint`, or text or an object to read as one): per instance the action (`create`,
    /// `update`, `replace`, `delete`, `no-op`) with attribute changes and why, the waves to apply
    /// them in, variable and output changes, and a summary. Sensitive values are masked.
    ///
    /// @throws {DharmaError} `plan` (e.g. `prevent_destroy`, with the resource's path) when the
    /// change is refused; as `Blueprint.fromText`/`fromObject` for `other`.
    #[napi(
        ts_args_type = "other: BlueprintInput",
        ts_return_type = "WithDispose<Plan>"
    )]
    pub fn plan_diff<'e>(&self, env: &'e Env, other: Unknown) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let other = blueprint_arg(env, other, "other")?;
            lazy_text(env, &iac_dharma::plan_diff(&*self.inner()?, &other)?)
        })
    }

    /// `planDiff` on the libuv thread pool.
    #[napi(
        ts_args_type = "other: BlueprintInput",
        ts_return_type = "Promise<WithDispose<Plan>>"
    )]
    pub fn plan_diff_async(&self, env: Env, other: Unknown) -> AsyncTask<JsonJob> {
        deferred(|| {
            let other = pending_blueprint_arg(&env, other, "other")?;
            let bp = self.inner()?;
            Ok(JsonJob::new(move || {
                let other = other.load()?;
                split_text(&iac_dharma::plan_diff(&bp, &other)?)
            }))
        })
    }

    /// The version bump the change to `other` requires (semantic versioning: a delete or
    /// replacement is major, a create minor, an in-place update patch), against the one the
    /// versions declare: `{required, declared, minimum, ok}`.
    ///
    /// @throws {DharmaError} as `planDiff`.
    #[napi(
        ts_args_type = "other: BlueprintInput",
        ts_return_type = "VersionCheck"
    )]
    pub fn version_check<'e>(&self, env: &'e Env, other: Unknown) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let other = blueprint_arg(env, other, "other")?;
            let bp = self.inner()?;
            let plan = iac_dharma::plan_diff(&bp, &other)?;
            to_js(env, &iac_dharma::check_version(&plan)?)
        })
    }

    /// What differs between this blueprint and a deployed Terraform state (`terraform.tfstate`
    /// or `terraform show -json`, as text or an object): missing and unmanaged instances,
    /// changed attributes with expected and actual values, what could not be compared.
    ///
    /// @throws {DharmaError} `parse` for a state that cannot be read (with its JSON path), `plan` for one that
    /// belongs to another provider's blueprint (`state_provider_mismatch`).
    #[napi(
        ts_args_type = "state: string | Record<string, unknown>",
        ts_return_type = "WithDispose<DriftReport>"
    )]
    pub fn drift<'e>(&self, env: &'e Env, state: Unknown) -> napi::Result<Unknown<'e>> {
        guard(env, || {
            let state = args::StateArg::read(env, state, "state")?.parse()?;
            lazy_value(env, iac_dharma::drift(&*self.inner()?, &state)?)
        })
    }

    /// `drift` on the libuv thread pool (the state is read there too).
    #[napi(
        ts_args_type = "state: string | Record<string, unknown>",
        ts_return_type = "Promise<WithDispose<DriftReport>>"
    )]
    pub fn drift_async(&self, env: Env, state: Unknown) -> AsyncTask<JsonJob> {
        deferred(|| {
            let state = args::StateArg::read(&env, state, "state")?;
            let bp = self.inner()?;
            Ok(JsonJob::new(move || {
                let state = state.parse()?;
                split_text(&iac_dharma::drift(&bp, &state)?)
            }))
        })
    }
}

/// A price catalog: the built-in one, or one read from CSV/JSON rows, possibly extending
/// another. Immutable and shared (pass it as `estimate({catalog})` to any number of calls).
/// `dispose()` (or `using`) frees its native memory at once.
#[napi]
pub struct PriceCatalog {
    /// The catalog, until disposed.
    slot: Slot<iac_dharma::PriceCatalog>,
}

impl PriceCatalog {
    fn new(inner: Arc<iac_dharma::PriceCatalog>) -> Self {
        PriceCatalog {
            slot: Slot::new(inner),
        }
    }

    /// The catalog, or the `disposed` error.
    pub(crate) fn inner(&self) -> Outcome<Arc<iac_dharma::PriceCatalog>> {
        self.slot.get("this PriceCatalog")
    }
}

#[napi]
impl PriceCatalog {
    /// The catalog embedded in the engine (`pricing/*.csv`, each price with its source).
    #[napi(factory)]
    pub fn builtin() -> PriceCatalog {
        PriceCatalog::new(iac_dharma::PriceCatalog::builtin())
    }

    /// Reads rows from CSV text with the header
    /// `provider,region,service,sku,unit,price_usd,purchase,source,date`.
    ///
    /// @throws {DharmaError} `pricing` (`invalid_price_catalog`) naming the line of the first bad row.
    #[napi(factory, ts_args_type = "csv: string")]
    pub fn from_csv(env: Env, csv: Unknown) -> napi::Result<PriceCatalog> {
        guard(&env, || {
            let csv = string_arg(csv, "csv")?;
            Ok(PriceCatalog::new(Arc::new(
                iac_dharma::PriceCatalog::from_csv(&csv)?,
            )))
        })
    }

    /// Reads rows from JSON text (an array of row objects with the CSV's column names).
    ///
    /// @throws {DharmaError} `pricing` (`invalid_price_catalog`) with the path of the first bad row.
    #[napi(factory, ts_args_type = "json: string")]
    pub fn from_json(env: Env, json: Unknown) -> napi::Result<PriceCatalog> {
        guard(&env, || {
            let json = string_arg(json, "json")?;
            Ok(PriceCatalog::new(Arc::new(
                iac_dharma::PriceCatalog::from_json(&json)?,
            )))
        })
    }

    /// A new catalog: this one's rows, with `other`'s rows added (replacing rows of the same
    /// provider, region and SKU).
    #[napi(ts_args_type = "other: PriceCatalog")]
    pub fn extend(&self, env: Env, other: Unknown) -> napi::Result<PriceCatalog> {
        guard(&env, || {
            let other = args::price_catalog_arg(other, "other")?;
            let mut merged = (*self.inner()?).clone();
            merged.extend((*other).clone());
            Ok(PriceCatalog::new(Arc::new(merged)))
        })
    }

    /// What the catalog holds: its number of rows and the oldest and newest price dates.
    #[napi(ts_return_type = "CatalogInfo")]
    pub fn info<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        guard(env, || to_js(env, &self.inner()?.info()))
    }

    /// Number of price rows.
    #[napi(getter)]
    pub fn size(&self, env: Env) -> napi::Result<u32> {
        guard(&env, || {
            Ok(u32::try_from(self.inner()?.rows().len()).unwrap_or(u32::MAX))
        })
    }

    /// Frees the catalog's native memory now (its last reference: the built-in catalog stays
    /// for the process), instead of when V8 collects the object; `[Symbol.dispose]()` does the
    /// same. Idempotent; any later use throws a `DharmaError` with code `disposed`.
    #[napi]
    pub fn dispose(&self) {
        self.slot.dispose();
    }

    /// Whether `dispose()` was called.
    #[napi(getter)]
    pub fn disposed(&self) -> bool {
        self.slot.is_disposed()
    }
}

/// The exact sum of amounts (decimal strings, as the engine returns them, or numbers), as a
/// decimal string: `money.sum(["0.1", "0.2"])` is `"0.3"`.
///
/// @throws {DharmaError} `invalid_input` (path `amounts[i]`) for a value that is not a decimal,
/// or `amounts` that is not an array.
#[napi(
    namespace = "money",
    js_name = "sum",
    ts_args_type = "amounts: Array<string | number>"
)]
pub fn money_sum(env: Env, amounts: Unknown) -> napi::Result<String> {
    guard(&env, || {
        let amounts = args::array_argument(amounts, "amounts")?;
        let mut total = iac_dharma::Decimal::ZERO;
        for (i, a) in amounts.into_iter().enumerate() {
            let path = format!("amounts[{i}]");
            total = total
                .checked_add(amount_decimal(&env, a, &path)?)
                .ok_or_else(|| invalid_argument(&path, "the sum is too large", None))?;
        }
        Ok(total.normalize().to_string())
    })
}

/// Compares two amounts exactly: -1, 0 or 1 (usable as an `Array.prototype.sort` comparator).
///
/// @throws {DharmaError} `invalid_input` (path `a` or `b`) for a value that is not a decimal.
#[napi(
    namespace = "money",
    js_name = "compare",
    ts_args_type = "a: string | number, b: string | number",
    ts_return_type = "-1 | 0 | 1"
)]
pub fn money_compare(env: Env, a: Unknown, b: Unknown) -> napi::Result<i32> {
    guard(&env, || {
        let (a, b) = (amount_decimal(&env, a, "a")?, amount_decimal(&env, b, "b")?);
        Ok(match a.cmp(&b) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        })
    })
}

/// Rounds an amount to `decimals` places (default 2, i.e. cents), halves away from zero
/// (`"0.125"` -> `"0.13"`), as a decimal string with exactly that many places.
///
/// @throws {DharmaError} `invalid_input` for a value that is not a decimal, or `decimals` that
/// is not a whole number from 0 to 28.
#[napi(
    namespace = "money",
    js_name = "round",
    ts_args_type = "amount: string | number, decimals?: number"
)]
pub fn money_round(env: Env, amount: Unknown, decimals: Option<Unknown>) -> napi::Result<String> {
    guard(&env, || {
        let places = match decimals.filter(|d| !convert::is_absent(d)) {
            None => 2,
            Some(d) => args::whole_number(d, "decimals", 0..=28)?,
        };
        let mut rounded = amount_decimal(&env, amount, "amount")?
            .round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(places);
        Ok(rounded.to_string())
    })
}

/// The JSON Schema (draft 2020-12) of the blueprint format, for editors and form builders.
#[napi(ts_return_type = "Record<string, unknown>")]
pub fn schema<'e>(env: &'e Env) -> napi::Result<Unknown<'e>> {
    guard(env, || to_js(env, &iac_dharma::blueprint_json_schema()))
}

/// The version of the engine in this addon.
#[napi]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Called once per environment by `lib/index.js` with a function `(message, payloadJson) =>
/// DharmaError`, so that errors thrown here are instances of the package's class. Not part of
/// the API.
#[napi(js_name = "__registerErrorFactory", skip_typescript)]
pub fn register_error_factory(
    env: Env,
    factory: Function<FnArgs<(String, String)>, Unknown<'static>>,
) -> napi::Result<()> {
    error::register_error_factory(&env, factory)
}

/// The switch that arms the panic test hooks below: they panic only when this environment
/// variable is `1`, and otherwise throw `invalid_input`.
const PANIC_SWITCH: &str = "IAC_DHARMA_TEST_PANIC";

fn test_panic(message: String) -> Outcome<()> {
    if std::env::var(PANIC_SWITCH).as_deref() != Ok("1") {
        return Err(invalid_argument(
            "",
            format!("test hook: set {PANIC_SWITCH}=1 to use it"),
            None,
        )
        .into());
    }
    #[allow(clippy::panic)] // the point of the function
    {
        panic!("{message}")
    }
}

/// Panics inside the engine boundary, to test that a panic reaches JS as a `DharmaError` of
/// kind `internal` and the process carries on. Armed by `IAC_DHARMA_TEST_PANIC=1`. Not part of
/// the API.
#[napi(js_name = "__panicForTesting", skip_typescript)]
pub fn panic_for_testing(env: Env, message: String) -> napi::Result<()> {
    guard(&env, || test_panic(message))
}

/// As `__panicForTesting`, on a libuv pool thread (the promise rejects). Not part of the API.
#[napi(js_name = "__panicForTestingAsync", skip_typescript)]
pub fn panic_for_testing_async(message: String) -> AsyncTask<JsonJob> {
    AsyncTask::new(JsonJob::new(move || {
        test_panic(message)?;
        split_text(&())
    }))
}
