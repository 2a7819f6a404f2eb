//! Appeal budgets from a file: read the table the way people actually have it
//! — the shipped CSV, or an appeal pasted from a PDF into a spreadsheet and
//! saved with `;` separators, thousands grouped by spaces and `-` for nothing
//! planned — check every row, and store it whole or not at all. Every problem
//! in the file is reported at once, with its line, column, value and what to
//! change, so a data officer fixes the file in one pass.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{FileProblem, ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::budget::{BudgetCategory, BudgetRow, BudgetTable, Usd};
use passage_domain::codes::CountryCode;
use passage_domain::date::Timestamp;
use passage_domain::FieldError;
use passage_storage::budgets::{self as store, BudgetRecord, NewBudget};
use serde_json::json;

/// An appeal table is a few kilobytes; anything this large is the wrong file.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// What a budget belongs to: a programme (by code) and the year it plans.
#[derive(Debug, Clone, Copy, Default)]
pub struct BudgetOf<'a> {
    pub programme: Option<&'a str>,
    pub year: Option<i64>,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct BudgetImport {
    pub code: String,
    pub rows: usize,
    pub total: Usd,
    /// An earlier import of the same code was replaced.
    pub replaced: bool,
}

impl Passage {
    /// Import an appeal table as budget `code`, replacing an earlier import of
    /// the same code. Nothing is written unless the whole file is valid. The
    /// command line passes no actor; on the web, budgets are an administrator's.
    pub async fn import_budget(
        &self,
        actor: Option<&Actor>,
        code: &str,
        title: &str,
        belongs: BudgetOf<'_>,
        file: &[u8],
    ) -> ServiceResult<BudgetImport> {
        if let Some(a) = actor {
            access::require(a, Action::ManageOffices)?;
        }
        let mut inv = passage_domain::Invalid::default();
        let code = inv.take(parse_budget_code(code));
        let title = inv.take(passage_domain::text::required("title", title, 200, false));
        if belongs.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
            inv.push(FieldError::new("year", "err-budget-year"));
        }
        let mut c = self.db.reader().acquire().await?;
        let programme = match belongs.programme.map(|p| p.trim().to_ascii_uppercase()) {
            Some(p) if passage_storage::figures::programme_exists(&mut c, &p).await? => Some(p),
            Some(p) => {
                inv.push(FieldError::new("programme", "err-unknown-programme").with("value", p.chars().take(40).collect::<String>()));
                None
            }
            None => None,
        };
        drop(c);
        inv.into_result()?;
        let (code, title) = (code.expect("checked"), title.expect("checked"));
        let table = read_appeal(file).map_err(ServiceError::File)?;
        let mut tx = self.db.begin().await?;
        let country_offices = store::country_offices(&mut tx).await?;
        let offices: Vec<_> = table.rows.iter().map(|r| r.country.and_then(|c| country_offices.get(&c).copied())).collect();
        let new = NewBudget {
            code: &code,
            title: &title,
            table: &table,
            offices: &offices,
            programme_code: programme.as_deref(),
            year: belongs.year,
            by: actor.map(|a| a.id),
        };
        let (id, replaced) = store::replace_budget(&mut tx, &new, Timestamp::now()).await?;
        let changes = json!({
            "code": [null, code],
            "rows": [null, table.rows.len()],
            "total_usd": [null, table.grand_total().0],
            "replaced": [null, replaced],
        });
        audit::record(&mut tx, actor, "budget.import", format!("budget:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(BudgetImport { code, rows: table.rows.len(), total: table.grand_total(), replaced })
    }

    /// Every budget, newest first. Budgets are figures, not persons.
    pub async fn budgets(&self, actor: Option<&Actor>) -> ServiceResult<Vec<BudgetRecord>> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.reader().acquire().await?;
        Ok(store::budgets(&mut c).await?)
    }

    /// One budget's table: by code, or the only/newest one when `code` is `None`.
    pub async fn budget(&self, actor: Option<&Actor>, code: Option<&str>) -> ServiceResult<(BudgetRecord, BudgetTable)> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.reader().acquire().await?;
        let code = match code {
            Some(c) => c.trim().to_ascii_uppercase(),
            None => match store::budgets(&mut c).await?.into_iter().next() {
                Some(b) => b.code,
                None => return Err(ServiceError::NotFound),
            },
        };
        store::get_budget(&mut c, &code).await?.ok_or(ServiceError::NotFound)
    }
}

/// A budget's code: what `--budget` names it by. Letters, digits and hyphens.
pub fn parse_budget_code(s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_ascii_uppercase();
    if (2..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(s)
    } else {
        Err(FieldError::new("code", "err-budget-code").with("value", s.chars().take(40).collect::<String>()))
    }
}

/// A budget code from a file name: `wca-2020-appeal-budget.csv` → `WCA-2020-APPEAL-BUDGET`.
pub fn code_from_file_name(name: &str) -> String {
    let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let code: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '-' }).take(40).collect();
    let code = code.trim_matches('-').to_string();
    if code.len() < 2 {
        "BUDGET".into()
    } else {
        code
    }
}

/// HXL hashtags for the budget table's columns, in the order of [`budget_csv`]:
/// the funding an appeal requires, in US dollars, per heading.
pub fn hxl_tags() -> Vec<String> {
    let mut tags = vec!["#org+name".to_string(), "#country+code".to_string()];
    tags.extend(BudgetCategory::ALL.iter().map(|c| format!("#value+funding+required+usd+{}", c.short().to_ascii_lowercase())));
    tags.push("#value+funding+required+usd+total".into());
    tags
}

/// The table as CSV, in the import format (so an export re-imports as is):
/// offices as rows, the six headings and the total as columns, a totals row.
/// Empty cells are "nothing planned". With `hxl`, a hashtag row follows the header.
pub fn budget_csv(table: &BudgetTable, hxl: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["office".to_string(), "iso3".to_string()];
    // The heading codes with their short label upper-cased, as the shipped file has them.
    header.extend(BudgetCategory::ALL.iter().map(|c| format!("{}{}", c.short(), &c.as_str()[2..])));
    header.push("total".into());
    let cell = |u: Option<Usd>| u.map(|u| u.0.to_string()).unwrap_or_default();
    let mut rows = vec![header];
    if hxl {
        rows.push(hxl_tags());
    }
    for r in &table.rows {
        let mut row =
            vec![passage_domain::text::spreadsheet_safe(&r.office).into_owned(), r.country.map(|c| c.to_string()).unwrap_or_default()];
        row.extend(r.cells.iter().map(|c| cell(*c)));
        row.push(r.total().0.to_string());
        rows.push(row);
    }
    let mut totals = vec!["Total".to_string(), String::new()];
    totals.extend(table.column_totals().iter().map(|t| t.0.to_string()));
    totals.push(table.grand_total().0.to_string());
    rows.push(totals);
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The table for a terminal: aligned columns, thousands grouped, `-` for
/// nothing planned, a totals row.
pub fn budget_text(table: &BudgetTable) -> String {
    let mut header = vec!["Office".to_string(), "ISO3".to_string()];
    header.extend(BudgetCategory::ALL.iter().map(|c| c.short().to_string()));
    header.push("Total".into());
    let mut rows = vec![header];
    for r in &table.rows {
        let mut row = vec![r.office.clone(), r.country.map(|c| c.to_string()).unwrap_or_default()];
        row.extend(r.cells.iter().map(|c| c.map_or("-".to_string(), |u| u.to_string())));
        row.push(r.total().to_string());
        rows.push(row);
    }
    let mut totals = vec!["Total".to_string(), String::new()];
    totals.extend(table.column_totals().iter().map(|t| t.to_string()));
    totals.push(table.grand_total().to_string());
    rows.push(totals);
    let widths: Vec<usize> = (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    let last = rows.len() - 1;
    for (n, r) in rows.iter().enumerate() {
        if n == last {
            out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
            out.push('\n');
        }
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| if i < 2 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Office,
    Iso3,
    Category(BudgetCategory),
    Total,
}

fn problem(line: usize, column: Option<&str>, value: Option<&str>, reason: impl Into<String>) -> FileProblem {
    FileProblem::new(line, column, value, reason)
}

/// Read an appeal table. `Err` lists every problem found.
pub fn read_appeal(file: &[u8]) -> Result<BudgetTable, Vec<FileProblem>> {
    let text = budget_text_of(file).map_err(|reason| vec![problem(0, None, None, reason)])?;
    let first = text.lines().find(|l| !l.trim().is_empty()).ok_or_else(|| vec![problem(0, None, None, "the file is empty")])?;
    let delimiter = crate::tables::guess_delimiter(first);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut lines = crate::tables::LineCounter::new(&text);
    let mut records = Vec::new();
    for r in reader.records() {
        match r {
            Ok(r) => records.push(r),
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                return Err(vec![problem(line, None, None, format!("the file is not readable as a table: {e}"))]);
            }
        }
    }
    let mut line_of = |r: &csv::StringRecord| r.position().map_or(0, |p| lines.line_at(p.byte()));
    let mut records = records.into_iter().filter(|r| r.iter().any(|f| !f.trim().is_empty()));
    let header = records.next().ok_or_else(|| vec![problem(0, None, None, "the file is empty")])?;
    let columns = read_header(&header, line_of(&header))?;
    // An HXL hashtag row under the header (our own `--hxl` export) is not an office.
    let mut records = records.peekable();
    if records.peek().is_some_and(crate::tables::is_hashtag_row) {
        records.next();
    }
    let mut problems = Vec::new();
    let mut table = BudgetTable::default();
    let mut printed_totals: Option<(usize, Vec<(Column, String)>)> = None;
    let mut seen = std::collections::HashMap::new();
    let header_len = header.len();
    for rec in records {
        let line = line_of(&rec);
        if rec.len() != header_len {
            let hint = if delimiter == b';' || delimiter == b'\t' {
                ""
            } else {
                ": a number written with commas between thousands must be in quotes in a comma-separated file, or save the file with ; separators"
            };
            problems.push(problem(line, None, None, format!("this row has {} cells where the header has {header_len}{hint}", rec.len())));
            continue;
        }
        let get = |col: Column| columns.iter().position(|c| *c == col).map(|i| rec[i].trim().to_string());
        let office = get(Column::Office).unwrap_or_default();
        if is_totals_label(&office) {
            let cells = columns
                .iter()
                .zip(rec.iter())
                .filter(|(c, _)| !matches!(c, Column::Office | Column::Iso3))
                .map(|(c, v)| (*c, v.to_string()))
                .collect();
            printed_totals = Some((line, cells));
            continue;
        }
        let mut row_ok = true;
        if office.is_empty() {
            problems.push(problem(line, Some("office"), None, "the office is missing"));
            row_ok = false;
        } else if office.chars().count() > 120 {
            problems.push(problem(line, Some("office"), Some(&office), "an office name has at most 120 characters"));
            row_ok = false;
        } else if let Some(first) = seen.insert(fold(&office), line) {
            problems.push(problem(line, Some("office"), Some(&office), format!("this office already has a row (line {first})")));
            row_ok = false;
        }
        let country = match get(Column::Iso3).filter(|s| !s.is_empty()) {
            Some(code) => match CountryCode::parse("iso3", &code) {
                Ok(c) => Some(c),
                Err(_) => {
                    problems.push(problem(line, Some("iso3"), Some(&code), "not an ISO 3166-1 alpha-3 country code (such as NER or GIN)"));
                    row_ok = false;
                    None
                }
            },
            // Pasted appeals carry no codes; the office is then usually the
            // country's name. A name that is no country (a regional office)
            // simply has none.
            None => CountryCode::from_name(&office),
        };
        let mut cells = [None; 6];
        for cat in BudgetCategory::ALL {
            let raw = get(Column::Category(*cat)).unwrap_or_default();
            match Usd::parse_cell(&raw) {
                Ok(v) => cells[cat.index()] = v,
                Err(p) => {
                    problems.push(problem(line, Some(cat.short()), Some(&raw), p.reason()));
                    row_ok = false;
                }
            }
        }
        let row = BudgetRow { office, country, cells };
        if let Some(raw) = get(Column::Total) {
            match Usd::parse_cell(&raw) {
                Ok(Some(t)) if row_ok && t != row.total() => problems.push(problem(
                    line,
                    Some("total"),
                    Some(&raw),
                    format!("the row's cells add up to {}, not {t}: correct a cell or the total", row.total()),
                )),
                Ok(None) if row_ok && row.total() != Usd(0) => problems.push(problem(
                    line,
                    Some("total"),
                    Some(&raw),
                    format!("the total is empty but the row's cells add up to {}", row.total()),
                )),
                Ok(_) => {}
                Err(p) => problems.push(problem(line, Some("total"), Some(&raw), p.reason())),
            }
        }
        table.rows.push(row);
    }
    if table.rows.is_empty() && problems.is_empty() {
        problems.push(problem(line_of(&header), None, None, "the file has a header but no office rows"));
    }
    if let Some((line, cells)) = printed_totals {
        if problems.is_empty() {
            for (col, raw) in cells {
                let computed = match col {
                    Column::Category(c) => table.column_total(c),
                    _ => table.grand_total(),
                };
                match Usd::parse_cell(&raw) {
                    Ok(printed) if printed.unwrap_or_default() == computed => {}
                    Ok(_) => problems.push(problem(
                        line,
                        Some(column_name(col)),
                        Some(&raw),
                        format!("the rows add up to {computed}, not this printed total: a row is missing, extra or mistyped"),
                    )),
                    Err(p) => problems.push(problem(line, Some(column_name(col)), Some(&raw), p.reason())),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(problems)
    }
}

fn column_name(c: Column) -> &'static str {
    match c {
        Column::Office => "office",
        Column::Iso3 => "iso3",
        Column::Category(c) => c.short(),
        Column::Total => "total",
    }
}

fn fold(s: &str) -> String {
    passage_domain::names::fold_words(s).concat()
}

fn is_totals_label(office: &str) -> bool {
    matches!(fold(office).as_str(), "total" | "totals" | "grandtotal" | "totalgeneral")
}

const EXPECTED: &str = "expected columns: office, iso3 (optional), P1, P2, P3, O1, O2, O3 and total (optional)";

fn read_header(header: &csv::StringRecord, line: usize) -> Result<Vec<Column>, Vec<FileProblem>> {
    if header.len() == 1 {
        return Err(vec![problem(
            line,
            None,
            Some(&header[0]),
            format!("the whole header is one cell: separate the columns with , or ; ({EXPECTED})"),
        )]);
    }
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let key = fold(raw);
        let col = match key.as_str() {
            // A pasted table often has no heading above the office names.
            "" if i == 0 => Some(Column::Office),
            "office" | "officename" | "country" | "countryoffice" | "mission" | "bureau" | "pays" => Some(Column::Office),
            "iso3" | "iso" | "countrycode" | "code" | "iso31661alpha3" => Some(Column::Iso3),
            "total" | "totals" => Some(Column::Total),
            k => BudgetCategory::ALL
                .iter()
                .find(|c| {
                    let short = c.short().to_ascii_lowercase();
                    k.strip_prefix(&short).is_some_and(|rest| !rest.starts_with(|ch: char| ch.is_ascii_digit()))
                })
                .map(|c| Column::Category(*c)),
        };
        match col {
            Some(c) if columns.contains(&c) => {
                problems.push(problem(line, Some(raw), None, format!("column {raw:?} appears twice")));
            }
            Some(c) => columns.push(c),
            None => {
                problems.push(problem(line, Some(raw), None, format!("unknown column {raw:?}; {EXPECTED}")));
                columns.push(Column::Office); // placeholder, never read: the header is refused
            }
        }
    }
    for cat in BudgetCategory::ALL {
        if !columns.contains(&Column::Category(*cat)) && problems.is_empty() {
            problems.push(problem(line, Some(cat.short()), None, format!("the column {} is missing; {EXPECTED}", cat.short())));
        }
    }
    if !columns.contains(&Column::Office) && problems.is_empty() {
        problems.push(problem(line, Some("office"), None, format!("the office column is missing; {EXPECTED}")));
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// The appeal's text: an appeal table has a few kilobytes, and is CSV.
fn budget_text_of(file: &[u8]) -> Result<String, String> {
    if file.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file has {:.1} MB; an appeal table has a few kilobytes: is this the right file?",
            file.len() as f64 / 1_048_576.0
        ));
    }
    if file.starts_with(b"PK\x03\x04") {
        return Err("this is a spreadsheet (XLSX) file: save it as CSV (comma- or semicolon-separated) and import that".into());
    }
    crate::tables::decode(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../data/wca-2020-appeal-budget.csv");

    fn problems(s: &str) -> Vec<String> {
        read_appeal(s.as_bytes()).expect_err("should be refused").iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_shipped_appeal_reproduces_the_seed_totals() {
        let t = read_appeal(SHIPPED.as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 21);
        assert_eq!(t.grand_total(), Usd(380_026_059));
        let totals: Vec<u64> = t.column_totals().iter().map(|u| u.0).collect();
        assert_eq!(totals, vec![39_148_312, 21_234_300, 35_540_725, 97_735_912, 122_262_058, 64_104_752]);
        assert_eq!(t.rows[0].country, None, "the regional office is no country");
        assert_eq!(t.rows[0].cell(BudgetCategory::P2), None, "an empty cell is nothing planned");
        assert_eq!(t.rows[7].country.map(|c| c.to_string()).as_deref(), Some("CIV"));
    }

    #[test]
    fn an_appeal_pasted_as_printed_is_read() {
        let pasted = "\u{feff};P1;P2;P3;O1;O2;O3;TOTAL\n\
            Regional Office Dakar;70 000;-;2 320 000;3 500 000;200 000;14 400 000;20 490 000\n\
            Côte d’Ivoire;2\u{a0}500\u{a0}000;2 500 000;500 000;6 000 000;1 000 000;4 000 000;16 500 000\n\
            The Gambia;105 000;550 000;-;2 100 000;-;1 640 000;4 395 000\n\
            \n\
            Total;2 675 000;3 050 000;2 820 000;11 600 000;1 200 000;20 040 000;41 385 000\n";
        let t = read_appeal(pasted.as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 3, "the totals row is checked, not imported");
        assert_eq!(t.rows[1].country.map(|c| c.to_string()).as_deref(), Some("CIV"));
        assert_eq!(t.rows[2].country.map(|c| c.to_string()).as_deref(), Some("GMB"));
        assert_eq!(t.grand_total(), Usd(41_385_000));
    }

    #[test]
    fn lines_are_counted_with_windows_line_endings_too() {
        let p = problems("office;P1;P2;P3;O1;O2;O3\r\nMali;1;2;3;4;5;6\r\nNiger;1;x;3;4;5;6\r\n");
        assert!(p[0].starts_with("line 3, column P2"), "{p:?}");
    }

    #[test]
    fn latin1_and_utf16_files_are_read() {
        let latin1: Vec<u8> = "office;P1;P2;P3;O1;O2;O3\nCôte d'Ivoire;1;2;3;4;5;6\n".chars().map(|c| c as u8).collect();
        let t = read_appeal(&latin1).unwrap();
        assert_eq!(t.rows[0].office, "Côte d'Ivoire");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "office\tP1\tP2\tP3\tO1\tO2\tO3\nMali\t1\t2\t3\t4\t5\t6\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(read_appeal(&utf16).unwrap().grand_total(), Usd(21));
    }

    #[test]
    fn every_problem_is_reported_with_line_column_value_and_reason() {
        let bad = "office,iso3,P1,P2,P3,O1,O2,O3,total\n\
            Benin,BEN,100000,100000,100000,100000,400000,500000,1300001\n\
            Chad,XXX,2000000,3500000,,,16000000,6000000,27500000\n\
            Mali,MLI,12.50,250000,250000,2000000,500000,1000000,4300000\n\
            Benin,BEN,1,1,1,1,1,1,6\n\
            Togo,TGO,1,2\n";
        let p = problems(bad);
        assert_eq!(p.len(), 5, "{p:#?}");
        assert!(p[0].contains("line 2") && p[0].contains("total") && p[0].contains("1,300,000"), "{}", p[0]);
        assert!(p[1].contains("line 3") && p[1].contains("iso3") && p[1].contains("XXX"), "{}", p[1]);
        assert!(p[2].contains("line 4") && p[2].contains("P1") && p[2].contains("cents"), "{}", p[2]);
        assert!(p[3].contains("line 5") && p[3].contains("already has a row (line 2)"), "{}", p[3]);
        assert!(p[4].contains("line 6") && p[4].contains("4 cells"), "{}", p[4]);
    }

    #[test]
    fn files_that_are_not_appeals_are_refused_plainly() {
        assert!(problems("")[0].contains("empty"));
        assert!(problems("office;P1;P2;P3;O1;O2;O3\n")[0].contains("no office rows"));
        assert!(problems("office,P1,P2,P3,O1,O2\nMali,1,2,3,4,5\n")[0].contains("O3 is missing"));
        assert!(problems("office,P1,P2,P3,O1,O2,O3,budget\nMali,1,2,3,4,5,6,7\n")[0].contains("unknown column \"budget\""));
        assert!(problems("office,P1,P1,P2,P3,O1,O2,O3\nMali,1,1,2,3,4,5,6\n")[0].contains("appears twice"));
        assert!(problems("office|P1|P2|P3|O1|O2|O3\nMali|1|2|3|4|5|6\n")[0].contains("whole header is one cell"));
        assert!(problems("PK\u{3}\u{4}rest")[0].contains("XLSX"));
        let mut printed_total_wrong = SHIPPED.to_string();
        printed_total_wrong.push_str("Total,,39148312,21234300,35540725,97735912,122262058,64104752,380026058\n");
        let p = problems(&printed_total_wrong);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("380,026,059"));
        // A 1,500,000 unquoted in a comma-separated file splits the row.
        assert!(problems("office,P1,P2,P3,O1,O2,O3\nMali,1,500,000,2,3,4,5,6\n")[0].contains("in quotes"));
        // Formula-like cells are not numbers.
        assert!(problems("office,P1,P2,P3,O1,O2,O3\nMali,=HYPERLINK(\"x\"),2,3,4,5,6\n")[0].contains("not an amount"));
    }

    #[test]
    fn the_csv_export_reimports_to_the_same_table() {
        let t = read_appeal(SHIPPED.as_bytes()).unwrap();
        let csv = budget_csv(&t, false);
        assert!(csv.ends_with("Total,,39148312,21234300,35540725,97735912,122262058,64104752,380026059\n"), "{csv}");
        assert_eq!(read_appeal(csv.as_bytes()).unwrap(), t);
        let hxl = budget_csv(&t, true);
        assert_eq!(hxl.lines().nth(1).unwrap().split(',').count(), 9);
        assert_eq!(read_appeal(hxl.as_bytes()).unwrap(), t, "the hashtag row is skipped");
        let text = budget_text(&t);
        assert!(text.lines().last().unwrap().ends_with("380,026,059"), "{text}");
        assert!(text.contains("Cabo Verde"));
    }

    #[test]
    fn codes_come_from_file_names() {
        assert_eq!(code_from_file_name("../shared/data/wca-2020-appeal-budget.csv"), "WCA-2020-APPEAL-BUDGET");
        assert_eq!(code_from_file_name("x.csv"), "BUDGET");
        assert!(parse_budget_code("a b").is_err());
    }
}
