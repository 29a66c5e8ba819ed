//! `generate`: a checked blueprint in, infrastructure code out (Terraform HCL or JSON,
//! CloudFormation JSON or YAML, ARM, Pulumi YAML or TypeScript, AWS CDK TypeScript).
//!
//! Every format works in two steps:
//!
//! 1. **Lowering** (Rust): the blueprint becomes the target's own data model — references become
//!    Terraform expressions, `Ref`/`Fn::GetAtt`, `reference()`, Pulumi outputs or CDK attributes;
//!    resource names become the target's identifiers; types and properties are mapped with the
//!    data in `catalog/formats/`. Anything a format cannot express is an error here, with a path.
//! 2. **Rendering** (tera): the templates in `templates/<format>/` lay out the files. Values are
//!    always written through the escaping filters (`hcl_value`, `json`, `yaml`, `ts_value`, ...),
//!    which are backed by real serializers, so a user string is never interpreted by the target
//!    tool. `templates/README.md` documents the variables and filters every template gets.
//!
//! The embedded templates are compiled once per process; a caller may replace or add templates
//! with a [`TemplateSet`]. The engine writes the files of the embedded Terraform, Terraform JSON,
//! CloudFormation and ARM templates itself, byte for byte what tera renders from them, so a build
//! without the `templates` feature (no tera: the WebAssembly package's default module) generates
//! those formats too; the Pulumi and CDK formats and caller templates need tera (the engine
//! writes the big file of each of the Pulumi and CDK formats, `Pulumi.yaml`, `index.ts`,
//! `lib/stack.ts`, itself too, and tera lays out their small ones).

// The formats behind a cargo feature (see `core/Cargo.toml`; all on by default).
#[cfg(feature = "generate-arm")]
mod arm;
#[cfg(feature = "generate-cdk")]
mod cdk;
#[cfg(feature = "generate-cloudformation")]
mod cloudformation;
mod hcl;
mod idents;
#[cfg(any(feature = "generate-arm", feature = "generate-cloudformation"))]
mod mapping;
mod node;
#[cfg(feature = "generate-pulumi")]
mod pulumi;
#[cfg(feature = "generate-pulumi")]
mod pulumi_map;
mod templates;
mod terraform;
mod values;
mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::catalog::Provider;
use crate::check::CheckedBlueprint;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

#[cfg(feature = "templates")]
pub use templates::TemplateSet;

/// An output format of [`generate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OutputFormat {
    /// Terraform HCL: `main.tf`, `variables.tf`, `outputs.tf`, `providers.tf` (`terraform fmt` clean).
    #[serde(rename = "terraform")]
    Terraform,
    /// Terraform JSON syntax: `main.tf.json`.
    #[serde(rename = "terraform-json")]
    TerraformJson,
    /// AWS CloudFormation, JSON: `template.json`.
    #[serde(rename = "cloudformation")]
    CloudFormation,
    /// AWS CloudFormation, YAML: `template.yaml`.
    #[serde(rename = "cloudformation-yaml")]
    CloudFormationYaml,
    /// Azure Resource Manager template: `azuredeploy.json`, deployed into the blueprint's
    /// resource group (see `templates/README.md`).
    ///
    /// ```
    /// use iac_dharma::{generate, GenerateOptions, OutputFormat};
    /// # if !OutputFormat::Arm.is_built() { return Ok(()); }
    /// let bp = iac_dharma::parse(r#"
    /// name: demo
    /// version: 1.0.0
    /// provider: azure
    /// region: westeurope
    /// resources:
    ///   - {type: azurerm_resource_group, name: rg, properties: {name: rg-demo, location: westeurope}}
    ///   - type: azurerm_virtual_network
    ///     name: vnet
    ///     properties: {name: vnet-demo, location: "${rg.location}", resource_group_name: "${rg.name}", address_space: [10.0.0.0/16]}
    ///   - type: azurerm_subnet
    ///     name: app
    ///     properties: {name: app, resource_group_name: "${rg.name}", virtual_network_name: "${vnet.name}", address_prefixes: [10.0.1.0/24]}
    /// "#)?;
    /// let files = generate(&bp, OutputFormat::Arm, &GenerateOptions::default())?;
    /// let t: serde_json::Value = serde_json::from_str(files.get("azuredeploy.json").unwrap()).unwrap();
    /// // The subnet is an item of its network's `properties.subnets` (see `templates/README.md`).
    /// assert_eq!(t["resources"][0]["name"], "vnet-demo");
    /// assert_eq!(t["resources"][0]["properties"]["subnets"][0]["name"], "app");
    /// # Ok::<(), iac_dharma::Error>(())
    /// ```
    #[serde(rename = "arm")]
    Arm,
    /// Pulumi YAML program on the bridged providers (`@pulumi/aws`, `@pulumi/azure`,
    /// `@pulumi/gcp`): `Pulumi.yaml`.
    #[serde(rename = "pulumi-yaml")]
    PulumiYaml,
    /// Pulumi TypeScript program on the bridged providers: `index.ts`, `package.json`,
    /// `tsconfig.json`, `Pulumi.yaml`.
    #[serde(rename = "pulumi-ts")]
    PulumiTs,
    /// AWS CDK TypeScript app with L1 (`Cfn*`) constructs: `lib/stack.ts`, `bin/app.ts`,
    /// `package.json`, `cdk.json`.
    #[serde(rename = "cdk-ts")]
    CdkTs,
}

impl OutputFormat {
    /// Every format, in documentation order.
    pub const ALL: [OutputFormat; 8] = [
        OutputFormat::Terraform,
        OutputFormat::TerraformJson,
        OutputFormat::CloudFormation,
        OutputFormat::CloudFormationYaml,
        OutputFormat::Arm,
        OutputFormat::PulumiYaml,
        OutputFormat::PulumiTs,
        OutputFormat::CdkTs,
    ];

    /// The format id used on the command line and in the bindings (`terraform`, `cdk-ts`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Terraform => "terraform",
            OutputFormat::TerraformJson => "terraform-json",
            OutputFormat::CloudFormation => "cloudformation",
            OutputFormat::CloudFormationYaml => "cloudformation-yaml",
            OutputFormat::Arm => "arm",
            OutputFormat::PulumiYaml => "pulumi-yaml",
            OutputFormat::PulumiTs => "pulumi-ts",
            OutputFormat::CdkTs => "cdk-ts",
        }
    }

    /// The providers whose blueprints this format can express.
    pub fn providers(self) -> &'static [Provider] {
        match self {
            OutputFormat::Terraform
            | OutputFormat::TerraformJson
            | OutputFormat::PulumiYaml
            | OutputFormat::PulumiTs => &Provider::ALL,
            OutputFormat::CloudFormation
            | OutputFormat::CloudFormationYaml
            | OutputFormat::CdkTs => &[Provider::Aws],
            OutputFormat::Arm => &[Provider::Azure],
        }
    }

    /// The cargo feature of `iac-dharma` that builds this format in, for those a build can leave
    /// out (`None`: always built).
    pub fn feature(self) -> Option<&'static str> {
        match self {
            OutputFormat::Terraform | OutputFormat::TerraformJson => None,
            OutputFormat::CloudFormation | OutputFormat::CloudFormationYaml => {
                Some("generate-cloudformation")
            }
            OutputFormat::Arm => Some("generate-arm"),
            OutputFormat::PulumiYaml | OutputFormat::PulumiTs => Some("generate-pulumi"),
            OutputFormat::CdkTs => Some("generate-cdk"),
        }
    }

    /// Whether this build of the engine generates this format (see [`OutputFormat::feature`]; a
    /// default build generates every format).
    ///
    /// ```
    /// use iac_dharma::OutputFormat;
    /// assert!(OutputFormat::Terraform.is_built());
    /// ```
    pub fn is_built(self) -> bool {
        match self {
            OutputFormat::Terraform | OutputFormat::TerraformJson => true,
            OutputFormat::CloudFormation | OutputFormat::CloudFormationYaml => {
                cfg!(feature = "generate-cloudformation")
            }
            OutputFormat::Arm => cfg!(feature = "generate-arm"),
            OutputFormat::PulumiYaml | OutputFormat::PulumiTs => cfg!(feature = "generate-pulumi"),
            OutputFormat::CdkTs => cfg!(feature = "generate-cdk"),
        }
    }

    /// Whether this format can express blueprints of `provider`.
    pub fn supports(self, provider: Provider) -> bool {
        self.providers().contains(&provider)
    }

    /// The formats that can express blueprints of `provider`.
    pub fn for_provider(provider: Provider) -> Vec<OutputFormat> {
        OutputFormat::ALL
            .into_iter()
            .filter(|f| f.supports(provider))
            .collect()
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutputFormat {
    type Err = Error;

    /// Parses a format id.
    ///
    /// ```
    /// use iac_dharma::OutputFormat;
    /// assert_eq!("cdk-ts".parse::<OutputFormat>().unwrap(), OutputFormat::CdkTs);
    /// let err = "terraform-hcl".parse::<OutputFormat>().unwrap_err();
    /// assert_eq!(err.code().as_str(), "unknown_format");
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        OutputFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let ids: Vec<&str> = OutputFormat::ALL.iter().map(|f| f.as_str()).collect();
                Error::single(
                    ErrorKind::InvalidInput,
                    Finding::error(
                        Code::UnknownFormat,
                        "format",
                        format!(
                            "unknown output format `{s}`; expected one of {}",
                            ids.join(", ")
                        ),
                    )
                    .with_suggestion(crate::suggest::did_you_mean(s, ids.iter().copied())),
                )
            })
    }
}

/// Options of [`generate`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct GenerateOptions {
    /// Templates replacing or adding to the embedded ones (see [`TemplateSet`]); `None` uses the
    /// embedded templates. Only in builds with the `templates` feature (tera; on by default).
    #[cfg(feature = "templates")]
    pub templates: Option<TemplateSet>,
}

/// The generated files: relative path (`main.tf`, `lib/stack.ts`) to text, sorted by path.
///
/// Serializes as a plain JSON object `{path: text}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GeneratedFiles {
    /// Path (relative, `/`-separated) to file content.
    pub files: BTreeMap<String, String>,
}

impl GeneratedFiles {
    /// The content of one file.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The file paths, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Generates infrastructure code for a checked blueprint.
///
/// ```
/// use iac_dharma::{generate, GenerateOptions, OutputFormat};
/// let bp = iac_dharma::parse(r#"
/// name: demo
/// version: 1.0.0
/// provider: aws
/// region: us-east-1
/// resources:
///   - {type: aws_vpc, name: main, properties: {cidr_block: 10.0.0.0/16}}
///   - type: aws_subnet
///     name: public
///     properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
/// "#)?;
/// let files = generate(&bp, OutputFormat::Terraform, &GenerateOptions::default())?;
/// let main = files.get("main.tf").unwrap();
/// assert!(main.contains("vpc_id     = aws_vpc.main.id"));
/// # Ok::<(), iac_dharma::Error>(())
/// ```
///
/// # Errors
/// A [`ErrorKind::Generate`] error when the format does not support the blueprint's provider
/// (`unsupported_provider`), when a resource type, property or referenced attribute has no
/// equivalent in the format (`unmapped_type`, `unmapped_property`, `unmapped_attribute`, each
/// with the path in the blueprint), when two names would become the same identifier
/// (`name_collision`), or when a caller-supplied template fails (`template_error`). An
/// [`ErrorKind::InvalidInput`] error (`unsupported_format`) when this build of the engine leaves
/// the format out (see [`OutputFormat::is_built`]).
pub fn generate(
    bp: &CheckedBlueprint,
    format: OutputFormat,
    options: &GenerateOptions,
) -> Result<GeneratedFiles> {
    if !format.is_built() {
        return Err(not_built(format));
    }
    let provider = bp.provider();
    if !format.supports(provider) {
        let supported: Vec<&str> = OutputFormat::for_provider(provider)
            .iter()
            .map(|f| f.as_str())
            .collect();
        return Err(Error::single(
            ErrorKind::Generate,
            Finding::error(
                Code::UnsupportedProvider,
                "provider",
                format!(
                    "format {format} cannot express {provider} blueprints; for {provider} use one of {}",
                    supported.join(", ")
                ),
            ),
        ));
    }
    // Templates of the caller's that replace or add to this format's embedded ones render
    // through tera, with the data variables too (built only for them).
    #[cfg(feature = "templates")]
    let data = options
        .templates
        .as_ref()
        .is_some_and(|set| !set.is_embedded(format));
    #[cfg(not(feature = "templates"))]
    let data = false;
    // The Pulumi and CDK generators write the big file of the embedded templates themselves
    // (then their context holds only what the other templates use).
    #[allow(unused_mut)] // assigned only in builds with those formats
    let mut direct_file: Option<(&str, String)> = None;
    let context = match format {
        OutputFormat::Terraform => terraform::context(bp, false, data)?,
        OutputFormat::TerraformJson => terraform::context(bp, true, data)?,
        #[cfg(feature = "generate-cloudformation")]
        OutputFormat::CloudFormation => cloudformation::context(bp, false, data)?,
        #[cfg(feature = "generate-cloudformation")]
        OutputFormat::CloudFormationYaml => cloudformation::context(bp, true, data)?,
        #[cfg(feature = "generate-cdk")]
        OutputFormat::CdkTs => {
            let (context, file) = cdk::context(bp, !data)?;
            direct_file = file.map(|text| ("lib/stack.ts", text));
            context
        }
        #[cfg(feature = "generate-arm")]
        OutputFormat::Arm => arm::context(bp, data)?,
        #[cfg(feature = "generate-pulumi")]
        OutputFormat::PulumiYaml => {
            let (context, file) = pulumi::yaml_context(bp, !data)?;
            direct_file = file.map(|text| ("Pulumi.yaml", text));
            context
        }
        #[cfg(feature = "generate-pulumi")]
        OutputFormat::PulumiTs => {
            let (context, file) = pulumi::ts_context(bp, !data)?;
            direct_file = file.map(|text| ("index.ts", text));
            context
        }
        #[allow(unreachable_patterns)] // only reached in builds that leave formats out
        _ => return Err(not_built(format)),
    };
    // With the embedded templates, the engine writes `main.tf` itself (see `terraform::main_tf`).
    let written = match format {
        OutputFormat::Terraform if !data => Some(("main.tf", terraform::main_tf(bp)?)),
        _ => direct_file.map(|(path, text)| (path, Some(text))),
    };
    let skip: &[&str] = match &written {
        Some((path, _)) => &[path],
        None => &[],
    };
    // The embedded templates: rendered by the engine itself where it can (every format but the
    // Pulumi and CDK ones), by tera otherwise.
    let direct = match custom_render(options, format, context, skip)? {
        Ok(files) => return finish(format, files, written),
        Err(context) => templates::render_direct(format, context, skip)?,
    };
    let files = match direct {
        templates::Direct::Files(files) => files,
        #[cfg(feature = "templates")]
        templates::Direct::NeedsTera(context) => {
            templates::embedded()?.render(format, context, skip)?
        }
        #[cfg(not(feature = "templates"))]
        templates::Direct::NeedsTera(_) => return Err(not_built(format)),
    };
    finish(format, files, written)
}

/// The files of the caller's templates for `format`, when it has some (`Err` gives the context
/// back otherwise).
#[cfg(feature = "templates")]
fn custom_render(
    options: &GenerateOptions,
    format: OutputFormat,
    context: serde_json::Value,
    skip: &[&str],
) -> Result<std::result::Result<BTreeMap<String, String>, serde_json::Value>> {
    match options
        .templates
        .as_ref()
        .filter(|set| !set.is_embedded(format))
    {
        Some(set) => Ok(Ok(set.render(format, context, skip)?)),
        None => Ok(Err(context)),
    }
}

/// Without the `templates` feature there are no caller templates: the context back.
#[cfg(not(feature = "templates"))]
fn custom_render(
    _: &GenerateOptions,
    _: OutputFormat,
    context: serde_json::Value,
    _: &[&str],
) -> Result<std::result::Result<BTreeMap<String, String>, serde_json::Value>> {
    Ok(Err(context))
}

/// The generated files of `format`: `.tf` files tidied, the file the engine wrote added.
fn finish(
    format: OutputFormat,
    mut files: BTreeMap<String, String>,
    written: Option<(&str, Option<String>)>,
) -> Result<GeneratedFiles> {
    if format == OutputFormat::Terraform {
        for (path, text) in files.iter_mut() {
            if path.ends_with(".tf") {
                *text = hcl::finish(text);
            }
        }
    }
    if let Some((path, Some(text))) = written {
        files.insert(path.to_string(), text);
    }
    Ok(GeneratedFiles { files })
}

/// The `blueprint` variable every template gets.
pub(crate) fn blueprint_context(bp: &CheckedBlueprint) -> serde_json::Value {
    let doc = bp.blueprint();
    serde_json::json!({
        "name": doc.name,
        "version": doc.version,
        "description": doc.description,
        "provider": bp.provider().as_str(),
        "region": doc.region,
    })
}

/// `object` (a JSON object built with `json!`) with `entries` added, moved in: `json!` copies
/// every value it is given through serde, which for the big parts of a context (every resource's
/// code or data) is a deep copy of them.
pub(crate) fn with_entries<const N: usize>(
    mut object: serde_json::Value,
    entries: [(&str, serde_json::Value); N],
) -> serde_json::Value {
    if let serde_json::Value::Object(m) = &mut object {
        for (k, v) in entries {
            m.insert(k.to_string(), v);
        }
    }
    object
}

/// The error of a format this build leaves out (see [`OutputFormat::is_built`]).
fn not_built(format: OutputFormat) -> Error {
    let feature = format.feature().unwrap_or_default();
    Error::single(
        ErrorKind::InvalidInput,
        Finding::error(
            Code::UnsupportedFormat,
            "format",
            format!(
                "output format {format} is not in this build of the engine (built without the \
                 `{feature}` feature of iac-dharma)"
            ),
        ),
    )
}

/// A generate error with one finding.
pub(crate) fn gen_error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::single(ErrorKind::Generate, Finding::error(code, path, message))
}
