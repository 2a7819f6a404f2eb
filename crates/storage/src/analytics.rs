//! Live summary tables for the indicators that count persons: the way
//! DHIS2's analytics tables work, but maintained on write instead of by a
//! nightly job. `indicator_person_facts` holds each counted person's group
//! (office, month, sex, year of birth, most serious vulnerability) per
//! programme and indicator; `indicator_counts` the number of persons per
//! group. Every write that can move a person between groups (assistance,
//! screening, a reintegration plan, a hand-over) calls [`refresh_person`] in
//! its own transaction, which recomputes that one person from the records
//! (the same SQL as the reference computation, narrowed to the person) and
//! moves them from the old group to the new. Bulk loads call [`rebuild`].
//! `passage check` compares the counts with the reference computation.

use crate::figures::{qualifying_sql, PersonGroup};
use crate::records::*;
use crate::Result;
use passage_domain::date::CalendarDate;
use passage_domain::ids::PersonId;
use passage_domain::indicator::IndicatorDefinition;
use sqlx::AnyConnection;

/// A person-counting indicator of a programme, with its period.
struct Tracked {
    programme_id: String,
    code: String,
    definition: IndicatorDefinition,
    from: CalendarDate,
    until: CalendarDate,
}

async fn tracked(c: &mut AnyConnection) -> Result<Vec<Tracked>> {
    let rows = sqlx::query(
        "SELECT i.programme_id AS programme_id, i.code AS code, i.definition AS definition, p.starts_on AS starts_on, p.ends_on AS ends_on \
         FROM indicators i JOIN programmes p ON p.id = i.programme_id ORDER BY i.programme_id, i.position",
    )
    .fetch_all(c)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let def = text(r, "definition")?;
        let definition: IndicatorDefinition = serde_json::from_str(&def).map_err(|_| corrupt("definition", &def))?;
        if definition.measure.counts_persons() {
            out.push(Tracked {
                programme_id: text(r, "programme_id")?,
                code: text(r, "code")?,
                definition,
                from: date(r, "starts_on")?,
                until: date(r, "ends_on")?,
            });
        }
    }
    Ok(out)
}

/// A person's group for one indicator: (office, month, sex, birth year or 0, vulnerability or -1).
type Group = (String, String, String, i64, i64);

const GROUP_SELECT: &str = "SELECT substr(f.first_key, 11) AS office_id, substr(f.first_key, 1, 7) AS month, p.sex AS sex, \
     COALESCE(p.birth_year, 0) AS birth_year, COALESCE(v.rank, -1) AS vulnerability \
     FROM firsts f JOIN persons p ON p.id = f.person_id LEFT JOIN vuln v ON v.person_id = f.person_id";

fn group_of(r: &sqlx::any::AnyRow) -> Result<Group> {
    Ok((text(r, "office_id")?, text(r, "month")?, text(r, "sex")?, int(r, "birth_year")?, int(r, "vulnerability")?))
}

/// Recompute one person's groups and move them in the counts. Call inside
/// the transaction of the write that changed the person's records.
pub async fn refresh_person(c: &mut AnyConnection, person: PersonId) -> Result<()> {
    // Take the person's row lock first: two writes about the same person
    // then refresh one after the other, each seeing the other's records.
    sqlx::query("UPDATE persons SET updated_at = updated_at WHERE id = $1").bind(person.to_string()).execute(&mut *c).await?;
    for t in tracked(&mut *c).await? {
        let Some(with) = qualifying_sql(&t.definition, true) else { continue };
        let new = sqlx::query(&format!("{with} {GROUP_SELECT}"))
            .bind(t.from.to_string())
            .bind(t.until.to_string())
            .bind(person.to_string())
            .fetch_optional(&mut *c)
            .await?
            .map(|r| group_of(&r))
            .transpose()?;
        let old = sqlx::query(
            "SELECT office_id, month, sex, birth_year, vulnerability FROM indicator_person_facts \
             WHERE programme_id = $1 AND indicator_code = $2 AND person_id = $3",
        )
        .bind(&t.programme_id)
        .bind(&t.code)
        .bind(person.to_string())
        .fetch_optional(&mut *c)
        .await?
        .map(|r| group_of(&r))
        .transpose()?;
        if old == new {
            continue;
        }
        if let Some(g) = &old {
            let key = "programme_id = $1 AND indicator_code = $2 AND office_id = $3 AND month = $4 AND sex = $5 AND birth_year = $6 AND vulnerability = $7";
            // Delete the group when this was its last person, else count one fewer.
            for sql in [
                format!("DELETE FROM indicator_counts WHERE {key} AND persons = 1"),
                format!("UPDATE indicator_counts SET persons = persons - 1 WHERE {key}"),
            ] {
                sqlx::query(&sql)
                    .bind(&t.programme_id)
                    .bind(&t.code)
                    .bind(&g.0)
                    .bind(&g.1)
                    .bind(&g.2)
                    .bind(g.3)
                    .bind(g.4)
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query("DELETE FROM indicator_person_facts WHERE programme_id = $1 AND indicator_code = $2 AND person_id = $3")
                .bind(&t.programme_id)
                .bind(&t.code)
                .bind(person.to_string())
                .execute(&mut *c)
                .await?;
        }
        if let Some(g) = &new {
            sqlx::query(
                "INSERT INTO indicator_counts (programme_id, indicator_code, office_id, month, sex, birth_year, vulnerability, persons) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1) \
                 ON CONFLICT (programme_id, indicator_code, office_id, month, sex, birth_year, vulnerability) \
                 DO UPDATE SET persons = indicator_counts.persons + 1",
            )
            .bind(&t.programme_id)
            .bind(&t.code)
            .bind(&g.0)
            .bind(&g.1)
            .bind(&g.2)
            .bind(g.3)
            .bind(g.4)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO indicator_person_facts (programme_id, indicator_code, person_id, office_id, month, sex, birth_year, vulnerability) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&t.programme_id)
            .bind(&t.code)
            .bind(person.to_string())
            .bind(&g.0)
            .bind(&g.1)
            .bind(&g.2)
            .bind(g.3)
            .bind(g.4)
            .execute(&mut *c)
            .await?;
        }
    }
    Ok(())
}

/// Recompute every summary from the records, set-wise (after a bulk load, a
/// new programme, or a restore from an older version).
pub async fn rebuild(c: &mut AnyConnection) -> Result<()> {
    sqlx::query("DELETE FROM indicator_counts").execute(&mut *c).await?;
    sqlx::query("DELETE FROM indicator_person_facts").execute(&mut *c).await?;
    for t in tracked(&mut *c).await? {
        let Some(with) = qualifying_sql(&t.definition, false) else { continue };
        let select = GROUP_SELECT.replacen("SELECT ", "SELECT $3, $4, f.person_id, ", 1);
        sqlx::query(&format!(
            "{with} INSERT INTO indicator_person_facts (programme_id, indicator_code, person_id, office_id, month, sex, birth_year, vulnerability) {select}"
        ))
        .bind(t.from.to_string())
        .bind(t.until.to_string())
        .bind(&t.programme_id)
        .bind(&t.code)
        .execute(&mut *c)
        .await?;
    }
    sqlx::query(
        "INSERT INTO indicator_counts (programme_id, indicator_code, office_id, month, sex, birth_year, vulnerability, persons) \
         SELECT programme_id, indicator_code, office_id, month, sex, birth_year, vulnerability, COUNT(*) FROM indicator_person_facts \
         GROUP BY programme_id, indicator_code, office_id, month, sex, birth_year, vulnerability",
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The counted persons of one indicator, grouped, from the summary.
pub async fn groups(c: &mut AnyConnection, programme_id: &str, indicator_code: &str) -> Result<Vec<PersonGroup>> {
    let rows = sqlx::query(
        "SELECT office_id, month, sex, birth_year, vulnerability, persons FROM indicator_counts WHERE programme_id = $1 AND indicator_code = $2",
    )
    .bind(programme_id)
    .bind(indicator_code)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let month = text(r, "month")?;
            let birth_year = int(r, "birth_year")?;
            let vulnerability = int(r, "vulnerability")?;
            Ok(PersonGroup {
                office: id(r, "office_id")?,
                year: month.get(..4).and_then(|y| y.parse().ok()).ok_or_else(|| corrupt("month", &month))?,
                month,
                sex: text(r, "sex")?,
                birth_year: (birth_year != 0).then_some(birth_year),
                vulnerability: (vulnerability >= 0).then_some(vulnerability as usize),
                persons: int(r, "persons")?,
            })
        })
        .collect()
}

/// Where the summary differs from the reference computation: one line per
/// indicator that does, empty when all agree.
pub async fn verify(c: &mut AnyConnection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for t in tracked(&mut *c).await? {
        let mut live = crate::figures::person_groups(&mut *c, &t.definition, t.from, t.until).await?;
        let mut kept = groups(&mut *c, &t.programme_id, &t.code).await?;
        let key = |g: &PersonGroup| (g.office.to_string(), g.month.clone(), g.sex.clone(), g.birth_year, g.vulnerability);
        live.sort_by_key(key);
        kept.sort_by_key(key);
        if live != kept {
            let (a, b): (i64, i64) = (live.iter().map(|g| g.persons).sum(), kept.iter().map(|g| g.persons).sum());
            out.push(format!("indicator {}: the summary counts {b} persons, the records {a}", t.code));
        }
    }
    Ok(out)
}
