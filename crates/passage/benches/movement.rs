//! A large return movement: seed 003 tells of 841 people returned from
//! Libya. This fills one charter with 841 returnees whose journeys are
//! ready, boards them all, and times departure and arrival — each one
//! transaction that records every traveller's transport steps — beside the
//! limit a movement officer would accept at an airport (a few seconds).
//!
//! `cargo bench -p passage --bench movement` (SQLite in a temporary
//! folder); PASSAGE_BENCH_MOVEMENT_POSTGRES=URL of an empty database adds
//! PostgreSQL; PASSAGE_BENCH_TRAVELLERS sets the count.

/// The allocator the `passage` binary ships with (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use passage_domain::case::CaseInput;
use passage_domain::movement::MovementInput;
use passage_domain::person::{NameInput, PersonInput};
use passage_service::returns::StepInput;
use passage_service::{Actor, Passage};
use passage_storage::sealed::Keyring;
use passage_storage::Db;
use std::time::Instant;

async fn actor(p: &Passage, username: &str) -> Actor {
    let mut c = p.db.reader().acquire().await.expect("reader");
    let u = passage_storage::users::get_user_by_username(&mut c, username).await.expect("user").expect("demo user");
    Actor::new(u, "bench")
}

async fn run(label: &str, url: &str, n: usize) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let keys = Keyring::parse(&passage_storage::sealed::new_key_line(), "bench").expect("key");
    let p = Passage::new(db, keys);
    let offices = p.seed_reference_data().await.expect("offices and demo users");
    let agadez = offices.iter().find(|o| o.code == "NER-AGZ").expect("Agadez").id;
    let cw = actor(&p, "agadez").await;
    let mover = actor(&p, "movements").await;
    let started = Instant::now();
    let mut cases = Vec::with_capacity(n);
    for i in 0..n {
        let person = PersonInput {
            names: vec![NameInput { given: format!("Traveller{i}"), family: "Bench".into() }],
            sex: "male".into(),
            birth_date: "1995".into(),
            nationality: "GIN".into(),
            ..Default::default()
        };
        let case = CaseInput { kind: "assisted_voluntary_return".into(), office_id: agadez.to_string(), assigned_to: String::new() };
        let r = p.register_person(&cw, &person, &case).await.expect("register");
        for step in [
            "initial_interview",
            "return_counselling",
            "voluntariness_confirmed",
            "eligibility_confirmed",
            "travel_document",
            "exit_clearance",
            "booking",
        ] {
            p.record_step(&cw, r.case_id, step, &StepInput { action: "done".into(), ..Default::default() }).await.expect(step);
        }
        p.record_step(
            &cw,
            r.case_id,
            "medical_screening",
            &StepInput { action: "done".into(), fit_to_travel: "fit".into(), ..Default::default() },
        )
        .await
        .expect("medical");
        cases.push(r.case_id);
    }
    let prepare = started.elapsed().as_secs_f64();
    let m = p
        .create_movement(
            &mover,
            &MovementInput {
                kind: "charter_flight".into(),
                office_id: agadez.to_string(),
                origin: "Agadez".into(),
                destination_country: "GIN".into(),
                destination: "Conakry".into(),
                departure_on: "2026-12-01".into(),
                capacity: n.to_string(),
                ..Default::default()
            },
        )
        .await
        .expect("movement");
    let started = Instant::now();
    for c in &cases {
        p.manifest(&mover, m, &c.to_string()).await.expect("manifest");
    }
    let manifest = started.elapsed().as_secs_f64();
    for c in &cases {
        p.set_traveller(&mover, m, *c, "boarded").await.expect("board");
    }
    let started = Instant::now();
    p.set_movement_status(&mover, m, "departed").await.expect("depart");
    let depart = started.elapsed().as_secs_f64();
    let started = Instant::now();
    p.set_movement_status(&mover, m, "arrived").await.expect("arrive");
    let arrive = started.elapsed().as_secs_f64();
    let file = p.movement(&mover, m).await.expect("file");
    assert!(file.travellers.iter().all(|t| t.status == passage_domain::movement::TravellerStatus::Arrived));
    println!(
        "{label:<11} {n} travellers: prepare {prepare:.1} s | manifest {manifest:.2} s ({:.1} ms each) | departure {depart:.2} s | arrival {arrive:.2} s | limit: a few seconds each",
        manifest * 1000.0 / n as f64
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo test` runs this too (without `--bench`): then a small smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("PASSAGE_BENCH_TRAVELLERS").ok().and_then(|v| v.parse().ok()).unwrap_or(if full { 841 } else { 50 });
    let dir = std::env::temp_dir().join(format!("passage-bench-movement-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    run("SQLite", &dir.join("movement.db").display().to_string(), n).await;
    if let Ok(url) = std::env::var("PASSAGE_BENCH_MOVEMENT_POSTGRES") {
        run("PostgreSQL", &url, n).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
