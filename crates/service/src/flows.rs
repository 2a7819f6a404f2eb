//! Flow monitoring: transit points and the counts taken at them, from the
//! web, the API, ODK and a CSV file. A file is checked whole before anything
//! is written, every problem listed with its line, column and value; a row
//! names its point by code and, for a point not yet known, describes it (so
//! that an export re-imports into an empty database). Figures of persons go
//! through the same disclosure control as every other figure.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{shortened, FileProblem, ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::disclosure::{protect, Figure};
use passage_domain::flow::{FlowCountInput, FlowGrouping, FlowKey, FlowPointInput, NewFlowCount, NewFlowPoint};
use passage_storage::flows::{self as store, FlowPointRecord};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// A million counts is about 150 MB of CSV; a file beyond this is not a flow table.
pub const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;

/// The columns of a flow file, as `passage flows export` writes them; the
/// import takes them in any order. The point's description is needed only
/// for a point not known yet.
pub const FLOW_COLUMNS: [&str; 23] = [
    "point",
    "point_name",
    "country",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "point_kind",
    "date",
    "period",
    "direction",
    "transport_mode",
    "nationality",
    "origin_country",
    "destination_country",
    "total",
    "men",
    "women",
    "boys",
    "girls",
    "unaccompanied_children",
    "pregnant_women",
    "persons_with_disabilities",
];

/// The HXL hashtag of each column, in the same order.
pub const FLOW_HXL: [&str; 23] = [
    "#loc+code",
    "#loc+name",
    "#country+code",
    "#adm1+name",
    "#adm2+name",
    "#geo+lat",
    "#geo+lon",
    "#loc+type",
    "#date+start",
    "#meta+period",
    "#meta+direction",
    "#meta+transport",
    "#country+code+nationality",
    "#country+code+origin",
    "#country+code+destination",
    "#affected+total",
    "#affected+m+adults",
    "#affected+f+adults",
    "#affected+m+children",
    "#affected+f+children",
    "#affected+children+unaccompanied",
    "#affected+f+pregnant",
    "#affected+disabled",
];

const REQUIRED: [&str; 6] = ["point", "date", "period", "direction", "transport_mode", "total"];
const POINT_DETAILS: [&str; 7] = ["point_name", "country", "admin1", "admin2", "latitude", "longitude", "point_kind"];

/// A flow file, read: the points it adds and its counts.
#[derive(Debug, Default)]
pub struct FlowFile {
    pub new_points: Vec<NewFlowPoint>,
    pub counts: Vec<NewFlowCount>,
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FlowImport {
    pub rows: usize,
    pub points_added: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
}

/// Persons per week at each point and in each direction, protected cell by
/// cell (a chart shows no totals to work a hidden cell out from).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FlowWeeks {
    /// ISO weeks, oldest first.
    pub weeks: Vec<String>,
    /// (point, direction, one figure per week)
    pub series: Vec<(String, passage_domain::flow::Direction, Vec<Figure>)>,
}

/// An observation checked and ready to write.
pub(crate) struct PreparedFlowCount {
    pub(crate) count: NewFlowCount,
}

/// Figures of persons by a grouping, protected.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FlowSummary {
    pub by: &'static str,
    pub from: CalendarDate,
    pub to: CalendarDate,
    pub rows: Vec<(String, Figure)>,
    pub total: Figure,
}

/// A cell the domain refused: the error travels with the problem, for the
/// reader's language; its code stands in the reason.
fn field_problem(line: usize, column: &str, value: &str, e: passage_domain::FieldError) -> FileProblem {
    FileProblem { line, column: Some(column.to_string()), value: Some(shortened(value)), reason: e.code.to_string(), error: Some(e) }
}

/// Whether a file's description of a point is the stored one.
fn same_place(a: &NewFlowPoint, b: &NewFlowPoint) -> bool {
    a.name == b.name && a.country == b.country && a.latitude_e6 == b.latitude_e6 && a.longitude_e6 == b.longitude_e6 && a.kind == b.kind
}

/// Read a flow file against the points already stored.
pub fn read_flows(file: &[u8], known: &HashMap<String, NewFlowPoint>, today: CalendarDate) -> Result<FlowFile, Vec<FileProblem>> {
    let text = crate::tables::csv_text(file, MAX_FILE_BYTES, "save it as CSV and import that")
        .map_err(|r| vec![FileProblem::new(0, None, None, r)])?;
    let first = text.lines().next().unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(crate::tables::guess_delimiter(first))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = crate::tables::LineCounter::new(&text);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![FileProblem::new(0, None, None, format!("the file is not readable as CSV: {e}"))]),
        None => return Err(vec![FileProblem::new(0, None, None, "the file is empty")]),
    };
    let index = crate::tables::header_positions(
        &header,
        &FLOW_COLUMNS,
        &REQUIRED,
        &format!("not a column of a flow file ({})", FLOW_COLUMNS.join(", ")),
    )?;
    let mut problems = Vec::new();
    let mut out = FlowFile::default();
    let mut added: HashMap<String, (usize, NewFlowPoint)> = HashMap::new();
    let mut seen: HashMap<FlowKey, usize> = HashMap::new();
    let mut first_row = true;
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(FileProblem::new(
                    e.position().map_or(0, |p| lines.line_at(p.byte())),
                    None,
                    None,
                    format!("the file is not readable as CSV here: {e}"),
                ));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| lines.line_at(p.byte()));
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // An HXL hashtag row under the header (our own `--hxl` export) is not a count.
        if first_row && crate::tables::is_hashtag_row(&rec) {
            first_row = false;
            continue;
        }
        first_row = false;
        if problems.len() >= 1000 {
            problems.push(FileProblem::new(line, None, None, "more than 1,000 problems: the rest of the file was not read"));
            break;
        }
        let cell = |c: &str| index.get(c).and_then(|&i| rec.get(i)).unwrap_or("").to_string();
        let input = FlowCountInput {
            point: cell("point"),
            date: cell("date"),
            period: cell("period"),
            direction: cell("direction"),
            transport_mode: cell("transport_mode"),
            nationality: cell("nationality"),
            origin_country: cell("origin_country"),
            destination_country: cell("destination_country"),
            total: cell("total"),
            men: cell("men"),
            women: cell("women"),
            boys: cell("boys"),
            girls: cell("girls"),
            unaccompanied_children: cell("unaccompanied_children"),
            pregnant_women: cell("pregnant_women"),
            persons_with_disabilities: cell("persons_with_disabilities"),
        };
        let count = match input.parse(today) {
            Ok(c) => c,
            Err(inv) => {
                for e in inv.errors {
                    let value = cell(&e.field);
                    problems.push(field_problem(line, &e.field.clone(), &value, e));
                }
                continue;
            }
        };
        // The point: known, added earlier in this file, or described here.
        let described = POINT_DETAILS.iter().any(|c| !cell(c).trim().is_empty());
        let here = if described {
            let p = FlowPointInput {
                code: count.key.point.clone(),
                name: cell("point_name"),
                country: cell("country"),
                admin1: cell("admin1"),
                admin2: cell("admin2"),
                latitude: cell("latitude"),
                longitude: cell("longitude"),
                kind: cell("point_kind"),
                office_id: String::new(),
                active_from: String::new(),
                active_until: String::new(),
            };
            match p.parse(today) {
                Ok((p, _)) => Some(p),
                Err(inv) => {
                    for e in inv.errors {
                        let column = match e.field.as_str() {
                            "name" => "point_name",
                            "kind" => "point_kind",
                            f => f,
                        }
                        .to_string();
                        let value = cell(&column);
                        problems.push(field_problem(line, &column, &value, e));
                    }
                    continue;
                }
            }
        } else {
            None
        };
        let code = count.key.point.clone();
        match (known.get(&code), added.get(&code), here) {
            (Some(stored), _, Some(p)) if !same_place(stored, &p) => problems.push(FileProblem::new(
                line,
                Some("point"),
                Some(&code),
                format!("this point is stored as {:?} in {}; the row describes it otherwise", stored.name, stored.country),
            )),
            (None, Some((first, earlier)), Some(p)) if !same_place(earlier, &p) => {
                problems.push(FileProblem::new(line, Some("point"), Some(&code), format!("line {first} describes this point otherwise")))
            }
            (None, None, Some(p)) => {
                added.insert(code.clone(), (line, p));
            }
            (None, None, None) => problems.push(FileProblem::new(
                line,
                Some("point"),
                Some(&code),
                "no such point: add it first, or describe it on this row (point_name, country, latitude, longitude, point_kind)",
            )),
            _ => {}
        }
        if let Some(first) = seen.insert(count.key.clone(), line) {
            problems.push(FileProblem::new(
                line,
                None,
                None,
                format!("the same observation (point, date, period, direction, transport, countries) as line {first}"),
            ));
            continue;
        }
        out.counts.push(count);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut new_points: Vec<(usize, NewFlowPoint)> = added.into_values().collect();
    new_points.sort_by_key(|(line, _)| *line);
    out.new_points = new_points.into_iter().map(|(_, p)| p).collect();
    Ok(out)
}

impl Passage {
    /// Import a flow file: refused whole on any problem; new points and new
    /// observations added, changed ones replaced, the same ones left.
    pub async fn import_flows(&self, actor: Option<&Actor>, file: &[u8], dry_run: bool) -> ServiceResult<FlowImport> {
        if let Some(a) = actor {
            access::require(a, Action::ManageOffices)?;
        }
        let mut tx = self.db.begin_bulk().await?;
        let known: HashMap<String, NewFlowPoint> =
            store::points(&mut tx).await?.into_iter().map(|r| (r.point.code.clone(), r.point)).collect();
        let read = read_flows(file, &known, CalendarDate::today()).map_err(ServiceError::File)?;
        let points: Vec<String> = read.counts.iter().map(|c| c.key.point.clone()).collect::<HashSet<_>>().into_iter().collect();
        // A first import (nothing stored at these points) has nothing to compare with.
        let stored =
            if store::counts_at(&mut tx, &points).await? == 0 { HashMap::new() } else { store::existing(&mut tx, &points).await? };
        let (mut new, mut changed, mut unchanged) = (Vec::new(), Vec::new(), 0usize);
        for c in &read.counts {
            match stored.get(&c.key) {
                None => new.push(c),
                Some(s) if s == c => unchanged += 1,
                Some(_) => changed.push(c),
            }
        }
        let report = FlowImport {
            rows: read.counts.len(),
            points_added: read.new_points.len(),
            added: new.len(),
            updated: changed.len(),
            unchanged,
            dry_run,
        };
        if dry_run || (new.is_empty() && changed.is_empty() && read.new_points.is_empty()) {
            tx.rollback().await?;
            self.db.end_bulk().await?;
            return Ok(report);
        }
        let now = Timestamp::now();
        for p in &read.new_points {
            store::put_point(&mut tx, p, None, now).await?;
        }
        store::write_counts(&mut tx, new, &changed, "import", now).await?;
        let changes = json!({
            "rows": [null, report.rows],
            "points_added": [null, report.points_added],
            "added": [null, report.added],
            "updated": [null, report.updated],
        });
        audit::record(&mut tx, actor, "flows.import", "flows".to_string(), None, changes).await?;
        tx.commit().await?;
        self.db.end_bulk().await?;
        Ok(report)
    }

    /// Persons counted from `from` to `to` by point, nationality, direction or
    /// week, under disclosure control (a table of one column and its total).
    pub async fn flow_summary(
        &self,
        actor: Option<&Actor>,
        from: CalendarDate,
        to: CalendarDate,
        by: FlowGrouping,
    ) -> ServiceResult<FlowSummary> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let rules = self.disclosure_rules().await?;
        let mut c = self.db.replica().acquire().await?;
        let raw = store::summary(&mut c, from, to, by).await?;
        let table = protect(&raw.iter().map(|(_, n)| vec![*n as u64]).collect::<Vec<_>>(), &rules);
        let rows = raw.into_iter().zip(table.cells).map(|((k, _), cells)| (k, cells[0])).collect();
        Ok(FlowSummary { by: by.as_str(), from, to, rows, total: table.total })
    }

    /// Add a transit point: an administrator, or someone who works on cases
    /// in the office that runs it. A code already used is a conflict.
    pub async fn record_flow_point(&self, actor: &Actor, input: &FlowPointInput) -> ServiceResult<FlowPointRecord> {
        let (point, office) = input.parse(CalendarDate::today())?;
        let office = match office {
            Some(o) => {
                let id: passage_domain::ids::OfficeId = crate::error::parse_id("office_id", &o)?;
                let mut c = self.db.reader().acquire().await?;
                if passage_storage::registry::get_office(&mut c, id).await?.is_none() {
                    return Err(passage_domain::FieldError::new("office_id", "err-unknown-office").into());
                }
                access::require(actor, Action::WriteCases(id))?;
                Some(id)
            }
            None => {
                access::require(actor, Action::ManageOffices)?;
                None
            }
        };
        let mut tx = self.db.begin().await?;
        if store::get_point(&mut tx, &point.code).await?.is_some() {
            return Err(ServiceError::Conflict("a flow-monitoring point with this code exists"));
        }
        store::put_point(&mut tx, &point, office, Timestamp::now()).await?;
        audit::record(
            &mut tx,
            Some(actor),
            "flow_point.create",
            format!("flow_point:{}", point.code),
            None,
            json!({ "code": [null, point.code] }),
        )
        .await?;
        tx.commit().await?;
        Ok(FlowPointRecord { point, office_id: office })
    }

    /// Record one observation (the web grid, the API). The same key again
    /// replaces the observation: returns whether it was new.
    pub async fn record_flow_count(&self, actor: &Actor, input: &FlowCountInput, source: &str) -> ServiceResult<bool> {
        let prepared = self.prepare_flow_count(actor, input).await?;
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        let new = self.write_counted(&mut tx, actor, &prepared, source, &mut trail).await?;
        trail.write(&mut tx).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Check an observation and who sends it: the point exists, and the
    /// sender works on cases in its office (anywhere, for a point no office runs).
    pub(crate) async fn prepare_flow_count(&self, actor: &Actor, input: &FlowCountInput) -> ServiceResult<PreparedFlowCount> {
        access::require(actor, Action::WriteSomewhere)?;
        let count = input.parse(CalendarDate::today())?;
        let mut c = self.db.reader().acquire().await?;
        let Some(point) = store::get_point(&mut c, &count.key.point).await? else {
            return Err(passage_domain::FieldError::new("point", "err-unknown-point").with("value", count.key.point.clone()).into());
        };
        if let Some(o) = point.office_id {
            access::require(actor, Action::WriteCases(o))?;
        }
        Ok(PreparedFlowCount { count })
    }

    /// Write a prepared observation from a form in the caller's transaction,
    /// with the submission's receipt.
    pub(crate) async fn write_flow_count(
        &self,
        c: &mut sqlx::AnyConnection,
        actor: &Actor,
        prepared: PreparedFlowCount,
        receipt: Option<&crate::receipts::Receipt<'_>>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<String> {
        let record = format!("flow_count:{}:{}", prepared.count.key.point, prepared.count.key.start);
        if let Some(receipt) = receipt {
            crate::receipts::keep_receipt(&mut *c, &self.keys, receipt, &record).await?;
        }
        self.write_counted(c, actor, &prepared, "odk", trail).await?;
        Ok(record)
    }

    /// Insert or replace by key; whether it was new.
    async fn write_counted(
        &self,
        c: &mut sqlx::AnyConnection,
        actor: &Actor,
        prepared: &PreparedFlowCount,
        source: &str,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<bool> {
        let count = &prepared.count;
        let stored = store::existing_key(&mut *c, &count.key).await?;
        let new = stored.is_none();
        if stored.as_ref() != Some(count) {
            if new {
                store::write_counts(&mut *c, vec![count], &[], source, Timestamp::now()).await?;
            } else {
                store::write_counts(&mut *c, vec![], &[count], source, Timestamp::now()).await?;
            }
            let changes = json!({ "point": [null, count.key.point], "date": [null, count.key.start.to_string()], "total": [stored.map(|s| s.total), count.total] });
            trail.add(Some(actor), "flow_count.record", format!("flow_point:{}", count.key.point), None, changes);
        }
        Ok(new)
    }

    /// Weekly persons per point and direction, for the charts.
    pub async fn flow_weeks(&self, actor: Option<&Actor>, from: CalendarDate, to: CalendarDate) -> ServiceResult<FlowWeeks> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let rules = self.disclosure_rules().await?;
        let mut c = self.db.replica().acquire().await?;
        let raw = store::weekly(&mut c, from, to).await?;
        let mut weeks: Vec<String> =
            raw.iter().map(|(_, _, w, _)| w.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        weeks.sort();
        let at: HashMap<&str, usize> = weeks.iter().enumerate().map(|(i, w)| (w.as_str(), i)).collect();
        let mut series: Vec<(String, passage_domain::flow::Direction, Vec<Figure>)> = Vec::new();
        for (point, direction, week, n) in &raw {
            if series.last().is_none_or(|(p, d, _)| p != point || d != direction) {
                series.push((point.clone(), *direction, vec![Figure::Count(0); weeks.len()]));
            }
            if let Some(last) = series.last_mut() {
                last.2[at[week.as_str()]] = rules.figure(*n as u64);
            }
        }
        Ok(FlowWeeks { weeks, series })
    }

    /// Every point.
    pub async fn flow_points(&self, actor: Option<&Actor>) -> ServiceResult<Vec<FlowPointRecord>> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.reader().acquire().await?;
        Ok(store::points(&mut c).await?)
    }

    /// The counts of a period as a flow file (every column, points described
    /// on every row, so that it re-imports anywhere); `hxl` adds the hashtag row.
    pub async fn export_flows(
        &self,
        actor: Option<&Actor>,
        from: CalendarDate,
        to: CalendarDate,
        hxl: bool,
        out: &mut dyn std::io::Write,
    ) -> ServiceResult<usize> {
        if let Some(a) = actor {
            access::require(a, Action::ManageOffices)?;
        }
        let mut c = self.db.replica().acquire().await?;
        let points = store::points(&mut c).await?;
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| ServiceError::Operation(format!("cannot write the export: {e}"));
        w.write_record(FLOW_COLUMNS).map_err(io)?;
        if hxl {
            w.write_record(FLOW_HXL).map_err(io)?;
        }
        let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        let deg = |e6: i64| format!("{}{}.{:06}", if e6 < 0 { "-" } else { "" }, e6.abs() / 1_000_000, e6.abs() % 1_000_000);
        let country = |c: Option<passage_domain::codes::CountryCode>| c.map(|c| c.to_string()).unwrap_or_default();
        let mut rows = 0;
        for p in &points {
            let p = &p.point;
            for c in store::counts_of_point(&mut c, &p.code, from, to).await? {
                let k = &c.key;
                w.write_record([
                    p.code.clone(),
                    p.name.clone(),
                    p.country.to_string(),
                    p.admin1.clone().unwrap_or_default(),
                    p.admin2.clone().unwrap_or_default(),
                    deg(p.latitude_e6),
                    deg(p.longitude_e6),
                    p.kind.as_str().to_string(),
                    k.start.to_string(),
                    k.period.as_str().to_string(),
                    k.direction.as_str().to_string(),
                    k.transport_mode.as_str().to_string(),
                    country(k.nationality),
                    country(k.origin),
                    country(k.destination),
                    c.total.to_string(),
                    n(c.men),
                    n(c.women),
                    n(c.boys),
                    n(c.girls),
                    n(c.unaccompanied_children),
                    n(c.pregnant_women),
                    n(c.persons_with_disabilities),
                ])
                .map_err(io)?;
                rows += 1;
            }
        }
        w.flush().map_err(|e| ServiceError::Operation(format!("cannot write the export: {e}")))?;
        Ok(rows)
    }
}

/// The summary as the command line prints it, with its total; `*` marks a
/// suppressed figure.
pub fn summary_text(s: &FlowSummary) -> String {
    let width = s.rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).max(s.by.len()).max(5);
    let mut out = format!("{:<width$}  {:>9}\n", s.by, "persons");
    for (k, f) in &s.rows {
        out.push_str(&format!("{k:<width$}  {:>9}\n", f.to_string()));
    }
    out.push_str(&format!("{:<width$}  {:>9}\n", "Total", s.total.to_string()));
    if s.rows.iter().any(|(_, f)| *f == Figure::Suppressed) {
        out.push_str("* fewer persons than the disclosure threshold, or a figure that would give one away\n");
    }
    out
}

/// The summary as CSV: `<by>,persons`, one row per group, a suppressed figure empty.
pub fn summary_csv(s: &FlowSummary, hxl: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([s.by, "persons"]);
    if hxl {
        let key = match s.by {
            "point" => "#loc+code",
            "nationality" => "#country+code+nationality",
            "direction" => "#meta+direction",
            _ => "#date+week",
        };
        let _ = w.write_record([key, "#affected+total"]);
    }
    for (k, f) in &s.rows {
        let _ = w.write_record([k.clone(), f.count().map(|n| n.to_string()).unwrap_or_default()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A flow file of plausible counts at the transit points of the central
/// Sahel route, for the demo, the tests and the benchmarks: seeded, so the
/// same arguments give the same file. `rows` observations are spread over
/// the points, the weeks (or, `daily`, the days) before `until`, directions,
/// transport and nationalities.
pub fn synthetic_flow_file(seed: u64, rows: usize, until: CalendarDate, daily: bool) -> String {
    // (code, name, country, admin1, lat, lon, kind)
    const POINTS: [(&str, &str, &str, &str, &str, &str, &str); 6] = [
        ("AGZ-BUS", "Agadez bus station", "NER", "Agadez", "16.970000", "7.990000", "bus_station"),
        ("SEG-CHK", "Séguédine checkpoint", "NER", "Agadez", "20.195300", "12.981400", "checkpoint"),
        ("ARL-BUS", "Arlit bus station", "NER", "Agadez", "18.739000", "7.393000", "bus_station"),
        ("MDL-BOR", "Madama border post", "NER", "Agadez", "21.950000", "13.650000", "border_crossing"),
        ("SBH-TRN", "Sabha transit site", "LBY", "Fezzan", "27.037700", "14.428300", "transit_site"),
        ("GAO-BUS", "Gao bus station", "MLI", "Gao", "16.271700", "-0.044700", "bus_station"),
    ];
    const NATIONALITIES: [&str; 16] =
        ["NER", "NGA", "GIN", "MLI", "CIV", "SEN", "SDN", "TCD", "GMB", "BFA", "CMR", "GHA", "BEN", "TGO", "SLE", "LBR"];
    const MODES: [&str; 4] = ["bus", "truck", "car", "motorbike"];
    const DIRECTIONS: [&str; 3] = ["outgoing", "incoming", "transit"];
    let mut rng = passage_domain::random::SplitMix64::new(seed ^ 0xf10e_5eed);
    let mut draw = |n: u64| rng.next_u64() % n.max(1);
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(FLOW_COLUMNS);
    // Each observation needs its own key: walk the key space in a seeded order
    // (point × week × direction × mode × nationality), as many as asked.
    let per_period = POINTS.len() * DIRECTIONS.len() * MODES.len() * NATIONALITIES.len();
    let periods = rows.div_ceil(per_period).max(1);
    let (last, step, period) = if daily { (until, 1, "day") } else { (passage_domain::flow::monday_of(until), 7, "week") };
    let mut written = 0;
    'all: for k in 0..periods {
        let start = last.add_days(-step * (periods - 1 - k) as i64);
        for (pi, p) in POINTS.iter().enumerate() {
            for (di, d) in DIRECTIONS.iter().enumerate() {
                for m in MODES {
                    for (ni, n) in NATIONALITIES.iter().enumerate() {
                        if written == rows {
                            break 'all;
                        }
                        // Busier outgoing (north) than back, busier for the first nationalities and points.
                        let base = if daily { 10 } else { 60 } / (1 + di as u64) / (1 + ni as u64 / 3) / (1 + pi as u64 / 2);
                        let total = 5 + base + draw(base + 10);
                        let women = draw(total / 5 + 1);
                        let children = draw(total / 10 + 1);
                        let (boys, girls) = (children / 2, children - children / 2);
                        let men = total - women - children - draw(3).min(total - women - children);
                        let unaccompanied = draw(boys.min(3) + 1);
                        let destination = match (p.2, *d) {
                            ("LBY", "outgoing") | (_, "transit") => "LBY",
                            (_, "incoming") => n,
                            _ => "DZA",
                        };
                        let cells = [
                            p.0.to_string(),
                            p.1.to_string(),
                            p.2.to_string(),
                            p.3.to_string(),
                            String::new(),
                            p.4.to_string(),
                            p.5.to_string(),
                            p.6.to_string(),
                            start.to_string(),
                            period.into(),
                            d.to_string(),
                            m.to_string(),
                            n.to_string(),
                            n.to_string(),
                            destination.to_string(),
                            total.to_string(),
                            men.to_string(),
                            women.to_string(),
                            boys.to_string(),
                            girls.to_string(),
                            unaccompanied.to_string(),
                            String::new(),
                            String::new(),
                        ];
                        let _ = w.write_record(&cells);
                        written += 1;
                    }
                }
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
