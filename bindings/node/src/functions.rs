//! The verbs that compare two inputs, as top-level functions (`planDiff(old, new)`,
//! `drift(blueprint, state)`): each input may be a `Blueprint`, text or an object. The
//! `Blueprint` methods `planDiff(other)` and `drift(state)` do the same from a parsed blueprint.

use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::args::{blueprint_arg, pending_blueprint_arg, StateArg};
use crate::error::guard;
use crate::lazy::{lazy_text, lazy_value, split_text};
use crate::task::{deferred, JsonJob};

/// The ordered change plan from `oldBlueprint` to `newBlueprint` (each a `Blueprint`, or text
/// or an object to read as one): what `oldBlueprint.planDiff(newBlueprint)` returns.
///
/// @throws {DharmaError} `plan` (e.g. `prevent_destroy`, with the resource's path) when the
/// change is refused; as `Blueprint.fromText`/`fromObject` for either blueprint;
/// `invalid_input` (path `oldBlueprint`/`newBlueprint`) for a value that is none of these.
#[napi(
    ts_args_type = "oldBlueprint: BlueprintInput, newBlueprint: BlueprintInput",
    ts_return_type = "WithDispose<Plan>"
)]
pub fn plan_diff<'e>(
    env: &'e Env,
    old_blueprint: Unknown,
    new_blueprint: Unknown,
) -> napi::Result<Unknown<'e>> {
    guard(env, || {
        let old = blueprint_arg(env, old_blueprint, "oldBlueprint")?;
        let new = blueprint_arg(env, new_blueprint, "newBlueprint")?;
        lazy_text(env, &iac_dharma::plan_diff(&old, &new)?)
    })
}

/// `planDiff` on the libuv thread pool (blueprints given as text are read there too).
#[napi(
    ts_args_type = "oldBlueprint: BlueprintInput, newBlueprint: BlueprintInput",
    ts_return_type = "Promise<WithDispose<Plan>>"
)]
pub fn plan_diff_async(
    env: Env,
    old_blueprint: Unknown,
    new_blueprint: Unknown,
) -> AsyncTask<JsonJob> {
    deferred(|| {
        let old = pending_blueprint_arg(&env, old_blueprint, "oldBlueprint")?;
        let new = pending_blueprint_arg(&env, new_blueprint, "newBlueprint")?;
        Ok(JsonJob::new(move || {
            let (old, new) = (old.load()?, new.load()?);
            split_text(&iac_dharma::plan_diff(&old, &new)?)
        }))
    })
}

/// What differs between `blueprint` (a `Blueprint`, or text or an object to read as one) and a
/// deployed Terraform state (`terraform.tfstate` or `terraform show -json`, as text or an
/// object): what `blueprint.drift(state)` returns.
///
/// @throws {DharmaError} as `Blueprint.fromText`/`fromObject` for `blueprint`; `parse` for a
/// state that cannot be read (with its JSON path), `plan` for one that belongs to another
/// provider's blueprint (`state_provider_mismatch`).
#[napi(
    ts_args_type = "blueprint: BlueprintInput, state: string | Record<string, unknown>",
    ts_return_type = "WithDispose<DriftReport>"
)]
pub fn drift<'e>(env: &'e Env, blueprint: Unknown, state: Unknown) -> napi::Result<Unknown<'e>> {
    guard(env, || {
        let bp = blueprint_arg(env, blueprint, "blueprint")?;
        let state = StateArg::read(env, state, "state")?.parse()?;
        lazy_value(env, iac_dharma::drift(&bp, &state)?)
    })
}

/// `drift` on the libuv thread pool (the blueprint, given as text, and the state are read
/// there too).
#[napi(
    ts_args_type = "blueprint: BlueprintInput, state: string | Record<string, unknown>",
    ts_return_type = "Promise<WithDispose<DriftReport>>"
)]
pub fn drift_async(env: Env, blueprint: Unknown, state: Unknown) -> AsyncTask<JsonJob> {
    deferred(|| {
        let bp = pending_blueprint_arg(&env, blueprint, "blueprint")?;
        let state = StateArg::read(&env, state, "state")?;
        Ok(JsonJob::new(move || {
            let bp = bp.load()?;
            let state = state.parse()?;
            split_text(&iac_dharma::drift(&bp, &state)?)
        }))
    })
}
