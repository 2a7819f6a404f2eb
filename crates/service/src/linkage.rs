//! Batch linkage as a tool of its own: read a file of person records, check
//! every row (all problems at once, nothing done unless all are valid),
//! cluster the records into persons with `passage_domain::linkage`, and
//! write `record_id,cluster_id` for every input record.

use crate::error::FileProblem;
use passage_domain::linkage::{BirthDate, DateFormat, LinkFields, LinkRecord};

/// The dedupe input's columns, as Passage names them (`date_of_birth` is
/// also read as `birth_date`).
pub const COLUMNS: [&str; 7] = ["record_id", "given_name", "family_name", "sex", "date_of_birth", "nationality", "phone"];

/// What a linkage file can hold, by Passage's names: the record id, the
/// compared fields, the optional ones.
pub const FIELDS: [&str; 13] = [
    "record_id",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "phone",
    "document",
    "place_of_birth",
    "father_name",
    "mother_name",
    "address",
    "locality",
];

/// Which of a file's columns hold each of Passage's fields. A field may be
/// several columns, written together with a space (an address in three).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    pairs: Vec<(String, Vec<String>)>,
}

impl ColumnMap {
    /// `given_name=FirstName,family_name=LastName,address=street_number+address_1`.
    pub fn parse(spec: &str) -> Result<ColumnMap, String> {
        let mut pairs = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (field, cols) =
                item.split_once('=').ok_or_else(|| format!("{item:?}: a mapping is field=column (such as given_name=FirstName)"))?;
            pairs.push((field.trim().to_string(), cols.split('+').map(|c| c.trim().to_string()).collect()));
        }
        ColumnMap::from_pairs(pairs)
    }

    /// Field → columns, checked: known fields, each once, no empty column name.
    pub fn from_pairs(pairs: Vec<(String, Vec<String>)>) -> Result<ColumnMap, String> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (field, cols) in pairs {
            let field = match field.to_ascii_lowercase().as_str() {
                "date_of_birth" => "birth_date".to_string(),
                f => f.to_string(),
            };
            if !FIELDS.contains(&field.as_str()) {
                return Err(format!("{field:?} is not a linkage field; the fields are {}", FIELDS.join(", ")));
            }
            if !seen.insert(field.clone()) {
                return Err(format!("{field} is mapped twice"));
            }
            if cols.is_empty() || cols.iter().any(|c| c.is_empty()) {
                return Err(format!("{field}: a column name is empty"));
            }
            if field == "record_id" && cols.len() > 1 {
                return Err("record_id is one column".into());
            }
            out.push((field, cols));
        }
        Ok(ColumnMap { pairs: out })
    }
}

/// How a linkage file is read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub columns: ColumnMap,
    /// None: detected from the file's dates (ISO when none look like dates).
    pub date_format: Option<DateFormat>,
    /// Refuse the file for any unreadable value, instead of leaving it out.
    pub strict: bool,
}

/// A value left out of a record because it could not be read: it counts as
/// missing for that record.
#[derive(Debug, Clone, PartialEq)]
pub struct Ignored {
    pub line: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A linkage file as read.
#[derive(Debug, Clone)]
pub struct PersonsFile {
    pub records: Vec<LinkRecord>,
    pub ignored: Vec<Ignored>,
    pub date_format: DateFormat,
    /// Which columns each field was read from.
    pub mapping: Vec<(String, Vec<String>)>,
    /// The file's columns that no field reads.
    pub unused: Vec<String>,
}

impl PersonsFile {
    /// What was ignored, column by column: a count and the first few
    /// lines, for the terminal.
    pub fn ignored_summary(&self) -> Vec<String> {
        let mut by_column: Vec<(String, Vec<&Ignored>)> = Vec::new();
        for i in &self.ignored {
            match by_column.iter_mut().find(|(c, _)| *c == i.column) {
                Some((_, v)) => v.push(i),
                None => by_column.push((i.column.clone(), vec![i])),
            }
        }
        by_column
            .iter()
            .map(|(c, v)| {
                let first: Vec<String> = v.iter().take(5).map(|i| format!("line {} {:?} ({})", i.line, i.value, i.reason)).collect();
                format!("{c}: {} value(s) unreadable, treated as missing; first: {}", v.len(), first.join("; "))
            })
            .collect()
    }

    /// The ignored values as CSV: `line,column,value,reason`.
    pub fn ignored_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["line", "column", "value", "reason"]);
        for i in &self.ignored {
            let _ = w.write_record([i.line.to_string().as_str(), &i.column, &i.value, &i.reason]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// Read a linkage file: UTF-8 CSV with a header. Columns are found by
/// Passage's field names unless `options.columns` maps them. A value that
/// cannot be read (31 February, `n/a` as a date, `X` as a sex) becomes
/// missing for its record and is listed in `ignored`; with `strict` it is a
/// problem and nothing is read. A missing or repeated record id, a row of
/// the wrong width and a mapping to a column the file lacks are always
/// problems: every one is listed.
pub fn read_persons(text: &str, options: &ReadOptions) -> Result<PersonsFile, Vec<FileProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => return Err(vec![FileProblem::new(1, None, None, format!("the header is not readable: {e}"))]),
    };
    let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut problems = Vec::new();
    // Each field's columns: as mapped, else the column of the field's own name.
    let mut mapping: Vec<(String, Vec<String>)> = Vec::new();
    let mut idx: Vec<Vec<usize>> = Vec::new();
    for field in FIELDS {
        let given = options.columns.pairs.iter().find(|(f, _)| f == field).map(|(_, c)| c.clone());
        let cols = match given {
            Some(cols) => {
                let mut found = Vec::new();
                for c in &cols {
                    match find(c) {
                        Some(i) => found.push(i),
                        None => problems.push(FileProblem::new(
                            1,
                            Some(c),
                            None,
                            format!("{field} is mapped to the column {c}, which the file does not have (it has {})", header.join(",")),
                        )),
                    }
                }
                found
            }
            None => {
                let own = find(field).or_else(|| if field == "birth_date" { find("date_of_birth") } else { None });
                own.into_iter().collect()
            }
        };
        if !cols.is_empty() {
            mapping.push((field.to_string(), cols.iter().map(|i| header[*i].clone()).collect()));
        }
        idx.push(cols);
    }
    if idx[0].is_empty() && problems.is_empty() {
        problems.push(FileProblem::new(
            1,
            Some("record_id"),
            None,
            "no record id column: name one record_id, or map it (--columns record_id=ID)",
        ));
    }
    if idx[1].is_empty() && idx[2].is_empty() && problems.is_empty() {
        problems.push(FileProblem::new(
            1,
            None,
            None,
            "no name column: name them given_name and family_name, or map them (--columns given_name=…,family_name=…)",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let used: std::collections::HashSet<usize> = idx.iter().flatten().copied().collect();
    let unused: Vec<String> = header.iter().enumerate().filter(|(i, _)| !used.contains(i)).map(|(_, h)| h.clone()).collect();
    let rows: Vec<(usize, csv::StringRecord)> = reader
        .records()
        .enumerate()
        .filter_map(|(n, row)| match row {
            Ok(r) => Some((n + 2, r)),
            Err(e) => {
                problems.push(FileProblem::new(n + 2, None, None, format!("not readable as CSV: {e}")));
                None
            }
        })
        .collect();
    let value = |row: &csv::StringRecord, f: usize| -> String {
        let parts: Vec<&str> = idx[f].iter().map(|i| row.get(*i).unwrap_or("").trim()).filter(|v| !v.is_empty()).collect();
        parts.join(" ")
    };
    let date_format = match &options.date_format {
        Some(f) => f.clone(),
        None if idx[4].is_empty() => DateFormat::Iso,
        None => {
            let dates: Vec<String> = rows.iter().map(|(_, r)| value(r, 4)).collect();
            DateFormat::detect(dates.iter().map(String::as_str)).unwrap_or(DateFormat::Iso)
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut ignored = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let column_of = |f: usize| mapping_name(&header, &idx[f]);
    for (line, row) in &rows {
        let line = *line;
        if row.len() != header.len() {
            problems.push(FileProblem::new(
                line,
                None,
                None,
                format!("this row has {} cells where the header has {}", row.len(), header.len()),
            ));
            continue;
        }
        let id = value(row, 0);
        if id.is_empty() {
            problems.push(FileProblem::new(line, Some(&column_of(0)), None, "the record id is missing"));
            continue;
        }
        if !seen.insert(id.clone()) {
            problems.push(FileProblem::new(line, Some(&column_of(0)), Some(&id), "this record id appears twice"));
        }
        let v: Vec<String> = (0..FIELDS.len()).map(|f| value(row, f)).collect();
        let mut unreadable = |f: usize, reason: String| {
            if options.strict {
                problems.push(FileProblem::new(line, Some(&column_of(f)), Some(&v[f]), reason));
            } else {
                ignored.push(Ignored { line, column: column_of(f), value: crate::error::shortened(&v[f]), reason });
            }
        };
        let mut sex = v[3].as_str();
        if passage_domain::linkage::record::read_sex(sex).is_err() {
            unreadable(3, "sex is M, F (male, female, homme, femme) or empty".into());
            sex = "";
        }
        let birth = match date_format.read(&v[4]) {
            Ok(b) => b,
            Err(why) => {
                unreadable(4, format!("{why} ({})", date_format.pattern()));
                BirthDate::Unknown
            }
        };
        let fields = LinkFields {
            given_name: &v[1],
            family_name: &v[2],
            sex,
            nationality: &v[5],
            phone: &v[6],
            document: &v[7],
            place_of_birth: &v[8],
            father_name: &v[9],
            mother_name: &v[10],
            address: &v[11],
            locality: &v[12],
        };
        out.push(LinkRecord::from_fields(&id, &fields, birth));
    }
    if problems.is_empty() {
        Ok(PersonsFile { records: out, ignored, date_format, mapping, unused })
    } else {
        Err(problems)
    }
}

fn mapping_name(header: &[String], cols: &[usize]) -> String {
    cols.iter().map(|i| header[*i].as_str()).collect::<Vec<_>>().join("+")
}

/// What a batch deduplication did, as lines for the terminal: how the
/// model was made, its parts, and the blocking rule by rule.
pub fn dedupe_report_lines(report: &passage_domain::linkage::DedupeReport) -> Vec<String> {
    let mut out = Vec::new();
    match &report.estimation {
        Some(e) => out.extend(e.lines().into_iter().map(|l| format!("estimate: {l}"))),
        None => out.push("model: the configured m (the file is small, or --configured), u and lambda from the file".into()),
    }
    let times: Vec<String> = report.times.iter().map(|(p, t)| format!("{p} {t:.2} s")).collect();
    out.push(format!("time: {}", times.join(", ")));
    out.push(format!("model ({:?}):", report.model.source));
    out.extend(report.model.describe());
    for (rule, compared, oversized, skipped) in &report.blocking.rules {
        out.push(format!(
            "blocking on {}: {compared} pairs compared, {oversized} oversized blocks, {skipped} pairs of them not compared",
            rule.describe()
        ));
    }
    out
}

/// How well blocking covers the truth.
#[derive(Debug, Clone)]
pub struct PairCompleteness {
    pub true_pairs: u64,
    pub true_compared: u64,
    /// The true pairs each rule found first.
    pub by_rule: Vec<(passage_domain::linkage::blocking::Rule, u64)>,
    pub report: passage_domain::linkage::blocking::BlockingReport,
}

impl PairCompleteness {
    pub fn completeness(&self) -> f64 {
        if self.true_pairs == 0 {
            1.0
        } else {
            self.true_compared as f64 / self.true_pairs as f64
        }
    }
}

/// The share of true pairs (records of one person in `truth`) that the
/// blocking compares at all: the recall no model can exceed.
pub fn pair_completeness(
    records: &[LinkRecord],
    truth: &std::collections::HashMap<String, String>,
    options: &passage_domain::linkage::blocking::BlockingOptions,
) -> PairCompleteness {
    let person: Vec<Option<&String>> = records.iter().map(|r| truth.get(&r.id)).collect();
    let mut sizes: std::collections::HashMap<&String, u64> = std::collections::HashMap::new();
    for p in person.iter().flatten() {
        *sizes.entry(p).or_default() += 1;
    }
    let true_pairs = sizes.values().map(|n| n * n.saturating_sub(1) / 2).sum();
    let mut found = std::collections::HashSet::new();
    let mut by_rule = Vec::new();
    let mut blocking = passage_domain::linkage::blocking::Blocking::new(records, *options);
    let report = blocking.for_each_pair(
        records,
        |rule, i, j| {
            if let (Some(a), Some(b)) = (person[i as usize], person[j as usize]) {
                if a == b && found.insert((i.min(j), i.max(j))) {
                    match by_rule.iter_mut().find(|(r, _)| *r == rule) {
                        Some((_, n)) => *n += 1,
                        None => by_rule.push((rule, 1)),
                    }
                }
            }
        },
        |_| {},
    );
    PairCompleteness { true_pairs, true_compared: found.len() as u64, by_rule, report }
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

/// The columns of an encoded file (`passage linkage encode`).
pub const ENCODED_COLUMNS: [&str; 4] = ["record_id", "version", "key_check", "clk"];

/// Read a linkage secret: the file's text without its line end, at least 32 bytes.
pub fn read_secret(bytes: &[u8]) -> Result<passage_domain::linkage_encoding::LinkageSecret, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the secret file is not text: write the secret as base64 or hex".to_string())?;
    passage_domain::linkage_encoding::LinkageSecret::new(text.trim_end_matches(['\r', '\n']).as_bytes()).map_err(|e| e.to_string())
}

/// Encode every record under the secret: `record_id,version,key_check,clk`
/// with the encoding in base64. No name, date or phone leaves in clear.
pub fn encode_csv(records: &[LinkRecord], secret: &passage_domain::linkage_encoding::LinkageSecret) -> String {
    use base64::Engine;
    use passage_domain::linkage_encoding::{Encoder, VERSION};
    let mut encoder = Encoder::new(secret);
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(ENCODED_COLUMNS);
    for r in records {
        let clk = base64::engine::general_purpose::STANDARD.encode(encoder.encode(r).to_bytes());
        let _ = w.write_record([r.id.as_str(), VERSION, secret.check(), &clk]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// An encoded file as read: ids, encodings, and the secret's check value they share.
#[derive(Debug)]
pub struct EncodedFile {
    pub ids: Vec<String>,
    pub encodings: Vec<passage_domain::linkage_encoding::Encoding>,
    pub key_check: String,
}

/// Read an encoded file, every problem at once.
pub fn read_encoded(text: &str) -> Result<EncodedFile, Vec<FileProblem>> {
    use base64::Engine;
    use passage_domain::linkage_encoding::{Encoding, VERSION};
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![FileProblem::new(1, None, None, format!("the header is not readable: {e}"))]),
    };
    if header != ENCODED_COLUMNS {
        let msg = format!("the header is not {}: is this a file made by passage linkage encode?", ENCODED_COLUMNS.join(","));
        return Err(vec![FileProblem::new(1, None, None, msg)]);
    }
    let mut file = EncodedFile { ids: Vec::new(), encodings: Vec::new(), key_check: String::new() };
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, row) in reader.records().enumerate() {
        let line = n + 2;
        let row = match row {
            Ok(r) if r.len() == ENCODED_COLUMNS.len() => r,
            Ok(r) => {
                problems.push(FileProblem::new(line, None, None, format!("this row has {} cells where the header has 4", r.len())));
                continue;
            }
            Err(e) => {
                problems.push(FileProblem::new(line, None, None, format!("not readable as CSV: {e}")));
                continue;
            }
        };
        let (id, version, check, clk) = (row[0].trim(), row[1].trim(), row[2].trim(), row[3].trim());
        if id.is_empty() {
            problems.push(FileProblem::new(line, Some("record_id"), None, "the record id is missing"));
        } else if !seen.insert(id.to_string()) {
            problems.push(FileProblem::new(line, Some("record_id"), Some(id), "this record id appears twice"));
        }
        if version != VERSION {
            problems.push(FileProblem::new(
                line,
                Some("version"),
                Some(version),
                format!("this version of Passage reads {VERSION} encodings"),
            ));
        }
        if file.key_check.is_empty() {
            file.key_check = check.to_string();
        } else if check != file.key_check {
            problems.push(FileProblem::new(
                line,
                Some("key_check"),
                Some(check),
                "this row was encoded with another secret than the first row",
            ));
        }
        match base64::engine::general_purpose::STANDARD.decode(clk).ok().and_then(|b| Encoding::from_bytes(&b)) {
            Some(e) => file.encodings.push(e),
            None => problems.push(FileProblem::new(line, Some("clk"), None, "not an encoding (128 bytes in base64)")),
        }
        file.ids.push(id.to_string());
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

/// Match two encoded files: `left_id,right_id,score` for every pair at or
/// above `threshold`, best first. Files encoded under different secrets are
/// refused: they would match nothing, silently.
pub fn match_csv(left: &EncodedFile, right: &EncodedFile, threshold: f64, progress: impl FnMut(f64)) -> Result<(String, usize), String> {
    if left.key_check != right.key_check && !left.ids.is_empty() && !right.ids.is_empty() {
        return Err(format!(
            "the two files were encoded with different secrets (key checks {} and {}): both sides must use the same secret",
            left.key_check, right.key_check
        ));
    }
    let found = passage_domain::linkage_encoding::match_encodings(&left.encodings, &right.encodings, threshold, progress);
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["left_id", "right_id", "score"]);
    for m in &found {
        let _ = w.write_record([left.ids[m.left].as_str(), right.ids[m.right].as_str(), &format!("{:.4}", m.score)]);
    }
    Ok((String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default(), found.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_and_nothing_is_done() {
        let bad = "record_id,given_name,family_name,sex,date_of_birth,nationality,phone\n\
                   1,Mamadou,Diallo,X,1998,GIN,\n\
                   ,Awa,Bah,F,1998,GIN,\n\
                   1,Awa,Bah,F,1998,GIN,\n\
                   3,Awa,Bah\n";
        let strict = ReadOptions { strict: true, ..Default::default() };
        let p = read_persons(bad, &strict).unwrap_err();
        let s: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[0].contains("line 2, column sex"));
        assert!(s[1].contains("line 3") && s[1].contains("missing"));
        assert!(s[2].contains("line 4, column record_id") && s[2].contains("twice"));
        assert!(s[3].contains("line 5") && s[3].contains("cells"));
        assert!(read_persons("id,name\n1,x\n", &ReadOptions::default()).unwrap_err()[0].to_string().contains("record id"));
    }

    #[test]
    fn unreadable_values_become_missing_and_are_reported_unless_strict() {
        let text = "ID,First,Last,dob,Street,Number\n\
                    a,Awa,Bah,19870231,Rue du Marche,12\n\
                    b,Awa,Bah,19870412,Rue du Marche,12\n\
                    c,Awa,Bah,n/a,,\n";
        let columns = ColumnMap::parse("record_id=ID,given_name=First,family_name=Last,birth_date=dob,address=Number+Street").unwrap();
        let options = ReadOptions { columns: columns.clone(), ..Default::default() };
        let file = read_persons(text, &options).unwrap();
        assert_eq!(file.date_format, DateFormat::parse("%Y%m%d").unwrap(), "detected");
        assert_eq!(file.records.len(), 3);
        assert_eq!(file.records[0].birth, BirthDate::Unknown, "31 February is no date");
        assert_eq!(file.records[1].birth, BirthDate::Exact { year: 1987, month: 4, day: 12 });
        assert_eq!(&*file.records[0].address.text, "12 rue du marche");
        assert_eq!(file.ignored.len(), 2);
        assert_eq!((file.ignored[0].line, file.ignored[0].column.as_str(), file.ignored[0].value.as_str()), (2, "dob", "19870231"));
        assert!(file.ignored_summary()[0].starts_with("dob: 2 value(s)"));
        assert!(file.ignored_csv().starts_with("line,column,value,reason\n2,dob,19870231,"));
        let strict = ReadOptions { columns, strict: true, ..Default::default() };
        assert_eq!(read_persons(text, &strict).unwrap_err().len(), 2);
        assert!(ColumnMap::parse("given=First").unwrap_err().contains("not a linkage field"));
        assert!(ColumnMap::parse("given_name").is_err());
        let missing = ReadOptions { columns: ColumnMap::parse("given_name=Nope").unwrap(), ..Default::default() };
        assert!(read_persons(text, &missing).unwrap_err()[0].to_string().contains("does not have"));
    }
}

/// A labelled evaluation set: `n` records of persons registered one to four
/// times, each registration varied the way the field varies them (variant
/// spellings, given and family names swapped, a middle name more or less,
/// dates of birth exact, year only, estimated as 1 January, day and month
/// swapped or a year off, fields left empty, phone numbers written
/// differently) — and, because names are drawn from each country's common
/// names, many distinct persons sharing a name. Returns the CSV of records
/// and the CSV of `record_id,person_id` (the truth).
pub fn evaluation_set(n: usize, seed: u64) -> (String, String) {
    use crate::synthetic::{family_names, given_names, respell, Rng, NATIONALITIES};
    let mut rng = Rng::new(seed);
    let mut records = csv::Writer::from_writer(Vec::new());
    let mut truth = csv::Writer::from_writer(Vec::new());
    let _ = records.write_record(COLUMNS);
    let _ = truth.write_record(["record_id", "person_id"]);
    let (mut made, mut person) = (0usize, 0usize);
    while made < n {
        person += 1;
        let nat = *rng.weighted(NATIONALITIES);
        let female = rng.chance(0.3);
        let given = rng.pick(given_names(nat, female)).to_string();
        let middle = rng.chance(0.15).then(|| rng.pick(given_names(nat, female)).to_string());
        let family = rng.pick(family_names(nat)).to_string();
        let (year, month, day) = (1960 + rng.below(50) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
        let phone = rng.chance(0.5).then(|| format!("{:08}", rng.below(100_000_000)));
        let copies = (*rng.weighted(&[(1usize, 55), (2, 25), (3, 13), (4, 7)])).min(n - made);
        for copy in 0..copies {
            made += 1;
            let id = format!("r{made}");
            let first = copy == 0;
            let vary = |w: &str, rng: &mut Rng| if !first && rng.chance(0.4) { respell(w, rng) } else { w.to_string() };
            let mut g = vary(&given, &mut rng);
            if let Some(m) = &middle {
                if first || rng.chance(0.5) {
                    g = format!("{g} {}", vary(m, &mut rng));
                }
            }
            let mut f = vary(&family, &mut rng);
            if !first && rng.chance(0.15) {
                std::mem::swap(&mut g, &mut f);
            }
            let dob = match if first { 0 } else { rng.below(10) } {
                0..=3 => format!("{year}-{month:02}-{day:02}"),
                4 | 5 => format!("{year}"),
                6 => format!("{year}-01-01"),
                7 if day <= 12 => format!("{year}-{day:02}-{month:02}"),
                7 => format!("{}", year + 1),
                8 => format!("{}", year + if rng.chance(0.5) { 1 } else { -1 }),
                _ => String::new(),
            };
            let sex = if rng.chance(0.05) {
                ""
            } else if female {
                "F"
            } else {
                "M"
            };
            let nat_s = if rng.chance(0.05) { "" } else { nat };
            let phone_s = match &phone {
                Some(p) if rng.chance(0.7) => {
                    if rng.chance(0.5) {
                        format!("+224 {} {} {}", &p[..2], &p[2..5], &p[5..])
                    } else {
                        format!("00224{p}")
                    }
                }
                _ => String::new(),
            };
            let _ = records.write_record([id.as_str(), &g, &f, sex, &dob, nat_s, &phone_s]);
            let _ = truth.write_record([id.as_str(), &format!("p{person}")]);
        }
    }
    let s = |w: csv::Writer<Vec<u8>>| String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    (s(records), s(truth))
}

/// Pairwise precision, recall and F1 of `clusters` (record → cluster)
/// against `truth` (record → person): a pair is predicted when its two
/// records share a cluster, true when they share a person.
pub fn pairwise_scores(
    clusters: &std::collections::HashMap<String, String>,
    truth: &std::collections::HashMap<String, String>,
) -> (f64, f64, f64) {
    use std::collections::HashMap;
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut by_cluster: HashMap<&str, u64> = HashMap::new();
    let mut by_person: HashMap<&str, u64> = HashMap::new();
    let mut by_both: HashMap<(&str, &str), u64> = HashMap::new();
    for (record, person) in truth {
        let Some(cluster) = clusters.get(record) else { continue };
        *by_cluster.entry(cluster).or_default() += 1;
        *by_person.entry(person).or_default() += 1;
        *by_both.entry((cluster, person)).or_default() += 1;
    }
    let tp: u64 = by_both.values().map(|n| pairs(*n)).sum();
    let predicted: u64 = by_cluster.values().map(|n| pairs(*n)).sum();
    let actual: u64 = by_person.values().map(|n| pairs(*n)).sum();
    let precision = if predicted == 0 { 1.0 } else { tp as f64 / predicted as f64 };
    let recall = if actual == 0 { 1.0 } else { tp as f64 / actual as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    (precision, recall, f1)
}

/// A two-column CSV (with header) as a map from the first column to the second.
pub fn read_pairs(text: &str) -> Result<std::collections::HashMap<String, String>, String> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut out = std::collections::HashMap::new();
    for (n, row) in r.records().enumerate() {
        let row = row.map_err(|e| format!("line {}: {e}", n + 2))?;
        match (row.get(0), row.get(1)) {
            (Some(a), Some(b)) if !a.is_empty() => {
                out.insert(a.to_string(), b.to_string());
            }
            _ => return Err(format!("line {}: two columns expected", n + 2)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod evaluation_tests {
    use super::*;

    #[test]
    fn the_evaluation_set_is_labelled_varied_and_linkable() {
        let (records, truth) = evaluation_set(3_000, 11);
        let parsed =
            read_persons(&records, &ReadOptions { strict: true, ..Default::default() }).expect("the generator writes valid input").records;
        assert_eq!(parsed.len(), 3_000);
        let truth = read_pairs(&truth).unwrap();
        let persons: std::collections::HashSet<&String> = truth.values().collect();
        assert!(persons.len() > 1_500 && persons.len() < 2_500, "{} persons", persons.len());
        let report = passage_domain::linkage::dedupe(&parsed, &Default::default(), |_| {});
        let clusters: std::collections::HashMap<String, String> =
            parsed.iter().zip(&report.clusters).map(|(r, c)| (r.id.clone(), parsed[*c as usize].id.clone())).collect();
        let (p, r, f1) = pairwise_scores(&clusters, &truth);
        eprintln!("3,000 records: precision {p:.3} recall {r:.3} F1 {f1:.3}");
        assert!(p > 0.8 && r > 0.5, "precision {p:.3} recall {r:.3}");
        // Everything in one cluster scores a perfect recall and a poor precision: the measure can fail.
        let lumped: std::collections::HashMap<String, String> = truth.keys().map(|k| (k.clone(), "all".into())).collect();
        let (p, r, _) = pairwise_scores(&lumped, &truth);
        assert!(r == 1.0 && p < 0.01);
    }
}

/// A registered person who may be the one about to be registered, with
/// how sure the model is and why (each field's part, in log2 odds).
#[derive(Debug, Clone, serde::Serialize)]
pub struct LikelyPerson {
    pub person_id: passage_domain::ids::PersonId,
    pub display_name: String,
    pub sex: String,
    pub birth_year: Option<i32>,
    pub nationality: Option<String>,
    pub probability: f64,
    pub explanation: Vec<ScorePart>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ScorePart {
    pub field: &'static str,
    pub level: &'static str,
    pub weight: f64,
}

/// Who a person is, as the linkage model compares them.
pub(crate) fn link_record(id: &str, names: &[(String, String)], sex: &str, birth: BirthDate, nationality: &str, phone: &str) -> LinkRecord {
    let given = names.iter().map(|n| n.0.as_str()).collect::<Vec<_>>().join(" ");
    let family = names.iter().map(|n| n.1.as_str()).collect::<Vec<_>>().join(" ");
    LinkRecord::new(id, &given, &family, sex, birth, nationality, phone)
}

/// A registered person, as the linkage model compares them: all their names.
pub(crate) fn person_link_record(p: &passage_storage::records::PersonRecord) -> LinkRecord {
    let names: Vec<(String, String)> =
        p.names.iter().map(|n| (n.given.clone().unwrap_or_default(), n.family.clone().unwrap_or_default())).collect();
    link_record(
        &p.id.to_string(),
        &names,
        p.sex.as_str(),
        birth_of(p.birth_date),
        &p.nationality.map(|n| n.to_string()).unwrap_or_default(),
        p.phone.as_deref().unwrap_or(""),
    )
}

/// Each field's part of a score, as shown to the reader.
pub(crate) fn explain(score: &passage_domain::linkage::Score) -> Vec<ScorePart> {
    score.parts.iter().map(|part| ScorePart { field: part.field, level: part.level, weight: part.weight }).collect()
}

fn birth_of(b: Option<passage_domain::date::BirthDate>) -> BirthDate {
    use passage_domain::date::BirthDatePrecision as P;
    match b {
        None => BirthDate::Unknown,
        Some(b) if b.precision == P::Exact => BirthDate::parse(&b.date.to_string()).unwrap_or(BirthDate::Unknown),
        Some(b) => BirthDate::Year(b.year()),
    }
}

/// A person about to be registered, as the linkage model compares them,
/// and the name to search for those they may be; none without a name.
fn input_link_record(person: &passage_domain::person::PersonInput) -> Option<(LinkRecord, String)> {
    let names: Vec<(String, String)> = person
        .names
        .iter()
        .filter(|n| !(n.given.trim().is_empty() && n.family.trim().is_empty()))
        .map(|n| (n.given.trim().to_string(), n.family.trim().to_string()))
        .collect();
    let query = format!("{} {}", names.first()?.0, names.first()?.1);
    let today = passage_domain::date::CalendarDate::today();
    let precision = passage_domain::date::BirthDatePrecision::parse("birth_date_precision", person.birth_date_precision.trim())
        .unwrap_or(passage_domain::date::BirthDatePrecision::Exact);
    let birth = passage_domain::date::BirthDate::parse("birth_date", &person.birth_date, precision, today).ok();
    Some((link_record("new", &names, &person.sex, birth_of(birth), &person.nationality, &person.phone), query))
}

impl crate::Passage {
    /// The model that scores single pairs: the one the last batch run over
    /// the database kept (`find_duplicates`), so that likely persons, the
    /// review page and the batch weigh a field alike; the configured one
    /// before any run, or when the kept one is of an older build's shape.
    pub(crate) async fn pair_model(&self, c: &mut sqlx::AnyConnection) -> crate::ServiceResult<passage_domain::linkage::Model> {
        let kept = passage_storage::merges::latest_model(c).await?;
        let model = kept.and_then(|json| serde_json::from_str::<passage_domain::linkage::Model>(&json).ok()).filter(|m| m.fits());
        Ok(model.unwrap_or_else(passage_domain::linkage::Model::configured))
    }
}

impl crate::Passage {
    /// The persons within `scope` that a search finds by `query`, each
    /// with the linkage model's score against `new`: what the form shows
    /// before a registration, and what a saved one queues for review.
    pub(crate) async fn scored_namesakes(
        &self,
        new: &LinkRecord,
        query: &str,
        scope: &passage_storage::records::Scope,
    ) -> crate::ServiceResult<Vec<(passage_storage::records::PersonRecord, passage_domain::linkage::Score)>> {
        let mut c = self.db.reader().acquire().await?;
        let hits = passage_storage::search::search_persons(&mut c, query, &Default::default(), scope, 50).await?;
        // The batch's m and u, but the prior of a name search's hits: about
        // one in a hundred of the persons a search finds is the one.
        let model =
            passage_domain::linkage::Model { lambda: passage_domain::linkage::model::CANDIDATE_LAMBDA, ..self.pair_model(&mut c).await? };
        let mut out = Vec::new();
        for h in hits.hits {
            let Some(p) = passage_storage::registry::get_person(&mut c, &self.keys, h.person_id).await? else { continue };
            let known = person_link_record(&p);
            let score = model.score(&passage_domain::linkage::compare(new, &known), new, &known, None);
            out.push((p, score));
        }
        Ok(out)
    }

    /// The persons already registered who may be this one, most likely
    /// first: found by name through the reader's own search (so only persons
    /// they may see), then scored by the linkage model with every field's
    /// part. Shown before a registration is saved.
    pub async fn likely_persons(
        &self,
        actor: &crate::Actor,
        person: &passage_domain::person::PersonInput,
        limit: usize,
    ) -> crate::ServiceResult<Vec<LikelyPerson>> {
        crate::access::require(actor, crate::access::Action::ReadCases)?;
        // What the form would refuse is refused here too, not scored as if unknown.
        let mut inv = passage_domain::Invalid::default();
        if !person.sex.trim().is_empty() {
            inv.take(passage_domain::person::Sex::parse("sex", person.sex.trim()));
        }
        if !person.nationality.trim().is_empty() {
            inv.take(passage_domain::codes::CountryCode::parse("nationality", person.nationality.trim()));
        }
        if !person.birth_date_precision.trim().is_empty() {
            inv.take(passage_domain::date::BirthDatePrecision::parse("birth_date_precision", person.birth_date_precision.trim()));
        }
        for (i, d) in person.documents.iter().enumerate().filter(|(_, d)| !d.kind.trim().is_empty()) {
            inv.take(passage_domain::person::DocumentKind::parse(&format!("documents[{i}].kind"), d.kind.trim()));
        }
        for (i, d) in person.documents.iter().enumerate().filter(|(_, d)| !d.expires_on.trim().is_empty()) {
            inv.take(passage_domain::date::CalendarDate::parse(&format!("documents[{i}].expires_on"), d.expires_on.trim()));
        }
        for (i, d) in person.documents.iter().enumerate().filter(|(_, d)| !d.issuing_country.trim().is_empty()) {
            inv.take(passage_domain::codes::CountryCode::parse(&format!("documents[{i}].issuing_country"), d.issuing_country.trim()));
        }
        inv.into_result()?;
        let Some((new, query)) = input_link_record(person) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for (p, score) in self.scored_namesakes(&new, &query, &crate::access::scope(actor)).await? {
            let probability = score.probability();
            if probability < 0.2 {
                continue;
            }
            out.push(LikelyPerson {
                person_id: p.id,
                display_name: p.display_name.clone(),
                sex: p.sex.as_str().to_string(),
                birth_year: p.birth_date.map(|b| b.year()),
                nationality: p.nationality.map(|n| n.to_string()),
                probability,
                explanation: explain(&score),
            });
        }
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out.truncate(limit.clamp(1, 20));
        Ok(out)
    }

    /// A registration saved although the form showed persons it may be:
    /// each person, of any office, at the batch linkage's threshold goes to
    /// the review queue with the new one, so that a data officer decides
    /// instead of the pair waiting for the next batch run. Who registered
    /// learns nothing of persons beyond their own scope: the queue shows a
    /// pair only to a reviewer who may see both. Returns the pairs added.
    pub(crate) async fn queue_likely_duplicates(
        &self,
        actor: &crate::Actor,
        person: passage_domain::ids::PersonId,
        input: &passage_domain::person::PersonInput,
    ) -> crate::ServiceResult<usize> {
        use passage_domain::policy::Offices;
        let Some((new, query)) = input_link_record(input) else { return Ok(0) };
        // Every office: finding duplicates is the system's task, as in the batch run.
        let everywhere = passage_storage::records::Scope { user: actor.id, cases: Offices::All, restricted: Offices::All };
        let threshold = passage_domain::linkage::DedupeOptions::default().threshold;
        let pairs: Vec<_> = self
            .scored_namesakes(&new, &query, &everywhere)
            .await?
            .into_iter()
            .filter_map(|(p, score)| {
                let probability = score.probability();
                (p.id != person && probability >= threshold).then(|| (person, p.id, (probability * 1000.0).round() as i64))
            })
            .collect();
        if pairs.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let added = passage_storage::merges::add_pairs(&mut tx, &pairs, passage_domain::date::Timestamp::now()).await?;
        tx.commit().await?;
        Ok(added)
    }
}
