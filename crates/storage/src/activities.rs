//! Storage for the activities that count people rather than persons
//! (see `passage_domain::activity`).

use crate::records::*;
use crate::Result;
use passage_domain::activity::{NewCampaignEvent, NewResource, NewSarOperation, NewShelterWork, NewTraining};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, OfficeId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

pub async fn insert_campaign_event(
    c: &mut AnyConnection,
    id: &str,
    office: OfficeId,
    e: &NewCampaignEvent,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO campaign_events (id, office_id, held_on, kind, place, people_reached, women, men, girls, boys, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(office.to_string())
    .bind(e.held_on.to_string())
    .bind(e.kind.as_str())
    .bind(&e.place)
    .bind(e.people_reached)
    .bind(e.women)
    .bind(e.men)
    .bind(e.girls)
    .bind(e.boys)
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn insert_training(c: &mut AnyConnection, id: &str, office: OfficeId, t: &NewTraining, by: UserId, now: Timestamp) -> Result<()> {
    let [gov, cso, ngo, health, border] = t.by_organisation;
    sqlx::query(
        "INSERT INTO trainings (id, office_id, held_on, topic, participants, government, civil_society, ngo, health_workers, border_officials, \
         women, men, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(office.to_string())
    .bind(t.held_on.to_string())
    .bind(&t.topic)
    .bind(t.participants)
    .bind(gov)
    .bind(cso)
    .bind(ngo)
    .bind(health)
    .bind(border)
    .bind(t.women)
    .bind(t.men)
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn insert_sar_operation(
    c: &mut AnyConnection,
    id: &str,
    office: OfficeId,
    o: &NewSarOperation,
    survivors: &[CaseId],
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sar_operations (id, office_id, held_on, latitude_e6, longitude_e6, people_found, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(office.to_string())
    .bind(o.held_on.to_string())
    .bind(o.latitude_e6)
    .bind(o.longitude_e6)
    .bind(o.people_found)
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    for case in survivors {
        sqlx::query("INSERT INTO sar_survivor_cases (operation_id, case_id) VALUES ($1, $2)")
            .bind(id)
            .bind(case.to_string())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

pub async fn insert_shelter_work(
    c: &mut AnyConnection,
    id: &str,
    office: OfficeId,
    w: &NewShelterWork,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO shelter_works (id, office_id, completed_on, shelter, kind, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(office.to_string())
    .bind(w.completed_on.to_string())
    .bind(&w.shelter)
    .bind(w.kind.as_str())
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn insert_resource(c: &mut AnyConnection, id: &str, office: OfficeId, r: &NewResource, by: UserId, now: Timestamp) -> Result<()> {
    let countries: Vec<String> = r.countries.iter().map(|c| c.to_string()).collect();
    sqlx::query(
        "INSERT INTO resources (id, office_id, title, kind, countries, published_on, file_name, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
    )
    .bind(id)
    .bind(office.to_string())
    .bind(&r.title)
    .bind(r.kind.as_str())
    .bind(countries.join(","))
    .bind(r.published_on.to_string())
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

/// The office a resource was recorded for.
pub async fn resource_office(c: &mut AnyConnection, id: &str) -> Result<Option<OfficeId>> {
    let r = sqlx::query("SELECT office_id FROM resources WHERE id = $1").bind(id).fetch_optional(c).await?;
    r.map(|r| crate::records::id(&r, "office_id")).transpose()
}

/// One line of the recent-activities list.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityLine {
    pub kind: &'static str,
    pub id: String,
    pub office_id: OfficeId,
    pub on: CalendarDate,
    pub what: String,
    pub count: Option<i64>,
}

/// The activities recorded last, of every kind, the latest first.
pub async fn recent(c: &mut AnyConnection, limit: i64) -> Result<Vec<ActivityLine>> {
    let queries: [(&'static str, &str); 5] = [
        ("campaign", "SELECT id, office_id, held_on AS d, kind || ' · ' || place AS what, people_reached AS n, created_at FROM campaign_events"),
        ("training", "SELECT id, office_id, held_on AS d, topic AS what, participants AS n, created_at FROM trainings"),
        ("rescue", "SELECT id, office_id, held_on AS d, '' AS what, people_found AS n, created_at FROM sar_operations"),
        ("shelter_work", "SELECT id, office_id, completed_on AS d, kind || ' · ' || shelter AS what, CAST(NULL AS BIGINT) AS n, created_at FROM shelter_works"),
        ("resource", "SELECT id, office_id, published_on AS d, kind || ' · ' || title AS what, CAST(NULL AS BIGINT) AS n, created_at FROM resources"),
    ];
    let mut out = Vec::new();
    for (kind, q) in queries {
        let sql = format!("{q} ORDER BY created_at DESC, id LIMIT {limit}");
        for r in sqlx::query(&sql).fetch_all(&mut *c).await? {
            let office: OfficeId = crate::records::id(&r, "office_id")?;
            out.push((
                text(&r, "created_at")?,
                ActivityLine {
                    kind,
                    id: text(&r, "id")?,
                    office_id: office,
                    on: date(&r, "d")?,
                    what: text(&r, "what")?,
                    count: opt_int(&r, "n")?,
                },
            ));
        }
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    Ok(out.into_iter().take(limit as usize).map(|(_, line)| line).collect())
}
