//! The web view in a real browser: Debian's headless Chromium driven over WebDriver by
//! `fantoccini`. Each test starts its own chromedriver (killed on drop, also when the test
//! fails) and saves a screenshot of each page to `target/browser-screenshots/`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use orch_runner::{Script, ScriptedTransport};
use orch_server::{Tokens, token_hash};
use serde_json::{Value, json};

use crate::common::{Setup, TestServer};

/// The longest any wait for the page lasts.
const WAIT: Duration = Duration::from_secs(20);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session on a chromedriver of its own (declared after the driver's guard, so the
/// session closes first).
struct Browser {
    client: Client,
    _driver: Driver,
}

async fn browser() -> Browser {
    for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: the browser tests need Debian's `chromium` and `chromium-driver` \
             packages (`apt-get install -y chromium chromium-driver`; .ci/run installs them); \
             `{package}` provides it"
        );
    }
    // fantoccini's rustls client needs the process's provider (no TLS is used: loopback HTTP).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        port,
        _profile: tempfile::tempdir().unwrap(),
    };
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", driver.port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ],
        }),
    );
    let client = tokio::time::timeout(
        WAIT,
        ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port)),
    )
    .await
    .expect("a browser session within the wait")
    .expect("a browser session");
    Browser {
        client,
        _driver: driver,
    }
}

impl Browser {
    async fn goto(&self, url: &str) {
        tokio::time::timeout(WAIT, self.client.goto(url))
            .await
            .expect("the page loads within the wait")
            .unwrap();
    }

    /// The value of a JavaScript expression.
    async fn eval(&self, expr: &str) -> Value {
        self.client
            .execute(&format!("return ({expr});"), Vec::new())
            .await
            .unwrap()
    }

    /// Waits until `expr` is true; panics after [`WAIT`] with `what`.
    async fn until(&self, expr: &str, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.eval(expr).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.eval("document.body.innerText").await;
                self.screenshot("timed-out").await;
                panic!("waited {WAIT:?} for {what}; the page says: {text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the live view shows the job in `state`.
    async fn until_job_state(&self, state: &str) {
        let expr = format!(
            "document.querySelector('#job-state [data-state]')?.dataset.state === '{state}'"
        );
        self.until(&expr, &format!("the job {state} on the page"))
            .await;
    }

    async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        // The boxes' colours fade in (0.3 s): a picture of the settled page.
        tokio::time::sleep(Duration::from_millis(400)).await;
        if let Ok(png) = self.client.screenshot().await {
            std::fs::write(&path, png).unwrap();
        }
        path
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// The whole environment as the API body of a deploy or plan.
const WHOLE: &str = r#"{"environment": "production", "scope": {"whole_environment": true}}"#;

/// A server whose nodes run `script`, but those in `scripts`.
fn server_running(scripts: HashMap<String, Script>, script: Script) -> TestServer {
    TestServer::start(Setup {
        transport: Arc::new(ScriptedTransport::new(scripts, script)),
        ..Setup::default()
    })
}

/// Deploys the whole environment and opens the job's live view; the job's number.
async fn deploy_and_open(server: &TestServer, b: &Browser) -> String {
    let (status, answer) = server.post("/command/deploy", WHOLE);
    assert_eq!(status, 202, "{answer}");
    let id = answer["job"]["name"].as_str().unwrap().to_owned();
    b.goto(&format!("{}/#/jobs/{id}", server.url)).await;
    id
}

/// Each level of the API's plan of the whole environment: its node names.
fn api_levels(server: &TestServer) -> BTreeMap<u64, BTreeSet<String>> {
    let (status, plan) = server.post("/command/plan", WHOLE);
    assert_eq!(status, 200, "{plan}");
    plan["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let nodes = l["nodes"].as_array().unwrap().iter();
            (
                l["level"].as_u64().unwrap(),
                nodes
                    .map(|n| n["name"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Reads a `{level: [node, ...]}` object the page computed.
fn levels_of(value: &Value) -> BTreeMap<u64, BTreeSet<String>> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(l, nodes)| {
            let names = nodes.as_array().unwrap().iter();
            (
                l.parse().unwrap(),
                names.map(|n| n.as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_page_of_the_shop_draws_each_node_in_its_level() {
    let server = TestServer::start(Setup::default());
    let b = browser().await;
    b.goto(&format!("{}/#/plan?environment=production", server.url))
        .await;
    b.until(
        "document.querySelectorAll('#plan-picture svg g.node').length > 0",
        "the plan picture",
    )
    .await;
    let drawn = b
        .eval(
            "Object.fromEntries([...document.querySelectorAll('#plan-picture svg g.level')]
               .map(g => [g.dataset.level,
                          [...g.querySelectorAll('g.node')].map(n => n.dataset.node)]))",
        )
        .await;
    assert_eq!(levels_of(&drawn), api_levels(&server));
    let edges = b
        .eval("document.querySelectorAll('#plan-picture svg g.edge').length")
        .await;
    assert!(edges.as_u64().unwrap() > 0, "the shop's plan has edges");
    b.screenshot("plan").await;
    b.goto(&format!("{}/#/", server.url)).await;
    b.until(
        "document.querySelectorAll('.instance').length > 0",
        "the application instances",
    )
    .await;
    b.screenshot("environments").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_view_colours_every_node_with_its_final_state() {
    // The plan first, to choose a node to fail: one that others wait for, beside a node of
    // its level that finishes (in the shop: a web node; the balancer is skipped).
    let plain = TestServer::start(Setup::default());
    let (_, plan) = plain.post("/command/plan", WHOLE);
    drop(plain);
    let producers: BTreeSet<&str> = plan["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["from"].as_str().unwrap())
        .collect();
    let failing = plan["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["nodes"].as_array().unwrap())
        .filter(|nodes| nodes.len() > 1)
        .flat_map(|nodes| nodes.iter().map(|n| n["name"].as_str().unwrap()))
        .find(|n| producers.contains(n))
        .expect("a level with two nodes, one of them depended on")
        .to_owned();
    let mut scripts = HashMap::new();
    scripts.insert(failing.clone(), Script::exit(1, 400));
    let server = server_running(scripts, Script::exit(0, 300));
    let b = browser().await;
    let id = deploy_and_open(&server, &b).await;
    b.until(
        "document.querySelectorAll('.node-box').length > 0",
        "the node boxes",
    )
    .await;
    let job = server.wait_for_job(&id);
    assert_eq!(job["state"], "failed", "{job}");
    let (_, nodes) = server.get(&format!("/jobs/{id}/nodes"));
    let expected: BTreeMap<String, String> = nodes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let name = n["name"].as_str().unwrap().to_owned();
            (name, n["state"].as_str().unwrap().to_owned())
        })
        .collect();
    let states: BTreeSet<&str> = expected.values().map(String::as_str).collect();
    assert!(
        states.contains("failed") && states.contains("skipped") && states.contains("finished"),
        "{expected:?}"
    );
    let want = serde_json::to_string(&expected).unwrap();
    b.until(
        &format!(
            "JSON.stringify(Object.fromEntries([...document.querySelectorAll('.node-box')]
               .map(b => [b.dataset.node, b.dataset.state]).sort())) === {}",
            serde_json::to_string(&want).unwrap()
        ),
        "every node box in its final state",
    )
    .await;
    // Each box has its colour: the page's style for its state, once its .3 s colour
    // transition is over.
    b.until(
        "(() => { const m = Object.fromEntries([...document.querySelectorAll('.node-box')]
            .map(b => [b.dataset.state, getComputedStyle(b).backgroundColor]));
          return new Set(Object.values(m)).size === Object.keys(m).length; })()",
        "every state in a colour of its own",
    )
    .await;
    let colours = b
        .eval(
            "Object.fromEntries([...document.querySelectorAll('.node-box')]
               .map(b => [b.dataset.state, getComputedStyle(b).backgroundColor]))",
        )
        .await;
    let colours = colours.as_object().unwrap();
    let distinct: BTreeSet<&str> = colours.values().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(distinct.len(), colours.len(), "{colours:?}");
    b.until_job_state("failed").await;
    // The node's output and summary are one click away.
    b.click(&format!(".node-box[data-node='{failing}']")).await;
    b.until(
        "!document.getElementById('node-detail').hidden",
        "the node's details",
    )
    .await;
    b.screenshot("job").await;
    b.goto(&format!("{}/#/jobs", server.url)).await;
    b.until(
        &format!("document.querySelector('#jobs tr[data-job=\"{id}\"] .s-failed') !== null"),
        "the job in the list",
    )
    .await;
    b.screenshot("jobs").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stop_button_stops_the_job() {
    let server = server_running(HashMap::new(), Script::exit(0, 3000));
    let b = browser().await;
    let id = deploy_and_open(&server, &b).await;
    b.until(
        "document.querySelector('.node-box[data-state=running]') !== null",
        "a running node",
    )
    .await;
    b.click("#stop").await;
    b.until(
        "document.getElementById('stop-answer').textContent.startsWith('Stop requested')",
        "the stop answer",
    )
    .await;
    let job = server.wait_for_job(&id);
    assert_eq!(job["state"], "stopped", "{job}");
    b.until_job_state("stopped").await;
    b.screenshot("stopped").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_asks_for_the_token_and_then_works() {
    let tokens = Tokens::parse(&format!("alice {}\n", token_hash("s3cret-token"))).unwrap();
    let server = TestServer::start(Setup {
        tokens: Some(tokens),
        ..Setup::default()
    });
    let b = browser().await;
    b.goto(&format!("{}/#/", server.url)).await;
    b.until(
        "document.getElementById('token-dialog').open",
        "the token dialog",
    )
    .await;
    b.screenshot("token").await;
    let input = b.client.find(Locator::Css("#token-input")).await.unwrap();
    input.send_keys("s3cret-token").await.unwrap();
    b.click("#token-submit").await;
    b.until(
        "document.querySelectorAll('.instance').length > 0",
        "the environments after the token",
    )
    .await;
    // Kept for the session, never in a URL.
    assert_eq!(
        b.eval("sessionStorage.getItem('orch-token')").await,
        "s3cret-token"
    );
    assert!(
        !b.eval("location.href")
            .await
            .as_str()
            .unwrap()
            .contains("s3cret")
    );
    b.goto(&format!("{}/#/plan?environment=production", server.url))
        .await;
    b.until(
        "document.querySelectorAll('#plan-picture svg g.node').length > 0",
        "the plan picture with the token",
    )
    .await;
    b.close().await;
}
