//! The case registry's SQL: offices, persons (with names, search keys and
//! documents), cases, status history, screenings, assistance, notes and the
//! activity feed. Each function does one statement or one small group; the
//! service layer wraps groups that belong together in a transaction.

use crate::records::*;
use crate::sealed::Keyring;
use crate::sql::{Sql, Value};
use crate::{Result, StorageError};
use passage_domain::assistance::NewAssistance;
use passage_domain::case::{CaseKind, CaseStatus, Sensitivity};
use passage_domain::codes::{CountryCode, Currency, LanguageCode};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::*;
use passage_domain::names;
use passage_domain::office::NewOffice;
use passage_domain::person::{DocumentKind, IdentityDocument, NameKind, NewPerson, PersonName, Sex};
use passage_domain::policy::Offices;
use passage_domain::screening::{ExploitationType, NewScreening, Priority, VulnerabilityCategory};
use sqlx::AnyConnection;

// ---------------------------------------------------------------- offices

pub async fn insert_office(c: &mut AnyConnection, id: OfficeId, o: &NewOffice, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO offices (id, code, name, country, kind, capacity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id.to_string())
        .bind(&o.code)
        .bind(&o.name)
        .bind(o.country.to_string())
        .bind(o.kind.as_str())
        .bind(o.capacity)
        .bind(now.to_string())
        .execute(c)
        .await?;
    Ok(())
}

const OFFICE_COLS: &str = "id, code, name, country, kind, capacity";

pub async fn list_offices(c: &mut AnyConnection) -> Result<Vec<OfficeRecord>> {
    let rows = sqlx::query(&format!("SELECT {OFFICE_COLS} FROM offices ORDER BY country, code")).fetch_all(c).await?;
    rows.iter().map(OfficeRecord::from_row).collect()
}

pub async fn get_office(c: &mut AnyConnection, id: OfficeId) -> Result<Option<OfficeRecord>> {
    let row = sqlx::query(&format!("SELECT {OFFICE_COLS} FROM offices WHERE id = $1")).bind(id.to_string()).fetch_optional(c).await?;
    row.as_ref().map(OfficeRecord::from_row).transpose()
}

pub async fn get_office_by_code(c: &mut AnyConnection, code: &str) -> Result<Option<OfficeRecord>> {
    let row = sqlx::query(&format!("SELECT {OFFICE_COLS} FROM offices WHERE code = $1")).bind(code).fetch_optional(c).await?;
    row.as_ref().map(OfficeRecord::from_row).transpose()
}

/// Open cases per office, for the offices page (occupancy against capacity).
pub async fn open_cases_per_office(c: &mut AnyConnection) -> Result<Vec<(OfficeId, i64)>> {
    let rows = sqlx::query("SELECT office_id, COUNT(*) AS n FROM cases WHERE status <> 'closed' GROUP BY office_id").fetch_all(c).await?;
    rows.iter().map(|r| Ok((id(r, "office_id")?, int(r, "n")?))).collect()
}

// ---------------------------------------------------------------- persons

/// Write a person with all their names, search keys and documents.
/// Call inside a transaction.
pub async fn insert_person(
    c: &mut AnyConnection,
    keys: &Keyring,
    id: PersonId,
    p: &NewPerson,
    office: OfficeId,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    let now_s = now.to_string();
    sqlx::query(
        "INSERT INTO persons (id, display_name, sex, birth_date, birth_date_precision, birth_year, nationality, languages, phone, \
         registered_office_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
    )
    .bind(id.to_string())
    .bind(p.primary_name().display())
    .bind(p.sex.as_str())
    .bind(p.birth_date.map(|b| b.date.to_string()))
    .bind(p.birth_date.map(|b| b.precision.as_str()))
    .bind(p.birth_date.map(|b| b.year() as i64))
    .bind(p.nationality.map(|n| n.to_string()))
    .bind(join(&p.languages))
    .bind(p.phone.as_ref().map(|p| p.to_string()))
    .bind(office.to_string())
    .bind(by.to_string())
    .bind(&now_s)
    .execute(&mut *c)
    .await?;
    insert_names(c, id, office, p.birth_date.map(|b| b.year() as i64), &p.names).await?;
    for d in &p.documents {
        let doc = DocumentId::new();
        sqlx::query(
            "INSERT INTO identity_documents (id, person_id, kind, number, issuing_country, expires_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(doc.to_string())
        .bind(id.to_string())
        .bind(d.kind.as_str())
        .bind(keys.seal(&document_place(doc), &d.number))
        .bind(d.issuing_country.map(|c| c.to_string()))
        .bind(d.expires_on.map(|d| d.to_string()))
        .bind(&now_s)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

async fn insert_names(c: &mut AnyConnection, id: PersonId, office: OfficeId, birth_year: Option<i64>, list: &[PersonName]) -> Result<()> {
    let mut keys = std::collections::BTreeSet::new();
    for (i, n) in list.iter().enumerate() {
        sqlx::query("INSERT INTO person_names (person_id, position, given, family, kind) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(i as i64)
            .bind(n.given.clone())
            .bind(n.family.clone())
            .bind(n.kind.as_str())
            .execute(&mut *c)
            .await?;
        keys.extend(names::index_keys(&n.full()));
    }
    // Many keys per person: one multi-row statement instead of one round trip each.
    let year = birth_year.map(Value::Int).unwrap_or(Value::NullInt);
    for chunk in keys.into_iter().collect::<Vec<_>>().chunks(50) {
        let mut q = Sql::new("INSERT INTO person_search_keys (key, office_id, person_id, birth_year) VALUES ");
        for (i, k) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(").bind(k.as_str()).push(", ").bind(office.to_string()).push(", ").bind(id.to_string());
            q.push(", ").bind(year.clone()).push(")");
        }
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

const PERSON_COLS: &str =
    "id, display_name, sex, birth_date, birth_date_precision, nationality, languages, phone, registered_office_id, created_at";

pub async fn get_person(c: &mut AnyConnection, keys: &Keyring, id: PersonId) -> Result<Option<PersonRecord>> {
    let Some(r) =
        sqlx::query(&format!("SELECT {PERSON_COLS} FROM persons WHERE id = $1")).bind(id.to_string()).fetch_optional(&mut *c).await?
    else {
        return Ok(None);
    };
    let names = person_names(c, &[id]).await?.into_iter().map(|(_, n)| n).collect();
    let docs = sqlx::query(
        "SELECT id, kind, number, issuing_country, expires_on FROM identity_documents WHERE person_id = $1 ORDER BY created_at, id",
    )
    .bind(id.to_string())
    .fetch_all(&mut *c)
    .await?;
    let documents = docs
        .iter()
        .map(|d| {
            Ok(IdentityDocument {
                kind: code(d, "kind", DocumentKind::parse)?,
                number: open(keys, &document_place(self::id(d, "id")?), &text(d, "number")?)?,
                issuing_country: opt_code(d, "issuing_country", CountryCode::parse)?,
                expires_on: opt_date(d, "expires_on")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(PersonRecord {
        id: self::id(&r, "id")?,
        display_name: text(&r, "display_name")?,
        names,
        sex: code(&r, "sex", Sex::parse)?,
        birth_date: birth_date(&r)?,
        nationality: opt_code(&r, "nationality", CountryCode::parse)?,
        languages: list(&text(&r, "languages")?, LanguageCode::parse)?,
        phone: opt_text(&r, "phone")?,
        documents,
        registered_office_id: self::id(&r, "registered_office_id")?,
        created_at: timestamp(&r, "created_at")?,
    }))
}

/// Names of several persons at once, in position order.
pub async fn person_names(c: &mut AnyConnection, ids: &[PersonId]) -> Result<Vec<(PersonId, PersonName)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT person_id, given, family, kind FROM person_names WHERE person_id IN ");
    q.bind_list(ids.iter().map(|i| i.to_string())).push(" ORDER BY person_id, position");
    let rows = q.query().fetch_all(c).await?;
    rows.iter()
        .map(|r| {
            Ok((
                id(r, "person_id")?,
                PersonName { given: opt_text(r, "given")?, family: opt_text(r, "family")?, kind: code(r, "kind", NameKind::parse)? },
            ))
        })
        .collect()
}

/// Whether a reader with `scope` may see this person: at least one of their
/// cases is visible to them.
pub async fn person_in_scope(c: &mut AnyConnection, person: PersonId, scope: &Scope) -> Result<bool> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM persons p WHERE p.id = ");
    q.bind(person.to_string());
    push_person_scope(&mut q, scope);
    Ok(int(&q.query().fetch_one(c).await?, "n")? > 0)
}

/// ` AND <person p is visible>`: one of their cases is.
pub(crate) fn push_person_scope(q: &mut Sql, scope: &Scope) {
    if scope.cases == Offices::All && scope.restricted == Offices::All {
        return;
    }
    q.push(" AND EXISTS (SELECT 1 FROM cases sc WHERE sc.person_id = p.id");
    push_case_scope_as(q, scope, "sc");
    q.push(")");
}

// ---------------------------------------------------------------- cases

pub struct NewCaseRow {
    pub id: CaseId,
    pub person_id: PersonId,
    pub kind: CaseKind,
    pub office: OfficeRecord,
    pub assigned_to: Option<UserId>,
    pub sensitivity: Sensitivity,
    pub opened_on: CalendarDate,
}

/// Write a case with its first status entry and a fresh reference
/// (`NER-AGZ-2026-000042`). Call inside a transaction.
pub async fn insert_case(c: &mut AnyConnection, n: &NewCaseRow, by: UserId, now: Timestamp) -> Result<String> {
    let year = n.opened_on.year() as i64;
    let row = sqlx::query(
        "INSERT INTO reference_counters (office_id, year, next_value) VALUES ($1, $2, 1) \
         ON CONFLICT (office_id, year) DO UPDATE SET next_value = reference_counters.next_value + 1 RETURNING next_value",
    )
    .bind(n.office.id.to_string())
    .bind(year)
    .fetch_one(&mut *c)
    .await?;
    let seq = int(&row, "next_value")?;
    let reference = format!("{}-{}-{:06}", n.office.code, year, seq);
    let now_s = now.to_string();
    sqlx::query(
        "INSERT INTO cases (id, reference, person_id, kind, office_id, assigned_to, status, sensitivity, priority, opened_on, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, 'low', $8, $9, $9)",
    )
    .bind(n.id.to_string())
    .bind(&reference)
    .bind(n.person_id.to_string())
    .bind(n.kind.as_str())
    .bind(n.office.id.to_string())
    .bind(n.assigned_to.map(|u| u.to_string()))
    .bind(n.sensitivity.as_str())
    .bind(n.opened_on.to_string())
    .bind(&now_s)
    .execute(&mut *c)
    .await?;
    insert_status_change(c, n.id, None, CaseStatus::Open, None, by, now).await?;
    Ok(reference)
}

/// Make a person findable from an office's search (a case was opened there).
/// Registration files the keys under the registering office itself.
pub async fn index_person_in_office(c: &mut AnyConnection, person: PersonId, office: OfficeId) -> Result<()> {
    sqlx::query(
        "INSERT INTO person_search_keys (key, office_id, person_id, birth_year) SELECT DISTINCT key, $1, person_id, birth_year FROM person_search_keys \
         WHERE person_id = $2 ON CONFLICT DO NOTHING",
    )
    .bind(office.to_string())
    .bind(person.to_string())
    .execute(c)
    .await?;
    Ok(())
}

/// Keep the search keys' `restricted` flag true to the cases: a person is
/// restricted in an office when none of their cases there is of normal
/// sensitivity. Call after opening a case or changing its sensitivity.
pub async fn refresh_key_restriction(c: &mut AnyConnection, person: PersonId, office: OfficeId) -> Result<()> {
    sqlx::query(
        "UPDATE person_search_keys SET restricted = CASE WHEN EXISTS (SELECT 1 FROM cases c WHERE c.person_id = $1 \
         AND (c.office_id = $2 OR EXISTS (SELECT 1 FROM case_read_offices ro WHERE ro.case_id = c.id AND ro.office_id = $2)) \
         AND c.sensitivity = 'normal') THEN 0 ELSE 1 END WHERE person_id = $1 AND office_id = $2",
    )
    .bind(person.to_string())
    .bind(office.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn insert_status_change(
    c: &mut AnyConnection,
    case: CaseId,
    from: Option<CaseStatus>,
    to: CaseStatus,
    reason: Option<&str>,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO case_status_history (id, case_id, from_status, to_status, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(passage_domain::ids::NoteId::new().to_string())
        .bind(case.to_string())
        .bind(from.map(|s| s.as_str()))
        .bind(to.as_str())
        .bind(reason.map(str::to_string))
        .bind(by.to_string())
        .bind(now.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Move a case to `to`, only if it is still in `from` (so two people changing
/// it at once cannot both win). Returns whether it moved.
pub async fn set_case_status(
    c: &mut AnyConnection,
    case: CaseId,
    from: CaseStatus,
    to: CaseStatus,
    on: CalendarDate,
    now: Timestamp,
) -> Result<bool> {
    let closed_on = (to == CaseStatus::Closed).then(|| on.to_string());
    let r = sqlx::query("UPDATE cases SET status = $1, closed_on = $2, updated_at = $3 WHERE id = $4 AND status = $5")
        .bind(to.as_str())
        .bind(closed_on)
        .bind(now.to_string())
        .bind(case.to_string())
        .bind(from.as_str())
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_case_risk(
    c: &mut AnyConnection,
    case: CaseId,
    sensitivity: Sensitivity,
    priority: Priority,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE cases SET sensitivity = $1, priority = $2, updated_at = $3 WHERE id = $4")
        .bind(sensitivity.as_str())
        .bind(priority.as_str())
        .bind(now.to_string())
        .bind(case.to_string())
        .execute(c)
        .await?;
    Ok(())
}

pub async fn touch_case(c: &mut AnyConnection, case: CaseId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2").bind(now.to_string()).bind(case.to_string()).execute(c).await?;
    Ok(())
}

const CASE_SELECT: &str =
    "SELECT c.id, c.reference, c.person_id, p.display_name AS person_name, c.kind, c.office_id, o.code AS office_code, \
    c.assigned_to, u.display_name AS assigned_name, c.status, c.sensitivity, c.priority, c.opened_on, c.closed_on, c.updated_at \
    FROM cases c JOIN persons p ON p.id = c.person_id JOIN offices o ON o.id = c.office_id LEFT JOIN users u ON u.id = c.assigned_to";

fn push_case_scope(q: &mut Sql, scope: &Scope) {
    push_case_scope_as(q, scope, "c")
}

/// ` AND <case {alias} is visible>`: in the reader's offices, and either of
/// normal sensitivity, assigned to the reader, or in an office where they
/// read restricted cases (passage_domain::policy::Rights::may_see_case).
/// `(case in one of these offices)`: its own office, or an office that
/// handed it over and keeps reading it (`case_read_offices`).
fn push_case_in_offices(q: &mut Sql, alias: &str, set: &std::collections::BTreeSet<OfficeId>) {
    q.push(&format!("({alias}.office_id IN ")).bind_list(set.iter().map(|o| o.to_string()));
    q.push(&format!(" OR EXISTS (SELECT 1 FROM case_read_offices ro WHERE ro.case_id = {alias}.id AND ro.office_id IN "));
    q.bind_list(set.iter().map(|o| o.to_string())).push("))");
}

/// ` AND <case {alias} is visible to the reader>`, for other modules' queries.
pub(crate) fn push_scope(q: &mut Sql, scope: &Scope, alias: &str) {
    push_case_scope_as(q, scope, alias)
}

fn push_case_scope_as(q: &mut Sql, scope: &Scope, alias: &str) {
    match &scope.cases {
        Offices::All => {}
        Offices::Only(set) if set.is_empty() => {
            q.push(" AND 1 = 0");
            return;
        }
        Offices::Only(set) => {
            q.push(" AND ");
            push_case_in_offices(q, alias, set);
        }
    }
    if let Offices::Only(set) = &scope.restricted {
        q.push(&format!(" AND ({alias}.sensitivity = 'normal' OR {alias}.assigned_to = ")).bind(scope.user.to_string());
        if !set.is_empty() {
            q.push(" OR ");
            push_case_in_offices(q, alias, set);
        }
        q.push(")");
    }
}

/// A case by its id or by the reference printed on its papers (as people
/// type it), within the reader's scope.
pub async fn find_case(c: &mut AnyConnection, typed: &str, scope: &Scope) -> Result<Option<CaseRecord>> {
    match typed.trim().parse::<CaseId>() {
        Ok(id) => get_case(c, id, scope).await,
        Err(_) => get_case_by_reference(c, &typed.trim().to_uppercase(), scope).await,
    }
}

/// A case by its reference (as printed on papers), within the reader's scope.
pub async fn get_case_by_reference(c: &mut AnyConnection, reference: &str, scope: &Scope) -> Result<Option<CaseRecord>> {
    let mut q = Sql::new(CASE_SELECT);
    q.push(" WHERE c.reference = ").bind(reference.to_string());
    push_case_scope(&mut q, scope);
    let row = q.query().fetch_optional(c).await?;
    row.as_ref().map(CaseRecord::from_row).transpose()
}

pub async fn get_case(c: &mut AnyConnection, case: CaseId, scope: &Scope) -> Result<Option<CaseRecord>> {
    let mut q = Sql::new(CASE_SELECT);
    q.push(" WHERE c.id = ").bind(case.to_string());
    push_case_scope(&mut q, scope);
    let row = q.query().fetch_optional(c).await?;
    row.as_ref().map(CaseRecord::from_row).transpose()
}

pub async fn cases_of_person(c: &mut AnyConnection, person: PersonId, scope: &Scope) -> Result<Vec<CaseRecord>> {
    let mut q = Sql::new(CASE_SELECT);
    q.push(" WHERE c.person_id = ").bind(person.to_string());
    push_case_scope(&mut q, scope);
    q.push(" ORDER BY c.opened_on DESC, c.id DESC");
    let rows = q.query().fetch_all(c).await?;
    rows.iter().map(CaseRecord::from_row).collect()
}

/// Open cases assigned to a user, most recently touched first.
/// (Within the reader's scope: a case stays assigned after its caseworker
/// loses the office, but they no longer see it.)
pub async fn cases_assigned_to(c: &mut AnyConnection, user: UserId, scope: &Scope, limit: i64) -> Result<Vec<CaseRecord>> {
    let mut q = Sql::new(CASE_SELECT);
    q.push(" WHERE c.assigned_to = ").bind(user.to_string()).push(" AND c.status <> 'closed'");
    push_case_scope(&mut q, scope);
    q.push(" ORDER BY c.updated_at DESC, c.id LIMIT ").bind(limit);
    let rows = q.query().fetch_all(c).await?;
    rows.iter().map(CaseRecord::from_row).collect()
}

/// Open cases with a protection flag (high priority, set from the screening's
/// findings) that are the user's: assigned to them, or unassigned in an office
/// in `unassigned_in`. Oldest change first: the longest wait comes first.
pub async fn urgent_cases(
    c: &mut AnyConnection,
    user: UserId,
    unassigned_in: &Offices,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<CaseRecord>> {
    let mut q = Sql::new(CASE_SELECT);
    q.push(" WHERE c.status <> 'closed' AND c.priority = 'high' AND (c.assigned_to = ").bind(user.to_string());
    match unassigned_in {
        Offices::All => {
            q.push(" OR c.assigned_to IS NULL");
        }
        Offices::Only(set) if set.is_empty() => {}
        Offices::Only(set) => {
            q.push(" OR (c.assigned_to IS NULL AND c.office_id IN ").bind_list(set.iter().map(|o| o.to_string())).push(")");
        }
    }
    q.push(")");
    push_case_scope(&mut q, scope);
    q.push(" ORDER BY c.updated_at, c.id LIMIT ").bind(limit);
    let rows = q.query().fetch_all(c).await?;
    rows.iter().map(CaseRecord::from_row).collect()
}

/// The kind of each of these cases (those that exist).
pub async fn case_kinds(c: &mut AnyConnection, cases: &[CaseId]) -> Result<std::collections::HashMap<CaseId, CaseKind>> {
    let mut out = std::collections::HashMap::new();
    for chunk in cases.chunks(500) {
        let mut q = Sql::new("SELECT id, kind FROM cases WHERE id IN ");
        q.bind_list(chunk.iter().map(|c| c.to_string()));
        for r in q.query().fetch_all(&mut *c).await? {
            let kind: String = sqlx::Row::try_get(&r, "kind")?;
            if let Ok(k) = CaseKind::parse("kind", &kind) {
                out.insert(id(&r, "id")?, k);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- screenings

pub async fn insert_screening(
    c: &mut AnyConnection,
    keys: &Keyring,
    id: ScreeningId,
    case: CaseId,
    s: &NewScreening,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO screenings (id, case_id, screened_on, findings, exploitation, notes, screened_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id.to_string())
        .bind(case.to_string())
        .bind(s.screened_on.to_string())
        .bind(join(&s.findings))
        .bind(join(&s.exploitation))
        .bind(s.notes.as_ref().map(|n| keys.seal(&screening_place(id), n)))
        .bind(by.to_string())
        .bind(now.to_string())
        .execute(&mut *c)
        .await?;
    for f in &s.findings {
        sqlx::query("INSERT INTO screening_findings (screening_id, category) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(f.as_str())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Every finding ever recorded on a case (sensitivity never goes down).
pub async fn case_findings(c: &mut AnyConnection, case: CaseId) -> Result<Vec<VulnerabilityCategory>> {
    let rows =
        sqlx::query("SELECT DISTINCT f.category FROM screening_findings f JOIN screenings s ON s.id = f.screening_id WHERE s.case_id = $1")
            .bind(case.to_string())
            .fetch_all(c)
            .await?;
    rows.iter().map(|r| code(r, "category", VulnerabilityCategory::parse)).collect()
}

// ---------------------------------------------------------------- assistance

pub async fn insert_assistance(
    c: &mut AnyConnection,
    id: AssistanceId,
    case: CaseId,
    a: &NewAssistance,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assistance (id, case_id, kind, provided_on, quantity, unit, place, provider, cost, currency, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.to_string())
    .bind(case.to_string())
    .bind(a.kind.as_str())
    .bind(a.provided_on.to_string())
    .bind(a.quantity)
    .bind(a.kind.unit().as_str())
    .bind(a.place.clone())
    .bind(a.provider.clone())
    .bind(a.cost.map(|(n, _)| n))
    .bind(a.cost.map(|(_, cur)| cur.code()))
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- notes

pub async fn insert_note(
    c: &mut AnyConnection,
    keys: &Keyring,
    id: NoteId,
    case: CaseId,
    body: &str,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO case_notes (id, case_id, body, author, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(case.to_string())
        .bind(keys.seal(&note_place(id), body))
        .bind(by.to_string())
        .bind(now.to_string())
        .execute(c)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- activity

pub async fn record_activity(
    c: &mut AnyConnection,
    user: UserId,
    action: &str,
    case: Option<CaseId>,
    person: Option<PersonId>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO activity (id, at, user_id, action, case_id, person_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(NoteId::new().to_string())
        .bind(now.to_string())
        .bind(user.to_string())
        .bind(action)
        .bind(case.map(|c| c.to_string()))
        .bind(person.map(|p| p.to_string()))
        .execute(c)
        .await?;
    Ok(())
}

/// Recent activity on cases the reader may see.
pub async fn recent_activity(c: &mut AnyConnection, scope: &Scope, limit: i64) -> Result<Vec<ActivityRecord>> {
    let mut q = Sql::new(
        "SELECT a.at, u.display_name AS user_name, a.action, a.case_id, c.reference, a.person_id FROM activity a \
         JOIN users u ON u.id = a.user_id LEFT JOIN cases c ON c.id = a.case_id WHERE 1 = 1",
    );
    push_case_scope(&mut q, scope);
    q.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").bind(limit);
    let rows = q.query().fetch_all(c).await?;
    rows.iter()
        .map(|r| {
            Ok(ActivityRecord {
                at: timestamp(r, "at")?,
                user: text(r, "user_name")?,
                action: text(r, "action")?,
                case_id: opt_id(r, "case_id")?,
                case_reference: opt_text(r, "reference")?,
                person_id: opt_id(r, "person_id")?,
            })
        })
        .collect()
}

pub async fn count(c: &mut AnyConnection, table: &'static str) -> Result<i64> {
    let r = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(c).await?;
    int(&r, "n")
}

// ---------------------------------------------------------------- consents

pub async fn insert_consent(
    c: &mut AnyConnection,
    id: ConsentId,
    person: PersonId,
    k: &passage_domain::person::NewConsent,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO consents (id, person_id, kind, partner, method, given_on, withdrawn_on, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)")
        .bind(id.to_string())
        .bind(person.to_string())
        .bind(k.kind.as_str())
        .bind(k.partner.clone())
        .bind(k.method.as_str())
        .bind(k.given_on.to_string())
        .bind(by.to_string())
        .bind(now.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Withdraw a consent that is still in force. Returns whether it was.
/// What withdrawing a consent did.
#[derive(Debug, PartialEq, Eq)]
pub enum Withdrawal {
    Done,
    Already,
    NoSuchConsent,
}

pub async fn withdraw_consent(c: &mut AnyConnection, id: ConsentId, person: PersonId, on: CalendarDate) -> Result<Withdrawal> {
    let r = sqlx::query("UPDATE consents SET withdrawn_on = $1 WHERE id = $2 AND person_id = $3 AND withdrawn_on IS NULL")
        .bind(on.to_string())
        .bind(id.to_string())
        .bind(person.to_string())
        .execute(&mut *c)
        .await?;
    if r.rows_affected() == 1 {
        return Ok(Withdrawal::Done);
    }
    let exists = sqlx::query("SELECT 1 AS x FROM consents WHERE id = $1 AND person_id = $2")
        .bind(id.to_string())
        .bind(person.to_string())
        .fetch_optional(c)
        .await?
        .is_some();
    Ok(if exists { Withdrawal::Already } else { Withdrawal::NoSuchConsent })
}

/// Whether any case of the person, in any office, is restricted.
pub async fn has_restricted_case(c: &mut AnyConnection, person: PersonId) -> Result<bool> {
    let r = sqlx::query("SELECT 1 AS x FROM cases WHERE person_id = $1 AND sensitivity = 'restricted' LIMIT 1")
        .bind(person.to_string())
        .fetch_optional(c)
        .await?;
    Ok(r.is_some())
}

pub async fn consents_of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<ConsentRecord>> {
    let rows = sqlx::query(
        "SELECT k.id, k.kind, k.partner, k.method, k.given_on, k.withdrawn_on, u.display_name AS recorded_by FROM consents k \
         JOIN users u ON u.id = k.recorded_by WHERE k.person_id = $1 ORDER BY k.given_on DESC, k.id DESC",
    )
    .bind(person.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ConsentRecord {
                id: id(r, "id")?,
                kind: code(r, "kind", passage_domain::person::ConsentKind::parse)?,
                partner: opt_text(r, "partner")?,
                method: code(r, "method", passage_domain::person::ConsentMethod::parse)?,
                given_on: date(r, "given_on")?,
                withdrawn_on: opt_date(r, "withdrawn_on")?,
                recorded_by: text(r, "recorded_by")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- a case's contents

/// Everything recorded on some cases: status history, screenings, assistance, notes.
#[derive(Debug, Default)]
pub struct CaseContents {
    pub history: Vec<StatusChangeRecord>,
    pub screenings: Vec<ScreeningRecord>,
    pub assistance: Vec<AssistanceRecord>,
    pub notes: Vec<NoteRecord>,
}

/// Reads the four kinds of record in one statement. Reading a case is the
/// most frequent request there is, and on SQLite each statement is a round
/// trip to the driver's worker thread; one `UNION ALL` instead of four
/// queries is most of the difference between a third and half of the
/// ceiling in BENCHMARKS.md. The branches share one column layout: `t1`…`t5`
/// text, `n1`/`n2` integers, typed NULLs for PostgreSQL.
pub async fn case_contents(c: &mut AnyConnection, keys: &Keyring, cases: &[CaseId]) -> Result<CaseContents> {
    if cases.is_empty() {
        return Ok(CaseContents::default());
    }
    const NT: &str = "CAST(NULL AS TEXT)";
    const NI: &str = "CAST(NULL AS BIGINT)";
    let branches = [
        format!(
            "SELECT 'h' AS part, h.id, h.case_id, h.changed_at AS at, h.from_status AS t1, h.to_status AS t2, h.reason AS t3, {NT} AS t4, \
             {NT} AS t5, {NI} AS n1, {NI} AS n2, u.display_name AS who FROM case_status_history h JOIN users u ON u.id = h.changed_by \
             WHERE h.case_id IN "
        ),
        format!(
            "SELECT 's', s.id, s.case_id, s.screened_on, s.findings, s.exploitation, s.notes, {NT}, {NT}, {NI}, {NI}, u.display_name \
             FROM screenings s JOIN users u ON u.id = s.screened_by WHERE s.case_id IN "
        ),
        "SELECT 'a', a.id, a.case_id, a.provided_on, a.kind, a.unit, a.place, a.provider, a.currency, a.quantity, a.cost, u.display_name \
         FROM assistance a JOIN users u ON u.id = a.recorded_by WHERE a.case_id IN "
            .to_string(),
        format!(
            "SELECT 'n', n.id, n.case_id, n.created_at, n.body, {NT}, {NT}, {NT}, {NT}, {NI}, {NI}, u.display_name \
             FROM case_notes n JOIN users u ON u.id = n.author WHERE n.case_id IN "
        ),
    ];
    let mut q = Sql::new("");
    for (i, b) in branches.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push(b).bind_list(cases.iter().map(|c| c.to_string()));
    }
    let rows = q.query().fetch_all(c).await?;
    let mut out = CaseContents::default();
    for r in &rows {
        match text(r, "part")?.as_str() {
            "h" => out.history.push(StatusChangeRecord {
                case_id: id(r, "case_id")?,
                from_status: opt_code(r, "t1", CaseStatus::parse)?,
                to_status: code(r, "t2", CaseStatus::parse)?,
                reason: opt_text(r, "t3")?,
                changed_by: text(r, "who")?,
                changed_at: timestamp(r, "at")?,
                id: text(r, "id")?,
            }),
            "s" => out.screenings.push(ScreeningRecord {
                notes: open_opt(keys, &screening_place(id(r, "id")?), opt_text(r, "t3")?)?,
                id: id(r, "id")?,
                case_id: id(r, "case_id")?,
                screened_on: date(r, "at")?,
                findings: list(&text(r, "t1")?, VulnerabilityCategory::parse)?,
                exploitation: list(&text(r, "t2")?, ExploitationType::parse)?,
                screened_by: text(r, "who")?,
            }),
            "a" => out.assistance.push(AssistanceRecord {
                id: id(r, "id")?,
                case_id: id(r, "case_id")?,
                kind: code(r, "t1", passage_domain::assistance::AssistanceKind::parse)?,
                provided_on: date(r, "at")?,
                quantity: int(r, "n1")?,
                unit: code(r, "t2", passage_domain::assistance::Unit::parse)?,
                place: opt_text(r, "t3")?,
                provider: opt_text(r, "t4")?,
                cost: opt_int(r, "n2")?,
                currency: opt_code(r, "t5", Currency::parse)?,
                recorded_by: text(r, "who")?,
            }),
            _ => out.notes.push(NoteRecord {
                id: id(r, "id")?,
                case_id: id(r, "case_id")?,
                body: open(keys, &note_place(id(r, "id")?), &text(r, "t1")?)?,
                author: text(r, "who")?,
                created_at: timestamp(r, "at")?,
            }),
        }
    }
    sort_contents(&mut out);
    Ok(out)
}

/// History reads oldest first; the rest newest first (ids are UUIDv7, so they break ties by time).
fn sort_contents(out: &mut CaseContents) {
    out.history.sort_by(|a, b| (a.changed_at, &a.id).cmp(&(b.changed_at, &b.id)));
    out.screenings.sort_by_key(|s| std::cmp::Reverse((s.screened_on, s.id)));
    out.assistance.sort_by_key(|a| std::cmp::Reverse((a.provided_on, a.id)));
    out.notes.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));
}

// ---------------------------------------------------------------- a case and its contents, in one row

/// A case with everything recorded on it, in one statement that returns one
/// row: the case's columns, and each kind of record as a JSON array built by
/// the database. Reading a case is the most frequent request; on SQLite
/// every row crosses from the driver's worker thread to the async task with
/// a thread wake-up, and profiling showed those wake-ups, not SQL, to be
/// most of a read's cost. One row instead of one per record halves it.
pub async fn case_with_contents(
    c: &mut AnyConnection,
    keys: &Keyring,
    case: CaseId,
    scope: &Scope,
) -> Result<Option<(CaseRecord, CaseContents)>> {
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let pg = c.backend_name() == "PostgreSQL";
    let head =
        if pg { POSTGRES.get_or_init(|| case_with_contents_sql(true)) } else { SQLITE.get_or_init(|| case_with_contents_sql(false)) };
    let mut q = Sql::new(head);
    q.push(" WHERE c.id = ").bind(case.to_string());
    push_case_scope(&mut q, scope);
    let Some(r) = q.query().fetch_optional(&mut *c).await? else { return Ok(None) };
    let record = CaseRecord::from_row(&r)?;
    let mut out = CaseContents::default();
    for a in json_rows(&text(&r, "j_history")?)? {
        out.history.push(StatusChangeRecord {
            id: a.text(0)?,
            case_id: record.id,
            changed_at: a.timestamp(1)?,
            from_status: a.opt_code(2, CaseStatus::parse)?,
            to_status: a.code(3, CaseStatus::parse)?,
            reason: a.opt_text(4)?,
            changed_by: a.text(5)?,
        });
    }
    for a in json_rows(&text(&r, "j_screenings")?)? {
        out.screenings.push(ScreeningRecord {
            id: a.id(0)?,
            case_id: record.id,
            screened_on: a.code(1, CalendarDate::parse)?,
            findings: list(&a.text(2)?, VulnerabilityCategory::parse)?,
            exploitation: list(&a.text(3)?, ExploitationType::parse)?,
            notes: open_opt(keys, &screening_place(a.id(0)?), a.opt_text(4)?)?,
            screened_by: a.text(5)?,
        });
    }
    for a in json_rows(&text(&r, "j_assistance")?)? {
        out.assistance.push(AssistanceRecord {
            id: a.id(0)?,
            case_id: record.id,
            provided_on: a.code(1, CalendarDate::parse)?,
            kind: a.code(2, passage_domain::assistance::AssistanceKind::parse)?,
            unit: a.code(3, passage_domain::assistance::Unit::parse)?,
            place: a.opt_text(4)?,
            provider: a.opt_text(5)?,
            currency: a.opt_code(6, Currency::parse)?,
            quantity: a.int(7)?,
            cost: a.opt_int(8)?,
            recorded_by: a.text(9)?,
        });
    }
    for a in json_rows(&text(&r, "j_notes")?)? {
        let id = a.id(0)?;
        let body = open(keys, &note_place(id), &a.text(2)?)?;
        out.notes.push(NoteRecord { id, case_id: record.id, created_at: a.timestamp(1)?, body, author: a.text(3)? });
    }
    sort_contents(&mut out);
    Ok(Some((record, out)))
}

fn case_with_contents_sql(pg: bool) -> String {
    let agg = |cols: &str, from: &str| {
        if pg {
            format!("(SELECT COALESCE(json_agg(json_build_array({cols})), '[]'::json)::text {from})")
        } else {
            format!("(SELECT json_group_array(json_array({cols})) {from})")
        }
    };
    let parts = [
        agg(
            "h.id, h.changed_at, h.from_status, h.to_status, h.reason, hu.display_name",
            "FROM case_status_history h JOIN users hu ON hu.id = h.changed_by WHERE h.case_id = c.id",
        ) + " AS j_history",
        agg(
            "s.id, s.screened_on, s.findings, s.exploitation, s.notes, su.display_name",
            "FROM screenings s JOIN users su ON su.id = s.screened_by WHERE s.case_id = c.id",
        ) + " AS j_screenings",
        agg(
            "a.id, a.provided_on, a.kind, a.unit, a.place, a.provider, a.currency, a.quantity, a.cost, au.display_name",
            "FROM assistance a JOIN users au ON au.id = a.recorded_by WHERE a.case_id = c.id",
        ) + " AS j_assistance",
        agg("n.id, n.created_at, n.body, nu.display_name", "FROM case_notes n JOIN users nu ON nu.id = n.author WHERE n.case_id = c.id")
            + " AS j_notes",
    ];
    CASE_SELECT.replacen(" FROM cases c", &format!(", {} FROM cases c", parts.join(", ")), 1)
}

/// One record of a JSON array built by the database, read by position.
struct JsonRow(Vec<serde_json::Value>);

fn json_rows(s: &str) -> Result<Vec<JsonRow>> {
    let v: Vec<Vec<serde_json::Value>> = serde_json::from_str(s).map_err(|_| corrupt("json", s))?;
    Ok(v.into_iter().map(JsonRow).collect())
}

impl JsonRow {
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.0.get(i) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(corrupt("json text", &v.to_string())),
        }
    }
    fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| corrupt("json text", "null"))
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.0.get(i) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| corrupt("json integer", &v.to_string())),
        }
    }
    fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| corrupt("json integer", "null"))
    }
    fn opt_code<T>(&self, i: usize, parse: impl Fn(&str, &str) -> std::result::Result<T, passage_domain::FieldError>) -> Result<Option<T>> {
        match self.opt_text(i)? {
            None => Ok(None),
            Some(s) => parse("", &s).map(Some).map_err(|_| corrupt("json code", &s)),
        }
    }
    fn code<T>(&self, i: usize, parse: impl Fn(&str, &str) -> std::result::Result<T, passage_domain::FieldError>) -> Result<T> {
        let s = self.text(i)?;
        parse("", &s).map_err(|_| corrupt("json code", &s))
    }
    fn id<T: std::str::FromStr>(&self, i: usize) -> Result<T> {
        let s = self.text(i)?;
        s.parse().map_err(|_| corrupt("json id", &s))
    }
    fn timestamp(&self, i: usize) -> Result<Timestamp> {
        let s = self.text(i)?;
        Timestamp::parse(&s).ok_or_else(|| corrupt("json timestamp", &s))
    }
}

// ---------------------------------------------------------------- sealed values

/// Where a sealed value lives: the associated data that binds it to its row
/// (see `sealed`). `keys rotate` uses the same places.
pub fn note_place(id: NoteId) -> String {
    format!("case_notes.body:{id}")
}

pub fn screening_place(id: ScreeningId) -> String {
    format!("screenings.notes:{id}")
}

pub fn document_place(id: DocumentId) -> String {
    format!("identity_documents.number:{id}")
}

fn open(keys: &Keyring, place: &str, stored: &str) -> Result<String> {
    keys.open(place, stored).map_err(StorageError::from)
}

fn open_opt(keys: &Keyring, place: &str, stored: Option<String>) -> Result<Option<String>> {
    stored.map(|s| open(keys, place, &s)).transpose()
}
