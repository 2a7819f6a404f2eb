//! Storage for movements and their manifests (rules in
//! `passage_domain::movement`).

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, MovementId, OfficeId, PersonId, UserId};
use passage_domain::movement::{MovementKind, MovementStatus, NewMovement, TravellerStatus};
use passage_domain::policy::Offices;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct MovementRecord {
    pub id: MovementId,
    pub kind: MovementKind,
    pub office_id: OfficeId,
    pub office_code: String,
    pub origin: String,
    pub transit: Vec<String>,
    pub destination_country: String,
    pub destination: String,
    pub departure_on: CalendarDate,
    pub arrival_on: Option<CalendarDate>,
    pub capacity: i64,
    pub escorts: i64,
    pub status: MovementStatus,
    /// Travellers holding a seat (manifested, boarded or arrived).
    pub seats_held: i64,
}

/// A traveller on a manifest, with what the manifest needs of them.
#[derive(Debug, Clone, Serialize)]
pub struct TravellerRecord {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub reference: String,
    pub office_id: OfficeId,
    pub sensitivity: passage_domain::case::Sensitivity,
    pub assigned_to: Option<UserId>,
    pub status: TravellerStatus,
    pub name: String,
    pub sex: String,
    pub birth_year: Option<i64>,
    pub nationality: Option<String>,
}

const MOVEMENT_SELECT: &str = "SELECT m.id, m.kind, m.office_id, o.code AS office_code, m.origin, m.transit, m.destination_country, \
    m.destination, m.departure_on, m.arrival_on, m.capacity, m.escorts, m.status, \
    (SELECT COUNT(*) FROM movement_travellers t WHERE t.movement_id = m.id AND t.status IN ('manifested', 'boarded', 'arrived')) AS seats \
    FROM movements m JOIN offices o ON o.id = m.office_id";

fn movement(r: &AnyRow) -> Result<MovementRecord> {
    Ok(MovementRecord {
        id: id(r, "id")?,
        kind: code(r, "kind", MovementKind::parse)?,
        office_id: id(r, "office_id")?,
        office_code: text(r, "office_code")?,
        origin: text(r, "origin")?,
        transit: text(r, "transit")?.split(" | ").filter(|t| !t.is_empty()).map(str::to_string).collect(),
        destination_country: text(r, "destination_country")?,
        destination: text(r, "destination")?,
        departure_on: code(r, "departure_on", CalendarDate::parse)?,
        arrival_on: opt_date(r, "arrival_on")?,
        capacity: int(r, "capacity")?,
        escorts: int(r, "escorts")?,
        status: code(r, "status", MovementStatus::parse)?,
        seats_held: int(r, "seats")?,
    })
}

pub async fn insert_movement(
    c: &mut AnyConnection,
    id: MovementId,
    m: &NewMovement,
    office: OfficeId,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO movements (id, kind, office_id, origin, transit, destination_country, destination, departure_on, arrival_on, capacity, \
         escorts, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'planned', $12, $13, $13)",
    )
    .bind(id.to_string())
    .bind(m.kind.as_str())
    .bind(office.to_string())
    .bind(&m.origin)
    .bind(m.transit.join(" | "))
    .bind(m.destination_country.to_string())
    .bind(&m.destination)
    .bind(m.departure_on.to_string())
    .bind(m.arrival_on.map(|d| d.to_string()))
    .bind(i64::from(m.capacity))
    .bind(i64::from(m.escorts))
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn get_movement(c: &mut AnyConnection, id: MovementId) -> Result<Option<MovementRecord>> {
    let r = sqlx::query(&format!("{MOVEMENT_SELECT} WHERE m.id = $1")).bind(id.to_string()).fetch_optional(c).await?;
    r.as_ref().map(movement).transpose()
}

/// Movements of some offices, latest departure first.
pub async fn list_movements(c: &mut AnyConnection, offices: &Offices, limit: i64) -> Result<Vec<MovementRecord>> {
    let mut q = Sql::new(&format!("{MOVEMENT_SELECT} WHERE 1 = 1"));
    match offices {
        Offices::All => {}
        Offices::Only(set) if set.is_empty() => {
            q.push(" AND 1 = 0");
        }
        Offices::Only(set) => {
            q.push(" AND m.office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
        }
    }
    q.push(" ORDER BY m.departure_on DESC, m.id LIMIT ").bind(limit);
    q.query().fetch_all(c).await?.iter().map(movement).collect()
}

pub async fn set_movement_status(
    c: &mut AnyConnection,
    id: MovementId,
    from: MovementStatus,
    to: MovementStatus,
    now: Timestamp,
) -> Result<bool> {
    let n = sqlx::query("UPDATE movements SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(now.to_string())
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(c)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn travellers(c: &mut AnyConnection, movement: MovementId) -> Result<Vec<TravellerRecord>> {
    let rows = sqlx::query(
        "SELECT t.case_id, c.person_id, c.reference, c.office_id, c.sensitivity, c.assigned_to, t.status, p.display_name, p.sex, \
         p.birth_year, p.nationality FROM movement_travellers t JOIN cases c ON c.id = t.case_id JOIN persons p ON p.id = c.person_id \
         WHERE t.movement_id = $1 ORDER BY p.display_name, c.reference",
    )
    .bind(movement.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TravellerRecord {
                case_id: id(r, "case_id")?,
                person_id: id(r, "person_id")?,
                reference: text(r, "reference")?,
                office_id: id(r, "office_id")?,
                sensitivity: code(r, "sensitivity", passage_domain::case::Sensitivity::parse)?,
                assigned_to: opt_id(r, "assigned_to")?,
                status: code(r, "status", TravellerStatus::parse)?,
                name: text(r, "display_name")?,
                sex: text(r, "sex")?,
                birth_year: opt_int(r, "birth_year")?,
                nationality: opt_text(r, "nationality")?,
            })
        })
        .collect()
}

/// Whether the case holds a seat on a movement that has not arrived or been cancelled.
pub async fn seat_elsewhere(c: &mut AnyConnection, case: CaseId) -> Result<bool> {
    let r = sqlx::query(
        "SELECT 1 AS x FROM movement_travellers t JOIN movements m ON m.id = t.movement_id WHERE t.case_id = $1 \
         AND t.status IN ('manifested', 'boarded') AND m.status IN ('planned', 'departed') LIMIT 1",
    )
    .bind(case.to_string())
    .fetch_optional(c)
    .await?;
    Ok(r.is_some())
}

pub async fn add_traveller(c: &mut AnyConnection, movement: MovementId, case: CaseId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO movement_travellers (movement_id, case_id, status, updated_at) VALUES ($1, $2, 'manifested', $3) \
         ON CONFLICT (movement_id, case_id) DO UPDATE SET status = 'manifested', updated_at = $3",
    )
    .bind(movement.to_string())
    .bind(case.to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn set_traveller_status(
    c: &mut AnyConnection,
    movement: MovementId,
    case: CaseId,
    from: TravellerStatus,
    to: TravellerStatus,
    now: Timestamp,
) -> Result<bool> {
    let n =
        sqlx::query("UPDATE movement_travellers SET status = $1, updated_at = $2 WHERE movement_id = $3 AND case_id = $4 AND status = $5")
            .bind(to.as_str())
            .bind(now.to_string())
            .bind(movement.to_string())
            .bind(case.to_string())
            .bind(from.as_str())
            .execute(c)
            .await?
            .rows_affected();
    Ok(n == 1)
}
