#!/usr/bin/env python3
"""Whole-process comparison of the release `dharma` CLI with the tools users run instead.

Run by benches/compare/run.sh (which builds the binaries, writes the synthetic inputs and finds
the tools); not part of CI. Every command runs as a child process under GNU `/usr/bin/time -f %M`:
wall time from time.perf_counter around it, peak RSS (max resident set, KiB) as time reports it.
Not os.wait4 on a direct child: Linux carries the forking Python's own high-water mark into the
child's ru_maxrss across exec, which would put a ~25 MB floor under every number. All measurements happen in this one run, so the ratios
compare tools under the same machine load.

Writes benches/RESULTS.md and benches/compare/time-vs-resources.png.
"""
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.environ["ROOT"]
WORK = os.environ["WORK"]  # inputs and outputs of the commands
DHARMA = os.environ["DHARMA"]
OPA = os.environ.get("OPA", "")
CHECKOV = shlex.split(os.environ.get("CHECKOV", ""))  # may be "PYTHON SCRIPT"
CFN_LINT = os.environ.get("CFN_LINT", "")
INPROCESS = os.environ.get("INPROCESS", "")  # benches/examples/inprocess_timing (Rust, core in-process)
PYTHON_BIND = os.environ.get("PYTHON_BIND", "")  # a python with the iac_dharma package installed
NODE_BIND = os.environ.get("NODE_BIND", "")  # node, for the @iac-dharma/node addon
BIND_SIZE = int(os.environ.get("BIND_SIZE", "1000"))
BIND_REPS = int(os.environ.get("BIND_REPS", "20"))
BIND_VERBS = ["validate", "estimate"]
SIZES = [int(s) for s in os.environ.get("SIZES", "100 1000 10000").split()]
TOOL_SIZES = [int(s) for s in os.environ.get("TOOL_SIZES", "100 1000").split()]
REPS = int(os.environ.get("REPS", "3"))
TOOL_REPS = int(os.environ.get("TOOL_REPS", "1"))
TIMEOUT = float(os.environ.get("TIMEOUT", "900"))
RESULTS = os.path.join(ROOT, "benches/RESULTS.md")
TIME = os.environ.get("TIME_BIN", "/usr/bin/time")
PLOT = os.path.join(ROOT, "benches/compare/time-vs-resources.png")


def measure(cmd, reps, ok_codes=(0, 1), cwd=None):
    """Runs cmd reps times; returns dict(times=[s], rss_mb=max peak RSS, code) or None on timeout."""
    times, rss, code = [], 0, None
    rss_file = os.path.join(WORK, "last.rss")
    for _ in range(reps):
        with open(os.path.join(WORK, "last.stdout"), "wb") as out, \
                open(os.path.join(WORK, "last.stderr"), "wb") as err:
            t = time.perf_counter()
            p = subprocess.Popen([TIME, "-f", "%M", "-o", rss_file, *cmd], stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd)
            deadline = t + TIMEOUT
            while True:
                pid, status, usage = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    p.kill()
                    os.wait4(p.pid, 0)
                    print(f"    TIMEOUT after {TIMEOUT:.0f}s: {' '.join(cmd)}", flush=True)
                    return None
                time.sleep(0.002)
            elapsed = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        p.returncode = code
        with open(rss_file) as f:
            # GNU time writes "Command exited with non-zero status N" first when N != 0.
            kib = int(f.read().split()[-1])
        if code not in ok_codes:
            with open(os.path.join(WORK, "last.stderr"), errors="replace") as e:
                tail = e.read()[-800:]
            sys.exit(f"{' '.join(cmd)} exited {code}:\n{tail}")
        times.append(elapsed)
        rss = max(rss, kib / 1024)
    return {"times": times, "median": statistics.median(times), "min": min(times), "rss_mb": rss,
            "code": code}


def inp(n, suffix=""):
    return os.path.join(WORK, f"aws-{n}{suffix}.json")


def write_cfn_input(n):
    """The blueprint without aws_instance.root_block_device, which has no CloudFormation equivalent
    (CloudFormation needs the AMI's root device name): `generate --format cloudformation` rejects it
    with `unmapped_property`, as it should."""
    with open(inp(n)) as f:
        doc = json.load(f)
    for r in doc["resources"]:
        if r["type"] == "aws_instance":
            r.get("properties", {}).pop("root_block_device", None)
    with open(inp(n, "-cfn"), "w") as f:
        json.dump(doc, f)


def count_resources(n):
    with open(inp(n)) as f:
        return len(json.load(f)["resources"])


def dharma_verbs(n):
    out = os.path.join(WORK, f"out-{n}")
    return [
        ("check", [DHARMA, "check", inp(n)]),
        ("validate", [DHARMA, "validate", inp(n), "--format", "json", "--today", "2026-06-01"]),
        ("estimate", [DHARMA, "estimate", inp(n), "--format", "json"]),
        ("generate terraform", [DHARMA, "generate", inp(n), "--format", "terraform", "-o", f"{out}/tf"]),
        ("generate cloudformation",
         [DHARMA, "generate", inp(n, "-cfn"), "--format", "cloudformation", "-o", f"{out}/cfn"]),
        ("plan", [DHARMA, "plan", inp(n), inp(n, "-changed"), "--format", "json"]),
    ]


def machine():
    model, cores = "unknown", 0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("processor"):
                cores += 1
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return model, cores, mem


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def ms(s):
    return f"{s * 1000:,.0f}" if s >= 0.1 else f"{s * 1000:,.1f}"


def only_bindings():
    """ONLY_BINDINGS=1: measures the binding overhead alone and replaces that section of
    RESULTS.md in place (the rest keeps the date and load of its own run)."""
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    bind = binding_overhead({})
    when = (f"- Measured on its own (`ONLY_BINDINGS=1`) on {started:%Y-%m-%d %H:%M} UTC, load average before: "
            f"{load_before}; after: {loadavg()}; dharma runs per command: {REPS} (median).")
    section = binding_lines(bind, when)
    with open(RESULTS) as f:
        lines = f.read().split("\n")
    start = next((i for i, l in enumerate(lines) if l.startswith("## Binding overhead")), None)
    image = next(i for i, l in enumerate(lines) if l.startswith("![time vs resources"))
    if start is None:
        start, end = image, image
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "!["))), len(lines))
    lines[start:end] = section
    with open(RESULTS, "w") as f:
        f.write("\n".join(lines))
    print(f"updated the binding-overhead section of {RESULTS}")


def main():
    if os.environ.get("ONLY_BINDINGS"):
        only_bindings()
        return
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    counts = {n: count_resources(n) for n in SIZES}
    for n in SIZES:
        write_cfn_input(n)
    ours = {}  # (verb, n) -> measurement
    print(f"dharma verbs, {REPS} runs each", flush=True)
    for n in SIZES:
        for verb, cmd in dharma_verbs(n):
            measure(cmd, 1)  # warm the page cache and the output folder
            ours[(verb, n)] = m = measure(cmd, REPS)
            print(f"  {verb:24s} {n:>6}  {ms(m['median']):>8} ms  {m['rss_mb']:6.1f} MB", flush=True)

    # The same plan JSON for dharma and opa: what `dharma validate --emit-input` renders.
    side = []  # (what, n, ours label, ours m, tool label, tool m)
    print(f"side by side, {TOOL_REPS} run(s) per tool", flush=True)
    for n in TOOL_SIZES:
        plan = os.path.join(WORK, f"aws-{n}.plan.json")
        with open(plan, "wb") as f:
            subprocess.run([DHARMA, "validate", inp(n), "--emit-input"], stdout=f, check=True)
        tf = os.path.join(WORK, f"out-{n}", "tf")
        cfn_dir = os.path.join(WORK, f"out-{n}", "cfn")
        cfn_files = sorted(os.path.join(cfn_dir, f) for f in os.listdir(cfn_dir))
        if CHECKOV:
            cmd = [*CHECKOV, "-d", tf, "--framework", "terraform", "--skip-download", "--quiet",
                   "--compact", "-o", "json"]
            m = measure(cmd, TOOL_REPS)
            side.append(("policy checks on the generated Terraform", n, "dharma validate (blueprint)",
                         ours[("validate", n)], "checkov -d (terraform)", m))
        if OPA:
            mine = measure([DHARMA, "validate", plan, "--format", "json", "--today", "2026-06-01"], REPS)
            cmd = [OPA, "eval", "-f", "json", "-d", os.path.join(ROOT, "policies"), "--ignore", "*.yaml",
                   "-i", plan, "data.dharma.findings"]
            m = measure(cmd, TOOL_REPS, ok_codes=(0,))
            side.append(("built-in Rego on the same plan JSON", n, "dharma validate (plan JSON)", mine,
                         "opa eval", m))
        if CFN_LINT:
            # cfn-lint exits with bit flags for errors/warnings/infos (2, 4, 8): all mean "ran".
            m = measure([CFN_LINT, *cfn_files], TOOL_REPS, ok_codes=tuple(range(0, 32)))
            side.append(("CloudFormation: generate, then lint it", n, "dharma generate cloudformation",
                         ours[("generate cloudformation", n)], "cfn-lint", m))
        for row in side[-3:]:
            if row[1] == n:
                t = row[5]
                print(f"  {row[4]:24s} {n:>6}  " + (f"{ms(t['median']):>8} ms  {t['rss_mb']:6.1f} MB" if t else "timeout"),
                      flush=True)

    bind = binding_overhead(ours)

    load_after = loadavg()
    model, cores, mem = machine()
    write_results(started, load_before, load_after, model, cores, mem, counts, ours, side, bind)
    plot(counts, ours, side)


def inprocess(cmd):
    """Runs one in-process timing program; returns its median ms, or None when it failed."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])["median_ms"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as e:
        err = getattr(e, "stderr", "") or ""
        print(f"    left out: {' '.join(cmd)}: {e} {err[-400:]}", flush=True)
        return None


def binding_overhead(ours):
    """{verb: {side: median ms}} for the engine in-process from Rust, Python and Node, and the
    CLI's whole process, at BIND_SIZE resources."""
    if not INPROCESS:
        return {}
    n = BIND_SIZE
    if not os.path.exists(inp(n)):
        subprocess.run([os.path.join(os.path.dirname(INPROCESS), "compare_inputs"), WORK, str(n)], check=True)
    here = os.path.dirname(os.path.abspath(__file__))
    print(f"binding overhead at N={n:,}, {BIND_REPS} runs each", flush=True)
    bind = {}
    for verb in BIND_VERBS:
        row = {"core (Rust, in-process)": inprocess([INPROCESS, inp(n), verb, str(BIND_REPS)])}
        if PYTHON_BIND:
            row["Python iac_dharma"] = inprocess([PYTHON_BIND, os.path.join(here, "inprocess.py"), inp(n), verb,
                                                  str(BIND_REPS)])
        if NODE_BIND:
            row["Node @iac-dharma/node"] = inprocess([NODE_BIND, os.path.join(here, "inprocess.mjs"), inp(n), verb,
                                                      str(BIND_REPS)])
        cli = ours.get((verb, n))
        if cli is None:
            cmd = dharma_verbs(n)[[v for v, _ in dharma_verbs(n)].index(verb)][1]
            measure(cmd, 1)
            cli = measure(cmd, REPS)
        row["dharma CLI (whole process)"] = cli["median"] * 1000
        bind[verb] = row
        print("  " + verb + ": " + ", ".join(f"{k} {v:.1f} ms" for k, v in row.items() if v is not None), flush=True)
    return bind


def binding_lines(bind, when=None):
    """The binding-overhead section of RESULTS.md (empty without measurements); `when`: a line
    saying when it was measured, for a section regenerated on its own (ONLY_BINDINGS=1)."""
    L = []
    if not bind:
        return L
    sides = []
    for row in bind.values():
        for k in row:
            if k not in sides:
                sides.append(k)
    L.append(f"## Binding overhead: the engine in-process from Rust, Python and Node vs the CLI (N={BIND_SIZE:,}, median ms)")
    L.append("")
    head = "| verb | " + " | ".join(sides) + " | overhead over core |"
    L.append(head)
    L.append("|" + "---|" * (head.count("|") - 1))
    for verb, row in bind.items():
        core = row.get("core (Rust, in-process)")
        cells = [f"{row[k]:,.1f}" if row.get(k) is not None else "n/a" for k in sides]
        over = []
        for k in sides:
            if k != "core (Rust, in-process)" and core and row.get(k) is not None:
                label = "CLI" if k.startswith("dharma") else k.split()[0]
                over.append(f"{label} {row[k] / core:.2f}x")
        L.append(f"| `{verb}` | " + " | ".join(cells) + f" | {', '.join(over) or 'n/a'} |")
    L.append("")
    if when:
        L.append(when)
    L.append(f"- Each in-process run parses and checks the blueprint text (read once), runs the verb and drops the "
             f"result, {BIND_REPS} runs after 2 warm-up runs (median); the built-in policy set and price catalog are "
             "loaded once, as a service loads them. Python (`iac_dharma`, installed with `pip install ./bindings/python`, "
             "a release build) and Node (`@iac-dharma/node`, `npm run build`, release) also build their result objects; "
             "`benches/examples/inprocess_timing.rs`, `compare/inprocess.py` and `compare/inprocess.mjs` are the three "
             "timing programs. The CLI column is the whole process (start, read, parse, verb, JSON output to a file), "
             "measured as in the per-verb table.")
    L.append("")
    return L


def write_results(started, load_before, load_after, model, cores, mem, counts, ours, side, bind):
    verbs = [v for v, _ in dharma_verbs(SIZES[0])]
    L = []
    L.append("# Whole-process performance of the `dharma` CLI, and the tools it replaces")
    L.append("")
    L.append("<!-- Generated by benches/compare/run.sh; do not edit by hand: rerun it. -->")
    L.append("")
    L.append("Regenerate with `benches/compare/run.sh` (not part of CI; it builds the release CLI, writes the")
    L.append("synthetic blueprints with `cargo run --release -p iac-dharma-bench --example compare_inputs`,")
    L.append("installs matplotlib into `.cache/plot-venv`, and uses Checkov and OPA from `.cache/` as")
    L.append("`scripts/test.d/30-policy-tools.sh` installs them, and `cfn-lint` from PATH or `.cache/cfnlint-venv`).")
    L.append("Knobs: `REPS` (dharma runs per command, median reported), `TOOL_REPS`, `SIZES`, `TOOL_SIZES`.")
    L.append("In-process numbers (no process start, no file I/O) are the criterion benches in `benches/benches/`.")
    L.append("")
    L.append(f"- Date: {started:%Y-%m-%d %H:%M} UTC")
    L.append(f"- Machine: {model}, {cores} logical CPUs, {mem} RAM, {platform.system()} {platform.release()}")
    L.append(f"- Load average (1/5/15 min) before: {load_before}; after: {load_after} — the machine is shared, "
             "so absolute times are inflated and noisy; the side-by-side ratios were measured in the same run")
    L.append(f"- dharma: {version([DHARMA, '--version'])}; runs per dharma command: {REPS} (median; peak RSS is the max)")
    tools = []
    if CHECKOV:
        tools.append(f"checkov {version([*CHECKOV, '--version'])}")
    if OPA:
        tools.append(version([OPA, "version"]).replace("Version: ", "opa "))
    if CFN_LINT:
        tools.append(version([CFN_LINT, "--version"]))
    L.append(f"- Other tools: {', '.join(tools) or 'none found'}; runs per tool command: {TOOL_REPS}")
    L.append("- Input: `synthetic_aws(N)` from `benches/src/lib.rs` (networks, compute, storage, databases, IAM "
             "with references, ~10% misconfigured); `plan` diffs it against `synthetic_aws_changed` (10% changed); "
             "`generate cloudformation` gets it without `aws_instance.root_block_device` (no CloudFormation equivalent, "
             "rejected as `unmapped_property`).")
    L.append("- Peak RSS: GNU `/usr/bin/time -f %M` around each command.")
    L.append("")
    L.append("## dharma, per verb (wall time of the whole process, median ms / peak RSS MB)")
    L.append("")
    head = "| verb | " + " | ".join(f"N={n:,} ({counts[n]:,} resources)" for n in SIZES) + " |"
    if len(SIZES) >= 2:
        head += f" growth {SIZES[-1]:,}/{SIZES[-2]:,} |"
    L.append(head)
    L.append("|" + "---|" * (head.count("|") - 1))
    for v in verbs:
        cells = []
        for n in SIZES:
            m = ours[(v, n)]
            cells.append(f"{ms(m['median'])} ms / {m['rss_mb']:.0f} MB")
        row = f"| `{v}` | " + " | ".join(cells) + " |"
        if len(SIZES) >= 2:
            row += f" {ours[(v, SIZES[-1])]['median'] / ours[(v, SIZES[-2])]['median']:.1f}x |"
        L.append(row)
    L.append("")
    L.append("Whole-process times include process start, reading and parsing the file and writing the output "
             "(to a file in the work folder); the growth column is time at the largest size over the next one.")
    L.append("")
    if side:
        L.append("## Side by side on the same input (wall time ms / peak RSS MB)")
        L.append("")
        L.append("| comparison | N | dharma | other tool | ratio (tool / dharma) |")
        L.append("|---|---|---|---|---|")
        for what, n, ol, om, tl, tm in side:
            theirs = f"{tl}: {ms(tm['median'])} ms / {tm['rss_mb']:.0f} MB" if tm else f"{tl}: timed out ({TIMEOUT:.0f} s)"
            ratio = f"{tm['median'] / om['median']:,.0f}x" if tm else f"> {TIMEOUT / om['median']:,.0f}x"
            L.append(f"| {what} | {n:,} | {ol}: {ms(om['median'])} ms / {om['rss_mb']:.0f} MB | {theirs} | {ratio} |")
        L.append("")
        L.append("- Checkov scans the Terraform that `dharma generate --format terraform` wrote for the same blueprint "
                 "(`checkov -d DIR --framework terraform --skip-download`, offline); its checks are a superset of ours, "
                 "so this compares the tools a user would run, not identical work.")
        L.append("- `opa eval` runs our built-in policies (`policies/`) unchanged on the plan JSON that "
                 "`dharma validate --emit-input` renders; dharma validates that same file.")
        L.append("- cfn-lint lints the template `dharma generate --format cloudformation` wrote.")
        L.append("")
    L.extend(binding_lines(bind))
    L.append("![time vs resources, log-log](compare/time-vs-resources.png)")
    L.append("")
    with open(RESULTS, "w") as f:
        f.write("\n".join(L))
    print(f"wrote {RESULTS}")


def plot(counts, ours, side):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    verbs = [v for v, _ in dharma_verbs(SIZES[0])]
    for v in verbs:
        xs = [counts[n] for n in SIZES]
        ys = [ours[(v, n)]["median"] * 1000 for n in SIZES]
        ax.plot(xs, ys, marker="o", label=f"dharma {v}")
    tools = {}
    for _, n, _, _, tl, tm in side:
        if tm:
            tools.setdefault(tl, []).append((counts.get(n, n), tm["median"] * 1000))
    for tl, pts in tools.items():
        xs, ys = zip(*sorted(pts))
        ax.plot(xs, ys, marker="s", linestyle="--", label=tl)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("resources in the blueprint")
    ax.set_ylabel("wall time of the whole process (ms)")
    ax.set_title(f"dharma CLI vs other tools (load avg {loadavg().split()[0]}, {datetime.date.today()})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(PLOT)
    print(f"wrote {PLOT}")


if __name__ == "__main__":
    main()
