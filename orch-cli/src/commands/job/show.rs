//! `orch job show`: the job list, or one job.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::commands::open_store;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The job to show (default: list the jobs, newest first).
    id: Option<u64>,
    /// Most jobs to list.
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: usize,
    /// The job store (default: $ORCH_STORE, else $XDG_STATE_HOME/orch/jobs.sqlite3).
    #[arg(long, value_name = "PATH", env = "ORCH_STORE")]
    store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

pub(super) fn show(args: &ShowArgs) -> Exit {
    let store = match open_store(args.store.as_deref()) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let text = match args.id {
        Some(id) => match store.job(id) {
            Ok(job) => match args.format {
                ShowFormat::Text => orch_runner::render_job_detail(&job),
                ShowFormat::Json => json(&job),
            },
            Err(orch_runner::Error::UnknownJob { .. }) => {
                eprintln!("Error: there is no job {id}");
                return Exit::InvalidInput;
            }
            Err(e) => {
                eprintln!("Error: {e}");
                return Exit::Internal;
            }
        },
        None => match store.jobs(args.limit) {
            Ok(jobs) => match args.format {
                ShowFormat::Text => orch_runner::render_job_list(&jobs),
                ShowFormat::Json => json(&serde_json::json!({
                    "schema": orch_runner::SCHEMA_VERSION,
                    "items": jobs.iter().map(|j| j.summary_json()).collect::<Vec<_>>(),
                })),
            },
            Err(e) => {
                eprintln!("Error: {e}");
                return Exit::Internal;
            }
        },
    };
    crate::commands::print(&text)
}

fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("jobs serialize");
    text.push('\n');
    text
}
