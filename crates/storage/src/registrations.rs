//! Writing new registrations — a person, their first case, the consents
//! they gave and a screening — a table at a time. One registration from the
//! web and a hundred thousand from an import take this same path, so an
//! import writes exactly the rows a registration writes, in many-row
//! statements: case references are taken from each office's counter as a
//! block, a person's search keys carry their restriction from the start
//! (their only case decides it), and the case carries its priority.

use crate::bulk::insert_rows_sized;
use crate::records::OfficeRecord;
use crate::registry::{document_place, screening_place};
use crate::sealed::Keyring;
use crate::sql::Value;
use crate::Result;
use passage_domain::case::{CaseKind, Sensitivity};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::*;
use passage_domain::names;
use passage_domain::person::{NewConsent, NewPerson};
use passage_domain::screening::{NewScreening, Priority};
use sqlx::AnyConnection;
use std::collections::BTreeSet;

/// Parameters per statement: far under both engines' limits (SQLite
/// 32,766; PostgreSQL 65,535), large enough that a statement carries tens
/// of rows.
const PARAMS: usize = 2_000;

/// The columns a registration fills, shared with the synthetic data's bulk load.
/// A new case's columns; the synthetic data adds `closed_on` after them.
pub const CASE_COLUMNS: [&str; 12] = [
    "id",
    "reference",
    "person_id",
    "kind",
    "office_id",
    "assigned_to",
    "status",
    "sensitivity",
    "priority",
    "opened_on",
    "created_at",
    "updated_at",
];

pub const PERSON_COLUMNS: [&str; 13] = [
    "id",
    "display_name",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_year",
    "nationality",
    "languages",
    "phone",
    "registered_office_id",
    "created_by",
    "created_at",
    "updated_at",
];
pub const NAME_COLUMNS: [&str; 5] = ["person_id", "position", "given", "family", "kind"];
pub const KEY_COLUMNS: [&str; 5] = ["key", "office_id", "person_id", "birth_year", "restricted"];
pub const DOCUMENT_COLUMNS: [&str; 7] = ["id", "person_id", "kind", "number", "issuing_country", "expires_on", "created_at"];
pub const HISTORY_COLUMNS: [&str; 7] = ["id", "case_id", "from_status", "to_status", "reason", "changed_by", "changed_at"];
pub const SCREENING_COLUMNS: [&str; 8] = ["id", "case_id", "screened_on", "findings", "exploitation", "notes", "screened_by", "created_at"];
pub const FINDING_COLUMNS: [&str; 2] = ["screening_id", "category"];

/// One registration to write.
pub struct NewRegistration<'a> {
    pub person_id: PersonId,
    pub person: &'a NewPerson,
    pub case_id: CaseId,
    pub kind: CaseKind,
    pub office: &'a OfficeRecord,
    pub assigned_to: Option<UserId>,
    pub sensitivity: Sensitivity,
    pub priority: Priority,
    pub opened_on: CalendarDate,
    pub consents: Vec<(ConsentId, &'a NewConsent)>,
    pub screening: Option<(ScreeningId, &'a NewScreening)>,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt_text(s: Option<String>) -> Value {
    s.map(Value::Text).unwrap_or(Value::Null)
}

fn opt_int(n: Option<i64>) -> Value {
    n.map(Value::Int).unwrap_or(Value::NullInt)
}

/// Reserve `n` case references in an office's counter for a year: the
/// first of them (the same numbers `insert_case` would hand out one by one).
async fn reserve_references(c: &mut AnyConnection, office: OfficeId, year: i64, n: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO reference_counters (office_id, year, next_value) VALUES ($1, $2, $3) \
         ON CONFLICT (office_id, year) DO UPDATE SET next_value = reference_counters.next_value + $3 RETURNING next_value",
    )
    .bind(office.to_string())
    .bind(year)
    .bind(n)
    .fetch_one(&mut *c)
    .await?;
    Ok(crate::records::int(&row, "next_value")? - n + 1)
}

/// Write the registrations; returns each case's reference, in order.
pub async fn insert_registrations(
    c: &mut AnyConnection,
    keys: &Keyring,
    regs: &[NewRegistration<'_>],
    by: UserId,
    now: Timestamp,
) -> Result<Vec<String>> {
    // References: one block per office and year, handed out in order.
    let mut blocks: Vec<((OfficeId, i64), i64)> = Vec::new();
    for r in regs {
        let k = (r.office.id, r.opened_on.year() as i64);
        match blocks.iter_mut().find(|(b, _)| *b == k) {
            Some((_, n)) => *n += 1,
            None => blocks.push((k, 1)),
        }
    }
    let mut next = std::collections::HashMap::new();
    for ((office, year), n) in &blocks {
        next.insert((*office, *year), reserve_references(c, *office, *year, *n).await?);
    }
    let now_s = now.to_string();
    let by_s = by.to_string();
    let mut references = Vec::with_capacity(regs.len());
    let (mut persons, mut names_rows, mut key_rows, mut docs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut cases, mut history, mut activity, mut consents, mut screenings, mut findings) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in regs {
        let p = r.person;
        let pid = r.person_id.to_string();
        let year = r.opened_on.year() as i64;
        let seq = next.get_mut(&(r.office.id, year)).expect("reserved above");
        let reference = format!("{}-{}-{:06}", r.office.code, year, *seq);
        *seq += 1;
        let birth_year = p.birth_date.map(|b| b.year() as i64);
        persons.push(vec![
            text(&pid),
            text(p.primary_name().display()),
            text(p.sex.as_str()),
            opt_text(p.birth_date.map(|b| b.date.to_string())),
            opt_text(p.birth_date.map(|b| b.precision.as_str().to_string())),
            opt_int(birth_year),
            opt_text(p.nationality.map(|n| n.to_string())),
            text(crate::records::join(&p.languages)),
            opt_text(p.phone.as_ref().map(|p| p.to_string())),
            text(r.office.id.to_string()),
            text(&by_s),
            text(&now_s),
            text(&now_s),
        ]);
        let mut word_keys = BTreeSet::new();
        for (i, n) in p.names.iter().enumerate() {
            names_rows.push(vec![
                text(&pid),
                Value::Int(i as i64),
                opt_text(n.given.clone()),
                opt_text(n.family.clone()),
                text(n.kind.as_str()),
            ]);
            word_keys.extend(names::index_keys(&n.full()));
        }
        // The person's only case decides whether their keys are restricted in its office.
        let restricted = i64::from(r.sensitivity != Sensitivity::Normal);
        for k in word_keys {
            key_rows.push(vec![text(k), text(r.office.id.to_string()), text(&pid), opt_int(birth_year), Value::Int(restricted)]);
        }
        for d in &p.documents {
            let doc = DocumentId::new();
            docs.push(vec![
                text(doc.to_string()),
                text(&pid),
                text(d.kind.as_str()),
                text(keys.seal(&document_place(doc), &d.number)),
                opt_text(d.issuing_country.map(|c| c.to_string())),
                opt_text(d.expires_on.map(|d| d.to_string())),
                text(&now_s),
            ]);
        }
        let case = r.case_id.to_string();
        cases.push(vec![
            text(&case),
            text(&reference),
            text(&pid),
            text(r.kind.as_str()),
            text(r.office.id.to_string()),
            opt_text(r.assigned_to.map(|u| u.to_string())),
            text("open"),
            text(r.sensitivity.as_str()),
            text(r.priority.as_str()),
            text(r.opened_on.to_string()),
            text(&now_s),
            text(&now_s),
        ]);
        history.push(vec![text(NoteId::new().to_string()), text(&case), Value::Null, text("open"), Value::Null, text(&by_s), text(&now_s)]);
        activity.push(vec![text(NoteId::new().to_string()), text(&now_s), text(&by_s), text("person_registered"), text(&case), text(&pid)]);
        for (id, k) in &r.consents {
            consents.push(vec![
                text(id.to_string()),
                text(&pid),
                text(k.kind.as_str()),
                opt_text(k.partner.clone()),
                text(k.method.as_str()),
                text(k.given_on.to_string()),
                Value::Null,
                text(&by_s),
                text(&now_s),
            ]);
        }
        if let Some((id, s)) = &r.screening {
            screenings.push(vec![
                text(id.to_string()),
                text(&case),
                text(s.screened_on.to_string()),
                text(crate::records::join(&s.findings)),
                text(crate::records::join(&s.exploitation)),
                opt_text(s.notes.as_ref().map(|n| keys.seal(&screening_place(*id), n))),
                text(&by_s),
                text(&now_s),
            ]);
            for f in &s.findings {
                findings.push(vec![text(id.to_string()), text(f.as_str())]);
            }
        }
        references.push(reference);
    }
    insert_rows_sized(c, "persons", &PERSON_COLUMNS, persons, PARAMS).await?;
    insert_rows_sized(c, "person_names", &NAME_COLUMNS, names_rows, PARAMS).await?;
    insert_rows_sized(c, "person_search_keys", &KEY_COLUMNS, key_rows, PARAMS).await?;
    insert_rows_sized(c, "identity_documents", &DOCUMENT_COLUMNS, docs, PARAMS).await?;
    insert_rows_sized(c, "cases", &CASE_COLUMNS, cases, PARAMS).await?;
    insert_rows_sized(c, "case_status_history", &HISTORY_COLUMNS, history, PARAMS).await?;
    insert_rows_sized(c, "activity", &["id", "at", "user_id", "action", "case_id", "person_id"], activity, PARAMS).await?;
    insert_rows_sized(
        c,
        "consents",
        &["id", "person_id", "kind", "partner", "method", "given_on", "withdrawn_on", "recorded_by", "created_at"],
        consents,
        PARAMS,
    )
    .await?;
    insert_rows_sized(c, "screenings", &SCREENING_COLUMNS, screenings, PARAMS).await?;
    insert_rows_sized(c, "screening_findings", &FINDING_COLUMNS, findings, PARAMS).await?;
    Ok(references)
}
