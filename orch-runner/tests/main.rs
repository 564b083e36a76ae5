//! orch-runner's integration tests (one binary, as each crate has).

mod common;
mod local;
mod scheduler;
mod summaries;
