//! Storage for flow monitoring: points by code, counts by their key. Writes
//! happen inside the caller's transaction; an import of a million counts
//! goes through the bulk loader, a changed observation is updated in place.
//! Figures are one `GROUP BY` over the counts of a period.

use crate::bulk;
use crate::records::*;
use crate::sql::{Sql, Value};
use crate::Result;
use passage_domain::codes::CountryCode;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::flow::{iso_week, Direction, FlowGrouping, FlowKey, NewFlowCount, NewFlowPoint, PeriodKind, PointKind, TransportMode};
use passage_domain::ids::OfficeId;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// A stored point.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlowPointRecord {
    #[serde(flatten)]
    pub point: NewFlowPoint,
    pub office_id: Option<OfficeId>,
}

const POINT_COLUMNS: &str =
    "code, name, country, admin1, admin2, latitude_e6, longitude_e6, kind, office_id, active_from, active_until, created_at";

fn point(r: &AnyRow) -> Result<FlowPointRecord> {
    Ok(FlowPointRecord {
        point: NewFlowPoint {
            code: text(r, "code")?,
            name: text(r, "name")?,
            country: code(r, "country", CountryCode::parse)?,
            admin1: opt_text(r, "admin1")?,
            admin2: opt_text(r, "admin2")?,
            latitude_e6: int(r, "latitude_e6")?,
            longitude_e6: int(r, "longitude_e6")?,
            kind: code(r, "kind", PointKind::parse)?,
            active_from: date(r, "active_from")?,
            active_until: opt_date(r, "active_until")?,
        },
        office_id: opt_id(r, "office_id")?,
    })
}

/// Every point, by code.
pub async fn points(c: &mut AnyConnection) -> Result<Vec<FlowPointRecord>> {
    let rows = sqlx::query(&format!("SELECT {POINT_COLUMNS} FROM flow_points ORDER BY code")).fetch_all(c).await?;
    rows.iter().map(point).collect()
}

pub async fn get_point(c: &mut AnyConnection, code: &str) -> Result<Option<FlowPointRecord>> {
    let r = sqlx::query(&format!("SELECT {POINT_COLUMNS} FROM flow_points WHERE code = $1")).bind(code).fetch_optional(c).await?;
    r.as_ref().map(point).transpose()
}

/// Add a point, or replace what is known of it (its counts stay with it).
pub async fn put_point(c: &mut AnyConnection, p: &NewFlowPoint, office: Option<OfficeId>, now: Timestamp) -> Result<()> {
    let exists = sqlx::query("SELECT 1 AS x FROM flow_points WHERE code = $1").bind(&p.code).fetch_optional(&mut *c).await?.is_some();
    let sql = if exists {
        "UPDATE flow_points SET name = $2, country = $3, admin1 = $4, admin2 = $5, latitude_e6 = $6, longitude_e6 = $7, kind = $8, \
         office_id = $9, active_from = $10, active_until = $11 WHERE code = $1"
    } else {
        "INSERT INTO flow_points (code, name, country, admin1, admin2, latitude_e6, longitude_e6, kind, office_id, active_from, active_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    };
    let q = sqlx::query(sql)
        .bind(&p.code)
        .bind(&p.name)
        .bind(p.country.to_string())
        .bind(p.admin1.as_deref())
        .bind(p.admin2.as_deref())
        .bind(p.latitude_e6)
        .bind(p.longitude_e6)
        .bind(p.kind.as_str())
        .bind(office.map(|o| o.to_string()))
        .bind(p.active_from.to_string())
        .bind(p.active_until.map(|d| d.to_string()));
    // A point keeps the time it was first created.
    let q = if exists { q } else { q.bind(now.to_string()) };
    q.execute(&mut *c).await?;
    Ok(())
}

fn country_key(c: Option<CountryCode>) -> String {
    c.map(|c| c.to_string()).unwrap_or_default()
}

fn opt(n: Option<i64>) -> Value {
    n.map(Value::Int).unwrap_or(Value::NullInt)
}

const COUNT_COLUMNS: [&str; 19] = [
    "point_code",
    "period_start",
    "period",
    "week",
    "direction",
    "transport_mode",
    "nationality",
    "origin_country",
    "destination_country",
    "total",
    "men",
    "women",
    "boys",
    "girls",
    "unaccompanied_children",
    "pregnant_women",
    "persons_with_disabilities",
    "source",
    "recorded_at",
];

fn count_row(n: &NewFlowCount, source: &str, now: &str) -> Vec<Value> {
    let k = &n.key;
    vec![
        Value::Text(k.point.clone()),
        Value::Text(k.start.to_string()),
        Value::Text(k.period.as_str().into()),
        Value::Text(iso_week(k.start)),
        Value::Text(k.direction.as_str().into()),
        Value::Text(k.transport_mode.as_str().into()),
        Value::Text(country_key(k.nationality)),
        Value::Text(country_key(k.origin)),
        Value::Text(country_key(k.destination)),
        Value::Int(n.total),
        opt(n.men),
        opt(n.women),
        opt(n.boys),
        opt(n.girls),
        opt(n.unaccompanied_children),
        opt(n.pregnant_women),
        opt(n.persons_with_disabilities),
        Value::Text(source.into()),
        Value::Text(now.into()),
    ]
}

fn optional_country(r: &AnyRow, col: &str) -> Result<Option<CountryCode>> {
    match text(r, col)?.as_str() {
        "" => Ok(None),
        s => CountryCode::parse(col, s).map(Some).map_err(|_| corrupt(col, s)),
    }
}

fn count(r: &AnyRow) -> Result<NewFlowCount> {
    Ok(NewFlowCount {
        key: FlowKey {
            point: text(r, "point_code")?,
            start: date(r, "period_start")?,
            period: code(r, "period", PeriodKind::parse)?,
            direction: code(r, "direction", Direction::parse)?,
            transport_mode: code(r, "transport_mode", TransportMode::parse)?,
            nationality: optional_country(r, "nationality")?,
            origin: optional_country(r, "origin_country")?,
            destination: optional_country(r, "destination_country")?,
        },
        total: int(r, "total")?,
        men: opt_int(r, "men")?,
        women: opt_int(r, "women")?,
        boys: opt_int(r, "boys")?,
        girls: opt_int(r, "girls")?,
        unaccompanied_children: opt_int(r, "unaccompanied_children")?,
        pregnant_women: opt_int(r, "pregnant_women")?,
        persons_with_disabilities: opt_int(r, "persons_with_disabilities")?,
    })
}

/// How many counts are stored at these points (0 means an import need not
/// look for observations it would replace).
pub async fn counts_at(c: &mut AnyConnection, points: &[String]) -> Result<i64> {
    if points.is_empty() {
        return Ok(0);
    }
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM flow_counts WHERE point_code IN ");
    q.bind_list(points.iter().cloned());
    let r = q.query().fetch_one(c).await?;
    int(&r, "n")
}

/// The stored counts at these points, by key.
pub async fn existing(c: &mut AnyConnection, points: &[String]) -> Result<HashMap<FlowKey, NewFlowCount>> {
    let mut out = HashMap::new();
    for chunk in points.chunks(500) {
        let mut q = Sql::new(&format!("SELECT {} FROM flow_counts WHERE point_code IN ", COUNT_COLUMNS.join(", ")));
        q.bind_list(chunk.iter().cloned());
        for r in q.query().fetch_all(&mut *c).await? {
            let n = count(&r)?;
            out.insert(n.key.clone(), n);
        }
    }
    Ok(out)
}

/// An observation's key as a condition, `$1` to `$8` bound by [`by_key`].
const KEY: &str = "point_code = $1 AND period_start = $2 AND period = $3 AND direction = $4 \
                   AND transport_mode = $5 AND nationality = $6 AND origin_country = $7 AND destination_country = $8";

fn by_key<'q>(sql: &'q str, k: &FlowKey) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(k.point.clone())
        .bind(k.start.to_string())
        .bind(k.period.as_str())
        .bind(k.direction.as_str())
        .bind(k.transport_mode.as_str())
        .bind(country_key(k.nationality))
        .bind(country_key(k.origin))
        .bind(country_key(k.destination))
}

/// The stored observation with this key.
pub async fn existing_key(c: &mut AnyConnection, k: &FlowKey) -> Result<Option<NewFlowCount>> {
    let sql = format!("SELECT {} FROM flow_counts WHERE {KEY}", COUNT_COLUMNS.join(", "));
    let r = by_key(&sql, k).fetch_optional(c).await?;
    r.as_ref().map(count).transpose()
}

/// Add new observations and replace changed ones.
pub async fn write_counts(
    c: &mut AnyConnection,
    new: Vec<&NewFlowCount>,
    changed: &[&NewFlowCount],
    source: &str,
    now: Timestamp,
) -> Result<()> {
    let now = now.to_string();
    for n in changed {
        by_key(&format!("DELETE FROM flow_counts WHERE {KEY}"), &n.key).execute(&mut *c).await?;
    }
    let rows: Vec<Vec<Value>> = new.iter().chain(changed.iter()).map(|n| count_row(n, source, &now)).collect();
    bulk::insert_rows(c, "flow_counts", &COUNT_COLUMNS, rows).await
}

/// Persons counted from `from` to `to` (period starts, both included) by `by`.
pub async fn summary(c: &mut AnyConnection, from: CalendarDate, to: CalendarDate, by: FlowGrouping) -> Result<Vec<(String, i64)>> {
    let column = match by {
        FlowGrouping::Point => "point_code",
        FlowGrouping::Nationality => "nationality",
        FlowGrouping::Direction => "direction",
        FlowGrouping::Week => "week",
    };
    // PostgreSQL sums BIGINTs as NUMERIC, which the Any driver does not read: cast back.
    let rows = sqlx::query(&format!(
        "SELECT {column} AS k, CAST(SUM(total) AS BIGINT) AS persons FROM flow_counts \
         WHERE period_start >= $1 AND period_start <= $2 GROUP BY {column} ORDER BY {column}"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let k = text(r, "k")?;
            Ok((if k.is_empty() { "unknown".to_string() } else { k }, int(r, "persons")?))
        })
        .collect()
}

/// Persons by point, direction and week, for the weekly charts.
pub async fn weekly(c: &mut AnyConnection, from: CalendarDate, to: CalendarDate) -> Result<Vec<(String, Direction, String, i64)>> {
    let rows = sqlx::query(
        "SELECT point_code, direction, week, CAST(SUM(total) AS BIGINT) AS persons FROM flow_counts \
         WHERE period_start >= $1 AND period_start <= $2 GROUP BY point_code, direction, week ORDER BY point_code, direction, week",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((text(r, "point_code")?, code(r, "direction", Direction::parse)?, text(r, "week")?, int(r, "persons")?)))
        .collect()
}

/// The counts of one point in a period, in key order (an export goes point by point).
pub async fn counts_of_point(c: &mut AnyConnection, point: &str, from: CalendarDate, to: CalendarDate) -> Result<Vec<NewFlowCount>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM flow_counts WHERE point_code = $1 AND period_start >= $2 AND period_start <= $3 \
         ORDER BY period_start, period, direction, transport_mode, nationality, origin_country, destination_country",
        COUNT_COLUMNS.join(", ")
    ))
    .bind(point)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(count).collect()
}
