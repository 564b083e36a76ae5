//! Every rendering of plans over the scenario graphs, and the errors, snapshotted.

use orch_planner::{Format, PlanRequest, Target, plan, render};

use crate::fixture;

/// Plans `graph` for `request` and snapshots the four renderings as `CASE-FORMAT`.
fn snapshot(case: &str, graph: &str, request: PlanRequest) {
    let plan = plan(&fixture(graph), &request).unwrap_or_else(|e| panic!("{case}: {e}"));
    for format in [Format::Text, Format::Json, Format::Dot, Format::Mermaid] {
        insta::assert_snapshot!(format!("{case}-{format}"), render(&plan, format));
    }
}

/// The error text of planning `graph` for `request`.
fn error(graph: &str, request: PlanRequest) -> String {
    plan(&fixture(graph), &request)
        .map(|p| panic!("expected an error, got {p:?}"))
        .unwrap_err()
        .to_string()
}

fn whole() -> PlanRequest {
    PlanRequest::default()
}

fn apps(names: &[&str]) -> PlanRequest {
    PlanRequest {
        target: Target::applications(names).unwrap(),
        ..PlanRequest::default()
    }
}

fn nodes(names: &[&str]) -> PlanRequest {
    PlanRequest {
        target: Target::nodes(names),
        ..PlanRequest::default()
    }
}

#[test]
fn chain() {
    snapshot("chain", "chain", whole());
}

#[test]
fn extra_nodes_sit_at_level_0() {
    let request = PlanRequest {
        extra_nodes: vec!["monitor.example.net".into(), "bastion.example.net".into()],
        ..whole()
    };
    snapshot("chain-extra-nodes", "chain", request);
}

#[test]
fn diamond_uses_the_longest_path() {
    snapshot("diamond", "diamond", whole());
}

#[test]
fn web_farm_fans_out_and_in() {
    let request = PlanRequest {
        concurrency: Some(2),
        ..whole()
    };
    snapshot("webfarm", "webfarm", request);
}

#[test]
fn application_instance_target() {
    snapshot("webfarm-instance", "webfarm", apps(&["Shop[prod]"]));
}

#[test]
fn application_type_target_takes_every_instance() {
    snapshot("webfarm-type", "webfarm", apps(&["shop"]));
}

#[test]
fn partial_target_warns_and_names_what_it_skips() {
    snapshot(
        "webfarm-partial",
        "webfarm",
        nodes(&["web01.example.net", "web02.example.net", "lb01.example.net"]),
    );
}

#[test]
fn node_list_with_a_node_hosting_nothing() {
    snapshot(
        "webfarm-nodes",
        "webfarm",
        nodes(&[
            "db01.example.net",
            "web01.example.net",
            "monitor01.example.net",
        ]),
    );
}

#[test]
fn cross_application_dependencies() {
    snapshot("cross-app", "cross_app", whole());
}

#[test]
fn cross_application_target_does_not_wait_outside() {
    snapshot("cross-app-shop", "cross_app", apps(&["Shop[prod]"]));
}

#[test]
fn all_in_one_nodes_have_no_self_cycle() {
    snapshot("allinone", "allinone", whole());
}

#[test]
fn cycle_between_nodes_of_an_acyclic_component_graph() {
    insta::assert_snapshot!("cycle-error", error("cycle", whole()));
}

#[test]
fn every_cycle_is_reported() {
    insta::assert_snapshot!("cycles-error", error("cycles", whole()));
}

#[test]
fn cycles_outside_the_target_do_not_matter() {
    snapshot("cycles-fine", "cycles", apps(&["Fine[f]"]));
}

#[test]
fn input_errors() {
    let cases = [
        error("never_exported", whole()),
        error("exported_twice", whole()),
        error("empty", whole()),
        error("chain", apps(&["Shop"])),
        error("chain", apps(&["Stack[dev]"])),
        error("chain", nodes(&[])),
    ];
    insta::assert_snapshot!("input-errors", cases.join("\n"));
}

#[test]
fn an_application_without_components_is_an_empty_target() {
    let graph = orch_model::EnvironmentGraph::from_json(
        r#"{"environment":"production","applications":{"Empty[x]":{}}}"#,
    )
    .unwrap();
    let err = plan(&graph, &apps(&["Empty[x]"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "target 'Empty[x]' contains no nodes in environment 'production'"
    );
    // A node list needs no application at all: every node at level 0.
    let p = plan(&graph, &nodes(&["b", "a"])).unwrap();
    assert_eq!(p.levels.len(), 1);
    assert_eq!(p.levels[0].nodes[0].name, "a");
}
