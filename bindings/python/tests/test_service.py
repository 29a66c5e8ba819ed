"""The example FastAPI service (examples/python/service.py), started for real with uvicorn on a
loopback port and called over HTTP: every endpoint, and bad input answered 400 with the engine's
located error."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

import iac_dharma as dharma

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "examples" / "python"),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "service:app"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            deadline = time.monotonic() + 30
            while True:
                if server.poll() is not None:
                    pytest.fail(f"the service exited: {server.stdout.read() if server.stdout else ''}")
                try:
                    if c.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("the service did not answer within 30 s")
                time.sleep(0.1)
            yield c
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def test_health(client: httpx.Client) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["version"] == dharma.__version__
    assert "terraform" in body["formats"]


def test_validate(client: httpx.Client, small_text: str) -> None:
    r = client.post("/api/blueprints/validate", json={"blueprint": small_text, "today": "2026-01-01"})
    assert r.status_code == 200, r.text
    expected = dharma.Blueprint.from_yaml(small_text).validate(today="2026-01-01")
    assert r.text == expected.to_json()
    body = r.json()
    # Both instances of `web` fail high-severity checks: a failed validation, still a 200.
    assert body["passed"] is False
    failing = {f["address"] for f in body["findings"] if f["status"] == "fail"}
    assert {"aws_instance.web[0]", "aws_instance.web[1]"} <= failing
    # Nothing is critical: with that threshold the same findings pass.
    r = client.post("/api/blueprints/validate", json={"blueprint": small_text, "fail_on": "critical", "today": "2026-01-01"})
    assert r.status_code == 200, r.text
    assert (r.json()["passed"], r.json()["fail_on"]) == (True, "critical")
    assert r.json()["findings"] == body["findings"]


def test_validate_bad_threshold_is_400(client: httpx.Client, small_text: str) -> None:
    r = client.post("/api/blueprints/validate", json={"blueprint": small_text, "fail_on": "severe"})
    assert r.status_code == 400
    body = r.json()
    assert body["kind"] == "invalid_input"
    assert body["findings"][0]["path"] == "fail_on"


def test_plan(client: httpx.Client, small_text: str) -> None:
    new = small_text.replace("version: v1.2.0", "version: v2.0.0").replace("cidr_block: 10.0.1.0/24", "cidr_block: 10.0.2.0/24")
    r = client.post("/api/blueprints/plan", json={"old": small_text, "new": new})
    assert r.status_code == 200, r.text
    old_bp, new_bp = dharma.Blueprint.from_yaml(small_text), dharma.Blueprint.from_yaml(new)
    body = r.json()
    assert body["version_bump"] == old_bp.version_bump(new_bp)
    assert body["plan"] == json.loads(old_bp.plan_diff(new_bp).to_json())
    # A new subnet CIDR replaces the subnet: a major change.
    actions = {c["address"]: c["action"] for c in body["plan"]["resource_changes"]}
    assert actions["aws_subnet.public_a"] == "replace"
    assert body["version_bump"] == "major"
    # The same blueprint twice: nothing to do.
    r = client.post("/api/blueprints/plan", json={"old": small_text, "new": small_text})
    assert r.status_code == 200, r.text
    assert r.json()["version_bump"] == "none"
    assert r.json()["plan"]["summary"]["add"] == 0


def test_plan_bad_input_is_400_with_the_located_error(client: httpx.Client, small_text: str) -> None:
    # A blueprint that does not check, in `new`: the path of the bad argument.
    bad_new = small_text.replace("cidr_block: 10.0.1.0/24", "cidr_block: 10.0.1.0/24, cidr_blok: x")
    r = client.post("/api/blueprints/plan", json={"old": small_text, "new": bad_new})
    assert r.status_code == 400
    body = r.json()
    assert (body["kind"], body["findings"][0]["code"]) == ("check", "unknown_argument")
    assert body["findings"][0]["path"] == "resources[1].properties.cidr_blok"
    # Text that does not parse, in `old`: line and column.
    r = client.post("/api/blueprints/plan", json={"old": "name: x\nresources:\n  - {type: vpc\n", "new": small_text})
    assert r.status_code == 400
    assert r.json()["kind"] == "parse"
    assert r.json()["findings"][0]["location"]["line"] >= 3


def test_generate_from_text_and_from_object(client: httpx.Client, small_text: str) -> None:
    expected = dharma.Blueprint.from_yaml(small_text).generate("terraform")
    r = client.post("/api/blueprints/generate", json={"blueprint": small_text, "format": "terraform"})
    assert r.status_code == 200, r.text
    assert r.json() == {"files": expected}
    as_object = dharma.Blueprint.from_yaml(small_text).to_dict()
    r = client.post("/api/blueprints/generate", json={"blueprint": as_object})
    assert r.json() == {"files": expected}


def test_estimate_keeps_exact_money(client: httpx.Client, small_text: str) -> None:
    r = client.post("/api/blueprints/estimate", json={"blueprint": small_text, "budget": "10"})
    assert r.status_code == 200, r.text
    expected = dharma.Blueprint.from_yaml(small_text).estimate(budget="10")
    assert r.text == expected.to_json()
    body = json.loads(r.text, parse_float=Decimal)
    assert Decimal(body["total_monthly"]) == expected.total_monthly > 0
    assert body["budget"]["status"] == expected.budget.status if expected.budget else False


def test_graph(client: httpx.Client, small_text: str) -> None:
    r = client.post("/api/blueprints/graph", json={"blueprint": small_text})
    assert r.status_code == 200, r.text
    assert r.json()["waves"] == dharma.Blueprint.from_yaml(small_text).graph().waves


def test_cost_diff(client: httpx.Client, small_text: str) -> None:
    bigger = small_text.replace("instance_type: t3.micro", "instance_type: m6i.large")
    r = client.post("/api/blueprints/cost-diff", json={"old": small_text, "new": bigger})
    assert r.status_code == 200, r.text
    old, new = dharma.Blueprint.from_yaml(small_text), dharma.Blueprint.from_yaml(bigger)
    assert r.text == dharma.cost_diff(old, new).to_json()
    assert Decimal(r.json()["delta_monthly"]) > 0


def test_parse_error_is_400_with_line_and_column(client: httpx.Client) -> None:
    r = client.post("/api/blueprints/generate", json={"blueprint": "name: x\nresources: [\n"})
    assert r.status_code == 400
    body = r.json()
    assert body["kind"] == "parse"
    assert body["findings"][0]["location"]["line"] >= 2


def test_check_error_is_400_with_path_and_suggestion(client: httpx.Client, small_text: str) -> None:
    broken = small_text.replace("${public_a.id}", "${public_b.id}")
    r = client.post("/api/blueprints/estimate", json={"blueprint": broken})
    assert r.status_code == 400
    body = r.json()
    assert body["kind"] == "check"
    first = body["findings"][0]
    assert first["code"] == "unknown_reference"
    assert first["path"] == "resources[2].properties.subnet_id"
    assert first["suggestion"] == "${public_a.id}"


def test_bad_argument_is_400(client: httpx.Client, small_text: str) -> None:
    r = client.post("/api/blueprints/generate", json={"blueprint": small_text, "format": "terrafrom"})
    assert r.status_code == 400
    assert r.json()["kind"] == "invalid_input"
    assert r.json()["findings"][0]["suggestion"] == "terraform"
    r = client.post("/api/blueprints/estimate", json={"blueprint": small_text, "usage": {"resource_usage": {"web": {"monthly_hours": -1}}}})
    assert r.status_code == 400
    assert (r.json()["kind"], r.json()["findings"][0]["path"]) == ("pricing", "resource_usage.web.monthly_hours")


def test_request_without_a_blueprint_is_422(client: httpx.Client) -> None:
    # FastAPI's own validation, before the engine is called.
    assert client.post("/api/blueprints/graph", json={}).status_code == 422
