//! # `@iac-dharma/wasm`
//!
//! The IAC Dharma engine as a WebAssembly module for browsers and Node.js, built with
//! wasm-bindgen. Every function is a thin layer over the `iac-dharma` crate: it reads a blueprint
//! (JSON/YAML text, or a plain JS object), calls the engine, and returns plain JS objects. Engine
//! errors are thrown as real JS `Error`s carrying `kind`, `code`, `path`, `location`,
//! `suggestion` and every finding; see `README.md` for the API and `src/types.d.ts` for the
//! TypeScript declarations.
//!
//! The pure part (reading inputs, building results) is in [`report`] and tested natively; the
//! JS-facing functions below only convert values.

pub mod report;

mod convert;
mod panic;

use wasm_bindgen::prelude::*;

use crate::convert::{blueprint_input, js_error, load_blueprint, optional_string, to_js};
use crate::report::{CheckReport, ParseReport};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

/// Runs once per WebAssembly instance: installs the panic hook (see `panic.rs`).
#[wasm_bindgen(start, private)]
fn start() {
    panic::install();
}

/// The version of the engine in this module.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The optional parts of the engine this module was built with (see README.md, "What the module
/// has"): `generate-cloudformation`, `generate-arm`, `generate-pulumi`, `generate-cdk` (output
/// formats), `plan-import` (`validatePlan`, `drift`), `templates` (`generate`'s `templates`
/// option), `cost-diff` (`costDiff`), `version-check` (`versionCheck`). The default module has
/// `cost-diff` and `version-check`; a function, option or format left out throws a
/// `DharmaError` with code `unsupported_call` or `unsupported_format`.
#[wasm_bindgen(unchecked_return_type = "ModuleFeature[]")]
pub fn features() -> Result<JsValue, JsValue> {
    to_js(&report::module_features())
}

/// Parses and checks a blueprint; returns the document as a plain object with what the check
/// resolved (provider, normalized version, resource types) and its warnings.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param format `"json"` or `"yaml"` for text; detected when omitted (ignored for objects).
/// @throws {DharmaError} kind `parse` (with `location` for syntax errors) or `check` (every
/// finding, each with its `path`), or `invalid_input` for a bad argument.
#[wasm_bindgen(unchecked_return_type = "ParseResult")]
pub fn parse(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SourceFormat | null")] format: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let input = blueprint_input(&blueprint, format)?;
    let bp = input.load().map_err(|e| js_error(&e))?;
    to_js(&ParseReport::new(&bp, &input))
}

/// Checks a blueprint: its name, version, provider, region, every resource with its resolved
/// Terraform type, and the warnings.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param format `"json"` or `"yaml"` for text; detected when omitted (ignored for objects).
/// @throws {DharmaError} as `parse`.
#[wasm_bindgen(unchecked_return_type = "CheckResult")]
pub fn check(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SourceFormat | null")] format: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let input = blueprint_input(&blueprint, format)?;
    let bp = input.load().map_err(|e| js_error(&e))?;
    to_js(&CheckReport::new(&bp))
}

/// The dependency graph of a blueprint: `"json"` (default) returns an object with every resource's
/// wave and dependencies, the edges, the waves (resources that can be created in parallel) and the
/// creation order; `"dot"` and `"mermaid"` return diagram text.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param format `"json"`, `"dot"` or `"mermaid"`.
/// @throws {DharmaError} as `parse`, or `invalid_input` for an unknown format.
#[wasm_bindgen(unchecked_return_type = "GraphJson | string")]
pub fn graph(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GraphFormat | null")] format: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let format = optional_string(format, "format")?;
    let format = report::graph_format(format.as_deref()).map_err(|e| js_error(&e))?;
    let bp = load_blueprint(&blueprint)?;
    match format {
        iac_dharma::GraphFormat::Json => to_js(&iac_dharma::graph_json(&bp)),
        other => Ok(JsValue::from_str(&iac_dharma::render_graph(&bp, other))),
    }
}

/// Every resource that depends on `name`, directly or not (what a change to it can break), in
/// document order.
///
/// @throws {DharmaError} as `parse`, or `invalid_input` (path `name`, with a suggestion) when no
/// resource has that name.
#[wasm_bindgen(js_name = blastRadius, unchecked_return_type = "string[]")]
pub fn blast_radius(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<JsValue, JsValue> {
    let name = optional_string(Some(name), "name")?.ok_or_else(|| {
        js_error(&report::invalid_argument(
            "name",
            "`name` must be a resource name",
            None,
        ))
    })?;
    let bp = load_blueprint(&blueprint)?;
    let names = report::blast_radius(&bp, &name).map_err(|e| js_error(&e))?;
    to_js(&names)
}

/// Generates infrastructure code: a map of relative file path (`main.tf`, `lib/stack.ts`) to
/// file content, sorted by path.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param format `"terraform"` (default), `"terraform-json"`, `"cloudformation"`,
/// `"cloudformation-yaml"`, `"arm"`, `"pulumi-yaml"`, `"pulumi-ts"` or `"cdk-ts"`.
/// @param options `{templates}`: tera templates replacing or adding to the embedded ones (a
/// module built with the `templates` feature; the default module throws `unsupported_call`).
/// @throws {DharmaError} as `parse`; kind `invalid_input` (`unknown_format`, with a suggestion;
/// `unsupported_format` for a format this module leaves out, see `features()`;
/// `invalid_argument` for a bad option); kind `generate` when the format cannot express the
/// blueprint (`unsupported_provider`, `unmapped_type`, `unmapped_property`, ... each with its
/// path) or a caller's template fails (`template_error`).
#[wasm_bindgen(unchecked_return_type = "GeneratedFiles")]
pub fn generate(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OutputFormat | null")] format: Option<JsValue>,
    #[wasm_bindgen(unchecked_optional_param_type = "GenerateOptions | null")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    let format = optional_string(format, "format")?;
    let format = report::output_format(format.as_deref()).map_err(|e| js_error(&e))?;
    let options = convert::options::<report::GenerateArgs>(options, "options")?
        .into_options()
        .map_err(|e| js_error(&e))?;
    let bp = load_blueprint(&blueprint)?;
    let files = iac_dharma::generate(&bp, format, &options).map_err(|e| js_error(&e))?;
    to_js(&files)
}

/// The output formats `generate` offers: every one, or those that can express blueprints of
/// `provider`.
///
/// @throws {DharmaError} kind `invalid_input` (path `provider`) for an unknown provider.
#[wasm_bindgen(js_name = outputFormats, unchecked_return_type = "OutputFormat[]")]
pub fn output_formats(
    #[wasm_bindgen(unchecked_optional_param_type = "Provider | null")] provider: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let provider = optional_string(provider, "provider")?;
    let formats = report::output_formats(provider.as_deref()).map_err(|e| js_error(&e))?;
    to_js(&formats)
}

/// The monthly cost of a blueprint with the built-in price catalog: every resource with its
/// line items (quantity × unit price, exact decimal strings), totals, confidence, optimization
/// suggestions and, with a budget, the budget check.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param options `{usage, budget, prices, skip_optimizations}`, all optional.
/// @throws {DharmaError} as `parse`; kind `pricing` for a bad usage value (`invalid_usage`) or
/// price row (`invalid_price_catalog`); kind `invalid_input` for a bad option.
#[wasm_bindgen(unchecked_return_type = "CostEstimate")]
pub fn estimate(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EstimateOptions | null")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    let options = convert::options::<report::EstimateArgs>(options, "options")?
        .into_options()
        .map_err(|e| js_error(&e))?;
    let bp = load_blueprint(&blueprint)?;
    let estimate = iac_dharma::estimate(&bp, &options).map_err(|e| js_error(&e))?;
    to_js(&estimate)
}

/// The cost difference between two versions of a blueprint, per resource (matched by address):
/// the new blueprint's resources in order, then the removed ones.
///
/// @param oldBlueprint the current version (text or object).
/// @param newBlueprint the proposed version (text or object).
/// @param options as `estimate` (`budget` and `skip_optimizations` do not apply).
/// @throws {DharmaError} as `estimate`, for either blueprint; kind `invalid_input`
/// (`unsupported_call`) in a module built without `cost-diff` (the default module has it);
/// errors about one blueprint have paths that start with its argument (`newBlueprint.region`).
#[wasm_bindgen(js_name = costDiff, unchecked_return_type = "CostDiff")]
pub fn cost_diff(
    #[wasm_bindgen(js_name = oldBlueprint, unchecked_param_type = "BlueprintInput")]
    old_blueprint: JsValue,
    #[wasm_bindgen(js_name = newBlueprint, unchecked_param_type = "BlueprintInput")]
    new_blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EstimateOptions | null")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "cost-diff")]
    {
        let options = convert::options::<report::EstimateArgs>(options, "options")?
            .into_options()
            .map_err(|e| js_error(&e))?;
        let old = convert::load_named_blueprint(&old_blueprint, "oldBlueprint")?;
        let new = convert::load_named_blueprint(&new_blueprint, "newBlueprint")?;
        let diff = iac_dharma::cost_diff(&old, &new, &options).map_err(|e| js_error(&e))?;
        to_js(&diff)
    }
    #[cfg(not(feature = "cost-diff"))]
    {
        let _ = (old_blueprint, new_blueprint, options);
        Err(js_error(&report::left_out("costDiff", "cost-diff")))
    }
}

/// The ordered change plan between two versions of a blueprint (the engine's plan JSON:
/// `resource_changes` with each attribute change and why a resource is replaced, `waves`,
/// `variable_changes`, `output_changes`, `summary`); sensitive values are masked.
///
/// @param oldBlueprint the current version (text or object).
/// @param newBlueprint the proposed version (text or object).
/// @throws {DharmaError} as `parse`, for either blueprint (the error's paths start with its
/// argument: `oldBlueprint.region`); kind `plan` when the engine cannot
/// plan the change.
#[wasm_bindgen(js_name = planDiff, unchecked_return_type = "Plan")]
pub fn plan_diff(
    #[wasm_bindgen(js_name = oldBlueprint, unchecked_param_type = "BlueprintInput")]
    old_blueprint: JsValue,
    #[wasm_bindgen(js_name = newBlueprint, unchecked_param_type = "BlueprintInput")]
    new_blueprint: JsValue,
) -> Result<JsValue, JsValue> {
    let old = convert::load_named_blueprint(&old_blueprint, "oldBlueprint")?;
    let new = convert::load_named_blueprint(&new_blueprint, "newBlueprint")?;
    let plan = iac_dharma::plan_diff(&old, &new).map_err(|e| js_error(&e))?;
    to_js(&plan.to_value())
}

/// Checks a blueprint against the guardrail policies (the built-in Rego catalog, plus the
/// caller's): the report with `passed`, `counts`, every finding (check id, resource address,
/// argument path, status, severity, title, remediation), the waivers and the checks that apply.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param options `{fail_on, today, variables, settings, policies, no_builtin}`, all optional
/// (camelCase keys too). WebAssembly has no clock: pass `today`
/// (`new Date().toISOString().slice(0, 10)`) when waivers have an expiry date.
/// @throws {DharmaError} as `parse`; kind `check` for a malformed waiver (`invalid_waiver`);
/// kind `policy` for a policy that does not compile (`policy_syntax`) or bad settings; kind
/// `invalid_input` for a bad option or a missing/invalid `today`.
#[wasm_bindgen(unchecked_return_type = "ValidationReport")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions | null")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    let args = convert::options::<report::ValidateArgs>(options, "options")?;
    let engine_options = args.blueprint_options().map_err(|e| js_error(&e))?;
    let bp = load_blueprint(&blueprint)?;
    let policies = args.policies().map_err(|e| js_error(&e))?;
    let report = iac_dharma::validate(&bp, &policies, &engine_options)
        .map_err(|e| js_error(&report::option_paths(e)))?;
    to_js(&report)
}

/// Checks a Terraform plan (`terraform show -json` output) against the guardrail policies: the
/// same report as `validate`, for what Terraform is about to do (values known only after apply
/// give `unknown` findings).
///
/// @param plan the plan JSON, as text or an object.
/// @param options as `validate`, plus `waivers` (`{address: [{id, reason, expires?}]}`): plans
/// carry no waivers of their own.
/// @throws {DharmaError} kind `parse` for a plan that cannot be read (`json_syntax` with
/// `location`, `binary_plan`, `unsupported_plan_format`, `invalid_plan` with its JSON path);
/// kind `invalid_input` for a malformed waiver (`invalid_waiver`, path `waivers.<address>[j]`)
/// or a bad option; kind `policy` as `validate`; kind `invalid_input` (`unsupported_call`) in a
/// module built without `plan-import` (the default).
#[wasm_bindgen(js_name = validatePlan, unchecked_return_type = "ValidationReport")]
pub fn validate_plan(
    #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] plan: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidatePlanOptions | null")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "plan-import")]
    {
        let args = convert::options::<report::ValidateArgs>(options, "options")?;
        let engine_options = args.plan_options().map_err(|e| js_error(&e))?;
        let (text, object) = convert::document_text(&plan, "plan", "a Terraform plan")?;
        let plan = report::terraform_plan(&text, object).map_err(|e| js_error(&e))?;
        let policies = args.policies().map_err(|e| js_error(&e))?;
        let report = iac_dharma::validate_plan(&plan, &policies, &engine_options)
            .map_err(|e| js_error(&report::option_paths(e)))?;
        to_js(&report)
    }
    #[cfg(not(feature = "plan-import"))]
    {
        let _ = (plan, options);
        Err(js_error(&report::left_out("validatePlan", "plan-import")))
    }
}

/// What differs between a blueprint and a deployed Terraform state (`terraform.tfstate`, or
/// `terraform show -json` of a state): instances `missing` from the state, `unmanaged` ones the
/// blueprint does not declare, `changed` attributes with the expected and actual values
/// (sensitive ones masked), `in_sync` instances and what could `not_compared`.
///
/// @param blueprint JSON or YAML text, or a blueprint object.
/// @param state the state JSON, as text or an object.
/// @throws {DharmaError} as `parse` for the blueprint; kind `parse` for a state that cannot be
/// read (`json_syntax` with `location`, `invalid_state` with its JSON path), kind `plan` for a
/// state of another format version (`unsupported_state_version`) or of another provider's
/// blueprint (`state_provider_mismatch`); kind `invalid_input` (`unsupported_call`) in a module
/// built without `plan-import` (the default).
#[wasm_bindgen(unchecked_return_type = "DriftReport")]
pub fn drift(
    #[wasm_bindgen(unchecked_param_type = "BlueprintInput")] blueprint: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] state: JsValue,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "plan-import")]
    {
        let bp = load_blueprint(&blueprint)?;
        let (text, object) = convert::document_text(&state, "state", "a Terraform state")?;
        let state = report::terraform_state(&text, object).map_err(|e| js_error(&e))?;
        let report = iac_dharma::drift(&bp, &state).map_err(|e| js_error(&e))?;
        to_js(&report)
    }
    #[cfg(not(feature = "plan-import"))]
    {
        let _ = (blueprint, state);
        Err(js_error(&report::left_out("drift", "plan-import")))
    }
}

/// The semantic-version bump a change requires (a resource deleted or replaced, an output or a
/// variable removed: `major`; something added: `minor`; an in-place update: `patch`) against the
/// one the two versions declare: `{required, declared, before, after, minimum, ok}`.
///
/// @param oldBlueprint the current version (text or object).
/// @param newBlueprint the proposed version (text or object).
/// @throws {DharmaError} as `planDiff`; kind `invalid_input` (`unsupported_call`) in a module
/// built without `version-check` (the default module has it).
#[wasm_bindgen(js_name = versionCheck, unchecked_return_type = "VersionCheck")]
pub fn version_check(
    #[wasm_bindgen(js_name = oldBlueprint, unchecked_param_type = "BlueprintInput")]
    old_blueprint: JsValue,
    #[wasm_bindgen(js_name = newBlueprint, unchecked_param_type = "BlueprintInput")]
    new_blueprint: JsValue,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "version-check")]
    {
        let old = convert::load_named_blueprint(&old_blueprint, "oldBlueprint")?;
        let new = convert::load_named_blueprint(&new_blueprint, "newBlueprint")?;
        to_js(&report::version_check(&old, &new).map_err(|e| js_error(&e))?)
    }
    #[cfg(not(feature = "version-check"))]
    {
        let _ = (old_blueprint, new_blueprint);
        Err(js_error(&report::left_out("versionCheck", "version-check")))
    }
}

/// The JSON Schema (draft 2020-12) of the blueprint format, for editors and form builders.
#[wasm_bindgen(unchecked_return_type = "Record<string, unknown>")]
pub fn schema() -> Result<JsValue, JsValue> {
    to_js(&iac_dharma::blueprint_json_schema())
}

/// Asks the glue to replace the WebAssembly instance with a fresh one before the next call. Used
/// by the package entries (`index.cjs`, `index.js`) after a panic or a trap; see `panic.rs`. Not part of the
/// API.
#[wasm_bindgen(js_name = __scheduleReset, skip_typescript)]
pub fn schedule_reset() {
    wasm_bindgen::handler::schedule_reinit();
}

/// Does nothing. Calling it after [`schedule_reset`] makes the replacement happen at once, in a
/// call that passes no arguments (the glue marshals arguments before it replaces the instance, so
/// the first call after a replacement must have none). Not part of the API.
#[wasm_bindgen(js_name = __applyReset, skip_typescript)]
pub fn apply_reset() {}

/// Panics on purpose, to test that a panic reaches JS as a readable `DharmaError` (kind
/// `internal`) and that the package entry carries on with a fresh instance. Not part of the API.
#[wasm_bindgen(js_name = __panicForTesting, skip_typescript)]
#[allow(clippy::panic)] // the point of the function
pub fn panic_for_testing(message: &str) {
    panic!("{message}");
}

/// Stops the module with a trap (as an allocation failure would), to test that the package entry
/// turns it into a `DharmaError` and carries on with a fresh instance. Not part of the API.
#[wasm_bindgen(js_name = __trapForTesting, skip_typescript)]
pub fn trap_for_testing() {
    std::process::abort();
}
