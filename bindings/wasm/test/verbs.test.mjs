// drift, versionCheck and validatePlan through the Node build: their API and error paths. (Their
// shared cases of tests/vectors/ run in vectors.test.mjs with the other calls.) The default module
// leaves drift and validatePlan out (README.md, "What the module has"): then they must throw `unsupported_call`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as dharma from '@iac-dharma/wasm';
import { FEATURES, unless } from './features.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path) => readFileSync(join(ROOT, path), 'utf8');

const AWS_BLUEPRINT = read('tests/fixtures/state/aws-web.blueprint.yaml');
const AWS_STATE = read('tests/fixtures/state/aws-web.tfstate');
const TODAY = '2026-06-01';

const V1 = {
  name: 'net',
  version: '1.0.0',
  provider: 'aws',
  region: 'us-east-1',
  resources: [{ type: 'aws_vpc', name: 'main', properties: { cidr_block: '10.0.0.0/16' } }],
};
const withSubnet = (version) => ({
  ...V1,
  version,
  resources: [...V1.resources, { type: 'aws_subnet', name: 'a', properties: { vpc_id: '${main.id}', cidr_block: '10.0.1.0/24' } }],
});


function thrown(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    assert.equal(e.name, 'DharmaError');
    return e;
  }
  assert.fail('expected a DharmaError');
}

test('drift: state as text or object, the same report', { skip: unless('plan-import') }, () => {
  const report = dharma.drift(AWS_BLUEPRINT, AWS_STATE);
  assert.deepEqual(report.missing, ['aws_subnet.private']);
  assert.deepEqual(report.unmanaged, ['aws_eip.bastion']);
  const resized = report.changed.find((c) => c.address === 'aws_instance.web[1]');
  assert.deepEqual(resized.changes, [{ path: 'instance_type', expected: 't3.micro', actual: 't3.large' }]);
  assert.ok(Array.isArray(report.in_sync) && Array.isArray(report.not_compared));
  assert.deepEqual(dharma.drift(dharma.parse(AWS_BLUEPRINT).blueprint, JSON.parse(AWS_STATE)), report);
});

test('drift: located errors for a broken state, paths only for objects', { skip: unless('plan-import') }, () => {
  const e = thrown(() => dharma.drift(AWS_BLUEPRINT, AWS_STATE.slice(0, 200)));
  assert.equal(e.kind, 'parse');
  assert.equal(e.code, 'json_syntax');
  assert.ok(e.location && e.location.line > 1, JSON.stringify(e.location));
  const shape = thrown(() => dharma.drift(AWS_BLUEPRINT, { version: 4, resources: 'x' }));
  assert.equal(shape.code, 'invalid_state');
  assert.equal(shape.location, null);
  const other = thrown(() => dharma.drift(AWS_BLUEPRINT, read('tests/fixtures/state/azure-app.tfstate')));
  assert.equal(other.kind, 'plan');
  assert.equal(other.code, 'state_provider_mismatch');
  for (const bad of [42, null, ['x']]) {
    const arg = thrown(() => dharma.drift(AWS_BLUEPRINT, bad));
    assert.equal(arg.kind, 'invalid_input');
    assert.equal(arg.path, 'state');
  }
});

test('versionCheck: the bump a change requires against the declared one', { skip: unless('version-check') }, () => {
  assert.deepEqual(dharma.versionCheck(V1, withSubnet('1.1.0')), {
    required: 'minor',
    declared: 'minor',
    before: '1.0.0',
    after: '1.1.0',
    minimum: '1.1.0',
    ok: true,
  });
  const tooSmall = dharma.versionCheck(JSON.stringify(withSubnet('1.1.0')), JSON.stringify({ ...V1, version: '1.1.1' }));
  assert.equal(tooSmall.required, 'major');
  assert.equal(tooSmall.minimum, '2.0.0');
  assert.equal(tooSmall.ok, false);
  assert.equal(dharma.versionCheck(V1, V1).required, 'none');
  const e = thrown(() => dharma.versionCheck(V1, { ...V1, region: 'us-east-l' }));
  assert.equal(e.code, 'unknown_region');
});

const PLAN = read('tests/fixtures/plans/terragoat-aws.tfplan.json');

test('validatePlan: a plan as text or object, waivers from the options', { skip: unless('plan-import') }, () => {
  const report = dharma.validatePlan(PLAN, { today: TODAY });
  assert.equal(report.input.kind, 'plan');
  assert.equal(report.passed, false);
  assert.ok(report.findings.length > 0);
  assert.deepEqual(dharma.validatePlan(JSON.parse(PLAN), { today: TODAY }), report);
  const failing = report.findings.find((f) => f.status === 'fail');
  const address = failing.address.replace(/\[[^\]]*\]$/, '');
  const waived = dharma.validatePlan(PLAN, {
    today: TODAY,
    waivers: { [address]: [{ id: failing.id, reason: 'accepted for the test' }] },
  });
  const same = waived.findings.find((f) => f.id === failing.id && f.address === failing.address);
  assert.equal(same.status, 'waived');
  assert.equal(waived.counts.waived >= 1, true);
});

test('validatePlan: errors', { skip: unless('plan-import') }, () => {
  const e = thrown(() => dharma.validatePlan(PLAN.slice(0, 300)));
  assert.equal(e.kind, 'parse');
  assert.equal(e.code, 'json_syntax');
  assert.ok(e.location);
  const shape = thrown(() => dharma.validatePlan(PLAN, { waivers: { 'aws_s3_bucket.x': [{ id: 'X' }] } }));
  assert.equal(shape.kind, 'invalid_input', shape.message);
  assert.match(shape.path, /^options\.waivers/);
  const waiver = thrown(() =>
    dharma.validatePlan(PLAN, { today: TODAY, waivers: { 'aws_s3_bucket.x': [{ id: 'X', reason: 'r', expires: 'soon' }] } }),
  );
  assert.equal(waiver.code, 'invalid_waiver', waiver.message);
  assert.equal(waiver.path, 'waivers.aws_s3_bucket.x[0].expires');
  const arg = thrown(() => dharma.validatePlan(7));
  assert.equal(arg.path, 'plan');
});

test('validate: refuses the waivers option of validatePlan', () => {
  // A blueprint's waivers belong to its resources.
  const bp = thrown(() => dharma.validate(V1, { waivers: {} }));
  assert.equal(bp.kind, 'invalid_input');
  assert.equal(bp.path, 'options.waivers');
});

test('calls the module leaves out throw unsupported_call, naming the call and the feature', () => {
  const calls = [
    ['validatePlan', 'plan-import', () => dharma.validatePlan(PLAN, { today: TODAY })],
    ['drift', 'plan-import', () => dharma.drift(AWS_BLUEPRINT, AWS_STATE)],
    ['versionCheck', 'version-check', () => dharma.versionCheck(V1, V1)],
  ];
  for (const [name, feature, call] of calls.filter(([, feature]) => !FEATURES.has(feature))) {
    const e = thrown(call);
    assert.equal(e.kind, 'invalid_input', name);
    assert.equal(e.code, 'unsupported_call', name);
    assert.ok(e.message.startsWith(`${name} is left out of this WebAssembly module`), e.message);
    assert.ok(e.message.includes(`WASM_FEATURES=full (or ${feature})`), e.message);
  }
  // Each is still a function of the package: leaving a part out never removes an export.
  for (const [name] of calls) assert.equal(typeof dharma[name], 'function', name);
});
