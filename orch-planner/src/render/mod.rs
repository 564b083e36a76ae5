//! Renderings of a plan: Puppet's text layout, JSON, DOT and Mermaid.

mod dot;
mod mermaid;
mod text;

use std::fmt;
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
            let mut s = serde_json::to_string_pretty(plan).expect("a plan is plain data");
            s.push('\n');
            s
        }
        Format::Dot => dot::render(plan),
        Format::Mermaid => mermaid::render(plan),
    }
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
