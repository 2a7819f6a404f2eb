//! A person's record as linkage reads it: names folded into words and keys,
//! a date of birth as the field records it (exact, a year, unknown), and
//! the optional fields a file may carry (document number, phone, place of
//! birth, the parents' names, address, locality). Parsing is strict about
//! what a value is (31 February is no date) and says why a value was not
//! read, so that the caller can treat it as missing and report it.

use crate::date::CalendarDate;
use crate::names;

/// A date of birth as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BirthDate {
    Exact {
        year: i32,
        month: u8,
        day: u8,
    },
    /// Only the year is known (or the day and month are the 1 January placeholder).
    Year(i32),
    Unknown,
}

impl BirthDate {
    /// `YYYY-MM-DD`, `YYYY`, or empty. A 1 January date is treated as an
    /// estimate: registrations write it when only the year is known. A date
    /// that is not on the calendar (30 February) is no date.
    pub fn parse(s: &str) -> Option<BirthDate> {
        DateFormat::Iso.read(s).ok()
    }

    /// A checked calendar date, or none.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<BirthDate> {
        CalendarDate::from_ymd(year, month, day)?;
        Some(if (month, day) == (1, 1) { BirthDate::Year(year) } else { BirthDate::Exact { year, month, day } })
    }

    pub fn year(&self) -> Option<i32> {
        match *self {
            BirthDate::Exact { year, .. } | BirthDate::Year(year) => Some(year),
            BirthDate::Unknown => None,
        }
    }
}

/// How the dates of a file are written. A year alone (`1987`) is read under
/// every format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// `YYYY-MM-DD`.
    Iso,
    /// A pattern of `%Y`, `%m`, `%d` and literal characters, such as
    /// `%Y%m%d` or `%d/%m/%Y`.
    Pattern(String),
}

/// Why a value was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not in the file's date format.
    NotADate,
    /// In the format, but not on the calendar (31 February, month 13).
    NotOnTheCalendar,
    /// A year before 1850 or after 2100: a typing error, not a birth.
    YearOutOfRange,
    /// Not a way of writing male or female.
    NotASex,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unreadable::NotADate => "not a date in the file's format",
            Unreadable::NotOnTheCalendar => "not a day of the calendar",
            Unreadable::YearOutOfRange => "the year is not between 1850 and 2100",
            Unreadable::NotASex => "sex is M, F (male, female, homme, femme) or empty",
        })
    }
}

const YEARS: std::ops::RangeInclusive<i32> = 1850..=2100;

impl DateFormat {
    /// A `--date-format` value: `iso`, or a pattern with `%Y`, `%m` and `%d` once each.
    pub fn parse(s: &str) -> Result<DateFormat, String> {
        if s.eq_ignore_ascii_case("iso") || s == "%Y-%m-%d" {
            return Ok(DateFormat::Iso);
        }
        for part in ["%Y", "%m", "%d"] {
            if s.matches(part).count() != 1 {
                return Err(format!("a date format has {part} once, as in %Y%m%d or %d/%m/%Y (got {s:?})"));
            }
        }
        if s.replace("%Y", "").replace("%m", "").replace("%d", "").contains('%') {
            return Err(format!("a date format knows %Y, %m and %d only (got {s:?})"));
        }
        Ok(DateFormat::Pattern(s.to_string()))
    }

    pub fn pattern(&self) -> &str {
        match self {
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::Pattern(p) => p,
        }
    }

    /// Read one value: empty is unknown, four digits a year.
    pub fn read(&self, s: &str) -> Result<BirthDate, Unreadable> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(BirthDate::Unknown);
        }
        if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = s.parse().map_err(|_| Unreadable::NotADate)?;
            return if YEARS.contains(&y) { Ok(BirthDate::Year(y)) } else { Err(Unreadable::YearOutOfRange) };
        }
        let (mut y, mut m, mut d) = (None, None, None);
        let mut rest = s.as_bytes();
        let mut pat = self.pattern().as_bytes();
        while !pat.is_empty() {
            if pat.len() >= 2 && pat[0] == b'%' {
                let (slot, width) = match pat[1] {
                    b'Y' => (&mut y, 4),
                    b'm' => (&mut m, 2),
                    _ => (&mut d, 2),
                };
                if rest.len() < width || !rest[..width].iter().all(u8::is_ascii_digit) {
                    return Err(Unreadable::NotADate);
                }
                *slot = Some(std::str::from_utf8(&rest[..width]).ok().and_then(|t| t.parse::<i32>().ok()).ok_or(Unreadable::NotADate)?);
                rest = &rest[width..];
                pat = &pat[2..];
            } else {
                if rest.first() != pat.first() {
                    return Err(Unreadable::NotADate);
                }
                rest = &rest[1..];
                pat = &pat[1..];
            }
        }
        if !rest.is_empty() {
            return Err(Unreadable::NotADate);
        }
        let (y, m, d) = (y.unwrap_or(0), m.unwrap_or(0), d.unwrap_or(0));
        if !YEARS.contains(&y) {
            return Err(Unreadable::YearOutOfRange);
        }
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return Err(Unreadable::NotOnTheCalendar);
        }
        BirthDate::from_ymd(y, m as u8, d as u8).ok_or(Unreadable::NotOnTheCalendar)
    }

    /// The format under which most of `values` read, among the usual ones
    /// (ISO, compact, day first, month first; slashes, dots or hyphens).
    /// Day first wins a tie with month first: it is how the region writes
    /// dates. None when no value looks like a date at all.
    pub fn detect<'a>(values: impl Iterator<Item = &'a str> + Clone) -> Option<DateFormat> {
        let mut candidates = vec![DateFormat::Iso, DateFormat::Pattern("%Y%m%d".into())];
        for sep in ['/', '.', '-'] {
            candidates.push(DateFormat::Pattern(format!("%d{sep}%m{sep}%Y")));
            candidates.push(DateFormat::Pattern(format!("%m{sep}%d{sep}%Y")));
            if sep != '-' {
                candidates.push(DateFormat::Pattern(format!("%Y{sep}%m{sep}%d")));
            }
        }
        let mut best: Option<(usize, DateFormat)> = None;
        for c in candidates {
            let read = values.clone().filter(|v| v.trim().len() > 4 && c.read(v).is_ok()).count();
            if read > 0 && best.as_ref().is_none_or(|(n, _)| read > *n) {
                best = Some((read, c));
            }
        }
        best.map(|(_, f)| f)
    }
}

/// A name (or any written value) folded: its words in the order written,
/// separated by one space, and for names each word's key (variant group or
/// phonetic), hashed, sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamePart {
    pub text: Box<str>,
    pub keys: Box<[u64]>,
}

impl NamePart {
    /// A name: words and keys.
    pub fn name(s: &str) -> NamePart {
        let words = names::fold_words(s);
        let mut keys: Vec<u64> = words.iter().map(|w| key_hash(&names::word_key(w))).collect();
        keys.sort_unstable();
        keys.dedup();
        NamePart { text: words.join(" ").into(), keys: keys.into() }
    }

    /// Any other written value (an address, a place): words only.
    pub fn text(s: &str) -> NamePart {
        NamePart { text: names::fold_words(s).join(" ").into(), keys: Box::new([]) }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.text.split(' ').filter(|w| !w.is_empty())
    }

    /// The words written together, into `buf`: "abdel aziz" and
    /// "abdelaziz" are one spelling.
    pub fn joined<'b>(&'b self, buf: &'b mut Vec<u8>) -> &'b [u8] {
        if !self.text.contains(' ') {
            return self.text.as_bytes();
        }
        buf.clear();
        buf.extend(self.text.bytes().filter(|b| *b != b' '));
        buf
    }
}

/// A stable 64-bit hash (FNV-1a) of a key: the same on every machine and
/// run, so that blocks and frequencies do not depend on the process.
pub fn key_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The values of one record as a file or a form has them, as text; every
/// field but the id may be empty.
#[derive(Debug, Clone, Default)]
pub struct LinkFields<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub sex: &'a str,
    pub nationality: &'a str,
    pub phone: &'a str,
    pub document: &'a str,
    pub place_of_birth: &'a str,
    pub father_name: &'a str,
    pub mother_name: &'a str,
    pub address: &'a str,
    pub locality: &'a str,
}

/// Sex as a file may write it: `M`/`F`, `male`/`female`, French `H`/`homme`/`femme`.
pub fn read_sex(s: &str) -> Result<Option<char>, Unreadable> {
    match s.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "m" | "male" | "man" | "h" | "homme" | "masculin" => Ok(Some('M')),
        "f" | "female" | "woman" | "femme" | "feminin" | "féminin" => Ok(Some('F')),
        _ => Err(Unreadable::NotASex),
    }
}

/// A person's record reduced to what linkage compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub id: String,
    pub given: NamePart,
    pub family: NamePart,
    pub sex: Option<char>,
    pub birth: BirthDate,
    pub nationality: Option<Box<str>>,
    /// The last eight digits: country prefixes are written many ways.
    pub phone: Option<Box<str>>,
    /// Letters and digits only, upper case: `A-12 345` and `a12345` are one number.
    pub document: Option<Box<str>>,
    pub place_of_birth: NamePart,
    pub father: NamePart,
    pub mother: NamePart,
    pub address: NamePart,
    pub locality: NamePart,
}

impl LinkRecord {
    /// The fields registrations carry. An unreadable sex is unknown.
    pub fn new(id: &str, given: &str, family: &str, sex: &str, birth: BirthDate, nationality: &str, phone: &str) -> LinkRecord {
        LinkRecord::from_fields(
            id,
            &LinkFields { given_name: given, family_name: family, sex, nationality, phone, ..Default::default() },
            birth,
        )
    }

    pub fn from_fields(id: &str, f: &LinkFields<'_>, birth: BirthDate) -> LinkRecord {
        let nat = f.nationality.trim().to_uppercase();
        let digits: String = f.phone.chars().filter(|c| c.is_ascii_digit()).collect();
        let doc: String = names::fold_words(f.document).concat().to_uppercase();
        LinkRecord {
            id: id.to_string(),
            given: NamePart::name(f.given_name),
            family: NamePart::name(f.family_name),
            sex: read_sex(f.sex).ok().flatten(),
            birth,
            nationality: (!nat.is_empty()).then(|| nat.into()),
            phone: (digits.len() >= 8).then(|| digits[digits.len() - 8..].into()),
            document: (!doc.is_empty()).then(|| doc.into()),
            place_of_birth: NamePart::text(f.place_of_birth),
            father: NamePart::name(f.father_name),
            mother: NamePart::name(f.mother_name),
            address: NamePart::text(f.address),
            locality: NamePart::text(f.locality),
        }
    }

    /// Every name word, given and family, sorted.
    pub fn words(&self) -> Vec<&str> {
        let mut w: Vec<&str> = self.given.words().chain(self.family.words()).collect();
        w.sort_unstable();
        w
    }

    /// Every name key, given and family, sorted, without repeats.
    pub fn name_keys(&self) -> Vec<u64> {
        let mut k: Vec<u64> = self.given.keys.iter().chain(self.family.keys.iter()).copied().collect();
        k.sort_unstable();
        k.dedup();
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_birth_as_they_are_recorded() {
        assert_eq!(BirthDate::parse("1998"), Some(BirthDate::Year(1998)));
        assert_eq!(BirthDate::parse("1998-01-01"), Some(BirthDate::Year(1998)), "1 January is an estimate");
        assert_eq!(BirthDate::parse("1998-03-04"), Some(BirthDate::Exact { year: 1998, month: 3, day: 4 }));
        assert_eq!(BirthDate::parse(""), Some(BirthDate::Unknown));
        assert_eq!(BirthDate::parse("98"), None);
        assert_eq!(BirthDate::parse("1998-13-04"), None);
        assert_eq!(BirthDate::parse("1860-02-30"), None, "in range, but not on the calendar");
        assert_eq!(BirthDate::parse("2000-02-29"), Some(BirthDate::Exact { year: 2000, month: 2, day: 29 }));
        assert_eq!(BirthDate::parse("1900-02-29"), None, "1900 was not a leap year");
    }

    #[test]
    fn a_file_says_how_it_writes_its_dates() {
        let compact = DateFormat::parse("%Y%m%d").unwrap();
        assert_eq!(compact.read("19870412"), Ok(BirthDate::Exact { year: 1987, month: 4, day: 12 }));
        assert_eq!(compact.read("19870231"), Err(Unreadable::NotOnTheCalendar));
        assert_eq!(compact.read("18568618"), Err(Unreadable::NotOnTheCalendar));
        assert_eq!(compact.read("n/a"), Err(Unreadable::NotADate));
        assert_eq!(compact.read("1987"), Ok(BirthDate::Year(1987)));
        assert_eq!(compact.read("0000"), Err(Unreadable::YearOutOfRange));
        let day_first = DateFormat::parse("%d/%m/%Y").unwrap();
        assert_eq!(day_first.read("04/03/1998"), Ok(BirthDate::Exact { year: 1998, month: 3, day: 4 }));
        assert!(DateFormat::parse("%d/%m").is_err());
        assert!(DateFormat::parse("%Y%m%d%H").is_err());
        let values = ["19870412", "n/a", "19990101", ""];
        assert_eq!(DateFormat::detect(values.iter().copied()), Some(compact));
        let us = ["12/31/1990", "01/02/1991"];
        assert_eq!(DateFormat::detect(us.iter().copied()), Some(DateFormat::parse("%m/%d/%Y").unwrap()));
        let ambiguous = ["01/02/1991"];
        assert_eq!(DateFormat::detect(ambiguous.iter().copied()), Some(day_first), "day first on a tie");
    }

    #[test]
    fn a_record_folds_its_names_and_values() {
        let r = LinkRecord::from_fields(
            "1",
            &LinkFields {
                given_name: "Mamadou  Saliou",
                family_name: "DIALLO",
                sex: "homme",
                phone: "+224 620 11 22 33",
                document: "a-12 345",
                address: "12, Rue du Marché",
                ..Default::default()
            },
            BirthDate::Unknown,
        );
        assert_eq!(&*r.given.text, "mamadou saliou");
        assert_eq!(r.given.keys.len(), 2);
        assert_eq!(r.sex, Some('M'));
        assert_eq!(r.phone.as_deref(), Some("20112233"));
        assert_eq!(r.document.as_deref(), Some("A12345"));
        assert_eq!(&*r.address.text, "12 rue du marche");
        assert!(r.place_of_birth.is_empty());
        let mut buf = Vec::new();
        assert_eq!(r.given.joined(&mut buf), b"mamadousaliou");
    }
}
