//! `orch job plan`.

use std::io::Write;

use clap::{Args, ValueEnum};
use orch_planner::Format;

use super::PlanSourceArgs;
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
