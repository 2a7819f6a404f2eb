//! Storage for reintegration plans, their activities and beneficiaries, and
//! monitoring visits (rules in `passage_domain::reintegration`). Visit notes
//! are free text about a person's life after return: sealed.

use crate::records::*;
use crate::sealed::Keyring;
use crate::sql::Sql;
use crate::Result;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, OfficeId, UserId};
use passage_domain::policy::Offices;
use passage_domain::reintegration::{ActivityKind, ActivityStatus, NewActivity, PlanKind, VisitStatus};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct PlanRecord {
    pub id: String,
    pub kind: PlanKind,
    pub office_id: OfficeId,
    pub title: String,
    pub status: String,
    pub beneficiaries: Vec<CaseId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityRecord {
    pub id: String,
    pub kind: ActivityKind,
    pub description: Option<String>,
    pub budget: i64,
    pub currency: String,
    pub due_on: Option<CalendarDate>,
    pub status: ActivityStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct VisitRecord {
    pub id: String,
    pub case_id: CaseId,
    pub reference: String,
    pub office_id: OfficeId,
    pub due_on: CalendarDate,
    pub status: VisitStatus,
    pub done_on: Option<CalendarDate>,
    pub notes: Option<String>,
    /// The survey's scores in use; none when no survey was taken.
    pub sustainability: Option<passage_domain::sustainability::Sustainability>,
}

/// A plan to store.
pub struct NewPlan<'a> {
    pub id: &'a str,
    pub kind: PlanKind,
    pub office: OfficeId,
    pub title: &'a str,
    pub cases: &'a [CaseId],
    pub by: UserId,
}

pub async fn insert_plan(c: &mut AnyConnection, p: &NewPlan<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO reintegration_plans (id, kind, office_id, title, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, $6)",
    )
    .bind(p.id)
    .bind(p.kind.as_str())
    .bind(p.office.to_string())
    .bind(p.title)
    .bind(p.by.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    for case in p.cases {
        sqlx::query("INSERT INTO plan_beneficiaries (plan_id, case_id) VALUES ($1, $2)")
            .bind(p.id)
            .bind(case.to_string())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

pub async fn get_plan(c: &mut AnyConnection, id: &str) -> Result<Option<PlanRecord>> {
    let Some(r) = sqlx::query("SELECT id, kind, office_id, title, status FROM reintegration_plans WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let cases =
        sqlx::query("SELECT case_id FROM plan_beneficiaries WHERE plan_id = $1 ORDER BY case_id").bind(id).fetch_all(&mut *c).await?;
    Ok(Some(PlanRecord {
        id: text(&r, "id")?,
        kind: code(&r, "kind", PlanKind::parse)?,
        office_id: self::id(&r, "office_id")?,
        title: text(&r, "title")?,
        status: text(&r, "status")?,
        beneficiaries: cases.iter().map(|r| self::id(r, "case_id")).collect::<Result<_>>()?,
    }))
}

pub async fn insert_activity(c: &mut AnyConnection, id: &str, plan: &str, a: &NewActivity, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_activities (id, plan_id, kind, description, budget, currency, due_on, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8)",
    )
    .bind(id)
    .bind(plan)
    .bind(a.kind.as_str())
    .bind(a.description.clone())
    .bind(a.budget)
    .bind(a.currency.code())
    .bind(a.due_on.map(|d| d.to_string()))
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn activities(c: &mut AnyConnection, plan: &str) -> Result<Vec<ActivityRecord>> {
    let rows =
        sqlx::query("SELECT id, kind, description, budget, currency, due_on, status FROM plan_activities WHERE plan_id = $1 ORDER BY id")
            .bind(plan)
            .fetch_all(c)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(ActivityRecord {
                id: text(r, "id")?,
                kind: code(r, "kind", ActivityKind::parse)?,
                description: opt_text(r, "description")?,
                budget: int(r, "budget")?,
                currency: text(r, "currency")?,
                due_on: opt_date(r, "due_on")?,
                status: code(r, "status", ActivityStatus::parse)?,
            })
        })
        .collect()
}

pub async fn set_activity_status(
    c: &mut AnyConnection,
    plan: &str,
    id: &str,
    from: ActivityStatus,
    to: ActivityStatus,
    now: Timestamp,
) -> Result<bool> {
    let n = sqlx::query("UPDATE plan_activities SET status = $1, updated_at = $2 WHERE id = $3 AND plan_id = $4 AND status = $5")
        .bind(to.as_str())
        .bind(now.to_string())
        .bind(id)
        .bind(plan)
        .bind(from.as_str())
        .execute(c)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Schedule visits for a case that has none yet.
pub async fn schedule_visits(c: &mut AnyConnection, case: CaseId, dates: &[CalendarDate], now: Timestamp) -> Result<()> {
    let has = sqlx::query("SELECT 1 AS x FROM monitoring_visits WHERE case_id = $1 LIMIT 1")
        .bind(case.to_string())
        .fetch_optional(&mut *c)
        .await?;
    if has.is_some() {
        return Ok(());
    }
    for d in dates {
        sqlx::query("INSERT INTO monitoring_visits (id, case_id, due_on, status, updated_at) VALUES ($1, $2, $3, 'scheduled', $4)")
            .bind(passage_domain::ids::VisitId::new().to_string())
            .bind(case.to_string())
            .bind(d.to_string())
            .bind(now.to_string())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

const VISIT_SELECT: &str =
    "SELECT v.id, v.case_id, c.reference, c.office_id, v.due_on, v.status, v.done_on, v.notes, s.scores FROM monitoring_visits v \
     JOIN cases c ON c.id = v.case_id LEFT JOIN visit_surveys s ON s.visit_id = v.id";

fn visit(keys: &Keyring, r: &sqlx::any::AnyRow) -> Result<VisitRecord> {
    let vid = text(r, "id")?;
    let notes = opt_text(r, "notes")?.map(|n| keys.open(&format!("monitoring_visits.notes:{vid}"), &n)).transpose()?;
    Ok(VisitRecord {
        case_id: id(r, "case_id")?,
        reference: text(r, "reference")?,
        office_id: id(r, "office_id")?,
        due_on: code(r, "due_on", CalendarDate::parse)?,
        status: code(r, "status", VisitStatus::parse)?,
        done_on: opt_date(r, "done_on")?,
        notes,
        sustainability: crate::sustainability::scores_of(opt_text(r, "scores")?)?,
        id: vid,
    })
}

pub async fn visits_of(c: &mut AnyConnection, keys: &Keyring, case: CaseId) -> Result<Vec<VisitRecord>> {
    let rows = sqlx::query(&format!("{VISIT_SELECT} WHERE v.case_id = $1 ORDER BY v.due_on")).bind(case.to_string()).fetch_all(c).await?;
    rows.iter().map(|r| visit(keys, r)).collect()
}

pub async fn get_visit(c: &mut AnyConnection, keys: &Keyring, id: &str) -> Result<Option<VisitRecord>> {
    let r = sqlx::query(&format!("{VISIT_SELECT} WHERE v.id = $1")).bind(id).fetch_optional(c).await?;
    r.as_ref().map(|r| visit(keys, r)).transpose()
}

/// Scheduled visits due by `until` in some offices, oldest first.
pub async fn visits_due(c: &mut AnyConnection, keys: &Keyring, offices: &Offices, until: CalendarDate) -> Result<Vec<VisitRecord>> {
    let mut q = Sql::new(&format!("{VISIT_SELECT} WHERE v.status = 'scheduled' AND v.due_on <= "));
    q.bind(until.to_string());
    match offices {
        Offices::All => {}
        Offices::Only(set) if set.is_empty() => return Ok(Vec::new()),
        Offices::Only(set) => {
            q.push(" AND c.office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
        }
    }
    q.push(" ORDER BY v.due_on LIMIT 200");
    q.query().fetch_all(c).await?.iter().map(|r| visit(keys, r)).collect()
}

/// What a visit came to.
pub struct VisitOutcome<'a> {
    pub status: VisitStatus,
    pub on: CalendarDate,
    pub notes: Option<&'a str>,
    pub by: UserId,
}

pub async fn record_visit(c: &mut AnyConnection, keys: &Keyring, id: &str, o: &VisitOutcome<'_>, now: Timestamp) -> Result<bool> {
    let sealed = o.notes.map(|n| keys.seal(&format!("monitoring_visits.notes:{id}"), n));
    let n = sqlx::query("UPDATE monitoring_visits SET status = $1, done_on = $2, notes = $3, recorded_by = $4, updated_at = $5 WHERE id = $6 AND status = 'scheduled'")
        .bind(o.status.as_str())
        .bind(o.on.to_string())
        .bind(sealed)
        .bind(o.by.to_string())
        .bind(now.to_string())
        .bind(id)
        .execute(c)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// The plans a case is a beneficiary of.
pub async fn plans_of_case(c: &mut AnyConnection, case: CaseId) -> Result<Vec<(String, String, PlanKind)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.title, p.kind FROM reintegration_plans p JOIN plan_beneficiaries b ON b.plan_id = p.id WHERE b.case_id = $1 ORDER BY p.created_at",
    )
    .bind(case.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(|r| Ok((text(r, "id")?, text(r, "title")?, code(r, "kind", PlanKind::parse)?))).collect()
}
