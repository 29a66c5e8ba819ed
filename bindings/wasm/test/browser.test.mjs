// The demo page in a real browser (Debian's Chromium, driven by playwright-core): the engine loads
// from pkg/web, typing a blueprint shows its resources and waves, breaking it shows located
// errors, the cost and generated code panels follow each edit, and parse + check, estimate and
// generate of a 1,000-resource blueprint are timed inside the page.
//   CHROMIUM=/path/to/chromium node --test test/browser.test.mjs      (default /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { serve } from '../scripts/serve-demo.mjs';

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(HERE, '..', '..');
const ARTIFACTS = join(HERE, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server;
let url;
let context;
let page;
let profile;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  ({ server, url } = await serve());
  profile = mkdtempSync(join(tmpdir(), 'dharma-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${url}/demo/`);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#status'));
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const checks = async () => Number(await page.getAttribute('body', 'data-checks'));

/** Replaces the blueprint (as a paste would) and waits for the page to check it. */
async function edit(text) {
  const before = await checks();
  await page.fill('#editor', text);
  await page.waitForFunction((n) => Number(document.body.dataset.checks) > n, before, { timeout: 10_000 });
}

/** The status line, after asserting the last check's outcome. */
async function settled(ok) {
  assert.equal(await page.getAttribute('#status', 'class'), ok ? 'status ok' : 'status bad', await page.textContent('#status'));
  return page.textContent('#status');
}

const resourceRows = () =>
  page.$$eval('#resources tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const waves = () =>
  page.$$eval('#waves > li', (ws) => ws.map((w) => [...w.querySelectorAll('.chip')].map((c) => c.dataset.name)));
const problems = () =>
  page.$$eval('#problems li', (items) =>
    items.map((li) => ({
      severity: li.className.split(' ')[0],
      code: li.dataset.code,
      where: li.querySelector('.where')?.textContent ?? '',
      suggestion: li.querySelector('.suggest code')?.textContent ?? null,
    })),
  );

test('the preloaded example is checked on load', async () => {
  const status = await settled(true);
  assert.match(status, /✓ valid — 14 resources, 4 waves/);
  const rows = await resourceRows();
  assert.equal(rows.length, 14);
  assert.deepEqual(rows[0], ['main', 'aws_vpc (written vpc)', '1', '1']);
  assert.deepEqual((await waves()).at(-1), ['orders']);
  assert.match(await page.textContent('#version'), /^\d+\.\d+\.\d+$/);
  await page.screenshot({ path: join(ARTIFACTS, 'demo-example.png'), fullPage: true });
});

const policyRows = () =>
  page.$$eval('#policy tbody tr', (rows) => rows.map((r) => [r.dataset.id, r.dataset.address, r.dataset.status, r.cells[0].textContent]));

test('the policy findings of the example are listed, and follow edits', async () => {
  const example = await page.inputValue('#editor');
  assert.deepEqual(await policyRows(), [
    ['DHARMA_AWS_NET_004', 'aws_vpc.main', 'fail', 'medium'],
    ['DHARMA_AWS_RDS_003', 'aws_db_instance.orders', 'fail', 'medium'],
    ['DHARMA_AWS_S3_003', 'aws_s3_bucket.assets', 'fail', 'medium'],
    ['DHARMA_AWS_S3_004', 'aws_s3_bucket.assets', 'fail', 'medium'],
    ['DHARMA_AWS_S3_005', 'aws_s3_bucket.assets', 'fail', 'low'],
  ]);
  assert.equal(await page.getAttribute('#policy-count', 'data-failed'), '5');
  assert.equal(await page.getAttribute('#policy-verdict', 'data-passed'), 'false');
  // An unencrypted database adds a high-severity finding at once.
  await edit(example.replace('storage_encrypted: true', 'storage_encrypted: false'));
  await settled(true);
  const rows = await policyRows();
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[1], ['DHARMA_AWS_RDS_002', 'aws_db_instance.orders', 'fail', 'high']);
  assert.match(await page.textContent('#policy-verdict'), /✗ fails .* high 1, medium 4, low 1/);
  await page.screenshot({ path: join(ARTIFACTS, 'demo-policy.png'), fullPage: true });
  await edit(example);
  await settled(true);
  assert.equal((await policyRows()).length, 5);
});

const TYPED = `name: typed-demo
version: 1.0.0
provider: aws
region: us-west-2
resources:
  - type: vpc
    name: main
    properties: {cidr_block: 10.1.0.0/16}
  - type: subnet
    name: app
    properties: {vpc_id: "\${main.id}", cidr_block: 10.1.1.0/24}
  - type: ec2_instance
    name: web
    count: 2
    properties: {ami: ami-12345678, instance_type: t3.micro, subnet_id: "\${app.id}"}
`;

test('typing a blueprint shows its resources and waves', async () => {
  await edit('');
  const before = await checks();
  await page.focus('#editor');
  // Typed key by key, as a person would: the check runs once typing pauses (debounced), so far
  // fewer checks than keys.
  await page.keyboard.type(TYPED);
  await page.waitForFunction(
    (n) => Number(document.body.dataset.checks) > n && document.getElementById('status').textContent.includes('3 resources'),
    before,
    { timeout: 10_000 },
  );
  assert.ok((await checks()) - before < TYPED.length / 4, `${(await checks()) - before} checks for ${TYPED.length} keys`);
  const status = await settled(true);
  assert.match(status, /✓ valid — 3 resources, 3 waves/);
  assert.deepEqual(await resourceRows(), [
    ['main', 'aws_vpc (written vpc)', '1', '1'],
    ['app', 'aws_subnet (written subnet)', '1', '2'],
    ['web', 'aws_instance (written ec2_instance)', '2', '3'],
  ]);
  assert.deepEqual(await waves(), [['main'], ['app'], ['web']]);
  // Selecting a resource highlights its blast radius.
  await page.click('#resources tbody tr[data-name="main"]');
  const affected = await page.$$eval('#waves .chip.affected', (cs) => cs.map((c) => c.dataset.name));
  assert.deepEqual(affected, ['app', 'web']);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'demo-valid.png'), fullPage: true });
});

test('the cost panel shows each resource, the total and the budget verdict', async () => {
  // The page state of the previous test: TYPED.
  const rows = await page.$$eval('#cost tbody tr', (rs) =>
    rs.map((r) => ({ address: r.dataset.address, status: r.dataset.status, monthly: r.cells[2].dataset.amount, items: r.cells[3].textContent })),
  );
  const expected = await page.evaluate((t) => window.iacDharma.estimate(t), TYPED);
  assert.deepEqual(rows.map((r) => [r.address, r.status, r.monthly]), expected.resources.map((r) => [r.address, r.status, r.monthly]));
  assert.deepEqual(rows.map((r) => r.address), ['aws_vpc.main', 'aws_subnet.app', 'aws_instance.web']);
  assert.equal(rows[0].status, 'free');
  assert.equal(rows[2].status, 'priced');
  assert.match(rows[2].items, /1460 hour × \$0\.0104/); // 2 instances × 730 hours, t3.micro in us-west-2
  assert.ok(Number(rows[2].monthly) > 15, rows[2].monthly);
  assert.equal(await page.getAttribute('#cost-total', 'data-amount'), expected.total_monthly);
  assert.match(await page.textContent('#cost-total'), /^\$\d+\.\d\d \/ month · confidence (high|medium|low)$/);
  // A budget below the total: over, by the exact difference.
  await typeBudget('10');
  assert.equal(await page.getAttribute('#budget-status', 'data-status'), 'over');
  const overrun = await page.evaluate((t) => window.iacDharma.estimate(t, { budget: '10' }).budget.overrun, TYPED);
  assert.equal(await page.textContent('#budget-status'), `over budget by $${Number(overrun).toFixed(2)}`);
  await typeBudget('1000');
  assert.equal(await page.getAttribute('#budget-status', 'data-status'), 'within');
  await typeBudget('');
  assert.equal(await page.textContent('#budget-status'), '');
});

/** Types a budget (replacing the field) and waits for the page to re-check. */
async function typeBudget(value) {
  const before = await checks();
  await page.fill('#budget', value);
  await page.waitForFunction((n) => Number(document.body.dataset.checks) > n, before, { timeout: 10_000 });
}

test('pinning a baseline shows the cost change of each edit', async () => {
  // A module built without costDiff (README.md, "What the module has") hides the panel.
  if (!(await page.evaluate(() => window.iacDharma.features().includes('cost-diff')))) {
    assert.equal(await page.isHidden('#panel-diff'), true);
    return;
  }
  await page.click('#pin-baseline');
  await page.waitForFunction(() => !document.getElementById('cost-diff').hidden);
  assert.equal(await page.getAttribute('#diff-total', 'data-amount'), '0');
  await edit(TYPED.replace('t3.micro', 't3.small').replace('    count: 2\n', '    count: 3\n'));
  await settled(true);
  const rows = await page.$$eval('#cost-diff tbody tr', (rs) => rs.map((r) => [r.dataset.address, r.dataset.change, r.cells[4].dataset.amount]));
  const diff = await page.evaluate(
    ([a, b]) => window.iacDharma.costDiff(a, b),
    [TYPED, TYPED.replace('t3.micro', 't3.small').replace('    count: 2\n', '    count: 3\n')],
  );
  assert.deepEqual(rows, diff.resources.map((r) => [r.address, r.change, r.delta]));
  assert.deepEqual(rows.find((r) => r[0] === 'aws_instance.web').slice(0, 2), ['aws_instance.web', 'changed']);
  assert.ok(Number(diff.delta_monthly) > 0);
  assert.equal(await page.getAttribute('#diff-total', 'data-amount'), diff.delta_monthly);
  assert.match(await page.textContent('#diff-total'), /^\+\$\d+\.\d\d \/ month/);
  await page.screenshot({ path: join(ARTIFACTS, 'demo-cost.png'), fullPage: true });
  await edit(TYPED);
  await settled(true);
});

test('the generated code panel shows every file of the chosen format', async () => {
  const tabs = () => page.$$eval('#gen-files button', (bs) => bs.map((b) => b.dataset.path));
  const formats = await page.$$eval('#gen-format option', (os) => os.map((o) => o.value));
  assert.deepEqual(formats, await page.evaluate(() => window.iacDharma.outputFormats('aws')));
  assert.ok((await tabs()).includes('main.tf'), JSON.stringify(await tabs()));
  await page.click('#gen-files button[data-path="main.tf"]');
  const main = await page.textContent('#gen-output');
  assert.match(main, /resource "aws_instance" "web" \{\n[^}]*count\s+= 2\n/);
  assert.match(main, /vpc_id\s+= aws_vpc\.main\.id/);
  const features = await page.evaluate(() => window.iacDharma.features());
  if (features.includes('generate-cloudformation')) {
    const before = await checks();
    await page.selectOption('#gen-format', 'cloudformation');
    await page.waitForFunction((n) => Number(document.body.dataset.checks) > n, before);
    assert.deepEqual(await tabs(), ['template.json']);
    const template = JSON.parse(await page.textContent('#gen-output'));
    assert.equal(template.Resources.Main.Type, 'AWS::EC2::VPC');
    assert.equal(await page.textContent('#generate-count'), '(1 file)');
  } else {
    // The default module: Terraform HCL and JSON, and a note naming what it leaves out.
    assert.deepEqual(formats, ['terraform', 'terraform-json']);
    assert.match(await page.textContent('#gen-left-out'), /leaves out the cloudformation, arm, pulumi, cdk formats/);
    assert.equal(await page.isVisible('#gen-left-out'), true);
    const before = await checks();
    await page.selectOption('#gen-format', 'terraform-json');
    await page.waitForFunction((n) => Number(document.body.dataset.checks) > n, before);
    assert.deepEqual(await tabs(), ['main.tf.json']);
    assert.equal(JSON.parse(await page.textContent('#gen-output')).resource.aws_vpc.main.cidr_block, '10.1.0.0/16');
    const again = await checks();
    await page.selectOption('#gen-format', 'terraform');
    await page.waitForFunction((n) => Number(document.body.dataset.checks) > n, again);
  }
  // Switching to an Azure blueprint drops the AWS-only formats and falls back to Terraform.
  await edit('{"name":"azure-demo","version":"1.0.0","provider":"azure","region":"westeurope","resources":[{"type":"azurerm_resource_group","name":"rg","properties":{"name":"rg","location":"westeurope"}}]}');
  await settled(true);
  assert.equal(await page.$eval('#gen-format', (s) => s.value), 'terraform');
  assert.equal((await page.$$eval('#gen-format option', (os) => os.map((o) => o.value))).includes('arm'), features.includes('generate-arm'));
  await page.screenshot({ path: join(ARTIFACTS, 'demo-generate.png'), fullPage: true });
  await edit(TYPED);
  await settled(true);
});

test('a check error is shown with its path and suggestion', async () => {
  await edit(TYPED.replace('${main.id}', '${mian.id}').replace('us-west-2', 'us-west-9'));
  const status = await settled(false);
  assert.match(status, /✗ 2 problems/);
  assert.deepEqual(await problems(), [
    { severity: 'error', code: 'unknown_region', where: 'region', suggestion: await suggestionFor('us-west-9') },
    { severity: 'error', code: 'unknown_reference', where: 'resources[1].properties.vpc_id', suggestion: '${main.id}' },
  ]);
  assert.equal(await page.isHidden('#resources'), true);
  assert.equal(await page.isVisible('#resources-empty'), true);
  assert.equal(await page.$$eval('#waves > li', (l) => l.length), 0);
});

/** What the engine itself suggests for a region (the page must show exactly that). */
async function suggestionFor(region) {
  return page.evaluate((r) => {
    try {
      window.iacDharma.check({ name: 'x-y-z', version: '1.0.0', provider: 'aws', region: r, resources: [] });
    } catch (e) {
      return e.suggestion;
    }
    return null;
  }, region);
}

test('a syntax error is shown with line and column, and clicking it selects the line', async () => {
  const broken = TYPED.replace('    name: app\n', '    name: app\n   properties: [oops\n');
  await edit(broken);
  await settled(false);
  const [first] = await problems();
  assert.equal(first.severity, 'error');
  assert.equal(first.code, 'yaml_syntax');
  const m = first.where.match(/^line (\d+), column (\d+)$/);
  assert.ok(m, `no location in "${first.where}"`);
  const line = Number(m[1]);
  assert.ok(line >= 11 && line <= 13, `line ${line}`);
  await page.screenshot({ path: join(ARTIFACTS, 'demo-error.png'), fullPage: true });
  await page.click('#problems li.jump');
  const caretLine = await page.$eval('#editor', (e) => e.value.slice(0, e.selectionStart).split('\n').length);
  assert.equal(caretLine, line);
  assert.equal(await page.textContent('#caret'), `line ${line}, column ${Number(m[2])}`);
});

test('a panic in the page is a readable error and the engine carries on', async () => {
  const outcome = await page.evaluate(() => {
    const d = window.iacDharma;
    let err;
    try {
      d.__panicForTesting('browser panic test');
    } catch (e) {
      err = e;
    }
    return { isError: err instanceof Error, name: err.name, kind: err.kind, after: d.check('{"name":"abc","version":"1.0.0","provider":"gcp","region":"europe-west1","resources":[]}').provider };
  });
  assert.deepEqual(outcome, { isError: true, name: 'DharmaError', kind: 'internal', after: 'gcp' });
  // The hook logged it; nothing else went wrong in the page.
  const unexpected = pageErrors.filter((e) => !e.includes('browser panic test'));
  assert.deepEqual(unexpected, []);
});

test('parse + check, estimate, generate and validate of a 1,000-resource blueprint, timed in the page', async () => {
  // The same blueprint the criterion benches use (iac_dharma_bench::synthetic_aws_text).
  const text = execFileSync('cargo', ['run', '-q', '--locked', '-p', 'iac-dharma-bench', '--example', 'synthetic_blueprint', '--', '1000'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const timing = await page.evaluate((text) => {
    const d = window.iacDharma;
    const time = (fn, runs) => {
      for (let i = 0; i < 3; i++) fn(); // warm-up (the first call also inflates the provider schema)
      const ms = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        fn();
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      return { median: ms[Math.floor(runs / 2)], min: ms[0], max: ms[runs - 1], runs };
    };
    const object = JSON.parse(text);
    const resources = d.check(text).resources.length;
    return {
      resources,
      bytes: text.length,
      check_text: time(() => d.check(text), 25),
      check_object: time(() => d.check(object), 25),
      parse_text: time(() => d.parse(text), 25),
      graph_text: time(() => d.graph(text), 25),
      estimate_text: time(() => d.estimate(text), 25),
      estimate_object: time(() => d.estimate(object), 25),
      generate_terraform: time(() => d.generate(text, 'terraform'), 9),
      validate_text: time(() => d.validate(text, { today: '2026-06-01' }), 9),
      findings: d.validate(text, { today: '2026-06-01' }).findings.length,
      total_monthly: d.estimate(text).total_monthly,
      userAgent: navigator.userAgent,
    };
  }, text);
  assert.ok(timing.resources >= 1000, `${timing.resources} resources`);
  writeFileSync(join(ARTIFACTS, 'browser-timing.json'), JSON.stringify(timing, null, 2));
  const f = (t) => `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)}, ${t.runs} runs)`;
  console.log(
    `# in-browser timing, ${timing.resources} resources (${(timing.bytes / 1024).toFixed(0)} KiB JSON), ${timing.userAgent}\n` +
      `#   check(text)     ${f(timing.check_text)}\n` +
      `#   check(object)   ${f(timing.check_object)}\n` +
      `#   parse(text)     ${f(timing.parse_text)}  (also returns the document)\n` +
      `#   graph(text)     ${f(timing.graph_text)}\n` +
      `#   estimate(text)  ${f(timing.estimate_text)}  (total ${timing.total_monthly} USD / month)\n` +
      `#   estimate(object) ${f(timing.estimate_object)}\n` +
      `#   generate(text, 'terraform') ${f(timing.generate_terraform)}\n` +
      `#   validate(text)  ${f(timing.validate_text)}  (${timing.findings} findings)`,
  );
});
