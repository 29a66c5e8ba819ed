"""Exceptions raised by ``iac_dharma``.

Every error the engine reports is a :class:`DharmaError`; its subclass says which stage failed,
and it carries every problem found, each with a stable code and where it is::

    DharmaError                 base: catch this to catch everything the engine raises
    ├── ParseError              kind "parse": malformed JSON/YAML, or not shaped like a blueprint
    ├── CheckError              kind "check": a well-formed blueprint with wrong content
    ├── GenerateError           kind "generate": the blueprint cannot be expressed in the format
    ├── PolicyError             kind "policy": a policy does not compile or fails to evaluate
    ├── PricingError            kind "pricing": bad usage values or price rows
    ├── PlanError               kind "plan": a change plan cannot be computed, or a state is of
    │                           another version or provider (unreadable plan or state: ParseError)
    ├── LimitError              kind "limit": an input exceeded a size, depth or time limit
    ├── InvalidInputError       kind "invalid_input": a bad argument (also a ValueError)
    └── InternalError           kind "internal": a bug in the engine (a caught Rust panic)

Attributes: ``kind``, ``code``, ``path``, ``location``, ``suggestion`` and ``message`` (of the
first finding), ``findings`` (every finding, warnings included), ``errors`` (the error-severity
findings) and ``file`` (the file the input came from, when read with ``Blueprint.from_file``).
Compare codes and paths, not messages: message wording may improve, codes are stable.
"""

from __future__ import annotations

import json
from typing import Any

from ._results import Finding, Location

__all__ = [
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
    "Finding",
    "Location",
]


class DharmaError(Exception):
    """Base class of every error the engine reports."""

    kind: str = ""
    """Which stage failed: ``parse``, ``check``, ``generate``, ``policy``, ``pricing``, ``plan``,
    ``limit``, ``invalid_input`` or ``internal``."""
    findings: list[Finding]
    """Every problem found, in order (warnings included)."""
    message: str
    """The error as text (the first finding, and how many more there are)."""
    file: str | None
    """The file the input was read from, when there was one."""

    def __init__(
        self,
        message: str,
        findings: list[Finding] | None = None,
        *,
        kind: str | None = None,
        file: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.findings = list(findings or [])
        if kind is not None:
            self.kind = kind
        self.file = file

    @classmethod
    def _from_engine(
        cls, kind: str, message: str, findings_json: str, file: str | None = None
    ) -> DharmaError:
        findings = [Finding(f) for f in json.loads(findings_json)]
        return cls(message, findings, kind=kind, file=file)

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity ``error`` (the ones that made the call fail)."""
        return [f for f in self.findings if f.severity == "error"]

    def _first(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def code(self) -> str:
        """The stable code of the first finding, e.g. ``unknown_reference``."""
        first = self._first()
        return first.code if first else ""

    @property
    def path(self) -> str:
        """Where the first finding is, e.g. ``resources[1].properties.vpc_id`` (``""`` for the
        whole document)."""
        first = self._first()
        return first.path if first else ""

    @property
    def location(self) -> Location | None:
        """Line and column of the first finding in the source text, when known."""
        first = self._first()
        return first.location if first else None

    @property
    def suggestion(self) -> str | None:
        """A likely intended value for the first finding ("did you mean"), if one is close."""
        first = self._first()
        return first.suggestion if first else None

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data: ``{"kind", "message", "file"?, "findings": [...]}``
        (what the example service sends with HTTP 400)."""
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.file is not None:
            out["file"] = self.file
        out["findings"] = [json.loads(f.to_json()) for f in self.findings]
        return out

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        findings = json.dumps([json.loads(f.to_json()) for f in self.findings])
        return (type(self)._from_engine, (self.kind, self.message, findings, self.file))


class ParseError(DharmaError):
    """The text is not valid JSON/YAML, or not shaped like a blueprint (``location`` gives the
    line and column of syntax errors, ``path`` the field that does not fit)."""

    kind = "parse"


class CheckError(DharmaError):
    """The blueprint is well-formed but its content is wrong (unknown type, dangling reference,
    dependency cycle...): ``findings`` lists every problem, each with its path."""

    kind = "check"


class GenerateError(DharmaError):
    """Code generation failed: a type, property or attribute the format cannot express, a
    provider the format does not support, or a template error."""

    kind = "generate"


class PolicyError(DharmaError):
    """A policy failed to compile (``path`` is its file, ``location`` the line) or evaluate, or
    the policy settings are invalid."""

    kind = "policy"


class PricingError(DharmaError):
    """Usage values or price rows are invalid (path of each bad value)."""

    kind = "pricing"


class PlanError(DharmaError):
    """A change plan could not be computed (``prevent_destroy``...), or a Terraform state is of
    another format version or provider. Text that is not a plan or state is a ``ParseError``."""

    kind = "plan"


class LimitError(DharmaError):
    """An input exceeded a configured limit (size, depth, count, time)."""

    kind = "limit"


class InvalidInputError(DharmaError, ValueError):
    """An argument was invalid (unknown format name, bad option value...)."""

    kind = "invalid_input"


class InternalError(DharmaError):
    """A bug in the engine: it panicked. The panic was stopped at the boundary; the process and
    the other threads carry on. Please report it."""

    kind = "internal"
