//! Mermaid flowchart: one subgraph per level, one arrow per node pair labelled with its
//! capabilities.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{capabilities, edge_groups};
use crate::Plan;

pub(super) fn render(plan: &Plan) -> String {
    let mut out = String::from("flowchart LR\n");
    // Certnames are not valid Mermaid ids (dots, dashes): number the nodes in plan order.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for level in &plan.levels {
        let _ = writeln!(out, "  subgraph level_{0}[\"level {0}\"]", level.level);
        for node in &level.nodes {
            let id = ids.len();
            ids.insert(&node.name, id);
            let mut label = escape(&node.name);
            for c in &node.components {
                let _ = write!(
                    label,
                    "<br/>{}",
                    escape(&format!("{} - {}", c.application, c.component))
                );
            }
            let _ = writeln!(out, "    n{id}[\"{label}\"]");
        }
        out.push_str("  end\n");
    }
    for (from, to, edges) in edge_groups(plan) {
        let _ = writeln!(
            out,
            "  n{} -->|\"{}\"| n{}",
            ids[from],
            escape(&capabilities(&edges).join(", ")),
            ids[to]
        );
    }
    out
}

/// Text safe inside a quoted Mermaid label.
fn escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}
