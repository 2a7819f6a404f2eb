//! Reintegration sustainability at an office's scale: 5,000 returnees in
//! Conakry, each followed by a plan and three visits; 10,000 visits recorded
//! with their survey through the use case the API and the page call
//! (checked, scored, sealed, audited, figures refreshed), then the office's
//! portfolio rebuilt from every visit. Each against the limit the issue
//! sets (p95 at most 100 ms), printed beside it in the same run.
//!
//! `cargo bench -p passage --bench sustainability` (SQLite in a temporary
//! folder); PASSAGE_BENCH_SUSTAINABILITY_POSTGRES=URL of an empty database
//! adds PostgreSQL; PASSAGE_BENCH_RETURNEES sets the count (default 5,000).

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_domain::case::CaseInput;
use passage_domain::person::{ConsentInput, NameInput, PersonInput};
use passage_service::reintegration::{PlanInput, VisitInput};
use passage_service::sustainability::PortfolioFilter;
use passage_service::{Actor, Passage};
use passage_storage::sealed::Keyring;
use passage_storage::Db;
use std::time::Instant;

const LIMIT_MS: f64 = 100.0;

async fn actor(p: &Passage, username: &str) -> Actor {
    let mut c = p.db.reader().acquire().await.expect("reader");
    let u = passage_storage::users::get_user_by_username(&mut c, username).await.expect("user").expect("demo user");
    Actor::new(u, "bench")
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

async fn run(label: &str, url: &str, n: usize) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let keys = Keyring::parse(&passage_storage::sealed::new_key_line(), "bench").expect("key");
    let p = Passage::new(db, keys);
    let offices = p.seed_reference_data().await.expect("offices and demo users");
    p.ensure_default_programme().await.expect("programme");
    p.ensure_default_scheme().await.expect("scheme");
    let conakry = offices.iter().find(|o| o.code == "GIN-CKY").expect("Conakry").id;
    let (cw, officer) = (actor(&p, "conakry").await, actor(&p, "reintegration").await);
    let started = Instant::now();
    let mut references = Vec::with_capacity(n);
    for i in 0..n {
        let person = PersonInput {
            names: vec![NameInput { given: format!("Returnee{i}"), family: "Bench".into() }],
            sex: if i % 3 == 0 { "female".into() } else { "male".into() },
            birth_date: format!("{}", 1970 + i % 35),
            nationality: "GIN".into(),
            ..Default::default()
        };
        let case = CaseInput { kind: "assisted_voluntary_return".into(), office_id: conakry.to_string(), assigned_to: String::new() };
        let r = p.register_person(&cw, &person, &case).await.expect("register");
        let consent =
            ConsentInput { kind: "follow_up_contact".into(), method: "verbal".into(), given_on: "2026-01-10".into(), ..Default::default() };
        p.record_consent(&cw, r.person_id, &consent).await.expect("consent");
        references.push(r.case_id.to_string());
    }
    // Plans of 500 returnees each (a collective plan per village, say): visits are scheduled for all.
    for chunk in references.chunks(500) {
        let plan = PlanInput { kind: "collective".into(), office_id: conakry.to_string(), title: "Bench".into(), cases: chunk.to_vec() };
        p.create_plan(&officer, &plan).await.expect("plan");
    }
    let prepare = started.elapsed().as_secs_f64();

    // 10,000 surveys: the first two visits of each returnee, answers varied so the portfolio has every band.
    let scheme = passage_service::sustainability::default_scheme();
    let indicators: Vec<_> = scheme.indicators().map(|(_, i)| i.clone()).collect();
    let mut record_ms = Vec::with_capacity(2 * n);
    for (k, case) in references.iter().enumerate() {
        let visits = p.visits(&officer, case.parse().expect("case id")).await.expect("visits");
        for (round, v) in visits.iter().take(2).enumerate() {
            let survey = indicators
                .iter()
                .enumerate()
                .filter(|(j, _)| (k + j) % 7 != 0)
                .map(|(j, i)| (i.code.clone(), i.answers[(k + j + round) % i.answers.len()].code.clone()))
                .collect();
            let input = VisitInput { status: "done".into(), done_on: format!("2026-0{}-15", 4 + round * 3), survey, ..Default::default() };
            let t = Instant::now();
            p.record_visit(&officer, &v.id, &input).await.expect("record");
            record_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let surveys = record_ms.len();
    let (p50, p95) = (percentile(&mut record_ms, 0.5), percentile(&mut record_ms, 0.95));

    // The office's portfolio, rebuilt from every visit each time (as the page and the API do).
    let filter = PortfolioFilter { office: "GIN-CKY".into(), ..Default::default() };
    let first = p.portfolio(&officer, &filter).await.expect("portfolio");
    assert_eq!(first.rows.len(), n, "every returnee in the portfolio");
    let mut page_ms = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let pf = p.portfolio(&officer, &filter).await.expect("portfolio");
        std::hint::black_box(passage_service::sustainability::portfolio_csv(&pf));
        page_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (q50, q95) = (percentile(&mut page_ms, 0.5), percentile(&mut page_ms, 0.95));
    println!("{label}: {n} returnees, 3 visits each, prepared in {prepare:.1} s");
    println!(
        "{label}: record a visit with its survey ({surveys} surveys): p50 {p50:.1} ms, p95 {p95:.1} ms  (limit p95 {LIMIT_MS} ms: {})",
        if p95 <= LIMIT_MS { "within" } else { "OVER" }
    );
    println!(
        "{label}: the portfolio of {} returnees (rows and CSV): p50 {q50:.1} ms, p95 {q95:.1} ms  (limit p95 {LIMIT_MS} ms: {}); {} need more support",
        first.rows.len(),
        if q95 <= LIMIT_MS { "within" } else { "OVER" },
        first.needs_support
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("PASSAGE_BENCH_RETURNEES").ok().and_then(|v| v.parse().ok()).unwrap_or(if bench { 5_000 } else { 40 });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let dir = std::env::temp_dir().join(format!("passage-bench-sustainability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    rt.block_on(run("SQLite", &url, n));
    if let Ok(pg) = std::env::var("PASSAGE_BENCH_SUSTAINABILITY_POSTGRES") {
        rt.block_on(run("PostgreSQL", &pg, n));
    }
    if std::env::var("PASSAGE_BENCH_KEEP").is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", dir.display());
    }
}
