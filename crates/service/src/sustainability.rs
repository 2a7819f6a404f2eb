//! Reintegration sustainability as use cases: import a scoring scheme from
//! the table an officer filled in a spreadsheet (whole or not at all), list
//! and show schemes, make one active for a programme (audited), score the
//! survey of a visit under the active scheme, and rescore every stored
//! survey under another scheme while keeping the old scores. Until an
//! organisation imports its own, the shipped default scheme is active, and
//! labelled as not being anyone's official index.

use crate::error::{shortened, FileProblem, ServiceError, ServiceResult};
use crate::{audit, Passage};
use passage_domain::date::Timestamp;
use passage_domain::ids::OfficeId;
use passage_domain::sustainability::{Scheme, SchemeProblem, SchemeRef, SchemeRow, COLUMNS, DEFAULT_SCHEME_ID, DEFAULT_SCHEME_VERSION};
use passage_storage::sustainability as store;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The shipped scheme's table: three dimensions, equal weights. Also the
/// example of the format (docs/reintegration.md).
pub const DEFAULT_SCHEME_CSV: &str = include_str!("../schemes/passage-default.csv");
const DEFAULT_SOURCE: &str = "Passage default, equal weights; not an official index";
const DEFAULT_THRESHOLD: f64 = 0.5;

fn file_problem(p: SchemeProblem) -> FileProblem {
    FileProblem {
        line: p.line,
        column: p.column.map(str::to_string),
        value: p.value.as_deref().map(shortened),
        reason: p.reason,
        error: None,
    }
}

fn whole(reason: impl Into<String>) -> SchemeProblem {
    SchemeProblem { line: 0, column: None, value: None, reason: reason.into() }
}

/// The rows of a scheme table: UTF-8 (with or without a byte-order mark),
/// UTF-16 or Latin-1; commas, semicolons or tabs; any line endings. The
/// header names the ten columns (extra columns are ignored).
pub fn read_scheme_table(bytes: &[u8]) -> Result<Vec<SchemeRow>, Vec<SchemeProblem>> {
    let text = crate::tables::decode(bytes).map_err(|e| vec![whole(e)])?;
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else { return Err(vec![whole("the file is empty")]) };
    let delimiter = crate::tables::guess_delimiter(first);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut header: Option<[usize; 10]> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                return Err(vec![SchemeProblem { line, column: None, value: None, reason: format!("not readable as CSV: {e}") }]);
            }
        };
        // The line the record starts on, counted in the text itself: after a
        // CRLF or blank lines the csv crate puts a record's start on a line
        // ending before it, so skip those first.
        let bytes = text.as_bytes();
        let line = record
            .position()
            .map(|p| {
                let mut at = (p.byte() as usize).min(bytes.len());
                while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                    at += 1;
                }
                bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
            })
            .unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match header {
            None => {
                let names: Vec<String> = record.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
                let mut at = [0usize; 10];
                for (k, column) in COLUMNS.iter().enumerate() {
                    match names.iter().filter(|n| n == column).count() {
                        1 => at[k] = names.iter().position(|n| n == column).expect("counted"),
                        0 => problems.push(SchemeProblem {
                            line,
                            column: Some(column),
                            value: None,
                            reason: format!("the header has no column {column}; it needs: {}", COLUMNS.join(",")),
                        }),
                        _ => problems.push(SchemeProblem {
                            line,
                            column: Some(column),
                            value: None,
                            reason: "this column is in the header twice".into(),
                        }),
                    }
                }
                if !problems.is_empty() {
                    return Err(problems);
                }
                header = Some(at);
            }
            Some(at) => {
                let cells = at.map(|i| record.get(i).unwrap_or("").to_string());
                rows.push(SchemeRow { line, cells });
            }
        }
    }
    if header.is_none() {
        return Err(vec![whole("the file is empty")]);
    }
    Ok(rows)
}

/// The shipped scheme.
pub fn default_scheme() -> Scheme {
    let rows = read_scheme_table(DEFAULT_SCHEME_CSV.as_bytes()).expect("the shipped table reads");
    let r = SchemeRef::new(DEFAULT_SCHEME_ID, DEFAULT_SCHEME_VERSION).expect("a valid name");
    Scheme::from_rows(r, DEFAULT_THRESHOLD, DEFAULT_SOURCE, &rows).expect("the shipped scheme is valid")
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct ImportedScheme {
    pub scheme: SchemeRef,
    /// False when the same scheme, same content, was imported already.
    pub new: bool,
    pub dimensions: usize,
    pub indicators: usize,
    pub answers: usize,
}

/// What a rescore did.
#[derive(Debug, Serialize)]
pub struct Rescored {
    pub scheme: SchemeRef,
    pub surveys: usize,
    /// Indicator → surveys whose answer to it the scheme cannot score.
    pub ignored: BTreeMap<String, usize>,
}

impl Passage {
    /// Import a scheme table as `id@version`: every problem listed and
    /// nothing written unless the whole table is valid; an id and version
    /// already imported with other content is refused.
    pub async fn import_scheme(
        &self,
        bytes: &[u8],
        id: &str,
        version: &str,
        threshold: f64,
        source: &str,
    ) -> ServiceResult<ImportedScheme> {
        let r = SchemeRef::new(id, version).map_err(ServiceError::Operation)?;
        if r.is_default() {
            return Err(ServiceError::Operation(format!("{DEFAULT_SCHEME_ID} is the shipped scheme's id; give yours another")));
        }
        let rows = read_scheme_table(bytes).map_err(|p| ServiceError::File(p.into_iter().map(file_problem).collect()))?;
        let scheme = Scheme::from_rows(r.clone(), threshold, source, &rows)
            .map_err(|p| ServiceError::File(p.into_iter().map(file_problem).collect()))?;
        let summary = |new| ImportedScheme {
            scheme: r.clone(),
            new,
            dimensions: scheme.dimensions.len(),
            indicators: scheme.indicators().count(),
            answers: scheme.indicators().map(|(_, i)| i.answers.len()).sum(),
        };
        let mut tx = self.db.begin().await?;
        if let Some(stored) = store::scheme(&mut tx, &r).await? {
            return if stored == scheme {
                Ok(summary(false))
            } else {
                Err(ServiceError::Conflict("this scheme id and version were imported with other content; a scheme is never changed: import the revision as a new version"))
            };
        }
        store::insert_scheme(&mut tx, &scheme, Timestamp::now()).await?;
        let out = summary(true);
        let changes = audit::created(&[
            ("threshold", json!(threshold)),
            ("source", json!(scheme.source)),
            ("dimensions", json!(out.dimensions)),
            ("indicators", json!(out.indicators)),
        ]);
        audit::record(&mut tx, None, "scheme.import", format!("scheme:{r}"), None, changes).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The shipped scheme is stored like any other, so that scores name a
    /// scheme that exists; done once, at start.
    pub async fn ensure_default_scheme(&self) -> ServiceResult<()> {
        let d = default_scheme();
        let mut tx = self.db.begin().await?;
        if store::scheme(&mut tx, &d.scheme).await?.is_none() {
            store::insert_scheme(&mut tx, &d, Timestamp::now()).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    pub async fn schemes(&self) -> ServiceResult<Vec<store::SchemeListing>> {
        let mut c = self.db.reader().acquire().await?;
        Ok(store::schemes(&mut c).await?)
    }

    pub async fn scheme(&self, r: &SchemeRef) -> ServiceResult<Scheme> {
        let mut c = self.db.reader().acquire().await?;
        store::scheme(&mut c, r).await?.ok_or(ServiceError::NotFound)
    }

    /// Make a scheme the one in use for a programme (its code; the default
    /// programme when none is given). Returns the scheme it replaces.
    pub async fn activate_scheme(&self, r: &SchemeRef, programme: Option<&str>) -> ServiceResult<Option<SchemeRef>> {
        let code = programme.unwrap_or(passage_domain::indicator::DEFAULT_PROGRAMME.code);
        let mut tx = self.db.begin().await?;
        let p = passage_storage::figures::get_programme(&mut tx, code)
            .await?
            .ok_or_else(|| ServiceError::Operation(format!("no programme {code:?} (see the programmes page)")))?;
        if store::scheme(&mut tx, r).await?.is_none() {
            return Err(ServiceError::Operation(format!("no scheme {r}: import it first (passage reintegration scheme import)")));
        }
        let before = store::activate(&mut tx, &p.id, r, Timestamp::now()).await?;
        let changes = json!({"scheme": [before.as_ref().map(|b| b.to_string()), r.to_string()], "programme": [null, code]});
        audit::record(&mut tx, None, "scheme.activate", format!("programme:{code}"), None, changes).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// The scheme a visit of `office` is scored with: the active one of the
    /// programme that covers the office's country (the first by code), else
    /// of the default programme, else the shipped one.
    pub(crate) async fn scheme_for_office(&self, c: &mut sqlx::AnyConnection, office: OfficeId) -> ServiceResult<Scheme> {
        self.scheme_for(c, Some(office)).await
    }

    /// The same, for no office in particular: the default programme's.
    pub(crate) async fn scheme_for(&self, c: &mut sqlx::AnyConnection, office: Option<OfficeId>) -> ServiceResult<Scheme> {
        let country = match office {
            Some(o) => passage_storage::registry::get_office(&mut *c, o).await?.map(|o| o.country.to_string()),
            None => None,
        };
        let programmes = passage_storage::figures::programmes(&mut *c).await?;
        let default_code = passage_domain::indicator::DEFAULT_PROGRAMME.code;
        let covering = programmes.iter().filter(|p| country.as_ref().is_some_and(|k| p.countries.contains(k)));
        let fallback = programmes.iter().filter(|p| p.code == default_code);
        for p in covering.chain(fallback) {
            if let Some(r) = store::active(&mut *c, &p.id).await? {
                if let Some(s) = store::scheme(&mut *c, &r).await? {
                    return Ok(s);
                }
            }
        }
        Ok(default_scheme())
    }

    /// The scheme the form of a visit asks (for the web form and XLSForm).
    pub async fn scheme_for_visit(&self, actor: &crate::access::Actor, visit: &str) -> ServiceResult<Scheme> {
        crate::access::require(actor, crate::access::Action::ReadCases)?;
        let mut c = self.db.reader().acquire().await?;
        let v = passage_storage::reintegration::get_visit(&mut c, &self.keys, visit.trim()).await?.ok_or(ServiceError::NotFound)?;
        if passage_storage::registry::get_case(&mut c, v.case_id, &crate::access::scope(actor)).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        self.scheme_for_office(&mut c, v.office_id).await
    }

    /// Score every stored survey again under `r`, keeping the old scores in
    /// the history; answers the scheme does not know become unanswered and
    /// are counted in the report. Audited.
    pub async fn rescore(&self, r: &SchemeRef) -> ServiceResult<Rescored> {
        let mut tx = self.db.begin().await?;
        let scheme = store::scheme(&mut tx, r)
            .await?
            .ok_or_else(|| ServiceError::Operation(format!("no scheme {r}: import it first (passage reintegration scheme import)")))?;
        let surveys = store::surveys(&mut tx, &self.keys).await?;
        let now = Timestamp::now();
        let mut ignored: BTreeMap<String, usize> = BTreeMap::new();
        for (visit, survey) in &surveys {
            let scores = scheme.score(survey);
            for i in &scores.ignored {
                *ignored.entry(i.clone()).or_default() += 1;
            }
            store::set_scores(&mut tx, visit, &scores, now).await?;
        }
        // Who is sustainable may have changed for anyone surveyed.
        passage_storage::analytics::rebuild(&mut tx).await?;
        let changes = json!({"scheme": [null, r.to_string()], "surveys": [null, surveys.len()], "ignored": [null, ignored]});
        audit::record(&mut tx, None, "scheme.rescore", format!("scheme:{r}"), None, changes).await?;
        tx.commit().await?;
        Ok(Rescored { scheme: r.clone(), surveys: surveys.len(), ignored })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scheme_reads_and_is_labelled() {
        let d = default_scheme();
        assert_eq!(d.dimensions.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["economic", "social", "psychosocial"]);
        assert!(d.indicators().count() >= 9);
        assert_eq!(d.label(), passage_domain::sustainability::DEFAULT_LABEL);
    }

    #[test]
    fn spreadsheet_dialects_read_alike() {
        let comma = DEFAULT_SCHEME_CSV.as_bytes().to_vec();
        let rows = read_scheme_table(&comma).unwrap();
        // A French spreadsheet: BOM, semicolons, decimal commas, Windows line endings, an extra column.
        let mut french = String::from("\u{feff}");
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(DEFAULT_SCHEME_CSV.as_bytes());
        let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        for (n, rec) in r.records().enumerate() {
            let mut cells: Vec<String> = rec.unwrap().iter().map(|c| c.replace("0.5", "0,5")).collect();
            cells.push(if n == 0 { "comment".into() } else { "ignored".into() });
            w.write_record(&cells).unwrap();
        }
        french.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        let frows = read_scheme_table(french.as_bytes()).unwrap();
        let a = Scheme::from_rows(SchemeRef::parse("x@1").unwrap(), 0.5, "c", &rows).unwrap();
        let b = Scheme::from_rows(SchemeRef::parse("x@1").unwrap(), 0.5, "c", &frows).unwrap();
        assert_eq!(a, b);
        // Lines as the spreadsheet shows them, whatever the line endings.
        let lines = |t: &str| read_scheme_table(t.as_bytes()).unwrap().iter().map(|r| r.line).collect::<Vec<_>>();
        let header = COLUMNS.join(",");
        let row = "d,1,i,1,a,1,q,q,a,a";
        assert_eq!(lines(&format!("{header}\r\n{row}\r\n\r\n{row}\r\n")), [2, 4]);
        assert_eq!(lines(&format!("{header}\n{row}\n\n{row}\n")), [2, 4]);
    }

    #[test]
    fn a_header_without_a_column_is_refused_by_name() {
        let p = read_scheme_table(b"dimension,dimension_weight,indicator\neconomic,1,income\n").unwrap_err();
        assert_eq!(p.len(), 7);
        assert_eq!(p[0].column, Some("indicator_weight"));
        assert_eq!(p[0].line, 1);
        assert!(read_scheme_table(b"").is_err() && read_scheme_table(b"\n\n").is_err());
    }
}

/// Which returnees the portfolio lists.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortfolioFilter {
    /// An office code; all the reader's offices when empty.
    pub office: String,
    /// A band (`low`, `fragile`, `moderate`, `strong`, `not_surveyed`); all when empty.
    #[param(schema_with = passage_domain::schema::code_or_empty::<passage_domain::sustainability::Band>)]
    pub band: String,
    /// Only those who need more support.
    pub needs_support: bool,
}

/// One returnee in the portfolio: the case (never the name) and how their reintegration stands.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioRow {
    pub case_id: passage_domain::ids::CaseId,
    pub reference: String,
    pub office_id: OfficeId,
    #[serde(flatten)]
    pub standing: passage_domain::sustainability::Standing,
}

#[derive(Debug, Clone, Serialize)]
pub struct Portfolio {
    /// Returnees per band, before the band and support filters.
    pub bands: BTreeMap<&'static str, usize>,
    pub needs_support: usize,
    pub rows: Vec<PortfolioRow>,
}

impl Passage {
    /// The returnees followed by the reader's offices, lowest band first,
    /// then those needing support, then the longest since return.
    pub async fn portfolio(&self, actor: &crate::access::Actor, filter: &PortfolioFilter) -> ServiceResult<Portfolio> {
        use passage_domain::policy::{Offices, Permission};
        use passage_domain::sustainability::{standing, Band};
        let rights = actor.rights();
        let mut offices = rights.offices(Permission::ManageReintegration);
        offices.union(&rights.offices(Permission::ReadCases));
        if matches!(&offices, Offices::Only(s) if s.is_empty()) {
            return Err(ServiceError::Forbidden("see the reintegration portfolio"));
        }
        let band =
            match filter.band.trim() {
                "" => None,
                b => Some(Band::parse(b).ok_or_else(|| {
                    passage_domain::FieldError::new("band", "err-unknown-choice").with("value", crate::error::shortened(b))
                })?),
            };
        let mut c = self.db.reader().acquire().await?;
        if !filter.office.trim().is_empty() {
            let office = passage_storage::registry::get_office_by_code(&mut c, filter.office.trim()).await?;
            // A filter: an office the reader does not follow (or that does not exist) has no returnees for them.
            offices = match office {
                Some(o) if offices.contains(o.id) => Offices::Only([o.id].into()),
                _ => Offices::Only(Default::default()),
            };
        }
        let today = passage_domain::date::CalendarDate::today();
        let cases = store::portfolio(&mut c, &offices, today).await?;
        drop(c);
        let mut rows: Vec<PortfolioRow> = cases
            .into_iter()
            .map(|p| PortfolioRow {
                case_id: p.case_id,
                reference: p.reference,
                office_id: p.office_id,
                standing: standing(p.summary, today),
            })
            .collect();
        let mut bands: BTreeMap<&'static str, usize> = Band::ALL.iter().map(|b| (b.as_str(), 0)).collect();
        for r in &rows {
            *bands.entry(r.standing.band.as_str()).or_default() += 1;
        }
        let needs_support = rows.iter().filter(|r| r.standing.needs_support).count();
        rows.retain(|r| band.is_none_or(|b| r.standing.band == b) && (!filter.needs_support || r.standing.needs_support));
        rows.sort_by(|a, b| {
            (a.standing.band, !a.standing.needs_support, std::cmp::Reverse(a.standing.months_since_return), &a.reference).cmp(&(
                b.standing.band,
                !b.standing.needs_support,
                std::cmp::Reverse(b.standing.months_since_return),
                &b.reference,
            ))
        });
        Ok(Portfolio { bands, needs_support, rows })
    }
}

/// The portfolio as CSV, with HXL hashtags on the second row.
pub fn portfolio_csv(p: &Portfolio) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "case_reference",
        "band",
        "composite",
        "sustainable",
        "weak_dimensions",
        "falling",
        "needs_support",
        "months_since_return",
        "overdue_visits",
        "scheme",
    ]);
    let _ = w.write_record([
        "#case+code",
        "#indicator+band",
        "#indicator+composite",
        "#indicator+sustainable",
        "#indicator+weak",
        "#indicator+falling",
        "#indicator+support",
        "#date+months_since_return",
        "#indicator+visits+overdue",
        "#meta+scheme",
    ]);
    for r in &p.rows {
        let s = &r.standing;
        let latest = s.latest.as_ref();
        let _ = w.write_record([
            r.reference.clone(),
            s.band.as_str().to_string(),
            latest.and_then(|l| l.composite).map(|c| format!("{c:.6}")).unwrap_or_default(),
            latest.and_then(|l| l.sustainable).map(|b| b.to_string()).unwrap_or_default(),
            s.weak_dimensions.join(" "),
            s.falling.to_string(),
            s.needs_support.to_string(),
            s.months_since_return.map(|m| m.to_string()).unwrap_or_default(),
            s.overdue_visits.to_string(),
            latest.map(|l| l.scheme_label()).unwrap_or_default(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The form id of the sustainability survey served to ODK Collect. Its
/// version is the scheme's `ID@VERSION`, so a submission says which scheme
/// its questions came from.
pub const SURVEY_FORM_ID: &str = "passage_sustainability_survey";

fn xml(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The XForm of a scheme's survey, as pyxform writes one from
/// [`survey_xlsform`]: the case reference, the date, notes, and one
/// question per indicator in a `survey` group, in English and French.
pub fn survey_xform(scheme: &Scheme) -> String {
    let id = SURVEY_FORM_ID;
    let version = scheme.scheme.to_string();
    let lists: Vec<(&passage_domain::sustainability::Dimension, &passage_domain::sustainability::Indicator)> =
        scheme.indicators().collect();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\"?>\n<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\" xmlns:ev=\"http://www.w3.org/2001/xml-events\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\" xmlns:odk=\"http://www.opendatakit.org/xforms\">\n");
    out.push_str("  <h:head>\n    <h:title>Reintegration sustainability survey / Enquête de durabilité de la réintégration</h:title>\n    <model odk:xforms-version=\"1.0.0\">\n      <itext>\n");
    for (lang, default, fr) in [("English (en)", " default=\"true()\"", false), ("Français (fr)", "", true)] {
        out.push_str(&format!("        <translation lang=\"{lang}\"{default}>\n"));
        let text = |out: &mut String, tid: &str, v: &str| {
            out.push_str(&format!("          <text id=\"{tid}\">\n            <value>{}</value>\n          </text>\n", xml(v)))
        };
        for (_, i) in &lists {
            for (k, a) in i.answers.iter().enumerate() {
                text(&mut out, &format!("{}-{k}", i.code), if fr { &a.label_fr } else { &a.label_en });
            }
        }
        let fixed: [(&str, &str, &str); 6] = [
            ("case_reference:jr:constraintMsg", "Write it as OFFICE-YEAR-NUMBER in capital letters, with the six-digit number, e.g. GIN-CKY-2026-000123.", "Écrivez-la sous la forme BUREAU-ANNÉE-NUMÉRO en majuscules, avec le numéro à six chiffres, par exemple GIN-CKY-2026-000123."),
            ("case_reference:label", "Case reference", "Référence du dossier"),
            ("done_on:jr:constraintMsg", "The date cannot be in the future.", "La date ne peut pas être dans le futur."),
            ("done_on:label", "Date of the visit", "Date de la visite"),
            ("notes:label", "Notes", "Remarques"),
            ("survey:label", "Sustainability survey", "Enquête de durabilité"),
        ];
        for (path, en, fr_text) in fixed {
            text(&mut out, &format!("/{id}/{path}"), if fr { fr_text } else { en });
        }
        for (_, i) in &lists {
            text(&mut out, &format!("/{id}/survey/{}:label", i.code), if fr { &i.question_fr } else { &i.question_en });
        }
        out.push_str("        </translation>\n");
    }
    out.push_str("      </itext>\n      <instance>\n");
    out.push_str(&format!("        <{id} id=\"{id}\" version=\"{}\">\n          <case_reference/>\n          <done_on/>\n          <notes/>\n          <survey>\n", xml(&version)));
    for (_, i) in &lists {
        out.push_str(&format!("            <{}/>\n", i.code));
    }
    out.push_str(&format!(
        "          </survey>\n          <meta>\n            <instanceID/>\n          </meta>\n        </{id}>\n      </instance>\n"
    ));
    for (_, i) in &lists {
        out.push_str(&format!("      <instance id=\"{}\">\n        <root>\n", i.code));
        for (k, a) in i.answers.iter().enumerate() {
            out.push_str(&format!(
                "          <item>\n            <itextId>{}-{k}</itextId>\n            <name>{}</name>\n          </item>\n",
                i.code, a.code
            ));
        }
        out.push_str("        </root>\n      </instance>\n");
    }
    out.push_str(&format!("      <bind nodeset=\"/{id}/case_reference\" type=\"string\" required=\"true()\" constraint=\"regex(., '^[A-Z0-9-]{{2,16}}-[0-9]{{4}}-[0-9]{{6}}$')\" jr:constraintMsg=\"jr:itext('/{id}/case_reference:jr:constraintMsg')\"/>\n"));
    out.push_str(&format!("      <bind nodeset=\"/{id}/done_on\" type=\"date\" required=\"true()\" constraint=\". &lt;= today()\" jr:constraintMsg=\"jr:itext('/{id}/done_on:jr:constraintMsg')\"/>\n"));
    out.push_str(&format!("      <setvalue ref=\"/{id}/done_on\" event=\"odk-instance-first-load\" value=\"today()\"/>\n"));
    out.push_str(&format!("      <bind nodeset=\"/{id}/notes\" type=\"string\"/>\n"));
    for (_, i) in &lists {
        out.push_str(&format!("      <bind nodeset=\"/{id}/survey/{}\" type=\"string\"/>\n", i.code));
    }
    out.push_str(&format!("      <bind nodeset=\"/{id}/meta/instanceID\" type=\"string\" readonly=\"true()\" jr:preload=\"uid\"/>\n    </model>\n  </h:head>\n  <h:body>\n"));
    out.push_str(&format!(
        "    <input ref=\"/{id}/case_reference\">\n      <label ref=\"jr:itext('/{id}/case_reference:label')\"/>\n    </input>\n"
    ));
    out.push_str(&format!("    <input ref=\"/{id}/done_on\">\n      <label ref=\"jr:itext('/{id}/done_on:label')\"/>\n    </input>\n"));
    out.push_str(&format!(
        "    <input ref=\"/{id}/notes\" appearance=\"multiline\">\n      <label ref=\"jr:itext('/{id}/notes:label')\"/>\n    </input>\n"
    ));
    out.push_str(&format!("    <group ref=\"/{id}/survey\">\n      <label ref=\"jr:itext('/{id}/survey:label')\"/>\n"));
    for (_, i) in &lists {
        out.push_str(&format!(
            "      <select1 ref=\"/{id}/survey/{c}\">\n        <label ref=\"jr:itext('/{id}/survey/{c}:label')\"/>\n        <itemset nodeset=\"instance('{c}')/root/item\">\n          <value ref=\"name\"/>\n          <label ref=\"jr:itext(itextId)\"/>\n        </itemset>\n      </select1>\n",
            c = i.code
        ));
    }
    out.push_str("    </group>\n  </h:body>\n</h:html>\n");
    out
}

/// The same survey as an XLSForm (survey, choices and settings sheets), for
/// an organisation that serves its forms from KoboToolbox or ODK Central.
pub fn survey_xlsform(scheme: &Scheme) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::Workbook;
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let survey = book.add_worksheet().set_name("survey").map_err(err)?;
    let header = [
        "type",
        "name",
        "label::English (en)",
        "label::Français (fr)",
        "required",
        "constraint",
        "constraint_message::English (en)",
        "constraint_message::Français (fr)",
        "appearance",
        "default",
    ];
    for (c, h) in header.iter().enumerate() {
        survey.write_string(0, c as u16, *h).map_err(err)?;
    }
    let mut rows: Vec<[String; 10]> = vec![
        [
            "text",
            "case_reference",
            "Case reference",
            "Référence du dossier",
            "yes",
            "regex(., '^[A-Z0-9-]{2,16}-[0-9]{4}-[0-9]{6}$')",
            "Write it as OFFICE-YEAR-NUMBER in capital letters, with the six-digit number, e.g. GIN-CKY-2026-000123.",
            "Écrivez-la sous la forme BUREAU-ANNÉE-NUMÉRO en majuscules, avec le numéro à six chiffres, par exemple GIN-CKY-2026-000123.",
            "",
            "",
        ]
        .map(String::from),
        [
            "date",
            "done_on",
            "Date of the visit",
            "Date de la visite",
            "yes",
            ". <= today()",
            "The date cannot be in the future.",
            "La date ne peut pas être dans le futur.",
            "",
            "today()",
        ]
        .map(String::from),
        ["text", "notes", "Notes", "Remarques", "", "", "", "", "multiline", ""].map(String::from),
        ["begin_group", "survey", "Sustainability survey", "Enquête de durabilité", "", "", "", "", "", ""].map(String::from),
    ];
    for (_, i) in scheme.indicators() {
        rows.push([
            format!("select_one {}", i.code),
            i.code.clone(),
            i.question_en.clone(),
            i.question_fr.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    rows.push(["end_group", "", "", "", "", "", "", "", "", ""].map(String::from));
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            survey.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    let choices = book.add_worksheet().set_name("choices").map_err(err)?;
    for (c, h) in ["list_name", "name", "label::English (en)", "label::Français (fr)"].iter().enumerate() {
        choices.write_string(0, c as u16, *h).map_err(err)?;
    }
    let mut r = 1;
    for (_, i) in scheme.indicators() {
        for a in &i.answers {
            for (c, v) in [&i.code, &a.code, &a.label_en, &a.label_fr].iter().enumerate() {
                choices.write_string(r, c as u16, v.as_str()).map_err(err)?;
            }
            r += 1;
        }
    }
    let settings = book.add_worksheet().set_name("settings").map_err(err)?;
    let version = scheme.scheme.to_string();
    for (c, (h, v)) in [
        ("form_title", "Reintegration sustainability survey / Enquête de durabilité de la réintégration"),
        ("form_id", SURVEY_FORM_ID),
        ("version", version.as_str()),
        ("default_language", "English (en)"),
        ("name", SURVEY_FORM_ID),
    ]
    .iter()
    .enumerate()
    {
        settings.write_string(0, c as u16, *h).map_err(err)?;
        settings.write_string(1, c as u16, *v).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod survey_form_tests {
    use super::*;

    /// pyxform (the reference XLSForm converter) makes of our XLSForm a form
    /// of the same shape as our XForm, and ODK Validate (JavaRosa, the engine
    /// inside Collect) accepts both.
    #[test]
    fn the_survey_xform_is_what_pyxform_makes_of_the_xlsform_and_validates() {
        let venv = std::env::var("PASSAGE_TEST_VENV").expect("PASSAGE_TEST_VENV is unset: run the tests with ./scripts/test");
        let dir = std::env::temp_dir().join(format!("passage-survey-form-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let table =
            "dimension,dimension_weight,indicator,indicator_weight,answer,answer_score,question_en,question_fr,answer_en,answer_fr\n\
            work,0.6,job,1,stable,1,Do you work & earn?,Travaillez-vous ?,Stable <work>,Travail stable\n\
            work,0.6,job,1,none,0,Do you work & earn?,Travaillez-vous ?,None,Aucun\n\
            people,0.4,network,1,many,1,\"Who helps you, if needed?\",Qui vous aide ?,Many,Beaucoup\n\
            people,0.4,network,1,few,0.3,\"Who helps you, if needed?\",Qui vous aide ?,Few,Peu\n";
        let custom =
            Scheme::from_rows(SchemeRef::parse("rss@2").unwrap(), 0.6, "test", &read_scheme_table(table.as_bytes()).unwrap()).unwrap();
        for scheme in [default_scheme(), custom] {
            let xlsx = dir.join(format!("{}.xlsx", scheme.scheme.id));
            std::fs::write(&xlsx, survey_xlsform(&scheme).unwrap()).unwrap();
            let theirs = dir.join(format!("{}-pyxform.xml", scheme.scheme.id));
            let ours = dir.join(format!("{}-ours.xml", scheme.scheme.id));
            let xform = survey_xform(&scheme);
            std::fs::write(&ours, &xform).unwrap();
            let script = "import sys\nfrom pyxform.xls2xform import convert\nw = []\nr = convert(xlsform=sys.argv[1], validate=False, pretty_print=True, warnings=w)\n\
                if w: sys.exit('pyxform warnings: ' + '; '.join(w))\nopen(sys.argv[2], 'w', encoding='utf-8').write(r.xform)\n";
            let o = std::process::Command::new(format!("{venv}/bin/python")).args(["-c", script]).arg(&xlsx).arg(&theirs).output().unwrap();
            assert!(o.status.success(), "pyxform: {}", String::from_utf8_lossy(&o.stderr));
            let jar = std::process::Command::new(format!("{venv}/bin/python"))
                .args(["-c", "from pyxform.validators.odk_validate import ODK_VALIDATE_PATH; print(ODK_VALIDATE_PATH)"])
                .output()
                .unwrap();
            let jar = String::from_utf8_lossy(&jar.stdout).trim().to_string();
            for file in [&theirs, &ours] {
                let v = std::process::Command::new("java").args(["-Djava.awt.headless=true", "-jar", &jar]).arg(file).output().unwrap();
                assert!(
                    v.status.success() && v.stderr.is_empty(),
                    "ODK Validate refuses {}: {}{}",
                    file.display(),
                    String::from_utf8_lossy(&v.stdout),
                    String::from_utf8_lossy(&v.stderr)
                );
            }
            let form = |x: String| crate::fieldforms::FieldForm {
                id: SURVEY_FORM_ID,
                title_en: "",
                title_fr: "",
                xform: Box::leak(x.into_boxed_str()),
                media: &[],
                needs: passage_domain::policy::Permission::ManageReintegration,
            };
            let (a, b) = (form(std::fs::read_to_string(&theirs).unwrap()), form(xform.clone()));
            assert_eq!(crate::fieldforms::instance_paths(&a), crate::fieldforms::instance_paths(&b));
            assert_eq!(
                format!("{:?}", crate::fieldforms::read_shape_of(&a)),
                format!("{:?}", crate::fieldforms::read_shape_of(&b)),
                "{}",
                scheme.scheme
            );
            assert_eq!(a.version(), scheme.scheme.to_string());
            assert!(crate::fieldforms::instance_paths(&b).contains(&"survey/income".to_string()) || scheme.scheme.id != "passage-default");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
