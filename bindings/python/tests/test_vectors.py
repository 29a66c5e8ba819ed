"""Runs every shared case of tests/vectors/ (see its README) through the Python API and compares
the outcome with `expect` the way the reference runner (core/tests/vectors.rs) does: results as a
subset, errors by kind (and exception class), then every error finding's code and path (and
suggestion and line where given). A case whose `call` this runner does not know fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

import iac_dharma as dharma

from conftest import ROOT, VECTORS

CASES = sorted(VECTORS.rglob("*.json"))

# The exception class of each error kind.
ERROR_CLASSES: dict[str, type[dharma.DharmaError]] = {
    "parse": dharma.ParseError,
    "check": dharma.CheckError,
    "generate": dharma.GenerateError,
    "policy": dharma.PolicyError,
    "pricing": dharma.PricingError,
    "plan": dharma.PlanError,
    "limit": dharma.LimitError,
    "invalid_input": dharma.InvalidInputError,
}


def load_blueprint(case: dict[str, Any], prefix: str = "") -> dharma.Blueprint:
    """The case's blueprint, read the way the reference runner reads it."""
    if f"{prefix}blueprint" in case:
        return dharma.Blueprint.from_json(json.dumps(case[f"{prefix}blueprint"]))
    if f"{prefix}blueprint_text" in case:
        text = case[f"{prefix}blueprint_text"]
        if case.get(f"{prefix}blueprint_format") == "yaml":
            return dharma.Blueprint.from_yaml(text)
        return dharma.Blueprint.from_json(text)
    if f"{prefix}blueprint_file" in case:
        return dharma.Blueprint.from_file(ROOT / case[f"{prefix}blueprint_file"])
    raise AssertionError("the case has no blueprint")


def error_outcome(e: dharma.DharmaError) -> dict[str, Any]:
    assert isinstance(e, ERROR_CLASSES[e.kind]), f"{type(e).__name__} for kind {e.kind}"
    findings = []
    for f in e.errors:
        out: dict[str, Any] = {"code": f.code, "path": f.path}
        if f.suggestion is not None:
            out["suggestion"] = f.suggestion
        if f.location is not None:
            out["line"] = f.location.line
        findings.append(out)
    return {"error": {"kind": e.kind, "findings": findings}}


# --- one function per call -------------------------------------------------------------------------


def run_check(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    resources = bp.resources
    return {
        "types": {r.name: r.type for r in resources},
        "warnings": [{"code": w.code, "path": w.path} for w in bp.warnings],
        "tags": {r.name: r.tags for r in resources},
    }


def run_graph(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    g = bp.graph()
    return {
        "waves": g.waves,
        "order": g.order,
        "edges": [{"resource": e.resource, "depends_on": e.depends_on, "kind": e.kind} for e in g.edges],
        "blast_radius": {name: bp.blast_radius(name) for name in case.get("args", {}).get("blast_radius", [])},
    }


def estimate_kwargs(args: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if "usage" in args:
        kwargs["usage"] = args["usage"]
    if "budget" in args:
        kwargs["budget"] = args["budget"]  # a string or a number, as the case gives it
    if "prices" in args:
        kwargs["catalog"] = dharma.PriceCatalog.builtin().extend(dharma.PriceCatalog.from_csv(args["prices"]))
    return kwargs


def run_estimate(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    est = bp.estimate(**estimate_kwargs(case.get("args", {})))
    return json.loads(est.to_json())


def run_cost_diff(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    args = case.get("args", {})
    new = dharma.Blueprint.from_json(json.dumps(args["new_blueprint"]))
    return json.loads(dharma.cost_diff(bp, new, **estimate_kwargs(args)).to_json())


def run_generate(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    files = bp.generate(case["args"]["format"])
    expected = case["expect"].get("result", {}).get("contains", {})
    contains = {path: [s for s in subs if s in files.get(path, "")] for path, subs in expected.items()}
    return {"files": sorted(files), "text": files, "contains": contains}


def policy_set(args: dict[str, Any]) -> dharma.PolicySet:
    """The case's policies, as the reference runner builds them."""
    return dharma.PolicySet(
        rego={p["name"]: p["rego"] for p in args.get("policies", [])},
        builtin=not args.get("no_builtin", False),
        settings=args.get("settings"),
        time_limit_ms=args.get("time_limit_ms"),
    )


def validate_kwargs(args: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"today": args.get("today", "2026-06-01")}
    if "fail_on" in args:
        kwargs["fail_on"] = args["fail_on"]
    if "variables" in args:
        kwargs["variables"] = args["variables"]
    return kwargs


def report_outcome(report: dharma.Report, args: dict[str, Any]) -> dict[str, Any]:
    only = args.get("check")
    return {
        "passed": report.passed,
        "counts": report.counts.to_dict(),
        "findings": [
            {"id": f.id, "address": f.address, "path": f.path, "status": f.status, "severity": f.severity}
            for f in report.findings
            if only is None or f.id == only
        ],
        "waivers": [{"address": w.address, "id": w.id, "state": w.state} for w in report.waivers],
    }


def run_validate(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    args = case.get("args", {})
    return report_outcome(bp.validate(policy_set(args), **validate_kwargs(args)), args)


def run_validate_plan(case: dict[str, Any]) -> dict[str, Any]:
    args = case.get("args", {})
    plan: str | dict[str, Any]
    if "plan_file" in args:
        plan = (ROOT / args["plan_file"]).read_text()
    elif "plan_text" in args:
        plan = args["plan_text"]
    else:
        plan = args["plan"]  # the dict form
    policies = policy_set(args)
    report = dharma.validate_plan(plan, policies, waivers=args.get("waivers"), **validate_kwargs(args))
    return report_outcome(report, args)


def new_blueprint(case: dict[str, Any]) -> dharma.Blueprint:
    return dharma.Blueprint.from_json(json.dumps(case["args"]["new_blueprint"]))


def run_plan_diff(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    return json.loads(bp.plan_diff(new_blueprint(case)).to_json())


def run_version_bump(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    new = new_blueprint(case)
    check = bp.check_version(new)
    assert bp.version_bump(new) == check.required
    return {"bump": check.required, "minimum": check.minimum, "ok": check.ok}


def run_drift(bp: dharma.Blueprint, case: dict[str, Any]) -> dict[str, Any]:
    text = (ROOT / case["args"]["state_file"]).read_text()
    report = bp.drift(text)
    return json.loads(report.to_json())


CALLS: dict[str, Callable[[dharma.Blueprint, dict[str, Any]], dict[str, Any]]] = {
    "check": run_check,
    "graph": run_graph,
    "estimate": run_estimate,
    "cost_diff": run_cost_diff,
    "generate": run_generate,
    "validate": run_validate,
    "plan_diff": run_plan_diff,
    "version_bump": run_version_bump,
    "drift": run_drift,
}


def run(case: dict[str, Any]) -> dict[str, Any]:
    call = case["call"]
    if call == "validate_plan":
        try:
            return {"result": run_validate_plan(case)}
        except dharma.DharmaError as e:
            return error_outcome(e)
    if call not in CALLS:
        pytest.fail(f"unknown call `{call}`: add it to bindings/python/tests/test_vectors.py")
    try:
        bp = load_blueprint(case)
        return {"result": CALLS[call](bp, case)}
    except dharma.DharmaError as e:
        return error_outcome(e)


def matches(expected: Any, actual: Any, path: str, problems: list[str]) -> None:
    """Subset comparison, as core/tests/vectors.rs `matches`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k, ev in expected.items():
            if k in actual:
                matches(ev, actual[k], f"{path}.{k}", problems)
            else:
                problems.append(f"{path}.{k}: missing (expected {json.dumps(ev)})")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            problems.append(f"{path}: expected {len(expected)} items {json.dumps(expected)}, got {len(actual)} {json.dumps(actual)}")
            return
        for i, (ev, av) in enumerate(zip(expected, actual)):
            matches(ev, av, f"{path}[{i}]", problems)
    elif not _same(expected, actual):
        problems.append(f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}")


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 == 1.0, but true != 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def test_there_are_cases() -> None:
    assert len(CASES) >= 40, f"found only {len(CASES)} cases under {VECTORS}"


@pytest.mark.parametrize("file", CASES, ids=[str(p.relative_to(VECTORS)) for p in CASES])
def test_vector(file: Path) -> None:
    case = json.loads(file.read_text())
    assert isinstance(case.get("description"), str), "no description"
    outcome = run(case)
    problems: list[str] = []
    matches(case["expect"], outcome, "expect", problems)
    assert not problems, "\n".join(problems) + f"\noutcome: {json.dumps(outcome)[:2000]}"


def has_blueprint(case: dict[str, Any]) -> bool:
    # validate_plan cases read a Terraform plan file instead of a blueprint.
    return any(k in case for k in ("blueprint", "blueprint_text", "blueprint_file"))


GOOD = [
    p
    for p in CASES
    if "result" in (case := json.loads(p.read_text()))["expect"] and has_blueprint(case)
]


@pytest.mark.parametrize("file", GOOD, ids=[str(p.relative_to(VECTORS)) for p in GOOD])
def test_vector_blueprint_round_trips_through_dict(file: Path) -> None:
    """Every vector blueprint of a passing case gives the same document back through
    to_dict/from_dict."""
    bp = load_blueprint(json.loads(file.read_text()))
    again = dharma.Blueprint.from_dict(bp.to_dict())
    assert again.to_dict() == bp.to_dict()
    assert again.to_json() == bp.to_json()
    assert [r.to_dict() for r in again.resources] == [r.to_dict() for r in bp.resources]
