//! Storage for hand-overs of cases between offices, and the consent check
//! they (and other sharing) rely on.

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::ids::{CaseId, OfficeId, PersonId, UserId};
use passage_domain::policy::Offices;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// A hand-over request, with what the receiving office sees before it
/// accepts: the case's reference and kind and who sends it — not the person.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverRecord {
    pub id: String,
    pub case_id: CaseId,
    pub reference: String,
    pub kind: passage_domain::case::CaseKind,
    pub from_office_id: OfficeId,
    pub from_office: String,
    pub to_office_id: OfficeId,
    pub to_office: String,
    pub status: passage_domain::movement::HandoverStatus,
    pub reason: Option<String>,
    pub requested_at: Timestamp,
}

const HANDOVER_SELECT: &str = "SELECT h.id, h.case_id, c.reference, c.kind, h.from_office_id, fo.code AS from_code, h.to_office_id, \
    tof.code AS to_code, h.status, h.reason, h.requested_at FROM case_handovers h JOIN cases c ON c.id = h.case_id \
    JOIN offices fo ON fo.id = h.from_office_id JOIN offices tof ON tof.id = h.to_office_id";

fn handover(r: &AnyRow) -> Result<HandoverRecord> {
    Ok(HandoverRecord {
        id: text(r, "id")?,
        case_id: id(r, "case_id")?,
        reference: text(r, "reference")?,
        kind: code(r, "kind", passage_domain::case::CaseKind::parse)?,
        from_office_id: id(r, "from_office_id")?,
        from_office: text(r, "from_code")?,
        to_office_id: id(r, "to_office_id")?,
        to_office: text(r, "to_code")?,
        status: code(r, "status", passage_domain::movement::HandoverStatus::parse)?,
        reason: opt_text(r, "reason")?,
        requested_at: timestamp(r, "requested_at")?,
    })
}

pub async fn insert_handover(
    c: &mut AnyConnection,
    id: &str,
    case: CaseId,
    from: OfficeId,
    to: OfficeId,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_handovers (id, case_id, from_office_id, to_office_id, status, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, 'requested', $5, $6)",
    )
    .bind(id)
    .bind(case.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn get_handover(c: &mut AnyConnection, id: &str) -> Result<Option<HandoverRecord>> {
    let r = sqlx::query(&format!("{HANDOVER_SELECT} WHERE h.id = $1")).bind(id).fetch_optional(c).await?;
    r.as_ref().map(handover).transpose()
}

/// Requests waiting in some offices, oldest first.
pub async fn pending_handovers(c: &mut AnyConnection, offices: &Offices) -> Result<Vec<HandoverRecord>> {
    let mut q = Sql::new(&format!("{HANDOVER_SELECT} WHERE h.status = 'requested'"));
    match offices {
        Offices::All => {}
        Offices::Only(set) if set.is_empty() => return Ok(Vec::new()),
        Offices::Only(set) => {
            q.push(" AND h.to_office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
        }
    }
    q.push(" ORDER BY h.requested_at, h.id LIMIT 500");
    q.query().fetch_all(c).await?.iter().map(handover).collect()
}

/// Requests some offices sent that the receiving office has not decided yet.
pub async fn handovers_sent(c: &mut AnyConnection, offices: &Offices) -> Result<Vec<HandoverRecord>> {
    let mut q = Sql::new(&format!("{HANDOVER_SELECT} WHERE h.status = 'requested'"));
    match offices {
        Offices::All => {}
        Offices::Only(set) if set.is_empty() => return Ok(Vec::new()),
        Offices::Only(set) => {
            q.push(" AND h.from_office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
        }
    }
    q.push(" ORDER BY h.requested_at, h.id LIMIT 500");
    q.query().fetch_all(c).await?.iter().map(handover).collect()
}

pub async fn pending_handover_of(c: &mut AnyConnection, case: CaseId) -> Result<bool> {
    let r = sqlx::query("SELECT 1 AS x FROM case_handovers WHERE case_id = $1 AND status = 'requested'")
        .bind(case.to_string())
        .fetch_optional(c)
        .await?;
    Ok(r.is_some())
}

/// Decide a request (only while it is requested: two deciders cannot both win).
pub async fn decide_handover(c: &mut AnyConnection, id: &str, to: &str, reason: Option<&str>, by: UserId, now: Timestamp) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE case_handovers SET status = $1, reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'requested'",
    )
    .bind(to)
    .bind(reason)
    .bind(by.to_string())
    .bind(now.to_string())
    .bind(id)
    .execute(c)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Move a case to the receiving office; the sending office keeps reading it.
pub async fn move_case(c: &mut AnyConnection, case: CaseId, from: OfficeId, to: OfficeId, assignee: UserId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE cases SET office_id = $1, assigned_to = $2, updated_at = $3 WHERE id = $4")
        .bind(to.to_string())
        .bind(assignee.to_string())
        .bind(now.to_string())
        .bind(case.to_string())
        .execute(&mut *c)
        .await?;
    sqlx::query("INSERT INTO case_read_offices (case_id, office_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(case.to_string())
        .bind(from.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Whether the person has given, and not withdrawn, a consent of this kind.
pub async fn has_consent(c: &mut AnyConnection, person: PersonId, kind: &str) -> Result<bool> {
    let r = sqlx::query("SELECT 1 AS x FROM consents WHERE person_id = $1 AND kind = $2 AND withdrawn_on IS NULL")
        .bind(person.to_string())
        .bind(kind)
        .fetch_optional(c)
        .await?;
    Ok(r.is_some())
}
