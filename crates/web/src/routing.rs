//! A router that knows its own routes. Every route is added through
//! [`Routes::get`] or [`Routes::post`], which both register the handler and
//! record (method, path), so the list the tests walk — the OpenAPI check
//! and the authorisation matrix — is the router itself, not a copy of it
//! that could drift.

use crate::AppState;
use axum::handler::Handler;
use axum::Router;

pub struct Routes {
    pub router: Router<AppState>,
    pub list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes { router: Router::new(), list: Vec::new() }
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::get(handler));
        self.list.push(("get", path));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::post(handler));
        self.list.push(("post", path));
        self
    }
}

impl Routes {
    /// Let these routes' requests carry bodies up to `max` bytes (file
    /// uploads), instead of the server's default limit.
    pub fn body_limit(mut self, max: usize) -> Routes {
        self.router = self.router.route_layer(axum::extract::DefaultBodyLimit::max(max));
        self
    }

    /// Add another module's routes (their paths are already absolute within this router).
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}
