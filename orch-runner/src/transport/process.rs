//! Running one local process to its end: in a process group of its own (so that a timeout or a
//! forced stop kills everything it started), stdin closed, stdout and stderr through one pipe
//! (the output keeps the order it was written in) into a bounded tail. The `local` transport
//! runs the agent this way, and the `ssh` transport its `ssh` clients.

use std::ffi::OsStr;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::sync::CancellationToken;

use super::{Exit, OUTPUT_LIMIT, RunError, RunErrorKind, TailBuffer};
use crate::event::OutputTail;

/// How long a killed process gets between SIGTERM and SIGKILL (Puppet removes its lock file on
/// SIGTERM).
pub(crate) const KILL_GRACE: Duration = Duration::from_secs(2);

/// After the process exits, how long its output pipe may stay open (held by something it left
/// running) before orch stops reading it.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);

/// How a process ended.
pub(crate) struct Finished {
    pub(crate) exit: Exit,
    pub(crate) output: OutputTail,
    /// Whether `cancel` fired and the process was killed.
    pub(crate) cancelled: bool,
}

/// Sees every chunk of output before it goes into the tail, and may keep part of it out.
pub(crate) trait OutputFilter: Send + 'static {
    /// Returns what of `chunk` belongs in the output.
    fn filter<'a>(&mut self, chunk: &'a [u8]) -> std::borrow::Cow<'a, [u8]>;

    /// What it held back, at the end of the output.
    fn finish(&mut self) -> Vec<u8> {
        Vec::new()
    }
}

/// Lets everything through.
pub(crate) struct AllOutput;

impl OutputFilter for AllOutput {
    fn filter<'a>(&mut self, chunk: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        std::borrow::Cow::Borrowed(chunk)
    }
}

/// Runs `command` (its program named `program` in errors) to its end. When `cancel` fires, its
/// process group gets SIGTERM, then SIGKILL after [`KILL_GRACE`].
pub(crate) async fn run_captured(
    mut command: tokio::process::Command,
    program: &OsStr,
    cancel: &CancellationToken,
    filter: impl OutputFilter,
) -> Result<Finished, RunError> {
    let program = program.to_string_lossy();
    let pipe_error = |e: std::io::Error| {
        RunError::new(
            RunErrorKind::CouldNotStart,
            format!("could not make a pipe for `{program}`: {e}"),
        )
    };
    let (reader, writer) = std::io::pipe().map_err(pipe_error)?;
    let writer_err = writer.try_clone().map_err(pipe_error)?;
    command
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
            start_failure(&e),
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
    let reading = read_into(reader, tail.clone(), filter);

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
            // Whatever else the process started goes too.
            signal_group(group, Signal::SIGKILL);
            (status, true)
        }
    };
    let _ = tokio::time::timeout(DRAIN_AFTER_EXIT, reading).await;
    let output = {
        let mut guard = tail.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *guard, TailBuffer::new(0)).finish()
    };
    let status = status.map_err(|e| RunError {
        kind: RunErrorKind::Transport,
        message: format!("could not wait for `{program}`: {e}"),
        output: output.clone(),
    })?;
    Ok(Finished {
        exit: exit_of(status),
        output,
        cancelled,
    })
}

/// Why a program could not be started: not there, or anything else.
pub(crate) fn start_failure(e: &std::io::Error) -> RunErrorKind {
    if e.kind() == std::io::ErrorKind::NotFound {
        RunErrorKind::CommandNotFound
    } else {
        RunErrorKind::CouldNotStart
    }
}

/// An exit status as orch sees it.
pub(crate) fn exit_of(status: ExitStatus) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        (None, None) => Exit::Code(-1),
    }
}

/// Sends `signal` to a process group; one that is already gone is fine.
pub(crate) fn signal_group(group: Option<Pid>, signal: Signal) {
    if let Some(pid) = group {
        let _ = killpg(pid, signal);
    }
}

/// Reads `reader` to its end into `tail`, through `filter`.
pub(crate) fn read_into(
    mut reader: impl AsyncRead + Unpin + Send + 'static,
    tail: Arc<Mutex<TailBuffer>>,
    mut filter: impl OutputFilter,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => {
                    let rest = filter.finish();
                    tail.lock().unwrap_or_else(|p| p.into_inner()).push(&rest);
                    break;
                }
                Ok(n) => {
                    let kept = filter.filter(&buf[..n]);
                    if !kept.is_empty() {
                        tail.lock().unwrap_or_else(|p| p.into_inner()).push(&kept);
                    }
                }
            }
        }
    })
}
