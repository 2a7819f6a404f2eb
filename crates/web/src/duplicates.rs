//! The review queue of likely duplicate persons, for data officers
//! (protection officers and administrators): the list, a pair side by side
//! with the model's explanation, the decision (same person, different,
//! unsure), and undoing a merge. The same on the JSON API under
//! `/api/v1/duplicates` and `/api/v1/merges`.

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
use maud::{html, Markup};
use passage_domain::linkage::PairDecision;
use passage_service::merges::PersonSide;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/duplicates", list_page)
        .get("/duplicates/{id}", pair_page)
        .post("/duplicates/{id}", decide_page)
        .post("/merges/{id}/undo", undo_page)
}

/// Under `/api/v1`.
pub fn api_routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .api(utoipa_axum::routes!(api_list))
        .api(utoipa_axum::routes!(api_one))
        .api(utoipa_axum::routes!(api_decide))
        .api(utoipa_axum::routes!(api_undo))
        .api(utoipa_axum::routes!(api_merges))
}

fn percent(p: f64) -> String {
    format!("{:.0} %", p * 100.0)
}

async fn list_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let list = state.passage.duplicate_queue(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let body = html! {
        h1 { (t(lang, "duplicates-title")) }
        p.muted { (t(lang, "duplicates-intro")) }
        @if list.is_empty() { p { (t(lang, "duplicates-none")) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th { (t(lang, "duplicates-likelihood")) } th { (t(lang, "duplicates-first")) } th { (t(lang, "duplicates-second")) } th { (t(lang, "duplicates-decision")) } } }
                tbody { @for d in &list { tr {
                    td { a href=(format!("/duplicates/{}", d.id)) { (percent(d.probability)) } }
                    td { (d.a.display_name) }
                    td { (d.b.display_name) }
                    td { (t(lang, &format!("duplicates-decision-{}", d.decision))) }
                } } }
            } }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "duplicates-title"), session: Some(&s), here: "/duplicates" }, body)))
}

fn side(lang: Lang, label: &str, p: &PersonSide) -> Markup {
    html! {
        section.card {
            h2 { (t(lang, label)) ": " a href=(format!("/persons/{}", p.person_id)) { (p.display_name) } }
            dl {
                dt { (t(lang, "duplicates-names")) } dd { (p.names.join(" · ")) }
                dt { (t(lang, "field-sex")) } dd { (p.sex) }
                dt { (t(lang, "field-birth_date")) } dd { (p.birth_date.clone().unwrap_or_else(|| "—".into())) }
                dt { (t(lang, "field-nationality")) } dd { (p.nationality.clone().unwrap_or_else(|| "—".into())) }
                dt { (t(lang, "field-phone")) } dd { (p.phone.clone().unwrap_or_else(|| "—".into())) }
                dt { (t(lang, "duplicates-registered")) } dd { (p.registered_at.to_string().chars().take(10).collect::<String>()) }
            }
            h3 { (t(lang, "duplicates-cases")) }
            ul { @for c in &p.cases { li { a href=(format!("/cases/{}", c.case_id)) { (c.reference) } " — " (c.kind) ", " (c.status) } } }
        }
    }
}

async fn pair_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let d = state.passage.duplicate_pair(&s.actor, &id).await.map_err(|e| PageError::from_service(lang, e))?;
    let waiting = d.summary.decision.waiting();
    let body = html! {
        h1 { (t(lang, "duplicates-pair-title")) }
        p { (tr(lang, "duplicates-likely", &[("percent", percent(d.summary.probability))])) " · " strong { (t(lang, &format!("duplicates-decision-{}", d.summary.decision))) } }
        div.grid {
            (side(lang, "duplicates-first", &d.summary.a))
            (side(lang, "duplicates-second", &d.summary.b))
        }
        h2 { (t(lang, "duplicates-why")) }
        table {
            thead { tr { th { (t(lang, "duplicates-field")) } th { (t(lang, "duplicates-level")) } th { (t(lang, "duplicates-weight")) } } }
            tbody { @for p in &d.explanation { tr { td { (p.field) } td { (p.level) } td { (format!("{:+.1}", p.weight)) } } } }
        }
        @if waiting {
            form.card method="post" action=(format!("/duplicates/{}", d.summary.id)) {
                input type="hidden" name="csrf" value=(s.csrf_token);
                fieldset {
                    legend { (t(lang, "duplicates-keep")) }
                    label { input type="radio" name="keep" value="a" checked; " " (d.summary.a.display_name) }
                    label { input type="radio" name="keep" value="b"; " " (d.summary.b.display_name) }
                }
                p {
                    button type="submit" name="decision" value="same" { (t(lang, "duplicates-same")) } " "
                    button.secondary type="submit" name="decision" value="different" { (t(lang, "duplicates-different")) } " "
                    button.secondary type="submit" name="decision" value="unsure" { (t(lang, "duplicates-unsure")) }
                }
            }
        }
        @if let (Some(m), PairDecision::Same) = (&d.merge_id, d.summary.decision) {
            form.card method="post" action=(format!("/merges/{m}/undo")) {
                input type="hidden" name="csrf" value=(s.csrf_token);
                p { (t(lang, "duplicates-undo-intro")) }
                p { button.secondary type="submit" { (t(lang, "duplicates-undo")) } }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(Page { lang, title: t(lang, "duplicates-pair-title"), session: Some(&s), here: "/duplicates" }, body),
    ))
}

async fn decide_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    state
        .passage
        .decide_duplicate(&s.actor, &id, &f.get("decision"), &f.get("keep"))
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to(&format!("/duplicates/{id}")).into_response())
}

async fn undo_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    state.passage.undo_merge(&s.actor, &id).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to("/duplicates").into_response())
}

#[utoipa::path(
    get,
    path = "/duplicates",
    summary = "Likely duplicate persons waiting for a decision, both of whom I may see, most likely first (merge_persons)",
    responses((status = 200, description = "Pairs", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_list(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(Json(json!({ "duplicates": state.passage.duplicate_queue(&s.actor).await? })).into_response())
}

#[utoipa::path(
    get,
    path = "/duplicates/{id}",
    summary = "A pair side by side: both persons, their cases, the model's probability and each field's part",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The pair", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_one(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(Json(json!(state.passage.duplicate_pair(&s.actor, &id).await?)).into_response())
}

#[derive(Deserialize, Default, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = DuplicateDecision)]
struct DecideBody {
    #[schema(schema_with = decisions, required = true)]
    decision: String,
    #[schema(schema_with = keeps)]
    keep: String,
}

fn decisions() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["same", "different", "unsure"])
}

fn keeps() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["a", "b"])
}

#[utoipa::path(
    post,
    path = "/duplicates/{id}",
    summary = "Decide: same (merge; keep a or b, or the first registered), different or unsure",
    request_body = DecideBody,
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Decided; merge_id when merged", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
async fn api_decide(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<DecideBody>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let merge = state.passage.decide_duplicate(&s.actor, &id, &b.decision, &b.keep).await?;
    Ok(Json(json!({ "merge_id": merge })).into_response())
}

#[utoipa::path(
    post,
    path = "/merges/{id}/undo",
    summary = "Undo a merge: every case, consent, document and activity goes back, the aliases it added go",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 204, description = "Undone"), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
async fn api_undo(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    state.passage.undo_merge(&s.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    get,
    path = "/persons/{id}/merges",
    summary = "The merges into a person, undone ones too, newest first",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Merges", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_merges(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let person = crate::api::extract::parse_path(&id)?;
    Ok(Json(json!({ "merges": state.passage.merges_into(&s.actor, person).await? })).into_response())
}
