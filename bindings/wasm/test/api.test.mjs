// Every function of the package and every error path, through the Node build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import * as dharma from '@iac-dharma/wasm';
import { DOC, YAML, throws as thrown } from '../../../tests/js/helpers.mjs';
import { FEATURES, built, unless } from './features.mjs';

const require = createRequire(import.meta.url);
// Every output format of the engine (a module may leave some out: features.mjs).
const ALL_FORMATS = ['terraform', 'terraform-json', 'cloudformation', 'cloudformation-yaml', 'arm', 'pulumi-yaml', 'pulumi-ts', 'cdk-ts'];

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

test('version matches the package', () => {
  assert.equal(dharma.version(), pkg.version);
});

test('the package resolves to the Node build, CommonJS and ESM alike', () => {
  const cjs = require('@iac-dharma/wasm');
  assert.equal(typeof cjs.check, 'function');
  assert.ok(require.resolve('@iac-dharma/wasm').endsWith('pkg/node/index.cjs'));
  assert.ok(require.resolve('@iac-dharma/wasm/node').endsWith('pkg/node/index.cjs'));
  for (const name of ['parse', 'check', 'graph', 'blastRadius', 'schema', 'version']) {
    assert.equal(typeof dharma[name], 'function', name);
  }
});

test('parse: YAML text gives the document, resolved types, normalized version', () => {
  const r = dharma.parse(YAML);
  assert.equal(r.format, 'yaml');
  assert.equal(r.name, 'web-app');
  assert.equal(r.version, '1.2.0');
  assert.equal(r.provider, 'aws');
  assert.equal(r.region, 'us-east-1');
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(
    r.resources.map((x) => [x.name, x.type, x.address, x.count, x.taggable]),
    [
      ['main', 'aws_vpc', 'aws_vpc.main', 1, true],
      ['public_a', 'aws_subnet', 'aws_subnet.public_a', 2, true],
      ['web', 'aws_instance', 'aws_instance.web', 1, true],
    ],
  );
  // The document as written (normalized), as plain JSON-like objects.
  assert.equal(r.blueprint.version, 'v1.2.0');
  assert.equal(r.blueprint.resources[0].type, 'vpc');
  assert.deepEqual(r.blueprint.tags, { Owner: 'platform' });
  assert.deepEqual(r.blueprint.resources[2].dependencies, ['main']);
  assert.equal(Object.getPrototypeOf(r.blueprint.tags), Object.prototype, 'maps are objects, not Maps');
  // Key order of properties is kept.
  assert.deepEqual(Object.keys(r.blueprint.resources[2].properties), ['ami', 'instance_type', 'subnet_id']);
});

test('parse: JSON text, explicit formats, and objects', () => {
  const json = JSON.stringify(DOC);
  assert.equal(dharma.parse(json).format, 'json');
  assert.equal(dharma.parse(json, 'json').format, 'json');
  assert.equal(dharma.parse(json, 'yaml').format, 'yaml', 'JSON is valid YAML');
  assert.equal(dharma.parse(json, null).format, 'json');
  const fromObject = dharma.parse(DOC);
  assert.equal(fromObject.format, 'object');
  assert.deepEqual(fromObject.blueprint, DOC);
  // The parsed document goes back in unchanged.
  assert.deepEqual(dharma.parse(dharma.parse(YAML).blueprint).resources, dharma.parse(YAML).resources);
});

test('parse: null values and big integers survive the trip to JS', () => {
  const doc = structuredClone(DOC);
  doc.metadata = { note: null, list: [1, null] };
  doc.variables = [{ name: 'big', type: 'number', default: '__BIG__' }];
  // u64::MAX: more than a JS number holds exactly; it arrives as the nearest number, as with JSON.parse.
  const text = JSON.stringify(doc).replace('"__BIG__"', '18446744073709551615');
  const r = dharma.parse(text);
  assert.deepEqual(r.blueprint.metadata, { list: [1, null], note: null });
  assert.equal(r.blueprint.variables[0].default, 18446744073709551615);
});

test('check: text or object, with warnings', () => {
  const r = dharma.check(YAML, 'yaml');
  assert.deepEqual(Object.keys(r).sort(), ['name', 'provider', 'region', 'resources', 'version', 'warnings']);
  assert.deepEqual(r.resources.map((x) => x.type), ['aws_vpc', 'aws_subnet', 'aws_instance']);
  assert.deepEqual(dharma.check(DOC).resources.map((x) => x.address), ['aws_vpc.main', 'aws_subnet.a']);

  // A reference to an attribute the type does not have is a located check error (every type of
  // the catalog records its computed attributes, so none of them is only a warning any more).
  const doc = structuredClone(DOC);
  doc.resources.unshift({ type: 'aws_appmesh_mesh', name: 'mesh', properties: { name: 'm' } });
  doc.resources[2].properties.map_public_ip_on_launch = '${mesh.some_attribute}';
  const err = thrown(() => dharma.check(doc));
  assert.equal(err.kind, 'check');
  assert.equal(err.code, 'unknown_attribute');
  assert.equal(err.path, 'resources[2].properties.map_public_ip_on_launch');
  assert.deepEqual(dharma.check(DOC).warnings, []);

  // Each resource carries the tags it gets: the blueprint's merged with its own.
  const tagged = dharma.check(YAML);
  assert.deepEqual(tagged.resources[0].tags, { Owner: 'platform' });
  const own = structuredClone(DOC);
  own.tags = { Owner: 'platform', Env: 'dev' };
  own.resources[0].properties.tags = { Env: 'prod', Name: 'main' };
  assert.deepEqual(dharma.check(own).resources[0].tags, { Owner: 'platform', Env: 'prod', Name: 'main' });
});

test('graph: JSON object, DOT and Mermaid text', () => {
  const g = dharma.graph(YAML);
  assert.deepEqual(g.waves, [['main'], ['public_a'], ['web']]);
  assert.deepEqual(g.order, ['main', 'public_a', 'web']);
  assert.deepEqual(g.edges, [
    { resource: 'public_a', depends_on: 'main', kind: 'reference' },
    { resource: 'web', depends_on: 'main', kind: 'explicit' },
    { resource: 'web', depends_on: 'public_a', kind: 'reference' },
  ]);
  assert.deepEqual(g.resources[2], {
    name: 'web', type: 'aws_instance', address: 'aws_instance.web', wave: 2, depends_on: ['main', 'public_a'],
  });
  assert.deepEqual(dharma.graph(YAML, 'json'), g);
  const dot = dharma.graph(DOC, 'dot');
  assert.equal(typeof dot, 'string');
  assert.match(dot, /"aws_subnet\.a" -> "aws_vpc\.main";/);
  assert.match(dharma.graph(DOC, 'mermaid'), /^flowchart RL\n/);
});

test('blastRadius: transitive dependents, or a suggestion for an unknown name', () => {
  assert.deepEqual(dharma.blastRadius(YAML, 'main'), ['public_a', 'web']);
  assert.deepEqual(dharma.blastRadius(YAML, 'web'), []);
  const err = thrown(() => dharma.blastRadius(YAML, 'mian'));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.code, 'invalid_argument');
  assert.equal(err.path, 'name');
  assert.equal(err.suggestion, 'main');
});

test('schema: the JSON Schema of the blueprint format', () => {
  const s = dharma.schema();
  assert.equal(s.title, 'IAC Dharma blueprint');
  assert.ok(s.required.includes('resources') || s.properties.resources);
  assert.equal(s.properties.provider.enum.join(), 'aws,azure,gcp');
});

test('generate: Terraform by default, every format of the provider, files sorted by path', () => {
  const files = dharma.generate(YAML);
  assert.deepEqual(Object.keys(files), ['main.tf', 'outputs.tf', 'providers.tf', 'variables.tf'].filter((f) => f in files));
  assert.deepEqual(Object.keys(files), Object.keys(files).sort());
  assert.match(files['main.tf'], /resource "aws_vpc" "main" \{/);
  assert.match(files['main.tf'], /vpc_id\s+= aws_vpc\.main\.id/);
  assert.deepEqual(dharma.generate(DOC, 'terraform'), dharma.generate(JSON.stringify(DOC)));
  const json = dharma.generate(DOC, 'terraform-json');
  assert.deepEqual(Object.keys(json), ['main.tf.json']);
  assert.equal(JSON.parse(json['main.tf.json']).resource.aws_subnet.a.vpc_id, '${aws_vpc.main.id}');
  // The formats this module has (the default module: Terraform HCL and JSON only).
  assert.deepEqual(dharma.outputFormats('aws'), ['terraform', 'terraform-json', 'cloudformation', 'cloudformation-yaml', 'pulumi-yaml', 'pulumi-ts', 'cdk-ts'].filter(built));
  assert.deepEqual(dharma.outputFormats(), ALL_FORMATS.filter(built));
  assert.equal(dharma.outputFormats('azure').includes('arm'), built('arm'));
  // Every format the engine offers for AWS either generates files or says why it cannot.
  for (const format of dharma.outputFormats('aws')) {
    try {
      const out = dharma.generate(DOC, format);
      assert.ok(Object.keys(out).length > 0, format);
      for (const text of Object.values(out)) assert.equal(typeof text, 'string');
    } catch (e) {
      assert.equal(e.name, 'DharmaError', `${format}: ${e.stack}`);
      assert.equal(e.kind, 'generate', `${format}: ${e.message}`);
    }
  }
});

test('generate: CloudFormation', { skip: unless('generate-cloudformation') }, () => {
  const cfn = JSON.parse(dharma.generate(DOC, 'cloudformation')['template.json']);
  assert.deepEqual(cfn.Resources.A.Properties.VpcId, { Ref: 'Main' });
});

test('generate: a format the module leaves out throws unsupported_format, naming it', () => {
  const missing = ALL_FORMATS.filter((f) => !built(f));
  for (const format of missing) {
    const err = thrown(() => dharma.generate(DOC, format));
    assert.equal(err.kind, 'invalid_input', format);
    assert.equal(err.code, 'unsupported_format', format);
    assert.equal(err.path, 'format');
    assert.ok(err.message.includes(`output format ${format} is left out of this WebAssembly module`), err.message);
    assert.match(err.message, /WASM_FEATURES=full/);
  }
  // A module without generate-* features (the default one) leaves out every format but Terraform's.
  if (![...FEATURES].some((f) => f.startsWith('generate-'))) assert.deepEqual(missing, ALL_FORMATS.slice(2));
});

test('generate: caller templates replace embedded ones', { skip: unless('templates') }, () => {
  const names = Object.keys(dharma.generate(DOC));
  assert.ok(names.length > 0);
  const err = thrown(() => dharma.generate(DOC, 'terraform', { templates: { 'terraform/main.tf': '{% if %}' } }));
  assert.equal(err.kind, 'generate');
  assert.equal(err.code, 'template_error');
  const files = dharma.generate(DOC, 'terraform', { templates: { 'terraform/README.md.tera': '# {{ blueprint.name }}\n' } });
  assert.equal(files['README.md'], `# ${DOC.name}\n`);
  assert.equal(files['main.tf'], dharma.generate(DOC)['main.tf']);
});

test('generate: caller templates left out of the module throw unsupported_call', { skip: FEATURES.has('templates') && 'the module has templates' }, () => {
  const err = thrown(() => dharma.generate(DOC, 'terraform', { templates: { 'terraform/README.md.tera': '# {{ blueprint.name }}\n' } }));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.code, 'unsupported_call');
  assert.equal(err.path, 'options.templates');
  assert.match(err.message, /caller templates .* are left out of this WebAssembly module/);
  assert.match(err.message, /WASM_FEATURES=full \(or templates\)/);
  // No templates (or none given) is the embedded ones.
  assert.deepEqual(dharma.generate(DOC, 'terraform', { templates: {} }), dharma.generate(DOC));
});

test('generate: errors', () => {
  let err = thrown(() => dharma.generate(DOC, 'terraform-jsn'));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.code, 'unknown_format');
  assert.equal(err.suggestion, 'terraform-json');
  if (built('arm')) {
    err = thrown(() => dharma.generate(DOC, 'arm'));
    assert.equal(err.kind, 'generate');
    assert.equal(err.code, 'unsupported_provider');
    assert.equal(err.path, 'provider');
  }
  err = thrown(() => dharma.generate(DOC, 7));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'format');
  err = thrown(() => dharma.generate(DOC, 'terraform', { template: {} }));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'options.template');
  assert.match(err.message, /template/);
  err = thrown(() => dharma.generate(DOC, 'terraform', 'x'));
  assert.equal(err.path, 'options');
  err = thrown(() => dharma.generate({ ...DOC, region: 'us-east-l' }, 'terraform'));
  assert.equal(err.kind, 'check');
  assert.equal(err.code, 'unknown_region');
  err = thrown(() => dharma.outputFormats('aws2'));
  assert.equal(err.path, 'provider');
  assert.equal(err.suggestion, 'aws');
});

/** Adds decimal strings exactly (as integers of 1e-8 USD); enough for these tests. */
function sum(amounts) {
  const scale = 10n ** 8n;
  const total = amounts.reduce((acc, a) => {
    const [int, frac = ''] = a.replace('-', '').split('.');
    const v = BigInt(int) * scale + BigInt((frac + '00000000').slice(0, 8));
    return acc + (a.startsWith('-') ? -v : v);
  }, 0n);
  return Number(total) / 1e8;
}

test('estimate: every resource with exact line items, totals and the catalog used', () => {
  const est = dharma.estimate(YAML);
  assert.equal(est.currency, 'USD');
  assert.equal(est.provider, 'aws');
  assert.equal(est.hours_per_month, 730);
  assert.deepEqual(est.resources.map((r) => r.address), ['aws_vpc.main', 'aws_subnet.public_a', 'aws_instance.web']);
  assert.equal(est.resources[0].status, 'free');
  const web = est.resources[2];
  assert.equal(web.status, 'priced');
  const hours = web.line_items.find((l) => l.unit === 'hour');
  assert.equal(hours.quantity, '730');
  assert.equal(hours.unit_price, '0.0104');
  assert.equal(hours.monthly, '7.592');
  assert.equal(typeof est.total_monthly, 'string');
  assert.equal(sum([est.total_monthly]), sum(est.resources.map((r) => r.monthly)));
  assert.ok(est.catalog.rows > 1000, `catalog rows: ${est.catalog.rows}`);
  assert.match(est.catalog.newest_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(dharma.estimate(DOC), dharma.estimate(JSON.stringify(DOC)));
});

test('estimate: budget, usage file, caller prices, no optimizations', () => {
  const total = dharma.estimate(YAML).total_monthly;
  const over = dharma.estimate(YAML, { budget: '1' });
  assert.equal(over.budget.status, 'over');
  assert.equal(over.budget.limit, '1');
  const within = dharma.estimate(YAML, { budget: 1000 });
  assert.equal(within.budget.status, 'within');
  assert.equal(sum([within.budget.headroom]), sum(['1000', '-' + total]));
  const cheap = dharma.estimate(YAML, {
    prices: 'provider,region,service,sku,unit,price_usd,purchase,source,date\naws,us-east-1,AmazonEC2,ec2/t3.micro,hour,0.001,on_demand,test,2026-11-01\n',
  });
  const hours = cheap.resources[2].line_items.find((l) => l.unit === 'hour');
  assert.equal(hours.unit_price, '0.001');
  assert.equal(hours.monthly, '0.73');
  assert.ok(Array.isArray(dharma.estimate(YAML, { skip_optimizations: true }).optimizations));
  const s3 = { ...DOC, resources: [{ type: 'aws_s3_bucket', name: 'b', properties: {} }] };
  const withUsage = dharma.estimate(s3, { usage: { resource_usage: { b: { storage_gb: 100 } } } });
  const byFile = withUsage.resources[0].line_items.filter((l) => l.usage_source === 'usage_file');
  assert.ok(byFile.length >= 1, JSON.stringify(withUsage.resources[0]));
});

test('estimate: errors', () => {
  let err = thrown(() => dharma.estimate(YAML, { usage: { resource_usage: { web: { monthly_hours: -1 } } } }));
  assert.equal(err.kind, 'pricing');
  assert.equal(err.code, 'invalid_usage');
  assert.equal(err.path, 'resource_usage.web.monthly_hours');
  err = thrown(() => dharma.estimate(YAML, { prices: 'provider,region\naws' }));
  assert.equal(err.kind, 'pricing');
  assert.equal(err.code, 'invalid_price_catalog');
  err = thrown(() => dharma.estimate(YAML, { budget: 'lots' }));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'options.budget');
  err = thrown(() => dharma.estimate(YAML, { budget: -5 }));
  assert.equal(err.path, 'options.budget');
  err = thrown(() => dharma.estimate(YAML, { budjet: 5 }));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'options.budjet');
  assert.match(err.message, /budjet/);
  err = thrown(() => dharma.estimate(YAML, { prices: 5 }));
  assert.equal(err.path, 'options.prices');
  err = thrown(() => dharma.estimate(YAML, [1]));
  assert.equal(err.path, 'options');
});

test('costDiff: errors', { skip: unless('cost-diff') }, () => {
  let err = thrown(() => dharma.costDiff(YAML, 'name: [', {}));
  assert.equal(err.code, 'yaml_syntax');
  err = thrown(() => dharma.costDiff(42, YAML));
  assert.equal(err.path, 'oldBlueprint');
});

test('costDiff: left out of the module, it throws unsupported_call', { skip: FEATURES.has('cost-diff') && 'the module has cost-diff' }, () => {
  const err = thrown(() => dharma.costDiff(YAML, YAML));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.code, 'unsupported_call');
  assert.match(err.message, /^costDiff is left out of this WebAssembly module/);
  assert.match(err.message, /WASM_FEATURES=full \(or cost-diff\)/);
});

test('costDiff: per-resource changes and the delta', { skip: unless('cost-diff') }, () => {
  const next = YAML.replace('instance_type: t3.micro', 'instance_type: t3.small');
  const diff = dharma.costDiff(YAML, next);
  assert.equal(diff.delta_monthly, '7.592');
  const web = diff.resources.find((r) => r.address === 'aws_instance.web');
  assert.deepEqual([web.change, web.delta], ['changed', '7.592']);
  assert.equal(diff.resources.find((r) => r.address === 'aws_vpc.main').change, 'unchanged');
  const removed = dharma.costDiff(DOC, { ...DOC, resources: [DOC.resources[0]] });
  assert.deepEqual(removed.resources.map((r) => [r.address, r.change]), [['aws_vpc.main', 'unchanged'], ['aws_subnet.a', 'removed']]);
  assert.deepEqual(removed.new_unpriced, []);
  assert.deepEqual(removed.old_unpriced, []);
});

test('error: JSON syntax error has kind, code, line and column', () => {
  const err = thrown(() => dharma.check('{\n  "name": "demo",\n  "version": "1.0.0"\n  "provider": "aws"\n}'));
  assert.equal(err.kind, 'parse');
  assert.equal(err.code, 'json_syntax');
  assert.equal(err.path, '');
  assert.deepEqual(err.location, { line: 4, column: 3 });
  assert.match(err.message, /^4:3: invalid JSON/);
});

test('error: YAML syntax error has a line', () => {
  const err = thrown(() => dharma.parse('name: demo\nversion: 1.0.0\nresources: [a, b\nprovider: aws\n'));
  assert.equal(err.kind, 'parse');
  assert.equal(err.code, 'yaml_syntax');
  assert.ok(err.location.line >= 3, JSON.stringify(err.location));
});

test('error: wrong shape reports path and location in text, path only for objects', () => {
  const bad = structuredClone(DOC);
  bad.resources[0].count = 'two';
  const fromText = thrown(() => dharma.check(JSON.stringify(bad, null, 2)));
  assert.equal(fromText.kind, 'parse');
  assert.equal(fromText.code, 'invalid_structure');
  assert.equal(fromText.path, 'resources[0].count');
  assert.ok(fromText.location.line > 1);
  const fromObject = thrown(() => dharma.check(bad));
  assert.equal(fromObject.code, 'invalid_structure');
  assert.equal(fromObject.path, 'resources[0].count');
  assert.equal(fromObject.location, null);
  assert.equal(fromObject.findings[0].location, undefined);
});

test('error: a failed check lists every finding with its path and suggestion', () => {
  const bad = structuredClone(DOC);
  bad.region = 'us-east-l';
  bad.resources[1].properties.vpc_id = '${mian.id}';
  bad.resources.push({ type: 'aws_s3_buckett', name: 'logs' });
  const err = thrown(() => dharma.check(bad));
  assert.equal(err.kind, 'check');
  assert.deepEqual(
    err.findings.map((f) => [f.code, f.path, f.suggestion]),
    [
      ['unknown_region', 'region', 'us-east-1'],
      ['unknown_reference', 'resources[1].properties.vpc_id', '${main.id}'],
      ['unknown_resource_type', 'resources[2].type', 'aws_s3_bucket'],
    ],
  );
  assert.equal(err.code, 'unknown_region');
  assert.equal(err.path, 'region');
  assert.equal(err.suggestion, 'us-east-1');
  assert.match(err.message, /^region: .*us-east-l.*\(and 2 more\)$/);
  // The same through every function that reads a blueprint.
  for (const fn of [() => dharma.parse(bad), () => dharma.graph(bad, 'dot'), () => dharma.blastRadius(bad, 'main')]) {
    assert.deepEqual(thrown(fn).findings, err.findings);
  }
});

test('error: bad arguments are invalid_input with the argument as path', () => {
  for (const value of [42, null, undefined, true, () => 1]) {
    const err = thrown(() => dharma.check(value));
    assert.equal(err.kind, 'invalid_input');
    assert.equal(err.path, 'blueprint');
  }
  let err = thrown(() => dharma.check(YAML, 'ymal'));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'format');
  assert.equal(err.suggestion, 'yaml');
  err = thrown(() => dharma.check(YAML, 5));
  assert.equal(err.path, 'format');
  err = thrown(() => dharma.blastRadius(YAML, 5));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'name');
  err = thrown(() => dharma.graph(YAML, 'svg'));
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.path, 'format');
  err = thrown(() => dharma.graph(YAML, 'mermiad'));
  assert.equal(err.suggestion, 'mermaid');
});

test('error: objects that are not JSON-compatible are rejected cleanly', () => {
  const cyclic = structuredClone(DOC);
  cyclic.metadata = { self: cyclic };
  let err = thrown(() => dharma.check(cyclic));
  assert.equal(err.kind, 'parse');
  assert.equal(err.code, 'invalid_structure');
  assert.match(err.message, /circular/i);
  const big = structuredClone(DOC);
  big.metadata = { n: 10n };
  err = thrown(() => dharma.check(big));
  assert.equal(err.code, 'invalid_structure');
  assert.match(err.message, /BigInt/);
  err = thrown(() => dharma.check([DOC]));
  assert.equal(err.code, 'invalid_structure');
});

test('error: absurdly deep input is an error, not a crash', () => {
  let deep = {};
  const root = deep;
  for (let i = 0; i < 20000; i++) deep = deep.x = {};
  const doc = structuredClone(DOC);
  doc.metadata = { deep: root };
  let err = thrown(() => dharma.check(doc));
  assert.equal(err.kind, 'parse');
  assert.match(err.message, /call stack/);
  const text = `{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1","metadata":{"d":${'['.repeat(50000)}`;
  err = thrown(() => dharma.check(text));
  assert.equal(err.code, 'limit_exceeded');
  assert.equal(err.kind, 'limit');
  // Deep JSON and YAML are refused by the engine's nesting limit (before the readers recurse).
  err = thrown(() => dharma.check(`name: demo\nmetadata:\n  d: ${'['.repeat(2000)}\n`));
  assert.equal(err.code, 'limit_exceeded');
  assert.equal(err.kind, 'limit');
  // Still working afterwards.
  assert.equal(dharma.check(DOC).resources.length, 2);
});

test('validate: built-in findings, options, and the date waivers need (no clock in WebAssembly)', () => {
  const bp = {
    name: 'v-validate', version: '1.0.0', provider: 'aws', region: 'us-east-1',
    resources: [{
      type: 'aws_db_instance', name: 'db',
      properties: { engine: 'postgres', instance_class: 'db.t3.micro', allocated_storage: 20, storage_encrypted: false },
      waivers: [{ id: 'DHARMA_AWS_RDS_002', reason: 'test data only', expires: '2027-01-31' }],
    }],
  };
  const r = dharma.validate(bp, { today: '2026-11-25' });
  const f = r.findings.find((x) => x.id === 'DHARMA_AWS_RDS_002');
  assert.equal(f.status, 'waived');
  assert.equal(f.waiver.expires, '2027-01-31');
  assert.equal(r.waivers[0].state, 'applied');
  const expired = dharma.validate(bp, { today: '2027-02-01' });
  assert.equal(expired.findings.find((x) => x.id === 'DHARMA_AWS_RDS_002').status, 'fail');
  assert.equal(expired.waivers[0].state, 'expired');
  assert.throws(() => dharma.validate(bp), (e) => e.name === 'DharmaError' && e.kind === 'invalid_input' && e.path === 'options.today');
  assert.throws(() => dharma.validate(bp, { today: '2026-11-25', failOn: 'hihg' }),
    (e) => e.kind === 'invalid_input' && e.path === 'options.fail_on' && e.suggestion === 'high');
  assert.throws(() => dharma.validate(bp, { today: '2026-11-25', fail_onn: 'low' }), (e) => e.kind === 'invalid_input');
  // fail_on high: medium failures alone do not fail the report.
  const noWaiver = { ...bp, resources: [{ ...bp.resources[0], properties: { ...bp.resources[0].properties, storage_encrypted: true }, waivers: [] }] };
  const lenient = dharma.validate(noWaiver, { failOn: 'high' });
  assert.ok(lenient.counts.medium > 0, JSON.stringify(lenient.counts));
  assert.equal(lenient.counts.high + lenient.counts.critical, 0);
  assert.equal(lenient.passed, true);
  assert.equal(dharma.validate(noWaiver).passed, false);
});

test('two-blueprint calls name the argument whose document is wrong', () => {
  const bad = { ...DOC, region: 'us-east-l' };
  const fails = (fn, path) =>
    assert.throws(fn, (e) => e.name === 'DharmaError' && e.findings.some((f) => f.path === path), path);
  fails(() => dharma.planDiff(DOC, bad), 'newBlueprint.region');
  fails(() => dharma.planDiff(bad, DOC), 'oldBlueprint.region');
  fails(() => dharma.versionCheck(JSON.stringify(bad), DOC), 'oldBlueprint.region');
  fails(() => dharma.costDiff(DOC, 5), 'newBlueprint');
  // Text keeps its lines: the location is in the document the path names.
  assert.throws(() => dharma.planDiff(YAML, 'name: [x'), (e) => e.path.startsWith('newBlueprint') && e.location !== null);
});

test('a lone surrogate in blueprint text is an error at its line, never read as U+FFFD', () => {
  const text = `${YAML}description: "a\uD800b"\n`;
  assert.throws(
    () => dharma.parse(text),
    (e) => e.code === 'invalid_argument' && e.path === 'blueprint' && /lone surrogate/.test(e.message) &&
      e.location.line === YAML.split('\n').length,
  );
  assert.equal(dharma.parse(`${YAML}description: "a\uFFFDb"\n`).blueprint.description, 'a\uFFFDb');
});

test('options errors name the option and never a position in JSON the caller did not write', () => {
  const bp = { ...DOC };
  for (const [options, path] of [[{ today: '2026-02-30' }, 'options.today'], [{ today: 20260101 }, 'options.today']]) {
    assert.throws(() => dharma.validate(bp, options), (e) => e.kind === 'invalid_input' && e.path === path, JSON.stringify(options));
  }
  assert.throws(() => dharma.estimate(bp, { budgett: 5 }), (e) => e.path === 'options.budgett' && !/line \d+ column/.test(e.message));
});
