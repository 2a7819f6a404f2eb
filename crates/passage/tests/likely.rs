//! Likely persons at registration (issue 7): before a person is saved, the
//! persons already registered who may be them, scored by the linkage model
//! with each field's part — only among those the user may see, over the API
//! and on the registration page.

mod common;
use common::*;
use serde_json::{json, Value};

async fn likely_persons_before_registering(backend: Backend) {
    let s = server(backend, "likely", 5).await;
    let agadez = token(&s, "agadez").await;
    let office = office_of(&s, &agadez).await;
    let r = api_post(
        &s,
        &agadez,
        "/persons",
        json!({"person": {"names": [{"given": "Mamadou", "family": "Zerbo"}], "sex": "male", "birth_date": "1998-03-14", "nationality": "GIN", "phone": "+224 620 11 22 33"}, "case": {"kind": "transit_protection", "office_id": office}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["person_id"].as_str().unwrap().to_string();

    // Another spelling, the year only, the phone written another way: the same man, and why.
    let probe = json!({"names": [{"given": "Mamadu", "family": "Zerbo"}], "sex": "male", "birth_date": "1998", "birth_date_precision": "year", "nationality": "GIN", "phone": "00224620112233"});
    let r = api_post(&s, &agadez, "/persons/likely", probe.clone()).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let first = &v["likely"][0];
    assert_eq!(first["person_id"], id, "{v}");
    assert!(first["probability"].as_f64().unwrap() > 0.9, "{v}");
    let fields: Vec<&str> = first["explanation"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"phone") && fields.contains(&"given_name") && fields.contains(&"family_name"), "{v}");
    // A woman of another name is not him.
    let r = api_post(
        &s,
        &agadez,
        "/persons/likely",
        json!({"names": [{"given": "Aissatou", "family": "Zerbo"}], "sex": "female", "birth_date": "1975"}),
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert!(v["likely"].as_array().unwrap().iter().all(|l| l["person_id"] != id || l["probability"].as_f64().unwrap() < 0.5), "{v}");
    // Nothing typed yet: nothing to say.
    let v: Value = api_post(&s, &agadez, "/persons/likely", json!({"names": []})).await.json().await.unwrap();
    assert_eq!(v["likely"].as_array().unwrap().len(), 0);
    // Another office's caseworker does not learn of him; a programme viewer may not ask.
    let niamey = token(&s, "niamey").await;
    let v: Value = api_post(&s, &niamey, "/persons/likely", probe.clone()).await.json().await.unwrap();
    assert!(v["likely"].as_array().unwrap().iter().all(|l| l["person_id"] != id), "{v}");
    let viewer = token(&s, "viewer").await;
    assert_eq!(api_post(&s, &viewer, "/persons/likely", probe).await.status(), 403);

    // On the registration page: "check first" shows him and saves nothing.
    let c = client();
    page_login(&s, &c, "agadez").await;
    let page = c.get(format!("{}/persons/new", s.url)).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page[at..at + page[at..].find('"').unwrap()];
    let r = c
        .post(format!("{}/persons", s.url))
        .form(&[
            ("csrf", csrf),
            ("given", "Mamadu"),
            ("family", "Zerbo"),
            ("sex", "male"),
            ("birth_date", "1998"),
            ("birth_date_precision", "year"),
            ("check", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("Already registered?") && text.contains(&format!("/persons/{id}")), "{text}");
}

both_backends!(likely_persons_before_registering);
