"""Type stubs of the native module ``iac_dharma._iac_dharma`` (re-exported by ``iac_dharma``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, final, overload


from ._results import (
    CatalogInfo,
    CostDiff,
    CostEstimate,
    DriftReport,
    Finding,
    Graph,
    PipelineResult,
    Plan,
    PriceRow,
    Report,
    Resource,
    VersionCheck,
)

__all__ = [
    "__version__",
    "Blueprint",
    "TemplateSet",
    "PriceCatalog",
    "PolicySet",
    "DeploymentStatus",
    "cost_diff",
    "validate_plan",
    "schema",
    "output_formats",
    "_panic_for_testing",
    "_core_call",
    "_Pending",
]

__version__: str

_OutputFormat = Literal[
    "terraform",
    "terraform-json",
    "cloudformation",
    "cloudformation-yaml",
    "arm",
    "pulumi-yaml",
    "pulumi-ts",
    "cdk-ts",
]
"""Output formats of ``Blueprint.generate`` (``output_formats()`` lists them)."""

_Money = Decimal | int | str | float
"""A money argument: exact as ``Decimal``, ``int`` or decimal text; a float is read from its
shortest text (``0.1`` is exactly 0.1)."""

_UsageInput = Mapping[str, Any] | str

_Severity = Literal["low", "medium", "high", "critical"]
"""A finding severity (``fail_on``: fail on findings of this severity or above)."""

_JsonDocument = str | Mapping[str, Any]
"""A JSON document (Terraform plan or state): its text, or the parsed dict."""

_Status = Literal[
    "queued", "validating", "planning", "approved", "applying", "completed", "failed", "rolled_back"
]
"""A deployment status."""
"""A usage file (Infracost's ``infracost-usage.yml`` shape): a dict, or YAML/JSON text."""

@final
class Blueprint:
    """A parsed and checked blueprint. Build one with ``from_yaml``, ``from_json``,
    ``from_text``, ``from_dict`` or ``from_file``; every verb then works on it without parsing
    again. Immutable and safe to share between threads (and picklable)."""

    @staticmethod
    def from_yaml(text: str) -> Blueprint:
        """Parses and checks a YAML blueprint.

        Raises ``ParseError`` (``location`` = line and column) for malformed text, or
        ``CheckError`` listing every problem of a well-formed blueprint."""
    @staticmethod
    def from_json(text: str) -> Blueprint:
        """Parses and checks a JSON blueprint. Raises as ``from_yaml``."""
    @staticmethod
    def from_text(text: str, format: Literal["json", "yaml"] | None = None) -> Blueprint:
        """Parses and checks JSON or YAML (``format=None``: JSON when the text starts with
        ``{``). Raises as ``from_yaml``, or ``InvalidInputError`` for an unknown format."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Blueprint:
        """Checks a blueprint given as a dict (as ``to_dict()`` returns). Raises ``ParseError``
        naming the path of a field that does not fit, ``CheckError``, or ``InvalidInputError``
        for a value with no JSON form (path of the value)."""
    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Blueprint:
        """Reads a ``.json``/``.yaml``/``.yml`` blueprint file. Raises ``OSError`` when it cannot
        be read, else as ``from_yaml`` with the exception's ``file`` set."""
    @property
    def name(self) -> str:
        """The blueprint's name."""
    @property
    def version(self) -> str:
        """The blueprint's semantic version, normalized (``v1.2.0`` -> ``1.2.0``)."""
    @property
    def provider(self) -> Literal["aws", "azure", "gcp"]:
        """The cloud provider."""
    @property
    def region(self) -> str:
        """The region."""
    @property
    def description(self) -> str | None:
        """What the infrastructure is for."""
    @property
    def tags(self) -> dict[str, str]:
        """Default tags of every taggable resource."""
    @property
    def resources(self) -> list[Resource]:
        """Every resource in document order, with its resolved Terraform ``type``, ``address``
        and effective ``tags``."""
    @property
    def warnings(self) -> list[Finding]:
        """Problems that do not stop the blueprint from being used."""
    def to_dict(self) -> dict[str, Any]:
        """The document as written (aliases unresolved); ``from_dict`` reads it back."""
    def to_json(self) -> str:
        """The document as pretty-printed JSON."""
    def to_yaml(self) -> str:
        """The document as YAML."""
    def generate(
        self,
        format: _OutputFormat | str,
        templates: TemplateSet | Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """Generates infrastructure code: ``{relative path: text}``, sorted by path.

        ``templates`` replaces or adds templates (a reusable ``TemplateSet``, or a dict
        ``{"terraform/main.tf.tera": text}``). Raises ``InvalidInputError`` for an unknown format
        (with a suggestion), ``GenerateError`` when the blueprint cannot be expressed in it."""
    def estimate(
        self,
        usage: _UsageInput | None = None,
        budget: _Money | None = None,
        *,
        catalog: PriceCatalog | None = None,
        skip_optimizations: bool = False,
    ) -> CostEstimate:
        """The monthly cost (USD), every amount a ``Decimal``.

        ``usage``: usage assumptions (the blueprint's own ``usage`` wins over it); ``budget``: a
        monthly limit, reported in ``CostEstimate.budget``; ``catalog``: a ``PriceCatalog``
        (default: the built-in one). Raises ``PricingError`` (``invalid_usage``, path of each
        bad value) or ``InvalidInputError`` for a budget that is not a number."""
    @overload
    def graph(self, format: Literal["json"] = "json") -> Graph:
        """The dependency graph: a ``Graph`` (waves, creation order, edges) for ``"json"``,
        Graphviz or Mermaid text for ``"dot"``/``"mermaid"``. Raises ``InvalidInputError``
        for another format."""
    @overload
    def graph(self, format: Literal["dot", "mermaid"]) -> str: ...
    @overload
    def graph(self, format: str) -> Graph | str: ...
    def blast_radius(self, name: str) -> list[str]:
        """Every resource depending on ``name``, directly or not, in document order. Raises
        ``InvalidInputError`` (with a suggestion) for an unknown name."""
    def validate(
        self,
        policies: PolicySet | None = None,
        fail_on: _Severity | str = "low",
        today: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> Report:
        """Runs guardrail policies (default: the built-in checks): a ``Report`` whose ``passed``
        is false when a finding of severity ``fail_on`` or above failed. ``today``
        (``YYYY-MM-DD``) decides which waivers expired; ``variables`` gives variable values.
        Raises ``InvalidInputError`` for an unknown ``fail_on``, ``PolicyError`` when a policy
        fails at run time."""
    def plan_diff(self, new: Blueprint) -> Plan:
        """The ordered change plan from this blueprint (deployed) to ``new``. Raises
        ``PlanError`` when they cannot be compared."""
    def version_bump(self, new: Blueprint) -> Literal["none", "patch", "minor", "major"]:
        """The semantic-version bump the change to ``new`` needs."""
    def check_version(self, new: Blueprint) -> VersionCheck:
        """Whether ``new`` declares a version high enough for its change from this one."""
    def drift(self, state: _JsonDocument) -> DriftReport:
        """Compares with deployed Terraform state (``terraform show -json`` or ``.tfstate``).
        Raises ``ParseError`` for state that cannot be read (not JSON: ``json_syntax``; not a
        state: ``invalid_state``, with its path) and ``PlanError`` for a state of another format
        version or provider."""
    def run_pipeline(
        self,
        previous: Blueprint | None = None,
        state: _JsonDocument | None = None,
        format: _OutputFormat | str = "terraform",
        policies: PolicySet | None = None,
        budget: _Money | None = None,
        usage: _UsageInput | None = None,
        fail_on: _Severity | str = "low",
        approval: Mapping[str, Any] | None = None,
        *,
        catalog: PriceCatalog | None = None,
        today: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> PipelineResult:
        """Validate, estimate, generate (``format``; ``files`` is ``None`` when it cannot
        express the blueprint, a blocking reason) and plan against
        ``previous`` or ``state`` (not both), then decide ``blocked``/``needs_approval``/
        ``ready``. ``approval``: ``environment``, ``protected_environments``, ``on_replace``,
        ``on_delete``, ``max_monthly_increase``, ``max_increase_percent``,
        ``on_unknown_findings``."""
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class TemplateSet:
    """Templates replacing or adding to the embedded ones, compiled once; pass it to
    ``Blueprint.generate(templates=...)`` from any thread."""

    def __new__(cls, templates: Mapping[str, str]) -> TemplateSet:
        """Compiles ``{name: text}`` over the embedded templates (``terraform/main.tf.tera``
        replaces one; ``terraform/README.md.tera`` adds ``README.md``). Raises
        ``GenerateError`` (``template_error``) for a template that does not compile."""
    @property
    def names(self) -> list[str]:
        """Every template name in the set, sorted."""

@final
class PriceCatalog:
    """A price catalog, immutable and shared by every estimate and thread at no cost."""

    @staticmethod
    def builtin() -> PriceCatalog:
        """The catalog embedded in the engine."""
    @staticmethod
    def from_csv(text: str) -> PriceCatalog:
        """A catalog of these CSV rows only (header ``provider,region,service,sku,unit,price_usd,
        purchase,source,date``). Raises ``PricingError`` (``invalid_price_catalog``) for a
        malformed row; combine with ``PriceCatalog.builtin().extend(...)``."""
    @staticmethod
    def from_json(text: str) -> PriceCatalog:
        """A catalog of these rows, as a JSON array of row objects."""
    def extend(self, other: PriceCatalog) -> PriceCatalog:
        """A new catalog: these rows plus ``other``'s, which replace rows with the same provider,
        region, SKU and purchase option."""
    def lookup(
        self, provider: str, region: str, sku: str, purchase: str = "on_demand"
    ) -> PriceRow | None:
        """The row pricing ``sku`` in ``region`` (or everywhere), if any."""
    @property
    def info(self) -> CatalogInfo:
        """Row count and date range."""
    def __len__(self) -> int: ...

def cost_diff(
    old: Blueprint,
    new: Blueprint,
    usage: _UsageInput | None = None,
    budget: _Money | None = None,
    *,
    catalog: PriceCatalog | None = None,
) -> CostDiff:
    """The monthly cost difference between two blueprints, per resource (matched by address)."""

@final
class PolicySet:
    """Compiled guardrail policies, immutable and shared by every validation and thread."""

    def __new__(
        cls,
        paths: list[str | os.PathLike[str]] | None = None,
        rego: Mapping[str, str] | None = None,
        builtin: bool = True,
        data: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        time_limit_ms: int | None = None,
    ) -> PolicySet:
        """Compiles the built-in checks (unless ``builtin=False``), the ``.rego`` files of
        ``paths``, the modules of ``rego`` (``{file name: text}``), ``data`` and ``settings``
        (``data.dharma.settings``). Raises ``PolicyError`` (file:line) for bad Rego."""
    @staticmethod
    def builtin() -> PolicySet:
        """The built-in checks alone (compiled once per process)."""
    @property
    def has_builtin(self) -> bool:
        """Whether the built-in checks are included."""
    @property
    def user_packages(self) -> list[str]:
        """The Rego packages of the user policies."""
    @property
    def check_ids(self) -> list[str]:
        """The ids of every known check, sorted."""

@final
class DeploymentStatus:
    """The statuses of a deployment and the moves the flow allows between them."""

    @staticmethod
    def all() -> list[str]:
        """Every status, in flow order."""
    @staticmethod
    def next_statuses(status_: _Status | str) -> list[str]:
        """Where ``status_`` may go next (empty for a final status)."""
    @staticmethod
    def is_final(status_: _Status | str) -> bool:
        """Whether ``status_`` is final."""
    @staticmethod
    def transition(from_: _Status | str, to: _Status | str) -> str:
        """``to`` if the flow allows the move, else raises ``InvalidInputError``
        (``illegal_transition``)."""

def validate_plan(
    plan: _JsonDocument,
    policies: PolicySet | None = None,
    fail_on: _Severity | str = "low",
    today: str | None = None,
    variables: Mapping[str, Any] | None = None,
    waivers: Mapping[str, list[Mapping[str, Any]]] | None = None,
) -> Report:
    """Validates a Terraform plan (``terraform show -json``) against ``policies`` (default: the
    built-in checks). ``waivers``: ``{address: [{"id", "reason", "expires"}]}``. Raises
    ``ParseError`` for a malformed plan (``json_syntax``, ``invalid_plan`` with its path)."""

def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the blueprint format."""

def output_formats() -> list[str]:
    """The format names ``Blueprint.generate`` knows."""

def _panic_for_testing(message: str, where: Literal["engine", "binding"] = "engine") -> None: ...
@final
class _Pending:
    """An engine result not written as JSON yet (inside a result object). Not part of the API."""
    def json(self) -> str: ...
    def field(self, name: str) -> tuple[bool, str | None]: ...

def _core_call(
    blueprint: Blueprint,
    verb: Literal["validate", "estimate"],
    *,
    policies: PolicySet | None = None,
    catalog: PriceCatalog | None = None,
) -> None:
    """Runs the engine's own validate or estimate, for bench/overhead.py. Not part of the API."""
