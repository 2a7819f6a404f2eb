//! Crisis messages through a real gateway: Debian's Kannel (bearerbox and
//! smsbox) with its fake SMSC (`fakesmsc` from kannel-extras), all on
//! loopback ports, started and stopped by each test. `./scripts/test`
//! installs the packages. The tests prove delivery and delivery reports, an
//! outbox that waits while Kannel is down, an inbound STOP that withdraws
//! consent and is confirmed, a reply that lands on the hotline desk, forged
//! callbacks refused, a restart in the middle of a 1,000-recipient broadcast
//! without a message sent twice, and a large broadcast that waits for a
//! second user.

mod common;
mod kannel;
use common::*;
use kannel::{free_port, Kannel, Ports};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

const SECRET: &str = "test-callback-secret-0123456789";
/// Passage's configuration file: Kannel on `ports`, callbacks to `passage`.
fn config(ports: Ports, passage: &str, approval_above: i64, rate: u32) -> PathBuf {
    let p = tmpdir("sms-config").join("passage.toml");
    std::fs::write(
        &p,
        format!(
            r#"[sms]
gateway = "kannel"
sendsms_url = "{}"
username = "passage"
password = "secret"
smsc = "FAKE"
sender = "1234"
callback_url = "{passage}"
callback_secret = "{SECRET}"
rate_per_second = {rate}
concurrency = 8
approval_above = {approval_above}
segment_limit = 2
cost_per_segment = 0.02
currency = "USD"
stop_words = ["dakata"]
"#,
            ports.sendsms_url()
        ),
    )
    .unwrap();
    p
}

/// A generated database and Passage serving it on a fixed port with SMS configured.
async fn passage(backend: Backend, tag: &str, persons: u32, ports: Ports, approval_above: i64, rate: u32) -> (Server, String, PathBuf) {
    let db = fresh_database(backend, tag).await;
    let out = run(
        &["generate", "--demo-users", "--no-route-data", "--persons", &persons.to_string(), "--seed", "11", "--database-url", &db],
        None,
    );
    assert!(out.status.success(), "generate failed: {}", String::from_utf8_lossy(&out.stderr));
    let bind = format!("127.0.0.1:{}", free_port());
    let url = format!("http://{bind}");
    let cfg = config(ports, &url, approval_above, rate);
    let log = std::fs::File::create(cfg.with_file_name("passage.log")).unwrap();
    let s = start_logging(&bind, &db, &["--config", cfg.to_str().unwrap()], Stdio::from(log));
    assert_eq!(s.url, url);
    (s, bind, cfg)
}

/// Register a person with a phone, a language and consent to follow-up contact: (person id, consent id).
async fn contactable(s: &Server, tok: &str, given: &str, phone: &str, language: &str) -> (String, String) {
    let office = office_of(s, tok).await;
    let r = api_post(
        s,
        tok,
        "/persons",
        json!({"person": {"names": [{"given": given, "family": "Testperson"}], "sex": "female", "birth_date": "1994", "nationality": "GIN",
                          "phone": phone, "languages": [language]},
               "case": {"kind": "transit_protection", "office_id": office}}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let person = r.json::<Value>().await.unwrap()["person_id"].as_str().unwrap().to_string();
    let r = api_post(
        s,
        tok,
        &format!("/persons/{person}/consents"),
        json!({"kind": "follow_up_contact", "method": "verbal", "given_on": "2026-11-02"}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let consent = r.json::<Value>().await.unwrap()["id"].as_str().unwrap_or_default().to_string();
    (person, consent)
}

async fn broadcast(s: &Server, tok: &str, body: Value) -> String {
    let r = api_post(s, tok, "/broadcasts", body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn view(s: &Server, tok: &str, id: &str) -> Value {
    let r = api_get(s, tok, &format!("/broadcasts/{id}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn count(v: &Value, status: &str) -> i64 {
    v["messages"][status].as_i64().unwrap_or(0)
}

/// Wait until `done` holds of the broadcast's view, or fail with the last one seen.
async fn until(s: &Server, tok: &str, id: &str, secs: u64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = view(s, tok, id).await;
        if done(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: {}", v["messages"]);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn delivery_stop_and_replies(backend: Backend) {
    let ports = Ports::new();
    let (s, _, cfg) = passage(backend, "sms-delivery", 40, ports, 1000, 200).await;
    let tok = token(&s, "protection").await;
    let (aminata, _) = contactable(&s, &tok, "Aminata", "+224 620 00 00 01", "fra").await;
    let (khadija, _) = contactable(&s, &tok, "Khadija", "+224620000002", "ara").await;
    let (fanta, _) = contactable(&s, &tok, "Fanta", "+224620000003", "bam").await;
    // Consented, but a number no network has: reported, never sent.
    contactable(&s, &tok, "Hawa", "+22320123456", "fra").await;

    let id = broadcast(
        &s,
        &tok,
        json!({"title": "Convoy", "fallback_language": "fra",
               "texts": [{"language": "fra", "body": "Le convoi pour Conakry part mardi à 8h de la gare d'Agadez."},
                         {"language": "ara", "body": "القافلة إلى كوناكري تغادر يوم الثلاثاء الساعة الثامنة."}],
               "audience": {"nationality": "GIN"}}),
    )
    .await;
    let v = view(&s, &tok, &id).await;
    let text = v.to_string();
    for secret in ["+224620000001", "Aminata", "Testperson"] {
        assert!(!text.contains(secret), "the preview shows {secret}: {text}");
    }
    assert!(v["unreachable"].as_i64().unwrap() >= 1, "{v}");
    let lines = v["lines"].as_array().unwrap();
    let fra = lines.iter().find(|l| l["language"] == "fra").unwrap();
    let ara = lines.iter().find(|l| l["language"] == "ara").unwrap();
    assert_eq!(fra["encoding"], "gsm7");
    assert_eq!(ara["encoding"], "ucs2");
    assert!(fra["by_fallback"].as_i64().unwrap() >= 1, "the Bambara speaker gets the French text: {v}");
    let recipients = v["recipients"].as_i64().unwrap();
    assert_eq!(recipients, fra["recipients"].as_i64().unwrap() + ara["recipients"].as_i64().unwrap());
    assert!((v["cost"].as_f64().unwrap() - v["segments"].as_f64().unwrap() * 0.02).abs() < 1e-9);

    // Kannel is not running yet: the outbox waits and says so.
    let r = api_post(&s, &tok, &format!("/broadcasts/{id}/send"), json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let v = until(&s, &tok, &id, 20, "the gateway is seen down", |v| !v["health"]["down_since"].is_null()).await;
    assert_eq!(count(&v, "failed") + count(&v, "unknown"), 0, "{v}");
    assert_eq!(count(&v, "queued") + count(&v, "sending"), recipients, "{v}");
    let page = page_get(&s, "protection", &format!("/messages/{id}")).await;
    assert!(page.contains("cannot be reached"), "the page says the gateway is down");

    let kannel = Kannel::start(&tmpdir("kannel"), ports, &s.url, SECRET, true);
    let v = until(&s, &tok, &id, 60, "every message delivered", |v| count(v, "delivered") == recipients).await;
    assert!(v["health"]["down_since"].is_null(), "{v}");
    let got = kannel.received();
    assert_eq!(got.len() as i64, recipients, "{got:?}");
    let mut per_number: HashMap<&str, usize> = HashMap::new();
    for (to, _, _) in &got {
        *per_number.entry(to).or_default() += 1;
    }
    assert!(per_number.values().all(|n| *n == 1) || per_number.len() as i64 >= recipients - 2, "{per_number:?}");
    let to_aminata: Vec<_> = got.iter().filter(|(to, _, _)| to == "+224620000001").collect();
    assert_eq!(to_aminata.len(), 1, "{got:?}");
    assert!(to_aminata[0].2.contains("Le convoi pour Conakry"), "{to_aminata:?}");
    assert!(got.iter().any(|(to, kind, _)| to == "+224620000002" && kind == "ucs-2"), "Arabic goes as UCS-2: {got:?}");
    assert!(!got.iter().any(|(to, _, _)| to == "+22320123456"), "an invalid number is never sent to");

    // A STOP withdraws Aminata's consent (audited) and is confirmed in French.
    kannel.text_from("+224620000001", "STOP");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let p: Value = api_get(&s, &tok, &format!("/persons/{aminata}")).await.json().await.unwrap();
        let withdrawn = p["consents"].as_array().unwrap().iter().any(|c| c["kind"] == "follow_up_contact" && !c["withdrawn_on"].is_null());
        let confirmed = kannel.received().iter().any(|(to, _, text)| to == "+224620000001" && text.contains("ne recevrez plus"));
        if withdrawn && confirmed {
            break;
        }
        assert!(Instant::now() < deadline, "STOP not applied: {p}; received {:?}", kannel.received());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // In Arabic too, from a handset that writes it in Arabic script; the confirmation goes back in Arabic (UCS-2).
    kannel.text_from("+224620000002", "توقف");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let p: Value = api_get(&s, &tok, &format!("/persons/{khadija}")).await.json().await.unwrap();
        let withdrawn = p["consents"].as_array().unwrap().iter().any(|c| c["kind"] == "follow_up_contact" && !c["withdrawn_on"].is_null());
        let confirmed = kannel.received().iter().filter(|(to, kind, _)| to == "+224620000002" && kind == "ucs-2").count() == 2;
        if withdrawn && confirmed {
            break;
        }
        assert!(Instant::now() < deadline, "توقف not applied: {p}; received {:?}", kannel.received());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let admin = token(&s, "admin").await;
    let audit: Value = api_get(&s, &admin, &format!("/audit?person={aminata}")).await.json().await.unwrap();
    assert!(audit.to_string().contains("sms_stop") && audit.to_string().contains("consent.withdraw"), "{audit}");
    // A new broadcast to the same audience leaves her out.
    let again = broadcast(
        &s,
        &tok,
        json!({"title": "Again", "texts": [{"language": "fra", "body": "Rappel."}], "audience": {"nationality": "GIN"}}),
    )
    .await;
    assert_eq!(view(&s, &tok, &again).await["recipients"].as_i64().unwrap(), recipients - 2);

    // Any other reply lands on the desk, linked to the person whose number it is.
    kannel.text_from("+224620000003", "Quand part le prochain bus?");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list: Value = api_get(&s, &tok, "/hotline/follow-ups").await.json().await.unwrap();
        if list.as_array().unwrap().iter().any(|c| c["channel"] == "sms" && c["person_id"] == fanta.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "the reply is not on the desk: {list}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Forged callbacks are refused and change nothing.
    let c = client();
    let r = c.get(format!("{}/sms/kannel/inbound?key=wrong&from=%2B224620000003&text=STOP", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c.get(format!("{}/sms/kannel/inbound?from=%2B224620000003&text=STOP", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let mut db = connect(backend, &s.database_url).await;
    let row: (String,) = sqlx::query_as("SELECT id FROM sms_outbox WHERE phone = '+224620000002' AND broadcast_id IS NOT NULL")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let r = c.get(format!("{}/sms/kannel/report?id={}&token=0000&status=2", s.url, row.0)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c.get(format!("{}/sms/other/report?id={}&token=0000&status=2", s.url, row.0)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let v = view(&s, &tok, &id).await;
    assert_eq!(count(&v, "delivered"), recipients, "a forged report changed a status: {v}");
    let (consents,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM consents k JOIN persons p ON p.id = k.person_id WHERE p.phone = '+224620000003' AND k.withdrawn_on IS NULL",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(consents, 1, "a forged STOP withdrew a consent");
    // Passage's log (the gateway was down a while: warnings) carries no number, text or gateway password.
    drop(kannel);
    let log = std::fs::read_to_string(cfg.with_file_name("passage.log")).unwrap();
    assert!(log.contains("cannot be reached"), "{log}");
    for secret in ["+224", "%2B224", "convoi", "password=", "STOP"] {
        assert!(!log.contains(secret), "the log holds {secret}: {log}");
    }
}

async fn restart_mid_broadcast_sends_nothing_twice(backend: Backend) {
    let ports = Ports::new();
    // About 1,100 persons reachable (60 % leave a number, 80 % of them agree to be contacted).
    let (s, bind, cfg) = passage(backend, "sms-restart", 2300, ports, 100_000, 150).await;
    let kannel = Kannel::start(&tmpdir("kannel"), ports, &s.url, SECRET, true);
    let tok = token(&s, "protection").await;
    let id = broadcast(
        &s,
        &tok,
        json!({"title": "Registration day", "texts": [{"language": "fra", "body": "Enregistrement au centre d'Agadez demain à 9h."}]}),
    )
    .await;
    let recipients = view(&s, &tok, &id).await["recipients"].as_i64().unwrap();
    assert!(recipients >= 1000, "{recipients} recipients");
    let r = api_post(&s, &tok, &format!("/broadcasts/{id}/send"), json!({})).await;
    assert_eq!(r.status(), 200);
    // Kill Passage (SIGKILL) a third of the way through.
    until(&s, &tok, &id, 60, "a third handed over", |v| count(v, "sent") + count(v, "delivered") >= recipients / 3).await;
    let database_url = s.database_url.clone();
    drop(s);
    let handed_at_kill = kannel.received().len();
    assert!((handed_at_kill as i64) < recipients, "the broadcast finished before the kill");
    let s = start_on(&bind, &database_url, &["--config", cfg.to_str().unwrap()]);
    let tok = token(&s, "protection").await;
    until(&s, &tok, &id, 120, "the rest handed over", |v| count(v, "queued") == 0 && count(v, "sending") == 0).await;
    // Late delivery reports settle what they can; a report Kannel tried while Passage was down is lost
    // (the message stays "sent"), and a message claimed at the kill stays "unknown" unless its report comes.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let v = view(&s, &tok, &id).await;
    let (unknown, sent) = (count(&v, "unknown"), count(&v, "sent"));
    assert_eq!(count(&v, "delivered") + unknown + sent, recipients, "{v}");
    assert!(
        unknown + sent <= 40,
        "at most the claimed and in-flight requests (2 × 8) and the answers not yet written are left in doubt: {v}"
    );
    // At most once per (broadcast, person): no number got more messages than persons it belongs to.
    let mut db = connect(backend, &database_url).await;
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT phone, COUNT(*) FROM sms_outbox WHERE broadcast_id = $1 GROUP BY phone")
        .bind(&id)
        .fetch_all(&mut db)
        .await
        .unwrap();
    let owners: HashMap<String, i64> = rows.into_iter().collect();
    let got = kannel.received();
    let mut per_number: HashMap<String, i64> = HashMap::new();
    for (to, _, _) in &got {
        *per_number.entry(to.clone()).or_default() += 1;
    }
    for (number, n) in &per_number {
        assert!(*n <= owners.get(number).copied().unwrap_or(0), "{number} got {n} messages");
    }
    let delivered = count(&v, "delivered");
    assert!(got.len() as i64 >= delivered + sent && got.len() as i64 <= recipients, "{} received, {delivered} delivered: {v}", got.len());
    drop(kannel);
}

async fn large_broadcast_waits_for_a_second_user(backend: Backend) {
    let ports = Ports::new();
    let (s, _, _) = passage(backend, "sms-approval", 120, ports, 10, 200).await;
    let kannel = Kannel::start(&tmpdir("kannel"), ports, &s.url, SECRET, true);
    let mover = token(&s, "movements").await;
    let protection = token(&s, "protection").await;
    let body = json!({"title": "Convoy", "texts": [{"language": "fra", "body": "Le convoi part mardi."}]});
    let id = broadcast(&s, &mover, body.clone()).await;
    let v = view(&s, &mover, &id).await;
    let recipients = v["recipients"].as_i64().unwrap();
    assert!(recipients > 10 && v["needs_approval"] == true, "{v}");
    let r = api_post(&s, &mover, &format!("/broadcasts/{id}/send"), json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "awaiting_approval");
    // Its writer cannot approve it (no right to), nor can a protection officer approve their own.
    assert_eq!(api_post(&s, &mover, &format!("/broadcasts/{id}/approve"), json!({})).await.status(), 403);
    let own = broadcast(&s, &protection, body.clone()).await;
    assert_eq!(api_post(&s, &protection, &format!("/broadcasts/{own}/send"), json!({})).await.status(), 200);
    assert_eq!(api_post(&s, &protection, &format!("/broadcasts/{own}/approve"), json!({})).await.status(), 403);
    // Nothing leaves before approval.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(kannel.received().is_empty(), "{:?}", kannel.received());
    let v = view(&s, &mover, &id).await;
    assert_eq!(count(&v, "held"), recipients, "{v}");
    assert_eq!(api_post(&s, &protection, &format!("/broadcasts/{id}/approve"), json!({})).await.status(), 200);
    assert_eq!(api_post(&s, &protection, &format!("/broadcasts/{id}/approve"), json!({})).await.status(), 409);
    until(&s, &mover, &id, 60, "delivered after approval", |v| count(v, "delivered") == recipients).await;
    assert_eq!(kannel.received().len() as i64, recipients);
    // The other one is cancelled: its held messages never go.
    let r = api_post(&s, &protection, &format!("/broadcasts/{own}/cancel"), json!({})).await;
    assert_eq!(r.status(), 200);
    let v = view(&s, &protection, &own).await;
    assert_eq!(count(&v, "cancelled"), v["recipients"].as_i64().unwrap(), "{v}");
    let admin = token(&s, "admin").await;
    let audit: Value = api_get(&s, &admin, "/audit").await.json().await.unwrap();
    assert!(audit.to_string().contains(&format!("broadcast:{id}")) && audit.to_string().contains("broadcast.approve"), "{audit}");
}

both_backends!(delivery_stop_and_replies, restart_mid_broadcast_sends_nothing_twice, large_broadcast_waits_for_a_second_user);
