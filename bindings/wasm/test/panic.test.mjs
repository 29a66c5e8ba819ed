// A panic inside the module (a bug) must reach JS as a readable DharmaError, never as an opaque
// `RuntimeError: unreachable`, and must not leave the module broken. Own file: node --test runs
// each file in its own process, so the other tests never see a module that has panicked.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as dharma from '@iac-dharma/wasm';

const DOC = {
  name: 'demo',
  version: '1.0.0',
  provider: 'aws',
  region: 'us-east-1',
  resources: [{ type: 'aws_vpc', name: 'main', properties: { cidr_block: '10.0.0.0/16' } }],
};

/** Panics once in the module; returns what was thrown. The hook's console.error is silenced. */
function panicOnce(message) {
  const original = console.error;
  console.error = () => {};
  try {
    dharma.__panicForTesting(message);
  } catch (e) {
    return e;
  } finally {
    console.error = original;
  }
  assert.fail('the panic did not throw');
}

test('a panic is thrown as a DharmaError with kind internal, and logged', () => {
  const logged = [];
  const original = console.error;
  console.error = (...args) => logged.push(args.join(' '));
  let err;
  try {
    dharma.__panicForTesting('boom: something impossible happened');
  } catch (e) {
    err = e;
  } finally {
    console.error = original;
  }
  assert.ok(err instanceof Error, `not an Error: ${err}`);
  assert.ok(!(err instanceof WebAssembly.RuntimeError));
  assert.equal(err.name, 'DharmaError');
  assert.equal(err.kind, 'internal');
  assert.equal(err.code, 'internal_error');
  assert.equal(err.path, '');
  assert.equal(err.location, null);
  assert.match(err.message, /boom: something impossible happened at .*src\/lib\.rs:\d+:\d+/);
  assert.deepEqual(err.findings, [{ code: 'internal_error', severity: 'error', path: '', message: err.message }]);
  assert.equal(logged.length, 1);
  assert.equal(logged[0], err.message);
});

const YAML = 'name: demo\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources:\n' +
  '  - {type: vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}\n' +
  '  - {type: subnet, name: a, properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}}\n';

test('after a panic the next call runs on a fresh instance', () => {
  panicOnce('first');
  // Text and string arguments arrive intact in the new instance.
  assert.deepEqual(dharma.blastRadius(YAML, 'main'), ['a']);
  panicOnce('second');
  assert.deepEqual(dharma.check(YAML).resources.map((r) => r.type), ['aws_vpc', 'aws_subnet']);
  panicOnce('third');
  assert.deepEqual(dharma.check(DOC).resources.map((r) => r.type), ['aws_vpc']);
  // Many panics in a row do not exhaust anything: each re-creates the instance.
  for (let i = 0; i < 200; i++) {
    assert.equal(panicOnce(`again ${i}`).kind, 'internal');
    assert.equal(dharma.graph(DOC).waves.length, 1);
  }
  // Errors of the engine keep working as before.
  assert.throws(() => dharma.check('{'), (e) => e.code === 'json_syntax' && e.location.line === 1);
});

test('a trap is thrown as a DharmaError with kind internal, and the module carries on', () => {
  let err;
  try {
    dharma.__trapForTesting();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'DharmaError');
  assert.equal(err.kind, 'internal');
  assert.equal(err.code, 'internal_error');
  assert.ok(err.cause instanceof WebAssembly.RuntimeError, String(err.cause));
  assert.match(err.message, /unreachable/);
  assert.deepEqual(dharma.blastRadius(YAML, 'main'), ['a']);
});

test('a trap in a call made while another runs fails that call too, and the module carries on', () => {
  // check() reads its argument with JSON.stringify, which calls toJSON, which calls the module.
  let inner;
  const argument = {
    toJSON() {
      try {
        dharma.__trapForTesting();
      } catch (e) {
        inner = e;
      }
      return DOC;
    },
  };
  assert.throws(
    () => dharma.check(argument),
    (e) => e.name === 'DharmaError' && e.kind === 'internal' && /while this one ran/.test(e.message),
  );
  assert.equal(inner.kind, 'internal');
  // The instance was replaced once the outer call ended.
  assert.equal(dharma.check(DOC).name, 'demo');
  assert.deepEqual(dharma.blastRadius(YAML, 'main'), ['a']);
});

test('the entry wraps every function of the module', async () => {
  const { createRequire } = await import('node:module');
  const glue = createRequire(import.meta.url)('../pkg/node/iac_dharma_wasm.js');
  const fns = Object.keys(glue).filter((k) => typeof glue[k] === 'function').sort();
  const entry = Object.keys(dharma).filter((k) => typeof dharma[k] === 'function' && k !== 'default').sort();
  assert.deepEqual(entry, fns);
  for (const k of fns) assert.notEqual(dharma[k], glue[k], k);
});
