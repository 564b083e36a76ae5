//! `orch job prune`: deletes old jobs that have ended.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use orch_runner::Timestamp;

use super::{json, parse_time, store_error};
use crate::commands::open_store;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    /// Delete the jobs created before this: an age (30m, 2h, 7d, 4w) or an RFC 3339 time.
    #[arg(long, value_name = "AGE|TIME", value_parser = parse_time)]
    older_than: Timestamp,
    /// Say what would be deleted, delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// The job store (default: $ORCH_STORE, else $XDG_STATE_HOME/orch/jobs.sqlite3).
    #[arg(long, value_name = "PATH", env = "ORCH_STORE")]
    store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PruneFormat::Text)]
    format: PruneFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PruneFormat {
    Text,
    Json,
}

/// `--format json`'s answer, keys in this order.
#[derive(serde::Serialize)]
struct PruneJson<'a> {
    schema: u32,
    dry_run: bool,
    before: Timestamp,
    count: usize,
    jobs: &'a [orch_runner::JobId],
}

pub(super) fn prune(args: &PruneArgs) -> Exit {
    let store = match open_store(args.store.as_deref()) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let ids = match store.prune(args.older_than, args.dry_run) {
        Ok(ids) => ids,
        Err(e) => return store_error(&e),
    };
    let before = args.older_than;
    crate::commands::print(&match args.format {
        PruneFormat::Json => json(&PruneJson {
            schema: orch_runner::SCHEMA_VERSION,
            dry_run: args.dry_run,
            before,
            count: ids.len(),
            jobs: &ids,
        }),
        PruneFormat::Text => {
            let jobs = match ids.len() {
                1 => "1 ended job".to_owned(),
                n => format!("{n} ended jobs"),
            };
            let verb = if args.dry_run {
                "Would delete"
            } else {
                "Deleted"
            };
            format!("{verb} {jobs} created before {before}.\n")
        }
    })
}
