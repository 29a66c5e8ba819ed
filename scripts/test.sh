#!/usr/bin/env bash
# Sets up everything the tests need (idempotent) and runs every test suite: the Rust workspace
# (fmt, clippy, unit/integration/property tests, doc tests, vectors, benchmark smoke run), the
# checks of generated code with each ecosystem's real tools, and the Python, Node and WASM
# packages. Each suite is a script in scripts/test.d/, run in name order.
#
#   ./scripts/test.sh            run everything
#   ./scripts/test.sh rust node  run only the suites whose file name contains one of the words
set -euo pipefail
cd "$(dirname "$0")/.."
export ROOT="$PWD"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

start=$(date +%s)
ran=0
for suite in scripts/test.d/*.sh; do
  name=$(basename "$suite" .sh)
  if [ "$#" -gt 0 ]; then
    wanted=0
    for w in "$@"; do [[ "$name" == *"$w"* ]] && wanted=1; done
    [ "$wanted" = 1 ] || continue
  fi
  section "suite $name"
  t0=$(date +%s)
  bash "$suite"
  echo "suite $name passed in $(( $(date +%s) - t0 ))s"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "no suite matched: $*" >&2; exit 2; }
section "ALL OK: $ran suites in $(( $(date +%s) - start ))s"
