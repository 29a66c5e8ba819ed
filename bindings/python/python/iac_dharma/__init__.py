"""IAC Dharma: blueprints to infrastructure code, guardrail validation, cost estimates and
change plans, from one Rust engine.

Parse and check a blueprint once, then call any verb on it::

    import iac_dharma as dharma

    bp = dharma.Blueprint.from_file("blueprint.yaml")      # or from_yaml / from_json / from_dict
    files = bp.generate("terraform")                        # {"main.tf": "...", ...}
    est = bp.estimate(budget="500")                         # est.total_monthly is a Decimal
    for wave in bp.graph().waves:
        print(wave)

Heavy calls release the GIL, so threads run them in parallel; ``PriceCatalog`` and
``TemplateSet`` are built once and shared by every thread. Errors are subclasses of
:class:`DharmaError` (see :mod:`iac_dharma.exceptions`).
"""

from __future__ import annotations

from . import exceptions
from ._iac_dharma import (
    Blueprint,
    DeploymentStatus,
    PolicySet,
    PriceCatalog,
    TemplateSet,
    __version__,
    cost_diff,
    output_formats,
    schema,
    validate_plan,
)
# Every result class: the names of _results.__all__. This module's __all__ lists them again, as a
# literal list, because that is the only form mypy and stubtest read; tests/test_typing.py checks
# that the two lists agree.
from ._results import *  # noqa: F403
from .exceptions import (
    CheckError,
    DharmaError,
    GenerateError,
    InternalError,
    InvalidInputError,
    LimitError,
    ParseError,
    PlanError,
    PolicyError,
    PricingError,
)

__all__ = [
    "__version__",
    # engine objects
    "Blueprint",
    "PriceCatalog",
    "TemplateSet",
    "PolicySet",
    "DeploymentStatus",
    # functions
    "cost_diff",
    "output_formats",
    "schema",
    "validate_plan",
    # results
    "Record",
    "Finding",
    "Location",
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
    # errors
    "exceptions",
    "DharmaError",
    "ParseError",
    "CheckError",
    "GenerateError",
    "PolicyError",
    "PricingError",
    "PlanError",
    "LimitError",
    "InvalidInputError",
    "InternalError",
]
