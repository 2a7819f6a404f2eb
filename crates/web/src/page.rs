//! The machinery every HTML page shares: who is asking (the session of a
//! page request, or of a form post after its CSRF token is checked), the
//! page-level error rendered as a page, POST-redirect-GET after a write, and
//! the fallbacks for unknown routes and methods. Resource modules use it; it
//! uses none of them.

use crate::error::problem;
use crate::form::FormData;
use crate::i18n::{t, Lang};
use crate::layout::{page, Page};
use crate::session::{self, constant_time_eq};
use crate::AppState;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use passage_domain::codes::CountryCode;
use passage_service::auth::Session;
use passage_service::ServiceError;

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
            ServiceError::Storage(s) if s.is_unstorable_text() => (StatusCode::UNPROCESSABLE_ENTITY, "error-unstorable-text"),
            ServiceError::Storage(passage_storage::StorageError::DiskFull) => {
                tracing::error!("the database's disk is full");
                (StatusCode::INSUFFICIENT_STORAGE, "error-disk-full")
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
pub(crate) fn local_path(p: &str) -> bool {
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

pub(crate) fn country_options(lang: Lang, empty: String) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = CountryCode::all().map(|c| (c.to_string(), c.names().in_lang(lang.code()).to_string())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v.insert(0, (String::new(), empty));
    v
}

/// The languages Passage knows as select options (code, name in the reader's language), by name, after `empty`.
pub(crate) fn language_options(lang: Lang, empty: String) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        passage_domain::codes::LanguageCode::all().map(|l| (l.to_string(), l.names().in_lang(lang.code()).to_string())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v.insert(0, (String::new(), empty));
    v
}
