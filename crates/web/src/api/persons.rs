//! Persons: search, registration, the person file, likely persons, consents, cases opened, subject access and erasure, pseudonymised cases.

use super::extract::{created, parse_path, who, ApiJson, ApiQuery, ReasonBody};
use crate::error::ApiError;
use crate::form::parse_filters;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::case::CaseInput;
use passage_domain::ids::PersonId;
use passage_domain::person::PersonInput;
use passage_domain::Invalid;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub(super) async fn search(
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
#[serde(deny_unknown_fields, default)]
pub(super) struct RegisterBody {
    person: PersonInput,
    case: CaseInput,
}

pub(super) async fn register(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let r = state.passage.register_person(&s.actor, &b.person, &b.case).await?;
    Ok(created(json!(r)))
}

pub(super) async fn person(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id: PersonId = parse_path(&id)?;
    Ok(Json(state.passage.person_file(&s.actor, id).await?).into_response())
}

/// Who is already registered like this person (before registering them).
pub(super) async fn likely_persons(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<passage_domain::person::PersonInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(json!({ "likely": state.passage.likely_persons(&s.actor, &b, 10).await? })).into_response())
}

pub(super) async fn open_case(
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

pub(super) async fn consent(
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

pub(super) async fn withdraw_consent(
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
pub(super) async fn export_person(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let x = state.passage.export_person(&s.actor, parse_path(&id)?).await?;
    let mut v = json!(x);
    v["audit"] = json!(x.audit.iter().map(super::audit::audit_json).collect::<Vec<_>>());
    Ok(Json(v).into_response())
}

pub(super) async fn erase_person(
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
pub(super) struct PageQuery {
    after: String,
    limit: Option<i64>,
}

/// Cases for monitoring and evaluation: pseudonymous, no identity or free text.
pub(super) async fn pseudonymised_cases(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let (rows, next) = state.passage.pseudonymised_cases(&s.actor, &q.after, q.limit.unwrap_or(500)).await?;
    Ok(Json(json!({ "cases": rows, "next_after": next })).into_response())
}
