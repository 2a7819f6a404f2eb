//! A small builder for statements whose shape depends on the request
//! (search filters, `IN` lists). It numbers placeholders `$1, $2…`, which
//! both SQLite and PostgreSQL accept, and keeps values out of the SQL text.

use sqlx::any::AnyArguments;
use sqlx::Arguments;

#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    /// A NULL text value.
    Null,
    /// A NULL integer: PostgreSQL wants the type of a NULL to match its column.
    NullInt,
    /// Bytes (a BLOB on SQLite, a BYTEA on PostgreSQL).
    Blob(Vec<u8>),
}

#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(s: &str) -> Self {
        Self { text: s.to_string(), values: Vec::new() }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Append a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        use std::fmt::Write;
        self.values.push(v.into());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.values.len());
        self
    }
    /// Append `(ph, ph, …)` for a non-empty list.
    pub fn bind_list<V: Into<Value>>(&mut self, items: impl IntoIterator<Item = V>) -> &mut Self {
        self.text.push('(');
        for (i, v) in items.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
        let mut args = AnyArguments::default();
        for v in &self.values {
            // Adding a String or i64 to AnyArguments cannot fail.
            let _ = match v {
                Value::Text(s) => args.add(s.clone()),
                Value::Int(i) => args.add(*i),
                Value::Null => args.add(Option::<String>::None),
                Value::NullInt => args.add(Option::<i64>::None),
                Value::Blob(b) => args.add(b.clone()),
            };
        }
        sqlx::query_with(&self.text, args)
    }

    /// The statement and its values, moved rather than copied (for bulk
    /// inserts, where copying every value again showed in the profile).
    pub fn into_parts(self) -> (String, AnyArguments<'static>) {
        let mut args = AnyArguments::default();
        for v in self.values {
            let _ = match v {
                Value::Text(s) => args.add(s),
                Value::Int(i) => args.add(i),
                Value::Null => args.add(Option::<String>::None),
                Value::NullInt => args.add(Option::<i64>::None),
                Value::Blob(b) => args.add(b),
            };
        }
        (self.text, args)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}
