//! The HTTP benchmark's ceiling: bare axum and sqlx's native SQLite driver
//! answering a primary-key lookup of a case as JSON, with none of Passage's
//! sessions, scope checks or joins. Usage: ceiling DATABASE_FILE PORT

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;

async fn case(State(pool): State<SqlitePool>, Path(id): Path<String>) -> Json<serde_json::Value> {
    let row = sqlx::query("SELECT id, reference, status FROM cases WHERE id = ?").bind(id).fetch_optional(&pool).await.ok().flatten();
    Json(match row {
        Some(r) => {
            serde_json::json!({"id": r.get::<String, _>(0), "reference": r.get::<String, _>(1), "status": r.get::<String, _>(2)})
        }
        None => serde_json::Value::Null,
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (db, port) = (args.get(1).expect("database file"), args.get(2).expect("port"));
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{db}")).unwrap().read_only(true);
    // Readers: CEILING_READERS, default 8 (sqlx's usual); the bench runs it with 4 and 8.
    let readers = std::env::var("CEILING_READERS").ok().and_then(|v| v.parse().ok()).unwrap_or(8);
    let pool = SqlitePoolOptions::new().max_connections(readers).connect_with(opts).await.unwrap();
    let app = Router::new().route("/cases/{id}", get(case)).with_state(pool);
    let l = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await.unwrap();
    axum::serve(l, app).await.unwrap();
}
