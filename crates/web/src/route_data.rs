//! The route-data page: where people pass and where they die. A map of the
//! flow-monitoring points (sized by the people counted in the weeks shown)
//! and of a year's missing-migrant incidents (sized by their dead and
//! missing), the year's incidents by route, the people counted by point, and
//! a weekly chart per point by direction; a table beside every picture.
//! Figures of persons are protected (`*`: suppressed); incidents are
//! anonymous and published as the file gives them.

use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{code_options, error_summary, field, page, Input, Page};
use crate::map::{route_map, weekly_chart, Marker, Spot};
use crate::page::{html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::date::CalendarDate;
use passage_domain::disclosure::Figure;
use passage_domain::flow::{monday_of, Direction, FlowCountInput, FlowGrouping, PeriodKind, TransportMode};
use passage_domain::incident::IncidentGrouping;
use passage_domain::FieldError;
use passage_service::auth::Session;
use serde::Deserialize;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/route-data", route_data_page)
        .get("/route-data/counts", count_form)
        .post("/route-data/counts", record_count)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RouteDataQuery {
    year: Option<String>,
    weeks: Option<String>,
}

const WEEK_CHOICES: [i64; 4] = [4, 12, 26, 52];

fn direction_colour(d: Direction) -> &'static str {
    match d {
        Direction::Outgoing => "#1d5f7a",
        Direction::Incoming => "#b86e00",
        Direction::Transit => "#5b4a8a",
    }
}

async fn route_data_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<RouteDataQuery>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let fail = |e| PageError::from_service(lang, e);
    let years = state.passage.incident_years(Some(&s.actor)).await.map_err(fail)?;
    let year = q.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).filter(|y| years.contains(y)).or(years.first().copied());
    let weeks = q.weeks.as_deref().and_then(|w| w.trim().parse::<i64>().ok()).filter(|w| WEEK_CHOICES.contains(w)).unwrap_or(12);
    let today = CalendarDate::today();
    let from = monday_of(today).add_days(-7 * (weeks - 1));
    let by_point = state.passage.flow_summary(Some(&s.actor), from, today, FlowGrouping::Point).await.map_err(fail)?;
    let points = state.passage.flow_points(Some(&s.actor)).await.map_err(fail)?;
    let series = state.passage.flow_weeks(Some(&s.actor), from, today).await.map_err(fail)?;
    let (incidents, cells) = match year {
        Some(y) => (
            state.passage.incident_summary(Some(&s.actor), Some(y), IncidentGrouping::Route).await.map_err(fail)?,
            state.passage.incident_map(Some(&s.actor), y).await.map_err(fail)?,
        ),
        None => (Vec::new(), Vec::new()),
    };

    let mut spots: Vec<Spot> = Vec::new();
    for p in &points {
        let persons = by_point.rows.iter().find(|(k, _)| *k == p.point.code).map(|(_, f)| *f);
        // A suppressed point is drawn at the smallest size: where it is is no secret, how many is.
        let value = persons.and_then(Figure::count).unwrap_or(0) as i64;
        spots.push(Spot {
            lat: p.point.latitude_e6 as f64 / 1e6,
            lon: p.point.longitude_e6 as f64 / 1e6,
            value,
            label: format!("{} ({}): {}", p.point.name, p.point.code, persons.map(|f| i18n::figure(lang, f)).unwrap_or_else(|| "0".into())),
            marker: Marker::Flow,
        });
    }
    for (p, n, total) in &cells {
        spots.push(Spot {
            lat: p.lat,
            lon: p.lon,
            value: *total,
            label: tr(lang, "route-data-incident-spot", &[("incidents", n.to_string()), ("dead_missing", total.to_string())]),
            marker: Marker::Incident,
        });
    }
    let legend = vec![
        (Marker::Flow, tr(lang, "route-data-legend-flow", &[("weeks", weeks.to_string())])),
        (Marker::Incident, tr(lang, "route-data-legend-incidents", &[("year", year.map(|y| y.to_string()).unwrap_or_default())])),
    ];
    let map_title = tr(
        lang,
        "route-data-map-title",
        &[("weeks", weeks.to_string()), ("year", year.map(|y| y.to_string()).unwrap_or_else(|| "–".into()))],
    );
    let body = html! {
        h1 { (t(lang, "route-data-title")) }
        p.muted { (t(lang, "route-data-intro")) }
        @if passage_service::access::allowed(&s.actor, passage_service::access::Action::WriteSomewhere) {
            p { a href="/route-data/counts" { (t(lang, "route-data-record-count")) } }
        }
        form.filters method="get" action="/route-data" {
            label { (t(lang, "route-data-year")) " "
                select name="year" { @for y in &years { option value=(y) selected[Some(*y) == year] { (y) } } } }
            " "
            label { (t(lang, "route-data-weeks")) " "
                select name="weeks" { @for w in WEEK_CHOICES { option value=(w) selected[w == weeks] { (w) } } } }
            " "
            button type="submit" { (t(lang, "route-data-show")) }
        }
        h2 { (t(lang, "route-data-map")) }
        figure.map {
            (route_map("route-map", &map_title, &spots, &legend))
            figcaption.muted { (map_title) }
        }
        h2 { (tr(lang, "route-data-incidents-title", &[("year", year.map(|y| y.to_string()).unwrap_or_else(|| "–".into()))])) }
        @if incidents.is_empty() {
            p.muted { (t(lang, "route-data-no-incidents")) }
        } @else {
            (incident_table(lang, &incidents))
        }
        h2 { (tr(lang, "route-data-flows-title", &[("weeks", weeks.to_string())])) }
        @if by_point.rows.is_empty() {
            p.muted { (t(lang, "route-data-no-flows")) }
        } @else {
            div.scroll tabindex="0" { table.figures {
                caption { (tr(lang, "route-data-flows-caption", &[("from", i18n::date(lang, from)), ("to", i18n::date(lang, today))])) }
                thead { tr { th scope="col" { (t(lang, "route-data-point")) } th scope="col" { (t(lang, "route-data-persons")) } } }
                tbody { @for (code, f) in &by_point.rows {
                    @let name = points.iter().find(|p| p.point.code == *code).map(|p| p.point.name.clone()).unwrap_or_default();
                    tr { th scope="row" { (name) " (" (code) ")" } td.num { (i18n::figure(lang, *f)) } }
                } }
                tfoot { tr { th scope="row" { (t(lang, "route-data-total")) } td.num { strong { (i18n::figure(lang, by_point.total)) } } } }
            } }
            p.muted { (t(lang, "route-data-suppressed")) }
            h3 { (t(lang, "route-data-weekly")) }
            div.charts {
                @for p in &points {
                    @let mine: Vec<_> = series.series.iter().filter(|(code, _, _)| *code == p.point.code).collect();
                    @if !mine.is_empty() {
                        (point_chart(lang, &p.point.code, &p.point.name, &series.weeks, &mine))
                    }
                }
            }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "route-data-title"), session: Some(&s), here: "/route-data" }, body)))
}

/// The year's incidents by route, as a table with its total.
pub fn incident_table(lang: Lang, rows: &[passage_domain::incident::IncidentFigure]) -> Markup {
    let n = |v: i64| i18n::number(lang, v);
    html! {
        div.scroll tabindex="0" { table.figures {
            caption { (t(lang, "route-data-incidents-caption")) }
            thead { tr {
                th scope="col" { (t(lang, "route-data-route")) }
                th scope="col" { (t(lang, "route-data-incidents")) }
                th scope="col" { (t(lang, "route-data-dead")) }
                th scope="col" { (t(lang, "route-data-missing")) }
                th scope="col" { (t(lang, "route-data-dead-missing")) }
            } }
            tbody { @for r in rows { tr {
                th scope="row" { (r.key.replace(',', ", ")) }
                td.num { (n(r.incidents)) } td.num { (n(r.dead)) } td.num { (n(r.missing)) } td.num { (n(r.dead_and_missing)) }
            } } }
            tfoot { tr {
                th scope="row" { (t(lang, "route-data-total")) }
                td.num { strong { (n(rows.iter().map(|r| r.incidents).sum())) } }
                td.num { strong { (n(rows.iter().map(|r| r.dead).sum())) } }
                td.num { strong { (n(rows.iter().map(|r| r.missing).sum())) } }
                td.num { strong { (n(rows.iter().map(|r| r.dead_and_missing).sum())) } }
            } }
        } }
    }
}

/// One point's weekly chart by direction, and its table.
fn point_chart(lang: Lang, code: &str, name: &str, weeks: &[String], mine: &[&(String, Direction, Vec<Figure>)]) -> Markup {
    let lines: Vec<(String, &'static str, Vec<Option<u64>>)> = mine
        .iter()
        .map(|(_, d, v)| {
            (t(lang, &format!("route-data-direction-{}", d.as_str())), direction_colour(*d), v.iter().map(|f| f.count()).collect())
        })
        .collect();
    let title = tr(lang, "route-data-chart-title", &[("point", format!("{name} ({code})"))]);
    html! {
        figure.chart {
            (weekly_chart(&format!("weekly-{code}"), &title, weeks, &lines))
            figcaption {
                (title) ": "
                @for (i, (label, colour, _)) in lines.iter().enumerate() {
                    @if i > 0 { ", " }
                    svg.key xmlns="http://www.w3.org/2000/svg" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" { rect width="12" height="12" fill=(colour) {} }
                    " " (label)
                }
            }
            details {
                summary { (t(lang, "route-data-table")) }
                div.scroll tabindex="0" { table.figures {
                    caption { (title) }
                    thead { tr { th scope="col" { (t(lang, "route-data-week")) } @for (label, _, _) in &lines { th scope="col" { (label) } } } }
                    tbody { @for (i, w) in weeks.iter().enumerate() { tr {
                        th scope="row" { (w) }
                        @for (_, _, v) in mine.iter() { td.num { (i18n::figure(lang, v[i])) } }
                    } } }
                } }
            }
        }
    }
}

/// The form, prefilled from the query (after a count is saved: the same
/// point and period, for the next line of the tally sheet).
async fn count_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let saved = q.get("saved").map(|v| v == "new");
    let keep = ["point", "date", "period", "direction", "transport_mode"];
    let f = FormData::from_pairs(q.into_iter().filter(|(k, _)| keep.contains(&k.as_str())).collect());
    count_page(&state, &s, lang, &f, &[], saved, StatusCode::OK).await
}

/// The count form: the point and the period first, then the people as a
/// grid of small number boxes (two across on a phone), as an enumerator
/// fills it at a bus station with a tally sheet in hand.
async fn count_page(
    state: &AppState,
    s: &Session,
    lang: Lang,
    f: &FormData,
    errors: &[FieldError],
    saved: Option<bool>,
    status: StatusCode,
) -> PageResult {
    if !passage_service::access::allowed(&s.actor, passage_service::access::Action::WriteSomewhere) {
        return Err(PageError::from_service(lang, passage_service::ServiceError::Forbidden("record flow counts")));
    }
    let points = state.passage.flow_points(None).await.map_err(|e| PageError::from_service(lang, e))?;
    let mut point_options = vec![(String::new(), t(lang, "choose"))];
    point_options.extend(points.iter().map(|p| (p.point.code.clone(), format!("{} ({})", p.point.name, p.point.code))));
    let countries = crate::page::country_options(lang, t(lang, "route-data-not-asked"));
    let get = |k: &str| {
        let v = f.get(k);
        if v.is_empty() && k == "period" {
            "week".to_string()
        } else if v.is_empty() && k == "date" {
            CalendarDate::today().to_string()
        } else {
            v
        }
    };
    let number =
        |name: &str| field(lang, name, &t(lang, &format!("field-{name}")), Input::Text { value: &get(name), kind: "number" }, errors, None);
    let select = |name: &str, options: Vec<(String, String)>| {
        field(lang, name, &t(lang, &format!("field-{name}")), Input::Select { value: &get(name), options }, errors, None)
    };
    let title = t(lang, "route-data-count-title");
    let body = html! {
        h1 { (title) }
        @if let Some(new) = saved {
            p.notice role="status" { (t(lang, if new { "route-data-count-saved" } else { "route-data-count-replaced" })) }
        }
        p.muted { (t(lang, "route-data-count-intro")) }
        form.card method="post" action="/route-data/counts" {
            (error_summary(lang, errors))
            input type="hidden" name="csrf" value=(s.csrf_token);
            div.grid {
                (select("point", point_options))
                (field(lang, "date", &t(lang, "field-date"), Input::Text { value: &get("date"), kind: "date" }, errors, None))
                (select("period", code_options(lang, "period", PeriodKind::ALL.iter().map(|k| k.as_str()), None)))
                (select("direction", code_options(lang, "route-data-direction", Direction::ALL.iter().map(|k| k.as_str()), Some(&t(lang, "choose")))))
                (select("transport_mode", code_options(lang, "transport", TransportMode::ALL.iter().map(|k| k.as_str()), Some(&t(lang, "choose")))))
                (select("nationality", countries.clone()))
                (select("origin_country", countries.clone()))
                (select("destination_country", countries))
            }
            fieldset {
                legend { (t(lang, "route-data-count-people")) }
                div.tally {
                    (number("total")) (number("men")) (number("women")) (number("boys")) (number("girls"))
                    (number("unaccompanied_children")) (number("pregnant_women")) (number("persons_with_disabilities"))
                }
            }
            p { button type="submit" { (t(lang, "route-data-count-submit")) } }
        }
        p { a href="/route-data" { (t(lang, "route-data-title")) } }
    };
    Ok(html_response(status, page(Page { lang, title, session: Some(s), here: "/route-data" }, body)))
}

async fn record_count(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let input = FlowCountInput {
        point: f.get("point"),
        date: f.get("date"),
        period: f.get("period"),
        direction: f.get("direction"),
        transport_mode: f.get("transport_mode"),
        nationality: f.get("nationality"),
        origin_country: f.get("origin_country"),
        destination_country: f.get("destination_country"),
        total: f.get("total"),
        men: f.get("men"),
        women: f.get("women"),
        boys: f.get("boys"),
        girls: f.get("girls"),
        unaccompanied_children: f.get("unaccompanied_children"),
        pregnant_women: f.get("pregnant_women"),
        persons_with_disabilities: f.get("persons_with_disabilities"),
    };
    match state.passage.record_flow_count(&s.actor, &input, "web").await {
        // The next count at the same point and period is the usual next step: keep them, clear the people.
        Ok(new) => {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for k in ["point", "date", "period", "direction", "transport_mode"] {
                q.append_pair(k, &f.get(k));
            }
            q.append_pair("saved", if new { "new" } else { "replaced" });
            Ok(Redirect::to(&format!("/route-data/counts?{}", q.finish())).into_response())
        }
        Err(passage_service::ServiceError::Invalid(inv)) => {
            count_page(&state, &s, lang, &f, &inv.errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}
