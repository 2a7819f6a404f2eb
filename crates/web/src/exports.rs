//! Downloading case lists, assistance records and activity records as CSV
//! or XLSX, with an optional row of HXL hashtags under the header. What a
//! file holds is the service's decision (`passage_service::exports`); this
//! layer streams it: CSV a page of rows at a time as it is read, XLSX
//! written in constant memory to a temporary file that is then streamed and
//! deleted, so a million-row export never sits in memory. Text cells are
//! defused against formula injection in CSV; XLSX cells are written as
//! strings, which a spreadsheet never runs.

use crate::error::ApiError;
use crate::i18n::t;
use crate::layout::{page, Page};
use crate::page::{html_response, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use passage_service::exports::{ExportKind, ExportPlan};
use passage_service::{Actor, Passage, ServiceError};

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/exports", exports_page).get("/exports/{file}", page_download)
}

/// Under `/api/v1`.
pub fn api_routes() -> crate::routing::Routes {
    crate::routing::Routes::new().api(utoipa_axum::routes!(api_download))
}

type HxlParam = Result<Query<crate::figures::HxlQuery>, axum::extract::rejection::QueryRejection>;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Xlsx,
}

/// `cases.csv` → (cases, CSV); anything else is not found.
fn parse_file(file: &str) -> Option<(ExportKind, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let format = match ext {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => return None,
    };
    Some((ExportKind::parse(name)?, format))
}

async fn exports_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let mut available = Vec::new();
    for kind in [ExportKind::Cases, ExportKind::Assistance, ExportKind::Activities] {
        if passage_service::exports::may_export(&s.actor, kind) {
            available.push(kind);
        }
    }
    if available.is_empty() {
        return Err(PageError::from_service(lang, ServiceError::Forbidden("export records")));
    }
    let body = html! {
        h1 { (t(lang, "exports-title")) }
        p.muted { (t(lang, "exports-intro")) }
        ul { @for k in &available { li {
            strong { (t(lang, &format!("exports-{}", k.name()))) } " — "
            a href=(format!("/exports/{}.csv", k.name())) download { "CSV" } " · "
            a href=(format!("/exports/{}.xlsx", k.name())) download { "XLSX" } " · "
            a href=(format!("/exports/{}.csv?hxl=true", k.name())) download { (t(lang, "exports-csv-hxl")) }
        } } }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "exports-title"), session: Some(&s), here: "/exports" }, body)))
}

async fn page_download(State(state): State<AppState>, headers: HeaderMap, Path(file): Path<String>, q: HxlParam) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    download(&state.passage, &s.actor, &file, q).await.map_err(|e| match e {
        ApiError::Service(e) => PageError::from_service(lang, e),
        ApiError::BadRequest { detail, .. } => PageError::with_message(lang, StatusCode::BAD_REQUEST, detail),
        _ => PageError::from_service(lang, ServiceError::NotFound),
    })
}

#[utoipa::path(
    get,
    path = "/exports/{file}",
    summary = "Download records as cases.csv|.xlsx, assistance.csv|.xlsx or activities.csv|.xlsx (?hxl=true adds a hashtag row). The access model decides the rows and columns: the cases I may see with identity (read_cases); pseudonyms and no identity (read_pseudonymised only); activities carry counts only. Streamed.",
    params(("file" = String, Path), crate::figures::HxlQuery),
    responses((status = 200, description = "The file", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))), (status = 403, response = crate::api::extract::Problem))
)]
async fn api_download(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(file): Path<String>,
    q: HxlParam,
) -> Result<Response, ApiError> {
    let s = crate::api::extract::who(&state, &method, &headers).await?;
    download(&state.passage, &s.actor, &file, q).await
}

async fn download(passage: &Passage, actor: &Actor, file: &str, q: HxlParam) -> Result<Response, ApiError> {
    let (kind, format) = parse_file(file).ok_or(ApiError::NotFound)?;
    let hxl = crate::figures::hxl_flag(q)?;
    let plan = passage.export_plan(actor, kind).await?;
    let date = passage_domain::date::CalendarDate::today();
    let name = format!("passage-{}-{date}.{}", kind.name(), if format == Format::Csv { "csv" } else { "xlsx" });
    let body = match format {
        Format::Csv => csv_stream(passage.clone(), plan, hxl),
        Format::Xlsx => xlsx_file(passage, &plan, hxl).await?,
    };
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok((
        [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        body,
    )
        .into_response())
}

fn csv_line(cells: &[String]) -> Bytes {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(cells.iter().map(|c| passage_domain::text::spreadsheet_safe(c).into_owned()));
    Bytes::from(w.into_inner().unwrap_or_default())
}

/// The CSV, a page at a time: a reader that stops (or a database error)
/// ends the stream, and a cut-off download fails rather than looking whole.
fn csv_stream(passage: Passage, plan: ExportPlan, hxl: bool) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let mut head = Vec::from("\u{feff}".as_bytes());
        head.extend_from_slice(&csv_line(&plan.columns.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
        if hxl {
            head.extend_from_slice(&csv_line(&plan.hxl.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
        }
        if tx.send(Ok(Bytes::from(head))).await.is_err() {
            return;
        }
        let mut after = String::new();
        loop {
            match passage.export_page(&plan, &after).await {
                Ok((rows, next)) => {
                    let mut chunk = Vec::new();
                    for r in &rows {
                        chunk.extend_from_slice(&csv_line(r));
                    }
                    if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                        return;
                    }
                    match next {
                        Some(n) => after = n,
                        None => return,
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "export stopped");
                    let _ = tx.send(Err(std::io::Error::other("the export stopped"))).await;
                    return;
                }
            }
        }
    });
    // Fused: the compression layer polls a body once more after its end, and a bare unfold panics on that.
    Body::from_stream(futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })))
}

/// The XLSX, written row by row in constant memory to a temporary file,
/// then streamed from it (the file is unlinked once open).
async fn xlsx_file(passage: &Passage, plan: &ExportPlan, hxl: bool) -> Result<Body, ApiError> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::Service(ServiceError::Operation(format!("cannot write the workbook: {e}")));
    let mut book = Workbook::new();
    let bold = Style::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory();
    sheet.set_name(plan.kind.name()).map_err(failed)?;
    for (c, h) in plan.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(failed)?;
        if hxl {
            sheet.write_string(1, c as u16, plan.hxl[c]).map_err(failed)?;
        }
    }
    let mut row: u32 = if hxl { 2 } else { 1 };
    let mut after = String::new();
    loop {
        let (rows, next) = passage.export_page(plan, &after).await?;
        for r in &rows {
            for (c, v) in r.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(row, c as u16, v).map_err(failed)?;
                }
            }
            row += 1;
        }
        match next {
            Some(n) => after = n,
            None => break,
        }
    }
    let dir = std::env::temp_dir();
    let path = dir.join(format!("passage-export-{}.xlsx", passage_service::auth::random_token()));
    book.save(&path).map_err(failed)?;
    let file = tokio::fs::File::open(&path).await.map_err(|e| ApiError::Service(ServiceError::Operation(e.to_string())))?;
    // Unlinked now, read while open: nothing is left behind whatever happens to the download.
    let _ = std::fs::remove_file(&path);
    Ok(Body::from_stream(futures_util::StreamExt::fuse(futures_util::stream::unfold(file, |mut f| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    }))))
}
