//! `dharma`: the IAC Dharma command line.
//!
//! Exit codes: 0 success; 1 the check ran and failed (policy violations, budget exceeded);
//! 2 bad input or usage (message on stderr, nothing half-written); 3 `dharma pipeline` only: the
//! change needs a person's approval.

mod estimate;
mod generate;
mod input;
mod pipeline;
mod plan;
mod report;
mod validate;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use iac_dharma::GraphFormat;

use crate::input::load_blueprint;
use crate::report::{counted, Reporter};

/// IAC Dharma: blueprints in, infrastructure code, guardrails, cost and change plans out.
#[derive(Parser, Debug)]
#[command(name = "dharma", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check a blueprint (names, regions, types, arguments, references, cycles).
    Check {
        /// Blueprint file (JSON or YAML); `-` reads standard input.
        blueprint: String,
    },
    /// Print the dependency graph of a blueprint.
    Graph {
        /// Blueprint file (JSON or YAML); `-` reads standard input.
        blueprint: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = GraphArg::Dot)]
        format: GraphArg,
    },
    /// Print the JSON Schema of the blueprint format (for editors and CI).
    Schema,
    /// Check a blueprint or a Terraform plan JSON against guardrail policies (built-in and yours).
    Validate(validate::ValidateArgs),
    /// Show what changes from one blueprint to another: actions per resource instance, attribute
    /// changes, replacement reasons, the order in parallel waves, and the version bump needed.
    Plan {
        /// The old blueprint (what is deployed today).
        old: String,
        /// The new blueprint.
        new: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = plan::PlanFormat::Text)]
        format: plan::PlanFormat,
        /// Exit 1 when the plan has changes (0 when there is nothing to do; errors stay 2).
        /// Unlike terraform's flag of the same name, "changes present" is 1, since dharma keeps 2
        /// for bad input.
        #[arg(long, alias = "exit-code")]
        detailed_exitcode: bool,
        /// Show the rollback plan instead: what restores OLD from NEW, and its order.
        #[arg(long)]
        rollback: bool,
        /// Exit 1 when NEW declares a version lower than its changes require (a major bump for
        /// deletes and replaces, minor for creates, patch for in-place updates).
        #[arg(long)]
        check_version: bool,
    },
    /// Compare a blueprint with deployed Terraform state (a state file, version 4, or
    /// `terraform show -json` output): resources missing, unmanaged, and changed.
    Drift {
        /// Blueprint file (JSON or YAML).
        blueprint: String,
        /// Terraform state file (`terraform.tfstate`, `terraform state pull` or `terraform show -json`).
        #[arg(long)]
        state: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = plan::PlanFormat::Text)]
        format: plan::PlanFormat,
        /// Exit 1 when there is drift (0 when the state matches; errors stay 2).
        #[arg(long, alias = "exit-code")]
        detailed_exitcode: bool,
    },
    /// Validate, estimate, generate and plan (or drift) in one run, and decide: ready (exit 0),
    /// blocked (1) or needs approval (3).
    Pipeline(Box<pipeline::PipelineArgs>),
    /// Estimate the monthly cost of a blueprint (exit 1 when over --budget).
    Estimate(estimate::EstimateArgs),
    /// Show what a change to a blueprint adds to or saves from the monthly bill, per resource.
    CostDiff(estimate::CostDiffArgs),
    /// Generate infrastructure code (Terraform, CloudFormation, ARM, Pulumi, CDK) from a blueprint.
    Generate {
        /// Blueprint file (JSON or YAML); `-` reads standard input.
        blueprint: String,
        /// Output format.
        #[arg(long, short, value_parser = clap::builder::PossibleValuesParser::new(
            iac_dharma::OutputFormat::ALL.map(|f| f.as_str())))]
        format: String,
        /// Folder to write the files to (created if missing). Its `.dharma-generated` lists them,
        /// and the next run removes those it no longer writes. Without it (or with `-`), a format
        /// that writes one file prints it to standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// Folder of templates replacing or adding to the built-in ones (`<format>/<file>.tera`).
        #[arg(long)]
        templates: Option<std::path::PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum GraphArg {
    Dot,
    Mermaid,
    Json,
}

impl From<GraphArg> for GraphFormat {
    fn from(g: GraphArg) -> Self {
        match g {
            GraphArg::Dot => GraphFormat::Dot,
            GraphArg::Mermaid => GraphFormat::Mermaid,
            GraphArg::Json => GraphFormat::Json,
        }
    }
}

/// How a command ended, mapped to the documented exit codes.
enum Outcome {
    Success,
    CheckFailed,
    BadInput,
    /// `dharma pipeline`: nothing blocks, but a person must approve (exit 3).
    NeedsApproval,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let reporter = Reporter::stderr();
    let outcome = match run(cli.command, &reporter) {
        Ok(o) => o,
        Err(()) => Outcome::BadInput,
    };
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::CheckFailed => ExitCode::from(1),
        Outcome::BadInput => ExitCode::from(2),
        Outcome::NeedsApproval => ExitCode::from(3),
    }
}

fn run(command: Command, reporter: &Reporter) -> Result<Outcome, ()> {
    match command {
        Command::Validate(args) => validate::run(args, reporter),
        Command::Pipeline(args) => pipeline::run(*args, reporter),
        Command::Schema => {
            let schema = iac_dharma::blueprint_json_schema();
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            print_stdout(&format!("{text}\n"));
            Ok(Outcome::Success)
        }
        Command::Check { blueprint } => {
            let bp = load_blueprint(&blueprint, reporter)?;
            reporter.warnings(&blueprint, bp.warnings());
            let warnings = match bp.warnings().len() {
                0 => String::new(),
                n => format!(", {}", counted(n, "warning", "warnings")),
            };
            print_stdout(&format!(
                "{}: ok ({}, {}{warnings})\n",
                blueprint,
                counted(bp.resources().len(), "resource", "resources"),
                counted(bp.graph().waves().len(), "wave", "waves"),
            ));
            Ok(Outcome::Success)
        }
        Command::Plan {
            old,
            new,
            format,
            detailed_exitcode,
            rollback,
            check_version,
        } => plan::plan(
            plan::PlanArgs {
                old,
                new,
                format,
                detailed_exitcode,
                rollback,
                check_version,
            },
            reporter,
        ),
        Command::Drift {
            blueprint,
            state,
            format,
            detailed_exitcode,
        } => plan::drift(
            plan::DriftArgs {
                blueprint,
                state,
                format,
                detailed_exitcode,
            },
            reporter,
        ),
        Command::Estimate(args) => estimate::run_estimate(args, reporter).map(|over| {
            if over {
                Outcome::CheckFailed
            } else {
                Outcome::Success
            }
        }),
        Command::CostDiff(args) => {
            estimate::run_cost_diff(args, reporter).map(|()| Outcome::Success)
        }
        Command::Generate {
            blueprint,
            format,
            output,
            templates,
        } => {
            generate::run(
                &blueprint,
                &format,
                output.as_deref(),
                templates.as_deref(),
                reporter,
            )?;
            Ok(Outcome::Success)
        }
        Command::Graph { blueprint, format } => {
            let bp = load_blueprint(&blueprint, reporter)?;
            reporter.warnings(&blueprint, bp.warnings());
            print_stdout(&iac_dharma::render_graph(&bp, format.into()));
            Ok(Outcome::Success)
        }
    }
}

/// Writes to stdout; a closed pipe (`dharma graph x | head`) is not an error.
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
