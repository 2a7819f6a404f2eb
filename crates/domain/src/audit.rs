//! The audit trail's integrity rule. Every entry carries the hash of the one
//! before it, so altering, removing or reordering entries breaks the chain
//! at the first entry touched. The hash covers the entry's stored text
//! exactly (each field length-prefixed, so no two entries encode alike);
//! verification therefore needs no re-serialisation and cannot disagree with
//! what was written. Storage appends and reads; this module decides.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored: every field as the text in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    /// The user's id, or empty for the system (a command-line task).
    pub actor: String,
    /// What happened, e.g. `person.create`, `login.failed`, `case.view_restricted`.
    pub action: String,
    /// The record's kind and id, e.g. `case:0190…`; empty when none.
    pub record: String,
    /// The person the entry concerns (their id), or empty.
    pub person: String,
    /// JSON: the fields changed, `{"field": [before, after]}`; never a secret.
    pub changes: String,
    /// Where from: the client's address, or `cli`.
    pub source: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditLine {
    /// The hash this entry must carry: of its fields and its `prev_hash`
    /// (its own `hash` field is not read).
    pub fn computed_hash(&self) -> String {
        entry_hash(self)
    }
}

fn entry_hash(e: &AuditLine) -> String {
    let mut h = Sha256::new();
    h.update(b"passage-audit-v1");
    for part in [&e.prev_hash, &e.seq.to_string(), &e.at, &e.actor, &e.action, &e.record, &e.person, &e.changes, &e.source] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    // Verification hashes a million entries: no formatter per byte.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's content no longer matches its hash.
    Altered { seq: i64 },
    /// Entries before `seq` are missing (a gap in the sequence).
    Removed { seq: i64, expected: i64 },
    /// The entry does not follow the one stored before it: moved, or one removed and the rest renumbered.
    Reordered { seq: i64 },
    /// The last entries are gone: the trail ends before the recorded head.
    Truncated { last_seq: i64, head_seq: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Altered { seq } => write!(f, "entry {seq} was altered: its content does not match its hash"),
            Break::Removed { seq, expected } if *seq == expected + 1 => write!(f, "entry {expected} was removed"),
            Break::Removed { seq, expected } => write!(f, "entries {expected} to {} were removed", seq - 1),
            Break::Reordered { seq } => write!(f, "entry {seq} does not follow the entry before it: entries were reordered or removed"),
            Break::Truncated { last_seq, head_seq } => {
                write!(f, "the trail ends at entry {last_seq} but had reached entry {head_seq}: the last entries were removed")
            }
        }
    }
}

/// Walks the chain, one entry at a time, in sequence order.
#[derive(Debug)]
pub struct ChainCheck {
    expected_seq: i64,
    prev_hash: String,
    pub checked: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck { expected_seq: 1, prev_hash: GENESIS.to_string(), checked: 0 }
    }
}

impl ChainCheck {
    pub fn next(&mut self, e: &AuditLine) -> Result<(), Break> {
        if e.seq > self.expected_seq {
            return Err(Break::Removed { seq: e.seq, expected: self.expected_seq });
        }
        if e.seq < self.expected_seq {
            return Err(Break::Reordered { seq: e.seq });
        }
        if e.computed_hash() != e.hash {
            return Err(Break::Altered { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Break::Reordered { seq: e.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        self.checked += 1;
        Ok(())
    }

    /// After the last entry: the head (the last sequence number and hash
    /// ever written, kept apart from the entries) must be where the walk ended.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), Break> {
        let last = self.expected_seq - 1;
        if last < head_seq {
            return Err(Break::Truncated { last_seq: last, head_seq });
        }
        if last > head_seq || head_hash != self.prev_hash {
            return Err(Break::Altered { seq: last });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditLine> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let (at, action) = (format!("2026-01-01T00:00:{seq:02}Z"), "note.create".to_string());
                let mut e = AuditLine {
                    seq,
                    at,
                    actor: "u1".into(),
                    action,
                    record: "case:c1".into(),
                    person: "p1".into(),
                    changes: "{}".into(),
                    source: "127.0.0.1".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(lines: &[AuditLine], head: (i64, &str)) -> Result<(), Break> {
        let mut c = ChainCheck::default();
        for l in lines {
            c.next(l)?;
        }
        c.finish(head.0, head.1)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let lines = chain(5);
        assert_eq!(verify(&lines, (5, &lines[4].hash)), Ok(()));
        assert_eq!(verify(&[], (0, GENESIS)), Ok(()));
    }

    #[test]
    fn each_kind_of_tampering_is_found_at_the_first_entry_touched() {
        let lines = chain(5);
        let head = (5, lines[4].hash.clone());
        let mut altered = lines.clone();
        altered[2].changes = r#"{"family":["Diallo","Jallow"]}"#.into();
        assert_eq!(verify(&altered, (head.0, &head.1)), Err(Break::Altered { seq: 3 }));
        let mut removed = lines.clone();
        removed.remove(1);
        assert_eq!(verify(&removed, (head.0, &head.1)), Err(Break::Removed { seq: 3, expected: 2 }));
        let mut swapped = lines.clone();
        swapped.swap(1, 2);
        (swapped[1].seq, swapped[2].seq) = (2, 3);
        assert_eq!(verify(&swapped, (head.0, &head.1)), Err(Break::Altered { seq: 2 }));
        // Renumbered after a removal, with the hashes recomputed from there on: the link breaks.
        let mut renumbered = lines.clone();
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
            e.hash = e.computed_hash();
        }
        assert_eq!(verify(&renumbered, (head.0, &head.1)), Err(Break::Reordered { seq: 2 }));
        assert_eq!(verify(&lines[..4], (head.0, &head.1)), Err(Break::Truncated { last_seq: 4, head_seq: 5 }));
    }
}
