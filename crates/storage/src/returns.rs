//! Storage for assisted voluntary returns: a case's journey (its decisions
//! and the steps recorded so far). The rules are in
//! `passage_domain::journey`; this module only loads and saves its state.

use crate::records::*;
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::ids::{CaseId, PersonId};
use passage_domain::journey::{EscortKind, FitToTravel, Journey, Step, StepState};
use serde::Serialize;
use sqlx::AnyConnection;

/// Who recorded a step, for display.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub step: Step,
    pub state: &'static str,
    pub by: Option<String>,
    pub on: Option<String>,
    pub evidence: Option<String>,
    pub reason: Option<String>,
}

/// Whether the person behind a case is an unaccompanied or separated
/// child: a case of that kind, or a screening that found so, on any of
/// their cases.
pub async fn is_unaccompanied_child(c: &mut AnyConnection, person: PersonId) -> Result<bool> {
    let r = sqlx::query(
        "SELECT 1 AS x FROM cases c WHERE c.person_id = $1 AND (c.kind = 'unaccompanied_child' OR EXISTS ( \
           SELECT 1 FROM screenings s JOIN screening_findings f ON f.screening_id = s.id \
           WHERE s.case_id = c.id AND f.category IN ('unaccompanied_child', 'separated_child'))) LIMIT 1",
    )
    .bind(person.to_string())
    .fetch_optional(c)
    .await?;
    Ok(r.is_some())
}

/// A case's journey as the domain sees it, and its steps for display.
pub async fn load_journey(c: &mut AnyConnection, case: CaseId, child: bool) -> Result<(Journey, Vec<StepRecord>)> {
    let mut j = Journey::new(child);
    if let Some(r) = sqlx::query("SELECT fit_to_travel, escort, voluntariness_withdrawn FROM journeys WHERE case_id = $1")
        .bind(case.to_string())
        .fetch_optional(&mut *c)
        .await?
    {
        j.fit_to_travel = opt_code(&r, "fit_to_travel", FitToTravel::parse)?;
        j.escort = opt_code(&r, "escort", EscortKind::parse)?;
        j.voluntariness_withdrawn = int(&r, "voluntariness_withdrawn")? == 1;
    }
    let rows = sqlx::query(
        "SELECT s.step, s.state, s.done_by, u.display_name AS by_name, s.done_on, s.evidence, s.reason FROM journey_steps s \
         LEFT JOIN users u ON u.id = s.done_by WHERE s.case_id = $1",
    )
    .bind(case.to_string())
    .fetch_all(&mut *c)
    .await?;
    let mut shown = Vec::new();
    for r in &rows {
        let step = code(r, "step", Step::parse)?;
        let state = text(r, "state")?;
        let reason = opt_text(r, "reason")?;
        let st = match state.as_str() {
            "done" => StepState::Done {
                by: id(r, "done_by")?,
                on: code(r, "done_on", passage_domain::date::CalendarDate::parse)?,
                evidence: opt_text(r, "evidence")?,
            },
            "waived" => StepState::Waived { reason: reason.clone().unwrap_or_default() },
            "blocked" => StepState::Blocked { reason: reason.clone().unwrap_or_default() },
            other => return Err(crate::StorageError::Corrupt(format!("journey_steps.state {other:?}"))),
        };
        // A step that no longer applies (a screening changed the child flag) is kept on record but not in the rules.
        if j.steps.contains_key(&step) {
            j.steps.insert(step, st);
        }
        shown.push(StepRecord {
            step,
            state: match state.as_str() {
                "done" => "done",
                "waived" => "waived",
                _ => "blocked",
            },
            by: opt_text(r, "by_name")?,
            on: opt_text(r, "done_on")?,
            evidence: opt_text(r, "evidence")?,
            reason,
        });
    }
    Ok((j, shown))
}

/// Save the journey's decisions and one step's state.
pub async fn save_step(c: &mut AnyConnection, case: CaseId, j: &Journey, step: Option<Step>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO journeys (case_id, fit_to_travel, escort, voluntariness_withdrawn, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (case_id) DO UPDATE SET fit_to_travel = $2, escort = $3, voluntariness_withdrawn = $4, updated_at = $5",
    )
    .bind(case.to_string())
    .bind(j.fit_to_travel.map(|f| f.as_str()))
    .bind(j.escort.map(|e| e.as_str()))
    .bind(i64::from(j.voluntariness_withdrawn))
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    let Some(step) = step else { return Ok(()) };
    let (state, by, on, evidence, reason) = match j.steps.get(&step) {
        Some(StepState::Done { by, on, evidence }) => ("done", Some(by.to_string()), Some(on.to_string()), evidence.clone(), None),
        Some(StepState::Waived { reason }) => ("waived", None, None, None, Some(reason.clone())),
        Some(StepState::Blocked { reason }) => ("blocked", None, None, None, Some(reason.clone())),
        Some(StepState::Pending) | None => {
            sqlx::query("DELETE FROM journey_steps WHERE case_id = $1 AND step = $2")
                .bind(case.to_string())
                .bind(step.as_str())
                .execute(c)
                .await?;
            return Ok(());
        }
    };
    sqlx::query(
        "INSERT INTO journey_steps (case_id, step, state, done_by, done_on, evidence, reason, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (case_id, step) DO UPDATE SET state = $3, done_by = $4, done_on = $5, evidence = $6, reason = $7, recorded_at = $8",
    )
    .bind(case.to_string())
    .bind(step.as_str())
    .bind(state)
    .bind(by)
    .bind(on)
    .bind(evidence)
    .bind(reason)
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}
