"""Binding overhead against the engine called directly, and the thread speed-up.

    cargo run -q -p iac-dharma-bench --example synthetic_blueprint -- 1000 > /tmp/s1000.json
    python bindings/python/bench/overhead.py /tmp/s1000.json [ROUNDS]

Overhead: for `validate` and `estimate` on the same checked blueprint, each round times, one
right after the other in this process (so a busy machine slows all of them alike):

* `core`: the engine's own call, from Rust (`iac_dharma._iac_dharma._core_call`, a private hook
  that runs `iac_dharma::validate` / `iac_dharma::estimate` with the same policy set, catalog and
  default options as the binding, and drops the Rust result without converting it);
* `call`: the binding's method (`bp.validate(policies=...)`, `bp.estimate(catalog=...)`), which
  returns the result object;
* `call + field`: the same and one field read (`report.passed`, `estimate.total_monthly`);
* `call + to_json`, `call + to_dict`: the same and the whole result converted.

The rows run in a new random order each round.
It prints the median wall time and the median CPU time of the calling thread (`time.thread_time`,
which other processes on the machine do not inflate; the engine runs on the calling thread with
the GIL released) of each, and the overhead of each binding row against `core`.

Speed-up: the wall time of 2*N parses + estimates one after the other versus on 2 threads (the
engine releases the GIL; the speed-up is bounded by the free cores).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import iac_dharma as dharma
from iac_dharma._iac_dharma import _core_call

Call = Callable[[], object]


def timed(call: Call) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - w0, time.thread_time() - c0


def overhead(bp: dharma.Blueprint, rounds: int) -> None:
    policies = dharma.PolicySet.builtin()
    catalog = dharma.PriceCatalog.builtin()
    verbs: dict[str, list[tuple[str, Call]]] = {
        "validate": [
            ("core", lambda: _core_call(bp, "validate", policies=policies)),
            ("call", lambda: bp.validate(policies=policies)),
            ("call + .passed", lambda: bp.validate(policies=policies).passed),
            ("call + to_json()", lambda: bp.validate(policies=policies).to_json()),
            ("call + to_dict()", lambda: bp.validate(policies=policies).to_dict()),
        ],
        "estimate": [
            ("core", lambda: _core_call(bp, "estimate", catalog=catalog)),
            ("call", lambda: bp.estimate(catalog=catalog)),
            ("call + .total_monthly", lambda: bp.estimate(catalog=catalog).total_monthly),
            ("call + to_json()", lambda: bp.estimate(catalog=catalog).to_json()),
            ("call + to_dict()", lambda: bp.estimate(catalog=catalog).to_dict()),
        ],
    }
    medians: dict[str, dict[str, tuple[float, float]]] = {}
    for verb, rows in verbs.items():
        for _, call in rows:
            call()  # warm
        wall: dict[str, list[float]] = {label: [] for label, _ in rows}
        cpu: dict[str, list[float]] = {label: [] for label, _ in rows}
        shuffled = random.Random(7)
        for _ in range(rounds):
            # A new order every round: no row always runs right after another (after to_dict(),
            # which leaves the caches full of freed Python objects, the next call runs slower).
            order = list(rows)
            shuffled.shuffle(order)
            for label, call in order:
                w, c = timed(call)
                wall[label].append(w)
                cpu[label].append(c)
        medians[verb] = {
            label: (statistics.median(wall[label]) * 1e3, statistics.median(cpu[label]) * 1e3)
            for label, _ in rows
        }
        core_w, core_c = medians[verb]["core"]
        print(f"{verb}: median of {rounds} rounds      wall ms  overhead   cpu ms  overhead")
        for label, _ in rows:
            w, c = medians[verb][label]
            if label == "core":
                print(f"  {label:28s} {w:9.2f} {'':9s} {c:8.2f}")
            else:
                print(f"  {label:28s} {w:9.2f} {100 * (w / core_w - 1):+8.1f}% {c:8.2f} {100 * (c / core_c - 1):+8.1f}%")
    # The binding's call alone (index 1) and with one field read (index 2), both verbs together.
    for index, name in ((1, "validate + estimate"), (2, "validate + estimate, one field read each")):
        w = c = core_w = core_c = 0.0
        for verb, rows in verbs.items():
            w += medians[verb][rows[index][0]][0]
            c += medians[verb][rows[index][0]][1]
            core_w += medians[verb]["core"][0]
            core_c += medians[verb]["core"][1]
        print(f"{name}: core {core_w:.2f} ms, binding {w:.2f} ms wall ({100 * (w / core_w - 1):+.1f}%); "
              f"cpu: core {core_c:.2f} ms, binding {c:.2f} ms ({100 * (c / core_c - 1):+.1f}%)")


def speedup(text: str, jobs: int) -> None:
    catalog = dharma.PriceCatalog.builtin()

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
    print(f"{jobs} x (parse + estimate): 1 thread {one * 1e3:.0f} ms, 2 threads {two * 1e3:.0f} ms, speed-up {one / two:.2f}x")


def main(path: str, rounds: int = 30, jobs: int = 16) -> None:
    text = open(path, encoding="utf-8").read()
    bp = dharma.Blueprint.from_json(text)
    print(f"{len(bp.resources)} resources, {len(text)} bytes of JSON; load average {os.getloadavg()[0]:.2f}")
    overhead(bp, rounds)
    speedup(text, jobs)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)
