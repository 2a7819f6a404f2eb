//! Activities that count people rather than persons: information campaign
//! events, trainings, search-and-rescue operations, shelter works and
//! published studies. Each is recorded as totals for an office on a date,
//! with breakdowns where the activity has them; a breakdown may be partial
//! (not everyone is counted by sex at a football tournament) but can never
//! exceed its total.

use crate::assistance::parse_count;
use crate::codes::CountryCode;
use crate::date::CalendarDate;
use crate::error::{FieldError, Invalid};
use crate::screening::parse_past_date;
use crate::text;
use serde::{Deserialize, Serialize};

code_enum!(
    /// Kinds of information campaign event.
    CampaignKind {
        CommunityMeeting => "community_meeting",
        RadioProgramme => "radio_programme",
        FilmScreening => "film_screening",
        SchoolClub => "school_club",
        FootballTournament => "football_tournament",
        SocialMedia => "social_media",
    }
);

code_enum!(
    ShelterWorkKind {
        Renovated => "renovated",
        Refurbished => "refurbished",
    }
);

code_enum!(
    /// The resources library's kinds of product.
    ResourceKind {
        Study => "study",
        DataBriefing => "data_briefing",
        Infographic => "infographic",
        DataUpdate => "data_update",
    }
);

/// The most people one record may count: a national radio programme reaches
/// millions; anything beyond this is a typing error.
pub const MAX_REACHED: i64 = 50_000_000;

/// An optional count (0 allowed): a breakdown cell.
fn parse_part(field: &str, s: &str, max: i64, inv: &mut Invalid) -> Option<i64> {
    if s.trim().is_empty() {
        return None;
    }
    if s.trim() == "0" {
        return Some(0);
    }
    inv.take(parse_count(field, s, max))
}

/// Check that a breakdown does not add up to more than its total.
fn breakdown_fits(total: Option<i64>, parts: &[Option<i64>], field: &str, inv: &mut Invalid) {
    if let Some(t) = total {
        let sum: i64 = parts.iter().flatten().sum();
        if sum > t {
            inv.push(FieldError::new(field, "err-breakdown-exceeds").with("sum", sum).with("total", t));
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = CampaignEvent)]
pub struct CampaignEventInput {
    #[schema(schema_with = crate::schema::uuid, required = true)]
    pub office_id: String,
    #[schema(schema_with = crate::schema::date, required = true)]
    pub held_on: String,
    #[schema(schema_with = crate::schema::code::<CampaignKind>, required = true)]
    pub kind: String,
    #[schema(schema_with = crate::schema::text, required = true)]
    pub place: String,
    #[schema(schema_with = crate::schema::positive, required = true)]
    pub people_reached: String,
    pub women: String,
    pub men: String,
    pub girls: String,
    pub boys: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCampaignEvent {
    pub held_on: CalendarDate,
    pub kind: CampaignKind,
    pub place: String,
    pub people_reached: i64,
    pub women: Option<i64>,
    pub men: Option<i64>,
    pub girls: Option<i64>,
    pub boys: Option<i64>,
}

impl CampaignEventInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewCampaignEvent, Invalid> {
        let mut inv = Invalid::default();
        let held_on = inv.take(parse_past_date("held_on", &self.held_on, today));
        let kind = inv.take(CampaignKind::parse("kind", &self.kind));
        let place = inv.take(text::required("place", &self.place, 120, false));
        let reached = inv.take(parse_count("people_reached", &self.people_reached, MAX_REACHED));
        let parts = [
            parse_part("women", &self.women, MAX_REACHED, &mut inv),
            parse_part("men", &self.men, MAX_REACHED, &mut inv),
            parse_part("girls", &self.girls, MAX_REACHED, &mut inv),
            parse_part("boys", &self.boys, MAX_REACHED, &mut inv),
        ];
        breakdown_fits(reached, &parts, "people_reached", &mut inv);
        inv.into_result()?;
        Ok(NewCampaignEvent {
            held_on: held_on.expect("checked"),
            kind: kind.expect("checked"),
            place: place.expect("checked"),
            people_reached: reached.expect("checked"),
            women: parts[0],
            men: parts[1],
            girls: parts[2],
            boys: parts[3],
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Training)]
pub struct TrainingInput {
    #[schema(schema_with = crate::schema::uuid, required = true)]
    pub office_id: String,
    #[schema(schema_with = crate::schema::date, required = true)]
    pub held_on: String,
    #[schema(schema_with = crate::schema::text, required = true)]
    pub topic: String,
    #[schema(schema_with = crate::schema::positive, required = true)]
    pub participants: String,
    pub government: String,
    pub civil_society: String,
    pub ngo: String,
    pub health_workers: String,
    pub border_officials: String,
    pub women: String,
    pub men: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTraining {
    pub held_on: CalendarDate,
    pub topic: String,
    pub participants: i64,
    /// Government, civil society, NGO, health workers, border officials.
    pub by_organisation: [Option<i64>; 5],
    pub women: Option<i64>,
    pub men: Option<i64>,
}

impl TrainingInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewTraining, Invalid> {
        let mut inv = Invalid::default();
        let held_on = inv.take(parse_past_date("held_on", &self.held_on, today));
        let topic = inv.take(text::required("topic", &self.topic, 200, false));
        let participants = inv.take(parse_count("participants", &self.participants, 10_000));
        let by_organisation = [
            parse_part("government", &self.government, 10_000, &mut inv),
            parse_part("civil_society", &self.civil_society, 10_000, &mut inv),
            parse_part("ngo", &self.ngo, 10_000, &mut inv),
            parse_part("health_workers", &self.health_workers, 10_000, &mut inv),
            parse_part("border_officials", &self.border_officials, 10_000, &mut inv),
        ];
        let women = parse_part("women", &self.women, 10_000, &mut inv);
        let men = parse_part("men", &self.men, 10_000, &mut inv);
        breakdown_fits(participants, &by_organisation, "participants", &mut inv);
        breakdown_fits(participants, &[women, men], "participants", &mut inv);
        inv.into_result()?;
        Ok(NewTraining {
            held_on: held_on.expect("checked"),
            topic: topic.expect("checked"),
            participants: participants.expect("checked"),
            by_organisation,
            women,
            men,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Rescue)]
pub struct SarOperationInput {
    #[schema(schema_with = crate::schema::uuid, required = true)]
    pub office_id: String,
    #[schema(schema_with = crate::schema::date, required = true)]
    pub held_on: String,
    /// Decimal degrees, as a GPS shows them (`18.7369`, `-7.06`).
    #[schema(required = true)]
    pub latitude: String,
    #[schema(required = true)]
    pub longitude: String,
    #[schema(schema_with = crate::schema::positive, required = true)]
    pub people_found: String,
    /// References of the survivors' cases, where they were registered.
    pub case_references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSarOperation {
    pub held_on: CalendarDate,
    /// Millionths of a degree: exact in both databases.
    pub latitude_e6: i64,
    pub longitude_e6: i64,
    pub people_found: i64,
    pub case_references: Vec<String>,
}

/// Decimal degrees to millionths, within ±`limit` degrees. Commas as decimal
/// marks (French keyboards) are accepted; more than six decimals are refused
/// rather than silently rounded.
pub fn parse_degrees(field: &str, s: &str, limit: i64) -> Result<i64, FieldError> {
    let s = s.trim().replace(',', ".");
    let err = || FieldError::new(field, "err-coordinate").with("limit", limit);
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.as_str()),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() || whole.len() > 3 || frac.len() > 6 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    let whole: i64 = whole.parse().map_err(|_| err())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().map_err(|_| err())? };
    let v = whole * 1_000_000 + frac;
    if v > limit * 1_000_000 {
        return Err(err());
    }
    Ok(if neg { -v } else { v })
}

impl SarOperationInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewSarOperation, Invalid> {
        let mut inv = Invalid::default();
        let held_on = inv.take(parse_past_date("held_on", &self.held_on, today));
        let lat = inv.take(parse_degrees("latitude", &self.latitude, 90));
        let lon = inv.take(parse_degrees("longitude", &self.longitude, 180));
        let found =
            if self.people_found.trim() == "0" { Some(0) } else { inv.take(parse_count("people_found", &self.people_found, 10_000)) };
        let mut refs: Vec<String> = self.case_references.iter().map(|r| r.trim().to_ascii_uppercase()).filter(|r| !r.is_empty()).collect();
        refs.sort();
        refs.dedup();
        if let Some(n) = found {
            if refs.len() as i64 > n {
                inv.push(FieldError::new("case_references", "err-more-cases-than-found").with("found", n));
            }
        }
        inv.into_result()?;
        Ok(NewSarOperation {
            held_on: held_on.expect("checked"),
            latitude_e6: lat.expect("checked"),
            longitude_e6: lon.expect("checked"),
            people_found: found.expect("checked"),
            case_references: refs,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = ShelterWork)]
pub struct ShelterWorkInput {
    #[schema(schema_with = crate::schema::uuid, required = true)]
    pub office_id: String,
    #[schema(schema_with = crate::schema::date, required = true)]
    pub completed_on: String,
    #[schema(schema_with = crate::schema::text, required = true)]
    pub shelter: String,
    #[schema(schema_with = crate::schema::code::<ShelterWorkKind>, required = true)]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewShelterWork {
    pub completed_on: CalendarDate,
    pub shelter: String,
    pub kind: ShelterWorkKind,
}

impl ShelterWorkInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewShelterWork, Invalid> {
        let mut inv = Invalid::default();
        let completed_on = inv.take(parse_past_date("completed_on", &self.completed_on, today));
        let shelter = inv.take(text::required("shelter", &self.shelter, 120, false));
        let kind = inv.take(ShelterWorkKind::parse("kind", &self.kind));
        inv.into_result()?;
        Ok(NewShelterWork {
            completed_on: completed_on.expect("checked"),
            shelter: shelter.expect("checked"),
            kind: kind.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Resource)]
pub struct ResourceInput {
    #[schema(schema_with = crate::schema::uuid, required = true)]
    pub office_id: String,
    #[schema(schema_with = crate::schema::text, required = true)]
    pub title: String,
    #[schema(schema_with = crate::schema::code::<ResourceKind>, required = true)]
    pub kind: String,
    #[schema(required = true)]
    pub countries: Vec<String>,
    #[schema(schema_with = crate::schema::date, required = true)]
    pub published_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewResource {
    pub title: String,
    pub kind: ResourceKind,
    pub countries: Vec<CountryCode>,
    pub published_on: CalendarDate,
}

impl ResourceInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewResource, Invalid> {
        let mut inv = Invalid::default();
        let title = inv.take(text::required("title", &self.title, 300, false));
        let kind = inv.take(ResourceKind::parse("kind", &self.kind));
        let published_on = inv.take(parse_past_date("published_on", &self.published_on, today));
        let mut countries = Vec::new();
        for c in self.countries.iter().filter(|c| !c.trim().is_empty()) {
            if let Some(c) = inv.take(CountryCode::parse("countries", c)) {
                countries.push(c);
            }
        }
        countries.sort();
        countries.dedup();
        if countries.is_empty() && inv.errors.iter().all(|e| e.field != "countries") {
            inv.push(FieldError::new("countries", "err-required"));
        }
        inv.into_result()?;
        Ok(NewResource {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            countries,
            published_on: published_on.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 11, 23).unwrap()
    }

    #[test]
    fn degrees_parse_exactly() {
        assert_eq!(parse_degrees("x", "18.7369", 90), Ok(18_736_900));
        assert_eq!(parse_degrees("x", "-7,06", 90), Ok(-7_060_000));
        assert_eq!(parse_degrees("x", "180", 180), Ok(180_000_000));
        assert!(parse_degrees("x", "90.000001", 90).is_err());
        assert!(parse_degrees("x", "18.1234567", 90).is_err(), "more precision than a GPS: refused, not rounded");
        assert!(parse_degrees("x", "18°N", 90).is_err());
        assert!(parse_degrees("x", "", 90).is_err());
    }

    #[test]
    fn a_breakdown_never_exceeds_its_total() {
        let e = CampaignEventInput {
            held_on: "2026-11-01".into(),
            kind: "radio_programme".into(),
            place: "Agadez".into(),
            people_reached: "100".into(),
            women: "60".into(),
            men: "50".into(),
            ..Default::default()
        };
        let err = e.parse(today()).unwrap_err();
        assert_eq!(err.errors[0].code, "err-breakdown-exceeds");
        let ok = CampaignEventInput { men: "40".into(), ..e }.parse(today()).unwrap();
        assert_eq!((ok.women, ok.men, ok.girls), (Some(60), Some(40), None));
    }

    #[test]
    fn every_problem_of_a_record_is_reported_together() {
        let t = TrainingInput { held_on: "2030-01-01".into(), participants: "-3".into(), ..Default::default() };
        let fields: Vec<String> = t.parse(today()).unwrap_err().errors.iter().map(|e| e.field.to_string()).collect();
        assert_eq!(fields, vec!["held_on", "topic", "participants"]);
        let s = SarOperationInput {
            held_on: "2026-01-02".into(),
            latitude: "19.1".into(),
            longitude: "12.9".into(),
            people_found: "1".into(),
            case_references: vec!["NER-AGZ-2026-000001".into(), "NER-AGZ-2026-000002".into()],
            ..Default::default()
        };
        assert_eq!(s.parse(today()).unwrap_err().errors[0].code, "err-more-cases-than-found");
        let r = ResourceInput {
            title: "T".into(),
            kind: "study".into(),
            published_on: "2026-01-01".into(),
            countries: vec!["XXX".into()],
            ..Default::default()
        };
        assert_eq!(r.parse(today()).unwrap_err().errors[0].code, "err-unknown-country");
    }
}
