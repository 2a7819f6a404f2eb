//! Name search latency and recall at scale, Passage beside PostgreSQL's own
//! `pg_trgm` (GIN `%` and GiST KNN) over the same names, in the same run.
//!
//! Run with `./scripts/bench search` (it starts PostgreSQL and generates the
//! data), or directly with PASSAGE_BENCH_SQLITE and/or PASSAGE_BENCH_POSTGRES
//! set to databases filled by `passage generate`.
//!
//! Queries: 200 registered names as written, the same 200 respelled the way a
//! second registration elsewhere spells them (recall: is the person in the top
//! 50?), and the region's most common full names (the slow case for trigrams).

use passage_service::synthetic::{respell, Rng};
use passage_storage::records::Scope;
use passage_storage::search::{search_persons, SearchFilters};
use passage_storage::Db;
use sqlx::Row;
use std::time::Instant;

const COMMON: &[&str] = &[
    "mohamed diallo",
    "mamadou diallo",
    "ibrahima sow",
    "fatoumata camara",
    "moussa traore",
    "amadou barry",
    "ousmane keita",
    "aissatou bah",
    "abdoulaye cisse",
    "lamin jallow",
    "mohammed ibrahim",
    "mariama conde",
    "seydou coulibaly",
    "modou ceesay",
    "alpha bah",
    "sekou kone",
    "mamadou saliou diallo",
    "fatou njie",
    "boubacar sylla",
    "adama ouedraogo",
];

struct Case {
    query: String,
    /// The person the query must find, for recall.
    target: Option<String>,
    kind: &'static str,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn queries(db: &Db) -> Vec<Case> {
    let mut c = db.reader().acquire().await.unwrap();
    let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM persons").fetch_one(&mut *c).await.unwrap().get("n");
    let mut rng = Rng::new(99);
    let mut out = Vec::new();
    for _ in 0..200 {
        let off = rng.below(total.max(1) as u64) as i64;
        let r = sqlx::query("SELECT person_id, given, family FROM person_names WHERE position = 0 ORDER BY person_id LIMIT 1 OFFSET $1")
            .bind(off)
            .fetch_one(&mut *c)
            .await
            .unwrap();
        let (pid, given, family): (String, Option<String>, Option<String>) = (r.get(0), r.get(1), r.get(2));
        let name = format!("{} {}", given.clone().unwrap_or_default(), family.clone().unwrap_or_default()).trim().to_string();
        out.push(Case { query: name.clone(), target: Some(pid.clone()), kind: "as registered" });
        let variant = name.split(' ').map(|w| respell(w, &mut rng)).collect::<Vec<_>>().join(" ");
        out.push(Case { query: variant, target: Some(pid), kind: "variant spelling" });
    }
    for q in COMMON {
        for _ in 0..5 {
            out.push(Case { query: q.to_string(), target: None, kind: "common name" });
        }
    }
    out
}

struct Stats {
    times: Vec<(&'static str, f64)>,
    hits: usize,
    tries: usize,
}

impl Stats {
    fn line(&mut self, label: &str) {
        let mut all: Vec<f64> = self.times.iter().map(|t| t.1).collect();
        let mut common: Vec<f64> = self.times.iter().filter(|t| t.0 == "common name").map(|t| t.1).collect();
        let mut variant: Vec<f64> = self.times.iter().filter(|t| t.0 == "variant spelling").map(|t| t.1).collect();
        println!(
            "{label:<34} p50 {:>7.1} ms  p95 {:>7.1} ms | common names p95 {:>7.1} ms | variants p95 {:>7.1} ms | variant recall@50 {:>5.1}%",
            pct(&mut all, 0.5),
            pct(&mut all, 0.95),
            pct(&mut common, 0.95),
            pct(&mut variant, 0.95),
            100.0 * self.hits as f64 / self.tries.max(1) as f64
        );
    }
}

async fn passage_search(db: &Db, cases: &[Case]) -> Stats {
    let mut s = Stats { times: Vec::new(), hits: 0, tries: 0 };
    let mut c = db.reader().acquire().await.unwrap();
    // Warm the cache the way a running server is warm.
    for case in cases.iter().take(20) {
        search_persons(&mut c, &case.query, &SearchFilters::default(), &Scope::All, 50).await.unwrap();
    }
    for case in cases {
        let t = Instant::now();
        let r = search_persons(&mut c, &case.query, &SearchFilters::default(), &Scope::All, 50).await.unwrap();
        s.times.push((case.kind, t.elapsed().as_secs_f64() * 1000.0));
        if case.kind == "variant spelling" {
            s.tries += 1;
            if r.hits.iter().any(|h| Some(h.person_id.to_string()) == case.target) {
                s.hits += 1;
            }
        }
    }
    s
}

async fn trigram(db: &Db, cases: &[Case], sql: &str) -> Stats {
    let mut s = Stats { times: Vec::new(), hits: 0, tries: 0 };
    let mut c = db.reader().acquire().await.unwrap();
    for case in cases.iter().take(20) {
        sqlx::query(sql).bind(case.query.to_lowercase()).fetch_all(&mut *c).await.unwrap();
    }
    for case in cases {
        let t = Instant::now();
        let rows = sqlx::query(sql).bind(case.query.to_lowercase()).fetch_all(&mut *c).await.unwrap();
        s.times.push((case.kind, t.elapsed().as_secs_f64() * 1000.0));
        if case.kind == "variant spelling" {
            s.tries += 1;
            if rows.iter().any(|r| Some(r.get::<String, _>(0)) == case.target) {
                s.hits += 1;
            }
        }
    }
    s
}

async fn prepare_trigrams(db: &Db) {
    let mut c = db.reader().acquire().await.unwrap();
    let exists: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM pg_class WHERE relname = 'bench_names'").fetch_one(&mut *c).await.unwrap().get("n");
    if exists == 0 {
        eprintln!("building the pg_trgm reference indexes (once)…");
        for stmt in [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE TABLE bench_names AS SELECT person_id, lower(concat_ws(' ', given, family)) AS name FROM person_names",
            "CREATE INDEX bench_names_gin ON bench_names USING gin (name gin_trgm_ops)",
            "CREATE INDEX bench_names_gist ON bench_names USING gist (name gist_trgm_ops)",
            "ANALYZE bench_names",
        ] {
            sqlx::query(stmt).execute(&mut *c).await.unwrap();
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sqlite = std::env::var("PASSAGE_BENCH_SQLITE").ok();
    let postgres = std::env::var("PASSAGE_BENCH_POSTGRES").ok();
    if sqlite.is_none() && postgres.is_none() {
        eprintln!("set PASSAGE_BENCH_SQLITE and/or PASSAGE_BENCH_POSTGRES (or run ./scripts/bench search)");
        return;
    }
    let mut cases = None;
    for (label, url) in [("SQLite", sqlite), ("PostgreSQL", postgres)] {
        let Some(url) = url else { continue };
        let db = Db::connect(&url).await.expect("connect");
        let mut c = db.reader().acquire().await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM persons").fetch_one(&mut *c).await.unwrap().get("n");
        drop(c);
        // The same queries on both databases: drawn from the first one.
        let cs = match cases.take() {
            Some(cs) => cs,
            None => queries(&db).await,
        };
        println!("\n{label}: {n} persons, {} queries", cs.len());
        passage_search(&db, &cs).await.line(&format!("Passage search ({label})"));
        if label == "PostgreSQL" {
            prepare_trigrams(&db).await;
            let limit = "SELECT person_id FROM bench_names WHERE name % $1 ORDER BY similarity(name, $1) DESC LIMIT 50";
            trigram(&db, &cs, limit).await.line("pg_trgm GIN % (reference)");
            let knn = "SELECT person_id FROM bench_names ORDER BY name <-> $1 LIMIT 50";
            trigram(&db, &cs, knn).await.line("pg_trgm GiST KNN <-> (reference)");
        }
        cases = Some(cs);
        db.close().await;
    }
    println!("\ntarget: p95 under 50 ms for common and rare names alike, with better variant recall than pg_trgm");
}
