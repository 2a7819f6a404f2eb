//! The SQLite and PostgreSQL migration sets describe the same schema: same
//! tables, same columns in the same order, same nullability.

mod common;
use common::*;
use passage_storage::{Backend as DbBackend, Db};
use sqlx::Row;

type Columns = Vec<(String, String, bool)>;

async fn schema(backend: Backend) -> Columns {
    let url = fresh_database(backend, "schema").await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let mut out = Vec::new();
    let mut c = db.reader().acquire().await.unwrap();
    match db.backend {
        DbBackend::Sqlite => {
            let tables = sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
            )
            .fetch_all(&mut *c)
            .await
            .unwrap();
            for t in tables {
                let name: String = t.get(0);
                let cols = sqlx::query(&format!("SELECT name, \"notnull\" AS nn, pk FROM pragma_table_info('{name}') ORDER BY cid"))
                    .fetch_all(&mut *c)
                    .await
                    .unwrap();
                for col in cols {
                    // SQLite lets primary-key text columns be NULL unless declared otherwise; both sets declare ids as PRIMARY KEY.
                    let not_null = col.get::<i64, _>(1) == 1 || col.get::<i64, _>(2) > 0;
                    out.push((name.clone(), col.get::<String, _>(0), not_null));
                }
            }
        }
        DbBackend::Postgres => {
            let cols = sqlx::query(
                "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE '_sqlx%' ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(&mut *c)
            .await
            .unwrap();
            for col in cols {
                out.push((col.get::<String, _>(0), col.get::<String, _>(1), col.get::<String, _>(2) == "NO"));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_are_in_lockstep() {
    let lite = schema(Backend::Sqlite).await;
    let pg = schema(Backend::Postgres).await;
    assert!(lite.len() > 50, "only {} columns", lite.len());
    assert_eq!(lite, pg);
    // Migration file names match one for one.
    let names = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!("{}/../storage/migrations/{d}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}
