"""Each verb through the Python API: generate, estimate (Decimal money, budgets, usage, catalogs),
cost_diff, graph and blast radius."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import iac_dharma as dharma


@pytest.fixture
def bp(small_text: str) -> dharma.Blueprint:
    return dharma.Blueprint.from_yaml(small_text)


# --- generate ----------------------------------------------------------------------------------------


def test_generate_terraform(bp: dharma.Blueprint) -> None:
    files = bp.generate("terraform")
    assert list(files) == ["main.tf", "providers.tf"]  # no variables or outputs: no such files
    assert 'resource "aws_vpc" "main"' in files["main.tf"]
    assert "vpc_id" in files["main.tf"] and "aws_vpc.main.id" in files["main.tf"]


@pytest.mark.parametrize("fmt", ["terraform-json", "cloudformation", "cloudformation-yaml", "cdk-ts"])
def test_generate_other_formats(small_text: str, fmt: str) -> None:
    # CloudFormation has no root_block_device (it needs the AMI's root device name).
    bp = dharma.Blueprint.from_yaml(small_text.replace("root_block_device", "ebs_optimized: true\n      #"))
    files = bp.generate(fmt)
    assert files and all(isinstance(k, str) and isinstance(v, str) and v for k, v in files.items())
    assert list(files) == sorted(files)


def test_output_formats() -> None:
    assert dharma.output_formats()[:2] == ["terraform", "terraform-json"]
    assert "cdk-ts" in dharma.output_formats()


def test_generate_unknown_format_suggests(bp: dharma.Blueprint) -> None:
    with pytest.raises(dharma.InvalidInputError) as info:
        bp.generate("terraform-hcl")
    assert info.value.code == "unknown_format"
    assert isinstance(info.value, ValueError)


def test_generate_unmapped_property_has_the_path(bp: dharma.Blueprint) -> None:
    with pytest.raises(dharma.GenerateError) as info:
        bp.generate("cloudformation")
    assert (info.value.code, info.value.path) == ("unmapped_property", "resources[2].properties.root_block_device")


def test_generate_unsupported_provider() -> None:
    azure = dharma.Blueprint.from_yaml(
        "name: demo\nversion: 1.0.0\nprovider: azure\nregion: westeurope\nresources:\n"
        "  - {type: azurerm_resource_group, name: rg, properties: {name: rg, location: westeurope}}\n"
    )
    with pytest.raises(dharma.GenerateError) as info:
        azure.generate("cloudformation")
    assert (info.value.code, info.value.path) == ("unsupported_provider", "provider")
    assert "main.tf" in azure.generate("terraform")


def test_generate_with_templates(bp: dharma.Blueprint) -> None:
    extra = {"terraform/README.md.tera": "# {{ blueprint.name }}\n"}
    assert bp.generate("terraform", templates=extra)["README.md"] == "# web-app\n"
    ts = dharma.TemplateSet(extra)
    assert "terraform/README.md.tera" in ts.names and "terraform/main.tf.tera" in ts.names
    assert bp.generate("terraform", templates=ts)["README.md"] == "# web-app\n"
    assert "README.md" not in bp.generate("terraform")


def test_template_errors(bp: dharma.Blueprint) -> None:
    with pytest.raises(dharma.GenerateError) as info:
        dharma.TemplateSet({"terraform/main.tf.tera": "{% if %}"})
    assert info.value.code == "template_error"
    with pytest.raises(dharma.InvalidInputError):
        bp.generate("terraform", templates=["not", "a", "dict"])  # type: ignore[arg-type]


# --- estimate ----------------------------------------------------------------------------------------


def test_estimate_money_is_decimal(bp: dharma.Blueprint) -> None:
    est = bp.estimate()
    assert isinstance(est, dharma.CostEstimate)
    assert isinstance(est.total_monthly, Decimal)
    web = est.resource("web")
    assert web is not None and web.status == "priced"
    compute = web.line_items[0]
    assert (compute.quantity, compute.unit_price) == (Decimal("1460"), Decimal("0.0104"))  # 2 x 730 h
    assert compute.monthly == Decimal("15.184")
    assert est.resource("main") is not None and est.resource("main").status == "free"  # type: ignore[union-attr]
    assert est.resource("nope") is None
    assert est.total_monthly == sum((r.monthly for r in est.resources), Decimal(0))
    assert est.budget is None and est.warnings == []
    assert est.summary.resources == 3 and est.confidence.level in ("high", "medium", "low")
    assert isinstance(est.confidence.score, Decimal)
    assert est.catalog.rows > 100


def test_estimate_to_dict_and_to_json(bp: dharma.Blueprint) -> None:
    est = bp.estimate()
    d = est.to_dict()
    assert isinstance(d["total_monthly"], Decimal)
    assert isinstance(d["resources"][2]["line_items"][0]["unit_price"], Decimal)
    j = json.loads(est.to_json())
    assert j["total_monthly"] == str(est.total_monthly)  # the engine's decimal string
    assert json.loads(est.to_json(indent=2)) == j
    assert dharma.CostEstimate(j) == est  # a record over the same data
    assert est == bp.estimate()


@pytest.mark.parametrize("budget", [Decimal("10.50"), "10.50", 10.5, 10])
def test_estimate_budget_kinds(bp: dharma.Blueprint, budget: object) -> None:
    est = bp.estimate(budget=budget)  # type: ignore[arg-type]
    assert est.budget is not None and est.budget.status == "over"
    assert est.budget.limit == Decimal(str(budget))
    assert est.budget.overrun == est.total_monthly - Decimal(str(budget))
    assert est.budget.headroom is None


@pytest.mark.parametrize("budget", [True, "ten", [1], float("nan")])
def test_estimate_bad_budget(bp: dharma.Blueprint, budget: object) -> None:
    with pytest.raises(dharma.InvalidInputError) as info:
        bp.estimate(budget=budget)  # type: ignore[arg-type]
    assert info.value.path == "budget"


def test_estimate_usage_dict_and_text(bp: dharma.Blueprint) -> None:
    usage = {"resource_usage": {"web": {"monthly_hours": 365}}}
    by_dict = bp.estimate(usage=usage)
    by_yaml = bp.estimate(usage="resource_usage:\n  web: {monthly_hours: 365}\n")
    by_json = bp.estimate(usage=json.dumps(usage))
    assert by_dict == by_yaml == by_json
    web = by_dict.resource("web")
    assert web is not None
    assert web.line_items[0].quantity == Decimal(730)  # 2 instances x 365 h
    assert web.line_items[0].usage_source == "usage_file"


def test_estimate_bad_usage(bp: dharma.Blueprint) -> None:
    with pytest.raises(dharma.PricingError) as info:
        bp.estimate(usage={"resource_usage": {"web": {"monthly_hours": -1}}})
    assert (info.value.code, info.value.path) == ("invalid_usage", "resource_usage.web.monthly_hours")


def test_estimate_warnings_are_findings() -> None:
    bp = dharma.Blueprint.from_yaml(
        "name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-west-1\nresources:\n"
        "  - {type: aws_instance, name: web, properties: {ami: a, instance_type: t3.micro}}\n"
    )
    est = bp.estimate()
    assert [(w.code, w.path, w.severity) for w in est.warnings] == [("no_prices_for_region", "region", "warning")]
    assert all(isinstance(w, dharma.Finding) for w in est.warnings)


def test_price_catalog(bp: dharma.Blueprint) -> None:
    builtin = dharma.PriceCatalog.builtin()
    assert len(builtin) == builtin.info.rows > 100
    row = builtin.lookup("aws", "us-east-1", "ec2/t3.micro")
    assert row is not None and row.price_usd == Decimal("0.0104") and row.unit == "hour"
    assert builtin.lookup("aws", "us-east-1", "ec2/nope") is None
    mine = dharma.PriceCatalog.from_csv(
        "provider,region,service,sku,unit,price_usd,purchase,source,date\n"
        "aws,us-east-1,AmazonEC2,ec2/t3.micro,hour,0.0090,on_demand,our negotiated rate,2026-11-01\n"
    )
    assert len(mine) == 1
    combined = builtin.extend(mine)
    assert len(combined) == len(builtin)  # replaced, not added
    est = bp.estimate(catalog=combined)
    web = est.resource("web")
    assert web is not None and web.line_items[0].unit_price == Decimal("0.0090")
    assert bp.estimate(catalog=builtin) == bp.estimate()
    as_json = dharma.PriceCatalog.from_json(json.dumps([json.loads(row.to_json())]))
    assert len(as_json) == 1
    with pytest.raises(dharma.InvalidInputError):
        builtin.lookup("aws2", "us-east-1", "ec2/t3.micro")


def test_price_catalog_errors() -> None:
    with pytest.raises(dharma.PricingError) as info:
        dharma.PriceCatalog.from_csv(
            "provider,region,service,sku,unit,price_usd,purchase,source,date\n"
            "aws,us-east-1,AmazonEC2,ec2/t3.micro,hour,cheap,on_demand,x,2026-11-01\n"
        )
    assert info.value.code == "invalid_price_catalog"


def test_cost_diff(bp: dharma.Blueprint) -> None:
    doc = bp.to_dict()
    doc["resources"][2]["properties"]["instance_type"] = "t3.small"
    new = dharma.Blueprint.from_dict(doc)
    diff = dharma.cost_diff(bp, new)
    assert diff.delta_monthly == Decimal("15.184")  # 2 x (0.0208 - 0.0104) x 730
    assert diff.new_total - diff.old_total == diff.delta_monthly
    changed = [r for r in diff.resources if r.change == "changed"]
    assert [r.address for r in changed] == ["aws_instance.web"]


# --- graph ---------------------------------------------------------------------------------------------


def test_graph(bp: dharma.Blueprint) -> None:
    g = bp.graph()
    assert isinstance(g, dharma.Graph)
    assert g.waves == [["main"], ["public_a"], ["web"]]
    assert g.order == ["main", "public_a", "web"]
    assert [(e.resource, e.depends_on, e.kind) for e in g.edges] == [
        ("public_a", "main", "reference"),
        ("web", "public_a", "reference"),
    ]
    assert [(r.name, r.wave, r.depends_on) for r in g.resources] == [
        ("main", 0, []),
        ("public_a", 1, ["main"]),
        ("web", 2, ["public_a"]),
    ]
    assert '"aws_subnet.public_a" -> "aws_vpc.main"' in bp.graph("dot")
    assert bp.graph("mermaid").startswith("flowchart")
    with pytest.raises(dharma.InvalidInputError) as info:
        bp.graph("svg")
    assert info.value.path == "format"


def test_blast_radius(bp: dharma.Blueprint) -> None:
    assert bp.blast_radius("main") == ["public_a", "web"]
    assert bp.blast_radius("web") == []
    with pytest.raises(dharma.InvalidInputError) as info:
        bp.blast_radius("mian")
    assert info.value.suggestion == "main"
