// The optional parts of the engine this module was built with (README.md, "What the module has"),
// for the tests: the default module has only cost-diff and version-check of them. A test of a part
// the module leaves out checks its clean error instead, or is skipped with the reason.
import * as dharma from '@iac-dharma/wasm';

export const FEATURES = new Set(dharma.features());

/** The feature that builds each output format in (Terraform's are always there). */
export const FORMAT_FEATURE = {
  cloudformation: 'generate-cloudformation',
  'cloudformation-yaml': 'generate-cloudformation',
  arm: 'generate-arm',
  'pulumi-yaml': 'generate-pulumi',
  'pulumi-ts': 'generate-pulumi',
  'cdk-ts': 'generate-cdk',
};

/** The feature each optional shared-vector call needs. */
export const CALL_FEATURE = { validate_plan: 'plan-import', drift: 'plan-import', cost_diff: 'cost-diff', version_bump: 'version-check' };

/** Whether the module generates `format`. */
export const built = (format) => !(format in FORMAT_FEATURE) || FEATURES.has(FORMAT_FEATURE[format]);

/** A `skip` option: the reason when the module is built without `feature`. */
export const unless = (feature) => (FEATURES.has(feature) ? false : `the module is built without ${feature}`);
