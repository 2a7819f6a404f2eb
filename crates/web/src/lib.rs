//! Passage's web layer: server-rendered pages that work without JavaScript,
//! and the JSON API under `/api/v1` described by an OpenAPI document. Both
//! are thin: they read the request, call one use case in `passage-service`,
//! and render the answer. Security headers, body limits and the fallbacks for
//! unknown routes and methods are set here, once, for every route.

// The OpenAPI document is one `json!` literal, deeper than the default macro recursion allows.
#![recursion_limit = "512"]

pub mod accounts;
pub mod activities;
pub mod api;
pub mod assets;
pub mod audit;
pub mod cases;
pub mod duplicates;
pub mod error;
pub mod exports;
pub mod figures;
pub mod form;
pub mod gateway_callbacks;
pub mod health;
pub mod home;
pub mod hotline;
pub mod i18n;
pub mod idempotency;
pub mod imports;
pub mod layout;
pub mod map;
pub mod messages;
pub mod movements;
pub mod offices;
pub mod openapi;
pub mod openrosa;
pub mod page;
pub mod persons;
pub mod privacy;
pub mod queue;
pub mod reintegration;
pub mod returns;
pub mod route_data;
pub mod routing;
pub mod session;
pub mod submissions;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::Router;
use passage_service::Passage;
use std::net::SocketAddr;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted; a registration is a few kilobytes.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub passage: Passage,
    /// Served over TLS (directly or behind a proxy): cookies get the `Secure`
    /// flag and responses carry HSTS.
    pub secure_cookies: bool,
    /// The address of the reverse proxy in front (TLS ends there): for its
    /// requests, the client is the last address it adds to
    /// `X-Forwarded-For`. Only that address is believed; anyone else's
    /// header is ignored, so a client cannot choose the address that
    /// throttling counts and the audit trail records.
    pub trusted_proxy: Option<std::net::IpAddr>,
}

/// Every route the server answers, as (method, path): pages, then the API
/// under `/api/v1`. Read from the routers themselves (see `routing`).
/// The routers of the pages, one per resource the user sees.
fn page_routes() -> Vec<routing::Routes> {
    vec![
        home::routes(),
        accounts::routes(),
        persons::routes(),
        cases::routes(),
        offices::routes(),
        audit::routes(),
        assets::routes(),
        health::routes(),
        privacy::routes(),
        movements::routes(),
        reintegration::routes(),
        figures::routes(),
        route_data::routes(),
        activities::routes(),
        openrosa::routes(),
        submissions::routes(),
        duplicates::routes(),
        imports::routes(),
        exports::routes(),
        hotline::routes(),
        messages::routes(),
        gateway_callbacks::routes(),
    ]
}

/// The API and its OpenAPI document.
fn api_routes() -> routing::Routes {
    api::routes().merge(openapi::routes())
}

pub fn route_table() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for r in page_routes() {
        out.extend(r.list);
    }
    out.extend(api_routes().list.into_iter().map(|(m, p)| (m, format!("/api/v1{p}"))));
    out
}

pub fn router(state: AppState) -> Router {
    let tls = state.secure_cookies;
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    let mut pages = Router::new();
    for r in page_routes() {
        pages = pages.merge(r.router);
    }
    pages
        .nest(
            "/api/v1",
            api_routes()
                .router
                .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::idempotent))
                .layer(axum::middleware::from_fn(credentials_first)),
        )
        .fallback(page::not_found)
        .method_not_allowed_fallback(page::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(axum::middleware::from_fn(same_site_forms))
        .layer(axum::middleware::from_fn_with_state(state.trusted_proxy, mark_peer))
        // gzip or brotli when the client asks: a programme page is 68 KB of HTML, a few KB compressed,
        // on links that are slow and paid by the megabyte.
        .layer(tower_http::compression::CompressionLayer::new())
        // Behind TLS, browsers must never come back over plain HTTP (a year, as OWASP recommends).
        .layer(tower::util::option_layer(
            tls.then(|| {
                SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"))
            }),
        ))
        .with_state(state)
}

/// A browser says where a form post comes from (`Sec-Fetch-Site`, `Origin`):
/// a page's form posted from another site is refused before any handler,
/// on top of each form's token. The API (bearer tokens, no cookies needed)
/// and the devices' OpenRosa posts are not browser forms.
async fn same_site_forms(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let path = req.uri().path();
    let form_post = req.method() == axum::http::Method::POST && !path.starts_with("/api/") && path != "/submission";
    if form_post {
        let h = req.headers();
        let cross_site = h.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site");
        // Under our `Referrer-Policy: no-referrer` Chromium sends `Origin: null`
        // even on same-site posts, so "null" says nothing either way; the
        // form's own token (and Sec-Fetch-Site) decide then.
        let foreign_origin = h.get(header::ORIGIN).is_some_and(|origin| {
            let origin = origin.to_str().unwrap_or("");
            if origin == "null" {
                return false;
            }
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            origin.split_once("://").map(|(_, rest)| rest) != Some(host)
        });
        if cross_site || foreign_origin {
            let lang = session::request_lang(h);
            return axum::response::IntoResponse::into_response(page::PageError::with_message(
                lang,
                axum::http::StatusCode::FORBIDDEN,
                i18n::t(lang, "error-csrf"),
            ));
        }
    }
    next.run(req).await
}

/// An API request that carries no credential at all is a 401 before its body
/// is read: a client learns first that it must log in, not that its body has
/// a typo (the handlers check the credential itself; this only orders the answers).
async fn credentials_first(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    const OPEN: [&str; 3] = ["/auth/login", "/auth/second-factor", "/openapi.json"];
    let h = req.headers();
    let has_credential = h.contains_key(header::AUTHORIZATION) || session::cookie(h, session::SESSION_COOKIE).is_some();
    let open = OPEN.iter().any(|p| req.uri().path().ends_with(p));
    if !has_credential && !open {
        return axum::response::IntoResponse::into_response(error::ApiError::Service(passage_service::ServiceError::Unauthenticated));
    }
    next.run(req).await
}

/// The header that carries the client's address from the connection to the
/// handlers (for the audit trail). Whatever a client sends under this name
/// is replaced, so it cannot be forged.
pub const PEER_HEADER: &str = "x-passage-peer";

async fn mark_peer(
    axum::extract::State(proxy): axum::extract::State<Option<std::net::IpAddr>>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let socket = req.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let peer = match (socket, proxy) {
        (Some(s), Some(p)) if s == p => last_forwarded(req.headers()).or(Some(s)),
        (s, _) => s,
    }
    .map(|ip| ip.to_string());
    let headers = req.headers_mut();
    headers.remove(PEER_HEADER);
    if let Some(v) = peer.and_then(|p| HeaderValue::from_str(&p).ok()) {
        headers.insert(PEER_HEADER, v);
    }
    next.run(req).await
}

/// The address the proxy added last to `X-Forwarded-For` (earlier ones came from the client and prove nothing).
fn last_forwarded(h: &axum::http::HeaderMap) -> Option<std::net::IpAddr> {
    h.get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|a| a.trim().parse().ok())
}

/// Serve until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // The outbox hands queued text messages to the gateway while the server runs.
    let outbox = state.passage.clone();
    tokio::spawn(async move { outbox.run_outbox().await });
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
