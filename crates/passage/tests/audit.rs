//! The audit trail: writes and logins leave entries, and `passage audit
//! verify` finds every kind of tampering done directly in the database —
//! an edited entry, a deleted one, two swapped, the last ones cut — on
//! SQLite and PostgreSQL.

mod common;
use common::*;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

fn verify(db: &str) -> (bool, String) {
    let o = run(&["audit", "verify", "--database-url", db], None);
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// What someone with the database in hand does first: lift the application's guard.
async fn drop_guard(c: &mut AnyConnection, backend: Backend) {
    let stmts: &[&str] = match backend {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        Backend::Postgres => &["DROP TRIGGER audit_log_no_change ON audit_log"],
    };
    for s in stmts {
        sqlx::query(s).execute(&mut *c).await.unwrap();
    }
}

async fn exec(c: &mut AnyConnection, sql: &str) {
    sqlx::query(sql).execute(&mut *c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn tampering_is_found(backend: Backend) {
    let s = server(backend, "audit", 5).await;
    let tok = token(&s, "agadez").await;
    // A failed login, a registration (one entry), a note.
    let r = client()
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&json!({"username": "agadez", "password": "wrong wrong wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let me: Value = client().get(format!("{}/api/v1/me", s.url)).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    let office = me["offices"][0].as_str().unwrap().to_string();
    let r = client()
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(&tok)
        .json(&json!({"person": {"names": [{"given": "Awa", "family": "Sy"}], "sex": "female", "birth_date": "1999"},
                      "case": {"kind": "transit_protection", "office_id": office}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ids: Value = r.json().await.unwrap();
    let case = ids["case_id"].as_str().unwrap();
    let r = client()
        .post(format!("{}/api/v1/cases/{case}/notes", s.url))
        .bearer_auth(&tok)
        .json(&json!({"body": "Asked about her sister in Tripoli."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let mut c = connect(backend, &s.database_url).await;
    let rows = sqlx::query("SELECT seq, action, actor, source, changes FROM audit_log ORDER BY seq").fetch_all(&mut c).await.unwrap();
    let actions: Vec<String> = rows.iter().map(|r| r.get::<String, _>("action")).collect();
    for a in ["login.ok", "login.failed", "person.register", "note.create"] {
        assert!(actions.iter().any(|x| x == a), "no {a} entry in {actions:?}");
    }
    let all: String = rows.iter().map(|r| r.get::<String, _>("changes")).collect();
    assert!(!all.contains("wrong wrong") && !all.contains("passage-demo"), "a password reached the audit trail");
    assert!(!all.contains("sister in Tripoli"), "a note body reached the audit trail in clear");
    assert!(all.contains("\"sex\":[null,\"female\"]"), "the registration's fields are not in the trail: {all}");
    assert!(!all.contains("Awa") && all.contains("(redacted, 6 characters)"), "identity enters the trail redacted: {all}");
    assert!(rows.iter().all(|r| r.get::<String, _>("source") == "127.0.0.1" || r.get::<String, _>("source") == "cli"));
    let n = rows.len() as i64;
    assert!(n >= 5, "login, failed login, registration, note and more: {n}");

    // The application cannot change the trail.
    assert!(sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 1").execute(&mut c).await.is_err(), "the trail is not append-only");
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 1").execute(&mut c).await.is_err(), "the trail is not append-only");
    let (ok, out) = verify(&s.database_url);
    assert!(ok && out.contains(&format!("{n} entries verified")), "{out}");

    // Administrators browse it by case, person, user and date; nobody else.
    let admin = token(&s, "admin").await;
    let get = |tok: &str, q: &str| client().get(format!("{}/api/v1/audit?{q}", s.url)).bearer_auth(tok.to_string()).send();
    let by_case: Value = get(&admin, &format!("case={case}")).await.unwrap().json().await.unwrap();
    let actions: Vec<&str> = by_case["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["person.register"], "one entry for the registration, under its case: {by_case}");
    let person = ids["person_id"].as_str().unwrap();
    let by_person: Value = get(&admin, &format!("person={person}&user=agadez")).await.unwrap().json().await.unwrap();
    assert_eq!(by_person["entries"].as_array().unwrap().len(), 2, "registration and note entries: {by_person}");
    assert_eq!(by_person["entries"][0]["action"], "note.create", "newest first");
    let none: Value = get(&admin, "until=2020-01-01").await.unwrap().json().await.unwrap();
    assert!(none["entries"].as_array().unwrap().is_empty());
    let r = get(&admin, "from=2026-02-30&user=nobody").await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("\"from\"") && body.contains("\"user\""), "{body}");
    assert_eq!(get(&tok, "").await.unwrap().status(), 403, "a caseworker reads the trail");
    let page = client();
    page_login(&s, &page, "admin").await;
    let html = page.get(format!("{}/audit?person={person}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("note.create") && html.contains("Ibrahim Caseworker (Agadez)"), "audit page");

    drop_guard(&mut c, backend).await;
    // Altered.
    let original: String = sqlx::query("SELECT changes FROM audit_log WHERE seq = 3").fetch_one(&mut c).await.unwrap().get(0);
    exec(&mut c, "UPDATE audit_log SET changes = '{\"hidden\":1}' WHERE seq = 3").await;
    let (ok, out) = verify(&s.database_url);
    assert!(!ok && out.contains("entry 3 was altered"), "{out}");
    sqlx::query("UPDATE audit_log SET changes = $1 WHERE seq = 3").bind(&original).execute(&mut c).await.unwrap();
    assert!(verify(&s.database_url).0, "restoring the entry should mend the chain");

    // Removed from the middle.
    exec(&mut c, "CREATE TABLE saved AS SELECT * FROM audit_log").await;
    exec(&mut c, "DELETE FROM audit_log WHERE seq = 2").await;
    let (ok, out) = verify(&s.database_url);
    assert!(!ok && out.contains("entry 2 was removed"), "{out}");
    // ... and the rest renumbered to hide the gap.
    // (In two steps: PostgreSQL checks the key row by row.)
    exec(&mut c, "UPDATE audit_log SET seq = -seq WHERE seq > 2").await;
    exec(&mut c, "UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0").await;
    let (ok, out) = verify(&s.database_url);
    assert!(!ok && out.contains("entry 2 was altered"), "{out}");

    // Reordered: two entries swap places.
    exec(&mut c, "DELETE FROM audit_log").await;
    exec(&mut c, "INSERT INTO audit_log SELECT * FROM saved").await;
    assert!(verify(&s.database_url).0);
    exec(&mut c, "UPDATE audit_log SET seq = -1 WHERE seq = 4").await;
    exec(&mut c, "UPDATE audit_log SET seq = 4 WHERE seq = 5").await;
    exec(&mut c, "UPDATE audit_log SET seq = 5 WHERE seq = -1").await;
    let (ok, out) = verify(&s.database_url);
    assert!(!ok && out.contains("entry 4 was altered"), "{out}");

    // The last entries cut off.
    exec(&mut c, "DELETE FROM audit_log").await;
    exec(&mut c, "INSERT INTO audit_log SELECT * FROM saved").await;
    exec(&mut c, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM saved)").await;
    let (ok, out) = verify(&s.database_url);
    assert!(!ok && out.contains("the last entries were removed"), "{out}");
}

both_backends!(tampering_is_found);
