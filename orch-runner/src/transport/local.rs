//! The `local` transport: the node's command as a process on this machine (see `process.rs`
//! for how it is run and killed).

use std::path::Path;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::process::{AllOutput, run_captured};
use super::{
    Connection, FileRead, NodeTarget, RunError, RunErrorKind, RunOutcome, RunRequest, Transport,
};

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
        let Some((program, args)) = request.argv.split_first() else {
            return Err(RunError::new(
                RunErrorKind::CouldNotStart,
                "the command is empty",
            ));
        };
        let mut command = tokio::process::Command::new(program);
        command
            .args(args)
            .envs(request.env.iter().map(|(k, v)| (k, v)));
        let finished = run_captured(command, program.as_ref(), cancel, AllOutput).await?;
        if finished.cancelled {
            return Err(RunError {
                kind: RunErrorKind::Cancelled,
                message: "killed".into(),
                output: finished.output,
            });
        }
        Ok(RunOutcome {
            exit: finished.exit,
            output: finished.output,
            read_after: request.read_after.as_deref().map(read_small_file),
        })
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

/// The run summary right after the run, in place: a failed `open` (the usual case without
/// Puppet) or a read of a few KiB costs less than handing it to a blocking thread; a larger
/// file is refused rather than read on the runtime's thread.
fn read_small_file(path: &Path) -> FileRead {
    const LIMIT: u64 = 1024 * 1024;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("could not read `{}`: {e}", path.display())),
    };
    let mut bytes = Vec::new();
    use std::io::Read;
    match (&mut file).take(LIMIT + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > LIMIT => Err(format!(
            "`{}` is larger than 1 MiB: not a run summary",
            path.display()
        )),
        Ok(_) => Ok(Some(bytes)),
        Err(e) => Err(format!("could not read `{}`: {e}", path.display())),
    }
}
