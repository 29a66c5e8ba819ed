// What the JS thread was doing when the event loop lagged (used by event-loop.mjs).
//
// At every tick of the bench's 1 ms timer, the sampler reads the JS (main) thread's scheduler
// counters from Linux's /proc/self/task/<pid>/{schedstat,status}: its time on a CPU, its time
// runnable but waiting for a CPU (run queue), and its voluntary and involuntary context
// switches; plus the whole process's CPU time (process.cpuUsage), which less the JS thread's is
// what the other threads (the libuv pool thread running the engine, V8's helpers) used. Each
// window between two ticks that came late (a lag spike) is then split into:
//   - `cpu`: the JS thread ran (our code: a timer callback, the result built when the promise
//     settles, a member parsed, a collection — V8's 'gc' entries of every kind, scavenges
//     included, are matched against the window);
//   - `runq`: the JS thread was runnable but had no CPU: ours when our other threads used ~2
//     cores in the window, as `other_threads_cpu_ms` shows; otherwise not ours: another process,
//     or the host not running the virtual CPU, which the guest cannot tell apart (an idle run
//     with the JS thread pinned alone to a core still showed 5-7 ms of it; this VM reports no
//     steal time);
//   - `off`: the JS thread was neither (asleep: in epoll_wait until the timer was due, which is
//     ~1 ms of every window; beyond that, either it slept past its due time — its wakeup or its
//     vCPU ran late: the VM's noise, which Linux's steal time counts at a 10 ms resolution — or
//     it blocked on something else, a lock or a page fault, which shows as extra voluntary
//     switches in the window).
// and the window is laid against the phases of the call: the JS side's marks (call, promise
// settled, member read, dispose) and the addon's own (`__taskTrace`: the arguments read on the
// JS thread, the work on the pool thread, the result built on the JS thread).
import { openSync, readdirSync, readSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, constants } from 'node:perf_hooks';

// The addon itself (the package entry does not export the bench-only `__taskTrace`).
const native = createRequire(import.meta.url)('../index.js');

/** The addon's phase codes (`task.rs`, `trace::Phase`). */
const PHASES = ['prepare', 'prepare', 'pool work', 'pool work', 'result built (JS thread)', 'result built (JS thread)'];

// V8's collections, as perf_hooks reports them (a turn of the loop late), with their start.
const GC_KIND = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
export const gcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs.push({ start: e.startTime, ms: e.duration, kind: GC_KIND[e.detail?.kind] ?? String(e.detail?.kind) });
  }
}).observe({ entryTypes: ['gc'] });

const tid = process.pid;
const schedstat = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
const status = openSync(`/proc/self/task/${tid}/status`, 'r');
const buffer = Buffer.alloc(4096);
const VOLUNTARY = Buffer.from('\nvoluntary_ctxt_switches:');
const INVOLUNTARY = Buffer.from('\nnonvoluntary_ctxt_switches:');

/** The unsigned integer at `at` in `buffer` (skipping blanks), and where it ends. */
function number(at, end) {
  while (at < end && (buffer[at] < 48 || buffer[at] > 57)) at++;
  let n = 0;
  while (at < end && buffer[at] >= 48 && buffer[at] <= 57) n = n * 10 + (buffer[at++] - 48);
  return [n, at];
}

const CAPACITY = 1 << 16;
/** One column per counter, one row per sample (no allocation while sampling). */
export class Samples {
  constructor() {
    this.n = 0;
    for (const k of ['t', 'cpu', 'runq', 'vol', 'invol', 'proc']) this[k] = new Float64Array(CAPACITY);
  }

  /** New samples starting with sample `i` of these. */
  from(i) {
    const out = new Samples();
    for (const k of ['t', 'cpu', 'runq', 'vol', 'invol', 'proc']) out[k][0] = this[k][i];
    out.n = 1;
    return out;
  }

  /** Records the counters now (ms, except the switch counts). */
  take() {
    const i = this.n;
    if (i >= CAPACITY) return;
    this.t[i] = performance.now();
    let end = readSync(schedstat, buffer, 0, buffer.length, 0);
    let [cpu, at] = number(0, end);
    const [runq] = number(at, end);
    this.cpu[i] = cpu / 1e6;
    this.runq[i] = runq / 1e6;
    end = readSync(status, buffer, 0, buffer.length, 0);
    this.vol[i] = number(buffer.indexOf(VOLUNTARY) + VOLUNTARY.length, end)[0];
    this.invol[i] = number(buffer.indexOf(INVOLUNTARY) + INVOLUNTARY.length, end)[0];
    const usage = process.cpuUsage();
    this.proc[i] = (usage.user + usage.system) / 1e3;
    this.n = i + 1;
  }
}

// The kernel's threads (children of kthreadd, pid 2: reclaim, compaction, DAMON, workers), which
// our process's memory traffic could set to work on the cores.
const kthreads = readdirSync('/proc').filter((pid) => {
  try {
    return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === '2';
  } catch {
    return false;
  }
});

/**
 * CPU time so far, in ms: the whole machine's (busy, from /proc/stat: 10 ms resolution), the
 * kernel threads' (exact) and this process's. Read outside the timed window (~1 ms of reads).
 */
export function machineMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = (f[0] + f[1] + f[2] + f[5] + f[6]) * 10;
  let kernel = 0;
  for (const pid of kthreads) {
    try {
      kernel += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      // (a worker that has exited)
    }
  }
  const usage = process.cpuUsage();
  return { busy, kernel, ours: (usage.user + usage.system) / 1e3, at: performance.now() };
}

/** The machine's steal time so far in ms (10 ms resolution): time the VM's vCPUs waited. */
export function stealMs() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  return Number(cpu[8] ?? 0) * 10;
}

/** Starts the addon's phase log (the package's build from before the log has none). */
export const traceStart = () => native.__taskTrace?.(performance.now());

/** The addon's phases since `traceStart`, as intervals {name, from, to}; stops the log. */
export function traceIntervals() {
  const flat = native.__taskTrace?.() ?? [];
  const out = [];
  const open = new Map();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const code = flat[i];
    if (code % 2 === 0) open.set(code, flat[i + 1]);
    else if (open.has(code - 1)) {
      out.push({ name: PHASES[code], from: open.get(code - 1), to: flat[i + 1] });
      open.delete(code - 1);
    }
  }
  return out;
}

const round = (x) => +x.toFixed(2);

/**
 * The lag spikes of one run: each window between ticks `i - 1` and `i` whose tick came at
 * least `threshold` ms late, split as above. `phases`: intervals {name, from, to} of the call;
 * `runGcs`: the collections during the run.
 */
export function spikes(samples, phases, runGcs, { interval = 1, threshold = 2 } = {}) {
  const out = [];
  for (let i = 1; i < samples.n; i++) {
    const from = samples.t[i - 1];
    const to = samples.t[i];
    const lag = to - from - interval;
    if (lag < threshold) continue;
    const cpu = samples.cpu[i] - samples.cpu[i - 1];
    const runq = samples.runq[i] - samples.runq[i - 1];
    const off = Math.max(0, to - from - cpu - runq);
    const overlap = (a, b) => Math.max(0, Math.min(b, to) - Math.max(a, from));
    const gcHere = runGcs.filter((g) => overlap(g.start, g.start + g.ms) > 0);
    const gcMs = gcHere.reduce((a, g) => a + overlap(g.start, g.start + g.ms), 0);
    const during = phases
      .map((p) => ({ name: p.name, ms: overlap(p.from, p.to) }))
      .filter((p) => p.ms > 0);
    const other = samples.proc[i] - samples.proc[i - 1] - cpu;
    const vol = samples.vol[i] - samples.vol[i - 1];
    const invol = samples.invol[i] - samples.invol[i - 1];
    // The JS thread's CPU in the window beyond its callbacks' usual cost.
    const busyPhase = during.filter((p) => p.name !== 'pool work').sort((a, b) => b.ms - a.ms)[0]?.name;
    let cause;
    if (gcMs >= lag / 2) cause = `ours: V8 ${gcHere.map((g) => g.kind).join('+')}`;
    else if (cpu >= lag / 2) cause = `ours: JS thread running${busyPhase ? ` (${busyPhase})` : ''}`;
    // Both cores busy: with our own threads when they used ~2 cores in the window.
    else if (runq >= lag / 2) cause = other >= 1.5 * (to - from) ? 'no CPU: both cores busy with our other threads' : 'no CPU, not ours: another process or the host';
    else if (off - interval >= lag / 2) cause = vol > 2 ? `asleep: blocked (${vol} sleeps in the window)` : 'asleep past due: late wakeup / vCPU';
    else cause = 'mixed';
    out.push({
      at_ms: round(from),
      lag_ms: round(lag),
      cause,
      cpu_ms: round(cpu),
      runq_ms: round(runq),
      off_ms: round(off),
      other_threads_cpu_ms: round(other),
      switches: `${vol} vol, ${invol} invol`,
      gc: gcHere.map((g) => `${g.kind} ${g.ms.toFixed(1)} ms`).join(', '),
      during: during.map((p) => `${p.name} ${p.ms.toFixed(1)}`).join(', '),
    });
  }
  return out;
}

/** The causes' short names, for the summary columns. */
export function causeClass(cause) {
  if (cause.startsWith('ours: V8')) return 'gc';
  if (cause.startsWith('ours')) return 'js_running';
  if (cause.startsWith('no CPU: both')) return 'no_cpu_ours';
  if (cause.startsWith('no CPU')) return 'no_cpu_others';
  if (cause.startsWith('asleep: blocked')) return 'blocked';
  if (cause.startsWith('asleep past due')) return 'late_wakeup';
  return 'mixed';
}
