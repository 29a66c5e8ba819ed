// Every function of the package, its results and its errors (sync).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import * as dharma from '@iac-dharma/node';
import { Blueprint, DharmaError, PriceCatalog, money } from '@iac-dharma/node';
import { DOC, YAML, rejects, throws } from './helpers.mjs';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

test('the package loads from CommonJS and ES modules alike, with the same classes', () => {
  const cjs = require('@iac-dharma/node');
  assert.equal(cjs.Blueprint, Blueprint);
  assert.equal(cjs.DharmaError, DharmaError);
  for (const name of ['Blueprint', 'PriceCatalog', 'DharmaError', 'money', 'schema', 'engineVersion']) {
    assert.ok(name in dharma, name);
  }
  assert.equal(dharma.engineVersion(), pkg.version);
});

test('fromYaml reads, checks and describes a blueprint', () => {
  const bp = Blueprint.fromYaml(YAML);
  assert.equal(bp.name, 'web-app');
  assert.equal(bp.version, '1.2.0', 'normalized');
  assert.equal(bp.provider, 'aws');
  assert.equal(bp.region, 'us-east-1');
  assert.equal(bp.source, 'yaml');
  assert.deepEqual(bp.warnings, []);
  assert.deepEqual(bp.resources, [
    { name: 'main', type: 'aws_vpc', address: 'aws_vpc.main', count: 1, taggable: true, tags: { Owner: 'platform' } },
    { name: 'public_a', type: 'aws_subnet', address: 'aws_subnet.public_a', count: 2, taggable: true, tags: { Owner: 'platform' } },
    { name: 'web', type: 'aws_instance', address: 'aws_instance.web', count: 1, taggable: true, tags: { Owner: 'platform' } },
  ]);
});

test('fromJson, fromText and fromObject read the same blueprint', () => {
  const json = JSON.stringify(DOC);
  const a = Blueprint.fromJson(json);
  const b = Blueprint.fromText(json);
  const c = Blueprint.fromText(json, 'json');
  const d = Blueprint.fromObject(DOC);
  assert.deepEqual([a.source, b.source, c.source, d.source], ['json', 'json', 'json', 'object']);
  for (const bp of [b, c, d]) assert.deepEqual(bp.toObject(), a.toObject());
  assert.equal(Blueprint.fromText(YAML).source, 'yaml');
  assert.equal(Blueprint.fromText(YAML, null).source, 'yaml');
  assert.equal(Blueprint.fromText(YAML, 'yml').source, 'yaml');
});

test('toObject, toJson and toYaml round-trip', () => {
  const bp = Blueprint.fromYaml(YAML);
  const obj = bp.toObject();
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.equal(obj.resources.length, 3);
  assert.deepEqual(Blueprint.fromObject(obj).toObject(), obj);
  assert.deepEqual(JSON.parse(bp.toJson()), obj);
  assert.deepEqual(Blueprint.fromYaml(bp.toYaml()).toObject(), obj);
});

test('graph: json, dot and mermaid; blastRadius', () => {
  const bp = Blueprint.fromYaml(YAML);
  const g = bp.graph();
  assert.deepEqual(g, bp.graph('json'));
  assert.deepEqual(g.order, ['main', 'public_a', 'web']);
  assert.deepEqual(g.waves, [['main'], ['public_a'], ['web']]);
  assert.deepEqual(
    g.edges.map((e) => [e.resource, e.depends_on, e.kind]),
    [['public_a', 'main', 'reference'], ['web', 'main', 'explicit'], ['web', 'public_a', 'reference']],
  );
  assert.match(bp.graph('dot'), /^digraph/);
  assert.match(bp.graph('mermaid'), /^flowchart/);
  assert.deepEqual(bp.blastRadius('main'), ['public_a', 'web']);
  assert.deepEqual(bp.blastRadius('web'), []);
});

test('generate: Terraform, CloudFormation and CDK files as {path: text}', () => {
  const bp = Blueprint.fromYaml(YAML);
  const tf = bp.generate('terraform');
  assert.deepEqual(Object.keys(tf).sort(), ['main.tf', 'providers.tf']);
  assert.match(tf['main.tf'], /resource "aws_subnet" "public_a" \{/);
  assert.match(tf['main.tf'], /aws_vpc\.main\.id/, 'references are rendered natively');
  assert.deepEqual(bp.generate('terraform', null), tf);
  assert.deepEqual(bp.generate('terraform', {}), tf);
  const tfJson = bp.generate('terraform-json');
  for (const text of Object.values(tfJson)) JSON.parse(text);
  const cfn = bp.generate('cloudformation');
  const template = JSON.parse(Object.values(cfn)[0]);
  assert.ok('Resources' in template);
  assert.ok(Object.keys(bp.generate('cdk-ts')).some((p) => p.endsWith('.ts')));
});

test('generate: templates option replaces an embedded template', () => {
  const bp = Blueprint.fromYaml(YAML);
  const files = bp.generate('terraform', { templates: { 'terraform/providers.tf.tera': '# custom providers\n' } });
  assert.equal(files['providers.tf'], '# custom providers\n');
});

test('generate errors: unknown format, option, unsupported provider; arm and pulumi', () => {
  const bp = Blueprint.fromYaml(YAML);
  throws(() => bp.generate('terraformm'), { kind: 'invalid_input', code: 'unknown_format', path: 'format', suggestion: 'terraform' });
  throws(() => bp.generate(42), { kind: 'invalid_input', code: 'invalid_argument', path: 'format' });
  throws(() => bp.generate('terraform', { templatez: {} }), { code: 'invalid_argument', path: 'options.templatez', suggestion: 'templates' });
  throws(() => bp.generate('terraform', { templates: 'x' }), { code: 'invalid_argument', path: 'options.templates' });
  throws(() => bp.generate('terraform', [1]), { code: 'invalid_argument', path: 'options' });
  const azure = Blueprint.fromObject({
    name: 'azr', version: '1.0.0', provider: 'azure', region: 'westeurope',
    resources: [{ type: 'azurerm_resource_group', name: 'rg', properties: { name: 'rg', location: 'westeurope' } }],
  });
  throws(() => azure.generate('cloudformation'), { kind: 'generate', code: 'unsupported_provider' });
  const arm = azure.generate('arm');
  const armTemplate = JSON.parse(arm['azuredeploy.json']);
  assert.match(armTemplate.$schema, /deploymentTemplate\.json/, 'ARM for azure');
  assert.equal(armTemplate.metadata.resourceGroup.name, 'rg', 'the resource group is the deployment scope');
  throws(() => bp.generate('arm'), { kind: 'generate', code: 'unsupported_provider' });
  for (const format of ['pulumi-ts', 'pulumi-yaml']) {
    const files = bp.generate(format);
    assert.ok(Object.keys(files).length > 0 && Object.values(files).every((t) => typeof t === 'string' && t.length > 0), format);
  }
});

test('estimate: totals, line items and budget as exact decimal strings', () => {
  const bp = Blueprint.fromYaml(YAML);
  const est = bp.estimate();
  assert.equal(est.currency, 'USD');
  assert.equal(typeof est.total_monthly, 'string');
  assert.match(est.total_monthly, /^\d+(\.\d+)?$/);
  assert.equal(est.summary.resources, 3);
  const web = est.resources.find((r) => r.name === 'web');
  assert.equal(web.status, 'priced');
  assert.equal(money.sum(est.resources.map((r) => r.monthly)), money.sum([est.total_monthly]));
  const within = bp.estimate({ budget: '1000' });
  assert.equal(within.budget.status, 'within');
  assert.equal(within.budget.limit, '1000');
  const over = bp.estimate({ budget: 1 });
  assert.equal(over.budget.status, 'over');
  assert.equal(over.budget.overrun, money.sum([est.total_monthly, '-1']));
  assert.deepEqual(bp.estimate({ skipOptimizations: true }).optimizations, []);
});

test('estimate: usage as an object or as YAML text; a price catalog of the caller', () => {
  const bp = Blueprint.fromYaml(YAML);
  const half = { resource_usage: { web: { monthly_hours: 365 } } };
  const a = bp.estimate({ usage: half });
  const b = bp.estimate({ usage: 'resource_usage:\n  web:\n    monthly_hours: 365\n' });
  assert.equal(a.total_monthly, b.total_monthly);
  assert.equal(money.compare(a.total_monthly, bp.estimate().total_monthly), -1);
  const builtin = PriceCatalog.builtin();
  const row = builtin.size;
  const mine = PriceCatalog.fromCsv(
    'provider,region,service,sku,unit,price_usd,purchase,source,date\n' +
      'aws,us-east-1,AmazonEC2,ec2/t3.micro,hour,1,on_demand,test,2026-11-25\n',
  );
  assert.equal(mine.size, 1);
  const merged = builtin.extend(mine);
  assert.equal(merged.size, row, 'the row replaces the built-in one');
  const info = merged.info();
  assert.equal(info.rows, row);
  assert.match(info.newest_date, /^\d{4}-\d{2}-\d{2}$/);
  const priced = bp.estimate({ catalog: merged });
  const item = priced.resources.find((r) => r.name === 'web').line_items.find((i) => i.sku === 'ec2/t3.micro');
  assert.equal(item?.unit_price, '1');
});

test('estimate errors: bad options and usage, each at its path', () => {
  const bp = Blueprint.fromYaml(YAML);
  throws(() => bp.estimate({ budget: 'abc' }), { kind: 'invalid_input', code: 'invalid_argument', path: 'options.budget' });
  throws(() => bp.estimate({ budgte: '1' }), { code: 'invalid_argument', path: 'options.budgte', suggestion: 'budget' });
  throws(() => bp.estimate({ skipOptimizations: 'yes' }), { code: 'invalid_argument', path: 'options.skipOptimizations' });
  throws(() => bp.estimate({ usage: 7 }), { code: 'invalid_argument', path: 'options.usage' });
  throws(() => bp.estimate({ catalog: {} }), { code: 'invalid_argument', path: 'options.catalog' });
  throws(() => bp.estimate('x'), { code: 'invalid_argument', path: 'options' });
  throws(() => bp.estimate({ usage: { resource_usage: { web: { monthly_hours: -1 } } } }), {
    kind: 'pricing', code: 'invalid_usage', path: 'resource_usage.web.monthly_hours',
  });
  const cyclic = {};
  cyclic.self = cyclic;
  throws(() => bp.estimate({ usage: cyclic }), { kind: 'invalid_input', code: 'invalid_argument', path: 'options' });
});

test('costDiff: from a Blueprint, text or an object', () => {
  const bp = Blueprint.fromYaml(YAML);
  const biggerYaml = YAML.replace('t3.micro', 't3.large');
  const d1 = bp.costDiff(Blueprint.fromYaml(biggerYaml));
  const d2 = bp.costDiff(biggerYaml);
  const d3 = bp.costDiff(Blueprint.fromYaml(biggerYaml).toObject());
  assert.deepEqual(d2, d1);
  assert.deepEqual(d3, d1);
  assert.equal(money.compare(d1.delta_monthly, 0), 1);
  assert.equal(d1.delta_monthly, money.sum([d1.new_total, `-${d1.old_total}`]));
  const web = d1.resources.find((r) => r.address === 'aws_instance.web');
  assert.equal(web.change, 'changed');
  assert.equal(bp.costDiff(bp).delta_monthly, '0');
  throws(() => bp.costDiff(42), { code: 'invalid_argument', path: 'other' });
  throws(() => bp.costDiff('{"name": '), { kind: 'parse', code: 'json_syntax' });
  throws(() => bp.costDiff(YAML, { budget: [] }), { path: 'options.budget' });
});

test('parse errors carry the line and column', () => {
  const json = throws(() => Blueprint.fromJson('{"name": '), { kind: 'parse', code: 'json_syntax', location: { line: 1, column: 9 } });
  assert.match(json.message, /^1:9: /);
  throws(() => Blueprint.fromYaml('name: x\n  bad: [\n'), { kind: 'parse', code: 'yaml_syntax', location: { line: 2, column: 6 } });
  throws(() => Blueprint.fromYaml('name: [unclosed\n'), { kind: 'parse', code: 'yaml_syntax' });
});

test('check errors carry every finding with its path and suggestion', () => {
  const err = throws(() => Blueprint.fromYaml(YAML.replace('${main.id}', '${mian.id}')), {
    kind: 'check', code: 'unknown_reference', path: 'resources[1].properties.vpc_id', suggestion: '${main.id}',
  });
  assert.match(err.message, /mian/);
  const many = throws(() => Blueprint.fromObject({ ...DOC, provider: 'aws', region: 'mars-1', version: 'x' }), { kind: 'check' });
  const codes = many.findings.map((f) => f.code).sort();
  assert.deepEqual(codes, ['invalid_version', 'unknown_region']);
  const fromObject = throws(() => Blueprint.fromObject({ ...DOC, resources: [{ type: 'aws_vpc', name: 'v', properties: { cidr: 'x' } }] }), {
    kind: 'check', path: 'resources[0].properties.cidr', suggestion: 'cidr_block',
  });
  assert.equal(fromObject.location, null, 'object input has no source lines');
  throws(() => Blueprint.fromObject({ name: 'x' }), { kind: 'parse', code: 'invalid_structure' });
});

test('argument errors name the argument', () => {
  throws(() => Blueprint.fromJson(42), { kind: 'invalid_input', code: 'invalid_argument', path: 'text' });
  throws(() => Blueprint.fromYaml(undefined), { code: 'invalid_argument', path: 'text' });
  throws(() => Blueprint.fromText('{}', 'xml'), { code: 'invalid_argument', path: 'format', suggestion: null });
  throws(() => Blueprint.fromText('{}', 'jsn'), { path: 'format', suggestion: 'json' });
  throws(() => Blueprint.fromObject([]), { code: 'invalid_argument', path: 'document' });
  throws(() => Blueprint.fromObject('text'), { code: 'invalid_argument', path: 'document' });
  // Half a UTF-16 pair is not text: the error names the string that holds it.
  const lone = throws(() => Blueprint.fromObject({ ...DOC, description: 'ab\uD800cd' }), { code: 'json_syntax', path: 'description' });
  assert.match(lone.message, /lone surrogate/);
  // In text too: the conversion to UTF-8 would have read U+FFFD instead (a real U+FFFD is fine).
  const inText = throws(() => Blueprint.fromYaml(`${YAML}description: "a\uD800b"\n`), { kind: 'invalid_input', code: 'invalid_argument', path: 'text' });
  assert.match(inText.message, /lone surrogate/);
  assert.equal(inText.location.line, YAML.split('\n').length);
  assert.equal(Blueprint.fromYaml(`${YAML}description: "a\uFFFDb"\n`).toObject().description, 'a\uFFFDb');
  throws(() => Blueprint.fromObject({ ...DOC, big: 10n }), { kind: 'parse', code: 'invalid_structure' });
  const bp = Blueprint.fromYaml(YAML);
  throws(() => bp.graph('svg'), { code: 'invalid_argument', path: 'format' });
  throws(() => bp.blastRadius('mian'), { code: 'invalid_argument', path: 'name', suggestion: 'main' });
  throws(() => bp.blastRadius(1), { code: 'invalid_argument', path: 'name' });
});

test('DharmaError is a real Error class: instanceof, stack, toJSON', () => {
  const err = throws(() => Blueprint.fromJson('{'), { kind: 'parse' });
  assert.equal(Object.getPrototypeOf(err), DharmaError.prototype);
  assert.match(err.stack, /DharmaError/);
  const data = JSON.parse(JSON.stringify(err));
  assert.deepEqual(Object.keys(data).sort(), ['code', 'findings', 'kind', 'location', 'message', 'name', 'path', 'suggestion']);
  assert.equal(data.name, 'DharmaError');
  const own = new DharmaError('custom', { kind: 'check', code: 'x' });
  assert.equal(own.kind, 'check');
  assert.deepEqual(own.findings, []);
});

test('PriceCatalog: JSON rows; errors name the bad row', () => {
  const rows = [{ provider: 'aws', region: 'us-east-1', service: 'AmazonEC2', sku: 'ec2/t3.micro', unit: 'hour', price_usd: '1', purchase: 'on_demand', source: 'test', date: '2026-11-25' }];
  assert.equal(PriceCatalog.fromJson(JSON.stringify(rows)).size, 1);
  throws(() => PriceCatalog.fromCsv('provider,region\nx,y\n'), { kind: 'pricing', code: 'invalid_price_catalog', path: 'line 2' });
  throws(() => PriceCatalog.fromJson(JSON.stringify([{ ...rows[0], price_usd: 'cheap' }])), { kind: 'pricing', code: 'invalid_price_catalog' });
  throws(() => PriceCatalog.fromCsv(1), { code: 'invalid_argument', path: 'csv' });
  throws(() => PriceCatalog.builtin().extend({}), { code: 'invalid_argument', path: 'other' });
});

test('money helpers are exact', () => {
  assert.equal(money.sum(['0.1', '0.2']), '0.3');
  assert.equal(money.sum([0.1, 0.2]), '0.3', 'numbers are read through their shortest decimal form');
  assert.equal(money.sum([]), '0');
  assert.equal(money.round('0.125'), '0.13');
  assert.equal(money.round('-0.125'), '-0.13');
  assert.equal(money.round('2', 3), '2.000');
  assert.equal(money.round('15.18449', 0), '15');
  assert.equal(money.compare('1.0', 1), 0);
  assert.deepEqual(['10', '9.5', '100'].sort(money.compare), ['9.5', '10', '100']);
  throws(() => money.sum(['1', 'x']), { code: 'invalid_argument', path: 'amounts[1]' });
  throws(() => money.compare('1', {}), { code: 'invalid_argument', path: 'b' });
  throws(() => money.round('1', 29), { code: 'invalid_argument', path: 'decimals' });
  // `decimals` is a whole number from 0 to 28: no wrapping (2 ** 32 is not 0), no NaN as 0.
  for (const d of [2 ** 32, -1, NaN, Infinity, 2.5, '2']) {
    throws(() => money.round('1.555', d), { code: 'invalid_argument', path: 'decimals' });
  }
  // Anything but an array is a DharmaError too, not napi's own error.
  throws(() => money.sum('1.5'), { code: 'invalid_argument', path: 'amounts' });
  // A number reads back as itself: 0.44999999999999996 is below 0.45.
  assert.equal(money.round(0.44999999999999996, 1), '0.4');
  assert.equal(money.sum([14603.425819095239]), '14603.425819095239');
});

test('options: NaN and Infinity are errors, and a throwing getter rejects an async call', async () => {
  const bp = Blueprint.fromObject(DOC);
  // JSON would make them null, and an option given as null is absent: no budget at all.
  throws(() => bp.estimate({ budget: NaN }), { code: 'invalid_argument', path: 'options.budget' });
  throws(() => bp.estimate({ budget: Infinity }), { code: 'invalid_argument', path: 'options.budget' });
  // A 29th digit is refused, not rounded into another verdict.
  throws(() => bp.estimate({ budget: '8.39199999999999999999999999999' }), { code: 'invalid_argument', path: 'options.budget' });
  throws(() => bp.runPipeline({ approval: { maxMonthlyIncrease: NaN } }), {
    code: 'invalid_argument',
    path: 'options.approval.maxMonthlyIncrease',
  });
  const opts = { get catalog() { throw new Error('config not loaded'); } };
  throws(() => bp.estimate(opts), { code: 'invalid_argument', path: 'options.catalog' });
  let promise;
  assert.doesNotThrow(() => { promise = bp.estimateAsync(opts); });
  await rejects(promise, { code: 'invalid_argument', path: 'options.catalog' });
  await rejects(bp.runPipelineAsync({ get state() { throw new Error('x'); } }), { path: 'options.state' });
});

test('schema is the JSON Schema of the blueprint format', () => {
  const s = dharma.schema();
  assert.match(s.$schema, /2020-12/);
  assert.ok(s.properties.resources);
  assert.ok(s.required.includes('provider'));
});

test('one Blueprint serves many calls', () => {
  const bp = Blueprint.fromYaml(YAML);
  const first = bp.estimate();
  for (let i = 0; i < 20; i++) assert.deepEqual(bp.estimate(), first);
  assert.deepEqual(bp.generate('terraform'), bp.generate('terraform'));
});

/** A Terraform state of YAML's blueprint: the VPC only, with another CIDR block. */
const STATE = {
  version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'x', outputs: {},
  resources: [{
    mode: 'managed', type: 'aws_vpc', name: 'main', provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [{ schema_version: 1, attributes: { id: 'vpc-1', cidr_block: '10.9.0.0/16' } }],
  }],
};

test('planDiff, versionCheck and drift (sync and async), with their errors', async () => {
  const bp = Blueprint.fromYaml(YAML);
  const newer = YAML.replace('version: v1.2.0', 'version: v2.0.0').replace('cidr_block: 10.0.0.0/16', 'cidr_block: 10.1.0.0/16');
  const plan = bp.planDiff(newer);
  const vpc = plan.resource_changes.find((c) => c.address === 'aws_vpc.main');
  assert.equal(vpc.action, 'replace');
  assert.ok(plan.waves.length >= 2);
  assert.deepEqual(await bp.planDiffAsync(Blueprint.fromYaml(newer)), plan);
  const same = bp.planDiff(bp).summary;
  assert.deepEqual([same.add, same.change, same.destroy, same.replace, same.no_op], [0, 0, 0, 0, 4], 'four instances, all no-op');
  const v = bp.versionCheck(newer);
  assert.deepEqual([v.required, v.ok], ['major', true]);
  assert.equal(bp.versionCheck(YAML.replace('cidr_block: 10.0.0.0/16', 'cidr_block: 10.1.0.0/16')).ok, false);
  throws(() => bp.planDiff(7), { code: 'invalid_argument', path: 'other' });

  const state = STATE;
  const report = bp.drift(state);
  assert.deepEqual(report.missing, ['aws_subnet.public_a[0]', 'aws_subnet.public_a[1]', 'aws_instance.web']);
  assert.equal(report.changed[0].address, 'aws_vpc.main');
  assert.equal(report.changed[0].changes[0].path, 'cidr_block');
  assert.deepEqual(bp.drift(JSON.stringify(state)), report);
  assert.deepEqual(await bp.driftAsync(state), report);
  throws(() => bp.drift(3), { code: 'invalid_argument', path: 'state' });
  // An object's errors have its path, but no line:column of JSON text the caller never saw.
  const wrong = throws(() => bp.drift({ ...state, resources: [{ ...state.resources[0], instances: [{ attributes: 5 }] }] }), { code: 'invalid_state' });
  assert.equal(wrong.location, null);
  assert.match(wrong.path, /^resources\[0\]\.instances\[0\]\.attributes$/);
  const bad = throws(() => bp.drift('{"version": 4, "resources": ['), { kind: 'parse' });
  assert.ok(bad.findings.length >= 1);
  await rejects(bp.driftAsync('{"version": 4, "resources": ['), { kind: 'parse' });
});

test('planDiff(old, new) and drift(blueprint, state) as top-level functions, sync and async', async () => {
  const { planDiff, planDiffAsync, drift, driftAsync } = dharma;
  const bp = Blueprint.fromYaml(YAML);
  const newer = YAML.replace('cidr_block: 10.0.0.0/16', 'cidr_block: 10.1.0.0/16');
  const plan = bp.planDiff(newer);
  // Each side a Blueprint, YAML text or an object: the plan of the method.
  assert.deepEqual(planDiff(bp, newer), plan);
  assert.deepEqual(planDiff(YAML, Blueprint.fromYaml(newer)), plan);
  assert.deepEqual(planDiff(bp.toObject(), Blueprint.fromYaml(newer).toObject()), plan);
  assert.deepEqual(await planDiffAsync(YAML, newer), plan);
  assert.deepEqual(await planDiffAsync(bp, Blueprint.fromYaml(newer).toObject()), plan);
  throws(() => planDiff(7, YAML), { kind: 'invalid_input', code: 'invalid_argument', path: 'oldBlueprint' });
  throws(() => planDiff(YAML, [YAML]), { kind: 'invalid_input', path: 'newBlueprint' });
  throws(() => planDiff(YAML, newer.replace('${main.id}', '${mian.id}')), {
    kind: 'check', code: 'unknown_reference', path: 'resources[1].properties.vpc_id',
  });
  await rejects(planDiffAsync(YAML, null), { kind: 'invalid_input', path: 'newBlueprint' });
  // A text blueprint is read on the pool thread: its errors reject the promise.
  await rejects(planDiffAsync('{"name": ', YAML), { kind: 'parse', code: 'json_syntax', location: { line: 1, column: 9 } });

  const state = STATE;
  const report = bp.drift(state);
  assert.deepEqual(drift(bp, state), report);
  assert.deepEqual(drift(YAML, JSON.stringify(state)), report);
  assert.deepEqual(await driftAsync(YAML, state), report);
  assert.deepEqual(await driftAsync(bp.toObject(), JSON.stringify(state)), report);
  throws(() => drift(YAML, 3), { code: 'invalid_argument', path: 'state' });
  throws(() => drift(undefined, state), { code: 'invalid_argument', path: 'blueprint' });
  await rejects(driftAsync(YAML, '{"version": 4, "resources": ['), { kind: 'parse' });
  await rejects(driftAsync('provider: [', state), { kind: 'parse' });
});
