//! The web view, served at `/` by the same binary: static pages that read the API.

use std::sync::Arc;

use axum::Router;
use axum::response::Html;
use axum::routing::get;

use crate::state::AppState;

/// The web view's routes.
pub(crate) fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { Html("<!doctype html><title>orch</title><p>orch</p>") }),
        )
        .with_state(state)
}
