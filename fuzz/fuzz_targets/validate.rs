//! A blueprint through the built-in policy set (compiled once, shared by every run). (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::validate_builtin(data);
});
