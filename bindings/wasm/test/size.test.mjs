// The module's size budget (recorded by scripts/build.sh in pkg/sizes.json). The budget leaves
// room for what the engine will embed (policies, templates, prices); see README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const BUDGET = { raw: 4_000_000, gzip: 1_200_000 };
const sizes = JSON.parse(readFileSync(new URL('../pkg/sizes.json', import.meta.url), 'utf8'));

test(`module size is within budget (raw < ${BUDGET.raw}, gzip < ${BUDGET.gzip})`, () => {
  console.log(`# ${sizes.final_wasm} bytes raw, ${sizes.final_wasm_gzip} gzip-9 (wasm-opt: ${sizes.wasm_opt ? 'yes' : 'no'}, ${sizes.toolchain})`);
  assert.ok(sizes.final_wasm < BUDGET.raw, `${sizes.final_wasm} bytes raw`);
  assert.ok(sizes.final_wasm_gzip < BUDGET.gzip, `${sizes.final_wasm_gzip} bytes gzipped`);
});
