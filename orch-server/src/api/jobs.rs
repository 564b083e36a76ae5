//! `GET /jobs`, `/jobs/:id`, `/jobs/:id/nodes`, `/jobs/:id/report`, `/jobs/:id/events` and
//! orch's live `/jobs/:id/events/stream` (Server-Sent Events), all read from the store.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use orch_runner::{JobId, JobOrder, JobOrderBy, JobQuery, JobRecord};
use serde_json::{Value, json};

use super::{ApiError, Json, JsonText, Path, Query, base_url, job_id};
use crate::pe::{ApiEvent, job_json, node_json};
use crate::state::AppState;

/// The most jobs one page of `GET /jobs` holds.
const MAX_LIMIT: usize = 10_000;
/// How long a reader of a job that another process runs waits between looks at the store.
const POLL: Duration = Duration::from_millis(250);
/// The longest `wait` a client of `GET /jobs/:id/events` may ask for.
const MAX_WAIT: Duration = Duration::from_secs(30);

type Params = Query<HashMap<String, String>>;

/// A query parameter as an unsigned integer (PE: 400 when it is not one).
fn uint_param(params: &HashMap<String, String>, name: &str) -> Result<Option<u64>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::validation(format!(
                    "Parameter '{name}' must be a non-negative integer, got '{v}'"
                ))
            })
        })
        .transpose()
}

pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Params,
) -> Result<Json, ApiError> {
    let limit = uint_param(&params, "limit")?.map_or(orch_runner::DEFAULT_LIST_LIMIT, |l| {
        usize::try_from(l).unwrap_or(MAX_LIMIT).min(MAX_LIMIT)
    });
    // Past the store's integers there are no jobs anyway.
    let offset = uint_param(&params, "offset")?.map_or(0, |o| {
        usize::try_from(o.min(super::MAX_STORE_INT)).unwrap_or(usize::MAX)
    });
    let by = match params.get("order_by").map(String::as_str) {
        None | Some("name") => JobOrderBy::Id,
        Some("timestamp") => JobOrderBy::Timestamp,
        Some("owner") => JobOrderBy::User,
        Some("environment") => JobOrderBy::Environment,
        Some("state") => JobOrderBy::State,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "Parameter 'order_by' must be one of owner, timestamp, environment, name, state; got '{other}'"
            )));
        }
    };
    // PE's default order is ascending; without `order_by` orch lists newest first, as
    // `orch job show` does.
    let descending = match params.get("order").map(String::as_str) {
        None => !params.contains_key("order_by"),
        Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "Parameter 'order' must be asc or desc, got '{other}'"
            )));
        }
    };
    let query = JobQuery {
        limit,
        offset,
        order: JobOrder { by, descending },
        ..JobQuery::default()
    };
    let page = state
        .read(move |store| store.list(&query))
        .await
        .map_err(ApiError::store)?;
    let base = base_url(&state, &headers);
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|j| job_json(&base, j, false))
        .collect();
    Ok(Json(json!({
        "items": items,
        "pagination": { "limit": limit, "offset": offset, "total": page.total },
    })))
}

async fn read_job(state: &AppState, id: JobId) -> Result<JobRecord, ApiError> {
    state
        .read(move |store| store.job(id))
        .await
        .map_err(ApiError::store)
}

pub(crate) async fn one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json, ApiError> {
    let job = read_job(&state, job_id(&id)?).await?;
    Ok(Json(job_json(&base_url(&state, &headers), &job, true)))
}

pub(crate) async fn nodes(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<JsonText, ApiError> {
    let id = job_id(&id)?;
    let job_url = base_url(&state, &headers).job(id);
    let cache = state.clone();
    // Read, shaped and serialized on a blocking thread: a big job's answer takes long enough
    // to starve the scheduler's tasks on the async workers. Node rows change only with the
    // events recorded with them, so one answer serves every poller until the next event.
    let text = state
        .read(move |store| {
            let latest = store.latest_events(id)?;
            if let Some(text) = cache.cached_nodes(id, latest.last, &job_url) {
                return Ok(text);
            }
            let job = store.job(id)?;
            let items: Vec<Value> = job
                .nodes
                .iter()
                .map(|n| node_json(&job, n, latest.nodes.get(&n.name).copied()))
                .collect();
            let next = latest.last + 1;
            let answer = json!({
                "items": items,
                "next-events": {
                    "id": format!("{job_url}/events?start={next}"),
                    "event": next.to_string(),
                },
            });
            let mut text = serde_json::to_string(&answer).expect("values serialize");
            text.push('\n');
            let text = Arc::new(text);
            // A job whose runner died reads corrected with no new event: never cached.
            if job.message.is_none() {
                cache.cache_nodes(id, latest.last, job_url, text.clone());
            }
            Ok(text)
        })
        .await
        .map_err(ApiError::store)?;
    Ok(JsonText(text.as_str().to_owned()))
}

pub(crate) async fn report(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json, ApiError> {
    let job = read_job(&state, job_id(&id)?).await?;
    // orch reads the agents' run summaries, not their full reports: no resource events.
    let items: Vec<Value> = job
        .nodes
        .iter()
        .map(|n| {
            json!({
                "node": n.name,
                "state": n.state,
                "timestamp": n.finished.or(n.started),
                "events": [],
                "summary": n.summary,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `GET /jobs/:id/events?start=N`: the events from `N` on (PE). orch's `wait=SECS` holds the
/// answer until there is at least one event or the job has ended, up to [`MAX_WAIT`].
pub(crate) async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Params,
) -> Result<Json, ApiError> {
    let id = job_id(&id)?;
    let start = uint_param(&params, "start")?
        .unwrap_or(1)
        .clamp(1, super::MAX_STORE_INT);
    let wait = uint_param(&params, "wait")?
        .map_or(Duration::ZERO, |s| Duration::from_secs(s).min(MAX_WAIT));
    let deadline = tokio::time::Instant::now() + wait;
    let mut watch = state.watch(id);
    let events = loop {
        let events = state
            .read(move |store| store.events(id, start - 1))
            .await
            .map_err(ApiError::store)?;
        let now = tokio::time::Instant::now();
        if !events.is_empty() || now >= deadline || job_over(&state, id).await? {
            break events;
        }
        wait_for_more(&mut watch, deadline).await;
    };
    let next = events.last().map_or(start, |e| e.seq + 1);
    // Thousands of events (a follower catching up) are shaped off the async workers.
    let items: Vec<ApiEvent> =
        tokio::task::spawn_blocking(move || events.iter().map(ApiEvent::from_event).collect())
            .await
            .unwrap_or_default();
    // orch: the job's state, read after the events (a client that saw no `job_finished` and
    // reads a terminal state knows the job's runner died).
    let job_state = state
        .read(move |store| store.job_state(id))
        .await
        .map_err(ApiError::store)?;
    Ok(Json(json!({
        "state": job_state,
        "next-events": {
            "id": format!("{}/events?start={next}", base_url(&state, &headers).job(id)),
            "event": next.to_string(),
        },
        "items": items,
    })))
}

/// Whether job `id` has ended (its events are all there).
async fn job_over(state: &AppState, id: JobId) -> Result<bool, ApiError> {
    if state.watch(id).is_some() {
        return Ok(false);
    }
    let job_state = state
        .read(move |store| store.job_state(id))
        .await
        .map_err(ApiError::store)?;
    Ok(job_state.is_terminal())
}

/// Until this server's job has a new event, or [`POLL`] for a job run elsewhere; never past
/// `deadline`.
async fn wait_for_more(
    watch: &mut Option<tokio::sync::watch::Receiver<u64>>,
    deadline: tokio::time::Instant,
) {
    let poll = tokio::time::Instant::now() + POLL;
    let until = poll.min(deadline);
    match watch {
        Some(w) => {
            // A closed channel (the job ended) falls through to a store read.
            if let Ok(Err(_)) = tokio::time::timeout_at(until, w.changed()).await {
                *watch = None;
            }
        }
        None => tokio::time::sleep_until(until).await,
    }
}

/// `GET /jobs/:id/events/stream?start=N` (orch): the events as Server-Sent Events, each
/// `data:` an [`ApiEvent`] with its `id`, until the job has ended; served from the store, so
/// any number of followers cost one read per new batch each.
pub(crate) async fn event_stream(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Params,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let id = job_id(&id)?;
    // The browser's reconnection tells where it was.
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(|seq| seq.saturating_add(1));
    let start = resumed
        .or(uint_param(&params, "start")?)
        .unwrap_or(1)
        .clamp(1, super::MAX_STORE_INT);
    // The job must exist: an unknown one is 404 now, not an empty stream.
    state
        .read(move |store| store.job_state(id))
        .await
        .map_err(ApiError::store)?;
    let watch = state.watch(id);
    // `Phase`: following, then the `end` event once `job_finished` was sent, then nothing.
    let stream = futures_util::stream::unfold(
        (state, start, watch, Phase::Following),
        move |(state, next, mut watch, phase)| async move {
            match phase {
                Phase::Over => return None,
                Phase::Finished => {
                    let event = SseEvent::default().event("end").data("");
                    return Some((Ok(event), (state, next, watch, Phase::Over)));
                }
                Phase::Following => {}
            }
            loop {
                let after = next - 1;
                let events = match state.read(move |store| store.events(id, after)).await {
                    Ok(events) => events,
                    Err(e) => {
                        let event = SseEvent::default().event("error").data(e.to_string());
                        return Some((Ok(event), (state, next, watch, Phase::Over)));
                    }
                };
                if !events.is_empty() {
                    let last = events.last().map_or(next, |e| e.seq + 1);
                    let finished = events
                        .iter()
                        .any(|e| matches!(e.kind, orch_runner::EventKind::JobFinished { .. }));
                    let data: Vec<ApiEvent> = events.iter().map(ApiEvent::from_event).collect();
                    let event = SseEvent::default()
                        .id((last - 1).to_string())
                        .event("events")
                        .json_data(&data)
                        .unwrap_or_default();
                    let phase = if finished {
                        Phase::Finished
                    } else {
                        Phase::Following
                    };
                    return Some((Ok(event), (state, last, watch, phase)));
                }
                if job_over(&state, id).await.unwrap_or(true) {
                    let event = SseEvent::default().event("end").data("");
                    return Some((Ok(event), (state, next, watch, Phase::Over)));
                }
                wait_for_more(&mut watch, tokio::time::Instant::now() + POLL).await;
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Where an event stream is.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Following,
    Finished,
    Over,
}
