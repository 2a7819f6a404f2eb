//! Black-box test harness: a fresh database (an SQLite file, or a new
//! database on the test PostgreSQL server), filled by `passage generate`,
//! and `passage serve` started as a process on a random port.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const PASSWORD: &str = "passage-demo-2026";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_passage")
}

pub fn tmpdir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!("passage-t-{}-{}-{}", std::process::id(), tag, N.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A database URL for a fresh, empty database.
pub async fn fresh_database(backend: Backend, tag: &str) -> String {
    match backend {
        Backend::Sqlite => tmpdir(tag).join("passage.db").display().to_string(),
        Backend::Postgres => {
            let admin = std::env::var("PASSAGE_TEST_POSTGRES_URL")
                .expect("PASSAGE_TEST_POSTGRES_URL is not set: run the tests with ./scripts/test, which starts PostgreSQL");
            sqlx::any::install_default_drivers();
            let name = format!("t_{}_{}", tag.replace('-', "_"), uuid_like());
            let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await.expect("connect to test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        }
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), t % 1_000_000_000, N.fetch_add(1, Ordering::SeqCst))
}

/// The data key file for test databases on PostgreSQL (SQLite ones keep
/// theirs beside the file): one per test process, made on first use.
pub fn pg_key_file() -> PathBuf {
    static P: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let p = tmpdir("key").join("pg-data.key");
        passage_storage::sealed::Keyring::load_or_create(&p).expect("a data key for the test databases");
        p
    })
    .clone()
}

fn with_key(cmd: &mut Command, args: &[&str]) {
    if args.iter().any(|a| a.starts_with("postgres")) {
        cmd.env("PASSAGE_DATA_KEY_FILE", pg_key_file());
    }
}

pub fn run(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(bin());
    with_key(&mut cmd, args);
    let mut child = cmd
        .args(args)
        .env("PASSAGE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run passage");
    {
        use std::io::Write;
        let mut si = child.stdin.take().expect("stdin");
        if let Some(s) = stdin {
            // The process may exit before reading (a refused flag): that is not a test failure.
            let _ = si.write_all(s.as_bytes());
        }
    }
    child.wait_with_output().expect("passage finished")
}

pub struct Server {
    pub url: String,
    pub database_url: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running Passage with the demo offices and users and `persons` synthetic persons.
pub async fn server(backend: Backend, tag: &str, persons: u32) -> Server {
    let database_url = fresh_database(backend, tag).await;
    let out = run(&["generate", "--demo-users", "--persons", &persons.to_string(), "--seed", "7", "--database-url", &database_url], None);
    assert!(out.status.success(), "generate failed: {}", String::from_utf8_lossy(&out.stderr));
    start(&database_url)
}

pub fn start(database_url: &str) -> Server {
    start_with(database_url, &[])
}

/// `passage serve` with extra flags.
pub fn start_with(database_url: &str, extra: &[&str]) -> Server {
    start_on("127.0.0.1:0", database_url, extra)
}

/// `passage serve` on a given address (a restarted server keeps its port:
/// a gateway holds URLs pointing at it).
pub fn start_on(bind: &str, database_url: &str, extra: &[&str]) -> Server {
    start_logging(bind, database_url, extra, Stdio::inherit())
}

/// `passage serve` with its log (stderr) going to `log`.
pub fn start_logging(bind: &str, database_url: &str, extra: &[&str], log: Stdio) -> Server {
    let mut cmd = Command::new(bin());
    with_key(&mut cmd, &[database_url]);
    let mut child = cmd
        .args(["serve", "--bind", bind, "--database-url", database_url])
        .args(extra)
        .env("PASSAGE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start passage serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read the listening line");
    let url = line.trim().rsplit(' ').next().expect("url on the line").to_string();
    assert!(url.starts_with("http://"), "unexpected first line: {line:?}");
    Server { url, database_url: database_url.to_string(), child }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// Authenticator secrets enrolled by tests, by (server, username), and the
/// last time step each used: a step is accepted only once.
type Authenticators = std::sync::Mutex<std::collections::HashMap<(String, String), (Vec<u8>, i64)>>;

fn authenticators() -> &'static Authenticators {
    static A: std::sync::OnceLock<Authenticators> = std::sync::OnceLock::new();
    A.get_or_init(Default::default)
}

/// Remember a secret enrolled for `username` on `s` (base32, as the server gave it).
pub fn remember_secret(s: &Server, username: &str, base32: &str) {
    let raw = passage_domain::totp::base32_decode(base32).expect("base32 secret");
    authenticators().lock().unwrap().insert((s.url.clone(), username.to_string()), (raw, i64::MIN));
}

/// A fresh code for `username` on `s`, as their phone would show it: a
/// time step not used before (waiting for the next one when needed).
pub fn totp_code(s: &Server, username: &str) -> String {
    use passage_domain::totp::{code_at, step_at, STEP_SECS};
    loop {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let mut map = authenticators().lock().unwrap();
        let (secret, last) = map.get_mut(&(s.url.clone(), username.to_string())).expect("an enrolled authenticator");
        let step = (step_at(now) - 1).max(*last + 1);
        if step <= step_at(now) + 1 {
            *last = step;
            return code_at(secret, step * STEP_SECS);
        }
        drop(map);
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// Log in through the API (answering the second factor, enrolling it at the
/// first login, for the roles that need one); returns the bearer token.
pub async fn token(s: &Server, username: &str) -> String {
    let r = client()
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&serde_json::json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .expect("login request");
    assert_eq!(r.status(), 200, "login as {username}");
    let v: serde_json::Value = r.json().await.expect("login json");
    if let Some(t) = v["token"].as_str() {
        return t.to_string();
    }
    if v["second_factor"] == "enrol" {
        remember_secret(s, username, v["secret"].as_str().expect("secret to enrol"));
    }
    let code = totp_code(s, username);
    let r = client()
        .post(format!("{}/api/v1/auth/second-factor", s.url))
        .json(&serde_json::json!({"challenge": v["challenge"], "code": code}))
        .send()
        .await
        .expect("second factor request");
    assert_eq!(r.status(), 200, "second factor of {username}");
    let v: serde_json::Value = r.json().await.expect("login json");
    v["token"].as_str().expect("token").to_string()
}

/// Load the login form as a browser does: its token (and, in the client's cookie store, the matching cookie).
pub async fn login_token(c: &reqwest::Client, base: &str) -> String {
    let page = c.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").expect("the login form carries a token") + "name=\"csrf\" value=\"".len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

/// Log a cookie client in through the login form (and the second-factor page when the role needs it).
pub async fn page_login(s: &Server, c: &reqwest::Client, username: &str) {
    let csrf = login_token(c, &s.url).await;
    let r =
        c.post(format!("{}/login", s.url)).form(&[("username", username), ("password", PASSWORD), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), 303, "login as {username}");
    if r.headers()["location"] == "/" {
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        return;
    }
    assert_eq!(r.headers()["location"], "/login/second-factor");
    let page = c.get(format!("{}/login/second-factor", s.url)).send().await.unwrap().text().await.unwrap();
    if let Some(i) = page.find("id=\"totp-secret\">") {
        let rest = &page[i + "id=\"totp-secret\">".len()..];
        let secret = &rest[..rest.find('<').unwrap()];
        remember_secret(s, username, &secret.replace(' ', ""));
    }
    let code = totp_code(s, username);
    let r = c.post(format!("{}/login/second-factor", s.url)).form(&[("code", code.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303, "second factor of {username}");
    assert_eq!(r.headers()["location"], "/");
}

/// A connection straight to a test server's database (what the application cannot prevent, or its tables as they are).
pub async fn connect(backend: Backend, db: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{db}"),
        Backend::Postgres => db.to_string(),
    };
    sqlx::AnyConnection::connect(&url).await.expect("connect")
}

/// A page's HTML as `username` sees it (logged in through the form).
pub async fn page_get(s: &Server, username: &str, path: &str) -> String {
    let c = client();
    page_login(s, &c, username).await;
    let r = c.get(format!("{}{path}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path} for {username}");
    r.text().await.unwrap()
}

/// Register a man of Guinea in `tok`'s first office, with one shelter assistance
/// (which makes him count in the programme's figures): (person id, case id).
pub async fn register_assisted(s: &Server, tok: &str, given: &str, family: &str, birth: &str, phone: &str) -> (String, String) {
    let office = office_of(s, tok).await;
    let r = api_post(
        s,
        tok,
        "/persons",
        serde_json::json!({"person": {"names": [{"given": given, "family": family}], "sex": "male", "birth_date": birth, "nationality": "GIN", "phone": phone},
               "case": {"kind": "assisted_voluntary_return", "office_id": office}}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: serde_json::Value = r.json().await.unwrap();
    let case = v["case_id"].as_str().unwrap().to_string();
    // Assistance makes the person count in the programme's figures (the default programme ran 2018–2021).
    let r = api_post(
        s,
        tok,
        &format!("/cases/{case}/assistance"),
        serde_json::json!({"kind": "shelter", "provided_on": "2021-06-10", "quantity": "1"}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    (v["person_id"].as_str().unwrap().to_string(), case)
}

/// `passage linkage dedupe --database-url` on the server's database: its output.
pub fn find_duplicates(s: &Server) -> String {
    let o = run(&["linkage", "dedupe", "--database-url", &s.database_url], None);
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{text}");
    text
}

/// Define one test per backend from an async function taking a `Backend`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::common::Backend::Sqlite).await } )+ }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::common::Backend::Postgres).await } )+ }
    };
}

/// The first office where the user may register persons (from `/api/v1/me`).
pub async fn office_of(s: &Server, token: &str) -> String {
    let me: serde_json::Value = client().get(format!("{}/api/v1/me", s.url)).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    me["offices"][0].as_str().unwrap().to_string()
}

/// A database URL as sqlx wants it (the harness gives SQLite as a path), drivers installed.
pub fn sqlx_url(url: &str) -> String {
    sqlx::any::install_default_drivers();
    if url.starts_with("postgres") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    }
}

/// `POST /api/v1{path}` with a bearer token and a JSON body.
pub async fn api_post(s: &Server, tok: &str, path: &str, body: serde_json::Value) -> reqwest::Response {
    client().post(format!("{}/api/v1{path}", s.url)).bearer_auth(tok).json(&body).send().await.unwrap()
}

/// `GET /api/v1{path}` with a bearer token.
pub async fn api_get(s: &Server, tok: &str, path: &str) -> reqwest::Response {
    client().get(format!("{}/api/v1{path}", s.url)).bearer_auth(tok).send().await.unwrap()
}

/// Validate a tabular export with the reference HXL library (`hxlvalidate`
/// from the virtual environment `./scripts/test` prepares) against a schema
/// in `tests/data`. Returns whether it passed, and what it said.
#[allow(dead_code)]
pub fn hxl_validate(bytes: &[u8], extension: &str, schema: &str) -> (bool, String) {
    let venv = std::env::var("PASSAGE_TEST_VENV").expect("PASSAGE_TEST_VENV is unset: run the tests with ./scripts/test");
    let dir = tmpdir("hxl");
    let file = dir.join(format!("export.{extension}"));
    std::fs::write(&file, bytes).unwrap();
    let schema = format!("{}/tests/data/{schema}", env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(std::path::Path::new(&venv).join("bin/hxlvalidate")).args(["--schema", &schema]).arg(&file).output().unwrap();
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// The signed-in pages that take no id, as an administrator sees them: the
/// walk of the page-wide checks (no inline style, axe-core) starts here and
/// adds a person, a case and a movement from the demo data.
pub const PAGES: &[&str] = &[
    "/",
    "/persons",
    "/persons/new",
    "/persons?q=diallo",
    "/offices",
    "/audit",
    "/programmes",
    "/programmes/SSS2-CMR",
    "/results/SSS2-CMR",
    "/activities",
    "/budgets",
    "/route-data",
    "/route-data/counts",
    "/movements",
    "/duplicates",
    "/submissions",
    "/imports",
    "/exports",
    "/account",
    "/admin/users",
    "/admin/permissions",
    "/reintegration/portfolio",
    "/hotline",
    "/hotline/figures",
    "/messages",
];
