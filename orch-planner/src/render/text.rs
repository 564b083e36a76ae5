//! Puppet's `puppet job plan` layout (orchestrator reference §4.1).

use std::fmt::Write as _;

use crate::{Plan, Target, Warning};

/// The rule under each level number: as many dashes as Puppet printed.
const RULE: &str = "-----------------------------------------------------------------------";

pub(super) fn render(plan: &Plan) -> String {
    let mut out = render_with(plan, None);
    let _ = writeln!(
        out,
        "Use `{}` to create and run a job like this.",
        run_command(plan)
    );
    out.push_str("Node catalogs may have changed since this plan was generated.\n");
    out
}

/// The plan as `puppet job run` showed it before running (§4.2): `Job ID` first in the box, no
/// closing hint.
pub(super) fn render_job(plan: &Plan, job: u64) -> String {
    render_with(plan, Some(job))
}

fn render_with(plan: &Plan, job: Option<u64>) -> String {
    let mut out = String::new();
    let concurrency = plan
        .concurrency
        .map_or_else(|| "None".to_string(), |c| c.to_string());
    let mut rows = Vec::with_capacity(5);
    if let Some(id) = job {
        rows.push(("Job ID", id.to_string()));
    }
    rows.extend([
        ("Environment", plan.environment.clone()),
        ("Target", plan.target.to_string()),
        ("Concurrency Limit", concurrency),
        ("Nodes", plan.node_count().to_string()),
    ]);
    key_value_box(&mut out, &rows);

    if !plan.applications.is_empty() {
        let _ = writeln!(out, "\nApplication instances: {}", plan.applications.len());
        for app in &plan.applications {
            let partial = plan.warnings.iter().any(
                |w| matches!(w, Warning::PartialApplication { application, .. } if application == app),
            );
            let warning = if partial {
                " **WARNING** target does not contain all nodes in this application."
            } else {
                ""
            };
            let _ = writeln!(out, "  - {app}{warning}");
        }
    }

    // What Puppet only hinted at: which dependencies the job will not wait for.
    let outside: Vec<_> = plan
        .warnings
        .iter()
        .filter_map(|w| match w {
            Warning::OutsideDependency(e) => Some(e),
            Warning::PartialApplication { .. } => None,
        })
        .collect();
    if !outside.is_empty() {
        out.push_str(
            "\nDependencies on nodes outside the target (this job will not wait for them):\n",
        );
        for e in outside {
            let _ = writeln!(out, "  {e}");
        }
    }

    out.push_str(
        "\nNode run order (nodes in level 0 run before their dependent nodes in level 1, etc.):\n",
    );
    for level in &plan.levels {
        let _ = writeln!(out, "{} {RULE}", level.level);
        for node in &level.nodes {
            out.push_str(&node.name);
            out.push('\n');
            for c in &node.components {
                let _ = writeln!(out, "    {} - {}", c.application, c.component);
            }
        }
        out.push('\n');
    }
    out
}

/// `+---+---+` box with one `| key | value |` row each, columns as wide as their widest cell.
fn key_value_box(out: &mut String, rows: &[(&str, String)]) {
    let kw = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let vw = rows
        .iter()
        .map(|(_, v)| v.chars().count())
        .max()
        .unwrap_or(0);
    let border = format!("+{}+{}+\n", "-".repeat(kw + 2), "-".repeat(vw + 2));
    out.push_str(&border);
    for (k, v) in rows {
        let _ = writeln!(out, "| {k:<kw$} | {v:<vw$} |");
    }
    out.push_str(&border);
}

/// The `orch job run` command that runs this plan (Puppet's closing hint named its own).
fn run_command(plan: &Plan) -> String {
    let mut cmd = String::from("orch job run");
    match &plan.target {
        Target::Environment => {}
        Target::Applications(apps) => {
            for a in apps {
                let _ = write!(cmd, " --application {}", quote(&a.to_string()));
            }
        }
        Target::Nodes(nodes) => {
            let list: Vec<&str> = nodes.iter().map(String::as_str).collect();
            let _ = write!(cmd, " --nodes {}", quote(&list.join(",")));
        }
    }
    let _ = write!(cmd, " --environment {}", plan.environment);
    if let Some(c) = plan.concurrency {
        let _ = write!(cmd, " --concurrency {c}");
    }
    cmd
}

/// Single-quoted for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
