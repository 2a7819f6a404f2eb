//! How failures reach people. The API answers with RFC 9457 problem details
//! (`application/problem+json`), with a field-level list for validation
//! errors; pages answer with a translated error page. Internal errors are
//! logged with their cause and shown without it.

use crate::i18n::Lang;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use passage_domain::{FieldError, Invalid};
use passage_service::ServiceError;
use serde_json::json;

/// An API failure.
#[derive(Debug)]
pub enum ApiError {
    Service(ServiceError),
    /// The request itself is malformed (bad JSON, wrong content type…).
    BadRequest {
        status: StatusCode,
        detail: String,
    },
    NotFound,
    MethodNotAllowed,
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError::Service(e)
    }
}
impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::Service(ServiceError::Invalid(e))
    }
}
impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Service(ServiceError::Invalid(e.into()))
    }
}

pub fn problem(status: StatusCode, kind: &str, title: &str, detail: Option<String>, extra: Option<serde_json::Value>) -> Response {
    let mut body = json!({
        "type": format!("/problems/{kind}"),
        "title": title,
        "status": status.as_u16(),
    });
    if let Some(d) = detail {
        body["detail"] = json!(d);
    }
    if let Some(serde_json::Value::Object(m)) = extra {
        for (k, v) in m {
            body[k] = v;
        }
    }
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

/// The field list of a validation problem, messages in English (API clients
/// translate by `code`).
pub fn field_errors_json(inv: &Invalid) -> serde_json::Value {
    json!(inv
        .errors
        .iter()
        .map(|e| { json!({"field": e.field, "code": e.code, "message": crate::i18n::field_error(Lang::En, e)}) })
        .collect::<Vec<_>>())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            // A value already taken (an office code, a username) conflicts with what exists: 409, with the field named.
            ApiError::Service(ServiceError::Invalid(inv))
                if !inv.errors.is_empty() && inv.errors.iter().all(|e| e.code.ends_with("-taken")) =>
            {
                problem(
                    StatusCode::CONFLICT,
                    "already-taken",
                    "The value is already taken",
                    Some(inv.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")),
                    Some(json!({ "errors": field_errors_json(&inv) })),
                )
            }
            ApiError::Service(ServiceError::Invalid(inv)) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "The request has invalid fields",
                Some(inv.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")),
                Some(json!({ "errors": field_errors_json(&inv) })),
            ),
            ApiError::Service(ServiceError::File(problems)) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file-problems",
                "The file has problems; nothing was imported",
                Some(problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")),
                Some(json!({ "problems": problems })),
            ),
            ApiError::Service(ServiceError::NotFound) | ApiError::NotFound => {
                problem(StatusCode::NOT_FOUND, "not-found", "Not found", None, None)
            }
            ApiError::Service(ServiceError::Forbidden(what)) => {
                problem(StatusCode::FORBIDDEN, "forbidden", "Not allowed", Some(format!("Your role does not allow you to {what}.")), None)
            }
            ApiError::Service(ServiceError::Unauthenticated) => (
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"passage\"")],
                problem(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Log in first",
                    Some("Send Authorization: Bearer <token> from POST /api/v1/auth/login.".into()),
                    None,
                ),
            )
                .into_response(),
            ApiError::Service(ServiceError::TooManyAttempts { retry_after_secs }) => (
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-attempts",
                    "Too many failed logins",
                    Some(format!(
                        "Logins for this account or from this address are paused; try again in {} minutes.",
                        minutes(retry_after_secs)
                    )),
                    None,
                ),
            )
                .into_response(),
            ApiError::Service(ServiceError::Conflict(what)) => {
                problem(StatusCode::CONFLICT, "conflict", "Conflict", Some(what.to_string()), None)
            }
            ApiError::Service(ServiceError::Storage(e)) if e.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                (
                    [(header::RETRY_AFTER, RETRY_AFTER_SECS.to_string())],
                    problem(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "database-unavailable",
                        "The database is unavailable",
                        Some(format!("The database did not answer. Try again in {RETRY_AFTER_SECS} seconds; a write that got this answer may or may not have been recorded, so check before repeating it.")),
                        None,
                    ),
                )
                    .into_response()
            }
            ApiError::Service(ServiceError::Storage(passage_storage::StorageError::DiskFull)) => {
                tracing::error!("the database's disk is full");
                problem(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "disk-full",
                    "The server's disk is full",
                    Some("Nothing of this request was kept. Tell the administrator; send it again once space is freed.".into()),
                    None,
                )
            }
            ApiError::Service(ServiceError::Storage(e)) if e.is_unstorable_text() => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unstorable-text",
                "A value holds a character that cannot be stored",
                Some("A text holds a NUL byte (\\u0000) or a character outside UTF-8; remove it and send again.".into()),
                None,
            ),
            ApiError::Service(e @ (ServiceError::Storage(_) | ServiceError::Hashing | ServiceError::Operation(_))) => {
                tracing::error!(error = %e, "internal error");
                problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", None, None)
            }
            ApiError::BadRequest { status, detail } => problem(status, "bad-request", "The request could not be read", Some(detail), None),
            ApiError::MethodNotAllowed => problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", None, None),
        }
    }
}

/// What a 503 asks a client to wait before trying again.
pub const RETRY_AFTER_SECS: u64 = 5;

/// Whole minutes, rounded up, for "try again in N minutes".
pub fn minutes(secs: i64) -> i64 {
    (secs.max(1) + 59) / 60
}
