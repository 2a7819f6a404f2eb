//! From scored pairs to persons. Links are made strongest first, and a link
//! that would put into one person two records a person cannot have (a man
//! and a woman; two dates of birth no single error explains) is refused:
//! without that, namesakes who share a common name chain into one person.
//! And a record is one person: when it is as like several persons as each
//! other, its evidence is shared among them (see `share_among_rivals`).

use super::compare::births_compatible;
use super::record::{BirthDate, LinkRecord};

/// What a cluster's records say about the person.
#[derive(Debug, Clone, Default)]
pub struct ClusterFacts {
    sexes: u8,
    births: Vec<BirthDate>,
}

impl ClusterFacts {
    pub fn of(r: &LinkRecord) -> ClusterFacts {
        let sexes = match r.sex {
            Some('M') => 1,
            Some('F') => 2,
            _ => 0,
        };
        let births = if r.birth == BirthDate::Unknown { Vec::new() } else { vec![r.birth] };
        ClusterFacts { sexes, births }
    }

    /// Whether the two clusters are certainly two persons.
    pub fn conflicts(&self, other: &ClusterFacts) -> bool {
        if self.sexes | other.sexes == 3 {
            return true;
        }
        self.births.iter().any(|a| other.births.iter().any(|b| !births_compatible(*a, *b)))
    }

    pub fn has_birth(&self) -> bool {
        !self.births.is_empty()
    }

    fn absorb(&mut self, other: ClusterFacts) {
        self.sexes |= other.sexes;
        for b in other.births {
            if !self.births.contains(&b) {
                self.births.push(b);
            }
        }
    }
}

/// Below even odds a pair is neither a rival (a rival is at least as
/// likely as a link, and links are at the threshold, at least 0.5) nor
/// evidence that two candidates are one person.
pub const RIVAL_FLOOR: f64 = 0.5;

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
/// date) is not weakened by the namesakes it already beats.
pub fn share_among_rivals(n: usize, links: Vec<(f64, u32, u32)>, facts: &[ClusterFacts], cut: f64) -> Vec<(f64, u32, u32)> {
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
                    && (facts[*k as usize].conflicts(&facts[b as usize]) || (!facts[b as usize].has_birth() && !linked(b, *k)))
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

/// Strongest links first, never one that would join two persons a cluster
/// tells apart. Returns each record's cluster (its root's index) and the
/// links made and refused.
pub fn cluster(mut links: Vec<(f64, u32, u32)>, mut facts: Vec<ClusterFacts>) -> (Vec<u32>, u64, u64) {
    links.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut parent: Vec<u32> = (0..facts.len() as u32).collect();
    let (mut linked, mut refused) = (0, 0);
    for (_, i, j) in links {
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri == rj {
            continue;
        }
        if facts[ri as usize].conflicts(&facts[rj as usize]) {
            refused += 1;
            continue;
        }
        linked += 1;
        let (keep, gone) = (ri.min(rj), ri.max(rj));
        parent[gone as usize] = keep;
        let moved = std::mem::take(&mut facts[gone as usize]);
        facts[keep as usize].absorb(moved);
    }
    ((0..facts.len() as u32).map(|i| find(&mut parent, i)).collect(), linked, refused)
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}
