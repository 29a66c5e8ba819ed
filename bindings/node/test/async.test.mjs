// The `...Async` variants: same results and errors as the sync calls, as Promises, run on the
// libuv thread pool while the event loop stays free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { Blueprint, PolicySet, PriceCatalog, planDiffAsync } from '@iac-dharma/node';
import { DOC, YAML, rejects, syntheticAws } from './helpers.mjs';

test('fromJsonAsync, fromYamlAsync, fromTextAsync resolve to Blueprints', async () => {
  const sync = Blueprint.fromYaml(YAML).toObject();
  const [a, b, c, d] = await Promise.all([
    Blueprint.fromYamlAsync(YAML),
    Blueprint.fromJsonAsync(JSON.stringify(sync)),
    Blueprint.fromTextAsync(YAML),
    Blueprint.fromTextAsync(JSON.stringify(sync), 'json'),
  ]);
  for (const bp of [a, b, c, d]) {
    assert.ok(bp instanceof Blueprint);
    assert.deepEqual(bp.toObject(), sync);
  }
  assert.deepEqual([a.source, b.source, c.source, d.source], ['yaml', 'json', 'yaml', 'json']);
});

test('generateAsync, estimateAsync, costDiffAsync equal the sync calls', async () => {
  const bp = Blueprint.fromYaml(YAML);
  const other = YAML.replace('t3.micro', 't3.large');
  const catalog = PriceCatalog.builtin();
  const [tf, cfn, est, budget, diff] = await Promise.all([
    bp.generateAsync('terraform'),
    bp.generateAsync('cloudformation-yaml', {}),
    bp.estimateAsync(),
    bp.estimateAsync({ budget: '5', catalog }),
    bp.costDiffAsync(other),
  ]);
  assert.deepEqual(tf, bp.generate('terraform'));
  assert.deepEqual(cfn, bp.generate('cloudformation-yaml'));
  assert.deepEqual(est, bp.estimate());
  assert.deepEqual(budget, bp.estimate({ budget: '5', catalog }));
  assert.deepEqual(diff, bp.costDiff(other));
});

test('async variants reject with DharmaErrors, never throw synchronously', async () => {
  const bp = Blueprint.fromYaml(YAML);
  await rejects(Blueprint.fromJsonAsync('{"name": '), { kind: 'parse', code: 'json_syntax', location: { line: 1, column: 9 } });
  await rejects(Blueprint.fromYamlAsync(YAML.replace('${main.id}', '${mian.id}')), {
    kind: 'check', code: 'unknown_reference', path: 'resources[1].properties.vpc_id',
  });
  await rejects(Blueprint.fromTextAsync(42), { kind: 'invalid_input', path: 'text' });
  await rejects(Blueprint.fromTextAsync('{}', 'xml'), { kind: 'invalid_input', path: 'format' });
  await rejects(bp.generateAsync('terraformm'), { code: 'unknown_format', path: 'format' });
  await rejects(bp.generateAsync('arm'), { kind: 'generate', code: 'unsupported_provider' });
  await rejects(bp.estimateAsync({ budget: 'x' }), { path: 'options.budget' });
  await rejects(bp.estimateAsync({ usage: { resource_usage: { web: { monthly_hours: -1 } } } }), {
    kind: 'pricing', code: 'invalid_usage', path: 'resource_usage.web.monthly_hours',
  });
  await rejects(bp.costDiffAsync({ ...DOC, region: 'mars-1' }), { kind: 'check', code: 'unknown_region', path: 'region' });
});

// Large members of async results are written as JSON on the pool thread and parsed when first
// read (src/lazy.rs, src/lazy.js); sync results keep the engine's value and write a member when
// it is read: the values must be the same, key order included, with long strings of multi-byte
// characters, escapes and surrogate pairs, and a `__proto__` key stays a plain key.
test('large async results are exactly the sync results', async () => {
  const doc = syntheticAws(1500);
  const note = 'é—😀 "quoted" \\ back\nslash\t\u0001 ✓';
  doc.tags = { ...doc.tags, Note: note };
  for (const r of doc.resources) r.properties.tags = { ...r.properties.tags, Note: note };
  doc.resources[3].properties.tags = JSON.parse('{"__proto__": "kept", "constructor": "plain"}');
  const bp = Blueprint.fromObject(JSON.parse(JSON.stringify(doc)));
  const next = { ...doc, resources: doc.resources.slice(0, 1200) };
  const policies = PolicySet.builtin();
  const same = (a, b, what) => {
    assert.deepEqual(a, b, what);
    assert.equal(JSON.stringify(a), JSON.stringify(b), `${what}: same keys in the same order`);
  };
  const [tf, est, report, plan, diff, fromPlan] = await Promise.all([
    bp.generateAsync('terraform'),
    bp.estimateAsync(),
    bp.validateAsync(policies, { today: '2026-06-01' }),
    bp.planDiffAsync(next),
    bp.costDiffAsync(next),
    planDiffAsync(bp, next),
  ]);
  assert.ok(tf['main.tf'].length > 100_000 && tf['main.tf'].includes('é—😀'), 'a long string with multi-byte characters');
  same(tf, bp.generate('terraform'), 'generate');
  same(est, bp.estimate(), 'estimate');
  same(report, bp.validate(policies, { today: '2026-06-01' }), 'validate');
  same(plan, bp.planDiff(next), 'planDiff');
  same(fromPlan, plan, 'planDiffAsync()');
  same(diff, bp.costDiff(next), 'costDiff');
  const fresh = await bp.estimateAsync();
  assert.equal(typeof Object.getOwnPropertyDescriptor(fresh, 'resources').get, 'function', 'resources is read lazily');
  same(fresh, est, 'estimate read lazily');
  assert.ok(JSON.stringify(plan).includes('"__proto__":"kept"'), 'the __proto__ key is data');
});

test('many async calls in parallel on one Blueprint', async () => {
  const bp = Blueprint.fromObject(syntheticAws(200));
  const expected = bp.estimate();
  const results = await Promise.all(Array.from({ length: 16 }, () => bp.estimateAsync()));
  for (const r of results) assert.deepEqual(r, expected);
});

/**
 * The event loop's delay (max, ms) while `work()` runs, sampled every 1 ms by
 * `monitorEventLoopDelay`, and a 1 ms `setInterval`'s worst lag.
 */
async function loopDelayDuring(work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let worstTick = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstTick = Math.max(worstTick, now - last - 1);
    last = now;
  }, 1);
  h.enable();
  const result = await work();
  h.disable();
  clearInterval(timer);
  return { result, maxMs: h.max / 1e6, worstTickMs: worstTick };
}

// The package's promise (issue 8): a 10,000-resource blueprint is parsed and checked off the
// event loop. The bench (bench/event-loop.mjs) reports the lag against the 5 ms target on a quiet
// machine; here, on a shared CI machine, the bound is loose: a blocked loop would show the whole
// parse + check time (hundreds of ms).
test('a 10,000-resource blueprint is parsed and checked without blocking the event loop', async () => {
  const text = JSON.stringify(syntheticAws(10_000));
  const t0 = performance.now();
  Blueprint.fromJson(text);
  const syncMs = performance.now() - t0;
  const { result, maxMs, worstTickMs } = await loopDelayDuring(() => Blueprint.fromJsonAsync(text));
  assert.equal(result.resources.length, 10_000);
  const bound = Math.max(50, syncMs / 4);
  assert.ok(worstTickMs < bound, `timer lag ${worstTickMs.toFixed(1)} ms (sync call: ${syncMs.toFixed(0)} ms)`);
  assert.ok(maxMs < bound + 20, `event loop delay ${maxMs.toFixed(1)} ms (sync call: ${syncMs.toFixed(0)} ms)`);
});

// Results too (issue 8): an estimate of 10,000 resources is ~6 MB of JSON, which one JSON.parse
// turns into objects in ~100 ms on the JS thread; the async variant's result arrives with its
// large members not yet built (they are parsed when read). bench/event-loop.mjs measures the
// lag against the 5 ms target; the bound here is loose, for a shared CI machine: well below
// the whole parse.
test('a 10,000-resource estimate is delivered without blocking the event loop', async () => {
  const bp = Blueprint.fromObject(syntheticAws(10_000));
  const json = JSON.stringify(bp.estimate());
  const t0 = performance.now();
  JSON.parse(json);
  const parseMs = performance.now() - t0;
  // A busy machine deschedules the JS thread at random; a result parsed at once would block
  // every run for the whole parse. The best of up to three runs must stay well below it.
  const bound = Math.max(50, parseMs * 0.75);
  const lags = [];
  for (let run = 0; run < 3 && !(lags.length && Math.min(...lags) < bound); run++) {
    const { result, worstTickMs } = await loopDelayDuring(() => bp.estimateAsync());
    assert.equal(JSON.stringify(result), json);
    lags.push(worstTickMs);
  }
  assert.ok(Math.min(...lags) < bound, `timer lag ${lags.map((l) => l.toFixed(1)).join(', ')} ms (one JSON.parse of the result: ${parseMs.toFixed(0)} ms)`);
});
