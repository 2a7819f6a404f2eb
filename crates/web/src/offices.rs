//! Offices: the list with their load, and creating one (administrators).

use crate::form::FormData;
use crate::i18n::{self, t, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{country_options, html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::html;
use passage_domain::office::{OfficeInput, OfficeKind};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/offices", offices).post("/offices", create_office)
}

async fn offices(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    offices_page(&state, &s, lang, &FormData::default(), &[], StatusCode::OK).await
}

async fn offices_page(state: &AppState, s: &Session, lang: Lang, f: &FormData, errors: &[FieldError], status: StatusCode) -> PageResult {
    let list = state.passage.offices_with_load().await.map_err(|e| PageError::from_service(lang, e))?;
    let admin = passage_service::access::allowed(&s.actor, passage_service::access::Action::ManageOffices);
    let body = html! {
        h1 { (t(lang, "offices-title")) }
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "field-code")) } th { (t(lang, "field-name")) } th { (t(lang, "field-country")) } th { (t(lang, "field-kind")) } th { (t(lang, "offices-load")) } } }
            tbody { @for (o, open) in &list { tr {
                td { (o.code) } td { (o.name) } td { (o.country.names().in_lang(lang.code())) } td { (label(lang, "office", o.kind.as_str())) }
                // The open-case count is a figure about persons: only for those who read the office's cases.
                td { @if s.actor.rights().can(passage_domain::policy::Permission::ReadCases, o.id) { (i18n::number(lang, *open)) } @else { "—" }
                     @if let Some(cap) = o.capacity { " / " (i18n::number(lang, cap)) } }
            } } }
        } }
        @if admin {
            form.card method="post" action="/offices" {
                h2 { (t(lang, "offices-add")) }
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "code", &t(lang, "field-code"), Input::Text { value: &f.get("code"), kind: "text" }, errors, None))
                    (field(lang, "name", &t(lang, "field-name"), Input::Text { value: &f.get("name"), kind: "text" }, errors, None))
                    (field(lang, "country", &t(lang, "field-country"), Input::Select { value: &f.get("country"), options: country_options(lang, t(lang, "choose")) }, errors, None))
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "office", OfficeKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "capacity", &t(lang, "field-capacity"), Input::Text { value: &f.get("capacity"), kind: "text" }, errors, None))
                }
                p { button type="submit" { (t(lang, "offices-submit")) } }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title: t(lang, "offices-title"), session: Some(s), here: "/offices" }, body)))
}

async fn create_office(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let input = OfficeInput {
        code: f.get("code"),
        name: f.get("name"),
        country: f.get("country"),
        kind: f.get("kind"),
        capacity: f.get("capacity"),
    };
    match state.passage.create_office(&s.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/offices").into_response()),
        Err(ServiceError::Invalid(inv)) => offices_page(&state, &s, lang, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}
