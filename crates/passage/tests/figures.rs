//! Programme figures from the command line, as processes on real databases:
//! the appeal budget imported whole or not at all, and printed with totals
//! that reproduce the appeal's own, as text, CSV and HXL (checked with the
//! reference HXL library).

mod common;
use common::*;
use sqlx::{AnyConnection, Connection, Row};

fn out(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn appeal() -> String {
    format!("{}/../../data/wca-2020-appeal-budget.csv", env!("CARGO_MANIFEST_DIR"))
}

/// The Python virtual environment `./scripts/test` prepares with the reference tools.
fn venv_tool(name: &str) -> std::path::PathBuf {
    let venv = std::env::var("PASSAGE_TEST_VENV").expect("PASSAGE_TEST_VENV is unset: run the tests with ./scripts/test");
    std::path::Path::new(&venv).join("bin").join(name)
}

async fn budget_lines(url: &str) -> i64 {
    let mut c = AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let n = sqlx::query("SELECT COUNT(*) FROM budget_lines").fetch_one(&mut c).await.unwrap().get(0);
    c.close().await.unwrap();
    n
}

async fn the_appeal_budget_round_trips(backend: Backend) {
    let db = fresh_database(backend, "budget").await;
    let dir = tmpdir("budget");

    // A file with one bad cell among good rows writes nothing.
    let bad = dir.join("bad.csv");
    let mut text = std::fs::read_to_string(appeal()).unwrap();
    text = text.replace("Mali,MLI,300000,", "Mali,MLI,3OO000,");
    std::fs::write(&bad, &text).unwrap();
    let o = run(&["budget", "import", "--database-url", &db, bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("line 16, column P1 (\"3OO000\"): not an amount"), "{}", out(&o));
    assert!(out(&o).contains("nothing was imported"));
    assert_eq!(budget_lines(&db).await, 0);
    let o = run(&["budget", "table", "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("no budget yet"), "{}", out(&o));

    let o = run(&["budget", "import", "--database-url", &db, &appeal()], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("imported budget WCA-2020-APPEAL-BUDGET: 21 offices, total USD 380,026,059"), "{}", out(&o));
    let lines = budget_lines(&db).await;
    assert_eq!(lines, 21 * 6 - 23, "one line per planned heading; the 23 empty cells are nothing planned");
    // Re-importing replaces, never doubles.
    let o = run(&["budget", "import", "--database-url", &db, &appeal()], None);
    assert!(out(&o).contains("replaced budget"), "{}", out(&o));
    assert_eq!(budget_lines(&db).await, lines);

    let o = run(&["budget", "table", "--database-url", &db], None);
    assert!(o.status.success(), "{}", out(&o));
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    let totals = table.lines().last().unwrap();
    for figure in ["39,148,312", "21,234,300", "35,540,725", "97,735,912", "122,262,058", "64,104,752", "380,026,059"] {
        assert!(totals.contains(figure), "{figure} missing from {totals}");
    }
    assert!(table.contains("Nigeria") && table.contains("110,475,810"));

    let o = run(&["budget", "table", "--format", "csv", "--database-url", &db], None);
    let csv = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(csv.ends_with("Total,,39148312,21234300,35540725,97735912,122262058,64104752,380026059\n"), "{csv}");

    // HXL: the reference library validates the tagged export against a schema,
    // and refuses a copy with a broken code and amount (so the check can fail).
    let o = run(&["budget", "table", "--format", "csv", "--hxl", "--database-url", &db], None);
    let hxl = dir.join("budget.hxl.csv");
    std::fs::write(&hxl, &o.stdout).unwrap();
    let schema = format!("{}/tests/data/budget-hxl-schema.csv", env!("CARGO_MANIFEST_DIR"));
    let v = std::process::Command::new(venv_tool("hxlvalidate")).args(["--schema", &schema]).arg(&hxl).output().unwrap();
    assert!(v.status.success(), "{}", out(&v));
    let broken = dir.join("broken.hxl.csv");
    std::fs::write(&broken, String::from_utf8_lossy(&o.stdout).replace("Benin,BEN,100000", "Benin,BE,1e5x")).unwrap();
    let v = std::process::Command::new(venv_tool("hxlvalidate")).args(["--schema", &schema]).arg(&broken).output().unwrap();
    assert!(!v.status.success(), "{}", out(&v));

    let o = run(&["budget", "table", "--hxl", "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("--format csv"), "{}", out(&o));
}

async fn a_pasted_appeal_is_read_or_refused_with_what_to_change(backend: Backend) {
    let db = fresh_database(backend, "pasted").await;
    let dir = tmpdir("pasted");
    let pasted = dir.join("pasted.csv");
    std::fs::write(
        &pasted,
        "\u{feff};P1;P2;P3;O1;O2;O3;TOTAL\n\
         Regional Office Dakar;70 000;-;2 320 000;3 500 000;200 000;14 400 000;20 490 000\n\
         Côte d’Ivoire;2 500 000;2 500 000;500 000;6 000 000;1 000 000;4 000 000;16 500 000\n\
         Total;2 570 000;2 500 000;2 820 000;9 500 000;1 200 000;18 400 000;36 990 000\n",
    )
    .unwrap();
    let o = run(&["budget", "import", "--database-url", &db, "--code", "pasted", "--title", "Pasted", pasted.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("PASTED: 2 offices, total USD 36,990,000"), "{}", out(&o));
    let o = run(&["budget", "table", "--budget", "pasted", "--format", "csv", "--database-url", &db], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Côte d’Ivoire,CIV,2500000,2500000,500000,6000000,1000000,4000000,16500000"));

    let sums_wrong = dir.join("sums.csv");
    std::fs::write(&sums_wrong, "office;P1;P2;P3;O1;O2;O3;total\nMali;1 000;-;-;-;-;-;1 001\n").unwrap();
    let o = run(&["budget", "import", "--database-url", &db, "--code", "sums", sums_wrong.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("line 2, column total (\"1 001\"): the row's cells add up to 1,000, not 1,001"), "{}", out(&o));
    let o = run(&["budget", "import", "--database-url", &db, "--code", "bad code!", pasted.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}

async fn budgets_are_figures_for_every_reader_of_figures(backend: Backend) {
    let s = server(backend, "budget-web", 5).await;
    let o =
        run(&["budget", "import", "--database-url", &s.database_url, &appeal(), "--title", "West and Central Africa appeal 2020"], None);
    assert!(o.status.success(), "{}", out(&o));
    let viewer = token(&s, "viewer").await;
    let list: serde_json::Value = api_get(&s, &viewer, "/budgets").await.json().await.unwrap();
    assert_eq!(list[0]["code"], "WCA-2020-APPEAL-BUDGET", "{list}");
    let r = api_get(&s, &viewer, "/budgets/wca-2020-appeal-budget").await;
    assert_eq!(r.status(), 200);
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["total"], 380_026_059);
    assert_eq!(b["totals"]["o2_mobility_dimensions_of_crises"], 122_262_058);
    assert_eq!(b["rows"][0]["office"], "Regional Office Dakar");
    assert_eq!(b["rows"][0]["amounts"]["p2_evidence_whole_of_government"], serde_json::Value::Null, "nothing planned is not zero");
    let r = api_get(&s, &viewer, "/budgets/WCA-2020-APPEAL-BUDGET/table.csv?hxl=true").await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("#org+name,#country+code,#value+funding+required+usd+p1"));
    let r = api_get(&s, &viewer, "/budgets/WCA-2020-APPEAL-BUDGET/table.csv?hxl=maybe").await;
    assert_eq!(r.status(), 400);
    assert_eq!(api_get(&s, &viewer, "/budgets/NOPE").await.status(), 404);

    // The page: the table with its totals and the chart, with a title for screen readers.
    let c = client();
    page_login(&s, &c, "viewer").await;
    let html = c.get(format!("{}/budgets/WCA-2020-APPEAL-BUDGET", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("380,026,059") && html.contains("122,262,058"), "totals on the page");
    assert!(html.contains("<svg") && html.contains("budget-chart-title"));
    assert!(html.contains("Nigeria, O2: USD 75,412,058"), "every bar carries its value");

    // Partners read referrals, not programme figures.
    let o = run(
        &["user", "add", "--username", "desk", "--role", "partner", "--office", "all", "--database-url", &s.database_url],
        Some("ngo liaison passphrase\n"),
    );
    assert!(o.status.success(), "{}", out(&o));
    let r = client()
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&serde_json::json!({"username": "desk", "password": "ngo liaison passphrase"}))
        .send()
        .await
        .unwrap();
    let partner = r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    assert_eq!(api_get(&s, &partner, "/budgets/WCA-2020-APPEAL-BUDGET").await.status(), 403);
}

async fn programme_figures_are_computed_from_the_records_and_protected(backend: Backend) {
    let s = server(backend, "programme", 400).await;
    let viewer = token(&s, "viewer").await;
    let list: serde_json::Value = api_get(&s, &viewer, "/programmes").await.json().await.unwrap();
    assert_eq!(list[0]["code"], "SSS2-CMR", "{list}");
    assert_eq!(list[0]["countries"].as_array().unwrap().len(), 10);
    let r = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await;
    assert_eq!(r.status(), 200);
    let f: serde_json::Value = r.json().await.unwrap();
    let body = f.to_string();
    let ind = f["indicators"].as_array().unwrap();
    assert_eq!(ind.len(), 10, "the eight of the programme texts and the two of reintegration sustainability");
    let reached = ind.iter().find(|i| i["code"] == "reached-with-support").unwrap();
    assert_eq!(reached["target"], 18_000);
    assert_eq!(reached["protected"], true);

    // The oracle: the same count straight from the database.
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let expected: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT c.person_id) FROM assistance a JOIN cases c ON c.id = a.case_id \
         WHERE a.provided_on >= '2018-04-01' AND a.provided_on <= '2021-12-31'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap()
    .get(0);
    assert!(expected >= 5, "the demo data assists persons in the programme period ({expected})");
    assert_eq!(reached["total"], expected);
    let sheltered: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT c.person_id) FROM assistance a JOIN cases c ON c.id = a.case_id \
         WHERE a.kind = 'shelter' AND a.provided_on >= '2018-04-01' AND a.provided_on <= '2021-12-31'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap()
    .get(0);
    c.close().await.unwrap();
    let shelter = ind.iter().find(|i| i["code"] == "safe-shelter").unwrap();
    assert_eq!(shelter["total"], sheltered);

    // One office's dashboard: the persons first assisted there.
    let mut c = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let agadez: i64 = sqlx::query(
        "SELECT COUNT(*) FROM (SELECT c.person_id, MIN(a.provided_on || c.office_id) AS k FROM assistance a JOIN cases c ON c.id = a.case_id \
         WHERE a.provided_on >= '2018-04-01' AND a.provided_on <= '2021-12-31' GROUP BY c.person_id) x \
         WHERE substr(x.k, 11) = (SELECT id FROM offices WHERE code = 'NER-AGZ')",
    )
    .fetch_one(&mut c)
    .await
    .unwrap()
    .get(0);
    c.close().await.unwrap();
    let of: serde_json::Value = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures?office=ner-agz").await.json().await.unwrap();
    assert_eq!(of["office"], "NER-AGZ");
    let office_total = &of["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "reached-with-support").unwrap()["total"];
    if agadez >= 5 {
        assert_eq!(office_total, agadez);
    } else {
        assert!(office_total.is_null() || office_total == 0);
    }
    assert_eq!(api_get(&s, &viewer, "/programmes/SSS2-CMR/figures?office=NOWHERE").await.status(), 404);

    // Every breakdown adds up to the total, and nothing published is a small count.
    for b in ["by_office", "by_sex_age", "by_vulnerability", "by_month"] {
        let t = &reached[b]["table"];
        assert_eq!(t["total"], expected, "{b}");
        let cells: Vec<&serde_json::Value> = t["cells"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap()).collect();
        let margins = t["row_totals"].as_array().unwrap().iter().chain(t["column_totals"].as_array().unwrap());
        for v in cells.iter().copied().chain(margins) {
            if let Some(n) = v.as_u64() {
                assert!(n == 0 || n >= 5, "{b}: published small count {n}");
            }
        }
        let published: u64 = cells.iter().filter_map(|v| v.as_u64()).sum();
        let hidden = cells.iter().filter(|v| v.is_null()).count();
        assert!(hidden == 0 || hidden >= 2, "{b}: a lone suppressed cell is recovered from the total");
        if hidden == 0 {
            assert_eq!(published, expected as u64);
        }
    }
    // The demo's activities are of the order of the seeds' key achievements.
    let total = |code: &str| ind.iter().find(|i| i["code"] == code).unwrap()["total"].as_i64().unwrap_or(-1);
    assert!((6_000..=10_000).contains(&total("rescued")), "rescued {}", total("rescued"));
    assert!((180_000..=280_000).contains(&total("reached-with-information")), "reached {}", total("reached-with-information"));
    assert!((1_500..=2_500).contains(&total("practitioners-trained")));
    assert_eq!(total("shelters-renovated"), 10);
    assert!((140..=160).contains(&total("studies")));
    assert!(total("reintegration-support") >= 5, "returnees with a plan in the period: {}", total("reintegration-support"));
    // No names in figures.
    for name in ["Diallo", "Camara", "Traoré", "Keita"] {
        assert!(!body.contains(name), "a name in the figures: {name}");
    }

    // As CSV with HXL hashtags, checked by the reference library; suppressed cells are flagged, not zero.
    let csv = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures.csv?hxl=true").await.bytes().await.unwrap();
    let (ok, said) = hxl_validate(&csv, "csv", "figures-hxl-schema.csv");
    assert!(ok, "{said}");
    let text = String::from_utf8_lossy(&csv).to_string();
    assert!(
        text.contains(&format!(
            "reached-with-support,Migrants reached with support (shelter, health care, reintegration…),,,{expected},18000,"
        )) || text.contains(&format!(",,,{expected},18000,")),
        "{text}"
    );
    for line in text.lines().skip(2) {
        let cells: Vec<&str> = line.rsplitn(4, ',').collect();
        // value, target, suppressed from the end.
        if cells[0] == "yes" {
            assert_eq!(cells[2], "", "a suppressed value is empty: {line}");
        }
    }
    let (bad, _) = hxl_validate(text.replacen(",NER,", ",NIGER,", 1).as_bytes(), "csv", "figures-hxl-schema.csv");
    assert!(!bad, "the schema catches a wrong country code");

    // The dashboard page.
    let c = client();
    page_login(&s, &c, "viewer").await;
    let html = c.get(format!("{}/programmes/SSS2-CMR", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Migrants reached with support"), "the page names the indicators");
    assert!(html.contains("progress-title"), "the chart has a title");
    assert!(html.contains("18,000"), "targets are shown");
    assert!(html.contains("over-time-title"), "persons assisted over time");
    let html = c.get(format!("{}/programmes/SSS2-CMR?office=NER-AGZ", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<option value=\"NER-AGZ\" selected"), "the office dashboard");
    assert_eq!(api_get(&s, &viewer, "/programmes/NOPE/figures").await.status(), 404);
}

async fn the_public_results_page_needs_no_login_and_names_nobody(backend: Backend) {
    let s = server(backend, "public", 300).await;
    let c = client();
    let r = c.get(format!("{}/results", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/results/SSS2-CMR", "the default programme's page");
    let html = c.get(format!("{}/results/SSS2-CMR?lang=en", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Safety, Support and Solutions II"), "the programme");
    assert!(html.contains("Key achievements") && html.contains("Areas of work") && html.contains("Returning home and reintegration"));
    assert!(html.contains("Shelters renovated or refurbished"));
    // The year's lives lost on the routes, by route (anonymous incidents are public figures).
    assert!(html.contains("Lives lost on the migration routes in") && html.contains("Central Mediterranean"), "the incidents by route");
    assert!(!html.contains("action=\"/logout\""), "no session, no navigation for staff");
    let fr = c.get(format!("{}/results/SSS2-CMR?lang=fr", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(fr.contains("Principaux résultats") && fr.contains("Domaines d’action") && fr.contains("Retour et réintégration"), "French");
    assert!(fr.contains("lang=\"fr\""));
    // The same protected figures as the dashboard.
    let viewer = token(&s, "viewer").await;
    let f: serde_json::Value = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap();
    let shelters =
        f["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "shelters-renovated").unwrap()["total"].as_i64().unwrap();
    assert!(html.contains(&format!("<strong>{shelters}</strong> Shelters renovated")), "live figure on the page");
    // A resource downloads without login.
    let href = html
        .split("href=\"")
        .find(|h| h.starts_with("/results/SSS2-CMR/resources/"))
        .expect("a download link")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c.get(format!("{}{href}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename="));
    assert!(!r.bytes().await.unwrap().is_empty());
    assert_eq!(c.get(format!("{}/results/NOPE", s.url)).send().await.unwrap().status(), 404);
    assert_eq!(c.get(format!("{}/results/SSS2-CMR/resources/nope", s.url)).send().await.unwrap().status(), 404);
    // Nobody's name is on a public page.
    let mut db = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let names: Vec<String> = sqlx::query("SELECT family FROM person_names WHERE family IS NOT NULL LIMIT 200")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    db.close().await.unwrap();
    for n in names.iter().filter(|n| n.len() > 4) {
        assert!(!html.contains(&format!(" {n} ")) && !fr.contains(&format!(" {n} ")), "a name on the public page: {n}");
    }
}

async fn the_programme_exports_as_a_valid_iati_activity(backend: Backend) {
    let s = server(backend, "iati", 200).await;
    let o = run(&["budget", "import", "--database-url", &s.database_url, &appeal(), "--programme", "sss2-cmr", "--year", "2020"], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = run(
        &["budget", "import", "--database-url", &s.database_url, &appeal(), "--code", "x", "--programme", "NOPE", "--year", "1850"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("programme") && out(&o).contains("year"), "{}", out(&o));
    let viewer = token(&s, "viewer").await;
    let r = api_get(&s, &viewer, "/programmes/SSS2-CMR/iati.xml").await;
    assert_eq!(r.status(), 200);
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<iati-identifier>XM-DAC-47066-SSS2-CMR</iati-identifier>"));
    assert!(xml.contains("<recipient-country code=\"NE\""), "two-letter country codes");
    assert!(xml.contains(">380026059</value>"), "the budget that belongs to the programme");
    assert!(xml.contains("<target value=\"18000\"/>"));
    assert!(xml.contains("<actual value="), "actual values");
    let dir = tmpdir("iati");
    let file = dir.join("activity.xml");
    std::fs::write(&file, &xml).unwrap();
    let schema = std::path::Path::new(&std::env::var("PASSAGE_TEST_VENV").expect("run with ./scripts/test"))
        .join("iati-2.03/iati-activities-schema.xsd");
    let v = std::process::Command::new("xmllint").args(["--noout", "--schema"]).arg(&schema).arg(&file).output().unwrap();
    assert!(v.status.success(), "the official schema refuses the export: {}", out(&v));
    // The check can fail: an activity without its identifier is refused.
    let broken = dir.join("broken.xml");
    std::fs::write(&broken, xml.replace("<iati-identifier>XM-DAC-47066-SSS2-CMR</iati-identifier>", "")).unwrap();
    let v = std::process::Command::new("xmllint").args(["--noout", "--schema"]).arg(&schema).arg(&broken).output().unwrap();
    assert!(!v.status.success());
    let partner_free = api_get(&s, &viewer, "/programmes/NOPE/iati.xml").await;
    assert_eq!(partner_free.status(), 404);
}

async fn activities_are_recorded_checked_and_counted(backend: Backend) {
    let s = server(backend, "activities", 60).await;
    let agadez = token(&s, "agadez").await;
    let viewer = token(&s, "viewer").await;
    let office = office_of(&s, &agadez).await;
    let reached = |f: &serde_json::Value, code: &str| {
        f["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap()["total"].as_i64().unwrap()
    };
    let before: serde_json::Value = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap();

    let r = api_post(&s, &agadez, "/activities/campaigns", serde_json::json!({"office_id": office, "held_on": "2021-06-01", "kind": "football_tournament", "place": "Agadez stadium", "people_reached": "480", "women": "200", "men": "250"})).await;
    assert_eq!(r.status(), 201);
    let r = api_post(&s, &agadez, "/activities/trainings", serde_json::json!({"office_id": office, "held_on": "2021-06-02", "topic": "Psychological first aid", "participants": "25", "health_workers": "25"})).await;
    assert_eq!(r.status(), 201);
    let after: serde_json::Value = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap();
    assert_eq!(reached(&after, "reached-with-information"), reached(&before, "reached-with-information") + 480);
    assert_eq!(reached(&after, "practitioners-trained"), reached(&before, "practitioners-trained") + 25);

    // Every problem at once, by field; nothing recorded.
    let r = api_post(&s, &agadez, "/activities/campaigns", serde_json::json!({"office_id": office, "held_on": "2999-01-01", "kind": "concert", "place": "", "people_reached": "100", "women": "90", "men": "20"})).await;
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["held_on", "kind", "place", "people_reached"], "{v}");
    let again: serde_json::Value = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap();
    assert_eq!(reached(&again, "reached-with-information"), reached(&after, "reached-with-information"));
    // Coordinates are exact or refused.
    let r = api_post(
        &s,
        &agadez,
        "/activities/rescues",
        serde_json::json!({"office_id": office, "held_on": "2021-06-03", "latitude": "95", "longitude": "8.1", "people_found": "3"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    // Survivors' cases: visible ones link, others are "unknown" (existence does not leak).
    let mut db = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let mine: String = sqlx::query("SELECT c.reference FROM cases c JOIN offices o ON o.id = c.office_id WHERE o.code = 'NER-AGZ' AND c.sensitivity = 'normal' LIMIT 1").fetch_one(&mut db).await.unwrap().get(0);
    let theirs: String =
        sqlx::query("SELECT c.reference FROM cases c JOIN offices o ON o.id = c.office_id WHERE o.country <> 'NER' LIMIT 1")
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get(0);
    let r = api_post(&s, &agadez, "/activities/rescues", serde_json::json!({"office_id": office, "held_on": "2021-06-03", "latitude": "19.05", "longitude": "12.9", "people_found": "14", "case_references": [mine, theirs]})).await;
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], "err-unknown-case");
    let r = api_post(&s, &agadez, "/activities/rescues", serde_json::json!({"office_id": office, "held_on": "2021-06-03", "latitude": "19.05", "longitude": "12.9", "people_found": "14", "case_references": [mine]})).await;
    assert_eq!(r.status(), 201);
    let linked: i64 = sqlx::query("SELECT COUNT(*) FROM sar_survivor_cases").fetch_one(&mut db).await.unwrap().get(0);
    assert_eq!(linked, 1);
    let lat: i64 = sqlx::query("SELECT latitude_e6 FROM sar_operations WHERE people_found = 14 AND held_on = '2021-06-03'")
        .fetch_one(&mut db)
        .await
        .unwrap()
        .get(0);
    assert_eq!(lat, 19_050_000);
    db.close().await.unwrap();
    // Another office's activity: refused.
    let conakry = token(&s, "conakry").await;
    let gin = office_of(&s, &conakry).await;
    let r = api_post(
        &s,
        &agadez,
        "/activities/shelter-works",
        serde_json::json!({"office_id": gin, "completed_on": "2021-01-01", "shelter": "X", "kind": "renovated"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // Viewers read figures, they do not record.
    let r = api_post(
        &s,
        &viewer,
        "/activities/shelter-works",
        serde_json::json!({"office_id": office, "completed_on": "2021-01-01", "shelter": "X", "kind": "renovated"}),
    )
    .await;
    assert_eq!(r.status(), 403);

    // A resource with its file, downloadable from the public page.
    let r = api_post(&s, &agadez, "/activities/resources", serde_json::json!({"office_id": office, "title": "Mixed flows through Agadez, 2021", "kind": "study", "countries": ["NER", "MLI"], "published_on": "2021-12-01"})).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let c = client();
    let up = |name: &str, body: Vec<u8>| {
        c.post(format!("{}/api/v1/activities/resources/{id}/file?name={name}", s.url)).bearer_auth(&agadez).body(body).send()
    };
    assert_eq!(up("payload.exe", b"MZ".to_vec()).await.unwrap().status(), 422);
    assert_eq!(up("empty.pdf", Vec::new()).await.unwrap().status(), 422);
    assert_eq!(up("big.pdf", vec![b'x'; 21 * 1024 * 1024]).await.map(|r| r.status().as_u16()).unwrap_or(413), 413);
    let c = client();
    let r = c
        .post(format!("{}/api/v1/activities/resources/{id}/file?name=agadez%202021.pdf", s.url))
        .bearer_auth(&agadez)
        .body(b"%PDF-1.4 study".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = c.get(format!("{}/results/SSS2-CMR/resources/{id}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"agadez-2021.pdf\"");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 study");

    // The form: a refused record comes back with what was typed.
    let c = client();
    page_login(&s, &c, "agadez").await;
    let html = c.get(format!("{}/activities/campaigns", s.url)).send().await.unwrap().text().await.unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = c
        .post(format!("{}/activities/campaigns", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("office_id", office.as_str()),
            ("held_on", "2021-05-05"),
            ("kind", "school_club"),
            ("place", "Lycée d'Agadez"),
            ("people_reached", "lots"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Lycée d&#39;Agadez") || html.contains("Lycée d'Agadez"), "the typed place is kept");
    assert!(html.contains("Write a whole number"), "the reason, by its field");
    let list = c.get(format!("{}/activities", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Agadez stadium"));
}

async fn the_disclosure_rules_are_one_setting_for_the_installation(backend: Backend) {
    let s = server(backend, "rules", 300).await;
    let o = run(&["disclosure", "--database-url", &s.database_url], None);
    assert!(out(&o).contains("below 5 are hidden") && out(&o).contains("rounding: none"), "{}", out(&o));
    let o = run(&["disclosure", "--threshold", "1", "--database-url", &s.database_url], None);
    assert_eq!(o.status.code(), Some(2), "a threshold of 1 publishes single persons: {}", out(&o));
    let o = run(&["disclosure", "--rounding", "lots", "--database-url", &s.database_url], None);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["disclosure", "--threshold", "10", "--rounding", "5", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("below 10 are hidden") && out(&o).contains("multiples of 5"), "{}", out(&o));
    // The running server follows at once: the setting is in the database.
    let viewer = token(&s, "viewer").await;
    let f: serde_json::Value = api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap();
    assert_eq!(f["rules"]["threshold"], 10);
    let mut published = 0;
    for ind in f["indicators"].as_array().unwrap().iter().filter(|i| i["protected"] == true) {
        for b in ["by_office", "by_sex_age", "by_vulnerability"] {
            let t = &ind[b]["table"];
            let all = t["cells"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r.as_array().unwrap().iter())
                .chain(t["row_totals"].as_array().unwrap())
                .chain(t["column_totals"].as_array().unwrap());
            for v in all.filter_map(|v| v.as_u64()) {
                assert!(v == 0 || v >= 10, "{b}: {v} published under a threshold of 10");
                assert_eq!(v % 5, 0, "{b}: {v} is not rounded to 5");
                published += 1;
            }
        }
    }
    assert!(published > 10);
    let mut db = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    let n: i64 =
        sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.disclosure'").fetch_one(&mut db).await.unwrap().get(0);
    db.close().await.unwrap();
    assert_eq!(n, 1, "the change is audited");
}

async fn the_summaries_follow_every_write_and_check_catches_drift(backend: Backend) {
    let s = server(backend, "summaries", 150).await;
    let check = || run(&["check", "--database-url", &s.database_url], None);
    let o = check();
    assert!(o.status.success(), "after a bulk load: {}", out(&o));
    let agadez = token(&s, "agadez").await;
    let viewer = token(&s, "viewer").await;
    let office = office_of(&s, &agadez).await;
    let total =
        |f: serde_json::Value, code: &str| f["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap()["total"].clone();
    let before = total(api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap(), "reached-with-support");
    // A new person, assisted in the period: counted at once.
    let r = api_post(
        &s,
        &agadez,
        "/persons",
        serde_json::json!({
            "person": {"names": [{"given": "Summary", "family": "Probe"}], "sex": "female", "birth_date": "1999"},
            "case": {"kind": "transit_protection", "office_id": office}
        }),
    )
    .await;
    assert_eq!(r.status(), 201);
    let case = r.json::<serde_json::Value>().await.unwrap()["case_id"].as_str().unwrap().to_string();
    let r = api_post(
        &s,
        &agadez,
        &format!("/cases/{case}/assistance"),
        serde_json::json!({"kind": "shelter", "provided_on": "2021-05-01", "quantity": "2"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let after = total(api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap(), "reached-with-support");
    assert_eq!(after.as_i64().unwrap(), before.as_i64().unwrap() + 1, "one more person reached");
    // An earlier record moves the person to another month; a finding to another vulnerability; both kept exact.
    let r = api_post(
        &s,
        &agadez,
        &format!("/cases/{case}/assistance"),
        serde_json::json!({"kind": "food", "provided_on": "2019-02-03", "quantity": "2"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = api_post(
        &s,
        &agadez,
        &format!("/cases/{case}/screenings"),
        serde_json::json!({"screened_on": "2021-05-01", "findings": ["victim_of_trafficking"], "exploitation": ["labour"]}),
    )
    .await;
    let status = r.status();
    assert_eq!(status, 201, "{}", r.text().await.unwrap());
    let after = total(api_get(&s, &viewer, "/programmes/SSS2-CMR/figures").await.json().await.unwrap(), "reached-with-support");
    assert_eq!(after.as_i64().unwrap(), before.as_i64().unwrap() + 1, "still one person");
    let o = check();
    assert!(o.status.success(), "the summary equals the records after the writes: {}", out(&o));
    // Drift (a summary row lost) is caught, and a rebuild mends it.
    let mut db = AnyConnection::connect(&sqlx_url(&s.database_url)).await.unwrap();
    sqlx::query("DELETE FROM indicator_counts WHERE indicator_code = 'safe-shelter' AND persons = (SELECT MAX(persons) FROM indicator_counts WHERE indicator_code = 'safe-shelter')")
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    let o = check();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("indicator safe-shelter") && out(&o).contains("passage figures rebuild"), "{}", out(&o));
    let o = run(&["figures", "rebuild", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(check().status.success());
}

both_backends!(
    the_summaries_follow_every_write_and_check_catches_drift,
    the_disclosure_rules_are_one_setting_for_the_installation,
    activities_are_recorded_checked_and_counted,
    the_programme_exports_as_a_valid_iati_activity,
    the_public_results_page_needs_no_login_and_names_nobody,
    programme_figures_are_computed_from_the_records_and_protected,
    the_appeal_budget_round_trips,
    a_pasted_appeal_is_read_or_refused_with_what_to_change,
    budgets_are_figures_for_every_reader_of_figures
);
