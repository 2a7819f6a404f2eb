//! Crisis messages: write a text per language and choose an audience, then
//! see, before anything is sent, how many people each language reaches,
//! how many get the fallback, how many cannot be reached (no usable
//! number), the segments and the cost. Numbers and names never appear on
//! these pages. Sending, a second user's approval, cancelling, and the
//! messages' statuses as delivery reports come in.

use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{after_post, country_options, html_response, language_options, poster, viewer, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::html;
use passage_domain::case::{CaseKind, CaseStatus};
use passage_domain::ids::BroadcastId;
use passage_domain::sms::{AudienceInput, BroadcastInput, BroadcastStatus, BroadcastTextInput, SmsEncoding};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/messages", list)
        .post("/messages", create)
        .get("/messages/{id}", show)
        .post("/messages/{id}/send", send)
        .post("/messages/{id}/approve", approve)
        .post("/messages/{id}/cancel", cancel)
}

/// Text boxes on the form; more languages go through the API.
const TEXT_ROWS: usize = 4;

fn broadcast_input(f: &FormData) -> BroadcastInput {
    let texts = (0..TEXT_ROWS)
        .map(|i| BroadcastTextInput { language: f.get(&format!("texts[{i}].language")), body: f.get(&format!("texts[{i}].body")) })
        .filter(|t| !(t.language.trim().is_empty() && t.body.trim().is_empty()))
        .collect();
    BroadcastInput {
        title: f.get("title"),
        texts,
        fallback_language: f.get("fallback_language"),
        audience: AudienceInput {
            office: f.get("audience.office"),
            nationality: f.get("audience.nationality"),
            language: f.get("audience.language"),
            case_kind: f.get("audience.case_kind"),
            case_status: f.get("audience.case_status"),
        },
    }
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    list_page(&state, &s, lang, &FormData::default(), &[], StatusCode::OK).await
}

async fn list_page(state: &AppState, s: &Session, lang: Lang, f: &FormData, errors: &[FieldError], status: StatusCode) -> PageResult {
    let fail = |e| PageError::from_service(lang, e);
    let broadcasts = state.passage.broadcasts(&s.actor, 50).await.map_err(fail)?;
    let offices = state.passage.offices().await.map_err(fail)?;
    let can_send = passage_service::access::allowed(&s.actor, passage_service::access::Action::SendMessages);
    let get = |k: &str| f.get(k);
    let select = |name: &str, label_key: &str, options: Vec<(String, String)>| {
        field(lang, name, &t(lang, label_key), Input::Select { value: &get(name), options }, errors, None)
    };
    let mut office_options = vec![(String::new(), t(lang, "filter-any"))];
    office_options.extend(offices.iter().map(|o| (o.code.clone(), format!("{} — {}", o.code, o.name))));
    let title = t(lang, "messages-title");
    let body = html! {
        h1 { (title) }
        p.muted { (t(lang, "messages-intro")) }
        @if !broadcasts.is_empty() {
            div.scroll tabindex="0" { table {
                thead { tr { th { (t(lang, "field-title")) } th { (t(lang, "messages-status")) } th.num { (t(lang, "messages-recipients")) } th { (t(lang, "messages-created")) } } }
                tbody { @for b in &broadcasts { tr {
                    td { a href=(format!("/messages/{}", b.id)) { (b.title) } }
                    td { (label(lang, "broadcast", b.status.as_str())) }
                    td.num { @if b.status != BroadcastStatus::Draft { (i18n::number(lang, b.recipients)) } }
                    td { (i18n::datetime(lang, b.created_at)) }
                } } }
            } }
        }
        @if can_send {
            h2 { (t(lang, "messages-new")) }
            form.card method="post" action="/messages" novalidate {
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                (field(lang, "title", &t(lang, "field-title"), Input::Text { value: &get("title"), kind: "text" }, errors, Some(&t(lang, "messages-title-hint"))))
                @for i in 0..TEXT_ROWS {
                    fieldset {
                        legend { (tr(lang, "messages-text", &[("n", (i + 1).to_string())])) }
                        (select(&format!("texts[{i}].language"), "field-language", language_options(lang, t(lang, "none"))))
                        (field(lang, &format!("texts[{i}].body"), &t(lang, "messages-body"), Input::TextArea { value: &get(&format!("texts[{i}].body")) }, errors, None))
                    }
                }
                (select("fallback_language", "messages-fallback", language_options(lang, t(lang, "messages-fallback-first"))))
                fieldset {
                    legend { (t(lang, "messages-audience")) }
                    p.muted { (t(lang, "messages-audience-rule")) }
                    div.grid {
                        (select("audience.office", "case-office", office_options))
                        (select("audience.nationality", "field-nationality", country_options(lang, t(lang, "filter-any"))))
                        (select("audience.language", "field-language", language_options(lang, t(lang, "filter-any"))))
                        (select("audience.case_kind", "field-kind", code_options(lang, "kind", CaseKind::ALL.iter().map(|k| k.as_str()), Some(&t(lang, "filter-any")))))
                        (select("audience.case_status", "case-status", code_options(lang, "status", CaseStatus::ALL.iter().map(|k| k.as_str()), Some(&t(lang, "filter-any")))))
                    }
                }
                p { button type="submit" { (t(lang, "messages-preview")) } }
            }
        }
    };
    Ok(html_response(status, page(Page { lang, title, session: Some(s), here: "/messages" }, body)))
}

async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    match state.passage.create_broadcast(&s.actor, &broadcast_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/messages/{id}")).into_response()),
        Err(ServiceError::Invalid(inv)) => list_page(&state, &s, lang, &f, &inv.errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

/// The broadcast named in the path, for a user who may do `action` (a
/// refusal comes before "not found").
fn broadcast_id(s: &Session, lang: Lang, id: &str, approving: bool) -> Result<BroadcastId, PageError> {
    use passage_service::access::{allowed, Action};
    let may = if approving {
        allowed(&s.actor, Action::ApproveMessages)
    } else {
        allowed(&s.actor, Action::SendMessages) || allowed(&s.actor, Action::ApproveMessages)
    };
    if !may {
        return Err(PageError::from_service(lang, ServiceError::Forbidden("read crisis messages")));
    }
    id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))
}

async fn show(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id = broadcast_id(&s, lang, &id, false)?;
    let v = state.passage.broadcast(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let rights = &s.actor;
    let can_send = passage_service::access::allowed(rights, passage_service::access::Action::SendMessages);
    let can_approve = passage_service::access::allowed(rights, passage_service::access::Action::ApproveMessages) && !v.created_by_me;
    let csrf = &s.csrf_token;
    let money = |x: f64| format!("{x:.2} {}", v.currency);
    let fallback_total: i64 = v.lines.iter().filter_map(|l| l.by_fallback).sum();
    let title = v.title.clone();
    let body = html! {
        h1 { (title) }
        p { strong { (label(lang, "broadcast", v.status.as_str())) } }
        @if v.gateway == "none" {
            p.errors role="status" { (t(lang, "messages-no-gateway")) }
        } @else if let Some(since) = v.health.down_since {
            p.errors role="status" { (tr(lang, "messages-gateway-down", &[("gateway", v.gateway.clone()), ("since", i18n::datetime(lang, since)), ("waiting", i18n::number(lang, v.waiting))])) }
        }
        div.scroll tabindex="0" { table.figures {
            caption { (t(lang, "messages-per-language")) }
            thead { tr {
                th scope="col" { (t(lang, "field-language")) }
                th.num scope="col" { (t(lang, "messages-recipients")) }
                th.num scope="col" { (t(lang, "messages-by-fallback")) }
                th scope="col" { (t(lang, "messages-encoding")) }
                th.num scope="col" { (t(lang, "messages-segments-each")) }
            } }
            tbody { @for l in &v.lines { tr {
                th scope="row" { (l.language.names().in_lang(lang.code())) @if l.language == v.fallback { " " span.muted { (t(lang, "messages-fallback-mark")) } } }
                td.num { (i18n::number(lang, l.recipients)) }
                td.num { @if let Some(n) = l.by_fallback { (i18n::number(lang, n)) } @else { "–" } }
                td { (match l.encoding { SmsEncoding::Gsm7 => "GSM-7", SmsEncoding::Ucs2 => "UCS-2" }) " · " (tr(lang, "messages-characters", &[("n", l.characters.to_string())])) }
                td.num { (l.segments) @if l.over_limit { " " strong.due.late { (t(lang, "messages-over-limit")) } } }
            } } }
        } }
        @for l in v.lines.iter().filter(|l| l.over_limit) {
            p.errors { (tr(lang, "messages-warn-long", &[("language", l.language.names().in_lang(lang.code()).to_string()), ("segments", l.segments.to_string()), ("limit", v.segment_limit.to_string())])) }
        }
        @if fallback_total > 0 {
            p.notice { (tr(lang, "messages-warn-fallback", &[("n", i18n::number(lang, fallback_total)), ("language", v.fallback.names().in_lang(lang.code()).to_string())])) }
        }
        dl.facts {
            dt { (t(lang, "messages-recipients")) } dd { (i18n::number(lang, v.recipients)) }
            dt { (t(lang, "messages-unreachable")) } dd { (i18n::number(lang, v.unreachable)) }
            dt { (t(lang, "messages-segments")) } dd { (i18n::number(lang, v.segments)) }
            dt { (t(lang, "messages-cost")) } dd { (money(v.cost)) }
        }
        @if v.needs_approval && matches!(v.status, BroadcastStatus::Draft | BroadcastStatus::AwaitingApproval) {
            p.notice { (tr(lang, "messages-needs-approval", &[("limit", i18n::number(lang, v.approval_above))])) }
        }
        @if !v.messages.is_empty() {
            div.scroll tabindex="0" { table.figures {
                caption { (t(lang, "messages-statuses")) }
                tbody { @for (status, n) in &v.messages { tr { th scope="row" { (label(lang, "outbox", status)) } td.num { (i18n::number(lang, *n)) } } } }
            } }
        }
        @for (l, body) in &v.texts {
            section.card { h2 { (l.names().in_lang(lang.code())) } p.pre dir="auto" { (body) } }
        }
        div.actions {
            @if v.status == BroadcastStatus::Draft && can_send {
                form.inline method="post" action=(format!("/messages/{id}/send")) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { (if v.needs_approval { t(lang, "messages-submit-for-approval") } else { t(lang, "messages-send") }) }
                }
            }
            @if v.status == BroadcastStatus::AwaitingApproval && can_approve {
                form.inline method="post" action=(format!("/messages/{id}/approve")) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { (t(lang, "messages-approve")) }
                }
            }
            @if v.status.can_become(BroadcastStatus::Cancelled) {
                form.inline method="post" action=(format!("/messages/{id}/cancel")) {
                    input type="hidden" name="csrf" value=(csrf);
                    button.secondary type="submit" { (t(lang, "messages-cancel")) }
                }
            }
        }
        p { a href="/messages" { (t(lang, "messages-title")) } }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: v.title.clone(), session: Some(&s), here: "/messages" }, body)))
}

async fn send(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = broadcast_id(&s, lang, &id, false)?;
    let r = state.passage.send_broadcast(&s.actor, id).await.map(|_| ());
    after_post(lang, format!("/messages/{id}"), r)
}

async fn approve(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = broadcast_id(&s, lang, &id, true)?;
    let r = state.passage.approve_broadcast(&s.actor, id).await;
    after_post(lang, format!("/messages/{id}"), r)
}

async fn cancel(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id = broadcast_id(&s, lang, &id, false)?;
    let r = state.passage.cancel_broadcast(&s.actor, id).await.map(|_| ());
    after_post(lang, format!("/messages/{id}"), r)
}
