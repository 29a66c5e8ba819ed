//! Errors and findings.
//!
//! Every failure the engine reports is an [`Error`]: a [`ErrorKind`] (which stage failed) plus one or
//! more [`Finding`]s (what is wrong, with a stable [`Code`], a path into the blueprint and, for syntax
//! errors, a line and column). The kind and the code strings are the contract the bindings and the
//! shared test vectors rely on; message wording may improve over time.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which stage of the engine failed. Bindings map each kind to one exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed JSON/YAML, or does not have the blueprint's shape.
    Parse,
    /// The blueprint is well-formed but its content is wrong (unknown type, dangling reference, cycle...).
    Check,
    /// Code generation failed (a type or property the target format cannot express...).
    Generate,
    /// A policy failed to compile or evaluate, or the policy input was invalid.
    Policy,
    /// Pricing data or usage assumptions were invalid.
    Pricing,
    /// A plan or state could not be computed or read.
    Plan,
    /// An input exceeded a configured limit (size, depth, count, time).
    Limit,
    /// An argument passed by the caller was invalid (unknown format name, bad option value...).
    InvalidInput,
}

impl ErrorKind {
    /// The stable string form (`"parse"`, `"check"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Check => "check",
            ErrorKind::Generate => "generate",
            ErrorKind::Policy => "policy",
            ErrorKind::Pricing => "pricing",
            ErrorKind::Plan => "plan",
            ErrorKind::Limit => "limit",
            ErrorKind::InvalidInput => "invalid_input",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a finding is. Errors make a check fail; warnings are reported and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Reported, but the blueprint is still usable.
    Warning,
    /// The blueprint cannot be used until this is fixed.
    Error,
}

/// A line and column in a source text, both starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number (in characters), starting at 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// Stable identifier of a kind of finding. The string form (`as_str`) never changes meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order (for documentation and tests).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable string form, e.g. `"unknown_reference"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// The text is not valid JSON.
    JsonSyntax => "json_syntax",
    /// The text is not valid YAML.
    YamlSyntax => "yaml_syntax",
    /// The document is valid JSON/YAML but not shaped like a blueprint (missing or unknown field,
    /// wrong value type for a blueprint field).
    InvalidStructure => "invalid_structure",
    /// The blueprint name breaks the naming rule.
    InvalidName => "invalid_name",
    /// A resource, variable or output name breaks its naming rule.
    InvalidIdentifier => "invalid_identifier",
    /// Two resources (or variables, or outputs) share a name.
    DuplicateName => "duplicate_name",
    /// The version is not semantic versioning.
    InvalidVersion => "invalid_version",
    /// The provider is not one of aws, azure, gcp.
    UnknownProvider => "unknown_provider",
    /// The region does not exist for the provider.
    UnknownRegion => "unknown_region",
    /// The resource type is not known for any provider.
    UnknownResourceType => "unknown_resource_type",
    /// The resource type belongs to another provider than the blueprint's.
    WrongProviderType => "wrong_provider_type",
    /// A property is not an argument of the resource type.
    UnknownArgument => "unknown_argument",
    /// A required argument of the resource type is missing.
    MissingArgument => "missing_argument",
    /// A value has the wrong type for its argument or field.
    WrongValueType => "wrong_value_type",
    /// A `${...}` expression is not a valid reference.
    MalformedReference => "malformed_reference",
    /// A reference names a resource that does not exist.
    UnknownReference => "unknown_reference",
    /// A reference names a variable that does not exist.
    UnknownVariable => "unknown_variable",
    /// A reference names an attribute the resource type does not export.
    UnknownAttribute => "unknown_attribute",
    /// A reference indexes a resource instance that does not exist, or omits a required index.
    InvalidIndex => "invalid_index",
    /// An explicit dependency names a resource that does not exist.
    UnknownDependency => "unknown_dependency",
    /// Resources depend on each other in a loop.
    DependencyCycle => "dependency_cycle",
    /// `count` is out of the allowed range.
    InvalidCount => "invalid_count",
    /// A variable's declared type is not a known type expression.
    InvalidVariableType => "invalid_variable_type",
    /// A variable's default does not match its declared type.
    InvalidDefault => "invalid_default",
    /// A tag key or value breaks the provider's tag rules.
    InvalidTag => "invalid_tag",
    /// An input is larger or deeper than the configured limit.
    LimitExceeded => "limit_exceeded",
    /// An argument passed by the caller was invalid.
    InvalidArgument => "invalid_argument",
    // --- validate (policies and Terraform plan input) ---
    /// A Terraform plan JSON declares a `format_version` major this reader does not know.
    UnsupportedPlanFormat => "unsupported_plan_format",
    /// A Terraform plan JSON does not have the shape `terraform show -json` writes.
    InvalidPlan => "invalid_plan",
    /// A binary Terraform plan file was given where its JSON form (`terraform show -json`) is needed.
    BinaryPlan => "binary_plan",
    /// A Rego policy does not parse or compile (the finding names file:line).
    PolicySyntax => "policy_syntax",
    /// A Rego policy failed while evaluating (a builtin error, a conflict, ...).
    PolicyError => "policy_error",
    /// A Rego policy ran past its time budget.
    PolicyTimeout => "policy_timeout",
    /// A policy rule returned something that is not a finding (string or object with a message).
    InvalidPolicyResult => "invalid_policy_result",
    /// A waiver is malformed (empty id or reason, expiry not a YYYY-MM-DD date).
    InvalidWaiver => "invalid_waiver",
    /// The policy settings document has a field of the wrong shape.
    InvalidSettings => "invalid_settings",

    // plan_diff, drift, rollback and version checks.
    /// A plan would destroy or replace a resource with `lifecycle.prevent_destroy`.
    PreventDestroy => "prevent_destroy",
    /// A plan does not fit the document it is applied to (it was made from another one).
    StalePlan => "stale_plan",
    /// The planned actions cannot be ordered (they wait on each other).
    PlanCycle => "plan_cycle",
    /// A Terraform state file has a format version this engine does not read.
    UnsupportedStateVersion => "unsupported_state_version",
    /// A Terraform state file is well-formed JSON but not shaped like a state.
    InvalidState => "invalid_state",
    /// The Terraform state holds resources of another cloud provider than the blueprint's.
    StateProviderMismatch => "state_provider_mismatch",
    /// The previous version given to the pipeline is a blueprint of another cloud provider.
    BaselineProviderMismatch => "baseline_provider_mismatch",

    // deployment pipeline
    /// A deployment status change the platform's flow does not allow (or an unknown status).
    IllegalTransition => "illegal_transition",

    // estimate
    /// A price catalog row is malformed (missing column, bad provider, price not a decimal or
    /// out of range).
    InvalidPriceCatalog => "invalid_price_catalog",
    /// A usage value is negative, not a number, too large, or the usage file is malformed.
    InvalidUsage => "invalid_usage",
    /// The price catalog has no prices at all for the blueprint's region (every priceable
    /// resource is listed as unpriced).
    NoPricesForRegion => "no_prices_for_region",
    /// A usage value no pricing rule reads (a misspelled key, or one for another type), or a
    /// usage-file entry that names no resource or type of the blueprint (a warning).
    UnusedUsage => "unused_usage",
    // --- generate ---
    /// The output format name is not one of the known formats.
    UnknownFormat => "unknown_format",
    /// The output format cannot express blueprints of this provider (e.g. CloudFormation for Azure).
    UnsupportedProvider => "unsupported_provider",
    /// The resource type has no equivalent in the output format.
    UnmappedType => "unmapped_type",
    /// A property (argument) of the resource has no equivalent in the output format.
    UnmappedProperty => "unmapped_property",
    /// A referenced attribute has no equivalent in the output format.
    UnmappedAttribute => "unmapped_attribute",
    /// Two names would become the same identifier in the output format.
    NameCollision => "name_collision",
    /// The output format needs at least one resource, and the blueprint has none to write
    /// (CloudFormation refuses a template without resources).
    EmptyTemplate => "empty_template",
    /// A template failed to compile or render.
    TemplateError => "template_error",
    // --- build features (parts a smaller build, e.g. the WASM package, leaves out) ---
    /// The output format is known but this build of the engine leaves it out (a cargo feature).
    UnsupportedFormat => "unsupported_format",
    /// The function is known but this build of the engine (or package) leaves it out.
    UnsupportedCall => "unsupported_call",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in an input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable identifier of the kind of problem.
    pub code: Code,
    /// Whether the problem blocks use of the input.
    pub severity: Severity,
    /// Path into the document, e.g. `resources[3].properties.vpc_id`; empty for the whole document.
    pub path: String,
    /// Human-readable explanation.
    pub message: String,
    /// Line and column in the source text, when known (syntax errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// A likely intended value ("did you mean"), when one is close enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Finding {
    /// An error finding at `path`.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            location: None,
            suggestion: None,
        }
    }

    /// A warning finding at `path`.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, path, message)
        }
    }

    /// Adds a "did you mean" suggestion.
    pub fn with_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// Adds a source location.
    pub fn with_location(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.location, self.path.is_empty()) {
            (Some(loc), true) => write!(f, "{loc}: ")?,
            (Some(loc), false) => write!(f, "{loc}: {}: ", self.path)?,
            (None, false) => write!(f, "{}: ", self.path)?,
            (None, true) => {}
        }
        write!(f, "{}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        write!(f, " [{}]", self.code)
    }
}

/// An error from the engine: what stage failed ([`ErrorKind`]) and every problem found ([`Finding`]).
///
/// There is always at least one finding; [`Error::code`], [`Error::path`] and [`Error::location`]
/// describe the first one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    findings: Vec<Finding>,
}

impl Error {
    /// An error of `kind` made of `findings`. An empty list is given one generic finding so that
    /// every error can say what went wrong.
    pub fn new(kind: ErrorKind, mut findings: Vec<Finding>) -> Self {
        if findings.is_empty() {
            findings.push(Finding::error(
                Code::InvalidArgument,
                "",
                format!("{kind} failed"),
            ));
        }
        Error { kind, findings }
    }

    /// An error with a single finding.
    pub fn single(kind: ErrorKind, finding: Finding) -> Self {
        Error::new(kind, vec![finding])
    }

    /// Which stage failed.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// All findings, in the order they were found (document order for checks).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Consumes the error, returning its findings.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The same error without line and column, for text the caller never saw (JSON written
    /// from an object the caller passed, or from a merged YAML document): its positions would
    /// point nowhere in the caller's input. Paths stay.
    ///
    /// ```
    /// let err = iac_dharma::Blueprint::from_json("{\n  \"name\": 5\n}").unwrap_err();
    /// assert!(err.location().is_some());
    /// let err = err.without_locations();
    /// assert_eq!((err.location(), err.path()), (None, "name"));
    /// ```
    #[must_use]
    pub fn without_locations(mut self) -> Self {
        for f in &mut self.findings {
            f.location = None;
        }
        self
    }

    fn first(&self) -> &Finding {
        // `new` guarantees at least one finding; fall back defensively without panicking.
        static FALLBACK: std::sync::OnceLock<Finding> = std::sync::OnceLock::new();
        self.findings.first().unwrap_or_else(|| {
            FALLBACK.get_or_init(|| Finding::error(Code::InvalidArgument, "", "unknown error"))
        })
    }

    /// The code of the first finding.
    pub fn code(&self) -> Code {
        self.first().code
    }

    /// The path of the first finding (empty for the whole document).
    pub fn path(&self) -> &str {
        &self.first().path
    }

    /// The source location of the first finding, when known.
    pub fn location(&self) -> Option<Location> {
        self.first().location
    }

    /// The message of the first finding.
    pub fn message(&self) -> &str {
        &self.first().message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first())?;
        let errors = self
            .findings
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .count();
        if errors > 1 {
            write!(f, " (and {} more)", errors - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
