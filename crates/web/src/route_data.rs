//! The route-data page: where people pass and where they die. A map of the
//! flow-monitoring points (sized by the people counted in the weeks shown)
//! and of a year's missing-migrant incidents (sized by their dead and
//! missing), the year's incidents by route, the people counted by point, and
//! a weekly chart per point by direction; a table beside every picture.
//! Figures of persons are protected (`*`: suppressed); incidents are
//! anonymous and published as the file gives them.

use crate::i18n::{self, t, tr, Lang};
use crate::layout::{page, Page};
use crate::map::{route_map, weekly_chart, Marker, Spot};
use crate::page::{html_response, viewer, PageError, PageResult};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use maud::{html, Markup};
use passage_domain::date::CalendarDate;
use passage_domain::disclosure::Figure;
use passage_domain::flow::{monday_of, Direction, FlowGrouping};
use passage_domain::incident::IncidentGrouping;
use serde::Deserialize;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/route-data", route_data_page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RouteDataQuery {
    year: Option<String>,
    weeks: Option<String>,
}

const WEEK_CHOICES: [i64; 4] = [4, 12, 26, 52];

fn figure(lang: Lang, f: Figure) -> String {
    match f {
        Figure::Count(n) => i18n::number(lang, n as i64),
        Figure::Suppressed => "*".into(),
    }
}

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
            label: format!("{} ({}): {}", p.point.name, p.point.code, persons.map(|f| figure(lang, f)).unwrap_or_else(|| "0".into())),
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
                    tr { th scope="row" { (name) " (" (code) ")" } td.num { (figure(lang, *f)) } }
                } }
                tfoot { tr { th scope="row" { (t(lang, "route-data-total")) } td.num { strong { (figure(lang, by_point.total)) } } } }
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
                        @for (_, _, v) in mine.iter() { td.num { (figure(lang, v[i])) } }
                    } } }
                } }
            }
        }
    }
}
