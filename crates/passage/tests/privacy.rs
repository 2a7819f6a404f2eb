//! Data protection duties end to end: a person's data on request (export,
//! erasure), the retention schedule, and pseudonymised records for M&E.

mod common;
use common::*;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};

async fn a_person_gets_their_data_and_can_have_it_erased(backend: Backend) {
    let s = server(backend, "erase", 10).await;
    let protection = token(&s, "protection").await;
    let caseworker = token(&s, "agadez").await;
    let office = office_of(&s, &protection).await;
    let r = api_post(&s, &protection, "/persons", json!({
        "person": {"names": [{"given": "Mariatou", "family": "Kandeh"}], "sex": "female", "birth_date": "2001-04-09", "nationality": "SLE",
                   "phone": "+22790112233", "documents": [{"kind": "passport", "number": "SL7788990"}]},
        "case": {"kind": "transit_protection", "office_id": office}
    }))
    .await;
    assert_eq!(r.status(), 201);
    let ids: Value = r.json().await.unwrap();
    let (person, case) = (ids["person_id"].as_str().unwrap().to_string(), ids["case_id"].as_str().unwrap().to_string());
    assert_eq!(
        api_post(&s, &protection, &format!("/cases/{case}/notes"), json!({"body": "Wants to call her sister in Freetown."})).await.status(),
        201
    );
    assert_eq!(
        api_post(
            &s,
            &protection,
            &format!("/cases/{case}/assistance"),
            json!({"kind": "shelter", "provided_on": "2026-01-10", "quantity": "3"})
        )
        .await
        .status(),
        201
    );

    let r = api_post(
        &s,
        &protection,
        &format!("/cases/{case}/status"),
        json!({"status": "active", "reason": "staying with her cousin in Arlit"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // Export: not for a caseworker; for the protection officer, everything, audited.
    assert_eq!(api_get(&s, &caseworker, &format!("/persons/{person}/export")).await.status(), 403);
    let r = api_get(&s, &protection, &format!("/persons/{person}/export")).await;
    assert_eq!(r.status(), 200);
    let x: Value = r.json().await.unwrap();
    let text = x.to_string();
    for held in ["Mariatou", "SL7788990", "+22790112233", "sister in Freetown", "shelter"] {
        assert!(text.contains(held), "the export lacks {held}: {text}");
    }
    assert!(x["audit"].as_array().unwrap().iter().any(|e| e["action"] == "person.register"));
    let html = {
        let c = client();
        page_login(&s, &c, "protection").await;
        c.get(format!("{}/persons/{person}/export", s.url)).send().await.unwrap().text().await.unwrap()
    };
    assert!(html.contains("Mariatou") && html.contains("SL7788990") && html.contains("person.register"), "printable export");

    // Erase: a reason is required; then the identity is gone for good, the figures' facts stay.
    let r = api_post(&s, &protection, &format!("/persons/{person}/erase"), json!({"reason": "  "})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(api_post(&s, &caseworker, &format!("/persons/{person}/erase"), json!({"reason": "asked"})).await.status(), 403);
    let r = api_post(
        &s,
        &protection,
        &format!("/persons/{person}/erase"),
        json!({"reason": "Asked in person on 2026-11-20, identity checked against her passport"}),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert_eq!(api_post(&s, &protection, &format!("/persons/{person}/erase"), json!({"reason": "again"})).await.status(), 409);
    let p: Value = api_get(&s, &protection, &format!("/persons/{person}")).await.json().await.unwrap();
    let text = p.to_string();
    for gone in ["Mariatou", "Kandeh", "SL7788990", "+22790112233", "Freetown", "2001-04-09"] {
        assert!(!text.contains(gone), "{gone} is still in the file: {text}");
    }
    assert_eq!(p["cases"].as_array().unwrap().len(), 1, "the case stays");
    assert_eq!(p["assistance"].as_array().unwrap().len(), 1, "the assistance stays");
    assert!(text.contains("2001"), "the year of birth stays for age groups");
    let hits: Value = api_get(&s, &protection, "/persons?q=mariatou%20kandeh").await.json().await.unwrap();
    assert!(hits["hits"].as_array().unwrap().iter().all(|h| h["person_id"] != person.as_str()), "search no longer finds her");

    // Nowhere in the database, the audit trail included.
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    for q in [
        "SELECT COUNT(*) FROM person_names WHERE given = 'Mariatou' OR family = 'Kandeh'",
        "SELECT COUNT(*) FROM persons WHERE display_name LIKE '%Kandeh%' OR phone IS NOT NULL AND phone = '+22790112233'",
        "SELECT COUNT(*) FROM audit_log WHERE changes LIKE '%Kandeh%' OR changes LIKE '%Mariatou%' OR changes LIKE '%22790112233%' \
         OR changes LIKE '%cousin in Arlit%'",
    ] {
        let n: i64 = sqlx::query(q).fetch_one(&mut c).await.unwrap().get(0);
        assert_eq!(n, 0, "{q}");
    }
    let actions: Vec<String> = sqlx::query("SELECT action FROM audit_log WHERE person = $1 ORDER BY seq")
        .bind(&person)
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(actions.contains(&"person.export".to_string()) && actions.ends_with(&["person.erase".to_string()]), "{actions:?}");
    c.close().await.unwrap();
    let o = run(&["check", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

async fn the_retention_schedule_erases_only_who_is_due(backend: Backend) {
    let db = fresh_database(backend, "retention").await;
    let o = run(&["generate", "--demo-users", "--persons", "300", "--seed", "11", "--database-url", &db], None);
    assert!(o.status.success());
    let mut c = AnyConnection::connect(&sqlx_url(&db)).await.unwrap();
    let persons: i64 = sqlx::query("SELECT COUNT(*) FROM persons").fetch_one(&mut c).await.unwrap().get(0);
    let closed_only: i64 = sqlx::query(
        "SELECT COUNT(*) FROM persons p WHERE EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id) \
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id AND c.status <> 'closed')",
    )
    .fetch_one(&mut c)
    .await
    .unwrap()
    .get(0);
    assert!(closed_only > 0, "the synthetic data has closed cases");

    // A dry run in 2040 (every closure is old enough) counts, changes nothing.
    let o = run(&["retention", "apply", "--dry-run", "--today", "2040-01-01", "--database-url", &db], None);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&format!("{closed_only} persons have all their cases closed")), "{out}");
    assert!(out.contains(&format!("{closed_only} would be erased")), "{out}");
    let erased: i64 = sqlx::query("SELECT COUNT(*) FROM persons WHERE anonymised_at IS NOT NULL").fetch_one(&mut c).await.unwrap().get(0);
    assert_eq!(erased, 0);
    // Applied: exactly those persons lose their identity, and a second run finds no one.
    let o = run(&["retention", "apply", "--today", "2040-01-01", "--database-url", &db], None);
    assert!(o.status.success());
    let erased: i64 = sqlx::query("SELECT COUNT(*) FROM persons WHERE anonymised_at IS NOT NULL").fetch_one(&mut c).await.unwrap().get(0);
    assert_eq!(erased, closed_only);
    let still: i64 = sqlx::query("SELECT COUNT(*) FROM persons").fetch_one(&mut c).await.unwrap().get(0);
    assert_eq!(still, persons, "figures keep counting everyone");
    let open_keep: i64 = sqlx::query(
        "SELECT COUNT(*) FROM persons p WHERE p.anonymised_at IS NOT NULL AND EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id AND c.status <> 'closed')",
    )
    .fetch_one(&mut c)
    .await
    .unwrap()
    .get(0);
    assert_eq!(open_keep, 0, "nobody with an open case is erased");
    c.close().await.unwrap();
    let o = run(&["retention", "apply", "--today", "2040-01-01", "--database-url", &db], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 identities erased"));
    for args in [vec!["check", "--database-url", &db], vec!["audit", "verify", "--database-url", &db]] {
        let o = run(&args, None);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stdout));
    }
    // Bad input.
    let o = run(&["retention", "apply", "--today", "yesterday", "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(2));
}

async fn monitoring_reads_pseudonymised_cases_only(backend: Backend) {
    let s = server(backend, "pseudo", 40).await;
    let me = token(&s, "monitoring").await;
    for who in ["viewer", "agadez"] {
        let t = token(&s, who).await;
        assert_eq!(api_get(&s, &t, "/pseudonymised/cases").await.status(), 403, "{who}");
    }
    let r = api_get(&s, &me, "/pseudonymised/cases?limit=10").await;
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    let rows = page["cases"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let fields: Vec<&str> = rows[0].as_object().unwrap().keys().map(|k| k.as_str()).collect();
    for banned in ["names", "display_name", "phone", "documents", "birth_date", "notes", "person_name", "reference"] {
        assert!(!fields.contains(&banned), "{banned} in {fields:?}");
    }
    assert_eq!(rows[0]["person"].as_str().unwrap().len(), 16, "a pseudonym");
    // The next page follows; a cursor that was tampered with is refused.
    let next = page["next_after"].as_str().unwrap();
    let page2: Value = client()
        .get(format!("{}/api/v1/pseudonymised/cases", s.url))
        .query(&[("limit", "10"), ("after", next)])
        .bearer_auth(&me)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first: Vec<&Value> = rows.iter().map(|r| &r["case"]).collect();
    assert!(page2["cases"].as_array().unwrap().iter().all(|r| !first.contains(&&r["case"])));
    let r = client()
        .get(format!("{}/api/v1/pseudonymised/cases", s.url))
        .query(&[("after", "sealed:v1:00:AAAA")])
        .bearer_auth(&me)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // The same person keeps the same pseudonym across pages and calls.
    let again: Value = api_get(&s, &me, "/pseudonymised/cases?limit=10").await.json().await.unwrap();
    assert_eq!(again["cases"][0]["person"], rows[0]["person"]);
}

both_backends!(
    a_person_gets_their_data_and_can_have_it_erased,
    the_retention_schedule_erases_only_who_is_due,
    monitoring_reads_pseudonymised_cases_only,
);
