//! What the store holds about a job, and its JSON (`spec/cli.md`, `orch job show`).

use orch_model::ResourceRef;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::event::{ErrorCause, JobId, SCHEMA_VERSION};
use crate::state::{JobState, NodeCounts, NodeState};
use crate::summary::RunSummary;
use crate::time::Timestamp;

/// A job to record, before it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The environment agents run in.
    pub environment: String,
    /// What was targeted (`all`, `Shop[prod]`, `a, b`).
    pub target: String,
    /// `true` for `--noop`, `false` for `--no-noop`, `None` when the agents decide.
    pub noop: Option<bool>,
    /// `--description`.
    pub description: Option<String>,
    /// Who asked for it.
    pub user: String,
    /// The concurrency limit; `None` when unlimited.
    pub concurrency: Option<u32>,
    /// The per-node timeout in seconds; `None` when there is none.
    pub timeout_s: Option<u64>,
    /// The job this one reruns (`job run --rerun`).
    pub rerun_of: Option<JobId>,
    /// Its nodes, in plan order.
    pub nodes: Vec<NewJobNode>,
}

impl NewJob {
    /// The job that runs `plan` with `options`, asked for by `user`.
    pub fn for_plan(
        plan: &orch_planner::Plan,
        options: &crate::JobOptions,
        user: String,
        description: Option<String>,
    ) -> NewJob {
        NewJob {
            environment: plan.environment.clone(),
            target: plan.target.to_string(),
            noop: options.noop,
            description,
            user,
            concurrency: options.concurrency_limit(),
            timeout_s: options.timeout.map(|t| t.as_secs()),
            rerun_of: None,
            nodes: plan
                .nodes()
                .map(|(level, n)| NewJobNode {
                    name: n.name.clone(),
                    level,
                    depends_on: n.depends_on.clone(),
                    applications: node_applications(n),
                })
                .collect(),
        }
    }
}

/// A node of a job to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJobNode {
    /// Its certname.
    pub name: String,
    /// Its level in the plan.
    pub level: usize,
    /// The nodes it waits for.
    pub depends_on: Vec<String>,
    /// The application instances with a component on it, sorted.
    pub applications: Vec<ResourceRef>,
}

/// The application instances with a component on a plan's node, sorted, each once.
pub(crate) fn node_applications(node: &orch_planner::PlanNode) -> Vec<ResourceRef> {
    let mut apps: Vec<ResourceRef> = node
        .components
        .iter()
        .map(|c| c.application.clone())
        .collect();
    apps.sort();
    apps.dedup();
    apps
}

/// A request to stop a job, as `orch job stop` records it for the job's runner to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopRequest {
    /// `false`: nothing new starts, running nodes finish; `true`: running nodes are killed.
    pub force: bool,
    /// When it was asked (the first time at this level).
    pub time: Timestamp,
    /// Who asked.
    pub user: String,
}

/// What `orch job stop` answers (PE's `POST /command/stop`): the job, its state, how many of its
/// nodes are in each state.
#[derive(Debug, Clone, PartialEq)]
pub struct StopAnswer {
    /// The job.
    pub id: JobId,
    /// `stopping` when a stop is asked for and the job has not ended; else its final state.
    pub state: JobState,
    /// Whether a stop request is now recorded; `false` when the job had already ended.
    pub requested: bool,
    /// Whether running nodes are to be killed.
    pub force: bool,
    /// How many nodes are in each state.
    pub node_states: NodeCounts,
}

// PE's stop answer lists every node state, zeros included, in its order.
impl Serialize for StopAnswer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct AllCounts<'a>(&'a NodeCounts);
        impl Serialize for AllCounts<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(STOP_ANSWER_STATES.len()))?;
                for state in STOP_ANSWER_STATES {
                    map.serialize_entry(state.as_str(), &self.0.get(state))?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema", &SCHEMA_VERSION)?;
        map.serialize_entry("job", &self.id)?;
        map.serialize_entry("state", &self.state)?;
        map.serialize_entry("requested", &self.requested)?;
        map.serialize_entry("force", &self.force)?;
        map.serialize_entry("nodes", &AllCounts(&self.node_states))?;
        map.end()
    }
}

/// The node states of PE's stop answer, in its order (`reference/orchestrator.md` §6.3).
const STOP_ANSWER_STATES: [NodeState; 6] = [
    NodeState::New,
    NodeState::Running,
    NodeState::Failed,
    NodeState::Errored,
    NodeState::Skipped,
    NodeState::Finished,
];

/// A job as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Its number.
    pub id: JobId,
    /// Its state (`failed` when its runner died; then [`JobRecord::message`] says so).
    pub state: JobState,
    /// The environment agents run in.
    pub environment: String,
    /// What was targeted.
    pub target: String,
    /// `true` for `--noop`, `false` for `--no-noop`, `None` when the agents decide.
    pub noop: Option<bool>,
    /// `--description`.
    pub description: Option<String>,
    /// The job this one reruns.
    pub rerun_of: Option<JobId>,
    /// Who asked for it.
    pub user: String,
    /// The concurrency limit; `None` when unlimited.
    pub concurrency: Option<u32>,
    /// The per-node timeout in seconds.
    pub timeout_s: Option<u64>,
    /// The stop asked for with `orch job stop`, if any.
    pub stop_request: Option<StopRequest>,
    /// When it was recorded.
    pub created: Timestamp,
    /// When it began running.
    pub started: Option<Timestamp>,
    /// When it ended.
    pub finished: Option<Timestamp>,
    /// How long it ran.
    pub duration_s: Option<f64>,
    /// How many nodes it has.
    pub node_count: usize,
    /// How many nodes are in each state.
    pub node_states: NodeCounts,
    /// Normally `None`; says why when the job ended without its runner finishing it.
    pub message: Option<String>,
    /// Its nodes in plan order (level, then name); empty in [`crate::Store::jobs`]' list.
    pub nodes: Vec<NodeRecord>,
}

/// A node of a recorded job.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRecord {
    /// Its certname.
    pub name: String,
    /// Its state.
    pub state: NodeState,
    /// Its level in the plan.
    pub level: usize,
    /// The nodes it waits for.
    pub depends_on: Vec<String>,
    /// The application instances with a component on it.
    pub applications: Vec<ResourceRef>,
    /// When its run started.
    pub started: Option<Timestamp>,
    /// When its run ended.
    pub finished: Option<Timestamp>,
    /// How long its run took.
    pub duration_s: Option<f64>,
    /// The agent's exit status.
    pub exit_code: Option<i32>,
    /// The last message about it (`Finished puppet run on ... - Success!`).
    pub message: Option<String>,
    /// The end of what its run printed.
    pub output_tail: Option<String>,
    /// Whether earlier output was dropped.
    pub output_truncated: bool,
    /// Why its run could not be done (state `errored`).
    pub error: Option<ErrorCause>,
    /// The node whose outcome stopped it (state `skipped`).
    pub skipped_because: Option<String>,
    /// The agent's run summary as stored: a [`RunSummary`]'s JSON (kept as JSON, so that
    /// `job show` passes on keys a newer orch added); `None` when the node did not run to an
    /// exit.
    pub summary: Option<serde_json::Value>,
}

impl NodeRecord {
    /// The stored run summary, if there is one this orch can read.
    pub fn run_summary(&self) -> Option<RunSummary> {
        self.summary
            .as_ref()
            .and_then(|v| RunSummary::deserialize(v).ok())
    }
}

impl JobRecord {
    /// The job without its nodes, as an item of `job show`'s list serializes.
    pub fn summary_json(&self) -> JobSummary<'_> {
        JobSummary(self)
    }

    /// The nodes' states, counted from [`JobRecord::nodes`] (after a correction of them).
    pub(crate) fn recount(&mut self) {
        let mut counts = NodeCounts::default();
        for node in &self.nodes {
            counts.add(node.state);
        }
        self.node_states = counts;
    }

    /// Writes the job's keys: the spec's in its order, `nodes` if asked, then the extra ones.
    fn serialize_with<S: Serializer>(&self, s: S, with_nodes: bool) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema", &SCHEMA_VERSION)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("state", &self.state)?;
        map.serialize_entry("environment", &self.environment)?;
        map.serialize_entry("target", &self.target)?;
        // PE's pair of booleans: `noop` for --noop, `no_noop` for --no-noop.
        map.serialize_entry("noop", &(self.noop == Some(true)))?;
        map.serialize_entry("description", &self.description)?;
        map.serialize_entry("rerun_of", &self.rerun_of)?;
        map.serialize_entry("user", &self.user)?;
        map.serialize_entry("started", &self.started)?;
        map.serialize_entry("finished", &self.finished)?;
        map.serialize_entry("duration_s", &self.duration_s)?;
        map.serialize_entry("node_states", &self.node_states)?;
        if with_nodes {
            map.serialize_entry("nodes", &self.nodes)?;
        }
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("no_noop", &(self.noop == Some(false)))?;
        map.serialize_entry("created", &self.created)?;
        map.serialize_entry("node_count", &self.node_count)?;
        map.serialize_entry("concurrency", &self.concurrency)?;
        map.serialize_entry("timeout_s", &self.timeout_s)?;
        map.serialize_entry("stop_request", &self.stop_request)?;
        map.end()
    }
}

/// The whole job, nodes included (`orch job show ID --format json`).
impl Serialize for JobRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_with(s, true)
    }
}

/// A job serialized without its `nodes` key (an item of `orch job show --format json`'s list).
#[derive(Debug, Clone, Copy)]
pub struct JobSummary<'a>(pub &'a JobRecord);

impl Serialize for JobSummary<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(s, false)
    }
}

// By hand, for the spec's key order; the keys after `skipped_because` are orch's additions.
impl Serialize for NodeRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("state", &self.state)?;
        map.serialize_entry("level", &self.level)?;
        map.serialize_entry("started", &self.started)?;
        map.serialize_entry("finished", &self.finished)?;
        map.serialize_entry("duration_s", &self.duration_s)?;
        map.serialize_entry("exit_code", &self.exit_code)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("output_tail", &self.output_tail)?;
        map.serialize_entry("summary", &self.summary)?;
        map.serialize_entry("skipped_because", &self.skipped_because)?;
        map.serialize_entry("error", &self.error)?;
        map.serialize_entry("output_truncated", &self.output_truncated)?;
        map.serialize_entry("depends_on", &self.depends_on)?;
        map.serialize_entry("applications", &self.applications)?;
        map.end()
    }
}
