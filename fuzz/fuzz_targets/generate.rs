//! First byte: one of the 8 output formats; the rest: a blueprint to check and generate. (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::generate_any(data);
});
