//! Passage's domain layer: the things caseworkers talk about (persons, cases,
//! screenings, assistance, notes, offices, users) as types that can only hold
//! valid values, and the rules between them (status transitions, what makes a
//! case sensitive, how names are folded for search). Nothing here does I/O;
//! every other crate depends on this one and this one on none of them.

/// A closed set of choices with stable snake_case codes: the code is what the
/// database stores, the API exchanges and the Fluent key is built from, so it
/// never changes once shipped.
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(field: &str, s: &str) -> Result<Self, $crate::error::FieldError> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    $crate::error::FieldError::new(field, "err-unknown-choice")
                        .with("value", s.chars().take(30).collect::<String>())
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::schema::Codes for $name {
            fn codes() -> Vec<String> {
                Self::ALL.iter().map(|v| v.as_str().to_string()).collect()
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::schema::code::<$name>().into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

pub mod activity;
pub mod assistance;
pub mod audit;
pub mod budget;
pub mod case;
pub mod codes;
pub mod date;
pub mod disclosure;
pub mod error;
pub mod flow;
pub mod hotline;
pub mod ids;
pub mod incident;
pub mod indicator;
pub mod journey;
pub mod linkage;
pub mod linkage_encoding;
pub mod movement;
pub mod names;
pub mod next_action;
pub mod note;
pub mod office;
pub mod person;
pub mod policy;
pub mod queue;
pub mod random;
pub mod referral;
pub mod reintegration;
pub mod schema;
pub mod screening;
pub mod sms;
pub mod sustainability;
pub mod text;
pub mod totp;
pub mod user;

pub use error::{FieldError, Invalid};
