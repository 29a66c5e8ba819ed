#!/usr/bin/env python3
"""Cross-checks of the built-in policies against other engines (run by scripts/test.d/30-policy-tools.sh).

  opa       the built-in Rego run unchanged under OPA (`opa eval`) gives the same findings as
            `dharma validate` on the example blueprints' plan JSON, the Checkov fixture, a
            synthetic blueprint and the real plans in tests/fixtures/plans.
  checkov   on tests/fixtures/checkov/aws.yaml (generated to Terraform with `dharma generate`),
            every dharma check with Checkov equivalents fails on the same resources as those
            Checkov checks, except the differences listed in expected-differences.yaml.
  timing    whole-process times of dharma, opa and checkov on the same plan JSON (printed).
"""
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DHARMA = os.environ.get("DHARMA", os.path.join(ROOT, "target/release/dharma"))
SYNTHETIC = os.environ.get("SYNTHETIC", os.path.join(ROOT, "target/release/synthetic"))
OPA = os.environ.get("OPA", os.path.join(ROOT, ".cache/bin/opa"))
CHECKOV = os.environ.get("CHECKOV", os.path.join(ROOT, ".cache/checkov-venv/bin/checkov"))
TODAY = "2026-06-01"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def dharma_findings(path):
    out = run([DHARMA, "validate", path, "--format", "json", "--today", TODAY])
    if out.returncode not in (0, 1):
        sys.exit(f"dharma validate {path} failed: {out.stderr}")
    report = json.loads(out.stdout)
    found = set()
    for f in report["findings"]:
        status = f["waiver"]["original_status"] if f["status"] == "waived" else f["status"]
        found.add((f["id"], f["address"], f["path"], status))
    return report, found


def opa_findings(plan_path):
    out = run([OPA, "eval", "-f", "json", "-d", os.path.join(ROOT, "policies"), "--ignore", "*.yaml",
               "-i", plan_path, "data.dharma.findings"])
    if out.returncode != 0:
        sys.exit(f"opa eval on {plan_path} failed: {out.stdout}{out.stderr}")
    value = json.loads(out.stdout)["result"][0]["expressions"][0]["value"]
    return {(f["id"], f["address"], f["path"], f["status"]) for f in value}


def emit_input(blueprint, dest):
    out = run([DHARMA, "validate", blueprint, "--emit-input"])
    if out.returncode != 0:
        sys.exit(f"--emit-input {blueprint} failed: {out.stderr}")
    with open(dest, "w") as f:
        f.write(out.stdout)


def check_opa(tmp):
    cases = []
    blueprints = sorted(glob.glob(os.path.join(ROOT, "examples/blueprints/*.yaml")) +
                        glob.glob(os.path.join(ROOT, "examples/blueprints/*.json")))
    blueprints.append(os.path.join(ROOT, "tests/fixtures/checkov/aws.yaml"))
    synthetic = os.path.join(tmp, "synthetic-1000.json")
    with open(synthetic, "w") as f:
        f.write(run([SYNTHETIC, "1000"]).stdout)
    blueprints.append(synthetic)
    for bp in blueprints:
        plan = os.path.join(tmp, os.path.basename(bp) + ".plan.json")
        emit_input(bp, plan)
        cases.append((bp, plan))
    for plan in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/plans/*.json"))):
        cases.append((plan, plan))
    problems = 0
    for source, plan in cases:
        _, ours = dharma_findings(source)
        # The rendered plan is itself valid dharma input: same findings either way.
        if plan != source:
            _, from_plan = dharma_findings(plan)
            if from_plan != ours:
                problems += 1
                print(f"  DIFF dharma blueprint vs its plan JSON: {os.path.relpath(source, ROOT)}")
        theirs = opa_findings(plan)
        name = os.path.relpath(source, ROOT) if source.startswith(ROOT) else os.path.basename(source)
        if ours == theirs:
            print(f"  same {len(ours):4d} findings: {name}")
        else:
            problems += 1
            print(f"  DIFF {name}: only dharma {sorted(ours - theirs)[:5]} only opa {sorted(theirs - ours)[:5]}")
    return problems


def load_yaml_list(path):
    # The differences file is a flat list of string maps; parse it without a YAML dependency by
    # asking dharma's own YAML reader through `python -c`-free means: it is simple enough.
    items, cur = [], None
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("- "):
            cur = {}
            items.append(cur)
            line = line[2:]
        key, _, value = line.strip().partition(": ")
        cur[key] = value
    return items


def check_checkov(tmp):
    fixture = os.path.join(ROOT, "tests/fixtures/checkov/aws.yaml")
    tf = os.path.join(tmp, "tf")
    out = run([DHARMA, "generate", fixture, "--format", "terraform", "-o", tf])
    if out.returncode != 0:
        sys.exit(f"dharma generate failed: {out.stderr}")
    out = run([CHECKOV, "-d", tf, "--framework", "terraform", "--quiet", "--compact", "--skip-download", "-o", "json"])
    data = json.loads(out.stdout)
    if isinstance(data, list):
        data = data[0]
    failed = {}
    for c in data["results"]["failed_checks"]:
        failed.setdefault(c["check_id"], set()).add(c["resource"])
    report, _ = dharma_findings(fixture)
    catalog = {}
    for f in report["findings"]:
        catalog[f["id"]] = f.get("checkov", [])
    for c in report["checks"]:
        catalog.setdefault(c["id"], None)
    # Checkov ids of every built-in check (from the metadata, through a report on the fixture).
    meta = {}
    for path in glob.glob(os.path.join(ROOT, "policies/**/*.yaml"), recursive=True):
        cur = None
        for line in open(path):
            s = line.strip()
            if s.startswith("- id: "):
                cur = s[6:]
                meta[cur] = []
            elif s.startswith("checkov: [") and cur:
                meta[cur] = [x.strip() for x in s[10:-1].split(",") if x.strip()]
    dharma_fail = {}
    for f in report["findings"]:
        status = f["waiver"]["original_status"] if f["status"] == "waived" else f["status"]
        if status == "fail":
            dharma_fail.setdefault(f["id"], set()).add(f["address"])
    expected = {(d["check"], d["address"], d["only_in"]) for d in load_yaml_list(
        os.path.join(ROOT, "tests/fixtures/checkov/expected-differences.yaml"))}
    seen, problems, compared = set(), 0, 0
    applicable = {c["id"] for c in report["checks"]}
    for check, ids in sorted(meta.items()):
        if not ids or check not in applicable:
            continue
        compared += 1
        ours = dharma_fail.get(check, set())
        theirs = set().union(*(failed.get(i, set()) for i in ids))
        for addr in sorted(ours - theirs):
            seen.add((check, addr, "dharma"))
        for addr in sorted(theirs - ours):
            seen.add((check, addr, "checkov"))
        status = "same" if ours == theirs else "diff"
        print(f"  {status} {check:24s} {'+'.join(ids):24s} dharma={sorted(ours)} checkov={sorted(theirs)}")
    for d in sorted(seen - expected):
        problems += 1
        print(f"  UNEXPECTED difference {d}")
    for d in sorted(expected - seen):
        problems += 1
        print(f"  listed difference no longer occurs: {d}")
    print(f"  {compared} checks compared with Checkov {data['summary'].get('checkov_version')}; "
          f"{len(seen)} known differences")
    return problems


def timing(tmp):
    rows = []
    plan_1k = os.path.join(tmp, "synthetic-1000.json.plan.json")
    terragoat = os.path.join(ROOT, "tests/fixtures/plans/terragoat-aws.tfplan.json")
    for label, plan in [("terragoat plan (55 resources)", terragoat), ("synthetic plan (1,084 resources)", plan_1k)]:
        tools = [
            ("dharma validate", [DHARMA, "validate", plan, "--format", "json"]),
            ("opa eval", [OPA, "eval", "-f", "json", "-d", os.path.join(ROOT, "policies"), "--ignore", "*.yaml", "-i", plan, "data.dharma.findings"]),
            ("checkov -f", [CHECKOV, "-f", plan, "--framework", "terraform_plan", "--quiet", "--compact", "--skip-download", "-o", "json"]),
        ]
        for tool, cmd in tools:
            runs = int(os.environ.get("TIMING_RUNS", "3"))
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                out = run(cmd)
                times.append(time.perf_counter() - t)
                if out.returncode not in (0, 1) or not out.stdout.strip():
                    sys.exit(f"{tool} on {plan} failed: {out.stderr[-500:]}")
            rows.append((label, tool, statistics.median(times), min(times)))
    print(f"  {'input':34s} {'tool':16s} {'median':>9s} {'min':>9s}")
    for label, tool, med, mn in rows:
        print(f"  {label:34s} {tool:16s} {med*1000:8.0f}ms {mn*1000:8.0f}ms")


def main():
    what = sys.argv[1:] or ["opa", "checkov", "timing"]
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        # opa also writes the inputs the timing uses.
        if "opa" in what or "timing" in what:
            print("== OPA parity (built-in policies under opa eval)")
            problems += check_opa(tmp)
        if "checkov" in what:
            print("== Checkov comparison")
            problems += check_checkov(tmp)
        if "timing" in what:
            print("== whole-process times")
            timing(tmp)
    if problems:
        sys.exit(f"{problems} problem(s)")
    print("policy parity: ok")


if __name__ == "__main__":
    main()
