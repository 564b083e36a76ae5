//! The API from the client's side: what `orch job run|show|stop --server URL` speak, as PE's
//! `puppet job` spoke to its orchestrator.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use orch_planner::Plan;
use orch_runner::{Event, JobId, JobRecord, JobState, StopAnswer};
use serde_json::{Value, json};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::pe::{ApiEvent, job_from_api};

/// Why a call to the server did not give an answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error (PE's `{kind, msg}`).
    #[error("{msg} ({kind}, HTTP {status})")]
    Api {
        /// The HTTP status.
        status: u16,
        /// PE's error kind (`puppetlabs.orchestrator/unknown-job`).
        kind: String,
        /// The server's message.
        msg: String,
    },
    /// The server could not be reached, or the connection failed.
    #[error("could not reach {url}: {message}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The answer is not what the API gives.
    #[error("the server at {url} gave an answer orch does not read: {message}")]
    BadAnswer {
        /// The URL.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The CA certificate file could not be used.
    #[error("could not use the CA certificate `{path}`: {message}")]
    CaCert {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// PE's `scope` of a deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole environment.
    WholeEnvironment,
    /// An application or an application instance.
    Application(String),
    /// These nodes.
    Nodes(Vec<String>),
}

/// `POST /command/deploy`'s body.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    /// The environment.
    pub environment: String,
    /// What to run.
    pub scope: Scope,
    /// `Some(true)`: `--noop`; `Some(false)`: `--no-noop`.
    pub noop: Option<bool>,
    /// The concurrency limit (`None`: unlimited).
    pub concurrency: Option<u32>,
    /// The per-node timeout.
    pub timeout_s: Option<u64>,
    /// A description.
    pub description: Option<String>,
}

/// What a deploy answered.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The new job.
    pub id: JobId,
    /// Its plan.
    pub plan: Plan,
}

/// A client of one `orch serve` (or of an API like it).
#[derive(Debug, Clone)]
pub struct Client {
    /// `https://host:8143/orchestrator/v1`.
    api: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// How long a call may take (a `wait`ing events call included).
const CALL_TIMEOUT: Duration = Duration::from_secs(75);
/// How long an events call asks the server to wait for news.
const EVENTS_WAIT_S: u64 = 20;

impl Client {
    /// A client of the server at `url` (`https://host:8143`, with or without the API's path),
    /// sending `token`; `ca_cert` (PEM) is the CA that signed the server's certificate (else
    /// the system's roots).
    pub fn new(
        url: &str,
        token: Option<String>,
        ca_cert: Option<&Path>,
    ) -> Result<Client, ClientError> {
        let trimmed = url.trim_end_matches('/');
        let api = if trimmed.ends_with("/orchestrator/v1") {
            trimmed.to_owned()
        } else {
            format!("{trimmed}/orchestrator/v1")
        };
        let mut tls = TlsConfig::builder();
        if let Some(path) = ca_cert {
            let shown = path.display().to_string();
            let pem = std::fs::read(path).map_err(|e| ClientError::CaCert {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            let cert = Certificate::from_pem(&pem).map_err(|e| ClientError::CaCert {
                path: shown,
                message: e.to_string(),
            })?;
            tls = tls.root_certs(RootCerts::Specific(Arc::new(vec![cert.to_owned()])));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(CALL_TIMEOUT))
            .tls_config(tls.build())
            .build()
            .into();
        Ok(Client { api, token, agent })
    }

    /// The API's URL.
    pub fn api_url(&self) -> &str {
        &self.api
    }

    /// `POST /command/deploy`: a new job, running.
    pub fn deploy(&self, request: &DeployRequest) -> Result<Deployed, ClientError> {
        let scope = match &request.scope {
            Scope::WholeEnvironment => json!({ "whole_environment": true }),
            Scope::Application(a) => json!({ "application": a }),
            Scope::Nodes(n) => json!({ "nodes": n }),
        };
        let mut body = json!({ "environment": request.environment, "scope": scope });
        match request.noop {
            Some(true) => body["noop"] = json!(true),
            Some(false) => body["no_noop"] = json!(true),
            None => {}
        }
        if let Some(c) = request.concurrency {
            body["concurrency"] = json!(c);
        }
        if let Some(t) = request.timeout_s {
            body["timeout"] = json!(t);
        }
        if let Some(d) = &request.description {
            body["description"] = json!(d);
        }
        let url = format!("{}/command/deploy", self.api);
        let answer = self.call("POST", &url, Some(&body))?;
        let bad = |message: String| ClientError::BadAnswer {
            url: url.clone(),
            message,
        };
        let id = answer["job"]["name"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad("no `job.name`".into()))?;
        let plan = serde_json::from_value(answer["plan"].clone())
            .map_err(|e| bad(format!("`plan`: {e}")))?;
        Ok(Deployed { id, plan })
    }

    /// `GET /jobs/:id/events?start=N`, waiting on the server for news: the events from
    /// `start` on (maybe none yet), and the job's state after them.
    pub fn events(&self, id: JobId, start: u64) -> Result<(Vec<Event>, JobState), ClientError> {
        let url = format!(
            "{}/jobs/{id}/events?start={start}&wait={EVENTS_WAIT_S}",
            self.api
        );
        let answer = self.call("GET", &url, None)?;
        let items: Vec<ApiEvent> =
            serde_json::from_value(answer["items"].clone()).map_err(|e| {
                ClientError::BadAnswer {
                    url: url.clone(),
                    message: format!("`items`: {e}"),
                }
            })?;
        let state = serde_json::from_value(answer["state"].clone()).map_err(|e| {
            ClientError::BadAnswer {
                url: url.clone(),
                message: format!("`state`: {e}"),
            }
        })?;
        let events = items
            .iter()
            .map(|e| e.to_event(id))
            .collect::<Result<_, _>>()
            .map_err(|message| ClientError::BadAnswer { url, message })?;
        Ok((events, state))
    }

    /// `GET /jobs/:id` and `/jobs/:id/nodes`, as the store's record.
    pub fn job(&self, id: JobId) -> Result<JobRecord, ClientError> {
        let url = format!("{}/jobs/{id}", self.api);
        let job = self.call("GET", &url, None)?;
        let nodes_url = format!("{url}/nodes");
        let nodes = self.call("GET", &nodes_url, None)?;
        let items = nodes["items"].as_array().cloned().unwrap_or_default();
        job_from_api(&job, Some(&items)).map_err(|message| ClientError::BadAnswer { url, message })
    }

    /// `GET /jobs?limit=N&offset=M`: the newest jobs (without their nodes) and how many
    /// there are.
    pub fn jobs(
        &self,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<JobRecord>, usize), ClientError> {
        let url = format!("{}/jobs?limit={limit}&offset={offset}", self.api);
        let answer = self.call("GET", &url, None)?;
        let total = answer["pagination"]["total"].as_u64().unwrap_or(0) as usize;
        let items = answer["items"].as_array().cloned().unwrap_or_default();
        let jobs = items
            .iter()
            .map(|j| job_from_api(j, None))
            .collect::<Result<_, _>>()
            .map_err(|message| ClientError::BadAnswer { url, message })?;
        Ok((jobs, total))
    }

    /// `POST /command/stop`: what the server did.
    pub fn stop(&self, id: JobId, force: bool) -> Result<StopAnswer, ClientError> {
        let url = format!("{}/command/stop", self.api);
        let body = json!({ "job": id.to_string(), "force": force });
        let answer = self.call("POST", &url, Some(&body))?;
        let job = &answer["job"];
        let read = || -> Result<StopAnswer, serde_json::Error> {
            Ok(StopAnswer {
                id,
                state: serde_json::from_value(job["state"].clone())?,
                requested: serde_json::from_value(job["stop_requested"].clone())?,
                force: serde_json::from_value(job["force"].clone())?,
                node_states: serde_json::from_value(job["nodes"].clone())?,
            })
        };
        read().map_err(|e| ClientError::BadAnswer {
            url,
            message: e.to_string(),
        })
    }

    fn call(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Value, ClientError> {
        let connect = |e: ureq::Error| ClientError::Connect {
            url: url.to_owned(),
            message: e.to_string(),
        };
        let mut response = match (method, body) {
            ("POST", Some(body)) => {
                let mut request = self.agent.post(url);
                if let Some(t) = &self.token {
                    request = request.header("X-Authentication", t);
                }
                request.send_json(body).map_err(connect)?
            }
            _ => {
                let mut request = self.agent.get(url);
                if let Some(t) = &self.token {
                    request = request.header("X-Authentication", t);
                }
                request.call().map_err(connect)?
            }
        };
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .map_err(connect)?;
        let value: Value = serde_json::from_str(&text).map_err(|e| ClientError::BadAnswer {
            url: url.to_owned(),
            message: format!("not JSON (HTTP {status}): {e}"),
        })?;
        if status >= 400 {
            return Err(ClientError::Api {
                status,
                kind: value["kind"].as_str().unwrap_or("unknown").to_owned(),
                msg: value["msg"].as_str().unwrap_or("").to_owned(),
            });
        }
        Ok(value)
    }
}
