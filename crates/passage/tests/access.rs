//! Who sees what, through the API: restricted cases, figures-only roles, and
//! "not found" rather than "forbidden" for records outside one's rights.

mod common;
use common::*;
use serde_json::{json, Value};

async fn register(s: &Server, tok: &str, given: &str, family: &str, kind: &str) -> (String, String) {
    let office = office_of(s, tok).await;
    let r = client()
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(tok)
        .json(&json!({
            "person": {"names": [{"given": given, "family": family}], "sex": "female", "birth_date": "2004", "nationality": "NGA"},
            "case": {"kind": kind, "office_id": office}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let ids: Value = r.json().await.unwrap();
    (ids["person_id"].as_str().unwrap().to_string(), ids["case_id"].as_str().unwrap().to_string())
}

async fn status(s: &Server, tok: &str, path: &str) -> u16 {
    client().get(format!("{}/api/v1{path}", s.url)).bearer_auth(tok).send().await.unwrap().status().as_u16()
}

async fn finds(s: &Server, tok: &str, q: &str, person: &str) -> bool {
    let r: Value = client()
        .get(format!("{}/api/v1/persons", s.url))
        .query(&[("q", q), ("birth_year", "2004")])
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["hits"].as_array().unwrap().iter().any(|h| h["person_id"] == person)
}

async fn restricted_cases_are_seen_by_their_assignee_and_protection_officers_only(backend: Backend) {
    let s = server(backend, "restricted", 5).await;
    let protection = token(&s, "protection").await;
    let caseworker = token(&s, "agadez").await; // same offices as the protection officer
    let admin = token(&s, "admin").await;

    // A victim of trafficking, registered by the protection officer.
    let (person, case) = register(&s, &protection, "Blessing", "Okafor", "trafficking_victim_assistance").await;
    assert_eq!(status(&s, &protection, &format!("/cases/{case}")).await, 200);
    assert!(finds(&s, &protection, "blessing okafor", &person).await);
    for (who, tok) in [("caseworker of the office", &caseworker), ("administrator", &admin)] {
        assert_eq!(status(&s, tok, &format!("/cases/{case}")).await, 404, "{who} reads the restricted case");
        assert_eq!(status(&s, tok, &format!("/persons/{person}")).await, 404, "{who} reads the restricted person");
        assert!(!finds(&s, tok, "blessing okafor", &person).await, "{who} finds the restricted person");
    }

    // A case that becomes restricted after a screening: its assignee keeps
    // it, the administrator loses it, search follows.
    let (person2, case2) = register(&s, &caseworker, "Grace", "Eze", "transit_protection").await;
    assert!(finds(&s, &admin, "grace eze", &person2).await);
    let r = client()
        .post(format!("{}/api/v1/cases/{case2}/screenings", s.url))
        .bearer_auth(&caseworker)
        .json(&json!({"screened_on": "2026-01-10", "findings": ["victim_of_trafficking"], "exploitation": ["sexual"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(status(&s, &caseworker, &format!("/cases/{case2}")).await, 200, "the assignee lost their case");
    assert!(finds(&s, &caseworker, "grace eze", &person2).await);
    assert_eq!(status(&s, &protection, &format!("/cases/{case2}")).await, 200, "the protection officer cannot see it");
    assert_eq!(status(&s, &admin, &format!("/cases/{case2}")).await, 404);
    assert!(!finds(&s, &admin, "grace eze", &person2).await, "search still shows a restricted person to the administrator");
}

async fn figures_only_roles_never_receive_identities(backend: Backend) {
    let s = server(backend, "figures", 5).await;
    let caseworker = token(&s, "agadez").await;
    let (person, case) = register(&s, &caseworker, "Chioma", "Nwosu", "transit_protection").await;
    for user in ["monitoring", "viewer"] {
        let tok = token(&s, user).await;
        for path in [format!("/persons/{person}"), format!("/cases/{case}"), "/persons?q=chioma".to_string()] {
            let r = client().get(format!("{}/api/v1{path}", s.url)).bearer_auth(&tok).send().await.unwrap();
            let code = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!(code == 403 || code == 404, "{user} {path}: {code}");
            assert!(!body.contains("Chioma") && !body.contains("NWOSU"), "{user} {path} leaks a name: {body}");
        }
        // Writing is refused the same way.
        let r = client()
            .post(format!("{}/api/v1/cases/{case}/notes", s.url))
            .bearer_auth(&tok)
            .json(&json!({"body": "hello"}))
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 403 | 404), "{user} writes a note");
    }
}

/// Ten failures lock the account for a quarter of an hour, even for the
/// right password; other accounts from the same address still log in.
async fn repeated_failed_logins_pause_the_account(backend: Backend) {
    let s = server(backend, "throttle", 1).await;
    let login = |user: &'static str, pw: &'static str| {
        client().post(format!("{}/api/v1/auth/login", s.url)).json(&json!({"username": user, "password": pw})).send()
    };
    for _ in 0..10 {
        assert_eq!(login("niamey", "not the password").await.unwrap().status(), 401);
    }
    let r = login("niamey", PASSWORD).await.unwrap();
    assert_eq!(r.status(), 429, "the account is not paused");
    let wait: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&wait), "retry after {wait} s");
    assert!(r.text().await.unwrap().contains("try again in 15 minutes"));
    assert_eq!(login("bamako", PASSWORD).await.unwrap().status(), 200, "another account from the same address is paused too");
    // The login page says so in the user's language.
    let page = client();
    let csrf = login_token(&page, &s.url).await;
    let r = page
        .post(format!("{}/login", s.url))
        .header("accept-language", "fr")
        .form(&[("username", "niamey"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Réessayez dans 15 minutes"));
}

/// Behind TLS (`--secure-cookies`) responses carry HSTS and cookies are
/// Secure; on plain HTTP neither, or the browser would refuse the site.
async fn tls_deployments_get_hsts_and_secure_cookies(backend: Backend) {
    let plain = server(backend, "plain", 1).await;
    let r = client().get(format!("{}/login", plain.url)).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let tls = start_with(&plain.database_url, &["--secure-cookies"]);
    let r = client().get(format!("{}/login", tls.url)).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    // The login form's own cookie is Secure too; over plain HTTP the client would not send it back, so read it here.
    let r = client().get(format!("{}/login", tls.url)).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Secure") && cookie.contains("SameSite=Strict"), "{cookie}");
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    let r = client()
        .post(format!("{}/login", tls.url))
        .header("cookie", format!("passage_login={token}"))
        .form(&[("username", "agadez"), ("password", PASSWORD), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

both_backends!(
    tls_deployments_get_hsts_and_secure_cookies,
    restricted_cases_are_seen_by_their_assignee_and_protection_officers_only,
    figures_only_roles_never_receive_identities,
    repeated_failed_logins_pause_the_account,
    the_client_address_comes_from_the_trusted_proxy_only
);

/// Behind a reverse proxy, the client is the address the proxy adds to
/// X-Forwarded-For — believed only from the proxy named by --trusted-proxy.
async fn the_client_address_comes_from_the_trusted_proxy_only(backend: Backend) {
    let plain = server(backend, "proxy", 1).await;
    let proxied = start_with(&plain.database_url, &["--trusted-proxy", "127.0.0.1"]);
    for (s, forged) in [(&plain, "10.1.1.1"), (&proxied, "10.2.2.2")] {
        let r = client()
            .post(format!("{}/api/v1/auth/login", s.url))
            .header("x-forwarded-for", format!("203.0.113.9, {forged}"))
            .json(&json!({"username": "agadez", "password": "not the password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    use sqlx::{Connection, Row};
    let mut c = sqlx::AnyConnection::connect(&sqlx_url(&plain.database_url)).await.unwrap();
    let sources: Vec<String> = sqlx::query("SELECT source FROM audit_log WHERE action = 'login.failed' ORDER BY seq")
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        sources,
        vec!["127.0.0.1".to_string(), "10.2.2.2".to_string()],
        "a client's own header is ignored; the proxy's last hop is believed"
    );
}
