//! The audit trail from the use cases' side: each write appends one entry in
//! its own transaction (so the entry and the change commit together), logins
//! and views of restricted cases append theirs, and administrators browse and
//! verify the chain. Entries say which fields changed and how; secrets
//! (passwords, tokens) never, and the values of fields that are encrypted at
//! rest (note bodies, document numbers) only as "redacted", so the trail does
//! not become a clear-text copy of them.

use crate::access::{self, Actor};
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::audit::AuditLine;
use passage_domain::date::Timestamp;
use passage_domain::ids::{PersonId, UserId};
use passage_domain::policy::Permission;
use passage_storage::audit::{self as store, AuditFilter, NewAuditEntry, Verification};
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
    record_as(c, actor.map(|a| a.id), actor.map(|a| a.source.clone()).unwrap_or_else(|| "cli".into()), action, record, person, changes)
        .await
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

impl Passage {
    /// Walk the whole chain (`passage audit verify`).
    pub async fn verify_audit(&self, progress: impl FnMut(u64)) -> ServiceResult<Verification> {
        let mut c = self.db.reader().acquire().await?;
        Ok(store::verify(&mut c, progress).await?)
    }

    /// Browse the trail (administrators).
    pub async fn audit_trail(&self, actor: &Actor, filter: &AuditFilter, limit: i64) -> ServiceResult<Vec<AuditLine>> {
        if !access::rights(actor).can_somewhere(Permission::ReadAudit) {
            return Err(ServiceError::Forbidden("read the audit trail"));
        }
        let mut c = self.db.reader().acquire().await?;
        Ok(store::list(&mut c, filter, limit.clamp(1, 500)).await?)
    }
}
