//! `passage check`: is the database whole? The engine's own checks (SQLite's
//! integrity and foreign-key checks), then Passage's invariants on both
//! databases: every person has a name and search keys, every case a status
//! history, every stored code parses.

use crate::db::{Backend, Db};
use crate::records::*;
use crate::Result;
use passage_domain::case::{CaseKind, CaseStatus, Sensitivity};
use sqlx::Row;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub problems: Vec<String>,
    pub counts: Vec<(&'static str, i64)>,
}

const COUNTED: [&str; 8] = ["offices", "users", "persons", "cases", "screenings", "assistance", "case_notes", "person_search_keys"];

const ORPHANS: [(&str, &str); 7] = [
    ("persons without a name", "SELECT COUNT(*) AS n FROM persons p WHERE NOT EXISTS (SELECT 1 FROM person_names n WHERE n.person_id = p.id)"),
    ("persons without search keys", "SELECT COUNT(*) AS n FROM persons p WHERE p.anonymised_at IS NULL AND NOT EXISTS (SELECT 1 FROM person_search_keys k WHERE k.person_id = p.id)"),
    ("search keys whose year of birth differs from the person's",
     "SELECT COUNT(*) AS n FROM person_search_keys k JOIN persons p ON p.id = k.person_id WHERE k.birth_year IS DISTINCT FROM p.birth_year"),
    ("search keys whose restriction differs from the cases in their office",
     "SELECT COUNT(*) AS n FROM person_search_keys k WHERE k.restricted <> CASE WHEN EXISTS (SELECT 1 FROM cases c \
      WHERE c.person_id = k.person_id AND (c.office_id = k.office_id OR EXISTS (SELECT 1 FROM case_read_offices ro \
      WHERE ro.case_id = c.id AND ro.office_id = k.office_id)) AND c.sensitivity = 'normal') THEN 0 ELSE 1 END"),
    ("cases without status history", "SELECT COUNT(*) AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_status_history h WHERE h.case_id = c.id)"),
    ("closed cases without a closing date", "SELECT COUNT(*) AS n FROM cases WHERE status = 'closed' AND closed_on IS NULL"),
    ("cases whose status differs from their last history entry",
     "SELECT COUNT(*) AS n FROM cases c WHERE c.status <> (SELECT h.to_status FROM case_status_history h WHERE h.case_id = c.id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)"),
];

pub async fn check(db: &Db) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let mut c = db.reader().acquire().await?;
    if db.backend == Backend::Sqlite {
        let rows = sqlx::query("PRAGMA integrity_check").fetch_all(&mut *c).await?;
        for r in rows {
            let s: String = r.try_get(0)?;
            if s != "ok" {
                report.problems.push(format!("sqlite integrity: {s}"));
            }
        }
        let fk = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *c).await?;
        if !fk.is_empty() {
            report.problems.push(format!("{} rows break a foreign key", fk.len()));
        }
    }
    for t in COUNTED {
        report.counts.push((t, crate::registry::count(&mut c, t).await?));
    }
    for (what, sql) in ORPHANS {
        let n = int(&sqlx::query(sql).fetch_one(&mut *c).await?, "n")?;
        if n > 0 {
            report.problems.push(format!("{n} {what}"));
        }
    }
    let codes = sqlx::query("SELECT DISTINCT kind, status, sensitivity FROM cases").fetch_all(&mut *c).await?;
    for r in &codes {
        for (col, ok) in [
            ("kind", CaseKind::parse("", &text(r, "kind")?).is_ok()),
            ("status", CaseStatus::parse("", &text(r, "status")?).is_ok()),
            ("sensitivity", Sensitivity::parse("", &text(r, "sensitivity")?).is_ok()),
        ] {
            if !ok {
                report.problems.push(format!("a case has an unknown {col}: {:?}", text(r, col)?));
            }
        }
    }
    Ok(report)
}
