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

use crate::event::{ErrorCause, Event, EventKind, EventSink, JobId, OutputTail};
use crate::state::{JobState, NodeCounts, NodeState};
use crate::summary::RunSummary;
use crate::time::{Timestamp, format_duration};
use crate::transport::{Connection, Exit, NodeTarget, RunErrorKind, RunRequest, Transport};

/// How a job runs, beyond its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOptions {
    /// `Some(true)`: `--noop`; `Some(false)`: `--no-noop`; `None`: the agents' own setting.
    pub noop: Option<bool>,
    /// Most nodes running at once; 0 is unlimited.
    pub concurrency: usize,
    /// Longest a node's run may take before it is killed and ends `errored`.
    pub timeout: Option<Duration>,
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions {
            noop: None,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: None,
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
    let nodes: Vec<SchedNode> = plan
        .nodes()
        .map(|(level, n)| SchedNode {
            name: n.name.clone(),
            level,
            state: NodeState::New,
            deps_left: n.depends_on.len(),
            dependents: Vec::new(),
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

    let kill = CancellationToken::new();
    let mut stop_rx = stop.level.subscribe();
    let mut stop_seen = StopLevel::None;
    let mut ready: BinaryHeap<Reverse<usize>> = (0..job.nodes.len())
        .filter(|&i| job.nodes[i].deps_left == 0)
        .map(Reverse)
        .collect();
    let mut running: JoinSet<NodeEnd> = JoinSet::new();
    let mut tasks: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut stop_open = true;
    // Stops noticed before the loop count too.
    let mut stop_pending = *stop_rx.borrow_and_update() != StopLevel::None;

    loop {
        if stop_pending {
            stop_pending = false;
            let level = *stop_rx.borrow_and_update();
            job.on_stop(&mut stop_seen, level, &kill, running.len());
        }
        while stop_seen == StopLevel::None
            && (job.options.concurrency == 0 || running.len() < job.options.concurrency)
        {
            let Some(Reverse(i)) = ready.pop() else { break };
            if job.nodes[i].state != NodeState::New {
                continue;
            }
            let node_target = target(&job.nodes[i].name);
            let request = job.request(&node_target);
            job.set_state(i, NodeState::Running);
            let (node, level) = (job.nodes[i].name.clone(), job.nodes[i].level);
            job.emit(
                EventKind::NodeRunning {
                    node: node.clone(),
                    level,
                },
                format!("Started puppet run on {node} ..."),
            );
            let transport = transport.clone();
            let token = kill.child_token();
            let timeout = job.options.timeout;
            let task = running.spawn(run_node(transport, node_target, request, timeout, token));
            tasks.insert(task.id(), i);
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            changed = stop_rx.changed(), if stop_open && stop_seen != StopLevel::Force => {
                match changed {
                    Ok(()) => stop_pending = true,
                    // Every handle is gone: no stop can come any more.
                    Err(_) => stop_open = false,
                }
            }
            Some(done) = running.join_next_with_id() => {
                let (task, end) = match done {
                    Ok((task, end)) => (task, end),
                    Err(e) => (e.id(), NodeEnd::panicked(e)),
                };
                if let Some(i) = tasks.remove(&task) {
                    job.on_end(i, end, &mut ready);
                }
            }
        }
    }
    // Whatever could not start (the job stopped) is skipped.
    for i in 0..job.nodes.len() {
        if job.nodes[i].state == NodeState::New {
            job.skip(i, None);
        }
    }
    let state = if stop_seen != StopLevel::None {
        JobState::Stopped
    } else if job.counts.get(NodeState::Finished) == job.nodes.len() {
        JobState::Finished
    } else {
        JobState::Failed
    };
    let duration_s = seconds(job.started.elapsed());
    let message = job.summary_line(state);
    job.emit(
        EventKind::JobFinished {
            state,
            node_states: job.counts,
            duration_s,
        },
        message,
    );
    JobReport {
        id,
        state,
        node_states: job.counts,
        nodes: job
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

struct SchedNode {
    name: String,
    level: usize,
    state: NodeState,
    deps_left: usize,
    dependents: Vec<usize>,
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
}

impl Scheduler<'_, '_> {
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

    fn on_stop(
        &mut self,
        seen: &mut StopLevel,
        level: StopLevel,
        kill: &CancellationToken,
        running: usize,
    ) {
        if level > *seen && *seen == StopLevel::None {
            *seen = StopLevel::Stop;
            self.emit(
                EventKind::JobStopping { force: false },
                format!(
                    "Stopping job {}: no new runs will start; {} will finish",
                    self.id,
                    plural(running, "running node")
                ),
            );
            for i in 0..self.nodes.len() {
                if self.nodes[i].state == NodeState::New {
                    self.skip(i, None);
                }
            }
        }
        if level == StopLevel::Force && *seen != StopLevel::Force {
            *seen = StopLevel::Force;
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

    fn on_end(&mut self, i: usize, end: NodeEnd, ready: &mut BinaryHeap<Reverse<usize>>) {
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
        if state == NodeState::Finished {
            for d in self.nodes[i].dependents.clone() {
                let dep = &mut self.nodes[d];
                dep.deps_left -= 1;
                if dep.deps_left == 0 && dep.state == NodeState::New {
                    ready.push(Reverse(d));
                }
            }
        } else {
            self.skip_dependents(i);
        }
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
            _ => format!("Skipped puppet run on {node}: the job was stopped"),
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

/// How a node's run ended, as its task reports it.
struct NodeEnd {
    state: NodeState,
    exit_code: Option<i32>,
    error: Option<ErrorCause>,
    /// Why it did not finish (for the message).
    detail: String,
    output: OutputTail,
    duration: Duration,
    /// The agent's run summary, read after a run that ended with an exit.
    summary: Option<RunSummary>,
}

impl NodeEnd {
    fn panicked(e: tokio::task::JoinError) -> NodeEnd {
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

async fn run_node(
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
