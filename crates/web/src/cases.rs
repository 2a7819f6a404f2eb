//! The case page: a summary that reads at a glance (who, where the case
//! stands, what is urgent, the next action), a dated timeline of everything
//! recorded, and the forms of the case, one open at a time.

use crate::form::FormData;
use crate::i18n::{self, t, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::assistance::{AssistanceInput, AssistanceKind};
use passage_domain::case::{CaseStatus, StatusChangeInput};
use passage_domain::codes::Currency;
use passage_domain::ids::CaseId;
use passage_domain::note::NoteInput;
use passage_domain::screening::{ExploitationType, ScreeningInput, VulnerabilityCategory};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/cases/{id}", case_page)
        .post("/cases/{id}/screenings", add_screening)
        .post("/cases/{id}/assistance", add_assistance)
        .post("/cases/{id}/notes", add_note)
        .post("/cases/{id}/status", change_status)
        .post("/cases/{id}/journey/steps/{step}", record_step)
}

pub(crate) fn screening_list(lang: Lang, list: &[passage_storage::records::ScreeningRecord]) -> Markup {
    html! {
        @if list.is_empty() { p.muted { (t(lang, "none-yet")) } }
        ul { @for sc in list { li {
            strong { (i18n::date(lang, sc.screened_on)) } " — "
            @if sc.findings.is_empty() { (t(lang, "screening-nothing")) } @else { (sc.findings.iter().map(|f| label(lang, "finding", f.as_str())).collect::<Vec<_>>().join(", ")) }
            @if !sc.exploitation.is_empty() { " (" (sc.exploitation.iter().map(|f| label(lang, "exploitation", f.as_str())).collect::<Vec<_>>().join(", ")) ")" }
            span.muted { " · " (sc.screened_by) }
        } } }
    }
}

pub(crate) fn assistance_table(lang: Lang, list: &[passage_storage::records::AssistanceRecord]) -> Markup {
    html! {
        @if list.is_empty() { p.muted { (t(lang, "none-yet")) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th { (t(lang, "field-provided_on")) } th { (t(lang, "field-kind")) } th { (t(lang, "field-quantity")) } th { (t(lang, "field-place")) } th { (t(lang, "field-provider")) } } }
                tbody { @for a in list { tr {
                    td { (i18n::date(lang, a.provided_on)) }
                    td { (label(lang, "assistance", a.kind.as_str())) }
                    td { (i18n::number(lang, a.quantity)) " " (label(lang, "unit", a.unit.as_str())) @if let (Some(c), Some(cur)) = (a.cost, a.currency) { " · " (i18n::number(lang, c)) " " (cur.code()) } }
                    td { (a.place.clone().unwrap_or_default()) }
                    td { (a.provider.clone().unwrap_or_else(|| t(lang, "provider-own"))) }
                } } }
            } }
        }
    }
}

pub(crate) fn note_list(lang: Lang, list: &[passage_storage::records::NoteRecord]) -> Markup {
    html! {
        @if list.is_empty() { p.muted { (t(lang, "none-yet")) } }
        @for n in list { div.card { p.muted { (i18n::datetime(lang, n.created_at)) " · " (n.author) } p.pre { (n.body) } } }
    }
}

#[derive(Default)]
struct CaseForms<'a> {
    which: &'a str,
    form: Option<&'a FormData>,
    errors: &'a [FieldError],
}

async fn case_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id: CaseId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    render_case(&state, &s, lang, id, CaseForms::default(), StatusCode::OK).await
}

async fn render_case(state: &AppState, s: &Session, lang: Lang, id: CaseId, forms: CaseForms<'_>, status: StatusCode) -> PageResult {
    let file = state.passage.case_file(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let c = &file.case;
    let empty = FormData::default();
    let val = |which: &str, k: &str| {
        if forms.which == which {
            forms.form.unwrap_or(&empty).get(k)
        } else {
            String::new()
        }
    };
    let errs = |which: &str| {
        if forms.which == which {
            forms.errors
        } else {
            &[][..]
        }
    };
    let today = passage_domain::date::CalendarDate::today().to_string();
    let or_today = |v: String| if v.is_empty() { today.clone() } else { v };
    let findings_checked = |code: &str| forms.which == "screening" && forms.form.map(|f| f.has("findings", code)).unwrap_or(false);
    let exploitation_checked = |code: &str| forms.which == "screening" && forms.form.map(|f| f.has("exploitation", code)).unwrap_or(false);
    let next: Vec<&CaseStatus> = CaseStatus::ALL.iter().filter(|to| c.status.can_become(**to)).collect();
    let reintegration = crate::reintegration::case_section(state, s, lang, c).await?;
    let journey = if c.kind == passage_domain::case::CaseKind::AssistedVoluntaryReturn {
        Some(state.passage.journey(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?)
    } else {
        None
    };
    let body = html! {
        p { a href=(format!("/persons/{}", c.person_id)) { "← " (c.person_name) } }
        h1 { (t(lang, "case")) " " (c.reference) }
        div.card { dl.facts {
            dt { (t(lang, "field-kind")) } dd { (label(lang, "kind", c.kind.as_str())) }
            dt { (t(lang, "case-status")) } dd { (label(lang, "status", c.status.as_str())) }
            dt { (t(lang, "case-priority")) } dd { span class=(format!("badge {}", c.priority.as_str())) { (label(lang, "priority", c.priority.as_str())) } }
            dt { (t(lang, "case-sensitivity")) } dd { span class=(format!("badge {}", c.sensitivity.as_str())) { (label(lang, "sensitivity", c.sensitivity.as_str())) } }
            dt { (t(lang, "case-office")) } dd { (c.office_code) }
            dt { (t(lang, "case-assigned")) } dd { (c.assigned_name.clone().unwrap_or_else(|| "—".into())) }
            dt { (t(lang, "case-opened")) } dd { (i18n::date(lang, c.opened_on)) }
        } }

        section aria-labelledby="h-screening" {
            h2 id="h-screening" { (t(lang, "case-screenings")) }
            (screening_list(lang, &file.screenings))
            form.card method="post" action=(format!("/cases/{id}/screenings")) id="screening" {
                h3 { (t(lang, "screening-record")) }
                (error_summary(lang, errs("screening")))
                input type="hidden" name="csrf" value=(s.csrf_token);
                (field(lang, "screened_on", &t(lang, "field-screened_on"), Input::Text { value: &or_today(val("screening", "screened_on")), kind: "date" }, errs("screening"), None))
                fieldset.checks { legend { (t(lang, "field-findings")) }
                    @for f in VulnerabilityCategory::ALL { label { input type="checkbox" name="findings" value=(f.as_str()) checked[findings_checked(f.as_str())]; (label(lang, "finding", f.as_str())) } }
                }
                fieldset.checks id="f-exploitation" { legend { (t(lang, "field-exploitation")) }
                    @for m in crate::layout::field_errors(lang, errs("screening"), "exploitation") { p.error { (m) } }
                    @for e in ExploitationType::ALL { label { input type="checkbox" name="exploitation" value=(e.as_str()) checked[exploitation_checked(e.as_str())]; (label(lang, "exploitation", e.as_str())) } }
                }
                (field(lang, "notes", &t(lang, "field-notes"), Input::TextArea { value: &val("screening", "notes") }, errs("screening"), None))
                p { button type="submit" { (t(lang, "screening-submit")) } }
            }
        }

        section aria-labelledby="h-assistance" {
            h2 id="h-assistance" { (t(lang, "case-assistance")) }
            (assistance_table(lang, &file.assistance))
            form.card method="post" action=(format!("/cases/{id}/assistance")) id="assistance" {
                h3 { (t(lang, "assistance-record")) }
                (error_summary(lang, errs("assistance")))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &val("assistance", "kind"), options: code_options(lang, "assistance", AssistanceKind::ALL.iter().map(|k| k.as_str()), None) }, errs("assistance"), None))
                    (field(lang, "provided_on", &t(lang, "field-provided_on"), Input::Text { value: &or_today(val("assistance", "provided_on")), kind: "date" }, errs("assistance"), None))
                    (field(lang, "quantity", &t(lang, "field-quantity"), Input::Text { value: &val("assistance", "quantity"), kind: "text" }, errs("assistance"), Some(&t(lang, "hint-quantity"))))
                    (field(lang, "place", &t(lang, "field-place"), Input::Text { value: &val("assistance", "place"), kind: "text" }, errs("assistance"), None))
                    (field(lang, "provider", &t(lang, "field-provider"), Input::Text { value: &val("assistance", "provider"), kind: "text" }, errs("assistance"), Some(&t(lang, "hint-provider"))))
                    (field(lang, "cost", &t(lang, "field-cost"), Input::Text { value: &val("assistance", "cost"), kind: "text" }, errs("assistance"), None))
                    (field(lang, "currency", &t(lang, "field-currency"), Input::Select { value: &val("assistance", "currency"), options: std::iter::once((String::new(), t(lang, "none"))).chain(Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string()))).collect() }, errs("assistance"), None))
                }
                p { button type="submit" { (t(lang, "assistance-submit")) } }
            }
        }

        @if let Some(j) = &journey { (crate::returns::journey_section(lang, s, j, errs("journey"))) }
        (reintegration)

        section aria-labelledby="h-notes" {
            h2 id="h-notes" { (t(lang, "case-notes")) }
            form.card method="post" action=(format!("/cases/{id}/notes")) id="note" {
                (error_summary(lang, errs("note")))
                input type="hidden" name="csrf" value=(s.csrf_token);
                (field(lang, "body", &t(lang, "field-body"), Input::TextArea { value: &val("note", "body") }, errs("note"), None))
                p { button type="submit" { (t(lang, "note-submit")) } }
            }
            (note_list(lang, &file.notes))
        }

        section aria-labelledby="h-status" {
            h2 id="h-status" { (t(lang, "case-status")) }
            @if !next.is_empty() {
                form.card method="post" action=(format!("/cases/{id}/status")) id="status" {
                    (error_summary(lang, errs("status")))
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    (field(lang, "status", &t(lang, "status-new"), Input::Select { value: &val("status", "status"), options: next.iter().map(|s| (s.as_str().to_string(), label(lang, "status", s.as_str()))).collect() }, errs("status"), None))
                    (field(lang, "reason", &t(lang, "field-reason"), Input::Text { value: &val("status", "reason"), kind: "text" }, errs("status"), Some(&t(lang, "hint-reason"))))
                    p { button type="submit" { (t(lang, "status-submit")) } }
                }
            }
            ol { @for h in &file.history { li { (i18n::datetime(lang, h.changed_at)) " — " (label(lang, "status", h.to_status.as_str())) " · " (h.changed_by) @if let Some(r) = &h.reason { " · " (r) } } } }
        }
    };
    Ok(html_response(status, page(Page { lang, title: c.reference.clone(), session: Some(s), here: &format!("/cases/{id}") }, body)))
}

/// Handle a form posted on the case page: success goes back to the case,
/// a validation error shows the case again with that form filled in.
async fn case_post<F, Fut>(state: AppState, headers: HeaderMap, id: String, body: Bytes, which: &'static str, act: F) -> PageResult
where
    F: FnOnce(AppState, Session, CaseId, FormData) -> Fut,
    Fut: std::future::Future<Output = Result<(), ServiceError>>,
{
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id: CaseId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let kept = f.clone();
    match act(state.clone(), s.clone(), id, f).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}#h-{}", if which == "note" { "notes" } else { which })).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            render_case(&state, &s, lang, id, CaseForms { which, form: Some(&kept), errors: &inv.errors }, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn record_step(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    case_post(state, headers, id, body, "journey", |st, s, id, f| async move {
        let input = passage_service::returns::StepInput {
            action: f.get("action"),
            evidence: f.get("evidence"),
            reason: f.get("reason"),
            fit_to_travel: f.get("fit_to_travel"),
            escort: f.get("escort"),
            on: f.get("on"),
        };
        st.passage.record_step(&s.actor, id, &step, &input).await
    })
    .await
}

async fn add_screening(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    case_post(state, headers, id, body, "screening", |st, s, id, f| async move {
        let input = ScreeningInput {
            screened_on: f.get("screened_on"),
            findings: f.all("findings"),
            exploitation: f.all("exploitation"),
            notes: f.get("notes"),
        };
        st.passage.record_screening(&s.actor, id, &input).await.map(|_| ())
    })
    .await
}

async fn add_assistance(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    case_post(state, headers, id, body, "assistance", |st, s, id, f| async move {
        let input = AssistanceInput {
            kind: f.get("kind"),
            provided_on: f.get("provided_on"),
            quantity: f.get("quantity"),
            place: f.get("place"),
            provider: f.get("provider"),
            cost: f.get("cost"),
            currency: f.get("currency"),
        };
        st.passage.record_assistance(&s.actor, id, &input).await.map(|_| ())
    })
    .await
}

async fn add_note(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    case_post(state, headers, id, body, "note", |st, s, id, f| async move {
        st.passage.add_note(&s.actor, id, &NoteInput { body: f.get("body") }).await.map(|_| ())
    })
    .await
}

async fn change_status(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    case_post(state, headers, id, body, "status", |st, s, id, f| async move {
        st.passage.change_status(&s.actor, id, &StatusChangeInput { status: f.get("status"), reason: f.get("reason") }).await.map(|_| ())
    })
    .await
}

/// A list of cases: reference, person, kind, status, priority, office.
pub(crate) fn case_table(lang: Lang, cases: &[passage_storage::records::CaseRecord]) -> Markup {
    html! {
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "case-reference")) } th { (t(lang, "person")) } th { (t(lang, "field-kind")) } th { (t(lang, "case-status")) } th { (t(lang, "case-priority")) } th { (t(lang, "case-office")) } } }
            tbody {
                @for c in cases {
                    tr {
                        td { a href=(format!("/cases/{}", c.id)) { (c.reference) } }
                        td { a href=(format!("/persons/{}", c.person_id)) { (c.person_name) } }
                        td { (label(lang, "kind", c.kind.as_str())) }
                        td { (label(lang, "status", c.status.as_str())) }
                        td { span class=(format!("badge {}", c.priority.as_str())) { (label(lang, "priority", c.priority.as_str())) } }
                        td { (c.office_code) }
                    }
                }
            }
        } }
    }
}
