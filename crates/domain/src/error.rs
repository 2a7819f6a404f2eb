//! Validation errors. A domain parse failure names the field and carries a
//! message id (a Fluent key) plus arguments, so the web layer can show it in
//! the user's language next to the right input and the API can list it.

use serde::Serialize;
use std::fmt;

/// One thing wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field as the form and the API name it (`birth_date`, `names[0].family`).
    pub field: String,
    /// A stable message id, also the Fluent key (`err-date-in-future`).
    pub code: &'static str,
    /// Values the message needs (`max` = 200).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self { field: field.into(), code, args: Vec::new() }
    }
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
    /// Re-home an error produced by a nested parser under its parent field.
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() { parent.to_string() } else { format!("{parent}.{}", self.field) };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.code)?;
        for (k, v) in &self.args {
            write!(f, " ({k}={v})")?;
        }
        Ok(())
    }
}

/// Everything wrong with one submitted record. Parsers collect all problems
/// instead of stopping at the first, so a form is corrected in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} invalid field(s): {}", .errors.len(), .errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
pub struct Invalid {
    pub errors: Vec<FieldError>,
}

impl Invalid {
    pub fn one(e: FieldError) -> Self {
        Self { errors: vec![e] }
    }
    pub fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
    /// Keep the value if it parsed, remember the error otherwise.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
    pub fn take_all<T>(&mut self, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.extend(e.errors);
                None
            }
        }
    }
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Self::one(e)
    }
}
