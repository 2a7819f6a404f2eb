//! Route data: missing-migrant incidents (recorded one at a time by a
//! search-and-rescue team, summarised by year), flow-monitoring points and
//! the counts taken at them, and their figures (persons under disclosure
//! control). Files (the published incidents CSV, flow files) are imported
//! with the command line, where a whole file is checked before any write.

use super::extract::{created, who, ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passage_domain::date::CalendarDate;
use passage_domain::flow::{FlowCountInput, FlowGrouping, FlowPointInput};
use passage_domain::incident::{IncidentGrouping, IncidentInput};
use passage_domain::FieldError;
use serde::Deserialize;
use serde_json::json;

fn groupings_of_incidents() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["region", "route", "cause", "country"])
}

fn groupings_of_flows() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["point", "nationality", "direction", "week"])
}

/// Which incident figures.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct IncidentSummaryQuery {
    /// The file's Incident Year; every year when absent.
    #[param(minimum = 1900, maximum = 2100)]
    year: Option<i64>,
    /// Default: route.
    #[param(schema_with = groupings_of_incidents)]
    by: Option<String>,
}

#[utoipa::path(
    get,
    path = "/incidents/summary",
    summary = "Missing-migrant incidents of a year by region, route, cause or country: incidents, dead, missing, dead and missing (a group is the cell's values together, so an incident is counted once and the groups add up to the year) (read_aggregates)",
    params(IncidentSummaryQuery),
    responses((status = 200, description = "Rows, most dead and missing first, and their total", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn incident_summary(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<IncidentSummaryQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let by = q.by.as_deref().unwrap_or("route");
    super::extract::exact_code("by", by)?;
    let by = IncidentGrouping::parse(by)
        .ok_or_else(|| FieldError::new("by", "err-unknown-choice").with("value", by.chars().take(20).collect::<String>()))?;
    let year = match q.year {
        None => None,
        Some(y) if (1900..=2100).contains(&y) => Some(y as i32),
        Some(_) => return Err(FieldError::new("year", "err-number-range").with("min", 1900).with("max", 2100).into()),
    };
    let rows = state.passage.incident_summary(Some(&s.actor), year, by).await?;
    let total = json!({
        "incidents": rows.iter().map(|r| r.incidents).sum::<i64>(),
        "dead": rows.iter().map(|r| r.dead).sum::<i64>(),
        "missing": rows.iter().map(|r| r.missing).sum::<i64>(),
        "dead_and_missing": rows.iter().map(|r| r.dead_and_missing).sum::<i64>(),
    });
    Ok(Json(json!({ "year": year, "by": by.as_str(), "rows": rows, "total": total })).into_response())
}

#[utoipa::path(
    post,
    path = "/incidents",
    summary = "Record a missing-migrant incident (a search-and-rescue team's report), optionally linked to the rescue operation that found it; its Main ID is Passage's own (PSG.…)",
    request_body = IncidentInput,
    responses((status = 201, description = "The incident's Main ID", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn record_incident(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<IncidentInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let id = state.passage.record_incident(&s.actor, &b).await?;
    Ok(created(json!({ "main_id": id })))
}

#[utoipa::path(
    get,
    path = "/flows/points",
    summary = "Flow-monitoring points: code, name, country, admin levels, place, kind, office, active period (read_aggregates)",
    responses((status = 200, description = "Points", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn flow_points(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    Ok(Json(state.passage.flow_points(Some(&s.actor)).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/flows/points",
    summary = "Add a flow-monitoring point (administrators, or work_on_cases in the office that runs it); a code already used is a 409",
    request_body = FlowPointInput,
    responses((status = 201, description = "The point", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 409, response = crate::api::extract::Problem))
)]
pub(super) async fn create_flow_point(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<FlowPointInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let p = state.passage.record_flow_point(&s.actor, &b).await?;
    Ok(created(json!(p)))
}

#[utoipa::path(
    post,
    path = "/flows/counts",
    summary = "Record one observation at a point (work_on_cases in the point's office): 201 when new, 200 when it replaced the one with the same point, period, direction, transport and countries",
    request_body = FlowCountInput,
    responses((status = 201, description = "Recorded", body = Object), (status = 200, description = "Replaced the same observation", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
pub(super) async fn record_flow_count(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiJson(b): ApiJson<FlowCountInput>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let new = state.passage.record_flow_count(&s.actor, &b, "api").await?;
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({ "new": new }))).into_response())
}

/// Which flow figures.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct FlowSummaryQuery {
    /// First day of the periods counted (default: every period).
    #[param(schema_with = passage_domain::schema::date_or_empty)]
    from: Option<String>,
    /// Last day (default: today).
    #[param(schema_with = passage_domain::schema::date_or_empty)]
    to: Option<String>,
    /// Default: point.
    #[param(schema_with = groupings_of_flows)]
    by: Option<String>,
}

fn day(field: &str, v: Option<&str>, default: CalendarDate) -> Result<CalendarDate, FieldError> {
    match v.map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => CalendarDate::parse(field, s),
    }
}

#[utoipa::path(
    get,
    path = "/flows/summary",
    summary = "Persons counted at flow-monitoring points in a period, by point, nationality, direction or ISO week, under disclosure control (null: suppressed) (read_aggregates)",
    params(FlowSummaryQuery),
    responses((status = 200, description = "Rows and their total", body = Object), (status = 403, response = crate::api::extract::Problem), (status = 422, response = crate::api::extract::Problem))
)]
pub(super) async fn flow_summary(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FlowSummaryQuery>,
) -> Result<Response, ApiError> {
    let s = who(&state, &method, &headers).await?;
    let by = q.by.as_deref().unwrap_or("point");
    super::extract::exact_code("by", by)?;
    let by = FlowGrouping::parse(by)
        .ok_or_else(|| FieldError::new("by", "err-unknown-choice").with("value", by.chars().take(20).collect::<String>()))?;
    let mut inv = passage_domain::Invalid::default();
    let from = inv.take(day("from", q.from.as_deref(), CalendarDate::from_ymd(1900, 1, 1).expect("a day")));
    let to = inv.take(day("to", q.to.as_deref(), CalendarDate::today()));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            inv.push(FieldError::new("to", "err-date-before").with("other", "from"));
        }
    }
    inv.into_result()?;
    let summary = state.passage.flow_summary(Some(&s.actor), from.expect("checked"), to.expect("checked"), by).await?;
    let rows: Vec<_> = summary.rows.iter().map(|(k, f)| json!({ "key": k, "persons": f })).collect();
    Ok(Json(
        json!({ "by": summary.by, "from": summary.from.to_string(), "to": summary.to.to_string(), "rows": rows, "total": summary.total }),
    )
    .into_response())
}
