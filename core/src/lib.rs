//! # IAC Dharma engine
//!
//! IAC Dharma turns a **blueprint** — the infrastructure a team wants, as JSON or YAML — into
//! infrastructure-as-code, checks it against guardrail policies, estimates what it will cost and
//! works out what must change between two versions. This crate is the pure engine: no I/O of its
//! own, no global mutable state, no panics across its API; the `dharma` CLI and the Python, Node
//! and WASM packages are thin layers over it.
//!
//! Parse and check once, then use the [`CheckedBlueprint`] for every verb:
//!
//! ```
//! let text = r#"
//! name: web-app
//! version: 1.2.0
//! provider: aws
//! region: us-east-1
//! resources:
//!   - type: vpc                      # an alias of aws_vpc
//!     name: main
//!     properties: {cidr_block: 10.0.0.0/16}
//!   - type: aws_subnet
//!     name: public_a
//!     properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
//! "#;
//! let bp = iac_dharma::parse(text)?;
//! let order: Vec<&str> = bp.graph().order().iter().map(|&i| bp.resources()[i].name.as_str()).collect();
//! assert_eq!(order, ["main", "public_a"]);
//! # Ok::<(), iac_dharma::Error>(())
//! ```
//!
//! Every problem is reported at once, each with a stable [`Code`] and a path:
//!
//! ```
//! let err = iac_dharma::parse(r#"{"name":"x!","version":"1.0.0","provider":"aws","region":"us-east-l","resources":[]}"#).unwrap_err();
//! let codes: Vec<&str> = err.findings().iter().map(|f| f.code.as_str()).collect();
//! assert_eq!(codes, ["invalid_name", "unknown_region"]);
//! assert_eq!(err.findings()[1].suggestion.as_deref(), Some("us-east-1"));
//! ```

pub mod catalog;
// validate: guardrail policies over blueprints and Terraform plans.
pub mod policy;
pub mod tfplan;

mod blueprint;
mod check;
mod cost;
mod embedded;
mod error;
mod free_form;
// Builds without some formats (cargo features) leave helpers only those formats use unused.
#[cfg_attr(
    not(all(
        feature = "generate-cloudformation",
        feature = "generate-arm",
        feature = "generate-pulumi",
        feature = "generate-cdk"
    )),
    allow(dead_code, unused_imports)
)]
mod generate;
mod graph;
mod graph_format;
mod json_schema;
mod limits;
mod memory;
mod pipeline;
mod plan;
mod printable;
mod reference;
mod source_text;
mod state;
mod str_table;
mod suggest;
mod yaml_merge;

pub use blueprint::{
    Blueprint, Lifecycle, Output, Properties, Resource, SourceFormat, Value, Variable, Waiver,
};
pub use catalog::Provider;
pub use check::{CheckedBlueprint, ResourceInfo, VarType, MAX_COUNT};
pub use cost::{
    cost_diff, diff_estimates, estimate, exact_decimal, render_diff_text, render_text,
    BudgetResult, BudgetStatus, CatalogInfo, Confidence, CostChange, CostDiff, CostEstimate,
    EstimateOptions, EstimateSummary, LineItem, Optimization, OptimizationKind, PriceCatalog,
    PriceRow, PriceStatus, ResourceCost, ResourceCostDiff, UnpricedComponent, UsageFile,
    UsageSource, HOURS_PER_MONTH, MAX_UNIT_PRICE, MAX_USAGE,
};
pub use error::{Code, Error, ErrorKind, Finding, Location, Result, Severity};
#[cfg(feature = "templates")]
pub use generate::TemplateSet;
pub use generate::{generate, GenerateOptions, GeneratedFiles, OutputFormat};
pub use graph::{Cycle, DependencyGraph, Edge, EdgeKind};
pub use graph_format::{graph_json, render_graph, GraphFormat};
pub use json_schema::blueprint_json_schema;
pub use limits::{
    Limits, DEFAULT_MAX_DEPTH, DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_RESOURCES,
    DEFAULT_MAX_STRING_BYTES,
};
pub use plan::{
    apply_plan, check_version, plan_diff, render_plan_text, version_bump, Action, AttributeChange,
    Bump, Change, DocumentChange, NamedChange, PathStep, Plan, PlanStep, Replacement,
    ResourceChange, Side, StepAction, Summary, VersionCheck,
};
pub use printable::printable;
pub use reference::{Part, Reference, Step, Template};
/// Exact decimal money type used by [`estimate`] (re-exported `rust_decimal::Decimal`).
pub use rust_decimal::Decimal;
pub use source_text::lone_surrogate_error;
pub use state::{
    drift, render_drift_text, ChangedResource, DriftChange, DriftReport, NotCompared, StateFormat,
    StateInstance, TerraformState,
};
pub use suggest::did_you_mean;
// validate
pub use policy::{validate, validate_plan, PolicySet, Report, ValidateOptions};
pub use tfplan::Plan as TerraformPlan;
// The deployment pipeline: validate + estimate + generate + plan, and a decision.
pub use pipeline::{
    run_pipeline, ApprovalRules, Baseline, Decision, DecisionStatus, DeploymentStatus,
    PipelineOptions, PipelineResult, Reason, ReasonKind,
};

/// Parses a blueprint (JSON or YAML, detected) and checks it.
///
/// # Errors
/// A [`ErrorKind::Parse`] error for malformed text (with line and column), or a
/// [`ErrorKind::Check`] error listing every problem of a well-formed blueprint.
pub fn parse(text: &str) -> Result<CheckedBlueprint> {
    blueprint::parse_checked(text)
}
