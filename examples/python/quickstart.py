"""Quickstart: one blueprint through every verb of the Python package.

    pip install ./bindings/python
    python examples/python/quickstart.py [examples/blueprints/aws-three-tier-web.yaml]

Typed: `mypy --strict examples/python/quickstart.py` checks it against the package's stubs (the
test suite does).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import iac_dharma as dharma

EXAMPLE = Path(__file__).resolve().parents[1] / "blueprints" / "aws-three-tier-web.yaml"


def main(path: Path) -> int:
    try:
        bp = dharma.Blueprint.from_file(path)  # parse + check, once
    except dharma.DharmaError as e:
        for f in e.errors:
            where = f"{f.location.line}:{f.location.column}" if f.location else f.path
            hint = f" (did you mean `{f.suggestion}`?)" if f.suggestion else ""
            print(f"{path}: {where}: {f.message}{hint} [{f.code}]", file=sys.stderr)
        return 2

    print(f"{bp.name} {bp.version}: {len(bp.resources)} resources on {bp.provider}/{bp.region}")

    # The dependency graph: what can be created in parallel, and what a change can break.
    graph = bp.graph()
    print(f"{len(graph.waves)} waves; first: {', '.join(graph.waves[0])}")
    first = bp.resources[0].name
    print(f"changing {first} touches {len(bp.blast_radius(first))} resources")

    # Infrastructure code, as {path: text}.
    files: dict[str, str] = bp.generate("terraform")
    print("terraform:", ", ".join(f"{name} ({len(text.splitlines())} lines)" for name, text in files.items()))

    # Monthly cost: exact Decimal amounts, never floats.
    est = bp.estimate(budget=Decimal("2500"))
    total: Decimal = est.total_monthly
    print(f"estimate: ${total:.2f}/month, {est.summary.priced} priced, {est.summary.unpriced} unpriced")
    if est.budget is not None:
        print(f"budget {est.budget.limit}: {est.budget.status}")
    for opt in est.optimizations[:3]:
        print(f"  save ${opt.monthly_savings:.2f}/month: {opt.title} ({opt.address})")

    # Guardrails: the built-in checks, compiled once and reusable from any thread.
    policies = dharma.PolicySet.builtin()
    report = bp.validate(policies, fail_on="high")
    print(f"validate: {'passed' if report.passed else 'failed'}; {report.counts.critical} critical, {report.counts.high} high")
    for finding in [f for f in report.findings if f.status == "fail"][:3]:
        print(f"  [{finding.severity}] {finding.id} {finding.address}: {finding.message}")

    # A change: the plan, the version it needs, and the pipeline's decision.
    bigger = dharma.Blueprint.from_dict({**bp.to_dict(), "version": "99.0.0"})
    plan = bp.plan_diff(bigger)
    print(f"plan: {plan.summary.add} to add, {plan.summary.change} to change; bump {bp.version_bump(bigger)}")
    run = bigger.run_pipeline(previous=bp, policies=policies, approval={"environment": "staging"})
    print(f"pipeline: {run.decision.status} ({len(run.decision.reasons)} reasons)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLE))
