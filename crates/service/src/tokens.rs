//! API tokens for integrations (a KoboToolbox hook, a reporting script, an
//! ODK server). A token belongs to a user and carries a scope: the roles
//! and offices it may use, never more than its owner holds, narrowed again
//! at each use so that taking a role from a user takes it from their tokens
//! too. Tokens expire (at most a year), can be revoked, and are stored only
//! as SHA-256 hashes; the token itself is shown once, at creation.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::auth::{random_token, token_hash, Session};
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::Timestamp;
use passage_domain::policy::{Grant, Role};
use passage_domain::{FieldError, Invalid};
use passage_storage::users::{self, ApiTokenRecord};

/// Every token starts so: a leaked one is easy to recognise in a log or a
/// repository, and the server knows it from a session token.
pub const TOKEN_PREFIX: &str = "pst_";
pub const MAX_DAYS: i64 = 365;

/// A new token; `token` is shown once and never stored.
pub struct NewToken {
    pub token: String,
    pub record: ApiTokenRecord,
}

impl Passage {
    /// A token for `owner` (the actor themselves, or anyone for a holder of
    /// `manage_users`), scoped to `role` in the offices named, valid `days`.
    pub async fn create_api_token(
        &self,
        actor: Option<&Actor>,
        owner: &str,
        name: &str,
        role: Role,
        office_codes: &[String],
        days: i64,
    ) -> ServiceResult<NewToken> {
        let mut inv = Invalid::default();
        let name = inv.take(passage_domain::text::required("name", name, 100, false));
        if !(1..=MAX_DAYS).contains(&days) {
            inv.push(FieldError::new("days", "err-token-days").with("max", MAX_DAYS.to_string()));
        }
        let grant = self.grant_of(role, office_codes, &mut inv).await?;
        let mut c = self.db.reader().acquire().await?;
        let user = users::get_user_by_username(&mut c, &owner.trim().to_lowercase()).await?;
        drop(c);
        let Some(user) = user else {
            inv.push(FieldError::new("username", "err-unknown-user"));
            return Err(ServiceError::Invalid(inv));
        };
        // From the application, a token is made by its owner, in a logged-in
        // session (with its second factor): never by another token, and
        // never by an administrator for someone else, who would then hold
        // that person's access. The command line (whoever runs it holds the
        // database) may make one for any user.
        if let Some(a) = actor {
            if a.via_token {
                return Err(ServiceError::Forbidden("create API tokens with an API token"));
            }
            if a.id != user.id {
                return Err(ServiceError::Forbidden("create API tokens for another user"));
            }
        }
        // The scope must be within what the owner holds now.
        if !user.grants.iter().any(|g| g.role == grant.role && grant.offices.within(&g.offices)) {
            inv.push(FieldError::new("role", "err-token-beyond-grants"));
        }
        inv.into_result()?;
        let token = format!("{TOKEN_PREFIX}{}", random_token());
        let now = Timestamp::now();
        let record = ApiTokenRecord {
            id: passage_domain::ids::TokenId::new().to_string(),
            user_id: user.id,
            name: name.expect("checked"),
            grants: vec![grant],
            created_at: now,
            expires_at: now.unix() + days * 86_400,
            revoked_at: None,
            last_used_at: None,
        };
        let mut tx = self.db.begin().await?;
        users::insert_api_token(&mut tx, &record, &token_hash(&token)).await?;
        let changes = audit::created(&[
            ("name", serde_json::json!(record.name)),
            ("grants", serde_json::json!(record.grants)),
            ("expires_at", serde_json::json!(record.expires_at)),
        ]);
        audit::record(&mut tx, actor, "token.create", format!("token:{}", record.id), None, changes).await?;
        tx.commit().await?;
        Ok(NewToken { token, record })
    }

    pub async fn api_tokens(&self, actor: &Actor) -> ServiceResult<Vec<ApiTokenRecord>> {
        let mut c = self.db.reader().acquire().await?;
        Ok(users::api_tokens_of(&mut c, actor.id).await?)
    }

    /// Revoke a token: its owner, or a holder of `manage_users`, may.
    /// Someone else's token is "not found" to others.
    pub async fn revoke_api_token(&self, actor: Option<&Actor>, token_id: &str) -> ServiceResult<()> {
        let mut c = self.db.reader().acquire().await?;
        let t = users::api_token(&mut c, token_id).await?.ok_or(ServiceError::NotFound)?;
        drop(c);
        if let Some(a) = actor {
            if a.id != t.user_id && !access::allowed(a, Action::ManageUsers) {
                return Err(ServiceError::NotFound);
            }
            if a.via_token {
                return Err(ServiceError::Forbidden("revoke API tokens with an API token"));
            }
        }
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if users::revoke_api_token(&mut tx, token_id, now).await? {
            let changes = serde_json::json!({"revoked_at": [null, now]});
            audit::record(&mut tx, actor, "token.revoke", format!("token:{token_id}"), None, changes).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The session an API token stands for: its owner, with grants narrowed
    /// to the token's scope. Expired, revoked and unknown tokens, and tokens
    /// of disabled users, are all simply unauthenticated.
    pub async fn token_session(&self, token: &str) -> ServiceResult<Session> {
        let hash = token_hash(token);
        let now = Timestamp::now().unix();
        let mut c = self.db.reader().acquire().await?;
        let t = users::api_token_by_hash(&mut c, &hash).await?.ok_or(ServiceError::Unauthenticated)?;
        if t.revoked_at.is_some() || t.expires_at < now {
            return Err(ServiceError::Unauthenticated);
        }
        let mut user = users::get_user(&mut c, t.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        drop(c);
        if !user.active {
            return Err(ServiceError::Unauthenticated);
        }
        user.grants = Grant::narrow(&user.grants, &t.grants);
        if t.last_used_at.is_none_or(|at| now - at > 60) {
            let mut tx = self.db.begin().await?;
            users::touch_api_token(&mut tx, &t.id, now).await?;
            tx.commit().await?;
        }
        // A token is sent as a bearer header, never by a browser on its own:
        // no CSRF token applies, so the one here matches nothing.
        let mut actor = Actor::new(user, "");
        actor.via_token = true;
        Ok(Session { actor, csrf_token: random_token() })
    }
}
