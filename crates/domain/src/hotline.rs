//! The hotline desk: a call (or a WhatsApp message, an SMS, a walk-in)
//! logged by the operator who answered it, in under a minute on a phone, and
//! what follows from it. The rule that matters most is here: a call about
//! trafficking, a child alone or a medical emergency goes at once to the
//! protection officer's queue, whatever the operator sets as its urgency.
//! Pure types and rules.

use crate::codes::LanguageCode;
use crate::date::Timestamp;
use crate::error::{FieldError, Invalid};
use crate::text;

code_enum!(
    /// How the person reached the desk.
    Channel {
        Phone => "phone",
        WhatsApp => "whatsapp",
        Sms => "sms",
        WalkIn => "walk_in",
    }
);

code_enum!(
    /// Who called.
    CallerKind {
        Migrant => "migrant",
        Relative => "relative",
        Partner => "partner",
        Authority => "authority",
        Other => "other",
    }
);

code_enum!(
    /// What the call was about.
    Topic {
        ReturnRequest => "return_request",
        MedicalEmergency => "medical_emergency",
        Detention => "detention",
        TraffickingReport => "trafficking_report",
        /// A child alone: unaccompanied or separated.
        ChildAlone => "child_alone",
        MissingRelative => "missing_relative",
        Information => "information",
        Complaint => "complaint",
    }
);

code_enum!(
    /// How soon the desk must act, as the operator judges it.
    Urgency {
        Routine => "routine",
        Urgent => "urgent",
        /// A life at risk now.
        Emergency => "emergency",
    }
);

/// The longest call one log entry covers (a night's conversation is logged in parts).
pub const MAX_MINUTES: i64 = 600;
pub const NOTES_MAX: usize = 4000;

/// A call as the desk's form or the API sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Call)]
pub struct CallInput {
    /// When it started (RFC 3339; default: now).
    pub at: String,
    /// Whole minutes.
    pub minutes: String,
    #[schema(schema_with = crate::schema::code::<Channel>, required = true)]
    pub channel: String,
    /// ISO 639-3 (`bam`, `hau`, `tir`, `ara`, `fra`…).
    pub language: String,
    #[schema(schema_with = crate::schema::code::<CallerKind>, required = true)]
    pub caller: String,
    #[schema(schema_with = crate::schema::code::<Topic>, required = true)]
    pub topic: String,
    #[schema(schema_with = crate::schema::code::<Urgency>)]
    pub urgency: String,
    pub notes: String,
    /// When the desk must call back (RFC 3339), if it must.
    pub follow_up_due: String,
    /// The office whose desk took it (its code); default: the operator's only desk.
    pub office: String,
    /// The person it is about, when the operator found them.
    #[schema(schema_with = crate::schema::uuid_or_empty)]
    pub person_id: String,
}

/// A call ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    pub at: Timestamp,
    pub minutes: Option<i64>,
    pub channel: Channel,
    pub language: Option<LanguageCode>,
    pub caller: CallerKind,
    pub topic: Topic,
    pub urgency: Urgency,
    pub notes: Option<String>,
    pub follow_up_due: Option<Timestamp>,
}

impl NewCall {
    /// Whether the call goes at once to the protection officer's queue.
    pub fn for_protection(&self) -> bool {
        goes_to_protection(self.topic, self.urgency)
    }
}

/// Trafficking, a child alone and a medical emergency are protection work
/// whatever urgency the operator chose; any emergency is too.
pub fn goes_to_protection(topic: Topic, urgency: Urgency) -> bool {
    matches!(topic, Topic::TraffickingReport | Topic::ChildAlone | Topic::MedicalEmergency) || urgency == Urgency::Emergency
}

impl CallInput {
    pub fn parse(&self, now: Timestamp) -> Result<NewCall, Invalid> {
        let mut inv = Invalid::default();
        let moment = |inv: &mut Invalid, field: &str, s: &str| match s.trim() {
            "" => None,
            s => {
                let t = Timestamp::parse(s);
                if t.is_none() {
                    inv.push(FieldError::new(field, "err-date-format").with("value", s.chars().take(30).collect::<String>()));
                }
                t
            }
        };
        let at = moment(&mut inv, "at", &self.at).unwrap_or(now);
        if at > now {
            inv.push(FieldError::new("at", "err-date-in-future"));
        }
        let minutes = match self.minutes.trim() {
            "" => None,
            m => match m.parse::<i64>() {
                Ok(n) if (0..=MAX_MINUTES).contains(&n) => Some(n),
                _ => {
                    inv.push(FieldError::new("minutes", "err-number-range").with("min", 0).with("max", MAX_MINUTES));
                    None
                }
            },
        };
        let channel = inv.take(Channel::parse("channel", &self.channel));
        let language = match self.language.trim() {
            "" => None,
            l => inv.take(LanguageCode::parse("language", l)),
        };
        let caller = inv.take(CallerKind::parse("caller", &self.caller));
        let topic = inv.take(Topic::parse("topic", &self.topic));
        let urgency = match self.urgency.trim() {
            "" => Some(Urgency::Routine),
            u => inv.take(Urgency::parse("urgency", u)),
        };
        let notes = inv.take(text::clean("notes", &self.notes, NOTES_MAX, true)).flatten();
        let follow_up_due = moment(&mut inv, "follow_up_due", &self.follow_up_due);
        if follow_up_due.is_some_and(|d| d < at) {
            inv.push(FieldError::new("follow_up_due", "err-date-before").with("other", "at"));
        }
        inv.into_result()?;
        Ok(NewCall {
            at,
            minutes,
            channel: channel.expect("checked"),
            language,
            caller: caller.expect("checked"),
            topic: topic.expect("checked"),
            urgency: urgency.expect("checked"),
            notes,
            follow_up_due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-12-07T02:30:00Z").unwrap()
    }

    fn call() -> CallInput {
        CallInput {
            at: "2026-12-07T02:10:00Z".into(),
            minutes: "12".into(),
            channel: "phone".into(),
            language: "hau".into(),
            caller: "relative".into(),
            topic: "missing_relative".into(),
            notes: "Her brother left Agadez for Sabha on the 28th and has not called since.".into(),
            follow_up_due: "2026-12-07T09:00:00Z".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_night_call_is_logged() {
        let c = call().parse(now()).unwrap();
        assert_eq!(
            (c.channel, c.caller, c.topic, c.urgency),
            (Channel::Phone, CallerKind::Relative, Topic::MissingRelative, Urgency::Routine)
        );
        assert_eq!(c.language.map(|l| l.as_str().to_string()), Some("hau".into()));
        assert!(!c.for_protection());
    }

    #[test]
    fn protection_topics_go_to_the_protection_officer_whatever_the_urgency() {
        for topic in ["trafficking_report", "child_alone", "medical_emergency"] {
            let c = CallInput { topic: topic.into(), urgency: "routine".into(), ..call() }.parse(now()).unwrap();
            assert!(c.for_protection(), "{topic}");
        }
        let c = CallInput { topic: "detention".into(), urgency: "emergency".into(), ..call() }.parse(now()).unwrap();
        assert!(c.for_protection());
        let c = CallInput { topic: "information".into(), urgency: "urgent".into(), ..call() }.parse(now()).unwrap();
        assert!(!c.for_protection());
    }

    #[test]
    fn what_cannot_be_is_refused_field_by_field() {
        let bad = CallInput {
            at: "2026-12-08T00:00:00Z".into(),
            minutes: "-3".into(),
            channel: "pigeon".into(),
            language: "zz".into(),
            follow_up_due: "2026-12-06T00:00:00Z".into(),
            ..call()
        };
        let fields: Vec<String> = bad.parse(now()).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        for f in ["at", "minutes", "channel", "language", "follow_up_due"] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }
}
