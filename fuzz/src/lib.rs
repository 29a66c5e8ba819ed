//! The calls each fuzz target makes (shared with core/tests/fuzz_regressions.rs).
#[path = "harness.rs"]
mod harness;
pub use harness::*;
