//! The web view, served at `/` by the same binary: one page (`assets/`, plain HTML, CSS and
//! JavaScript embedded in the binary, no build step) that reads the API with the user's token,
//! and the plan pictures it shows, drawn here ([`svg`]).

mod svg;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use orch_planner::{PlanError, Target};

use crate::api::ApiError;
use crate::api::commands::{plan_error, plan_target};
use crate::state::AppState;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/style.css");

/// The web view's routes.
pub(crate) fn routes(state: Arc<AppState>) -> Router {
    // The picture is data from the code: the same token check as the API's.
    let authenticated = Router::new()
        .route("/ui/plan.svg", get(plan_picture))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::api::authenticate,
        ));
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/ui/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/ui/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .merge(authenticated)
        .with_state(state)
}

/// A page file. `no-cache`: the browser revalidates, so a new binary's page is never mixed with
/// an old script.
fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

/// `GET /ui/plan.svg?environment=E[&application=A | &nodes=a,b]`: the target's plan as a
/// picture (the whole environment when neither is given); a dependency cycle is drawn too, in
/// red; other planning errors are PE's error bodies, as `POST /command/plan` answers them.
async fn plan_picture(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let environment = params
        .get("environment")
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ApiError::validation("Parameter 'environment' is required"))?;
    let application = params
        .get("application")
        .map(|a| a.trim())
        .filter(|a| !a.is_empty());
    let nodes: Option<Vec<&str>> = params.get("nodes").map(|n| {
        n.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect()
    });
    if nodes.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::validation(
            "Parameter 'nodes' names no node: give certnames separated by commas",
        ));
    }
    let nodes = nodes.unwrap_or_default();
    let target = match (application, nodes.is_empty()) {
        (Some(_), false) => {
            return Err(ApiError::validation(
                "Give 'application' or 'nodes', not both",
            ));
        }
        (Some(app), true) => {
            Target::applications([app]).map_err(|e| ApiError::validation(e.to_string()))?
        }
        (None, false) => Target::nodes(nodes),
        (None, true) => Target::Environment,
    };
    let text = match plan_target(&state, environment, target, None).await? {
        Ok(plan) => svg::plan_svg(&plan),
        Err(e) => match &e {
            PlanError::DependencyCycle { cycles } => {
                svg::cycles_svg(environment, cycles, &e.to_string())
            }
            _ => return Err(plan_error(e, environment)),
        },
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            // A plan follows the code, which may change at any time.
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}
