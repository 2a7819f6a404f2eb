//! Person search by name. Candidates come from the search-key index (see
//! `passage_domain::names`): one indexed lookup per spelling alternative,
//! filtered and scoped in the same statement, capped. The candidates' names
//! are then scored in Rust so exact spellings rank above variants.

use crate::records::*;
use crate::registry::push_person_scope;
use crate::sql::Sql;
use crate::Result;
use passage_domain::case::CaseStatus;
use passage_domain::codes::CountryCode;
use passage_domain::date::BirthDate;
use passage_domain::ids::{OfficeId, PersonId};
use passage_domain::names;
use passage_domain::person::{NameKind, PersonName, Sex};
use passage_domain::policy::Offices;
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// How many candidates are scored at most. Past this the result says it
/// was cut, and the user narrows with filters (nationality, year of birth).
pub const CANDIDATE_CAP: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    pub nationality: Option<CountryCode>,
    pub sex: Option<Sex>,
    pub birth_year: Option<i32>,
    pub office: Option<OfficeId>,
    pub case_status: Option<CaseStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub person_id: PersonId,
    pub display_name: String,
    /// The registered spelling that matched best, when it is not the display name.
    pub matched_name: Option<String>,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// More candidates matched than were scored.
    pub truncated: bool,
}

pub async fn search_persons(c: &mut AnyConnection, query: &str, f: &SearchFilters, scope: &Scope, limit: usize) -> Result<SearchResult> {
    let keys = names::query_keys(query);
    // Filters that need the persons table (the year is in the index).
    let person_filters = f.nationality.is_some() || f.sex.is_some() || f.office.is_some() || f.case_status.is_some();
    if keys.is_empty() && !person_filters && f.birth_year.is_none() {
        return Ok(SearchResult { hits: Vec::new(), truncated: false });
    }
    // The candidates' names come back in the same statement: one round
    // trip instead of one per 500 candidates.
    const NAMES_OF: &str = "SELECT n.person_id, n.position, n.given, n.family FROM (";
    let mut q = if keys.is_empty() {
        Sql::new(&format!("{NAMES_OF}SELECT p.id AS person_id FROM persons p WHERE 1 = 1"))
    } else {
        // The persons table is joined only when a filter needs it: for a
        // common name that is a thousand row lookups saved.
        let mut q = Sql::new(&if person_filters {
            format!("{NAMES_OF}SELECT DISTINCT k.person_id FROM person_search_keys k JOIN persons p ON p.id = k.person_id WHERE k.key IN ")
        } else {
            format!("{NAMES_OF}SELECT DISTINCT k.person_id FROM person_search_keys k WHERE k.key IN ")
        });
        q.bind_list(keys.iter());
        // Scope inside the index: only the keys filed under the reader's
        // offices, and of restricted persons only those the reader may see
        // (the same rule as push_case_scope, on the key's own flag).
        match &scope.cases {
            Offices::All => {}
            Offices::Only(set) if set.is_empty() => return Ok(SearchResult { hits: Vec::new(), truncated: false }),
            Offices::Only(set) => {
                q.push(" AND k.office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
            }
        }
        if let Offices::Only(set) = &scope.restricted {
            q.push(" AND (k.restricted = 0");
            if !set.is_empty() {
                q.push(" OR k.office_id IN ").bind_list(set.iter().map(|o| o.to_string()));
            }
            q.push(
                " OR EXISTS (SELECT 1 FROM cases rc WHERE rc.person_id = k.person_id AND (rc.office_id = k.office_id OR EXISTS \
                 (SELECT 1 FROM case_read_offices ro WHERE ro.case_id = rc.id AND ro.office_id = k.office_id)) AND rc.assigned_to = ",
            );
            q.bind(scope.user.to_string()).push("))");
        }
        q
    };
    if let Some(n) = f.nationality {
        q.push(" AND p.nationality = ").bind(n.to_string());
    }
    if let Some(s) = f.sex {
        q.push(" AND p.sex = ").bind(s.as_str());
    }
    if let Some(y) = f.birth_year {
        // Estimated years are often off by one.
        let column = if keys.is_empty() { "p.birth_year" } else { "k.birth_year" };
        q.push(&format!(" AND {column} BETWEEN ")).bind(y as i64 - 1).push(" AND ").bind(y as i64 + 1);
    }
    if let Some(o) = f.office {
        q.push(" AND (p.registered_office_id = ").bind(o.to_string());
        q.push(" OR EXISTS (SELECT 1 FROM cases fc WHERE fc.person_id = p.id AND fc.office_id = ").bind(o.to_string()).push("))");
    }
    if let Some(s) = f.case_status {
        q.push(" AND EXISTS (SELECT 1 FROM cases fs WHERE fs.person_id = p.id AND fs.status = ").bind(s.as_str()).push(")");
    }
    if keys.is_empty() {
        push_person_scope(&mut q, scope);
        q.push(" ORDER BY p.created_at DESC");
    }
    q.push(" LIMIT ").bind(CANDIDATE_CAP as i64 + 1);
    q.push(") cand JOIN person_names n ON n.person_id = cand.person_id");
    let rows = q.query().fetch_all(&mut *c).await?;

    // Per person: the best score, the position of the name that gave it (the
    // earlier name wins a tie), and that name.
    let mut best: HashMap<PersonId, (f64, i64, String)> = HashMap::with_capacity(rows.len());
    let mut truncated = false;
    for r in &rows {
        let pid: PersonId = id(r, "person_id")?;
        if best.len() == CANDIDATE_CAP && !best.contains_key(&pid) {
            truncated = true;
            continue;
        }
        let name = PersonName { given: opt_text(r, "given")?, family: opt_text(r, "family")?, kind: NameKind::Primary };
        let full = name.full();
        let score = if keys.is_empty() { 0.0 } else { names::match_score(query, &full) };
        let position = int(r, "position")?;
        let e = best.entry(pid).or_insert((-1.0, i64::MAX, String::new()));
        if score > e.0 || (score == e.0 && position < e.1) {
            *e = (score, position, name.display());
        }
    }
    if best.is_empty() {
        return Ok(SearchResult { hits: Vec::new(), truncated: false });
    }
    let mut ranked: Vec<(PersonId, f64, String)> = best.into_iter().map(|(p, (s, _, n))| (p, s, n)).collect();
    // Ties keep a stable order: the most recently registered first (UUIDv7 ids sort by time).
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked.truncate(limit);

    let ids: Vec<String> = ranked.iter().map(|r| r.0.to_string()).collect();
    let mut q = Sql::new("SELECT id, display_name, sex, birth_date, birth_date_precision, nationality FROM persons WHERE id IN ");
    q.bind_list(ids.iter());
    let rows = q.query().fetch_all(&mut *c).await?;
    let mut by_id = HashMap::with_capacity(rows.len());
    for r in &rows {
        let pid: PersonId = id(r, "id")?;
        by_id.insert(pid, r);
    }
    let mut hits = Vec::with_capacity(ranked.len());
    for (pid, score, matched) in ranked {
        let Some(r) = by_id.get(&pid) else { continue };
        let display_name = text(r, "display_name")?;
        hits.push(SearchHit {
            person_id: pid,
            matched_name: (matched != display_name && !matched.is_empty()).then_some(matched),
            display_name,
            sex: code(r, "sex", Sex::parse)?,
            birth_date: birth_date(r)?,
            nationality: opt_code(r, "nationality", CountryCode::parse)?,
            score: (score * 1000.0).round() / 1000.0,
        });
    }
    Ok(SearchResult { hits, truncated })
}
