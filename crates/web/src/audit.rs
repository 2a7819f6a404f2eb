//! The audit trail page: who did what to which record, filterable, with the
//! chain's verification.

use crate::i18n::t;
use crate::layout::{error_summary, field, page, Input, Page};
use crate::page::{html_response, viewer, PageError, PageResult};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use maud::{html, Markup};
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/audit", audit_page)
}

async fn audit_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<passage_service::audit::AuditQuery>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let (entries, errors) = match state.passage.browse_audit(&s.actor, &q, 100).await {
        Ok(list) => (list, Vec::new()),
        Err(ServiceError::Invalid(inv)) => (Vec::new(), inv.errors),
        Err(e) => return Err(PageError::from_service(lang, e)),
    };
    let names = state.passage.audit_user_names(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let next = (entries.len() == 100).then(|| entries.last().map(|l| l.seq)).flatten();
    let text = |name: &str, value: &str, kind: &'static str| -> Markup {
        field(lang, name, &t(lang, &format!("audit-{name}")), Input::Text { value, kind }, &errors, None)
    };
    let body = html! {
        h1 { (t(lang, "audit-title")) }
        form.card method="get" action="/audit" {
            (error_summary(lang, &errors))
            div.grid {
                (text("person", &q.person, "text"))
                (text("case", &q.case, "text"))
                (text("user", &q.user, "text"))
                (text("from", &q.from, "date"))
                (text("until", &q.until, "date"))
            }
            p { button type="submit" { (t(lang, "audit-filter")) } }
        }
        @if entries.is_empty() { p.muted { (t(lang, "none-yet")) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th { "#" } th { (t(lang, "audit-at")) } th { (t(lang, "audit-user")) } th { (t(lang, "audit-action")) } th { (t(lang, "audit-record")) } th { (t(lang, "audit-changes")) } th { (t(lang, "audit-source")) } } }
                tbody { @for e in &entries { tr {
                    td { (e.seq) }
                    td dir="ltr" { (e.at) }
                    td { @if e.actor.is_empty() { (t(lang, "audit-system")) } @else { (names.get(&e.actor).cloned().unwrap_or_else(|| e.actor.clone())) } }
                    td { code { (e.action) } }
                    td dir="ltr" {
                        @if let Some(id) = e.record.strip_prefix("case:") { a href=(format!("/cases/{id}")) { (e.record) } }
                        @else if let Some(id) = e.record.strip_prefix("person:") { a href=(format!("/persons/{id}")) { (e.record) } }
                        @else { (e.record) }
                    }
                    td dir="ltr" { code.pre.break { (e.changes) } }
                    td dir="ltr" { (e.source) }
                } } }
            } }
            @if let Some(before) = next {
                p { a href=(format!("/audit?person={}&case={}&user={}&from={}&until={}&before={before}", enc(&q.person), enc(&q.case), enc(&q.user), enc(&q.from), enc(&q.until))) { (t(lang, "audit-older")) } }
            }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "audit-title"), session: Some(&s), here: "/audit" }, body)))
}

/// Percent-encode a query value (ids, usernames and dates need little, but never trust it).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
