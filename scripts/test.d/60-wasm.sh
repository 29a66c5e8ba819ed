#!/usr/bin/env bash
# The WebAssembly package (bindings/wasm): builds it (installing the toolchain, wasm-bindgen-cli
# and the npm dev dependencies when missing, cached under .cache/), then runs its tests: the
# shared vectors, the API and error paths, panic recovery and the size budget (Node), the
# TypeScript declarations (tsc), and the demo page in Debian's Chromium (playwright-core).
# It tests the default module (without the parts README.md lists as left out: those throw clean
# errors, which the tests check), after running the same Node tests on the module with every part
# (WASM_FEATURES=full: a second engine build). WASM_OPT=0 skips wasm-opt.
set -euo pipefail
source "$ROOT/scripts/lib.sh"
export npm_config_cache="$ROOT/.cache/npm"
cd "$ROOT/bindings/wasm"

apt_install chromium
# First the module with every part (WASM_FEATURES=full): every shared vector case and the API
# tests run through it (the size budget tests skip it). Then the default module, which the
# package ships, the types and the browser test are built and run on.
WASM_FEATURES=full bash scripts/build.sh
npm test
bash scripts/build.sh
npm test
npm run --silent test:types
CHROMIUM=/usr/bin/chromium npm run --silent test:browser
