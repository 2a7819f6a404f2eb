//! Offices: the list and creating one.

use super::extract::{created, who, ApiJson};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::office::OfficeInput;
use serde_json::json;

#[utoipa::path(
    get,
    path = "/offices",
    summary = "List offices",
    responses((status = 200, description = "Offices", body = [Object]))
)]
pub(super) async fn offices(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    who(&state, &method, &headers).await?;
    Ok(Json(state.passage.offices().await?).into_response())
}

#[utoipa::path(
    post,
    path = "/offices",
    summary = "Create an office (administrators); a code already used is a 409",
    request_body = OfficeInput,
    responses((status = 201, description = "The office", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn create_office(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<OfficeInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let o = state.passage.create_office(&s.actor, &b).await?;
    Ok(created(json!(o)))
}
