//! Which pairs of records are compared at all. Comparing every pair of a
//! million records is half a trillion comparisons, so pairs are found
//! through blocking rules: two records are a candidate pair when they share
//! a key under any one rule. The rules are a union chosen so that a pair
//! agreeing on most of its fields is found even when any one field is
//! wrong: a name typo (the other name with the date), a wrong date (both
//! names' keys without it, or with the year), names the other way round
//! (keys are order-free), a transliteration (variant and phonetic keys), a
//! typo in both names (the date with sex, and the spelling's letter pairs,
//! by MinHash).
//!
//! A block larger than `max_block` (the commonest name in one year) is not
//! dropped: its records are sorted by what the rule did not block on (the
//! other name, the date) and each is compared with its `window` nearest,
//! the sorted-neighbourhood method. The pairs this leaves uncompared are
//! counted and reported.
//!
//! A pair found by several rules is compared once: under the first rule
//! and the first key it shares whose block was compared whole.

use super::record::{BirthDate, LinkRecord};
use std::collections::HashSet;

/// A blocking rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    Document,
    Phone,
    FamilyDate,
    GivenDate,
    DateSex,
    NamesYear,
    FamilyYear,
    GivenYear,
    Names,
    Spelling,
}

pub const RULES: [Rule; 10] = [
    Rule::Document,
    Rule::Phone,
    Rule::FamilyDate,
    Rule::GivenDate,
    Rule::DateSex,
    Rule::NamesYear,
    Rule::FamilyYear,
    Rule::GivenYear,
    Rule::Names,
    Rule::Spelling,
];

impl Rule {
    /// Whether the rule asks for little agreement (one name and a year, or
    /// no date at all): its blocks are many times larger than a strict
    /// rule's, and its pairs weaker evidence each, so its blocks are cut
    /// smaller (see `BlockingOptions::limits`).
    pub fn loose(self) -> bool {
        matches!(self, Rule::FamilyYear | Rule::GivenYear | Rule::Names | Rule::Spelling)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Rule::Document => "same document number",
            Rule::Phone => "same phone number",
            Rule::FamilyDate => "a family-name key and the full date of birth",
            Rule::GivenDate => "a given-name key and the full date of birth",
            Rule::DateSex => "the full date of birth and sex",
            Rule::NamesYear => "two name keys and the year of birth (or the year next to it)",
            Rule::FamilyYear => "a family-name key and the year of birth",
            Rule::GivenYear => "a given-name key and the year of birth",
            Rule::Names => "two name keys, whatever the date",
            Rule::Spelling => "similar spelling of the whole name (MinHash of letter pairs), whatever the date",
        }
    }
}

/// How blocks are cut.
#[derive(Debug, Clone, Copy)]
pub struct BlockingOptions {
    /// A block of more records than this is compared by sorted neighbourhood.
    pub max_block: usize,
    /// How many sorted neighbours each record of an oversized block meets.
    pub window: usize,
}

impl BlockingOptions {
    /// The largest block compared whole, and the window beyond it, under a rule.
    pub fn limits(&self, rule: Rule) -> (usize, usize) {
        if rule.loose() {
            ((self.max_block / 6).max(2), (self.window / 4).max(1))
        } else {
            (self.max_block, self.window)
        }
    }
}

impl Default for BlockingOptions {
    fn default() -> Self {
        BlockingOptions { max_block: 300, window: 20 }
    }
}

/// What blocking did, per rule and in all.
#[derive(Debug, Clone, Default)]
pub struct BlockingReport {
    /// (rule, pairs compared under it, oversized blocks, pairs of those blocks not compared).
    pub rules: Vec<(Rule, u64, u64, u64)>,
    pub compared: u64,
    pub oversized_blocks: u64,
    pub not_compared: u64,
}

const MAX_NAME_WORDS: usize = 5;
const BANDS: usize = 6;
const ROWS: usize = 4;

fn mix(mut h: u64) -> u64 {
    // splitmix64's finaliser: spreads combined keys over all bits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn combine(a: u64, b: u64) -> u64 {
    mix(a ^ b.rotate_left(29).wrapping_add(0x9e37_79b9_7f4a_7c15))
}

fn date_code(b: BirthDate) -> Option<u64> {
    match b {
        BirthDate::Exact { year, month, day } => Some(year as u64 * 10_000 + month as u64 * 100 + day as u64),
        _ => None,
    }
}

/// The first eight bytes of a text as a number, so that sorting by it
/// sorts by the text's start.
fn text_order(s: &str) -> u64 {
    let mut b = [0u8; 8];
    for (i, c) in s.bytes().take(8).enumerate() {
        b[i] = c;
    }
    u64::from_be_bytes(b)
}

/// The rule's keys for a record, appended to `out` (sorted, no repeats).
pub fn keys(rule: Rule, r: &LinkRecord, out: &mut Vec<u64>) {
    let start = out.len();
    let tag = rule as u64 + 1;
    let year = r.birth.year().map(|y| y as u64);
    match rule {
        Rule::Document => out.extend(r.document.as_deref().map(|d| combine(tag, super::record::key_hash(d)))),
        Rule::Phone => out.extend(r.phone.as_deref().map(|d| combine(tag, super::record::key_hash(d)))),
        Rule::FamilyDate | Rule::GivenDate => {
            if let Some(d) = date_code(r.birth) {
                let part = if rule == Rule::FamilyDate { &r.family } else { &r.given };
                out.extend(part.keys.iter().take(MAX_NAME_WORDS).map(|k| combine(combine(tag, *k), d)));
            }
        }
        Rule::DateSex => {
            if let Some(d) = date_code(r.birth) {
                out.push(combine(combine(tag, d), r.sex.map(|c| c as u64).unwrap_or(0)));
            }
        }
        Rule::FamilyYear | Rule::GivenYear => {
            if let Some(y) = year {
                let part = if rule == Rule::FamilyYear { &r.family } else { &r.given };
                out.extend(part.keys.iter().take(MAX_NAME_WORDS).map(|k| combine(combine(tag, *k), y)));
            }
        }
        Rule::NamesYear | Rule::Names => {
            let keys = r.name_keys();
            let keys = &keys[..keys.len().min(MAX_NAME_WORDS)];
            let mut pairs = Vec::new();
            for i in 0..keys.len() {
                for j in i + 1..keys.len() {
                    pairs.push(combine(keys[i], keys[j]));
                }
            }
            if keys.len() == 1 {
                pairs.push(keys[0]);
            }
            for p in pairs {
                match (rule, year) {
                    (Rule::NamesYear, Some(y)) => {
                        out.push(combine(combine(tag, p), y));
                        out.push(combine(combine(tag, p), y - 1));
                    }
                    (Rule::NamesYear, None) => {}
                    _ => out.push(combine(tag, p)),
                }
            }
        }
        Rule::Spelling => spelling_bands(r, tag, out),
    }
    // Bit 0 is kept for marking a key whose block is oversized (see
    // `Blocking::for_each_pair`); clearing it keeps keys' order.
    for k in &mut out[start..] {
        *k &= !1;
    }
    out[start..].sort_unstable();
    let mut w = start;
    for i in start..out.len() {
        if i == start || out[i] != out[w - 1] {
            out[w] = out[i];
            w += 1;
        }
    }
    out.truncate(w);
}

/// MinHash bands over the letter pairs of the whole name (words sorted,
/// each padded), so that two spellings a letter or two apart share a band
/// with high probability and unrelated names almost never do.
fn spelling_bands(r: &LinkRecord, tag: u64, out: &mut Vec<u64>) {
    let words = r.words();
    if words.is_empty() {
        return;
    }
    let mut grams: Vec<u64> = Vec::new();
    for w in &words {
        let b = w.as_bytes();
        let mut prev = b'^';
        for &c in b.iter().chain(std::iter::once(&b'$')) {
            grams.push(mix(u64::from(prev) << 8 | u64::from(c)));
            prev = c;
        }
    }
    if grams.len() < 4 {
        return;
    }
    for band in 0..BANDS {
        let mut h = combine(tag, band as u64);
        for row in 0..ROWS {
            let seed = mix((band * ROWS + row) as u64 + 0x5bd1_e995);
            let min = grams.iter().map(|g| mix(g ^ seed)).min().unwrap_or(0);
            h = combine(h, min);
        }
        out.push(h);
    }
}

/// The order of an oversized block's records: by what the rule did not
/// block on.
fn order(rule: Rule, r: &LinkRecord) -> u64 {
    match rule {
        Rule::FamilyYear => text_order(&r.given.text),
        Rule::GivenYear => text_order(&r.family.text),
        Rule::NamesYear | Rule::Names | Rule::Spelling => date_code(r.birth).or(r.birth.year().map(|y| y as u64 * 10_000)).unwrap_or(0),
        Rule::Document | Rule::Phone | Rule::FamilyDate | Rule::GivenDate | Rule::DateSex => {
            text_order(&format!("{}{}", r.family.text, r.given.text))
        }
    }
}

/// Every rule's keys for every record, computed once.
pub struct Blocking {
    /// keys of record `i` under rule `k`: `keys[offsets[i * R + k]..offsets[i * R + k + 1]]`,
    /// with bit 0 set on a key whose block is oversized.
    keys: Vec<u64>,
    offsets: Vec<u32>,
    options: BlockingOptions,
    n: usize,
}

impl Blocking {
    pub fn new(records: &[LinkRecord], options: BlockingOptions) -> Blocking {
        let mut keys = Vec::with_capacity(records.len() * 24);
        let mut offsets = Vec::with_capacity(records.len() * RULES.len() + 1);
        offsets.push(0u32);
        for r in records {
            for rule in RULES {
                self::keys(rule, r, &mut keys);
                offsets.push(keys.len() as u32);
            }
        }
        Blocking { keys, offsets, options, n: records.len() }
    }

    fn of(&self, i: u32, k: usize) -> &[u64] {
        let at = i as usize * RULES.len() + k;
        &self.keys[self.offsets[at] as usize..self.offsets[at + 1] as usize]
    }

    /// Whether the pair was (or will be) compared under an earlier rule, or
    /// under an earlier key of this rule, in a block compared whole.
    fn seen_before(&self, i: u32, j: u32, rule: usize, key: u64) -> bool {
        for k in 0..=rule {
            let (a, b) = (self.of(i, k), self.of(j, k));
            let (mut x, mut y) = (0, 0);
            while x < a.len() && y < b.len() {
                if a[x] == b[y] {
                    if k == rule && a[x] & !1 >= key {
                        break;
                    }
                    if a[x] & 1 == 0 {
                        return true;
                    }
                    x += 1;
                    y += 1;
                } else if a[x] < b[y] {
                    x += 1;
                } else {
                    y += 1;
                }
            }
        }
        false
    }

    /// Visit every candidate pair once (pairs of oversized blocks beyond
    /// the window are not visited, and counted). `progress` gets the share
    /// of rules done.
    pub fn for_each_pair(
        &mut self,
        records: &[LinkRecord],
        mut visit: impl FnMut(Rule, u32, u32),
        mut progress: impl FnMut(f64),
    ) -> BlockingReport {
        let mut report = BlockingReport::default();
        let mut entries: Vec<(u64, u32)> = Vec::new();
        for (k, rule) in RULES.iter().enumerate() {
            let (max_block, window) = self.options.limits(*rule);
            entries.clear();
            for i in 0..self.n as u32 {
                entries.extend(self.of(i, k).iter().map(|key| (*key, i)));
            }
            entries.sort_unstable();
            let mut runs = Vec::new();
            let mut oversized_keys = HashSet::new();
            let mut s = 0;
            while s < entries.len() {
                let mut e = s + 1;
                while e < entries.len() && entries[e].0 == entries[s].0 {
                    e += 1;
                }
                if e - s > 1 {
                    runs.push((s, e));
                    if e - s > max_block {
                        oversized_keys.insert(entries[s].0);
                    }
                }
                s = e;
            }
            if !oversized_keys.is_empty() {
                for i in 0..self.n {
                    let at = i * RULES.len() + k;
                    for key in &mut self.keys[self.offsets[at] as usize..self.offsets[at + 1] as usize] {
                        if oversized_keys.contains(key) {
                            *key |= 1;
                        }
                    }
                }
            }
            let (mut compared, mut oversized, mut skipped) = (0u64, 0u64, 0u64);
            let mut members: Vec<(u64, u32)> = Vec::new();
            let runs_in_rule = runs.len().max(1) as f64;
            for (done, (s, e)) in runs.into_iter().enumerate() {
                // Within a rule too: the loosest rules compare millions of pairs.
                if done % 4096 == 0 {
                    progress((k as f64 + done as f64 / runs_in_rule) / RULES.len() as f64);
                }
                let key = entries[s].0;
                let n = e - s;
                if n <= max_block {
                    for x in s..e {
                        for y in x + 1..e {
                            let (i, j) = (entries[x].1, entries[y].1);
                            if !self.seen_before(i, j, k, key) {
                                compared += 1;
                                visit(*rule, i, j);
                            }
                        }
                    }
                } else {
                    oversized += 1;
                    members.clear();
                    members.extend(entries[s..e].iter().map(|(_, i)| (order(*rule, &records[*i as usize]), *i)));
                    members.sort_unstable();
                    let w = window;
                    let mut visited = 0u64;
                    for x in 0..n {
                        for y in x + 1..(x + 1 + w).min(n) {
                            let (i, j) = (members[x].1, members[y].1);
                            visited += 1;
                            if !self.seen_before(i, j, k, key) {
                                compared += 1;
                                visit(*rule, i.min(j), i.max(j));
                            }
                        }
                    }
                    skipped += (n as u64 * (n as u64 - 1) / 2).saturating_sub(visited);
                }
            }
            report.rules.push((*rule, compared, oversized, skipped));
            report.compared += compared;
            report.oversized_blocks += oversized;
            report.not_compared += skipped;
            progress((k + 1) as f64 / RULES.len() as f64);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, given: &str, family: &str, birth: &str) -> LinkRecord {
        LinkRecord::new(id, given, family, "M", BirthDate::parse(birth).unwrap(), "", "")
    }

    fn pairs(records: &[LinkRecord], options: BlockingOptions) -> (Vec<(u32, u32)>, BlockingReport) {
        let mut out = Vec::new();
        let report = Blocking::new(records, options).for_each_pair(records, |_, i, j| out.push((i.min(j), i.max(j))), |_| {});
        (out, report)
    }

    #[test]
    fn a_pair_is_found_whichever_single_field_is_wrong_and_only_once() {
        let base = rec("0", "Jonathan", "Diallo", "1978-03-04");
        let variants = [
            rec("1", "Jnoathan", "Diallo", "1978-03-04"),  // given typo
            rec("2", "Jonathan", "Dialllo", "1978-03-04"), // family typo
            rec("3", "Jonathan", "Diallo", "1987-04-03"),  // date wrong
            rec("4", "Diallo", "Jonathan", "1978-03-04"),  // swapped
            rec("5", "Jonathan", "Diallo", ""),            // no date
            rec("6", "Jonahtan", "Dialo", "1978-03-04"),   // both names, date right
        ];
        for v in variants {
            let (found, _) = pairs(&[base.clone(), v.clone()], BlockingOptions::default());
            assert_eq!(found, vec![(0, 1)], "{v:?}");
        }
        let (found, _) = pairs(&[base.clone(), rec("7", "Aminata", "Keita", "1990-05-05")], BlockingOptions::default());
        assert!(found.is_empty());
    }

    #[test]
    fn an_oversized_block_is_compared_by_neighbours_and_what_is_left_is_counted() {
        let records: Vec<LinkRecord> = (0..50).map(|i| rec(&i.to_string(), "Mamadou", "Diallo", &format!("{}", 1950 + i))).collect();
        let (found, report) = pairs(&records, BlockingOptions { max_block: 60, window: 12 });
        let mut unique = found.clone();
        unique.sort_unstable();
        unique.dedup();
        assert!(report.oversized_blocks >= 1);
        assert!(report.not_compared > 0);
        // Neighbours by year meet: 1950 and 1951, 1970 and 1972.
        assert!(unique.contains(&(0, 1)) && unique.contains(&(20, 22)));
        assert!(!unique.contains(&(0, 40)), "far years in an oversized block are not compared");
    }
}
