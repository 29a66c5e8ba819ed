/** A blueprint: JSON or YAML source text, or a JSON-compatible object. */
export type BlueprintInput = string | Blueprint;

/** The syntax of blueprint text; detected from the text when omitted. */
export type SourceFormat = "json" | "yaml";

/** Output formats of `graph`. */
export type GraphFormat = "json" | "dot" | "mermaid";

export type Provider = "aws" | "azure" | "gcp";

/**
 * Which stage failed. `internal` means the engine hit a bug (a panic); the instance is re-created
 * before the next call.
 */
export type ErrorKind =
  | "parse" | "check" | "generate" | "policy" | "pricing" | "plan" | "limit" | "invalid_input"
  | "internal";

export type Severity = "warning" | "error";

/** Line and column in the source text, both starting at 1. */
export interface Location {
  line: number;
  column: number;
}

/** One problem found in an input. `code` is a stable snake_case identifier (e.g. `unknown_reference`). */
export interface Finding {
  code: string;
  severity: Severity;
  /** Path into the blueprint, e.g. `resources[3].properties.vpc_id`; empty for the whole document. */
  path: string;
  message: string;
  /** Source position (syntax and structure errors in text input). */
  location?: Location;
  /** A likely intended value ("did you mean"). */
  suggestion?: string;
}

/**
 * What every function throws: a real `Error` (`err instanceof Error`) whose `message` says what and
 * where, with the first finding's `code`, `path`, `location` and `suggestion`, and all `findings`.
 */
export interface DharmaError extends Error {
  name: "DharmaError";
  kind: ErrorKind;
  code: string;
  path: string;
  location: Location | null;
  suggestion: string | null;
  findings: Finding[];
}

export interface Blueprint {
  name: string;
  version: string;
  provider: Provider | string;
  region: string;
  description?: string;
  tags?: Record<string, string>;
  metadata?: Record<string, unknown>;
  variables?: Variable[];
  outputs?: Output[];
  resources?: Resource[];
}

export interface Resource {
  /** Terraform type (`aws_vpc`) or alias (`vpc`). */
  type: string;
  name: string;
  count?: number;
  /** Terraform arguments; strings may hold `${other.attr}` and `${var.name}` references. */
  properties?: Record<string, unknown>;
  dependencies?: string[];
  usage?: Record<string, unknown>;
  lifecycle?: {
    create_before_destroy?: boolean;
    prevent_destroy?: boolean;
    ignore_changes?: string[];
  };
  description?: string;
}

export interface Variable {
  name: string;
  type?: string;
  default?: unknown;
  description?: string;
  sensitive?: boolean;
}

export interface Output {
  name: string;
  value: unknown;
  description?: string;
  sensitive?: boolean;
}

/** What the check resolved about one resource. */
export interface ResourceSummary {
  name: string;
  /** Terraform type, aliases resolved. */
  type: string;
  /** `type.name`. */
  address: string;
  count: number;
  /** Whether blueprint tags are merged into it. */
  taggable: boolean;
  /** The tags (labels on GCP) it gets: the blueprint's `tags` merged with its own; `{}` when untaggable. */
  tags: Record<string, unknown>;
}

export interface CheckResult {
  name: string;
  /** Normalized semantic version (`v1.2.0` becomes `1.2.0`). */
  version: string;
  provider: Provider;
  region: string;
  resources: ResourceSummary[];
  warnings: Finding[];
}

export interface ParseResult extends CheckResult {
  /** How the blueprint was read. */
  format: SourceFormat | "object";
  /** The document, normalized (defaults left out). */
  blueprint: Blueprint;
}

export interface GraphResource {
  name: string;
  type: string;
  address: string;
  /** Index of the wave the resource is created in. */
  wave: number;
  /** Names of the resources it depends on directly. */
  depends_on: string[];
}

export interface GraphEdge {
  resource: string;
  depends_on: string;
  kind: "reference" | "explicit" | "both";
}

export interface GraphJson {
  blueprint: string;
  resources: GraphResource[];
  edges: GraphEdge[];
  /** Resource names that can be created in parallel, wave by wave. */
  waves: string[][];
  /** Resource names in creation order. */
  order: string[];
}

export function graph(blueprint: BlueprintInput, format: "dot" | "mermaid"): string;
export function graph(blueprint: BlueprintInput, format?: "json" | null): GraphJson;

/** Output formats of `generate`. */
export type OutputFormat =
  | "terraform" | "terraform-json" | "cloudformation" | "cloudformation-yaml" | "arm"
  | "pulumi-yaml" | "pulumi-ts" | "cdk-ts";

/** What `generate` returns: relative file path (`main.tf`, `lib/stack.ts`) to content, sorted by path. */
export type GeneratedFiles = Record<string, string>;

/**
 * An optional part of the engine (`features()` lists those this module has). The default module
 * has only `cost-diff` and `version-check`: `generate` throws `unsupported_format` for the formats of a `generate-*` part
 * it leaves out, and `validatePlan`/`drift` (`plan-import`), `costDiff` (`cost-diff`),
 * `versionCheck` (`version-check`) and `generate`'s `templates` option (`templates`) throw
 * `unsupported_call`. Build with `WASM_FEATURES=full` for
 * every part (README.md, "What the module has").
 */
export type ModuleFeature =
  | "generate-cloudformation"
  | "generate-arm"
  | "generate-pulumi"
  | "generate-cdk"
  | "plan-import"
  | "templates"
  | "cost-diff"
  | "version-check";

export interface GenerateOptions {
  /**
   * Tera templates (name → text) replacing embedded ones of the same name or adding others. Only
   * in a module built with the `templates` feature (not the default one: `unsupported_call`).
   */
  templates?: Record<string, string>;
}

/** An exact decimal amount in USD, as a string (`"15.1840"`): never rounded, never a float. */
export type Money = string;

export interface EstimateOptions {
  /**
   * Usage assumptions (a usage file as an object):
   * `{version?, resource_usage?: {[resourceName]: {[key]: number}}, resource_type_default_usage?: {[type]: {[key]: number}}}`.
   * The blueprint's own `usage` wins over it.
   */
  usage?: Record<string, unknown>;
  /** A monthly budget in USD: the estimate then carries `budget`. */
  budget?: Money | number;
  /**
   * Price rows as CSV text with the header `provider,region,service,sku,unit,price_usd,purchase,source,date`;
   * they extend the built-in catalog (same provider, region, SKU and purchase option: replaced).
   */
  prices?: string;
  /** Skip the optimization analysis (faster for very large blueprints). */
  skip_optimizations?: boolean;
}

/** Where a usage figure came from. */
export type UsageSource = "resource" | "usage_file" | "usage_file_type_default" | "default";

/** One priced component of a resource, for all its `count` instances. */
export interface LineItem {
  /** What is billed, e.g. `Instance usage (Linux, on-demand, t3.micro)`. */
  name: string;
  /** The catalog unit (`hour`, `GB-month`, `1M requests`, ...). */
  unit: string;
  quantity: Money;
  unit_price: Money;
  /** quantity × unit price, exact. */
  monthly: Money;
  /** The catalog key that priced the line. */
  sku: string;
  /** For usage-based lines: where the quantity came from. */
  usage_source?: UsageSource;
  /** For usage-based lines: the usage key (`monthly_requests`, `storage_gb`, ...). */
  usage_key?: string;
  /** For instance-hour lines: hours each instance runs per month. */
  hours_per_instance?: Money;
}

export type PriceStatus = "priced" | "free" | "unpriced";

export interface UnpricedComponent {
  name: string;
  reason: string;
}

/** The cost of one resource (all its `count` instances). */
export interface ResourceCost {
  /** `type.name`. */
  address: string;
  name: string;
  /** The Terraform type. */
  resource_type: string;
  count: number;
  status: PriceStatus;
  monthly: Money;
  line_items: LineItem[];
  /** Why the resource is free or unpriced (never counted as $0 silently). */
  reason?: string;
  /** Components of a priced resource the catalog could not price. */
  unpriced_components?: UnpricedComponent[];
  /** Assumptions and conventions applied. */
  notes?: string[];
}

export interface EstimateSummary {
  resources: number;
  priced: number;
  free: number;
  unpriced: number;
  partially_priced: number;
  /** Usage-based line items whose quantity is a built-in default. */
  default_usage_items: number;
}

export interface Confidence {
  /** 0 to 1. */
  score: Money;
  level: "high" | "medium" | "low";
  explanation: string;
}

export type OptimizationKind =
  | "gp2_to_gp3" | "current_generation" | "graviton" | "commitment1y" | "commitment3y"
  | "nat_gateway_consolidation" | "non_production_rightsizing";

/** A suggested change with its monthly savings computed from the catalog. */
export interface Optimization {
  kind: OptimizationKind;
  address: string;
  /** One-line summary (`Change t3.large to t4g.large`). */
  title: string;
  current_monthly: Money;
  optimized_monthly: Money;
  monthly_savings: Money;
  /** Where the rate behind the savings comes from. */
  basis: string;
}

export interface BudgetResult {
  limit: Money;
  total: Money;
  status: "within" | "over";
  /** limit − total, when within. */
  headroom?: Money;
  /** total − limit, when over. */
  overrun?: Money;
}

/** The price catalog an estimate used. */
export interface CatalogInfo {
  rows: number;
  oldest_date: string;
  newest_date: string;
}

export interface CostEstimate {
  currency: "USD";
  provider: Provider;
  region: string;
  /** Hours in a billing month (730). */
  hours_per_month: number;
  total_monthly: Money;
  /** Part of the total from provisioned capacity. */
  baseline_monthly: Money;
  /** Part of the total from usage-based lines. */
  usage_monthly: Money;
  /** Every resource, in blueprint order. */
  resources: ResourceCost[];
  summary: EstimateSummary;
  confidence: Confidence;
  /** Suggested changes, largest savings first. */
  optimizations: Optimization[];
  potential_savings_monthly: Money;
  /** With a budget option. */
  budget?: BudgetResult;
  catalog: CatalogInfo;
  /** Problems that did not stop the estimate (e.g. no prices for the region). */
  warnings?: Finding[];
}

export type CostChange = "added" | "removed" | "changed" | "unchanged" | "unknown";

export interface ResourceCostDiff {
  address: string;
  change: CostChange;
  old_monthly: Money;
  new_monthly: Money;
  delta: Money;
}

export interface CostDiff {
  old_total: Money;
  new_total: Money;
  delta_monthly: Money;
  /** The new blueprint's resources in order, then the removed ones. */
  resources: ResourceCostDiff[];
  /** Addresses of unpriced resources in the new blueprint (their cost is not in the delta). */
  new_unpriced: string[];
  /** Unpriced resources of the old blueprint (their cost is not in the delta). */
  old_unpriced: string[];
}

/** What `planDiff` returns: the engine's plan JSON (see docs/plan.md in the repository). */
export interface Plan {
  resource_changes: Array<{ address: string; action: string; [key: string]: unknown }>;
  waves: Array<Array<{ address: string; action: string }>>;
  variable_changes: Array<{ name: string; action: string; [key: string]: unknown }>;
  output_changes: Array<{ name: string; action: string; [key: string]: unknown }>;
  summary: Record<string, number>;
  [key: string]: unknown;
}

/** A severity of the guardrail checks, lowest first. */
export type PolicySeverity = "low" | "medium" | "high" | "critical";

/** Options of `validate` (snake_case or camelCase keys). */
export interface ValidateOptions {
  /** The lowest severity whose failures fail the report (default `"low"`: any failure). */
  fail_on?: PolicySeverity;
  failOn?: PolicySeverity;
  /**
   * The date waiver expiry is compared with, `YYYY-MM-DD`. WebAssembly has no clock: pass
   * `new Date().toISOString().slice(0, 10)` when waivers have an expiry date.
   */
  today?: string;
  /** Values of blueprint variables (like a `.tfvars` file). */
  variables?: Record<string, unknown>;
  /** Settings of the built-in checks (`data.dharma.settings`), e.g. `{required_tags: ["owner"]}`. */
  settings?: Record<string, unknown>;
  /** Extra Rego policies. */
  policies?: Array<{ name: string; rego: string }>;
  /** Leave the built-in checks out. */
  no_builtin?: boolean;
  noBuiltin?: boolean;
  /** Accepted for compatibility; not enforced in WebAssembly (no clock). */
  time_limit_ms?: number;
  timeLimitMs?: number;
}

/** An accepted policy finding of a Terraform plan (`validatePlan`'s `waivers`). */
export interface Waiver {
  /** The check id (`DHARMA_AWS_S3_005`). */
  id: string;
  /** Why the finding is accepted; shown in every report. */
  reason: string;
  /** Last day the waiver applies, `YYYY-MM-DD` (inclusive); needs `today`. */
  expires?: string;
}

/** Options of `validatePlan`: those of `validate`, plus the waivers (a plan carries none of its own). */
export interface ValidatePlanOptions extends ValidateOptions {
  /** Waivers by resource address (`aws_s3_bucket.logs`). */
  waivers?: Record<string, Waiver[]>;
}

/** A Terraform plan (`terraform show -json` output) or state (`terraform.tfstate`), as JSON text or an object. */
export type TerraformJson = string | Record<string, unknown>;

/** One attribute that differs between the blueprint and the deployed state. */
export interface DriftChange {
  /** The attribute path (`cidr_block`, `tags.env`, `ingress[0].from_port`). */
  path: string;
  /** What the blueprint sets (absent: the blueprint leaves it unset; masked when sensitive). */
  expected?: unknown;
  /** What the state holds (absent: not in the state). */
  actual?: unknown;
  sensitive?: boolean;
}

/** What `drift` returns: every instance address in one list or another. */
export interface DriftReport {
  /** Declared by the blueprint, absent from the state. */
  missing: string[];
  /** In the state, not declared by the blueprint. */
  unmanaged: string[];
  /** In both, with attributes that differ (`tainted`: Terraform will replace it). */
  changed: Array<{ address: string; tainted?: boolean; changes: DriftChange[] }>;
  /** In both, with every compared attribute equal. */
  in_sync: string[];
  /** What could not be compared (e.g. a value known only after apply), and why. */
  not_compared: Array<{ address: string; path: string; reason: string }>;
}

/** A semantic-version bump. */
export type Bump = "none" | "patch" | "minor" | "major";

/** What `versionCheck` returns. */
export interface VersionCheck {
  /** The bump the change requires. */
  required: Bump;
  /** The bump the declared versions make (old → new). */
  declared: Bump;
  /** The old blueprint's version. */
  before: string;
  /** The new blueprint's version, as declared. */
  after: string;
  /** The smallest version the new blueprint may declare. */
  minimum: string;
  /** Whether the new blueprint's version is at least `minimum`. */
  ok: boolean;
}

/** One finding of `validate`: a check's verdict on one resource. */
export interface PolicyFinding {
  id: string;
  address: string;
  /** The argument the finding is about, e.g. `ingress[0].cidr_blocks` (may be empty). */
  path: string;
  message: string;
  status: "fail" | "warn" | "unknown" | "waived";
  severity: PolicySeverity;
  title: string;
  category?: string;
  remediation?: string;
  checkov?: string[];
  cis?: string[];
  /** `builtin`, or the name of the caller's policy. */
  source: string;
  waiver?: { reason: string; expires?: string; original_status: string };
}

/** What `validate` returns. */
export interface ValidationReport {
  /** True when no `fail` finding has a severity at or above `fail_on`. */
  passed: boolean;
  fail_on: PolicySeverity;
  input: { kind: "blueprint" | "plan"; name?: string; format_version: string; resources: number };
  counts: { critical: number; high: number; medium: number; low: number; unknown: number; waived: number; warnings: number };
  /** Every finding, in resource order, then by check id, path and message. */
  findings: PolicyFinding[];
  waivers?: Array<{ address: string; id: string; reason: string; expires?: string; state: "applied" | "expired" | "unused"; findings: number }>;
  checks: Array<{ id: string; title: string; severity: PolicySeverity; resources: number; failed: number; unknown: number; waived: number }>;
}
