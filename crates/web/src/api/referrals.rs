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

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ProviderQuery {
    /// A service; empty or absent: every service.
    #[param(schema_with = passage_domain::schema::code_or_empty::<passage_domain::referral::ServiceKind>)]
    service: String,
    place: String,
}

/// The service directory, by service and place.
#[utoipa::path(
    get,
    path = "/providers",
    summary = "The service directory, by service and place",
    params(ProviderQuery),
    responses((status = 200, description = "Providers", body = [Object]), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn providers(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ProviderQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    super::extract::exact_code("service", &q.service)?;
    Ok(Json(state.passage.providers(&s.actor, &q.service, &q.place).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/providers",
    summary = "Add a provider to the directory (administrators)",
    request_body = passage_service::referrals::ProviderInput,
    responses((status = 201, description = "The provider id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Username)]
pub(super) struct UsernameBody {
    username: String,
}

#[utoipa::path(
    post,
    path = "/providers/{id}/users",
    summary = "Let a partner user speak for a provider (administrators)",
    request_body = UsernameBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Linked"), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/cases/{id}/referrals",
    summary = "A case's referrals, with whether each is overdue",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Referrals", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
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
#[utoipa::path(
    post,
    path = "/cases/{id}/referrals",
    summary = "Refer the person to a provider, sharing the named fields; their consent to share with that organisation is required",
    request_body = passage_service::referrals::ReferralInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The referral id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/partner/referrals",
    summary = "Referrals sent to my organisation: only the fields the person consented to share, none once the consent is withdrawn (partners)",
    responses((status = 200, description = "Referrals", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn partner_referrals(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.partner_referrals(&s.actor).await?).into_response())
}

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Answer)]
pub(super) struct AnswerBody {
    #[schema(schema_with = answers)]
    status: String,
    #[serde(default)]
    feedback: String,
}

fn answers() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["accepted", "declined", "completed"])
}

#[utoipa::path(
    post,
    path = "/partner/referrals/{id}",
    summary = "Accept, decline (with why) or complete (with feedback) a referral (partners)",
    request_body = AnswerBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Answered"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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
