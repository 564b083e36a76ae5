//! Transports: how a node is reached and its command run. One async trait, so that tests and
//! embedders can supply their own; `ssh` reaches nodes with OpenSSH, `local` runs processes on
//! this machine, `scripted` plays outcomes in process (tests, benchmarks). A [`Connection`] is
//! made once per node for the whole job (check it, run the agent, read its run summary), then
//! closed.

mod local;
mod process;
mod scripted;
mod ssh;

pub use local::LocalTransport;
pub use scripted::{Script, ScriptedRun, ScriptedTransport};
pub use ssh::{SshTransport, shell_quote};

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::event::OutputTail;

/// How to reach one node of a plan and what to run there, resolved from the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTarget {
    /// The certname, as plans name it.
    pub name: String,
    /// Which transport reaches it.
    pub transport: TransportKind,
    /// The host to connect to (the uri's host, else the certname).
    pub host: String,
    /// SSH settings (Bolt's names); unused by `local`.
    pub ssh: SshSettings,
    /// The agent command as an argv vector, before orch's flags.
    pub command: Vec<String>,
    /// Whether orch appends `--environment ENV` and `--noop`/`--no-noop`.
    pub append_flags: bool,
    /// Where the agent writes its run summary (`last_run_summary.yaml`), if set.
    pub summary: Option<PathBuf>,
}

/// Which transport reaches a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransportKind {
    /// OpenSSH (the default, as in Bolt).
    #[default]
    Ssh,
    /// A process on this machine.
    Local,
}

/// SSH settings of a target, in Bolt's inventory names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SshSettings {
    /// `user`.
    pub user: Option<String>,
    /// `port`.
    pub port: Option<u16>,
    /// `private-key`.
    pub private_key: Option<PathBuf>,
    /// `host-key-check`: strict known_hosts (default) or accept without recording.
    pub host_key_check: Option<bool>,
    /// `connect-timeout`, seconds.
    pub connect_timeout: Option<u64>,
    /// `run-as`: run the command through `sudo -n -u USER --`.
    pub run_as: Option<String>,
}

impl NodeTarget {
    /// A node that is not in any inventory: `puppet agent --test --detailed-exitcodes` over the
    /// default transport, its certname as host.
    pub fn default_for(name: &str, transport: TransportKind) -> NodeTarget {
        NodeTarget {
            name: name.to_owned(),
            transport,
            host: name.to_owned(),
            ssh: SshSettings::default(),
            command: default_command(),
            append_flags: true,
            summary: None,
        }
    }
}

/// `puppet agent --test --detailed-exitcodes`.
pub fn default_command() -> Vec<String> {
    ["puppet", "agent", "--test", "--detailed-exitcodes"]
        .map(String::from)
        .to_vec()
}

/// One command to run on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    /// The argv vector; never given to a shell by orch.
    pub argv: Vec<String>,
    /// Extra environment variables (`ORCH_JOB_ID`, `ORCH_NODE`, ...).
    pub env: Vec<(String, String)>,
    /// A file to read on the node as soon as the command ends (the run summary). A transport
    /// that can do it in the same session (ssh) returns it in [`RunOutcome::read_after`];
    /// otherwise the caller uses [`Connection::fetch`].
    pub read_after: Option<PathBuf>,
}

/// What reading a file on a node found.
pub type FileRead = Result<Option<Vec<u8>>, String>;

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// Its exit.
    pub exit: Exit,
    /// The end of what it printed.
    pub output: OutputTail,
    /// [`RunRequest::read_after`], when the transport read it: the bytes, `None` for no such
    /// file, or why it could not be read.
    pub read_after: Option<FileRead>,
}

/// A command's exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status.
    Code(i32),
    /// It was killed by this signal.
    Signal(i32),
}

/// Why a node could not be reached or its command not run to the end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// What kind of failure.
    pub kind: RunErrorKind,
    /// What an operator reads (what failed, and the system's words for it).
    pub message: String,
    /// What the command printed before it ended, if it started.
    pub output: OutputTail,
}

/// The kinds of [`RunError`]: each a different thing for an operator to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunErrorKind {
    /// The command could not be started (not executable, no resources, ...).
    CouldNotStart,
    /// The command does not exist on the node.
    CommandNotFound,
    /// The node cannot be reached: connection refused, no route, unknown name.
    Unreachable,
    /// Connecting to the node took longer than its connect timeout.
    ConnectTimeout,
    /// The node refused every credential offered.
    AuthFailed,
    /// The node's host key is not the known one, or none is known under strict checking.
    HostKeyRejected,
    /// `sudo` would not run the command as the `run-as` user without a password.
    RunAsRefused,
    /// The transport failed otherwise (the connection dropped, the client broke).
    Transport,
    /// The run was cancelled (timeout or forced stop) and its processes killed.
    Cancelled,
}

impl RunError {
    /// An error without output.
    pub fn new(kind: RunErrorKind, message: impl Into<String>) -> RunError {
        RunError {
            kind,
            message: message.into(),
            output: OutputTail::default(),
        }
    }
}

/// Reaches nodes. Shared by every node task of a job.
#[async_trait]
pub trait Transport: Send + Sync {
    /// Opens a connection to `node`, used for everything the job does there.
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError>;
}

/// A connection to one node.
#[async_trait]
pub trait Connection: Send {
    /// Runs a command to its end. When `cancel` fires, the command and everything it started
    /// are killed and the result is a [`RunErrorKind::Cancelled`] error carrying the output.
    async fn run(
        &mut self,
        request: &RunRequest,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome, RunError>;

    /// Makes sure the node can be used now (pre-flight): reached, authenticated, `run-as`
    /// allowed. Transports that connect lazily connect here.
    async fn check(&mut self) -> Result<(), RunError> {
        Ok(())
    }

    /// Reads a file on the node; `None` if it does not exist.
    async fn fetch(&mut self, path: &std::path::Path) -> Result<Option<Vec<u8>>, RunError>;

    /// Closes the connection.
    async fn close(self: Box<Self>) {}
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        (**self).connect(node).await
    }
}

/// The transport for jobs from an inventory: each node by the transport its target names.
#[derive(Debug, Default)]
pub struct InventoryTransport {
    local: LocalTransport,
    ssh: SshTransport,
}

impl InventoryTransport {
    /// Local nodes on this machine, ssh nodes through `ssh`.
    pub fn new(ssh: SshTransport) -> InventoryTransport {
        InventoryTransport {
            local: LocalTransport::new(),
            ssh,
        }
    }
}

#[async_trait]
impl Transport for InventoryTransport {
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        match node.transport {
            TransportKind::Local => self.local.connect(node).await,
            TransportKind::Ssh => self.ssh.connect(node).await,
        }
    }
}

/// Keeps the last `cap` bytes written to it.
#[derive(Debug, Clone)]
pub(crate) struct TailBuffer {
    buf: Vec<u8>,
    cap: usize,
    truncated: bool,
}

/// How much of a run's output is kept: the last 64 KiB.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

impl TailBuffer {
    pub(crate) fn new(cap: usize) -> TailBuffer {
        TailBuffer {
            buf: Vec::new(),
            cap,
            truncated: false,
        }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        // Compact only when twice over the bound, so pushing stays amortised O(1).
        if self.buf.len() > 2 * self.cap {
            let cut = self.buf.len() - self.cap;
            self.buf.drain(..cut);
            self.truncated = true;
        }
    }

    pub(crate) fn finish(mut self) -> OutputTail {
        if self.buf.len() > self.cap {
            let cut = self.buf.len() - self.cap;
            self.buf.drain(..cut);
            self.truncated = true;
        }
        let mut text = String::from_utf8_lossy(&self.buf).into_owned();
        if self.truncated {
            // Start at a line boundary so the first line shown is whole.
            if let Some(nl) = text.find('\n') {
                text.drain(..=nl);
            }
        }
        OutputTail {
            text,
            truncated: self.truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_buffer_keeps_the_last_bytes_and_says_so() {
        let mut t = TailBuffer::new(10);
        for i in 0..100 {
            t.push(format!("line {i}\n").as_bytes());
        }
        let out = t.finish();
        assert!(out.truncated);
        assert_eq!(out.text, "line 99\n");

        let mut t = TailBuffer::new(100);
        t.push(b"short\n");
        assert_eq!(
            t.finish(),
            OutputTail {
                text: "short\n".into(),
                truncated: false
            }
        );
    }
}
