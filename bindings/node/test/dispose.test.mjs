// dispose(): Blueprint, PolicySet, PriceCatalog and every verb's result free their native memory
// at once when asked (instead of when V8 collects them); a second call does nothing; any later
// use throws (or rejects with) a DharmaError of code `disposed`; `[Symbol.dispose]` makes
// `using` work (checked through TypeScript's own `using` transform, and natively where the
// engine parses `using`).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import ts from 'typescript';
import * as api from '@iac-dharma/node';
import { DOC, rejects, syntheticAws, throws } from './helpers.mjs';

const { Blueprint, PolicySet, PriceCatalog, validatePlan, planDiff, drift } = api;
const disposeSymbol = Symbol.dispose ?? Symbol.for('nodejs.dispose');
const DISPOSED = { kind: 'invalid_input', code: 'disposed' };
const today = { today: '2026-06-01' };

test('Symbol.dispose is defined and the classes have it', () => {
  assert.equal(typeof Symbol.dispose, 'symbol', 'Node >= 20 defines Symbol.dispose');
  for (const Class of [Blueprint, PolicySet, PriceCatalog]) {
    assert.equal(typeof Class.prototype[disposeSymbol], 'function', Class.name);
    assert.equal(Object.getOwnPropertyDescriptor(Class.prototype, disposeSymbol).enumerable, false);
  }
});

test('Blueprint.dispose: later use throws `disposed`, a second dispose does nothing', async () => {
  const bp = Blueprint.fromObject(DOC);
  const kept = bp.estimate();
  assert.equal(bp.disposed, false);
  bp.dispose();
  assert.equal(bp.disposed, true);
  bp.dispose();
  bp[disposeSymbol]();
  const err = throws(() => bp.name, DISPOSED);
  assert.match(err.message, /Blueprint was disposed/);
  for (const use of [() => bp.source, () => bp.resources, () => bp.toObject(), () => bp.toJson(), () => bp.graph(),
    () => bp.estimate(), () => bp.validate(), () => bp.generate('terraform'), () => bp.planDiff(DOC),
    () => bp.runPipeline(), () => bp.drift('{"version": 4, "resources": []}')]) {
    throws(use, DISPOSED);
  }
  // Async variants reject (never throw synchronously).
  await rejects(bp.estimateAsync(), DISPOSED);
  await rejects(bp.validateAsync(), DISPOSED);
  // As an argument of another call, the error names the argument.
  const other = Blueprint.fromObject(DOC);
  const argErr = throws(() => other.planDiff(bp), { ...DISPOSED });
  assert.match(argErr.message, /`other` \(a Blueprint\) was disposed/);
  await rejects(other.costDiffAsync(bp), DISPOSED);
  throws(() => planDiff(bp, other), DISPOSED);
  throws(() => drift(bp, '{"version": 4, "resources": []}'), DISPOSED);
  // Results it returned before are their own.
  assert.match(kept.total_monthly, /^\d/);
  assert.ok(Array.isArray(kept.resources));
});

test('dispose while an async call runs: the call finishes with its own reference', async () => {
  const bp = Blueprint.fromObject(syntheticAws(200));
  const pending = bp.validateAsync(null, today);
  bp.dispose();
  const report = await pending;
  assert.equal(typeof report.passed, 'boolean');
  assert.ok(report.findings.length > 0);
});

test('PolicySet and PriceCatalog dispose', () => {
  const bp = Blueprint.fromObject(DOC);
  const policies = PolicySet.fromRego({ 'team.rego': 'package team\n' });
  policies.dispose();
  policies.dispose();
  assert.equal(policies.disposed, true);
  throws(() => policies.hasBuiltin, DISPOSED);
  throws(() => policies.checks(), DISPOSED);
  const err = throws(() => bp.validate(policies), DISPOSED);
  assert.match(err.message, /`policySet` \(a PolicySet\) was disposed/);
  throws(() => validatePlan('{"format_version": "1.2"}', policies), DISPOSED);
  // The default built-in set is not affected by disposing another built-in set.
  const builtin = PolicySet.builtin();
  builtin[disposeSymbol]();
  assert.equal(typeof bp.validate(null, today).passed, 'boolean');

  const catalog = PriceCatalog.builtin();
  const size = catalog.size;
  catalog.dispose();
  catalog.dispose();
  throws(() => catalog.size, DISPOSED);
  throws(() => catalog.extend(PriceCatalog.builtin()), DISPOSED);
  throws(() => bp.estimate({ catalog }), DISPOSED);
  assert.equal(PriceCatalog.builtin().size, size);
});

/** Every verb's result, sync and async, on a blueprint large enough for lazy members. */
function calls(bp, next) {
  return {
    estimate: [() => bp.estimate(), () => bp.estimateAsync()],
    validate: [() => bp.validate(null, today), () => bp.validateAsync(null, today)],
    generate: [() => bp.generate('terraform'), () => bp.generateAsync('terraform')],
    planDiff: [() => bp.planDiff(next), () => bp.planDiffAsync(next)],
    costDiff: [() => bp.costDiff(next), () => bp.costDiffAsync(next)],
    runPipeline: [() => next.runPipeline({ previous: bp, ...today }), () => next.runPipelineAsync({ previous: bp, ...today })],
  };
}

test('result.dispose: unread members throw `disposed`, read ones stay, the data is unchanged', async () => {
  const bp = Blueprint.fromObject(syntheticAws(200));
  const next = Blueprint.fromObject({ ...syntheticAws(200), version: '2.0.0' });
  for (const [verb, [sync, async_]] of Object.entries(calls(bp, next))) {
    for (const [how, call] of [['sync', sync], ['async', async_]]) {
      const whole = JSON.parse(JSON.stringify(await call()));
      const result = await call();
      // Not enumerable: the data looks the same as before.
      assert.deepEqual(Object.keys(result), Object.keys(whole), `${verb} ${how}`);
      assert.equal(typeof result.dispose, 'function');
      assert.equal(result[disposeSymbol], result.dispose);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), whole);
      assert.deepStrictEqual(structuredClone(result), whole);

      const fresh = await call();
      // The members still getters: [object, key, path], in the result and one level down.
      const pending = [];
      for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(fresh))) {
        if (d.get) pending.push([fresh, key, key]);
        else if (d.value && typeof d.value === 'object' && !Array.isArray(d.value)) {
          for (const [inner, e] of Object.entries(Object.getOwnPropertyDescriptors(d.value))) {
            if (e.get) pending.push([d.value, inner, `${key}.${inner}`]);
          }
        }
      }
      assert.ok(pending.length > 0, `${verb} ${how} has lazy members`);
      const [[firstObject, firstKey], ...unread] = pending;
      const kept = firstObject[firstKey];
      fresh.dispose();
      fresh[disposeSymbol]();
      assert.deepStrictEqual(firstObject[firstKey], kept, 'a member read before dispose stays');
      for (const [object, key, path] of unread) {
        const err = throws(() => object[key], DISPOSED);
        assert.ok(err.message.includes(`member \`${path}\``), err.message);
      }
      // console.log still works on a disposed result.
      assert.equal(typeof inspect(fresh), 'string');
    }
  }
});

test('a loop of estimates with dispose does not grow the process', async () => {
  const bp = Blueprint.fromObject(syntheticAws(1000));
  for (let i = 0; i < 20; i++) bp.estimate().dispose();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 300; i++) {
    const r = bp.estimate();
    void r.total_monthly;
    r.dispose();
  }
  // Each result's memory is freed on the release thread as the loop goes (~0.8 MB a result):
  // without dispose and without yielding, 300 results would keep ~240 MB.
  const grown = (process.memoryUsage().rss - before) / 1e6;
  assert.ok(grown < 100, `grew by ${grown.toFixed(0)} MB`);
});

/** Runs TypeScript source as CommonJS, compiled by TypeScript's own `using` transform. */
function runTypeScript(source) {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
  });
  assert.match(outputText, /__addDisposableResource/, 'TypeScript lowered `using`');
  const module = { exports: {} };
  new Function('module', 'exports', 'require', outputText)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

test('`using` (TypeScript 5.2+) disposes at the end of the block', () => {
  const { run } = runTypeScript(`
    export function run(scope: any) {
      const { Blueprint, PolicySet, doc } = scope;
      {
        using bp = Blueprint.fromObject(doc);
        using policies = PolicySet.builtin();
        using report = bp.validate(policies, { today: '2026-06-01' });
        scope.passed = report.passed;
        scope.escaped = { bp, policies, report };
      }
    }`);
  const scope = { ...api, doc: DOC };
  run(scope);
  assert.equal(typeof scope.passed, 'boolean');
  const { bp, policies, report } = scope.escaped;
  assert.equal(bp.disposed, true);
  assert.equal(policies.disposed, true);
  throws(() => bp.name, DISPOSED);
  throws(() => report.findings, DISPOSED);
});

test('`using` natively, where the engine parses it', (t) => {
  let native;
  try {
    native = new Function('Blueprint', 'doc', '{ using bp = Blueprint.fromObject(doc); return bp; }');
  } catch {
    t.skip(`node ${process.version} does not parse \`using\``);
    return;
  }
  const bp = native(Blueprint, DOC);
  assert.equal(bp.disposed, true);
});
