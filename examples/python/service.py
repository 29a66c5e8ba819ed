"""A small FastAPI service exposing the engine over HTTP, the way the platform's services do.

    pip install ./bindings/python fastapi uvicorn
    uvicorn --app-dir examples/python service:app --port 8000

Endpoints (every body is JSON; ``blueprint`` is a blueprint object, or its YAML/JSON text):

    POST /api/blueprints/validate   {"blueprint", "fail_on"?, "variables"?, "today"?}
                                                                            -> the guardrail report
    POST /api/blueprints/estimate   {"blueprint", "usage"?, "budget"?}      -> the cost estimate
    POST /api/blueprints/generate   {"blueprint", "format": "terraform"}    -> {"files": {path: text}}
    POST /api/blueprints/plan       {"old", "new"}                          -> the ordered change plan
                                                                               and its version bump
    POST /api/blueprints/graph      {"blueprint"}                           -> waves, order, edges
    POST /api/blueprints/cost-diff  {"old", "new", "usage"?, "budget"?}     -> the cost difference

Bad input answers 400 with the engine's located error: ``{"kind", "message", "findings":
[{"code", "path", "location", "message", "suggestion"...}]}``; an engine bug answers 500.

A validation that finds failing guardrails is still a 200: the report's ``passed`` says whether
the blueprint may be deployed (400 is for input the engine cannot read).

The engine calls release the GIL, and FastAPI runs these (synchronous) handlers on its thread
pool, so concurrent requests are served on every core. The price catalog and the built-in policy
set are loaded once and shared by every request.
"""

from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI, Request
from fastapi.responses import JSONResponse, Response

import iac_dharma as dharma

app = FastAPI(title="IAC Dharma", version=dharma.__version__)
CATALOG = dharma.PriceCatalog.builtin()
POLICIES = dharma.PolicySet.builtin()

BlueprintInput = dict[str, Any] | str


def json_response(text: str) -> Response:
    """The engine's own JSON (money as exact decimal strings), sent as is."""
    return Response(content=text, media_type="application/json")


def load(blueprint: BlueprintInput) -> dharma.Blueprint:
    if isinstance(blueprint, str):
        return dharma.Blueprint.from_text(blueprint)
    return dharma.Blueprint.from_dict(blueprint)


@app.exception_handler(dharma.DharmaError)
def engine_error(_: Request, error: dharma.DharmaError) -> JSONResponse:
    status = 500 if isinstance(error, dharma.InternalError) else 400
    return JSONResponse(status_code=status, content=error.to_dict())


@app.post("/api/blueprints/validate")
def validate(
    blueprint: BlueprintInput = Body(),
    fail_on: str = Body("low"),
    variables: dict[str, Any] | None = Body(None),
    today: str | None = Body(None),
) -> Response:
    report = load(blueprint).validate(
        policies=POLICIES, fail_on=fail_on, variables=variables, today=today
    )
    return json_response(report.to_json())


@app.post("/api/blueprints/generate")
def generate(
    blueprint: BlueprintInput = Body(), format: str = Body("terraform")
) -> dict[str, dict[str, str]]:
    return {"files": load(blueprint).generate(format)}


@app.post("/api/blueprints/estimate")
def estimate(
    blueprint: BlueprintInput = Body(),
    usage: dict[str, Any] | str | None = Body(None),
    budget: str | int | float | None = Body(None),
) -> Response:
    est = load(blueprint).estimate(usage=usage, budget=budget, catalog=CATALOG)
    return json_response(est.to_json())


@app.post("/api/blueprints/plan")
def plan(old: BlueprintInput = Body(), new: BlueprintInput = Body()) -> Response:
    deployed, proposed = load(old), load(new)
    plan = deployed.plan_diff(proposed)
    bump = deployed.version_bump(proposed)
    # The plan's own JSON with the version bump the change needs, without re-encoding the plan.
    return json_response(f'{{"version_bump":"{bump}","plan":{plan.to_json()}}}')


@app.post("/api/blueprints/graph")
def graph(blueprint: BlueprintInput = Body(embed=True)) -> Response:
    return json_response(load(blueprint).graph().to_json())


@app.post("/api/blueprints/cost-diff")
def cost_diff(
    old: BlueprintInput = Body(),
    new: BlueprintInput = Body(),
    usage: dict[str, Any] | str | None = Body(None),
    budget: str | int | float | None = Body(None),
) -> Response:
    diff = dharma.cost_diff(load(old), load(new), usage=usage, budget=budget, catalog=CATALOG)
    return json_response(diff.to_json())


@app.get("/api/health")
def health() -> dict[str, Any]:
    return {"status": "ok", "version": dharma.__version__, "formats": dharma.output_formats()}
