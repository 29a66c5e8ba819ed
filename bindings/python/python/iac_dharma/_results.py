"""Result objects: read-only views over the engine's JSON results.

Every result (``CostEstimate``, ``Report``, ``Plan``...) is a :class:`Record`: its attributes are
the fields of the engine's result, typed by the annotations below (which is also what editors and
mypy read). A verb returns the record as soon as the engine is done: the record holds the engine's
own result. Reading one field writes and parses that field alone (once: the value is kept);
``to_json()``, ``to_dict()``, ``==`` or ``repr()`` write the whole result as JSON and parse it, once.
Values are converted when an attribute is read:

* money and other exact quantities, which the engine writes as decimal strings (``"15.184"``), are
  :class:`decimal.Decimal` (never floats);
* nested objects are records of their own class, lists of them are lists of records;
* a field the engine left out (an empty list, an absent optional value) reads as ``[]``, ``{}``
  or ``None``.

``to_dict()`` converts the whole result at once (``Decimal`` for money, plain dicts and lists
for the rest); ``to_json()`` returns the engine's own JSON (money as decimal strings), ready to
send as an HTTP response. Lists and dicts read from a record are copies: changing them does not
change the record.
"""

from __future__ import annotations

import json
import typing
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Literal, TypeVar, Union

if TYPE_CHECKING:
    from ._iac_dharma import _Pending

__all__ = [
    "Record",
    "Location",
    "Finding",
    "Resource",
    "Graph",
    "GraphResource",
    "Edge",
    "CostEstimate",
    "ResourceCost",
    "LineItem",
    "UnpricedComponent",
    "EstimateSummary",
    "Confidence",
    "Optimization",
    "BudgetResult",
    "CatalogInfo",
    "PriceRow",
    "CostDiff",
    "ResourceCostDiff",
    "ReportInput",
    "ReportCounts",
    "AppliedWaiver",
    "PolicyFinding",
    "WaiverNote",
    "CheckSummary",
    "Report",
    "PlanSummary",
    "ResourceChange",
    "Plan",
    "VersionCheck",
    "DriftChange",
    "ChangedResource",
    "NotCompared",
    "DriftReport",
    "Reason",
    "Decision",
    "PipelineResult",
]

_R = TypeVar("_R", bound="Record")
_Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _plain(value: Any) -> Any:
    """A fresh plain copy: records become dicts, containers are copied, the rest is kept."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _converter(hint: Any) -> _Convert:
    """How to turn the JSON value of a field annotated ``hint`` into its Python value."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Decimal:
        return lambda v: None if v is None else Decimal(v)
    if isinstance(hint, type) and issubclass(hint, Record):
        record_class = hint
        return lambda v: None if v is None else record_class(v)
    if hint is str:
        return lambda v: "" if v is None else v
    if hint is int:
        return lambda v: 0 if v is None else v
    if hint is bool:
        return lambda v: False if v is None else v
    if origin is Union or type(hint).__name__ == "UnionType":
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            convert = _converter(inner[0])
            if convert is _identity:
                return _identity
            return lambda v: None if v is None else convert(v)
        return _identity
    if origin is list:
        item = _converter(args[0]) if args else _identity
        if item is _identity:
            return lambda v: [] if v is None else _plain(v)
        return lambda v: [] if v is None else [item(x) for x in v]
    if origin is dict:
        item = _converter(args[1]) if len(args) == 2 else _identity
        if item is _identity:
            return lambda v: {} if v is None else _plain(v)
        return lambda v: {} if v is None else {k: item(x) for k, x in v.items()}
    if origin is Literal:
        return _identity
    # `Any`: a list or dict is handed out as a fresh copy, as every other container is, so that
    # changing it does not change the record.
    return _plain


_set = object.__setattr__


def _plain_plan(hint: Any) -> _Convert | None:
    """How ``to_dict`` turns the freshly parsed JSON value of a field annotated ``hint`` into its
    plain value: what ``_plain(_converter(hint)(value))`` gives, without building records or
    copying containers (the parsed value is the caller's own). ``None`` when the value is already
    plain."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Decimal:
        return lambda v: None if v is None else Decimal(v)
    if isinstance(hint, type) and issubclass(hint, Record):
        record_class = hint
        return lambda v: None if v is None else record_class._plain_fields(v)
    if hint is str:
        return lambda v: "" if v is None else v
    if hint is int:
        return lambda v: 0 if v is None else v
    if hint is bool:
        return lambda v: False if v is None else v
    if origin is Union or type(hint).__name__ == "UnionType":
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            plan = _plain_plan(inner[0])
            if plan is None:
                return None
            return lambda v: None if v is None else plan(v)
        return None
    if origin is list:
        item = _plain_plan(args[0]) if args else None
        if item is None:
            return lambda v: [] if v is None else v
        return lambda v: [] if v is None else [item(x) for x in v]
    if origin is dict:
        value = _plain_plan(args[1]) if len(args) == 2 else None
        if value is None:
            return lambda v: {} if v is None else v
        return lambda v: {} if v is None else {k: value(x) for k, x in v.items()}
    return None


class Record:
    """Base of every result object (see the module documentation)."""

    __slots__ = ("_raw", "_data", "_native", "_picked")
    _converters: ClassVar[dict[str, _Convert]]
    _plans: ClassVar[dict[str, _Convert]]

    def __init__(self, data: dict[str, Any]) -> None:
        """Wraps the engine's result as a dict (as ``json.loads(record.to_json())`` gives)."""
        self._raw: str | None = None
        self._data: dict[str, Any] | None = data
        self._native: _Pending | None = None
        self._picked: dict[str, Any] | None = None

    @classmethod
    def _from_json(cls: type[_R], text: str) -> _R:
        """A record over engine JSON text, parsed when first read."""
        obj = cls.__new__(cls)
        _set(obj, "_raw", text)
        _set(obj, "_data", None)
        _set(obj, "_native", None)
        _set(obj, "_picked", None)
        return obj

    @classmethod
    def _from_native(cls: type[_R], native: _Pending) -> _R:
        """A record over an engine result not yet written as JSON (see the module docs)."""
        obj = cls.__new__(cls)
        _set(obj, "_raw", None)
        _set(obj, "_data", None)
        _set(obj, "_native", native)
        _set(obj, "_picked", None)
        return obj

    def _text(self) -> str | None:
        """The engine's JSON text, written from the engine's result on first use (then the
        result is let go); ``None`` for a record made from a dict."""
        raw = self._raw
        if raw is None:
            native = self._native
            if native is None:
                # Made from a dict, or another thread converted it meanwhile (it sets _raw first).
                return self._raw
            raw = native.json()
            _set(self, "_raw", raw)
            _set(self, "_native", None)
            _set(self, "_picked", None)
        return raw

    def _field(self, name: str) -> Any:
        """The JSON value of one field (``None`` when absent), without parsing the whole result
        when the record still holds the engine's own result."""
        data = self._data
        if data is None:
            native = self._native
            picked = self._picked
            if picked is not None and name in picked:
                return picked[name]
            if native is not None:
                found, text = native.field(name)
                if found:
                    value = None if text is None else json.loads(text)
                    if picked is None:
                        picked = {}
                        _set(self, "_picked", picked)
                    picked[name] = value
                    return value
            data = self._fields()
        return data.get(name)

    @classmethod
    def _list_from_json(cls: type[_R], text: str) -> list[_R]:
        return [cls(d) for d in json.loads(text)]

    @classmethod
    def _fields_converters(cls) -> dict[str, _Convert]:
        converters = cls.__dict__.get("_converters")
        if converters is None:
            hints = typing.get_type_hints(cls)
            converters = {
                name: _converter(hint)
                for name, hint in hints.items()
                if not name.startswith("_") and typing.get_origin(hint) is not ClassVar
            }
            cls._converters = converters
        return converters

    @classmethod
    def _plain_plans(cls) -> dict[str, _Convert]:
        plans = cls.__dict__.get("_plans")
        if plans is None:
            plans = {}
            for name, hint in typing.get_type_hints(cls).items():
                if name.startswith("_") or typing.get_origin(hint) is ClassVar:
                    continue
                plan = _plain_plan(hint)
                if plan is not None:
                    plans[name] = plan
            cls._plans = plans
        return plans

    @classmethod
    def _plain_fields(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Makes a freshly parsed result of this class plain, in place (see ``to_dict``)."""
        for key, plan in cls._plain_plans().items():
            if key in data:
                data[key] = plan(data[key])
        return data

    def _fields(self) -> dict[str, Any]:
        data = self._data
        if data is None:
            data = json.loads(self._text() or "{}")
            _set(self, "_data", data)
        return data

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not ordinary attributes: the result's fields.
        if name.startswith("_"):
            raise AttributeError(name)
        convert = type(self)._fields_converters().get(name)
        if convert is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return convert(self._field(name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in Record.__slots__:
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(f"{type(self).__name__} objects are read-only")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(type(self)._fields_converters()))

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain dicts and lists, money as ``decimal.Decimal``."""
        # A fresh parse of the JSON is the caller's own copy; only money and absent values of
        # typed fields need converting then.
        text = self._text()
        if text is None:
            text = json.dumps(self._fields(), default=str)
        data: dict[str, Any] = json.loads(text)
        return type(self)._plain_fields(data)

    def to_json(self, indent: int | None = None) -> str:
        """The engine's JSON for this result (money as decimal strings). Without ``indent``,
        the engine's own compact text."""
        if indent is None:
            text = self._text()
            if text is not None:
                return text
        return json.dumps(self._fields(), indent=indent, ensure_ascii=False)

    def __eq__(self, other: object) -> bool:
        # Results of different kinds are never equal, whatever their fields.
        return isinstance(other, Record) and type(other) is type(self) and (
            self._fields() == other._fields()
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        converters = type(self)._fields_converters()
        parts = []
        for key, value in self._fields().items():
            shown = converters.get(key, _identity)(value)
            if isinstance(shown, list):
                parts.append(f"{key}=<{len(shown)} items>")
            elif isinstance(shown, dict):
                parts.append(f"{key}=<{len(shown)} keys>")
            else:
                parts.append(f"{key}={shown!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self)._from_json, (self.to_json(),))


# --- findings (errors and warnings) -------------------------------------------------------------


class Location(Record):
    """A line and column in a source text, both starting at 1."""

    __slots__ = ()
    line: int
    column: int


class Finding(Record):
    """One problem found in an input: a stable ``code``, where it is (``path``, e.g.
    ``resources[3].properties.vpc_id``, and for syntax errors ``location``), a message and,
    when one is close, a ``suggestion`` ("did you mean")."""

    __slots__ = ()
    code: str
    severity: Literal["error", "warning"]
    path: str
    message: str
    location: Location | None
    suggestion: str | None


# --- the checked blueprint and its graph ----------------------------------------------------------


class Resource(Record):
    """A resource of a checked blueprint, with what the check resolved."""

    __slots__ = ()
    name: str
    type: str
    """The Terraform type, aliases resolved (``vpc`` -> ``aws_vpc``)."""
    address: str
    """``type.name``."""
    count: int
    taggable: bool
    tag_argument: str | None
    """The argument holding the tags (``tags``, ``labels``, ...), when taggable."""
    tags: dict[str, Any]
    """The tags it gets: the blueprint's tags merged with its own (``{}`` when untaggable)."""
    properties: dict[str, Any]
    dependencies: list[str]
    description: str | None


class GraphResource(Record):
    """A resource in the dependency graph."""

    __slots__ = ()
    name: str
    type: str
    address: str
    wave: int | None
    """The wave it is created in (0 first)."""
    depends_on: list[str]


class Edge(Record):
    """``resource`` depends on ``depends_on``: by a reference, an explicit dependency, or both."""

    __slots__ = ()
    resource: str
    depends_on: str
    kind: Literal["reference", "explicit", "both"]


class Graph(Record):
    """The dependency graph of a blueprint."""

    __slots__ = ()
    blueprint: str
    resources: list[GraphResource]
    edges: list[Edge]
    waves: list[list[str]]
    """Resource names by wave: every resource of a wave can be created in parallel."""
    order: list[str]
    """Resource names in creation order."""


# --- estimate -------------------------------------------------------------------------------------


class LineItem(Record):
    """One priced component of a resource (all its instances)."""

    __slots__ = ()
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    monthly: Decimal
    sku: str
    usage_source: Literal["resource", "usage_file", "usage_file_type_default", "default"] | None
    usage_key: str | None
    hours_per_instance: Decimal | None


class UnpricedComponent(Record):
    """A component of a priced resource the catalog could not price."""

    __slots__ = ()
    name: str
    reason: str


class ResourceCost(Record):
    """The monthly cost of one resource."""

    __slots__ = ()
    address: str
    name: str
    resource_type: str
    count: int
    status: Literal["priced", "free", "unpriced"]
    monthly: Decimal
    line_items: list[LineItem]
    reason: str | None
    unpriced_components: list[UnpricedComponent]
    notes: list[str]


class EstimateSummary(Record):
    """Counts of resources by price status."""

    __slots__ = ()
    resources: int
    priced: int
    free: int
    unpriced: int
    partially_priced: int
    default_usage_items: int


class Confidence(Record):
    """How much of the estimate rests on prices versus assumptions."""

    __slots__ = ()
    score: Decimal
    level: Literal["high", "medium", "low"]
    explanation: str


class Optimization(Record):
    """A suggested change with its monthly savings."""

    __slots__ = ()
    kind: str
    address: str
    title: str
    current_monthly: Decimal
    optimized_monthly: Decimal
    monthly_savings: Decimal
    basis: str


class BudgetResult(Record):
    """Whether the estimate fits the budget."""

    __slots__ = ()
    limit: Decimal
    total: Decimal
    status: Literal["within", "over"]
    headroom: Decimal | None
    overrun: Decimal | None


class CatalogInfo(Record):
    """Row count and date range of a price catalog."""

    __slots__ = ()
    rows: int
    oldest_date: str
    newest_date: str


class PriceRow(Record):
    """One price of a catalog."""

    __slots__ = ()
    provider: str
    region: str
    service: str
    sku: str
    unit: str
    price_usd: Decimal
    purchase: str
    source: str
    date: str


class CostEstimate(Record):
    """The monthly cost of a blueprint (USD). Amounts are exact ``Decimal`` values."""

    __slots__ = ()
    currency: str
    provider: str
    region: str
    hours_per_month: int
    total_monthly: Decimal
    baseline_monthly: Decimal
    usage_monthly: Decimal
    resources: list[ResourceCost]
    summary: EstimateSummary
    confidence: Confidence
    optimizations: list[Optimization]
    potential_savings_monthly: Decimal
    budget: BudgetResult | None
    catalog: CatalogInfo
    warnings: list[Finding]

    def resource(self, name: str) -> ResourceCost | None:
        """The cost of the resource with this name, if any."""
        for r in self._fields().get("resources", []):
            if r.get("name") == name:
                return ResourceCost(r)
        return None


class ResourceCostDiff(Record):
    """How one resource's monthly cost changes."""

    __slots__ = ()
    address: str
    change: Literal["added", "removed", "changed", "unchanged", "unknown"]
    old_monthly: Decimal
    new_monthly: Decimal
    delta: Decimal


class CostDiff(Record):
    """What a change to a blueprint adds to or saves from the monthly bill."""

    __slots__ = ()
    old_total: Decimal
    new_total: Decimal
    delta_monthly: Decimal
    resources: list[ResourceCostDiff]
    new_unpriced: list[str]
    old_unpriced: list[str]


# --- validate ------------------------------------------------------------------------------------


class ReportInput(Record):
    """What was validated: a blueprint or a Terraform plan."""

    __slots__ = ()
    kind: str
    name: str
    format_version: str
    resources: int


class ReportCounts(Record):
    """How many findings of each kind a validation found."""

    __slots__ = ()
    critical: int
    high: int
    medium: int
    low: int
    unknown: int
    waived: int
    warnings: int


class AppliedWaiver(Record):
    """The waiver that turned a failing finding into a waived one."""

    __slots__ = ()
    reason: str
    expires: str | None
    original_status: str


class PolicyFinding(Record):
    """One result of a guardrail check on one resource."""

    __slots__ = ()
    id: str
    address: str
    path: str
    message: str
    status: Literal["fail", "unknown", "waived", "warn", "pass"] | str
    severity: Literal["low", "medium", "high", "critical"]
    title: str
    category: str | None
    remediation: str
    checkov: list[str]
    cis: list[str]
    source: str
    waiver: AppliedWaiver | None


class WaiverNote(Record):
    """What became of one declared waiver (applied, unused, expired...)."""

    __slots__ = ()
    address: str
    id: str
    reason: str
    expires: str | None
    state: str
    findings: int


class CheckSummary(Record):
    """One check's results over every resource."""

    __slots__ = ()
    id: str
    title: str
    severity: Literal["low", "medium", "high", "critical"]
    resources: int
    failed: int
    unknown: int
    waived: int


class Report(Record):
    """The result of ``Blueprint.validate`` or ``validate_plan``: ``passed`` is false when a
    finding of severity ``fail_on`` or above failed."""

    __slots__ = ()
    passed: bool
    fail_on: Literal["low", "medium", "high", "critical"]
    input: ReportInput
    counts: ReportCounts
    findings: list[PolicyFinding]
    waivers: list[WaiverNote]
    checks: list[CheckSummary]


# --- plan and drift ------------------------------------------------------------------------------


class PlanSummary(Record):
    """How many resource instances each action touches."""

    __slots__ = ()
    add: int
    change: int
    destroy: int
    replace: int
    no_op: int
    replacement_unknown: int


class ResourceChange(Record):
    """The planned change of one resource instance; ``changes`` lists attribute changes
    (``path``, ``before``, ``after``, ``sensitive``, ``unknown``, ``forces_replacement``), and is
    ``None`` for a no-op."""

    __slots__ = ()
    address: str
    previous_address: str | None
    mode: str
    type: str
    name: str
    index: int | None
    provider_name: str
    action: str
    change: dict[str, Any]
    action_reason: str | None
    replacement: str | None
    replace_reasons: list[str]
    create_before_destroy: bool
    changes: list[dict[str, Any]] | None
    depends_on: list[str]
    prior_depends_on: list[str]


class Plan(Record):
    """The ordered change plan between two blueprints (``Blueprint.plan_diff``)."""

    __slots__ = ()
    format_version: str
    before: dict[str, Any]
    after: dict[str, Any]
    document_changes: list[dict[str, Any]]
    resource_changes: list[ResourceChange]
    waves: list[list[dict[str, Any]]]
    variable_changes: list[dict[str, Any]]
    output_changes: list[dict[str, Any]]
    summary: PlanSummary
    notes: list[str]


class VersionCheck(Record):
    """Whether a new blueprint declares a high enough version for its change."""

    __slots__ = ()
    required: Literal["none", "patch", "minor", "major"]
    declared: Literal["none", "patch", "minor", "major"]
    before: str
    after: str
    minimum: str
    ok: bool


class DriftChange(Record):
    """One attribute that differs between the blueprint and the deployed state."""

    __slots__ = ()
    path: str
    expected: Any
    actual: Any
    sensitive: bool


class ChangedResource(Record):
    """A deployed resource whose attributes differ from the blueprint."""

    __slots__ = ()
    address: str
    tainted: bool
    changes: list[DriftChange]


class NotCompared(Record):
    """An attribute that could not be compared (a value known only after apply...)."""

    __slots__ = ()
    address: str
    path: str
    reason: str


class DriftReport(Record):
    """How the deployed state differs from the blueprint (``Blueprint.drift``)."""

    __slots__ = ()
    missing: list[str]
    unmanaged: list[str]
    changed: list[ChangedResource]
    in_sync: list[str]
    not_compared: list[NotCompared]

    @property
    def has_drift(self) -> bool:
        """Whether anything is missing, unmanaged or changed."""
        return bool(self.missing or self.unmanaged or self.changed)


# --- pipeline ------------------------------------------------------------------------------------


class Reason(Record):
    """One reason of a pipeline decision."""

    __slots__ = ()
    kind: Literal[
        "policy", "budget", "generate", "environment", "replace", "delete", "cost_increase", "unknown_finding"
    ]
    blocking: bool
    address: str | None
    check: str | None
    message: str


class Decision(Record):
    """What the pipeline decided: ``blocked``, ``needs_approval`` or ``ready``."""

    __slots__ = ()
    status: Literal["blocked", "needs_approval", "ready"]
    environment: str
    reasons: list[Reason]


class PipelineResult(Record):
    """Every stage of ``Blueprint.run_pipeline`` and the decision."""

    __slots__ = ()
    decision: Decision
    validation: Report
    estimate: CostEstimate
    cost_diff: CostDiff | None
    format: str
    files: dict[str, str] | None
    plan: Plan | None
    drift: DriftReport | None
