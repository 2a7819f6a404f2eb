//! Persons: the search (any spelling), registration with the likely-persons
//! check, and the person page (identity, consents, cases) with its forms.
//! Every core flow works without JavaScript: plain links and forms,
//! POST-redirect-GET after a successful write, and on a validation error the
//! same form again with the values typed and a translated message at each field.

use crate::cases::{assistance_table, case_table, note_list, screening_list};
use crate::form::FormData;
use crate::i18n::{self, t, tr, Lang};
use crate::layout::{code_options, error_summary, field, label, page, Input, Page};
use crate::page::{country_options, html_response, poster, viewer, writable_office_options, PageError, PageResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use passage_domain::case::{CaseInput, CaseKind, CaseStatus};
use passage_domain::codes::LanguageCode;
use passage_domain::date::BirthDatePrecision;
use passage_domain::ids::PersonId;
use passage_domain::person::{ConsentInput, ConsentKind, ConsentMethod, DocumentInput, DocumentKind, NameInput, PersonInput, Sex};
use passage_domain::FieldError;
use passage_service::auth::Session;
use passage_service::ServiceError;
use std::collections::HashMap;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .get("/persons", search)
        .post("/persons", register)
        .get("/persons/new", register_form)
        .get("/persons/{id}", person)
        .post("/persons/{id}/cases", open_case)
        .post("/persons/{id}/consents", add_consent)
        .post("/persons/{id}/consents/{consent_id}/withdraw", withdraw_consent)
}

async fn search(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::ReadCases).map_err(|e| PageError::from_service(lang, e))?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let filters = crate::form::parse_filters(&get, &mut errors);
    let query = get("q");
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let searched = !query.trim().is_empty() || q.keys().any(|k| k != "q" && !get(k).is_empty());
    let result = if searched && errors.is_empty() {
        Some(state.passage.search(&s.actor, &query, &filters, 50).await.map_err(|e| PageError::from_service(lang, e))?)
    } else {
        None
    };
    let nat_options = country_options(lang, t(lang, "filter-any"));
    let body = html! {
        h1 { (t(lang, "search-title")) }
        (error_summary(lang, &errors))
        form.card method="get" action="/persons" role="search" {
            (field(lang, "q", &t(lang, "search-label"), Input::Text { value: &query, kind: "search" }, &errors, Some(&t(lang, "search-hint"))))
            div.filters {
                div { (field(lang, "nationality", &t(lang, "field-nationality"), Input::Select { value: &get("nationality"), options: nat_options }, &errors, None)) }
                div { (field(lang, "sex", &t(lang, "field-sex"), Input::Select { value: &get("sex"), options: code_options(lang, "sex", Sex::ALL.iter().map(|s| s.as_str()), Some(&t(lang, "filter-any"))) }, &errors, None)) }
                div { (field(lang, "birth_year", &t(lang, "filter-birth-year"), Input::Text { value: &get("birth_year"), kind: "number" }, &errors, None)) }
                div { (field(lang, "office", &t(lang, "case-office"), Input::Select { value: &get("office"), options: std::iter::once((String::new(), t(lang, "filter-any"))).chain(offices.iter().map(|o| (o.id.to_string(), format!("{} — {}", o.code, o.name)))).collect() }, &errors, None)) }
                div { (field(lang, "status", &t(lang, "case-status"), Input::Select { value: &get("status"), options: code_options(lang, "status", CaseStatus::ALL.iter().map(|s| s.as_str()), Some(&t(lang, "filter-any"))) }, &errors, None)) }
            }
            p { button type="submit" { (t(lang, "search-submit")) } }
        }
        @if let Some(r) = &result {
            section aria-labelledby="results" {
                h2 id="results" { (tr(lang, "search-results", &[("count", r.hits.len().to_string())])) }
                @if r.truncated { p.notice { (t(lang, "search-truncated")) } }
                @if r.hits.is_empty() { p { (t(lang, "search-none")) " " a href="/persons/new" { (t(lang, "nav-register")) } } } @else {
                    div.scroll tabindex="0" { table {
                        thead { tr { th { (t(lang, "field-name")) } th { (t(lang, "field-sex")) } th { (t(lang, "field-birth_date")) } th { (t(lang, "field-nationality")) } } }
                        tbody { @for h in &r.hits { tr {
                            td { a href=(format!("/persons/{}", h.person_id)) { (h.display_name) } @if let Some(m) = &h.matched_name { br; span.muted { (tr(lang, "search-matched-as", &[("name", m.clone())])) } } }
                            td { (label(lang, "sex", h.sex.as_str())) }
                            td { @if let Some(b) = h.birth_date { (birth(lang, b)) } }
                            td { @if let Some(n) = h.nationality { (n.names().in_lang(lang.code())) } }
                        } } }
                    } }
                }
            }
        }
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(html_response(status, page(Page { lang, title: t(lang, "search-title"), session: Some(&s), here: "/persons" }, body)))
}

fn birth(lang: Lang, b: passage_domain::date::BirthDate) -> String {
    match b.precision {
        BirthDatePrecision::Exact => i18n::date(lang, b.date),
        BirthDatePrecision::Year => b.year().to_string(),
        BirthDatePrecision::Estimated => tr(lang, "birth-estimated", &[("year", b.year().to_string())]),
    }
}

async fn register_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    passage_service::access::require(&s.actor, passage_service::access::Action::WriteSomewhere)
        .map_err(|e| PageError::from_service(lang, e))?;
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    // Registering from a hotline call: the call is linked to the new person.
    let call = q.get("call").filter(|c| c.parse::<passage_domain::ids::CallId>().is_ok()).cloned().unwrap_or_default();
    let f = FormData::from_pairs(vec![("call".into(), call)]);
    Ok(html_response(StatusCode::OK, register_page(lang, &s, &offices, &f, &[], None)))
}

fn person_input(f: &FormData) -> (PersonInput, CaseInput) {
    let mut names = vec![NameInput { given: f.get("given"), family: f.get("family") }];
    if !(f.get("alias_given").trim().is_empty() && f.get("alias_family").trim().is_empty()) {
        names.push(NameInput { given: f.get("alias_given"), family: f.get("alias_family") });
    }
    let documents = if f.get("doc_number").trim().is_empty() && f.get("doc_kind").trim().is_empty() {
        vec![]
    } else {
        vec![DocumentInput {
            kind: f.get("doc_kind"),
            number: f.get("doc_number"),
            issuing_country: f.get("doc_country"),
            expires_on: f.get("doc_expires"),
        }]
    };
    (
        PersonInput {
            names,
            sex: f.get("sex"),
            birth_date: f.get("birth_date"),
            birth_date_precision: f.get("birth_date_precision"),
            nationality: f.get("nationality"),
            languages: f.all("languages"),
            phone: f.get("phone"),
            documents,
        },
        CaseInput { kind: f.get("kind"), office_id: f.get("office_id"), assigned_to: f.get("assigned_to") },
    )
}

/// Form field names for the domain's field paths.
fn form_field(domain: &str) -> String {
    match domain {
        "names[0].given" => "given".into(),
        "names[0].family" => "family".into(),
        "names[1].given" => "alias_given".into(),
        "names[1].family" => "alias_family".into(),
        "documents[0].kind" => "doc_kind".into(),
        "documents[0].number" => "doc_number".into(),
        "documents[0].issuing_country" => "doc_country".into(),
        "documents[0].expires_on" => "doc_expires".into(),
        d if d.starts_with("languages") => "languages".into(),
        d => d.to_string(),
    }
}

fn register_page(
    lang: Lang,
    s: &Session,
    offices: &[passage_storage::records::OfficeRecord],
    f: &FormData,
    errors: &[FieldError],
    likely: Option<&[passage_service::linkage::LikelyPerson]>,
) -> Markup {
    let errors: Vec<FieldError> = errors
        .iter()
        .cloned()
        .map(|mut e| {
            e.field = form_field(&e.field);
            e
        })
        .collect();
    let errors = &errors[..];
    let my_offices = writable_office_options(s, offices);
    let text = |name: &str, kind: &str| -> Markup {
        let v = f.get(name);
        field(lang, name, &t(lang, &format!("field-{name}")), Input::Text { value: &v, kind }, errors, None)
    };
    let mut languages: Vec<(String, String)> =
        LanguageCode::all().map(|l| (l.to_string(), l.names().in_lang(lang.code()).to_string())).collect();
    languages.sort_by(|a, b| a.1.cmp(&b.1));
    let body = html! {
        h1 { (t(lang, "register-title")) }
        p.muted { (t(lang, "register-intro")) }
        (error_summary(lang, errors))
        @if let Some(list) = likely {
            section.card aria-labelledby="h-likely" role="status" {
                h2 id="h-likely" { (t(lang, "likely-title")) }
                @if list.is_empty() { p { (t(lang, "likely-none")) } } @else {
                    ul { @for l in list { li {
                        a href=(format!("/persons/{}", l.person_id)) { (l.display_name) }
                        " · " (crate::layout::label(lang, "sex", &l.sex))
                        @if let Some(y) = l.birth_year { " · " (y) }
                        @if let Some(n) = &l.nationality { " · " (n) }
                        " · " strong { (crate::i18n::tr(lang, "likely-probability", &[("p", format!("{:.0}", l.probability * 100.0))])) }
                        span.muted { " (" (l.explanation.iter().map(|p| format!("{} {:+.1}", p.field, p.weight)).collect::<Vec<_>>().join(", ")) ")" }
                    } } }
                }
            }
        }
        form method="post" action="/persons" novalidate {
            input type="hidden" name="csrf" value=(s.csrf_token);
            @if !f.get("call").is_empty() { input type="hidden" name="call" value=(f.get("call")); }
            fieldset { legend { (t(lang, "register-identity")) }
                div.grid { (text("given", "text")) (text("family", "text")) }
                div.grid { (text("alias_given", "text")) (text("alias_family", "text")) }
                div.grid {
                    (field(lang, "sex", &t(lang, "field-sex"), Input::Select { value: &f.get("sex"), options: code_options(lang, "sex", Sex::ALL.iter().map(|s| s.as_str()), None) }, errors, None))
                    (field(lang, "nationality", &t(lang, "field-nationality"), Input::Select { value: &f.get("nationality"), options: country_options(lang, t(lang, "choose")) }, errors, None))
                }
                div.grid {
                    (field(lang, "birth_date", &t(lang, "field-birth_date"), Input::Text { value: &f.get("birth_date"), kind: "text" }, errors, Some(&t(lang, "hint-birth-date"))))
                    (field(lang, "birth_date_precision", &t(lang, "field-birth_date_precision"), Input::Select { value: &f.get("birth_date_precision"), options: code_options(lang, "precision", BirthDatePrecision::ALL.iter().map(|p| p.as_str()), None) }, errors, None))
                }
                div.grid {
                    (field(lang, "phone", &t(lang, "field-phone"), Input::Text { value: &f.get("phone"), kind: "tel" }, errors, Some(&t(lang, "hint-phone"))))
                    div {
                        label for="f-languages" { (t(lang, "field-languages")) }
                        @for m in crate::layout::field_errors(lang, errors, "languages") { p.error { (m) } }
                        select id="f-languages" name="languages" multiple size="4" {
                            @for (code, name) in &languages { option value=(code) selected[f.has("languages", code)] { (name) } }
                        }
                    }
                }
            }
            fieldset { legend { (t(lang, "register-document")) }
                div.grid {
                    (field(lang, "doc_kind", &t(lang, "field-doc_kind"), Input::Select { value: &f.get("doc_kind"), options: code_options(lang, "doc", DocumentKind::ALL.iter().map(|d| d.as_str()), Some(&t(lang, "none"))) }, errors, None))
                    (text("doc_number", "text"))
                    (field(lang, "doc_country", &t(lang, "field-doc_country"), Input::Select { value: &f.get("doc_country"), options: country_options(lang, t(lang, "none")) }, errors, None))
                    (field(lang, "doc_expires", &t(lang, "field-doc_expires"), Input::Text { value: &f.get("doc_expires"), kind: "date" }, errors, None))
                }
            }
            fieldset { legend { (t(lang, "register-case")) }
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "kind", CaseKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "office_id", &t(lang, "field-office_id"), Input::Select { value: &f.get("office_id"), options: my_offices }, errors, None))
                }
            }
            // Registering stays the form's first button (what Enter does); checking first is the second.
            p {
                button type="submit" { (t(lang, "register-submit")) } " "
                button.secondary type="submit" name="check" value="1" { (t(lang, "register-check")) }
            }
        }
    };
    page(Page { lang, title: t(lang, "register-title"), session: Some(s), here: "/persons/new" }, body)
}

async fn register(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let (person, case) = person_input(&f);
    // "Check first": who is already registered like this, before saving anything.
    if f.get("check") == "1" {
        let likely = state.passage.likely_persons(&s.actor, &person, 5).await.map_err(|e| PageError::from_service(lang, e))?;
        let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
        return Ok(html_response(StatusCode::OK, register_page(lang, &s, &offices, &f, &[], Some(&likely))));
    }
    match state.passage.register_person(&s.actor, &person, &case).await {
        Ok(r) => match f.get("call").parse::<passage_domain::ids::CallId>() {
            Ok(call) => {
                let linked = state.passage.link_call(&s.actor, call, &r.person_id.to_string(), "").await;
                crate::page::after_post(lang, format!("/hotline/calls/{call}"), linked)
            }
            Err(_) => Ok(Redirect::to(&format!("/persons/{}?registered=1", r.person_id)).into_response()),
        },
        Err(ServiceError::Invalid(inv)) => {
            let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
            Ok(html_response(StatusCode::UNPROCESSABLE_ENTITY, register_page(lang, &s, &offices, &f, &inv.errors, None)))
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (s, lang) = viewer(&state, &headers).await?;
    let id: PersonId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    render_person(&state, &s, lang, id, q.contains_key("registered"), PersonForms::default(), StatusCode::OK).await
}

/// Which of the person page's forms was submitted, to re-show it with its errors.
#[derive(Default)]
struct PersonForms<'a> {
    which: &'a str,
    form: Option<&'a FormData>,
    errors: &'a [FieldError],
}

async fn render_person(
    state: &AppState,
    s: &Session,
    lang: Lang,
    id: PersonId,
    registered: bool,
    forms: PersonForms<'_>,
    status: StatusCode,
) -> PageResult {
    let empty = FormData::default();
    let (f, errors) = if forms.which == "consent" { (forms.form.unwrap_or(&empty), forms.errors) } else { (&empty, &[][..]) };
    let (cf, case_errors) = if forms.which == "case" { (forms.form.unwrap_or(&empty), forms.errors) } else { (&empty, &[][..]) };
    let offices = state.passage.offices().await.map_err(|e| PageError::from_service(lang, e))?;
    let my_offices = writable_office_options(s, &offices);
    let given_on = if f.get("given_on").is_empty() { passage_domain::date::CalendarDate::today().to_string() } else { f.get("given_on") };
    let file = state.passage.person_file(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?;
    let p = &file.person;
    // Merges into this person, for those who may undo them.
    let merges = if s.actor.rights().can_somewhere(passage_domain::policy::Permission::MergePersons) {
        state.passage.merges_into(&s.actor, id).await.map_err(|e| PageError::from_service(lang, e))?
    } else {
        Vec::new()
    };
    let body = html! {
        @if registered { p.notice role="status" { (t(lang, "register-done")) } }
        h1 { (p.display_name) }
        @let missing = missing_consents(&file);
        @let flags = protection_flags(&file);
        @if !missing.is_empty() || !flags.is_empty() {
            ul.alerts.card {
                @if !flags.is_empty() { li.alert { (tr(lang, "case-alert-protection", &[("flags", flags.iter().map(|f| label(lang, "finding", f.as_str())).collect::<Vec<_>>().join(", "))])) } }
                @if !missing.is_empty() {
                    li.alert { a href="#consent" { (tr(lang, "case-alert-consents", &[("kinds", missing.iter().map(|k| label(lang, "consent", k.as_str())).collect::<Vec<_>>().join(", "))])) } }
                }
            }
        }
        div.card {
            dl.facts {
                @if p.names.len() > 1 { dt { (t(lang, "person-aliases")) } dd { (p.names[1..].iter().map(|n| n.display()).collect::<Vec<_>>().join(", ")) } }
                dt { (t(lang, "field-sex")) } dd { (label(lang, "sex", p.sex.as_str())) }
                dt { (t(lang, "field-birth_date")) } dd { @if let Some(b) = p.birth_date { (birth(lang, b)) } @else { "—" } }
                dt { (t(lang, "field-nationality")) } dd { @if let Some(n) = p.nationality { (n.names().in_lang(lang.code())) } @else { "—" } }
                dt { (t(lang, "field-languages")) } dd { (p.languages.iter().map(|l| l.names().in_lang(lang.code()).to_string()).collect::<Vec<_>>().join(", ")) }
                dt { (t(lang, "field-phone")) } dd dir="ltr" { (p.phone.clone().unwrap_or_else(|| "—".into())) }
                @for d in &p.documents { dt { (label(lang, "doc", d.kind.as_str())) } dd dir="ltr" { (d.number) @if let Some(c) = d.issuing_country { " (" (c) ")" } } }
                dt { (t(lang, "person-registered")) } dd { (i18n::datetime(lang, p.created_at)) }
            }
        }
        h2 { (t(lang, "person-cases")) }
        (case_table(lang, &file.cases))
        @if !my_offices.is_empty() {
            details.card open[forms.which == "case"] {
                summary { (t(lang, "case-open-another")) }
                form method="post" action=(format!("/persons/{id}/cases")) id="open-case" {
                    (error_summary(lang, case_errors))
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    div.grid {
                        (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &cf.get("kind"), options: code_options(lang, "kind", CaseKind::ALL.iter().map(|k| k.as_str()), None) }, case_errors, None))
                        (field(lang, "office_id", &t(lang, "field-office_id"), Input::Select { value: &cf.get("office_id"), options: my_offices }, case_errors, None))
                    }
                    p { button type="submit" { (t(lang, "case-open-submit")) } }
                }
            }
        }
        h2 { (t(lang, "case-screenings")) }
        (screening_list(lang, &file.screenings))
        h2 { (t(lang, "case-assistance")) }
        (assistance_table(lang, &file.assistance))
        h2 { (t(lang, "case-notes")) }
        (note_list(lang, &file.notes))
        section aria-labelledby="h-consents" {
            h2 id="h-consents" { (t(lang, "consents")) }
            @if file.consents.is_empty() { p.muted { (t(lang, "none-yet")) } }
            ul { @for k in &file.consents { li {
                strong { (label(lang, "consent", k.kind.as_str())) } @if let Some(p) = &k.partner { " — " (p) }
                " · " (i18n::date(lang, k.given_on)) " · " (label(lang, "consent-method", k.method.as_str())) span.muted { " · " (k.recorded_by) }
                @if let Some(w) = k.withdrawn_on { " · " strong { (tr(lang, "consent-withdrawn-on", &[("date", i18n::date(lang, w))])) } } @else {
                    form method="post" action=(format!("/persons/{id}/consents/{}/withdraw", k.id)) class="inline" {
                        input type="hidden" name="csrf" value=(s.csrf_token);
                        " " button.secondary type="submit" { (t(lang, "consent-withdraw")) }
                    }
                }
            } } }
            details.panel open[forms.which == "consent"] {
            summary { (t(lang, "consent-record")) }
            form method="post" action=(format!("/persons/{id}/consents")) id="consent" {
                (error_summary(lang, errors))
                input type="hidden" name="csrf" value=(s.csrf_token);
                div.grid {
                    (field(lang, "kind", &t(lang, "field-kind"), Input::Select { value: &f.get("kind"), options: code_options(lang, "consent", ConsentKind::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "partner", &t(lang, "field-partner"), Input::Text { value: &f.get("partner"), kind: "text" }, errors, Some(&t(lang, "hint-partner"))))
                    (field(lang, "method", &t(lang, "field-method"), Input::Select { value: &f.get("method"), options: code_options(lang, "consent-method", ConsentMethod::ALL.iter().map(|k| k.as_str()), None) }, errors, None))
                    (field(lang, "given_on", &t(lang, "field-given_on"), Input::Text { value: &given_on, kind: "date" }, errors, None))
                }
                p { button type="submit" { (t(lang, "consent-submit")) } }
            }
            }
        }
        @if !merges.is_empty() {
            section aria-labelledby="h-merges" {
                h2 id="h-merges" { (t(lang, "person-merges")) }
                ul { @for m in &merges { li {
                    (i18n::datetime(lang, m.merged_at)) " · " code { (m.merged_person_id) }
                    @if let Some(u) = m.undone_at { " · " (tr(lang, "person-merge-undone", &[("date", i18n::datetime(lang, u))])) } @else {
                        form method="post" action=(format!("/merges/{}/undo", m.id)) class="inline" {
                            input type="hidden" name="csrf" value=(s.csrf_token);
                            " " button.secondary type="submit" { (t(lang, "duplicates-undo")) }
                        }
                    }
                } } }
            }
        }
        @if file.cases.iter().any(|c| s.actor.rights().can(passage_domain::policy::Permission::HandleDataRequests, c.office_id)) {
            (crate::privacy::data_requests_section(lang, s, id))
        }
    };
    Ok(html_response(status, page(Page { lang, title: p.display_name.clone(), session: Some(s), here: &format!("/persons/{id}") }, body)))
}

async fn add_consent(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id: PersonId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let input = ConsentInput { kind: f.get("kind"), partner: f.get("partner"), method: f.get("method"), given_on: f.get("given_on") };
    match state.passage.record_consent(&s.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}#h-consents")).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            let forms = PersonForms { which: "consent", form: Some(&f), errors: &inv.errors };
            render_person(&state, &s, lang, id, false, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn open_case(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let id: PersonId = id.parse().map_err(|_| PageError::from_service(lang, ServiceError::NotFound))?;
    let input = CaseInput { kind: f.get("kind"), office_id: f.get("office_id"), assigned_to: String::new() };
    match state.passage.open_case(&s.actor, id, &input).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{case}")).into_response()),
        Err(ServiceError::Invalid(inv)) => {
            let errors: Vec<FieldError> = inv
                .errors
                .into_iter()
                .map(|mut e| {
                    e.field = form_field(&e.field);
                    e
                })
                .collect();
            let forms = PersonForms { which: "case", form: Some(&f), errors: &errors };
            render_person(&state, &s, lang, id, false, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

async fn withdraw_consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, consent)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let f = FormData::parse(&body);
    let (s, lang) = poster(&state, &headers, &f).await?;
    let not_found = || PageError::from_service(lang, ServiceError::NotFound);
    let id: PersonId = id.parse().map_err(|_| not_found())?;
    let consent: passage_domain::ids::ConsentId = consent.parse().map_err(|_| not_found())?;
    state.passage.withdraw_consent(&s.actor, id, consent).await.map_err(|e| PageError::from_service(lang, e))?;
    Ok(Redirect::to(&format!("/persons/{id}#h-consents")).into_response())
}

/// The consents the person's open cases work under and that are not on file.
fn missing_consents(file: &passage_service::registry::PersonFile) -> Vec<ConsentKind> {
    let active: Vec<ConsentKind> = file.consents.iter().filter(|c| c.withdrawn_on.is_none()).map(|c| c.kind).collect();
    let open = file.cases.iter().filter(|c| c.status != passage_domain::case::CaseStatus::Closed).map(|c| c.kind);
    passage_domain::next_action::missing_consents(open, &active)
}

/// Protection flags of the latest screening.
fn protection_flags(file: &passage_service::registry::PersonFile) -> Vec<passage_domain::screening::VulnerabilityCategory> {
    let latest = file.screenings.iter().max_by_key(|s| s.screened_on);
    latest.map(|s| passage_domain::screening::protection_flags(&s.findings)).unwrap_or_default()
}
