//! Pages about accounts: the second step of a login (TOTP, with enrolment
//! of an authenticator at the first login), one's own account and API
//! tokens, and the administration of users (create, disable, re-scope,
//! reset a lost authenticator) with the access policy rendered from code.

use crate::form::FormData;
use crate::i18n::{t, tr, Lang};
use crate::layout::{error_summary, field, label, page, Input, Page};
use crate::page::local_path;
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::session::{self, constant_time_eq};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use passage_domain::policy::{Permission, Role, POLICY};
use passage_domain::FieldError;
use passage_service::auth::{Enrolment, LoginStep, Session};
use passage_service::ServiceError;
use passage_storage::users::ApiTokenRecord;

pub const CHALLENGE_COOKIE: &str = "passage_challenge";

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/login", login_form)
        .post("/login", login)
        .post("/logout", logout)
        .post("/language", set_language)
        .get("/login/second-factor", second_factor_form)
        .post("/login/second-factor", second_factor)
        .get("/account", account)
        .post("/account/tokens", create_token)
        .post("/account/password", change_password)
        .post("/account/tokens/{id}/revoke", revoke_token)
        .get("/admin/users", users)
        .post("/admin/users", create_user)
        .get("/admin/users/{username}", user)
        .post("/admin/users/{username}/grants", grant)
        .post("/admin/users/{username}/grants/{role}/revoke", revoke_grant)
        .post("/admin/users/{username}/active", set_active)
        .post("/admin/users/{username}/second-factor/reset", reset_second_factor)
        .get("/admin/permissions", permissions)
}

/// The challenge cookie: only for the second-factor page, gone in minutes.
pub fn challenge_cookie(token: &str, secure: bool) -> String {
    format!(
        "{CHALLENGE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age={}{}",
        passage_service::auth::CHALLENGE_SECS,
        if secure { "; Secure" } else { "" }
    )
}

fn clear_challenge_cookie() -> String {
    format!("{CHALLENGE_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0")
}

fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Office codes as typed: separated by commas or spaces.
fn office_codes(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace()).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

// ---------------------------------------------------------------- second factor

/// An authenticator secret as a QR code (SVG: no script, no image request).
fn qr_svg(uri: &str) -> Markup {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => PreEscaped(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build()),
        Err(_) => html! {},
    }
}

/// The secret in groups of four, as people copy it by hand.
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

fn second_factor_page(lang: Lang, enrol: Option<&Enrolment>, errors: &[FieldError]) -> Markup {
    let title = if enrol.is_some() { t(lang, "totp-enrol-title") } else { t(lang, "totp-title") };
    page(
        Page { lang, title: title.clone(), session: None, here: "/login" },
        html! {
            div.card {
                h1 { (title) }
                (error_summary(lang, errors))
                @if let Some(e) = enrol {
                    p { (t(lang, "totp-enrol-help")) }
                    div.qr { (qr_svg(&e.uri)) }
                    p { (t(lang, "totp-enrol-secret")) " " code #totp-secret { (grouped(&e.secret)) } }
                } @else {
                    p { (t(lang, "totp-help")) }
                }
                form method="post" action="/login/second-factor" {
                    (field(lang, "code", &t(lang, "totp-code"), Input::Text { value: "", kind: "text" }, errors, None))
                    p { button type="submit" { (t(lang, "totp-submit")) } }
                }
            }
        },
    )
}

async fn second_factor_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = session::request_lang(&headers);
    let Some(token) = session::cookie(&headers, CHALLENGE_COOKIE) else { return Redirect::to("/login").into_response() };
    match state.passage.challenge_info(&token).await {
        Ok(enrol) => html_response(StatusCode::OK, second_factor_page(lang, enrol.as_ref(), &[])),
        Err(ServiceError::Unauthenticated) => with_cookie(Redirect::to("/login").into_response(), &clear_challenge_cookie()),
        Err(e) => PageError::from_service(lang, e).into_response(),
    }
}

async fn second_factor(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    let lang = session::request_lang(&headers);
    let Some(token) = session::cookie(&headers, CHALLENGE_COOKIE) else { return Redirect::to("/login").into_response() };
    match state.passage.second_factor(&token, &f.get("code"), &session::peer(&headers)).await {
        Ok(s) => {
            let r = with_cookie(Redirect::to("/").into_response(), &session::session_cookie(&s.token, state.secure_cookies));
            with_cookie(r, &clear_challenge_cookie())
        }
        Err(ServiceError::Invalid(inv)) => {
            let enrol = state.passage.challenge_info(&token).await.ok().flatten();
            html_response(StatusCode::UNPROCESSABLE_ENTITY, second_factor_page(lang, enrol.as_ref(), &inv.errors))
        }
        Err(ServiceError::TooManyAttempts { retry_after_secs }) => {
            let notice = LoginNotice::Paused(crate::error::minutes(retry_after_secs));
            with_cookie(login_response(&state, StatusCode::TOO_MANY_REQUESTS, lang, "", notice), &clear_challenge_cookie())
        }
        Err(ServiceError::Unauthenticated) => with_cookie(Redirect::to("/login").into_response(), &clear_challenge_cookie()),
        Err(e) => PageError::from_service(lang, e).into_response(),
    }
}

// ---------------------------------------------------------------- one's own account

fn grants_list(lang: Lang, s: &passage_service::UserRecord, offices: &std::collections::HashMap<String, String>) -> Markup {
    html! {
        ul { @for g in &s.grants { li {
            strong { (label(lang, "role", g.role.as_str())) } " — "
            @match &g.offices {
                passage_domain::policy::Offices::All => { (t(lang, "offices-all")) }
                passage_domain::policy::Offices::Only(set) => {
                    (set.iter().map(|o| offices.get(&o.to_string()).cloned().unwrap_or_else(|| o.to_string())).collect::<Vec<_>>().join(", "))
                }
            }
        } } }
    }
}

async fn office_codes_by_id(state: &AppState, lang: Lang) -> Result<std::collections::HashMap<String, String>, PageError> {
    let list = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(list.into_iter().map(|o| (o.id.to_string(), o.code)).collect())
}

fn token_table(lang: Lang, s: &Session, tokens: &[ApiTokenRecord]) -> Markup {
    let now = passage_domain::date::Timestamp::now().unix();
    html! {
        @if tokens.is_empty() { p { (t(lang, "tokens-none")) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th { (t(lang, "field-name")) } th { (t(lang, "tokens-scope")) } th { (t(lang, "tokens-expires")) } th { (t(lang, "tokens-state")) } th {} } }
                tbody { @for tk in tokens { tr {
                    td { (tk.name) }
                    td { (tk.grants.iter().map(|g| label(lang, "role", g.role.as_str())).collect::<Vec<_>>().join(", ")) }
                    td { (passage_domain::date::Timestamp::from_unix(tk.expires_at).map(|x| crate::i18n::date(lang, x.date())).unwrap_or_default()) }
                    td { @if tk.revoked_at.is_some() { (t(lang, "tokens-revoked")) } @else if tk.expires_at < now { (t(lang, "tokens-expired")) } @else { (t(lang, "tokens-active")) } }
                    td { @if tk.revoked_at.is_none() && tk.expires_at >= now {
                        form method="post" action=(format!("/account/tokens/{}/revoke", tk.id)) {
                            input type="hidden" name="csrf" value=(s.csrf_token);
                            button.secondary type="submit" { (t(lang, "tokens-revoke")) }
                        }
                    } }
                } } }
            } }
        }
    }
}

async fn account_page(
    state: &AppState,
    s: &Session,
    lang: Lang,
    new_token: Option<&str>,
    f: &FormData,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    // Errors of the password form carry its own field names; the rest belong to the token form.
    let (password_errors, errors): (Vec<FieldError>, Vec<FieldError>) =
        errors.iter().cloned().partition(|e| e.field == "current_password" || e.field == "new_password");
    let (password_errors, errors) = (&password_errors[..], &errors[..]);
    let tokens = state.passage.api_tokens(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let offices = office_codes_by_id(state, lang).await?;
    let roles: Vec<(String, String)> =
        s.actor.grants.iter().map(|g| (g.role.as_str().to_string(), label(lang, "role", g.role.as_str()))).collect();
    let body = html! {
        h1 { (t(lang, "account-title")) }
        section.card {
            h2 { (s.actor.display_name) " (" (s.actor.username) ")" }
            (grants_list(lang, &s.actor, &offices))
            @if s.actor.rights().needs_second_factor() { p { (t(lang, "account-second-factor")) } }
        }
        form.card method="post" action="/account/password" #password {
            h2 { (t(lang, "account-password")) }
            (error_summary(lang, password_errors))
            input type="hidden" name="csrf" value=(s.csrf_token);
            div.grid {
                (field(lang, "current_password", &t(lang, "field-current_password"), Input::Text { value: "", kind: "password" }, password_errors, None))
                (field(lang, "new_password", &t(lang, "field-new_password"), Input::Text { value: "", kind: "password" }, password_errors, Some(&t(lang, "users-password-hint"))))
            }
            p { button type="submit" { (t(lang, "account-password-submit")) } }
        }
        section.card {
            h2 #h-tokens { (t(lang, "tokens-title")) }
            p { (t(lang, "tokens-help")) }
            @if let Some(tok) = new_token {
                div.notice role="status" { p { (t(lang, "tokens-once")) } p { code #new-token { (tok) } } }
            }
            (token_table(lang, s, &tokens))
            form method="post" action="/account/tokens" {
                h3 { (t(lang, "tokens-add")) }
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "name", &t(lang, "field-name"), Input::Text { value: &f.get("name"), kind: "text" }, errors, None))
                    (field(lang, "role", &t(lang, "field-role"), Input::Select { value: &f.get("role"), options: roles }, errors, None))
                    (field(lang, "office", &t(lang, "field-offices"), Input::Text { value: &f.get("office"), kind: "text" }, errors, Some(&t(lang, "field-offices-hint"))))
                    (field(lang, "days", &t(lang, "tokens-days"), Input::Text { value: &Some(f.get("days")).filter(|d| !d.is_empty()).unwrap_or_else(|| "90".into()), kind: "text" }, errors, None))
                }
                p { button type="submit" { (t(lang, "tokens-submit")) } }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title: t(lang, "account-title"), session: Some(s), here: "/account" }, body)))
}

async fn account(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    account_page(&state, &s, lang, None, &FormData::default(), &[], StatusCode::OK).await
}

async fn change_password(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    match state.passage.change_password(&s.actor, &f.get("current_password"), &f.get("new_password")).await {
        // Every session ended, this one too: log in with the new password.
        Ok(()) => Ok(with_cookie(Redirect::to("/login").into_response(), &session::clear_session_cookie())),
        Err(ServiceError::Invalid(inv)) => {
            account_page(&state, &s, lang, None, &FormData::default(), &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

fn parse_days(f: &FormData) -> i64 {
    f.get("days").trim().parse().unwrap_or(0)
}

async fn create_token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let role = match Role::parse("role", f.get("role").trim()) {
        Ok(r) => r,
        Err(e) => return account_page(&state, &s, lang, None, &f, &[e], StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let r = state
        .passage
        .create_api_token(Some(&s.actor), &s.actor.username, &f.get("name"), role, &office_codes(&f.get("office")), parse_days(&f))
        .await;
    match r {
        Ok(tk) => account_page(&state, &s, lang, Some(&tk.token), &FormData::default(), &[], StatusCode::CREATED).await,
        Err(ServiceError::Invalid(inv)) => account_page(&state, &s, lang, None, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn revoke_token(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    state.passage.revoke_api_token(Some(&s.actor), &id).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to("/account#h-tokens").into_response())
}

// ---------------------------------------------------------------- administering users

fn role_options(lang: Lang) -> Vec<(String, String)> {
    Role::ALL.iter().map(|r| (r.as_str().to_string(), label(lang, "role", r.as_str()))).collect()
}

async fn users_page(state: &AppState, s: &Session, lang: Lang, f: &FormData, errors: &[FieldError], status: StatusCode) -> PageResult {
    let list = state.passage.users(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let offices = office_codes_by_id(state, lang).await?;
    let body = html! {
        h1 { (t(lang, "users-title")) }
        p { a href="/admin/permissions" { (t(lang, "permissions-title")) } }
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "field-username")) } th { (t(lang, "field-name")) } th { (t(lang, "users-roles")) } th { (t(lang, "users-state")) } } }
            tbody { @for u in &list { tr {
                td { a href=(format!("/admin/users/{}", u.username)) { (u.username) } }
                td { (u.display_name) }
                td { (grants_list(lang, u, &offices)) }
                td { @if u.active { (t(lang, "users-active")) } @else { (t(lang, "users-disabled")) } }
            } } }
        } }
        form.card method="post" action="/admin/users" {
            h2 { (t(lang, "users-add")) }
            (error_summary(lang, errors))
            input type="hidden" name="csrf" value=(s.csrf_token);
            div.grid {
                (field(lang, "username", &t(lang, "field-username"), Input::Text { value: &f.get("username"), kind: "text" }, errors, None))
                (field(lang, "display_name", &t(lang, "field-name"), Input::Text { value: &f.get("display_name"), kind: "text" }, errors, None))
                (field(lang, "password", &t(lang, "field-password"), Input::Text { value: "", kind: "password" }, errors, Some(&t(lang, "users-password-hint"))))
                (field(lang, "role", &t(lang, "field-role"), Input::Select { value: &f.get("role"), options: role_options(lang) }, errors, None))
                (field(lang, "office", &t(lang, "field-offices"), Input::Text { value: &f.get("office"), kind: "text" }, errors, Some(&t(lang, "field-offices-hint"))))
            }
            p { button type="submit" { (t(lang, "users-submit")) } }
        }
    };
    Ok(html_response(status, page(Page { lang, title: t(lang, "users-title"), session: Some(s), here: "/admin/users" }, body)))
}

async fn users(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    users_page(&state, &s, lang, &FormData::default(), &[], StatusCode::OK).await
}

async fn create_user(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ManageUsers)
        .map_err(|e| PageError::from_service(lang, e))?;
    let role = match Role::parse("role", f.get("role").trim()) {
        Ok(r) => r,
        Err(e) => return users_page(&state, &s, lang, &f, &[e], StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match state
        .passage
        .add_user(Some(&s.actor), &f.get("username"), &f.get("display_name"), &f.get("password"), role, &office_codes(&f.get("office")))
        .await
    {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}", u.username)).into_response()),
        Err(ServiceError::Invalid(inv)) => users_page(&state, &s, lang, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn user_page(
    state: &AppState,
    s: &Session,
    lang: Lang,
    username: &str,
    f: &FormData,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let (u, enrolled) = state.passage.managed_user_info(&s.actor, username).await.map_err(|e| PageError::from_service(lang, e))?;
    let offices = office_codes_by_id(state, lang).await?;
    let base = format!("/admin/users/{}", u.username);
    let body = html! {
        p { a href="/admin/users" { "← " (t(lang, "users-title")) } }
        h1 { (u.display_name) " (" (u.username) ")" }
        (error_summary(lang, errors))
        section.card {
            h2 { (t(lang, "users-roles")) }
            ul { @for g in &u.grants { li {
                strong { (label(lang, "role", g.role.as_str())) } " — "
                (match &g.offices {
                    passage_domain::policy::Offices::All => t(lang, "offices-all"),
                    passage_domain::policy::Offices::Only(set) => set.iter().map(|o| offices.get(&o.to_string()).cloned().unwrap_or_default()).collect::<Vec<_>>().join(", "),
                })
                form.inline method="post" action=(format!("{base}/grants/{}/revoke", g.role.as_str())) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    button.secondary type="submit" { (t(lang, "users-revoke")) }
                }
            } } }
            form method="post" action=(format!("{base}/grants")) {
                h3 { (t(lang, "users-grant")) }
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "role", &t(lang, "field-role"), Input::Select { value: &f.get("role"), options: role_options(lang) }, errors, None))
                    (field(lang, "office", &t(lang, "field-offices"), Input::Text { value: &f.get("office"), kind: "text" }, errors, Some(&t(lang, "field-offices-hint"))))
                }
                p { button type="submit" { (t(lang, "users-grant-submit")) } }
            }
        }
        section.card {
            h2 { (t(lang, "users-state")) }
            p { @if u.active { (t(lang, "users-active")) } @else { (t(lang, "users-disabled")) } }
            form method="post" action=(format!("{base}/active")) {
                input type="hidden" name="csrf" value=(s.csrf_token);
                input type="hidden" name="active" value=(if u.active { "0" } else { "1" });
                button type="submit" { (if u.active { t(lang, "users-disable") } else { t(lang, "users-enable") }) }
            }
            p { (if enrolled { t(lang, "users-totp-enrolled") } else { t(lang, "users-totp-none") }) }
            @if enrolled {
                form method="post" action=(format!("{base}/second-factor/reset")) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    button.secondary type="submit" { (t(lang, "users-totp-reset")) }
                }
            }
        }
    };
    let title = format!("{} — {}", t(lang, "users-title"), u.username);
    Ok(html_response(status, page(Page { lang, title, session: Some(s), here: "/admin/users" }, body)))
}

async fn user(State(state): State<AppState>, headers: HeaderMap, Path(username): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    user_page(&state, &s, lang, &username, &FormData::default(), &[], StatusCode::OK).await
}

/// After a change to a user: back to their page, or the page with the errors.
async fn after(
    state: &AppState,
    s: &Session,
    lang: Lang,
    username: &str,
    f: &FormData,
    r: Result<passage_service::UserRecord, ServiceError>,
) -> PageResult {
    match r {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}", u.username)).into_response()),
        Err(ServiceError::Invalid(inv)) => user_page(state, s, lang, username, f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn grant(State(state): State<AppState>, headers: HeaderMap, Path(username): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ManageUsers)
        .map_err(|e| PageError::from_service(lang, e))?;
    let r = match Role::parse("role", f.get("role").trim()) {
        Ok(role) => state.passage.grant_role(Some(&s.actor), &username, role, &office_codes(&f.get("office"))).await,
        Err(e) => Err(e.into()),
    };
    after(&state, &s, lang, &username, &f, r).await
}

async fn revoke_grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((username, role)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let role = Role::parse("role", &role).map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let r = state.passage.revoke_role(Some(&s.actor), &username, role).await;
    after(&state, &s, lang, &username, &f, r).await
}

async fn set_active(State(state): State<AppState>, headers: HeaderMap, Path(username): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let r = state.passage.set_user_active(Some(&s.actor), &username, f.get("active") == "1").await;
    after(&state, &s, lang, &username, &f, r).await
}

async fn reset_second_factor(State(state): State<AppState>, headers: HeaderMap, Path(username): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let r = state.passage.reset_second_factor(Some(&s.actor), &username).await;
    after(&state, &s, lang, &username, &f, r).await
}

/// The policy table, from the code that enforces it.
async fn permissions(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ManageUsers)
        .map_err(|e| PageError::from_service(lang, e))?;
    let body = html! {
        h1 { (t(lang, "permissions-title")) }
        p { (t(lang, "permissions-help")) }
        div.scroll tabindex="0" { table {
            thead { tr { th { (t(lang, "permissions-permission")) } @for (r, _) in POLICY { th scope="col" { (label(lang, "role", r.as_str())) } } } }
            tbody { @for p in Permission::ALL { tr {
                th scope="row" { code { (p.as_str()) } }
                @for (r, _) in POLICY { td { @if r.permits(*p) { (t(lang, "yes")) } } }
            } } }
        } }
        p { (tr(lang, "permissions-restricted", &[])) }
    };
    Ok(html_response(
        StatusCode::OK,
        page(Page { lang, title: t(lang, "permissions-title"), session: Some(&s), here: "/admin/users" }, body),
    ))
}

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
