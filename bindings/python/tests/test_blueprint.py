"""Blueprint constructors, attributes and round trips."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import iac_dharma as dharma

from conftest import EXAMPLES

EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".json", ".yaml", ".yml"))


def test_from_yaml_attributes(small_text: str) -> None:
    bp = dharma.Blueprint.from_yaml(small_text)
    assert (bp.name, bp.version, bp.provider, bp.region) == ("web-app", "1.2.0", "aws", "us-east-1")
    assert bp.description == "A VPC with one public subnet and a web server"
    assert bp.tags == {"Owner": "platform", "Environment": "prod"}
    assert [r.name for r in bp.resources] == ["main", "public_a", "web"]
    main = bp.resources[0]
    assert (main.type, main.address, main.count, main.taggable) == ("aws_vpc", "aws_vpc.main", 1, True)
    assert main.tags == {"Environment": "prod", "Owner": "platform"}
    assert bp.resources[2].count == 2
    assert bp.resources[1].properties == {"cidr_block": "10.0.1.0/24", "vpc_id": "${main.id}"}
    assert bp.warnings == []
    assert repr(bp) == "<Blueprint web-app 1.2.0 aws/us-east-1, 3 resources>"


def test_from_json_from_text_and_from_dict_agree(small_text: str) -> None:
    bp = dharma.Blueprint.from_yaml(small_text)
    doc = bp.to_dict()
    for other in (
        dharma.Blueprint.from_json(json.dumps(doc)),
        dharma.Blueprint.from_text(json.dumps(doc)),
        dharma.Blueprint.from_text(small_text),
        dharma.Blueprint.from_text(small_text, "yaml"),
        dharma.Blueprint.from_dict(doc),
    ):
        assert other.to_dict() == doc


def test_to_dict_is_the_document_as_written(small_text: str) -> None:
    doc = dharma.Blueprint.from_yaml(small_text).to_dict()
    assert doc["version"] == "v1.2.0"  # as written; `version` the attribute is normalized
    assert doc["resources"][0]["type"] == "vpc"  # the alias, not the resolved type
    assert doc["resources"][2]["count"] == 2


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_examples_round_trip(path: Path) -> None:
    bp = dharma.Blueprint.from_file(path)
    doc = bp.to_dict()
    assert dharma.Blueprint.from_dict(doc).to_dict() == doc
    assert dharma.Blueprint.from_json(bp.to_json()).to_dict() == doc
    assert dharma.Blueprint.from_yaml(bp.to_yaml()).to_dict() == doc
    assert pickle.loads(pickle.dumps(bp)).to_dict() == doc
    assert dharma.Blueprint.from_file(str(path)).to_dict() == doc  # str paths too


def test_from_dict_accepts_tuples_decimals_and_mappings(small_text: str) -> None:
    from decimal import Decimal
    from types import MappingProxyType

    doc = dharma.Blueprint.from_yaml(small_text).to_dict()
    doc["resources"][2]["usage"] = MappingProxyType({"monthly_hours": Decimal("365")})
    doc["resources"] = tuple(doc["resources"])
    bp = dharma.Blueprint.from_dict(doc)
    assert bp.to_dict()["resources"][2]["usage"] == {"monthly_hours": 365}


def test_from_dict_rejects_values_without_json_form(small_text: str) -> None:
    doc = dharma.Blueprint.from_yaml(small_text).to_dict()
    doc["resources"][1]["properties"]["cidr_block"] = {1, 2}
    with pytest.raises(dharma.InvalidInputError) as info:
        dharma.Blueprint.from_dict(doc)
    assert info.value.path == "resources[1].properties.cidr_block"
    doc["resources"][1]["properties"]["cidr_block"] = float("nan")
    with pytest.raises(dharma.InvalidInputError):
        dharma.Blueprint.from_dict(doc)
    with pytest.raises(dharma.InvalidInputError, match="mapping"):
        dharma.Blueprint.from_dict([doc])  # type: ignore[arg-type]
    doc["resources"][1]["properties"]["cidr_block"] = "10.0.1.0/24"
    with pytest.raises(dharma.InvalidInputError, match="key"):
        dharma.Blueprint.from_dict({**doc, 3: "x"})  # type: ignore[dict-item]


def test_from_dict_shape_error_has_the_path(small_text: str) -> None:
    doc = dharma.Blueprint.from_yaml(small_text).to_dict()
    doc["resources"][2]["count"] = "two"
    with pytest.raises(dharma.ParseError) as info:
        dharma.Blueprint.from_dict(doc)
    assert (info.value.code, info.value.path) == ("invalid_structure", "resources[2].count")


def test_from_file_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(FileNotFoundError) as not_found:
        dharma.Blueprint.from_file(missing)
    # As open() raises it: the errno and the file name are there for the caller.
    assert (not_found.value.errno, not_found.value.filename) == (2, str(missing))
    with pytest.raises(IsADirectoryError):
        dharma.Blueprint.from_file(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-l\nresources: []\n")
    with pytest.raises(dharma.CheckError) as info:
        dharma.Blueprint.from_file(broken)
    assert info.value.file == str(broken)
    assert str(info.value).startswith(f"{broken}: ")
    assert (info.value.code, info.value.path, info.value.suggestion) == ("unknown_region", "region", "us-east-1")


def test_schema() -> None:
    schema = dharma.schema()
    assert schema["title"] == "IAC Dharma blueprint"
    assert "resources" in schema["properties"]


def test_blueprint_is_immutable(small_text: str) -> None:
    bp = dharma.Blueprint.from_yaml(small_text)
    with pytest.raises(AttributeError):
        bp.name = "other"  # type: ignore[misc]
