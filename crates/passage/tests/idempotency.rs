//! Idempotent creates (issue 18): a POST retried with the same
//! `Idempotency-Key` gets the first answer and creates nothing; the same key
//! with another body is a 422; a key belongs to its user, across logins.

mod common;
use common::*;
use serde_json::{json, Value};

async fn post(s: &Server, tok: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut r = client().post(format!("{}/api/v1/persons", s.url)).bearer_auth(tok).json(body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    r.send().await.unwrap()
}

async fn named(backend: Backend, s: &Server, family: &str) -> i64 {
    let mut c = connect(backend, &s.database_url).await;
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM person_names WHERE family = $1").bind(family).fetch_one(&mut c).await.unwrap()
}

async fn a_retried_create_creates_once(backend: Backend) {
    let s = server(backend, "idem", 3).await;
    let tok = token(&s, "agadez").await;
    let office = office_of(&s, &tok).await;
    let body = |family: &str| {
        json!({"person": {"names": [{"given": "Awa", "family": family}], "sex": "female", "birth_date": "1999"},
               "case": {"kind": "transit_protection", "office_id": office}})
    };

    let first = post(&s, &tok, Some("8e0f-retry-1"), &body("Idemkey")).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    // The answer was lost; the client retries with the same key, even after logging in again.
    for t in [tok.clone(), token(&s, "agadez").await] {
        let again = post(&s, &t, Some("8e0f-retry-1"), &body("Idemkey")).await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<Value>().await.unwrap(), first, "the first answer, again");
    }
    assert_eq!(named(backend, &s, "Idemkey").await, 1, "one person, however many retries");

    // The same key for another request is refused; another user's same key is theirs.
    let r = post(&s, &tok, Some("8e0f-retry-1"), &body("Otherbody")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["type"], "/problems/idempotency-key-reused");
    assert_eq!(named(backend, &s, "Otherbody").await, 0);
    let niamey = token(&s, "admin").await;
    let r = post(&s, &niamey, Some("8e0f-retry-1"), &body("Idemkey")).await;
    assert_eq!(r.status(), 201, "another user's key");
    assert!(r.headers().get("idempotent-replayed").is_none());
    assert_eq!(named(backend, &s, "Idemkey").await, 2);

    // A refused request is an answer too: its retry is refused the same way, without running again.
    let bad = json!({"person": {"names": [], "sex": "x"}, "case": {"kind": "nope"}});
    let r = post(&s, &tok, Some("8e0f-bad"), &bad).await;
    assert_eq!(r.status(), 422);
    let r = post(&s, &tok, Some("8e0f-bad"), &bad).await;
    assert_eq!((r.status().as_u16(), r.headers()["idempotent-replayed"].to_str().unwrap()), (422, "true"));

    // A key that is not one is refused before anything runs; without a key nothing changes.
    let r = post(&s, &tok, Some("has a space"), &body("Spacekey")).await;
    assert_eq!(r.status(), 400);
    assert_eq!(named(backend, &s, "Spacekey").await, 0);
    for _ in 0..2 {
        assert_eq!(post(&s, &tok, None, &body("Nokey")).await.status(), 201);
    }
    assert_eq!(named(backend, &s, "Nokey").await, 2, "without a key, two posts are two persons");
}

both_backends!(a_retried_create_creates_once);
