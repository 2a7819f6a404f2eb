//! Referrals: sending a person to a service provider (a partner NGO, a
//! clinic, a legal aid office) for a service, sharing only the fields the
//! person consented to share with that organisation. A referral is sent,
//! then accepted or declined by the provider, and an accepted one is
//! completed with the provider's feedback; one left unanswered or
//! unfinished past its time is overdue and surfaces to the caseworker.

use crate::date::CalendarDate;

code_enum!(
    /// What a provider offers.
    ServiceKind {
        Medical => "medical",
        MentalHealth => "mental_health",
        Legal => "legal",
        Shelter => "shelter",
        FamilyTracing => "family_tracing",
        Education => "education",
        Livelihood => "livelihood",
        Documentation => "documentation",
    }
);

code_enum!(
    /// Where a referral stands.
    ReferralStatus {
        Sent => "sent",
        Accepted => "accepted",
        Declined => "declined",
        Completed => "completed",
    }
);

code_enum!(
    /// A field of the person's record that a referral may share.
    SharedField {
        Name => "name",
        Sex => "sex",
        BirthYear => "birth_year",
        Nationality => "nationality",
        Phone => "phone",
        Languages => "languages",
        Vulnerabilities => "vulnerabilities",
    }
);

impl ReferralStatus {
    /// The one place referral transitions are decided: the provider answers,
    /// then completes what it accepted.
    pub fn can_become(self, to: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!((self, to), (Sent, Accepted | Declined) | (Accepted, Completed))
    }
}

/// Days a provider has to answer a referral before it is overdue.
pub const ANSWER_DAYS: i64 = 7;
/// Days an accepted referral has to be completed before it is overdue.
pub const COMPLETE_DAYS: i64 = 30;

/// Whether a referral sent on `sent` (and accepted on `accepted`, if it
/// was) is overdue on `today`.
pub fn overdue(status: ReferralStatus, sent: CalendarDate, accepted: Option<CalendarDate>, today: CalendarDate) -> bool {
    match status {
        ReferralStatus::Sent => sent.add_days(ANSWER_DAYS) < today,
        ReferralStatus::Accepted => accepted.unwrap_or(sent).add_days(COMPLETE_DAYS) < today,
        ReferralStatus::Declined | ReferralStatus::Completed => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_answer_then_complete() {
        use ReferralStatus::*;
        for from in ReferralStatus::ALL {
            for to in ReferralStatus::ALL {
                let ok = matches!((from, to), (Sent, Accepted) | (Sent, Declined) | (Accepted, Completed));
                assert_eq!(from.can_become(*to), ok, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn unanswered_or_unfinished_referrals_become_overdue() {
        let d = |m, day| CalendarDate::from_ymd(2026, m, day).unwrap();
        assert!(!overdue(ReferralStatus::Sent, d(11, 1), None, d(11, 8)));
        assert!(overdue(ReferralStatus::Sent, d(11, 1), None, d(11, 9)));
        assert!(!overdue(ReferralStatus::Accepted, d(10, 1), Some(d(11, 1)), d(11, 20)));
        assert!(overdue(ReferralStatus::Accepted, d(10, 1), Some(d(10, 2)), d(11, 20)));
        assert!(!overdue(ReferralStatus::Completed, d(1, 1), None, d(11, 20)));
    }
}
