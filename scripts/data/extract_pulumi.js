#!/usr/bin/env node
// Pulumi type tokens and property names for every Terraform resource type of the engine's schemas,
// read from the bridged Pulumi npm packages themselves (@pulumi/aws, @pulumi/azure, @pulumi/gcp).
//
// Usage: node scripts/data/extract_pulumi.js NODE_MODULES CATALOG_DIR [--report FILE]
//   NODE_MODULES  a node_modules folder holding @pulumi/{aws,azure,gcp} and typescript (the
//                 pinned install of tests/toolchecks/pulumi/ is the intended one)
//   CATALOG_DIR   the repository's catalog/ folder: reads schemas/terraform-*.schema, writes
//                 formats/pulumi-{aws,azure,gcp}.map
//
// Where the facts are. The npm packages do not carry the Terraform names of their resources (the
// bridge's Terraform-to-token table lives in the provider plugin binary, which npm does not ship),
// but they carry everything needed to recover it:
//   - every resource class has its type token as `__pulumiType` (read by loading the package);
//   - its `<Class>Args` interface (the file the namespace's index.js lazy-loads) lists its input
//     properties with their shapes (string / number / boolean, list, map, or a nested object type
//     of types/input.d.ts), and the class's `readonly` members list its outputs (nested types in
//     types/output.d.ts);
//   - the bridge derives every Pulumi property name from the Terraform name: camelCase, lists with
//     a singular name pluralised (`address_space` -> `addressSpaces`), a handful renamed.
// So each Terraform type is paired with the class whose input properties (and outputs, against the
// computed attributes) agree best with the camelCase of its arguments, same value types included,
// among the classes whose name ends its Terraform name (`aws_db_instance` -> `rds.Instance`), has
// its words in any order (`automation_variable_int` -> `IntVariable`), or whose module opens it
// (`aws_lb` -> `lb.LoadBalancer`; module aliases such as `dx` -> `directconnect` are learnt from
// the exact pairs). Every class goes to one Terraform type, except that a deprecated Terraform alias
// with exactly the same arguments shares its class. Every argument and nested block field is then
// mapped: camelCase, a plural of it, or else a single leftover property of the same shape close in
// spelling (`rest_api_id` -> `restApi`, `alarm_name` -> `name`). The pairs known independently
// (the project's kind map, classic Azure tokens) are a test in core/src/generate/pulumi_map.rs; all
// agree. --report FILE writes every decision (pairs with their scores, renames, shapes) for review.
//
// Output format (one file per provider):
//   # source: npm <package>@<version>
//   @<terraform_type> <token> [<path>]  the type and its Pulumi type token (`-`: no class matches),
//                                      and the class's path in the package when the token does
//                                      not give it
//    timeouts =                        the class takes `timeouts` as a property (plugin-framework
//                                      resources); otherwise it is the `customTimeouts` option
//    <arg> <name|=|-> [{}|[]] [#t] [*]  an argument whose Pulumi side is not the plain one:
//                                      <name> its Pulumi name (`=` the camelCase, `-` no input);
//                                      `[]` Pulumi takes a list where Terraform has one block,
//                                      `{}` one item where Terraform has a list capped at one;
//                                      `#s` / `#n` / `#b` Pulumi types it (or its items) string /
//                                      number / boolean unlike Terraform; `*` Terraform records no
//                                      structure (`any`) and the nested lines describe Pulumi's
//     <field> ...                      nested block fields, indented one more space, same forms
//    ~<attr> <name|=|-> [{}|[]] [#t]   an attribute whose Pulumi output is not its plain camelCase
//                                      string (computed ones, and arguments without an input that
//                                      Pulumi still outputs: `tags_all` -> `tagsAll`)
//     <field> <name|=> [{}|[]]         under `*` and `~` lines: Pulumi's object fields by their
//                                      likely Terraform name (a list's singular: `oidc` -> `oidcs`)
// Anything not listed is the plain camelCase, in the shape and type the Terraform schema gives it.
// `id` is never listed: every resource has an `id` output and no `id` input.
"use strict";
const fs = require("fs");
const path = require("path");

const PROVIDERS = [
  { name: "aws", pkg: "@pulumi/aws", schema: "terraform-aws.schema", prefix: "aws_" },
  { name: "azure", pkg: "@pulumi/azure", schema: "terraform-azurerm.schema", prefix: "azurerm_" },
  { name: "gcp", pkg: "@pulumi/gcp", schema: "terraform-google.schema", prefix: "google_" },
];

const [nodeModules, catalogDir] = process.argv.slice(2);
const reportIdx = process.argv.indexOf("--report");
const reportFile = reportIdx > 0 ? process.argv[reportIdx + 1] : null;
if (!nodeModules || !catalogDir) {
  console.error("usage: extract_pulumi.js NODE_MODULES CATALOG_DIR [--report FILE]");
  process.exit(2);
}
const ts = require(path.join(path.resolve(nodeModules), "typescript"));

// ---------------------------------------------------------------- Terraform schema files

function parseSchema(file) {
  const types = new Map();
  let origin = "";
  const stack = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("# ")) {
      if (!origin) origin = line.slice(2);
      continue;
    }
    if (line.startsWith("@")) {
      const t = { name: line.slice(1).trim(), args: new Map(), computed: [] };
      types.set(t.name, t);
      stack.length = 0;
      stack.push({ depth: 0, args: t.args, type: t });
      continue;
    }
    if (!line.trim()) continue;
    const depth = line.length - line.trimStart().length;
    const body = line.trim();
    while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
    const parent = stack[stack.length - 1];
    if (body === "~" || body.startsWith("~ ")) {
      parent.type.computed = body.slice(1).trim().split(/\s+/).filter(Boolean);
      continue;
    }
    const [name, code = ""] = body.split(" ");
    const c = code.replace(/!$/, "");
    const arg = { name, code: c, args: null };
    if (c === "B" || c === "L") {
      arg.args = new Map();
      stack.push({ depth, args: arg.args, type: parent.type });
    }
    parent.args.set(name, arg);
  }
  return { types, origin };
}

const isListCode = (c) => c === "L" || c.startsWith("l(");

// ---------------------------------------------------------------- Pulumi package (.d.ts + tokens)

function shapeOf(node) {
  if (!node) return { kind: "any" };
  switch (node.kind) {
    case ts.SyntaxKind.ParenthesizedType:
      return shapeOf(node.type);
    case ts.SyntaxKind.ArrayType:
      return { kind: "list", elem: shapeOf(node.elementType) };
    case ts.SyntaxKind.TypeLiteral:
      return node.members.some((m) => m.kind === ts.SyntaxKind.IndexSignature)
        ? { kind: "map" }
        : { kind: "any" };
    case ts.SyntaxKind.UnionType: {
      const rest = node.types.filter(
        (t) =>
          t.kind !== ts.SyntaxKind.UndefinedKeyword &&
          !(t.kind === ts.SyntaxKind.LiteralType && t.literal.kind === ts.SyntaxKind.NullKeyword),
      );
      if (rest.length === 1) return shapeOf(rest[0]);
      // `string | enums.ec2.InstanceType`, `string | RestApi`: a string with helpers.
      const kinds = new Set(rest.map(shapeOf).map((x) => (x.kind === "scalar" ? x.t : x.kind)));
      if (kinds.has("s") && [...kinds].every((k) => k === "s" || k === undefined)) return { kind: "scalar", t: "s" };
      return { kind: "scalar" };
    }
    case ts.SyntaxKind.StringKeyword:
      return { kind: "scalar", t: "s" };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: "scalar", t: "n" };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: "scalar", t: "b" };
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText();
      if (/^(pulumi\.)?(Input|Output)$/.test(name)) return shapeOf(node.typeArguments && node.typeArguments[0]);
      const m = /^(inputs|outputs)\.(.+)$/.exec(name);
      if (m) return { kind: "object", ref: m[2] };
      if (/^pulumi\.asset\./.test(name)) return { kind: "asset" };
      return { kind: "scalar" };
    }
    default:
      return { kind: "scalar" };
  }
}

function propsOf(members) {
  const props = new Map();
  for (const m of members) {
    if (m.kind !== ts.SyntaxKind.PropertySignature && m.kind !== ts.SyntaxKind.PropertyDeclaration) continue;
    if (!m.name || !ts.isIdentifier(m.name) && !ts.isStringLiteral(m.name)) continue;
    props.set(m.name.text, shapeOf(m.type));
  }
  return props;
}

function parseFile(file) {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

/** `types/input.d.ts` / `types/output.d.ts`: "module.Interface" -> props. */
function parseTypes(file) {
  const out = new Map();
  const sf = parseFile(file);
  function visit(node, prefix) {
    if (ts.isModuleDeclaration(node) && node.body) {
      const name = prefix ? `${prefix}.${node.name.text}` : node.name.text;
      if (ts.isModuleBlock(node.body)) node.body.statements.forEach((s) => visit(s, name));
      else visit(node.body, name);
    } else if (ts.isInterfaceDeclaration(node)) {
      out.set(prefix ? `${prefix}.${node.name.text}` : node.name.text, propsOf(node.members));
    }
  }
  sf.statements.forEach((s) => visit(s, ""));
  return out;
}

const lazyTables = new Map();
/** `lazyLoad(exports, ["Vpc"], () => require("./vpc"))` lines of a namespace's index.js: name -> file. */
function lazyTable(dir) {
  if (!lazyTables.has(dir)) {
    const table = new Map();
    const file = path.join(dir, "index.js");
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    for (const m of text.matchAll(/lazyLoad\(exports, \[([^\]]*)\], \(\) => require\("\.\/([^"]+)"\)\)/g)) {
      for (const n of m[1].split(",")) table.set(n.trim().replace(/"/g, ""), m[2]);
    }
    lazyTables.set(dir, table);
  }
  return lazyTables.get(dir);
}

function loadPackage(nodeModulesDir, pkgName) {
  const pkgDir = path.join(nodeModulesDir, pkgName);
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
  const pkg = require(pkgDir);
  const classes = [];
  const seen = new Set();
  (function walk(obj, jsPath, depth) {
    if (depth > 3) return;
    for (const k of Object.keys(obj).sort()) {
      let v;
      try {
        v = obj[k];
      } catch (e) {
        continue;
      }
      if (typeof v === "function" && typeof v.__pulumiType === "string") {
        // Helpers that subclass a resource (lambda.CallbackFunction) share its token: keep the
        // class named as the token says.
        if (!/^[^:]+:[^:]+:[^:]+$/.test(v.__pulumiType) || v.__pulumiType.split(":")[2].toLowerCase() !== k.toLowerCase()) continue;
        if (seen.has(v.__pulumiType)) continue;
        seen.add(v.__pulumiType);
        classes.push({ token: v.__pulumiType, jsPath: jsPath.concat(k).join(".") });
      } else if (v && typeof v === "object" && !Array.isArray(v) && /^[a-z]/.test(k) && !["types", "config"].includes(k)) {
        walk(v, jsPath.concat(k), depth + 1);
      }
    }
  })(pkg, [], 0);
  const inputs = parseTypes(path.join(pkgDir, "types", "input.d.ts"));
  const outputs = parseTypes(path.join(pkgDir, "types", "output.d.ts"));
  for (const c of classes) {
    const [, mid, cls] = c.token.split(":");
    const [mod, file] = mid.split("/");
    c.module = mod;
    c.className = cls;
    const expected = (mod === "index" ? [cls] : [mod, cls]).join(".");
    c.pathDiffers = expected !== c.jsPath;
    // The file that defines the class, from its namespace's lazy-load table in index.js.
    const nsDir = path.join(pkgDir, ...c.jsPath.split(".").slice(0, -1));
    const table = lazyTable(nsDir);
    const jsName = c.jsPath.split(".").pop();
    const dts = table.has(c.jsPath.split(".").pop()) ? path.join(nsDir, `${table.get(c.jsPath.split(".").pop())}.d.ts`) : null;
    c.args = new Map();
    c.outputs = new Map();
    c.deprecated = false;
    if (!dts || !fs.existsSync(dts)) {
      c.missing = true;
      continue;
    }
    const sf = parseFile(dts);
    for (const s of sf.statements) {
      if (ts.isInterfaceDeclaration(s) && s.name.text === `${jsName}Args`) c.args = propsOf(s.members);
      if (ts.isClassDeclaration(s) && s.name && s.name.text === jsName) {
        c.outputs = propsOf(s.members.filter((m) => m.modifiers && m.modifiers.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword) && !(m.modifiers.some((x) => x.kind === ts.SyntaxKind.StaticKeyword))));
        const tags = ts.getJSDocTags(s);
        c.deprecated = tags.some((t) => t.tagName.text === "deprecated");
      }
    }
  }
  return { version, classes, inputs, outputs };
}

// ---------------------------------------------------------------- names

const camel = (snake) =>
  snake
    .split("_")
    .filter((w) => w.length)
    .map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1)))
    .join("");

const IRREGULAR = { person: "people", child: "children", man: "men", foot: "feet", datum: "data", criterion: "criteria", index: "indices", matrix: "matrices", vertex: "vertices", analysis: "analyses", axis: "axes", medium: "media", alias: "aliases", status: "statuses" };

/** Plural spellings of a camelCase name (its last word pluralised). */
function plurals(name) {
  const out = new Set();
  const m = /^(.*?)([A-Z]?[a-z0-9]*)$/.exec(name);
  const head = m ? m[1] : "";
  const last = m ? m[2] : name;
  const lower = last.toLowerCase();
  const keepCase = (w) => (last[0] && last[0] === last[0].toUpperCase() ? w[0].toUpperCase() + w.slice(1) : w);
  const add = (w) => out.add(head + keepCase(w));
  if (IRREGULAR[lower]) add(IRREGULAR[lower]);
  add(lower + "s");
  add(lower + "es");
  if (/[^aeiou]y$/.test(lower)) add(lower.slice(0, -1) + "ies");
  if (/fe?$/.test(lower)) add(lower.replace(/fe?$/, "ves"));
  if (/is$/.test(lower)) add(lower.slice(0, -2) + "es");
  if (/us$/.test(lower)) add(lower.slice(0, -2) + "i");
  if (/um$/.test(lower)) add(lower.slice(0, -2) + "a");
  if (/(ex|ix)$/.test(lower)) add(lower.slice(0, -2) + "ices");
  out.delete(name);
  return [...out];
}

const norm = (s) => s.toLowerCase().replace(/_/g, "");

/** Levenshtein distance, for pairing single leftovers. */
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

// ---------------------------------------------------------------- matching

const SKIP_TOP = new Set(["id", "timeouts"]);

/** Whether a Terraform value of type code `code` fits a Pulumi property of shape `shape`. */
function fits(code, shape) {
  if (!shape || shape.kind === "any" || code === "a") return true;
  if (shape.kind === "asset") return false;
  if (code === "B" || code === "L") return shape.kind === "object" || shape.kind === "map" || (shape.kind === "list" && ["object", "any"].includes(shape.elem.kind));
  // A list Terraform caps at one item may be flattened to that item (`resource_policies`).
  if (code.startsWith("l(")) return shape.kind === "list" || shape.kind === "scalar" || shape.kind === "object";
  if (code.startsWith("m(")) return shape.kind === "map";
  return shape.kind === "scalar";
}

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Pairs Terraform arguments with Pulumi properties: Map tf -> pulumi name (null: none). */
function pairNames(tfArgs, pProps, top, quick) {
  const result = new Map();
  const used = new Set();
  const todo = [];
  const ok = (arg, p) => pProps.has(p) && !used.has(p) && fits(arg.code, pProps.get(p));
  for (const [name, arg] of tfArgs) {
    if (top && SKIP_TOP.has(name)) continue;
    const c = camel(name);
    if (ok(arg, c)) {
      result.set(name, c);
      used.add(c);
    } else todo.push([name, arg]);
  }
  const rest = [];
  for (const [name, arg] of todo) {
    const p = plurals(camel(name)).find((x) => ok(arg, x));
    if (p) {
      result.set(name, p);
      used.add(p);
    } else rest.push([name, arg]);
  }
  // Singular Pulumi names of Terraform plurals happen too (a list kept singular by an override).
  const rest2 = [];
  for (const [name, arg] of rest) {
    const c = camel(name);
    const p = [...pProps.keys()].find((x) => ok(arg, x) && plurals(x).includes(c));
    if (p) {
      result.set(name, p);
      used.add(p);
    } else rest2.push([name, arg]);
  }
  if (quick) {
    for (const [name] of rest2) result.set(name, null);
    return result;
  }
  // Leftovers: pair one Terraform name with one Pulumi name when they are close in spelling.
  // A camelCase name taken by a property of another shape is also a leftover.
  const leftP = [...pProps.keys()].filter((x) => !used.has(x));
  for (const [name, arg] of rest2) {
    const c = norm(camel(name));
    let best = null;
    let bestD = Infinity;
    for (const p of leftP) {
      if (used.has(p) || !fits(arg.code, pProps.get(p))) continue;
      const d = distance(c, norm(p));
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    // Or a property named by the argument's last words (`alarm_name` -> `name`).
    const tail = leftP.find((p) => !used.has(p) && fits(arg.code, pProps.get(p)) && name.endsWith("_" + p.replace(/[A-Z]/g, (x) => "_" + x.toLowerCase())));
    if (tail && (!best || bestD > Math.max(1, Math.floor(c.length / 6)))) {
      best = tail;
      bestD = 0;
    }
    const n = best ? norm(best) : "";
    const close =
      best &&
      (bestD <= Math.max(1, Math.floor(c.length / 6)) ||
        n.startsWith(c) ||
        c.startsWith(n) ||
        commonPrefix(c, n) >= Math.ceil(0.6 * Math.min(c.length, n.length)));
    if (close && best.length > 2) {
      result.set(name, best);
      used.add(best);
    } else result.set(name, null);
  }
  return result;
}

// Arguments Terraform computes for itself (merged tags and labels): no evidence either way.
const SCORE_SKIP = new Set(["tags_all", "terraform_labels", "effective_labels"]);

function scoreClass(t, cls) {
  const pairs = pairNames(t.args, cls.args, true, true);
  let matched = 0;
  let missing = 0;
  for (const [k, v] of pairs) {
    if (SCORE_SKIP.has(k)) continue;
    // A scalar typed otherwise counts as missing: `value` of automation_variable_bool is a
    // boolean, the same name on VariableString a string.
    if (v && typeMark(t.args.get(k).code, cls.args.get(v))) missing++;
    else v ? matched++ : missing++;
  }
  // The attributes the provider computes are evidence too (`principal_id`, `self_link`).
  let attrs = 0;
  for (const a of t.computed) {
    if (a === "id" || SCORE_SKIP.has(a)) continue;
    const c = camel(a);
    if (cls.outputs.has(c) || plurals(c).some((x) => cls.outputs.has(x))) attrs++;
    else missing++;
  }
  // Pulumi's own `timeouts` input (plugin-framework resources) is no evidence either.
  const extra = cls.args.size - matched - (cls.args.has("timeouts") ? 1 : 0) - (pairs.get("tags_all") ? 1 : 0);
  return { matched: matched + attrs, missing, extra };
}

function nameKey(t, prefix) {
  return norm(t.slice(prefix.length));
}

const signature = (names) => [...names].map((n) => norm(n).replace(/e?s$/, "")).sort().join(",");

/**
 * Terraform type-name prefixes whose classes live in a module of another name (`aws_db_*` in
 * `rds`, `aws_dx_*` in `directconnect`), learnt from the pairs whose class name ends the
 * Terraform name and whose arguments match exactly.
 */
function learnModuleAliases(prov, schema, pkg) {
  const votes = new Map();
  for (const t of schema.types.values()) {
    const rest = t.name.slice(prov.prefix.length);
    const key = norm(rest);
    for (const cls of pkg.classes) {
      if (cls.missing || !key.endsWith(cls.className.toLowerCase())) continue;
      const s = scoreClass(t, cls);
      if (s.missing || s.extra) continue;
      const first = rest.split("_")[0];
      const k = `${first} ${cls.module.toLowerCase()}`;
      votes.set(k, (votes.get(k) || 0) + 1);
    }
  }
  const aliases = new Map();
  for (const [k, n] of votes) {
    const [first, mod] = k.split(" ");
    if (n >= 2 && !first.includes(mod) && !mod.includes(first)) {
      if (!aliases.has(first)) aliases.set(first, new Set());
      aliases.get(first).add(mod);
    }
  }
  return aliases;
}

function chooseClasses(prov, schema, pkg) {
  const aliases = learnModuleAliases(prov, schema, pkg);
  const candidates = [];
  const bySignature = new Map();
  for (const cls of pkg.classes) {
    if (cls.missing) continue;
    const sig = signature(cls.args.keys());
    if (!bySignature.has(sig)) bySignature.set(sig, []);
    bySignature.get(sig).push(cls);
  }
  for (const t of schema.types.values()) {
    const key = nameKey(t.name, prov.prefix);
    const sameSig = new Set(bySignature.get(signature([...t.args.keys()].filter((a) => !SKIP_TOP.has(a)).map(camel))) || []);
    for (const cls of pkg.classes) {
      if (cls.missing) continue;
      const ck = cls.className.toLowerCase();
      const mk = cls.module.toLowerCase();
      const suffix = key.endsWith(ck);
      const first = t.name.slice(prov.prefix.length).split("_")[0];
      const moduleHit = key.startsWith(mk) || key.includes(mk) || (aliases.has(first) && aliases.get(first).has(mk));
      if (!suffix && !moduleHit && !sameSig.has(cls)) continue;
      // Every word of the class name in the Terraform name, in any order (`variable_int` /
      // `IntVariable`).
      const tfWords = new Set(t.name.slice(prov.prefix.length).split("_"));
      const wordsHit = cls.className.split(/(?=[A-Z])/).every((w) => tfWords.has(w.toLowerCase()));
      const s = scoreClass(t, cls);
      const total = t.args.size - [...t.args.keys()].filter((a) => SKIP_TOP.has(a) || SCORE_SKIP.has(a)).length;
      const exact = s.missing === 0 && s.extra === 0 && total > 0;
      const namePlausible = suffix || (moduleHit && s.missing <= total / 4);
      if (!namePlausible && !exact) continue;
      if (total > 0 && s.matched < Math.max(1, Math.ceil(total / 2))) continue;
      // Quality: how well the arguments agree (in steps of 5%, so that small drifts between the
      // Terraform and the bridged provider versions tie), then the name, then the module, then
      // not deprecated, then the most specific class name.
      // A missing argument weighs more than an extra property: providers add arguments between
      // versions far more often than they drop them.
      const agreement = s.matched / Math.max(1, s.matched + 2 * s.missing + s.extra / 2);
      const quality = [
        namePlausible ? 1 : 0,
        Math.round(agreement * 20),
        suffix && moduleHit ? 4 : suffix ? 3 : wordsHit && moduleHit ? 2 : moduleHit ? 1 : 0,
        moduleHit ? 1 : 0,
        cls.deprecated ? 0 : 1,
        key === mk + ck || key === ck ? 1 : 0,
        ck.length,
      ];
      candidates.push({ t, cls, quality, s });
    }
  }
  const cmp = (a, b) => {
    for (let i = 0; i < a.quality.length; i++) if (a.quality[i] !== b.quality[i]) return b.quality[i] - a.quality[i];
    return a.t.name < b.t.name ? -1 : a.t.name > b.t.name ? 1 : a.cls.token < b.cls.token ? -1 : 1;
  };
  candidates.sort(cmp);
  const byType = new Map();
  const taken = new Set();
  for (const c of candidates) {
    if (byType.has(c.t.name) || taken.has(c.cls.token)) continue;
    byType.set(c.t.name, c);
    taken.add(c.cls.token);
  }
  // A deprecated Terraform alias of another type (`azurerm_extended_custom_location` of
  // `azurerm_extended_location_custom_location`) shares its class when the arguments agree exactly.
  for (const c of candidates) {
    if (byType.has(c.t.name) || c.s.missing || c.s.extra || !c.quality[0] || c.quality[2] < 3) continue;
    byType.set(c.t.name, { ...c, shared: true });
  }
  return byType;
}

// ---------------------------------------------------------------- mapping lines

function shapeKind(shape) {
  return shape.kind === "list" ? (shape.elem.kind === "object" ? "objlist" : "list") : shape.kind;
}

const scalarCode = (code) => (["s", "n", "b"].includes(code) ? code : null);
const elemCode = (code) => (/^l\(([snb])\)$/.exec(code) || [])[1] || null;

/** The ` #x` marker when Pulumi types a scalar (or the items of a list) otherwise than Terraform. */
function typeMark(code, shape) {
  const tf = scalarCode(code) || elemCode(code);
  if (!tf || !shape) return "";
  const p = shape.kind === "scalar" ? shape.t : shape.kind === "list" && shape.elem.kind === "scalar" ? shape.elem.t : null;
  return p && p !== tf ? ` #${p}` : "";
}

/** `addresses` -> `address`: the singular a list property was pluralised from. */
function singular(name) {
  const inv = Object.entries(IRREGULAR).find(([, pl]) => name.toLowerCase().endsWith(pl));
  if (inv) return name.slice(0, name.length - inv[1].length) + (name.endsWith(inv[1]) ? inv[0] : inv[0][0].toUpperCase() + inv[0].slice(1));
  if (/[^aeiou]ies$/.test(name)) return name.slice(0, -3) + "y";
  if (/(ss|x|ch|sh)es$/.test(name)) return name.slice(0, -2);
  if (/[^s]s$/.test(name)) return name.slice(0, -1);
  return name;
}

const snake = (camelName) => camelName.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

/**
 * Lines describing a Pulumi object type field by field, for values whose Terraform structure the
 * schema does not record (arguments of type `any` such as WAFv2 statements, computed attributes):
 * each object or list-of-objects property with its shape (`{}` / `[]`), and every property whose
 * name is not the camelCase of its likely Terraform name (a list's singular, `oidc` -> `oidcs`).
 */
function looseLines(ref, types, depth, seen) {
  const props = ref && types.get(ref);
  if (!props || depth > 12 || seen.has(ref)) return [];
  const lines = [];
  const next = new Set(seen).add(ref);
  for (const [p, shape] of [...props].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const k = shapeKind(shape);
    const list = shape.kind === "list";
    const tf = snake(list ? singular(p) : p);
    const name = camel(tf) === p ? "=" : p;
    const pad = " ".repeat(depth);
    if (k === "object" || k === "objlist") {
      lines.push(`${pad}${tf} ${name} ${k === "object" ? "{}" : "[]"}`);
      lines.push(...looseLines(k === "object" ? shape.ref : shape.elem.ref, types, depth + 1, next));
    } else if (name !== "=") {
      lines.push(`${pad}${tf} ${name}`);
    }
  }
  return lines;
}

/** Lines for the arguments `tfArgs` against Pulumi properties `pProps` (nested types via `types`). */
function argLines(tfArgs, pProps, types, depth, top, stats, where) {
  const lines = [];
  const pairs = pairNames(tfArgs, pProps, top);
  for (const [name, arg] of [...tfArgs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (top && SKIP_TOP.has(name)) continue;
    const pad = " ".repeat(depth);
    const p = pairs.get(name);
    stats.args++;
    if (!p) {
      stats.unmapped++;
      stats.unmappedList.push(`${where}.${name}`);
      lines.push(`${pad}${name} -`);
      continue;
    }
    const renamed = p !== camel(name);
    if (renamed) stats.renamed.push(`${where}.${name} -> ${p}`);
    let shapeMark = "";
    let inner = [];
    let loose = "";
    const shape = pProps.get(p);
    const k = shapeKind(shape);
    if (arg.code.startsWith("l(") && shape && shape.kind !== "list" && shape.kind !== "any") shapeMark = " {}";
    if (arg.code === "B" || arg.code === "L") {
      if (arg.code === "B" && k === "objlist") shapeMark = " []";
      if (arg.code === "L" && k === "object") shapeMark = " {}";
      const ref = k === "object" ? shape.ref : k === "objlist" ? shape.elem.ref : null;
      const nested = ref && types.get(ref);
      if (nested) inner = argLines(arg.args, nested, types, depth + 1, false, stats, `${where}.${name}`);
      else if (arg.args.size) stats.opaque.push(`${where}.${name} (${k})`);
    } else if (arg.code === "a" && (k === "object" || k === "objlist")) {
      // Terraform records no structure here; Pulumi does: describe it.
      shapeMark = k === "object" ? " {}" : " []";
      loose = " *";
      inner = looseLines(k === "object" ? shape.ref : shape.elem.ref, types, depth + 1, new Set());
      stats.loose.push(`${where}.${name} (${inner.length} lines)`);
    }
    const typed = typeMark(arg.code, shape);
    if (typed) stats.typed.push(`${where}.${name}${typed}`);
    if (shapeMark) stats.shapes.push(`${where}.${name}${shapeMark}`);
    if (renamed || shapeMark || typed || loose || inner.length)
      lines.push(`${pad}${name} ${renamed ? p : "="}${shapeMark}${typed}${loose}`);
    lines.push(...inner);
  }
  return lines;
}

/**
 * ` ~<attr>` lines: what a reference may read whose Pulumi output is not simply its camelCase
 * string: computed attributes, and arguments without an input property that Pulumi still outputs
 * (`tags_all` -> `tagsAll`). `{}` marks one object where Terraform has a list
 * (`certificate_authority[0].data` -> `certificateAuthority.data`), `[]` a list of objects, `#n` /
 * `#b` a number / boolean; nested lines describe objects as looseLines does.
 */
function attrLines(t, cls, types, stats) {
  const lines = [];
  const outs = cls.outputs;
  const noInput = [...pairNames(t.args, cls.args, true)].filter(([, v]) => !v).map(([k]) => k);
  for (const a of [...new Set([...t.computed, ...noInput])].sort()) {
    if (a === "id") continue;
    const c = camel(a);
    const p = outs.has(c) ? c : plurals(c).find((x) => outs.has(x)) || [...outs.keys()].find((x) => plurals(x).includes(c));
    if (!p) {
      stats.unmappedAttrs.push(`${t.name}.${a}`);
      lines.push(` ~${a} -`);
      continue;
    }
    const shape = outs.get(p);
    const k = shapeKind(shape);
    const mark = k === "object" ? " {}" : k === "objlist" ? " []" : "";
    const scalar = shape.kind === "scalar" && shape.t && shape.t !== "s" ? ` #${shape.t}` : "";
    const inner = k === "object" || k === "objlist" ? looseLines(k === "object" ? shape.ref : shape.elem.ref, types, 2, new Set()) : [];
    if (p === c && !mark && !scalar) continue;
    lines.push(` ~${a} ${p === c ? "=" : p}${mark}${scalar}`, ...inner);
  }
  return lines;
}

// DEBUG_TYPES=aws_x,aws_y: print the candidate classes of those types with their scores.
if (process.env.DEBUG_TYPES) {
  const want = process.env.DEBUG_TYPES.split(",");
  const prov = PROVIDERS.find((p) => want[0].startsWith(p.prefix));
  const schema = parseSchema(path.join(catalogDir, "schemas", prov.schema));
  const pkg = loadPackage(path.resolve(nodeModules), prov.pkg);
  for (const w of want) {
    const t = schema.types.get(w);
    const key = nameKey(w, prov.prefix);
    for (const cls of pkg.classes) {
      if (!key.endsWith(cls.className.toLowerCase()) && !key.includes(cls.module.toLowerCase())) continue;
      const s = scoreClass(t, cls);
      if (s.matched > 0) console.log(w, cls.token, JSON.stringify(s), [...pairNames(t.args, cls.args, true, true)].filter((x) => !x[1]).map((x) => x[0]).join(" "), "| extra:", [...cls.args.keys()].filter((k) => ![...pairNames(t.args, cls.args, true, true).values()].includes(k)).join(" "));
    }
  }
  process.exit(0);
}

function main() {
  const report = [];
  for (const prov of PROVIDERS) {
    const schema = parseSchema(path.join(catalogDir, "schemas", prov.schema));
    const pkg = loadPackage(path.resolve(nodeModules), prov.pkg);
    const chosen = chooseClasses(prov, schema, pkg);
    const stats = { args: 0, unmapped: 0, renamed: [], shapes: [], opaque: [], typed: [], loose: [], unmappedList: [], unmappedAttrs: [] };
    const out = [
      `# Pulumi type tokens and property names of the ${schema.types.size} resource types of ${schema.origin.replace(/^Terraform resource arguments of /, "").replace(/\.$/, "")},`,
      `# read from the ${pkg.classes.length} resource classes of the npm package below.`,
      `# source: npm ${prov.pkg}@${pkg.version}`,
      "# Generated by scripts/data/extract_pulumi.js, which describes the format and the method. Do not edit by hand.",
    ];
    let mapped = 0;
    const unmappedTypes = [];
    for (const t of [...schema.types.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const c = chosen.get(t.name);
      if (!c) {
        out.push(`@${t.name} -`);
        unmappedTypes.push(t.name);
        continue;
      }
      mapped++;
      out.push(`@${t.name} ${c.cls.token}${c.cls.pathDiffers ? " " + c.cls.jsPath : ""}`);
      // Plugin-framework resources take Terraform's timeouts as an input property of their own.
      if (t.args.has("timeouts") && c.cls.args.has("timeouts")) out.push(" timeouts =");
      out.push(...argLines(t.args, c.cls.args, pkg.inputs, 1, true, stats, t.name));
      out.push(...attrLines(t, c.cls, pkg.outputs, stats));
    }
    fs.writeFileSync(path.join(catalogDir, "formats", `pulumi-${prov.name}.map`), out.join("\n") + "\n");
    const summary = `${prov.name}: ${mapped}/${schema.types.size} types mapped to ${prov.pkg}@${pkg.version} classes; ` +
      `${stats.args - stats.unmapped}/${stats.args} arguments mapped (${stats.renamed.length} renamed, ${stats.shapes.length} shape overrides, ${stats.typed.length} typed otherwise, ${stats.loose.length} untyped blocks described, ${stats.unmapped} without a Pulumi input); ` +
      `${stats.unmappedAttrs.length} computed attributes without an output`;
    console.log(summary);
    report.push(`## ${summary}`, "### unmapped types", ...unmappedTypes, "### renamed", ...stats.renamed, "### shapes", ...stats.shapes,
      "### opaque blocks", ...stats.opaque, "### typed otherwise", ...stats.typed, "### untyped blocks described", ...stats.loose, "### arguments without input", ...stats.unmappedList, "### attributes without output", ...stats.unmappedAttrs,
      "### chosen", ...[...chosen.values()].map((c) => `${c.t.name} ${c.cls.token} ${JSON.stringify(c.s)} q=${c.quality.join(",")}${c.cls.deprecated ? " deprecated" : ""}${c.shared ? " shared" : ""}`));
  }
  if (reportFile) fs.writeFileSync(reportFile, report.join("\n") + "\n");
}

main();
