//! Logging in and sessions. Passwords are hashed with argon2id (OWASP's
//! parameters: 19 MiB, 2 passes); session tokens are 256 random bits, given
//! to the browser once and stored only as SHA-256 hashes. Sessions end after
//! 30 idle minutes or 12 hours, whichever comes first (OWASP ASVS 3.3.2,
//! level 2): a shift, not a week, on a shared laptop in a transit centre.

use crate::access::Actor;
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use argon2::password_hash::{rand_core::OsRng, rand_core::RngCore, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use passage_domain::date::Timestamp;
use passage_domain::ids::UserId;
use passage_domain::policy::{Grant, Offices, Role};
use passage_domain::user::{check_password, parse_username};
use passage_domain::Invalid;
use passage_storage::records::UserRecord;
use passage_storage::users::{self, NewUser};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3600;

fn argon() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| ServiceError::Hashing)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| argon().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that a wrong
/// username takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("not a real password, only for timing").unwrap_or_default())
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn token_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a logged-in request carries.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user; `source` is left empty here for the web layer to fill per request.
    pub actor: Actor,
    pub csrf_token: String,
}

/// Recently checked sessions, so that a burst of requests does not read the
/// session, the user and their offices from the database each time. Entries
/// live a few seconds: a session ended or a user disabled through another
/// server process stops working within that time; in this process, logout
/// removes the entry at once.
#[derive(Clone, Default)]
pub(crate) struct SessionCache(Arc<Mutex<HashMap<String, (Session, Instant)>>>);

const SESSION_CACHE_TTL: Duration = Duration::from_secs(5);
const SESSION_CACHE_MAX: usize = 10_000;

impl SessionCache {
    fn get(&self, hash: &str) -> Option<Session> {
        let map = self.0.lock().ok()?;
        map.get(hash).filter(|(_, at)| at.elapsed() < SESSION_CACHE_TTL).map(|(s, _)| s.clone())
    }
    fn put(&self, hash: String, s: Session) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= SESSION_CACHE_MAX {
                map.retain(|_, (_, at)| at.elapsed() < SESSION_CACHE_TTL);
            }
            map.insert(hash, (s, Instant::now()));
        }
    }
    fn forget(&self, hash: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(hash);
        }
    }
    fn forget_user(&self, user: UserId) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, (s, _)| s.actor.user.id != user);
        }
    }
}

/// Login throttling (OWASP ASVS 2.2.1): an account is locked for a quarter
/// of an hour after 10 failures within a quarter of an hour, an address
/// after 100 (a shared office connection carries many users).
const ACCOUNT_FAILURE_LIMIT: i64 = 10;
const ADDRESS_FAILURE_LIMIT: i64 = 100;
const FAILURE_WINDOW_SECS: i64 = 15 * 60;
const LOCKOUT_SECS: i64 = 15 * 60;

/// What a correct password leads to.
pub enum LoginStep {
    /// Logged in.
    Session(NewSession),
    /// The account needs its second factor: a code from the authenticator
    /// app, sent with this challenge to [`Passage::second_factor`].
    SecondFactor(Challenge),
}

/// A login waiting for its second factor. Lives [`CHALLENGE_SECS`] and
/// allows [`CHALLENGE_ATTEMPTS`] codes.
pub struct Challenge {
    pub token: String,
    /// Set at the first login of an account that has no authenticator yet:
    /// the secret to add to the app. Enrolled once a code from it is right.
    pub enrol: Option<Enrolment>,
}

pub struct Enrolment {
    /// Base32, as typed into an app by hand.
    pub secret: String,
    /// The `otpauth://` URI, as read from a QR code.
    pub uri: String,
}

pub const CHALLENGE_SECS: i64 = 5 * 60;
pub const CHALLENGE_ATTEMPTS: i64 = 5;
/// Shown as the issuer in authenticator apps.
const TOTP_ISSUER: &str = "Passage";

fn totp_place(user: UserId) -> String {
    format!("users.totp_secret:{user}")
}

fn challenge_place(hash: &str) -> String {
    format!("login_challenges.pending_secret:{hash}")
}

/// A new session: the token goes to the client, once.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: UserRecord,
}

/// The throttling subject of an account: hashed, because a typed
/// "username" is sometimes a password.
fn account_subject(username: &str) -> String {
    format!("user:{}", &token_hash(&username.trim().to_lowercase())[..32])
}

fn enrolment(username: &str, raw: &[u8]) -> Enrolment {
    Enrolment { secret: passage_domain::totp::base32_encode(raw), uri: passage_domain::totp::otpauth_uri(TOTP_ISSUER, username, raw) }
}

impl Passage {
    /// A new user with one role. `actor` is `None` from the command line
    /// (whoever runs it holds the database already).
    pub async fn add_user(
        &self,
        actor: Option<&Actor>,
        username: &str,
        display_name: &str,
        password: &str,
        role: Role,
        office_codes: &[String],
    ) -> ServiceResult<UserRecord> {
        if let Some(a) = actor {
            crate::access::require(a, crate::access::Action::ManageUsers)?;
        }
        let mut inv = Invalid::default();
        let username = inv.take(parse_username("username", username));
        inv.take(check_password("password", password, username.as_deref().unwrap_or("")));
        let display = inv.take(passage_domain::text::required("display_name", display_name, 100, false));
        let grant = self.grant_of(role, office_codes, &mut inv).await?;
        let grants = [grant];
        inv.into_result()?;
        let username = username.expect("checked");
        let pw = password.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(|_| ServiceError::Hashing)??;
        let id = UserId::new();
        let mut tx = self.db.begin().await?;
        let r = users::insert_user(
            &mut tx,
            &NewUser {
                id,
                username: &username,
                display_name: &display.expect("checked"),
                password_hash: &hash,
                locale: "en",
                grants: &grants,
            },
            Timestamp::now(),
        )
        .await;
        match r {
            Err(e) if e.is_unique_violation() => return Err(passage_domain::FieldError::new("username", "err-username-taken").into()),
            r => r?,
        }
        let changes = audit::created(&[("username", serde_json::json!(username)), ("grants", serde_json::json!(grants))]);
        audit::record(&mut tx, actor, "user.create", format!("user:{id}"), None, changes).await?;
        tx.commit().await?;
        let mut c = self.db.reader().acquire().await?;
        users::get_user(&mut c, id).await?.ok_or(ServiceError::NotFound)
    }

    /// A role for the offices named by code; "all" (or none, for an
    /// administrator) means every office. Problems go into `inv`.
    pub(crate) async fn grant_of(&self, role: Role, office_codes: &[String], inv: &mut Invalid) -> ServiceResult<Grant> {
        let mut c = self.db.reader().acquire().await?;
        let every = office_codes.iter().any(|c| c.trim().eq_ignore_ascii_case("all")) || (role == Role::Admin && office_codes.is_empty());
        let mut offices = std::collections::BTreeSet::new();
        for code in office_codes.iter().filter(|c| !c.trim().eq_ignore_ascii_case("all")) {
            match passage_storage::registry::get_office_by_code(&mut c, &code.trim().to_uppercase()).await? {
                Some(o) => {
                    offices.insert(o.id);
                }
                None => inv.push(passage_domain::FieldError::new("office", "err-unknown-office").with("value", code)),
            }
        }
        if !every && offices.is_empty() && inv.is_empty() {
            inv.push(passage_domain::FieldError::new("office", "err-required"));
        }
        Ok(Grant { role, offices: if every { Offices::All } else { Offices::Only(offices) } })
    }

    /// Give an existing user a role for some offices, replacing what they
    /// held of that role (`passage user grant`). Audited with the grants
    /// before and after; the user's cached sessions see it at once.
    pub async fn grant_role(
        &self,
        actor: Option<&Actor>,
        username: &str,
        role: Role,
        office_codes: &[String],
    ) -> ServiceResult<UserRecord> {
        if let Some(a) = actor {
            crate::access::require(a, crate::access::Action::ManageUsers)?;
        }
        let mut inv = Invalid::default();
        let grant = self.grant_of(role, office_codes, &mut inv).await?;
        let mut c = self.db.reader().acquire().await?;
        let user = users::get_user_by_username(&mut c, &username.trim().to_lowercase()).await?;
        drop(c);
        if user.is_none() {
            inv.push(passage_domain::FieldError::new("username", "err-unknown-user"));
        }
        inv.into_result()?;
        let user = user.expect("checked");
        let mut tx = self.db.begin().await?;
        users::put_grant(&mut tx, user.id, &grant).await?;
        let mut after: Vec<Grant> = user.grants.iter().filter(|g| g.role != role).cloned().collect();
        after.push(grant);
        let changes = serde_json::json!({"grants": [user.grants, after]});
        audit::record(&mut tx, actor, "user.grant", format!("user:{}", user.id), None, changes).await?;
        tx.commit().await?;
        self.sessions.forget_user(user.id);
        let mut c = self.db.reader().acquire().await?;
        users::get_user(&mut c, user.id).await?.ok_or(ServiceError::NotFound)
    }

    /// Take a role away from a user. Audited; their sessions see it at once.
    pub async fn revoke_role(&self, actor: Option<&Actor>, username: &str, role: Role) -> ServiceResult<UserRecord> {
        let user = self.managed_user(actor, username).await?;
        let mut tx = self.db.begin().await?;
        users::remove_grant(&mut tx, user.id, role).await?;
        let after: Vec<Grant> = user.grants.iter().filter(|g| g.role != role).cloned().collect();
        let changes = serde_json::json!({"grants": [user.grants, after]});
        audit::record(&mut tx, actor, "user.revoke", format!("user:{}", user.id), None, changes).await?;
        tx.commit().await?;
        self.sessions.forget_user(user.id);
        let mut c = self.db.reader().acquire().await?;
        users::get_user(&mut c, user.id).await?.ok_or(ServiceError::NotFound)
    }

    /// Disable (or enable again) an account. Disabling ends its sessions
    /// at once and stops its API tokens; an administrator cannot disable
    /// their own account (there would be no one left to undo it).
    pub async fn set_user_active(&self, actor: Option<&Actor>, username: &str, active: bool) -> ServiceResult<UserRecord> {
        let user = self.managed_user(actor, username).await?;
        if actor.is_some_and(|a| a.id == user.id) && !active {
            return Err(passage_domain::FieldError::new("username", "err-disable-self").into());
        }
        let mut tx = self.db.begin().await?;
        users::set_active(&mut tx, user.id, active).await?;
        if !active {
            users::delete_sessions_of(&mut tx, user.id).await?;
        }
        let changes = serde_json::json!({"active": [user.active, active]});
        audit::record(&mut tx, actor, if active { "user.enable" } else { "user.disable" }, format!("user:{}", user.id), None, changes)
            .await?;
        tx.commit().await?;
        self.sessions.forget_user(user.id);
        let mut c = self.db.reader().acquire().await?;
        users::get_user(&mut c, user.id).await?.ok_or(ServiceError::NotFound)
    }

    /// Act as a user from the command line (an import on their behalf):
    /// whoever runs it holds the database, but what is written is checked
    /// against that user's rights and attributed to them.
    pub async fn acting_as(&self, username: &str) -> ServiceResult<Actor> {
        let mut c = self.db.reader().acquire().await?;
        let user = users::get_user_by_username(&mut c, &username.trim().to_lowercase()).await?;
        match user {
            Some(u) if u.active => Ok(Actor::new(u, "command line")),
            _ => Err(passage_domain::FieldError::new("user", "err-unknown-user").into()),
        }
    }

    /// Every user, for those who manage them.
    pub async fn users(&self, actor: &Actor) -> ServiceResult<Vec<UserRecord>> {
        crate::access::require(actor, crate::access::Action::ManageUsers)?;
        let mut c = self.db.reader().acquire().await?;
        Ok(users::list_users(&mut c).await?)
    }

    /// One user, for those who manage them, with whether they have enrolled a second factor.
    pub async fn managed_user_info(&self, actor: &Actor, username: &str) -> ServiceResult<(UserRecord, bool)> {
        let user = self.managed_user(Some(actor), username).await?;
        let mut c = self.db.reader().acquire().await?;
        let (secret, _) = users::totp_of(&mut c, user.id).await?;
        Ok((user, secret.is_some()))
    }

    /// The user named, after checking the actor may manage users.
    async fn managed_user(&self, actor: Option<&Actor>, username: &str) -> ServiceResult<UserRecord> {
        if let Some(a) = actor {
            crate::access::require(a, crate::access::Action::ManageUsers)?;
        }
        let mut c = self.db.reader().acquire().await?;
        users::get_user_by_username(&mut c, &username.trim().to_lowercase()).await?.ok_or(ServiceError::NotFound)
    }

    /// Check a username and password and open a session, or a challenge
    /// for the second factor. A wrong username, a wrong password and a
    /// disabled account all give the same answer.
    pub async fn login(&self, username: &str, password: &str, source: &str) -> ServiceResult<LoginStep> {
        let username = username.trim().to_lowercase();
        // Throttling subjects: the account (hashed: a typed "username" is
        // sometimes a password) and the client's address.
        let subjects = [account_subject(&username), format!("addr:{source}")];
        let now = Timestamp::now().unix();
        let mut c = self.db.reader().acquire().await?;
        for s in &subjects {
            if let Some(until) = users::locked_until(&mut c, s, now).await? {
                return Err(ServiceError::TooManyAttempts { retry_after_secs: until - now });
            }
        }
        let found = users::get_login(&mut c, &username).await?;
        drop(c);
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let (pw, hash, active) = match &found {
            Some((u, hash)) => (password.to_string(), hash.clone(), u.active),
            None => (password.to_string(), dummy_hash().to_string(), false),
        };
        let verified = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
        let ok = verified && active && found.is_some();
        if !ok {
            tracing::info!(target: "passage::auth", "login refused");
            // The typed username is not kept when no such user exists: it
            // is sometimes a password typed into the wrong field.
            let user = found.as_ref().map(|(u, _)| u.id);
            let mut tx = self.db.begin().await?;
            let record = user.map(|u| format!("user:{u}")).unwrap_or_default();
            audit::record_as(&mut tx, user, source.to_string(), "login.failed", record.clone(), None, serde_json::json!({})).await?;
            for (s, limit) in subjects.iter().zip([ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT]) {
                if let Some(until) = users::count_failure(&mut tx, s, now, FAILURE_WINDOW_SECS, limit, LOCKOUT_SECS).await? {
                    let changes = serde_json::json!({"locked_until": [null, until], "subject": [null, s.split(':').next()]});
                    audit::record_as(&mut tx, user, source.to_string(), "login.locked", record.clone(), None, changes).await?;
                }
            }
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated);
        }
        let (user, _) = found.expect("checked");
        if user.rights().needs_second_factor() {
            return Ok(LoginStep::SecondFactor(self.challenge(&user).await?));
        }
        let mut tx = self.db.begin().await?;
        users::clear_failures(&mut tx, &subjects[0]).await?;
        tx.commit().await?;
        let session = self.open_session(&user, "web", source).await?;
        tracing::info!(target: "passage::auth", user = %user.id, "login");
        Ok(LoginStep::Session(session))
    }

    /// A challenge for `user`'s second factor, with a new secret to enrol
    /// when they have none.
    async fn challenge(&self, user: &UserRecord) -> ServiceResult<Challenge> {
        let mut c = self.db.reader().acquire().await?;
        let (secret, _) = users::totp_of(&mut c, user.id).await?;
        drop(c);
        let token = random_token();
        let hash = token_hash(&token);
        let enrol = match secret {
            Some(_) => None,
            None => {
                let mut raw = [0u8; passage_domain::totp::SECRET_BYTES];
                OsRng.fill_bytes(&mut raw);
                Some(raw)
            }
        };
        let sealed = enrol.map(|raw| self.keys.seal(&challenge_place(&hash), &passage_domain::totp::base32_encode(&raw)));
        let mut tx = self.db.begin().await?;
        users::insert_challenge(&mut tx, &hash, user.id, sealed.as_deref(), Timestamp::now().unix() + CHALLENGE_SECS).await?;
        tx.commit().await?;
        Ok(Challenge { token, enrol: enrol.map(|raw| enrolment(&user.username, &raw)) })
    }

    /// What a pending challenge asks for (the login page shows it again
    /// after a wrong code), or `Unauthenticated` when it is gone.
    pub async fn challenge_info(&self, token: &str) -> ServiceResult<Option<Enrolment>> {
        let hash = token_hash(token);
        let mut c = self.db.reader().acquire().await?;
        let ch = users::get_challenge(&mut c, &hash).await?.ok_or(ServiceError::Unauthenticated)?;
        if ch.expires_at < Timestamp::now().unix() {
            return Err(ServiceError::Unauthenticated);
        }
        let user = users::get_user(&mut c, ch.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        match ch.pending_secret {
            None => Ok(None),
            Some(p) => {
                let b32 = self.keys.open_sealed(&challenge_place(&hash), &p).map_err(passage_storage::StorageError::from)?;
                let raw = passage_domain::totp::base32_decode(&b32).ok_or(ServiceError::Unauthenticated)?;
                Ok(Some(enrolment(&user.username, &raw)))
            }
        }
    }

    /// The second step of a login: the code from the authenticator app.
    /// A wrong code counts as a failed login for the account's throttling;
    /// after [`CHALLENGE_ATTEMPTS`] the challenge is gone and the password
    /// must be given again.
    pub async fn second_factor(&self, challenge: &str, code: &str, source: &str) -> ServiceResult<NewSession> {
        let hash = token_hash(challenge);
        let now = Timestamp::now().unix();
        let mut c = self.db.reader().acquire().await?;
        let ch = users::get_challenge(&mut c, &hash).await?.ok_or(ServiceError::Unauthenticated)?;
        let user = users::get_user(&mut c, ch.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        let subject = account_subject(&user.username);
        if let Some(until) = users::locked_until(&mut c, &subject, now).await? {
            return Err(ServiceError::TooManyAttempts { retry_after_secs: until - now });
        }
        let (stored, last_step) = users::totp_of(&mut c, user.id).await?;
        drop(c);
        if ch.expires_at < now || ch.attempts >= CHALLENGE_ATTEMPTS || !user.active {
            let mut tx = self.db.begin().await?;
            users::delete_challenge(&mut tx, &hash).await?;
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated);
        }
        let b32 = match (&ch.pending_secret, &stored) {
            (Some(p), _) => self.keys.open_sealed(&challenge_place(&hash), p),
            (None, Some(s)) => self.keys.open_sealed(&totp_place(user.id), s),
            (None, None) => return Err(ServiceError::Unauthenticated),
        }
        .map_err(passage_storage::StorageError::from)?;
        let secret = passage_domain::totp::base32_decode(&b32).ok_or(ServiceError::Unauthenticated)?;
        let step = passage_domain::totp::verify(&secret, code, now, if ch.pending_secret.is_some() { None } else { last_step });
        let mut tx = self.db.begin().await?;
        let accepted = match step {
            Some(step) if ch.pending_secret.is_some() => {
                users::set_totp(&mut tx, user.id, Some(&self.keys.seal(&totp_place(user.id), &b32)), Some(step)).await?;
                audit::record_as(
                    &mut tx,
                    Some(user.id),
                    source.to_string(),
                    "user.second_factor.enrol",
                    format!("user:{}", user.id),
                    None,
                    serde_json::json!({}),
                )
                .await?;
                true
            }
            Some(step) => users::use_totp_step(&mut tx, user.id, step).await?,
            None => false,
        };
        if !accepted {
            users::count_challenge_attempt(&mut tx, &hash).await?;
            let record = format!("user:{}", user.id);
            audit::record_as(
                &mut tx,
                Some(user.id),
                source.to_string(),
                "login.failed",
                record.clone(),
                None,
                serde_json::json!({"factor": [null, "totp"]}),
            )
            .await?;
            if let Some(until) =
                users::count_failure(&mut tx, &subject, now, FAILURE_WINDOW_SECS, ACCOUNT_FAILURE_LIMIT, LOCKOUT_SECS).await?
            {
                let changes = serde_json::json!({"locked_until": [null, until], "subject": [null, "user"]});
                audit::record_as(&mut tx, Some(user.id), source.to_string(), "login.locked", record, None, changes).await?;
            }
            tx.commit().await?;
            return Err(passage_domain::FieldError::new("code", "err-totp-wrong").into());
        }
        users::delete_challenge(&mut tx, &hash).await?;
        users::clear_failures(&mut tx, &subject).await?;
        tx.commit().await?;
        let session = self.open_session(&user, "web", source).await?;
        tracing::info!(target: "passage::auth", user = %user.id, "login with second factor");
        Ok(session)
    }

    /// Change one's own password: the current one first (a session left
    /// open on a shared laptop must not be enough), the policy on the new
    /// one. Every session of the user ends, this one included; API tokens
    /// stay (they are revoked on their own). Audited, without either password.
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> ServiceResult<()> {
        if actor.via_token {
            return Err(ServiceError::Forbidden("change a password with an API token"));
        }
        let mut inv = Invalid::default();
        inv.take(check_password("new_password", new, &actor.username));
        let mut c = self.db.reader().acquire().await?;
        let found = users::get_login(&mut c, &actor.username).await?;
        drop(c);
        let Some((_, hash)) = found else { return Err(ServiceError::Unauthenticated) };
        let cur = current.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&cur, &hash)).await.unwrap_or(false);
        if !ok {
            inv.push(passage_domain::FieldError::new("current_password", "err-password-wrong"));
        }
        inv.into_result()?;
        let pw = new.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(|_| ServiceError::Hashing)??;
        let mut tx = self.db.begin().await?;
        users::set_password_hash(&mut tx, actor.id, &hash).await?;
        users::delete_sessions_of(&mut tx, actor.id).await?;
        audit::record(&mut tx, Some(actor), "user.password", format!("user:{}", actor.id), None, serde_json::json!({})).await?;
        tx.commit().await?;
        self.sessions.forget_user(actor.id);
        Ok(())
    }

    /// Remove a user's authenticator (a lost phone): they enrol a new one
    /// at their next login. Their sessions end. Audited.
    pub async fn reset_second_factor(&self, actor: Option<&Actor>, username: &str) -> ServiceResult<UserRecord> {
        if let Some(a) = actor {
            crate::access::require(a, crate::access::Action::ManageUsers)?;
        }
        let mut c = self.db.reader().acquire().await?;
        let user = users::get_user_by_username(&mut c, &username.trim().to_lowercase()).await?;
        drop(c);
        let Some(user) = user else { return Err(passage_domain::FieldError::new("username", "err-unknown-user").into()) };
        let mut tx = self.db.begin().await?;
        users::set_totp(&mut tx, user.id, None, None).await?;
        users::delete_sessions_of(&mut tx, user.id).await?;
        audit::record(&mut tx, actor, "user.second_factor.reset", format!("user:{}", user.id), None, serde_json::json!({})).await?;
        tx.commit().await?;
        self.sessions.forget_user(user.id);
        Ok(user)
    }

    async fn open_session(&self, user: &UserRecord, kind: &str, source: &str) -> ServiceResult<NewSession> {
        let token = random_token();
        let csrf = random_token();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        users::insert_session(&mut tx, &token_hash(&token), user.id, &csrf, kind, now, now.unix() + ABSOLUTE_TIMEOUT_SECS).await?;
        audit::record_as(&mut tx, Some(user.id), source.to_string(), "login.ok", format!("user:{}", user.id), None, serde_json::json!({}))
            .await?;
        tx.commit().await?;
        Ok(NewSession { token, csrf_token: csrf, user: user.clone() })
    }

    /// The session behind a token, if it is still valid.
    pub async fn session(&self, token: &str) -> ServiceResult<Session> {
        let h = token_hash(token);
        if let Some(s) = self.sessions.get(&h) {
            return Ok(s);
        }
        let now = Timestamp::now().unix();
        let mut c = self.db.reader().acquire().await?;
        let s = users::get_session(&mut c, &h).await?.ok_or(ServiceError::Unauthenticated)?;
        if s.expires_at < now || s.last_seen_at + IDLE_TIMEOUT_SECS < now {
            drop(c);
            let mut tx = self.db.begin().await?;
            users::delete_session(&mut tx, &h).await?;
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated);
        }
        let user = users::get_user(&mut c, s.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        if !user.active {
            return Err(ServiceError::Unauthenticated);
        }
        drop(c);
        // Only write when a minute has passed: a busy page would otherwise
        // turn every read into a write.
        if now - s.last_seen_at > 60 {
            let mut tx = self.db.begin().await?;
            users::touch_session(&mut tx, &h, now).await?;
            tx.commit().await?;
        }
        let session = Session { actor: Actor::new(user, ""), csrf_token: s.csrf_token };
        self.sessions.put(h, session.clone());
        Ok(session)
    }

    pub async fn logout(&self, token: &str) -> ServiceResult<()> {
        let h = token_hash(token);
        self.sessions.forget(&h);
        let mut tx = self.db.begin().await?;
        users::delete_session(&mut tx, &h).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_locale(&self, user: UserId, locale: &str) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        users::set_locale(&mut tx, user, locale).await?;
        tx.commit().await?;
        self.sessions.forget_user(user);
        Ok(())
    }
}
