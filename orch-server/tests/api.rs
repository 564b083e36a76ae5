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

use std::collections::HashMap;
use std::sync::Arc;

use orch_runner::{Script, ScriptedTransport};
use orch_server::{Tokens, token_hash};

use crate::common::{agent, call, stable};

/// Deploys `body` and waits for the job; its id.
fn deployed(server: &TestServer, body: &str) -> String {
    let (status, answer) = server.post("/command/deploy", body);
    assert_eq!(status, 202, "{answer}");
    let id = answer["job"]["name"].as_str().unwrap().to_owned();
    server.wait_for_job(&id);
    id
}

/// web02 fails, so its dependents are skipped: every node state but running shows.
fn failing_web02() -> Setup {
    let scripts = HashMap::from([("web02.example.net".to_owned(), Script::exit(1, 10))]);
    Setup {
        transport: Arc::new(ScriptedTransport::new(scripts, Script::exit(0, 10))),
        ..Setup::default()
    }
}

#[test]
fn every_job_endpoint_has_pes_shape() {
    let server = TestServer::start(failing_web02().with_alice());
    let id = deployed(
        &server,
        r#"{"environment": "production", "scope": {"application": "Shop[prod]"}, "noop": true, "concurrency": 1}"#,
    );
    let snap = |path: &str| {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        stable(&body, &server.url)
    };
    insta::assert_snapshot!(
        "job",
        serde_json::to_string_pretty(&snap(&format!("/jobs/{id}"))).unwrap()
    );
    insta::assert_snapshot!(
        "job_nodes",
        serde_json::to_string_pretty(&snap(&format!("/jobs/{id}/nodes"))).unwrap()
    );
    insta::assert_snapshot!(
        "job_report",
        serde_json::to_string_pretty(&snap(&format!("/jobs/{id}/report"))).unwrap()
    );
    insta::assert_snapshot!(
        "job_events",
        serde_json::to_string_pretty(&snap(&format!("/jobs/{id}/events?start=1"))).unwrap()
    );
    insta::assert_snapshot!(
        "jobs",
        serde_json::to_string_pretty(&snap("/jobs")).unwrap()
    );
}

#[test]
fn the_environment_endpoints_say_what_app_show_says() {
    let server = TestServer::start(Setup::default());
    let snap = |path: &str| {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        stable(&body, &server.url)
    };
    insta::assert_snapshot!(
        "environments",
        serde_json::to_string_pretty(&snap("/environments")).unwrap()
    );
    insta::assert_snapshot!(
        "instances",
        serde_json::to_string_pretty(&snap("/environments/production/instances")).unwrap()
    );
    insta::assert_snapshot!(
        "applications",
        serde_json::to_string_pretty(&snap("/environments/production/applications")).unwrap()
    );
    let (status, plan) = server.post(
        "/command/plan",
        r#"{"environment": "production", "scope": {"nodes": ["web01.example.net", "db01.example.net"]}}"#,
    );
    assert_eq!(status, 200, "{plan}");
    insta::assert_snapshot!("plan", serde_json::to_string_pretty(&plan).unwrap());
    // A plan creates no job.
    let (_, jobs) = server.get("/jobs");
    assert_eq!(jobs["pagination"]["total"], 0);
}

#[test]
fn each_error_has_pes_kind_and_status() {
    let server = TestServer::start(Setup::default());
    let cases: &[(&str, &str, Option<&str>, u16, &str)] = &[
        ("GET", "/jobs/7", None, 404, "unknown-job"),
        ("GET", "/jobs/x", None, 400, "validation-error"),
        ("GET", "/jobs/7/nodes", None, 404, "unknown-job"),
        ("GET", "/jobs/7/events?start=1", None, 404, "unknown-job"),
        (
            "GET",
            "/jobs/1/events?start=x",
            None,
            400,
            "validation-error",
        ),
        ("GET", "/jobs?limit=ten", None, 400, "validation-error"),
        (
            "GET",
            "/jobs?order_by=colour",
            None,
            400,
            "validation-error",
        ),
        ("GET", "/jobs?order=up", None, 400, "validation-error"),
        (
            "GET",
            "/environments/staging",
            None,
            404,
            "unknown-environment",
        ),
        (
            "GET",
            "/environments/..%2F..",
            None,
            404,
            "unknown-environment",
        ),
        ("GET", "/nothing/here", None, 404, "unknown-endpoint"),
        ("POST", "/command/deploy", Some(""), 400, "validation-error"),
        (
            "POST",
            "/command/deploy",
            Some("{"),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some("[]"),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"scope": {}}"#),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": 7}"#),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "production", "colour": "red"}"#),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "nowhere"}"#),
            404,
            "unknown-environment",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "production", "noop": true, "no_noop": true}"#),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "production", "scope": {"query": ["from", "nodes"]}}"#),
            400,
            "query-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "production", "scope": {"nodes": []}}"#),
            400,
            "empty-target",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "production", "scope": {"application": "Blog"}}"#),
            400,
            "empty-target",
        ),
        (
            "POST",
            "/command/deploy",
            Some(r#"{"environment": "production", "scope": {"application": "not an app"}}"#),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/deploy",
            Some(
                r#"{"environment": "production", "scope": {"nodes": ["a"], "application": "Shop"}}"#,
            ),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/stop",
            Some(r#"{"job": "41"}"#),
            404,
            "unknown-job",
        ),
        (
            "POST",
            "/command/stop",
            Some(r#"{"job": "forty"}"#),
            400,
            "validation-error",
        ),
        (
            "POST",
            "/command/stop",
            Some(r#"{"job": []}"#),
            400,
            "validation-error",
        ),
        ("DELETE", "/jobs", None, 405, "method-not-allowed"),
    ];
    let agent = agent();
    for (method, path, body, status, kind) in cases {
        let url = server.api(path);
        let (got, answer) = if *method == "DELETE" {
            let mut r = agent.delete(&url).call().unwrap();
            let status = r.status().as_u16();
            (
                status,
                serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap(),
            )
        } else {
            call(&agent, method, &url, *body, None)
        };
        assert_eq!(got, *status, "{method} {path} {body:?}: {answer}");
        assert_eq!(
            answer["kind"],
            Value::String(format!("puppetlabs.orchestrator/{kind}")),
            "{method} {path} {body:?}: {answer}"
        );
        assert!(
            answer["msg"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    // Nothing above created a job.
    let (_, jobs) = server.get("/jobs");
    assert_eq!(jobs["pagination"]["total"], 0, "{jobs}");
}

#[test]
fn a_cycle_is_a_dependency_cycle_naming_its_nodes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("manifests")).unwrap();
    std::fs::write(
        dir.path().join("manifests/site.pp"),
        r#"
define a::x() { } A::X produces Sql { } A::X consumes Http { }
define a::y() { } A::Y produces Http { } A::Y consumes Sql { }
application ring() {
  a::x { $name: export => Sql[$name], consume => Http[$name] }
  a::y { $name: export => Http[$name], consume => Sql[$name] }
}
site { ring { 'r': nodes => { Node['n1'] => A::X['r'], Node['n2'] => A::Y['r'] } } }
"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("modules/a/lib/puppet/type")).unwrap();
    for cap in ["sql", "http"] {
        std::fs::write(
            dir.path().join(format!("modules/a/lib/puppet/type/{cap}.rb")),
            format!("Puppet::Type.newtype(:{cap}, :is_capability => true) do\n  newparam :name, :namevar => true\nend\n"),
        )
        .unwrap();
    }
    let server = TestServer::start(Setup {
        environments: orch_server::Environments::One(orch_model::EnvironmentSource {
            path: dir.path().to_owned(),
            name: "production".into(),
            extra_modulepath: Vec::new(),
        }),
        ..Setup::default()
    });
    let (status, answer) = server.post("/command/deploy", r#"{"environment": "production"}"#);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["kind"], "puppetlabs.orchestrator/dependency-cycle",
        "{answer}"
    );
    let msg = answer["msg"].as_str().unwrap();
    assert!(msg.contains("n1") && msg.contains("n2"), "{msg}");
}

#[test]
fn every_endpoint_but_the_root_needs_an_accepted_token() {
    let file = format!(
        "alice {}\nvic {} view\n",
        token_hash("alice-token"),
        token_hash("viewer-token")
    );
    let server = TestServer::start(Setup {
        tokens: Some(Tokens::parse(&file).unwrap()),
        ..Setup::default()
    });
    let agent = agent();
    let gets = [
        "/jobs",
        "/jobs/1",
        "/jobs/1/nodes",
        "/jobs/1/report",
        "/jobs/1/events",
        "/jobs/1/events/stream",
        "/environments",
        "/environments/production",
        "/environments/production/applications",
        "/environments/production/instances",
        "/inventory",
        "/inventory/db01.example.net",
    ];
    let posts = [
        "/command/deploy",
        "/command/stop",
        "/command/plan",
        "/inventory",
    ];
    let all = gets
        .iter()
        .map(|p| ("GET", *p))
        .chain(posts.iter().map(|p| ("POST", *p)));
    for (method, path) in all {
        for (token, kind) in [
            (None, "puppetlabs.rbac/user-unauthenticated"),
            (Some("wrong"), "puppetlabs.rbac/token-invalid"),
        ] {
            let (status, answer) = call(&agent, method, &server.api(path), Some("{}"), token);
            assert_eq!(status, 401, "{method} {path} {token:?}: {answer}");
            assert_eq!(answer["kind"], kind, "{method} {path}");
        }
    }
    let (status, _) = call(&agent, "GET", &server.api(""), None, None);
    assert_eq!(status, 200, "the root is open");
    // A read-only token reads, and may not start or stop jobs.
    let (status, _) = call(
        &agent,
        "GET",
        &server.api("/jobs"),
        None,
        Some("viewer-token"),
    );
    assert_eq!(status, 200);
    let deploy = r#"{"environment": "production"}"#;
    for path in ["/command/deploy", "/command/stop"] {
        let body = if path.ends_with("stop") {
            r#"{"job": "1"}"#
        } else {
            deploy
        };
        let (status, answer) = call(
            &agent,
            "POST",
            &server.api(path),
            Some(body),
            Some("viewer-token"),
        );
        assert_eq!(status, 403, "{answer}");
        assert_eq!(answer["kind"], "puppetlabs.orchestrator/not-permitted");
    }
    // The job's owner is the token's login.
    let (status, answer) = call(
        &agent,
        "POST",
        &server.api("/command/deploy"),
        Some(deploy),
        Some("alice-token"),
    );
    assert_eq!(status, 202, "{answer}");
    let (_, job) = call(
        &agent,
        "GET",
        &server.api("/jobs/1"),
        None,
        Some("alice-token"),
    );
    assert_eq!(job["owner"]["login"], "alice");
}

#[test]
fn jobs_page_and_sort_as_pe_does() {
    let server = TestServer::start(Setup::default());
    for node in ["db01", "web01", "web02"] {
        deployed(
            &server,
            &format!(
                r#"{{"environment": "production", "scope": {{"nodes": ["{node}.example.net"]}}}}"#
            ),
        );
    }
    let names = |path: &str| -> (Vec<String>, Value) {
        let (status, page) = server.get(path);
        assert_eq!(status, 200, "{page}");
        let names = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["name"].as_str().unwrap().to_owned())
            .collect();
        (names, page["pagination"].clone())
    };
    assert_eq!(names("/jobs").0, ["3", "2", "1"], "newest first by default");
    let (page, pagination) = names("/jobs?limit=1&offset=1");
    assert_eq!(page, ["2"]);
    assert_eq!(
        pagination,
        serde_json::json!({"limit": 1, "offset": 1, "total": 3})
    );
    assert_eq!(
        names("/jobs?order_by=name").0,
        ["1", "2", "3"],
        "PE's default order: asc"
    );
    assert_eq!(names("/jobs?order_by=name&order=desc").0, ["3", "2", "1"]);
    assert_eq!(names("/jobs?offset=5").0, Vec::<String>::new());
}

#[test]
fn stop_is_idempotent_and_lets_running_nodes_finish() {
    let scripts = HashMap::from([("db01.example.net".to_owned(), Script::exit(0, 1500))]);
    let server = TestServer::start(Setup {
        transport: Arc::new(ScriptedTransport::new(scripts, Script::exit(0, 10))),
        ..Setup::default()
    });
    let (_, answer) = server.post("/command/deploy", r#"{"environment": "production"}"#);
    let id = answer["job"]["name"].as_str().unwrap().to_owned();
    // Wait until db01 runs.
    for _ in 0..200 {
        let (_, job) = server.get(&format!("/jobs/{id}"));
        if job["node_states"]["running"] == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let stop = format!(r#"{{"job": "{id}"}}"#);
    let (status, first) = server.post("/command/stop", &stop);
    assert_eq!(status, 202, "{first}");
    assert_eq!(first["job"]["state"], "stopping");
    assert_eq!(first["job"]["nodes"]["running"], 1);
    let (status, again) = server.post("/command/stop", &stop);
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["job"]["state"], "stopping");
    let job = server.wait_for_job(&id);
    assert_eq!(job["state"], "stopped", "{job}");
    let (_, nodes) = server.get(&format!("/jobs/{id}/nodes"));
    let db = &nodes["items"][0];
    assert_eq!(db["name"], "db01.example.net");
    assert_eq!(db["state"], "finished", "the run in flight finished: {db}");
    assert!(
        nodes["items"].as_array().unwrap()[1..]
            .iter()
            .all(|n| n["state"] == "skipped"),
        "{nodes}"
    );
    // After the end, a stop changes nothing and says so.
    let (status, after) = server.post("/command/stop", &stop);
    assert_eq!(status, 202);
    assert_eq!(after["job"]["state"], "stopped");
    assert_eq!(after["job"]["stop_requested"], false);
}

#[test]
fn events_from_start_are_the_stores_events() {
    let server = TestServer::start(failing_web02());
    let id = deployed(&server, r#"{"environment": "production"}"#);
    let store = orch_runner::Store::open(&server.store).unwrap();
    let stored = store.events(id.parse().unwrap(), 0).unwrap();
    // Read in pages: start, then next-events.event, as PE's clients did.
    let mut start = 1;
    let mut seen = Vec::new();
    loop {
        let (_, page) = server.get(&format!("/jobs/{id}/events?start={start}"));
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        for item in items {
            let event: orch_server::ApiEvent = serde_json::from_value(item.clone()).unwrap();
            seen.push(event.to_event(id.parse().unwrap()).unwrap());
        }
        start = page["next-events"]["event"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        // One page at a time: ask from the middle once.
        if seen.len() == 3 {
            let (_, rest) = server.get(&format!("/jobs/{id}/events?start=4"));
            assert_eq!(rest["items"][0]["id"], "4");
        }
    }
    assert_eq!(seen, stored);
    // The live stream says the same.
    let mut r = agent()
        .get(&server.api(&format!("/jobs/{id}/events/stream")))
        .call()
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let text = r.body_mut().read_to_string().unwrap();
    let streamed: Vec<orch_server::ApiEvent> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| d.starts_with('['))
        .flat_map(|d| serde_json::from_str::<Vec<orch_server::ApiEvent>>(d).unwrap())
        .collect();
    assert_eq!(streamed.len(), stored.len());
    assert!(text.contains("event: end"), "{text}");
}

#[test]
fn no_answer_shows_a_sensitive_value() {
    const SECRET: &str = "S3cr3tBytes42";
    let puppet =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../orch-model/tests/puppet");
    for (dir, deploys) in [
        ("sensitive_ok_sensitive", true),
        ("sensitive_err_sensitive", false),
        ("sensitive_err_sensitive_fail", false),
    ] {
        let server = TestServer::start(Setup {
            environments: orch_server::Environments::One(orch_model::EnvironmentSource {
                path: puppet.join(dir),
                name: "production".into(),
                extra_modulepath: Vec::new(),
            }),
            ..Setup::default()
        });
        let mut answers = vec![
            server.get("/environments"),
            server.get("/environments/production"),
            server.get("/environments/production/instances"),
            server.get("/environments/production/applications"),
            server.post("/command/plan", r#"{"environment": "production"}"#),
            server.post("/command/deploy", r#"{"environment": "production"}"#),
        ];
        if deploys {
            server.wait_for_job("1");
            for path in [
                "/jobs",
                "/jobs/1",
                "/jobs/1/nodes",
                "/jobs/1/events",
                "/jobs/1/report",
            ] {
                answers.push(server.get(path));
            }
        }
        for (status, answer) in &answers {
            assert!(*status < 500, "{dir}: {answer}");
            assert!(
                !answer.to_string().contains(SECRET),
                "{dir} shows the secret: {answer}"
            );
        }
        let (status, _) = &answers[5];
        assert_eq!(*status == 202, deploys, "{dir}");
    }
}
