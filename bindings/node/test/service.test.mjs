// The example HTTP service (examples/service.mjs), started on a loopback port and called over
// HTTP: each endpoint, and bad input -> 400 with the located error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../examples/service.mjs';
import { Blueprint } from '@iac-dharma/node';
import { DOC, YAML } from './helpers.mjs';

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}/api/blueprints`;
});
after(() => new Promise((resolve) => server.close(resolve)));

async function post(path, body) {
  const res = await fetch(`${base}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('check, generate, estimate, cost-diff, plan, drift and graph answer with the engine results', async () => {
  const bp = Blueprint.fromYaml(YAML);
  const check = await post('check', { blueprint: YAML });
  assert.equal(check.status, 200);
  assert.deepEqual(check.body.resources, bp.resources);
  const gen = await post('generate', { blueprint: YAML, format: 'terraform' });
  assert.equal(gen.status, 200);
  assert.deepEqual(gen.body.files, bp.generate('terraform'));
  const est = await post('estimate', { blueprint: bp.toObject(), options: { budget: '5' } });
  assert.equal(est.status, 200);
  assert.deepEqual(est.body, bp.estimate({ budget: '5' }));
  const diff = await post('cost-diff', { blueprint: DOC, other: YAML });
  assert.equal(diff.status, 200);
  assert.deepEqual(diff.body, Blueprint.fromObject(DOC).costDiff(YAML));
  const graph = await post('graph', { blueprint: YAML });
  assert.deepEqual(graph.body, bp.graph());
  const newer = YAML.replace('t3.micro', 't3.large');
  const plan = await post('plan', { blueprint: YAML, other: newer });
  assert.equal(plan.status, 200);
  assert.deepEqual(plan.body, bp.planDiff(newer));
  const drift = await post('drift', { blueprint: YAML, state: { version: 4, resources: [] } });
  assert.equal(drift.status, 200);
  assert.equal(drift.body.missing.length, 4);
  const dot = await post('graph', { blueprint: YAML, format: 'dot' });
  assert.equal(dot.body.text, bp.graph('dot'));
});

test('bad input is a 400 with the located error', async () => {
  const syntax = await post('check', { blueprint: 'name: x\n  bad: [\n' });
  assert.equal(syntax.status, 400);
  assert.equal(syntax.body.error.name, 'DharmaError');
  assert.equal(syntax.body.error.code, 'yaml_syntax');
  assert.deepEqual(syntax.body.error.location, { line: 2, column: 6 });
  const ref = await post('estimate', { blueprint: YAML.replace('${main.id}', '${mian.id}') });
  assert.equal(ref.status, 400);
  assert.equal(ref.body.error.kind, 'check');
  assert.equal(ref.body.error.path, 'resources[1].properties.vpc_id');
  assert.equal(ref.body.error.suggestion, '${main.id}');
  assert.ok(ref.body.error.message.includes('mian'));
  const option = await post('estimate', { blueprint: YAML, options: { budgte: 1 } });
  assert.equal(option.status, 400);
  assert.equal(option.body.error.path, 'options.budgte');
  const format = await post('generate', { blueprint: YAML, format: 'terraformm' });
  assert.equal(format.status, 400);
  assert.equal(format.body.error.code, 'unknown_format');
  const notJson = await post('check', '{"blueprint": ');
  assert.equal(notJson.status, 400);
  const noBlueprint = await post('check', {});
  assert.equal(noBlueprint.status, 400);
});

test('unknown endpoints are 404, other methods 405', async () => {
  assert.equal((await post('nope', {})).status, 404);
  const res = await fetch(`${base}/check`);
  assert.equal(res.status, 405);
  await res.text();
});
