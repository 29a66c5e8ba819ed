// Inputs and checks the test files share.
import assert from 'node:assert/strict';
import { DharmaError } from '@iac-dharma/node';

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

/** A blueprint document as an object. */
export const DOC = {
  name: 'web-app',
  version: '1.0.0',
  provider: 'aws',
  region: 'us-east-1',
  resources: [
    { type: 'aws_vpc', name: 'main', properties: { cidr_block: '10.0.0.0/16' } },
    { type: 'aws_subnet', name: 'a', properties: { vpc_id: '${main.id}', cidr_block: '10.0.1.0/24' } },
    { type: 'aws_instance', name: 'web', properties: { ami: 'ami-1', instance_type: 't3.micro', subnet_id: '${a.id}' } },
  ],
};

/** Checks what every DharmaError must be; returns it. */
export function checkError(err) {
  assert.ok(err instanceof DharmaError, `not a DharmaError: ${err?.stack ?? err}`);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'DharmaError');
  assert.ok(typeof err.message === 'string' && err.message.length > 0);
  assert.equal(typeof err.stack, 'string');
  for (const key of ['kind', 'code', 'path']) assert.equal(typeof err[key], 'string', key);
  assert.ok(Array.isArray(err.findings) && err.findings.length >= 1, 'findings');
  for (const f of err.findings) {
    assert.equal(Object.getPrototypeOf(f), Object.prototype, 'findings are plain objects');
    assert.equal(typeof f.code, 'string');
    assert.ok(['error', 'warning'].includes(f.severity));
    assert.equal(typeof f.path, 'string');
    assert.equal(typeof f.message, 'string');
  }
  // The top-level properties describe the first finding.
  assert.equal(err.code, err.findings[0].code);
  assert.equal(err.path, err.findings[0].path);
  assert.deepEqual(err.location, err.findings[0].location ?? null);
  assert.equal(err.suggestion, err.findings[0].suggestion ?? null);
  return err;
}

/** Runs `fn`, which must throw a DharmaError matching `expected` (a subset of its fields). */
export function throws(fn, expected) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, 'expected an error');
  checkError(err);
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(err[k], v, `${k} of ${err.message}`);
  return err;
}

/** Awaits `promise`, which must reject with a DharmaError matching `expected`. */
export async function rejects(promise, expected) {
  assert.ok(promise instanceof Promise, 'an async variant returns a Promise');
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, 'expected a rejection');
  checkError(err);
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(err[k], v, `${k} of ${err.message}`);
  return err;
}

/**
 * A synthetic AWS blueprint of `n` resources: per group of ten, a VPC, two subnets, a security
 * group, two instances with volumes, a bucket, a NAT gateway's EIP and a DB; with references.
 */
export function syntheticAws(n) {
  const resources = [];
  for (let g = 0; resources.length < n; g++) {
    const vpc = `vpc_${g}`;
    const group = [
      { type: 'aws_vpc', name: vpc, properties: { cidr_block: '10.0.0.0/16', tags: { Name: vpc } } },
      { type: 'aws_subnet', name: `subnet_${g}_a`, properties: { vpc_id: `\${${vpc}.id}`, cidr_block: '10.0.1.0/24' } },
      { type: 'aws_subnet', name: `subnet_${g}_b`, properties: { vpc_id: `\${${vpc}.id}`, cidr_block: '10.0.2.0/24' } },
      { type: 'aws_security_group', name: `sg_${g}`, properties: { name: `sg-${g}`, vpc_id: `\${${vpc}.id}` } },
      { type: 'aws_instance', name: `web_${g}_a`, properties: { ami: 'ami-0abcdef1234567890', instance_type: 'm5.large', subnet_id: `\${subnet_${g}_a.id}`, vpc_security_group_ids: [`\${sg_${g}.id}`] } },
      { type: 'aws_instance', name: `web_${g}_b`, properties: { ami: 'ami-0abcdef1234567890', instance_type: 't3.micro', subnet_id: `\${subnet_${g}_b.id}` } },
      { type: 'aws_ebs_volume', name: `data_${g}`, properties: { availability_zone: 'us-east-1a', size: 100, type: 'gp2' } },
      { type: 'aws_s3_bucket', name: `bucket_${g}`, properties: { bucket: `bucket-${g}` } },
      { type: 'aws_eip', name: `eip_${g}`, properties: { domain: 'vpc' } },
      { type: 'aws_nat_gateway', name: `nat_${g}`, properties: { allocation_id: `\${eip_${g}.id}`, subnet_id: `\${subnet_${g}_a.id}` } },
    ];
    resources.push(...group.slice(0, n - resources.length));
  }
  return { name: 'synthetic', version: '1.0.0', provider: 'aws', region: 'us-east-1', tags: { Team: 'platform' }, resources };
}
