#!/usr/bin/env python3
"""Writes the small seed corpora of the fuzz targets into fuzz/corpus/<target>/ from the shared
test vectors, the example blueprints and the plan/state fixtures. Run from anywhere; the seeds
are committed, so this only needs re-running when the sources change. libFuzzer's own finds go
to a scratch corpus (scripts/fuzz.sh), never here."""
import glob
import json
import os
import shutil

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")
FORMATS = ["terraform", "terraform-json", "cloudformation", "cloudformation-yaml", "arm",
           "pulumi-yaml", "pulumi-ts", "cdk-ts"]  # OutputFormat::ALL order


def vectors(kind):
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", kind, "*.json"))):
        with open(path) as f:
            yield os.path.basename(path)[:-5], json.load(f)


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def write(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def minified(path):
    with open(path) as f:
        return compact(json.load(f))


shutil.rmtree(OUT, ignore_errors=True)
for kind in ("check", "graph", "generate"):
    for name, v in vectors(kind):
        if isinstance(v.get("blueprint"), dict):
            write("parse_json", f"{kind}-{name}", compact(v["blueprint"]))
        if kind == "check" and isinstance(v.get("blueprint"), str):
            # malformed-text cases: the raw text, for both readers
            write("parse_json", f"text-{name}", v["blueprint"].encode())
            write("parse_yaml", f"text-{name}", v["blueprint"].encode())
for name, v in vectors("check"):
    if isinstance(v.get("blueprint"), dict) and len(compact(v["blueprint"])) < 1500:
        write("parse_yaml", name, yaml.safe_dump(v["blueprint"], sort_keys=False).encode())
for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "state", "*.blueprint.yaml"))):
    with open(path, "rb") as f:
        write("parse_yaml", os.path.basename(path), f.read())
for name, v in vectors("generate"):
    fmt = (v.get("args") or {}).get("format")
    if fmt in FORMATS and isinstance(v.get("blueprint"), dict) and (
            "basic" in name or "escapes" in name or "tags-merged" in name):
        write("generate", name, bytes([FORMATS.index(fmt)]) + compact(v["blueprint"]))
for name, v in vectors("validate"):
    if isinstance(v.get("blueprint"), dict):
        write("validate", name, compact(v["blueprint"]))
for name, v in vectors("estimate"):
    if isinstance(v.get("blueprint"), dict):
        write("estimate", name, compact(v["blueprint"]))
for name, v in vectors("plan"):
    new = (v.get("args") or {}).get("new_blueprint")
    if isinstance(v.get("blueprint"), dict) and isinstance(new, dict):
        write("plan_diff", name, compact(v["blueprint"]) + b"\0" + compact(new))
for name, v in vectors("validate"):
    plan = (v.get("args") or {}).get("plan")
    if isinstance(plan, dict):
        write("tf_plan", name, compact(plan))
for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "plans", "*.tfplan.json"))):
    data = minified(path)
    if len(data) < 20000:
        write("tf_plan", os.path.basename(path), data)
for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "state", "*"))):
    if path.endswith((".tfstate", ".show.json")):
        try:
            data = minified(path)
        except json.JSONDecodeError:  # the truncated fixture, kept as it is
            with open(path, "rb") as f:
                data = f.read()
        write("tf_state", os.path.basename(path), data)

# A handful per target: keep every n-th seed (by name) of the larger sets.
MAX_SEEDS = 16
for target in sorted(os.listdir(OUT)):
    names = sorted(os.listdir(os.path.join(OUT, target)))
    if len(names) > MAX_SEEDS:
        keep = set(names[:: -(-len(names) // MAX_SEEDS)])
        for name in names:
            if name not in keep:
                os.remove(os.path.join(OUT, target, name))

# Dictionaries: words the inputs are made of, so mutations build valid documents sooner.
def dictionary(path, header, words, raw):
    lines = [f"# {header}", "# Written by fuzz/make_seeds.py."]
    seen = set()

    def esc(s):
        return "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else f"\\x{ord(c):02x}"
                       for c in s)

    for w in words:
        for form in (w, f'"{w}"'):
            if form not in seen:
                seen.add(form)
                lines.append(f'"{esc(form)}"')
    for r in raw:
        if r not in seen:
            seen.add(r)
            lines.append(f'"{esc(r)}"')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


types, args = {}, {}
for kind in ("check", "generate", "validate", "estimate", "plan", "graph"):
    for _, v in vectors(kind):
        for bp in (v.get("blueprint"), (v.get("args") or {}).get("new_blueprint")):
            if not isinstance(bp, dict):
                continue
            for r in bp.get("resources") or []:
                if isinstance(r, dict):
                    types[r.get("type")] = types.get(r.get("type"), 0) + 1
                    for k in r.get("properties") or {}:
                        args[k] = args.get(k, 0) + 1
top = lambda d, n: [k for k, _ in sorted(d.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n] if k]
dictionary(
    os.path.join(ROOT, "fuzz", "blueprint.dict"),
    "Blueprint words: fields, providers, regions, types, and the resource types and arguments "
    "the test vectors use most.",
    ["name", "version", "provider", "region", "description", "tags", "metadata", "variables",
     "outputs", "resources", "type", "count", "properties", "dependencies", "usage", "lifecycle",
     "waivers", "id", "reason", "expires", "create_before_destroy", "prevent_destroy",
     "ignore_changes", "default", "sensitive", "value", "aws", "azure", "gcp", "us-east-1",
     "westeurope", "europe-west1", "string", "number", "bool", "list(string)", "map(string)",
     "any", "1.0.0"] + top(types, 40) + top(args, 60),
    ["${", "$${", "%{", ".id", ".arn", "[0]", "---\n", ": ", "- ", "&a ", "*a", "!!str ",
     "\\u0000", "1e308", "-1", "4294967296", "\":{", "\":[", "\":\"", "true", "false", "null"],
)
dictionary(
    os.path.join(ROOT, "fuzz", "terraform.dict"),
    "Terraform plan and state JSON words.",
    ["format_version", "terraform_version", "version", "serial", "lineage", "resource_changes",
     "resource_drift", "planned_values", "prior_state", "configuration", "values", "root_module",
     "child_modules", "resources", "address", "module_address", "mode", "managed", "data", "type",
     "name", "index", "provider_name", "change", "actions", "create", "update", "delete", "read",
     "no-op", "before", "after", "after_unknown", "before_sensitive", "after_sensitive",
     "replace_paths", "action_reason", "instances", "attributes", "attributes_flat",
     "schema_version", "sensitive_attributes", "status", "tainted", "deposed", "index_key",
     "outputs", "depends_on", "tags", "1.2", "0.1", "4"],
    ["true", "false", "null", "{}", "[]", "\":{", "\":[", "\":\""],
)
