#!/usr/bin/env bash
# The main job on a bundled example: builds the `dharma` CLI and runs a real blueprint through
# the engine. Pass another blueprint file to use it instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_cargo
bp="${1:-examples/blueprints/aws-three-tier-web.yaml}"
cargo build --release --locked -q -p iac-dharma-cli
dharma=target/release/dharma

section "dharma check $bp"
"$dharma" check "$bp"
section "dharma graph $bp --format mermaid"
"$dharma" graph "$bp" --format mermaid
