//! The `passage` command as a process: help, flags, exit codes, messages.

mod common;
use common::*;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_documents_every_command_and_flag() {
    let o = run(&["--help"], None);
    assert!(o.status.success());
    for cmd in ["serve", "demo", "generate", "user", "migrate", "check"] {
        assert!(stdout(&o).contains(cmd), "--help lacks {cmd}");
    }
    let o = run(&["serve", "--help"], None);
    for flag in ["--bind", "--database-url", "PASSAGE_DATABASE_URL", "PASSAGE_BIND", "--config"] {
        assert!(stdout(&o).contains(flag), "serve --help lacks {flag}");
    }
}

/// docs/permissions.md is the policy's own rendering; a change to the
/// policy without regenerating it (`passage permissions > docs/permissions.md`) fails here.
#[test]
fn the_permissions_document_is_the_policy() {
    let o = run(&["permissions"], None);
    assert!(o.status.success());
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md")).expect("docs/permissions.md");
    assert_eq!(doc, stdout(&o), "docs/permissions.md is stale: run `passage permissions > docs/permissions.md`");
    assert!(doc.contains("| `read_restricted` |"));
}

#[test]
fn bad_flags_and_urls_fail_clearly() {
    let o =
        run(&["generate", "--demo-users", "--persons", "0", "--database-url", &tmpdir("zero").join("x.db").display().to_string()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--persons must be at least 1"), "{}", stderr(&o));
    let o = run(&["generate", "--persons", "5", "--database-url", &tmpdir("nodemo").join("x.db").display().to_string()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pass --demo-users"), "{}", stderr(&o));
    let o = run(&["generate", "--demo-users", "--persons", "many"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid value"), "{}", stderr(&o));
    let o = run(&["migrate", "--database-url", "mysql://localhost/x"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unsupported database URL"), "{}", stderr(&o));
    let o = run(&["user", "add", "--username", "x", "--role", "king"], Some("a long enough password\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown role"), "{}", stderr(&o));
    let cfg = tmpdir("cfg").join("passage.toml");
    std::fs::write(&cfg, "databse_url = 'x.db'\n").unwrap();
    let o = run(&["--config", &cfg.display().to_string(), "migrate"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown field"), "{}", stderr(&o));
}

#[test]
fn generate_is_deterministic_and_check_passes() {
    let a = tmpdir("gen-a").join("a.db").display().to_string();
    let b = tmpdir("gen-b").join("b.db").display().to_string();
    for db in [&a, &b] {
        let o = run(&["generate", "--demo-users", "--persons", "300", "--seed", "42", "--database-url", db], None);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).starts_with("generated 300 persons"), "{}", stdout(&o));
    }
    let ca = run(&["check", "--database-url", &a], None);
    assert!(ca.status.success(), "{}", stdout(&ca));
    assert!(stdout(&ca).contains("ok: no problem found"));
    // Same seed, same data: identical counts, and identical person ids.
    let cb = run(&["check", "--database-url", &b], None);
    assert_eq!(stdout(&ca), stdout(&cb));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ids = |db: String| {
        rt.block_on(async move {
            sqlx::any::install_default_drivers();
            let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("sqlite://{db}")).await.unwrap();
            let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM persons ORDER BY id").fetch_all(&mut c).await.unwrap();
            rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
        })
    };
    let (ia, ib) = (ids(a.clone()), ids(b.clone()));
    assert_eq!(ia.len(), 300);
    assert_eq!(ia, ib);
}

#[test]
fn check_finds_a_broken_database() {
    let db = tmpdir("broken").join("b.db").display().to_string();
    assert!(run(&["generate", "--demo-users", "--persons", "20", "--database-url", &db], None).status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("sqlite://{db}")).await.unwrap();
        sqlx::query("DELETE FROM person_search_keys WHERE person_id IN (SELECT id FROM persons LIMIT 2)").execute(&mut c).await.unwrap();
        sqlx::query("UPDATE cases SET status = 'lost' WHERE id IN (SELECT id FROM cases LIMIT 1)").execute(&mut c).await.unwrap();
    });
    let o = run(&["check", "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("2 persons without search keys"), "{}", stdout(&o));
    assert!(stdout(&o).contains("unknown status"), "{}", stdout(&o));
}

#[test]
fn user_add_reads_the_password_from_stdin_and_checks_it() {
    let db = tmpdir("users").join("u.db").display().to_string();
    assert!(run(&["generate", "--demo-users", "--persons", "1", "--database-url", &db], None).status.success());
    let add = |user: &str, pw: &str, office: &str| {
        run(&["user", "add", "--username", user, "--role", "caseworker", "--office", office, "--database-url", &db], Some(pw))
    };
    let o = add("fatou.ceesay", "a long enough passphrase\n", "NER-AGZ");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("added user fatou.ceesay"));
    // The password never shows in the process list: there is no flag for it.
    let o = run(&["user", "add", "--help"], None);
    assert!(!stdout(&o).contains("--password"));
    let o = add("short.pw", "short\n", "NER-AGZ");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("password: At least 12 characters"), "{}", stderr(&o));
    let o = add("fatou.ceesay", "a long enough passphrase\n", "NER-AGZ");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("username is taken"), "{}", stderr(&o));
    let o = add("new.user", "a long enough passphrase\n", "XXX-000");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Unknown office"), "{}", stderr(&o));
    let o = add("empty.pw", "", "NER-AGZ");
    assert_eq!(o.status.code(), Some(2));
    // Long but among the most common passwords; or built on the username.
    let o = add("common.pw", "1q2w3e4r5t6y\n", "NER-AGZ");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("most commonly used"), "{}", stderr(&o));
    let o = add("aminata.sow", "Aminata.Sow-2026!\n", "NER-AGZ");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must not contain the username"), "{}", stderr(&o));
    // Other roles, and every office.
    let o = run(
        &["user", "add", "--username", "me.officer", "--role", "me_officer", "--office", "all", "--database-url", &db],
        Some("a long enough passphrase\n"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &["user", "add", "--username", "nobody", "--role", "chief", "--office", "all", "--database-url", &db],
        Some("a long enough passphrase\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("protection_officer"), "the error lists the roles: {}", stderr(&o));
    // A second role for an existing user; unknown users and offices are refused.
    let grant = |user: &str, office: &str| {
        run(&["user", "grant", "--username", user, "--role", "protection_officer", "--office", office, "--database-url", &db], None)
    };
    let o = grant("fatou.ceesay", "NER-AGZ");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("fatou.ceesay now holds protection_officer"));
    let o = grant("no.such.user", "NER-AGZ");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("username"), "{}", stderr(&o));
    let o = grant("fatou.ceesay", "XXX-000");
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["audit", "verify", "--database-url", &db], None);
    assert!(o.status.success() && stdout(&o).contains("entries verified"), "{}", stderr(&o));
}
