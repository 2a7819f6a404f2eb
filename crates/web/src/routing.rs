//! A router that knows its own routes. Every route is added through
//! [`Routes::get`], [`Routes::post`] or, for the API, [`Routes::api`], which
//! register the handler and record (method, path), so the list the tests
//! walk (the authorisation matrix) is the router itself, not a copy of it
//! that could drift. An API route also brings its OpenAPI operation, read
//! from the handler's `#[utoipa::path]`: the path a handler answers and the
//! path its documentation names are the same string.

use crate::AppState;
use axum::handler::Handler;
use axum::Router;

pub struct Routes {
    pub router: Router<AppState>,
    pub list: Vec<(&'static str, String)>,
    /// The operations and schemas of the routes added with [`Routes::api`].
    pub openapi: utoipa::openapi::OpenApi,
}

impl Routes {
    pub fn new() -> Routes {
        Routes { router: Router::new(), list: Vec::new(), openapi: utoipa::openapi::OpenApi::default() }
    }

    /// An API handler with its `#[utoipa::path]`, given as
    /// `utoipa_axum::routes!(handler)`: routed at the path and method its
    /// annotation names, and documented by it.
    pub fn api(mut self, (schemas, paths, method_router): utoipa_axum::router::UtoipaMethodRouter<AppState>) -> Routes {
        for (path, item) in paths.paths {
            self.router = self.router.route(&path, method_router.clone());
            if item.get.is_some() {
                self.list.push(("get", path.clone()));
            }
            if item.post.is_some() {
                self.list.push(("post", path.clone()));
            }
            match self.openapi.paths.paths.get_mut(&path) {
                Some(known) => known.merge_operations(item),
                None => {
                    self.openapi.paths.paths.insert(path, item);
                }
            }
        }
        self.openapi.components.get_or_insert_with(Default::default).schemas.extend(schemas);
        self
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::get(handler));
        self.list.push(("get", path.to_string()));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::post(handler));
        self.list.push(("post", path.to_string()));
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
        self.openapi.merge(other.openapi);
        self
    }
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}
