//! Operating duties on the data as a whole: rotating the data key that
//! seals secrets at rest, and consistent backups with a tested way back.
//!
//! Rotation is crash-safe by order: the key file first gains the new key in
//! front of the old ones (so every value stays readable whatever happens),
//! then every sealed value is re-sealed under the new key in batches, and
//! only then are the old keys dropped from the file. Run again after a
//! crash, it finishes the work.

use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_storage::sealed::{write_private, Keyring, SEALED_COLUMNS};
use passage_storage::Backend;
use std::path::Path;

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub old_keys: Vec<String>,
    pub new_key: String,
    /// Values re-sealed, per `table.column`.
    pub resealed: Vec<(String, u64)>,
}

const BATCH: i64 = 2000;

impl Passage {
    /// Re-seal every secret under a new key written to `key_file`.
    pub async fn rotate_keys(&self, key_file: &Path, mut progress: impl FnMut(u64)) -> ServiceResult<Rotation> {
        let old = Keyring::load(key_file).map_err(|e| ServiceError::Operation(e.to_string()))?;
        let text =
            std::fs::read_to_string(key_file).map_err(|e| ServiceError::Operation(format!("cannot read {}: {e}", key_file.display())))?;
        let (ring, line) = old.with_new_key();
        let header = "# Passage data key file. The first key seals; the others only open (until `passage keys rotate` ends).\n";
        let body: String =
            text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
        write_private(key_file, &format!("{header}{line}\n{body}"), true).map_err(|e| ServiceError::Operation(e.to_string()))?;
        let mut resealed = Vec::new();
        let mut done = 0u64;
        for (table, column) in SEALED_COLUMNS {
            let mut after = String::new();
            let mut n = 0u64;
            loop {
                let page = self.db.sealed_page(table, column, &after, BATCH).await?;
                let Some((last, _)) = page.last() else { break };
                after = last.clone();
                let mut tx = self.db.begin().await?;
                for (id, stored) in &page {
                    if ring.is_current(stored) {
                        continue;
                    }
                    let place = format!("{table}.{column}:{id}");
                    let plain = ring.open(&place, stored).map_err(passage_storage::StorageError::from)?;
                    passage_storage::users::reseal(&mut tx, table, column, id, &ring.seal(&place, &plain)).await?;
                    n += 1;
                }
                tx.commit().await?;
                done += page.len() as u64;
                progress(done);
            }
            resealed.push((format!("{table}.{column}"), n));
        }
        // Second-factor enrolments in progress were sealed with the old key: they start again.
        let mut tx = self.db.begin().await?;
        passage_storage::users::delete_all_challenges(&mut tx).await?;
        let changes = serde_json::json!({"key": [old.current_id(), ring.current_id()]});
        audit::record(&mut tx, None, "keys.rotate", String::new(), None, changes).await?;
        tx.commit().await?;
        write_private(key_file, &format!("# Passage data key file. The first key seals; the others only open.\n{line}\n"), true)
            .map_err(|e| ServiceError::Operation(e.to_string()))?;
        Ok(Rotation { old_keys: old.ids(), new_key: ring.current_id().to_string(), resealed })
    }

    /// A consistent snapshot of the database, taken while it serves:
    /// SQLite's `VACUUM INTO` (one read transaction, so one point in time),
    /// or `pg_dump` in its custom format for PostgreSQL. The data key is
    /// not in the backup, by design: keep it apart.
    pub async fn backup(&self, database_url: &str, out: &Path) -> ServiceResult<()> {
        if out.exists() {
            return Err(ServiceError::Operation(format!("{} exists already; choose a new file name", out.display())));
        }
        match self.db.backend {
            Backend::Sqlite => {
                let mut c = self.db.reader().acquire().await?;
                sqlx::query("VACUUM INTO $1").bind(out.display().to_string()).execute(&mut *c).await?;
                owner_only(out)
            }
            Backend::Postgres => {
                let (url, password) = split_password(database_url);
                let mut cmd = tokio::process::Command::new("pg_dump");
                if let Some(p) = password {
                    cmd.env("PGPASSWORD", p);
                }
                let status = cmd
                    .args(["--format=custom", "--no-owner", "--file"])
                    .arg(out)
                    .arg(&url)
                    .status()
                    .await
                    .map_err(|e| ServiceError::Operation(format!("cannot run pg_dump (is the PostgreSQL client installed?): {e}")))?;
                if !status.success() {
                    let _ = std::fs::remove_file(out);
                    return Err(ServiceError::Operation(format!("pg_dump failed ({status})")));
                }
                owner_only(out)
            }
        }
    }
}

/// Restore a backup made by [`Passage::backup`] into an empty database (a
/// new SQLite file, or a PostgreSQL database with no tables). Refuses to
/// overwrite: restoring over live data is a decision for a person, made by
/// removing it first.
pub async fn restore(database_url: &str, backup: &Path) -> ServiceResult<()> {
    if !backup.is_file() {
        return Err(ServiceError::Operation(format!("no backup file at {}", backup.display())));
    }
    let (backend, _) = passage_storage::db::normalise_url(database_url)?;
    match backend {
        Backend::Sqlite => {
            let path = sqlite_path(database_url);
            if Path::new(&path).exists() {
                return Err(ServiceError::Operation(format!("{path} exists already: restore into a new file (or move it away first)")));
            }
            let head = std::fs::read(backup).map_err(|e| ServiceError::Operation(format!("cannot read {}: {e}", backup.display())))?;
            if !head.starts_with(b"SQLite format 3\0") {
                return Err(ServiceError::Operation(format!("{} is not an SQLite backup", backup.display())));
            }
            // Copy to a temporary name first: a crash never leaves a half-restored database under the real name.
            let tmp = format!("{path}.restoring");
            std::fs::copy(backup, &tmp).map_err(|e| ServiceError::Operation(format!("cannot write {tmp}: {e}")))?;
            owner_only(Path::new(&tmp))?;
            std::fs::rename(&tmp, &path).map_err(|e| ServiceError::Operation(format!("cannot write {path}: {e}")))?;
            Ok(())
        }
        Backend::Postgres => {
            let db = passage_storage::Db::connect(database_url).await?;
            let tables = db.table_count().await?;
            db.close().await;
            if tables > 0 {
                return Err(ServiceError::Operation("the target database has tables already: restore into an empty database".into()));
            }
            let (url, password) = split_password(database_url);
            let mut cmd = tokio::process::Command::new("pg_restore");
            if let Some(p) = password {
                cmd.env("PGPASSWORD", p);
            }
            let out = cmd
                .args(["--no-owner", "--exit-on-error", "--single-transaction", "--dbname"])
                .arg(&url)
                .arg(backup)
                .output()
                .await
                .map_err(|e| ServiceError::Operation(format!("cannot run pg_restore (is the PostgreSQL client installed?): {e}")))?;
            if !out.status.success() {
                return Err(ServiceError::Operation(format!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
            }
            Ok(())
        }
    }
}

fn sqlite_path(url: &str) -> String {
    let u = url.trim();
    let p = u.strip_prefix("sqlite://").or_else(|| u.strip_prefix("sqlite:")).unwrap_or(u);
    p.split('?').next().unwrap_or(p).to_string()
}

/// A backup holds every name in clear: only its owner may read it.
fn owner_only(path: &Path) -> ServiceResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| ServiceError::Operation(format!("cannot restrict {}: {e}", path.display())))?;
    }
    Ok(())
}

/// A PostgreSQL URL without its password, and the password: the password
/// goes to `pg_dump`/`pg_restore` in their environment, not on a command
/// line every local user can read in the process list.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_string(), None) };
    let Some((userinfo, host)) = rest.split_once('@') else { return (url.to_string(), None) };
    match userinfo.split_once(':') {
        Some((user, pw)) => (format!("{scheme}://{user}@{host}"), Some(percent_decode(pw))),
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(super::split_password("postgres://p:s%40cret@db:5432/x"), ("postgres://p@db:5432/x".into(), Some("s@cret".into())));
        assert_eq!(super::split_password("postgres://p@db/x"), ("postgres://p@db/x".into(), None));
    }
}
