// A panic inside the addon never crosses into JS: it becomes a DharmaError of kind `internal`
// (sync calls throw it, async calls reject with it) and the process carries on. The test hooks
// panic only when IAC_DHARMA_TEST_PANIC=1 (each test file runs in its own process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { Blueprint } from '@iac-dharma/node';
import { YAML, rejects, throws } from './helpers.mjs';

const require = createRequire(import.meta.url);
const native = require('../index.js');

test('the hooks are disarmed without the switch', () => {
  delete process.env.IAC_DHARMA_TEST_PANIC;
  throws(() => native.__panicForTesting('boom'), { kind: 'invalid_input', code: 'invalid_argument' });
});

test('a panic on the JS thread throws a DharmaError of kind internal', () => {
  process.env.IAC_DHARMA_TEST_PANIC = '1';
  const err = throws(() => native.__panicForTesting('boom on the JS thread'), { kind: 'internal', code: 'internal_error', path: '' });
  assert.match(err.message, /boom on the JS thread/);
  assert.match(err.message, /please report it/);
});

test('a panic on a pool thread rejects the promise; the pool and the process carry on', async () => {
  process.env.IAC_DHARMA_TEST_PANIC = '1';
  const errs = await Promise.all(
    Array.from({ length: 8 }, (_, i) => rejects(native.__panicForTestingAsync(`boom ${i}`), { kind: 'internal', code: 'internal_error' })),
  );
  errs.forEach((e, i) => assert.match(e.message, new RegExp(`boom ${i}`)));
  // Everything still works afterwards, sync and async.
  const bp = await Blueprint.fromYamlAsync(YAML);
  assert.deepEqual(await bp.estimateAsync(), bp.estimate());
});
