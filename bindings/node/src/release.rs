//! Frees engine values off the JS thread.
//!
//! V8 runs finalizers on the JS thread, between tasks. Dropping what a collected `Blueprint` or
//! unread result holds — tens of thousands of small allocations at 10,000 resources, several
//! milliseconds — would run there too and show up as event loop lag, all the more when one
//! collection finalizes several of them at once. Finalizers hand such values to one background
//! thread that drops them instead.

use std::sync::mpsc::{self, Sender};
use std::sync::OnceLock;

/// A value waiting to be dropped.
type Garbage = Box<dyn Send>;

/// The queue of the dropping thread; `None` when the thread could not be started.
static QUEUE: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();

/// Drops `value` on the background thread (started on first use), or here when there is none.
pub fn drop_later<T: Send + 'static>(value: T) {
    let queue = QUEUE.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Garbage>();
        std::thread::Builder::new()
            .name("dharma-release".into())
            .spawn(move || receiver.into_iter().for_each(drop))
            .ok()
            .map(|_| sender)
    });
    if let Some(sender) = queue {
        // A send fails only when the thread is gone; the value then comes back and drops here.
        let _ = sender.send(Box::new(value));
    }
}

/// The most native memory (as V8 was told it, `size.rs`) that an explicit `dispose()` frees on
/// the calling thread; larger values go to the background thread, like everything a finalizer
/// lets go. A block freed by another thread does not come back to the calling thread's
/// allocator caches: its next call allocates colder memory and the blocks travel through the
/// arena's lock. Measured on an idle machine (`bench/overhead.mjs`, a 1,000-resource estimate
/// read and disposed, ~0.8 MB counted): freed on the background thread, the calling thread
/// took 51% longer than Rust's and the process 95% more CPU; freed here, 13–24% and 13–22%.
/// At this bound, freeing here costs well under a millisecond of the event loop.
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

/// How much native memory (as V8 was told it) finalizers may free on the JS thread per
/// millisecond; the rest goes to the background thread. A result V8 collects is usually small
/// (a 1,000-resource estimate: ~0.4 MB counted) and freeing it here puts its blocks back in the
/// JS thread's allocator caches for the next call, where freeing it on the other thread made
/// each call allocate colder memory; the budget bounds what one collection that finalizes many
/// results at once adds to the event loop's lag (freeing 1 MB counted takes ~0.1 ms).
pub const FINALIZE_HERE_BYTES_PER_MS: i64 = 1 << 20;

thread_local! {
    /// The millisecond window of [`finalize`] on this thread: its start and the bytes freed here.
    static WINDOW: std::cell::Cell<(Option<std::time::Instant>, i64)> =
        const { std::cell::Cell::new((None, 0)) };
}

/// Drops `value`, which holds about `bytes` of native memory, for a finalizer: here while this
/// millisecond's [`FINALIZE_HERE_BYTES_PER_MS`] allows it, else on the background thread.
pub fn finalize<T: Send + 'static>(value: T, bytes: i64) {
    let now = std::time::Instant::now();
    let here = WINDOW.with(|w| {
        let (start, spent) = w.get();
        let (start, spent) = match start {
            Some(s) if now.duration_since(s) < std::time::Duration::from_millis(1) => (s, spent),
            _ => (now, 0),
        };
        let here = bytes <= FINALIZE_HERE_BYTES_PER_MS - spent;
        w.set((Some(start), if here { spent + bytes } else { spent }));
        here
    });
    if here {
        drop(value);
    } else {
        drop_later(value);
    }
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
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    struct Flag(Arc<AtomicBool>, std::thread::ThreadId);

    impl Drop for Flag {
        fn drop(&mut self) {
            // Records whether the drop ran on another thread than the one that let it go.
            self.0
                .store(std::thread::current().id() != self.1, Ordering::SeqCst);
        }
    }

    #[test]
    fn values_are_dropped_on_another_thread() {
        let dropped_elsewhere = Arc::new(AtomicBool::new(false));
        drop_later(Flag(
            Arc::clone(&dropped_elsewhere),
            std::thread::current().id(),
        ));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !dropped_elsewhere.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(dropped_elsewhere.load(Ordering::SeqCst));
    }

    #[test]
    fn finalizers_free_small_values_here_within_the_budget() {
        let here = std::thread::current().id();
        let elsewhere = Arc::new(AtomicBool::new(true));
        // Half the budget: freed here, at once.
        finalize(
            Flag(Arc::clone(&elsewhere), here),
            FINALIZE_HERE_BYTES_PER_MS / 2,
        );
        assert!(!elsewhere.load(Ordering::SeqCst));
        // More than what is left of this millisecond's budget: the other thread.
        let big = Arc::new(AtomicBool::new(false));
        finalize(Flag(Arc::clone(&big), here), FINALIZE_HERE_BYTES_PER_MS);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !big.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(big.load(Ordering::SeqCst));
        // A later millisecond has its budget again.
        std::thread::sleep(Duration::from_millis(2));
        let small = Arc::new(AtomicBool::new(true));
        finalize(
            Flag(Arc::clone(&small), here),
            FINALIZE_HERE_BYTES_PER_MS / 2,
        );
        assert!(!small.load(Ordering::SeqCst));
    }
}
