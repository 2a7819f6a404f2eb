//! The work queue on the home page: one section per group that has items
//! (urgent, overdue, today, this week, later, waiting on others), each with
//! its count, and filters by office and case kind that work without script.

use crate::i18n::{t, tr, Lang};
use crate::layout::label;
use maud::{html, Markup};
use passage_domain::case::CaseKind;
use passage_domain::queue::{QueueGroup, QueueItemKind};
use passage_service::auth::Session;
use passage_service::queue::{QueueFilter, QueueItem, WorkQueue};

/// The queue, grouped, with its filters.
pub fn queue_section(lang: Lang, s: &Session, q: &WorkQueue, filter: &QueueFilter) -> Markup {
    let filtered = !filter.office.trim().is_empty() || !filter.kind.trim().is_empty();
    html! {
        section.card.queue aria-labelledby="h-queue" {
            h2 id="h-queue" { (t(lang, "queue-title")) " " span.badge { (q.total) } }
            p.counts {
                @for g in &q.groups {
                    @if g.count > 0 {
                        a href=(format!("#q-{}", g.group.as_str())) class=(format!("badge q-{}", g.group.as_str())) {
                            (label(lang, "queue-group", g.group.as_str())) " " (g.count)
                        }
                        " "
                    }
                }
            }
            @if q.total > 0 || filtered {
                details.queue-filter open[filtered] {
                    summary { (t(lang, "queue-filter")) }
                    form.filters method="get" action="/" {
                        div {
                            label for="q-office" { (t(lang, "case-office")) }
                            input #q-office name="office" type="text" value=(filter.office) placeholder="NER-AGZ" autocomplete="off";
                        }
                        div {
                            label for="q-kind" { (t(lang, "field-kind")) }
                            select #q-kind name="kind" {
                                option value="" { (t(lang, "filter-any")) }
                                @for k in CaseKind::ALL {
                                    option value=(k.as_str()) selected[filter.kind == k.as_str()] { (label(lang, "kind", k.as_str())) }
                                }
                            }
                        }
                        div { button.secondary type="submit" { (t(lang, "queue-filter")) } }
                    }
                }
            }
            @if q.total == 0 {
                p.muted { (t(lang, if filtered { "queue-empty-filtered" } else { "queue-empty" })) }
            }
            @for g in q.groups.iter().filter(|g| g.count > 0) {
                h3 id=(format!("q-{}", g.group.as_str())) class=(format!("q-{}", g.group.as_str())) {
                    (label(lang, "queue-group", g.group.as_str())) " (" (g.count) ")"
                }
                ul.queue-items { @for item in &g.items { li { (item_line(lang, s, item, g.group)) } } }
            }
        }
    }
}

fn item_line(lang: Lang, s: &Session, i: &QueueItem, group: QueueGroup) -> Markup {
    let what = match i.kind {
        QueueItemKind::ProtectionCase => {
            let flags: Vec<String> = i.detail.split_whitespace().map(|f| label(lang, "finding", f)).collect();
            tr(lang, "queue-item-protection_case", &[("flags", flags.join(", "))])
        }
        QueueItemKind::HandoverToDecide => tr(lang, "queue-item-handover_to_decide", &[("office", i.detail.clone())]),
        QueueItemKind::HandoverSent => tr(lang, "queue-item-handover_sent", &[("office", i.detail.clone())]),
        QueueItemKind::ReturnStep => tr(lang, "queue-item-return_step", &[("step", label(lang, "step", &i.detail))]),
        QueueItemKind::MonitoringVisit => t(lang, "queue-item-monitoring_visit"),
        QueueItemKind::Referral => tr(lang, "queue-item-referral", &[("service", label(lang, "service", &i.detail))]),
        QueueItemKind::MovementDeparting => tr(lang, "queue-item-movement_departing", &[("kind", label(lang, "movement", &i.detail))]),
        QueueItemKind::HotlineCall => tr(lang, "queue-item-hotline_call", &[("topic", label(lang, "topic", &i.detail))]),
    };
    html! {
        a href=(i.link) { (i.reference) } " · " (what) " · " span.muted { (i.office_code) }
        @if let Some(d) = i.due_on {
            " · " span class=(if group == QueueGroup::Overdue { "due late" } else { "due" }) { (tr(lang, "queue-due", &[("date", crate::i18n::date(lang, d))])) }
        }
        @if let Some(h) = &i.handover_id {
            div.actions {
                form.inline method="post" action=(format!("/handovers/{h}/accept")) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    button type="submit" { (t(lang, "queue-accept")) }
                }
                " "
                form.inline method="post" action=(format!("/handovers/{h}/decline")) {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    input name="reason" type="text" placeholder=(t(lang, "journey-reason")) aria-label=(t(lang, "journey-reason"));
                    " "
                    button.secondary type="submit" { (t(lang, "queue-decline")) }
                }
            }
        }
    }
}
