//! The hotline desk's pages, sized for a phone: a call is logged in a few
//! taps (the desk's most-used choices first, the time filled in), the shift
//! hand-over list sits under the form, and a call's page is where the
//! operator finds or registers the person, links a case, and closes or
//! moves the follow-up. The desk's figures are on their own page, through
//! disclosure control.

use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{after_post, html_response, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::disclosure::Figure;
use passage_domain::hotline::{CallInput, CallerKind, Channel, Topic, Urgency};
use passage_domain::ids::CallId;
use passage_domain::policy::Permission;
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;
use passage_storage::hotline::CallRecord;
use std::collections::HashMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/hotline", desk)
        .post("/hotline/calls", log_call)
        .get("/hotline/calls/{id}", call_page)
        .post("/hotline/calls/{id}/link", link)
        .post("/hotline/calls/{id}/done", done)
        .post("/hotline/calls/{id}/follow-up", follow_up)
        .get("/hotline/figures", figures)
}

/// A time typed in a `datetime-local` box (`2026-12-07T09:30`, UTC on this
/// desk) or in full RFC 3339.
fn moment(s: &str) -> String {
    let s = s.trim();
    if s.len() == 16 && s.as_bytes().get(10) == Some(&b'T') {
        format!("{s}:00Z")
    } else {
        s.to_string()
    }
}

/// A time as the desk shows it: `07 Dec 09:30` in UTC.
fn when(lang: Lang, at: Timestamp) -> String {
    i18n::datetime(lang, at)
}

fn call_input(f: &FormData) -> CallInput {
    CallInput {
        at: moment(&f.get("at")),
        minutes: f.get("minutes"),
        channel: f.get("channel"),
        language: f.get("language"),
        caller: f.get("caller"),
        topic: f.get("topic"),
        urgency: f.get("urgency"),
        notes: f.get("notes"),
        follow_up_due: moment(&f.get("follow_up_due")),
        office: f.get("office"),
        person_id: f.get("person_id"),
    }
}

async fn desk(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    desk_page(&state, &s, lang, &FormData::default(), &[], StatusCode::OK).await
}

async fn desk_page(state: &AppState, s: &Session, lang: Lang, f: &FormData, errors: &[FieldError], status: StatusCode) -> PageResult {
    let fail = |e| PageError::from_service(lang, e);
    let list = state.passage.hand_over_list(&s.actor, 200).await.map_err(fail)?;
    let answers = s.actor.rights().can_somewhere(Permission::AnswerHotline);
    let offices = state.passage.offices().await.map_err(fail)?;
    let desks: Vec<(String, String)> = offices
        .iter()
        .filter(|o| s.actor.rights().can(Permission::AnswerHotline, o.id))
        .map(|o| (o.code.clone(), format!("{} — {}", o.code, o.name)))
        .collect();
    let recent = if answers { state.passage.recent_calls(&s.actor, 20).await.map_err(fail)? } else { Vec::new() };
    let now = Timestamp::now();
    let get = |k: &str| f.get(k);
    let select = |name: &str, options: Vec<(String, String)>| {
        field(lang, name, &t(lang, &format!("field-{name}")), Input::Select { value: &get(name), options }, errors, None)
    };
    let title = t(lang, "hotline-title");
    let body = html! {
        h1 { (title) }
        @if answers {
            form.card method="post" action="/hotline/calls" novalidate {
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (select("topic", code_options(lang, "topic", Topic::ALL.iter().map(|k| k.as_str()), Some(&t(lang, "choose")))))
                    (select("caller", code_options(lang, "caller", CallerKind::ALL.iter().map(|k| k.as_str()), Some(&t(lang, "choose")))))
                    (select("channel", code_options(lang, "channel", Channel::ALL.iter().map(|k| k.as_str()), None)))
                    (select("language", crate::page::language_options(lang, t(lang, "choose"))))
                    (select("urgency", code_options(lang, "urgency", Urgency::ALL.iter().map(|k| k.as_str()), None)))
                    (field(lang, "minutes", &t(lang, "field-minutes"), Input::Text { value: &get("minutes"), kind: "number" }, errors, None))
                    @if desks.len() > 1 { (select("office", desks.clone())) }
                    (field(lang, "at", &t(lang, "field-at"), Input::Text { value: &get("at"), kind: "datetime-local" }, errors, Some(&t(lang, "hotline-at-hint"))))
                    (field(lang, "follow_up_due", &t(lang, "field-follow_up_due"), Input::Text { value: &get("follow_up_due"), kind: "datetime-local" }, errors, Some(&t(lang, "hotline-utc"))))
                }
                (field(lang, "notes", &t(lang, "field-notes"), Input::TextArea { value: &get("notes") }, errors, Some(&t(lang, "hotline-notes-hint"))))
                p.muted { (t(lang, "hotline-protection-rule")) }
                p { button type="submit" { (t(lang, "hotline-log")) } }
            }
        }
        section aria-labelledby="h-handover" {
            h2 id="h-handover" { (tr(lang, "hotline-handover", &[("count", list.len().to_string())])) }
            @if list.is_empty() { p.muted { (t(lang, "hotline-handover-none")) } } @else {
                ul.queue-items { @for c in &list { li { (call_line(lang, c, now)) } } }
            }
        }
        @if !recent.is_empty() {
            section aria-labelledby="h-recent" {
                h2 id="h-recent" { (t(lang, "hotline-recent")) }
                ul.queue-items { @for c in &recent { li { (call_line(lang, c, now)) } } }
            }
        }
        @if s.actor.rights().can_somewhere(Permission::ReadAggregates) {
            p { a href="/hotline/figures" { (t(lang, "hotline-figures")) } }
        }
    };
    Ok(html_response(status, page(Page { lang, title, session: Some(s), here: "/hotline" }, body)))
}

/// One call in a list: when, what, how urgent, where, and whether its follow-up is late.
fn call_line(lang: Lang, c: &CallRecord, now: Timestamp) -> Markup {
    html! {
        a href=(format!("/hotline/calls/{}", c.id)) { (when(lang, c.at)) }
        " · " (label(lang, "topic", c.topic.as_str()))
        @if c.protection { " · " strong.due.late { (t(lang, "hotline-protection")) } }
        " · " (label(lang, "channel", c.channel.as_str()))
        " · " span.muted { (c.office_code) }
        @if c.is_open() { @if let Some(d) = c.follow_up_due {
            " · " span class=(if d < now { "due late" } else { "due" }) { (tr(lang, "hotline-due", &[("time", when(lang, d))])) }
        } }
        @if c.done_at.is_some() { " · " span.muted { (t(lang, "hotline-done")) } }
    }
}

async fn log_call(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    match state.passage.record_call(&s.actor, &call_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/hotline/calls/{id}?saved=1")).into_response()),
        Err(ServiceError::Invalid(inv)) => desk_page(&state, &s, lang, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

/// The call named in the path, for a user of the desk (a refusal comes
/// before "not found", so that ids are not probed by those who may not look).
fn call_id(s: &Session, lang: Lang, id: &str) -> Result<CallId, PageError> {
    if !sees_desk(s) {
        return Err(PageError::from_service(lang, ServiceError::Forbidden("see the hotline desk")));
    }
    id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))
}

async fn call_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id = call_id(&s, lang, &id)?;
    let fail = |e| PageError::from_service(lang, e);
    let view = state.passage.call(&s.actor, id).await.map_err(fail)?;
    let c = &view.call;
    let query = q.get("q").cloned().unwrap_or_default();
    let hits = if query.trim().is_empty() {
        None
    } else {
        Some(state.passage.search(&s.actor, &query, &Default::default(), 10).await.map_err(fail)?)
    };
    let person = match c.person_id {
        Some(p) => state.passage.person_file(&s.actor, p).await.ok(),
        None => None,
    };
    let may_answer = s.actor.rights().can(Permission::AnswerHotline, c.office_id);
    let csrf = &s.csrf_token;
    let title = tr(lang, "hotline-call-title", &[("time", when(lang, c.at))]);
    let body = html! {
        h1 { (title) }
        @if q.contains_key("saved") { p.notice role="status" { (t(lang, "hotline-saved")) } }
        @if c.protection && c.is_open() { p.errors role="status" { (t(lang, "hotline-in-protection-queue")) } }
        dl.facts {
            dt { (t(lang, "field-topic")) } dd { (label(lang, "topic", c.topic.as_str())) }
            dt { (t(lang, "field-caller")) } dd { (label(lang, "caller", c.caller.as_str())) }
            dt { (t(lang, "field-channel")) } dd { (label(lang, "channel", c.channel.as_str())) }
            dt { (t(lang, "field-urgency")) } dd { (label(lang, "urgency", c.urgency.as_str())) }
            @if let Some(l) = c.language { dt { (t(lang, "field-language")) } dd { (l.names().in_lang(lang.code())) } }
            @if let Some(m) = c.minutes { dt { (t(lang, "field-minutes")) } dd { (m) } }
            dt { (t(lang, "case-office")) } dd { (c.office_code) }
            @if let Some(d) = c.follow_up_due { dt { (t(lang, "field-follow_up_due")) } dd { (when(lang, d)) } }
            @if let Some(d) = c.done_at { dt { (t(lang, "hotline-done")) } dd { (when(lang, d)) } }
        }
        @if let Some(n) = &view.notes { section.card { h2 { (t(lang, "field-notes")) } p.pre { (n) } } }
        @if view.notes_withheld { p.muted { (t(lang, "hotline-notes-withheld")) } }
        @if may_answer && c.is_open() {
            form method="post" action=(format!("/hotline/calls/{id}/done")) {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { (t(lang, "hotline-close")) }
            }
        }
        @if may_answer {
            form.card method="post" action=(format!("/hotline/calls/{id}/follow-up")) {
                input type="hidden" name="csrf" value=(csrf);
                (field(lang, "follow_up_due", &t(lang, "hotline-set-follow-up"), Input::Text { value: "", kind: "datetime-local" }, &[], Some(&t(lang, "hotline-utc"))))
                button.secondary type="submit" { (t(lang, "hotline-set-follow-up")) }
            }
        }
        section.card aria-labelledby="h-person" {
            h2 id="h-person" { (t(lang, "hotline-person")) }
            @if let Some(p) = &person {
                p { a href=(format!("/persons/{}", p.person.id)) { (p.person.display_name) } }
                @if may_answer {
                    form method="post" action=(format!("/hotline/calls/{id}/link")) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="person_id" value=(p.person.id);
                        label for="f-case_id" { (t(lang, "hotline-case")) }
                        select id="f-case_id" name="case_id" {
                            option value="" { (t(lang, "none")) }
                            @for k in &p.cases { option value=(k.id) selected[c.case_id == Some(k.id)] { (k.reference) " · " (label(lang, "kind", k.kind.as_str())) } }
                        }
                        " " button.secondary type="submit" { (t(lang, "hotline-link-case")) }
                    }
                    p {
                        a href=(format!("/persons/{}#open-case", p.person.id)) { (t(lang, "hotline-open-case")) }
                        @if let Some(case) = c.case_id { " · " a href=(format!("/cases/{case}#referrals")) { (t(lang, "hotline-refer")) } }
                    }
                }
            } @else if c.person_id.is_some() {
                p.muted { (t(lang, "hotline-person-hidden")) }
            } @else if may_answer {
                form method="get" action=(format!("/hotline/calls/{id}")) role="search" {
                    (field(lang, "q", &t(lang, "search-label"), Input::Text { value: &query, kind: "search" }, &[], None))
                    button type="submit" { (t(lang, "search-submit")) }
                }
                @if let Some(r) = &hits {
                    @if r.hits.is_empty() { p { (t(lang, "search-none")) } }
                    ul { @for h in &r.hits { li {
                        form.inline method="post" action=(format!("/hotline/calls/{id}/link")) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="person_id" value=(h.person_id);
                            (h.display_name)
                            @if let Some(n) = h.nationality { " · " (n) }
                            @if let Some(b) = h.birth_date { " · " (b.year()) }
                            " " button.secondary type="submit" { (t(lang, "hotline-link-person")) }
                        }
                    } } }
                }
                p { a href=(format!("/persons/new?call={id}")) { (t(lang, "hotline-register")) } }
            }
        }
        p { a href="/hotline" { (t(lang, "hotline-title")) } }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title, session: Some(&s), here: "/hotline" }, body)))
}

async fn link(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = call_id(&s, lang, &id)?;
    let r = state.passage.link_call(&s.actor, id, &f.get("person_id"), &f.get("case_id")).await;
    after_post(lang, format!("/hotline/calls/{id}"), r)
}

async fn done(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = call_id(&s, lang, &id)?;
    let r = state.passage.close_follow_up(&s.actor, id).await;
    after_post(lang, "/hotline".into(), r)
}

async fn follow_up(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = call_id(&s, lang, &id)?;
    let r = state.passage.set_follow_up(&s.actor, id, &moment(&f.get("follow_up_due"))).await;
    after_post(lang, format!("/hotline/calls/{id}"), r)
}

async fn figures(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let today = CalendarDate::today();
    let date = |k: &str, default: CalendarDate| q.get(k).and_then(|v| CalendarDate::parse(k, v).ok()).unwrap_or(default);
    let from = date("from", today.add_days(-27));
    let to = date("to", today);
    let fig = state.passage.hotline_figures(&s.actor, from, to).await.map_err(|e| PageError::from_service(lang, e))?;
    let table = |caption: String, prefix: Option<&str>, rows: &[(String, Figure)]| {
        html! {
            div.scroll tabindex="0" { table.figures {
                caption { (caption) }
                tbody { @for (k, v) in rows { tr {
                    th scope="row" { @match prefix {
                        Some(p) if !k.is_empty() => (label(lang, p, k)),
                        _ if k.is_empty() => (t(lang, "hotline-language-unknown")),
                        _ => (k),
                    } }
                    td.num { (i18n::figure(lang, *v)) }
                } } }
            } }
        }
    };
    let title = t(lang, "hotline-figures");
    let body = html! {
        h1 { (title) }
        form.filters method="get" action="/hotline/figures" {
            label { (t(lang, "field-from")) " " input type="date" name="from" value=(from.to_string()); }
            " " label { (t(lang, "field-to")) " " input type="date" name="to" value=(to.to_string()); }
            " " button type="submit" { (t(lang, "route-data-show")) }
        }
        p { (tr(lang, "hotline-figures-total", &[("calls", i18n::figure(lang, fig.total)), ("from", i18n::date(lang, from)), ("to", i18n::date(lang, to))])) }
        p { (tr(lang, "hotline-figures-follow-up", &[
            ("n", i18n::figure(lang, fig.followed_up)),
            ("hours", fig.median_hours_to_follow_up.map(|h| format!("{h:.1}")).unwrap_or_else(|| "*".into())),
        ])) }
        p.muted { "* : " (t(lang, "figures-suppressed")) }
        (table(t(lang, "hotline-by-topic"), Some("topic"), &fig.by_topic))
        (table(t(lang, "hotline-by-language"), None, &fig.by_language.iter().map(|(k, v)| {
            let name = passage_domain::codes::LanguageCode::parse("l", k).map(|l| l.names().in_lang(lang.code()).to_string()).unwrap_or_default();
            (name, *v)
        }).collect::<Vec<_>>()))
        (table(t(lang, "hotline-by-channel"), Some("channel"), &fig.by_channel))
        (table(t(lang, "hotline-by-day"), None, &fig.by_day))
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title, session: Some(&s), here: "/hotline/figures" }, body)))
}

/// Whether a user sees the desk in the menu.
fn sees_desk(s: &Session) -> bool {
    let r = s.actor.rights();
    r.can_somewhere(Permission::AnswerHotline) || r.can_somewhere(Permission::ReadRestricted)
}
