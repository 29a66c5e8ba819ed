// The browser entry (pkg/web) loaded by Node.js as the ES module it is, without a bundler: a call
// before init() is a DharmaError that says so, and initSync() loads the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const web = new URL('../pkg/web/', import.meta.url);
const BLUEPRINT = 'name: web-app\nversion: 1.0.0\nprovider: aws\nregion: us-east-1\nresources: []\n';

test('web entry: pkg/web is marked as ES modules for Node.js and TypeScript', () => {
  const marker = JSON.parse(readFileSync(fileURLToPath(new URL('package.json', web)), 'utf8'));
  assert.equal(marker.type, 'module');
});

test('web entry: a call before init() is a DharmaError, then initSync() loads the module', async () => {
  const dharma = await import(new URL('index.js', web).href);
  assert.throws(
    () => dharma.check(BLUEPRINT),
    (e) => e.name === 'DharmaError' && e.code === 'not_initialized' && e.kind === 'invalid_input' && /init\(\)/.test(e.message),
  );
  dharma.initSync({ module: readFileSync(fileURLToPath(new URL('iac_dharma_wasm_bg.wasm', web))) });
  assert.equal(dharma.check(BLUEPRINT).name, 'web-app');
});
