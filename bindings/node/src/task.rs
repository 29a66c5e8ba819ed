//! Async variants: the engine call runs on the libuv thread pool, and so does the serialization
//! of its result, split into a small head and the JSON text of its large members (`lazy.rs`):
//! the JS thread only parses the head, and each large member when it is first read.

use std::sync::Arc;

use iac_dharma::CheckedBlueprint;
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, ScopedTask};

use crate::error::{catch, to_js_error, Failure, Outcome};
use crate::lazy::Split;

/// A job that can also stand for a failure found before it was queued.
pub trait Job: Sized {
    /// A job that fails with `failure` (on the pool, so that the promise rejects with it).
    fn failed(failure: Failure) -> Self;
}

/// The `AsyncTask` of an async variant: `prepare` reads the arguments on the JS thread (panics
/// caught) and returns the job; when it fails, the task rejects with that failure, so an async
/// variant never throws synchronously, like any JS async function.
pub fn deferred<J: Job + for<'t> ScopedTask<'t>>(
    prepare: impl FnOnce() -> Outcome<J>,
) -> AsyncTask<J> {
    AsyncTask::new(catch(prepare).unwrap_or_else(J::failed))
}

/// Work returning a split result.
type Work = Box<dyn FnOnce() -> Outcome<Split> + Send>;

/// A job on the thread pool whose result is split into a head and its large members' JSON.
pub struct JsonJob {
    work: Option<Work>,
    failure: Option<Failure>,
}

impl JsonJob {
    /// A job running `work` (which splits its own result with
    /// [`split_text`](crate::lazy::split_text)).
    pub fn new(work: impl FnOnce() -> Outcome<Split> + Send + 'static) -> Self {
        JsonJob {
            work: Some(Box::new(work)),
            failure: None,
        }
    }
}

/// Runs a job's work on the pool thread: panics are caught there (an unwind out of the pool
/// thread's callback would abort the process) and the failure is kept for `reject`, which runs
/// on the JS thread and can build the `DharmaError`.
fn compute<T>(
    work: Option<Box<dyn FnOnce() -> Outcome<T> + Send>>,
    failure: &mut Option<Failure>,
) -> napi::Result<T> {
    let result = match (work, failure.take()) {
        (_, Some(early)) => Err(early),
        (Some(work), None) => catch(work),
        (None, None) => Err(Failure::Panic("the job ran twice".into())),
    };
    result.map_err(|f| {
        *failure = Some(f);
        napi::Error::from_reason("failed")
    })
}

impl Job for JsonJob {
    fn failed(failure: Failure) -> Self {
        JsonJob {
            work: None,
            failure: Some(failure),
        }
    }
}

impl<'task> ScopedTask<'task> for JsonJob {
    type Output = Split;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Split> {
        compute(self.work.take(), &mut self.failure)
    }

    fn resolve(&mut self, env: &'task Env, output: Split) -> napi::Result<Unknown<'task>> {
        crate::lazy::to_lazy_js(env, output)
    }

    fn reject(&mut self, env: &'task Env, err: napi::Error) -> napi::Result<Unknown<'task>> {
        Err(to_js_error(
            env,
            self.failure.take().unwrap_or(Failure::Napi(err)),
        ))
    }
}

/// Work producing a checked blueprint.
type ParseWork = Box<dyn FnOnce() -> Outcome<(CheckedBlueprint, &'static str)> + Send>;

/// A job on the thread pool that parses and checks a blueprint.
pub struct ParseJob {
    work: Option<ParseWork>,
    failure: Option<Failure>,
}

impl ParseJob {
    /// A job running `work`, which returns the blueprint and how it was read.
    pub fn new(
        work: impl FnOnce() -> Outcome<(CheckedBlueprint, &'static str)> + Send + 'static,
    ) -> Self {
        ParseJob {
            work: Some(Box::new(work)),
            failure: None,
        }
    }
}

impl Job for ParseJob {
    fn failed(failure: Failure) -> Self {
        ParseJob {
            work: None,
            failure: Some(failure),
        }
    }
}

impl<'task> ScopedTask<'task> for ParseJob {
    type Output = (CheckedBlueprint, &'static str);
    type JsValue = crate::Blueprint;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        compute(self.work.take(), &mut self.failure)
    }

    fn resolve(
        &mut self,
        env: &'task Env,
        (bp, source): Self::Output,
    ) -> napi::Result<crate::Blueprint> {
        Ok(crate::Blueprint::new(env, Arc::new(bp), source))
    }

    fn reject(&mut self, env: &'task Env, err: napi::Error) -> napi::Result<crate::Blueprint> {
        Err(to_js_error(
            env,
            self.failure.take().unwrap_or(Failure::Napi(err)),
        ))
    }
}
