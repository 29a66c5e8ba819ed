#!/usr/bin/env bash
# ARM templates checked against the Azure REST API models: every Azure blueprint of
# examples/blueprints/ and tests/toolchecks/blueprints/ is generated as `arm`, and every property
# path of every resource is walked through the model of its type in the Azure SDK for Python
# management packages (PyPI; generated from the Azure REST API specifications), which reports
# property names the API does not know (tests/toolchecks/arm/sdk_paths.py). Nothing reachable from
# here validates ARM templates as Azure does (`az deployment group validate` needs an Azure
# account; the official JSON schemas are bundled by no package on the registries reached); the
# template structure, expressions and dependsOn targets are checked in core/tests/generate_arm.rs.
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo
CACHE="$ROOT/.cache"
VENV="$CACHE/venv-azure-sdk"
OUT="$CACHE/generated-arm"
# The versions these checks were written against (azure-mgmt-monitor 7 dropped the diagnostic
# settings models; 6.0.2 has them under v2021_05_01_preview).
PACKAGES=(
  azure-mgmt-network==33.1.0 azure-mgmt-storage==25.3.0 azure-mgmt-containerservice==41.8.0
  azure-mgmt-keyvault==14.1.0 azure-mgmt-web==11.0.1 azure-mgmt-msi==7.1.0
  azure-mgmt-authorization==4.0.0 azure-mgmt-privatedns==2.0.0 azure-mgmt-containerregistry==15.0.0
  azure-mgmt-loganalytics==14.0.0 azure-mgmt-applicationinsights==4.1.0 azure-mgmt-monitor==6.0.2
  azure-mgmt-postgresqlflexibleservers==3.0.0 azure-mgmt-compute==39.0.0 azure-mgmt-redis==14.5.0
  azure-mgmt-servicebus==10.0.0 azure-mgmt-rdbms==10.1.1 azure-mgmt-sql==4.0.0
  azure-mgmt-cosmosdb==10.0.0 azure-mgmt-dns==9.0.0 azure-mgmt-cdn==14.1.0
  azure-mgmt-apimanagement==5.0.0 azure-mgmt-resource==26.0.0
)
STAMP="$VENV/.dharma-packages"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "${PACKAGES[*]}" ]; then
  section "installing the Azure SDK management packages (once; cached in $VENV)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PACKAGES[@]}"
  echo "${PACKAGES[*]}" >"$STAMP"
fi

cargo build -q -p iac-dharma-cli --locked
DHARMA="$ROOT/target/debug/dharma"
rm -rf "$OUT" && mkdir -p "$OUT"
shopt -s nullglob
templates=()
for bp in "$ROOT"/examples/blueprints/*.{yaml,yml,json} "$ROOT"/tests/toolchecks/blueprints/*.{yaml,yml,json}; do
  grep -qE '"?provider"?: *"?azure' "$bp" || continue
  name=$(basename "${bp%.*}")
  "$DHARMA" generate "$bp" --format arm -o "$OUT/$name"
  templates+=("$OUT/$name/azuredeploy.json")
done
section "arm: ${#templates[@]} templates against the Azure REST API models"
"$VENV/bin/python" "$ROOT/tests/toolchecks/arm/sdk_paths.py" "${templates[@]}"
