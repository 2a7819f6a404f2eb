//! The hotline desk and crisis messages over the API: log a call, the
//! hand-over list, close a follow-up, the desk's figures; write a
//! broadcast, preview it (counts only), send, approve, cancel. The gateway's
//! own callbacks are not here: they are authenticated by its secret, not by
//! a user (see `gateway_callbacks`).

use super::extract::{created, parse_path, who, ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::date::CalendarDate;
use passage_domain::hotline::CallInput;
use passage_domain::policy::Permission;
use passage_domain::sms::BroadcastInput;
use passage_service::access::{self, Action};
use passage_service::ServiceError;
use serde::Deserialize;
use serde_json::json;

#[utoipa::path(
    post,
    path = "/hotline/calls",
    summary = "Log a call at an office's hotline desk (answer_hotline there); trafficking, a child alone, a medical emergency or any emergency goes at once to the protection officer's queue",
    request_body = CallInput,
    responses((status = 201, description = "The call's id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn record_call(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<CallInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.record_call(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

#[utoipa::path(
    get,
    path = "/hotline/follow-ups",
    summary = "The shift hand-over list: open follow-ups of my desks (and protection calls of the offices whose restricted cases I read), protection first, then by due time; no notes",
    responses((status = 200, description = "Calls", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn follow_ups(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.hand_over_list(&s.actor, 500).await?).into_response())
}

fn desk_reader(s: &passage_service::auth::Session) -> Result<(), ApiError> {
    let r = s.actor.rights();
    if r.can_somewhere(Permission::AnswerHotline) || r.can_somewhere(Permission::ReadRestricted) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("see the hotline desk").into())
    }
}

#[utoipa::path(
    post,
    path = "/hotline/calls/{id}/done",
    summary = "Close a call's follow-up (the desk called back, the protection officer took it on); 409 when none is open",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Closed", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn close_follow_up(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    desk_reader(&s)?;
    state.passage.close_follow_up(&s.actor, parse_path(&id)?).await?;
    Ok(Json(json!({ "done": true })).into_response())
}

/// The period of the desk's figures.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct FiguresQuery {
    /// First day (default: 27 days before the last).
    #[param(schema_with = passage_domain::schema::date_or_empty)]
    from: Option<String>,
    /// Last day (default: today).
    #[param(schema_with = passage_domain::schema::date_or_empty)]
    to: Option<String>,
}

#[utoipa::path(
    get,
    path = "/hotline/figures",
    summary = "Calls by day, topic, language and channel, and the time to follow up, under disclosure control (null: suppressed) (read_aggregates)",
    params(FiguresQuery),
    responses((status = 200, description = "Figures", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn figures(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let day = |field: &str, v: &Option<String>, default: CalendarDate| match v.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(d) => CalendarDate::parse(field, d),
    };
    let to = day("to", &q.to, CalendarDate::today())?;
    let from = day("from", &q.from, to.add_days(-27))?;
    Ok(Json(state.passage.hotline_figures(&s.actor, from, to).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/broadcasts",
    summary = "Write a crisis message: a text per language, a fallback language and an audience (send_messages); it is a draft until sent",
    request_body = BroadcastInput,
    responses((status = 201, description = "The broadcast's id", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn create_broadcast(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<BroadcastInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.create_broadcast(&s.actor, &b).await?;
    Ok(created(json!({ "id": id })))
}

fn messages_reader(s: &passage_service::auth::Session) -> Result<(), ApiError> {
    if access::allowed(&s.actor, Action::SendMessages) || access::allowed(&s.actor, Action::ApproveMessages) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("read crisis messages").into())
    }
}

#[utoipa::path(
    get,
    path = "/broadcasts/{id}",
    summary = "A broadcast as its sender or an approver sees it: recipients per language (and how many get the fallback), those without a mobile number, segments, cost, whether it needs approval, messages by status; never a number or a name",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "The broadcast", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn broadcast(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    messages_reader(&s)?;
    Ok(Json(state.passage.broadcast(&s.actor, parse_path(&id)?).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/broadcasts/{id}/send",
    summary = "Send a draft: its audience is fixed now and its messages go to the outbox; above the approval size they wait for a second user (status awaiting_approval). 409 when it is not a draft",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Its new status", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn send_broadcast(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    access::require(&s.actor, Action::SendMessages)?;
    let status = state.passage.send_broadcast(&s.actor, parse_path(&id)?).await?;
    Ok(Json(json!({ "status": status })).into_response())
}

#[utoipa::path(
    post,
    path = "/broadcasts/{id}/approve",
    summary = "Approve another user's broadcast that waits (approve_messages): its messages go to the queue. 403 for one's own; 409 when it does not wait",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "Approved", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn approve_broadcast(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    access::require(&s.actor, Action::ApproveMessages)?;
    state.passage.approve_broadcast(&s.actor, parse_path(&id)?).await?;
    Ok(Json(json!({ "status": "sending" })).into_response())
}

#[utoipa::path(
    post,
    path = "/broadcasts/{id}/cancel",
    summary = "Cancel a broadcast: what has not been handed to the gateway never will be. 409 once it can no longer be cancelled",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, description = "How many messages were withheld", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn cancel_broadcast(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    messages_reader(&s)?;
    let n = state.passage.cancel_broadcast(&s.actor, parse_path(&id)?).await?;
    Ok(Json(json!({ "withheld": n })).into_response())
}
