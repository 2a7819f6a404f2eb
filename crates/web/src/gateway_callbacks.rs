//! Where the SMS gateway calls Passage back: delivery reports (one URL per
//! message, carrying that message's token) and texts that come in (the
//! gateway's `get-url`, carrying the gateway's secret). Answers are plain
//! text for the gateway's log; an inbound text gets an empty body, so that
//! Kannel sends nothing back (replies go through the outbox, where they are
//! counted and reported like any message).

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use passage_service::ServiceError;
use std::collections::HashMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/sms/{gateway}/report", report).get("/sms/{gateway}/inbound", inbound)
}

fn refused(e: ServiceError) -> Response {
    let status = match &e {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // The gateway retries what it could not deliver; say why in our log, not the text.
        tracing::warn!(error = %e, "a gateway callback could not be recorded");
    }
    let message = match e {
        ServiceError::Invalid(inv) => inv.errors.iter().map(|e| format!("{}: {}", e.field, e.code)).collect::<Vec<_>>().join("; "),
        ServiceError::NotFound => "no such gateway".into(),
        e => e.to_string(),
    };
    (status, [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
}

async fn report(State(state): State<AppState>, Path(gateway): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    match state.passage.delivery_report(&gateway, get("id"), get("token"), get("status")).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => refused(e),
    }
}

async fn inbound(State(state): State<AppState>, Path(gateway): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    match state.passage.inbound_sms(&gateway, get("key"), get("from"), get("text")).await {
        Ok(_) => (StatusCode::OK, "").into_response(),
        Err(e) => refused(e),
    }
}
