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

/// Passwords (NIST SP 800-63B): length is what counts, no composition rules;
/// refused when among the most commonly leaked ones or built on the username.
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("../data/common_passwords.txt");

fn is_common(password: &str) -> bool {
    let p = password.to_lowercase();
    COMMON_PASSWORDS.lines().filter(|l| !l.starts_with('#')).any(|l| l == p)
}

pub fn check_password(field: &str, s: &str, username: &str) -> Result<(), FieldError> {
    let n = s.chars().count();
    let lower = s.to_lowercase();
    if n < PASSWORD_MIN {
        Err(FieldError::new(field, "err-password-short").with("min", PASSWORD_MIN))
    } else if n > PASSWORD_MAX {
        Err(FieldError::new(field, "err-too-long").with("max", PASSWORD_MAX))
    } else if is_common(s) {
        Err(FieldError::new(field, "err-password-common"))
    } else if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        Err(FieldError::new(field, "err-password-username"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_judged_by_length_and_commonness_only() {
        assert!(check_password("p", "short", "amina").is_err());
        assert!(check_password("p", "correct horse battery", "amina").is_ok(), "no composition rules");
        assert_eq!(check_password("p", "QWERTY123456", "amina").unwrap_err().code, "err-password-common");
        assert_eq!(check_password("p", "amina-2026-secret", "Amina").unwrap_err().code, "err-password-username");
        assert!(check_password("p", &"x".repeat(129), "amina").is_err());
    }
}
