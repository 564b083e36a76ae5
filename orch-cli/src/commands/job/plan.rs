//! `orch job plan`.

use std::io::Write;

use clap::{Args, ValueEnum};
use orch_planner::Format;

use super::PlanSourceArgs;
use super::nodes::{NodeAccessArgs, check_nodes, runtime};
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    source: PlanSourceArgs,
    /// Most nodes to run at once (0: unlimited).
    #[arg(long, value_name = "N")]
    concurrency: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
    /// Also connect to every node (as `job run --preflight` does) and report which cannot be
    /// reached or authenticated; exit 3 if any.
    #[arg(long = "check-nodes")]
    check_nodes: bool,
    #[command(flatten)]
    access: NodeAccessArgs,
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

pub(super) fn plan(args: &PlanArgs) -> Exit {
    let (plan, graph) = match args.source.plan(args.concurrency, Vec::new()) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if args.check_nodes {
        return plan_and_check(args, &plan);
    }
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

/// `--check-nodes`: the plan, then the node check (in the plan's JSON as `node_check`).
fn plan_and_check(args: &PlanArgs, plan: &orch_planner::Plan) -> Exit {
    let inventory = match args.access.load() {
        Ok(inv) => inv,
        Err(exit) => return exit,
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let concurrency = args
        .concurrency
        .map_or(orch_runner::DEFAULT_CONCURRENCY, |c| c as usize);
    let checks = runtime.block_on(async {
        let (checks, connections) = check_nodes(plan, &inventory, concurrency).await;
        connections.close_unused().await;
        checks
    });
    let mut out = Vec::new();
    let written = match args.format {
        PlanFormat::Json => {
            #[derive(serde::Serialize)]
            struct Checked<'a> {
                #[serde(flatten)]
                plan: &'a orch_planner::Plan,
                node_check: &'a [orch_runner::NodeCheck],
            }
            let checked = Checked {
                plan,
                node_check: &checks.nodes,
            };
            serde_json::to_writer_pretty(&mut out, &checked)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        format => orch_planner::write(plan, format.into(), &mut out).and_then(|()| {
            if matches!(format, PlanFormat::Text) {
                write!(out, "\n{}", checks.render())
            } else {
                eprint!("{}", checks.render());
                Ok(())
            }
        }),
    };
    if let Err(e) = written {
        eprintln!("Error: could not write the plan: {e}");
        return Exit::Internal;
    }
    let shown = crate::commands::print(&String::from_utf8_lossy(&out));
    if shown != Exit::Success {
        return shown;
    }
    if checks.failed().next().is_some() {
        Exit::Internal
    } else {
        Exit::Success
    }
}
