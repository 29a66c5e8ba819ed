#!/usr/bin/env bash
# The Node package (bindings/node): installs its npm dev dependencies (@napi-rs/cli, typescript)
# from the committed package-lock.json when missing, builds the native addon with napi-rs, then
# runs its tests: the shared vectors, the API and every error path, the async variants (results,
# rejections, the event loop left free during a 10,000-resource parse), panic recovery, and the
# TypeScript declarations (tsc --noEmit on test/types.test.ts). Idempotent; npm's cache lives in
# .cache/npm.
#   NODE_PROFILE=debug|release  profile of the addon build (default debug: it reuses what the
#                               Rust suite compiled; `npm run build` makes the release addon)
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo
export npm_config_cache="$ROOT/.cache/npm"
cd "$ROOT/bindings/node"

if [ ! -x node_modules/.bin/napi ] || [ ! -x node_modules/.bin/tsc ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
fi

t0=$(date +%s)
case "${NODE_PROFILE:-debug}" in
  debug) npm run --silent build:debug ;;
  release) npm run --silent build ;;
  *) echo "NODE_PROFILE must be debug or release" >&2; exit 2 ;;
esac
for f in iac-dharma.*.node; do echo "addon built (${NODE_PROFILE:-debug}) in $(( $(date +%s) - t0 ))s: $f, $(wc -c < "$f") bytes"; done

npm test
npm run --silent test:types
