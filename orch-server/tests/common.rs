//! A server for a test, and HTTP calls to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use orch_model::EnvironmentSource;
use orch_runner::{Inventory, Script, ScriptedTransport, Transport};
use orch_server::{Environments, ServeOptions, Server, TlsFiles, Tokens};
use serde_json::Value;

/// The repository's `examples/` directory.
pub(crate) fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// The shop example as the one environment `production`.
pub(crate) fn shop() -> Environments {
    Environments::One(EnvironmentSource {
        path: examples().join("shop"),
        name: "production".into(),
        extra_modulepath: Vec::new(),
    })
}

/// How a test server is set up.
pub(crate) struct Setup {
    pub(crate) environments: Environments,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) tokens: Option<Tokens>,
    pub(crate) tls: Option<TlsFiles>,
    pub(crate) inventory: Inventory,
    /// The token `get` and `post` send.
    pub(crate) token: Option<&'static str>,
}

impl Setup {
    /// Authentication on, with one token for `alice` that `get` and `post` send.
    pub(crate) fn with_alice(self) -> Setup {
        let file = format!("alice {}\n", orch_server::token_hash("alice-token"));
        Setup {
            tokens: Some(Tokens::parse(&file).unwrap()),
            token: Some("alice-token"),
            ..self
        }
    }
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            environments: shop(),
            transport: Arc::new(ScriptedTransport::new(HashMap::new(), Script::exit(0, 20))),
            tokens: None,
            tls: None,
            inventory: Inventory::empty(),
            token: None,
        }
    }
}

/// A server on 127.0.0.1 (a free port), its store in a temporary directory; stopped when
/// dropped.
pub(crate) struct TestServer {
    pub(crate) url: String,
    pub(crate) store: PathBuf,
    token: Option<&'static str>,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub(crate) fn start(setup: Setup) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("jobs.sqlite3");
        let token = setup.token;
        let options = ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: setup.tls,
            tokens: setup.tokens,
            environments: setup.environments,
            inventory: setup.inventory,
            store: store.clone(),
            transport: setup.transport,
        };
        let (ready, url) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let server = Server::bind(options).await.unwrap();
                    ready.send(server.url()).unwrap();
                    server
                        .run(async {
                            let _ = stop.await;
                        })
                        .await;
                });
            })
            .unwrap();
        let url = url.recv().unwrap();
        TestServer {
            url,
            store,
            token,
            _dir: dir,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `/orchestrator/v1` + `path`.
    pub(crate) fn api(&self, path: &str) -> String {
        format!("{}/orchestrator/v1{path}", self.url)
    }

    pub(crate) fn get(&self, path: &str) -> (u16, Value) {
        call(&agent(), "GET", &self.api(path), None, self.token)
    }

    pub(crate) fn post(&self, path: &str, body: &str) -> (u16, Value) {
        call(&agent(), "POST", &self.api(path), Some(body), self.token)
    }

    /// Polls the job until it has ended; its `GET /jobs/:id`.
    pub(crate) fn wait_for_job(&self, id: &str) -> Value {
        for _ in 0..600 {
            let (status, job) = self.get(&format!("/jobs/{id}"));
            assert_eq!(status, 200, "{job}");
            if ["finished", "failed", "stopped"].contains(&job["state"].as_str().unwrap()) {
                return job;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("job {id} did not end within 30 s");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

/// One request; the status and the JSON answer (`Value::String` of the text if not JSON).
pub(crate) fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> (u16, Value) {
    let (status, text) = call_bytes(agent, method, url, body.map(str::as_bytes), token);
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// One request with any bytes as its body; the status and the answer's text.
pub(crate) fn call_bytes(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&[u8]>,
    token: Option<&str>,
) -> (u16, String) {
    let mut response = match method {
        "GET" => {
            let mut r = agent.get(url);
            if let Some(t) = token {
                r = r.header("X-Authentication", t);
            }
            r.call()
        }
        _ => {
            let mut r = agent.post(url).header("Content-Type", "application/json");
            if let Some(t) = token {
                r = r.header("X-Authentication", t);
            }
            r.send(body.unwrap_or(b""))
        }
    }
    .unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, text)
}

/// `value` with what varies between runs replaced: times, durations, the server's address.
pub(crate) fn stable(value: &Value, url: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let varies = k.ends_with("timestamp")
                        || k.ends_with("_time")
                        || k == "time"
                        || k == "duration"
                        || k == "duration_s"
                        || k == "run_time_s";
                    let v = if varies && !v.is_null() {
                        Value::String("[VARIES]".into())
                    } else {
                        stable(v, url)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| stable(v, url)).collect()),
        Value::String(s) => Value::String(
            s.replace(url, "[URL]")
                .replace(&examples().display().to_string(), "[EXAMPLES]"),
        ),
        other => other.clone(),
    }
}
