//! Users, their offices, and login sessions. Only hashes of session tokens
//! are stored; the password hash leaves this module only to be verified.

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::ids::{OfficeId, UserId};
use passage_domain::user::Role;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub locale: &'a str,
    pub offices: &'a [OfficeId],
}

pub async fn insert_user(c: &mut AnyConnection, u: &NewUser<'_>, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO users (id, username, display_name, password_hash, role, locale, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)")
        .bind(u.id.to_string())
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.password_hash)
        .bind(u.role.as_str())
        .bind(u.locale)
        .bind(now.to_string())
        .execute(&mut *c)
        .await?;
    for o in u.offices {
        sqlx::query("INSERT INTO user_offices (user_id, office_id) VALUES ($1, $2)")
            .bind(u.id.to_string())
            .bind(o.to_string())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

async fn with_offices(c: &mut AnyConnection, r: &AnyRow) -> Result<UserRecord> {
    let uid: UserId = id(r, "id")?;
    let rows =
        sqlx::query("SELECT office_id FROM user_offices WHERE user_id = $1 ORDER BY office_id").bind(uid.to_string()).fetch_all(c).await?;
    Ok(UserRecord {
        id: uid,
        username: text(r, "username")?,
        display_name: text(r, "display_name")?,
        role: code(r, "role", Role::parse)?,
        locale: text(r, "locale")?,
        active: int(r, "active")? == 1,
        offices: rows.iter().map(|o| id(o, "office_id")).collect::<Result<_>>()?,
    })
}

/// A user and their password hash, for logging in.
pub async fn get_login(c: &mut AnyConnection, username: &str) -> Result<Option<(UserRecord, String)>> {
    let Some(r) = sqlx::query("SELECT id, username, display_name, role, locale, active, password_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let hash = text(&r, "password_hash")?;
    Ok(Some((with_offices(c, &r).await?, hash)))
}

pub async fn get_user(c: &mut AnyConnection, user: UserId) -> Result<Option<UserRecord>> {
    let Some(r) = sqlx::query("SELECT id, username, display_name, role, locale, active FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(with_offices(c, &r).await?))
}

pub async fn get_user_by_username(c: &mut AnyConnection, username: &str) -> Result<Option<UserRecord>> {
    Ok(get_login(c, username).await?.map(|(u, _)| u))
}

pub async fn set_locale(c: &mut AnyConnection, user: UserId, locale: &str) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2").bind(locale).bind(user.to_string()).execute(c).await?;
    Ok(())
}

pub async fn list_users(c: &mut AnyConnection) -> Result<Vec<UserRecord>> {
    let rows =
        sqlx::query("SELECT id, username, display_name, role, locale, active FROM users ORDER BY username").fetch_all(&mut *c).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(with_offices(c, r).await?);
    }
    Ok(out)
}

/// Users who work in any of these offices (for assigning cases).
pub async fn users_of_offices(c: &mut AnyConnection, offices: &[OfficeId]) -> Result<Vec<(UserId, String, String)>> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT DISTINCT u.id, u.username, u.display_name FROM users u JOIN user_offices uo ON uo.user_id = u.id WHERE u.active = 1 AND uo.office_id IN ");
    q.bind_list(offices.iter().map(|o| o.to_string())).push(" ORDER BY u.display_name");
    let rows = q.query().fetch_all(c).await?;
    rows.iter().map(|r| Ok((id(r, "id")?, text(r, "username")?, text(r, "display_name")?))).collect()
}

// ---------------------------------------------------------------- sessions

pub struct SessionRow {
    pub user_id: UserId,
    pub csrf_token: String,
    pub kind: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(
    c: &mut AnyConnection,
    token_hash: &str,
    user: UserId,
    csrf: &str,
    kind: &str,
    now: Timestamp,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, kind, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)")
        .bind(token_hash)
        .bind(user.to_string())
        .bind(csrf)
        .bind(kind)
        .bind(now.unix())
        .bind(expires_at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn get_session(c: &mut AnyConnection, token_hash: &str) -> Result<Option<SessionRow>> {
    let r = sqlx::query("SELECT user_id, csrf_token, kind, last_seen_at, expires_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(c)
        .await?;
    r.map(|r| {
        Ok(SessionRow {
            user_id: id(&r, "user_id")?,
            csrf_token: text(&r, "csrf_token")?,
            kind: text(&r, "kind")?,
            last_seen_at: int(&r, "last_seen_at")?,
            expires_at: int(&r, "expires_at")?,
        })
    })
    .transpose()
}

pub async fn touch_session(c: &mut AnyConnection, token_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now).bind(token_hash).execute(c).await?;
    Ok(())
}

pub async fn delete_session(c: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(c).await?;
    Ok(())
}

pub async fn delete_expired_sessions(c: &mut AnyConnection, now: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(c).await?.rows_affected())
}
