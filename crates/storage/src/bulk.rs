//! Bulk loading for synthetic data and imports: many rows per statement,
//! sized to stay under both engines' limits on bound parameters (SQLite
//! 32,766; PostgreSQL 65,535).

use crate::sql::{Sql, Value};
use crate::Result;
use sqlx::AnyConnection;

const MAX_PARAMS: usize = 200;
/// The most parameters per statement on SQLite (see `insert_rows_sized`).
const SQLITE_PARAMS: usize = 240;

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
    // sqlx binds each SQLite parameter by looking its name up among all the
    // statement's parameters: the cost grows with the square of their
    // number, so SQLite statements stay small (measured: 2,000 parameters
    // spent a third of an import's time in sqlite3_bind_parameter_name).
    let max_params = if c.backend_name() == "SQLite" { max_params.min(SQLITE_PARAMS) } else { max_params };
    let per_stmt = (max_params / columns.len()).max(1);
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let mut q = Sql::new(&head);
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
        let (text, args) = q.into_parts();
        sqlx::query_with(&text, args).execute(&mut *c).await?;
    }
    Ok(())
}
