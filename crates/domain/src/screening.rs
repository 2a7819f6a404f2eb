//! Vulnerability screening: a dated assessment of what makes a person more at
//! risk. It drives priority and, for trafficking, children and gender-based
//! violence, who may see the case.

use crate::date::CalendarDate;
use crate::error::{FieldError, Invalid};
use crate::text;
use serde::{Deserialize, Serialize};

code_enum!(
    /// What screening can find.
    VulnerabilityCategory {
        VictimOfTrafficking => "victim_of_trafficking",
        UnaccompaniedChild => "unaccompanied_child",
        SeparatedChild => "separated_child",
        SeriousMedicalCondition => "serious_medical_condition",
        Disability => "disability",
        GbvSurvivor => "gbv_survivor",
        PregnantOrLactating => "pregnant_or_lactating",
        OlderPerson => "older_person",
        MentalHealthNeed => "mental_health_need",
        StrandedWithoutMeans => "stranded_without_means",
    }
);

impl VulnerabilityCategory {
    pub fn makes_case_restricted(self) -> bool {
        matches!(self, Self::VictimOfTrafficking | Self::UnaccompaniedChild | Self::SeparatedChild | Self::GbvSurvivor)
    }
}

code_enum!(
    /// Type of exploitation suffered by a victim of trafficking.
    ExploitationType {
        Labour => "labour",
        Sexual => "sexual",
        DomesticServitude => "domestic_servitude",
        ForcedBegging => "forced_begging",
        ForcedCriminality => "forced_criminality",
        ForcedMarriage => "forced_marriage",
        OrganRemoval => "organ_removal",
        Other => "other",
    }
);

code_enum!(
    /// How urgently a case needs attention, derived from screening.
    Priority {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

/// A screening as submitted.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Screening)]
pub struct ScreeningInput {
    #[schema(schema_with = crate::schema::date)]
    pub screened_on: String,
    #[schema(schema_with = crate::schema::code_list::<VulnerabilityCategory>)]
    pub findings: Vec<String>,
    #[schema(schema_with = crate::schema::code_list::<ExploitationType>)]
    pub exploitation: Vec<String>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewScreening {
    pub screened_on: CalendarDate,
    pub findings: Vec<VulnerabilityCategory>,
    pub exploitation: Vec<ExploitationType>,
    pub notes: Option<String>,
}

impl ScreeningInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewScreening, Invalid> {
        let mut inv = Invalid::default();
        let screened_on = inv.take(parse_past_date("screened_on", &self.screened_on, today));
        let mut findings = Vec::new();
        for f in self.findings.iter().filter(|f| !f.trim().is_empty()) {
            if let Some(c) = inv.take(VulnerabilityCategory::parse("findings", f)) {
                if !findings.contains(&c) {
                    findings.push(c);
                }
            }
        }
        let mut exploitation = Vec::new();
        for e in self.exploitation.iter().filter(|e| !e.trim().is_empty()) {
            if let Some(t) = inv.take(ExploitationType::parse("exploitation", e)) {
                if !exploitation.contains(&t) {
                    exploitation.push(t);
                }
            }
        }
        let notes = inv.take(text::clean("notes", &self.notes, 4000, true)).flatten();
        let trafficking = findings.contains(&VulnerabilityCategory::VictimOfTrafficking);
        if trafficking && exploitation.is_empty() && inv.is_empty() {
            inv.push(FieldError::new("exploitation", "err-exploitation-required"));
        }
        if !trafficking && !exploitation.is_empty() {
            inv.push(FieldError::new("exploitation", "err-exploitation-without-trafficking"));
        }
        if findings.contains(&VulnerabilityCategory::UnaccompaniedChild) && findings.contains(&VulnerabilityCategory::SeparatedChild) {
            inv.push(FieldError::new("findings", "err-unaccompanied-and-separated"));
        }
        inv.into_result()?;
        findings.sort();
        exploitation.sort();
        Ok(NewScreening { screened_on: screened_on.expect("checked"), findings, exploitation, notes })
    }
}

impl NewScreening {
    pub fn priority(&self) -> Priority {
        priority_of(&self.findings)
    }
}

/// The findings that make a case a protection case (and its priority high):
/// trafficking, a child alone or separated, a serious medical condition, GBV.
pub fn is_protection_flag(f: VulnerabilityCategory) -> bool {
    use VulnerabilityCategory::*;
    matches!(f, VictimOfTrafficking | UnaccompaniedChild | SeparatedChild | SeriousMedicalCondition | GbvSurvivor)
}

/// The protection flags among a screening's findings.
pub fn protection_flags(findings: &[VulnerabilityCategory]) -> Vec<VulnerabilityCategory> {
    findings.iter().copied().filter(|f| is_protection_flag(*f)).collect()
}

pub fn priority_of(findings: &[VulnerabilityCategory]) -> Priority {
    if findings.iter().any(|f| is_protection_flag(*f)) {
        Priority::High
    } else if findings.is_empty() {
        Priority::Low
    } else {
        Priority::Medium
    }
}

/// A date on which something already happened: required, valid, not after
/// today, and not absurdly old.
pub fn parse_past_date(field: &str, s: &str, today: CalendarDate) -> Result<CalendarDate, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::new(field, "err-required"));
    }
    let d = CalendarDate::parse(field, s)?;
    if d > today {
        return Err(FieldError::new(field, "err-date-in-future"));
    }
    if d.year() < 2000 {
        return Err(FieldError::new(field, "err-date-too-old").with("min", 2000));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 11, 23).unwrap()
    }

    #[test]
    fn trafficking_needs_an_exploitation_type_and_only_trafficking_has_one() {
        let mut i =
            ScreeningInput { screened_on: "2026-11-20".into(), findings: vec!["victim_of_trafficking".into()], ..Default::default() };
        assert_eq!(i.parse(today()).unwrap_err().errors[0].code, "err-exploitation-required");
        i.exploitation = vec!["labour".into()];
        let s = i.parse(today()).unwrap();
        assert_eq!(s.priority(), Priority::High);
        i.findings = vec!["disability".into()];
        assert_eq!(i.parse(today()).unwrap_err().errors[0].code, "err-exploitation-without-trafficking");
    }

    #[test]
    fn screening_date_cannot_be_in_the_future() {
        let i = ScreeningInput { screened_on: "2026-12-01".into(), ..Default::default() };
        assert_eq!(i.parse(today()).unwrap_err().errors[0].code, "err-date-in-future");
    }

    #[test]
    fn priority_follows_findings() {
        assert_eq!(priority_of(&[]), Priority::Low);
        assert_eq!(priority_of(&[VulnerabilityCategory::OlderPerson]), Priority::Medium);
    }
}
