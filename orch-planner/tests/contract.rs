//! The JSON contract of spec/cli.md and the embedding API.

use std::collections::BTreeSet;

use orch_planner::{Format, NodeGraph, Plan, PlanRequest, Target, Warning, plan, render};
use serde_json::Value;

use crate::fixture;

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn set<'a>(k: &[&'a str]) -> BTreeSet<&'a str> {
    k.iter().copied().collect()
}

#[test]
fn json_has_exactly_the_specified_keys() {
    let p = plan(&fixture("webfarm"), &PlanRequest::default()).unwrap();
    let v: Value = serde_json::from_str(&render(&p, Format::Json)).unwrap();
    assert_eq!(
        keys(&v),
        set(&[
            "environment",
            "target",
            "concurrency",
            "applications",
            "levels",
            "edges",
            "warnings"
        ])
    );
    assert_eq!(v["target"], "all");
    assert_eq!(v["concurrency"], Value::Null);
    let level = &v["levels"][1];
    assert_eq!(keys(level), set(&["level", "nodes"]));
    let node = &level["nodes"][0];
    assert_eq!(keys(node), set(&["name", "components", "depends_on"]));
    assert_eq!(
        keys(&node["components"][0]),
        set(&["application", "component"])
    );
    assert_eq!(
        keys(&v["edges"][0]),
        set(&["from", "to", "capability", "producer", "consumer"])
    );
}

#[test]
fn the_plan_reads_back_from_its_json() {
    for (graph, target) in [
        ("webfarm", Target::Environment),
        (
            "webfarm",
            Target::nodes(["web01.example.net", "lb01.example.net"]),
        ),
        (
            "cross_app",
            Target::applications(["Shop[prod]", "Infra"]).unwrap(),
        ),
    ] {
        let request = PlanRequest {
            target,
            concurrency: Some(5),
            ..PlanRequest::default()
        };
        let p = plan(&fixture(graph), &request).unwrap();
        let back: Plan = serde_json::from_str(&render(&p, Format::Json)).unwrap();
        assert_eq!(back, p);
    }
}

#[test]
fn warnings_are_typed() {
    let request = PlanRequest {
        target: Target::nodes(["web01.example.net"]),
        ..PlanRequest::default()
    };
    let p = plan(&fixture("webfarm"), &request).unwrap();
    assert!(
        matches!(&p.warnings[0], Warning::PartialApplication { nodes_outside, .. } if nodes_outside.len() == 5)
    );
    assert!(
        matches!(&p.warnings[1], Warning::OutsideDependency(e) if e.from == "db01.example.net")
    );
    let v: Value = serde_json::to_value(&p.warnings).unwrap();
    assert_eq!(v[0]["kind"], "partial-application");
    assert_eq!(v[1]["kind"], "outside-dependency");
}

#[test]
fn one_node_graph_plans_many_targets() {
    let env = fixture("webfarm");
    let extra = ["monitor.example.net".to_string()];
    let graph = NodeGraph::build(&env, &extra).unwrap();
    assert_eq!(graph.environment(), "production");
    assert_eq!(graph.nodes().len(), 9);
    assert_eq!(graph.edges().count(), 9);
    let all = graph.plan(&Target::Environment, None).unwrap();
    assert_eq!(all.node("monitor.example.net").unwrap().0, 0);
    assert_eq!(all.node("lb01.example.net").unwrap().0, 2);
    let staging = graph
        .plan(&Target::applications(["Shop[staging]"]).unwrap(), Some(0))
        .unwrap();
    assert_eq!(staging.node_count(), 2);
    assert_eq!(staging.concurrency, None);
    assert!(staging.warnings.is_empty());
}

#[test]
fn duplicate_consumes_and_produces_are_one_edge() {
    let graph = orch_model::EnvironmentGraph::from_json(
        r#"{"environment":"e","applications":{"A[x]":{
            "P[x]":{"produces":["Cap[x]","Cap[x]"],"consumes":[],"node":"n1"},
            "C[x]":{"produces":[],"consumes":["Cap[x]","Cap[x]"],"node":"n2"}}}}"#,
    )
    .unwrap();
    let p = plan(&graph, &PlanRequest::default()).unwrap();
    assert_eq!(p.edges.len(), 1);
    assert_eq!(p.levels[1].nodes[0].depends_on, ["n1"]);
}

#[test]
fn write_streams_what_render_returns() {
    let p = plan(&fixture("cross_app"), &PlanRequest::default()).unwrap();
    for format in [Format::Text, Format::Json, Format::Dot, Format::Mermaid] {
        let mut out = Vec::new();
        orch_planner::write(&p, format, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            render(&p, format),
            "{format}"
        );
    }
}
