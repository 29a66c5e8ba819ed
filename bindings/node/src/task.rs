//! Async variants: the engine call runs on the libuv thread pool, and so does the serialization
//! of its result, split into a small head and the JSON text of its large members (`lazy.rs`):
//! the JS thread only parses the head, and each large member when it is first read.

use std::sync::Arc;

use iac_dharma::CheckedBlueprint;
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, ScopedTask};
use napi_derive::napi;

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
    trace::mark(trace::Phase::PrepareStart);
    let job = catch(prepare).unwrap_or_else(J::failed);
    trace::mark(trace::Phase::PrepareEnd);
    AsyncTask::new(job)
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
        let _phase = trace::span(trace::Phase::ComputeStart);
        compute(self.work.take(), &mut self.failure)
    }

    fn resolve(&mut self, env: &'task Env, output: Split) -> napi::Result<Unknown<'task>> {
        let _phase = trace::span(trace::Phase::ResolveStart);
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
    /// The blueprint, how it was read, and the native memory it holds (counted here, on the
    /// pool thread: the count walks the whole document).
    type Output = (CheckedBlueprint, &'static str, i64);
    type JsValue = crate::Blueprint;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let _phase = trace::span(trace::Phase::ComputeStart);
        let (bp, source) = compute(self.work.take(), &mut self.failure)?;
        let bytes = crate::held_bytes(&bp);
        Ok((bp, source, bytes))
    }

    fn resolve(
        &mut self,
        env: &'task Env,
        (bp, source, bytes): Self::Output,
    ) -> napi::Result<crate::Blueprint> {
        let _phase = trace::span(trace::Phase::ResolveStart);
        Ok(crate::Blueprint::new(env, Arc::new(bp), source, bytes))
    }

    fn reject(&mut self, env: &'task Env, err: napi::Error) -> napi::Result<crate::Blueprint> {
        Err(to_js_error(
            env,
            self.failure.take().unwrap_or(Failure::Napi(err)),
        ))
    }
}

/// `__taskTrace(now?)`, for `bench/event-loop.mjs` only (not part of the API): with `now` (the
/// caller's `performance.now()`), starts recording when the async variants' phases begin and
/// end (argument conversion on the JS thread, the work on the pool thread, the result built on
/// the JS thread when the promise settles) and returns what was recorded since the last call,
/// as a flat list `[phase, ms, phase, ms, ...]` on the caller's `performance.now()` clock
/// (phases: see [`trace::Phase`]); without `now`, stops recording and returns the rest.
#[napi(js_name = "__taskTrace", skip_typescript)]
pub fn task_trace(now: Option<f64>) -> Vec<f64> {
    trace::drain(now)
}

/// The phase log of [`task_trace`]: off (one relaxed atomic load per phase) until a bench turns
/// it on.
pub(crate) mod trace {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;
    use std::time::Instant;

    /// A phase boundary; `bench/event-loop.mjs` knows these numbers.
    #[derive(Clone, Copy)]
    pub(crate) enum Phase {
        /// The arguments are read, on the JS thread.
        PrepareStart = 0,
        /// ... and the job is queued.
        PrepareEnd = 1,
        /// The work, on a libuv pool thread (end: `+ 1`).
        ComputeStart = 2,
        /// The result becomes a JS value, on the JS thread, before the promise settles (end:
        /// `+ 1`).
        ResolveStart = 4,
    }

    static ON: AtomicBool = AtomicBool::new(false);

    /// The clock's origin: an instant and the caller's `performance.now()` then; the events.
    struct Log {
        origin: Instant,
        origin_ms: f64,
        events: Vec<(u8, Instant)>,
    }

    static LOG: Mutex<Option<Log>> = Mutex::new(None);

    /// Records `phase` now, when on.
    pub(crate) fn mark(phase: Phase) {
        mark_code(phase as u8);
    }

    fn mark_code(code: u8) {
        if ON.load(Ordering::Relaxed) {
            let now = Instant::now();
            if let Ok(mut log) = LOG.lock() {
                if let Some(log) = log.as_mut() {
                    log.events.push((code, now));
                }
            }
        }
    }

    /// Marks `start` now, and its end (`start + 1`) when dropped.
    pub(crate) fn span(start: Phase) -> Span {
        mark(start);
        Span(start as u8 + 1)
    }

    pub(crate) struct Span(u8);

    impl Drop for Span {
        fn drop(&mut self) {
            mark_code(self.0);
        }
    }

    /// The events since the last call, on the caller's clock; restarts the log at `now` or
    /// stops it.
    pub(crate) fn drain(now: Option<f64>) -> Vec<f64> {
        let restart = now.map(|ms| Log {
            origin: Instant::now(),
            origin_ms: ms,
            events: Vec::new(),
        });
        ON.store(restart.is_some(), Ordering::Relaxed);
        let old = match LOG.lock() {
            Ok(mut log) => std::mem::replace(&mut *log, restart),
            Err(_) => None,
        };
        let Some(old) = old else {
            return Vec::new();
        };
        let at = |t: Instant| {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
            match t.checked_duration_since(old.origin) {
                Some(after) => old.origin_ms + ms(after),
                None => old.origin_ms - ms(old.origin.duration_since(t)),
            }
        };
        old.events
            .into_iter()
            .flat_map(|(code, t)| [f64::from(code), at(t)])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::task_trace;
    use super::trace::{mark, span, Phase};

    /// One test (the log is global): nothing is recorded while off; when on, the phases come
    /// back in order, on the caller's clock, each span closed.
    #[test]
    fn the_phase_log_records_only_when_on() {
        task_trace(None);
        mark(Phase::PrepareStart);
        assert!(task_trace(Some(1000.0)).is_empty());
        mark(Phase::PrepareStart);
        mark(Phase::PrepareEnd);
        drop(span(Phase::ComputeStart));
        let events = task_trace(None);
        let codes: Vec<f64> = events.iter().step_by(2).copied().collect();
        assert_eq!(codes, [0.0, 1.0, 2.0, 3.0]);
        let times: Vec<f64> = events.iter().skip(1).step_by(2).copied().collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        assert!(
            times.iter().all(|&t| (1000.0..2000.0).contains(&t)),
            "{times:?}"
        );
        mark(Phase::PrepareStart);
        assert!(task_trace(None).is_empty());
    }
}
