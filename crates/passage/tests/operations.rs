//! An operator's duties, as processes on real databases: backup and
//! restore round trips, data key rotation, and refusing what would lose data.

mod common;
use common::*;
use sqlx::{AnyConnection, Connection, Row};

fn out(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn count(url: &str, table: &str) -> i64 {
    let mut c = AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let n = sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut c).await.unwrap().get(0);
    c.close().await.unwrap();
    n
}

async fn a_backup_restores_to_the_moment_it_was_taken(backend: Backend) {
    let db = fresh_database(backend, "backup").await;
    let o = run(&["generate", "--demo-users", "--persons", "40", "--seed", "3", "--database-url", &db], None);
    assert!(o.status.success(), "{}", out(&o));
    let persons = count(&db, "persons").await;
    let entries = count(&db, "audit_log").await;
    let dir = tmpdir("backup");
    let file = dir.join("passage.backup");
    let file_s = file.display().to_string();
    let o = run(&["backup", "--database-url", &db, &file_s], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("the data key file is not in the backup"));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "a backup holds every name: owner-only, not {mode:o}");
    }
    // Refuses to overwrite a backup.
    let o = run(&["backup", "--database-url", &db, &file_s], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("exists already"), "{}", out(&o));
    // Work after the backup is not in it.
    let o = run(&["generate", "--demo-users", "--persons", "10", "--seed", "4", "--database-url", &db], None);
    assert!(o.status.success());
    assert!(count(&db, "persons").await > persons);

    let target = fresh_database(backend, "restored").await;
    // The restored database uses the original's data key (beside the SQLite file, or the test's PostgreSQL key).
    let key = match backend {
        Backend::Sqlite => format!("{db}.key"),
        Backend::Postgres => pg_key_file().display().to_string(),
    };
    let o = run(&["restore", "--database-url", &target, "--data-key-file", &key, &file_s], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("audit trail intact"), "{}", out(&o));
    assert_eq!(count(&target, "persons").await, persons);
    assert_eq!(count(&target, "audit_log").await, entries);
    let o = run(&["check", "--database-url", &target, "--data-key-file", &key], None);
    assert!(o.status.success(), "the restored notes open with the key: {}", out(&o));
    // Restoring over data is refused, and leaves it as it was.
    let o = run(&["restore", "--database-url", &db, "--data-key-file", &key, &file_s], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(count(&db, "persons").await > persons);
    // Not a backup.
    let junk = dir.join("junk.backup");
    std::fs::write(&junk, "not a backup").unwrap();
    let fresh = fresh_database(backend, "junk").await;
    let o = run(&["restore", "--database-url", &fresh, "--data-key-file", &key, &junk.display().to_string()], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    // Without the key, the restored secrets are useless: `check` says so.
    if let Backend::Sqlite = backend {
        let other_key = dir.join("other.key");
        let o = run(&["check", "--database-url", &target, "--data-key-file", &other_key.display().to_string()], None);
        assert_eq!(o.status.code(), Some(2), "a new key beside sealed data must be refused: {}", out(&o));
        assert!(out(&o).contains("holds values sealed with a key"), "{}", out(&o));
    }
}

async fn rotating_the_data_key_reseals_everything(backend: Backend) {
    let db = fresh_database(backend, "rotate").await;
    let o = run(&["generate", "--demo-users", "--persons", "60", "--seed", "5", "--database-url", &db], None);
    assert!(o.status.success(), "{}", out(&o));
    let key = match backend {
        Backend::Sqlite => format!("{db}.key"),
        // Rotation rewrites the key file: give this database a key of its own.
        Backend::Postgres => {
            let k = tmpdir("rotate-key").join("data.key");
            std::fs::copy(pg_key_file(), &k).unwrap();
            k.display().to_string()
        }
    };
    let before: Vec<String> = {
        let mut c = AnyConnection::connect(&sqlx_url(&db)).await.unwrap();
        sqlx::query("SELECT body FROM case_notes ORDER BY id").fetch_all(&mut c).await.unwrap().iter().map(|r| r.get(0)).collect()
    };
    assert!(!before.is_empty());
    let old_kid = before[0].split(':').nth(2).unwrap().to_string();
    let old_key = tmpdir("old-key").join("old.key");
    std::fs::copy(&key, &old_key).unwrap();
    let o = run(&["keys", "rotate", "--database-url", &db, "--data-key-file", &key], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains(&format!("case_notes.body              {}", before.len())), "{}", out(&o));
    let after: Vec<String> = {
        let mut c = AnyConnection::connect(&sqlx_url(&db)).await.unwrap();
        sqlx::query("SELECT body FROM case_notes ORDER BY id").fetch_all(&mut c).await.unwrap().iter().map(|r| r.get(0)).collect()
    };
    assert!(after.iter().all(|v| v.starts_with("sealed:v1:") && !v.contains(&format!(":{old_kid}:"))));
    let lines = std::fs::read_to_string(&key).unwrap();
    assert_eq!(lines.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count(), 1, "only the new key is left");
    let o = run(&["check", "--database-url", &db, "--data-key-file", &key], None);
    assert!(o.status.success(), "every value opens with the new key: {}", out(&o));
    let o = run(&["audit", "verify", "--database-url", &db, "--data-key-file", &key], None);
    assert!(o.status.success(), "{}", out(&o));
    // The old key alone no longer opens anything.
    let o = run(&["check", "--database-url", &db, "--data-key-file", &old_key.display().to_string()], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("case_notes.body:") && out(&o).contains("do not open"), "{}", out(&o));
}

both_backends!(a_backup_restores_to_the_moment_it_was_taken, rotating_the_data_key_reseals_everything);
