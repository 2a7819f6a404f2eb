//! Storage for appeal budgets: a budget, its office rows in the appeal's
//! order, and one line per planned heading. A re-import replaces the rows and
//! lines of the budget with the same code inside the caller's transaction.

use crate::records::*;
use crate::Result;
use passage_domain::budget::{BudgetCategory, BudgetRow, BudgetTable, Usd};
use passage_domain::codes::CountryCode;
use passage_domain::date::Timestamp;
use passage_domain::ids::{BudgetId, OfficeId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct BudgetRecord {
    pub id: BudgetId,
    pub code: String,
    pub title: String,
    pub currency: String,
    pub programme_code: Option<String>,
    pub year: Option<i64>,
    pub imported_at: Timestamp,
}

pub struct NewBudget<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub table: &'a BudgetTable,
    /// The office each row is for, when known (same order as the rows).
    pub offices: &'a [Option<OfficeId>],
    pub programme_code: Option<&'a str>,
    pub year: Option<i64>,
    pub by: Option<UserId>,
}

/// Insert or replace the budget `code`. Returns its id and whether it existed.
pub async fn replace_budget(c: &mut AnyConnection, b: &NewBudget<'_>, now: Timestamp) -> Result<(BudgetId, bool)> {
    let existing = sqlx::query("SELECT id FROM budgets WHERE code = $1").bind(b.code).fetch_optional(&mut *c).await?;
    let (id, replaced) = match existing {
        Some(r) => {
            let id: BudgetId = crate::records::id(&r, "id")?;
            sqlx::query("DELETE FROM budget_lines WHERE budget_id = $1").bind(id.to_string()).execute(&mut *c).await?;
            sqlx::query("DELETE FROM budget_rows WHERE budget_id = $1").bind(id.to_string()).execute(&mut *c).await?;
            sqlx::query("UPDATE budgets SET title = $1, imported_at = $2, imported_by = $3, programme_code = $4, year = $5 WHERE id = $6")
                .bind(b.title)
                .bind(now.to_string())
                .bind(b.by.map(|u| u.to_string()))
                .bind(b.programme_code)
                .bind(b.year)
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            (id, true)
        }
        None => {
            let id = BudgetId::new();
            sqlx::query(
                "INSERT INTO budgets (id, code, title, currency, programme_code, year, imported_at, imported_by) \
                 VALUES ($1, $2, $3, 'USD', $4, $5, $6, $7)",
            )
            .bind(id.to_string())
            .bind(b.code)
            .bind(b.title)
            .bind(b.programme_code)
            .bind(b.year)
            .bind(now.to_string())
            .bind(b.by.map(|u| u.to_string()))
            .execute(&mut *c)
            .await?;
            (id, false)
        }
    };
    for (pos, row) in b.table.rows.iter().enumerate() {
        sqlx::query("INSERT INTO budget_rows (budget_id, position, office_label, country, office_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(pos as i64)
            .bind(&row.office)
            .bind(row.country.map(|c| c.to_string()))
            .bind(b.offices.get(pos).copied().flatten().map(|o| o.to_string()))
            .execute(&mut *c)
            .await?;
        for cat in BudgetCategory::ALL {
            if let Some(amount) = row.cell(*cat) {
                sqlx::query("INSERT INTO budget_lines (budget_id, position, category, amount) VALUES ($1, $2, $3, $4)")
                    .bind(id.to_string())
                    .bind(pos as i64)
                    .bind(cat.as_str())
                    .bind(amount.0 as i64)
                    .execute(&mut *c)
                    .await?;
            }
        }
    }
    Ok((id, replaced))
}

fn budget(r: &sqlx::any::AnyRow) -> Result<BudgetRecord> {
    Ok(BudgetRecord {
        id: id(r, "id")?,
        code: text(r, "code")?,
        title: text(r, "title")?,
        currency: text(r, "currency")?,
        programme_code: opt_text(r, "programme_code")?,
        year: opt_int(r, "year")?,
        imported_at: timestamp(r, "imported_at")?,
    })
}

/// Every budget, newest import first.
pub async fn budgets(c: &mut AnyConnection) -> Result<Vec<BudgetRecord>> {
    let rows =
        sqlx::query("SELECT id, code, title, currency, programme_code, year, imported_at FROM budgets ORDER BY imported_at DESC, code")
            .fetch_all(c)
            .await?;
    rows.iter().map(budget).collect()
}

/// A budget and its table, by code.
pub async fn get_budget(c: &mut AnyConnection, code: &str) -> Result<Option<(BudgetRecord, BudgetTable)>> {
    let Some(r) = sqlx::query("SELECT id, code, title, currency, programme_code, year, imported_at FROM budgets WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let rec = budget(&r)?;
    let rows = sqlx::query("SELECT position, office_label, country FROM budget_rows WHERE budget_id = $1 ORDER BY position")
        .bind(rec.id.to_string())
        .fetch_all(&mut *c)
        .await?;
    let mut table = BudgetTable::default();
    for r in &rows {
        table.rows.push(BudgetRow {
            office: text(r, "office_label")?,
            country: opt_code(r, "country", CountryCode::parse)?,
            cells: [None; 6],
        });
    }
    let lines = sqlx::query("SELECT position, category, amount FROM budget_lines WHERE budget_id = $1")
        .bind(rec.id.to_string())
        .fetch_all(&mut *c)
        .await?;
    for l in &lines {
        let pos = int(l, "position")?;
        let cat = crate::records::code(l, "category", BudgetCategory::parse)?;
        let amount = int(l, "amount")?;
        let row = usize::try_from(pos).ok().and_then(|p| table.rows.get_mut(p)).ok_or_else(|| corrupt("position", &pos.to_string()))?;
        row.cells[cat.index()] = Some(Usd(u64::try_from(amount).map_err(|_| corrupt("amount", &amount.to_string()))?));
    }
    Ok(Some((rec, table)))
}

/// The country office of each country that has exactly one.
pub async fn country_offices(c: &mut AnyConnection) -> Result<std::collections::HashMap<CountryCode, OfficeId>> {
    let rows = sqlx::query("SELECT id, country FROM offices WHERE kind = 'country_office' ORDER BY country").fetch_all(c).await?;
    let mut seen: std::collections::HashMap<CountryCode, Option<OfficeId>> = std::collections::HashMap::new();
    for r in &rows {
        let country = crate::records::code(r, "country", CountryCode::parse)?;
        let office: OfficeId = id(r, "id")?;
        seen.entry(country).and_modify(|o| *o = None).or_insert(Some(office));
    }
    Ok(seen.into_iter().filter_map(|(c, o)| o.map(|o| (c, o))).collect())
}

/// The budgets that belong to programme `code`, with their tables, oldest year first.
pub async fn budgets_of_programme(c: &mut AnyConnection, code: &str) -> Result<Vec<(BudgetRecord, BudgetTable)>> {
    let codes: Vec<String> = sqlx::query("SELECT code FROM budgets WHERE programme_code = $1 ORDER BY year, code")
        .bind(code)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| text(r, "code"))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for code in codes {
        if let Some(b) = get_budget(c, &code).await? {
            out.push(b);
        }
    }
    Ok(out)
}
