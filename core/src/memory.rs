//! Freeing large, many-block structures (a checked blueprint, a lowered program, a template
//! context) in a way that stays cheap as they grow.
//!
//! glibc's malloc parks freed small blocks (most strings, map nodes of a few entries) in "fast
//! bins" and merges them with their neighbours only later, all at once: when a free leaves a
//! free region of 64 KiB or more, or a large block is requested. Dropping a structure of 10,000
//! resources in one go leaves those merges to walk blocks that left the CPU caches long before,
//! a cost that grows faster than the structure (at 1,000 resources everything is still in L2).
//! Freeing in batches and asking for one large block after each batch makes the merge happen
//! while the batch's blocks are still cached. Other allocators just serve and take back one
//! block per batch.

#[cfg(feature = "templates")]
use serde_json::Value;

/// Items freed between two merges: measured on the checked blueprint (4 and 16 gave the same
/// cache misses; 16 fewer instructions).
pub(crate) const BATCH: usize = 16;

/// Asks the allocator for one large block and gives it back: with glibc, this merges the small
/// blocks freed since the last merge (see the module docs).
pub(crate) fn merge_freed_blocks() {
    std::hint::black_box(Vec::<u8>::with_capacity(4096));
}

/// Drops `items` in batches, merging the freed blocks after each batch.
#[cfg(feature = "generate-pulumi")]
pub(crate) fn free_in_batches<T>(items: Vec<T>) {
    if items.len() <= BATCH {
        return;
    }
    let mut items = items.into_iter();
    while items.len() > 0 {
        for item in items.by_ref().take(BATCH) {
            drop(item);
        }
        merge_freed_blocks();
    }
}

/// Drops a JSON document whose bulk is in arrays or objects with many entries (a template
/// context: a list of resources, a map of them), merging the freed blocks after every
/// [`BATCH`] entries of each.
#[cfg(feature = "templates")]
pub(crate) fn free_value(value: Value) {
    let mut freed = 0usize;
    let mut free_entry = |v: Value| {
        free_value(v);
        freed += 1;
        if freed % BATCH == 0 {
            merge_freed_blocks();
        }
    };
    match value {
        Value::Array(items) => items.into_iter().for_each(&mut free_entry),
        Value::Object(map) => map.into_iter().for_each(|(_, v)| free_entry(v)),
        _ => {}
    }
}
