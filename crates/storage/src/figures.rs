//! Storage for programmes, indicators and the counts behind them. Counts of
//! persons come back already grouped by (office, year, sex, year of birth,
//! most serious vulnerability): small enough to break down any way in the
//! service, and each person is in exactly one group (see
//! `passage_domain::indicator` for the attribution rules).

use crate::records::*;
use crate::Result;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::OfficeId;
use passage_domain::indicator::{IndicatorDefinition, Measure, VULNERABILITY_ORDER};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeRecord {
    pub id: String,
    pub code: String,
    pub name: String,
    pub donor: String,
    pub starts_on: CalendarDate,
    pub ends_on: CalendarDate,
    pub countries: Vec<String>,
    pub purpose_en: String,
    pub purpose_fr: String,
}

/// An area of work, for the public page.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRecord {
    pub title_en: String,
    pub title_fr: String,
    pub body_en: String,
    pub body_fr: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRecord {
    pub code: String,
    pub name_en: String,
    pub name_fr: String,
    pub definition: IndicatorDefinition,
    pub baseline: i64,
    pub target: Option<i64>,
}

pub struct NewProgramme<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub donor: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub countries: &'a [&'a str],
    pub purpose_en: &'a str,
    pub purpose_fr: &'a str,
}

pub async fn programme_exists(c: &mut AnyConnection, code: &str) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM programmes WHERE code = $1").bind(code).fetch_optional(c).await?.is_some())
}

pub async fn insert_programme(c: &mut AnyConnection, p: &NewProgramme<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO programmes (id, code, name, donor, starts_on, ends_on, countries, purpose_en, purpose_fr, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(p.id)
    .bind(p.code)
    .bind(p.name)
    .bind(p.donor)
    .bind(p.starts_on)
    .bind(p.ends_on)
    .bind(p.countries.join(","))
    .bind(p.purpose_en)
    .bind(p.purpose_fr)
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_indicator(
    c: &mut AnyConnection,
    id: &str,
    programme_id: &str,
    code: &str,
    position: i64,
    name_en: &str,
    name_fr: &str,
    definition: &IndicatorDefinition,
    target: Option<i64>,
) -> Result<()> {
    let def = serde_json::to_string(definition).map_err(|e| corrupt("definition", &e.to_string()))?;
    sqlx::query(
        "INSERT INTO indicators (id, programme_id, code, position, name_en, name_fr, definition, baseline, target) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(id)
    .bind(programme_id)
    .bind(code)
    .bind(position)
    .bind(name_en)
    .bind(name_fr)
    .bind(def)
    .bind(target)
    .execute(c)
    .await?;
    Ok(())
}

fn programme(r: &sqlx::any::AnyRow) -> Result<ProgrammeRecord> {
    Ok(ProgrammeRecord {
        id: text(r, "id")?,
        code: text(r, "code")?,
        name: text(r, "name")?,
        donor: text(r, "donor")?,
        starts_on: date(r, "starts_on")?,
        ends_on: date(r, "ends_on")?,
        countries: text(r, "countries")?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        purpose_en: text(r, "purpose_en")?,
        purpose_fr: text(r, "purpose_fr")?,
    })
}

const PROGRAMME_COLUMNS: &str = "id, code, name, donor, starts_on, ends_on, countries, purpose_en, purpose_fr";

pub async fn insert_area(c: &mut AnyConnection, programme_id: &str, position: i64, a: &AreaRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO programme_areas (programme_id, position, title_en, title_fr, body_en, body_fr) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(programme_id)
    .bind(position)
    .bind(&a.title_en)
    .bind(&a.title_fr)
    .bind(&a.body_en)
    .bind(&a.body_fr)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn areas(c: &mut AnyConnection, programme_id: &str) -> Result<Vec<AreaRecord>> {
    let rows = sqlx::query("SELECT title_en, title_fr, body_en, body_fr FROM programme_areas WHERE programme_id = $1 ORDER BY position")
        .bind(programme_id)
        .fetch_all(c)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AreaRecord {
                title_en: text(r, "title_en")?,
                title_fr: text(r, "title_fr")?,
                body_en: text(r, "body_en")?,
                body_fr: text(r, "body_fr")?,
            })
        })
        .collect()
}

/// A published resource, for the library.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceRecord {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub countries: String,
    pub published_on: CalendarDate,
    pub file_name: Option<String>,
}

/// Resources published between `from` and `until`, newest first.
pub async fn resources(c: &mut AnyConnection, from: CalendarDate, until: CalendarDate, limit: i64) -> Result<Vec<ResourceRecord>> {
    let rows = sqlx::query(
        "SELECT id, title, kind, countries, published_on, file_name FROM resources WHERE published_on >= $1 AND published_on <= $2 \
         ORDER BY published_on DESC, id LIMIT $3",
    )
    .bind(from.to_string())
    .bind(until.to_string())
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ResourceRecord {
                id: text(r, "id")?,
                title: text(r, "title")?,
                kind: text(r, "kind")?,
                countries: text(r, "countries")?,
                published_on: date(r, "published_on")?,
                file_name: opt_text(r, "file_name")?,
            })
        })
        .collect()
}

pub async fn programmes(c: &mut AnyConnection) -> Result<Vec<ProgrammeRecord>> {
    let rows = sqlx::query(&format!("SELECT {PROGRAMME_COLUMNS} FROM programmes ORDER BY code")).fetch_all(c).await?;
    rows.iter().map(programme).collect()
}

pub async fn get_programme(c: &mut AnyConnection, code: &str) -> Result<Option<ProgrammeRecord>> {
    let r = sqlx::query(&format!("SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE code = $1")).bind(code).fetch_optional(c).await?;
    r.as_ref().map(programme).transpose()
}

pub async fn indicators(c: &mut AnyConnection, programme_id: &str) -> Result<Vec<IndicatorRecord>> {
    let rows = sqlx::query(
        "SELECT code, name_en, name_fr, definition, baseline, target FROM indicators WHERE programme_id = $1 ORDER BY position",
    )
    .bind(programme_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let def = text(r, "definition")?;
            Ok(IndicatorRecord {
                code: text(r, "code")?,
                name_en: text(r, "name_en")?,
                name_fr: text(r, "name_fr")?,
                definition: serde_json::from_str(&def).map_err(|_| corrupt("definition", &def))?,
                baseline: int(r, "baseline")?,
                target: opt_int(r, "target")?,
            })
        })
        .collect()
}

/// Persons counted by an indicator, grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonGroup {
    pub office: OfficeId,
    /// The month (`YYYY-MM`) of the record that made the person count.
    pub month: String,
    /// Its year.
    pub year: i64,
    pub sex: String,
    pub birth_year: Option<i64>,
    /// Rank in `VULNERABILITY_ORDER`; `None` when screening found nothing.
    pub vulnerability: Option<usize>,
    pub persons: i64,
}

/// Events counted by an indicator: a sum per office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeSum {
    pub office: OfficeId,
    pub total: i64,
}

/// The `CASE` that ranks a finding (0 is the most serious).
fn vulnerability_rank_sql() -> String {
    let arms: String = VULNERABILITY_ORDER.iter().enumerate().map(|(i, v)| format!(" WHEN '{}' THEN {i}", v.as_str())).collect();
    format!("CASE f.category{arms} END")
}

/// The SQL of "each qualifying person's first record" for `def`, binding the
/// period as $1 and $2 and, with `one_person`, the person as $3; and of
/// "each of those persons' most serious vulnerability". `None` for measures
/// that do not count persons.
pub(crate) fn qualifying_sql(def: &IndicatorDefinition, one_person: bool) -> Option<String> {
    let person = if one_person { " AND c.person_id = $3" } else { "" };
    // Each person's first qualifying record as one sortable key: its date
    // (10 characters) followed by the office id, so MIN picks both at once.
    let firsts = match def.measure {
        Measure::PersonsAssisted => {
            let kinds = if def.assistance_kinds.is_empty() {
                String::new()
            } else {
                // Codes from a closed enum: safe to inline.
                let list: Vec<String> = def.assistance_kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
                format!(" AND a.kind IN ({})", list.join(", "))
            };
            format!(
                "SELECT c.person_id AS person_id, MIN(a.provided_on || c.office_id) AS first_key \
                 FROM assistance a JOIN cases c ON c.id = a.case_id \
                 WHERE a.provided_on >= $1 AND a.provided_on <= $2{kinds}{person} GROUP BY c.person_id"
            )
        }
        Measure::ReturneesWithReintegrationSupport => format!(
            "SELECT c.person_id AS person_id, MIN(substr(rp.created_at, 1, 10) || rp.office_id) AS first_key \
             FROM plan_beneficiaries b JOIN reintegration_plans rp ON rp.id = b.plan_id JOIN cases c ON c.id = b.case_id \
             WHERE substr(rp.created_at, 1, 10) >= $1 AND substr(rp.created_at, 1, 10) <= $2{person} GROUP BY c.person_id"
        ),
        Measure::ReturneesMonitored => format!(
            "SELECT c.person_id AS person_id, MIN(v.done_on || c.office_id) AS first_key \
             FROM visit_surveys s JOIN monitoring_visits v ON v.id = s.visit_id JOIN cases c ON c.id = v.case_id \
             WHERE s.composite_micro IS NOT NULL AND v.done_on >= $1 AND v.done_on <= $2{person} GROUP BY c.person_id"
        ),
        // The latest scored survey of the person in the period decides, not any earlier one.
        Measure::ReturneesSustainablyReintegrated => format!(
            "SELECT c.person_id AS person_id, MIN(v.done_on || c.office_id) AS first_key \
             FROM visit_surveys s JOIN monitoring_visits v ON v.id = s.visit_id JOIN cases c ON c.id = v.case_id \
             WHERE s.sustainable = 1 AND v.done_on >= $1 AND v.done_on <= $2{person} \
             AND NOT EXISTS (SELECT 1 FROM visit_surveys s2 JOIN monitoring_visits v2 ON v2.id = s2.visit_id JOIN cases c2 ON c2.id = v2.case_id \
                 WHERE c2.person_id = c.person_id AND s2.composite_micro IS NOT NULL AND v2.done_on >= $1 AND v2.done_on <= $2 \
                 AND (v2.done_on > v.done_on OR (v2.done_on = v.done_on AND v2.id > v.id))) \
             GROUP BY c.person_id"
        ),
        _ => return None,
    };
    Some(format!(
        "WITH firsts AS ({firsts}), \
         vuln AS (SELECT c.person_id AS person_id, MIN({rank}) AS rank \
                  FROM screening_findings f JOIN screenings s ON s.id = f.screening_id JOIN cases c ON c.id = s.case_id \
                  WHERE c.person_id IN (SELECT person_id FROM firsts) GROUP BY c.person_id)",
        rank = vulnerability_rank_sql()
    ))
}

/// The reference computation's SQL for one indicator ($1 and $2: the period),
/// also run by the benchmark in DuckDB.
pub fn person_groups_sql(def: &IndicatorDefinition) -> Option<String> {
    let with = qualifying_sql(def, false)?;
    Some(format!(
        "{with} \
         SELECT substr(f.first_key, 11) AS office_id, substr(f.first_key, 1, 7) AS month, p.sex AS sex, p.birth_year AS birth_year, \
                v.rank AS rank, COUNT(*) AS n \
         FROM firsts f JOIN persons p ON p.id = f.person_id LEFT JOIN vuln v ON v.person_id = f.person_id \
         GROUP BY substr(f.first_key, 11), substr(f.first_key, 1, 7), p.sex, p.birth_year, v.rank"
    ))
}

/// Persons who qualify for `def` between `from` and `until` (inclusive),
/// computed from the records (the summary tables of `analytics` hold the
/// same, kept up to date on every write; this is their reference).
pub async fn person_groups(
    c: &mut AnyConnection,
    def: &IndicatorDefinition,
    from: CalendarDate,
    until: CalendarDate,
) -> Result<Vec<PersonGroup>> {
    let Some(with) = qualifying_sql(def, false) else { return Ok(Vec::new()) };
    let sql = format!(
        "{with} \
         SELECT substr(f.first_key, 11) AS office_id, substr(f.first_key, 1, 7) AS month, p.sex AS sex, p.birth_year AS birth_year, \
                v.rank AS rank, COUNT(*) AS n \
         FROM firsts f JOIN persons p ON p.id = f.person_id LEFT JOIN vuln v ON v.person_id = f.person_id \
         GROUP BY substr(f.first_key, 11), substr(f.first_key, 1, 7), p.sex, p.birth_year, v.rank"
    );
    let rows = sqlx::query(&sql).bind(from.to_string()).bind(until.to_string()).fetch_all(c).await?;
    rows.iter()
        .map(|r| {
            let month = text(r, "month")?;
            Ok(PersonGroup {
                office: id(r, "office_id")?,
                year: month.get(..4).and_then(|y| y.parse().ok()).ok_or_else(|| corrupt("month", &month))?,
                month,
                sex: text(r, "sex")?,
                birth_year: opt_int(r, "birth_year")?,
                vulnerability: opt_int(r, "rank")?.map(|v| v as usize),
                persons: int(r, "n")?,
            })
        })
        .collect()
}

/// Sums for the measures that count events rather than persons.
pub async fn office_sums(c: &mut AnyConnection, measure: Measure, from: CalendarDate, until: CalendarDate) -> Result<Vec<OfficeSum>> {
    let Some(sql) = office_sums_sql(measure) else { return Ok(Vec::new()) };
    let rows = sqlx::query(sql).bind(from.to_string()).bind(until.to_string()).fetch_all(c).await?;
    rows.iter()
        .map(|r| {
            // SUM of BIGINT is NUMERIC on PostgreSQL, hence the casts.
            Ok(OfficeSum { office: id(r, "office_id")?, total: int(r, "n")? })
        })
        .collect()
}

/// The SQL of the sums per office for the measures that count events ($1 and $2: the period).
pub fn office_sums_sql(measure: Measure) -> Option<&'static str> {
    Some(match measure {
        Measure::PeopleRescued => "SELECT office_id, CAST(SUM(people_found) AS BIGINT) AS n FROM sar_operations WHERE held_on >= $1 AND held_on <= $2 GROUP BY office_id",
        Measure::PeopleReachedByCampaigns => {
            "SELECT office_id, CAST(SUM(people_reached) AS BIGINT) AS n FROM campaign_events WHERE held_on >= $1 AND held_on <= $2 GROUP BY office_id"
        }
        Measure::ParticipantsTrained => "SELECT office_id, CAST(SUM(participants) AS BIGINT) AS n FROM trainings WHERE held_on >= $1 AND held_on <= $2 GROUP BY office_id",
        Measure::SheltersRenovated => {
            "SELECT office_id, COUNT(*) AS n FROM shelter_works WHERE completed_on >= $1 AND completed_on <= $2 GROUP BY office_id"
        }
        Measure::StudiesPublished => "SELECT office_id, COUNT(*) AS n FROM resources WHERE published_on >= $1 AND published_on <= $2 GROUP BY office_id",
        Measure::PersonsAssisted
        | Measure::ReturneesWithReintegrationSupport
        | Measure::ReturneesMonitored
        | Measure::ReturneesSustainablyReintegrated => return None,
    })
}

/// A resource's file: (file name, content type, bytes), if it has one.
pub async fn resource_file(c: &mut AnyConnection, id: &str) -> Result<Option<(String, String, Vec<u8>)>> {
    let r = sqlx::query(
        "SELECT r.file_name AS file_name, f.content_type AS content_type, f.bytes AS bytes \
         FROM resources r JOIN resource_files f ON f.resource_id = r.id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await?;
    match r {
        None => Ok(None),
        Some(r) => {
            use sqlx::Row;
            let bytes: Vec<u8> = r.try_get("bytes")?;
            Ok(Some((opt_text(&r, "file_name")?.unwrap_or_else(|| "resource".into()), text(&r, "content_type")?, bytes)))
        }
    }
}

pub async fn set_resource_file(c: &mut AnyConnection, id: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Result<()> {
    sqlx::query("DELETE FROM resource_files WHERE resource_id = $1").bind(id).execute(&mut *c).await?;
    sqlx::query("INSERT INTO resource_files (resource_id, content_type, bytes) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(content_type)
        .bind(bytes.to_vec())
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE resources SET file_name = $1 WHERE id = $2").bind(file_name).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Return movements that left in each month: how many, and how many of
/// their travellers arrived.
pub async fn returns_by_month(
    c: &mut AnyConnection,
    from: CalendarDate,
    until: CalendarDate,
    office: Option<OfficeId>,
) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT substr(m.departure_on, 1, 7) AS month, COUNT(DISTINCT m.id) AS movements, COUNT(t.case_id) AS travellers \
         FROM movements m LEFT JOIN movement_travellers t ON t.movement_id = m.id AND t.status = 'arrived' \
         WHERE m.status IN ('departed', 'arrived') AND m.departure_on >= $1 AND m.departure_on <= $2 \
           AND ($3 = '' OR m.office_id = $3) \
         GROUP BY substr(m.departure_on, 1, 7) ORDER BY 1",
    )
    .bind(from.to_string())
    .bind(until.to_string())
    .bind(office.map(|o| o.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await?;
    rows.iter().map(|r| Ok((text(r, "month")?, int(r, "movements")?, int(r, "travellers")?))).collect()
}
