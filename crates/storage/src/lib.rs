//! Passage's storage layer: every SQL statement lives here. The same code
//! runs on SQLite (a file on a field laptop) and PostgreSQL (a regional
//! server) through sqlx's `Any` driver; the two migration sets under
//! `migrations/` are kept identical in tables and columns by a test. Values
//! cross the boundary as text and 64-bit integers only (ids, dates and codes
//! are text), which both databases store and compare the same way.
//!
//! Functions take a connection (`&mut AnyConnection`) so that the service
//! layer decides which writes share a transaction.

pub mod activities;
pub mod analytics;
pub mod audit;
pub mod budgets;
pub mod bulk;
pub mod check;
pub mod db;
pub mod exports;
pub mod failover;
pub mod figures;
pub mod flows;
pub mod handovers;
pub mod hotline;
pub mod idempotency;
pub mod incidents;
pub mod merges;
pub mod movements;
pub mod privacy;
pub mod records;
pub mod referrals;
pub mod registrations;
pub mod registry;
pub mod reintegration;
pub mod returns;
pub mod sealed;
pub mod search;
pub mod sms;
pub mod sql;
pub mod submissions;
pub mod sustainability;
pub mod users;

pub use db::{Backend, Db};
pub use sqlx::AnyConnection as Conn;

/// What went wrong below the service layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The disk (or the database's quota) is full: the statement was refused
    /// and its transaction rolled back, so nothing of it was kept.
    #[error("the disk is full: the database could not write, and nothing of this operation was kept; free some space and run it again")]
    DiskFull,
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Sealed(#[from] sealed::OpenError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH, a file path, or postgres://…")]
    BadUrl(String),
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        // SQLITE_FULL (13), PostgreSQL disk_full (53100).
        let full = matches!(&e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("13") | Some("53100")));
        if full {
            StorageError::DiskFull
        } else {
            StorageError::Database(e)
        }
    }
}

impl StorageError {
    /// A text the database cannot hold (PostgreSQL refuses a NUL byte, SQLSTATE
    /// 22021, or a character its encoding lacks, 22P05): the request's fault,
    /// not the server's, so it is answered as a bad value.
    pub fn is_unstorable_text(&self) -> bool {
        match self {
            StorageError::Database(sqlx::Error::Database(d)) => matches!(d.code().as_deref(), Some("22021") | Some("22P05")),
            _ => false,
        }
    }

    /// The database cannot be reached or is going away (down, restarting,
    /// shutting down, the pool waited too long): nothing the request did is
    /// wrong, and the same request may succeed in a moment.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StorageError::Database(e) => match e {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed => true,
                // The server closed the connection mid-message (a crash).
                sqlx::Error::Protocol(m) => m.contains("EOF") || m.contains("bytes"),
                // SQLSTATE class 08 (connection exception) and 57P (operator
                // intervention: admin or crash shutdown, cannot connect now).
                // SQLite: still busy or locked when its busy timeout ran out
                // (SQLITE_BUSY 5 and its extended codes, SQLITE_LOCKED 6).
                sqlx::Error::Database(d) => d.code().is_some_and(|c| {
                    c.starts_with("08") || c.starts_with("57P") || matches!(c.as_ref(), "5" | "6" | "261" | "517" | "773" | "262")
                }),
                _ => false,
            },
            _ => false,
        }
    }

    /// A uniqueness violation (a username or office code already taken).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StorageError::Database(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, StorageError>;
