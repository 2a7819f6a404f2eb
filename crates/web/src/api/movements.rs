//! Movements, their manifests and travellers, and the hand-overs of cases between offices.

use super::extract::{created, parse_path, who, ApiJson, MovementStatusBody, ReasonBody, TravellerStatusBody};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

#[utoipa::path(
    get,
    path = "/movements",
    summary = "Movements of the offices where I plan movements or read cases",
    responses((status = 200, description = "Movements", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn movements(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.movements(&s.actor).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/movements",
    summary = "Plan a movement (manage_movements in its office)",
    request_body = passage_domain::movement::MovementInput,
    responses((status = 201, description = "The movement id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/movements/{id}",
    summary = "A movement and its manifest (names only of the cases I may see)",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The movement", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn movement(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.movement(&s.actor, parse_path(&id)?).await?).into_response())
}

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Manifest)]
pub(super) struct ManifestBody {
    #[schema(schema_with = passage_domain::schema::uuid)]
    case_id: String,
}

/// Put a return case on the manifest (its journey must let it depart).
#[utoipa::path(
    post,
    path = "/movements/{id}/travellers",
    summary = "Manifest a return case whose journey lets it depart; capacity enforced",
    request_body = ManifestBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Manifested"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/movements/{id}/travellers/{case_id}/status",
    summary = "A traveller boarded, did not show, or was offloaded",
    request_body = TravellerStatusBody,
    params(("id" = String, Path, format = "uuid"), ("case_id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Changed"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn traveller_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((id, case)): Path<(String, String)>,
    ApiJson(b): ApiJson<TravellerStatusBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.set_traveller(&s.actor, parse_path(&id)?, parse_path(&case)?, &b.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// departed, arrived or cancelled; departure and arrival record the travellers' transport steps.
#[utoipa::path(
    post,
    path = "/movements/{id}/status",
    summary = "The movement departed, arrived or was cancelled; the travellers' transport steps follow in the same transaction",
    request_body = MovementStatusBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Changed"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn movement_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MovementStatusBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.set_movement_status(&s.actor, parse_path(&id)?, &b.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The manifest as CSV (UTF-8 with a byte-order mark, so spreadsheet
/// programs read accented names right), for the carrier and the authorities.
#[utoipa::path(
    get,
    path = "/movements/{id}/manifest.csv",
    summary = "The manifest as CSV for the carrier and the authorities (movement officers; audited); ?hxl=true adds an HXL hashtag row",
    params(("id" = String, Path, format = "uuid"), crate::figures::HxlQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403, response = crate::api::extract::Problem))
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Handover)]
pub(super) struct HandoverBody {
    /// An office code (GIN-CKY) or id.
    to_office: String,
}

/// Ask another office to take a case over (the person consented to the hand-over).
#[utoipa::path(
    post,
    path = "/cases/{id}/handover",
    summary = "Ask another office to take the case over (the person's hand-over consent is required)",
    request_body = HandoverBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The hand-over id", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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
#[utoipa::path(
    get,
    path = "/handovers",
    summary = "Hand-overs waiting for my offices: case reference, kind and sending office only",
    responses((status = 200, description = "Requests", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn handovers(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.pending_handovers(&s.actor).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/handovers/{id}/accept",
    summary = "Accept: the case moves to the receiving office; the sending office keeps reading it",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The case id", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/handovers/{id}/decline",
    summary = "Decline, with the reason",
    request_body = ReasonBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Declined"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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
#[utoipa::path(
    get,
    path = "/movements/{id}/manifest.xlsx",
    summary = "The manifest as an XLSX workbook (movement officers; audited); ?hxl=true adds an HXL hashtag row",
    params(("id" = String, Path, format = "uuid"), crate::figures::HxlQuery),
    responses((status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, response = crate::api::extract::Problem))
)]
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
