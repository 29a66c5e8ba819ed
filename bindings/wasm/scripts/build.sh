#!/usr/bin/env bash
# Builds the WebAssembly package into bindings/wasm/pkg/:
#   pkg/web   ES module for browsers and bundlers (call the default export `init()` first)
#   pkg/node  CommonJS module for Node.js (ready on require/import)
# and prints the module's size (raw and gzip, before and after wasm-opt).
#
# Installs what is missing first, idempotently, caching under $ROOT/.cache:
#   - a Rust compiler that can target wasm32-unknown-unknown: rustup's, when it has the target or
#     can add it (`rustup target add`); otherwise Debian's rustc-web + rust-web-src + lld-16, which
#     compile the standard library for wasm32 from source (-Zbuild-std, allowed on the stable
#     compiler by RUSTC_BOOTSTRAP=1; see README.md);
#   - wasm-bindgen-cli at exactly the version of the pinned `wasm-bindgen` crate (cargo install);
#   - the npm dev dependencies (binaryen's wasm-opt).
#
# Environment:
#   WASM_TOOLCHAIN=auto|rustup|debian  which compiler to use (default auto, as above)
#   WASM_OPT=1|0                       run wasm-opt (default 1) with WASM_OPT_FLAGS
#   WASM_OPT_FLAGS="..."               default "-O1 --duplicate-function-elimination": the passes that
#                                      make the module smaller gzipped too (-O2/-Os/-Oz shrink it raw
#                                      but grow it gzipped by 5-12%; see README.md, "Size and speed")
#   WASM_PROFILE=name                  cargo profile (default wasm-release, see the root Cargo.toml)
#   WASM_FEATURES=list                 cargo features of iac-dharma-wasm added to the default ones (cost-diff, version-check; the module
#                                      without the parts README.md lists as left out; `full` has all)
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${ROOT:-$(cd "$HERE/../.." && pwd)}
export ROOT
# shellcheck source=../../../scripts/lib.sh
source "$ROOT/scripts/lib.sh"

CACHE="$ROOT/.cache"
PROFILE=${WASM_PROFILE:-wasm-release}
TOOLCHAIN=${WASM_TOOLCHAIN:-auto}
CRATE=iac_dharma_wasm
export npm_config_cache="$CACHE/npm"
mkdir -p "$CACHE"

# The wasm-bindgen CLI must be the version of the crate (one source of truth: Cargo.toml).
BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$HERE/Cargo.toml")
[ -n "$BINDGEN_VERSION" ] || { echo "cannot read the pinned wasm-bindgen version from $HERE/Cargo.toml" >&2; exit 2; }

now() { date +%s; }
t_start=$(now)

# --- compiler ---------------------------------------------------------------------------------
CARGO_CMD=()
BUILD_STD=()
NO_RUSTUP_TARGET="$CACHE/rustup-cannot-add-wasm32"   # remembers a failed `rustup target add`
choose_rustup() {
  command -v rustup >/dev/null 2>&1 || return 1
  (cd "$ROOT" && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown) && return 0
  [ "$TOOLCHAIN" = auto ] && [ -f "$NO_RUSTUP_TARGET" ] && return 1
  echo "adding the wasm32-unknown-unknown target with rustup..."
  if (cd "$ROOT" && timeout 120 rustup target add wasm32-unknown-unknown) >/dev/null 2>&1; then
    rm -f "$NO_RUSTUP_TARGET"
  else
    echo "rustup cannot add the target here (remembered in $NO_RUSTUP_TARGET)"
    touch "$NO_RUSTUP_TARGET"
    return 1
  fi
}
use_debian() {
  apt_install rustc-web cargo-web rust-web-src lld-16
  [ -d /usr/lib/rustlib/src/rust/library ] || { echo "rust-web-src did not install the library source" >&2; exit 2; }
  CARGO_CMD=(env PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
             CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/bin/wasm-ld-16 /usr/bin/cargo)
  BUILD_STD=(-Zbuild-std=std,panic_abort)
}
case "$TOOLCHAIN" in
  rustup) ensure_cargo; choose_rustup || { echo "rustup cannot provide the wasm32-unknown-unknown target" >&2; exit 2; }
          CARGO_CMD=(cargo) ;;
  debian) use_debian ;;
  auto)   ensure_cargo
          if choose_rustup; then CARGO_CMD=(cargo); TOOLCHAIN=rustup; else use_debian; TOOLCHAIN=debian; fi ;;
  *) echo "WASM_TOOLCHAIN must be auto, rustup or debian" >&2; exit 2 ;;
esac
echo "compiler: $TOOLCHAIN ($("${CARGO_CMD[@]}" --version))"
# One target directory per compiler, so switching between them does not rebuild everything.
TARGET_DIR="$CACHE/wasm-target-$TOOLCHAIN"

# --- wasm-bindgen-cli -------------------------------------------------------------------------
bindgen_ok() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null | awk '{print $2}')" = "$BINDGEN_VERSION" ]; }
WASM_BINDGEN=$CACHE/cargo-bin/bin/wasm-bindgen
if command -v wasm-bindgen >/dev/null 2>&1 && bindgen_ok "$(command -v wasm-bindgen)"; then
  WASM_BINDGEN=$(command -v wasm-bindgen)
elif ! bindgen_ok "$WASM_BINDGEN"; then
  echo "installing wasm-bindgen-cli $BINDGEN_VERSION into $CACHE/cargo-bin (once; a few minutes)..."
  t0=$(now)
  # Not --locked: its lock file names a crate version the registry index does not have.
  if command -v cargo >/dev/null 2>&1; then INSTALL_CARGO=(cargo); else INSTALL_CARGO=("${CARGO_CMD[@]}"); fi
  # Only the wasm-bindgen binary, without the TLS stack its test runner needs, and unoptimized:
  # 1m43s of CPU to compile against 4m33s for a default (release, TLS, all binaries) install; it
  # writes byte-identical output and takes ~2 s instead of ~0.4 s per run on this module.
  "${INSTALL_CARGO[@]}" install -q wasm-bindgen-cli --version "=$BINDGEN_VERSION" --root "$CACHE/cargo-bin" \
    --bin wasm-bindgen --no-default-features --debug
  echo "wasm-bindgen-cli installed in $(( $(now) - t0 ))s"
fi

# --- npm dev dependencies (wasm-opt) ------------------------------------------------------------
if [ ! -x "$HERE/node_modules/.bin/wasm-opt" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
fi

# --- compile ------------------------------------------------------------------------------------
t0=$(now)
FEATURES=()
[ -n "${WASM_FEATURES:-}" ] && FEATURES=(--features "$WASM_FEATURES")
(cd "$ROOT" && "${CARGO_CMD[@]}" build --locked --profile "$PROFILE" --target wasm32-unknown-unknown \
   -p iac-dharma-wasm --target-dir "$TARGET_DIR" "${BUILD_STD[@]}" "${FEATURES[@]}")
t_compile=$(( $(now) - t0 ))
RAW="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/$CRATE.wasm"

# --- up to date? ------------------------------------------------------------------------------
# The steps below take ~30-40 s (mostly wasm-opt); skip them when their inputs did not change.
STAMP="$HERE/pkg/.build-stamp"
stamp=$(cat "$RAW" "$HERE/scripts/build.sh" "$HERE/scripts/entry.mjs" | sha256sum | cut -c1-64)
WASM_OPT=${WASM_OPT:-1}
WASM_OPT_FLAGS=${WASM_OPT_FLAGS:--O1 --duplicate-function-elimination}
stamp="$stamp wasm-opt=$WASM_OPT ($WASM_OPT_FLAGS) features=${WASM_FEATURES:-} bindgen=$BINDGEN_VERSION toolchain=$TOOLCHAIN"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$stamp" ] && [ -f "$HERE/pkg/node/index.cjs" ] && [ -f "$HERE/pkg/web/index.js" ]; then
  echo "pkg/ is up to date ($(( $(now) - t_start ))s); sizes: $(tr -d '\n' <"$HERE/pkg/sizes.json")"
  exit 0
fi
rm -f "$STAMP"

# --- bindings -----------------------------------------------------------------------------------
t0=$(now)
rm -rf "$HERE/pkg/web" "$HERE/pkg/node"
# The compiled module keeps its symbol names (see the wasm-release profile); drop them here.
BINDGEN_FLAGS=(--remove-name-section --remove-producers-section)
"$WASM_BINDGEN" --target web "${BINDGEN_FLAGS[@]}" --out-dir "$HERE/pkg/web" "$RAW"
"$WASM_BINDGEN" --target nodejs "${BINDGEN_FLAGS[@]}" --out-dir "$HERE/pkg/node" "$RAW"
t_bindgen=$(( $(now) - t0 ))

gz() { gzip -9 -c "$1" | wc -c; }
BG_WEB="$HERE/pkg/web/${CRATE}_bg.wasm"
BG_NODE="$HERE/pkg/node/${CRATE}_bg.wasm"
size_cargo=$(wc -c <"$RAW")
size_bg=$(wc -c <"$BG_WEB"); gz_bg=$(gz "$BG_WEB")

# --- optimize -----------------------------------------------------------------------------------
t_opt=0
# The WebAssembly features rustc enables by default for wasm32-unknown-unknown (Rust >= 1.82,
# LLVM >= 19). wasm-opt also reads them from the module's target_features section; naming them
# keeps it working if a build strips that section.
OPT_FEATURES=(--enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
              --enable-bulk-memory --enable-bulk-memory-opt --enable-reference-types
              --enable-multivalue --enable-call-indirect-overlong)
if [ "$WASM_OPT" = 1 ]; then
  t0=$(now)
  # wasm-bindgen emits the same module for both targets; optimize it once when it does.
  if cmp -s "$BG_WEB" "$BG_NODE"; then same=1; else same=0; fi
  for f in "$BG_WEB" "$BG_NODE"; do
    if [ "$f" = "$BG_NODE" ] && [ "$same" = 1 ]; then cp "$BG_WEB" "$BG_NODE"; continue; fi
    # shellcheck disable=SC2086 # the flags are words
    "$HERE/node_modules/.bin/wasm-opt" $WASM_OPT_FLAGS "${OPT_FEATURES[@]}" "$f" -o "$f.opt"
    mv "$f.opt" "$f"
  done
  t_opt=$(( $(now) - t0 ))
fi
size_final=$(wc -c <"$BG_WEB"); gz_final=$(gz "$BG_WEB")

# --- package entries (pkg/node/index.cjs, pkg/web/index.js: panic and trap recovery) ------------
node "$HERE/scripts/entry.mjs"

# The numbers, for people and for scripts/test.d/60-wasm.sh (budget check).
cat >"$HERE/pkg/sizes.json" <<EOF
{"toolchain": "$TOOLCHAIN", "profile": "$PROFILE", "wasm_opt": $WASM_OPT, "wasm_opt_flags": "$WASM_OPT_FLAGS",
 "features": "${WASM_FEATURES:-}",
 "cargo_wasm": $size_cargo, "bindgen_wasm": $size_bg, "bindgen_wasm_gzip": $gz_bg,
 "final_wasm": $size_final, "final_wasm_gzip": $gz_final,
 "seconds": {"compile": $t_compile, "bindgen": $t_bindgen, "wasm_opt": $t_opt, "total": $(( $(now) - t_start ))}}
EOF
printf '\n%-34s %12s %12s\n' "module (bytes)" raw gzip-9
printf '%-34s %12s %12s\n' "cargo output ($PROFILE)" "$size_cargo" "$(gz "$RAW")"
printf '%-34s %12s %12s\n' "after wasm-bindgen" "$size_bg" "$gz_bg"
printf '%-34s %12s %12s\n' "final (pkg/web, pkg/node)" "$size_final" "$gz_final"
echo "$stamp" >"$STAMP"
echo "times: compile ${t_compile}s, wasm-bindgen ${t_bindgen}s, wasm-opt ${t_opt}s, total $(( $(now) - t_start ))s"
