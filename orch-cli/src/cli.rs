//! The command-line grammar (clap derive types only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Puppet Application Orchestration: parse, model, plan and run Puppet environments.
#[derive(Debug, Parser)]
#[command(name = "orch", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the Puppet code comes from (every command that reads an environment).
#[derive(Debug, Args)]
pub(crate) struct CodeArgs {
    /// A manifest file or an environment directory (default: $ORCH_MANIFEST, else the
    /// environment chosen by --codedir/--environment, else the current directory).
    #[arg(short = 'm', long = "manifest", env = "ORCH_MANIFEST")]
    pub(crate) manifest: Option<PathBuf>,
    /// Puppet code dir; the environment is DIR/environments/NAME.
    #[arg(long)]
    pub(crate) codedir: Option<PathBuf>,
    /// Environment name.
    #[arg(short = 'e', long = "environment", default_value = "production")]
    pub(crate) environment: String,
    /// Extra module directories, ':'-separated, after the environment's own.
    #[arg(long)]
    pub(crate) modulepath: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse, validate and dump Puppet code.
    #[command(subcommand)]
    Parser(ParserCommand),
    /// Show the applications of an environment.
    #[command(subcommand)]
    App(AppCommand),
    /// Plan, run and show jobs: Puppet runs on nodes, in dependency order.
    #[command(subcommand)]
    Job(crate::commands::job::JobCommand),
    /// Serve PE's orchestrator API v1 and a live web view of plans and jobs.
    Serve(Box<crate::commands::serve::ServeArgs>),
}

#[derive(Debug, Subcommand)]
pub(crate) enum AppCommand {
    /// Application instances, their components, nodes and capabilities.
    Show(AppShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AppShowArgs {
    #[command(flatten)]
    pub(crate) code: CodeArgs,
    /// Output format: Puppet's text layout, or the environment graph as JSON.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub(crate) format: ShowFormat,
    /// Applications (`Shop`) or instances (`Shop[prod]`) to show (default: all).
    pub(crate) targets: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ParserCommand {
    /// Check syntax and run static validation; problems go to stderr as Puppet prints them.
    Validate {
        #[command(flatten)]
        code: CodeArgs,
        /// The language to read: Puppet 5.5 (with application orchestration) or Puppet 7.
        #[arg(long, value_enum, default_value_t = Language::Puppet5)]
        language: Language,
        /// Files or directories (default: the environment's manifests and modules).
        paths: Vec<PathBuf>,
    },
    /// Print the syntax tree in Puppet's dump formats.
    Dump(DumpArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DumpArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Pn)]
    pub(crate) format: Format,
    /// Indent the output.
    #[arg(long)]
    pub(crate) pretty: bool,
    /// Also run static validation (a file with validation errors is not dumped).
    #[arg(long)]
    pub(crate) validate: bool,
    /// The language to read: Puppet 5.5 (with application orchestration) or Puppet 7.
    #[arg(long, value_enum, default_value_t = Language::Puppet5)]
    pub(crate) language: Language,
    /// Source text to dump instead of files.
    #[arg(short = 'e', long = "execute", conflicts_with = "files")]
    pub(crate) source: Option<String>,
    /// Files to dump.
    #[arg(required_unless_present = "source")]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Pn,
    Json,
    Old,
}

/// `--language`: which Puppet language the files are written in.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Language {
    /// Puppet 5.5: `application`, `site`, `produces`, `consumes` are keywords.
    #[value(name = "5.5")]
    Puppet5,
    /// Puppet 7: those four words are ordinary names.
    #[value(name = "7")]
    Puppet7,
}

impl From<Language> for orch_parser::Dialect {
    fn from(l: Language) -> Self {
        match l {
            Language::Puppet5 => orch_parser::Dialect::Puppet5,
            Language::Puppet7 => orch_parser::Dialect::Puppet7,
        }
    }
}
