#!/usr/bin/env bash
# The Rust workspace: formatting, lints, every test (unit, integration, property, doc, shared
# vectors), and the criterion benchmarks in smoke mode (each benchmark runs once, untimed).
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The cargo features the WASM module turns off (bindings/wasm/README.md): the engine without them
# and the WASM crate with all of them must stay warning-free too (check builds only: the engine's
# tests compile without the features, skipping the formats left out; `cargo test -p iac-dharma
# --no-default-features` runs them, not repeated here to keep CI short).
cargo clippy -p iac-dharma --no-default-features --all-targets --locked -- -D warnings
cargo clippy -p iac-dharma-wasm --features full --locked -- -D warnings
cargo test --workspace --locked
cargo bench --workspace --locked -- --test
