//! Data protection duties as use cases: a person's data on their request
//! (export everything held, or erase their identity), the retention
//! schedule, and pseudonymised records for monitoring and evaluation.
//!
//! Erasure anonymises rather than deletes: the person's row, cases,
//! screening findings and assistance stay without identity, so programme
//! figures do not change when someone exercises their rights or when the
//! retention schedule runs. The audit trail keeps its entries (it is
//! append-only and hash-chained) and holds no identity values to begin
//! with: names, phones, document numbers and free text enter it redacted.

use crate::access::Actor;
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::registry::PersonFile;
use crate::Passage;
use passage_domain::audit::AuditLine;
use passage_domain::case::{retention_due, CaseKind};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::PersonId;
use passage_domain::policy::Permission;
use passage_domain::FieldError;
use passage_storage::privacy::{self as store, PseudonymisedCase};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Everything held about one person that the requester may see, for a
/// subject access request.
#[derive(Debug, Serialize)]
pub struct PersonExport {
    pub exported_at: Timestamp,
    pub exported_by: String,
    /// The file: identity, consents, cases, screenings, assistance, notes.
    #[serde(flatten)]
    pub file: PersonFile,
    /// Who did what with the person's records (the audit trail's entries
    /// about them); the web layer renders them as it renders the trail.
    #[serde(skip)]
    pub audit: Vec<AuditLine>,
}

/// What the retention schedule found (and, unless a dry run, did).
#[derive(Debug, Default)]
pub struct RetentionReport {
    /// Persons whose cases are all closed.
    pub examined: u64,
    /// Persons due, by the kind of their most recently closed case.
    pub due: Vec<(CaseKind, u64)>,
    pub anonymised: u64,
}

impl Passage {
    /// The persons whose data this actor may handle on request: visible to
    /// them, with a case in an office where they hold `handle_data_requests`.
    async fn data_request_person(&self, actor: &Actor, person: PersonId) -> ServiceResult<PersonFile> {
        let file = self.person_file(actor, person).await?;
        let rights = actor.rights();
        if !file.cases.iter().any(|c| rights.can(Permission::HandleDataRequests, c.office_id)) {
            return Err(ServiceError::Forbidden("handle data requests for this person"));
        }
        Ok(file)
    }

    /// Everything held about a person (within the actor's reach), with the
    /// audit trail's entries about them. The export is itself audited.
    pub async fn export_person(&self, actor: &Actor, person: PersonId) -> ServiceResult<PersonExport> {
        let file = self.data_request_person(actor, person).await?;
        let mut c = self.db.reader().acquire().await?;
        let filter = passage_storage::audit::AuditFilter { person: Some(person), ..Default::default() };
        let lines = passage_storage::audit::list(&mut c, &filter, 10_000).await?;
        drop(c);
        let mut tx = self.db.begin().await?;
        audit::record(&mut tx, Some(actor), "person.export", format!("person:{person}"), Some(person), json!({})).await?;
        tx.commit().await?;
        Ok(PersonExport { exported_at: Timestamp::now(), exported_by: actor.display_name.clone(), file, audit: lines })
    }

    /// Erase a person's identity at their request (see the module's note on
    /// what stays). `reason` says whose request and how it was checked.
    pub async fn erase_person(&self, actor: &Actor, person: PersonId, reason: &str) -> ServiceResult<()> {
        let reason = passage_domain::text::required("reason", reason, 500, true)?;
        let file = self.data_request_person(actor, person).await?;
        let mut tx = self.db.begin().await?;
        if store::anonymised_at(&mut tx, person).await?.is_some() {
            return Err(ServiceError::Conflict("this person's identity was already erased"));
        }
        store::anonymise_person(&mut tx, person, Timestamp::now()).await?;
        let cases: Vec<String> = file.cases.iter().map(|c| c.id.to_string()).collect();
        let changes = json!({"identity": ["held", "erased"], "cases": [null, cases], "reason": [null, audit::redacted(&reason)]});
        audit::record(&mut tx, Some(actor), "person.erase", format!("person:{person}"), Some(person), changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Apply (or, with `dry_run`, only count) the retention schedule on
    /// `today`: every person whose cases are all closed for longer than
    /// their kind's period (`months`) loses their identity. Each person is
    /// erased in their own transaction with its audit entry, so an
    /// interrupted run leaves no one half-erased and can simply run again.
    pub async fn apply_retention(
        &self,
        today: CalendarDate,
        months: impl Fn(CaseKind) -> u32,
        dry_run: bool,
        mut progress: impl FnMut(u64),
    ) -> ServiceResult<RetentionReport> {
        let mut c = self.db.reader().acquire().await?;
        let candidates = store::retention_candidates(&mut c).await?;
        drop(c);
        let mut report = RetentionReport { examined: candidates.len() as u64, ..Default::default() };
        let mut due_by_kind: std::collections::BTreeMap<&'static str, (CaseKind, u64)> = Default::default();
        for (person, cases) in candidates {
            if !retention_due(&cases, today, &months) {
                continue;
            }
            let latest = cases.iter().max_by_key(|(_, _, closed)| *closed).map(|(k, _, _)| *k).expect("a candidate has cases");
            due_by_kind.entry(latest.as_str()).or_insert((latest, 0)).1 += 1;
            if dry_run {
                continue;
            }
            let mut tx = self.db.begin().await?;
            store::anonymise_person(&mut tx, person, Timestamp::now()).await?;
            let changes = json!({"identity": ["held", "erased"], "schedule": [null, format!("{} months after closure", months(latest))]});
            audit::record(&mut tx, None, "person.retention", format!("person:{person}"), Some(person), changes).await?;
            tx.commit().await?;
            report.anonymised += 1;
            progress(report.anonymised);
        }
        report.due = due_by_kind.into_values().collect();
        Ok(report)
    }

    /// Cases as monitoring and evaluation may see them, in the offices
    /// where the actor holds `read_pseudonymised`, a page at a time (by
    /// `after`, the last pseudonymous case id of the previous page).
    /// Returns the page and, when there may be more, the cursor for the next.
    pub async fn pseudonymised_cases(
        &self,
        actor: &Actor,
        after: &str,
        limit: i64,
    ) -> ServiceResult<(Vec<PseudonymisedCase>, Option<String>)> {
        let offices = actor.rights().offices(Permission::ReadPseudonymised);
        if offices.is_empty() {
            return Err(ServiceError::Forbidden("read pseudonymised records"));
        }
        let mut c = self.db.reader().acquire().await?;
        let salt = store::setting_or_insert(&mut c, "pseudonym_salt", crate::auth::random_token).await?;
        // The cursor is the last real case id, sealed: pseudonyms do not
        // keep the order of the ids behind them, and the id must not leak.
        let after = match after.trim() {
            "" => String::new(),
            a => self.keys.open_sealed("cursor:pseudonymised", a).map_err(|_| FieldError::new("after", "err-cursor"))?,
        };
        let limit = limit.clamp(1, 1000);
        let mut rows = store::pseudonymised_cases(&mut c, &offices, &after, limit).await?;
        let next = (rows.len() as i64 == limit).then(|| rows.last().map(|r| self.keys.seal("cursor:pseudonymised", &r.case))).flatten();
        for r in &mut rows {
            r.person = pseudonym(&salt, "person", &r.person);
            r.case = pseudonym(&salt, "case", &r.case);
        }
        Ok((rows, next))
    }
}

/// A stable pseudonym: the same person always gets the same one, and it
/// cannot be turned back into the id without the installation's salt.
pub(crate) fn pseudonym(salt: &str, kind: &str, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"passage-pseudonym-v1\0");
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(id.as_bytes());
    h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}
