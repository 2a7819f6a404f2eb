//! Movements in the browser and as files: the manifest as CSV and as a
//! printable page for the carrier and the authorities (only the fields
//! they need: name, sex, year of birth, nationality, case reference).

use crate::i18n::{t, tr, Lang};
use crate::layout::{label, page, Page};
use crate::pages::{html_response, viewer, PageError, PageResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use passage_service::movements::MovementFile;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/movements/{id}/manifest", printable)
}

const COLUMNS: [&str; 6] = ["#", "name", "sex", "birth_year", "nationality", "case_reference"];

pub fn manifest_csv(file: &MovementFile) -> Response {
    let mut w = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let mut rows = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for (i, t) in file.travellers.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            t.name.clone().unwrap_or_default(),
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
        p { a href=(format!("/api/v1/movements/{}/manifest.csv", m.id)) { (t(lang, "manifest-csv")) } }
    };
    page(Page { lang, title: t(lang, "manifest"), session: Some(s), here: "/movements" }, body)
}
