#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ for a fixed time budget each (issue 11). Not part of
# scripts/test.sh: CI runs the regression inputs (core/tests/fuzz_regressions.rs) instead.
#
#   scripts/fuzz.sh [seconds-per-target] [targets...]      (default: 60 s, every target)
#
# Needs a nightly toolchain (rustup toolchain install nightly); installs cargo-fuzz if missing.
# Environment: FUZZ_TOOLCHAIN (nightly), FUZZ_RSS_MB (1536), FUZZ_TIMEOUT (seconds per input, 10),
# FUZZ_SANITIZER (none: the engine and its bindings are `unsafe`-free Rust, so the time goes to
# executions; set `address` for ASan), FUZZ_NICE (10), FUZZ_ARGS (more libFuzzer flags).
# libFuzzer's new inputs go to .cache/fuzz/corpus/<target> (git-ignored); the committed seeds in
# fuzz/corpus/<target> are only read; fuzz/*.dict (made with the seeds by fuzz/make_seeds.py)
# give the words of blueprints and of Terraform plans/states. Crashes land in
# fuzz/artifacts/<target>/ (git-ignored); each run appends one line to .cache/fuzz/runs.tsv.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/lib.sh"
ensure_cargo

ALL_TARGETS=(parse_json parse_yaml generate validate estimate plan_diff tf_plan tf_state)
SECS="${1:-60}"
[ "$#" -gt 0 ] && shift
TARGETS=("$@")
[ "${#TARGETS[@]}" -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
case "$SECS" in ''|*[!0-9]*) echo "usage: $0 [seconds-per-target] [targets...]" >&2; exit 2 ;; esac
for t in "${TARGETS[@]}"; do
  case " ${ALL_TARGETS[*]} " in *" $t "*) ;; *) echo "unknown target $t (one of: ${ALL_TARGETS[*]})" >&2; exit 2 ;; esac
done

TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"
SANITIZER="${FUZZ_SANITIZER:-none}"
NICE="${FUZZ_NICE:-10}"
if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1; then
  echo "no $TOOLCHAIN toolchain: rustup toolchain install $TOOLCHAIN --profile minimal" >&2
  exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  section "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || exit 2
fi

cd "$ROOT/fuzz" || exit 2
# -a: debug assertions and overflow checks on, so arithmetic overflow is a crash too.
FLAGS=(-s "$SANITIZER" -a)
section "building the fuzz targets ($TOOLCHAIN, sanitizer $SANITIZER)"
nice -n "$NICE" cargo "+$TOOLCHAIN" fuzz build "${FLAGS[@]}" || exit 2

mkdir -p "$ROOT/.cache/fuzz/logs"
RUNS="$ROOT/.cache/fuzz/runs.tsv"
status=0
summary=()
for t in "${TARGETS[@]}"; do
  work="$ROOT/.cache/fuzz/corpus/$t"
  mkdir -p "$work" "artifacts/$t"
  log="$ROOT/.cache/fuzz/logs/$t.$(date -u +%Y%m%dT%H%M%S).$$.log"
  case "$t" in tf_plan|tf_state) dict=terraform.dict ;; *) dict=blueprint.dict ;; esac
  section "$t: ${SECS}s"
  # shellcheck disable=SC2086
  nice -n "$NICE" cargo "+$TOOLCHAIN" fuzz run "${FLAGS[@]}" "$t" "$work" "corpus/$t" -- \
    -max_total_time="$SECS" -rss_limit_mb="${FUZZ_RSS_MB:-1536}" -timeout="${FUZZ_TIMEOUT:-10}" \
    -print_final_stats=1 -dict="$dict" -artifact_prefix="artifacts/$t/" ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  found="$(grep -oE '(crash|timeout|oom|leak|slow-unit)-[0-9a-f]+' "$log" | sort -u | tr '\n' ' ')"
  if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED(rc=$rc) ${found}"; status=1; fi
  summary+=("$(printf '%-11s %6ss %12s execs  %s' "$t" "$SECS" "${execs:-?}" "$result")")
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$SECS" "${execs:-?}" "$result" >>"$RUNS"
  tail -n 3 "$log"
  if [ "$rc" -ne 0 ]; then
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -5
    echo "log: $log"
  fi
done

section "summary"
printf '%s\n' "${summary[@]}"
echo "all runs so far: $RUNS"
exit "$status"
