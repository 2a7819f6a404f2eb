//! The stylesheet, served under a name that carries a hash of its content so
//! browsers may keep it for a year without asking again (`immutable`): a
//! release that changes it changes its name, and every page links the new
//! one. The plain name still answers, briefly cached, for old pages and bookmarks.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

const CSS: &str = include_str!("../static/app.css");
const ICON: &str = include_str!("../static/icon.svg");

/// FNV-1a, 64 bits: a fingerprint, not a defence, so no crate is needed.
const fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

const CSS_FINGERPRINT: u64 = fingerprint(CSS.as_bytes());
const ICON_FINGERPRINT: u64 = fingerprint(ICON.as_bytes());

/// The stylesheet's file name with its fingerprint: `app.3f2a…c1.css`.
fn css_file() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| format!("app.{CSS_FINGERPRINT:016x}.css"))
}

fn icon_file() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| format!("icon.{ICON_FINGERPRINT:016x}.svg"))
}

/// Where pages link their icon (without one, every browser asks for
/// `/favicon.ico` and logs the 404 as an error).
pub fn icon_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("/static/{}", icon_file()))
}

/// Where pages link the stylesheet.
pub fn stylesheet_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("/static/{}", css_file()))
}

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/static/{file}", asset)
}

async fn asset(Path(file): Path<String>) -> Response {
    const YEAR: &str = "public, max-age=31536000, immutable";
    let (kind, cache, body) = if file == css_file() {
        ("text/css; charset=utf-8", YEAR, CSS)
    } else if file == "app.css" {
        ("text/css; charset=utf-8", "public, max-age=300", CSS)
    } else if file == icon_file() {
        ("image/svg+xml", YEAR, ICON)
    } else {
        // A leaf module (the layout links its names), so a plain 404: no page chrome for a missing file.
        return (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "no such file").into_response();
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, cache)], body).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_name_changes_with_the_content() {
        assert_ne!(super::fingerprint(b"a{color:red}"), super::fingerprint(b"a{color:blue}"));
        assert!(super::stylesheet_href().starts_with("/static/app.") && super::stylesheet_href().ends_with(".css"));
    }
}
