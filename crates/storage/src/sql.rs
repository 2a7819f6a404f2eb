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
    /// Placeholders written `?` instead of `$n` (see `anonymous`).
    anonymous: bool,
}

impl Sql {
    pub fn new(s: &str) -> Self {
        Self { text: s.to_string(), values: Vec::new(), anonymous: false }
    }
    /// Write placeholders as `?`, bound in order: only for statements that
    /// use each value once, in the order bound (multi-row inserts), and only
    /// on SQLite. sqlx binds a numbered SQLite parameter by asking SQLite its
    /// name, a linear scan of all the statement's names, so numbered
    /// placeholders cost the square of their number; anonymous ones have no
    /// name to scan.
    pub fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Append a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        use std::fmt::Write;
        self.values.push(v.into());
        if self.anonymous {
            self.text.push('?');
        } else {
            // Writing to a String cannot fail.
            let _ = write!(self.text, "${}", self.values.len());
        }
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
        sqlx::query_with(&self.text, self.arguments())
    }

    /// The values, borrowed: sqlx's `Any` copies an owned `String` it is
    /// given (a copy of every value of a bulk insert showed in the profile),
    /// a `&str` it does not.
    fn arguments(&self) -> AnyArguments<'_> {
        let mut args = AnyArguments::default();
        for v in &self.values {
            // Adding a text, integer or bytes to AnyArguments cannot fail.
            let _ = match v {
                Value::Text(s) => args.add(s.as_str()),
                Value::Int(i) => args.add(*i),
                Value::Null => args.add(Option::<&str>::None),
                Value::NullInt => args.add(Option::<i64>::None),
                Value::Blob(b) => args.add(b.as_slice()),
            };
        }
        args
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
