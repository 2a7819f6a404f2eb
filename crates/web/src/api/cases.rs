//! Cases: the case file, screenings, assistance, notes, status, the return journey.

use super::extract::{created, parse_path, who, ApiJson};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::assistance::AssistanceInput;
use passage_domain::case::StatusChangeInput;
use passage_domain::ids::CaseId;
use passage_domain::note::NoteInput;
use passage_domain::screening::ScreeningInput;
use serde_json::json;

#[utoipa::path(
    get,
    path = "/cases/{id}",
    summary = "A case with its history",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The case file", body = Object))
)]
pub(super) async fn case(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: CaseId = parse_path(&id)?;
    Ok(Json(state.passage.case_file(&s.actor, id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/cases/{id}/screenings",
    summary = "Record a vulnerability screening",
    request_body = ScreeningInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The screening id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn screening(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScreeningInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: CaseId = parse_path(&id)?;
    Ok(created(json!({ "id": state.passage.record_screening(&s.actor, id, &b).await? })))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/assistance",
    summary = "Record assistance given",
    request_body = AssistanceInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The assistance id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn assistance(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssistanceInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: CaseId = parse_path(&id)?;
    Ok(created(json!({ "id": state.passage.record_assistance(&s.actor, id, &b).await? })))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/notes",
    summary = "Add a case note",
    request_body = NoteInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The note id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn note(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: CaseId = parse_path(&id)?;
    Ok(created(json!({ "id": state.passage.add_note(&s.actor, id, &b).await? })))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/status",
    summary = "Change a case's status",
    request_body = StatusChangeInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The new status", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusChangeInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: CaseId = parse_path(&id)?;
    Ok(Json(json!({ "status": state.passage.change_status(&s.actor, id, &b).await? })).into_response())
}

/// A return case's journey: every step with its state and what blocks it.
#[utoipa::path(
    get,
    path = "/cases/{id}/journey",
    summary = "A return case's journey: every step with its state and what blocks it",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The journey", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn journey(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.journey(&s.actor, parse_path(&id)?).await?).into_response())
}

/// Record a step: done (with evidence; the medical screening with its
/// fit-to-travel decision, the escort with its kind), waived or blocked
/// (with the reason), or `withdraw` (the person withdrew their consent to return).
#[utoipa::path(
    post,
    path = "/cases/{id}/journey/steps/{step}",
    summary = "Record a step of a return: done, waive or block (with a reason), or withdraw voluntariness",
    request_body = passage_service::returns::StepInput,
    params(("id" = String, Path, format = "uuid"), ("step" = inline(passage_domain::journey::Step), Path)),
    responses((status = 200, description = "The journey after it", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn record_step(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    ApiJson(b): ApiJson<passage_service::returns::StepInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let case = parse_path(&id)?;
    state.passage.record_step(&s.actor, case, &step, &b).await?;
    Ok(Json(state.passage.journey(&s.actor, case).await?).into_response())
}
