//! Passage's use cases. Each public function is one thing a user does —
//! register a person and open a case, record a screening, log in — with its
//! access check, its validation (by the domain's parsers) and its
//! transaction. The web and CLI layers call these and nothing below them.

pub mod access;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod budgets;
pub mod error;
pub mod exports;
pub mod fieldforms;
pub mod figures;
pub mod handovers;
pub mod iati;
pub mod keys;
pub mod kobo;
pub mod linkage;
pub mod movements;
pub mod privacy;
pub mod queue;
pub mod referrals;
pub mod registry;
pub mod reintegration;
pub mod returns;
pub mod synthetic;
pub mod tables;
pub mod tokens;

pub use access::Actor;
pub use error::{ServiceError, ServiceResult};
pub use passage_storage::records::{Scope, UserRecord};
pub use passage_storage::sealed::Keyring;
pub use passage_storage::Db;

/// The application: a database and the clock. Cheap to clone.
#[derive(Clone)]
pub struct Passage {
    pub db: Db,
    /// The data keys that seal notes, document numbers and TOTP secrets.
    pub keys: Keyring,
    sessions: auth::SessionCache,
}

impl Passage {
    pub fn new(db: Db, keys: Keyring) -> Self {
        Self { db, keys, sessions: auth::SessionCache::default() }
    }
}
