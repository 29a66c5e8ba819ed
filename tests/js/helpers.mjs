// Test helpers the JS packages share (bindings/node/test, bindings/wasm/test): a sample
// blueprint, and the checks every `DharmaError` of either package must pass. The shared vectors
// have their own runner (tests/vectors/runner.mjs).
import assert from 'node:assert/strict';

/** A small AWS blueprint in YAML: an alias, a counted resource, references and a dependency. */
export const YAML = `name: web-app
version: v1.2.0
provider: aws
region: us-east-1
tags: {Owner: platform}
resources:
  - type: vpc                       # alias of aws_vpc
    name: main
    properties: {cidr_block: 10.0.0.0/16}
  - type: aws_subnet
    name: public_a
    count: 2
    properties: {vpc_id: "\${main.id}", cidr_block: 10.0.1.0/24}
  - type: aws_instance
    name: web
    properties: {ami: ami-0abcdef1234567890, instance_type: t3.micro, subnet_id: "\${public_a[0].id}"}
    dependencies: [main]
`;

/** A blueprint document as an object: a VPC and a subnet that references it. */
export const DOC = {
  name: 'web-app',
  version: '1.0.0',
  provider: 'aws',
  region: 'us-east-1',
  resources: [
    { type: 'aws_vpc', name: 'main', properties: { cidr_block: '10.0.0.0/16' } },
    { type: 'aws_subnet', name: 'a', properties: { vpc_id: '${main.id}', cidr_block: '10.0.1.0/24' } },
  ],
};

/**
 * Checks what every `DharmaError` must be, in any package: an `Error` named `DharmaError` with
 * a message and a stack, string `kind`, `code` and `path`, a `location` that is null or a line
 * and column, plain-object findings, and top-level fields that describe the first finding.
 * Returns the error.
 */
export function checkDharmaError(err) {
  assert.ok(err instanceof Error, `not an Error: ${err?.stack ?? err}`);
  assert.equal(err.name, 'DharmaError', `not a DharmaError: ${err.stack}`);
  assert.ok(typeof err.message === 'string' && err.message.length > 0, 'message');
  assert.equal(typeof err.stack, 'string');
  for (const key of ['kind', 'code', 'path']) assert.equal(typeof err[key], 'string', key);
  assert.ok(err.location === null || (Number.isInteger(err.location.line) && Number.isInteger(err.location.column)), 'location');
  assert.ok(Array.isArray(err.findings) && err.findings.length >= 1, 'findings');
  for (const f of err.findings) {
    assert.equal(Object.getPrototypeOf(f), Object.prototype, 'findings are plain objects');
    assert.equal(typeof f.code, 'string');
    assert.ok(['error', 'warning'].includes(f.severity));
    assert.equal(typeof f.path, 'string');
    assert.equal(typeof f.message, 'string');
  }
  assert.equal(err.code, err.findings[0].code);
  assert.equal(err.path, err.findings[0].path);
  assert.deepEqual(err.location, err.findings[0].location ?? null);
  assert.equal(err.suggestion, err.findings[0].suggestion ?? null);
  return err;
}

/** Checks `err` with `check` and that its fields match `expected` (a subset); returns it. */
function expectError(err, expected, check) {
  check(err);
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(err[k], v, `${k} of ${err.message}`);
  return err;
}

/**
 * Runs `fn`, which must throw a `DharmaError` whose fields match `expected` (a subset); `check`
 * is the package's own check of the error (default `checkDharmaError`). Returns the error.
 */
export function throws(fn, expected = {}, check = checkDharmaError) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, 'expected an error');
  return expectError(err, expected, check);
}

/** Awaits `promise`, which must reject with a `DharmaError` matching `expected`, as `throws`. */
export async function rejects(promise, expected = {}, check = checkDharmaError) {
  assert.ok(promise instanceof Promise, 'an async variant returns a Promise');
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, 'expected a rejection');
  return expectError(err, expected, check);
}
