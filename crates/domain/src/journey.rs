//! The assisted voluntary return of one person: three phases of steps, and
//! the rules that decide which step may be recorded when (seed 003's
//! pre-departure, transportation and post-arrival phases). Each step is
//! pending, done (with who, when and what evidence), waived (why) or
//! blocked (why). The rules live here, in one place:
//!
//! - no booking before voluntariness is confirmed and a travel document obtained;
//! - no departure before every pre-departure step is done or waived, nor while unfit
//!   to travel; fit-with-escort needs a medical escort;
//! - an unaccompanied child needs a best-interests determination and a family
//!   assessment before departure, and neither can be waived;
//! - a withdrawn voluntariness stops the journey: nothing further may be done.
//!
//! Steps that decide whether a person may go at all (voluntariness,
//! eligibility, a travel document, the medical screening, and for a child the
//! two assessments) cannot be waived: a reason is not a substitute for them.

use crate::date::CalendarDate;
use crate::ids::UserId;
use std::collections::BTreeMap;

code_enum!(
    /// The three phases of a return.
    Phase {
        PreDeparture => "pre_departure",
        Transportation => "transportation",
        PostArrival => "post_arrival",
    }
);

code_enum!(
    /// One step of a return, in the order they are usually done.
    Step {
        InitialInterview => "initial_interview",
        ReturnCounselling => "return_counselling",
        /// A signed declaration that the return is voluntary.
        VoluntarinessConfirmed => "voluntariness_confirmed",
        EligibilityConfirmed => "eligibility_confirmed",
        /// Passport or laissez-passer (embassy or authority liaison).
        TravelDocument => "travel_document",
        ExitClearance => "exit_clearance",
        /// Unaccompanied children only.
        BestInterestsDetermination => "best_interests_determination",
        /// Unaccompanied children only.
        FamilyAssessment => "family_assessment",
        Booking => "booking",
        /// With a fit-to-travel decision.
        MedicalScreening => "medical_screening",
        /// Leaving: the first step of transportation.
        DepartureAssistance => "departure_assistance",
        MovementCoordination => "movement_coordination",
        TransitAssistance => "transit_assistance",
        Escort => "escort",
        Reception => "reception",
        InlandTransport => "inland_transport",
        HealthSupport => "health_support",
        ReintegrationAssistance => "reintegration_assistance",
        MonitoringFollowUp => "monitoring_follow_up",
    }
);

code_enum!(
    /// The pre-departure medical screening's decision.
    FitToTravel {
        Fit => "fit",
        FitWithEscort => "fit_with_escort",
        Unfit => "unfit",
    }
);

code_enum!(
    /// Who travels with the returnee.
    EscortKind {
        Operational => "operational",
        Medical => "medical",
    }
);

impl Step {
    pub fn phase(self) -> Phase {
        use Step::*;
        match self {
            InitialInterview
            | ReturnCounselling
            | VoluntarinessConfirmed
            | EligibilityConfirmed
            | TravelDocument
            | ExitClearance
            | BestInterestsDetermination
            | FamilyAssessment
            | Booking
            | MedicalScreening => Phase::PreDeparture,
            DepartureAssistance | MovementCoordination | TransitAssistance | Escort => Phase::Transportation,
            Reception | InlandTransport | HealthSupport | ReintegrationAssistance | MonitoringFollowUp => Phase::PostArrival,
        }
    }

    /// Whether a reason may stand in for the step.
    pub fn waivable(self) -> bool {
        use Step::*;
        !matches!(
            self,
            VoluntarinessConfirmed
                | EligibilityConfirmed
                | TravelDocument
                | MedicalScreening
                | BestInterestsDetermination
                | FamilyAssessment
        )
    }
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Done { by: UserId, on: CalendarDate, evidence: Option<String> },
    Waived { reason: String },
    Blocked { reason: String },
}

impl StepState {
    fn settled(&self) -> bool {
        matches!(self, StepState::Done { .. } | StepState::Waived { .. })
    }
}

/// Why a step cannot be recorded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// These steps must be done (or waived, where they may be) first.
    Needs(Vec<Step>),
    /// The medical screening found the person unfit to travel.
    Unfit,
    /// Fit to travel only with a medical escort, and none is arranged.
    NeedsMedicalEscort,
    /// The person withdrew their consent to return: the journey stopped.
    VoluntarinessWithdrawn,
    /// This step does not apply to this person (the child assessments for an adult).
    NotApplicable,
    /// Only some steps may be waived; this one decides whether the person may go.
    NotWaivable,
    /// Already done or waived.
    AlreadySettled,
}

/// One person's return journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journey {
    pub unaccompanied_child: bool,
    pub steps: BTreeMap<Step, StepState>,
    pub fit_to_travel: Option<FitToTravel>,
    pub escort: Option<EscortKind>,
    pub voluntariness_withdrawn: bool,
}

impl Journey {
    pub fn new(unaccompanied_child: bool) -> Journey {
        let steps = Step::ALL.iter().filter(|s| unaccompanied_child || !s.child_only()).map(|s| (*s, StepState::Pending)).collect();
        Journey { unaccompanied_child, steps, fit_to_travel: None, escort: None, voluntariness_withdrawn: false }
    }

    fn settled(&self, s: Step) -> bool {
        self.steps.get(&s).is_some_and(StepState::settled)
    }

    fn done(&self, s: Step) -> bool {
        matches!(self.steps.get(&s), Some(StepState::Done { .. }))
    }

    /// What stops `step` from being recorded now, if anything.
    pub fn blocker(&self, step: Step) -> Option<Blocker> {
        let Some(state) = self.steps.get(&step) else { return Some(Blocker::NotApplicable) };
        if state.settled() {
            return Some(Blocker::AlreadySettled);
        }
        if self.voluntariness_withdrawn {
            return Some(Blocker::VoluntarinessWithdrawn);
        }
        let missing = |needed: &[Step]| -> Option<Blocker> {
            let m: Vec<Step> = needed.iter().copied().filter(|s| self.steps.contains_key(s) && !self.settled(*s)).collect();
            (!m.is_empty()).then_some(Blocker::Needs(m))
        };
        match step {
            Step::Booking => missing(&[Step::VoluntarinessConfirmed, Step::TravelDocument]),
            Step::DepartureAssistance => {
                let pre: Vec<Step> = Step::ALL.iter().copied().filter(|s| s.phase() == Phase::PreDeparture).collect();
                if let Some(b) = missing(&pre) {
                    return Some(b);
                }
                match self.fit_to_travel {
                    Some(FitToTravel::Unfit) => Some(Blocker::Unfit),
                    Some(FitToTravel::FitWithEscort) if self.escort != Some(EscortKind::Medical) => Some(Blocker::NeedsMedicalEscort),
                    _ => None,
                }
            }
            // The escort is arranged before departure (a medical escort is what
            // lets a fit-with-escort person leave), so it does not wait for it.
            Step::Escort => None,
            s if s.phase() == Phase::Transportation => missing(&[Step::DepartureAssistance]),
            s if s.phase() == Phase::PostArrival => missing(&[Step::DepartureAssistance]),
            _ => None,
        }
    }

    /// Record a step as done. The medical screening carries its decision;
    /// the escort step its kind.
    pub fn complete(&mut self, step: Step, by: UserId, on: CalendarDate, evidence: Option<String>) -> Result<(), Blocker> {
        if let Some(b) = self.blocker(step) {
            return Err(b);
        }
        if step == Step::MedicalScreening && self.fit_to_travel.is_none() {
            return Err(Blocker::Needs(vec![Step::MedicalScreening]));
        }
        self.steps.insert(step, StepState::Done { by, on, evidence });
        Ok(())
    }

    /// The medical screening's decision (recorded before the step is completed).
    pub fn decide_fitness(&mut self, fit: FitToTravel) {
        self.fit_to_travel = Some(fit);
    }

    /// Arrange an escort (before departure, for the fit-with-escort rule); the
    /// service does so when the escort step is recorded with its kind.
    pub fn arrange_escort(&mut self, kind: EscortKind) {
        self.escort = Some(kind);
    }

    /// Waive a step, with the reason.
    pub fn waive(&mut self, step: Step, reason: String) -> Result<(), Blocker> {
        if !step.waivable() {
            return Err(Blocker::NotWaivable);
        }
        match self.blocker(step) {
            Some(b @ (Blocker::AlreadySettled | Blocker::VoluntarinessWithdrawn | Blocker::NotApplicable)) => Err(b),
            _ => {
                self.steps.insert(step, StepState::Waived { reason });
                Ok(())
            }
        }
    }

    /// Mark a step blocked, with why (an embassy closed, a flight cancelled):
    /// it shows on the timeline until the step is done or waived.
    pub fn block(&mut self, step: Step, reason: String) -> Result<(), Blocker> {
        match self.blocker(step) {
            Some(b @ (Blocker::AlreadySettled | Blocker::VoluntarinessWithdrawn | Blocker::NotApplicable)) => Err(b),
            _ => {
                self.steps.insert(step, StepState::Blocked { reason });
                Ok(())
            }
        }
    }

    /// The person withdrew their consent to return: the journey stops here.
    /// What was done stays on record.
    pub fn withdraw_voluntariness(&mut self) {
        self.voluntariness_withdrawn = true;
    }

    /// The first pending steps of the earliest phase not yet complete, each
    /// with what blocks it: what the timeline shows as "next".
    pub fn next(&self) -> Vec<(Step, Option<Blocker>)> {
        for phase in Phase::ALL {
            let pending: Vec<Step> = self.steps.iter().filter(|(s, st)| s.phase() == *phase && !st.settled()).map(|(s, _)| *s).collect();
            if !pending.is_empty() {
                return pending.into_iter().map(|s| (s, self.blocker(s))).collect();
            }
        }
        Vec::new()
    }

    /// Whether every step that applies is done or waived.
    pub fn complete_journey(&self) -> bool {
        self.steps.values().all(StepState::settled) && self.done(Step::DepartureAssistance)
    }
}

impl Step {
    fn child_only(self) -> bool {
        matches!(self, Step::BestInterestsDetermination | Step::FamilyAssessment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> CalendarDate {
        CalendarDate::from_ymd(2026, 11, 23).unwrap()
    }

    fn done(j: &mut Journey, s: Step) {
        j.complete(s, UserId::new(), day(), None).unwrap_or_else(|b| panic!("{s}: {b:?}"));
    }

    /// Every pre-departure step, in order, with a fit decision.
    fn ready(child: bool) -> Journey {
        let mut j = Journey::new(child);
        for s in Step::ALL.iter().copied().filter(|s| s.phase() == Phase::PreDeparture) {
            if !j.steps.contains_key(&s) {
                continue;
            }
            if s == Step::MedicalScreening {
                j.decide_fitness(FitToTravel::Fit);
            }
            done(&mut j, s);
        }
        j
    }

    #[test]
    fn no_booking_before_voluntariness_and_a_travel_document() {
        let mut j = Journey::new(false);
        assert_eq!(j.blocker(Step::Booking), Some(Blocker::Needs(vec![Step::VoluntarinessConfirmed, Step::TravelDocument])));
        done(&mut j, Step::VoluntarinessConfirmed);
        assert_eq!(j.blocker(Step::Booking), Some(Blocker::Needs(vec![Step::TravelDocument])));
        assert_eq!(j.waive(Step::TravelDocument, "no embassy".into()), Err(Blocker::NotWaivable));
        done(&mut j, Step::TravelDocument);
        assert_eq!(j.blocker(Step::Booking), None);
    }

    #[test]
    fn no_departure_while_unfit_and_a_medical_escort_when_fit_with_escort() {
        let mut j = ready(false);
        assert_eq!(j.blocker(Step::DepartureAssistance), None);
        j.decide_fitness(FitToTravel::Unfit);
        assert_eq!(j.blocker(Step::DepartureAssistance), Some(Blocker::Unfit));
        j.decide_fitness(FitToTravel::FitWithEscort);
        assert_eq!(j.blocker(Step::DepartureAssistance), Some(Blocker::NeedsMedicalEscort));
        j.arrange_escort(EscortKind::Operational);
        assert_eq!(j.blocker(Step::DepartureAssistance), Some(Blocker::NeedsMedicalEscort), "an operational escort is not a medical one");
        j.arrange_escort(EscortKind::Medical);
        assert_eq!(j.blocker(Step::DepartureAssistance), None);
    }

    #[test]
    fn the_medical_screening_needs_its_decision() {
        let mut j = Journey::new(false);
        assert_eq!(j.complete(Step::MedicalScreening, UserId::new(), day(), None), Err(Blocker::Needs(vec![Step::MedicalScreening])));
        j.decide_fitness(FitToTravel::Fit);
        done(&mut j, Step::MedicalScreening);
    }

    #[test]
    fn an_unaccompanied_child_needs_both_assessments_before_departure() {
        let adult = Journey::new(false);
        assert_eq!(adult.blocker(Step::BestInterestsDetermination), Some(Blocker::NotApplicable));
        let mut child = Journey::new(true);
        for s in Step::ALL.iter().copied().filter(|s| s.phase() == Phase::PreDeparture && !s.child_only()) {
            if s == Step::MedicalScreening {
                child.decide_fitness(FitToTravel::Fit);
            }
            done(&mut child, s);
        }
        assert_eq!(
            child.blocker(Step::DepartureAssistance),
            Some(Blocker::Needs(vec![Step::BestInterestsDetermination, Step::FamilyAssessment]))
        );
        assert_eq!(child.waive(Step::FamilyAssessment, "family unreachable".into()), Err(Blocker::NotWaivable));
        done(&mut child, Step::BestInterestsDetermination);
        done(&mut child, Step::FamilyAssessment);
        assert_eq!(child.blocker(Step::DepartureAssistance), None);
    }

    #[test]
    fn a_withdrawn_voluntariness_stops_the_journey() {
        let mut j = ready(false);
        j.withdraw_voluntariness();
        let open: Vec<Step> = Step::ALL.iter().copied().filter(|s| j.steps.get(s).is_some_and(|st| !st.settled())).collect();
        assert!(!open.is_empty());
        for s in open {
            assert_eq!(j.blocker(s), Some(Blocker::VoluntarinessWithdrawn), "{s}");
            if s.waivable() {
                assert_eq!(j.waive(s, "x".into()), Err(Blocker::VoluntarinessWithdrawn), "{s}");
            }
        }
        assert!(matches!(j.steps[&Step::Booking], StepState::Done { .. }), "what was done stays on record");
    }

    #[test]
    fn transport_and_arrival_follow_departure_and_next_shows_what_blocks() {
        let mut j = ready(false);
        assert_eq!(j.blocker(Step::Reception), Some(Blocker::Needs(vec![Step::DepartureAssistance])));
        assert_eq!(j.next()[0], (Step::DepartureAssistance, None));
        done(&mut j, Step::DepartureAssistance);
        for s in [Step::MovementCoordination, Step::Reception, Step::InlandTransport] {
            done(&mut j, s);
        }
        j.waive(Step::TransitAssistance, "direct flight".into()).unwrap();
        j.waive(Step::Escort, "adult, fit".into()).unwrap();
        assert!(!j.complete_journey());
        for s in [Step::HealthSupport, Step::ReintegrationAssistance, Step::MonitoringFollowUp] {
            done(&mut j, s);
        }
        assert!(j.complete_journey());
        assert!(j.next().is_empty());
        assert_eq!(j.blocker(Step::Reception), Some(Blocker::AlreadySettled));
    }

    /// Exhaustively over every order of a few decisive events: departure is
    /// allowed exactly when the rules say, whatever happened before.
    #[test]
    fn departure_is_allowed_exactly_when_every_rule_holds() {
        let fits = [None, Some(FitToTravel::Fit), Some(FitToTravel::FitWithEscort), Some(FitToTravel::Unfit)];
        let escorts = [None, Some(EscortKind::Operational), Some(EscortKind::Medical)];
        for child in [false, true] {
            for fit in fits {
                for escort in escorts {
                    for withdrawn in [false, true] {
                        for skip_doc in [false, true] {
                            let mut j = Journey::new(child);
                            let pre: Vec<Step> =
                                Step::ALL.iter().copied().filter(|s| s.phase() == Phase::PreDeparture && j.steps.contains_key(s)).collect();
                            for s in pre {
                                if skip_doc && matches!(s, Step::TravelDocument | Step::Booking) {
                                    continue;
                                }
                                if s == Step::MedicalScreening {
                                    match fit {
                                        Some(f) => j.decide_fitness(f),
                                        None => continue,
                                    }
                                }
                                done(&mut j, s);
                            }
                            if let Some(e) = escort {
                                j.arrange_escort(e);
                            }
                            if withdrawn {
                                j.withdraw_voluntariness();
                            }
                            let expect_ok = !withdrawn
                                && !skip_doc
                                && fit.is_some()
                                && fit != Some(FitToTravel::Unfit)
                                && (fit != Some(FitToTravel::FitWithEscort) || escort == Some(EscortKind::Medical));
                            assert_eq!(
                                j.blocker(Step::DepartureAssistance).is_none(),
                                expect_ok,
                                "{child} {fit:?} {escort:?} {withdrawn} {skip_doc}"
                            );
                        }
                    }
                }
            }
        }
    }
}
