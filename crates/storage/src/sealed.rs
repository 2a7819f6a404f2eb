//! Secrets at rest. Free-text case notes, screening notes (where trafficking
//! details are written), identity document numbers and TOTP secrets are
//! stored sealed: XChaCha20-Poly1305 with a key held outside the database
//! (a key file), so a copied database file or dump alone does not reveal
//! them. Names are not sealed: they must stay searchable, and the search
//! keys derived from them would reveal them anyway.
//!
//! Each sealed value names the key that sealed it and is bound to its place
//! (table, column and row id, as associated data), so a value moved to
//! another row or column no longer opens. The key file holds one key per
//! line, the first one current; older lines still open what they sealed,
//! which is how `passage keys rotate` re-seals everything without a moment
//! when some values cannot be read.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Every sealed column, as (table, column); each table's key is `id`.
pub const SEALED_COLUMNS: [(&str, &str); 9] = [
    ("case_notes", "body"),
    ("screenings", "notes"),
    ("identity_documents", "number"),
    ("users", "totp_secret"),
    ("monitoring_visits", "notes"),
    ("referrals", "feedback"),
    ("form_submissions", "payload"),
    ("hotline_calls", "notes"),
    ("sms_inbound", "body"),
];

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the data key file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write the data key file {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("the data key file {path}, line {line}: not a base64 key of 32 bytes")]
    Malformed { path: String, line: usize },
    #[error("the data key file {path} holds no key")]
    Empty { path: String },
    #[error("the data key file {path} can be read by other users of this machine (mode {mode:o}); run: chmod 600 {path}")]
    Exposed { path: String, mode: u32 },
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OpenError {
    #[error("a value was sealed with data key {0}, which the key file does not hold")]
    UnknownKey(String),
    #[error("a sealed value does not open: it was altered, moved, or the key file is wrong")]
    Corrupt,
}

#[derive(Clone)]
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Key {
        let mut h = Sha256::new();
        h.update(b"passage-data-key-id");
        h.update(bytes);
        let id = h.finalize()[..4].iter().map(|b| format!("{b:02x}")).collect();
        Key { id, cipher: XChaCha20Poly1305::new(bytes.into()) }
    }
}

/// The data keys: the current one seals, all of them open.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("keys", &self.ids()).finish()
    }
}

/// A new random 32-byte key, base64.
pub fn new_key_line() -> String {
    STANDARD.encode(XChaCha20Poly1305::generate_key(&mut OsRng))
}

impl Keyring {
    /// Keys from the lines of a key file (blank lines and `#` comments skipped).
    pub fn parse(text: &str, path: &str) -> Result<Keyring, KeyError> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bytes: [u8; 32] = STANDARD
                .decode(line)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| KeyError::Malformed { path: path.to_string(), line: i + 1 })?;
            keys.push(Key::new(&bytes));
        }
        if keys.is_empty() {
            return Err(KeyError::Empty { path: path.to_string() });
        }
        Ok(Keyring { keys })
    }

    /// The keys in `path`, refusing a file others may read.
    pub fn load(path: &Path) -> Result<Keyring, KeyError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read { path: p.clone(), source })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(|source| KeyError::Read { path: p.clone(), source })?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(KeyError::Exposed { path: p, mode: mode & 0o777 });
            }
        }
        Keyring::parse(&text, &p)
    }

    /// The keys in `path`; a new file with one new key when there is none.
    pub fn load_or_create(path: &Path) -> Result<(Keyring, bool), KeyError> {
        if path.exists() {
            return Ok((Keyring::load(path)?, false));
        }
        let text = format!(
            "# Passage data key: without it, sealed notes and document numbers cannot be read.\n\
             # Keep a copy apart from the database backups. The first key seals; the others only open.\n{}\n",
            new_key_line()
        );
        // Two processes may start on a new database at once: the first file
        // to land wins, and the other process uses it.
        if !write_private(path, &text, false)? {
            return Ok((Keyring::load(path)?, false));
        }
        Ok((Keyring::parse(&text, &path.display().to_string())?, true))
    }

    /// A keyring with a new current key in front of these (for rotation).
    pub fn with_new_key(&self) -> (Keyring, String) {
        let line = new_key_line();
        let mut keys = Keyring::parse(&line, "").expect("a fresh key parses").keys;
        keys.extend(self.keys.iter().cloned());
        (Keyring { keys }, line)
    }

    /// Only the current key (after a rotation has re-sealed everything).
    pub fn current_only(&self) -> Keyring {
        Keyring { keys: vec![self.keys[0].clone()] }
    }

    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    /// `plain` sealed with the current key, bound to `place` (e.g. `case_notes.body:<id>`).
    pub fn seal(&self, place: &str, plain: &str) -> String {
        let key = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct =
            key.cipher.encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: place.as_bytes() }).expect("encryption of a bounded message");
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}:{}", key.id, URL_SAFE_NO_PAD.encode(out))
    }

    /// The plain text of a value stored at `place`. A value that was never
    /// sealed (written before sealing existed) is returned as it is;
    /// `passage keys rotate` seals such values.
    pub fn open(&self, place: &str, stored: &str) -> Result<String, OpenError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let (kid, body) = rest.split_once(':').ok_or(OpenError::Corrupt)?;
        let key = self.keys.iter().find(|k| k.id == kid).ok_or_else(|| OpenError::UnknownKey(kid.to_string()))?;
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| OpenError::Corrupt)?;
        if raw.len() < NONCE_LEN {
            return Err(OpenError::Corrupt);
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let plain = key.cipher.decrypt(nonce.into(), Payload { msg: ct, aad: place.as_bytes() }).map_err(|_| OpenError::Corrupt)?;
        String::from_utf8(plain).map_err(|_| OpenError::Corrupt)
    }

    /// Like [`Keyring::open`], but a value that is not sealed is refused:
    /// for values that were always sealed (TOTP secrets, challenges,
    /// cursors handed to clients), where a plain value can only be forged.
    pub fn open_sealed(&self, place: &str, stored: &str) -> Result<String, OpenError> {
        if !stored.starts_with(PREFIX) {
            return Err(OpenError::Corrupt);
        }
        self.open(place, stored)
    }

    /// Whether a stored value is sealed with the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored.strip_prefix(PREFIX).and_then(|r| r.split_once(':')).is_some_and(|(kid, _)| kid == self.keys[0].id)
    }
}

/// Write a file only its owner can read, atomically: a temporary file,
/// renamed over `path` when `replace`, else linked to it only if there is
/// none yet. Returns false when `path` already existed and was kept.
pub fn write_private(path: &Path, text: &str, replace: bool) -> Result<bool, KeyError> {
    let p = path.display().to_string();
    let tmp = path.with_extension(format!("new-{}", std::process::id()));
    let write = || -> std::io::Result<bool> {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if replace {
            std::fs::rename(&tmp, path)?;
            return Ok(true);
        }
        let linked = std::fs::hard_link(&tmp, path);
        std::fs::remove_file(&tmp)?;
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    };
    write().map_err(|source| KeyError::Write { path: p, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::parse(&new_key_line(), "test").unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_place_and_with_its_key() {
        let k = ring();
        let s = k.seal("case_notes.body:1", "She was held in Sabha for three months.");
        assert!(s.starts_with("sealed:v1:"));
        assert!(!s.contains("Sabha"));
        assert_eq!(k.open("case_notes.body:1", &s).unwrap(), "She was held in Sabha for three months.");
        assert_eq!(k.open("case_notes.body:2", &s), Err(OpenError::Corrupt), "moved to another row");
        assert!(matches!(ring().open("case_notes.body:1", &s), Err(OpenError::UnknownKey(_))));
        let mut altered = s.clone();
        altered.pop();
        altered.push(if s.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(k.open("case_notes.body:1", &altered), Err(OpenError::Corrupt));
        assert_ne!(k.seal("p", "same"), k.seal("p", "same"), "a fresh nonce each time");
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = ring();
        let s = old.seal("x", "secret");
        let (new, _) = old.with_new_key();
        assert_eq!(new.open("x", &s).unwrap(), "secret");
        assert!(!new.is_current(&s));
        let s2 = new.seal("x", "secret");
        assert!(new.is_current(&s2));
        assert_eq!(new.current_only().open("x", &s2).unwrap(), "secret");
    }

    #[test]
    fn key_files_are_checked() {
        assert!(matches!(Keyring::parse("# only a comment\n", "f"), Err(KeyError::Empty { .. })));
        assert!(matches!(Keyring::parse("bm90IGEga2V5\n", "f"), Err(KeyError::Malformed { line: 1, .. })));
        assert_eq!(ring().open("p", "written before sealing").unwrap(), "written before sealing");
    }
}
