//! What every API handler reads a request with: the caller (a bearer token
//! or a session, with the CSRF rule for cookie-carried writes), JSON bodies
//! and query strings whose failures become problem documents, ids in paths.
//! The resource modules use it; it uses none of them.

use crate::error::ApiError;
use crate::session;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Query, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_service::auth::Session;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A JSON body whose every failure (not JSON, wrong content type, too
/// large, wrong shape) becomes a problem document.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let status = match &rej {
                    JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    other => other.status(),
                };
                Err(ApiError::BadRequest { status, detail: rej.body_text() })
            }
        }
    }
}

/// A query string, read into `T`; a query that does not fit is a 400
/// problem document naming what is wrong, never axum's plain-text refusal.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: rej.body_text() }),
        }
    }
}

pub async fn who(state: &AppState, method: &Method, headers: &HeaderMap) -> Result<Session, ApiError> {
    Ok(session::from_api(state, method, headers).await?)
}

pub fn parse_path<T: std::str::FromStr>(s: &str) -> Result<T, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

/// A code given as a query filter, exactly as the document lists it: empty
/// means any, and spaces around a code are refused rather than trimmed (the
/// pages' forms send codes as they are; an API client's stray character is
/// a mistake to report, not to guess at).
pub fn exact_code(field: &str, value: &str) -> Result<(), ApiError> {
    if value.trim() != value {
        return Err(passage_domain::FieldError::new(field, "err-unknown-choice")
            .with("value", value.chars().take(30).collect::<String>())
            .into());
    }
    Ok(())
}

pub fn created(v: serde_json::Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// The refusal every 4xx answers with, as `response = crate::api::extract::Problem`.
pub struct Problem;

impl<'r> utoipa::ToResponse<'r> for Problem {
    fn response() -> (&'r str, utoipa::openapi::RefOr<utoipa::openapi::response::Response>) {
        let schema = utoipa::openapi::Ref::from_schema_name("Problem");
        let content = utoipa::openapi::content::ContentBuilder::new().schema(Some(schema)).build();
        let r = utoipa::openapi::response::ResponseBuilder::new()
            .description("RFC 9457 problem details")
            .content("application/problem+json", content)
            .build();
        ("Problem", r.into())
    }
}

/// A body that only carries a reason (erasure, a declined hand-over).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Reason)]
pub struct ReasonBody {
    /// Whose request, when, how their identity was checked (an erasure); why (a decline).
    #[schema(schema_with = passage_domain::schema::text)]
    pub reason: String,
}

/// A movement's new status.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MovementStatusChange)]
pub struct MovementStatusBody {
    #[schema(schema_with = passage_domain::schema::code::<passage_domain::movement::MovementStatus>)]
    pub status: String,
}

/// A traveller's new status on a movement.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TravellerStatusChange)]
pub struct TravellerStatusBody {
    #[schema(schema_with = passage_domain::schema::code::<passage_domain::movement::TravellerStatus>)]
    pub status: String,
}

/// A reintegration activity's new status.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActivityStatusChange)]
pub struct ActivityStatusBody {
    #[schema(schema_with = passage_domain::schema::code::<passage_domain::reintegration::ActivityStatus>)]
    pub status: String,
}
