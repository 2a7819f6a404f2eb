//! Codes from the field's standards: ISO 3166-1 alpha-3 for countries and
//! nationalities, ISO 639-3 for languages, ISO 4217 for currencies. The
//! tables ship inside the binary (`data/*.csv`) so a code is checked against
//! the standard, not just its shape, and each has its name in English,
//! French and Arabic for the forms.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// A name of a coded thing in the three working languages that have tables.
#[derive(Debug, Clone)]
pub struct Names {
    pub en: String,
    pub fr: String,
    pub ar: String,
}

impl Names {
    /// The name in `lang` (a BCP 47 primary subtag), English otherwise.
    pub fn in_lang(&self, lang: &str) -> &str {
        match lang {
            "fr" => &self.fr,
            "ar" => &self.ar,
            _ => &self.en,
        }
    }
}

struct Table {
    order: Vec<String>,
    names: HashMap<String, Names>,
}

/// Parse one of the shipped tables. They are tiny and fixed, so a minimal
/// RFC 4180 reader (quoted fields, doubled quotes) is enough here.
fn load(src: &'static str) -> Table {
    let mut order = Vec::new();
    let mut names = HashMap::new();
    for line in src.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f = split_csv_line(line);
        assert!(f.len() == 4, "bad shipped code table line: {line}");
        let code = f[0].clone();
        order.push(code.clone());
        names.insert(code, Names { en: f[1].clone(), fr: f[2].clone(), ar: f[3].clone() });
    }
    Table { order, names }
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn countries() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| load(include_str!("../data/countries.csv")))
}

fn languages() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| load(include_str!("../data/languages.csv")))
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $table:ident, $upper:expr, $err:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 3]);

        impl $name {
            pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
                let s = s.trim();
                let norm = if $upper { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() };
                if norm.len() == 3 && $table().names.contains_key(&norm) {
                    let b = norm.as_bytes();
                    Ok(Self([b[0], b[1], b[2]]))
                } else {
                    Err(FieldError::new(field, $err).with("value", s.chars().take(20).collect::<String>()))
                }
            }
            pub fn as_str(&self) -> &str {
                // Only ASCII letters from the table ever get in.
                std::str::from_utf8(&self.0).unwrap_or("???")
            }
            pub fn names(&self) -> &'static Names {
                &$table().names[self.as_str()]
            }
            /// Every code in the table, in the table's order.
            pub fn all() -> impl Iterator<Item = Self> {
                $table().order.iter().map(|c| {
                    let b = c.as_bytes();
                    Self([b[0], b[1], b[2]])
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse("", &s).map_err(|_| serde::de::Error::custom(format!(concat!("unknown ", stringify!($name), " {:?}"), s)))
            }
        }
    };
}

code_type!(
    /// ISO 3166-1 alpha-3 country code, e.g. `NER`, `GIN`, `LBY`.
    CountryCode,
    countries,
    true,
    "err-unknown-country"
);
impl CountryCode {
    /// The two-letter ISO 3166-1 code, for standards that use it (IATI).
    pub fn alpha2(&self) -> &'static str {
        static ALPHA2: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        let map = ALPHA2.get_or_init(|| {
            include_str!("../data/country_alpha2.csv")
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .filter_map(|l| l.split_once(','))
                .collect()
        });
        map.get(self.as_str()).copied().unwrap_or("")
    }

    /// The country an English or French name designates, as documents print
    /// it: "Côte d’Ivoire", "COTE D'IVOIRE", "The Gambia", "Gambie".
    pub fn from_name(name: &str) -> Option<CountryCode> {
        static BY_NAME: OnceLock<HashMap<String, CountryCode>> = OnceLock::new();
        let key = |s: &str| {
            let words = crate::names::fold_words(s);
            let skip = usize::from(words.first().is_some_and(|w| w == "the"));
            words[skip..].concat()
        };
        let map = BY_NAME.get_or_init(|| {
            let mut m = HashMap::new();
            for c in CountryCode::all() {
                m.insert(key(&c.names().fr), c);
                m.insert(key(&c.names().en), c);
            }
            m
        });
        map.get(&key(name)).copied()
    }
}

code_type!(
    /// ISO 639-3 language code, e.g. `fra`, `bam`, `ful`.
    LanguageCode,
    languages,
    false,
    "err-unknown-language"
);

/// ISO 4217 currency codes seen in the programme countries and by donors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Usd,
    Eur,
    Gbp,
    /// CFA franc (BCEAO): Niger, Mali, Burkina Faso, Senegal, Côte d'Ivoire…
    Xof,
    /// CFA franc (BEAC): Cameroon, Chad…
    Xaf,
    Gnf,
    Gmd,
    Lyd,
    Dzd,
    Mad,
    Ngn,
    Ghs,
    Sll,
    Lrd,
    Mru,
    Cve,
}

impl Currency {
    pub const ALL: [Currency; 16] = [
        Self::Usd,
        Self::Eur,
        Self::Gbp,
        Self::Xof,
        Self::Xaf,
        Self::Gnf,
        Self::Gmd,
        Self::Lyd,
        Self::Dzd,
        Self::Mad,
        Self::Ngn,
        Self::Ghs,
        Self::Sll,
        Self::Lrd,
        Self::Mru,
        Self::Cve,
    ];
    pub fn code(&self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
            Self::Xof => "XOF",
            Self::Xaf => "XAF",
            Self::Gnf => "GNF",
            Self::Gmd => "GMD",
            Self::Lyd => "LYD",
            Self::Dzd => "DZD",
            Self::Mad => "MAD",
            Self::Ngn => "NGN",
            Self::Ghs => "GHS",
            Self::Sll => "SLL",
            Self::Lrd => "LRD",
            Self::Mru => "MRU",
            Self::Cve => "CVE",
        }
    }
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let u = s.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|c| c.code() == u)
            .ok_or_else(|| FieldError::new(field, "err-unknown-currency").with("value", s.chars().take(10).collect::<String>()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_parse_case_insensitively_and_reject_unknown() {
        assert_eq!(CountryCode::parse("n", "ner").unwrap().as_str(), "NER");
        assert_eq!(CountryCode::parse("n", "GIN").unwrap().names().fr, "Guinée");
        assert!(CountryCode::parse("n", "XXX").is_err());
        assert!(CountryCode::parse("n", "NE").is_err());
        assert!(CountryCode::parse("n", "NIGER").is_err());
        assert_eq!(CountryCode::all().count(), 249);
    }

    #[test]
    fn every_country_has_its_two_letter_code() {
        assert_eq!(CountryCode::parse("c", "NER").unwrap().alpha2(), "NE");
        assert_eq!(CountryCode::parse("c", "GIN").unwrap().alpha2(), "GN");
        assert!(CountryCode::all().all(|c| c.alpha2().len() == 2), "a country without its alpha-2 code");
    }

    #[test]
    fn countries_by_name_as_documents_print_them() {
        let code = |n: &str| CountryCode::from_name(n).map(|c| c.as_str().to_string());
        assert_eq!(code("Côte d’Ivoire").as_deref(), Some("CIV"));
        assert_eq!(code("COTE D'IVOIRE").as_deref(), Some("CIV"));
        assert_eq!(code("The Gambia").as_deref(), Some("GMB"));
        assert_eq!(code("Gambie").as_deref(), Some("GMB"));
        assert_eq!(code("Niger").as_deref(), Some("NER"));
        assert_eq!(code("Guinea-Bissau").as_deref(), Some("GNB"));
        assert_eq!(code("Regional Office Dakar"), None);
    }

    #[test]
    fn languages_parse() {
        assert_eq!(LanguageCode::parse("l", "BAM").unwrap().as_str(), "bam");
        assert!(LanguageCode::parse("l", "zz").is_err());
    }

    #[test]
    fn csv_line_handles_quotes() {
        assert_eq!(split_csv_line(r#"a,"b, c","d ""e""",f"#), vec!["a", "b, c", "d \"e\"", "f"]);
    }
}
