// The JavaScript runner of the shared cases in this folder (see README.md), used by every JS
// package: bindings/node/test/vectors.test.mjs and bindings/wasm/test/vectors.test.mjs each call
// `runVectors` with their own `calls` (how their API performs each `call`); loading the cases,
// reading blueprints, turning errors into outcomes and comparing with `expect` happen here, the
// same way core/tests/vectors.rs does them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
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

/** Every case, in file order: `{name, c}` (`name` is the path from the repository root). */
export function loadCases() {
  return caseFiles(VECTORS).map((file) => ({
    name: relative(ROOT, file),
    c: JSON.parse(readFileSync(file, 'utf8')),
  }));
}

/**
 * A blueprint of a case as `[text, format]` (`format` `json` or `yaml`), or null when it has
 * none. `prefix` selects a second blueprint of the case (`new_` for `new_blueprint`...).
 */
export function blueprintSource(c, prefix = '') {
  if (`${prefix}blueprint` in c) return [JSON.stringify(c[`${prefix}blueprint`]), 'json'];
  if (`${prefix}blueprint_text` in c) {
    return [c[`${prefix}blueprint_text`], c[`${prefix}blueprint_format`] === 'yaml' ? 'yaml' : 'json'];
  }
  if (`${prefix}blueprint_file` in c) {
    const file = c[`${prefix}blueprint_file`];
    return [readFileSync(join(ROOT, file), 'utf8'), /\.json$/i.test(file) ? 'json' : 'yaml'];
  }
  return null;
}

/** A file of the repository, as text (for `*_file` arguments). */
export function repoFile(path) {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The outcome of a thrown error: the error findings (not warnings), as the README says. */
export function errorOutcome(e) {
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

/** Subset comparison, as in core/tests/vectors.rs: problems are pushed onto `problems`. */
export function matches(expected, actual, path, problems) {
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

/**
 * The `contains` result of `generate` cases: for each file named in the expectation, the
 * expected substrings that occur in it (so a missing one shows as a difference).
 */
export function containsEcho(c, files) {
  const contains = {};
  for (const [file, subs] of Object.entries(c.expect?.result?.contains ?? {})) {
    const text = files[file] ?? '';
    contains[file] = subs.filter((s) => text.includes(s));
  }
  return contains;
}

/**
 * Registers the tests: every case whose `call` is in `calls`, run with the blueprint as text,
 * and (when `objectInput`) again with the cases' JSON blueprints as JS objects; cases of other
 * calls are reported as skipped, by call name.
 *
 * Each `calls[name]` is `(c, input, format) => result` (sync or async): `input` is the
 * blueprint text and `format` its syntax, or (object runs) the blueprint object and
 * `undefined`. A thrown `DharmaError` becomes the error outcome.
 *
 * `skip` lists cases a package cannot run although it has their call, each group as
 * `{when: (c) => boolean, title, reason}`: they are reported as a skipped test named `title`
 * (with the cases' names), `reason` saying why.
 */
export function runVectors({ label, calls, objectInput = true, minCases = 40, skip = [] }) {
  const cases = loadCases();
  const skipped = skip.map((group) => ({ ...group, cases: cases.filter(({ c }) => group.when(c)) }));
  const isSkipped = ({ c }) => skip.some((group) => group.when(c));

  async function run(c, input, format) {
    try {
      return { result: await calls[c.call](c, input, format) };
    } catch (e) {
      return errorOutcome(e);
    }
  }

  async function runAll(list, inputOf) {
    const failures = [];
    for (const { name, c } of list) {
      const [input, format] = inputOf(c);
      const outcome = await run(c, input, format);
      const problems = [];
      matches(c.expect, outcome, 'expect', problems);
      if (problems.length) failures.push(`${name}:\n  ${problems.join('\n  ')}\n  outcome: ${JSON.stringify(outcome).slice(0, 2000)}`);
    }
    assert.equal(failures.length, 0, `${failures.length} of ${list.length} vectors failed (${label}):\n${failures.join('\n')}`);
  }

  test('the shared vectors are there', () => {
    assert.ok(cases.length >= minCases, `found only ${cases.length} cases`);
    for (const { name, c } of cases) assert.equal(typeof c.description, 'string', `${name}: no description`);
  });

  const supported = cases.filter((x) => x.c.call in calls && !isSkipped(x));
  const unsupported = cases.filter(({ c }) => !(c.call in calls));

  test(`${label}: shared vectors, blueprint as text (${supported.length} cases)`, () =>
    runAll(supported, (c) => blueprintSource(c) ?? [undefined, undefined]));

  // Cases given as a JSON document run again with the document passed as a JS object: the
  // outcome must be the same (object input reports paths, never source lines; no such case
  // expects a line).
  if (objectInput) {
    const objectCases = supported.filter(({ c }) => 'blueprint' in c);
    test(`${label}: shared vectors, blueprint as a JS object (${objectCases.length} cases)`, () =>
      runAll(objectCases, (c) => [structuredClone(c.blueprint), undefined]));
  }

  const unknownCalls = [...new Set(unsupported.map(({ c }) => c.call))].sort();
  if (unknownCalls.length) {
    test(`${label}: calls not in this package yet: ${unknownCalls.join(', ')}`, {
      skip: `${unsupported.length} cases skipped (calls: ${unknownCalls.join(', ')})`,
    });
  }
  for (const group of skipped) {
    if (group.cases.length) {
      test(`${label}: ${group.title}: ${group.cases.map(({ name }) => name).join(', ')}`, { skip: group.reason });
    }
  }
  return { cases, supported, unsupported };
}
