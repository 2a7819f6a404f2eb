//! Imports of KoboToolbox and ODK exports (CSV or XLSX) of Passage's field
//! forms. Each row becomes a filled form and goes through the very checks
//! and writes a phone's submission does (`fieldforms`), keyed on its `_uuid`
//! so that importing a file twice, or a form that also came by phone,
//! creates nothing twice.
//!
//! Kobo's export conventions are read as they come: group paths in column
//! names or not, names or labels (English or French) for columns and
//! values, select-multiple as one space-separated column or one 0/1 column
//! per choice, `;` or `,`, UTF-8 with or without a byte-order mark or
//! Latin-1, and dates as ISO or dd/mm/yyyy.
//!
//! Two steps: [`Passage::check_import`] is the dry run — every problem with
//! its row, column, value and a message id — and writes nothing;
//! [`Passage::run_import`] then writes every row in one transaction, so an
//! import is all there or not at all, and cancelling it (or a crash) leaves
//! nothing behind. With `valid_only`, the rows with problems go to the
//! quarantine with their reasons instead of stopping the import.

use crate::access::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::fieldforms::{self, FieldForm, FieldKind, FilledForm, FormShape, Prepared};
use crate::receipts::Receipt;
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_storage::submissions as store;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The largest file accepted: a 100,000-row registration export is about 40 MB.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// The longest value one cell may hold.
pub const MAX_CELL_CHARS: usize = 10_000;

/// One problem of an import, where a person can find it: the row as the
/// spreadsheet numbers it (the header is row 1; 0 is the file as a whole),
/// the column as its header says, the value (shortened), and a message id
/// with its arguments, shown in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub row: usize,
    pub column: Option<String>,
    pub value: Option<String>,
    pub code: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

impl ImportProblem {
    fn new(row: usize, column: Option<&str>, value: Option<&str>, code: &str) -> ImportProblem {
        use crate::error::shortened;
        ImportProblem { row, column: column.map(shortened), value: value.map(shortened), code: code.to_string(), args: BTreeMap::new() }
    }
    fn with(mut self, k: &str, v: impl ToString) -> ImportProblem {
        self.args.insert(k.to_string(), v.to_string());
        self
    }
}

/// How far an import has gone, shared with whoever shows it (a progress
/// bar, a page that reloads) and with whoever may cancel it.
#[derive(Debug, Default)]
pub struct ImportProgress {
    pub done: AtomicUsize,
    pub total: AtomicUsize,
    pub cancel: AtomicBool,
}

impl ImportProgress {
    fn set(&self, done: usize, total: usize) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

enum RowPlan {
    Ready(Box<Prepared>),
    Already,
    Invalid { problems: Vec<fieldforms::Problem>, place: fieldforms::Placement },
}

struct PlannedRow {
    filled: FilledForm,
    plan: RowPlan,
}

/// The dry run of an import: counts, every problem, and (kept for the
/// import itself) each row checked.
pub struct ImportCheck {
    pub form_id: &'static str,
    pub file_name: String,
    pub rows: usize,
    /// Rows that will be saved.
    pub ready: usize,
    /// Rows imported (or received by phone) before: skipped.
    pub already: usize,
    /// Rows with problems.
    pub invalid: usize,
    pub problems: Vec<ImportProblem>,
    /// A problem with the file as a whole: nothing of it can be imported.
    pub fatal: bool,
    planned: Vec<PlannedRow>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub applied: usize,
    pub already: usize,
    pub quarantined: usize,
}

/// How a column of the file is read.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    /// Kobo's `_uuid`: the key.
    Uuid,
    /// `meta/instanceID` (`uuid:…`), the key when there is no `_uuid`.
    InstanceId,
    Field(String),
    /// One choice of a select-multiple, as a 0/1 column.
    Choice(String, String),
    /// Kobo's own columns (`_index`, `_submission_time`, `start`…): not data of the form.
    Ignored,
}

/// Kobo's and ODK's own columns, by their last segment.
const SYSTEM_COLUMNS: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "instanceName",
    "deprecatedID",
    "rootUuid",
    "__version__",
    "formhub/uuid",
    "KEY",
    "SubmissionDate",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
];

fn fold(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').to_lowercase()
}

/// Map each header to how it is read; problems for unknown, ambiguous and
/// duplicated columns.
fn read_header(shape: &FormShape, header: &[String]) -> (Vec<Column>, Vec<ImportProblem>) {
    let mut problems = Vec::new();
    let field_by = |h: &str| -> Result<Option<String>, ()> {
        let h = h.trim().trim_start_matches('\u{feff}');
        if let Some(f) = shape.fields.iter().find(|f| f.path == h) {
            return Ok(Some(f.path.clone()));
        }
        // Group paths in the export, or none, or a deeper prefix than ours.
        let last = h.rsplit('/').next().unwrap_or(h);
        let by_name: Vec<&str> = shape
            .fields
            .iter()
            .filter(|f| h.ends_with(&format!("/{}", f.path)) || f.path.rsplit('/').next() == Some(last) && !h.contains('/'))
            .map(|f| f.path.as_str())
            .collect();
        match by_name.len() {
            1 => return Ok(Some(by_name[0].to_string())),
            0 => {}
            _ => return Err(()),
        }
        let by_label: Vec<&str> =
            shape.fields.iter().filter(|f| f.labels.iter().any(|l| fold(l) == fold(h))).map(|f| f.path.as_str()).collect();
        match by_label.len() {
            0 => Ok(None),
            1 => Ok(Some(by_label[0].to_string())),
            _ => Err(()),
        }
    };
    let mut columns = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().trim_start_matches('\u{feff}');
        let last = name.rsplit('/').next().unwrap_or(name);
        let column = if name == "_uuid" {
            Column::Uuid
        } else if name == "meta/instanceID" || name == "instanceID" {
            Column::InstanceId
        } else if name.is_empty() && i + 1 == header.len() {
            // A trailing separator on the header line.
            Column::Ignored
        } else if last.starts_with('_') || SYSTEM_COLUMNS.contains(&last) || SYSTEM_COLUMNS.contains(&name) {
            Column::Ignored
        } else {
            match field_by(name) {
                Ok(Some(path)) => Column::Field(path),
                Err(()) => {
                    problems.push(ImportProblem::new(0, Some(name), None, "err-import-column-ambiguous"));
                    Column::Ignored
                }
                Ok(None) => match split_choice(shape, name, &field_by) {
                    Some(c) => c,
                    None => {
                        problems.push(ImportProblem::new(0, Some(name), None, "err-import-column-unknown"));
                        Column::Ignored
                    }
                },
            }
        };
        let key = match &column {
            Column::Uuid => Some("_uuid".to_string()),
            Column::InstanceId => Some("meta/instanceID".to_string()),
            Column::Field(p) => Some(p.clone()),
            Column::Choice(p, c) => Some(format!("{p}/{c}")),
            Column::Ignored => None,
        };
        if let Some(k) = key {
            if let Some(first) = seen.insert(k, name.to_string()) {
                problems.push(ImportProblem::new(0, Some(name), None, "err-import-column-twice").with("other", first));
            }
        }
        columns.push(column);
    }
    // One column only: the file is separated by something else (a pipe, a tab in a CSV…).
    if header.len() == 1 && !problems.is_empty() {
        return (columns, vec![ImportProblem::new(0, None, None, "err-import-one-column")]);
    }
    if !columns.iter().any(|c| matches!(c, Column::Uuid | Column::InstanceId)) {
        problems.push(ImportProblem::new(0, None, None, "err-import-no-uuid"));
    }
    (columns, problems)
}

/// `findings/victim_of_trafficking` (or by labels): one choice of a select-multiple.
fn split_choice(shape: &FormShape, name: &str, field_by: &dyn Fn(&str) -> Result<Option<String>, ()>) -> Option<Column> {
    let (head, choice) = name.rsplit_once('/')?;
    let path = field_by(head).ok()??;
    let FieldKind::Many(list) = &shape.field(&path)?.kind else { return None };
    let items = shape.choices.get(list)?;
    let found = items.iter().find(|(n, labels)| n == choice || labels.iter().any(|l| fold(l) == fold(choice)))?;
    Some(Column::Choice(path, found.0.clone()))
}

/// A choice's name from its name or any of its labels.
fn choice_name(shape: &FormShape, list: &str, value: &str) -> Option<String> {
    let items = shape.choices.get(list)?;
    items.iter().find(|(n, labels)| n == value || labels.iter().any(|l| fold(l) == fold(value))).map(|(n, _)| n.clone())
}

/// ISO from `yyyy-mm-dd`, `yyyy-mm-ddTHH:MM…` or `dd/mm/yyyy` (the field's
/// way of writing dates; never mm/dd); anything else is left for the
/// use case to refuse with its own message.
fn iso_date(v: &str) -> String {
    let v = v.trim();
    if let Some((d, _)) = v.split_once('T') {
        if CalendarDate::parse("d", d).is_ok() {
            return d.to_string();
        }
    }
    let parts: Vec<&str> = v.split(['/', '.']).collect();
    if parts.len() == 3 && parts[2].len() == 4 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        return format!("{}-{:0>2}-{:0>2}", parts[2], parts[1], parts[0]);
    }
    v.to_string()
}

/// A value a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM`,
/// `+cmd|…`): refused, so it never reaches an export. A phone number's `+`
/// and a negative number's `-` are data.
fn looks_like_formula(v: &str) -> bool {
    match v.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !v[1..].chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '.'),
        _ => false,
    }
}

/// A cell of a select-multiple's 0/1 column.
fn truthy(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "1.0" | "true" | "yes" | "oui" | "x" => Some(true),
        "0" | "0.0" | "false" | "no" | "non" | "" => Some(false),
        _ => None,
    }
}

/// A row read into a filled form: its row number, the form, the problems
/// reading it found, and for each field the column and cell it came from.
type ReadRow = (usize, FilledForm, Vec<ImportProblem>, BTreeMap<String, (String, String)>);

/// The table in the file: its header and its rows with their row numbers.
type Table = (Vec<String>, Vec<(usize, Vec<String>)>);

fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, ImportProblem> {
    let whole = |code: &str| ImportProblem::new(0, None, None, code);
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(whole("err-import-too-large").with("max", MAX_IMPORT_BYTES / 1024 / 1024));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(whole("err-import-empty"));
    }
    if bytes.starts_with(b"PK\x03\x04") || file_name.to_lowercase().ends_with(".xlsx") {
        return read_xlsx(bytes);
    }
    let text = crate::tables::decode(bytes).map_err(|reason| whole("err-import-unreadable").with("reason", reason))?;
    let first = text.lines().find(|l| !l.trim().is_empty()).ok_or_else(|| whole("err-import-empty"))?;
    let delimiter = crate::tables::guess_delimiter(first);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut row_number = 0;
    for r in reader.records() {
        row_number += 1;
        let r = r.map_err(|e| ImportProblem::new(row_number, None, None, "err-import-unreadable").with("reason", e.to_string()))?;
        let cells: Vec<String> = r.iter().map(str::to_string).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match &header {
            None => header = Some(cells),
            Some(h) => {
                if cells.len() != h.len() && !(cells.len() == h.len() + 1 && cells.last().is_some_and(|c| c.is_empty())) {
                    return Err(ImportProblem::new(row_number, None, None, "err-import-ragged")
                        .with("cells", cells.len())
                        .with("columns", h.len()));
                }
                rows.push((row_number, cells));
            }
        }
    }
    let header = header.ok_or_else(|| whole("err-import-empty"))?;
    Ok((header, rows))
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportProblem> {
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| ImportProblem::new(0, None, None, "err-import-unreadable").with("reason", e.to_string()))?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportProblem::new(0, None, None, "err-import-empty"))?
        .map_err(|e| ImportProblem::new(0, None, None, "err-import-unreadable").with("reason", e.to_string()))?;
    let cell = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            // Spreadsheet days since 1899-12-30, as a date.
            Data::DateTime(d) => {
                CalendarDate::from_ymd(1899, 12, 30).map(|base| base.add_days(d.as_f64().floor() as i64).to_string()).unwrap_or_default()
            }
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let start_row = sheet.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, r) in sheet.rows().enumerate() {
        let cells: Vec<String> = r.iter().map(cell).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row_number = start_row + i + 1;
        match &header {
            None => header = Some(cells.into_iter().map(|c| c.trim().to_string()).collect()),
            Some(_) => rows.push((row_number, cells)),
        }
    }
    let mut header = header.ok_or_else(|| ImportProblem::new(0, None, None, "err-import-empty"))?;
    while header.last().is_some_and(|h| h.is_empty()) {
        header.pop();
    }
    Ok((header, rows))
}

impl Passage {
    /// The dry run: read the file, check every row as its use case would,
    /// write nothing.
    pub async fn check_import(
        &self,
        actor: &Actor,
        form_id: &str,
        file_name: &str,
        bytes: &[u8],
        progress: &ImportProgress,
    ) -> ServiceResult<ImportCheck> {
        let form: &'static FieldForm = fieldforms::form(form_id).ok_or_else(|| {
            passage_domain::FieldError::new("form", "err-submission-unknown-form")
                .with("value", form_id.chars().take(60).collect::<String>())
        })?;
        if !actor.rights().can_somewhere(form.needs) {
            return Err(ServiceError::Forbidden("import this form"));
        }
        let mut check = ImportCheck {
            form_id: form.id,
            file_name: file_name.to_string(),
            rows: 0,
            ready: 0,
            already: 0,
            invalid: 0,
            problems: Vec::new(),
            fatal: false,
            planned: Vec::new(),
        };
        let (header, rows) = match read_table(file_name, bytes) {
            Ok(t) => t,
            Err(p) => {
                check.problems.push(p);
                check.fatal = true;
                return Ok(check);
            }
        };
        let shape = form.shape();
        let (columns, problems) = read_header(shape, &header);
        if !problems.is_empty() {
            check.problems = problems;
            check.fatal = true;
            return Ok(check);
        }
        if rows.is_empty() {
            check.problems.push(ImportProblem::new(0, None, None, "err-import-no-rows"));
            check.fatal = true;
            return Ok(check);
        }
        check.rows = rows.len();
        progress.set(0, rows.len());
        // Each row as a filled form, and where its values came from.
        let mut filled_rows: Vec<ReadRow> = Vec::new();
        let mut keys_seen: HashMap<String, usize> = HashMap::new();
        for (row, cells) in &rows {
            let mut values: BTreeMap<String, String> = shape.fields.iter().map(|f| (f.path.clone(), String::new())).collect();
            let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
            let mut problems = Vec::new();
            let mut key = String::new();
            let mut chosen: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for ((column, h), raw) in columns.iter().zip(&header).zip(cells) {
                let h = h.trim().trim_start_matches('\u{feff}');
                if raw.chars().count() > MAX_CELL_CHARS {
                    problems.push(ImportProblem::new(*row, Some(h), Some(raw), "err-import-too-long").with("max", MAX_CELL_CHARS));
                    continue;
                }
                let v = raw.trim();
                match column {
                    Column::Ignored => {}
                    Column::Uuid if !v.is_empty() => key = if v.starts_with("uuid:") { v.to_string() } else { format!("uuid:{v}") },
                    Column::InstanceId if key.is_empty() => key = v.to_string(),
                    Column::Uuid | Column::InstanceId => {}
                    Column::Field(path) => {
                        if looks_like_formula(v) {
                            problems.push(ImportProblem::new(*row, Some(h), Some(v), "err-import-formula"));
                            continue;
                        }
                        let value = match &shape.field(path).map(|f| &f.kind) {
                            Some(FieldKind::Date) => iso_date(v),
                            Some(FieldKind::Number) => fieldforms::whole(v),
                            Some(FieldKind::One(list)) => choice_name(shape, list, v).unwrap_or_else(|| v.to_string()),
                            Some(FieldKind::Many(list)) => many(shape, list, v),
                            _ => v.to_string(),
                        };
                        values.insert(path.clone(), value);
                        sources.insert(path.clone(), (h.to_string(), v.to_string()));
                    }
                    Column::Choice(path, name) => match truthy(v) {
                        Some(true) => chosen.entry(path.clone()).or_default().push(name.clone()),
                        Some(false) => {}
                        None => problems.push(ImportProblem::new(*row, Some(h), Some(v), "err-import-not-0-1")),
                    },
                }
            }
            // Kobo exports a select-multiple both ways at once: the union.
            for (path, names) in chosen {
                let mut all: Vec<String> =
                    values.get(&path).map(|v| v.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
                for n in names {
                    if !all.contains(&n) {
                        all.push(n);
                    }
                }
                values.insert(path.clone(), all.join(" "));
                sources.entry(path.clone()).or_insert_with(|| (path.clone(), values[&path].clone()));
            }
            if key.is_empty() || key.len() > 100 || !key.chars().all(|c| c.is_ascii_alphanumeric() || "-:._".contains(c)) {
                problems.push(ImportProblem::new(*row, Some("_uuid"), Some(&key), "err-import-no-uuid"));
            } else if let Some(first) = keys_seen.insert(key.clone(), *row) {
                problems.push(ImportProblem::new(*row, Some("_uuid"), Some(&key), "err-import-row-twice").with("other", first));
            }
            values.insert("meta/instanceID".into(), key.clone());
            let filled = FilledForm { form_id: form.id.to_string(), version: form.version().to_string(), instance_id: key, values };
            filled_rows.push((*row, filled, problems, sources));
        }
        let mut c = self.db.reader().acquire().await?;
        let keys: Vec<String> = filled_rows.iter().map(|(_, f, _, _)| f.instance_id.clone()).filter(|k| !k.is_empty()).collect();
        let before: HashSet<String> = store::existing(&mut c, &keys).await?;
        drop(c);
        for (i, (row, filled, problems, sources)) in filled_rows.into_iter().enumerate() {
            if progress.cancelled() {
                return Err(ServiceError::Operation("the check was cancelled".into()));
            }
            progress.set(i + 1, check.rows);
            if !problems.is_empty() {
                check.invalid += 1;
                let kept: Vec<fieldforms::Problem> = problems
                    .iter()
                    .map(|p| fieldforms::Problem {
                        field: p.column.clone().unwrap_or_default(),
                        code: p.code.clone(),
                        args: p.args.clone(),
                    })
                    .collect();
                check.problems.extend(problems);
                let place = self.placement(actor, form, &filled).await?;
                check.planned.push(PlannedRow { filled, plan: RowPlan::Invalid { problems: kept, place } });
                continue;
            }
            if before.contains(&filled.instance_id) {
                check.already += 1;
                check.planned.push(PlannedRow { filled, plan: RowPlan::Already });
                continue;
            }
            match self.prepare(actor, form, &filled).await {
                Ok(p) => {
                    check.ready += 1;
                    check.planned.push(PlannedRow { filled, plan: RowPlan::Ready(Box::new(p)) });
                }
                Err(ServiceError::Invalid(inv)) => {
                    check.invalid += 1;
                    let problems = fieldforms::problems_of(form.id, &inv);
                    for p in &problems {
                        let (column, value) = sources.get(&p.field).cloned().map_or((p.field.clone(), String::new()), |(h, v)| (h, v));
                        let mut ip = ImportProblem::new(row, Some(&column), Some(&value), &p.code);
                        ip.args = p.args.clone();
                        check.problems.push(ip);
                    }
                    let place = self.placement(actor, form, &filled).await?;
                    check.planned.push(PlannedRow { filled, plan: RowPlan::Invalid { problems, place } });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(check)
    }

    /// Write a checked import: every row in one transaction. Without
    /// `valid_only`, a file with any problem is not imported at all; with
    /// it, its rows with problems go to the quarantine with their reasons.
    pub async fn run_import(
        &self,
        actor: &Actor,
        check: ImportCheck,
        valid_only: bool,
        progress: &ImportProgress,
    ) -> ServiceResult<ImportOutcome> {
        if check.fatal {
            return Err(ServiceError::Conflict("the file itself has problems: nothing of it can be imported"));
        }
        if check.invalid > 0 && !valid_only {
            return Err(ServiceError::Conflict("some rows have problems: correct them, or import only the valid rows"));
        }
        let form = fieldforms::form(check.form_id).ok_or(ServiceError::NotFound)?;
        let mut outcome = ImportOutcome { applied: 0, already: check.already, quarantined: 0 };
        let total = check.planned.len();
        progress.set(0, total);
        let now = Timestamp::now();
        let version = form.version();
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        const CONFLICT: &str =
            "a row of this file was received meanwhile (another import, or a phone): nothing was imported; check the file again";
        // Registrations go in batches, a table at a time (the import's bulk); other forms row by row.
        let mut batch: Vec<(crate::registry::PreparedRegistration, String, String)> = Vec::new();
        let rows_total = check.planned.len();
        for (i, row) in check.planned.into_iter().enumerate() {
            if progress.cancelled() {
                // Dropping the transaction rolls every row back.
                return Err(ServiceError::Operation("the import was cancelled; nothing was imported".into()));
            }
            // A row's XML is kept only while it waits in quarantine; an
            // applied row keeps no payload, and so no digest of one.
            let (xml, sha) = match &row.plan {
                RowPlan::Invalid { .. } => {
                    let xml = row.filled.to_xml();
                    let sha = fieldforms::sha256_hex(xml.as_bytes());
                    (xml, sha)
                }
                _ => (String::new(), String::new()),
            };
            let receipt =
                store::NewSubmission { id: &row.filled.instance_id, payload_sha256: &sha, ..receipt_template(form, version, actor, now) };
            match row.plan {
                RowPlan::Already => {}
                RowPlan::Ready(prepared) => match *prepared {
                    Prepared::Registration(p) => batch.push((p, row.filled.instance_id.clone(), sha.clone())),
                    other => match self.write(&mut tx, actor, other, &Receipt::First(receipt), &mut trail).await {
                        Ok(_) => outcome.applied += 1,
                        Err(ServiceError::Conflict(_)) => return Err(ServiceError::Conflict(CONFLICT)),
                        Err(e) => return Err(e),
                    },
                },
                RowPlan::Invalid { problems, place } => {
                    let text = serde_json::to_string(&problems).expect("problems serialise");
                    let q = store::NewSubmission {
                        status: "quarantined",
                        problems: &text,
                        payload: &xml,
                        office_id: place.office,
                        restricted: place.restricted,
                        ..receipt
                    };
                    if !store::insert(&mut tx, &self.keys, &q).await? {
                        return Err(ServiceError::Conflict(CONFLICT));
                    }
                    outcome.quarantined += 1;
                }
            }
            if batch.len() >= 500 || (i + 1 == rows_total && !batch.is_empty()) {
                let (preps, keys): (Vec<_>, Vec<_>) = std::mem::take(&mut batch).into_iter().map(|(p, id, sha)| (p, (id, sha))).unzip();
                let receipts: Vec<Receipt<'_>> = keys
                    .iter()
                    .map(|(id, sha)| {
                        Receipt::First(store::NewSubmission { id, payload_sha256: sha, ..receipt_template(form, version, actor, now) })
                    })
                    .collect();
                let n = preps.len();
                let work: Vec<_> = preps.into_iter().zip(receipts.iter()).map(|(p, r)| (p, Some(r))).collect();
                match self.write_registrations(&mut tx, actor, work, &mut trail).await {
                    Ok(_) => outcome.applied += n,
                    Err(ServiceError::Conflict(_)) => return Err(ServiceError::Conflict(CONFLICT)),
                    Err(e) => return Err(e),
                }
                progress.set(i + 1, total);
                // The audit entries of the last rows, many per statement.
                trail.write(&mut tx).await?;
            } else if i % 256 == 0 {
                progress.set(i, total);
                trail.write(&mut tx).await?;
            }
        }
        let changes = json!({"form": [null, form.id], "applied": [null, outcome.applied], "already": [null, outcome.already], "quarantined": [null, outcome.quarantined]});
        trail.add(Some(actor), "import.kobo", format!("import:{}", form.id), None, changes);
        trail.write(&mut tx).await?;
        progress.set(total, total);
        tx.commit().await?;
        tracing::info!(target: "passage::import", form = form.id, applied = outcome.applied, quarantined = outcome.quarantined, "import done");
        Ok(outcome)
    }
}

/// The receipt every imported row starts from.
fn receipt_template<'a>(form: &'a FieldForm, version: &'a str, actor: &Actor, now: Timestamp) -> store::NewSubmission<'a> {
    store::NewSubmission {
        id: "",
        form_id: form.id,
        form_version: version,
        source: "kobo_import",
        submitted_by: actor.id,
        received_at: now,
        payload_sha256: "",
        payload: "",
        status: "applied",
        problems: "[]",
        office_id: None,
        restricted: false,
        record_ref: None,
    }
}

/// A select-multiple's value: names as they are, or labels separated by
/// `;` or `,` (Kobo's labels export) turned into names.
fn many(shape: &FormShape, list: &str, v: &str) -> String {
    let names: Vec<&str> = v.split_whitespace().collect();
    if names.iter().all(|n| choice_name(shape, list, n).as_deref() == Some(n)) {
        return names.join(" ");
    }
    let parts: Vec<&str> = v.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let mapped: Vec<String> = parts.iter().map(|p| choice_name(shape, list, p).unwrap_or_else(|| p.replace(' ', "_"))).collect();
    mapped.join(" ")
}

/// An export of the registration form as KoboToolbox writes it (group
/// paths, select-multiple both as one column and split into 0/1 columns,
/// Kobo's own columns), with synthetic persons registered in `office`: to
/// try the import with, and for its tests and benchmark.
pub fn example_registration_export(rows: usize, seed: u64, office: &str) -> String {
    use crate::synthetic::{family_names, given_names, Rng};
    const NATIONALITIES: &[&str] = &["GIN", "MLI", "SEN", "CIV", "NGA", "GMB", "BFA", "CMR", "NER", "SDN"];
    const FINDINGS: &[&str] = &[
        "victim_of_trafficking",
        "unaccompanied_child",
        "separated_child",
        "serious_medical_condition",
        "disability",
        "gbv_survivor",
        "pregnant_or_lactating",
        "older_person",
        "mental_health_need",
        "stranded_without_means",
    ];
    let mut rng = Rng::new(seed);
    let mut header: Vec<String> = ["start", "end", "consent/registration_consent", "consent/consent_method", "consent/follow_up_consent"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for f in [
        "given_name",
        "family_name",
        "sex",
        "birth_date_precision",
        "birth_date",
        "birth_year",
        "nationality",
        "nationality_other",
        "phone",
        "document_kind",
        "document_number",
    ] {
        header.push(format!("person/{f}"));
    }
    header.extend(["case/office", "case/case_kind", "screening/screened_on", "screening/findings"].map(String::from));
    header.extend(FINDINGS.iter().map(|f| format!("screening/findings/{f}")));
    header.extend(
        [
            "screening/exploitation",
            "screening/notes",
            "meta/instanceID",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ]
        .map(String::from),
    );
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(&header);
    let today = CalendarDate::today();
    for i in 0..rows {
        let nat = *rng.pick(NATIONALITIES);
        let female = rng.chance(0.3);
        let given = rng.pick(given_names(nat, female)).to_string();
        let family = rng.pick(family_names(nat)).to_string();
        let age = 12 + rng.below(45) as i64;
        let born = today.add_days(-(age * 365 + rng.below(365) as i64));
        let (precision, birth_date, birth_year) = match rng.below(10) {
            0..=5 => ("exact", born.to_string(), String::new()),
            6..=8 => ("year", String::new(), born.to_string()[..4].to_string()),
            _ => ("unknown", String::new(), String::new()),
        };
        let mut findings: Vec<&str> = Vec::new();
        if age < 18 && rng.chance(0.5) {
            findings.push("unaccompanied_child");
        }
        for f in ["serious_medical_condition", "stranded_without_means", "victim_of_trafficking", "disability"] {
            if rng.chance(0.12) {
                findings.push(f);
            }
        }
        let exploitation = if findings.contains(&"victim_of_trafficking") { "labour" } else { "" };
        let screened = today.add_days(-(rng.below(300) as i64));
        let uuid = rng.uuid_at(Timestamp::now());
        let mut record: Vec<String> = vec![
            format!("{screened}T08:00:00.000+01:00"),
            format!("{screened}T08:20:00.000+01:00"),
            "yes".into(),
            rng.pick(&["verbal", "written", "thumbprint"]).to_string(),
            if rng.chance(0.8) { "yes" } else { "no" }.into(),
            given,
            family,
            if female { "female" } else { "male" }.into(),
            precision.into(),
            birth_date,
            birth_year,
            nat.into(),
            String::new(),
            if rng.chance(0.6) { format!("+{} {:08}", 200 + rng.below(50), rng.below(100_000_000)) } else { String::new() },
            String::new(),
            String::new(),
            office.into(),
            if findings.contains(&"victim_of_trafficking") { "trafficking_victim_assistance" } else { "transit_protection" }.into(),
            screened.to_string(),
            findings.join(" "),
        ];
        record.extend(FINDINGS.iter().map(|f| if findings.contains(f) { "1" } else { "0" }.to_string()));
        record.extend([
            exploitation.to_string(),
            String::new(),
            format!("uuid:{uuid}"),
            (100_000 + i).to_string(),
            uuid.to_string(),
            format!("{screened}T09:00:00"),
            String::new(),
            String::new(),
            "submitted_via_web".into(),
            "agadez".into(),
            "vXkq3a".into(),
            String::new(),
            (i + 1).to_string(),
        ]);
        let _ = w.write_record(&record);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kobo_headers_are_read_with_or_without_groups_and_by_label() {
        let shape = fieldforms::form(fieldforms::REGISTRATION).unwrap().shape();
        let header: Vec<String> = [
            "_uuid",
            "person/given_name",
            "family_name",
            "Sexe",
            "screening/findings/victim_of_trafficking",
            "_index",
            "start",
            "meta/instanceID",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (cols, problems) = read_header(shape, &header);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cols[1], Column::Field("person/given_name".into()));
        assert_eq!(cols[2], Column::Field("person/family_name".into()));
        assert_eq!(cols[3], Column::Field("person/sex".into()));
        assert_eq!(cols[4], Column::Choice("screening/findings".into(), "victim_of_trafficking".into()));
        assert_eq!(cols[5], Column::Ignored);
        let (_, problems) = read_header(shape, &["given_name".into(), "person/given_name".into(), "shoe_size".into()]);
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["err-import-column-twice", "err-import-column-unknown", "err-import-no-uuid"]);
    }

    #[test]
    fn values_are_read_as_the_field_writes_them() {
        assert_eq!(iso_date("14/03/2009"), "2009-03-14");
        assert_eq!(iso_date("4/3/2009"), "2009-03-04");
        assert_eq!(iso_date("2009-03-14T10:00:00.000+01:00"), "2009-03-14");
        assert_eq!(iso_date("March 2009"), "March 2009");
        let shape = fieldforms::form(fieldforms::REGISTRATION).unwrap().shape();
        assert_eq!(choice_name(shape, "sex", "Féminin").as_deref(), Some("female"));
        assert_eq!(many(shape, "vulnerability", "victim_of_trafficking disability"), "victim_of_trafficking disability");
        assert!(
            looks_like_formula("=HYPERLINK(\"http://x\")") && looks_like_formula("+cmd|' /C calc'!A0") && looks_like_formula("@SUM(A1)")
        );
        assert!(!looks_like_formula("+224 600 00 00 01") && !looks_like_formula("-12") && !looks_like_formula("Diallo"));
    }
}
