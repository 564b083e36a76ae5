//! Plans an environment graph (Puppet Server's `/puppet/v3/environment` JSON, or
//! `orch app show --format json`) and prints the plan:
//! `cargo run -p orch-examples --example plan_environment -- orch-planner/tests/fixtures/lamp.json [text|json|dot|mermaid]`.

use std::error::Error;
use std::io::{BufWriter, Write};

use orch_model::EnvironmentGraph;
use orch_planner::{Format, PlanRequest};

fn plan(path: &str, format: &str) -> Result<(), Box<dyn Error>> {
    let format: Format = format.parse()?;
    let graph = EnvironmentGraph::from_json(&std::fs::read_to_string(path)?)?;
    let plan = orch_planner::plan(&graph, &PlanRequest::default())?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    orch_planner::write(&plan, format, &mut out)?;
    Ok(out.flush()?)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), format) = (args.first(), args.get(1).map_or("text", String::as_str)) else {
        eprintln!("usage: plan_environment GRAPH.json [text|json|dot|mermaid]");
        return std::process::ExitCode::from(2);
    };
    match plan(path, format) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
