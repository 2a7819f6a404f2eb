//! Movements in the browser and as files: the list and the planning form,
//! a movement's page (manifest, boarding, departure and arrival), and the
//! manifest as CSV and as a printable page for the carrier and the
//! authorities (only the fields they need: name, sex, year of birth,
//! nationality, case reference).

use crate::form::FormData;
use crate::i18n::{t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{after_post, html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use passage_domain::ids::MovementId;
use passage_domain::movement::{MovementInput, MovementKind, MovementStatus, TravellerStatus};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::movements::MovementFile;
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/movements", list)
        .post("/movements", create)
        .get("/movements/{id}", detail)
        .post("/movements/{id}/travellers", add_traveller)
        .post("/movements/{id}/travellers/{case_id}/status", traveller_status)
        .post("/movements/{id}/status", movement_status)
        .get("/movements/{id}/manifest", printable)
        .post("/cases/{id}/handover", request_handover)
        .post("/handovers/{id}/accept", accept_handover)
        .post("/handovers/{id}/decline", decline_handover)
}

async fn request_handover(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let case: passage_domain::ids::CaseId = parse_id(lang, &id)?;
    let r = state.passage.request_handover(&s.actor, case, &f.get("to_office")).await.map(|_| ());
    after_post(lang, format!("/cases/{case}"), r)
}

async fn accept_handover(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let case = state.passage.accept_handover(&s.actor, &id).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to(&format!("/cases/{case}")).into_response())
}

async fn decline_handover(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let r = state.passage.decline_handover(&s.actor, &id, &f.get("reason")).await;
    after_post(lang, "/".into(), r)
}

// ---------------------------------------------------------------- pages

fn parse_id<T: std::str::FromStr>(lang: Lang, s: &str) -> Result<T, PageError> {
    s.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))
}

async fn list_page(state: &AppState, s: &Session, lang: Lang, f: &FormData, errors: &[FieldError], status: StatusCode) -> PageResult {
    let list = state.passage.movements(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let rights = s.actor.rights();
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let mine: Vec<(String, String)> = offices
        .iter()
        .filter(|o| rights.can(passage_domain::policy::Permission::ManageMovements, o.id))
        .map(|o| (o.id.to_string(), format!("{} — {}", o.code, o.name)))
        .collect();
    let body = html! {
        h1 { (t(lang, "movements-title")) }
        @if list.is_empty() { p.muted { (t(lang, "none-yet")) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th { (t(lang, "movements-departure")) } th { (t(lang, "field-kind")) } th { (t(lang, "movements-route")) } th { (t(lang, "movements-seats")) } th { (t(lang, "case-status")) } } }
                tbody { @for m in &list { tr {
                    td { a href=(format!("/movements/{}", m.id)) { (m.departure_on.to_string()) } }
                    td { (label(lang, "movement", m.kind.as_str())) }
                    td { (m.origin) " → " (m.destination) " (" (m.destination_country) ")" }
                    td { (m.seats_held) " / " (m.capacity) }
                    td { (label(lang, "movement-status", m.status.as_str())) }
                } } }
            } }
        }
        @if !mine.is_empty() {
            form.card method="post" action="/movements" {
                h2 { (t(lang, "movements-plan")) }
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "movement", MovementKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "office_id", &t(lang, "field-office"), Input::Select { value: &f.get("office_id"), options: mine }, errors, None))
                    (field(lang, "origin", &t(lang, "movements-origin"), Input::Text { value: &f.get("origin"), kind: "text" }, errors, None))
                    (field(lang, "transit", &t(lang, "movements-transit"), Input::Text { value: &f.get("transit"), kind: "text" }, errors, Some(&t(lang, "movements-transit-hint"))))
                    (field(lang, "destination_country", &t(lang, "movements-destination-country"), Input::Select { value: &f.get("destination_country"), options: crate::page::country_options(lang, t(lang, "choose")) }, errors, None))
                    (field(lang, "destination", &t(lang, "movements-destination"), Input::Text { value: &f.get("destination"), kind: "text" }, errors, None))
                    (field(lang, "departure_on", &t(lang, "movements-departure"), Input::Text { value: &f.get("departure_on"), kind: "date" }, errors, None))
                    (field(lang, "arrival_on", &t(lang, "movements-arrival"), Input::Text { value: &f.get("arrival_on"), kind: "date" }, errors, None))
                    (field(lang, "capacity", &t(lang, "movements-capacity"), Input::Text { value: &f.get("capacity"), kind: "text" }, errors, None))
                    (field(lang, "escorts", &t(lang, "movements-escorts"), Input::Text { value: &f.get("escorts"), kind: "text" }, errors, None))
                }
                p { button type="submit" { (t(lang, "movements-submit")) } }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title: t(lang, "movements-title"), session: Some(s), here: "/movements" }, body)))
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    list_page(&state, &s, lang, &FormData::default(), &[], StatusCode::OK).await
}

async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let input = MovementInput {
        kind: f.get("kind"),
        office_id: f.get("office_id"),
        origin: f.get("origin"),
        transit: f.get("transit").split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect(),
        destination_country: f.get("destination_country"),
        destination: f.get("destination"),
        departure_on: f.get("departure_on"),
        arrival_on: f.get("arrival_on"),
        capacity: f.get("capacity"),
        escorts: f.get("escorts"),
    };
    match state.passage.create_movement(&s.actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/movements/{id}")).into_response()),
        Err(ServiceError::Invalid(inv)) => list_page(&state, &s, lang, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn detail_page(state: &AppState, s: &Session, lang: Lang, id: MovementId, errors: &[FieldError], status: StatusCode) -> PageResult {
    let file = state.passage.movement(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let m = &file.movement;
    let manage = s.actor.rights().can(passage_domain::policy::Permission::ManageMovements, m.office_id);
    let next: Vec<&MovementStatus> = MovementStatus::ALL.iter().filter(|to| m.status.can_become(**to)).collect();
    let body = html! {
        p { a href="/movements" { "← " (t(lang, "movements-title")) } }
        h1 { (label(lang, "movement", m.kind.as_str())) " · " (m.departure_on.to_string()) }
        div.card { dl.facts {
            dt { (t(lang, "movements-route")) } dd { (m.origin) " → " @for tp in &m.transit { (tp) " → " } (m.destination) " (" (m.destination_country) ")" }
            dt { (t(lang, "movements-seats")) } dd { (m.seats_held) " / " (m.capacity) }
            dt { (t(lang, "case-status")) } dd { (label(lang, "movement-status", m.status.as_str())) }
        } }
        (error_summary(lang, errors))
        h2 { (t(lang, "manifest")) }
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "field-name")) } th { (t(lang, "manifest-reference")) } th { (t(lang, "case-status")) } th {} } }
            tbody { @for tv in &file.travellers { tr {
                td { (tv.name.clone().unwrap_or_else(|| "—".into())) }
                td { a href=(format!("/cases/{}", tv.case_id)) { (tv.reference) } }
                td { (label(lang, "traveller", tv.status.as_str())) }
                td { @if manage && m.status == MovementStatus::Planned {
                    @for to in [TravellerStatus::Boarded, TravellerStatus::NoShow, TravellerStatus::Offloaded] {
                        @if tv.status.can_become(to) {
                            form.inline method="post" action=(format!("/movements/{id}/travellers/{}/status", tv.case_id)) {
                                input type="hidden" name="csrf" value=(s.csrf_token);
                                input type="hidden" name="status" value=(to.as_str());
                                button.secondary type="submit" { (label(lang, "traveller", to.as_str())) }
                            }
                        }
                    }
                } }
            } } }
        } }
        @if manage {
            p { a href=(format!("/movements/{id}/manifest")) { (t(lang, "manifest-print")) } " · " a href=(format!("/api/v1/movements/{id}/manifest.csv")) { (t(lang, "manifest-csv")) } }
            @if m.status == MovementStatus::Planned {
                form.card method="post" action=(format!("/movements/{id}/travellers")) {
                    h3 { (t(lang, "movements-add-traveller")) }
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    label for="f-case_id" { (t(lang, "movements-case")) }
                    input #f-case_id name="case_id" type="text" placeholder="NER-AGZ-2026-000123";
                    p { button type="submit" { (t(lang, "movements-add")) } }
                }
            }
            @for to in next {
                form.inline method="post" action=(format!("/movements/{id}/status")) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    input type="hidden" name="status" value=(to.as_str());
                    button type="submit" { (label(lang, "movement-to", to.as_str())) }
                }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title: t(lang, "movements-title"), session: Some(s), here: "/movements" }, body)))
}

async fn detail(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id = parse_id(lang, &id)?;
    detail_page(&state, &s, lang, id, &[], StatusCode::OK).await
}

/// After an action on a movement: back to it, or its page with the errors.
async fn after(state: &AppState, s: &Session, lang: Lang, id: MovementId, r: Result<(), ServiceError>) -> PageResult {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/movements/{id}")).into_response()),
        Err(ServiceError::Invalid(inv)) => detail_page(state, s, lang, id, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn add_traveller(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = parse_id(lang, &id)?;
    let r = state.passage.manifest(&s.actor, id, &f.get("case_id")).await;
    after(&state, &s, lang, id, r).await
}

async fn traveller_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, case)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = parse_id(lang, &id)?;
    let case = parse_id(lang, &case)?;
    let r = state.passage.set_traveller(&s.actor, id, case, &f.get("status")).await;
    after(&state, &s, lang, id, r).await
}

async fn movement_status(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = parse_id(lang, &id)?;
    let r = state.passage.set_movement_status(&s.actor, id, &f.get("status")).await;
    after(&state, &s, lang, id, r).await
}

const COLUMNS: [&str; 6] = ["#", "name", "sex", "birth_year", "nationality", "case_reference"];
/// The columns' HXL hashtags, for `?hxl=true`.
const HXL: [&str; 6] =
    ["#meta+row", "#beneficiary+name", "#beneficiary+sex", "#beneficiary+birth_year", "#country+code+nationality", "#meta+case"];

pub fn manifest_csv(file: &MovementFile, hxl: bool) -> Response {
    let mut w = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let mut rows = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    if hxl {
        rows.push(HXL.iter().map(|c| c.to_string()).collect());
    }
    for (i, t) in file.travellers.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            passage_domain::text::spreadsheet_safe(t.name.as_deref().unwrap_or_default()).into_owned(),
            t.sex.clone().unwrap_or_default(),
            t.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            t.nationality.clone().unwrap_or_default(),
            t.reference.clone(),
        ]);
    }
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(&r);
    }
    let body = w.into_inner().unwrap_or_default();
    let name = format!("manifest-{}-{}.csv", file.movement.departure_on, &file.movement.id.to_string()[..8]);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

/// The manifest as an XLSX workbook (one sheet, the same columns as the CSV).
pub fn manifest_xlsx(file: &MovementFile, hxl: bool) -> Response {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    let mut write = || -> Result<(), rust_xlsxwriter::XlsxError> {
        sheet.set_name("Manifest")?;
        for (c, h) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
            if hxl {
                sheet.write_string(1, c as u16, HXL[c])?;
            }
        }
        let first = if hxl { 2 } else { 1 };
        for (i, t) in file.travellers.iter().enumerate() {
            let r = (i + first) as u32;
            sheet.write_number(r, 0, (i + 1) as f64)?;
            sheet.write_string(r, 1, t.name.clone().unwrap_or_default())?;
            sheet.write_string(r, 2, t.sex.clone().unwrap_or_default())?;
            if let Some(y) = t.birth_year {
                sheet.write_number(r, 3, y as f64)?;
            }
            sheet.write_string(r, 4, t.nationality.clone().unwrap_or_default())?;
            sheet.write_string(r, 5, &t.reference)?;
        }
        sheet.autofit();
        Ok(())
    };
    let written = write().and_then(|_| book.save_to_buffer());
    match written {
        Ok(bytes) => {
            let name = format!("manifest-{}-{}.xlsx", file.movement.departure_on, &file.movement.id.to_string()[..8]);
            (
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot write a manifest workbook");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn printable(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id = id.parse().map_err(|_| PageError::from_service(lang, passage_service::ServiceError::NotFound))?;
    let file = state.passage.export_manifest(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(html_response(StatusCode::OK, manifest_page(lang, &s, &file)))
}

fn manifest_page(lang: Lang, s: &passage_service::auth::Session, f: &MovementFile) -> maud::Markup {
    let m = &f.movement;
    let body = html! {
        h1 { (tr(lang, "manifest-title", &[("kind", label(lang, "movement", m.kind.as_str())), ("date", m.departure_on.to_string())])) }
        p { (m.origin) " → " @for tp in &m.transit { (tp) " → " } (m.destination) " (" (m.destination_country) ")" }
        p { (tr(lang, "manifest-count", &[("n", f.travellers.len().to_string()), ("capacity", m.capacity.to_string())])) }
        table {
            thead { tr { th { "#" } th { (t(lang, "field-name")) } th { (t(lang, "field-sex")) } th { (t(lang, "manifest-birth-year")) } th { (t(lang, "field-nationality")) } th { (t(lang, "manifest-reference")) } } }
            tbody { @for (i, tr_) in f.travellers.iter().enumerate() { tr {
                td { (i + 1) } td { (tr_.name.clone().unwrap_or_else(|| "—".into())) } td { (tr_.sex.as_deref().map(|x| label(lang, "sex", x)).unwrap_or_default()) }
                td { (tr_.birth_year.map(|y| y.to_string()).unwrap_or_default()) } td { (tr_.nationality.clone().unwrap_or_default()) } td { (tr_.reference) }
            } } }
        }
        p { a href=(format!("/api/v1/movements/{}/manifest.csv", m.id)) { (t(lang, "manifest-csv")) } " · " a href=(format!("/api/v1/movements/{}/manifest.xlsx", m.id)) { (t(lang, "manifest-xlsx")) } }
    };
    page(Page { lang, title: t(lang, "manifest"), session: Some(s), here: "/movements" }, body)
}
