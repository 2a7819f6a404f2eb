//! Bulk loading for synthetic data and imports: many rows per statement,
//! sized to stay under both engines' limits on bound parameters (SQLite
//! 32,766; PostgreSQL 65,535).

use crate::sql::{Sql, Value};
use crate::Result;
use sqlx::AnyConnection;

const MAX_PARAMS: usize = 2_000;

/// Insert `rows` (each with one value per column) into `table`.
pub async fn insert_rows(c: &mut AnyConnection, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> Result<()> {
    insert_rows_sized(c, table, columns, rows, MAX_PARAMS).await
}

/// The same, with up to `max_params` bound values per statement.
pub async fn insert_rows_sized(
    c: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    max_params: usize,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // Numbered SQLite placeholders cost the square of their number to bind
    // (measured: 2,000 of them spent a third of an import's time in
    // sqlite3_bind_parameter_name), anonymous ones do not (`Sql::anonymous`).
    let anonymous = c.backend_name() == "SQLite";
    let per_stmt = (max_params / columns.len()).max(1);
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let mut q = if anonymous { Sql::new(&head).anonymous() } else { Sql::new(&head) };
        for (i, row) in it.by_ref().take(per_stmt).enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            q.push(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    q.push(", ");
                }
                q.bind(v);
            }
            q.push(")");
        }
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}
