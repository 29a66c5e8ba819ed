// drift, versionCheck and validatePlan through the Node build: their API and error paths, and the
// shared cases of tests/vectors/ for the calls `drift`, `version_bump` and `validate_plan`, run
// here with their expected outcomes compared as core/tests/vectors.rs compares them (subset of
// objects, exact arrays; the shared runner's comparison, tests/vectors/runner.mjs). (The package's vectors.test.mjs runs the other calls.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as dharma from '@iac-dharma/wasm';
import { errorOutcome, loadCases, matches } from '../../../tests/vectors/runner.mjs';

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

test('drift: state as text or object, the same report', () => {
  const report = dharma.drift(AWS_BLUEPRINT, AWS_STATE);
  assert.deepEqual(report.missing, ['aws_subnet.private']);
  assert.deepEqual(report.unmanaged, ['aws_eip.bastion']);
  const resized = report.changed.find((c) => c.address === 'aws_instance.web[1]');
  assert.deepEqual(resized.changes, [{ path: 'instance_type', expected: 't3.micro', actual: 't3.large' }]);
  assert.ok(Array.isArray(report.in_sync) && Array.isArray(report.not_compared));
  assert.deepEqual(dharma.drift(dharma.parse(AWS_BLUEPRINT).blueprint, JSON.parse(AWS_STATE)), report);
});

test('drift: located errors for a broken state, paths only for objects', () => {
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

test('versionCheck: the bump a change requires against the declared one', () => {
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

test('validatePlan: a plan as text or object, waivers from the options', () => {
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

test('validatePlan: errors', () => {
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
  // A blueprint's waivers belong to its resources.
  const bp = thrown(() => dharma.validate(V1, { waivers: {} }));
  assert.equal(bp.kind, 'invalid_input');
  assert.equal(bp.path, 'options.waivers');
});

// --- the shared cases of these calls -----------------------------------------------------------

function blueprintOf(c) {
  if ('blueprint' in c) return JSON.stringify(c.blueprint);
  if ('blueprint_text' in c) return c.blueprint_text;
  return read(c.blueprint_file);
}

function validateOptions(args) {
  const options = { today: args.today ?? TODAY };
  for (const key of ['fail_on', 'variables', 'settings', 'policies', 'no_builtin', 'waivers']) {
    if (key in args) options[key] = args[key];
  }
  return options;
}

const CALLS = {
  drift: (c) => dharma.drift(blueprintOf(c), read(c.args.state_file)),
  version_bump: (c) => {
    const v = dharma.versionCheck(blueprintOf(c), JSON.stringify(c.args.new_blueprint));
    return { bump: v.required, minimum: v.minimum, ok: v.ok };
  },
  validate_plan: (c) => {
    const args = c.args;
    const plan = 'plan_file' in args ? read(args.plan_file) : 'plan_text' in args ? args.plan_text : args.plan;
    const r = dharma.validatePlan(plan, validateOptions(args));
    const findings = r.findings
      .filter((f) => args.check == null || f.id === args.check)
      .map((f) => ({ id: f.id, address: f.address, path: f.path, status: f.status, severity: f.severity }));
    const waivers = (r.waivers ?? []).map((w) => ({ address: w.address, id: w.id, state: w.state }));
    return { passed: r.passed, counts: r.counts, findings, waivers };
  },
};

function outcome(c) {
  try {
    return { result: CALLS[c.call](c) };
  } catch (e) {
    if (e?.name !== 'DharmaError') throw e;
    return errorOutcome(e);
  }
}

const cases = loadCases().filter(({ c }) => c.call in CALLS);

for (const call of Object.keys(CALLS)) {
  const mine = cases.filter(({ c }) => c.call === call);
  test(`shared vectors of \`${call}\` (${mine.length} cases)`, () => {
    assert.ok(mine.length >= 3, `only ${mine.length} cases`);
    const failures = [];
    for (const { name, c } of mine) {
      const problems = [];
      const got = outcome(c);
      matches(c.expect, got, 'expect', problems);
      if (problems.length) failures.push(`${name}:\n  ${problems.join('\n  ')}\n  outcome: ${JSON.stringify(got).slice(0, 2000)}`);
    }
    assert.equal(failures.length, 0, failures.join('\n'));
  });
}
