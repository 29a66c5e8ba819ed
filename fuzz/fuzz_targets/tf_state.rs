//! The Terraform state reader (state files, terraform show -json), then drift against a fixed blueprint. (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::tf_state(data);
});
