#!/usr/bin/env bash
# Generated code, checked by the real tools of each ecosystem (installed here, cached under
# $ROOT/.cache/): every blueprint of examples/blueprints/ and tests/toolchecks/blueprints/
# is generated in every format its provider supports, then
#   - terraform: `tofu fmt -check` (OpenTofu, built from the Go module proxy: Terraform's own
#     module cannot be built that way, its go.mod points at folders the module zip leaves out),
#     and a real `tofu apply` of tests/toolchecks/strings.json (outputs and variables only, no
#     provider needed) whose outputs must equal the strings the blueprint holds, for HCL and JSON.
#     Argument names against the provider schema are checked in core/tests/generate_terraform.rs.
#   - cloudformation / cloudformation-yaml: cfn-lint (PyPI, in a venv) reports no error;
#   - cdk-ts: tsc type-checks the app against aws-cdk-lib (npm, tests/toolchecks/node with its
#     package-lock.json), node synthesizes it offline, cfn-lint accepts the result, and its
#     resources are exactly the ones of the generated CloudFormation template (same logical IDs).
#   - pulumi-ts: tsc type-checks every program against @pulumi/pulumi and @pulumi/aws|azure|gcp
#     (npm, tests/toolchecks/pulumi with its package-lock.json, installed in $ROOT/.cache), and each
#     runs offline under pulumi.runtime.setMocks (tests/toolchecks/pulumi/run-mocks.js) registering
#     exactly the resources of the pulumi-yaml program of the same blueprint (names, tokens,
#     properties, literal values) and one per instance of each blueprint resource with the token of
#     catalog/formats/pulumi-<provider>.map, its exports being the blueprint's outputs; the outputs
#     of tests/toolchecks/strings.json equal the strings the blueprint holds. Pulumi YAML itself is
#     checked structurally in core/tests/generate_pulumi.rs (the pulumi CLI is no package).
set -euo pipefail
source "$ROOT/scripts/lib.sh"
ensure_cargo
export GOTOOLCHAIN=local
CACHE="$ROOT/.cache"
BIN="$CACHE/bin"
OUT="$CACHE/generated"
mkdir -p "$BIN"

TOFU_VERSION=1.10.10
TOFU="$BIN/tofu-$TOFU_VERSION"
if [ ! -x "$TOFU" ]; then
  command -v go >/dev/null || { echo "go is needed to build OpenTofu" >&2; exit 2; }
  section "building OpenTofu $TOFU_VERSION from the Go module proxy (once; cached in $BIN)"
  dir=$(go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  (cd "$dir" && go build -trimpath -o "$TOFU.tmp" ./cmd/tofu) && mv "$TOFU.tmp" "$TOFU"
fi
: >"$CACHE/tofurc"
export TF_CLI_CONFIG_FILE="$CACHE/tofurc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

cargo build -q -p iac-dharma-cli --locked
DHARMA="$ROOT/target/debug/dharma"

formats_for() {
  case "$1" in
    aws) echo "terraform terraform-json cloudformation cloudformation-yaml pulumi-yaml pulumi-ts cdk-ts" ;;
    azure) echo "terraform terraform-json arm pulumi-yaml pulumi-ts" ;;
    gcp) echo "terraform terraform-json pulumi-yaml pulumi-ts" ;;
  esac
}

# Formats this build generates (the others report an error naming the format).
AVAILABLE="${DHARMA_GENERATE_FORMATS:-terraform terraform-json cloudformation cloudformation-yaml arm cdk-ts pulumi-yaml pulumi-ts}"

rm -rf "$OUT"
mkdir -p "$OUT"
shopt -s nullglob
blueprints=("$ROOT"/examples/blueprints/*.{yaml,yml,json} "$ROOT"/tests/toolchecks/blueprints/*.{yaml,yml,json} "$ROOT"/tests/toolchecks/strings.json)
section "generating ${#blueprints[@]} blueprints"
for bp in "${blueprints[@]}"; do
  name=$(basename "${bp%.*}")
  provider=$(grep -m1 -oE '"?provider"?: *"?[a-z]+' "$bp" | grep -oE '[a-z]+$')
  for fmt in $(formats_for "$provider"); do
    case " $AVAILABLE " in *" $fmt "*) ;; *) continue ;; esac
    # Every blueprint must generate in every format of its provider this build generates.
    if ! "$DHARMA" generate "$bp" --format "$fmt" -o "$OUT/$name/$fmt" 2>"$OUT/$name.$fmt.err"; then
      case "$fmt:$bp" in
        # Pulumi project config has no map/object type: a fixture with such a variable is
        # generated in pulumi-ts only (checked below against the blueprint alone).
        pulumi-yaml:"$ROOT"/tests/toolchecks/*)
          if ! grep '^error\[' "$OUT/$name.$fmt.err" | grep -qvE '^error\[unmapped_property\]: .*: variables\[[0-9]+\]\.type: '; then
            echo "NOT EXPRESSIBLE: $name in $fmt (a variable type Pulumi config lacks)"
            continue
          fi ;;
      esac
      cat "$OUT/$name.$fmt.err" >&2; echo "generate failed: $bp $fmt" >&2; exit 1
    fi
  done
done

section "terraform: tofu fmt -check"
count=0
for d in "$OUT"/*/terraform; do
  "$TOFU" fmt -check -diff "$d" || { echo "not fmt-clean: $d" >&2; exit 1; }
  count=$((count + 1))
done
echo "$count configurations are fmt-clean"

section "terraform: strings survive a real apply (HCL and JSON)"
for fmt in terraform terraform-json; do
  work="$OUT/strings-apply-$fmt"
  rm -rf "$work" && mkdir -p "$work"
  if [ "$fmt" = terraform ]; then
    cp "$OUT/strings/terraform/variables.tf" "$OUT/strings/terraform/outputs.tf" "$work/"
  else
    # Without the provider requirement, block and resources (they would need a provider download).
    python3 - "$OUT/strings/terraform-json/main.tf.json" "$work/main.tf.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.pop("terraform", None); doc.pop("provider", None); doc.pop("resource", None)
json.dump(doc, open(sys.argv[2], "w"))
PY
  fi
  (cd "$work" && "$TOFU" init -backend=false -input=false >/dev/null &&
    "$TOFU" apply -auto-approve -input=false >/dev/null && "$TOFU" output -json >outputs.json)
  python3 - "$work/outputs.json" "$ROOT/tests/toolchecks/strings.expected.json" "$fmt" <<'PY'
import json, sys
got = {k: v["value"] for k, v in json.load(open(sys.argv[1])).items()}
expected = json.load(open(sys.argv[2]))
bad = [(k, expected[k], got.get(k)) for k in expected if got.get(k) != expected[k]]
if bad:
    for b in bad: print("MISMATCH", sys.argv[3], *b)
    sys.exit(1)
print(f"{sys.argv[3]}: {len(expected)} outputs equal the blueprint's strings")
PY
done

section "cloudformation: cfn-lint"
VENV="$CACHE/venv-toolchecks"
CFN_LINT_VERSION=1.58.0
if ! "$VENV/bin/cfn-lint" --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "cfn-lint==$CFN_LINT_VERSION"
fi
templates=("$OUT"/*/cloudformation/template.json "$OUT"/*/cloudformation-yaml/template.yaml)
"$VENV/bin/cfn-lint" --format parseable --non-zero-exit-code error -- "${templates[@]}" ||
  { echo "cfn-lint found errors" >&2; exit 1; }
echo "${#templates[@]} templates pass cfn-lint (no errors)"

section "cdk-ts: tsc, offline synth, cfn-lint, same resources as the CloudFormation output"
NODE_DIR="$ROOT/tests/toolchecks/node"
if [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] || ! cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.dharma-lock"; then
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.dharma-lock)
fi
synthesized=()
for d in "$OUT"/*/cdk-ts; do
  ln -sfn "$NODE_DIR/node_modules" "$d/node_modules"
  (cd "$d" && node_modules/.bin/tsc -p . && CDK_OUTDIR=cdk.out node bin/app.js >/dev/null 2>cdk.log) ||
    { cat "$d/cdk.log" >&2 2>/dev/null; echo "CDK app failed: $d" >&2; exit 1; }
  t=$(ls "$d"/cdk.out/*.template.json)
  synthesized+=("$t")
  python3 - "$t" "$(dirname "$d")/cloudformation/template.json" <<'PY'
import json, sys
def norm(path, cdk):
    t = json.load(open(path))
    t.pop("AWSTemplateFormatVersion", None)
    t.setdefault("Resources", {})
    for r in t.get("Resources", {}).values():
        if cdk:
            r.pop("Metadata", None)
        tags = r.get("Properties", {}).get("Tags")
        if isinstance(tags, list):
            tags.sort(key=lambda x: json.dumps(x, sort_keys=True))
    return t
a, b = norm(sys.argv[1], True), norm(sys.argv[2], False)
if a != b:
    for k in sorted(set(a.get("Resources", {})) | set(b.get("Resources", {}))):
        if a.get("Resources", {}).get(k) != b.get("Resources", {}).get(k):
            print("DIFFERS", k, json.dumps(a.get("Resources", {}).get(k))[:300], json.dumps(b.get("Resources", {}).get(k))[:300])
    print("synthesized CDK template differs from the CloudFormation output:", sys.argv[1]); sys.exit(1)
print(f"{sys.argv[1]}: {len(a.get('Resources', {}))} resources, identical to the CloudFormation output")
PY
done
"$VENV/bin/cfn-lint" --format parseable --non-zero-exit-code error -- "${synthesized[@]}" ||
  { echo "cfn-lint found errors in synthesized CDK templates" >&2; exit 1; }
echo "${#synthesized[@]} CDK apps type-check, synthesize and pass cfn-lint"

section "pulumi-ts: tsc against @pulumi/*, offline run under setMocks, same resources as pulumi-yaml"
t0=$SECONDS
PULUMI_SRC="$ROOT/tests/toolchecks/pulumi"
PULUMI_NODE="$CACHE/pulumi-node"
if ! cmp -s "$PULUMI_SRC/package-lock.json" "$PULUMI_NODE/node_modules/.dharma-lock"; then
  rm -rf "$PULUMI_NODE" && mkdir -p "$PULUMI_NODE"
  cp "$PULUMI_SRC/package.json" "$PULUMI_SRC/package-lock.json" "$PULUMI_NODE/"
  (cd "$PULUMI_NODE" && npm ci --no-audit --no-fund --loglevel=error) &&
    cp "$PULUMI_SRC/package-lock.json" "$PULUMI_NODE/node_modules/.dharma-lock"
  echo "installed the pinned @pulumi/* packages in $(( SECONDS - t0 ))s"
fi
ln -sfn "$PULUMI_NODE/node_modules" "$OUT/node_modules"
programs=()
pairs=()
for bp in "${blueprints[@]}"; do
  name=$(basename "${bp%.*}")
  [ -d "$OUT/$name/pulumi-ts" ] || continue
  programs+=("$name")
  pairs+=("$name" "$bp")
done
[ "${#programs[@]}" -gt 0 ] || { echo "no pulumi-ts program was generated" >&2; exit 1; }
# One compilation for all programs (the @pulumi/* declarations are read once), with the compiler
# options of the generated tsconfig.json.
python3 - "$OUT" "${programs[@]}" >"$OUT/tsconfig.pulumi.json" <<'PY'
import json, sys
out, names = sys.argv[1], sys.argv[2:]
print(json.dumps({"extends": f"./{names[0]}/pulumi-ts/tsconfig.json",
                  "compilerOptions": {"outDir": "pulumi-js", "rootDir": "."},
                  "files": [f"./{n}/pulumi-ts/index.ts" for n in names]}))
PY
"$PULUMI_NODE/node_modules/.bin/tsc" -p "$OUT/tsconfig.pulumi.json" || { echo "pulumi-ts programs do not type-check" >&2; exit 1; }
echo "${#programs[@]} programs type-check ($(( SECONDS - t0 ))s so far)"
printf '%s\0' "${pairs[@]}" | xargs -0 -n2 -P2 sh -c 'y="$1/$2/pulumi-yaml/Pulumi.yaml"; [ -f "$y" ] || y=-
  exec node "$0/run-mocks.js" "$1/pulumi-js/$2/pulumi-ts/index.js" "$y" "$3" "$1/$2.pulumi-outputs.json"' \
  "$PULUMI_SRC" "$OUT" ||
  { echo "a pulumi-ts program failed under mocks" >&2; exit 1; }
python3 - "$OUT/strings.pulumi-outputs.json" "$ROOT/tests/toolchecks/strings.expected.json" <<'PY'
import json, sys
got, expected = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = [(k, expected[k], got.get(k)) for k in expected if got.get(k) != expected[k]]
for b in bad: print("MISMATCH pulumi-ts", *b)
if bad: sys.exit(1)
print(f"pulumi-ts: {len(expected)} outputs equal the blueprint's strings")
PY
echo "pulumi-ts checks took $(( SECONDS - t0 ))s"
