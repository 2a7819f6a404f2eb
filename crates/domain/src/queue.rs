//! The work queue's order: every item that needs a user (a protection case,
//! a hand-over to decide, a return step ready, a monitoring visit, a referral,
//! a movement leaving) falls into exactly one group, decided here from its
//! due date and whether it waits on someone else, so the home page, the API
//! and any other reader group alike.

use crate::date::CalendarDate;

code_enum!(
    /// Where an item sits in the queue, most pressing first.
    QueueGroup {
        /// Protection flags: a victim of trafficking, a child alone, a serious medical condition.
        Urgent => "urgent",
        /// Its date has passed.
        Overdue => "overdue",
        /// Due today, or ready to do now.
        Today => "today",
        /// Due in the next seven days.
        ThisWeek => "this_week",
        /// Due later (within the two weeks the queue looks ahead).
        Later => "later",
        /// The next move is someone else's: a provider, another office.
        Waiting => "waiting",
    }
);

code_enum!(
    /// What an item is.
    QueueItemKind {
        /// An open case whose screening raised a protection flag.
        ProtectionCase => "protection_case",
        /// A case another office hands over to one of the user's.
        HandoverToDecide => "handover_to_decide",
        /// A hand-over the user's office asked for, not yet decided.
        HandoverSent => "handover_sent",
        /// The next step of a return that can be done now.
        ReturnStep => "return_step",
        /// A monitoring visit scheduled and not yet recorded.
        MonitoringVisit => "monitoring_visit",
        /// A referral the provider has not answered or finished.
        Referral => "referral",
        /// A planned movement about to leave.
        MovementDeparting => "movement_departing",
        /// A hotline call about trafficking, a child alone or a medical
        /// emergency (or any emergency), not yet taken on.
        HotlineCall => "hotline_call",
    }
);

/// Days ahead the "this week" group covers.
pub const WEEK_DAYS: i64 = 7;

/// The group of an item due on `due` (none: ready now), on `today`.
///
/// Urgency wins over everything; a passed date makes an item overdue even
/// when it waits on someone else (the user must chase it); otherwise an item
/// that waits on others is set apart from the user's own work.
pub fn group_of(due: Option<CalendarDate>, today: CalendarDate, urgent: bool, waits_on_others: bool) -> QueueGroup {
    if urgent {
        return QueueGroup::Urgent;
    }
    match due {
        Some(d) if d < today => QueueGroup::Overdue,
        _ if waits_on_others => QueueGroup::Waiting,
        None => QueueGroup::Today,
        Some(d) if d == today => QueueGroup::Today,
        Some(d) if d <= today.add_days(WEEK_DAYS) => QueueGroup::ThisWeek,
        Some(_) => QueueGroup::Later,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_falls_in_one_group() {
        let today = CalendarDate::parse("d", "2026-12-04").unwrap();
        let d = |n| Some(today.add_days(n));
        assert_eq!(group_of(d(-3), today, true, false), QueueGroup::Urgent, "urgency first");
        assert_eq!(group_of(d(-1), today, false, true), QueueGroup::Overdue, "a late answer is chased");
        assert_eq!(group_of(d(2), today, false, true), QueueGroup::Waiting);
        assert_eq!(group_of(None, today, false, true), QueueGroup::Waiting);
        assert_eq!(group_of(None, today, false, false), QueueGroup::Today, "ready now");
        assert_eq!(group_of(d(0), today, false, false), QueueGroup::Today);
        assert_eq!(group_of(d(1), today, false, false), QueueGroup::ThisWeek);
        assert_eq!(group_of(d(7), today, false, false), QueueGroup::ThisWeek);
        assert_eq!(group_of(d(8), today, false, false), QueueGroup::Later);
    }
}
