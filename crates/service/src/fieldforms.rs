//! Field forms: Passage's own forms as XForms for ODK Collect, KoboCollect
//! and Enketo (authored as XLSForms in `forms/`), and what happens to a
//! filled form when a phone sends it.
//!
//! A submission is read into a flat map of element paths to values, mapped
//! to the same inputs the web forms fill, and goes through the same use case
//! — the same validation and the same access checks. Its receipt (keyed on
//! the instance id the phone gave it) is written in the same transaction as
//! the records it creates, so a phone that resends after a dropped
//! connection creates nothing twice. A submission that does not pass is kept
//! in quarantine with its problems, sealed, for a data officer to correct or
//! reject: never dropped, never half-applied. Once applied or rejected its
//! payload is wiped: the records hold what it said, and a copy of who
//! people are should not outlive its use.

use crate::access::{self, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::receipts::Receipt;
use crate::registry::Registration;
use crate::reintegration::VisitInput;
use crate::Passage;
use md5::{Digest as _, Md5};
use passage_domain::activity::CampaignEventInput;
use passage_domain::assistance::AssistanceInput;
use passage_domain::case::CaseInput;
use passage_domain::date::Timestamp;
use passage_domain::ids::OfficeId;
use passage_domain::person::{ConsentInput, DocumentInput, NameInput, PersonInput};
use passage_domain::policy::{Offices, Permission};
use passage_domain::screening::{ScreeningInput, VulnerabilityCategory};
use passage_domain::{FieldError, Invalid};
use passage_storage::records::Scope;
use passage_storage::submissions::{self as store, NewSubmission, SubmissionRecord};
use quick_xml::events::Event;
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// One of Passage's field forms.
pub struct FieldForm {
    /// The form id (`form_id` in the XLSForm settings; the XForm's root element).
    pub id: &'static str,
    pub title_en: &'static str,
    pub title_fr: &'static str,
    /// The XForm, as pyxform made it from `forms/<id>.xlsx` (a test keeps them in step).
    pub xform: &'static str,
    /// The media files the form lists choices from, made per user
    /// (`offices.csv`: the offices they work in; `flow_points.csv`: the points).
    pub media: &'static [&'static str],
    /// What a user must be allowed to do somewhere to be offered the form.
    pub needs: Permission,
}

pub const REGISTRATION: &str = "passage_registration";
pub const ASSISTANCE: &str = "passage_assistance";
pub const CAMPAIGN_EVENT: &str = "passage_campaign_event";
pub const MONITORING_VISIT: &str = "passage_monitoring_visit";
pub const FLOW_COUNT: &str = "passage_flow_count";

pub static FORMS: [FieldForm; 5] = [
    FieldForm {
        id: REGISTRATION,
        title_en: "Registration and vulnerability screening",
        title_fr: "Enregistrement et dépistage des vulnérabilités",
        xform: include_str!("../../../forms/xforms/passage_registration.xml"),
        media: &[OFFICES_CSV],
        needs: Permission::WriteCases,
    },
    FieldForm {
        id: ASSISTANCE,
        title_en: "Assistance given",
        title_fr: "Assistance fournie",
        xform: include_str!("../../../forms/xforms/passage_assistance.xml"),
        media: &[],
        needs: Permission::WriteCases,
    },
    FieldForm {
        id: CAMPAIGN_EVENT,
        title_en: "Information campaign event",
        title_fr: "Activité de sensibilisation",
        xform: include_str!("../../../forms/xforms/passage_campaign_event.xml"),
        media: &[OFFICES_CSV],
        needs: Permission::WriteCases,
    },
    FieldForm {
        id: MONITORING_VISIT,
        title_en: "Reintegration monitoring visit",
        title_fr: "Visite de suivi de la réintégration",
        xform: include_str!("../../../forms/xforms/passage_monitoring_visit.xml"),
        media: &[],
        needs: Permission::ManageReintegration,
    },
    FieldForm {
        id: FLOW_COUNT,
        title_en: "Flow-monitoring count",
        title_fr: "Comptage de suivi des flux",
        xform: include_str!("../../../forms/xforms/passage_flow_count.xml"),
        media: &[FLOW_POINTS_CSV],
        needs: Permission::WriteCases,
    },
];

/// The media file a form's office list comes from.
pub const OFFICES_CSV: &str = "offices.csv";
/// The media file the flow-count form's points come from.
pub const FLOW_POINTS_CSV: &str = "flow_points.csv";

/// The largest submission accepted in one post (announced to devices as
/// `X-OpenRosa-Accept-Content-Length`); larger ones are split by Collect.
pub const MAX_POST_BYTES: usize = 10 * 1024 * 1024;
/// The largest submission XML: a filled Passage form is a few kilobytes.
pub const MAX_XML_BYTES: usize = 1024 * 1024;
/// Files one submission may carry.
pub const MAX_FILES: usize = 20;
const MAX_ELEMENTS: usize = 2_000;
const MAX_DEPTH: usize = 16;
const MAX_VALUE_CHARS: usize = 10_000;

impl FieldForm {
    /// The form's title in French or, otherwise, in English.
    pub fn title(&self, french: bool) -> &'static str {
        if french {
            self.title_fr
        } else {
            self.title_en
        }
    }

    /// The form's version, as the XForm states it on its primary instance.
    pub fn version(&self) -> &'static str {
        let at = self.xform.find(&format!("<{} ", self.id)).expect("the XForm has its primary instance");
        let rest = &self.xform[at..];
        let v = rest.find("version=\"").expect("the XForm states its version") + 9;
        let end = rest[v..].find('"').expect("closed attribute");
        &rest[v..v + end]
    }

    /// `md5:<hex>` of the XForm, as the OpenRosa form list states it.
    pub fn hash(&self) -> String {
        md5_hash(self.xform.as_bytes())
    }
}

pub fn md5_hash(bytes: &[u8]) -> String {
    let d = Md5::digest(bytes);
    format!("md5:{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn form(id: &str) -> Option<&'static FieldForm> {
    FORMS.iter().find(|f| f.id == id)
}

/// The sustainability survey, generated from the scheme active for the
/// reintegration officer's office (its version is the scheme's `ID@VERSION`).
pub const SUSTAINABILITY_SURVEY: &str = crate::sustainability::SURVEY_FORM_ID;

/// A scheme's survey form, made once per scheme version in this process:
/// schemes are few and never change, so the leaked forms are bounded.
pub fn survey_form(scheme: &passage_domain::sustainability::Scheme) -> &'static FieldForm {
    static MADE: std::sync::Mutex<BTreeMap<String, &'static FieldForm>> = std::sync::Mutex::new(BTreeMap::new());
    let mut made = MADE.lock().expect("survey forms lock");
    made.entry(scheme.scheme.to_string()).or_insert_with(|| {
        Box::leak(Box::new(FieldForm {
            id: SUSTAINABILITY_SURVEY,
            title_en: "Reintegration sustainability survey",
            title_fr: "Enquête de durabilité de la réintégration",
            xform: Box::leak(crate::sustainability::survey_xform(scheme).into_boxed_str()),
            media: &[],
            needs: Permission::ManageReintegration,
        }))
    })
}

/// What a user must be allowed somewhere to send or see a form's submissions.
fn needs_of(id: &str) -> Option<Permission> {
    if id == SUSTAINABILITY_SURVEY {
        return Some(Permission::ManageReintegration);
    }
    form(id).map(|f| f.needs)
}

/// The forms a user is offered: those they may use somewhere.
pub fn forms_for(actor: &Actor) -> Vec<&'static FieldForm> {
    let rights = actor.rights();
    FORMS.iter().filter(|f| rights.can_somewhere(f.needs)).collect()
}

/// A filled form as the device sent it: the form, the instance id, and each
/// element's text by its path below the root (`person/given_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledForm {
    pub form_id: String,
    pub version: String,
    pub instance_id: String,
    pub values: BTreeMap<String, String>,
}

impl FilledForm {
    /// Read a submission. Anything that is not a well-formed instance of a
    /// form (broken XML, a document type declaration, no instance id, a
    /// repeated element our forms do not have) is refused whole: nothing
    /// of it can be kept under a key a resend would find again.
    pub fn parse(xml: &[u8]) -> Result<FilledForm, FieldError> {
        const F: &str = "xml_submission_file";
        if xml.len() > MAX_XML_BYTES {
            return Err(FieldError::new(F, "err-submission-too-large").with("max", MAX_XML_BYTES / 1024));
        }
        let text = std::str::from_utf8(xml).map_err(|_| FieldError::new(F, "err-submission-encoding"))?;
        let mut reader = quick_xml::Reader::from_str(text);
        let mut stack: Vec<String> = Vec::new();
        let mut root: Option<(String, String, String)> = None;
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        let mut current = String::new();
        let mut elements = 0usize;
        let malformed = |e: &dyn std::fmt::Display| FieldError::new(F, "err-submission-malformed").with("detail", e.to_string());
        loop {
            match reader.read_event().map_err(|e| malformed(&e))? {
                Event::Start(e) => {
                    elements += 1;
                    if elements > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                        return Err(FieldError::new(F, "err-submission-too-large").with("max", MAX_XML_BYTES / 1024));
                    }
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if stack.is_empty() {
                        if root.is_some() {
                            return Err(malformed(&"more than one root element"));
                        }
                        let mut id = name.clone();
                        let mut version = String::new();
                        for a in e.attributes() {
                            let a = a.map_err(|e| malformed(&e))?;
                            let v = a.decode_and_unescape_value(reader.decoder()).map_err(|e| malformed(&e))?.into_owned();
                            match a.key.local_name().as_ref() {
                                b"id" => id = v,
                                b"version" => version = v,
                                _ => {}
                            }
                        }
                        root = Some((name.clone(), id, version));
                    }
                    stack.push(name);
                    current.clear();
                }
                Event::Empty(e) => {
                    if stack.is_empty() {
                        return Err(malformed(&"the root element is empty"));
                    }
                    elements += 1;
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let path = path_of(&stack[1..], &name);
                    if values.insert(path.clone(), String::new()).is_some() {
                        return Err(FieldError::new(F, "err-submission-repeated").with("element", path));
                    }
                }
                Event::Text(t) => {
                    let s = t.decode().map_err(|e| malformed(&e))?;
                    let s = quick_xml::escape::unescape(&s).map_err(|e| malformed(&e))?;
                    current.push_str(&s);
                    if current.chars().count() > MAX_VALUE_CHARS {
                        return Err(FieldError::new(F, "err-submission-too-large").with("max", MAX_XML_BYTES / 1024));
                    }
                }
                Event::CData(t) => current.push_str(&String::from_utf8_lossy(&t)),
                Event::GeneralRef(r) => {
                    // quick-xml reports entity references apart from text.
                    let name = String::from_utf8_lossy(&r).into_owned();
                    match name.as_str() {
                        "amp" => current.push('&'),
                        "lt" => current.push('<'),
                        "gt" => current.push('>'),
                        "quot" => current.push('"'),
                        "apos" => current.push('\''),
                        n => match r.resolve_char_ref().map_err(|e| malformed(&e))? {
                            Some(c) => current.push(c),
                            None => return Err(malformed(&format!("unknown entity &{n};"))),
                        },
                    }
                }
                Event::End(_) => {
                    let name = stack.pop().ok_or_else(|| malformed(&"an end tag without a start"))?;
                    if !stack.is_empty() {
                        let path = path_of(&stack[1..], &name);
                        let value = std::mem::take(&mut current).trim().to_string();
                        // A group's own text is only the whitespace between its children.
                        match values.get(&path) {
                            Some(_) => return Err(FieldError::new(F, "err-submission-repeated").with("element", path)),
                            None => {
                                if !values.keys().any(|k| k.starts_with(&format!("{path}/"))) {
                                    values.insert(path, value);
                                }
                            }
                        }
                    }
                    current.clear();
                }
                Event::DocType(_) => return Err(malformed(&"a document type declaration is not allowed")),
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(malformed(&"the document ends before its elements close"));
        }
        let (_, form_id, version) = root.ok_or_else(|| malformed(&"no root element"))?;
        let instance_id = values.get("meta/instanceID").cloned().unwrap_or_default();
        if instance_id.is_empty()
            || instance_id.len() > 100
            || !instance_id.chars().all(|c| c.is_ascii_alphanumeric() || "-:._".contains(c))
        {
            return Err(FieldError::new(F, "err-submission-instance-id"));
        }
        Ok(FilledForm { form_id, version, instance_id, values })
    }

    pub fn get(&self, path: &str) -> &str {
        self.values.get(path).map(|s| s.as_str()).unwrap_or("")
    }

    /// The form as XML again (after a data officer's correction), in the
    /// shape the device sent: the root with its id and version, groups as
    /// nested elements.
    pub fn to_xml(&self) -> String {
        let mut out = format!(
            "<?xml version='1.0' ?><{0} id=\"{1}\" version=\"{2}\">",
            self.form_id,
            quick_xml::escape::escape(&self.form_id),
            quick_xml::escape::escape(&self.version)
        );
        let mut open: Vec<&str> = Vec::new();
        for (path, value) in &self.values {
            let parts: Vec<&str> = path.split('/').collect();
            let (groups, leaf) = parts.split_at(parts.len() - 1);
            let shared = open.iter().zip(groups).take_while(|(a, b)| a == b).count();
            while open.len() > shared {
                out.push_str(&format!("</{}>", open.pop().expect("open group")));
            }
            for g in &groups[shared..] {
                out.push_str(&format!("<{g}>"));
                open.push(g);
            }
            out.push_str(&format!("<{0}>{1}</{0}>", leaf[0], quick_xml::escape::escape(value)));
        }
        while let Some(g) = open.pop() {
            out.push_str(&format!("</{g}>"));
        }
        out.push_str(&format!("</{}>", self.form_id));
        out
    }
}

fn path_of(groups: &[String], name: &str) -> String {
    let mut p = groups.join("/");
    if !p.is_empty() {
        p.push('/');
    }
    p.push_str(name);
    p
}

/// A file sent with a submission.
pub struct SubmittedFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What became of a submission.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Received {
    /// Applied now: the records it made.
    Applied { instance_id: String, record: String },
    /// Seen before (a resend): nothing was created again.
    AlreadyReceived { instance_id: String, status: String },
    /// Kept for a data officer, with why it could not be applied.
    Quarantined { instance_id: String, problems: Vec<Problem> },
}

/// Why a submission waits in quarantine: a form field and a message id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    pub field: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

/// A filled form that passed every check of its use case, ready to write.
pub(crate) enum Prepared {
    Registration(crate::registry::PreparedRegistration),
    Assistance(crate::registry::PreparedAssistance),
    Campaign(crate::activities::PreparedCampaignEvent),
    Visit(crate::reintegration::PreparedVisit),
    FlowCount(crate::flows::PreparedFlowCount),
}

/// Where a submission belongs, for who may see it in quarantine.
pub(crate) struct Placement {
    pub(crate) office: Option<OfficeId>,
    pub(crate) restricted: bool,
}

impl Passage {
    /// The offices a user may record work in, as the `offices.csv` media
    /// file the forms list them from (`name` is the office code).
    pub async fn offices_csv(&self, actor: &Actor) -> ServiceResult<String> {
        let offices = access::writable_offices(actor);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["name", "label"]).map_err(|e| ServiceError::Operation(e.to_string()))?;
        for o in self.offices().await? {
            if offices.contains(o.id) {
                w.write_record([o.code.as_str(), &format!("{} ({})", o.name, o.code)])
                    .map_err(|e| ServiceError::Operation(e.to_string()))?;
            }
        }
        let bytes = w.into_inner().map_err(|e| ServiceError::Operation(e.to_string()))?;
        Ok(String::from_utf8(bytes).expect("CSV of UTF-8 text"))
    }

    /// A media file of a form, for this user.
    pub async fn media_csv(&self, actor: &Actor, name: &str) -> ServiceResult<String> {
        match name {
            OFFICES_CSV => self.offices_csv(actor).await,
            FLOW_POINTS_CSV => {
                let mut w = csv::Writer::from_writer(Vec::new());
                w.write_record(["name", "label"]).map_err(|e| ServiceError::Operation(e.to_string()))?;
                for p in self.flow_points(None).await? {
                    let p = p.point;
                    if p.active_until.is_none_or(|u| u >= passage_domain::date::CalendarDate::today()) {
                        w.write_record([p.code.as_str(), &format!("{} ({})", p.name, p.code)])
                            .map_err(|e| ServiceError::Operation(e.to_string()))?;
                    }
                }
                let bytes = w.into_inner().map_err(|e| ServiceError::Operation(e.to_string()))?;
                Ok(String::from_utf8(bytes).expect("CSV of UTF-8 text"))
            }
            _ => Err(ServiceError::NotFound),
        }
    }

    /// The forms a device's user is offered: Passage's own, and for a
    /// reintegration officer the survey of the scheme active for their
    /// (first) office. One survey form per device: ODK keys forms by id.
    pub async fn forms_offered(&self, actor: &Actor) -> ServiceResult<Vec<&'static FieldForm>> {
        let mut forms = forms_for(actor);
        if actor.rights().can_somewhere(Permission::ManageReintegration) {
            let office = match actor.rights().offices(Permission::ManageReintegration) {
                Offices::Only(set) => set.iter().next().copied(),
                Offices::All => None,
            };
            let mut c = self.db.reader().acquire().await?;
            let scheme = self.scheme_for(&mut c, office).await?;
            forms.push(survey_form(&scheme));
        }
        Ok(forms)
    }

    /// The form a submission names, by id and version: a survey is the
    /// survey of the scheme its version names (the questions it was asked with).
    pub(crate) async fn form_of(&self, id: &str, version: &str) -> ServiceResult<Option<&'static FieldForm>> {
        if id != SUSTAINABILITY_SURVEY {
            return Ok(form(id));
        }
        let Ok(r) = passage_domain::sustainability::SchemeRef::parse(version) else { return Ok(None) };
        let mut c = self.db.reader().acquire().await?;
        Ok(passage_storage::sustainability::scheme(&mut c, &r).await?.as_ref().map(survey_form))
    }

    /// Take a submission from a device: apply it, recognise it as a resend,
    /// or keep it in quarantine with its problems. Malformed XML and forms
    /// Passage does not have are refused (the device keeps them).
    pub async fn receive_submission(&self, actor: &Actor, xml: &[u8], files: Vec<SubmittedFile>, source: &str) -> ServiceResult<Received> {
        let filled = FilledForm::parse(xml)?;
        let Some(form) = self.form_of(&filled.form_id, &filled.version).await? else {
            return Err(FieldError::new("xml_submission_file", "err-submission-unknown-form")
                .with("value", filled.form_id.chars().take(60).collect::<String>())
                .into());
        };
        if !actor.rights().can_somewhere(form.needs) {
            return Err(ServiceError::Forbidden("send this form"));
        }
        if files.len() > MAX_FILES {
            return Err(FieldError::new("files", "err-too-many").with("max", MAX_FILES).into());
        }
        let sha = sha256_hex(xml);
        let payload = std::str::from_utf8(xml).expect("checked by parse");
        let received = match self.resend(&filled.instance_id, &sha).await? {
            Some(r) => r,
            None => {
                let receipt = NewSubmission {
                    id: &filled.instance_id,
                    form_id: form.id,
                    form_version: &filled.version,
                    source,
                    submitted_by: actor.id,
                    received_at: Timestamp::now(),
                    payload_sha256: &sha,
                    payload,
                    status: "applied",
                    problems: "[]",
                    office_id: None,
                    restricted: false,
                    record_ref: None,
                };
                match self.apply(actor, form, &filled, &Receipt::First(receipt)).await {
                    Ok(record) => {
                        tracing::info!(target: "passage::fieldforms", form = form.id, record = %record, "submission applied");
                        Received::Applied { instance_id: filled.instance_id.clone(), record }
                    }
                    Err(ServiceError::Conflict(_)) => match self.resend(&filled.instance_id, &sha).await? {
                        Some(r) => r,
                        None => return Err(ServiceError::Conflict("this submission was already received")),
                    },
                    Err(ServiceError::Invalid(inv)) => {
                        let problems = problems_of(form.id, &inv);
                        let place = self.placement(actor, form, &filled).await?;
                        let text = serde_json::to_string(&problems).expect("problems serialise");
                        let row = NewSubmission {
                            status: "quarantined",
                            problems: &text,
                            office_id: place.office,
                            restricted: place.restricted,
                            ..receipt
                        };
                        let mut tx = self.db.begin().await?;
                        if !store::insert(&mut tx, &self.keys, &row).await? {
                            drop(tx);
                            return match self.resend(&filled.instance_id, &sha).await? {
                                Some(r) => Ok(r),
                                None => Err(ServiceError::Conflict("this submission was already received")),
                            };
                        }
                        let changes = json!({"form": [null, form.id], "problems": [null, problems.len()]});
                        audit::record(
                            &mut tx,
                            Some(actor),
                            "submission.quarantine",
                            format!("submission:{}", filled.instance_id),
                            None,
                            changes,
                        )
                        .await?;
                        tx.commit().await?;
                        tracing::info!(target: "passage::fieldforms", form = form.id, problems = problems.len(), "submission quarantined");
                        Received::Quarantined { instance_id: filled.instance_id.clone(), problems }
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if !files.is_empty() {
            let mut tx = self.db.begin().await?;
            for f in &files {
                store::add_file(&mut tx, &filled.instance_id, &f.name, &f.content_type, &f.bytes).await?;
            }
            tx.commit().await?;
        }
        Ok(received)
    }

    /// A submission seen before: the same bytes are a resend; other bytes
    /// under the same instance id are a conflict (two forms cannot share one).
    async fn resend(&self, instance_id: &str, sha: &str) -> ServiceResult<Option<Received>> {
        let mut c = self.db.reader().acquire().await?;
        match store::get(&mut c, &self.keys, instance_id).await? {
            None => Ok(None),
            Some(s) if s.payload_sha256 == sha => Ok(Some(Received::AlreadyReceived { instance_id: s.id, status: s.status })),
            Some(_) => Err(ServiceError::Conflict("another submission was already received under this instance id")),
        }
    }

    /// Map a filled form to its use case and run it, with the receipt in
    /// the same transaction. Returns what it made (`case:<id>`…).
    async fn apply(&self, actor: &Actor, form: &FieldForm, f: &FilledForm, receipt: &Receipt<'_>) -> ServiceResult<String> {
        let prepared = self.prepare(actor, form, f).await?;
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        let record = self.write(&mut tx, actor, prepared, receipt, &mut trail).await?;
        trail.write(&mut tx).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Write a prepared form in the caller's transaction, with its receipt.
    pub(crate) async fn write(
        &self,
        c: &mut AnyConnection,
        actor: &Actor,
        prepared: Prepared,
        receipt: &Receipt<'_>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<String> {
        Ok(match prepared {
            Prepared::Registration(p) => format!("case:{}", self.write_registration(c, actor, p, Some(receipt), trail).await?.case_id),
            Prepared::Assistance(p) => format!("assistance:{}", self.write_assistance(c, actor, p, Some(receipt), trail).await?),
            Prepared::Campaign(p) => format!("campaign:{}", self.write_campaign_event(c, actor, p, Some(receipt), trail).await?),
            Prepared::Visit(p) => {
                let id = p.visit.id.clone();
                self.write_visit(c, actor, p, Some(receipt), trail).await?;
                format!("visit:{id}")
            }
            Prepared::FlowCount(p) => self.write_flow_count(c, actor, p, Some(receipt), trail).await?,
        })
    }

    /// Map a filled form to its use case's input and run every check of
    /// it, reading only: what a dry run asks of each row of an import.
    pub(crate) async fn prepare(&self, actor: &Actor, form: &FieldForm, f: &FilledForm) -> ServiceResult<Prepared> {
        if !actor.rights().can_somewhere(form.needs) {
            return Err(ServiceError::Forbidden("send this form"));
        }
        // The user may use the form: a refusal now is about the office or
        // case the form names, which is a problem of that field.
        match self.prepare_unchecked(actor, form, f).await {
            Err(ServiceError::Forbidden(_)) => {
                let field = match form.id {
                    REGISTRATION | CAMPAIGN_EVENT => "office_id",
                    FLOW_COUNT => "point",
                    _ => "case_reference",
                };
                Err(FieldError::new(field, "err-not-yours").into())
            }
            other => other,
        }
    }

    async fn prepare_unchecked(&self, actor: &Actor, form: &FieldForm, f: &FilledForm) -> ServiceResult<Prepared> {
        match form.id {
            REGISTRATION => {
                let office = self.office_field(f.get("case/office")).await?;
                let precision = f.get("person/birth_date_precision");
                let (birth_date, precision) = match precision {
                    "year" => (f.get("person/birth_year").to_string(), "year"),
                    "unknown" | "" => (String::new(), ""),
                    p => (f.get("person/birth_date").to_string(), p),
                };
                let nationality = match f.get("person/nationality") {
                    "other" => f.get("person/nationality_other"),
                    n => n,
                };
                let person = PersonInput {
                    names: vec![NameInput { given: f.get("person/given_name").into(), family: f.get("person/family_name").into() }],
                    sex: f.get("person/sex").into(),
                    birth_date,
                    birth_date_precision: precision.into(),
                    nationality: nationality.into(),
                    languages: Vec::new(),
                    phone: f.get("person/phone").into(),
                    documents: if f.get("person/document_kind").is_empty() {
                        Vec::new()
                    } else {
                        vec![DocumentInput {
                            kind: f.get("person/document_kind").into(),
                            number: f.get("person/document_number").into(),
                            issuing_country: String::new(),
                            expires_on: String::new(),
                        }]
                    },
                };
                let case = CaseInput { kind: f.get("case/case_kind").into(), office_id: office, assigned_to: String::new() };
                let screening = ScreeningInput {
                    screened_on: f.get("screening/screened_on").into(),
                    findings: words(f.get("screening/findings")),
                    exploitation: words(f.get("screening/exploitation")),
                    notes: f.get("screening/notes").into(),
                };
                let given_on = f.get("screening/screened_on").to_string();
                let mut consents = Vec::new();
                match f.get("consent/registration_consent") {
                    "yes" => consents.push(ConsentInput {
                        kind: "registration".into(),
                        partner: String::new(),
                        method: f.get("consent/consent_method").into(),
                        given_on: given_on.clone(),
                    }),
                    _ => return Err(FieldError::new("consent", "err-registration-consent").into()),
                }
                if f.get("consent/follow_up_consent") == "yes" {
                    consents.push(ConsentInput {
                        kind: "follow_up_contact".into(),
                        partner: String::new(),
                        method: f.get("consent/consent_method").into(),
                        given_on,
                    });
                }
                let r = Registration { person: &person, case: &case, screening: Some(&screening), consents: &consents };
                Ok(Prepared::Registration(self.prepare_registration(actor, &r).await?))
            }
            ASSISTANCE => {
                let case = self.case_field(actor, f.get("case_reference")).await?;
                let input = AssistanceInput {
                    kind: f.get("kind").into(),
                    provided_on: f.get("provided_on").into(),
                    quantity: f.get("quantity").into(),
                    place: f.get("place").into(),
                    provider: f.get("provider").into(),
                    cost: whole(f.get("cost")),
                    currency: f.get("currency").into(),
                };
                Ok(Prepared::Assistance(self.prepare_assistance(actor, case, &input).await?))
            }
            CAMPAIGN_EVENT => {
                let office = self.office_field(f.get("office")).await?;
                let input = CampaignEventInput {
                    office_id: office,
                    held_on: f.get("held_on").into(),
                    kind: f.get("kind").into(),
                    place: f.get("place").into(),
                    people_reached: f.get("people_reached").into(),
                    women: f.get("women").into(),
                    men: f.get("men").into(),
                    girls: f.get("girls").into(),
                    boys: f.get("boys").into(),
                };
                Ok(Prepared::Campaign(self.prepare_campaign_event(actor, &input).await?))
            }
            FLOW_COUNT => {
                // A country chosen from the list, or typed as a code when it is not on it.
                let country = |name: &str| match f.get(name) {
                    "other" => f.get(&format!("{name}_other")).to_string(),
                    c => c.to_string(),
                };
                let input = passage_domain::flow::FlowCountInput {
                    point: f.get("point").into(),
                    date: f.get("date").into(),
                    period: f.get("period").into(),
                    direction: f.get("direction").into(),
                    transport_mode: f.get("transport_mode").into(),
                    nationality: country("nationality"),
                    origin_country: country("origin_country"),
                    destination_country: country("destination_country"),
                    total: f.get("total").into(),
                    men: f.get("men").into(),
                    women: f.get("women").into(),
                    boys: f.get("boys").into(),
                    girls: f.get("girls").into(),
                    unaccompanied_children: f.get("unaccompanied_children").into(),
                    pregnant_women: f.get("pregnant_women").into(),
                    persons_with_disabilities: f.get("persons_with_disabilities").into(),
                };
                Ok(Prepared::FlowCount(self.prepare_flow_count(actor, &input).await?))
            }
            MONITORING_VISIT => {
                let visit = self.next_visit(actor, f.get("case_reference")).await?;
                let input = VisitInput {
                    status: f.get("status").into(),
                    done_on: f.get("done_on").into(),
                    notes: f.get("notes").into(),
                    ..Default::default()
                };
                Ok(Prepared::Visit(self.prepare_visit(actor, &visit, &input).await?))
            }
            SUSTAINABILITY_SURVEY => {
                let scheme = passage_domain::sustainability::SchemeRef::parse(form.version())
                    .map_err(|_| FieldError::new("xml_submission_file", "err-submission-unknown-form").with("value", form.id))?;
                let scheme = self.scheme(&scheme).await?;
                let visit = self.next_visit(actor, f.get("case_reference")).await?;
                let survey = scheme.indicators().map(|(_, i)| (i.code.clone(), f.get(&format!("survey/{}", i.code)).to_string())).collect();
                let input = VisitInput { status: "done".into(), done_on: f.get("done_on").into(), notes: f.get("notes").into(), survey };
                Ok(Prepared::Visit(self.prepare_visit_under(actor, &visit, &input, Some(scheme)).await?))
            }
            _ => Err(FieldError::new("xml_submission_file", "err-submission-unknown-form").with("value", form.id).into()),
        }
    }

    /// The next scheduled visit of the case a form names: what a visit form records.
    async fn next_visit(&self, actor: &Actor, reference: &str) -> ServiceResult<String> {
        let case = self.case_field(actor, reference).await?;
        let mut c = self.db.reader().acquire().await?;
        let visits = passage_storage::reintegration::visits_of(&mut c, &self.keys, case).await?;
        visits
            .into_iter()
            .find(|v| v.status == passage_domain::reintegration::VisitStatus::Scheduled)
            .map(|v| v.id)
            .ok_or_else(|| FieldError::new("case_reference", "err-no-visit-scheduled").into())
    }

    /// An office named by code in a form, as the id the use cases take.
    async fn office_field(&self, code: &str) -> ServiceResult<String> {
        let code = code.trim();
        if code.is_empty() {
            return Ok(String::new());
        }
        let code = code.to_uppercase();
        match self.offices.find(&self.db, |o| o.code == code).await? {
            Some(o) => Ok(o.id.to_string()),
            None => Err(FieldError::new("office_id", "err-unknown-office").with("value", code.chars().take(40).collect::<String>()).into()),
        }
    }

    /// A case named by its reference, among those the user may see (one
    /// they may not see is "unknown", so that its existence does not leak).
    async fn case_field(&self, actor: &Actor, reference: &str) -> ServiceResult<passage_domain::ids::CaseId> {
        let reference = reference.trim().to_uppercase();
        if reference.is_empty() {
            return Err(FieldError::new("case_reference", "err-required").into());
        }
        let mut c = self.db.reader().acquire().await?;
        match passage_storage::registry::get_case_by_reference(&mut c, &reference, &Scope::of(&actor.rights())).await? {
            Some(case) => Ok(case.id),
            None => Err(FieldError::new("case_reference", "err-unknown-case")
                .with("value", reference.chars().take(40).collect::<String>())
                .into()),
        }
    }

    /// The office a quarantined submission belongs to, and whether what it
    /// holds would make a case restricted.
    pub(crate) async fn placement(&self, actor: &Actor, form: &FieldForm, f: &FilledForm) -> ServiceResult<Placement> {
        let mut c = self.db.reader().acquire().await?;
        let office = match form.id {
            FLOW_COUNT => passage_storage::flows::get_point(&mut c, &f.get("point").trim().to_uppercase()).await?.and_then(|p| p.office_id),
            REGISTRATION | CAMPAIGN_EVENT => {
                let code = if form.id == REGISTRATION { f.get("case/office") } else { f.get("office") };
                passage_storage::registry::get_office_by_code(&mut c, &code.trim().to_uppercase()).await?.map(|o| o.id)
            }
            _ => passage_storage::registry::get_case_by_reference(
                &mut c,
                &f.get("case_reference").trim().to_uppercase(),
                &Scope::of(&actor.rights()),
            )
            .await?
            .map(|c| c.office_id),
        };
        let office = office.or_else(|| match actor.rights().offices(form.needs) {
            Offices::Only(set) if set.len() == 1 => set.iter().next().copied(),
            _ => None,
        });
        let restricted = form.id == REGISTRATION
            && (matches!(f.get("case/case_kind"), "trafficking_victim_assistance" | "unaccompanied_child")
                || words(f.get("screening/findings"))
                    .iter()
                    .filter_map(|w| VulnerabilityCategory::parse("findings", w).ok())
                    .any(|v| v.makes_case_restricted()));
        Ok(Placement { office, restricted })
    }

    /// Whether a user may see (and settle) a quarantined submission: its
    /// sender, or whoever may do what the form does in its office — and for
    /// one that would be restricted, see restricted cases there.
    fn may_see(actor: &Actor, s: &SubmissionRecord) -> bool {
        if s.submitted_by == actor.id {
            return true;
        }
        let Some(needs) = needs_of(&s.form_id) else { return false };
        let rights = actor.rights();
        match s.office_id {
            Some(o) => rights.can(needs, o) && (!s.restricted || rights.can(Permission::ReadRestricted, o)),
            None => {
                matches!(rights.offices(needs), Offices::All)
                    && (!s.restricted || matches!(rights.offices(Permission::ReadRestricted), Offices::All))
            }
        }
    }

    /// Quarantined submissions the user may see, newest first.
    pub async fn quarantine(&self, actor: &Actor) -> ServiceResult<Vec<SubmissionRecord>> {
        if !FORMS.iter().any(|f| actor.rights().can_somewhere(f.needs)) {
            return Err(ServiceError::Forbidden("see submissions from the field"));
        }
        let mut c = self.db.reader().acquire().await?;
        let all = store::with_status(&mut c, &self.keys, "quarantined", 1000).await?;
        Ok(all.into_iter().filter(|s| Self::may_see(actor, s)).collect())
    }

    /// One submission with its values, for a data officer to correct.
    pub async fn submission(&self, actor: &Actor, id: &str) -> ServiceResult<(SubmissionRecord, Option<FilledForm>)> {
        if !FORMS.iter().any(|f| actor.rights().can_somewhere(f.needs)) {
            return Err(ServiceError::Forbidden("see submissions from the field"));
        }
        let mut c = self.db.reader().acquire().await?;
        let s = store::get(&mut c, &self.keys, id.trim()).await?.ok_or(ServiceError::NotFound)?;
        drop(c);
        if !Self::may_see(actor, &s) {
            return Err(ServiceError::NotFound);
        }
        let filled = if s.payload.is_empty() { None } else { FilledForm::parse(s.payload.as_bytes()).ok() };
        Ok((s, filled))
    }

    /// Apply a quarantined submission again with a data officer's
    /// corrections (element path → value). If it still does not pass, it
    /// stays in quarantine with the corrections kept and the new problems.
    pub async fn retry_submission(&self, actor: &Actor, id: &str, corrections: &BTreeMap<String, String>) -> ServiceResult<Received> {
        let (s, filled) = self.submission(actor, id).await?;
        if s.status != "quarantined" {
            return Err(ServiceError::Conflict("this submission was already settled"));
        }
        let form = self.form_of(&s.form_id, &s.form_version).await?.ok_or(ServiceError::NotFound)?;
        let mut filled = filled.ok_or(ServiceError::NotFound)?;
        for (path, value) in corrections {
            // Only the form's own elements can be corrected; the instance id is the key.
            if filled.values.contains_key(path) && path != "meta/instanceID" {
                filled.values.insert(path.clone(), value.trim().chars().take(MAX_VALUE_CHARS).collect());
            }
        }
        match self.apply(actor, form, &filled, &Receipt::Retry { id: &s.id, by: actor.id }).await {
            Ok(record) => {
                let mut tx = self.db.begin().await?;
                let changes = json!({"status": ["quarantined", "applied"], "record": [null, record]});
                audit::record(&mut tx, Some(actor), "submission.apply", format!("submission:{}", s.id), None, changes).await?;
                tx.commit().await?;
                Ok(Received::Applied { instance_id: s.id, record })
            }
            Err(ServiceError::Invalid(inv)) => {
                let problems = problems_of(form.id, &inv);
                let xml = filled.to_xml();
                let text = serde_json::to_string(&problems).expect("problems serialise");
                let mut tx = self.db.begin().await?;
                store::correct(&mut tx, &self.keys, &s.id, &xml, &s.payload_sha256, &text).await?;
                tx.commit().await?;
                Ok(Received::Quarantined { instance_id: s.id, problems })
            }
            Err(e) => Err(e),
        }
    }

    /// Reject a quarantined submission, with the reason; its payload is wiped.
    pub async fn reject_submission(&self, actor: &Actor, id: &str, reason: &str) -> ServiceResult<()> {
        let (s, _) = self.submission(actor, id).await?;
        let reason = passage_domain::text::required("reason", reason, 500, false)?;
        let mut tx = self.db.begin().await?;
        let settled = store::Settlement { status: "rejected", record_ref: None, reason: Some(&reason), by: actor.id, at: Timestamp::now() };
        if !store::settle(&mut tx, &self.keys, &s.id, &settled).await? {
            return Err(ServiceError::Conflict("this submission was already settled"));
        }
        let changes = json!({"status": ["quarantined", "rejected"], "reason": [null, audit::redacted(&reason)]});
        audit::record(&mut tx, Some(actor), "submission.reject", format!("submission:{}", s.id), None, changes).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Collect writes a decimal answer with its fraction (`15000.0`); amounts
/// are whole units, so a zero fraction is dropped and any other is left
/// for the use case to refuse.
pub(crate) fn whole(s: &str) -> String {
    match s.trim().split_once('.') {
        Some((units, fraction)) if !units.is_empty() && fraction.chars().all(|c| c == '0') => units.to_string(),
        _ => s.trim().to_string(),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// The use cases name fields as the web forms do; a data officer reads the
/// field form's element paths.
pub(crate) fn problems_of(form_id: &str, inv: &Invalid) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    for e in &inv.errors {
        let p = Problem {
            field: form_path(form_id, &e.field),
            code: e.code.to_string(),
            args: e.args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        };
        // Two consents checked on one date are one problem of that date.
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn form_path(form_id: &str, field: &str) -> String {
    let p = match (form_id, field) {
        (REGISTRATION, "names[0].given") => "person/given_name",
        (REGISTRATION, "names[0].family" | "names") => "person/family_name",
        (REGISTRATION, "sex" | "nationality" | "phone" | "birth_date_precision") => return format!("person/{field}"),
        (REGISTRATION, "birth_date") => "person/birth_date",
        (REGISTRATION, f) if f.starts_with("documents") => {
            if f.ends_with("kind") {
                "person/document_kind"
            } else {
                "person/document_number"
            }
        }
        (REGISTRATION, "kind") => "case/case_kind",
        (REGISTRATION, "office_id" | "assigned_to") => "case/office",
        (REGISTRATION, "screened_on" | "findings" | "exploitation" | "notes") => return format!("screening/{field}"),
        // The consents are given on the day of the screening.
        (REGISTRATION, "given_on") => "screening/screened_on",
        (REGISTRATION, "method") => "consent/consent_method",
        (REGISTRATION, "consent") => "consent/registration_consent",
        (CAMPAIGN_EVENT, "office_id") => "office",
        (MONITORING_VISIT, "done_on" | "status" | "notes") => return field.to_string(),
        _ => return field.to_string(),
    };
    p.to_string()
}

/// What kind of answer a field takes, as its XForm binds and body say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Date,
    Number,
    /// One choice from a list (the list's instance id).
    One(String),
    /// Several choices, space-separated.
    Many(String),
}

/// A field of a form: its element path, kind, and its labels in every language.
#[derive(Debug, Clone)]
pub struct FieldShape {
    pub path: String,
    pub kind: FieldKind,
    pub labels: Vec<String>,
}

/// A form's fields and choice lists, read from its XForm: what a file
/// import needs to read columns by name or label and values by name or label.
#[derive(Debug, Clone, Default)]
pub struct FormShape {
    pub fields: Vec<FieldShape>,
    /// List id → (name, labels in every language).
    pub choices: BTreeMap<String, Vec<(String, Vec<String>)>>,
}

impl FormShape {
    pub fn field(&self, path: &str) -> Option<&FieldShape> {
        self.fields.iter().find(|f| f.path == path)
    }
}

impl FieldForm {
    /// The form's shape, read once from its XForm.
    pub fn shape(&self) -> &'static FormShape {
        static SHAPES: std::sync::OnceLock<Vec<FormShape>> = std::sync::OnceLock::new();
        let all = SHAPES.get_or_init(|| FORMS.iter().map(read_shape).collect());
        if let Some(at) = FORMS.iter().position(|f| f.id == self.id) {
            return &all[at];
        }
        // A generated form (a scheme's survey): read once per version.
        static MADE: std::sync::Mutex<BTreeMap<String, &'static FormShape>> = std::sync::Mutex::new(BTreeMap::new());
        let mut made = MADE.lock().expect("form shapes lock");
        made.entry(format!("{}@{}", self.id, self.version())).or_insert_with(|| Box::leak(Box::new(read_shape(self))))
    }
}

/// The shape of any form, read now (tests compare a generated form's with pyxform's).
pub fn read_shape_of(form: &FieldForm) -> FormShape {
    read_shape(form)
}

fn read_shape(form: &FieldForm) -> FormShape {
    let prefix = format!("/{}/", form.id);
    let mut itext: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut controls: Vec<(String, bool, Option<String>)> = Vec::new();
    let mut choices: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    let mut stack: Vec<String> = Vec::new();
    let (mut text_id, mut instance, mut item_itext, mut item_name) = (String::new(), String::new(), String::new(), String::new());
    let mut value = String::new();
    let mut reader = quick_xml::Reader::from_str(form.xform);
    let decoder = reader.decoder();
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &[u8]| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.decode_and_unescape_value(decoder).ok().map(|v| v.into_owned()))
    };
    loop {
        match reader.read_event() {
            Ok(ev @ (Event::Start(_) | Event::Empty(_))) => {
                let empty = matches!(ev, Event::Empty(_));
                let (Event::Start(e) | Event::Empty(e)) = ev else { unreachable!("matched above") };
                let e = &e;
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match name.as_str() {
                    "text" => text_id = attr(e, b"id").unwrap_or_default(),
                    "instance" if !empty => instance = attr(e, b"id").unwrap_or_default(),
                    "bind" => {
                        if let (Some(n), Some(t)) = (attr(e, b"nodeset"), attr(e, b"type")) {
                            if let Some(p) = n.strip_prefix(&prefix) {
                                types.insert(p.to_string(), t);
                            }
                        }
                    }
                    "select1" | "select" => {
                        if let Some(p) = attr(e, b"ref").and_then(|r| r.strip_prefix(&prefix).map(str::to_string)) {
                            controls.push((p, name == "select", None));
                        }
                    }
                    "itemset" => {
                        let list = attr(e, b"nodeset").and_then(|n| n.split('\'').nth(1).map(str::to_string));
                        if let Some(last) = controls.last_mut() {
                            last.2 = list;
                        }
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(name);
                    value.clear();
                }
            }
            Ok(Event::Text(t)) => value.push_str(&t.decode().map(|c| c.into_owned()).unwrap_or_default()),
            Ok(Event::GeneralRef(r)) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    value.push(c)
                } else {
                    value.push_str(match r.as_ref() {
                        b"amp" => "&",
                        b"lt" => "<",
                        b"gt" => ">",
                        b"quot" => "\"",
                        _ => "'",
                    })
                }
            }
            Ok(Event::End(_)) => {
                let name = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str).unwrap_or("");
                match (name.as_str(), parent) {
                    ("value", "text") => itext.entry(text_id.clone()).or_default().push(value.trim().to_string()),
                    ("itextId", "item") => item_itext = value.trim().to_string(),
                    ("name", "item") => item_name = value.trim().to_string(),
                    ("item", "root") if !instance.is_empty() => {
                        let labels = itext.get(&item_itext).cloned().unwrap_or_default();
                        choices.entry(instance.clone()).or_default().push((std::mem::take(&mut item_name), labels));
                        item_itext.clear();
                    }
                    ("instance", _) => instance.clear(),
                    _ => {}
                }
                value.clear();
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    let fields = instance_paths(form)
        .into_iter()
        .filter(|p| p != "meta/instanceID")
        .map(|path| {
            let control = controls.iter().find(|(p, _, _)| *p == path);
            let kind = match (control, types.get(&path).map(String::as_str)) {
                (Some((_, true, list)), _) => FieldKind::Many(list.clone().unwrap_or_default()),
                (Some((_, false, list)), _) => FieldKind::One(list.clone().unwrap_or_default()),
                (None, Some("date")) => FieldKind::Date,
                (None, Some("int" | "decimal")) => FieldKind::Number,
                _ => FieldKind::Text,
            };
            let labels = itext.get(&format!("/{}/{path}:label", form.id)).cloned().unwrap_or_default();
            FieldShape { path, kind, labels }
        })
        .collect();
    FormShape { fields, choices }
}

/// For tests and the data officer's page: the element paths of a form's
/// primary instance, in document order.
pub fn instance_paths(form: &FieldForm) -> Vec<String> {
    let xml = form.xform;
    let Some(start) = xml.find(&format!("<{} ", form.id)) else { return Vec::new() };
    let end = xml[start..].find(&format!("</{}>", form.id)).map(|e| start + e + form.id.len() + 3).unwrap_or(xml.len());
    let mut reader = quick_xml::Reader::from_str(&xml[start..end]);
    let mut stack: Vec<String> = Vec::new();
    let mut leaves: Vec<String> = Vec::new();
    let mut had_child: Vec<bool> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if let Some(h) = had_child.last_mut() {
                    *h = true;
                }
                stack.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                had_child.push(false);
            }
            Ok(Event::Empty(e)) => {
                if let Some(h) = had_child.last_mut() {
                    *h = true;
                }
                if !stack.is_empty() {
                    leaves.push(path_of(&stack[1..], &String::from_utf8_lossy(e.local_name().as_ref())));
                }
            }
            Ok(Event::End(_)) => {
                let name = stack.pop().unwrap_or_default();
                let had = had_child.pop().unwrap_or(true);
                if !had && !stack.is_empty() {
                    leaves.push(path_of(&stack[1..], &name));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    leaves
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submission_reads_as_paths_and_values() {
        let xml = br#"<?xml version='1.0' ?><passage_assistance id="passage_assistance" version="2026112301" xmlns:orx="http://openrosa.org/xforms"><case_reference>AGZ-2026-000001</case_reference><kind>food</kind><place>Centre &amp; annex</place><cost/><orx:meta><orx:instanceID>uuid:1b2c</orx:instanceID></orx:meta></passage_assistance>"#;
        let f = FilledForm::parse(xml).unwrap();
        assert_eq!(f.form_id, "passage_assistance");
        assert_eq!(f.version, "2026112301");
        assert_eq!(f.instance_id, "uuid:1b2c");
        assert_eq!(f.get("place"), "Centre & annex");
        assert_eq!(f.get("cost"), "");
        assert_eq!(f.get("meta/instanceID"), "uuid:1b2c");
        // Written back, it reads the same.
        assert_eq!(FilledForm::parse(f.to_xml().as_bytes()).unwrap(), f);
    }

    #[test]
    fn broken_submissions_are_refused_whole() {
        for (xml, code) in [
            (&b"<passage_assistance><kind>food</kind>"[..], "err-submission-malformed"),
            (b"<a><meta><instanceID>uuid:1</instanceID></meta></a><b/>", "err-submission-malformed"),
            (b"<passage_assistance><kind>food</kind></passage_assistance>", "err-submission-instance-id"),
            (
                b"<passage_assistance><kind>a</kind><kind>b</kind><meta><instanceID>uuid:1</instanceID></meta></passage_assistance>",
                "err-submission-repeated",
            ),
            (
                b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;<meta><instanceID>uuid:1</instanceID></meta></x>",
                "err-submission-malformed",
            ),
            (b"\xff\xfe<x/>", "err-submission-encoding"),
            (b"<x><meta><instanceID>uuid:1 OR 1=1</instanceID></meta></x>", "err-submission-instance-id"),
        ] {
            assert_eq!(FilledForm::parse(xml).unwrap_err().code, code, "{}", String::from_utf8_lossy(xml));
        }
    }

    #[test]
    fn every_form_states_its_version_and_its_fields() {
        for f in &FORMS {
            // YYYYMMDDnn, the day the form last changed (the flow-count form came later than the first four).
            let v = f.version();
            assert!(v.len() == 10 && v.chars().all(|c| c.is_ascii_digit()) && v >= "2026112301", "{}: {v}", f.id);
            let paths = instance_paths(f);
            assert!(paths.contains(&"meta/instanceID".to_string()), "{}: {paths:?}", f.id);
            assert!(f.hash().starts_with("md5:") && f.hash().len() == 36);
        }
        let shape = form(REGISTRATION).unwrap().shape();
        let sex = shape.field("person/sex").unwrap();
        assert_eq!(sex.kind, FieldKind::One("sex".into()));
        assert!(sex.labels.iter().any(|l| l == "Sex") && sex.labels.iter().any(|l| l == "Sexe"), "{:?}", sex.labels);
        assert_eq!(shape.field("screening/findings").unwrap().kind, FieldKind::Many("vulnerability".into()));
        assert_eq!(shape.field("person/birth_date").unwrap().kind, FieldKind::Date);
        assert_eq!(shape.field("person/birth_year").unwrap().kind, FieldKind::Number);
        assert_eq!(shape.field("case/office").unwrap().kind, FieldKind::One("offices".into()));
        let female = &shape.choices["sex"][0];
        assert_eq!(female.0, "female");
        assert!(female.1.iter().any(|l| l == "Female") && female.1.iter().any(|l| l == "Féminin"), "{female:?}");
        let reg = instance_paths(form(REGISTRATION).unwrap());
        for p in ["person/given_name", "person/family_name", "case/office", "screening/findings", "consent/registration_consent"] {
            assert!(reg.contains(&p.to_string()), "{p} in {reg:?}");
        }
    }
}
