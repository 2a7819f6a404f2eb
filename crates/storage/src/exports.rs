//! Pages of records for exports: keyset-paged by id so that an export of a
//! million rows streams a page at a time, each page within the reader's
//! scope (the same rule as reading one case).

use crate::records::*;
use crate::sql::Sql;
use crate::Result;
use sqlx::AnyConnection;

/// Rows as text cells, and the id the next page starts after.
pub type Page = (Vec<Vec<String>>, Option<String>);

fn cell(r: &sqlx::any::AnyRow, col: &str) -> Result<String> {
    use sqlx::Row;
    if let Ok(v) = r.try_get::<Option<String>, _>(col) {
        return Ok(v.unwrap_or_default());
    }
    Ok(r.try_get::<Option<i64>, _>(col)?.map(|n| n.to_string()).unwrap_or_default())
}

async fn page(c: &mut AnyConnection, q: Sql, columns: &[&str], limit: i64) -> Result<Page> {
    let rows = q.query().fetch_all(&mut *c).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut last = None;
    for r in &rows {
        last = Some(text(r, "k")?);
        out.push(columns.iter().map(|col| cell(r, col)).collect::<Result<Vec<_>>>()?);
    }
    let next = if rows.len() as i64 == limit { last } else { None };
    Ok((out, next))
}

/// Cases with who they are, as a caseworker may see them.
pub const CASE_COLUMNS: [&str; 14] = [
    "reference",
    "office",
    "kind",
    "status",
    "sensitivity",
    "priority",
    "opened_on",
    "closed_on",
    "name",
    "sex",
    "birth_date",
    "birth_date_precision",
    "nationality",
    "phone",
];

pub async fn cases(c: &mut AnyConnection, scope: &Scope, after: &str, limit: i64) -> Result<Page> {
    let mut q = Sql::new(
        "SELECT c.id AS k, c.reference AS reference, o.code AS office, c.kind AS kind, c.status AS status, c.sensitivity AS sensitivity, \
         c.priority AS priority, c.opened_on AS opened_on, c.closed_on AS closed_on, p.display_name AS name, p.sex AS sex, \
         p.birth_date AS birth_date, p.birth_date_precision AS birth_date_precision, p.nationality AS nationality, p.phone AS phone \
         FROM cases c JOIN persons p ON p.id = c.person_id JOIN offices o ON o.id = c.office_id WHERE c.id > ",
    );
    q.bind(after.to_string());
    crate::registry::push_scope(&mut q, scope, "c");
    q.push(" ORDER BY c.id LIMIT ").bind(limit);
    page(c, q, &CASE_COLUMNS, limit).await
}

/// Assistance given, by case reference.
/// (`case_id` first: the service shows the reference, or a pseudonym of it.)
pub const ASSISTANCE_COLUMNS: [&str; 11] =
    ["case_id", "case_reference", "office", "kind", "provided_on", "quantity", "unit", "place", "provider", "cost", "currency"];

pub async fn assistance(c: &mut AnyConnection, scope: &Scope, after: &str, limit: i64) -> Result<Page> {
    let mut q = Sql::new(
        "SELECT a.id AS k, c.id AS case_id, c.reference AS case_reference, o.code AS office, a.kind AS kind, a.provided_on AS provided_on, \
         a.quantity AS quantity, a.unit AS unit, a.place AS place, a.provider AS provider, a.cost AS cost, a.currency AS currency \
         FROM assistance a JOIN cases c ON c.id = a.case_id JOIN offices o ON o.id = c.office_id WHERE a.id > ",
    );
    q.bind(after.to_string());
    crate::registry::push_scope(&mut q, scope, "c");
    q.push(" ORDER BY a.id LIMIT ").bind(limit);
    page(c, q, &ASSISTANCE_COLUMNS, limit).await
}

/// Activities that count people: campaign events, trainings, rescues and shelter works.
pub const ACTIVITY_COLUMNS: [&str; 9] = ["activity", "office", "on", "kind", "what", "people", "women", "men", "children"];

pub async fn activities(c: &mut AnyConnection, after: &str, limit: i64) -> Result<Page> {
    let mut q = Sql::new(
        "SELECT * FROM (\
         SELECT e.id AS k, 'campaign' AS activity, o.code AS office, e.held_on AS on_, e.kind AS kind, e.place AS what, \
           e.people_reached AS people, e.women AS women, e.men AS men, COALESCE(e.girls, 0) + COALESCE(e.boys, 0) AS children \
           FROM campaign_events e JOIN offices o ON o.id = e.office_id \
         UNION ALL SELECT t.id, 'training', o.code, t.held_on, '', t.topic, t.participants, t.women, t.men, NULL \
           FROM trainings t JOIN offices o ON o.id = t.office_id \
         UNION ALL SELECT s.id, 'rescue', o.code, s.held_on, '', '', s.people_found, NULL, NULL, NULL \
           FROM sar_operations s JOIN offices o ON o.id = s.office_id \
         UNION ALL SELECT w.id, 'shelter_work', o.code, w.completed_on, w.kind, w.shelter, NULL, NULL, NULL, NULL \
           FROM shelter_works w JOIN offices o ON o.id = w.office_id\
         ) a WHERE a.k > ",
    );
    q.bind(after.to_string());
    q.push(" ORDER BY a.k LIMIT ").bind(limit);
    let cols = ["activity", "office", "on_", "kind", "what", "people", "women", "men", "children"];
    page(c, q, &cols, limit).await
}
