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
// Each lag spike (the timer ≥ 2 ms late) is attributed: what the JS thread was doing, from its
// scheduler counters, V8's collections and the call's phases (attribution.mjs), and a control
// row runs CPU-bound native work that is not the engine (crypto.pbkdf2) on the pool, as long
// as a validateAsync call, interleaved with the validateAsync rows: the tables at the end say
// whether the spikes are ours (the JS thread running, a collection) or the machine's.
//
//   node bench/event-loop.mjs [resources] [--repeat N] [--json] [--only] [--fifo]
// (`--only`: the idle, validateAsync and control rows alone; `--fifo`: see below)
import { readdirSync, readFileSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import { Blueprint, PolicySet } from '@iac-dharma/node';
import { syntheticAws } from '../test/helpers.mjs';
import { Samples, gcs, spikes, causeClass, machineMs, stealMs, traceStart, traceIntervals } from './attribution.mjs';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
const repeat = Number(args[args.indexOf('--repeat') + 1] ?? 3) || 3;
const asJson = args.includes('--json');
// An experiment, not a setting to ship: `--fifo` makes the JS thread alone a real-time thread
// (`chrt -f -p 10 <pid>`: needs the privilege; it uses ~2% of a core), which the kernel runs
// as soon as it wakes whatever else wants the cores. If the spikes attributed to a busy core go
// away, that attribution holds; what is left is the VM's (or ours: the JS thread's own work).
const fifo = args.includes('--fifo');
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

/**
 * The worst timer lag and loop delay while `work(mark)` runs, and what the JS thread was doing
 * in each lag spike (`attribution.mjs`). `work` may call `mark(name)` at the end of each of its
 * steps on the JS thread (the first step ends when the call returns its promise).
 */
async function lagDuring(work) {
  const m0 = machineMs();
  const h = monitorEventLoopDelay({ resolution: 1 });
  let samples = new Samples();
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    samples.take();
    const now = samples.t[samples.n - 1] ?? performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  // Let the timer settle before the call.
  await new Promise((r) => setTimeout(r, 20));
  worst = 0;
  // (from the last tick on, like `worst`)
  if (samples.n === 0) samples.take();
  samples = samples.from(samples.n - 1);
  h.enable();
  const gc0 = majorGcs.length;
  const allGc0 = gcs.length;
  const steal0 = stealMs();
  traceStart();
  const c0 = mainThreadMs();
  const t0 = performance.now();
  const marks = [['call', t0]];
  await work((name) => marks.push([name, performance.now()]));
  const t1 = performance.now();
  const ms = t1 - t0;
  const cpu = mainThreadMs() - c0;
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  clearInterval(timer);
  const steal = stealMs() - steal0;
  const m1 = machineMs();
  // (gc entries are delivered a turn of the loop after the collection)
  await new Promise((r) => setImmediate(r));
  marks.push(['end', t1]);
  // The JS side's steps: from each mark to the next, named by the later one.
  const phases = traceIntervals();
  for (let i = 1; i < marks.length; i++) {
    if (marks[i][0] !== 'settled') phases.push({ name: `JS: ${marks[i][0]}`, from: marks[i - 1][1], to: marks[i][1] });
  }
  const lags = spikes(samples, phases, gcs.slice(allGc0));
  // The addon's own time on the JS thread in this call (arguments read, result built).
  const addonJs = phases.filter((p) => p.name === 'prepare' || p.name.startsWith('result built')).reduce((a, p) => a + p.to - p.from, 0);
  const k = samples.n - 1;
  return {
    ms, worst, max: h.max / 1e6, cpu, gcs: majorGcs.slice(gc0), lags, steal, addonJs,
    wall: samples.t[k] - samples.t[0],
    runq: samples.runq[k] - samples.runq[0],
    other: samples.proc[k] - samples.proc[0] - (samples.cpu[k] - samples.cpu[0]),
    // The whole run, its settling included: the other processes' cores and the kernel threads'.
    machine: { ms: m1.at - m0.at, others: m1.busy - m0.busy - (m1.ours - m0.ours), kernel: m1.kernel - m0.kernel },
  };
}

// Per row: the lag spikes (≥ 2 ms) of all runs, by cause (`attribution.mjs`).
const attribution = {};
const spikeList = {};

/** Runs each `[name, work]` `repeat` times, interleaved (so that a change of the machine's load
 * falls on all of them alike), and adds their rows. */
async function interleaved(...entries) {
  const runs = new Map(entries.map(([name]) => [name, []]));
  for (let i = 0; i < repeat; i++) {
    for (const [name, work] of entries) runs.get(name).push(await lagDuring(work));
  }
  for (const [name, list] of runs) summarize(name, list);
}

const row = (name, work) => interleaved([name, work]);

function summarize(name, runs) {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const all = runs.flatMap((r, run) => r.lags.map((l) => ({ run, ...l })));
  const seconds = runs.reduce((a, r) => a + r.wall, 0) / 1e3;
  const byClass = {
    addon_js_thread_ms_max: +Math.max(...runs.map((r) => r.addonJs)).toFixed(2),
    spikes: all.length,
    over_5ms: all.filter((l) => l.lag_ms >= 5).length,
    spikes_per_s: +(all.length / seconds).toFixed(1),
  };
  for (const c of ['js_running', 'gc', 'no_cpu_ours', 'no_cpu_others', 'late_wakeup', 'blocked', 'mixed']) {
    const these = all.filter((l) => causeClass(l.cause) === c);
    byClass[c] = these.length ? `${these.length} (max ${Math.max(...these.map((l) => l.lag_ms)).toFixed(1)})` : '';
  }
  byClass.js_runq_ms_per_s = +(runs.reduce((a, r) => a + r.runq, 0) / seconds).toFixed(1);
  // How many cores our other threads (the pool thread, V8's) used on average: ~1 while one pool
  // job runs; ~2 would leave the JS thread no core even on an idle machine.
  byClass.other_threads_cores = +(runs.reduce((a, r) => a + r.other, 0) / (seconds * 1e3)).toFixed(2);
  // The other processes' cores (the kernel's threads among them) over the runs.
  const machineMs = runs.reduce((a, r) => a + r.machine.ms, 0);
  byClass.other_processes_cores = +(runs.reduce((a, r) => a + r.machine.others, 0) / machineMs).toFixed(2);
  byClass.kernel_threads_cores = +(runs.reduce((a, r) => a + r.machine.kernel, 0) / machineMs).toFixed(3);
  byClass.steal_ms_per_s = +(runs.reduce((a, r) => a + r.steal, 0) / seconds).toFixed(1);
  attribution[name] = byClass;
  spikeList[name] = all;
  rows[name] = {
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
if (fifo) {
  // Threads inherit their creator's policy: start the libuv pool and the addon's release thread
  // first, so that only the JS thread is real-time.
  await new Promise((r) => pbkdf2('a', 'b', 1, 8, 'sha512', r));
  bp.estimate().dispose();
  const chrt = spawnSync('chrt', ['-f', '-p', '10', String(process.pid)], { encoding: 'utf8' });
  const policies = readdirSync('/proc/self/task').map((t) => readFileSync(`/proc/self/task/${t}/sched`, 'utf8').match(/policy\s*:\s*(\d+)/)?.[1]);
  console.log(`--fifo: chrt exit ${chrt.status}${chrt.stderr ? ` (${chrt.stderr.trim()})` : ''}; real-time threads: ${policies.filter((p) => p === '1').length} of ${policies.length}`);
}
// `--only validate`: the idle row, the control and the validateAsync rows alone.
const all = !args.includes('--only');
await row('idle 300 ms (noise floor)', () => new Promise((r) => setTimeout(r, 300)));
// (Disposed: five unread 10,000-resource estimates report ~120 MB of native memory, and the
// full collection V8 starts for it would land in the next row.)
if (all) await row('estimate (sync, for contrast)', async () => bp.estimate().dispose());
const validated = async (mark) => {
  const pending = bp.validateAsync(policies, today);
  mark('called');
  const report = await pending;
  mark('settled');
  void report.passed;
  mark('read passed');
  return report;
};
// The control: CPU-bound native work on the libuv pool that is not the engine (PBKDF2, sized
// to take as long as one validateAsync call, one job like it): lag spikes that it shows too, at
// the same rate and of the same causes, are the machine's, not the engine's or the addon's.
const validateMs = await (async () => {
  const t0 = performance.now();
  void (await bp.validateAsync(policies, today)).passed;
  return performance.now() - t0;
})();
const iterations = await (async () => {
  const probe = 20_000;
  const t0 = performance.now();
  await new Promise((r, j) => pbkdf2('secret', 'salt', probe, 64, 'sha512', (e) => (e ? j(e) : r())));
  return Math.max(1, Math.round((probe * validateMs) / (performance.now() - t0)));
})();
await interleaved(
  ['validateAsync, read passed', validated],
  ['validateAsync, read passed, dispose', async (mark) => {
    (await validated(mark)).dispose();
    mark('dispose');
  }],
  [`control: crypto.pbkdf2 on the pool, ${iterations} iterations`, async (mark) => {
    const pending = new Promise((r, j) => pbkdf2('secret', 'salt', iterations, 64, 'sha512', (e, key) => (e ? j(e) : r(key))));
    mark('called');
    await pending;
  }],
);
if (all) {
  await row('estimateAsync, read total_monthly', async () => (await bp.estimateAsync()).total_monthly);
  await row('estimateAsync, read total_monthly, dispose', async () => {
    const estimate = await bp.estimateAsync();
    void estimate.total_monthly;
    estimate.dispose();
  });
  await row('generateAsync terraform, read names', async () => Object.keys(await bp.generateAsync('terraform')));
  await row('costDiffAsync, read delta_monthly', async () => (await bp.costDiffAsync(next)).delta_monthly);
  await row('planDiffAsync, read summary', async () => (await bp.planDiffAsync(next)).summary);
  await row('fromJsonAsync (parse + check), read name', async () => (await Blueprint.fromJsonAsync(text)).name);
}
await row('validateAsync, read findings (all at once)', async (mark) => {
  const report = await validated(mark);
  void report.findings.length;
  mark('read findings');
});

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
  console.log(JSON.stringify({ resources: n, bytes: text.length, repeat, js_heap_mb: jsHeapMb, rows, sizes, validateJs, attribution, spikes: spikeList }));
} else {
  console.log(`event loop while a ${n}-resource blueprint (${(text.length / 1e6).toFixed(1)} MB JSON) is processed, worst of ${repeat} runs;`);
  console.log(`JS heap in use before the rows: ${jsHeapMb} MB (mostly this bench's own data; a full collection marks all of it):`);
  console.table(rows);
  console.log('whole results (JSON size, one JSON.parse):');
  console.table(sizes);
  console.log('validateAsync without the timer, JS thread CPU per call:', validateJs);
  console.log(`lag spikes (timer ≥ 2 ms late) by cause, all runs (count, worst ms; bench/attribution.mjs):
  addon_js_thread_ms_max: the addon's own time on the JS thread in a call (arguments read, result built; __taskTrace);
  js_running: the JS thread ran through the window (ours: see the phase); gc: a V8 collection held it (ours);
  no_cpu_ours / no_cpu_others: it was runnable but had no core: both were busy with our own other threads
  (pool, V8's), or not with ours (another process, or the host not running the vCPU); late_wakeup: it slept past its due time
  (woken late or its vCPU not running: the VM); blocked: asleep with extra voluntary switches (a lock or page fault);
  js_runq_ms_per_s: the JS thread's run-queue wait per second; other_threads_cores: the cores our other threads used
  (pool, V8's) on average; other_processes_cores, kernel_threads_cores: the cores other processes (the kernel's own
  threads among them) used over the runs; steal_ms_per_s: the VM's steal time over the rows' runs (10 ms resolution)`);
  console.table(attribution);
  for (const [name, list] of Object.entries(spikeList)) {
    if (!/validateAsync|control|idle/.test(name) || list.length === 0) continue;
    const worst = [...list].sort((a, b) => b.lag_ms - a.lag_ms).slice(0, 8);
    console.log(`${name}: the ${worst.length} worst spikes of ${list.length} (ms; 'during': the call's phases in the window)`);
    console.table(worst.map(({ run, lag_ms, cause, cpu_ms, runq_ms, off_ms, other_threads_cpu_ms, switches, gc, during }) => ({ run, lag_ms, cause, cpu_ms, runq_ms, off_ms, other_threads_cpu_ms, switches, gc, during })));
  }
}
