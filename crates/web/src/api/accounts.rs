//! Logging in, second factors, tokens, users and their grants, the caller itself.

use super::extract::{created, who, ApiJson};
use crate::error::ApiError;
use crate::session;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::policy::Role;
use passage_service::auth::LoginStep;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    username: String,
    password: String,
}

/// A session token, or — for accounts that need a second factor — a
/// challenge to answer at `/auth/second-factor` (with the secret to enrol
/// at the first login).
pub(super) async fn login(State(state): State<AppState>, headers: HeaderMap, ApiJson(b): ApiJson<LoginBody>) -> Result<Response, ApiError> {
    match state.passage.login(&b.username, &b.password, &crate::session::peer(&headers)).await? {
        LoginStep::Session(s) => Ok(Json(json!({ "token": s.token, "csrf_token": s.csrf_token, "user": s.user })).into_response()),
        LoginStep::SecondFactor(c) => Ok(Json(match c.enrol {
            None => json!({ "second_factor": "required", "challenge": c.token }),
            Some(e) => json!({ "second_factor": "enrol", "challenge": c.token, "secret": e.secret, "otpauth_uri": e.uri }),
        })
        .into_response()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SecondFactorBody {
    challenge: String,
    code: String,
}

pub(super) async fn second_factor(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SecondFactorBody>,
) -> Result<Response, ApiError> {
    let s = state.passage.second_factor(&b.challenge, &b.code, &crate::session::peer(&headers)).await?;
    Ok(Json(json!({ "token": s.token, "csrf_token": s.csrf_token, "user": s.user })).into_response())
}

pub(super) async fn tokens(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.api_tokens(&s.actor).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenBody {
    name: String,
    role: String,
    #[serde(default)]
    offices: Vec<String>,
    days: i64,
    /// Another user's username (needs `manage_users`); default: oneself.
    #[serde(default)]
    username: Option<String>,
}

pub(super) fn parse_role(field: &str, s: &str) -> Result<Role, ApiError> {
    Ok(Role::parse(field, s.trim())?)
}

pub(super) async fn create_token(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let role = parse_role("role", &b.role)?;
    let owner = b.username.clone().unwrap_or_else(|| s.actor.username.clone());
    let t = state.passage.create_api_token(Some(&s.actor), &owner, &b.name, role, &b.offices, b.days).await?;
    Ok(created(json!({ "token": t.token, "record": t.record })))
}

pub(super) async fn revoke_token(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.revoke_api_token(Some(&s.actor), &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn users(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.users(&s.actor).await?).into_response())
}

pub(super) async fn user(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let (u, enrolled) = state.passage.managed_user_info(&s.actor, &username).await?;
    let mut v = json!(u);
    v["second_factor_enrolled"] = json!(enrolled);
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UserBody {
    username: String,
    display_name: String,
    password: String,
    role: String,
    #[serde(default)]
    offices: Vec<String>,
}

pub(super) async fn create_user(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<UserBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ManageUsers)?;
    let role = parse_role("role", &b.role)?;
    let u = state.passage.add_user(Some(&s.actor), &b.username, &b.display_name, &b.password, role, &b.offices).await?;
    Ok(created(json!(u)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GrantBody {
    role: String,
    #[serde(default)]
    offices: Vec<String>,
}

pub(super) async fn grant(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<GrantBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ManageUsers)?;
    let role = parse_role("role", &b.role)?;
    Ok(Json(state.passage.grant_role(Some(&s.actor), &username, role, &b.offices).await?).into_response())
}

pub(super) async fn revoke_grant(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((username, role)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ManageUsers)?;
    let role = Role::parse("role", &role).map_err(|_| ApiError::NotFound)?;
    Ok(Json(state.passage.revoke_role(Some(&s.actor), &username, role).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActiveBody {
    active: bool,
}

pub(super) async fn set_active(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<ActiveBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.set_user_active(Some(&s.actor), &username, b.active).await?).into_response())
}

pub(super) async fn reset_second_factor(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.reset_second_factor(Some(&s.actor), &username).await?).into_response())
}

pub(super) async fn logout(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    who(&state, &method, &headers).await?;
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| session::cookie(&headers, session::SESSION_COOKIE));
    if let Some(t) = token {
        state.passage.logout(t.trim()).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn me(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    // `offices`: where the user may register persons and open cases ("all"
    // when that is every office), so a client can fill its office choice.
    let rights = s.actor.rights();
    Ok(Json(json!({
        "id": s.actor.id,
        "username": s.actor.username,
        "display_name": s.actor.display_name,
        "locale": s.actor.locale,
        "grants": s.actor.grants,
        "offices": rights.offices(passage_domain::policy::Permission::WriteCases),
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordBody {
    current_password: String,
    new_password: String,
}

/// Change one's own password; every session of the user ends (log in again).
pub(super) async fn change_password(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.change_password(&s.actor, &b.current_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
