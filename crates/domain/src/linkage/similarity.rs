//! String similarity for names and other written values, on folded ASCII
//! bytes (`names::fold_words` leaves only lower-case letters and digits):
//! Jaro–Winkler, which forgives a letter off near the end more than near
//! the start (names are typed from their start), and the Damerau–Levenshtein
//! distance in its optimal-string-alignment form, which counts a swap of
//! two neighbouring letters (or digits: 1978/1987) as one edit. Written
//! here on bytes rather than taken from a crate because the linkage calls
//! them tens of millions of times per run, and a byte version with its
//! buffers on the stack is several times faster than a generic one over
//! `char`s.

/// Jaro–Winkler similarity in [0, 1] (1: equal), with the usual prefix
/// scale 0.1 over at most four letters, applied above a Jaro of 0.7.
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    winkler(a, b, jaro(a, b))
}

/// Jaro–Winkler when it may reach `floor`, else 0: most pairs of names
/// compared share too few letters to, and a letter count tells so without
/// the full computation (the common letters bound the matches).
pub fn jaro_winkler_above(a: &[u8], b: &[u8], floor: f64) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut ca, mut cb) = ([0u8; 64], [0u8; 64]);
    for &x in a {
        ca[(x & 63) as usize] = ca[(x & 63) as usize].saturating_add(1);
    }
    for &x in b {
        cb[(x & 63) as usize] = cb[(x & 63) as usize].saturating_add(1);
    }
    let common: usize = ca.iter().zip(&cb).map(|(x, y)| usize::from(*x.min(y))).sum();
    let m = common as f64;
    let upper = (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0;
    if winkler(a, b, upper) < floor {
        return 0.0;
    }
    jaro_winkler(a, b)
}

fn winkler(a: &[u8], b: &[u8], j: f64) -> f64 {
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    j + prefix * 0.1 * (1.0 - j)
}

fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let window = (b.len() / 2).saturating_sub(1);
    // Names are short; longer values (addresses) take the heap.
    let mut stack = [false; 128];
    let mut heap = Vec::new();
    let taken: &mut [bool] = if b.len() <= stack.len() {
        &mut stack[..b.len()]
    } else {
        heap.resize(b.len(), false);
        &mut heap
    };
    let mut matched_a = [0u8; 128];
    let mut heap_a = Vec::new();
    let mut m = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !taken[j] && b[j] == ca {
                taken[j] = true;
                if m < matched_a.len() {
                    matched_a[m] = ca;
                } else {
                    if heap_a.is_empty() {
                        heap_a.extend_from_slice(&matched_a);
                    }
                    heap_a.push(ca);
                }
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    let in_a = |k: usize| if heap_a.is_empty() { matched_a[k] } else { heap_a[k] };
    let mut k = 0usize;
    let mut half_transpositions = 0usize;
    for (j, &cb) in b.iter().enumerate() {
        if taken[j] {
            if in_a(k) != cb {
                half_transpositions += 1;
            }
            k += 1;
        }
    }
    let m = m as f64;
    let t = (half_transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// The optimal-string-alignment distance (insertions, deletions,
/// substitutions and swaps of neighbours, each 1), or `limit + 1` as soon
/// as it is certain to exceed `limit`: callers only ask "at most one edit?"
/// or "at most two?".
pub fn edit_distance(a: &[u8], b: &[u8], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    if a == b {
        return 0;
    }
    let n = b.len();
    // Three rows of the table; on the stack for the short values names are.
    let mut stack = [0usize; 3 * 64];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if 3 * (n + 1) <= stack.len() {
        &mut stack[..3 * (n + 1)]
    } else {
        heap.resize(3 * (n + 1), 0);
        &mut heap
    };
    let (mut prev2, rest) = rows.split_at_mut(n + 1);
    let (mut prev, mut cur) = rest.split_at_mut(n + 1);
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_agrees_with_the_published_examples() {
        // Winkler's examples (martha/marhta 0.961, dwayne/duane 0.84, dixon/dicksonx 0.813).
        assert!((jaro_winkler(b"martha", b"marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"dwayne", b"duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler(b"dixon", b"dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler(b"diallo", b"diallo"), 1.0);
        assert_eq!(jaro_winkler(b"", b"abc"), 0.0);
        for (x, y) in [("martha", "marhta"), ("diallo", "jallow"), ("traore", "keita"), ("abc", "xyz")] {
            let (x, y) = (x.as_bytes(), y.as_bytes());
            let full = jaro_winkler(x, y);
            let bounded = jaro_winkler_above(x, y, 0.7);
            assert!(bounded == full || (bounded == 0.0 && full < 0.7), "{full} {bounded}");
        }
        assert!(jaro_winkler(b"jonathon", b"jonathan") >= 0.95);
        assert!(jaro_winkler(b"mohammed", b"mohamed") > 0.95);
        assert!(jaro_winkler(b"traore", b"keita") < 0.6);
        let long = vec![b'a'; 300];
        let mut other = long.clone();
        other[150] = b'b';
        assert!(jaro_winkler(&long, &other) > 0.99);
    }

    #[test]
    fn an_edit_is_a_letter_in_or_out_changed_or_two_neighbours_swapped() {
        assert_eq!(edit_distance(b"diallo", b"dialllo", 2), 1);
        assert_eq!(edit_distance(b"1978", b"1987", 2), 1, "neighbours swapped");
        assert_eq!(edit_distance(b"mohamed", b"mohammed", 2), 1);
        assert_eq!(edit_distance(b"kitten", b"sitting", 5), 3);
        assert_eq!(edit_distance(b"kitten", b"sitting", 1), 2, "beyond the limit: limit + 1");
        assert_eq!(edit_distance(b"", b"ab", 2), 2);
        assert_eq!(edit_distance(b"abc", b"abc", 0), 0);
    }
}
