//! Disclosure control: the one step every figure passes through before it
//! reaches someone who may not see the persons behind it (programme viewers,
//! the public page, exports, the API). A count of people is published only
//! when it is at least the threshold `k` (default 5) or zero; a smaller count
//! is suppressed (primary suppression), and further cells are suppressed
//! (secondary, or complementary, suppression) until no suppressed cell can be
//! worked out from what is published, row and column totals included.
//!
//! Why the rule is "no suppressed cell is a bridge": a two-way table with its
//! margins is a set of equations, one per row and one per column, each saying
//! "the cells add up to the total". Draw one node per row equation and one
//! per column equation, and one edge per table entry (an interior cell joins
//! its row and its column; a row total joins its row and the column of totals;
//! the grand total joins the row of totals and the column of totals). Once the
//! published numbers are moved to the right-hand side, the suppressed entries
//! are the unknowns of a conservation system on that graph, whose solutions
//! differ by alternating flows around cycles. An unknown is pinned down
//! exactly when its edge lies on no cycle of suppressed edges — a bridge — and
//! free to move otherwise (every suppressed entry is positive, so it can move
//! a little either way). So the algorithm adds the cheapest rectangle of
//! suppressions that puts each bridge on a cycle, until none is left. Tests
//! attack the result with exact linear algebra and with interval reasoning.
//!
//! Optional rounding (to a base such as 5) is applied after suppression to each
//! published number independently, totals included; rounded totals may then
//! differ from the sum of the rounded cells, which the pages say.

use serde::Serialize;

/// How figures are protected. Kept in the settings; the defaults are the
/// field's common practice (the threshold of 5 used by humanitarian data
/// platforms and national statistical offices for counts of people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DisclosureRules {
    /// Counts from 1 to `threshold - 1` are never published.
    pub threshold: u64,
    /// Round every published count to a multiple of this, when set.
    pub rounding_base: Option<u64>,
}

impl Default for DisclosureRules {
    fn default() -> Self {
        DisclosureRules { threshold: 5, rounding_base: None }
    }
}

impl DisclosureRules {
    /// A threshold below 2 would publish single persons; refuse it.
    pub fn new(threshold: u64, rounding_base: Option<u64>) -> Option<DisclosureRules> {
        let rounding_ok = rounding_base.is_none_or(|b| (2..=100).contains(&b));
        ((2..=100).contains(&threshold) && rounding_ok).then_some(DisclosureRules { threshold, rounding_base })
    }

    fn is_sensitive(&self, n: u64) -> bool {
        n > 0 && n < self.threshold
    }

    fn publish(&self, n: u64) -> u64 {
        match self.rounding_base {
            // Round half up to the nearest multiple.
            Some(b) => (n + b / 2) / b * b,
            None => n,
        }
    }

    /// A lone figure with no total beside it: suppressed when sensitive.
    pub fn figure(&self, n: u64) -> Figure {
        if self.is_sensitive(n) {
            Figure::Suppressed
        } else {
            Figure::Count(self.publish(n))
        }
    }
}

/// A published number: a count, or suppressed (serialised as `null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Count(u64),
    Suppressed,
}

impl Figure {
    pub fn count(self) -> Option<u64> {
        match self {
            Figure::Count(n) => Some(n),
            Figure::Suppressed => None,
        }
    }
}

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.count().serialize(s)
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Figure::Count(n) => write!(f, "{n}"),
            // The conventional mark in published statistical tables.
            Figure::Suppressed => f.write_str("*"),
        }
    }
}

/// A two-way table as published: cells, row totals, column totals, grand total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectedTable {
    pub cells: Vec<Vec<Figure>>,
    pub row_totals: Vec<Figure>,
    pub column_totals: Vec<Figure>,
    pub total: Figure,
}

impl ProtectedTable {
    pub fn suppressed(&self) -> usize {
        let inner = self.cells.iter().flatten().filter(|f| **f == Figure::Suppressed).count();
        let margins = self.row_totals.iter().chain(&self.column_totals).filter(|f| **f == Figure::Suppressed).count();
        inner + margins + usize::from(self.total == Figure::Suppressed)
    }
}

/// Protect a table of counts (rows × columns, every row the same length) and
/// its margins. An empty table publishes only its zero total.
pub fn protect(counts: &[Vec<u64>], rules: &DisclosureRules) -> ProtectedTable {
    let rows = counts.len();
    let cols = counts.first().map_or(0, Vec::len);
    assert!(counts.iter().all(|r| r.len() == cols), "a table's rows all have the same length");
    let grid = Grid::with_margins(counts);
    let mut hidden: Vec<Vec<bool>> = grid.values.iter().map(|r| r.iter().map(|&v| rules.is_sensitive(v)).collect()).collect();
    complete_suppression(&grid, &mut hidden);
    let out = |i: usize, j: usize| if hidden[i][j] { Figure::Suppressed } else { Figure::Count(rules.publish(grid.values[i][j])) };
    ProtectedTable {
        cells: (0..rows).map(|i| (0..cols).map(|j| out(i, j)).collect()).collect(),
        row_totals: (0..rows).map(|i| out(i, cols)).collect(),
        column_totals: (0..cols).map(|j| out(rows, j)).collect(),
        total: out(rows, cols),
    }
}

/// The table with its totals: the last row holds the column totals, the last
/// column the row totals, the corner the grand total.
struct Grid {
    values: Vec<Vec<u64>>,
}

impl Grid {
    fn with_margins(counts: &[Vec<u64>]) -> Grid {
        let cols = counts.first().map_or(0, Vec::len);
        let mut values: Vec<Vec<u64>> = counts
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.push(r.iter().sum());
                r
            })
            .collect();
        let totals = (0..=cols).map(|j| values.iter().map(|r| r[j]).sum()).collect();
        values.push(totals);
        Grid { values }
    }

    fn height(&self) -> usize {
        self.values.len()
    }

    fn width(&self) -> usize {
        self.values[0].len()
    }
}

/// Add suppressions until no suppressed entry is a bridge (see the module doc).
fn complete_suppression(grid: &Grid, hidden: &mut [Vec<bool>]) {
    let (h, w) = (grid.height(), grid.width());
    // Each round fixes one bridge by suppressing at least one more entry, so
    // this ends after at most h × w rounds.
    while let Some((r, c)) = find_bridge(hidden, h, w) {
        let (r2, c2) = cheapest_rectangle(grid, hidden, r, c);
        for (i, j) in [(r, c2), (r2, c), (r2, c2)] {
            hidden[i][j] = true;
        }
    }
}

/// The cost of suppressing one more entry: its value, so the smallest cells go
/// first; a zero is avoided because a suppressed zero can only move upwards,
/// which narrows what the attacker has to guess.
fn cost(v: u64) -> u64 {
    if v == 0 {
        1 << 40
    } else {
        v
    }
}

/// The other corner (r2, c2) of the rectangle through (r, c) that suppresses
/// the least. Every (row, column) pair of the grid is an entry, so a rectangle
/// always exists while the grid has two rows and two columns (it always does:
/// the margins add one of each).
fn cheapest_rectangle(grid: &Grid, hidden: &[Vec<bool>], r: usize, c: usize) -> (usize, usize) {
    // The grand total is shared by every breakdown of a figure: suppressing it
    // here would force it out of all of them, so it goes last.
    let corner = (grid.height() - 1, grid.width() - 1);
    let extra = |i: usize, j: usize| {
        if hidden[i][j] {
            0
        } else if (i, j) == corner {
            cost(grid.values[i][j]).saturating_add(1 << 30)
        } else {
            cost(grid.values[i][j])
        }
    };
    let mut best: Option<(u64, usize, usize)> = None;
    for r2 in (0..grid.height()).filter(|&i| i != r) {
        for c2 in (0..grid.width()).filter(|&j| j != c) {
            let added = extra(r, c2) + extra(r2, c) + extra(r2, c2);
            if best.is_none_or(|(b, _, _)| added < b) {
                best = Some((added, r2, c2));
            }
        }
    }
    let (_, r2, c2) = best.expect("a grid with margins has at least two rows and two columns");
    (r2, c2)
}

/// A suppressed entry that lies on no cycle of suppressed entries, if any.
/// Nodes 0..h are row equations, h..h+w column equations.
fn find_bridge(hidden: &[Vec<bool>], h: usize, w: usize) -> Option<(usize, usize)> {
    let n = h + w;
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut edges = Vec::new();
    for (i, row) in hidden.iter().enumerate() {
        for (j, &s) in row.iter().enumerate() {
            if s {
                let e = edges.len();
                edges.push((i, j));
                adj[i].push((h + j, e));
                adj[h + j].push((i, e));
            }
        }
    }
    // Tarjan's bridge finding, iteratively (tables can be wide).
    let mut disc = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut time = 0;
    for start in 0..n {
        if disc[start] != usize::MAX || adj[start].is_empty() {
            continue;
        }
        // (node, edge it was entered by, next neighbour index)
        let mut stack = vec![(start, usize::MAX, 0usize)];
        disc[start] = time;
        low[start] = time;
        time += 1;
        while let Some(&mut (v, via, ref mut k)) = stack.last_mut() {
            if *k < adj[v].len() {
                let (u, e) = adj[v][*k];
                *k += 1;
                if e == via {
                    continue;
                }
                if disc[u] == usize::MAX {
                    disc[u] = time;
                    low[u] = time;
                    time += 1;
                    stack.push((u, e, 0));
                } else {
                    low[v] = low[v].min(disc[u]);
                }
            } else {
                stack.pop();
                if let Some(&(p, _, _)) = stack.last() {
                    low[p] = low[p].min(low[v]);
                    if low[v] > disc[p] {
                        return Some(edges[via]);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an attacker learns: for every entry, the interval it must lie in
    /// given the published numbers, the equations and non-negativity, by
    /// propagating bounds through the equations until nothing changes.
    fn attack_by_intervals(t: &ProtectedTable) -> Vec<Vec<(u64, u64)>> {
        let rows = t.cells.len();
        let cols = t.column_totals.len();
        let mut g: Vec<Vec<Figure>> = t
            .cells
            .iter()
            .zip(&t.row_totals)
            .map(|(r, tot)| {
                let mut r = r.clone();
                r.push(*tot);
                r
            })
            .collect();
        let mut last = t.column_totals.clone();
        last.push(t.total);
        g.push(last);
        let big = 1u64 << 40;
        let mut b: Vec<Vec<(u64, u64)>> = g.iter().map(|r| r.iter().map(|f| f.count().map_or((0, big), |n| (n, n))).collect()).collect();
        // Each line: members and its total entry.
        type Entry = (usize, usize);
        let mut lines: Vec<(Vec<Entry>, Entry)> = Vec::new();
        for i in 0..=rows {
            lines.push(((0..cols).map(|j| (i, j)).collect(), (i, cols)));
        }
        for j in 0..=cols {
            lines.push(((0..rows).map(|i| (i, j)).collect(), (rows, j)));
        }
        loop {
            let mut changed = false;
            for (members, total) in &lines {
                let sum = |b: &[Vec<(u64, u64)>], f: fn((u64, u64)) -> u64, skip: Option<(usize, usize)>| -> u64 {
                    members.iter().filter(|&&m| Some(m) != skip).map(|&(i, j)| f(b[i][j])).fold(0u64, |a, x| a.saturating_add(x).min(big))
                };
                let (tl, th) = b[total.0][total.1];
                let nt = (tl.max(sum(&b, |x| x.0, None)), th.min(sum(&b, |x| x.1, None)));
                if nt != (tl, th) {
                    b[total.0][total.1] = nt;
                    changed = true;
                }
                for &(i, j) in members {
                    let (l, h) = b[i][j];
                    let others_lo = sum(&b, |x| x.0, Some((i, j)));
                    let others_hi = sum(&b, |x| x.1, Some((i, j)));
                    let nl = if others_hi >= big { l } else { l.max(nt.0.saturating_sub(others_hi)) };
                    let nh = h.min(nt.1.saturating_sub(others_lo));
                    if (nl, nh) != (l, h) {
                        b[i][j] = (nl, nh);
                        changed = true;
                    }
                }
            }
            if !changed {
                return b;
            }
        }
    }

    /// Exact algebra: an unknown is recovered when its unit vector lies in
    /// the row space of the equations restricted to the unknowns. Gaussian
    /// elimination over the rationals (the coefficients are 0 and ±1, so
    /// f64 with a tolerance is exact enough at these sizes).
    fn exactly_recoverable(t: &ProtectedTable) -> Vec<(usize, usize)> {
        let rows = t.cells.len();
        let cols = t.column_totals.len();
        let entry = |i: usize, j: usize| -> Figure {
            match (i == rows, j == cols) {
                (false, false) => t.cells[i][j],
                (false, true) => t.row_totals[i],
                (true, false) => t.column_totals[j],
                (true, true) => t.total,
            }
        };
        let unknowns: Vec<(usize, usize)> =
            (0..=rows).flat_map(|i| (0..=cols).map(move |j| (i, j))).filter(|&(i, j)| entry(i, j) == Figure::Suppressed).collect();
        let col_of = |p: (usize, usize)| unknowns.iter().position(|&u| u == p);
        let mut m: Vec<Vec<f64>> = Vec::new();
        for i in 0..=rows {
            let mut eq = vec![0.0; unknowns.len()];
            for j in 0..cols {
                if let Some(k) = col_of((i, j)) {
                    eq[k] += 1.0;
                }
            }
            if let Some(k) = col_of((i, cols)) {
                eq[k] -= 1.0;
            }
            m.push(eq);
        }
        for j in 0..=cols {
            let mut eq = vec![0.0; unknowns.len()];
            for i in 0..rows {
                if let Some(k) = col_of((i, j)) {
                    eq[k] += 1.0;
                }
            }
            if let Some(k) = col_of((rows, j)) {
                eq[k] -= 1.0;
            }
            m.push(eq);
        }
        // Reduced row echelon form.
        let mut pivots = Vec::new();
        let mut r = 0;
        for c in 0..unknowns.len() {
            let Some(p) = (r..m.len()).find(|&i| m[i][c].abs() > 1e-9) else { continue };
            m.swap(r, p);
            let pv = m[r][c];
            m[r].iter_mut().for_each(|x| *x /= pv);
            for i in 0..m.len() {
                if i != r && m[i][c].abs() > 1e-9 {
                    let f = m[i][c];
                    let pr = m[r].clone();
                    m[i].iter_mut().zip(pr).for_each(|(x, y)| *x -= f * y);
                }
            }
            pivots.push((r, c));
            r += 1;
        }
        // A unknown is determined when its pivot row has no other non-zero entry.
        pivots
            .into_iter()
            .filter(|&(row, c)| m[row].iter().enumerate().all(|(k, x)| k == c || x.abs() < 1e-9))
            .map(|(_, c)| unknowns[c])
            .collect()
    }

    fn assert_safe(counts: &[Vec<u64>], rules: &DisclosureRules) -> ProtectedTable {
        let t = protect(counts, rules);
        assert!(exactly_recoverable(&t).is_empty(), "recoverable {:?} in {t:?}", exactly_recoverable(&t));
        let b = attack_by_intervals(&t);
        let rows = counts.len();
        for (i, r) in b.iter().enumerate() {
            for (j, &(lo, hi)) in r.iter().enumerate() {
                let sensitive = if i < rows && j < counts[0].len() { rules.is_sensitive(counts[i][j]) } else { false };
                assert!(!(sensitive && lo == hi), "cell ({i},{j}) recovered as {lo} in {t:?}");
                if i < rows && j < counts[0].len() {
                    assert!(lo <= counts[i][j] && counts[i][j] <= hi, "the attack's bounds must hold the truth");
                }
            }
        }
        // Nothing sensitive is published.
        for (i, r) in t.cells.iter().enumerate() {
            for (j, f) in r.iter().enumerate() {
                if rules.is_sensitive(counts[i][j]) {
                    assert_eq!(*f, Figure::Suppressed);
                }
            }
        }
        t
    }

    #[test]
    fn a_single_small_cell_takes_three_others_with_it() {
        let counts = vec![vec![20, 3, 40], vec![15, 25, 30], vec![50, 60, 70]];
        let t = assert_safe(&counts, &DisclosureRules::default());
        assert_eq!(t.cells[0][1], Figure::Suppressed);
        // The cheapest rectangle: the row's and column's smallest partners.
        assert_eq!(t.cells[0][0], Figure::Suppressed);
        assert_eq!(t.cells[1][1], Figure::Suppressed);
        assert_eq!(t.cells[1][0], Figure::Suppressed);
        assert_eq!(t.suppressed(), 4);
        assert_eq!(t.total, Figure::Count(313));
        assert_eq!(t.row_totals[0], Figure::Count(63));
    }

    #[test]
    fn without_secondary_suppression_the_attack_recovers_the_cell() {
        // The attack is real: publishing everything but the small cell gives it away.
        let t = ProtectedTable {
            cells: vec![vec![Figure::Count(20), Figure::Suppressed], vec![Figure::Count(15), Figure::Count(25)]],
            row_totals: vec![Figure::Count(23), Figure::Count(40)],
            column_totals: vec![Figure::Count(35), Figure::Count(28)],
            total: Figure::Count(63),
        };
        assert_eq!(exactly_recoverable(&t), vec![(0, 1)]);
        assert_eq!(attack_by_intervals(&t)[0][1], (3, 3));
    }

    #[test]
    fn two_suppressions_in_a_line_are_not_enough_when_they_form_a_bridge() {
        // Cells 1 and 2 in one row, each the only small cell of its column:
        // the row has two suppressions but each column has one.
        let counts = vec![vec![1, 2, 50], vec![30, 40, 60]];
        assert_safe(&counts, &DisclosureRules::default());
    }

    #[test]
    fn small_totals_are_suppressed_too() {
        // A row of 1 + 2 = 3 people: the row total is itself a small count.
        let counts = vec![vec![1, 2, 0], vec![30, 40, 60], vec![12, 9, 7]];
        let t = assert_safe(&counts, &DisclosureRules::default());
        assert_eq!(t.row_totals[0], Figure::Suppressed);
    }

    #[test]
    fn one_dimensional_lists_and_tiny_tables() {
        assert_safe(&[vec![3, 40, 50, 7]], &DisclosureRules::default());
        assert_safe(&[vec![3]], &DisclosureRules::default());
        assert_safe(&[vec![3], vec![9], vec![12]], &DisclosureRules::default());
        let t = assert_safe(&[vec![2, 1]], &DisclosureRules::default());
        assert_eq!(t.total, Figure::Suppressed);
        let t = protect(&[], &DisclosureRules::default());
        assert_eq!(t.total, Figure::Count(0));
    }

    #[test]
    fn zeros_are_published() {
        let t = assert_safe(&[vec![0, 40], vec![30, 0]], &DisclosureRules::default());
        assert_eq!(t.suppressed(), 0);
    }

    #[test]
    fn rounding_applies_to_what_is_published() {
        let rules = DisclosureRules::new(5, Some(5)).unwrap();
        // Rounded figures are not exact, so the exact attacks above do not apply.
        let t = protect(&[vec![12, 18], vec![27, 33]], &rules);
        assert_eq!(t.cells[0][0], Figure::Count(10));
        assert_eq!(t.cells[1][1], Figure::Count(35));
        assert_eq!(t.total, Figure::Count(90));
        assert!(DisclosureRules::new(1, None).is_none(), "a threshold of 1 publishes single persons");
        assert!(DisclosureRules::new(5, Some(1)).is_none());
    }

    /// Many random tables, shaped like the disaggregations the dashboards
    /// publish (offices × age groups, sex × vulnerability), with many small
    /// cells: no suppressed cell is ever recoverable.
    #[test]
    fn the_attack_fails_on_many_random_tables() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..400 {
            let rows = 1 + (next() % 8) as usize;
            let cols = 1 + (next() % 7) as usize;
            let counts: Vec<Vec<u64>> = (0..rows)
                .map(|_| {
                    (0..cols)
                        .map(|_| match next() % 4 {
                            0 => 0,
                            1 => next() % 5,
                            _ => next() % 200,
                        })
                        .collect()
                })
                .collect();
            for threshold in [3, 5, 10] {
                assert_safe(&counts, &DisclosureRules::new(threshold, None).unwrap());
            }
        }
    }
}
