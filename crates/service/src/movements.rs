//! Movements as use cases: plan one, manifest travellers whose journey lets
//! them depart, board them, and mark the movement departed and arrived —
//! which records the transport steps of every traveller's journey in the
//! same transaction. Movement officers (`manage_movements`) of the
//! movement's office do this; readers of the office's cases may look.

use crate::access::{self, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::case::CaseKind;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, MovementId, OfficeId};
use passage_domain::journey::{Phase, Step, StepState};
use passage_domain::movement::{may_manifest, ManifestRefusal, MovementInput, MovementStatus, TravellerStatus};
use passage_domain::policy::{Offices, Permission};
use passage_domain::FieldError;
use passage_storage::movements::{self as store, MovementRecord, TravellerRecord};
use passage_storage::registry as reg;
use passage_storage::returns as journeys;
use serde::Serialize;
use serde_json::json;

/// A traveller as the reader may see them: a restricted case they may not
/// see shows its reference only.
#[derive(Debug, Serialize)]
pub struct TravellerView {
    pub case_id: CaseId,
    pub reference: String,
    pub status: TravellerStatus,
    pub name: Option<String>,
    pub sex: Option<String>,
    pub birth_year: Option<i64>,
    pub nationality: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MovementFile {
    pub movement: MovementRecord,
    pub travellers: Vec<TravellerView>,
}

fn refusal(r: ManifestRefusal) -> ServiceError {
    match r {
        ManifestRefusal::Full { capacity } => FieldError::new("case_id", "err-movement-full").with("capacity", capacity.to_string()).into(),
        ManifestRefusal::Closed => ServiceError::Conflict("this movement has left or was cancelled"),
        ManifestRefusal::AlreadyManifested => FieldError::new("case_id", "err-already-manifested").into(),
        ManifestRefusal::NotReady(b) => FieldError::new("case_id", "err-journey-blocked").with("blocker", b).into(),
    }
}

impl Passage {
    fn movement_offices(actor: &Actor) -> Offices {
        let r = actor.rights();
        let mut o = r.offices(Permission::ManageMovements);
        o.union(&r.offices(Permission::ReadCases));
        o
    }

    pub async fn create_movement(&self, actor: &Actor, input: &MovementInput) -> ServiceResult<MovementId> {
        if !actor.rights().can_somewhere(Permission::ManageMovements) {
            return Err(ServiceError::Forbidden("plan movements"));
        }
        let office: Result<OfficeId, _> = input.office_id.trim().parse();
        let m = input.parse();
        let mut inv = m.as_ref().err().cloned().unwrap_or_default();
        let office = match office {
            Ok(o) if actor.rights().can(Permission::ManageMovements, o) => Some(o),
            _ => {
                inv.push(FieldError::new("office_id", "err-unknown-office"));
                None
            }
        };
        inv.into_result()?;
        let (m, office) = (m.expect("checked"), office.expect("checked"));
        let id = MovementId::new();
        let mut tx = self.db.begin().await?;
        store::insert_movement(&mut tx, id, &m, office, actor.id, Timestamp::now()).await?;
        let changes = audit::created(&[
            ("kind", json!(m.kind)),
            ("office", json!(office)),
            ("destination_country", json!(m.destination_country.to_string())),
            ("departure_on", json!(m.departure_on.to_string())),
            ("capacity", json!(m.capacity)),
        ]);
        audit::record(&mut tx, Some(actor), "movement.create", format!("movement:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn movements(&self, actor: &Actor) -> ServiceResult<Vec<MovementRecord>> {
        let offices = Self::movement_offices(actor);
        if offices.is_empty() {
            return Err(ServiceError::Forbidden("see movements"));
        }
        let mut c = self.db.reader().acquire().await?;
        Ok(store::list_movements(&mut c, &offices, 200).await?)
    }

    async fn visible_movement(&self, actor: &Actor, id: MovementId) -> ServiceResult<MovementRecord> {
        let offices = Self::movement_offices(actor);
        if offices.is_empty() {
            return Err(ServiceError::Forbidden("see movements"));
        }
        let mut c = self.db.reader().acquire().await?;
        let m = store::get_movement(&mut c, id).await?.filter(|m| offices.contains(m.office_id)).ok_or(ServiceError::NotFound)?;
        Ok(m)
    }

    async fn managed_movement(&self, actor: &Actor, id: MovementId) -> ServiceResult<MovementRecord> {
        let m = self.visible_movement(actor, id).await?;
        if !actor.rights().can(Permission::ManageMovements, m.office_id) {
            return Err(ServiceError::Forbidden("manage this movement"));
        }
        Ok(m)
    }

    pub async fn movement(&self, actor: &Actor, id: MovementId) -> ServiceResult<MovementFile> {
        let movement = self.visible_movement(actor, id).await?;
        let mut c = self.db.reader().acquire().await?;
        let rights = actor.rights();
        let travellers = store::travellers(&mut c, id)
            .await?
            .into_iter()
            .map(|t: TravellerRecord| {
                let seen = rights.may_see_case(t.office_id, t.sensitivity, t.assigned_to);
                TravellerView {
                    case_id: t.case_id,
                    reference: t.reference,
                    status: t.status,
                    name: seen.then_some(t.name),
                    sex: seen.then_some(t.sex),
                    birth_year: if seen { t.birth_year } else { None },
                    nationality: if seen { t.nationality } else { None },
                }
            })
            .collect();
        Ok(MovementFile { movement, travellers })
    }

    /// The manifest for the carrier and the authorities: only those with a
    /// seat, only the fields they need. Movement officers of the office
    /// only; every export is in the audit trail (it carries names).
    pub async fn export_manifest(&self, actor: &Actor, id: MovementId) -> ServiceResult<MovementFile> {
        let m = self.managed_movement(actor, id).await?;
        let mut file = self.movement(actor, id).await?;
        file.travellers.retain(|t| t.status.holds_seat());
        let mut tx = self.db.begin().await?;
        let changes = json!({"travellers": [null, file.travellers.len()]});
        audit::record(&mut tx, Some(actor), "movement.export", format!("movement:{}", m.id), None, changes).await?;
        tx.commit().await?;
        Ok(file)
    }

    /// Put a return case on a movement's manifest.
    pub async fn manifest(&self, actor: &Actor, id: MovementId, case: &str) -> ServiceResult<()> {
        let m = self.managed_movement(actor, id).await?;
        let not_found = || ServiceError::from(FieldError::new("case_id", "err-case-not-found"));
        let mut c = self.db.reader().acquire().await?;
        let case = reg::find_case(&mut c, case, &access::scope(actor)).await?.ok_or_else(not_found)?;
        if case.kind != CaseKind::AssistedVoluntaryReturn {
            return Err(FieldError::new("case_id", "err-not-a-return").into());
        }
        let child = journeys::is_unaccompanied_child(&mut c, case.person_id).await?;
        let (j, _) = journeys::load_journey(&mut c, case.id, child).await?;
        if let Some(b) = j.blocker(Step::DepartureAssistance) {
            if b != passage_domain::journey::Blocker::AlreadySettled {
                return Err(refusal(ManifestRefusal::NotReady(crate::returns::blocker_code(&b))));
            }
        }
        if store::seat_elsewhere(&mut c, case.id).await? {
            return Err(refusal(ManifestRefusal::AlreadyManifested));
        }
        drop(c);
        may_manifest(m.status, m.capacity as u32, m.seats_held as u32).map_err(refusal)?;
        let mut tx = self.db.begin().await?;
        store::add_traveller(&mut tx, id, case.id, Timestamp::now()).await?;
        // Capacity again inside the transaction: two officers filling the last seat at once.
        let now_held = store::get_movement(&mut tx, id).await?.map(|m| m.seats_held).unwrap_or(0);
        if now_held > m.capacity {
            return Err(refusal(ManifestRefusal::Full { capacity: m.capacity as u32 }));
        }
        let changes = json!({"movement": [null, id], "status": [null, "manifested"]});
        audit::record(&mut tx, Some(actor), "movement.manifest", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Boarded, no-show or offloaded: before the movement leaves.
    pub async fn set_traveller(&self, actor: &Actor, id: MovementId, case: CaseId, to: &str) -> ServiceResult<()> {
        let m = self.managed_movement(actor, id).await?;
        let to = TravellerStatus::parse("status", to.trim())?;
        if to == TravellerStatus::Arrived || to == TravellerStatus::Manifested {
            return Err(FieldError::new("status", "err-traveller-status").into());
        }
        if m.status != MovementStatus::Planned {
            return Err(ServiceError::Conflict("this movement has left or was cancelled"));
        }
        let mut c = self.db.reader().acquire().await?;
        let t = store::travellers(&mut c, id).await?.into_iter().find(|t| t.case_id == case).ok_or(ServiceError::NotFound)?;
        drop(c);
        if !t.status.can_become(to) {
            return Err(FieldError::new("status", "err-traveller-transition")
                .with("from", t.status.as_str())
                .with("to", to.as_str())
                .into());
        }
        let mut tx = self.db.begin().await?;
        if !store::set_traveller_status(&mut tx, id, case, t.status, to, Timestamp::now()).await? {
            return Err(ServiceError::Conflict("the traveller changed meanwhile"));
        }
        let changes = json!({"movement": [id, id], "status": [t.status, to]});
        audit::record(&mut tx, Some(actor), "movement.traveller", format!("case:{case}"), Some(t.person_id), changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Departed or arrived (or cancelled). Departure records every boarded
    /// traveller's departure and makes the ones who never boarded no-shows;
    /// arrival marks the boarded arrived and their transport phase done —
    /// all in one transaction, so a movement is never half arrived.
    pub async fn set_movement_status(&self, actor: &Actor, id: MovementId, to: &str) -> ServiceResult<()> {
        let m = self.managed_movement(actor, id).await?;
        let to = MovementStatus::parse("status", to.trim())?;
        if !m.status.can_become(to) {
            return Err(FieldError::new("status", "err-movement-transition")
                .with("from", m.status.as_str())
                .with("to", to.as_str())
                .into());
        }
        let mut c = self.db.reader().acquire().await?;
        let travellers = store::travellers(&mut c, id).await?;
        let mut loaded = Vec::new();
        for t in &travellers {
            let child = journeys::is_unaccompanied_child(&mut c, t.person_id).await?;
            loaded.push(journeys::load_journey(&mut c, t.case_id, child).await?.0);
        }
        drop(c);
        let now = Timestamp::now();
        let day = match to {
            MovementStatus::Arrived => m.arrival_on.unwrap_or_else(CalendarDate::today),
            _ => m.departure_on,
        };
        let mut tx = self.db.begin().await?;
        if !store::set_movement_status(&mut tx, id, m.status, to, now).await? {
            return Err(ServiceError::Conflict("the movement changed meanwhile"));
        }
        let mut moved = 0u64;
        for (t, mut j) in travellers.into_iter().zip(loaded) {
            let next = match (to, t.status) {
                (MovementStatus::Departed, TravellerStatus::Manifested) => Some(TravellerStatus::NoShow),
                (MovementStatus::Arrived, TravellerStatus::Boarded) => Some(TravellerStatus::Arrived),
                _ => None,
            };
            if let Some(n) = next {
                store::set_traveller_status(&mut tx, id, t.case_id, t.status, n, now).await?;
            }
            let steps: Vec<Step> = match (to, t.status) {
                (MovementStatus::Departed, TravellerStatus::Boarded) => vec![Step::DepartureAssistance],
                (MovementStatus::Arrived, TravellerStatus::Boarded) => {
                    Step::ALL.iter().copied().filter(|s| s.phase() == Phase::Transportation).collect()
                }
                _ => vec![],
            };
            for s in steps {
                if !matches!(j.steps.get(&s), Some(StepState::Pending) | Some(StepState::Blocked { .. })) {
                    continue;
                }
                let r = if s == Step::Escort && j.escort.is_none() {
                    j.waive(s, format!("no escort on movement {id}"))
                } else {
                    j.complete(s, actor.id, day, Some(format!("movement {id}")))
                };
                if r.is_ok() {
                    journeys::save_step(&mut tx, t.case_id, &j, Some(s), now).await?;
                }
            }
            moved += 1;
        }
        let changes = json!({"status": [m.status, to], "travellers": [null, moved]});
        audit::record(&mut tx, Some(actor), "movement.update", format!("movement:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(())
    }
}
