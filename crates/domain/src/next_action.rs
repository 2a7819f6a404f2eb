//! What a case needs next, and which consents it still lacks: the rules the
//! top of a case page reads from, kept apart from how the facts are fetched
//! so every surface (page, API, a future phone form) says the same thing.

use crate::case::CaseKind;
use crate::date::CalendarDate;
use crate::journey::Step;
use crate::person::ConsentKind;

/// The consents a case of this kind works under: every person's file rests on
/// the registration consent; a return also hands the file over to the country
/// of origin and follows the returnee up there.
pub fn consents_needed(kind: CaseKind) -> &'static [ConsentKind] {
    match kind {
        CaseKind::AssistedVoluntaryReturn => &[ConsentKind::Registration, ConsentKind::Handover, ConsentKind::FollowUpContact],
        _ => &[ConsentKind::Registration],
    }
}

/// The consents that cases of these kinds work under and that are not among
/// `active`, each once, in the order the kinds need them.
pub fn missing_consents(kinds: impl IntoIterator<Item = CaseKind>, active: &[ConsentKind]) -> Vec<ConsentKind> {
    let mut out = Vec::new();
    for kind in kinds {
        for k in consents_needed(kind) {
            if !active.contains(k) && !out.contains(k) {
                out.push(*k);
            }
        }
    }
    out
}

/// What is known about a case, as the next-action rule needs it.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts {
    pub closed: bool,
    pub screened: bool,
    pub missing_consents: Vec<ConsentKind>,
    /// A return's next step that can be recorded now.
    pub next_step: Option<Step>,
    /// The earliest monitoring visit whose date has passed.
    pub overdue_visit: Option<CalendarDate>,
    /// A referral the provider has not answered or finished in time.
    pub overdue_referral: bool,
}

/// The one thing to do next on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// Screen for vulnerabilities: protection comes before paperwork.
    Screen,
    /// Record the registration consent the file rests on.
    RecordConsent(ConsentKind),
    /// Record the visit that is late.
    RecordVisit(CalendarDate),
    /// Chase the provider.
    FollowUpReferral,
    /// Record the return's next step.
    ReturnStep(Step),
    /// Record a consent the case will need later (hand-over, follow-up).
    RecordLaterConsent(ConsentKind),
    /// Nothing is pending: the case is followed through notes and assistance.
    FollowUp,
    /// A closed case.
    None,
}

/// Protection first (an unscreened person may be a victim or a child alone),
/// then what the file must rest on, then what is late, then the return's
/// next step, then consents needed later.
pub fn next_action(f: &CaseFacts) -> NextAction {
    if f.closed {
        return NextAction::None;
    }
    if !f.screened {
        return NextAction::Screen;
    }
    if f.missing_consents.contains(&ConsentKind::Registration) {
        return NextAction::RecordConsent(ConsentKind::Registration);
    }
    if let Some(d) = f.overdue_visit {
        return NextAction::RecordVisit(d);
    }
    if f.overdue_referral {
        return NextAction::FollowUpReferral;
    }
    if let Some(s) = f.next_step {
        return NextAction::ReturnStep(s);
    }
    if let Some(k) = f.missing_consents.first() {
        return NextAction::RecordLaterConsent(*k);
    }
    NextAction::FollowUp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protection_then_the_file_then_what_is_late() {
        let mut f = CaseFacts { missing_consents: vec![ConsentKind::Registration], next_step: Some(Step::Booking), ..Default::default() };
        assert_eq!(next_action(&f), NextAction::Screen);
        f.screened = true;
        assert_eq!(next_action(&f), NextAction::RecordConsent(ConsentKind::Registration));
        f.missing_consents = vec![ConsentKind::Handover];
        let late = CalendarDate::parse("d", "2026-11-01").unwrap();
        f.overdue_visit = Some(late);
        f.overdue_referral = true;
        assert_eq!(next_action(&f), NextAction::RecordVisit(late));
        f.overdue_visit = None;
        assert_eq!(next_action(&f), NextAction::FollowUpReferral);
        f.overdue_referral = false;
        assert_eq!(next_action(&f), NextAction::ReturnStep(Step::Booking));
        f.next_step = None;
        assert_eq!(next_action(&f), NextAction::RecordLaterConsent(ConsentKind::Handover));
        f.missing_consents.clear();
        assert_eq!(next_action(&f), NextAction::FollowUp);
        f.closed = true;
        assert_eq!(next_action(&f), NextAction::None);
    }

    #[test]
    fn a_return_needs_more_consents_than_a_transit_case() {
        assert_eq!(consents_needed(CaseKind::TransitProtection), &[ConsentKind::Registration]);
        assert!(consents_needed(CaseKind::AssistedVoluntaryReturn).contains(&ConsentKind::Handover));
        let kinds = [CaseKind::TransitProtection, CaseKind::AssistedVoluntaryReturn];
        assert_eq!(missing_consents(kinds, &[ConsentKind::Handover]), [ConsentKind::Registration, ConsentKind::FollowUpContact]);
    }
}
