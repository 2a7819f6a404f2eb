//! What the storage layer hands back: read models shaped for the pages and
//! the API, with every code already parsed into its domain type. A stored
//! value that no longer parses is reported as corruption, never guessed at.

use crate::{Result, StorageError};
use passage_domain::assistance::{AssistanceKind, Unit};
use passage_domain::case::{CaseKind, CaseStatus, Sensitivity};
use passage_domain::codes::{CountryCode, Currency, LanguageCode};
use passage_domain::date::{BirthDate, BirthDatePrecision, CalendarDate, Timestamp};
use passage_domain::ids::*;
use passage_domain::office::OfficeKind;
use passage_domain::person::{IdentityDocument, PersonName, Sex};
use passage_domain::policy::{Grant, Offices, Permission, Rights};
use passage_domain::screening::{ExploitationType, Priority, VulnerabilityCategory};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Which records a reader may see, in the terms SQL needs: the offices whose
/// cases they read, the offices whose restricted cases they read, and who
/// they are (an assigned caseworker sees their own restricted cases). Made
/// from the reader's [`Rights`]; the rules themselves live in
/// `passage_domain::policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub user: UserId,
    pub cases: Offices,
    pub restricted: Offices,
}

impl Scope {
    pub fn of(rights: &Rights) -> Scope {
        Scope { user: rights.user, cases: rights.offices(Permission::ReadCases), restricted: rights.offices(Permission::ReadRestricted) }
    }

    /// Every record: for system tasks run from the command line (benchmarks, checks).
    pub fn everything() -> Scope {
        Scope { user: UserId::default(), cases: Offices::All, restricted: Offices::All }
    }

    /// Only the cases of these offices that are not restricted (or assigned to `user`).
    pub fn offices(user: UserId, offices: impl IntoIterator<Item = OfficeId>) -> Scope {
        Scope { user, cases: Offices::Only(offices.into_iter().collect()), restricted: Offices::none() }
    }
}

pub(crate) fn corrupt(what: &str, v: &str) -> StorageError {
    StorageError::Corrupt(format!("{what}: {v:?}"))
}

pub(crate) fn text(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}
pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}
pub(crate) fn int(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}
pub(crate) fn opt_int(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}
pub(crate) fn id<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<T> {
    let s = text(row, col)?;
    s.parse().map_err(|_| corrupt(col, &s))
}
pub(crate) fn opt_id<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>> {
    match opt_text(row, col)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| corrupt(col, &s)),
    }
}
pub(crate) fn code<T>(
    row: &AnyRow,
    col: &str,
    parse: impl Fn(&str, &str) -> std::result::Result<T, passage_domain::FieldError>,
) -> Result<T> {
    let s = text(row, col)?;
    parse(col, &s).map_err(|_| corrupt(col, &s))
}
/// A nullable coded column: NULL is `None`, a value that does not parse is corruption.
pub(crate) fn opt_code<T>(
    row: &AnyRow,
    col: &str,
    parse: impl Fn(&str, &str) -> std::result::Result<T, passage_domain::FieldError>,
) -> Result<Option<T>> {
    match opt_text(row, col)? {
        None => Ok(None),
        Some(s) => parse(col, &s).map(Some).map_err(|_| corrupt(col, &s)),
    }
}
pub(crate) fn date(row: &AnyRow, col: &str) -> Result<CalendarDate> {
    code(row, col, CalendarDate::parse)
}
pub(crate) fn opt_date(row: &AnyRow, col: &str) -> Result<Option<CalendarDate>> {
    opt_code(row, col, CalendarDate::parse)
}
pub(crate) fn timestamp(row: &AnyRow, col: &str) -> Result<Timestamp> {
    let s = text(row, col)?;
    Timestamp::parse(&s).ok_or_else(|| corrupt(col, &s))
}
pub(crate) fn opt_timestamp(row: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    opt_text(row, col)?.map(|s| Timestamp::parse(&s).ok_or_else(|| corrupt(col, &s))).transpose()
}
pub(crate) fn list<T>(s: &str, parse: impl Fn(&str, &str) -> std::result::Result<T, passage_domain::FieldError>) -> Result<Vec<T>> {
    s.split(',').filter(|x| !x.is_empty()).map(|x| parse("", x).map_err(|_| corrupt("list", x))).collect()
}
pub(crate) fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficeRecord {
    pub id: OfficeId,
    pub code: String,
    pub name: String,
    pub country: CountryCode,
    pub kind: OfficeKind,
    pub capacity: Option<i64>,
}

impl OfficeRecord {
    pub(crate) fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Self {
            id: id(r, "id")?,
            code: text(r, "code")?,
            name: text(r, "name")?,
            country: code(r, "country", CountryCode::parse)?,
            kind: code(r, "kind", OfficeKind::parse)?,
            capacity: opt_int(r, "capacity")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub locale: String,
    pub active: bool,
    /// The roles the user holds, each for its offices.
    pub grants: Vec<Grant>,
}

impl UserRecord {
    /// What the user may do; a disabled account may do nothing.
    pub fn rights(&self) -> Rights {
        if self.active {
            Rights::new(self.id, self.grants.clone())
        } else {
            Rights::nothing(self.id)
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonRecord {
    pub id: PersonId,
    pub display_name: String,
    pub names: Vec<PersonName>,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub languages: Vec<LanguageCode>,
    pub phone: Option<String>,
    pub documents: Vec<IdentityDocument>,
    pub registered_office_id: OfficeId,
    pub created_at: Timestamp,
}

pub(crate) fn birth_date(r: &AnyRow) -> Result<Option<BirthDate>> {
    let d = opt_date(r, "birth_date")?;
    match d {
        None => Ok(None),
        Some(date) => {
            let p = opt_text(r, "birth_date_precision")?.unwrap_or_else(|| "exact".into());
            let precision = BirthDatePrecision::parse("", &p).map_err(|_| corrupt("birth_date_precision", &p))?;
            Ok(Some(BirthDate { date, precision }))
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    pub id: CaseId,
    pub reference: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub kind: CaseKind,
    pub office_id: OfficeId,
    pub office_code: String,
    pub assigned_to: Option<UserId>,
    pub assigned_name: Option<String>,
    pub status: CaseStatus,
    pub sensitivity: Sensitivity,
    pub priority: Priority,
    pub opened_on: CalendarDate,
    pub closed_on: Option<CalendarDate>,
    pub updated_at: Timestamp,
}

impl CaseRecord {
    pub(crate) fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Self {
            id: id(r, "id")?,
            reference: text(r, "reference")?,
            person_id: id(r, "person_id")?,
            person_name: text(r, "person_name")?,
            kind: code(r, "kind", CaseKind::parse)?,
            office_id: id(r, "office_id")?,
            office_code: text(r, "office_code")?,
            assigned_to: opt_id(r, "assigned_to")?,
            assigned_name: opt_text(r, "assigned_name")?,
            status: code(r, "status", CaseStatus::parse)?,
            sensitivity: code(r, "sensitivity", Sensitivity::parse)?,
            priority: code(r, "priority", Priority::parse)?,
            opened_on: date(r, "opened_on")?,
            closed_on: opt_date(r, "closed_on")?,
            updated_at: timestamp(r, "updated_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusChangeRecord {
    /// The history entry's id (its own kind of record; kept as text).
    #[serde(skip)]
    pub id: String,
    pub case_id: CaseId,
    pub from_status: Option<CaseStatus>,
    pub to_status: CaseStatus,
    pub reason: Option<String>,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningRecord {
    pub id: ScreeningId,
    pub case_id: CaseId,
    pub screened_on: CalendarDate,
    pub findings: Vec<VulnerabilityCategory>,
    pub exploitation: Vec<ExploitationType>,
    pub notes: Option<String>,
    pub screened_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssistanceRecord {
    pub id: AssistanceId,
    pub case_id: CaseId,
    pub kind: AssistanceKind,
    pub provided_on: CalendarDate,
    pub quantity: i64,
    pub unit: Unit,
    pub place: Option<String>,
    pub provider: Option<String>,
    pub cost: Option<i64>,
    pub currency: Option<Currency>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteRecord {
    pub id: NoteId,
    pub case_id: CaseId,
    pub body: String,
    pub author: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityRecord {
    pub at: Timestamp,
    pub user: String,
    pub action: String,
    pub case_id: Option<CaseId>,
    pub case_reference: Option<String>,
    pub person_id: Option<PersonId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsentRecord {
    pub id: ConsentId,
    pub kind: passage_domain::person::ConsentKind,
    pub partner: Option<String>,
    pub method: passage_domain::person::ConsentMethod,
    pub given_on: CalendarDate,
    pub withdrawn_on: Option<CalendarDate>,
    pub recorded_by: String,
}
