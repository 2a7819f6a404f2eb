//! Users, the roles they hold for offices, and login sessions. Only hashes of session tokens
//! are stored; the password hash leaves this module only to be verified.

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::ids::{OfficeId, UserId};
use passage_domain::policy::{Grant, Offices, Role};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub locale: &'a str,
    pub grants: &'a [Grant],
}

pub async fn insert_user(c: &mut AnyConnection, u: &NewUser<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, locale, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)",
    )
    .bind(u.id.to_string())
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(u.locale)
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    for g in u.grants {
        put_grant(c, u.id, g).await?;
    }
    Ok(())
}

/// Give a user a role for some offices, replacing what they held of that role.
pub async fn put_grant(c: &mut AnyConnection, user: UserId, g: &Grant) -> Result<()> {
    remove_grant(c, user, g.role).await?;
    sqlx::query("INSERT INTO user_roles (user_id, role, all_offices) VALUES ($1, $2, $3)")
        .bind(user.to_string())
        .bind(g.role.as_str())
        .bind(i64::from(g.offices == Offices::All))
        .execute(&mut *c)
        .await?;
    if let Offices::Only(list) = &g.offices {
        for o in list {
            sqlx::query("INSERT INTO user_role_offices (user_id, role, office_id) VALUES ($1, $2, $3)")
                .bind(user.to_string())
                .bind(g.role.as_str())
                .bind(o.to_string())
                .execute(&mut *c)
                .await?;
        }
    }
    Ok(())
}

pub async fn remove_grant(c: &mut AnyConnection, user: UserId, role: Role) -> Result<()> {
    for table in ["user_role_offices", "user_roles"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1 AND role = $2"))
            .bind(user.to_string())
            .bind(role.as_str())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// The grants of several users, by user, in one statement.
async fn grants_of(c: &mut AnyConnection, ids: &[UserId]) -> Result<HashMap<UserId, Vec<Grant>>> {
    let mut out: HashMap<UserId, Vec<Grant>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new(
        "SELECT r.user_id, r.role, r.all_offices, o.office_id FROM user_roles r \
         LEFT JOIN user_role_offices o ON o.user_id = r.user_id AND o.role = r.role WHERE r.user_id IN ",
    );
    q.bind_list(ids.iter().map(|i| i.to_string())).push(" ORDER BY r.user_id, r.role, o.office_id");
    for r in q.query().fetch_all(c).await? {
        let user: UserId = id(&r, "user_id")?;
        let role = code(&r, "role", Role::parse)?;
        let list = out.entry(user).or_default();
        if list.last().map(|g| g.role) != Some(role) {
            let offices = if int(&r, "all_offices")? == 1 { Offices::All } else { Offices::none() };
            list.push(Grant { role, offices });
        }
        if let (Some(office), Some(Grant { offices: Offices::Only(set), .. })) = (opt_id::<OfficeId>(&r, "office_id")?, list.last_mut()) {
            set.insert(office);
        }
    }
    Ok(out)
}

fn user_of(r: &AnyRow, grants: &mut HashMap<UserId, Vec<Grant>>) -> Result<UserRecord> {
    let uid: UserId = id(r, "id")?;
    Ok(UserRecord {
        id: uid,
        username: text(r, "username")?,
        display_name: text(r, "display_name")?,
        locale: text(r, "locale")?,
        active: int(r, "active")? == 1,
        grants: grants.remove(&uid).unwrap_or_default(),
    })
}

async fn with_grants(c: &mut AnyConnection, r: &AnyRow) -> Result<UserRecord> {
    let uid: UserId = id(r, "id")?;
    let mut grants = grants_of(c, &[uid]).await?;
    user_of(r, &mut grants)
}

/// A user and their password hash, for logging in.
pub async fn get_login(c: &mut AnyConnection, username: &str) -> Result<Option<(UserRecord, String)>> {
    let Some(r) = sqlx::query("SELECT id, username, display_name, locale, active, password_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let hash = text(&r, "password_hash")?;
    Ok(Some((with_grants(c, &r).await?, hash)))
}

pub async fn get_user(c: &mut AnyConnection, user: UserId) -> Result<Option<UserRecord>> {
    let Some(r) = sqlx::query("SELECT id, username, display_name, locale, active FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(with_grants(c, &r).await?))
}

pub async fn get_user_by_username(c: &mut AnyConnection, username: &str) -> Result<Option<UserRecord>> {
    Ok(get_login(c, username).await?.map(|(u, _)| u))
}

pub async fn set_locale(c: &mut AnyConnection, user: UserId, locale: &str) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2").bind(locale).bind(user.to_string()).execute(c).await?;
    Ok(())
}

pub async fn set_active(c: &mut AnyConnection, user: UserId, active: bool) -> Result<()> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2").bind(i64::from(active)).bind(user.to_string()).execute(c).await?;
    Ok(())
}

pub async fn list_users(c: &mut AnyConnection) -> Result<Vec<UserRecord>> {
    let rows = sqlx::query("SELECT id, username, display_name, locale, active FROM users ORDER BY username").fetch_all(&mut *c).await?;
    let ids: Vec<UserId> = rows.iter().map(|r| id(r, "id")).collect::<Result<_>>()?;
    let mut grants = grants_of(c, &ids).await?;
    rows.iter().map(|r| user_of(r, &mut grants)).collect()
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

// ---------------------------------------------------------------- login throttling

/// Until when (unix seconds) a subject is locked out, if it is.
pub async fn locked_until(c: &mut AnyConnection, subject: &str, now: i64) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT locked_until FROM login_failures WHERE subject = $1").bind(subject).fetch_optional(c).await?;
    Ok(r.map(|r| int(&r, "locked_until")).transpose()?.filter(|&t| t > now))
}

/// Count a failure for `subject`; lock it for `lock_secs` once `limit`
/// failures fall within `window_secs`. Returns the lock's end when it locks.
pub async fn count_failure(
    c: &mut AnyConnection,
    subject: &str,
    now: i64,
    window_secs: i64,
    limit: i64,
    lock_secs: i64,
) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (subject) DO UPDATE SET \
           failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 END, \
           window_start = CASE WHEN login_failures.window_start < $3 THEN $2 ELSE login_failures.window_start END \
         RETURNING failures",
    )
    .bind(subject)
    .bind(now)
    .bind(now - window_secs)
    .fetch_one(&mut *c)
    .await?;
    if int(&r, "failures")? >= limit {
        let until = now + lock_secs;
        sqlx::query("UPDATE login_failures SET locked_until = $1, failures = 0, window_start = $2 WHERE subject = $3")
            .bind(until)
            .bind(now)
            .bind(subject)
            .execute(c)
            .await?;
        return Ok(Some(until));
    }
    Ok(None)
}

pub async fn clear_failures(c: &mut AnyConnection, subject: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE subject = $1").bind(subject).execute(c).await?;
    Ok(())
}

// ---------------------------------------------------------------- second factor

/// A user's sealed TOTP secret and the last time step accepted.
pub async fn totp_of(c: &mut AnyConnection, user: UserId) -> Result<(Option<String>, Option<i64>)> {
    let r = sqlx::query("SELECT totp_secret, totp_last_step FROM users WHERE id = $1").bind(user.to_string()).fetch_one(c).await?;
    Ok((opt_text(&r, "totp_secret")?, opt_int(&r, "totp_last_step")?))
}

/// Set (or, with `None`, remove) a user's sealed TOTP secret.
pub async fn set_totp(c: &mut AnyConnection, user: UserId, sealed: Option<&str>, last_step: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3")
        .bind(sealed)
        .bind(last_step)
        .bind(user.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Record `step` as used; false when it (or a later one) already was, so
/// two requests racing with the same code cannot both pass.
pub async fn use_totp_step(c: &mut AnyConnection, user: UserId, step: i64) -> Result<bool> {
    let n = sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
        .bind(step)
        .bind(user.to_string())
        .execute(c)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub struct ChallengeRow {
    pub user_id: UserId,
    pub pending_secret: Option<String>,
    pub attempts: i64,
    pub expires_at: i64,
}

pub async fn insert_challenge(c: &mut AnyConnection, hash: &str, user: UserId, pending: Option<&str>, expires_at: i64) -> Result<()> {
    sqlx::query("DELETE FROM login_challenges WHERE user_id = $1 OR expires_at < $2")
        .bind(user.to_string())
        .bind(expires_at - 3600)
        .execute(&mut *c)
        .await?;
    sqlx::query("INSERT INTO login_challenges (token_hash, user_id, pending_secret, attempts, expires_at) VALUES ($1, $2, $3, 0, $4)")
        .bind(hash)
        .bind(user.to_string())
        .bind(pending)
        .bind(expires_at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn get_challenge(c: &mut AnyConnection, hash: &str) -> Result<Option<ChallengeRow>> {
    let r = sqlx::query("SELECT user_id, pending_secret, attempts, expires_at FROM login_challenges WHERE token_hash = $1")
        .bind(hash)
        .fetch_optional(c)
        .await?;
    r.map(|r| {
        Ok(ChallengeRow {
            user_id: id(&r, "user_id")?,
            pending_secret: opt_text(&r, "pending_secret")?,
            attempts: int(&r, "attempts")?,
            expires_at: int(&r, "expires_at")?,
        })
    })
    .transpose()
}

pub async fn count_challenge_attempt(c: &mut AnyConnection, hash: &str) -> Result<()> {
    sqlx::query("UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1").bind(hash).execute(c).await?;
    Ok(())
}

pub async fn delete_challenge(c: &mut AnyConnection, hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1").bind(hash).execute(c).await?;
    Ok(())
}

/// End every session of a user (disabled, or their second factor reset).
pub async fn delete_sessions_of(c: &mut AnyConnection, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.to_string()).execute(c).await?;
    Ok(())
}

// ---------------------------------------------------------------- API tokens

#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiTokenRecord {
    pub id: String,
    pub user_id: UserId,
    pub name: String,
    pub grants: Vec<Grant>,
    pub created_at: Timestamp,
    pub expires_at: i64,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<i64>,
}

const TOKEN_COLS: &str = "id, user_id, name, grants, created_at, expires_at, revoked_at, last_used_at";

fn token_of(r: &AnyRow) -> Result<ApiTokenRecord> {
    let grants = text(r, "grants")?
        .split(';')
        .filter(|g| !g.is_empty())
        .map(|g| Grant::from_text(g).ok_or_else(|| crate::StorageError::Corrupt(format!("api_tokens.grants: {g:?}"))))
        .collect::<Result<_>>()?;
    Ok(ApiTokenRecord {
        id: text(r, "id")?,
        user_id: id(r, "user_id")?,
        name: text(r, "name")?,
        grants,
        created_at: timestamp(r, "created_at")?,
        expires_at: int(r, "expires_at")?,
        revoked_at: opt_timestamp(r, "revoked_at")?,
        last_used_at: opt_int(r, "last_used_at")?,
    })
}

pub async fn insert_api_token(c: &mut AnyConnection, t: &ApiTokenRecord, hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, grants, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&t.id)
    .bind(t.user_id.to_string())
    .bind(&t.name)
    .bind(hash)
    .bind(t.grants.iter().map(Grant::to_text).collect::<Vec<_>>().join(";"))
    .bind(t.created_at.to_string())
    .bind(t.expires_at)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn api_token_by_hash(c: &mut AnyConnection, hash: &str) -> Result<Option<ApiTokenRecord>> {
    let r = sqlx::query(&format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1")).bind(hash).fetch_optional(c).await?;
    r.as_ref().map(token_of).transpose()
}

pub async fn api_token(c: &mut AnyConnection, token_id: &str) -> Result<Option<ApiTokenRecord>> {
    let r = sqlx::query(&format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1")).bind(token_id).fetch_optional(c).await?;
    r.as_ref().map(token_of).transpose()
}

pub async fn api_tokens_of(c: &mut AnyConnection, user: UserId) -> Result<Vec<ApiTokenRecord>> {
    let rows = sqlx::query(&format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"))
        .bind(user.to_string())
        .fetch_all(c)
        .await?;
    rows.iter().map(token_of).collect()
}

pub async fn revoke_api_token(c: &mut AnyConnection, token_id: &str, now: Timestamp) -> Result<bool> {
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now.to_string())
        .bind(token_id)
        .execute(c)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn touch_api_token(c: &mut AnyConnection, token_id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(token_id).execute(c).await?;
    Ok(())
}

// ---------------------------------------------------------------- key rotation

/// Replace one sealed value. `table` and `column` come from
/// `sealed::SEALED_COLUMNS`, never from input.
pub async fn reseal(c: &mut AnyConnection, table: &str, column: &str, id: &str, value: &str) -> Result<()> {
    debug_assert!(crate::sealed::SEALED_COLUMNS.contains(&(table, column)));
    sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2")).bind(value).bind(id).execute(c).await?;
    Ok(())
}

pub async fn delete_all_challenges(c: &mut AnyConnection) -> Result<()> {
    sqlx::query("DELETE FROM login_challenges").execute(c).await?;
    Ok(())
}

pub async fn set_password_hash(c: &mut AnyConnection, user: UserId, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user.to_string()).execute(c).await?;
    Ok(())
}
