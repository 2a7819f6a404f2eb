//! Service providers, referrals to them, and the partner's side of a referral.

use super::extract::{created, parse_path, who, ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProviderQuery {
    service: String,
    place: String,
}

/// The service directory, by service and place.
pub(super) async fn providers(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ProviderQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.providers(&s.actor, &q.service, &q.place).await?).into_response())
}

pub(super) async fn create_provider(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_service::referrals::ProviderInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.add_provider(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UsernameBody {
    username: String,
}

pub(super) async fn link_partner(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UsernameBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.link_partner(&s.actor, &id, &b.username).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn case_referrals(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.case_referrals(&s.actor, parse_path(&id)?).await?).into_response())
}

/// Refer the case's person to a provider, sharing the named fields (their consent to share with it is required).
pub(super) async fn refer(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<passage_service::referrals::ReferralInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let r = state.passage.refer(&s.actor, parse_path(&id)?, &b).await?;
    Ok(created(json!({ "id": r })))
}

pub(super) async fn partner_referrals(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.partner_referrals(&s.actor).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswerBody {
    status: String,
    #[serde(default)]
    feedback: String,
}

pub(super) async fn answer_referral(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.answer_referral(&s.actor, &id, &b.status, &b.feedback).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
