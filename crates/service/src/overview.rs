//! A case at a glance: who the person is, where the case stands, what is
//! urgent (protection flags, late visits, referrals waiting, consents
//! missing), the next action (`passage_domain::next_action`), and a dated
//! timeline of everything recorded on it — read in one call, within the
//! reader's scope, for the top of the case page and the API.

use crate::access::Actor;
use crate::error::ServiceResult;
use crate::referrals::CaseReferral;
use crate::registry::CaseFile;
use crate::returns::JourneyView;
use crate::Passage;
use passage_domain::case::{CaseKind, CaseStatus};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::CaseId;
use passage_domain::next_action::{missing_consents, next_action, CaseFacts, NextAction};
use passage_domain::person::ConsentKind;
use passage_domain::referral::ReferralStatus;
use passage_domain::reintegration::VisitStatus;
use passage_domain::screening::VulnerabilityCategory;
use passage_storage::records::PersonRecord;
use passage_storage::reintegration::VisitRecord;
use serde::Serialize;

pub use passage_domain::case::TimelineKind;

/// One dated thing that happened on the case.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub on: CalendarDate,
    /// The moment, when the record keeps one (status changes, notes).
    pub at: Option<Timestamp>,
    pub kind: TimelineKind,
    /// A code the pages translate: the new status, the assistance kind, the
    /// step, the referral's service and status, the visit's status.
    pub what: String,
    /// Free text kept with it (a reason, a note, findings), or "".
    pub detail: String,
    pub by: Option<String>,
}

/// The case at a glance.
#[derive(Debug, Serialize)]
pub struct CaseOverview {
    pub file: CaseFile,
    pub person: PersonRecord,
    /// Whole years today, when a birth date (even estimated) is known.
    pub age: Option<i32>,
    /// The findings of the latest screening.
    pub findings: Vec<VulnerabilityCategory>,
    pub missing_consents: Vec<ConsentKind>,
    pub visits_overdue: usize,
    pub referrals_pending: usize,
    pub referrals_overdue: usize,
    #[serde(skip)]
    pub next: NextAction,
    #[serde(skip)]
    pub journey: Option<JourneyView>,
    #[serde(skip)]
    pub visits: Vec<VisitRecord>,
    #[serde(skip)]
    pub referrals: Vec<CaseReferral>,
    /// Newest first.
    pub timeline: Vec<TimelineEntry>,
}

impl Passage {
    pub async fn case_overview(&self, actor: &Actor, case: CaseId) -> ServiceResult<CaseOverview> {
        let file = self.case_file(actor, case).await?;
        let person_file = self.person_file(actor, file.case.person_id).await?;
        let today = CalendarDate::today();
        let is_return = file.case.kind == CaseKind::AssistedVoluntaryReturn;
        let journey = if is_return { Some(self.journey(actor, case).await?) } else { None };
        let visits = if is_return { self.visits(actor, case).await? } else { Vec::new() };
        let referrals = self.case_referrals(actor, case).await?;

        let latest = file.screenings.iter().max_by_key(|s| s.screened_on);
        let findings = latest.map(|s| s.findings.clone()).unwrap_or_default();
        let active: Vec<ConsentKind> = person_file.consents.iter().filter(|c| c.withdrawn_on.is_none()).map(|c| c.kind).collect();
        let missing_consents = missing_consents([file.case.kind], &active);
        let late_visits: Vec<&VisitRecord> =
            visits.iter().filter(|v| passage_domain::reintegration::overdue(v.status, v.due_on, today)).collect();
        let open_referrals: Vec<&CaseReferral> =
            referrals.iter().filter(|r| matches!(r.referral.status, ReferralStatus::Sent | ReferralStatus::Accepted)).collect();
        let next_step = journey.as_ref().and_then(|j| j.steps.iter().find(|s| s.state == "pending" && s.blocker.is_none()).map(|s| s.step));
        let facts = CaseFacts {
            closed: file.case.status == CaseStatus::Closed,
            screened: latest.is_some(),
            missing_consents: missing_consents.clone(),
            next_step,
            overdue_visit: late_visits.iter().map(|v| v.due_on).min(),
            overdue_referral: open_referrals.iter().any(|r| r.overdue),
        };
        let next = next_action(&facts);

        let mut timeline = Vec::new();
        for h in &file.history {
            timeline.push(TimelineEntry {
                on: h.changed_at.date(),
                at: Some(h.changed_at),
                kind: TimelineKind::Status,
                what: h.to_status.as_str().to_string(),
                detail: h.reason.clone().unwrap_or_default(),
                by: Some(h.changed_by.clone()),
            });
        }
        for s in &file.screenings {
            timeline.push(TimelineEntry {
                on: s.screened_on,
                at: None,
                kind: TimelineKind::Screening,
                what: s.findings.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" "),
                detail: s.notes.clone().unwrap_or_default(),
                by: Some(s.screened_by.clone()),
            });
        }
        for a in &file.assistance {
            timeline.push(TimelineEntry {
                on: a.provided_on,
                at: None,
                kind: TimelineKind::Assistance,
                what: format!("{} {} {}", a.kind.as_str(), a.quantity, a.unit.as_str()),
                detail: a.place.clone().unwrap_or_default(),
                by: a.provider.clone(),
            });
        }
        for n in &file.notes {
            timeline.push(TimelineEntry {
                on: n.created_at.date(),
                at: Some(n.created_at),
                kind: TimelineKind::Note,
                what: String::new(),
                detail: n.body.clone(),
                by: Some(n.author.clone()),
            });
        }
        if let Some(j) = &journey {
            for s in j.steps.iter().filter(|s| s.state != "pending") {
                let Some(on) = s.on.as_deref().and_then(|d| CalendarDate::parse("on", d.get(..10).unwrap_or(d)).ok()) else { continue };
                timeline.push(TimelineEntry {
                    on,
                    at: None,
                    kind: TimelineKind::Journey,
                    what: format!("{} {}", s.step.as_str(), s.state),
                    detail: s.reason.clone().or_else(|| s.evidence.clone()).unwrap_or_default(),
                    by: s.by.clone(),
                });
            }
        }
        for r in &referrals {
            timeline.push(TimelineEntry {
                on: r.referral.sent_on,
                at: None,
                kind: TimelineKind::Referral,
                what: format!("{} {}", r.referral.service.as_str(), r.referral.status.as_str()),
                detail: r.referral.organisation.clone(),
                by: None,
            });
        }
        for v in visits.iter().filter(|v| v.status != VisitStatus::Scheduled) {
            timeline.push(TimelineEntry {
                on: v.done_on.unwrap_or(v.due_on),
                at: None,
                kind: TimelineKind::Visit,
                what: v.status.as_str().to_string(),
                detail: v.notes.clone().unwrap_or_default(),
                by: None,
            });
        }
        timeline.sort_by_key(|e| std::cmp::Reverse((e.on, e.at)));

        Ok(CaseOverview {
            age: person_file.person.birth_date.map(|b| b.age_on(today)),
            person: person_file.person,
            findings,
            missing_consents,
            visits_overdue: late_visits.len(),
            referrals_pending: open_referrals.len(),
            referrals_overdue: open_referrals.iter().filter(|r| r.overdue).count(),
            next,
            journey,
            visits,
            referrals,
            timeline,
            file,
        })
    }
}
