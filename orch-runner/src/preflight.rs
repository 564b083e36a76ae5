//! Pre-flight: connect to every node of a job before any runs, in parallel within the
//! concurrency limit, and say which cannot be reached or authenticated. The connections made
//! are kept for the job ([`Preconnected`] hands them to the scheduler), so that a node is
//! reached once for the whole job.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::event::ErrorCause;
use crate::transport::{Connection, NodeTarget, RunError, Transport};

/// Past this many nodes the pre-flight closes each connection once checked and the run
/// connects again: an open ssh master per node for a whole large job costs more than a second
/// handshake.
pub const PREFLIGHT_KEEP_LIMIT: usize = 500;

/// What the pre-flight found for one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeCheck {
    /// The certname.
    pub name: String,
    /// Whether it could be reached (and `run-as` works).
    pub ok: bool,
    /// Why not.
    pub error: Option<ErrorCause>,
    /// What went wrong, in an operator's words.
    pub message: Option<String>,
    /// How long the check took.
    pub duration_s: f64,
}

/// The pre-flight of a job: every node's check, sorted by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeChecks {
    /// Every node, by name.
    pub nodes: Vec<NodeCheck>,
}

impl NodeChecks {
    /// The nodes that failed.
    pub fn failed(&self) -> impl Iterator<Item = &NodeCheck> {
        self.nodes.iter().filter(|n| !n.ok)
    }

    /// The text report: one line, then one per failed node.
    pub fn render(&self) -> String {
        let failed: Vec<&NodeCheck> = self.failed().collect();
        let total = self.nodes.len();
        let mut out = if failed.is_empty() {
            format!("Node check: {total} of {total} nodes reachable.\n")
        } else {
            format!(
                "Node check: {} of {total} nodes cannot be used:\n",
                failed.len()
            )
        };
        for n in failed {
            out.push_str(&format!(
                "  {} ({}): {}\n",
                n.name,
                n.error.map_or("error", ErrorCause::name),
                n.message.as_deref().unwrap_or("")
            ));
        }
        out
    }
}

/// Connects to every node in `names` (at most `concurrency` at once, 0: all), and returns the
/// checks with a transport that hands out the connections made.
pub async fn preflight(
    names: &[String],
    mut target: impl FnMut(&str) -> NodeTarget,
    transport: Arc<dyn Transport>,
    concurrency: usize,
) -> (NodeChecks, Preconnected) {
    let keep = names.len() <= PREFLIGHT_KEEP_LIMIT;
    let limit = if concurrency == 0 {
        names.len().max(1)
    } else {
        concurrency
    };
    let mut pending = names.iter();
    let mut running: JoinSet<Attempt> = JoinSet::new();
    let mut checks = Vec::with_capacity(names.len());
    let mut held: HashMap<String, Held> = HashMap::new();
    loop {
        while running.len() < limit {
            let Some(name) = pending.next() else { break };
            let node = target(name);
            let transport = transport.clone();
            let name = name.clone();
            running.spawn(async move {
                let started = tokio::time::Instant::now();
                let result = match transport.connect(&node).await {
                    Ok(mut conn) => match conn.check().await {
                        Ok(()) => Ok(conn),
                        Err(e) => {
                            conn.close().await;
                            Err(e)
                        }
                    },
                    Err(e) => Err(e),
                };
                (name, started.elapsed(), result)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let Ok((name, took, result)) = done else {
            continue;
        };
        let duration_s = (took.as_millis() as f64) / 1000.0;
        match result {
            Ok(conn) => {
                checks.push(NodeCheck {
                    name: name.clone(),
                    ok: true,
                    error: None,
                    message: None,
                    duration_s,
                });
                if keep {
                    held.insert(name, Held::Connection(conn));
                } else {
                    conn.close().await;
                }
            }
            Err(e) => {
                checks.push(NodeCheck {
                    name: name.clone(),
                    ok: false,
                    error: Some(ErrorCause::from(e.kind)),
                    message: Some(e.message.clone()),
                    duration_s,
                });
                held.insert(name, Held::Failed(e));
            }
        }
    }
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    (
        NodeChecks { nodes: checks },
        Preconnected {
            inner: transport,
            held: Mutex::new(held),
        },
    )
}

/// One node's connect: its name, how long it took, what came of it.
type Attempt = (String, Duration, Result<Box<dyn Connection>, RunError>);

enum Held {
    Connection(Box<dyn Connection>),
    Failed(RunError),
}

/// A transport that first hands out the pre-flight's connections: a node checked there is not
/// connected again, and one that failed there fails the same way without a second try.
pub struct Preconnected {
    inner: Arc<dyn Transport>,
    held: Mutex<HashMap<String, Held>>,
}

impl Preconnected {
    /// Closes the connections no run took (nodes skipped or never started).
    pub async fn close_unused(&self) {
        let left: Vec<Held> = {
            let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            held.drain().map(|(_, h)| h).collect()
        };
        for h in left {
            if let Held::Connection(conn) = h {
                conn.close().await;
            }
        }
    }
}

#[async_trait]
impl Transport for Preconnected {
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        let held = self
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&node.name);
        match held {
            Some(Held::Connection(conn)) => Ok(conn),
            Some(Held::Failed(e)) => Err(e),
            None => self.inner.connect(node).await,
        }
    }
}
