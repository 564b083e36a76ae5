//! The event stream printed for people or programs: what `job run` prints as its job runs and
//! `job show --follow` prints as the events are stored.

use std::io::{LineWriter, Write};

use clap::ValueEnum;
use orch_runner::{Event, EventKind, EventSink, JobId, RunText};

use crate::exit::Exit;

use super::progress::Progress;

/// `--format` of the commands that print an event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum RunFormat {
    Text,
    Json,
}

/// Something to do on each event before it is printed.
pub(super) type EventHook = Box<dyn FnMut(&Event) + Send>;

/// Prints the event stream: Puppet's lines or NDJSON, with the live display on a terminal.
pub(super) struct Output {
    pub(super) format: RunFormat,
    pub(super) text: RunText,
    pub(super) out: LineWriter<std::io::Stdout>,
    pub(super) progress: Option<Progress>,
    /// The first write that failed (a reader gone: `| head`); later writes are not tried.
    pub(super) write_error: Option<std::io::Error>,
    /// `--pause-between-levels` asks there.
    pub(super) on_pause: Option<EventHook>,
}

impl Output {
    pub(super) fn new(format: RunFormat, text: RunText, progress: Option<Progress>) -> Output {
        Output {
            format,
            text,
            out: LineWriter::new(std::io::stdout()),
            progress,
            write_error: None,
            on_pause: None,
        }
    }

    pub(super) fn print(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match &self.progress {
            Some(p) => p.println(text.trim_end_matches('\n')),
            None => self.write(text.as_bytes()),
        }
    }

    /// What `job run` says before the first event: Puppet's deployment header with the job's
    /// id (text), or the plan's warnings on stderr (JSON: stdout holds only events).
    pub(super) fn announce(&mut self, plan: &orch_planner::Plan, id: JobId) {
        if self.format == RunFormat::Text {
            self.print(&format!(
                "Starting deployment ...\n\n{}New job created: {id}\n",
                orch_planner::render_job_header(plan, id)
            ));
        } else {
            for w in &plan.warnings {
                eprintln!("Warning: {w}");
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.write_error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.write_error = Some(e);
        }
    }
}

impl EventSink for Output {
    fn event(&mut self, event: &Event) {
        if let Some(hook) = &mut self.on_pause {
            hook(event);
        }
        match self.format {
            RunFormat::Json => {
                let mut line = event.to_json_line();
                line.push('\n');
                self.write(line.as_bytes());
            }
            RunFormat::Text => {
                if let Some(p) = &mut self.progress {
                    p.event(event);
                }
                let lines = self.text.lines(event);
                self.print(&lines);
            }
        }
    }
}

/// Prints `events`; once the job has ended (`job_finished`) or the output is gone, what the
/// command exits with.
pub(super) fn print_events(output: &mut Output, events: &[Event]) -> Option<Exit> {
    for event in events {
        output.event(event);
        if let Some(e) = output.write_error.take() {
            // A reader that went away (`| head`) ends the following, not the job.
            return Some(match e.kind() {
                std::io::ErrorKind::BrokenPipe => Exit::Success,
                _ => {
                    eprintln!("Error: could not write the output: {e}");
                    Exit::Internal
                }
            });
        }
        if let EventKind::JobFinished { state, .. } = event.kind {
            return Some(Exit::for_job(state));
        }
    }
    None
}
