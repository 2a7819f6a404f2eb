//! `Idempotency-Key` on the API's POSTs (see `passage_service::idempotency`):
//! a layer around the API router, so that every create is covered without
//! each handler knowing. A key belongs to the user who sent it, so one
//! user's key never answers another's request.

use crate::error::{problem, ApiError};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use passage_service::idempotency::{digest, valid_key, Begin};

pub const HEADER: &str = "idempotency-key";
/// The largest answer kept (create answers are a few hundred bytes).
const MAX_KEPT: usize = 64 * 1024;

/// Answers that say "not now" rather than "this is the answer": not kept,
/// so that a retry with the same key is handled.
fn keepable(s: StatusCode) -> bool {
    !(s.is_server_error() || matches!(s.as_u16(), 401 | 408 | 409 | 425 | 429))
}

pub async fn idempotent(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else { return next.run(req).await };
    let Some(key) = key.to_str().ok().filter(|k| valid_key(k)).map(str::to_string) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad-idempotency-key",
            "The Idempotency-Key header is not valid",
            Some("Send 1 to 255 visible ASCII characters, e.g. a UUID, and the same key when you retry the same request.".into()),
            None,
        );
    };
    // The key belongs to the user (a client that logs in again and retries
    // is still the same client). Without a valid session the handler refuses
    // the request anyway: nothing to key.
    let owner = match crate::session::from_api(&state, req.method(), req.headers()).await {
        Ok(s) => s.actor.id.to_string(),
        Err(_) => return next.run(req).await,
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return problem(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "The request body is too large", None, None);
        }
    };
    let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let content_type = parts.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    let sha = digest(&[&content_type, &bytes]);
    let begin = state.passage.idempotency_begin(&owner, &key, "POST", &path, &sha).await;
    match begin {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Begin::Replay(k)) => {
            let mut r = (StatusCode::from_u16(k.status).unwrap_or(StatusCode::OK), k.body).into_response();
            let h = r.headers_mut();
            if let Some(ct) = k.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                h.insert(header::CONTENT_TYPE, ct);
            }
            if let Some(l) = k.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                h.insert(header::LOCATION, l);
            }
            h.insert("idempotent-replayed", HeaderValue::from_static("true"));
            r
        }
        Ok(Begin::Reused) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This Idempotency-Key was used for another request",
            Some("A key names one request: send a new key for a new request, and the same body with the same key to retry.".into()),
            None,
        ),
        Ok(Begin::InFlight) => {
            let mut r = problem(
                StatusCode::CONFLICT,
                "idempotency-key-in-flight",
                "A request with this Idempotency-Key is still being handled",
                Some("Wait for its answer, or retry in a moment with the same key.".into()),
                None,
            );
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
        Ok(Begin::Fresh) => {
            let answer = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let status = answer.status();
            let (rparts, rbody) = answer.into_parts();
            let kept = match axum::body::to_bytes(rbody, MAX_KEPT).await {
                Ok(b) => b,
                Err(_) => {
                    release(&state, owner, key).await;
                    return problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", None, None);
                }
            };
            let text = std::str::from_utf8(&kept).ok();
            match text {
                Some(text) if keepable(status) => {
                    let ct = rparts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
                    let location = rparts.headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
                    if let Err(e) = state.passage.idempotency_complete(&owner, &key, status.as_u16(), ct, location, text).await {
                        // The create stands; only its replay is lost. Free the key rather than leave it "in flight".
                        tracing::warn!(error = %e, "idempotent answer not kept");
                        let _ = state.passage.idempotency_release(&owner, &key).await;
                    }
                }
                _ => release(&state, owner, key).await,
            }
            Response::from_parts(rparts, Body::from(kept))
        }
    }
}

/// Free a key whose request got no answer worth keeping. When the database
/// is what failed, freeing it fails too: keep trying for a while in the
/// background, so that the client's retry is not answered "in flight"
/// until the claim is abandoned.
async fn release(state: &AppState, owner: String, key: String) {
    if state.passage.idempotency_release(&owner, &key).await.is_ok() {
        return;
    }
    let passage = state.passage.clone();
    tokio::spawn(async move {
        for _ in 0..120 {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            if passage.idempotency_release(&owner, &key).await.is_ok() {
                return;
            }
        }
    });
}
