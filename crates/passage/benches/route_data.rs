//! Route data at scale: importing 30,000 incidents in the Missing Migrants
//! Project's format and 1,000,000 flow counts (through the same use cases as
//! `passage incidents import` and `passage flows import`), the summaries,
//! and the reads and drawing of the route-data page over them, on SQLite and
//! PostgreSQL; beside DuckDB (the reference: a columnar engine built for
//! this) loading the same CSV files and running the same summaries. The
//! incident figures are checked against DuckDB's, route by route.
//!
//! `./scripts/bench routes`; or set PASSAGE_BENCH_ROUTES_SQLITE (a file to
//! create), PASSAGE_BENCH_ROUTES_POSTGRES (an empty database's URL) and
//! PASSAGE_BENCH_VENV (a virtual environment with duckdb). Under `cargo
//! test` (no `--bench`) it imports a small file on a temporary SQLite file
//! and checks the figures add up.

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_domain::date::CalendarDate;
use passage_domain::flow::{monday_of, FlowGrouping};
use passage_domain::incident::IncidentGrouping;
use passage_service::Passage;
use passage_storage::sealed::Keyring;
use passage_storage::Db;
use std::collections::HashMap;
use std::time::Instant;

async fn open(url: &str) -> Passage {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    Passage::new(db, Keyring::parse(&passage_storage::sealed::new_key_line(), "bench").expect("key"))
}

/// p50 and p95 of `runs` timings, in ms.
async fn timed<F, Fut, T>(runs: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let s = Instant::now();
        std::hint::black_box(f().await);
        t.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    t.sort_by(|a, b| a.total_cmp(b));
    (t[t.len() / 2], t[(t.len() * 95 / 100).min(t.len() - 1)])
}

struct Files {
    incidents: std::path::PathBuf,
    flows: std::path::PathBuf,
    year: i32,
    today: CalendarDate,
}

fn files(dir: &std::path::Path, incidents: usize, counts: usize) -> Files {
    std::fs::create_dir_all(dir).expect("bench dir");
    let today = CalendarDate::today();
    let f = Files {
        incidents: dir.join(format!("incidents-{incidents}.csv")),
        flows: dir.join(format!("flows-{counts}.csv")),
        year: 2023,
        today,
    };
    if !f.incidents.exists() {
        let all = passage_service::incidents::synthetic_incidents(2026, incidents, 2014..=2025, true);
        std::fs::write(&f.incidents, passage_service::incidents::write_mmp(&all)).expect("write incidents");
    }
    if !f.flows.exists() {
        std::fs::write(&f.flows, passage_service::flows::synthetic_flow_file(2026, counts, today.add_days(-1), true)).expect("write flows");
    }
    f
}

struct Measured {
    import_incidents: f64,
    import_flows: f64,
    incident_summary: (f64, f64),
    flow_weeks: (f64, f64),
    flow_points: (f64, f64),
    page: (f64, f64),
    cells: usize,
    by_route: HashMap<String, i64>,
}

async fn measure(p: &Passage, f: &Files, runs: usize) -> Measured {
    let bytes = std::fs::read(&f.incidents).expect("incidents file");
    let s = Instant::now();
    let r = p.import_incidents(None, &bytes, false).await.expect("import incidents");
    let import_incidents = s.elapsed().as_secs_f64();
    assert_eq!(r.added, r.rows);
    let bytes = std::fs::read(&f.flows).expect("flows file");
    let s = Instant::now();
    let r = p.import_flows(None, &bytes, false).await.expect("import flows");
    let import_flows = s.elapsed().as_secs_f64();
    assert_eq!(r.added, r.rows);
    let (from, to) = (f.today.add_days(-365), f.today);
    let incident_summary = timed(runs, || p.incident_summary(None, Some(f.year), IncidentGrouping::Route)).await;
    let flow_weeks = timed(runs, || p.flow_summary(None, from, to, FlowGrouping::Week)).await;
    let flow_points = timed(runs, || p.flow_summary(None, from, to, FlowGrouping::Point)).await;
    // The page: what it reads (the year's incidents on the map, twelve weeks of flows by
    // point and by week) and the drawing of its map.
    let start = monday_of(to).add_days(-77);
    let page = timed(runs, || async {
        let cells = p.incident_map(None, f.year).await.expect("map");
        let by_point = p.flow_summary(None, start, to, FlowGrouping::Point).await.expect("points");
        let weeks = p.flow_weeks(None, start, to).await.expect("weeks");
        let points = p.flow_points(None).await.expect("points");
        let mut spots: Vec<passage_web::map::Spot> = cells
            .iter()
            .map(|(c, _, total)| passage_web::map::Spot {
                lat: c.lat,
                lon: c.lon,
                value: *total,
                label: String::new(),
                marker: passage_web::map::Marker::Incident,
            })
            .collect();
        for pt in &points {
            let v = by_point.rows.iter().find(|(k, _)| *k == pt.point.code).and_then(|(_, f)| f.count()).unwrap_or(0) as i64;
            spots.push(passage_web::map::Spot {
                lat: pt.point.latitude_e6 as f64 / 1e6,
                lon: pt.point.longitude_e6 as f64 / 1e6,
                value: v,
                label: pt.point.code.clone(),
                marker: passage_web::map::Marker::Flow,
            });
        }
        let svg = passage_web::map::route_map("m", "Map", &spots, &[]).into_string();
        (svg.len(), weeks.weeks.len())
    })
    .await;
    let cells = p.incident_map(None, f.year).await.expect("map").len();
    let by_route = p
        .incident_summary(None, Some(f.year), IncidentGrouping::Route)
        .await
        .expect("summary")
        .into_iter()
        .map(|r| (r.key, r.dead_and_missing))
        .collect();
    Measured { import_incidents, import_flows, incident_summary, flow_weeks, flow_points, page, cells, by_route }
}

fn duckdb(venv: &str, f: &Files, runs: usize) -> Option<serde_json::Value> {
    let script = format!("{}/../../scripts/duckdb-routes.py", env!("CARGO_MANIFEST_DIR"));
    let (from, to) = (f.today.add_days(-365), f.today);
    let o = std::process::Command::new(format!("{venv}/bin/python"))
        .arg(script)
        .args([
            f.incidents.display().to_string(),
            f.flows.display().to_string(),
            f.year.to_string(),
            from.to_string(),
            to.to_string(),
            runs.to_string(),
        ])
        .output()
        .ok()?;
    if !o.status.success() {
        eprintln!("DuckDB: {}", String::from_utf8_lossy(&o.stderr));
        return None;
    }
    serde_json::from_slice(&o.stdout).ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench {
        // Under `cargo test`: a small run that checks the figures add up.
        let dir = std::env::temp_dir().join(format!("passage-routes-bench-{}", std::process::id()));
        let f = files(&dir, 500, 5_000);
        let p = open(&format!("sqlite://{}", dir.join("routes.db").display())).await;
        let m = measure(&p, &f, 2).await;
        let year: Vec<_> = passage_service::incidents::synthetic_incidents(2026, 500, 2014..=2025, true)
            .into_iter()
            .filter(|i| i.year == Some(f.year))
            .collect();
        assert_eq!(m.by_route.values().sum::<i64>(), year.iter().map(|i| i.dead_and_missing.unwrap_or(0)).sum::<i64>());
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let incidents: usize = std::env::var("PASSAGE_BENCH_ROUTES_INCIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(30_000);
    let counts: usize = std::env::var("PASSAGE_BENCH_ROUTES_COUNTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runs = 20;
    let dir =
        std::path::PathBuf::from(std::env::var("PASSAGE_BENCH_DIR").unwrap_or_else(|_| "/var/tmp/passage-bench".into())).join("routes");
    let f = files(&dir, incidents, counts);
    println!(
        "route data: {incidents} incidents ({} MB), {counts} flow counts ({} MB); summaries of {} and of the last 365 days, p50 / p95 of {runs} runs",
        std::fs::metadata(&f.incidents).map(|m| m.len() >> 20).unwrap_or(0),
        std::fs::metadata(&f.flows).map(|m| m.len() >> 20).unwrap_or(0),
        f.year
    );
    let reference = std::env::var("PASSAGE_BENCH_VENV").ok().and_then(|v| duckdb(&v, &f, runs));
    let mut ours: Vec<(&str, Measured)> = Vec::new();
    for (name, url) in
        [("SQLite", std::env::var("PASSAGE_BENCH_ROUTES_SQLITE").ok()), ("PostgreSQL", std::env::var("PASSAGE_BENCH_ROUTES_POSTGRES").ok())]
    {
        let Some(url) = url else { continue };
        let url = if url.starts_with("postgres") || url.starts_with("sqlite") { url } else { format!("sqlite://{url}") };
        let p = open(&url).await;
        ours.push((name, measure(&p, &f, runs).await));
    }
    println!("| | import 30,000 incidents | import 1,000,000 counts | incidents by route (a year) | persons by week (365 days) | persons by point (365 days) | the page's reads and map |");
    println!("|---|---|---|---|---|---|---|");
    for (name, m) in &ours {
        println!(
            "| Passage on {name} | {:.2} s | {:.1} s | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.1} / {:.1} ms ({} incident cells) |",
            m.import_incidents,
            m.import_flows,
            m.incident_summary.0,
            m.incident_summary.1,
            m.flow_weeks.0,
            m.flow_weeks.1,
            m.flow_points.0,
            m.flow_points.1,
            m.page.0,
            m.page.1,
            m.cells
        );
    }
    if let Some(d) = &reference {
        println!(
            "| DuckDB (load CSV, then query) | {} s | {} s | {} ms | {} ms | {} ms | |",
            d["load_incidents_s"], d["load_flows_s"], d["incident_summary_ms"], d["flow_week_ms"], d["flow_point_ms"]
        );
        // The same figures, route by route.
        let theirs: HashMap<String, i64> = d["incident_rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| (r[0].as_str().unwrap_or("Unknown").to_string(), r[4].as_i64().unwrap_or(0)))
            .collect();
        for (name, m) in &ours {
            assert_eq!(m.by_route, theirs, "{name}: incidents by route differ from DuckDB's");
        }
        println!("incidents by route: identical to DuckDB's on {} route groups", theirs.len());
    }
}
