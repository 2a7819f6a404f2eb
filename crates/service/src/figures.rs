//! Programme figures: each indicator computed from the records over the
//! programme's period, broken down by country and office, by sex and age
//! group, and by vulnerability — and every count of persons passed through
//! disclosure control before it leaves (`passage_domain::disclosure`).
//!
//! Counts of persons are protected for every reader: even a caseworker sees
//! programme-wide figures about persons outside their offices. Measures that
//! sum events as recorded (people reached by a radio programme, shelters
//! renovated, studies) carry no attribute of any registered person and are
//! published as they are.
//!
//! The three breakdowns of one indicator share only their grand total; the
//! algorithm avoids suppressing it, and when one table must, it is
//! suppressed in all, so no table gives away what another hides.

use crate::access::{self, Action, Actor};
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::disclosure::{protect, DisclosureRules, Figure, ProtectedTable};
use passage_domain::indicator::{AgeGroup, Measure, DEFAULT_PROGRAMME, VULNERABILITY_ORDER};
use passage_domain::person::Sex;
use passage_storage::analytics::Marginals;
use passage_storage::figures::{self as store, IndicatorRecord, NewProgramme, ProgrammeRecord};
use serde::Serialize;
use std::collections::BTreeMap;

/// A table with its row and column labels.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub table: ProtectedTable,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorFigures {
    pub code: String,
    pub name_en: String,
    pub name_fr: String,
    pub measure: Measure,
    pub baseline: i64,
    pub target: Option<i64>,
    pub total: Figure,
    /// Whether disclosure control applied (counts of persons).
    pub protected: bool,
    /// Countries (rows) × offices (columns).
    pub by_office: Breakdown,
    /// Sex (rows) × age group (columns); persons only.
    pub by_sex_age: Option<Breakdown>,
    /// Most serious vulnerability found (one row); persons only.
    pub by_vulnerability: Option<Breakdown>,
    /// Persons newly counted each month (one row); persons only.
    pub by_month: Option<Breakdown>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeFigures {
    pub programme: ProgrammeRecord,
    pub rules: DisclosureRules,
    /// The period the figures cover: the programme's.
    pub from: CalendarDate,
    pub until: CalendarDate,
    /// The office the figures are narrowed to, if any (its code).
    pub office: Option<String>,
    pub indicators: Vec<IndicatorFigures>,
    /// Return movements that left each month (a count of movements, published as is).
    pub movements_by_month: Vec<(String, i64)>,
    /// Their travellers who arrived, by the month they left (one row; persons, protected).
    pub returnees_by_month: Breakdown,
    /// The share of returnees monitored whose reintegration is sustainable,
    /// from the two protected counts (so it discloses nothing they do not).
    pub sustainable_share: Option<SustainableShare>,
}

/// A share of two protected counts, overall and by sex, age group and
/// country of return; none where either count is suppressed or the
/// monitored count is 0.
#[derive(Debug, Clone, Serialize)]
pub struct SustainableShare {
    pub total: Option<f64>,
    pub by_sex: Vec<(String, Option<f64>)>,
    pub by_age_group: Vec<(String, Option<f64>)>,
    pub by_country: Vec<(String, Option<f64>)>,
}

fn ratio(part: Figure, whole: Figure) -> Option<f64> {
    match (part.count(), whole.count()) {
        (Some(p), Some(w)) if w > 0 => Some((p as f64 / w as f64).min(1.0)),
        _ => None,
    }
}

/// Share by matching labels of two breakdowns' margins.
fn shares(part_labels: &[String], part: &[Figure], whole_labels: &[String], whole: &[Figure]) -> Vec<(String, Option<f64>)> {
    whole_labels
        .iter()
        .zip(whole)
        .map(|(label, w)| {
            let p = part_labels.iter().position(|l| l == label).map(|i| part[i]).unwrap_or(Figure::Count(0));
            (label.clone(), ratio(p, *w))
        })
        .collect()
}

impl SustainableShare {
    fn of(indicators: &[IndicatorFigures]) -> Option<SustainableShare> {
        let find = |m: Measure| indicators.iter().find(|i| i.measure == m);
        let (part, whole) = (find(Measure::ReturneesSustainablyReintegrated)?, find(Measure::ReturneesMonitored)?);
        let (ps, ws) = (part.by_sex_age.as_ref()?, whole.by_sex_age.as_ref()?);
        Some(SustainableShare {
            total: ratio(part.total, whole.total),
            by_sex: shares(&ps.rows, &ps.table.row_totals, &ws.rows, &ws.table.row_totals),
            by_age_group: shares(&ps.columns, &ps.table.column_totals, &ws.columns, &ws.table.column_totals),
            by_country: shares(
                &part.by_office.rows,
                &part.by_office.table.row_totals,
                &whole.by_office.rows,
                &whole.by_office.table.row_totals,
            ),
        })
    }
}

/// What the public page shows.
#[derive(Debug, Clone, Serialize)]
pub struct PublicProgramme {
    pub figures: ProgrammeFigures,
    pub areas: Vec<store::AreaRecord>,
    pub resources: Vec<store::ResourceRecord>,
}

impl Passage {
    /// Create the default programme and its indicators if this database has
    /// no programme of that code yet (idempotent; run at start-up).
    pub async fn ensure_default_programme(&self) -> ServiceResult<()> {
        let p = &DEFAULT_PROGRAMME;
        let mut tx = self.db.begin().await?;
        if store::programme_exists(&mut tx, p.code).await? {
            // A database from before an indicator this build knows (the
            // sustainability ones came later): add it after the others.
            let programme = store::get_programme(&mut tx, p.code).await?.expect("exists");
            let known: Vec<String> = store::indicators(&mut tx, &programme.id).await?.into_iter().map(|i| i.code).collect();
            let mut added = false;
            for (i, ind) in p.indicators.iter().enumerate().filter(|(_, ind)| !known.iter().any(|k| k == ind.code)) {
                let iid = uuid::Uuid::now_v7().to_string();
                let position = (known.len() + i) as i64;
                let target = (ind.target > 0).then_some(ind.target);
                store::insert_indicator(
                    &mut tx,
                    &iid,
                    &programme.id,
                    ind.code,
                    position,
                    ind.name_en,
                    ind.name_fr,
                    &ind.definition(),
                    target,
                )
                .await?;
                added = true;
            }
            // A database from before the summary tables, or with new indicators: count them once.
            if added || !passage_storage::analytics::is_built(&mut tx).await? {
                passage_storage::analytics::rebuild(&mut tx).await?;
                tx.commit().await?;
            }
            return Ok(());
        }
        let id = uuid::Uuid::now_v7().to_string();
        let new = NewProgramme {
            id: &id,
            code: p.code,
            name: p.name,
            donor: p.donor,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            countries: p.countries,
            purpose_en: p.purpose_en,
            purpose_fr: p.purpose_fr,
        };
        store::insert_programme(&mut tx, &new, Timestamp::now()).await?;
        for (i, a) in p.areas.iter().enumerate() {
            let area = store::AreaRecord {
                title_en: a.title_en.into(),
                title_fr: a.title_fr.into(),
                body_en: a.body_en.into(),
                body_fr: a.body_fr.into(),
            };
            store::insert_area(&mut tx, &id, i as i64, &area).await?;
        }
        for (i, ind) in p.indicators.iter().enumerate() {
            let iid = uuid::Uuid::now_v7().to_string();
            let target = (ind.target > 0).then_some(ind.target);
            store::insert_indicator(&mut tx, &iid, &id, ind.code, i as i64, ind.name_en, ind.name_fr, &ind.definition(), target).await?;
        }
        // A new programme counts the records already there.
        passage_storage::analytics::rebuild(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn programmes(&self, actor: &Actor) -> ServiceResult<Vec<ProgrammeRecord>> {
        access::require(actor, Action::ReadAggregates)?;
        let mut c = self.db.replica().acquire().await?;
        Ok(store::programmes(&mut c).await?)
    }

    /// Every indicator of programme `code`, computed now and protected.
    pub async fn programme_figures(&self, actor: &Actor, code: &str) -> ServiceResult<ProgrammeFigures> {
        access::require(actor, Action::ReadAggregates)?;
        self.figures_of(code, None).await
    }

    /// The same, for one office (by code): its dashboard.
    pub async fn office_figures(&self, actor: &Actor, code: &str, office: &str) -> ServiceResult<ProgrammeFigures> {
        access::require(actor, Action::ReadAggregates)?;
        self.figures_of(code, Some(office)).await
    }

    /// The programme's public page: what it is for, its areas of work, its
    /// key figures (the same protected figures as the dashboards) and its
    /// latest resources. No login: nothing here is about a person.
    pub async fn public_programme(&self, code: &str) -> ServiceResult<PublicProgramme> {
        let figures = self.figures_of(code, None).await?;
        let mut c = self.db.replica().acquire().await?;
        let areas = store::areas(&mut c, &figures.programme.id).await?;
        let resources = store::resources(&mut c, figures.from, figures.until, 12).await?;
        Ok(PublicProgramme { figures, areas, resources })
    }

    /// Recompute the indicator summaries from the records (after a bulk load).
    pub async fn rebuild_figures(&self) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        passage_storage::analytics::rebuild(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Where the summaries disagree with the records (empty when they agree).
    pub async fn verify_figures(&self) -> ServiceResult<Vec<String>> {
        let mut c = self.db.replica().acquire().await?;
        Ok(passage_storage::analytics::verify(&mut c).await?)
    }

    /// A published resource's file, for anyone (the library is public).
    pub async fn resource_file(&self, id: &str) -> ServiceResult<(String, String, Vec<u8>)> {
        let mut c = self.db.replica().acquire().await?;
        store::resource_file(&mut c, id.trim()).await?.ok_or(ServiceError::NotFound)
    }

    /// The disclosure rules in force: the installation's (one setting for
    /// every server and command reading this database), or the defaults.
    pub async fn disclosure_rules(&self) -> ServiceResult<DisclosureRules> {
        let mut c = self.db.replica().acquire().await?;
        let threshold = passage_storage::privacy::setting(&mut c, "disclosure_threshold").await?;
        let rounding = passage_storage::privacy::setting(&mut c, "disclosure_rounding").await?;
        let d = DisclosureRules::default();
        let threshold = threshold.and_then(|t| t.parse().ok()).unwrap_or(d.threshold);
        let rounding = rounding.and_then(|r| r.parse().ok()).filter(|r| *r > 1);
        Ok(DisclosureRules::new(threshold, rounding).unwrap_or(d))
    }

    /// Change the disclosure rules (from the command line, or an administrator). Audited.
    pub async fn set_disclosure_rules(
        &self,
        actor: Option<&Actor>,
        threshold: u64,
        rounding: Option<u64>,
    ) -> ServiceResult<DisclosureRules> {
        if let Some(a) = actor {
            access::require(a, Action::ManageOffices)?;
        }
        let rules = DisclosureRules::new(threshold, rounding)
            .ok_or_else(|| passage_domain::FieldError::new("threshold", "err-disclosure-rules").with("threshold", threshold))?;
        let before = self.disclosure_rules().await?;
        let mut tx = self.db.begin().await?;
        passage_storage::privacy::set_setting(&mut tx, "disclosure_threshold", &threshold.to_string()).await?;
        passage_storage::privacy::set_setting(&mut tx, "disclosure_rounding", &rounding.unwrap_or(0).to_string()).await?;
        let changes = serde_json::json!({
            "threshold": [before.threshold, threshold],
            "rounding": [before.rounding_base, rounding],
        });
        crate::audit::record(&mut tx, actor, "settings.disclosure", "settings:disclosure".into(), None, changes).await?;
        tx.commit().await?;
        Ok(rules)
    }

    async fn figures_of(&self, code: &str, office: Option<&str>) -> ServiceResult<ProgrammeFigures> {
        let rules = self.disclosure_rules().await?;
        let mut c = self.db.replica().acquire().await?;
        let programme = store::get_programme(&mut c, code.trim()).await?.ok_or(ServiceError::NotFound)?;
        let indicators = store::indicators(&mut c, &programme.id).await?;
        let offices = passage_storage::registry::list_offices(&mut c).await?;
        let office = match office {
            Some(code) => Some(offices.iter().find(|o| o.code.eq_ignore_ascii_case(code.trim())).ok_or(ServiceError::NotFound)?.id),
            None => None,
        };
        // Figures narrowed to an office are computed from that office's records only.
        let office_of: BTreeMap<_, _> = offices
            .iter()
            .filter(|o| office.is_none_or(|id| id == o.id))
            .map(|o| (o.id, (o.country.to_string(), o.code.clone())))
            .collect();
        let (from, until) = (programme.starts_on, programme.ends_on);
        let mut out = Vec::new();
        for ind in indicators {
            let figures = if ind.definition.measure.counts_persons() {
                // The live summary, kept up to date on every write (see `passage_storage::analytics`).
                let m = passage_storage::analytics::marginals(&mut c, &programme.id, &ind.code).await?;
                persons_figures(ind, &m, &office_of, &rules)
            } else {
                let sums = store::office_sums(&mut c, ind.definition.measure, from, until).await?;
                let cells: Vec<_> =
                    sums.iter().filter_map(|s| office_of.get(&s.office).map(|o| (o.clone(), s.total.max(0) as u64))).collect();
                let by_office = office_breakdown(&cells, None);
                indicator_figures(ind, by_office, None)
            };
            out.push(figures);
        }
        // Returns are planned by the office that moves people; an office's dashboard shows its own.
        let returns = store::returns_by_month(&mut c, from, until, office).await?;
        let movements_by_month = returns.iter().map(|(m, n, _)| (m.clone(), *n)).collect();
        let returnees = vec![returns.iter().map(|(_, _, t)| (*t).max(0) as u64).collect::<Vec<_>>()];
        let returnees_by_month = Breakdown {
            rows: vec!["returnees".into()],
            columns: returns.iter().map(|(m, _, _)| m.clone()).collect(),
            table: protect(&returnees, &rules),
        };
        Ok(ProgrammeFigures {
            office: office.and_then(|id| offices.iter().find(|o| o.id == id)).map(|o| o.code.clone()),
            programme,
            rules,
            from,
            until,
            sustainable_share: SustainableShare::of(&out),
            indicators: out,
            movements_by_month,
            returnees_by_month,
        })
    }
}

/// Countries × offices from (country, office code) cells; protected when `rules` are given.
fn office_breakdown(cells: &[((String, String), u64)], rules: Option<&DisclosureRules>) -> Breakdown {
    let mut countries: Vec<String> = cells.iter().map(|((c, _), _)| c.clone()).collect();
    countries.sort();
    countries.dedup();
    let mut offices: Vec<(String, String)> = cells.iter().map(|(k, _)| k.clone()).collect();
    offices.sort();
    offices.dedup();
    let mut counts = vec![vec![0u64; offices.len()]; countries.len()];
    for (k, n) in cells {
        let i = countries.iter().position(|c| *c == k.0).expect("listed");
        let j = offices.iter().position(|o| o == k).expect("listed");
        counts[i][j] += n;
    }
    let table = match rules {
        Some(r) => protect(&counts, r),
        None => exact(&counts),
    };
    Breakdown { rows: countries, columns: offices.into_iter().map(|(_, code)| code).collect(), table }
}

/// A table published as it is, with its margins.
fn exact(counts: &[Vec<u64>]) -> ProtectedTable {
    let cols = counts.first().map_or(0, Vec::len);
    let f = Figure::Count;
    ProtectedTable {
        cells: counts.iter().map(|r| r.iter().map(|n| f(*n)).collect()).collect(),
        row_totals: counts.iter().map(|r| f(r.iter().sum())).collect(),
        column_totals: (0..cols).map(|j| f(counts.iter().map(|r| r[j]).sum())).collect(),
        total: f(counts.iter().flatten().sum()),
    }
}

fn persons_figures(
    ind: IndicatorRecord,
    m: &Marginals,
    office_of: &BTreeMap<passage_domain::ids::OfficeId, (String, String)>,
    rules: &DisclosureRules,
) -> IndicatorFigures {
    let mut by_office: BTreeMap<(String, String), u64> = BTreeMap::new();
    let sexes: Vec<&str> = Sex::ALL.iter().map(|s| s.as_str()).collect();
    let mut sex_age = vec![vec![0u64; AgeGroup::ALL.len()]; sexes.len()];
    let mut vuln = vec![0u64; VULNERABILITY_ORDER.len() + 1];
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    // Narrowed to one office: the others' persons are not in these figures.
    let n = |v: &i64| (*v).max(0) as u64;
    for ((office, month), v) in &m.by_month {
        let Some(o) = office_of.get(office) else { continue };
        // Every counted person has exactly one month: the months make the office totals.
        *by_office.entry(o.clone()).or_default() += n(v);
        *months.entry(month.clone()).or_default() += n(v);
    }
    for ((office, sex, age), v) in &m.by_sex_age {
        if !office_of.contains_key(office) {
            continue;
        }
        let ai = AgeGroup::ALL.iter().position(|a| a == age).expect("every group is listed");
        if let Some(si) = sexes.iter().position(|s| s == sex) {
            sex_age[si][ai] += n(v);
        }
    }
    for ((office, rank), v) in &m.by_vulnerability {
        if office_of.contains_key(office) {
            vuln[rank.unwrap_or(VULNERABILITY_ORDER.len()).min(VULNERABILITY_ORDER.len())] += n(v);
        }
    }
    let cells: Vec<_> = by_office.into_iter().collect();
    let mut office = office_breakdown(&cells, Some(rules));
    let mut sex_age = Breakdown {
        rows: sexes.iter().map(|s| s.to_string()).collect(),
        columns: AgeGroup::ALL.iter().map(|a| a.as_str().to_string()).collect(),
        table: protect(&sex_age, rules),
    };
    let mut columns: Vec<String> = VULNERABILITY_ORDER.iter().map(|v| v.as_str().to_string()).collect();
    columns.push("none".into());
    let mut vulnerability = Breakdown { rows: vec!["persons".into()], columns, table: protect(&[vuln], rules) };
    let mut by_month = Breakdown {
        rows: vec!["persons".into()],
        columns: months.keys().cloned().collect(),
        table: protect(&[months.values().copied().collect()], rules),
    };
    // One grand total for all four: suppressed everywhere if anywhere.
    let hidden = [&office, &sex_age, &vulnerability, &by_month].iter().any(|b| b.table.total == Figure::Suppressed);
    if hidden {
        for b in [&mut office, &mut sex_age, &mut vulnerability, &mut by_month] {
            b.table.total = Figure::Suppressed;
        }
    }
    indicator_figures(ind, office, Some((sex_age, vulnerability, by_month)))
}

/// An indicator's published figures; `persons` carries the breakdowns only
/// counts of persons have (and marks the figures as protected).
fn indicator_figures(ind: IndicatorRecord, by_office: Breakdown, persons: Option<(Breakdown, Breakdown, Breakdown)>) -> IndicatorFigures {
    let protected = persons.is_some();
    let (by_sex_age, by_vulnerability, by_month) = match persons {
        Some((a, b, c)) => (Some(a), Some(b), Some(c)),
        None => (None, None, None),
    };
    IndicatorFigures {
        total: by_office.table.total,
        by_office,
        by_sex_age,
        by_vulnerability,
        by_month,
        protected,
        code: ind.code,
        name_en: ind.name_en,
        name_fr: ind.name_fr,
        measure: ind.definition.measure,
        baseline: ind.baseline,
        target: ind.target,
    }
}

/// The figures as CSV: per indicator, the total (with its target), then each
/// country and each office. A suppressed value is an empty cell with
/// `suppressed` set, never a zero. With `hxl`, a hashtag row follows the header.
pub fn figures_csv(f: &ProgrammeFigures, hxl: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = vec![vec!["indicator", "indicator_name", "country", "office", "value", "target", "suppressed"]
        .into_iter()
        .map(String::from)
        .collect()];
    if hxl {
        rows.push(
            vec![
                "#indicator+code",
                "#indicator+name",
                "#country+code",
                "#org+office+code",
                "#indicator+value+num",
                "#indicator+target+num",
                "#meta+suppressed",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
        );
    }
    let value = |fig: Figure| match fig {
        Figure::Count(n) => (n.to_string(), String::new()),
        Figure::Suppressed => (String::new(), "yes".to_string()),
    };
    for ind in &f.indicators {
        let row = |country: &str, office: &str, fig: Figure, target: Option<i64>| {
            let (v, s) = value(fig);
            vec![
                ind.code.clone(),
                ind.name_en.clone(),
                country.to_string(),
                office.to_string(),
                v,
                target.map(|t| t.to_string()).unwrap_or_default(),
                s,
            ]
        };
        rows.push(row("", "", ind.total, ind.target));
        let b = &ind.by_office;
        for (i, country) in b.rows.iter().enumerate() {
            rows.push(row(country, "", b.table.row_totals[i], None));
            for (j, office) in b.columns.iter().enumerate() {
                // Offices of other countries are structural zeros, not figures.
                if b.table.cells[i][j] != Figure::Count(0) {
                    rows.push(row(country, office, b.table.cells[i][j], None));
                }
            }
        }
    }
    // The share sustainable, overall and by country of return (a ratio of
    // two protected counts above; blank and marked where either is suppressed).
    if let Some(share) = &f.sustainable_share {
        let name = "Share of returnees monitored whose reintegration is sustainable";
        let row = |country: &str, v: Option<f64>| {
            vec![
                "sustainable-share".to_string(),
                name.to_string(),
                country.to_string(),
                String::new(),
                v.map(|v| format!("{v:.3}")).unwrap_or_default(),
                String::new(),
                if v.is_none() { "yes".to_string() } else { String::new() },
            ]
        };
        rows.push(row("", share.total));
        for (country, v) in &share.by_country {
            rows.push(row(country, *v));
        }
    }
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
