//! How the API describes a value the domain parses. Inputs arrive as text
//! (so that a bad value reaches the parser and gets a field-level message),
//! and the OpenAPI document must still say what the parser accepts: these
//! schemas are that promise, written beside the parsers that keep it. The
//! input types name them in `#[schema(schema_with = …)]`; the web layer
//! assembles the document from those types. Pure descriptions, no I/O.

use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema};

/// A closed list of codes, as `code_enum!` and the code tables define them.
pub trait Codes {
    fn codes() -> Vec<String>;
}

/// One of the codes.
pub fn code<T: Codes>() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(T::codes())).build()
}

/// One of the codes, or `""` for none (forms send every field).
pub fn code_or_empty<T: Codes>() -> Object {
    let mut all = T::codes();
    all.push(String::new());
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(all)).build()
}

/// A list of the codes.
pub fn code_list<T: Codes>() -> RefOr<Schema> {
    ArrayBuilder::new().items(code::<T>()).build().into()
}

/// A list of one or more of the codes.
pub fn code_list_nonempty<T: Codes>() -> RefOr<Schema> {
    ArrayBuilder::new().items(code::<T>()).min_items(Some(1)).build().into()
}

/// A text that must not be empty or only spaces.
pub fn text() -> Object {
    ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).pattern(Some("\\S")).build()
}

/// A calendar date, YYYY-MM-DD.
pub fn date() -> Object {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).build()
}

/// An optional date: `""` means none.
pub fn date_or_empty() -> RefOr<Schema> {
    let empty = ObjectBuilder::new().schema_type(Type::String).max_length(Some(0));
    RefOr::T(Schema::AnyOf(AnyOfBuilder::new().item(date()).item(empty).build()))
}

/// An id in a path or a body.
pub fn uuid() -> Object {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::Custom("uuid".into()))).build()
}

/// A whole number of 1 or more, written as text (thousands may be spaced: 12 500).
pub fn positive() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^ *[1-9][0-9 ]*$"))
        .description(Some("A whole number of 1 or more (spaces allowed: 12 500)"))
        .build()
}

/// A whole number of 1 or more, or `""` when not counted.
pub fn positive_or_empty() -> Object {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some("^( *[1-9][0-9 ]*)?$")).build()
}

/// ISO 3166-1 alpha-3.
pub fn country() -> Object {
    let mut o = code::<crate::codes::CountryCode>();
    o.description = Some("ISO 3166-1 alpha-3".into());
    o
}

/// ISO 3166-1 alpha-3, or `""` for none.
pub fn country_or_empty() -> Object {
    let mut o = code_or_empty::<crate::codes::CountryCode>();
    o.description = Some("ISO 3166-1 alpha-3, or empty".into());
    o
}

impl Codes for crate::codes::CountryCode {
    fn codes() -> Vec<String> {
        Self::all().map(|c| c.to_string()).collect()
    }
}

/// An id, or `""` for none (a filter left empty).
pub fn uuid_or_empty() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"))
        .build()
}

/// One of a few codes that are not a domain enum of their own (a form's actions).
pub fn one_of(codes: &[&str]) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes.iter().copied())).build()
}

/// A schema the attributes cannot say (a rule across fields, such as "a given
/// or a family name"), written out as JSON Schema.
pub fn from_json(v: serde_json::Value) -> RefOr<Schema> {
    serde_json::from_value(v).expect("a schema written in this crate is valid")
}
