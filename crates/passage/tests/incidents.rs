//! Missing-migrant incidents through the command line, on both databases:
//! a file in the Missing Migrants Project's published format (its header,
//! its blanks, its lists in a cell, its split and cumulative incidents, its
//! impossible counts) imports whole, its summaries reproduce the sums of
//! the file itself, a re-import changes nothing, a newer file says what it
//! changed, and a file with problems is refused whole with each one listed.

mod common;
use common::*;
use passage_domain::incident::{Incident, IncidentGrouping};
use passage_service::incidents::{synthetic_incidents, write_mmp};
use std::collections::BTreeMap;

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The sums a reader of the file computes for one year: per group, incidents,
/// dead, missing and the file's own total, blanks counted as none.
fn expected(incidents: &[Incident], year: i32, by: IncidentGrouping) -> BTreeMap<String, [i64; 4]> {
    let mut m: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    for i in incidents.iter().filter(|i| i.year == Some(year)) {
        let e = m.entry(by.key_of(i)).or_default();
        e[0] += 1;
        e[1] += i.dead.unwrap_or(0);
        e[2] += i.missing.unwrap_or(0);
        e[3] += i.dead_and_missing.unwrap_or(0);
    }
    m
}

fn summary(db: &str, year: i32, by: &str) -> BTreeMap<String, [i64; 4]> {
    let o = run(&["incidents", "summary", "--database-url", db, "--year", &year.to_string(), "--by", by, "--format", "csv"], None);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), vec![by, "incidents", "dead", "missing", "dead_and_missing"]);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let n = |k: usize| rec[k].parse::<i64>().unwrap_or_else(|_| panic!("{:?} is not a plain number", &rec[k]));
            (rec[0].to_string(), [n(1), n(2), n(3), n(4)])
        })
        .collect()
}

async fn the_published_file_imports_and_its_sums_hold(backend: Backend) {
    let db = fresh_database(backend, "incidents").await;
    let incidents = synthetic_incidents(7, 3_000, 2019..=2023, true);
    let dir = tmpdir("mmp");
    let file = dir.join("Missing_Migrants_Global_Figures_allData.csv");
    std::fs::write(&file, write_mmp(&incidents)).unwrap();
    let f = file.display().to_string();

    let o = run(&["incidents", "import", &f, "--dry-run", "--database-url", &db], None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("would import 3000 incidents: 3000 new"), "{}", out(&o));
    assert!(summary(&db, 2021, "route").is_empty(), "a dry run wrote incidents");

    let o = run(&["incidents", "import", &f, "--database-url", &db], None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("imported 3000 incidents: 3000 new, 0 updated, 0 unchanged"), "{}", out(&o));
    // The quirks are said, line by line: a negative survivor count, a breakdown above its total.
    assert!(out(&o).contains("column Number of Survivors") && out(&o).contains("taken as unknown"), "{}", out(&o));
    assert!(out(&o).contains("kept as published"), "{}", out(&o));

    for year in [2019, 2021, 2023] {
        for by in IncidentGrouping::ALL {
            assert_eq!(summary(&db, year, by.as_str()), expected(&incidents, year, by), "{year} by {}", by.as_str());
        }
    }
    // The text table ends with the year's total.
    let o = run(&["incidents", "summary", "--database-url", &db, "--year", "2021", "--by", "route"], None);
    let total: i64 = expected(&incidents, 2021, IncidentGrouping::Route).values().map(|v| v[3]).sum();
    let last = out(&o).lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("Total") && last.ends_with(&format!(" {total}")), "{last:?} (total {total})");

    // The same file again: nothing changes.
    let o = run(&["incidents", "import", &f, "--database-url", &db], None);
    assert!(out(&o).contains("0 new, 0 updated, 3000 unchanged"), "{}", out(&o));

    // A newer file: one incident revised, one added, the rest as they were.
    let mut newer = incidents.clone();
    newer[10].dead = Some(newer[10].dead.unwrap_or(0) + 5);
    newer[10].dead_and_missing = Some(newer[10].dead_and_missing.unwrap_or(0) + 5);
    let mut added = newer[11].clone();
    added.main_id = "2023.MMP99999".into();
    added.incident_ids = vec![added.main_id.clone()];
    newer.push(added);
    let file2 = dir.join("newer.csv");
    std::fs::write(&file2, write_mmp(&newer)).unwrap();
    let o = run(&["incidents", "import", &file2.display().to_string(), "--database-url", &db], None);
    assert!(out(&o).contains("3001 incidents: 1 new, 1 updated, 2999 unchanged"), "{}", out(&o));
    assert!(out(&o).contains(&format!("updated {}: Number of Dead, Total Number of Dead and Missing", newer[10].main_id)), "{}", out(&o));
    let year = newer[10].year.unwrap();
    assert_eq!(summary(&db, year, "cause"), expected(&newer, year, IncidentGrouping::Cause));

    // Exported with HXL (valid to the reference HXL library), imported into an empty database: the same figures.
    let exported = dir.join("export.csv");
    let o = run(&["incidents", "export", "--hxl", "--output", &exported.display().to_string(), "--database-url", &db], None);
    assert!(o.status.success(), "{}", err(&o));
    let bytes = std::fs::read(&exported).unwrap();
    let (valid, said) = hxl_validate(&bytes, "csv", "incidents-hxl-schema.csv");
    assert!(valid, "{said}");
    let other = fresh_database(backend, "incidents-copy").await;
    let o = run(&["incidents", "import", &exported.display().to_string(), "--database-url", &other], None);
    assert!(out(&o).contains("imported 3001 incidents: 3001 new"), "{}{}", out(&o), err(&o));
    for by in IncidentGrouping::ALL {
        assert_eq!(summary(&other, 2022, by.as_str()), summary(&db, 2022, by.as_str()), "{}", by.as_str());
    }
}

async fn a_file_with_problems_is_refused_whole(backend: Backend) {
    let db = fresh_database(backend, "incidents-bad").await;
    let dir = tmpdir("mmp-bad");
    let good = write_mmp(&synthetic_incidents(3, 50, 2022..=2022, false));
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let mut set = |line: usize, col: usize, v: &str| {
        let mut cells: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(lines[line].as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        cells[col] = v.to_string();
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b' ')).from_writer(Vec::new());
        w.write_record(&cells).unwrap();
        lines[line] = String::from_utf8(w.into_inner().unwrap()).unwrap().trim_end().to_string();
    };
    set(3, 4, "2099-01-01"); // a date in the future
    set(5, 7, "seven"); // a count that is not a number
    set(7, 20, "95.1, 200.4"); // off the globe
    set(9, 0, "2022.MMP00002"); // the Main ID of line 3
    set(11, 4, "2022-02-30"); // no such day
    let file = dir.join("bad.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let o = run(&["incidents", "import", &file.display().to_string(), "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let e = err(&o);
    for needle in [
        "line 4, column Incident Date (\"2099-01-01\"): the date lies in the future",
        "line 6, column Number of Dead (\"seven\")",
        "line 8, column Coordinates",
        "line 10, column Main ID (\"2022.MMP00002\"): this Main ID is already on line 3",
        "line 12, column Incident Date (\"2022-02-30\")",
        "nothing was imported (5 problem(s))",
    ] {
        assert!(e.contains(needle), "{needle:?} not in\n{e}");
    }
    assert!(summary(&db, 2022, "route").is_empty(), "a refused file wrote incidents");

    // A header with a column missing and one that is not the file's.
    let renamed = good.replacen("\"Number of Survivors\"", "Survivors", 1).replacen("Number of Survivors", "Survivors", 1);
    let file = dir.join("header.csv");
    std::fs::write(&file, renamed).unwrap();
    let o = run(&["incidents", "import", &file.display().to_string(), "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("column Survivors: not a column of the Missing Migrants Project's file"), "{}", err(&o));
    assert!(err(&o).contains("column Number of Survivors: this column is missing from the header"), "{}", err(&o));

    // A byte-order mark and CRLF line ends, or Latin-1 text, read the same.
    let bom = format!("\u{feff}{}", good.replace('\n', "\r\n"));
    let file = dir.join("bom.csv");
    std::fs::write(&file, bom).unwrap();
    let o = run(&["incidents", "import", &file.display().to_string(), "--dry-run", "--database-url", &db], None);
    assert!(out(&o).contains("would import 50 incidents: 50 new"), "{}{}", out(&o), err(&o));
    let latin1: Vec<u8> = good.chars().map(|c| if (c as u32) < 256 { c as u8 } else { b'?' }).collect();
    let file = dir.join("latin1.csv");
    std::fs::write(&file, latin1).unwrap();
    let o = run(&["incidents", "import", &file.display().to_string(), "--database-url", &db], None);
    assert!(out(&o).contains("imported 50 incidents: 50 new"), "{}{}", out(&o), err(&o));
}

both_backends!(the_published_file_imports_and_its_sums_hold, a_file_with_problems_is_refused_whole);
