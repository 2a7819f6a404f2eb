//! Recording activities on the web and through the API: campaign events,
//! trainings, search-and-rescue operations, shelter works and published
//! resources. One page per kind of activity, so that each form's fields keep
//! unique ids for screen readers; a refused form comes back with what was
//! typed and each problem next to its field.

use crate::error::ApiError;
use crate::form::FormData;
use crate::i18n::{t, Lang};
use crate::layout::{code_options, error_summary, field, page, Input, Page};
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use maud::html;
use passage_domain::activity::{
    CampaignEventInput, CampaignKind, ResourceInput, ResourceKind, SarOperationInput, ShelterWorkInput, ShelterWorkKind, TrainingInput,
};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/activities", activities_page)
        .get("/activities/{kind}", activity_form)
        .post("/activities/{kind}", record_activity)
}

/// Under `/api/v1`.
pub fn api_routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .api(utoipa_axum::routes!(api_recent))
        .api(utoipa_axum::routes!(api_campaign))
        .api(utoipa_axum::routes!(api_training))
        .api(utoipa_axum::routes!(api_rescue))
        .api(utoipa_axum::routes!(api_shelter_work))
        .api(utoipa_axum::routes!(api_resource))
        .merge(
            crate::routing::Routes::new()
                .api(utoipa_axum::routes!(api_resource_file))
                .body_limit(passage_service::activities::MAX_RESOURCE_FILE + 1024),
        )
}

/// The kinds, as they appear in paths.
const KINDS: [&str; 5] = ["campaigns", "trainings", "rescues", "shelter-works", "resources"];

async fn activities_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let recent = state.passage.recent_activities(&s.actor, 50).await.map_err(|e| PageError::from_service(lang, e))?;
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let code_of = |id| offices.iter().find(|o| o.id == id).map(|o| o.code.clone()).unwrap_or_default();
    let may_record = passage_service::access::allowed(&s.actor, passage_service::access::Action::WriteSomewhere);
    let body = html! {
        h1 { (t(lang, "activities-title")) }
        @if may_record {
            p { @for (i, k) in KINDS.iter().enumerate() { @if i > 0 { " · " } a href=(format!("/activities/{k}")) { (t(lang, &format!("activities-new-{k}"))) } } }
        }
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "activities-date")) } th { (t(lang, "activities-kind")) } th { (t(lang, "field-office_id")) } th { (t(lang, "activities-what")) } th { (t(lang, "activities-count")) } } }
            tbody { @for a in &recent { tr {
                td { (a.on.to_string()) } td { (t(lang, &format!("activity-{}", a.kind))) } td { (code_of(a.office_id)) } td { (a.what) }
                td.num { @if let Some(n) = a.count { (crate::i18n::number(lang, n)) } }
            } } }
        } }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "activities-title"), session: Some(&s), here: "/activities" }, body)))
}

async fn activity_form(State(state): State<AppState>, headers: HeaderMap, Path(kind): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    form_page(&state, &s, lang, &kind, &FormData::default(), &[], StatusCode::OK).await
}

async fn form_page(
    state: &AppState,
    s: &Session,
    lang: Lang,
    kind: &str,
    f: &FormData,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    if !KINDS.contains(&kind) {
        return Err(PageError::from_service(lang, ServiceError::NotFound));
    }
    if !passage_service::access::allowed(&s.actor, passage_service::access::Action::WriteSomewhere) {
        return Err(PageError::from_service(lang, ServiceError::Forbidden("record activities")));
    }
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let mine = crate::page::writable_office_options(s, &offices);
    let text = |name: &str, kind: &str| {
        let v = f.get(name);
        field(lang, name, &t(lang, &format!("field-{name}")), Input::Text { value: &v, kind }, errors, None)
    };
    let office =
        field(lang, "office_id", &t(lang, "field-office_id"), Input::Select { value: &f.get("office_id"), options: mine }, errors, None);
    let choose = t(lang, "choose");
    let fields = match kind {
        "campaigns" => html! {
            (office) (text("held_on", "date"))
            (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "campaign", CampaignKind::ALL.iter().map(|k| k.as_str()), Some(&choose)) }, errors, None))
            (text("place", "text")) (text("people_reached", "text")) (text("women", "text")) (text("men", "text")) (text("girls", "text")) (text("boys", "text"))
        },
        "trainings" => html! {
            (office) (text("held_on", "date")) (text("topic", "text")) (text("participants", "text"))
            (text("government", "text")) (text("civil_society", "text")) (text("ngo", "text")) (text("health_workers", "text")) (text("border_officials", "text"))
            (text("women", "text")) (text("men", "text"))
        },
        "rescues" => html! {
            (office) (text("held_on", "date")) (text("latitude", "text")) (text("longitude", "text")) (text("people_found", "text"))
            (field(lang, "case_references", &t(lang, "field-case_references"), Input::TextArea { value: &f.get("case_references") }, errors, Some(&t(lang, "hint-case_references"))))
        },
        "shelter-works" => html! {
            (office) (text("completed_on", "date")) (text("shelter", "text"))
            (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "shelter_work", ShelterWorkKind::ALL.iter().map(|k| k.as_str()), Some(&choose)) }, errors, None))
        },
        _ => html! {
            (office) (text("title", "text"))
            (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "resource", ResourceKind::ALL.iter().map(|k| k.as_str()), Some(&choose)) }, errors, None))
            (field(lang, "countries", &t(lang, "field-countries"), Input::Text { value: &f.get("countries"), kind: "text" }, errors, Some(&t(lang, "hint-countries"))))
            (text("published_on", "date"))
            p.muted { (t(lang, "hint-resource-file")) }
        },
    };
    let title = t(lang, &format!("activities-new-{kind}"));
    let body = html! {
        h1 { (title) }
        form.card method="post" action=(format!("/activities/{kind}")) {
            (error_summary(lang, errors))
            input type="hidden" name="csrf" value=(s.csrf_token);
            div.grid { (fields) }
            p { button type="submit" { (t(lang, "activities-submit")) } }
        }
        p { a href="/activities" { (t(lang, "activities-title")) } }
    };
    Ok(html_response(status, page(Page { lang, title, session: Some(s), here: "/activities" }, body)))
}

/// Several values typed in one box: one per line, or separated by commas or semicolons.
fn list(s: &str) -> Vec<String> {
    s.split(['\n', ',', ';']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

async fn record_activity(State(state): State<AppState>, headers: HeaderMap, Path(kind): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let p = &state.passage;
    let r = match kind.as_str() {
        "campaigns" => p
            .record_campaign_event(
                &s.actor,
                &CampaignEventInput {
                    office_id: f.get("office_id"),
                    held_on: f.get("held_on"),
                    kind: f.get("kind"),
                    place: f.get("place"),
                    people_reached: f.get("people_reached"),
                    women: f.get("women"),
                    men: f.get("men"),
                    girls: f.get("girls"),
                    boys: f.get("boys"),
                },
            )
            .await
            .map(|_| ()),
        "trainings" => p
            .record_training(
                &s.actor,
                &TrainingInput {
                    office_id: f.get("office_id"),
                    held_on: f.get("held_on"),
                    topic: f.get("topic"),
                    participants: f.get("participants"),
                    government: f.get("government"),
                    civil_society: f.get("civil_society"),
                    ngo: f.get("ngo"),
                    health_workers: f.get("health_workers"),
                    border_officials: f.get("border_officials"),
                    women: f.get("women"),
                    men: f.get("men"),
                },
            )
            .await
            .map(|_| ()),
        "rescues" => p
            .record_rescue(
                &s.actor,
                &SarOperationInput {
                    office_id: f.get("office_id"),
                    held_on: f.get("held_on"),
                    latitude: f.get("latitude"),
                    longitude: f.get("longitude"),
                    people_found: f.get("people_found"),
                    case_references: list(&f.get("case_references")),
                },
            )
            .await
            .map(|_| ()),
        "shelter-works" => p
            .record_shelter_work(
                &s.actor,
                &ShelterWorkInput {
                    office_id: f.get("office_id"),
                    completed_on: f.get("completed_on"),
                    shelter: f.get("shelter"),
                    kind: f.get("kind"),
                },
            )
            .await
            .map(|_| ()),
        "resources" => p
            .record_resource(
                &s.actor,
                &ResourceInput {
                    office_id: f.get("office_id"),
                    title: f.get("title"),
                    kind: f.get("kind"),
                    countries: list(&f.get("countries")),
                    published_on: f.get("published_on"),
                },
            )
            .await
            .map(|_| ()),
        _ => Err(ServiceError::NotFound),
    };
    match r {
        Ok(()) => Ok(Redirect::to("/activities").into_response()),
        Err(ServiceError::Invalid(inv)) => form_page(&state, &s, lang, &kind, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

fn created_id(id: String) -> Response {
    crate::api::extract::created(json!({ "id": id }))
}

#[utoipa::path(
    get,
    path = "/activities",
    summary = "The latest activities that count people rather than persons, newest first (read_aggregates)",
    responses((status = 200, description = "Activities", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_recent(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(Json(state.passage.recent_activities(&s.actor, 200).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/activities/campaigns",
    summary = "Record an information campaign event in an office where I work on cases; the sex/age breakdown may be partial but not exceed the total",
    request_body = CampaignEventInput,
    responses((status = 201, description = "Recorded", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_campaign(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<CampaignEventInput>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(created_id(state.passage.record_campaign_event(&s.actor, &b).await?))
}

#[utoipa::path(
    post,
    path = "/activities/trainings",
    summary = "Record a training: participants, by organisation type and sex where known",
    request_body = TrainingInput,
    responses((status = 201, description = "Recorded", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_training(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<TrainingInput>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(created_id(state.passage.record_training(&s.actor, &b).await?))
}

#[utoipa::path(
    post,
    path = "/activities/rescues",
    summary = "Record a search-and-rescue operation: place (decimal degrees), people found, the survivors' cases I may see",
    request_body = SarOperationInput,
    responses((status = 201, description = "Recorded", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_rescue(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<SarOperationInput>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(created_id(state.passage.record_rescue(&s.actor, &b).await?))
}

#[utoipa::path(
    post,
    path = "/activities/shelter-works",
    summary = "Record a shelter renovated or refurbished",
    request_body = ShelterWorkInput,
    responses((status = 201, description = "Recorded", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_shelter_work(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<ShelterWorkInput>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(created_id(state.passage.record_shelter_work(&s.actor, &b).await?))
}

#[utoipa::path(
    post,
    path = "/activities/resources",
    summary = "Record a study, data briefing, infographic or data update for the resources library",
    request_body = ResourceInput,
    responses((status = 201, description = "Recorded", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_resource(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    crate::api::extract::ApiJson(b): crate::api::extract::ApiJson<ResourceInput>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(created_id(state.passage.record_resource(&s.actor, &b).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FileQuery {
    /// The file's name; its extension says its type.
    #[param(required = true)]
    name: String,
}

/// The file is the request body; its name (and so its type) is `?name=`.
#[utoipa::path(
    post,
    path = "/activities/resources/{id}/file",
    summary = "Attach a resource's file (the request body; PDF, CSV, XLSX, PNG, JPEG or text by the extension of ?name=, up to 20 MB)",
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    params(("id" = String, Path), FileQuery),
    responses((status = 204, description = "Attached"), (status = 403, response = crate::api::extract::Problem), (status = 413, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
async fn api_resource_file(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<FileQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    // Without ?name= the file has no type, which the service refuses after the access checks.
    let name = q.map(|Query(q)| q.name).unwrap_or_default();
    state.passage.set_resource_file(&s.actor, &id, &name, &body).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
