//! Linking two organisations' records without exchanging names: each record
//! becomes a keyed Bloom-filter encoding (a cryptographic long-term key, CLK,
//! in the manner of Schnell, Bachteler and Reiher 2009/2011), and two files of
//! encodings are compared by their Dice similarity. Only holders of the
//! shared secret can make encodings that match; the matcher sees bits, never
//! names.
//!
//! What goes in: the same reduced record the plain linkage compares
//! ([`LinkRecord`]), so the region's spellings still meet. A name word enters
//! as its variant or phonetic key (Diallo and Jallow share it) and as the
//! letter pairs of its folded spelling (typos keep most of them); the year of
//! birth, the day and month as an unordered pair (a swapped date still
//! agrees), sex, nationality and the last eight digits of the phone enter as
//! whole tokens. The optional fields the plain linkage compares enter when a
//! record has them: the document number as a whole token, and the words of
//! the place of birth, father's and mother's names, address and locality as
//! their variant keys, each tagged with its field (a father called Mamadou
//! does not agree with a given name Mamadou). Version 2 added them; a file
//! of version 1 is refused, not compared with bits that mean other things.
//!
//! Hardening, against the published attacks (see docs/linkage.md for the
//! limits that remain):
//! - every bit position comes from HMAC-SHA256 under a key derived from the
//!   secret, so without it nobody can encode a dictionary of names to compare;
//! - positions are drawn independently per token ("random hashing",
//!   Niedermeyer et al. 2014) rather than by double hashing, whose structure
//!   the Kroll–Steinmetzer attack exploits;
//! - each token is tagged with its field, so "MALI" as a name and as a
//!   nationality set different bits.

#[cfg(test)]
use crate::linkage::LinkFields;
use crate::linkage::{BirthDate, LinkRecord};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;

/// Bits in one encoding.
pub const BITS: usize = 1024;
const WORDS: usize = BITS / 64;
/// The version written with each file: a file of another version is refused.
pub const VERSION: &str = "passage-clk-2";

/// The secret both organisations hold. At least 32 bytes: it is a key, not a password.
#[derive(Clone)]
pub struct LinkageSecret {
    positions: Hmac<Sha256>,
    check: String,
}

impl std::fmt::Debug for LinkageSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LinkageSecret(check {})", self.check)
    }
}

/// Why a secret was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the secret is {0} bytes long; it needs at least 32 (for example 32 random bytes, base64-encoded)")]
    TooShort(usize),
}

fn derive(secret: &[u8], purpose: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(VERSION.as_bytes());
    mac.update(b"\0");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

impl LinkageSecret {
    pub fn new(secret: &[u8]) -> Result<LinkageSecret, SecretError> {
        if secret.len() < 32 {
            return Err(SecretError::TooShort(secret.len()));
        }
        let positions = Hmac::<Sha256>::new_from_slice(&derive(secret, "positions")).expect("any key length");
        let check: String = derive(secret, "check")[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(LinkageSecret { positions, check })
    }

    /// A short value derived from the secret, written in every file, so
    /// that files encoded under different secrets are refused instead of
    /// silently matching nothing. It reveals nothing of the secret.
    pub fn check(&self) -> &str {
        &self.check
    }
}

/// One record's encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct Encoding([u64; WORDS]);

impl std::fmt::Debug for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoding({} bits set)", self.ones())
    }
}

impl Encoding {
    pub fn ones(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    fn bit(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    /// Dice's coefficient: twice the shared bits over the bits of both.
    pub fn dice(&self, other: &Encoding) -> f64 {
        let both: u32 = self.0.iter().zip(&other.0).map(|(a, b)| (a & b).count_ones()).sum();
        let total = self.ones() + other.ones();
        if total == 0 {
            0.0
        } else {
            2.0 * both as f64 / total as f64
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    pub fn from_bytes(b: &[u8]) -> Option<Encoding> {
        if b.len() != BITS / 8 {
            return None;
        }
        let mut words = [0u64; WORDS];
        for (i, chunk) in b.chunks_exact(8).enumerate() {
            words[i] = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        Some(Encoding(words))
    }
}

/// How many positions a token of each kind sets: the weight of agreeing on
/// it. Names weigh little per token because they are many tokens and
/// shared by namesakes; the date and phone tell namesakes apart. Tuned on
/// the evaluation set (BENCHMARKS.md run 11): names at 24/4 per token gave
/// F1 0.70, these 0.76.
const NAME_KEY: usize = 12;
const NAME_PAIR: usize = 2;
const YEAR: usize = 30;
const DAY_MONTH: usize = 24;
const SEX: usize = 16;
const NATIONALITY: usize = 12;
const PHONE: usize = 30;
/// A document number is as strong as a phone; the other optional fields
/// weigh like a name key each, being names and places shared by many.
const DOCUMENT: usize = 30;
const OPTIONAL_KEY: usize = 8;

/// Encodes records under one secret, remembering each token's positions:
/// a file has few distinct letter pairs and names, so most tokens cost a
/// lookup rather than an HMAC.
pub struct Encoder<'a> {
    secret: &'a LinkageSecret,
    known: HashMap<String, Vec<u16>>,
}

impl<'a> Encoder<'a> {
    pub fn new(secret: &'a LinkageSecret) -> Encoder<'a> {
        Encoder { secret, known: HashMap::new() }
    }

    fn set(&mut self, bits: &mut [u64; WORDS], token: String, k: usize) {
        let positions = self.known.entry(token).or_insert_with_key(|token| {
            let mut out = Vec::with_capacity(k);
            let mut block = 0u32;
            while out.len() < k {
                let mut mac = self.secret.positions.clone();
                mac.update(token.as_bytes());
                mac.update(&block.to_le_bytes());
                // 32 bytes: sixteen 10-bit positions (BITS is a power of two, so no bias).
                for pair in mac.finalize().into_bytes().chunks_exact(2) {
                    if out.len() < k {
                        out.push(u16::from_le_bytes([pair[0], pair[1]]) % BITS as u16);
                    }
                }
                block += 1;
            }
            out
        });
        for &p in positions.iter() {
            bits[p as usize / 64] |= 1 << (p % 64);
        }
    }

    pub fn encode(&mut self, r: &LinkRecord) -> Encoding {
        let mut bits = [0u64; WORDS];
        let words = r.words();
        let keys: std::collections::BTreeSet<String> = words.iter().map(|w| crate::names::word_key(w)).collect();
        for key in &keys {
            self.set(&mut bits, format!("name-key\0{key}"), NAME_KEY);
        }
        for word in &words {
            let padded: Vec<char> = std::iter::once('_').chain(word.chars()).chain(std::iter::once('_')).collect();
            for pair in padded.windows(2) {
                self.set(&mut bits, format!("name-pair\0{}{}", pair[0], pair[1]), NAME_PAIR);
            }
        }
        if let Some(y) = r.birth.year() {
            self.set(&mut bits, format!("year\0{y}"), YEAR);
        }
        if let BirthDate::Exact { month, day, .. } = r.birth {
            let (a, b) = if month <= day { (month, day) } else { (day, month) };
            self.set(&mut bits, format!("day-month\0{a}-{b}"), DAY_MONTH);
        }
        if let Some(s) = r.sex {
            self.set(&mut bits, format!("sex\0{s}"), SEX);
        }
        if let Some(n) = &r.nationality {
            self.set(&mut bits, format!("nationality\0{n}"), NATIONALITY);
        }
        if let Some(p) = &r.phone {
            self.set(&mut bits, format!("phone\0{p}"), PHONE);
        }
        if let Some(d) = &r.document {
            self.set(&mut bits, format!("document\0{d}"), DOCUMENT);
        }
        for (field, part) in
            [("place", &r.place_of_birth), ("father", &r.father), ("mother", &r.mother), ("address", &r.address), ("locality", &r.locality)]
        {
            for key in part.keys.iter() {
                self.set(&mut bits, format!("{field}-key\0{key:016x}"), OPTIONAL_KEY);
            }
        }
        Encoding(bits)
    }
}

/// Locality-sensitive blocking over encodings: a pair becomes a candidate
/// when all the sampled bits of any one band agree, which similar encodings
/// do often and unrelated ones rarely, so most pairs are never compared.
/// The sampled positions are public (fixed): they carry no secret.
pub struct Bands {
    bands: Vec<[u16; BAND_BITS]>,
    tables: Vec<HashMap<u64, Vec<u32>>>,
}

// Unrelated encodings agree on about three bits in four (most bits are 0
// in both), similar ones on nineteen in twenty: forty bits per band make a
// band shared by chance rare (1 in 100,000) and by a true pair often.
const BANDS: usize = 64;
const BAND_BITS: usize = 40;

impl Bands {
    /// Index `right` (the file every record of the other is compared with).
    pub fn new(right: &[Encoding]) -> Bands {
        // A fixed xorshift sequence: any spread of positions will do.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % BITS as u64) as u16
        };
        let bands: Vec<[u16; BAND_BITS]> = (0..BANDS).map(|_| std::array::from_fn(|_| next())).collect();
        let mut tables = vec![HashMap::<u64, Vec<u32>>::new(); BANDS];
        for (i, e) in right.iter().enumerate() {
            for (b, band) in bands.iter().enumerate() {
                tables[b].entry(signature(e, band)).or_default().push(i as u32);
            }
        }
        Bands { bands, tables }
    }

    /// Indices into `right` of the candidates for `e`, each once. `listed`
    /// has one flag per right record, all false, and is left so: kept by the
    /// caller across calls rather than allocated for each.
    pub fn candidates(&self, e: &Encoding, listed: &mut [bool]) -> Vec<u32> {
        let mut out = Vec::new();
        for (b, band) in self.bands.iter().enumerate() {
            if let Some(ids) = self.tables[b].get(&signature(e, band)) {
                for &i in ids {
                    if !listed[i as usize] {
                        listed[i as usize] = true;
                        out.push(i);
                    }
                }
            }
        }
        for &i in &out {
            listed[i as usize] = false;
        }
        out
    }
}

fn signature(e: &Encoding, band: &[u16; BAND_BITS]) -> u64 {
    band.iter().enumerate().fold(0u64, |acc, (i, &p)| acc | (e.bit(p as usize) as u64) << i)
}

/// A matched pair: indices into the left and right files, and their Dice similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodedMatch {
    pub left: usize,
    pub right: usize,
    pub score: f64,
}

/// Every pair of a left and a right record whose similarity reaches
/// `threshold`, best first. Each file may hold the same person more than
/// once, so every such pair is given, not a one-to-one assignment.
pub fn match_encodings(left: &[Encoding], right: &[Encoding], threshold: f64, mut progress: impl FnMut(f64)) -> Vec<EncodedMatch> {
    let bands = Bands::new(right);
    let mut listed = vec![false; right.len()];
    let mut out = Vec::new();
    for (l, e) in left.iter().enumerate() {
        for r in bands.candidates(e, &mut listed) {
            let score = e.dice(&right[r as usize]);
            if score >= threshold {
                out.push(EncodedMatch { left: l, right: r as usize, score });
            }
        }
        if l % 4096 == 0 {
            progress(l as f64 / left.len().max(1) as f64);
        }
    }
    progress(1.0);
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.left.cmp(&b.left)).then(a.right.cmp(&b.right)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> LinkageSecret {
        LinkageSecret::new(format!("{s:-<32}").as_bytes()).unwrap()
    }

    fn rec(id: &str, given: &str, family: &str, sex: &str, birth: &str, nat: &str, phone: &str) -> LinkRecord {
        LinkRecord::new(id, given, family, sex, BirthDate::parse(birth).unwrap(), nat, phone)
    }

    #[test]
    fn the_same_person_spelled_another_way_scores_higher_than_a_namesake() {
        let s = secret("shared-secret");
        let mut enc = Encoder::new(&s);
        let agadez = enc.encode(&rec("a", "Mamadou", "Diallo", "M", "1998", "GIN", "+224 622 11 22 33"));
        let tripoli = enc.encode(&rec("b", "Mamadu", "Jallow", "M", "1998-01-01", "GIN", "00224622112233"));
        let conakry = enc.encode(&rec("c", "Mohamadou", "DIALLO", "M", "", "GIN", ""));
        let namesake = enc.encode(&rec("d", "Mamadou", "Diallo", "M", "1975-06-12", "SEN", "+221 77 555 44 33"));
        assert!(agadez.dice(&tripoli) > 0.85, "{}", agadez.dice(&tripoli));
        assert!(agadez.dice(&conakry) > agadez.dice(&namesake), "{} {}", agadez.dice(&conakry), agadez.dice(&namesake));
        assert!(agadez.dice(&namesake) < 0.75, "{}", agadez.dice(&namesake));
    }

    #[test]
    fn optional_fields_tell_namesakes_apart_and_each_field_is_its_own() {
        let s = secret("optional");
        let mut enc = Encoder::new(&s);
        let with = |doc: &str, father: &str, place: &str| {
            let f = LinkFields {
                given_name: "Mamadou",
                family_name: "Diallo",
                sex: "M",
                nationality: "GIN",
                document: doc,
                father_name: father,
                place_of_birth: place,
                ..Default::default()
            };
            LinkRecord::from_fields("x", &f, BirthDate::parse("1998").unwrap())
        };
        let a = enc.encode(&with("G1234567", "Alpha", "Labé"));
        let same = enc.encode(&with("g-123 4567", "Alfa", "Labe"));
        let namesake = enc.encode(&with("G7654321", "Ibrahima", "Kankan"));
        let bare = enc.encode(&with("", "", ""));
        assert!(a.dice(&same) > 0.95, "{}", a.dice(&same));
        assert!(a.dice(&namesake) < a.dice(&same) - 0.15, "{} {}", a.dice(&namesake), a.dice(&same));
        assert!(a.ones() > bare.ones(), "the optional fields set bits");
        // A father's name is not a given name: moving a word from one field to the other changes the bits.
        let father_mamadou = enc.encode(&with("", "Mamadou", ""));
        assert_ne!(father_mamadou, bare, "the father's name set bits of its own");
        assert!(father_mamadou.ones() > bare.ones());
    }

    #[test]
    fn a_swapped_day_and_month_still_agree_and_order_of_names_does_not_matter() {
        let s = secret("k");
        let mut enc = Encoder::new(&s);
        let a = enc.encode(&rec("a", "Aminata", "Traore", "F", "2001-03-07", "MLI", ""));
        let b = enc.encode(&rec("b", "TRAORE", "Aminata", "F", "2001-07-03", "MLI", ""));
        assert_eq!(a, b);
    }

    #[test]
    fn another_secret_gives_unrelated_encodings_and_a_short_secret_is_refused() {
        let r = rec("a", "Fatou", "Ndiaye", "F", "1990-02-03", "SEN", "");
        let (s1, s2) = (secret("first"), secret("second"));
        let (a, b) = (Encoder::new(&s1).encode(&r), Encoder::new(&s2).encode(&r));
        assert!(a.dice(&b) < 0.5, "{}", a.dice(&b));
        assert_ne!(s1.check(), s2.check());
        assert_eq!(LinkageSecret::new(b"too short").unwrap_err(), SecretError::TooShort(9));
        assert_eq!(Encoding::from_bytes(&a.to_bytes()), Some(a));
        assert_eq!(Encoding::from_bytes(&[0; 3]), None);
    }

    #[test]
    fn matching_finds_the_pairs_through_the_bands() {
        let s = secret("m");
        let mut enc = Encoder::new(&s);
        let left = vec![
            enc.encode(&rec("a", "Mamadou", "Diallo", "M", "1998", "GIN", "622112233")),
            enc.encode(&rec("b", "Aisha", "Abdallah", "F", "1985-11-02", "SDN", "")),
        ];
        let right = vec![
            enc.encode(&rec("x", "Ousmane", "Keita", "M", "1979", "MLI", "")),
            enc.encode(&rec("y", "Mamadu", "Jallow", "M", "1998-01-01", "GIN", "0622112233")),
            enc.encode(&rec("z", "Aicha", "Abdalla", "F", "1985-02-11", "SDN", "")),
        ];
        let m = match_encodings(&left, &right, 0.75, |_| {});
        let pairs: Vec<(usize, usize)> = m.iter().map(|m| (m.left, m.right)).collect();
        assert_eq!(pairs.len(), 2, "{m:?}");
        assert!(pairs.contains(&(0, 1)) && pairs.contains(&(1, 2)), "{m:?}");
    }
}
