//! Accounts: the second factor (TOTP) for administrators and protection
//! officers, API tokens, the administration of users, and secrets sealed at
//! rest — through the API, the pages and the database file itself.

mod common;
use common::*;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};

async fn password_step(s: &Server, user: &str) -> Value {
    let r =
        client().post(format!("{}/api/v1/auth/login", s.url)).json(&json!({"username": user, "password": PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn code_step(s: &Server, challenge: &Value, code: &str) -> reqwest::Response {
    client().post(format!("{}/api/v1/auth/second-factor", s.url)).json(&json!({"challenge": challenge, "code": code})).send().await.unwrap()
}

async fn administrators_and_protection_officers_need_a_second_factor(backend: Backend) {
    let s = server(backend, "totp", 3).await;
    // A caseworker: a password is enough.
    assert!(password_step(&s, "agadez").await["token"].is_string());

    // First login of the administrator: a secret to enrol, and no token yet.
    let v = password_step(&s, "admin").await;
    assert!(v["token"].is_null(), "{v}");
    assert_eq!(v["second_factor"], "enrol");
    assert!(v["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Passage:admin?secret="));
    remember_secret(&s, "admin", v["secret"].as_str().unwrap());
    // A wrong code: refused, and the challenge stays for another try.
    let r = code_step(&s, &v["challenge"], "000000").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("err-totp-wrong"));
    let r = code_step(&s, &v["challenge"], &totp_code(&s, "admin")).await;
    assert_eq!(r.status(), 200);
    let admin: Value = r.json().await.unwrap();
    let admin = admin["token"].as_str().unwrap().to_string();
    assert_eq!(api_get(&s, &admin, "/me").await.status(), 200);

    // Enrolled: the next login asks for a code and gives no secret again.
    let v = password_step(&s, "admin").await;
    assert_eq!(v["second_factor"], "required");
    assert!(v["secret"].is_null());
    // A code once used is not accepted again (replay), nor the challenge itself twice.
    let code = totp_code(&s, "admin");
    assert_eq!(code_step(&s, &v["challenge"], &code).await.status(), 200);
    let v2 = password_step(&s, "admin").await;
    assert_eq!(code_step(&s, &v2["challenge"], &code).await.status(), 422, "a replayed code");
    assert_eq!(code_step(&s, &v["challenge"], &totp_code(&s, "admin")).await.status(), 401, "a used challenge");
    // Five wrong codes (the replay was the first) end the challenge: the password is needed again.
    for _ in 0..4 {
        assert_eq!(code_step(&s, &v2["challenge"], "123456").await.status(), 422);
    }
    assert_eq!(code_step(&s, &v2["challenge"], &totp_code(&s, "admin")).await.status(), 401);

    // A lost phone: another administrator resets it, the user enrols again.
    let r = api_post(&s, &admin, "/users/protection/second-factor/reset", json!({})).await;
    assert_eq!(r.status(), 200, "resetting a user who never enrolled is harmless");
    assert_eq!(password_step(&s, "protection").await["second_factor"], "enrol");

    // The audit trail has the enrolment and the failures, never a code or secret.
    let trail: Value = api_get(&s, &admin, "/audit?user=admin").await.json().await.unwrap();
    let actions: Vec<&str> = trail["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"user.second_factor.enrol") && actions.contains(&"login.failed"), "{actions:?}");
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let all: Vec<String> = sqlx::query("SELECT changes FROM audit_log").fetch_all(&mut c).await.unwrap().iter().map(|r| r.get(0)).collect();
    let secret = v["secret"].as_str().unwrap_or("");
    assert!(all.iter().all(|ch| !ch.contains(&code) && (secret.is_empty() || !ch.contains(secret))));
    let stored: Option<String> =
        sqlx::query("SELECT totp_secret FROM users WHERE username = 'admin'").fetch_one(&mut c).await.unwrap().get(0);
    assert!(stored.unwrap().starts_with("sealed:v1:"), "the TOTP secret is sealed at rest");
}

async fn api_tokens_are_scoped_expiring_and_revocable(backend: Backend) {
    let s = server(backend, "tokens", 3).await;
    let agadez = token(&s, "agadez").await;
    // Beyond one's grants: refused.
    let r = api_post(&s, &agadez, "/tokens", json!({"name": "kobo", "role": "admin", "days": 30})).await;
    assert_eq!(r.status(), 422);
    let r = api_post(&s, &agadez, "/tokens", json!({"name": "kobo", "role": "caseworker", "offices": ["GIN-CKY"], "days": 30})).await;
    assert_eq!(r.status(), 422, "an office the user does not hold");
    let r = api_post(&s, &agadez, "/tokens", json!({"name": "kobo", "role": "caseworker", "offices": ["NER-AGZ"], "days": 400})).await;
    assert_eq!(r.status(), 422, "more than a year");
    // Within them: shown once, works as a bearer token, narrowed to Agadez.
    let r = api_post(&s, &agadez, "/tokens", json!({"name": "kobo", "role": "caseworker", "offices": ["NER-AGZ"], "days": 30})).await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    let pat = t["token"].as_str().unwrap().to_string();
    assert!(pat.starts_with("pst_"));
    // A token cannot make tokens (a leaked narrow one would mint a broad one), nor revoke them.
    let r =
        api_post(&s, &pat, "/tokens", json!({"name": "wider", "role": "caseworker", "offices": ["NER-AGZ", "NER-ARL"], "days": 30})).await;
    assert_eq!(r.status(), 403);
    let me: Value = api_get(&s, &pat, "/me").await.json().await.unwrap();
    assert_eq!(me["grants"].as_array().unwrap().len(), 1);
    assert_eq!(me["grants"][0]["offices"].as_array().unwrap().len(), 1, "only Agadez, not Arlit: {me}");
    let list: Value = api_get(&s, &agadez, "/tokens").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&pat), "the token is never shown again");
    // A token cannot be used as a cookie session, nor a session token as a token.
    let r = client().get(format!("{}/api/v1/me", s.url)).header("cookie", format!("passage_session={pat}")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Another caseworker cannot see or revoke it.
    let niamey = token(&s, "niamey").await;
    let id = t["record"]["id"].as_str().unwrap();
    assert_eq!(api_post(&s, &niamey, &format!("/tokens/{id}/revoke"), json!({})).await.status(), 404);
    assert_eq!(api_get(&s, &pat, "/me").await.status(), 200);
    // Revoked by its owner: unauthenticated at once.
    assert_eq!(api_post(&s, &agadez, &format!("/tokens/{id}/revoke"), json!({})).await.status(), 204);
    assert_eq!(api_get(&s, &pat, "/me").await.status(), 401);
    // Only a hash is stored.
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1").bind(&pat).fetch_one(&mut c).await.unwrap().get(0);
    assert_eq!(n, 0);
    // Taking the role from the user takes it from the token; disabling the user stops it.
    let r = api_post(&s, &agadez, "/tokens", json!({"name": "report", "role": "caseworker", "offices": ["all"], "days": 1})).await;
    assert_eq!(r.status(), 422, "all offices is more than the user holds");
    let r = api_post(&s, &agadez, "/tokens", json!({"name": "report", "role": "caseworker", "offices": ["NER-AGZ", "NER-ARL"], "days": 1}))
        .await;
    let pat2 = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let admin = token(&s, "admin").await;
    // An administrator cannot make a token in someone else's name (they would hold that person's access).
    let r = api_post(
        &s,
        &admin,
        "/tokens",
        json!({"name": "x", "role": "caseworker", "offices": ["NER-AGZ"], "days": 1, "username": "agadez"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(api_post(&s, &admin, "/users/agadez/grants", json!({"role": "caseworker", "offices": ["NER-ARL"]})).await.status(), 200);
    let me: Value = api_get(&s, &pat2, "/me").await.json().await.unwrap();
    assert_eq!(me["grants"][0]["offices"].as_array().unwrap().len(), 1, "narrowed to Arlit: {me}");
    assert_eq!(api_post(&s, &admin, "/users/agadez/active", json!({"active": false})).await.status(), 200);
    assert_eq!(api_get(&s, &pat2, "/me").await.status(), 401);
    assert_eq!(api_get(&s, &agadez, "/me").await.status(), 401, "the user's sessions end too");
}

async fn administrators_manage_users_and_no_one_else_does(backend: Backend) {
    let s = server(backend, "users", 3).await;
    let admin = token(&s, "admin").await;
    let agadez = token(&s, "agadez").await;
    for (m, path, body) in [
        ("get", "/users", json!(null)),
        ("get", "/users/niamey", json!(null)),
        ("post", "/users", json!({"username": "x.y", "display_name": "X", "password": "a long enough password", "role": "admin"})),
        ("post", "/users/niamey/grants", json!({"role": "admin"})),
        ("post", "/users/niamey/grants/caseworker/revoke", json!({})),
        ("post", "/users/niamey/active", json!({"active": false})),
        ("post", "/users/niamey/second-factor/reset", json!({})),
    ] {
        let r = if m == "get" { api_get(&s, &agadez, path).await } else { api_post(&s, &agadez, path, body).await };
        assert_eq!(r.status(), 403, "a caseworker: {m} {path}");
    }
    // Create, with the password policy applied.
    let r = api_post(&s, &admin, "/users", json!({"username": "fatou.s", "display_name": "Fatou S", "password": "password1234", "role": "caseworker", "offices": ["XXX-NOPE"]})).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("err-password-common") && body.contains("err-unknown-office"), "{body}");
    let r = api_post(&s, &admin, "/users", json!({"username": "fatou.s", "display_name": "Fatou S", "password": "sable fin de la route", "role": "caseworker", "offices": ["NER-NIA"]})).await;
    assert_eq!(r.status(), 201);
    let u: Value = api_get(&s, &admin, "/users/fatou.s").await.json().await.unwrap();
    assert_eq!(u["grants"][0]["role"], "caseworker");
    assert_eq!(u["second_factor_enrolled"], false);
    // Re-scope: a second role, then take the first away.
    assert_eq!(
        api_post(&s, &admin, "/users/fatou.s/grants", json!({"role": "movement_officer", "offices": ["NER-NIA", "NER-AGZ"]}))
            .await
            .status(),
        200
    );
    let u: Value = api_post(&s, &admin, "/users/fatou.s/grants/caseworker/revoke", json!({})).await.json().await.unwrap();
    assert_eq!(u["grants"].as_array().unwrap().len(), 1);
    assert_eq!(u["grants"][0]["role"], "movement_officer");
    // An administrator cannot lock themselves out.
    let r = api_post(&s, &admin, "/users/admin/active", json!({"active": false})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(api_get(&s, &admin, "/users/nobody").await.status(), 404);
    // Every change is in the audit trail with before and after.
    let trail: Value = api_get(&s, &admin, "/audit").await.json().await.unwrap();
    let actions: Vec<&str> = trail["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["user.create", "user.grant", "user.revoke"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }

    // The same through the pages: the users page, a user's page, the policy.
    let c = client();
    page_login(&s, &c, "admin").await;
    let html = c.get(format!("{}/admin/users", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("fatou.s") && html.contains("Movement officer"));
    let html = c.get(format!("{}/admin/permissions", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("read_restricted") && html.contains("Protection officer"));
    let cw = client();
    page_login(&s, &cw, "agadez").await;
    assert_eq!(cw.get(format!("{}/admin/users", s.url)).send().await.unwrap().status(), 403);
    assert_eq!(cw.get(format!("{}/admin/permissions", s.url)).send().await.unwrap().status(), 403);
    let html = cw.get(format!("{}/account", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("API tokens") && !html.contains("/admin/users"));
}

async fn notes_and_document_numbers_are_sealed_at_rest(backend: Backend) {
    let s = server(backend, "sealed", 30).await;
    let tok = token(&s, "agadez").await;
    let office = office_of(&s, &tok).await;
    let r = api_post(
        &s,
        &tok,
        "/persons",
        json!({
            "person": {"names": [{"given": "Kadiatou", "family": "Sow"}], "sex": "female", "birth_date": "1999", "nationality": "GIN",
                       "documents": [{"kind": "passport", "number": "GN0451234"}]},
            "case": {"kind": "transit_protection", "office_id": office}
        }),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let ids: Value = r.json().await.unwrap();
    let case = ids["case_id"].as_str().unwrap();
    let note = "Held in a warehouse near Sabha; the smuggler's number is in the file.";
    assert_eq!(api_post(&s, &tok, &format!("/cases/{case}/notes"), json!({"body": note})).await.status(), 201);
    // Readable through the application…
    let v: Value = api_get(&s, &tok, &format!("/cases/{case}")).await.json().await.unwrap();
    assert_eq!(v["notes"][0]["body"], note);
    let p: Value = api_get(&s, &tok, &format!("/persons/{}", ids["person_id"].as_str().unwrap())).await.json().await.unwrap();
    assert!(p.to_string().contains("GN0451234"), "{p}");
    // …but not in the database.
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    for q in ["SELECT body FROM case_notes", "SELECT number FROM identity_documents"] {
        let rows: Vec<String> = sqlx::query(q).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get(0)).collect();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|v| v.starts_with("sealed:v1:")), "{q}: {:?}", &rows[..1]);
    }
    c.close().await.unwrap();
    if let Backend::Sqlite = backend {
        // The raw bytes of the file and its write-ahead log: what a stolen laptop gives.
        let mut raw = std::fs::read(&s.database_url).unwrap();
        raw.extend(std::fs::read(format!("{}-wal", s.database_url)).unwrap_or_default());
        let has = |needle: &str| raw.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(has("Kadiatou"), "names stay searchable, so they are in the file");
        assert!(!has("warehouse near Sabha") && !has("GN0451234"), "a note or document number in the file");
        assert!(std::path::Path::new(&format!("{}.key", s.database_url)).exists(), "the key file beside the database");
    }
}

async fn users_change_their_own_password(backend: Backend) {
    let s = server(backend, "password", 3).await;
    let tok = token(&s, "niamey").await;
    let r = api_post(&s, &tok, "/account/password", json!({"current_password": "wrong guess", "new_password": "password1234"})).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("err-password-wrong") && body.contains("err-password-common"), "{body}");
    let r =
        api_post(&s, &tok, "/account/password", json!({"current_password": PASSWORD, "new_password": "dunes and stars over Agadez"})).await;
    assert_eq!(r.status(), 204);
    assert_eq!(api_get(&s, &tok, "/me").await.status(), 401, "every session ends");
    let login = |pw: &'static str| {
        let url = format!("{}/api/v1/auth/login", s.url);
        async move { client().post(url).json(&json!({"username": "niamey", "password": pw})).send().await.unwrap().status() }
    };
    assert_eq!(login(PASSWORD).await, 401);
    assert_eq!(login("dunes and stars over Agadez").await, 200);
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password' AND changes NOT LIKE '%dunes%'")
        .fetch_one(&mut c)
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

both_backends!(
    users_change_their_own_password,
    administrators_and_protection_officers_need_a_second_factor,
    api_tokens_are_scoped_expiring_and_revocable,
    administrators_manage_users_and_no_one_else_does,
    notes_and_document_numbers_are_sealed_at_rest,
);
