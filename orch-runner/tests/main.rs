//! orch-runner's integration tests (one binary, as each crate has).

mod common;
mod local;
mod policy;
mod preflight;
mod scheduler;
mod ssh;
mod summaries;
