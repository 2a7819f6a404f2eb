//! Assistance: one service given to a person on a case — a night of shelter,
//! a meal, a medical consultation — with date, place, provider, quantity and
//! cost. Each kind has its own unit so that "3" always means something.

use crate::codes::Currency;
use crate::date::CalendarDate;
use crate::error::{FieldError, Invalid};
use crate::screening::parse_past_date;
use crate::text;
use serde::{Deserialize, Serialize};

code_enum!(
    /// Kinds of service.
    AssistanceKind {
        Shelter => "shelter",
        Food => "food",
        NonFoodItems => "non_food_items",
        MedicalConsultation => "medical_consultation",
        PsychosocialSession => "psychosocial_session",
        LegalCounselling => "legal_counselling",
        Cash => "cash",
        FamilyTracing => "family_tracing",
        Transport => "transport",
        Clothing => "clothing",
        PhoneCallHome => "phone_call_home",
    }
);

code_enum!(
    /// What a quantity counts.
    Unit {
        Nights => "nights",
        Meals => "meals",
        Kits => "kits",
        Sessions => "sessions",
        Items => "items",
        Calls => "calls",
        Trips => "trips",
        Payments => "payments",
    }
);

impl AssistanceKind {
    pub fn unit(self) -> Unit {
        match self {
            Self::Shelter => Unit::Nights,
            Self::Food => Unit::Meals,
            Self::NonFoodItems => Unit::Kits,
            Self::MedicalConsultation | Self::PsychosocialSession | Self::LegalCounselling | Self::FamilyTracing => Unit::Sessions,
            Self::Cash => Unit::Payments,
            Self::Transport => Unit::Trips,
            Self::Clothing => Unit::Items,
            Self::PhoneCallHome => Unit::Calls,
        }
    }
    /// The most of one kind plausibly given in one record: more is a typing error.
    pub fn max_quantity(self) -> i64 {
        match self {
            Self::Shelter => 366,
            Self::Food => 1000,
            _ => 100,
        }
    }
}

/// An amount of money in minor units is not used: several currencies of the
/// region (XOF, GNF) have none, and budgets are in whole units.
pub const MAX_COST: i64 = 1_000_000_000;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Assistance)]
pub struct AssistanceInput {
    #[schema(schema_with = crate::schema::code::<AssistanceKind>)]
    pub kind: String,
    #[schema(schema_with = crate::schema::date)]
    pub provided_on: String,
    pub quantity: String,
    pub place: String,
    pub provider: String,
    pub cost: String,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAssistance {
    pub kind: AssistanceKind,
    pub provided_on: CalendarDate,
    pub quantity: i64,
    pub place: Option<String>,
    /// Empty means the organisation itself gave it.
    pub provider: Option<String>,
    pub cost: Option<(i64, Currency)>,
}

impl AssistanceInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewAssistance, Invalid> {
        let mut inv = Invalid::default();
        let kind = inv.take(AssistanceKind::parse("kind", &self.kind));
        let provided_on = inv.take(parse_past_date("provided_on", &self.provided_on, today));
        let quantity = if self.quantity.trim().is_empty() {
            Some(1)
        } else {
            inv.take(parse_count("quantity", &self.quantity, kind.map(|k| k.max_quantity()).unwrap_or(1000)))
        };
        let place = inv.take(text::clean("place", &self.place, 120, false)).flatten();
        let provider = inv.take(text::clean("provider", &self.provider, 120, false)).flatten();
        let cost = match (self.cost.trim().is_empty(), self.currency.trim().is_empty()) {
            (true, _) => None,
            (false, true) => {
                inv.push(FieldError::new("currency", "err-required"));
                None
            }
            (false, false) => {
                let amount = inv.take(parse_count("cost", &self.cost, MAX_COST));
                let currency = inv.take(Currency::parse("currency", &self.currency));
                amount.zip(currency)
            }
        };
        inv.into_result()?;
        Ok(NewAssistance {
            kind: kind.expect("checked"),
            provided_on: provided_on.expect("checked"),
            quantity: quantity.expect("checked"),
            place,
            provider,
            cost,
        })
    }
}

/// A whole positive number up to `max`; spaces and thin spaces used as thousands
/// separators in French are accepted.
pub fn parse_count(field: &str, s: &str, max: i64) -> Result<i64, FieldError> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | ',')).collect();
    match digits.parse::<i64>() {
        Ok(n) if n >= 1 && n <= max => Ok(n),
        Ok(n) if n > max => Err(FieldError::new(field, "err-number-too-large").with("max", max)),
        _ => Err(FieldError::new(field, "err-positive-number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_night_of_shelter() {
        let a = AssistanceInput { kind: "shelter".into(), provided_on: "2026-11-22".into(), ..Default::default() }.parse(today()).unwrap();
        assert_eq!((a.kind.unit(), a.quantity), (Unit::Nights, 1));
    }

    #[test]
    fn quantity_and_cost_are_checked() {
        let i = AssistanceInput {
            kind: "shelter".into(),
            provided_on: "2026-11-22".into(),
            quantity: "400".into(),
            cost: "-5".into(),
            currency: "XOF".into(),
            ..Default::default()
        };
        let codes: Vec<_> = i.parse(today()).unwrap_err().errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["err-number-too-large", "err-positive-number"]);
        assert_eq!(parse_count("c", "25 000", MAX_COST).unwrap(), 25000);
    }
}
