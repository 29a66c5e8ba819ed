// The engine called in-process from Node (the `@iac-dharma/node` addon), timed as
// `benches/examples/inprocess_timing.rs` times it from Rust, for the binding-overhead rows of
// benches/compare/run.sh: the blueprint text is read once; each run parses and checks it
// (`Blueprint.fromJson`), then runs the verb and drops the result (the policy set and the price
// catalog are loaded once). Prints {"verb", "runs", "median_ms", "min_ms"} as JSON.
//
//   node benches/compare/inprocess.mjs FILE validate|estimate [RUNS]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Blueprint, PolicySet, PriceCatalog } = require(
  fileURLToPath(new URL('../../bindings/node/lib/index.js', import.meta.url)),
);

const [file, verb, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 20);
const text = readFileSync(file, 'utf8');
const policySet = PolicySet.builtin();
const catalog = PriceCatalog.builtin();
const work = {
  validate: () => Blueprint.fromJson(text).validate(policySet, { today: '2026-06-01' }),
  estimate: () => Blueprint.fromJson(text).estimate({ catalog }),
}[verb];
if (!work) {
  console.error(`unknown verb ${verb}: validate or estimate`);
  process.exit(2);
}
const times = [];
for (let i = 0; i < runs + 2; i++) {
  const t = performance.now();
  work();
  // The first two runs warm the lazily loaded catalogs.
  if (i >= 2) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const mid = times.length >> 1;
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
console.log(JSON.stringify({ verb, runs, median_ms: median, min_ms: times[0] }));
