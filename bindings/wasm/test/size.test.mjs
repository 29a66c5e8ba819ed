// The module's size (recorded by scripts/build.sh in pkg/sizes.json); see README.md ("Size and
// speed"). The budgets and the ceiling apply to the default module (no WASM_FEATURES): a module
// built with more parts (WASM_FEATURES=full) is larger by design, and these tests skip it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// The budget of issue 9.
const BUDGET = { raw: 4_000_000, gzip: 1_200_000 };
// What the default module measures now (3,069,298 raw / 1,184,426 gzip -9, 27 Nov 2026 07:45 UTC:
// the non-Terraform generators, the plan/state readers and caller templates (tera) left out, the
// data files LZMA-compressed, regex without its perf-* engines, wasm-opt -O1; raised from
// 3,050,000 / 1,188,000 for the fixes of the 27 Nov reviews, see README.md) plus ~2% raw; the
// gzip ceiling is the budget itself: enforced, so that it cannot grow unnoticed.
// Lower these when the module shrinks; never raise them without saying why in the README.
const CEILING = { raw: 3_130_000, gzip: 1_200_000 };
const sizes = JSON.parse(readFileSync(new URL('../pkg/sizes.json', import.meta.url), 'utf8'));
const features = sizes.features ?? '';
console.log(`# ${sizes.final_wasm} bytes raw, ${sizes.final_wasm_gzip} gzip-9 (wasm-opt: ${sizes.wasm_opt ? sizes.wasm_opt_flags : 'no'}, features: ${features || 'none'}, ${sizes.toolchain})`);
const notDefault = features === '' ? false : `the budgets are for the default module; this one has WASM_FEATURES=${features}`;

test(`module size does not grow past the measured ceiling (< ${CEILING.raw} raw, < ${CEILING.gzip} gzip)`, { skip: notDefault }, () => {
  assert.ok(sizes.final_wasm < CEILING.raw, `${sizes.final_wasm} bytes raw`);
  assert.ok(sizes.final_wasm_gzip < CEILING.gzip, `${sizes.final_wasm_gzip} bytes gzipped`);
});

test(`module size is within the raw budget (< ${BUDGET.raw} bytes)`, { skip: notDefault }, () => {
  assert.ok(sizes.final_wasm < BUDGET.raw, `${sizes.final_wasm} bytes raw`);
});

test(`module size is within the gzip budget (< ${BUDGET.gzip} bytes)`, { skip: notDefault }, () => {
  assert.ok(sizes.final_wasm_gzip < BUDGET.gzip, `${sizes.final_wasm_gzip} bytes gzipped`);
});
