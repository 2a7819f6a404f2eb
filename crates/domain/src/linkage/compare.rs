//! Comparing two records field by field into levels: for each field, the
//! ways two records of one person come to differ, from the strongest
//! agreement down, and last "missing" (one side unknown: no evidence either
//! way, weight zero). The levels follow what errors do, not any one file:
//! a typo is one edit or a high Jaro–Winkler, a transliteration is a shared
//! variant or phonetic key, a middle name more or less is a subset of
//! words, a wrong year is a year off by one or a digit off, a day and month
//! written the other way round is a swap.
//!
//! Given and family names are compared in the order written and crossed
//! (given against family), and the better alignment is kept: West African
//! names are often recorded the other way round.

use super::record::{BirthDate, LinkRecord, NamePart};
use super::similarity::{edit_distance, jaro_winkler, jaro_winkler_above};

/// The fields compared, in the order of a comparison vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    GivenName,
    FamilyName,
    BirthDate,
    Sex,
    Nationality,
    Phone,
    Document,
    PlaceOfBirth,
    FatherName,
    MotherName,
    Address,
    Locality,
}

pub const N: usize = 12;

pub const FIELDS: [Field; N] = [
    Field::GivenName,
    Field::FamilyName,
    Field::BirthDate,
    Field::Sex,
    Field::Nationality,
    Field::Phone,
    Field::Document,
    Field::PlaceOfBirth,
    Field::FatherName,
    Field::MotherName,
    Field::Address,
    Field::Locality,
];

const NAME_LEVELS: &[&str] =
    &["exact", "variant", "one_edit", "subset", "close", "similar", "shared_word", "loose", "different", "missing"];
const DATE_LEVELS: &[&str] = &[
    "exact",
    "day_month_swapped",
    "year_digits_transposed",
    "one_digit_off",
    "year_only_same",
    "same_year",
    "year_off_by_one",
    "year_one_digit_off",
    "different",
    "missing",
];
const TEXT_LEVELS: &[&str] = &["exact", "close", "most_words", "shared_word", "different", "missing"];
const CODE_LEVELS: &[&str] = &["same", "one_edit", "two_edits", "different", "missing"];
const SAME_LEVELS: &[&str] = &["same", "different", "missing"];

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::Phone => "phone",
            Field::Document => "document",
            Field::PlaceOfBirth => "place_of_birth",
            Field::FatherName => "father_name",
            Field::MotherName => "mother_name",
            Field::Address => "address",
            Field::Locality => "locality",
        }
    }

    pub fn index(self) -> usize {
        FIELDS.iter().position(|f| *f == self).expect("every field is in FIELDS")
    }

    /// The names of the field's levels, from the strongest agreement down;
    /// the last is "missing".
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::GivenName | Field::FamilyName | Field::FatherName | Field::MotherName => NAME_LEVELS,
            Field::BirthDate => DATE_LEVELS,
            Field::PlaceOfBirth | Field::Address | Field::Locality => TEXT_LEVELS,
            Field::Phone | Field::Document => CODE_LEVELS,
            Field::Sex | Field::Nationality => SAME_LEVELS,
        }
    }

    pub fn missing(self) -> u8 {
        (self.levels().len() - 1) as u8
    }

    /// The level of an exact agreement, whose weight depends on how common
    /// the value is (term frequency).
    pub const EXACT: u8 = 0;
}

/// A pair's level per field, in `FIELDS` order, and whether the names were
/// matched crossed (given against family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Comparison {
    pub levels: [u8; N],
    pub crossed: bool,
}

impl Comparison {
    pub fn level(&self, f: Field) -> u8 {
        self.levels[f.index()]
    }
}

/// Compare two records field by field.
pub fn compare(a: &LinkRecord, b: &LinkRecord) -> Comparison {
    let mut buf = Buffers::default();
    let (given, family, crossed) = compare_names(a, b, &mut buf);
    Comparison {
        levels: [
            given,
            family,
            compare_births(a.birth, b.birth),
            same(&a.sex, &b.sex),
            same(&a.nationality, &b.nationality),
            code(a.phone.as_deref(), b.phone.as_deref()),
            code(a.document.as_deref(), b.document.as_deref()),
            compare_text(&a.place_of_birth, &b.place_of_birth),
            compare_name(&a.father, &b.father, &mut buf),
            compare_name(&a.mother, &b.mother, &mut buf),
            compare_text(&a.address, &b.address),
            compare_text(&a.locality, &b.locality),
        ],
        crossed,
    }
}

#[derive(Default)]
struct Buffers {
    a: Vec<u8>,
    b: Vec<u8>,
}

fn same<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> u8 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 0,
        (Some(_), Some(_)) => 1,
        _ => 2,
    }
}

fn code(a: Option<&str>, b: Option<&str>) -> u8 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 0,
        (Some(x), Some(y)) => match edit_distance(x.as_bytes(), y.as_bytes(), 2) {
            1 => 1,
            2 => 2,
            _ => 3,
        },
        _ => 4,
    }
}

/// Given and family names, straight or crossed, whichever agrees better.
fn compare_names(a: &LinkRecord, b: &LinkRecord, buf: &mut Buffers) -> (u8, u8, bool) {
    let g = compare_name(&a.given, &b.given, buf);
    let f = compare_name(&a.family, &b.family, buf);
    if g == 0 && f == 0 {
        return (g, f, false);
    }
    let straight = rank(g) + rank(f);
    // Crossing only helps when a name on one side meets the other name on
    // the other, which in practice starts with the same letter or shares a key.
    let meets =
        |x: &NamePart, y: &NamePart| x.text.as_bytes().first() == y.text.as_bytes().first() || x.keys.iter().any(|k| y.keys.contains(k));
    if straight <= 1 || !(meets(&a.given, &b.family) || meets(&a.family, &b.given)) {
        return (g, f, false);
    }
    let g2 = compare_name(&a.given, &b.family, buf);
    if rank(g2) + rank(0) >= straight {
        return (g, f, false);
    }
    let f2 = compare_name(&a.family, &b.given, buf);
    if rank(g2) + rank(f2) < straight {
        (g2, f2, true)
    } else {
        (g, f, false)
    }
}

/// How far a level is from agreement, to choose an alignment: missing
/// counts as a middling level, so that crossing is not chosen to hide an
/// empty name.
fn rank(level: u8) -> u8 {
    if level == Field::GivenName.missing() {
        6
    } else {
        level
    }
}

/// One name (given, family, a parent's) against another: see `NAME_LEVELS`.
fn compare_name(a: &NamePart, b: &NamePart, buf: &mut Buffers) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 9;
    }
    let (ja, jb) = (a.joined(&mut buf.a), b.joined(&mut buf.b));
    if ja == jb {
        return 0;
    }
    if a.keys == b.keys {
        return 1;
    }
    if edit_distance(ja, jb, 1) <= 1 {
        return 2;
    }
    let common = a.keys.iter().filter(|k| b.keys.contains(k)).count();
    let smaller = a.keys.len().min(b.keys.len());
    if common == smaller && common >= 1 {
        return 3;
    }
    let jw = jaro_winkler_above(ja, jb, 0.7).max(best_word_similarity(a, b));
    if jw >= 0.92 {
        4
    } else if jw >= 0.85 {
        5
    } else if common >= 1 {
        6
    } else if jw >= 0.7 {
        7
    } else {
        8
    }
}

/// For names of several words: the similarity of the best-matching words of
/// the shorter name, averaged (a middle name more, and a typo in another).
fn best_word_similarity(a: &NamePart, b: &NamePart) -> f64 {
    if !a.text.contains(' ') && !b.text.contains(' ') {
        return 0.0;
    }
    let (short, long) = if a.words().count() <= b.words().count() { (a, b) } else { (b, a) };
    let mut total = 0.0;
    let mut n = 0.0;
    for w in short.words() {
        total += long.words().map(|v| jaro_winkler(w.as_bytes(), v.as_bytes())).fold(0.0, f64::max);
        n += 1.0;
    }
    if n == 0.0 {
        0.0
    } else {
        total / n
    }
}

/// A place, an address, a locality: see `TEXT_LEVELS`.
fn compare_text(a: &NamePart, b: &NamePart) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 5;
    }
    let (ta, tb) = (a.text.as_bytes(), b.text.as_bytes());
    if ta == tb {
        return 0;
    }
    let limit = if ta.len().max(tb.len()) > 12 { 2 } else { 1 };
    if edit_distance(ta, tb, limit) <= limit || jaro_winkler_above(ta, tb, 0.94) >= 0.94 {
        return 1;
    }
    // Words that meet: equal, or one edit apart for words of four letters or more.
    let meets = |w: &str, other: &NamePart| {
        other.words().any(|v| v == w || (w.len() >= 4 && v.len() >= 4 && edit_distance(w.as_bytes(), v.as_bytes(), 1) <= 1))
    };
    let (na, nb) = (a.words().count(), b.words().count());
    let (short, long, n) = if na <= nb { (a, b, na) } else { (b, a, nb) };
    let met = short.words().filter(|w| meets(w, long)).count();
    if met * 2 > n && met >= 1 && n >= 2 {
        2
    } else if met >= 1 {
        3
    } else {
        4
    }
}

/// Dates of birth: see `DATE_LEVELS`.
pub fn compare_births(a: BirthDate, b: BirthDate) -> u8 {
    use BirthDate::*;
    match (a, b) {
        (Unknown, _) | (_, Unknown) => 9,
        (Exact { year: y1, month: m1, day: d1 }, Exact { year: y2, month: m2, day: d2 }) => {
            if (y1, m1, d1) == (y2, m2, d2) {
                0
            } else if y1 == y2 && m1 == d2 && d1 == m2 {
                1
            } else if (m1, d1) == (m2, d2) && year_digits_transposed(y1, y2) {
                2
            } else if edit_distance(&digits(a), &digits(b), 1) <= 1 {
                3
            } else if y1 == y2 {
                5
            } else if (m1, d1) == (m2, d2) && (y1 - y2).abs() == 1 {
                6
            } else {
                8
            }
        }
        _ => {
            let (y1, y2) = (a.year().unwrap_or(0), b.year().unwrap_or(0));
            if y1 == y2 {
                4
            } else if (y1 - y2).abs() == 1 {
                6
            } else if year_digits_transposed(y1, y2) || one_digit_off(y1, y2) {
                7
            } else {
                8
            }
        }
    }
}

/// The digits of a number, most significant first, `n` of them.
fn digits_of(mut v: u32, out: &mut [u8]) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

fn digits(d: BirthDate) -> [u8; 8] {
    let mut out = [b'0'; 8];
    if let BirthDate::Exact { year, month, day } = d {
        digits_of(year.rem_euclid(10_000) as u32, &mut out[..4]);
        digits_of(u32::from(month), &mut out[4..6]);
        digits_of(u32::from(day), &mut out[6..]);
    }
    out
}

fn year_digits(y: i32) -> [u8; 4] {
    let mut out = [0u8; 4];
    digits_of(y.rem_euclid(10_000) as u32, &mut out);
    out
}

/// 1978/1987: two neighbouring digits of the year swapped.
pub fn year_digits_transposed(a: i32, b: i32) -> bool {
    let (x, y) = (year_digits(a), year_digits(b));
    let diff: Vec<usize> = (0..4).filter(|&i| x[i] != y[i]).collect();
    diff.len() == 2 && diff[1] == diff[0] + 1 && x[diff[0]] == y[diff[1]] && x[diff[1]] == y[diff[0]]
}

/// 1978/1988: one digit of the year typed wrong.
pub fn one_digit_off(a: i32, b: i32) -> bool {
    let (x, y) = (year_digits(a), year_digits(b));
    x.iter().zip(&y).filter(|(p, q)| p != q).count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::LinkFields;

    fn rec(given: &str, family: &str, birth: &str) -> LinkRecord {
        LinkRecord::new("x", given, family, "", BirthDate::parse(birth).unwrap(), "", "")
    }

    fn level(f: Field, a: &LinkRecord, b: &LinkRecord) -> &'static str {
        f.levels()[compare(a, b).level(f) as usize]
    }

    #[test]
    fn names_meet_through_typos_variants_and_middle_names() {
        let base = rec("Jonathan", "Diallo", "");
        assert_eq!(level(Field::GivenName, &base, &rec("jonathan", "Diallo", "")), "exact");
        assert_eq!(level(Field::GivenName, &base, &rec("Jonathon", "Diallo", "")), "one_edit");
        assert_eq!(level(Field::FamilyName, &base, &rec("Jonathan", "Dialllo", "")), "one_edit");
        assert_eq!(level(Field::FamilyName, &base, &rec("Jonathan", "Jallow", "")), "variant");
        assert_eq!(level(Field::GivenName, &rec("Mamadou Saliou", "Diallo", ""), &rec("Mamadou", "Diallo", "")), "subset");
        assert_eq!(level(Field::GivenName, &base, &rec("Jonathn", "x", "")), "one_edit");
        assert_eq!(level(Field::FamilyName, &base, &rec("x", "Daillo", "")), "one_edit", "neighbours swapped");
        assert_eq!(level(Field::GivenName, &base, &rec("Jnoathon", "x", "")), "similar", "two edits");
        assert_eq!(level(Field::GivenName, &base, &rec("Aminata", "x", "")), "different");
        assert_eq!(level(Field::GivenName, &base, &rec("", "x", "")), "missing");
        assert_eq!(level(Field::GivenName, &rec("Abdel Aziz", "x", ""), &rec("Abdelaziz", "x", "")), "exact");
        // Arabic script meets its Latin spelling through the variant table.
        assert_eq!(level(Field::GivenName, &rec("محمد", "x", ""), &rec("Mohamed", "x", "")), "variant");
    }

    #[test]
    fn names_written_the_other_way_round_are_crossed() {
        let c = compare(&rec("Mamadou", "Diallo", ""), &rec("Diallo", "Mamadou", ""));
        assert!(c.crossed);
        assert_eq!((c.level(Field::GivenName), c.level(Field::FamilyName)), (0, 0));
        let c = compare(&rec("Mamadou", "Diallo", ""), &rec("Mamadou", "Bah", ""));
        assert!(!c.crossed);
    }

    #[test]
    fn dates_differ_as_typing_and_memory_make_them_differ() {
        let l = |a: &str, b: &str| DATE_LEVELS[compare_births(BirthDate::parse(a).unwrap(), BirthDate::parse(b).unwrap()) as usize];
        assert_eq!(l("1998-03-04", "1998-03-04"), "exact");
        assert_eq!(l("1998-03-04", "1998-04-03"), "day_month_swapped");
        assert_eq!(l("1978-03-04", "1987-03-04"), "year_digits_transposed");
        assert_eq!(l("1978-03-04", "1978-03-07"), "one_digit_off");
        assert_eq!(l("1978-03-04", "1988-03-04"), "one_digit_off");
        assert_eq!(l("1998", "1998-04-03"), "year_only_same");
        assert_eq!(l("1998-11-20", "1998-04-03"), "same_year");
        assert_eq!(l("1997", "1998-04-03"), "year_off_by_one");
        assert_eq!(l("1979-12-30", "1980-12-30"), "year_off_by_one");
        assert_eq!(l("1978", "1987"), "year_one_digit_off");
        assert_eq!(l("1990", "1998"), "year_one_digit_off");
        assert_eq!(l("1990", "1975"), "different");
        assert_eq!(l("", "1975"), "missing");
    }

    #[test]
    fn optional_fields_count_only_when_both_sides_have_them() {
        let f = |doc: &'static str, place: &'static str, addr: &'static str| {
            LinkRecord::from_fields(
                "x",
                &LinkFields { given_name: "A", document: doc, place_of_birth: place, address: addr, ..Default::default() },
                BirthDate::Unknown,
            )
        };
        let a = f("AB123456", "Agadez", "12 rue du marche");
        assert_eq!(level(Field::Document, &a, &f("AB123465", "", "")), "one_edit");
        assert_eq!(level(Field::Document, &a, &f("", "", "")), "missing");
        assert_eq!(level(Field::PlaceOfBirth, &a, &f("", "Agades", "")), "close");
        assert_eq!(level(Field::Address, &a, &f("", "", "rue du marche 12")), "most_words");
        assert_eq!(level(Field::Address, &a, &f("", "", "avenue de la gare 3")), "different");
    }
}
