//! A person: one human being, with every name they were registered under,
//! what is known of their birth, nationality, languages, phone and identity
//! documents, and the consents they gave. Parsing a `NewPerson` is where a
//! registration form or API body becomes a value the rest of Passage trusts.

use crate::codes::{CountryCode, LanguageCode};
use crate::date::{BirthDate, BirthDatePrecision, CalendarDate};
use crate::error::{FieldError, Invalid};
use crate::schema;
use crate::text::{self, Phone};
use serde::{Deserialize, Serialize};

code_enum!(
    /// Sex as recorded at registration.
    Sex {
        Female => "female",
        Male => "male",
        /// The person did not say, or the caseworker could not record it.
        Unknown => "unknown",
    }
);

code_enum!(
    /// Why a name is on the record.
    NameKind {
        /// The name the person uses now; shown first.
        Primary => "primary",
        /// Another name or spelling the person is known by.
        Alias => "alias",
    }
);

code_enum!(
    /// Kinds of identity documents seen on the route.
    DocumentKind {
        Passport => "passport",
        NationalId => "national_id",
        BirthCertificate => "birth_certificate",
        /// Emergency travel document issued by an embassy for a return.
        LaissezPasser => "laissez_passer",
        ConsularCard => "consular_card",
        Other => "other",
    }
);

code_enum!(
    /// What a person agreed to.
    ConsentKind {
        Registration => "registration",
        DataSharing => "data_sharing",
        FollowUpContact => "follow_up_contact",
        Photos => "photos",
        /// The file handed over to the office in the person's country of origin.
        Handover => "handover",
    }
);

code_enum!(
    /// How a consent was recorded.
    ConsentMethod {
        Written => "written",
        Verbal => "verbal",
        Thumbprint => "thumbprint",
    }
);

pub const NAME_MAX: usize = 100;
pub const MAX_NAMES: usize = 10;
pub const MAX_DOCUMENTS: usize = 10;
pub const MAX_LANGUAGES: usize = 10;

/// A name as given: given name(s) and family name, any script. At least one
/// of the two must be present (many people give one name only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub given: Option<String>,
    pub family: Option<String>,
    pub kind: NameKind,
}

impl PersonName {
    pub fn parse(field: &str, given: &str, family: &str, kind: NameKind) -> Result<Self, Invalid> {
        let mut inv = Invalid::default();
        let given = inv.take(text::clean(&format!("{field}.given"), given, NAME_MAX, false)).flatten();
        let family = inv.take(text::clean(&format!("{field}.family"), family, NAME_MAX, false)).flatten();
        inv.into_result()?;
        if given.is_none() && family.is_none() {
            return Err(FieldError::new(format!("{field}.family"), "err-name-required").into());
        }
        Ok(Self { given, family, kind })
    }

    /// "Given FAMILY" the way registration lists print it.
    pub fn display(&self) -> String {
        match (&self.given, &self.family) {
            (Some(g), Some(f)) => format!("{g} {}", f.to_uppercase()),
            (Some(g), None) => g.clone(),
            (None, Some(f)) => f.to_uppercase(),
            (None, None) => String::new(),
        }
    }

    /// All the words of the name, for indexing.
    pub fn full(&self) -> String {
        [self.given.as_deref(), self.family.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityDocument {
    pub kind: DocumentKind,
    pub number: String,
    pub issuing_country: Option<CountryCode>,
    pub expires_on: Option<CalendarDate>,
}

impl IdentityDocument {
    pub fn parse(field: &str, kind: &str, number: &str, issuing_country: &str, expires_on: &str) -> Result<Self, Invalid> {
        let mut inv = Invalid::default();
        let kind = inv.take(DocumentKind::parse(&format!("{field}.kind"), kind));
        let number = inv.take(text::required(&format!("{field}.number"), number, 40, false).and_then(|n| {
            if n.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | ' ')) {
                Ok(n.to_uppercase())
            } else {
                Err(FieldError::new(format!("{field}.number"), "err-document-number"))
            }
        }));
        let issuing_country = if issuing_country.trim().is_empty() {
            None
        } else {
            inv.take(CountryCode::parse(&format!("{field}.issuing_country"), issuing_country))
        };
        let expires_on =
            if expires_on.trim().is_empty() { None } else { inv.take(CalendarDate::parse(&format!("{field}.expires_on"), expires_on)) };
        inv.into_result()?;
        Ok(Self { kind: kind.unwrap(), number: number.unwrap(), issuing_country, expires_on })
    }
}

/// A registration as the caseworker or the API submits it, not yet parsed.
/// Every field is text so that bad input reaches the parser (and gets a
/// field-level message) instead of failing in deserialisation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Person)]
pub struct PersonInput {
    /// The first is the primary name, the rest aliases; each has a given or a family name.
    #[schema(min_items = 1)]
    pub names: Vec<NameInput>,
    #[schema(schema_with = schema::code::<Sex>)]
    pub sex: String,
    /// YYYY-MM-DD or YYYY.
    pub birth_date: String,
    #[schema(schema_with = schema::code::<BirthDatePrecision>)]
    pub birth_date_precision: String,
    #[schema(schema_with = schema::country_or_empty)]
    pub nationality: String,
    pub languages: Vec<String>,
    /// International form, +227…
    pub phone: String,
    pub documents: Vec<DocumentInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NameInput {
    pub given: String,
    pub family: String,
}

/// Many people give one name only, so either part may be missing, not both:
/// a rule across the two fields, which the attributes cannot say.
impl utoipa::PartialSchema for NameInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, AnyOfBuilder, ObjectBuilder, Schema, Type};
        let with = |present: &str, other: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(present, schema::text())
                .property(other, ObjectBuilder::new().schema_type(Type::String))
                .required(present)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        let either = AnyOfBuilder::new().item(with("given", "family")).item(with("family", "given")).build();
        utoipa::openapi::RefOr::T(Schema::AnyOf(either))
    }
}

impl utoipa::ToSchema for NameInput {
    fn name() -> std::borrow::Cow<'static, str> {
        "Name".into()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Document)]
pub struct DocumentInput {
    #[schema(schema_with = schema::code::<DocumentKind>)]
    pub kind: String,
    pub number: String,
    #[schema(schema_with = schema::country_or_empty)]
    pub issuing_country: String,
    #[schema(schema_with = schema::date_or_empty)]
    pub expires_on: String,
}

/// A person ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPerson {
    /// The first is the primary name; the rest are aliases.
    pub names: Vec<PersonName>,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub languages: Vec<LanguageCode>,
    pub phone: Option<Phone>,
    pub documents: Vec<IdentityDocument>,
}

impl PersonInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewPerson, Invalid> {
        let mut inv = Invalid::default();
        let mut names = Vec::new();
        let given_names: Vec<&NameInput> =
            self.names.iter().filter(|n| !(n.given.trim().is_empty() && n.family.trim().is_empty())).collect();
        if given_names.is_empty() {
            inv.push(FieldError::new("names[0].family", "err-name-required"));
        } else if given_names.len() > MAX_NAMES {
            inv.push(FieldError::new("names", "err-too-many").with("max", MAX_NAMES));
        } else {
            for (i, n) in given_names.iter().enumerate() {
                let kind = if i == 0 { NameKind::Primary } else { NameKind::Alias };
                if let Some(p) = inv.take_all(PersonName::parse(&format!("names[{i}]"), &n.given, &n.family, kind)) {
                    names.push(p);
                }
            }
        }
        let sex = if self.sex.trim().is_empty() { Some(Sex::Unknown) } else { inv.take(Sex::parse("sex", &self.sex)) };
        let precision = if self.birth_date_precision.trim().is_empty() {
            Some(BirthDatePrecision::Exact)
        } else {
            inv.take(BirthDatePrecision::parse("birth_date_precision", &self.birth_date_precision))
        };
        let birth_date = match (self.birth_date.trim().is_empty(), precision) {
            (true, _) => None,
            (false, Some(p)) => inv.take(BirthDate::parse("birth_date", &self.birth_date, p, today)),
            (false, None) => None,
        };
        let nationality =
            if self.nationality.trim().is_empty() { None } else { inv.take(CountryCode::parse("nationality", &self.nationality)) };
        let mut languages = Vec::new();
        if self.languages.len() > MAX_LANGUAGES {
            inv.push(FieldError::new("languages", "err-too-many").with("max", MAX_LANGUAGES));
        } else {
            for (i, l) in self.languages.iter().filter(|l| !l.trim().is_empty()).enumerate() {
                if let Some(code) = inv.take(LanguageCode::parse(&format!("languages[{i}]"), l)) {
                    if !languages.contains(&code) {
                        languages.push(code);
                    }
                }
            }
        }
        let phone = if self.phone.trim().is_empty() { None } else { inv.take(Phone::parse("phone", &self.phone)) };
        let mut documents = Vec::new();
        let docs: Vec<&DocumentInput> =
            self.documents.iter().filter(|d| !(d.kind.trim().is_empty() && d.number.trim().is_empty())).collect();
        if docs.len() > MAX_DOCUMENTS {
            inv.push(FieldError::new("documents", "err-too-many").with("max", MAX_DOCUMENTS));
        } else {
            for (i, d) in docs.iter().enumerate() {
                if let Some(doc) =
                    inv.take_all(IdentityDocument::parse(&format!("documents[{i}]"), &d.kind, &d.number, &d.issuing_country, &d.expires_on))
                {
                    documents.push(doc);
                }
            }
        }
        inv.into_result()?;
        Ok(NewPerson { names, sex: sex.unwrap_or(Sex::Unknown), birth_date, nationality, languages, phone, documents })
    }
}

impl NewPerson {
    pub fn primary_name(&self) -> &PersonName {
        &self.names[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::from_ymd(2026, 11, 23).unwrap()
    }

    fn input() -> PersonInput {
        PersonInput {
            names: vec![NameInput { given: "Mamadou".into(), family: "Diallo".into() }],
            sex: "male".into(),
            birth_date: "1998".into(),
            nationality: "gin".into(),
            languages: vec!["fuf".into(), "fra".into()],
            phone: "+224 620 00 00 00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_full_registration_parses() {
        let p = input().parse(today()).unwrap();
        assert_eq!(p.primary_name().display(), "Mamadou DIALLO");
        assert_eq!(p.nationality.unwrap().as_str(), "GIN");
        assert_eq!(p.birth_date.unwrap().precision, BirthDatePrecision::Year);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut i = input();
        i.names = vec![NameInput::default()];
        i.sex = "x".into();
        i.birth_date = "2030-01-01".into();
        i.nationality = "ZZZ".into();
        i.phone = "12".into();
        let e = i.parse(today()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["names[0].family", "sex", "birth_date", "nationality", "phone"]);
    }

    #[test]
    fn one_name_is_enough_and_documents_are_checked() {
        let mut i = input();
        i.names = vec![NameInput { given: "".into(), family: "Aïcha".into() }];
        i.documents = vec![DocumentInput { kind: "passport".into(), number: "ab<123".into(), ..Default::default() }];
        let e = i.parse(today()).unwrap_err();
        assert_eq!(e.errors[0].field, "documents[0].number");
    }
}

/// A consent as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Consent)]
pub struct ConsentInput {
    #[schema(schema_with = schema::code::<ConsentKind>, required = true)]
    pub kind: String,
    /// The partner data may be shared with (required for `data_sharing`).
    pub partner: String,
    #[schema(schema_with = schema::code::<ConsentMethod>, required = true)]
    pub method: String,
    #[schema(schema_with = schema::date, required = true)]
    pub given_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewConsent {
    pub kind: ConsentKind,
    pub partner: Option<String>,
    pub method: ConsentMethod,
    pub given_on: CalendarDate,
}

impl ConsentInput {
    pub fn parse(&self, today: CalendarDate) -> Result<NewConsent, Invalid> {
        let mut inv = Invalid::default();
        let kind = inv.take(ConsentKind::parse("kind", &self.kind));
        let partner = inv.take(text::clean("partner", &self.partner, 120, false)).flatten();
        let method = inv.take(ConsentMethod::parse("method", &self.method));
        let given_on = inv.take(crate::screening::parse_past_date("given_on", &self.given_on, today));
        if kind == Some(ConsentKind::DataSharing) && partner.is_none() {
            inv.push(FieldError::new("partner", "err-partner-required"));
        }
        inv.into_result()?;
        Ok(NewConsent { kind: kind.expect("checked"), partner, method: method.expect("checked"), given_on: given_on.expect("checked") })
    }
}
