//! Storage for the hotline desk: calls, the open ones by due time (the
//! hand-over list and the protection queue), and the counts its figures are
//! made of. Notes arrive sealed from the service; this layer never sees them
//! in clear.

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use passage_domain::codes::LanguageCode;
use passage_domain::date::Timestamp;
use passage_domain::hotline::{CallerKind, Channel, NewCall, Topic, Urgency};
use passage_domain::ids::{CallId, CaseId, OfficeId, PersonId, UserId};
use passage_domain::policy::Offices;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// A stored call.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallRecord {
    pub id: CallId,
    pub office_id: OfficeId,
    pub office_code: String,
    pub at: Timestamp,
    pub minutes: Option<i64>,
    pub channel: Channel,
    pub language: Option<LanguageCode>,
    pub caller: CallerKind,
    pub topic: Topic,
    pub urgency: Urgency,
    pub protection: bool,
    /// Sealed (see `passage_storage::sealed`); the service opens it for readers allowed to.
    #[serde(skip)]
    pub notes: Option<String>,
    pub person_id: Option<PersonId>,
    pub case_id: Option<CaseId>,
    pub follow_up_due: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub done_by: Option<UserId>,
    /// None for a call made from an inbound text.
    pub taken_by: Option<UserId>,
}

impl CallRecord {
    pub fn is_open(&self) -> bool {
        self.done_at.is_none() && self.follow_up_due.is_some()
    }
}

const SELECT: &str = "SELECT h.id, h.office_id, o.code AS office_code, h.at, h.minutes, h.channel, h.language, h.caller, h.topic, \
     h.urgency, h.protection, h.notes, h.person_id, h.case_id, h.follow_up_due, h.done_at, h.done_by, h.taken_by \
     FROM hotline_calls h JOIN offices o ON o.id = h.office_id";

fn call(r: &AnyRow) -> Result<CallRecord> {
    Ok(CallRecord {
        id: id(r, "id")?,
        office_id: id(r, "office_id")?,
        office_code: text(r, "office_code")?,
        at: timestamp(r, "at")?,
        minutes: opt_int(r, "minutes")?,
        channel: code(r, "channel", Channel::parse)?,
        language: opt_code(r, "language", LanguageCode::parse)?,
        caller: code(r, "caller", CallerKind::parse)?,
        topic: code(r, "topic", Topic::parse)?,
        urgency: code(r, "urgency", Urgency::parse)?,
        protection: int(r, "protection")? != 0,
        notes: opt_text(r, "notes")?,
        person_id: opt_id(r, "person_id")?,
        case_id: opt_id(r, "case_id")?,
        follow_up_due: opt_timestamp(r, "follow_up_due")?,
        done_at: opt_timestamp(r, "done_at")?,
        done_by: opt_id(r, "done_by")?,
        taken_by: opt_id(r, "taken_by")?,
    })
}

/// Where a new call goes and who took it; `sealed_notes` is already sealed
/// for the call's place.
pub struct CallPlacement {
    pub id: CallId,
    pub office: OfficeId,
    pub person: Option<PersonId>,
    pub taken_by: Option<UserId>,
    pub sealed_notes: Option<String>,
}

pub async fn insert_call(c: &mut AnyConnection, p: &CallPlacement, call: &NewCall, now: Timestamp) -> Result<()> {
    // A protection call is due at once, whether or not the operator set a time.
    let due = call.follow_up_due.or(call.for_protection().then_some(call.at));
    sqlx::query(
        "INSERT INTO hotline_calls (id, office_id, at, day, minutes, channel, language, caller, topic, urgency, protection, notes, \
         person_id, follow_up_due, taken_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(p.id.to_string())
    .bind(p.office.to_string())
    .bind(call.at.to_string())
    .bind(call.at.date().to_string())
    .bind(call.minutes)
    .bind(call.channel.as_str())
    .bind(call.language.map(|l| l.as_str().to_string()))
    .bind(call.caller.as_str())
    .bind(call.topic.as_str())
    .bind(call.urgency.as_str())
    .bind(i64::from(call.for_protection()))
    .bind(p.sealed_notes.as_deref())
    .bind(p.person.map(|x| x.to_string()))
    .bind(due.map(|d| d.to_string()))
    .bind(p.taken_by.map(|u| u.to_string()))
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn get_call(c: &mut AnyConnection, call_id: CallId) -> Result<Option<CallRecord>> {
    let r = sqlx::query(&format!("{SELECT} WHERE h.id = $1")).bind(call_id.to_string()).fetch_optional(c).await?;
    r.as_ref().map(call).transpose()
}

fn in_offices(q: &mut Sql, offices: &Offices) -> bool {
    match offices {
        Offices::All => true,
        Offices::Only(set) if set.is_empty() => false,
        Offices::Only(set) => {
            q.push(" AND h.office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
            true
        }
    }
}

/// Open calls of these offices, protection first, then by due time: the
/// shift hand-over list.
pub async fn open_calls(c: &mut AnyConnection, offices: &Offices, only_protection: bool, limit: i64) -> Result<Vec<CallRecord>> {
    let mut q = Sql::new(&format!("{SELECT} WHERE h.done_at IS NULL AND h.follow_up_due IS NOT NULL"));
    if !in_offices(&mut q, offices) {
        return Ok(Vec::new());
    }
    if only_protection {
        q.push(" AND h.protection = 1");
    }
    q.push(" ORDER BY h.protection DESC, h.follow_up_due, h.id LIMIT ").bind(limit);
    q.query().fetch_all(c).await?.iter().map(call).collect()
}

/// The latest calls of these offices, open or not.
pub async fn recent_calls(c: &mut AnyConnection, offices: &Offices, limit: i64) -> Result<Vec<CallRecord>> {
    let mut q = Sql::new(&format!("{SELECT} WHERE 1 = 1"));
    if !in_offices(&mut q, offices) {
        return Ok(Vec::new());
    }
    q.push(" ORDER BY h.at DESC, h.id DESC LIMIT ").bind(limit);
    q.query().fetch_all(c).await?.iter().map(call).collect()
}

pub async fn link_call(c: &mut AnyConnection, call_id: CallId, person: Option<PersonId>, case: Option<CaseId>) -> Result<()> {
    sqlx::query("UPDATE hotline_calls SET person_id = $2, case_id = $3 WHERE id = $1")
        .bind(call_id.to_string())
        .bind(person.map(|p| p.to_string()))
        .bind(case.map(|p| p.to_string()))
        .execute(c)
        .await?;
    Ok(())
}

/// Close a call's follow-up; false when it was not open.
pub async fn close_call(c: &mut AnyConnection, call_id: CallId, by: UserId, at: Timestamp) -> Result<bool> {
    let r =
        sqlx::query("UPDATE hotline_calls SET done_at = $2, done_by = $3 WHERE id = $1 AND done_at IS NULL AND follow_up_due IS NOT NULL")
            .bind(call_id.to_string())
            .bind(at.to_string())
            .bind(by.to_string())
            .execute(c)
            .await?;
    Ok(r.rows_affected() == 1)
}

/// Set (or move) a call's follow-up.
pub async fn set_follow_up(c: &mut AnyConnection, call_id: CallId, due: Timestamp) -> Result<()> {
    sqlx::query("UPDATE hotline_calls SET follow_up_due = $2, done_at = NULL, done_by = NULL WHERE id = $1")
        .bind(call_id.to_string())
        .bind(due.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// What a call figure is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallGrouping {
    Day,
    Topic,
    Language,
    Channel,
}

impl CallGrouping {
    fn column(self) -> &'static str {
        match self {
            CallGrouping::Day => "h.day",
            CallGrouping::Topic => "h.topic",
            CallGrouping::Language => "COALESCE(h.language, '')",
            CallGrouping::Channel => "h.channel",
        }
    }
}

/// Calls between two days (inclusive) by a grouping, in key order.
pub async fn call_counts(c: &mut AnyConnection, offices: &Offices, from: &str, to: &str, by: CallGrouping) -> Result<Vec<(String, i64)>> {
    let col = by.column();
    let mut q = Sql::new(&format!("SELECT {col} AS k, COUNT(*) AS n FROM hotline_calls h WHERE h.day >= "));
    q.bind(from.to_string()).push(" AND h.day <= ").bind(to.to_string());
    if !in_offices(&mut q, offices) {
        return Ok(Vec::new());
    }
    q.push(&format!(" GROUP BY {col} ORDER BY {col}"));
    q.query().fetch_all(c).await?.iter().map(|r| Ok((text(r, "k")?, int(r, "n")?))).collect()
}

/// For each follow-up closed between two days: the call's time and the
/// closing time, from which the figures take the time to follow up.
pub async fn follow_up_times(c: &mut AnyConnection, offices: &Offices, from: &str, to: &str) -> Result<Vec<(Timestamp, Timestamp)>> {
    let mut q = Sql::new("SELECT h.at, h.done_at FROM hotline_calls h WHERE h.done_at IS NOT NULL AND h.day >= ");
    q.bind(from.to_string()).push(" AND h.day <= ").bind(to.to_string());
    if !in_offices(&mut q, offices) {
        return Ok(Vec::new());
    }
    q.query().fetch_all(c).await?.iter().map(|r| Ok((timestamp(r, "at")?, timestamp(r, "done_at")?))).collect()
}
