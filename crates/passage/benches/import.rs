//! Importing a KoboToolbox export of 100,000 registrations with screening
//! (`passage import kobo`: read, check every row as its use case does, then
//! write persons, names, search keys, cases, consents, screenings, audit
//! trail and figures in one transaction), beside the raw insert rate of the
//! same rows — the CSV read and each row inserted as it is into a table of
//! the same columns, in one transaction — on the same database in the same
//! run. The target: at least a third of the raw rate.
//!
//! `./scripts/bench import`; or set PASSAGE_BENCH_IMPORT_SQLITE (a file to
//! create) and/or PASSAGE_BENCH_IMPORT_POSTGRES (the URL of an empty
//! database), and PASSAGE_BENCH_IMPORT_ROWS. Under `cargo test` (no
//! `--bench`) it imports a few hundred rows on a temporary SQLite file and
//! checks they all arrived.

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_service::kobo::{example_registration_export, ImportProgress};
use passage_service::{Actor, Passage};
use passage_storage::sealed::Keyring;
use passage_storage::Db;
use std::time::Instant;

async fn open(url: &str) -> Passage {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let passage = Passage::new(db, Keyring::parse(&passage_storage::sealed::new_key_line(), "bench").expect("key"));
    passage.ensure_default_programme().await.expect("programme");
    // Offices, demo users, and some persons so the tables are not empty.
    passage.generate(1_000, 1, |_| {}).await.expect("generate");
    passage
}

async fn actor(p: &Passage, username: &str) -> Actor {
    p.acting_as(username).await.expect("demo user")
}

/// The same rows inserted as they are: the floor any import has to pay.
async fn raw_insert(p: &Passage, csv: &str) -> f64 {
    let started = Instant::now();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(|h| h.to_string()).collect();
    let columns: Vec<String> = (0..header.len()).map(|i| format!("c{i}")).collect();
    let mut c = p.db.reader().acquire().await.expect("connection");
    sqlx::query("DROP TABLE IF EXISTS raw_kobo_rows").execute(&mut *c).await.expect("drop");
    sqlx::query(&format!("CREATE TABLE raw_kobo_rows ({})", columns.iter().map(|c| format!("{c} TEXT")).collect::<Vec<_>>().join(", ")))
        .execute(&mut *c)
        .await
        .expect("create");
    drop(c);
    let insert = format!(
        "INSERT INTO raw_kobo_rows ({}) VALUES ({})",
        columns.join(", "),
        (1..=columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    );
    let mut tx = p.db.begin().await.expect("begin");
    let mut rows = 0usize;
    for r in reader.records() {
        let r = r.expect("row");
        let mut q = sqlx::query(&insert);
        for v in r.iter() {
            q = q.bind(v.to_string());
        }
        q.execute(&mut *tx).await.expect("insert");
        rows += 1;
    }
    tx.commit().await.expect("commit");
    rows as f64 / started.elapsed().as_secs_f64()
}

struct Figures {
    raw: f64,
    check_secs: f64,
    write_secs: f64,
    rows: usize,
}

async fn measure(url: &str, rows: usize) -> Figures {
    let p = open(url).await;
    let csv = example_registration_export(rows, 42, "NER-AGZ");
    // The reference varies from run to run on this machine: its median of three.
    let mut raws = [raw_insert(&p, &csv).await, raw_insert(&p, &csv).await, raw_insert(&p, &csv).await];
    raws.sort_by(|a, b| a.total_cmp(b));
    let raw = raws[1];
    let agadez = actor(&p, "agadez").await;
    let progress = ImportProgress::default();
    let started = Instant::now();
    let check = p.check_import(&agadez, "passage_registration", "export.csv", csv.as_bytes(), &progress).await.expect("check");
    let check_secs = started.elapsed().as_secs_f64();
    assert_eq!((check.ready, check.invalid), (rows, 0), "{:?}", check.problems.first());
    let started = Instant::now();
    let outcome = p.run_import(&agadez, check, false, &progress).await.expect("import");
    let write_secs = started.elapsed().as_secs_f64();
    assert_eq!(outcome.applied, rows);
    Figures { raw, check_secs, write_secs, rows }
}

fn report(label: &str, f: &Figures) {
    let total = f.check_secs + f.write_secs;
    let rate = f.rows as f64 / total;
    println!(
        "{label:<11} {} rows: import {rate:>7.0} rows/s ({total:.1} s: check {:.1} s, write {:.1} s) | raw insert of the same rows {:>7.0} rows/s (median of 3) | ratio {:.2} (target ≥ 0.33)",
        f.rows,
        f.check_secs,
        f.write_secs,
        f.raw,
        rate / f.raw
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench {
        let dir = std::env::temp_dir().join(format!("passage-import-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("smoke.db").display());
        let f = measure(&url, 300).await;
        report("smoke", &f);
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let rows: usize = std::env::var("PASSAGE_BENCH_IMPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let targets = [
        ("SQLite", std::env::var("PASSAGE_BENCH_IMPORT_SQLITE").ok()),
        ("PostgreSQL", std::env::var("PASSAGE_BENCH_IMPORT_POSTGRES").ok()),
    ];
    if targets.iter().all(|t| t.1.is_none()) {
        eprintln!("set PASSAGE_BENCH_IMPORT_SQLITE and/or PASSAGE_BENCH_IMPORT_POSTGRES (or run ./scripts/bench import)");
        return;
    }
    for (label, url) in targets {
        let Some(url) = url else { continue };
        let f = measure(&url, rows).await;
        report(label, &f);
    }
}
