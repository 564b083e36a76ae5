//! Executes a run-order plan: agent runs on nodes, in dependency order, with a concurrency
//! limit, timeouts, noop, stopping, failure propagation, a typed event stream and a durable job
//! history.
//!
//! - [`run_job`] schedules a [`orch_planner::Plan`] over a [`Transport`]: a node starts as soon
//!   as every node it depends on has finished; a node whose dependency did not finish is
//!   skipped, and so are its dependents.
//! - [`Event`]s describe everything that happens; [`EventSink`]s (the store, the CLI's output,
//!   embedders) receive them in order.
//! - [`Store`]: the job history in SQLite, a projection of the event stream written by a
//!   [`Recorder`] (an [`EventSink`]).
//! - Transports: [`SshTransport`] (OpenSSH, one control master per node), [`LocalTransport`]
//!   (processes on this machine, argv vectors, own process group) and [`ScriptedTransport`]
//!   (in-process outcomes, for tests and benchmarks); [`preflight`] connects to every node
//!   before a job runs.

mod error;
mod event;
mod inventory;
mod preflight;
mod render;
mod scheduler;
mod state;
mod store;
mod summary;
mod time;
mod transport;

pub use error::Error;
pub use event::{
    ErrorCause, Event, EventKind, EventLog, EventSink, JobId, OutputTail, SCHEMA_VERSION,
};
pub use inventory::Inventory;
pub use preflight::{NodeCheck, NodeChecks, PREFLIGHT_KEEP_LIMIT, Preconnected, preflight};
pub use render::{
    FAILURE_TAIL_LINES, RunText, render_job_detail, render_job_list, render_stop_answer,
};
pub use scheduler::{
    DEFAULT_CONCURRENCY, FailurePolicy, JobOptions, JobReport, NodeReport, StopHandle, StopLevel,
    Threshold, run_job,
};
pub use state::{JobState, NodeCounts, NodeState, UnknownState};
pub use store::{
    DEFAULT_LIST_LIMIT, JobOrder, JobOrderBy, JobPage, JobQuery, JobRecord, JobSummary,
    LatestEvents, NewJob, NewJobNode, NodeRecord, Recorder, STOP_POLL, StopAnswer, StopRequest,
    StopWatcher, Store,
};
pub use summary::{
    CLOCK_SKEW_S, DEFAULT_SUMMARY_PATH, EventCounts, ResourceCounts, RunSummary, SummaryStatus,
};
pub use time::{BadTime, BadTimestamp, Timestamp, format_duration, parse_time_or_age};
pub use transport::{
    Connection, Exit, FileRead, InventoryTransport, LocalTransport, NodeTarget, OUTPUT_LIMIT,
    RunError, RunErrorKind, RunOutcome, RunRequest, Script, ScriptedRun, ScriptedTransport,
    SshSettings, SshTransport, Transport, TransportKind, default_command, shell_quote,
};

/// The login name of the user this process runs as (the password database's), else the uid.
pub fn login_name() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}
