//! `orch app show`: the model as Puppet's `puppet app show` printed it, and as the environment
//! graph JSON; filtered by application type or instance.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{AppInstance, Model};
use crate::{EnvironmentGraph, GraphComponent, ResourceRef};

/// Which instances to show: all, or those of the named applications/instances (`Shop`,
/// `Shop[prod]`, case-insensitive type names).
pub fn select<'m>(model: &'m Model, filters: &[String]) -> Vec<&'m AppInstance> {
    model
        .instances
        .iter()
        .filter(|a| {
            filters.is_empty()
                || filters.iter().any(|f| match ResourceRef::parse(f) {
                    Ok(r) => {
                        r.type_name.eq_ignore_ascii_case(&a.reference.type_name)
                            && r.title == a.reference.title
                    }
                    Err(_) => crate::reference::capitalize_type(f)
                        .eq_ignore_ascii_case(&a.reference.type_name),
                })
        })
        .collect()
}

/// The environment graph of the given instances (Puppet Server's JSON shape).
pub fn graph(model: &Model, instances: &[&AppInstance]) -> EnvironmentGraph {
    let mut applications = BTreeMap::new();
    for app in instances {
        let mut comps = BTreeMap::new();
        for c in &app.components {
            let mut consumes = c.consume.clone();
            consumes.extend(c.require.iter().cloned());
            comps.insert(
                c.reference.clone(),
                GraphComponent {
                    produces: c.export.clone(),
                    consumes,
                    node: c.node.clone().unwrap_or_default(),
                },
            );
        }
        applications.insert(app.reference.clone(), comps);
    }
    EnvironmentGraph {
        environment: model.environment.clone(),
        applications,
        code_id: None,
    }
}

/// Puppet's `puppet app show` text: each instance, its components (a component after those it
/// depends on) with their node, what they produce and consume.
pub fn render_text(instances: &[&AppInstance]) -> String {
    let mut out = String::new();
    for (i, app) in instances.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}\n", app.reference));
        for c in dependency_order(app) {
            out.push_str(&format!(
                "    {} => {}\n",
                c.reference,
                c.node.as_deref().unwrap_or("(no node)")
            ));
            for p in &c.export {
                out.push_str(&format!("        + produces {p}\n"));
            }
            for p in c.consume.iter().chain(&c.require) {
                out.push_str(&format!("          consumes {p}\n"));
            }
        }
    }
    out
}

/// Components ordered so that each comes after the components (of this instance) whose
/// capabilities it consumes; ties by reference.
fn dependency_order(app: &AppInstance) -> Vec<&crate::model::Component> {
    let producer: BTreeMap<&ResourceRef, usize> = app
        .components
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.export.iter().map(move |p| (p, i)))
        .collect();
    let deps: Vec<BTreeSet<usize>> = app
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.consume
                .iter()
                .chain(&c.require)
                .filter_map(|r| producer.get(r).copied())
                .filter(|p| *p != i)
                .collect()
        })
        .collect();
    let mut done = vec![false; app.components.len()];
    let mut order = vec![];
    while order.len() < app.components.len() {
        // The first (by reference) component whose dependencies are placed; on a cycle, the
        // first one left.
        let next = (0..app.components.len())
            .find(|i| !done[*i] && deps[*i].iter().all(|d| done[*d]))
            .or_else(|| (0..app.components.len()).find(|i| !done[*i]))
            .expect("a component is left");
        done[next] = true;
        order.push(&app.components[next]);
    }
    order
}
