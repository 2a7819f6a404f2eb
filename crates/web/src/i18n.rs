//! Translations (Fluent) and locale formatting. English is the source; every
//! key in `locales/en.ftl` must exist in French and Arabic (a test checks).
//! Dates and numbers are formatted per locale by hand: the three formats are
//! small and fixed, and a full ICU would weigh more than the rest of the binary.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use passage_domain::date::{CalendarDate, Timestamp};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Ar];
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == s.trim())
    }
    /// The best of our languages for an `Accept-Language` header.
    pub fn from_accept_language(h: &str) -> Lang {
        h.split(',')
            .filter_map(|part| part.split(';').next())
            .filter_map(|tag| Lang::parse(tag.trim().split('-').next().unwrap_or("")))
            .next()
            .unwrap_or(Lang::En)
    }
    pub fn dir(self) -> &'static str {
        if self == Lang::Ar {
            "rtl"
        } else {
            "ltr"
        }
    }
    /// The language's own name, for the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
        }
    }
}

pub const SOURCES: [(Lang, &str); 3] = [
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::Fr, include_str!("../locales/fr.ftl")),
    (Lang::Ar, include_str!("../locales/ar.ftl")),
];

struct Bundles(Vec<(Lang, FluentBundle<FluentResource>)>);

fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| {
        Bundles(
            SOURCES
                .iter()
                .map(|(lang, src)| {
                    let res =
                        FluentResource::try_new(src.to_string()).unwrap_or_else(|(_, e)| panic!("bad {} translations: {e:?}", lang.code()));
                    let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("valid language id");
                    let mut b = FluentBundle::new_concurrent(vec![id]);
                    // Directional isolation marks would end up inside attribute values and inputs.
                    b.set_use_isolating(false);
                    b.add_resource(res).expect("no duplicate keys");
                    (*lang, b)
                })
                .collect(),
        )
    })
}

/// Translate `key` with arguments. A missing key shows the English text and,
/// failing that, the key itself: a page never breaks for a missing string.
pub fn tr(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        match v.parse::<f64>() {
            Ok(n) if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) => fa.set(*k, FluentValue::from(n)),
            _ => fa.set(*k, FluentValue::from(v.clone())),
        }
    }
    for l in [lang, Lang::En] {
        let (_, b) = bundles().0.iter().find(|(x, _)| *x == l).expect("all languages loaded");
        if let Some(msg) = b.get_message(key) {
            if let Some(p) = msg.value() {
                let mut errs = vec![];
                return b.format_pattern(p, Some(&fa), &mut errs).into_owned();
            }
        }
    }
    key.to_string()
}

/// The message of a field error in `lang`. Arguments that are codes (the
/// statuses of a refused transition) are shown by their labels, not raw.
pub fn field_error(lang: Lang, e: &passage_domain::FieldError) -> String {
    let args: Vec<(&str, String)> = e
        .args
        .iter()
        .map(|(k, v)| match (e.code, *k) {
            ("err-status-transition", "from" | "to") => (*k, t(lang, &format!("status-{v}"))),
            ("err-journey-blocked", "blocker") => (*k, blocker_text(lang, v)),
            _ => (*k, v.clone()),
        })
        .collect();
    tr(lang, e.code, &args)
}

/// Why a field submission waits in quarantine, in the reader's language.
pub fn problem(lang: Lang, p: &passage_service::fieldforms::Problem) -> String {
    tr_args(lang, &p.code, &p.args)
}

/// A message whose arguments came as a map (a stored or reported problem).
fn tr_args(lang: Lang, code: &str, args: &std::collections::BTreeMap<String, String>) -> String {
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    tr(lang, code, &args)
}

/// A problem of a file import, in the reader's language.
pub fn import_problem(lang: Lang, p: &passage_service::kobo::ImportProblem) -> String {
    tr_args(lang, &p.code, &p.args)
}

pub fn t(lang: Lang, key: &str) -> String {
    tr(lang, key, &[])
}

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_FR: [&str; 12] = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const MONTHS_AR: [&str; 12] =
    ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"];

pub fn date(lang: Lang, d: CalendarDate) -> String {
    let m = (d.month() - 1) as usize;
    match lang {
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
        Lang::Fr => format!("{} {} {}", d.day(), MONTHS_FR[m], d.year()),
        Lang::Ar => format!("{} {} {}", d.day(), MONTHS_AR[m], d.year()),
    }
}

pub fn datetime(lang: Lang, t: Timestamp) -> String {
    format!("{} {:02}:{:02}", date(lang, t.date()), t.hour(), t.minute())
}

/// A published figure as text: the count, or `*` where disclosure control suppressed it.
pub fn figure(lang: Lang, f: passage_domain::disclosure::Figure) -> String {
    match f {
        passage_domain::disclosure::Figure::Count(n) => number(lang, n as i64),
        passage_domain::disclosure::Figure::Suppressed => "*".into(),
    }
}

/// 12,345 / 12 345 / 12٬345 — grouping per locale; Western digits throughout,
/// as used in North and West African Arabic.
pub fn number(lang: Lang, n: i64) -> String {
    let sep = match lang {
        Lang::En => ",",
        Lang::Fr => "\u{202f}",
        Lang::Ar => "٬",
    };
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A blocker code from the service, in words.
pub fn blocker_text(lang: Lang, code: &str) -> String {
    match code.split_once(':') {
        Some(("needs", steps)) => {
            let names: Vec<String> = steps.split(',').map(|s| t(lang, &format!("step-{s}"))).collect();
            tr(lang, "journey-needs", &[("steps", names.join(", "))])
        }
        _ => t(lang, &format!("journey-{}", code.replace('_', "-"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").trim().to_string())
            .collect()
    }

    #[test]
    fn every_language_has_every_key() {
        let en = keys(SOURCES[0].1);
        assert!(en.len() > 100);
        for (lang, src) in &SOURCES[1..] {
            let other = keys(src);
            let missing: Vec<_> = en.difference(&other).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(extra.is_empty(), "{} has unknown keys {extra:?}", lang.code());
        }
    }

    #[test]
    fn formats_follow_the_locale() {
        let d = CalendarDate::from_ymd(2026, 8, 3).unwrap();
        assert_eq!(date(Lang::En, d), "3 Aug 2026");
        assert_eq!(date(Lang::Fr, d), "3 août 2026");
        assert_eq!(number(Lang::En, 1234567), "1,234,567");
        assert_eq!(number(Lang::Fr, 1234), "1\u{202f}234");
        assert_eq!(Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
    }
}
