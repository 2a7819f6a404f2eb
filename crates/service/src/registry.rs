//! The case registry's use cases: register a person and open a case, find
//! persons, read a person's file, record screenings, assistance and notes,
//! change a case's status. Each write is one transaction and leaves a line in
//! the activity feed.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::parse_id;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::assistance::AssistanceInput;
use passage_domain::case::{CaseInput, CaseKind, CaseStatus, Sensitivity, StatusChangeInput};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::*;
use passage_domain::note::NoteInput;
use passage_domain::office::OfficeInput;
use passage_domain::person::PersonInput;
use passage_domain::screening::{priority_of, ScreeningInput};
use passage_domain::{FieldError, Invalid};
use passage_storage::records::*;
use passage_storage::registry::{self as reg, NewCaseRow, Withdrawal};
use passage_storage::search::{self, SearchFilters, SearchResult};
use passage_storage::users;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::AnyConnection;

/// A person's file as a caseworker sees it.
#[derive(Debug, Serialize)]
pub struct PersonFile {
    pub person: PersonRecord,
    pub consents: Vec<ConsentRecord>,
    pub cases: Vec<CaseRecord>,
    pub screenings: Vec<ScreeningRecord>,
    pub assistance: Vec<AssistanceRecord>,
    pub notes: Vec<NoteRecord>,
}

/// A case with everything recorded on it.
#[derive(Debug, Serialize)]
pub struct CaseFile {
    pub case: CaseRecord,
    pub history: Vec<StatusChangeRecord>,
    pub screenings: Vec<ScreeningRecord>,
    pub assistance: Vec<AssistanceRecord>,
    pub notes: Vec<NoteRecord>,
}

/// An assistance record that passed every check, ready to write.
pub(crate) struct PreparedAssistance {
    case: CaseRecord,
    a: passage_domain::assistance::NewAssistance,
}

/// A registration that passed every check, ready to write.
pub(crate) struct PreparedRegistration {
    person: passage_domain::person::NewPerson,
    kind: CaseKind,
    office: OfficeRecord,
    assignee: Option<UserId>,
    screening: Option<passage_domain::screening::NewScreening>,
    consents: Vec<passage_domain::person::NewConsent>,
    today: CalendarDate,
}

/// A registration with what came with it on the same screen.
pub struct Registration<'a> {
    pub person: &'a PersonInput,
    pub case: &'a CaseInput,
    pub screening: Option<&'a ScreeningInput>,
    pub consents: &'a [passage_domain::person::ConsentInput],
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Registered {
    pub person_id: PersonId,
    pub case_id: CaseId,
}

impl Passage {
    pub(crate) async fn reader(&self) -> ServiceResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.db.reader().acquire().await?)
    }

    pub async fn offices(&self) -> ServiceResult<Vec<OfficeRecord>> {
        let mut c = self.reader().await?;
        Ok(reg::list_offices(&mut c).await?)
    }

    /// Offices with their count of open cases.
    pub async fn offices_with_load(&self) -> ServiceResult<Vec<(OfficeRecord, i64)>> {
        let mut c = self.reader().await?;
        let offices = reg::list_offices(&mut c).await?;
        let load = reg::open_cases_per_office(&mut c).await?;
        Ok(offices
            .into_iter()
            .map(|o| {
                let n = load.iter().find(|(id, _)| *id == o.id).map(|(_, n)| *n).unwrap_or(0);
                (o, n)
            })
            .collect())
    }

    pub async fn create_office(&self, actor: &Actor, input: &OfficeInput) -> ServiceResult<OfficeRecord> {
        access::require(actor, Action::ManageOffices)?;
        let o = input.parse()?;
        let id = OfficeId::new();
        let mut tx = self.db.begin().await?;
        match reg::insert_office(&mut tx, id, &o, Timestamp::now()).await {
            Err(e) if e.is_unique_violation() => return Err(FieldError::new("code", "err-office-code-taken").into()),
            r => r?,
        }
        let changes = audit::created(&[
            ("code", json!(o.code)),
            ("name", json!(o.name)),
            ("country", json!(o.country.to_string())),
            ("kind", json!(o.kind)),
            ("capacity", json!(o.capacity)),
        ]);
        audit::record(&mut tx, Some(actor), "office.create", format!("office:{id}"), None, changes).await?;
        tx.commit().await?;
        self.offices.forget();
        let mut c = self.reader().await?;
        reg::get_office(&mut c, id).await?.ok_or(ServiceError::NotFound)
    }

    /// Resolve the office a case is opened in and check the user may work there.
    pub(crate) async fn case_office(&self, actor: &Actor, office: &str) -> ServiceResult<OfficeRecord> {
        let office_id = if office.trim().is_empty() {
            match access::writable_offices(actor) {
                passage_domain::policy::Offices::Only(set) if set.len() == 1 => *set.iter().next().expect("one"),
                _ => return Err(FieldError::new("office_id", "err-required").into()),
            }
        } else {
            parse_id::<OfficeId>("office_id", office)?
        };
        let office = self
            .offices
            .find(&self.db, |o| o.id == office_id)
            .await?
            .ok_or_else(|| FieldError::new("office_id", "err-unknown-office").with("value", office_id))?;
        access::require(actor, Action::WriteCases(office.id))?;
        Ok(office)
    }

    /// Resolve "assigned to": empty means the actor; otherwise a username or
    /// user id of someone working in the office.
    async fn assignee(&self, c: &mut AnyConnection, actor: &Actor, office: &OfficeRecord, s: &str) -> ServiceResult<UserId> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(actor.id);
        }
        let user = match s.parse::<UserId>() {
            Ok(id) => users::get_user(c, id).await?,
            Err(_) => users::get_user_by_username(c, &s.to_lowercase()).await?,
        };
        match user {
            Some(u) if u.rights().can(passage_domain::policy::Permission::WriteCases, office.id) => Ok(u.id),
            _ => Err(FieldError::new("assigned_to", "err-unknown-user").into()),
        }
    }

    /// Register a new person and open their first case, in one transaction.
    pub async fn register_person(&self, actor: &Actor, person: &PersonInput, case: &CaseInput) -> ServiceResult<Registered> {
        let prepared = self.prepare_registration(actor, &Registration { person, case, screening: None, consents: &[] }).await?;
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        let ids = self.write_registration(&mut tx, actor, prepared, None, &mut trail).await?;
        trail.write(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(target: "passage::registry", person = %ids.person_id, case = %ids.case_id, "person registered");
        // The registration stands whatever happens here: a pair not queued
        // now is found by the next batch run.
        match self.queue_likely_duplicates(actor, ids.person_id, person).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(target: "passage::registry", person = %ids.person_id, pairs = n, "likely duplicates queued for review"),
            Err(e) => tracing::warn!(target: "passage::registry", person = %ids.person_id, error = %e, "likely duplicates not queued"),
        }
        Ok(ids)
    }

    /// Every check of a registration with everything a field form carries
    /// on one screen (a screening, the consents given), reading only: what
    /// an import's dry run asks of each row. Every problem in every part is
    /// reported at once.
    pub(crate) async fn prepare_registration(&self, actor: &Actor, r: &Registration<'_>) -> ServiceResult<PreparedRegistration> {
        let today = CalendarDate::today();
        let mut inv = Invalid::default();
        let p = inv.take_all(r.person.parse(today));
        let kind = inv.take(CaseKind::parse("kind", &r.case.kind));
        let screening = r.screening.and_then(|s| inv.take_all(s.parse(today)));
        let consents: Vec<_> = r.consents.iter().filter_map(|k| inv.take_all(k.parse(today))).collect();
        let office = match self.case_office(actor, &r.case.office_id).await {
            Ok(o) => Some(o),
            Err(ServiceError::Invalid(e)) => {
                inv.errors.extend(e.errors);
                None
            }
            Err(e) => return Err(e),
        };
        let assignee = match &office {
            // Empty is the user themselves: no need to look anyone up.
            Some(_) if r.case.assigned_to.trim().is_empty() => Some(actor.id),
            Some(o) => match self.assignee(&mut *self.reader().await?, actor, o, &r.case.assigned_to).await {
                Ok(u) => Some(u),
                Err(ServiceError::Invalid(e)) => {
                    inv.errors.extend(e.errors);
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        inv.into_result()?;
        let (person, kind, office) = (p.expect("checked"), kind.expect("checked"), office.expect("checked"));
        Ok(PreparedRegistration { person, kind, office, assignee, screening, consents, today })
    }

    /// Write a prepared registration in the caller's transaction.
    pub(crate) async fn write_registration(
        &self,
        c: &mut AnyConnection,
        actor: &Actor,
        prepared: PreparedRegistration,
        receipt: Option<&crate::receipts::Receipt<'_>>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<Registered> {
        let mut ids = self.write_registrations(c, actor, vec![(prepared, receipt)], trail).await?;
        Ok(ids.remove(0))
    }

    /// Write prepared registrations in the caller's transaction, a table at
    /// a time (`storage::registrations`): one from a form, or a batch of an
    /// import — the same rows either way. Each receipt is kept with what it
    /// made; one received before makes the whole batch a conflict.
    pub(crate) async fn write_registrations(
        &self,
        c: &mut AnyConnection,
        actor: &Actor,
        batch: Vec<(PreparedRegistration, Option<&crate::receipts::Receipt<'_>>)>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<Vec<Registered>> {
        let now = Timestamp::now();
        let ids: Vec<Registered> = batch.iter().map(|_| Registered { person_id: PersonId::new(), case_id: CaseId::new() }).collect();
        let records: Vec<String> = ids.iter().map(|id| format!("case:{}", id.case_id)).collect();
        let mut first_receipts = Vec::new();
        for (i, (_, receipt)) in batch.iter().enumerate() {
            match receipt {
                Some(crate::receipts::Receipt::First(r)) => first_receipts.push(passage_storage::submissions::NewSubmission {
                    record_ref: Some(&records[i]),
                    status: "applied",
                    payload: "",
                    ..*r
                }),
                Some(r) => crate::receipts::keep_receipt(&mut *c, &self.keys, r, &records[i]).await?,
                None => {}
            }
        }
        if let Err(e) = passage_storage::submissions::insert_many(&mut *c, &self.keys, &first_receipts).await {
            return Err(if passage_storage::submissions::is_unique_violation(&e) {
                ServiceError::Conflict("this submission was already received")
            } else {
                e.into()
            });
        }
        let mut regs = Vec::with_capacity(batch.len());
        for (i, (p, _)) in batch.iter().enumerate() {
            let findings = p.screening.as_ref().map(|s| s.findings.clone()).unwrap_or_default();
            regs.push(passage_storage::registrations::NewRegistration {
                person_id: ids[i].person_id,
                person: &p.person,
                case_id: ids[i].case_id,
                kind: p.kind,
                office: &p.office,
                assigned_to: p.assignee,
                sensitivity: Sensitivity::derive(p.kind, &findings, Sensitivity::Normal),
                // Without a screening a case waits at the lowest priority until one.
                priority: p.screening.as_ref().map(|s| priority_of(&s.findings)).unwrap_or(passage_domain::screening::Priority::Low),
                opened_on: p.today,
                consents: p.consents.iter().map(|k| (ConsentId::new(), k)).collect(),
                screening: p.screening.as_ref().map(|s| (ScreeningId::new(), s)),
            });
        }
        passage_storage::registrations::insert_registrations(&mut *c, &self.keys, &regs, actor.id, now).await?;
        // No indicator summary to refresh: a person counts from their first
        // assistance or reintegration plan, and a new person has neither yet
        // (a screening only ranks those already counted).
        for (i, r) in regs.iter().enumerate() {
            let (person, id) = (r.person, ids[i]);
            // A registration is one act, so one entry: under the case it
            // opened (browsing the case or the person finds it), naming every
            // record it made. Identity enters the trail redacted: the trail
            // outlives erasure and retention (see `privacy`), so it must not
            // be a copy of who people are.
            let consents: Vec<Value> = r
                .consents
                .iter()
                .map(|(cid, k)| {
                    json!({"id": cid, "kind": k.kind, "partner": k.partner, "method": k.method, "given_on": k.given_on.to_string()})
                })
                .collect();
            let screening = r.screening.as_ref().map(|(sid, s)| {
                json!({
                    "id": sid,
                    "screened_on": s.screened_on.to_string(),
                    "findings": s.findings,
                    "exploitation": s.exploitation,
                    "notes": s.notes.as_deref().map(audit::redacted),
                })
            });
            let changes = audit::created(&[
                ("person", json!(id.person_id)),
                ("names", json!(person.names.iter().map(|n| audit::redacted(&n.display())).collect::<Vec<_>>())),
                ("sex", json!(person.sex)),
                ("birth_year", json!(person.birth_date.map(|b| b.year()))),
                ("nationality", json!(person.nationality.map(|n| n.to_string()))),
                ("languages", json!(person.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>())),
                ("phone", person.phone.as_ref().map(|p| audit::redacted(&p.to_string())).unwrap_or(Value::Null)),
                (
                    "documents",
                    json!(person.documents.iter().map(|d| format!("{} {}", d.kind, redacted_text(&d.number))).collect::<Vec<_>>()),
                ),
                ("kind", json!(r.kind)),
                ("office", json!(r.office.id)),
                ("assigned_to", json!(r.assigned_to)),
                ("sensitivity", json!(r.sensitivity)),
                ("consents", Value::Array(consents)),
                ("screening", screening.unwrap_or(Value::Null)),
            ]);
            trail.add(Some(actor), "person.register", format!("case:{}", id.case_id), Some(id.person_id), changes);
        }
        Ok(ids)
    }

    /// Open another case for a person already registered.
    pub async fn open_case(&self, actor: &Actor, person: PersonId, case: &CaseInput) -> ServiceResult<CaseId> {
        access::require(actor, Action::WriteSomewhere)?;
        let mut c = self.reader().await?;
        if !reg::person_in_scope(&mut c, person, &access::scope(actor)).await? {
            return Err(ServiceError::NotFound);
        }
        let mut inv = Invalid::default();
        let kind = inv.take(CaseKind::parse("kind", &case.kind));
        let office = self.case_office(actor, &case.office_id).await?;
        let assignee = self.assignee(&mut c, actor, &office, &case.assigned_to).await?;
        let inherited = if reg::has_restricted_case(&mut c, person).await? { Sensitivity::Restricted } else { Sensitivity::Normal };
        drop(c);
        inv.into_result()?;
        let kind = kind.expect("checked");
        let id = CaseId::new();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let row = NewCaseRow {
            id,
            person_id: person,
            kind,
            office,
            assigned_to: Some(assignee),
            // A person with a restricted case stays restricted in their new
            // case: otherwise opening one would show who they are to the
            // whole office.
            sensitivity: Sensitivity::derive(kind, &[], inherited),
            opened_on: CalendarDate::today(),
        };
        let (office_id, sensitivity) = (row.office.id, row.sensitivity);
        reg::insert_case(&mut tx, &row, actor.id, now).await?;
        reg::index_person_in_office(&mut tx, person, office_id).await?;
        reg::refresh_key_restriction(&mut tx, person, office_id).await?;
        reg::record_activity(&mut tx, actor.id, "case_opened", Some(id), Some(person), now).await?;
        let changes = audit::created(&[
            ("kind", json!(kind)),
            ("office", json!(office_id)),
            ("assigned_to", json!(assignee)),
            ("sensitivity", json!(sensitivity)),
        ]);
        audit::record(&mut tx, Some(actor), "case.create", format!("case:{id}"), Some(person), changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn search(&self, actor: &Actor, query: &str, filters: &SearchFilters, limit: usize) -> ServiceResult<SearchResult> {
        access::require(actor, Action::ReadCases)?;
        let q: String = query.chars().take(200).collect();
        // Search may lag the last registration by a moment: a replica may answer it.
        let mut c = self.db.replica().acquire().await?;
        Ok(search::search_persons(&mut c, &q, filters, &access::scope(actor), limit.clamp(1, 200)).await?)
    }

    pub async fn person_file(&self, actor: &Actor, person: PersonId) -> ServiceResult<PersonFile> {
        access::require(actor, Action::ReadCases)?;
        let scope = access::scope(actor);
        let mut c = self.reader().await?;
        if !reg::person_in_scope(&mut c, person, &scope).await? {
            return Err(ServiceError::NotFound);
        }
        let person = reg::get_person(&mut c, &self.keys, person).await?.ok_or(ServiceError::NotFound)?;
        let cases = reg::cases_of_person(&mut c, person.id, &scope).await?;
        let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
        let contents = reg::case_contents(&mut c, &self.keys, &ids).await?;
        let consents = reg::consents_of_person(&mut c, person.id).await?;
        drop(c);
        if cases.iter().any(|c| c.sensitivity == Sensitivity::Restricted) {
            self.audit_restricted_view(actor, format!("person:{}", person.id), person.id).await?;
        }
        Ok(PersonFile { consents, screenings: contents.screenings, assistance: contents.assistance, notes: contents.notes, person, cases })
    }

    pub async fn case_file(&self, actor: &Actor, case: CaseId) -> ServiceResult<CaseFile> {
        access::require(actor, Action::ReadCases)?;
        let mut c = self.reader().await?;
        let (case, contents) =
            reg::case_with_contents(&mut c, &self.keys, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        drop(c);
        if case.sensitivity == Sensitivity::Restricted {
            self.audit_restricted_view(actor, format!("case:{}", case.id), case.person_id).await?;
        }
        Ok(CaseFile {
            history: contents.history,
            screenings: contents.screenings,
            assistance: contents.assistance,
            notes: contents.notes,
            case,
        })
    }

    /// Who looked at a restricted case's identity is itself on the record.
    async fn audit_restricted_view(&self, actor: &Actor, record: String, person: PersonId) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        audit::record(&mut tx, Some(actor), "restricted.view", record, Some(person), json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A case the actor may write to.
    async fn writable_case(&self, actor: &Actor, case: CaseId) -> ServiceResult<CaseRecord> {
        access::require(actor, Action::WriteSomewhere)?;
        let mut c = self.reader().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        access::require(actor, Action::WriteCases(case.office_id))?;
        Ok(case)
    }

    /// Record a screening; the case's priority and sensitivity follow from it.
    pub async fn record_screening(&self, actor: &Actor, case: CaseId, input: &ScreeningInput) -> ServiceResult<ScreeningId> {
        let case = self.writable_case(actor, case).await?;
        let s = input.parse(CalendarDate::today())?;
        let id = ScreeningId::new();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        reg::insert_screening(&mut tx, &self.keys, id, case.id, &s, actor.id, now).await?;
        passage_storage::analytics::refresh_person(&mut tx, case.person_id).await?;
        let all = reg::case_findings(&mut tx, case.id).await?;
        // The latest screening sets priority; sensitivity only ever goes up.
        let sensitivity = Sensitivity::derive(case.kind, &all, case.sensitivity);
        reg::set_case_risk(&mut tx, case.id, sensitivity, priority_of(&s.findings), now).await?;
        if sensitivity != case.sensitivity {
            reg::refresh_key_restriction(&mut tx, case.person_id, case.office_id).await?;
        }
        reg::record_activity(&mut tx, actor.id, "screening_recorded", Some(case.id), Some(case.person_id), now).await?;
        let mut changes = audit::created(&[
            ("case", json!(case.id)),
            ("screened_on", json!(s.screened_on.to_string())),
            ("findings", json!(s.findings)),
            ("exploitation", json!(s.exploitation)),
            ("notes", s.notes.as_deref().map(audit::redacted).unwrap_or(Value::Null)),
        ]);
        audit::record(&mut tx, Some(actor), "screening.create", format!("screening:{id}"), Some(case.person_id), changes.take()).await?;
        if sensitivity != case.sensitivity {
            changes = json!({"sensitivity": [case.sensitivity, sensitivity]});
            audit::record(&mut tx, Some(actor), "case.update", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn record_assistance(&self, actor: &Actor, case: CaseId, input: &AssistanceInput) -> ServiceResult<AssistanceId> {
        let prepared = self.prepare_assistance(actor, case, input).await?;
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        let id = self.write_assistance(&mut tx, actor, prepared, None, &mut trail).await?;
        trail.write(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every check of an assistance record, reading only.
    pub(crate) async fn prepare_assistance(
        &self,
        actor: &Actor,
        case: CaseId,
        input: &AssistanceInput,
    ) -> ServiceResult<PreparedAssistance> {
        let case = self.writable_case(actor, case).await?;
        if case.status == CaseStatus::Closed {
            return Err(FieldError::new("case", "err-case-closed").into());
        }
        let a = input.parse(CalendarDate::today())?;
        Ok(PreparedAssistance { case, a })
    }

    /// Write a prepared assistance record in the caller's transaction.
    pub(crate) async fn write_assistance(
        &self,
        c: &mut AnyConnection,
        actor: &Actor,
        prepared: PreparedAssistance,
        receipt: Option<&crate::receipts::Receipt<'_>>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<AssistanceId> {
        let PreparedAssistance { case, a } = prepared;
        let id = AssistanceId::new();
        let now = Timestamp::now();
        if let Some(receipt) = receipt {
            crate::receipts::keep_receipt(&mut *c, &self.keys, receipt, &format!("assistance:{id}")).await?;
        }
        reg::insert_assistance(&mut *c, id, case.id, &a, actor.id, now).await?;
        passage_storage::analytics::refresh_person(&mut *c, case.person_id).await?;
        reg::touch_case(&mut *c, case.id, now).await?;
        reg::record_activity(&mut *c, actor.id, "assistance_recorded", Some(case.id), Some(case.person_id), now).await?;
        let changes = audit::created(&[
            ("case", json!(case.id)),
            ("kind", json!(a.kind)),
            ("provided_on", json!(a.provided_on.to_string())),
            ("quantity", json!(a.quantity)),
            // Free text may say where someone stays: redacted, as all free text in the trail.
            ("place", a.place.as_deref().map(audit::redacted).unwrap_or(Value::Null)),
            ("provider", json!(a.provider)),
            ("cost", json!(a.cost.map(|(n, c)| format!("{n} {}", c.code())))),
        ]);
        trail.add(Some(actor), "assistance.create", format!("assistance:{id}"), Some(case.person_id), changes);
        Ok(id)
    }

    pub async fn add_note(&self, actor: &Actor, case: CaseId, input: &NoteInput) -> ServiceResult<NoteId> {
        let case = self.writable_case(actor, case).await?;
        let body = input.parse()?;
        let id = NoteId::new();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        reg::insert_note(&mut tx, &self.keys, id, case.id, &body, actor.id, now).await?;
        reg::touch_case(&mut tx, case.id, now).await?;
        reg::record_activity(&mut tx, actor.id, "note_added", Some(case.id), Some(case.person_id), now).await?;
        let changes = audit::created(&[("case", json!(case.id)), ("body", audit::redacted(&body))]);
        audit::record(&mut tx, Some(actor), "note.create", format!("note:{id}"), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn change_status(&self, actor: &Actor, case: CaseId, input: &StatusChangeInput) -> ServiceResult<CaseStatus> {
        let case = self.writable_case(actor, case).await?;
        let change = input.parse(case.status)?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if !reg::set_case_status(&mut tx, case.id, case.status, change.to, now.date(), now).await? {
            return Err(ServiceError::Conflict("the case's status changed meanwhile"));
        }
        reg::insert_status_change(&mut tx, case.id, Some(case.status), change.to, change.reason.as_deref(), actor.id, now).await?;
        reg::record_activity(&mut tx, actor.id, "status_changed", Some(case.id), Some(case.person_id), now).await?;
        let reason = change.reason.as_deref().map(audit::redacted).unwrap_or(Value::Null);
        let changes = json!({"status": [case.status, change.to], "reason": [null, reason]});
        audit::record(&mut tx, Some(actor), "case.update", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(change.to)
    }

    /// A person the actor may write to: visible, and registered in or with a
    /// case in an office the actor works for.
    async fn writable_person(&self, actor: &Actor, person: PersonId) -> ServiceResult<()> {
        access::require(actor, Action::WriteSomewhere)?;
        let scope = access::scope(actor);
        let mut c = self.reader().await?;
        if !reg::person_in_scope(&mut c, person, &scope).await? {
            return Err(ServiceError::NotFound);
        }
        let p = reg::get_person(&mut c, &self.keys, person).await?.ok_or(ServiceError::NotFound)?;
        let cases = reg::cases_of_person(&mut c, person, &scope).await?;
        let writable = std::iter::once(p.registered_office_id)
            .chain(cases.iter().map(|c| c.office_id))
            .any(|o| access::allowed(actor, Action::WriteCases(o)));
        if writable {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("work on cases of this office"))
        }
    }

    pub async fn record_consent(
        &self,
        actor: &Actor,
        person: PersonId,
        input: &passage_domain::person::ConsentInput,
    ) -> ServiceResult<ConsentId> {
        self.writable_person(actor, person).await?;
        let k = input.parse(CalendarDate::today())?;
        let id = ConsentId::new();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        reg::insert_consent(&mut tx, id, person, &k, actor.id, now).await?;
        reg::record_activity(&mut tx, actor.id, "consent_recorded", None, Some(person), now).await?;
        let changes = audit::created(&[
            ("kind", json!(k.kind)),
            ("partner", json!(k.partner)),
            ("method", json!(k.method)),
            ("given_on", json!(k.given_on.to_string())),
        ]);
        audit::record(&mut tx, Some(actor), "consent.create", format!("consent:{id}"), Some(person), changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Withdrawing stops future use; the consent and its withdrawal both stay on record.
    pub async fn withdraw_consent(&self, actor: &Actor, person: PersonId, consent: ConsentId) -> ServiceResult<()> {
        self.writable_person(actor, person).await?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        match reg::withdraw_consent(&mut tx, consent, person, now.date()).await? {
            Withdrawal::Done => {}
            Withdrawal::Already => return Err(ServiceError::Conflict("this consent was already withdrawn")),
            Withdrawal::NoSuchConsent => return Err(ServiceError::NotFound),
        }
        reg::record_activity(&mut tx, actor.id, "consent_withdrawn", None, Some(person), now).await?;
        let changes = json!({"withdrawn_on": [null, now.date().to_string()]});
        audit::record(&mut tx, Some(actor), "consent.withdraw", format!("consent:{consent}"), Some(person), changes).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn my_cases(&self, actor: &Actor, limit: i64) -> ServiceResult<Vec<CaseRecord>> {
        let mut c = self.reader().await?;
        Ok(reg::cases_assigned_to(&mut c, actor.id, &access::scope(actor), limit).await?)
    }

    pub async fn recent_activity(&self, actor: &Actor, limit: i64) -> ServiceResult<Vec<ActivityRecord>> {
        let mut c = self.reader().await?;
        Ok(reg::recent_activity(&mut c, &access::scope(actor), limit).await?)
    }

    /// Who a case in this office can be assigned to: those who may work on its cases.
    pub async fn assignable_users(&self, office: OfficeId) -> ServiceResult<Vec<UserRecord>> {
        let mut c = self.reader().await?;
        let all = users::list_users(&mut c).await?;
        Ok(all.into_iter().filter(|u| u.rights().can(passage_domain::policy::Permission::WriteCases, office)).collect())
    }

    pub async fn user(&self, id: UserId) -> ServiceResult<UserRecord> {
        let mut c = self.reader().await?;
        users::get_user(&mut c, id).await?.ok_or(ServiceError::NotFound)
    }

    /// The database's integrity, and that every sealed value opens with
    /// the key file given (a wrong or incomplete key file shows here, not
    /// when a caseworker opens a case).
    pub async fn check(&self) -> ServiceResult<passage_storage::check::CheckReport> {
        let mut report = passage_storage::check::check(&self.db).await?;
        for (table, column) in passage_storage::sealed::SEALED_COLUMNS {
            let (mut after, mut bad, mut first) = (String::new(), 0u64, None);
            loop {
                let page = self.db.sealed_page(table, column, &after, 5000).await?;
                let Some((last, _)) = page.last() else { break };
                after = last.clone();
                for (id, v) in &page {
                    if let Err(e) = self.keys.open(&format!("{table}.{column}:{id}"), v) {
                        bad += 1;
                        first.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first {
                report.problems.push(format!("{table}.{column}: {bad} values do not open ({e})"));
            }
        }
        // The indicator summaries must say what the records say.
        for p in self.verify_figures().await? {
            report.problems.push(format!("{p} (run `passage figures rebuild`)"));
        }
        Ok(report)
    }
}

/// A document number as the audit trail shows it.
fn redacted_text(s: &str) -> String {
    audit::redacted(s).as_str().unwrap_or_default().to_string()
}
