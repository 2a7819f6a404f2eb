//! SMS gateways: what Passage needs of one (hand over a message, say
//! whether it was taken), as a trait, and the one built now: Kannel, over
//! its `sendsms` HTTP interface, with a delivery-report URL per message
//! that points back at Passage. Another gateway (an operator's HTTP API, a
//! second Kannel) is another implementation of [`SmsGateway`].
//!
//! The answer distinguishes what the outbox must treat differently: a
//! message the gateway took; one it refused for good (a malformed number);
//! one it refused for now (try again later, counted as an attempt); a
//! gateway that could not be reached (nothing was sent: the message waits,
//! no attempt is spent); and a request whose fate is unknown (it went out
//! and no answer came back: it may have been taken, so it is never sent
//! again, which is what "at most once" costs).

use hmac::{Hmac, Mac};
use passage_domain::ids::OutboxId;
use passage_domain::sms::{sms_length, SmsEncoding};
use sha2::Sha256;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// One message to hand over.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingSms<'a> {
    pub id: OutboxId,
    /// E.164.
    pub to: &'a str,
    pub text: &'a str,
}

/// What the gateway answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayAnswer {
    Accepted,
    /// Refused for good: sending it again would be refused again.
    Refused(String),
    /// Refused for now.
    Busy(String),
    /// Not reached: nothing was handed over.
    Unreachable(String),
    /// Handed over, no answer: it may have been taken.
    Unknown(String),
}

pub type GatewayFuture<'a> = Pin<Box<dyn Future<Output = GatewayAnswer> + Send + 'a>>;

pub trait SmsGateway: Send + Sync {
    /// The name messages are queued under (`kannel`).
    fn name(&self) -> &str;
    fn send<'a>(&'a self, message: OutgoingSms<'a>) -> GatewayFuture<'a>;
}

/// The token a delivery report for message `id` must carry: an HMAC of the
/// id under the gateway's secret, so a report URL found in a gateway's log
/// cannot be turned into reports for other messages.
pub fn report_token(secret: &str, id: OutboxId) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(id.to_string().as_bytes());
    mac.finalize().into_bytes().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Kannel's smsbox, reached at its `sendsms` URL.
pub struct Kannel {
    pub name: String,
    /// `http://127.0.0.1:13013/cgi-bin/sendsms`
    pub sendsms_url: String,
    pub username: String,
    pub password: String,
    /// The `smsc-id` to route through; none lets Kannel choose.
    pub smsc: Option<String>,
    /// The sender shown on the handset (a short code or a name).
    pub sender: String,
    /// Where Kannel reaches Passage (`http://127.0.0.1:8080`): delivery
    /// reports go to `{callback_url}/sms/{name}/report`.
    pub callback_url: String,
    pub secret: String,
    pub client: reqwest::Client,
}

impl Kannel {
    pub fn client(timeout: Duration) -> reqwest::Client {
        reqwest::Client::builder().timeout(timeout).pool_max_idle_per_host(32).build().expect("a plain HTTP client builds")
    }

    fn report_url(&self, id: OutboxId) -> String {
        // %d is Kannel's: it puts the report's type there when it calls.
        format!(
            "{}/sms/{}/report?id={id}&token={}&status=%d",
            self.callback_url.trim_end_matches('/'),
            self.name,
            report_token(&self.secret, id)
        )
    }
}

/// An HTTP client error and its causes, without the request's URL.
fn causes(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut out = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl SmsGateway for Kannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send<'a>(&'a self, m: OutgoingSms<'a>) -> GatewayFuture<'a> {
        Box::pin(async move {
            // Kannel recodes UTF-8 to the GSM alphabet for coding 0, and to UCS-2 for coding 2.
            let coding = match sms_length(m.text).encoding {
                SmsEncoding::Gsm7 => "0",
                SmsEncoding::Ucs2 => "2",
            };
            let dlr_url = self.report_url(m.id);
            let mut query: Vec<(&str, &str)> = vec![
                ("username", &self.username),
                ("password", &self.password),
                ("from", &self.sender),
                ("to", m.to),
                ("text", m.text),
                ("charset", "UTF-8"),
                ("coding", coding),
                // Final outcomes only: delivered (1), undelivered (2), rejected by the SMSC (16). The
                // intermediate ones (queued at the SMSC, its acknowledgement) would double the callbacks
                // and tell nothing the sendsms answer did not: the message is "sent" once Kannel takes it.
                ("dlr-mask", "19"),
                ("dlr-url", &dlr_url),
            ];
            if let Some(s) = &self.smsc {
                query.push(("smsc", s));
            }
            let resp = match self.client.get(&self.sendsms_url).query(&query).send().await {
                Ok(r) => r,
                // The request's URL carries the number, the text and the password: never in an error.
                Err(e) if e.is_connect() => return GatewayAnswer::Unreachable(format!("cannot reach Kannel: {}", causes(e))),
                Err(e) => return GatewayAnswer::Unknown(format!("no answer from Kannel: {}", causes(e))),
            };
            let status = resp.status();
            let body = resp.text().await.unwrap_or_default();
            let body = passage_domain::text::shortened(body.trim());
            match status.as_u16() {
                // "0: Accepted for delivery", "3: Queued for later delivery"
                200 | 202 => GatewayAnswer::Accepted,
                // A wrong password or a full queue is the gateway's state, not the message's.
                403 | 429 | 503 => GatewayAnswer::Busy(format!("Kannel answered {status}: {body}")),
                400..=499 => GatewayAnswer::Refused(format!("Kannel refused the message ({status}): {body}")),
                _ => GatewayAnswer::Busy(format!("Kannel answered {status}: {body}")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_tokens_are_per_message_and_per_secret() {
        let (a, b) = (OutboxId::new(), OutboxId::new());
        assert_eq!(report_token("s3cret", a), report_token("s3cret", a));
        assert_ne!(report_token("s3cret", a), report_token("s3cret", b));
        assert_ne!(report_token("s3cret", a), report_token("other", a));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("abc", "abcd"));
    }
}
