//! Reintegration and referrals in the browser: on a case's page, its
//! monitoring visits (recorded by reintegration officers), its plans (and a
//! form for an individual plan) and its referrals (with the form to refer);
//! a plan's own page with its activities and budget.

use crate::form::FormData;
use crate::i18n::{t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::pages::{after_post, html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::ids::CaseId;
use passage_domain::policy::Permission;
use passage_domain::referral::SharedField;
use passage_domain::reintegration::{ActivityInput, ActivityKind, ActivityStatus};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .post("/cases/{id}/plans", create_plan)
        .post("/cases/{id}/referrals", refer)
        .post("/visits/{id}", record_visit)
        .get("/plans/{id}", plan_page)
        .post("/plans/{id}/activities", add_activity)
        .post("/plans/{id}/activities/{activity_id}/status", activity_status)
}

/// What the case page shows of reintegration and referrals.
pub(crate) async fn case_section(
    state: &AppState,
    s: &Session,
    lang: Lang,
    case: &passage_storage::records::CaseRecord,
) -> Result<Markup, PageError> {
    let err = |e| PageError::from_service(lang, e);
    let rights = s.actor.rights();
    let reintegrates = rights.can(Permission::ManageReintegration, case.office_id);
    let writes = rights.can(Permission::WriteCases, case.office_id);
    // Every case page reads these: only what the page will show.
    let is_return = case.kind == passage_domain::case::CaseKind::AssistedVoluntaryReturn;
    let (visits, plans) = if is_return {
        (state.passage.visits(&s.actor, case.id).await.map_err(err)?, state.passage.plans_of_case(&s.actor, case.id).await.map_err(err)?)
    } else {
        (Vec::new(), Vec::new())
    };
    // The survey's questions, when a visit can be recorded here.
    let scheduled = visits.iter().find(|v| v.status == passage_domain::reintegration::VisitStatus::Scheduled);
    let scheme = match scheduled {
        Some(v) if reintegrates => Some(state.passage.scheme_for_visit(&s.actor, &v.id).await.map_err(err)?),
        _ => None,
    };
    let referrals = state.passage.case_referrals(&s.actor, case.id).await.map_err(err)?;
    let providers = if writes { state.passage.providers(&s.actor, "", "").await.map_err(err)? } else { Vec::new() };
    let id = case.id;
    Ok(html! {
        @if is_return {
            section aria-labelledby="h-reintegration" id="reintegration" {
                h2 id="h-reintegration" { (t(lang, "reintegration-title")) }
                @if plans.is_empty() { p.muted { (t(lang, "none-yet")) } }
                ul { @for (pid, title, kind) in &plans { li { a href=(format!("/plans/{pid}")) { (title) } " · " (label(lang, "plan", kind.as_str())) } } }
                @if reintegrates {
                    form.card method="post" action=(format!("/cases/{id}/plans")) {
                        input type="hidden" name="csrf" value=(s.csrf_token);
                        label for="f-plan-title" { (t(lang, "plan-title")) }
                        input #f-plan-title name="title" type="text";
                        p { button type="submit" { (t(lang, "plan-create")) } }
                    }
                }
                h3 { (t(lang, "visits-title")) }
                @if visits.is_empty() { p.muted { (t(lang, "none-yet")) } }
                ul { @for v in &visits { li {
                    (v.due_on.to_string()) " · " (label(lang, "visit", v.status.as_str()))
                    @if let Some(d) = v.done_on { " · " (d.to_string()) }
                    @if let Some(n) = &v.notes { " · " em { (n) } }
                    @if let Some(score) = &v.sustainability { (scores(lang, score)) }
                    @if reintegrates && v.status == passage_domain::reintegration::VisitStatus::Scheduled {
                        form.inline method="post" action=(format!("/visits/{}", v.id)) {
                            input type="hidden" name="csrf" value=(s.csrf_token);
                            select name="status" aria-label=(t(lang, "case-status")) { option value="done" { (label(lang, "visit", "done")) } option value="missed" { (label(lang, "visit", "missed")) } }
                            input name="notes" type="text" aria-label=(t(lang, "field-body")) placeholder=(t(lang, "field-body"));
                            @if let Some(scheme) = &scheme { (survey_fields(lang, &v.id, scheme)) }
                            button type="submit" { (t(lang, "journey-save")) }
                        }
                    }
                } } }
            }
        }
        section aria-labelledby="h-referrals" id="referrals" {
            h2 id="h-referrals" { (t(lang, "referrals-title")) }
            @if referrals.is_empty() { p.muted { (t(lang, "none-yet")) } }
            ul { @for r in &referrals { li {
                (r.referral.organisation) " · " (label(lang, "service", r.referral.service.as_str())) " · " (label(lang, "referral", r.referral.status.as_str()))
                @if r.overdue { " · " strong { (t(lang, "referral-overdue")) } }
                @if let Some(f) = &r.referral.feedback { " · " em { (f) } }
            } } }
            @if writes && !providers.is_empty() {
                form.card method="post" action=(format!("/cases/{id}/referrals")) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    label for="f-provider" { (t(lang, "referral-provider")) }
                    select #f-provider name="provider_id" { @for p in &providers { option value=(p.id) { (p.organisation) } } }
                    label for="f-service" { (t(lang, "referral-service")) }
                    select #f-service name="service" { @for k in passage_domain::referral::ServiceKind::ALL { option value=(k.as_str()) { (label(lang, "service", k.as_str())) } } }
                    fieldset { legend { (t(lang, "referral-fields")) }
                        @for f in SharedField::ALL { label.check { input type="checkbox" name="fields" value=(f.as_str()); " " (label(lang, "shared", f.as_str())) } }
                    }
                    p { button type="submit" { (t(lang, "referral-submit")) } }
                }
            }
        }
    })
}

fn case_id(lang: Lang, id: &str) -> Result<CaseId, PageError> {
    id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))
}

/// The survey of a visit, one question per indicator, in the reader's
/// language (Arabic readers get the English text: a scheme carries EN and FR).
fn survey_fields(lang: Lang, visit: &str, scheme: &passage_domain::sustainability::Scheme) -> Markup {
    let fr = lang == Lang::Fr;
    html! {
        details {
            summary { (t(lang, "survey-title")) }
            p.muted { (tr(lang, "survey-scheme", &[("scheme", scheme.label())])) }
            @for (d, i) in scheme.indicators() {
                @let id = format!("f-survey-{visit}-{}", i.code);
                label for=(id) { (d.code.replace('_', " ")) " · " (if fr { &i.question_fr } else { &i.question_en }) }
                select id=(id) name=(format!("survey.{}", i.code)) {
                    option value="" { (t(lang, "survey-not-answered")) }
                    @for a in &i.answers { option value=(a.code) { (if fr { &a.label_fr } else { &a.label_en }) } }
                }
            }
        }
    }
}

/// A visit's scores: each dimension, the composite and whether it reaches the threshold, in words (not colour).
fn scores(lang: Lang, s: &passage_domain::sustainability::Sustainability) -> Markup {
    html! {
        " · "
        @for (d, score) in &s.dimensions { (d.replace('_', " ")) " " (format!("{score:.2}")) " · " }
        @if let Some(c) = s.composite {
            strong { (tr(lang, "survey-composite", &[("score", format!("{c:.2}"))])) }
            " (" (t(lang, if s.sustainable == Some(true) { "survey-sustainable" } else { "survey-not-sustainable" })) ")"
        }
        " · " span.muted { (s.scheme) "@" (s.version) }
    }
}

async fn create_plan(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let case = case_id(lang, &id)?;
    let file = state.passage.case_file(&s.actor, case).await.map_err(|e| PageError::from_service(lang, e))?;
    let input = passage_service::reintegration::PlanInput {
        kind: "individual".into(),
        office_id: file.case.office_id.to_string(),
        title: f.get("title"),
        cases: vec![case.to_string()],
    };
    match state.passage.create_plan(&s.actor, &input).await {
        Ok(plan) => Ok(Redirect::to(&format!("/plans/{plan}")).into_response()),
        Err(e) => after_post(lang, String::new(), Err(e)),
    }
}

async fn refer(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let case = case_id(lang, &id)?;
    let input =
        passage_service::referrals::ReferralInput { provider_id: f.get("provider_id"), service: f.get("service"), fields: f.all("fields") };
    let r = state.passage.refer(&s.actor, case, &input).await.map(|_| ());
    after_post(lang, format!("/cases/{case}#referrals"), r)
}

async fn record_visit(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let survey = f.pairs().filter_map(|(k, v)| k.strip_prefix("survey.").map(|i| (i.to_string(), v.to_string()))).collect();
    let input =
        passage_service::reintegration::VisitInput { status: f.get("status"), done_on: f.get("done_on"), notes: f.get("notes"), survey };
    match state.passage.record_visit(&s.actor, &id, &input).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{case}#reintegration")).into_response()),
        Err(e) => after_post(lang, String::new(), Err(e)),
    }
}

async fn plan_view(state: &AppState, s: &Session, lang: Lang, id: &str, errors: &[FieldError], status: StatusCode) -> PageResult {
    let file = state.passage.plan(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let manage = s.actor.rights().can(Permission::ManageReintegration, file.plan.office_id);
    let body = html! {
        h1 { (file.plan.title) }
        p { (label(lang, "plan", file.plan.kind.as_str())) " · "
            (tr(lang, "plan-budget", &[("total", file.budget_total.to_string()), ("per", file.budget_per_beneficiary.map(|b| b.to_string()).unwrap_or_default())])) }
        ul { @for c in &file.plan.beneficiaries { li { a href=(format!("/cases/{c}")) { (t(lang, "case")) } } } }
        h2 { (t(lang, "plan-activities")) }
        (error_summary(lang, errors))
        div.scroll { table {
            thead { tr { th { (t(lang, "field-kind")) } th { (t(lang, "plan-budget-col")) } th { (t(lang, "case-status")) } th {} } }
            tbody { @for a in &file.activities { tr {
                td { (label(lang, "activity", a.kind.as_str())) @if let Some(d) = &a.description { br; span.muted { (d) } } }
                td { (a.budget) " " (a.currency) }
                td { (label(lang, "activity-status", a.status.as_str())) }
                td { @if manage { @for to in ActivityStatus::ALL.iter().filter(|to| a.status.can_become(**to)) {
                    form.inline method="post" action=(format!("/plans/{}/activities/{}/status", file.plan.id, a.id)) {
                        input type="hidden" name="csrf" value=(s.csrf_token);
                        input type="hidden" name="status" value=(to.as_str());
                        button.secondary type="submit" { (label(lang, "activity-status", to.as_str())) }
                    }
                } } }
            } } }
        } }
        @if manage {
            form.card method="post" action=(format!("/plans/{}/activities", file.plan.id)) {
                h3 { (t(lang, "plan-add-activity")) }
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: "", options: code_options(lang, "activity", ActivityKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "budget", &t(lang, "plan-budget-col"), Input::Text { value: "", kind: "text" }, errors, None))
                    (field(lang, "currency", &t(lang, "field-currency"), Input::Text { value: "EUR", kind: "text" }, errors, None))
                    (field(lang, "due_on", &t(lang, "plan-due"), Input::Text { value: "", kind: "date" }, errors, None))
                    (field(lang, "description", &t(lang, "plan-description"), Input::Text { value: "", kind: "text" }, errors, None))
                }
                p { button type="submit" { (t(lang, "plan-add")) } }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title: file.plan.title.clone(), session: Some(s), here: "/" }, body)))
}

async fn plan_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    plan_view(&state, &s, lang, &id, &[], StatusCode::OK).await
}

async fn add_activity(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let input = ActivityInput {
        kind: f.get("kind"),
        description: f.get("description"),
        budget: f.get("budget"),
        currency: f.get("currency"),
        due_on: f.get("due_on"),
    };
    match state.passage.add_activity(&s.actor, &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}")).into_response()),
        Err(ServiceError::Invalid(inv)) => plan_view(&state, &s, lang, &id, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn activity_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, activity)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let r = state.passage.set_activity_status(&s.actor, &id, &activity, &f.get("status")).await;
    after_post(lang, format!("/plans/{id}"), r)
}
