#!/usr/bin/env bash
# The Python package (bindings/python): installs it into $ROOT/.venv with the README's command
# (`pip install ./bindings/python`: maturin builds the extension in release mode, in the
# workspace's target/), installs the pinned test dependencies, writes the synthetic 1,000-resource
# blueprint of the benches, and runs pytest: the shared vectors, every verb and error class,
# thread-parallel use, mypy on the stubs and examples, and the example FastAPI service over HTTP.
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo
cd "$ROOT"
export PIP_DISABLE_PIP_VERSION_CHECK=1

venv="$ROOT/.venv"
if [ ! -x "$venv/bin/python" ]; then
  # Debian's python3 has no ensurepip without python3-venv.
  python3 -m venv "$venv" 2>/dev/null || { rm -rf "$venv"; apt_install python3-venv; python3 -m venv "$venv"; }
fi
"$venv/bin/python" -m pip install -q -r bindings/python/requirements-test.txt
"$venv/bin/python" -m pip install -q ./bindings/python

mkdir -p "$ROOT/.cache/python"
synthetic="$ROOT/.cache/python/synthetic-1000.json"
cargo run -q -p iac-dharma-bench --example synthetic_blueprint -- 1000 > "$synthetic"
IAC_DHARMA_SYNTHETIC="$synthetic" "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests
