//! `--server URL`: `job run`, `job show` and `job stop` as clients of a running `orch serve`
//! (PE's orchestrator API), as PE's `puppet job` was of its orchestrator.

use std::path::PathBuf;

use clap::Args;
use orch_runner::{JobId, RunText};
use orch_server::{Client, ClientError, DeployRequest};

use super::output::{Output, RunFormat, print_events};
use super::progress::Progress;
use crate::exit::Exit;

/// Where the orchestrator service is.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// Speak to the `orch serve` at this URL (https://host:8143) instead of this machine's
    /// store and nodes.
    #[arg(long, value_name = "URL", env = "ORCH_SERVER")]
    server: Option<String>,
    /// The file holding the token to send (default: ~/.puppetlabs/token, as PE's clients);
    /// $ORCH_TOKEN holds the token itself.
    #[arg(long = "token-file", value_name = "FILE", env = "ORCH_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// The CA certificate (PEM) that signed the server's certificate (default: the system's
    /// roots).
    #[arg(long, value_name = "FILE", env = "ORCH_CACERT")]
    cacert: Option<PathBuf>,
}

impl ServerArgs {
    /// The client, when `--server` is given; problems are printed here.
    pub(crate) fn client(&self) -> Result<Option<Client>, Exit> {
        let Some(url) = self.server.as_deref().filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let token = self.token()?;
        Client::new(url, token, self.cacert.as_deref())
            .map(Some)
            .map_err(|e| {
                eprintln!("Error: {e}");
                Exit::InvalidInput
            })
    }

    fn token(&self) -> Result<Option<String>, Exit> {
        if let Ok(token) = std::env::var("ORCH_TOKEN")
            && !token.trim().is_empty()
        {
            return Ok(Some(token.trim().to_owned()));
        }
        let path = match &self.token_file {
            Some(p) => p.clone(),
            None => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".puppetlabs/token"),
                None => return Ok(None),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
            // The default file need not exist: the server may not ask for a token.
            Err(e) if self.token_file.is_none() && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => {
                eprintln!(
                    "Error: could not read the token file `{}`: {e}",
                    path.display()
                );
                Err(Exit::InvalidInput)
            }
        }
    }
}

/// Prints a client error: what the server refused is the input's fault (exit 2), except
/// its own failures; an unreachable server is exit 3.
pub(super) fn client_error(e: &ClientError) -> Exit {
    eprintln!("Error: {e}");
    match e {
        ClientError::Api { status, .. } if *status < 500 => Exit::InvalidInput,
        _ => Exit::Internal,
    }
}

/// `job run --server`: deploys, then prints the job's events as the server records them.
/// Ctrl-C asks the server to stop the job; a second Ctrl-C, to interrupt its running nodes.
pub(super) fn run(client: &Client, request: DeployRequest, format: RunFormat) -> Exit {
    let deployed = match client.deploy(&request) {
        Ok(d) => d,
        Err(e) => return client_error(&e),
    };
    let id = deployed.id;
    let live = format == RunFormat::Text && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut output = Output::new(
        format,
        RunText::new(&deployed.plan),
        live.then(|| Progress::new(&deployed.plan)),
    );
    output.announce(&deployed.plan, id);
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let exit = runtime.block_on(follow_events(client, id, &mut output, true));
    if let Some(p) = &output.progress {
        p.finish();
    }
    exit
}

/// `job show ID --follow --server`.
pub(super) fn follow(client: &Client, id: JobId, format: RunFormat) -> Exit {
    let job = match client.job(id) {
        Ok(job) => job,
        Err(e) => return client_error(&e),
    };
    let mut output = Output::new(format, RunText::for_job(&job), None);
    match super::runtime() {
        Ok(rt) => rt.block_on(follow_events(client, id, &mut output, false)),
        Err(exit) => exit,
    }
}

/// Prints job `id`'s events from the first until it ends. With `own_job`, Ctrl-C stops the
/// job on the server; else it ends only the following.
async fn follow_events(client: &Client, id: JobId, output: &mut Output, own_job: bool) -> Exit {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).ok();
    let mut interrupted = 0;
    let mut start = 1;
    let mut ended_quietly = false;
    loop {
        let fetcher = client.clone();
        let fetch = tokio::task::spawn_blocking(move || fetcher.events(id, start));
        tokio::pin!(fetch);
        let events = loop {
            tokio::select! {
                fetched = &mut fetch => break fetched,
                Some(()) = async { match &mut interrupt { Some(s) => s.recv().await, None => std::future::pending().await } } => {
                    if !own_job {
                        return Exit::Interrupted;
                    }
                    interrupted += 1;
                    let force = interrupted > 1;
                    let stopper = client.clone();
                    tokio::task::spawn_blocking(move || {
                        match stopper.stop(id, force) {
                            Ok(_) if force => eprintln!("Interrupting the running nodes of job {id}."),
                            Ok(_) => eprintln!("Stopping job {id}: no new runs will start. Press Ctrl-C again to interrupt the running ones."),
                            Err(e) => eprintln!("Error: could not stop job {id}: {e}"),
                        }
                    });
                }
            }
        };
        let (events, state) = match events {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => return client_error(&e),
            Err(e) => {
                eprintln!("Error: {e}");
                return Exit::Internal;
            }
        };
        // The state is read after the events: a job that ended between the two reads shows
        // its last events on the next call, so only a second empty answer means its runner
        // died without a `job_finished`.
        if events.is_empty() && state.is_terminal() {
            if ended_quietly {
                eprintln!("Error: job {id} ended without finishing: its events stop here");
                return Exit::Problems;
            }
            ended_quietly = true;
        }
        if let Some(last) = events.last() {
            start = last.seq + 1;
        }
        if let Some(exit) = print_events(output, &events) {
            return if interrupted > 0 && exit != Exit::Success {
                Exit::Interrupted
            } else {
                exit
            };
        }
    }
}
