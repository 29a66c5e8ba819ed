// Does an async call keep the event loop free? Runs each async variant on a large synthetic
// blueprint (default 10,000 resources) while a 1 ms interval timer ticks, over the whole call:
// from the call to the result in hand and one summary field read (`passed`, `total_monthly`,
// `summary`...; large members such as `findings` are built only when read, which a last row
// shows for `validateAsync`: reading `findings` parses them on the JS thread at once), and
// reports the timer's worst lag (how much later than due it ran) and the event loop delay
// (perf_hooks.monitorEventLoopDelay): the target is a lag under 5 ms. Each call runs `repeat`
// times (default 3); the table shows the worst lag of all runs. The sync call is shown for
// contrast (it blocks the loop for its whole run), and an idle wait gives the machine's noise
// floor (a busy machine deschedules the JS thread now and then, whatever it runs).
// `js_thread_cpu_ms_per_call` is the CPU time of the JS thread during a call (mean over the
// runs; Linux's /proc/self/task/<pid>/schedstat, exact to a scheduler tick at each end): the
// argument conversion before the work is queued, the result's head when the promise settles,
// the collections V8 runs meanwhile, and the timer's own callbacks, which the idle row shows
// alone (and which, the JS thread being woken every millisecond, keep the reading exact). Unlike
// the lag, a loaded machine does not inflate it. The last line measures a `validateAsync`'s
// share alone, without the timer.
// V8's full collections (mark-compact) during a row are counted apart (`major_gc`, and
// `major_gc_max_ms`, the longest time they held the JS thread at once: a final pause or a batch
// of incremental marking steps; perf_hooks' `gc` entries): their pause grows with the whole
// JS heap, most of which is this bench's own data (the blueprint document as JS objects: see
// `js_heap_mb` at the top), and what starts them while a result is unread is the native
// memory the results report to V8 (`napi_adjust_external_memory`: V8 collects every ~64 MB of
// it). Rows marked "dispose" call the result's `dispose()` after reading it: the memory is
// given back at once and does not start collections.
//
//   node bench/event-loop.mjs [resources] [--repeat N] [--json]
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import { Blueprint, PolicySet } from '@iac-dharma/node';
import { syntheticAws } from '../test/helpers.mjs';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
const repeat = Number(args[args.indexOf('--repeat') + 1] ?? 3) || 3;
const asJson = args.includes('--json');
const doc = syntheticAws(n);
const text = JSON.stringify(doc);

/** CPU time of the JS (main) thread in ms. */
const mainThreadMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

// V8's full collections: their pauses, as they happen.
const majorGcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    // A full collection's final pause, and its incremental marking steps (reported apart).
    const kind = e.detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) {
      majorGcs.push({ final: kind === constants.NODE_PERFORMANCE_GC_MAJOR, ms: e.duration });
    }
  }
}).observe({ entryTypes: ['gc'] });

/** The worst timer lag and loop delay while `work()` runs. */
async function lagDuring(work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  // Let the timer settle before the call.
  await new Promise((r) => setTimeout(r, 20));
  worst = 0;
  h.enable();
  const gc0 = majorGcs.length;
  const c0 = mainThreadMs();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = mainThreadMs() - c0;
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  clearInterval(timer);
  // (gc entries are delivered a turn of the loop after the collection)
  await new Promise((r) => setImmediate(r));
  return { ms, worst, max: h.max / 1e6, cpu, gcs: majorGcs.slice(gc0) };
}

async function row(work) {
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await lagDuring(work));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  return {
    call_ms_median: +ms[Math.floor(ms.length / 2)].toFixed(1),
    timer_worst_lag_ms: +Math.max(...runs.map((r) => r.worst)).toFixed(2),
    timer_lag_per_run_ms: runs.map((r) => +r.worst.toFixed(1)).join(' '),
    loop_delay_max_ms: +Math.max(...runs.map((r) => r.max)).toFixed(2),
    js_thread_cpu_ms_per_call: +(runs.reduce((a, r) => a + r.cpu, 0) / runs.length).toFixed(2),
    major_gc: runs.reduce((a, r) => a + r.gcs.filter((g) => g.final).length, 0),
    major_gc_max_ms: +Math.max(0, ...runs.flatMap((r) => r.gcs.map((g) => g.ms))).toFixed(2),
  };
}

const bp = Blueprint.fromJson(text);
const next = Blueprint.fromObject({
  ...doc,
  resources: doc.resources.map((r, i) => (i % 7 === 0 && r.type === 'aws_instance' ? { ...r, properties: { ...r.properties, instance_type: 'm5.xlarge' } } : r)),
});
const policies = PolicySet.builtin();
const today = { today: '2026-06-01' };
// What a whole result is: its JSON size, and the time one JSON.parse of it takes (what the JS
// thread would be blocked for if the result were parsed at once).
const sizes = {};
for (const [name, value] of [
  ['validate', bp.validate(policies, today)],
  ['estimate', bp.estimate()],
  ['generate terraform', bp.generate('terraform')],
  ['planDiff', bp.planDiff(next)],
]) {
  const json = JSON.stringify(value);
  const t0 = performance.now();
  JSON.parse(json);
  sizes[name] = { result_mb: +(json.length / 1e6).toFixed(2), json_parse_ms: +(performance.now() - t0).toFixed(1) };
}

// The live JS heap: after a full collection (the `gc` function, exposed for this once).
setFlagsFromString('--expose-gc');
runInNewContext('gc')();
const jsHeapMb = +(process.memoryUsage().heapUsed / 1e6).toFixed(1);
const rows = {};
rows['idle 300 ms (noise floor)'] = await row(() => new Promise((r) => setTimeout(r, 300)));
// (Disposed: five unread 10,000-resource estimates report ~120 MB of native memory, and the
// full collection V8 starts for it would land in the next row.)
rows['estimate (sync, for contrast)'] = await row(async () => bp.estimate().dispose());
rows['validateAsync, read passed'] = await row(async () => (await bp.validateAsync(policies, today)).passed);
rows['validateAsync, read passed, dispose'] = await row(async () => {
  const report = await bp.validateAsync(policies, today);
  void report.passed;
  report.dispose();
});
rows['estimateAsync, read total_monthly'] = await row(async () => (await bp.estimateAsync()).total_monthly);
rows['estimateAsync, read total_monthly, dispose'] = await row(async () => {
  const estimate = await bp.estimateAsync();
  void estimate.total_monthly;
  estimate.dispose();
});
rows['generateAsync terraform, read names'] = await row(async () => Object.keys(await bp.generateAsync('terraform')));
rows['costDiffAsync, read delta_monthly'] = await row(async () => (await bp.costDiffAsync(next)).delta_monthly);
rows['planDiffAsync, read summary'] = await row(async () => (await bp.planDiffAsync(next)).summary);
rows['fromJsonAsync (parse + check), read name'] = await row(async () => (await Blueprint.fromJsonAsync(text)).name);
rows['validateAsync, read findings (all at once)'] = await row(async () => (await bp.validateAsync(policies, today)).findings.length);

// The JS thread's own work in a `validateAsync`, without the timer (whose callbacks are most of
// the thread's CPU time in the rows above): its CPU time over `repeat` calls in a row, per call.
// No block of the event loop that the call causes can be longer than this.
const c0 = mainThreadMs();
const t0 = performance.now();
for (let i = 0; i < repeat; i++) void (await bp.validateAsync(policies, today)).passed;
const validateJs = {
  js_thread_cpu_ms_per_call: +((mainThreadMs() - c0) / repeat).toFixed(2),
  call_ms_mean: +((performance.now() - t0) / repeat).toFixed(1),
};

if (asJson) {
  console.log(JSON.stringify({ resources: n, bytes: text.length, repeat, js_heap_mb: jsHeapMb, rows, sizes, validateJs }));
} else {
  console.log(`event loop while a ${n}-resource blueprint (${(text.length / 1e6).toFixed(1)} MB JSON) is processed, worst of ${repeat} runs;`);
  console.log(`JS heap in use before the rows: ${jsHeapMb} MB (mostly this bench's own data; a full collection marks all of it):`);
  console.table(rows);
  console.log('whole results (JSON size, one JSON.parse):');
  console.table(sizes);
  console.log('validateAsync without the timer, JS thread CPU per call:', validateJs);
}
