//! Reintegration plans, their activities, monitoring visits and the portfolio.

use super::extract::{created, parse_path, who, ActivityStatusBody, ApiJson};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A reintegration plan for one returnee, a group or a community (its beneficiaries' visits are scheduled).
#[utoipa::path(
    post,
    path = "/plans",
    summary = "A reintegration plan for one returnee, a group or a community; visits at 3, 6 and 12 months after arrival are scheduled (manage_reintegration)",
    request_body = passage_service::reintegration::PlanInput,
    responses((status = 201, description = "The plan id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/plans/{id}",
    summary = "A plan with its activities and budget (total and per beneficiary)",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The plan", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn plan(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.plan(&s.actor, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/plans/{id}/activities",
    summary = "Add an activity with its budget",
    request_body = passage_domain::reintegration::ActivityInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The activity id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/plans/{id}/activities/{activity_id}/status",
    summary = "An activity starts, completes or is cancelled",
    request_body = ActivityStatusBody,
    params(("id" = String, Path), ("activity_id" = String, Path)),
    responses((status = 204, description = "Changed"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn activity_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((id, activity)): Path<(String, String)>,
    ApiJson(b): ApiJson<ActivityStatusBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.set_activity_status(&s.actor, &id, &activity, &b.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    get,
    path = "/cases/{id}/visits",
    summary = "A case's monitoring visits",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Visits", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn visits(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.visits(&s.actor, parse_path(&id)?).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/visits/{id}",
    summary = "Record a monitoring visit as done (date, notes, sustainability survey) or missed",
    request_body = passage_service::reintegration::VisitInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Recorded"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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
#[utoipa::path(
    get,
    path = "/reintegration/portfolio",
    summary = "The returnees the reader's offices follow, lowest band of the latest sustainability composite first: band, latest scores, months since return, overdue visits, needs more support (a dimension below the threshold, or the composite falling between two visits). No names.",
    params(passage_service::sustainability::PortfolioFilter),
    responses((status = 200, description = "The portfolio", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn portfolio(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<passage_service::sustainability::PortfolioFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let Query(filter) = q.map_err(|e| ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: e.body_text() })?;
    super::extract::exact_code("band", &filter.band)?;
    Ok(Json(state.passage.portfolio(&s.actor, &filter).await?).into_response())
}
