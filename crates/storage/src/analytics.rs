//! Live summary tables for the indicators that count persons: the way
//! DHIS2's analytics tables work, but maintained on write instead of by a
//! nightly job. `indicator_person_facts` holds each counted person's group
//! (office, month, sex, year of birth, most serious vulnerability) per
//! programme and indicator; `indicator_counts` the number of persons per
//! office in each breakdown the figures publish (by month, by sex and age
//! group, by vulnerability): a few thousand rows at a million persons. Every write that can move a person between groups (assistance,
//! screening, a reintegration plan, a hand-over) calls [`refresh_person`] in
//! its own transaction, which recomputes that one person from the records
//! (the same SQL as the reference computation, narrowed to the person) and
//! moves them from the old group to the new. Bulk loads call [`rebuild`].
//! `passage check` compares the counts with the reference computation.

use crate::figures::{qualifying_sql, PersonGroup};
use crate::records::*;
use crate::Result;
use passage_domain::date::CalendarDate;
use passage_domain::ids::{OfficeId, PersonId};
use passage_domain::indicator::{AgeGroup, IndicatorDefinition};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// An indicator's counts per office in each published breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marginals {
    /// (office, month `YYYY-MM`) → persons.
    pub by_month: BTreeMap<(OfficeId, String), i64>,
    /// (office, sex, age group) → persons.
    pub by_sex_age: BTreeMap<(OfficeId, String, AgeGroup), i64>,
    /// (office, rank in the vulnerability order or none) → persons.
    pub by_vulnerability: BTreeMap<(OfficeId, Option<usize>), i64>,
}

impl Marginals {
    /// The breakdowns of the reference computation's groups.
    pub fn of_groups(groups: &[PersonGroup]) -> Marginals {
        let mut m = Marginals::default();
        for g in groups {
            *m.by_month.entry((g.office, g.month.clone())).or_default() += g.persons;
            *m.by_sex_age.entry((g.office, g.sex.clone(), AgeGroup::at(g.birth_year, g.year))).or_default() += g.persons;
            *m.by_vulnerability.entry((g.office, g.vulnerability)).or_default() += g.persons;
        }
        m
    }
}

/// The categories one person counts under, one per dimension.
fn categories(g: &Group) -> [(&'static str, String); 3] {
    let year: i64 = g.1.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    let age = AgeGroup::at((g.3 != 0).then_some(g.3), year);
    let vulnerability = if g.4 < 0 { "none".to_string() } else { g.4.to_string() };
    [("month", g.1.clone()), ("sex_age", format!("{}|{}", g.2, age.as_str())), ("vulnerability", vulnerability)]
}

/// The same sorting into age groups in SQL, from `indicator_person_facts`.
fn age_group_sql() -> String {
    let age = "(CAST(substr(month, 1, 4) AS BIGINT) - birth_year)";
    let arms: String = AgeGroup::ALL
        .iter()
        .filter_map(|g| {
            g.years().map(|(lo, hi)| match hi {
                Some(hi) => format!(" WHEN {age} BETWEEN {lo} AND {hi} THEN '{}'", g.as_str()),
                None => format!(" WHEN {age} >= {lo} THEN '{}'", g.as_str()),
            })
        })
        .collect();
    format!("CASE WHEN birth_year = 0 THEN 'unknown'{arms} ELSE 'unknown' END")
}

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
            let key = "programme_id = $1 AND indicator_code = $2 AND office_id = $3 AND dimension = $4 AND category = $5";
            for (dimension, category) in categories(g) {
                // Delete the row when this was its last person, else count one fewer.
                for sql in [
                    format!("DELETE FROM indicator_counts WHERE {key} AND persons = 1"),
                    format!("UPDATE indicator_counts SET persons = persons - 1 WHERE {key}"),
                ] {
                    sqlx::query(&sql)
                        .bind(&t.programme_id)
                        .bind(&t.code)
                        .bind(&g.0)
                        .bind(dimension)
                        .bind(&category)
                        .execute(&mut *c)
                        .await?;
                }
            }
            sqlx::query("DELETE FROM indicator_person_facts WHERE programme_id = $1 AND indicator_code = $2 AND person_id = $3")
                .bind(&t.programme_id)
                .bind(&t.code)
                .bind(person.to_string())
                .execute(&mut *c)
                .await?;
        }
        if let Some(g) = &new {
            for (dimension, category) in categories(g) {
                sqlx::query(
                    "INSERT INTO indicator_counts (programme_id, indicator_code, office_id, dimension, category, persons) \
                     VALUES ($1, $2, $3, $4, $5, 1) \
                     ON CONFLICT (programme_id, indicator_code, office_id, dimension, category) DO UPDATE SET persons = indicator_counts.persons + 1",
                )
                .bind(&t.programme_id)
                .bind(&t.code)
                .bind(&g.0)
                .bind(dimension)
                .bind(&category)
                .execute(&mut *c)
                .await?;
            }
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

/// The setting that says the summaries were built (migration 0015 clears it
/// when their shape changes, so the next start rebuilds them).
const BUILT: &str = "indicator_summaries";

/// Whether the summaries have been built on this database.
pub async fn is_built(c: &mut AnyConnection) -> Result<bool> {
    Ok(crate::privacy::setting(c, BUILT).await?.is_some())
}

/// Recompute every summary from the records, set-wise (after a bulk load, a
/// new programme, or a restore from an older version), and mark them built.
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
    let by = [
        ("month", "month".to_string()),
        ("sex_age", format!("sex || '|' || {}", age_group_sql())),
        ("vulnerability", "CASE WHEN vulnerability < 0 THEN 'none' ELSE CAST(vulnerability AS TEXT) END".to_string()),
    ];
    for (dimension, category) in by {
        sqlx::query(&format!(
            "INSERT INTO indicator_counts (programme_id, indicator_code, office_id, dimension, category, persons) \
             SELECT programme_id, indicator_code, office_id, '{dimension}', {category}, COUNT(*) FROM indicator_person_facts \
             GROUP BY programme_id, indicator_code, office_id, {category}"
        ))
        .execute(&mut *c)
        .await?;
    }
    crate::privacy::set_setting(c, BUILT, "built").await
}

/// One indicator's breakdowns, from the summary.
pub async fn marginals(c: &mut AnyConnection, programme_id: &str, indicator_code: &str) -> Result<Marginals> {
    let rows =
        sqlx::query("SELECT office_id, dimension, category, persons FROM indicator_counts WHERE programme_id = $1 AND indicator_code = $2")
            .bind(programme_id)
            .bind(indicator_code)
            .fetch_all(c)
            .await?;
    let mut m = Marginals::default();
    for r in &rows {
        let office: OfficeId = id(r, "office_id")?;
        let category = text(r, "category")?;
        let n = int(r, "persons")?;
        match text(r, "dimension")?.as_str() {
            "month" => {
                m.by_month.insert((office, category), n);
            }
            "sex_age" => {
                let (sex, age) = category.split_once('|').ok_or_else(|| corrupt("category", &category))?;
                let age = AgeGroup::parse("category", age).map_err(|_| corrupt("category", &category))?;
                m.by_sex_age.insert((office, sex.to_string(), age), n);
            }
            "vulnerability" => {
                let rank = if category == "none" { None } else { Some(category.parse().map_err(|_| corrupt("category", &category))?) };
                m.by_vulnerability.insert((office, rank), n);
            }
            other => return Err(corrupt("dimension", other)),
        }
    }
    Ok(m)
}

/// Where the summary differs from the reference computation: one line per
/// indicator that does, empty when all agree.
pub async fn verify(c: &mut AnyConnection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for t in tracked(&mut *c).await? {
        let live = Marginals::of_groups(&crate::figures::person_groups(&mut *c, &t.definition, t.from, t.until).await?);
        let kept = marginals(&mut *c, &t.programme_id, &t.code).await?;
        if live != kept {
            let (a, b): (i64, i64) = (live.by_month.values().sum(), kept.by_month.values().sum());
            out.push(format!("indicator {}: the summary differs from the records (it counts {b} persons, the records {a})", t.code));
        }
    }
    Ok(out)
}
