//! Free text and small structured strings (phone numbers). Every string that
//! enters Passage has a length limit and loses control characters, so that a
//! pasted 50 MB blob or an invisible character cannot slip through a form.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Trim, drop control characters (keeping newlines and tabs when `multiline`), and
/// check the length in characters. An empty result is `None`.
pub fn clean(field: &str, s: &str, max: usize, multiline: bool) -> Result<Option<String>, FieldError> {
    let cleaned: String = s.trim().chars().filter(|c| !c.is_control() || (multiline && (*c == '\n' || *c == '\t'))).collect();
    let n = cleaned.chars().count();
    if n > max {
        return Err(FieldError::new(field, "err-too-long").with("max", max).with("length", n));
    }
    Ok(if cleaned.is_empty() { None } else { Some(cleaned) })
}

/// Like [`clean`] but the value must be present.
pub fn required(field: &str, s: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    clean(field, s, max, multiline)?.ok_or_else(|| FieldError::new(field, "err-required"))
}

/// A text cell as it may go into a CSV file without becoming a formula when a
/// spreadsheet opens it (OWASP "CSV injection"): a cell that starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe,
/// which spreadsheets show as text. Numbers are written as numbers and never
/// pass through here.
/// A value as a problem report shows it: control characters out, at most
/// 60 characters (a 50 MB cell is not echoed back).
pub fn shortened(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control()).take(60).collect();
    if s.chars().count() > 60 {
        format!("{clean}…")
    } else {
        clean
    }
}

pub fn spreadsheet_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A phone number in international form: `+` and 8 to 15 digits (E.164).
/// Spaces, dots, dashes and brackets are accepted on input and dropped;
/// a leading `00` becomes `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let raw: String = s.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        let digits = raw.strip_prefix('+').or_else(|| raw.strip_prefix("00"));
        match digits {
            Some(d) if (8..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0') => {
                Ok(Self(format!("+{d}")))
            }
            _ => Err(FieldError::new(field, "err-phone")),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse("phone", &s).map_err(|e| e.code.to_string())
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_defused() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("Aïcha"), "Aïcha");
    }

    #[test]
    fn phones_normalise_and_refuse_local_forms() {
        assert_eq!(Phone::parse("p", "+227 96 12 34 56").unwrap().as_str(), "+22796123456");
        assert_eq!(Phone::parse("p", "00224-620-00-00-00").unwrap().as_str(), "+224620000000");
        assert!(Phone::parse("p", "96123456").is_err());
        assert!(Phone::parse("p", "+22796abc").is_err());
    }

    #[test]
    fn clean_limits_length_and_strips_controls() {
        assert_eq!(clean("f", " a\u{0}b ", 5, false).unwrap().as_deref(), Some("ab"));
        assert_eq!(clean("f", "abcdef", 5, false).unwrap_err().code, "err-too-long");
        assert_eq!(clean("f", "  ", 5, false).unwrap(), None);
        assert_eq!(clean("f", "a\nb", 5, true).unwrap().as_deref(), Some("a\nb"));
    }
}
