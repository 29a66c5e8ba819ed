//! The Terraform plan JSON reader (terraform show -json plan.out). (fuzz/src/harness.rs)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = iac_dharma_fuzz::tf_plan(data);
});
