//! Case notes: the caseworker's free text. Long, multiline, and sensitive —
//! the storage layer treats note bodies as secrets to keep out of logs.

use crate::error::Invalid;
use crate::text;
use serde::Deserialize;

pub const NOTE_MAX: usize = 10_000;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Note)]
pub struct NoteInput {
    #[schema(schema_with = crate::schema::text, required = true)]
    pub body: String,
}

impl NoteInput {
    pub fn parse(&self) -> Result<String, Invalid> {
        Ok(text::required("body", &self.body, NOTE_MAX, true)?)
    }
}
