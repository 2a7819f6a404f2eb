//! A regional server whose PostgreSQL goes away (issue 18, first part): the
//! test starts its own cluster from Debian's PostgreSQL on a loopback port,
//! serves Passage on it, then stops the database under it and brings it
//! back. While the database is down, API calls and pages answer 503 with
//! `Retry-After` within the configured wait (never a 500, never the pool's
//! 30 s), `/healthz` stays live and `/readyz` says not ready; when it is
//! back, Passage writes again without a restart and nothing acknowledged is
//! lost.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A PostgreSQL cluster of the test's own (the shared test server must stay up for the other tests).
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

fn as_postgres(cmd: &Path) -> Command {
    // Root may not run the server; the postgres account of Debian's package can.
    if unsafe_is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(cmd);
        c
    } else {
        Command::new(cmd)
    }
}

fn unsafe_is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

impl Cluster {
    fn start() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Debian's PostgreSQL (./scripts/test installs it)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").exists())
            .max()
            .expect("a PostgreSQL version with initdb");
        let dir = tmpdir("pgfault");
        let data = dir.join("data");
        if unsafe_is_root() {
            assert!(Command::new("chown").args(["-R", "postgres"]).arg(&dir).status().unwrap().success());
            // The postgres account must reach the folder through its parents.
            let mut p = dir.parent();
            while let Some(d) = p {
                let _ = Command::new("chmod").arg("o+x").arg(d).status();
                p = d.parent();
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let o = as_postgres(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args(["-U", "passage", "--auth=trust", "--locale=C.UTF-8", "-E", "UTF8"])
            .output()
            .unwrap();
        assert!(o.status.success(), "initdb: {}", String::from_utf8_lossy(&o.stderr));
        let c = Cluster { bin, data, port };
        c.pg_ctl("start");
        c
    }

    fn pg_ctl(&self, action: &str) {
        let mut cmd = as_postgres(&self.bin.join("pg_ctl"));
        cmd.arg("-D").arg(&self.data).arg("-w");
        match action {
            "start" => {
                let log = self.data.parent().unwrap().join("pg.log");
                cmd.arg("-l").arg(log).arg("-o").arg(format!(
                    "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                    self.port,
                    self.data.parent().unwrap().display()
                ));
                cmd.arg("start");
            }
            "stop" => {
                cmd.args(["-m", "immediate", "stop"]);
            }
            other => panic!("{other}"),
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "pg_ctl {action}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    }

    fn url(&self) -> String {
        format!("postgres://passage@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl")).arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]).output();
    }
}

async fn register(s: &Server, tok: &str, office: &str, n: usize) -> reqwest::Response {
    client()
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(tok)
        .timeout(Duration::from_secs(20))
        .json(&json!({"person": {"names": [{"given": format!("Fault{n}"), "family": "Probe"}], "sex": "female", "birth_date": "1990"},
                      "case": {"kind": "transit_protection", "office_id": office}}))
        .send()
        .await
        .expect("an answer, not a hang")
}

#[tokio::test]
async fn a_database_that_goes_away_is_a_503_with_retry_after_and_passage_recovers_alone() {
    let pg = Cluster::start();
    let url = pg.url();
    let out = run(&["generate", "--demo-users", "--persons", "3", "--seed", "7", "--database-url", &url], None);
    assert!(out.status.success(), "generate: {}", String::from_utf8_lossy(&out.stderr));
    let s = start_with(&url, &["--db-timeout", "2"]);
    let tok = token(&s, "agadez").await;
    let office = office_of(&s, &tok).await;
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let r = register(&s, &tok, &office, n).await;
        assert_eq!(r.status(), 201);
        acknowledged.push(r.json::<Value>().await.unwrap()["person_id"].as_str().unwrap().to_string());
    }
    let ready = client().get(format!("{}/readyz", s.url)).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // Down: every answer is a 503 with Retry-After, quickly; the process stays live.
    pg.pg_ctl("stop");
    let started = Instant::now();
    let r = register(&s, &tok, &office, 99).await;
    let waited = started.elapsed();
    assert_eq!(r.status(), 503, "{}", r.text().await.unwrap());
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(waited < Duration::from_secs(10), "answered after {waited:?}, not within the configured wait");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["type"], "/problems/database-unavailable", "{body}");
    let r = client().get(format!("{}/api/v1/persons?q=fault", s.url)).bearer_auth(&tok).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let page = client().get(format!("{}/persons", s.url)).header("cookie", "passage_session=whatever").send().await.unwrap();
    assert!(page.status() == 503 || page.status() == 303, "a page: {}", page.status());
    assert_eq!(client().get(format!("{}/healthz", s.url)).send().await.unwrap().status(), 200, "live");
    let ready = client().get(format!("{}/readyz", s.url)).send().await.unwrap();
    assert_eq!(ready.status(), 503, "not ready");
    assert!(ready.headers().contains_key("retry-after"));

    // Back: Passage writes again by itself, and everything acknowledged is there.
    pg.pg_ctl("start");
    let deadline = Instant::now() + Duration::from_secs(20);
    let recovered = loop {
        let r = register(&s, &tok, &office, 100).await;
        if r.status() == 201 {
            break Instant::now();
        }
        assert!(Instant::now() < deadline, "not writing again 20 s after the database came back: {}", r.status());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = recovered;
    assert_eq!(client().get(format!("{}/readyz", s.url)).send().await.unwrap().status(), 200);
    for id in &acknowledged {
        let r = client().get(format!("{}/api/v1/persons/{id}", s.url)).bearer_auth(&tok).send().await.unwrap();
        assert_eq!(r.status(), 200, "acknowledged person {id} lost");
    }
}
