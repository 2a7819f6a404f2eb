//! Missing-migrant incidents: a death or disappearance on a migration route,
//! counted incident by incident, as IOM's Missing Migrants Project publishes
//! them and as desert and sea search-and-rescue teams report them. These are
//! anonymous, aggregate records beside the case files: no person is in them.
//!
//! The published file is real-world data and is read as it is. What a cell
//! cannot mean is refused (a date that is no date, a count that is not a
//! number, a point off the globe), and the whole file with it; what is only
//! odd is kept and said (a negative survivor count becomes unknown, a sex
//! breakdown larger than its total stays as published). Blank means unknown,
//! never zero. A cell may hold several values joined by a bare comma
//! (`Mali,Sudan`, `1,4`); a comma followed by a space belongs to the value
//! (`… shelter, food, water`), which is how the file itself tells them apart.

use crate::date::CalendarDate;

/// The columns of the published file, in its order.
pub const MMP_COLUMNS: [&str; 25] = [
    "Main ID",
    "Incident ID",
    "Incident Type",
    "Region of Incident",
    "Incident Date",
    "Incident Year",
    "Month",
    "Number of Dead",
    "Minimum Estimated Number of Missing",
    "Total Number of Dead and Missing",
    "Number of Survivors",
    "Number of Females",
    "Number of Males",
    "Number of Children",
    "Country of Origin",
    "Region of Origin",
    "Cause of Death",
    "Country of Incident",
    "Migration Route",
    "Location of Incident",
    "Coordinates",
    "UNSD Geographical Grouping",
    "Information Source",
    "URL",
    "Source Quality",
];

code_enum!(
    /// The field's categories of cause of death (Missing Migrants Project).
    CauseOfDeath {
        Drowning => "drowning",
        /// Harsh environmental conditions / lack of adequate shelter, food, water.
        HarshConditions => "harsh_conditions",
        /// Vehicle accident / death linked to hazardous transport.
        VehicleAccident => "vehicle_accident",
        Violence => "violence",
        /// Sickness / lack of access to adequate healthcare.
        Sickness => "sickness",
        AccidentalDeath => "accidental_death",
        MixedOrUnknown => "mixed_or_unknown",
    }
);

impl CauseOfDeath {
    /// The label the published file uses.
    pub fn label(self) -> &'static str {
        match self {
            Self::Drowning => "Drowning",
            Self::HarshConditions => "Harsh environmental conditions / lack of adequate shelter, food, water",
            Self::VehicleAccident => "Vehicle accident / death linked to hazardous transport",
            Self::Violence => "Violence",
            Self::Sickness => "Sickness / lack of access to adequate healthcare",
            Self::AccidentalDeath => "Accidental death",
            Self::MixedOrUnknown => "Mixed or unknown",
        }
    }

    /// A label as a file may spell it (case, spaces and a missing "adequate" aside).
    pub fn from_label(s: &str) -> Option<Self> {
        let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().replace("adequate ", "");
        let s = fold(s);
        Self::ALL.iter().copied().find(|c| fold(c.label()) == s || c.as_str() == s)
    }
}

/// A point on the globe, in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

impl Coordinates {
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(Self { lat, lon })
    }
}

/// One incident, as the file gives it (lists keep the file's order).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Incident {
    pub main_id: String,
    pub incident_ids: Vec<String>,
    pub kinds: Vec<String>,
    pub regions: Vec<String>,
    pub date: Option<CalendarDate>,
    pub year: Option<i32>,
    pub month: Option<u8>,
    pub dead: Option<i64>,
    pub missing: Option<i64>,
    /// As the file totals it (dead + missing, blank counted as none, when it is blank).
    pub dead_and_missing: Option<i64>,
    pub survivors: Option<i64>,
    pub females: Option<i64>,
    pub males: Option<i64>,
    pub children: Option<i64>,
    pub countries_of_origin: Vec<String>,
    pub regions_of_origin: Vec<String>,
    /// File labels; one of [`CauseOfDeath`]'s where it is one.
    pub causes: Vec<String>,
    pub countries_of_incident: Vec<String>,
    pub routes: Vec<String>,
    pub location: String,
    pub coordinates: Option<Coordinates>,
    pub unsd_groupings: Vec<String>,
    pub source: String,
    pub url: String,
    pub source_quality: Vec<u8>,
}

impl Incident {
    /// The dead and missing this incident adds to a total.
    pub fn total(&self) -> i64 {
        self.dead_and_missing.unwrap_or_else(|| self.dead.unwrap_or(0) + self.missing.unwrap_or(0))
    }
}

/// What became of a cell that was not taken as it stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellNote {
    /// The value cannot be true or cannot be read: the file is refused.
    Refused { column: &'static str, value: String, reason: String },
    /// The value was kept, changed or set aside, as `done` says.
    Kept { column: &'static str, value: String, done: String },
}

/// Values joined by a bare comma; a comma followed by a space is part of a
/// value. Blank pieces (a trailing comma) are dropped, spaces trimmed.
pub fn split_values(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = cell.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b',' && b.get(i + 1).is_none_or(|n| !n.is_ascii_whitespace()) {
            out.push(&cell[start..i]);
            start = i + 1;
        }
    }
    out.push(&cell[start..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// A list as it is stored and grouped on: the file's own joining.
pub fn join_values(values: &[String]) -> String {
    values.join(",")
}

const MONTHS: [&str; 12] =
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/// Read one row of the published file (cells in [`MMP_COLUMNS`] order).
/// Returns the incident unless a cell is refused, and every note either way.
pub fn read_mmp_row(cells: &[&str; 25], today: CalendarDate) -> (Option<Incident>, Vec<CellNote>) {
    let mut notes = Vec::new();
    let cell = |i: usize| cells[i].trim();
    let refuse = |notes: &mut Vec<CellNote>, i: usize, reason: &str| {
        notes.push(CellNote::Refused { column: MMP_COLUMNS[i], value: crate::text::shortened(cells[i]), reason: reason.to_string() })
    };
    let kept = |notes: &mut Vec<CellNote>, i: usize, done: String| {
        notes.push(CellNote::Kept { column: MMP_COLUMNS[i], value: crate::text::shortened(cells[i]), done })
    };

    let main_id = cell(0).to_string();
    if main_id.is_empty() {
        refuse(&mut notes, 0, "every incident needs its Main ID");
    }
    let count = |notes: &mut Vec<CellNote>, i: usize| -> Option<i64> {
        let s = cell(i);
        if s.is_empty() {
            return None;
        }
        match parse_count(s) {
            Some(n) if n < 0 => {
                kept(notes, i, "a count cannot be negative: taken as unknown".into());
                None
            }
            Some(n) => Some(n),
            None => {
                refuse(notes, i, "not a whole number (leave it blank when unknown)");
                None
            }
        }
    };
    let dead = count(&mut notes, 7);
    let missing = count(&mut notes, 8);
    let dead_and_missing = count(&mut notes, 9);
    let survivors = count(&mut notes, 10);
    let females = count(&mut notes, 11);
    let males = count(&mut notes, 12);
    let children = count(&mut notes, 13);
    let sum = dead.unwrap_or(0) + missing.unwrap_or(0);
    if let Some(t) = dead_and_missing {
        if (dead.is_some() || missing.is_some()) && t != sum {
            kept(&mut notes, 9, format!("dead and missing add up to {sum}: the file's total is kept"));
        }
    }
    let total = dead_and_missing.unwrap_or(sum);
    let by_sex = females.unwrap_or(0) + males.unwrap_or(0);
    if by_sex > total {
        kept(&mut notes, 11, format!("females and males ({by_sex}) are more than the dead and missing ({total}): kept as published"));
    }

    let date = match cell(4) {
        "" => None,
        s => match parse_incident_date(s) {
            Some(d) if d > today => {
                refuse(&mut notes, 4, "the date lies in the future");
                None
            }
            Some(d) => Some(d),
            None => {
                refuse(&mut notes, 4, "not a date (YYYY-MM-DD)");
                None
            }
        },
    };
    let year = match cell(5) {
        "" => date.map(|d| d.year()),
        s => match parse_count(s).and_then(|y| i32::try_from(y).ok()) {
            Some(y) if (1900..=today.year()).contains(&y) => Some(y),
            _ => {
                refuse(&mut notes, 5, "not a year");
                None
            }
        },
    };
    if let (Some(d), Some(y)) = (date, year) {
        if d.year() != y && !cell(5).is_empty() {
            kept(&mut notes, 5, format!("the date is in {}: the file's year is kept", d.year()));
        }
    }
    if date.is_none() && cell(5).is_empty() && !main_id.is_empty() {
        kept(&mut notes, 4, "no date and no year: counted in no year's figures".into());
    }
    let month = match cell(6).to_lowercase().as_str() {
        "" => date.map(|d| d.month()),
        m => match MONTHS
            .iter()
            .position(|n| *n == m || n[..3] == *m)
            .map(|i| i as u8 + 1)
            .or_else(|| m.parse::<u8>().ok().filter(|n| (1..=12).contains(n)))
        {
            Some(n) => Some(n),
            None => {
                kept(&mut notes, 6, "not a month: set aside".into());
                date.map(|d| d.month())
            }
        },
    };

    let mut causes = Vec::new();
    for c in split_causes(cell(16)) {
        match CauseOfDeath::from_label(&c) {
            Some(known) => causes.push(known.label().to_string()),
            None => {
                kept(&mut notes, 16, format!("{c:?} is not one of the field's causes of death: kept as written"));
                causes.push(c);
            }
        }
    }

    let coordinates = match cell(20) {
        "" => None,
        s => match parse_coordinates(s) {
            Point::Valid(p) => Some(p),
            Point::Swapped(p) => {
                kept(&mut notes, 20, format!("read as longitude, latitude: {}, {}", p.lat, p.lon));
                Some(p)
            }
            Point::OffTheGlobe => {
                refuse(&mut notes, 20, "not a point on the globe (latitude −90…90, longitude −180…180)");
                None
            }
            Point::Unreadable => {
                refuse(&mut notes, 20, "not coordinates (\"latitude, longitude\" in decimal degrees)");
                None
            }
        },
    };

    let mut source_quality = Vec::new();
    for q in split_values(cell(24)).into_iter().flat_map(|v| v.split(',').map(|p| p.trim().to_string()).collect::<Vec<_>>()) {
        match q.parse::<u8>() {
            Ok(n) if (1..=5).contains(&n) => source_quality.push(n),
            _ if q.is_empty() => {}
            _ => kept(&mut notes, 24, format!("{q:?} is not a source quality from 1 to 5: set aside")),
        }
    }

    if notes.iter().any(|n| matches!(n, CellNote::Refused { .. })) {
        return (None, notes);
    }
    let incident = Incident {
        main_id,
        incident_ids: split_values(cell(1)),
        kinds: split_values(cell(2)),
        regions: split_values(cell(3)),
        date,
        year,
        month,
        dead,
        missing,
        dead_and_missing,
        survivors,
        females,
        males,
        children,
        countries_of_origin: split_values(cell(14)),
        regions_of_origin: split_values(cell(15)),
        causes,
        countries_of_incident: split_values(cell(17)),
        routes: split_values(cell(18)),
        location: cell(19).to_string(),
        coordinates,
        unsd_groupings: split_values(cell(21)),
        source: cell(22).to_string(),
        url: cell(23).to_string(),
        source_quality,
    };
    (Some(incident), notes)
}

/// Causes: the field's labels are matched first (one of them has commas in
/// it); whatever is left is split like any other list.
pub fn split_causes(cell: &str) -> Vec<String> {
    let mut rest = cell.to_string();
    let mut found: Vec<(usize, String)> = Vec::new();
    for c in CauseOfDeath::ALL {
        let label = c.label();
        // ASCII folding keeps byte offsets, so the match can be cut out of `rest`.
        let lower = rest.to_ascii_lowercase();
        if let Some(at) = lower.find(&label.to_ascii_lowercase()) {
            found.push((at, label.to_string()));
            rest.replace_range(at..at + label.len(), &",".repeat(label.len()));
        }
    }
    for piece in split_values(&rest) {
        let at = cell.find(piece.as_str()).unwrap_or(usize::MAX);
        found.push((at, piece));
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, v)| v).collect()
}

/// A whole number as a spreadsheet may write it: `12`, `12.0`, `1 200`.
fn parse_count(s: &str) -> Option<i64> {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let f: f64 = s.parse().ok()?;
    (f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
}

/// `YYYY-MM-DD` (the file's form), or `January 6, 2014` (an older export's).
fn parse_incident_date(s: &str) -> Option<CalendarDate> {
    if let Ok(d) = CalendarDate::parse("date", s) {
        return Some(d);
    }
    // A spreadsheet's timestamp of that day (`2014-01-06 00:00:00`, `2014-01-06T00:00:00Z`): the day is the date.
    if s.len() > 10 && s.is_char_boundary(10) && matches!(s.as_bytes()[10], b' ' | b'T') {
        if let Ok(d) = CalendarDate::parse("date", &s[..10]) {
            return Some(d);
        }
    }
    let s = s.replace(',', " ");
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() == 3 {
        let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(parts[0]) || m[..3].eq_ignore_ascii_case(parts[0]))? as u8 + 1;
        return CalendarDate::from_ymd(parts[2].parse().ok()?, month, parts[1].parse().ok()?);
    }
    None
}

enum Point {
    Valid(Coordinates),
    Swapped(Coordinates),
    OffTheGlobe,
    Unreadable,
}

/// `"lat, lon"` (the file's form) or WKT `POINT (lon lat)` (an older export's).
fn parse_coordinates(s: &str) -> Point {
    let upper = s.to_ascii_uppercase();
    let (a, b) = if let Some(inner) =
        upper.strip_prefix("POINT").map(str::trim).and_then(|r| r.strip_prefix('(')).and_then(|r| r.strip_suffix(')'))
    {
        let mut it = inner.split_whitespace();
        match (it.next().and_then(|x| x.parse::<f64>().ok()), it.next().and_then(|x| x.parse::<f64>().ok()), it.next()) {
            // WKT puts the longitude first.
            (Some(lon), Some(lat), None) => (lat, lon),
            _ => return Point::Unreadable,
        }
    } else {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [a, b] => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() => (a, b),
                _ => return Point::Unreadable,
            },
            _ => return Point::Unreadable,
        }
    };
    match (Coordinates::new(a, b), Coordinates::new(b, a)) {
        (Some(p), _) => Point::Valid(p),
        (None, Some(p)) => Point::Swapped(p),
        (None, None) => Point::OffTheGlobe,
    }
}

/// An incident as a search-and-rescue team or a data officer records it
/// (the API, a form): codes where the published file has names, which are
/// stored as the file would write them.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Incident)]
pub struct IncidentInput {
    #[schema(schema_with = crate::schema::date, required = true)]
    pub date: String,
    /// Where it happened, in words.
    #[schema(schema_with = crate::schema::text, required = true)]
    pub location: String,
    /// Decimal degrees; both or neither.
    pub latitude: String,
    pub longitude: String,
    #[schema(schema_with = crate::schema::country, required = true)]
    pub country: String,
    /// The region as the Missing Migrants Project names it (Mediterranean, Northern Africa…).
    pub region: String,
    /// The route (Central Mediterranean, Sahara Desert crossing…).
    pub route: String,
    pub dead: String,
    pub missing: String,
    pub survivors: String,
    pub females: String,
    pub males: String,
    pub children: String,
    #[schema(schema_with = crate::schema::code_list::<crate::codes::CountryCode>)]
    pub countries_of_origin: Vec<String>,
    #[schema(schema_with = crate::schema::code_list::<CauseOfDeath>)]
    pub causes: Vec<String>,
    /// Who reported it.
    pub source: String,
    pub url: String,
    /// 1 (a single unverified account) to 5 (an official record).
    #[schema(pattern = "^[1-5]?$")]
    pub source_quality: String,
    /// A search-and-rescue operation recorded here that found it.
    #[schema(schema_with = crate::schema::uuid_or_empty)]
    pub sar_operation_id: String,
}

impl IncidentInput {
    /// The incident under `main_id` (the caller names it), and the rescue it links to.
    pub fn parse(&self, main_id: String, today: CalendarDate) -> Result<(Incident, Option<String>), crate::error::Invalid> {
        use crate::error::{FieldError, Invalid};
        let mut inv = Invalid::default();
        let date = inv.take(crate::screening::parse_past_date("date", &self.date, today));
        let location = inv.take(crate::text::required("location", &self.location, 200, false));
        let coordinates = match (self.latitude.trim(), self.longitude.trim()) {
            ("", "") => None,
            (a, b) => {
                let lat = inv.take(crate::activity::parse_degrees("latitude", a, 90));
                let lon = inv.take(crate::activity::parse_degrees("longitude", b, 180));
                lat.zip(lon).and_then(|(a, b)| Coordinates::new(a as f64 / 1e6, b as f64 / 1e6))
            }
        };
        let country = inv.take(crate::codes::CountryCode::parse("country", &self.country));
        let count = |inv: &mut Invalid, field: &str, s: &str| -> Option<i64> {
            match s.trim() {
                "" => None,
                "0" => Some(0),
                s if s.starts_with('-') => {
                    inv.push(FieldError::new(field, "err-count-negative"));
                    None
                }
                s => inv.take(crate::assistance::parse_count(field, s, 100_000)),
            }
        };
        let dead = count(&mut inv, "dead", &self.dead);
        let missing = count(&mut inv, "missing", &self.missing);
        let survivors = count(&mut inv, "survivors", &self.survivors);
        let females = count(&mut inv, "females", &self.females);
        let males = count(&mut inv, "males", &self.males);
        let children = count(&mut inv, "children", &self.children);
        let total = dead.unwrap_or(0) + missing.unwrap_or(0);
        if total == 0 && inv.errors.iter().all(|e| e.field != "dead" && e.field != "missing") {
            inv.push(FieldError::new("dead", "err-incident-empty"));
        }
        let by_sex = females.unwrap_or(0) + males.unwrap_or(0);
        if by_sex > total {
            inv.push(FieldError::new("females", "err-breakdown-exceeds").with("sum", by_sex).with("total", total));
        }
        if children.is_some_and(|c| c > total) {
            inv.push(FieldError::new("children", "err-breakdown-exceeds").with("sum", children.unwrap_or(0)).with("total", total));
        }
        let mut origins = Vec::new();
        for o in self.countries_of_origin.iter().filter(|o| !o.trim().is_empty()) {
            if let Some(c) = inv.take(crate::codes::CountryCode::parse("countries_of_origin", o)) {
                origins.push(c.names().en.clone());
            }
        }
        let mut causes = Vec::new();
        for c in self.causes.iter().filter(|c| !c.trim().is_empty()) {
            if let Some(c) = inv.take(CauseOfDeath::parse("causes", c)) {
                causes.push(c.label().to_string());
            }
        }
        let quality = match self.source_quality.trim() {
            "" => vec![],
            q => match q.parse::<u8>() {
                Ok(n) if (1..=5).contains(&n) => vec![n],
                _ => {
                    inv.push(FieldError::new("source_quality", "err-number-range").with("min", 1).with("max", 5));
                    vec![]
                }
            },
        };
        let text = |inv: &mut Invalid, field: &str, s: &str, max: usize| {
            inv.take(crate::text::clean(field, s, max, false)).flatten().unwrap_or_default()
        };
        let region = text(&mut inv, "region", &self.region, 80);
        let route = text(&mut inv, "route", &self.route, 120);
        let source = text(&mut inv, "source", &self.source, 500);
        let url = text(&mut inv, "url", &self.url, 500);
        let sar = Some(self.sar_operation_id.trim().to_string()).filter(|s| !s.is_empty());
        inv.into_result()?;
        let date = date.expect("checked");
        let list = |s: String| if s.is_empty() { vec![] } else { vec![s] };
        Ok((
            Incident {
                incident_ids: vec![main_id.clone()],
                main_id,
                kinds: vec!["Incident".into()],
                regions: list(region),
                date: Some(date),
                year: Some(date.year()),
                month: Some(date.month()),
                dead,
                missing,
                dead_and_missing: Some(total),
                survivors,
                females,
                males,
                children,
                countries_of_origin: origins,
                regions_of_origin: vec![],
                causes,
                countries_of_incident: vec![country.expect("checked").names().en.clone()],
                routes: list(route),
                location: location.expect("checked"),
                coordinates,
                unsd_groupings: vec![],
                source,
                url,
                source_quality: quality,
            },
            sar,
        ))
    }
}

/// What incident figures are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentGrouping {
    Region,
    Route,
    Cause,
    Country,
}

impl IncidentGrouping {
    pub const ALL: [Self; 4] = [Self::Region, Self::Route, Self::Cause, Self::Country];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Route => "route",
            Self::Cause => "cause",
            Self::Country => "country",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }
    /// The incident's group: its values as the file joins them, so that an
    /// incident on two routes is counted once, under both together, and the
    /// groups of a year add up to the year.
    pub fn key_of(self, i: &Incident) -> String {
        let values = match self {
            Self::Region => &i.regions,
            Self::Route => &i.routes,
            Self::Cause => &i.causes,
            Self::Country => &i.countries_of_incident,
        };
        if values.is_empty() {
            UNKNOWN.to_string()
        } else {
            join_values(values)
        }
    }
}

/// The group of incidents whose cell is blank.
pub const UNKNOWN: &str = "Unknown";

/// One line of an incident summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IncidentFigure {
    pub key: String,
    pub incidents: i64,
    pub dead: i64,
    pub missing: i64,
    pub dead_and_missing: i64,
}

/// Most dead and missing first, then by name; blank counts count as none.
pub fn sort_figures(rows: &mut [IncidentFigure]) {
    rows.sort_by(|a, b| b.dead_and_missing.cmp(&a.dead_and_missing).then_with(|| a.key.cmp(&b.key)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 12, 7).unwrap()
    }

    fn row(over: &[(usize, &str)]) -> [String; 25] {
        let mut r: [String; 25] = Default::default();
        let base = [
            "2021.MMP00012",
            "2021.MMP00012",
            "Incident",
            "Mediterranean",
            "2021-03-04",
            "2021",
            "March",
            "3",
            "7",
            "10",
            "40",
            "",
            "",
            "",
            "Guinea,Mali",
            "Western Africa",
            "Drowning",
            "Libya",
            "Central Mediterranean",
            "Off Sabratha",
            "32.9, 12.4",
            "Northern Africa",
            "A rescue NGO",
            "",
            "3",
        ];
        for (i, b) in base.iter().enumerate() {
            r[i] = b.to_string();
        }
        for (i, v) in over {
            r[*i] = v.to_string();
        }
        r
    }

    fn read(r: &[String; 25]) -> (Option<Incident>, Vec<CellNote>) {
        let cells: [&str; 25] = std::array::from_fn(|i| r[i].as_str());
        read_mmp_row(&cells, today())
    }

    #[test]
    fn a_plain_row_is_read_as_published() {
        let (i, notes) = read(&row(&[]));
        let i = i.unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((i.dead, i.missing, i.dead_and_missing, i.survivors), (Some(3), Some(7), Some(10), Some(40)));
        assert_eq!(i.countries_of_origin, vec!["Guinea", "Mali"]);
        assert_eq!(i.coordinates, Some(Coordinates { lat: 32.9, lon: 12.4 }));
        assert_eq!((i.year, i.month), (Some(2021), Some(3)));
    }

    #[test]
    fn blank_is_unknown_never_zero() {
        let (i, _) = read(&row(&[(7, ""), (9, "7"), (10, "")]));
        let i = i.unwrap();
        assert_eq!((i.dead, i.survivors, i.total()), (None, None, 7));
    }

    #[test]
    fn the_quirks_of_the_published_file_are_kept_and_said() {
        // A negative survivor count, a sex breakdown above the total, a cause with commas in its label
        // beside another, a multi-valued source quality, a region list, a trailing comma.
        let (i, notes) = read(&row(&[
            (10, "-2"),
            (11, "9"),
            (12, "4"),
            (16, "Harsh environmental conditions / lack of adequate shelter, food, water,Violence"),
            (24, "1,4"),
            (3, "Mediterranean,Northern Africa"),
            (14, "Mali, "),
        ]));
        let i = i.expect("quirks never refuse a row");
        assert_eq!(i.survivors, None);
        assert_eq!(i.causes, vec![CauseOfDeath::HarshConditions.label(), "Violence"]);
        assert_eq!(i.source_quality, vec![1, 4]);
        assert_eq!(i.regions, vec!["Mediterranean", "Northern Africa"]);
        assert_eq!(i.countries_of_origin, vec!["Mali"]);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes.iter().all(|n| matches!(n, CellNote::Kept { .. })));
    }

    #[test]
    fn rows_without_a_date_count_in_their_year() {
        let (i, notes) = read(&row(&[(4, ""), (6, "")]));
        let i = i.unwrap();
        assert_eq!((i.date, i.year, i.month), (None, Some(2021), None));
        assert!(notes.is_empty());
        let (i, notes) = read(&row(&[(4, ""), (5, ""), (6, "")]));
        assert_eq!(i.unwrap().year, None);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn what_cannot_be_true_refuses_the_row() {
        for (col, v) in
            [(4, "2021-02-30"), (4, "2027-01-01"), (7, "three"), (8, "2.5"), (20, "91.5, 200"), (20, "near Agadez"), (5, "21"), (0, " ")]
        {
            let (i, notes) = read(&row(&[(col, v)]));
            assert!(i.is_none(), "{col} {v:?} was taken");
            assert!(notes.iter().any(|n| matches!(n, CellNote::Refused { column, .. } if *column == MMP_COLUMNS[col])), "{notes:?}");
        }
    }

    #[test]
    fn coordinates_in_either_order_or_as_wkt() {
        let p = |s: &str| read(&row(&[(20, s)])).0.unwrap().coordinates.unwrap();
        assert_eq!(p("POINT (12.4 32.9)"), Coordinates { lat: 32.9, lon: 12.4 });
        assert_eq!(p("59.1551, 28"), Coordinates { lat: 59.1551, lon: 28.0 });
        // A longitude beyond ±90 first: the pair was written the other way round.
        assert_eq!(p("-110.36, 31.65"), Coordinates { lat: 31.65, lon: -110.36 });
    }

    #[test]
    fn a_timestamp_is_its_day() {
        let d = |s: &str| read(&row(&[(4, s)])).0.unwrap().date.unwrap();
        assert_eq!(d("2021-03-04 00:00:00"), CalendarDate::from_ymd(2021, 3, 4).unwrap());
        assert_eq!(d("2021-03-04T00:00:00Z"), CalendarDate::from_ymd(2021, 3, 4).unwrap());
        assert_eq!(d("March 4, 2021"), CalendarDate::from_ymd(2021, 3, 4).unwrap());
    }

    #[test]
    fn values_split_on_bare_commas_only() {
        assert_eq!(split_values("Bonaire, Sint Eustatius and Saba,Mali"), vec!["Bonaire, Sint Eustatius and Saba", "Mali"]);
        assert_eq!(split_values(""), Vec::<String>::new());
        assert_eq!(split_causes("Drowning,Violence"), vec!["Drowning", "Violence"]);
        assert_eq!(CauseOfDeath::from_label("sickness / lack of access to healthcare"), Some(CauseOfDeath::Sickness));
    }

    #[test]
    fn groups_partition_the_incidents() {
        let (a, _) = read(&row(&[(18, "Central Mediterranean,Sahara Desert crossing")]));
        let (b, _) = read(&row(&[(18, "")]));
        assert_eq!(IncidentGrouping::Route.key_of(&a.unwrap()), "Central Mediterranean,Sahara Desert crossing");
        assert_eq!(IncidentGrouping::Route.key_of(&b.unwrap()), UNKNOWN);
    }
}
