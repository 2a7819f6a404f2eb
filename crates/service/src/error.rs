//! The service layer's one error type. Each variant is something a caller
//! can act on; the web layer maps them to HTTP statuses and messages.

use passage_domain::{FieldError, Invalid};
use passage_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input does not parse; every problem is listed.
    #[error("{0}")]
    Invalid(Invalid),
    /// No such record — or one the user may not see (the two look the same,
    /// so that existence never leaks).
    #[error("not found")]
    NotFound,
    /// The user may see the record but not do this to it.
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// Not logged in, or the session ended.
    #[error("not logged in")]
    Unauthenticated,
    /// Too many failed logins for this account or from this address; try again later.
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    /// The record changed under the user (someone else changed its status first).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("password hashing failed")]
    Hashing,
    /// An operator's command (backup, restore, key rotation) could not be carried out; the message says why.
    #[error("{0}")]
    Operation(String),
}

impl From<Invalid> for ServiceError {
    fn from(e: Invalid) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(Invalid::one(e))
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Storage(StorageError::Database(e))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
