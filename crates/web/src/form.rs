//! Reading URL-encoded form bodies. Pages post checkbox groups as repeated
//! keys (`findings=a&findings=b`), which the common form extractors cannot
//! put into a list; this keeps every pair in order and lets a handler ask
//! for one value or all of them.

use axum::body::Bytes;
use passage_domain::case::CaseStatus;
use passage_domain::codes::CountryCode;
use passage_domain::ids::OfficeId;
use passage_domain::person::Sex;
use passage_domain::FieldError;
use passage_storage::search::SearchFilters;

#[derive(Debug, Default, Clone)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Values given otherwise than as a posted body (a query string that prefills a form).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    pub fn parse(body: &Bytes) -> Self {
        Self(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }
    /// The first value of `key`, or "".
    pub fn get(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }
    /// Every pair, in the order posted.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    pub fn has(&self, key: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == key && v == value)
    }
}

pub fn parse_filters(get: &dyn Fn(&str) -> String, errors: &mut Vec<FieldError>) -> SearchFilters {
    fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| errors.push(e)).ok()
    }
    let mut f = SearchFilters::default();
    if !get("nationality").trim().is_empty() {
        f.nationality = keep(errors, CountryCode::parse("nationality", &get("nationality")));
    }
    if !get("sex").trim().is_empty() {
        f.sex = keep(errors, Sex::parse("sex", &get("sex")));
    }
    let by = get("birth_year");
    if !by.trim().is_empty() {
        f.birth_year = keep(
            errors,
            by.trim().parse::<i32>().ok().filter(|y| (1900..=2100).contains(y)).ok_or_else(|| FieldError::new("birth_year", "err-year")),
        );
    }
    if !get("office").trim().is_empty() {
        f.office = keep(
            errors,
            get("office").trim().parse::<OfficeId>().map_err(|_| {
                FieldError::new("office", "err-unknown-office").with("value", get("office").chars().take(40).collect::<String>())
            }),
        );
    }
    if !get("status").trim().is_empty() {
        f.case_status = keep(errors, CaseStatus::parse("status", &get("status")));
    }
    f
}
