// Binding overhead: the same work from JS (through the addon) and from Rust (core directly), on
// the same 1,000-resource synthetic blueprint (`iac_dharma_bench::synthetic_aws_text`, the one
// the criterion benches use). The Rust side is `examples/core_timing.rs`, built by this script
// in release mode (`cargo build --release --example core_timing`) unless CORE_TIMING names it.
// Compares RUNS runs (default 50) of parse + check, + validate (built-in policies, compiled
// once on both sides), + estimate, + generate: the mean CPU time of
// the calling thread (robust on a busy machine; Linux only) and the median wall time.
// The Rust side drops the engine's result; the Node side reads it in two ways, reported as two
// overheads: "read <field>" is the call and one summary field read (`passed`,
// `total_monthly`, the file names), the binding overhead a caller that checks a verdict or a
// total pays (large members are built only when read); "read all" reads every value of the
// result (full materialization: the engine's JSON written and parsed into JS objects).
//
//   node --expose-gc bench/overhead.mjs [resources] [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Blueprint, PolicySet } from '@iac-dharma/node';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const [n = 1000, runs = 50] = process.argv.slice(2).map(Number);

let bin = process.env.CORE_TIMING;
if (!bin) {
  execFileSync('cargo', ['build', '--quiet', '--release', '--locked', '-p', 'iac-dharma-node', '--example', 'core_timing'], { cwd: ROOT, stdio: 'inherit' });
  bin = join(ROOT, 'target', 'release', 'examples', 'core_timing');
}
const file = join(mkdtempSync(join(tmpdir(), 'dharma-bench-')), `bp-${n}.json`);
writeFileSync(file, execFileSync(bin, ['blueprint', String(n)], { maxBuffer: 1 << 30 }));
const text = readFileSync(file, 'utf8');

/** CPU time of this (the JS) thread in ms: Linux's /proc/thread-self/schedstat. */
const cpuMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const policies = PolicySet.builtin();

/** Reads every value of a result (every member, item and string): full materialization. */
function touchAll(value) {
  if (value === null || typeof value !== 'object') return 1;
  let n = 0;
  if (Array.isArray(value)) for (const item of value) n += touchAll(item);
  else for (const key of Object.keys(value)) n += touchAll(value[key]);
  return n;
}

// Each verb twice: the call and one summary field read (what a caller that checks `passed` or a
// total pays: large members such as `findings` or `resources` are built only when read), and
// the call with every value of the result read (what a caller that walks the whole result pays).
const verbs = {
  check: ['check', () => Blueprint.fromJson(text).name],
  'validate, read passed': ['validate', () => Blueprint.fromJson(text).validate(policies, { today: '2026-06-01' }).passed],
  'validate, read all': ['validate', () => touchAll(Blueprint.fromJson(text).validate(policies, { today: '2026-06-01' }))],
  'estimate, read total_monthly': ['estimate', () => Blueprint.fromJson(text).estimate().total_monthly],
  'estimate, read all': ['estimate', () => touchAll(Blueprint.fromJson(text).estimate())],
  'generate, read file names': ['generate', () => Object.keys(Blueprint.fromJson(text).generate('terraform')).length],
  'generate, read all': ['generate', () => touchAll(Blueprint.fromJson(text).generate('terraform'))],
};
// The verb alone, on a blueprint parsed and checked once (Rust: `VERB-only`): the overhead of
// the call and of its result, without the cost of reading the blueprint's text.
const parsed = Blueprint.fromJson(text);
Object.assign(verbs, {
  'validate only, read passed': ['validate-only', () => parsed.validate(policies, { today: '2026-06-01' }).passed],
  'validate only, read all': ['validate-only', () => touchAll(parsed.validate(policies, { today: '2026-06-01' }))],
  'estimate only, read total_monthly': ['estimate-only', () => parsed.estimate().total_monthly],
  'estimate only, read all': ['estimate-only', () => touchAll(parsed.estimate())],
});

const rows = {};
const rustRuns = {};
for (const [name, [verb, work]] of Object.entries(verbs)) {
  rustRuns[verb] ??= JSON.parse(execFileSync(bin, ['time', file, verb, String(runs)]));
  const rust = rustRuns[verb];
  for (let i = 0; i < 3; i++) work();
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const [t0, c0] = [performance.now(), cpuMs()];
    work();
    times.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  // The Rust runs free each blueprint before the next; in JS a Blueprint's memory is freed when
  // the GC finalizes it, so back-to-back runs allocate fresh memory. With --expose-gc, the same
  // runs again with a collection (untimed) between them: the cost of the binding alone.
  const cpuGc = [];
  if (typeof globalThis.gc === 'function') {
    for (let i = 0; i < runs; i++) {
      globalThis.gc();
      const c0 = cpuMs();
      work();
      cpuGc.push(cpuMs() - c0);
    }
  }
  // CPU time: the mean (the kernel adds a running thread's time at scheduler ticks, so a single
  // run's reading is quantized, but the sum over all runs is exact to a tick or two).
  const [rustWall, rustCpu, jsWall, jsCpu] = [median(rust.ms), mean(rust.cpu_ms), median(times), mean(cpu)];
  const label = name.includes(' only') ? name : `parse + ${name === 'check' ? 'check, read name' : `check + ${name}`}`;
  rows[label] = {
    rust_cpu_ms: +rustCpu.toFixed(2), node_cpu_ms: +jsCpu.toFixed(2), overhead_cpu_pct: +((jsCpu / rustCpu - 1) * 100).toFixed(1),
    rust_wall_ms: +rustWall.toFixed(2), node_wall_ms: +jsWall.toFixed(2),
  };
  if (cpuGc.length) {
    const g = mean(cpuGc);
    Object.assign(rows[label], {
      node_cpu_ms_gc_between: +g.toFixed(2), overhead_cpu_pct_gc_between: +((g / rustCpu - 1) * 100).toFixed(1),
    });
  }
}
console.log(`${n} resources (${(text.length / 1e3).toFixed(0)} kB JSON), ${runs} runs (CPU: mean, wall: median):`);
console.table(rows);
