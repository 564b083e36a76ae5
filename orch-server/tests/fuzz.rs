//! Fuzzed request bodies, path segments and query strings never get a 5xx, and every 4xx is
//! PE's error body (`{kind, msg, details}`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use orch_runner::{Script, ScriptedTransport};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::common::{Setup, TestServer, agent, call_bytes};

/// Cases per property: each is one request on loopback, so a debug build stays well under
/// 30 s per property.
const CASES: u32 = 256;

/// One server for every case of every property (starting one per case would dominate).
fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = TestServer::start(Setup {
            // Valid deploys do run: instantly, and `/inventory` never leaves the process.
            transport: Arc::new(ScriptedTransport::new(HashMap::new(), Script::exit(0, 0))),
            ..Setup::default()
        });
        // A job with events, for the ids the paths try.
        let (status, answer) = server.post(
            "/command/deploy",
            r#"{"environment": "production", "scope": {"whole_environment": true}}"#,
        );
        assert_eq!(status, 202, "{answer}");
        server.wait_for_job("1");
        server
    })
}

/// Sends the request and checks the answer: below 500, and a 4xx is PE's error body.
fn check(method: &str, path: &str, body: Option<&[u8]>) -> Result<(), TestCaseError> {
    let url = server().api(path);
    let (status, text) = call_bytes(&agent(), method, &url, body, None);
    prop_assert!(status < 500, "{method} {path} answered {status}: {text}");
    if status >= 400 {
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            TestCaseError::fail(format!("{method} {path}: {status} not JSON ({e}): {text}"))
        })?;
        prop_assert!(
            value["kind"].is_string() && value["msg"].is_string(),
            "{method} {path}: {status} without string kind and msg: {text}"
        );
    }
    Ok(())
}

/// Every byte percent-encoded, so that any bytes make a valid URL.
fn encode(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "%{b:02X}");
        s
    })
}

/// Arbitrary JSON: scalars, strings, and nested arrays and objects.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const DEPLOY_KEYS: &[&str] = &[
    "environment",
    "scope",
    "target",
    "noop",
    "no_noop",
    "concurrency",
    "enforce_environment",
    "debug",
    "trace",
    "evaltrace",
    "description",
    "timeout",
];
const SCOPE_KEYS: &[&str] = &[
    "application",
    "nodes",
    "query",
    "node_group",
    "whole_environment",
];

/// Values near what the keys take: the right types, the shop's names, and wrong types.
fn near_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop_oneof![
            Just(Value::from("production")),
            Just(Value::from("Shop")),
            Just(Value::from("Shop[app1]")),
            Just(Value::from("db01.example.net")),
            Just(Value::from("")),
            Just(Value::from(true)),
            Just(Value::from(false)),
            Just(Value::from(0)),
            Just(Value::from(2)),
            Just(Value::from(-1)),
            Just(Value::from(u64::MAX)),
            Just(Value::from(1e300)),
            Just(serde_json::json!(["db01.example.net", "web01.example.net"])),
            Just(serde_json::json!([1, null])),
        ],
        1 => json(),
    ]
}

/// An object of some of `keys` (near values, scopes nested), plus an extra key at times.
fn near_object(keys: &'static [&'static str], depth: u32) -> BoxedStrategy<Value> {
    let value = if depth == 0 {
        near_value().boxed()
    } else {
        prop_oneof![
            3 => near_value(),
            1 => near_object(SCOPE_KEYS, depth - 1),
        ]
        .boxed()
    };
    (
        prop::collection::btree_map(prop::sample::select(keys), value, 0..keys.len()),
        prop::option::weighted(0.2, (".*", json())),
    )
        .prop_map(|(entries, extra)| {
            let mut object: Map<String, Value> = entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            if let Some((k, v)) = extra {
                object.insert(k, v);
            }
            Value::Object(object)
        })
        .boxed()
}

/// A deploy body: mostly near-valid, with PE's keys (a valid one runs a job).
fn deploy_body() -> impl Strategy<Value = Value> {
    near_object(DEPLOY_KEYS, 1).prop_map(|mut v| {
        // Most valid-looking bodies name the environment, so that planning is reached.
        if let Value::Object(o) = &mut v {
            o.entry("environment")
                .or_insert_with(|| "production".into());
        }
        v
    })
}

const POSTS: &[&str] = &[
    "/command/deploy",
    "/command/stop",
    "/command/plan",
    "/inventory",
];

/// Path segments: arbitrary bytes, and ids near the edges of the integers.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..24).prop_map(|b| encode(&b)),
        prop::sample::select(vec![
            "1",
            "2",
            "0",
            "-1",
            "01",
            "+1",
            "1.0",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "production",
            "..",
            "%2E%2E",
        ])
        .prop_map(str::to_owned),
        any::<u64>().prop_map(|n| n.to_string()),
    ]
}

/// `KEY=VALUE&...` of the given keys and arbitrary ones, values arbitrary bytes or numbers.
fn query(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let key = prop_oneof![
        3 => prop::sample::select(keys).prop_map(str::to_owned),
        1 => prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| encode(&b)),
    ];
    let value = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..16).prop_map(|b| encode(&b)),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "",
            "asc",
            "desc",
            "name",
            "timestamp",
            "owner",
            "state"
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec((key, value), 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_posted_get_no_5xx(
        path in prop::sample::select(POSTS),
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        check("POST", path, Some(&body))?;
    }

    #[test]
    fn arbitrary_json_posted_gets_no_5xx(path in prop::sample::select(POSTS), body in json()) {
        check("POST", path, Some(body.to_string().as_bytes()))?;
    }

    #[test]
    fn near_valid_deploys_and_plans_get_no_5xx(
        path in prop::sample::select(vec!["/command/deploy", "/command/plan"]),
        body in deploy_body(),
    ) {
        check("POST", path, Some(body.to_string().as_bytes()))?;
    }

    #[test]
    fn near_valid_stops_and_inventories_get_no_5xx(
        path in prop::sample::select(vec!["/command/stop", "/inventory"]),
        body in near_object(&["job", "force", "nodes"], 0),
    ) {
        check("POST", path, Some(body.to_string().as_bytes()))?;
    }

    #[test]
    fn arbitrary_paths_and_queries_get_no_5xx(
        endpoint in 0..9usize,
        segment in segment(),
        jobs_query in query(&["limit", "offset", "order_by", "order"]),
        events_query in query(&["start"]),
    ) {
        let path = match endpoint {
            0 => format!("/jobs?{jobs_query}"),
            1 => format!("/jobs/{segment}"),
            2 => format!("/jobs/{segment}/nodes"),
            3 => format!("/jobs/{segment}/report"),
            // Never a long poll: `wait` is always 0 (given last, it wins).
            4 => format!("/jobs/{segment}/events?{events_query}&wait=0"),
            5 => format!("/environments/{segment}"),
            6 => format!("/environments/{segment}/instances"),
            7 => format!("/environments/{segment}/applications"),
            _ => format!("/inventory/{segment}"),
        };
        check("GET", &path, None)?;
    }
}
