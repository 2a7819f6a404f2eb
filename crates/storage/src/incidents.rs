//! Storage for missing-migrant incidents: one row per Main ID, lists joined
//! as the published file joins them, coordinates in micro-degrees (exact in
//! both engines, as for search-and-rescue operations). A re-import replaces
//! the rows whose content changed, inside the caller's transaction. The
//! summaries are one `GROUP BY` each, so they cost the same on 30,000
//! incidents as the published file's own pivot tables.

use crate::bulk;
use crate::records::*;
use crate::sql::Value;
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::incident::{join_values, split_values, Coordinates, Incident, IncidentFigure, IncidentGrouping, UNKNOWN};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

const COLUMNS: [&str; 28] = [
    "main_id",
    "incident_ids",
    "incident_type",
    "region",
    "incident_date",
    "incident_year",
    "incident_month",
    "dead",
    "missing",
    "dead_and_missing",
    "survivors",
    "females",
    "males",
    "children",
    "countries_of_origin",
    "regions_of_origin",
    "causes",
    "countries_of_incident",
    "route",
    "location",
    "latitude_e6",
    "longitude_e6",
    "unsd_grouping",
    "source",
    "url",
    "source_quality",
    "first_imported_at",
    "updated_at",
];

fn micro(deg: f64) -> i64 {
    (deg * 1e6).round() as i64
}

fn opt(n: Option<i64>) -> Value {
    n.map(Value::Int).unwrap_or(Value::NullInt)
}

fn row_of(i: &Incident, first: &str, now: &str) -> Vec<Value> {
    vec![
        Value::Text(i.main_id.clone()),
        Value::Text(join_values(&i.incident_ids)),
        Value::Text(join_values(&i.kinds)),
        Value::Text(join_values(&i.regions)),
        i.date.map(|d| Value::Text(d.to_string())).unwrap_or(Value::Null),
        opt(i.year.map(i64::from)),
        opt(i.month.map(i64::from)),
        opt(i.dead),
        opt(i.missing),
        opt(i.dead_and_missing),
        opt(i.survivors),
        opt(i.females),
        opt(i.males),
        opt(i.children),
        Value::Text(join_values(&i.countries_of_origin)),
        Value::Text(join_values(&i.regions_of_origin)),
        Value::Text(join_values(&i.causes)),
        Value::Text(join_values(&i.countries_of_incident)),
        Value::Text(join_values(&i.routes)),
        Value::Text(i.location.clone()),
        opt(i.coordinates.map(|p| micro(p.lat))),
        opt(i.coordinates.map(|p| micro(p.lon))),
        Value::Text(join_values(&i.unsd_groupings)),
        Value::Text(i.source.clone()),
        Value::Text(i.url.clone()),
        Value::Text(i.source_quality.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(",")),
        Value::Text(first.to_string()),
        Value::Text(now.to_string()),
    ]
}

fn incident(r: &AnyRow) -> Result<Incident> {
    let list = |col: &str| -> Result<Vec<String>> { Ok(split_values(&text(r, col)?)) };
    let coordinates = match (opt_int(r, "latitude_e6")?, opt_int(r, "longitude_e6")?) {
        (Some(lat), Some(lon)) => {
            Some(Coordinates::new(lat as f64 / 1e6, lon as f64 / 1e6).ok_or_else(|| corrupt("coordinates", &format!("{lat},{lon}")))?)
        }
        _ => None,
    };
    let small = |col: &str| -> Result<Option<i64>> { opt_int(r, col) };
    Ok(Incident {
        main_id: text(r, "main_id")?,
        incident_ids: list("incident_ids")?,
        kinds: list("incident_type")?,
        regions: list("region")?,
        date: opt_date(r, "incident_date")?,
        year: small("incident_year")?.and_then(|y| i32::try_from(y).ok()),
        month: small("incident_month")?.and_then(|m| u8::try_from(m).ok()),
        dead: small("dead")?,
        missing: small("missing")?,
        dead_and_missing: small("dead_and_missing")?,
        survivors: small("survivors")?,
        females: small("females")?,
        males: small("males")?,
        children: small("children")?,
        countries_of_origin: list("countries_of_origin")?,
        regions_of_origin: list("regions_of_origin")?,
        causes: list("causes")?,
        countries_of_incident: list("countries_of_incident")?,
        routes: list("route")?,
        location: text(r, "location")?,
        coordinates,
        unsd_groupings: list("unsd_grouping")?,
        source: text(r, "source")?,
        url: text(r, "url")?,
        source_quality: text(r, "source_quality")?.split(',').filter_map(|q| q.trim().parse().ok()).collect(),
    })
}

/// Every stored incident by Main ID, with when it was first imported.
pub async fn all(c: &mut AnyConnection) -> Result<HashMap<String, (Incident, String)>> {
    let rows = sqlx::query(&format!("SELECT {} FROM missing_migrant_incidents", COLUMNS.join(", "))).fetch_all(c).await?;
    rows.iter().map(|r| Ok((text(r, "main_id")?, (incident(r)?, text(r, "first_imported_at")?)))).collect()
}

/// Write new incidents and replace changed ones (`first` holds the first
/// import time of those replaced).
pub async fn write(c: &mut AnyConnection, new: &[&Incident], changed: &[(&Incident, String)], now: Timestamp) -> Result<()> {
    let now = now.to_string();
    for chunk in changed.chunks(500) {
        let mut q = crate::sql::Sql::new("DELETE FROM missing_migrant_incidents WHERE main_id IN ");
        q.bind_list(chunk.iter().map(|(i, _)| i.main_id.clone()));
        q.query().execute(&mut *c).await?;
    }
    let mut rows: Vec<Vec<Value>> = new.iter().map(|i| row_of(i, &now, &now)).collect();
    rows.extend(changed.iter().map(|(i, first)| row_of(i, first, &now)));
    bulk::insert_rows(c, "missing_migrant_incidents", &COLUMNS, rows).await
}

/// How many incidents are stored.
pub async fn count(c: &mut AnyConnection) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM missing_migrant_incidents").fetch_one(c).await?;
    int(&r, "n")
}

/// Incidents, dead, missing and dead and missing of `year` (all years when
/// `None`) by `by`: blank counts add nothing, a blank total adds dead + missing.
pub async fn summary(c: &mut AnyConnection, year: Option<i32>, by: IncidentGrouping) -> Result<Vec<IncidentFigure>> {
    let column = match by {
        IncidentGrouping::Region => "region",
        IncidentGrouping::Route => "route",
        IncidentGrouping::Cause => "causes",
        IncidentGrouping::Country => "countries_of_incident",
    };
    let sql = format!(
        // PostgreSQL sums BIGINTs as NUMERIC, which the Any driver does not read: cast back.
        "SELECT {column} AS k, COUNT(*) AS incidents, CAST(COALESCE(SUM(dead), 0) AS BIGINT) AS dead, \
         CAST(COALESCE(SUM(missing), 0) AS BIGINT) AS missing, \
         CAST(COALESCE(SUM(COALESCE(dead_and_missing, COALESCE(dead, 0) + COALESCE(missing, 0))), 0) AS BIGINT) AS total \
         FROM missing_migrant_incidents {} GROUP BY {column}",
        if year.is_some() { "WHERE incident_year = $1" } else { "" }
    );
    let mut q = sqlx::query(&sql);
    if let Some(y) = year {
        q = q.bind(i64::from(y));
    }
    let rows = q.fetch_all(c).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let key = text(r, "k")?;
        out.push(IncidentFigure {
            key: if key.is_empty() { UNKNOWN.to_string() } else { key },
            incidents: int(r, "incidents")?,
            dead: int(r, "dead")?,
            missing: int(r, "missing")?,
            dead_and_missing: int(r, "total")?,
        });
    }
    passage_domain::incident::sort_figures(&mut out);
    Ok(out)
}

/// The incidents of `year` with a place, for the map: (point, dead and missing).
pub async fn points(c: &mut AnyConnection, year: i32) -> Result<Vec<(Coordinates, i64)>> {
    let rows = sqlx::query(
        "SELECT latitude_e6, longitude_e6, COALESCE(dead_and_missing, COALESCE(dead, 0) + COALESCE(missing, 0)) AS total \
         FROM missing_migrant_incidents WHERE incident_year = $1 AND latitude_e6 IS NOT NULL",
    )
    .bind(i64::from(year))
    .fetch_all(c)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (lat, lon) = (int(r, "latitude_e6")?, int(r, "longitude_e6")?);
        if let Some(p) = Coordinates::new(lat as f64 / 1e6, lon as f64 / 1e6) {
            out.push((p, int(r, "total")?));
        }
    }
    Ok(out)
}

/// The years that have incidents, newest first.
pub async fn years(c: &mut AnyConnection) -> Result<Vec<i32>> {
    let rows = sqlx::query(
        "SELECT DISTINCT incident_year AS y FROM missing_migrant_incidents WHERE incident_year IS NOT NULL ORDER BY incident_year DESC",
    )
    .fetch_all(c)
    .await?;
    rows.iter().map(|r| Ok(int(r, "y")? as i32)).collect()
}

/// Whether a search-and-rescue operation with this id is recorded.
pub async fn rescue_exists(c: &mut AnyConnection, id: &str) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM sar_operations WHERE id = $1").bind(id).fetch_optional(c).await?.is_some())
}

/// Link an incident to the rescue operation that found it.
pub async fn link_rescue(c: &mut AnyConnection, main_id: &str, rescue: &str) -> Result<()> {
    sqlx::query("UPDATE missing_migrant_incidents SET sar_operation_id = $1 WHERE main_id = $2")
        .bind(rescue)
        .bind(main_id)
        .execute(c)
        .await?;
    Ok(())
}
