//! Where engine values are freed: on the JS thread, or on one background thread.
//!
//! V8 runs finalizers on the JS thread, in bursts: one collection can finalize dozens of
//! blueprints and results. Dropping them there — tens of thousands of small allocations each at
//! 1,000 resources, several milliseconds at 10,000 — would show up as event loop lag. Handing
//! them all to another thread keeps the loop free but costs more CPU in all: a block freed by
//! another thread goes back to its page through mimalloc's cross-thread path, and the JS
//! thread's next call allocates colder memory (measured: the process took 60-76% more CPU than
//! Rust on a 1,000-resource parse + check or estimate whose results V8 collected; the README's
//! "round 11" has the numbers).
//!
//! So a finalizer only parks what it lets go ([`finalize`]): values of up to
//! [`PARK_MAX_VALUE_BYTES`], while less than [`PARK_MAX_BYTES`] wait. The addon's next call on that
//! thread first drops up to [`DROP_PER_CALL_BYTES`] of them ([`drop_parked`]), just before
//! allocating its own result, as a Rust loop drops the previous result before the next call.
//! What waits longer than [`PARKED_MAX_WAIT`] (a thread that stopped calling the addon) is
//! dropped by the background thread, which also takes the values too large to park.

use std::collections::VecDeque;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// A value waiting to be dropped.
type Garbage = Box<dyn Send>;

/// What the background thread is asked to do.
enum Job {
    /// Drop this value.
    Drop(Garbage),
    /// Drop what waits too long in this thread's parking (it was empty until now).
    Watch(Weak<Mutex<Parking>>),
}

/// The queue of the background thread; `None` when the thread could not be started.
static QUEUE: OnceLock<Option<Sender<Job>>> = OnceLock::new();

fn background() -> Option<&'static Sender<Job>> {
    QUEUE
        .get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("dharma-release".into())
                .spawn(move || background_loop(&receiver))
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

/// The background thread: drops what it is sent, and sweeps the parkings it watches.
fn background_loop(receiver: &mpsc::Receiver<Job>) {
    let mut watched: Vec<Weak<Mutex<Parking>>> = Vec::new();
    loop {
        let job = if watched.is_empty() {
            receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            receiver.recv_timeout(PARKED_MAX_WAIT)
        };
        match job {
            Ok(Job::Drop(value)) => drop(value),
            Ok(Job::Watch(parking)) => watched.push(parking),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        // Between jobs too: a steady stream of jobs must not starve the sweep.
        watched.retain(|parking| parking.upgrade().is_some_and(|p| sweep(&p)));
    }
}

/// Drops what waited in `parking` longer than [`PARKED_MAX_WAIT`]; whether it still holds
/// anything (and stays watched).
fn sweep(parking: &Mutex<Parking>) -> bool {
    let Ok(mut p) = parking.lock() else {
        return false;
    };
    let now = Instant::now();
    let mut stale = Vec::new();
    while p
        .values
        .front()
        .is_some_and(|(at, _, _)| now.duration_since(*at) >= PARKED_MAX_WAIT)
    {
        if let Some((_, value, bytes)) = p.values.pop_front() {
            p.bytes -= bytes;
            stale.push(value);
        }
    }
    let watch = !p.values.is_empty();
    p.watched = watch;
    drop(p);
    drop(stale);
    watch
}

/// Drops `value` on the background thread (started on first use), or here when there is none.
pub fn drop_later<T: Send + 'static>(value: T) {
    if let Some(sender) = background() {
        // A send fails only when the thread is gone; the value then comes back and drops here.
        let _ = sender.send(Job::Drop(Box::new(value)));
    }
}

/// The most native memory (as V8 was told it, `size.rs`) that an explicit `dispose()` frees on
/// the calling thread; larger values go to the background thread. A block freed by another
/// thread does not come back to the calling thread's allocator caches: its next call allocates
/// colder memory and the blocks travel through the arena's lock. Measured on an idle machine
/// (`bench/overhead.mjs`, a 1,000-resource estimate read and disposed, ~0.8 MB counted): freed
/// on the background thread, the calling thread took 51% longer than Rust's and the process 95%
/// more CPU; freed here, 13–24% and 13–22%. At this bound, freeing here costs well under a
/// millisecond of the event loop.
pub const FREE_HERE_MAX_BYTES: i64 = 4 << 20;

/// Drops `value`, which holds about `bytes` of native memory, for an explicit `dispose()`: here
/// when it is at most [`FREE_HERE_MAX_BYTES`], else on the background thread.
pub fn dispose_of<T: Send + 'static>(value: T, bytes: i64) {
    if bytes <= FREE_HERE_MAX_BYTES {
        drop(value);
    } else {
        drop_later(value);
    }
}

/// The most native memory (as V8 was told it, `size.rs`) one value may hold to be parked by
/// [`finalize`]: dropping it at a call costs that call under a millisecond. A 10,000-resource
/// blueprint (~20 MB counted) goes to the background thread.
pub const PARK_MAX_VALUE_BYTES: i64 = 8 << 20;

/// The most native memory that may wait in one thread's parking: about what V8 lets grow before
/// it collects again (its external-memory step is 64 MB), so that a collection's finalized
/// values all wait for the next calls instead of spilling to the background thread.
pub const PARK_MAX_BYTES: i64 = 64 << 20;

/// How much of what is parked one call of the addon drops first (at least one value).
pub const DROP_PER_CALL_BYTES: i64 = 8 << 20;

/// How long a value may wait to be dropped by a call before the background thread drops it.
pub const PARKED_MAX_WAIT: Duration = Duration::from_millis(200);

/// The values finalizers on one thread let go, oldest first, with when and how much.
#[derive(Default)]
struct Parking {
    values: VecDeque<(Instant, Garbage, i64)>,
    bytes: i64,
    /// Whether the background thread watches it (told when it became non-empty).
    watched: bool,
}

thread_local! {
    /// This thread's parking; the background thread holds it weakly, to sweep it.
    static PARKING: Arc<Mutex<Parking>> = Arc::new(Mutex::new(Parking::default()));
}

/// Lets go of `value`, which holds about `bytes` of native memory, for a finalizer: parks it
/// for the next call on this thread to drop ([`drop_parked`]), or hands it to the background
/// thread when it is large or the parking is full.
pub fn finalize<T: Send + 'static>(value: T, bytes: i64) {
    let mut value = Some(value);
    if bytes <= PARK_MAX_VALUE_BYTES {
        // `try_with`: a finalizer that runs while the thread exits has no parking any more.
        let _ = PARKING.try_with(|parking| park(parking, &mut value, bytes));
    }
    if let Some(value) = value {
        drop_later(value);
    }
}

/// Moves `value` into `parking` unless that would hold more than [`PARK_MAX_BYTES`].
fn park<T: Send + 'static>(parking: &Arc<Mutex<Parking>>, value: &mut Option<T>, bytes: i64) {
    let Ok(mut p) = parking.lock() else {
        return;
    };
    if p.bytes.saturating_add(bytes) > PARK_MAX_BYTES {
        return;
    }
    let Some(value) = value.take() else {
        return;
    };
    p.values.push_back((Instant::now(), Box::new(value), bytes));
    p.bytes += bytes;
    if !p.watched {
        p.watched = true;
        if let Some(sender) = background() {
            let _ = sender.send(Job::Watch(Arc::downgrade(parking)));
        }
    }
}

/// Drops up to [`DROP_PER_CALL_BYTES`] of what finalizers parked on this thread, oldest first:
/// called at the start of the addon's calls, before they allocate.
pub fn drop_parked() {
    let batch = PARKING
        .try_with(|parking| {
            let Ok(mut p) = parking.lock() else {
                return Vec::new();
            };
            let mut batch = Vec::new();
            let mut taken = 0;
            while taken < DROP_PER_CALL_BYTES {
                let Some((_, value, bytes)) = p.values.pop_front() else {
                    break;
                };
                taken += bytes;
                p.bytes -= bytes;
                batch.push(value);
            }
            batch
        })
        .unwrap_or_default();
    drop(batch);
}

/// What a JS class (`Blueprint`, `PolicySet`, `PriceCatalog`) holds of the engine until its
/// `dispose()`: a shared value, taken out and dropped off the JS thread when disposed. A cell,
/// because napi-rs keeps the instance borrowed (`&self`) while an async call on it is pending;
/// such a call keeps its own `Arc` and finishes.
pub(crate) struct Slot<T>(std::cell::RefCell<Option<std::sync::Arc<T>>>);

impl<T: Send + Sync + 'static> Slot<T> {
    pub(crate) fn new(inner: std::sync::Arc<T>) -> Self {
        Slot(std::cell::RefCell::new(Some(inner)))
    }

    /// The value, or the `disposed` error naming `what` (`"this Blueprint"`).
    pub(crate) fn get(&self, what: &str) -> crate::error::Outcome<std::sync::Arc<T>> {
        self.0
            .borrow()
            .clone()
            .ok_or_else(|| crate::error::disposed(what))
    }

    /// Drops this reference to the value on the background thread; idempotent.
    pub(crate) fn dispose(&self) {
        if let Some(inner) = self.0.take() {
            drop_later(inner);
        }
    }

    /// Takes this reference out, for the caller to drop where it should; `None` once disposed.
    pub(crate) fn take(&self) -> Option<std::sync::Arc<T>> {
        self.0.take()
    }

    pub(crate) fn is_disposed(&self) -> bool {
        self.0.borrow().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU8, Ordering};
    use std::thread::ThreadId;

    /// Not dropped yet, dropped on the thread that let it go, dropped on another thread.
    const ALIVE: u8 = 0;
    const HERE: u8 = 1;
    const ELSEWHERE: u8 = 2;

    /// A value that records where it was dropped.
    struct Probe(Arc<AtomicU8>, ThreadId);

    fn probe() -> (Probe, Arc<AtomicU8>) {
        let state = Arc::new(AtomicU8::new(ALIVE));
        (
            Probe(Arc::clone(&state), std::thread::current().id()),
            state,
        )
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            let here = std::thread::current().id() == self.1;
            self.0
                .store(if here { HERE } else { ELSEWHERE }, Ordering::SeqCst);
        }
    }

    /// Waits (up to 10 s) for `state` to leave `ALIVE`; what it became.
    fn wait_for(state: &AtomicU8) -> u8 {
        let deadline = Instant::now() + Duration::from_secs(10);
        while state.load(Ordering::SeqCst) == ALIVE && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        state.load(Ordering::SeqCst)
    }

    /// Runs `test` on a thread of its own: each thread has its own parking.
    fn on_own_thread(test: impl FnOnce() + Send + 'static) {
        std::thread::spawn(test).join().unwrap();
    }

    #[test]
    fn values_are_dropped_on_another_thread() {
        let (value, state) = probe();
        drop_later(value);
        assert_eq!(wait_for(&state), ELSEWHERE);
    }

    #[test]
    fn finalized_values_wait_for_the_next_call_on_this_thread() {
        on_own_thread(|| {
            let (value, state) = probe();
            finalize(value, 1 << 20);
            assert_eq!(state.load(Ordering::SeqCst), ALIVE, "parked");
            drop_parked();
            assert_eq!(state.load(Ordering::SeqCst), HERE);
        });
    }

    #[test]
    fn calls_drop_a_bounded_share_oldest_first() {
        on_own_thread(|| {
            let states: Vec<Arc<AtomicU8>> = (0..3)
                .map(|_| {
                    let (value, state) = probe();
                    finalize(value, DROP_PER_CALL_BYTES / 2);
                    state
                })
                .collect();
            let now = || -> Vec<u8> { states.iter().map(|s| s.load(Ordering::SeqCst)).collect() };
            drop_parked();
            assert_eq!(now(), [HERE, HERE, ALIVE], "a call's share, oldest first");
            drop_parked();
            assert_eq!(now(), [HERE, HERE, HERE]);
        });
    }

    #[test]
    fn large_values_and_overflow_go_to_the_background_thread() {
        on_own_thread(|| {
            let (big, state) = probe();
            finalize(big, PARK_MAX_VALUE_BYTES + 1);
            assert_eq!(wait_for(&state), ELSEWHERE, "over the bound for one value");
            // A full parking, then one more value: that one is not parked.
            let parked: Vec<Arc<AtomicU8>> = (0..PARK_MAX_BYTES / PARK_MAX_VALUE_BYTES)
                .map(|_| {
                    let (value, state) = probe();
                    finalize(value, PARK_MAX_VALUE_BYTES);
                    state
                })
                .collect();
            let (spilled, state) = probe();
            finalize(spilled, 1);
            assert_eq!(wait_for(&state), ELSEWHERE, "over the parking's bound");
            // Left waiting (no call came), the parked values are dropped after the wait.
            let start = Instant::now();
            for state in &parked {
                assert_eq!(wait_for(state), ELSEWHERE);
            }
            assert!(start.elapsed() >= PARKED_MAX_WAIT / 2);
        });
    }
}
