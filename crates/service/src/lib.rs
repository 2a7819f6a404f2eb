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
pub mod flows;
pub mod gateway;
pub mod handovers;
pub mod hotline;
pub mod iati;
pub mod idempotency;
pub mod incidents;
pub mod keys;
pub mod kobo;
pub mod linkage;
pub mod merges;
pub mod movements;
pub mod overview;
pub mod privacy;
pub mod queue;
pub mod receipts;
pub mod referrals;
pub mod registry;
pub mod reintegration;
pub mod returns;
pub mod sms;
pub mod sustainability;
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
    offices: OfficeBook,
    /// Text messaging: the gateway, its pace and the broadcast policy.
    pub sms: std::sync::Arc<sms::SmsSetup>,
}

impl Passage {
    pub fn new(db: Db, keys: Keyring) -> Self {
        Self { db, keys, sessions: auth::SessionCache::default(), offices: OfficeBook::default(), sms: Default::default() }
    }

    /// Send text messages through this setup (see `sms::SmsSettings`).
    pub fn with_sms(mut self, setup: sms::SmsSetup) -> Self {
        self.sms = std::sync::Arc::new(setup);
        self
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn database_ready(&self) -> ServiceResult<()> {
        Ok(self.db.ping().await?)
    }
}

/// The offices, read at most every few seconds: every form names one, and
/// an import of 100,000 rows would otherwise look the same few up 200,000
/// times. Creating an office here refreshes it at once; one created by
/// another process (the command line) is seen within `OfficeBook::FRESH`.
#[derive(Clone, Default)]
pub(crate) struct OfficeBook(std::sync::Arc<std::sync::Mutex<Option<OfficeList>>>);

/// The offices as read, and when.
type OfficeList = (std::time::Instant, Vec<passage_storage::records::OfficeRecord>);

impl OfficeBook {
    const FRESH: std::time::Duration = std::time::Duration::from_secs(10);

    pub(crate) fn forget(&self) {
        *self.0.lock().expect("office book lock") = None;
    }

    /// The office with this id or code, if there is one (a connection is
    /// taken only when the book is read again).
    pub(crate) async fn find(
        &self,
        db: &Db,
        matches: impl Fn(&passage_storage::records::OfficeRecord) -> bool,
    ) -> ServiceResult<Option<passage_storage::records::OfficeRecord>> {
        {
            let book = self.0.lock().expect("office book lock");
            if let Some((at, list)) = book.as_ref() {
                if at.elapsed() < Self::FRESH {
                    return Ok(list.iter().find(|o| matches(o)).cloned());
                }
            }
        }
        let mut c = db.reader().acquire().await?;
        let list = passage_storage::registry::list_offices(&mut c).await?;
        let found = list.iter().find(|o| matches(o)).cloned();
        *self.0.lock().expect("office book lock") = Some((std::time::Instant::now(), list));
        Ok(found)
    }
}
