//! Storage for reintegration sustainability (migration 0019): scoring
//! schemes, stored whole as JSON and never updated; the scheme active per
//! programme; and each visit's survey (answers sealed, as visit notes are)
//! with its scores in use and every earlier set of scores.

use crate::records::*;
use crate::sealed::Keyring;
use crate::{Result, StorageError};
use passage_domain::date::Timestamp;
use passage_domain::sustainability::{Scheme, SchemeRef, Survey, Sustainability};
use serde::Serialize;
use sqlx::AnyConnection;

/// A stored scheme as listed.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeListing {
    pub scheme: SchemeRef,
    pub threshold: f64,
    pub source: String,
    pub imported_at: String,
    /// The programmes (codes) it is active for.
    pub active_for: Vec<String>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("{what}: {e}"))
}

/// The stored scheme of that id and version.
pub async fn scheme(c: &mut AnyConnection, r: &SchemeRef) -> Result<Option<Scheme>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT content FROM sustainability_schemes WHERE id = $1 AND version = $2")
        .bind(&r.id)
        .bind(&r.version)
        .fetch_optional(&mut *c)
        .await?;
    row.map(|(json,)| serde_json::from_str(&json).map_err(|e| corrupt(&format!("scheme {r}"), e))).transpose()
}

/// Store a new scheme version. The caller has checked that none of that id and version exists.
pub async fn insert_scheme(c: &mut AnyConnection, s: &Scheme, now: Timestamp) -> Result<()> {
    let content = serde_json::to_string(s).map_err(|e| corrupt("scheme", e))?;
    sqlx::query(
        "INSERT INTO sustainability_schemes (id, version, threshold_micro, source, content, imported_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.scheme.id)
    .bind(&s.scheme.version)
    .bind((s.threshold * 1e6).round() as i64)
    .bind(&s.source)
    .bind(content)
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn schemes(c: &mut AnyConnection) -> Result<Vec<SchemeListing>> {
    let rows = sqlx::query("SELECT id, version, threshold_micro, source, imported_at FROM sustainability_schemes ORDER BY id, imported_at")
        .fetch_all(&mut *c)
        .await?;
    let active = sqlx::query(
        "SELECT a.scheme_id, a.scheme_version, p.code FROM active_schemes a JOIN programmes p ON p.id = a.programme_id ORDER BY p.code",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let scheme = SchemeRef { id: text(r, "id")?, version: text(r, "version")? };
        let mut active_for = Vec::new();
        for a in &active {
            if text(a, "scheme_id")? == scheme.id && text(a, "scheme_version")? == scheme.version {
                active_for.push(text(a, "code")?);
            }
        }
        out.push(SchemeListing {
            threshold: int(r, "threshold_micro")? as f64 / 1e6,
            source: text(r, "source")?,
            imported_at: text(r, "imported_at")?,
            active_for,
            scheme,
        });
    }
    Ok(out)
}

/// Make a scheme the one in use for a programme; returns the one it replaces.
pub async fn activate(c: &mut AnyConnection, programme_id: &str, s: &SchemeRef, now: Timestamp) -> Result<Option<SchemeRef>> {
    let before = active(c, programme_id).await?;
    sqlx::query(
        "INSERT INTO active_schemes (programme_id, scheme_id, scheme_version, activated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (programme_id) DO UPDATE SET scheme_id = excluded.scheme_id, scheme_version = excluded.scheme_version, activated_at = excluded.activated_at",
    )
    .bind(programme_id)
    .bind(&s.id)
    .bind(&s.version)
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(before)
}

pub async fn active(c: &mut AnyConnection, programme_id: &str) -> Result<Option<SchemeRef>> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT scheme_id, scheme_version FROM active_schemes WHERE programme_id = $1")
        .bind(programme_id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(|(id, version)| SchemeRef { id, version }))
}

fn place(visit: &str) -> String {
    format!("visit_surveys.answers:{visit}")
}

/// Keep a visit's survey, taken under `under`, and its first scores.
pub async fn insert_survey(
    c: &mut AnyConnection,
    keys: &Keyring,
    visit: &str,
    survey: &Survey,
    under: &SchemeRef,
    scores: &Sustainability,
    now: Timestamp,
) -> Result<()> {
    let answers = serde_json::to_string(&survey.answers).map_err(|e| corrupt("survey", e))?;
    let json = serde_json::to_string(scores).map_err(|e| corrupt("scores", e))?;
    sqlx::query(
        "INSERT INTO visit_surveys (visit_id, answers, answered_under_id, answered_under_version, scheme_id, scheme_version, scores, \
         composite_micro, sustainable, computed_at) VALUES ($1, $2, $3, $4, $3, $4, $5, $6, $7, $8)",
    )
    .bind(visit)
    .bind(keys.seal(&place(visit), &answers))
    .bind(&under.id)
    .bind(&under.version)
    .bind(&json)
    .bind(scores.composite.map(|x| (x * 1e6).round() as i64))
    .bind(scores.sustainable.map(i64::from))
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    history(c, visit, scores, &json, now).await
}

async fn history(c: &mut AnyConnection, visit: &str, scores: &Sustainability, json: &str, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO visit_score_history (visit_id, scheme_id, scheme_version, scores, computed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(visit)
        .bind(&scores.scheme)
        .bind(&scores.version)
        .bind(json)
        .bind(now.to_string())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Every stored survey: (visit, answers).
pub async fn surveys(c: &mut AnyConnection, keys: &Keyring) -> Result<Vec<(String, Survey)>> {
    let rows = sqlx::query("SELECT visit_id, answers FROM visit_surveys ORDER BY visit_id").fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            let visit = text(r, "visit_id")?;
            let plain = keys.open(&place(&visit), &text(r, "answers")?)?;
            let answers = serde_json::from_str(&plain).map_err(|e| corrupt("survey", e))?;
            Ok((visit, Survey { answers }))
        })
        .collect()
}

/// Replace a survey's scores in use (the old ones stay in the history).
pub async fn set_scores(c: &mut AnyConnection, visit: &str, scores: &Sustainability, now: Timestamp) -> Result<()> {
    let json = serde_json::to_string(scores).map_err(|e| corrupt("scores", e))?;
    sqlx::query(
        "UPDATE visit_surveys SET scheme_id = $1, scheme_version = $2, scores = $3, composite_micro = $4, sustainable = $5, computed_at = $6 \
         WHERE visit_id = $7",
    )
    .bind(&scores.scheme)
    .bind(&scores.version)
    .bind(&json)
    .bind(scores.composite.map(|x| (x * 1e6).round() as i64))
    .bind(scores.sustainable.map(i64::from))
    .bind(now.to_string())
    .bind(visit)
    .execute(&mut *c)
    .await?;
    history(c, visit, scores, &json, now).await
}

/// The scores in use, read back from a visit row's `scores` column.
pub fn scores_of(json: Option<String>) -> Result<Option<Sustainability>> {
    json.map(|j| serde_json::from_str(&j).map_err(|e| corrupt("scores", e))).transpose()
}

/// A returnee as the portfolio reads them: one row per case, the visits
/// summed up in SQL (a row per visit costs more to move than to compute).
#[derive(Debug, Clone)]
pub struct PortfolioCase {
    pub case_id: passage_domain::ids::CaseId,
    pub reference: String,
    pub office_id: passage_domain::ids::OfficeId,
    pub summary: passage_domain::sustainability::VisitsSummary,
}

/// Every returnee followed by some offices (a case with monitoring visits),
/// with their visits summed up as of `today`.
pub async fn portfolio(
    c: &mut AnyConnection,
    offices: &passage_domain::policy::Offices,
    today: passage_domain::date::CalendarDate,
) -> Result<Vec<PortfolioCase>> {
    use passage_domain::policy::Offices;
    let list: Vec<String> = match offices {
        Offices::All => Vec::new(),
        Offices::Only(set) if set.is_empty() => return Ok(Vec::new()),
        Offices::Only(set) => set.iter().map(|o| o.to_string()).collect(),
    };
    let mut q = crate::sql::Sql::new(
        "WITH ranked AS (SELECT v.case_id AS case_id, s.composite_micro AS composite_micro, s.scores AS scores, \
         ROW_NUMBER() OVER (PARTITION BY v.case_id ORDER BY v.due_on DESC, v.id DESC) AS k \
         FROM visit_surveys s JOIN monitoring_visits v ON v.id = s.visit_id JOIN cases c ON c.id = v.case_id \
         WHERE s.composite_micro IS NOT NULL",
    );
    if !list.is_empty() {
        q.push(" AND c.office_id IN ").bind_list(list.iter().cloned());
    }
    q.push(
        "), visits AS (SELECT v.case_id AS case_id, MIN(v.due_on) AS first_due, \
         SUM(CASE WHEN v.status = 'scheduled' AND v.due_on < ",
    );
    q.bind(today.to_string());
    q.push(
        " THEN 1 ELSE 0 END) AS overdue FROM monitoring_visits v GROUP BY v.case_id) \
         SELECT c.id AS case_id, c.reference AS reference, c.office_id AS office_id, w.first_due AS first_due, w.overdue AS overdue, \
         r1.composite_micro AS latest, r1.scores AS scores, r2.composite_micro AS previous \
         FROM cases c JOIN visits w ON w.case_id = c.id \
         LEFT JOIN ranked r1 ON r1.case_id = c.id AND r1.k = 1 LEFT JOIN ranked r2 ON r2.case_id = c.id AND r2.k = 2",
    );
    if !list.is_empty() {
        q.push(" WHERE c.office_id IN ").bind_list(list.iter().cloned());
    }
    q.push(" ORDER BY c.id");
    let micro = |m: Option<i64>| m.map(|m| m as f64 / 1e6);
    q.query()
        .fetch_all(c)
        .await?
        .iter()
        .map(|r| {
            Ok(PortfolioCase {
                case_id: id(r, "case_id")?,
                reference: text(r, "reference")?,
                office_id: id(r, "office_id")?,
                summary: passage_domain::sustainability::VisitsSummary {
                    first_due: opt_date(r, "first_due")?,
                    overdue: int(r, "overdue")? as usize,
                    latest: scores_of(opt_text(r, "scores")?)?,
                    latest_composite: micro(opt_int(r, "latest")?),
                    previous_composite: micro(opt_int(r, "previous")?),
                },
            })
        })
        .collect()
}
