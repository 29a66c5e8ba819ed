// The playground: on every edit (debounced) the blueprint is parsed and checked by the WebAssembly
// engine, and the page shows the problems (located), the resources with their resolved types and
// the dependency graph's waves. No framework; every user string goes through textContent.
import init, * as dharma from '../pkg/web/index.js';

const $ = (id) => document.getElementById(id);
const editor = $('editor');
const DEBOUNCE_MS = 200;

// Panels of functions the module may not export yet: shown only when it does. Each call and
// rendering is the place to refine once the function exists; until then the raw result is shown.
const OPTIONAL = [
  { fn: 'validate', panel: 'panel-policy', call: (bp) => dharma.validate(bp) },
  { fn: 'estimate', panel: 'panel-cost', call: (bp) => dharma.estimate(bp) },
  { fn: 'generate', panel: 'panel-terraform', call: (bp) => dharma.generate(bp, 'terraform') },
].filter((o) => typeof dharma[o.fn] === 'function');

let current = null; // the last successful parse: {parsed, graph}
let selected = null; // the selected resource name

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

function renderOptional(blueprint) {
  for (const o of OPTIONAL) {
    const out = $(o.panel).querySelector('.output');
    let content;
    try {
      const result = o.call(blueprint);
      content = typeof result === 'string' ? result : JSON.stringify(result, null, 2);
    } catch (e) {
      content = e.message;
    }
    out.replaceChildren(el('pre', {}, content));
  }
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
  renderOptional(parsed.blueprint);
  const w = parsed.warnings.length;
  status.textContent = `✓ valid — ${parsed.resources.length} resources, ${graph.waves.length} waves${w ? `, ${w} warning${w > 1 ? 's' : ''}` : ''} · parse + check ${ms.toFixed(1)} ms`;
  status.className = 'status ok';
  editor.classList.remove('invalid');
  $('resources').hidden = false;
  showResults(true);
}

function showResults(valid) {
  for (const id of ['resources-empty', 'graph-empty']) $(id).hidden = valid;
  for (const id of ['resources-hint', 'graph-hint']) $(id).hidden = !valid;
}

async function main() {
  await init();
  $('version').textContent = dharma.version();
  for (const o of OPTIONAL) $(o.panel).hidden = false;
  editor.value = await (await fetch('example.yaml')).text();
  editor.addEventListener('input', debounce(update, DEBOUNCE_MS));
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
