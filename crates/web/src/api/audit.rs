//! The audit trail as JSON lines.

use super::extract::{who, ApiQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The audit trail, newest first, 100 entries a page (`before` for the next).
#[utoipa::path(
    get,
    path = "/audit",
    summary = "Browse the audit trail, newest first (administrators); filters: person, case, user, from, until (YYYY-MM-DD), before (seq)",
    params(passage_service::audit::AuditQuery),
    responses((status = 200, description = "Entries and the next page's `before`", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn audit(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<passage_service::audit::AuditQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let lines = state.passage.browse_audit(&s.actor, &q, 100).await?;
    let next = (lines.len() == 100).then(|| lines.last().map(|l| l.seq)).flatten();
    Ok(Json(json!({ "entries": lines.iter().map(audit_json).collect::<Vec<_>>(), "next_before": next })).into_response())
}

pub fn audit_json(l: &passage_domain::audit::AuditLine) -> serde_json::Value {
    json!({
        "seq": l.seq, "at": l.at, "actor": l.actor, "action": l.action, "record": l.record, "person": l.person,
        "changes": serde_json::from_str::<serde_json::Value>(&l.changes).unwrap_or_else(|_| json!(l.changes)),
        "source": l.source, "hash": l.hash,
    })
}
