//! The template set: the embedded templates of `templates/`, compiled once per process, plus the
//! escaping filters every template uses. Callers may replace or add templates.
//!
//! The embedded templates of most formats print text the engine has already written (one
//! variable, see [`Printed`]) or lay out Terraform files the engine also writes itself
//! ([`super::terraform::embedded_file`]): [`render_direct`] produces those formats' files without
//! tera, byte for byte what tera renders (`direct_files_are_what_tera_renders` in
//! `tests/generate_terraform.rs`). tera itself (the `templates` feature) renders the others and
//! every template a caller replaces or adds.

use std::collections::BTreeMap;
#[cfg(feature = "templates")]
use std::collections::HashMap;
#[cfg(feature = "templates")]
use std::sync::{Arc, OnceLock};

#[cfg(feature = "templates")]
use tera::Tera;

use crate::blueprint::Value;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

use super::OutputFormat;

/// The embedded templates: (name relative to `templates/`, text).
macro_rules! embedded_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../templates/", $name))),)*]
    };
}

static EMBEDDED: &[(&str, &str)] = embedded_templates![
    "terraform/providers.tf.tera",
    "terraform/main.tf.tera",
    "terraform/variables.tf.tera",
    "terraform/outputs.tf.tera",
    "terraform-json/main.tf.json.tera",
    "cloudformation/template.json.tera",
    "cloudformation-yaml/template.yaml.tera",
    "arm/azuredeploy.json.tera",
    "cdk-ts/lib/stack.ts.tera",
    "cdk-ts/bin/app.ts.tera",
    "cdk-ts/package.json.tera",
    "cdk-ts/cdk.json.tera",
    "cdk-ts/tsconfig.json.tera",
    "pulumi-yaml/Pulumi.yaml.tera",
    "pulumi-ts/index.ts.tera",
    "pulumi-ts/package.json.tera",
    "pulumi-ts/tsconfig.json.tera",
    "pulumi-ts/Pulumi.yaml.tera",
];

#[cfg(feature = "templates")]
/// A compiled set of templates: the embedded ones of `templates/<format>/`, with some replaced
/// or added by the caller. Build it once and reuse it (it is cheap to clone and `Send + Sync`).
///
/// Template names are paths relative to the template folder: `terraform/main.tf.tera` renders
/// `main.tf` for the `terraform` format. Every `<format>/<path>.tera` whose file name does not
/// start with `_` produces the file `<path>`; `_`-prefixed templates are for `include`/`import`.
/// A template that renders to nothing but whitespace produces no file. The variables and
/// filters a template gets are documented in `templates/README.md`.
///
/// ```
/// use iac_dharma::{generate, GenerateOptions, OutputFormat, TemplateSet};
/// let set = TemplateSet::with_overrides([(
///     "terraform/README.md.tera".to_string(),
///     "# {{ blueprint.name }}\n".to_string(),
/// )])?;
/// let bp = iac_dharma::parse(r#"{"name":"demo","version":"1.0.0","provider":"aws","region":"us-east-1","resources":[]}"#)?;
/// let mut options = GenerateOptions::default();
/// options.templates = Some(set);
/// let files = generate(&bp, OutputFormat::Terraform, &options)?;
/// assert_eq!(files.get("README.md"), Some("# demo\n"));
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Clone)]
pub struct TemplateSet {
    tera: Arc<Tera>,
    names: Vec<String>,
    /// Formats with a template that is not an embedded one (replaced or added): their context
    /// carries the data variables too (see [`TemplateSet::is_embedded`]).
    custom: Vec<String>,
    /// The templates that print one variable and nothing else, by name.
    printed: HashMap<String, Printed>,
}

/// A template whose whole text is `{{ var }}` followed by whitespace: it prints the variable
/// (a string, as it is: autoescape is off) followed by that whitespace.
#[derive(Debug, Clone)]
struct Printed {
    var: String,
    suffix: String,
}

impl Printed {
    /// The variable a template prints, when that is all it does.
    fn of(text: &str) -> Option<Printed> {
        let rest = text.strip_prefix("{{")?;
        let end = rest.find("}}")?;
        let var = rest.get(..end)?.trim_matches(' ');
        let suffix = rest.get(end + 2..)?;
        let ident = var
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            // Tera's literals and operators are not variables.
            && !matches!(
                var,
                "true" | "false" | "True" | "False" | "and" | "or" | "not" | "in" | "is"
            );
        let blank = suffix
            .bytes()
            .all(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'));
        (ident && blank).then(|| Printed {
            var: var.to_string(),
            suffix: suffix.to_string(),
        })
    }
}

/// What [`render_direct`] gives back.
pub(crate) enum Direct {
    /// The files of the format.
    Files(BTreeMap<String, String>),
    /// The format has an embedded template that only tera can render; the context, untouched.
    NeedsTera(Value),
}

/// The file template `name` renders when it belongs to the format of `prefix` (`<format>/`):
/// its path without the prefix and `.tera`; `None` for other formats, `_`-prefixed (included)
/// templates and the files in `skip`.
fn file_of<'n>(name: &'n str, prefix: &str, skip: &[&str]) -> Option<&'n str> {
    let rel = name.strip_prefix(prefix)?.strip_suffix(".tera")?;
    let file_name = rel.rsplit('/').next().unwrap_or(rel);
    (!file_name.starts_with('_') && !rel.is_empty() && !skip.contains(&rel)).then_some(rel)
}

/// Renders the embedded templates of `format` (but those of the files in `skip`) with
/// `context`, without tera, when each of them prints one variable ([`Printed`]) or is a
/// Terraform file the engine writes itself ([`super::terraform::embedded_file`]); the files are
/// what tera renders from them (a file that renders to nothing but whitespace is left out).
pub(crate) fn render_direct(
    format: OutputFormat,
    mut context: Value,
    skip: &[&str],
) -> Result<Direct> {
    let prefix = format!("{}/", format.as_str());
    let templates: Vec<(&str, &str, &str)> = EMBEDDED
        .iter()
        .filter_map(|&(name, text)| Some((name, file_of(name, &prefix, skip)?, text)))
        .collect();
    let direct = |rel: &str, text: &str| {
        Printed::of(text).is_some()
            || (format == OutputFormat::Terraform
                && super::terraform::EMBEDDED_FILES.contains(&rel))
    };
    if !templates.iter().all(|(_, rel, text)| direct(rel, text)) {
        return Ok(Direct::NeedsTera(context));
    }
    let mut files = BTreeMap::new();
    for (name, rel, text) in templates {
        let written = match Printed::of(text) {
            // Each printed variable is printed once (the embedded templates print different
            // ones), so it is moved out of the context.
            Some(p) => match context.as_object_mut().and_then(|m| m.remove(&p.var)) {
                Some(Value::String(mut s)) => {
                    s.push_str(&p.suffix);
                    Ok(s)
                }
                _ => Err(format!("the context has no text `{}`", p.var)),
            },
            None => super::terraform::embedded_file(rel, &context),
        };
        let text = written.map_err(|message| {
            Error::single(
                ErrorKind::Generate,
                Finding::error(Code::TemplateError, name, message),
            )
        })?;
        if !text.trim().is_empty() {
            files.insert(rel.to_string(), text);
        }
    }
    Ok(Direct::Files(files))
}

#[cfg(feature = "templates")]
impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet")
            .field("names", &self.names)
            .finish()
    }
}

#[cfg(feature = "templates")]
impl TemplateSet {
    /// The embedded templates, as (name, text) pairs: a starting point for custom ones.
    pub fn embedded_sources() -> impl Iterator<Item = (&'static str, &'static str)> {
        EMBEDDED.iter().copied()
    }

    /// The embedded templates with `templates` (name → text) replacing those of the same name
    /// and adding the others.
    ///
    /// # Errors
    /// A [`ErrorKind::Generate`] error (`template_error`) when a template does not compile, or
    /// when its name is not a plain relative path (`terraform/main.tf.tera`): a name with `..`,
    /// a leading `/` or an empty part would name a file outside the output folder.
    pub fn with_overrides<I>(templates: I) -> Result<TemplateSet>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut all: BTreeMap<String, String> = EMBEDDED
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        let mut custom: Vec<String> = Vec::new();
        for (name, text) in templates {
            let name = name.replace('\\', "/");
            if name
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            {
                return Err(Error::single(
                    ErrorKind::Generate,
                    Finding::error(
                        Code::TemplateError,
                        name.clone(),
                        format!("`{name}` is not a template name: use a relative path such as `terraform/main.tf.tera`, without `..`, `.` or empty parts"),
                    ),
                ));
            }
            let same = EMBEDDED.iter().any(|(n, t)| *n == name && *t == text);
            if !same {
                let format = name.split('/').next().unwrap_or_default().to_string();
                if !custom.contains(&format) {
                    custom.push(format);
                }
            }
            all.insert(name, text);
        }
        TemplateSet::compile(all, custom)
    }

    fn compile(all: BTreeMap<String, String>, custom: Vec<String>) -> Result<TemplateSet> {
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        register_filters(&mut tera);
        tera.add_raw_templates(all.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error("", &e))?;
        let printed = all
            .iter()
            .filter_map(|(n, t)| Printed::of(t).map(|p| (n.clone(), p)))
            .collect();
        Ok(TemplateSet {
            tera: Arc::new(tera),
            names: all.into_keys().collect(),
            custom,
            printed,
        })
    }

    /// Whether every template of `format` is an embedded one, unchanged. The embedded templates
    /// print text the engine has already written (`template_json`, each resource's `block`);
    /// replaced or added templates also get the data those texts come from (`template`, the
    /// resources' properties), which costs building it.
    pub(crate) fn is_embedded(&self, format: OutputFormat) -> bool {
        !self.custom.iter().any(|f| f == format.as_str())
    }

    /// The template names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Renders every file template of `format` with `context` (a JSON object), but those of the
    /// files in `skip` (written by the engine).
    ///
    /// A template that prints one string variable and nothing else (`{{ template_json }}` and
    /// whitespace, see [`Printed`]) is not run through tera: the file is the string itself with
    /// the whitespace after it, what tera prints (autoescape is off), moved out of the context
    /// when no other template of the format needs it, so a multi-megabyte document is neither
    /// copied into tera's output nor checked for UTF-8 again.
    pub(crate) fn render(
        &self,
        format: OutputFormat,
        mut context: Value,
        skip: &[&str],
    ) -> Result<BTreeMap<String, String>> {
        let prefix = format!("{}/", format.as_str());
        let mut files = BTreeMap::new();
        let templates: Vec<(&str, &str)> = self
            .names
            .iter()
            .filter_map(|name| Some((name.as_str(), file_of(name, &prefix, skip)?)))
            .collect();
        // The printed variables, each moved out when it is the only use of it among this
        // format's templates (a template not known to print one variable may use any).
        let all_printed = templates
            .iter()
            .all(|(name, _)| self.printed.contains_key(*name));
        let mut direct: Vec<(&str, String)> = Vec::new();
        if let Value::Object(map) = &mut context {
            for (name, rel) in &templates {
                let Some(p) = self.printed.get(*name) else {
                    continue;
                };
                let uses = templates
                    .iter()
                    .filter(|(n, _)| self.printed.get(*n).is_some_and(|q| q.var == p.var))
                    .count();
                let text = if all_printed && uses == 1 {
                    match map.remove(&p.var) {
                        Some(Value::String(s)) => Some(s),
                        Some(other) => {
                            // Not a string: tera prints it its own way.
                            map.insert(p.var.clone(), other);
                            None
                        }
                        None => None,
                    }
                } else {
                    map.get(&p.var).and_then(Value::as_str).map(str::to_string)
                };
                if let Some(mut text) = text {
                    text.push_str(&p.suffix);
                    direct.push((rel, text));
                }
            }
            map.insert("format".into(), Value::String(format.as_str().into()));
        }
        for (rel, text) in direct {
            if !text.trim().is_empty() {
                files.insert(rel.to_string(), text);
            }
        }
        let ctx = tera::Context::from_value(context).map_err(|e| template_error("", &e))?;
        for (name, rel) in templates {
            if files.contains_key(rel) {
                continue;
            }
            let text = self
                .tera
                .render(name, &ctx)
                .map_err(|e| template_error(name, &e))?;
            if !text.trim().is_empty() {
                files.insert(rel.to_string(), text);
            }
        }
        // A context holds every resource: freed in batches (see `crate::memory`).
        crate::memory::free_value(ctx.into_json());
        Ok(files)
    }
}

#[cfg(feature = "templates")]
/// The embedded template set, compiled on first use.
pub(crate) fn embedded() -> Result<&'static TemplateSet> {
    static SET: OnceLock<std::result::Result<TemplateSet, Error>> = OnceLock::new();
    SET.get_or_init(|| {
        TemplateSet::compile(
            EMBEDDED
                .iter()
                .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
                .collect(),
            Vec::new(),
        )
    })
    .as_ref()
    .map_err(Clone::clone)
}

#[cfg(feature = "templates")]
/// A `template_error` with the whole cause chain of a tera error (its own message is only the
/// outermost "failed to render").
fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::single(
        ErrorKind::Generate,
        Finding::error(Code::TemplateError, name, message),
    )
}

#[cfg(feature = "templates")]
type FilterArgs = HashMap<String, Value>;

#[cfg(feature = "templates")]
/// A string filter argument, or `default`.
pub(crate) fn arg_str<'a>(args: &'a FilterArgs, name: &str, default: &'a str) -> &'a str {
    args.get(name).and_then(Value::as_str).unwrap_or(default)
}

#[cfg(feature = "templates")]
/// A whole-number filter argument, or `default`.
pub(crate) fn arg_usize(args: &FilterArgs, name: &str, default: usize) -> usize {
    args.get(name)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(default)
}

#[cfg(feature = "templates")]
fn register_filters(tera: &mut Tera) {
    tera.register_filter("hcl_string", super::hcl::filter_string);
    tera.register_filter("hcl_value", super::hcl::filter_value);
    tera.register_filter("hcl_literal", super::hcl::filter_literal);
    tera.register_filter("hcl_body", super::hcl::filter_body);
    tera.register_filter("hcl_resource_body", super::hcl::filter_resource_body);
    tera.register_filter("hcl_refs", super::hcl::filter_refs);
    tera.register_filter("hcl_ident", super::hcl::filter_ident);
    tera.register_filter("hcl_type", super::hcl::filter_type);
    tera.register_filter("hcl_comment", super::hcl::filter_comment);
    tera.register_filter("json", filter_json);
    tera.register_filter("ts_string", filter_ts_string);
    tera.register_filter("ts_comment", filter_ts_comment);
    tera.register_filter("yaml", filter_yaml);
}

#[cfg(feature = "templates")]
/// `json`: the value as pretty JSON (2-space indent); `indent=N` indents continuation lines by
/// N levels, to place the value inside a surrounding JSON text.
fn filter_json(value: &Value, args: &FilterArgs) -> tera::Result<Value> {
    let text = serde_json::to_string_pretty(value).map_err(|e| tera::Error::msg(e.to_string()))?;
    Ok(Value::String(indent_continuation(
        &text,
        arg_usize(args, "indent", 0),
        "  ",
    )))
}

#[cfg(feature = "templates")]
/// `yaml`: the value as a YAML document body (no `---`), strings quoted wherever YAML 1.1 or
/// 1.2 would read them as something else.
fn filter_yaml(value: &Value, _args: &FilterArgs) -> tera::Result<Value> {
    Ok(Value::String(super::yaml::to_yaml(value)))
}

#[cfg(feature = "templates")]
/// Indents every line but the first by `levels` × `unit`.
pub(crate) fn indent_continuation(text: &str, levels: usize, unit: &str) -> String {
    if levels == 0 || !text.contains('\n') {
        return text.to_string();
    }
    let pad = unit.repeat(levels);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(feature = "templates")]
/// `ts_string`: a string as a TypeScript string literal (JSON quoting, never a template literal).
fn filter_ts_string(value: &Value, _args: &FilterArgs) -> tera::Result<Value> {
    let s = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Value::String(super::idents::ts_string(&s)))
}

#[cfg(feature = "templates")]
/// `ts_comment`: text as `//` comment lines.
fn filter_ts_comment(value: &Value, _args: &FilterArgs) -> tera::Result<Value> {
    let text = value.as_str().unwrap_or_default();
    let lines: Vec<String> = text
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(|l| format!("// {l}").trim_end().to_string())
        .collect();
    Ok(Value::String(lines.join("\n")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn printed_templates_are_recognized() {
        let p = Printed::of("{{ template_json }}\n").unwrap();
        assert_eq!((p.var.as_str(), p.suffix.as_str()), ("template_json", "\n"));
        assert!(Printed::of("{{template_yaml}}").is_some());
        for not in [
            "{{ a }}x",
            "x{{ a }}",
            "{{ a | json }}",
            "{{- a }}",
            "{{ a.b }}",
            "{{ true }}",
            "{% for r in resources %}{{ r }}{% endfor %}",
            "{{ a }}{{ b }}",
        ] {
            assert!(Printed::of(not).is_none(), "{not}");
        }
    }

    #[test]
    #[cfg(feature = "templates")]
    fn template_names_stay_inside_the_output_folder() {
        for name in [
            "terraform/../../outside.tf.tera",
            "/etc/x.tera",
            "terraform//a.tera",
        ] {
            let e = TemplateSet::with_overrides([(name.to_string(), "x".to_string())]).unwrap_err();
            assert_eq!(e.findings()[0].code, Code::TemplateError, "{name}");
        }
        TemplateSet::with_overrides([("terraform/extra.tf.tera".to_string(), "x".to_string())])
            .unwrap();
    }
}
