//! The scheduler: runs a plan's nodes over a transport. A node starts as soon as every node it
//! depends on has finished (no barrier between levels), within the concurrency limit; a node
//! whose dependency failed, errored or was skipped is skipped, and so are its dependents;
//! independent branches go on. Everything that happens is an [`Event`] handed to the sinks in
//! order, from this one task.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use orch_planner::Plan;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

mod node;
mod policy;

use node::{NodeEnd, run_node};
use policy::Gate;
pub use policy::{FailurePolicy, Threshold};

use crate::event::{ErrorCause, Event, EventKind, EventSink, JobId};
use crate::state::{JobState, NodeCounts, NodeState};
use crate::summary::RunSummary;
use crate::time::Timestamp;
use crate::transport::{NodeTarget, RunRequest, Transport};

/// How a job runs, beyond its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOptions {
    /// `Some(true)`: `--noop`; `Some(false)`: `--no-noop`; `None`: the agents' own setting.
    pub noop: Option<bool>,
    /// Most nodes running at once; 0 is unlimited.
    pub concurrency: usize,
    /// Longest a node's run may take before it is killed and ends `errored`.
    pub timeout: Option<Duration>,
    /// What a failed or errored node does to the rest.
    pub on_failure: FailurePolicy,
    /// Past this many failed or errored nodes (of the job's), the job stops as `fail-fast`
    /// does.
    pub max_failures: Option<Threshold>,
    /// Each level runs in batches of this many nodes (of the level's), one after the other.
    pub batch_size: Option<Threshold>,
    /// This many nodes (in plan order) run first; if any does not finish, the job stops.
    pub canary: Option<usize>,
    /// Before each level after the first, the job waits (`job_paused`) until
    /// [`StopHandle::resume`] lets that level start.
    pub pause_between_levels: bool,
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions {
            noop: None,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: None,
            on_failure: FailurePolicy::default(),
            max_failures: None,
            batch_size: None,
            canary: None,
            pause_between_levels: false,
        }
    }
}

impl JobOptions {
    /// The concurrency limit as plans and records show it: `None` when unlimited.
    pub fn concurrency_limit(&self) -> Option<u32> {
        (self.concurrency > 0).then(|| u32::try_from(self.concurrency).unwrap_or(u32::MAX))
    }
}

/// The concurrency limit when none is given (spec/cli.md).
pub const DEFAULT_CONCURRENCY: usize = 100;

/// Asks a running job to stop. The first request starts nothing new and lets running nodes
/// finish; the second (or [`StopHandle::force`]) kills running nodes. Cheap to clone; any clone
/// stops the job.
#[derive(Debug, Clone)]
pub struct StopHandle {
    level: Arc<watch::Sender<StopLevel>>,
    /// The highest level a paused job may start (`--pause-between-levels`).
    resumed: Arc<watch::Sender<usize>>,
}

/// How far a stop has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopLevel {
    /// Not asked.
    None,
    /// Start nothing new.
    Stop,
    /// Kill running nodes too.
    Force,
}

impl Default for StopHandle {
    fn default() -> Self {
        StopHandle::new()
    }
}

impl StopHandle {
    /// A handle no one has used yet.
    pub fn new() -> StopHandle {
        StopHandle {
            level: Arc::new(watch::Sender::new(StopLevel::None)),
            resumed: Arc::new(watch::Sender::new(0)),
        }
    }

    /// The next step: the first call stops, the second forces. Returns the level reached.
    pub fn request(&self) -> StopLevel {
        let mut reached = StopLevel::None;
        self.level.send_modify(|l| {
            *l = match *l {
                StopLevel::None => StopLevel::Stop,
                _ => StopLevel::Force,
            };
            reached = *l;
        });
        reached
    }

    /// The first request: nothing new starts, running nodes finish.
    pub fn stop(&self) {
        self.level.send_if_modified(|l| {
            let changed = *l == StopLevel::None;
            if changed {
                *l = StopLevel::Stop;
            }
            changed
        });
    }

    /// The second request: running nodes are killed.
    pub fn force(&self) {
        self.level.send_if_modified(|l| {
            let changed = *l != StopLevel::Force;
            *l = StopLevel::Force;
            changed
        });
    }

    /// How far the stop has gone.
    pub fn level(&self) -> StopLevel {
        *self.level.borrow()
    }

    /// Lets a job paused before `level` (`job_paused`) go on with it.
    pub fn resume(&self, level: usize) {
        self.resumed.send_if_modified(|l| {
            let changed = level > *l;
            *l = (*l).max(level);
            changed
        });
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub struct JobReport {
    /// The job.
    pub id: JobId,
    /// Its final state.
    pub state: JobState,
    /// How many nodes ended in each state.
    pub node_states: NodeCounts,
    /// Every node, in plan order.
    pub nodes: Vec<NodeReport>,
    /// How long it ran.
    pub duration_s: f64,
}

/// How one node ended.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeReport {
    /// The certname.
    pub name: String,
    /// Its level in the plan.
    pub level: usize,
    /// Its final state.
    pub state: NodeState,
    /// The agent's exit status, if it ran to an exit.
    pub exit_code: Option<i32>,
    /// For an errored node, why.
    pub error: Option<ErrorCause>,
    /// For a skipped node, the dependency that stopped it (none when the job stopped first).
    pub skipped_because: Option<String>,
    /// What the event for its end said.
    pub message: String,
    /// The agent's run summary, for a node whose run ended with an exit.
    pub summary: Option<RunSummary>,
}

impl<'s, 'k> Scheduler<'s, 'k> {
    /// The job's nodes with their dependencies and gates wired, `JobStarted` emitted, and the
    /// nodes that may start first made ready.
    fn new(
        id: JobId,
        plan: &Plan,
        options: &JobOptions,
        sinks: &'s mut [&'k mut dyn EventSink],
    ) -> Self {
        let nodes: Vec<SchedNode> = plan
            .nodes()
            .map(|(level, n)| SchedNode {
                name: n.name.clone(),
                level,
                state: NodeState::New,
                deps_left: n.depends_on.len(),
                dependents: Vec::new(),
                gates: Vec::new(),
                gates_left: 0,
                failed_dependencies: Vec::new(),
                exit_code: None,
                error: None,
                skipped_because: None,
                message: String::new(),
                summary: None,
            })
            .collect();
        let mut job = Scheduler {
            id,
            environment: plan.environment.clone(),
            options: options.clone(),
            nodes,
            counts: NodeCounts::default(),
            seq: 0,
            sinks,
            started: tokio::time::Instant::now(),
            ready: BinaryHeap::new(),
            gates: Vec::new(),
            paused: Vec::new(),
            resumed: 0,
            stop_seen: StopLevel::None,
            stopped_by: None,
            failures: 0,
            canaries: options.canary.unwrap_or(0),
        };
        let index: HashMap<&str, usize> = plan
            .nodes()
            .enumerate()
            .map(|(i, (_, n))| (n.name.as_str(), i))
            .collect();
        for (i, (_, n)) in plan.nodes().enumerate() {
            for dep in &n.depends_on {
                match index.get(dep.as_str()) {
                    Some(&d) => job.nodes[d].dependents.push(i),
                    // A plan only names its own nodes; an unknown one cannot hold anything up.
                    None => job.nodes[i].deps_left -= 1,
                }
            }
        }
        for _ in &job.nodes {
            job.counts.add(NodeState::New);
        }
        job.emit(
            EventKind::JobStarted {
                nodes: job.nodes.len(),
                environment: plan.environment.clone(),
                target: plan.target.to_string(),
                noop: options.noop,
                concurrency: options.concurrency_limit(),
            },
            format!(
                "Started job {id}: {} in environment {}",
                plural(job.nodes.len(), "node"),
                plan.environment
            ),
        );

        let mut levels: Vec<Vec<usize>> = Vec::new();
        for (i, n) in job.nodes.iter().enumerate() {
            if levels.len() <= n.level {
                levels.resize(n.level + 1, Vec::new());
            }
            levels[n.level].push(i);
        }
        for (members, gate) in policy::gates(
            &levels,
            options.batch_size,
            options.canary,
            options.pause_between_levels,
        ) {
            let g = job.gates.len();
            for &m in &members {
                job.nodes[m].gates.push(g);
            }
            for &w in &gate.waiting {
                job.nodes[w].gates_left += 1;
            }
            job.gates.push(gate);
        }
        for i in 0..job.nodes.len() {
            job.maybe_ready(i);
        }
        job
    }
}

/// Runs `plan` as job `id`: every node over `transport`, reached as `target` says, events to
/// `sinks` in order. Returns when every node has ended. Failures of nodes are in the report and
/// the events, never an `Err`.
pub async fn run_job(
    id: JobId,
    plan: &Plan,
    mut target: impl FnMut(&str) -> NodeTarget,
    transport: Arc<dyn Transport>,
    options: &JobOptions,
    stop: &StopHandle,
    sinks: &mut [&mut dyn EventSink],
) -> JobReport {
    let mut job = Scheduler::new(id, plan, options, sinks);
    let kill = CancellationToken::new();
    let mut stop_rx = stop.level.subscribe();
    let mut resume_rx = stop.resumed.subscribe();
    let mut running: JoinSet<NodeEnd> = JoinSet::new();
    let mut tasks: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut stop_open = true;
    // Stops noticed before the loop count too.
    let mut stop_pending = *stop_rx.borrow_and_update() != StopLevel::None;

    loop {
        if stop_pending {
            stop_pending = false;
            let level = *stop_rx.borrow_and_update();
            job.on_stop(level, &kill, running.len());
        }
        while job.stop_seen == StopLevel::None
            && (job.options.concurrency == 0 || running.len() < job.options.concurrency)
        {
            let Some(Reverse(i)) = job.ready.pop() else {
                break;
            };
            if job.nodes[i].state != NodeState::New {
                continue;
            }
            let node_target = target(&job.nodes[i].name);
            let request = job.request(&node_target);
            let (timeout, token) = (job.start(i), kill.child_token());
            let task = running.spawn(run_node(
                transport.clone(),
                node_target,
                request,
                timeout,
                token,
            ));
            tasks.insert(task.id(), i);
        }
        // Done, unless a pause waits for the operator (who may still resume or stop).
        let waiting = job.stop_seen == StopLevel::None && !job.paused.is_empty() && stop_open;
        if running.is_empty() && !waiting {
            break;
        }
        tokio::select! {
            biased;
            changed = stop_rx.changed(), if stop_open && job.stop_seen != StopLevel::Force => {
                match changed {
                    Ok(()) => stop_pending = true,
                    // Every handle is gone: no stop can come any more.
                    Err(_) => stop_open = false,
                }
            }
            changed = resume_rx.changed(), if stop_open && !job.paused.is_empty() => {
                if changed.is_ok() {
                    let level = *resume_rx.borrow_and_update();
                    job.on_resume(level);
                }
            }
            Some(done) = running.join_next_with_id() => {
                let (task, end) = match done {
                    Ok((task, end)) => (task, end),
                    Err(e) => (e.id(), NodeEnd::panicked(e)),
                };
                if let Some(i) = tasks.remove(&task) {
                    job.on_end(i, end, running.len());
                }
            }
        }
    }
    job.finish()
}

struct SchedNode {
    name: String,
    level: usize,
    state: NodeState,
    deps_left: usize,
    dependents: Vec<usize>,
    /// The gates this node is a member of (they open when their members have ended).
    gates: Vec<usize>,
    /// The gates holding this node back.
    gates_left: usize,
    /// `--on-failure continue`: the dependencies that did not finish.
    failed_dependencies: Vec<usize>,
    exit_code: Option<i32>,
    error: Option<ErrorCause>,
    skipped_because: Option<String>,
    message: String,
    summary: Option<RunSummary>,
}

struct Scheduler<'s, 'k> {
    id: JobId,
    environment: String,
    options: JobOptions,
    nodes: Vec<SchedNode>,
    counts: NodeCounts,
    seq: u64,
    sinks: &'s mut [&'k mut dyn EventSink],
    started: tokio::time::Instant,
    /// Nodes that may start, in plan order.
    ready: BinaryHeap<Reverse<usize>>,
    gates: Vec<Gate>,
    /// Gates open but for the operator's go-ahead (`--pause-between-levels`).
    paused: Vec<usize>,
    /// The highest level the operator has let start.
    resumed: usize,
    stop_seen: StopLevel,
    /// Why the job stopped when a policy stopped it (not a stop request).
    stopped_by: Option<String>,
    /// Failed and errored nodes so far.
    failures: usize,
    /// The first this many nodes (by index) are canaries.
    canaries: usize,
}

impl Scheduler<'_, '_> {
    /// Node `i` starts: it is running, and `NodeRunning` says so (with the dependencies that
    /// failed when `--on-failure continue` let it start anyway). Returns its timeout.
    fn start(&mut self, i: usize) -> Option<std::time::Duration> {
        self.set_state(i, NodeState::Running);
        let (node, level) = (self.nodes[i].name.clone(), self.nodes[i].level);
        let failed: Vec<String> = self.nodes[i]
            .failed_dependencies
            .iter()
            .map(|&d| self.nodes[d].name.clone())
            .collect();
        let message = if failed.is_empty() {
            format!("Started puppet run on {node} ...")
        } else {
            format!(
                "Started puppet run on {node} ... (although {} did not finish: --on-failure \
                 continue)",
                failed.join(", ")
            )
        };
        self.emit(
            EventKind::NodeRunning {
                node: node.clone(),
                level,
                failed_dependencies: failed,
            },
            message,
        );
        self.options.timeout
    }

    /// Whatever could not start is skipped; the job's state, `JobFinished`, and its report.
    fn finish(mut self) -> JobReport {
        let id = self.id;
        // Whatever could not start (the job stopped) is skipped.
        for i in 0..self.nodes.len() {
            if self.nodes[i].state == NodeState::New {
                self.skip(i, None);
            }
        }
        // A policy's stop is a failed job (a node failed); an operator's is a stopped one.
        let state = if self.stopped_by.is_some() {
            JobState::Failed
        } else if self.stop_seen != StopLevel::None {
            JobState::Stopped
        } else if self.counts.get(NodeState::Finished) == self.nodes.len() {
            JobState::Finished
        } else {
            JobState::Failed
        };
        let duration_s = seconds(self.started.elapsed());
        let message = self.summary_line(state);
        self.emit(
            EventKind::JobFinished {
                state,
                node_states: self.counts,
                duration_s,
            },
            message,
        );
        JobReport {
            id,
            state,
            node_states: self.counts,
            nodes: self
                .nodes
                .into_iter()
                .map(|n| NodeReport {
                    name: n.name,
                    level: n.level,
                    state: n.state,
                    exit_code: n.exit_code,
                    error: n.error,
                    skipped_because: n.skipped_because,
                    message: n.message,
                    summary: n.summary,
                })
                .collect(),
            duration_s,
        }
    }

    fn emit(&mut self, kind: EventKind, message: String) {
        self.seq += 1;
        let event = Event {
            seq: self.seq,
            time: Timestamp::now(),
            job: self.id,
            kind,
            message,
        };
        for sink in self.sinks.iter_mut() {
            sink.event(&event);
        }
    }

    fn set_state(&mut self, i: usize, state: NodeState) {
        self.counts.moved(self.nodes[i].state, state);
        self.nodes[i].state = state;
    }

    /// The command for a node: its argv, orch's flags, the environment variables.
    fn request(&self, target: &NodeTarget) -> RunRequest {
        let mut argv = target.command.clone();
        if target.append_flags {
            argv.push("--environment".into());
            argv.push(self.environment.clone());
            match self.options.noop {
                Some(true) => argv.push("--noop".into()),
                Some(false) => argv.push("--no-noop".into()),
                None => {}
            }
        }
        let mut env = vec![
            ("ORCH_JOB_ID".to_owned(), self.id.to_string()),
            ("ORCH_NODE".to_owned(), target.name.clone()),
            ("ORCH_ENVIRONMENT".to_owned(), self.environment.clone()),
        ];
        if let Some(noop) = self.options.noop {
            env.push(("ORCH_NOOP".to_owned(), noop.to_string()));
        }
        RunRequest {
            argv,
            env,
            read_after: Some(target.summary_path().to_path_buf()),
        }
    }

    fn on_stop(&mut self, level: StopLevel, kill: &CancellationToken, running: usize) {
        if level > self.stop_seen && self.stop_seen == StopLevel::None {
            self.stop_seen = StopLevel::Stop;
            self.emit(
                EventKind::JobStopping { force: false },
                format!(
                    "Stopping job {}: no new runs will start; {} will finish",
                    self.id,
                    plural(running, "running node")
                ),
            );
            self.skip_new();
        }
        if level == StopLevel::Force && self.stop_seen != StopLevel::Force {
            self.stop_seen = StopLevel::Force;
            self.emit(
                EventKind::JobStopping { force: true },
                format!(
                    "Stopping job {} now: interrupting {}",
                    self.id,
                    plural(running, "running node")
                ),
            );
            kill.cancel();
        }
    }

    /// A policy stops the job as the first stop request does, saying why.
    fn policy_stop(&mut self, why: String, running: usize) {
        if self.stop_seen != StopLevel::None {
            return;
        }
        self.stop_seen = StopLevel::Stop;
        self.emit(
            EventKind::JobStopping { force: false },
            format!(
                "Stopping job {}: {why}; no new runs will start; {} will finish",
                self.id,
                plural(running, "running node")
            ),
        );
        self.stopped_by = Some(why);
        self.skip_new();
    }

    /// Skips every node not started yet (the job is stopping; `skip` says why).
    fn skip_new(&mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].state == NodeState::New {
                self.skip(i, None);
            }
        }
    }

    /// The operator let `level` start: open the pauses up to it.
    fn on_resume(&mut self, level: usize) {
        self.resumed = self.resumed.max(level);
        let (open, still): (Vec<usize>, Vec<usize>) = self.paused.iter().partition(|&&g| {
            self.gates[g]
                .pause_before
                .is_some_and(|l| l <= self.resumed)
        });
        self.paused = still;
        for g in open {
            let level = self.gates[g].pause_before.unwrap_or(0);
            self.emit(
                EventKind::JobResumed { level },
                format!("Resuming job {}: level {level} starts", self.id),
            );
            self.release(g);
        }
    }

    /// Queues node `i` if nothing holds it back any more.
    fn maybe_ready(&mut self, i: usize) {
        let n = &self.nodes[i];
        if n.state == NodeState::New && n.deps_left == 0 && n.gates_left == 0 {
            self.ready.push(Reverse(i));
        }
    }

    /// Node `i` has ended (in any state): the gates it belongs to may open.
    fn ended(&mut self, i: usize) {
        for g in self.nodes[i].gates.clone() {
            self.gates[g].members_left -= 1;
            if self.gates[g].members_left > 0 {
                continue;
            }
            match self.gates[g].pause_before {
                Some(level) if level > self.resumed && self.stop_seen == StopLevel::None => {
                    self.paused.push(g);
                    self.emit(
                        EventKind::JobPaused { level },
                        format!(
                            "Paused job {}: level {} has ended; level {level} waits to be \
                             resumed",
                            self.id,
                            level - 1
                        ),
                    );
                }
                _ => self.release(g),
            }
        }
    }

    fn release(&mut self, g: usize) {
        for w in self.gates[g].waiting.clone() {
            self.nodes[w].gates_left -= 1;
            self.maybe_ready(w);
        }
    }

    fn on_end(&mut self, i: usize, end: NodeEnd, running: usize) {
        let node = self.nodes[i].name.clone();
        let NodeEnd {
            state,
            exit_code,
            error,
            detail,
            output,
            duration,
            summary,
        } = end;
        self.set_state(i, state);
        let duration_s = seconds(duration);
        let (kind, message) = match state {
            NodeState::Finished => (
                EventKind::NodeFinished {
                    node: node.clone(),
                    exit_code: exit_code.unwrap_or(0),
                    duration_s,
                    output,
                    summary: summary.clone(),
                },
                format!("Finished puppet run on {node} - Success!"),
            ),
            NodeState::Failed => (
                EventKind::NodeFailed {
                    node: node.clone(),
                    exit_code,
                    duration_s,
                    output,
                    summary: summary.clone(),
                },
                format!("Error running puppet on {node}: {detail}"),
            ),
            _ => (
                EventKind::NodeErrored {
                    node: node.clone(),
                    error: error.unwrap_or(ErrorCause::Transport),
                    duration_s,
                    output,
                },
                format!("Error running puppet on {node}: {detail}"),
            ),
        };
        let n = &mut self.nodes[i];
        n.exit_code = exit_code;
        n.error = error;
        n.message = message.clone();
        n.summary = summary;
        self.emit(kind, message);
        let continuing = self.options.on_failure == FailurePolicy::Continue;
        if state == NodeState::Finished || continuing {
            for d in self.nodes[i].dependents.clone() {
                let dep = &mut self.nodes[d];
                dep.deps_left -= 1;
                if state != NodeState::Finished {
                    dep.failed_dependencies.push(i);
                }
                self.maybe_ready(d);
            }
        } else {
            self.skip_dependents(i);
        }
        self.ended(i);
        if state != NodeState::Finished {
            self.failures += 1;
            if let Some(why) = self.policy_verdict(i) {
                self.policy_stop(why, running);
            }
        }
    }

    /// Whether a failure of node `i` stops the job, and why.
    fn policy_verdict(&self, i: usize) -> Option<String> {
        let node = &self.nodes[i].name;
        if i < self.canaries {
            return Some(format!("the canary {node} did not finish (--canary)"));
        }
        if self.options.on_failure == FailurePolicy::FailFast {
            return Some(format!("{node} did not finish (--on-failure fail-fast)"));
        }
        let limit = self.options.max_failures?;
        let allowed = limit.of(self.nodes.len());
        (self.failures > allowed).then(|| {
            format!(
                "{} did not finish, more than --max-failures {limit} allows",
                plural(self.failures, "node")
            )
        })
    }

    /// Skips everything downstream of `root`, each naming the dependency that stopped it.
    fn skip_dependents(&mut self, root: usize) {
        let mut stack = vec![root];
        while let Some(cause) = stack.pop() {
            for d in self.nodes[cause].dependents.clone() {
                if self.nodes[d].state == NodeState::New {
                    self.skip(d, Some(cause));
                    stack.push(d);
                }
            }
        }
    }

    fn skip(&mut self, i: usize, cause: Option<usize>) {
        self.set_state(i, NodeState::Skipped);
        let node = self.nodes[i].name.clone();
        let because = cause.map(|c| self.nodes[c].name.clone());
        let message = match (&because, cause.map(|c| self.nodes[c].state)) {
            (Some(dep), Some(dep_state)) => format!(
                "Skipped puppet run on {node}: its dependency {dep} {}",
                match dep_state {
                    NodeState::Skipped => "was skipped",
                    NodeState::Errored => "errored",
                    _ => "failed",
                }
            ),
            _ => match &self.stopped_by {
                Some(why) => format!("Skipped puppet run on {node}: {why}"),
                None => format!("Skipped puppet run on {node}: the job was stopped"),
            },
        };
        let n = &mut self.nodes[i];
        n.skipped_because = because.clone();
        n.message = message.clone();
        self.emit(
            EventKind::NodeSkipped {
                node,
                skipped_because: because,
            },
            message,
        );
        self.ended(i);
    }

    /// The job's closing line (PE's wording, §4.2).
    fn summary_line(&self, state: JobState) -> String {
        let c = &self.counts;
        let total = self.nodes.len();
        let ok = c.get(NodeState::Finished);
        match state {
            JobState::Finished => format!("Success! {ok}/{total} runs succeeded."),
            JobState::Stopped => format!(
                "Job stopped. {ok}/{total} runs succeeded, {} failed, {} errored, {} skipped.",
                c.get(NodeState::Failed),
                c.get(NodeState::Errored),
                c.get(NodeState::Skipped)
            ),
            _ => {
                let errored = c.get(NodeState::Errored);
                let errored = if errored > 0 {
                    format!(" {errored} nodes errored,")
                } else {
                    String::new()
                };
                format!(
                    "Job failed. {} nodes failed,{errored} {} nodes skipped, {ok} nodes succeeded.",
                    c.get(NodeState::Failed),
                    c.get(NodeState::Skipped)
                )
            }
        }
    }
}

fn seconds(d: Duration) -> f64 {
    (d.as_millis() as f64) / 1000.0
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
