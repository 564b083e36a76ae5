//! Text for people: the lines `orch job run` prints as events arrive (Puppet's `puppet job run`
//! layout, `reference/orchestrator.md` §4.2).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use orch_model::ResourceRef;
use orch_planner::Plan;

use crate::event::{Event, EventKind, OutputTail};
use crate::time::format_duration;

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
        let applications_of = plan
            .nodes()
            .map(|(_, n)| {
                let mut apps: Vec<ResourceRef> =
                    n.components.iter().map(|c| c.application.clone()).collect();
                apps.dedup();
                (n.name.clone(), apps)
            })
            .collect();
        RunText {
            applications_of,
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
            | EventKind::NodeFinished { .. }
            | EventKind::JobStopping { .. } => {
                out.push_str(&event.message);
                out.push('\n');
            }
            EventKind::NodeFailed { node, output, .. }
            | EventKind::NodeErrored { node, output, .. } => {
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

/// The last lines of a run's output, indented under its error line.
fn write_tail(out: &mut String, output: &OutputTail) {
    let lines = output.last_lines(FAILURE_TAIL_LINES);
    if lines.is_empty() {
        return;
    }
    if output.truncated || output.text.lines().filter(|l| !l.trim().is_empty()).count() > lines.len() {
        let _ = writeln!(out, "  (last {} lines of its output)", lines.len());
    }
    for l in lines {
        let _ = writeln!(out, "  {l}");
    }
}
