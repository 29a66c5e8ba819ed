// Runs the shared cases in tests/vectors/ (see its README) through the Node build of the package,
// comparing outcomes exactly as core/tests/vectors.rs does. Calls this package does not offer yet
// are reported as skipped, by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as dharma from '@iac-dharma/wasm';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const VECTORS = join(ROOT, 'tests', 'vectors');

function caseFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...caseFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** The blueprint of a case as [input, format], `input` being text; null when it has none. */
function blueprintSource(c) {
  if ('blueprint' in c) return [JSON.stringify(c.blueprint), 'json'];
  if ('blueprint_text' in c) return [c.blueprint_text, c.blueprint_format === 'yaml' ? 'yaml' : 'json'];
  if ('blueprint_file' in c) {
    const file = c.blueprint_file;
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [text, /\.json$/i.test(file) ? 'json' : 'yaml'];
  }
  return null;
}

function errorOutcome(e) {
  assert.ok(e instanceof Error, `expected an Error, got ${e}`);
  assert.equal(e.name, 'DharmaError', `not a DharmaError: ${e.stack}`);
  const findings = e.findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const v = { code: f.code, path: f.path };
      if (f.suggestion != null) v.suggestion = f.suggestion;
      if (f.location != null) v.line = f.location.line;
      return v;
    });
  return { error: { kind: e.kind, findings } };
}

/** Each supported call: (case, blueprint input, format) -> the `result` of the outcome. */
const CALLS = {
  check(c, input, format) {
    const r = dharma.check(input, format);
    const types = {};
    const tags = {};
    for (const res of r.resources) {
      types[res.name] = res.type;
      tags[res.name] = res.tags;
    }
    return { types, warnings: r.warnings.map((f) => ({ code: f.code, path: f.path })), tags };
  },
  graph(c, input, format) {
    const source = documentOf(input, format);
    const g = dharma.graph(source, 'json');
    const blast_radius = {};
    for (const name of c.args?.blast_radius ?? []) blast_radius[name] = dharma.blastRadius(source, name);
    return { waves: g.waves, order: g.order, edges: g.edges, blast_radius };
  },
  generate(c, input, format) {
    const files = dharma.generate(documentOf(input, format), c.args.format);
    // `contains`: echo back the expected substrings that occur in each file.
    const contains = {};
    for (const [path, subs] of Object.entries(c.expect.result?.contains ?? {})) {
      contains[path] = subs.filter((s) => (files[path] ?? '').includes(s));
    }
    return { files: Object.keys(files).sort(), text: files, contains };
  },
  estimate(c, input, format) {
    return dharma.estimate(documentOf(input, format), estimateOptions(c.args));
  },
  cost_diff(c, input, format) {
    // The new blueprint goes in the same form as the old one: text, or a JS object.
    const next = typeof input === 'string' ? JSON.stringify(c.args.new_blueprint) : structuredClone(c.args.new_blueprint);
    return dharma.costDiff(documentOf(input, format), next, estimateOptions(c.args));
  },
  plan_diff(c, input, format) {
    const next = typeof input === 'string' ? JSON.stringify(c.args.new_blueprint) : structuredClone(c.args.new_blueprint);
    return dharma.planDiff(documentOf(input, format), next);
  },
  validate(c, input, format) {
    const args = c.args ?? {};
    const options = { today: args.today ?? '2026-06-01' };
    for (const key of ['fail_on', 'variables', 'settings', 'policies', 'no_builtin', 'time_limit_ms']) {
      if (key in args) options[key] = args[key];
    }
    const r = dharma.validate(documentOf(input, format), options);
    const findings = r.findings
      .filter((f) => args.check == null || f.id === args.check)
      .map((f) => ({ id: f.id, address: f.address, path: f.path, status: f.status, severity: f.severity }));
    const waivers = (r.waivers ?? []).map((w) => ({ address: w.address, id: w.id, state: w.state }));
    return { passed: r.passed, counts: r.counts, findings, waivers };
  },
};

/** The functions that detect the syntax of text: where the case names it, read it with `parse`. */
function documentOf(input, format) {
  return typeof input === 'string' && format ? dharma.parse(input, format).blueprint : input;
}

/** Options of the `estimate` and `cost_diff` calls, as core/tests/vectors.rs builds them. */
function estimateOptions(args = {}) {
  const options = {};
  for (const key of ['usage', 'budget', 'prices']) if (key in args) options[key] = args[key];
  return options;
}

function run(c, input, format) {
  try {
    return { result: CALLS[c.call](c, input, format) };
  } catch (e) {
    return errorOutcome(e);
  }
}

/** Subset comparison, as in core/tests/vectors.rs. */
function matches(expected, actual, path, problems) {
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    for (const [k, ev] of Object.entries(expected)) {
      if (k in actual) matches(ev, actual[k], `${path}.${k}`, problems);
      else problems.push(`${path}.${k}: missing (expected ${JSON.stringify(ev)})`);
    }
  } else if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      problems.push(`${path}: expected ${expected.length} items ${JSON.stringify(expected)}, got ${actual.length} ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((ev, i) => matches(ev, actual[i], `${path}[${i}]`, problems));
  } else if (!deepEqual(expected, actual)) {
    problems.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function deepEqual(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

const files = caseFiles(VECTORS);
const cases = files.map((file) => {
  const c = JSON.parse(readFileSync(file, 'utf8'));
  return { name: relative(ROOT, file), c };
});

test('the shared vectors are there', () => {
  assert.ok(cases.length >= 40, `found only ${cases.length} cases`);
  for (const { name, c } of cases) assert.equal(typeof c.description, 'string', `${name}: no description`);
});

// WebAssembly has no clock, so the policy time budget is not enforced there: a case expecting a
// timeout would run its deliberately explosive policy to the end (minutes). Skipped, by name.
const needsClock = ({ c }) => c.call === 'validate' && c.args?.time_limit_ms != null;
const clockCases = cases.filter(needsClock);
const supported = cases.filter((x) => x.c.call in CALLS && !needsClock(x));
const unsupported = cases.filter(({ c }) => !(c.call in CALLS));

test(`shared vectors, blueprint as text (${supported.length} cases)`, () => {
  const failures = [];
  for (const { name, c } of supported) {
    const [input, format] = blueprintSource(c);
    const outcome = run(c, input, format);
    const problems = [];
    matches(c.expect, outcome, 'expect', problems);
    if (problems.length) failures.push(`${name}:\n  ${problems.join('\n  ')}\n  outcome: ${JSON.stringify(outcome)}`);
  }
  assert.equal(failures.length, 0, `${failures.length} of ${supported.length} vectors failed:\n${failures.join('\n')}`);
});

// Cases given as a JSON document also run with the document passed as a JS object: the outcome
// must be the same (object input reports paths, never source lines; no such case expects a line).
const objectCases = supported.filter(({ c }) => 'blueprint' in c);
test(`shared vectors, blueprint as a JS object (${objectCases.length} cases)`, () => {
  const failures = [];
  for (const { name, c } of objectCases) {
    const outcome = run(c, structuredClone(c.blueprint), undefined);
    const problems = [];
    matches(c.expect, outcome, 'expect', problems);
    if (problems.length) failures.push(`${name}:\n  ${problems.join('\n  ')}\n  outcome: ${JSON.stringify(outcome)}`);
  }
  assert.equal(failures.length, 0, `${failures.length} of ${objectCases.length} vectors failed:\n${failures.join('\n')}`);
});

// Cases of calls this package does not offer yet are reported as skipped, naming the calls.
const unknownCalls = [...new Set(unsupported.map(({ c }) => c.call))].sort();
if (unknownCalls.length) {
  test(`calls not in this package yet: ${unknownCalls.join(', ')}`, {
    skip: `${unsupported.length} cases skipped (calls: ${unknownCalls.join(', ')})`,
  });
}

if (clockCases.length) {
  test(`cases that need a clock (policy time budget): ${clockCases.map(({ name }) => name).join(', ')}`, {
    skip: 'WebAssembly has no clock: the time budget of policies is not enforced',
  });
}
