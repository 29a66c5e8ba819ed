#!/usr/bin/env bash
# The main job on a bundled example: builds the `dharma` CLI and runs a real blueprint through
# the engine — check, dependency graph, guardrail policies, cost estimate, generated Terraform,
# and the deployment pipeline's decision. Pass another blueprint file to use it instead.
#
# Policies and the pipeline may legitimately say "no" (exit 1: findings or blocked; 3: needs
# approval): the demo prints their verdict and goes on. Bad input (exit 2) stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_cargo
bp="${1:-examples/blueprints/aws-three-tier-web.yaml}"
cargo build --release --locked -q -p iac-dharma-cli
dharma=target/release/dharma
out=$(mktemp -d "${TMPDIR:-/tmp}/dharma-demo.XXXXXX")

# Runs a dharma command whose exit codes 1 and 3 are verdicts, not failures.
verdict() {
  local code=0
  "$dharma" "$@" || code=$?
  case "$code" in
    0) ;;
    1 | 3) echo "(exit $code: see the verdict above)" ;;
    *) exit "$code" ;;
  esac
}

section "dharma check $bp"
"$dharma" check "$bp"
section "dharma graph $bp --format mermaid"
"$dharma" graph "$bp" --format mermaid
section "dharma validate $bp"
verdict validate "$bp"
section "dharma estimate $bp"
"$dharma" estimate "$bp"
section "dharma generate $bp --format terraform -o $out/terraform"
"$dharma" generate "$bp" --format terraform -o "$out/terraform"
ls -l "$out/terraform"
section "dharma pipeline $bp"
verdict pipeline "$bp"
echo
echo "generated files are in $out"
