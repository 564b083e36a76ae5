//! `orch job plan`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use orch_model::{Environment, EnvironmentGraph, Level};
use orch_planner::{Format, PlanRequest, Target};

use crate::cli::CodeArgs;
use crate::commands::environment_source;
use crate::exit::Exit;

#[derive(Debug, Subcommand)]
pub(crate) enum JobCommand {
    /// Show the order in which a job would run Puppet on the target's nodes (runs nothing).
    Plan(PlanArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    code: CodeArgs,
    /// Target an application (every instance) or an application instance; repeatable.
    #[arg(
        short = 'a',
        long = "application",
        value_name = "NAME|NAME[TITLE]",
        conflicts_with = "nodes"
    )]
    applications: Vec<String>,
    /// Target these nodes: a,b,c or @FILE with one certname per line.
    #[arg(short = 'n', long = "nodes", value_name = "a,b,c|@FILE")]
    nodes: Option<String>,
    /// Most nodes to run at once (0: unlimited).
    #[arg(long, value_name = "N")]
    concurrency: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
    /// Plan from this environment graph (Puppet Server's /puppet/v3/environment JSON; `-` for
    /// stdin) instead of the Puppet code; its environment name is the plan's.
    #[arg(long, value_name = "FILE")]
    graph: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlanFormat {
    Text,
    Json,
    Dot,
    Mermaid,
}

impl From<PlanFormat> for Format {
    fn from(f: PlanFormat) -> Self {
        match f {
            PlanFormat::Text => Format::Text,
            PlanFormat::Json => Format::Json,
            PlanFormat::Dot => Format::Dot,
            PlanFormat::Mermaid => Format::Mermaid,
        }
    }
}

pub(crate) fn run(cmd: JobCommand) -> Exit {
    match cmd {
        JobCommand::Plan(args) => plan(&args),
    }
}

fn plan(args: &PlanArgs) -> Exit {
    let target = match target(args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Error: {e}");
            return Exit::InvalidInput;
        }
    };
    let graph = match environment_graph(args) {
        Ok(g) => g,
        Err(exit) => return exit,
    };
    let request = PlanRequest {
        target,
        concurrency: args.concurrency,
        extra_nodes: Vec::new(),
    };
    let plan = match orch_planner::plan(&graph, &request) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("Error: {e}");
            return Exit::InvalidInput;
        }
    };
    // Text and JSON carry the warnings; a picture does not, so they go to stderr.
    if matches!(args.format, PlanFormat::Dot | PlanFormat::Mermaid) {
        for w in &plan.warnings {
            eprintln!("Warning: {w}");
        }
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = orch_planner::write(&plan, args.format.into(), &mut stdout);
    // The process ends next: freeing millions of small strings one by one (a sixth of the run
    // at 100k nodes) would only delay the exit.
    std::mem::forget(plan);
    std::mem::forget(graph);
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => Exit::Success,
        // A reader that stops early (`| head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            eprintln!("Error: could not write the plan: {e}");
            Exit::Internal
        }
    }
}

fn target(args: &PlanArgs) -> Result<Target, String> {
    if let Some(nodes) = &args.nodes {
        let list = match nodes.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("could not read `{path}`: {e}"))?,
            None => nodes.clone(),
        };
        return Ok(Target::nodes(Target::split_node_list(&list)));
    }
    Target::applications(&args.applications).map_err(|e| e.to_string())
}

/// The environment graph to plan: `--graph` JSON, else the Puppet code evaluated as `orch app
/// show` does. Problems are printed here; `Err` carries the exit code.
fn environment_graph(args: &PlanArgs) -> Result<EnvironmentGraph, Exit> {
    if let Some(path) = &args.graph {
        let text = read_graph(path).map_err(|e| {
            eprintln!("Error: could not read `{}`: {e}", path.display());
            Exit::InvalidInput
        })?;
        return EnvironmentGraph::from_json(&text).map_err(|e| {
            let name = if path == Path::new("-") {
                "<stdin>".into()
            } else {
                path.display().to_string()
            };
            eprintln!("Error: {name}: {e}");
            Exit::InvalidInput
        });
    }
    let mut env = Environment::load(&environment_source(&args.code));
    let model = orch_model::compile(&mut env);
    let mut stderr = std::io::stderr().lock();
    for p in &model.problems {
        let _ = writeln!(stderr, "{p}");
    }
    if model.problems.iter().any(|p| p.level == Level::Error) {
        return Err(Exit::InvalidInput);
    }
    Ok(orch_model::graph(&model, &orch_model::select(&model, &[])))
}

fn read_graph(path: &Path) -> std::io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}
