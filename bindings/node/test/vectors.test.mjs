// Runs every shared case in tests/vectors/ (see its README) through the Node API, with the
// runner the JS packages share (tests/vectors/runner.mjs): the outcomes must equal core's.
// Each call is done the way a user would: parse into a `Blueprint`, then call the verb.
import { Blueprint, PolicySet, PriceCatalog, validatePlan } from '@iac-dharma/node';
import { containsEcho, repoFile, runVectors } from '../../../tests/vectors/runner.mjs';

/** The case's blueprint: text (syntax named by the case) or, in object runs, a document. */
function load(input, format) {
  return typeof input === 'string' ? Blueprint.fromText(input, format) : Blueprint.fromObject(input);
}

/** `estimate`/`cost_diff` args as options: usage object, budget, prices extending the built-in catalog. */
function estimateOptions(args = {}) {
  const options = {};
  if ('usage' in args) options.usage = args.usage;
  if ('budget' in args) options.budget = args.budget;
  if ('prices' in args) options.catalog = PriceCatalog.builtin().extend(PriceCatalog.fromCsv(args.prices));
  return options;
}

/** The policy set of a `validate`/`validate_plan` case (built-ins unless `no_builtin`). */
function policySet(args = {}) {
  const options = { builtin: args.no_builtin !== true };
  if ('settings' in args) options.settings = args.settings;
  if ('time_limit_ms' in args) options.timeLimitMs = args.time_limit_ms;
  return PolicySet.fromRego(args.policies ?? [], options);
}

/** `validate` args as options (`today` defaults to the cases' fixed date). */
function validateOptions(args = {}) {
  const options = { today: args.today ?? '2026-06-01' };
  if ('fail_on' in args) options.failOn = args.fail_on;
  if ('variables' in args) options.variables = args.variables;
  if ('waivers' in args) options.waivers = args.waivers;
  return options;
}

/** The report as the README's outcome: counts, findings (of `args.check` only), waivers. */
function reportOutcome(r, args = {}) {
  return {
    passed: r.passed,
    counts: r.counts,
    findings: r.findings
      .filter((f) => args.check == null || f.id === args.check)
      .map(({ id, address, path, status, severity }) => ({ id, address, path, status, severity })),
    waivers: (r.waivers ?? []).map(({ address, id, state }) => ({ address, id, state })),
  };
}

const byName = (list, f) => Object.fromEntries(list.map((x) => [x.name, f(x)]));

export const calls = {
  check(c, input, format) {
    const bp = load(input, format);
    const resources = bp.resources;
    return {
      types: byName(resources, (r) => r.type),
      warnings: bp.warnings.map((f) => ({ code: f.code, path: f.path })),
      tags: byName(resources, (r) => r.tags),
    };
  },
  graph(c, input, format) {
    const bp = load(input, format);
    const g = bp.graph();
    const blast_radius = {};
    for (const name of c.args?.blast_radius ?? []) blast_radius[name] = bp.blastRadius(name);
    return { waves: g.waves, order: g.order, edges: g.edges, blast_radius };
  },
  generate(c, input, format) {
    const files = load(input, format).generate(c.args.format);
    return { files: Object.keys(files).sort(), text: files, contains: containsEcho(c, files) };
  },
  estimate(c, input, format) {
    return load(input, format).estimate(estimateOptions(c.args));
  },
  plan_diff(c, input, format) {
    return load(input, format).planDiff(Blueprint.fromObject(c.args.new_blueprint));
  },
  version_bump(c, input, format) {
    const v = load(input, format).versionCheck(Blueprint.fromObject(c.args.new_blueprint));
    return { bump: v.required, minimum: v.minimum, ok: v.ok };
  },
  drift(c, input, format) {
    return load(input, format).drift(repoFile(c.args.state_file));
  },
  validate(c, input, format) {
    const bp = load(input, format);
    return reportOutcome(bp.validate(policySet(c.args), validateOptions(c.args)), c.args);
  },
  validate_plan(c) {
    const a = c.args;
    const plan = a.plan_file != null ? repoFile(a.plan_file) : a.plan_text ?? a.plan;
    return reportOutcome(validatePlan(plan, policySet(a), validateOptions(a)), a);
  },
  cost_diff(c, input, format) {
    const old = load(input, format);
    return old.costDiff(Blueprint.fromObject(c.args.new_blueprint), estimateOptions(c.args));
  },
};

runVectors({ label: 'node', calls });
