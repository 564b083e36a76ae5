//! orch-planner's integration tests: snapshots of every rendering over scenario graphs
//! (`fixtures/*.json`, Puppet Server's environment-graph shape), the JSON contract, and
//! property tests over random graphs.

mod contract;
mod properties;
mod scenarios;

use orch_model::EnvironmentGraph;

/// Reads `tests/fixtures/NAME.json`.
pub(crate) fn fixture(name: &str) -> EnvironmentGraph {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    EnvironmentGraph::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
