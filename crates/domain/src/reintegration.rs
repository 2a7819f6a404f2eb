//! Reintegration after return: a plan (for one returnee, a group of
//! returnees, or their community) with activities, each with its budget,
//! due date and status; and the monitoring visits that follow a returnee
//! after arrival (by default 3, 6 and 12 months later).

use crate::date::CalendarDate;
use crate::error::{FieldError, Invalid};
use crate::text;
use serde::Deserialize;

code_enum!(
    /// Who a plan is for.
    PlanKind {
        Individual => "individual",
        Collective => "collective",
        CommunityBased => "community_based",
    }
);

code_enum!(
    /// What an activity of a plan provides.
    ActivityKind {
        BusinessTraining => "business_training",
        BusinessStartUpKit => "business_start_up_kit",
        VocationalTraining => "vocational_training",
        Education => "education",
        Housing => "housing",
        Medical => "medical",
        PsychosocialSupport => "psychosocial_support",
    }
);

code_enum!(
    /// Where an activity stands.
    ActivityStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

code_enum!(
    /// Where a monitoring visit stands.
    VisitStatus {
        Scheduled => "scheduled",
        Done => "done",
        Missed => "missed",
    }
);

impl ActivityStatus {
    /// The one place activity transitions are decided.
    pub fn can_become(self, to: ActivityStatus) -> bool {
        use ActivityStatus::*;
        matches!((self, to), (Planned, InProgress | Cancelled) | (InProgress, Completed | Cancelled))
    }
}

impl VisitStatus {
    pub fn can_become(self, to: VisitStatus) -> bool {
        self == VisitStatus::Scheduled && to != VisitStatus::Scheduled
    }
}

/// Months after arrival at which a returnee is visited.
pub const VISIT_MONTHS: [u32; 3] = [3, 6, 12];

/// The same day `months` calendar months later (the last day of the month
/// when that month is shorter: 31 January + 1 month is 28 or 29 February).
pub fn add_months(d: CalendarDate, months: u32) -> CalendarDate {
    let total = d.year() * 12 + i32::from(d.month()) - 1 + months as i32;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    (1..=d.day()).rev().find_map(|day| CalendarDate::from_ymd(y, m, day)).unwrap_or(d)
}

/// The visit dates for a returnee who arrived on `arrival`.
pub fn visit_schedule(arrival: CalendarDate) -> Vec<CalendarDate> {
    VISIT_MONTHS.iter().map(|m| add_months(arrival, *m)).collect()
}

/// A visit is overdue once its date has passed and it was not recorded.
pub fn overdue(status: VisitStatus, due: CalendarDate, today: CalendarDate) -> bool {
    status == VisitStatus::Scheduled && due < today
}

/// An activity as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Activity)]
pub struct ActivityInput {
    #[schema(schema_with = crate::schema::code::<ActivityKind>)]
    pub kind: String,
    pub description: String,
    /// Whole units of `currency`.
    pub budget: String,
    pub currency: String,
    #[schema(schema_with = crate::schema::date)]
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub description: Option<String>,
    pub budget: i64,
    pub currency: crate::codes::Currency,
    pub due_on: Option<CalendarDate>,
}

impl ActivityInput {
    pub fn parse(&self) -> Result<NewActivity, Invalid> {
        let mut inv = Invalid::default();
        let kind = inv.take(ActivityKind::parse("kind", self.kind.trim()));
        let description = inv.take(text::clean("description", &self.description, 1000, true)).flatten();
        let budget = match self.budget.trim().parse::<i64>() {
            Ok(n) if (0..=100_000_000).contains(&n) => Some(n),
            _ => {
                inv.push(FieldError::new("budget", "err-number-range").with("min", "0").with("max", "100000000"));
                None
            }
        };
        let currency = inv.take(crate::codes::Currency::parse("currency", self.currency.trim()));
        let due_on = match self.due_on.trim() {
            "" => None,
            d => inv.take(CalendarDate::parse("due_on", d)),
        };
        inv.into_result()?;
        Ok(NewActivity {
            kind: kind.expect("checked"),
            description,
            budget: budget.expect("checked"),
            currency: currency.expect("checked"),
            due_on,
        })
    }
}

/// The budget per beneficiary of a plan: the whole budget shared equally
/// (a community-based plan's beneficiaries share what the community gets).
pub fn budget_per_beneficiary(total: i64, beneficiaries: usize) -> Option<i64> {
    (beneficiaries > 0).then(|| total / beneficiaries as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_move_forward_or_are_cancelled() {
        use ActivityStatus::*;
        assert!(Planned.can_become(InProgress) && InProgress.can_become(Completed) && Planned.can_become(Cancelled));
        assert!(!Completed.can_become(InProgress) && !Cancelled.can_become(Planned) && !Planned.can_become(Completed));
    }

    #[test]
    fn visits_come_at_three_six_and_twelve_months() {
        let arrival = CalendarDate::from_ymd(2026, 1, 10).unwrap();
        let s = visit_schedule(arrival);
        assert_eq!(s.iter().map(|d| d.to_string()).collect::<Vec<_>>(), vec!["2026-04-10", "2026-07-10", "2027-01-10"]);
        assert!(overdue(VisitStatus::Scheduled, s[0], CalendarDate::from_ymd(2026, 4, 11).unwrap()));
        assert!(!overdue(VisitStatus::Done, s[0], CalendarDate::from_ymd(2026, 5, 1).unwrap()));
        assert!(VisitStatus::Scheduled.can_become(VisitStatus::Missed) && !VisitStatus::Done.can_become(VisitStatus::Missed));
        let jan31 = CalendarDate::from_ymd(2027, 1, 31).unwrap();
        assert_eq!(add_months(jan31, 1).to_string(), "2027-02-28");
        assert_eq!(add_months(jan31, 13).to_string(), "2028-02-29");
    }

    #[test]
    fn an_activity_is_checked_and_budgets_are_shared() {
        let ok =
            ActivityInput { kind: "business_start_up_kit".into(), budget: "1500".into(), currency: "EUR".into(), ..Default::default() };
        assert_eq!(ok.parse().unwrap().budget, 1500);
        let bad = ActivityInput {
            kind: "lottery".into(),
            budget: "-1".into(),
            currency: "XXX".into(),
            due_on: "soon".into(),
            ..Default::default()
        };
        let fields: Vec<String> = bad.parse().unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["kind", "budget", "currency", "due_on"]);
        assert_eq!(budget_per_beneficiary(3000, 4), Some(750));
        assert_eq!(budget_per_beneficiary(3000, 0), None);
    }
}
