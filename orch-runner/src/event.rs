//! The event stream of a job: one typed, versioned event per thing that happens. It drives the
//! text output, the live display, `--format json` (NDJSON) and the job store; embedders
//! subscribe to it with an [`EventSink`].

use serde::{Deserialize, Serialize};

use crate::state::{JobState, NodeCounts};
use crate::summary::RunSummary;
use crate::time::Timestamp;

/// The version of the event and job JSON shapes. Keys may be added within a version; none is
/// removed or renamed without raising it.
pub const SCHEMA_VERSION: u32 = 1;

/// A job's number in the store.
pub type JobId = u64;

/// One event of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Position in the job's stream, from 1, without gaps.
    pub seq: u64,
    /// When it happened.
    pub time: Timestamp,
    /// The job.
    pub job: JobId,
    /// What happened, with its data.
    pub kind: EventKind,
    /// The line a person reads (`Started puppet run on db01.example.net ...`).
    pub message: String,
}

/// What happened. Serialized with `type` naming the variant (PE's event names, §5.10) and the
/// variant's fields beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The job began running.
    JobStarted {
        /// How many nodes it runs.
        nodes: usize,
        /// The environment agents run in.
        environment: String,
        /// What was targeted (`all`, `Shop[prod]`, `a, b`).
        target: String,
        /// `true` for `--noop`, `false` for `--no-noop`, absent when the agents decide.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        noop: Option<bool>,
        /// The concurrency limit; absent when unlimited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        concurrency: Option<u32>,
    },
    /// A node's agent run started.
    NodeRunning {
        /// The node.
        node: String,
        /// Its level in the plan.
        level: usize,
        /// With `--on-failure continue`: the dependencies that did not finish (absent when
        /// every one did).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        failed_dependencies: Vec<String>,
    },
    /// A node's agent run completed (exit 0, or 2: changes).
    NodeFinished {
        /// The node.
        node: String,
        /// The agent's exit status.
        exit_code: i32,
        /// How long the run took.
        duration_s: f64,
        /// The end of what the run printed.
        #[serde(flatten)]
        output: OutputTail,
        /// The agent's run summary as orch read it (`None` only in events of older orchs).
        #[serde(default)]
        summary: Option<RunSummary>,
    },
    /// A node's agent run reported failure.
    NodeFailed {
        /// The node.
        node: String,
        /// The agent's exit status; absent when it was killed by a signal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        /// How long the run took.
        duration_s: f64,
        /// The end of what the run printed.
        #[serde(flatten)]
        output: OutputTail,
        /// The agent's run summary as orch read it (`None` only in events of older orchs).
        #[serde(default)]
        summary: Option<RunSummary>,
    },
    /// A node's run could not be done.
    NodeErrored {
        /// The node.
        node: String,
        /// Why.
        error: ErrorCause,
        /// How long it took until then.
        duration_s: f64,
        /// The end of what the run printed before it ended.
        #[serde(flatten)]
        output: OutputTail,
    },
    /// A node did not run.
    NodeSkipped {
        /// The node.
        node: String,
        /// The dependency that stopped it (absent when the job stopped first).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skipped_because: Option<String>,
    },
    /// A stop was asked for.
    JobStopping {
        /// `false`: nothing new starts, running nodes finish; `true`: running nodes are killed.
        force: bool,
    },
    /// `--pause-between-levels`: every node before `level` has ended; nothing of `level`
    /// starts until the operator lets it.
    JobPaused {
        /// The level waiting.
        level: usize,
    },
    /// The operator let `level` start.
    JobResumed {
        /// The level starting.
        level: usize,
    },
    /// The job ended; always the last event.
    JobFinished {
        /// Its final state.
        state: JobState,
        /// How many nodes ended in each state.
        node_states: NodeCounts,
        /// How long the job ran.
        duration_s: f64,
    },
}

/// Why a node's run could not be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCause {
    /// The command could not be started (not executable, ...).
    CouldNotStart,
    /// The command does not exist on the node.
    CommandNotFound,
    /// The node could not be reached (connection refused, no route, unknown name).
    Unreachable,
    /// Connecting took longer than the connect timeout.
    ConnectTimeout,
    /// The node refused the credentials.
    AuthFailed,
    /// The node's host key was not accepted (changed, or unknown under strict checking).
    HostKeyRejected,
    /// `sudo` refused to run the command as the `run-as` user.
    RunAsRefused,
    /// The transport failed otherwise (the connection dropped, ...).
    Transport,
    /// It ran past the per-node timeout and was killed.
    TimedOut,
    /// The job was stopped with force and the run was killed.
    Interrupted,
}

impl ErrorCause {
    /// Every cause.
    pub const ALL: [ErrorCause; 10] = [
        ErrorCause::CouldNotStart,
        ErrorCause::CommandNotFound,
        ErrorCause::Unreachable,
        ErrorCause::ConnectTimeout,
        ErrorCause::AuthFailed,
        ErrorCause::HostKeyRejected,
        ErrorCause::RunAsRefused,
        ErrorCause::Transport,
        ErrorCause::TimedOut,
        ErrorCause::Interrupted,
    ];

    /// Its name in JSON and the store (`timed_out`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCause::CouldNotStart => "could_not_start",
            ErrorCause::CommandNotFound => "command_not_found",
            ErrorCause::Unreachable => "unreachable",
            ErrorCause::ConnectTimeout => "connect_timeout",
            ErrorCause::AuthFailed => "auth_failed",
            ErrorCause::HostKeyRejected => "host_key_rejected",
            ErrorCause::RunAsRefused => "run_as_refused",
            ErrorCause::Transport => "transport",
            ErrorCause::TimedOut => "timed_out",
            ErrorCause::Interrupted => "interrupted",
        }
    }
}

impl From<crate::transport::RunErrorKind> for ErrorCause {
    /// What a transport's failure means for the node; a cancelled run is `interrupted` (the
    /// scheduler tells timeouts apart itself).
    fn from(kind: crate::transport::RunErrorKind) -> ErrorCause {
        use crate::transport::RunErrorKind as K;
        match kind {
            K::CouldNotStart => ErrorCause::CouldNotStart,
            K::CommandNotFound => ErrorCause::CommandNotFound,
            K::Unreachable => ErrorCause::Unreachable,
            K::ConnectTimeout => ErrorCause::ConnectTimeout,
            K::AuthFailed => ErrorCause::AuthFailed,
            K::HostKeyRejected => ErrorCause::HostKeyRejected,
            K::RunAsRefused => ErrorCause::RunAsRefused,
            K::Transport => ErrorCause::Transport,
            K::Cancelled => ErrorCause::Interrupted,
        }
    }
}

/// The last bytes a run printed (stdout and stderr interleaved), bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputTail {
    /// The text (invalid UTF-8 replaced).
    #[serde(rename = "output_tail", default)]
    pub text: String,
    /// Whether earlier output was dropped to keep within the bound.
    #[serde(rename = "output_truncated", default)]
    pub truncated: bool,
}

impl OutputTail {
    /// The last `n` non-empty lines.
    pub fn last_lines(&self, n: usize) -> Vec<&str> {
        let lines: Vec<&str> = self.text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(n)..].to_vec()
    }
}

impl EventKind {
    /// The event's `type` (`node_running`).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::JobStarted { .. } => "job_started",
            EventKind::NodeRunning { .. } => "node_running",
            EventKind::NodeFinished { .. } => "node_finished",
            EventKind::NodeFailed { .. } => "node_failed",
            EventKind::NodeErrored { .. } => "node_errored",
            EventKind::NodeSkipped { .. } => "node_skipped",
            EventKind::JobStopping { .. } => "job_stopping",
            EventKind::JobPaused { .. } => "job_paused",
            EventKind::JobResumed { .. } => "job_resumed",
            EventKind::JobFinished { .. } => "job_finished",
        }
    }

    /// The node it is about, if any.
    pub fn node(&self) -> Option<&str> {
        match self {
            EventKind::NodeRunning { node, .. }
            | EventKind::NodeFinished { node, .. }
            | EventKind::NodeFailed { node, .. }
            | EventKind::NodeErrored { node, .. }
            | EventKind::NodeSkipped { node, .. } => Some(node),
            _ => None,
        }
    }
}

impl Event {
    /// The event as one line of NDJSON (no newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("events serialize")
    }

    /// Reads one line of NDJSON written by [`Event::to_json_line`] (any schema up to ours).
    pub fn from_json_line(line: &str) -> Result<Event, serde_json::Error> {
        serde_json::from_str(line)
    }
}

// Written by hand so that the keys come in the order a person reads them: schema, seq, type,
// time, job, then the kind's fields, then message.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let fields = match serde_json::to_value(&self.kind).map_err(S::Error::custom)? {
            serde_json::Value::Object(map) => map,
            _ => return Err(S::Error::custom("event kinds serialize as objects")),
        };
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema", &SCHEMA_VERSION)?;
        map.serialize_entry("seq", &self.seq)?;
        map.serialize_entry("type", self.kind.name())?;
        map.serialize_entry("time", &self.time)?;
        map.serialize_entry("job", &self.job)?;
        if let Some(node) = fields.get("node") {
            map.serialize_entry("node", node)?;
        }
        for (k, v) in &fields {
            if k != "type" && k != "node" {
                map.serialize_entry(k, v)?;
            }
        }
        map.serialize_entry("message", &self.message)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            schema: u32,
            seq: u64,
            time: Timestamp,
            job: JobId,
            message: String,
            #[serde(flatten)]
            kind: EventKind,
        }
        let w = Wire::deserialize(d)?;
        if w.schema > SCHEMA_VERSION {
            return Err(serde::de::Error::custom(format!(
                "event schema {} is newer than this orch reads ({SCHEMA_VERSION})",
                w.schema
            )));
        }
        Ok(Event {
            seq: w.seq,
            time: w.time,
            job: w.job,
            kind: w.kind,
            message: w.message,
        })
    }
}

/// Something that receives a job's events, in order, as they happen: the store, the text
/// output, the live display, an embedder. Called on the scheduler's task: keep it quick (hand
/// slow work to a thread).
pub trait EventSink: Send {
    /// One event.
    fn event(&mut self, event: &Event);
}

impl<F: FnMut(&Event) + Send> EventSink for F {
    fn event(&mut self, event: &Event) {
        self(event)
    }
}

/// Collects events in memory (tests, embedders that want the whole stream).
#[derive(Debug, Default, Clone)]
pub struct EventLog(pub Vec<Event>);

impl EventSink for EventLog {
    fn event(&mut self, event: &Event) {
        self.0.push(event.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind) -> Event {
        Event {
            seq: 3,
            time: Timestamp::from_millis(1_796_288_400_000),
            job: 7,
            kind,
            message: "m".into(),
        }
    }

    #[test]
    fn ndjson_keys_come_in_reading_order() {
        let e = event(EventKind::NodeFinished {
            node: "db01".into(),
            exit_code: 2,
            duration_s: 1.5,
            output: OutputTail::default(),
            summary: None,
        });
        assert_eq!(
            e.to_json_line(),
            r#"{"schema":1,"seq":3,"type":"node_finished","time":"2026-12-03T09:00:00.000Z","job":7,"node":"db01","duration_s":1.5,"exit_code":2,"output_tail":"","output_truncated":false,"summary":null,"message":"m"}"#
        );
    }

    #[test]
    fn every_kind_round_trips() {
        let mut counts = NodeCounts::default();
        counts.add(crate::NodeState::Finished);
        let kinds = [
            EventKind::JobStarted {
                nodes: 2,
                environment: "production".into(),
                target: "all".into(),
                noop: Some(true),
                concurrency: None,
            },
            EventKind::NodeRunning {
                node: "a".into(),
                level: 1,
                failed_dependencies: Vec::new(),
            },
            EventKind::NodeFailed {
                node: "a".into(),
                exit_code: None,
                duration_s: 0.25,
                output: OutputTail {
                    text: "x\n".into(),
                    truncated: true,
                },
                summary: Some(crate::RunSummary::from_fetch(
                    std::path::Path::new("/s.yaml"),
                    Ok(Some(b"resources: {failed: 1}\n".to_vec())),
                    Timestamp::from_millis(0),
                )),
            },
            EventKind::NodeErrored {
                node: "a".into(),
                error: ErrorCause::TimedOut,
                duration_s: 3.0,
                output: OutputTail::default(),
            },
            EventKind::NodeSkipped {
                node: "b".into(),
                skipped_because: Some("a".into()),
            },
            EventKind::JobStopping { force: true },
            EventKind::JobFinished {
                state: JobState::Failed,
                node_states: counts,
                duration_s: 4.0,
            },
        ];
        for kind in kinds {
            let e = event(kind);
            assert_eq!(Event::from_json_line(&e.to_json_line()).unwrap(), e);
        }
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let line = r#"{"schema":2,"seq":1,"type":"job_stopping","time":"2026-12-03T09:00:00.000Z","job":1,"force":false,"message":""}"#;
        assert!(Event::from_json_line(line).is_err());
    }

    #[test]
    fn last_lines_skip_blank_ones() {
        let tail = OutputTail {
            text: "a\n\nb\nc\n  \n".into(),
            truncated: false,
        };
        assert_eq!(tail.last_lines(2), ["b", "c"]);
    }
}
