// PolicySet, Blueprint.validate and validatePlan: results, reuse of one compiled set, async
// variants, and every error path (bad Rego, bad options, bad plans, bad waivers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Blueprint, DharmaError, PolicySet, validatePlan, validatePlanAsync } from '@iac-dharma/node';
import { checkError, throws } from './helpers.mjs';

const thrown = (fn) => throws(fn, {});

/** A public, unencrypted bucket: several built-in checks fail on it. */
const BUCKET = {
  name: 'site', version: '1.0.0', provider: 'aws', region: 'us-east-1',
  resources: [{ type: 'aws_s3_bucket', name: 'site', properties: { bucket: 'acme-site' } }],
};

const TEAM_POLICY = `package team.storage
import rego.v1
deny contains msg if {
  some rc in input.resource_changes
  rc.type == "aws_s3_bucket"
  not rc.change.after.tags.team
  msg := sprintf("%s: every bucket needs a team tag", [rc.address])
}
`;

/** A minimal `terraform show -json` plan with one bucket. */
const PLAN = {
  format_version: '1.2',
  terraform_version: '1.9.0',
  resource_changes: [{
    address: 'aws_s3_bucket.logs', mode: 'managed', type: 'aws_s3_bucket', name: 'logs',
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { actions: ['create'], before: null, after: { bucket: 'acme-logs' }, after_unknown: {} },
  }],
};

test('validate with the built-in checks: a plain-object report', () => {
  const bp = Blueprint.fromObject(BUCKET);
  const r = bp.validate();
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.equal(r.passed, false);
  assert.equal(r.input.kind, 'blueprint');
  assert.equal(r.input.resources, 1);
  assert.ok(r.findings.length > 0);
  for (const f of r.findings) {
    assert.equal(f.address, 'aws_s3_bucket.site');
    assert.match(f.id, /^DHARMA_AWS_S3_/);
    assert.ok(['fail', 'warn', 'unknown', 'waived'].includes(f.status));
  }
  const failed = r.findings.filter((f) => f.status === 'fail').length;
  assert.equal(r.counts.critical + r.counts.high + r.counts.medium + r.counts.low, failed);
  // The same as passing the built-in set explicitly, or null.
  assert.deepEqual(bp.validate(PolicySet.builtin()), r);
  assert.deepEqual(bp.validate(null, {}), r);
});

test('failOn: only failures at or above it fail the report', () => {
  const bp = Blueprint.fromObject(BUCKET);
  const r = bp.validate(null, { failOn: 'critical' });
  assert.equal(r.fail_on, 'critical');
  assert.equal(r.passed, r.counts.critical === 0);
  assert.equal(bp.validate(null, { failOn: 'low' }).passed, false);
});

test('waivers in the blueprint are applied, and reported', () => {
  const bp = Blueprint.fromObject(BUCKET);
  const id = bp.validate().findings.find((f) => f.status === 'fail').id;
  const waived = structuredClone(BUCKET);
  waived.resources[0].waivers = [{ id, reason: 'static site, public on purpose', expires: '2027-01-01' }];
  const r = Blueprint.fromObject(waived).validate(null, { today: '2026-06-01' });
  const f = r.findings.find((x) => x.id === id);
  assert.equal(f.status, 'waived');
  assert.equal(f.waiver.reason, 'static site, public on purpose');
  assert.deepEqual(r.waivers.map((w) => [w.id, w.state]), [[id, 'applied']]);
  // After its expiry date the finding counts again.
  const late = Blueprint.fromObject(waived).validate(null, { today: '2027-02-01' });
  assert.equal(late.findings.find((x) => x.id === id).status, 'fail');
  assert.equal(late.waivers[0].state, 'expired');
});

test('a PolicySet from Rego text: user findings, built-ins optional, reusable', () => {
  const bp = Blueprint.fromObject(BUCKET);
  const only = PolicySet.fromRego({ 'team.rego': TEAM_POLICY }, { builtin: false });
  assert.equal(only.hasBuiltin, false);
  assert.deepEqual(only.userPackages, ['team.storage']);
  assert.deepEqual(only.checks(), []);
  const r = bp.validate(only);
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0].message, /team tag/);
  // The array form and the built-ins together.
  const both = PolicySet.fromRego([{ name: 'team.rego', rego: TEAM_POLICY }]);
  assert.equal(both.hasBuiltin, true);
  const all = bp.validate(both);
  assert.equal(all.findings.length, bp.validate().findings.length + 1);
  // One compiled set serves many blueprints.
  for (let i = 0; i < 3; i++) assert.deepEqual(bp.validate(only), r);
});

test('PolicySet.builtin: the check catalog, and settings', () => {
  const set = PolicySet.builtin();
  const checks = set.checks();
  assert.ok(checks.length >= 10);
  const ids = checks.map((c) => c.id);
  assert.deepEqual(ids, [...ids].sort());
  for (const c of checks) {
    assert.ok(['low', 'medium', 'high', 'critical'].includes(c.severity));
    assert.equal(typeof c.title, 'string');
  }
  const tagged = PolicySet.builtin({ settings: { required_tags: ['owner'] } });
  const r = Blueprint.fromObject(BUCKET).validate(tagged);
  assert.ok(r.findings.some((f) => /owner/.test(f.message)), JSON.stringify(r.findings.map((f) => f.message)));
});

test('PolicySet.fromPath: a file, a folder (tests skipped), several paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dharma-rego-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'team.rego'), TEAM_POLICY);
    writeFileSync(join(dir, 'sub', 'team_test.rego'), 'this is not rego and must be skipped');
    const fromDir = PolicySet.fromPath(dir, { builtin: false });
    assert.deepEqual(fromDir.userPackages, ['team.storage']);
    const fromFile = PolicySet.fromPath([join(dir, 'sub', 'team.rego')], { builtin: false });
    assert.deepEqual(
      Blueprint.fromObject(BUCKET).validate(fromFile).findings.length, 1);
    const err = thrown(() => PolicySet.fromPath(join(dir, 'missing')));
    assert.equal(err.kind, 'invalid_input');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PolicySet errors: bad Rego names file and line, bad arguments name the option', () => {
  const err = thrown(() => PolicySet.fromRego({ 'broken.rego': 'package x\n\ndeny contains msg if {' }));
  assert.equal(err.kind, 'policy');
  assert.equal(err.code, 'policy_syntax');
  assert.match(err.message, /broken\.rego/);
  const bad = thrown(() => PolicySet.fromRego('package x'));
  assert.equal(bad.path, 'policies');
  const opt = thrown(() => PolicySet.builtin({ settting: {} }));
  assert.equal(opt.path, 'options.settting');
  assert.equal(opt.suggestion, 'settings');
  const shape = thrown(() => PolicySet.builtin({ settings: { required_tags: 'owner' } }));
  assert.equal(shape.kind, 'policy');
  thrown(() => PolicySet.fromPath(42));
});

test('validate errors: options and the policy set argument', () => {
  const bp = Blueprint.fromObject(BUCKET);
  const sev = thrown(() => bp.validate(null, { failOn: 'hihg' }));
  assert.equal(sev.kind, 'invalid_input');
  assert.equal(sev.path, 'options.failOn');
  assert.equal(sev.suggestion, 'high');
  const key = thrown(() => bp.validate(null, { fail_on: 'high' }));
  assert.equal(key.path, 'options.fail_on');
  assert.equal(key.suggestion, 'failOn');
  const set = thrown(() => bp.validate({ builtin: true }));
  assert.equal(set.path, 'policySet');
  const waiver = structuredClone(BUCKET);
  waiver.resources[0].waivers = [{ id: 'DHARMA_AWS_S3_001', reason: '', expires: 'someday' }];
  const w = thrown(() => Blueprint.fromObject(waiver).validate());
  assert.equal(w.code, 'invalid_waiver');
  assert.match(w.path, /^resources\[0\]\.waivers\[0\]/);
});

test('a user policy that fails at run time is a policy error, not a crash', () => {
  const explode = PolicySet.fromRego({ 'boom.rego': 'package boom\nimport rego.v1\ndeny contains msg if { x := 1 / 0; msg := sprintf("%v", [x]) }\n' }, { builtin: false });
  try {
    const r = Blueprint.fromObject(BUCKET).validate(explode);
    // Rego division by zero is undefined in some engines: then nothing is reported.
    assert.equal(r.findings.length, 0);
  } catch (e) {
    checkError(e);
    assert.ok(['policy', 'limit'].includes(e.kind));
  }
});

test('validatePlan: text or object, waivers from options', () => {
  const fromObject = validatePlan(PLAN);
  assert.equal(fromObject.input.kind, 'plan');
  assert.equal(fromObject.input.format_version, '1.2');
  assert.deepEqual(validatePlan(JSON.stringify(PLAN)), fromObject);
  assert.ok(fromObject.findings.length > 0);
  const id = fromObject.findings.find((f) => f.status === 'fail').id;
  const r = validatePlan(PLAN, null, {
    today: '2026-06-01',
    waivers: { 'aws_s3_bucket.logs': [{ id, reason: 'accepted' }] },
  });
  assert.equal(r.findings.find((f) => f.id === id).status, 'waived');
});

test('validatePlan errors', () => {
  const syntax = thrown(() => validatePlan('{"format_version": '));
  assert.equal(syntax.kind, 'parse');
  thrown(() => validatePlan({ hello: 'world' }));
  const type = thrown(() => validatePlan(42));
  assert.equal(type.path, 'plan');
  const w = thrown(() => validatePlan(PLAN, null, { waivers: { 'aws_s3_bucket.logs': [{ id: 'X' }] } }));
  assert.equal(w.kind, 'invalid_input');
  assert.match(w.path, /^options\.waivers/);
});

test('async variants resolve to the same reports and reject with DharmaError', async () => {
  const bp = Blueprint.fromObject(BUCKET);
  const set = PolicySet.fromRego({ 'team.rego': TEAM_POLICY });
  const [a, b] = await Promise.all([bp.validateAsync(set), validatePlanAsync(PLAN, set)]);
  assert.deepEqual(a, bp.validate(set));
  assert.deepEqual(b, validatePlan(PLAN, set));
  await assert.rejects(bp.validateAsync(null, { failOn: 'nope' }), (e) => checkError(e) instanceof DharmaError && e.path === 'options.failOn');
  await assert.rejects(validatePlanAsync('not json'), (e) => checkError(e).kind === 'parse');
});
