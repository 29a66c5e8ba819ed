#!/usr/bin/env python3
"""Turn Terraform provider argument schemas into the engine's compact schema files.

Input: the JSON argument tables extracted from the `.jsii` manifests of the npm packages
`@cdktf/provider-aws@21.22.1` (hashicorp/aws 6.25.0), `@cdktf/provider-azurerm@14.23.1`
(hashicorp/azurerm 4.55.0) and `@cdktf/provider-google@16.12.1` (hashicorp/google 6.50.0):
`{"resources": {type: {argument: {"required": bool, "type": T}}}}` where T is a primitive name,
`{"block": {...}}`, `{"array": T}` / `{"map": T}`, or the strings "array<...>" / "map<...>".

Output (one file per provider, `catalog/schemas/terraform-<provider>.schema`), one line per argument:

    @aws_vpc                      a resource type
    cidr_block s                  argument, type code
    tags m(s)                     map of strings
    ingress L                     list of nested blocks; its arguments follow, indented one space
     from_port n!                 `!` marks a required argument

Type codes: s string, n number, b bool, a any (type not recorded), l(T) list/set, m(T) map,
B a single nested block, L a list of nested blocks.

A last line ` ~ arn dns_name ...` lists the attributes the provider computes and a configuration
cannot set (what `${res.arn}` may reference besides the arguments). They come from the same cdktf
packages, unpacked (see scripts/data/catalog_facts.py: a getter without setter in the resource class).

Usage: extract_schemas.py SRC_DIR DEST_DIR [CDKTF_DIR]
  SRC_DIR holds terraform-{aws,azurerm,google}.json.gz; CDKTF_DIR holds the unpacked npm packages
  as aws/, azurerm/, google/ (without it, no computed-attribute lines are written).
"""
import ast
import gzip
import json
import re
import sys
from pathlib import Path

PRIMS = {"string": "s", "number": "n", "boolean": "b", "any": "a"}
PROVIDERS = {"aws": "hashicorp/aws 6.25.0 via npm @cdktf/provider-aws@21.22.1",
             "azurerm": "hashicorp/azurerm 4.55.0 via npm @cdktf/provider-azurerm@14.23.1",
             "google": "hashicorp/google 6.50.0 via npm @cdktf/provider-google@16.12.1"}
stats = {"unknown_type": 0}


def parse_type(t):
    """Normalise the three spellings of a type into ('prim', code) | ('list', T) | ('map', T) | ('block', dict)."""
    if isinstance(t, dict):
        if "block" in t:
            return ("block", t["block"])
        if "array" in t:
            return ("list", parse_type(t["array"]))
        if "map" in t:
            return ("map", parse_type(t["map"]))
        raise ValueError(f"unknown type dict {t!r}")
    if t in PRIMS:
        return ("prim", PRIMS[t])
    for kind in ("array", "map"):
        if t.startswith(kind + "<") and t.endswith(">"):
            inner = t[len(kind) + 1:-1]
            inner = ast.literal_eval(inner) if inner.startswith("{") else inner
            return ("list" if kind == "array" else "map", parse_type(inner))
    # an unresolved jsii reference (a handful in the google package): the type is not recorded
    stats["unknown_type"] += 1
    return ("prim", "a")


def code(pt):
    kind, inner = pt
    if kind == "prim":
        return inner
    if kind == "block":
        return "B"
    if kind == "list":
        return "L" if inner[0] == "block" else f"l({code(inner)})"
    if kind == "map":
        return "m(a)" if inner[0] == "block" else f"m({code(inner)})"
    raise ValueError(pt)


def snake(name):
    """Terraform argument names are snake_case. A few entries of the source tables (google
    `portRange`, `matchMode`) carry the camelCase spelling of the cdktf docs anchor instead."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def emit_args(args, depth, out):
    for name in sorted(args, key=snake):
        spec = args[name]
        pt = parse_type(spec["type"])
        c = code(pt)
        out.append(" " * depth + f"{snake(name)} {c}{'!' if spec.get('required') else ''}")
        if c == "B":
            emit_args(pt[1], depth + 1, out)
        elif c == "L":
            emit_args(pt[1][1], depth + 1, out)


def computed_lists(cdktf_dir, provider):
    """{type: [computed attribute, ...]} from the unpacked cdktf package, or {} without one."""
    if cdktf_dir is None:
        return {}
    import os
    os.environ["CDKTF_DIR"] = str(cdktf_dir)
    sys.path.insert(0, str(Path(__file__).parent))
    import catalog_facts
    short = {"aws": "aws", "azurerm": "azure", "google": "gcp"}[provider]
    classes = catalog_facts.binding_classes(short)
    out = {}
    for rtype in classes:
        try:
            attrs = [a for a in catalog_facts.computed_attributes(short, rtype) if not a.startswith("?")]
        except (KeyError, ValueError):
            continue
        out[rtype] = sorted(set(attrs) | {"id"})
    return out


def main(src, dest, cdktf_dir=None):
    dest.mkdir(parents=True, exist_ok=True)
    for provider, origin in PROVIDERS.items():
        data = json.load(gzip.open(src / f"terraform-{provider}.json.gz"))
        out = [f"# Terraform resource arguments of {origin}.",
               "# Generated by scripts/data/extract_schemas.py; format described there. Do not edit by hand."]
        computed = computed_lists(cdktf_dir, provider)
        for rtype in sorted(data["resources"]):
            out.append("@" + rtype)
            emit_args(data["resources"][rtype], 1, out)
            args = {snake(a) for a in data["resources"][rtype]}
            if rtype in computed:
                # Written even when empty: "known to compute nothing else" differs from "unknown".
                extra = [a for a in computed[rtype] if a not in args]
                out.append(" ~ " + " ".join(extra) if extra else " ~")
        (dest / f"terraform-{provider}.schema").write_text("\n".join(out) + "\n")
        print(provider, len(data["resources"]), "types", sum(len(l) + 1 for l in out), "bytes")
    print("arguments of unrecorded type:", stats["unknown_type"])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None)
