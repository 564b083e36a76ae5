//! `GET /environments`, `/environments/:env`, `/environments/:env/applications`,
//! `/environments/:env/instances` (what `puppet app show` read), and `GET|POST /inventory`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use orch_model::{GraphComponent, ResourceRef};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Body, Json, Path, base_url};
use crate::environments::Evaluated;
use crate::state::AppState;

/// The most nodes one inventory request checks.
const MAX_INVENTORY_NODES: usize = 10_000;
/// How many nodes an inventory request checks at once.
const INVENTORY_CONCURRENCY: usize = 100;

pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json, ApiError> {
    let base = base_url(&state, &headers);
    let mut items = Vec::new();
    for name in state.environments.names() {
        if let Some(evaluated) = state.environments.evaluate(&name).await {
            items.push(environment_json(&base.0, &evaluated));
        }
    }
    Ok(Json(json!({ "items": items })))
}

pub(crate) async fn one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(env): Path<String>,
) -> Result<Json, ApiError> {
    let evaluated = evaluate(&state, &env).await?;
    Ok(Json(environment_json(
        &base_url(&state, &headers).0,
        &evaluated,
    )))
}

async fn evaluate(state: &AppState, env: &str) -> Result<Evaluated, ApiError> {
    state
        .environments
        .evaluate(env)
        .await
        .ok_or_else(|| ApiError::unknown_environment(env))
}

fn environment_json(base: &str, evaluated: &Evaluated) -> Value {
    let name = &evaluated.source.name;
    let url = format!("{base}/environments/{name}");
    json!({
        "id": url,
        "name": name,
        "applications": { "id": format!("{url}/applications") },
        "instances": { "id": format!("{url}/instances") },
        "settings": {
            "manifest": evaluated.source.path,
            "modulepath": evaluated.source.extra_modulepath,
            "environment_timeout": 0,
            "config_version": Value::Null,
        },
        "errors": evaluated.errors(),
    })
}

/// The applications that have instances, with where they are declared (orch reports the
/// applications the environment instantiates).
pub(crate) async fn applications(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(env): Path<String>,
) -> Result<Json, ApiError> {
    let evaluated = evaluate(&state, &env).await?;
    let base = base_url(&state, &headers);
    let mut apps: BTreeMap<&str, Vec<&orch_model::AppInstance>> = BTreeMap::new();
    for instance in &evaluated.model.instances {
        apps.entry(instance.reference.type_name.as_str())
            .or_default()
            .push(instance);
    }
    let items: Vec<Value> = apps
        .iter()
        .map(|(name, instances)| {
            let parameters: BTreeSet<&str> = instances
                .iter()
                .flat_map(|i| i.parameters.keys().map(String::as_str))
                .collect();
            json!({
                "name": name,
                "kind": "application",
                "parameters": parameters,
                "instances": {
                    "id": format!("{}/environments/{env}/instances", base.0),
                    "titles": instances.iter().map(|i| &i.reference.title).collect::<Vec<_>>(),
                },
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Every application instance with its components, producers before their consumers.
pub(crate) async fn instances(
    State(state): State<Arc<AppState>>,
    Path(env): Path<String>,
) -> Result<Json, ApiError> {
    let evaluated = evaluate(&state, &env).await?;
    let graph = evaluated.graph();
    let items: Vec<Value> = graph
        .applications
        .iter()
        .map(|(app, components)| {
            let ordered: Vec<Value> = topological(components)
                .into_iter()
                .map(|(r, c)| {
                    json!({
                        "type": r.type_name, "title": r.title, "node": c.node,
                        "produces": c.produces, "consumes": c.consumes,
                    })
                })
                .collect();
            json!({ "type": app.type_name, "title": app.title, "components": ordered })
        })
        .collect();
    Ok(Json(
        json!({ "environment": env, "items": items, "errors": evaluated.errors() }),
    ))
}

/// The components in an order where each producer comes before its consumers (by name
/// otherwise); the members of a cycle come last, by name.
fn topological(
    components: &BTreeMap<ResourceRef, GraphComponent>,
) -> Vec<(&ResourceRef, &GraphComponent)> {
    let mut done: BTreeSet<&ResourceRef> = BTreeSet::new();
    let mut out = Vec::with_capacity(components.len());
    let produced: BTreeMap<&ResourceRef, &ResourceRef> = components
        .iter()
        .flat_map(|(r, c)| c.produces.iter().map(move |cap| (cap, r)))
        .collect();
    while out.len() < components.len() {
        let ready = components.iter().find(|(r, c)| {
            !done.contains(r)
                && c.consumes
                    .iter()
                    .all(|cap| produced.get(cap).is_none_or(|p| done.contains(p) || p == r))
        });
        let next = ready.or_else(|| components.iter().find(|(r, _)| !done.contains(r)));
        let Some((r, c)) = next else { break };
        done.insert(r);
        out.push((r, c));
    }
    out
}

/// `POST /inventory`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InventoryBody {
    nodes: Vec<String>,
}

/// `GET /inventory`: every node of the inventory, each checked now.
pub(crate) async fn inventory_all(State(state): State<Arc<AppState>>) -> Result<Json, ApiError> {
    let names: Vec<String> = state.inventory.certnames().map(str::to_owned).collect();
    Ok(Json(json!({ "items": check(&state, names).await? })))
}

pub(crate) async fn inventory_one(
    State(state): State<Arc<AppState>>,
    Path(node): Path<String>,
) -> Result<Json, ApiError> {
    let mut items = check(&state, vec![node]).await?;
    Ok(Json(items.pop().unwrap_or(Value::Null)))
}

pub(crate) async fn inventory_some(
    State(state): State<Arc<AppState>>,
    Body(body): Body<InventoryBody>,
) -> Result<Json, ApiError> {
    Ok(Json(json!({ "items": check(&state, body.nodes).await? })))
}

/// PE's `{name, connected}` for each node, from orch's pre-flight (a connection made now).
async fn check(state: &AppState, names: Vec<String>) -> Result<Vec<Value>, ApiError> {
    if names.len() > MAX_INVENTORY_NODES {
        return Err(ApiError::validation(format!(
            "At most {MAX_INVENTORY_NODES} nodes can be checked in one request"
        )));
    }
    if let Some(bad) = names.iter().find(|n| n.is_empty() || n.len() > 255) {
        return Err(ApiError::validation(format!("'{bad}' is not a certname")));
    }
    let inventory = state.inventory.clone();
    let (checks, preconnected) = orch_runner::preflight(
        &names,
        |name| inventory.target(name),
        state.transport.clone(),
        INVENTORY_CONCURRENCY,
    )
    .await;
    preconnected.close_unused().await;
    Ok(checks
        .nodes
        .iter()
        .map(|c| {
            json!({
                "name": c.name, "connected": c.ok, "error": c.error, "message": c.message,
                "duration": c.duration_s,
            })
        })
        .collect())
}
