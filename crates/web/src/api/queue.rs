//! The work queue, grouped by what is due.

use super::extract::who;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// What needs me now, grouped: urgent, overdue, today, this week, later, waiting on others.
#[utoipa::path(
    get,
    path = "/queue",
    summary = "What needs me now, grouped (urgent protection cases, overdue, today, this week, within two weeks, waiting on others), each group with its count and items (kind, due date, case reference, office, what to do, link)",
    params(passage_service::queue::QueueFilter),
    responses((status = 200, description = "The queue: today, total, groups", body = Object), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn queue(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<passage_service::queue::QueueFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let Query(filter) = q.map_err(|e| ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: e.body_text() })?;
    super::extract::exact_code("kind", &filter.kind)?;
    Ok(Json(state.passage.work_queue(&s.actor, &filter).await?).into_response())
}
