//! A plan as a picture: nodes in columns by level, dependencies as arrows labelled with the
//! capability. Pure and deterministic (same plan, same text), so it is snapshot-tested; every
//! text is XML-escaped, as node names and titles come from the code.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use orch_planner::{Cycle, Edge, Plan};

const BOX_WIDTH: i64 = 240;
const COLUMN_GAP: i64 = 150;
const ROW_GAP: i64 = 28;
const LINE: i64 = 16;
const PAD: i64 = 20;
/// Room above the columns for the title and the column headings.
const TOP: i64 = 64;
/// Longest text drawn in a box, in characters (the full text is in the `<title>` tooltip).
const CLIP: usize = 34;

/// One box: a node and the lines under its name.
struct NodeBox {
    name: String,
    lines: Vec<String>,
}

/// What is drawn: headed columns of boxes and arrows between them.
struct Picture {
    title: String,
    /// Under the title (the planner's message when the picture is of a cycle).
    message: Vec<String>,
    columns: Vec<(String, Vec<NodeBox>)>,
    edges: Vec<Edge>,
    /// A cycle: everything in the highlighted (red) style.
    cycle: bool,
}

/// The plan's picture.
pub(crate) fn plan_svg(plan: &Plan) -> String {
    let columns = plan
        .levels
        .iter()
        .map(|level| {
            let boxes = level
                .nodes
                .iter()
                .map(|n| NodeBox {
                    name: n.name.clone(),
                    lines: n
                        .components
                        .iter()
                        .map(|c| c.component.to_string())
                        .collect(),
                })
                .collect();
            (format!("level {}", level.level), boxes)
        })
        .collect();
    let title = format!(
        "{} · {} · {} node{}",
        plan.environment,
        plan.target,
        plan.node_count(),
        if plan.node_count() == 1 { "" } else { "s" }
    );
    draw(&Picture {
        title,
        message: plan
            .warnings
            .iter()
            .map(|w| format!("warning: {w}"))
            .collect(),
        columns,
        edges: plan.edges.clone(),
        cycle: false,
    })
}

/// The picture of a target that cannot be planned because of `cycles`: each cycle's nodes in a
/// row, every edge between them, all highlighted, under the planner's `message`.
pub(crate) fn cycles_svg(environment: &str, cycles: &[Cycle], message: &str) -> String {
    let mut columns = Vec::new();
    let mut edges = Vec::new();
    for (i, cycle) in cycles.iter().enumerate() {
        // A cycle has no levels: what each node hosts is what its edges name.
        let mut hosted: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for e in &cycle.edges {
            hosted
                .entry(&e.from)
                .or_default()
                .push(e.producer.to_string());
            hosted
                .entry(&e.to)
                .or_default()
                .push(e.consumer.to_string());
        }
        for node in &cycle.nodes {
            let mut lines = hosted.remove(node.as_str()).unwrap_or_default();
            lines.sort();
            lines.dedup();
            columns.push((
                format!("cycle {}", i + 1),
                vec![NodeBox {
                    name: node.clone(),
                    lines,
                }],
            ));
        }
        edges.extend(cycle.edges.iter().cloned());
    }
    draw(&Picture {
        title: format!("{environment} · dependency cycle"),
        message: message.lines().map(str::to_owned).collect(),
        columns,
        edges,
        cycle: true,
    })
}

fn box_height(b: &NodeBox) -> i64 {
    LINE * (b.lines.len() as i64 + 1) + 14
}

fn draw(picture: &Picture) -> String {
    let top = TOP + LINE * picture.message.len() as i64;
    // Where each node's box is: (column, x, y, height).
    let mut at: BTreeMap<&str, (usize, i64, i64, i64)> = BTreeMap::new();
    let mut tallest = 0;
    for (c, (_, boxes)) in picture.columns.iter().enumerate() {
        let x = PAD + c as i64 * (BOX_WIDTH + COLUMN_GAP);
        let mut y = top;
        for b in boxes {
            let h = box_height(b);
            at.insert(&b.name, (c, x, y, h));
            y += h + ROW_GAP;
        }
        tallest = tallest.max(y);
    }
    let columns = picture.columns.len().max(1) as i64;
    let width = 2 * PAD + columns * BOX_WIDTH + (columns - 1) * COLUMN_GAP;
    // Arrows that go back (cycles) loop below the boxes.
    let height = tallest + PAD + if picture.cycle { 60 } else { 0 };
    let class = if picture.cycle { "plan cycle" } else { "plan" };

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="{class}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="12">"#
    );
    out.push_str(concat!(
        "<style>",
        ".node rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1.2}",
        ".node .name{font-family:ui-monospace,monospace;font-weight:600;font-size:13px}",
        ".node .component{fill:#57606a;font-family:ui-monospace,monospace;font-size:11px}",
        ".edge path{fill:none;stroke:#57606a;stroke-width:1.4}",
        // A white halo keeps labels readable where they cross other arrows.
        ".edge text{fill:#0550ae;font-size:11px;stroke:#fff;stroke-width:4px;paint-order:stroke;stroke-linejoin:round}",
        ".heading{fill:#57606a;font-size:12px;text-transform:uppercase;letter-spacing:.05em}",
        ".title{font-size:15px;font-weight:600}",
        ".message{fill:#cf222e;font-size:12px}",
        ".cycle .node rect{fill:#ffebe9;stroke:#cf222e;stroke-width:2}",
        ".cycle .edge path{stroke:#cf222e;stroke-width:2}",
        ".cycle .edge text{fill:#cf222e}",
        "</style>\n",
    ));
    let color = if picture.cycle { "#cf222e" } else { "#57606a" };
    let _ = writeln!(
        out,
        r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker></defs>"#
    );
    let _ = writeln!(
        out,
        r#"<text class="title" x="{PAD}" y="24">{}</text>"#,
        xml(&picture.title)
    );
    for (i, line) in picture.message.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="message" x="{PAD}" y="{}">{}</text>"#,
            44 + LINE * i as i64,
            xml(line)
        );
    }
    for (c, (heading, boxes)) in picture.columns.iter().enumerate() {
        let x = PAD + c as i64 * (BOX_WIDTH + COLUMN_GAP);
        let level = heading.strip_prefix("level ").unwrap_or("");
        let _ = writeln!(out, r#"<g class="level" data-level="{}">"#, xml(level));
        let _ = writeln!(
            out,
            r#"<text class="heading" x="{x}" y="{}">{}</text>"#,
            top - 10,
            xml(heading)
        );
        for b in boxes {
            let (_, x, y, h) = at[b.name.as_str()];
            let _ = writeln!(
                out,
                r#"<g class="node" data-node="{}"><title>{}</title>"#,
                xml(&b.name),
                xml(&tooltip(b))
            );
            let _ = writeln!(
                out,
                r#"<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{h}" rx="6"/>"#
            );
            let _ = writeln!(
                out,
                r#"<text class="name" x="{}" y="{}">{}</text>"#,
                x + 10,
                y + LINE + 2,
                xml(&clip(&b.name))
            );
            for (i, line) in b.lines.iter().enumerate() {
                let _ = writeln!(
                    out,
                    r#"<text class="component" x="{}" y="{}">{}</text>"#,
                    x + 10,
                    y + LINE * (i as i64 + 2) + 2,
                    xml(&clip(line))
                );
            }
            out.push_str("</g>\n");
        }
        out.push_str("</g>\n");
    }
    for (i, e) in picture.edges.iter().enumerate() {
        let (Some(&from), Some(&to)) = (at.get(e.from.as_str()), at.get(e.to.as_str())) else {
            continue;
        };
        let (path, label) = route(from, to, i, tallest);
        let _ = writeln!(
            out,
            r#"<g class="edge" data-from="{}" data-to="{}" data-capability="{}"><title>{}</title><path d="{path}" marker-end="url(#arrow)"/><text x="{}" y="{}" text-anchor="middle">{}</text></g>"#,
            xml(&e.from),
            xml(&e.to),
            xml(&e.capability.to_string()),
            xml(&e.to_string()),
            label.0,
            label.1,
            xml(&clip(&e.capability.to_string()))
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The path of an arrow between two boxes `(column, x, y, height)` and where its label goes:
/// forward arrows from the right edge to the left edge; others loop under the boxes (the
/// `i`th edge a little lower, so that they do not overlap).
fn route(
    (fc, fx, fy, fh): (usize, i64, i64, i64),
    (tc, tx, ty, th): (usize, i64, i64, i64),
    i: usize,
    bottom: i64,
) -> (String, (i64, i64)) {
    if fc < tc {
        let (x1, y1) = (fx + BOX_WIDTH, fy + fh / 2);
        let (x2, y2) = (tx, ty + th / 2);
        let bend = (x2 - x1) / 2;
        let path = format!(
            "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
            x1 + bend,
            x2 - bend
        );
        // Labels near the arrow's start, where arrows from one box have not yet met others.
        let lx = x1 + (x2 - x1) / 2;
        let ly = (y1 + y2) / 2 - 6;
        (path, (lx, ly))
    } else {
        let (x1, y1) = (fx + BOX_WIDTH / 2, fy + fh);
        let (x2, y2) = (tx + BOX_WIDTH / 2, ty + th);
        let low = bottom + 10 + 14 * (i as i64 % 3);
        let path = format!("M{x1},{y1} C{x1},{low} {x2},{low} {x2},{y2}");
        ((path), ((x1 + x2) / 2, low - 4))
    }
}

fn tooltip(b: &NodeBox) -> String {
    let mut text = b.name.clone();
    for line in &b.lines {
        text.push('\n');
        text.push_str(line);
    }
    text
}

/// At most [`CLIP`] characters, `…` marking a cut.
fn clip(text: &str) -> String {
    if text.chars().count() <= CLIP {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(CLIP - 1).collect();
    out.push('…');
    out
}

/// `text` as XML character data or attribute value.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use orch_model::EnvironmentGraph;
    use orch_planner::{PlanError, PlanRequest, Target};

    use super::*;

    fn graph(fixture: &str) -> EnvironmentGraph {
        let path = format!(
            "{}/../orch-planner/tests/fixtures/{fixture}",
            env!("CARGO_MANIFEST_DIR")
        );
        EnvironmentGraph::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn whole() -> PlanRequest {
        PlanRequest {
            target: Target::Environment,
            concurrency: None,
            extra_nodes: Vec::new(),
        }
    }

    #[test]
    fn a_cycle_is_drawn_in_red_with_the_planners_message() {
        let e = orch_planner::plan(&graph("cycle.json"), &whole()).unwrap_err();
        let PlanError::DependencyCycle { cycles } = &e else {
            panic!("not a cycle: {e}");
        };
        let svg = cycles_svg("production", cycles, &e.to_string());
        assert!(svg.contains(r#"class="plan cycle""#));
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn names_are_escaped_as_xml() {
        let text = r#"{"environment": "e<&>", "applications": {"App[x]": {
            "Db[<script>]": {"produces": ["Sql[\"q'\"]"], "consumes": [], "node": "a&b"},
            "Web[x]": {"produces": [], "consumes": ["Sql[\"q'\"]"], "node": "<c>"}}}, "code_id": null}"#;
        let plan = orch_planner::plan(&EnvironmentGraph::from_json(text).unwrap(), &whole());
        let svg = plan_svg(&plan.unwrap());
        assert!(!svg.contains("<script>") && !svg.contains("<c>") && !svg.contains("a&b"));
        assert!(svg.contains("a&amp;b") && svg.contains("&lt;c&gt;"));
        assert!(svg.contains("Sql[&quot;q&apos;&quot;]"));
    }

    #[test]
    fn the_same_plan_draws_the_same_text() {
        let plan = orch_planner::plan(&graph("webfarm.json"), &whole()).unwrap();
        assert_eq!(plan_svg(&plan), plan_svg(&plan.clone()));
    }
}
