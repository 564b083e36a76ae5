//! `orch job stop`: asks, through the store, the process running a job to stop it.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{json, store_error};
use crate::commands::open_store;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct StopArgs {
    /// The job to stop.
    id: u64,
    /// Interrupt the running nodes too (they end errored); without it they finish.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    server: super::remote::ServerArgs,
    /// The job store (default: $ORCH_STORE, else $XDG_STATE_HOME/orch/jobs.sqlite3).
    #[arg(long, value_name = "PATH", env = "ORCH_STORE")]
    store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StopFormat::Text)]
    format: StopFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StopFormat {
    Text,
    Json,
}

pub(super) fn stop(args: &StopArgs) -> Exit {
    match args.server.client() {
        Ok(Some(client)) => {
            return match client.stop(args.id, args.force) {
                Ok(answer) => crate::commands::print(&match args.format {
                    StopFormat::Text => orch_runner::render_stop_answer(&answer),
                    StopFormat::Json => json(&answer),
                }),
                Err(e) => super::remote::client_error(&e),
            };
        }
        Ok(None) => {}
        Err(exit) => return exit,
    }
    let store = match open_store(args.store.as_deref()) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    // A job that has already ended is not an error: the answer says so, as PE's stop did.
    match store.request_stop(args.id, args.force, &crate::commands::user()) {
        Ok(answer) => crate::commands::print(&match args.format {
            StopFormat::Text => orch_runner::render_stop_answer(&answer),
            StopFormat::Json => json(&answer),
        }),
        Err(e) => store_error(&e),
    }
}
