//! The case page: a summary that reads at a glance (who, where the case
//! stands, what is urgent, the next action), a dated timeline of everything
//! recorded, and the forms of the case, one open at a time.

use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::assistance::{AssistanceInput, AssistanceKind};
use passage_domain::case::{CaseStatus, StatusChangeInput};
use passage_domain::codes::Currency;
use passage_domain::ids::CaseId;
use passage_domain::next_action::NextAction;
use passage_domain::note::NoteInput;
use passage_domain::screening::{ExploitationType, ScreeningInput, VulnerabilityCategory};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::overview::TimelineKind;
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
    /// The timeline's filter (a kind of entry), or "" for everything.
    show: &'a str,
}

async fn case_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id: CaseId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let show = q.get("show").map(String::as_str).unwrap_or("");
    render_case(&state, &s, lang, id, CaseForms { show, ..Default::default() }, StatusCode::OK).await
}

async fn render_case(state: &AppState, s: &Session, lang: Lang, id: CaseId, forms: CaseForms<'_>, status: StatusCode) -> PageResult {
    let o = state.passage.case_overview(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let file = &o.file;
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
    // The form that came back with errors is the one open; the others wait closed.
    let open = |which: &str| forms.which == which;
    let today = passage_domain::date::CalendarDate::today().to_string();
    let or_today = |v: String| if v.is_empty() { today.clone() } else { v };
    let findings_checked = |code: &str| forms.which == "screening" && forms.form.map(|f| f.has("findings", code)).unwrap_or(false);
    let exploitation_checked = |code: &str| forms.which == "screening" && forms.form.map(|f| f.has("exploitation", code)).unwrap_or(false);
    let next: Vec<&CaseStatus> = CaseStatus::ALL.iter().filter(|to| c.status.can_become(**to)).collect();
    let reintegration = crate::reintegration::case_section(state, s, lang, c, &o.visits, &o.referrals).await?;
    let writes = s.actor.rights().can(passage_domain::policy::Permission::WriteCases, c.office_id);
    let show = TimelineKind::parse("show", forms.show).ok();
    let p = &o.person;
    let protection: Vec<String> =
        passage_domain::screening::protection_flags(&o.findings).iter().map(|f| label(lang, "finding", f.as_str())).collect();
    let (next_text, next_link) = next_action_text(lang, &o.next, c);
    let body = html! {
        p { a href=(format!("/persons/{}", c.person_id)) { "← " (c.person_name) } }
        h1 { (t(lang, "case")) " " (c.reference) }
        // What a caseworker needs in the first screen of a phone.
        section.card.summary aria-labelledby="h-summary" {
            h2.visually-hidden id="h-summary" { (t(lang, "case-summary")) }
            p.person-line {
                strong { bdi { (p.display_name) } }
                @if let Some(age) = o.age { " · " (tr(lang, "person-age", &[("years", age.to_string())])) }
                " · " (label(lang, "sex", p.sex.as_str()))
                @if let Some(n) = p.nationality { " · " (n.names().in_lang(lang.code())) }
            }
            p.standing {
                (label(lang, "kind", c.kind.as_str())) " · "
                strong { (label(lang, "status", c.status.as_str())) } " · "
                bdi { (c.office_code) } " · "
                bdi { (c.assigned_name.clone().unwrap_or_else(|| t(lang, "case-unassigned"))) }
                " " span class=(format!("badge {}", c.priority.as_str())) { (label(lang, "priority", c.priority.as_str())) }
                " " span class=(format!("badge {}", c.sensitivity.as_str())) { (label(lang, "sensitivity", c.sensitivity.as_str())) }
            }
            ul.alerts {
                @if !protection.is_empty() { li.alert { (tr(lang, "case-alert-protection", &[("flags", protection.join(", "))])) } }
                @if o.visits_overdue > 0 { li.alert { a href="#reintegration" { (tr(lang, "case-alert-visits-overdue", &[("count", o.visits_overdue.to_string())])) } } }
                @if o.referrals_overdue > 0 { li.alert { a href="#referrals" { (tr(lang, "case-alert-referrals-overdue", &[("count", o.referrals_overdue.to_string())])) } } }
                @if o.referrals_pending > o.referrals_overdue { li { a href="#referrals" { (tr(lang, "case-alert-referrals-pending", &[("count", (o.referrals_pending - o.referrals_overdue).to_string())])) } } }
                @if !o.missing_consents.is_empty() {
                    li.alert { a href=(format!("/persons/{}#consent", c.person_id)) {
                        (tr(lang, "case-alert-consents", &[("kinds", o.missing_consents.iter().map(|k| label(lang, "consent", k.as_str())).collect::<Vec<_>>().join(", "))]))
                    } }
                }
            }
            @if let Some(text) = next_text {
                p.next { strong { (t(lang, "next-title")) ": " } @if let Some(href) = next_link { a href=(href) { (text) } } @else { (text) } }
            }
        }

        @if writes {
            section.case-forms aria-labelledby="h-record" {
                h2 id="h-record" { (t(lang, "case-record")) }
                details.panel name="case-forms" open[open("screening")] {
                    summary { (t(lang, "screening-record")) }
                    form method="post" action=(format!("/cases/{id}/screenings")) id="screening" {
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
                details.panel name="case-forms" open[open("assistance")] {
                    summary { (t(lang, "assistance-record")) }
                    form method="post" action=(format!("/cases/{id}/assistance")) id="assistance" {
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
                details.panel name="case-forms" open[open("note")] {
                    summary { (t(lang, "form-note")) }
                    form method="post" action=(format!("/cases/{id}/notes")) id="note" {
                        (error_summary(lang, errs("note")))
                        input type="hidden" name="csrf" value=(s.csrf_token);
                        (field(lang, "body", &t(lang, "field-body"), Input::TextArea { value: &val("note", "body") }, errs("note"), None))
                        p { button type="submit" { (t(lang, "note-submit")) } }
                    }
                }
                @if !next.is_empty() {
                    details.panel name="case-forms" open[open("status")] {
                        summary { (t(lang, "form-status")) }
                        form method="post" action=(format!("/cases/{id}/status")) id="status" {
                            (error_summary(lang, errs("status")))
                            input type="hidden" name="csrf" value=(s.csrf_token);
                            (field(lang, "status", &t(lang, "status-new"), Input::Select { value: &val("status", "status"), options: next.iter().map(|s| (s.as_str().to_string(), label(lang, "status", s.as_str()))).collect() }, errs("status"), None))
                            (field(lang, "reason", &t(lang, "field-reason"), Input::Text { value: &val("status", "reason"), kind: "text" }, errs("status"), Some(&t(lang, "hint-reason"))))
                            p { button type="submit" { (t(lang, "status-submit")) } }
                        }
                    }
                }
            }
        }

        section.timeline aria-labelledby="h-timeline" id="timeline" {
            h2 id="h-timeline" { (t(lang, "timeline-title")) }
            nav.filters-row aria-label=(t(lang, "timeline-filter")) {
                a href=(format!("/cases/{id}#timeline")) aria-current=[show.is_none().then_some("true")] { (t(lang, "timeline-all")) }
                @for k in TimelineKind::ALL {
                    @if o.timeline.iter().any(|e| e.kind == *k) {
                        " · " a href=(format!("/cases/{id}?show={}#timeline", k.as_str())) aria-current=[(show == Some(*k)).then_some("true")] { (label(lang, "timeline-kind", k.as_str())) }
                    }
                }
            }
            @let shown: Vec<&passage_service::overview::TimelineEntry> = o.timeline.iter().filter(|e| show.is_none_or(|k| e.kind == k)).collect();
            @if shown.is_empty() { p.muted { (t(lang, "timeline-empty")) } }
            ol.events {
                @for e in shown {
                    li {
                        span.when { @if let Some(at) = e.at { (i18n::datetime(lang, at)) } @else { (i18n::date(lang, e.on)) } }
                        " " span class=(format!("badge k-{}", e.kind.as_str())) { (label(lang, "timeline-kind", e.kind.as_str())) }
                        " " (timeline_text(lang, e))
                        @if let Some(by) = &e.by { span.muted { " · " (by) } }
                    }
                }
            }
        }

        @if let Some(j) = &o.journey { (crate::returns::journey_section(lang, s, j, errs("journey"))) }
        (reintegration)
    };
    Ok(html_response(status, page(Page { lang, title: c.reference.clone(), session: Some(s), here: &format!("/cases/{id}") }, body)))
}

/// The next action in words, and where on the page (or the site) it is done.
fn next_action_text(lang: Lang, n: &NextAction, c: &passage_storage::records::CaseRecord) -> (Option<String>, Option<String>) {
    match n {
        NextAction::Screen => (Some(t(lang, "next-screen")), Some("#screening".into())),
        NextAction::RecordConsent(k) => (
            Some(tr(lang, "next-consent", &[("kind", label(lang, "consent", k.as_str()))])),
            Some(format!("/persons/{}#consent", c.person_id)),
        ),
        NextAction::RecordVisit(d) => (Some(tr(lang, "next-visit", &[("date", i18n::date(lang, *d))])), Some("#reintegration".into())),
        NextAction::FollowUpReferral => (Some(t(lang, "next-referral")), Some("#referrals".into())),
        NextAction::ReturnStep(step) => {
            (Some(tr(lang, "next-step", &[("step", label(lang, "step", step.as_str()))])), Some("#journey".into()))
        }
        NextAction::RecordLaterConsent(k) => (
            Some(tr(lang, "next-later-consent", &[("kind", label(lang, "consent", k.as_str()))])),
            Some(format!("/persons/{}#consent", c.person_id)),
        ),
        NextAction::FollowUp => (Some(t(lang, "next-follow-up")), Some("#note".into())),
        NextAction::None => (None, None),
    }
}

/// One timeline entry in words.
fn timeline_text(lang: Lang, e: &passage_service::overview::TimelineEntry) -> Markup {
    let mut what = e.what.split_whitespace();
    html! {
        @match e.kind {
            TimelineKind::Status => { (label(lang, "status", &e.what)) @if !e.detail.is_empty() { " · " em { (e.detail) } } }
            TimelineKind::Screening => {
                @if e.what.is_empty() { (t(lang, "screening-nothing")) }
                @else { (e.what.split_whitespace().map(|f| label(lang, "finding", f)).collect::<Vec<_>>().join(", ")) }
                @if !e.detail.is_empty() { " · " em { (e.detail) } }
            }
            TimelineKind::Assistance => {
                @let kind = what.next().unwrap_or("");
                @let quantity: i64 = what.next().and_then(|q| q.parse().ok()).unwrap_or(0);
                @let unit = what.next().unwrap_or("");
                (label(lang, "assistance", kind)) " · " (i18n::number(lang, quantity)) " " (label(lang, "unit", unit))
                @if !e.detail.is_empty() { " · " (e.detail) }
            }
            TimelineKind::Note => { span.pre { (e.detail) } }
            TimelineKind::Journey => {
                @let step = what.next().unwrap_or("");
                @let state = what.next().unwrap_or("");
                (label(lang, "step", step)) " — " (label(lang, "step-state", state))
                @if !e.detail.is_empty() { " · " em { (e.detail) } }
            }
            TimelineKind::Referral => {
                @let service = what.next().unwrap_or("");
                @let state = what.next().unwrap_or("");
                (e.detail) " · " (label(lang, "service", service)) " · " (label(lang, "referral", state))
            }
            TimelineKind::Visit => { (t(lang, "queue-item-monitoring_visit")) " · " (label(lang, "visit", &e.what)) @if !e.detail.is_empty() { " · " em { (e.detail) } } }
        }
    }
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
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}#{}", if which == "journey" { "journey" } else { "timeline" })).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            render_case(
                &state,
                &s,
                lang,
                id,
                CaseForms { which, form: Some(&kept), errors: &inv.errors, show: "" },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
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
