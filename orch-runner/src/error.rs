//! The crate's error type. A node that fails is data in a job's events and report, never an
//! `Err`; these are the failures of the runner's own inputs and storage.

use std::path::PathBuf;

/// What can stop the runner from running or recording a job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The inventory file could not be read.
    #[error("could not read the inventory `{}`: {source}", file.display())]
    InventoryRead {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The inventory file is not a valid inventory.
    #[error("{message} (file: {}{})", file.display(), position(*line, *column))]
    Inventory {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The job store could not be opened, read or written.
    #[error("job store `{}`: {message}", path.display())]
    Store {
        /// The store's path.
        path: PathBuf,
        /// What went wrong, in SQLite's or the system's words.
        message: String,
    },
    /// The job store has no job with this id.
    #[error("no job {id} in the job store `{}`", path.display())]
    UnknownJob {
        /// The store's path.
        path: PathBuf,
        /// The id asked for.
        id: u64,
    },
    /// The options of a job contradict each other (`--noop` with `--no-noop`).
    #[error("{0}")]
    InvalidOptions(String),
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line: {l}, column: {c}"),
        (Some(l), None) => format!(", line: {l}"),
        _ => String::new(),
    }
}
