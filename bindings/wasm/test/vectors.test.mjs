// Runs the shared cases in tests/vectors/ (see its README) through the Node build of the package,
// with the runner the JS packages share (tests/vectors/runner.mjs), which compares outcomes
// exactly as core/tests/vectors.rs does. Calls this package does not offer yet are reported as
// skipped, by name.
import * as dharma from '@iac-dharma/wasm';
import { containsEcho, repoFile, runVectors } from '../../../tests/vectors/runner.mjs';
import { CALL_FEATURE, FEATURES, FORMAT_FEATURE } from './features.mjs';

/**
 * Runs a call of two blueprints. Its errors' paths start with the argument they are about
 * (`newBlueprint.resources[0]`), where the cases give the path in the document, as core does:
 * the argument's name is taken off (test/api.test.mjs checks the names themselves).
 */
function documentPaths(call) {
  try {
    return call();
  } catch (e) {
    for (const f of e.findings ?? []) f.path = f.path.replace(/^(old|new)Blueprint\.?/, '');
    throw e;
  }
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
    return { files: Object.keys(files).sort(), text: files, contains: containsEcho(c, files) };
  },
  estimate(c, input, format) {
    return dharma.estimate(documentOf(input, format), estimateOptions(c.args));
  },
  cost_diff(c, input, format) {
    // The new blueprint goes in the same form as the old one: text, or a JS object.
    const next = typeof input === 'string' ? JSON.stringify(c.args.new_blueprint) : structuredClone(c.args.new_blueprint);
    return documentPaths(() => dharma.costDiff(documentOf(input, format), next, estimateOptions(c.args)));
  },
  plan_diff(c, input, format) {
    const next = typeof input === 'string' ? JSON.stringify(c.args.new_blueprint) : structuredClone(c.args.new_blueprint);
    return documentPaths(() => dharma.planDiff(documentOf(input, format), next));
  },
  validate(c, input, format) {
    const args = c.args ?? {};
    return reportResult(dharma.validate(documentOf(input, format), validateOptions(args, ['time_limit_ms'])), args);
  },
  validate_plan(c) {
    const args = c.args;
    const plan = 'plan_file' in args ? repoFile(args.plan_file) : 'plan_text' in args ? args.plan_text : args.plan;
    return reportResult(dharma.validatePlan(plan, validateOptions(args, ['waivers'])), args);
  },
  drift(c, input, format) {
    return dharma.drift(documentOf(input, format), repoFile(c.args.state_file));
  },
  version_bump(c, input, format) {
    const v = documentPaths(() => dharma.versionCheck(documentOf(input, format), JSON.stringify(c.args.new_blueprint)));
    return { bump: v.required, minimum: v.minimum, ok: v.ok };
  },
};

/** The functions that detect the syntax of text: where the case names it, read it with `parse`. */
function documentOf(input, format) {
  return typeof input === 'string' && format ? dharma.parse(input, format).blueprint : input;
}

/** Options of the `validate` and `validate_plan` calls, as core/tests/vectors.rs builds them. */
function validateOptions(args, extraKeys) {
  const options = { today: args.today ?? '2026-06-01' };
  for (const key of ['fail_on', 'variables', 'settings', 'policies', 'no_builtin', ...extraKeys]) {
    if (key in args) options[key] = args[key];
  }
  return options;
}

/** The compared part of a validation report: the findings of the case's check (or all). */
function reportResult(r, args) {
  const findings = r.findings
    .filter((f) => args.check == null || f.id === args.check)
    .map((f) => ({ id: f.id, address: f.address, path: f.path, status: f.status, severity: f.severity }));
  const waivers = (r.waivers ?? []).map((w) => ({ address: w.address, id: w.id, state: w.state }));
  return { passed: r.passed, counts: r.counts, findings, waivers };
}

/** Options of the `estimate` and `cost_diff` calls, as core/tests/vectors.rs builds them. */
function estimateOptions(args = {}) {
  const options = {};
  for (const key of ['usage', 'budget', 'prices']) if (key in args) options[key] = args[key];
  return options;
}

// The parts of the engine this module was built without (README.md, "What the module has"): the
// default module leaves out the output formats and calls below, which then throw
// `unsupported_format` / `unsupported_call` (api.test.mjs and verbs.test.mjs check that). Their
// cases are skipped, by reason; a module built with WASM_FEATURES=full runs them all.
const leftOut = (feature) => feature != null && !FEATURES.has(feature);

// WebAssembly has no clock, so the policy time budget is not enforced there: a case expecting a
// timeout would run its deliberately explosive policy to the end (minutes). Skipped, by name.
runVectors({
  label: 'wasm',
  calls: CALLS,
  skip: [
    {
      when: (c) => c.call === 'validate' && c.args?.time_limit_ms != null,
      title: 'cases that need a clock (policy time budget)',
      reason: 'WebAssembly has no clock: the time budget of policies is not enforced',
    },
    {
      when: (c) => c.call === 'generate' && leftOut(FORMAT_FEATURE[c.args?.format]),
      title: 'generate cases of output formats this module leaves out',
      reason: `the module is built without ${Object.values(FORMAT_FEATURE).filter(leftOut).filter((f, i, a) => a.indexOf(f) === i).join(', ')} (WASM_FEATURES=full has them)`,
    },
    {
      when: (c) => leftOut(CALL_FEATURE[c.call]),
      title: 'cases of calls this module leaves out',
      reason: `the module is built without ${Object.values(CALL_FEATURE).filter(leftOut).filter((f, i, a) => a.indexOf(f) === i).join(', ')} (WASM_FEATURES=full has them)`,
    },
  ],
});
