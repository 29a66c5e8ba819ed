"""Result objects hold the engine's own result until they are read: one field read alone, the whole
result written as JSON once, and every way of reading gives the same values as a record built from
the engine's JSON."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest

import iac_dharma as dharma

from conftest import ROOT

STATE = {"format_version": "1.0", "values": {"root_module": {"resources": []}}}


def results(small_text: str) -> list[dharma.Record]:
    bp = dharma.Blueprint.from_yaml(small_text)
    bigger = dharma.Blueprint.from_yaml(small_text.replace("t3.micro", "m6i.large").replace("v1.2.0", "v1.3.0"))
    return [
        bp.estimate(budget="10"),
        bp.estimate(),
        bp.validate(today="2026-01-01"),
        bp.graph(),
        dharma.cost_diff(bp, bigger),
        bp.check_version(bigger),
        bp.drift(STATE),
    ]


def fields(record: dharma.Record) -> list[str]:
    return sorted(type(record)._fields_converters())


def test_field_values_match_a_record_built_from_json(small_text: str) -> None:
    checked = 0
    for i, record in enumerate(results(small_text)):
        whole = type(record)(json.loads(record.to_json()))
        for name in fields(record):
            # A fresh record for each field: the field is written and parsed alone.
            fresh = results(small_text)[i]
            assert getattr(fresh, name) == getattr(whole, name), (type(record).__name__, name)
            if not isinstance(record, dharma.Graph):  # the engine's graph is a JSON value, read whole
                assert fresh._raw is None, "reading one field wrote the whole result"
            checked += 1
    assert checked > 40


def test_a_field_read_twice_is_parsed_once(small_text: str) -> None:
    est = dharma.Blueprint.from_yaml(small_text).estimate()
    first = est.resources
    assert est.resources == first and est.resources is not first  # copies of one parsed value
    assert est._picked is not None and list(est._picked) == ["resources"]
    est.to_dict()  # the whole result: the picked fields are let go
    assert est._picked is None and est._native is None and est._raw is not None


def test_whole_result_readers_agree(small_text: str) -> None:
    for i, record in enumerate(results(small_text)):
        text = record.to_json()
        again = results(small_text)[i]
        assert again.to_dict() == type(record)(json.loads(text)).to_dict()
        assert again == record and repr(again) == repr(record)
        assert pickle.loads(pickle.dumps(results(small_text)[i])) == record


def test_first_reads_from_many_threads(synthetic_text: str) -> None:
    bp = dharma.Blueprint.from_json(synthetic_text)
    expected = bp.estimate().to_json()
    for _ in range(3):
        est = bp.estimate()

        def read(i: int) -> Any:
            return est.to_json() if i % 2 else json.dumps(est.summary.to_dict(), sort_keys=True)

        with ThreadPoolExecutor(max_workers=8) as pool:
            out = list(pool.map(read, range(16)))
        assert all(o == expected for o in out[1::2])
        assert len(set(out[0::2])) == 1


@pytest.mark.parametrize("name", ["total_monthly", "budget", "warnings"])
def test_absent_and_present_fields(small_text: str, name: str) -> None:
    est = dharma.Blueprint.from_yaml(small_text).estimate()
    whole = dharma.CostEstimate(json.loads(est.to_json()))
    assert getattr(dharma.Blueprint.from_yaml(small_text).estimate(), name) == getattr(whole, name)


def slow_plain(record: dharma.Record) -> dict[str, Any]:
    """What to_dict() means: every present field read as an attribute, then made plain."""

    def plain(value: Any) -> Any:
        if isinstance(value, dharma.Record):
            return slow_plain(value)
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {name: plain(getattr(record, name)) if name in type(record)._fields_converters() else plain(value)
            for name, value in record._fields().items()}


def test_to_dict_is_every_field_read_and_made_plain(small_text: str, synthetic_text: str) -> None:
    records = results(small_text) + [dharma.Blueprint.from_json(synthetic_text).estimate(budget=100)]
    for record in records:
        expected = slow_plain(type(record)(json.loads(record.to_json())))
        assert record.to_dict() == expected
        assert type(record)(json.loads(record.to_json())).to_dict() == expected  # from a dict
    est = records[-1].to_dict()
    assert isinstance(est["total_monthly"], Decimal) and isinstance(est["budget"]["limit"], Decimal)
    priced = next(r for r in est["resources"] if r["line_items"])
    assert isinstance(priced["line_items"][0]["unit_price"], Decimal)
    # A copy: changing it changes neither the record nor the next to_dict().
    est["resources"].clear()
    assert records[-1].to_dict()["resources"]


STATE_DIR = ROOT / "tests" / "fixtures" / "state"


def test_values_read_from_a_record_are_copies() -> None:
    bp = dharma.Blueprint.from_file(STATE_DIR / "aws-web.blueprint.yaml")
    report = bp.drift((STATE_DIR / "aws-web.tfstate").read_text())
    change = report.changed[0].changes[0]
    change.expected.append("changed by the caller")
    assert report.changed[0].changes[0].expected[-1] != "changed by the caller"
    assert report.to_dict() == dharma.Blueprint.from_file(STATE_DIR / "aws-web.blueprint.yaml").drift(
        (STATE_DIR / "aws-web.tfstate").read_text()
    ).to_dict()


def test_every_plan_field_the_repr_shows_can_be_read(small_text: str) -> None:
    bp = dharma.Blueprint.from_yaml(small_text)
    newer = dharma.Blueprint.from_yaml(small_text.replace("10.0.1.0/24", "10.0.2.0/24"))
    plan = bp.plan_diff(newer)
    assert plan.format_version == "1.0"
    assert plan.before["version"] == plan.after["version"]
    assert plan.document_changes[0]["path"] == "resources.public_a.properties.cidr_block"
    subnet = next(c for c in plan.resource_changes if c.address == "aws_subnet.public_a")
    assert (subnet.mode, subnet.type, subnet.name) == ("managed", "aws_subnet", "public_a")
    assert subnet.provider_name == "registry.terraform.io/hashicorp/aws"
    assert subnet.replace_reasons and subnet.depends_on == ["aws_vpc.main"]
    for record in [plan, *plan.resource_changes]:
        for name in record.to_dict():
            getattr(record, name)
