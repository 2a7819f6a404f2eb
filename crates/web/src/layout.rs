//! The page chrome every page shares: language and direction on `<html>`,
//! a skip link, a header with navigation and the language picker, and the
//! helpers forms use to show a field with its translated error.

use crate::i18n::{t, tr, Lang};
use maud::{html, Markup, DOCTYPE};
use passage_domain::FieldError;
use passage_service::auth::Session;

pub struct Page<'a> {
    pub lang: Lang,
    pub title: String,
    pub session: Option<&'a Session>,
    /// Path to come back to after switching language.
    pub here: &'a str,
}

pub fn page(p: Page<'_>, body: Markup) -> Markup {
    let lang = p.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (p.title) " · Passage" }
                link rel="stylesheet" href=(crate::assets::stylesheet_href());
                link rel="icon" type="image/svg+xml" href=(crate::assets::icon_href());
            }
            body {
                a.skip href="#main" { (t(lang, "nav-skip")) }
                header.top {
                    a.brand href="/" { "Passage" }
                    @if let Some(s) = p.session {
                        // Wide screens see the links in a row; a phone sees one
                        // line and a menu that opens without JavaScript. Each is
                        // hidden by the stylesheet on the other, so the two never
                        // show (or reach a screen reader) at once.
                        div.wide {
                            nav aria-label=(t(lang, "nav-label")) { (nav_links(lang, s)) }
                            (account_tools(&p, s, "lang-pick"))
                        }
                        details.menu {
                            summary { (t(lang, "nav-menu")) }
                            div.menu-body {
                                nav aria-label=(t(lang, "nav-label")) { (nav_links(lang, s)) }
                                (account_tools(&p, s, "lang-pick-m"))
                            }
                        }
                    } @else {
                        (language_form(&p, "lang-pick"))
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// The messages for one field, translated.
pub fn field_errors(lang: Lang, errors: &[FieldError], field: &str) -> Vec<String> {
    errors.iter().filter(|e| e.field == field).map(|e| crate::i18n::field_error(lang, e)).collect()
}

/// A summary of every error at the top of a form, linked to the fields.
pub fn error_summary(lang: Lang, errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.errors role="alert" tabindex="-1" id="errors" {
                p { strong { (t(lang, "form-has-errors")) } }
                ul {
                    @for e in errors {
                        li { a href=(format!("#f-{}", field_id(&e.field))) { (tr(lang, &format!("field-{}", field_label_key(&e.field)), &[])) ": " (field_errors(lang, std::slice::from_ref(e), &e.field).join(" ")) } }
                    }
                }
            }
        }
    }
}

/// `names[0].given` → `names-0-given`, usable as an element id.
pub fn field_id(field: &str) -> String {
    field
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' })
        .collect::<String>()
        .replace("--", "-")
        .trim_end_matches('-')
        .to_string()
}

/// `names[1].given` → `names-given`: the label key ignores positions.
fn field_label_key(field: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in field.chars() {
        match c {
            '[' => skip = true,
            ']' => skip = false,
            '.' => out.push('-'),
            c if !skip => out.push(c),
            _ => {}
        }
    }
    out
}

pub enum Input<'a> {
    Text { value: &'a str, kind: &'a str },
    Select { value: &'a str, options: Vec<(String, String)> },
    TextArea { value: &'a str },
}

/// One labelled input with its errors, wired for screen readers.
pub fn field(lang: Lang, name: &str, label: &str, input: Input<'_>, errors: &[FieldError], hint: Option<&str>) -> Markup {
    let id = format!("f-{}", field_id(name));
    let msgs = field_errors(lang, errors, name);
    let invalid = !msgs.is_empty();
    let described = format!("{id}-err");
    html! {
        div {
            label for=(id) { (label) }
            @if let Some(h) = hint { div.muted id=(format!("{id}-hint")) { (h) } }
            @for m in &msgs { p.error id=(described) { (m) } }
            @match input {
                Input::Text { value, kind } => {
                    input id=(id) name=(name) type=(kind) value=(value) aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some(described.as_str())];
                }
                Input::Select { value, options } => {
                    select id=(id) name=(name) aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some(described.as_str())] {
                        @for (v, l) in &options { option value=(v) selected[v == value] { (l) } }
                    }
                }
                Input::TextArea { value } => {
                    textarea id=(id) name=(name) rows="4" aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some(described.as_str())] { (value) }
                }
            }
        }
    }
}

/// Options for a coded choice, labelled `prefix-code` in the user's language.
pub fn code_options(lang: Lang, prefix: &str, codes: impl IntoIterator<Item = &'static str>, empty: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = empty.map(|e| vec![(String::new(), e.to_string())]).unwrap_or_default();
    out.extend(codes.into_iter().map(|c| (c.to_string(), t(lang, &format!("{prefix}-{c}")))));
    out
}

pub fn label(lang: Lang, prefix: &str, code: &str) -> String {
    t(lang, &format!("{prefix}-{code}"))
}

/// The links a user's rights open, in the order of a working day.
fn nav_links(lang: Lang, s: &Session) -> Markup {
    use passage_domain::policy::Permission;
    let can = |p: Permission| s.actor.rights().can_somewhere(p);
    html! {
        ul {
            li { a href="/" { (t(lang, "nav-home")) } }
            li { a href="/persons" { (t(lang, "nav-search")) } }
            li { a href="/persons/new" { (t(lang, "nav-register")) } }
            li { a href="/offices" { (t(lang, "nav-offices")) } }
            @if can(Permission::AnswerHotline) || can(Permission::ReadRestricted) {
                li { a href="/hotline" { (t(lang, "nav-hotline")) } }
            }
            @if can(Permission::SendMessages) || can(Permission::ApproveMessages) {
                li { a href="/messages" { (t(lang, "nav-messages")) } }
            }
            @if can(Permission::ManageMovements) || can(Permission::ReadCases) {
                li { a href="/movements" { (t(lang, "nav-movements")) } }
            }
            @if can(Permission::ReadAggregates) {
                li { a href="/programmes" { (t(lang, "nav-programmes")) } }
                li { a href="/activities" { (t(lang, "nav-activities")) } }
                li { a href="/budgets" { (t(lang, "nav-budgets")) } }
                li { a href="/route-data" { (t(lang, "nav-route-data")) } }
            }
            @if can(Permission::WriteCases) || can(Permission::ManageReintegration) {
                li { a href="/imports" { (t(lang, "nav-imports")) } }
                li { a href="/submissions" { (t(lang, "nav-submissions")) } }
            }
            @if can(Permission::ManageReintegration) {
                li { a href="/reintegration/portfolio" { (t(lang, "nav-portfolio")) } }
            }
            @if can(Permission::MergePersons) {
                li { a href="/duplicates" { (t(lang, "nav-duplicates")) } }
            }
            @if can(Permission::ReadCases) || can(Permission::ReadPseudonymised) || can(Permission::ReadAggregates) {
                li { a href="/exports" { (t(lang, "nav-exports")) } }
            }
            li { a href="/account" { (t(lang, "nav-account")) } }
            @if can(Permission::ReadAudit) {
                li { a href="/audit" { (t(lang, "nav-audit")) } }
            }
            @if can(Permission::ManageUsers) {
                li { a href="/admin/users" { (t(lang, "nav-users")) } }
            }
        }
    }
}

/// Who is signed in, the log-out button and the language switch.
fn account_tools(p: &Page<'_>, s: &Session, lang_id: &str) -> Markup {
    let lang = p.lang;
    html! {
        div.tools {
            span.who { (s.actor.display_name) }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(s.csrf_token);
                button.secondary type="submit" { (t(lang, "nav-logout")) }
            }
            (language_form(p, lang_id))
        }
    }
}

fn language_form(p: &Page<'_>, id: &str) -> Markup {
    let lang = p.lang;
    html! {
        form method="post" action="/language" {
            @if let Some(s) = p.session { input type="hidden" name="csrf" value=(s.csrf_token); }
            input type="hidden" name="back" value=(p.here);
            label.inline-label for=(id) { (t(lang, "nav-language")) }
            select.auto id=(id) name="lang" {
                @for l in Lang::ALL {
                    option value=(l.code()) selected[l == lang] lang=(l.code()) { (l.native_name()) }
                }
            }
            " "
            button.secondary type="submit" { (t(lang, "nav-language-apply")) }
        }
    }
}
