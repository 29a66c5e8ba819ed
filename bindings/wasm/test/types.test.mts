// Compile-only test of the TypeScript declarations (`npm run test:types`, i.e. tsc --noEmit):
// the package resolves through its `exports`, the API is typed, and wrong arguments are errors.
import {
  blastRadius, check, costDiff, drift, estimate, features, generate, graph, outputFormats, parse, schema,
  validatePlan, version, versionCheck,
  type Blueprint, type Bump, type DriftReport, type ValidationReport, type VersionCheck, type CheckResult, type CostDiff, type CostEstimate, type DharmaError, type Finding,
  type GeneratedFiles, type GraphJson, type ModuleFeature, type Money, type OutputFormat, type ParseResult,
} from '@iac-dharma/wasm';
import init, * as web from '@iac-dharma/wasm/web';

const doc: Blueprint = {
  name: 'demo', version: '1.0.0', provider: 'aws', region: 'us-east-1',
  resources: [{ type: 'vpc', name: 'main', properties: { cidr_block: '10.0.0.0/16' } }],
};

const checked: CheckResult = check(doc);
const types: string[] = checked.resources.map((r) => r.type);
const parsed: ParseResult = parse('name: demo', 'yaml');
const how: 'json' | 'yaml' | 'object' = parsed.format;
const again: ParseResult = parse(parsed.blueprint);
const withNull: CheckResult = check('{}', null);
const g: GraphJson = graph(doc);
const waves: string[][] = graph(doc, 'json').waves;
const dot: string = graph(doc, 'dot');
const mermaid: string = graph('text', 'mermaid');
const dependents: string[] = blastRadius(doc, 'main');
const jsonSchema: Record<string, unknown> = schema();
const v: string = version();
const files: GeneratedFiles = generate(doc, 'cdk-ts', { templates: { 'x.tera': '' } });
const mainTf: string | undefined = generate('text')['main.tf'];
const formats: OutputFormat[] = outputFormats('aws');
const parts: ModuleFeature[] = features();
const hasArm: boolean = features().includes('generate-arm');
const est: CostEstimate = estimate(doc, { budget: '100', usage: { resource_usage: {} }, prices: 'csv', skip_optimizations: true });
const total: Money = est.total_monthly;
const over: boolean = estimate(doc, { budget: 5 }).budget?.status === 'over';
const firstLine: string | undefined = est.resources[0]?.line_items[0]?.unit_price;
const diff: CostDiff = costDiff(doc, 'text');
const delta: Money = diff.delta_monthly;

const drifted: DriftReport = drift(doc, { version: 4, resources: [] });
const missing: string[] = drift('text', '{}').missing;
const firstChange: unknown = drifted.changed[0]?.changes[0]?.expected;
const bump: Bump = versionCheck(doc, 'text').required;
const vc: VersionCheck = versionCheck('a', doc);
const planReport: ValidationReport = validatePlan('{}', {
  today: '2026-06-01',
  waivers: { 'aws_s3_bucket.logs': [{ id: 'DHARMA_AWS_S3_001', reason: 'public site', expires: '2026-12-31' }] },
});
const planPassed: boolean = validatePlan({ format_version: '1.2' }).passed;

// @ts-expect-error: a waiver needs a reason
validatePlan('{}', { waivers: { a: [{ id: 'X' }] } });
// @ts-expect-error: drift needs the state
drift(doc);
// @ts-expect-error: the state is JSON text or an object
drift(doc, 42);
// @ts-expect-error: not a bump
const notBump: Bump = 'huge';
// @ts-expect-error: not a graph format
graph(doc, 'svg');
// @ts-expect-error: not a source format
check('x', 'xml');
// @ts-expect-error: a blueprint is text or an object
check(42);
// @ts-expect-error: the resource name is required
blastRadius(doc);
// @ts-expect-error: not an output format
generate(doc, 'terraform-hcl');
// @ts-expect-error: no such option
estimate(doc, { budjet: 5 });
// @ts-expect-error: costDiff compares two blueprints
costDiff(doc);

function describe(e: unknown): string {
  const err = e as DharmaError;
  const where = err.location ? `${err.location.line}:${err.location.column}` : err.path;
  const all: Finding[] = err.findings;
  const fix: string | null = err.suggestion;
  return `${err.kind}/${err.code} at ${where}: ${all.length} findings${fix ? `, try ${fix}` : ''}`;
}

async function inBrowser(): Promise<number> {
  await init();
  return web.check(doc).resources.length;
}

export { types, how, again, withNull, g, waves, dot, mermaid, dependents, jsonSchema, v, describe, inBrowser };
export { files, mainTf, formats, est, total, over, firstLine, diff, delta };
export { drifted, missing, firstChange, bump, vc, planReport, planPassed, notBump };
