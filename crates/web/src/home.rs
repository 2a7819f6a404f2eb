//! The home page: the work queue, a search box, the user's open cases and
//! the latest activity in their offices.

use crate::cases::case_table;
use crate::i18n::{self, t, tr};
use crate::layout::{label, page, Page};
use crate::page::{html_response, viewer, PageError, PageResult};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use maud::html;
use std::collections::HashMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().get("/", home)
}

async fn home(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let err = |e| PageError::from_service(lang, e);
    let cases = state.passage.my_cases(&s.actor, 20).await.map_err(err)?;
    let activity = state.passage.recent_activity(&s.actor, 15).await.map_err(err)?;
    let mut filter = passage_service::queue::QueueFilter {
        office: q.get("office").cloned().unwrap_or_default(),
        kind: q.get("kind").cloned().unwrap_or_default(),
    };
    // A kind the page never offered (an edited address) shows the whole queue rather than an error page.
    if passage_domain::case::CaseKind::parse("kind", &filter.kind).is_err() {
        filter.kind.clear();
    }
    let queue = state.passage.work_queue(&s.actor, &filter).await.map_err(err)?;
    let body = html! {
        h1 { (tr(lang, "home-welcome", &[("name", s.actor.display_name.clone())])) }
        (crate::queue::queue_section(lang, &s, &queue, &filter))
        form.card method="get" action="/persons" role="search" {
            label for="q" { (t(lang, "search-label")) }
            input id="q" name="q" type="search";
            p { button type="submit" { (t(lang, "search-submit")) } " " a.button href="/persons/new" { (t(lang, "nav-register")) } }
        }
        section aria-labelledby="my-cases" {
            h2 id="my-cases" { (t(lang, "home-my-cases")) }
            @if cases.is_empty() { p.muted { (t(lang, "home-no-cases")) } } @else { (case_table(lang, &cases)) }
        }
        section aria-labelledby="recent" {
            h2 id="recent" { (t(lang, "home-recent")) }
            @if activity.is_empty() { p.muted { (t(lang, "home-no-activity")) } } @else {
                ul {
                    @for a in &activity {
                        li {
                            span.muted { (i18n::datetime(lang, a.at)) } " — " (a.user) " · " (label(lang, "activity", &a.action))
                            @if let (Some(id), Some(r)) = (a.case_id, &a.case_reference) { " · " a href=(format!("/cases/{id}")) { (r) } }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(StatusCode::OK, page(Page { lang, title: t(lang, "nav-home"), session: Some(&s), here: "/" }, body)))
}
