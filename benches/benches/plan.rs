//! Planner time over synthetic environments of 1k, 10k and 100k nodes (three components per
//! application instance; chains, fan-outs and fan-ins linked into trees across instances; see
//! `orch_benches::Synthetic`).
//!
//! - `plan_from_json_file`: read the environment-graph JSON file, parse it, plan it: what
//!   `orch job plan --graph FILE` does before printing;
//! - `plan_graph`: plan an environment graph already in memory (`build_node_graph`: its first
//!   half);
//! - `render_text` / `render_json`: print a plan.
//!
//! Scaling: each 10x step in size should cost at most 12x time.
//!
//! The same in a fresh process, with peak memory (the inputs come from the generator):
//! `cargo build --release -p orch-benches --bins`,
//! `target/release/gen_environment 100000 --graph /tmp/g100000.json`,
//! `/usr/bin/time -v target/release/plan_file /tmp/g100000.json json > /dev/null`.

use divan::Bencher;
use divan::counter::ItemsCount;
use orch_benches::Synthetic;
use orch_model::EnvironmentGraph;
use orch_planner::{Format, Plan, PlanRequest};

// The same allocator as the `orch` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const NODES: &[usize] = &[1_000, 10_000, 100_000];

/// The synthetic graph written to a JSON file under the system temp directory.
fn graph_file(nodes: usize) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("orch-bench-plan-{nodes}.json"));
    std::fs::write(&path, Synthetic::with_nodes(nodes).graph_json()).expect("temp dir writable");
    path
}

fn plan(graph: &EnvironmentGraph) -> Plan {
    orch_planner::plan(graph, &PlanRequest::default()).expect("the synthetic graph plans")
}

#[divan::bench(args = NODES, sample_count = 10, sample_size = 1)]
fn plan_from_json_file(bencher: Bencher, nodes: usize) {
    let path = graph_file(nodes);
    bencher.counter(ItemsCount::new(nodes)).bench(|| {
        let text = std::fs::read_to_string(&path).unwrap();
        plan(&EnvironmentGraph::from_json(&text).unwrap())
    });
    let _ = std::fs::remove_file(path);
}

/// The first half of `plan_from_json_file`: orch-model reading the JSON.
#[divan::bench(args = NODES, sample_count = 10, sample_size = 1)]
fn parse_graph_json(bencher: Bencher, nodes: usize) {
    let text = Synthetic::with_nodes(nodes).graph_json();
    bencher
        .counter(ItemsCount::new(nodes))
        .bench(|| EnvironmentGraph::from_json(divan::black_box(&text)).unwrap());
}

#[divan::bench(args = NODES, sample_count = 10, sample_size = 1)]
fn plan_graph(bencher: Bencher, nodes: usize) {
    let graph = Synthetic::with_nodes(nodes).graph();
    bencher
        .counter(ItemsCount::new(nodes))
        .bench(|| plan(divan::black_box(&graph)));
}

#[divan::bench(args = NODES, sample_count = 10, sample_size = 1)]
fn build_node_graph(bencher: Bencher, nodes: usize) {
    let graph = Synthetic::with_nodes(nodes).graph();
    bencher.counter(ItemsCount::new(nodes)).bench(|| {
        orch_planner::NodeGraph::build(divan::black_box(&graph), &[])
            .map(|g| g.nodes().len())
            .unwrap()
    });
}

#[divan::bench(args = NODES, sample_count = 10, sample_size = 1)]
fn render_text(bencher: Bencher, nodes: usize) {
    let p = plan(&Synthetic::with_nodes(nodes).graph());
    bencher
        .counter(ItemsCount::new(nodes))
        .bench(|| orch_planner::render(divan::black_box(&p), Format::Text));
}

#[divan::bench(args = NODES, sample_count = 10, sample_size = 1)]
fn render_json(bencher: Bencher, nodes: usize) {
    let p = plan(&Synthetic::with_nodes(nodes).graph());
    bencher
        .counter(ItemsCount::new(nodes))
        .bench(|| orch_planner::render(divan::black_box(&p), Format::Json));
}
