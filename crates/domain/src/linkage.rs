//! Record linkage: is this record the same person as that one? A
//! Fellegi–Sunter model: each field of a pair of records is compared into a
//! level (exact, a known variant spelling, partial, different, missing…),
//! each level weighs `log2(m / u)` — how much likelier that level is among
//! true matches (m) than among non-matches (u) — and a pair's score is the
//! sum, with every part kept so a reviewer sees why. Very common names are
//! down-weighted (term-frequency adjustment: agreeing on "Mamadou Diallo"
//! says less than agreeing on a rare name), and the m and u probabilities
//! can be estimated from the data by expectation–maximisation.
//!
//! Names are compared as sets of word keys (`names::word_key`: known
//! variant spellings share a key, the rest a phonetic key), so word order,
//! a missing middle name, Diallo/Jallow and Arabic script all meet. Dates of
//! birth are compared as field practice records them: exact, year only,
//! estimated as 1 January, day and month swapped, off by a year.

use crate::names;
use std::collections::{BTreeSet, HashMap};

code_enum!(
    /// A reviewer's decision on a pair of records the linkage found likely
    /// to be one person.
    PairDecision {
        /// Waiting for a reviewer.
        Open => "open",
        /// One person: the two were merged.
        Same => "same",
        /// Two persons: the pair is never proposed again.
        Different => "different",
        /// Looked at, not decided: the pair stays in the queue.
        Unsure => "unsure",
    }
);

impl PairDecision {
    /// Whether the pair still waits for a decision (and so may be decided).
    pub fn waiting(self) -> bool {
        matches!(self, PairDecision::Open | PairDecision::Unsure)
    }

    /// A reviewer's decision as typed: anything but "open", which nobody decides.
    pub fn parse_decision(s: &str) -> Result<PairDecision, crate::error::FieldError> {
        match PairDecision::parse("decision", s)? {
            PairDecision::Open => Err(crate::error::FieldError::new("decision", "err-unknown-choice").with("value", "open")),
            d => Ok(d),
        }
    }
}

/// A date of birth as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDate {
    Exact {
        year: i32,
        month: u8,
        day: u8,
    },
    /// Only the year is known (or the day and month are the 1 January placeholder).
    Year(i32),
    Unknown,
}

impl BirthDate {
    /// `YYYY-MM-DD`, `YYYY`, or empty. A 1 January date is treated as an
    /// estimate: registrations write it when only the year is known.
    pub fn parse(s: &str) -> Option<BirthDate> {
        let s = s.trim();
        if s.is_empty() {
            return Some(BirthDate::Unknown);
        }
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| (p.len() == len && p.chars().all(|c| c.is_ascii_digit())).then(|| p.parse::<i32>().ok()).flatten();
        match parts.as_slice() {
            [y] => num(y, 4).map(BirthDate::Year),
            [y, m, d] => {
                let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
                if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                    return None;
                }
                Some(if (m, d) == (1, 1) { BirthDate::Year(y) } else { BirthDate::Exact { year: y, month: m as u8, day: d as u8 } })
            }
            _ => None,
        }
    }

    pub fn year(&self) -> Option<i32> {
        match *self {
            BirthDate::Exact { year, .. } | BirthDate::Year(year) => Some(year),
            BirthDate::Unknown => None,
        }
    }
}

/// A person's record reduced to what linkage compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub id: String,
    /// Folded words of all names, given and family, sorted: comparing two
    /// records' words is then an equality, whatever the order written.
    pub words: Vec<String>,
    /// The word keys of those words (variant group or phonetic).
    pub keys: BTreeSet<String>,
    /// The family name's keys.
    pub family_keys: BTreeSet<String>,
    pub sex: Option<char>,
    pub birth: BirthDate,
    pub nationality: Option<String>,
    /// The last eight digits: country prefixes are written many ways.
    pub phone: Option<String>,
}

impl LinkRecord {
    pub fn new(id: &str, given: &str, family: &str, sex: &str, birth: BirthDate, nationality: &str, phone: &str) -> LinkRecord {
        let family_words = names::fold_words(family);
        let mut words = names::fold_words(given);
        words.extend(family_words.iter().cloned());
        let keys = words.iter().map(|w| names::word_key(w)).collect();
        words.sort();
        let family_keys = family_words.iter().map(|w| names::word_key(w)).collect();
        let sex = match sex.trim().to_ascii_uppercase().as_str() {
            "M" | "MALE" => Some('M'),
            "F" | "FEMALE" => Some('F'),
            _ => None,
        };
        let nat = nationality.trim().to_ascii_uppercase();
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        LinkRecord {
            id: id.to_string(),
            words,
            keys,
            family_keys,
            sex,
            birth,
            nationality: (!nat.is_empty()).then_some(nat),
            phone: (digits.len() >= 8).then(|| digits[digits.len() - 8..].to_string()),
        }
    }

    /// The name's signature for term frequencies: its keys, sorted.
    pub fn name_signature(&self) -> String {
        self.keys.iter().cloned().collect::<Vec<_>>().join(" ")
    }
}

/// The fields compared, in the order of a comparison vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    BirthDate,
    Sex,
    Nationality,
    Phone,
}

pub const FIELDS: [Field; 5] = [Field::Name, Field::BirthDate, Field::Sex, Field::Nationality, Field::Phone];

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::Phone => "phone",
        }
    }

    /// The names of the field's levels, from the strongest agreement down;
    /// the last is "missing" (one side unknown: no evidence either way).
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["exact", "variant", "subset", "shared_word", "different", "missing"],
            Field::BirthDate => &["exact", "day_month_swapped", "same_year", "year_off_by_one", "different", "missing"],
            Field::Sex | Field::Nationality | Field::Phone => &["same", "different", "missing"],
        }
    }

    fn missing(self) -> u8 {
        (self.levels().len() - 1) as u8
    }
}

/// A pair's level per field, in `FIELDS` order.
pub type Comparison = [u8; 5];

/// Compare two records field by field.
pub fn compare(a: &LinkRecord, b: &LinkRecord) -> Comparison {
    [
        compare_names(a, b),
        compare_births(a.birth, b.birth),
        same(&a.sex, &b.sex, Field::Sex),
        same(&a.nationality, &b.nationality, Field::Nationality),
        same(&a.phone, &b.phone, Field::Phone),
    ]
}

fn same<T: PartialEq>(a: &Option<T>, b: &Option<T>, f: Field) -> u8 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 0,
        (Some(_), Some(_)) => 1,
        _ => f.missing(),
    }
}

fn compare_names(a: &LinkRecord, b: &LinkRecord) -> u8 {
    if a.words.is_empty() || b.words.is_empty() {
        return Field::Name.missing();
    }
    if a.words == b.words {
        return 0;
    }
    if a.keys == b.keys {
        return 1;
    }
    let common = a.keys.intersection(&b.keys).count();
    let smaller = a.keys.len().min(b.keys.len());
    // One name is the other with a middle name more or less, family names agreeing.
    if common == smaller && common >= 2 && !a.family_keys.is_disjoint(&b.keys) {
        return 2;
    }
    if common >= 1 {
        return 3;
    }
    4
}

fn compare_births(a: BirthDate, b: BirthDate) -> u8 {
    use BirthDate::*;
    match (a, b) {
        (Unknown, _) | (_, Unknown) => Field::BirthDate.missing(),
        (Exact { year: y1, month: m1, day: d1 }, Exact { year: y2, month: m2, day: d2 }) => {
            if (y1, m1, d1) == (y2, m2, d2) {
                0
            } else if y1 == y2 && m1 == d2 && d1 == m2 {
                1
            } else if y1 == y2 {
                2
            } else if (y1 - y2).abs() == 1 {
                3
            } else {
                4
            }
        }
        _ => {
            let (y1, y2) = (a.year().unwrap_or(0), b.year().unwrap_or(0));
            if y1 == y2 {
                2
            } else if (y1 - y2).abs() == 1 {
                3
            } else {
                4
            }
        }
    }
}

/// The model's probabilities: per field and level, among matches (m) and
/// non-matches (u); and the share of matches among the compared pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub m: [Vec<f64>; 5],
    pub u: [Vec<f64>; 5],
    pub match_share: f64,
}

/// The file size the configured model's share of matches was set for (the
/// evaluation set of BENCHMARKS.md run 6).
pub const TUNED_AT_RECORDS: f64 = 100_000.0;

impl Default for Model {
    /// Starting values from field practice: registrations of the same person
    /// mostly agree on names and year of birth, rarely on phone numbers;
    /// different persons in a block often share a common name word.
    fn default() -> Model {
        Model {
            m: [
                vec![0.45, 0.25, 0.12, 0.12, 0.05, 0.01],
                vec![0.45, 0.05, 0.25, 0.15, 0.09, 0.01],
                vec![0.97, 0.02, 0.01],
                vec![0.93, 0.05, 0.02],
                vec![0.35, 0.05, 0.60],
            ],
            u: [
                vec![0.002, 0.004, 0.004, 0.25, 0.739, 0.001],
                vec![0.0005, 0.0005, 0.02, 0.04, 0.938, 0.001],
                vec![0.5, 0.49, 0.01],
                vec![0.35, 0.63, 0.02],
                vec![0.0001, 0.3999, 0.6],
            ],
            match_share: 0.01,
        }
    }
}

/// One field's part in a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub field: Field,
    pub level: &'static str,
    /// log2(m/u): positive for evidence of the same person.
    pub weight: f64,
}

/// A pair's score: the prior's log-odds plus each field's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub total: f64,
    pub prior: f64,
    pub parts: Vec<Part>,
}

impl Score {
    /// The probability the pair is one person.
    pub fn probability(&self) -> f64 {
        let odds = 2f64.powf(self.total);
        odds / (1.0 + odds)
    }
}

/// How common each name is, for the term-frequency adjustment.
#[derive(Debug, Clone, Default)]
pub struct NameFrequencies {
    counts: HashMap<String, u32>,
    total: u32,
}

impl NameFrequencies {
    pub fn of(records: &[LinkRecord]) -> NameFrequencies {
        let mut counts = HashMap::new();
        for r in records {
            *counts.entry(r.name_signature()).or_insert(0) += 1;
        }
        NameFrequencies { counts, total: records.len() as u32 }
    }

    /// The share of records carrying this name.
    pub fn share(&self, r: &LinkRecord) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        f64::from(*self.counts.get(&r.name_signature()).unwrap_or(&1)) / f64::from(self.total)
    }
}

impl Model {
    /// Score a compared pair. With frequencies, agreeing on the whole name
    /// weighs by how rare that name is: its u is the chance two different
    /// persons share it, at least the model's own u.
    pub fn score(&self, c: &Comparison, a: &LinkRecord, freq: Option<&NameFrequencies>) -> Score {
        let prior = self.prior();
        let share = freq.map(|f| f.share(a));
        let mut parts = Vec::with_capacity(5);
        let mut total = prior;
        for (i, f) in FIELDS.iter().enumerate() {
            let level = c[i] as usize;
            let weight = self.weight(i, level, share);
            total += weight;
            parts.push(Part { field: *f, level: f.levels()[level], weight });
        }
        Score { total, prior, parts }
    }

    /// The configured model for a file of `n` records. Its share of
    /// matches was set for files of `TUNED_AT_RECORDS`. With term
    /// frequencies, a name's weight depends on its share of the file, which
    /// does not change as a file grows. But the chance that two records are
    /// one person falls as 1/n: a person is registered about as often in any
    /// file, while the pairs grow as n². Keeping the share fixed made the model
    /// overconfident on large files (F1 0.588 at a million records). Smaller
    /// files keep the configured share, because small samples say little
    /// about it.
    pub fn for_records(&self, n: usize) -> Model {
        let mut m = self.clone();
        m.match_share *= (TUNED_AT_RECORDS / n.max(1) as f64).min(1.0);
        m
    }

    fn prior(&self) -> f64 {
        (self.match_share / (1.0 - self.match_share)).log2()
    }

    /// log2(m/u) of field `i` at `level`; agreeing on the whole name
    /// weighs by the name's `share` of records when one is given.
    fn weight(&self, i: usize, level: usize, share: Option<f64>) -> f64 {
        let m = self.m[i][level].max(1e-9);
        let mut u = self.u[i][level].max(1e-9);
        if FIELDS[i] == Field::Name && level <= 1 {
            if let Some(share) = share {
                u = u.max(share);
            }
        }
        (m / u).log2()
    }

    /// Estimate m, u and the share of matches from the comparison vectors
    /// of the candidate pairs, by expectation–maximisation (Fellegi–Sunter
    /// with conditional independence). Starts from `self`; stops after
    /// `rounds` or when the share moves by less than 1e-6.
    pub fn estimate(&self, pairs: &[Comparison], rounds: usize) -> Model {
        let mut model = self.clone();
        if pairs.is_empty() {
            return model;
        }
        // Count identical vectors once: blocks repeat the same patterns.
        let mut patterns: HashMap<Comparison, f64> = HashMap::new();
        for p in pairs {
            *patterns.entry(*p).or_insert(0.0) += 1.0;
        }
        let n = pairs.len() as f64;
        for _ in 0..rounds {
            let mut m_acc: [Vec<f64>; 5] = FIELDS.map(|f| vec![0.0; f.levels().len()]);
            let mut u_acc: [Vec<f64>; 5] = FIELDS.map(|f| vec![0.0; f.levels().len()]);
            let (mut matches, mut others) = (0.0, 0.0);
            for (p, count) in &patterns {
                let (mut pm, mut pu) = (model.match_share, 1.0 - model.match_share);
                for (i, level) in p.iter().enumerate() {
                    pm *= model.m[i][*level as usize].max(1e-12);
                    pu *= model.u[i][*level as usize].max(1e-12);
                }
                let g = pm / (pm + pu);
                matches += g * count;
                others += (1.0 - g) * count;
                for (i, level) in p.iter().enumerate() {
                    m_acc[i][*level as usize] += g * count;
                    u_acc[i][*level as usize] += (1.0 - g) * count;
                }
            }
            let share = (matches / n).clamp(1e-6, 0.5);
            for i in 0..5 {
                // A little smoothing keeps unseen levels possible.
                let k = m_acc[i].len() as f64;
                model.m[i] = m_acc[i].iter().map(|x| (x + 0.01) / (matches + 0.01 * k)).collect();
                model.u[i] = u_acc[i].iter().map(|x| (x + 0.01) / (others + 0.01 * k)).collect();
            }
            let moved = (share - model.match_share).abs();
            model.match_share = share;
            if moved < 1e-6 {
                break;
            }
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_of_matches_falls_with_the_size_of_a_large_file_only() {
        let m = Model::default();
        assert_eq!(m.for_records(1_000).match_share, m.match_share);
        assert_eq!(m.for_records(100_000).match_share, m.match_share);
        assert!((m.for_records(1_000_000).match_share - m.match_share / 10.0).abs() < 1e-12);
        assert_eq!(m.for_records(0).match_share, m.match_share);
    }

    #[test]
    fn a_reviewer_decides_same_different_or_unsure_and_only_a_waiting_pair() {
        assert_eq!(PairDecision::parse_decision("same"), Ok(PairDecision::Same));
        assert!(PairDecision::parse_decision("open").is_err(), "nobody decides 'open'");
        assert!(PairDecision::parse_decision("maybe").is_err());
        let waiting: Vec<_> = PairDecision::ALL.iter().filter(|d| d.waiting()).collect();
        assert_eq!(waiting, [&PairDecision::Open, &PairDecision::Unsure]);
    }

    fn rec(id: &str, given: &str, family: &str, sex: &str, birth: &str) -> LinkRecord {
        LinkRecord::new(id, given, family, sex, BirthDate::parse(birth).unwrap(), "GIN", "")
    }

    #[test]
    fn dates_of_birth_as_they_are_recorded() {
        assert_eq!(BirthDate::parse("1998"), Some(BirthDate::Year(1998)));
        assert_eq!(BirthDate::parse("1998-01-01"), Some(BirthDate::Year(1998)), "1 January is an estimate");
        assert_eq!(BirthDate::parse("1998-03-04"), Some(BirthDate::Exact { year: 1998, month: 3, day: 4 }));
        assert_eq!(BirthDate::parse(""), Some(BirthDate::Unknown));
        assert_eq!(BirthDate::parse("98"), None);
        assert_eq!(BirthDate::parse("1998-13-04"), None);
        assert_eq!(compare_births(BirthDate::parse("1998-03-04").unwrap(), BirthDate::parse("1998-04-03").unwrap()), 1);
        assert_eq!(compare_births(BirthDate::parse("1998").unwrap(), BirthDate::parse("1998-04-03").unwrap()), 2);
        assert_eq!(compare_births(BirthDate::parse("1997").unwrap(), BirthDate::parse("1998-04-03").unwrap()), 3);
        assert_eq!(compare_births(BirthDate::parse("1990").unwrap(), BirthDate::parse("1998").unwrap()), 4);
    }

    #[test]
    fn the_issues_three_registrations_of_one_man_meet() {
        let agadez = rec("a", "Mamadou", "Diallo", "M", "1998");
        let tripoli = rec("t", "Mamadu", "Jallow", "M", "1998-01-01");
        let conakry = rec("c", "DIALLO", "Mohamadou", "", "");
        // Variant spellings, swapped order.
        assert_eq!(Field::Name.levels()[compare(&agadez, &tripoli)[0] as usize], "variant");
        assert_eq!(Field::Name.levels()[compare(&agadez, &conakry)[0] as usize], "variant");
        let m = Model::default();
        let s = m.score(&compare(&agadez, &tripoli), &agadez, None);
        assert!(s.probability() > 0.5, "{s:?}");
        // Every part is explained.
        assert_eq!(s.parts.len(), 5);
        assert_eq!(s.parts[1].level, "same_year");
        let other = rec("o", "Aminata", "Traore", "F", "1975-06-12");
        assert!(m.score(&compare(&agadez, &other), &agadez, None).probability() < 0.01);
    }

    #[test]
    fn a_middle_name_more_or_less_is_a_subset() {
        let a = rec("a", "Mamadou Saliou", "Diallo", "M", "1990");
        let b = rec("b", "Mamadou", "Diallo", "M", "1990");
        assert_eq!(Field::Name.levels()[compare(&a, &b)[0] as usize], "subset");
    }

    #[test]
    fn a_common_name_says_less_than_a_rare_one() {
        let mut records: Vec<LinkRecord> = (0..200).map(|i| rec(&i.to_string(), "Mamadou", "Diallo", "M", "")).collect();
        records.push(rec("r", "Tidiane", "Sakho", "M", ""));
        records.push(rec("r2", "Tidiane", "Sakho", "M", ""));
        let freq = NameFrequencies::of(&records);
        let m = Model::default();
        let common = m.score(&compare(&records[0], &records[1]), &records[0], Some(&freq));
        let rare = m.score(&compare(&records[200], &records[201]), &records[200], Some(&freq));
        assert!(rare.parts[0].weight > common.parts[0].weight + 3.0, "rare {rare:?} common {common:?}");
    }

    #[test]
    fn expectation_maximisation_recovers_the_match_share() {
        // 10 % matches agreeing on most fields, 90 % non-matches mostly disagreeing.
        let mut pairs = Vec::new();
        for i in 0..1000u32 {
            if i % 10 == 0 {
                pairs.push([0, if i % 20 == 0 { 0 } else { 2 }, 0, 0, 2]);
            } else {
                pairs.push([if i % 7 == 0 { 3 } else { 4 }, 4, (i % 2) as u8, if i % 3 == 0 { 0 } else { 1 }, 2]);
            }
        }
        let fitted = Model::default().estimate(&pairs, 50);
        assert!((fitted.match_share - 0.1).abs() < 0.02, "{}", fitted.match_share);
        assert!(fitted.m[0][0] > 0.9 && fitted.u[0][0] < 0.01, "{:?} {:?}", fitted.m[0], fitted.u[0]);
    }
}

/// How a batch is deduplicated.
#[derive(Debug, Clone)]
pub struct DedupeOptions {
    /// Pairs at or above this probability of being one person are linked.
    pub threshold: f64,
    /// Blocks larger than this are skipped (the commonest names in one year
    /// would otherwise cost millions of comparisons); the count is reported.
    /// 500: at a million records it skips 100 blocks, cuts the compared pairs
    /// from 650 M to 217 M and the run from 142 s to 53 s, for 0.004 of F1
    /// (BENCHMARKS.md run 7).
    pub max_block: usize,
    /// Estimate the model from the candidate pairs first (EM).
    pub estimate: bool,
}

impl Default for DedupeOptions {
    fn default() -> Self {
        // The configured model does better than EM on the evaluation sets so
        // far (BENCHMARKS.md run 6): estimation is asked for, not assumed.
        DedupeOptions { threshold: 0.9, max_block: 500, estimate: false }
    }
}

/// Below this many candidate pairs, the model is not estimated from the data.
pub const MIN_PAIRS_TO_ESTIMATE: usize = 1_000;

/// What a batch deduplication did.
#[derive(Debug, Clone, Default)]
pub struct DedupeReport {
    /// The cluster of each input record (records of one person share it).
    pub clusters: Vec<u32>,
    pub candidate_pairs: u64,
    pub linked_pairs: u64,
    /// Links above the threshold refused because they would join records a
    /// cluster already tells apart.
    pub refused_links: u64,
    pub skipped_blocks: u64,
}

/// What a cluster's records say about the person, to refuse a link that
/// would join two different persons: a cluster of one man and one woman,
/// or of births more than two years apart, or of two exact dates of birth
/// that differ in more than one of year, month and day (and are not the
/// day and month swapped) is two persons, however alike the names.
#[derive(Debug, Clone, Default)]
struct ClusterFacts {
    sexes: u8,
    years: Option<(i32, i32)>,
    dates: Vec<(i32, u8, u8)>,
}

impl ClusterFacts {
    fn of(r: &LinkRecord) -> ClusterFacts {
        let sexes = match r.sex {
            Some('M') => 1,
            Some('F') => 2,
            _ => 0,
        };
        let dates = match r.birth {
            BirthDate::Exact { year, month, day } => vec![(year, month, day)],
            _ => Vec::new(),
        };
        ClusterFacts { sexes, years: r.birth.year().map(|y| (y, y)), dates }
    }

    fn conflicts(&self, other: &ClusterFacts) -> bool {
        if self.sexes | other.sexes == 3 {
            return true;
        }
        if let (Some((a0, a1)), Some((b0, b1))) = (self.years, other.years) {
            if a1.max(b1) - a0.min(b0) > 2 {
                return true;
            }
        }
        self.dates.iter().any(|a| {
            other.dates.iter().any(|b| {
                let differing = usize::from(a.0 != b.0) + usize::from(a.1 != b.1) + usize::from(a.2 != b.2);
                let swapped = a.0 == b.0 && a.1 == b.2 && a.2 == b.1;
                differing > 1 && !swapped
            })
        })
    }

    fn absorb(&mut self, other: ClusterFacts) {
        self.sexes |= other.sexes;
        self.years = match (self.years, other.years) {
            (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
            (a, b) => a.or(b),
        };
        self.dates.extend(other.dates);
    }
}

/// The blocks a record goes into. Pairs of name keys (in either order) with
/// the year of birth and the year before (so years off by one meet), the
/// same pairs with an unknown year, and the phone number.
fn block_keys(r: &LinkRecord) -> Vec<String> {
    let keys: Vec<&String> = r.keys.iter().collect();
    let mut pairs = Vec::new();
    for i in 0..keys.len() {
        for j in i + 1..keys.len() {
            pairs.push(format!("{}+{}", keys[i], keys[j]));
        }
    }
    if keys.len() == 1 {
        pairs.push(keys[0].clone());
    }
    let mut out = Vec::with_capacity(pairs.len() * 2 + 1);
    for p in &pairs {
        match r.birth.year() {
            Some(y) => {
                out.push(format!("{p}|{y}"));
                out.push(format!("{p}|{}", y - 1));
            }
            None => out.push(format!("{p}|?")),
        }
    }
    if let Some(phone) = &r.phone {
        out.push(format!("tel|{phone}"));
    }
    out
}

/// Below even odds a pair is neither a rival (a rival is at least as
/// likely as a link, and links are at the threshold, at least 0.5) nor
/// evidence that two candidates are one person.
const RIVAL_FLOOR: f64 = 0.5;

/// A record is one person. When it is as like two persons as each other (a
/// record without a date of birth, and three namesakes born in different
/// years), the evidence for each is shared among them: the odds of a link
/// are divided by one plus the odds of its rivals, on both sides of the
/// pair. A link that is one guess among several then falls below the
/// threshold, instead of the first namesake taking the record and its whole
/// cluster becoming false pairs.
///
/// A rival of the link from `a` to `b` is another candidate of `a`, at
/// least as likely as `b`, that is not likely `b`'s own person: a cluster
/// would tell them apart, or the two are not linked at even odds. Weaker
/// candidates are not counted, so a strong link (a shared phone, a full
/// date) is not weakened by the namesakes it already beats. At 100,000
/// records this took F1 from 0.864 to 0.879 (BENCHMARKS.md run 14).
fn share_among_rivals(n: usize, links: Vec<(f64, u32, u32)>, facts: &[ClusterFacts], cut: f64) -> Vec<(f64, u32, u32)> {
    let mut near: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for &(score, i, j) in &links {
        let odds = score.exp2();
        near[i as usize].push((j, odds));
        near[j as usize].push((i, odds));
    }
    let linked = |x: u32, y: u32| near[x as usize].iter().any(|(z, odds)| *z == y && *odds >= 1.0);
    let rivals = |a: u32, b: u32, own: f64| -> f64 {
        near[a as usize]
            .iter()
            .filter(|(k, odds)| {
                *k != b
                    && *odds >= own
                    && (facts[*k as usize].conflicts(&facts[b as usize]) || (facts[b as usize].years.is_none() && !linked(b, *k)))
            })
            .map(|(_, odds)| odds)
            .sum()
    };
    links
        .iter()
        .filter(|l| l.0 >= cut)
        .filter_map(|&(score, i, j)| {
            let own = score.exp2();
            let shared = score - (1.0 + rivals(i, j, own) + rivals(j, i, own)).log2();
            (shared >= cut).then_some((shared, i, j))
        })
        .collect()
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// The blocks of records to compare with each other (of two records or
/// more; blocks larger than `max_block` are kept, for the caller to skip
/// and count).
fn candidate_blocks(records: &[LinkRecord], max_block: usize) -> Vec<Vec<u32>> {
    let mut blocks: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for k in block_keys(r) {
            blocks.entry(k).or_default().push(i as u32);
        }
    }
    // A record with an unknown year is also compared with the same names'
    // dated records, where that block is small.
    // The dated blocks of each name pair, found once (looking them up by
    // scanning every block for every undated one grew with the square of
    // the number of blocks).
    let mut dated_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for k in blocks.keys() {
        if let Some((names, year)) = k.rsplit_once('|') {
            if year != "?" && !k.starts_with("tel|") {
                dated_of.entry(names).or_default().push(k.as_str());
            }
        }
    }
    let mut additions: Vec<(String, Vec<u32>)> = Vec::new();
    for (k, v) in &blocks {
        let Some(names) = k.strip_suffix("|?") else { continue };
        let dated: Vec<u32> = dated_of.get(names).into_iter().flatten().flat_map(|b| blocks[*b].iter().copied()).collect();
        if !dated.is_empty() && v.len() + dated.len() <= max_block {
            additions.push((k.clone(), dated));
        }
    }
    drop(dated_of);
    for (k, dated) in additions {
        if let Some(v) = blocks.get_mut(&k) {
            v.extend(dated);
        }
    }
    blocks.into_values().filter(|b| b.len() > 1).collect()
}

/// Cluster `records` into persons: block, compare the pairs of each block,
/// (optionally) estimate the model from them, link the pairs scoring at or
/// above the threshold, and take connected components. `progress` is called
/// with the share of blocks done.
pub fn dedupe(records: &[LinkRecord], model: &Model, options: &DedupeOptions, mut progress: impl FnMut(f64)) -> DedupeReport {
    let blocks = candidate_blocks(records, options.max_block);
    let mut report = DedupeReport::default();
    let freq = NameFrequencies::of(records);
    let model = if options.estimate {
        // A sample of candidate pairs is enough to fit eleven dozen numbers.
        let mut sample = Vec::new();
        'outer: for b in &blocks {
            if b.len() > options.max_block {
                continue;
            }
            for (x, &i) in b.iter().enumerate() {
                for &j in &b[x + 1..] {
                    sample.push(compare(&records[i as usize], &records[j as usize]));
                    if sample.len() >= 500_000 {
                        break 'outer;
                    }
                }
            }
        }
        // Too few pairs say nothing reliable about eleven dozen probabilities:
        // keep the configured model then.
        if sample.len() >= MIN_PAIRS_TO_ESTIMATE {
            model.estimate(&sample, 30)
        } else {
            model.clone()
        }
    } else {
        model.for_records(records.len())
    };
    let odds = |p: f64| (p / (1.0 - p)).log2();
    let cut = odds(options.threshold.clamp(1e-9, 1.0 - 1e-9));
    // The same sum as `Model::score`, without building its explanation:
    // the weights of every field and level computed once, each record's
    // name share looked up once (millions of pairs are scored).
    let shares: Vec<f64> = records.iter().map(|r| freq.share(r)).collect();
    let prior = model.prior();
    let table: Vec<Vec<f64>> =
        FIELDS.iter().enumerate().map(|(i, f)| (0..f.levels().len()).map(|l| model.weight(i, l, None)).collect()).collect();
    let total = |c: &Comparison, a: usize| -> f64 {
        let name = if c[0] <= 1 { model.weight(0, c[0] as usize, Some(shares[a])) } else { table[0][c[0] as usize] };
        prior + name + (1..5).map(|i| table[i][c[i] as usize]).sum::<f64>()
    };
    // Score every candidate pair; keep those that could be a link or a
    // rival to one (see below).
    let floor = cut.min(odds(RIVAL_FLOOR));
    let mut links: Vec<(f64, u32, u32)> = Vec::new();
    for (n, b) in blocks.iter().enumerate() {
        if b.len() > options.max_block {
            report.skipped_blocks += 1;
            continue;
        }
        for (x, &i) in b.iter().enumerate() {
            for &j in &b[x + 1..] {
                if i == j {
                    continue;
                }
                report.candidate_pairs += 1;
                let score = total(&compare(&records[i as usize], &records[j as usize]), i as usize);
                if score >= floor {
                    links.push((score, i.min(j), i.max(j)));
                }
            }
        }
        if n % 1024 == 0 {
            progress(0.9 * n as f64 / blocks.len() as f64);
        }
    }
    links.sort_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)).then(b.0.total_cmp(&a.0)));
    links.dedup_by(|a, b| (a.1, a.2) == (b.1, b.2));
    let own: Vec<ClusterFacts> = records.iter().map(ClusterFacts::of).collect();
    let links = share_among_rivals(records.len(), links, &own, cut);
    report.clusters = cluster(links, own, &mut report);
    progress(1.0);
    report
}

/// Strongest links first, and never one that would put two persons a
/// cluster already tells apart into one (the chaining of namesakes through
/// a common name): see `ClusterFacts::conflicts`. Returns each record's
/// cluster.
fn cluster(mut links: Vec<(f64, u32, u32)>, mut facts: Vec<ClusterFacts>, report: &mut DedupeReport) -> Vec<u32> {
    links.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut parent: Vec<u32> = (0..facts.len() as u32).collect();
    for (_, i, j) in links {
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri == rj {
            continue;
        }
        if facts[ri as usize].conflicts(&facts[rj as usize]) {
            report.refused_links += 1;
            continue;
        }
        report.linked_pairs += 1;
        let (keep, gone) = (ri.min(rj), ri.max(rj));
        parent[gone as usize] = keep;
        let moved = std::mem::take(&mut facts[gone as usize]);
        facts[keep as usize].absorb(moved);
    }
    (0..facts.len() as u32).map(|i| find(&mut parent, i)).collect()
}

#[cfg(test)]
mod dedupe_tests {
    use super::*;

    #[test]
    fn a_year_only_record_does_not_chain_two_namesakes_with_different_birthdays() {
        let r = |id: &str, b: &str| LinkRecord::new(id, "Mamadou", "Diallo", "M", BirthDate::parse(b).unwrap(), "GIN", "");
        let mut records = vec![r("a", "1998-03-04"), r("b", "1998"), r("c", "1998-11-20")];
        // Others, so that the name is common but not everyone's.
        records.extend((0..50).map(|i| LinkRecord::new(&format!("o{i}"), &format!("Given{i}"), "Sow", "F", BirthDate::Unknown, "SEN", "")));
        let rep = dedupe(&records, &Model::default(), &DedupeOptions { threshold: 0.5, ..Default::default() }, |_| {});
        assert_ne!(rep.clusters[0], rep.clusters[2], "two birthdays are two persons");
        assert!(rep.refused_links >= 1);
    }

    #[test]
    fn one_man_three_spellings_one_cluster_and_namesakes_apart() {
        let r =
            |id: &str, g: &str, f: &str, s: &str, b: &str, p: &str| LinkRecord::new(id, g, f, s, BirthDate::parse(b).unwrap(), "GIN", p);
        let records = vec![
            r("1", "Mamadou", "Diallo", "M", "1998-03-14", "+224 620 11 22 33"),
            r("2", "Mamadu", "Jallow", "M", "1998", "00224620112233"),
            r("3", "Mohamadou", "DIALLO", "M", "1998-03-14", ""),
            // Namesakes: same name, other years, other phones.
            r("4", "Mamadou", "Diallo", "M", "1971-07-02", "+224 655 00 00 01"),
            r("5", "Mamadou", "Diallo", "M", "2004-11-30", "+224 655 00 00 02"),
            r("6", "Aissatou", "Bah", "F", "1990-05-05", ""),
        ];
        let rep = dedupe(&records, &Model::default(), &DedupeOptions { estimate: false, ..Default::default() }, |_| {});
        let c = &rep.clusters;
        assert_eq!(c[0], c[1], "variant spelling, same phone");
        assert_eq!(c[0], c[2], "swapped order, same date");
        assert_ne!(c[0], c[3]);
        assert_ne!(c[0], c[4]);
        assert_ne!(c[3], c[4]);
        assert_ne!(c[5], c[0]);
    }
}

/// How far could any model go on the evaluation set with the fields it
/// compares? A model taught by the answers: each candidate pair's
/// probability is the share of true pairs among all candidate pairs with
/// the same comparison and name frequency (then also the same number of
/// rivals and kinds of date), read off the labels of the very file it is
/// scored on, and clustered as `dedupe` does. No unsupervised model can
/// expect to do better with these comparisons. Run with
/// `CEILING_DIR=/var/tmp/linkage cargo test --release -p passage-domain --lib ceiling -- --ignored --nocapture`
/// (BENCHMARKS.md run 14).
#[cfg(test)]
mod ceiling_experiment {
    use super::*;

    fn f1(clusters: &[u32], truth: &[u32]) -> (f64, f64, f64) {
        let mut bc: HashMap<u32, u64> = HashMap::new();
        let mut bp: HashMap<u32, u64> = HashMap::new();
        let mut bb: HashMap<(u32, u32), u64> = HashMap::new();
        for (c, p) in clusters.iter().zip(truth) {
            *bc.entry(*c).or_default() += 1;
            *bp.entry(*p).or_default() += 1;
            *bb.entry((*c, *p)).or_default() += 1;
        }
        let pairs = |n: &u64| n * n.saturating_sub(1) / 2;
        let tp: u64 = bb.values().map(pairs).sum();
        let pr = tp as f64 / bc.values().map(pairs).sum::<u64>() as f64;
        let re = tp as f64 / bp.values().map(pairs).sum::<u64>() as f64;
        (pr, re, 2.0 * pr * re / (pr + re))
    }

    /// Each pair's probability read off the labels: the share of true
    /// pairs among all candidate pairs with the same key.
    fn taught<K: std::hash::Hash + Eq + Copy>(keys: &[K], pairs: &[(u32, u32)], truth: &[u32]) -> Vec<(f64, u32, u32)> {
        let mut table: HashMap<K, (f64, f64)> = HashMap::new();
        for (k, &(i, j)) in keys.iter().zip(pairs) {
            let e = table.entry(*k).or_default();
            if truth[i as usize] == truth[j as usize] {
                e.0 += 1.0;
            } else {
                e.1 += 1.0;
            }
        }
        println!("keys {}", table.len());
        keys.iter()
            .zip(pairs)
            .map(|(k, &(i, j))| {
                let (m, u) = table[k];
                (((m + 0.1) / (u + 0.1)).log2(), i, j)
            })
            .collect()
    }

    /// Cluster as `dedupe` does at each threshold and print the scores.
    fn sweep(label: &str, scored: &[(f64, u32, u32)], thresholds: &[f64], own: &[ClusterFacts], truth: &[u32]) {
        for t in thresholds {
            let cut = (t / (1.0 - t)).log2();
            let links: Vec<_> = scored.iter().copied().filter(|l| l.0 >= cut).collect();
            let c = cluster(links, own.to_vec(), &mut DedupeReport::default());
            let (p, r, f) = f1(&c, truth);
            println!("{label} t={t}: precision {p:.4} recall {r:.4} F1 {f:.4}");
        }
    }

    #[test]
    #[ignore]
    fn supervised_ceiling() {
        let Ok(dir) = std::env::var("CEILING_DIR") else { return };
        let text = std::fs::read_to_string(format!("{dir}/persons-100k.csv")).unwrap();
        let truth_text = std::fs::read_to_string(format!("{dir}/truth-100k.csv")).unwrap();
        let mut pid: HashMap<String, u32> = HashMap::new();
        let truth: Vec<u32> = truth_text
            .lines()
            .skip(1)
            .map(|l| {
                let p = l.split(',').nth(1).unwrap().to_string();
                let n = pid.len() as u32;
                *pid.entry(p).or_insert(n)
            })
            .collect();
        let records: Vec<LinkRecord> = text
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                LinkRecord::new(f[0], f[1], f[2], f[3], BirthDate::parse(f[4]).unwrap_or(BirthDate::Unknown), f[5], f[6])
            })
            .collect();
        let freq = NameFrequencies::of(&records);
        let bucket = |i: usize| {
            let n = (freq.share(&records[i]) * records.len() as f64).round() as u32;
            (32 - n.leading_zeros()).min(6) as u8
        };
        let blocks = candidate_blocks(&records, 500);
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for b in &blocks {
            for (x, &i) in b.iter().enumerate() {
                for &j in &b[x + 1..] {
                    if i != j {
                        pairs.push((i.min(j), i.max(j)));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let key = |i: u32, j: u32| {
            let c = compare(&records[i as usize], &records[j as usize]);
            (c, bucket(i as usize).max(bucket(j as usize)))
        };
        let true_candidates = pairs.iter().filter(|(i, j)| truth[*i as usize] == truth[*j as usize]).count();
        let mut bp: HashMap<u32, u64> = HashMap::new();
        for p in &truth {
            *bp.entry(*p).or_default() += 1;
        }
        let actual: u64 = bp.values().map(|n| n * n.saturating_sub(1) / 2).sum();
        println!(
            "candidates {} true among them {} of {} ({:.4})",
            pairs.len(),
            true_candidates,
            actual,
            true_candidates as f64 / actual as f64
        );
        let own: Vec<ClusterFacts> = records.iter().map(ClusterFacts::of).collect();
        let keys: Vec<_> = pairs.iter().map(|&(i, j)| key(i, j)).collect();
        let scored = taught(&keys, &pairs, &truth);
        sweep("supervised", &scored, &[0.1, 0.2, 0.3, 0.5, 0.7, 0.9], &own, &truth);
        // Second stage: how many rivals each side has (first-stage
        // probability at least 0.1, telling the other side apart).
        let mut near: Vec<Vec<u32>> = vec![Vec::new(); records.len()];
        for &(sc, i, j) in &scored {
            if sc >= (0.1f64 / 0.9).log2() {
                near[i as usize].push(j);
                near[j as usize].push(i);
            }
        }
        let rivals = |a: u32, b: u32| {
            near[a as usize].iter().filter(|k| **k != b && own[**k as usize].conflicts(&own[b as usize])).count().min(3) as u8
        };
        let kind = |i: u32| match records[i as usize].birth {
            BirthDate::Exact { month: 1, day: 1, .. } => 1u8,
            BirthDate::Exact { .. } => 0,
            BirthDate::Unknown => 3,
            _ => 2,
        };
        let key2 = |i: u32, j: u32| {
            (key(i, j), rivals(i, j).max(rivals(j, i)), rivals(i, j).min(rivals(j, i)), kind(i).min(kind(j)), kind(i).max(kind(j)))
        };
        let keys2: Vec<_> = pairs.iter().map(|&(i, j)| key2(i, j)).collect();
        let scored2 = taught(&keys2, &pairs, &truth);
        sweep("with rivals", &scored2, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], &own, &truth);
        // And the oracle: every true candidate pair linked, nothing else.
        let links: Vec<_> = pairs.iter().filter(|(i, j)| truth[*i as usize] == truth[*j as usize]).map(|&(i, j)| (1.0, i, j)).collect();
        let c = cluster(links, own, &mut DedupeReport::default());
        println!("oracle links through the refusal rule: {:?}", f1(&c, &truth));
    }
}
