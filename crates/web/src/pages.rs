//! The HTML pages. Every core flow works without JavaScript: plain links and
//! forms, POST-redirect-GET after a successful write, and on a validation
//! error the same form again with the values typed and a translated message
//! at each field. Every form carries the session's CSRF token.

use crate::error::problem;
use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::session::{self, constant_time_eq};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use passage_domain::assistance::{AssistanceInput, AssistanceKind};
use passage_domain::case::{CaseInput, CaseKind, CaseStatus, StatusChangeInput};
use passage_domain::codes::{CountryCode, Currency, LanguageCode};
use passage_domain::date::BirthDatePrecision;
use passage_domain::ids::{CaseId, OfficeId, PersonId};
use passage_domain::note::NoteInput;
use passage_domain::office::{OfficeInput, OfficeKind};
use passage_domain::person::{ConsentInput, ConsentKind, ConsentMethod, DocumentInput, DocumentKind, NameInput, PersonInput, Sex};
use passage_domain::screening::{ExploitationType, ScreeningInput, VulnerabilityCategory};
use passage_domain::FieldError;
use passage_service::auth::{LoginStep, Session};
use passage_service::ServiceError;
use passage_storage::search::SearchFilters;
use std::collections::HashMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/", home)
        .get("/login", login_form)
        .post("/login", login)
        .post("/logout", logout)
        .post("/language", set_language)
        .get("/persons", search)
        .post("/persons", register)
        .get("/persons/new", register_form)
        .get("/persons/{id}", person)
        .post("/persons/{id}/cases", open_case)
        .post("/persons/{id}/consents", add_consent)
        .post("/persons/{id}/consents/{consent_id}/withdraw", withdraw_consent)
        .get("/cases/{id}", case_page)
        .post("/cases/{id}/screenings", add_screening)
        .post("/cases/{id}/assistance", add_assistance)
        .post("/cases/{id}/notes", add_note)
        .post("/cases/{id}/status", change_status)
        .post("/cases/{id}/journey/steps/{step}", record_step)
        .get("/offices", offices)
        .post("/offices", create_office)
        .get("/audit", audit_page)
        .get("/static/app.css", css)
        .get("/health", || async { "ok" })
        .get("/healthz", || async { "ok" })
        .get("/readyz", readyz)
}

/// Ready when the database answers within two seconds: what a load
/// balancer or an orchestrator asks before sending users here. `/healthz`
/// (live) only says the process answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.passage.database_ready()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS.into());
            r
        }
        Err(_) => {
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable (no answer within 2 s)").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS.into());
            r
        }
    }
}

/// A page-level failure, rendered as a page.
pub(crate) struct PageError {
    lang: Lang,
    status: StatusCode,
    message: String,
    redirect: Option<String>,
}

impl PageError {
    /// An error page with its own message (a refused form that has no page of its own).
    pub(crate) fn with_message(lang: Lang, status: StatusCode, message: String) -> Self {
        PageError { lang, status, message, redirect: None }
    }

    pub(crate) fn from_service(lang: Lang, e: ServiceError) -> Self {
        let (status, key) = match &e {
            ServiceError::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "error-forbidden"),
            ServiceError::Unauthenticated => {
                return PageError { lang, status: StatusCode::SEE_OTHER, message: String::new(), redirect: Some("/login".into()) }
            }
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, "error-conflict"),
            ServiceError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "error-too-many"),
            ServiceError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "form-has-errors"),
            ServiceError::File(problems) => {
                let message = problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ");
                return PageError { lang, status: StatusCode::UNPROCESSABLE_ENTITY, message, redirect: None };
            }
            ServiceError::Storage(s) if s.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
            }
            ServiceError::Storage(_) | ServiceError::Hashing | ServiceError::Operation(_) => {
                tracing::error!(error = %e, "internal error on a page");
                (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
            }
        };
        PageError { lang, status, message: t(lang, key), redirect: None }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Some(to) = self.redirect {
            return Redirect::to(&to).into_response();
        }
        let body = page(
            Page { lang: self.lang, title: t(self.lang, "error-title"), session: None, here: "/" },
            html! { h1 { (t(self.lang, "error-title")) } p { (self.message) } p { a href="/" { (t(self.lang, "nav-home")) } } },
        );
        let mut r = html_response(self.status, body);
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS.into());
        }
        r
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

/// The logged-in user of a page request, or a redirect to the login page.
pub(crate) async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<(Session, Lang), PageError> {
    match session::from_cookie(state, headers).await {
        Ok(s) => {
            let lang = session::user_lang(&s);
            Ok((s, lang))
        }
        Err(e) => Err(PageError::from_service(session::request_lang(headers), e)),
    }
}

/// The logged-in user of a form post, after checking its CSRF token.
pub(crate) async fn poster(state: &AppState, headers: &HeaderMap, form: &FormData) -> Result<(Session, Lang), PageError> {
    let (s, lang) = viewer(state, headers).await?;
    if !constant_time_eq(form.get("csrf").as_bytes(), s.csrf_token.as_bytes()) {
        return Err(PageError { lang, status: StatusCode::FORBIDDEN, message: t(lang, "error-csrf"), redirect: None });
    }
    Ok((s, lang))
}

/// A path on this site: "/" then anything but a second "/" or a "\\"
/// (browsers read "/\\host" as "//host"), and no control characters.
fn local_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/') | Some(b'\\')) && !p.chars().any(|c| c.is_control())
}

/// After a form post that has no page of its own to show its errors on:
/// on to `to`, or an error page that says what was wrong.
pub(crate) fn after_post(lang: Lang, to: String, r: Result<(), ServiceError>) -> PageResult {
    match r {
        Ok(()) => Ok(Redirect::to(&to).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            let msg: Vec<String> = inv.errors.iter().map(|e| crate::i18n::field_error(lang, e)).collect();
            Err(PageError::with_message(lang, StatusCode::UNPROCESSABLE_ENTITY, msg.join(" ")))
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

/// The offices where the user may record work, as select options (id, "CODE — name").
pub(crate) fn writable_office_options(s: &Session, offices: &[passage_storage::records::OfficeRecord]) -> Vec<(String, String)> {
    offices
        .iter()
        .filter(|o| s.actor.rights().can(passage_domain::policy::Permission::WriteCases, o.id))
        .map(|o| (o.id.to_string(), format!("{} — {}", o.code, o.name)))
        .collect()
}

pub(crate) fn html_response(status: StatusCode, m: Markup) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], m.into_string()).into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../static/app.css"),
    )
        .into_response()
}

pub async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        return problem(StatusCode::NOT_FOUND, "not-found", "No such route", Some(format!("Nothing at {}", uri.path())), None);
    }
    PageError {
        lang: session::request_lang(&headers),
        status: StatusCode::NOT_FOUND,
        message: t(session::request_lang(&headers), "error-not-found"),
        redirect: None,
    }
    .into_response()
}

pub async fn method_not_allowed(uri: Uri, headers: HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            Some(format!("{} does not accept this method", uri.path())),
            None,
        );
    }
    let lang = session::request_lang(&headers);
    PageError { lang, status: StatusCode::METHOD_NOT_ALLOWED, message: t(lang, "error-method"), redirect: None }.into_response()
}

// ---------------------------------------------------------------- login

async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = session::request_lang(&headers);
    login_response(&state, StatusCode::OK, lang, "", LoginNotice::None)
}

/// The cookie that binds a login form to the browser that loaded it: the
/// form's hidden token must match it (a cross-site POST has neither).
pub(crate) const LOGIN_COOKIE: &str = "passage_login";

/// The login page with a fresh token, in its form and in the pre-session cookie.
pub(crate) fn login_response(state: &AppState, status: StatusCode, lang: Lang, username: &str, notice: LoginNotice) -> Response {
    let token = passage_service::auth::random_token();
    let mut r = html_response(status, login_page(lang, username, notice, &token));
    let cookie =
        format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{}", if state.secure_cookies { "; Secure" } else { "" });
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// What the login page says above the form.
pub(crate) enum LoginNotice {
    None,
    Failed,
    /// Paused for this many minutes.
    Paused(i64),
    /// The form's token did not match the browser's (an old tab, or a cross-site post).
    Expired,
}

pub(crate) fn login_page(lang: Lang, username: &str, notice: LoginNotice, csrf: &str) -> Markup {
    page(
        Page { lang, title: t(lang, "login-title"), session: None, here: "/login" },
        html! {
            div.card.narrow {
                h1 { (t(lang, "login-title")) }
                @match notice {
                    LoginNotice::Failed => { div.errors role="alert" { p { (t(lang, "login-failed")) } } }
                    LoginNotice::Paused(m) => { div.errors role="alert" { p { (tr(lang, "login-paused", &[("minutes", m.to_string())])) } } }
                    LoginNotice::Expired => { div.errors role="alert" { p { (t(lang, "login-expired")) } } }
                    LoginNotice::None => {}
                }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="username" { (t(lang, "login-username")) }
                    input id="username" name="username" autocomplete="username" required value=(username);
                    label for="password" { (t(lang, "login-password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                    p { button type="submit" { (t(lang, "login-submit")) } }
                }
            }
        },
    )
}

async fn login(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    let lang = session::request_lang(&headers);
    let bound =
        session::cookie(&headers, LOGIN_COOKIE).is_some_and(|c| !c.is_empty() && constant_time_eq(c.as_bytes(), f.get("csrf").as_bytes()));
    if !bound {
        return login_response(&state, StatusCode::FORBIDDEN, lang, &f.get("username"), LoginNotice::Expired);
    }
    match state.passage.login(&f.get("username"), &f.get("password"), &session::peer(&headers)).await {
        Ok(step) => {
            let (to, cookie) = match step {
                LoginStep::Session(s) => ("/", session::session_cookie(&s.token, state.secure_cookies)),
                LoginStep::SecondFactor(c) => ("/login/second-factor", crate::accounts::challenge_cookie(&c.token, state.secure_cookies)),
            };
            let mut r = Redirect::to(to).into_response();
            if let Ok(v) = cookie.parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(ServiceError::Unauthenticated) => {
            login_response(&state, StatusCode::UNAUTHORIZED, lang, &f.get("username"), LoginNotice::Failed)
        }
        Err(ServiceError::TooManyAttempts { retry_after_secs }) => {
            let notice = LoginNotice::Paused(crate::error::minutes(retry_after_secs));
            let mut r = login_response(&state, StatusCode::TOO_MANY_REQUESTS, lang, &f.get("username"), notice);
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => PageError::from_service(lang, e).into_response(),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let _ = poster(&state, &headers, &f).await?;
    if let Some(token) = session::cookie(&headers, session::SESSION_COOKIE) {
        let _ = state.passage.logout(&token).await;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = session::clear_session_cookie().parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

async fn set_language(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    let lang = Lang::parse(&f.get("lang")).unwrap_or(Lang::En);
    if let Ok(s) = session::from_cookie(&state, &headers).await {
        if constant_time_eq(f.get("csrf").as_bytes(), s.csrf_token.as_bytes()) {
            let _ = state.passage.set_locale(s.actor.id, lang.code()).await;
        }
    }
    // Only go back to a local path.
    let back = f.get("back");
    let back = if local_path(&back) { back } else { "/".to_string() };
    let mut r = Redirect::to(&back).into_response();
    if let Ok(v) = session::lang_cookie(lang).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

// ---------------------------------------------------------------- home

async fn home(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let err = |e| PageError::from_service(lang, e);
    let cases = state.passage.my_cases(&s.actor, 20).await.map_err(err)?;
    let activity = state.passage.recent_activity(&s.actor, 15).await.map_err(err)?;
    let mut filter = passage_service::queue::QueueFilter {
        office: q.get("office").cloned().unwrap_or_default(),
        kind: q.get("kind").cloned().unwrap_or_default(),
    };
    // A kind the page never offered (an edited address) shows the whole queue rather than an error page.
    if passage_domain::case::CaseKind::parse("kind", &filter.kind).is_err() {
        filter.kind.clear();
    }
    let queue = state.passage.work_queue(&s.actor, &filter).await.map_err(err)?;
    let body = html! {
        h1 { (tr(lang, "home-welcome", &[("name", s.actor.display_name.clone())])) }
        (crate::queue::queue_section(lang, &s, &queue, &filter))
        form.card method="get" action="/persons" role="search" {
            label for="q" { (t(lang, "search-label")) }
            input id="q" name="q" type="search";
            p { button type="submit" { (t(lang, "search-submit")) } " " a.button href="/persons/new" { (t(lang, "nav-register")) } }
        }
        section aria-labelledby="my-cases" {
            h2 id="my-cases" { (t(lang, "home-my-cases")) }
            @if cases.is_empty() { p.muted { (t(lang, "home-no-cases")) } } @else { (case_table(lang, &cases)) }
        }
        section aria-labelledby="recent" {
            h2 id="recent" { (t(lang, "home-recent")) }
            @if activity.is_empty() { p.muted { (t(lang, "home-no-activity")) } } @else {
                ul {
                    @for a in &activity {
                        li {
                            span.muted { (i18n::datetime(lang, a.at)) } " — " (a.user) " · " (label(lang, "activity", &a.action))
                            @if let (Some(id), Some(r)) = (a.case_id, &a.case_reference) { " · " a href=(format!("/cases/{id}")) { (r) } }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "nav-home"), session: Some(&s), here: "/" }, body)))
}

fn case_table(lang: Lang, cases: &[passage_storage::records::CaseRecord]) -> Markup {
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

// ---------------------------------------------------------------- search

async fn search(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ReadCases).map_err(|e| PageError::from_service(lang, e))?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let filters = parse_filters(&get, &mut errors);
    let query = get("q");
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let searched = !query.trim().is_empty() || q.keys().any(|k| k != "q" && !get(k).is_empty());
    let result = if searched && errors.is_empty() {
        Some(state.passage.search(&s.actor, &query, &filters, 50).await.map_err(|e| PageError::from_service(lang, e))?)
    } else {
        None
    };
    let nat_options = country_options(lang, t(lang, "filter-any"));
    let body = html! {
        h1 { (t(lang, "search-title")) }
        (error_summary(lang, &errors))
        form.card method="get" action="/persons" role="search" {
            (field(lang, "q", &t(lang, "search-label"), Input::Text { value: &query, kind: "search" }, &errors, Some(&t(lang, "search-hint"))))
            div.filters {
                div { (field(lang, "nationality", &t(lang, "field-nationality"), Input::Select { value: &get("nationality"), options: nat_options }, &errors, None)) }
                div { (field(lang, "sex", &t(lang, "field-sex"), Input::Select { value: &get("sex"), options: code_options(lang, "sex", Sex::ALL.iter().map(|s| s.as_str()), Some(&t(lang, "filter-any"))) }, &errors, None)) }
                div { (field(lang, "birth_year", &t(lang, "filter-birth-year"), Input::Text { value: &get("birth_year"), kind: "number" }, &errors, None)) }
                div { (field(lang, "office", &t(lang, "case-office"), Input::Select { value: &get("office"), options: std::iter::once((String::new(), t(lang, "filter-any"))).chain(offices.iter().map(|o| (o.id.to_string(), format!("{} — {}", o.code, o.name)))).collect() }, &errors, None)) }
                div { (field(lang, "status", &t(lang, "case-status"), Input::Select { value: &get("status"), options: code_options(lang, "status", CaseStatus::ALL.iter().map(|s| s.as_str()), Some(&t(lang, "filter-any"))) }, &errors, None)) }
            }
            p { button type="submit" { (t(lang, "search-submit")) } }
        }
        @if let Some(r) = &result {
            section aria-labelledby="results" {
                h2 id="results" { (tr(lang, "search-results", &[("count", r.hits.len().to_string())])) }
                @if r.truncated { p.notice { (t(lang, "search-truncated")) } }
                @if r.hits.is_empty() { p { (t(lang, "search-none")) " " a href="/persons/new" { (t(lang, "nav-register")) } } } @else {
                    div.scroll tabindex="0" { table {
                        thead { tr { th { (t(lang, "field-name")) } th { (t(lang, "field-sex")) } th { (t(lang, "field-birth_date")) } th { (t(lang, "field-nationality")) } } }
                        tbody { @for h in &r.hits { tr {
                            td { a href=(format!("/persons/{}", h.person_id)) { (h.display_name) } @if let Some(m) = &h.matched_name { br; span.muted { (tr(lang, "search-matched-as", &[("name", m.clone())])) } } }
                            td { (label(lang, "sex", h.sex.as_str())) }
                            td { @if let Some(b) = h.birth_date { (birth(lang, b)) } }
                            td { @if let Some(n) = h.nationality { (n.names().in_lang(lang.code())) } }
                        } } }
                    } }
                }
            }
        }
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(html_response(status, page(Page { lang, title: t(lang, "search-title"), session: Some(&s), here: "/persons" }, body)))
}

pub fn parse_filters(get: &dyn Fn(&str) -> String, errors: &mut Vec<FieldError>) -> SearchFilters {
    fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| errors.push(e)).ok()
    }
    let mut f = SearchFilters::default();
    if !get("nationality").trim().is_empty() {
        f.nationality = keep(errors, CountryCode::parse("nationality", &get("nationality")));
    }
    if !get("sex").trim().is_empty() {
        f.sex = keep(errors, Sex::parse("sex", &get("sex")));
    }
    let by = get("birth_year");
    if !by.trim().is_empty() {
        f.birth_year = keep(
            errors,
            by.trim().parse::<i32>().ok().filter(|y| (1900..=2100).contains(y)).ok_or_else(|| FieldError::new("birth_year", "err-year")),
        );
    }
    if !get("office").trim().is_empty() {
        f.office = keep(
            errors,
            get("office").trim().parse::<OfficeId>().map_err(|_| {
                FieldError::new("office", "err-unknown-office").with("value", get("office").chars().take(40).collect::<String>())
            }),
        );
    }
    if !get("status").trim().is_empty() {
        f.case_status = keep(errors, CaseStatus::parse("status", &get("status")));
    }
    f
}

pub(crate) fn country_options(lang: Lang, empty: String) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = CountryCode::all().map(|c| (c.to_string(), c.names().in_lang(lang.code()).to_string())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v.insert(0, (String::new(), empty));
    v
}

fn birth(lang: Lang, b: passage_domain::date::BirthDate) -> String {
    match b.precision {
        BirthDatePrecision::Exact => i18n::date(lang, b.date),
        BirthDatePrecision::Year => b.year().to_string(),
        BirthDatePrecision::Estimated => tr(lang, "birth-estimated", &[("year", b.year().to_string())]),
    }
}

// ---------------------------------------------------------------- register

async fn register_form(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::WriteSomewhere)
        .map_err(|e| PageError::from_service(lang, e))?;
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(html_response(StatusCode::OK, register_page(lang, &s, &offices, &FormData::default(), &[], None)))
}

fn person_input(f: &FormData) -> (PersonInput, CaseInput) {
    let mut names = vec![NameInput { given: f.get("given"), family: f.get("family") }];
    if !(f.get("alias_given").trim().is_empty() && f.get("alias_family").trim().is_empty()) {
        names.push(NameInput { given: f.get("alias_given"), family: f.get("alias_family") });
    }
    let documents = if f.get("doc_number").trim().is_empty() && f.get("doc_kind").trim().is_empty() {
        vec![]
    } else {
        vec![DocumentInput {
            kind: f.get("doc_kind"),
            number: f.get("doc_number"),
            issuing_country: f.get("doc_country"),
            expires_on: f.get("doc_expires"),
        }]
    };
    (
        PersonInput {
            names,
            sex: f.get("sex"),
            birth_date: f.get("birth_date"),
            birth_date_precision: f.get("birth_date_precision"),
            nationality: f.get("nationality"),
            languages: f.all("languages"),
            phone: f.get("phone"),
            documents,
        },
        CaseInput { kind: f.get("kind"), office_id: f.get("office_id"), assigned_to: f.get("assigned_to") },
    )
}

/// Form field names for the domain's field paths.
fn form_field(domain: &str) -> String {
    match domain {
        "names[0].given" => "given".into(),
        "names[0].family" => "family".into(),
        "names[1].given" => "alias_given".into(),
        "names[1].family" => "alias_family".into(),
        "documents[0].kind" => "doc_kind".into(),
        "documents[0].number" => "doc_number".into(),
        "documents[0].issuing_country" => "doc_country".into(),
        "documents[0].expires_on" => "doc_expires".into(),
        d if d.starts_with("languages") => "languages".into(),
        d => d.to_string(),
    }
}

fn register_page(
    lang: Lang,
    s: &Session,
    offices: &[passage_storage::records::OfficeRecord],
    f: &FormData,
    errors: &[FieldError],
    likely: Option<&[passage_service::linkage::LikelyPerson]>,
) -> Markup {
    let errors: Vec<FieldError> = errors
        .iter()
        .cloned()
        .map(|mut e| {
            e.field = form_field(&e.field);
            e
        })
        .collect();
    let errors = &errors[..];
    let my_offices = writable_office_options(s, offices);
    let text = |name: &str, kind: &str| -> Markup {
        let v = f.get(name);
        field(lang, name, &t(lang, &format!("field-{name}")), Input::Text { value: &v, kind }, errors, None)
    };
    let mut languages: Vec<(String, String)> =
        LanguageCode::all().map(|l| (l.to_string(), l.names().in_lang(lang.code()).to_string())).collect();
    languages.sort_by(|a, b| a.1.cmp(&b.1));
    let body = html! {
        h1 { (t(lang, "register-title")) }
        p.muted { (t(lang, "register-intro")) }
        (error_summary(lang, errors))
        @if let Some(list) = likely {
            section.card aria-labelledby="h-likely" role="status" {
                h2 id="h-likely" { (t(lang, "likely-title")) }
                @if list.is_empty() { p { (t(lang, "likely-none")) } } @else {
                    ul { @for l in list { li {
                        a href=(format!("/persons/{}", l.person_id)) { (l.display_name) }
                        " · " (crate::layout::label(lang, "sex", &l.sex))
                        @if let Some(y) = l.birth_year { " · " (y) }
                        @if let Some(n) = &l.nationality { " · " (n) }
                        " · " strong { (crate::i18n::tr(lang, "likely-probability", &[("p", format!("{:.0}", l.probability * 100.0))])) }
                        span.muted { " (" (l.explanation.iter().map(|p| format!("{} {:+.1}", p.field, p.weight)).collect::<Vec<_>>().join(", ")) ")" }
                    } } }
                }
            }
        }
        form method="post" action="/persons" novalidate {
            input type="hidden" name="csrf" value=(s.csrf_token);
            fieldset { legend { (t(lang, "register-identity")) }
                div.grid { (text("given", "text")) (text("family", "text")) }
                div.grid { (text("alias_given", "text")) (text("alias_family", "text")) }
                div.grid {
                    (field(lang, "sex", &t(lang, "field-sex"), Input::Select { value: &f.get("sex"), options: code_options(lang, "sex", Sex::ALL.iter().map(|s| s.as_str()), None) }, errors, None))
                    (field(lang, "nationality", &t(lang, "field-nationality"), Input::Select { value: &f.get("nationality"), options: country_options(lang, t(lang, "choose")) }, errors, None))
                }
                div.grid {
                    (field(lang, "birth_date", &t(lang, "field-birth_date"), Input::Text { value: &f.get("birth_date"), kind: "text" }, errors, Some(&t(lang, "hint-birth-date"))))
                    (field(lang, "birth_date_precision", &t(lang, "field-birth_date_precision"), Input::Select { value: &f.get("birth_date_precision"), options: code_options(lang, "precision", BirthDatePrecision::ALL.iter().map(|p| p.as_str()), None) }, errors, None))
                }
                div.grid {
                    (field(lang, "phone", &t(lang, "field-phone"), Input::Text { value: &f.get("phone"), kind: "tel" }, errors, Some(&t(lang, "hint-phone"))))
                    div {
                        label for="f-languages" { (t(lang, "field-languages")) }
                        @for m in crate::layout::field_errors(lang, errors, "languages") { p.error { (m) } }
                        select id="f-languages" name="languages" multiple size="4" {
                            @for (code, name) in &languages { option value=(code) selected[f.has("languages", code)] { (name) } }
                        }
                    }
                }
            }
            fieldset { legend { (t(lang, "register-document")) }
                div.grid {
                    (field(lang, "doc_kind", &t(lang, "field-doc_kind"), Input::Select { value: &f.get("doc_kind"), options: code_options(lang, "doc", DocumentKind::ALL.iter().map(|d| d.as_str()), Some(&t(lang, "none"))) }, errors, None))
                    (text("doc_number", "text"))
                    (field(lang, "doc_country", &t(lang, "field-doc_country"), Input::Select { value: &f.get("doc_country"), options: country_options(lang, t(lang, "none")) }, errors, None))
                    (field(lang, "doc_expires", &t(lang, "field-doc_expires"), Input::Text { value: &f.get("doc_expires"), kind: "date" }, errors, None))
                }
            }
            fieldset { legend { (t(lang, "register-case")) }
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "kind", CaseKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "office_id", &t(lang, "field-office_id"), Input::Select { value: &f.get("office_id"), options: my_offices }, errors, None))
                }
            }
            // Registering stays the form's first button (what Enter does); checking first is the second.
            p {
                button type="submit" { (t(lang, "register-submit")) } " "
                button.secondary type="submit" name="check" value="1" { (t(lang, "register-check")) }
            }
        }
    };
    page(Page { lang, title: t(lang, "register-title"), session: Some(s), here: "/persons/new" }, body)
}

async fn register(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let (person, case) = person_input(&f);
    // "Check first": who is already registered like this, before saving anything.
    if f.get("check") == "1" {
        let likely = state.passage.likely_persons(&s.actor, &person, 5).await.map_err(|e| PageError::from_service(lang, e))?;
        let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
        return Ok(html_response(StatusCode::OK, register_page(lang, &s, &offices, &f, &[], Some(&likely))));
    }
    match state.passage.register_person(&s.actor, &person, &case).await {
        Ok(r) => Ok(Redirect::to(&format!("/persons/{}?registered=1", r.person_id)).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
            Ok(html_response(StatusCode::UNPROCESSABLE_ENTITY, register_page(lang, &s, &offices, &f, &inv.errors, None)))
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

// ---------------------------------------------------------------- person

async fn person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id: PersonId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    render_person(&state, &s, lang, id, q.contains_key("registered"), PersonForms::default(), StatusCode::OK).await
}

/// Which of the person page's forms was submitted, to re-show it with its errors.
#[derive(Default)]
struct PersonForms<'a> {
    which: &'a str,
    form: Option<&'a FormData>,
    errors: &'a [FieldError],
}

async fn render_person(
    state: &AppState,
    s: &Session,
    lang: Lang,
    id: PersonId,
    registered: bool,
    forms: PersonForms<'_>,
    status: StatusCode,
) -> PageResult {
    let empty = FormData::default();
    let (f, errors) = if forms.which == "consent" { (forms.form.unwrap_or(&empty), forms.errors) } else { (&empty, &[][..]) };
    let (cf, case_errors) = if forms.which == "case" { (forms.form.unwrap_or(&empty), forms.errors) } else { (&empty, &[][..]) };
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let my_offices = writable_office_options(s, &offices);
    let given_on = if f.get("given_on").is_empty() { passage_domain::date::CalendarDate::today().to_string() } else { f.get("given_on") };
    let file = state.passage.person_file(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let p = &file.person;
    // Merges into this person, for those who may undo them.
    let merges = if s.actor.rights().can_somewhere(passage_domain::policy::Permission::MergePersons) {
        state.passage.merges_into(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?
    } else {
        Vec::new()
    };
    let body = html! {
        @if registered { p.notice role="status" { (t(lang, "register-done")) } }
        h1 { (p.display_name) }
        div.card {
            dl.facts {
                @if p.names.len() > 1 { dt { (t(lang, "person-aliases")) } dd { (p.names[1..].iter().map(|n| n.display()).collect::<Vec<_>>().join(", ")) } }
                dt { (t(lang, "field-sex")) } dd { (label(lang, "sex", p.sex.as_str())) }
                dt { (t(lang, "field-birth_date")) } dd { @if let Some(b) = p.birth_date { (birth(lang, b)) } @else { "—" } }
                dt { (t(lang, "field-nationality")) } dd { @if let Some(n) = p.nationality { (n.names().in_lang(lang.code())) } @else { "—" } }
                dt { (t(lang, "field-languages")) } dd { (p.languages.iter().map(|l| l.names().in_lang(lang.code()).to_string()).collect::<Vec<_>>().join(", ")) }
                dt { (t(lang, "field-phone")) } dd dir="ltr" { (p.phone.clone().unwrap_or_else(|| "—".into())) }
                @for d in &p.documents { dt { (label(lang, "doc", d.kind.as_str())) } dd dir="ltr" { (d.number) @if let Some(c) = d.issuing_country { " (" (c) ")" } } }
                dt { (t(lang, "person-registered")) } dd { (i18n::datetime(lang, p.created_at)) }
            }
        }
        h2 { (t(lang, "person-cases")) }
        (case_table(lang, &file.cases))
        @if !my_offices.is_empty() {
            details.card open[forms.which == "case"] {
                summary { (t(lang, "case-open-another")) }
                form method="post" action=(format!("/persons/{id}/cases")) id="open-case" {
                    (error_summary(lang, case_errors))
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    div.grid {
                        (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &cf.get("kind"), options: code_options(lang, "kind", CaseKind::ALL.iter().map(|k| k.as_str()), None) }, case_errors, None))
                        (field(lang, "office_id", &t(lang, "field-office_id"), Input::Select { value: &cf.get("office_id"), options: my_offices }, case_errors, None))
                    }
                    p { button type="submit" { (t(lang, "case-open-submit")) } }
                }
            }
        }
        h2 { (t(lang, "case-screenings")) }
        (screening_list(lang, &file.screenings))
        h2 { (t(lang, "case-assistance")) }
        (assistance_table(lang, &file.assistance))
        h2 { (t(lang, "case-notes")) }
        (note_list(lang, &file.notes))
        section aria-labelledby="h-consents" {
            h2 id="h-consents" { (t(lang, "consents")) }
            @if file.consents.is_empty() { p.muted { (t(lang, "none-yet")) } }
            ul { @for k in &file.consents { li {
                strong { (label(lang, "consent", k.kind.as_str())) } @if let Some(p) = &k.partner { " — " (p) }
                " · " (i18n::date(lang, k.given_on)) " · " (label(lang, "consent-method", k.method.as_str())) span.muted { " · " (k.recorded_by) }
                @if let Some(w) = k.withdrawn_on { " · " strong { (tr(lang, "consent-withdrawn-on", &[("date", i18n::date(lang, w))])) } } @else {
                    form method="post" action=(format!("/persons/{id}/consents/{}/withdraw", k.id)) class="inline" {
                        input type="hidden" name="csrf" value=(s.csrf_token);
                        " " button.secondary type="submit" { (t(lang, "consent-withdraw")) }
                    }
                }
            } } }
            form.card method="post" action=(format!("/persons/{id}/consents")) id="consent" {
                h3 { (t(lang, "consent-record")) }
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "consent", ConsentKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "partner", &t(lang, "field-partner"), Input::Text { value: &f.get("partner"), kind: "text" }, errors, Some(&t(lang, "hint-partner"))))
                    (field(lang, "method", &t(lang, "field-method"), Input::Select { value: &f.get("method"), options: code_options(lang, "consent-method", ConsentMethod::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "given_on", &t(lang, "field-given_on"), Input::Text { value: &given_on, kind: "date" }, errors, None))
                }
                p { button type="submit" { (t(lang, "consent-submit")) } }
            }
        }
        @if !merges.is_empty() {
            section aria-labelledby="h-merges" {
                h2 id="h-merges" { (t(lang, "person-merges")) }
                ul { @for m in &merges { li {
                    (i18n::datetime(lang, m.merged_at)) " · " code { (m.merged_person_id) }
                    @if let Some(u) = m.undone_at { " · " (tr(lang, "person-merge-undone", &[("date", i18n::datetime(lang, u))])) } @else {
                        form method="post" action=(format!("/merges/{}/undo", m.id)) class="inline" {
                            input type="hidden" name="csrf" value=(s.csrf_token);
                            " " button.secondary type="submit" { (t(lang, "duplicates-undo")) }
                        }
                    }
                } } }
            }
        }
        @if file.cases.iter().any(|c| s.actor.rights().can(passage_domain::policy::Permission::HandleDataRequests, c.office_id)) {
            (crate::privacy::data_requests_section(lang, s, id))
        }
    };
    Ok(html_response(status, page(Page { lang, title: p.display_name.clone(), session: Some(s), here: &format!("/persons/{id}") }, body)))
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

// ---------------------------------------------------------------- case

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

// ---------------------------------------------------------------- offices

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

async fn add_consent(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id: PersonId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let input = ConsentInput { kind: f.get("kind"), partner: f.get("partner"), method: f.get("method"), given_on: f.get("given_on") };
    match state.passage.record_consent(&s.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}#h-consents")).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            let forms = PersonForms { which: "consent", form: Some(&f), errors: &inv.errors };
            render_person(&state, &s, lang, id, false, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn open_case(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id: PersonId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let input = CaseInput { kind: f.get("kind"), office_id: f.get("office_id"), assigned_to: String::new() };
    match state.passage.open_case(&s.actor, id, &input).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{case}")).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            let errors: Vec<FieldError> = inv
                .errors
                .into_iter()
                .map(|mut e| {
                    e.field = form_field(&e.field);
                    e
                })
                .collect();
            let forms = PersonForms { which: "case", form: Some(&f), errors: &errors };
            render_person(&state, &s, lang, id, false, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn withdraw_consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, consent)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let not_found = || PageError::from_service(lang, ServiceError::NotFound);
    let id: PersonId = id.parse().map_err(|_| not_found())?;
    let consent: passage_domain::ids::ConsentId = consent.parse().map_err(|_| not_found())?;
    state.passage.withdraw_consent(&s.actor, id, consent).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to(&format!("/persons/{id}#h-consents")).into_response())
}

// ---------------------------------------------------------------- audit trail

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
