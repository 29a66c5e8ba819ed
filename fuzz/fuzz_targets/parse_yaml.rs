//! Blueprint YAML: parse, back to YAML, check, effective tags, dependency graph. (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::parse_yaml(data);
});
