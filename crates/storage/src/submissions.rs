//! Storage for field submissions (see migration 0016): one row per instance
//! id, its payload sealed, its files beside it. Inserting is `ON CONFLICT DO
//! NOTHING` so that two resends racing each other leave one row, and the
//! service can tell a first arrival from a repeat by the answer.

use crate::records::*;
use crate::sealed::Keyring;
use crate::sql::{Sql, Value};
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::ids::{OfficeId, UserId};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// A submission to store.
#[derive(Clone, Copy)]
pub struct NewSubmission<'a> {
    pub id: &'a str,
    pub form_id: &'a str,
    pub form_version: &'a str,
    pub source: &'a str,
    pub submitted_by: UserId,
    pub received_at: Timestamp,
    pub payload_sha256: &'a str,
    pub payload: &'a str,
    pub status: &'a str,
    pub problems: &'a str,
    pub office_id: Option<OfficeId>,
    pub restricted: bool,
    pub record_ref: Option<&'a str>,
}

/// A stored submission.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRecord {
    pub id: String,
    pub form_id: String,
    pub form_version: String,
    pub source: String,
    pub submitted_by: UserId,
    pub submitted_by_name: String,
    pub received_at: Timestamp,
    pub payload_sha256: String,
    #[serde(skip)]
    pub payload: String,
    pub status: String,
    pub problems: serde_json::Value,
    pub office_id: Option<OfficeId>,
    pub restricted: bool,
    pub record_ref: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
    pub files: i64,
}

fn place(id: &str) -> String {
    format!("form_submissions.payload:{id}")
}

/// Store a submission; false when one with this id is already there.
pub async fn insert(c: &mut AnyConnection, keys: &Keyring, s: &NewSubmission<'_>) -> Result<bool> {
    let mut q = Sql::new(&format!("INSERT INTO form_submissions ({}) VALUES ", COLUMNS.join(", ")));
    q.bind_list(row(keys, s)).push(" ON CONFLICT (id) DO NOTHING");
    Ok(q.query().execute(c).await?.rows_affected() == 1)
}

/// The columns a new submission fills, and its values in that order: one
/// arriving from a phone and an import's thousands are the same rows.
const COLUMNS: [&str; 13] = [
    "id",
    "form_id",
    "form_version",
    "source",
    "submitted_by",
    "received_at",
    "payload_sha256",
    "payload",
    "status",
    "problems",
    "office_id",
    "restricted",
    "record_ref",
];

fn row(keys: &Keyring, s: &NewSubmission<'_>) -> Vec<Value> {
    vec![
        Value::Text(s.id.to_string()),
        Value::Text(s.form_id.to_string()),
        Value::Text(s.form_version.to_string()),
        Value::Text(s.source.to_string()),
        Value::Text(s.submitted_by.to_string()),
        Value::Text(s.received_at.to_string()),
        Value::Text(s.payload_sha256.to_string()),
        Value::Text(keys.seal(&place(s.id), s.payload)),
        Value::Text(s.status.to_string()),
        Value::Text(s.problems.to_string()),
        s.office_id.map(|o| Value::Text(o.to_string())).unwrap_or(Value::Null),
        Value::Int(i64::from(s.restricted)),
        s.record_ref.map(|r| Value::Text(r.to_string())).unwrap_or(Value::Null),
    ]
}

/// Keep a file sent with a submission; false when it was already kept.
pub async fn add_file(c: &mut AnyConnection, id: &str, name: &str, content_type: &str, bytes: &[u8]) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO form_submission_files (submission_id, name, content_type, bytes) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (submission_id, name) DO NOTHING",
    )
    .bind(id)
    .bind(name)
    .bind(content_type)
    .bind(bytes.to_vec())
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

const SELECT: &str = "SELECT s.id AS id, s.form_id AS form_id, s.form_version AS form_version, s.source AS source, \
     s.submitted_by AS submitted_by, u.username AS username, s.received_at AS received_at, s.payload_sha256 AS payload_sha256, \
     s.payload AS payload, s.status AS status, s.problems AS problems, s.office_id AS office_id, s.restricted AS restricted, \
     s.record_ref AS record_ref, s.decided_by AS decided_by, s.decided_at AS decided_at, s.decision_reason AS decision_reason, \
     (SELECT COUNT(*) FROM form_submission_files f WHERE f.submission_id = s.id) AS files \
     FROM form_submissions s JOIN users u ON u.id = s.submitted_by";

fn record(keys: &Keyring, r: &sqlx::any::AnyRow) -> Result<SubmissionRecord> {
    let id = text(r, "id")?;
    let payload = keys.open(&place(&id), &text(r, "payload")?).map_err(|_| corrupt("sealed submission payload", &id))?;
    let problems = text(r, "problems")?;
    Ok(SubmissionRecord {
        form_id: text(r, "form_id")?,
        form_version: text(r, "form_version")?,
        source: text(r, "source")?,
        submitted_by: id_of(r, "submitted_by")?,
        submitted_by_name: text(r, "username")?,
        received_at: timestamp(r, "received_at")?,
        payload_sha256: text(r, "payload_sha256")?,
        payload,
        status: text(r, "status")?,
        problems: serde_json::from_str(&problems).map_err(|_| corrupt("submission problems", &problems))?,
        office_id: opt_id(r, "office_id")?,
        restricted: int(r, "restricted")? != 0,
        record_ref: opt_text(r, "record_ref")?,
        decided_by: opt_id(r, "decided_by")?,
        decided_at: opt_timestamp(r, "decided_at")?,
        decision_reason: opt_text(r, "decision_reason")?,
        files: int(r, "files")?,
        id,
    })
}

fn id_of<T: std::str::FromStr>(r: &sqlx::any::AnyRow, col: &str) -> Result<T> {
    id(r, col)
}

pub async fn get(c: &mut AnyConnection, keys: &Keyring, id: &str) -> Result<Option<SubmissionRecord>> {
    let r = sqlx::query(&format!("{SELECT} WHERE s.id = $1")).bind(id).fetch_optional(c).await?;
    r.as_ref().map(|r| record(keys, r)).transpose()
}

/// Submissions with a status, newest first (the service filters by who may see them).
pub async fn with_status(c: &mut AnyConnection, keys: &Keyring, status: &str, limit: i64) -> Result<Vec<SubmissionRecord>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE s.status = $1 ORDER BY s.received_at DESC, s.id LIMIT $2"))
        .bind(status)
        .bind(limit)
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| record(keys, r)).collect()
}

/// Settle a quarantined submission, wiping its payload (the records, or the
/// reason it was rejected, are what remains); false when it is no longer
/// quarantined (someone else settled it first).
pub async fn settle(c: &mut AnyConnection, keys: &Keyring, id: &str, s: &Settlement<'_>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE form_submissions SET status = $1, record_ref = $2, decision_reason = $3, decided_by = $4, decided_at = $5, payload = $6 \
         WHERE id = $7 AND status = 'quarantined'",
    )
    .bind(s.status)
    .bind(s.record_ref)
    .bind(s.reason)
    .bind(s.by.to_string())
    .bind(s.at.to_string())
    .bind(keys.seal(&place(id), ""))
    .bind(id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How a quarantined submission was settled: applied (and what it made) or
/// rejected (and why), by whom, when.
pub struct Settlement<'a> {
    pub status: &'a str,
    pub record_ref: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub by: UserId,
    pub at: Timestamp,
}

/// Replace a quarantined submission's payload (a data officer's correction)
/// and its problems.
pub async fn correct(c: &mut AnyConnection, keys: &Keyring, id: &str, payload: &str, sha256: &str, problems: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE form_submissions SET payload = $1, payload_sha256 = $2, problems = $3 WHERE id = $4 AND status = 'quarantined'",
    )
    .bind(keys.seal(&place(id), payload))
    .bind(sha256)
    .bind(problems)
    .bind(id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many submissions wait in quarantine (for the work queue badge).
pub async fn quarantined_count(c: &mut AnyConnection) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM form_submissions WHERE status = 'quarantined'").fetch_one(c).await?;
    Ok(r.try_get::<i64, _>("n")?)
}

/// Which of these instance ids were received before (an import's resent
/// rows), in chunks small enough for any database's parameter limit.
pub async fn existing(c: &mut AnyConnection, ids: &[String]) -> Result<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let mut q = crate::sql::Sql::new("SELECT id FROM form_submissions WHERE id IN ");
        q.bind_list(chunk.iter().cloned());
        for r in q.query().fetch_all(&mut *c).await? {
            out.insert(r.try_get::<String, _>("id")?);
        }
    }
    Ok(out)
}

/// Store many first arrivals at once (an import's rows). A row whose id is
/// already there makes the whole statement fail as a unique violation: the
/// caller's transaction then writes nothing (see `is_unique_violation`).
pub async fn insert_many(c: &mut AnyConnection, keys: &Keyring, rows: &[NewSubmission<'_>]) -> Result<()> {
    crate::bulk::insert_rows_sized(c, "form_submissions", &COLUMNS, rows.iter().map(|s| row(keys, s)).collect(), 2_000).await
}

/// Whether a storage error is a unique key already taken (a submission received twice).
pub fn is_unique_violation(e: &crate::StorageError) -> bool {
    match e {
        crate::StorageError::Database(sqlx::Error::Database(d)) => d.is_unique_violation(),
        _ => false,
    }
}
