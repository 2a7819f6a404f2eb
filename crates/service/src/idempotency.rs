//! Idempotent creates, as the IETF httpapi `Idempotency-Key` draft has them:
//! a client that retries a POST after a lost answer, a timeout or a 503
//! sends the same key, and gets the first answer instead of a second
//! record. The same key with another request is refused; two requests with
//! one key at once are a conflict. Keys are kept for [`KEEP_HOURS`].
//!
//! The key is claimed before the request is handled and its answer kept
//! after, in a transaction of its own: if the process dies between the
//! create's commit and keeping the answer, a retry creates again. That
//! window is a few microseconds, where a client without a key has none.

use crate::error::ServiceResult;
use crate::Passage;
use passage_domain::date::Timestamp;
use passage_storage::idempotency::{self as store, Claim, KeptAnswer};

/// How long an answer is kept under its key.
pub const KEEP_HOURS: i64 = 24;
/// A claim still "being handled" after this long was abandoned (its
/// process died, or the database went away before the claim could be
/// freed), and the next request with the key takes it over.
pub const ABANDONED_SECS: i64 = 15;

/// What a keyed request comes to.
#[derive(Debug)]
pub enum Begin {
    /// The key is new: handle the request, then keep its answer.
    Fresh,
    /// Answered before: send the same answer again.
    Replay(KeptAnswer),
    /// The key came with another request (method, path or body).
    Reused,
    /// The first request with this key is still being handled.
    InFlight,
}

/// A key a client may send: 1 to 255 visible ASCII characters (the draft
/// allows any string; this keeps them printable and bounded).
pub fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl Passage {
    pub async fn idempotency_begin(&self, owner: &str, key: &str, method: &str, path: &str, request_sha256: &str) -> ServiceResult<Begin> {
        let now = Timestamp::now();
        let cutoff = Timestamp::from_unix(now.unix() - KEEP_HOURS * 3600).unwrap_or(now).to_string();
        // A request takes at most the connection wait plus its own work; a
        // claim older than this was abandoned.
        let stale = Timestamp::from_unix(now.unix() - ABANDONED_SECS).unwrap_or(now).to_string();
        let now = now.to_string();
        let mut tx = self.db.begin().await?;
        store::purge(&mut tx, &cutoff).await?;
        let claim = Claim { owner, key, method, path, request_sha256, now: &now };
        let begin = if store::claim(&mut tx, &claim).await? {
            Begin::Fresh
        } else {
            match store::get(&mut tx, owner, key).await? {
                None => Begin::InFlight,
                Some(k) if k.method != method || k.path != path || k.request_sha256 != request_sha256 => Begin::Reused,
                Some(k) if k.status == 0 && store::take_over(&mut tx, owner, key, &stale, &now).await? => Begin::Fresh,
                Some(k) if k.status == 0 => Begin::InFlight,
                Some(k) => Begin::Replay(k),
            }
        };
        tx.commit().await?;
        Ok(begin)
    }

    pub async fn idempotency_complete(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        content_type: Option<&str>,
        location: Option<&str>,
        body: &str,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        store::complete(&mut tx, owner, key, status, content_type, location, body).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Free a key whose request failed on the server's side (a 5xx): a retry
    /// is handled afresh.
    pub async fn idempotency_release(&self, owner: &str, key: &str) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        store::release(&mut tx, owner, key).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// SHA-256 of the parts, in hex: a request's body, or the credentials that
/// own a key (never kept themselves).
pub fn digest(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
