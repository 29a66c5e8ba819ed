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
