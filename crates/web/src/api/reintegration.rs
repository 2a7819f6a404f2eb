//! Reintegration plans, their activities, monitoring visits and the portfolio.

use super::extract::{created, parse_path, who, ApiJson, StatusBody};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A reintegration plan for one returnee, a group or a community (its beneficiaries' visits are scheduled).
pub(super) async fn create_plan(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_service::reintegration::PlanInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.create_plan(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

pub(super) async fn plan(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.plan(&s.actor, &id).await?).into_response())
}

pub(super) async fn add_activity(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<passage_domain::reintegration::ActivityInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let a = state.passage.add_activity(&s.actor, &id, &b).await?;
    Ok(created(json!({ "id": a })))
}

pub(super) async fn activity_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((id, activity)): Path<(String, String)>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.set_activity_status(&s.actor, &id, &activity, &b.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn visits(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.visits(&s.actor, parse_path(&id)?).await?).into_response())
}

pub(super) async fn record_visit(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<passage_service::reintegration::VisitInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.record_visit(&s.actor, &id, &b).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The returnees the reader's offices follow, by how their reintegration stands (no names).
pub(super) async fn portfolio(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<passage_service::sustainability::PortfolioFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let Query(filter) = q.map_err(|e| ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: e.body_text() })?;
    Ok(Json(state.passage.portfolio(&s.actor, &filter).await?).into_response())
}
