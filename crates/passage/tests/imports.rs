//! Imports of KoboToolbox / ODK exports, black-box: the CLI as a process
//! and the web pages over HTTP, on SQLite and PostgreSQL. The corpus of
//! broken files in `tests/data/kobo/` must each give a clear error and
//! write nothing; a valid file imports whole, once, in any of Kobo's
//! conventions; with `--valid-only` the rows with problems go to the
//! quarantine instead.

mod common;
use common::*;
use serde_json::Value;
use sqlx::{AnyConnection, Connection, Row};

fn corpus(name: &str) -> String {
    format!("{}/tests/data/kobo/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Persons, and field submissions kept (applied, quarantined or rejected).
async fn counts(url: &str) -> (i64, i64) {
    let mut c = AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let persons: i64 = sqlx::query("SELECT COUNT(*) FROM persons").fetch_one(&mut c).await.unwrap().get(0);
    let kept: i64 = sqlx::query("SELECT COUNT(*) FROM form_submissions").fetch_one(&mut c).await.unwrap().get(0);
    (persons, kept)
}

/// A copy of a corpus file whose rows have other `_uuid`s (the corpus
/// files all derive from `valid.csv`, and share its keys).
fn with_new_keys(name: &str, tag: &str) -> String {
    let valid = std::fs::read_to_string(corpus("valid.csv")).unwrap();
    let mut lines = valid.lines();
    let at = lines.next().unwrap().split(',').position(|h| h == "_uuid").unwrap();
    let mut bytes = std::fs::read(corpus(name)).unwrap();
    for line in lines {
        let key = line.split(',').nth(at).unwrap().as_bytes().to_vec();
        let mut other = key.clone();
        other[0] = b'f';
        while let Some(i) = bytes.windows(key.len()).position(|w| w == key.as_slice()) {
            bytes[i..i + key.len()].copy_from_slice(&other);
        }
    }
    let path = tmpdir(tag).join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().to_string()
}

fn import(db: &str, file: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["import", "kobo", file, "--form", "registration", "--user", "agadez", "--database-url", db];
    args.extend_from_slice(extra);
    let out = run(&args, None);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

async fn kobo_exports_import_whole_or_not_at_all(backend: Backend) {
    let s = server(backend, "kobo", 10).await;
    let db = s.database_url.clone();
    let start = counts(&db).await;

    // The corpus of broken files: each refused with a clear reason, nothing written.
    for (file, expect) in [
        ("truncated.csv", "cut off"),
        ("wrong-delimiter.csv", "single column"),
        ("duplicated-columns.csv", "same field as column person/given_name"),
        ("unknown-choices.csv", "“robot” is not one of the choices"),
        ("impossible-dates.csv", "This date does not exist (2001-02-31)"),
        ("formula-injection.csv", "looks like a spreadsheet formula"),
        ("mixed-encodings.csv", "mixes UTF-8 with another encoding"),
        ("empty.csv", "The file is empty"),
        ("header-only.csv", "a header but no rows"),
        ("no-uuid.csv", "needs its _uuid"),
        ("repeated-row.csv", "same _uuid as row 2"),
        ("not-a-spreadsheet.xlsx", "cannot be read as a table"),
    ] {
        let (code, out, err) = import(&db, &corpus(file), &[]);
        assert_eq!(code, 2, "{file}: {out}{err}");
        assert!(err.contains(expect), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
        assert_eq!(counts(&db).await, start, "{file} wrote something");
    }
    // A 50 MB single cell: refused by its row and column, not echoed whole.
    let huge = tmpdir("kobo-huge").join("huge-cell.csv");
    let valid = std::fs::read_to_string(corpus("valid.csv")).unwrap();
    let (head, rest) = valid.split_once('\n').unwrap();
    let first_row = rest.lines().next().unwrap();
    let notes = head.split(',').position(|h| h == "screening/notes").unwrap();
    let mut cells: Vec<String> = first_row.split(',').map(str::to_string).collect();
    cells[notes] = "x".repeat(50 * 1024 * 1024);
    std::fs::write(&huge, format!("{head}\n{}\n", cells.join(","))).unwrap();
    let (code, _, err) = import(&db, &huge.to_string_lossy(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("row 2, column \"screening/notes\": The value is longer than 10000 characters"), "{}", &err[..err.len().min(400)]);
    assert!(err.len() < 2000, "the cell is not echoed back");
    assert_eq!(counts(&db).await, start);
    // Flags that contradict, an unknown form or user: refused.
    for (args, expect) in [(vec!["--dry-run", "--valid-only"], "one or the other"), (vec!["--lang", "de"], "--lang")] {
        let (code, _, err) = import(&db, &corpus("valid.csv"), &args);
        assert_ne!(code, 0);
        assert!(err.contains(expect), "{err}");
    }
    let out = run(&["import", "kobo", &corpus("valid.csv"), "--form", "shoes", "--user", "agadez", "--database-url", &db], None);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--form"));
    let out = run(&["import", "kobo", &corpus("valid.csv"), "--form", "registration", "--user", "nobody", "--database-url", &db], None);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--user"));

    // A dry run writes nothing.
    let (code, out, _) = import(&db, &corpus("valid.csv"), &["--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("6 row(s): 6 ready"), "{out}");
    assert_eq!(counts(&db).await, start);
    // Latin-1 reads as Latin-1: the accent survives.
    let (code, out, _) = import(&db, &corpus("latin1.csv"), &["--dry-run"]);
    assert_eq!(code, 0, "{out}");

    // A French-locale export (semicolons, BOM, labels, dd/mm/yyyy, no group paths, 0/1 choice columns) imports.
    let (code, out, err) = import(&db, &corpus("kobo-fr-semicolon-bom.csv"), &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("imported 6 row(s)"), "{out}");
    let after = counts(&db).await;
    assert_eq!(after, (start.0 + 6, start.1 + 6));
    // The same forms in Kobo's default export: the same keys, so nothing twice.
    let (code, out, _) = import(&db, &corpus("valid.csv"), &[]);
    assert_eq!(code, 0);
    assert!(out.contains("0 ready, 6 imported before"), "{out}");
    assert_eq!(counts(&db).await, after);
    let check = run(&["check", "--database-url", &db], None);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // The import's audit entries, appended in batches, chain like any others.
    let verify = run(&["audit", "verify", "--database-url", &db], None);
    assert!(verify.status.success(), "{}{}", String::from_utf8_lossy(&verify.stdout), String::from_utf8_lossy(&verify.stderr));

    // With --valid-only, the rows with problems go to the quarantine with their reasons.
    let (code, out, err) = import(&db, &with_new_keys("unknown-choices.csv", "kobo-valid-only"), &["--valid-only"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("imported 4 row(s)") && out.contains("2 sent to the quarantine"), "{out}");
    assert_eq!(counts(&db).await, (after.0 + 4, after.1 + 6));
    let agadez = token(&s, "agadez").await;
    let q: Value = api_get(&s, &agadez, "/submissions").await.json().await.unwrap();
    let fields: Vec<String> = q["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap().to_string()).collect::<Vec<_>>())
        .collect();
    assert!(fields.contains(&"person/sex".to_string()) && fields.contains(&"case/case_kind".to_string()), "{q}");
    assert!(q["submissions"].as_array().unwrap().iter().all(|s| s["source"] == "kobo_import"));
}

async fn imports_from_the_web(backend: Backend) {
    let s = server(backend, "kobo-web", 5).await;
    let start = counts(&s.database_url).await;
    let c = client();
    page_login(&s, &c, "agadez").await;
    let page = c.get(format!("{}/imports", s.url)).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..at + page[at..].find('"').unwrap()].to_string();
    let upload = |file: &str| {
        let bytes = std::fs::read(corpus(file)).unwrap();
        let boundary = "----passage-import-test";
        let mut body = Vec::new();
        for (name, value) in [("csrf", csrf.as_str()), ("form", "passage_registration")] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        c.post(format!("{}/imports", s.url)).header("content-type", format!("multipart/form-data; boundary={boundary}")).body(body).send()
    };
    // Wait for the page to stop reloading itself, and give it.
    let settle = |path: String| {
        let c = c.clone();
        let url = format!("{}{path}", s.url);
        async move {
            for _ in 0..100 {
                let r = c.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200);
                let refresh = r.headers().get("refresh").is_some();
                let text = r.text().await.unwrap();
                if !refresh {
                    return text;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("{url} never settled");
        }
    };
    // A file with problems: the report names each, and offers only the valid rows.
    let r = upload("formula-injection.csv").await.unwrap();
    assert_eq!(r.status(), 303);
    let job = r.headers()["location"].to_str().unwrap().to_string();
    let report = settle(job.clone()).await;
    assert!(report.contains("6 rows: 4 ready, 0 imported before, 2 with problems"), "{report}");
    assert!(report.contains("looks like a spreadsheet formula"), "{report}");
    assert!(report.contains("Import the 4 valid rows and send 2 to the quarantine"), "{report}");
    // Someone else cannot see or run it.
    let other = client();
    page_login(&s, &other, "niamey").await;
    assert_eq!(other.get(format!("{}{job}", s.url)).send().await.unwrap().status(), 404);
    // A clean file: upload, report, confirm, done.
    let r = upload("valid.csv").await.unwrap();
    let job = r.headers()["location"].to_str().unwrap().to_string();
    let report = settle(job.clone()).await;
    assert!(report.contains("6 rows: 6 ready"), "{report}");
    assert_eq!(counts(&s.database_url).await, start, "nothing before the confirmation");
    let r = c.post(format!("{}{job}/run", s.url)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let done = settle(job.clone()).await;
    assert!(done.contains("Imported 6 rows"), "{done}");
    assert_eq!(counts(&s.database_url).await, (start.0 + 6, start.1 + 6));
    // Running it again does nothing more.
    c.post(format!("{}{job}/run", s.url)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(counts(&s.database_url).await, (start.0 + 6, start.1 + 6));
}

both_backends!(kobo_exports_import_whole_or_not_at_all, imports_from_the_web);
