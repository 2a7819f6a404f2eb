//! Opaque identifiers. Every record is named by a UUIDv7: unguessable in a
//! URL (no walking `/persons/1`, `/persons/2`), yet time-ordered so indexes
//! stay compact. Each kind of record has its own type so a case id can never
//! be passed where a person id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Build an id from a caller-chosen UUID (synthetic data uses
            /// deterministic ones so that a seed reproduces the same records).
            pub fn from_uuid(u: Uuid) -> Self {
                Self(u)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// One human being, however many times and spellings they were registered under.
    PersonId
);
id_type!(
    /// The organisation's work with a person in one programme.
    CaseId
);
id_type!(
    /// A country office or a site (transit centre, shelter).
    OfficeId
);
id_type!(
    /// A person who logs in to Passage.
    UserId
);
id_type!(
    /// One dated vulnerability screening.
    ScreeningId
);
id_type!(
    /// One service given.
    AssistanceId
);
id_type!(
    /// One case note.
    NoteId
);
id_type!(
    /// One recorded consent.
    ConsentId
);
id_type!(
    /// One identity document.
    DocumentId
);
id_type!(
    /// One movement: a charter flight, a group on commercial flights, a bus convoy.
    MovementId
);
id_type!(
    /// One API token.
    TokenId
);
id_type!(
    /// One request to hand a case over to another office.
    HandoverId
);
id_type!(
    /// One reintegration plan.
    PlanId
);
id_type!(
    /// One activity of a reintegration plan.
    ActivityId
);
id_type!(
    /// One monitoring visit.
    VisitId
);
id_type!(
    /// One provider in the service directory.
    ProviderId
);
id_type!(
    /// One referral to a provider.
    ReferralId
);
id_type!(
    /// One imported budget (an appeal).
    BudgetId
);
id_type!(
    /// One call (or message, or walk-in) taken at the hotline desk.
    CallId
);
id_type!(
    /// One crisis message to an audience.
    BroadcastId
);
id_type!(
    /// One text message to one number, in the outbox.
    OutboxId
);
