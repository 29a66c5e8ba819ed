// Binding overhead: the same work from JS (through the addon) and from Rust (core directly), on
// the same 1,000-resource synthetic blueprint (`iac_dharma_bench::synthetic_aws_text`, the one
// the criterion benches use). The Rust side is `examples/core_timing.rs`, built by this script
// in release mode (`cargo build --release --example core_timing`) unless CORE_TIMING names it.
// Compares the median of RUNS runs (default 50) of parse + check, + estimate, + generate.
//
//   node bench/overhead.mjs [resources] [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Blueprint } from '@iac-dharma/node';

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

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const jsWork = {
  check: () => Blueprint.fromJson(text),
  estimate: () => Blueprint.fromJson(text).estimate(),
  generate: () => Blueprint.fromJson(text).generate('terraform'),
};

const rows = {};
for (const [verb, work] of Object.entries(jsWork)) {
  const rust = median(JSON.parse(execFileSync(bin, ['time', file, verb, String(runs)])).ms);
  for (let i = 0; i < 3; i++) work();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  const js = median(times);
  rows[`parse + check${verb === 'check' ? '' : ` + ${verb}`}`] = {
    rust_ms: +rust.toFixed(2), node_ms: +js.toFixed(2), overhead_pct: +((js / rust - 1) * 100).toFixed(1),
  };
}
console.log(`${n} resources (${(text.length / 1e3).toFixed(0)} kB JSON), median of ${runs} runs:`);
console.table(rows);
