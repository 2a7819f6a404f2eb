//! The audit trail at a million entries: how fast entries are appended (each
//! one the way a write appends it: take the head, hash, insert, move the
//! head) and how long `verify` takes to walk the whole chain, beside the
//! issue's limit ("seconds at a million entries").
//!
//! Run with `./scripts/bench audit`, or directly with PASSAGE_BENCH_AUDIT_SQLITE
//! (a file path to create) and/or PASSAGE_BENCH_AUDIT_POSTGRES (a URL of an
//! empty database); PASSAGE_BENCH_AUDIT_ENTRIES sets the count.

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_domain::date::Timestamp;
use passage_domain::ids::{PersonId, UserId};
use passage_storage::audit::{append, verify, NewAuditEntry};
use passage_storage::Db;
use std::time::Instant;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let entries: u64 = std::env::var("PASSAGE_BENCH_AUDIT_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let targets =
        [("SQLite", std::env::var("PASSAGE_BENCH_AUDIT_SQLITE").ok()), ("PostgreSQL", std::env::var("PASSAGE_BENCH_AUDIT_POSTGRES").ok())];
    if targets.iter().all(|t| t.1.is_none()) {
        eprintln!("set PASSAGE_BENCH_AUDIT_SQLITE and/or PASSAGE_BENCH_AUDIT_POSTGRES (or run ./scripts/bench audit)");
        return;
    }
    for (label, url) in targets {
        let Some(url) = url else { continue };
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let user = UserId::new();
        let person = PersonId::new();
        let started = Instant::now();
        let mut done = 0u64;
        while done < entries {
            let mut tx = db.begin_bulk().await.expect("begin");
            for _ in 0..10_000.min(entries - done) {
                let e = NewAuditEntry {
                    at: Timestamp::now(),
                    actor: Some(user),
                    action: "assistance.create",
                    record: format!("assistance:{}", PersonId::new()),
                    person: Some(person),
                    changes: r#"{"kind":[null,"shelter"],"quantity":[null,1],"provided_on":[null,"2026-01-05"]}"#.to_string(),
                    source: "127.0.0.1".to_string(),
                };
                append(&mut tx, e).await.expect("append");
                done += 1;
            }
            tx.commit().await.expect("commit");
        }
        db.end_bulk().await.expect("end bulk");
        let append_secs = started.elapsed().as_secs_f64();
        let mut c = db.reader().acquire().await.expect("reader");
        let started = Instant::now();
        let v = verify(&mut c, |_| {}).await.expect("verify");
        let verify_secs = started.elapsed().as_secs_f64();
        assert!(v.result.is_ok(), "{:?}", v.result);
        drop(c); // closing the pool waits for every connection to come back
        println!(
            "{label:<11} {entries} entries: append {:>8.0} entries/s ({append_secs:.1} s) | verify {verify_secs:>5.2} s ({:.0} entries/s) | limit: a few seconds",
            entries as f64 / append_secs,
            v.checked as f64 / verify_secs
        );
        db.close().await;
    }
}
