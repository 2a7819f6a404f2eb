//! Reintegration and referrals in the browser: on a case's page, its
//! monitoring visits (recorded by reintegration officers), its plans (and a
//! form for an individual plan) and its referrals (with the form to refer);
//! a plan's own page with its activities and budget.

use crate::form::FormData;
use crate::i18n::{t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{after_post, html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
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
        .get("/reintegration/portfolio", portfolio_page)
        .get("/reintegration/portfolio.csv", portfolio_csv)
        .get("/plans/{id}", plan_page)
        .post("/plans/{id}/activities", add_activity)
        .post("/plans/{id}/activities/{activity_id}/status", activity_status)
}

/// What the case page shows of reintegration and referrals, from the visits
/// and referrals the case overview has already read.
pub(crate) async fn case_section(
    state: &AppState,
    s: &Session,
    lang: Lang,
    case: &passage_storage::records::CaseRecord,
    visits: &[passage_storage::reintegration::VisitRecord],
    referrals: &[passage_service::referrals::CaseReferral],
) -> Result<Markup, PageError> {
    let err = |e| PageError::from_service(lang, e);
    let rights = s.actor.rights();
    let reintegrates = rights.can(Permission::ManageReintegration, case.office_id);
    let writes = rights.can(Permission::WriteCases, case.office_id);
    // Every case page reads these: only what the page will show.
    let is_return = case.kind == passage_domain::case::CaseKind::AssistedVoluntaryReturn;
    let plans = if is_return { state.passage.plans_of_case(&s.actor, case.id).await.map_err(err)? } else { Vec::new() };
    // The survey's questions, when a visit can be recorded here.
    let scheduled = visits.iter().find(|v| v.status == passage_domain::reintegration::VisitStatus::Scheduled);
    let scheme = match scheduled {
        Some(v) if reintegrates => Some(state.passage.scheme_for_visit(&s.actor, &v.id).await.map_err(err)?),
        _ => None,
    };
    let providers = if writes { state.passage.providers(&s.actor, "", "").await.map_err(err)? } else { Vec::new() };
    let id = case.id;
    Ok(html! {
        @if is_return {
            section aria-labelledby="h-reintegration" id="reintegration" {
                h2 id="h-reintegration" { (t(lang, "reintegration-title")) }
                @if plans.is_empty() { p.muted { (t(lang, "none-yet")) } }
                ul { @for (pid, title, kind) in &plans { li { a href=(format!("/plans/{pid}")) { (title) } " · " (label(lang, "plan", kind.as_str())) } } }
                @if reintegrates {
                    details.panel name="case-forms" {
                        summary { (t(lang, "plan-create")) }
                        form method="post" action=(format!("/cases/{id}/plans")) {
                            input type="hidden" name="csrf" value=(s.csrf_token);
                            label for="f-plan-title" { (t(lang, "plan-title")) }
                            input #f-plan-title name="title" type="text";
                            p { button type="submit" { (t(lang, "plan-create")) } }
                        }
                    }
                }
                h3 { (t(lang, "visits-title")) }
                @if visits.is_empty() { p.muted { (t(lang, "none-yet")) } }
                (chart(lang, visits))
                ul { @for v in visits { li {
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
            ul { @for r in referrals { li {
                (r.referral.organisation) " · " (label(lang, "service", r.referral.service.as_str())) " · " (label(lang, "referral", r.referral.status.as_str()))
                @if r.overdue { " · " strong { (t(lang, "referral-overdue")) } }
                @if let Some(f) = &r.referral.feedback { " · " em { (f) } }
            } } }
            @if writes && !providers.is_empty() {
                details.panel name="case-forms" {
                summary { (t(lang, "form-referral")) }
                form method="post" action=(format!("/cases/{id}/referrals")) {
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
        }
    })
}

fn case_id(lang: Lang, id: &str) -> Result<CaseId, PageError> {
    id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))
}

fn portfolio_filter(q: Option<String>) -> passage_service::sustainability::PortfolioFilter {
    let f = FormData::parse(&Bytes::from(q.unwrap_or_default()));
    passage_service::sustainability::PortfolioFilter {
        office: f.get("office"),
        band: f.get("band"),
        needs_support: matches!(f.get("needs_support").as_str(), "1" | "true" | "on"),
    }
}

/// The returnees an office follows, by how their reintegration stands; no names.
async fn portfolio_page(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> PageResult {
    use passage_domain::sustainability::Band;
    let (s, lang) = viewer(&state, &headers).await?;
    let query = q.clone().unwrap_or_default();
    let filter = portfolio_filter(q);
    let p = state.passage.portfolio(&s.actor, &filter).await.map_err(|e| PageError::from_service(lang, e))?;
    let body = html! {
        h1 { (t(lang, "portfolio-title")) }
        form.card method="get" action="/reintegration/portfolio" {
            label for="f-office" { (t(lang, "portfolio-office")) }
            input #f-office name="office" type="text" value=(filter.office) placeholder="GIN-CKY";
            label for="f-band" { (t(lang, "portfolio-band")) }
            select #f-band name="band" {
                option value="" { (t(lang, "portfolio-all")) }
                @for b in Band::ALL { option value=(b.as_str()) selected[filter.band == b.as_str()] { (label(lang, "band", b.as_str())) } }
            }
            p { label { input type="checkbox" name="needs_support" value="1" checked[filter.needs_support]; " " (t(lang, "portfolio-needs-support")) } }
            p { button type="submit" { (t(lang, "portfolio-filter")) } " " a href=(format!("/reintegration/portfolio.csv?{query}")) { (t(lang, "portfolio-csv")) } }
        }
        ul {
            @for b in Band::ALL { li { (label(lang, "band", b.as_str())) ": " (p.bands.get(b.as_str()).copied().unwrap_or(0)) } }
            li { strong { (t(lang, "portfolio-needs-support")) ": " (p.needs_support) } }
        }
        @if p.rows.is_empty() { p.muted { (t(lang, "none-yet")) } }
        @else {
            div.scroll tabindex="0" { table {
                thead { tr {
                    th { (t(lang, "case")) } th { (t(lang, "portfolio-band")) } th { (t(lang, "portfolio-composite")) }
                    th { (t(lang, "portfolio-weak")) } th { (t(lang, "portfolio-months")) } th { (t(lang, "portfolio-overdue")) }
                } }
                tbody { @for r in &p.rows { @let st = &r.standing; tr {
                    td { a href=(format!("/cases/{}#reintegration", r.case_id)) { (r.reference) } }
                    td { (label(lang, "band", st.band.as_str())) @if st.needs_support { " · " strong { (t(lang, "portfolio-needs-support")) } } }
                    td { @if let Some(c) = st.latest.as_ref().and_then(|l| l.composite) { (format!("{c:.2}")) } @if st.falling { " ↓ " (t(lang, "portfolio-falling")) } }
                    td { (st.weak_dimensions.iter().map(|d| d.replace('_', " ")).collect::<Vec<_>>().join(", ")) }
                    td { @if let Some(m) = st.months_since_return { (m) } }
                    td { (st.overdue_visits) }
                } } }
            } }
        }
    };
    let here = format!("/reintegration/portfolio?{query}");
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "portfolio-title"), session: Some(&s), here: &here }, body)))
}

async fn portfolio_csv(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let p = state.passage.portfolio(&s.actor, &portfolio_filter(q)).await.map_err(|e| PageError::from_service(lang, e))?;
    let name = format!("passage-portfolio-{}.csv", passage_domain::date::CalendarDate::today());
    Ok(crate::figures::download("text/csv; charset=utf-8", &name, passage_service::sustainability::portfolio_csv(&p)))
}

/// Each surveyed visit's dimension scores and composite over time, with
/// the threshold, drawn on the server: lines told apart by their dash and
/// marker shape and named at their end, so no colour is needed to read it.
fn chart(lang: Lang, visits: &[passage_storage::reintegration::VisitRecord]) -> Markup {
    let points: Vec<(String, &passage_domain::sustainability::Sustainability)> = visits
        .iter()
        .filter_map(|v| v.sustainability.as_ref().filter(|s| s.composite.is_some()).map(|s| (v.done_on.unwrap_or(v.due_on).to_string(), s)))
        .collect();
    if points.is_empty() {
        return html! {};
    }
    let (w, h, left, right, top, bottom) = (360.0, 180.0, 34.0, 96.0, 10.0, 28.0);
    let x = |i: usize| {
        if points.len() == 1 {
            left + (w - left - right) / 2.0
        } else {
            left + i as f64 * (w - left - right) / (points.len() - 1) as f64
        }
    };
    let y = |v: f64| top + (1.0 - v.clamp(0.0, 1.0)) * (h - top - bottom);
    let threshold = points.last().map(|(_, s)| s.threshold).unwrap_or(0.5);
    let mut series: Vec<(String, Vec<(usize, f64)>)> = Vec::new();
    for (i, (_, s)) in points.iter().enumerate() {
        for (d, v) in &s.dimensions {
            match series.iter_mut().find(|(name, _)| name == d) {
                Some((_, pts)) => pts.push((i, *v)),
                None => series.push((d.clone(), vec![(i, *v)])),
            }
        }
    }
    let composite: Vec<(usize, f64)> = points.iter().enumerate().filter_map(|(i, (_, s))| s.composite.map(|c| (i, c))).collect();
    let dashes = ["6 3", "2 3", "8 3 2 3", "1 2", "10 4"];
    let path = |pts: &[(usize, f64)]| pts.iter().map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v))).collect::<Vec<_>>().join(" ");
    let title = t(lang, "survey-chart");
    html! {
        figure {
            svg role="img" aria-label=(title) viewBox=(format!("0 0 {w} {h}")) width="100%" {
                title { (title) }
                @for v in [0.0, 0.5, 1.0] {
                    line x1=(left) x2=(w - right) y1=(y(v)) y2=(y(v)) stroke="currentColor" stroke-opacity="0.2" {}
                    text x=(left - 4.0) y=(y(v) + 4.0) text-anchor="end" font-size="10" fill="currentColor" { (format!("{v:.1}")) }
                }
                line x1=(left) x2=(w - right) y1=(y(threshold)) y2=(y(threshold)) stroke="currentColor" stroke-dasharray="3 3" {}
                text x=(w - right + 4.0) y=(y(threshold) + 4.0) font-size="10" fill="currentColor" { (tr(lang, "survey-threshold", &[("value", format!("{threshold:.2}"))])) }
                @for (k, (name, pts)) in series.iter().enumerate() {
                    polyline points=(path(pts)) fill="none" stroke="currentColor" stroke-width="1.2" stroke-dasharray=(dashes[k % dashes.len()]) {}
                    @for (i, v) in pts { rect x=(x(*i) - 2.5) y=(y(*v) - 2.5) width="5" height="5" fill="none" stroke="currentColor" transform=(format!("rotate({} {:.1} {:.1})", 45 * (k % 2), x(*i), y(*v))) {} }
                    @if let Some((i, v)) = pts.last() { text x=(x(*i) + 6.0) y=(y(*v) + 3.0) font-size="9" fill="currentColor" { (name.replace('_', " ")) } }
                }
                polyline points=(path(&composite)) fill="none" stroke="currentColor" stroke-width="3" {}
                @for (i, v) in &composite { circle cx=(x(*i)) cy=(y(*v)) r="3.5" fill="currentColor" {} }
                @if let Some((i, v)) = composite.last() { text x=(x(*i) + 6.0) y=(y(*v) - 6.0) font-size="10" font-weight="bold" fill="currentColor" { (t(lang, "portfolio-composite")) } }
                @for (i, (day, _)) in points.iter().enumerate() {
                    text x=(x(i)) y=(h - 8.0) text-anchor="middle" font-size="9" fill="currentColor" { (day) }
                }
            }
            figcaption.muted { (points.last().map(|(_, s)| s.scheme_label()).unwrap_or_default()) }
        }
    }
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
        " · " span.muted { (s.scheme_label()) }
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
        div.scroll tabindex="0" { table {
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
