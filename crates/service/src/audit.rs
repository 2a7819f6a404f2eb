//! The audit trail from the use cases' side: each write appends one entry in
//! its own transaction (so the entry and the change commit together), logins
//! and views of restricted cases append theirs, and administrators browse and
//! verify the chain. Entries say which fields changed and how; secrets
//! (passwords, tokens) never, and the values of fields that are encrypted at
//! rest (note bodies, document numbers) only as "redacted", so the trail does
//! not become a clear-text copy of them.

use crate::access::{self, Action, Actor};
use crate::error::ServiceResult;
use crate::Passage;
use passage_domain::audit::AuditLine;
use passage_domain::date::CalendarDate;
use passage_domain::date::Timestamp;
use passage_domain::ids::{CaseId, PersonId, UserId};
use passage_domain::{FieldError, Invalid};
use passage_storage::audit::{self as store, AuditFilter, NewAuditEntry, Verification};
use passage_storage::users;
use serde_json::{json, Value};
use sqlx::AnyConnection;

/// `{"field": [before, after]}` for a record that did not exist before.
pub(crate) fn created(fields: &[(&str, Value)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| (k.to_string(), json!([null, v]))).collect())
}

/// What a redacted value becomes in the trail.
pub(crate) fn redacted(s: &str) -> Value {
    json!(format!("(redacted, {} characters)", s.chars().count()))
}

/// Append an entry for `actor` (or the system, for `None`).
pub(crate) async fn record(
    c: &mut AnyConnection,
    actor: Option<&Actor>,
    action: &'static str,
    record: String,
    person: Option<PersonId>,
    changes: Value,
) -> ServiceResult<()> {
    store::append(c, entry(actor, action, record, person, changes)).await?;
    Ok(())
}

/// The entry `actor` (or the system, for `None`) leaves for a change.
fn entry(actor: Option<&Actor>, action: &'static str, record: String, person: Option<PersonId>, changes: Value) -> NewAuditEntry {
    NewAuditEntry {
        at: Timestamp::now(),
        actor: actor.map(|a| a.id),
        action,
        record,
        person,
        changes: changes.to_string(),
        source: actor.map(|a| a.source.clone()).unwrap_or_else(|| "cli".into()),
    }
}

pub(crate) async fn record_as(
    c: &mut AnyConnection,
    user: Option<UserId>,
    source: String,
    action: &'static str,
    record: String,
    person: Option<PersonId>,
    changes: Value,
) -> ServiceResult<()> {
    let e = NewAuditEntry { at: Timestamp::now(), actor: user, action, record, person, changes: changes.to_string(), source };
    store::append(c, e).await?;
    Ok(())
}

/// Audit entries gathered while a change is written, appended together
/// (one head move, multi-row inserts) before its transaction commits: what
/// lets an import of thousands of rows keep one entry per change.
#[derive(Default)]
pub(crate) struct Trail(Vec<NewAuditEntry>);

impl Trail {
    pub(crate) fn add(&mut self, actor: Option<&Actor>, action: &'static str, record: String, person: Option<PersonId>, changes: Value) {
        self.0.push(entry(actor, action, record, person, changes));
    }

    /// Append the entries gathered so far, in the caller's transaction.
    pub(crate) async fn write(&mut self, c: &mut AnyConnection) -> ServiceResult<()> {
        store::append_many(c, std::mem::take(&mut self.0)).await?;
        Ok(())
    }
}

/// A request to browse the trail, as typed (every field optional).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A person's id: everything that concerns them.
    #[param(schema_with = passage_domain::schema::uuid_or_empty)]
    pub person: String,
    /// A case's id: entries about the case itself.
    #[param(schema_with = passage_domain::schema::uuid_or_empty)]
    pub case: String,
    /// A username or user id: what they did.
    pub user: String,
    /// First day (YYYY-MM-DD, UTC), included.
    #[param(schema_with = passage_domain::schema::date_or_empty)]
    pub from: String,
    /// Last day (YYYY-MM-DD, UTC), included.
    #[param(schema_with = passage_domain::schema::date_or_empty)]
    pub until: String,
    /// Entries before this sequence number (the previous page's `before`).
    #[param(pattern = "^ *(-?[0-9]{1,18})? *$")]
    pub before: String,
}

impl Passage {
    /// Browse the trail (administrators), newest first; `limit` at most 500.
    pub async fn browse_audit(&self, actor: &Actor, q: &AuditQuery, limit: i64) -> ServiceResult<Vec<AuditLine>> {
        // The right first: nobody learns which ids exist by probing filters.
        access::require(actor, Action::ReadAudit)?;
        let mut inv = Invalid::default();
        let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let mut f = AuditFilter::default();
        if let Some(p) = optional(&q.person) {
            f.person = inv.take(crate::error::parse_id::<PersonId>("person", &p));
        }
        if let Some(c) = optional(&q.case) {
            f.record = inv.take(crate::error::parse_id::<CaseId>("case", &c)).map(|c| format!("case:{c}"));
        }
        if let Some(d) = optional(&q.from) {
            f.from = inv.take(CalendarDate::parse("from", &d)).map(|d| d.to_string());
        }
        if let Some(d) = optional(&q.until) {
            f.until = inv.take(CalendarDate::parse("until", &d)).map(|d| d.add_days(1).to_string());
        }
        if let Some(b) = optional(&q.before) {
            f.before = inv.take(b.parse::<i64>().map_err(|_| FieldError::new("before", "err-positive-number")));
        }
        if let Some(u) = optional(&q.user) {
            let mut c = self.db.reader().acquire().await?;
            let found = match u.parse::<UserId>() {
                Ok(id) => users::get_user(&mut c, id).await?,
                Err(_) => users::get_user_by_username(&mut c, &u.to_lowercase()).await?,
            };
            match found {
                Some(user) => f.actor = Some(user.id),
                None => inv.push(FieldError::new("user", "err-unknown-user")),
            }
        }
        inv.into_result()?;
        let mut c = self.db.reader().acquire().await?;
        Ok(store::list(&mut c, &f, limit.clamp(1, 500)).await?)
    }

    /// Names of users by id, to show who did what in the trail (administrators).
    pub async fn audit_user_names(&self, actor: &Actor) -> ServiceResult<std::collections::HashMap<String, String>> {
        access::require(actor, Action::ReadAudit)?;
        let mut c = self.db.reader().acquire().await?;
        Ok(users::list_users(&mut c)
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), format!("{} ({})", u.display_name, u.username)))
            .collect())
    }

    /// Walk the whole chain (`passage audit verify`).
    pub async fn verify_audit(&self, progress: impl FnMut(u64)) -> ServiceResult<Verification> {
        let mut c = self.db.reader().acquire().await?;
        Ok(store::verify(&mut c, progress).await?)
    }

    /// Browse the trail (administrators).
    pub async fn audit_trail(&self, actor: &Actor, filter: &AuditFilter, limit: i64) -> ServiceResult<Vec<AuditLine>> {
        access::require(actor, Action::ReadAudit)?;
        let mut c = self.db.reader().acquire().await?;
        Ok(store::list(&mut c, filter, limit.clamp(1, 500)).await?)
    }
}
