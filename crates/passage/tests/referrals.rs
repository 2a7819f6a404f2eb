//! Referrals to partners: the directory, consent to share with the named
//! organisation, the partner seeing only what was consented to (and nothing
//! once consent is withdrawn), and the partner's answers.

mod common;
use common::*;
use serde_json::{json, Value};

async fn a_partner_sees_only_what_the_person_agreed_to_share(backend: Backend) {
    let s = server(backend, "referral", 3).await;
    let admin = token(&s, "admin").await;
    let cw = token(&s, "agadez").await;

    // The directory: a provider, and a partner user who speaks for it.
    let r = api_post(&s, &admin, "/providers", json!({"organisation": "Croix-Rouge Agadez", "services": ["medical", "mental_health"], "places": "Agadez, Arlit", "languages": "fra hau"})).await;
    assert_eq!(r.status(), 201);
    let provider = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(api_post(&s, &cw, "/providers", json!({"organisation": "x", "services": ["medical"]})).await.status(), 403);
    let found: Value = api_get(&s, &cw, "/providers?service=medical&place=arlit").await.json().await.unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let none: Value = api_get(&s, &cw, "/providers?service=legal").await.json().await.unwrap();
    assert!(none.as_array().unwrap().is_empty());
    let partner = json!({"username": "crs.agadez", "display_name": "Croix-Rouge Agadez desk", "password": "red cross desk password", "role": "partner", "offices": ["all"]});
    assert_eq!(api_post(&s, &admin, "/users", partner).await.status(), 201);
    assert_eq!(api_post(&s, &admin, &format!("/providers/{provider}/users"), json!({"username": "crs.agadez"})).await.status(), 204);
    let p = client()
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&json!({"username": "crs.agadez", "password": "red cross desk password"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();

    // A person and a referral: refused without their consent to share with this organisation.
    let office = office_of(&s, &cw).await;
    let r = api_post(
        &s,
        &cw,
        "/persons",
        json!({"person": {"names": [{"given": "Zeinab", "family": "Moussa"}], "sex": "female", "birth_date": "2000", "nationality": "NER", "phone": "+22796554433"},
               "case": {"kind": "transit_protection", "office_id": office}}),
    )
    .await;
    let ids: Value = r.json().await.unwrap();
    let (person, case) = (ids["person_id"].as_str().unwrap().to_string(), ids["case_id"].as_str().unwrap().to_string());
    let referral = json!({"provider_id": provider, "service": "medical", "fields": ["name", "sex"]});
    let r = api_post(&s, &cw, &format!("/cases/{case}/referrals"), referral.clone()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("err-referral-consent"));
    let consent = json!({"kind": "data_sharing", "partner": "croix-rouge agadez", "method": "written", "given_on": "2026-11-20"});
    let r = api_post(&s, &cw, &format!("/persons/{person}/consents"), consent).await;
    let consent_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api_post(&s, &cw, &format!("/cases/{case}/referrals"), json!({"provider_id": provider, "service": "legal", "fields": ["name"]}))
            .await
            .status(),
        422,
        "not a service it offers"
    );
    let r = api_post(&s, &cw, &format!("/cases/{case}/referrals"), referral.clone()).await;
    assert_eq!(r.status(), 201);
    let rid = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // The partner: the referral with the name and sex, nothing else; no case, no search.
    let list: Value = api_get(&s, &p, "/partner/referrals").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["person"]["name"], "Zeinab MOUSSA");
    assert_eq!(list[0]["person"]["sex"], "female");
    let text = list.to_string();
    assert!(!text.contains("22796554433") && !text.contains("2000") && !text.contains(&person), "{text}");
    assert_eq!(api_get(&s, &p, &format!("/cases/{case}")).await.status(), 403);
    assert_eq!(api_get(&s, &p, "/persons?q=zeinab").await.status(), 403);
    // Another caseworker's partner answers nothing of it; answers follow the transitions.
    assert_eq!(api_post(&s, &cw, &format!("/partner/referrals/{rid}"), json!({"status": "accepted"})).await.status(), 403);
    assert_eq!(api_post(&s, &p, &format!("/partner/referrals/{rid}"), json!({"status": "completed"})).await.status(), 422);
    assert_eq!(api_post(&s, &p, &format!("/partner/referrals/{rid}"), json!({"status": "accepted"})).await.status(), 204);
    assert_eq!(
        api_post(
            &s,
            &p,
            &format!("/partner/referrals/{rid}"),
            json!({"status": "completed", "feedback": "Seen at the clinic; follow-up in two weeks."})
        )
        .await
        .status(),
        204
    );
    let mine: Value = api_get(&s, &cw, &format!("/cases/{case}/referrals")).await.json().await.unwrap();
    assert_eq!(mine[0]["status"], "completed");
    assert_eq!(mine[0]["feedback"], "Seen at the clinic; follow-up in two weeks.");
    assert_eq!(mine[0]["overdue"], false);

    // Consent withdrawn: the partner sees nothing more of the person, and no new referral goes.
    assert_eq!(api_post(&s, &cw, &format!("/persons/{person}/consents/{consent_id}/withdraw"), json!({})).await.status(), 204);
    let list: Value = api_get(&s, &p, "/partner/referrals").await.json().await.unwrap();
    assert_eq!(list[0]["consent_withdrawn"], true);
    assert!(list[0]["person"].as_object().unwrap().is_empty(), "{list}");
    assert_eq!(api_post(&s, &cw, &format!("/cases/{case}/referrals"), referral).await.status(), 422);
}

both_backends!(a_partner_sees_only_what_the_person_agreed_to_share);
