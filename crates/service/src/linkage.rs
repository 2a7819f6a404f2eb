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
        let parsed = read_persons(&records).expect("the generator writes valid input");
        assert_eq!(parsed.len(), 3_000);
        let truth = read_pairs(&truth).unwrap();
        let persons: std::collections::HashSet<&String> = truth.values().collect();
        assert!(persons.len() > 1_500 && persons.len() < 2_500, "{} persons", persons.len());
        let report = passage_domain::linkage::dedupe(&parsed, &passage_domain::linkage::Model::default(), &Default::default(), |_| {});
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
    score.parts.iter().map(|part| ScorePart { field: part.field.as_str(), level: part.level, weight: part.weight }).collect()
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
        let model = passage_domain::linkage::Model::default();
        let mut out = Vec::new();
        for h in hits.hits {
            let Some(p) = passage_storage::registry::get_person(&mut c, &self.keys, h.person_id).await? else { continue };
            let score = model.score(&passage_domain::linkage::compare(new, &person_link_record(&p)), new, None);
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
