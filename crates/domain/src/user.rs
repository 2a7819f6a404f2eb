//! Users and roles. A user holds a role for a set of offices; what each role
//! may do is decided by the access policy (the service layer), never by a page.

use crate::error::FieldError;

pub use crate::policy::Role;

/// A login name: 3 to 40 of `a-z 0-9 . _ -`, stored lower case.
pub fn parse_username(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_lowercase();
    let ok = (3..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(field, "err-username"))
    }
}

/// Passwords: length is what counts (NIST SP 800-63B); the full policy with
/// the common-password list comes with the access model.
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

pub fn check_password(field: &str, s: &str) -> Result<(), FieldError> {
    let n = s.chars().count();
    if n < PASSWORD_MIN {
        Err(FieldError::new(field, "err-password-short").with("min", PASSWORD_MIN))
    } else if n > PASSWORD_MAX {
        Err(FieldError::new(field, "err-too-long").with("max", PASSWORD_MAX))
    } else {
        Ok(())
    }
}
