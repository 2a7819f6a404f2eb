//! A programme as an IATI activity (standard 2.03): the reporting and
//! participating organisations, dates and status, recipient countries, the
//! budgets that belong to the programme, and one result per indicator with
//! its baseline, target and actual value — the same protected figures as the
//! dashboards, with an actual per country where disclosure control lets it
//! out. Elements are written in the order the schema's sequence requires;
//! tests validate the output against the official XSD.

use crate::access::{self, Action, Actor};
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::codes::CountryCode;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::disclosure::Figure;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io::Cursor;

/// Who reports: the organisation running Passage. IOM's identifier in the
/// IATI organisation registry by default (the seeds' programmes are IOM's);
/// a deployment sets its own in the settings (`iati_reporting_org_ref`, `iati_reporting_org_name`).
const DEFAULT_ORG_REF: &str = "XM-DAC-47066";
const DEFAULT_ORG_NAME: &str = "International Organization for Migration (IOM)";

type Xml = Writer<Cursor<Vec<u8>>>;
type XmlResult = std::io::Result<()>;

fn narrative(w: &mut Xml, en: &str, fr: Option<&str>) -> XmlResult {
    w.create_element("narrative").write_text_content(BytesText::new(en))?;
    if let Some(fr) = fr.filter(|f| !f.is_empty()) {
        w.create_element("narrative").with_attribute(("xml:lang", "fr")).write_text_content(BytesText::new(fr))?;
    }
    Ok(())
}

fn empty(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) -> XmlResult {
    w.create_element(name).with_attributes(attrs.iter().copied()).write_empty()?;
    Ok(())
}

impl Passage {
    /// The IATI activity XML of programme `code`.
    pub async fn programme_iati(&self, actor: &Actor, code: &str) -> ServiceResult<Vec<u8>> {
        access::require(actor, Action::ReadAggregates)?;
        let figures = self.programme_figures(actor, code).await?;
        let mut c = self.db.replica().acquire().await?;
        let budgets = passage_storage::budgets::budgets_of_programme(&mut c, &figures.programme.code).await?;
        let org_ref = passage_storage::privacy::setting_or_insert(&mut c, "iati_reporting_org_ref", || DEFAULT_ORG_REF.into()).await?;
        let org_name = passage_storage::privacy::setting_or_insert(&mut c, "iati_reporting_org_name", || DEFAULT_ORG_NAME.into()).await?;
        let today = Timestamp::now().date();
        write_activity(&figures, &budgets, &org_ref, &org_name, today)
            .map_err(|e| ServiceError::Operation(format!("cannot write the IATI file: {e}")))
    }
}

fn write_activity(
    f: &crate::figures::ProgrammeFigures,
    budgets: &[(passage_storage::budgets::BudgetRecord, passage_domain::budget::BudgetTable)],
    org_ref: &str,
    org_name: &str,
    today: CalendarDate,
) -> std::io::Result<Vec<u8>> {
    let p = &f.programme;
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let generated = format!("{}T00:00:00Z", today);
    w.create_element("iati-activities")
        .with_attributes([("version", "2.03"), ("generated-datetime", generated.as_str())])
        .write_inner_content(|w| {
            w.create_element("iati-activity")
                .with_attributes([("default-currency", "USD"), ("humanitarian", "1"), ("xml:lang", "en")])
                .write_inner_content(|w| {
                    w.create_element("iati-identifier").write_text_content(BytesText::new(&format!("{org_ref}-{}", p.code)))?;
                    w.create_element("reporting-org")
                        .with_attributes([("ref", org_ref), ("type", "40")])
                        .write_inner_content(|w| narrative(w, org_name, None))?;
                    w.create_element("title").write_inner_content(|w| narrative(w, &p.name, None))?;
                    w.create_element("description")
                        .with_attribute(("type", "1"))
                        .write_inner_content(|w| narrative(w, &p.purpose_en, Some(&p.purpose_fr)))?;
                    // Funding (1) and implementing (4) organisations.
                    w.create_element("participating-org")
                        .with_attributes([("role", "1"), ("type", "10")])
                        .write_inner_content(|w| narrative(w, &p.donor, None))?;
                    w.create_element("participating-org")
                        .with_attributes([("role", "4"), ("type", "40"), ("ref", org_ref)])
                        .write_inner_content(|w| narrative(w, org_name, None))?;
                    // 2 implementation, 3 finalisation (ended, still reporting).
                    empty(w, "activity-status", &[("code", if p.ends_on < today { "3" } else { "2" })])?;
                    empty(w, "activity-date", &[("iso-date", &p.starts_on.to_string()), ("type", "1")])?;
                    empty(w, "activity-date", &[("iso-date", &p.ends_on.to_string()), ("type", "3")])?;
                    // 4: multi-national.
                    empty(w, "activity-scope", &[("code", "4")])?;
                    let countries: Vec<CountryCode> = p.countries.iter().filter_map(|c| CountryCode::parse("", c).ok()).collect();
                    let share = if countries.is_empty() { 0.0 } else { 100.0 / countries.len() as f64 };
                    for (i, c) in countries.iter().enumerate() {
                        // Equal shares that add up to exactly 100.
                        let pct = if i + 1 == countries.len() { 100.0 - share * (countries.len() - 1) as f64 } else { share };
                        w.create_element("recipient-country")
                            .with_attributes([("code", c.alpha2()), ("percentage", format!("{pct:.2}").as_str())])
                            .write_inner_content(|w| narrative(w, &c.names().en, None))?;
                    }
                    // DAC 5-digit: 15190 Facilitation of orderly, safe, regular and responsible migration and mobility.
                    w.create_element("sector")
                        .with_attributes([("vocabulary", "1"), ("code", "15190"), ("percentage", "100")])
                        .write_inner_content(|w| {
                            narrative(w, "Facilitation of orderly, safe, regular and responsible migration and mobility", None)
                        })?;
                    for (b, table) in budgets {
                        let (start, end) = match b.year {
                            Some(y) => (format!("{y}-01-01"), format!("{y}-12-31")),
                            None => (p.starts_on.to_string(), p.ends_on.to_string()),
                        };
                        w.create_element("budget").with_attributes([("type", "1"), ("status", "1")]).write_inner_content(|w| {
                            empty(w, "period-start", &[("iso-date", &start)])?;
                            empty(w, "period-end", &[("iso-date", &end)])?;
                            w.create_element("value")
                                .with_attributes([("currency", "USD"), ("value-date", start.as_str())])
                                .write_text_content(BytesText::new(&table.grand_total().0.to_string()))?;
                            Ok(())
                        })?;
                    }
                    for ind in &f.indicators {
                        // Type 1: output. Aggregation: values add up across activities.
                        w.create_element("result").with_attributes([("type", "1"), ("aggregation-status", "1")]).write_inner_content(
                            |w| {
                                w.create_element("title").write_inner_content(|w| narrative(w, &ind.name_en, Some(&ind.name_fr)))?;
                                // Measure 1: unit; ascending: more is better.
                                w.create_element("indicator").with_attributes([("measure", "1"), ("ascending", "1")]).write_inner_content(
                                    |w| {
                                        w.create_element("title")
                                            .write_inner_content(|w| narrative(w, &ind.name_en, Some(&ind.name_fr)))?;
                                        let year = p.starts_on.year().to_string();
                                        empty(
                                            w,
                                            "baseline",
                                            &[
                                                ("year", &year),
                                                ("iso-date", &p.starts_on.to_string()),
                                                ("value", &ind.baseline.to_string()),
                                            ],
                                        )?;
                                        w.create_element("period").write_inner_content(|w| {
                                            empty(w, "period-start", &[("iso-date", &p.starts_on.to_string())])?;
                                            empty(w, "period-end", &[("iso-date", &p.ends_on.to_string())])?;
                                            if let Some(t) = ind.target {
                                                empty(w, "target", &[("value", &t.to_string())])?;
                                            }
                                            match ind.total {
                                                Figure::Count(n) => empty(w, "actual", &[("value", &n.to_string())])?,
                                                // A suppressed actual is left out: IATI has no mark for it.
                                                Figure::Suppressed => {}
                                            }
                                            let b = &ind.by_office;
                                            for (i, country) in b.rows.iter().enumerate() {
                                                if let (Figure::Count(n), Ok(c)) = (b.table.row_totals[i], CountryCode::parse("", country))
                                                {
                                                    w.create_element("actual")
                                                        .with_attribute(("value", n.to_string().as_str()))
                                                        .write_inner_content(|w| {
                                                            empty(w, "dimension", &[("name", "country"), ("value", c.alpha2())])
                                                        })?;
                                                }
                                            }
                                            Ok(())
                                        })?;
                                        Ok(())
                                    },
                                )?;
                                Ok(())
                            },
                        )?;
                    }
                    // The share sustainable: an outcome (type 2) in percent
                    // (measure 2), which does not add up across activities.
                    if let Some(share) = &f.sustainable_share {
                        let (en, fr) = (
                            "Share of returnees monitored whose reintegration is sustainable",
                            "Part des personnes de retour suivies dont la réintégration est durable",
                        );
                        let pct = |v: f64| format!("{:.1}", v * 100.0);
                        w.create_element("result").with_attributes([("type", "2"), ("aggregation-status", "0")]).write_inner_content(
                            |w| {
                                w.create_element("title").write_inner_content(|w| narrative(w, en, Some(fr)))?;
                                w.create_element("indicator").with_attributes([("measure", "2"), ("ascending", "1")]).write_inner_content(
                                    |w| {
                                        w.create_element("title").write_inner_content(|w| narrative(w, en, Some(fr)))?;
                                        w.create_element("period").write_inner_content(|w| {
                                            empty(w, "period-start", &[("iso-date", &p.starts_on.to_string())])?;
                                            empty(w, "period-end", &[("iso-date", &p.ends_on.to_string())])?;
                                            if let Some(v) = share.total {
                                                empty(w, "actual", &[("value", &pct(v))])?;
                                            }
                                            for (country, v) in &share.by_country {
                                                if let (Some(v), Ok(c)) = (v, CountryCode::parse("", country)) {
                                                    w.create_element("actual")
                                                        .with_attribute(("value", pct(*v).as_str()))
                                                        .write_inner_content(|w| {
                                                            empty(w, "dimension", &[("name", "country"), ("value", c.alpha2())])
                                                        })?;
                                                }
                                            }
                                            Ok(())
                                        })?;
                                        Ok(())
                                    },
                                )?;
                                Ok(())
                            },
                        )?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(w.into_inner().into_inner())
}
