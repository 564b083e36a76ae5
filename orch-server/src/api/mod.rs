//! PE's orchestrator API v1 under `/orchestrator/v1` (`reference/orchestrator.md` §6): JSON
//! bodies, PE's field names, status codes and `{kind, msg, details}` error bodies.

pub(crate) mod commands;
mod environments;
mod jobs;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::pe::Base;
use crate::state::AppState;

/// Where the API lives.
pub(crate) const PREFIX: &str = "/orchestrator/v1";

/// The most a request body may hold.
pub(crate) const BODY_LIMIT: usize = 1 << 20;

/// The API's routes (under [`PREFIX`]).
pub(crate) fn routes(state: Arc<AppState>) -> Router {
    let authenticated = Router::new()
        .route("/command/deploy", post(commands::deploy))
        .route("/command/stop", post(commands::stop))
        .route("/command/plan", post(commands::plan))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::one))
        .route("/jobs/{id}/nodes", get(jobs::nodes))
        .route("/jobs/{id}/report", get(jobs::report))
        .route("/jobs/{id}/events", get(jobs::events))
        .route("/jobs/{id}/events/stream", get(jobs::event_stream))
        .route("/environments", get(environments::list))
        .route("/environments/{env}", get(environments::one))
        .route(
            "/environments/{env}/applications",
            get(environments::applications),
        )
        .route(
            "/environments/{env}/instances",
            get(environments::instances),
        )
        .route(
            "/inventory",
            get(environments::inventory_all).post(environments::inventory_some),
        )
        .route("/inventory/{node}", get(environments::inventory_one))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ));
    Router::new()
        .route("/", get(root))
        .merge(authenticated)
        .fallback(unknown_endpoint)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Who made a request (put in the request's extensions by [`authenticate`]).
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) login: String,
    pub(crate) may_run: bool,
}

/// Every endpoint but the root needs a token the token file accepts (when there is one).
pub(crate) async fn authenticate(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match &state.tokens {
        None => Caller {
            login: state.local_user.clone(),
            may_run: true,
        },
        Some(tokens) => {
            let Some(token) = request
                .headers()
                .get("x-authentication")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|t| !t.is_empty())
            else {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "puppetlabs.rbac/user-unauthenticated",
                    "Route requires authentication: send a token in the X-Authentication header",
                )
                .into_response();
            };
            match tokens.user(token) {
                Some(user) => Caller {
                    login: user.login.clone(),
                    may_run: user.may_run,
                },
                None => {
                    return ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "puppetlabs.rbac/token-invalid",
                        "The provided token is not accepted by this server",
                    )
                    .into_response();
                }
            }
        }
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// `GET /orchestrator/v1`: what the service is and what it has.
async fn root(headers: HeaderMap, State(state): State<Arc<AppState>>) -> Response {
    let base = base_url(&state, &headers);
    let link = |path: &str| json!({ "id": format!("{}{path}", base.0) });
    Json(json!({
        "info": {
            "title": "Application Management API (EXPERIMENTAL)",
            "description": "Multi-purpose API for performing application management operations",
            "warning": "This version of the API is experimental, and might change in backwards-incompatible ways in the future",
            "version": "0.1",
            "license": { "name": "Apache-2.0" },
        },
        "status": Value::Null,
        "collections": {
            "environments": link("/environments"),
            "jobs": link("/jobs"),
            "inventory": link("/inventory"),
        },
        "commands": {
            "deploy": {
                "title": "Deploy",
                "id": format!("{}/command/deploy", base.0),
                "description": "Run Puppet on the nodes of a target, in dependency order.",
            },
            "stop": {
                "title": "Stop",
                "id": format!("{}/command/stop", base.0),
                "description": "Stop a job: nothing new starts; runs in flight finish.",
            },
            "plan": {
                "title": "Plan",
                "id": format!("{}/command/plan", base.0),
                "description": "The run order of a target, without creating a job (orch).",
            },
        },
    }))
    .into_response()
}

/// `GET /orchestrator`: PE's root of the service, the same document as the API's.
pub(crate) async fn root_redirect(headers: HeaderMap, state: State<Arc<AppState>>) -> Response {
    root(headers, state).await
}

async fn unknown_endpoint(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "puppetlabs.orchestrator/unknown-endpoint",
        format!("No endpoint {} {}", request.method(), request.uri().path()),
    )
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "puppetlabs.orchestrator/method-not-allowed",
        format!(
            "{} is not allowed on {}",
            request.method(),
            request.uri().path()
        ),
    )
}

/// The API's absolute URL as this client reached it (PE's `id`s are URLs).
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> Base {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    Base(format!("{}://{host}{PREFIX}", state.scheme))
}

/// An error answer: PE's `{kind, msg, details}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    kind: &'static str,
    msg: String,
    details: Value,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &'static str, msg: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            msg: msg.into(),
            details: Value::Null,
        }
    }

    pub(crate) fn with_details(mut self, details: Value) -> ApiError {
        self.details = details;
        self
    }

    /// 400 `validation-error`: the request is not what the endpoint takes.
    pub(crate) fn validation(msg: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "puppetlabs.orchestrator/validation-error",
            msg,
        )
    }

    /// 404 `unknown-job`.
    pub(crate) fn unknown_job(id: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "puppetlabs.orchestrator/unknown-job",
            format!("No job for id '{id}' could be found."),
        )
        .with_details(json!({ "id": id.to_string() }))
    }

    /// 404 `unknown-environment`.
    pub(crate) fn unknown_environment(name: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "puppetlabs.orchestrator/unknown-environment",
            format!("Unknown environment {name}"),
        )
        .with_details(json!({ "environment": name }))
    }

    /// 403 `not-permitted`.
    pub(crate) fn not_permitted(login: &str, what: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "puppetlabs.orchestrator/not-permitted",
            format!("User '{login}' does not have permission to {what}"),
        )
        .with_details(json!({ "login": login }))
    }

    /// A store that failed: the job is unknown (404), or the server could not read (500).
    pub(crate) fn store(e: orch_runner::Error) -> ApiError {
        match e {
            orch_runner::Error::UnknownJob { id, .. } => ApiError::unknown_job(id),
            e => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "puppetlabs.orchestrator/unknown-error",
                e.to_string(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "kind": self.kind, "msg": self.msg, "details": self.details });
        (self.status, Json(body)).into_response()
    }
}

/// A JSON answer, compact with a final newline (a 2,000-node job's nodes are megabytes:
/// `jq` is there for people).
pub(crate) struct Json(pub(crate) Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        let mut text = serde_json::to_string(&self.0).expect("values serialize");
        text.push('\n');
        ([(header::CONTENT_TYPE, "application/json")], text).into_response()
    }
}

/// A request body read as `T` (at most [`BODY_LIMIT`] bytes): anything else is answered 400
/// `validation-error` with serde's reason (413 when too long), never a plain-text rejection.
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "puppetlabs.orchestrator/validation-error",
                    format!("The request body is longer than {BODY_LIMIT} bytes"),
                )
            } else {
                ApiError::validation(format!("The request body could not be read: {e}"))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::validation(
                "The request body is empty: a JSON object is expected",
            ));
        }
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::validation(format!("The request body is not valid: {e}")))
    }
}

/// axum's `Path`, its rejections (a segment that is not UTF-8...) answered 400
/// `validation-error` as PE's body, not axum's plain text.
pub(crate) struct Path<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| Path(t))
            .map_err(|e| ApiError::validation(format!("The request path is not valid: {e}")))
    }
}

/// axum's `Query`, its rejections (a query string that does not decode) answered 400
/// `validation-error` as PE's body.
pub(crate) struct Query<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(t)| Query(t))
            .map_err(|e| ApiError::validation(format!("The query string is not valid: {e}")))
    }
}

/// Path `:id` as a job number (PE: 400 when not an integer).
pub(crate) fn job_id(text: &str) -> Result<u64, ApiError> {
    let id: u64 = text
        .parse()
        .map_err(|_| ApiError::validation(format!("Job id '{text}' is not an integer")))?;
    known_range(id)
}

/// The store keeps ids as SQLite integers (`i64`): a larger one names no job (not a failed
/// read).
pub(crate) fn known_range(id: u64) -> Result<u64, ApiError> {
    if id > MAX_STORE_INT {
        return Err(ApiError::unknown_job(id));
    }
    Ok(id)
}

/// The largest integer the store takes (ids, event numbers, offsets).
pub(crate) const MAX_STORE_INT: u64 = i64::MAX as u64;

/// A JSON answer already serialized (off the async workers, for the big ones).
pub(crate) struct JsonText(pub(crate) String);

impl IntoResponse for JsonText {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, "application/json")], self.0).into_response()
    }
}
