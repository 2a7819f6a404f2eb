//! The work queue: what needs a user now — hand-overs to decide, return
//! steps they can do, movements leaving soon, monitoring visits due,
//! referrals overdue — from the data each of those use cases keeps.

use crate::access::{self, Actor};
use crate::error::ServiceResult;
use crate::Passage;
use passage_domain::case::CaseKind;
use passage_domain::date::CalendarDate;
use passage_domain::ids::CaseId;
use passage_domain::journey::Step;
use passage_domain::movement::MovementStatus;
use passage_domain::policy::Permission;
use passage_storage::movements::{self as store, MovementRecord};
use passage_storage::registry as reg;
use passage_storage::returns as journeys;
use serde::Serialize;

/// What needs the user now.
#[derive(Debug, Default, Serialize)]
pub struct WorkQueue {
    /// Hand-overs waiting for their offices.
    pub handovers: Vec<passage_storage::handovers::HandoverRecord>,
    /// Movements of their offices leaving in the next two weeks (movement officers).
    pub departing: Vec<MovementRecord>,
    /// Return cases assigned to them whose next step can be done now.
    pub steps: Vec<StepDue>,
    /// Monitoring visits due within two weeks or overdue (reintegration officers).
    pub visits: Vec<passage_storage::reintegration::VisitRecord>,
    /// Referrals of their cases that the provider has not answered or finished in time.
    pub referrals: Vec<passage_storage::referrals::ReferralRecord>,
}

#[derive(Debug, Serialize)]
pub struct StepDue {
    pub case_id: CaseId,
    pub reference: String,
    pub step: Step,
}

impl Passage {
    pub async fn work_queue(&self, actor: &Actor) -> ServiceResult<WorkQueue> {
        let mut q = WorkQueue::default();
        let rights = actor.rights();
        if rights.can_somewhere(Permission::WriteCases) {
            q.handovers = self.pending_handovers(actor).await?;
            q.referrals = self.overdue_referrals(actor).await?;
            let mut c = self.db.reader().acquire().await?;
            for case in reg::cases_assigned_to(&mut c, actor.id, &access::scope(actor), 50).await? {
                if case.kind != CaseKind::AssistedVoluntaryReturn {
                    continue;
                }
                let child = journeys::is_unaccompanied_child(&mut c, case.person_id).await?;
                let (j, _) = journeys::load_journey(&mut c, case.id, child).await?;
                if let Some((step, None)) = j.next().into_iter().find(|(_, b)| b.is_none()) {
                    q.steps.push(StepDue { case_id: case.id, reference: case.reference.clone(), step });
                }
            }
        }
        if rights.can_somewhere(Permission::ManageReintegration) {
            q.visits = self.visits_due(actor).await?;
        }
        if rights.can_somewhere(Permission::ManageMovements) {
            let soon = CalendarDate::today().add_days(14);
            let mut c = self.db.reader().acquire().await?;
            q.departing = store::list_movements(&mut c, &rights.offices(Permission::ManageMovements), 200)
                .await?
                .into_iter()
                .filter(|m| m.status == MovementStatus::Planned && m.departure_on <= soon)
                .collect();
        }
        Ok(q)
    }
}
