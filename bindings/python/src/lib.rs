//! # `iac_dharma._iac_dharma`
//!
//! The native part of the Python package `iac_dharma` (pyo3, built by maturin). Every function is
//! a thin layer over the `iac-dharma` crate: convert the arguments, call the engine with the GIL
//! released ([`error::engine`]), map its error ([`error`], the only mapping), and hand the result
//! to Python, either as plain values or as JSON wrapped by a result class of
//! `iac_dharma._results` ([`convert::record`]), which turns money into `decimal.Decimal`.
//!
//! The public API, its types and docs are in `python/iac_dharma/` (`_iac_dharma.pyi`); the
//! doc comments below are what Python's `help()` shows.

mod convert;
mod error;
mod verbs;

use std::path::PathBuf;
use std::sync::Arc;

use iac_dharma::{
    did_you_mean, Blueprint as CoreBlueprint, CheckedBlueprint, EstimateOptions, GenerateOptions,
    GraphFormat, OutputFormat, SourceFormat, UsageFile,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString};
use serde::Serialize;

use crate::convert::{decimal_arg, invalid, json, pending, record, to_py, to_value};
use crate::error::{engine, engine_in, guard};

/// A parsed and checked blueprint. Build one with `from_yaml`, `from_json`, `from_text`,
/// `from_dict` or `from_file`; every verb then works on it without parsing again. Immutable and
/// safe to share between threads.
#[pyclass(frozen, module = "iac_dharma")]
struct Blueprint {
    inner: Arc<CheckedBlueprint>,
}

impl Blueprint {
    fn new(bp: CheckedBlueprint) -> Self {
        Blueprint {
            inner: Arc::new(bp),
        }
    }

    fn load(py: Python<'_>, text: &str, format: Option<SourceFormat>) -> PyResult<Self> {
        let bp = engine(py, || {
            let format = format.unwrap_or_else(|| SourceFormat::detect(text));
            CoreBlueprint::from_text_as(text, format)?.into_checked()
        })?;
        Ok(Blueprint::new(bp))
    }
}

/// What the check resolved about one resource (`iac_dharma.Resource`).
#[derive(Serialize)]
struct ResourceView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    address: &'a str,
    count: u32,
    taggable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag_argument: Option<&'a str>,
    tags: serde_json::Map<String, serde_json::Value>,
    properties: &'a iac_dharma::Properties,
    dependencies: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

fn source_format(name: Option<&str>) -> Result<Option<SourceFormat>, iac_dharma::Error> {
    match name {
        None => Ok(None),
        Some("json") => Ok(Some(SourceFormat::Json)),
        Some("yaml") | Some("yml") => Ok(Some(SourceFormat::Yaml)),
        Some(other) => Err(invalid(
            "format",
            format!("unknown blueprint format `{other}`; expected \"json\" or \"yaml\""),
        )),
    }
}

/// Estimate options from the Python arguments (converted with the GIL held).
fn estimate_options(
    usage: Option<&Bound<'_, PyAny>>,
    budget: Option<&Bound<'_, PyAny>>,
    catalog: Option<&PriceCatalog>,
    skip_optimizations: bool,
) -> Result<(EstimateOptions, Option<UsageInput>), iac_dharma::Error> {
    let mut options = EstimateOptions::new();
    if let Some(b) = budget.filter(|b| !b.is_none()) {
        options = options.with_budget(decimal_arg(b, "budget")?);
    }
    if let Some(c) = catalog {
        options = options.with_catalog(c.inner.clone());
    }
    options.skip_optimizations = skip_optimizations;
    let usage = match usage.filter(|u| !u.is_none()) {
        None => None,
        Some(u) => Some(match u.cast::<PyString>() {
            Ok(s) => UsageInput::Text(convert::strict_text(s, "usage")?),
            Err(_) => UsageInput::Value(to_value(u, "usage")?),
        }),
    };
    Ok((options, usage))
}

/// A usage file as given: text (YAML or JSON) or an already-converted mapping.
enum UsageInput {
    Text(String),
    Value(serde_json::Value),
}

impl UsageInput {
    /// Parses it (without the GIL).
    fn into_usage(self) -> Result<UsageFile, iac_dharma::Error> {
        match self {
            UsageInput::Text(t) if SourceFormat::detect(&t) == SourceFormat::Json => {
                UsageFile::from_json(&t)
            }
            UsageInput::Text(t) => UsageFile::from_yaml(&t),
            UsageInput::Value(v) => UsageFile::from_value(v),
        }
    }
}

fn with_usage(
    mut options: EstimateOptions,
    usage: Option<UsageInput>,
) -> Result<EstimateOptions, iac_dharma::Error> {
    if let Some(u) = usage {
        options = options.with_usage(u.into_usage()?);
    }
    Ok(options)
}

#[pymethods]
impl Blueprint {
    /// Parses and checks a blueprint written in YAML.
    ///
    /// Raises `ParseError` (with `location` = line and column) for malformed text, or
    /// `CheckError` listing every problem of a well-formed blueprint.
    #[staticmethod]
    fn from_yaml(py: Python<'_>, text: &str) -> PyResult<Self> {
        guard(py, || Blueprint::load(py, text, Some(SourceFormat::Yaml)))
    }

    /// Parses and checks a blueprint written in JSON. Raises as `from_yaml`.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        guard(py, || Blueprint::load(py, text, Some(SourceFormat::Json)))
    }

    /// Parses and checks a blueprint in JSON or YAML: `format` is `"json"` or `"yaml"`, or
    /// `None` to detect it (JSON when the text starts with `{`). Raises as `from_yaml`.
    #[staticmethod]
    #[pyo3(signature = (text, format = None))]
    fn from_text(py: Python<'_>, text: &str, format: Option<&str>) -> PyResult<Self> {
        guard(py, || {
            let format = source_format(format).map_err(|e| error::to_py(py, &e, None))?;
            Blueprint::load(py, text, format)
        })
    }

    /// Checks a blueprint given as a dict (as `to_dict()` returns, or parsed by any JSON/YAML
    /// library). Raises `ParseError` naming the path of a field that does not fit the blueprint's
    /// shape, `CheckError`, or `InvalidInputError` for a value that has no JSON form.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || {
            if data.cast::<PyMapping>().is_err() {
                return Err(error::to_py(
                    py,
                    &invalid("", "a blueprint must be a mapping (dict)"),
                    None,
                ));
            }
            let value = to_value(data, "").map_err(|e| error::to_py(py, &e, None))?;
            let bp = engine(py, || CoreBlueprint::from_value(value)?.into_checked())?;
            Ok(Blueprint::new(bp))
        })
    }

    /// Reads, parses and checks a blueprint file (`.json`, `.yaml` or `.yml`; other names are
    /// detected from the text). Raises `OSError` when the file cannot be read, else as
    /// `from_yaml`, with the exception's `file` set to `path`.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        guard(py, || {
            let name = path.to_string_lossy().into_owned();
            // OSError(errno, strerror, filename), which Python turns into FileNotFoundError,
            // IsADirectoryError, ... with `errno` and `filename` set, as `open()` raises them.
            let text = py.detach(|| std::fs::read_to_string(&path)).map_err(|e| {
                let strerror = match e.kind() {
                    std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
                    _ => e.to_string(),
                };
                pyo3::exceptions::PyOSError::new_err((e.raw_os_error(), strerror, name.clone()))
            })?;
            let bp = engine_in(py, Some(&name), || {
                let format = SourceFormat::from_extension(&name)
                    .unwrap_or_else(|| SourceFormat::detect(&text));
                CoreBlueprint::from_text_as(&text, format)?.into_checked()
            })?;
            Ok(Blueprint::new(bp))
        })
    }

    /// The blueprint's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.blueprint().name
    }

    /// The blueprint's version, normalized (`v1.2` is written `1.2.0`... when valid semver).
    #[getter]
    fn version(&self) -> String {
        self.inner.version().to_string()
    }

    /// The provider: `aws`, `azure` or `gcp`.
    #[getter]
    fn provider(&self) -> &'static str {
        self.inner.provider().terraform_name()
    }

    /// The region.
    #[getter]
    fn region(&self) -> &str {
        &self.inner.blueprint().region
    }

    /// The description, if any.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.blueprint().description.as_deref()
    }

    /// The default tags of every taggable resource.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (k, v) in &self.inner.blueprint().tags {
            dict.set_item(k, v)?;
        }
        Ok(dict)
    }

    /// Every resource, in document order, with what the check resolved: Terraform `type`
    /// (aliases resolved), `address`, `count`, `taggable` and the effective `tags` (blueprint tags
    /// merged with the resource's own).
    #[getter]
    fn resources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let bp = &self.inner;
            let text = engine(py, || {
                let views: Vec<ResourceView<'_>> = bp
                    .iter()
                    .map(|(i, r, info)| ResourceView {
                        name: &r.name,
                        type_name: &info.type_name,
                        address: &info.address,
                        count: r.instance_count(),
                        taggable: info.taggable,
                        tag_argument: info.tag_argument.as_deref(),
                        tags: bp.effective_tags(i),
                        properties: &r.properties,
                        dependencies: &r.dependencies,
                        description: r.description.as_deref(),
                    })
                    .collect();
                json(&views)
            })?;
            record(py, "Resource", text, true)
        })
    }

    /// Problems that do not stop the blueprint from being used (a list of `Finding`).
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let text = json(&self.inner.warnings()).map_err(|e| error::to_py(py, &e, None))?;
            record(py, "Finding", text, true)
        })
    }

    /// The blueprint document as a dict, as written (aliases unresolved); `from_dict` reads it
    /// back.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || to_py(py, &self.inner.blueprint().to_value()))
    }

    /// The blueprint document as pretty-printed JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || Ok(py.detach(|| self.inner.blueprint().to_json())))
    }

    /// The blueprint document as YAML.
    fn to_yaml(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || engine(py, || self.inner.blueprint().to_yaml()))
    }

    /// Generates infrastructure code: `format` is one of `terraform`, `terraform-json`,
    /// `cloudformation`, `cloudformation-yaml`, `cdk-ts` (`arm`, `pulumi-yaml`, `pulumi-ts` are
    /// not generated yet). `templates` replaces or adds templates: a `TemplateSet` (compiled
    /// once, reusable) or a dict `{name: text}` such as `{"terraform/main.tf.tera": ...}`.
    /// Returns `{relative path: file text}`, sorted by path.
    ///
    /// Raises `InvalidInputError` for an unknown format (with a suggestion), `GenerateError`
    /// when the blueprint cannot be expressed in the format (each finding with its path).
    #[pyo3(signature = (format, templates = None))]
    fn generate<'py>(
        &self,
        py: Python<'py>,
        format: &str,
        templates: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || {
            let overrides = match templates.filter(|t| !t.is_none()) {
                None => TemplateArg::Embedded,
                Some(t) => match t.cast::<TemplateSet>() {
                    Ok(set) => TemplateArg::Set(set.get().inner.clone()),
                    Err(_) => TemplateArg::Sources(template_sources(py, t)?),
                },
            };
            let bp = &self.inner;
            let files = engine(py, || {
                let format: OutputFormat = format.parse()?;
                let mut options = GenerateOptions::default();
                options.templates = match overrides {
                    TemplateArg::Embedded => None,
                    TemplateArg::Set(set) => Some(set),
                    TemplateArg::Sources(s) => Some(iac_dharma::TemplateSet::with_overrides(s)?),
                };
                iac_dharma::generate(bp, format, &options)
            })?;
            let dict = PyDict::new(py);
            for (path, text) in files.files {
                dict.set_item(path, text)?;
            }
            Ok(dict)
        })
    }

    /// Estimates the monthly cost (USD). `usage` is a usage file (Infracost's
    /// `infracost-usage.yml` shape) as a dict or as YAML/JSON text; `budget` a monthly limit
    /// (`Decimal`, int, str or float); `catalog` a `PriceCatalog` (default: the built-in one).
    /// Returns a `CostEstimate`; every amount is a `decimal.Decimal`.
    ///
    /// Raises `PricingError` (`invalid_usage`, with the path of each bad value) or
    /// `InvalidInputError` for a budget that is not a decimal.
    #[pyo3(signature = (usage = None, budget = None, *, catalog = None, skip_optimizations = false))]
    fn estimate<'py>(
        &self,
        py: Python<'py>,
        usage: Option<&Bound<'py, PyAny>>,
        budget: Option<&Bound<'py, PyAny>>,
        catalog: Option<PyRef<'py, PriceCatalog>>,
        skip_optimizations: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let (options, usage) =
                estimate_options(usage, budget, catalog.as_deref(), skip_optimizations)
                    .map_err(|e| error::to_py(py, &e, None))?;
            let bp = &self.inner;
            let estimate = engine(py, || {
                let options = with_usage(options, usage)?;
                iac_dharma::estimate(bp, &options)
            })?;
            pending(py, "CostEstimate", estimate)
        })
    }

    /// The dependency graph. `format="json"` (default) returns a `Graph` (every resource with
    /// its wave and dependencies, the edges, the waves of resources that can be created in
    /// parallel, the creation order); `"dot"` and `"mermaid"` return diagram text.
    #[pyo3(signature = (format = "json"))]
    fn graph<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let format: GraphFormat = format.parse().map_err(|message: String| {
                let e = iac_dharma::Error::single(
                    iac_dharma::ErrorKind::InvalidInput,
                    iac_dharma::Finding::error(
                        iac_dharma::Code::InvalidArgument,
                        "format",
                        message,
                    )
                    .with_suggestion(did_you_mean(format, ["json", "dot", "mermaid"])),
                );
                error::to_py(py, &e, None)
            })?;
            let bp = &self.inner;
            match format {
                GraphFormat::Json => {
                    let graph = py.detach(|| iac_dharma::graph_json(bp));
                    pending(py, "Graph", graph)
                }
                other => {
                    let text = py.detach(|| iac_dharma::render_graph(bp, other));
                    Ok(PyString::new(py, &text).into_any())
                }
            }
        })
    }

    /// Every resource that depends on `name`, directly or not (what a change to it can break),
    /// in document order. Raises `InvalidInputError` (with a suggestion) for an unknown name.
    fn blast_radius<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyList>> {
        guard(py, || {
            let bp = &self.inner;
            let Some(i) = bp.index_of(name) else {
                let names = bp.resources().iter().map(|r| r.name.as_str());
                let e = iac_dharma::Error::single(
                    iac_dharma::ErrorKind::InvalidInput,
                    iac_dharma::Finding::error(
                        iac_dharma::Code::InvalidArgument,
                        "name",
                        format!("`{name}` is not a resource of this blueprint"),
                    )
                    .with_suggestion(did_you_mean(name, names)),
                );
                return Err(error::to_py(py, &e, None));
            };
            let names: Vec<&str> = bp
                .graph()
                .blast_radius(i)
                .into_iter()
                .filter_map(|j| bp.resources().get(j).map(|r| r.name.as_str()))
                .collect();
            PyList::new(py, names)
        })
    }

    /// Runs guardrail policies on the blueprint: `policies` (a `PolicySet`; default: the
    /// built-in checks), failing on findings of severity `fail_on` (`low`, `medium`, `high`,
    /// `critical`) or above; `today` (`YYYY-MM-DD`, default: the current date) decides which
    /// waivers have expired; `variables` gives values to the blueprint's variables. Returns a
    /// `Report` (`passed`, `counts`, `findings`, `waivers`, `checks`).
    ///
    /// Raises `InvalidInputError` for an unknown `fail_on`, `PolicyError` when a policy fails
    /// at run time.
    #[pyo3(signature = (policies = None, fail_on = "low", today = None, variables = None))]
    fn validate<'py>(
        &self,
        py: Python<'py>,
        policies: Option<PyRef<'py, verbs::PolicySet>>,
        fail_on: &str,
        today: Option<String>,
        variables: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let options = verbs::validate_options(py, fail_on, today, variables, None)?;
            let set = policies.as_deref().map(|p| p.inner.clone());
            let bp = &self.inner;
            let report = engine(py, || {
                let set = match set {
                    Some(s) => s,
                    None => verbs::policies_or_builtin(None)?,
                };
                iac_dharma::validate(bp, &set, &options)
            })?;
            pending(py, "Report", report)
        })
    }

    /// The ordered change plan from this blueprint (the deployed version) to `new`: per
    /// resource instance the action (`create`, `update`, `delete`, `replace`, `no-op`...) with
    /// attribute changes, the waves to apply, variable/output changes and a summary. Returns a
    /// `Plan`. Raises `PlanError` when the two cannot be compared (another provider).
    fn plan_diff<'py>(
        &self,
        py: Python<'py>,
        new: PyRef<'py, Blueprint>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let (old, new) = (&self.inner, &new.inner);
            // The core plan borrows both blueprints: it is turned into JSON inside the call.
            let text = engine(py, || {
                let plan = iac_dharma::plan_diff(old, new)?;
                json(&plan.to_value())
            })?;
            record(py, "Plan", text, false)
        })
    }

    /// The semantic-version bump the change from this blueprint to `new` needs: `"none"`,
    /// `"patch"`, `"minor"` or `"major"`. Raises as `plan_diff`.
    fn version_bump(&self, py: Python<'_>, new: PyRef<'_, Blueprint>) -> PyResult<&'static str> {
        guard(py, || {
            let (old, new) = (&self.inner, &new.inner);
            engine(py, || {
                let plan = iac_dharma::plan_diff(old, new)?;
                Ok(iac_dharma::version_bump(&plan).as_str())
            })
        })
    }

    /// Whether `new` declares a version high enough for its change from this blueprint: a
    /// `VersionCheck` (`required`, `declared`, `before`, `after`, `minimum`, `ok`). Raises as
    /// `plan_diff`, or `PlanError` when a declared version is not semantic.
    fn check_version<'py>(
        &self,
        py: Python<'py>,
        new: PyRef<'py, Blueprint>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let (old, new) = (&self.inner, &new.inner);
            let check = engine(py, || {
                let plan = iac_dharma::plan_diff(old, new)?;
                iac_dharma::check_version(&plan)
            })?;
            pending(py, "VersionCheck", check)
        })
    }

    /// Compares the blueprint with deployed Terraform state (`terraform show -json` or a
    /// `.tfstate` file, as JSON text or dict): a `DriftReport` of `missing`, `unmanaged` and
    /// `changed` resources. Raises `PlanError` for state that cannot be read.
    fn drift<'py>(
        &self,
        py: Python<'py>,
        state: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let doc = verbs::Document::from_py(py, state, "state")?;
            let bp = &self.inner;
            let report = engine(py, || {
                let state = doc.into_state()?;
                iac_dharma::drift(bp, &state)
            })?;
            pending(py, "DriftReport", report)
        })
    }

    /// The deployment pipeline: validate, estimate, generate (`format`; a format that cannot
    /// express the blueprint is a blocking reason, `files` is then `None`) and
    /// plan against `previous` (the deployed `Blueprint`) or `state` (deployed Terraform state,
    /// text or dict) — at most one — and decide: `blocked`, `needs_approval` or `ready`.
    /// `approval` sets the rules (`environment`, `protected_environments`, `on_replace`,
    /// `on_delete`, `max_monthly_increase`, `max_increase_percent`, `on_unknown_findings`).
    /// Returns a `PipelineResult`.
    #[pyo3(signature = (previous = None, state = None, format = "terraform", policies = None, budget = None, usage = None, fail_on = "low", approval = None, *, catalog = None, today = None, variables = None))]
    #[allow(clippy::too_many_arguments)]
    fn run_pipeline<'py>(
        &self,
        py: Python<'py>,
        previous: Option<PyRef<'py, Blueprint>>,
        state: Option<&Bound<'py, PyAny>>,
        format: &str,
        policies: Option<PyRef<'py, verbs::PolicySet>>,
        budget: Option<&Bound<'py, PyAny>>,
        usage: Option<&Bound<'py, PyAny>>,
        fail_on: &str,
        approval: Option<&Bound<'py, PyAny>>,
        catalog: Option<PyRef<'py, PriceCatalog>>,
        today: Option<String>,
        variables: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let fail = |e: iac_dharma::Error| error::to_py(py, &e, None);
            let state = state.filter(|s| !s.is_none());
            if previous.is_some() && state.is_some() {
                return Err(fail(invalid(
                    "state",
                    "give `previous` or `state`, not both",
                )));
            }
            let state = state
                .map(|s| verbs::Document::from_py(py, s, "state"))
                .transpose()?;
            let validate = verbs::validate_options(py, fail_on, today, variables, None)?;
            let (estimate, usage) =
                estimate_options(usage, budget, catalog.as_deref(), false).map_err(fail)?;
            let approval = verbs::approval_rules(py, approval)?;
            let set = policies.as_deref().map(|p| p.inner.clone());
            let bp = &self.inner;
            let old = previous.as_ref().map(|p| p.inner.clone());
            let text = engine(py, || {
                let mut options = iac_dharma::PipelineOptions::default();
                options.policies = set;
                options.validate = validate;
                options.estimate = with_usage(estimate, usage)?;
                options.format = Some(format.parse::<OutputFormat>()?);
                options.approval = approval;
                let state = state.map(verbs::Document::into_state).transpose()?;
                let baseline = match (&old, &state) {
                    (Some(old), _) => iac_dharma::Baseline::Blueprint(old),
                    (None, Some(s)) => iac_dharma::Baseline::State(s),
                    (None, None) => iac_dharma::Baseline::None,
                };
                json(&iac_dharma::run_pipeline(bp, baseline, &options)?)
            })?;
            record(py, "PipelineResult", text, false)
        })
    }

    fn __repr__(&self) -> String {
        let bp = self.inner.blueprint();
        format!(
            "<Blueprint {} {} {}/{}, {} resources>",
            bp.name,
            self.inner.version(),
            self.inner.provider().terraform_name(),
            bp.region,
            bp.resources.len()
        )
    }

    /// Pickling (for multiprocessing): rebuilt from its JSON.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let py = slf.py();
        let from_json = py.get_type::<Blueprint>().getattr("from_json")?;
        Ok((from_json, (slf.get().inner.blueprint().to_json(),)))
    }
}

/// The `templates` argument of `generate`.
enum TemplateArg {
    Embedded,
    Set(iac_dharma::TemplateSet),
    Sources(Vec<(String, String)>),
}

/// Reads `{template name: text}`.
fn template_sources(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let bad = || {
        error::to_py(
            py,
            &invalid(
                "templates",
                "`templates` must be a TemplateSet or a dict of template name to text",
            ),
            None,
        )
    };
    let mapping = obj.cast::<PyMapping>().map_err(|_| bad())?;
    let mut out = Vec::new();
    for pair in mapping.items()?.iter() {
        let (k, v): (String, String) = pair.extract().map_err(|_| bad())?;
        out.push((k, v));
    }
    Ok(out)
}

/// Compiled templates that replace or add to the embedded ones (`generate(..., templates=)`).
/// Build it once and reuse it; it is immutable and safe to share between threads.
#[pyclass(frozen, module = "iac_dharma")]
struct TemplateSet {
    inner: iac_dharma::TemplateSet,
}

#[pymethods]
impl TemplateSet {
    /// Compiles `{name: text}` over the embedded templates: `terraform/main.tf.tera` replaces
    /// the embedded one, a new `terraform/README.md.tera` adds a file `README.md`. Raises
    /// `GenerateError` (`template_error`) for a template that does not compile.
    #[new]
    fn new(py: Python<'_>, templates: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || {
            let sources = template_sources(py, templates)?;
            let inner = engine(py, || iac_dharma::TemplateSet::with_overrides(sources))?;
            Ok(TemplateSet { inner })
        })
    }

    /// Every template name in the set (embedded and added), sorted.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names().map(str::to_string).collect()
    }

    fn __repr__(&self) -> String {
        format!("<TemplateSet of {} templates>", self.inner.names().count())
    }
}

/// A price catalog: the built-in one (`PriceCatalog.builtin()`), one read from CSV or JSON rows,
/// or a combination (`extend`). Immutable, shared between threads and estimates at no cost.
#[pyclass(frozen, module = "iac_dharma")]
struct PriceCatalog {
    inner: Arc<iac_dharma::PriceCatalog>,
}

#[pymethods]
impl PriceCatalog {
    /// The catalog embedded in the engine (parsed once per process).
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<Self> {
        guard(py, || {
            let inner = py.detach(iac_dharma::PriceCatalog::builtin);
            Ok(PriceCatalog { inner })
        })
    }

    /// A catalog of these CSV rows only (header `provider,region,service,sku,unit,price_usd,
    /// purchase,source,date`, as in `pricing/*.csv`). Raises `PricingError`
    /// (`invalid_price_catalog`, path `rows[i].column`) for a malformed row.
    #[staticmethod]
    fn from_csv(py: Python<'_>, text: &str) -> PyResult<Self> {
        guard(py, || {
            let cat = engine(py, || iac_dharma::PriceCatalog::from_csv(text))?;
            Ok(PriceCatalog {
                inner: Arc::new(cat),
            })
        })
    }

    /// A catalog of these rows, as a JSON array of row objects. Raises as `from_csv`.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        guard(py, || {
            let cat = engine(py, || iac_dharma::PriceCatalog::from_json(text))?;
            Ok(PriceCatalog {
                inner: Arc::new(cat),
            })
        })
    }

    /// A new catalog: this one's rows with `other`'s added; a row of `other` with the same
    /// provider, region, SKU and purchase option replaces this one's.
    fn extend(&self, py: Python<'_>, other: PyRef<'_, PriceCatalog>) -> PyResult<Self> {
        guard(py, || {
            let (mine, theirs) = (&self.inner, &other.inner);
            let cat = py.detach(|| {
                let mut cat = (**mine).clone();
                cat.extend((**theirs).clone());
                cat
            });
            Ok(PriceCatalog {
                inner: Arc::new(cat),
            })
        })
    }

    /// The price row for `sku` in `region` (or its global `*` row) and purchase option, or
    /// `None`.
    #[pyo3(signature = (provider, region, sku, purchase = "on_demand"))]
    fn lookup<'py>(
        &self,
        py: Python<'py>,
        provider: &str,
        region: &str,
        sku: &str,
        purchase: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            let provider: iac_dharma::Provider = provider.parse().map_err(|_| {
                let e = invalid(
                    "provider",
                    format!("unknown provider `{provider}`; expected aws, azure or gcp"),
                );
                error::to_py(py, &e, None)
            })?;
            match self.inner.lookup(provider, region, sku, purchase) {
                None => Ok(None),
                Some(row) => {
                    let text = json(row).map_err(|e| error::to_py(py, &e, None))?;
                    record(py, "PriceRow", text, false).map(Some)
                }
            }
        })
    }

    /// Row count and date range of the catalog (`CatalogInfo`).
    #[getter]
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let text = json(&self.inner.info()).map_err(|e| error::to_py(py, &e, None))?;
            record(py, "CatalogInfo", text, false)
        })
    }

    fn __len__(&self) -> usize {
        self.inner.rows().len()
    }

    fn __repr__(&self) -> String {
        let info = self.inner.info();
        format!(
            "<PriceCatalog of {} rows, {} to {}>",
            info.rows, info.oldest_date, info.newest_date
        )
    }
}

/// The cost difference between two blueprints (old, new): per resource added, removed or
/// changed, and the totals. Options as `Blueprint.estimate`. Returns a `CostDiff`.
#[pyfunction]
#[pyo3(signature = (old, new, usage = None, budget = None, *, catalog = None))]
fn cost_diff<'py>(
    py: Python<'py>,
    old: PyRef<'py, Blueprint>,
    new: PyRef<'py, Blueprint>,
    usage: Option<&Bound<'py, PyAny>>,
    budget: Option<&Bound<'py, PyAny>>,
    catalog: Option<PyRef<'py, PriceCatalog>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let (options, usage) = estimate_options(usage, budget, catalog.as_deref(), false)
            .map_err(|e| error::to_py(py, &e, None))?;
        let (old, new) = (&old.inner, &new.inner);
        let diff = engine(py, || {
            let options = with_usage(options, usage)?;
            iac_dharma::cost_diff(old, new, &options)
        })?;
        pending(py, "CostDiff", diff)
    })
}

/// The JSON Schema (draft 2020-12) of the blueprint format, as a dict.
#[pyfunction]
fn schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guard(py, || to_py(py, &iac_dharma::blueprint_json_schema()))
}

/// The output formats `generate` knows (some not generated yet: see `generate`).
#[pyfunction]
fn output_formats() -> Vec<&'static str> {
    OutputFormat::ALL.iter().map(|f| f.as_str()).collect()
}

/// Panics inside the engine boundary (`where="engine"`: in the GIL-released engine call;
/// `"binding"`: in binding code holding the GIL), to test that a panic reaches Python as
/// `InternalError`. Inert unless the environment variable `IAC_DHARMA_TEST_PANIC` is `1` (only
/// the test suite sets it). Not part of the API.
#[pyfunction]
#[pyo3(signature = (message, r#where = "engine"))]
#[allow(clippy::panic)] // the point of the function
fn _panic_for_testing(py: Python<'_>, message: &str, r#where: &str) -> PyResult<()> {
    guard(py, || {
        if std::env::var("IAC_DHARMA_TEST_PANIC").as_deref() != Ok("1") {
            let e = invalid("", "test hook disabled (set IAC_DHARMA_TEST_PANIC=1)");
            return Err(error::to_py(py, &e, None));
        }
        if r#where == "binding" {
            panic!("{message}");
        }
        engine(py, || -> Result<(), iac_dharma::Error> {
            panic!("{message}")
        })
    })
}

/// Runs `verb` (`"validate"` or `"estimate"`) on `blueprint` by calling the engine directly, with
/// the GIL released, and drops the Rust result without converting it: what a Rust program pays,
/// for `bench/overhead.py` to compare the binding's methods with, in the same process. Options
/// are the methods' defaults; `policies` and `catalog` as theirs. Not part of the API.
#[pyfunction]
#[pyo3(signature = (blueprint, verb, *, policies = None, catalog = None))]
fn _core_call(
    py: Python<'_>,
    blueprint: PyRef<'_, Blueprint>,
    verb: &str,
    policies: Option<PyRef<'_, verbs::PolicySet>>,
    catalog: Option<PyRef<'_, PriceCatalog>>,
) -> PyResult<()> {
    guard(py, || {
        let bp = &blueprint.inner;
        let set = policies.as_deref().map(|p| p.inner.clone());
        let catalog = catalog.as_deref().map(|c| c.inner.clone());
        engine(py, || match verb {
            "validate" => {
                let set = match set {
                    Some(s) => s,
                    None => verbs::policies_or_builtin(None)?,
                };
                let options = iac_dharma::ValidateOptions::default();
                iac_dharma::validate(bp, &set, &options).map(drop)
            }
            "estimate" => {
                let mut options = EstimateOptions::new();
                if let Some(c) = catalog {
                    options = options.with_catalog(c);
                }
                iac_dharma::estimate(bp, &options).map(drop)
            }
            other => Err(invalid(
                "verb",
                format!("unknown verb `{other}`; expected validate or estimate"),
            )),
        })
    })
}

/// The native module `iac_dharma._iac_dharma`.
#[pymodule]
fn _iac_dharma(m: &Bound<'_, PyModule>) -> PyResult<()> {
    error::install_panic_hook();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Blueprint>()?;
    m.add_class::<TemplateSet>()?;
    m.add_class::<PriceCatalog>()?;
    m.add_function(wrap_pyfunction!(cost_diff, m)?)?;
    m.add_class::<verbs::PolicySet>()?;
    m.add_class::<verbs::DeploymentStatus>()?;
    m.add_class::<convert::Pending>()?;
    m.add_function(wrap_pyfunction!(verbs::validate_plan, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(output_formats, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_testing, m)?)?;
    m.add_function(wrap_pyfunction!(_core_call, m)?)?;
    Ok(())
}
