//! Reintegration sustainability (issue 17), black-box on both databases: a
//! scheme table imported through the CLI (every problem listed, nothing
//! written unless whole; never edited in place), activated with an audit
//! entry, surveys recorded through the API and scored exactly as the
//! formula says (checked here by an independent computation), refused when
//! their codes are unknown, and rescored under another scheme with the old
//! scores kept.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A scheme table the server has never seen, in the shape a French
/// spreadsheet saves it: byte-order mark, semicolons, decimal commas,
/// Windows line endings, an extra column.
const TABLE: &str = "\u{feff}dimension;dimension_weight;indicator;indicator_weight;answer;answer_score;question_en;question_fr;answer_en;answer_fr;note\r\n\
economic;0,5;job;0,7;stable;1;Do you work?;Travaillez-vous ?;Stable work;Travail stable;x\r\n\
economic;0,5;job;0,7;casual;0,4;Do you work?;Travaillez-vous ?;Casual work;Travail occasionnel;\r\n\
economic;0,5;job;0,7;none;0;Do you work?;Travaillez-vous ?;No work;Pas de travail;\r\n\
economic;0,5;savings;0,3;some;1;Any savings?;Une épargne ?;Some;Un peu;\r\n\
economic;0,5;savings;0,3;none;0,1;Any savings?;Une épargne ?;None;Aucune;\r\n\
social;0,3;network;1;strong;1;Who can you rely on?;Sur qui compter ?;Many;Beaucoup;\r\n\
social;0,3;network;1;weak;0,35;Who can you rely on?;Sur qui compter ?;Few;Peu;\r\n\
wellbeing;0,2;sleep;0,25;well;1;Do you sleep well?;Dormez-vous bien ?;Well;Bien;\r\n\
wellbeing;0,2;sleep;0,25;badly;0,2;Do you sleep well?;Dormez-vous bien ?;Badly;Mal;\r\n\
wellbeing;0,2;future;0,75;hopeful;0,9;How do you see the future?;Comment voyez-vous l'avenir ?;Hopeful;Avec espoir;\r\n\
wellbeing;0,2;future;0,75;worried;0,3;How do you see the future?;Comment voyez-vous l'avenir ?;Worried;Inquiet;\r\n";

/// The scores, computed from the table by the formula of the issue, independently of Passage's code.
fn expected(table: &str, survey: &[(&str, &str)]) -> (BTreeMap<String, f64>, Option<f64>) {
    let num = |s: &str| s.replace(',', ".").parse::<f64>().unwrap();
    let mut dim_weight: BTreeMap<String, f64> = BTreeMap::new();
    // dimension -> (Σ w·score, Σ w) over answered indicators.
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let answers: BTreeMap<&str, &str> = survey.iter().copied().collect();
    for line in table.trim_start_matches('\u{feff}').lines().skip(1) {
        let c: Vec<&str> = line.trim_end_matches('\r').split(';').collect();
        dim_weight.insert(c[0].to_string(), num(c[1]));
        if answers.get(c[2]) == Some(&c[4]) {
            let e = sums.entry(c[0].to_string()).or_default();
            e.0 += num(c[3]) * num(c[5]);
            e.1 += num(c[3]);
        }
    }
    let dims: BTreeMap<String, f64> = sums.iter().map(|(d, (s, w))| (d.clone(), s / w)).collect();
    let w: f64 = dims.keys().map(|d| dim_weight[d]).sum();
    let composite = (w > 0.0).then(|| dims.iter().map(|(d, s)| dim_weight[d] * s).sum::<f64>() / w);
    (dims, composite)
}

fn check_scores(got: &Value, table: &str, survey: &[(&str, &str)], threshold: f64) {
    let (dims, composite) = expected(table, survey);
    let got_dims = got["dimensions"].as_object().unwrap_or_else(|| panic!("{got}"));
    assert_eq!(got_dims.len(), dims.len(), "{got}");
    for (d, want) in &dims {
        let v = got_dims[d].as_f64().unwrap();
        assert!((v - want).abs() < 1e-6, "{d}: {v} against {want}: {got}");
    }
    let c = got["composite"].as_f64().unwrap();
    assert!((c - composite.unwrap()).abs() < 1e-6, "composite {c} against {composite:?}");
    assert_eq!(got["sustainable"], json!(composite.unwrap() >= threshold), "{got}");
}

fn cli(s: &Server, args: &[&str]) -> (bool, String) {
    let mut all = args.to_vec();
    all.extend(["--database-url", &s.database_url]);
    let o = run(&all, None);
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

async fn surveys_are_scored_by_the_scheme_the_organisation_imports(backend: Backend) {
    let s = server(backend, "sustain", 3).await;
    let guinea = token(&s, "conakry").await;
    let officer = token(&s, "reintegration").await;
    let office = office_of(&s, &guinea).await;
    let r = api_post(
        &s,
        &guinea,
        "/persons",
        json!({"person": {"names": [{"given": "Naby", "family": "Camara"}], "sex": "male", "birth_date": "1994", "nationality": "GIN"},
               "case": {"kind": "assisted_voluntary_return", "office_id": office}}),
    )
    .await;
    let ids: Value = r.json().await.unwrap();
    let (person, case) = (ids["person_id"].as_str().unwrap().to_string(), ids["case_id"].as_str().unwrap().to_string());
    let reference = api_get(&s, &guinea, &format!("/cases/{case}")).await.json::<Value>().await.unwrap()["case"]["reference"].clone();
    let plan = json!({"kind": "individual", "office_id": office, "title": "Shop", "cases": [reference]});
    assert_eq!(api_post(&s, &officer, "/plans", plan).await.status(), 201);
    let consent = json!({"kind": "follow_up_contact", "method": "verbal", "given_on": "2026-11-01"});
    assert_eq!(api_post(&s, &guinea, &format!("/persons/{person}/consents"), consent).await.status(), 201);
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    let visit: Vec<String> = visits.as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(visits[0]["sustainability"], Value::Null, "no survey yet: {visits}");

    // Before any import the shipped scheme is active, and labelled as no one's official index.
    let (ok, out) = cli(&s, &["reintegration", "scheme", "list"]);
    assert!(ok && out.contains("passage-default@1") && out.contains("not an official index"), "{out}");
    let html = {
        let page = client();
        page_login(&s, &page, "reintegration").await;
        page.get(format!("{}/cases/{case}", s.url)).send().await.unwrap().text().await.unwrap()
    };
    assert!(
        html.contains("Sustainability survey") && html.contains("not an official index") && html.contains("name=\"survey.income\""),
        "{html}"
    );

    // A survey under it, partly answered: scored with the weights renormalised over what was answered.
    let default_table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../service/schemes/passage-default.csv")).unwrap();
    let default_semicolons: String = default_table
        .lines()
        .map(|l| {
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(l.as_bytes());
            r.records().next().unwrap().unwrap().iter().collect::<Vec<_>>().join(";") + "\n"
        })
        .collect();
    let answered =
        [("income", "irregular"), ("debt", "unpayable"), ("housing", "adequate"), ("belonging", "partly"), ("distress", "often")];
    let survey: Value = answered.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>().into();
    let r = api_post(&s, &officer, &format!("/visits/{}", visit[0]), json!({"status": "done", "done_on": "2026-11-20", "survey": survey}))
        .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    let got = &visits[0]["sustainability"];
    assert_eq!((got["scheme"].as_str(), got["version"].as_str()), (Some("passage-default"), Some("1")), "{got}");
    check_scores(got, &default_semicolons, &answered, 0.5);
    assert_eq!(got["label"], "Passage default, equal weights; not an official index", "labelled wherever it appears: {got}");
    let unanswered: Vec<&str> = got["unanswered"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(unanswered, ["food", "services", "documents", "remigrate"], "{got}");

    // A bad table: every problem listed with its line, nothing imported.
    let dir = tmpdir("scheme");
    let bad = TABLE
        .replace("economic;0,5;savings;0,3;none;0,1", "economic;0,5;savings;0,3;none;1,2")
        .replace("Une épargne ?;Some;Un peu", "Une épargne ?;Some;")
        .replace("wellbeing;0,2;sleep;0,25;badly", "wellbeing;0,2;sleep;0,25;well")
        .replace("social;0,3;network;1;weak", "social;0,4;network;1;weak");
    std::fs::write(dir.join("bad.csv"), &bad).unwrap();
    let import = |file: &str, version: &str| {
        let path = dir.join(file).to_string_lossy().to_string();
        let args = [
            "reintegration",
            "scheme",
            "import",
            &path,
            "--id",
            "rss",
            "--version",
            version,
            "--threshold",
            "0.6",
            "--source",
            "Test 2026",
        ];
        cli(&s, &args)
    };
    let (ok, out) = import("bad.csv", "1");
    assert!(!ok, "{out}");
    for want in [
        "line 6, column answer_score (\"1,2\")",
        "line 5, column answer_fr",
        "line 10, column answer (\"well\")",
        "line 8, column dimension_weight (\"0,4\")",
    ] {
        assert!(out.contains(want), "{want} missing from:\n{out}");
    }
    assert!(out.contains("nothing was imported (4 problem(s))"), "{out}");
    let (_, list) = cli(&s, &["reintegration", "scheme", "list"]);
    assert!(!list.contains("rss@"), "{list}");
    let sums = TABLE.replace("social;0,3;network", "social;0,4;network");
    std::fs::write(dir.join("sums.csv"), &sums).unwrap();
    let (ok, out) = import("sums.csv", "1");
    assert!(!ok && out.contains("dimension weights sum to 1.1"), "{out}");

    // The good table imports once; the same again changes nothing; other content under the same version is refused.
    std::fs::write(dir.join("rss.csv"), TABLE).unwrap();
    let (ok, out) = import("rss.csv", "1");
    assert!(ok && out.contains("imported scheme rss@1: 3 dimensions, 5 indicators, 11 answers"), "{out}");
    let (ok, out) = import("rss.csv", "1");
    assert!(ok && out.contains("imported already"), "{out}");
    std::fs::write(dir.join("rss2.csv"), TABLE.replace("0,35", "0,45")).unwrap();
    let (ok, out) = import("rss2.csv", "1");
    assert!(!ok && out.contains("never changed"), "{out}");
    let (ok, out) = import("rss2.csv", "2");
    assert!(ok, "{out}");
    let (ok, out) = cli(&s, &["reintegration", "scheme", "activate", "rss@1"]);
    assert!(ok && out.contains("scheme rss@1 is active"), "{out}");
    let (ok, out) = cli(&s, &["reintegration", "scheme", "activate", "rss@9"]);
    assert!(!ok && out.contains("no scheme rss@9"), "{out}");
    let xlsx = dir.join("rss-survey.xlsx").to_string_lossy().to_string();
    let (ok, out) = cli(&s, &["reintegration", "scheme", "xlsform", "rss@1", "--output", &xlsx]);
    assert!(ok && std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "{out}");
    let (ok, _) = cli(&s, &["reintegration", "scheme", "xlsform", "rss@1", "--output", &xlsx]);
    assert!(!ok, "an existing file is not overwritten");
    let (_, shown) = cli(&s, &["reintegration", "scheme", "show", "rss@1"]);
    assert!(shown.contains("network (weight 1)") && shown.contains("weak = 0.35"), "{shown}");

    // Surveys are checked against the active scheme: unknown codes and unknown fields are refused, field by field.
    let r = api_post(
        &s,
        &officer,
        &format!("/visits/{}", visit[1]),
        json!({"status": "done", "survey": {"job": "lottery", "income": "regular"}}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("survey.job") && body.contains("survey.income") && body.contains("err-unknown-indicator"), "{body}");
    let r = api_post(&s, &officer, &format!("/visits/{}", visit[1]), json!({"status": "done", "surveys": {"job": "stable"}})).await;
    assert_eq!(r.status(), 422, "a misspelt field is refused, not dropped");
    let r = api_post(&s, &officer, &format!("/visits/{}", visit[1]), json!({"status": "missed", "survey": {"job": "stable"}})).await;
    assert_eq!(r.status(), 422);
    let answered = [("job", "casual"), ("savings", "none"), ("network", "weak"), ("future", "hopeful")];
    let survey: Value = answered.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>().into();
    let r = api_post(&s, &officer, &format!("/visits/{}", visit[1]), json!({"status": "done", "survey": survey})).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    let got = &visits[1]["sustainability"];
    assert_eq!(got["scheme"], "rss", "{got}");
    check_scores(got, TABLE, &answered, 0.6);
    assert_eq!(got["unanswered"], json!(["sleep"]));

    // ODK Collect gets the active scheme's survey as a form, and its submission records the last visit, scored
    // under the scheme the form was made from.
    let session = token(&s, "reintegration").await;
    let r =
        api_post(&s, &session, "/tokens", json!({"name": "phone", "role": "reintegration_officer", "offices": ["GIN-CKY"], "days": 30}))
            .await;
    assert_eq!(r.status(), 201);
    let device = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let basic = {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("reintegration:{device}")))
    };
    let openrosa =
        |path: &str| client().get(format!("{}{path}", s.url)).header("authorization", &basic).header("X-OpenRosa-Version", "1.0").send();
    let list = openrosa("/formList").await.unwrap().text().await.unwrap();
    assert!(list.contains("<formID>passage_sustainability_survey</formID>") && list.contains("<version>rss@1</version>"), "{list}");
    let xform = openrosa("/forms/passage_sustainability_survey/form.xml").await.unwrap().text().await.unwrap();
    assert!(xform.contains("Do you work?") && xform.contains("Travaillez-vous ?") && xform.contains("instance('network')"), "{xform}");
    let odk_answered = [("job", "stable"), ("savings", "some"), ("network", "weak"), ("sleep", "well"), ("future", "worried")];
    let survey_xml: String = odk_answered.iter().map(|(k, v)| format!("<{k}>{v}</{k}>")).collect();
    let submission = format!(
        "<passage_sustainability_survey id=\"passage_sustainability_survey\" version=\"rss@1\"><case_reference>{}</case_reference>\
         <done_on>2026-11-25</done_on><notes/><survey>{survey_xml}</survey><meta><instanceID>uuid:5e1f0c1a-0000-4000-8000-00000000a001</instanceID></meta>\
         </passage_sustainability_survey>",
        reference.as_str().unwrap()
    );
    let boundary = "----passage-survey";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n{submission}\r\n--{boundary}--\r\n"
    );
    let r = client()
        .post(format!("{}/submission", s.url))
        .header("authorization", &basic)
        .header("X-OpenRosa-Version", "1.0")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    let got = &visits[2]["sustainability"];
    assert_eq!((got["scheme"].as_str(), got["version"].as_str()), (Some("rss"), Some("1")), "{got}");
    check_scores(got, TABLE, &odk_answered, 0.6);

    // Rescored under version 2: the new scores are in use, the old ones kept; answers a scheme lacks are reported.
    let (ok, out) = cli(&s, &["reintegration", "rescore", "--scheme", "rss@2"]);
    assert!(ok && out.contains("3 surveys scored again under rss@2"), "{out}");
    assert!(out.contains("income: answered in 1 surveys"), "the default scheme's answers are not rss's: {out}");
    let visits: Value = api_get(&s, &guinea, &format!("/cases/{case}/visits")).await.json().await.unwrap();
    check_scores(&visits[1]["sustainability"], &TABLE.replace("0,35", "0,45"), &answered, 0.6);
    assert_eq!(visits[1]["sustainability"]["version"], "2");

    // Over time: the case page draws the scores; the office's portfolio ranks the returnee, without a name.
    let page = client();
    page_login(&s, &page, "reintegration").await;
    let html = page.get(format!("{}/cases/{case}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("threshold 0.60") && html.contains("polyline"), "the chart: {html}");
    let p: Value = api_get(&s, &officer, "/reintegration/portfolio").await.json().await.unwrap();
    let row = p["rows"].as_array().unwrap().iter().find(|r| r["case_id"] == case.as_str()).unwrap_or_else(|| panic!("{p}")).clone();
    let composite = row["latest"]["composite"].as_f64().unwrap();
    let band = match composite {
        c if c < 0.25 => "low",
        c if c < 0.5 => "fragile",
        c if c < 0.75 => "moderate",
        _ => "strong",
    };
    assert_eq!(row["band"], band, "{row}");
    // Network 0.45 is below the threshold 0.6: more support is needed.
    assert_eq!(row["needs_support"], true, "{row}");
    assert!(row["weak_dimensions"].as_array().unwrap().contains(&json!("social")), "{row}");
    assert!(!p.to_string().contains("Camara"), "no names in the portfolio: {p}");
    let only: Value =
        api_get(&s, &officer, &format!("/reintegration/portfolio?band={band}&needs_support=true")).await.json().await.unwrap();
    assert_eq!(only["rows"].as_array().unwrap().len(), 1, "{only}");
    let none: Value = api_get(&s, &officer, "/reintegration/portfolio?band=not_surveyed").await.json().await.unwrap();
    assert!(none["rows"].as_array().unwrap().is_empty(), "{none}");
    assert_eq!(api_get(&s, &officer, "/reintegration/portfolio?band=excellent").await.status(), 422);
    let other: Value = api_get(&s, &officer, "/reintegration/portfolio?office=NER-AGZ").await.json().await.unwrap();
    assert!(other["rows"].as_array().unwrap().is_empty(), "another office's returnees are not the officer's: {other}");
    let csv = page.get(format!("{}/reintegration/portfolio.csv", s.url)).send().await.unwrap().text().await.unwrap();
    let reference = reference.as_str().unwrap();
    assert!(csv.starts_with("case_reference,band,") && csv.contains("#case+code") && csv.contains(reference), "{csv}");
    let html = page.get(format!("{}/reintegration/portfolio", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(reference) && html.contains("Needs more support"), "{html}");

    let mut c = connect(backend, &s.database_url).await;
    let count = |q: &'static str| sqlx::query_scalar::<_, i64>(q);
    assert_eq!(count("SELECT COUNT(*) FROM visit_score_history").fetch_one(&mut c).await.unwrap(), 6, "three first scores, three rescores");
    assert_eq!(
        count("SELECT COUNT(*) FROM visit_surveys WHERE answers LIKE 'sealed:v1:%'").fetch_one(&mut c).await.unwrap(),
        3,
        "answers sealed"
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'scheme.%' ORDER BY seq").fetch_all(&mut c).await.unwrap();
    assert_eq!(actions, ["scheme.import", "scheme.import", "scheme.activate", "scheme.rescore"]);
    // The figures count both indicators from the same records (the live summaries agree with the reference
    // computation), and the share sits beside them, under the disclosure rules.
    let admin = token(&s, "admin").await;
    let f: Value = api_get(&s, &admin, "/programmes/SSS2-CMR/figures").await.json().await.unwrap();
    let codes: Vec<&str> = f["indicators"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"returnees-monitored") && codes.contains(&"sustainably-reintegrated"), "{codes:?}");
    assert!(f["sustainable_share"].is_object(), "{}", f["sustainable_share"]);
    let o = run(&["check", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let o = run(&["audit", "verify", "--database-url", &s.database_url], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

both_backends!(surveys_are_scored_by_the_scheme_the_organisation_imports);
