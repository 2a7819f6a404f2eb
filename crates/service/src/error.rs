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
    /// A file could not be imported; every problem is listed, and nothing was written.
    #[error("{} problem(s) in the file; nothing was imported", .0.len())]
    File(Vec<FileProblem>),
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
        ServiceError::Storage(StorageError::from(e))
    }
}

/// One problem in an imported file: where (line, column), what was there,
/// and what to change, in words a data officer can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileProblem {
    /// 1-based line of the file; 0 when the problem is the file as a whole.
    pub line: usize,
    pub column: Option<String>,
    /// The offending value, shortened: a 50 MB cell is not echoed back.
    pub value: Option<String>,
    pub reason: String,
    /// The field error behind `reason`, when there is one, for a reader to
    /// have it in their own language (`reason` is its code then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FieldError>,
}

/// A value as a problem report shows it (the domain's rule, which its file readers use too).
pub use passage_domain::text::shortened;

impl FileProblem {
    pub fn new(line: usize, column: Option<&str>, value: Option<&str>, reason: impl Into<String>) -> FileProblem {
        FileProblem { line, column: column.map(shortened), value: value.map(shortened), reason: reason.into(), error: None }
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
        } else {
            f.write_str("file")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(v) = &self.value {
            write!(f, " ({v:?})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// An id typed in a form or a file, as a field error when it does not parse.
pub(crate) fn parse_id<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, FieldError> {
    s.trim().parse().map_err(|_| FieldError::new(field, "err-unknown-choice").with("value", s.chars().take(40).collect::<String>()))
}
