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

#[test]
fn a_bad_file_says_what_to_change_and_writes_nothing() {
    let dir = tmpdir("linkage-bad");
    let input = dir.join("persons.csv");
    std::fs::write(
        &input,
        "record_id,given_name,family_name,sex,date_of_birth,nationality,phone\n\
         1,Mamadou,Diallo,male,1998,GIN,\n\
         2,Awa,Bah,F,03/12/1998,GIN,\n\
         3,Awa,Bah,F,1998,Guinea,\n",
    )
    .unwrap();
    let output = dir.join("clusters.csv");
    let o = run(&["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("line 2, column sex (\"male\")"), "{text}");
    assert!(text.contains("line 3, column date_of_birth (\"03/12/1998\")"), "{text}");
    assert!(text.contains("line 4, column nationality (\"Guinea\")"), "{text}");
    assert!(text.contains("nothing was written (3 problem(s))"));
    assert!(!output.exists());
    let o = run(&["linkage", "dedupe", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap(), "--threshold", "2"], None);
    assert_eq!(o.status.code(), Some(2));
}
