//! Programme figures on the web: appeal budgets as a table with its totals
//! and as a chart, for everyone who reads figures (`read_aggregates`), with
//! CSV and HXL downloads; and the same under `/api/v1/budgets`. Charts are
//! SVG drawn on the server — no script, a few kilobytes on a slow link —
//! and every value they show is also in the table beside them.

use crate::error::ApiError;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{label, page, Page};
use crate::page::{html_response, viewer, PageError, PageResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup};
use passage_domain::budget::{BudgetCategory, BudgetTable};
use passage_domain::disclosure::Figure;
use passage_service::budgets::{budget_csv, parse_budget_code};
use passage_service::figures::{Breakdown, IndicatorFigures, ProgrammeFigures};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/budgets", budgets_page)
        .get("/budgets/{code}", budget_page)
        .get("/programmes", programmes_page)
        .get("/programmes/{code}", programme_page)
        .get("/results", results_home)
        .get("/results/{code}", results_page)
        .get("/results/{code}/resources/{id}", resource_download)
}

/// Under `/api/v1`.
pub fn api_routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .api(utoipa_axum::routes!(api_budgets))
        .api(utoipa_axum::routes!(api_budget))
        .api(utoipa_axum::routes!(api_budget_csv))
        .api(utoipa_axum::routes!(api_programmes))
        .api(utoipa_axum::routes!(api_programme_figures))
        .api(utoipa_axum::routes!(api_programme_iati))
        .api(utoipa_axum::routes!(api_programme_csv))
}

/// A code from the path: one that cannot be a budget's is simply not found.
fn code_of(lang: Lang, code: &str) -> Result<String, PageError> {
    parse_budget_code(code).map_err(|_| PageError::from_service(lang, passage_service::ServiceError::NotFound))
}

async fn budgets_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let list = state.passage.budgets(Some(&s.actor)).await.map_err(|e| PageError::from_service(lang, e))?;
    let body = html! {
        h1 { (t(lang, "budgets-title")) }
        @if list.is_empty() {
            p.muted { (t(lang, "budgets-none")) }
        } @else {
            ul { @for b in &list { li { a href=(format!("/budgets/{}", b.code)) { (b.title) } " (" (b.code) ")" } } }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "budgets-title"), session: Some(&s), here: "/budgets" }, body)))
}

async fn budget_page(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let code = code_of(lang, &code)?;
    let (b, table) = state.passage.budget(Some(&s.actor), Some(&code)).await.map_err(|e| PageError::from_service(lang, e))?;
    let usd = |n: u64| i18n::number(lang, n as i64);
    let body = html! {
        h1 { (b.title) }
        p.muted { (t(lang, "budgets-unit")) " · "
            a href=(format!("/api/v1/budgets/{}/table.csv", b.code)) { "CSV" } " · "
            a href=(format!("/api/v1/budgets/{}/table.csv?hxl=true", b.code)) { "CSV + HXL" } }
        div.scroll tabindex="0" { table.figures {
            caption { (t(lang, "budgets-caption")) }
            thead { tr {
                th scope="col" { (t(lang, "budgets-office")) }
                @for c in BudgetCategory::ALL { th scope="col" title=(t(lang, &format!("budget-{}", c.as_str()))) { (c.short()) } }
                th scope="col" { (t(lang, "budgets-total")) }
            } }
            tbody { @for r in &table.rows { tr {
                th scope="row" { (r.office) }
                @for c in &r.cells { td.num { @if let Some(u) = c { (usd(u.0)) } @else { "–" } } }
                td.num { strong { (usd(r.total().0)) } }
            } } }
            tfoot { tr {
                th scope="row" { (t(lang, "budgets-total")) }
                @for c in table.column_totals() { td.num { strong { (usd(c.0)) } } }
                td.num { strong { (usd(table.grand_total().0)) } }
            } }
        } }
        dl.legend { @for c in BudgetCategory::ALL { dt { (c.short()) } dd { (t(lang, &format!("budget-{}", c.as_str()))) } } }
        h2 { (t(lang, "budgets-chart")) }
        (budget_chart(lang, &table))
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: b.title.clone(), session: Some(&s), here: "/budgets" }, body)))
}

/// The six headings' colours: distinguishable for the common colour-vision
/// deficiencies (Okabe–Ito palette).
const COLOURS: [&str; 6] = ["#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7"];

/// A horizontal stacked bar per office, largest first.
fn budget_chart(lang: Lang, table: &BudgetTable) -> Markup {
    let mut rows: Vec<_> = table.rows.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.total()));
    let max = rows.first().map_or(1, |r| r.total().0.max(1)) as f64;
    let (label_w, bar_w, row_h) = (190.0, 520.0, 22.0);
    let height = row_h * rows.len() as f64 + 40.0;
    let title = t(lang, "budgets-chart");
    // (office, y, segments (x, width, heading, amount), where the bar ends, total)
    let bars: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = 10.0 + row_h * i as f64;
            let mut x = label_w;
            let mut segments = Vec::new();
            for c in BudgetCategory::ALL {
                if let Some(u) = r.cell(*c) {
                    let w = bar_w * u.0 as f64 / max;
                    segments.push((x, w, *c, u.0));
                    x += w;
                }
            }
            (&r.office, y, segments, x, r.total().0)
        })
        .collect();
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="budget-chart-title" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 110.0)) width="100%" {
            title id="budget-chart-title" { (title) }
            @for (office, y, segments, end, total) in &bars {
                text x=(label_w - 6.0) y=(y + 14.0) text-anchor="end" font-size="12" { (office) }
                @for (x, w, c, amount) in segments {
                    rect x=(format!("{x:.1}")) y=(y) width=(format!("{w:.1}")) height=(row_h - 6.0) fill=(COLOURS[c.index()]) {
                        title { (office) ", " (c.short()) ": USD " (i18n::number(lang, *amount as i64)) }
                    }
                }
                text x=(format!("{:.1}", end + 4.0)) y=(y + 14.0) font-size="11" { (i18n::number(lang, *total as i64)) }
            }
            @for (i, c) in BudgetCategory::ALL.iter().enumerate() {
                @let lx = label_w + 60.0 * i as f64;
                rect x=(lx) y=(height - 22.0) width="12" height="12" fill=(COLOURS[c.index()]) {}
                text x=(lx + 16.0) y=(height - 12.0) font-size="11" { (c.short()) }
            }
        }
    }
}

#[utoipa::path(
    get,
    path = "/budgets",
    summary = "Imported appeal budgets, newest first (read_aggregates)",
    responses((status = 200, description = "Budgets", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_budgets(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(Json(state.passage.budgets(Some(&s.actor)).await?).into_response())
}

fn api_code(code: &str) -> Result<String, ApiError> {
    parse_budget_code(code).map_err(|_| ApiError::NotFound)
}

#[utoipa::path(
    get,
    path = "/budgets/{code}",
    summary = "A budget: planned USD per office and heading of the Migration Governance Framework, with row and column totals; null is nothing planned",
    params(("code" = String, Path)),
    responses((status = 200, description = "The budget", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_budget(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let (b, table) = state.passage.budget(Some(&s.actor), Some(&api_code(&code)?)).await?;
    let cells = |cells: &[Option<passage_domain::budget::Usd>; 6]| {
        serde_json::Value::Object(
            BudgetCategory::ALL.iter().map(|c| (c.as_str().to_string(), json!(cells[c.index()].map(|u| u.0)))).collect(),
        )
    };
    let totals = table.column_totals().map(Some);
    Ok(Json(json!({
        "budget": b,
        "rows": table.rows.iter().map(|r| json!({
            "office": r.office,
            "country": r.country,
            "amounts": cells(&r.cells),
            "total": r.total().0,
        })).collect::<Vec<_>>(),
        "totals": cells(&totals),
        "total": table.grand_total().0,
    }))
    .into_response())
}

/// A file to download: its type, its name (kept to safe characters) and its bytes.
pub(crate) fn download(content_type: &str, name: &str, body: impl IntoResponse) -> Response {
    let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\""))], body)
        .into_response()
}

/// `?hxl=true` on a tabular export adds the HXL hashtag row.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HxlQuery {
    /// Add an HXL hashtag row under the header.
    #[serde(default)]
    hxl: bool,
}

pub(crate) fn hxl_flag(q: Result<Query<HxlQuery>, axum::extract::rejection::QueryRejection>) -> Result<bool, ApiError> {
    q.map(|Query(q)| q.hxl)
        .map_err(|e| ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: format!("hxl must be true or false: {e}") })
}

#[utoipa::path(
    get,
    path = "/budgets/{code}/table.csv",
    summary = "The budget as CSV in the import format, with a totals row; ?hxl=true adds an HXL hashtag row",
    params(("code" = String, Path), HxlQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_budget_csv(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(code): Path<String>,
    q: Result<Query<HxlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let hxl = hxl_flag(q)?;
    let (b, table) = state.passage.budget(Some(&s.actor), Some(&api_code(&code)?)).await?;
    let name = format!("{}{}.csv", b.code.to_lowercase(), if hxl { "-hxl" } else { "" });
    Ok(download("text/csv; charset=utf-8", &name, budget_csv(&table, hxl)))
}

async fn programmes_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let list = state.passage.programmes(&s.actor).await.map_err(|e| PageError::from_service(lang, e))?;
    let body = html! {
        h1 { (t(lang, "programmes-title")) }
        ul { @for p in &list { li { a href=(format!("/programmes/{}", p.code)) { (p.name) } " — " (p.donor) } } }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "programmes-title"), session: Some(&s), here: "/programmes" }, body)))
}

fn figure(lang: Lang, f: Figure) -> Markup {
    match f {
        Figure::Count(n) => html! { (i18n::number(lang, n as i64)) },
        Figure::Suppressed => html! { abbr title=(t(lang, "figures-suppressed")) { "*" } },
    }
}

/// A protected table with its margins, as accessible HTML.
fn breakdown_table(
    lang: Lang,
    caption: &str,
    b: &Breakdown,
    row_label: impl Fn(&str) -> String,
    col_label: impl Fn(&str) -> String,
) -> Markup {
    html! {
        div.scroll tabindex="0" { table.figures {
            caption { (caption) }
            thead { tr { td {} @for c in &b.columns { th scope="col" { (col_label(c)) } } th scope="col" { (t(lang, "budgets-total")) } } }
            tbody { @for (i, r) in b.rows.iter().enumerate() { tr {
                th scope="row" { (row_label(r)) }
                @for f in &b.table.cells[i] { td.num { (figure(lang, *f)) } }
                td.num { strong { (figure(lang, b.table.row_totals[i])) } }
            } } }
            tfoot { tr {
                th scope="row" { (t(lang, "budgets-total")) }
                @for f in &b.table.column_totals { td.num { strong { (figure(lang, *f)) } } }
                td.num { strong { (figure(lang, b.table.total)) } }
            } }
        } }
    }
}

/// Achieved against target, one bar per indicator (share of the target, capped at 150 %).
fn progress_chart(lang: Lang, figures: &ProgrammeFigures) -> Markup {
    let (label_w, bar_w, row_h) = (40.0, 420.0, 24.0);
    let rows: Vec<_> = figures
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let share = match (ind.total, ind.target) {
                (Figure::Count(n), Some(t)) if t > 0 => Some(n as f64 / t as f64),
                _ => None,
            };
            (i, ind, share)
        })
        .collect();
    let height = row_h * rows.len() as f64 + 20.0;
    let name = |ind: &IndicatorFigures| if lang == Lang::Fr { ind.name_fr.clone() } else { ind.name_en.clone() };
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="progress-title" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 80.0)) width="100%" {
            title id="progress-title" { (t(lang, "figures-progress")) }
            line x1=(label_w + bar_w / 1.5) x2=(label_w + bar_w / 1.5) y1="0" y2=(height) stroke="#888" stroke-dasharray="4 3" {}
            @for (i, ind, share) in &rows {
                @let y = 6.0 + row_h * *i as f64;
                text x=(label_w - 6.0) y=(y + 13.0) text-anchor="end" font-size="12" { (i + 1) }
                @if let Some(sh) = share {
                    @let w = bar_w / 1.5 * sh.min(1.5);
                    rect x=(label_w) y=(y) width=(format!("{w:.1}")) height=(row_h - 8.0) fill="#0072B2" {
                        title { (name(ind)) ": " (format!("{:.0}", sh * 100.0)) " %" }
                    }
                    text x=(format!("{:.1}", label_w + w + 4.0)) y=(y + 13.0) font-size="11" { (format!("{:.0} %", sh * 100.0)) }
                } @else {
                    text x=(label_w + 4.0) y=(y + 13.0) font-size="11" { "—" }
                }
            }
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OfficeQuery {
    /// An office code: that office's figures alone.
    office: Option<String>,
}

/// Monthly columns, one per month with data; a suppressed month is drawn as
/// an outlined stub marked `*`, so a gap is never mistaken for a zero.
fn column_chart(lang: Lang, id: &str, title: &str, months: &[String], values: &[Figure]) -> Markup {
    let max = values.iter().filter_map(|v| v.count()).max().unwrap_or(1).max(1) as f64;
    let (left, w, h) = (40.0, 640.0, 160.0);
    let step = if months.is_empty() { w } else { w / months.len() as f64 };
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby=(id) viewBox=(format!("0 0 {} {}", left + w + 10.0, h + 40.0)) width="100%" {
            title id=(id) { (title) }
            line x1=(left) x2=(left + w) y1=(h) y2=(h) stroke="#888" {}
            text x=(left - 4.0) y="12" text-anchor="end" font-size="10" { (i18n::number(lang, max as i64)) }
            @for (i, (m, v)) in months.iter().zip(values).enumerate() {
                @let x = left + step * i as f64 + step * 0.1;
                @let bw = (step * 0.8).max(1.0);
                @match v {
                    Figure::Count(n) => {
                        @let bh = h * *n as f64 / max;
                        rect x=(format!("{x:.1}")) y=(format!("{:.1}", h - bh)) width=(format!("{bw:.1}")) height=(format!("{bh:.1}")) fill="#0072B2" {
                            title { (m) ": " (i18n::number(lang, *n as i64)) }
                        }
                    }
                    Figure::Suppressed => {
                        rect x=(format!("{x:.1}")) y=(h - 8.0) width=(format!("{bw:.1}")) height="8" fill="none" stroke="#888" {
                            title { (m) ": " (t(lang, "figures-suppressed")) }
                        }
                    }
                }
                @if months.len() <= 24 || i % 6 == 0 {
                    text x=(format!("{:.1}", x + bw / 2.0)) y=(h + 14.0) text-anchor="middle" font-size="9" { (m) }
                }
            }
        }
    }
}

async fn programme_page(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>, q: Query<OfficeQuery>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let office = q.office.as_deref().filter(|o| !o.trim().is_empty());
    let f = match office {
        Some(o) => state.passage.office_figures(&s.actor, &code, o).await,
        None => state.passage.programme_figures(&s.actor, &code).await,
    }
    .map_err(|e| PageError::from_service(lang, e))?;
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let assisted = f.indicators.iter().find(|i| i.by_month.is_some());
    let name = |ind: &IndicatorFigures| if lang == Lang::Fr { ind.name_fr.clone() } else { ind.name_en.clone() };
    let body = html! {
        h1 { (f.programme.name) }
        p.muted { (f.programme.donor) " · " (f.from.to_string()) " – " (f.until.to_string()) " · "
            (tr(lang, "figures-rules", &[("k", f.rules.threshold.to_string())])) }
        p { a href=(format!("/api/v1/programmes/{}/figures.csv", f.programme.code)) { "CSV" } " · "
            a href=(format!("/api/v1/programmes/{}/figures.csv?hxl=true", f.programme.code)) { "CSV + HXL" } " · "
            a href=(format!("/api/v1/programmes/{}/iati.xml", f.programme.code)) { (t(lang, "figures-iati")) } " · "
            a href=(format!("/results/{}", f.programme.code)) { (t(lang, "figures-public-page")) } }
        div.scroll tabindex="0" { table.figures {
            caption { (t(lang, "figures-key")) }
            thead { tr { th scope="col" { "#" } th scope="col" { (t(lang, "figures-indicator")) } th scope="col" { (t(lang, "figures-achieved")) } th scope="col" { (t(lang, "figures-target")) } } }
            tbody { @for (i, ind) in f.indicators.iter().enumerate() { tr {
                td { (i + 1) }
                th scope="row" { a href=(format!("#{}", ind.code)) { (name(ind)) } }
                td.num { strong { (figure(lang, ind.total)) } }
                td.num { @if let Some(t) = ind.target { (i18n::number(lang, t)) } }
            } } }
        } }
        form method="get" action=(format!("/programmes/{}", f.programme.code)) {
            label for="office-pick" { (t(lang, "figures-office")) " " }
            select id="office-pick" name="office" {
                option value="" { (t(lang, "figures-all-offices")) }
                @for o in &offices { option value=(o.code) selected[f.office.as_deref() == Some(o.code.as_str())] { (o.code) " — " (o.name) } }
            }
            " " button.secondary type="submit" { (t(lang, "figures-show")) }
        }
        @if f.office.is_none() {
            h2 { (t(lang, "figures-progress")) }
            (progress_chart(lang, &f))
        }
        @if let Some(ind) = assisted {
            @if let Some(b) = &ind.by_month {
                h2 { (t(lang, "figures-over-time")) " — " (name(ind)) }
                (column_chart(lang, "over-time-title", &t(lang, "figures-over-time"), &b.columns, &b.table.cells[0]))
                (breakdown_table(lang, &t(lang, "figures-over-time"), b, |_| t(lang, "figures-persons"), |c| c.to_string()))
            }
        }
        h2 { (t(lang, "figures-returns")) }
        @if f.movements_by_month.is_empty() {
            p.muted { (t(lang, "figures-no-returns")) }
        } @else {
            (column_chart(lang, "returns-title", &t(lang, "figures-returns"), &f.returnees_by_month.columns, &f.returnees_by_month.table.cells[0]))
            div.scroll tabindex="0" { table.figures {
                caption { (t(lang, "figures-returns")) }
                thead { tr { th scope="col" { (t(lang, "figures-month")) } th scope="col" { (t(lang, "figures-movements")) } th scope="col" { (t(lang, "figures-returnees")) } } }
                tbody { @for (i, (m, n)) in f.movements_by_month.iter().enumerate() { tr {
                    th scope="row" { (m) } td.num { (i18n::number(lang, *n)) } td.num { (figure(lang, f.returnees_by_month.table.cells[0][i])) }
                } } }
            } }
        }
        @if let Some(share) = &f.sustainable_share { (share_section(lang, share)) }
        @for ind in &f.indicators {
            section id=(ind.code) {
                h2 { (name(ind)) }
                (breakdown_table(lang, &t(lang, "figures-by-office"), &ind.by_office,
                    |c| passage_domain::codes::CountryCode::parse("", c).map(|c| c.names().in_lang(lang.code()).to_string()).unwrap_or_else(|_| c.to_string()),
                    |o| o.to_string()))
                @if let Some(b) = &ind.by_sex_age {
                    (breakdown_table(lang, &t(lang, "figures-by-sex-age"), b, |r| label(lang, "sex", r), |c| c.to_string()))
                }
                @if let Some(b) = &ind.by_vulnerability {
                    (breakdown_table(lang, &t(lang, "figures-by-vulnerability"), b, |_| t(lang, "figures-persons"),
                        |c| if c == "none" { t(lang, "figures-no-vulnerability") } else { label(lang, "finding", c) }))
                }
            }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: f.programme.name.clone(), session: Some(&s), here: "/programmes" }, body)))
}

/// The share of returnees monitored whose reintegration is sustainable, by sex, age group and country of return.
fn share_section(lang: Lang, share: &passage_service::figures::SustainableShare) -> Markup {
    let pct = |v: &Option<f64>| v.map(|v| format!("{:.0} %", v * 100.0)).unwrap_or_else(|| t(lang, "figures-share-hidden"));
    html! {
        section id="sustainable-share" {
            h2 { (t(lang, "figures-sustainable-share")) }
            p { strong { (pct(&share.total)) } }
            div.scroll tabindex="0" { table.figures {
                caption { (t(lang, "figures-sustainable-share")) }
                tbody {
                    @for (sex, v) in &share.by_sex { tr { th scope="row" { (label(lang, "sex", sex)) } td.num { (pct(v)) } } }
                    @for (age, v) in &share.by_age_group { tr { th scope="row" { (age) } td.num { (pct(v)) } } }
                    @for (c, v) in &share.by_country { tr {
                        th scope="row" { (passage_domain::codes::CountryCode::parse("", c).map(|c| c.names().in_lang(lang.code()).to_string()).unwrap_or_else(|_| c.to_string())) }
                        td.num { (pct(v)) }
                    } }
                }
            } }
            p.muted { (t(lang, "figures-share-note")) }
        }
    }
}

#[utoipa::path(
    get,
    path = "/programmes",
    summary = "Programmes: name, donor, period, countries (read_aggregates)",
    responses((status = 200, description = "Programmes", body = [Object]), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_programmes(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    Ok(Json(state.passage.programmes(&s.actor).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/programmes/{code}/figures",
    summary = "Every indicator of a programme computed from the records over its period, against its target, broken down by country and office, sex and age group, and vulnerability; counts of persons under disclosure control (null: suppressed)",
    params(("code" = String, Path), OfficeQuery),
    responses((status = 200, description = "The figures", body = Object), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_programme_figures(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(code): Path<String>,
    crate::api::extract::ApiQuery(q): crate::api::extract::ApiQuery<OfficeQuery>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let f = match q.office.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(o) => state.passage.office_figures(&s.actor, &code, o).await?,
        None => state.passage.programme_figures(&s.actor, &code).await?,
    };
    Ok(Json(f).into_response())
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The public page's language: `?lang=` (the links on the page), else the
/// visitor's choice or browser. Only English and French are offered there.
fn public_lang(headers: &HeaderMap, q: &LangQuery) -> Lang {
    match q.lang.as_deref() {
        Some("fr") => Lang::Fr,
        Some("en") => Lang::En,
        _ => match crate::session::request_lang(headers) {
            Lang::Fr => Lang::Fr,
            _ => Lang::En,
        },
    }
}

async fn results_home(State(state): State<AppState>) -> Response {
    // The default programme, or the first there is.
    let code = match state.passage.db.reader().acquire().await {
        Ok(mut c) => passage_storage::figures::programmes(&mut c).await.ok().and_then(|p| p.into_iter().next()).map(|p| p.code),
        Err(_) => None,
    };
    axum::response::Redirect::to(&format!("/results/{}", code.as_deref().unwrap_or(passage_domain::indicator::DEFAULT_PROGRAMME.code)))
        .into_response()
}

async fn results_page(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>, q: Query<LangQuery>) -> PageResult {
    let lang = public_lang(&headers, &q);
    let p = state.passage.public_programme(&code).await.map_err(|e| PageError::from_service(lang, e))?;
    let f = &p.figures;
    let fr = lang == Lang::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    // The year's lives lost on the routes: the latest year with incidents
    // within the programme's period (incidents are anonymous, public data).
    let years = state.passage.incident_years(None).await.map_err(|e| PageError::from_service(lang, e))?;
    let year = years.into_iter().find(|y| *y <= f.until.year() && *y >= f.from.year());
    let incidents = match year {
        Some(y) => state
            .passage
            .incident_summary(None, Some(y), passage_domain::incident::IncidentGrouping::Route)
            .await
            .map_err(|e| PageError::from_service(lang, e))?,
        None => Vec::new(),
    };
    let body = html! {
        p { a href=(format!("/results/{}?lang=en", f.programme.code)) lang="en" { "English" } " · " a href=(format!("/results/{}?lang=fr", f.programme.code)) lang="fr" { "Français" } }
        h1 { (f.programme.name) }
        p.muted { (f.programme.donor) " · " (f.from.to_string()) " – " (f.until.to_string()) }
        p { (pick(&f.programme.purpose_en, &f.programme.purpose_fr)) }
        h2 { (t(lang, "results-achievements")) }
        ul.achievements {
            @for ind in &f.indicators { li {
                strong { (figure(lang, ind.total)) } " " (pick(&ind.name_en, &ind.name_fr))
            } }
            @if let Some(share) = f.sustainable_share.as_ref().and_then(|s| s.total) {
                li { strong { (format!("{:.0} %", share * 100.0)) } " " (t(lang, "figures-sustainable-share")) }
            }
        }
        p.muted { (tr(lang, "figures-rules", &[("k", f.rules.threshold.to_string())])) " " (t(lang, "results-live")) }
        @if let (Some(y), false) = (year, incidents.is_empty()) {
            h2 { (tr(lang, "results-incidents", &[("year", y.to_string())])) }
            (crate::route_data::incident_table(lang, &incidents))
            p.muted { (t(lang, "results-incidents-source")) }
        }
        h2 { (t(lang, "results-areas")) }
        @for a in &p.areas { section { h3 { (pick(&a.title_en, &a.title_fr)) } p { (pick(&a.body_en, &a.body_fr)) } } }
        h2 { (t(lang, "results-resources")) }
        @if p.resources.is_empty() { p.muted { (t(lang, "results-no-resources")) } }
        ul { @for r in &p.resources { li {
            (r.title) " · " (label(lang, "resource", &r.kind)) " · " (r.published_on.to_string())
            @if let Some(name) = &r.file_name { " · " a href=(format!("/results/{}/resources/{}", f.programme.code, r.id)) { (t(lang, "results-download")) " (" (name) ")" } }
        } } }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: f.programme.name.clone(), session: None, here: "/results" }, body)))
}

async fn resource_download(State(state): State<AppState>, headers: HeaderMap, Path((_, id)): Path<(String, String)>) -> PageResult {
    let lang = crate::session::request_lang(&headers);
    let (name, content_type, bytes) = state.passage.resource_file(&id).await.map_err(|e| PageError::from_service(lang, e))?;
    // Public and unchanging until replaced: a slow link may keep it a while.
    Ok(download(&content_type, &name, ([(header::CACHE_CONTROL, "public, max-age=3600")], bytes)))
}

#[utoipa::path(
    get,
    path = "/programmes/{code}/iati.xml",
    summary = "The programme as an IATI activity (standard 2.03): organisations, countries, budgets that belong to it, and results with targets and protected actual values",
    params(("code" = String, Path)),
    responses((status = 200, description = "IATI activity XML", content_type = "application/xml"), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_programme_iati(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let xml = state.passage.programme_iati(&s.actor, &code).await?;
    Ok(download("application/xml; charset=utf-8", &format!("{}-iati.xml", code.to_lowercase()), xml))
}

#[utoipa::path(
    get,
    path = "/programmes/{code}/figures.csv",
    summary = "The programme's figures as CSV (per indicator: total and target, each country and office; suppressed values empty and flagged); ?hxl=true adds an HXL hashtag row",
    params(("code" = String, Path), HxlQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_programme_csv(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(code): Path<String>,
    q: Result<Query<HxlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    let hxl = hxl_flag(q)?;
    let f = state.passage.programme_figures(&s.actor, &code).await?;
    let name = format!("{}-figures{}.csv", f.programme.code.to_lowercase(), if hxl { "-hxl" } else { "" });
    Ok(download("text/csv; charset=utf-8", &name, passage_service::figures::figures_csv(&f, hxl)))
}
