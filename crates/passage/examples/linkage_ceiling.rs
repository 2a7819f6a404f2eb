//! How far could any model go on a labelled file with Passage's comparisons,
//! blocking and clustering? A model *taught by the answers*: each candidate
//! pair's log-odds is read off the labels of the very file it is scored on,
//! per comparison vector and how common the two names are, then pairs are
//! clustered exactly as `dedupe` clusters them. No model estimated without
//! labels can expect to do better with the same comparisons.
//!
//! Usage: linkage_ceiling PERSONS.csv TRUTH.csv (BENCHMARKS.md, run 15).

use passage_domain::linkage::blocking::{Blocking, BlockingOptions};
use passage_domain::linkage::{cluster, compare, Frequencies, PairScore};
use std::collections::HashMap;

type Key = ([u8; 12], bool, u8, u8);

struct Taught<'a> {
    records: &'a [passage_domain::linkage::LinkRecord],
    buckets: Vec<u8>,
    table: HashMap<Key, (f64, f64)>,
}

impl Taught<'_> {
    fn key(&self, i: u32, j: u32) -> Key {
        let c = compare(&self.records[i as usize], &self.records[j as usize]);
        let (a, b) = (self.buckets[i as usize], self.buckets[j as usize]);
        (c.levels, c.crossed, a.min(b), a.max(b))
    }
}

impl PairScore for Taught<'_> {
    fn log_odds(&self, i: u32, j: u32) -> f64 {
        match self.table.get(&self.key(i, j)) {
            Some((m, u)) => ((m + 0.1) / (u + 0.1)).log2(),
            None => -30.0,
        }
    }
}

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
    let pr = tp as f64 / bc.values().map(pairs).sum::<u64>().max(1) as f64;
    let re = tp as f64 / bp.values().map(pairs).sum::<u64>().max(1) as f64;
    (pr, re, 2.0 * pr * re / (pr + re))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (persons, truth_path) = (args.get(1).expect("persons file"), args.get(2).expect("truth file"));
    let text = std::fs::read_to_string(persons).expect("readable persons");
    let options = passage_service::linkage::ReadOptions::default();
    let records = passage_service::linkage::read_persons(&text, &options).expect("a valid file").records;
    let truth_map = passage_service::linkage::read_pairs(&std::fs::read_to_string(truth_path).expect("truth")).expect("truth");
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let truth: Vec<u32> = records
        .iter()
        .map(|r| {
            let p = truth_map.get(&r.id).map(String::as_str).unwrap_or(r.id.as_str());
            let n = ids.len() as u32;
            *ids.entry(p).or_insert(n)
        })
        .collect();
    let freq = Frequencies::of(&records);
    let n = records.len() as f64;
    let buckets: Vec<u8> = records
        .iter()
        .map(|r| {
            let c = (freq.shares(r).whole_name as f64 * n).round().max(1.0) as u32;
            (32 - c.leading_zeros()).min(8) as u8
        })
        .collect();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    Blocking::new(&records, BlockingOptions::default()).for_each_pair(&records, |_, i, j| pairs.push((i, j)), |_| {});
    pairs.sort_unstable();
    pairs.dedup();
    let mut taught = Taught { records: &records, buckets, table: HashMap::new() };
    for &(i, j) in &pairs {
        let k = taught.key(i, j);
        let e = taught.table.entry(k).or_default();
        if truth[i as usize] == truth[j as usize] {
            e.0 += 1.0;
        } else {
            e.1 += 1.0;
        }
    }
    println!("{} records, {} candidate pairs, {} keys", records.len(), pairs.len(), taught.table.len());
    let scored: Vec<(f64, u32, u32)> = pairs.iter().map(|&(i, j)| (taught.log_odds(i, j), i, j)).collect();
    for t in [0.3, 0.5, 0.7] {
        let cut = (t / (1.0f64 - t)).log2();
        let floor = cut.min(0.0);
        let links: Vec<_> = scored.iter().copied().filter(|l| l.0 >= floor).collect();
        let plain = cluster::cluster(records.len(), links.iter().copied().filter(|l| l.0 >= cut).collect(), &taught).0;
        let shared = cluster::share_among_rivals(&records, links, &taught, cut);
        let rivals = cluster::cluster(records.len(), shared, &taught).0;
        let (p, r, f) = f1(&plain, &truth);
        let (p2, r2, f2) = f1(&rivals, &truth);
        println!("taught t={t}: precision {p:.4} recall {r:.4} F1 {f:.4}; with rivals: precision {p2:.4} recall {r2:.4} F1 {f2:.4}");
    }
    let oracle: Vec<_> = pairs.iter().filter(|(i, j)| truth[*i as usize] == truth[*j as usize]).map(|&(i, j)| (1.0, i, j)).collect();
    let (p, r, f) = f1(&cluster::cluster(records.len(), oracle, &taught).0, &truth);
    println!("every true candidate pair linked, through the clustering's refusals: precision {p:.4} recall {r:.4} F1 {f:.4}");
}
