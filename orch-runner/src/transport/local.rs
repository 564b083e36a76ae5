//! The `local` transport: the node's command as a process on this machine, in a process group
//! of its own (so that a timeout or a forced stop kills everything it started), with stdout and
//! stderr captured into one bounded tail.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::sync::CancellationToken;

use super::{
    Connection, Exit, NodeTarget, OUTPUT_LIMIT, RunError, RunErrorKind, RunOutcome, RunRequest,
    TailBuffer, Transport,
};

/// How long a killed run gets between SIGTERM and SIGKILL (Puppet removes its lock file on
/// SIGTERM).
const KILL_GRACE: Duration = Duration::from_secs(2);

/// After the command exits, how long its output pipes may stay open (held by something it left
/// running) before orch stops reading them.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);

/// Runs nodes' commands on this machine.
#[derive(Debug, Clone, Default)]
pub struct LocalTransport {}

impl LocalTransport {
    /// A local transport.
    pub fn new() -> LocalTransport {
        LocalTransport {}
    }
}

#[async_trait]
impl Transport for LocalTransport {
    async fn connect(&self, _node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        Ok(Box::new(LocalConnection))
    }
}

struct LocalConnection;

#[async_trait]
impl Connection for LocalConnection {
    async fn run(
        &mut self,
        request: &RunRequest,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome, RunError> {
        run_process(request, cancel).await
    }

    async fn fetch(&mut self, path: &Path) -> Result<Option<Vec<u8>>, RunError> {
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(RunError::new(
                RunErrorKind::Transport,
                format!("could not read `{}`: {e}", path.display()),
            )),
        }
    }
}

async fn run_process(
    request: &RunRequest,
    cancel: &CancellationToken,
) -> Result<RunOutcome, RunError> {
    let Some((program, args)) = request.argv.split_first() else {
        return Err(RunError::new(
            RunErrorKind::CouldNotStart,
            "the command is empty",
        ));
    };
    // One pipe for stdout and stderr, as `2>&1`: the output keeps the order it was written in.
    let (reader, writer) = std::io::pipe().map_err(|e| {
        RunError::new(
            RunErrorKind::CouldNotStart,
            format!("could not make a pipe for `{program}`: {e}"),
        )
    })?;
    let writer_err = writer.try_clone().map_err(|e| {
        RunError::new(
            RunErrorKind::CouldNotStart,
            format!("could not make a pipe for `{program}`: {e}"),
        )
    })?;
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .envs(request.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::from(writer_err))
        .process_group(0)
        .kill_on_drop(true);
    let spawned = command.spawn();
    // The child holds the write ends now; ours must close, or the reader never sees the end.
    drop(command);
    let mut child = spawned.map_err(|e| {
        RunError::new(
            RunErrorKind::CouldNotStart,
            format!("could not start `{program}`: {e}"),
        )
    })?;
    let group = child.id().map(|id| Pid::from_raw(id as i32));
    let tail = Arc::new(Mutex::new(TailBuffer::new(OUTPUT_LIMIT)));
    let reader = tokio::net::unix::pipe::Receiver::from_owned_fd(reader.into()).map_err(|e| {
        RunError::new(
            RunErrorKind::Transport,
            format!("could not read the output of `{program}`: {e}"),
        )
    })?;
    let readers = vec![read_into(reader, tail.clone())];

    let (status, cancelled) = tokio::select! {
        status = child.wait() => (status, false),
        () = cancel.cancelled() => {
            signal_group(group, Signal::SIGTERM);
            let status = match tokio::time::timeout(KILL_GRACE, child.wait()).await {
                Ok(status) => status,
                Err(_) => {
                    signal_group(group, Signal::SIGKILL);
                    child.wait().await
                }
            };
            // Whatever else the run started goes too.
            signal_group(group, Signal::SIGKILL);
            (status, true)
        }
    };
    let _ = tokio::time::timeout(DRAIN_AFTER_EXIT, futures_join(readers)).await;
    let output = {
        let mut guard = tail.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *guard, TailBuffer::new(0)).finish()
    };
    let status = status.map_err(|e| RunError {
        kind: RunErrorKind::Transport,
        message: format!("could not wait for `{program}`: {e}"),
        output: output.clone(),
    })?;
    if cancelled {
        return Err(RunError {
            kind: RunErrorKind::Cancelled,
            message: "killed".into(),
            output,
        });
    }
    use std::os::unix::process::ExitStatusExt;
    let exit = match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        (None, None) => Exit::Code(-1),
    };
    Ok(RunOutcome { exit, output })
}

fn signal_group(group: Option<Pid>, signal: Signal) {
    if let Some(pid) = group {
        // ESRCH (already gone) is fine.
        let _ = killpg(pid, signal);
    }
}

fn read_into(
    mut reader: impl AsyncRead + Unpin + Send + 'static,
    tail: Arc<Mutex<TailBuffer>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => tail
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(&buf[..n]),
            }
        }
    })
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<()>>) {
    for h in handles {
        let _ = h.await;
    }
}
