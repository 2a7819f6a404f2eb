//! The work queue grouped by what is due: urgent protection cases, overdue,
//! today, this week, later, and what waits on others; with counts, filters by
//! office and case kind, the same on the API and the home page (both databases).

mod common;
use common::*;
use passage_domain::date::CalendarDate;
use serde_json::{json, Value};

fn group<'a>(q: &'a Value, g: &str) -> &'a Value {
    q["groups"].as_array().unwrap().iter().find(|x| x["group"] == g).unwrap_or_else(|| panic!("no group {g} in {q}"))
}

fn kinds_in(q: &Value, g: &str) -> Vec<String> {
    group(q, g)["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect()
}

async fn register(s: &Server, tok: &str, given: &str, kind: &str) -> (String, String) {
    let office = office_of(s, tok).await;
    let r = api_post(
        s,
        tok,
        "/persons",
        json!({"person": {"names": [{"given": given, "family": "Camara"}], "sex": "female", "birth_date": "1999", "nationality": "GIN"},
               "case": {"kind": kind, "office_id": office}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let ids: Value = r.json().await.unwrap();
    (ids["person_id"].as_str().unwrap().to_string(), ids["case_id"].as_str().unwrap().to_string())
}

async fn the_queue_sorts_itself(backend: Backend) {
    let s = server(backend, "queue", 1).await;
    let agadez = token(&s, "agadez").await;
    let conakry = token(&s, "conakry").await;
    let mover = token(&s, "movements").await;
    let today = CalendarDate::today();

    // A victim of trafficking screened: urgent, whatever else is due.
    let (_, vot) = register(&s, &agadez, "Aissata", "transit_protection").await;
    let r = api_post(
        &s,
        &agadez,
        &format!("/cases/{vot}/screenings"),
        json!({"screened_on": today.to_string(), "findings": ["victim_of_trafficking"], "exploitation": ["sexual"]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    // A return whose first step is ready: today.
    let (person, avr) = register(&s, &agadez, "Mariama", "assisted_voluntary_return").await;
    // A hand-over asked for: waiting on Conakry for Agadez, to decide today for Conakry.
    let consent = json!({"kind": "handover", "method": "verbal", "given_on": today.to_string()});
    assert_eq!(api_post(&s, &agadez, &format!("/persons/{person}/consents"), consent).await.status(), 201);
    assert_eq!(api_post(&s, &agadez, &format!("/cases/{avr}/handover"), json!({"to_office": "GIN-CKY"})).await.status(), 201);

    let q: Value = api_get(&s, &agadez, "/queue").await.json().await.unwrap();
    assert_eq!(q["today"], json!(today.to_string()));
    let groups: Vec<&str> = q["groups"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["urgent", "overdue", "today", "this_week", "later", "waiting"], "every group, most pressing first");
    for g in q["groups"].as_array().unwrap() {
        assert_eq!(g["count"].as_u64().unwrap() as usize, g["items"].as_array().unwrap().len(), "{g}");
    }
    assert_eq!(kinds_in(&q, "urgent"), ["protection_case"]);
    let urgent = &group(&q, "urgent")["items"][0];
    assert_eq!(urgent["case_id"], json!(vot));
    assert_eq!(urgent["detail"], json!("victim_of_trafficking"));
    assert!(kinds_in(&q, "today").contains(&"return_step".to_string()), "{q}");
    assert_eq!(kinds_in(&q, "waiting"), ["handover_sent"]);
    assert_eq!(q["total"], json!(3));
    let cq: Value = api_get(&s, &conakry, "/queue").await.json().await.unwrap();
    assert_eq!(kinds_in(&cq, "today"), ["handover_to_decide"]);
    assert!(group(&cq, "today")["items"][0]["handover_id"].is_string());
    assert_eq!(kinds_in(&cq, "urgent"), Vec::<String>::new(), "another office's protection case is not Conakry's");

    // Filters: by case kind, by office; a filter matching nothing is an empty queue, a kind that does not exist is a 422.
    let q: Value = api_get(&s, &agadez, "/queue?kind=transit_protection").await.json().await.unwrap();
    assert_eq!(q["total"], json!(1));
    assert_eq!(kinds_in(&q, "urgent"), ["protection_case"]);
    let q: Value = api_get(&s, &agadez, "/queue?office=ner-agz&kind=assisted_voluntary_return").await.json().await.unwrap();
    assert_eq!(q["total"], json!(2), "{q}");
    let q: Value = api_get(&s, &agadez, "/queue?office=GIN-CKY").await.json().await.unwrap();
    assert_eq!(q["total"], json!(0));
    let r = api_get(&s, &agadez, "/queue?kind=shipwreck").await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(api_get(&s, &agadez, "/queue?ofice=NER-AGZ").await.status(), 400, "a misspelt filter is not ignored");

    // Movements by their departure: one left without being marked (overdue), this week, within two weeks, further (not shown).
    let office = office_of(&s, &agadez).await;
    for days in [-2, 3, 10, 20] {
        let plan = json!({"kind": "bus_convoy", "office_id": office, "origin": "Agadez bus station", "transit": [],
                          "destination_country": "GIN", "destination": "Conakry",
                          "departure_on": today.add_days(days).to_string(), "capacity": "40"});
        let r = api_post(&s, &mover, "/movements", plan).await;
        assert_eq!(r.status(), 201, "{days}: {}", r.text().await.unwrap());
    }
    let q: Value = api_get(&s, &mover, "/queue").await.json().await.unwrap();
    assert_eq!(kinds_in(&q, "overdue"), ["movement_departing"]);
    assert_eq!(kinds_in(&q, "this_week"), ["movement_departing"]);
    assert_eq!(kinds_in(&q, "later"), ["movement_departing"]);
    assert_eq!(group(&q, "later")["items"][0]["due_on"], json!(today.add_days(10).to_string()));
    let q: Value = api_get(&s, &mover, "/queue?kind=assisted_voluntary_return").await.json().await.unwrap();
    assert!(kinds_in(&q, "overdue").is_empty(), "a movement has no case kind");

    // The home page: the groups with their counts, the urgent one first.
    let c = client();
    page_login(&s, &c, "agadez").await;
    let html = c.get(format!("{}/", s.url)).send().await.unwrap().text().await.unwrap();
    let urgent_at = html.find("id=\"q-urgent\"").expect("an urgent section");
    let today_at = html.find("id=\"q-today\"").expect("a today section");
    let waiting_at = html.find("id=\"q-waiting\"").expect("a waiting section");
    assert!(urgent_at < today_at && today_at < waiting_at);
    assert!(html.contains("Urgent (1)") && html.contains("Waiting on others (1)"), "counts on each group");
    assert!(html.contains("Protection: Victim of trafficking"));
    assert!(!html.contains("id=\"q-overdue\""), "an empty group has no section");
    let html = c.get(format!("{}/?kind=unaccompanied_child", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Nothing waits for you with these filters."));
}

#[tokio::test]
async fn the_queue_sorts_itself_sqlite() {
    the_queue_sorts_itself(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_queue_sorts_itself_postgres() {
    the_queue_sorts_itself(Backend::Postgres).await;
}
