//! Record linkage: is this record the same person as that one? The pieces,
//! in the order a batch uses them:
//!
//! - [`record`]: a record reduced to what is compared (names folded into
//!   words and variant or phonetic keys, the date of birth as recorded, the
//!   optional fields), with strict parsing that says why a value was not read;
//! - [`compare`]: each field of a pair compared into a level (exact, a
//!   variant spelling, one edit, a middle name more or less, a day and month
//!   swapped, a year off…), by [`similarity`] where spelling matters;
//! - [`model`]: the Fellegi–Sunter model, `log2(m/u)` per level, term
//!   frequencies on exact agreement, every part of a score kept to explain it;
//! - [`estimate`]: m, u and λ from the file itself (u from random pairs, m
//!   by EM on training rules that exclude the field estimated);
//! - [`blocking`]: which pairs are compared (a union of rules that survives
//!   any one wrong field; oversized blocks by sorted neighbourhood);
//! - [`cluster`]: pairs into persons (strongest first, never two persons a
//!   cluster tells apart; a record's evidence shared among its rivals).
//!
//! [`dedupe`] runs them all over a file.

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod estimate;
pub mod model;
pub mod record;
pub mod similarity;

pub use cluster::PairScore;
pub use compare::{compare, Comparison, Field, FIELDS};
pub use model::{Frequencies, Model, ModelSource, Part, Score};
pub use record::{BirthDate, DateFormat, LinkFields, LinkRecord, Unreadable};

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

/// Which model a batch uses.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelChoice {
    /// Estimated from the file when it holds enough pairs to estimate from,
    /// the configured m otherwise (u and λ always from the file).
    Auto,
    /// Estimated from the file whatever its size.
    Estimate,
    /// The configured m, with the file's u and λ.
    Configured,
    /// A model given whole (one estimated earlier, kept with the database).
    Given(Model),
}

/// How a batch is deduplicated.
#[derive(Debug, Clone)]
pub struct DedupeOptions {
    /// Pairs at or above this probability of being one person are linked.
    pub threshold: f64,
    pub blocking: blocking::BlockingOptions,
    pub model: ModelChoice,
    /// Seed of the random pairs estimation draws.
    pub seed: u64,
}

impl Default for DedupeOptions {
    /// A pair is linked when it is more likely one person than two: with a
    /// model estimated on the file its probabilities are calibrated, and
    /// the equal-cost decision is the best threshold for F1 (it was on
    /// FEBRL3, FEBRL4 and the evaluation set alike, BENCHMARKS.md run 15);
    /// the clusters' refusals guard against chaining.
    fn default() -> Self {
        DedupeOptions { threshold: 0.5, blocking: Default::default(), model: ModelChoice::Auto, seed: 1 }
    }
}

/// Below this many records, `ModelChoice::Auto` keeps the configured m: a
/// few hundred records hold too few pairs of one person to estimate from.
pub const MIN_RECORDS_TO_ESTIMATE: usize = 1_000;

/// What a batch deduplication did.
#[derive(Debug, Clone)]
pub struct DedupeReport {
    /// The cluster of each input record (records of one person share it):
    /// the index of the cluster's first record.
    pub clusters: Vec<u32>,
    pub blocking: blocking::BlockingReport,
    pub linked_pairs: u64,
    /// Links above the threshold refused because they would join records a
    /// cluster already tells apart.
    pub refused_links: u64,
    pub model: Model,
    pub estimation: Option<estimate::EstimationReport>,
    /// Seconds spent in each phase.
    pub times: Vec<(&'static str, f64)>,
}

/// Scores pairs of a file: the model's weights computed once, each
/// record's term frequencies looked up once (millions of pairs are scored).
pub struct Scorer<'a> {
    records: &'a [LinkRecord],
    model: &'a Model,
    shares: Vec<model::Shares>,
    /// Weights per field and level, when the names disagree and when they agree.
    table: [Vec<Vec<f64>>; 2],
    prior: f64,
}

impl<'a> Scorer<'a> {
    pub fn new(records: &'a [LinkRecord], model: &'a Model) -> Scorer<'a> {
        let freq = Frequencies::of(records);
        Scorer {
            records,
            model,
            shares: records.iter().map(|r| freq.shares(r)).collect(),
            table: [false, true].map(|agree| {
                FIELDS
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (0..f.levels().len()).map(|l| model.weight_if(i, l as u8, agree)).collect())
                    .collect()
            }),
            prior: model.prior(),
        }
    }
}

impl cluster::PairScore for Scorer<'_> {
    /// The same sum as `Model::score` with frequencies, without its explanation.
    fn log_odds(&self, i: u32, j: u32) -> f64 {
        let c = compare(&self.records[i as usize], &self.records[j as usize]);
        let (sa, sb) = (&self.shares[i as usize], &self.shares[j as usize]);
        let mut total = self.prior + model::name_correlation(&c, sa);
        let table = &self.table[usize::from(model::names_agree(&c))];
        for (f, &level) in c.levels.iter().enumerate() {
            total += if model::by_frequency(FIELDS[f], level) {
                self.model.adjusted_weight(f, level, sa, sb, c.crossed)
            } else {
                table[f][level as usize]
            };
        }
        total
    }
}

/// The model a batch uses, and how it was estimated if it was.
pub fn choose_model(records: &[LinkRecord], choice: &ModelChoice, seed: u64) -> (Model, Option<estimate::EstimationReport>) {
    match choice {
        ModelChoice::Given(m) => (m.clone(), None),
        ModelChoice::Configured => (estimate::configured_for(records, seed), None),
        ModelChoice::Auto if records.len() < MIN_RECORDS_TO_ESTIMATE => (estimate::configured_for(records, seed), None),
        ModelChoice::Auto | ModelChoice::Estimate => {
            let (m, r) = estimate::estimate(records, seed);
            (m, Some(r))
        }
    }
}

/// Cluster `records` into persons: choose the model, find the candidate
/// pairs, score them, share each record's evidence among its rivals, and
/// link strongest first. `progress` is called with the share done.
pub fn dedupe(records: &[LinkRecord], options: &DedupeOptions, mut progress: impl FnMut(f64)) -> DedupeReport {
    let mut clock = std::time::Instant::now();
    let mut times = Vec::new();
    let mut lap = |name: &'static str| {
        times.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let (model, estimation) = choose_model(records, &options.model, options.seed);
    lap("model");
    progress(0.1);
    let scorer = Scorer::new(records, &model);
    let odds = |p: f64| (p / (1.0 - p)).log2();
    let cut = odds(options.threshold.clamp(1e-9, 1.0 - 1e-9));
    let floor = cut.min(odds(cluster::RIVAL_FLOOR));
    let mut links: Vec<(f64, u32, u32)> = Vec::new();
    let mut blocks = blocking::Blocking::new(records, options.blocking);
    let report = blocks.for_each_pair(
        records,
        |_, i, j| {
            let total = scorer.log_odds(i, j);
            if total >= floor {
                links.push((total, i.min(j), i.max(j)));
            }
        },
        |f| progress(0.1 + 0.8 * f),
    );
    drop(blocks);
    lap("blocking and scoring");
    links.sort_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)).then(b.0.total_cmp(&a.0)));
    links.dedup_by(|a, b| (a.1, a.2) == (b.1, b.2));
    let links = cluster::share_among_rivals(records, links, &scorer, cut);
    let (clusters, linked_pairs, refused_links) = cluster::cluster(records.len(), links, &scorer);
    lap("clustering");
    progress(1.0);
    DedupeReport { clusters, blocking: report, linked_pairs, refused_links, model, estimation, times }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviewer_decides_same_different_or_unsure_and_only_a_waiting_pair() {
        assert_eq!(PairDecision::parse_decision("same"), Ok(PairDecision::Same));
        assert!(PairDecision::parse_decision("open").is_err(), "nobody decides 'open'");
        assert!(PairDecision::parse_decision("maybe").is_err());
        let waiting: Vec<_> = PairDecision::ALL.iter().filter(|d| d.waiting()).collect();
        assert_eq!(waiting, [&PairDecision::Open, &PairDecision::Unsure]);
    }

    #[test]
    fn a_year_only_record_does_not_chain_two_namesakes_with_different_birthdays() {
        let r = |id: &str, b: &str| LinkRecord::new(id, "Mamadou", "Diallo", "M", BirthDate::parse(b).unwrap(), "GIN", "");
        let mut records = vec![r("a", "1998-03-04"), r("b", "1998"), r("c", "1998-11-20")];
        records.extend((0..50).map(|i| LinkRecord::new(&format!("o{i}"), &format!("Given{i}"), "Sow", "F", BirthDate::Unknown, "SEN", "")));
        let rep = dedupe(&records, &DedupeOptions { threshold: 0.5, ..Default::default() }, |_| {});
        assert_ne!(rep.clusters[0], rep.clusters[2], "two birthdays are two persons");
    }

    #[test]
    fn one_man_three_spellings_one_cluster_and_namesakes_apart() {
        let r =
            |id: &str, g: &str, f: &str, s: &str, b: &str, p: &str| LinkRecord::new(id, g, f, s, BirthDate::parse(b).unwrap(), "GIN", p);
        let mut records = vec![
            r("1", "Mamadou", "Diallo", "M", "1998-03-14", "+224 620 11 22 33"),
            r("2", "Mamadu", "Jallow", "M", "1998", "00224620112233"),
            r("3", "Mohamadou", "DIALLO", "M", "1998-03-14", ""),
            // Namesakes: same name, other years, other phones.
            r("4", "Mamadou", "Diallo", "M", "1971-07-02", "+224 655 00 00 01"),
            r("5", "Mamadou", "Diallo", "M", "2004-11-30", "+224 655 00 00 02"),
            r("6", "Aissatou", "Bah", "F", "1990-05-05", ""),
        ];
        // Others, with dates and phones of their own, so that the file's u is the region's.
        for i in 0..400 {
            let (g, f) = (["Awa", "Fatou", "Binta", "Hawa"][i % 4], format!("Family{}", i / 4));
            let date = format!("{}-{:02}-{:02}", 1960 + i % 40, 1 + i % 12, 1 + i % 28);
            records.push(r(&format!("o{i}"), g, &f, "F", &date, &format!("+224 66{:06}", i)));
        }
        let rep = dedupe(&records, &DedupeOptions::default(), |_| {});
        let c = &rep.clusters;
        assert_eq!(c[0], c[1], "variant spelling, same phone");
        assert_eq!(c[0], c[2], "a variant of the given name, same date");
        assert_ne!(c[0], c[3]);
        assert_ne!(c[0], c[4]);
        assert_ne!(c[3], c[4]);
        assert_ne!(c[5], c[0]);
    }
}
