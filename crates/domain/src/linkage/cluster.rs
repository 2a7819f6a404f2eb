//! From scored pairs to persons. Links are made strongest first, and a link
//! that would put into one person two records the model says are
//! confidently two persons (odds of 99 to 1 against: namesakes born on
//! different days, a man and a woman) is refused. Without that, namesakes
//! who share a common name chain into one person through a record that
//! says too little (a year of birth only). The refusal rests on the
//! model's own evidence, not on a fixed rule about dates, so a pair that
//! agrees on a document number and much else is not kept apart by a
//! mistyped date. And a record is one person: when it is as like several
//! persons as each other, its evidence is shared among them (see
//! `share_among_rivals`).

use super::record::{BirthDate, LinkRecord};

/// Below this probability of being one person, two records are
/// confidently two persons, and no cluster may hold both.
pub const TWO_PERSONS: f64 = 0.01;

/// Below even odds a pair is neither a rival (a rival is at least as
/// likely as a link, and links are at the threshold, at least 0.5) nor
/// evidence that two candidates are one person.
pub const RIVAL_FLOOR: f64 = 0.5;

/// A cluster larger than this is not grown further: checking every pair of
/// two such clusters would cost more than any person's records justify.
pub const MAX_CLUSTER: usize = 64;

/// The log2-odds that two records are one person, computed on demand.
pub trait PairScore {
    fn log_odds(&self, i: u32, j: u32) -> f64;

    /// Whether the two are confidently two persons.
    fn two_persons(&self, i: u32, j: u32) -> bool {
        self.log_odds(i, j) < (TWO_PERSONS / (1.0 - TWO_PERSONS)).log2()
    }
}

/// A record is one person. When it is as like two persons as each other (a
/// record without a date of birth, and three namesakes born in different
/// years), the evidence for each is shared among them: the odds of a link
/// are divided by one plus the odds of its rivals, on both sides of the
/// pair. A link that is one guess among several then falls below the
/// threshold, instead of the first namesake taking the record and its whole
/// cluster becoming false pairs.
///
/// A rival of the link from `a` to `b` is another candidate of `a`, at
/// least as likely as `b`, that is not likely `b`'s own person: the two
/// are confidently two persons, or `b` has no date of birth and the two are
/// not linked at even odds. Weaker candidates are not counted, so a strong
/// link (a shared phone, a full date) is not weakened by the namesakes it
/// already beats.
pub fn share_among_rivals(records: &[LinkRecord], links: Vec<(f64, u32, u32)>, scores: &impl PairScore, cut: f64) -> Vec<(f64, u32, u32)> {
    let mut near: Vec<Vec<(u32, f64)>> = vec![Vec::new(); records.len()];
    for &(score, i, j) in &links {
        let odds = score.exp2();
        near[i as usize].push((j, odds));
        near[j as usize].push((i, odds));
    }
    let linked = |x: u32, y: u32| near[x as usize].iter().any(|(z, odds)| *z == y && *odds >= 1.0);
    let undated = |x: u32| records[x as usize].birth == BirthDate::Unknown;
    let rivals = |a: u32, b: u32, own: f64| -> f64 {
        near[a as usize]
            .iter()
            .filter(|(k, odds)| *k != b && *odds >= own && ((undated(b) && !linked(b, *k)) || scores.two_persons(*k, b)))
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

/// Strongest links first, never one that would join two records that are
/// confidently two persons. Returns each record's cluster (its root's
/// index) and the links made and refused.
pub fn cluster(n: usize, mut links: Vec<(f64, u32, u32)>, scores: &impl PairScore) -> (Vec<u32>, u64, u64) {
    links.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let (mut linked, mut refused) = (0, 0);
    for (_, i, j) in links {
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri == rj {
            continue;
        }
        let (x, y) = (&members[ri as usize], &members[rj as usize]);
        let apart = x.len() + y.len() > MAX_CLUSTER || !one_person(x, y, scores);
        if apart {
            refused += 1;
            continue;
        }
        linked += 1;
        let (keep, gone) = (ri.min(rj), ri.max(rj));
        parent[gone as usize] = keep;
        let moved = std::mem::take(&mut members[gone as usize]);
        members[keep as usize].extend(moved);
    }
    ((0..n as u32).map(|i| find(&mut parent, i)).collect(), linked, refused)
}

/// Whether two clusters are better one person than two: the evidence of
/// every pair across them, added up, is for one person (the partition that
/// the pairs' log-odds favour, as correlation clustering has it). One
/// strong link does not join two clusters whose other records say
/// otherwise: two namesakes with full dates of birth a month apart are not
/// joined through a record that gives only the year.
fn one_person(x: &[u32], y: &[u32], scores: &impl PairScore) -> bool {
    let mut sum = 0.0;
    for &a in x {
        for &b in y {
            sum += scores.log_odds(a, b);
        }
    }
    sum >= 0.0
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}
