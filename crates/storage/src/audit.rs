//! The audit trail's storage: append an entry inside the caller's
//! transaction (so it commits or rolls back with the change it records),
//! walk the chain for verification, and list entries for the admin pages.
//! The chain rule itself is `passage_domain::audit`.

use crate::records::*;
use crate::sql::Sql;
use crate::{Result, StorageError};
use passage_domain::audit::{AuditLine, Break, ChainCheck};
use passage_domain::date::Timestamp;
use passage_domain::ids::{PersonId, UserId};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// An entry to append. `changes` is JSON and must never hold a secret.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    pub actor: Option<UserId>,
    pub action: &'static str,
    pub record: String,
    pub person: Option<PersonId>,
    pub changes: String,
    pub source: String,
}

/// Append `e` to the chain. Call inside the transaction of the change it records.
pub async fn append(c: &mut AnyConnection, e: NewAuditEntry) -> Result<i64> {
    append_many(c, vec![e]).await
}

/// Append several entries at once, chained in order: the head is taken
/// and moved once, and the lines go in multi-row statements (an import
/// writes hundreds of entries per batch). The same chain as appending them
/// one by one.
/// Returns the sequence number of the last (0 when there were none).
pub async fn append_many(c: &mut AnyConnection, entries: Vec<NewAuditEntry>) -> Result<i64> {
    if entries.is_empty() {
        return Ok(0);
    }
    let n = entries.len() as i64;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash").bind(n).fetch_one(&mut *c).await?;
    let last = int(&head, "seq")?;
    let mut prev = text(&head, "hash")?;
    let mut rows = Vec::with_capacity(entries.len());
    for (i, e) in entries.into_iter().enumerate() {
        let mut line = AuditLine {
            seq: last - n + 1 + i as i64,
            at: e.at.to_string(),
            actor: e.actor.map(|a| a.to_string()).unwrap_or_default(),
            action: e.action.to_string(),
            record: e.record,
            person: e.person.map(|p| p.to_string()).unwrap_or_default(),
            changes: e.changes,
            source: e.source,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        line.hash = line.computed_hash();
        prev = line.hash.clone();
        use crate::sql::Value;
        rows.push(vec![
            Value::Int(line.seq),
            Value::Text(line.at),
            Value::Text(line.actor),
            Value::Text(line.action),
            Value::Text(line.record),
            Value::Text(line.person),
            Value::Text(line.changes),
            Value::Text(line.source),
            Value::Text(line.prev_hash),
            Value::Text(line.hash),
        ]);
    }
    crate::bulk::insert_rows(
        c,
        "audit_log",
        &["seq", "at", "actor", "action", "record", "person", "changes", "source", "prev_hash", "hash"],
        rows,
    )
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut *c).await?;
    Ok(last)
}

fn line(r: &AnyRow) -> Result<AuditLine> {
    Ok(AuditLine {
        seq: int(r, "seq")?,
        at: text(r, "at")?,
        actor: text(r, "actor")?,
        action: text(r, "action")?,
        record: text(r, "record")?,
        person: text(r, "person")?,
        changes: text(r, "changes")?,
        source: text(r, "source")?,
        prev_hash: text(r, "prev_hash")?,
        hash: text(r, "hash")?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, record, person, changes, source, prev_hash, hash";

/// The outcome of walking the whole chain.
#[derive(Debug)]
pub struct Verification {
    pub checked: u64,
    pub result: std::result::Result<(), Break>,
}

/// Entries per statement when verifying.
const VERIFY_PAGE: i64 = 20_000;

/// Walk every entry in order and stop at the first break. Entries come a
/// page at a time, each page as one row holding a JSON array built by the
/// database: on SQLite every row crosses from the driver's thread to the
/// async task with a wake-up, and at a million entries those wake-ups, not
/// hashing, were most of the time (BENCHMARKS.md). A page is hashed on a
/// blocking thread while the next one is read. Memory stays at two pages.
pub async fn verify(c: &mut AnyConnection, mut progress: impl FnMut(u64)) -> Result<Verification> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *c).await?;
    let (head_seq, head_hash) = (int(&head, "seq")?, text(&head, "hash")?);
    let sql = if c.backend_name() == "PostgreSQL" {
        format!(
            "SELECT COALESCE(json_agg(json_build_array({COLUMNS}) ORDER BY seq), '[]'::json)::text AS j, COUNT(*) AS n, MAX(seq) AS last \
             FROM (SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2) p"
        )
    } else {
        format!(
            "SELECT json_group_array(json_array({COLUMNS})) AS j, COUNT(*) AS n, MAX(seq) AS last \
             FROM (SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2)"
        )
    };
    let mut check = ChainCheck::default();
    let mut after = i64::MIN;
    let mut pending: Option<tokio::task::JoinHandle<(ChainCheck, std::result::Result<(), Break>)>> = None;
    loop {
        let r = sqlx::query(&sql).bind(after).bind(VERIFY_PAGE).fetch_one(&mut *c).await?;
        let n = int(&r, "n")?;
        let json = text(&r, "j")?;
        if let Some(p) = pending.take() {
            let (c2, res) = p.await.map_err(|e| StorageError::Corrupt(format!("audit verification stopped: {e}")))?;
            check = c2;
            if let Err(b) = res {
                return Ok(Verification { checked: check.checked, result: Err(b) });
            }
            progress(check.checked);
        }
        if n == 0 {
            break;
        }
        after = int(&r, "last")?;
        let mut chk = std::mem::take(&mut check);
        pending = Some(tokio::task::spawn_blocking(move || {
            let rows: Vec<Row> = match serde_json::from_str(&json) {
                Ok(rows) => rows,
                Err(_) => return (chk, Err(Break::Altered { seq: after })),
            };
            for row in rows {
                if let Err(b) = chk.next(&row.into_line()) {
                    return (chk, Err(b));
                }
            }
            (chk, Ok(()))
        }));
    }
    let result = check.finish(head_seq, &head_hash);
    Ok(Verification { checked: check.checked, result })
}

/// One entry as the verifying statement returns it (a JSON array in column order).
#[derive(serde::Deserialize)]
struct Row(i64, String, String, String, String, String, String, String, String, String);

impl Row {
    fn into_line(self) -> AuditLine {
        let Row(seq, at, actor, action, record, person, changes, source, prev_hash, hash) = self;
        AuditLine { seq, at, actor, action, record, person, changes, source, prev_hash, hash }
    }
}

/// What to list: any combination; newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub person: Option<PersonId>,
    /// A record, as `kind:id`.
    pub record: Option<String>,
    /// Entries from this instant (inclusive) to `until` (exclusive), as RFC 3339 text.
    pub from: Option<String>,
    pub until: Option<String>,
    /// Entries before this sequence number (for paging).
    pub before: Option<i64>,
}

pub async fn list(c: &mut AnyConnection, f: &AuditFilter, limit: i64) -> Result<Vec<AuditLine>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(a) = f.actor {
        q.push(" AND actor = ").bind(a.to_string());
    }
    if let Some(p) = f.person {
        q.push(" AND person = ").bind(p.to_string());
    }
    if let Some(r) = &f.record {
        q.push(" AND record = ").bind(r.as_str());
    }
    if let Some(from) = &f.from {
        q.push(" AND at >= ").bind(from.as_str());
    }
    if let Some(until) = &f.until {
        q.push(" AND at < ").bind(until.as_str());
    }
    if let Some(b) = f.before {
        q.push(" AND seq < ").bind(b);
    }
    q.push(" ORDER BY seq DESC LIMIT ").bind(limit);
    q.query().fetch_all(c).await?.iter().map(line).collect()
}
