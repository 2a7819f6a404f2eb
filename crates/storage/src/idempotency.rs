//! Storage for idempotent creates (migration 0020): a POST's first answer
//! under its `Idempotency-Key`, claimed before the request is handled (so
//! that two at once cannot both create) and completed after.

use crate::records::*;
use crate::Result;
use sqlx::AnyConnection;

/// A key as stored.
#[derive(Debug, Clone)]
pub struct KeptAnswer {
    pub method: String,
    pub path: String,
    pub request_sha256: String,
    /// 0 while the first request is still being handled.
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

/// The request a key is claimed for.
pub struct Claim<'a> {
    pub owner: &'a str,
    pub key: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub request_sha256: &'a str,
    pub now: &'a str,
}

/// Claim a key; `false` when it is taken (answered, or being handled).
pub async fn claim(c: &mut AnyConnection, k: &Claim<'_>) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO idempotency_keys (owner, idempotency_key, method, path, request_sha256, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (owner, idempotency_key) DO NOTHING",
    )
    .bind(k.owner)
    .bind(k.key)
    .bind(k.method)
    .bind(k.path)
    .bind(k.request_sha256)
    .bind(k.now)
    .execute(&mut *c)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Take over a claim left "being handled" since before `stale` (its
/// request's process died, or the database went away before it could be
/// freed); `true` when this request now holds it.
pub async fn take_over(c: &mut AnyConnection, owner: &str, key: &str, stale: &str, now: &str) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE idempotency_keys SET created_at = $1 WHERE owner = $2 AND idempotency_key = $3 AND status = 0 AND created_at < $4",
    )
    .bind(now)
    .bind(owner)
    .bind(key)
    .bind(stale)
    .execute(&mut *c)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn get(c: &mut AnyConnection, owner: &str, key: &str) -> Result<Option<KeptAnswer>> {
    let r = sqlx::query(
        "SELECT method, path, request_sha256, status, content_type, location, body FROM idempotency_keys WHERE owner = $1 AND idempotency_key = $2",
    )
    .bind(owner)
    .bind(key)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| {
        Ok(KeptAnswer {
            method: text(&r, "method")?,
            path: text(&r, "path")?,
            request_sha256: text(&r, "request_sha256")?,
            status: int(&r, "status")? as u16,
            content_type: opt_text(&r, "content_type")?,
            location: opt_text(&r, "location")?,
            body: opt_text(&r, "body")?.unwrap_or_default(),
        })
    })
    .transpose()
}

/// Keep the first answer.
pub async fn complete(
    c: &mut AnyConnection,
    owner: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    location: Option<&str>,
    body: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, content_type = $2, location = $3, body = $4 WHERE owner = $5 AND idempotency_key = $6",
    )
    .bind(i64::from(status))
    .bind(content_type)
    .bind(location)
    .bind(body)
    .bind(owner)
    .bind(key)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Give a key up (the request failed for a reason a retry may not meet).
pub async fn release(c: &mut AnyConnection, owner: &str, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE owner = $1 AND idempotency_key = $2").bind(owner).bind(key).execute(&mut *c).await?;
    Ok(())
}

/// Forget keys claimed before `cutoff` (an RFC 3339 time).
pub async fn purge(c: &mut AnyConnection, cutoff: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(cutoff).execute(&mut *c).await?.rows_affected())
}
