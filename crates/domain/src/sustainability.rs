//! Reintegration sustainability: a scoring scheme the organisation owns, the
//! survey answered at a monitoring visit, and the scores that follow.
//!
//! A scheme groups indicators in dimensions (economic, social,
//! psychosocial…); each answer of an indicator scores in [0, 1]; indicator
//! weights sum to 1 within a dimension and dimension weights to 1 in all.
//! Passage does not hard-code anyone's index: a scheme is data, checked here
//! row by row so that every problem of an imported table is listed at once,
//! and never changed once stored (a revision is a new version). Scores
//! renormalise over what was answered, so an unanswered indicator neither
//! counts as 0 nor blocks the visit.

use crate::error::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the shipped scheme is called wherever it appears: it is not anyone's official index.
pub const DEFAULT_LABEL: &str = "Passage default, equal weights; not an official index";
pub const DEFAULT_SCHEME_ID: &str = "passage-default";
pub const DEFAULT_SCHEME_VERSION: &str = "1";

/// How far a sum of weights may be from 1.
pub const TOLERANCE: f64 = 1e-6;

/// The columns of a scheme table, in the order the header must give them.
pub const COLUMNS: [&str; 10] = [
    "dimension",
    "dimension_weight",
    "indicator",
    "indicator_weight",
    "answer",
    "answer_score",
    "question_en",
    "question_fr",
    "answer_en",
    "answer_fr",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub code: String,
    pub score: f64,
    pub label_en: String,
    pub label_fr: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub weight: f64,
    pub question_en: String,
    pub question_fr: String,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub code: String,
    pub weight: f64,
    pub indicators: Vec<Indicator>,
}

/// A scheme's identity: `ID@VERSION`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SchemeRef {
    pub id: String,
    pub version: String,
}

impl SchemeRef {
    /// `id` of lower-case letters, digits, `_` and `-`; `version` of letters, digits, `.`, `_`, `-`.
    pub fn new(id: &str, version: &str) -> Result<SchemeRef, String> {
        let (id, version) = (id.trim(), version.trim());
        let id_ok =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !id_ok {
            return Err(format!("scheme id {id:?}: 1 to 64 of a-z, 0-9, _ and -"));
        }
        let version_ok = !version.is_empty()
            && version.len() <= 32
            && version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !version_ok {
            return Err(format!("scheme version {version:?}: 1 to 32 of letters, digits, ., _ and -"));
        }
        Ok(SchemeRef { id: id.to_string(), version: version.to_string() })
    }

    /// `ID@VERSION` as a user writes it.
    pub fn parse(s: &str) -> Result<SchemeRef, String> {
        match s.trim().split_once('@') {
            Some((id, version)) => SchemeRef::new(id, version),
            None => Err(format!("{s:?}: write the scheme as ID@VERSION, e.g. rss@2")),
        }
    }

    pub fn is_default(&self) -> bool {
        self.id == DEFAULT_SCHEME_ID
    }
}

impl std::fmt::Display for SchemeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

/// A scoring scheme, whole and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    pub scheme: SchemeRef,
    /// A composite at or above this is sustainable.
    pub threshold: f64,
    /// Where the weights come from (a citation), shown beside every score.
    pub source: String,
    pub dimensions: Vec<Dimension>,
}

/// One row of a scheme table as read, with its line in the file.
#[derive(Debug, Clone, Default)]
pub struct SchemeRow {
    pub line: usize,
    /// The ten cells in the order of [`COLUMNS`].
    pub cells: [String; 10],
}

/// One thing wrong in a scheme table: where, what was there, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeProblem {
    /// 1-based line of the file; 0 for the file as a whole.
    pub line: usize,
    pub column: Option<&'static str>,
    pub value: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for SchemeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
        } else {
            write!(f, "the file")?;
        }
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", value {v:?}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A number as a spreadsheet writes it: `0.25`, or `0,25` in a French locale.
pub fn read_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = if !s.contains('.') && s.matches(',').count() == 1 { s.replace(',', ".") } else { s.to_string() };
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

impl Scheme {
    /// Build a scheme from its table's rows, listing every problem.
    pub fn from_rows(scheme: SchemeRef, threshold: f64, source: &str, rows: &[SchemeRow]) -> Result<Scheme, Vec<SchemeProblem>> {
        let mut problems = Vec::new();
        macro_rules! problem {
            ($line:expr, $column:expr, $value:expr, $reason:expr $(,)?) => {
                problems.push(SchemeProblem { line: $line, column: $column, value: $value.map(|v| v.to_string()), reason: $reason })
            };
        }
        if !(0.0..=1.0).contains(&threshold) || !threshold.is_finite() {
            problem!(0, None, Some(&threshold.to_string()), "the threshold is a composite score, between 0 and 1".into());
        }
        if source.trim().is_empty() {
            problem!(0, None, None::<&str>, "say where the weights come from (--source \"citation\")".into());
        }
        if rows.is_empty() {
            problem!(0, None, None::<&str>, "the table has a header but no rows".into());
        }
        let mut dimensions: Vec<Dimension> = Vec::new();
        // Where each dimension and indicator was first seen, for the messages.
        let mut dimension_line: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        let mut indicator_of: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for row in rows {
            let [dimension, dimension_weight, indicator, indicator_weight, answer, answer_score, question_en, question_fr, answer_en, answer_fr] =
                row.cells.each_ref().map(|c| c.trim());
            let line = row.line;
            let mut ok = true;
            for (i, cell) in row.cells.iter().enumerate() {
                if cell.trim().is_empty() {
                    problem!(line, Some(COLUMNS[i]), None::<&str>, "empty: every column needs a value (both languages too)".into());
                    ok = false;
                }
            }
            for (column, code) in [("dimension", dimension), ("indicator", indicator), ("answer", answer)] {
                if !code.is_empty() && !is_code(code) {
                    problem!(line, Some(column), Some(code), "a code is 1 to 64 of a-z, 0-9 and _".into());
                    ok = false;
                }
            }
            let mut weight = |column: &'static str, s: &str, what: &str| -> Option<f64> {
                if s.is_empty() {
                    return None;
                }
                let reason = match read_number(s) {
                    Some(x) if (0.0..=1.0).contains(&x) => return Some(x),
                    Some(_) => format!("{what} is between 0 and 1"),
                    None => format!("{what} must be a number such as 0.25"),
                };
                problem!(line, Some(column), Some(s), reason);
                None
            };
            let dw = weight("dimension_weight", dimension_weight, "a dimension's weight");
            let iw = weight("indicator_weight", indicator_weight, "an indicator's weight");
            let score = weight("answer_score", answer_score, "an answer's score");
            let (Some(dw), Some(iw), Some(score), true) = (dw, iw, score, ok) else { continue };
            match dimension_line.get(dimension) {
                Some(&(first, w)) if (w - dw).abs() > TOLERANCE => {
                    problem!(
                        line,
                        Some("dimension_weight"),
                        Some(dimension_weight),
                        format!("dimension {dimension} has weight {w} on line {first}; give it the same weight on each of its rows"),
                    );
                    continue;
                }
                Some(_) => {}
                None => {
                    dimension_line.insert(dimension.to_string(), (line, dw));
                    dimensions.push(Dimension { code: dimension.to_string(), weight: dw, indicators: Vec::new() });
                }
            }
            if let Some((other, first)) = indicator_of.get(indicator) {
                if other != dimension {
                    problem!(
                        line,
                        Some("indicator"),
                        Some(indicator),
                        format!("indicator {indicator} is in dimension {other} on line {first}; an indicator belongs to one dimension"),
                    );
                    continue;
                }
            } else {
                indicator_of.insert(indicator.to_string(), (dimension.to_string(), line));
            }
            let d = dimensions.iter_mut().find(|d| d.code == dimension).expect("inserted above");
            let first = indicator_of[indicator].1;
            match d.indicators.iter_mut().find(|i| i.code == indicator) {
                Some(i) => {
                    if (i.weight - iw).abs() > TOLERANCE {
                        problem!(
                            line,
                            Some("indicator_weight"),
                            Some(indicator_weight),
                            format!(
                                "indicator {indicator} has weight {} on line {first}; give it the same weight on each of its rows",
                                i.weight
                            ),
                        );
                        continue;
                    }
                    for (column, now, then) in [("question_en", question_en, &i.question_en), ("question_fr", question_fr, &i.question_fr)]
                    {
                        if now != then.as_str() {
                            problem!(
                                line,
                                Some(column),
                                Some(now),
                                format!("indicator {indicator} asks {then:?} on line {first}; one question per indicator")
                            );
                        }
                    }
                    if i.answers.iter().any(|a| a.code == answer) {
                        problem!(line, Some("answer"), Some(answer), format!("answer {answer} appears twice for indicator {indicator}"));
                        continue;
                    }
                    i.answers.push(Answer { code: answer.into(), score, label_en: answer_en.into(), label_fr: answer_fr.into() });
                }
                None => d.indicators.push(Indicator {
                    code: indicator.into(),
                    weight: iw,
                    question_en: question_en.into(),
                    question_fr: question_fr.into(),
                    answers: vec![Answer { code: answer.into(), score, label_en: answer_en.into(), label_fr: answer_fr.into() }],
                }),
            }
        }
        // The sums, only when every row was read: a sum over half the rows would be a second, misleading error.
        if problems.is_empty() && !dimensions.is_empty() {
            // Sums shown as a person would write them: 1.1, not 1.1000000000000001.
            let shown = |x: f64| (x * 1e9).round() / 1e9;
            let total: f64 = shown(dimensions.iter().map(|d| d.weight).sum());
            if (total - 1.0).abs() > TOLERANCE {
                let parts = dimensions.iter().map(|d| format!("{} {}", d.code, d.weight)).collect::<Vec<_>>().join(", ");
                problem!(
                    0,
                    Some("dimension_weight"),
                    Some(&format!("{total}")),
                    format!("the dimension weights sum to {total}, not 1 ({parts})")
                );
            }
            for d in &dimensions {
                let sum: f64 = shown(d.indicators.iter().map(|i| i.weight).sum());
                if (sum - 1.0).abs() > TOLERANCE {
                    let parts = d.indicators.iter().map(|i| format!("{} {}", i.code, i.weight)).collect::<Vec<_>>().join(", ");
                    problem!(
                        dimension_line[&d.code].0,
                        Some("indicator_weight"),
                        Some(&format!("{sum}")),
                        format!("the indicator weights of dimension {} sum to {sum}, not 1 ({parts})", d.code),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(Scheme { scheme, threshold, source: source.trim().to_string(), dimensions })
        } else {
            Err(problems)
        }
    }

    pub fn indicator(&self, code: &str) -> Option<(&Dimension, &Indicator)> {
        self.dimensions.iter().find_map(|d| d.indicators.iter().find(|i| i.code == code).map(|i| (d, i)))
    }

    pub fn indicators(&self) -> impl Iterator<Item = (&Dimension, &Indicator)> {
        self.dimensions.iter().flat_map(|d| d.indicators.iter().map(move |i| (d, i)))
    }

    /// The label shown beside this scheme's scores.
    pub fn label(&self) -> String {
        if self.scheme.is_default() {
            DEFAULT_LABEL.to_string()
        } else {
            format!("{} ({})", self.scheme, self.source)
        }
    }

    /// Check a survey's answers against the scheme: unknown indicators and
    /// answers are refused with a field error each (`survey.<indicator>`);
    /// an empty answer is an unanswered indicator.
    pub fn check(&self, survey: &BTreeMap<String, String>) -> Result<Survey, Invalid> {
        let mut inv = Invalid::default();
        let mut answers = BTreeMap::new();
        for (indicator, answer) in survey {
            let (indicator, answer) = (indicator.trim(), answer.trim());
            let field = format!("survey.{indicator}");
            match self.indicator(indicator) {
                None => inv.push(FieldError::new(field, "err-unknown-indicator").with("value", indicator)),
                Some(_) if answer.is_empty() => {}
                Some((_, i)) if i.answers.iter().any(|a| a.code == answer) => {
                    answers.insert(indicator.to_string(), answer.to_string());
                }
                Some(_) => inv.push(FieldError::new(field, "err-unknown-choice").with("value", answer)),
            }
        }
        inv.into_result()?;
        Ok(Survey { answers })
    }

    /// The scores of a survey under this scheme. Answers the scheme does not
    /// know (a survey taken under another scheme) are left out and listed.
    pub fn score(&self, survey: &Survey) -> Sustainability {
        let mut dimensions = BTreeMap::new();
        let mut unanswered = Vec::new();
        let (mut weighted, mut weights) = (0.0, 0.0);
        for d in &self.dimensions {
            let (mut sum, mut answered) = (0.0, 0.0);
            for i in &d.indicators {
                match survey.answers.get(&i.code).and_then(|a| i.answers.iter().find(|x| &x.code == a)) {
                    Some(a) => {
                        sum += i.weight * a.score;
                        answered += i.weight;
                    }
                    None => unanswered.push(i.code.clone()),
                }
            }
            // An answered indicator of weight 0 says nothing: the dimension
            // has a score only when some weight was answered.
            if answered > 0.0 {
                let score = sum / answered;
                dimensions.insert(d.code.clone(), score);
                weighted += d.weight * score;
                weights += d.weight;
            }
        }
        let composite = (weights > 0.0).then(|| weighted / weights);
        let ignored = survey
            .answers
            .iter()
            .filter(|(i, a)| !self.indicator(i).is_some_and(|(_, ind)| ind.answers.iter().any(|x| &x.code == *a)))
            .map(|(i, _)| i.clone())
            .collect();
        Sustainability {
            scheme: self.scheme.id.clone(),
            version: self.scheme.version.clone(),
            label: self.label(),
            dimensions,
            composite,
            sustainable: composite.map(|c| c >= self.threshold - 1e-12),
            threshold: self.threshold,
            unanswered,
            ignored,
        }
    }
}

/// A survey's answers, each checked against the scheme it was taken under.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    /// indicator → answer.
    pub answers: BTreeMap<String, String>,
}

impl Survey {
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

/// A visit's scores under one scheme version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sustainability {
    pub scheme: String,
    pub version: String,
    /// How the scheme is shown beside the scores (the shipped one labelled as no one's official index).
    #[serde(default)]
    pub label: String,
    /// dimension → score; a dimension with no answer is absent.
    pub dimensions: BTreeMap<String, f64>,
    pub composite: Option<f64>,
    pub sustainable: Option<bool>,
    pub threshold: f64,
    /// The scheme's indicators without an answer.
    pub unanswered: Vec<String>,
    /// Answers the scheme does not know (the survey was taken under another one).
    pub ignored: Vec<String>,
}

impl Sustainability {
    /// The scheme as a reader should see it beside the scores: the shipped
    /// one always with its label.
    pub fn scheme_label(&self) -> String {
        if self.scheme == DEFAULT_SCHEME_ID {
            format!("{}@{} ({DEFAULT_LABEL})", self.scheme, self.version)
        } else {
            format!("{}@{}", self.scheme, self.version)
        }
    }

    /// Below the threshold in some dimension: the returnee may need more support.
    pub fn weak_dimensions(&self) -> BTreeSet<&str> {
        self.dimensions.iter().filter(|(_, s)| **s < self.threshold).map(|(d, _)| d.as_str()).collect()
    }
}

impl crate::schema::Codes for Band {
    fn codes() -> Vec<String> {
        Band::ALL.iter().map(|b| b.as_str().to_string()).collect()
    }
}

/// Where a returnee's latest composite lies, in quarters of the scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Below 0.25.
    Low,
    /// 0.25 to 0.5.
    Fragile,
    /// 0.5 to 0.75.
    Moderate,
    /// 0.75 and above.
    Strong,
    /// No survey yet.
    NotSurveyed,
}

impl Band {
    pub const ALL: [Band; 5] = [Band::Low, Band::Fragile, Band::Moderate, Band::Strong, Band::NotSurveyed];

    pub fn of(composite: Option<f64>) -> Band {
        match composite {
            None => Band::NotSurveyed,
            Some(c) if c < 0.25 => Band::Low,
            Some(c) if c < 0.5 => Band::Fragile,
            Some(c) if c < 0.75 => Band::Moderate,
            Some(_) => Band::Strong,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Fragile => "fragile",
            Band::Moderate => "moderate",
            Band::Strong => "strong",
            Band::NotSurveyed => "not_surveyed",
        }
    }

    pub fn parse(s: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// A returnee's visits summed up: what their standing is worked out from.
#[derive(Debug, Clone, Default)]
pub struct VisitsSummary {
    /// The first visit's date (three months after arrival).
    pub first_due: Option<crate::date::CalendarDate>,
    pub overdue: usize,
    /// The scores of the latest scored survey, and its composite.
    pub latest: Option<Sustainability>,
    pub latest_composite: Option<f64>,
    /// The composite of the scored survey before it.
    pub previous_composite: Option<f64>,
}

impl VisitsSummary {
    /// The summary of visits in date order: (due, status, scores).
    pub fn of(
        visits: &[(crate::date::CalendarDate, crate::reintegration::VisitStatus, Option<Sustainability>)],
        today: crate::date::CalendarDate,
    ) -> VisitsSummary {
        let scored: Vec<&Sustainability> = visits.iter().filter_map(|v| v.2.as_ref()).filter(|s| s.composite.is_some()).collect();
        VisitsSummary {
            first_due: visits.iter().map(|v| v.0).min(),
            overdue: visits.iter().filter(|v| crate::reintegration::overdue(v.1, v.0, today)).count(),
            latest: scored.last().map(|s| (*s).clone()),
            latest_composite: scored.last().and_then(|s| s.composite),
            previous_composite: scored.len().checked_sub(2).and_then(|i| scored[i].composite),
        }
    }
}

/// How a returnee's reintegration stands, from their visits.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub band: Band,
    pub latest: Option<Sustainability>,
    /// Whole months since arrival (the first visit is due three months after it).
    pub months_since_return: Option<i32>,
    pub overdue_visits: usize,
    /// The dimensions below the threshold at the latest survey.
    pub weak_dimensions: Vec<String>,
    /// The composite fell between the last two surveys.
    pub falling: bool,
    pub needs_support: bool,
}

fn months_between(a: crate::date::CalendarDate, b: crate::date::CalendarDate) -> i32 {
    let m = (b.year() * 12 + i32::from(b.month())) - (a.year() * 12 + i32::from(a.month()));
    if b.day() < a.day() {
        m - 1
    } else {
        m
    }
}

/// A returnee's standing: the band of the latest surveyed composite; "needs
/// more support" when a dimension is below the threshold at that survey or
/// the composite fell since the survey before.
pub fn standing(v: VisitsSummary, today: crate::date::CalendarDate) -> Standing {
    let falling = matches!((v.previous_composite, v.latest_composite), (Some(before), Some(last)) if last < before - 1e-9);
    let weak_dimensions: Vec<String> =
        v.latest.as_ref().map(|s| s.weak_dimensions().into_iter().map(str::to_string).collect()).unwrap_or_default();
    let months_since_return =
        v.first_due.map(|d| months_between(d, today) + crate::reintegration::VISIT_MONTHS[0] as i32).filter(|m| *m >= 0);
    Standing {
        band: Band::of(v.latest_composite),
        overdue_visits: v.overdue,
        needs_support: falling || !weak_dimensions.is_empty(),
        weak_dimensions,
        falling,
        months_since_return,
        latest: v.latest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, cells: [&str; 10]) -> SchemeRow {
        SchemeRow { line, cells: cells.map(str::to_string) }
    }

    fn small() -> Vec<SchemeRow> {
        vec![
            row(2, ["economic", "0.4", "income", "0.5", "regular", "1", "Income?", "Revenu ?", "Regular", "Régulier"]),
            row(3, ["economic", "0.4", "income", "0.5", "none", "0", "Income?", "Revenu ?", "None", "Aucun"]),
            row(4, ["economic", "0.4", "debt", "0.5", "no", "1", "Debt?", "Dette ?", "No", "Non"]),
            row(5, ["economic", "0.4", "debt", "0.5", "yes", "0,25", "Debt?", "Dette ?", "Yes", "Oui"]),
            row(6, ["social", "0.6", "housing", "1", "adequate", "1", "Housing?", "Logement ?", "Adequate", "Adéquat"]),
            row(7, ["social", "0.6", "housing", "1", "poor", "0.2", "Housing?", "Logement ?", "Poor", "Précaire"]),
        ]
    }

    fn scheme() -> Scheme {
        Scheme::from_rows(SchemeRef::parse("test@1").unwrap(), 0.66, "a citation", &small()).unwrap()
    }

    fn survey(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn scores_renormalise_over_what_was_answered() {
        let s = scheme();
        assert_eq!(s.dimensions.len(), 2);
        let all = s.score(&s.check(&survey(&[("income", "regular"), ("debt", "yes"), ("housing", "poor")])).unwrap());
        assert!((all.dimensions["economic"] - 0.625).abs() < 1e-12);
        assert!((all.dimensions["social"] - 0.2).abs() < 1e-12);
        assert!((all.composite.unwrap() - (0.4 * 0.625 + 0.6 * 0.2)).abs() < 1e-12);
        assert_eq!(all.sustainable, Some(false));
        // Debt unanswered: economic is income's score alone; social unanswered: the composite is economic's.
        let part = s.score(&s.check(&survey(&[("income", "regular"), ("debt", "")])).unwrap());
        assert_eq!(part.dimensions.get("economic"), Some(&1.0));
        assert!(!part.dimensions.contains_key("social"));
        assert_eq!(part.composite, Some(1.0));
        assert_eq!(part.sustainable, Some(true));
        assert_eq!(part.unanswered, ["debt", "housing"]);
        let none = s.score(&Survey::default());
        assert_eq!((none.composite, none.sustainable), (None, None));
    }

    #[test]
    fn unknown_codes_in_a_survey_are_refused_by_field() {
        let e = scheme().check(&survey(&[("income", "lottery"), ("mood", "good"), ("debt", "no")])).unwrap_err();
        let fields: Vec<(&str, &str)> = e.errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("survey.income", "err-unknown-choice"), ("survey.mood", "err-unknown-indicator")]);
    }

    #[test]
    fn a_survey_under_another_scheme_lists_what_it_cannot_score() {
        let s = scheme();
        let answers = Survey { answers: survey(&[("income", "regular"), ("mood", "good")]) };
        let scored = s.score(&answers);
        assert_eq!(scored.ignored, ["mood"]);
        assert_eq!(scored.composite, Some(1.0));
    }

    #[test]
    fn every_problem_of_a_table_is_listed_with_its_line() {
        let mut rows = small();
        rows[1].cells[1] = "0.5".into(); // dimension weight differs
        rows[2].cells[5] = "1.2".into(); // score out of range
        rows[3].cells[4] = "Yes!".into(); // bad code
        rows[4].cells[7] = "".into(); // missing French
        rows.push(row(8, ["social", "0.6", "income", "1", "x", "1", "Q", "Q", "A", "A"])); // indicator in two dimensions
        rows.push(row(9, ["social", "0.6", "housing", "1", "poor", "0.1", "Housing?", "Logement ?", "Poor", "Précaire"])); // answer twice
        let problems = Scheme::from_rows(SchemeRef::parse("t@1").unwrap(), 0.5, "c", &rows).unwrap_err();
        let at: Vec<(usize, Option<&str>)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(
            at,
            [
                (3, Some("dimension_weight")),
                (4, Some("answer_score")),
                (5, Some("answer")),
                (6, Some("question_fr")),
                (8, Some("indicator")),
                (9, Some("answer")),
            ],
            "{problems:#?}"
        );
        assert!(problems[1].to_string().contains("line 4, column answer_score, value \"1.2\""), "{}", problems[1]);
    }

    #[test]
    fn weights_that_do_not_sum_are_refused() {
        let mut rows = small();
        for r in rows.iter_mut().filter(|r| r.cells[0] == "social") {
            r.cells[1] = "0.5".into();
        }
        rows[0].cells[3] = "0.6".into();
        rows[1].cells[3] = "0.6".into();
        let problems = Scheme::from_rows(SchemeRef::parse("t@1").unwrap(), 0.5, "c", &rows).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].reason.contains("dimension weights sum to 0.9"), "{}", problems[0]);
        assert!(problems[1].reason.contains("dimension economic sum to 1.1"), "{}", problems[1]);
        assert_eq!(problems[1].line, 2);
        assert!(Scheme::from_rows(SchemeRef::parse("t@1").unwrap(), 1.5, " ", &small()).unwrap_err().len() == 2);
    }

    #[test]
    fn a_returnee_needs_support_when_a_dimension_is_weak_or_the_composite_falls() {
        use crate::date::CalendarDate;
        use crate::reintegration::VisitStatus;
        let s = scheme();
        let day = |m: u8| CalendarDate::from_ymd(2026, m, 10).unwrap();
        let visit = |m: u8, answers: &[(&str, &str)]| {
            let scores = (!answers.is_empty()).then(|| s.score(&s.check(&survey(answers)).unwrap()));
            (day(m), if answers.is_empty() { VisitStatus::Scheduled } else { VisitStatus::Done }, scores)
        };
        let standing =
            |visits: &[(CalendarDate, VisitStatus, Option<Sustainability>)], today| standing(VisitsSummary::of(visits, today), today);
        let good = [("income", "regular"), ("debt", "no"), ("housing", "adequate")];
        let worse = [("income", "regular"), ("debt", "yes"), ("housing", "adequate")];
        let st = standing(&[visit(3, &good), visit(6, &worse), visit(9, &[])], day(11));
        assert!(st.falling && st.needs_support, "{st:?}");
        assert_eq!(st.band, Band::Strong);
        assert_eq!(st.overdue_visits, 1);
        assert_eq!(st.months_since_return, Some(11));
        let st = standing(&[visit(3, &worse), visit(6, &good)], day(7));
        assert!(!st.needs_support, "{st:?}");
        let st = standing(&[visit(3, &[("income", "none"), ("housing", "adequate")])], day(4));
        assert_eq!(st.weak_dimensions, ["economic"]);
        assert_eq!(standing(&[visit(3, &[])], day(1)).band, Band::NotSurveyed);
        assert_eq!(Band::of(Some(0.25)), Band::Fragile);
    }

    #[test]
    fn scheme_names_are_checked() {
        assert_eq!(SchemeRef::parse("rss@2.1").unwrap().to_string(), "rss@2.1");
        assert!(SchemeRef::parse("rss").is_err() && SchemeRef::parse("RSS@1").is_err() && SchemeRef::parse("rss@").is_err());
        assert_eq!(read_number("0,25"), Some(0.25));
        assert_eq!(read_number("1,000.5"), None);
        assert_eq!(read_number("NaN"), None);
    }
}
