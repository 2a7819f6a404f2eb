//! Batch linkage as a process: a file of records in, one cluster per person
//! out, every input record accounted for; a bad file writes nothing.

mod common;
use common::*;

fn out(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_file_of_records_becomes_one_cluster_per_person() {
    let dir = tmpdir("linkage");
    let input = dir.join("persons.csv");
    std::fs::write(
        &input,
        "record_id,given_name,family_name,sex,date_of_birth,nationality,phone\n\
         agz-1,Mamadou,Diallo,M,1998,GIN,+224 620 11 22 33\n\
         tip-7,Mamadu,Jallow,M,1998-01-01,GIN,00224620112233\n\
         agz-2,Mamadou,Diallo,M,1971-07-02,GIN,\n\
         dkr-3,Aissatou,Bah,F,1990-05-05,SEN,\n\
         bko-9,Aïssatou,Ba,F,1990-05-05,SEN,\n\
         nia-4,Ibrahim,Moussa,M,2001,NER,\n",
    )
    .unwrap();
    let output = dir.join("clusters.csv");
    let o = run(&["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("6 records → 4 persons"), "{}", out(&o));
    let csv = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "record_id,cluster_id");
    assert_eq!(lines.len(), 7, "every input record has its line");
    let cluster = |id: &str| lines.iter().find(|l| l.starts_with(&format!("{id},"))).unwrap().split(',').nth(1).unwrap().to_string();
    assert_eq!(cluster("agz-1"), cluster("tip-7"), "Diallo/Jallow, same phone and year");
    assert_eq!(cluster("dkr-3"), cluster("bko-9"), "accents and Bah/Ba");
    assert_ne!(cluster("agz-1"), cluster("agz-2"), "a namesake born 27 years earlier");
    // An existing output is not overwritten.
    let o = run(&["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("exists already"));
}

/// A value that cannot be read is missing for its record, and said; with
/// --strict the file is refused. A file that cannot be a list of records
/// (an id twice, a row of the wrong width) is refused either way.
#[test]
fn unreadable_values_are_missing_and_reported_and_strict_refuses() {
    let dir = tmpdir("linkage-bad");
    let input = dir.join("persons.csv");
    std::fs::write(
        &input,
        "ID,First,Last,Sex,dob\n\
         1,Mamadou,Diallo,X,19980314\n\
         2,Mamadu,Diallo,M,19980230\n\
         3,Awa,Bah,F,n/a\n\
         4,Awa,Bah,F,19900505\n",
    )
    .unwrap();
    let columns = "record_id=ID,given_name=First,family_name=Last,sex=Sex,birth_date=dob";
    let output = dir.join("clusters.csv");
    let args = |extra: &[&str]| {
        let mut a =
            vec!["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap(), "--columns", columns];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<String>>()
    };
    let strict = args(&["--strict"]);
    let o = run(&strict.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("line 2, column Sex (\"X\")"), "{text}");
    assert!(text.contains("line 3, column dob (\"19980230\")") && text.contains("not a day of the calendar"), "{text}");
    assert!(text.contains("line 4, column dob (\"n/a\")"), "{text}");
    assert!(text.contains("nothing was written (3 problem(s))"), "{text}");
    assert!(!output.exists());

    let lenient = args(&[]);
    let o = run(&lenient.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("dob: 2 value(s) unreadable, treated as missing"), "{text}");
    assert!(text.contains("dates %Y%m%d"), "the format is detected: {text}");
    let ignored = std::fs::read_to_string(dir.join("clusters.csv.ignored.csv")).unwrap();
    assert_eq!(ignored.lines().count(), 4, "{ignored}");
    assert!(ignored.contains("3,dob,19980230,not a day of the calendar"), "{ignored}");
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 5, "every record is written");

    std::fs::write(&input, "ID,First,Last\n1,Awa,Bah\n1,Awa,Ba\n2,Ali\n").unwrap();
    let other = dir.join("other.csv");
    let o = run(
        &[
            "linkage",
            "dedupe",
            "--input",
            input.to_str().unwrap(),
            "--output",
            other.to_str().unwrap(),
            "--columns",
            "record_id=ID,given_name=First,family_name=Last",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("appears twice") && out(&o).contains("cells"), "{}", out(&o));
    let o = run(
        &["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", other.to_str().unwrap(), "--columns", "given=First"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("not a linkage field"), "{}", out(&o));
    let o = run(&["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", other.to_str().unwrap(), "--threshold", "2"], None);
    assert_ne!(o.status.code(), Some(0));
    let o = run(
        &["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", other.to_str().unwrap(), "--date-format", "%d/%m"],
        None,
    );
    assert!(out(&o).contains("--date-format"), "{}", out(&o));
    assert!(!other.exists());
}

/// Two organisations link their records without exchanging names: each
/// encodes its own file under the shared secret, the matcher sees only the
/// encodings. Wrong secrets, tampered files and reused outputs are refused.
#[test]
fn two_organisations_link_encoded_records_without_names() {
    let dir = tmpdir("linkage-encoded");
    let header = "record_id,given_name,family_name,sex,date_of_birth,nationality,phone\n";
    let office = dir.join("office.csv");
    std::fs::write(
        &office,
        format!(
            "{header}agz-1,Mamadou,Diallo,M,1998,GIN,+224 620 11 22 33\n\
             agz-2,Aissatou,Bah,F,1990-05-07,SEN,\n\
             agz-3,Ibrahim,Moussa,M,2001,NER,\n"
        ),
    )
    .unwrap();
    let partner = dir.join("partner.csv");
    std::fs::write(
        &partner,
        format!(
            "{header}ngo-7,Mamadu,Jallow,M,1998-01-01,GIN,00224620112233\n\
             ngo-8,Aïssatou,Ba,F,1990-07-05,SEN,\n\
             ngo-9,Mamadou,Diallo,M,1971-07-02,MLI,+223 70 00 00 01\n"
        ),
    )
    .unwrap();
    let secret = dir.join("secret");
    std::fs::write(&secret, "kq3Vb0q2mTn3pYl7Rw1sZx8uAe5HcJd9Lf6Go4Ii0Nk=\n").unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let encode = |input: &std::path::Path, output: &std::path::Path, secret: &std::path::Path| {
        run(&["linkage", "encode", "--input", &path(input), "--output", &path(output), "--secret", &path(secret)], None)
    };
    let (a, b) = (dir.join("office.enc"), dir.join("partner.enc"));
    for (i, o) in [(&office, &a), (&partner, &b)] {
        let r = encode(i, o, &secret);
        assert!(r.status.success(), "{}", out(&r));
        assert!(out(&r).contains("3 records encoded"), "{}", out(&r));
    }
    let encoded = std::fs::read_to_string(&a).unwrap();
    assert!(encoded.starts_with("record_id,version,key_check,clk\nagz-1,passage-clk-2,"), "{encoded}");
    for clear in ["Mamadou", "Diallo", "1998", "620", "GIN"] {
        assert!(!encoded.contains(clear), "{clear} left in clear: {encoded}");
    }

    let matched = dir.join("matched.csv");
    let r = run(&["linkage", "match", "--left", &path(&a), "--right", &path(&b), "--output", &path(&matched)], None);
    assert!(r.status.success(), "{}", out(&r));
    let csv = std::fs::read_to_string(&matched).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "left_id,right_id,score");
    let pairs: Vec<(&str, &str)> = lines[1..].iter().map(|l| (l.split(',').next().unwrap(), l.split(',').nth(1).unwrap())).collect();
    assert!(pairs.contains(&("agz-1", "ngo-7")), "Diallo/Jallow, same phone and year: {csv}");
    assert!(pairs.contains(&("agz-2", "ngo-8")), "Bah/Ba, day and month swapped: {csv}");
    assert!(!pairs.contains(&("agz-1", "ngo-9")), "a namesake of another country and age: {csv}");
    assert!(pairs.iter().all(|(l, _)| *l != "agz-3"), "nobody else is Ibrahim Moussa: {csv}");

    // A file encoded under another secret is refused, not silently matched to nothing.
    let other = dir.join("other-secret");
    std::fs::write(&other, "a-completely-different-secret-of-40-bytes\n").unwrap();
    let c = dir.join("partner-other.enc");
    assert!(encode(&partner, &c, &other).status.success());
    let r = run(&["linkage", "match", "--left", &path(&a), "--right", &path(&c), "--output", &path(&dir.join("m2.csv"))], None);
    assert_eq!(r.status.code(), Some(2), "{}", out(&r));
    assert!(out(&r).contains("different secrets"), "{}", out(&r));
    assert!(!dir.join("m2.csv").exists());

    // A short secret, a tampered file, a reused output, a threshold out of range.
    let short = dir.join("short");
    std::fs::write(&short, "password\n").unwrap();
    let r = encode(&office, &dir.join("x.enc"), &short);
    assert_eq!(r.status.code(), Some(2));
    assert!(out(&r).contains("at least 32"), "{}", out(&r));
    let tampered = dir.join("tampered.enc");
    std::fs::write(&tampered, encoded.replacen("passage-clk-2", "passage-clk-1", 1).replace(",AA", ",!!")).unwrap();
    let r = run(&["linkage", "match", "--left", &path(&tampered), "--right", &path(&b), "--output", &path(&dir.join("m3.csv"))], None);
    assert_eq!(r.status.code(), Some(2), "{}", out(&r));
    assert!(out(&r).contains("line 2, column version"), "{}", out(&r));
    assert!(!dir.join("m3.csv").exists());
    let r = run(&["linkage", "match", "--left", &path(&a), "--right", &path(&b), "--output", &path(&matched)], None);
    assert!(out(&r).contains("exists already"), "{}", out(&r));
    let r = run(
        &["linkage", "match", "--left", &path(&a), "--right", &path(&b), "--output", &path(&dir.join("m4.csv")), "--threshold", "0.2"],
        None,
    );
    assert_eq!(r.status.code(), Some(2));
}
