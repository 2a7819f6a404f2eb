//! Flow monitoring through the command line, on both databases: a flow file
//! imports whole (its new points described on its rows), its figures are the
//! sums of the file under disclosure control, a re-import changes nothing,
//! an export re-imports into an empty database with the same figures, and a
//! file with impossible counts is refused whole with each problem listed.

mod common;
use common::*;
use passage_domain::date::CalendarDate;
use passage_service::flows::synthetic_flow_file;
use std::collections::BTreeMap;

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn summary_csv(db: &str, by: &str, extra: &[&str]) -> String {
    let mut args = vec!["flows", "summary", "--database-url", db, "--by", by, "--format", "csv"];
    args.extend_from_slice(extra);
    let o = run(&args, None);
    assert!(o.status.success(), "{}", err(&o));
    out(&o)
}

/// What a reader of the file sums per group, independently of Passage's reader.
fn expected(file: &str, by: &str) -> BTreeMap<String, i64> {
    let mut r = csv::Reader::from_reader(file.as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let mut m = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let key = match by {
            "point" => rec[col("point")].to_string(),
            "nationality" => rec[col("nationality")].to_string(),
            "direction" => rec[col("direction")].to_string(),
            _ => {
                let d = CalendarDate::parse("d", &rec[col("date")]).unwrap();
                passage_domain::flow::iso_week(d)
            }
        };
        *m.entry(key).or_insert(0) += rec[col("total")].parse::<i64>().unwrap();
    }
    m
}

fn parse_summary(csv_text: &str) -> BTreeMap<String, i64> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records().map(|x| x.unwrap()).map(|x| (x[0].to_string(), x[1].parse().expect("a plain number"))).collect()
}

async fn flows_import_sum_and_round_trip(backend: Backend) {
    let db = fresh_database(backend, "flows").await;
    let dir = tmpdir("flows");
    let today = CalendarDate::today();
    let file_text = synthetic_flow_file(11, 4_000, today, false);
    let file = dir.join("flows.csv");
    std::fs::write(&file, &file_text).unwrap();
    let f = file.display().to_string();

    let o = run(&["flows", "import", &f, "--dry-run", "--database-url", &db], None);
    assert!(out(&o).contains("would import 4000 counts"), "{}{}", out(&o), err(&o));
    assert!(parse_summary(&summary_csv(&db, "point", &[])).is_empty(), "a dry run wrote counts");
    let o = run(&["flows", "import", &f, "--database-url", &db], None);
    assert!(out(&o).contains(": 4000 new, 0 updated, 0 unchanged; 6 new point(s)"), "{}{}", out(&o), err(&o));
    for by in ["point", "nationality", "direction", "week"] {
        let csv_text = summary_csv(&db, by, &[]);
        assert!(csv_text.starts_with(&format!("{by},persons\n")), "{csv_text}");
        assert_eq!(parse_summary(&csv_text), expected(&file_text, by), "by {by}");
    }
    // Again: nothing new, nothing counted twice.
    let o = run(&["flows", "import", &f, "--database-url", &db], None);
    assert!(out(&o).contains(": 0 new, 0 updated, 4000 unchanged; 0 new point(s)"), "{}", out(&o));
    assert_eq!(parse_summary(&summary_csv(&db, "point", &[])), expected(&file_text, "point"));

    // Export, with HXL, into an empty database: the same figures.
    let exported = dir.join("export.csv");
    let o = run(&["flows", "export", "--hxl", "--output", &exported.display().to_string(), "--database-url", &db], None);
    assert!(o.status.success(), "{}", err(&o));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.lines().nth(1).unwrap().starts_with("#loc+code,#loc+name,#country+code"), "{}", &text[..300]);
    let (valid, said) = hxl_validate(text.as_bytes(), "csv", "flows-hxl-schema.csv");
    assert!(valid, "{said}");
    let other = fresh_database(backend, "flows-copy").await;
    let o = run(&["flows", "import", &exported.display().to_string(), "--database-url", &other], None);
    assert!(out(&o).contains(": 4000 new"), "{}{}", out(&o), err(&o));
    for by in ["point", "nationality", "direction", "week"] {
        assert_eq!(summary_csv(&other, by, &[]), summary_csv(&db, by, &[]), "by {by}");
    }

    // A period: only the weeks in it.
    let monday = passage_domain::flow::monday_of(today);
    let from = monday.add_days(-7).to_string();
    let weeks = parse_summary(&summary_csv(&db, "week", &["--from", &from]));
    assert_eq!(weeks.len(), 2, "{weeks:?}");
}

async fn small_counts_are_protected(backend: Backend) {
    let db = fresh_database(backend, "flows-small").await;
    let dir = tmpdir("flows-small");
    let file = dir.join("small.csv");
    std::fs::write(
        &file,
        "point,point_name,country,latitude,longitude,point_kind,date,period,direction,transport_mode,nationality,total\n\
         AGZ-BUS,Agadez bus station,NER,16.97,7.99,bus_station,2026-11-02,week,outgoing,truck,GIN,40\n\
         AGZ-BUS,,,,,,2026-11-02,week,outgoing,truck,MLI,37\n\
         AGZ-BUS,,,,,,2026-11-02,week,outgoing,bus,SDN,3\n",
    )
    .unwrap();
    let o = run(&["flows", "import", &file.display().to_string(), "--database-url", &db], None);
    assert!(o.status.success(), "{}", err(&o));
    // Three Sudanese: suppressed, and so is one more cell, or the total would give them away.
    let text = summary_csv(&db, "nationality", &[]);
    let rows: BTreeMap<String, String> =
        csv::Reader::from_reader(text.as_bytes()).records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[1].to_string())).collect();
    assert_eq!(rows["SDN"], "", "{text}");
    assert_eq!(rows.values().filter(|v| v.is_empty()).count(), 2, "{text}");
    let o = run(&["flows", "summary", "--database-url", &db, "--by", "nationality"], None);
    assert!(out(&o).contains("Total") && out(&o).contains("80"), "{}", out(&o));
}

async fn a_flow_file_with_problems_is_refused_whole(backend: Backend) {
    let db = fresh_database(backend, "flows-bad").await;
    let dir = tmpdir("flows-bad");
    let file = dir.join("bad.csv");
    std::fs::write(
        &file,
        "point,point_name,country,latitude,longitude,point_kind,date,period,direction,transport_mode,nationality,total,men,women\n\
         AGZ-BUS,Agadez bus station,NER,16.97,7.99,bus_station,2026-11-02,week,outgoing,truck,GIN,40,30,5\n\
         AGZ-BUS,,,,,,2026-11-02,week,outgoing,truck,MLI,-3,,\n\
         AGZ-BUS,,,,,,2026-11-02,week,outgoing,truck,NGA,10,8,7\n\
         XYZ-999,,,,,,2026-11-02,week,outgoing,truck,NGA,10,,\n\
         AGZ-BUS,,,,,,2026-11-04,week,outgoing,truck,GIN,12,,\n\
         AGZ-BUS,,,,,,2099-01-05,week,outgoing,truck,CIV,12,,\n",
    )
    .unwrap();
    let o = run(&["flows", "import", &file.display().to_string(), "--database-url", &db], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let e = err(&o);
    for needle in [
        "line 3, column total (\"-3\"): A count cannot be negative.",
        "line 4, column total (\"10\"): The breakdown adds up to 15, more than the total of 10.",
        "line 5, column point (\"XYZ-999\"): no such point",
        "line 6: the same observation (point, date, period, direction, transport, countries) as line 2",
        "line 7, column date",
        "nothing was imported (5 problem(s))",
    ] {
        assert!(e.contains(needle), "{needle:?} not in\n{e}");
    }
    assert!(parse_summary(&summary_csv(&db, "point", &[])).is_empty(), "a refused file wrote counts");
}

both_backends!(flows_import_sum_and_round_trip, small_counts_are_protected, a_flow_file_with_problems_is_refused_whole);
