//! Real headless Chromium over WebDriver (Debian's chromium and
//! chromium-driver): log in, register a person, find them again by a variant
//! spelling, record assistance, screen, refer, and find the case again after
//! logging out — in English and French on a wide screen, in Arabic
//! (right-to-left) on a 360 × 740 phone; nothing overflows the phone, its
//! header is one line, the case summary fits its first screen, every form is
//! reachable by keyboard; axe-core finds no violation on any page.

mod common;
use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn chromedriver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is not installed: run the tests with ./scripts/test, which installs chromium-driver");
    // Owned by the guard from here on, so the process is reaped however this ends.
    let driver = Driver { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(d: &Driver, width: u32) -> Client {
    let profile = tmpdir("chrome-profile");
    let mut caps = serde_json::Map::new();
    let mut options = json!({
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                 format!("--window-size={width},900"), format!("--user-data-dir={}", profile.display())]
    });
    // A headless window is never narrower than 500 px, so a phone is emulated
    // as Lighthouse does it: a 360 × 740 viewport at twice the pixel density, with touch.
    if width < 500 {
        options["mobileEmulation"] = json!({"deviceMetrics": {"width": width, "height": 740, "pixelRatio": 2.0, "touch": true}});
    }
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("start a Chromium session")
}

/// Open the closed `<details>` around what a step is about to use, as the
/// user would by pressing its summary (the keyboard test checks they can).
async fn reveal(c: &Client, css: &str) {
    let js = "document.querySelectorAll(arguments[0]).forEach(e => { for (let d = e.closest('details'); d; d = d.parentElement.closest('details')) { d.open = true; } })";
    let _ = c.execute(js, vec![json!(css)]).await;
}

async fn fill(c: &Client, css: &str, value: &str) {
    reveal(c, css).await;
    let e = match c.find(Locator::Css(css)).await {
        Ok(e) => e,
        Err(_) => {
            panic!("no {css} at {}: {}", c.current_url().await.unwrap(), c.source().await.unwrap().chars().take(1500).collect::<String>())
        }
    };
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

async fn select(c: &Client, css: &str, value: &str) {
    reveal(c, css).await;
    c.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap_or_else(|_| panic!("no option {value} in {css}"));
}

/// Submit a form and wait until the next page has replaced this one.
async fn submit(c: &Client, form_css: &str) {
    reveal(c, form_css).await;
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(&format!("{form_css} button[type=submit]"))).await.unwrap().click().await.unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for _ in 0..200 {
        if c.execute("return document.readyState", vec![]).await.ok() == Some(json!("complete")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// The part of the header that shows at this width: the row of links on a
/// wide screen, or the phone's menu, opened.
async fn header_tools(c: &Client) -> &'static str {
    let menu = c
        .execute("const m = document.querySelector('details.menu'); return m ? getComputedStyle(m).display : 'none'", vec![])
        .await
        .unwrap();
    if menu == json!("none") {
        return "header.top";
    }
    c.execute("document.querySelector('details.menu').open = true", vec![]).await.unwrap();
    "details.menu"
}

async fn choose_language(c: &Client, lang: &str) {
    let scope = header_tools(c).await;
    select(c, &format!("{scope} select[name=lang]"), lang).await;
    submit(c, &format!("{scope} form[action='/language']")).await;
}

/// The whole caseworker flow, in the language `lang`, with the given person.
async fn caseworker_flow(s: &Server, c: &Client, lang: &str, given: &str, family: &str, variant: &str, unit_word: &str) {
    c.goto(&format!("{}/login", s.url)).await.unwrap();
    fill(c, "#username", "agadez").await;
    fill(c, "#password", PASSWORD).await;
    submit(c, "form[action='/login']").await;
    choose_language(c, lang).await;
    let html_lang: String = c.execute("return document.documentElement.lang", vec![]).await.unwrap().as_str().unwrap().to_string();
    assert_eq!(html_lang, lang);

    c.goto(&format!("{}/persons/new", s.url)).await.unwrap();
    fill(c, "#f-given", given).await;
    fill(c, "#f-family", family).await;
    select(c, "#f-sex", "male").await;
    fill(c, "#f-birth_date", "1996").await;
    select(c, "#f-nationality", "GIN").await;
    select(c, "#f-kind", "transit_protection").await;
    submit(c, "form[action='/persons']").await;
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/persons/") && url.query() == Some("registered=1"), "not registered: {url}");
    let person_path = url.path().to_string();

    c.goto(&format!("{}/persons", s.url)).await.unwrap();
    fill(c, "#f-q", variant).await;
    submit(c, "form[role=search]").await;
    c.find(Locator::Css(&format!("a[href='{person_path}']"))).await.expect("the variant spelling finds the person").click().await.unwrap();
    c.find(Locator::Css("a[href^='/cases/']")).await.unwrap().click().await.unwrap();
    select(c, "#assistance #f-kind", "shelter").await;
    fill(c, "#assistance #f-quantity", "2").await;
    submit(c, "#assistance").await;
    let text = body_text(c).await;
    assert!(text.contains(&format!("2 {unit_word}")), "assistance not shown in {lang}");
    let case_path = c.current_url().await.unwrap().path().to_string();

    // Screened: the finding shows on the timeline.
    reveal(c, "#screening").await;
    c.find(Locator::Css("#screening input[value=stranded_without_means]")).await.unwrap().click().await.unwrap();
    submit(c, "#screening").await;
    assert_eq!(c.current_url().await.unwrap().path(), case_path, "screened in {lang}: {}", body_text(c).await);
    // Referred to a partner, once the person agreed to share with it (on their page).
    c.goto(&format!("{}{person_path}", s.url)).await.unwrap();
    select(c, "#consent #f-kind", "data_sharing").await;
    fill(c, "#consent #f-partner", "Croix-Rouge Agadez").await;
    select(c, "#consent #f-method", "verbal").await;
    submit(c, "#consent").await;
    c.goto(&format!("{}{case_path}", s.url)).await.unwrap();
    select(c, "#f-service", "medical").await;
    reveal(c, "form[action$='/referrals']").await;
    c.find(Locator::Css("form[action$='/referrals'] input[value=name]")).await.unwrap().click().await.unwrap();
    submit(c, "form[action$='/referrals']").await;
    let text = body_text(c).await;
    assert!(text.contains("Croix-Rouge Agadez"), "referred in {lang}: {text}");
    logout(c).await;

    // The next day: found again by another spelling, the case and what was done on it.
    c.goto(&format!("{}/login", s.url)).await.unwrap();
    fill(c, "#username", "agadez").await;
    fill(c, "#password", PASSWORD).await;
    submit(c, "form[action='/login']").await;
    c.goto(&format!("{}/persons", s.url)).await.unwrap();
    fill(c, "#f-q", variant).await;
    submit(c, "form[role=search]").await;
    c.find(Locator::Css(&format!("a[href='{person_path}']"))).await.expect("found again").click().await.unwrap();
    c.find(Locator::Css(&format!("a[href='{case_path}']"))).await.unwrap().click().await.unwrap();
    let text = body_text(c).await;
    assert!(text.contains("Croix-Rouge Agadez") && text.contains(&format!("2 {unit_word}")), "the case again in {lang}");
    logout(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caseworker_flows_in_english_french_and_arabic() {
    let s = server(Backend::Sqlite, "browser", 30).await;
    let d = chromedriver().await;
    let admin = token(&s, "admin").await;
    let r = api_post(&s, &admin, "/providers", json!({"organisation": "Croix-Rouge Agadez", "services": ["medical"], "places": "Agadez"}))
        .await;
    assert_eq!(r.status(), 201);
    let c = browser(&d, 1280).await;
    caseworker_flow(&s, &c, "en", "Mamadou", "Diallo", "Mamadu Jallow", "nights").await;
    caseworker_flow(&s, &c, "fr", "Ousmane", "Cissé", "Usman Ceesay", "nuits").await;
    // The same day on a phone, in Arabic.
    let small = browser(&d, 360).await;
    caseworker_flow(&s, &small, "ar", "Aliou", "Barry", "Aliu Bari", "ليالٍ").await;
    small.close().await.unwrap();

    // Arabic: right-to-left.
    c.goto(&format!("{}/login", s.url)).await.unwrap();
    fill(&c, "#username", "agadez").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form[action='/login']").await;
    choose_language(&c, "ar").await;
    let dir = c.execute("return getComputedStyle(document.body).direction", vec![]).await.unwrap();
    assert_eq!(dir, json!("rtl"));
    c.close().await.unwrap();

    // A 360 px phone: no page scrolls sideways.
    let phone = browser(&d, 360).await;
    phone.goto(&format!("{}/login", s.url)).await.unwrap();
    fill(&phone, "#username", "agadez").await;
    fill(&phone, "#password", PASSWORD).await;
    submit(&phone, "form[action='/login']").await;
    for path in ["/", "/persons/new", "/persons?q=diallo", "/offices"] {
        phone.goto(&format!("{}{path}", s.url)).await.unwrap();
        let w = phone.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.unwrap();
        let (scroll, inner) = (w[0].as_i64().unwrap(), w[1].as_i64().unwrap());
        assert_eq!(inner, 360, "the phone's viewport");
        assert!(scroll <= inner, "{path} is {scroll}px wide in a {inner}px window");
        // The header is one line; the links wait in a menu that opens without script.
        let h = phone.execute("return document.querySelector('header.top').getBoundingClientRect().height", vec![]).await.unwrap();
        assert!(h.as_f64().unwrap() <= 56.0, "{path}: the header is {h}px tall on a phone");
        let shown = "return [...document.querySelectorAll('details.menu nav a')].filter(a => a.checkVisibility()).length";
        assert_eq!(phone.execute(shown, vec![]).await.unwrap(), json!(0), "{path}: the menu starts closed");
        phone.find(Locator::Css("details.menu summary")).await.unwrap().click().await.unwrap();
        let n = phone.execute(shown, vec![]).await.unwrap().as_i64().unwrap();
        assert!(n >= 4, "{path}: the opened menu shows {n} links");
    }
    // A case on the phone: who, where it stands, what is urgent and what comes next, inside the first screen.
    phone.goto(&format!("{}/persons?q=diallo", s.url)).await.unwrap();
    phone.find(Locator::Css("a[href^='/persons/0']")).await.unwrap().click().await.unwrap();
    phone.find(Locator::Css("a[href^='/cases/']")).await.unwrap().click().await.unwrap();
    let bottom = phone.execute("return document.querySelector('section.summary').getBoundingClientRect().bottom", vec![]).await.unwrap();
    assert!(bottom.as_f64().unwrap() <= 740.0, "the case summary ends at {bottom}px, below the first screen");
    let next = phone.find(Locator::Css("section.summary .next a")).await.unwrap().text().await.unwrap();
    assert!(!next.is_empty(), "a next action");
    let open = "return document.querySelectorAll('details.panel[open]').length";
    assert_eq!(phone.execute(open, vec![]).await.unwrap(), json!(0), "the forms wait closed");
    // Every form is reachable by keyboard: Tab reaches each form's summary, Enter opens it, and Tab goes on into its fields.
    let panels =
        phone.execute("return [...document.querySelectorAll('details.panel > summary')].map(s => s.textContent)", vec![]).await.unwrap();
    let panels: Vec<String> = panels.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(panels.len() >= 4, "{panels:?}");
    let mut reached = std::collections::BTreeSet::new();
    phone.execute("document.activeElement.blur()", vec![]).await.unwrap();
    for _ in 0..400 {
        phone.active_element().await.unwrap().send_keys(&fantoccini::key::Key::Tab.to_string()).await.unwrap();
        let what = phone.execute("const e = document.activeElement; return e.tagName === 'SUMMARY' && e.parentElement.classList.contains('panel') ? e.textContent : ''", vec![]).await.unwrap();
        if let Some(t) = what.as_str().filter(|t| !t.is_empty()) {
            if reached.insert(t.to_string()) && reached.len() == 1 {
                // The first one: open it with Enter and step into its form.
                phone.active_element().await.unwrap().send_keys(&fantoccini::key::Key::Enter.to_string()).await.unwrap();
                assert_eq!(phone.execute(open, vec![]).await.unwrap(), json!(1), "Enter opens {t}");
                phone.active_element().await.unwrap().send_keys(&fantoccini::key::Key::Tab.to_string()).await.unwrap();
                let inside = phone.execute("return !!document.activeElement.closest('details.panel[open] form')", vec![]).await.unwrap();
                assert_eq!(inside, json!(true), "Tab goes into the form of {t}");
            }
        }
        if reached.len() == panels.len() {
            break;
        }
    }
    assert_eq!(reached.len(), panels.len(), "reached {reached:?} of {panels:?}");

    for lang in ["fr", "ar"] {
        choose_language(&phone, lang).await;
        let h = phone.execute("return document.querySelector('header.top').getBoundingClientRect().height", vec![]).await.unwrap();
        assert!(h.as_f64().unwrap() <= 56.0, "the header is {h}px tall on a phone in {lang}");
    }
    phone.goto(&format!("{}/login", s.url)).await.unwrap();
    let h = phone.execute("return document.querySelector('header.top').getBoundingClientRect().height", vec![]).await.unwrap();
    assert!(h.as_f64().unwrap() <= 56.0, "the login header is {h}px tall on a phone");
    phone.close().await.unwrap();
}

async fn login(c: &Client, s: &Server, user: &str) {
    c.goto(&format!("{}/login", s.url)).await.unwrap();
    fill(c, "#username", user).await;
    fill(c, "#password", PASSWORD).await;
    submit(c, "form[action='/login']").await;
}

async fn logout(c: &Client) {
    let scope = header_tools(c).await;
    submit(c, &format!("{scope} form[action='/logout']")).await;
}

/// Set a field's value directly (date inputs read typed keys by locale).
async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute(&format!("document.querySelector(\"{css}\").value = arguments[0]"), vec![json!(value)]).await.unwrap();
}

/// One returnee, end to end, as the people who do it click through it: a
/// caseworker in Agadez registers him and walks his pre-departure steps; a
/// movement officer puts him on a bus convoy that leaves and arrives; the
/// case is handed over to Conakry, which accepts it; a reintegration officer
/// there makes his plan and records the first monitoring visit. (The
/// sustainability score is not built: its published weights are awaited.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_from_niger_to_guinea_in_the_browser() {
    let s = server(Backend::Sqlite, "walk", 10).await;
    let d = chromedriver().await;
    let c = browser(&d, 1280).await;

    // Agadez: registration, consents, the pre-departure steps.
    login(&c, &s, "agadez").await;
    c.goto(&format!("{}/persons/new", s.url)).await.unwrap();
    fill(&c, "#f-given", "Alseny").await;
    fill(&c, "#f-family", "Sylla").await;
    select(&c, "#f-sex", "male").await;
    fill(&c, "#f-birth_date", "1995").await;
    select(&c, "#f-nationality", "GIN").await;
    select(&c, "#f-kind", "assisted_voluntary_return").await;
    submit(&c, "form[action='/persons']").await;
    let person_path = c.current_url().await.unwrap().path().to_string();
    for kind in ["handover", "follow_up_contact"] {
        c.goto(&format!("{}{person_path}", s.url)).await.unwrap();
        select(&c, "#consent #f-kind", kind).await;
        select(&c, "#consent #f-method", "written").await;
        submit(&c, "#consent").await;
    }
    c.goto(&format!("{}{person_path}", s.url)).await.unwrap();
    c.find(Locator::Css("a[href^='/cases/']")).await.unwrap().click().await.unwrap();
    let case_path = c.current_url().await.unwrap().path().to_string();
    let reference = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap().rsplit(' ').next().unwrap().to_string();
    for step in [
        "initial_interview",
        "return_counselling",
        "voluntariness_confirmed",
        "eligibility_confirmed",
        "travel_document",
        "exit_clearance",
        "booking",
        "medical_screening",
    ] {
        c.goto(&format!("{}{case_path}", s.url)).await.unwrap();
        c.execute("document.querySelectorAll('details').forEach(d => d.open = true)", vec![]).await.unwrap();
        let form = format!("form[action='{case_path}/journey/steps/{step}']");
        if step == "medical_screening" {
            select(&c, &format!("{form} select[name=fit_to_travel]"), "fit").await;
        }
        submit(&c, &form).await;
        assert!(c.current_url().await.unwrap().path().starts_with(&case_path), "{step}: {}", body_text(&c).await);
    }
    let text = body_text(&c).await;
    assert!(text.contains("Return journey"), "{text}");
    logout(&c).await;

    // The movement officer: a bus convoy, the traveller on it, boarded, departed, arrived.
    login(&c, &s, "movements").await;
    c.goto(&format!("{}/movements", s.url)).await.unwrap();
    select(&c, "#f-kind", "bus_convoy").await;
    fill(&c, "#f-origin", "Agadez bus station").await;
    fill(&c, "#f-transit", "Niamey, Bamako").await;
    select(&c, "#f-destination_country", "GIN").await;
    fill(&c, "#f-destination", "Conakry").await;
    set_value(&c, "#f-departure_on", "2026-12-01").await;
    set_value(&c, "#f-arrival_on", "2026-12-04").await;
    fill(&c, "#f-capacity", "40").await;
    submit(&c, "form[action='/movements']").await;
    let movement_path = c.current_url().await.unwrap().path().to_string();
    assert!(movement_path.starts_with("/movements/"), "{}", body_text(&c).await);
    fill(&c, "#f-case_id", &reference).await;
    submit(&c, &format!("form[action='{movement_path}/travellers']")).await;
    assert!(body_text(&c).await.contains("ALSENY") || body_text(&c).await.contains("Alseny"), "on the manifest");
    let board = c.find(Locator::Css("form[action$='/status'] input[value=boarded]")).await.unwrap();
    let form = board.find(Locator::XPath("..")).await.unwrap();
    let old = c.find(Locator::Css("html")).await.unwrap();
    form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    while old.tag_name().await.is_ok() {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for to in ["departed", "arrived"] {
        let input = c.find(Locator::Css(&format!("form[action='{movement_path}/status'] input[value={to}]"))).await.unwrap();
        let old = c.find(Locator::Css("html")).await.unwrap();
        input.find(Locator::XPath("..")).await.unwrap().find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        while old.tag_name().await.is_ok() {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    assert!(body_text(&c).await.contains("Arrived"), "the convoy arrived");
    logout(&c).await;

    // Agadez asks Conakry to take the case over; Conakry accepts from its queue.
    login(&c, &s, "agadez").await;
    c.goto(&format!("{}{case_path}", s.url)).await.unwrap();
    fill(&c, "#f-to_office", "GIN-CKY").await;
    submit(&c, &format!("form[action='{case_path}/handover']")).await;
    logout(&c).await;
    login(&c, &s, "conakry").await;
    assert!(body_text(&c).await.contains(&reference), "the hand-over waits on Conakry's home page");
    submit(&c, "form[action^='/handovers/'][action$='/accept']").await;
    assert_eq!(c.current_url().await.unwrap().path(), case_path, "accepting opens the case");
    logout(&c).await;

    // The reintegration officer: a plan and the first monitoring visit.
    login(&c, &s, "reintegration").await;
    c.goto(&format!("{}{case_path}", s.url)).await.unwrap();
    fill(&c, "#f-plan-title", "Tailoring workshop in Kindia").await;
    submit(&c, &format!("form[action='{case_path}/plans']")).await;
    assert!(c.current_url().await.unwrap().path().starts_with("/plans/"), "{}", body_text(&c).await);
    c.goto(&format!("{}{case_path}", s.url)).await.unwrap();
    fill(&c, "form[action^='/visits/'] input[name=notes]", "Workshop open; wants a second machine.").await;
    // The sustainability survey opens on demand; a few questions answered, the rest left.
    c.find(Locator::Css("form[action^='/visits/'] details summary")).await.unwrap().click().await.unwrap();
    select(&c, "form[action^='/visits/'] select[name='survey.income']", "irregular").await;
    select(&c, "form[action^='/visits/'] select[name='survey.housing']", "adequate").await;
    select(&c, "form[action^='/visits/'] select[name='survey.belonging']", "yes").await;
    submit(&c, "form[action^='/visits/']").await;
    let text = body_text(&c).await;
    assert!(text.contains("Workshop open; wants a second machine.") && text.contains("Tailoring workshop in Kindia"), "{text}");
    // economic 0.5 (income alone), social 1, psychosocial 1: composite (0.5 + 1 + 1) / 3.
    assert!(text.contains("Composite 0.83") && text.contains("not an official index"), "{text}");
    let drawn = c.execute("return document.querySelectorAll('svg polyline').length", vec![]).await.unwrap();
    assert!(drawn.as_i64().unwrap() >= 4, "three dimensions and the composite drawn: {drawn}");
    c.close().await.unwrap();

    // On a 360 px phone the case page with its chart and the portfolio do not scroll sideways.
    let phone = browser(&d, 360).await;
    login(&phone, &s, "reintegration").await;
    for path in [case_path.as_str(), "/reintegration/portfolio"] {
        phone.goto(&format!("{}{path}", s.url)).await.unwrap();
        let w = phone.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.unwrap();
        let (scroll, inner) = (w[0].as_i64().unwrap(), w[1].as_i64().unwrap());
        assert_eq!(inner, 360, "the phone's viewport");
        assert!(scroll <= inner, "{path} is {scroll}px wide in a {inner}px window");
    }
    let text = body_text(&phone).await;
    assert!(text.contains("Returnees followed") && text.contains("0.83"), "the returnee and their composite in the portfolio: {text}");
    phone.close().await.unwrap();
}

/// Programme figures as a programme viewer and a caseworker see them: the
/// dashboard's charts drawn, an office's dashboard picked from the list, a
/// campaign event recorded through its form, and the public page — without
/// login, in French, and on a phone without sideways scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programme_figures_in_the_browser() {
    let s = server(Backend::Sqlite, "browser-figures", 300).await;
    let d = chromedriver().await;
    let c = browser(&d, 1280).await;
    login(&c, &s, "viewer").await;
    c.goto(&format!("{}/programmes/SSS2-CMR", s.url)).await.unwrap();
    let bars = c
        .execute("return Array.from(document.querySelectorAll('svg.chart rect')).filter(r => r.getBBox().width > 0).length", vec![])
        .await
        .unwrap();
    assert!(bars.as_i64().unwrap() > 5, "the charts are drawn: {bars}");
    select(&c, "#office-pick", "NER-AGZ").await;
    submit(&c, "form[action='/programmes/SSS2-CMR']").await;
    assert_eq!(c.current_url().await.unwrap().query(), Some("office=NER-AGZ"));
    assert!(body_text(&c).await.contains("Persons newly assisted each month"));
    logout(&c).await;

    login(&c, &s, "agadez").await;
    c.goto(&format!("{}/activities/campaigns", s.url)).await.unwrap();
    set_value(&c, "#f-held_on", "2021-03-08").await;
    select(&c, "#f-kind", "radio_programme").await;
    fill(&c, "#f-place", "Radio Sahara FM").await;
    fill(&c, "#f-people_reached", "12 500").await;
    submit(&c, "form[action='/activities/campaigns']").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/activities", "{}", body_text(&c).await);
    assert!(body_text(&c).await.contains("Radio Sahara FM"));
    logout(&c).await;
    c.close().await.unwrap();

    // The public page: no login, French, and a phone's width.
    let phone = browser(&d, 360).await;
    phone.goto(&format!("{}/results/SSS2-CMR?lang=fr", s.url)).await.unwrap();
    let text = body_text(&phone).await;
    assert!(text.contains("Principaux résultats") && text.contains("Études et produits de données"), "{text}");
    let w = phone.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.unwrap();
    assert!(w[0].as_i64().unwrap() <= w[1].as_i64().unwrap(), "the public page scrolls sideways on a phone: {w}");
    phone.close().await.unwrap();
}

/// The route-data page without a line of script: the map (country outlines,
/// the six flow-monitoring points, the year's incidents), the tables beside
/// it, a weekly chart per point; under 100 KB, and no sideways scroll on a
/// 360 px phone. `PASSAGE_SHOTS=dir` keeps screenshots to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_data_in_the_browser() {
    let s = server(Backend::Sqlite, "browser-routes", 50).await;
    let d = chromedriver().await;
    for width in [1280, 360] {
        let c = browser(&d, width).await;
        login(&c, &s, "viewer").await;
        c.goto(&format!("{}/route-data", s.url)).await.unwrap();
        let counts = c
            .execute(
                "return [document.querySelectorAll('svg.map path').length, document.querySelectorAll('svg.map circle').length, \
                 document.querySelectorAll('svg.chart.small polyline').length, document.querySelectorAll('table.figures').length, \
                 document.documentElement.outerHTML.length, document.scripts.length, \
                 document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await
            .unwrap();
        let n = |i: usize| counts[i].as_i64().unwrap();
        assert!(n(0) > 50, "country outlines: {counts}");
        assert!(n(1) > 6 + 20, "the points and the incidents: {counts}");
        assert!(n(2) >= 6, "a weekly line per point at least: {counts}");
        assert!(n(3) >= 2, "the tables beside the pictures: {counts}");
        assert!(n(4) < 100_000, "the page weighs {} bytes", n(4));
        assert_eq!(n(5), 0, "no script");
        assert!(n(6) <= n(7), "the page scrolls sideways at {width} px: {counts}");
        let text = body_text(&c).await;
        assert!(text.contains("Central Mediterranean") && text.contains("Agadez bus station"), "{text}");
        if let Ok(dir) = std::env::var("PASSAGE_SHOTS") {
            let png = c.screenshot().await.unwrap();
            std::fs::write(format!("{dir}/route-data-{width}.png"), png).unwrap();
        }
        c.close().await.unwrap();
    }
    // An enumerator at Séguédine on a phone: one line of the tally sheet, then a breakdown too large, refused.
    let phone = browser(&d, 360).await;
    login(&phone, &s, "agadez").await;
    phone.goto(&format!("{}/route-data/counts", s.url)).await.unwrap();
    select(&phone, "#f-point", "SEG-CHK").await;
    set_value(&phone, "#f-date", "2026-11-03").await;
    select(&phone, "#f-direction", "outgoing").await;
    select(&phone, "#f-transport_mode", "truck").await;
    select(&phone, "#f-nationality", "GIN").await;
    fill(&phone, "#f-total", "37").await;
    fill(&phone, "#f-men", "30").await;
    fill(&phone, "#f-women", "5").await;
    submit(&phone, "form[action='/route-data/counts']").await;
    let url = phone.current_url().await.unwrap();
    assert!(url.query().unwrap_or_default().contains("saved=new"), "{url}: {}", body_text(&phone).await);
    let kept = phone.find(fantoccini::Locator::Css("#f-point")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("SEG-CHK"), "the point is kept for the next line");
    let w = phone.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.unwrap();
    assert!(w[0].as_i64().unwrap() <= w[1].as_i64().unwrap(), "the count form scrolls sideways on a phone: {w}");
    select(&phone, "#f-direction", "incoming").await;
    select(&phone, "#f-transport_mode", "bus").await;
    fill(&phone, "#f-total", "10").await;
    fill(&phone, "#f-men", "8").await;
    fill(&phone, "#f-women", "7").await;
    submit(&phone, "form[action='/route-data/counts']").await;
    let text = body_text(&phone).await;
    assert!(text.contains("The breakdown adds up to 15, more than the total of 10"), "{text}");
    if let Ok(dir) = std::env::var("PASSAGE_SHOTS") {
        std::fs::write(format!("{dir}/count-form-360.png"), phone.screenshot().await.unwrap()).unwrap();
    }
    phone.close().await.unwrap();
}

/// Importing a KoboToolbox export in the browser: the file chosen and
/// uploaded, the report (the page reloads itself while it checks), the
/// confirmation, and the page settling on what was imported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kobo_import_in_the_browser() {
    let s = server(Backend::Sqlite, "browser-import", 20).await;
    let d = chromedriver().await;
    let c = browser(&d, 1280).await;
    login(&c, &s, "agadez").await;
    c.goto(&format!("{}/imports", s.url)).await.unwrap();
    select(&c, "#form", "passage_registration").await;
    let file = format!("{}/tests/data/kobo/valid.csv", env!("CARGO_MANIFEST_DIR"));
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&file).await.unwrap();
    submit(&c, "form[action='/imports']").await;
    let wait_for = |text: &'static str| {
        let c = c.clone();
        async move {
            for _ in 0..150 {
                // The page reloads itself while the job runs: read the text in one
                // script call, so a reload between finding and reading cannot race it.
                let now = c.execute("return document.body ? document.body.innerText : ''", vec![]).await.ok();
                if now.and_then(|v| v.as_str().map(str::to_string)).is_some_and(|t| t.contains(text)) {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            panic!("never showed {text:?}: {}", body_text(&c).await);
        }
    };
    wait_for("6 rows: 6 ready, 0 imported before, 0 with problems").await;
    submit(&c, "form[action$='/run']").await;
    wait_for("Imported 6 rows").await;
    c.goto(&format!("{}/submissions", s.url)).await.unwrap();
    assert!(body_text(&c).await.contains("Nothing is waiting"));
    c.close().await.unwrap();
}

/// A data officer reviews a likely duplicate in the browser: the queue, the
/// pair side by side with the model's reasons, "same person", then undo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_merged_and_unmerged_in_the_browser() {
    let s = server(Backend::Sqlite, "browser-duplicates", 3).await;
    let (agadez, tripoli) = (token(&s, "agadez").await, token(&s, "tripoli").await);
    register_assisted(&s, &agadez, "Mamadou", "Diallo", "1998", "+224 620 11 22 33").await;
    register_assisted(&s, &tripoli, "Mamadu", "Jallow", "1998-01-01", "00224620112233").await;
    assert!(find_duplicates(&s).contains("new in the review queue"));
    let d = chromedriver().await;
    let c = browser(&d, 1280).await;
    login(&c, &s, "admin").await;
    // Administrators confirm a second factor.
    if c.current_url().await.unwrap().path() == "/login/second-factor" {
        if let Ok(e) = c.find(Locator::Css("#totp-secret")).await {
            remember_secret(&s, "admin", &e.text().await.unwrap().replace(' ', ""));
        }
        fill(&c, "#f-code", &totp_code(&s, "admin")).await;
        submit(&c, "form[action='/login/second-factor']").await;
    }
    c.goto(&format!("{}/duplicates", s.url)).await.unwrap();
    let row = c.find(Locator::XPath("//tr[td[contains(., 'DIALLO') or contains(., 'Diallo')]]//a")).await.unwrap();
    row.click().await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("One person or two?") && text.contains("Jallow") && text.contains("phone"), "{text}");
    submit(&c, "form[action^='/duplicates/']").await;
    let text = body_text(&c).await;
    assert!(text.contains("same person (merged)") && text.contains("Undo the merge"), "{text}");
    // The person kept (registered first) lists the merge, and undoes it from there too.
    let kept = c.find(Locator::Css("section.card h2 a")).await.unwrap().attr("href").await.unwrap().unwrap();
    c.goto(&format!("{}{kept}", s.url)).await.unwrap();
    let text = body_text(&c).await;
    assert!(
        text.contains("Records merged into this person") && (text.contains("JALLOW") || text.contains("Jallow")),
        "the merge and the alias: {text}"
    );
    submit(&c, "form[action$='/undo']").await;
    assert!(body_text(&c).await.contains("No pair waits for a decision."));
    c.close().await.unwrap();
}

/// The pages a user walks through in a day, with ids taken from the demo data.
async fn every_page(s: &Server) -> Vec<String> {
    let tok = token(s, "admin").await;
    let mut paths: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    // A person with the richest file: most cases.
    let mut best: Option<(usize, String, String)> = None;
    for q in ["diallo", "traore", "camara", "abdou", "doumbia", "bah", "keita", "sow"] {
        let hits: serde_json::Value = api_get(s, &tok, &format!("/persons?q={q}&limit=10")).await.json().await.unwrap();
        for h in hits["hits"].as_array().unwrap() {
            let id = h["person_id"].as_str().unwrap();
            let file: serde_json::Value = api_get(s, &tok, &format!("/persons/{id}")).await.json().await.unwrap();
            let cases = file["cases"].as_array().map(Vec::len).unwrap_or(0);
            if cases > 0 && best.as_ref().is_none_or(|b| cases > b.0) {
                best = Some((cases, id.to_string(), file["cases"][0]["id"].as_str().unwrap().to_string()));
            }
        }
    }
    let (_, person, case) = best.expect("a person with a case in the demo data");
    paths.push(format!("/persons/{person}"));
    paths.push(format!("/cases/{case}"));
    // A call on the desk, with notes, and a crisis message in three languages.
    let call = api_post(
        s,
        &tok,
        "/hotline/calls",
        serde_json::json!({"channel": "whatsapp", "caller": "relative", "topic": "missing_relative", "language": "hau", "office": "NER-AGZ",
                           "notes": "Her brother left Agadez for Sabha on the 28th.", "follow_up_due": "2099-01-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(call.status(), 201);
    paths.push(format!("/hotline/calls/{}", call.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap()));
    let message = api_post(
        s,
        &tok,
        "/broadcasts",
        serde_json::json!({"title": "Convoy", "fallback_language": "fra", "texts": [
            {"language": "fra", "body": "Le convoi pour Conakry part mardi à 8h."},
            {"language": "ara", "body": "القافلة إلى كوناكري تغادر يوم الثلاثاء."},
            {"language": "hau", "body": "Motar zuwa Conakry za ta tashi ranar Talata."}]}),
    )
    .await;
    assert_eq!(message.status(), 201);
    paths.push(format!("/messages/{}", message.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap()));
    let movements: serde_json::Value = api_get(s, &tok, "/movements").await.json().await.unwrap();
    if let Some(m) = movements["items"][0]["id"].as_str().or(movements[0]["id"].as_str()) {
        paths.push(format!("/movements/{m}"));
    }
    paths
}

/// axe-core's violations on the page the browser shows, as "rule: target" lines.
async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations'], rules: {'color-contrast-enhanced': {enabled: true}}}).then(r => done(r.violations.map(v =>
               v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | '))));",
            vec![],
        )
        .await
        .unwrap();
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

/// Every page, in English, French and Arabic, on a wide screen and on a phone,
/// passes axe-core's rules with no violation (its script injected through
/// WebDriver; the page's own CSP allows no script).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_core_in_three_languages_on_two_widths() {
    let Ok(axe_path) = std::env::var("PASSAGE_TEST_AXE") else {
        panic!("PASSAGE_TEST_AXE is not set: run the tests through ./scripts/test, which installs axe-core");
    };
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| panic!("{axe_path}: {e}"));
    let s = server(Backend::Sqlite, "axe", 30).await;
    let paths = every_page(&s).await;
    let d = chromedriver().await;
    let mut failures = Vec::new();
    for width in [1280, 360] {
        let c = browser(&d, width).await;
        for lang in ["en", "fr", "ar"] {
            c.goto(&format!("{}/login", s.url)).await.unwrap();
            if lang != "en" {
                choose_language(&c, lang).await;
            }
            for v in axe_violations(&c, &axe).await {
                failures.push(format!("{width} {lang} /login: {v}"));
            }
            login(&c, &s, "admin").await;
            if c.current_url().await.unwrap().path() == "/login/second-factor" {
                for v in axe_violations(&c, &axe).await {
                    failures.push(format!("{width} {lang} /login/second-factor: {v}"));
                }
                let secret =
                    c.execute("const e = document.getElementById('totp-secret'); return e ? e.textContent : null", vec![]).await.unwrap();
                if let Some(secret) = secret.as_str() {
                    remember_secret(&s, "admin", &secret.replace(' ', ""));
                }
                fill(&c, "#f-code", &totp_code(&s, "admin")).await;
                submit(&c, "form[action='/login/second-factor']").await;
            }
            for p in &paths {
                c.goto(&format!("{}{p}", s.url)).await.unwrap();
                for v in axe_violations(&c, &axe).await {
                    failures.push(format!("{width} {lang} {p}: {v}"));
                }
            }
            logout(&c).await;
        }
        c.close().await.unwrap();
    }
    assert!(failures.is_empty(), "{} axe-core violations:\n{}", failures.len(), failures.join("\n"));
}
