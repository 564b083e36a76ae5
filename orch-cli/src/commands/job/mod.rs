//! `orch job plan|run|show|stop|prune`.

mod nodes;
mod output;
mod plan;
mod progress;
mod prune;
mod remote;
mod run;
mod show;
mod stop;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use orch_model::{Environment, EnvironmentGraph, Level};
use orch_planner::{Plan, PlanRequest, Target};

use crate::cli::CodeArgs;
use crate::commands::environment_source;
use crate::exit::Exit;
pub(crate) use nodes::{NodeAccessArgs, runtime, transport};

#[derive(Debug, Subcommand)]
pub(crate) enum JobCommand {
    /// Show the order in which a job would run Puppet on the target's nodes (runs nothing).
    Plan(plan::PlanArgs),
    /// Plan, record and run a job: Puppet runs on the target's nodes, in order.
    Run(Box<run::RunArgs>),
    /// List jobs, newest first, or show one job and its nodes (--follow: its events as they
    /// happen).
    Show(show::ShowArgs),
    /// Ask the process running a job to stop it: nothing new starts (--force: running nodes
    /// are interrupted too).
    Stop(stop::StopArgs),
    /// Delete old jobs that have ended, with their nodes and events.
    Prune(prune::PruneArgs),
}

pub(crate) fn run(cmd: JobCommand) -> Exit {
    match cmd {
        JobCommand::Plan(args) => plan::plan(&args),
        JobCommand::Run(args) => run::run(*args),
        JobCommand::Show(args) => show::show(&args),
        JobCommand::Stop(args) => stop::stop(&args),
        JobCommand::Prune(args) => prune::prune(&args),
    }
}

/// Prints a store error: an unknown job is invalid input (exit 2), anything else exit 3.
fn store_error(e: &orch_runner::Error) -> Exit {
    match e {
        orch_runner::Error::UnknownJob { id, .. } => {
            eprintln!("Error: no job {id}");
            Exit::InvalidInput
        }
        e => {
            eprintln!("Error: {e}");
            Exit::Internal
        }
    }
}

/// A time as `--since` and `--older-than` take it: RFC 3339, or an age (`30m`, `2h`, `7d`).
fn parse_time(text: &str) -> Result<orch_runner::Timestamp, String> {
    orch_runner::parse_time_or_age(text, orch_runner::Timestamp::now()).map_err(|e| e.to_string())
}

/// JSON as the job commands print it: pretty, with a final newline.
fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("jobs serialize");
    text.push('\n');
    text
}

/// What to plan: the code (or a graph) and the target. Shared by `job plan` and `job run`.
#[derive(Debug, Args)]
pub(crate) struct PlanSourceArgs {
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
    /// Plan from this environment graph (Puppet Server's /puppet/v3/environment JSON; `-` for
    /// stdin) instead of the Puppet code; its environment name is the plan's.
    #[arg(long, value_name = "FILE")]
    graph: Option<PathBuf>,
}

impl PlanSourceArgs {
    /// The plan, with the graph it came from. Problems are printed here; `Err` carries the
    /// exit code.
    fn plan(
        &self,
        concurrency: Option<u32>,
        extra_nodes: Vec<String>,
    ) -> Result<(Plan, EnvironmentGraph), Exit> {
        let target = self.target().map_err(|e| {
            eprintln!("Error: {e}");
            Exit::InvalidInput
        })?;
        self.plan_target(target, concurrency, extra_nodes)
    }

    /// The plan of `target` (instead of the one the arguments name: a rerun's nodes).
    fn plan_target(
        &self,
        target: Target,
        concurrency: Option<u32>,
        extra_nodes: Vec<String>,
    ) -> Result<(Plan, EnvironmentGraph), Exit> {
        let graph = self.environment_graph()?;
        let request = PlanRequest {
            target,
            concurrency,
            extra_nodes,
        };
        let plan = orch_planner::plan(&graph, &request).map_err(|e| {
            eprintln!("Error: {e}");
            Exit::InvalidInput
        })?;
        Ok((plan, graph))
    }

    fn target(&self) -> Result<Target, String> {
        if let Some(nodes) = &self.nodes {
            let list = match nodes.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("could not read `{path}`: {e}"))?,
                None => nodes.clone(),
            };
            return Ok(Target::nodes(Target::split_node_list(&list)));
        }
        Target::applications(&self.applications).map_err(|e| e.to_string())
    }

    /// The environment graph to plan: `--graph` JSON, else the Puppet code evaluated as `orch
    /// app show` does.
    fn environment_graph(&self) -> Result<EnvironmentGraph, Exit> {
        if let Some(path) = &self.graph {
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
        let mut env = Environment::load(&environment_source(&self.code));
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

    /// The target as PE's deploy `scope` (`--server`): the server plans from its own code.
    fn scope(&self) -> Result<orch_server::Scope, Exit> {
        if self.graph.is_some() {
            eprintln!("Error: --graph plans on this machine; with --server, the server plans");
            return Err(Exit::InvalidInput);
        }
        let target = self.target().map_err(|e| {
            eprintln!("Error: {e}");
            Exit::InvalidInput
        })?;
        Ok(match target {
            Target::Environment => orch_server::Scope::WholeEnvironment,
            Target::Nodes(nodes) => orch_server::Scope::Nodes(nodes.into_iter().collect()),
            Target::Applications(_) => match self.applications.as_slice() {
                [one] => orch_server::Scope::Application(one.clone()),
                _ => {
                    eprintln!(
                        "Error: with --server, a job targets one application (PE's deploy scope)"
                    );
                    return Err(Exit::InvalidInput);
                }
            },
        })
    }

    /// The environment's name.
    fn environment(&self) -> &str {
        &self.code.environment
    }

    /// Whether the target is the whole environment.
    fn is_whole_environment(&self) -> bool {
        self.nodes.is_none() && self.applications.is_empty()
    }
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
