"""The engine called in-process from Python (the `iac_dharma` package), timed as
`benches/examples/inprocess_timing.rs` times it from Rust, for the binding-overhead rows of
benches/compare/run.sh: the blueprint text is read once; each run parses and checks it
(`Blueprint.from_json`), then runs the verb and drops the result (the policy set and the price
catalog are loaded once). Prints {"verb", "runs", "median_ms", "min_ms"} as JSON.

    python benches/compare/inprocess.py FILE validate|estimate [RUNS]
"""

import json
import statistics
import sys
import time

import iac_dharma as dharma


def main() -> None:
    path, verb = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    with open(path, encoding="utf-8") as f:
        text = f.read()
    policies = dharma.PolicySet.builtin()
    catalog = dharma.PriceCatalog.builtin()
    if verb == "validate":
        def once() -> object:
            return dharma.Blueprint.from_json(text).validate(policies, today="2026-06-01")
    elif verb == "estimate":
        def once() -> object:
            return dharma.Blueprint.from_json(text).estimate(catalog=catalog)
    else:
        sys.exit(f"unknown verb {verb}: validate or estimate")
    times = []
    for i in range(runs + 2):
        t = time.perf_counter()
        once()
        if i >= 2:  # the first two runs warm the lazily loaded catalogs
            times.append((time.perf_counter() - t) * 1e3)
    print(json.dumps({"verb": verb, "runs": runs, "median_ms": statistics.median(times),
                      "min_ms": min(times)}))


if __name__ == "__main__":
    main()
