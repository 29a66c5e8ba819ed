// Binding overhead: the same work from JS (through the addon) and from Rust (core directly), on
// the same 1,000-resource synthetic blueprint (`iac_dharma_bench::synthetic_aws_text`, the one
// the criterion benches use). The Rust side is `examples/core_timing.rs`, built by this script
// in release mode (`cargo build --release --example core_timing`) unless CORE_TIMING names it.
// Compares RUNS runs (default 50) of parse + check, + validate (built-in policies, compiled
// once on both sides), + estimate, + generate: the mean CPU time of
// the calling thread (robust on a busy machine; Linux only) and the median wall time.
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
const jsWork = {
  check: () => Blueprint.fromJson(text),
  validate: () => Blueprint.fromJson(text).validate(policies, { today: '2026-06-01' }),
  estimate: () => Blueprint.fromJson(text).estimate(),
  generate: () => Blueprint.fromJson(text).generate('terraform'),
};

const rows = {};
for (const [verb, work] of Object.entries(jsWork)) {
  const rust = JSON.parse(execFileSync(bin, ['time', file, verb, String(runs)]));
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
  rows[`parse + check${verb === 'check' ? '' : ` + ${verb}`}`] = {
    rust_cpu_ms: +rustCpu.toFixed(2), node_cpu_ms: +jsCpu.toFixed(2), overhead_cpu_pct: +((jsCpu / rustCpu - 1) * 100).toFixed(1),
    rust_wall_ms: +rustWall.toFixed(2), node_wall_ms: +jsWall.toFixed(2),
  };
  if (cpuGc.length) {
    const g = mean(cpuGc);
    Object.assign(rows[`parse + check${verb === 'check' ? '' : ` + ${verb}`}`], {
      node_cpu_ms_gc_between: +g.toFixed(2), overhead_cpu_pct_gc_between: +((g / rustCpu - 1) * 100).toFixed(1),
    });
  }
}
console.log(`${n} resources (${(text.length / 1e3).toFixed(0)} kB JSON), ${runs} runs (CPU: mean, wall: median):`);
console.table(rows);
