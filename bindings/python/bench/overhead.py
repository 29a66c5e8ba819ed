"""Binding overhead and thread speed-up, measured from Python (compare with the criterion benches
`parse_check_graph/1000` and `estimate/with_optimizations/1000` in benches/).

    cargo run -q -p iac-dharma-bench --example synthetic_blueprint -- 1000 > /tmp/s1000.json
    python bindings/python/bench/overhead.py /tmp/s1000.json

Prints the median of repeated runs of each call (ms), and the wall time of 2*N parses + estimates
run one after the other versus on 2 threads (the engine releases the GIL; the speed-up is bounded
by the free cores).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import iac_dharma as dharma


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main(path: str, runs: int = 30, jobs: int = 16) -> None:
    text = open(path, encoding="utf-8").read()
    catalog = dharma.PriceCatalog.builtin()
    bp = dharma.Blueprint.from_json(text)
    n = len(bp.resources)
    print(f"{n} resources, {len(text)} bytes of JSON, median of {runs} runs")
    rows = [
        ("Blueprint.from_json (parse + check)", lambda: dharma.Blueprint.from_json(text)),
        ("from_json + graph().waves", lambda: dharma.Blueprint.from_json(text).graph().waves),
        ("estimate(catalog=...)", lambda: bp.estimate(catalog=catalog)),
        ("estimate().total_monthly", lambda: bp.estimate(catalog=catalog).total_monthly),
        ("estimate().to_dict()", lambda: bp.estimate(catalog=catalog).to_dict()),
        ("generate('terraform')", lambda: bp.generate("terraform")),
    ]
    for label, call in rows:
        print(f"  {label:40s} {median_ms(call, runs):8.2f} ms")

    def job(_: int) -> object:
        return dharma.Blueprint.from_json(text).estimate(catalog=catalog).total_monthly

    job(0)
    t0 = time.perf_counter()
    for i in range(jobs):
        job(i)
    one = time.perf_counter() - t0
    with ThreadPoolExecutor(max_workers=2) as pool:
        t0 = time.perf_counter()
        list(pool.map(job, range(jobs)))
        two = time.perf_counter() - t0
    print(f"  {jobs} x (parse + estimate): 1 thread {one * 1e3:.0f} ms, 2 threads {two * 1e3:.0f} ms, speed-up {one / two:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1])
