//! Estimating the model from the file itself, as Splink documents it
//! (after Fellegi–Sunter and Winkler):
//!
//! - **u** from pairs drawn at random: almost all of them are two persons,
//!   so how often they agree is how often two persons agree by chance;
//! - **m** by expectation–maximisation, with u held fixed, on the pairs of
//!   training rules that each exclude the fields they block on: pairs
//!   sharing the full date of birth teach the names' m (and every other
//!   field's), pairs sharing both names' keys teach the date's. A field
//!   that a rule blocks on says nothing in that rule's pairs, all of which
//!   agree on it. Each field's m is the average of the sessions that
//!   estimated it, weighted by the matches each found;
//! - **λ**, the chance that two records drawn at random are one person,
//!   from the same sessions: the matches a session finds among its pairs,
//!   divided by the share of all matches its rule can find (which the other
//!   session measured: how often one person's two records share the full
//!   date), over all pairs of the file.
//!
//! Nothing here is tuned to a file: the only constants are the configured
//! m that estimation starts from (and falls back to) and the sample sizes.
//! A session that cannot be trusted (too few pairs, no matches found, or an
//! estimate in which agreeing is not evidence for a match) is reported and
//! left out.

use super::compare::{compare, Comparison, Field, FIELDS, N};
use super::model::{configured_m, Model, ModelSource};
use super::record::{BirthDate, LinkRecord};
use std::collections::HashMap;

/// Seeded draws: samples are the same on every run of the same file.
pub struct Sampler(crate::random::SplitMix64);

impl Sampler {
    pub fn new(seed: u64) -> Sampler {
        Sampler(crate::random::SplitMix64::new(seed))
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.0.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// How the estimate went, for the report on stderr.
#[derive(Debug, Clone, Default)]
pub struct EstimationReport {
    pub random_pairs: usize,
    pub sessions: Vec<SessionReport>,
    /// λ as each session's matches give it.
    pub lambda_estimates: Vec<(&'static str, f64)>,
    /// Fields whose m stayed configured, and why.
    pub kept_configured: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone)]
pub struct SessionReport {
    pub rule: &'static str,
    pub pairs_in_rule: u64,
    pub pairs_used: usize,
    pub iterations: usize,
    pub last_change: f64,
    /// The share of matches among the rule's pairs.
    pub match_share: f64,
    pub used: bool,
    pub note: String,
}

impl EstimationReport {
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("u from {} pairs drawn at random", self.random_pairs)];
        for s in &self.sessions {
            out.push(format!(
                "EM on pairs with {}: {} of {} pairs, {} iterations, last change {:.1e}, matches {:.3}{}{}",
                s.rule,
                s.pairs_used,
                s.pairs_in_rule,
                s.iterations,
                s.last_change,
                s.match_share,
                if s.used { "" } else { " — not used: " },
                s.note
            ));
        }
        for (rule, l) in &self.lambda_estimates {
            out.push(format!("lambda from the session on {rule}: {l:.4e}"));
        }
        for (f, why) in &self.kept_configured {
            out.push(format!("{f}: configured m kept ({why})"));
        }
        out
    }
}

/// Level counts of random pairs: u for every field, from the configured u
/// as a prior (so a level no random pair showed is rare, not impossible,
/// and a small file's few pairs do not make a name look rare).
pub fn u_from_random_pairs(records: &[LinkRecord], max_pairs: usize, seed: u64) -> (Vec<Vec<f64>>, usize, [bool; N]) {
    let n = records.len() as u64;
    let all = n * n.saturating_sub(1) / 2;
    let every_pair = all as usize <= max_pairs;
    // The work is cut into a fixed number of shares, each with its own
    // seeded draws, so the counts are the same whatever the core count.
    const SHARES: usize = 8;
    let count_share = |share: usize| -> (Vec<Vec<u64>>, usize) {
        let mut counts: Vec<Vec<u64>> = FIELDS.iter().map(|f| vec![0; f.levels().len()]).collect();
        let mut drawn = 0usize;
        let mut add = |c: &Comparison| {
            for (i, l) in c.levels.iter().enumerate() {
                counts[i][*l as usize] += 1;
            }
        };
        if every_pair {
            for i in (share..records.len()).step_by(SHARES) {
                for j in i + 1..records.len() {
                    add(&compare(&records[i], &records[j]));
                    drawn += 1;
                }
            }
        } else {
            let mut rng = Sampler::new(seed.wrapping_add(share as u64));
            let target = max_pairs / SHARES + usize::from(share < max_pairs % SHARES);
            while drawn < target {
                let (i, j) = (rng.below(n) as usize, rng.below(n) as usize);
                if i != j {
                    add(&compare(&records[i], &records[j]));
                    drawn += 1;
                }
            }
        }
        (counts, drawn)
    };
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1).min(SHARES);
    let parts: Vec<(Vec<Vec<u64>>, usize)> = std::thread::scope(|scope| {
        let count_share = &count_share;
        let handles: Vec<_> =
            (0..threads).map(|t| scope.spawn(move || (t..SHARES).step_by(threads).map(count_share).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a counting thread")).collect()
    });
    let mut counts: Vec<Vec<f64>> = FIELDS.iter().map(|f| vec![0.0; f.levels().len()]).collect();
    let mut drawn = 0usize;
    for (part, d) in parts {
        drawn += d;
        for (total, share) in counts.iter_mut().zip(part) {
            for (t, c) in total.iter_mut().zip(share) {
                *t += c as f64;
            }
        }
    }
    // The configured u is a prior worth a thousand pairs: a file of a
    // million pairs speaks for itself, one of six records hardly at all.
    const PRIOR: f64 = 1_000.0;
    let mut present = [false; N];
    for (i, f) in FIELDS.iter().enumerate() {
        present[i] = counts[i][..f.levels().len() - 1].iter().sum::<f64>() > 0.0;
    }
    let u = FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let k = f.levels().len() - 1;
            let seen: f64 = counts[i][..k].iter().sum();
            let prior = super::model::configured_u(*f);
            let mut u: Vec<f64> = counts[i][..k].iter().zip(&prior).map(|(c, p)| (c + PRIOR * p) / (seen + PRIOR)).collect();
            u.push(0.0);
            u
        })
        .collect();
    (u, drawn, present)
}

/// A training rule: which records it groups, and which fields it fixes.
/// Each leaves at least two fields free (with one free field, EM cannot
/// tell a match from a coincidence: any m fits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Training {
    FullDate,
    GivenKeys,
    FamilyKeys,
}

const TRAINING: [Training; 3] = [Training::FullDate, Training::GivenKeys, Training::FamilyKeys];

impl Training {
    fn describe(self) -> &'static str {
        match self {
            Training::FullDate => "the same full date of birth",
            Training::GivenKeys => "the same given-name keys",
            Training::FamilyKeys => "the same family-name keys",
        }
    }

    fn key(self, r: &LinkRecord) -> Option<u64> {
        let h =
            |ks: &[u64]| (!ks.is_empty()).then(|| ks.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, k| (h ^ k).wrapping_mul(0x0100_0000_01b3)));
        match self {
            Training::FullDate => match r.birth {
                BirthDate::Exact { year, month, day } => Some(year as u64 * 10_000 + month as u64 * 100 + day as u64),
                _ => None,
            },
            Training::GivenKeys => h(&r.given.keys),
            Training::FamilyKeys => h(&r.family.keys),
        }
    }

    fn fixed(self) -> &'static [Field] {
        match self {
            Training::FullDate => &[Field::BirthDate],
            // Names say sex and origin: within pairs sharing a name, sex and
            // nationality agree whoever the persons are, and EM would take
            // that agreement for matches. They are learnt on the date rule.
            Training::GivenKeys => &[Field::GivenName, Field::Sex, Field::Nationality],
            Training::FamilyKeys => &[Field::FamilyName, Field::Sex, Field::Nationality],
        }
    }

    /// The fields whose u this rule's pairs change (see `em`): a shared
    /// name makes the other names agree more often by chance.
    fn own_u(self) -> &'static [Field] {
        match self {
            Training::FullDate => &[],
            Training::GivenKeys | Training::FamilyKeys => &[Field::GivenName, Field::FamilyName, Field::FatherName, Field::MotherName],
        }
    }

    /// Whether a compared pair agrees on what the rule blocks on: the share
    /// of matches that do is the rule's recall, which λ needs.
    fn agrees(self, c: &Comparison) -> bool {
        match self {
            Training::FullDate => c.levels[2] == 0,
            Training::GivenKeys => c.levels[0] <= 1 && !c.crossed,
            Training::FamilyKeys => c.levels[1] <= 1 && !c.crossed,
        }
    }
}

/// Pairs of one training rule: the count of all of them, and a sample.
fn training_pairs(records: &[LinkRecord], t: Training, max_pairs: usize, rng: &mut Sampler) -> (u64, Vec<Comparison>) {
    let mut groups: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(k) = t.key(r) {
            groups.entry(k).or_default().push(i as u32);
        }
    }
    // In key order: a map's order changes from run to run, and the sample with it.
    let mut groups: Vec<(u64, Vec<u32>)> = groups.into_iter().filter(|(_, g)| g.len() > 1).collect();
    groups.sort_unstable_by_key(|(k, _)| *k);
    let groups: Vec<Vec<u32>> = groups.into_iter().map(|(_, g)| g).collect();
    let sizes: Vec<u64> = groups.iter().map(|g| g.len() as u64 * (g.len() as u64 - 1) / 2).collect();
    let total: u64 = sizes.iter().sum();
    let mut out = Vec::new();
    if total as usize <= max_pairs {
        for g in &groups {
            for x in 0..g.len() {
                for y in x + 1..g.len() {
                    out.push(compare(&records[g[x] as usize], &records[g[y] as usize]));
                }
            }
        }
    } else {
        // Pairs drawn uniformly: a group with probability its share of the pairs.
        let mut cumulative = Vec::with_capacity(sizes.len());
        let mut acc = 0u64;
        for s in &sizes {
            acc += s;
            cumulative.push(acc);
        }
        for _ in 0..max_pairs {
            let at = rng.below(total);
            let gi = cumulative.partition_point(|c| *c <= at);
            let g = &groups[gi];
            let x = rng.below(g.len() as u64) as usize;
            let mut y = rng.below(g.len() as u64 - 1) as usize;
            if y >= x {
                y += 1;
            }
            out.push(compare(&records[g[x] as usize], &records[g[y] as usize]));
        }
    }
    (total, out)
}

struct Session {
    m: Vec<Vec<f64>>,
    matches: f64,
    /// Among the session's matches, the share agreeing on what each training rule blocks on.
    agrees: [f64; 3],
    report: SessionReport,
}

/// EM with u fixed: returns m per field (the fixed fields' left as given),
/// the share of matches, and the posterior-weighted shares the λ estimate needs.
/// EM. u is held at the file's for every free field but those named in
/// `own_u`, whose u is estimated among the session's non-matches too: pairs
/// sharing a given name are not a random sample of family names (a Fulani
/// given name goes with a Fulani family name), so two different Mamadous
/// agree on "Diallo" far more often than two records drawn at random, and
/// with the file's u EM would take those namesakes for matches. The fields
/// independent of the rule (the date, a phone) keep the file's u and so
/// keep the estimate identifiable.
fn em(pairs: &[Comparison], start: &Model, fixed: &[Field], own_u: &[Field], rounds: usize) -> (Vec<Vec<f64>>, f64, usize, f64, [f64; 3]) {
    let mut u = start.u.clone();
    let (sex, nat) = (Field::Sex.index(), Field::Nationality.index());
    let mut counted: HashMap<Comparison, f64> = HashMap::new();
    for p in pairs {
        *counted.entry(*p).or_insert(0.0) += 1.0;
    }
    // In a fixed order, so that the sums, and the estimate, are the same on every run.
    let mut patterns: Vec<(Comparison, f64)> = counted.into_iter().collect();
    patterns.sort_unstable_by_key(|(c, _)| (c.levels, c.crossed));
    let free: Vec<usize> = (0..N).filter(|i| !fixed.contains(&FIELDS[*i])).collect();
    let mut m = start.m.clone();
    let mut share = 0.01f64;
    let n = pairs.len() as f64;
    let (mut iterations, mut change) = (0, 0.0);
    let mut agree = [0.0; 3];
    for round in 0..rounds {
        iterations = round + 1;
        let mut acc: Vec<Vec<f64>> = FIELDS.iter().map(|f| vec![0.0; f.levels().len()]).collect();
        let mut acc_u: Vec<Vec<f64>> = FIELDS.iter().map(|f| vec![0.0; f.levels().len()]).collect();
        let mut matches = 0.0;
        let mut ag = [0.0; 3];
        for (p, count) in &patterns {
            let (mut lm, mut lu) = (share.ln(), (1.0 - share).ln());
            for &i in &free {
                let l = p.levels[i] as usize;
                if l == FIELDS[i].missing() as usize {
                    continue;
                }
                lm += m[i][l].max(1e-12).ln();
                let ul = match i {
                    _ if i == sex && super::model::names_agree(p) => start.namesake_u[0][l],
                    _ if i == nat && super::model::names_agree(p) => start.namesake_u[1][l],
                    _ => u[i][l],
                };
                lu += ul.max(1e-12).ln();
            }
            let g = 1.0 / (1.0 + (lu - lm).exp());
            let w = g * count;
            matches += w;
            for &i in &free {
                acc[i][p.levels[i] as usize] += w;
                acc_u[i][p.levels[i] as usize] += count - w;
            }
            for (t, a) in TRAINING.iter().zip(ag.iter_mut()) {
                if t.agrees(p) {
                    *a += w;
                }
            }
        }
        change = 0.0;
        for &i in &free {
            let k = FIELDS[i].levels().len() - 1;
            let seen: f64 = acc[i][..k].iter().sum();
            // A light prior from the configured m (one pair's worth) keeps a
            // level no match showed possible.
            let prior = configured_m(FIELDS[i]);
            for l in 0..k {
                let v = (acc[i][l] + prior[l]) / (seen + 1.0);
                change = f64::max(change, (v - m[i][l]).abs());
                m[i][l] = v;
            }
            if own_u.contains(&FIELDS[i]) {
                // The file's u as a prior worth a hundred pairs.
                let seen: f64 = acc_u[i][..k].iter().sum();
                for l in 0..k {
                    u[i][l] = (acc_u[i][l] + 100.0 * start.u[i][l]) / (seen + 100.0);
                }
            }
        }
        let new_share = (matches / n).clamp(1e-9, 1.0 - 1e-9);
        change = change.max((new_share - share).abs());
        share = new_share;
        agree = ag.map(|a| if matches > 0.0 { a / matches } else { 0.0 });
        if change < 1e-6 {
            break;
        }
    }
    (m, share, iterations, change, agree)
}

/// u of sex and nationality among namesakes: in pairs sharing given-name
/// keys that the date of birth says are two persons, with the file's u as
/// a prior worth a hundred pairs.
fn namesake_u(given_pairs: &[Comparison], model: &Model) -> [Vec<f64>; 2] {
    // Pairs the date of birth says are two persons: their sex and
    // nationality agree as namesakes' do.
    let different = Field::BirthDate.missing() - 1;
    let mut out = [model.u[Field::Sex.index()].clone(), model.u[Field::Nationality.index()].clone()];
    for (k, f) in [Field::Sex, Field::Nationality].into_iter().enumerate() {
        let i = f.index();
        let levels = f.levels().len() - 1;
        let mut counts = vec![0.0; levels];
        for p in given_pairs.iter().filter(|p| p.levels[Field::BirthDate.index()] == different) {
            if (p.levels[i] as usize) < levels {
                counts[p.levels[i] as usize] += 1.0;
            }
        }
        let seen: f64 = counts.iter().sum();
        for l in 0..levels {
            out[k][l] = (counts[l] + 100.0 * model.u[i][l]) / (seen + 100.0);
        }
    }
    out
}

/// Agreeing must be evidence for a match and disagreeing against, or the
/// estimate has taken something else (namesakes, a family) for matches.
fn sensible(m: &[f64], u: &[f64]) -> bool {
    let k = m.len() - 1;
    m[0] > u[0] && m[k - 1] < u[k - 1]
}

/// Estimate the model from the file. Returns the model (falling back to the
/// configured m field by field where estimation could not be trusted) and
/// the report.
pub fn estimate(records: &[LinkRecord], seed: u64) -> (Model, EstimationReport) {
    let mut report = EstimationReport::default();
    let mut model = Model::configured();
    let (u, drawn, present) = u_from_random_pairs(records, RANDOM_PAIRS, seed);
    model.u = u;
    model.present = present;
    report.random_pairs = drawn;
    let n = records.len() as f64;
    let all_pairs = n * (n - 1.0) / 2.0;
    let mut rng = Sampler::new(seed ^ 0x5eed);
    let training: Vec<(Training, u64, Vec<Comparison>)> = TRAINING
        .iter()
        .map(|t| {
            let (total, pairs) = training_pairs(records, *t, 1_000_000, &mut rng);
            (*t, total, pairs)
        })
        .collect();
    model.namesake_u = namesake_u(&training[1].2, &model);
    let mut sessions = Vec::new();
    for (t, total, pairs) in training {
        let mut s = SessionReport {
            rule: t.describe(),
            pairs_in_rule: total,
            pairs_used: pairs.len(),
            iterations: 0,
            last_change: 0.0,
            match_share: 0.0,
            used: false,
            note: String::new(),
        };
        if pairs.len() < MIN_TRAINING_PAIRS {
            s.note = format!("fewer than {MIN_TRAINING_PAIRS} pairs");
            report.sessions.push(s);
            continue;
        }
        let (m, share, iterations, change, agrees) = em(&pairs, &model, t.fixed(), t.own_u(), 2000);
        s.iterations = iterations;
        s.last_change = change;
        s.match_share = share;
        let matches = share * total as f64;
        if matches < 5.0 {
            s.note = "no matches found".into();
            report.sessions.push(s);
            continue;
        }
        s.used = true;
        report.sessions.push(s.clone());
        sessions.push((t, Session { m, matches, agrees, report: s }));
    }
    // m: each field from the sessions that estimated it, where sensible.
    for (i, f) in FIELDS.iter().enumerate() {
        let mut weighted = vec![0.0; f.levels().len()];
        let mut weight = 0.0;
        let mut refused = Vec::new();
        for (t, s) in &sessions {
            if t.fixed().contains(f) {
                continue;
            }
            if !sensible(&s.m[i], &model.u[i]) {
                refused.push(s.report.rule);
                continue;
            }
            for (w, v) in weighted.iter_mut().zip(&s.m[i]) {
                *w += v * s.matches;
            }
            weight += s.matches;
        }
        if weight > 0.0 {
            model.m[i] = weighted.iter().map(|w| w / weight).collect();
        } else if !model.present[i] {
            // A field the file does not have: nothing to estimate or report.
        } else if !refused.is_empty() {
            report.kept_configured.push((f.as_str(), format!("estimate not sensible on {}", refused.join(", "))));
        } else {
            report.kept_configured.push((f.as_str(), "no session estimated it".into()));
        }
    }
    // λ: the matches a rule's pairs hold, over the share of all matches that
    // rule finds, as measured in the other session.
    let mut estimates = Vec::new();
    for (k, (t, s)) in sessions.iter().enumerate() {
        let slot = TRAINING.iter().position(|x| x == t).unwrap_or(0);
        // The rule's recall, as the other sessions measured it.
        let (mut recall, mut weight) = (0.0, 0.0);
        for (j, (_, o)) in sessions.iter().enumerate() {
            if j != k {
                recall += o.agrees[slot] * o.matches;
                weight += o.matches;
            }
        }
        if weight > 0.0 && recall / weight > 0.01 {
            estimates.push((t.describe(), s.matches / (recall / weight) / all_pairs));
        }
    }
    report.lambda_estimates = estimates.clone();
    if !estimates.is_empty() {
        let mean_log = estimates.iter().map(|(_, l)| l.ln()).sum::<f64>() / estimates.len() as f64;
        model.lambda = mean_log.exp().clamp(1.0 / all_pairs.max(1.0), 0.5);
        model.source = if report.kept_configured.len() < N { ModelSource::Estimated } else { ModelSource::Configured };
    } else {
        model.lambda = configured_lambda(records.len());
        model.source = ModelSource::Configured;
    }
    (model, report)
}

/// How many random pairs u is counted on: a level as rare as an exact date
/// of birth among persons (1 in 20,000) is then seen some fifty times.
pub const RANDOM_PAIRS: usize = 1_000_000;

/// Below this many pairs in a training rule, its session is not run.
pub const MIN_TRAINING_PAIRS: usize = 200;

/// λ for a file too small to estimate it: as if one record in four had
/// one other record of the same person.
pub fn configured_lambda(n: usize) -> f64 {
    let n = n.max(2) as f64;
    (0.25 * n / (n * (n - 1.0) / 2.0)).min(0.5)
}

/// The configured m with the file's own u and λ as configured: the model
/// for files too small to estimate from, and the `--configured` choice.
pub fn configured_for(records: &[LinkRecord], seed: u64) -> Model {
    let mut model = Model::configured();
    if records.len() >= 2 {
        let (u, _, present) = u_from_random_pairs(records, RANDOM_PAIRS, seed);
        model.u = u;
        model.present = present;
        let (_, pairs) = training_pairs(records, Training::GivenKeys, 100_000, &mut Sampler::new(seed));
        model.namesake_u = namesake_u(&pairs, &model);
    }
    model.lambda = configured_lambda(records.len());
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Persons registered twice with independent errors, among namesakes:
    /// EM recovers m close to the errors put in. Half the persons have a
    /// phone, written on both records: with the names and a date alone,
    /// pairs of namesakes that share a name and nothing else cannot be told
    /// from one person with a mistyped date (the likelihood is flat along
    /// that line), and no estimate can recover the date's m.
    #[test]
    fn estimation_recovers_what_errors_were_made() {
        // Name pools of a few dozen each, as a region's commonest names are.
        let syllables = ["ba", "ko", "ma", "di", "ta", "sou", "fa", "ke", "lo", "ni"];
        let given: Vec<String> = (0..40).map(|i| format!("{}{}", syllables[i % 10], syllables[(i / 10 + 3) % 10])).collect();
        let family: Vec<String> = (0..60).map(|i| format!("{}{}ra", syllables[(i + 5) % 10], syllables[(i / 10) % 10])).collect();
        let mut rng = Sampler::new(7);
        let mut records = Vec::new();
        for p in 0..3000u64 {
            let g = given[rng.below(given.len() as u64) as usize].as_str();
            let f = family[rng.below(family.len() as u64) as usize].as_str();
            let (y, m, d) = (1960 + rng.below(40) as i32, 1 + rng.below(12) as u8, 2 + rng.below(27) as u8);
            let phone = if p % 4 < 2 { format!("{:08}", 60_000_000 + p) } else { String::new() };
            records.push(LinkRecord::new(&format!("{p}a"), g, f, "F", BirthDate::from_ymd(y, m, d).unwrap(), "GIN", &phone));
            if p % 2 == 0 {
                // 20 % of the copies have another year.
                let y2 = if rng.below(5) == 0 { y + 1 } else { y };
                let g2 = if rng.below(10) == 0 { format!("{g}h") } else { g.to_string() };
                records.push(LinkRecord::new(&format!("{p}b"), &g2, f, "F", BirthDate::from_ymd(y2, m, d).unwrap(), "GIN", &phone));
            }
        }
        let (model, report) = estimate(&records, 1);
        let lines = report.lines().join("\n");
        assert!(report.sessions.iter().all(|s| s.used), "{lines}");
        let date_exact = model.m[2][0];
        assert!((date_exact - 0.8).abs() < 0.08, "m(date exact) {date_exact:.3}\n{lines}");
        let given_exact = model.m[0][0];
        assert!((given_exact - 0.9).abs() < 0.06, "m(given exact) {given_exact:.3}\n{lines}");
        // 1,500 true pairs among 4,500 records.
        let expected = 1500.0 / (4500.0 * 4499.0 / 2.0);
        assert!((model.lambda / expected - 1.0).abs() < 0.35, "lambda {:.3e} expected {expected:.3e}\n{lines}", model.lambda);
    }

    #[test]
    fn a_tiny_file_keeps_the_configured_model() {
        let records: Vec<LinkRecord> =
            (0..20).map(|i| LinkRecord::new(&i.to_string(), "Awa", &format!("F{i}"), "F", BirthDate::Unknown, "", "")).collect();
        let (model, report) = estimate(&records, 1);
        assert_eq!(model.source, ModelSource::Configured);
        assert!(report.sessions.iter().all(|s| !s.used));
        assert_eq!(model.m[0], configured_m(Field::GivenName));
    }
}
