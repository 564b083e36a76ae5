//! `POST /command/deploy`, `/command/stop` and orch's `/command/plan`.

use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orch_planner::{Plan, PlanError, PlanRequest, Target};
use orch_runner::JobOptions;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Body, Caller, Json, base_url};
use crate::state::AppState;

/// `POST /command/deploy` (and `/command/plan`): PE's keys (§6.2); unknown keys are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployBody {
    environment: String,
    #[serde(default)]
    scope: Option<ScopeBody>,
    /// Deprecated PE key: an application or instance name; blank for the whole environment.
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    noop: Option<bool>,
    #[serde(default)]
    no_noop: Option<bool>,
    #[serde(default)]
    concurrency: Option<u32>,
    #[serde(default)]
    enforce_environment: Option<bool>,
    #[serde(default)]
    debug: Option<bool>,
    #[serde(default)]
    trace: Option<bool>,
    #[serde(default)]
    evaltrace: Option<bool>,
    #[serde(default)]
    description: Option<String>,
    /// orch: the per-node timeout, seconds.
    #[serde(default)]
    timeout: Option<u64>,
}

/// PE's `scope`: exactly one key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeBody {
    #[serde(default)]
    application: Option<String>,
    #[serde(default)]
    nodes: Option<Vec<String>>,
    #[serde(default)]
    query: Option<Value>,
    #[serde(default)]
    node_group: Option<String>,
    #[serde(default)]
    whole_environment: Option<bool>,
}

pub(crate) async fn deploy(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(request): Body<DeployBody>,
) -> Result<Response, ApiError> {
    if !caller.may_run {
        return Err(ApiError::not_permitted(&caller.login, "run jobs"));
    }
    let options = job_options(&request)?;
    let plan = plan_of(&state, &request, options.concurrency_limit()).await?;
    if plan.node_count() == 0 {
        return Err(empty_target(&plan.environment, &plan.target));
    }
    let description = request.description.clone();
    let id = crate::jobs::start(&state, plan.clone(), options, caller.login, description)
        .await
        .map_err(ApiError::store)?;
    let base = base_url(&state, &headers);
    let body = json!({
        "job": { "id": base.job(id), "name": id.to_string() },
        "plan": plan,
    });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// orch's addition (§6.6 says PE lacked one): the run order, no job created.
pub(crate) async fn plan(
    State(state): State<Arc<AppState>>,
    Body(request): Body<DeployBody>,
) -> Result<Json, ApiError> {
    let options = job_options(&request)?;
    let plan = plan_of(&state, &request, options.concurrency_limit()).await?;
    Ok(Json(json!(plan)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StopBody {
    /// The job's number: PE sends it as a string; a number is taken too.
    job: Value,
    /// orch: kill running nodes too (`orch job stop --force`).
    #[serde(default)]
    force: bool,
}

pub(crate) async fn stop(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(request): Body<StopBody>,
) -> Result<Response, ApiError> {
    if !caller.may_run {
        return Err(ApiError::not_permitted(&caller.login, "stop jobs"));
    }
    let id = match &request.job {
        Value::String(s) => super::job_id(s)?,
        Value::Number(n) => super::known_range(
            n.as_u64()
                .ok_or_else(|| ApiError::validation(format!("Job id '{n}' is not an integer")))?,
        )?,
        _ => return Err(ApiError::validation("`job` must be a job id (a string)")),
    };
    let force = request.force;
    let login = caller.login.clone();
    let answer = state
        .write(move |store| store.request_stop(id, force, &login))
        .await
        .map_err(ApiError::store)?;
    let base = base_url(&state, &headers);
    let mut nodes = serde_json::Map::new();
    for s in orch_runner::NodeState::ALL {
        nodes.insert(s.as_str().into(), json!(answer.node_states.get(s)));
    }
    let body = json!({
        "job": {
            "id": base.job(id),
            "name": id.to_string(),
            "state": answer.state,
            "nodes": nodes,
            "stop_requested": answer.requested,
            "force": answer.force,
        }
    });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

fn job_options(request: &DeployBody) -> Result<JobOptions, ApiError> {
    if request.noop == Some(true) && request.no_noop == Some(true) {
        return Err(ApiError::validation(
            "`noop` and `no_noop` cannot both be true",
        ));
    }
    if request.enforce_environment == Some(false) {
        return Err(ApiError::validation(
            "`enforce_environment: false` is not supported: orch always runs agents in the job's environment",
        ));
    }
    if request.timeout == Some(0) {
        return Err(ApiError::validation("`timeout` must be at least 1 second"));
    }
    let _ = (request.debug, request.trace, request.evaltrace);
    Ok(JobOptions {
        noop: match (request.noop, request.no_noop) {
            (Some(true), _) => Some(true),
            (_, Some(true)) => Some(false),
            _ => None,
        },
        // PE's default is unlimited (`null`).
        concurrency: request.concurrency.map_or(0, |c| c as usize),
        timeout: request.timeout.map(Duration::from_secs),
        ..JobOptions::default()
    })
}

/// The plan of a request's environment and scope; errors as PE's kinds.
async fn plan_of(
    state: &AppState,
    request: &DeployBody,
    concurrency: Option<u32>,
) -> Result<Plan, ApiError> {
    let target = target_of(request)?;
    plan_target(state, &request.environment, target, concurrency)
        .await?
        .map_err(|e| plan_error(e, &request.environment))
}

/// The plan of `target` in `environment` (also the web view's picture): the outer error is an
/// environment that is unknown or does not evaluate, the inner one the planner's, kept as it
/// is so that the web view can draw a cycle.
pub(crate) async fn plan_target(
    state: &AppState,
    environment: &str,
    target: Target,
    concurrency: Option<u32>,
) -> Result<Result<Plan, PlanError>, ApiError> {
    let whole = matches!(target, Target::Environment);
    let evaluated = state
        .environments
        .evaluate(environment)
        .await
        .ok_or_else(|| ApiError::unknown_environment(environment))?;
    let errors = evaluated.errors();
    if !errors.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "puppetlabs.orchestrator/environment-error",
            format!(
                "Environment {} could not be evaluated: {}",
                environment, errors[0]
            ),
        )
        .with_details(json!({ "environment": environment, "errors": errors })));
    }
    // A whole-environment job also runs the inventory's nodes that host no component.
    let extra_nodes = if whole {
        state.inventory.certnames().map(str::to_owned).collect()
    } else {
        Vec::new()
    };
    let plan_request = PlanRequest {
        target,
        concurrency,
        extra_nodes,
    };
    Ok(orch_planner::plan(&evaluated.graph(), &plan_request))
}

fn target_of(request: &DeployBody) -> Result<Target, ApiError> {
    let Some(scope) = &request.scope else {
        return match request.target.as_deref().map(str::trim) {
            None | Some("") => Ok(Target::Environment),
            Some(t) => Target::applications([t]).map_err(|e| ApiError::validation(e.to_string())),
        };
    };
    if request.target.is_some() {
        return Err(ApiError::validation("Give `scope` or `target`, not both"));
    }
    let given = [
        scope.application.is_some(),
        scope.nodes.is_some(),
        scope.query.is_some(),
        scope.node_group.is_some(),
        scope.whole_environment.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ApiError::validation(
            "`scope` must have exactly one of `application`, `nodes`, `query`, `node_group`, `whole_environment`",
        ));
    }
    if scope.query.is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "puppetlabs.orchestrator/query-error",
            "orch has no PuppetDB to run a PQL query against: target nodes with `scope.nodes`, an application with `scope.application`, or `scope.whole_environment`",
        ));
    }
    if scope.node_group.is_some() {
        return Err(ApiError::validation(
            "orch has no node classifier to resolve `scope.node_group`: target nodes with `scope.nodes`",
        ));
    }
    if let Some(app) = &scope.application {
        return Target::applications([app]).map_err(|e| ApiError::validation(e.to_string()));
    }
    if let Some(nodes) = &scope.nodes {
        return Ok(Target::nodes(nodes));
    }
    match scope.whole_environment {
        Some(true) => Ok(Target::Environment),
        _ => Err(ApiError::validation(
            "`scope.whole_environment` must be true",
        )),
    }
}

fn empty_target(environment: &str, target: &Target) -> ApiError {
    plan_error(
        PlanError::EmptyTarget {
            environment: environment.to_owned(),
            target: target.clone(),
        },
        environment,
    )
}

/// Each planning error as the orchestrator's kind.
pub(crate) fn plan_error(e: PlanError, environment: &str) -> ApiError {
    let (kind, details) = match &e {
        PlanError::EmptyEnvironment { .. } => (
            "puppetlabs.orchestrator/empty-environment",
            json!({ "environment": environment }),
        ),
        PlanError::EmptyTarget { target, .. } => (
            "puppetlabs.orchestrator/empty-target",
            json!({ "environment": environment, "target": target.to_string() }),
        ),
        PlanError::UnknownApplication { selector, .. } => (
            "puppetlabs.orchestrator/empty-target",
            json!({ "environment": environment, "target": selector }),
        ),
        PlanError::BadApplication { text } => (
            "puppetlabs.orchestrator/validation-error",
            json!({ "target": text }),
        ),
        PlanError::DependencyCycle { cycles } => (
            "puppetlabs.orchestrator/dependency-cycle",
            json!({ "cycles": cycles }),
        ),
        _ => (
            "puppetlabs.orchestrator/environment-error",
            json!({ "environment": environment }),
        ),
    };
    ApiError::new(StatusCode::BAD_REQUEST, kind, e.to_string()).with_details(details)
}
