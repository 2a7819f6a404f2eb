//! A movement: a charter flight, a group on commercial flights or a bus
//! convoy taking returnees home, with its route, dates, capacity and the
//! manifest of travellers. The rules: only travellers whose pre-departure
//! steps are complete (the journey lets them depart) are manifested;
//! capacity is never exceeded; each traveller moves from manifested to
//! boarded, no-show or offloaded, and from boarded to arrived; a movement
//! moves from planned to departed to arrived (or is cancelled before it
//! leaves).

use crate::error::{FieldError, Invalid};
use crate::text;
use serde::Deserialize;

code_enum!(
    /// How the travellers go.
    MovementKind {
        CharterFlight => "charter_flight",
        CommercialFlights => "commercial_flights",
        BusConvoy => "bus_convoy",
    }
);

code_enum!(
    /// Where a movement stands.
    MovementStatus {
        Planned => "planned",
        Departed => "departed",
        Arrived => "arrived",
        Cancelled => "cancelled",
    }
);

code_enum!(
    /// Where one traveller on a manifest stands.
    TravellerStatus {
        Manifested => "manifested",
        Boarded => "boarded",
        NoShow => "no_show",
        Offloaded => "offloaded",
        Arrived => "arrived",
    }
);

code_enum!(
    /// A case's hand-over from one office to another.
    HandoverStatus {
        Requested => "requested",
        Accepted => "accepted",
        Declined => "declined",
    }
);

impl HandoverStatus {
    /// A request is accepted or declined, once.
    pub fn can_become(self, to: HandoverStatus) -> bool {
        self == HandoverStatus::Requested && to != HandoverStatus::Requested
    }
}

impl MovementStatus {
    /// The one place movement transitions are decided.
    pub fn can_become(self, to: MovementStatus) -> bool {
        use MovementStatus::*;
        matches!((self, to), (Planned, Departed) | (Departed, Arrived) | (Planned, Cancelled))
    }
}

impl TravellerStatus {
    /// The one place traveller transitions are decided. A no-show or an
    /// offloaded traveller may still board (they turned up late, the seat
    /// was found) while the movement has not left.
    pub fn can_become(self, to: TravellerStatus) -> bool {
        use TravellerStatus::*;
        matches!(
            (self, to),
            (Manifested, Boarded | NoShow | Offloaded) | (NoShow | Offloaded, Boarded) | (Boarded, Offloaded) | (Boarded, Arrived)
        )
    }

    /// Whether the traveller holds a seat (counts against capacity).
    pub fn holds_seat(self) -> bool {
        matches!(self, TravellerStatus::Manifested | TravellerStatus::Boarded | TravellerStatus::Arrived)
    }
}

/// Why a traveller cannot be added to a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestRefusal {
    /// Every seat is taken.
    Full { capacity: u32 },
    /// The movement has left, arrived or was cancelled.
    Closed,
    /// Already on this manifest, or on another movement that has not arrived.
    AlreadyManifested,
    /// The journey does not let them depart yet (the code says why).
    NotReady(String),
}

/// May one more traveller join, given the seats held now?
pub fn may_manifest(status: MovementStatus, capacity: u32, seats_held: u32) -> Result<(), ManifestRefusal> {
    if status != MovementStatus::Planned {
        return Err(ManifestRefusal::Closed);
    }
    if seats_held >= capacity {
        return Err(ManifestRefusal::Full { capacity });
    }
    Ok(())
}

/// A movement as typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Movement)]
pub struct MovementInput {
    #[schema(schema_with = crate::schema::code::<MovementKind>)]
    pub kind: String,
    #[schema(schema_with = crate::schema::uuid)]
    pub office_id: String,
    /// Where it leaves from (a place: "Niamey airport", "Agadez bus station").
    pub origin: String,
    /// Transit points, in order.
    pub transit: Vec<String>,
    pub destination_country: String,
    pub destination: String,
    #[schema(schema_with = crate::schema::date)]
    pub departure_on: String,
    #[schema(schema_with = crate::schema::date)]
    pub arrival_on: String,
    pub capacity: String,
    pub escorts: String,
}

/// A movement ready to be stored (the office is resolved by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    pub kind: MovementKind,
    pub origin: String,
    pub transit: Vec<String>,
    pub destination_country: crate::codes::CountryCode,
    pub destination: String,
    pub departure_on: crate::date::CalendarDate,
    pub arrival_on: Option<crate::date::CalendarDate>,
    pub capacity: u32,
    pub escorts: u32,
}

/// The most travellers one movement takes: a large charter (seed 003 tells
/// of 841 returned from Libya over several flights).
pub const MAX_CAPACITY: u32 = 1000;

impl MovementInput {
    pub fn parse(&self) -> Result<NewMovement, Invalid> {
        let mut inv = Invalid::default();
        let kind = inv.take(MovementKind::parse("kind", self.kind.trim()));
        let origin = inv.take(text::required("origin", &self.origin, 200, false));
        let mut transit = Vec::new();
        for t in self.transit.iter().filter(|t| !t.trim().is_empty()) {
            if let Some(t) = inv.take(text::required("transit", t, 200, false)) {
                transit.push(t);
            }
        }
        if transit.len() > 10 {
            inv.push(FieldError::new("transit", "err-too-many").with("max", "10"));
        }
        let country = inv.take(crate::codes::CountryCode::parse("destination_country", self.destination_country.trim()));
        let destination = inv.take(text::required("destination", &self.destination, 200, false));
        let departure = inv.take(crate::date::CalendarDate::parse("departure_on", self.departure_on.trim()));
        let arrival = match self.arrival_on.trim() {
            "" => None,
            a => inv.take(crate::date::CalendarDate::parse("arrival_on", a)),
        };
        if let (Some(d), Some(a)) = (departure, arrival) {
            if a < d {
                inv.push(FieldError::new("arrival_on", "err-arrival-before-departure"));
            }
        }
        let number = |field: &str, s: &str, min: u32, max: u32, inv: &mut Invalid| -> Option<u32> {
            match s.trim().parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => Some(n),
                _ => {
                    inv.push(FieldError::new(field, "err-number-range").with("min", min.to_string()).with("max", max.to_string()));
                    None
                }
            }
        };
        let capacity = number("capacity", &self.capacity, 1, MAX_CAPACITY, &mut inv);
        let escorts = if self.escorts.trim().is_empty() { Some(0) } else { number("escorts", &self.escorts, 0, 200, &mut inv) };
        inv.into_result()?;
        Ok(NewMovement {
            kind: kind.expect("checked"),
            origin: origin.expect("checked"),
            transit,
            destination_country: country.expect("checked"),
            destination: destination.expect("checked"),
            departure_on: departure.expect("checked"),
            arrival_on: arrival,
            capacity: capacity.expect("checked"),
            escorts: escorts.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movements_leave_then_arrive_or_are_cancelled_before_leaving() {
        use MovementStatus::*;
        for from in MovementStatus::ALL {
            for to in MovementStatus::ALL {
                let allowed = matches!((from, to), (Planned, Departed) | (Departed, Arrived) | (Planned, Cancelled));
                assert_eq!(from.can_become(*to), allowed, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn travellers_board_or_not_and_only_the_boarded_arrive() {
        use TravellerStatus::*;
        assert!(Manifested.can_become(Boarded) && Boarded.can_become(Arrived));
        assert!(NoShow.can_become(Boarded), "late but there");
        for s in [Manifested, NoShow, Offloaded] {
            assert!(!s.can_become(Arrived), "{s} cannot arrive without boarding");
        }
        assert!(TravellerStatus::ALL.iter().all(|s| !Arrived.can_become(*s)), "arrival is final");
        assert!(!NoShow.holds_seat() && Boarded.holds_seat());
    }

    #[test]
    fn capacity_and_state_decide_who_joins() {
        assert_eq!(may_manifest(MovementStatus::Planned, 2, 1), Ok(()));
        assert_eq!(may_manifest(MovementStatus::Planned, 2, 2), Err(ManifestRefusal::Full { capacity: 2 }));
        assert_eq!(may_manifest(MovementStatus::Departed, 50, 0), Err(ManifestRefusal::Closed));
    }

    #[test]
    fn a_movement_form_is_checked_field_by_field() {
        let ok = MovementInput {
            kind: "bus_convoy".into(),
            origin: "Agadez bus station".into(),
            transit: vec!["Niamey".into(), " ".into()],
            destination_country: "GIN".into(),
            destination: "Conakry".into(),
            departure_on: "2026-12-01".into(),
            arrival_on: "2026-12-04".into(),
            capacity: "60".into(),
            ..Default::default()
        };
        let m = ok.parse().unwrap();
        assert_eq!((m.capacity, m.escorts, m.transit.len()), (60, 0, 1));
        let bad = MovementInput { kind: "camel".into(), capacity: "0".into(), arrival_on: "2026-11-30".into(), ..ok.clone() };
        let e = bad.parse().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["kind", "arrival_on", "capacity"]);
        let huge = MovementInput { capacity: "5000".into(), ..ok };
        assert!(huge.parse().is_err());
    }
}
