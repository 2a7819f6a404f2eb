//! Pages for a person's data requests: the printable export of everything
//! held about them (with who did what with it), and erasure of their
//! identity with a recorded reason. Who may: `handle_data_requests` in an
//! office of one of the person's cases (see `passage_service::privacy`).

use crate::cases::{assistance_table, note_list, screening_list};
use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{error_summary, field, label, page, Input, Page};
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::ids::PersonId;
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/persons/{id}/export", export).post("/persons/{id}/erase", erase)
}

/// The section on a person's page for those who handle data requests.
pub fn data_requests_section(lang: Lang, s: &Session, id: PersonId) -> Markup {
    erase_form(lang, s, id, &FormData::default(), &[])
}

fn erase_form(lang: Lang, s: &Session, id: PersonId, f: &FormData, errors: &[FieldError]) -> Markup {
    html! {
        section aria-labelledby="h-data-requests" id="data-requests" {
            h2 id="h-data-requests" { (t(lang, "privacy-title")) }
            p { a href=(format!("/persons/{id}/export")) { (t(lang, "privacy-export")) } " · "
                a href=(format!("/api/v1/persons/{id}/export")) { (t(lang, "privacy-export-json")) } }
            form.card method="post" action=(format!("/persons/{id}/erase")) {
                h3 { (t(lang, "privacy-erase")) }
                p { (t(lang, "privacy-erase-help")) }
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                (field(lang, "reason", &t(lang, "privacy-reason"), Input::Text { value: &f.get("reason"), kind: "text" }, errors, Some(&t(lang, "privacy-reason-hint"))))
                p { label { input type="checkbox" name="confirm" value="yes"; " " (t(lang, "privacy-confirm")) } }
                p { button.danger type="submit" { (t(lang, "privacy-erase-submit")) } }
            }
        }
    }
}

fn parse_person(lang: Lang, id: &str) -> Result<PersonId, PageError> {
    id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))
}

async fn export(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id = parse_person(lang, &id)?;
    let x = state.passage.export_person(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let p = &x.file.person;
    let body = html! {
        h1 { (tr(lang, "privacy-export-title", &[("name", p.display_name.clone())])) }
        p.muted { (tr(lang, "privacy-export-made", &[("when", i18n::datetime(lang, x.exported_at)), ("who", x.exported_by.clone())])) }
        h2 { (t(lang, "privacy-identity")) }
        dl.facts {
            dt { (t(lang, "field-names-family")) } dd { (p.names.iter().map(|n| n.display()).collect::<Vec<_>>().join("; ")) }
            dt { (t(lang, "field-sex")) } dd { (label(lang, "sex", p.sex.as_str())) }
            dt { (t(lang, "field-birth_date")) } dd { (p.birth_date.map(|b| b.date.to_string()).unwrap_or_else(|| "—".into())) }
            dt { (t(lang, "field-nationality")) } dd { (p.nationality.map(|n| n.names().in_lang(lang.code()).to_string()).unwrap_or_else(|| "—".into())) }
            dt { (t(lang, "field-phone")) } dd { (p.phone.clone().unwrap_or_else(|| "—".into())) }
            dt { (t(lang, "privacy-documents")) } dd { (p.documents.iter().map(|d| format!("{} {}", label(lang, "doc", d.kind.as_str()), d.number)).collect::<Vec<_>>().join("; ")) }
        }
        h2 { (t(lang, "consents")) }
        ul { @for k in &x.file.consents { li { (label(lang, "consent", k.kind.as_str())) @if let Some(pt) = &k.partner { " — " (pt) } " · " (i18n::date(lang, k.given_on))
            @if let Some(w) = k.withdrawn_on { " · " (tr(lang, "consent-withdrawn-on", &[("date", i18n::date(lang, w))])) } } } }
        h2 { (t(lang, "privacy-cases")) }
        ul { @for c in &x.file.cases { li { (c.reference) " · " (label(lang, "kind", c.kind.as_str())) " · " (c.office_code) " · " (label(lang, "status", c.status.as_str())) " · " (i18n::date(lang, c.opened_on)) } } }
        h2 { (t(lang, "case-screenings")) } (screening_list(lang, &x.file.screenings))
        h2 { (t(lang, "case-assistance")) } (assistance_table(lang, &x.file.assistance))
        h2 { (t(lang, "case-notes")) } (note_list(lang, &x.file.notes))
        h2 { (t(lang, "privacy-audit")) }
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "audit-at")) } th { (t(lang, "audit-action")) } th { (t(lang, "audit-record")) } } }
            tbody { @for l in &x.audit { tr { td { (l.at) } td { (l.action) } td { (l.record) } } } }
        } }
    };
    Ok(html_response(
        StatusCode::OK,
        page(Page { lang, title: t(lang, "privacy-title"), session: Some(&s), here: &format!("/persons/{id}") }, body),
    ))
}

async fn erase(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = parse_person(lang, &id)?;
    let again = |errors: Vec<FieldError>| {
        let form = erase_form(lang, &s, id, &f, &errors);
        html_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(Page { lang, title: t(lang, "privacy-title"), session: Some(&s), here: &format!("/persons/{id}") }, form),
        )
    };
    if f.get("confirm") != "yes" {
        return Ok(again(vec![FieldError::new("confirm", "err-confirm")]));
    }
    match state.passage.erase_person(&s.actor, id, &f.get("reason")).await {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(ServiceError::Invalid(inv)) => Ok(again(inv.errors)),
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}
