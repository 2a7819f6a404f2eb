//! Assisted voluntary returns as use cases: reading a case's journey with
//! what blocks its next steps, and recording a step (done, waived or
//! blocked), the medical decision, the escort, or a withdrawal of
//! voluntariness. The rules are the domain's (`passage_domain::journey`);
//! here are the access check, the transaction and the audit entry.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::case::CaseKind;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::CaseId;
use passage_domain::journey::{Blocker, EscortKind, FitToTravel, Journey, Phase, Step};
use passage_domain::policy::Permission;
use passage_domain::{FieldError, Invalid};
use passage_storage::records::CaseRecord;
use passage_storage::registry as reg;
use passage_storage::returns::{self as store, StepRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A case's journey as the timeline shows it.
#[derive(Debug, Serialize)]
pub struct JourneyView {
    pub case: CaseId,
    pub unaccompanied_child: bool,
    pub fit_to_travel: Option<FitToTravel>,
    pub escort: Option<EscortKind>,
    pub voluntariness_withdrawn: bool,
    pub complete: bool,
    /// Every step that applies, in order, with its state and what blocks it.
    pub steps: Vec<StepView>,
}

#[derive(Debug, Serialize)]
pub struct StepView {
    pub step: Step,
    pub phase: Phase,
    pub state: &'static str,
    pub by: Option<String>,
    pub on: Option<String>,
    pub evidence: Option<String>,
    pub reason: Option<String>,
    /// Why it cannot be recorded now (absent when it can, or when it is settled).
    pub blocker: Option<String>,
    pub waivable: bool,
}

/// What to record on a step, as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = JourneyStep)]
pub struct StepInput {
    /// `done`, `waive`, `block`, or `withdraw` (voluntariness, on any step).
    #[schema(schema_with = step_actions, required = true)]
    pub action: String,
    pub evidence: String,
    pub reason: String,
    /// For the medical screening: fit, fit_with_escort or unfit.
    #[schema(schema_with = passage_domain::schema::code::<passage_domain::journey::FitToTravel>)]
    pub fit_to_travel: String,
    /// For the escort step: operational or medical.
    #[schema(schema_with = passage_domain::schema::code::<passage_domain::journey::EscortKind>)]
    pub escort: String,
    /// When it was done (default today).
    #[schema(schema_with = passage_domain::schema::date)]
    pub on: String,
}

fn step_actions() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["done", "waive", "block", "withdraw"])
}

/// The blocker as a stable code (the web layer translates it).
pub fn blocker_code(b: &Blocker) -> String {
    match b {
        Blocker::Needs(steps) => format!("needs:{}", steps.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")),
        Blocker::Unfit => "unfit".into(),
        Blocker::NeedsMedicalEscort => "needs_medical_escort".into(),
        Blocker::VoluntarinessWithdrawn => "voluntariness_withdrawn".into(),
        Blocker::NotApplicable => "not_applicable".into(),
        Blocker::NotWaivable => "not_waivable".into(),
        Blocker::AlreadySettled => "already_settled".into(),
    }
}

fn refused(field: &str, b: &Blocker) -> ServiceError {
    FieldError::new(field, "err-journey-blocked").with("blocker", blocker_code(b)).into()
}

impl Passage {
    /// The return case the actor may see, with its journey.
    async fn journey_of(&self, actor: &Actor, case: CaseId) -> ServiceResult<(CaseRecord, Journey, Vec<StepRecord>)> {
        access::require(actor, Action::ReadCases)?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        if case.kind != CaseKind::AssistedVoluntaryReturn {
            return Err(ServiceError::NotFound);
        }
        let child = store::is_unaccompanied_child(&mut c, case.person_id).await?;
        let (j, steps) = store::load_journey(&mut c, case.id, child).await?;
        Ok((case, j, steps))
    }

    pub async fn journey(&self, actor: &Actor, case: CaseId) -> ServiceResult<JourneyView> {
        let (case, j, records) = self.journey_of(actor, case).await?;
        let steps = j
            .steps
            .keys()
            .map(|s| {
                let r = records.iter().find(|r| r.step == *s);
                StepView {
                    step: *s,
                    phase: s.phase(),
                    state: r.map(|r| r.state).unwrap_or("pending"),
                    by: r.and_then(|r| r.by.clone()),
                    on: r.and_then(|r| r.on.clone()),
                    evidence: r.and_then(|r| r.evidence.clone()),
                    reason: r.and_then(|r| r.reason.clone()),
                    blocker: j.blocker(*s).filter(|b| *b != Blocker::AlreadySettled).map(|b| blocker_code(&b)),
                    waivable: s.waivable(),
                }
            })
            .collect();
        Ok(JourneyView {
            case: case.id,
            unaccompanied_child: j.unaccompanied_child,
            fit_to_travel: j.fit_to_travel,
            escort: j.escort,
            voluntariness_withdrawn: j.voluntariness_withdrawn,
            complete: j.complete_journey(),
            steps,
        })
    }

    /// Record one step of a return. Transport steps may be recorded by the
    /// movement officers of the case's office as well as its caseworkers.
    pub async fn record_step(&self, actor: &Actor, case: CaseId, step: &str, input: &StepInput) -> ServiceResult<()> {
        let step = Step::parse("step", step).map_err(|_| ServiceError::NotFound)?;
        let (case, mut j, _) = self.journey_of(actor, case).await?;
        let rights = actor.rights();
        let may = rights.can(Permission::WriteCases, case.office_id)
            || (step.phase() == Phase::Transportation && rights.can(Permission::ManageMovements, case.office_id));
        if !may {
            return Err(ServiceError::Forbidden("record this step of the return"));
        }
        let mut inv = Invalid::default();
        let text = |field: &str, v: &str, inv: &mut Invalid| inv.take(passage_domain::text::clean(field, v, 500, true)).flatten();
        let before = j.steps.get(&step).cloned();
        let changes = match input.action.trim() {
            "done" => {
                let on = if input.on.trim().is_empty() {
                    Some(CalendarDate::today())
                } else {
                    inv.take(CalendarDate::parse("on", input.on.trim()))
                };
                let evidence = text("evidence", &input.evidence, &mut inv);
                if step == Step::MedicalScreening {
                    match FitToTravel::parse("fit_to_travel", input.fit_to_travel.trim()) {
                        Ok(f) => j.decide_fitness(f),
                        Err(e) => inv.push(e),
                    }
                }
                if step == Step::Escort {
                    match EscortKind::parse("escort", input.escort.trim()) {
                        Ok(e) => j.arrange_escort(e),
                        Err(e) => inv.push(e),
                    }
                }
                inv.into_result()?;
                let on = on.expect("checked");
                j.complete(step, actor.id, on, evidence.clone()).map_err(|b| refused("step", &b))?;
                json!({"step": [step, step], "state": [state_name(&before), "done"], "on": [null, on.to_string()],
                    "evidence": [null, evidence.as_deref().map(audit::redacted)], "fit_to_travel": [null, j.fit_to_travel], "escort": [null, j.escort]})
            }
            "waive" | "block" => {
                let reason = inv.take(passage_domain::text::required("reason", &input.reason, 500, true));
                inv.into_result()?;
                let reason = reason.expect("checked");
                let r = if input.action.trim() == "waive" { j.waive(step, reason.clone()) } else { j.block(step, reason.clone()) };
                r.map_err(|b| refused("step", &b))?;
                let to = if input.action.trim() == "waive" { "waived" } else { "blocked" };
                json!({"step": [step, step], "state": [state_name(&before), to], "reason": [null, audit::redacted(&reason)]})
            }
            "withdraw" => {
                if j.voluntariness_withdrawn {
                    return Err(ServiceError::Conflict("voluntariness was already withdrawn"));
                }
                j.withdraw_voluntariness();
                let mut tx = self.db.begin().await?;
                store::save_step(&mut tx, case.id, &j, None, Timestamp::now()).await?;
                let changes = json!({"voluntariness_withdrawn": [false, true]});
                audit::record(&mut tx, Some(actor), "journey.withdraw", format!("case:{}", case.id), Some(case.person_id), changes).await?;
                tx.commit().await?;
                return Ok(());
            }
            other => {
                inv.push(FieldError::new("action", "err-unknown-choice").with("value", other));
                return Err(inv.into_result().expect_err("has an error").into());
            }
        };
        let mut tx = self.db.begin().await?;
        store::save_step(&mut tx, case.id, &j, Some(step), Timestamp::now()).await?;
        audit::record(&mut tx, Some(actor), "journey.step", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn state_name(s: &Option<passage_domain::journey::StepState>) -> &'static str {
    use passage_domain::journey::StepState::*;
    match s {
        None | Some(Pending) => "pending",
        Some(Done { .. }) => "done",
        Some(Waived { .. }) => "waived",
        Some(Blocked { .. }) => "blocked",
    }
}
