//! Records a job's events: appends each to the event log and projects it onto the job and node
//! rows. The scheduler only queues events; a thread of the recorder's own writes them,
//! group-committed (one transaction for whatever has queued up while the last one committed),
//! so a node's result is durable right after it ends and a burst of thousands of events costs
//! a handful of commits.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::{cause_name, sql_error};
use crate::error::Error;
use crate::event::{ErrorCause, Event, EventKind, EventSink, JobId, OutputTail};
use crate::state::NodeState;
use crate::summary::RunSummary;

/// The most events applied in one transaction: bounds how long a commit (and so the durability
/// of the first event in it) can be delayed by a flood.
const MAX_BATCH: usize = 8192;

/// Records one job's events into the store; see [`crate::Store::recorder`]. Dropping it waits
/// for what was sent to be committed, like [`Recorder::finish`], but loses the error.
#[derive(Debug)]
pub struct Recorder {
    path: PathBuf,
    sender: Option<Sender<Event>>,
    writer: Option<JoinHandle<Result<(), Error>>>,
}

impl Recorder {
    /// Starts the writer thread on its own connection.
    pub(crate) fn start(conn: Connection, path: PathBuf, job: JobId) -> Result<Recorder, Error> {
        let (sender, receiver) = channel();
        let thread_path = path.clone();
        let writer = std::thread::Builder::new()
            .name(format!("orch-store-job-{job}"))
            .spawn(move || write_loop(conn, &thread_path, job, receiver))
            .map_err(|e| Error::Store {
                path: path.clone(),
                message: format!("could not start the recorder thread: {e}"),
            })?;
        Ok(Recorder {
            path,
            sender: Some(sender),
            writer: Some(writer),
        })
    }

    /// Waits until everything sent is committed; the first write error, if any (events after
    /// it were not recorded).
    pub fn finish(mut self) -> Result<(), Error> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), Error> {
        // Closing the channel is what tells the writer to commit the rest and end.
        drop(self.sender.take());
        match self.writer.take() {
            None => Ok(()),
            Some(writer) => writer.join().unwrap_or_else(|_| {
                Err(Error::Store {
                    path: self.path.clone(),
                    message: "the recorder thread panicked".into(),
                })
            }),
        }
    }
}

impl EventSink for Recorder {
    fn event(&mut self, event: &Event) {
        // A send fails only when the writer has stopped on an error, which finish() reports.
        if let Some(sender) = &self.sender {
            let _ = sender.send(event.clone());
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Blocks for one event, takes whatever else is queued, applies them all in one transaction;
/// until the channel closes or a write fails.
fn write_loop(
    mut conn: Connection,
    path: &std::path::Path,
    job: JobId,
    events: Receiver<Event>,
) -> Result<(), Error> {
    while let Ok(first) = events.recv() {
        let mut batch = Vec::with_capacity(64);
        batch.push(first);
        batch.extend(events.try_iter().take(MAX_BATCH - 1));
        apply_batch(&mut conn, job, &batch)
            .map_err(|e| sql_error(path, "could not record the job's events", e))?;
    }
    Ok(())
}

fn apply_batch(conn: &mut Connection, job: JobId, batch: &[Event]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for event in batch {
        apply(&tx, job, event)?;
    }
    tx.commit()
}

/// Appends one event to the log and projects it onto the job's rows.
pub(crate) fn apply(tx: &Transaction<'_>, job: JobId, event: &Event) -> rusqlite::Result<()> {
    let time = event.time.as_millis();
    tx.prepare_cached(
        "INSERT INTO events (job_id, seq, type, time_ms, node, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        job,
        event.seq,
        event.kind.name(),
        time,
        event.kind.node(),
        event.to_json_line()
    ])?;
    let message = event.message.as_str();
    match &event.kind {
        EventKind::JobStarted { .. } => {
            tx.prepare_cached("UPDATE jobs SET state = 'running', started_ms = ?2 WHERE id = ?1")?
                .execute(params![job, time])?;
        }
        EventKind::JobStopping { .. } => {
            tx.prepare_cached(
                "UPDATE jobs SET state = 'stopping' WHERE id = ?1 AND state IN ('new', 'running')",
            )?
            .execute(params![job])?;
        }
        EventKind::JobFinished {
            state, duration_s, ..
        } => {
            tx.prepare_cached(
                "UPDATE jobs SET state = ?2, finished_ms = ?3, duration_s = ?4 WHERE id = ?1",
            )?
            .execute(params![job, state.as_str(), time, duration_s])?;
        }
        EventKind::NodeRunning { node, level, .. } => {
            node_running(tx, job, node, *level, time, message)?;
        }
        EventKind::NodeFinished {
            node,
            exit_code,
            duration_s,
            output,
            summary,
        } => {
            let end = NodeEnd {
                summary: summary.as_ref(),
                ..NodeEnd::ran(NodeState::Finished, *duration_s, Some(*exit_code), output)
            };
            node_ended(tx, job, node, &end, time, message)?;
        }
        EventKind::NodeFailed {
            node,
            exit_code,
            duration_s,
            output,
            summary,
        } => {
            let end = NodeEnd {
                summary: summary.as_ref(),
                ..NodeEnd::ran(NodeState::Failed, *duration_s, *exit_code, output)
            };
            node_ended(tx, job, node, &end, time, message)?;
        }
        EventKind::NodeErrored {
            node,
            error,
            duration_s,
            output,
        } => {
            let end = NodeEnd {
                error: Some(*error),
                ..NodeEnd::ran(NodeState::Errored, *duration_s, None, output)
            };
            node_ended(tx, job, node, &end, time, message)?;
        }
        EventKind::NodeSkipped {
            node,
            skipped_because,
        } => {
            let end = NodeEnd::skipped(skipped_because.as_deref());
            node_ended(tx, job, node, &end, time, message)?;
        }
        // In the event log only: the job's row does not change.
        EventKind::JobPaused { .. } | EventKind::JobResumed { .. } => {}
    }
    Ok(())
}

/// How a node ended, as its row records it.
struct NodeEnd<'a> {
    state: NodeState,
    /// `None` for a node that never ran (skipped): no finish time either.
    duration_s: Option<f64>,
    exit_code: Option<i32>,
    output: Option<&'a OutputTail>,
    error: Option<ErrorCause>,
    skipped_because: Option<&'a str>,
    summary: Option<&'a RunSummary>,
}

impl<'a> NodeEnd<'a> {
    fn ran(
        state: NodeState,
        duration_s: f64,
        exit_code: Option<i32>,
        output: &'a OutputTail,
    ) -> NodeEnd<'a> {
        NodeEnd {
            state,
            duration_s: Some(duration_s),
            exit_code,
            output: Some(output),
            error: None,
            skipped_because: None,
            summary: None,
        }
    }

    fn skipped(because: Option<&'a str>) -> NodeEnd<'a> {
        NodeEnd {
            state: NodeState::Skipped,
            duration_s: None,
            exit_code: None,
            output: None,
            error: None,
            skipped_because: because,
            summary: None,
        }
    }
}

fn node_running(
    tx: &Transaction<'_>,
    job: JobId,
    node: &str,
    level: usize,
    time: i64,
    message: &str,
) -> rusqlite::Result<()> {
    let update = |tx: &Transaction<'_>| {
        tx.prepare_cached(
            "UPDATE job_nodes SET state = 'running', started_ms = ?3, message = ?4
             WHERE job_id = ?1 AND name = ?2",
        )?
        .execute(params![job, node, time, message])
    };
    if update(tx)? == 0 {
        add_unplanned_node(tx, job, node, level)?;
        update(tx)?;
    }
    Ok(())
}

fn node_ended(
    tx: &Transaction<'_>,
    job: JobId,
    node: &str,
    end: &NodeEnd<'_>,
    time: i64,
    message: &str,
) -> rusqlite::Result<()> {
    let finished = end.duration_s.map(|_| time);
    let summary = end
        .summary
        .map(|s| serde_json::to_string(s).expect("summaries serialize"));
    let update = |tx: &Transaction<'_>| {
        tx.prepare_cached(
            "UPDATE job_nodes SET state = ?3, finished_ms = ?4, duration_s = ?5, exit_code = ?6,
                 message = ?7, output_tail = ?8, output_truncated = ?9, error = ?10,
                 skipped_because = ?11, summary = ?12
             WHERE job_id = ?1 AND name = ?2",
        )?
        .execute(params![
            job,
            node,
            end.state.as_str(),
            finished,
            end.duration_s,
            end.exit_code,
            message,
            end.output.map(|o| o.text.as_str()),
            end.output.is_some_and(|o| o.truncated),
            end.error.map(cause_name),
            end.skipped_because,
            summary,
        ])
    };
    if update(tx)? == 0 {
        add_unplanned_node(tx, job, node, 0)?;
        update(tx)?;
    }
    Ok(())
}

/// A node the job was not created with: the store is a projection of the stream, so it gets a
/// row rather than its events being dropped from the job's view.
fn add_unplanned_node(
    tx: &Transaction<'_>,
    job: JobId,
    node: &str,
    level: usize,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO job_nodes (job_id, name, level, state) VALUES (?1, ?2, ?3, 'new')",
    )?
    .execute(params![job, node, level as i64])?;
    Ok(())
}
