//! Renderings of a plan: Puppet's text layout, JSON, DOT and Mermaid.

mod dot;
mod mermaid;
mod text;

use std::fmt;
use std::io;
use std::str::FromStr;

use crate::{Edge, Plan};

/// How to show a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `puppet job plan`'s layout: key/value box, application instances, levels, hint.
    #[default]
    Text,
    /// The [`Plan`] as pretty JSON (spec/cli.md's shape).
    Json,
    /// Graphviz: the node graph clustered by level, edges labelled with capabilities.
    Dot,
    /// A Mermaid flowchart of the same picture.
    Mermaid,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "dot" => Ok(Format::Dot),
            "mermaid" => Ok(Format::Mermaid),
            _ => Err(format!("unknown format `{s}` (text, json, dot, mermaid)")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
        })
    }
}

/// The plan in `format`, ending with a newline.
pub fn render(plan: &Plan, format: Format) -> String {
    match format {
        Format::Text => text::render(plan),
        Format::Json => {
            // About 500 bytes of pretty JSON per node: one allocation instead of a dozen copies.
            let mut out = Vec::with_capacity(512 * plan.node_count());
            write_json(plan, &mut out).expect("writing to memory cannot fail");
            String::from_utf8(out).expect("serde_json writes UTF-8")
        }
        Format::Dot => dot::render(plan),
        Format::Mermaid => mermaid::render(plan),
    }
}

/// The plan as `orch job run` prints it before running job `job`: Puppet's layout with `Job ID`
/// first in the box and without the closing hint.
pub fn render_job_header(plan: &Plan, job: u64) -> String {
    text::render_job(plan, job)
}

/// Writes [`render`]'s text to `out`. JSON is streamed: a 100k-node plan is some 50 MB of it,
/// not worth holding in memory only to copy it out.
pub fn write<W: io::Write + ?Sized>(plan: &Plan, format: Format, out: &mut W) -> io::Result<()> {
    match format {
        Format::Json => write_json(plan, out),
        _ => out.write_all(render(plan, format).as_bytes()),
    }
}

fn write_json<W: io::Write + ?Sized>(plan: &Plan, out: &mut W) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, plan)?;
    out.write_all(b"\n")
}

/// The plan's edges grouped by node pair (they are sorted by pair), for pictures that draw one
/// arrow per pair labelled with every capability behind it.
fn edge_groups(plan: &Plan) -> Vec<(&str, &str, Vec<&Edge>)> {
    let mut groups: Vec<(&str, &str, Vec<&Edge>)> = Vec::new();
    for e in &plan.edges {
        match groups.last_mut() {
            Some((from, to, group)) if *from == e.from && *to == e.to => group.push(e),
            _ => groups.push((&e.from, &e.to, vec![e])),
        }
    }
    groups
}

/// The capabilities of a group of edges, each once, in order.
fn capabilities(edges: &[&Edge]) -> Vec<String> {
    let mut caps: Vec<String> = edges.iter().map(|e| e.capability.to_string()).collect();
    caps.dedup();
    caps
}
