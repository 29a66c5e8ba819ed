// Binding overhead: the same work from JS (through the addon) and from Rust (core directly), on
// the same 1,000-resource synthetic blueprint (`iac_dharma_bench::synthetic_aws_text`, the one
// the criterion benches use). The Rust side is `examples/core_timing.rs`, built by this script
// in release mode (`cargo build --release --example core_timing`) unless CORE_TIMING names it.
//
// What is compared: RUNS runs (default 100) of the same work on the same input, both sides warm
// (a few runs first; the built-in policies compiled once before the runs on both sides, `today`
// 2026-06-01): parse + check, + validate, + estimate, + generate, and each verb alone on a
// blueprint parsed once (`VERB-only` on the Rust side). The Rust side drops the engine's result
// in the timed loop. The Node side runs each call as its own task (the call, then
// `await setImmediate()`, as a service runs one request per task), so that V8 can collect the
// previous results and the addon can free their native memory, as the Rust side frees each
// result before the next run; the time of those collections and of the turns of the loop is
// counted. It reads the result in two ways, reported as two overheads: "read <field>" is the
// call and one summary field read (`passed`, `total_monthly`, the file names), what a caller
// that checks a verdict or a total pays (large members are built only when read); "read all"
// reads every value of the result (full materialization: the engine's JSON written and parsed
// into JS objects). Rows marked "dispose" call `dispose()` on the result (and on the blueprint
// they parsed) after reading it, as the Rust side drops them: the native memory is freed at
// once (on the addon's release thread) instead of when V8 collects the objects.
//
// The measures, both sides: the CPU time of the calling thread (mean over the runs; robust on a
// busy machine; Linux only), the CPU time of the whole process (mean: the policy threads of
// `validate` and V8's collector threads included) and the median wall time of a call (which a
// busy machine inflates). Each Node row runs RUNS times untimed first, so that the process is in
// its steady state (see the warm-up below).
//
// Same lifetimes: a result or blueprint left to V8 is freed when V8 collects it, some calls
// later, while the Rust side frees each one before the next run, in memory still in cache. The
// untimed warm-up of each Node row counts, for every blueprint and result it leaves to V8, how
// many calls later V8 let it go (a FinalizationRegistry; `freed_after_calls` is the median), and
// the Rust side runs that row again keeping each run's blueprint and result alive for that many
// runs (`core_timing time FILE VERB RUNS KEEP`). The `*_same_lifetime_pct` columns compare the
// Node row with that run: the binding's cost with the memory's lifetime the same on both sides
// (rows with `dispose()` free at once on both sides, so both comparisons are the same there).
//
// `--only <text>` runs only the rows whose label contains the text (`--only only`: the verbs
// alone). Each row runs in a Node process of its own (this script, with the row named in
// DHARMA_OVERHEAD_ROW), as each Rust row does: what one row leaves behind (a heap grown by
// reading whole results, native memory V8 has not collected yet) would be counted in the
// next row's calls otherwise (measured: `validate` alone +49% after the row without
// `dispose()`, +4% in a process of its own).
//
// The addon allocates with mimalloc (src/lib.rs). The Rust side allocates with glibc's malloc,
// as a Rust program does by default, unless `--same-allocator` builds it with mimalloc too
// (the `mimalloc-baseline` feature): then the difference is the binding's alone, not the
// allocators'.
//
//   node bench/overhead.mjs [resources] [runs] [--json] [--only <text>] [--same-allocator]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTask } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Blueprint, PolicySet } from '@iac-dharma/node';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : '';
const sameAllocator = args.includes('--same-allocator');
const [n = 1000, runs = 100] = args.filter((a) => /^\d+$/.test(a)).map(Number);

const child = process.env.DHARMA_OVERHEAD_ROW;
let bin = process.env.CORE_TIMING;
if (!bin) {
  const features = sameAllocator ? ['--features', 'mimalloc-baseline'] : [];
  execFileSync('cargo', ['build', '--quiet', '--release', '--locked', '-p', 'iac-dharma-node', ...features, '--example', 'core_timing'], { cwd: ROOT, stdio: 'inherit' });
  bin = join(ROOT, 'target', 'release', 'examples', 'core_timing');
}
const file = process.env.DHARMA_OVERHEAD_FILE ?? join(mkdtempSync(join(tmpdir(), 'dharma-bench-')), `bp-${n}.json`);
if (!process.env.DHARMA_OVERHEAD_FILE) {
  writeFileSync(file, execFileSync(bin, ['blueprint', String(n)], { maxBuffer: 1 << 30 }));
}
const text = readFileSync(file, 'utf8');

/** CPU time of this (the JS) thread in ms: Linux's /proc/thread-self/schedstat. */
const threadMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
/** CPU time of the whole process in ms (user + system, every thread). */
const processMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
};

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const policies = PolicySet.builtin();
const today = { today: '2026-06-01' };

/** Reads every value of a result (every member, item and string): full materialization. */
function touchAll(value) {
  if (value === null || typeof value !== 'object') return 1;
  let count = 0;
  if (Array.isArray(value)) for (const item of value) count += touchAll(item);
  else for (const key of Object.keys(value)) count += touchAll(value[key]);
  return count;
}

// How many calls after it was made V8 let each tracked blueprint or result go (the warm-up of a
// row records it; the timed runs track nothing).
let callIndex = 0;
let lifetimes = null;
const registry = new FinalizationRegistry((madeAt) => lifetimes?.push(callIndex - madeAt));
/** `value`, tracked while lifetimes are recorded. */
function track(value) {
  if (lifetimes && value !== null && typeof value === 'object') registry.register(value, callIndex);
  return value;
}

/** `read(result)`, then `result.dispose()` (and the blueprint's, when given). */
function disposing(result, read, bp) {
  const value = read(result);
  result.dispose();
  bp?.dispose();
  return value;
}
/** Parses, runs `verb` on the blueprint, reads and disposes both. */
const fresh = (verb, read) => () => {
  const bp = Blueprint.fromJson(text);
  return disposing(verb(bp), read, bp);
};

// [label, Rust verb, work]
const parsed = Blueprint.fromJson(text);
const verbs = [
  ['parse + check, read name', 'check', () => track(Blueprint.fromJson(text)).name],
  ['parse + check, read name, dispose', 'check', () => disposing(Blueprint.fromJson(text), (bp) => bp.name)],
  ['parse + check + validate, read passed', 'validate', () => track(track(Blueprint.fromJson(text)).validate(policies, today)).passed],
  ['parse + check + validate, read passed, dispose', 'validate', fresh((bp) => bp.validate(policies, today), (r) => r.passed)],
  ['parse + check + validate, read all', 'validate', () => touchAll(track(track(Blueprint.fromJson(text)).validate(policies, today)))],
  ['parse + check + estimate, read total_monthly', 'estimate', () => track(track(Blueprint.fromJson(text)).estimate()).total_monthly],
  ['parse + check + estimate, read total_monthly, dispose', 'estimate', fresh((bp) => bp.estimate(), (r) => r.total_monthly)],
  ['parse + check + estimate, read all', 'estimate', () => touchAll(track(track(Blueprint.fromJson(text)).estimate()))],
  ['parse + check + generate, read file names', 'generate', () => Object.keys(track(track(Blueprint.fromJson(text)).generate('terraform'))).length],
  ['parse + check + generate, read all', 'generate', () => touchAll(track(track(Blueprint.fromJson(text)).generate('terraform')))],
  // The verb alone, on a blueprint parsed and checked once: the overhead of the call and of its
  // result, without the cost of reading the blueprint's text.
  ['validate only, read passed', 'validate-only', () => track(parsed.validate(policies, today)).passed],
  ['validate only, read passed, dispose', 'validate-only', () => disposing(parsed.validate(policies, today), (r) => r.passed)],
  ['validate only, read all', 'validate-only', () => touchAll(track(parsed.validate(policies, today)))],
  ['estimate only, read total_monthly', 'estimate-only', () => track(parsed.estimate()).total_monthly],
  ['estimate only, read total_monthly, dispose', 'estimate-only', () => disposing(parsed.estimate(), (r) => r.total_monthly)],
  ['estimate only, read all', 'estimate-only', () => touchAll(track(parsed.estimate()))],
];

/** Runs `work` `count` times: per-run wall times, and the thread's and process's CPU means. */
async function measure(work, count) {
  const times = [];
  const [t0, p0] = [threadMs(), processMs()];
  for (let i = 0; i < count; i++) {
    const w0 = performance.now();
    work();
    times.push(performance.now() - w0);
    callIndex++;
    await nextTask();
  }
  return { wall: median(times), thread: (threadMs() - t0) / count, process: (processMs() - p0) / count };
}

if (child) {
  // One row, in this process of its own: the measure as JSON on stdout.
  const [, , work] = verbs.find(([label]) => label === child);
  // Warm-up as long as the measure: the process reaches its steady state (V8 collects unread
  // results and blueprints as their native memory grows; until the first collections, each
  // run gets memory new to the process).
  lifetimes = [];
  await measure(work, runs);
  const freed = lifetimes;
  lifetimes = null;
  // Rows that dispose (or track nothing) free at once.
  const freedAfter = freed.length ? Math.round(median(freed)) : 0;
  console.log(JSON.stringify({ ...(await measure(work, runs)), freedAfter }));
  process.exit(0);
}

const pct = (node, rust) => +((node / rust - 1) * 100).toFixed(1);
const rows = {};
const rustRuns = {};
for (const [label, verb] of verbs.filter(([label]) => label.includes(only))) {
  rustRuns[verb] ??= JSON.parse(execFileSync(bin, ['time', file, verb, String(runs)]));
  const rust = rustRuns[verb];
  const node = JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(n), String(runs)], {
      env: { ...process.env, DHARMA_OVERHEAD_ROW: label, DHARMA_OVERHEAD_FILE: file, CORE_TIMING: bin },
    }),
  );
  const keep = node.freedAfter;
  const rustKept = keep > 0 ? JSON.parse(execFileSync(bin, ['time', file, verb, String(runs), String(keep)])) : rust;
  const [rustThread, rustProcess] = [mean(rust.cpu_ms), rust.process_cpu_ms / runs];
  const [keptThread, keptProcess] = [mean(rustKept.cpu_ms), rustKept.process_cpu_ms / runs];
  rows[label] = {
    rust_thread_ms: +rustThread.toFixed(3),
    node_thread_ms: +node.thread.toFixed(3),
    thread_overhead_pct: pct(node.thread, rustThread),
    rust_process_ms: +rustProcess.toFixed(3),
    node_process_ms: +node.process.toFixed(3),
    process_overhead_pct: pct(node.process, rustProcess),
    rust_wall_ms: +median(rust.ms).toFixed(3),
    node_wall_ms: +node.wall.toFixed(3),
    freed_after_calls: keep,
    thread_same_lifetime_pct: pct(node.thread, keptThread),
    process_same_lifetime_pct: pct(node.process, keptProcess),
  };
}
if (asJson) {
  console.log(JSON.stringify({ resources: n, bytes: text.length, runs, rows }));
} else {
  const rustAllocator = process.env.CORE_TIMING ? `CORE_TIMING=${bin}` : sameAllocator ? 'mimalloc, as the addon' : "glibc's malloc";
  console.log(`${n} resources (${(text.length / 1e3).toFixed(0)} kB JSON), ${runs} runs (CPU: mean, wall: median; Rust side: ${rustAllocator}):`);
  console.table(rows);
}
