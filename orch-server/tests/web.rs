//! The web view's files and the plan picture, over HTTP (the browser tests drive the pages).

use crate::common::{Setup, TestServer, agent};

fn get(server: &TestServer, path: &str) -> (u16, String, String) {
    let mut r = agent()
        .get(&format!("{}{path}", server.url))
        .call()
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn the_pages_files_are_served_with_their_types() {
    let server = TestServer::start(Setup::default());
    for (path, ct) in [
        ("/", "text/html; charset=utf-8"),
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/style.css", "text/css; charset=utf-8"),
    ] {
        let (status, content_type, _) = get(&server, path);
        assert_eq!((status, content_type.as_str()), (200, ct), "{path}");
    }
}

#[test]
fn the_plan_of_the_shop_is_a_picture() {
    let server = TestServer::start(Setup::default());
    let (status, ct, svg) = get(&server, "/ui/plan.svg?environment=production");
    assert_eq!(
        (status, ct.as_str()),
        (200, "image/svg+xml; charset=utf-8"),
        "{svg}"
    );
    insta::assert_snapshot!(svg);
}

#[test]
fn bad_plan_picture_parameters_are_pe_errors() {
    let server = TestServer::start(Setup::default());
    for (query, status, kind) in [
        ("", 400, "puppetlabs.orchestrator/validation-error"),
        (
            "?environment=nope",
            404,
            "puppetlabs.orchestrator/unknown-environment",
        ),
        (
            "?environment=production&application=not%20an%20app",
            400,
            "puppetlabs.orchestrator/validation-error",
        ),
        (
            "?environment=production&application=Shop&nodes=a",
            400,
            "puppetlabs.orchestrator/validation-error",
        ),
        (
            "?environment=production&application=Nope",
            400,
            "puppetlabs.orchestrator/empty-target",
        ),
    ] {
        let (got, ct, body) = get(&server, &format!("/ui/plan.svg{query}"));
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (got, ct.as_str(), value["kind"].as_str().unwrap()),
            (status, "application/json", kind),
            "{query}: {body}"
        );
    }
}

#[test]
fn the_plan_picture_needs_the_token_the_api_needs() {
    let tokens =
        orch_server::Tokens::parse(&format!("alice {}\n", orch_server::token_hash("t0ken")))
            .unwrap();
    let server = TestServer::start(Setup {
        tokens: Some(tokens),
        ..Setup::default()
    });
    let url = format!("{}/ui/plan.svg?environment=production", server.url);
    let (status, body) = crate::common::call(&agent(), "GET", &url, None, None);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["kind"], "puppetlabs.rbac/user-unauthenticated");
    let (status, _) = crate::common::call(&agent(), "GET", &url, None, Some("t0ken"));
    assert_eq!(status, 200);
    // The page itself is public: it asks for the token.
    assert_eq!(get(&server, "/").0, 200);
}
