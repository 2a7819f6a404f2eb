//! Reintegration as use cases: a plan for one returnee, a group or a
//! community, its activities and budget, and the monitoring visits that
//! follow each beneficiary (scheduled when they join a plan, counted from
//! their arrival). Reintegration officers (`manage_reintegration`) of the
//! plan's office do this.

use crate::access::{self, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::case::CaseKind;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, OfficeId};
use passage_domain::journey::{Step, StepState};
use passage_domain::policy::Permission;
use passage_domain::reintegration::{budget_per_beneficiary, visit_schedule, ActivityInput, ActivityStatus, PlanKind, VisitStatus};
use passage_domain::{FieldError, Invalid};
use passage_storage::registry as reg;
use passage_storage::reintegration::{self as store, ActivityRecord, PlanRecord, VisitRecord};
use passage_storage::returns as journeys;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Plan)]
pub struct PlanInput {
    #[schema(schema_with = passage_domain::schema::code::<passage_domain::reintegration::PlanKind>)]
    pub kind: String,
    pub office_id: String,
    pub title: String,
    /// Case ids or references of the returnees.
    pub cases: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PlanFile {
    pub plan: PlanRecord,
    pub activities: Vec<ActivityRecord>,
    pub budget_total: i64,
    pub budget_per_beneficiary: Option<i64>,
}

/// A visit's outcome as sent. Unknown fields are refused: a client's typo
/// must not drop a survey without a word.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(as = Visit)]
pub struct VisitInput {
    /// done or missed.
    #[schema(schema_with = visit_outcomes)]
    pub status: String,
    #[schema(schema_with = passage_domain::schema::date)]
    pub done_on: String,
    pub notes: String,
    /// The sustainability survey of a visit done: indicator → answer code,
    /// under the scheme active for the visit's office.
    pub survey: std::collections::BTreeMap<String, String>,
}

/// What a visit can be recorded as (it is scheduled when planned).
fn visit_outcomes() -> utoipa::openapi::schema::Object {
    passage_domain::schema::one_of(&["done", "missed"])
}

/// A visit outcome that passed every check, ready to write.
pub(crate) struct PreparedVisit {
    pub(crate) visit: VisitRecord,
    person: Option<passage_domain::ids::PersonId>,
    to: VisitStatus,
    on: CalendarDate,
    notes: Option<String>,
    /// The survey and the scheme it is scored under; none when nothing was answered.
    survey: Option<(passage_domain::sustainability::Scheme, passage_domain::sustainability::Survey)>,
}

impl Passage {
    pub async fn create_plan(&self, actor: &Actor, input: &PlanInput) -> ServiceResult<String> {
        if !actor.rights().can_somewhere(Permission::ManageReintegration) {
            return Err(ServiceError::Forbidden("make reintegration plans"));
        }
        let mut inv = Invalid::default();
        let kind = inv.take(PlanKind::parse("kind", input.kind.trim()));
        let title = inv.take(passage_domain::text::required("title", &input.title, 200, false));
        let office = match input.office_id.trim().parse::<OfficeId>() {
            Ok(o) if actor.rights().can(Permission::ManageReintegration, o) => Some(o),
            _ => {
                inv.push(FieldError::new("office_id", "err-unknown-office"));
                None
            }
        };
        let mut cases = Vec::new();
        let mut c = self.db.reader().acquire().await?;
        let scope = access::scope(actor);
        for r in input.cases.iter().filter(|r| !r.trim().is_empty()) {
            match reg::find_case(&mut c, r, &scope).await? {
                Some(case) if case.kind == CaseKind::AssistedVoluntaryReturn && Some(case.office_id) == office => cases.push(case),
                _ => inv.push(FieldError::new("cases", "err-case-not-found").with("value", r.trim())),
            }
        }
        match (kind, cases.len()) {
            (_, 0) => inv.push(FieldError::new("cases", "err-required")),
            (Some(PlanKind::Individual), n) if n > 1 => inv.push(FieldError::new("cases", "err-individual-plan")),
            _ => {}
        }
        inv.into_result()?;
        // Visits count from arrival (the reception step), or from today for
        // a returnee whose arrival was not recorded.
        let mut schedules = Vec::new();
        for case in &cases {
            let child = journeys::is_unaccompanied_child(&mut c, case.person_id).await?;
            let (j, _) = journeys::load_journey(&mut c, case.id, child).await?;
            let arrival = match j.steps.get(&Step::Reception) {
                Some(StepState::Done { on, .. }) => *on,
                _ => CalendarDate::today(),
            };
            schedules.push((case.id, visit_schedule(arrival)));
        }
        drop(c);
        let id = passage_domain::ids::PlanId::new().to_string();
        let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let title = title.expect("checked");
        let new = store::NewPlan {
            id: &id,
            kind: kind.expect("checked"),
            office: office.expect("checked"),
            title: &title,
            cases: &ids,
            by: actor.id,
        };
        store::insert_plan(&mut tx, &new, now).await?;
        for case in &cases {
            passage_storage::analytics::refresh_person(&mut tx, case.person_id).await?;
        }
        for (case, dates) in &schedules {
            store::schedule_visits(&mut tx, *case, dates, now).await?;
        }
        let changes = audit::created(&[("kind", json!(kind)), ("office", json!(office)), ("cases", json!(ids))]);
        audit::record(&mut tx, Some(actor), "plan.create", format!("plan:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn plan_record(&self, actor: &Actor, id: &str, manage: bool) -> ServiceResult<PlanRecord> {
        let rights = actor.rights();
        if !rights.can_somewhere(Permission::ManageReintegration) && !rights.can_somewhere(Permission::ReadCases) {
            return Err(ServiceError::Forbidden("see reintegration plans"));
        }
        let mut c = self.db.reader().acquire().await?;
        let p = store::get_plan(&mut c, id.trim()).await?.ok_or(ServiceError::NotFound)?;
        let sees = rights.can(Permission::ManageReintegration, p.office_id) || rights.can(Permission::ReadCases, p.office_id);
        if !sees {
            return Err(ServiceError::NotFound);
        }
        if manage && !rights.can(Permission::ManageReintegration, p.office_id) {
            return Err(ServiceError::Forbidden("manage this plan"));
        }
        Ok(p)
    }

    pub async fn plan(&self, actor: &Actor, id: &str) -> ServiceResult<PlanFile> {
        let plan = self.plan_record(actor, id, false).await?;
        let mut c = self.db.reader().acquire().await?;
        let activities = store::activities(&mut c, &plan.id).await?;
        let budget_total = activities.iter().filter(|a| a.status != ActivityStatus::Cancelled).map(|a| a.budget).sum();
        let per = budget_per_beneficiary(budget_total, plan.beneficiaries.len());
        Ok(PlanFile { plan, activities, budget_total, budget_per_beneficiary: per })
    }

    pub async fn add_activity(&self, actor: &Actor, plan: &str, input: &ActivityInput) -> ServiceResult<String> {
        let p = self.plan_record(actor, plan, true).await?;
        let a = input.parse()?;
        let id = passage_domain::ids::ActivityId::new().to_string();
        let mut tx = self.db.begin().await?;
        store::insert_activity(&mut tx, &id, &p.id, &a, Timestamp::now()).await?;
        let changes = audit::created(&[("kind", json!(a.kind)), ("budget", json!(a.budget)), ("currency", json!(a.currency.code()))]);
        audit::record(&mut tx, Some(actor), "plan.activity", format!("plan:{}", p.id), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_activity_status(&self, actor: &Actor, plan: &str, activity: &str, to: &str) -> ServiceResult<()> {
        let p = self.plan_record(actor, plan, true).await?;
        let to = ActivityStatus::parse("status", to.trim())?;
        let mut c = self.db.reader().acquire().await?;
        let a = store::activities(&mut c, &p.id).await?.into_iter().find(|a| a.id == activity).ok_or(ServiceError::NotFound)?;
        drop(c);
        if !a.status.can_become(to) {
            return Err(FieldError::new("status", "err-activity-transition")
                .with("from", a.status.as_str())
                .with("to", to.as_str())
                .into());
        }
        let mut tx = self.db.begin().await?;
        if !store::set_activity_status(&mut tx, &p.id, &a.id, a.status, to, Timestamp::now()).await? {
            return Err(ServiceError::Conflict("the activity changed meanwhile"));
        }
        audit::record(&mut tx, Some(actor), "plan.activity", format!("plan:{}", p.id), None, json!({"status": [a.status, to]})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A case's monitoring visits (anyone who may read the case).
    pub async fn visits(&self, actor: &Actor, case: CaseId) -> ServiceResult<Vec<VisitRecord>> {
        access::require(actor, access::Action::ReadCases)?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        Ok(store::visits_of(&mut c, &self.keys, case.id).await?)
    }

    /// Record a visit as done (with its date and notes) or missed.
    /// Returns the visit's case.
    pub async fn record_visit(&self, actor: &Actor, id: &str, input: &VisitInput) -> ServiceResult<CaseId> {
        let prepared = self.prepare_visit(actor, id, input).await?;
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        let case = self.write_visit(&mut tx, actor, prepared, None, &mut trail).await?;
        trail.write(&mut tx).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Every check of a visit's outcome, reading only.
    pub(crate) async fn prepare_visit(&self, actor: &Actor, id: &str, input: &VisitInput) -> ServiceResult<PreparedVisit> {
        self.prepare_visit_under(actor, id, input, None).await
    }

    /// The same, with the survey checked and scored under `scheme` (a form
    /// sent from the field names the scheme it asked) instead of the one
    /// active for the visit's office.
    pub(crate) async fn prepare_visit_under(
        &self,
        actor: &Actor,
        id: &str,
        input: &VisitInput,
        scheme: Option<passage_domain::sustainability::Scheme>,
    ) -> ServiceResult<PreparedVisit> {
        if !actor.rights().can_somewhere(Permission::ManageReintegration) {
            return Err(ServiceError::Forbidden("record monitoring visits"));
        }
        let mut c = self.db.reader().acquire().await?;
        let v = store::get_visit(&mut c, &self.keys, id.trim()).await?.ok_or(ServiceError::NotFound)?;
        let case = reg::get_case(&mut c, v.case_id, &access::scope(actor)).await?;
        drop(c);
        if case.is_none() || !actor.rights().can(Permission::ManageReintegration, v.office_id) {
            return Err(ServiceError::NotFound);
        }
        let mut inv = Invalid::default();
        let to = inv.take(VisitStatus::parse("status", input.status.trim()));
        let on = match input.done_on.trim() {
            "" => Some(CalendarDate::today()),
            d => inv.take(CalendarDate::parse("done_on", d)),
        };
        let notes = inv.take(passage_domain::text::clean("notes", &input.notes, 4000, true)).flatten();
        if to == Some(VisitStatus::Scheduled) {
            inv.push(FieldError::new("status", "err-unknown-choice").with("value", "scheduled"));
        }
        let answered = input.survey.values().any(|a| !a.trim().is_empty());
        if answered && to == Some(VisitStatus::Missed) {
            inv.push(FieldError::new("survey", "err-survey-needs-visit"));
        }
        let mut survey = None;
        if !input.survey.is_empty() {
            let scheme = match scheme {
                Some(s) => s,
                None => {
                    let mut c = self.db.reader().acquire().await?;
                    self.scheme_for_office(&mut c, v.office_id).await?
                }
            };
            match scheme.check(&input.survey) {
                Ok(answers) if !answers.is_empty() => survey = Some((scheme, answers)),
                Ok(_) => {}
                Err(e) => inv.errors.extend(e.errors),
            }
        }
        inv.into_result()?;
        let (to, on) = (to.expect("checked"), on.expect("checked"));
        // A visit is follow-up contact: only with the person's consent to be contacted.
        if to == VisitStatus::Done {
            let mut c = self.db.reader().acquire().await?;
            let person = case.as_ref().map(|c| c.person_id).expect("checked above");
            if !passage_storage::handovers::has_consent(&mut c, person, "follow_up_contact").await? {
                return Err(FieldError::new("consent", "err-follow-up-consent").into());
            }
        }
        if !v.status.can_become(to) {
            return Err(ServiceError::Conflict("this visit was already recorded"));
        }
        Ok(PreparedVisit { visit: v, person: case.map(|c| c.person_id), to, on, notes, survey })
    }

    /// Write a prepared visit outcome in the caller's transaction.
    pub(crate) async fn write_visit(
        &self,
        c: &mut sqlx::AnyConnection,
        actor: &Actor,
        prepared: PreparedVisit,
        receipt: Option<&crate::receipts::Receipt<'_>>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<CaseId> {
        let PreparedVisit { visit: v, person, to, on, notes, survey } = prepared;
        if let Some(receipt) = receipt {
            crate::receipts::keep_receipt(&mut *c, &self.keys, receipt, &format!("visit:{}", v.id)).await?;
        }
        let outcome = store::VisitOutcome { status: to, on, notes: notes.as_deref(), by: actor.id };
        if !store::record_visit(&mut *c, &self.keys, &v.id, &outcome, Timestamp::now()).await? {
            return Err(ServiceError::Conflict("this visit was already recorded"));
        }
        let mut changes =
            json!({"status": [v.status, to], "done_on": [null, on.to_string()], "notes": [null, notes.as_deref().map(audit::redacted)]});
        if let Some((scheme, answers)) = &survey {
            let scores = scheme.score(answers);
            passage_storage::sustainability::insert_survey(&mut *c, &self.keys, &v.id, answers, &scheme.scheme, &scores, Timestamp::now())
                .await?;
            // The answers stay out of the trail (they are sealed); what was scored, and how, goes in.
            changes["survey"] =
                json!([null, {"scheme": scheme.scheme.to_string(), "answers": answers.answers.len(), "composite": scores.composite}]);
            if let Some(person) = person {
                passage_storage::analytics::refresh_person(&mut *c, person).await?;
            }
        }
        trail.add(Some(actor), "visit.record", format!("case:{}", v.case_id), person, changes);
        Ok(v.case_id)
    }

    /// Visits due within two weeks or overdue, in the actor's reintegration offices.
    pub async fn visits_due(&self, actor: &Actor) -> ServiceResult<Vec<VisitRecord>> {
        let offices = actor.rights().offices(Permission::ManageReintegration);
        let mut c = self.db.reader().acquire().await?;
        Ok(store::visits_due(&mut c, &self.keys, &offices, CalendarDate::today().add_days(14)).await?)
    }
}

impl Passage {
    /// The plans a case belongs to (readers of the case).
    pub async fn plans_of_case(&self, actor: &Actor, case: CaseId) -> ServiceResult<Vec<(String, String, PlanKind)>> {
        access::require(actor, access::Action::ReadCases)?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        Ok(store::plans_of_case(&mut c, case.id).await?)
    }
}
