//! The return journey on a case's page: a timeline of the three phases,
//! each step with its state (who, when, evidence; or why waived or
//! blocked) and, for the steps still open, what blocks them and a form to
//! record them.

use crate::i18n::{t, Lang};
use crate::layout::{error_summary, label};
use maud::{html, Markup};
use passage_domain::journey::{EscortKind, FitToTravel, Phase};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::returns::{JourneyView, StepView};

fn step_form(lang: Lang, s: &Session, case: &str, st: &StepView) -> Markup {
    html! {
        details {
            summary { (t(lang, "journey-record")) }
            form method="post" action=(format!("/cases/{case}/journey/steps/{}", st.step.as_str())) {
                input type="hidden" name="csrf" value=(s.csrf_token);
                label { (t(lang, "journey-action")) " "
                    select name="action" {
                        option value="done" { (t(lang, "journey-done")) }
                        @if st.waivable { option value="waive" { (t(lang, "journey-waive")) } }
                        option value="block" { (t(lang, "journey-block")) }
                    }
                }
                @if st.step == passage_domain::journey::Step::MedicalScreening {
                    label { (t(lang, "journey-fit")) " " select name="fit_to_travel" {
                        @for f in FitToTravel::ALL { option value=(f.as_str()) { (label(lang, "fit", f.as_str())) } }
                    } }
                }
                @if st.step == passage_domain::journey::Step::Escort {
                    label { (t(lang, "journey-escort")) " " select name="escort" {
                        @for e in EscortKind::ALL { option value=(e.as_str()) { (label(lang, "escort", e.as_str())) } }
                    } }
                }
                label { (t(lang, "journey-evidence")) " " input name="evidence" type="text"; }
                label { (t(lang, "journey-reason")) " " input name="reason" type="text"; }
                button type="submit" { (t(lang, "journey-save")) }
            }
        }
    }
}

pub fn journey_section(lang: Lang, s: &Session, j: &JourneyView, errors: &[FieldError]) -> Markup {
    let case = j.case.to_string();
    html! {
        section aria-labelledby="h-journey" id="journey" {
            h2 id="h-journey" { (t(lang, "journey-title")) }
            (error_summary(lang, errors))
            @if j.voluntariness_withdrawn { p.errors role="status" { (t(lang, "journey-voluntariness-withdrawn")) } }
            @if j.unaccompanied_child { p.notice { (t(lang, "journey-child")) } }
            @if j.complete { p.notice role="status" { (t(lang, "journey-complete")) } }
            @for phase in Phase::ALL {
                h3 { (label(lang, "phase", phase.as_str())) }
                ol.timeline {
                    @for st in j.steps.iter().filter(|st| st.phase == *phase) {
                        li class=(format!("step {}", st.state)) {
                            strong { (label(lang, "step", st.step.as_str())) } " — " (label(lang, "step-state", st.state))
                            @if let Some(on) = &st.on { " · " (on) }
                            @if let Some(by) = &st.by { span.muted { " · " (by) } }
                            @if let Some(e) = &st.evidence { " · " (e) }
                            @if let Some(r) = &st.reason { " · " em { (r) } }
                            @if st.state == "pending" || st.state == "blocked" {
                                @if let Some(b) = &st.blocker { p.muted { (crate::i18n::blocker_text(lang, b)) } }
                                (step_form(lang, s, &case, st))
                            }
                        }
                    }
                }
            }
            details.panel name="case-forms" {
                summary { (t(lang, "case-handover")) }
                form method="post" action=(format!("/cases/{case}/handover")) id="handover" {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    label for="f-to_office" { (t(lang, "case-handover-office")) }
                    input #f-to_office name="to_office" type="text";
                    p { button type="submit" { (t(lang, "case-handover-submit")) } }
                }
            }
            @if !j.voluntariness_withdrawn && !j.complete {
                form method="post" action=(format!("/cases/{case}/journey/steps/voluntariness_confirmed")) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    input type="hidden" name="action" value="withdraw";
                    button.secondary type="submit" { (t(lang, "journey-withdraw")) }
                }
            }
        }
    }
}
