//! The API keeps its OpenAPI promise under a fuzzer nobody here wrote:
//! schemathesis (PyPI, pinned in `scripts/test`) reads `/api/v1/openapi.json`
//! and runs every check it has — server errors, status codes, response
//! schemas, schema-valid requests refused, schema-violating ones accepted,
//! missing authentication, object-level authorisation between two
//! caseworkers of different offices — through its examples, coverage,
//! fuzzing and stateful phases, with a fixed seed and budget, on SQLite and
//! on PostgreSQL. Any failure fails the test command.
//!
//! `tests/contract/schemathesis.toml` says which refusals depend on what the
//! database holds (an office or a user that does not exist), and which
//! operations would lock the fuzzer out of its own run (its token, its
//! users' grants and accounts): those run last, on their own.

mod common;
use common::run as run_cli;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Examples per operation and phase: the budget that keeps both databases under ~3 minutes here.
/// `PASSAGE_CONTRACT_EXAMPLES` raises it for the deeper run before a release (`scripts/contract-deep`).
fn budget() -> String {
    std::env::var("PASSAGE_CONTRACT_EXAMPLES").unwrap_or_else(|_| "12".into())
}

fn schemathesis() -> PathBuf {
    let venv =
        std::env::var("PASSAGE_TEST_VENV").expect("PASSAGE_TEST_VENV: run the tests through ./scripts/test, which installs schemathesis");
    let bin = Path::new(&venv).join("bin/schemathesis");
    assert!(bin.exists(), "{} is missing: ./scripts/test installs it", bin.display());
    bin
}

/// A dictionary of ids that exist, and the operations under `/{resource}/{id}` that use them part of the time.
fn seeded_ids(resource: &str, ids: &[String]) -> String {
    seeded_values(resource, "id", ids)
}

/// The same for a path parameter of another name (`/programmes/{code}`).
fn seeded_values(resource: &str, param: &str, values: &[String]) -> String {
    let values = values.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ");
    format!(
        "\n[dictionaries.{resource}]\nvalues = [{values}]\n\n[[operations]]\ninclude-path-regex = \"^/{resource}/\\\\{{{param}\\\\}}\"\n\
         parameters = {{ \"path.{param}\" = {{ dictionary = \"{resource}\", probability = 0.6 }} }}\n"
    )
}

/// One schemathesis run; panics with its report when anything fails. A run
/// that stopped on an error inside the tool itself (not a finding about the
/// API: CPython 3.11 sometimes fails to describe a lambda, "AST constructor
/// recursion depth mismatch") is run once more; a failure is never retried.
fn run(s: &Server, dir: &Path, extra: &[&str], what: &str) {
    for attempt in 0..2 {
        let out = run_once(s, dir, extra);
        let report = String::from_utf8_lossy(&out.stdout).to_string();
        let tool_error =
            !out.status.success() && report.contains("AST constructor recursion depth mismatch") && !report.contains("Failures:");
        if tool_error && attempt == 0 {
            eprintln!("schemathesis, {what}: an error inside the tool, run again");
            continue;
        }
        let summary: String = report.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        eprintln!("schemathesis, {what}:\n{summary}");
        assert!(out.status.success(), "schemathesis found failures ({what}):\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
        return;
    }
}

fn run_once(s: &Server, dir: &Path, extra: &[&str]) -> std::process::Output {
    let url = format!("{}/api/v1", s.url);
    Command::new(schemathesis())
        .current_dir(dir)
        .args(["--config-file", "schemathesis.toml", "run", &format!("{url}/openapi.json"), "--url", &url])
        .args(["--checks", "all", "--seed", "2026", "--workers", "2", "--max-examples", &budget()])
        .args(["--auth-wfc", "auth.json", "--auth-wfc-user", "admin", "--no-color"])
        .args(extra)
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("run schemathesis")
}

async fn the_api_keeps_its_contract(backend: Backend) {
    let s = server(backend, "contract", 40).await;
    let dir = tmpdir("contract");
    let mut users = Vec::new();
    for name in ["admin", "agadez", "conakry"] {
        let t = token(&s, name).await;
        users.push(serde_json::json!({"name": name, "fixedHeaders": [{"name": "Authorization", "value": format!("Bearer {t}")}]}));
    }
    std::fs::write(dir.join("auth.json"), serde_json::json!({ "auth": users }).to_string()).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract/schemathesis.toml");
    // Ids that exist, for the fuzzer to use part of the time (schemathesis dictionaries): random ids
    // alone reach little past a 404. Each caseworker registers persons of their own office, so the
    // object-level authorisation check has objects that belong to one peer and not the other.
    let admin = token(&s, "admin").await;
    let offices: serde_json::Value = api_get(&s, &admin, "/offices").await.json().await.unwrap();
    let office_ids: Vec<String> = offices.as_array().unwrap().iter().filter_map(|o| o["id"].as_str().map(str::to_string)).collect();
    let (mut persons, mut cases) = (Vec::new(), Vec::new());
    for (name, n) in [("agadez", 0), ("agadez", 1), ("conakry", 2)] {
        let t = token(&s, name).await;
        let office = office_of(&s, &t).await;
        let r = api_post(
            &s,
            &t,
            "/persons",
            serde_json::json!({"person": {"names": [{"given": format!("Contract{n}"), "family": "Seed"}], "sex": "female", "birth_date": "1994", "nationality": "GIN"},
                               "case": {"kind": "assisted_voluntary_return", "office_id": office}}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let ids: serde_json::Value = r.json().await.unwrap();
        persons.push(ids["person_id"].as_str().unwrap().to_string());
        cases.push(ids["case_id"].as_str().unwrap().to_string());
    }
    // A movement, a reintegration plan (for the Conakry returnee) and a provider, each of its own officer.
    let mover = token(&s, "movements").await;
    let agadez_office = office_of(&s, &token(&s, "agadez").await).await;
    let r = api_post(
        &s,
        &mover,
        "/movements",
        serde_json::json!({"kind": "bus_convoy", "office_id": agadez_office, "origin": "Agadez bus station", "transit": [], "destination_country": "GIN",
                           "destination": "Conakry", "departure_on": "2026-12-20", "capacity": "40"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let movement = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let conakry = token(&s, "conakry").await;
    let file: serde_json::Value = api_get(&s, &conakry, &format!("/cases/{}", cases[2])).await.json().await.unwrap();
    let officer = token(&s, "reintegration").await;
    let r = api_post(
        &s,
        &officer,
        "/plans",
        serde_json::json!({"kind": "individual", "office_id": office_of(&s, &conakry).await, "title": "Tailoring", "cases": [file["case"]["reference"]]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let plan = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let r = api_post(
        &s,
        &admin,
        "/providers",
        serde_json::json!({"organisation": "Croix-Rouge Agadez", "services": ["medical"], "places": "Agadez"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let provider = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    // A programme (the generated one) and a budget (the shipped appeal, imported for it), by code;
    // the export files by name.
    let programmes: serde_json::Value = api_get(&s, &admin, "/programmes").await.json().await.unwrap();
    let programme_codes: Vec<String> =
        programmes.as_array().unwrap().iter().filter_map(|p| p["code"].as_str().map(str::to_string)).collect();
    assert!(!programme_codes.is_empty(), "the generated data has no programme");
    let budget = format!("{}/../../data/wca-2020-appeal-budget.csv", env!("CARGO_MANIFEST_DIR"));
    let o = run_cli(&["budget", "import", &budget, "--code", "WCA-2020", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files: Vec<String> = ["cases", "assistance", "activities"].iter().flat_map(|f| [format!("{f}.csv"), format!("{f}.xlsx")]).collect();
    // Offices and cases also stand in bodies (`office_id`, `case_id`), so they are drawn there too.
    let offices_list = office_ids.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ");
    let seeded: String = format!(
        "{}\n\n[dictionaries.offices]\nvalues = [{offices_list}]\n{}{}{}{}{}\n\
         [parameters]\n\"body.office_id\" = {{ dictionary = \"offices\", probability = 0.6 }}\n\"body.case_id\" = {{ dictionary = \"cases\", probability = 0.5 }}\n",
        std::fs::read_to_string(&config).unwrap(),
        seeded_ids("persons", &persons),
        seeded_ids("cases", &cases),
        seeded_ids("movements", &[movement]),
        seeded_ids("plans", &[plan]),
        seeded_ids("providers", &[provider]),
    ) + &seeded_values("programmes", "code", &programme_codes)
        + &seeded_values("budgets", "code", &["WCA-2020".to_string()])
        + &seeded_values("exports", "file", &files);
    std::fs::write(dir.join("schemathesis.toml"), &seeded).unwrap();
    run(&s, &dir, &["--phases", "examples,coverage,fuzzing,stateful"], "every operation");
    // Last, what changes the fuzzer's own users: its token, grants, accounts, second factors.
    std::fs::write(dir.join("schemathesis.toml"), seeded.replace("enabled = false # the run of their own enables them", "enabled = true"))
        .unwrap();
    run(
        &s,
        &dir,
        &[
            "--phases",
            "examples,coverage,fuzzing",
            "--include-path-regex",
            "^/(auth/logout|tokens/\\{id\\}/revoke|users/\\{username\\}/(active|grants/\\{role\\}/revoke|second-factor/reset))$",
        ],
        "the operations on the fuzzer's own users",
    );
}

both_backends!(the_api_keeps_its_contract);
