//! A case: the organisation's work with one person in one programme. Its
//! status moves only along the transitions in [`CaseStatus::can_become`];
//! its sensitivity follows from its kind and from what screening found, and
//! the access model reads it to decide who sees the person behind the case.

use crate::error::{FieldError, Invalid};
use crate::screening::VulnerabilityCategory;
use crate::text;
use serde::Deserialize;

code_enum!(
    /// The programme a case belongs to.
    CaseKind {
        TransitProtection => "transit_protection",
        AssistedVoluntaryReturn => "assisted_voluntary_return",
        TraffickingVictimAssistance => "trafficking_victim_assistance",
        UnaccompaniedChild => "unaccompanied_child",
        SearchAndRescueSurvivor => "search_and_rescue_survivor",
    }
);

code_enum!(
    /// Where a case stands. Transitions are in [`CaseStatus::can_become`].
    CaseStatus {
        /// Registered, not yet worked on.
        Open => "open",
        /// Being worked on.
        Active => "active",
        /// Paused: the person left the centre, waits for a document…
        OnHold => "on_hold",
        Closed => "closed",
    }
);

impl CaseKind {
    /// Default months after a case closes before the person's identity is
    /// erased by the retention schedule (`passage retention apply`); a
    /// deployment may set its own in its configuration. Protection in
    /// transit needs little history; returns and the protection of victims
    /// of trafficking and of children are followed for years (reintegration
    /// monitoring, donors' five-year audit window), so they keep longer.
    pub fn default_retention_months(self) -> u32 {
        match self {
            CaseKind::TransitProtection | CaseKind::SearchAndRescueSurvivor => 24,
            CaseKind::AssistedVoluntaryReturn | CaseKind::TraffickingVictimAssistance | CaseKind::UnaccompaniedChild => 60,
        }
    }
}

/// Whether a person's identity is due for erasure under the retention
/// schedule: every case of theirs is closed, and each has been closed for
/// at least its kind's period. One open case, or one recent closure, keeps
/// the person (their history is still needed).
pub fn retention_due(
    cases: &[(CaseKind, CaseStatus, Option<crate::date::CalendarDate>)],
    today: crate::date::CalendarDate,
    months: impl Fn(CaseKind) -> u32,
) -> bool {
    !cases.is_empty()
        && cases.iter().all(|(kind, status, closed)| {
            *status == CaseStatus::Closed && closed.is_some_and(|d| d.add_days(i64::from(months(*kind)) * 365 / 12) <= today)
        })
}

impl CaseStatus {
    /// The one place case status transitions are decided.
    pub fn can_become(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (Open, Active) | (Open, Closed) | (Active, OnHold) | (Active, Closed) | (OnHold, Active) | (OnHold, Closed)
                // Reopening: the person comes back to the centre.
                | (Closed, Active)
        )
    }

    pub fn transition(self, to: CaseStatus) -> Result<CaseStatus, FieldError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(FieldError::new("status", "err-status-transition").with("from", self).with("to", to))
        }
    }

    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }
}

code_enum!(
    /// Who may see the person behind a case.
    Sensitivity {
        /// Staff of the case's offices.
        Normal => "normal",
        /// Victims of trafficking, unaccompanied or separated children and
        /// survivors of gender-based violence: only the assigned caseworker
        /// and the office's protection officers see who it is.
        Restricted => "restricted",
    }
);

impl Sensitivity {
    /// A case is restricted when its kind or anything screening found says so.
    /// Once restricted it stays so: a later screening cannot lower it.
    pub fn derive(kind: CaseKind, findings: &[VulnerabilityCategory], current: Sensitivity) -> Sensitivity {
        let by_kind = matches!(kind, CaseKind::TraffickingVictimAssistance | CaseKind::UnaccompaniedChild);
        let by_findings = findings.iter().any(|f| f.makes_case_restricted());
        if current == Sensitivity::Restricted || by_kind || by_findings {
            Sensitivity::Restricted
        } else {
            Sensitivity::Normal
        }
    }
}

/// Opening a case, as submitted.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Case)]
pub struct CaseInput {
    #[schema(schema_with = crate::schema::code::<CaseKind>)]
    pub kind: String,
    #[schema(schema_with = crate::schema::uuid)]
    pub office_id: String,
    /// Username or id of the assigned caseworker; empty means the user opening it.
    pub assigned_to: String,
}

/// A status change, as submitted.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = StatusChange)]
pub struct StatusChangeInput {
    #[schema(schema_with = crate::schema::code::<CaseStatus>, required = true)]
    pub status: String,
    pub reason: String,
}

pub struct StatusChange {
    pub to: CaseStatus,
    pub reason: Option<String>,
}

impl StatusChangeInput {
    pub fn parse(&self, from: CaseStatus) -> Result<StatusChange, Invalid> {
        let mut inv = Invalid::default();
        let to = inv.take(CaseStatus::parse("status", &self.status).and_then(|to| from.transition(to)));
        let reason = inv.take(text::clean("reason", &self.reason, 500, false)).flatten();
        inv.into_result()?;
        let to = to.expect("checked");
        if to == CaseStatus::Closed && reason.is_none() {
            return Err(FieldError::new("reason", "err-reason-required").into());
        }
        Ok(StatusChange { to, reason })
    }
}

code_enum!(
    /// What an entry of a case's timeline records.
    TimelineKind {
        Status => "status",
        Screening => "screening",
        Assistance => "assistance",
        Note => "note",
        Journey => "journey",
        Referral => "referral",
        Visit => "visit",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_are_exactly_the_allowed_ones() {
        use CaseStatus::*;
        let allowed =
            [(Open, Active), (Open, Closed), (Active, OnHold), (Active, Closed), (OnHold, Active), (OnHold, Closed), (Closed, Active)];
        for &from in CaseStatus::ALL {
            for &to in CaseStatus::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&(from, to)), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn closing_needs_a_reason() {
        let e = StatusChangeInput { status: "closed".into(), reason: "".into() }.parse(CaseStatus::Active);
        assert_eq!(e.err().unwrap().errors[0].code, "err-reason-required");
        let e = StatusChangeInput { status: "open".into(), reason: "".into() }.parse(CaseStatus::Active);
        assert_eq!(e.err().unwrap().errors[0].code, "err-status-transition");
    }

    #[test]
    fn sensitivity_never_goes_down() {
        use VulnerabilityCategory::*;
        assert_eq!(Sensitivity::derive(CaseKind::TransitProtection, &[SeriousMedicalCondition], Sensitivity::Normal), Sensitivity::Normal);
        assert_eq!(Sensitivity::derive(CaseKind::TransitProtection, &[GbvSurvivor], Sensitivity::Normal), Sensitivity::Restricted);
        assert_eq!(Sensitivity::derive(CaseKind::UnaccompaniedChild, &[], Sensitivity::Normal), Sensitivity::Restricted);
        assert_eq!(Sensitivity::derive(CaseKind::TransitProtection, &[], Sensitivity::Restricted), Sensitivity::Restricted);
    }

    #[test]
    fn retention_waits_for_every_case_to_be_closed_long_enough() {
        use crate::date::CalendarDate;
        let today = CalendarDate::from_ymd(2026, 11, 23).unwrap();
        let d = |y, m| Some(CalendarDate::from_ymd(y, m, 1).unwrap());
        let m = CaseKind::default_retention_months;
        assert!(retention_due(&[(CaseKind::TransitProtection, CaseStatus::Closed, d(2024, 10))], today, m));
        assert!(!retention_due(&[(CaseKind::TransitProtection, CaseStatus::Closed, d(2025, 1))], today, m), "closed 22 months ago");
        assert!(!retention_due(&[(CaseKind::AssistedVoluntaryReturn, CaseStatus::Closed, d(2024, 10))], today, m), "returns keep 5 years");
        let two =
            [(CaseKind::TransitProtection, CaseStatus::Closed, d(2020, 1)), (CaseKind::AssistedVoluntaryReturn, CaseStatus::Active, None)];
        assert!(!retention_due(&two, today, m), "an open case keeps the person");
        assert!(!retention_due(&[], today, m));
        assert!(retention_due(&[(CaseKind::AssistedVoluntaryReturn, CaseStatus::Closed, d(2024, 10))], today, |_| 12), "configured");
    }
}
