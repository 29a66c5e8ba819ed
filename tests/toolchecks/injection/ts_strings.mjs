// Checks generated TypeScript (cdk-ts, pulumi-ts) of the injection corpus with the TypeScript
// compiler's own parser (scripts/test.d/21-injection.sh):
//   node ts_strings.mjs <typescript module dir> <blueprint .yaml of the corpus> <generated dir>...
// For every .ts file of each generated dir:
//   - it parses without a syntax error;
//   - no `pwned_*` canary of the hostile strings is anywhere but inside a string literal, a
//     template literal's text or a comment (an identifier, a regular expression... would mean a
//     string broke out into code);
//   - each hostile string (the blueprint's variable defaults h0..hN) comes back exactly as the
//     value of string literals, as many times as the benign control string placed beside it.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [tsDir, blueprintPath, ...dirs] = process.argv.slice(2);
if (!tsDir || !blueprintPath || dirs.length === 0) {
  console.error('usage: node ts_strings.mjs <typescript dir> <blueprint.yaml> <generated dir>...');
  process.exit(2);
}
const ts = createRequire(import.meta.url)(tsDir);
const CANARY = 'pwned';
const CONTROL = 'benign control text';

// The corpus blueprints are JSON text after one comment line, with YAML's \UXXXXXXXX escapes for
// characters outside the BMP (tests/vectors/injection/make_cases.py writes them so).
function readBlueprint(path) {
  const text = readFileSync(path, 'utf8')
    .replace(/^#.*\n/, '')
    .replace(/\\U([0-9a-fA-F]{8})/g, (_, hex) => {
      const cp = parseInt(hex, 16) - 0x10000;
      const hi = (0xd800 + (cp >> 10)).toString(16);
      const lo = (0xdc00 + (cp & 0x3ff)).toString(16);
      return `\\u${hi}\\u${lo}`;
    });
  return JSON.parse(text);
}

const hostile = readBlueprint(blueprintPath)
  .variables.filter((v) => /^h\d+$/.test(v.name))
  .map((v) => v.default);
if (hostile.length < 20 || !hostile.includes(CONTROL)) {
  console.error(`${blueprintPath}: the corpus lost its strings`);
  process.exit(2);
}

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

let failed = false;
for (const dir of dirs) {
  const literals = [];
  const problems = [];
  let files = 0;
  for (const file of tsFiles(dir)) {
    files += 1;
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    for (const d of sf.parseDiagnostics ?? []) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      problems.push(`${file}:${line + 1}:${character + 1}: syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
    const visit = (node) => {
      const kind = ts.SyntaxKind[node.kind];
      if (kind.startsWith('JSDoc')) return; // documentation comments are comments
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        literals.push(node.text);
        return; // a literal's text is inert, whatever it holds
      }
      if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
        return; // the text parts of a template with substitutions (the substitutions are visited)
      }
      if (node.getChildCount(sf) === 0 && node.getText(sf).includes(CANARY)) {
        const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        problems.push(`${file}:${line + 1}:${character + 1}: ${kind} ${JSON.stringify(node.getText(sf))} is code`);
      }
      node.getChildren(sf).forEach(visit);
    };
    visit(sf);
  }
  if (files === 0) problems.push(`${dir}: no TypeScript file`);
  const count = (s) => literals.filter((l) => l === s).length;
  const places = count(CONTROL);
  if (places < 3) problems.push(`${dir}: the control string comes back ${places} times`);
  for (const s of hostile) {
    if (count(s) !== places) {
      problems.push(`${dir}: ${JSON.stringify(s)} comes back ${count(s)} times, not ${places}`);
    }
  }
  if (problems.length > 0) {
    failed = true;
    console.error(problems.join('\n'));
  } else {
    console.log(`${dir}: ${files} files parse; ${hostile.length} hostile strings are inert string literals (${places} places each)`);
  }
}
process.exit(failed ? 1 : 0);
