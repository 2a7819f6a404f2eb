//! The quarantine of field submissions, for data officers: the list of
//! forms from phones that could not be applied, each with its problems next
//! to the fields, a form to correct and apply it again, and a way to reject
//! it with a reason. The same on the JSON API under `/api/v1/submissions`.

use crate::error::ApiError;
use crate::form::FormData;
use crate::i18n::{t, tr, Lang};
use crate::layout::{page, Page};
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use maud::html;
use passage_service::fieldforms::{self, Received};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/submissions", list_page)
        .get("/submissions/{id}", submission_page)
        .post("/submissions/{id}/retry", retry_page)
        .post("/submissions/{id}/reject", reject_page)
}

/// Under `/api/v1`.
pub fn api_routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .api(utoipa_axum::routes!(api_list))
        .api(utoipa_axum::routes!(api_one))
        .api(utoipa_axum::routes!(api_retry))
        .api(utoipa_axum::routes!(api_reject))
}

async fn list_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let list = state.passage.quarantine(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let body = html! {
        h1 { (t(lang, "submissions-title")) }
        p.muted { (t(lang, "submissions-intro")) }
        @if list.is_empty() { p { (t(lang, "submissions-none")) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th { (t(lang, "submissions-received")) } th { (t(lang, "submissions-form")) } th { (t(lang, "submissions-by")) } th { (t(lang, "submissions-problems")) } } }
                tbody { @for q in &list { tr {
                    td { a href=(format!("/submissions/{}", q.id)) { (q.received_at.to_string().chars().take(16).collect::<String>().replace('T', " ")) } }
                    td { (form_title(lang, &q.form_id)) }
                    td { (q.submitted_by_name) }
                    td { (q.problems.as_array().map(|a| a.len()).unwrap_or(0)) }
                } } }
            } }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(Page { lang, title: t(lang, "submissions-title"), session: Some(&s), here: "/submissions" }, body),
    ))
}

/// A field form's title in the reader's language (its id if Passage has no such form).
pub(crate) fn form_title(lang: Lang, id: &str) -> String {
    fieldforms::form(id).map_or_else(|| id.to_string(), |f| f.title(lang == Lang::Fr).to_string())
}

fn problems(v: &serde_json::Value) -> Vec<fieldforms::Problem> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

async fn submission_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    show(&state, &s, lang, &id, StatusCode::OK).await
}

async fn show(state: &AppState, s: &passage_service::auth::Session, lang: Lang, id: &str, status: StatusCode) -> PageResult {
    let (q, filled) = state.passage.submission(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let found = problems(&q.problems);
    let body = html! {
        h1 { (form_title(lang, &q.form_id)) }
        p.muted { (tr(lang, "submissions-sent", &[("by", q.submitted_by_name.clone()), ("at", q.received_at.to_string().chars().take(16).collect::<String>().replace('T', " "))])) " · " code { (q.id) } }
        @if q.status != "quarantined" {
            p { strong { (t(lang, &format!("submissions-status-{}", q.status))) } @if let Some(r) = &q.decision_reason { " — " (r) } }
        }
        @if !found.is_empty() {
            div.errors role="alert" { h2 { (t(lang, "submissions-problems")) } ul { @for p in &found { li { code { (p.field) } " — " (crate::i18n::problem(lang, p)) } } } }
        }
        @if let (Some(f), true) = (&filled, q.status == "quarantined") {
            form.card method="post" action=(format!("/submissions/{}/retry", q.id)) {
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    @for (path, value) in f.values.iter().filter(|(p, _)| p.as_str() != "meta/instanceID") {
                        @let bad = found.iter().any(|p| &p.field == path);
                        div.field {
                            label for=(format!("v-{path}")) { code { (path) } }
                            input id=(format!("v-{path}")) name=(format!("v:{path}")) value=(value) aria-invalid=[bad.then_some("true")];
                        }
                    }
                }
                p { button type="submit" { (t(lang, "submissions-retry")) } }
            }
            form.card method="post" action=(format!("/submissions/{}/reject", q.id)) {
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.field { label for="reason" { (t(lang, "submissions-reject-reason")) } input id="reason" name="reason" required; }
                p { button.secondary type="submit" { (t(lang, "submissions-reject")) } }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title: form_title(lang, &q.form_id), session: Some(s), here: "/submissions" }, body)))
}

fn corrections(f: &FormData) -> BTreeMap<String, String> {
    f.pairs().filter_map(|(k, v)| k.strip_prefix("v:").map(|p| (p.to_string(), v.to_string()))).collect()
}

async fn retry_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    match state.passage.retry_submission(&s.actor, &id, &corrections(&f)).await.map_err(|e| PageError::from_service(lang, e))? {
        Received::Applied { record, .. } => {
            let to = match record.split_once(':') {
                Some(("case", c)) => format!("/cases/{c}"),
                _ => "/submissions".to_string(),
            };
            Ok(Redirect::to(&to).into_response())
        }
        _ => show(&state, &s, lang, &id, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn reject_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    state.passage.reject_submission(&s.actor, &id, &f.get("reason")).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to("/submissions").into_response())
}

#[utoipa::path(
    get,
    path = "/submissions",
    summary = "Forms from the field (OpenRosa) waiting in quarantine that I may see: sent by me, or in an office where I do what the form does (restricted ones: protection officers)",
    responses((status = 200, description = "Quarantined submissions", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_list(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let list = state.passage.quarantine(&s.actor).await?;
    Ok(Json(json!({ "submissions": list })).into_response())
}

#[utoipa::path(
    get,
    path = "/submissions/{id}",
    summary = "One submission: its status, problems and (while quarantined) its values by element path",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The submission", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_one(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let (q, filled) = state.passage.submission(&s.actor, &id).await?;
    Ok(Json(json!({ "submission": q, "values": filled.map(|f| f.values) })).into_response())
}

#[derive(Deserialize, Default, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = SubmissionRetry)]
struct RetryBody {
    values: BTreeMap<String, String>,
}

#[utoipa::path(
    post,
    path = "/submissions/{id}/retry",
    summary = "Apply a quarantined submission again with corrections (element path to value); 422 with the remaining problems if it still does not pass",
    request_body = RetryBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Applied", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
async fn api_retry(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<RetryBody>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let r = state.passage.retry_submission(&s.actor, &id, &b.values).await?;
    let status = if matches!(r, Received::Applied { .. }) { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(json!(r))).into_response())
}

#[derive(Deserialize, Default, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = SubmissionReject)]
struct RejectBody {
    #[schema(schema_with = passage_domain::schema::text, required = true)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/submissions/{id}/reject",
    summary = "Reject a quarantined submission with a reason; its payload is wiped",
    request_body = RejectBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Rejected"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
async fn api_reject(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<RejectBody>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    state.passage.reject_submission(&s.actor, &id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
