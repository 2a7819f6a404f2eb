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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Login)]
pub(super) struct LoginBody {
    #[schema(schema_with = passage_domain::schema::text)]
    username: String,
    #[schema(schema_with = passage_domain::schema::text)]
    password: String,
}

/// A session token, or — for accounts that need a second factor — a
/// challenge to answer at `/auth/second-factor` (with the secret to enrol
/// at the first login).
#[utoipa::path(
    post,
    path = "/auth/login",
    summary = "Log in; returns a bearer token, or a second-factor challenge (with the secret to enrol at the first login)",
    request_body = LoginBody,
    responses((status = 200, description = "A session token", body = Object), (status = 401, response = crate::api::extract::Problem), (status = 429, response = crate::api::extract::Problem)),
    security(())
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SecondFactor)]
pub(super) struct SecondFactorBody {
    challenge: String,
    code: String,
}

#[utoipa::path(
    post,
    path = "/auth/second-factor",
    summary = "Answer a login's second-factor challenge with the authenticator's code (and so enrol it at the first login)",
    request_body = SecondFactorBody,
    responses((status = 200, description = "A session token", body = Object), (status = 401, response = crate::api::extract::Problem), (status = 429, response = crate::api::extract::Problem)),
    security(())
)]
pub(super) async fn second_factor(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SecondFactorBody>,
) -> Result<Response, ApiError> {
    let s = state.passage.second_factor(&b.challenge, &b.code, &crate::session::peer(&headers)).await?;
    Ok(Json(json!({ "token": s.token, "csrf_token": s.csrf_token, "user": s.user })).into_response())
}

#[utoipa::path(
    get,
    path = "/tokens",
    summary = "My API tokens (never the tokens themselves)",
    responses((status = 200, description = "Tokens", body = [Object]))
)]
pub(super) async fn tokens(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.api_tokens(&s.actor).await?).into_response())
}

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Token)]
pub(super) struct TokenBody {
    #[schema(schema_with = passage_domain::schema::text)]
    name: String,
    #[schema(schema_with = passage_domain::schema::code::<Role>)]
    role: String,
    /// Office codes, or ["all"].
    #[serde(default)]
    offices: Vec<String>,
    #[schema(minimum = 1, maximum = 365)]
    days: i64,
    /// Another user's username (needs `manage_users`); default: oneself.
    #[serde(default)]
    username: Option<String>,
}

pub(super) fn parse_role(field: &str, s: &str) -> Result<Role, ApiError> {
    Ok(Role::parse(field, s.trim())?)
}

#[utoipa::path(
    post,
    path = "/tokens",
    summary = "Create an API token within my grants (or, for administrators, another user's); the token is in the answer, once",
    request_body = TokenBody,
    responses((status = 201, description = "The token and its record", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/tokens/{id}/revoke",
    summary = "Revoke an API token (not with an API token: a leaked token must not undo others)",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Revoked"), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/users",
    summary = "Every user (administrators)",
    responses((status = 200, description = "Users with their grants", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn users(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.users(&s.actor).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/users/{username}",
    summary = "A user, and whether they enrolled a second factor (administrators)",
    params(("username" = String, Path)),
    responses((status = 200, description = "The user", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = User)]
pub(super) struct UserBody {
    #[schema(pattern = "^[a-z0-9._-]{3,40}$")]
    username: String,
    #[schema(schema_with = passage_domain::schema::text)]
    display_name: String,
    #[schema(min_length = 12)]
    password: String,
    #[schema(schema_with = passage_domain::schema::code::<Role>)]
    role: String,
    #[serde(default)]
    offices: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/users",
    summary = "Create a user (administrators); a username already used is a 409",
    request_body = UserBody,
    responses((status = 201, description = "The user", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Grant)]
pub(super) struct GrantBody {
    #[schema(schema_with = passage_domain::schema::code::<Role>)]
    role: String,
    #[serde(default)]
    offices: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/users/{username}/grants",
    summary = "Give a user a role for offices, replacing what they held of it (administrators)",
    request_body = GrantBody,
    params(("username" = String, Path)),
    responses((status = 200, description = "The user", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/users/{username}/grants/{role}/revoke",
    summary = "Take a role from a user (administrators)",
    params(("username" = String, Path), ("role" = inline(passage_domain::policy::Role), Path)),
    responses((status = 200, description = "The user", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Active)]
pub(super) struct ActiveBody {
    active: bool,
}

#[utoipa::path(
    post,
    path = "/users/{username}/active",
    summary = "Disable or enable an account (administrators); disabling ends its sessions and tokens",
    request_body = ActiveBody,
    params(("username" = String, Path)),
    responses((status = 200, description = "The user", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/users/{username}/second-factor/reset",
    summary = "Remove a user's authenticator (lost phone); they enrol again at the next login (administrators)",
    params(("username" = String, Path)),
    responses((status = 200, description = "The user", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn reset_second_factor(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.reset_second_factor(Some(&s.actor), &username).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/auth/logout",
    summary = "End this session",
    responses((status = 204, description = "Logged out"), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/me",
    summary = "The logged-in user",
    responses((status = 200, description = "The user", body = Object))
)]
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

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Password)]
pub(super) struct PasswordBody {
    current_password: String,
    #[schema(min_length = 12)]
    new_password: String,
}

/// Change one's own password; every session of the user ends (log in again).
#[utoipa::path(
    post,
    path = "/account/password",
    summary = "Change my password (the current one first); every session of mine ends",
    request_body = PasswordBody,
    responses((status = 204, description = "Changed"), (status = 403, response = crate::api::extract::Problem))
)]
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
