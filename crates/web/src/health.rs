//! Liveness and readiness for load balancers and orchestrators: `/healthz`
//! (the process answers) and `/readyz` (the database answers in time).

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/health", || async { "ok" }).get("/healthz", || async { "ok" }).get("/readyz", readyz)
}

/// Ready when the database answers within two seconds: what a load
/// balancer or an orchestrator asks before sending users here. `/healthz`
/// (live) only says the process answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.passage.database_ready()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS.into());
            r
        }
        Err(_) => {
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable (no answer within 2 s)").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS.into());
            r
        }
    }
}
