//! A crisis broadcast at scale through Debian's Kannel and its fake SMSC on
//! this machine: a 100,000-recipient broadcast sent by `passage serve` (the
//! outbox worker, the delivery reports coming back), beside Kannel's own
//! limit on the same machine: the same number of direct `sendsms` requests
//! with the same delivery reports going to a receiver that does nothing,
//! and `mtbatch`, which pushes messages straight into bearerbox.
//!
//! `./scripts/bench sms`; or `cargo bench -p passage --bench sms` with
//! PASSAGE_BENCH_SMS_PERSONS (default 215,000 persons, about 100,000 of them
//! reachable) and PASSAGE_BENCH_SMS_DIR (where the database is kept between
//! runs). Under `cargo test` (no `--bench`) it sends a broadcast to a few
//! hundred persons and checks that every one was handed over once.

#[path = "../tests/kannel/mod.rs"]
mod kannel;

use kannel::{free_port, Kannel, Ports};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-callback-secret-0123456789";
const PASSWORD: &str = "passage-demo-2026";
const CONCURRENCY: usize = 16;

struct Row {
    what: String,
    messages: u64,
    accepted_s: f64,
    at_handsets_s: f64,
    note: String,
}

fn cpu_seconds(pid: u32) -> f64 {
    // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn kannel_cpu() -> f64 {
    let out = Command::new("pgrep").args(["-f", "bearerbox|smsbox|fakesmsc"]).output().map(|o| o.stdout).unwrap_or_default();
    String::from_utf8_lossy(&out).lines().filter_map(|l| l.trim().parse::<u32>().ok()).map(cpu_seconds).sum()
}

/// Wait until the fake SMSC has taken `n` messages more than `before`; seconds since `t0`.
fn until_handsets(k: &Kannel, before: u64, n: u64, t0: Instant, limit: Duration) -> f64 {
    loop {
        let got = k.sent_to_handsets().saturating_sub(before);
        if got >= n {
            return t0.elapsed().as_secs_f64();
        }
        assert!(t0.elapsed() < limit, "the handsets got {got} of {n}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An HTTP receiver for delivery reports that answers 200 and counts them.
async fn report_sink() -> (u16, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let n = Arc::new(AtomicU64::new(0));
    let count = n.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else { continue };
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut pending = Vec::new();
                loop {
                    let Ok(r) = s.read(&mut buf).await else { return };
                    if r == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buf[..r]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        count.fetch_add(1, Ordering::Relaxed);
                        if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (port, n)
}

/// Kannel alone: `n` sendsms requests, `CONCURRENCY` at a time, each asking for the same reports Passage asks for.
async fn direct_sendsms(k: &Kannel, n: u64) -> Row {
    let (sink, reports) = report_sink().await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().unwrap();
    let url = k.ports.sendsms_url();
    let before = k.sent_to_handsets();
    let cpu0 = kannel_cpu();
    let t0 = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                let to = format!("+22790{:06}", i % 1_000_000);
                let dlr = format!("http://127.0.0.1:{sink}/r?id={i}&status=%d");
                let q = [
                    ("username", kannel::USER),
                    ("password", kannel::PASSWORD),
                    ("from", "1234"),
                    ("to", to.as_str()),
                    ("text", "Enregistrement au centre d'Agadez demain a 9h."),
                    ("charset", "UTF-8"),
                    ("coding", "0"),
                    ("dlr-mask", "31"),
                    ("dlr-url", dlr.as_str()),
                    ("smsc", "FAKE"),
                ];
                let r = client.get(&url).query(&q).send().await.expect("sendsms");
                assert!(r.status().is_success(), "sendsms answered {}", r.status());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let accepted = t0.elapsed().as_secs_f64();
    let at_handsets = until_handsets(k, before, n, t0, Duration::from_secs(1800));
    while reports.load(Ordering::Relaxed) < 2 * n && t0.elapsed() < Duration::from_secs(1800) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all_reports = t0.elapsed().as_secs_f64();
    Row {
        what: format!("Kannel alone: {n} direct sendsms requests ({CONCURRENCY} in flight), reports to a do-nothing receiver"),
        messages: n,
        accepted_s: accepted,
        at_handsets_s: at_handsets,
        note: format!("all {} reports in {all_reports:.1} s; Kannel CPU {:.1} s", reports.load(Ordering::Relaxed), kannel_cpu() - cpu0),
    }
}

/// Kannel's own batch sender, straight into bearerbox (no HTTP, no reports).
fn mtbatch(k: &Kannel, dir: &Path, n: u64) -> Option<Row> {
    if !Path::new(kannel::MTBATCH).exists() {
        return None;
    }
    let content = dir.join("content.txt");
    let receivers = dir.join("receivers.txt");
    std::fs::write(&content, "Enregistrement au centre d'Agadez demain a 9h.").unwrap();
    // mtbatch skips numbers with a "+": international digits only.
    let list: String = (0..n).map(|i| format!("22791{:06}\n", i % 1_000_000)).collect();
    std::fs::write(&receivers, list).unwrap();
    let before = k.sent_to_handsets();
    let t0 = Instant::now();
    let out = Command::new(kannel::MTBATCH)
        .args(["-b", "127.0.0.1", "-p", &k.ports.smsbox.to_string(), "-f", "1234", "-r", "FAKE", "-v", "3"])
        .arg(&content)
        .arg(&receivers)
        .output()
        .expect("run mtbatch");
    let accepted = t0.elapsed().as_secs_f64();
    let said = String::from_utf8_lossy(&out.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&out.stdout).lines())
        .filter(|l| l.contains("acks"))
        .collect::<Vec<_>>()
        .join(" ");
    let at_handsets = until_handsets(k, before, n, t0, Duration::from_secs(1800));
    Some(Row {
        what: format!("Kannel alone: mtbatch, {n} messages straight into bearerbox"),
        messages: n,
        accepted_s: accepted,
        at_handsets_s: at_handsets,
        note: said.trim().chars().take(120).collect(),
    })
}

fn database(dir: &Path, persons: u32) -> PathBuf {
    let db = dir.join(format!("sms-{persons}.db"));
    let done = dir.join(format!("sms-{persons}.done"));
    if !done.exists() {
        for suffix in ["", "-wal", "-shm", ".key"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let t0 = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_passage"))
            .args(["generate", "--demo-users", "--no-route-data", "--persons", &persons.to_string(), "--seed", "5", "--database-url"])
            .arg(&db)
            .env("PASSAGE_LOG", "warn")
            .output()
            .expect("passage generate");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        eprintln!("generated {persons} persons in {:.0} s", t0.elapsed().as_secs_f64());
        std::fs::write(&done, "").unwrap();
    }
    db
}

async fn clear_messages(db: &Path) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    for t in ["sms_inbound", "sms_outbox", "broadcast_texts", "broadcasts"] {
        // Before the first serve the tables may not exist yet (migrations run on start).
        let _ = sqlx::query(&format!("DELETE FROM {t}")).execute(&mut c).await;
    }
}

async fn outbox_counts(db: &Path) -> (i64, i64, i64) {
    use sqlx::Connection;
    let mut c = sqlx::AnyConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let (waiting, delivered, all): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status IN ('queued', 'sending') THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), 0), COUNT(*) FROM sms_outbox WHERE broadcast_id IS NOT NULL",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    (waiting, delivered, all)
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Passage: a broadcast to everyone who consented, sent through Kannel.
async fn passage_broadcast(k: &Kannel, dir: &Path, db: &Path, bind: &str, rate: u32, concurrency: usize) -> (Row, Vec<String>) {
    let cfg = dir.join("passage.toml");
    std::fs::write(
        &cfg,
        format!(
            "[sms]\ngateway = \"kannel\"\nsendsms_url = \"{}\"\nusername = \"{}\"\npassword = \"{}\"\nsmsc = \"FAKE\"\nsender = \"1234\"\n\
             callback_url = \"http://{bind}\"\ncallback_secret = \"{SECRET}\"\nrate_per_second = {rate}\nconcurrency = {concurrency}\n\
             approval_above = 10000000\ncost_per_segment = 0.02\n",
            k.ports.sendsms_url(),
            kannel::USER,
            kannel::PASSWORD
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["--config", cfg.to_str().unwrap(), "serve", "--bind", bind, "--database-url"])
        .arg(db)
        .env("PASSAGE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("passage serve");
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.contains("listening"), "{line}");
    }
    let serve = Serve(child);
    let base = format!("http://{bind}/api/v1");
    let c = reqwest::Client::new();
    let login: Value = c
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "movements", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tok = login["token"].as_str().expect("the movement officer logs in without a second factor").to_string();
    let r = c
        .post(format!("{base}/broadcasts"))
        .bearer_auth(&tok)
        .json(&json!({"title": "Registration day", "texts": [
            {"language": "fra", "body": "Enregistrement au centre d'Agadez demain à 9h. Apportez vos papiers."},
            {"language": "ara", "body": "التسجيل في مركز أغاديز غداً الساعة التاسعة."},
            {"language": "eng", "body": "Registration at the Agadez centre tomorrow at 9. Bring your papers."}],
            "fallback_language": "fra"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let t = Instant::now();
    let preview: Value = c.get(format!("{base}/broadcasts/{id}")).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    let preview_s = t.elapsed().as_secs_f64();
    let recipients = preview["recipients"].as_i64().unwrap() as u64;
    let before = k.sent_to_handsets();
    let (cpu0, kcpu0) = (cpu_seconds(serve.0.id()), kannel_cpu());
    let t0 = Instant::now();
    let r = c.post(format!("{base}/broadcasts/{id}/send")).bearer_auth(&tok).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let send_s = t0.elapsed().as_secs_f64();
    let accepted = loop {
        let (waiting, _, all) = outbox_counts(db).await;
        if all as u64 == recipients && waiting == 0 {
            break t0.elapsed().as_secs_f64();
        }
        assert!(t0.elapsed() < Duration::from_secs(3600), "{waiting} still waiting");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let at_handsets = until_handsets(k, before, recipients, t0, Duration::from_secs(1800));
    let delivered_s = loop {
        let (_, delivered, _) = outbox_counts(db).await;
        if delivered as u64 == recipients || t0.elapsed() > Duration::from_secs(1800) {
            break t0.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let cpu = cpu_seconds(serve.0.id()) - cpu0;
    let kcpu = kannel_cpu() - kcpu0;
    let (_, delivered, _) = outbox_counts(db).await;
    let row = Row {
        what: format!("Passage: a broadcast to {recipients} persons (rate limit {rate}/s, {concurrency} requests in flight), reports back to Passage"),
        messages: recipients,
        accepted_s: accepted,
        at_handsets_s: at_handsets,
        note: format!(
            "{delivered} delivered (both reports applied) at {delivered_s:.1} s; Passage CPU {cpu:.1} s = {:.0} µs per message; Kannel CPU {kcpu:.1} s",
            cpu * 1e6 / recipients.max(1) as f64
        ),
    };
    let extra = vec![
        format!("audience preview (the whole audience read, counted per language, segments, cost): {preview_s:.2} s for {recipients} recipients"),
        format!("send (the audience fixed, {recipients} outbox rows written in one transaction): {send_s:.2} s"),
    ];
    drop(serve);
    (row, extra)
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let persons: u32 =
        std::env::var("PASSAGE_BENCH_SMS_PERSONS").ok().and_then(|v| v.parse().ok()).unwrap_or(if bench { 215_000 } else { 600 });
    let dir = std::env::var("PASSAGE_BENCH_SMS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("passage-bench-sms-{}", std::process::id())));
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = database(&dir, persons);
        clear_messages(&db).await;
        let bind = format!("127.0.0.1:{}", free_port());
        let kdir = dir.join("kannel");
        std::fs::create_dir_all(&kdir).unwrap();
        let k = Kannel::start(&kdir, Ports::new(), &format!("http://{bind}"), SECRET, false);
        let rate = 10_000;
        let (passage, extra) = passage_broadcast(&k, &dir, &db, &bind, rate, CONCURRENCY).await;
        if !bench {
            // Under `cargo test`: the whole audience handed over once, no more.
            assert!(passage.messages >= 200, "{} recipients", passage.messages);
            assert_eq!(k.sent_to_handsets(), passage.messages);
            println!("sms bench (test mode): {} messages handed to Kannel in {:.1} s", passage.messages, passage.accepted_s);
            return;
        }
        // The same broadcast again with four times the requests in flight: is Passage bound by Kannel's answer time?
        clear_messages(&db).await;
        let (wider, _) = passage_broadcast(&k, &dir, &db, &bind, rate, 4 * CONCURRENCY).await;
        let direct = direct_sendsms(&k, passage.messages).await;
        let batch = mtbatch(&k, &dir, passage.messages);
        println!("\n| run | messages | handed to Kannel | msg/s | at the handsets | msg/s | notes |");
        println!("|---|---:|---:|---:|---:|---:|---|");
        for r in [Some(&passage), Some(&wider), Some(&direct), batch.as_ref()].into_iter().flatten() {
            println!(
                "| {} | {} | {:.1} s | {:.0} | {:.1} s | {:.0} | {} |",
                r.what,
                r.messages,
                r.accepted_s,
                r.messages as f64 / r.accepted_s,
                r.at_handsets_s,
                r.messages as f64 / r.at_handsets_s,
                r.note
            );
        }
        for e in extra {
            println!("- {e}");
        }
        println!(
            "- Passage's overhead per message against direct sendsms: {:.0} µs of wall time",
            (passage.accepted_s - direct.accepted_s) * 1e6 / passage.messages as f64
        );
    });
}
