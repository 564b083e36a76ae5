//! The scripted transport: node runs played in process from a script (an outcome after a
//! delay), with every command recorded. For tests (with tokio's paused clock the timelines are
//! exact) and for benchmarks of the runner itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{
    Connection, Exit, NodeTarget, RunError, RunErrorKind, RunOutcome, RunRequest, Transport,
};
use crate::event::OutputTail;

/// What one node's run does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Script {
    /// Exits with this status after the delay, having printed the text.
    Exit {
        /// How long the run takes.
        after: Duration,
        /// Its exit status.
        code: i32,
        /// What it prints.
        output: String,
    },
    /// The connection fails (an unreachable node).
    Unreachable(String),
    /// The command cannot be started.
    CouldNotStart(String),
    /// Runs until it is cancelled.
    Hang,
}

impl Script {
    /// Exit `code` after `ms` milliseconds, printing nothing.
    pub fn exit(code: i32, ms: u64) -> Script {
        Script::Exit {
            after: Duration::from_millis(ms),
            code,
            output: String::new(),
        }
    }
}

/// One run as the transport saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedRun {
    /// The node.
    pub node: String,
    /// The command it was given.
    pub request: RunRequest,
    /// When it started, since the transport was made (tokio's clock).
    pub started: Duration,
    /// When it ended.
    pub ended: Duration,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

/// Plays scripts; nodes without one exit 0 at once.
#[derive(Debug, Clone)]
pub struct ScriptedTransport {
    scripts: Arc<HashMap<String, Script>>,
    default: Script,
    files: Arc<HashMap<(String, PathBuf), Vec<u8>>>,
    origin: tokio::time::Instant,
    runs: Arc<Mutex<Vec<ScriptedRun>>>,
}

impl ScriptedTransport {
    /// A transport playing `scripts` per node, `default` for the others.
    pub fn new(scripts: HashMap<String, Script>, default: Script) -> ScriptedTransport {
        ScriptedTransport {
            scripts: Arc::new(scripts),
            default,
            files: Arc::default(),
            origin: tokio::time::Instant::now(),
            runs: Arc::default(),
        }
    }

    /// Every node exits 0 at once (the runner's own overhead, for benchmarks).
    pub fn instant() -> ScriptedTransport {
        ScriptedTransport::new(HashMap::new(), Script::exit(0, 0))
    }

    /// Serves `bytes` when `node` fetches `path`.
    pub fn with_file(mut self, node: &str, path: impl Into<PathBuf>, bytes: Vec<u8>) -> Self {
        Arc::make_mut(&mut self.files).insert((node.to_owned(), path.into()), bytes);
        self
    }

    /// The runs so far, in the order they ended.
    pub fn runs(&self) -> Vec<ScriptedRun> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl Transport for ScriptedTransport {
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        let script = self.scripts.get(&node.name).unwrap_or(&self.default);
        if let Script::Unreachable(msg) = script {
            return Err(RunError::new(RunErrorKind::Unreachable, msg.clone()));
        }
        Ok(Box::new(ScriptedConnection {
            node: node.name.clone(),
            script: script.clone(),
            transport: self.clone(),
        }))
    }
}

struct ScriptedConnection {
    node: String,
    script: Script,
    transport: ScriptedTransport,
}

#[async_trait]
impl Connection for ScriptedConnection {
    async fn run(
        &mut self,
        request: &RunRequest,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome, RunError> {
        let started = self.transport.origin.elapsed();
        let (result, cancelled) = match &self.script {
            Script::Exit {
                after,
                code,
                output,
            } => {
                let done = async {
                    if !after.is_zero() {
                        tokio::time::sleep(*after).await;
                    }
                };
                tokio::select! {
                    () = done => (Ok(RunOutcome {
                        exit: Exit::Code(*code),
                        output: OutputTail { text: output.clone(), truncated: false },
                        read_after: None,
                    }), false),
                    () = cancel.cancelled() => (Err(RunError::new(RunErrorKind::Cancelled, "killed")), true),
                }
            }
            Script::CouldNotStart(msg) => (
                Err(RunError::new(RunErrorKind::CouldNotStart, msg.clone())),
                false,
            ),
            Script::Hang => {
                cancel.cancelled().await;
                (Err(RunError::new(RunErrorKind::Cancelled, "killed")), true)
            }
            Script::Unreachable(_) => unreachable!("refused at connect"),
        };
        let ended = self.transport.origin.elapsed();
        self.transport
            .runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(ScriptedRun {
                node: self.node.clone(),
                request: request.clone(),
                started,
                ended,
                cancelled,
            });
        result
    }

    async fn fetch(&mut self, path: &Path) -> Result<Option<Vec<u8>>, RunError> {
        Ok(self
            .transport
            .files
            .get(&(self.node.clone(), path.to_path_buf()))
            .cloned())
    }
}
