// The playground: on every edit (debounced) the blueprint is parsed and checked by the WebAssembly
// engine, and the page shows the problems (located), the resources with their resolved types, the
// dependency graph's waves, the monthly cost (with a budget, and the change against a pinned
// baseline), the guardrail policy findings and the generated code in any format. No framework; every user string goes through
// textContent.
import init, * as dharma from '../pkg/web/index.js';

const $ = (id) => document.getElementById(id);
const editor = $('editor');
const DEBOUNCE_MS = 200;

let current = null; // the last successful parse: {parsed, graph}
let selected = null; // the selected resource name
let baseline = null; // the blueprint pinned for the cost change
// The optional parts of the engine this module has (README.md, "What the module has"): the
// default module leaves out the non-Terraform output formats, and a module can be built without
// `costDiff`; the page shows only what the module has.
let features = new Set();
let genFormat = 'terraform'; // the chosen output format
let genFile = null; // the file shown

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

/** `n` and the noun, singular for one: "1 resource", "3 waves". */
function counted(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function debounce(fn, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

/** Selects line:column in the editor (both from 1), and scrolls it into view. */
function jumpTo({ line, column }) {
  const lines = editor.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  const lineText = lines[line - 1] ?? '';
  const start = offset + Math.max(0, Math.min(column - 1, lineText.length));
  editor.focus();
  editor.setSelectionRange(start, offset + lineText.length);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
  editor.scrollTop = Math.max(0, (line - 5) * lineHeight);
  showCaret();
}

function showCaret() {
  const before = editor.value.slice(0, editor.selectionStart);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  $('caret').textContent = `line ${line}, column ${column}`;
}

function renderProblems(findings) {
  const list = $('problems');
  list.replaceChildren();
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  $('problem-count').textContent = findings.length
    ? `(${[errors && `${errors} error${errors > 1 ? 's' : ''}`, warnings && `${warnings} warning${warnings > 1 ? 's' : ''}`].filter(Boolean).join(', ')})`
    : '';
  $('problems-empty').hidden = findings.length > 0;
  for (const f of findings) {
    const where = f.location
      ? el('span', { class: 'where' }, `line ${f.location.line}, column ${f.location.column}`)
      : f.path
        ? el('code', { class: 'where' }, f.path)
        : null;
    const suggest = f.suggestion != null
      ? el('span', { class: 'suggest' }, 'did you mean ', el('code', {}, f.suggestion), '?')
      : null;
    const item = el(
      'li',
      { class: f.severity + (f.location ? ' jump' : ''), 'data-code': f.code },
      el('span', { class: 'sev' }, f.severity),
      where,
      el('span', { class: 'message' }, f.message),
      el('span', { class: 'code' }, `[${f.code}]`),
      suggest,
    );
    if (f.location) {
      item.title = 'Go to this place in the blueprint';
      item.addEventListener('click', () => jumpTo(f.location));
    }
    list.append(item);
  }
}

function renderResources(parsed, graph) {
  const body = $('resources').querySelector('tbody');
  body.replaceChildren();
  const waveOf = Object.fromEntries(graph.resources.map((r) => [r.name, r.wave]));
  parsed.resources.forEach((r, i) => {
    const written = parsed.blueprint.resources[i]?.type;
    const row = el(
      'tr',
      { 'data-name': r.name, onclick: () => select(r.name === selected ? null : r.name) },
      el('td', {}, el('code', {}, r.name)),
      el('td', {}, el('code', {}, r.type), written && written !== r.type ? el('span', { class: 'alias' }, ` (written ${written})`) : null),
      el('td', {}, String(r.count)),
      el('td', {}, String(waveOf[r.name] + 1)),
    );
    row.classList.toggle('selected', r.name === selected);
    body.append(row);
  });
  $('resource-count').textContent = `(${parsed.resources.length})`;
}

function renderWaves(graph) {
  const list = $('waves');
  list.replaceChildren();
  const byName = Object.fromEntries(graph.resources.map((r) => [r.name, r]));
  graph.waves.forEach((wave, i) => {
    const items = wave.map((name) => {
      const r = byName[name];
      const chip = el('li', { class: 'chip', 'data-name': name }, name, el('small', {}, r.type));
      chip.title = r.depends_on.length ? `depends on ${r.depends_on.join(', ')}` : 'depends on nothing';
      chip.addEventListener('click', () => select(name === selected ? null : name));
      return chip;
    });
    list.append(el('li', { 'data-wave': String(i + 1) }, el('h3', {}, `Wave ${i + 1}`), el('ul', {}, ...items)));
  });
  $('wave-count').textContent = `(${graph.waves.length} waves, ${graph.edges.length} dependencies)`;
}

/** Highlights a resource and its blast radius (every transitive dependent). */
function select(name) {
  selected = name;
  const affected = new Set(name && current ? dharma.blastRadius(current.parsed.blueprint, name) : []);
  for (const node of document.querySelectorAll('[data-name]')) {
    node.classList.toggle('selected', node.dataset.name === name);
    node.classList.toggle('affected', affected.has(node.dataset.name));
  }
}

const usd = (amount) =>
  Number(amount).toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A money cell: rounded for reading, the exact decimal string in the title and data-amount. */
function money(amount, cls = 'num') {
  const td = el('td', { class: cls, 'data-amount': amount }, usd(amount));
  td.title = `${amount} USD`;
  return td;
}

function showError(box, e) {
  box.hidden = false;
  box.replaceChildren(e.path ? el('code', {}, e.path) : '', e.path ? ': ' : '', e.message, ` [${e.code ?? 'error'}]`);
  box.dataset.code = e.code ?? '';
}

/** Monthly cost: one row per resource with its line items, totals, budget, optimizations. */
function renderCost(blueprint) {
  const box = $('cost-error');
  const body = $('cost').querySelector('tbody');
  const budgetText = $('budget').value.trim();
  let est;
  try {
    est = dharma.estimate(blueprint, budgetText ? { budget: budgetText } : undefined);
  } catch (e) {
    showError(box, e);
    body.replaceChildren();
    $('cost-total').textContent = '';
    $('budget-status').textContent = '';
    $('cost-meta').textContent = '';
    $('optimizations').replaceChildren();
    return;
  }
  box.hidden = true;
  body.replaceChildren();
  for (const r of est.resources) {
    const items = r.line_items.map((l) =>
      el('li', {}, `${l.name}: ${l.quantity} ${l.unit} × $${l.unit_price}${l.usage_source === 'default' ? ' (default usage)' : ''}`),
    );
    if (r.reason) items.push(el('li', {}, r.reason));
    for (const u of r.unpriced_components ?? []) items.push(el('li', {}, `${u.name}: not priced (${u.reason})`));
    body.append(
      el(
        'tr',
        { 'data-address': r.address, 'data-status': r.status },
        el('td', {}, el('code', {}, r.address), r.count > 1 ? el('span', { class: 'alias' }, ` ×${r.count}`) : null),
        el('td', { class: `status-${r.status}` }, r.status),
        money(r.monthly),
        el('td', {}, el('ul', { class: 'items' }, ...items)),
      ),
    );
  }
  const total = $('cost-total');
  total.textContent = `${usd(est.total_monthly)} / month · confidence ${est.confidence.level}`;
  total.dataset.amount = est.total_monthly;
  const budget = $('budget-status');
  if (est.budget) {
    const b = est.budget;
    budget.className = `budget ${b.status}`;
    budget.dataset.status = b.status;
    budget.textContent = b.status === 'over' ? `over budget by ${usd(b.overrun)}` : `within budget, ${usd(b.headroom)} to spare`;
  } else {
    budget.className = 'budget';
    delete budget.dataset.status;
    budget.textContent = '';
  }
  const s = est.summary;
  $('cost-meta').textContent =
    `${s.priced} priced, ${s.free} free, ${s.unpriced} unpriced · ${est.confidence.explanation} · ` +
    `prices: ${est.catalog.rows} catalog rows dated ${est.catalog.oldest_date} to ${est.catalog.newest_date}`;
  $('optimizations').replaceChildren(
    ...est.optimizations.map((o) => el('li', { 'data-kind': o.kind }, `${o.title} (${o.address}): save ${usd(o.monthly_savings)} / month`)),
  );
}

/** The cost change between the pinned baseline and the current blueprint. */
function renderDiff(blueprint) {
  const table = $('cost-diff');
  const body = table.querySelector('tbody');
  if (!baseline || !features.has('cost-diff')) {
    table.hidden = true;
    $('diff-total').textContent = '';
    return;
  }
  let diff;
  try {
    diff = dharma.costDiff(baseline, blueprint);
  } catch (e) {
    table.hidden = true;
    $('diff-total').textContent = `cannot compare: ${e.message}`;
    return;
  }
  table.hidden = false;
  body.replaceChildren(
    ...diff.resources.map((r) => {
      const delta = money(r.delta);
      const sign = Number(r.delta);
      delta.classList.toggle('delta-up', sign > 0);
      delta.classList.toggle('delta-down', sign < 0);
      return el('tr', { 'data-address': r.address, 'data-change': r.change }, el('td', {}, el('code', {}, r.address)), el('td', {}, r.change), money(r.old_monthly), money(r.new_monthly), delta);
    }),
  );
  const d = Number(diff.delta_monthly);
  const total = $('diff-total');
  total.textContent = `${d > 0 ? '+' : ''}${usd(diff.delta_monthly)} / month (${usd(diff.old_total)} → ${usd(diff.new_total)})`;
  total.dataset.amount = diff.delta_monthly;
}

/** Generated code in the chosen format: a tab per file. Errors are listed with their paths. */
function renderGenerate(parsed) {
  const select = $('gen-format');
  const formats = dharma.outputFormats(parsed.provider);
  if (select.dataset.provider !== parsed.provider) {
    select.replaceChildren(...formats.map((f) => el('option', { value: f }, f)));
    select.dataset.provider = parsed.provider;
  }
  if (!formats.includes(genFormat)) genFormat = 'terraform';
  select.value = genFormat;
  const tabs = $('gen-files');
  const out = $('gen-output');
  let files;
  try {
    files = dharma.generate(parsed.blueprint, genFormat);
  } catch (e) {
    $('generate-count').textContent = '';
    tabs.replaceChildren();
    out.textContent = '';
    const list = $('gen-problems');
    list.replaceChildren();
    for (const f of e.findings ?? [{ code: e.code, path: e.path, message: e.message, severity: 'error' }]) {
      list.append(
        el('li', { class: 'error', 'data-code': f.code }, el('span', { class: 'sev' }, f.severity), f.path ? el('code', { class: 'where' }, f.path) : null,
          el('span', { class: 'message' }, f.message), el('span', { class: 'code' }, `[${f.code}]`)),
      );
    }
    return;
  }
  $('gen-problems').replaceChildren();
  const paths = Object.keys(files);
  if (!paths.includes(genFile)) genFile = paths[0] ?? null;
  $('generate-count').textContent = `(${paths.length} file${paths.length === 1 ? '' : 's'})`;
  tabs.replaceChildren(
    ...paths.map((path) => {
      const b = el('button', { type: 'button', role: 'tab', 'data-path': path, 'aria-selected': String(path === genFile) }, path);
      b.addEventListener('click', () => {
        genFile = path;
        renderGenerate(parsed);
      });
      return b;
    }),
  );
  out.textContent = genFile ? files[genFile] : '';
  out.dataset.path = genFile ?? '';
}

/** Guardrail findings of the built-in policies (validate), failures first as the engine orders them. */
function renderPolicy(blueprint) {
  const box = $('policy-error');
  const body = $('policy').querySelector('tbody');
  let report;
  try {
    // No clock in WebAssembly: waiver expiry is compared with today's date from the browser.
    report = dharma.validate(blueprint, { today: new Date().toISOString().slice(0, 10) });
  } catch (e) {
    showError(box, e);
    body.replaceChildren();
    $('policy-count').textContent = '';
    $('policy-verdict').textContent = '';
    return;
  }
  box.hidden = true;
  body.replaceChildren(
    ...report.findings.map((f) => {
      const row = el(
        'tr',
        { 'data-id': f.id, 'data-address': f.address, 'data-status': f.status, class: `sev-${f.severity}` },
        el('td', { class: `sev-${f.severity}` }, f.severity),
        el('td', {}, f.status),
        el('td', {}, el('code', {}, f.address), f.path ? el('span', { class: 'alias' }, ` ${f.path}`) : null),
        el('td', {}, el('code', {}, f.id)),
        el('td', {}, f.message, f.remediation ? el('div', { class: 'hint' }, f.remediation) : null),
      );
      row.title = f.title;
      return row;
    }),
  );
  const c = report.counts;
  const failed = c.critical + c.high + c.medium + c.low;
  const count = $('policy-count');
  count.textContent = `(${failed} failed${c.unknown ? `, ${c.unknown} unknown` : ''}${c.waived ? `, ${c.waived} waived` : ''})`;
  count.dataset.failed = String(failed);
  const verdict = $('policy-verdict');
  verdict.dataset.passed = String(report.passed);
  verdict.textContent = `${report.passed ? '✓ passes' : '✗ fails'} the ${report.checks.length} built-in checks that apply ` +
    `(critical ${c.critical}, high ${c.high}, medium ${c.medium}, low ${c.low})`;
}

let checks = 0; // how many times the blueprint was checked (tests wait on it)

function update() {
  try {
    check();
  } finally {
    document.body.dataset.checks = String(++checks);
  }
}

function check() {
  const text = editor.value;
  const t0 = performance.now();
  let parsed;
  let error;
  try {
    parsed = dharma.parse(text);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  const status = $('status');
  if (error) {
    current = null;
    const findings = Array.isArray(error.findings) ? error.findings : [{ code: error.code ?? 'error', severity: 'error', path: '', message: error.message }];
    renderProblems(findings);
    const errors = findings.filter((f) => f.severity === 'error').length;
    status.textContent = `✗ ${error.kind === 'parse' ? 'cannot read the blueprint' : `${errors} problem${errors > 1 ? 's' : ''}`} · ${ms.toFixed(1)} ms`;
    status.className = 'status bad';
    editor.classList.add('invalid');
    $('resources').hidden = true;
    $('waves').replaceChildren();
    showResults(false);
    $('resource-count').textContent = '';
    $('wave-count').textContent = '';
    return;
  }
  const graph = dharma.graph(parsed.blueprint, 'json');
  current = { parsed, graph };
  if (selected && !parsed.resources.some((r) => r.name === selected)) selected = null;
  renderProblems(parsed.warnings);
  renderResources(parsed, graph);
  renderWaves(graph);
  select(selected);
  renderCost(parsed.blueprint);
  renderDiff(parsed.blueprint);
  renderGenerate(parsed);
  renderPolicy(parsed.blueprint);
  const w = parsed.warnings.length;
  status.textContent = `✓ valid — ${counted(parsed.resources.length, 'resource')}, ${counted(graph.waves.length, 'wave')}${w ? `, ${counted(w, 'warning')}` : ''} · parse + check ${ms.toFixed(1)} ms`;
  status.className = 'status ok';
  editor.classList.remove('invalid');
  $('resources').hidden = false;
  showResults(true);
}

function showResults(valid) {
  for (const id of ['resources-empty', 'graph-empty', 'cost-empty', 'generate-empty', 'policy-empty']) $(id).hidden = valid;
  for (const id of ['resources-hint', 'graph-hint', 'cost-body', 'gen-files', 'gen-output', 'gen-problems', 'policy-body']) $(id).hidden = !valid;
  if (!valid) {
    $('cost-diff').hidden = true;
    $('cost-total').textContent = '';
    $('diff-total').textContent = '';
    $('generate-count').textContent = '';
  }
}

async function main() {
  await init();
  $('version').textContent = dharma.version();
  features = new Set(dharma.features());
  $('panel-diff').hidden = !features.has('cost-diff');
  const leftOut = ['cloudformation', 'arm', 'pulumi', 'cdk'].filter((f) => !features.has(`generate-${f}`));
  $('gen-left-out').hidden = leftOut.length === 0;
  $('gen-left-out').textContent = `This module leaves out the ${leftOut.join(', ')} formats to stay small (a full build has them).`;
  editor.value = await (await fetch('example.yaml')).text();
  editor.addEventListener('input', debounce(update, DEBOUNCE_MS));
  $('budget').addEventListener('input', debounce(update, DEBOUNCE_MS));
  $('gen-format').addEventListener('change', (e) => {
    genFormat = e.target.value;
    genFile = null;
    update();
  });
  $('pin-baseline').addEventListener('click', () => {
    if (!current) return;
    baseline = current.parsed.blueprint;
    $('baseline-state').textContent = `Baseline pinned: ${current.parsed.name} ${current.parsed.version} (${counted(current.parsed.resources.length, 'resource')}).`;
    update();
  });
  for (const ev of ['keyup', 'click', 'select']) editor.addEventListener(ev, showCaret);
  update();
  // For tests and the curious: the module, and when the page is ready.
  window.iacDharma = dharma;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const status = $('status');
  status.textContent = `the engine failed to load: ${e.message}`;
  status.className = 'status bad';
  document.body.dataset.ready = 'failed';
  throw e;
});
