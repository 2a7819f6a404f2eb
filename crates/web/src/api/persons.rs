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

/// The search's filters: empty means "any" (the search form sends every field).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchQuery {
    /// Name in any spelling.
    q: String,
    /// ISO 3166-1 alpha-3.
    #[param(schema_with = passage_domain::schema::country_or_empty)]
    nationality: String,
    #[param(schema_with = passage_domain::schema::code_or_empty::<passage_domain::person::Sex>)]
    sex: String,
    /// Matches ±1 year.
    #[param(pattern = "^((19|20)[0-9]{2}|2100)?$")]
    birth_year: String,
    /// An office id.
    #[param(schema_with = passage_domain::schema::uuid_or_empty)]
    office: String,
    #[param(schema_with = passage_domain::schema::code_or_empty::<passage_domain::case::CaseStatus>)]
    status: String,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: String,
}

impl SearchQuery {
    /// A filter by its name in the form, as `form::parse_filters` reads them.
    fn get(&self, name: &str) -> String {
        match name {
            "q" => &self.q,
            "nationality" => &self.nationality,
            "sex" => &self.sex,
            "birth_year" => &self.birth_year,
            "office" => &self.office,
            "status" => &self.status,
            "limit" => &self.limit,
            _ => "",
        }
        .to_string()
    }
}

#[utoipa::path(
    get,
    path = "/persons",
    summary = "Search persons by name (any spelling) and filters",
    params(SearchQuery),
    responses((status = 200, description = "Ranked matches", body = Object), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn search(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    for field in ["nationality", "sex", "status"] {
        super::extract::exact_code(field, &q.get(field))?;
    }
    let get = |k: &str| q.get(k);
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

#[derive(Deserialize, Default, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Registration)]
pub(super) struct RegisterBody {
    #[schema(required = true)]
    person: PersonInput,
    #[schema(required = true)]
    case: CaseInput,
}

#[utoipa::path(
    post,
    path = "/persons",
    summary = "Register a person and open their first case",
    request_body = RegisterBody,
    responses((status = 201, description = "The new person and case ids", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    get,
    path = "/persons/{id}",
    summary = "A person's file",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Person, cases, screenings, assistance, notes", body = Object))
)]
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

/// A person as far as they are known, to look for before registering them:
/// the registration's person, with no name required.
#[derive(Deserialize, Default)]
#[serde(transparent)]
pub(super) struct LikelyQuery(PersonInput);

impl utoipa::PartialSchema for LikelyQuery {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut person = serde_json::to_value(PersonInput::schema()).unwrap_or_default();
        person["properties"]["names"] = json!({ "type": "array", "items": { "type": "object", "properties": { "given": { "type": "string" }, "family": { "type": "string" } } } });
        passage_domain::schema::from_json(person)
    }
}

impl utoipa::ToSchema for LikelyQuery {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <PersonInput as utoipa::ToSchema>::schemas(schemas);
        schemas.push((
            <passage_domain::person::DocumentInput as utoipa::ToSchema>::name().into(),
            <passage_domain::person::DocumentInput as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// Who is already registered like this person (before registering them).
#[utoipa::path(
    post,
    path = "/persons/likely",
    summary = "Persons already registered who may be this one (read_cases, among the persons I may see): each with the linkage model's probability and every field's part in it; nothing is saved",
    request_body = LikelyQuery,
    responses((status = 200, description = "Likely persons", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn likely_persons(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(LikelyQuery(b)): ApiJson<LikelyQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(json!({ "likely": state.passage.likely_persons(&s.actor, &b, 10).await? })).into_response())
}

#[utoipa::path(
    post,
    path = "/persons/{id}/cases",
    summary = "Open another case for a person",
    request_body = CaseInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The case id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/persons/{id}/consents",
    summary = "Record a consent the person gave",
    request_body = passage_domain::person::ConsentInput,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 201, description = "The consent id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/persons/{id}/consents/{consent_id}/withdraw",
    summary = "Record that the person withdrew a consent (409 when it already was)",
    params(("id" = String, Path, format = "uuid"), ("consent_id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Withdrawn"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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
#[utoipa::path(
    get,
    path = "/persons/{id}/export",
    summary = "Everything held about a person, with the audit trail's entries about them, for their data request (handle_data_requests; audited)",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The person's data", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
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

#[utoipa::path(
    post,
    path = "/persons/{id}/erase",
    summary = "Erase a person's identity on their request; cases, findings and assistance stay without identity (handle_data_requests; audited)",
    request_body = ReasonBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Erased"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
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

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    /// `next_after` of the previous page.
    after: String,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Cases for monitoring and evaluation: pseudonymous, no identity or free text.
#[utoipa::path(
    get,
    path = "/pseudonymised/cases",
    summary = "Cases for monitoring and evaluation: pseudonyms, no names, phones, documents, exact dates of birth or free text (read_pseudonymised)",
    params(PageQuery),
    responses((status = 200, description = "A page of cases and the cursor of the next", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
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
