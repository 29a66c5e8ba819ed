// Does an async call keep the event loop free? Runs each async variant on a large synthetic
// blueprint (default 10,000 resources) while a 1 ms interval timer ticks, and reports the
// timer's worst lag and the event loop delay (perf_hooks.monitorEventLoopDelay): the target is
// a lag under 5 ms. The sync call is shown for contrast (it blocks the loop for its whole run).
//
//   node bench/event-loop.mjs [resources] [--json]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Blueprint } from '@iac-dharma/node';
import { syntheticAws } from '../test/helpers.mjs';

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10_000);
const asJson = process.argv.includes('--json');
const text = JSON.stringify(syntheticAws(n));

async function lagDuring(work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let worst = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
    ticks++;
  }, 1);
  // Let the timer settle before the call.
  await new Promise((r) => setTimeout(r, 20));
  h.enable();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  clearInterval(timer);
  return { call_ms: +ms.toFixed(1), timer_worst_lag_ms: +worst.toFixed(2), loop_delay_max_ms: +(h.max / 1e6).toFixed(2), loop_delay_p99_ms: +(h.percentile(99) / 1e6).toFixed(2), ticks };
}

const bp = Blueprint.fromJson(text);
const rows = {};
// What the JS thread must do in any case: turn the result into objects (JSON.parse of the
// engine's JSON), shown as the result size and that parse time.
const sizes = {};
for (const [name, value] of [['estimate', bp.estimate()], ['generate', bp.generate('terraform')], ['costDiff', bp.costDiff(bp)]]) {
  const json = JSON.stringify(value);
  const t0 = performance.now();
  JSON.parse(json);
  sizes[name] = { result_mb: +(json.length / 1e6).toFixed(2), json_parse_ms: +(performance.now() - t0).toFixed(1) };
}
// Warm up (first calls load the catalogs).
bp.estimate({ skipOptimizations: true });
bp.generate('terraform');
rows['idle 300 ms (noise floor)'] = await lagDuring(() => new Promise((r) => setTimeout(r, 300)));
rows['fromJson (sync, for contrast)'] = await lagDuring(async () => Blueprint.fromJson(text));
rows['fromJsonAsync (parse + check)'] = await lagDuring(() => Blueprint.fromJsonAsync(text));
rows['estimateAsync'] = await lagDuring(() => bp.estimateAsync());
rows['generateAsync terraform'] = await lagDuring(() => bp.generateAsync('terraform'));
rows['costDiffAsync'] = await lagDuring(() => bp.costDiffAsync(bp));

if (asJson) {
  console.log(JSON.stringify({ resources: n, bytes: text.length, rows, sizes }));
} else {
  console.log(`event loop while a ${n}-resource blueprint (${(text.length / 1e6).toFixed(1)} MB JSON) is processed:`);
  console.table(rows);
  console.log('results materialized on the JS thread:');
  console.table(sizes);
}
