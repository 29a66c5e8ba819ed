//! Two blueprints split at the first NUL byte: the plan, its rendering and its rollback. (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::plan_two(data);
});
