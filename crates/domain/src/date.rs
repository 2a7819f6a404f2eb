//! Dates as the field has them. A calendar date is checked (no 31 February);
//! a date of birth is exact, known only by year, or estimated — and an
//! "estimated" date written as 1 January is common enough that matching and
//! age groups must treat it as a year, not a birthday.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month, OffsetDateTime};

/// A valid day on the Gregorian calendar, stored and exchanged as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(Date);

impl CalendarDate {
    pub fn from_ymd(y: i32, m: u8, d: u8) -> Option<Self> {
        let month = Month::try_from(m).ok()?;
        Date::from_calendar_date(y, month, d).ok().map(Self)
    }

    /// Parse `YYYY-MM-DD` (ISO 8601, the API's form and the HTML date input's).
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let bad = || FieldError::new(field, "err-date-format").with("value", s.chars().take(20).collect::<String>());
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(bad());
        }
        let y: i32 = parts[0].parse().map_err(|_| bad())?;
        let m: u8 = parts[1].parse().map_err(|_| bad())?;
        let d: u8 = parts[2].parse().map_err(|_| bad())?;
        if !(1..=12).contains(&m) {
            return Err(bad());
        }
        Self::from_ymd(y, m, d).ok_or_else(|| FieldError::new(field, "err-date-impossible").with("value", s))
    }

    pub fn today() -> Self {
        Self(OffsetDateTime::now_utc().date())
    }
    pub fn year(&self) -> i32 {
        self.0.year()
    }
    pub fn month(&self) -> u8 {
        self.0.month() as u8
    }
    pub fn day(&self) -> u8 {
        self.0.day()
    }
    pub fn inner(&self) -> Date {
        self.0
    }
    /// Whole years between `self` and `on` (an age).
    pub fn years_until(&self, on: CalendarDate) -> i32 {
        let mut years = on.year() - self.year();
        if (on.month(), on.day()) < (self.month(), self.day()) {
            years -= 1;
        }
        years
    }
    pub fn add_days(&self, days: i64) -> Self {
        Self(self.0 + time::Duration::days(days))
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse("", &s).map_err(|e| serde::de::Error::custom(e.code))
    }
}

/// How much of a date of birth is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthDatePrecision {
    /// Day, month and year are known (from a document or a reliable account).
    Exact,
    /// Only the year is known.
    Year,
    /// A caseworker's estimate; the day and month carry no meaning.
    Estimated,
}

impl crate::schema::Codes for BirthDatePrecision {
    fn codes() -> Vec<String> {
        Self::ALL.iter().map(|p| p.as_str().to_string()).collect()
    }
}

impl BirthDatePrecision {
    pub const ALL: [Self; 3] = [Self::Exact, Self::Year, Self::Estimated];
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Year => "year",
            Self::Estimated => "estimated",
        }
    }
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| FieldError::new(field, "err-unknown-choice").with("value", s.chars().take(20).collect::<String>()))
    }
}

/// A date of birth with its precision. Year-only dates are kept as 1 January
/// of that year with precision `Year`, which is how the field writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BirthDate {
    pub date: CalendarDate,
    pub precision: BirthDatePrecision,
}

/// People older than this are taken as a typing error.
const OLDEST_PLAUSIBLE_AGE: i32 = 110;

impl BirthDate {
    /// Parse a date of birth given as `YYYY-MM-DD` or `YYYY`, checked against `today`:
    /// not in the future and not more than 110 years ago.
    pub fn parse(field: &str, s: &str, precision: BirthDatePrecision, today: CalendarDate) -> Result<Self, FieldError> {
        let s = s.trim();
        let (date, precision) = if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
            let y: i32 = s.parse().map_err(|_| FieldError::new(field, "err-date-format"))?;
            (CalendarDate::from_ymd(y, 1, 1).ok_or_else(|| FieldError::new(field, "err-date-format"))?, BirthDatePrecision::Year)
        } else {
            (CalendarDate::parse(field, s)?, precision)
        };
        let bd = Self { date, precision };
        bd.check(field, today)?;
        Ok(bd)
    }

    pub fn check(&self, field: &str, today: CalendarDate) -> Result<(), FieldError> {
        let future = match self.precision {
            BirthDatePrecision::Exact => self.date > today,
            _ => self.date.year() > today.year(),
        };
        if future {
            return Err(FieldError::new(field, "err-date-in-future"));
        }
        if today.year() - self.date.year() > OLDEST_PLAUSIBLE_AGE {
            return Err(FieldError::new(field, "err-date-too-old").with("max", OLDEST_PLAUSIBLE_AGE));
        }
        Ok(())
    }

    pub fn year(&self) -> i32 {
        self.date.year()
    }

    /// Age in whole years on `on`; for year-only and estimated dates the
    /// year difference, since the day means nothing.
    pub fn age_on(&self, on: CalendarDate) -> i32 {
        match self.precision {
            BirthDatePrecision::Exact => self.date.years_until(on),
            _ => on.year() - self.date.year(),
        }
    }
}

/// A moment, UTC, stored as RFC 3339 text with second precision so that text
/// order is time order on every database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        Self(now.replace_nanosecond(0).unwrap_or(now))
    }
    pub fn from_unix(secs: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(secs).ok().map(Self)
    }
    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }
    pub fn date(&self) -> CalendarDate {
        CalendarDate(self.0.date())
    }
    pub fn parse(s: &str) -> Option<Self> {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok().map(Self)
    }
    pub fn hour(&self) -> u8 {
        self.0.hour()
    }
    pub fn minute(&self) -> u8 {
        self.0.minute()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(f, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", d.year(), d.month() as u8, d.day(), d.hour(), d.minute(), d.second())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 11, 23).unwrap()
    }

    #[test]
    fn impossible_dates_are_refused_with_their_own_code() {
        assert_eq!(CalendarDate::parse("d", "2021-02-31").unwrap_err().code, "err-date-impossible");
        assert_eq!(CalendarDate::parse("d", "2021-13-01").unwrap_err().code, "err-date-format");
        assert_eq!(CalendarDate::parse("d", "01/02/2021").unwrap_err().code, "err-date-format");
        assert!(CalendarDate::parse("d", "2024-02-29").is_ok());
        assert!(CalendarDate::parse("d", "2023-02-29").is_err());
    }

    #[test]
    fn birth_dates_in_the_future_or_implausibly_old_are_refused() {
        let e = BirthDate::parse("b", "2027-01-01", BirthDatePrecision::Exact, today()).unwrap_err();
        assert_eq!(e.code, "err-date-in-future");
        assert!(BirthDate::parse("b", "1900-05-01", BirthDatePrecision::Exact, today()).is_err());
        let y = BirthDate::parse("b", "1998", BirthDatePrecision::Exact, today()).unwrap();
        assert_eq!(y.precision, BirthDatePrecision::Year);
        assert_eq!(y.age_on(today()), 28);
        // An estimated date later this year is not "in the future".
        assert!(BirthDate::parse("b", "2026-12-01", BirthDatePrecision::Estimated, today()).is_ok());
    }

    #[test]
    fn exact_age_counts_birthdays() {
        let b = BirthDate::parse("b", "2000-11-24", BirthDatePrecision::Exact, today()).unwrap();
        assert_eq!(b.age_on(today()), 25);
    }

    #[test]
    fn timestamps_print_sortably() {
        let t = Timestamp::from_unix(0).unwrap();
        assert_eq!(t.to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z"), Some(t));
    }
}
