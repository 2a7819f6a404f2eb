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

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_domain::ids::UserId;
use passage_domain::names;
use passage_domain::policy::Offices;
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
    /// The target's year of birth, for the queries a caseworker narrows by it.
    birth_year: Option<i32>,
    /// The target's registered names, to tell a miss from a tie.
    target_names: Vec<String>,
    kind: &'static str,
}

const AS_REGISTERED: &str = "as registered";
const VARIANT: &str = "variant spelling";
const VARIANT_YEAR: &str = "variant + year";
const COMMON_NAME: &str = "common name";

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
        let r = sqlx::query(
            "SELECT n.person_id, n.given, n.family, p.birth_year FROM person_names n JOIN persons p ON p.id = n.person_id \
             WHERE n.position = 0 ORDER BY n.person_id LIMIT 1 OFFSET $1",
        )
        .bind(off)
        .fetch_one(&mut *c)
        .await
        .unwrap();
        let (pid, given, family, year): (String, Option<String>, Option<String>, Option<i64>) = (r.get(0), r.get(1), r.get(2), r.get(3));
        let name = format!("{} {}", given.clone().unwrap_or_default(), family.clone().unwrap_or_default()).trim().to_string();
        let names: Vec<String> = sqlx::query("SELECT given, family FROM person_names WHERE person_id = $1")
            .bind(&pid)
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let (g, f): (Option<String>, Option<String>) = (r.get(0), r.get(1));
                format!("{} {}", g.unwrap_or_default(), f.unwrap_or_default()).trim().to_string()
            })
            .collect();
        let case = |query: &str, birth_year: Option<i32>, kind| Case {
            query: query.to_string(),
            target: Some(pid.clone()),
            birth_year,
            target_names: names.clone(),
            kind,
        };
        out.push(case(&name, None, AS_REGISTERED));
        let variant = name.split(' ').map(|w| respell(w, &mut rng)).collect::<Vec<_>>().join(" ");
        out.push(case(&variant, None, VARIANT));
        if let Some(y) = year {
            out.push(case(&variant, Some(y as i32), VARIANT_YEAR));
        }
    }
    for q in COMMON {
        for _ in 0..5 {
            out.push(Case { query: q.to_string(), target: None, birth_year: None, target_names: Vec::new(), kind: COMMON_NAME });
        }
    }
    out
}

struct Stats {
    times: Vec<(&'static str, f64)>,
    /// Per query with a target: its kind, whether the target is in the top
    /// 50, and whether it is there or ties with the 50th (scores as high as
    /// the last one returned: the order inside a tie is arbitrary for every engine).
    recall: Vec<(&'static str, bool, bool)>,
}

impl Stats {
    fn new() -> Stats {
        Stats { times: Vec::new(), recall: Vec::new() }
    }

    fn record(&mut self, case: &Case, ms: f64, found: bool, tied: bool) {
        self.times.push((case.kind, ms));
        if case.kind != AS_REGISTERED && case.target.is_some() {
            self.recall.push((case.kind, found, found || tied));
        }
    }

    /// One line of figures. Recall only where it means something: in a
    /// scoped run most targets are outside the reader's offices.
    fn line(&mut self, label: &str, with_recall: bool) {
        let mut all: Vec<f64> = self.times.iter().map(|t| t.1).collect();
        let of = |kind: &str| -> Vec<f64> { self.times.iter().filter(|t| t.0 == kind).map(|t| t.1).collect() };
        let (mut common, mut variant, mut year) = (of(COMMON_NAME), of(VARIANT), of(VARIANT_YEAR));
        let recall = |kind: &str| {
            let r: Vec<&(&str, bool, bool)> = self.recall.iter().filter(|r| r.0 == kind).collect();
            let n = r.len().max(1) as f64;
            (100.0 * r.iter().filter(|r| r.1).count() as f64 / n, 100.0 * r.iter().filter(|r| r.2).count() as f64 / n)
        };
        let recall = if with_recall {
            let (v, vt) = recall(VARIANT);
            let (y, yt) = recall(VARIANT_YEAR);
            format!("recall@50 variant {v:>5.1}% (with ties {vt:>5.1}%) +year {y:>5.1}% (with ties {yt:>5.1}%)")
        } else {
            "recall: n/a (scoped)".to_string()
        };
        println!(
            "{label:<36} p50 {:>6.1} ms  p95 {:>6.1} ms | common p95 {:>6.1} | variant p95 {:>6.1} | +year p95 {:>6.1} | {recall}",
            pct(&mut all, 0.5),
            pct(&mut all, 0.95),
            pct(&mut common, 0.95),
            pct(&mut variant, 0.95),
            pct(&mut year, 0.95),
        );
    }
}

fn filters(case: &Case) -> SearchFilters {
    SearchFilters { birth_year: case.birth_year, ..SearchFilters::default() }
}

async fn passage_search(db: &Db, cases: &[Case], scope: &Scope) -> Stats {
    let mut s = Stats::new();
    let mut c = db.reader().acquire().await.unwrap();
    // Warm the cache the way a running server is warm.
    for case in cases.iter().take(20) {
        search_persons(&mut c, &case.query, &filters(case), scope, 50).await.unwrap();
    }
    for case in cases {
        let t = Instant::now();
        let r = search_persons(&mut c, &case.query, &filters(case), scope, 50).await.unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let found = case.target.as_ref().is_some_and(|t| r.hits.iter().any(|h| h.person_id.to_string() == *t));
        // A tie: fifty results, none of them cut by the candidate cap, and
        // the target would score as high as the last one.
        let target_score = case.target_names.iter().map(|n| names::match_score(&case.query, n)).fold(0.0, f64::max);
        let tied = r.hits.len() == 50 && !r.truncated && target_score > 0.0 && target_score >= r.hits[49].score - 1e-3;
        s.record(case, ms, found, tied);
    }
    s
}

/// The reference: the same question asked of pg_trgm. With a year, the
/// trigram query gets the same ±1 filter Passage applies.
async fn trigram(db: &Db, cases: &[Case], order: &str) -> Stats {
    let mut s = Stats::new();
    let mut c = db.reader().acquire().await.unwrap();
    let run = |case: &Case| {
        let sql = match (order, case.birth_year) {
            ("gin", None) => "SELECT person_id, similarity(name, $1) AS s FROM bench_names_v2 WHERE name % $1 ORDER BY similarity(name, $1) DESC LIMIT 50",
            ("gin", Some(_)) => {
                "SELECT person_id, similarity(name, $1) AS s FROM bench_names_v2 WHERE name % $1 AND birth_year BETWEEN $2 - 1 AND $2 + 1 \
                 ORDER BY similarity(name, $1) DESC LIMIT 50"
            }
            (_, None) => "SELECT person_id, (1 - (name <-> $1))::real AS s FROM bench_names_v2 ORDER BY name <-> $1 LIMIT 50",
            (_, Some(_)) => {
                "SELECT person_id, (1 - (name <-> $1))::real AS s FROM bench_names_v2 WHERE birth_year BETWEEN $2 - 1 AND $2 + 1 ORDER BY name <-> $1 LIMIT 50"
            }
        };
        let mut q = sqlx::query(sql).bind(case.query.to_lowercase());
        if let Some(y) = case.birth_year {
            q = q.bind(y as i64);
        }
        q
    };
    for case in cases.iter().take(20) {
        run(case).fetch_all(&mut *c).await.unwrap();
    }
    for case in cases {
        let t = Instant::now();
        let rows = run(case).fetch_all(&mut *c).await.unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let found = case.target.as_ref().is_some_and(|t| rows.iter().any(|r| r.get::<String, _>(0) == *t));
        let mut tied = false;
        if let (false, Some(t), 50) = (found, &case.target, rows.len()) {
            let last: f32 = rows[49].get(1);
            let best: Option<f32> = sqlx::query("SELECT max(similarity(name, $1)) FROM bench_names_v2 WHERE person_id = $2")
                .bind(case.query.to_lowercase())
                .bind(t)
                .fetch_one(&mut *c)
                .await
                .unwrap()
                .get(0);
            tied = best.is_some_and(|b| b >= last - 1e-4);
        }
        s.record(case, ms, found, tied);
    }
    s
}

async fn prepare_trigrams(db: &Db) {
    let mut c = db.reader().acquire().await.unwrap();
    let exists: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM pg_class WHERE relname = 'bench_names_v2'").fetch_one(&mut *c).await.unwrap().get("n");
    if exists == 0 {
        eprintln!("building the pg_trgm reference indexes (once)…");
        for stmt in [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "DROP TABLE IF EXISTS bench_names",
            "CREATE TABLE bench_names_v2 AS SELECT n.person_id, lower(concat_ws(' ', n.given, n.family)) AS name, p.birth_year \
             FROM person_names n JOIN persons p ON p.id = n.person_id",
            "CREATE INDEX bench_names_v2_gin ON bench_names_v2 USING gin (name gin_trgm_ops)",
            "CREATE INDEX bench_names_v2_gist ON bench_names_v2 USING gist (name gist_trgm_ops)",
            "ANALYZE bench_names_v2",
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
        passage_search(&db, &cs, &Scope::everything()).await.line(&format!("Passage, every record ({label})"), true);
        // An administrator: every office, but not restricted cases (the flag filter in the index).
        let admin = Scope { user: UserId::default(), cases: Offices::All, restricted: Offices::none() };
        passage_search(&db, &cs, &admin).await.line(&format!("Passage, administrator ({label})"), false);
        // A caseworker of the Agadez centre and Arlit: the same queries in their scope.
        let mut c = db.reader().acquire().await.unwrap();
        let offices = sqlx::query("SELECT id FROM offices WHERE code IN ('NER-AGZ', 'NER-ARL')").fetch_all(&mut *c).await.unwrap();
        drop(c);
        let scope = Scope::offices(UserId::default(), offices.iter().map(|r| r.get::<String, _>(0).parse().unwrap()));
        passage_search(&db, &cs, &scope).await.line(&format!("Passage, caseworker of two offices ({label})"), false);
        if label == "PostgreSQL" {
            prepare_trigrams(&db).await;
            trigram(&db, &cs, "gin").await.line("pg_trgm GIN % (reference)", true);
            trigram(&db, &cs, "gist").await.line("pg_trgm GiST KNN <-> (reference)", true);
        }
        cases = Some(cs);
        db.close().await;
    }
    println!("\ntarget: p95 under 50 ms for common and rare names alike, with better variant recall than pg_trgm");
}
