//! Storage for the data protection duties: erasing a person's identity
//! while keeping what figures count, finding who the retention schedule
//! makes due, and reading cases pseudonymised for monitoring and evaluation.

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use passage_domain::case::{CaseKind, CaseStatus};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, PersonId};
use passage_domain::policy::Offices;
use passage_domain::screening::VulnerabilityCategory;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// What stays of a person after erasure: sex, year of birth, nationality,
/// offices, their cases (kind, office, status, dates), screening findings
/// and assistance — what figures count. What goes: names and every search
/// key made from them, phone, exact date of birth, languages, identity
/// documents, case notes, screening notes, the partner named in a consent,
/// the notes of hotline calls about them and the number texts were sent to.
pub async fn anonymise_person(c: &mut AnyConnection, person: PersonId, now: Timestamp) -> Result<()> {
    let id = person.to_string();
    sqlx::query(
        "UPDATE persons SET display_name = '—', phone = NULL, languages = '', \
         birth_date = CASE WHEN birth_year IS NULL THEN NULL ELSE CAST(birth_year AS TEXT) || '-01-01' END, \
         birth_date_precision = CASE WHEN birth_year IS NULL THEN NULL ELSE 'year' END, \
         anonymised_at = $1, updated_at = $1 WHERE id = $2",
    )
    .bind(now.to_string())
    .bind(&id)
    .execute(&mut *c)
    .await?;
    for q in [
        "DELETE FROM person_names WHERE person_id = $1",
        "DELETE FROM person_search_keys WHERE person_id = $1",
        "DELETE FROM identity_documents WHERE person_id = $1",
        "DELETE FROM case_notes WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE screenings SET notes = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE consents SET partner = NULL WHERE person_id = $1",
        "UPDATE case_status_history SET reason = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE monitoring_visits SET notes = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE referrals SET feedback = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE journey_steps SET evidence = NULL, reason = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        // The desk's calls about them and the texts sent to them keep their counts, not what identifies.
        "UPDATE hotline_calls SET notes = NULL WHERE person_id = $1",
        "UPDATE sms_outbox SET status = 'cancelled' WHERE person_id = $1 AND status IN ('held', 'queued')",
        "UPDATE sms_outbox SET phone = '' WHERE person_id = $1",
    ] {
        sqlx::query(q).bind(&id).execute(&mut *c).await?;
    }
    // One name row, so that every reader finds the shape it expects.
    sqlx::query("INSERT INTO person_names (person_id, position, given, family, kind) VALUES ($1, 0, NULL, '—', 'primary')")
        .bind(&id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// When a person's identity was erased, if it was.
pub async fn anonymised_at(c: &mut AnyConnection, person: PersonId) -> Result<Option<Timestamp>> {
    let r = sqlx::query("SELECT anonymised_at FROM persons WHERE id = $1").bind(person.to_string()).fetch_optional(c).await?;
    Ok(r.map(|r| opt_timestamp(&r, "anonymised_at")).transpose()?.flatten())
}

/// Persons not yet erased whose cases are all closed, with those cases:
/// the candidates the retention rule (`passage_domain::case::retention_due`) decides on.
pub async fn retention_candidates(c: &mut AnyConnection) -> Result<Vec<(PersonId, Vec<(CaseKind, CaseStatus, Option<CalendarDate>)>)>> {
    let rows = sqlx::query(
        "SELECT c.person_id, c.kind, c.status, c.closed_on FROM cases c JOIN persons p ON p.id = c.person_id \
         WHERE p.anonymised_at IS NULL \
           AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.person_id = c.person_id AND o.status <> 'closed') \
         ORDER BY c.person_id",
    )
    .fetch_all(c)
    .await?;
    let mut out: Vec<(PersonId, Vec<_>)> = Vec::new();
    for r in &rows {
        let p: PersonId = id(r, "person_id")?;
        let case = (code(r, "kind", CaseKind::parse)?, code(r, "status", CaseStatus::parse)?, opt_date(r, "closed_on")?);
        match out.last_mut() {
            Some((last, cases)) if *last == p => cases.push(case),
            _ => out.push((p, vec![case])),
        }
    }
    Ok(out)
}

/// One case as monitoring and evaluation see it: no name, phone, document,
/// exact date of birth or free text; the person behind it is a pseudonym
/// (stable, so that repeat cases of one person can be counted once).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PseudonymisedCase {
    pub case: String,
    pub person: String,
    pub sex: String,
    pub birth_year: Option<i64>,
    pub nationality: Option<String>,
    pub office: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub opened_on: CalendarDate,
    pub closed_on: Option<CalendarDate>,
    pub vulnerabilities: Vec<VulnerabilityCategory>,
    pub assistance: Vec<String>,
}

/// A page of cases in `offices`, by case id after `after`. `case` and
/// `person` hold the real ids here; the service replaces them with
/// pseudonyms before anything leaves it.
pub async fn pseudonymised_cases(c: &mut AnyConnection, offices: &Offices, after: &str, limit: i64) -> Result<Vec<PseudonymisedCase>> {
    let mut q = Sql::new(
        "SELECT c.id, c.person_id, p.sex, p.birth_year, p.nationality, o.code AS office, c.kind, c.status, c.opened_on, c.closed_on \
         FROM cases c JOIN persons p ON p.id = c.person_id JOIN offices o ON o.id = c.office_id WHERE c.id > ",
    );
    q.bind(after.to_string());
    match offices {
        Offices::All => {}
        Offices::Only(set) if set.is_empty() => {
            q.push(" AND 1 = 0");
        }
        Offices::Only(set) => {
            q.push(" AND c.office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
        }
    }
    q.push(" ORDER BY c.id LIMIT ").bind(limit);
    let rows = q.query().fetch_all(&mut *c).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(PseudonymisedCase {
            case: text(r, "id")?,
            person: text(r, "person_id")?,
            sex: text(r, "sex")?,
            birth_year: opt_int(r, "birth_year")?,
            nationality: opt_text(r, "nationality")?,
            office: text(r, "office")?,
            kind: code(r, "kind", CaseKind::parse)?,
            status: code(r, "status", CaseStatus::parse)?,
            opened_on: code(r, "opened_on", CalendarDate::parse)?,
            closed_on: opt_date(r, "closed_on")?,
            vulnerabilities: Vec::new(),
            assistance: Vec::new(),
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = out.iter().map(|p| p.case.clone()).collect();
    let by_case: HashMap<String, usize> = ids.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    let mut q = Sql::new(
        "SELECT DISTINCT s.case_id, f.category FROM screening_findings f JOIN screenings s ON s.id = f.screening_id WHERE s.case_id IN ",
    );
    q.bind_list(ids.iter().cloned()).push(" ORDER BY s.case_id, f.category");
    for r in q.query().fetch_all(&mut *c).await? {
        if let Some(&i) = by_case.get(&text(&r, "case_id")?) {
            out[i].vulnerabilities.push(code(&r, "category", VulnerabilityCategory::parse)?);
        }
    }
    let mut q = Sql::new("SELECT DISTINCT a.case_id, a.kind FROM assistance a WHERE a.case_id IN ");
    q.bind_list(ids.iter().cloned()).push(" ORDER BY a.case_id, a.kind");
    for r in q.query().fetch_all(&mut *c).await? {
        if let Some(&i) = by_case.get(&text(&r, "case_id")?) {
            out[i].assistance.push(text(&r, "kind")?);
        }
    }
    Ok(out)
}

/// An installation-wide value, made by `make` and stored the first time it is asked for.
pub async fn setting_or_insert(c: &mut AnyConnection, name: &str, make: impl FnOnce() -> String) -> Result<String> {
    if let Some(r) = sqlx::query("SELECT value FROM settings WHERE name = $1").bind(name).fetch_optional(&mut *c).await? {
        return text(&r, "value");
    }
    let v = make();
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(&v)
        .execute(&mut *c)
        .await?;
    let r = sqlx::query("SELECT value FROM settings WHERE name = $1").bind(name).fetch_one(&mut *c).await?;
    text(&r, "value")
}

/// An installation-wide value, if set.
pub async fn setting(c: &mut AnyConnection, name: &str) -> Result<Option<String>> {
    let r = sqlx::query("SELECT value FROM settings WHERE name = $1").bind(name).fetch_optional(&mut *c).await?;
    r.map(|r| text(&r, "value")).transpose()
}

/// Set (or replace) an installation-wide value.
pub async fn set_setting(c: &mut AnyConnection, name: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2")
        .bind(name)
        .bind(value)
        .execute(c)
        .await?;
    Ok(())
}

/// The case ids of a person (for erasure's audit entry).
pub async fn case_ids_of(c: &mut AnyConnection, person: PersonId) -> Result<Vec<CaseId>> {
    let rows = sqlx::query("SELECT id FROM cases WHERE person_id = $1 ORDER BY id").bind(person.to_string()).fetch_all(c).await?;
    rows.iter().map(|r| id(r, "id")).collect()
}
