"""The exception hierarchy: one class per error kind under DharmaError, each carrying the code,
the path/location and every finding; panics reach Python only as InternalError."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import threading
from decimal import Decimal
from typing import Any
from pathlib import Path

import pytest

import iac_dharma as dharma
from iac_dharma import exceptions

BASE = "name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\n"


def test_hierarchy() -> None:
    classes = [
        dharma.ParseError,
        dharma.CheckError,
        dharma.GenerateError,
        dharma.PolicyError,
        dharma.PricingError,
        dharma.PlanError,
        dharma.LimitError,
        dharma.InvalidInputError,
        dharma.InternalError,
    ]
    for cls in classes:
        assert issubclass(cls, dharma.DharmaError) and issubclass(cls, Exception)
        assert getattr(exceptions, cls.__name__) is cls
    assert issubclass(dharma.InvalidInputError, ValueError)
    assert [c.kind for c in classes] == [
        "parse", "check", "generate", "policy", "pricing", "plan", "limit", "invalid_input", "internal",
    ]


def test_parse_error_yaml_location() -> None:
    with pytest.raises(dharma.ParseError) as info:
        dharma.Blueprint.from_yaml(BASE + "resources:\n  - type: vpc\n   name: x\n")
    e = info.value
    assert (e.kind, e.code) == ("parse", "yaml_syntax")
    assert e.location is not None and e.location.line == 7
    assert e.findings[0].location == e.location


def test_parse_error_json_location() -> None:
    with pytest.raises(dharma.ParseError) as info:
        dharma.Blueprint.from_json('{"name": "demo",\n "version": }')
    assert info.value.code == "json_syntax"
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 13)


def test_check_error_lists_every_finding() -> None:
    text = (
        "name: x!\nversion: 1.0.0\nprovider: aws\nregion: us-east-l\nresources:\n"
        "  - {type: vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}\n"
        "  - {type: aws_subnet, name: a, properties: {vpc_id: '${mian.id}', cidr_block: 10.0.1.0/24}}\n"
    )
    with pytest.raises(dharma.CheckError) as info:
        dharma.Blueprint.from_yaml(text)
    e = info.value
    assert [(f.code, f.path, f.suggestion) for f in e.errors] == [
        ("invalid_name", "name", None),
        ("unknown_region", "region", "us-east-1"),
        ("unknown_reference", "resources[1].properties.vpc_id", "${main.id}"),
    ]
    assert (e.code, e.path, e.suggestion) == ("invalid_name", "name", None)
    assert "(and 2 more)" in str(e)
    assert e.to_dict()["findings"][1] == {
        "code": "unknown_region",
        "severity": "error",
        "path": "region",
        "message": e.findings[1].message,
        "suggestion": "us-east-1",
    }


def test_generate_pricing_invalid_input_errors() -> None:
    bp = dharma.Blueprint.from_yaml(BASE + "resources:\n  - {type: vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}\n")
    with pytest.raises(dharma.GenerateError):
        bp.generate("arm")  # an Azure format
    with pytest.raises(dharma.PricingError):
        bp.estimate(usage="resource_usage: [1, 2]\n")
    with pytest.raises(dharma.InvalidInputError):
        bp.generate("hcl")
    with pytest.raises(dharma.InvalidInputError):
        dharma.Blueprint.from_text("{}", "toml")  # type: ignore[arg-type]


def test_limit_error_for_deep_input() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    doc = {"name": "demo", "version": "1.0.0", "provider": "aws", "region": "us-east-1",
           "resources": [{"type": "vpc", "name": "main", "properties": {"tags": deep}}]}
    with pytest.raises(dharma.LimitError) as info:
        dharma.Blueprint.from_dict(doc)
    assert info.value.code == "limit_exceeded"
    assert info.value.path.startswith("resources[0].properties.tags.x.x")


def test_exceptions_pickle() -> None:
    with pytest.raises(dharma.CheckError) as info:
        dharma.Blueprint.from_yaml(BASE.replace("us-east-1", "us-east-l") + "resources: []\n")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is dharma.CheckError
    assert (again.code, again.path, again.suggestion, str(again)) == (
        info.value.code, info.value.path, info.value.suggestion, str(info.value))


# --- panics --------------------------------------------------------------------------------------------
# `_panic_for_testing` panics inside the boundary; it does so only when IAC_DHARMA_TEST_PANIC=1
# (which only these tests set), so it is inert in normal use.


@pytest.fixture
def panics_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAC_DHARMA_TEST_PANIC", "1")


def test_panic_hook_is_inert_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IAC_DHARMA_TEST_PANIC", raising=False)
    with pytest.raises(dharma.InvalidInputError, match="disabled"):
        dharma._iac_dharma._panic_for_testing("boom")


@pytest.mark.parametrize("where", ["engine", "binding"])
def test_panic_becomes_internal_error(panics_enabled: None, where: str) -> None:
    with pytest.raises(dharma.InternalError) as info:
        dharma._iac_dharma._panic_for_testing("boom", where)
    e = info.value
    assert (e.kind, e.code, e.path) == ("internal", "internal_error", "")
    assert "boom" in str(e) and "lib.rs:" in str(e)  # the message and where it happened
    assert isinstance(e, dharma.DharmaError)


def test_panic_is_not_a_panic_exception(panics_enabled: None) -> None:
    # pyo3's PanicException derives from BaseException, so `except Exception` would miss it.
    try:
        dharma._iac_dharma._panic_for_testing("boom")
    except Exception as e:  # noqa: BLE001 - the point of the test
        assert type(e).__name__ == "InternalError"
    else:
        pytest.fail("no exception")


def test_engine_still_works_after_panics(panics_enabled: None, small_text: str) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        for _ in range(20):
            try:
                dharma._iac_dharma._panic_for_testing("boom")
            except dharma.InternalError:
                pass
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
            dharma.Blueprint.from_yaml(small_text).estimate()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert dharma.Blueprint.from_yaml(small_text).estimate().total_monthly > 0


def test_panic_in_a_fresh_interpreter_prints_and_raises() -> None:
    """Seen from a user's process: the panic message on stderr, an InternalError in Python, and the
    process carries on."""
    code = (
        "import iac_dharma as d\n"
        "try:\n    d._iac_dharma._panic_for_testing('kaboom')\n"
        "except d.InternalError as e:\n    print('caught', e.code)\n"
        "print('alive')\n"
    )
    env = {**os.environ, "IAC_DHARMA_TEST_PANIC": "1", "RUST_BACKTRACE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["caught", "internal_error", "alive"]
    assert "kaboom" in out.stderr


def test_state_and_money_arguments_are_read_exactly_or_refused() -> None:
    state_dir = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "state"
    bp = dharma.Blueprint.from_file(state_dir / "aws-web.blueprint.yaml")
    text = (state_dir / "aws-web.tfstate").read_text()
    # A lone surrogate is refused, not turned into U+FFFD.
    with pytest.raises(dharma.InvalidInputError) as bad_text:
        bp.drift(text.replace('"t3.large"', '"t3.large\ud800"', 1))
    assert "lone surrogate" in str(bad_text.value)
    # A dict's errors have their path, but no line:column in JSON text the caller never wrote.
    state = json.loads(text)
    state["resources"][0]["instances"] = "oops"
    with pytest.raises(dharma.ParseError) as bad_state:
        bp.drift(state)
    assert bad_state.value.location is None
    assert bad_state.value.path == "resources[0].instances"
    # A budget with a 29th digit is not rounded into another verdict.
    with pytest.raises(dharma.InvalidInputError) as bad_budget:
        bp.estimate(budget=Decimal("8.39199999999999999999999999999"))
    assert bad_budget.value.path == "budget"


def test_an_exception_raised_by_the_callers_own_mapping_is_raised_as_it_is() -> None:
    from collections.abc import Mapping

    class Interrupted(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise KeyboardInterrupt

        def __iter__(self) -> Any:
            return iter(["a"])

        def __len__(self) -> int:
            return 1

    base = {"name": "demo-app", "version": "1.0.0", "provider": "aws", "region": "us-east-1", "resources": []}
    bp = dharma.Blueprint.from_dict(base)
    # A Ctrl-C while the engine reads the caller's value stays a KeyboardInterrupt.
    with pytest.raises(KeyboardInterrupt):
        dharma.Blueprint.from_dict({**base, "metadata": Interrupted()})
    with pytest.raises(KeyboardInterrupt):
        bp.estimate(usage=Interrupted())
    # A value of the wrong shape is still the caller's invalid input, at its path.
    with pytest.raises(dharma.InvalidInputError) as bad:
        dharma.Blueprint.from_dict({**base, "metadata": {"x": object()}})
    assert bad.value.path == "metadata.x"
