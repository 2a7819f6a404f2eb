//! Batch linkage as a tool of its own: read a file of person records, check
//! every row (all problems at once, nothing done unless all are valid),
//! cluster the records into persons with `passage_domain::linkage`, and
//! write `record_id,cluster_id` for every input record.

use crate::error::FileProblem;
use passage_domain::codes::CountryCode;
use passage_domain::linkage::{BirthDate, LinkRecord};

pub const COLUMNS: [&str; 7] = ["record_id", "given_name", "family_name", "sex", "date_of_birth", "nationality", "phone"];

/// Read the linkage input (UTF-8 CSV with the header `COLUMNS`, in any order).
pub fn read_persons(text: &str) -> Result<Vec<LinkRecord>, Vec<FileProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![FileProblem::new(1, None, None, format!("the header is not readable: {e}"))]),
    };
    let mut problems = Vec::new();
    let col = |name: &str| header.iter().position(|h| h == name);
    for c in COLUMNS {
        if col(c).is_none() {
            problems.push(FileProblem::new(1, Some(c), None, format!("the column {c} is missing; expected {}", COLUMNS.join(","))));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let idx: Vec<usize> = COLUMNS.iter().map(|c| col(c).expect("checked")).collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, row) in reader.records().enumerate() {
        let line = n + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                problems.push(FileProblem::new(line, None, None, format!("not readable as CSV: {e}")));
                continue;
            }
        };
        if row.len() != header.len() {
            problems.push(FileProblem::new(
                line,
                None,
                None,
                format!("this row has {} cells where the header has {}", row.len(), header.len()),
            ));
            continue;
        }
        let get = |i: usize| row.get(idx[i]).unwrap_or("").trim();
        let id = get(0);
        if id.is_empty() {
            problems.push(FileProblem::new(line, Some("record_id"), None, "the record id is missing"));
            continue;
        }
        if !seen.insert(id.to_string()) {
            problems.push(FileProblem::new(line, Some("record_id"), Some(id), "this record id appears twice"));
        }
        let sex = get(3);
        if !matches!(sex, "" | "M" | "F" | "m" | "f") {
            problems.push(FileProblem::new(line, Some("sex"), Some(sex), "sex is M, F or empty"));
        }
        let birth = match BirthDate::parse(get(4)) {
            Some(b) => b,
            None => {
                problems.push(FileProblem::new(line, Some("date_of_birth"), Some(get(4)), "a date is YYYY-MM-DD, YYYY, or empty"));
                BirthDate::Unknown
            }
        };
        let nat = get(5);
        if !nat.is_empty() && CountryCode::parse("nationality", nat).is_err() {
            problems.push(FileProblem::new(line, Some("nationality"), Some(nat), "not an ISO 3166-1 alpha-3 country code (such as GIN)"));
        }
        out.push(LinkRecord::new(id, get(1), get(2), sex, birth, nat, get(6)));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// `record_id,cluster_id` for every record, in input order; a cluster is
/// named by its first record's id.
pub fn clusters_csv(records: &[LinkRecord], clusters: &[u32]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["record_id", "cluster_id"]);
    for (r, c) in records.iter().zip(clusters) {
        let _ = w.write_record([r.id.as_str(), records[*c as usize].id.as_str()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_and_nothing_is_done() {
        let bad = "record_id,given_name,family_name,sex,date_of_birth,nationality,phone\n\
                   1,Mamadou,Diallo,X,1998,GIN,\n\
                   2,Awa,Bah,F,12/03/1998,GIN,\n\
                   2,Awa,Bah,F,1998,XXX,\n";
        let p = read_persons(bad).unwrap_err();
        let s: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[0].contains("line 2, column sex"));
        assert!(s[1].contains("line 3, column date_of_birth"));
        assert!(s[2].contains("line 4, column record_id") && s[2].contains("twice"));
        assert!(s[3].contains("line 4, column nationality"));
        assert!(read_persons("id,name\n1,x\n").unwrap_err()[0].to_string().contains("record_id is missing"));
    }
}
