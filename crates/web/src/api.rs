//! The JSON API under `/api/v1`: everything the pages do, for data officers
//! and integrations. Bodies are JSON; every failure is a problem document;
//! validation failures list each field with a stable code. Described by
//! `openapi.rs` (a test checks every route here is in the document).

use crate::error::ApiError;
use crate::form::parse_filters;
use crate::session;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::assistance::AssistanceInput;
use passage_domain::case::{CaseInput, StatusChangeInput};
use passage_domain::ids::{CaseId, PersonId};
use passage_domain::note::NoteInput;
use passage_domain::office::OfficeInput;
use passage_domain::person::PersonInput;
use passage_domain::policy::Role;
use passage_domain::screening::ScreeningInput;
use passage_domain::Invalid;
use passage_service::auth::{LoginStep, Session};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .post("/auth/login", login)
        .post("/auth/second-factor", second_factor)
        .post("/auth/logout", logout)
        .get("/tokens", tokens)
        .post("/tokens", create_token)
        .post("/account/password", change_password)
        .post("/tokens/{id}/revoke", revoke_token)
        .get("/users", users)
        .post("/users", create_user)
        .get("/users/{username}", user)
        .post("/users/{username}/grants", grant)
        .post("/users/{username}/grants/{role}/revoke", revoke_grant)
        .post("/users/{username}/active", set_active)
        .post("/users/{username}/second-factor/reset", reset_second_factor)
        .get("/me", me)
        .get("/audit", audit)
        .get("/offices", offices)
        .post("/offices", create_office)
        .get("/persons", search)
        .post("/persons", register)
        .post("/persons/likely", likely_persons)
        .get("/persons/{id}", person)
        .get("/persons/{id}/export", export_person)
        .post("/persons/{id}/erase", erase_person)
        .get("/pseudonymised/cases", pseudonymised_cases)
        .post("/persons/{id}/cases", open_case)
        .post("/persons/{id}/consents", consent)
        .post("/persons/{id}/consents/{consent_id}/withdraw", withdraw_consent)
        .get("/cases/{id}", case)
        .post("/cases/{id}/screenings", screening)
        .post("/cases/{id}/assistance", assistance)
        .post("/cases/{id}/notes", note)
        .post("/cases/{id}/status", status)
        .get("/cases/{id}/journey", journey)
        .get("/movements", movements)
        .post("/movements", create_movement)
        .get("/movements/{id}", movement)
        .post("/movements/{id}/travellers", manifest)
        .post("/movements/{id}/travellers/{case_id}/status", traveller_status)
        .post("/movements/{id}/status", movement_status)
        .get("/movements/{id}/manifest.csv", manifest_csv)
        .get("/movements/{id}/manifest.xlsx", manifest_xlsx)
        .post("/cases/{id}/handover", request_handover)
        .get("/handovers", handovers)
        .get("/queue", queue)
        .get("/providers", providers)
        .post("/providers", create_provider)
        .post("/providers/{id}/users", link_partner)
        .get("/cases/{id}/referrals", case_referrals)
        .post("/cases/{id}/referrals", refer)
        .get("/partner/referrals", partner_referrals)
        .post("/partner/referrals/{id}", answer_referral)
        .post("/plans", create_plan)
        .get("/plans/{id}", plan)
        .post("/plans/{id}/activities", add_activity)
        .post("/plans/{id}/activities/{activity_id}/status", activity_status)
        .get("/cases/{id}/visits", visits)
        .post("/visits/{id}", record_visit)
        .get("/reintegration/portfolio", portfolio)
        .post("/handovers/{id}/accept", accept_handover)
        .post("/handovers/{id}/decline", decline_handover)
        .post("/cases/{id}/journey/steps/{step}", record_step)
        .merge(crate::figures::api_routes())
        .merge(crate::activities::api_routes())
        .merge(crate::submissions::api_routes())
        .merge(crate::duplicates::api_routes())
        .merge(crate::exports::api_routes())
        .get("/openapi.json", || async { Json(crate::openapi::document()) })
}

/// A JSON body whose every failure (not JSON, wrong content type, too
/// large, wrong shape) becomes a problem document.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let status = match &rej {
                    JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    other => other.status(),
                };
                Err(ApiError::BadRequest { status, detail: rej.body_text() })
            }
        }
    }
}

/// A query string, read into `T`; a query that does not fit is a 400
/// problem document naming what is wrong, never axum's plain-text refusal.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: rej.body_text() }),
        }
    }
}

pub(crate) async fn who(state: &AppState, method: &Method, headers: &HeaderMap) -> Result<Session, ApiError> {
    Ok(session::from_api(state, method, headers).await?)
}

pub(crate) fn parse_path<T: std::str::FromStr>(s: &str) -> Result<T, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

pub(crate) fn created(v: serde_json::Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// A session token, or — for accounts that need a second factor — a
/// challenge to answer at `/auth/second-factor` (with the secret to enrol
/// at the first login).
async fn login(State(state): State<AppState>, headers: HeaderMap, ApiJson(b): ApiJson<LoginBody>) -> Result<Response, ApiError> {
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
struct SecondFactorBody {
    challenge: String,
    code: String,
}

async fn second_factor(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SecondFactorBody>,
) -> Result<Response, ApiError> {
    let s = state.passage.second_factor(&b.challenge, &b.code, &crate::session::peer(&headers)).await?;
    Ok(Json(json!({ "token": s.token, "csrf_token": s.csrf_token, "user": s.user })).into_response())
}

async fn tokens(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.api_tokens(&s.actor).await?).into_response())
}

#[derive(Deserialize)]
struct TokenBody {
    name: String,
    role: String,
    #[serde(default)]
    offices: Vec<String>,
    days: i64,
    /// Another user's username (needs `manage_users`); default: oneself.
    #[serde(default)]
    username: Option<String>,
}

fn parse_role(field: &str, s: &str) -> Result<Role, ApiError> {
    Ok(Role::parse(field, s.trim())?)
}

async fn create_token(
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

async fn revoke_token(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.revoke_api_token(Some(&s.actor), &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn users(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.users(&s.actor).await?).into_response())
}

async fn user(
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
struct UserBody {
    username: String,
    display_name: String,
    password: String,
    role: String,
    #[serde(default)]
    offices: Vec<String>,
}

async fn create_user(
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
struct GrantBody {
    role: String,
    #[serde(default)]
    offices: Vec<String>,
}

async fn grant(
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

async fn revoke_grant(
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
struct ActiveBody {
    active: bool,
}

async fn set_active(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<ActiveBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.set_user_active(Some(&s.actor), &username, b.active).await?).into_response())
}

async fn reset_second_factor(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.reset_second_factor(Some(&s.actor), &username).await?).into_response())
}

async fn logout(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
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

async fn me(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
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

async fn offices(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    who(&state, &method, &headers).await?;
    Ok(Json(state.passage.offices().await?).into_response())
}

async fn create_office(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<OfficeInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let o = state.passage.create_office(&s.actor, &b).await?;
    Ok(created(json!(o)))
}

/// The audit trail, newest first, 100 entries a page (`before` for the next).
async fn audit(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<passage_service::audit::AuditQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let lines = state.passage.browse_audit(&s.actor, &q, 100).await?;
    let next = (lines.len() == 100).then(|| lines.last().map(|l| l.seq)).flatten();
    Ok(Json(json!({ "entries": lines.iter().map(audit_json).collect::<Vec<_>>(), "next_before": next })).into_response())
}

pub fn audit_json(l: &passage_domain::audit::AuditLine) -> serde_json::Value {
    json!({
        "seq": l.seq, "at": l.at, "actor": l.actor, "action": l.action, "record": l.record, "person": l.person,
        "changes": serde_json::from_str::<serde_json::Value>(&l.changes).unwrap_or_else(|_| json!(l.changes)),
        "source": l.source, "hash": l.hash,
    })
}

async fn search(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let filters = parse_filters(&get, &mut errors);
    let limit = match get("limit").trim() {
        "" => 50,
        l => match l.parse::<usize>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => {
                errors.push(passage_domain::FieldError::new("limit", "err-limit").with("max", 200));
                0
            }
        },
    };
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    Ok(Json(state.passage.search(&s.actor, &get("q"), &filters, limit).await?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterBody {
    person: PersonInput,
    case: CaseInput,
}

async fn register(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let r = state.passage.register_person(&s.actor, &b.person, &b.case).await?;
    Ok(created(json!(r)))
}

async fn person(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: PersonId = parse_path(&id)?;
    Ok(Json(state.passage.person_file(&s.actor, id).await?).into_response())
}

/// Who is already registered like this person (before registering them).
async fn likely_persons(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_domain::person::PersonInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(json!({ "likely": state.passage.likely_persons(&s.actor, &b, 10).await? })).into_response())
}

async fn open_case(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CaseInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: PersonId = parse_path(&id)?;
    let case_id = state.passage.open_case(&s.actor, id, &b).await?;
    Ok(created(json!({ "case_id": case_id })))
}

async fn case(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: CaseId = parse_path(&id)?;
    Ok(Json(state.passage.case_file(&s.actor, id).await?).into_response())
}

async fn screening(
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

async fn assistance(
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

async fn note(
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

async fn status(
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

async fn consent(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<passage_domain::person::ConsentInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: PersonId = parse_path(&id)?;
    Ok(created(json!({ "id": state.passage.record_consent(&s.actor, id, &b).await? })))
}

async fn withdraw_consent(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path((id, consent)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let (id, consent): (PersonId, passage_domain::ids::ConsentId) = (parse_path(&id)?, parse_path(&consent)?);
    state.passage.withdraw_consent(&s.actor, id, consent).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Everything held about a person, for their data request (audited).
async fn export_person(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let x = state.passage.export_person(&s.actor, parse_path(&id)?).await?;
    let mut v = json!(x);
    v["audit"] = json!(x.audit.iter().map(audit_json).collect::<Vec<_>>());
    Ok(Json(v).into_response())
}

/// A body that is only a reason (erasure, declining a hand-over).
#[derive(Deserialize)]
struct ReasonBody {
    reason: String,
}

async fn erase_person(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.erase_person(&s.actor, parse_path(&id)?, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    after: String,
    limit: Option<i64>,
}

/// Cases for monitoring and evaluation: pseudonymous, no identity or free text.
async fn pseudonymised_cases(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let (rows, next) = state.passage.pseudonymised_cases(&s.actor, &q.after, q.limit.unwrap_or(500)).await?;
    Ok(Json(json!({ "cases": rows, "next_after": next })).into_response())
}

#[derive(Deserialize)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

/// Change one's own password; every session of the user ends (log in again).
async fn change_password(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    state.passage.change_password(&s.actor, &b.current_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A return case's journey: every step with its state and what blocks it.
async fn journey(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.journey(&s.actor, parse_path(&id)?).await?).into_response())
}

/// Record a step: done (with evidence; the medical screening with its
/// fit-to-travel decision, the escort with its kind), waived or blocked
/// (with the reason), or `withdraw` (the person withdrew their consent to return).
async fn record_step(
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

async fn movements(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.movements(&s.actor).await?).into_response())
}

async fn create_movement(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_domain::movement::MovementInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.create_movement(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

async fn movement(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.movement(&s.actor, parse_path(&id)?).await?).into_response())
}

#[derive(Deserialize)]
struct ManifestBody {
    case_id: String,
}

/// Put a return case on the manifest (its journey must let it depart).
async fn manifest(
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

#[derive(Deserialize)]
struct StatusBody {
    status: String,
}

async fn traveller_status(
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
async fn movement_status(
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
async fn manifest_csv(
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
struct HandoverBody {
    /// An office code (GIN-CKY) or id.
    to_office: String,
}

/// Ask another office to take a case over (the person consented to the hand-over).
async fn request_handover(
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
async fn handovers(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.pending_handovers(&s.actor).await?).into_response())
}

async fn accept_handover(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let case = state.passage.accept_handover(&s.actor, &id).await?;
    Ok(Json(json!({ "case_id": case })).into_response())
}

async fn decline_handover(
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

/// What needs me now, grouped: urgent, overdue, today, this week, later, waiting on others.
async fn queue(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<passage_service::queue::QueueFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let Query(filter) = q.map_err(|e| ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: e.body_text() })?;
    Ok(Json(state.passage.work_queue(&s.actor, &filter).await?).into_response())
}

/// A reintegration plan for one returnee, a group or a community (its beneficiaries' visits are scheduled).
async fn create_plan(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_service::reintegration::PlanInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.create_plan(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

async fn plan(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.plan(&s.actor, &id).await?).into_response())
}

async fn add_activity(
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

async fn activity_status(
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

async fn visits(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.visits(&s.actor, parse_path(&id)?).await?).into_response())
}

async fn record_visit(
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
async fn portfolio(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<passage_service::sustainability::PortfolioFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let Query(filter) = q.map_err(|e| ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: e.body_text() })?;
    Ok(Json(state.passage.portfolio(&s.actor, &filter).await?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProviderQuery {
    service: String,
    place: String,
}

/// The service directory, by service and place.
async fn providers(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ProviderQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.providers(&s.actor, &q.service, &q.place).await?).into_response())
}

async fn create_provider(
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
struct UsernameBody {
    username: String,
}

async fn link_partner(
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

async fn case_referrals(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.case_referrals(&s.actor, parse_path(&id)?).await?).into_response())
}

/// Refer the case's person to a provider, sharing the named fields (their consent to share with it is required).
async fn refer(
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

async fn partner_referrals(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.partner_referrals(&s.actor).await?).into_response())
}

#[derive(Deserialize)]
struct AnswerBody {
    status: String,
    #[serde(default)]
    feedback: String,
}

async fn answer_referral(
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

/// The manifest as an XLSX workbook.
async fn manifest_xlsx(
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
