//! Importing KoboToolbox / ODK exports from the web: upload, a report of
//! every problem (row, column, value, reason in the reader's language),
//! then confirm. Checking and importing run in the background; the page
//! follows them with a progress bar and reloads itself (an HTTP `Refresh`
//! header, no script), so a reload or a second tab shows the same job.
//! A job lives in this server's memory: after a restart the user uploads
//! the file again — and since an import is one transaction, a restart
//! mid-way leaves nothing half-written.

use crate::i18n::{t, tr, Lang};
use crate::layout::{page, Page};
use crate::page::{html_response, viewer, PageError, PageResult};
use crate::session::constant_time_eq;
use crate::submissions::form_title;
use crate::AppState;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::html;
use passage_domain::ids::UserId;
use passage_service::auth::Session;
use passage_service::kobo::{ImportCheck, ImportOutcome, ImportProblem, ImportProgress, MAX_IMPORT_BYTES};
use passage_service::ServiceError;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/imports", imports_page)
        .get("/imports/{id}", import_page)
        .post("/imports/{id}/run", run)
        .post("/imports/{id}/cancel", cancel)
        .merge(crate::routing::Routes::new().post("/imports", upload).body_limit(MAX_IMPORT_BYTES + 64 * 1024))
}

/// What the page shows of a check, kept when the check itself goes to the import.
#[derive(Clone)]
struct Summary {
    rows: usize,
    ready: usize,
    already: usize,
    invalid: usize,
    fatal: bool,
    problems: Vec<ImportProblem>,
}

enum Stage {
    Checking,
    Checked(Summary, Option<ImportCheck>),
    Importing(Summary),
    Done(Summary, ImportOutcome),
    Cancelled,
    Failed(String),
}

struct Job {
    owner: UserId,
    form_id: String,
    file_name: String,
    progress: Arc<ImportProgress>,
    stage: Mutex<Stage>,
}

/// The jobs of this server, by id.
fn jobs() -> &'static Mutex<HashMap<String, Arc<Job>>> {
    static JOBS: OnceLock<Mutex<HashMap<String, Arc<Job>>>> = OnceLock::new();
    JOBS.get_or_init(Default::default)
}

/// The forms this user may import, or 403 before anything else.
fn may_import(s: &Session, lang: Lang) -> Result<Vec<&'static passage_service::fieldforms::FieldForm>, PageError> {
    let forms = passage_service::fieldforms::forms_for(&s.actor);
    if forms.is_empty() {
        return Err(PageError::from_service(lang, ServiceError::Forbidden("import field data")));
    }
    Ok(forms)
}

/// The user's own job, or not found (another user's job does not exist for them).
fn job_of(s: &Session, lang: Lang, id: &str) -> Result<Arc<Job>, PageError> {
    let job = jobs().lock().expect("jobs lock").get(id).cloned();
    match job {
        Some(j) if j.owner == s.actor.id => Ok(j),
        _ => Err(PageError::from_service(lang, ServiceError::NotFound)),
    }
}

async fn imports_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let forms = may_import(&s, lang)?;
    let body = html! {
        h1 { (t(lang, "imports-title")) }
        p.muted { (t(lang, "imports-intro")) }
        form.card method="post" action="/imports" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf_token);
            div.field {
                label for="form" { (t(lang, "imports-form")) }
                select id="form" name="form" { @for f in &forms { option value=(f.id) { (form_title(lang, f.id)) } } }
            }
            div.field { label for="file" { (t(lang, "imports-file")) } input id="file" name="file" type="file" accept=".csv,.xlsx" required; }
            p { button type="submit" { (t(lang, "imports-upload")) } }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "imports-title"), session: Some(&s), here: "/imports" }, body)))
}

async fn upload(State(state): State<AppState>, headers: HeaderMap, request: Request) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    may_import(&s, lang)?;
    let bad = |m: String| PageError::with_message(lang, StatusCode::BAD_REQUEST, m);
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| bad(e.to_string()))?;
    let (mut csrf, mut form_id, mut file_name, mut bytes) = (String::new(), String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|e| bad(e.to_string()))? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(|e| bad(e.to_string()))?,
            "form" => form_id = field.text().await.map_err(|e| bad(e.to_string()))?,
            "file" => {
                file_name = field.file_name().unwrap_or("").to_string();
                bytes = Some(field.bytes().await.map_err(|e| bad(e.to_string()))?);
            }
            _ => {}
        }
    }
    if !constant_time_eq(csrf.as_bytes(), s.csrf_token.as_bytes()) {
        return Err(PageError::with_message(lang, StatusCode::FORBIDDEN, t(lang, "error-csrf")));
    }
    let bytes = bytes.ok_or_else(|| bad(t(lang, "err-import-empty")))?;
    let id = passage_service::auth::random_token();
    let job = Arc::new(Job {
        owner: s.actor.id,
        form_id: form_id.clone(),
        file_name: file_name.clone(),
        progress: Arc::new(ImportProgress::default()),
        stage: Mutex::new(Stage::Checking),
    });
    jobs().lock().expect("jobs lock").insert(id.clone(), job.clone());
    let passage = state.passage.clone();
    tokio::spawn(async move {
        let next = match passage.check_import(&s.actor, &form_id, &file_name, &bytes, &job.progress).await {
            Ok(c) => {
                let summary = Summary {
                    rows: c.rows,
                    ready: c.ready,
                    already: c.already,
                    invalid: c.invalid,
                    fatal: c.fatal,
                    problems: c.problems.clone(),
                };
                Stage::Checked(summary, Some(c))
            }
            Err(ServiceError::Operation(_)) => Stage::Cancelled,
            Err(ServiceError::Invalid(inv)) => Stage::Failed(inv.to_string()),
            Err(e) => Stage::Failed(e.to_string()),
        };
        *job.stage.lock().expect("stage lock") = next;
    });
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

async fn import_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    may_import(&s, lang)?;
    let job = job_of(&s, lang, &id)?;
    let (done, total) = (job.progress.done.load(Ordering::Relaxed), job.progress.total.load(Ordering::Relaxed));
    let stage = job.stage.lock().expect("stage lock");
    let running = matches!(*stage, Stage::Checking | Stage::Importing(_));
    let problems_table = |sum: &Summary| {
        html! {
            p { (tr(lang, "imports-summary", &[("rows", sum.rows.to_string()), ("ready", sum.ready.to_string()), ("already", sum.already.to_string()), ("invalid", sum.invalid.to_string())])) }
            @if !sum.problems.is_empty() {
                div.scroll tabindex="0" { table.problems {
                    thead { tr { th { (t(lang, "imports-row")) } th { (t(lang, "imports-column")) } th { (t(lang, "imports-value")) } th { (t(lang, "imports-problem")) } } }
                    tbody { @for p in sum.problems.iter().take(500) { tr {
                        td.num { @if p.row > 0 { (p.row) } } td { @if let Some(c) = &p.column { code { (c) } } }
                        td { @if let Some(v) = &p.value { (v) } } td { (crate::i18n::import_problem(lang, p)) }
                    } } }
                } }
            }
        }
    };
    let progress_bar = |label: &str| {
        html! {
            p role="status" { (t(lang, label)) " " (tr(lang, "imports-progress", &[("done", done.to_string()), ("total", total.to_string())])) }
            progress max=(total.max(1)) value=(done) { (done) }
            form method="post" action=(format!("/imports/{id}/cancel")) { input type="hidden" name="csrf" value=(s.csrf_token); button.secondary type="submit" { (t(lang, "imports-cancel")) } }
        }
    };
    let body = html! {
        h1 { (form_title(lang, &job.form_id)) " — " (job.file_name) }
        @match &*stage {
            Stage::Checking => (progress_bar("imports-checking")),
            Stage::Importing(sum) => { (progress_bar("imports-importing")) (problems_table(sum)) },
            Stage::Checked(sum, _) => {
                (problems_table(sum))
                @if sum.fatal { p.errors role="alert" { (t(lang, "imports-fatal")) } }
                @else if sum.ready + sum.invalid > 0 {
                    form.card method="post" action=(format!("/imports/{id}/run")) {
                        input type="hidden" name="csrf" value=(s.csrf_token);
                        @if sum.invalid == 0 {
                            button type="submit" { (tr(lang, "imports-run", &[("ready", sum.ready.to_string())])) }
                        } @else {
                            input type="hidden" name="valid_only" value="1";
                            button type="submit" { (tr(lang, "imports-run-valid", &[("ready", sum.ready.to_string()), ("invalid", sum.invalid.to_string())])) }
                        }
                    }
                }
            },
            Stage::Done(sum, o) => {
                p role="status" { strong { (tr(lang, "imports-done", &[("applied", o.applied.to_string()), ("already", o.already.to_string()), ("quarantined", o.quarantined.to_string())])) } }
                @if o.quarantined > 0 { p { a href="/submissions" { (t(lang, "submissions-title")) } } }
                (problems_table(sum))
            },
            Stage::Cancelled => p role="status" { (t(lang, "imports-cancelled")) },
            Stage::Failed(reason) => p.errors role="alert" { (tr(lang, "imports-failed", &[("reason", reason.clone())])) },
        }
        p { a href="/imports" { (t(lang, "imports-title")) } }
    };
    let mut r =
        html_response(StatusCode::OK, page(Page { lang, title: t(lang, "imports-title"), session: Some(&s), here: "/imports" }, body));
    if running {
        r.headers_mut().insert(header::REFRESH, HeaderValue::from_static("2"));
    }
    Ok(r)
}

async fn run(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> PageResult {
    let f = crate::form::FormData::parse(&body);
    let (s, lang) = crate::page::poster(&state, &headers, &f).await?;
    may_import(&s, lang)?;
    let job = job_of(&s, lang, &id)?;
    let valid_only = f.get("valid_only") == "1";
    let check = {
        let mut stage = job.stage.lock().expect("stage lock");
        match &mut *stage {
            Stage::Checked(sum, check) => {
                let check = check.take();
                let sum = sum.clone();
                if check.is_some() {
                    *stage = Stage::Importing(sum);
                }
                check
            }
            _ => None,
        }
    };
    if let Some(check) = check {
        let passage = state.passage.clone();
        tokio::spawn(async move {
            let summary = match &*job.stage.lock().expect("stage lock") {
                Stage::Importing(sum) => sum.clone(),
                _ => return,
            };
            let next = match passage.run_import(&s.actor, check, valid_only, &job.progress).await {
                Ok(o) => Stage::Done(summary, o),
                Err(ServiceError::Operation(_)) => Stage::Cancelled,
                Err(e) => Stage::Failed(e.to_string()),
            };
            *job.stage.lock().expect("stage lock") = next;
        });
    }
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

async fn cancel(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> PageResult {
    let f = crate::form::FormData::parse(&body);
    let (s, lang) = crate::page::poster(&state, &headers, &f).await?;
    may_import(&s, lang)?;
    let job = job_of(&s, lang, &id)?;
    job.progress.cancel.store(true, Ordering::Relaxed);
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}
