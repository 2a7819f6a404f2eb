//! Missing-migrant incidents from the Missing Migrants Project's published
//! CSV, taken as it is published: its header, its blanks that mean unknown,
//! its cells with several values, its split and cumulative incidents, its few
//! impossible counts. The whole file is checked before anything is written;
//! every refusal is listed with its line, column and value, and so is every
//! cell that was kept differently from how it stood (what was done with it).
//! A newer file updates the stored incidents by Main ID and says what changed.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{FileProblem, ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::incident::{read_mmp_row, CellNote, Incident, IncidentFigure, IncidentGrouping, MMP_COLUMNS};
use passage_storage::incidents as store;
use serde_json::json;
use std::collections::HashMap;

/// The published file is about 7 MB for 19,000 incidents; ten times that is
/// room for years to come, and still a file that fits in memory.
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, serde::Serialize)]
pub struct IncidentImport {
    pub rows: usize,
    pub added: usize,
    /// Main IDs whose content changed, with the columns that did.
    pub updated: Vec<(String, Vec<&'static str>)>,
    pub unchanged: usize,
    /// Stored incidents this file does not have (kept: a file may be an extract).
    pub not_in_file: usize,
    /// Cells kept otherwise than they stood, and what was done with each.
    pub notes: Vec<FileProblem>,
    pub dry_run: bool,
}

/// The file's incidents by line, and the notes on cells kept differently.
pub type ReadIncidents = (Vec<(usize, Incident)>, Vec<FileProblem>);

/// Read the published CSV: every problem at once, or every incident.
pub fn read_mmp(file: &[u8], today: CalendarDate) -> Result<ReadIncidents, Vec<FileProblem>> {
    let whole = |reason: String| vec![FileProblem::new(0, None, None, reason)];
    let text = crate::tables::csv_text(file, MAX_FILE_BYTES, "import the CSV the Missing Migrants Project publishes").map_err(whole)?;
    let mut lines = crate::tables::LineCounter::new(&text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(whole(format!("the file is not readable as CSV: {e}"))),
        None => return Err(whole("the file is empty".into())),
    };
    let at = crate::tables::header_positions(&header, &MMP_COLUMNS, &MMP_COLUMNS, "not a column of the Missing Migrants Project's file")?;
    let index: [usize; 25] = std::array::from_fn(|k| at[MMP_COLUMNS[k]]);
    let mut problems = Vec::new();
    let mut incidents = Vec::new();
    let mut notes = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                problems.push(FileProblem::new(line, None, None, format!("the file is not readable as CSV here: {e}")));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| lines.line_at(p.byte()));
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // An HXL hashtag row under the header (`passage incidents export --hxl`) is not an incident.
        if line == 2 && crate::tables::is_hashtag_row(&rec) {
            continue;
        }
        if rec.len() > header.len() && rec.iter().skip(header.len()).any(|f| !f.trim().is_empty()) {
            problems.push(FileProblem::new(line, None, None, format!("{} cells where the header has {} columns", rec.len(), header.len())));
            continue;
        }
        let cells: [&str; 25] = std::array::from_fn(|k| rec.get(index[k]).unwrap_or(""));
        let (incident, cell_notes) = read_mmp_row(&cells, today);
        for n in cell_notes {
            match n {
                CellNote::Refused { column, value, reason } => problems.push(FileProblem::new(line, Some(column), Some(&value), reason)),
                CellNote::Kept { column, value, done } => notes.push(FileProblem::new(line, Some(column), Some(&value), done)),
            }
        }
        if let Some(i) = incident {
            if let Some(first) = seen.insert(i.main_id.clone(), line) {
                problems.push(FileProblem::new(
                    line,
                    Some("Main ID"),
                    Some(&i.main_id),
                    format!("this Main ID is already on line {first}"),
                ));
            }
            incidents.push((line, i));
        }
    }
    if problems.is_empty() {
        Ok((incidents, notes))
    } else {
        Err(problems)
    }
}

/// The columns in which two versions of an incident differ.
fn changed_columns(old: &Incident, new: &Incident) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |column: &'static str, differs: bool| {
        if differs {
            out.push(column);
        }
    };
    check("Incident ID", old.incident_ids != new.incident_ids);
    check("Incident Type", old.kinds != new.kinds);
    check("Region of Incident", old.regions != new.regions);
    check("Incident Date", old.date != new.date);
    check("Incident Year", old.year != new.year);
    check("Month", old.month != new.month);
    check("Number of Dead", old.dead != new.dead);
    check("Minimum Estimated Number of Missing", old.missing != new.missing);
    check("Total Number of Dead and Missing", old.dead_and_missing != new.dead_and_missing);
    check("Number of Survivors", old.survivors != new.survivors);
    check("Number of Females", old.females != new.females);
    check("Number of Males", old.males != new.males);
    check("Number of Children", old.children != new.children);
    check("Country of Origin", old.countries_of_origin != new.countries_of_origin);
    check("Region of Origin", old.regions_of_origin != new.regions_of_origin);
    check("Cause of Death", old.causes != new.causes);
    check("Country of Incident", old.countries_of_incident != new.countries_of_incident);
    check("Migration Route", old.routes != new.routes);
    check("Location of Incident", old.location != new.location);
    // Stored in micro-degrees: a difference below that is the same place.
    let moved = match (old.coordinates, new.coordinates) {
        (Some(a), Some(b)) => (a.lat - b.lat).abs() > 5e-7 || (a.lon - b.lon).abs() > 5e-7,
        (a, b) => a.is_some() != b.is_some(),
    };
    check("Coordinates", moved);
    check("UNSD Geographical Grouping", old.unsd_groupings != new.unsd_groupings);
    check("Information Source", old.source != new.source);
    check("URL", old.url != new.url);
    check("Source Quality", old.source_quality != new.source_quality);
    out
}

impl Passage {
    /// Every stored incident of `year` (or all), in Main ID order, for an export.
    pub async fn incidents(&self, actor: Option<&Actor>, year: Option<i32>) -> ServiceResult<Vec<Incident>> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.replica().acquire().await?;
        let mut all: Vec<Incident> =
            store::all(&mut c).await?.into_values().map(|(i, _)| i).filter(|i| year.is_none() || i.year == year).collect();
        all.sort_by(|a, b| a.main_id.cmp(&b.main_id));
        Ok(all)
    }

    /// Import the published file: refused whole on any problem; otherwise new
    /// incidents added, changed ones replaced, the rest left as they are.
    /// Importing the same file twice changes nothing the second time.
    pub async fn import_incidents(&self, actor: Option<&Actor>, file: &[u8], dry_run: bool) -> ServiceResult<IncidentImport> {
        if let Some(a) = actor {
            access::require(a, Action::ManageOffices)?;
        }
        let (incidents, notes) = read_mmp(file, CalendarDate::today()).map_err(ServiceError::File)?;
        let mut tx = self.db.begin().await?;
        let mut stored = store::all(&mut tx).await?;
        let (mut new, mut changed, mut updated, mut unchanged) = (Vec::new(), Vec::new(), Vec::new(), 0usize);
        for (_, i) in &incidents {
            match stored.remove(&i.main_id) {
                None => new.push(i),
                Some((old, first)) => {
                    let columns = changed_columns(&old, i);
                    if columns.is_empty() {
                        unchanged += 1;
                    } else {
                        updated.push((i.main_id.clone(), columns));
                        changed.push((i, first));
                    }
                }
            }
        }
        let report =
            IncidentImport { rows: incidents.len(), added: new.len(), updated, unchanged, not_in_file: stored.len(), notes, dry_run };
        if dry_run || (new.is_empty() && changed.is_empty()) {
            tx.rollback().await?;
            return Ok(report);
        }
        store::write(&mut tx, &new, &changed, Timestamp::now()).await?;
        let changes = json!({
            "rows": [null, report.rows],
            "added": [null, report.added],
            "updated": [null, report.updated.len()],
            "unchanged": [null, report.unchanged],
        });
        audit::record(&mut tx, actor, "incidents.import", "incidents".to_string(), None, changes).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The incidents of a year on a map: gathered into cells of half a degree
    /// (a shipwreck's reports land in one circle), each with its place, its
    /// incidents and its dead and missing, the largest first.
    pub async fn incident_map(
        &self,
        actor: Option<&Actor>,
        year: i32,
    ) -> ServiceResult<Vec<(passage_domain::incident::Coordinates, i64, i64)>> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.replica().acquire().await?;
        let mut cells: HashMap<(i64, i64), (f64, f64, i64, i64)> = HashMap::new();
        for (p, total) in store::points(&mut c, year).await? {
            let e = cells.entry(((p.lat * 2.0).round() as i64, (p.lon * 2.0).round() as i64)).or_insert((0.0, 0.0, 0, 0));
            e.0 += p.lat;
            e.1 += p.lon;
            e.2 += 1;
            e.3 += total;
        }
        let mut out: Vec<_> = cells
            .into_values()
            .filter_map(|(lat, lon, n, total)| {
                passage_domain::incident::Coordinates::new(lat / n as f64, lon / n as f64).map(|p| (p, n, total))
            })
            .collect();
        out.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)));
        Ok(out)
    }

    /// The years that have incidents, newest first.
    pub async fn incident_years(&self, actor: Option<&Actor>) -> ServiceResult<Vec<i32>> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.replica().acquire().await?;
        Ok(store::years(&mut c).await?)
    }

    /// Record one incident (a search-and-rescue team's report), under a Main
    /// ID of Passage's own (`PSG.` and a unique suffix, which no published
    /// file uses), optionally linked to the rescue operation that found it.
    pub async fn record_incident(&self, actor: &Actor, input: &passage_domain::incident::IncidentInput) -> ServiceResult<String> {
        access::require(actor, Action::WriteSomewhere)?;
        let main_id = format!("PSG.{}", uuid_suffix());
        let (incident, rescue) = input.parse(main_id.clone(), CalendarDate::today())?;
        let mut tx = self.db.begin().await?;
        if let Some(r) = &rescue {
            if !store::rescue_exists(&mut tx, r).await? {
                return Err(passage_domain::FieldError::new("sar_operation_id", "err-unknown-rescue").into());
            }
        }
        store::write(&mut tx, &[&incident], &[], Timestamp::now()).await?;
        if let Some(r) = &rescue {
            store::link_rescue(&mut tx, &main_id, r).await?;
        }
        let changes = json!({ "main_id": [null, main_id], "dead_and_missing": [null, incident.total()], "rescue": [null, rescue] });
        audit::record(&mut tx, Some(actor), "incident.record", format!("incident:{main_id}"), None, changes).await?;
        tx.commit().await?;
        Ok(main_id)
    }

    /// Incidents, dead and missing of a year (or every year) by region, route,
    /// cause or country. Incidents are anonymous: figures for every reader of
    /// programme figures.
    pub async fn incident_summary(
        &self,
        actor: Option<&Actor>,
        year: Option<i32>,
        by: IncidentGrouping,
    ) -> ServiceResult<Vec<IncidentFigure>> {
        if let Some(a) = actor {
            access::require(a, Action::ReadAggregates)?;
        }
        let mut c = self.db.replica().acquire().await?;
        Ok(store::summary(&mut c, year, by).await?)
    }
}

/// Twelve hex digits of a fresh v7 uuid: unique, and short enough to read out.
fn uuid_suffix() -> String {
    let u = uuid::Uuid::now_v7().simple().to_string();
    u[u.len() - 12..].to_uppercase()
}

/// The summary as the command line prints it: a table with a total line.
pub fn summary_text(by: IncidentGrouping, rows: &[IncidentFigure]) -> String {
    let width = rows.iter().map(|r| r.key.chars().count()).max().unwrap_or(0).max(by.as_str().len()).max(5);
    let mut out = format!("{:<width$}  {:>9}  {:>9}  {:>9}  {:>16}\n", by.as_str(), "incidents", "dead", "missing", "dead_and_missing");
    let mut total = IncidentFigure { key: "Total".into(), incidents: 0, dead: 0, missing: 0, dead_and_missing: 0 };
    for r in rows {
        out.push_str(&format!("{:<width$}  {:>9}  {:>9}  {:>9}  {:>16}\n", r.key, r.incidents, r.dead, r.missing, r.dead_and_missing));
        total.incidents += r.incidents;
        total.dead += r.dead;
        total.missing += r.missing;
        total.dead_and_missing += r.dead_and_missing;
    }
    out.push_str(&format!(
        "{:<width$}  {:>9}  {:>9}  {:>9}  {:>16}\n",
        total.key, total.incidents, total.dead, total.missing, total.dead_and_missing
    ));
    out
}

/// The summary as CSV: `<by>,incidents,dead,missing,dead_and_missing`, one
/// row per group, no thousands separators, no total row (a sum is the
/// reader's to make).
pub fn summary_csv(by: IncidentGrouping, rows: &[IncidentFigure], hxl: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([by.as_str(), "incidents", "dead", "missing", "dead_and_missing"]);
    if hxl {
        let key = match by {
            IncidentGrouping::Region => "#region+name",
            IncidentGrouping::Route => "#meta+route",
            IncidentGrouping::Cause => "#meta+cause",
            IncidentGrouping::Country => "#country+name",
        };
        let _ = w.write_record([key, "#event+num", "#affected+dead", "#affected+missing", "#affected+dead+missing"]);
    }
    for r in rows {
        let _ = w.write_record([
            r.key.clone(),
            r.incidents.to_string(),
            r.dead.to_string(),
            r.missing.to_string(),
            r.dead_and_missing.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Incidents in the published file's format (its header, its joining of
/// lists, blank for unknown), so a file written here reads back unchanged
/// and the tests and the demo exercise the same reader a real file meets.
pub fn write_mmp(incidents: &[Incident]) -> String {
    write_mmp_with(incidents, false)
}

/// The HXL hashtag of each column of the published file, in its order.
pub const MMP_HXL: [&str; 25] = [
    "#event+id",
    "#event+id+incident",
    "#event+type",
    "#region+name",
    "#date+occurred",
    "#date+year",
    "#date+month",
    "#affected+dead",
    "#affected+missing",
    "#affected+dead+missing",
    "#affected+survivors",
    "#affected+f",
    "#affected+m",
    "#affected+children",
    "#country+name+origin",
    "#region+name+origin",
    "#meta+cause",
    "#country+name",
    "#meta+route",
    "#loc+name",
    "#geo+coord",
    "#region+name+unsd",
    "#meta+source",
    "#meta+url",
    "#meta+quality",
];

/// The same, with an HXL hashtag row under the header when `hxl`.
pub fn write_mmp_with(incidents: &[Incident], hxl: bool) -> String {
    use passage_domain::incident::join_values;
    const MONTHS: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(MMP_COLUMNS);
    if hxl {
        let _ = w.write_record(MMP_HXL);
    }
    for i in incidents {
        let _ = w.write_record([
            i.main_id.clone(),
            join_values(&i.incident_ids),
            join_values(&i.kinds),
            join_values(&i.regions),
            i.date.map(|d| d.to_string()).unwrap_or_default(),
            i.year.map(|y| y.to_string()).unwrap_or_default(),
            i.month.and_then(|m| MONTHS.get(usize::from(m).wrapping_sub(1))).map(|m| m.to_string()).unwrap_or_default(),
            n(i.dead),
            n(i.missing),
            n(i.dead_and_missing),
            n(i.survivors),
            n(i.females),
            n(i.males),
            n(i.children),
            join_values(&i.countries_of_origin),
            join_values(&i.regions_of_origin),
            join_values(&i.causes),
            join_values(&i.countries_of_incident),
            join_values(&i.routes),
            i.location.clone(),
            i.coordinates.map(|p| format!("{}, {}", p.lat, p.lon)).unwrap_or_default(),
            join_values(&i.unsd_groupings),
            i.source.clone(),
            i.url.clone(),
            i.source_quality.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(","),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Plausible incidents on the routes the programme works on, for the demo
/// and the tests: seeded, so the same seed gives the same file. With
/// `quirks`, some rows carry what the published file carries (several
/// routes or causes in a cell, split and cumulative incidents, no date, a
/// negative survivor count, a sex breakdown above its total).
pub fn synthetic_incidents(seed: u64, count: usize, years: std::ops::RangeInclusive<i32>, quirks: bool) -> Vec<Incident> {
    use passage_domain::incident::{CauseOfDeath, Coordinates};
    let mut rng = passage_domain::random::SplitMix64::new(seed ^ 0x1c1d_e475);
    let mut draw = |n: u64| rng.next_u64() % n.max(1);
    let routes = [
        SyntheticRoute {
            name: "Central Mediterranean",
            region: "Mediterranean",
            unsd: "Uncategorized",
            countries: &["Libya", "Tunisia", "Italy", "Malta"],
            lat: 34.0,
            lon: 14.0,
            spread: 3.0,
            weight: 40,
        },
        SyntheticRoute {
            name: "Sahara Desert crossing",
            region: "Northern Africa",
            unsd: "Northern Africa",
            countries: &["Niger", "Libya", "Algeria", "Mali"],
            lat: 21.0,
            lon: 9.0,
            spread: 5.0,
            weight: 20,
        },
        SyntheticRoute {
            name: "Western Mediterranean",
            region: "Mediterranean",
            unsd: "Uncategorized",
            countries: &["Morocco", "Spain", "Algeria"],
            lat: 36.0,
            lon: -3.0,
            spread: 1.5,
            weight: 12,
        },
        SyntheticRoute {
            name: "Western Africa / Atlantic route to the Canary Islands",
            region: "Western Africa",
            unsd: "Western Africa",
            countries: &["Senegal", "Mauritania", "Spain"],
            lat: 22.0,
            lon: -18.0,
            spread: 4.0,
            weight: 15,
        },
        SyntheticRoute {
            name: "Eastern Mediterranean",
            region: "Mediterranean",
            unsd: "Uncategorized",
            countries: &["Greece", "Türkiye"],
            lat: 37.5,
            lon: 26.5,
            spread: 1.5,
            weight: 13,
        },
    ];
    let weight: u64 = routes.iter().map(|r| r.weight).sum();
    let origins = ["Guinea", "Mali", "Côte d'Ivoire", "Nigeria", "Sudan", "Eritrea", "Bangladesh", "Syrian Arab Republic", "Unknown"];
    let origin_regions = [
        "Western Africa",
        "Western Africa",
        "Western Africa",
        "Western Africa",
        "Northern Africa",
        "Eastern Africa",
        "Southern Asia",
        "Western Asia",
        "Unknown",
    ];
    let years_n = (years.end() - years.start() + 1).max(1) as u64;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let mut pick = draw(weight);
        let r = routes
            .iter()
            .find(|r| {
                if pick < r.weight {
                    true
                } else {
                    pick -= r.weight;
                    false
                }
            })
            .unwrap_or(&routes[0]);
        let (route, region, unsd, countries, lat, lon, spread) = (r.name, r.region, r.unsd, r.countries, r.lat, r.lon, r.spread);
        let year = years.start() + draw(years_n) as i32;
        let (mut month, mut day) = (1 + draw(12) as u8, 1 + draw(28) as u8);
        // The current year's incidents have happened already.
        let today = CalendarDate::today();
        if (year, month, day) > (today.year(), today.month(), today.day()) {
            (month, day) = (today.month(), today.day());
        }
        let sea = route.contains("Mediterranean") || route.contains("Atlantic");
        let cause = if sea {
            if draw(10) < 8 {
                CauseOfDeath::Drowning
            } else {
                CauseOfDeath::MixedOrUnknown
            }
        } else {
            [CauseOfDeath::HarshConditions, CauseOfDeath::VehicleAccident, CauseOfDeath::Violence, CauseOfDeath::Sickness][draw(4) as usize]
        };
        // Most incidents are small; a few shipwrecks are large.
        let size = if draw(20) == 0 { 20 + draw(200) as i64 } else { 1 + draw(6) as i64 };
        let missing_part = if sea { draw(size as u64 + 1) as i64 } else { 0 };
        let dead = size - missing_part;
        let o = draw(origins.len() as u64) as usize;
        let jitter = |r: u64| (r as f64 / u64::MAX as f64 - 0.5) * 2.0 * spread;
        let coordinates = Coordinates::new(lat + jitter(rng_value(seed, k as u64, 1)), lon + jitter(rng_value(seed, k as u64, 2)));
        let main_id = format!("{year}.MMP{:05}", k + 1);
        let mut i = Incident {
            main_id: main_id.clone(),
            incident_ids: vec![main_id],
            kinds: vec!["Incident".into()],
            regions: vec![region.into()],
            date: CalendarDate::from_ymd(year, month, day),
            year: Some(year),
            month: Some(month),
            dead: (dead > 0).then_some(dead),
            missing: (missing_part > 0).then_some(missing_part),
            dead_and_missing: Some(size),
            survivors: if sea && draw(3) == 0 { Some(draw(120) as i64) } else { None },
            females: None,
            males: None,
            children: None,
            countries_of_origin: vec![origins[o].into()],
            regions_of_origin: vec![origin_regions[o].into()],
            causes: vec![cause.label().into()],
            countries_of_incident: vec![countries[draw(countries.len() as u64) as usize].into()],
            routes: vec![route.into()],
            location: format!("Synthetic place {}", 1 + draw(400)),
            coordinates,
            unsd_groupings: vec![unsd.into()],
            source: "Synthetic source (Passage demo)".into(),
            url: String::new(),
            source_quality: vec![1 + draw(5) as u8],
        };
        if size <= 4 && draw(2) == 0 {
            let f = draw(size as u64 + 1) as i64;
            i.females = Some(f);
            i.males = Some(size - f);
        }
        if quirks {
            match draw(40) {
                // The desert leg before the sea crossing, recorded on one incident.
                0 if route == "Central Mediterranean" => i.routes.insert(0, "Sahara Desert crossing".into()),
                1 => i.causes = vec![CauseOfDeath::HarshConditions.label().into(), CauseOfDeath::Violence.label().into()],
                2 => {
                    i.kinds = vec!["Split Incident".into()];
                    i.incident_ids = vec![format!("{}1", i.main_id), format!("{}2", i.main_id)];
                }
                3 => {
                    i.kinds = vec!["Cumulative Incident".into()];
                    i.coordinates = None;
                }
                4 => {
                    i.date = None;
                    i.month = None;
                }
                5 => i.survivors = Some(-(1 + draw(3) as i64)),
                6 => {
                    i.females = Some(size + 2);
                    i.males = Some(1);
                }
                7 => i.countries_of_origin = vec!["Mali".into(), "Sudan".into()],
                8 => i.source_quality = vec![1, 4],
                _ => {}
            }
        }
        out.push(i);
    }
    out
}

/// A route of the synthetic incidents: where its incidents happen, and how many of them.
struct SyntheticRoute {
    name: &'static str,
    region: &'static str,
    unsd: &'static str,
    countries: &'static [&'static str],
    lat: f64,
    lon: f64,
    /// Degrees around the centre.
    spread: f64,
    weight: u64,
}

/// An independent draw for a coordinate: the main stream stays the same when
/// the shape of a row changes.
fn rng_value(seed: u64, k: u64, part: u64) -> u64 {
    passage_domain::random::SplitMix64::new(seed.wrapping_mul(31).wrapping_add(k * 4 + part)).next_u64()
}
