//! Hand-over of a case between offices (from the transit country's office
//! to the office of the country of origin): requested with the person's
//! consent, accepted by the receiving office (which gains the case while
//! the sender keeps reading it) or declined with a reason.

use crate::access::{self, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::Timestamp;
use passage_domain::ids::{CaseId, HandoverId, OfficeId};
use passage_domain::policy::Permission;
use passage_domain::FieldError;
use passage_storage::handovers as store;
use passage_storage::registry as reg;
use serde_json::json;

impl Passage {
    /// Ask the office in the person's country (or any other) to take the
    /// case over. The person must have consented to the hand-over, and the
    /// requester must work on the case in its office.
    pub async fn request_handover(&self, actor: &Actor, case: CaseId, to_office: &str) -> ServiceResult<String> {
        access::require(actor, access::Action::WriteSomewhere)?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        access::require(actor, access::Action::WriteCases(case.office_id))?;
        let to = match to_office.trim().parse::<OfficeId>() {
            Ok(id) => reg::get_office(&mut c, id).await?,
            Err(_) => reg::get_office_by_code(&mut c, &to_office.trim().to_uppercase()).await?,
        };
        let mut inv = passage_domain::Invalid::default();
        match &to {
            None => inv.push(FieldError::new("to_office", "err-unknown-office")),
            Some(o) if o.id == case.office_id => inv.push(FieldError::new("to_office", "err-handover-same-office")),
            _ => {}
        }
        if !store::has_consent(&mut c, case.person_id, "handover").await? {
            inv.push(FieldError::new("consent", "err-handover-consent"));
        }
        let pending = store::pending_handover_of(&mut c, case.id).await?;
        drop(c);
        inv.into_result()?;
        if pending {
            return Err(ServiceError::Conflict("a hand-over of this case is already waiting"));
        }
        let to = to.expect("checked");
        let id = HandoverId::new().to_string();
        let mut tx = self.db.begin().await?;
        store::insert_handover(&mut tx, &id, case.id, case.office_id, to.id, actor.id, Timestamp::now()).await?;
        let changes = audit::created(&[("from", json!(case.office_id)), ("to", json!(to.id))]);
        audit::record(&mut tx, Some(actor), "handover.request", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Requests waiting for the offices where the actor works on cases.
    pub async fn pending_handovers(&self, actor: &Actor) -> ServiceResult<Vec<store::HandoverRecord>> {
        access::require(actor, access::Action::WriteSomewhere)?;
        let mut c = self.db.reader().acquire().await?;
        Ok(store::pending_handovers(&mut c, &access::writable_offices(actor)).await?)
    }

    /// The request, if it waits for an office where the actor works.
    async fn handover_for(&self, actor: &Actor, id: &str) -> ServiceResult<store::HandoverRecord> {
        access::require(actor, access::Action::WriteSomewhere)?;
        let mut c = self.db.reader().acquire().await?;
        let h = store::get_handover(&mut c, id.trim()).await?.ok_or(ServiceError::NotFound)?;
        if !actor.rights().can(Permission::WriteCases, h.to_office_id) {
            return Err(ServiceError::NotFound);
        }
        if h.status != passage_domain::movement::HandoverStatus::Requested {
            return Err(ServiceError::Conflict("this hand-over was already decided"));
        }
        Ok(h)
    }

    /// Accept: the case moves to the receiving office, assigned to the
    /// acceptor; the sending office keeps reading it; the person becomes
    /// findable there. One transaction.
    pub async fn accept_handover(&self, actor: &Actor, id: &str) -> ServiceResult<CaseId> {
        let h = self.handover_for(actor, id).await?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, h.case_id, &passage_storage::records::Scope::everything()).await?.ok_or(ServiceError::NotFound)?;
        drop(c);
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if !store::decide_handover(&mut tx, &h.id, "accepted", None, actor.id, now).await? {
            return Err(ServiceError::Conflict("this hand-over was already decided"));
        }
        store::move_case(&mut tx, case.id, h.from_office_id, h.to_office_id, actor.id, now).await?;
        // Figures attribute a person to their case's office: it just changed.
        passage_storage::analytics::refresh_person(&mut tx, case.person_id).await?;
        reg::index_person_in_office(&mut tx, case.person_id, h.to_office_id).await?;
        reg::refresh_key_restriction(&mut tx, case.person_id, h.to_office_id).await?;
        reg::refresh_key_restriction(&mut tx, case.person_id, h.from_office_id).await?;
        let changes = json!({"office": [h.from_office_id, h.to_office_id], "assigned_to": [case.assigned_to, actor.id], "status": ["requested", "accepted"]});
        audit::record(&mut tx, Some(actor), "handover.accept", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(case.id)
    }

    /// Decline, with the reason (the sending office keeps the case).
    pub async fn decline_handover(&self, actor: &Actor, id: &str, reason: &str) -> ServiceResult<()> {
        let reason = passage_domain::text::required("reason", reason, 500, true)?;
        let h = self.handover_for(actor, id).await?;
        let mut tx = self.db.begin().await?;
        if !store::decide_handover(&mut tx, &h.id, "declined", Some(&reason), actor.id, Timestamp::now()).await? {
            return Err(ServiceError::Conflict("this hand-over was already decided"));
        }
        let changes = json!({"status": ["requested", "declined"], "reason": [null, audit::redacted(&reason)]});
        audit::record(&mut tx, Some(actor), "handover.decline", format!("case:{}", h.case_id), None, changes).await?;
        tx.commit().await?;
        Ok(())
    }
}
