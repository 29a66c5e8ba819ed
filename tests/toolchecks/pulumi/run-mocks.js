#!/usr/bin/env node
// Runs a compiled Pulumi TypeScript program offline, under pulumi.runtime.setMocks (no Pulumi CLI,
// engine or cloud), and checks that it registers exactly the resources of the Pulumi YAML program
// generated from the same blueprint: the same logical names (each instance of a count), the same
// type tokens, the same properties (literal values equal). Independently of the generator, the
// registered resources are also checked against the blueprint itself: one per instance of each
// blueprint resource (`name`, or `name-0`... with count), with the token that
// catalog/formats/pulumi-<provider>.map gives its Terraform type, and the stack outputs are exactly
// the blueprint's outputs (as camelCase exports). Prints the stack outputs as JSON to OUTPUTS when given
// (scripts/test.d/20-generate-tools.sh compares those of tests/toolchecks/strings.json with the
// strings the blueprint holds).
//
// usage: node run-mocks.js PROGRAM.js Pulumi.yaml|- BLUEPRINT [OUTPUTS.json]
// (`-` when the blueprint has no Pulumi YAML program: only the checks against the blueprint run)
"use strict";
const fs = require("fs");
const path = require("path");

const [programJs, yamlFile, blueprintFile, outputsFile] = process.argv.slice(2);
if (!blueprintFile) {
  console.error("usage: node run-mocks.js PROGRAM.js Pulumi.yaml|- BLUEPRINT [OUTPUTS.json]");
  process.exit(2);
}
// The program's own copy of @pulumi/pulumi: mocks are per module instance.
const load = (m) => require(require.resolve(m, { paths: [path.dirname(path.resolve(programJs))] }));
const yaml = load("js-yaml");
// A JSON blueprint is YAML too.
const blueprint = yaml.load(fs.readFileSync(blueprintFile, "utf8"));
const yamlProgram = yamlFile === "-" ? null : yaml.load(fs.readFileSync(yamlFile, "utf8"));

// Terraform type -> Pulumi token, from the `@type token` lines of the map.
const tokens = new Map();
const mapFile = path.join(__dirname, "..", "..", "..", "catalog", "formats", `pulumi-${blueprint.provider}.map`);
for (const line of fs.readFileSync(mapFile, "utf8").split("\n")) {
  const m = /^@(\S+) (\S+)/.exec(line);
  if (m) tokens.set(m[1], m[2]);
}

// Config the program requires (variables without a default) gets a value of its declared type;
// the runtime reads PULUMI_CONFIG when it loads.
const placeholder = (decl) =>
  ({ string: "placeholder", integer: 1, boolean: true, array: [] })[decl && decl.type] ?? "placeholder";
const config = {};
for (const [key, decl] of Object.entries((yamlProgram && yamlProgram.config) || {})) {
  if (key.includes(":")) config[key] = decl;
  else if (!decl || decl.default === undefined) {
    const v = placeholder(decl);
    config[`dharma:${key}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
}
// Without a YAML program, the blueprint's variables without a default.
const blueprintPlaceholder = (type) =>
  /^(list|set)\(/.test(type || "") ? [] : /^map\(/.test(type || "") || type === "any" ? {} : placeholder({ type: { number: "integer", bool: "boolean" }[type] || "string" });
if (!yamlProgram)
  for (const v of blueprint.variables || [])
    if (!("default" in v)) {
      const x = blueprintPlaceholder(v.type);
      config[`dharma:${v.name}`] = typeof x === "string" ? x : JSON.stringify(x);
    }
process.env.PULUMI_CONFIG = JSON.stringify(config);
const pulumi = load("@pulumi/pulumi");

const fail = (msg) => {
  console.error(`${programJs}: ${msg}`);
  process.exit(1);
};
process.on("unhandledRejection", (e) => fail(`unhandled rejection: ${e && e.stack ? e.stack : e}`));

const hasReference = (v) =>
  typeof v === "string" ? /(^|[^$])(\$\$)*\$\{/.test(v) : v && typeof v === "object" ? Object.values(v).some(hasReference) : false;
// Pulumi YAML reads `$$` in a string as `$`.
const unescape = (v) =>
  typeof v === "string" ? v.replace(/\$\$/g, "$") : Array.isArray(v) ? v.map(unescape) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unescape(x)])) : v;
const canonical = (v) =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;

async function settle(registered) {
  // Registrations complete asynchronously (inputs wait on other resources' outputs): wait until
  // the count is stable for a while, at most 60 s.
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 600 && stable < 5; i++) {
    await new Promise((r) => setTimeout(r, 20));
    stable = registered.length === last ? stable + 1 : 0;
    last = registered.length;
  }
}

async function main() {
  const registered = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    "dharma",
    "toolcheck",
    false,
  );
  const program = require(path.resolve(programJs));
  const outputs = {};
  for (const [k, v] of Object.entries(program)) {
    outputs[k] = await new Promise((resolve) => pulumi.output(v).apply((x) => (resolve(x === undefined ? null : x), x)));
  }
  await settle(registered);

  const expected = (yamlProgram && yamlProgram.resources) || {};
  const got = new Map(registered.filter((r) => !r.type.startsWith("pulumi:")).map((r) => [r.name, r]));
  const problems = [];
  for (const [name, res] of Object.entries(expected)) {
    const r = got.get(name);
    if (!r) {
      problems.push(`${name} (${res.type}) was not registered`);
      continue;
    }
    if (r.type !== res.type) problems.push(`${name} registered as ${r.type}, the YAML program says ${res.type}`);
    // Every property of the YAML program is an input of the registered resource, with the same
    // value where it is literal. (Values read from other resources' outputs are undefined under
    // mocks and so absent; the SDK may add defaults of its own, e.g. a description.)
    const inputs = r.inputs || {};
    for (const [key, value] of Object.entries(res.properties || {})) {
      if (hasReference(value)) continue;
      if (!(key in inputs)) problems.push(`${name}: property ${key} was not registered`);
      else if (JSON.stringify(canonical(unescape(value))) !== JSON.stringify(canonical(inputs[key])))
        problems.push(`${name}.${key}: registered ${JSON.stringify(inputs[key])}, the YAML program has ${JSON.stringify(value)}`);
    }
  }
  if (yamlProgram) for (const name of got.keys()) if (!(name in expected)) problems.push(`${name} is not in the YAML program`);
  // Against the blueprint itself.
  const fromBlueprint = new Map();
  for (const r of blueprint.resources || []) {
    const token = tokens.get(r.type);
    if (!token) problems.push(`${r.name}: ${r.type} has no token in ${mapFile}`);
    const n = r.count ?? 1;
    if (r.count === undefined) fromBlueprint.set(r.name, token);
    else for (let i = 0; i < n; i++) fromBlueprint.set(`${r.name}-${i}`, token);
  }
  for (const [name, token] of fromBlueprint) {
    const r = got.get(name);
    if (!r) problems.push(`blueprint resource instance ${name} was not registered`);
    else if (r.type !== token) problems.push(`${name} registered as ${r.type}; the map gives ${token} for its Terraform type`);
  }
  for (const name of got.keys()) if (!fromBlueprint.has(name)) problems.push(`${name} is no instance of a blueprint resource`);
  // Exports are the camelCase of the output names (a `_` added to a reserved word).
  const fold = (n) => n.replace(/[-_]/g, "").toLowerCase();
  const outputNames = (blueprint.outputs || []).map((o) => fold(o.name)).sort();
  const exported = Object.keys(outputs).map(fold).sort();
  if (JSON.stringify(exported) !== JSON.stringify(outputNames))
    problems.push(`stack outputs ${JSON.stringify(Object.keys(outputs))} are not those of the blueprint: ${JSON.stringify((blueprint.outputs || []).map((o) => o.name))}`);
  if (got.size !== registered.filter((r) => !r.type.startsWith("pulumi:")).length) problems.push("a logical name was registered twice");
  if (problems.length) fail(problems.join("\n"));
  if (outputsFile) fs.writeFileSync(outputsFile, JSON.stringify(outputs, null, 1));
  console.log(`${programJs}: ${got.size} resources registered with the tokens, names and properties of ${yamlProgram ? "the YAML program and " : ""}the blueprint; ${Object.keys(outputs).length} outputs`);
  process.exit(0);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
