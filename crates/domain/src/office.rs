//! Offices: a country office, or a site of one (transit centre, shelter)
//! with a capacity in beds. Cases belong to offices and users work for them.

use crate::codes::CountryCode;
use crate::error::{FieldError, Invalid};
use crate::text;
use serde::Deserialize;

code_enum!(
    OfficeKind {
        CountryOffice => "country_office",
        TransitCentre => "transit_centre",
        Shelter => "shelter",
        SubOffice => "sub_office",
    }
);

/// A short code people use on the phone and in references (`NER-AGZ`).
pub fn parse_office_code(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_ascii_uppercase();
    let ok = (2..=16).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(field, "err-office-code"))
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Office)]
pub struct OfficeInput {
    #[schema(pattern = "^[A-Za-z0-9-]{2,16}$", required = true)]
    pub code: String,
    #[schema(schema_with = crate::schema::text, required = true)]
    pub name: String,
    #[schema(schema_with = crate::schema::country, required = true)]
    pub country: String,
    #[schema(schema_with = crate::schema::code::<OfficeKind>, required = true)]
    pub kind: String,
    #[schema(schema_with = crate::schema::positive_or_empty)]
    pub capacity: String,
}

pub struct NewOffice {
    pub code: String,
    pub name: String,
    pub country: CountryCode,
    pub kind: OfficeKind,
    pub capacity: Option<i64>,
}

impl OfficeInput {
    pub fn parse(&self) -> Result<NewOffice, Invalid> {
        let mut inv = Invalid::default();
        let code = inv.take(parse_office_code("code", &self.code));
        let name = inv.take(text::required("name", &self.name, 120, false));
        let country = inv.take(CountryCode::parse("country", &self.country));
        let kind = inv.take(OfficeKind::parse("kind", &self.kind));
        let capacity = if self.capacity.trim().is_empty() {
            None
        } else {
            inv.take(crate::assistance::parse_count("capacity", &self.capacity, 100_000))
        };
        inv.into_result()?;
        Ok(NewOffice { code: code.unwrap(), name: name.unwrap(), country: country.unwrap(), kind: kind.unwrap(), capacity })
    }
}
