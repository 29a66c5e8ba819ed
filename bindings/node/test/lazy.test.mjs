// Results with lazy members (src/lazy.rs, src/lazy.js): a large member (`resources`, `findings`,
// `files`...) is built on first read, yet the result behaves as the plain object `JSON.parse` of
// the whole result gives, for every way a program looks at an object.
import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Blueprint, PolicySet } from '@iac-dharma/node';
import { syntheticAws } from './helpers.mjs';

const bp = Blueprint.fromObject(syntheticAws(200));
const next = Blueprint.fromObject({ ...syntheticAws(200), version: '2.0.0' });
const policies = PolicySet.builtin();
const today = { today: '2026-06-01' };

/** Each verb with lazy members, sync and async. */
const calls = {
  estimate: [() => bp.estimate(), () => bp.estimateAsync()],
  validate: [() => bp.validate(policies, today), () => bp.validateAsync(policies, today)],
  generate: [() => bp.generate('terraform'), () => bp.generateAsync('terraform')],
  planDiff: [() => bp.planDiff(next), () => bp.planDiffAsync(next)],
  costDiff: [() => bp.costDiff(next), () => bp.costDiffAsync(next)],
  runPipeline: [() => next.runPipeline({ previous: bp, policySet: policies, ...today }),
    () => next.runPipelineAsync({ previous: bp, policySet: policies, ...today })],
};

/** The names of the members of `object` that are still getters. */
const getters = (object) =>
  Object.entries(Object.getOwnPropertyDescriptors(object)).filter(([, d]) => d.get).map(([k]) => k);

for (const [verb, [sync, async_]] of Object.entries(calls)) {
  test(`${verb}: lazy members behave as plain data`, async () => {
    for (const call of [sync, async () => await async_()]) {
      const expected = JSON.parse(JSON.stringify(await call()));
      const fresh = await call();
      assert.ok(getters(fresh).length > 0 || Object.values(fresh).some((v) => v && typeof v === 'object' && getters(v).length),
        `${verb} has lazy members at 200 resources`);
      assert.equal(Object.getPrototypeOf(fresh), Object.prototype);
      assert.deepEqual(Object.keys(fresh), Object.keys(expected));
      assert.deepStrictEqual(fresh, expected);
      // Once read, a member is an ordinary data property.
      assert.deepEqual(getters(fresh), []);
      assert.deepStrictEqual({ ...(await call()) }, expected);
      assert.deepStrictEqual(structuredClone(await call()), expected);
      assert.equal(JSON.stringify(await call()), JSON.stringify(expected));
      assert.doesNotMatch(inspect(await call(), { depth: 1 }), /Getter|Setter/);
    }
  });
}

test('a lazy member can be assigned, deleted, and read from a frozen result', async () => {
  const expected = JSON.parse(JSON.stringify(bp.estimate()));
  const assigned = bp.estimate();
  assert.ok(getters(assigned).includes('resources'));
  assigned.resources = [];
  assert.deepEqual(assigned.resources, []);
  assert.equal(Object.getOwnPropertyDescriptor(assigned, 'resources').writable, true);
  const deleted = await bp.estimateAsync();
  delete deleted.resources;
  assert.equal('resources' in deleted, false);
  assert.deepEqual(Object.keys(deleted), Object.keys(expected).filter((k) => k !== 'resources'));
  const frozen = Object.freeze(bp.estimate());
  assert.deepStrictEqual(frozen.resources, expected.resources);
  assert.equal(frozen.resources, frozen.resources);
  assert.throws(() => { frozen.resources = []; }, TypeError);
  assert.deepStrictEqual(frozen.resources, expected.resources);
  // A member is built once: the same array on every read.
  const once = bp.estimate();
  assert.equal(once.resources, once.resources);
});

test('small members are there at once, large ones are read on demand', () => {
  const est = bp.estimate();
  for (const key of ['total_monthly', 'currency', 'budget']) {
    if (key in est) assert.equal(Object.getOwnPropertyDescriptor(est, key).get, undefined, key);
  }
  const report = bp.validate(policies, today);
  assert.equal(Object.getOwnPropertyDescriptor(report, 'passed').get, undefined);
  assert.equal(Object.getOwnPropertyDescriptor(report, 'counts').get, undefined);
  assert.equal(typeof Object.getOwnPropertyDescriptor(report, 'findings').get, 'function');
  // One level down: a pipeline's validation report is an object whose findings are lazy.
  const run = next.runPipeline({ previous: bp, policySet: policies, ...today });
  assert.equal(typeof run.validation.passed, 'boolean');
  assert.equal(typeof Object.getOwnPropertyDescriptor(run.validation, 'findings').get, 'function');
});
