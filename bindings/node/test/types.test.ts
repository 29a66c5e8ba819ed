// Compile-only test of the TypeScript declarations (`npm run test:types`: tsc --noEmit): the
// package resolves through its `exports`, every call is typed, and wrong arguments are errors.
// This is also the typed example of the README.
import {
  Blueprint, DharmaError, PriceCatalog, money, schema, engineVersion,
  type BlueprintDocument, type CostDiff, type CostEstimate, type ErrorKind, type Finding,
  type GraphJson, type Money, type ResourceSummary, type Plan, type DriftReport,
  PolicySet, validatePlan, validatePlanAsync, DeploymentStatus, planDiff, planDiffAsync, drift as driftOf, driftAsync,
  type ValidationReport, type PolicyFinding, type PipelineResult, type DeploymentStatusName,
} from '@iac-dharma/node';

const doc: BlueprintDocument = {
  name: 'demo', version: '1.0.0', provider: 'aws', region: 'us-east-1',
  resources: [{ type: 'vpc', name: 'main', properties: { cidr_block: '10.0.0.0/16' } }],
};

const bp: Blueprint = Blueprint.fromObject(doc);
const fromYaml: Blueprint = Blueprint.fromYaml('name: demo');
const fromText: Blueprint = Blueprint.fromText('{}', 'json');
const resources: ResourceSummary[] = bp.resources;
const warnings: Finding[] = bp.warnings;
const again: BlueprintDocument = bp.toObject();

const g: GraphJson = bp.graph();
const waves: string[][] = bp.graph('json').waves;
const dot: string = bp.graph('dot');
const dependents: string[] = bp.blastRadius('main');

const files: Record<string, string> = bp.generate('terraform', { templates: { 'terraform/main.tf.tera': '' } });
const estimate: CostEstimate = bp.estimate({ budget: '100', usage: { resource_usage: {} }, catalog: PriceCatalog.builtin() });
const total: Money = estimate.total_monthly;
const over: boolean = estimate.budget?.status === 'over';
const diff: CostDiff = bp.costDiff(doc, { skipOptimizations: true });
const delta: string = money.round(diff.delta_monthly);
const sorted: string[] = ['2', '10'].sort(money.compare);
const plan: Plan = bp.planDiff(doc);
const firstWave: string[] = plan.waves[0].map((s) => `${s.action} ${s.address}`);
const bump: 'none' | 'patch' | 'minor' | 'major' = bp.versionCheck(fromYaml).required;
const drift: DriftReport = bp.drift({ version: 4, resources: [] });
const driftLater: Promise<DriftReport> = bp.driftAsync('{}');
const planLater: Promise<Plan> = bp.planDiffAsync('name: x');

async function inBackground(text: string): Promise<Money> {
  const big: Blueprint = await Blueprint.fromJsonAsync(text);
  const [tf, cost, d]: [Record<string, string>, CostEstimate, CostDiff] = await Promise.all([
    big.generateAsync('cloudformation'),
    big.estimateAsync(),
    big.costDiffAsync(bp),
  ]);
  return money.sum([cost.total_monthly, d.delta_monthly, Object.keys(tf).length]);
}

function describe(e: unknown): string {
  if (!(e instanceof DharmaError)) throw e;
  const kind: ErrorKind = e.kind;
  const where = e.location ? `${e.location.line}:${e.location.column}` : e.path;
  const fix: string | null = e.suggestion;
  return `${kind}/${e.code} at ${where}: ${e.findings.length} findings${fix ? `, try ${fix}` : ''}`;
}

// @ts-expect-error: not an output format
bp.generate('terraformm');
// @ts-expect-error: not a graph format
bp.graph('svg');
// @ts-expect-error: dot is text, not GraphJson
const wrong: GraphJson = bp.graph('dot');
// @ts-expect-error: a source format is json or yaml
Blueprint.fromText('x', 'xml');
// @ts-expect-error: the budget is money, not a boolean
bp.estimate({ budget: true });
// @ts-expect-error: options are camelCase
bp.estimate({ skip_optimizations: true });
// @ts-expect-error: the catalog is a PriceCatalog
bp.estimate({ catalog: 'builtin' });
// @ts-expect-error: a state is text or an object
bp.drift(4);
// @ts-expect-error: async variants return promises
const notAwaited: CostEstimate = bp.estimateAsync();

// Validation and the pipeline.
const policies: PolicySet = PolicySet.fromRego({ 'team.rego': 'package team' }, { builtin: false });
const report: ValidationReport = bp.validate(policies, { failOn: 'high', today: '2026-06-01' });
const failed: PolicyFinding[] = report.findings.filter((f) => f.status === 'fail');
const planReport: ValidationReport = validatePlan({ format_version: '1.2' }, null, { waivers: { 'aws_s3_bucket.a': [{ id: 'X', reason: 'y' }] } });
const laterReport: Promise<ValidationReport> = validatePlanAsync('{}');
const run: PipelineResult = bp.runPipeline({ previous: doc, policySet: PolicySet.builtin(), budget: 100, approval: { onReplace: false } });
const runLater: Promise<PipelineResult> = bp.runPipelineAsync({ state: '{}', format: 'cloudformation' });
const next: DeploymentStatusName | null = run.decision.next_status;
const moved: 'validating' = DeploymentStatus.transition('queued', 'validating');
// The two-input verbs as functions: each blueprint a Blueprint, text or an object.
const planOf: Plan = planDiff(doc, bp);
const planOfLater: Promise<Plan> = planDiffAsync('name: a', doc);
const driftReport: DriftReport = driftOf(bp, { version: 4, resources: [] });
const driftReportLater: Promise<DriftReport> = driftAsync(doc, '{}');
// @ts-expect-error: a blueprint is a Blueprint, text or an object
planDiff(42, doc);
// @ts-expect-error: drift needs a state
driftOf(bp);

// dispose(): the classes and every verb's result; `using` (TypeScript 5.2+) disposes at the end
// of its block.
function disposing(text: string): Money {
  using big = Blueprint.fromJson(text);
  using policySet = PolicySet.builtin();
  using estimate = big.estimate({ catalog: PriceCatalog.builtin() });
  const plain: CostEstimate = estimate;
  const report = big.validate(policySet);
  report.dispose();
  report[Symbol.dispose]();
  const gone: boolean = big.disposed && policySet.disposed;
  return gone ? plain.total_monthly : '0';
}
// @ts-expect-error: a nested member of a result has no dispose() of its own
run.validation.dispose();

// @ts-expect-error: severities are low, medium, high or critical
bp.validate(null, { failOn: 'severe' });
// @ts-expect-error: not a deployment status
DeploymentStatus.nextStatuses('done');
// @ts-expect-error: the policy set is a PolicySet
bp.runPipeline({ policySet: 'builtin' });

export {
  planOf, planOfLater, driftReport, driftReportLater,
  disposing, policies, failed, planReport, laterReport, runLater, next, moved,
  fromYaml, fromText, resources, warnings, again, g, waves, dot, dependents, files, total, over,
  delta, sorted, firstWave, bump, drift, driftLater, planLater, inBackground, describe, wrong, notAwaited, schema, engineVersion,
};
