//! The live display of `orch job run` on a terminal: progress, the nodes running now, elapsed
//! time. Event lines scroll above it.

use std::collections::BTreeSet;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use orch_planner::Plan;
use orch_runner::{Event, EventKind};

pub(super) struct Progress {
    bar: ProgressBar,
    running: BTreeSet<String>,
}

impl Progress {
    pub(super) fn new(plan: &Plan) -> Progress {
        let bar = ProgressBar::new(plan.node_count() as u64);
        bar.set_style(
            ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} nodes {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar,
            running: BTreeSet::new(),
        }
    }

    pub(super) fn println(&self, text: &str) {
        self.bar.println(text);
    }

    pub(super) fn event(&mut self, event: &Event) {
        match &event.kind {
            EventKind::NodeRunning { node, .. } => {
                self.running.insert(node.clone());
            }
            EventKind::NodeFinished { node, .. }
            | EventKind::NodeFailed { node, .. }
            | EventKind::NodeErrored { node, .. } => {
                self.running.remove(node);
                self.bar.inc(1);
            }
            EventKind::NodeSkipped { .. } => self.bar.inc(1),
            EventKind::JobStopping { .. } => self.bar.set_prefix("stopping"),
            _ => {}
        }
        self.bar.set_message(running_list(&self.running));
    }

    pub(super) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `· running: a, b, c and 5 more`.
fn running_list(running: &BTreeSet<String>) -> String {
    const SHOWN: usize = 3;
    if running.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = running.iter().take(SHOWN).map(String::as_str).collect();
    let more = running.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("· running: {} and {more} more", names.join(", "))
    } else {
        format!("· running: {}", names.join(", "))
    }
}
