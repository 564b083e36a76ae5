//! Text for people: the lines `orch job run` prints as events arrive (Puppet's `puppet job run`
//! layout, `reference/orchestrator.md` §4.2).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use orch_model::ResourceRef;
use orch_planner::Plan;

use crate::event::{Event, EventKind, OutputTail};
use crate::state::NodeCounts;
use crate::state::NodeState;
use crate::store::{JobRecord, NodeRecord, StopAnswer, node_applications};
use crate::summary::RunSummary;
use crate::time::{Timestamp, format_duration};

/// How many lines of a failed run's output are shown under its error.
pub const FAILURE_TAIL_LINES: usize = 10;

/// Turns a job's events into the lines of `orch job run`; remembers which applications a
/// failure touched, for the closing summary.
#[derive(Debug, Clone)]
pub struct RunText {
    applications_of: HashMap<String, Vec<ResourceRef>>,
    affected: BTreeSet<ResourceRef>,
}

impl RunText {
    /// For a job running `plan`.
    pub fn new(plan: &Plan) -> RunText {
        RunText::from_nodes(
            plan.nodes()
                .map(|(_, n)| (n.name.clone(), node_applications(n))),
        )
    }

    /// For a recorded job (`job show --follow`): the applications as the store has them.
    pub fn for_job(job: &JobRecord) -> RunText {
        RunText::from_nodes(
            job.nodes
                .iter()
                .map(|n| (n.name.clone(), n.applications.clone())),
        )
    }

    fn from_nodes(nodes: impl Iterator<Item = (String, Vec<ResourceRef>)>) -> RunText {
        RunText {
            applications_of: nodes.collect(),
            affected: BTreeSet::new(),
        }
    }

    /// The lines for `event` (possibly none), each ending with a newline.
    pub fn lines(&mut self, event: &Event) -> String {
        let mut out = String::new();
        match &event.kind {
            // The header (plan box, `New job created`) is printed before the job starts.
            EventKind::JobStarted { .. } => {}
            EventKind::NodeRunning { .. }
            | EventKind::JobStopping { .. }
            | EventKind::JobPaused { .. }
            | EventKind::JobResumed { .. } => {
                out.push_str(&event.message);
                out.push('\n');
            }
            EventKind::NodeFinished { summary, .. } => {
                out.push_str(&event.message);
                out.push('\n');
                write_summary(&mut out, summary.as_ref(), "  ");
            }
            EventKind::NodeFailed {
                node,
                output,
                summary,
                ..
            } => {
                self.affect(node);
                out.push_str(&event.message);
                out.push('\n');
                write_summary(&mut out, summary.as_ref(), "  ");
                write_tail(&mut out, output);
            }
            EventKind::NodeErrored { node, output, .. } => {
                self.affect(node);
                out.push_str(&event.message);
                out.push('\n');
                write_tail(&mut out, output);
            }
            EventKind::NodeSkipped { node, .. } => {
                self.affect(node);
                out.push_str(&event.message);
                out.push('\n');
            }
            EventKind::JobFinished { duration_s, .. } => {
                out.push('\n');
                if !self.affected.is_empty() {
                    let apps: Vec<String> = self.affected.iter().map(|a| a.to_string()).collect();
                    let _ = writeln!(out, "Affected applications: {}", apps.join(", "));
                }
                let _ = writeln!(out, "{}", event.message);
                let _ = writeln!(out, "Duration: {}", format_duration(*duration_s));
            }
        }
        out
    }

    fn affect(&mut self, node: &str) {
        if let Some(apps) = self.applications_of.get(node) {
            self.affected.extend(apps.iter().cloned());
        }
    }
}

/// A node's run-summary lines (PE's `Resource events: ...`), indented under its line.
fn write_summary(out: &mut String, summary: Option<&RunSummary>, indent: &str) {
    for line in summary.map(RunSummary::lines).unwrap_or_default() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

/// The last lines of a run's output, indented under its error line.
fn write_tail(out: &mut String, output: &OutputTail) {
    let lines = output.last_lines(FAILURE_TAIL_LINES);
    if lines.is_empty() {
        return;
    }
    if output.truncated
        || output.text.lines().filter(|l| !l.trim().is_empty()).count() > lines.len()
    {
        let _ = writeln!(out, "  (last {} lines of its output)", lines.len());
    }
    for l in lines {
        let _ = writeln!(out, "  {l}");
    }
}

/// The rule under `job show`'s section headers.
const SECTION_RULE: &str =
    "--------------------------------------------------------------------------";

/// `orch job show`: the jobs, newest first, in PE 2017.3's columns
/// (`ID  STATUS  TIMESTAMP  USER  NODES  TARGET`).
pub fn render_job_list(jobs: &[JobRecord]) -> String {
    if jobs.is_empty() {
        return "No jobs yet.\n".to_owned();
    }
    let header = ["ID", "STATUS", "TIMESTAMP", "USER", "NODES", "TARGET"];
    let rows: Vec<[String; 6]> = jobs
        .iter()
        .map(|j| {
            [
                j.id.to_string(),
                j.state.to_string(),
                j.started.unwrap_or(j.created).local_display(),
                j.user.clone(),
                j.node_count.to_string(),
                j.target.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[&str]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut out, &header);
    let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    out.push_str(&"-".repeat(total));
    out.push('\n');
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&mut out, &cells);
    }
    out
}

/// `orch job show ID`: the job's fields (§4.3), then a section per node state.
pub fn render_job_detail(job: &JobRecord) -> String {
    let mut fields: Vec<(&str, String)> = vec![
        ("Job ID", job.id.to_string()),
        ("Status", job.state.to_string()),
    ];
    if let Some(m) = &job.message {
        fields.push(("Message", m.clone()));
    }
    fields.push(("Job type", "puppet run".into()));
    if let Some(d) = &job.description {
        fields.push(("Description", d.clone()));
    }
    if let Some(of) = job.rerun_of {
        fields.push(("Rerun of", format!("job {of}")));
    }
    if let Some(r) = &job.stop_request {
        let force = if r.force { " (force)" } else { "" };
        fields.push((
            "Stop asked",
            format!("by {} at {}{force}", r.user, r.time.local_display()),
        ));
    }
    let time = |t: Option<Timestamp>| t.map_or_else(|| "-".to_owned(), Timestamp::local_display);
    fields.push(("Start time", time(job.started)));
    fields.push(("Finish time", time(job.finished)));
    fields.push((
        "Duration",
        job.duration_s
            .map_or_else(|| "-".to_owned(), format_duration),
    ));
    fields.push(("User", job.user.clone()));
    fields.push(("Environment", job.environment.clone()));
    fields.push(("Target", job.target.clone()));
    fields.push((
        "Noop",
        match job.noop {
            Some(true) => "true".into(),
            Some(false) => "false (enforced: --no-noop)".into(),
            None => "false".into(),
        },
    ));
    fields.push((
        "Concurrency",
        job.concurrency
            .map_or_else(|| "unlimited".to_owned(), |c| c.to_string()),
    ));
    if let Some(t) = job.timeout_s {
        fields.push(("Timeout", format_duration(t as f64)));
    }
    fields.push(("Nodes", job.node_count.to_string()));

    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 2;
    let mut out = String::new();
    for (k, v) in &fields {
        let _ = writeln!(out, "{:<width$}{v}", format!("{k}:"));
    }
    for state in SECTION_ORDER {
        let nodes: Vec<&NodeRecord> = job.nodes.iter().filter(|n| n.state == state).collect();
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{} ({}/{})\n{SECTION_RULE}",
            state.as_str().to_uppercase(),
            nodes.len(),
            job.node_count
        );
        for n in nodes {
            out.push_str(&n.name);
            out.push('\n');
            write_node_outcome(&mut out, n);
        }
    }
    out
}

/// `orch job stop`'s answer: what the request does, and the job's nodes by state.
pub fn render_stop_answer(answer: &StopAnswer) -> String {
    let nodes = count_phrase(&answer.node_states);
    let id = answer.id;
    match (answer.requested, answer.force) {
        (true, false) => {
            format!("Stopping job {id}: {nodes} (nothing new starts; running nodes finish)\n")
        }
        (true, true) => format!(
            "Stopping job {id} now: {nodes} (running nodes are interrupted; nothing new starts)\n"
        ),
        (false, _) => format!("Job {id} is not running ({}): {nodes}\n", answer.state),
    }
}

/// `3 nodes running, 5 new, 1 finished`: the non-zero counts, what is under way first.
fn count_phrase(counts: &NodeCounts) -> String {
    const ORDER: [NodeState; 6] = [
        NodeState::Running,
        NodeState::New,
        NodeState::Finished,
        NodeState::Failed,
        NodeState::Errored,
        NodeState::Skipped,
    ];
    let parts: Vec<String> = ORDER
        .into_iter()
        .map(|s| (s, counts.get(s)))
        .filter(|(_, n)| *n > 0)
        .enumerate()
        .map(|(i, (s, n))| match (i, n) {
            // The first count says what is counted.
            (0, 1) => format!("1 node {s}"),
            (0, _) => format!("{n} nodes {s}"),
            _ => format!("{n} {s}"),
        })
        .collect();
    if parts.is_empty() {
        return "no nodes".to_owned();
    }
    parts.join(", ")
}

/// Sections in the order an operator looks for them: what went wrong first.
const SECTION_ORDER: [NodeState; 6] = [
    NodeState::Failed,
    NodeState::Errored,
    NodeState::Skipped,
    NodeState::Running,
    NodeState::New,
    NodeState::Finished,
];

fn write_node_outcome(out: &mut String, n: &NodeRecord) {
    let took = n
        .duration_s
        .map(|d| format!(" in {}", format_duration(d)))
        .unwrap_or_default();
    match n.state {
        NodeState::Finished => {
            let changes = match n.exit_code {
                Some(2) => ", with changes",
                _ => ", no changes",
            };
            let _ = writeln!(
                out,
                "    Finished{took}{changes} (exit code {})",
                n.exit_code.unwrap_or(0)
            );
            write_summary(out, n.run_summary().as_ref(), "    ");
        }
        NodeState::Failed | NodeState::Errored => {
            if let Some(m) = &n.message {
                let _ = writeln!(out, "    {m}");
            }
            write_summary(out, n.run_summary().as_ref(), "    ");
            let tail = OutputTail {
                text: n.output_tail.clone().unwrap_or_default(),
                truncated: n.output_truncated,
            };
            for l in tail.last_lines(FAILURE_TAIL_LINES) {
                let _ = writeln!(out, "      {l}");
            }
        }
        NodeState::Skipped => {
            if let Some(m) = &n.message {
                let _ = writeln!(out, "    {m}");
            }
        }
        NodeState::Running => {
            let since = n
                .started
                .map(|s| {
                    format!(
                        " (started {} ago)",
                        format_duration(s.seconds_until(Timestamp::now()))
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(out, "    Running{since}");
        }
        NodeState::New => {
            let _ = writeln!(out, "    Waiting to start");
        }
    }
}
