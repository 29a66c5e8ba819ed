"""validate / validate_plan with PolicySet, plan_diff and version checks, drift, the deployment
pipeline and DeploymentStatus (the shared vectors cover the engine's answers; these cover the
Python surface: argument forms, result objects, errors, threads)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

import iac_dharma as dharma

from conftest import ROOT, SMALL
from test_vectors import load_blueprint

OPEN_BUCKET = """
name: files
version: 1.0.0
provider: aws
region: us-east-1
resources:
  - type: aws_s3_bucket
    name: logs
    properties: {bucket: acme-logs}
"""

DENY_T3 = """
package team.sizes

import rego.v1

deny contains msg if {
    some rc in input.resource_changes
    rc.type == "aws_instance"
    rc.change.after.instance_type == "t3.micro"
    msg := sprintf("%s: t3.micro is too small", [rc.address])
}
"""


def test_validate_with_builtin_policies() -> None:
    bp = dharma.Blueprint.from_yaml(SMALL)
    report = bp.validate(today="2026-06-01")
    assert isinstance(report, dharma.Report)
    assert report.fail_on == "low"
    assert report.input.kind == "blueprint"
    assert report.findings, "the small blueprint has findings under the built-in checks"
    failed = [f for f in report.findings if f.status == "fail"]
    assert report.passed is (not failed)
    assert report.counts.to_dict() == json.loads(report.to_json())["counts"]
    assert all(isinstance(f, dharma.PolicyFinding) and f.severity in ("low", "medium", "high", "critical") for f in report.findings)
    # fail_on=critical can only pass more.
    assert bp.validate(fail_on="critical", today="2026-06-01").counts == report.counts


def test_policy_set_user_rego_and_builtin_off() -> None:
    bp = dharma.Blueprint.from_yaml(SMALL)
    only_mine = dharma.PolicySet(rego={"sizes.rego": DENY_T3}, builtin=False)
    assert not only_mine.has_builtin
    assert only_mine.user_packages == ["team.sizes"]
    report = bp.validate(only_mine, today="2026-06-01")
    assert not report.passed
    failed = [f for f in report.findings if f.status == "fail"]
    assert failed and all(f.id == "team.sizes.deny" and "aws_instance.web" in f.message for f in failed)
    assert dharma.PolicySet.builtin().has_builtin
    assert len(dharma.PolicySet.builtin().check_ids) > 10


def test_policy_set_from_paths(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    (tmp_path / "sizes.rego").write_text(DENY_T3)
    ps = dharma.PolicySet(paths=[tmp_path], builtin=False)
    assert ps.user_packages == ["team.sizes"]


def test_bad_rego_is_a_policy_error_with_a_place() -> None:
    with pytest.raises(dharma.PolicyError) as info:
        dharma.PolicySet(rego={"broken.rego": "package x\n\ndeny contains msg if {\n"}, builtin=False)
    assert "broken.rego" in (info.value.path + str(info.value))


def test_bad_arguments_are_invalid_input() -> None:
    bp = dharma.Blueprint.from_yaml(SMALL)
    with pytest.raises(dharma.InvalidInputError) as info:
        bp.validate(fail_on="severe")
    assert info.value.path == "fail_on"
    with pytest.raises(dharma.InvalidInputError):
        bp.validate(variables=["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(dharma.InvalidInputError):
        dharma.validate_plan(42)  # type: ignore[arg-type]


def test_validate_plan_text_and_dict_agree() -> None:
    text = sorted((ROOT / "tests" / "fixtures" / "plans").glob("*.tfplan.json"))[0].read_text()
    ps = dharma.PolicySet.builtin()
    a = dharma.validate_plan(text, ps, today="2026-06-01")
    b = dharma.validate_plan(json.loads(text), ps, today="2026-06-01")
    assert a == b
    assert a.input.kind != "blueprint"
    with pytest.raises(dharma.InvalidInputError):
        dharma.validate_plan(text, waivers={"x": "not a list"})  # type: ignore[dict-item]


def test_policy_set_shared_by_threads() -> None:
    ps = dharma.PolicySet.builtin()
    bps = [dharma.Blueprint.from_yaml(SMALL), dharma.Blueprint.from_yaml(OPEN_BUCKET)] * 4
    expected = [bp.validate(ps, today="2026-06-01").to_json() for bp in bps]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda bp: bp.validate(ps, today="2026-06-01").to_json(), bps))
    assert got == expected


def test_plan_diff_version_bump_and_check() -> None:
    old = dharma.Blueprint.from_yaml(SMALL)
    new = dharma.Blueprint.from_yaml(SMALL.replace("count: 2", "count: 3"))
    plan = old.plan_diff(new)
    assert isinstance(plan, dharma.Plan)
    assert plan.summary.add == 1
    assert [c.action for c in plan.resource_changes].count("create") == 1
    assert old.version_bump(new) == "minor"
    check = old.check_version(new)
    assert (check.required, check.ok, check.minimum) == ("minor", False, "1.3.0")
    assert old.version_bump(old) == "none"
    # The plan outlives the blueprints it was computed from.
    del old, new
    assert plan.summary.add == 1


def test_plan_errors_are_plan_errors_with_a_path() -> None:
    case = json.loads((ROOT / "tests" / "vectors" / "plan" / "prevent-destroy-refuses-replacement.json").read_text())
    old = load_blueprint(case)
    new = dharma.Blueprint.from_dict(case["args"]["new_blueprint"])
    for call in (old.plan_diff, old.version_bump, old.check_version):
        with pytest.raises(dharma.PlanError) as info:
            call(new)
        assert info.value.code == case["expect"]["error"]["findings"][0]["code"]
        assert info.value.path == case["expect"]["error"]["findings"][0]["path"]


def test_drift_from_text_and_dict() -> None:
    case = json.loads((ROOT / "tests" / "vectors" / "drift" / "aws-state.json").read_text())
    bp = load_blueprint(case)
    text = (ROOT / case["args"]["state_file"]).read_text()
    a, b = bp.drift(text), bp.drift(json.loads(text))
    assert a == b and isinstance(a, dharma.DriftReport)
    assert a.has_drift == bool(a.missing or a.unmanaged or a.changed)
    with pytest.raises(dharma.ParseError) as info:
        bp.drift("{not json")
    assert info.value.code == "json_syntax" and info.value.location is not None
    with pytest.raises(dharma.InvalidInputError):
        bp.drift(42)  # type: ignore[arg-type]


def test_run_pipeline_first_deploy_and_change() -> None:
    bp = dharma.Blueprint.from_yaml(OPEN_BUCKET)
    first = bp.run_pipeline(budget="1000", approval={"environment": "dev"})
    assert isinstance(first, dharma.PipelineResult)
    assert first.decision.status in ("blocked", "needs_approval", "ready")
    assert first.plan is None and first.drift is None
    assert first.files is not None and "main.tf" in first.files
    assert isinstance(first.estimate.total_monthly, Decimal)

    renamed = dharma.Blueprint.from_yaml(OPEN_BUCKET.replace("acme-logs", "acme-logs-2").replace("1.0.0", "2.0.0"))
    run = renamed.run_pipeline(previous=bp, format="cloudformation", approval={"environment": "dev"})
    assert run.plan is not None and run.plan.summary.replace == 1
    assert run.format == "cloudformation" and run.files is not None
    assert run.decision.status != "ready"
    assert any(r.kind == "replace" for r in run.decision.reasons)
    relaxed = renamed.run_pipeline(previous=bp, approval={"environment": "dev", "on_replace": False})
    assert not any(r.kind == "replace" for r in relaxed.decision.reasons)


def test_run_pipeline_bad_arguments() -> None:
    bp = dharma.Blueprint.from_yaml(OPEN_BUCKET)
    with pytest.raises(dharma.InvalidInputError) as info:
        bp.run_pipeline(approval={"on_replac": False})
    assert info.value.path == "approval.on_replac" and info.value.suggestion == "on_replace"
    with pytest.raises(dharma.InvalidInputError):
        bp.run_pipeline(previous=bp, state="{}")
    with pytest.raises(dharma.InvalidInputError):
        bp.run_pipeline(format="terraform2")


def test_deployment_status() -> None:
    S = dharma.DeploymentStatus
    assert S.all()[0] == "queued" and "rolled_back" in S.all()
    assert S.transition("queued", "validating") == "validating"
    assert S.is_final("completed") and not S.is_final("queued")
    assert S.next_statuses("completed") == []
    with pytest.raises(dharma.InvalidInputError) as info:
        S.transition("approved", "completed")
    assert info.value.code == "illegal_transition"
    with pytest.raises(dharma.InvalidInputError) as info:
        S.transition("nowhere", "queued")
    assert info.value.code == "illegal_transition"
