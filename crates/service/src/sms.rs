//! Crisis messages: a broadcast written per language, previewed as counts
//! (recipients per language, segments, cost: never a number or a name),
//! sent alone by its writer up to a configured size and with a second
//! user's approval above it; the outbox worker that hands its messages to
//! the gateway at the gateway's rate, surviving restarts; and the gateway's
//! calls back: delivery reports, and texts that come in (a stop word
//! withdraws consent and is confirmed, anything else lands on the hotline
//! desk).

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::gateway::{report_token, same_secret, GatewayAnswer, Kannel, OutgoingSms, SmsGateway};
use crate::Passage;
use passage_domain::codes::LanguageCode;
use passage_domain::date::Timestamp;
use passage_domain::hotline::{CallerKind, Channel, NewCall, Topic, Urgency};
use passage_domain::ids::{BroadcastId, CallId, OutboxId, PersonId};
use passage_domain::sms::{
    is_stop, retry_delay, sms_length, BroadcastInput, BroadcastStatus, DeliveryReport, MobileNumber, OutboxStatus, SmsEncoding,
    MAX_ATTEMPTS,
};
use passage_domain::FieldError;
use passage_storage::hotline as calls;
use passage_storage::registry as reg;
use passage_storage::sms::{self as store, BroadcastRecord, Handed, NewMessage};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `[sms]` part of the configuration file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// Only `kannel` for now.
    pub gateway: String,
    /// The name messages are queued under and callbacks are addressed to (default: the gateway's kind).
    pub name: Option<String>,
    pub sendsms_url: String,
    pub username: String,
    pub password: String,
    pub smsc: Option<String>,
    pub sender: String,
    /// How the gateway reaches Passage, e.g. `http://127.0.0.1:8080`.
    pub callback_url: String,
    /// The secret the gateway's callbacks must carry (at least 16 characters).
    pub callback_secret: String,
    /// Messages handed to the gateway per second, at most.
    #[serde(default = "default_rate")]
    pub rate_per_second: u32,
    /// Requests to the gateway in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    #[serde(flatten)]
    pub policy: SmsPolicy,
}

fn default_rate() -> u32 {
    50
}
/// Kannel answers each sendsms request in some 25 ms under a broadcast's
/// load, so what is in flight sets the pace (BENCHMARKS.md, run 20).
fn default_concurrency() -> usize {
    32
}
fn default_timeout() -> u64 {
    10
}

/// What applies whether or not a gateway is configured.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SmsPolicy {
    /// A broadcast to more recipients than this needs a second user's approval.
    pub approval_above: i64,
    /// The sender is warned when a text takes more segments than this.
    pub segment_limit: usize,
    /// What one segment costs, for the estimate shown before sending.
    pub cost_per_segment: f64,
    pub currency: String,
    /// Stop words besides the built-in English, French and Arabic ones.
    pub stop_words: Vec<String>,
    /// The office whose desk receives replies from numbers no one is registered with.
    pub reply_office: Option<String>,
}

impl Default for SmsPolicy {
    fn default() -> Self {
        Self {
            approval_above: 500,
            segment_limit: 3,
            cost_per_segment: 0.0,
            currency: "USD".into(),
            stop_words: Vec::new(),
            reply_office: None,
        }
    }
}

/// The gateway as last seen by the outbox.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GatewayHealth {
    /// Since when it cannot be reached (none: it answers, or nothing was tried).
    pub down_since: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_accepted: Option<Timestamp>,
}

/// Text messaging as configured: the gateway (if any), its secret, pace and policy.
pub struct SmsSetup {
    pub gateway: Option<Arc<dyn SmsGateway>>,
    secret: String,
    pub rate_per_second: u32,
    pub concurrency: usize,
    pub policy: SmsPolicy,
    wake: tokio::sync::Notify,
    health: Mutex<GatewayHealth>,
    /// Delivery reports on their way to the report writer (see `write_reports`).
    reports: tokio::sync::mpsc::Sender<ReportJob>,
    report_queue: Mutex<Option<tokio::sync::mpsc::Receiver<ReportJob>>>,
    /// Whether the report writer runs (else a report is written by its own request).
    report_writer: std::sync::atomic::AtomicBool,
}

/// A delivery report waiting to be written.
struct ReportJob {
    id: OutboxId,
    report: DeliveryReport,
}

/// The most reports written in one transaction.
const REPORT_BATCH: usize = 2000;

impl Default for SmsSetup {
    fn default() -> Self {
        let (reports, queue) = tokio::sync::mpsc::channel(4 * REPORT_BATCH);
        SmsSetup {
            reports,
            report_queue: Mutex::new(Some(queue)),
            report_writer: std::sync::atomic::AtomicBool::new(false),
            gateway: None,
            secret: String::new(),
            rate_per_second: default_rate(),
            concurrency: default_concurrency(),
            policy: SmsPolicy::default(),
            wake: tokio::sync::Notify::new(),
            health: Mutex::new(GatewayHealth::default()),
        }
    }
}

impl SmsSettings {
    /// Check the settings and build the gateway; the error names the setting.
    pub fn build(self) -> Result<SmsSetup, String> {
        if self.gateway != "kannel" {
            return Err(format!("sms.gateway = {:?}: only \"kannel\" is supported", self.gateway));
        }
        for (key, url) in [("sms.sendsms_url", &self.sendsms_url), ("sms.callback_url", &self.callback_url)] {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                return Err(format!("{key} = {url:?}: an http:// or https:// URL"));
            }
        }
        if self.callback_secret.chars().count() < 16 {
            return Err("sms.callback_secret: at least 16 characters".into());
        }
        if self.rate_per_second == 0 || self.rate_per_second > 10_000 {
            return Err("sms.rate_per_second: from 1 to 10000".into());
        }
        if self.concurrency == 0 || self.concurrency > 256 {
            return Err("sms.concurrency: from 1 to 256".into());
        }
        if self.timeout_seconds == 0 || self.timeout_seconds > 300 {
            return Err("sms.timeout_seconds: from 1 to 300".into());
        }
        if self.policy.approval_above < 0
            || self.policy.segment_limit == 0
            || self.policy.cost_per_segment.is_nan()
            || self.policy.cost_per_segment < 0.0
        {
            return Err("sms: approval_above must be 0 or more, segment_limit 1 or more, cost_per_segment 0 or more".into());
        }
        let name = self.name.clone().unwrap_or_else(|| self.gateway.clone());
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || name.len() > 40 {
            return Err(format!("sms.name = {name:?}: letters, digits, - and _ only"));
        }
        let kannel = Kannel {
            name,
            sendsms_url: self.sendsms_url,
            username: self.username,
            password: self.password,
            smsc: self.smsc.filter(|s| !s.is_empty()),
            sender: self.sender,
            callback_url: self.callback_url,
            secret: self.callback_secret.clone(),
            client: Kannel::client(Duration::from_secs(self.timeout_seconds)),
        };
        Ok(SmsSetup {
            gateway: Some(Arc::new(kannel)),
            secret: self.callback_secret,
            rate_per_second: self.rate_per_second,
            concurrency: self.concurrency,
            policy: self.policy,
            ..SmsSetup::default()
        })
    }
}

impl SmsSetup {
    /// The name of the gateway messages go through (`none` when none is configured: they wait).
    pub fn gateway_name(&self) -> &str {
        self.gateway.as_deref().map(|g| g.name()).unwrap_or("none")
    }

    pub fn health(&self) -> GatewayHealth {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }

    fn note(&self, f: impl FnOnce(&mut GatewayHealth)) {
        if let Ok(mut h) = self.health.lock() {
            f(&mut h)
        }
    }
}

/// One language's line of a broadcast's preview.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageLine {
    pub language: LanguageCode,
    pub recipients: i64,
    /// Of them, recipients none of whose languages has a text (known
    /// while the broadcast is a draft: it is read from their languages).
    pub by_fallback: Option<i64>,
    pub encoding: SmsEncoding,
    pub characters: usize,
    pub segments: usize,
    /// More segments than the configured limit: the sender is warned.
    pub over_limit: bool,
}

/// What the sender (or approver) sees of a broadcast: counts only.
#[derive(Debug, Clone, Serialize)]
pub struct BroadcastView {
    pub id: BroadcastId,
    pub title: String,
    pub status: BroadcastStatus,
    pub texts: Vec<(LanguageCode, String)>,
    pub fallback: LanguageCode,
    pub audience: passage_domain::sms::Audience,
    pub lines: Vec<LanguageLine>,
    /// Persons the audience selects who consented but have no number a text can reach: reported, not sent.
    pub unreachable: i64,
    pub recipients: i64,
    pub segments: i64,
    pub cost: f64,
    pub currency: String,
    pub needs_approval: bool,
    pub approval_above: i64,
    pub segment_limit: usize,
    /// Messages by status, once sent.
    pub messages: BTreeMap<String, i64>,
    pub created_by_me: bool,
    pub gateway: String,
    pub health: GatewayHealth,
    /// Messages of this gateway waiting to be handed over (all broadcasts).
    pub waiting: i64,
}

/// The recipients a broadcast reaches now, with their message.
struct Resolved {
    messages: Vec<NewMessage>,
    lines: Vec<LanguageLine>,
    unreachable: i64,
}

/// A short confirmation of a stop, in the person's language when we have it.
fn stop_confirmation(language: Option<&str>) -> (&'static str, &'static str) {
    match language {
        Some("fra") => ("fra", "Vous ne recevrez plus de messages de notre part. Pour recevoir de l'aide, appelez la ligne d'assistance."),
        Some("ara" | "apd" | "ayl" | "aeb" | "ary" | "arq") => ("ara", "لن تتلقى منا رسائل بعد الآن. للمساعدة اتصل بخط المساعدة."),
        _ => ("eng", "You will receive no more messages from us. For help, call the hotline."),
    }
}

impl Passage {
    pub async fn create_broadcast(&self, actor: &Actor, input: &BroadcastInput) -> ServiceResult<BroadcastId> {
        access::require(actor, Action::SendMessages)?;
        let b = input.parse()?;
        if let Some(code) = &b.audience.office {
            let mut c = self.reader().await?;
            if reg::get_office_by_code(&mut c, code).await?.is_none() {
                return Err(FieldError::new("audience.office", "err-unknown-office").into());
            }
        }
        let id = BroadcastId::new();
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        store::insert_broadcast(&mut tx, id, &b, self.sms.gateway_name(), actor.id, now).await?;
        let changes = audit::created(&[
            ("title", json!(b.title)),
            ("languages", json!(b.texts.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>())),
            ("fallback", json!(b.fallback.as_str())),
            ("audience", json!(b.audience)),
        ]);
        audit::record(&mut tx, Some(actor), "broadcast.create", format!("broadcast:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn broadcast_record(&self, b: BroadcastId) -> ServiceResult<BroadcastRecord> {
        let mut c = self.reader().await?;
        store::get_broadcast(&mut c, b).await?.ok_or(ServiceError::NotFound)
    }

    async fn resolve(&self, b: &BroadcastRecord) -> ServiceResult<Resolved> {
        let nb = b.as_new();
        let members = {
            let mut c = self.reader().await?;
            store::audience(&mut c, &b.audience).await?
        };
        let mut lines: Vec<LanguageLine> = b
            .texts
            .iter()
            .map(|(l, body)| {
                let len = sms_length(body);
                LanguageLine {
                    language: *l,
                    recipients: 0,
                    by_fallback: Some(0),
                    encoding: len.encoding,
                    characters: len.units,
                    segments: len.segments,
                    over_limit: len.segments > self.sms.policy.segment_limit,
                }
            })
            .collect();
        let mut messages = Vec::new();
        let mut unreachable = 0;
        for m in members {
            let Some(phone) = m.phone.as_deref().and_then(|p| MobileNumber::parse("phone", p).ok()) else {
                unreachable += 1;
                continue;
            };
            let (language, body) = nb.text_for(&m.languages);
            let own = m.languages.contains(&language);
            let line = lines.iter_mut().find(|l| l.language == language).expect("a text per line");
            line.recipients += 1;
            line.by_fallback = line.by_fallback.map(|n| n + i64::from(!own));
            messages.push(NewMessage {
                id: OutboxId::new(),
                broadcast: Some(b.id),
                person: Some(m.person_id),
                phone: phone.as_str().to_string(),
                language,
                body: body.to_string(),
                segments: line.segments as i64,
            });
        }
        Ok(Resolved { messages, lines, unreachable })
    }

    /// A broadcast as its sender or an approver sees it: the audience as it
    /// is now (or as it was sent), counted per language, with segments and cost.
    pub async fn broadcast(&self, actor: &Actor, id: BroadcastId) -> ServiceResult<BroadcastView> {
        if !(access::allowed(actor, Action::SendMessages) || access::allowed(actor, Action::ApproveMessages)) {
            return Err(ServiceError::Forbidden("read crisis messages"));
        }
        let b = self.broadcast_record(id).await?;
        let (lines, unreachable, recipients, segments) = if b.status == BroadcastStatus::Draft {
            // A draft's audience is read now: who it would reach if sent.
            let r = self.resolve(&b).await?;
            let segments: i64 = r.messages.iter().map(|m| m.segments).sum();
            (r.lines, r.unreachable, r.messages.len() as i64, segments)
        } else {
            // Once sent (or held, or cancelled), the figures are what was written to the outbox.
            let mut c = self.reader().await?;
            let by_language = store::language_counts(&mut c, id).await?;
            let lines = b
                .texts
                .iter()
                .map(|(l, body)| {
                    let len = sms_length(body);
                    LanguageLine {
                        language: *l,
                        recipients: by_language.iter().find(|(x, _)| x == l).map(|(_, n)| *n).unwrap_or(0),
                        by_fallback: None,
                        encoding: len.encoding,
                        characters: len.units,
                        segments: len.segments,
                        over_limit: len.segments > self.sms.policy.segment_limit,
                    }
                })
                .collect();
            (lines, b.unreachable, b.recipients, b.segments)
        };
        let mut c = self.reader().await?;
        let counts = store::message_counts(&mut c, id).await?;
        let waiting = store::waiting(&mut c, &b.gateway).await?;
        Ok(BroadcastView {
            id,
            title: b.title.clone(),
            status: b.status,
            texts: b.texts.clone(),
            fallback: b.fallback,
            audience: b.audience.clone(),
            lines,
            unreachable,
            recipients,
            segments,
            cost: segments as f64 * self.sms.policy.cost_per_segment,
            currency: self.sms.policy.currency.clone(),
            needs_approval: recipients > self.sms.policy.approval_above,
            approval_above: self.sms.policy.approval_above,
            segment_limit: self.sms.policy.segment_limit,
            messages: counts.into_iter().map(|(s, n)| (s.as_str().to_string(), n)).collect(),
            created_by_me: b.created_by == actor.id,
            gateway: b.gateway.clone(),
            health: self.sms.health(),
            waiting,
        })
    }

    pub async fn broadcasts(&self, actor: &Actor, limit: i64) -> ServiceResult<Vec<BroadcastRecord>> {
        if !(access::allowed(actor, Action::SendMessages) || access::allowed(actor, Action::ApproveMessages)) {
            return Err(ServiceError::Forbidden("read crisis messages"));
        }
        let mut c = self.reader().await?;
        Ok(store::recent_broadcasts(&mut c, limit).await?)
    }

    /// Send a draft: its audience is fixed now, one message per person
    /// written to the outbox. Above the approval size they wait (held) for
    /// a second user. Returns the status it moved to.
    pub async fn send_broadcast(&self, actor: &Actor, id: BroadcastId) -> ServiceResult<BroadcastStatus> {
        access::require(actor, Action::SendMessages)?;
        let b = self.broadcast_record(id).await?;
        if b.status != BroadcastStatus::Draft {
            return Err(ServiceError::Conflict("this broadcast was already sent or cancelled"));
        }
        let r = self.resolve(&b).await?;
        if r.messages.is_empty() {
            return Err(FieldError::new("audience", "err-audience-empty").into());
        }
        let recipients = r.messages.len() as i64;
        let segments: i64 = r.messages.iter().map(|m| m.segments).sum();
        let needs_approval = recipients > self.sms.policy.approval_above;
        let (next, held) = if needs_approval {
            (BroadcastStatus::AwaitingApproval, OutboxStatus::Held)
        } else {
            (BroadcastStatus::Sending, OutboxStatus::Queued)
        };
        let now = Timestamp::now();
        let mut tx = self.db.begin_bulk().await?;
        if !store::move_broadcast(&mut tx, id, BroadcastStatus::Draft, next, None, now).await? {
            return Err(ServiceError::Conflict("this broadcast was already sent or cancelled"));
        }
        store::set_recipients(&mut tx, id, recipients, segments, r.unreachable).await?;
        store::enqueue(&mut tx, &b.gateway, held, r.messages, now).await?;
        let changes = json!({
            "status": [b.status.as_str(), next.as_str()],
            "recipients": [null, recipients],
            "segments": [null, segments],
            "unreachable": [null, r.unreachable],
        });
        audit::record(&mut tx, Some(actor), "broadcast.send", format!("broadcast:{id}"), None, changes).await?;
        tx.commit().await?;
        self.sms.wake.notify_one();
        Ok(next)
    }

    /// A second user approves a broadcast that waits: its messages go to the queue.
    pub async fn approve_broadcast(&self, actor: &Actor, id: BroadcastId) -> ServiceResult<()> {
        access::require(actor, Action::ApproveMessages)?;
        let b = self.broadcast_record(id).await?;
        if b.created_by == actor.id {
            return Err(ServiceError::Forbidden("approve a broadcast one wrote oneself"));
        }
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if !store::move_broadcast(&mut tx, id, BroadcastStatus::AwaitingApproval, BroadcastStatus::Sending, Some(actor.id), now).await? {
            return Err(ServiceError::Conflict("this broadcast does not wait for approval"));
        }
        let n = store::move_messages(&mut tx, id, &[OutboxStatus::Held], OutboxStatus::Queued).await?;
        let changes = json!({"status": ["awaiting_approval", "sending"], "released": [null, n]});
        audit::record(&mut tx, Some(actor), "broadcast.approve", format!("broadcast:{id}"), None, changes).await?;
        tx.commit().await?;
        self.sms.wake.notify_one();
        Ok(())
    }

    /// Cancel a broadcast: what has not been handed to the gateway yet never will be.
    pub async fn cancel_broadcast(&self, actor: &Actor, id: BroadcastId) -> ServiceResult<u64> {
        if !(access::allowed(actor, Action::SendMessages) || access::allowed(actor, Action::ApproveMessages)) {
            return Err(ServiceError::Forbidden("cancel crisis messages"));
        }
        let b = self.broadcast_record(id).await?;
        if !b.status.can_become(BroadcastStatus::Cancelled) {
            return Err(ServiceError::Conflict("this broadcast can no longer be cancelled"));
        }
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if !store::move_broadcast(&mut tx, id, b.status, BroadcastStatus::Cancelled, None, now).await? {
            return Err(ServiceError::Conflict("this broadcast changed; reload it"));
        }
        let n = store::move_messages(&mut tx, id, &[OutboxStatus::Held, OutboxStatus::Queued], OutboxStatus::Cancelled).await?;
        let changes = json!({"status": [b.status.as_str(), "cancelled"], "withheld": [null, n]});
        audit::record(&mut tx, Some(actor), "broadcast.cancel", format!("broadcast:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(n)
    }

    // ------------------------------------------------------------ the outbox

    /// Hand the outbox's messages to the gateway, for as long as the server
    /// runs. Messages interrupted by the last stop are settled first.
    pub async fn run_outbox(&self) {
        let Some(gateway) = self.sms.gateway.clone() else { return };
        let writer = self.clone();
        tokio::spawn(async move { writer.write_reports().await });
        let name = gateway.name().to_string();
        loop {
            let settled = async {
                let mut tx = self.db.begin().await?;
                let n = store::settle_interrupted(&mut tx, &name).await?;
                tx.commit().await?;
                Ok::<u64, ServiceError>(n)
            };
            match settled.await {
                Ok(n) => {
                    if n > 0 {
                        tracing::warn!(gateway = %name, messages = n, "messages interrupted while handed to the gateway: marked unknown, not sent again");
                    }
                    break;
                }
                Err(e) => {
                    tracing::warn!(gateway = %name, error = %e, "the outbox waits for the database");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
        // Requests flow without pause: the sender keeps a few rounds of
        // claimed messages ready, hands each over in a task of its own as a
        // request slot frees, and claims more while requests run; a recorder
        // writes the gateway's answers as they come.
        let slots = Arc::new(tokio::sync::Semaphore::new(self.sms.concurrency.max(1)));
        let (answers, incoming) = tokio::sync::mpsc::unbounded_channel::<(OutboxId, i64, GatewayAnswer)>();
        let pause = Arc::new(Mutex::new(None::<std::time::Instant>));
        let recorder = self.clone();
        let recorder_pause = pause.clone();
        tokio::spawn(async move { recorder.record_answers(incoming, recorder_pause).await });
        let rate = self.sms.rate_per_second.max(1) as f64;
        let (mut window, mut handed) = (std::time::Instant::now(), 0u64);
        // Messages claimed and not yet handed over: refilled while the
        // requests in flight run, so a claim (a write) never stalls them.
        let concurrency = self.sms.concurrency.max(1);
        let mut ready: std::collections::VecDeque<store::ClaimedMessage> = std::collections::VecDeque::new();
        loop {
            let until = pause.lock().ok().and_then(|mut p| p.take());
            if let Some(until) = until {
                // The gateway cannot be reached: what was claimed and not handed over goes back to the
                // queue (a crash during a long outage must not turn it into "unknown").
                let back: Vec<(OutboxId, Handed)> = ready
                    .drain(..)
                    .map(|m| (m.id, Handed::Requeue { at: Timestamp::now().unix(), error: "the gateway cannot be reached".into() }))
                    .collect();
                if !back.is_empty() {
                    if let Err(e) = self.record_handed(&back, Timestamp::now()).await {
                        tracing::warn!(error = %e, messages = back.len(), "claimed messages could not go back to the queue: they count as interrupted");
                    }
                }
                tokio::time::sleep_until(until.into()).await;
            }
            if ready.len() < concurrency {
                let want = (4 * concurrency - ready.len()).min(200) as i64;
                let claimed = async {
                    let mut tx = self.db.begin().await?;
                    let claimed = store::claim_due(&mut tx, &name, Timestamp::now(), want).await?;
                    tx.commit().await?;
                    Ok::<_, ServiceError>(claimed)
                };
                match claimed.await {
                    Ok(c) => ready.extend(c),
                    Err(e) => {
                        tracing::warn!(gateway = %name, error = %e, "the outbox could not read or write the database; it tries again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            let Some(m) = ready.pop_front() else {
                let next = match self.reader().await {
                    Ok(mut c) => store::next_due(&mut c, &name).await.ok().flatten(),
                    Err(_) => None,
                };
                let wait = match next {
                    Some(t) => Duration::from_secs((t - Timestamp::now().unix()).clamp(0, 2) as u64).max(Duration::from_millis(200)),
                    None => Duration::from_secs(2),
                };
                let _ = tokio::time::timeout(wait, self.sms.wake.notified()).await;
                (window, handed) = (std::time::Instant::now(), 0);
                continue;
            };
            // Pace: no faster than the rate since the outbox last had work.
            let due = Duration::from_secs_f64(handed as f64 / rate);
            if let Some(rest) = due.checked_sub(window.elapsed()) {
                tokio::time::sleep(rest).await;
            }
            handed += 1;
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            let (gateway, answers) = (gateway.clone(), answers.clone());
            tokio::spawn(async move {
                let answer = gateway.send(OutgoingSms { id: m.id, to: &m.phone, text: &m.body }).await;
                let _ = answers.send((m.id, m.attempts, answer));
                drop(slot);
            });
        }
    }

    /// Write the gateway's answers as they come, many to a transaction, and
    /// pause the sender while the gateway cannot be reached.
    async fn record_answers(
        &self,
        mut incoming: tokio::sync::mpsc::UnboundedReceiver<(OutboxId, i64, GatewayAnswer)>,
        pause: Arc<Mutex<Option<std::time::Instant>>>,
    ) {
        let mut backoff = Duration::from_secs(1);
        while let Some(first) = incoming.recv().await {
            let mut answers = vec![first];
            while answers.len() < 500 {
                match incoming.try_recv() {
                    Ok(a) => answers.push(a),
                    Err(_) => break,
                }
            }
            let now = Timestamp::now();
            let mut unreachable = false;
            let mut accepted = false;
            let mut results: Vec<(OutboxId, Handed)> = answers
                .into_iter()
                .map(|(id, attempts, a)| {
                    let h = match a {
                        GatewayAnswer::Accepted => {
                            accepted = true;
                            Handed::Sent
                        }
                        GatewayAnswer::Refused(error) => Handed::Failed { error },
                        GatewayAnswer::Busy(error) if attempts >= MAX_ATTEMPTS => Handed::Failed { error },
                        GatewayAnswer::Busy(error) => Handed::Retry { at: now.unix() + retry_delay(attempts - 1), error },
                        GatewayAnswer::Unreachable(error) => {
                            unreachable = true;
                            Handed::Requeue { at: now.unix() + 1, error }
                        }
                        GatewayAnswer::Unknown(error) => Handed::Unknown { error },
                    };
                    (id, h)
                })
                .collect();
            let first_error = results.iter().find_map(|(_, h)| match h {
                Handed::Retry { error, .. } | Handed::Failed { error } | Handed::Requeue { error, .. } | Handed::Unknown { error } => {
                    Some(error.clone())
                }
                Handed::Sent => None,
            });
            results.sort_by_key(|(id, _)| *id);
            if let Err(e) = self.record_handed(&results, now).await {
                tracing::warn!(error = %e, messages = results.len(), "the gateway's answers could not be recorded: the messages count as interrupted");
            }
            self.sms.note(|h| {
                if accepted {
                    h.last_accepted = Some(now);
                    h.down_since = None;
                }
                if unreachable && !accepted {
                    h.down_since.get_or_insert(now);
                }
                if first_error.is_some() {
                    h.last_error = first_error.clone();
                }
            });
            if unreachable && !accepted {
                if let Some(e) = &first_error {
                    tracing::warn!(error = %e, "the gateway cannot be reached; the outbox waits");
                }
                if let Ok(mut p) = pause.lock() {
                    *p = Some(std::time::Instant::now() + backoff);
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
            } else if accepted {
                backoff = Duration::from_secs(1);
            }
        }
    }

    /// Record what became of claimed messages (in id order: see
    /// `write_reports`). It must not be lost, or the messages would wait in
    /// `sending` until a restart: a write that loses a deadlock is tried again.
    async fn record_handed(&self, results: &[(OutboxId, Handed)], now: Timestamp) -> ServiceResult<()> {
        retried(|| async {
            let mut tx = self.db.begin().await?;
            store::record_handed(&mut tx, results, now).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    // ------------------------------------------------------ gateway callbacks

    fn callback_gateway(&self, gateway: &str) -> ServiceResult<()> {
        match &self.sms.gateway {
            Some(g) if g.name() == gateway && !self.sms.secret.is_empty() => Ok(()),
            _ => Err(ServiceError::NotFound),
        }
    }

    /// A delivery report from the gateway, for one message; refused unless
    /// it carries that message's token.
    pub async fn delivery_report(&self, gateway: &str, id: &str, token: &str, status: &str) -> ServiceResult<()> {
        self.callback_gateway(gateway)?;
        let forged = || ServiceError::Forbidden("report on a message without its token");
        let id: OutboxId = id.trim().parse().map_err(|_| forged())?;
        if !same_secret(&report_token(&self.sms.secret, id), token.trim()) {
            return Err(forged());
        }
        let report = DeliveryReport::from_kannel(status)
            .ok_or_else(|| FieldError::new("status", "err-unknown-choice").with("value", passage_domain::text::shortened(status)))?;
        if self.sms.report_writer.load(std::sync::atomic::Ordering::Acquire) {
            // Answered once queued for the report writer: Kannel holds its
            // callbacks (and with them the answers to our sendsms requests)
            // until we answer, and never sends a report twice, so waiting
            // for the write would slow sending and make nothing safer.
            if self.sms.reports.send(ReportJob { id, report }).await.is_ok() {
                return Ok(());
            }
        }
        let mut tx = self.db.begin().await?;
        store::apply_report(&mut tx, id, report, Timestamp::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Write delivery reports as they come, many to a transaction. A gateway
    /// reports as fast as it sends: one transaction each would take the
    /// database's one writer from the outbox that feeds the gateway.
    async fn write_reports(&self) {
        let Some(mut queue) = self.sms.report_queue.lock().ok().and_then(|mut q| q.take()) else { return };
        self.sms.report_writer.store(true, std::sync::atomic::Ordering::Release);
        while let Some(first) = queue.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < REPORT_BATCH {
                match queue.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            // In id order: two transactions that lock rows in one order cannot deadlock on them.
            jobs.sort_by_key(|j| j.id);
            let now = Timestamp::now();
            // The reports were already acknowledged: a batch that loses a deadlock is tried again.
            let written = retried(|| async {
                let mut tx = self.db.begin().await?;
                for j in &jobs {
                    store::apply_report(&mut tx, j.id, j.report, now).await?;
                }
                tx.commit().await?;
                Ok(())
            })
            .await;
            if let Err(e) = written {
                tracing::warn!(error = %e, reports = jobs.len(), "delivery reports could not be written; their messages stay as they were");
            }
        }
    }

    /// A text that came in through the gateway. A stop word withdraws the
    /// follow-up consent of everyone registered with the number (audited)
    /// and is confirmed by text; anything else becomes a call on the desk
    /// of the person's office, linked to them when the number is theirs alone.
    pub async fn inbound_sms(&self, gateway: &str, key: &str, from: &str, body: &str) -> ServiceResult<InboundOutcome> {
        self.callback_gateway(gateway)?;
        if !same_secret(&self.sms.secret, key) {
            return Err(ServiceError::Forbidden("deliver texts without the gateway's secret"));
        }
        let phone = MobileNumber::parse("from", from).map(|m| m.as_str().to_string()).or_else(|_| {
            // A short code or an alphanumeric sender cannot be a registered person's phone; still received.
            let cleaned: String = from.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '+').take(20).collect();
            if cleaned.is_empty() {
                Err(FieldError::new("from", "err-required"))
            } else {
                Ok(cleaned)
            }
        })?;
        let body = passage_domain::text::clean("text", body, 1600, true)?.unwrap_or_default();
        let now = Timestamp::now();
        let gateway_name = self.sms.gateway_name().to_string();
        let inbound_id = OutboxId::new().to_string();
        let mut tx = self.db.begin().await?;
        let persons = store::persons_with_phone(&mut tx, &phone).await?;
        let sealed_body = self.keys.seal(&format!("sms_inbound.body:{inbound_id}"), &body);
        // What was received, as it is kept: a stop or a reply (and the call it became).
        let received = |kind: &'static str, call: Option<String>| store::Inbound {
            id: &inbound_id,
            gateway: &gateway_name,
            phone: &phone,
            sealed_body: &sealed_body,
            kind,
            persons: persons.len() as i64,
            call,
        };
        if is_stop(&body, &self.sms.policy.stop_words) {
            let mut withdrawn = 0;
            let mut language = None;
            for (person, _) in &persons {
                for consent in store::active_follow_up_consents(&mut tx, *person).await? {
                    reg::withdraw_consent(&mut tx, consent, *person, now.date()).await?;
                    let changes = json!({"withdrawn_on": [null, now.date().to_string()], "by": [null, "sms_stop"]});
                    audit::record_as(
                        &mut tx,
                        None,
                        format!("sms:{gateway_name}"),
                        "consent.withdraw",
                        format!("consent:{consent}"),
                        Some(*person),
                        changes,
                    )
                    .await?;
                    withdrawn += 1;
                }
                if language.is_none() {
                    language = reg::get_person(&mut tx, &self.keys, *person)
                        .await?
                        .and_then(|p| p.languages.first().map(|l| l.as_str().to_string()));
                }
            }
            let (lang, text) = stop_confirmation(language.as_deref());
            let confirmation = NewMessage {
                id: OutboxId::new(),
                broadcast: None,
                person: persons.first().map(|(p, _)| *p),
                phone: phone.clone(),
                language: LanguageCode::parse("language", lang).expect("a known language"),
                body: text.to_string(),
                segments: sms_length(text).segments as i64,
            };
            store::enqueue(&mut tx, &gateway_name, OutboxStatus::Queued, vec![confirmation], now).await?;
            store::insert_inbound(&mut tx, &received("stop", None), now).await?;
            tx.commit().await?;
            self.sms.wake.notify_one();
            return Ok(InboundOutcome::Stopped { consents_withdrawn: withdrawn });
        }
        // A reply: the desk of the person's office, or the configured one.
        let office = match persons.first() {
            Some((_, office)) => office.parse().ok(),
            None => None,
        };
        let office = match office {
            Some(o) => o,
            None => {
                let by_code = match &self.sms.policy.reply_office {
                    Some(code) => reg::get_office_by_code(&mut tx, code).await?,
                    None => None,
                };
                match by_code {
                    Some(o) => o.id,
                    None => reg::list_offices(&mut tx)
                        .await?
                        .first()
                        .map(|o| o.id)
                        .ok_or(ServiceError::Conflict("no office to receive texts"))?,
                }
            }
        };
        let call = NewCall {
            at: now,
            minutes: None,
            channel: Channel::Sms,
            language: None,
            caller: if persons.is_empty() { CallerKind::Other } else { CallerKind::Migrant },
            topic: Topic::Information,
            urgency: Urgency::Routine,
            notes: Some(body.clone()).filter(|b| !b.is_empty()),
            // The desk answers a text as it answers a call: it is on the list at once.
            follow_up_due: Some(now),
        };
        let call_id = CallId::new();
        let placement = calls::CallPlacement {
            id: call_id,
            office,
            person: (persons.len() == 1).then(|| persons[0].0),
            taken_by: None,
            sealed_notes: call.notes.as_ref().map(|n| self.keys.seal(&format!("hotline_calls.notes:{call_id}"), n)),
        };
        calls::insert_call(&mut tx, &placement, &call, now).await?;
        store::insert_inbound(&mut tx, &received("reply", Some(call_id.to_string())), now).await?;
        let changes = audit::created(&[("channel", json!("sms")), ("office", json!(office.to_string()))]);
        audit::record_as(&mut tx, None, format!("sms:{gateway_name}"), "call.create", format!("call:{call_id}"), placement.person, changes)
            .await?;
        tx.commit().await?;
        Ok(InboundOutcome::OnTheDesk { call: call_id, person: placement.person })
    }
}

/// A write that must not be lost, tried up to five times (50 ms doubling
/// between): on PostgreSQL the outbox's writes and the report writer's lock
/// the same rows, and the database breaks a deadlock by failing one of them.
async fn retried<T, F, Fut>(mut write: F) -> ServiceResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ServiceResult<T>>,
{
    let mut attempt = 0u32;
    loop {
        match write().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt >= 4 => return Err(e),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// What became of an inbound text.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum InboundOutcome {
    Stopped { consents_withdrawn: usize },
    OnTheDesk { call: CallId, person: Option<PersonId> },
}
