#!/usr/bin/env bash
# The injection corpus (tests/vectors/injection/, issue 11) in the TypeScript formats: each
# corpus blueprint is generated as cdk-ts and pulumi-ts, and every .ts file is parsed with the
# TypeScript compiler's own parser (typescript 6.0.3 from npm, pinned by
# tests/toolchecks/injection/package-lock.json, installed once into $ROOT/.cache/) by
# tests/toolchecks/injection/ts_strings.mjs: no syntax error, no hostile text outside string
# literals and comments, every hostile string back exactly as a string literal value.
# The JSON, YAML and HCL formats are parsed back in core/tests/injection_corpus.rs.
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo
CACHE="$ROOT/.cache"
SRC="$ROOT/tests/toolchecks/injection"
NODE_DIR="$CACHE/injection-node"
OUT="$CACHE/injection"

if ! cmp -s "$SRC/package-lock.json" "$NODE_DIR/node_modules/.dharma-lock"; then
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  cp "$SRC/package.json" "$SRC/package-lock.json" "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) &&
    cp "$SRC/package-lock.json" "$NODE_DIR/node_modules/.dharma-lock"
fi

cargo build -q -p iac-dharma-cli --locked
DHARMA="$ROOT/target/debug/dharma"

rm -rf "$OUT" && mkdir -p "$OUT"
checked=0
for bp in "$ROOT"/tests/vectors/injection/*.yaml; do
  provider=$(basename "$bp" .yaml)
  dirs=()
  for fmt in cdk-ts pulumi-ts; do
    # The formats the corpus has a case for (cdk-ts is AWS only).
    [ -f "$ROOT/tests/vectors/injection/$provider-$fmt.json" ] || continue
    "$DHARMA" generate "$bp" --format "$fmt" -o "$OUT/$provider/$fmt"
    dirs+=("$OUT/$provider/$fmt")
  done
  [ "${#dirs[@]}" -gt 0 ] || continue
  node "$SRC/ts_strings.mjs" "$NODE_DIR/node_modules/typescript" "$bp" "${dirs[@]}"
  checked=$((checked + ${#dirs[@]}))
done
[ "$checked" -ge 4 ] || { echo "only $checked TypeScript programs checked" >&2; exit 1; }
echo "$checked TypeScript programs of the injection corpus checked"
