//! Assisted voluntary returns through the API and the case page: one
//! person's journey, step by step, with the rules refusing what may not
//! happen yet (on both databases).

mod common;
use common::*;
use serde_json::{json, Value};

async fn avr_case(s: &Server, tok: &str, given: &str) -> (String, String) {
    let office = office_of(s, tok).await;
    let r = api_post(
        s,
        tok,
        "/persons",
        json!({"person": {"names": [{"given": given, "family": "Keita"}], "sex": "male", "birth_date": "1996", "nationality": "GIN"},
               "case": {"kind": "assisted_voluntary_return", "office_id": office}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let ids: Value = r.json().await.unwrap();
    (ids["person_id"].as_str().unwrap().to_string(), ids["case_id"].as_str().unwrap().to_string())
}

async fn step(s: &Server, tok: &str, case: &str, step: &str, body: Value) -> (u16, Value) {
    let r = api_post(s, tok, &format!("/cases/{case}/journey/steps/{step}"), body).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The queue's items of one kind, whatever their group.
fn queued<'a>(q: &'a Value, kind: &str) -> Vec<&'a Value> {
    q["groups"].as_array().unwrap().iter().flat_map(|g| g["items"].as_array().unwrap()).filter(|i| i["kind"] == kind).collect()
}

fn blocker<'a>(j: &'a Value, step: &str) -> &'a Value {
    &j["steps"].as_array().unwrap().iter().find(|s| s["step"] == step).unwrap()["blocker"]
}

async fn a_return_follows_its_rules(backend: Backend) {
    let s = server(backend, "avr", 3).await;
    let tok = token(&s, "agadez").await;
    let (_, case) = avr_case(&s, &tok, "Sekou").await;
    let j: Value = api_get(&s, &tok, &format!("/cases/{case}/journey")).await.json().await.unwrap();
    assert_eq!(j["steps"].as_array().unwrap().len(), 17, "an adult: no child assessments");
    assert_eq!(*blocker(&j, "booking"), json!("needs:voluntariness_confirmed,travel_document"));

    // Booking waits for voluntariness and a travel document; those two cannot be waived.
    assert_eq!(step(&s, &tok, &case, "booking", json!({"action": "done"})).await.0, 422);
    let (st, body) = step(&s, &tok, &case, "travel_document", json!({"action": "waive", "reason": "embassy closed"})).await;
    assert_eq!(st, 422, "{body}");
    assert!(body.to_string().contains("not_waivable"), "{body}");
    for (name, b) in [
        ("initial_interview", json!({"action": "done"})),
        ("return_counselling", json!({"action": "done", "on": "2026-11-02"})),
        ("voluntariness_confirmed", json!({"action": "done", "evidence": "declaration signed 2026-11-03"})),
        ("eligibility_confirmed", json!({"action": "done"})),
        ("travel_document", json!({"action": "done", "evidence": "laissez-passer from the consulate"})),
        ("exit_clearance", json!({"action": "waive", "reason": "not required for this border"})),
        ("booking", json!({"action": "done"})),
    ] {
        let (st, body) = step(&s, &tok, &case, name, b).await;
        assert_eq!(st, 200, "{name}: {body}");
    }
    // The medical decision: fit only with a medical escort.
    assert_eq!(step(&s, &tok, &case, "medical_screening", json!({"action": "done"})).await.0, 422, "the decision is required");
    let (st, j) = step(&s, &tok, &case, "medical_screening", json!({"action": "done", "fit_to_travel": "fit_with_escort"})).await;
    assert_eq!(st, 200);
    assert_eq!(*blocker(&j, "departure_assistance"), json!("needs_medical_escort"));
    assert_eq!(step(&s, &tok, &case, "departure_assistance", json!({"action": "done"})).await.0, 422);
    let (_, j) = step(&s, &tok, &case, "escort", json!({"action": "done", "escort": "medical"})).await;
    assert!(blocker(&j, "departure_assistance").is_null(), "{j}");
    // A bad action or date is a clear 422, an unknown step a 404.
    assert_eq!(step(&s, &tok, &case, "reception", json!({"action": "teleport"})).await.0, 422);
    assert_eq!(step(&s, &tok, &case, "reception", json!({"action": "done", "on": "2026-13-01"})).await.0, 422);
    assert_eq!(step(&s, &tok, &case, "levitation", json!({"action": "done"})).await.0, 404);

    // Withdrawn voluntariness stops everything; what was done stays.
    let (st, j) = step(&s, &tok, &case, "voluntariness_confirmed", json!({"action": "withdraw"})).await;
    assert_eq!(st, 200);
    assert_eq!(j["voluntariness_withdrawn"], true);
    assert_eq!(*blocker(&j, "departure_assistance"), json!("voluntariness_withdrawn"));
    assert_eq!(step(&s, &tok, &case, "departure_assistance", json!({"action": "done"})).await.0, 422);
    assert_eq!(step(&s, &tok, &case, "voluntariness_confirmed", json!({"action": "withdraw"})).await.0, 409);
    let done = j["steps"].as_array().unwrap().iter().filter(|s| s["state"] == "done").count();
    assert_eq!(done, 8);

    // A child: two more steps, which departure waits for and nobody may waive.
    let (_, child) = avr_case(&s, &tok, "Mamadi").await;
    let r = api_post(
        &s,
        &tok,
        &format!("/cases/{child}/screenings"),
        json!({"screened_on": "2026-11-01", "findings": ["unaccompanied_child"]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let j: Value = api_get(&s, &tok, &format!("/cases/{child}/journey")).await.json().await.unwrap();
    assert_eq!(j["unaccompanied_child"], true);
    assert_eq!(j["steps"].as_array().unwrap().len(), 19);
    assert_eq!(step(&s, &tok, &child, "family_assessment", json!({"action": "waive", "reason": "x"})).await.0, 422);

    // The case page shows the timeline; the trail has each step, evidence redacted.
    let audit = client();
    page_login(&s, &audit, "agadez").await;
    let html = audit.get(format!("{}/cases/{case}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Return journey") && html.contains("Booking and ticketing") && html.contains("withdrew their consent"),
        "case page"
    );
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let n: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'journey.step' AND changes NOT LIKE '%consulate%'")
            .fetch_one(&mut c)
            .await
            .unwrap(),
        0,
    );
    assert_eq!(n, 9, "one entry a step recorded (seven, the medical screening, the escort), evidence redacted");
}

/// Every pre-departure step of a return case, done.
async fn make_ready(s: &Server, tok: &str, case: &str) {
    for name in [
        "initial_interview",
        "return_counselling",
        "voluntariness_confirmed",
        "eligibility_confirmed",
        "travel_document",
        "exit_clearance",
        "booking",
    ] {
        assert_eq!(step(s, tok, case, name, json!({"action": "done"})).await.0, 200, "{name}");
    }
    assert_eq!(step(s, tok, case, "medical_screening", json!({"action": "done", "fit_to_travel": "fit"})).await.0, 200);
}

async fn a_bus_convoy_takes_the_ready_home(backend: Backend) {
    let s = server(backend, "convoy", 3).await;
    let cw = token(&s, "agadez").await;
    let mover = token(&s, "movements").await;
    let office = office_of(&s, &cw).await;
    let (_, ready) = avr_case(&s, &cw, "Lansana").await;
    let (_, second) = avr_case(&s, &cw, "Ousmane").await;
    let (_, not_ready) = avr_case(&s, &cw, "Fode").await;
    make_ready(&s, &cw, &ready).await;
    make_ready(&s, &cw, &second).await;

    // Only a movement officer plans; the form is checked.
    let plan = json!({"kind": "bus_convoy", "office_id": office, "origin": "Agadez bus station", "transit": ["Niamey", "Bamako"],
                      "destination_country": "GIN", "destination": "Conakry", "departure_on": "2026-12-01", "arrival_on": "2026-12-04", "capacity": "1"});
    assert_eq!(api_post(&s, &cw, "/movements", plan.clone()).await.status(), 403);
    let mut bad = plan.clone();
    bad["capacity"] = json!("0");
    assert_eq!(api_post(&s, &mover, "/movements", bad).await.status(), 422);
    let r = api_post(&s, &mover, "/movements", plan).await;
    assert_eq!(r.status(), 201);
    let mv = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // The manifest takes only the ready, within capacity, once.
    let r = api_post(&s, &mover, &format!("/movements/{mv}/travellers"), json!({"case_id": not_ready})).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("needs:"), "says what the journey still needs");
    assert_eq!(api_post(&s, &mover, &format!("/movements/{mv}/travellers"), json!({"case_id": ready})).await.status(), 204);
    let r = api_post(&s, &mover, &format!("/movements/{mv}/travellers"), json!({"case_id": second})).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("err-movement-full"));
    let file: Value = api_get(&s, &mover, &format!("/movements/{mv}")).await.json().await.unwrap();
    assert_eq!(file["movement"]["seats_held"], 1);
    assert_eq!(file["movement"]["transit"], json!(["Niamey", "Bamako"]));
    assert_eq!(file["travellers"][0]["name"], "Lansana KEITA", "the manifest names the traveller as registered");

    // Boarded, departed, arrived: the journey's transport phase follows.
    assert_eq!(
        api_post(&s, &mover, &format!("/movements/{mv}/travellers/{ready}/status"), json!({"status": "arrived"})).await.status(),
        422
    );
    assert_eq!(
        api_post(&s, &mover, &format!("/movements/{mv}/travellers/{ready}/status"), json!({"status": "boarded"})).await.status(),
        204
    );
    assert_eq!(
        api_post(&s, &mover, &format!("/movements/{mv}/status"), json!({"status": "arrived"})).await.status(),
        422,
        "not before departing"
    );
    assert_eq!(api_post(&s, &mover, &format!("/movements/{mv}/status"), json!({"status": "departed"})).await.status(), 204);
    let j: Value = api_get(&s, &cw, &format!("/cases/{ready}/journey")).await.json().await.unwrap();
    let state = |j: &Value, st: &str| j["steps"].as_array().unwrap().iter().find(|x| x["step"] == st).unwrap()["state"].clone();
    assert_eq!(state(&j, "departure_assistance"), "done");
    assert_eq!(api_post(&s, &mover, &format!("/movements/{mv}/travellers"), json!({"case_id": second})).await.status(), 409, "it has left");
    assert_eq!(api_post(&s, &mover, &format!("/movements/{mv}/status"), json!({"status": "arrived"})).await.status(), 204);
    let j: Value = api_get(&s, &cw, &format!("/cases/{ready}/journey")).await.json().await.unwrap();
    for st in ["movement_coordination", "transit_assistance"] {
        assert_eq!(state(&j, st), "done", "{st}");
    }
    assert_eq!(state(&j, "escort"), "waived", "no escort arranged");
    let file: Value = api_get(&s, &mover, &format!("/movements/{mv}")).await.json().await.unwrap();
    assert_eq!(file["travellers"][0]["status"], "arrived");
    assert_eq!(file["movement"]["status"], "arrived");
    // The manifest for the carrier: CSV with only the fields it needs, for movement officers.
    let r = api_get(&s, &mover, &format!("/movements/{mv}/manifest.csv")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}#,name,sex,birth_year,nationality,case_reference"), "{csv}");
    assert!(csv.contains("Lansana KEITA,male,1996,GIN,"), "{csv}");
    assert_eq!(api_get(&s, &cw, &format!("/movements/{mv}/manifest.csv")).await.status(), 403);
    let r = api_get(&s, &mover, &format!("/movements/{mv}/manifest.xlsx")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip");
    // With HXL hashtags, checked by the reference library, as CSV and as XLSX.
    let csv = api_get(&s, &mover, &format!("/movements/{mv}/manifest.csv?hxl=true")).await.bytes().await.unwrap();
    let (ok, said) = hxl_validate(&csv, "csv", "manifest-hxl-schema.csv");
    assert!(ok, "{said}");
    let xlsx = api_get(&s, &mover, &format!("/movements/{mv}/manifest.xlsx?hxl=true")).await.bytes().await.unwrap();
    let (ok, said) = hxl_validate(&xlsx, "xlsx", "manifest-hxl-schema.csv");
    assert!(ok, "{said}");
    assert_eq!(api_get(&s, &mover, &format!("/movements/{mv}/manifest.csv?hxl=perhaps")).await.status(), 400);
    // The same movement in the browser: its page, the printable manifest, and planning another.
    let page = client();
    page_login(&s, &page, "movements").await;
    let html = page.get(format!("{}/movements/{mv}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Lansana KEITA") && html.contains("Arrived") && html.contains("Printable manifest"), "movement page");
    let html = page.get(format!("{}/movements/{mv}/manifest", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("1 travellers for 1 seats") || html.contains("travellers for 1 seats"), "printable manifest");
    let list = page.get(format!("{}/movements", s.url)).send().await.unwrap().text().await.unwrap();
    let csrf = list.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = page
        .post(format!("{}/movements", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "charter_flight"),
            ("office_id", office.as_str()),
            ("origin", "Niamey airport"),
            ("transit", ""),
            ("destination_country", "GIN"),
            ("destination", "Conakry"),
            ("departure_on", "2026-12-10"),
            ("capacity", "150"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/movements/"));
    let r = page.post(format!("{}/movements", s.url)).form(&[("csrf", csrf.as_str()), ("kind", "zeppelin")]).send().await.unwrap();
    assert_eq!(r.status(), 422, "a bad form comes back with its errors");
    // A caseworker of another country sees nothing of it.
    let conakry = token(&s, "conakry").await;
    assert_eq!(api_get(&s, &conakry, &format!("/movements/{mv}")).await.status(), 404);
}

async fn a_case_is_handed_over_to_the_country_of_origin(backend: Backend) {
    let s = server(backend, "handover", 3).await;
    let niger = token(&s, "agadez").await;
    let guinea = token(&s, "conakry").await;
    let (person, case) = avr_case(&s, &niger, "Aboubacar").await;
    assert_eq!(api_post(&s, &niger, &format!("/cases/{case}/notes"), json!({"body": "Recorded in Agadez."})).await.status(), 201);

    // Consent first; not to its own office; only by the case's own office.
    let r = api_post(&s, &niger, &format!("/cases/{case}/handover"), json!({"to_office": "GIN-CKY"})).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("err-handover-consent"));
    let consent = json!({"kind": "handover", "method": "written", "given_on": "2026-11-20"});
    assert_eq!(api_post(&s, &niger, &format!("/persons/{person}/consents"), consent).await.status(), 201);
    assert_eq!(api_post(&s, &niger, &format!("/cases/{case}/handover"), json!({"to_office": "NER-AGZ"})).await.status(), 422);
    assert_eq!(api_post(&s, &guinea, &format!("/cases/{case}/handover"), json!({"to_office": "GIN-CKY"})).await.status(), 404);
    let r = api_post(&s, &niger, &format!("/cases/{case}/handover"), json!({"to_office": "GIN-CKY"})).await;
    assert_eq!(r.status(), 201);
    let h = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api_post(&s, &niger, &format!("/cases/{case}/handover"), json!({"to_office": "GIN-CKY"})).await.status(),
        409,
        "one at a time"
    );

    // Guinea sees the request (reference, not the person) but not the case until it accepts.
    let pending: Value = api_get(&s, &guinea, "/handovers").await.json().await.unwrap();
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert!(!pending.to_string().contains("Aboubacar"), "{pending}");
    assert_eq!(api_get(&s, &guinea, &format!("/cases/{case}")).await.status(), 404);
    assert_eq!(
        api_post(&s, &niger, &format!("/handovers/{h}/accept"), json!({})).await.status(),
        404,
        "the sender cannot accept for Guinea"
    );
    let r = api_post(&s, &guinea, &format!("/handovers/{h}/accept"), json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(api_post(&s, &guinea, &format!("/handovers/{h}/accept"), json!({})).await.status(), 409);

    // Now Guinea works the case and finds the person; Niger keeps reading what it recorded, and no longer writes.
    let file: Value = api_get(&s, &guinea, &format!("/cases/{case}")).await.json().await.unwrap();
    assert_eq!(file["notes"][0]["body"], "Recorded in Agadez.");
    assert_eq!(api_post(&s, &guinea, &format!("/cases/{case}/notes"), json!({"body": "Arrived in Conakry."})).await.status(), 201);
    let hits: Value = api_get(&s, &guinea, "/persons?q=aboubacar%20keita").await.json().await.unwrap();
    assert!(hits["hits"].as_array().unwrap().iter().any(|x| x["person_id"] == person.as_str()), "findable in Guinea: {hits}");
    assert_eq!(api_get(&s, &niger, &format!("/cases/{case}")).await.status(), 200, "the sender keeps reading");
    let hits: Value = api_get(&s, &niger, "/persons?q=aboubacar%20keita").await.json().await.unwrap();
    assert!(hits["hits"].as_array().unwrap().iter().any(|x| x["person_id"] == person.as_str()), "and finding: {hits}");
    assert_eq!(api_post(&s, &niger, &format!("/cases/{case}/notes"), json!({"body": "x"})).await.status(), 403, "but not writing");

    // The queue: Guinea's caseworker sees what waits for them; the home page shows it.
    let q: Value = api_get(&s, &guinea, "/queue").await.json().await.unwrap();
    assert!(queued(&q, "handover_to_decide").is_empty(), "accepted: nothing waits");
    assert!(queued(&q, "return_step").iter().any(|d| d["case_id"] == case.as_str()), "the next step of the handed-over case: {q}");

    // Declined with a reason: the case stays where it was.
    let (person2, case2) = avr_case(&s, &niger, "Mory").await;
    let consent = json!({"kind": "handover", "method": "verbal", "given_on": "2026-11-20"});
    assert_eq!(api_post(&s, &niger, &format!("/persons/{person2}/consents"), consent).await.status(), 201);
    let h2 =
        api_post(&s, &niger, &format!("/cases/{case2}/handover"), json!({"to_office": "GIN-CKY"})).await.json::<Value>().await.unwrap()
            ["id"]
            .as_str()
            .unwrap()
            .to_string();
    let q: Value = api_get(&s, &guinea, "/queue").await.json().await.unwrap();
    assert_eq!(queued(&q, "handover_to_decide").len(), 1);
    let home = client();
    page_login(&s, &home, "conakry").await;
    let html = home.get(format!("{}/", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("to accept or decline") && html.contains(&format!("/handovers/{h2}/accept")), "home page queue");
    assert_eq!(api_post(&s, &guinea, &format!("/handovers/{h2}/decline"), json!({"reason": " "})).await.status(), 422);
    assert_eq!(api_post(&s, &guinea, &format!("/handovers/{h2}/decline"), json!({"reason": "Not from our area"})).await.status(), 204);
    assert_eq!(api_get(&s, &guinea, &format!("/cases/{case2}")).await.status(), 404);
    assert_eq!(api_post(&s, &niger, &format!("/cases/{case2}/notes"), json!({"body": "Still ours."})).await.status(), 201);
    let o = run(&["check", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

async fn reintegration_plans_and_monitoring_visits(backend: Backend) {
    let s = server(backend, "reintegration", 3).await;
    let guinea = token(&s, "conakry").await;
    let officer = token(&s, "reintegration").await;
    let office = office_of(&s, &guinea).await;
    let (_, case) = avr_case(&s, &guinea, "Naby").await;
    let file: Value = api_get(&s, &guinea, &format!("/cases/{case}")).await.json().await.unwrap();
    let reference = file["case"]["reference"].as_str().unwrap().to_string();

    // Only a reintegration officer plans; an individual plan is for one returnee.
    let plan = json!({"kind": "individual", "office_id": office, "title": "Tailoring workshop", "cases": [reference]});
    assert_eq!(api_post(&s, &guinea, "/plans", plan.clone()).await.status(), 403);
    let mut two = plan.clone();
    two["cases"] = json!([reference, "GIN-CKY-2026-999999"]);
    assert_eq!(api_post(&s, &officer, "/plans", two).await.status(), 422);
    let r = api_post(&s, &officer, "/plans", plan).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // Activities with their budget; transitions in order.
    let r = api_post(
        &s,
        &officer,
        &format!("/plans/{id}/activities"),
        json!({"kind": "business_start_up_kit", "budget": "1500", "currency": "EUR"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let act = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api_post(&s, &officer, &format!("/plans/{id}/activities"), json!({"kind": "lottery", "budget": "-5", "currency": "EUR"}))
            .await
            .status(),
        422
    );
    assert_eq!(api_post(&s, &officer, &format!("/plans/{id}/activities/{act}/status"), json!({"status": "completed"})).await.status(), 422);
    assert_eq!(
        api_post(&s, &officer, &format!("/plans/{id}/activities/{act}/status"), json!({"status": "in_progress"})).await.status(),
        204
    );
    let p: Value = api_get(&s, &officer, &format!("/plans/{id}")).await.json().await.unwrap();
    assert_eq!(p["budget_total"], 1500);
    assert_eq!(p["budget_per_beneficiary"], 1500);
    assert_eq!(api_get(&s, &token(&s, "agadez").await, &format!("/plans/{id}")).await.status(), 404, "another country's plan");

    // Visits at 3, 6 and 12 months; recorded once, notes sealed.
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    let visits = visits.as_array().unwrap().clone();
    assert_eq!(visits.len(), 3);
    let v = visits[0]["id"].as_str().unwrap();
    assert_eq!(api_post(&s, &guinea, &format!("/visits/{v}"), json!({"status": "done"})).await.status(), 403);
    assert_eq!(api_post(&s, &officer, &format!("/visits/{v}"), json!({"status": "scheduled"})).await.status(), 422);
    // Follow-up contact needs its consent.
    let r = api_post(&s, &officer, &format!("/visits/{v}"), json!({"status": "done"})).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("err-follow-up-consent"));
    let person = file["case"]["person_id"].as_str().unwrap();
    let consent = json!({"kind": "follow_up_contact", "method": "verbal", "given_on": "2026-11-01"});
    assert_eq!(api_post(&s, &guinea, &format!("/persons/{person}/consents"), consent).await.status(), 201);
    let r = api_post(
        &s,
        &officer,
        &format!("/visits/{v}"),
        json!({"status": "done", "done_on": "2026-11-20", "notes": "Shop open; sleeps badly."}),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert_eq!(api_post(&s, &officer, &format!("/visits/{v}"), json!({"status": "missed"})).await.status(), 409);
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    assert_eq!(visits[0]["notes"], "Shop open; sleeps badly.");
    // The same in the browser: the case page's reintegration section and the plan's page.
    let page = client();
    page_login(&s, &page, "reintegration").await;
    let html = page.get(format!("{}/cases/{case}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Monitoring visits") && html.contains("Shop open; sleeps badly.") && html.contains("Tailoring workshop"),
        "case page"
    );
    let html = page.get(format!("{}/plans/{id}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Business start-up kit") && html.contains("1500 EUR"), "plan page");
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let n: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM monitoring_visits WHERE notes LIKE 'sealed:v1:%'").fetch_one(&mut c).await.unwrap(),
        0,
    );
    assert_eq!(n, 1, "visit notes are sealed at rest");
}

both_backends!(
    a_return_follows_its_rules,
    a_bus_convoy_takes_the_ready_home,
    a_case_is_handed_over_to_the_country_of_origin,
    reintegration_plans_and_monitoring_visits
);
