#!/usr/bin/env bash
# Whole-process comparison: the release `dharma` CLI per verb at 100 / 1,000 / 10,000 resources,
# side by side with checkov, opa eval and cfn-lint on the same inputs, in one run. Writes
# benches/RESULTS.md and benches/compare/time-vs-resources.png. Not part of CI.
#
#   benches/compare/run.sh                 # REPS=3 TOOL_REPS=1 by default
#   REPS=5 TOOL_REPS=3 benches/compare/run.sh
#
# Tools: Checkov and OPA are taken from .cache/ where scripts/test.d/30-policy-tools.sh installs
# them (run that first, or set CHECKOV= / OPA= to other binaries); cfn-lint from PATH, else it is
# installed from PyPI into .cache/cfnlint-venv; matplotlib into .cache/plot-venv. A tool that is
# missing is left out of the table (said on stderr), not faked.
#
# Binding overhead (the engine in-process from Rust, Python and Node vs the CLI, at BIND_SIZE
# resources, default 1000, BIND_REPS runs, default 20): the Python package is installed into
# .venv as scripts/test.d/40-python.sh does (`pip install ./bindings/python`, a release build by
# maturin), the Node addon built with `npm run build` (release) as scripts/test.d/50-node.sh
# builds it with NODE_PROFILE=release. NO_BINDINGS=1 skips both; a failed build leaves its rows
# out (said on stderr). ONLY_BINDINGS=1 measures only that and replaces its section of
# RESULTS.md in place (no other tool, no plot).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="$ROOT/.cache"
WORK="${WORK:-$CACHE/compare-work}"
export CARGO_INCREMENTAL=0
mkdir -p "$CACHE" "$WORK"

cargo build --release --locked -p iac-dharma-cli -p iac-dharma-bench --bin dharma --example compare_inputs \
  --example inprocess_timing
DHARMA="$ROOT/target/release/dharma"
"$ROOT/target/release/examples/compare_inputs" "$WORK" ${SIZES:-100 1000 10000}

PY="$CACHE/plot-venv/bin/python"
if [ -n "${ONLY_BINDINGS-}" ]; then
  PY=python3 OPA="" CHECKOV="" CFN_LINT=""
else
  if [ ! -x "$CACHE/plot-venv/bin/python" ] || ! "$CACHE/plot-venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    python3 -m venv "$CACHE/plot-venv"
    "$CACHE/plot-venv/bin/pip" install --disable-pip-version-check --progress-bar off matplotlib
  fi

  OPA="${OPA-$CACHE/bin/opa}"
  CHECKOV="${CHECKOV-$CACHE/checkov-venv/bin/checkov}"
  [ -x "$OPA" ] || { echo "opa not found at $OPA (run scripts/test.d/30-policy-tools.sh): left out" >&2; OPA=""; }
  if [ -x "$CHECKOV" ] && [ -x "$(dirname "$CHECKOV")/python3" ]; then
    # Through the venv's python, not the script's shebang: a venv copied from another worktree
    # keeps the old absolute path in its scripts' shebangs.
    CHECKOV="$(dirname "$CHECKOV")/python3 $CHECKOV"
  elif [ ! -x "$CHECKOV" ]; then
    echo "checkov not found at $CHECKOV (run scripts/test.d/30-policy-tools.sh): left out" >&2; CHECKOV=""
  fi
  if [ -z "${CFN_LINT-}" ]; then
    if command -v cfn-lint >/dev/null 2>&1 && cfn-lint --version >/dev/null 2>&1; then
      CFN_LINT="$(command -v cfn-lint)"
    else
      if [ ! -x "$CACHE/cfnlint-venv/bin/cfn-lint" ]; then
        python3 -m venv "$CACHE/cfnlint-venv"
        "$CACHE/cfnlint-venv/bin/pip" install --disable-pip-version-check --progress-bar off cfn-lint
      fi
      CFN_LINT="$CACHE/cfnlint-venv/bin/cfn-lint"
    fi
  fi
fi

PYTHON_BIND="" NODE_BIND=""
if [ -z "${NO_BINDINGS-}" ]; then
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  if { [ -x "$ROOT/.venv/bin/python" ] || python3 -m venv "$ROOT/.venv"; } \
     && "$ROOT/.venv/bin/python" -m pip install -q "$ROOT/bindings/python"; then
    PYTHON_BIND="$ROOT/.venv/bin/python"
  else
    echo "the Python package did not build: its binding-overhead rows are left out" >&2
  fi
  if command -v node >/dev/null 2>&1 && (
       cd "$ROOT/bindings/node" && export npm_config_cache="$CACHE/npm" &&
       { [ -x node_modules/.bin/napi ] || npm ci --no-audit --no-fund --prefer-offline --loglevel=error; } &&
       npm run --silent build); then
    NODE_BIND="node"
  else
    echo "the Node addon did not build (or no node): its binding-overhead rows are left out" >&2
  fi
fi

ROOT="$ROOT" WORK="$WORK" DHARMA="$DHARMA" PYTHON_BIND="$PYTHON_BIND" NODE_BIND="$NODE_BIND" \
  INPROCESS="$ROOT/target/release/examples/inprocess_timing" \
  OPA="$OPA" CHECKOV="$CHECKOV" CFN_LINT="$CFN_LINT" \
  "$PY" "$ROOT/benches/compare/compare.py"
