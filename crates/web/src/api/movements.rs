//! Movements, their manifests and travellers, and the hand-overs of cases between offices.

use super::extract::{created, parse_path, who, ApiJson, ReasonBody, StatusBody};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

pub(super) async fn movements(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.movements(&s.actor).await?).into_response())
}

pub(super) async fn create_movement(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_domain::movement::MovementInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.create_movement(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

pub(super) async fn movement(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.movement(&s.actor, parse_path(&id)?).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestBody {
    case_id: String,
}

/// Put a return case on the manifest (its journey must let it depart).
pub(super) async fn manifest(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ManifestBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.manifest(&s.actor, parse_path(&id)?, &b.case_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn traveller_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((id, case)): Path<(String, String)>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.set_traveller(&s.actor, parse_path(&id)?, parse_path(&case)?, &b.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// departed, arrived or cancelled; departure and arrival record the travellers' transport steps.
pub(super) async fn movement_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.set_movement_status(&s.actor, parse_path(&id)?, &b.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The manifest as CSV (UTF-8 with a byte-order mark, so spreadsheet
/// programs read accented names right), for the carrier and the authorities.
pub(super) async fn manifest_csv(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<crate::figures::HxlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let hxl = crate::figures::hxl_flag(q)?;
    let file = state.passage.export_manifest(&s.actor, parse_path(&id)?).await?;
    Ok(crate::movements::manifest_csv(&file, hxl))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HandoverBody {
    /// An office code (GIN-CKY) or id.
    to_office: String,
}

/// Ask another office to take a case over (the person consented to the hand-over).
pub(super) async fn request_handover(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<HandoverBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let h = state.passage.request_handover(&s.actor, parse_path(&id)?, &b.to_office).await?;
    Ok(created(json!({ "id": h })))
}

/// Hand-overs waiting for my offices.
pub(super) async fn handovers(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.pending_handovers(&s.actor).await?).into_response())
}

pub(super) async fn accept_handover(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let case = state.passage.accept_handover(&s.actor, &id).await?;
    Ok(Json(json!({ "case_id": case })).into_response())
}

pub(super) async fn decline_handover(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.decline_handover(&s.actor, &id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The manifest as an XLSX workbook.
pub(super) async fn manifest_xlsx(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<crate::figures::HxlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let hxl = crate::figures::hxl_flag(q)?;
    let file = state.passage.export_manifest(&s.actor, parse_path(&id)?).await?;
    Ok(crate::movements::manifest_xlsx(&file, hxl))
}
