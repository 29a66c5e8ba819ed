//! A blueprint priced with the built-in catalog, then rendered as text. (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::estimate_builtin(data);
});
