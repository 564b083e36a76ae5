//! Plans and runs for the tests.

use std::collections::HashMap;
use std::sync::Arc;

use orch_planner::{Level, Plan, PlanNode, Target};
use orch_runner::{
    Event, EventLog, JobOptions, JobReport, NodeTarget, Script, ScriptedTransport, StopHandle,
    TransportKind, run_job,
};

/// A plan over `nodes` (name, dependencies), dependencies listed before their dependents.
pub(crate) fn plan_of(nodes: &[(&str, &[&str])]) -> Plan {
    let mut level_of: HashMap<&str, usize> = HashMap::new();
    let mut levels: Vec<Level> = Vec::new();
    for (name, deps) in nodes {
        let level = deps.iter().map(|d| level_of[d] + 1).max().unwrap_or(0);
        level_of.insert(name, level);
        if levels.len() <= level {
            levels.resize_with(level + 1, || Level {
                level: 0,
                nodes: Vec::new(),
            });
        }
        let mut depends_on: Vec<String> = deps.iter().map(|d| d.to_string()).collect();
        depends_on.sort();
        levels[level].nodes.push(PlanNode {
            name: name.to_string(),
            components: Vec::new(),
            depends_on,
        });
    }
    for (i, l) in levels.iter_mut().enumerate() {
        l.level = i;
        l.nodes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Plan {
        environment: "production".into(),
        target: Target::Environment,
        concurrency: None,
        applications: Vec::new(),
        levels,
        edges: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Runs `plan` over `transport` with the scripted transport's local targets; returns the report
/// and every event.
pub(crate) async fn run(
    plan: &Plan,
    transport: &ScriptedTransport,
    options: &JobOptions,
    stop: &StopHandle,
) -> (JobReport, Vec<Event>) {
    let mut log = EventLog::default();
    let report = run_job(
        1,
        plan,
        |name| NodeTarget::default_for(name, TransportKind::Local),
        Arc::new(transport.clone()),
        options,
        stop,
        &mut [&mut log],
    )
    .await;
    (report, log.0)
}

/// A transport with these scripts, others exiting 0 at once.
pub(crate) fn scripted(scripts: &[(&str, Script)]) -> ScriptedTransport {
    ScriptedTransport::new(
        scripts
            .iter()
            .map(|(n, s)| (n.to_string(), s.clone()))
            .collect(),
        Script::exit(0, 0),
    )
}

/// A random DAG over `n` nodes `n00`, `n01`, ...: each pair of `edges` (taken mod `n`) from a
/// lower to a higher index is a dependency. Returns the names and each node's dependencies.
pub(crate) fn random_dag(n: usize, edges: &[(usize, usize)]) -> (Vec<String>, Vec<Vec<String>>) {
    let names: Vec<String> = (0..n).map(|i| format!("n{i:02}")).collect();
    let mut deps: Vec<Vec<String>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        let (a, b) = (a % n, b % n);
        if a < b && !deps[b].contains(&names[a]) {
            deps[b].push(names[a].clone());
        }
    }
    (names, deps)
}

/// The plan of [`random_dag`]'s nodes.
pub(crate) fn plan_of_dag(names: &[String], deps: &[Vec<String>]) -> Plan {
    let refs: Vec<Vec<&str>> = deps
        .iter()
        .map(|d| d.iter().map(String::as_str).collect())
        .collect();
    let spec: Vec<(&str, &[&str])> = names
        .iter()
        .zip(&refs)
        .map(|(n, d)| (n.as_str(), &d[..]))
        .collect();
    plan_of(&spec)
}
