//! The API's endpoints, shapes and error kinds.

use serde_json::Value;

use crate::common::{Setup, TestServer};

#[test]
fn the_root_document_names_the_collections_and_commands() {
    let server = TestServer::start(Setup::default());
    let (status, root) = server.get("");
    assert_eq!(status, 200, "{root}");
    assert_eq!(
        root["info"]["title"],
        "Application Management API (EXPERIMENTAL)"
    );
    assert_eq!(root["info"]["version"], "0.1");
    assert_eq!(
        root["collections"]["jobs"]["id"],
        Value::String(server.api("/jobs"))
    );
    assert_eq!(
        root["commands"]["deploy"]["id"],
        Value::String(server.api("/command/deploy"))
    );
}

#[test]
fn a_deploy_runs_the_plan_and_its_events_end_with_the_job() {
    let server = TestServer::start(Setup::default());
    let (status, answer) = server.post(
        "/command/deploy",
        r#"{"environment": "production", "scope": {"whole_environment": true}}"#,
    );
    assert_eq!(status, 202, "{answer}");
    let id = answer["job"]["name"].as_str().unwrap().to_owned();
    assert_eq!(
        answer["job"]["id"],
        Value::String(server.api(&format!("/jobs/{id}")))
    );
    let job = server.wait_for_job(&id);
    assert_eq!(job["state"], "finished", "{job}");
    let (_, events) = server.get(&format!("/jobs/{id}/events?start=1"));
    let items = events["items"].as_array().unwrap();
    assert_eq!(items.first().unwrap()["type"], "job_started");
    assert_eq!(items.last().unwrap()["type"], "job_finished");
}

#[test]
fn a_job_started_over_http_is_in_the_store_like_any_other() {
    let server = TestServer::start(Setup::default());
    let (_, answer) = server.post(
        "/command/deploy",
        r#"{"environment": "production", "scope": {"nodes": ["db01.example.net"]}, "description": "from the API"}"#,
    );
    let id: u64 = answer["job"]["name"].as_str().unwrap().parse().unwrap();
    server.wait_for_job(&id.to_string());
    let store = orch_runner::Store::open(&server.store).unwrap();
    let job = store.job(id).unwrap();
    assert_eq!(job.state, orch_runner::JobState::Finished);
    assert_eq!(job.description.as_deref(), Some("from the API"));
    assert_eq!(job.target, "db01.example.net");
    let names: Vec<&str> = job.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["db01.example.net"]);
}
