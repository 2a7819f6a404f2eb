//! Debian's Kannel on loopback, for the SMS tests and the SMS benchmark: a
//! bearerbox, a smsbox, and two fake SMSCs (`fakesmsc` from kannel-extras),
//! one that plays the handsets receiving what Passage sends, one through
//! which a test texts Passage. Every port is chosen free on 127.0.0.1; the
//! processes die with the value.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BEARERBOX: &str = "/usr/sbin/bearerbox";
pub const SMSBOX: &str = "/usr/sbin/smsbox";
pub const FAKESMSC: &str = "/usr/lib/kannel/test/fakesmsc";
pub const MTBATCH: &str = "/usr/bin/mtbatch";
/// The sendsms user Passage (or a load generator) sends as.
pub const USER: &str = "passage";
pub const PASSWORD: &str = "secret";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The loopback ports of one Kannel, chosen before Passage starts (its
/// configuration names the sendsms port).
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    pub admin: u16,
    pub smsbox: u16,
    pub sendsms: u16,
    /// The fake SMSC that receives what Passage sends.
    pub mt: u16,
    /// A second fake SMSC through which the tests text Passage.
    pub mo: u16,
}

impl Ports {
    pub fn new() -> Ports {
        Ports { admin: free_port(), smsbox: free_port(), sendsms: free_port(), mt: free_port(), mo: free_port() }
    }

    pub fn sendsms_url(&self) -> String {
        format!("http://127.0.0.1:{}/cgi-bin/sendsms", self.sendsms)
    }
}

pub struct Kannel {
    pub dir: PathBuf,
    pub ports: Ports,
    children: Vec<Child>,
}

impl Drop for Kannel {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Kannel {
    /// bearerbox, the receiving fakesmsc and smsbox in `dir`, with the
    /// get-url pointing at `passage` (carrying `secret`); ready when the
    /// fake SMSC is online. `log_handsets` logs every message the handsets
    /// get (debug level, for the tests); a benchmark leaves it off.
    pub fn start(dir: &Path, ports: Ports, passage: &str, secret: &str, log_handsets: bool) -> Kannel {
        for b in [BEARERBOX, SMSBOX, FAKESMSC] {
            assert!(Path::new(b).exists(), "{b} is missing: run ./scripts/test (or install kannel and kannel-extras)");
        }
        let conf = format!(
            r#"group = core
admin-port = {admin}
admin-interface = "127.0.0.1"
admin-password = test
admin-allow-ip = "127.0.0.1"
smsbox-port = {smsbox}
smsbox-interface = "127.0.0.1"
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
dlr-storage = internal
log-file = "{dir}/bearerbox.log"
log-level = 2

group = smsc
smsc = fake
smsc-id = FAKE
port = {mt}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsc
smsc = fake
smsc-id = PHONES
port = {mo}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1
allowed-smsc-id = PHONES

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
sendsms-interface = "127.0.0.1"
log-file = "{dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = {USER}
password = {PASSWORD}
max-messages = 10
concatenation = true

group = sms-service
keyword = default
get-url = "{passage}/sms/kannel/inbound?key={secret}&from=%p&to=%P&text=%b"
max-messages = 0
"#,
            admin = ports.admin,
            smsbox = ports.smsbox,
            sendsms = ports.sendsms,
            mt = ports.mt,
            mo = ports.mo,
            dir = dir.display(),
        );
        std::fs::write(dir.join("kannel.conf"), conf).unwrap();
        let file = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
        let mut k = Kannel { dir: dir.to_path_buf(), ports, children: Vec::new() };
        k.children.push(
            Command::new(BEARERBOX)
                .args(["-v", "2"])
                .arg(dir.join("kannel.conf"))
                .stdout(file("bearerbox.out"))
                .stderr(file("bearerbox.err"))
                .spawn()
                .expect("start bearerbox"),
        );
        wait_for_port(ports.admin);
        // The handsets: every message handed to them is logged, at debug level, as "Got message N: <from to kind text>".
        let verbosity = if log_handsets { "0" } else { "2" };
        k.children.push(
            Command::new(FAKESMSC)
                .args(["-H", "127.0.0.1", "-r", &ports.mt.to_string(), "-m", "0", "-v", verbosity, "0 0 text unused"])
                .stdin(Stdio::null())
                .stdout(file("handsets.out"))
                .stderr(file("handsets.log"))
                .spawn()
                .expect("start fakesmsc"),
        );
        k.children.push(
            Command::new(SMSBOX)
                .args(["-v", "2"])
                .arg(dir.join("kannel.conf"))
                .stdout(file("smsbox.out"))
                .stderr(file("smsbox.err"))
                .spawn()
                .expect("start smsbox"),
        );
        wait_for_port(ports.sendsms);
        // Online: the fake SMSC has its client and the smsbox is connected.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = k.status();
            let fake_online = status.lines().any(|l| l.contains("FAKE[FAKE]") && l.contains("(online"));
            if fake_online && status.contains("smsbox:") {
                break;
            }
            assert!(Instant::now() < deadline, "Kannel did not come online:\n{status}");
            std::thread::sleep(Duration::from_millis(200));
        }
        k
    }

    /// bearerbox's status page (`/status.txt`).
    pub fn status(&self) -> String {
        http_get(self.ports.admin, "/status.txt")
    }

    /// Messages the fake SMSC has taken, from the status page's counter.
    pub fn sent_to_handsets(&self) -> u64 {
        let status = self.status();
        let line = status.lines().find(|l| l.contains("FAKE[FAKE]")).unwrap_or_default();
        line.split("sent: sms ").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse().ok()).unwrap_or(0)
    }

    /// A handset texts Passage: one message through the second fake SMSC.
    pub fn text_from(&self, from: &str, text: &str) {
        let mut c = Command::new(FAKESMSC)
            .args(["-H", "127.0.0.1", "-r", &self.ports.mo.to_string(), "-i", "0", "-m", "1"])
            .arg(format!("{from} 1234 text {text}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fakesmsc");
        // It stays connected after sending; give bearerbox a moment to take the line, then hang up.
        std::thread::sleep(Duration::from_millis(1500));
        let _ = c.kill();
        let _ = c.wait();
    }

    /// What the handsets received: (number, kind, text) per message.
    pub fn received(&self) -> Vec<(String, String, String)> {
        let log = std::fs::read_to_string(self.dir.join("handsets.log")).unwrap_or_default();
        log.lines()
            .filter_map(|l| {
                let at = l.find("Got message ")?;
                let rest = &l[at..];
                let body = &rest[rest.find(": <")? + 3..rest.rfind('>')?];
                let mut parts = body.splitn(4, ' ');
                let (_from, to, kind, text) = (parts.next()?, parts.next()?, parts.next()?, parts.next().unwrap_or(""));
                Some((to.to_string(), kind.to_string(), text.to_string()))
            })
            .collect()
    }
}

/// A plain HTTP/1.0 GET on loopback (Kannel's admin page), its whole answer.
pub fn http_get(port: u16, path: &str) -> String {
    use std::io::Read;
    let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = write!(c, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    out
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
