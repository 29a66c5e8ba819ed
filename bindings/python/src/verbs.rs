//! validate, plan_diff/version checks, drift and the deployment pipeline: `PolicySet`,
//! `validate_plan`, `DeploymentStatus` and the argument conversions the `Blueprint` methods of
//! `lib.rs` share.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use iac_dharma::{
    ApprovalRules, Decimal, DeploymentStatus as CoreStatus, TerraformPlan, TerraformState,
    ValidateOptions,
};
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};

use crate::convert::{decimal_arg, invalid, pending, strict_text, to_value};
use crate::error::{self, engine, guard};

/// Compiled guardrail policies: the built-in checks, your own Rego, or both. Compile once and
/// share it: it is immutable and safe to use from many threads at once.
#[pyclass(frozen, module = "iac_dharma")]
pub struct PolicySet {
    pub inner: Arc<iac_dharma::PolicySet>,
}

#[pymethods]
impl PolicySet {
    /// Compiles a policy set: the built-in catalog (unless `builtin=False`), the `.rego` files
    /// of `paths` (files or directories), the modules of `rego` (`{file name: text}`), `data`
    /// (a dict merged into Rego's `data`), `settings` (`data.dharma.settings`, the built-in
    /// checks' thresholds) and `time_limit_ms` (evaluation time limit per run, `None` for the
    /// default). Raises `PolicyError` (with file:line) for Rego that does not compile, `OSError`-like
    /// `PolicyError` for a path that cannot be read.
    #[new]
    #[pyo3(signature = (paths = None, rego = None, builtin = true, data = None, settings = None, time_limit_ms = None))]
    fn new(
        py: Python<'_>,
        paths: Option<Vec<PathBuf>>,
        rego: Option<&Bound<'_, PyAny>>,
        builtin: bool,
        data: Option<&Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyAny>>,
        time_limit_ms: Option<u64>,
    ) -> PyResult<Self> {
        guard(py, || {
            let sources = match rego.filter(|r| !r.is_none()) {
                None => Vec::new(),
                Some(r) => string_map(py, r, "rego")?,
            };
            let data = optional_value(py, data, "data")?;
            let settings = optional_value(py, settings, "settings")?;
            let inner = engine(py, || {
                let mut b = iac_dharma::PolicySet::builder();
                if !builtin {
                    b = b.without_builtin();
                }
                for p in paths.unwrap_or_default() {
                    b = b.add_path(p)?;
                }
                for (name, text) in sources {
                    b = b.add_policy(name, text);
                }
                if let Some(d) = data {
                    b = b.data(d);
                }
                if let Some(s) = settings {
                    b = b.settings(s);
                }
                if let Some(ms) = time_limit_ms {
                    b = b.time_limit(Some(Duration::from_millis(ms)));
                }
                b.build()
            })?;
            Ok(PolicySet {
                inner: Arc::new(inner),
            })
        })
    }

    /// The built-in catalog alone, with default settings (compiled once per process).
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<Self> {
        guard(py, || {
            let inner = engine(py, iac_dharma::PolicySet::builtin)?;
            Ok(PolicySet {
                inner: Arc::new(inner),
            })
        })
    }

    /// Whether the built-in checks are part of the set.
    #[getter]
    fn has_builtin(&self) -> bool {
        self.inner.has_builtin()
    }

    /// The Rego packages of the user policies (without `data.`), sorted.
    #[getter]
    fn user_packages(&self) -> Vec<String> {
        self.inner.user_packages()
    }

    /// The ids of the checks the set knows (built-in and declared by user policies), sorted.
    #[getter]
    fn check_ids(&self) -> Vec<String> {
        self.inner.checks().keys().cloned().collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<PolicySet builtin={} user_packages={:?}>",
            if self.inner.has_builtin() {
                "True"
            } else {
                "False"
            },
            self.inner.user_packages()
        )
    }
}

/// `{str: str}` from a mapping.
pub fn string_map(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<Vec<(String, String)>> {
    let bad = || {
        error::to_py(
            py,
            &invalid(name, format!("`{name}` must be a dict of str to str")),
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

/// A JSON value from an optional argument (`None` stays `None`).
fn optional_value(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<serde_json::Value>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => to_value(o, name)
            .map(Some)
            .map_err(|e| error::to_py(py, &e, None)),
    }
}

/// The policies to run: the given set, or the built-in one.
pub fn policies_or_builtin(
    policies: Option<&PolicySet>,
) -> Result<Arc<iac_dharma::PolicySet>, iac_dharma::Error> {
    match policies {
        Some(p) => Ok(p.inner.clone()),
        None => iac_dharma::PolicySet::builtin().map(Arc::new),
    }
}

/// Validate options from the Python arguments (with the GIL held).
pub fn validate_options(
    py: Python<'_>,
    fail_on: &str,
    today: Option<String>,
    variables: Option<&Bound<'_, PyAny>>,
    waivers: Option<&Bound<'_, PyAny>>,
) -> PyResult<ValidateOptions> {
    let fail = |e: iac_dharma::Error| error::to_py(py, &e, None);
    let mut o = ValidateOptions::default();
    o.fail_on = fail_on
        .parse()
        .map_err(|m: String| fail(invalid("fail_on", m)))?;
    o.today = today;
    if let Some(v) = optional_value(py, variables, "variables")? {
        let serde_json::Value::Object(map) = v else {
            return Err(fail(invalid("variables", "`variables` must be a dict")));
        };
        o.variables = map.into_iter().collect();
    }
    if let Some(w) = optional_value(py, waivers, "waivers")? {
        o.waivers = serde_json::from_value::<BTreeMap<String, Vec<iac_dharma::Waiver>>>(w)
            .map_err(|e| {
                fail(invalid(
                    "waivers",
                    format!("`waivers` must be {{address: [{{id, reason, expires}}]}}: {e}"),
                ))
            })?;
    }
    Ok(o)
}

/// A JSON document given as text or as an already-parsed dict.
pub enum Document {
    Text(String),
    Value(serde_json::Value),
}

impl Document {
    pub fn from_py(py: Python<'_>, obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            return strict_text(s, name)
                .map(Document::Text)
                .map_err(|e| error::to_py(py, &e, None));
        }
        if obj.cast::<PyMapping>().is_err() {
            let e = invalid(name, format!("`{name}` must be JSON text (str) or a dict"));
            return Err(error::to_py(py, &e, None));
        }
        to_value(obj, name)
            .map(Document::Value)
            .map_err(|e| error::to_py(py, &e, None))
    }

    pub fn into_plan(self) -> Result<TerraformPlan, iac_dharma::Error> {
        match self {
            Document::Text(t) => TerraformPlan::parse(&t),
            Document::Value(v) => TerraformPlan::from_value(v),
        }
    }

    pub fn into_state(self) -> Result<TerraformState, iac_dharma::Error> {
        match self {
            Document::Text(t) => TerraformState::from_json(&t),
            // The dict's JSON text is ours: its line:column would point into text the caller
            // never saw.
            Document::Value(v) => TerraformState::from_json(&v.to_string())
                .map_err(iac_dharma::Error::without_locations),
        }
    }
}

/// Approval rules from `{environment, protected_environments, on_replace, on_delete,
/// max_monthly_increase, max_increase_percent, on_unknown_findings}` (every key optional).
pub fn approval_rules(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<ApprovalRules> {
    let mut rules = ApprovalRules::default();
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(rules);
    };
    let fail = |e: iac_dharma::Error| error::to_py(py, &e, None);
    let mapping = obj
        .cast::<PyMapping>()
        .map_err(|_| fail(invalid("approval", "`approval` must be a dict")))?;
    for pair in mapping.items()?.iter() {
        let (key, value): (String, Bound<'_, PyAny>) = pair
            .extract()
            .map_err(|_| fail(invalid("approval", "every key of `approval` must be a str")))?;
        let path = format!("approval.{key}");
        let bad = |what: &str| fail(invalid(&path, format!("`{path}` must be {what}")));
        let flag = |v: &Bound<'_, PyAny>| -> PyResult<bool> {
            if v.is_instance_of::<pyo3::types::PyBool>() {
                v.extract().map_err(|_| bad("a bool"))
            } else {
                Err(bad("a bool"))
            }
        };
        let money = |v: &Bound<'_, PyAny>| -> PyResult<Option<Decimal>> {
            if v.is_none() {
                Ok(None)
            } else {
                decimal_arg(v, &path).map(Some).map_err(fail)
            }
        };
        match key.as_str() {
            "environment" => {
                rules.environment = if value.is_none() {
                    None
                } else {
                    Some(value.extract().map_err(|_| bad("a str"))?)
                }
            }
            "protected_environments" => {
                if value.is_instance_of::<PyString>() {
                    return Err(bad("a list of str"));
                }
                rules.protected_environments = value.extract().map_err(|_| bad("a list of str"))?
            }
            "on_replace" => rules.on_replace = flag(&value)?,
            "on_delete" => rules.on_delete = flag(&value)?,
            "on_unknown_findings" => rules.on_unknown_findings = flag(&value)?,
            "max_monthly_increase" => rules.max_monthly_increase = money(&value)?,
            "max_increase_percent" => rules.max_increase_percent = money(&value)?,
            other => {
                let known = [
                    "environment",
                    "protected_environments",
                    "on_replace",
                    "on_delete",
                    "max_monthly_increase",
                    "max_increase_percent",
                    "on_unknown_findings",
                ];
                let e = iac_dharma::Error::single(
                    iac_dharma::ErrorKind::InvalidInput,
                    iac_dharma::Finding::error(
                        iac_dharma::Code::InvalidArgument,
                        &path,
                        format!("unknown approval rule `{other}`"),
                    )
                    .with_suggestion(iac_dharma::did_you_mean(other, known)),
                );
                return Err(fail(e));
            }
        }
    }
    Ok(rules)
}

/// Validates a Terraform plan (`terraform show -json plan.out`, as text or dict) against
/// `policies` (default: the built-in set). Options as `Blueprint.validate`, plus `waivers`:
/// `{address: [{"id": ..., "reason": ..., "expires": "YYYY-MM-DD"}]}`. Returns a `Report`.
#[pyfunction]
#[pyo3(signature = (plan, policies = None, fail_on = "low", today = None, variables = None, waivers = None))]
#[allow(clippy::too_many_arguments)]
pub fn validate_plan<'py>(
    py: Python<'py>,
    plan: &Bound<'py, PyAny>,
    policies: Option<PyRef<'py, PolicySet>>,
    fail_on: &str,
    today: Option<String>,
    variables: Option<&Bound<'py, PyAny>>,
    waivers: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let doc = Document::from_py(py, plan, "plan")?;
        let options = validate_options(py, fail_on, today, variables, waivers)?;
        let set = policies.as_deref().map(|p| p.inner.clone());
        let report = engine(py, || {
            let plan = doc.into_plan()?;
            let set = match set {
                Some(s) => s,
                None => policies_or_builtin(None)?,
            };
            iac_dharma::validate_plan(&plan, &set, &options)
        })?;
        pending(py, "Report", report)
    })
}

/// The statuses of a deployment and the moves between them:
/// queued → validating → planning → approved → applying → completed, with failed and
/// rolled_back. Statuses are their snake_case names.
#[pyclass(frozen, module = "iac_dharma")]
pub struct DeploymentStatus;

fn status(py: Python<'_>, name: &str) -> PyResult<CoreStatus> {
    name.parse::<CoreStatus>()
        .map_err(|e| error::to_py(py, &e, None))
}

#[pymethods]
impl DeploymentStatus {
    /// Every status, in flow order.
    #[staticmethod]
    fn all() -> Vec<&'static str> {
        CoreStatus::ALL.iter().map(|s| s.as_str()).collect()
    }

    /// The statuses `status` may move to (empty for a final one).
    #[staticmethod]
    fn next_statuses(py: Python<'_>, status_: &str) -> PyResult<Vec<&'static str>> {
        let s = status(py, status_)?;
        Ok(s.next_statuses().iter().map(|s| s.as_str()).collect())
    }

    /// Whether `status` is final (`completed`, `failed`, `rolled_back`).
    #[staticmethod]
    fn is_final(py: Python<'_>, status_: &str) -> PyResult<bool> {
        Ok(status(py, status_)?.is_final())
    }

    /// `to` when the flow allows moving there from `from_`; else raises `InvalidInputError` with
    /// code `illegal_transition` (also for an unknown status name).
    #[staticmethod]
    fn transition(py: Python<'_>, from_: &str, to: &str) -> PyResult<&'static str> {
        let (from, to) = (status(py, from_)?, status(py, to)?);
        from.transition(to)
            .map(|s| s.as_str())
            .map_err(|e| error::to_py(py, &e, None))
    }
}
