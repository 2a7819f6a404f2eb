//! Connecting and migrating. SQLite gets WAL, foreign keys and a busy
//! timeout on every connection, and a separate one-connection pool for
//! writes: SQLite allows one writer at a time, so queueing writers in the
//! pool is cheaper and more predictable than retrying on SQLITE_BUSY.

use crate::{Result, StorageError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    /// A PostgreSQL replica for reads that may lag (`--read-database-url`).
    replica: Option<AnyPool>,
    pub backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Turn what a user typed (`./passage.db`, `sqlite:x.db`, `postgres://…`)
/// into a URL sqlx understands.
pub fn normalise_url(url: &str) -> Result<(Backend, String)> {
    let u = url.trim();
    if u.starts_with("postgres://") || u.starts_with("postgresql://") {
        return Ok((Backend::Postgres, u.to_string()));
    }
    let path = if let Some(rest) = u.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = u.strip_prefix("sqlite:") {
        rest
    } else if u.contains("://") || u.is_empty() {
        return Err(StorageError::BadUrl(u.to_string()));
    } else {
        u
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let query = if query.is_empty() { "mode=rwc".to_string() } else { query.to_string() };
    Ok((Backend::Sqlite, format!("sqlite://{path}?{query}")))
}

impl Db {
    /// A page of one sealed column's values, by id, after `after`: for
    /// re-sealing under a new key (`passage keys rotate`).
    pub async fn sealed_page(&self, table: &str, column: &str, after: &str, limit: i64) -> Result<Vec<(String, String)>> {
        let q = format!("SELECT id, {column} AS v FROM {table} WHERE id > $1 AND {column} IS NOT NULL ORDER BY id LIMIT $2");
        let mut c = self.read.acquire().await?;
        let rows = sqlx::query(&q).bind(after).bind(limit).fetch_all(&mut *c).await?;
        rows.iter().map(|r| Ok((crate::records::text(r, "id")?, crate::records::text(r, "v")?))).collect()
    }

    /// How many tables the database has in its public schema (0: empty, a restore may go there).
    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.write).await?;
        Ok(())
    }

    pub async fn table_count(&self) -> Result<i64> {
        let q = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'",
            Backend::Postgres => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        };
        let mut c = self.read.acquire().await?;
        let r = sqlx::query(q).fetch_one(&mut *c).await?;
        crate::records::int(&r, "n")
    }

    /// Whether any row holds a sealed value, so that a missing key file is
    /// not silently replaced by a new key that cannot open them.
    pub async fn holds_sealed_values(&self) -> Result<bool> {
        let mut c = self.read.acquire().await?;
        for (table, column) in crate::sealed::SEALED_COLUMNS {
            let q = format!("SELECT 1 AS x FROM {table} WHERE {column} LIKE 'sealed:%' LIMIT 1");
            if sqlx::query(&q).fetch_optional(&mut *c).await?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, None).await
    }

    /// Connect, with how long a request may wait for a connection before it
    /// is answered "unavailable". On PostgreSQL the default is 5 s: a
    /// database that is down should not hold requests for the pool's usual
    /// 30 s. On SQLite the default stays 30 s: there the wait is for the one
    /// writer (a large import), not for a server that went away.
    pub async fn connect_with(url: &str, acquire_timeout: Option<Duration>) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise_url(url)?;
        // A primary and its replicas: connect to the one that takes writes.
        let hosts = crate::failover::split_hosts(&url);
        let primary = if backend == Backend::Postgres && hosts.len() > 1 { crate::failover::primary(&hosts).await } else { 0 };
        let url = if backend == Backend::Postgres { hosts[primary].clone() } else { url };
        let opts = AnyConnectOptions::from_str(&url)?;
        let db = match backend {
            Backend::Sqlite => {
                // A locked database (another process writing: a backup, an
                // import run from the command line) is waited on for as long as
                // a request may wait for its connection, then answered 503.
                let busy_ms = acquire_timeout.unwrap_or(Duration::from_secs(10)).as_millis().clamp(100, 600_000) as u64;
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        .acquire_timeout(acquire_timeout.unwrap_or(Duration::from_secs(30)))
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    format!(
                                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms}; \
                                         PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
                                         PRAGMA mmap_size = 2147418112"
                                    )
                                    .as_str(),
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                let write = pool(1).connect_with(opts.clone()).await?;
                // Each SQLite connection is a worker thread; more of them than
                // twice the cores only adds thread switches (measured on 2 cores:
                // 4 readers 16–18k reads/s, 8 readers 15k, 2 readers 13k).
                let cores = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(2);
                let read = pool((2 * cores).max(4)).connect_with(opts).await?;
                Db { read, write, replica: None, backend }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(acquire_timeout.unwrap_or(Duration::from_secs(5)))
                    .connect_with(opts)
                    .await?;
                if hosts.len() > 1 {
                    crate::failover::follow(pool.clone(), hosts, primary);
                }
                Db { read: pool.clone(), write: pool, replica: None, backend }
            }
        };
        Ok(db)
    }

    pub async fn migrate(&self) -> Result<()> {
        let m = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.run(&self.write).await?;
        if self.backend == Backend::Sqlite {
            // Without statistics SQLite's planner may pick the office index for
            // "cases of this person in these offices" and scan a million rows.
            // `optimize` analyses only what needs it; the limit keeps it quick.
            sqlx::query("PRAGMA analysis_limit = 1000").execute(&self.write).await?;
            sqlx::query("PRAGMA optimize = 0x10002").execute(&self.write).await?;
        }
        Ok(())
    }

    /// Refresh the planner's statistics after a bulk load.
    pub async fn analyze(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA analysis_limit = 1000").execute(&self.write).await?;
        }
        sqlx::query("ANALYZE").execute(&self.write).await?;
        Ok(())
    }

    /// Send the reads that may lag a moment (figures, exports, search) to a
    /// PostgreSQL replica. It is checked to answer, and to be PostgreSQL.
    pub async fn attach_replica(&mut self, url: &str, acquire_timeout: Option<Duration>) -> Result<()> {
        let (backend, _) = normalise_url(url)?;
        if backend != Backend::Postgres || self.backend != Backend::Postgres {
            return Err(StorageError::BadUrl(format!("{url} (a read replica is a PostgreSQL database, beside a PostgreSQL primary)")));
        }
        let replica = Db::connect_with(url, acquire_timeout).await?;
        sqlx::query("SELECT 1").execute(&replica.read).await?;
        self.replica = Some(replica.read);
        Ok(())
    }

    /// The pool for reads that may lag the last write by a moment: the replica
    /// when there is one, else the same pool as [`Db::reader`].
    pub fn replica(&self) -> &AnyPool {
        self.replica.as_ref().unwrap_or(&self.read)
    }

    /// The pool for reads. On SQLite, WAL lets these run beside a writer.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Start a write transaction. Everything that belongs together is written in one.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.write.begin().await?)
    }

    /// Start a write transaction for a bulk load (synthetic data, imports).
    /// On SQLite the writer's page cache grows to 1 GiB for it: inserts into
    /// the search-key index land all over the tree, and a cache that holds
    /// the index turns each into a memory write instead of a page read.
    pub async fn begin_bulk(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.write.begin().await?;
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -1048576").execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// Give back the memory taken by [`Db::begin_bulk`].
    pub async fn end_bulk(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -65536").execute(&self.write).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        assert_eq!(normalise_url("./passage.db").unwrap(), (Backend::Sqlite, "sqlite://./passage.db?mode=rwc".into()));
        assert_eq!(normalise_url("sqlite:x.db").unwrap().1, "sqlite://x.db?mode=rwc");
        assert_eq!(normalise_url("postgres://u@h/db").unwrap().0, Backend::Postgres);
        assert!(normalise_url("mysql://x").is_err());
        assert!(normalise_url("").is_err());
    }
}
