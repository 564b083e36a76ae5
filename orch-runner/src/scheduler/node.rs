//! One node's run as its task does it: connect, run, read the run summary, close, all inside
//! the node's timeout; and what the end means (Puppet's exit codes, PE's judgement by the
//! report).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::event::{ErrorCause, OutputTail};
use crate::state::NodeState;
use crate::summary::RunSummary;
use crate::time::{Timestamp, format_duration};
use crate::transport::{Connection, Exit, NodeTarget, RunErrorKind, RunRequest, Transport};

/// How a node's run ended, as its task reports it.
pub(super) struct NodeEnd {
    pub(super) state: NodeState,
    pub(super) exit_code: Option<i32>,
    pub(super) error: Option<ErrorCause>,
    /// Why it did not finish (for the message).
    pub(super) detail: String,
    pub(super) output: OutputTail,
    pub(super) duration: Duration,
    /// The agent's run summary, read after a run that ended with an exit.
    pub(super) summary: Option<RunSummary>,
}

impl NodeEnd {
    pub(super) fn panicked(e: tokio::task::JoinError) -> NodeEnd {
        NodeEnd {
            state: NodeState::Errored,
            exit_code: None,
            error: Some(ErrorCause::Transport),
            detail: format!("internal error in the transport: {e}"),
            output: OutputTail::default(),
            duration: Duration::ZERO,
            summary: None,
        }
    }
}

pub(super) async fn run_node(
    transport: Arc<dyn Transport>,
    target: NodeTarget,
    request: RunRequest,
    timeout: Option<Duration>,
    token: CancellationToken,
) -> NodeEnd {
    let started = tokio::time::Instant::now();
    // Wall-clock, as the node's summary is stamped: what its freshness is judged against.
    let run_started = Timestamp::now();
    let work = async {
        let mut conn = tokio::select! {
            conn = transport.connect(&target) => conn?,
            () = token.cancelled() => return Err(crate::transport::RunError::new(RunErrorKind::Cancelled, "cancelled while connecting")),
        };
        let result = conn.run(&request, &token).await;
        let result = match result {
            Ok(mut outcome) => {
                let summary = match outcome.read_after.take() {
                    // Read in the run's own session.
                    Some(read) => RunSummary::from_fetch(target.summary_path(), read, run_started),
                    None => read_summary(conn.as_mut(), &target, run_started, &token).await,
                };
                Ok((outcome, summary))
            }
            Err(e) => Err(e),
        };
        conn.close().await;
        result
    };
    tokio::pin!(work);
    let mut timed_out = false;
    let result = match timeout {
        None => work.await,
        Some(limit) => tokio::select! {
            r = &mut work => r,
            () = tokio::time::sleep(limit) => {
                timed_out = true;
                token.cancel();
                work.await
            }
        },
    };
    let duration = started.elapsed();
    match result {
        Ok((outcome, summary)) => {
            let (state, exit_code, detail) = match outcome.exit {
                // PE judged a run by its report too: failures there fail the node.
                Exit::Code(c @ (0 | 2)) => match summary.failure() {
                    Some(failure) => (
                        NodeState::Failed,
                        Some(c),
                        format!("{failure} (exit code {c})"),
                    ),
                    None => (NodeState::Finished, Some(c), String::new()),
                },
                Exit::Code(c) => (NodeState::Failed, Some(c), exit_detail(c)),
                Exit::Signal(s) => (
                    NodeState::Failed,
                    None,
                    format!("the agent was killed by signal {s}"),
                ),
            };
            NodeEnd {
                state,
                exit_code,
                error: None,
                detail,
                output: outcome.output,
                duration,
                summary: Some(summary),
            }
        }
        Err(e) => {
            let (cause, detail) = match e.kind {
                RunErrorKind::Cancelled if timed_out => (
                    ErrorCause::TimedOut,
                    format!(
                        "timed out after {}; the run was killed",
                        format_duration(timeout.map_or(0.0, |t| t.as_secs_f64()))
                    ),
                ),
                RunErrorKind::Cancelled => (
                    ErrorCause::Interrupted,
                    "interrupted: the job was stopped and the run was killed".to_owned(),
                ),
                kind => (ErrorCause::from(kind), e.message),
            };
            NodeEnd {
                state: NodeState::Errored,
                exit_code: None,
                error: Some(cause),
                detail,
                output: e.output,
                duration,
                summary: None,
            }
        }
    }
}

/// Reads the node's run summary over its connection; a stop or timeout cuts the read short
/// (the summary is then unreadable, the run's outcome stands).
async fn read_summary(
    conn: &mut dyn Connection,
    target: &NodeTarget,
    run_started: Timestamp,
    token: &CancellationToken,
) -> RunSummary {
    let path = target.summary_path();
    let fetched = tokio::select! {
        fetched = conn.fetch(path) => fetched.map_err(|e| e.message),
        () = token.cancelled() => Err("not read: the run was cancelled".to_owned()),
    };
    RunSummary::from_fetch(path, fetched, run_started)
}

/// What Puppet's detailed exit codes mean.
fn exit_detail(code: i32) -> String {
    let meaning = match code {
        1 => "the run failed",
        4 => "the run had failures",
        6 => "the run made changes and had failures",
        _ => "unexpected exit status",
    };
    format!("exit code {code} ({meaning})")
}
