//! Graphviz DOT: one cluster per level, one arrow per node pair labelled with its capabilities.

use std::fmt::Write as _;

use super::{capabilities, edge_groups};
use crate::Plan;

pub(super) fn render(plan: &Plan) -> String {
    let mut out = String::from("digraph plan {\n");
    let _ = writeln!(
        out,
        "  label={};\n  labelloc=t;\n  rankdir=LR;\n  node [shape=box];",
        quote(&format!(
            "environment {}, target {}",
            plan.environment, plan.target
        ))
    );
    for level in &plan.levels {
        let _ = writeln!(
            out,
            "  subgraph cluster_level_{} {{\n    label={};",
            level.level,
            quote(&format!("level {}", level.level))
        );
        for node in &level.nodes {
            // The node's label lists what runs there, as the text plan does.
            let mut label = node.name.clone();
            for c in &node.components {
                let _ = write!(label, "\n{} - {}", c.application, c.component);
            }
            let _ = writeln!(out, "    {} [label={}];", quote(&node.name), quote(&label));
        }
        out.push_str("  }\n");
    }
    for (from, to, edges) in edge_groups(plan) {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(from),
            quote(to),
            quote(&capabilities(&edges).join("\n"))
        );
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string; newlines become `\n` line breaks.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}
