//! The runner's own cost: 10,000-node jobs through the in-process instant transport (every run
//! exits 0 at once), with the SQLite job store recording every event, end to end (create the
//! job, schedule, record, commit).
//!
//! Shapes:
//! - `wide`: 10,000 independent nodes (one level; the concurrency limit, 100, does the pacing);
//! - `tree`: the synthetic environment's plan (three-component applications linked into trees:
//!   fan-outs, fan-ins, about 15 levels);
//! - `chain`: 10,000 nodes, each depending on the one before (10,000 levels: every start waits
//!   for an end, the worst case for per-node latency).
//!
//! Target: each under 1 s; per-node overhead is the time divided by 10,000 (divan prints the
//! throughput as items per second).

use std::sync::Arc;

use divan::Bencher;
use divan::counter::ItemsCount;
use orch_benches::Synthetic;
use orch_model::EnvironmentGraph;
use orch_planner::{Level, Plan, PlanNode, PlanRequest, Target};
use orch_runner::{
    JobOptions, NewJob, NodeState, NodeTarget, ScriptedTransport, StopHandle, Store, TransportKind,
};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const NODES: usize = 10_000;

fn wide() -> Plan {
    let names: Vec<String> = (0..NODES).map(|i| format!("node{i:05}.bench")).collect();
    let graph = EnvironmentGraph::from_json(r#"{"environment":"production","applications":{}}"#)
        .expect("empty graph");
    let request = PlanRequest {
        target: Target::nodes(&names),
        ..PlanRequest::default()
    };
    orch_planner::plan(&graph, &request).expect("plans")
}

fn tree() -> Plan {
    orch_planner::plan(
        &Synthetic::with_nodes(NODES).graph(),
        &PlanRequest::default(),
    )
    .expect("plans")
}

fn chain() -> Plan {
    let levels = (0..NODES)
        .map(|i| Level {
            level: i,
            nodes: vec![PlanNode {
                name: format!("node{i:05}.bench"),
                components: Vec::new(),
                depends_on: if i == 0 {
                    Vec::new()
                } else {
                    vec![format!("node{:05}.bench", i - 1)]
                },
            }],
        })
        .collect();
    Plan {
        environment: "production".into(),
        target: Target::Environment,
        concurrency: None,
        applications: Vec::new(),
        levels,
        edges: Vec::new(),
        warnings: Vec::new(),
    }
}

/// One whole job: record it, run it, wait for the store to commit everything.
fn run_recorded(store: &Store, runtime: &tokio::runtime::Runtime, plan: &Plan) {
    let options = JobOptions::default();
    let job = NewJob::for_plan(plan, &options, "bench".into(), None);
    let id = store.create_job(&job).expect("job created");
    let mut recorder = store.recorder(id).expect("recorder");
    let report = runtime.block_on(orch_runner::run_job(
        id,
        plan,
        |name| NodeTarget::default_for(name, TransportKind::Local),
        Arc::new(ScriptedTransport::instant()),
        &options,
        &StopHandle::new(),
        &mut [&mut recorder],
    ));
    recorder.finish().expect("recorded");
    assert_eq!(
        report.node_states.get(NodeState::Finished),
        plan.node_count()
    );
}

fn bench_shape(bencher: Bencher, plan: Plan) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("jobs.sqlite3")).expect("store");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    bencher
        .counter(ItemsCount::new(plan.node_count()))
        .bench_local(|| run_recorded(&store, &runtime, &plan));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn wide_10k(bencher: Bencher) {
    bench_shape(bencher, wide());
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn tree_10k(bencher: Bencher) {
    bench_shape(bencher, tree());
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn chain_10k(bencher: Bencher) {
    bench_shape(bencher, chain());
}
