//! PE's JSON shapes (`reference/orchestrator.md` §6.4) for orch's jobs, nodes and events, and
//! back: the API carries every field of orch's own job record beside PE's, so that a client
//! (`orch job show --server`) rebuilds exactly what the store holds.

use orch_runner::{
    ErrorCause, Event, JobId, JobRecord, JobState, NodeCounts, NodeRecord, NodeState, StopRequest,
    SummaryStatus, Timestamp,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The base of the API's absolute URLs (`https://host:8143/orchestrator/v1`).
#[derive(Debug, Clone)]
pub(crate) struct Base(pub(crate) String);

impl Base {
    pub(crate) fn job(&self, id: JobId) -> String {
        format!("{}/jobs/{id}", self.0)
    }
}

/// A job as `GET /jobs` lists it and `GET /jobs/:id` shows it (`status` only there).
pub(crate) fn job_json(base: &Base, job: &JobRecord, with_status: bool) -> Value {
    let url = base.job(job.id);
    let last_change = job.finished.or(job.started).unwrap_or(job.created);
    let mut out = json!({
        "id": url,
        "name": job.id.to_string(),
        "state": job.state,
        "command": "deploy",
        "type": "deploy",
        "options": {
            "environment": job.environment,
            "target": job.target,
            "noop": job.noop == Some(true),
            "no_noop": job.noop == Some(false),
            "concurrency": job.concurrency,
            "enforce_environment": true,
            "debug": false,
            "trace": false,
            "evaltrace": false,
            "description": job.description,
            "timeout": job.timeout_s,
        },
        "owner": { "id": job.user, "login": job.user },
        "description": job.description.clone().unwrap_or_default(),
        "timestamp": last_change,
        "environment": { "name": job.environment },
        "node_count": job.node_count,
        "node_states": if job.node_count == 0 { Value::Null } else { json!(job.node_states) },
        "nodes": { "id": format!("{url}/nodes") },
        "report": { "id": format!("{url}/report") },
        "events": { "id": format!("{url}/events") },
        // orch's own fields, beside PE's.
        "created_timestamp": job.created,
        "start_timestamp": job.started,
        "finish_timestamp": job.finished,
        "duration": job.duration_s,
        "rerun_of": job.rerun_of,
        "stop_request": job.stop_request,
        "message": job.message,
    });
    if with_status {
        out["status"] = status_history(job);
    }
    out
}

/// PE's `status`: the states the job went through, each with when it was entered and left.
fn status_history(job: &JobRecord) -> Value {
    let mut steps: Vec<(JobState, Timestamp)> = vec![(JobState::New, job.created)];
    if let Some(t) = job.started {
        steps.push((JobState::Running, t));
    }
    if let Some(stop) = &job.stop_request
        && job.state != JobState::Finished
        && job.state != JobState::Failed
    {
        steps.push((JobState::Stopping, stop.time));
    }
    if job.state.is_terminal() {
        steps.push((job.state, job.finished.unwrap_or(job.created)));
    } else if steps.last().map(|s| s.0) != Some(job.state) {
        steps.push((job.state, last_time(&steps)));
    }
    let items: Vec<Value> = steps
        .iter()
        .enumerate()
        .map(|(i, (state, enter))| {
            json!({
                "state": state,
                "enter_time": enter,
                "exit_time": steps.get(i + 1).map(|next| next.1),
            })
        })
        .collect();
    Value::Array(items)
}

fn last_time(steps: &[(JobState, Timestamp)]) -> Timestamp {
    steps.last().map_or_else(Timestamp::now, |s| s.1)
}

/// A node as `GET /jobs/:id/nodes` shows it.
pub(crate) fn node_json(job: &JobRecord, node: &NodeRecord, latest_event: Option<u64>) -> Value {
    let duration = match (node.duration_s, node.state, node.started) {
        (Some(d), _, _) => Some(d),
        // Still running: PE's duration grows.
        (None, NodeState::Running, Some(start)) => Some(start.seconds_until(Timestamp::now())),
        _ => None,
    };
    let summary = node.run_summary();
    // PE's `result` is the run's report: only from a summary this run wrote.
    let result = summary
        .as_ref()
        .filter(|s| s.status == SummaryStatus::Ok)
        .map(|s| {
            json!({
                "hash": Value::Null,
                "noop": { "noop": job.noop == Some(true), "no_noop": job.noop == Some(false) },
                "status": match node.state {
                    NodeState::Failed => "failed",
                    _ if s.resources.changed.unwrap_or(0) > 0 => "changed",
                    _ => "unchanged",
                },
                "metrics": {
                    "total": s.resources.total,
                    "changed": s.resources.changed,
                    "failed": s.resources.failed,
                    "skipped": s.resources.skipped,
                    "out_of_sync": s.resources.changed.zip(s.resources.noop).map(|(c, n)| c + n),
                    "corrective_change": Value::Null,
                    "restarted": Value::Null,
                    "scheduled": Value::Null,
                    "failed_to_restart": Value::Null,
                },
                "environment": job.environment,
                "configuration_version": s.config_version,
            })
        });
    json!({
        "name": node.name,
        "state": node.state,
        "timestamp": node.finished.or(node.started),
        "start_timestamp": node.started,
        "finish_timestamp": node.finished,
        "duration": duration,
        "transaction_uuid": summary.as_ref().and_then(|s| s.transaction_uuid.clone()),
        "details": { "message": node.message },
        "result": result,
        "latest-event-id": latest_event,
        // orch's own fields.
        "level": node.level,
        "depends_on": node.depends_on,
        "applications": node.applications,
        "exit_code": node.exit_code,
        "error": node.error,
        "skipped_because": node.skipped_because,
        "output_tail": node.output_tail,
        "output_truncated": node.output_truncated,
        "summary": node.summary,
    })
}

/// One event as `GET /jobs/:id/events` serves it: PE's keys (`id`, `type`, `timestamp`,
/// `details {node, detail}`, `message`), with orch's event fields in `details.detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiEvent {
    /// The event's position in the job's stream, as text (PE's ids are strings).
    pub id: String,
    /// PE's event type (`node_running`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened.
    pub timestamp: Timestamp,
    /// The node and the event's data.
    pub details: ApiEventDetails,
    /// The line a person reads.
    pub message: String,
}

/// `details` of an [`ApiEvent`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiEventDetails {
    /// The node, for node events.
    #[serde(default)]
    pub node: Option<String>,
    /// The rest of the event's fields.
    #[serde(default)]
    pub detail: Map<String, Value>,
}

/// The keys of an orch event that [`ApiEvent`] carries outside `detail`.
const EVENT_FRAME: [&str; 7] = ["schema", "seq", "type", "time", "job", "node", "message"];

impl ApiEvent {
    /// The API's form of `event`.
    pub fn from_event(event: &Event) -> ApiEvent {
        let Ok(Value::Object(mut fields)) = serde_json::to_value(event) else {
            unreachable!("events serialize as objects");
        };
        let node = fields
            .remove("node")
            .and_then(|n| n.as_str().map(str::to_owned));
        fields.retain(|k, _| !EVENT_FRAME.contains(&k.as_str()));
        ApiEvent {
            id: event.seq.to_string(),
            kind: event.kind.name().to_owned(),
            timestamp: event.time,
            details: ApiEventDetails {
                node,
                detail: fields,
            },
            message: event.message.clone(),
        }
    }

    /// The orch event it came from, for job `job`.
    pub fn to_event(&self, job: JobId) -> Result<Event, String> {
        let seq: u64 = self
            .id
            .parse()
            .map_err(|_| format!("event id `{}` is not a number", self.id))?;
        let mut map = self.details.detail.clone();
        map.insert("schema".into(), json!(orch_runner::SCHEMA_VERSION));
        map.insert("seq".into(), json!(seq));
        map.insert("type".into(), json!(self.kind));
        map.insert("time".into(), json!(self.timestamp));
        map.insert("job".into(), json!(job));
        map.insert("message".into(), json!(self.message));
        if let Some(node) = &self.details.node {
            map.insert("node".into(), json!(node));
        }
        serde_json::from_value(Value::Object(map)).map_err(|e| format!("event {seq}: {e}"))
    }
}

/// Rebuilds orch's job record from `GET /jobs/:id` and the items of `GET /jobs/:id/nodes`
/// (`None`: a job of `GET /jobs`' list, whose counts are the job's own).
pub fn job_from_api(job: &Value, nodes: Option<&[Value]>) -> Result<JobRecord, String> {
    let options = field(job, "options");
    let id: JobId = field(job, "name")
        .as_str()
        .and_then(|n| n.parse().ok())
        .ok_or("the server's job `name` is not a job number")?;
    let noop = match (
        options.get("noop").and_then(Value::as_bool),
        options.get("no_noop").and_then(Value::as_bool),
    ) {
        (Some(true), _) => Some(true),
        (_, Some(true)) => Some(false),
        _ => None,
    };
    let (nodes, node_count, node_states) = match nodes {
        Some(items) => {
            let nodes = items
                .iter()
                .map(node_from_api)
                .collect::<Result<Vec<_>, _>>()?;
            let mut counts = NodeCounts::default();
            for n in &nodes {
                counts.add(n.state);
            }
            let count = nodes.len();
            (nodes, count, counts)
        }
        None => (
            Vec::new(),
            de(job, "node_count")?,
            de::<Option<NodeCounts>>(job, "node_states")?.unwrap_or_default(),
        ),
    };
    Ok(JobRecord {
        id,
        state: de(job, "state")?,
        environment: de(&options, "environment")?,
        target: de(&options, "target")?,
        noop,
        description: de(&options, "description")?,
        rerun_of: de(job, "rerun_of")?,
        user: de(&field(job, "owner"), "login")?,
        concurrency: de(&options, "concurrency")?,
        timeout_s: de(&options, "timeout")?,
        stop_request: de::<Option<StopRequest>>(job, "stop_request")?,
        created: de(job, "created_timestamp")?,
        started: de(job, "start_timestamp")?,
        finished: de(job, "finish_timestamp")?,
        duration_s: de(job, "duration")?,
        node_count,
        node_states,
        message: de(job, "message")?,
        nodes,
    })
}

/// `object[key]`, `null` when absent.
fn field(object: &Value, key: &str) -> Value {
    object.get(key).cloned().unwrap_or(Value::Null)
}

/// `object[key]` as `T`.
fn de<T: DeserializeOwned>(object: &Value, key: &str) -> Result<T, String> {
    serde_json::from_value(field(object, key)).map_err(|e| format!("the server's `{key}`: {e}"))
}

fn node_from_api(node: &Value) -> Result<NodeRecord, String> {
    let summary = field(node, "summary");
    let running = node.get("state").and_then(Value::as_str) == Some("running");
    Ok(NodeRecord {
        name: de(node, "name")?,
        state: de(node, "state")?,
        level: de(node, "level")?,
        depends_on: de(node, "depends_on")?,
        applications: de(node, "applications")?,
        started: de(node, "start_timestamp")?,
        finished: de(node, "finish_timestamp")?,
        // A running node's duration is the API's own, still growing.
        duration_s: if running { None } else { de(node, "duration")? },
        exit_code: de(node, "exit_code")?,
        message: de(&field(node, "details"), "message")?,
        output_tail: de(node, "output_tail")?,
        output_truncated: de::<Option<bool>>(node, "output_truncated")?.unwrap_or(false),
        error: de::<Option<ErrorCause>>(node, "error")?,
        skipped_because: de(node, "skipped_because")?,
        summary: (!summary.is_null()).then_some(summary),
    })
}
