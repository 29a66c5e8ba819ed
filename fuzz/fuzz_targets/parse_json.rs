//! Blueprint JSON: parse, check, dependency graph and its renderings. (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::parse_json(data);
});
