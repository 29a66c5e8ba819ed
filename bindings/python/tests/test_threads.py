"""Thread-parallel use: the engine objects are shared by many threads, and heavy calls release the
GIL (other Python threads run while the engine works)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import pytest

import iac_dharma as dharma

from conftest import synthetic_path

N = 8


def variants(text: str, n: int) -> list[str]:
    """n different blueprints: the synthetic one under n names and budgets of instance types."""
    sizes = ["t3.micro", "t3.small", "t3.medium", "m6i.large"]
    return [text.replace('"synthetic-1000"', f'"synthetic-{i}"').replace('"t3.micro"', f'"{sizes[i % 4]}"') for i in range(n)]


def test_parse_and_estimate_on_n_threads(synthetic_text: str) -> None:
    texts = variants(synthetic_text, N)
    catalog = dharma.PriceCatalog.builtin()  # one catalog shared by every thread

    def job(text: str) -> tuple[str, str]:
        bp = dharma.Blueprint.from_json(text)
        return bp.name, bp.estimate(budget=1000, catalog=catalog).to_json()

    sequential = [job(t) for t in texts]
    with ThreadPoolExecutor(max_workers=N) as pool:
        parallel = list(pool.map(job, texts))
    assert parallel == sequential
    assert len({est for _, est in sequential}) == 4  # the variants really differ


def test_one_blueprint_shared_by_threads(synthetic_text: str) -> None:
    bp = dharma.Blueprint.from_json(synthetic_text)
    expected = (bp.estimate().to_json(), bp.generate("terraform"), bp.graph().to_json())
    with ThreadPoolExecutor(max_workers=N) as pool:
        results = list(pool.map(lambda _: (bp.estimate().to_json(), bp.generate("terraform"), bp.graph().to_json()), range(N)))
    assert all(r == expected for r in results)


def longest_pause_of_python_during(call: Callable[[], object]) -> tuple[float, float]:
    """Runs `call` in a thread while this thread keeps recording timestamps; returns the call's
    duration and the longest interval during it in which this thread could not run."""
    window: list[float] = []
    stamps: list[float] = []
    done = threading.Event()

    def worker() -> None:
        window.append(time.perf_counter())
        call()
        window.append(time.perf_counter())
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    while not done.is_set():
        stamps.append(time.perf_counter())
    t.join()
    start, end = window
    inside = [start] + [s for s in stamps if start < s < end] + [end]
    return end - start, max(b - a for a, b in zip(inside, inside[1:]))


@pytest.mark.slow
def test_heavy_calls_release_the_gil() -> None:
    text = synthetic_path(5000).read_text()
    bp = dharma.Blueprint.from_json(text)
    for name, call in [
        ("parse + check", lambda: dharma.Blueprint.from_json(text)),
        ("estimate", lambda: bp.estimate()),
        ("generate", lambda: bp.generate("terraform")),
    ]:
        # Holding the GIL for the whole call would stop this thread for about `duration` on every
        # attempt; on a loaded machine the OS may also deschedule it now and then, so one of three
        # attempts must show it running.
        attempts = [longest_pause_of_python_during(call) for _ in range(3)]
        assert any(pause < duration / 2 for duration, pause in attempts), f"{name}: Python stopped for " + ", ".join(
            f"{pause:.3f}s of a {duration:.3f}s call" for duration, pause in attempts
        )


@pytest.mark.slow
def test_validate_and_plan_diff_release_the_gil(synthetic_text: str) -> None:
    bp = dharma.Blueprint.from_json(synthetic_text)
    new = dharma.Blueprint.from_json(synthetic_text.replace('"t3.micro"', '"t3.small"'))
    policies = dharma.PolicySet.builtin()
    for name, call in [
        ("validate", lambda: bp.validate(policies)),
        ("plan_diff", lambda: bp.plan_diff(new)),
        ("run_pipeline", lambda: new.run_pipeline(previous=bp, policies=policies)),
    ]:
        attempts = [longest_pause_of_python_during(call) for _ in range(3)]
        assert any(pause < duration / 2 for duration, pause in attempts), f"{name}: Python stopped for " + ", ".join(
            f"{pause:.3f}s of a {duration:.3f}s call" for duration, pause in attempts
        )
