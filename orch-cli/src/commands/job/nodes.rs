//! How `job plan --check-nodes` and `job run` reach nodes: the inventory, the transports, and
//! the pre-flight check they share.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use orch_planner::Plan;
use orch_runner::{Inventory, InventoryTransport, NodeChecks, Preconnected, SshTransport};

use crate::exit::Exit;

/// Where the nodes are.
#[derive(Debug, Args)]
pub(crate) struct NodeAccessArgs {
    /// How to reach the nodes: a Bolt-style inventory (YAML). Without one, every node is
    /// reached over ssh at its certname.
    #[arg(long, value_name = "FILE", env = "ORCH_INVENTORY")]
    pub(crate) inventory: Option<PathBuf>,
}

impl NodeAccessArgs {
    /// The inventory (empty without one); a bad one is printed here.
    pub(crate) fn load(&self) -> Result<Inventory, Exit> {
        match &self.inventory {
            Some(path) => Inventory::load(path).map_err(|e| {
                eprintln!("Error: {e}");
                Exit::InvalidInput
            }),
            None => Ok(Inventory::empty()),
        }
    }
}

/// The transports for an inventory's nodes. `$ORCH_SSH_CONFIG` names an ssh_config file to use
/// instead of `~/.ssh/config` (`ssh -F`).
pub(crate) fn transport() -> InventoryTransport {
    let config = std::env::var_os("ORCH_SSH_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    InventoryTransport::new(SshTransport::new().with_config_file(config))
}

/// Connects to every node of `plan` (within `concurrency`, 0: all at once).
pub(crate) async fn check_nodes(
    plan: &Plan,
    inventory: &Inventory,
    concurrency: usize,
) -> (NodeChecks, Preconnected) {
    let names: Vec<String> = plan.nodes().map(|(_, n)| n.name.clone()).collect();
    orch_runner::preflight(
        &names,
        |name| inventory.target(name),
        Arc::new(transport()),
        concurrency,
    )
    .await
}

/// The checks as one NDJSON line (`job run --format json`) or a JSON value (`job plan`).
pub(crate) fn checks_json(checks: &NodeChecks) -> serde_json::Value {
    serde_json::json!({
        "schema": orch_runner::SCHEMA_VERSION,
        "type": "node_check",
        "nodes": checks.nodes,
    })
}

/// A runtime for the async parts of a command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("Error: could not start the runtime: {e}");
            Exit::Internal
        })
}
