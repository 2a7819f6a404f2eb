//! The work queue: what needs a user now — protection cases, hand-overs to
//! decide, return steps they can do, movements leaving soon, monitoring visits
//! due, referrals and hand-overs waiting on others — from the data each of
//! those use cases keeps, grouped by `passage_domain::queue::group_of`.

use crate::access::{self, Actor};
use crate::error::ServiceResult;
use crate::Passage;
use passage_domain::case::CaseKind;
use passage_domain::date::CalendarDate;
use passage_domain::ids::{CaseId, OfficeId};
use passage_domain::movement::MovementStatus;
use passage_domain::policy::Permission;
use passage_domain::queue::{group_of, QueueGroup, QueueItemKind};
use passage_domain::referral::{ReferralStatus, ANSWER_DAYS, COMPLETE_DAYS};
use passage_storage::handovers as handovers_store;
use passage_storage::movements as store;
use passage_storage::registry as reg;
use passage_storage::returns as journeys;
use serde::Serialize;
use std::collections::HashMap;

/// How far ahead the queue looks for dated work.
pub const LOOK_AHEAD_DAYS: i64 = 14;

/// One thing that needs the user, with where it belongs and where to act on it.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub group: QueueGroup,
    pub kind: QueueItemKind,
    /// When it is due; none when it is ready now.
    pub due_on: Option<CalendarDate>,
    pub case_id: Option<CaseId>,
    /// The case reference, or the movement's departure for a movement.
    pub reference: String,
    pub case_kind: Option<CaseKind>,
    pub office_id: OfficeId,
    pub office_code: String,
    /// What to do, as a code the pages translate: the step, the service, the
    /// movement kind, the office at the other end of a hand-over.
    pub detail: String,
    /// The page where it is done.
    pub link: String,
    /// The hand-over's id, for accepting or declining it from the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handover_id: Option<String>,
}

/// The items of one group.
#[derive(Debug, Serialize)]
pub struct QueueSection {
    pub group: QueueGroup,
    pub count: usize,
    pub items: Vec<QueueItem>,
}

/// What needs the user now, most pressing group first; empty groups are kept
/// (with a zero count) so a reader sees that nothing is overdue.
#[derive(Debug, Serialize)]
pub struct WorkQueue {
    pub today: CalendarDate,
    pub total: usize,
    pub groups: Vec<QueueSection>,
}

/// Which part of the queue to show, as a reader asks for it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// An office code; every office of the user when empty. An office the
    /// user has no work in shows an empty queue (it is a filter, not a lookup).
    pub office: String,
    /// A case kind: only items of cases of this kind (movements, which have no
    /// case, drop out); all when empty.
    #[param(schema_with = passage_domain::schema::code_or_empty::<CaseKind>)]
    pub kind: String,
}

impl WorkQueue {
    /// The items of one group.
    pub fn group(&self, g: QueueGroup) -> &[QueueItem] {
        self.groups.iter().find(|s| s.group == g).map(|s| s.items.as_slice()).unwrap_or(&[])
    }
}

impl Passage {
    pub async fn work_queue(&self, actor: &Actor, filter: &QueueFilter) -> ServiceResult<WorkQueue> {
        let kind = match filter.kind.trim() {
            "" => None,
            k => Some(CaseKind::parse("kind", k)?),
        };
        let office = filter.office.trim().to_uppercase();
        let today = CalendarDate::today();
        let rights = actor.rights();
        let scope = access::scope(actor);
        let mut items = Vec::new();
        if rights.can_somewhere(Permission::WriteCases) {
            let writable = access::writable_offices(actor);
            let mut c = self.db.reader().acquire().await?;
            for case in reg::urgent_cases(&mut c, actor.id, &writable, &scope, 100).await? {
                items.push(QueueItem {
                    group: QueueGroup::Urgent,
                    kind: QueueItemKind::ProtectionCase,
                    due_on: None,
                    case_id: Some(case.id),
                    reference: case.reference.clone(),
                    case_kind: Some(case.kind),
                    office_id: case.office_id,
                    office_code: case.office_code.clone(),
                    detail: reg::case_findings(&mut c, case.id).await?.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" "),
                    link: format!("/cases/{}", case.id),
                    handover_id: None,
                });
            }
            for h in handovers_store::pending_handovers(&mut c, &writable).await? {
                items.push(QueueItem {
                    group: group_of(None, today, false, false),
                    kind: QueueItemKind::HandoverToDecide,
                    due_on: None,
                    case_id: Some(h.case_id),
                    reference: h.reference.clone(),
                    case_kind: Some(h.kind),
                    office_id: h.to_office_id,
                    office_code: h.to_office.clone(),
                    detail: h.from_office.clone(),
                    link: "/".into(),
                    handover_id: Some(h.id.clone()),
                });
            }
            for h in handovers_store::handovers_sent(&mut c, &writable).await? {
                items.push(QueueItem {
                    group: group_of(None, today, false, true),
                    kind: QueueItemKind::HandoverSent,
                    due_on: None,
                    case_id: Some(h.case_id),
                    reference: h.reference.clone(),
                    case_kind: Some(h.kind),
                    office_id: h.from_office_id,
                    office_code: h.from_office.clone(),
                    detail: h.to_office.clone(),
                    link: format!("/cases/{}", h.case_id),
                    handover_id: None,
                });
            }
            let assigned = reg::cases_assigned_to(&mut c, actor.id, &scope, 200).await?;
            for case in assigned.iter().filter(|c| c.kind == CaseKind::AssistedVoluntaryReturn) {
                let child = journeys::is_unaccompanied_child(&mut c, case.person_id).await?;
                let (j, _) = journeys::load_journey(&mut c, case.id, child).await?;
                if let Some((step, None)) = j.next().into_iter().find(|(_, b)| b.is_none()) {
                    items.push(QueueItem {
                        group: group_of(None, today, false, false),
                        kind: QueueItemKind::ReturnStep,
                        due_on: None,
                        case_id: Some(case.id),
                        reference: case.reference.clone(),
                        case_kind: Some(case.kind),
                        office_id: case.office_id,
                        office_code: case.office_code.clone(),
                        detail: step.as_str().to_string(),
                        link: format!("/cases/{}#journey", case.id),
                        handover_id: None,
                    });
                }
            }
            drop(c);
            let by_case: HashMap<CaseId, &passage_storage::records::CaseRecord> = assigned.iter().map(|c| (c.id, c)).collect();
            for r in self.open_referrals(actor).await? {
                let due = match r.status {
                    ReferralStatus::Sent => r.sent_on.add_days(ANSWER_DAYS),
                    _ => r.accepted_on.unwrap_or(r.sent_on).add_days(COMPLETE_DAYS),
                };
                // A referral's case is the user's (that is how they are chosen); a
                // closed one is not among the open cases, so look it up.
                let (office_id, office_code, case_kind) = match by_case.get(&r.case_id) {
                    Some(c) => (c.office_id, c.office_code.clone(), Some(c.kind)),
                    None => {
                        let mut c = self.db.reader().acquire().await?;
                        match reg::get_case(&mut c, r.case_id, &scope).await? {
                            Some(c) => (c.office_id, c.office_code, Some(c.kind)),
                            None => continue,
                        }
                    }
                };
                items.push(QueueItem {
                    group: group_of(Some(due), today, false, true),
                    kind: QueueItemKind::Referral,
                    due_on: Some(due),
                    case_id: Some(r.case_id),
                    reference: r.reference.clone(),
                    case_kind,
                    office_id,
                    office_code,
                    detail: r.service.as_str().to_string(),
                    link: format!("/cases/{}#referrals", r.case_id),
                    handover_id: None,
                });
            }
        }
        if rights.can_somewhere(Permission::ReadRestricted) {
            let mut c = self.db.reader().acquire().await?;
            let offices = rights.offices(Permission::ReadRestricted);
            for call in passage_storage::hotline::open_calls(&mut c, &offices, true, 200).await? {
                items.push(QueueItem {
                    group: QueueGroup::Urgent,
                    kind: QueueItemKind::HotlineCall,
                    due_on: None,
                    case_id: call.case_id,
                    reference: call.at.to_string().replace('T', " ").trim_end_matches('Z').chars().take(16).collect(),
                    case_kind: None,
                    office_id: call.office_id,
                    office_code: call.office_code.clone(),
                    detail: call.topic.as_str().to_string(),
                    link: format!("/hotline/calls/{}", call.id),
                    handover_id: None,
                });
            }
        }
        if rights.can_somewhere(Permission::ManageReintegration) {
            let visits = self.visits_due(actor).await?;
            let mut c = self.db.reader().acquire().await?;
            let kinds = reg::case_kinds(&mut c, &visits.iter().map(|v| v.case_id).collect::<Vec<_>>()).await?;
            // Visit records carry the office's id; its code only for the queue's filter and lines.
            let offices: HashMap<OfficeId, String> = if visits.is_empty() {
                HashMap::new()
            } else {
                reg::list_offices(&mut c).await?.into_iter().map(|o| (o.id, o.code)).collect()
            };
            let code = |o: OfficeId| offices.get(&o).cloned().unwrap_or_default();
            for v in visits {
                items.push(QueueItem {
                    group: group_of(Some(v.due_on), today, false, false),
                    kind: QueueItemKind::MonitoringVisit,
                    due_on: Some(v.due_on),
                    case_id: Some(v.case_id),
                    reference: v.reference.clone(),
                    case_kind: kinds.get(&v.case_id).copied(),
                    office_id: v.office_id,
                    office_code: code(v.office_id),
                    detail: String::new(),
                    link: format!("/cases/{}#reintegration", v.case_id),
                    handover_id: None,
                });
            }
        }
        if rights.can_somewhere(Permission::ManageMovements) {
            let soon = today.add_days(LOOK_AHEAD_DAYS);
            let mut c = self.db.reader().acquire().await?;
            for m in store::list_movements(&mut c, &rights.offices(Permission::ManageMovements), 500).await? {
                if m.status != MovementStatus::Planned || m.departure_on > soon {
                    continue;
                }
                items.push(QueueItem {
                    group: group_of(Some(m.departure_on), today, false, false),
                    kind: QueueItemKind::MovementDeparting,
                    due_on: Some(m.departure_on),
                    case_id: None,
                    reference: format!("{} · {} / {}", m.destination, m.seats_held, m.capacity),
                    case_kind: None,
                    office_id: m.office_id,
                    office_code: m.office_code.clone(),
                    detail: m.kind.as_str().to_string(),
                    link: format!("/movements/{}", m.id),
                    handover_id: None,
                });
            }
        }
        items.retain(|i| (office.is_empty() || i.office_code == office) && kind.is_none_or(|k| i.case_kind == Some(k)));
        // Within a group: dated items by date, then the rest as they came.
        items.sort_by_key(|i| (i.group, i.due_on.is_none(), i.due_on));
        let total = items.len();
        let groups = QueueGroup::ALL
            .iter()
            .map(|&g| {
                let mine: Vec<QueueItem> = items.iter().filter(|i| i.group == g).cloned().collect();
                QueueSection { group: g, count: mine.len(), items: mine }
            })
            .collect();
        Ok(WorkQueue { today, total, groups })
    }
}
