//! Who is asking. Pages use an HttpOnly, SameSite=Lax session cookie and a
//! per-session CSRF token in every form; the API takes a bearer token from
//! `POST /api/v1/auth/login` (or the cookie plus an `X-CSRF-Token` header on
//! writes). The language comes from the user's setting, then the `lang`
//! cookie, then `Accept-Language`.

use crate::i18n::Lang;
use crate::AppState;
use axum::http::{header, HeaderMap, Method};
use passage_service::auth::Session;
use passage_service::{ServiceError, ServiceResult};

pub const SESSION_COOKIE: &str = "passage_session";
pub const LANG_COOKIE: &str = "passage_lang";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}", if secure { "; Secure" } else { "" })
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

pub fn lang_cookie(lang: Lang) -> String {
    format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code())
}

/// The language for an anonymous request.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_else(|| Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("")))
}

pub fn user_lang(s: &Session) -> Lang {
    Lang::parse(&s.actor.locale).unwrap_or(Lang::En)
}

/// The session behind the request's cookie.
pub async fn from_cookie(state: &AppState, headers: &HeaderMap) -> ServiceResult<Session> {
    let token = cookie(headers, SESSION_COOKIE).ok_or(ServiceError::Unauthenticated)?;
    let mut s = state.passage.session(&token).await?;
    s.actor.source = peer(headers);
    Ok(s)
}

/// The client's address, as the connection gave it (see `PEER_HEADER`).
pub fn peer(headers: &HeaderMap) -> String {
    headers.get(crate::PEER_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("unknown").to_string()
}

/// The session of an API request: a bearer token, or the cookie — and then
/// writes must carry the CSRF token in `X-CSRF-Token`.
pub async fn from_api(state: &AppState, method: &Method, headers: &HeaderMap) -> ServiceResult<Session> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth.strip_prefix("Bearer ").ok_or(ServiceError::Unauthenticated)?.trim();
        let mut s = if token.starts_with(passage_service::tokens::TOKEN_PREFIX) {
            state.passage.token_session(token).await?
        } else {
            state.passage.session(token).await?
        };
        s.actor.source = peer(headers);
        return Ok(s);
    }
    let s = from_cookie(state, headers).await?;
    if !matches!(*method, Method::GET | Method::HEAD) {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), s.csrf_token.as_bytes()) {
            return Err(ServiceError::Forbidden("write without the X-CSRF-Token header"));
        }
    }
    Ok(s)
}

/// Compare secrets without an early exit that would leak where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
