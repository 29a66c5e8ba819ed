// Inputs and checks the test files share; what the WASM package's tests share too is in
// tests/js/helpers.mjs.
import assert from 'node:assert/strict';
import { DharmaError } from '@iac-dharma/node';
import * as shared from '../../../tests/js/helpers.mjs';

export { YAML } from '../../../tests/js/helpers.mjs';

/** A blueprint document as an object: the shared one (a VPC, a subnet) and an instance. */
export const DOC = structuredClone(shared.DOC);
DOC.resources.push({ type: 'aws_instance', name: 'web', properties: { ami: 'ami-1', instance_type: 't3.micro', subnet_id: '${a.id}' } });

/** Checks what every DharmaError of this package must be: an instance of its class, and what
 * every DharmaError is (tests/js/helpers.mjs). Returns it. */
export function checkError(err) {
  assert.ok(err instanceof DharmaError, `not a DharmaError: ${err?.stack ?? err}`);
  return shared.checkDharmaError(err);
}

/** Runs `fn`, which must throw a DharmaError matching `expected` (a subset of its fields). */
export const throws = (fn, expected) => shared.throws(fn, expected, checkError);

/** Awaits `promise`, which must reject with a DharmaError matching `expected`. */
export const rejects = (promise, expected) => shared.rejects(promise, expected, checkError);

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
