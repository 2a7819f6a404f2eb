//! The programme's whole indicator set at scale: every indicator with all
//! its breakdowns and disclosure control, as the dashboards get it (from the
//! summary tables kept on write), beside the same computation as plain
//! GROUP BY over the raw rows, and beside DuckDB running the very same
//! queries over an export of the same data, in the same run. Also the cost
//! the summaries add to a write (one person's refresh).
//!
//! `./scripts/bench figures` (1,000,000 persons, generated once); or set
//! PASSAGE_BENCH_SQLITE and/or PASSAGE_BENCH_POSTGRES to databases filled by
//! `passage generate`, and PASSAGE_BENCH_VENV to a virtual environment with
//! `duckdb` for the reference. Under `cargo test` (no `--bench`) it makes a
//! small database and checks the summary equals the reference computation.

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_domain::date::CalendarDate;
use passage_service::{Actor, Passage};
use passage_storage::sealed::Keyring;
use passage_storage::Db;
use std::time::Instant;

async fn actor(p: &Passage, username: &str) -> Actor {
    let mut c = p.db.reader().acquire().await.expect("reader");
    let u = passage_storage::users::get_user_by_username(&mut c, username).await.expect("user").expect("demo user");
    Actor::new(u, "bench")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The reference queries with the period written in (for DuckDB, and for timing them here).
fn queries(indicators: &[passage_storage::figures::IndicatorRecord], from: CalendarDate, until: CalendarDate) -> Vec<String> {
    indicators
        .iter()
        .filter_map(|i| {
            passage_storage::figures::person_groups_sql(&i.definition)
                .or_else(|| passage_storage::figures::office_sums_sql(i.definition.measure).map(str::to_string))
        })
        .map(|q| q.replace("$1", &format!("'{from}'")).replace("$2", &format!("'{until}'")))
        .collect()
}

struct Timings {
    summary_ms: f64,
    plain_ms: f64,
    refresh_ms: f64,
}

async fn run(label: &str, p: &Passage, runs: usize) -> (Timings, Vec<String>) {
    let viewer = actor(p, "viewer").await;
    // Warm the caches once, as a server that has been answering would have them.
    let f = p.programme_figures(&viewer, "SSS2-CMR").await.expect("figures");
    let mut summary = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let f = p.programme_figures(&viewer, "SSS2-CMR").await.expect("figures");
        summary.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(f.indicators.len(), passage_domain::indicator::DEFAULT_PROGRAMME.indicators.len());
    }
    let mut c = p.db.reader().acquire().await.expect("reader");
    let programme = passage_storage::figures::get_programme(&mut c, "SSS2-CMR").await.expect("programme").expect("default programme");
    let indicators = passage_storage::figures::indicators(&mut c, &programme.id).await.expect("indicators");
    let (from, until) = (programme.starts_on, programme.ends_on);
    // The same figures from the raw rows: what the summaries save.
    let mut plain = Vec::new();
    for _ in 0..runs.min(3) {
        let started = Instant::now();
        for i in &indicators {
            if i.definition.measure.counts_persons() {
                passage_storage::figures::person_groups(&mut c, &i.definition, from, until).await.expect("groups");
            } else {
                passage_storage::figures::office_sums(&mut c, i.definition.measure, from, until).await.expect("sums");
            }
        }
        plain.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // What the summaries cost a write: one person's refresh, in its own transaction.
    let persons: Vec<String> = {
        use sqlx::Row;
        sqlx::query("SELECT c.person_id FROM assistance a JOIN cases c ON c.id = a.case_id ORDER BY a.id LIMIT 200")
            .fetch_all(&mut *c)
            .await
            .expect("persons")
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    drop(c);
    let mut refresh = Vec::new();
    for person in &persons {
        let id = person.parse().expect("person id");
        let started = Instant::now();
        let mut tx = p.db.begin().await.expect("begin");
        passage_storage::analytics::refresh_person(&mut tx, id).await.expect("refresh");
        tx.commit().await.expect("commit");
        refresh.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let t = Timings { summary_ms: median(summary), plain_ms: median(plain), refresh_ms: median(refresh) };
    let reached = f.indicators.iter().find(|i| i.code == "reached-with-support").map(|i| i.total);
    println!(
        "{label:<11} whole set from the summaries {:>8.1} ms | plain GROUP BY over the rows {:>9.1} ms | a write's refresh {:>5.2} ms | persons reached {reached:?}",
        t.summary_ms, t.plain_ms, t.refresh_ms
    );
    (t, queries(&indicators, from, until))
}

async fn open(url: &str) -> Passage {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let keys = match std::env::var("PASSAGE_DATA_KEY_FILE") {
        Ok(path) => Keyring::load(std::path::Path::new(&path)).expect("data key"),
        Err(_) => Keyring::parse(&passage_storage::sealed::new_key_line(), "bench").expect("key"),
    };
    let p = Passage::new(db, keys);
    let started = Instant::now();
    p.ensure_default_programme().await.expect("programme");
    let s = started.elapsed().as_secs_f64();
    if s > 1.0 {
        println!("(summaries built from the records in {s:.1} s: a one-off after an upgrade or bulk load)");
    }
    p
}

/// DuckDB over an export of the SQLite data: (load s, median ms for the whole set, threads).
fn duckdb(venv: &str, sqlite: &str, queries: &[String], runs: usize) -> Option<(f64, f64, String)> {
    let dir = std::path::Path::new(sqlite).with_extension("duckdb-export");
    let qfile = std::env::temp_dir().join(format!("passage-figures-queries-{}.json", std::process::id()));
    std::fs::write(&qfile, serde_json::to_string(queries).expect("json")).expect("queries");
    let script = format!("{}/../../scripts/duckdb-figures.py", env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new(format!("{venv}/bin/python"))
        .args([&script, sqlite, &dir.display().to_string(), &qfile.display().to_string(), &runs.to_string()])
        .output()
        .expect("run python");
    let _ = std::fs::remove_file(&qfile);
    if !o.status.success() {
        eprintln!("DuckDB reference failed: {}", String::from_utf8_lossy(&o.stderr));
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(o.stdout.trim_ascii()).expect("duckdb json");
    let runs: Vec<f64> = v["runs_ms"].as_array()?.iter().filter_map(|x| x.as_f64()).collect();
    Some((v["load_s"].as_f64()?, median(runs), v["threads"].to_string()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    if !full {
        // Under `cargo test`: a small database; the summary must equal the reference.
        let dir = std::env::temp_dir().join(format!("passage-bench-figures-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = open(&dir.join("figures.db").display().to_string()).await;
        p.generate(300, 5, |_| {}).await.expect("generate");
        run("SQLite", &p, 3).await;
        assert!(p.verify_figures().await.expect("verify").is_empty(), "the summaries equal the records");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let runs = 20;
    let mut sqlite_queries = None;
    let sqlite = std::env::var("PASSAGE_BENCH_SQLITE").ok();
    let mut best = f64::MAX;
    if let Some(path) = &sqlite {
        let p = open(path).await;
        let (t, q) = run("SQLite", &p, runs).await;
        best = best.min(t.summary_ms);
        sqlite_queries = Some(q);
    }
    if let Ok(url) = std::env::var("PASSAGE_BENCH_POSTGRES") {
        let p = open(&url).await;
        let (t, _) = run("PostgreSQL", &p, runs).await;
        best = best.min(t.summary_ms);
    }
    if let (Some(path), Some(q), Ok(venv)) = (&sqlite, &sqlite_queries, std::env::var("PASSAGE_BENCH_VENV")) {
        if let Some((load, ms, threads)) = duckdb(&venv, path, q, 5) {
            println!(
                "DuckDB      the same queries over the raw rows {ms:>8.1} ms ({threads} threads; loading the export took {load:.1} s)"
            );
            println!(
                "targets: whole set under 250 ms (best {best:.1} ms: {}); no slower than 2x DuckDB ({:.1} ms: {})",
                if best < 250.0 { "met" } else { "missed" },
                2.0 * ms,
                if best <= 2.0 * ms { "met" } else { "missed" }
            );
        }
    }
}
