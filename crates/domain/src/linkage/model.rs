//! The Fellegi–Sunter model: for each field and level, the probability of
//! that level among pairs of records of one person (m) and among pairs of
//! two persons (u); a pair's weight of evidence is the sum of `log2(m/u)`
//! over its fields, plus the prior log-odds that two records drawn at random
//! are one person (λ). Every part is kept, so a reviewer sees why.
//!
//! Agreeing exactly on a value weighs by how common that value is in the
//! file (term frequency): two records both "Mamadou" say less than two
//! records both "Tidiane". Agreeing on a variant spelling weighs by how
//! many other spellings of it the file holds. And given and family names
//! are not independent (a Fulani given name goes with a Fulani family
//! name), so two records agreeing on both are weighed by how often the file
//! holds that whole name when that is more than the two parts' product.

use super::compare::{Comparison, Field, FIELDS, N};
use super::record::{key_hash, LinkRecord, NamePart};
use std::collections::HashMap;

/// Where a model's numbers came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    /// m from the configured values (what field errors usually do), u and λ from the file.
    Configured,
    /// m by expectation–maximisation on the file's pairs, u from its random pairs, λ from both.
    Estimated,
}

/// m and u per field and level (the missing level's are unused: weight 0),
/// and λ, the probability that two records drawn at random are one person.
/// Serialised, it is what a batch run over the database keeps for the
/// scoring of single pairs (see `Model::fits`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// u of sex and nationality among two persons who share a name: a
    /// given name says its bearer's sex and names say where one is from, so
    /// namesakes agree on both far more often than two records at random,
    /// and that agreement is weak evidence of one person.
    pub namesake_u: [Vec<f64>; 2],
    pub lambda: f64,
    pub source: ModelSource,
    /// The fields the file holds (on both sides of some pair).
    pub present: [bool; N],
}

/// Whether a pair's given or family names agree (exactly or as a variant):
/// then sex and nationality weigh by their namesake u.
pub fn names_agree(c: &Comparison) -> bool {
    c.levels[0] <= 1 || c.levels[1] <= 1
}

/// The configured m of each field: how often a person's two records show
/// each level, from what registration errors do (most agree; a typo, a
/// variant spelling, a middle name dropped in a few percent; a wrong or
/// swapped date more rarely). These start estimation, and are the model
/// for files too small to estimate from.
pub fn configured_m(f: Field) -> Vec<f64> {
    let v: &[f64] = match f {
        Field::GivenName | Field::FamilyName => &[0.78, 0.06, 0.05, 0.03, 0.02, 0.015, 0.01, 0.01, 0.025],
        Field::FatherName | Field::MotherName => &[0.70, 0.08, 0.05, 0.04, 0.03, 0.02, 0.02, 0.01, 0.05],
        Field::BirthDate => &[0.62, 0.02, 0.01, 0.06, 0.14, 0.02, 0.06, 0.01, 0.06],
        Field::PlaceOfBirth | Field::Address | Field::Locality => &[0.75, 0.1, 0.06, 0.04, 0.05],
        Field::Phone | Field::Document => &[0.85, 0.05, 0.02, 0.08],
        Field::Sex => &[0.98, 0.02],
        Field::Nationality => &[0.95, 0.05],
    };
    let mut out = v.to_vec();
    out.push(0.0);
    out
}

/// The configured u of each field: how often two different persons of the
/// region show each level by chance (a common given name is shared by one
/// pair in a hundred, a full date of birth by one in twenty thousand, a
/// phone number almost never). Replaced by the file's own random pairs
/// whenever there is a file.
pub fn configured_u(f: Field) -> Vec<f64> {
    let v: &[f64] = match f {
        Field::GivenName | Field::FamilyName | Field::FatherName | Field::MotherName => {
            &[0.01, 0.005, 0.003, 0.002, 0.005, 0.02, 0.01, 0.1, 0.845]
        }
        Field::BirthDate => &[5e-5, 5e-5, 2e-4, 2e-3, 0.02, 0.02, 0.04, 0.05, 0.8675],
        Field::PlaceOfBirth | Field::Address | Field::Locality => &[0.01, 0.01, 0.02, 0.05, 0.91],
        Field::Phone | Field::Document => &[1e-6, 1e-5, 1e-4, 0.999889],
        Field::Sex => &[0.5, 0.5],
        Field::Nationality => &[0.3, 0.7],
    };
    let mut out = v.to_vec();
    out.push(0.0);
    out
}

/// The λ of the configured model when it scores the persons a name search
/// found for a new registration: about one in a hundred is the person.
pub const CANDIDATE_LAMBDA: f64 = 0.01;

impl Model {
    /// The configured model, before any file has been looked at: what
    /// scores the persons a search finds for a new registration until a
    /// model has been estimated on the database.
    pub fn configured() -> Model {
        Model {
            m: FIELDS.iter().map(|f| configured_m(*f)).collect(),
            u: FIELDS.iter().map(|f| configured_u(*f)).collect(),
            namesake_u: [vec![0.9, 0.1, 0.0], vec![0.8, 0.2, 0.0]],
            lambda: CANDIDATE_LAMBDA,
            source: ModelSource::Configured,
            present: [true; N],
        }
    }

    /// Whether a model read back from storage has this build's fields and
    /// levels: a model kept by an older build with other levels is not
    /// used (the configured one is), rather than misread.
    pub fn fits(&self) -> bool {
        let shape = |v: &Vec<Vec<f64>>| v.len() == N && FIELDS.iter().zip(v).all(|(f, l)| l.len() == configured_m(*f).len());
        let finite = |v: &Vec<Vec<f64>>| v.iter().flatten().all(|x| x.is_finite() && (0.0..=1.0).contains(x));
        shape(&self.m)
            && shape(&self.u)
            && finite(&self.m)
            && finite(&self.u)
            && self.namesake_u.iter().zip([Field::Sex, Field::Nationality]).all(|(l, f)| l.len() == configured_m(f).len())
            && self.lambda.is_finite()
            && self.lambda > 0.0
            && self.lambda < 1.0
    }

    pub fn prior(&self) -> f64 {
        let l = self.lambda.clamp(1e-15, 0.5);
        (l / (1.0 - l)).log2()
    }

    /// log2(m/u) at a level without term frequencies; 0 when missing.
    pub fn weight(&self, f: usize, level: u8) -> f64 {
        self.weight_if(f, level, false)
    }

    /// log2(m/u) at a level, the namesake u for sex and nationality when
    /// the names agree.
    pub fn weight_if(&self, f: usize, level: u8, names_agree: bool) -> f64 {
        let l = level as usize;
        if level == FIELDS[f].missing() {
            return 0.0;
        }
        let u = match FIELDS[f] {
            Field::Sex if names_agree => self.namesake_u[0][l],
            Field::Nationality if names_agree => self.namesake_u[1][l],
            _ => self.u[f][l],
        };
        (self.m[f][l].max(1e-9) / u.max(1e-12)).log2()
    }

    /// Score a compared pair, with every part explained. `freq` gives the
    /// term-frequency adjustment (absent, each level weighs its average).
    pub fn score(&self, c: &Comparison, a: &LinkRecord, b: &LinkRecord, freq: Option<&Frequencies>) -> Score {
        let prior = self.prior();
        let (sa, sb) = match freq {
            Some(fr) => (Some(fr.shares(a)), Some(fr.shares(b))),
            None => (None, None),
        };
        let mut parts = Vec::with_capacity(N + 1);
        let mut total = prior;
        for (i, f) in FIELDS.iter().enumerate() {
            let level = c.levels[i];
            if level == f.missing() {
                continue;
            }
            let w = match (&sa, &sb) {
                (Some(sa), Some(sb)) if by_frequency(*f, level) => self.adjusted_weight(i, level, sa, sb, c.crossed),
                _ => self.weight_if(i, level, names_agree(c)),
            };
            total += w;
            parts.push(Part { field: f.as_str(), level: f.levels()[level as usize], weight: w });
        }
        if let (Some(sa), Some(_)) = (&sa, &sb) {
            let w = name_correlation(c, sa);
            if w != 0.0 {
                total += w;
                parts.push(Part { field: "whole_name", level: "common_together", weight: w });
            }
        }
        Score { total, prior, parts }
    }

    /// The weight of field `i` at a `level` that `by_frequency` names,
    /// adjusted by the two records' term frequencies.
    pub(crate) fn adjusted_weight(&self, i: usize, level: u8, sa: &Shares, sb: &Shares, crossed: bool) -> f64 {
        let m = self.m[i][level as usize].max(1e-9);
        // Crossed names: a's given name met b's family name, and so on; a
        // value's share is then taken in either column, the larger.
        let share = |s: &Shares, k: usize| -> f32 {
            if crossed && k < 2 {
                s.exact[k].max(s.exact[1 - k])
            } else {
                s.exact[k]
            }
        };
        match (FIELDS[i], level) {
            (_, 0) => {
                let tf = f64::from(share(sa, i)).max(1e-12);
                (m / tf).log2()
            }
            (Field::GivenName | Field::FamilyName | Field::FatherName | Field::MotherName, 1) if i < 2 => {
                // Another spelling under the same keys: how many records carry
                // the keys under a spelling other than a's.
                let other = (f64::from(sa.keys[i]) - f64::from(share(sa, i))).max(f64::from(share(sb, i)));
                let u = other.max(self.u[i][1].min(1.0) * 1e-3).max(1e-12);
                (m / u).log2()
            }
            _ => self.weight(i, level),
        }
    }

    /// The parts of the model as lines, for the estimation report.
    pub fn describe(&self) -> Vec<String> {
        let mut out = vec![format!("  lambda (two records drawn at random are one person): {:.4e}", self.lambda)];
        for (k, name) in ["sex", "nationality"].iter().enumerate() {
            if self.present[3 + k] {
                out.push(format!("  {name} among namesakes: u same {:.3}", self.namesake_u[k][0]));
            }
        }
        for (i, f) in FIELDS.iter().enumerate().filter(|(i, _)| self.present[*i]) {
            let levels: Vec<String> = f.levels()[..f.levels().len() - 1]
                .iter()
                .enumerate()
                .map(|(l, name)| format!("{name} m {:.4} u {:.2e} ({:+.1})", self.m[i][l], self.u[i][l], self.weight(i, l as u8)))
                .collect();
            out.push(format!("  {}: {}", f.as_str(), levels.join(", ")));
        }
        out
    }
}

/// Whether a field's weight at a level depends on the two records' values
/// (term frequencies): an exact or a variant agreement, except on the date
/// of birth (no frequencies are kept) and on sex and nationality (weighed
/// by whether the names agree instead).
pub(crate) fn by_frequency(f: Field, level: u8) -> bool {
    level <= 1 && !matches!(f, Field::BirthDate | Field::Sex | Field::Nationality)
}

/// Agreeing on both names exactly: when the whole name is commoner in the
/// file than its parts' frequencies multiplied, the pair's evidence is
/// lowered to what the whole name's frequency gives.
pub(crate) fn name_correlation(c: &Comparison, sa: &Shares) -> f64 {
    if c.levels[0] != 0 || c.levels[1] != 0 {
        return 0.0;
    }
    let product = f64::from(sa.exact[0]) * f64::from(sa.exact[1]);
    let whole = f64::from(sa.whole_name);
    if whole > product && product > 0.0 {
        -(whole / product).log2()
    } else {
        0.0
    }
}

/// One field's part in a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub field: &'static str,
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
        let odds = self.total.clamp(-200.0, 200.0).exp2();
        odds / (1.0 + odds)
    }
}

/// How common each value is in a file, for the term-frequency adjustment.
#[derive(Debug, Clone, Default)]
pub struct Frequencies {
    counts: Vec<HashMap<u64, u32>>,
    keys: [HashMap<u64, u32>; 2],
    whole: HashMap<u64, u32>,
    total: u32,
}

/// A record's values' shares of the file: each field's exact value, the
/// given and family names' key sets, and the whole name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shares {
    pub exact: [f32; N],
    pub keys: [f32; 2],
    pub whole_name: f32,
}

fn value_hash(r: &LinkRecord, f: Field) -> Option<u64> {
    let text = |p: &NamePart| (!p.is_empty()).then(|| key_hash(&p.text.replace(' ', "")));
    match f {
        Field::GivenName => text(&r.given),
        Field::FamilyName => text(&r.family),
        Field::FatherName => text(&r.father),
        Field::MotherName => text(&r.mother),
        Field::PlaceOfBirth => text(&r.place_of_birth),
        Field::Address => text(&r.address),
        Field::Locality => text(&r.locality),
        Field::Nationality => r.nationality.as_deref().map(key_hash),
        Field::Phone => r.phone.as_deref().map(key_hash),
        Field::Document => r.document.as_deref().map(key_hash),
        Field::BirthDate | Field::Sex => None,
    }
}

fn keys_hash(p: &NamePart) -> Option<u64> {
    (!p.keys.is_empty()).then(|| p.keys.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, k| (h ^ k).wrapping_mul(0x0100_0000_01b3)))
}

fn whole_hash(r: &LinkRecord) -> Option<u64> {
    let (g, f) = (value_hash(r, Field::GivenName)?, value_hash(r, Field::FamilyName)?);
    // Order-free: crossed names are one whole name.
    Some(g.min(f).wrapping_mul(31) ^ g.max(f))
}

impl Frequencies {
    pub fn of(records: &[LinkRecord]) -> Frequencies {
        let mut fr = Frequencies { counts: vec![HashMap::new(); N], total: records.len() as u32, ..Default::default() };
        for r in records {
            for (i, f) in FIELDS.iter().enumerate() {
                if let Some(h) = value_hash(r, *f) {
                    *fr.counts[i].entry(h).or_insert(0) += 1;
                }
            }
            for (k, p) in [&r.given, &r.family].into_iter().enumerate() {
                if let Some(h) = keys_hash(p) {
                    *fr.keys[k].entry(h).or_insert(0) += 1;
                }
            }
            if let Some(h) = whole_hash(r) {
                *fr.whole.entry(h).or_insert(0) += 1;
            }
        }
        fr
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    /// The record's values' shares of the file (a value the file does not
    /// hold counts once).
    pub fn shares(&self, r: &LinkRecord) -> Shares {
        let n = self.total.max(1) as f32;
        let share = |map: &HashMap<u64, u32>, h: Option<u64>| h.map(|h| *map.get(&h).unwrap_or(&1) as f32 / n).unwrap_or(0.0);
        let mut s = Shares::default();
        for (i, f) in FIELDS.iter().enumerate() {
            s.exact[i] = share(&self.counts[i], value_hash(r, *f));
        }
        s.keys = [share(&self.keys[0], keys_hash(&r.given)), share(&self.keys[1], keys_hash(&r.family))];
        s.whole_name = share(&self.whole, whole_hash(r));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::compare::compare;
    use crate::linkage::record::BirthDate;

    fn rec(id: &str, given: &str, family: &str, birth: &str) -> LinkRecord {
        LinkRecord::new(id, given, family, "M", BirthDate::parse(birth).unwrap(), "GIN", "")
    }

    #[test]
    fn a_common_name_says_less_than_a_rare_one() {
        let mut records: Vec<LinkRecord> = (0..200).map(|i| rec(&i.to_string(), "Mamadou", "Diallo", "")).collect();
        records.push(rec("r", "Tidiane", "Sakho", ""));
        records.push(rec("r2", "Tidiane", "Sakho", ""));
        records.extend((0..200).map(|i| rec(&format!("o{i}"), &format!("Given{i}"), &format!("Family{i}"), "")));
        let freq = Frequencies::of(&records);
        let m = Model::configured();
        let score = |a: &LinkRecord, b: &LinkRecord| m.score(&compare(a, b), a, b, Some(&freq)).total;
        assert!(score(&records[200], &records[201]) > score(&records[0], &records[1]) + 6.0);
    }

    #[test]
    fn a_name_common_as_a_whole_is_weighed_as_a_whole() {
        // "Mamadou" and "Diallo" each are a quarter of the file, but always together.
        let mut records: Vec<LinkRecord> = (0..100).map(|i| rec(&i.to_string(), "Mamadou", "Diallo", "")).collect();
        records.extend((0..300).map(|i| rec(&format!("o{i}"), &format!("Given{i}"), &format!("Family{i}"), "")));
        let freq = Frequencies::of(&records);
        let s = Model::configured().score(&compare(&records[0], &records[1]), &records[0], &records[1], Some(&freq));
        let whole = s.parts.iter().find(|p| p.field == "whole_name").expect("a correction");
        assert!((whole.weight + 2.0).abs() < 1e-3, "log2(0.25 / 0.0625) = 2 bits less: {whole:?}");
    }

    #[test]
    fn a_missing_field_weighs_nothing_and_is_not_listed() {
        let a = rec("a", "Awa", "Bah", "");
        let b = rec("b", "Awa", "Bah", "1990");
        let s = Model::configured().score(&compare(&a, &b), &a, &b, None);
        assert!(s.parts.iter().all(|p| p.field != "birth_date" && p.field != "document"));
        assert!(s.parts.iter().any(|p| p.field == "given_name"));
    }
}
