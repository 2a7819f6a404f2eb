//! The HTML pages as a browser without JavaScript uses them: plain GETs and
//! form posts with cookies, on SQLite and PostgreSQL.

mod common;
use common::*;

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn first_option_value(html: &str, select: &str) -> String {
    let start = html.find(&format!("name=\"{select}\"")).expect("select");
    let rest = &html[start..];
    let v = rest.find("<option value=\"").expect("option") + "<option value=\"".len();
    rest[v..].split('"').next().unwrap().to_string()
}

async fn login(s: &Server, c: &reqwest::Client, user: &str) {
    page_login(s, c, user).await;
}

async fn register_find_and_record_through_forms(backend: Backend) {
    let s = server(backend, "pages", 20).await;
    let c = client();
    // Not logged in: sent to the login page; a wrong password says so.
    let r = c.get(format!("{}/", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    // A login posted without the form's token (from another site, or a form never loaded) is refused before the
    // password is even looked at; so is one that says it comes from another site.
    let r = c.post(format!("{}/login", s.url)).form(&[("username", "agadez"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("has expired"));
    let csrf = login_token(&c, &s.url).await;
    let r = c
        .post(format!("{}/login", s.url))
        .header("origin", "https://evil.example")
        .form(&[("username", "agadez"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a cross-site login");
    let r = c
        .post(format!("{}/login", s.url))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "agadez"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a cross-site login");
    // What Chromium sends under `Referrer-Policy: no-referrer`: an opaque origin on a same-origin post. It reaches
    // the password check.
    let r = c
        .post(format!("{}/login", s.url))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", "agadez"), ("password", "nope nope nope"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Wrong username or password"));
    login(&s, &c, "agadez").await;

    let form = c.get(format!("{}/persons/new", s.url)).send().await.unwrap();
    assert_eq!(form.headers()["cache-control"], "no-store");
    assert!(form.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    let html = form.text().await.unwrap();
    assert!(html.len() < 50 * 1024, "register page is {} bytes", html.len());
    let csrf = hidden(&html, "csrf");
    let office = first_option_value(&html, "office_id");

    // Without the CSRF token: refused.
    let r = c
        .post(format!("{}/persons", s.url))
        .form(&[("family", "Diallo"), ("kind", "transit_protection"), ("office_id", &office)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Invalid: the form comes back with the values and the messages.
    let r = c
        .post(format!("{}/persons", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("given", "Mamadou"),
            ("family", "Diallo"),
            ("birth_date", "1998-02-30"),
            ("kind", "transit_protection"),
            ("office_id", &office),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("This date does not exist"), "no inline error");
    assert!(html.contains("value=\"Mamadou\""), "typed value lost");
    assert!(html.contains("aria-invalid=\"true\""));
    // Valid: registered, and the person page shows them.
    let r = c
        .post(format!("{}/persons", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("given", "Mamadou"),
            ("family", "Diallo"),
            ("sex", "male"),
            ("birth_date", "1998"),
            ("nationality", "GIN"),
            ("languages", "fuf"),
            ("languages", "fra"),
            ("kind", "transit_protection"),
            ("office_id", &office),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("?registered=1"));
    let person_path = location.trim_end_matches("?registered=1").to_string();
    let person_url = format!("{}{}", s.url, location);
    let page = c.get(&person_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Mamadou DIALLO") && page.contains("Guinea") && page.contains("Pular"), "person page");
    let case_path = page.split("href=\"/cases/").nth(1).unwrap().split('"').next().unwrap().to_string();

    // Found by a variant spelling.
    let results = c
        .get(format!("{}/persons", s.url))
        .query(&[("q", "Mamadu Jallow"), ("nationality", "GIN"), ("birth_year", "1998")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(results.contains(&format!("href=\"{person_path}\"")), "variant search did not find the person");

    // Record a night of shelter; then a bad quantity is refused with a message.
    let case_url = format!("{}/cases/{case_path}", s.url);
    let r = c
        .post(format!("{case_url}/assistance"))
        .form(&[("csrf", csrf.as_str()), ("kind", "shelter"), ("provided_on", "2026-01-05"), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(format!("{case_url}/assistance"))
        .form(&[("csrf", csrf.as_str()), ("kind", "food"), ("provided_on", "2026-01-05"), ("quantity", "-2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Write a whole number"));
    let r = c
        .post(format!("{case_url}/screenings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screened_on", "2026-01-05"),
            ("findings", "serious_medical_condition"),
            ("findings", "stranded_without_means"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(format!("{case_url}/notes"))
        .form(&[("csrf", csrf.as_str()), ("body", "Needs a follow-up at the health post.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let case = c.get(&case_url).send().await.unwrap().text().await.unwrap();
    assert!(case.contains("Serious medical condition") && case.contains("Needs a follow-up") && case.contains("nights"));
    // Unknown pages and methods.
    assert_eq!(c.get(format!("{}/persons/not-an-id", s.url)).send().await.unwrap().status(), 404);
    assert_eq!(c.get(format!("{}/no/such/page", s.url)).send().await.unwrap().status(), 404);
    assert_eq!(c.delete(format!("{}/persons", s.url)).send().await.unwrap().status(), 405);
}

async fn pages_speak_french_and_arabic(backend: Backend) {
    let s = server(backend, "lang", 5).await;
    let c = client();
    // The language switch goes back only to a path on this site.
    for back in ["//evil.example/", "/\\evil.example/", "https://evil.example/", "/\tx"] {
        let r = client().post(format!("{}/language", s.url)).form(&[("lang", "fr"), ("back", back)]).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/", "back={back:?}");
    }
    let r = c.get(format!("{}/login", s.url)).header("accept-language", "fr-FR,fr;q=0.9").send().await.unwrap().text().await.unwrap();
    assert!(r.contains("lang=\"fr\"") && r.contains("Mot de passe"), "French login page");
    login(&s, &c, "agadez").await;
    let home = c.get(format!("{}/", s.url)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&home, "csrf");
    let r = c.post(format!("{}/language", s.url)).form(&[("csrf", csrf.as_str()), ("lang", "ar"), ("back", "/")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let home = c.get(format!("{}/", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("lang=\"ar\" dir=\"rtl\""), "Arabic home page is right-to-left");
    let r = c
        .post(format!("{}/language", s.url))
        .form(&[("csrf", csrf.as_str()), ("lang", "fr"), ("back", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/", "open redirect");
    let home = c.get(format!("{}/", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("lang=\"fr\" dir=\"ltr\""));
}

fn option_value_labelled(html: &str, select: &str, label_start: &str) -> String {
    let start = html.find(&format!("name=\"{select}\"")).expect("select");
    let rest = &html[start..];
    let at = rest.find(&format!("\">{label_start}")).unwrap_or_else(|| panic!("no option {label_start}"));
    let v = rest[..at].rfind("value=\"").unwrap() + "value=\"".len();
    rest[v..at].to_string()
}

/// A person registered in Agadez is invisible to Conakry until a case is
/// opened for them there (from the person page); then Conakry finds them.
async fn a_case_opened_elsewhere_makes_the_person_findable_there(backend: Backend) {
    let s = server(backend, "elsewhere", 5).await;
    let (agadez, conakry, admin) = (client(), client(), client());
    login(&s, &agadez, "agadez").await;
    login(&s, &conakry, "conakry").await;
    login(&s, &admin, "admin").await;
    let html = agadez.get(format!("{}/persons/new", s.url)).send().await.unwrap().text().await.unwrap();
    let (csrf, office) = (hidden(&html, "csrf"), first_option_value(&html, "office_id"));
    let r = agadez
        .post(format!("{}/persons", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("given", "Kadiatou"),
            ("family", "Bangoura"),
            ("sex", "female"),
            ("birth_date", "2001"),
            ("nationality", "GIN"),
            ("kind", "transit_protection"),
            ("office_id", &office),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let person_path = r.headers()["location"].to_str().unwrap().trim_end_matches("?registered=1").to_string();
    let search =
        |c: &reqwest::Client| c.get(format!("{}/persons", s.url)).query(&[("q", "kadiatou bangoura"), ("birth_year", "2001")]).send();
    assert!(!search(&conakry).await.unwrap().text().await.unwrap().contains(&person_path), "Conakry sees a person it has no case for");
    assert_eq!(conakry.get(format!("{}{person_path}", s.url)).send().await.unwrap().status(), 404);

    // The administrator opens a second case for her, in Conakry.
    let page = admin.get(format!("{}{person_path}", s.url)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let conakry_office = option_value_labelled(&page, "office_id", "GIN-CKY — ");
    let r = admin
        .post(format!("{}{person_path}/cases", s.url))
        .form(&[("csrf", csrf.as_str()), ("kind", "no_such_kind"), ("office_id", &conakry_office)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "an unknown kind is refused on the form");
    let r = admin
        .post(format!("{}{person_path}/cases", s.url))
        .form(&[("csrf", csrf.as_str()), ("kind", "assisted_voluntary_return"), ("office_id", &conakry_office)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/cases/"));

    assert!(
        search(&conakry).await.unwrap().text().await.unwrap().contains(&person_path),
        "Conakry does not find the person after a case was opened there"
    );
    let page = conakry.get(format!("{}{person_path}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Kadiatou BANGOURA"));
    // Conakry sees its own case, not Agadez's.
    assert_eq!(page.matches("href=\"/cases/").count(), 1, "Conakry should see only the case of its office");
}

both_backends!(
    register_find_and_record_through_forms,
    pages_speak_french_and_arabic,
    a_case_opened_elsewhere_makes_the_person_findable_there
);

/// The Content-Security-Policy allows no inline style or script: no page may
/// carry one (the browser would refuse it and log an error).
#[tokio::test]
async fn no_page_carries_an_inline_style_or_script() {
    let s = server(Backend::Sqlite, "csp", 20).await;
    let admin = client();
    page_login(&s, &admin, "admin").await;
    let tok = token(&s, "admin").await;
    let hits: serde_json::Value = api_get(&s, &tok, "/persons?q=a&limit=1").await.json().await.unwrap();
    let person = hits["hits"][0]["person_id"].as_str().map(str::to_string);
    let mut paths: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    if let Some(p) = person {
        paths.push(format!("/persons/{p}"));
        let file: serde_json::Value = api_get(&s, &tok, &format!("/persons/{p}")).await.json().await.unwrap();
        if let Some(c) = file["cases"][0]["id"].as_str() {
            paths.push(format!("/cases/{c}"));
        }
    }
    let anonymous = client().get(format!("{}/login", s.url)).send().await.unwrap().text().await.unwrap();
    for (path, html) in std::iter::once(("/login".to_string(), anonymous)).chain({
        let mut pages = Vec::new();
        for p in &paths {
            let r = admin.get(format!("{}{p}", s.url)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{p}");
            pages.push((p.clone(), r.text().await.unwrap()));
        }
        pages
    }) {
        assert!(!html.contains(" style=\""), "{path} has an inline style");
        assert!(!html.contains("<script>") && !html.contains("<script "), "{path} has a script");
        assert!(!html.contains("<style"), "{path} has a style element");
    }
}

/// Pages travel compressed when the browser asks (gzip or brotli), and as
/// they are when it does not.
#[tokio::test]
async fn pages_are_compressed_when_asked() {
    let s = server(Backend::Sqlite, "gzip", 20).await;
    let c = client();
    page_login(&s, &c, "admin").await;
    let plain = c.get(format!("{}/programmes/SSS2-CMR", s.url)).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    for encoding in ["br", "gzip"] {
        let r = c.get(format!("{}/programmes/SSS2-CMR", s.url)).header("accept-encoding", encoding).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-encoding"], encoding);
        let packed = r.bytes().await.unwrap();
        assert!(packed.len() * 4 < plain.len(), "{encoding}: {} bytes of {}", packed.len(), plain.len());
    }
    // The API too.
    let tok = token(&s, "admin").await;
    let r =
        client().get(format!("{}/api/v1/openapi.json", s.url)).bearer_auth(&tok).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
}

/// The case page reads at a glance: the summary (who, where it stands, what
/// is missing, the next action) comes before any form, the forms wait closed,
/// and the timeline holds everything recorded, filterable by kind.
#[tokio::test]
async fn the_case_page_reads_at_a_glance() {
    let s = server(Backend::Sqlite, "glance", 1).await;
    let tok = token(&s, "agadez").await;
    let office = office_of(&s, &tok).await;
    let r = api_post(
        &s,
        &tok,
        "/persons",
        serde_json::json!({"person": {"names": [{"given": "Fatoumata", "family": "Bangoura"}], "sex": "female", "birth_date": "2001", "nationality": "GIN"},
               "case": {"kind": "transit_protection", "office_id": office}}),
    )
    .await;
    let ids: serde_json::Value = r.json().await.unwrap();
    let case = ids["case_id"].as_str().unwrap().to_string();
    let today = passage_domain::date::CalendarDate::today().to_string();
    let note = api_post(&s, &tok, &format!("/cases/{case}/notes"), serde_json::json!({"body": "Met at the bus station."})).await;
    assert_eq!(note.status(), 201);
    let a = api_post(
        &s,
        &tok,
        &format!("/cases/{case}/assistance"),
        serde_json::json!({"kind": "food", "provided_on": today, "quantity": "3"}),
    )
    .await;
    assert_eq!(a.status(), 201);

    let c = client();
    page_login(&s, &c, "agadez").await;
    let html = c.get(format!("{}/cases/{case}", s.url)).send().await.unwrap().text().await.unwrap();
    let summary = html.find("class=\"card summary\"").expect("a summary");
    let first_form = html.find("<form method=\"post\" action=\"/cases/").expect("forms");
    assert!(summary < first_form, "the summary comes before the forms");
    assert!(html.contains("Fatoumata BANGOURA") || html.contains("Fatoumata Bangoura"));
    assert!(html.contains("Consent missing: Registration"), "what the file lacks");
    assert!(html.contains("Next: </strong><a href=\"#screening\">Screen for vulnerabilities"), "not screened yet: screening comes first");
    assert!(!html.contains("<details class=\"panel\" name=\"case-forms\" open"), "every form waits closed");
    assert!(html.contains("Met at the bus station.") && html.contains("Food"), "the timeline");
    let notes = c.get(format!("{}/cases/{case}?show=note", s.url)).send().await.unwrap().text().await.unwrap();
    let events = &notes[notes.find("<ol class=\"events\">").unwrap()..];
    assert!(events.contains("Met at the bus station.") && !events.contains("Food"), "only the notes");

    // A screening posted with a mistake comes back with that form open, and only that one.
    let csrf = {
        let marker = "name=\"csrf\" value=\"";
        let i = html.find(marker).unwrap() + marker.len();
        html[i..].split('"').next().unwrap().to_string()
    };
    let r = c
        .post(format!("{}/cases/{case}/screenings", s.url))
        .form(&[("csrf", csrf.as_str()), ("screened_on", "2999-01-01"), ("findings", "victim_of_trafficking")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let again = r.text().await.unwrap();
    assert_eq!(again.matches("name=\"case-forms\" open").count(), 1, "the screening form is open");
    // Once screened as a victim of trafficking, the summary says so first.
    let r = api_post(
        &s,
        &tok,
        &format!("/cases/{case}/screenings"),
        serde_json::json!({"screened_on": today, "findings": ["victim_of_trafficking"], "exploitation": ["labour"]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let html = c.get(format!("{}/cases/{case}", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Protection: Victim of trafficking"));
    assert!(html.contains("Record the consent: Registration"), "then the consent the file rests on");
}

/// The stylesheet travels under a fingerprinted name that browsers keep for a
/// year; the plain name still answers, briefly cached; nothing else is served.
#[tokio::test]
async fn the_stylesheet_is_fingerprinted_and_immutable() {
    let s = server(Backend::Sqlite, "assets", 1).await;
    let c = client();
    let html = c.get(format!("{}/login", s.url)).send().await.unwrap().text().await.unwrap();
    let i = html.find("rel=\"stylesheet\" href=\"").unwrap() + "rel=\"stylesheet\" href=\"".len();
    let href = html[i..].split('"').next().unwrap().to_string();
    assert!(href.starts_with("/static/app.") && href.len() > "/static/app..css".len() + 8, "{href}");
    let r = c.get(format!("{}{href}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let body = r.text().await.unwrap();
    let plain = c.get(format!("{}/static/app.css", s.url)).send().await.unwrap();
    assert_eq!(plain.headers()["cache-control"], "public, max-age=300");
    assert_eq!(plain.text().await.unwrap(), body);
    assert_eq!(c.get(format!("{}/static/app.0000000000000000.css", s.url)).send().await.unwrap().status(), 404, "a stale name");
    // The icon too: without one every browser asks for /favicon.ico and logs the 404 as an error.
    let i = html.find("rel=\"icon\" type=\"image/svg+xml\" href=\"").expect("an icon link")
        + "rel=\"icon\" type=\"image/svg+xml\" href=\"".len();
    let icon = html[i..].split('"').next().unwrap();
    let r = c.get(format!("{}{icon}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(c.get(format!("{}/static/..%2FCargo.toml", s.url)).send().await.unwrap().status(), 404);
}
