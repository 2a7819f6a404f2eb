//! The hotline desk: log a call in the office whose desk took it, link it
//! to the person and case it is about, set and close its follow-up, the
//! shift hand-over list (open follow-ups by due time, protection first),
//! and the desk's figures through the usual disclosure control. Calls about
//! trafficking, a child alone or a medical emergency reach the protection
//! officer's queue (see `queue`); their notes are read only by the
//! operator who took them and by readers of restricted cases.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{parse_id, ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::disclosure::{protect, Figure};
use passage_domain::hotline::CallInput;
use passage_domain::ids::{CallId, CaseId, OfficeId, PersonId};
use passage_domain::policy::{Offices, Permission};
use passage_domain::FieldError;
use passage_storage::hotline::{self as store, CallGrouping, CallPlacement, CallRecord};
use passage_storage::registry as reg;
use serde::Serialize;
use serde_json::json;

/// A call as a desk reader sees it: the notes only when they may read them.
#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    #[serde(flatten)]
    pub call: CallRecord,
    pub notes: Option<String>,
    /// The notes exist but are for the protection officer.
    pub notes_withheld: bool,
    pub case_reference: Option<String>,
}

/// The desk's figures for a period: calls by day, topic, language and
/// channel, protected cell by cell, and the time to follow up.
#[derive(Debug, Clone, Serialize)]
pub struct HotlineFigures {
    pub from: CalendarDate,
    pub to: CalendarDate,
    pub total: Figure,
    pub by_day: Vec<(String, Figure)>,
    pub by_topic: Vec<(String, Figure)>,
    pub by_language: Vec<(String, Figure)>,
    pub by_channel: Vec<(String, Figure)>,
    /// Follow-ups closed in the period.
    pub followed_up: Figure,
    /// Median hours from the call to its follow-up closed (none when too few to publish).
    pub median_hours_to_follow_up: Option<f64>,
}

impl Passage {
    /// The offices whose desk the user answers.
    pub fn hotline_offices(&self, actor: &Actor) -> Offices {
        actor.rights().offices(Permission::AnswerHotline)
    }

    async fn desk_office(&self, actor: &Actor, code: &str) -> ServiceResult<OfficeId> {
        let mut c = self.reader().await?;
        let office = match code.trim() {
            "" => match self.hotline_offices(actor) {
                Offices::Only(set) if set.len() == 1 => set.into_iter().next(),
                _ => None,
            }
            .ok_or_else(|| FieldError::new("office", "err-required"))?,
            given => {
                // An office's id (as the other forms send it) or its code.
                let found = match given.parse::<OfficeId>() {
                    Ok(id) => reg::get_office(&mut c, id).await?,
                    Err(_) => reg::get_office_by_code(&mut c, &given.to_uppercase()).await?,
                };
                found.ok_or_else(|| FieldError::new("office", "err-unknown-office"))?.id
            }
        };
        access::require(actor, Action::AnswerHotline(office))?;
        Ok(office)
    }

    async fn sees_person(&self, actor: &Actor, person: PersonId) -> ServiceResult<bool> {
        if !access::allowed(actor, Action::ReadCases) {
            return Ok(false);
        }
        let mut c = self.reader().await?;
        Ok(reg::person_in_scope(&mut c, person, &access::scope(actor)).await?)
    }

    async fn seen_case(&self, actor: &Actor, case: CaseId) -> ServiceResult<Option<passage_storage::records::CaseRecord>> {
        if !access::allowed(actor, Action::ReadCases) {
            return Ok(None);
        }
        let mut c = self.reader().await?;
        Ok(reg::get_case(&mut c, case, &access::scope(actor)).await?)
    }

    /// Log a call. A protection call is due at once and lands in the
    /// protection officer's queue.
    pub async fn record_call(&self, actor: &Actor, input: &CallInput) -> ServiceResult<CallId> {
        access::require(actor, Action::AnswerHotlineSomewhere)?;
        let call = input.parse(Timestamp::now())?;
        let office = self.desk_office(actor, &input.office).await?;
        let person = match input.person_id.trim() {
            "" => None,
            p => {
                let id: PersonId = parse_id("person_id", p)?;
                if !self.sees_person(actor, id).await? {
                    return Err(FieldError::new("person_id", "err-unknown-person").into());
                }
                Some(id)
            }
        };
        let id = CallId::new();
        let now = Timestamp::now();
        let placement = CallPlacement {
            id,
            office,
            person,
            taken_by: Some(actor.id),
            sealed_notes: call.notes.as_ref().map(|n| self.keys.seal(&format!("hotline_calls.notes:{id}"), n)),
        };
        let mut tx = self.db.begin().await?;
        store::insert_call(&mut tx, &placement, &call, now).await?;
        let mut fields = vec![
            ("channel", json!(call.channel)),
            ("caller", json!(call.caller)),
            ("topic", json!(call.topic)),
            ("urgency", json!(call.urgency)),
            ("office", json!(office.to_string())),
        ];
        if let Some(n) = &call.notes {
            fields.push(("notes", audit::redacted(n)));
        }
        audit::record(&mut tx, Some(actor), "call.create", format!("call:{id}"), person, audit::created(&fields)).await?;
        tx.commit().await?;
        if call.for_protection() {
            tracing::info!(call = %id, office = %office, "a protection call is in the protection queue");
        }
        Ok(id)
    }

    async fn readable_call(&self, actor: &Actor, id: CallId) -> ServiceResult<CallRecord> {
        let rights = actor.rights();
        if !(rights.can_somewhere(Permission::AnswerHotline) || rights.can_somewhere(Permission::ReadRestricted)) {
            return Err(ServiceError::Forbidden("see the hotline desk"));
        }
        let mut c = self.reader().await?;
        let call = store::get_call(&mut c, id).await?.ok_or(ServiceError::NotFound)?;
        let rights = actor.rights();
        if rights.can(Permission::AnswerHotline, call.office_id)
            || call.protection && rights.can(Permission::ReadRestricted, call.office_id)
        {
            Ok(call)
        } else {
            Err(ServiceError::NotFound)
        }
    }

    pub async fn call(&self, actor: &Actor, id: CallId) -> ServiceResult<CallView> {
        let call = self.readable_call(actor, id).await?;
        let may_read =
            !call.protection || call.taken_by == Some(actor.id) || actor.rights().can(Permission::ReadRestricted, call.office_id);
        let notes = match (&call.notes, may_read) {
            (Some(n), true) => Some(self.keys.open(&format!("hotline_calls.notes:{id}"), n).map_err(passage_storage::StorageError::from)?),
            _ => None,
        };
        let case_reference = match call.case_id {
            Some(case) => self.seen_case(actor, case).await?.map(|c| c.reference),
            None => None,
        };
        Ok(CallView { notes_withheld: call.notes.is_some() && !may_read, call, notes, case_reference })
    }

    /// Link a call to the person it is about and, optionally, one of their
    /// cases (found, registered or opened from the call).
    pub async fn link_call(&self, actor: &Actor, id: CallId, person: &str, case: &str) -> ServiceResult<()> {
        let call = self.readable_call(actor, id).await?;
        access::require(actor, Action::AnswerHotline(call.office_id))?;
        let person: Option<PersonId> = match person.trim() {
            "" => None,
            p => Some(parse_id("person_id", p)?),
        };
        let case: Option<CaseId> = match case.trim() {
            "" => None,
            c => Some(parse_id("case_id", c)?),
        };
        if let Some(p) = person {
            if !self.sees_person(actor, p).await? {
                return Err(FieldError::new("person_id", "err-unknown-person").into());
            }
        }
        if let Some(c) = case {
            let record = self.seen_case(actor, c).await?.ok_or_else(|| FieldError::new("case_id", "err-unknown-case"))?;
            if person.is_some_and(|p| p != record.person_id) || person.is_none() {
                return Err(FieldError::new("case_id", "err-case-of-another-person").into());
            }
        }
        let mut tx = self.db.begin().await?;
        store::link_call(&mut tx, id, person, case).await?;
        let changes = json!({
            "person_id": [call.person_id.map(|p| p.to_string()), person.map(|p| p.to_string())],
            "case_id": [call.case_id.map(|p| p.to_string()), case.map(|p| p.to_string())],
        });
        audit::record(&mut tx, Some(actor), "call.link", format!("call:{id}"), person.or(call.person_id), changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Close a call's follow-up (the desk called back, the protection officer took it on).
    pub async fn close_follow_up(&self, actor: &Actor, id: CallId) -> ServiceResult<()> {
        let call = self.readable_call(actor, id).await?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if !store::close_call(&mut tx, id, actor.id, now).await? {
            return Err(ServiceError::Conflict("this call has no open follow-up"));
        }
        let changes = json!({"done_at": [null, now.to_string()]});
        audit::record(&mut tx, Some(actor), "call.follow_up_done", format!("call:{id}"), call.person_id, changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Set (or move) when the desk must call back.
    pub async fn set_follow_up(&self, actor: &Actor, id: CallId, due: &str) -> ServiceResult<()> {
        let call = self.readable_call(actor, id).await?;
        access::require(actor, Action::AnswerHotline(call.office_id))?;
        let due = Timestamp::parse(due.trim()).ok_or_else(|| FieldError::new("follow_up_due", "err-date-format"))?;
        if due < call.at {
            return Err(FieldError::new("follow_up_due", "err-date-before").with("other", "at").into());
        }
        let mut tx = self.db.begin().await?;
        store::set_follow_up(&mut tx, id, due).await?;
        let changes = json!({"follow_up_due": [call.follow_up_due.map(|d| d.to_string()), due.to_string()]});
        audit::record(&mut tx, Some(actor), "call.follow_up", format!("call:{id}"), call.person_id, changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The shift hand-over list: every open follow-up of the user's desks,
    /// protection first, then by due time; and protection calls of the
    /// offices whose restricted cases they read.
    pub async fn hand_over_list(&self, actor: &Actor, limit: i64) -> ServiceResult<Vec<CallRecord>> {
        let desks = self.hotline_offices(actor);
        let protection = actor.rights().offices(Permission::ReadRestricted);
        if desks == Offices::none() && protection == Offices::none() {
            return Err(ServiceError::Forbidden("see the hotline desk"));
        }
        let mut c = self.reader().await?;
        let mut list = store::open_calls(&mut c, &desks, false, limit).await?;
        for call in store::open_calls(&mut c, &protection, true, limit).await? {
            if !list.iter().any(|x| x.id == call.id) {
                list.push(call);
            }
        }
        list.sort_by(|a, b| b.protection.cmp(&a.protection).then(a.follow_up_due.cmp(&b.follow_up_due)).then(a.id.cmp(&b.id)));
        list.truncate(limit.max(0) as usize);
        Ok(list)
    }

    /// The latest calls of the user's desks.
    pub async fn recent_calls(&self, actor: &Actor, limit: i64) -> ServiceResult<Vec<CallRecord>> {
        access::require(actor, Action::AnswerHotlineSomewhere)?;
        let mut c = self.reader().await?;
        Ok(store::recent_calls(&mut c, &self.hotline_offices(actor), limit).await?)
    }

    /// The desk's figures, all offices, through disclosure control.
    pub async fn hotline_figures(&self, actor: &Actor, from: CalendarDate, to: CalendarDate) -> ServiceResult<HotlineFigures> {
        access::require(actor, Action::ReadAggregates)?;
        if to < from {
            return Err(FieldError::new("to", "err-date-before").with("other", "from").into());
        }
        let rules = self.disclosure_rules().await?;
        let (f, t) = (from.to_string(), to.to_string());
        let mut c = self.db.replica().acquire().await?;
        let mut grouped = Vec::new();
        for by in [CallGrouping::Day, CallGrouping::Topic, CallGrouping::Language, CallGrouping::Channel] {
            grouped.push(store::call_counts(&mut c, &Offices::All, &f, &t, by).await?);
        }
        let protected: Vec<Vec<(String, Figure)>> = grouped
            .into_iter()
            .map(|raw| {
                let table = protect(&raw.iter().map(|(_, n)| vec![*n as u64]).collect::<Vec<_>>(), &rules);
                raw.into_iter().zip(table.cells).map(|((k, _), cells)| (k, cells[0])).collect()
            })
            .collect();
        let total_raw: i64 = store::call_counts(&mut c, &Offices::All, &f, &t, CallGrouping::Channel).await?.iter().map(|(_, n)| n).sum();
        let mut hours: Vec<f64> = store::follow_up_times(&mut c, &Offices::All, &f, &t)
            .await?
            .iter()
            .map(|(a, d)| (d.unix() - a.unix()).max(0) as f64 / 3600.0)
            .collect();
        hours.sort_by(|a, b| a.total_cmp(b));
        let followed_up = rules.figure(hours.len() as u64);
        // A median of fewer calls than the threshold would describe them one by one.
        let median = (hours.len() as u64 >= rules.threshold && !hours.is_empty()).then(|| {
            let m = hours.len() / 2;
            let v = if hours.len() % 2 == 1 { hours[m] } else { (hours[m - 1] + hours[m]) / 2.0 };
            (v * 10.0).round() / 10.0
        });
        let mut it = protected.into_iter();
        Ok(HotlineFigures {
            from,
            to,
            total: rules.figure(total_raw as u64),
            by_day: it.next().unwrap_or_default(),
            by_topic: it.next().unwrap_or_default(),
            by_language: it.next().unwrap_or_default(),
            by_channel: it.next().unwrap_or_default(),
            followed_up,
            median_hours_to_follow_up: median,
        })
    }
}
