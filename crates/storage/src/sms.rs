//! Storage for text messages: broadcasts and their texts, the audience a
//! broadcast selects, the outbox the sender works through, and the texts
//! that come in. The outbox is what makes sending survive a restart: a
//! message is claimed (`sending`, committed) before it is handed to the
//! gateway, so a message interrupted there is never handed over twice (see
//! `passage_domain::sms::OutboxStatus`).

use crate::bulk;
use crate::records::*;
use crate::sql::{Sql, Value};
use crate::Result;
use passage_domain::codes::LanguageCode;
use passage_domain::date::Timestamp;
use passage_domain::ids::{BroadcastId, OutboxId, PersonId, UserId};
use passage_domain::sms::{Audience, BroadcastStatus, DeliveryReport, NewBroadcast, OutboxStatus};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// A stored broadcast.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BroadcastRecord {
    pub id: BroadcastId,
    pub title: String,
    pub texts: Vec<(LanguageCode, String)>,
    pub fallback: LanguageCode,
    pub audience: Audience,
    pub status: BroadcastStatus,
    pub gateway: String,
    pub recipients: i64,
    pub segments: i64,
    pub unreachable: i64,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub approved_by: Option<UserId>,
}

impl BroadcastRecord {
    pub fn as_new(&self) -> NewBroadcast {
        NewBroadcast { title: self.title.clone(), texts: self.texts.clone(), fallback: self.fallback, audience: self.audience.clone() }
    }
}

pub async fn insert_broadcast(
    c: &mut AnyConnection,
    b_id: BroadcastId,
    b: &NewBroadcast,
    gateway: &str,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    let audience = serde_json::to_string(&b.audience).expect("an audience serialises");
    sqlx::query(
        "INSERT INTO broadcasts (id, title, fallback_language, audience, status, gateway, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7)",
    )
    .bind(b_id.to_string())
    .bind(&b.title)
    .bind(b.fallback.as_str().to_string())
    .bind(audience)
    .bind(gateway)
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    for (i, (l, body)) in b.texts.iter().enumerate() {
        sqlx::query("INSERT INTO broadcast_texts (broadcast_id, language, position, body) VALUES ($1, $2, $3, $4)")
            .bind(b_id.to_string())
            .bind(l.as_str().to_string())
            .bind(i as i64)
            .bind(body)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

const BROADCAST_COLUMNS: &str =
    "id, title, fallback_language, audience, status, gateway, recipients, segments, unreachable, created_by, created_at, approved_by";

async fn broadcast(c: &mut AnyConnection, r: &AnyRow) -> Result<BroadcastRecord> {
    let b_id: BroadcastId = id(r, "id")?;
    let audience = text(r, "audience")?;
    let texts = sqlx::query("SELECT language, body FROM broadcast_texts WHERE broadcast_id = $1 ORDER BY position")
        .bind(b_id.to_string())
        .fetch_all(c)
        .await?
        .iter()
        .map(|t| Ok((code(t, "language", LanguageCode::parse)?, text(t, "body")?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(BroadcastRecord {
        id: b_id,
        title: text(r, "title")?,
        texts,
        fallback: code(r, "fallback_language", LanguageCode::parse)?,
        audience: serde_json::from_str(&audience).map_err(|_| corrupt("broadcast audience", &audience))?,
        status: code(r, "status", BroadcastStatus::parse)?,
        gateway: text(r, "gateway")?,
        recipients: int(r, "recipients")?,
        segments: int(r, "segments")?,
        unreachable: int(r, "unreachable")?,
        created_by: id(r, "created_by")?,
        created_at: timestamp(r, "created_at")?,
        approved_by: opt_id(r, "approved_by")?,
    })
}

pub async fn get_broadcast(c: &mut AnyConnection, b_id: BroadcastId) -> Result<Option<BroadcastRecord>> {
    let r = sqlx::query(&format!("SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE id = $1"))
        .bind(b_id.to_string())
        .fetch_optional(&mut *c)
        .await?;
    match r {
        Some(r) => Ok(Some(broadcast(c, &r).await?)),
        None => Ok(None),
    }
}

pub async fn recent_broadcasts(c: &mut AnyConnection, limit: i64) -> Result<Vec<BroadcastRecord>> {
    let rows = sqlx::query(&format!("SELECT {BROADCAST_COLUMNS} FROM broadcasts ORDER BY created_at DESC, id DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(broadcast(c, r).await?);
    }
    Ok(out)
}

/// Move a broadcast from one status to another; false when it was not in
/// `from` any more (another user got there first).
pub async fn move_broadcast(
    c: &mut AnyConnection,
    b_id: BroadcastId,
    from: BroadcastStatus,
    to: BroadcastStatus,
    approved_by: Option<UserId>,
    now: Timestamp,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE broadcasts SET status = $3, \
         submitted_at = CASE WHEN $3 IN ('awaiting_approval', 'sending') AND submitted_at IS NULL THEN $5 ELSE submitted_at END, \
         approved_by = COALESCE($4, approved_by), approved_at = CASE WHEN $4 IS NULL THEN approved_at ELSE $5 END \
         WHERE id = $1 AND status = $2",
    )
    .bind(b_id.to_string())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(approved_by.map(|u| u.to_string()))
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_recipients(c: &mut AnyConnection, b_id: BroadcastId, recipients: i64, segments: i64, unreachable: i64) -> Result<()> {
    sqlx::query("UPDATE broadcasts SET recipients = $2, segments = $3, unreachable = $4 WHERE id = $1")
        .bind(b_id.to_string())
        .bind(recipients)
        .bind(segments)
        .bind(unreachable)
        .execute(c)
        .await?;
    Ok(())
}

/// A person a broadcast may reach: they consented to follow-up contact and
/// have not withdrawn it. Their phone may still be missing or unusable.
#[derive(Debug, Clone)]
pub struct AudienceMember {
    pub person_id: PersonId,
    pub phone: Option<String>,
    /// Their languages as registered, in order.
    pub languages: Vec<LanguageCode>,
}

/// Everyone the audience selects, in a stable order.
pub async fn audience(c: &mut AnyConnection, a: &Audience) -> Result<Vec<AudienceMember>> {
    let mut q = Sql::new(
        "SELECT p.id, p.phone, p.languages FROM persons p WHERE p.merged_into IS NULL AND p.anonymised_at IS NULL \
         AND EXISTS (SELECT 1 FROM consents k WHERE k.person_id = p.id AND k.kind = 'follow_up_contact' AND k.withdrawn_on IS NULL)",
    );
    if let Some(n) = a.nationality {
        q.push(" AND p.nationality = ").bind(n.to_string());
    }
    if let Some(l) = a.language {
        q.push(" AND (',' || p.languages || ',') LIKE ").bind(format!("%,{},%", l.as_str()));
    }
    let office = match &a.office {
        Some(code) => {
            let r = sqlx::query("SELECT id FROM offices WHERE code = $1").bind(code).fetch_optional(&mut *c).await?;
            match r {
                Some(r) => Some(text(&r, "id")?),
                None => return Ok(Vec::new()),
            }
        }
        None => None,
    };
    if a.case_kind.is_some() || a.case_status.is_some() {
        // The case that qualifies a person is a case of the chosen office.
        q.push(" AND EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id");
        if let Some(k) = a.case_kind {
            q.push(" AND c.kind = ").bind(k.as_str());
        }
        if let Some(s) = a.case_status {
            q.push(" AND c.status = ").bind(s.as_str());
        }
        if let Some(o) = &office {
            q.push(" AND c.office_id = ").bind(o.clone());
        }
        q.push(")");
    } else if let Some(o) = &office {
        q.push(" AND (p.registered_office_id = ").bind(o.clone());
        q.push(" OR EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id AND c.office_id = ").bind(o.clone()).push("))");
    }
    q.push(" ORDER BY p.id");
    q.query()
        .fetch_all(c)
        .await?
        .iter()
        .map(|r| {
            let langs = text(r, "languages")?;
            Ok(AudienceMember {
                person_id: id(r, "id")?,
                phone: opt_text(r, "phone")?,
                languages: langs.split(',').filter(|s| !s.is_empty()).filter_map(|l| LanguageCode::parse("l", l).ok()).collect(),
            })
        })
        .collect()
}

/// One message to write to the outbox.
pub struct NewMessage {
    pub id: OutboxId,
    pub broadcast: Option<BroadcastId>,
    pub person: Option<PersonId>,
    pub phone: String,
    pub language: LanguageCode,
    pub body: String,
    pub segments: i64,
}

const OUTBOX_COLUMNS: [&str; 12] = [
    "id",
    "broadcast_id",
    "person_id",
    "phone",
    "language",
    "body",
    "segments",
    "gateway",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
];

/// Write messages to the outbox, all in `status`.
pub async fn enqueue(c: &mut AnyConnection, gateway: &str, status: OutboxStatus, messages: Vec<NewMessage>, now: Timestamp) -> Result<()> {
    let t = |s: String| Value::Text(s);
    let rows = messages
        .into_iter()
        .map(|m| {
            vec![
                t(m.id.to_string()),
                m.broadcast.map(|b| t(b.to_string())).unwrap_or(Value::Null),
                m.person.map(|p| t(p.to_string())).unwrap_or(Value::Null),
                t(m.phone),
                t(m.language.as_str().to_string()),
                t(m.body),
                Value::Int(m.segments),
                t(gateway.to_string()),
                t(status.as_str().to_string()),
                Value::Int(0),
                Value::Int(now.unix()),
                t(now.to_string()),
            ]
        })
        .collect();
    bulk::insert_rows(c, "sms_outbox", &OUTBOX_COLUMNS, rows).await
}

/// Move a broadcast's messages from one status to another; how many moved.
pub async fn move_messages(c: &mut AnyConnection, b_id: BroadcastId, from: &[OutboxStatus], to: OutboxStatus) -> Result<u64> {
    let mut q = Sql::new("UPDATE sms_outbox SET status = ");
    q.bind(to.as_str()).push(" WHERE broadcast_id = ").bind(b_id.to_string()).push(" AND status IN ");
    q.bind_list(from.iter().map(|s| s.as_str()));
    Ok(q.query().execute(c).await?.rows_affected())
}

/// After a restart: messages that were being handed over when the process
/// stopped may have reached the gateway; they are never handed over again.
pub async fn settle_interrupted(c: &mut AnyConnection, gateway: &str) -> Result<u64> {
    let r = sqlx::query("UPDATE sms_outbox SET status = 'unknown', last_error = 'interrupted while handed to the gateway' WHERE gateway = $1 AND status = 'sending'")
        .bind(gateway)
        .execute(c)
        .await?;
    Ok(r.rows_affected())
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMessage {
    pub id: OutboxId,
    pub phone: String,
    pub body: String,
    pub attempts: i64,
}

/// Claim up to `limit` messages that are due, oldest first, and mark them
/// `sending`. Committed by the caller before anything is handed over.
pub async fn claim_due(c: &mut AnyConnection, gateway: &str, now: Timestamp, limit: i64) -> Result<Vec<ClaimedMessage>> {
    let rows = sqlx::query(
        "UPDATE sms_outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN \
         (SELECT id FROM sms_outbox WHERE gateway = $1 AND status = 'queued' AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $3) \
         AND status = 'queued' RETURNING id, phone, body, attempts",
    )
    .bind(gateway)
    .bind(now.unix())
    .bind(limit)
    .fetch_all(c)
    .await?;
    let mut out: Vec<ClaimedMessage> = rows
        .iter()
        .map(|r| Ok(ClaimedMessage { id: id(r, "id")?, phone: text(r, "phone")?, body: text(r, "body")?, attempts: int(r, "attempts")? }))
        .collect::<Result<_>>()?;
    out.sort_by_key(|m| m.id);
    Ok(out)
}

/// What became of one message handed to the gateway.
#[derive(Debug, Clone)]
pub enum Handed {
    Sent,
    /// Not taken, for a reason that may pass: try again at this Unix time.
    Retry {
        at: i64,
        error: String,
    },
    Failed {
        error: String,
    },
    /// The gateway was not reached: back to the queue, the attempt not counted.
    Requeue {
        at: i64,
        error: String,
    },
    /// Handed over without an answer: never handed over again.
    Unknown {
        error: String,
    },
}

/// Record what became of claimed messages (only those still `sending`: a
/// delivery report may have been quicker than this write).
pub async fn record_handed(c: &mut AnyConnection, results: &[(OutboxId, Handed)], now: Timestamp) -> Result<()> {
    let sent: Vec<String> = results.iter().filter(|(_, h)| matches!(h, Handed::Sent)).map(|(i, _)| i.to_string()).collect();
    for chunk in sent.chunks(500) {
        let mut q = Sql::new("UPDATE sms_outbox SET status = 'sent', sent_at = ");
        q.bind(now.to_string()).push(" WHERE status = 'sending' AND id IN ").bind_list(chunk.iter().cloned());
        q.query().execute(&mut *c).await?;
    }
    for (m, h) in results {
        let (status, at, error, uncount) = match h {
            Handed::Sent => continue,
            Handed::Retry { at, error } => ("queued", *at, error, 0),
            Handed::Failed { error } => ("failed", now.unix(), error, 0),
            Handed::Requeue { at, error } => ("queued", *at, error, 1),
            Handed::Unknown { error } => ("unknown", now.unix(), error, 0),
        };
        sqlx::query(
            "UPDATE sms_outbox SET status = $2, next_attempt_at = $3, last_error = $4, attempts = attempts - $5 WHERE id = $1 AND status = 'sending'",
        )
        .bind(m.to_string())
        .bind(status)
        .bind(at)
        .bind(passage_domain::text::shortened(error))
        .bind(uncount)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Apply a delivery report; returns the status it moved the message to,
/// none when the message is unknown or the report changes nothing.
///
/// A report can arrive while the sender is still recording that the gateway
/// took the message (Kannel reports at once): the move is a compare-and-set
/// on the status read, tried again when the status changed in between, so
/// neither write undoes the other.
pub async fn apply_report(c: &mut AnyConnection, m: OutboxId, report: DeliveryReport, now: Timestamp) -> Result<Option<OutboxStatus>> {
    for _ in 0..5 {
        let r = sqlx::query("SELECT status FROM sms_outbox WHERE id = $1").bind(m.to_string()).fetch_optional(&mut *c).await?;
        let Some(r) = r else { return Ok(None) };
        let current = code(&r, "status", OutboxStatus::parse)?;
        let Some(next) = current.after_report(report) else { return Ok(None) };
        let moved = sqlx::query("UPDATE sms_outbox SET status = $3, reported_at = $4 WHERE id = $1 AND status = $2")
            .bind(m.to_string())
            .bind(current.as_str())
            .bind(next.as_str())
            .bind(now.to_string())
            .execute(&mut *c)
            .await?;
        if moved.rows_affected() == 1 {
            return Ok(Some(next));
        }
    }
    Ok(None)
}

/// A broadcast's messages by status.
pub async fn message_counts(c: &mut AnyConnection, b_id: BroadcastId) -> Result<Vec<(OutboxStatus, i64)>> {
    sqlx::query("SELECT status, COUNT(*) AS n FROM sms_outbox WHERE broadcast_id = $1 GROUP BY status ORDER BY status")
        .bind(b_id.to_string())
        .fetch_all(c)
        .await?
        .iter()
        .map(|r| Ok((code(r, "status", OutboxStatus::parse)?, int(r, "n")?)))
        .collect()
}

/// A sent broadcast's messages by language.
pub async fn language_counts(c: &mut AnyConnection, b_id: BroadcastId) -> Result<Vec<(LanguageCode, i64)>> {
    sqlx::query("SELECT language, COUNT(*) AS n FROM sms_outbox WHERE broadcast_id = $1 GROUP BY language ORDER BY language")
        .bind(b_id.to_string())
        .fetch_all(c)
        .await?
        .iter()
        .map(|r| Ok((code(r, "language", LanguageCode::parse)?, int(r, "n")?)))
        .collect()
}

/// Messages of a gateway waiting to be handed over.
pub async fn waiting(c: &mut AnyConnection, gateway: &str) -> Result<i64> {
    // Two counts, each answered by its partial index.
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM sms_outbox WHERE gateway = $1 AND status = 'queued') \
         + (SELECT COUNT(*) FROM sms_outbox WHERE gateway = $1 AND status = 'sending') AS n",
    )
    .bind(gateway)
    .fetch_one(c)
    .await?;
    int(&r, "n")
}

/// When the next queued message of a gateway is due (Unix seconds).
pub async fn next_due(c: &mut AnyConnection, gateway: &str) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT MIN(next_attempt_at) AS t FROM sms_outbox WHERE gateway = $1 AND status = 'queued'")
        .bind(gateway)
        .fetch_one(c)
        .await?;
    opt_int(&r, "t")
}

/// The persons registered with this number (a family may share one).
pub async fn persons_with_phone(c: &mut AnyConnection, phone: &str) -> Result<Vec<(PersonId, String)>> {
    sqlx::query("SELECT id, registered_office_id FROM persons WHERE phone = $1 AND merged_into IS NULL ORDER BY id")
        .bind(phone)
        .fetch_all(c)
        .await?
        .iter()
        .map(|r| Ok((id(r, "id")?, text(r, "registered_office_id")?)))
        .collect()
}

/// A person's follow-up consents that are still in force.
pub async fn active_follow_up_consents(c: &mut AnyConnection, person: PersonId) -> Result<Vec<passage_domain::ids::ConsentId>> {
    sqlx::query("SELECT id FROM consents WHERE person_id = $1 AND kind = 'follow_up_contact' AND withdrawn_on IS NULL ORDER BY id")
        .bind(person.to_string())
        .fetch_all(c)
        .await?
        .iter()
        .map(|r| id(r, "id"))
        .collect()
}

/// A text received.
pub struct Inbound<'a> {
    pub id: &'a str,
    pub gateway: &'a str,
    pub phone: &'a str,
    pub sealed_body: &'a str,
    pub kind: &'a str,
    pub persons: i64,
    pub call: Option<String>,
}

pub async fn insert_inbound(c: &mut AnyConnection, m: &Inbound<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO sms_inbound (id, gateway, phone, body, kind, persons, call_id, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(m.id)
    .bind(m.gateway)
    .bind(m.phone)
    .bind(m.sealed_body)
    .bind(m.kind)
    .bind(m.persons)
    .bind(m.call.as_deref())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}
