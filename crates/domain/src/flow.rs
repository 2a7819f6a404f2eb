//! Flow monitoring: counts of the people who pass a transit point (a bus
//! station, a border post, a checkpoint such as Séguédine or Sabha), by
//! direction, transport, nationality, origin and destination, and by sex and
//! age where the enumerator could tell. It is how a programme knows its
//! caseload before anyone is registered; the counts are anonymous aggregates
//! that go through disclosure control like every other figure of persons.
//!
//! A count is one observation period at one point: a day, or a week named by
//! its Monday. Its breakdowns may be partial (the enumerator could not tell
//! everyone apart) but never larger than its total, and nothing is negative:
//! these are our own users' numbers, so an impossible one is an error to fix,
//! not a quirk to keep.

use crate::activity::parse_degrees;
use crate::codes::CountryCode;
use crate::date::CalendarDate;
use crate::error::{FieldError, Invalid};
use crate::text;

code_enum!(
    /// What kind of place a flow-monitoring point is.
    PointKind {
        BusStation => "bus_station",
        BorderCrossing => "border_crossing",
        Checkpoint => "checkpoint",
        TransitSite => "transit_site",
    }
);

code_enum!(
    /// Which way the people counted were going, as the point sees it.
    Direction {
        Incoming => "incoming",
        Outgoing => "outgoing",
        /// Passing through without stopping.
        Transit => "transit",
    }
);

code_enum!(
    /// How they travelled.
    TransportMode {
        Bus => "bus",
        Truck => "truck",
        Car => "car",
        Motorbike => "motorbike",
        OnFoot => "on_foot",
        Boat => "boat",
        Other => "other",
    }
);

code_enum!(
    /// The length of an observation period.
    PeriodKind {
        Day => "day",
        /// Monday to Sunday, named by its Monday.
        Week => "week",
    }
);

/// The largest count one observation may hold: a busy border post sees
/// thousands a day; a week of a hundred thousand is a typing error.
pub const MAX_COUNT: i64 = 100_000;

/// A flow-monitoring point as a form, the API or a file row gives it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = FlowPoint)]
pub struct FlowPointInput {
    /// A short code the point is known by (AGZ-BUS, SEG-CHK).
    #[schema(pattern = "^[A-Za-z0-9-]{2,16}$", required = true)]
    pub code: String,
    #[schema(schema_with = crate::schema::text, required = true)]
    pub name: String,
    #[schema(schema_with = crate::schema::country, required = true)]
    pub country: String,
    /// First administrative level (region).
    pub admin1: String,
    /// Second administrative level (department).
    pub admin2: String,
    /// Decimal degrees.
    #[schema(required = true)]
    pub latitude: String,
    #[schema(required = true)]
    pub longitude: String,
    #[schema(schema_with = crate::schema::code::<PointKind>, required = true)]
    pub kind: String,
    /// The office that runs the point, when one does.
    pub office_id: String,
    /// The first day counted here (default: today).
    #[schema(schema_with = crate::schema::date_or_empty)]
    pub active_from: String,
    /// The last day, once the point closed.
    #[schema(schema_with = crate::schema::date_or_empty)]
    pub active_until: String,
}

/// A point ready to store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewFlowPoint {
    pub code: String,
    pub name: String,
    pub country: CountryCode,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub latitude_e6: i64,
    pub longitude_e6: i64,
    pub kind: PointKind,
    pub active_from: CalendarDate,
    pub active_until: Option<CalendarDate>,
}

impl FlowPointInput {
    /// The point, and the office id as given (the service checks it exists).
    pub fn parse(&self, today: CalendarDate) -> Result<(NewFlowPoint, Option<String>), Invalid> {
        let mut inv = Invalid::default();
        let code = inv.take(crate::office::parse_office_code("code", &self.code));
        let name = inv.take(text::required("name", &self.name, 120, false));
        let country = inv.take(CountryCode::parse("country", &self.country));
        let admin1 = inv.take(text::clean("admin1", &self.admin1, 120, false)).flatten();
        let admin2 = inv.take(text::clean("admin2", &self.admin2, 120, false)).flatten();
        let lat = inv.take(parse_degrees("latitude", &self.latitude, 90));
        let lon = inv.take(parse_degrees("longitude", &self.longitude, 180));
        let kind = inv.take(PointKind::parse("kind", &self.kind));
        let from = match self.active_from.trim() {
            "" => Some(today),
            s => inv.take(CalendarDate::parse("active_from", s)),
        };
        let until = match self.active_until.trim() {
            "" => None,
            s => inv.take(CalendarDate::parse("active_until", s)),
        };
        if let (Some(f), Some(u)) = (from, until) {
            if u < f {
                inv.push(FieldError::new("active_until", "err-date-before").with("other", "active_from"));
            }
        }
        inv.into_result()?;
        let office = Some(self.office_id.trim().to_string()).filter(|o| !o.is_empty());
        Ok((
            NewFlowPoint {
                code: code.expect("checked"),
                name: name.expect("checked"),
                country: country.expect("checked"),
                admin1,
                admin2,
                latitude_e6: lat.expect("checked"),
                longitude_e6: lon.expect("checked"),
                kind: kind.expect("checked"),
                active_from: from.expect("checked"),
                active_until: until,
            },
            office,
        ))
    }
}

/// One observation as a form, the API, an ODK submission or a file row gives it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = FlowCount)]
pub struct FlowCountInput {
    /// The point's code.
    #[schema(required = true)]
    pub point: String,
    /// The day counted, or any day of the week counted (the week is named by its Monday); or YYYY-Www.
    #[schema(required = true)]
    pub date: String,
    #[schema(schema_with = crate::schema::code::<PeriodKind>, required = true)]
    pub period: String,
    #[schema(schema_with = crate::schema::code::<Direction>, required = true)]
    pub direction: String,
    #[schema(schema_with = crate::schema::code::<TransportMode>, required = true)]
    pub transport_mode: String,
    #[schema(schema_with = crate::schema::country_or_empty)]
    pub nationality: String,
    #[schema(schema_with = crate::schema::country_or_empty)]
    pub origin_country: String,
    #[schema(schema_with = crate::schema::country_or_empty)]
    pub destination_country: String,
    /// Everyone counted.
    #[schema(schema_with = crate::schema::positive, required = true)]
    pub total: String,
    /// Adult men, where told apart (may be partial, never above the total).
    pub men: String,
    pub women: String,
    pub boys: String,
    pub girls: String,
    pub unaccompanied_children: String,
    pub pregnant_women: String,
    pub persons_with_disabilities: String,
}

/// What makes two observations the same one: a re-import or a resubmission
/// of the same key replaces, never adds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    pub point: String,
    pub start: CalendarDate,
    pub period: PeriodKind,
    pub direction: Direction,
    pub transport_mode: TransportMode,
    pub nationality: Option<CountryCode>,
    pub origin: Option<CountryCode>,
    pub destination: Option<CountryCode>,
}

/// An observation ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlowCount {
    pub key: FlowKey,
    pub total: i64,
    pub men: Option<i64>,
    pub women: Option<i64>,
    pub boys: Option<i64>,
    pub girls: Option<i64>,
    pub unaccompanied_children: Option<i64>,
    pub pregnant_women: Option<i64>,
    pub persons_with_disabilities: Option<i64>,
}

/// `YYYY-Www` of the ISO week a day falls in.
pub fn iso_week(d: CalendarDate) -> String {
    let (y, w, _) = d.inner().to_iso_week_date();
    format!("{y}-W{w:02}")
}

/// The Monday of the week a day falls in.
pub fn monday_of(d: CalendarDate) -> CalendarDate {
    let back = d.inner().weekday().number_days_from_monday() as i64;
    d.add_days(-back)
}

/// `YYYY-Www` → its Monday.
fn parse_iso_week(s: &str) -> Option<CalendarDate> {
    let (y, w) = s.split_once(['W', 'w'])?;
    let y: i32 = y.trim_end_matches('-').parse().ok()?;
    let w: u8 = w.parse().ok()?;
    time::Date::from_iso_week_date(y, w, time::Weekday::Monday)
        .ok()
        .and_then(|d| CalendarDate::from_ymd(d.year(), d.month() as u8, d.day()))
}

fn optional_country(field: &str, s: &str, inv: &mut Invalid) -> Option<CountryCode> {
    match s.trim() {
        "" => None,
        c => inv.take(CountryCode::parse(field, c)),
    }
}

fn part(field: &str, s: &str, inv: &mut Invalid) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.starts_with('-') {
        inv.push(FieldError::new(field, "err-count-negative"));
        return None;
    }
    if s.chars().all(|c| c == '0') {
        return Some(0);
    }
    inv.take(crate::assistance::parse_count(field, s, MAX_COUNT))
}

impl FlowCountInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewFlowCount, Invalid> {
        let mut inv = Invalid::default();
        let point = inv.take(crate::office::parse_office_code("point", &self.point));
        let period = inv.take(PeriodKind::parse("period", &self.period));
        let date = match self.date.trim() {
            "" => {
                inv.push(FieldError::new("date", "err-required"));
                None
            }
            s if s.contains(['W', 'w']) => {
                let d = parse_iso_week(s);
                if d.is_none() {
                    inv.push(FieldError::new("date", "err-date-format").with("value", s.chars().take(20).collect::<String>()));
                }
                d
            }
            s => inv.take(CalendarDate::parse("date", s)),
        };
        let start = match (date, period) {
            (Some(d), Some(PeriodKind::Week)) => Some(monday_of(d)),
            (d, _) => d,
        };
        if start.is_some_and(|d| d > today) {
            inv.push(FieldError::new("date", "err-date-in-future"));
        }
        let direction = inv.take(Direction::parse("direction", &self.direction));
        let transport_mode = inv.take(TransportMode::parse("transport_mode", &self.transport_mode));
        let nationality = optional_country("nationality", &self.nationality, &mut inv);
        let origin = optional_country("origin_country", &self.origin_country, &mut inv);
        let destination = optional_country("destination_country", &self.destination_country, &mut inv);
        let total = if self.total.trim().starts_with('-') {
            inv.push(FieldError::new("total", "err-count-negative"));
            None
        } else {
            inv.take(crate::assistance::parse_count("total", &self.total, MAX_COUNT))
        };
        let men = part("men", &self.men, &mut inv);
        let women = part("women", &self.women, &mut inv);
        let boys = part("boys", &self.boys, &mut inv);
        let girls = part("girls", &self.girls, &mut inv);
        let unaccompanied = part("unaccompanied_children", &self.unaccompanied_children, &mut inv);
        let pregnant = part("pregnant_women", &self.pregnant_women, &mut inv);
        let disabled = part("persons_with_disabilities", &self.persons_with_disabilities, &mut inv);
        if let Some(t) = total {
            let sum: i64 = [men, women, boys, girls].iter().flatten().sum();
            if sum > t {
                inv.push(FieldError::new("total", "err-breakdown-exceeds").with("sum", sum).with("total", t));
            }
            for (field, v) in
                [("unaccompanied_children", unaccompanied), ("pregnant_women", pregnant), ("persons_with_disabilities", disabled)]
            {
                if v.is_some_and(|v| v > t) {
                    inv.push(FieldError::new(field, "err-breakdown-exceeds").with("sum", v.unwrap_or(0)).with("total", t));
                }
            }
            // Unaccompanied children are among the boys and girls, where those were counted.
            if let (Some(u), true) = (unaccompanied, boys.is_some() || girls.is_some()) {
                let children = boys.unwrap_or(0) + girls.unwrap_or(0);
                if u > children {
                    inv.push(FieldError::new("unaccompanied_children", "err-breakdown-exceeds").with("sum", u).with("total", children));
                }
            }
            if let (Some(p), Some(w)) = (pregnant, women.map(|w| w + girls.unwrap_or(0))) {
                if p > w {
                    inv.push(FieldError::new("pregnant_women", "err-breakdown-exceeds").with("sum", p).with("total", w));
                }
            }
        }
        inv.into_result()?;
        Ok(NewFlowCount {
            key: FlowKey {
                point: point.expect("checked"),
                start: start.expect("checked"),
                period: period.expect("checked"),
                direction: direction.expect("checked"),
                transport_mode: transport_mode.expect("checked"),
                nationality,
                origin,
                destination,
            },
            total: total.expect("checked"),
            men,
            women,
            boys,
            girls,
            unaccompanied_children: unaccompanied,
            pregnant_women: pregnant,
            persons_with_disabilities: disabled,
        })
    }
}

/// What flow figures are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowGrouping {
    Point,
    Nationality,
    Direction,
    Week,
}

impl FlowGrouping {
    pub const ALL: [Self; 4] = [Self::Point, Self::Nationality, Self::Direction, Self::Week];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Point => "point",
            Self::Nationality => "nationality",
            Self::Direction => "direction",
            Self::Week => "week",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 12, 7).unwrap()
    }

    fn count() -> FlowCountInput {
        FlowCountInput {
            point: "agz-bus".into(),
            date: "2026-11-18".into(),
            period: "week".into(),
            direction: "outgoing".into(),
            transport_mode: "truck".into(),
            nationality: "GIN".into(),
            destination_country: "LBY".into(),
            total: "120".into(),
            men: "90".into(),
            women: "20".into(),
            boys: "6".into(),
            girls: "4".into(),
            unaccompanied_children: "3".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_week_is_named_by_its_monday() {
        let c = count().parse(today()).unwrap();
        assert_eq!(c.key.start, CalendarDate::from_ymd(2026, 11, 16).unwrap());
        assert_eq!(iso_week(c.key.start), "2026-W47");
        assert_eq!(c.key.point, "AGZ-BUS");
        let w = FlowCountInput { date: "2026-W47".into(), ..count() }.parse(today()).unwrap();
        assert_eq!(w.key, c.key);
        // A day stays the day.
        let d = FlowCountInput { period: "day".into(), ..count() }.parse(today()).unwrap();
        assert_eq!(d.key.start, CalendarDate::from_ymd(2026, 11, 18).unwrap());
    }

    #[test]
    fn a_breakdown_never_exceeds_its_total() {
        let e = FlowCountInput { men: "115".into(), ..count() }.parse(today()).unwrap_err();
        assert_eq!(e.errors[0].field, "total");
        assert_eq!(e.errors[0].code, "err-breakdown-exceeds");
        let e = FlowCountInput { unaccompanied_children: "11".into(), ..count() }.parse(today()).unwrap_err();
        assert_eq!(e.errors[0].field, "unaccompanied_children");
        // Partial breakdowns are fine.
        assert!(FlowCountInput { men: "".into(), women: "".into(), ..count() }.parse(today()).is_ok());
    }

    #[test]
    fn impossible_counts_are_errors() {
        for (f, input) in [
            ("total", FlowCountInput { total: "-4".into(), ..count() }),
            ("total", FlowCountInput { total: "many".into(), ..count() }),
            ("women", FlowCountInput { women: "-1".into(), ..count() }),
            ("date", FlowCountInput { date: "2027-01-04".into(), ..count() }),
            ("date", FlowCountInput { date: "2026-W60".into(), ..count() }),
            ("nationality", FlowCountInput { nationality: "XXX".into(), ..count() }),
            ("direction", FlowCountInput { direction: "sideways".into(), ..count() }),
        ] {
            let e = input.parse(today()).unwrap_err();
            assert!(e.errors.iter().any(|x| x.field == f), "{f}: {:?}", e.errors);
        }
    }

    #[test]
    fn a_point_is_somewhere_real() {
        let p = FlowPointInput {
            code: "seg-chk".into(),
            name: "Séguédine checkpoint".into(),
            country: "NER".into(),
            latitude: "20.1953".into(),
            longitude: "12.9814".into(),
            kind: "checkpoint".into(),
            ..Default::default()
        };
        let (p, office) = p.parse(today()).unwrap();
        assert_eq!((p.code.as_str(), p.latitude_e6, office), ("SEG-CHK", 20_195_300, None));
        let bad = FlowPointInput { latitude: "95".into(), ..Default::default() }.parse(today()).unwrap_err();
        assert!(bad.errors.iter().any(|e| e.field == "latitude"));
    }
}
