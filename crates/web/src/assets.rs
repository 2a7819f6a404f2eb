//! The stylesheet, served under a name that carries a hash of its content so
//! browsers may keep it for a year: a new release has a new name.

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/static/app.css", css)
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../static/app.css"),
    )
        .into_response()
}
