#!/usr/bin/env bash
# validate: the built-in Rego under OPA and the Checkov comparison (scripts/policy_parity.py).
# Installs, idempotently and under $ROOT/.cache (git-ignored):
#   - OPA, built from the Go module proxy with `go install` (needs the Go toolchain);
#   - Checkov from PyPI into a virtualenv.
# Then builds the release `dharma` and `synthetic` binaries and runs the parity checks; the
# whole-process timings it prints (dharma vs opa vs checkov on the same plan JSON) are
# informational.
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo

OPA_VERSION="${OPA_VERSION:-v1.22.3}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
CACHE="$ROOT/.cache"
mkdir -p "$CACHE/bin"

# Checkov's install is mostly downloads and OPA's build is mostly compiling: run them side by side.
ckv_pid=""
if [ ! -x "$CACHE/checkov-venv/bin/checkov" ] || [ "$("$CACHE/checkov-venv/bin/checkov" --version)" != "$CHECKOV_VERSION" ]; then
  section "installing checkov $CHECKOV_VERSION from PyPI (in the background, log: .cache/checkov-install.log)"
  (
    rc=0
    python3 -m venv "$CACHE/checkov-venv" &&
      "$CACHE/checkov-venv/bin/pip" install --disable-pip-version-check --progress-bar off \
        "checkov==$CHECKOV_VERSION" || rc=$?
    echo "exit status $rc"
    exit "$rc"
  ) </dev/null >"$CACHE/checkov-install.log" 2>&1 &
  ckv_pid=$!
  # If the OPA build fails, do not leave the install running behind us.
  trap '[ -z "$ckv_pid" ] || kill "$ckv_pid" 2>/dev/null || true' EXIT
fi

if [ ! -x "$CACHE/bin/opa" ] || ! "$CACHE/bin/opa" version | grep "Version: ${OPA_VERSION#v}" >/dev/null; then
  command -v go >/dev/null 2>&1 || { echo "go not found: the OPA parity check needs a Go toolchain" >&2; exit 2; }
  section "installing OPA $OPA_VERSION with go install (Go module proxy)"
  GOBIN="$CACHE/bin" GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gobuild" GOFLAGS=-modcacherw \
    go install -trimpath -ldflags='-s -w' "github.com/open-policy-agent/opa@$OPA_VERSION"
fi
"$CACHE/bin/opa" version | sed -n 1p

if [ -n "$ckv_pid" ] && ! wait "$ckv_pid"; then
  cat "$CACHE/checkov-install.log" >&2
  echo "installing checkov $CHECKOV_VERSION failed" >&2
  exit 1
fi
ckv_pid=""
echo "checkov $("$CACHE/checkov-venv/bin/checkov" --version)"

cargo build --release --locked -p iac-dharma-cli -p iac-dharma-bench --bin dharma --bin synthetic
"$CACHE/bin/opa" check --v1-compatible "$ROOT/policies"
python3 "$ROOT/scripts/policy_parity.py"
