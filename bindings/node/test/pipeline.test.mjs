// Blueprint.runPipeline (validate, estimate and budget, generate, plan or drift, decision) and
// the DeploymentStatus state machine helpers, with their error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Blueprint, DeploymentStatus, PolicySet, PriceCatalog } from '@iac-dharma/node';
import { rejects, throws } from './helpers.mjs';

const doc = (bucket, version, extra = {}) => ({
  name: 'site', version, provider: 'aws', region: 'us-east-1', ...extra,
  resources: [{ type: 'aws_s3_bucket', name: 'logs', properties: { bucket } }],
});
const OLD = doc('acme-logs', '1.0.0');
const NEW = doc('acme-logs-2', '2.0.0');
/** No built-in check: the decision depends on the approval rules alone. */
const NO_POLICIES = PolicySet.fromRego([], { builtin: false });

test('no baseline: every stage runs, Terraform by default, ready when nothing objects', () => {
  const r = Blueprint.fromObject(OLD).runPipeline({ policySet: NO_POLICIES });
  assert.equal(r.decision.status, 'ready');
  assert.equal(r.decision.next_status, 'approved');
  assert.deepEqual(r.decision.reasons, []);
  assert.equal(r.format, 'terraform');
  assert.ok('main.tf' in r.files);
  assert.equal(r.validation.passed, true);
  assert.equal(typeof r.estimate.total_monthly, 'string');
  assert.equal(r.plan, undefined);
  assert.equal(r.drift, undefined);
});

test('the built-in checks block a failing bucket: blocked, next status failed', () => {
  const r = Blueprint.fromObject(OLD).runPipeline();
  assert.equal(r.validation.passed, false);
  assert.equal(r.decision.status, 'blocked');
  assert.equal(r.decision.next_status, 'failed');
  assert.ok(r.decision.reasons.some((x) => x.kind === 'policy' && x.blocking && x.check));
  // failOn above every failure: no longer blocked by policy.
  const relaxed = Blueprint.fromObject(OLD).runPipeline({ failOn: 'critical' });
  assert.equal(relaxed.decision.reasons.some((x) => x.kind === 'policy' && x.blocking), relaxed.validation.counts.critical > 0);
});

test('previous blueprint: plan and cost diff; a replacement needs approval', () => {
  const r = Blueprint.fromObject(NEW).runPipeline({ previous: Blueprint.fromObject(OLD), policySet: NO_POLICIES });
  assert.equal(r.plan.summary.replace, 1);
  assert.ok(r.cost_diff);
  assert.equal(r.decision.status, 'needs_approval');
  assert.equal(r.decision.next_status, null);
  assert.deepEqual(r.decision.reasons.map((x) => [x.kind, x.blocking]), [['replace', false]]);
  // The previous version may be given as an object or text too; the rule can be switched off.
  const asText = Blueprint.fromObject(NEW).runPipeline({
    previous: JSON.stringify(OLD), policySet: NO_POLICIES, approval: { onReplace: false },
  });
  assert.equal(asText.decision.status, 'ready');
  assert.deepEqual(asText.plan, r.plan);
});

test('protected environments, budget and cost-increase rules', () => {
  const prod = doc('acme-logs', '1.0.0', { metadata: { environment: 'production' } });
  const r = Blueprint.fromObject(prod).runPipeline({ policySet: NO_POLICIES });
  assert.equal(r.decision.environment, 'production');
  assert.equal(r.decision.status, 'needs_approval');
  assert.equal(r.decision.reasons[0].kind, 'environment');
  const dev = Blueprint.fromObject(prod).runPipeline({ policySet: NO_POLICIES, approval: { environment: 'dev' } });
  assert.equal(dev.decision.status, 'ready');
  const vm = {
    name: 'vm-app', version: '1.0.0', provider: 'aws', region: 'us-east-1',
    resources: [{ type: 'aws_instance', name: 'web', properties: { ami: 'ami-1', instance_type: 'm5.xlarge' } }],
  };
  const over = Blueprint.fromObject(vm).runPipeline({ policySet: NO_POLICIES, budget: '1.00', catalog: PriceCatalog.builtin() });
  assert.equal(over.decision.status, 'blocked');
  assert.ok(over.decision.reasons.some((x) => x.kind === 'budget' && x.blocking));
  const bigger = { ...vm, version: '1.1.0', resources: [{ ...vm.resources[0], count: 3 }] };
  const up = Blueprint.fromObject(bigger).runPipeline({
    previous: vm, policySet: NO_POLICIES, approval: { maxMonthlyIncrease: 10, maxIncreasePercent: '50' },
  });
  assert.ok(up.decision.reasons.some((x) => x.kind === 'cost_increase'), JSON.stringify(up.decision));
});

test('another format, a state baseline (drift), and a format that cannot express the blueprint', () => {
  const bp = Blueprint.fromObject(OLD);
  const cfn = bp.runPipeline({ policySet: NO_POLICIES, format: 'cloudformation' });
  assert.equal(cfn.format, 'cloudformation');
  assert.ok(Object.keys(cfn.files).length > 0);
  const state = { version: 4, terraform_version: '1.9.0', serial: 1, lineage: 'x', outputs: {}, resources: [] };
  const d = bp.runPipeline({ policySet: NO_POLICIES, state });
  assert.ok(d.drift);
  assert.deepEqual(bp.runPipeline({ policySet: NO_POLICIES, state: JSON.stringify(state) }).drift, d.drift);
  const gcp = Blueprint.fromObject({
    name: 'gcp-app', version: '1.0.0', provider: 'gcp', region: 'us-central1',
    resources: [{ type: 'google_storage_bucket', name: 'b', properties: { name: 'b', location: 'US' } }],
  });
  const arm = gcp.runPipeline({ policySet: NO_POLICIES, format: 'arm' });
  assert.equal(arm.files, null);
  assert.ok(arm.decision.reasons.some((x) => x.kind === 'generate' && x.blocking));
});

test('runPipeline errors name the option', () => {
  const bp = Blueprint.fromObject(NEW);
  throws(() => bp.runPipeline({ previous: OLD, state: '{}' }), { kind: 'invalid_input', path: 'options.state' });
  throws(() => bp.runPipeline({ policyset: NO_POLICIES }), { path: 'options.policyset', suggestion: 'policySet' });
  throws(() => bp.runPipeline({ policySet: {} }), { path: 'options.policySet' });
  throws(() => bp.runPipeline({ format: 'terraformm' }), { kind: 'invalid_input' });
  throws(() => bp.runPipeline({ failOn: 'hihg' }), { path: 'options.failOn', suggestion: 'high' });
  throws(() => bp.runPipeline({ budget: 'lots' }), { path: 'options.budget' });
  throws(() => bp.runPipeline({ approval: { maxMonthlyIncrease: 'x' } }), { path: 'options.approval.maxMonthlyIncrease' });
  throws(() => bp.runPipeline({ approval: { onreplace: false } }), { kind: 'invalid_input' });
  throws(() => bp.runPipeline({ previous: { ...OLD, provider: 'gcp', region: 'us-central1' } }), {});
  throws(() => bp.runPipeline({ state: 'not json' }), { kind: 'parse' });
  throws(() => bp.runPipeline('options'), { path: 'options' });
});

test('runPipelineAsync: the same result, rejections as DharmaError', async () => {
  const bp = Blueprint.fromObject(NEW);
  const options = { previous: Blueprint.fromObject(OLD), policySet: NO_POLICIES };
  assert.deepEqual(await bp.runPipelineAsync(options), bp.runPipeline(options));
  await rejects(bp.runPipelineAsync({ previous: OLD, state: {} }), { path: 'options.state' });
  await rejects(bp.runPipelineAsync({ state: '{"version": ' }), { kind: 'parse' });
});

test('DeploymentStatus: the flow, and illegal moves refused', () => {
  assert.deepEqual(DeploymentStatus.all(), [
    'queued', 'validating', 'planning', 'approved', 'applying', 'completed', 'failed', 'rolled_back',
  ]);
  let s = 'queued';
  for (const next of ['validating', 'planning', 'approved', 'applying', 'completed']) {
    assert.ok(DeploymentStatus.nextStatuses(s).includes(next));
    assert.equal(DeploymentStatus.canTransition(s, next), true);
    s = DeploymentStatus.transition(s, next);
  }
  assert.equal(s, 'completed');
  assert.equal(DeploymentStatus.isFinal(s), true);
  assert.deepEqual(DeploymentStatus.nextStatuses('completed'), []);
  assert.deepEqual(DeploymentStatus.nextStatuses('applying'), ['completed', 'failed', 'rolled_back']);
  let legal = 0;
  for (const from of DeploymentStatus.all()) {
    for (const to of DeploymentStatus.all()) {
      if (DeploymentStatus.canTransition(from, to)) legal++;
    }
  }
  assert.equal(legal, 9);
  const e = throws(() => DeploymentStatus.transition('approved', 'completed'), {
    kind: 'invalid_input', code: 'illegal_transition',
  });
  assert.match(e.message, /approved/);
  assert.match(e.message, /applying/);
  throws(() => DeploymentStatus.transition('completed', 'queued'), { code: 'illegal_transition' });
  throws(() => DeploymentStatus.transition('queud', 'validating'), { code: 'invalid_argument', path: 'from', suggestion: 'queued' });
  throws(() => DeploymentStatus.canTransition('queued', 'done'), { path: 'to' });
  throws(() => DeploymentStatus.isFinal(3), { path: 'status' });
  throws(() => DeploymentStatus.nextStatuses('rolledback'), { path: 'status', suggestion: 'rolled_back' });
});
