//! The JSON API as a client sees it, on SQLite and on PostgreSQL.

mod common;
use common::*;
use serde_json::{json, Value};

async fn a_caseworker_registers_finds_and_records(backend: Backend) {
    let s = server(backend, "journey", 30).await;
    let tok = token(&s, "agadez").await;
    let c = client();
    let office = office_of(&s, &tok).await;
    let r = c
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(&tok)
        .json(&json!({
            "person": {"names": [{"given": "Ousmane", "family": "Trawally"}, {"given": "Usman", "family": "Traoré"}],
                       "sex": "male", "birth_date": "1997", "nationality": "GMB", "languages": ["mnk", "eng"],
                       "phone": "+220 700 12 34", "documents": [{"kind": "passport", "number": "pa 123456", "issuing_country": "GMB"}]},
            "case": {"kind": "assisted_voluntary_return", "office_id": office}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ids: Value = r.json().await.unwrap();
    let person = ids["person_id"].as_str().unwrap().to_string();
    let case = ids["case_id"].as_str().unwrap().to_string();

    // Found again under another spelling, first among the results.
    for q in ["othman traore", "TRAWALLY", "Ousmane Trawaly"] {
        let found: Value = c
            .get(format!("{}/api/v1/persons", s.url))
            .query(&[("q", q), ("nationality", "GMB")])
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["hits"][0]["person_id"], json!(person), "query {q}: {found}");
    }

    let post = |path: String, body: Value| {
        let c = c.clone();
        let tok = tok.clone();
        async move { c.post(path).bearer_auth(tok).json(&body).send().await.unwrap() }
    };
    let r = post(
        format!("{}/api/v1/cases/{case}/screenings", s.url),
        json!({"screened_on": "2026-01-10", "findings": ["victim_of_trafficking", "stranded_without_means"], "exploitation": ["labour"]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r =
        post(format!("{}/api/v1/cases/{case}/assistance", s.url), json!({"kind": "shelter", "provided_on": "2026-01-10", "quantity": "3"}))
            .await;
    assert_eq!(r.status(), 201);
    let r = post(format!("{}/api/v1/cases/{case}/notes", s.url), json!({"body": "Wants to go home to Brikama."})).await;
    assert_eq!(r.status(), 201);
    let r = post(format!("{}/api/v1/cases/{case}/status", s.url), json!({"status": "active"})).await;
    assert_eq!(r.status(), 200);
    // Closing needs a reason; going back to "open" is not a transition.
    let r = post(format!("{}/api/v1/cases/{case}/status", s.url), json!({"status": "closed"})).await;
    assert_eq!(r.status(), 422);
    let r = post(format!("{}/api/v1/cases/{case}/status", s.url), json!({"status": "open"})).await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["message"], json!("A case cannot go from Active to Open."), "statuses shown by their labels");

    // Consent: sharing needs a named partner; a withdrawal is kept on record.
    let r = post(
        format!("{}/api/v1/persons/{person}/consents", s.url),
        json!({"kind": "data_sharing", "method": "verbal", "given_on": "2026-01-10"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post(
        format!("{}/api/v1/persons/{person}/consents", s.url),
        json!({"kind": "data_sharing", "partner": "Croix-Rouge Agadez", "method": "written", "given_on": "2026-01-10"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let consent = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let r = post(format!("{}/api/v1/persons/{person}/consents/{consent}/withdraw", s.url), json!({})).await;
    assert_eq!(r.status(), 204);
    let r = post(format!("{}/api/v1/persons/{person}/consents/{consent}/withdraw", s.url), json!({})).await;
    assert_eq!(r.status(), 409, "a consent is withdrawn once");

    let file: Value = c.get(format!("{}/api/v1/persons/{person}", s.url)).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    assert_eq!(file["consents"][0]["partner"], json!("Croix-Rouge Agadez"));
    assert!(file["consents"][0]["withdrawn_on"].is_string());
    assert_eq!(file["person"]["names"].as_array().unwrap().len(), 2);
    assert_eq!(file["person"]["phone"], json!("+2207001234"));
    assert_eq!(file["person"]["documents"][0]["number"], json!("PA 123456"));
    assert_eq!(file["assistance"][0]["quantity"], json!(3));
    assert_eq!(file["assistance"][0]["unit"], json!("nights"));
    assert_eq!(file["notes"][0]["body"], json!("Wants to go home to Brikama."));
    // Trafficking makes the case restricted and high priority.
    assert_eq!(file["cases"][0]["sensitivity"], json!("restricted"));
    assert_eq!(file["cases"][0]["priority"], json!("high"));
    assert_eq!(file["cases"][0]["status"], json!("active"));
    let cf: Value = c.get(format!("{}/api/v1/cases/{case}", s.url)).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    assert_eq!(cf["history"].as_array().unwrap().len(), 2);
    assert!(cf["case"]["reference"].as_str().unwrap().starts_with("NER-AGZ-"));

    let check = run(&["check", "--database-url", &s.database_url], None);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

async fn bad_input_gets_a_clear_4xx(backend: Backend) {
    let s = server(backend, "bad", 10).await;
    let tok = token(&s, "agadez").await;
    let c = client();
    let office = office_of(&s, &tok).await;
    let url = format!("{}/api/v1/persons", s.url);
    let problem = |r: reqwest::Response, status: u16| async move {
        assert_eq!(r.status().as_u16(), status);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        r.json::<Value>().await.unwrap()
    };
    // Not JSON, wrong content type, wrong shape.
    problem(c.post(&url).bearer_auth(&tok).header("content-type", "application/json").body("{\"person\":").send().await.unwrap(), 400)
        .await;
    problem(c.post(&url).bearer_auth(&tok).body("{}").send().await.unwrap(), 415).await;
    problem(c.post(&url).bearer_auth(&tok).json(&json!({"person": {"names": "Diallo"}})).send().await.unwrap(), 422).await;
    // Every invalid field listed at once.
    let v = problem(
        c.post(&url)
            .bearer_auth(&tok)
            .json(&json!({"person": {"names": [{"given": "", "family": ""}], "sex": "x", "birth_date": "2001-02-31", "nationality": "XXX", "phone": "12"},
                           "case": {"kind": "holiday", "office_id": office}}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    let fields: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["names[0].family", "sex", "birth_date", "nationality", "phone", "kind"] {
        assert!(fields.contains(&f), "{f} missing in {v}");
    }
    assert!(v["errors"].as_array().unwrap().iter().all(|e| !e["message"].as_str().unwrap().is_empty()));
    // Born in the future.
    let v = problem(
        c.post(&url).bearer_auth(&tok).json(&json!({"person": {"names": [{"family": "Sow"}], "birth_date": "2099-01-01"}, "case": {"kind": "transit_protection", "office_id": office}})).send().await.unwrap(),
        422,
    )
    .await;
    assert_eq!(v["errors"][0]["code"], json!("err-date-in-future"));
    // Oversize body.
    let huge = "x".repeat(400 * 1024);
    problem(
        c.post(format!("{}/api/v1/persons", s.url))
            .bearer_auth(&tok)
            .header("content-type", "application/json")
            .body(format!("{{\"x\":\"{huge}\"}}"))
            .send()
            .await
            .unwrap(),
        413,
    )
    .await;
    // The server may close a connection whose body it refused to read: go on with fresh ones.
    let c = client();
    // A note over the limit is refused, not truncated.
    let v: Value =
        c.get(format!("{}/api/v1/persons?q=diallo&limit=1", s.url)).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    let _ = v;
    // Unknown routes, wrong methods, bad ids, no token, bad token.
    problem(c.get(format!("{}/api/v1/nothing", s.url)).bearer_auth(&tok).send().await.unwrap(), 404).await;
    problem(c.delete(&url).bearer_auth(&tok).send().await.unwrap(), 405).await;
    problem(c.get(format!("{}/api/v1/persons/1", s.url)).bearer_auth(&tok).send().await.unwrap(), 404).await;
    problem(c.get(format!("{}/api/v1/cases/0190c5d2-0000-7000-8000-000000000000", s.url)).bearer_auth(&tok).send().await.unwrap(), 404)
        .await;
    problem(c.get(&url).send().await.unwrap(), 401).await;
    problem(c.get(&url).bearer_auth("not-a-token").send().await.unwrap(), 401).await;
    problem(c.get(format!("{url}?limit=100000")).bearer_auth(&tok).send().await.unwrap(), 422).await;
    problem(c.get(format!("{url}?nationality=ZZ")).bearer_auth(&tok).send().await.unwrap(), 422).await;
    let r = c
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&json!({"username": "agadez", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Caseworkers may not create offices.
    problem(
        c.post(format!("{}/api/v1/offices", s.url))
            .bearer_auth(&tok)
            .json(&json!({"code": "X-1", "name": "X", "country": "NER", "kind": "shelter"}))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
}

async fn offices_scope_what_caseworkers_see(backend: Backend) {
    let s = server(backend, "scope", 10).await;
    let agadez = token(&s, "agadez").await;
    let conakry = token(&s, "conakry").await;
    let c = client();
    let office = office_of(&s, &agadez).await;
    let ids: Value = c
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(&agadez)
        .json(&json!({"person": {"names": [{"given": "Zeinab", "family": "Quarshie-Abakar"}]}, "case": {"kind": "transit_protection", "office_id": office}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person = ids["person_id"].as_str().unwrap();
    let case = ids["case_id"].as_str().unwrap();
    // Conakry neither sees the person nor finds them.
    assert_eq!(c.get(format!("{}/api/v1/persons/{person}", s.url)).bearer_auth(&conakry).send().await.unwrap().status(), 404);
    assert_eq!(c.get(format!("{}/api/v1/cases/{case}", s.url)).bearer_auth(&conakry).send().await.unwrap().status(), 404);
    let found: Value =
        c.get(format!("{}/api/v1/persons?q=Quarshie-Abakar", s.url)).bearer_auth(&conakry).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["hits"].as_array().unwrap().len(), 0);
    let r = c.post(format!("{}/api/v1/cases/{case}/notes", s.url)).bearer_auth(&conakry).json(&json!({"body": "x"})).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Registering in an office one does not work for is refused.
    let r = c
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(&conakry)
        .json(&json!({"person": {"names": [{"family": "Sow"}]}, "case": {"kind": "transit_protection", "office_id": office}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Agadez and the administrator do see them.
    let found: Value =
        c.get(format!("{}/api/v1/persons?q=quarshie%20abakar", s.url)).bearer_auth(&agadez).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["hits"][0]["person_id"], json!(person));
    let admin = token(&s, "admin").await;
    assert_eq!(c.get(format!("{}/api/v1/persons/{person}", s.url)).bearer_auth(&admin).send().await.unwrap().status(), 200);
    // Logging out ends the token.
    assert_eq!(c.post(format!("{}/api/v1/auth/logout", s.url)).bearer_auth(&agadez).send().await.unwrap().status(), 204);
    assert_eq!(c.get(format!("{}/api/v1/me", s.url)).bearer_auth(&agadez).send().await.unwrap().status(), 401);
}

async fn the_openapi_document_is_served(backend: Backend) {
    let s = server(backend, "openapi", 1).await;
    let v: Value = client().get(format!("{}/api/v1/openapi.json", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["openapi"], json!("3.1.0"));
    assert!(v["paths"]["/persons"]["post"].is_object());
}

both_backends!(
    a_caseworker_registers_finds_and_records,
    bad_input_gets_a_clear_4xx,
    offices_scope_what_caseworkers_see,
    the_openapi_document_is_served,
    a_nul_byte_is_never_a_server_error
);

/// A NUL byte where the database would meet it raw (a search, a lookup by
/// username, an idempotency key) is a client's mistake, never a 500: SQLite
/// stores it, PostgreSQL refuses it (SQLSTATE 22021), and either way the
/// answer is a problem document below 500.
async fn a_nul_byte_is_never_a_server_error(backend: Backend) {
    let s = server(backend, "nul", 1).await;
    let admin = token(&s, "admin").await;
    let c = client();
    for (method, path, body) in [
        ("get", "/persons?q=a%00b", None),
        ("get", "/users/a%00b", None),
        ("post", "/tokens", Some(serde_json::json!({"name": "x", "role": "admin", "days": 1, "username": "a\u{0}b"}))),
        ("post", "/providers", Some(serde_json::json!({"organisation": "a\u{0}b", "services": ["medical"]}))),
        ("get", "/providers?place=a%00b", None),
        ("get", "/audit?user=a%00b", None),
    ] {
        let url = format!("{}/api/v1{path}", s.url);
        let r = match body {
            Some(b) => c.post(&url).bearer_auth(&admin).json(&b).send().await.unwrap(),
            None if method == "get" => c.get(&url).bearer_auth(&admin).send().await.unwrap(),
            None => unreachable!(),
        };
        assert!(r.status().as_u16() < 500, "{method} {path}: {}", r.status());
    }
}
