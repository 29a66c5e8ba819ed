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
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="$ROOT/.cache"
WORK="${WORK:-$CACHE/compare-work}"
export CARGO_INCREMENTAL=0
mkdir -p "$CACHE" "$WORK"

cargo build --release --locked -p iac-dharma-cli -p iac-dharma-bench --bin dharma --example compare_inputs
DHARMA="$ROOT/target/release/dharma"
"$ROOT/target/release/examples/compare_inputs" "$WORK" ${SIZES:-100 1000 10000}

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

ROOT="$ROOT" WORK="$WORK" DHARMA="$DHARMA" OPA="$OPA" CHECKOV="$CHECKOV" CFN_LINT="$CFN_LINT" \
  "$CACHE/plot-venv/bin/python" "$ROOT/benches/compare/compare.py"
