//! Appeal budgets: what each office plans to spend, in whole US dollars, under
//! the six headings of IOM's Migration Governance Framework (three principles,
//! three objectives). An empty cell means "nothing planned", which is not the
//! same statement as a planned zero, so cells are `Option<Usd>`. Totals are
//! always computed, never stored: a table whose printed totals disagree with
//! its cells is refused at import rather than silently believed.

use crate::codes::CountryCode;
use std::fmt;

code_enum!(
    /// The six headings of the Migration Governance Framework, in the order
    /// appeals print them.
    BudgetCategory {
        /// Principle 1: adhering to international standards and fulfilling migrants' rights.
        P1 => "p1_international_standards_rights",
        /// Principle 2: using evidence and whole-of-government approaches.
        P2 => "p2_evidence_whole_of_government",
        /// Principle 3: developing strong partnerships.
        P3 => "p3_partnerships",
        /// Objective 1: advancing the socioeconomic well-being of migrants and society.
        O1 => "o1_socioeconomic_wellbeing",
        /// Objective 2: addressing the mobility dimensions of crises.
        O2 => "o2_mobility_dimensions_of_crises",
        /// Objective 3: safe, orderly and dignified migration.
        O3 => "o3_safe_orderly_dignified_migration",
    }
);

impl BudgetCategory {
    /// The short label appeals print above the column (`P1` … `O3`).
    pub fn short(self) -> &'static str {
        match self {
            Self::P1 => "P1",
            Self::P2 => "P2",
            Self::P3 => "P3",
            Self::O1 => "O1",
            Self::O2 => "O2",
            Self::O3 => "O3",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).expect("every category is in ALL")
    }
}

/// Whole US dollars. Appeals are planned in whole dollars; cents would be
/// false precision, so a fractional amount is refused at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Usd(pub u64);

/// The largest amount one cell may hold: ten billion dollars. Far above any
/// appeal line, far below where a sum of thousands of cells could overflow.
pub const MAX_CELL: u64 = 10_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountProblem {
    Negative,
    Fraction,
    NotANumber,
    TooLarge,
}

impl AmountProblem {
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Negative => "a budget cannot be negative",
            Self::Fraction => "amounts are whole US dollars: remove the cents",
            Self::NotANumber => "not an amount: write digits, optionally grouped by thousands (1 500 000 or 1,500,000); leave the cell empty or write - for nothing planned",
            Self::TooLarge => "larger than any appeal line could be (over 10 000 000 000): check for a stray digit",
        }
    }
}

impl Usd {
    /// Parse an amount as appeals print it. `Ok(None)` is "nothing planned":
    /// an empty cell or a dash. Thousands may be grouped by spaces (including
    /// the no-break and narrow no-break spaces that PDFs paste), commas, dots
    /// or apostrophes, as long as every group after the first has three digits
    /// — which is what tells `1,500` (one thousand five hundred) from a decimal.
    pub fn parse_cell(s: &str) -> Result<Option<Usd>, AmountProblem> {
        let s = s.trim_matches(|c: char| c.is_whitespace());
        let s = s.strip_prefix("USD").or_else(|| s.strip_prefix('$')).unwrap_or(s).trim();
        if s.is_empty() || matches!(s, "-" | "–" | "—" | "--") {
            return Ok(None);
        }
        if s.starts_with('-') || s.starts_with('−') || (s.starts_with('(') && s.ends_with(')')) {
            return Err(AmountProblem::Negative);
        }
        let is_sep = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | ',' | '.' | '\'');
        if !s.chars().all(|c| c.is_ascii_digit() || is_sep(c)) {
            return Err(AmountProblem::NotANumber);
        }
        let groups: Vec<&str> = s.split(is_sep).collect();
        let grouped = groups.len() > 1;
        if grouped {
            let first_ok = (1..=3).contains(&groups[0].len());
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            if !(first_ok && rest_ok) {
                // `12.50` or `1,5`: a decimal mark, not thousands.
                let last = groups.last().expect("split yields one piece at least");
                let decimal_mark = s.chars().filter(|c| matches!(c, ',' | '.')).count() == 1 && (1..=2).contains(&last.len());
                return Err(if decimal_mark { AmountProblem::Fraction } else { AmountProblem::NotANumber });
            }
        }
        let digits: String = groups.concat();
        if digits.is_empty() {
            return Err(AmountProblem::NotANumber);
        }
        if digits.len() > 11 {
            return Err(AmountProblem::TooLarge);
        }
        let n: u64 = digits.parse().map_err(|_| AmountProblem::NotANumber)?;
        if n > MAX_CELL {
            return Err(AmountProblem::TooLarge);
        }
        Ok(Some(Usd(n)))
    }
}

impl fmt::Display for Usd {
    /// Thousands grouped by commas, as English reports print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        f.pad(&out)
    }
}

/// One office's line of an appeal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    /// As the appeal names it ("Regional Office Dakar", "Guinea").
    pub office: String,
    /// The country, when the row is a country office (a regional office has none).
    pub country: Option<CountryCode>,
    pub cells: [Option<Usd>; 6],
}

impl BudgetRow {
    pub fn total(&self) -> Usd {
        Usd(self.cells.iter().flatten().map(|u| u.0).sum())
    }

    pub fn cell(&self, c: BudgetCategory) -> Option<Usd> {
        self.cells[c.index()]
    }
}

/// An appeal: office rows in the order they were given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BudgetTable {
    pub rows: Vec<BudgetRow>,
}

impl BudgetTable {
    pub fn column_total(&self, c: BudgetCategory) -> Usd {
        Usd(self.rows.iter().filter_map(|r| r.cell(c)).map(|u| u.0).sum())
    }

    pub fn column_totals(&self) -> [Usd; 6] {
        let mut t = [Usd(0); 6];
        for c in BudgetCategory::ALL {
            t[c.index()] = self.column_total(*c);
        }
        t
    }

    pub fn grand_total(&self) -> Usd {
        Usd(self.rows.iter().map(|r| r.total().0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_appeals_print_them() {
        assert_eq!(Usd::parse_cell("2 320 000"), Ok(Some(Usd(2_320_000))));
        assert_eq!(Usd::parse_cell("2\u{a0}320\u{a0}000"), Ok(Some(Usd(2_320_000))));
        assert_eq!(Usd::parse_cell("2\u{202f}320\u{202f}000"), Ok(Some(Usd(2_320_000))));
        assert_eq!(Usd::parse_cell("1,500,000"), Ok(Some(Usd(1_500_000))));
        assert_eq!(Usd::parse_cell("1.500.000"), Ok(Some(Usd(1_500_000))));
        assert_eq!(Usd::parse_cell("117747"), Ok(Some(Usd(117_747))));
        assert_eq!(Usd::parse_cell(" 0 "), Ok(Some(Usd(0))));
        assert_eq!(Usd::parse_cell("USD 70 000"), Ok(Some(Usd(70_000))));
        assert_eq!(Usd::parse_cell("-"), Ok(None));
        assert_eq!(Usd::parse_cell("–"), Ok(None));
        assert_eq!(Usd::parse_cell(""), Ok(None));
    }

    #[test]
    fn amounts_that_are_not_whole_dollars_are_refused_with_the_reason() {
        assert_eq!(Usd::parse_cell("-5"), Err(AmountProblem::Negative));
        assert_eq!(Usd::parse_cell("(5 000)"), Err(AmountProblem::Negative));
        assert_eq!(Usd::parse_cell("12.50"), Err(AmountProblem::Fraction));
        assert_eq!(Usd::parse_cell("1,5"), Err(AmountProblem::Fraction));
        assert_eq!(Usd::parse_cell("1 50 000"), Err(AmountProblem::NotANumber));
        assert_eq!(Usd::parse_cell("12k"), Err(AmountProblem::NotANumber));
        assert_eq!(Usd::parse_cell("=SUM(A1:A3)"), Err(AmountProblem::NotANumber));
        assert_eq!(Usd::parse_cell("99999999999999999999"), Err(AmountProblem::TooLarge));
        assert_eq!(Usd::parse_cell("10 000 000 001"), Err(AmountProblem::TooLarge));
    }

    #[test]
    fn totals_skip_nothing_planned() {
        let t = BudgetTable {
            rows: vec![
                BudgetRow { office: "A".into(), country: None, cells: [Some(Usd(1)), None, None, Some(Usd(2)), None, None] },
                BudgetRow { office: "B".into(), country: None, cells: [Some(Usd(10)), None, Some(Usd(0)), None, None, Some(Usd(5))] },
            ],
        };
        assert_eq!(t.rows[0].total(), Usd(3));
        assert_eq!(t.column_total(BudgetCategory::P1), Usd(11));
        assert_eq!(t.column_total(BudgetCategory::P2), Usd(0));
        assert_eq!(t.grand_total(), Usd(18));
        assert_eq!(format!("{}", Usd(380_026_059)), "380,026,059");
        assert_eq!(format!("{:>8}", Usd(1_000)), "   1,000");
    }
}
