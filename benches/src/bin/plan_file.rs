//! Plans an environment-graph JSON file as `orch job plan --graph FILE --format FORMAT` does, in
//! a fresh process with the benchmarks' allocator, and prints the time of each phase to stderr:
//! end-to-end time and peak memory of one run, e.g.
//! `/usr/bin/time -v target/release/plan_file graph.json json > /dev/null`.

use std::io::{BufWriter, Write};
use std::time::Instant;

use orch_model::EnvironmentGraph;
use orch_planner::{Format, PlanRequest};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: plan_file GRAPH.json [text|json|dot|mermaid]");
        return std::process::ExitCode::from(2);
    };
    let format: Format = match args.get(1).map_or(Ok(Format::Text), |f| f.parse()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let text = std::fs::read_to_string(path).expect("graph file readable");
    let read = start.elapsed();
    let graph = EnvironmentGraph::from_json(&text).expect("environment-graph JSON");
    drop(text);
    let parsed = start.elapsed();
    let plan = orch_planner::plan(&graph, &PlanRequest::default()).expect("a plan");
    let planned = start.elapsed();
    let mut out = BufWriter::new(std::io::stdout().lock());
    orch_planner::write(&plan, format, &mut out).expect("stdout writable");
    out.flush().expect("stdout writable");
    let written = start.elapsed();
    eprintln!(
        "{} nodes: read {read:?}, parse {:?}, plan {:?}, write {:?}, total {written:?}",
        plan.node_count(),
        parsed - read,
        planned - parsed,
        written - planned,
    );
    // As `orch job plan`: the process ends here, freeing is wasted time.
    std::mem::forget(plan);
    std::mem::forget(graph);
    std::process::ExitCode::SUCCESS
}
