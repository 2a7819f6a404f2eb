//! Storage for one person, one record (migrations 0017, 0018): the queue of
//! likely duplicate pairs, the linkage model that filled it, and merges that
//! can be undone. A merge records exactly
//! which rows it moved or added (`Moved`), and an unmerge moves and removes
//! exactly those, so that nothing recorded on either person is lost either
//! way — including what was recorded on the kept person meanwhile.

use crate::records::*;
use crate::registry::refresh_key_restriction;
use crate::sql::{Sql, Value};
use crate::Result;
use passage_domain::date::Timestamp;
use passage_domain::ids::{OfficeId, PersonId, UserId};
use passage_domain::linkage::PairDecision;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::BTreeSet;

/// A pair in the review queue.
#[derive(Debug, Clone, Serialize)]
pub struct PairRow {
    pub id: String,
    pub person_a: PersonId,
    pub person_b: PersonId,
    pub score_milli: i64,
    pub found_at: Timestamp,
    pub decision: PairDecision,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<Timestamp>,
    pub merge_id: Option<String>,
}

const PAIR_COLS: &str = "id, person_a, person_b, score_milli, found_at, decision, decided_by, decided_at, merge_id";

fn pair_row(r: &sqlx::any::AnyRow) -> Result<PairRow> {
    Ok(PairRow {
        id: text(r, "id")?,
        person_a: id(r, "person_a")?,
        person_b: id(r, "person_b")?,
        score_milli: int(r, "score_milli")?,
        found_at: timestamp(r, "found_at")?,
        decision: code(r, "decision", PairDecision::parse)?,
        decided_by: opt_id(r, "decided_by")?,
        decided_at: opt_timestamp(r, "decided_at")?,
        merge_id: opt_text(r, "merge_id")?,
    })
}

/// Add likely pairs (each person pair once, in either order); a pair found
/// before keeps its decision. Returns how many were new.
pub async fn add_pairs(c: &mut AnyConnection, pairs: &[(PersonId, PersonId, i64)], now: Timestamp) -> Result<usize> {
    let mut added = 0;
    for &(a, b, score) in pairs {
        let (a, b) = if a.to_string() <= b.to_string() { (a, b) } else { (b, a) };
        let r = sqlx::query(
            "INSERT INTO duplicate_pairs (id, person_a, person_b, score_milli, found_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (person_a, person_b) DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(a.to_string())
        .bind(b.to_string())
        .bind(score)
        .bind(now.to_string())
        .execute(&mut *c)
        .await?;
        added += r.rows_affected() as usize;
    }
    Ok(added)
}

/// Keep the model a batch run estimated (JSON of the domain's `Model`).
pub async fn save_model(c: &mut AnyConnection, source: &str, persons: usize, model: &str, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO linkage_models (id, estimated_at, source, persons, model) VALUES ($1, $2, $3, $4, $5)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(now.to_string())
        .bind(source)
        .bind(persons as i64)
        .bind(model)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The newest model a batch run kept, as JSON; none before the first run.
pub async fn latest_model(c: &mut AnyConnection) -> Result<Option<String>> {
    // Ids are UUIDv7, so the newest row is also the greatest id when two share a timestamp.
    let r: Option<(String,)> =
        sqlx::query_as("SELECT model FROM linkage_models ORDER BY estimated_at DESC, id DESC LIMIT 1").fetch_optional(&mut *c).await?;
    Ok(r.map(|r| r.0))
}

/// Pairs waiting for a decision (open or unsure) whose two persons are
/// both still persons of their own and both within `scope`, most likely first.
pub async fn waiting_pairs(c: &mut AnyConnection, scope: &Scope, limit: i64) -> Result<Vec<PairRow>> {
    let mut q = Sql::new(&format!(
        "SELECT {PAIR_COLS} FROM duplicate_pairs d WHERE decision IN ('open', 'unsure') \
         AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id IN (d.person_a, d.person_b) AND p.merged_into IS NOT NULL)"
    ));
    // Filtered here, not after: a reviewer of one office finds their pairs however long the queue.
    for side in ["d.person_a", "d.person_b"] {
        q.push(&format!(" AND EXISTS (SELECT 1 FROM persons p WHERE p.id = {side}"));
        crate::registry::push_person_scope(&mut q, scope);
        q.push(")");
    }
    q.push(" ORDER BY decision, score_milli DESC, id LIMIT ").bind(limit);
    let rows = q.query().fetch_all(&mut *c).await?;
    rows.iter().map(pair_row).collect()
}

pub async fn pair(c: &mut AnyConnection, pair_id: &str) -> Result<Option<PairRow>> {
    let r = sqlx::query(&format!("SELECT {PAIR_COLS} FROM duplicate_pairs WHERE id = $1")).bind(pair_id).fetch_optional(&mut *c).await?;
    r.as_ref().map(pair_row).transpose()
}

/// Record a decision on a pair.
pub async fn decide(
    c: &mut AnyConnection,
    pair_id: &str,
    decision: PairDecision,
    by: UserId,
    now: Timestamp,
    merge: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE duplicate_pairs SET decision = $1, decided_by = $2, decided_at = $3, merge_id = $4 WHERE id = $5")
        .bind(decision.as_str())
        .bind(by.to_string())
        .bind(now.to_string())
        .bind(merge.map(|m| m.to_string()))
        .bind(pair_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// One search-key row of a person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyRow {
    pub key: String,
    pub office_id: String,
    pub birth_year: Option<i64>,
}

/// What a merge moved to the kept person or added to them: what its undo takes back.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Moved {
    pub cases: Vec<String>,
    pub consents: Vec<String>,
    pub documents: Vec<String>,
    pub activity: Vec<String>,
    /// Positions of the names added to the kept person as aliases.
    pub aliases: Vec<i64>,
    /// Search keys added to the kept person.
    pub keys_added: Vec<KeyRow>,
    /// The merged person's own search keys, removed while merged.
    pub merged_keys: Vec<KeyRow>,
}

/// The tables whose rows follow a person, with the list in `Moved` that remembers them.
const FOLLOWING: [&str; 4] = ["cases", "consents", "identity_documents", "activity"];

fn moved_list<'a>(m: &'a mut Moved, table: &str) -> &'a mut Vec<String> {
    match table {
        "cases" => &mut m.cases,
        "consents" => &mut m.consents,
        "identity_documents" => &mut m.documents,
        _ => &mut m.activity,
    }
}

async fn keys_of(c: &mut AnyConnection, person: PersonId) -> Result<Vec<KeyRow>> {
    let rows = sqlx::query("SELECT key, office_id, birth_year FROM person_search_keys WHERE person_id = $1 ORDER BY key, office_id")
        .bind(person.to_string())
        .fetch_all(&mut *c)
        .await?;
    rows.iter()
        .map(|r| Ok(KeyRow { key: text(r, "key")?, office_id: text(r, "office_id")?, birth_year: opt_int(r, "birth_year")? }))
        .collect()
}

async fn insert_keys(c: &mut AnyConnection, person: PersonId, keys: &[KeyRow]) -> Result<()> {
    let rows = keys
        .iter()
        .map(|k| {
            vec![
                Value::Text(k.key.clone()),
                Value::Text(k.office_id.clone()),
                Value::Text(person.to_string()),
                k.birth_year.map(Value::Int).unwrap_or(Value::NullInt),
            ]
        })
        .collect();
    crate::bulk::insert_rows(c, "person_search_keys", &["key", "office_id", "person_id", "birth_year"], rows).await
}

async fn move_rows(c: &mut AnyConnection, table: &str, ids: &[String], to: PersonId) -> Result<()> {
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(&format!("UPDATE {table} SET person_id = "));
        q.bind(to.to_string()).push(" WHERE id IN ").bind_list(chunk.iter().map(|s| s.as_str()));
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

async fn refresh_restrictions(c: &mut AnyConnection, person: PersonId, offices: &BTreeSet<String>) -> Result<()> {
    for o in offices {
        if let Ok(office) = o.parse::<OfficeId>() {
            refresh_key_restriction(c, person, office).await?;
        }
    }
    Ok(())
}

/// Merge `merged` into `kept`, in the caller's transaction. Both must be
/// persons of their own (the service checks).
pub async fn merge(c: &mut AnyConnection, kept: PersonId, merged: PersonId, by: UserId, now: Timestamp) -> Result<(String, Moved)> {
    let mut moved = Moved::default();
    for table in FOLLOWING {
        let rows = sqlx::query(&format!("SELECT id FROM {table} WHERE person_id = $1 ORDER BY id"))
            .bind(merged.to_string())
            .fetch_all(&mut *c)
            .await?;
        let ids = rows.iter().map(|r| text(r, "id")).collect::<Result<Vec<_>>>()?;
        move_rows(c, table, &ids, kept).await?;
        *moved_list(&mut moved, table) = ids;
    }
    // The merged person's names become the kept person's aliases, each spelling once.
    let names = crate::registry::person_names(c, &[kept, merged]).await?;
    let known: BTreeSet<(Option<String>, Option<String>)> =
        names.iter().filter(|(p, _)| *p == kept).map(|(_, n)| (n.given.clone(), n.family.clone())).collect();
    let next = sqlx::query("SELECT COALESCE(MAX(position), -1) + 1 AS n FROM person_names WHERE person_id = $1")
        .bind(kept.to_string())
        .fetch_one(&mut *c)
        .await?;
    let mut position = int(&next, "n")?;
    let mut added = BTreeSet::new();
    for (_, n) in names.iter().filter(|(p, _)| *p == merged) {
        let spelling = (n.given.clone(), n.family.clone());
        if known.contains(&spelling) || !added.insert(spelling) {
            continue;
        }
        sqlx::query("INSERT INTO person_names (person_id, position, given, family, kind) VALUES ($1, $2, $3, $4, 'alias')")
            .bind(kept.to_string())
            .bind(position)
            .bind(n.given.clone())
            .bind(n.family.clone())
            .execute(&mut *c)
            .await?;
        moved.aliases.push(position);
        position += 1;
    }
    // Search: the kept person is found by every spelling in every office either was known in.
    let kept_keys = keys_of(c, kept).await?;
    moved.merged_keys = keys_of(c, merged).await?;
    let year = sqlx::query("SELECT birth_year FROM persons WHERE id = $1").bind(kept.to_string()).fetch_one(&mut *c).await?;
    let year = opt_int(&year, "birth_year")?;
    let all_keys: BTreeSet<&str> = kept_keys.iter().chain(&moved.merged_keys).map(|k| k.key.as_str()).collect();
    let offices: BTreeSet<String> = kept_keys.iter().chain(&moved.merged_keys).map(|k| k.office_id.clone()).collect();
    let have: BTreeSet<(&str, &str)> = kept_keys.iter().map(|k| (k.key.as_str(), k.office_id.as_str())).collect();
    for key in &all_keys {
        for office in &offices {
            if !have.contains(&(*key, office.as_str())) {
                moved.keys_added.push(KeyRow { key: key.to_string(), office_id: office.clone(), birth_year: year });
            }
        }
    }
    insert_keys(c, kept, &moved.keys_added).await?;
    sqlx::query("DELETE FROM person_search_keys WHERE person_id = $1").bind(merged.to_string()).execute(&mut *c).await?;
    refresh_restrictions(c, kept, &offices).await?;
    sqlx::query("UPDATE persons SET merged_into = $1, updated_at = $2 WHERE id = $3")
        .bind(kept.to_string())
        .bind(now.to_string())
        .bind(merged.to_string())
        .execute(&mut *c)
        .await?;
    let merge_id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO person_merges (id, kept_person_id, merged_person_id, moved, merged_by, merged_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&merge_id)
    .bind(kept.to_string())
    .bind(merged.to_string())
    .bind(serde_json::to_string(&moved).expect("serialisable"))
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok((merge_id, moved))
}

/// A merge as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct MergeRow {
    pub id: String,
    pub kept_person_id: PersonId,
    pub merged_person_id: PersonId,
    #[serde(skip)]
    pub moved: Moved,
    pub merged_by: UserId,
    pub merged_at: Timestamp,
    pub undone_by: Option<UserId>,
    pub undone_at: Option<Timestamp>,
}

const MERGE_COLS: &str = "id, kept_person_id, merged_person_id, moved, merged_by, merged_at, undone_by, undone_at";

fn merge_row(r: &sqlx::any::AnyRow) -> Result<MergeRow> {
    let moved = text(r, "moved")?;
    Ok(MergeRow {
        id: text(r, "id")?,
        kept_person_id: id(r, "kept_person_id")?,
        merged_person_id: id(r, "merged_person_id")?,
        moved: serde_json::from_str(&moved).map_err(|_| corrupt("person_merges.moved", &moved))?,
        merged_by: id(r, "merged_by")?,
        merged_at: timestamp(r, "merged_at")?,
        undone_by: opt_id(r, "undone_by")?,
        undone_at: opt_timestamp(r, "undone_at")?,
    })
}

pub async fn merge_record(c: &mut AnyConnection, merge_id: &str) -> Result<Option<MergeRow>> {
    let r = sqlx::query(&format!("SELECT {MERGE_COLS} FROM person_merges WHERE id = $1")).bind(merge_id).fetch_optional(&mut *c).await?;
    r.as_ref().map(merge_row).transpose()
}

/// The merges into a person, newest first (undone ones too: the history).
pub async fn merges_into(c: &mut AnyConnection, kept: PersonId) -> Result<Vec<MergeRow>> {
    let rows = sqlx::query(&format!("SELECT {MERGE_COLS} FROM person_merges WHERE kept_person_id = $1 ORDER BY merged_at DESC, id DESC"))
        .bind(kept.to_string())
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(merge_row).collect()
}

/// Whom a person was merged into, if they were.
pub async fn merged_into(c: &mut AnyConnection, person: PersonId) -> Result<Option<PersonId>> {
    let r = sqlx::query("SELECT merged_into FROM persons WHERE id = $1").bind(person.to_string()).fetch_optional(&mut *c).await?;
    Ok(match r {
        Some(r) => opt_id(&r, "merged_into")?,
        None => None,
    })
}

/// Undo a merge, in the caller's transaction: exactly what it moved goes
/// back, what it added goes away; the pair it came from is marked
/// "different" so it is not proposed again.
pub async fn unmerge(c: &mut AnyConnection, m: &MergeRow, by: UserId, now: Timestamp) -> Result<()> {
    let (kept, merged) = (m.kept_person_id, m.merged_person_id);
    let mut moved = m.moved.clone();
    for table in FOLLOWING {
        let ids = std::mem::take(moved_list(&mut moved, table));
        move_rows(c, table, &ids, merged).await?;
    }
    for chunk in m.moved.aliases.chunks(500) {
        let mut q = Sql::new("DELETE FROM person_names WHERE person_id = ");
        q.bind(kept.to_string()).push(" AND position IN ").bind_list(chunk.iter().copied());
        q.query().execute(&mut *c).await?;
    }
    for k in &m.moved.keys_added {
        sqlx::query("DELETE FROM person_search_keys WHERE key = $1 AND office_id = $2 AND person_id = $3")
            .bind(&k.key)
            .bind(&k.office_id)
            .bind(kept.to_string())
            .execute(&mut *c)
            .await?;
    }
    insert_keys(c, merged, &m.moved.merged_keys).await?;
    let offices: BTreeSet<String> = m.moved.keys_added.iter().chain(&m.moved.merged_keys).map(|k| k.office_id.clone()).collect();
    refresh_restrictions(c, kept, &offices).await?;
    refresh_restrictions(c, merged, &offices).await?;
    sqlx::query("UPDATE persons SET merged_into = NULL, updated_at = $1 WHERE id = $2")
        .bind(now.to_string())
        .bind(merged.to_string())
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE person_merges SET undone_by = $1, undone_at = $2 WHERE id = $3")
        .bind(by.to_string())
        .bind(now.to_string())
        .bind(&m.id)
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE duplicate_pairs SET decision = $1, decided_by = $2, decided_at = $3 WHERE merge_id = $4")
        .bind(PairDecision::Different.as_str())
        .bind(by.to_string())
        .bind(now.to_string())
        .bind(&m.id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// A person of their own as the linkage compares them: all their names,
/// and the other fields as the linkage input writes them.
#[derive(Debug, Clone)]
pub struct LinkagePerson {
    pub id: PersonId,
    /// (given, family) of each name, primary first.
    pub names: Vec<(String, String)>,
    /// M, F or empty.
    pub sex: String,
    /// `YYYY-MM-DD` when exact, `YYYY` when only the year is known, or empty.
    pub birth: String,
    pub nationality: String,
    pub phone: String,
}

/// Every person of their own (not merged, not anonymised).
pub async fn linkage_records(c: &mut AnyConnection) -> Result<Vec<LinkagePerson>> {
    let rows = sqlx::query(
        "SELECT p.id, p.sex, p.birth_date, p.birth_date_precision, p.nationality, p.phone, n.given, n.family \
         FROM persons p JOIN person_names n ON n.person_id = p.id \
         WHERE p.merged_into IS NULL AND p.anonymised_at IS NULL ORDER BY p.id, n.position",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut out: Vec<LinkagePerson> = Vec::new();
    for r in &rows {
        let pid: PersonId = id(r, "id")?;
        let name = (opt_text(r, "given")?.unwrap_or_default(), opt_text(r, "family")?.unwrap_or_default());
        if let Some(last) = out.last_mut().filter(|l| l.id == pid) {
            last.names.push(name);
            continue;
        }
        let birth = match (opt_text(r, "birth_date")?, opt_text(r, "birth_date_precision")?.as_deref()) {
            (Some(d), None | Some("exact")) => d,
            (Some(d), _) => d.chars().take(4).collect(),
            (None, _) => String::new(),
        };
        let sex = match text(r, "sex")?.as_str() {
            "male" => "M",
            "female" => "F",
            _ => "",
        }
        .to_string();
        out.push(LinkagePerson {
            id: pid,
            names: vec![name],
            sex,
            birth,
            nationality: opt_text(r, "nationality")?.unwrap_or_default(),
            phone: opt_text(r, "phone")?.unwrap_or_default(),
        });
    }
    Ok(out)
}
