"""The type stubs: mypy --strict accepts the examples and the package, rejects misuse (so the
types are real, not Any), and mypy's stubtest finds the native module as the stubs describe it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "bindings" / "python" / "python" / "iac_dharma"
EXAMPLES = sorted((ROOT / "examples" / "python").glob("*.py"))


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--show-error-codes", f"--cache-dir={ROOT / '.cache' / 'mypy'}", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_examples_type_check() -> None:
    assert EXAMPLES, "no example scripts"
    out = mypy(*map(str, EXAMPLES))
    assert out.returncode == 0, out.stdout + out.stderr


def test_installed_package_type_checks() -> None:
    out = mypy("-p", "iac_dharma")
    assert out.returncode == 0, out.stdout + out.stderr


def test_misuse_is_reported(tmp_path: Path) -> None:
    script = tmp_path / "misuse.py"
    script.write_text(textwrap.dedent("""\
        import iac_dharma as dharma
        bp = dharma.Blueprint.from_yaml("...")
        total: float = bp.estimate().total_monthly
        bp.generate(format=3)
        bp.estimate(budget=[1])
        name: int = bp.resources[0].name
        bp.graph("dot").waves
        dharma.PriceCatalog.builtin().lookup("aws", "us-east-1")
        try:
            pass
        except dharma.CheckError as e:
            line: str = e.location.line
    """))
    out = mypy(str(script))
    assert out.returncode == 1
    lines = sorted({int(l.split(":")[1]) for l in out.stdout.splitlines() if ": error:" in l})
    assert lines == [3, 4, 5, 6, 7, 8, 12], out.stdout


def test_stubs_match_the_native_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "iac_dharma"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name == "quickstart.py"], ids=lambda p: p.name)
def test_example_runs(example: Path) -> None:
    out = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, check=True)
    assert "estimate: $" in out.stdout and "terraform: main.tf" in out.stdout


def test_every_result_class_is_exported() -> None:
    # The package's __all__ is a literal list (mypy and stubtest read no other form), so it
    # repeats the result classes of _results.__all__: they must agree.
    import iac_dharma
    from iac_dharma import _results

    assert set(_results.__all__) <= set(iac_dharma.__all__)
    records = {name for name, obj in vars(_results).items() if isinstance(obj, type) and issubclass(obj, _results.Record)}
    assert records == set(_results.__all__)
    assert all(getattr(iac_dharma, name) is getattr(_results, name) for name in _results.__all__)
