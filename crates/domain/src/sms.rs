//! How a text message is carried: in the GSM 7-bit default alphabet (3GPP
//! TS 23.038) when every character is in it, else in UCS-2; and in how many
//! segments, which is what a broadcast costs. A single message holds 160
//! septets or 70 UCS-2 units; a longer one is split into parts of 153 or 67,
//! the rest of each part carrying the concatenation header. Characters of the
//! GSM extension table (`€`, `[`, `{`, …) take two septets. UCS-2 counts
//! UTF-16 units, so a character outside the Basic Multilingual Plane (most
//! emoji) takes two. The sender sees this before sending (issue 21).
//!
//! Here too are a broadcast (its texts per language and its audience), the
//! statuses of a broadcast and of each message in the outbox with the one
//! place they move, what a delivery report means, and the stop words.

use crate::codes::{CountryCode, LanguageCode};
use crate::error::{FieldError, Invalid};
use crate::text;

/// The GSM 03.38 default alphabet, one septet each.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: an escape septet, then the character's.
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// The alphabet a message is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// A message's length as the network counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    pub segments: usize,
}

fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding, length and number of segments of `text`.
pub fn sms_length(text: &str) -> SmsLength {
    let septets: Option<usize> = text.chars().map(gsm7_septets).sum();
    let (encoding, units, single, part) = match septets {
        Some(n) => (SmsEncoding::Gsm7, n, 160, 153),
        None => (SmsEncoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    // An empty message still goes as one.
    let segments = if units <= single { 1 } else { units.div_ceil(part) };
    SmsLength { encoding, units, segments }
}

/// A number a text message can reach: valid for its country's numbering
/// plan (libphonenumber's metadata, through the `phonenumber` crate) and not
/// a fixed line, toll-free or premium number; kept in E.164. A person's
/// phone as registered (`text::Phone`) only has the shape of one; a
/// broadcast leaves out, and reports, every number that is not a
/// `MobileNumber`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        use phonenumber::Type;
        let bad = || FieldError::new(field, "err-phone-not-mobile");
        let n = phonenumber::parse(None, s.trim()).map_err(|_| bad())?;
        if !phonenumber::is_valid(&n) {
            return Err(bad());
        }
        // The metadata leaves some valid mobile ranges (Côte d'Ivoire's and
        // Benin's ten-digit plans) as `Unknown`: a valid number of no known
        // fixed kind is given the benefit of the doubt.
        match n.number_type(&phonenumber::metadata::DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber | Type::Unknown => {
                Ok(Self(n.format().mode(phonenumber::Mode::E164).to_string()))
            }
            _ => Err(bad()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The words that withdraw consent to be texted, compared after folding
/// (case, accents, punctuation, surrounding spaces): English, French and
/// Arabic. An office adds its own (Hausa, Bambara…) in the configuration.
pub const STOP_WORDS: [&str; 6] = ["stop", "arret", "arreter", "unsubscribe", "توقف", "الغاء"];

fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a reply asks to stop the messages: the whole reply is one of the
/// stop words (a sentence that contains "stop" is a message for the desk).
pub fn is_stop(reply: &str, extra: &[String]) -> bool {
    let r = fold(reply);
    !r.is_empty() && STOP_WORDS.iter().copied().chain(extra.iter().map(String::as_str)).any(|w| fold(w) == r)
}

code_enum!(
    /// Where a broadcast stands.
    BroadcastStatus {
        /// Written; its audience and cost can be previewed.
        Draft => "draft",
        /// Larger than one sender may send alone: waits for a second user.
        AwaitingApproval => "awaiting_approval",
        /// In the outbox: being handed to the gateway.
        Sending => "sending",
        Cancelled => "cancelled",
    }
);

impl BroadcastStatus {
    /// The one place a broadcast's status moves.
    pub fn can_become(self, next: BroadcastStatus) -> bool {
        use BroadcastStatus::*;
        matches!(
            (self, next),
            (Draft, AwaitingApproval) | (Draft, Sending) | (AwaitingApproval, Sending) | (Draft, Cancelled) | (AwaitingApproval, Cancelled)
        )
    }
}

code_enum!(
    /// Where one message to one recipient stands.
    OutboxStatus {
        /// Part of a broadcast that waits for approval.
        Held => "held",
        /// Waiting for its turn (or for the gateway to come back).
        Queued => "queued",
        /// Being handed to the gateway now. A message found in this state
        /// after a restart may or may not have reached the gateway: it
        /// becomes `unknown`, never sent again (at most once).
        Sending => "sending",
        /// Accepted by the gateway.
        Sent => "sent",
        /// The handset has it (delivery report).
        Delivered => "delivered",
        /// Refused by the gateway or the network, or out of retries.
        Failed => "failed",
        /// Interrupted while being handed over; a delivery report may still settle it.
        Unknown => "unknown",
        /// Its broadcast was cancelled before it went.
        Cancelled => "cancelled",
    }
);

/// What a gateway's delivery report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryReport {
    Delivered,
    Failed,
    /// Accepted by the network, not yet delivered.
    Accepted,
}

impl DeliveryReport {
    /// Kannel's `%d`: 1 delivered, 2 undelivered, 4 queued at the SMSC,
    /// 8 SMSC acknowledgement, 16 SMSC rejection.
    pub fn from_kannel(code: &str) -> Option<Self> {
        match code.trim() {
            "1" => Some(Self::Delivered),
            "2" | "16" => Some(Self::Failed),
            "4" | "8" => Some(Self::Accepted),
            _ => None,
        }
    }
}

impl OutboxStatus {
    /// The status a report moves a message to, if it moves it: a report
    /// never takes back a final one, and a late acknowledgement does not undo
    /// a delivery that came first.
    pub fn after_report(self, report: DeliveryReport) -> Option<OutboxStatus> {
        use OutboxStatus::*;
        match (self, report) {
            (Sending | Sent | Unknown, DeliveryReport::Delivered) => Some(Delivered),
            (Sending | Sent | Unknown, DeliveryReport::Failed) => Some(Failed),
            (Sending | Unknown, DeliveryReport::Accepted) => Some(Sent),
            _ => None,
        }
    }

    /// Whether nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, OutboxStatus::Delivered | OutboxStatus::Failed | OutboxStatus::Cancelled)
    }
}

/// Attempts at handing one message to the gateway before it fails.
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds to wait before attempt `n + 1` after `n` transient failures:
/// 5 s doubling, at most ten minutes, so eight attempts span about twenty
/// minutes (a gateway restart, a short network cut).
pub fn retry_delay(attempts: i64) -> i64 {
    (5i64 << attempts.clamp(0, 7)).min(600)
}

pub const TITLE_MAX: usize = 120;
/// A broadcast may be long, but the sender is warned above the configured
/// segment limit and nothing above this many segments is accepted.
pub const MAX_SEGMENTS: usize = 10;

/// One language's text of a broadcast.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BroadcastTextInput {
    /// ISO 639-3 (`fra`, `ara`, `hau`, `bam`, `tir`…).
    #[schema(required = true)]
    pub language: String,
    #[schema(required = true)]
    pub body: String,
}

/// Who a broadcast goes to: every filter left empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AudienceInput {
    /// An office code: persons registered there or with a case there.
    pub office: String,
    /// ISO 3166-1 alpha-3.
    #[schema(schema_with = crate::schema::country_or_empty)]
    pub nationality: String,
    /// ISO 639-3: persons who speak it.
    pub language: String,
    #[schema(schema_with = crate::schema::code_or_empty::<crate::case::CaseKind>)]
    pub case_kind: String,
    #[schema(schema_with = crate::schema::code_or_empty::<crate::case::CaseStatus>)]
    pub case_status: String,
}

/// A broadcast as the sender writes it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Broadcast)]
pub struct BroadcastInput {
    #[schema(required = true)]
    pub title: String,
    /// One text per language; at least one.
    #[schema(required = true)]
    pub texts: Vec<BroadcastTextInput>,
    /// The language a recipient gets when none of theirs has a text; one of
    /// the texts' (default: the first text's).
    pub fallback_language: String,
    pub audience: AudienceInput,
}

/// An audience ready to select on.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Audience {
    pub office: Option<String>,
    pub nationality: Option<CountryCode>,
    pub language: Option<LanguageCode>,
    pub case_kind: Option<crate::case::CaseKind>,
    pub case_status: Option<crate::case::CaseStatus>,
}

/// A broadcast ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBroadcast {
    pub title: String,
    /// In the order given; languages are distinct.
    pub texts: Vec<(LanguageCode, String)>,
    pub fallback: LanguageCode,
    pub audience: Audience,
}

impl AudienceInput {
    pub fn parse(&self) -> Result<Audience, Invalid> {
        let mut inv = Invalid::default();
        fn opt(s: &str) -> Option<&str> {
            Some(s.trim()).filter(|s| !s.is_empty())
        }
        let office = opt(&self.office).map(|o| o.to_uppercase());
        let nationality = opt(&self.nationality).and_then(|n| inv.take(CountryCode::parse("audience.nationality", n)));
        let language = opt(&self.language).and_then(|l| inv.take(LanguageCode::parse("audience.language", l)));
        let case_kind = opt(&self.case_kind).and_then(|k| inv.take(crate::case::CaseKind::parse("audience.case_kind", k)));
        let case_status = opt(&self.case_status).and_then(|k| inv.take(crate::case::CaseStatus::parse("audience.case_status", k)));
        inv.into_result()?;
        Ok(Audience { office, nationality, language, case_kind, case_status })
    }
}

impl BroadcastInput {
    pub fn parse(&self) -> Result<NewBroadcast, Invalid> {
        let mut inv = Invalid::default();
        let title = inv.take(text::required("title", &self.title, TITLE_MAX, false));
        let mut texts: Vec<(LanguageCode, String)> = Vec::new();
        if self.texts.is_empty() {
            inv.push(FieldError::new("texts", "err-required"));
        }
        for (i, t) in self.texts.iter().enumerate() {
            let field = format!("texts[{i}]");
            let language = inv.take(LanguageCode::parse(&format!("{field}.language"), &t.language));
            let body = inv.take(text::required(&format!("{field}.body"), &t.body, 2000, true));
            if let Some(b) = &body {
                if sms_length(b).segments > MAX_SEGMENTS {
                    inv.push(FieldError::new(format!("{field}.body"), "err-sms-too-long").with("max", MAX_SEGMENTS));
                }
            }
            if let (Some(l), Some(b)) = (language, body) {
                if texts.iter().any(|(x, _)| *x == l) {
                    inv.push(FieldError::new(format!("{field}.language"), "err-duplicate-language"));
                } else {
                    texts.push((l, b));
                }
            }
        }
        let fallback = match self.fallback_language.trim() {
            "" => texts.first().map(|(l, _)| *l),
            f => inv.take(LanguageCode::parse("fallback_language", f)).and_then(|l| {
                if texts.iter().any(|(x, _)| *x == l) || texts.is_empty() {
                    Some(l)
                } else {
                    inv.push(FieldError::new("fallback_language", "err-fallback-without-text"));
                    None
                }
            }),
        };
        let audience = inv.take_all(self.audience.parse());
        inv.into_result()?;
        Ok(NewBroadcast {
            title: title.expect("checked"),
            texts,
            fallback: fallback.expect("checked"),
            audience: audience.expect("checked"),
        })
    }
}

impl NewBroadcast {
    /// The text a person who speaks `languages` (in their order of
    /// preference) receives, and in which language: their first language
    /// with a text, else the fallback.
    pub fn text_for(&self, languages: &[LanguageCode]) -> (LanguageCode, &str) {
        languages
            .iter()
            .find_map(|l| self.texts.iter().find(|(x, _)| x == l))
            .or_else(|| self.texts.iter().find(|(x, _)| *x == self.fallback))
            .map(|(l, b)| (*l, b.as_str()))
            .expect("the fallback has a text")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_fits_160_then_parts_of_153() {
        assert_eq!(sms_length(&"a".repeat(160)), SmsLength { encoding: SmsEncoding::Gsm7, units: 160, segments: 1 });
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        assert_eq!(sms_length("").segments, 1);
    }

    #[test]
    fn french_stays_in_gsm7_but_the_euro_takes_two() {
        let fr = "Le convoi pour Conakry part mardi à 8h de la gare d'Agadez. Présentez-vous avec votre carte.";
        assert_eq!(sms_length(fr).encoding, SmsEncoding::Gsm7);
        assert_eq!(sms_length("5€").units, 3);
        // A character outside the alphabet (ç in upper case is in it; ê is not) switches the whole message to UCS-2.
        assert_eq!(sms_length("Ç").encoding, SmsEncoding::Gsm7);
        assert_eq!(sms_length("fête").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn arabic_and_tigrinya_are_ucs2_70_then_67() {
        let ar = "ق".repeat(70);
        assert_eq!(sms_length(&ar), SmsLength { encoding: SmsEncoding::Ucs2, units: 70, segments: 1 });
        assert_eq!(sms_length(&"ق".repeat(71)).segments, 2);
        assert_eq!(sms_length(&"ሰ".repeat(135)).segments, 3);
        // An emoji is two UTF-16 units.
        assert_eq!(sms_length("👍").units, 2);
    }

    #[test]
    fn a_mobile_number_is_checked_against_the_numbering_plan() {
        assert_eq!(MobileNumber::parse("p", "+227 90 12 34 56").unwrap().as_str(), "+22790123456");
        assert_eq!(MobileNumber::parse("p", "+224 620 12 34 56").unwrap().as_str(), "+224620123456");
        // The shape of a number is not enough: Mali has no 2x mobiles, Niger no five-digit numbers.
        assert!(MobileNumber::parse("p", "+22320123456").is_err());
        assert!(MobileNumber::parse("p", "+22799").is_err());
        assert!(MobileNumber::parse("p", "0790123456").is_err(), "no country, no number");
    }

    #[test]
    fn stop_is_the_whole_reply_in_any_of_the_languages() {
        for r in ["STOP", " stop ", "Stop.", "ARRÊT", "arret", "توقف", "STOP!"] {
            assert!(is_stop(r, &[]), "{r}");
        }
        assert!(!is_stop("please do not stop the convoy", &[]));
        assert!(!is_stop("", &[]));
        assert!(is_stop("Dakata", &["dakata".into()]), "an office's own word");
    }

    #[test]
    fn reports_never_take_back_a_final_status() {
        use OutboxStatus::*;
        assert_eq!(Sent.after_report(DeliveryReport::Delivered), Some(Delivered));
        assert_eq!(Unknown.after_report(DeliveryReport::Accepted), Some(Sent));
        assert_eq!(Delivered.after_report(DeliveryReport::Accepted), None);
        assert_eq!(Delivered.after_report(DeliveryReport::Failed), None);
        assert_eq!(Sent.after_report(DeliveryReport::Accepted), None);
        assert_eq!(DeliveryReport::from_kannel("8"), Some(DeliveryReport::Accepted));
        assert_eq!(DeliveryReport::from_kannel("x"), None);
        assert!(!BroadcastStatus::Sending.can_become(BroadcastStatus::Draft));
        assert!(BroadcastStatus::AwaitingApproval.can_become(BroadcastStatus::Sending));
    }

    #[test]
    fn retries_back_off_to_ten_minutes() {
        assert_eq!(retry_delay(0), 5);
        assert_eq!(retry_delay(1), 10);
        assert_eq!(retry_delay(7), 600);
        assert_eq!(retry_delay(30), 600);
    }

    #[test]
    fn a_recipient_gets_their_language_else_the_fallback() {
        let b = BroadcastInput {
            title: "Convoy".into(),
            texts: vec![
                BroadcastTextInput { language: "fra".into(), body: "Le convoi part mardi.".into() },
                BroadcastTextInput { language: "ara".into(), body: "القافلة تغادر يوم الثلاثاء".into() },
            ],
            fallback_language: "fra".into(),
            audience: AudienceInput { nationality: "GIN".into(), ..Default::default() },
        }
        .parse()
        .unwrap();
        let l = |s: &str| LanguageCode::parse("l", s).unwrap();
        assert_eq!(b.text_for(&[l("hau"), l("ara")]).0, l("ara"));
        assert_eq!(b.text_for(&[l("bam")]).0, l("fra"));
        let bad = BroadcastInput {
            title: "".into(),
            texts: vec![BroadcastTextInput { language: "xx".into(), body: "".into() }],
            fallback_language: "eng".into(),
            audience: AudienceInput { case_kind: "nope".into(), ..Default::default() },
        };
        let fields: Vec<String> = bad.parse().unwrap_err().errors.into_iter().map(|e| e.field).collect();
        for f in ["title", "texts[0].language", "texts[0].body", "audience.case_kind"] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }
}
