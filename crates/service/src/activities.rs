//! Recording the activities that count people rather than persons: each in
//! an office where the user works on cases, checked whole, audited, and
//! counted by the programme's indicators from then on. Published resources
//! may carry a file, which the public page offers for download.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::activity::{CampaignEventInput, ResourceInput, SarOperationInput, ShelterWorkInput, TrainingInput};
use passage_domain::date::Timestamp;
use passage_domain::FieldError;
use passage_storage::activities::{self as store, ActivityLine};
use passage_storage::records::Scope;
use serde_json::json;

/// The largest file a resource may carry: reports and infographics, not datasets.
pub const MAX_RESOURCE_FILE: usize = 20 * 1024 * 1024;

/// File types the library serves, by extension: documents, tables and images.
const FILE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain; charset=utf-8"),
];

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A campaign event that passed every check, ready to write.
pub(crate) struct PreparedCampaignEvent {
    office: passage_storage::records::OfficeRecord,
    event: passage_domain::activity::NewCampaignEvent,
}

impl Passage {
    pub async fn record_campaign_event(&self, actor: &Actor, input: &CampaignEventInput) -> ServiceResult<String> {
        let prepared = self.prepare_campaign_event(actor, input).await?;
        let mut tx = self.db.begin().await?;
        let mut trail = crate::audit::Trail::default();
        let id = self.write_campaign_event(&mut tx, actor, prepared, None, &mut trail).await?;
        trail.write(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every check of a campaign event, reading only; every problem at once.
    pub(crate) async fn prepare_campaign_event(&self, actor: &Actor, input: &CampaignEventInput) -> ServiceResult<PreparedCampaignEvent> {
        access::require(actor, Action::WriteSomewhere)?;
        let office = self.case_office(actor, &input.office_id).await;
        let event = input.parse(Timestamp::now().date());
        match (office, event) {
            (Ok(office), Ok(event)) => Ok(PreparedCampaignEvent { office, event }),
            (Err(ServiceError::Invalid(mut a)), Err(b)) => {
                a.errors.extend(b.errors);
                Err(ServiceError::Invalid(a))
            }
            (Err(e), _) => Err(e),
            (_, Err(b)) => Err(b.into()),
        }
    }

    /// Write a prepared campaign event in the caller's transaction.
    pub(crate) async fn write_campaign_event(
        &self,
        c: &mut sqlx::AnyConnection,
        actor: &Actor,
        prepared: PreparedCampaignEvent,
        receipt: Option<&crate::receipts::Receipt<'_>>,
        trail: &mut crate::audit::Trail,
    ) -> ServiceResult<String> {
        let PreparedCampaignEvent { office, event: e } = prepared;
        let id = new_id();
        if let Some(receipt) = receipt {
            crate::receipts::keep_receipt(&mut *c, &self.keys, receipt, &format!("campaign:{id}")).await?;
        }
        store::insert_campaign_event(&mut *c, &id, office.id, &e, actor.id, Timestamp::now()).await?;
        let changes = json!({"office": [null, office.code], "held_on": [null, e.held_on], "kind": [null, e.kind], "people_reached": [null, e.people_reached]});
        trail.add(Some(actor), "activity.campaign", format!("campaign:{id}"), None, changes);
        Ok(id)
    }

    pub async fn record_training(&self, actor: &Actor, input: &TrainingInput) -> ServiceResult<String> {
        access::require(actor, Action::WriteSomewhere)?;
        let office = self.case_office(actor, &input.office_id).await?;
        let t = input.parse(Timestamp::now().date())?;
        let id = new_id();
        let mut tx = self.db.begin().await?;
        store::insert_training(&mut tx, &id, office.id, &t, actor.id, Timestamp::now()).await?;
        let changes = json!({"office": [null, office.code], "held_on": [null, t.held_on], "participants": [null, t.participants]});
        audit::record(&mut tx, Some(actor), "activity.training", format!("training:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A search-and-rescue operation, linked to the survivors' cases the user may see.
    pub async fn record_rescue(&self, actor: &Actor, input: &SarOperationInput) -> ServiceResult<String> {
        access::require(actor, Action::WriteSomewhere)?;
        let mut c = self.db.reader().acquire().await?;
        let office = self.case_office(actor, &input.office_id).await?;
        let o = input.parse(Timestamp::now().date())?;
        let scope = Scope::of(&actor.rights());
        let mut cases = Vec::new();
        let mut inv = passage_domain::Invalid::default();
        for r in &o.case_references {
            match passage_storage::registry::get_case_by_reference(&mut c, r, &scope).await? {
                Some(case) => cases.push(case.id),
                // Not there, or not visible: the same answer, so existence does not leak.
                None => {
                    inv.push(FieldError::new("case_references", "err-unknown-case").with("value", r.chars().take(40).collect::<String>()))
                }
            }
        }
        inv.into_result()?;
        drop(c);
        let id = new_id();
        let mut tx = self.db.begin().await?;
        store::insert_sar_operation(&mut tx, &id, office.id, &o, &cases, actor.id, Timestamp::now()).await?;
        let changes = json!({"office": [null, office.code], "held_on": [null, o.held_on], "people_found": [null, o.people_found], "cases": [null, cases.len()]});
        audit::record(&mut tx, Some(actor), "activity.rescue", format!("rescue:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn record_shelter_work(&self, actor: &Actor, input: &ShelterWorkInput) -> ServiceResult<String> {
        access::require(actor, Action::WriteSomewhere)?;
        let office = self.case_office(actor, &input.office_id).await?;
        let w = input.parse(Timestamp::now().date())?;
        let id = new_id();
        let mut tx = self.db.begin().await?;
        store::insert_shelter_work(&mut tx, &id, office.id, &w, actor.id, Timestamp::now()).await?;
        let changes = json!({"office": [null, office.code], "completed_on": [null, w.completed_on], "shelter": [null, w.shelter], "kind": [null, w.kind]});
        audit::record(&mut tx, Some(actor), "activity.shelter_work", format!("shelter_work:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn record_resource(&self, actor: &Actor, input: &ResourceInput) -> ServiceResult<String> {
        access::require(actor, Action::WriteSomewhere)?;
        let office = self.case_office(actor, &input.office_id).await?;
        let r = input.parse(Timestamp::now().date())?;
        let id = new_id();
        let mut tx = self.db.begin().await?;
        store::insert_resource(&mut tx, &id, office.id, &r, actor.id, Timestamp::now()).await?;
        let changes = json!({"office": [null, office.code], "title": [null, r.title], "kind": [null, r.kind]});
        audit::record(&mut tx, Some(actor), "activity.resource", format!("resource:{id}"), None, changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Attach (or replace) a resource's file. The type is decided by the
    /// file name's extension, from a short list; the name is kept simple.
    pub async fn set_resource_file(&self, actor: &Actor, resource: &str, file_name: &str, bytes: &[u8]) -> ServiceResult<()> {
        access::require(actor, Action::WriteSomewhere)?;
        let mut c = self.db.reader().acquire().await?;
        let office = store::resource_office(&mut c, resource.trim()).await?.ok_or(ServiceError::NotFound)?;
        drop(c);
        access::require(actor, Action::WriteCases(office))?;
        let name: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
            .take(120)
            .collect();
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        let Some((_, content_type)) = FILE_TYPES.iter().find(|(e, _)| *e == ext) else {
            return Err(FieldError::new("file", "err-file-type").with("value", ext.chars().take(10).collect::<String>()).into());
        };
        if bytes.is_empty() {
            return Err(FieldError::new("file", "err-file-empty").into());
        }
        if bytes.len() > MAX_RESOURCE_FILE {
            return Err(FieldError::new("file", "err-file-too-large").with("max", MAX_RESOURCE_FILE / 1_048_576).into());
        }
        let mut tx = self.db.begin().await?;
        passage_storage::figures::set_resource_file(&mut tx, resource.trim(), &name, content_type, bytes).await?;
        let changes = json!({"file": [null, name], "bytes": [null, bytes.len()]});
        audit::record(&mut tx, Some(actor), "activity.resource_file", format!("resource:{}", resource.trim()), None, changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest activities, for everyone who reads figures.
    pub async fn recent_activities(&self, actor: &Actor, limit: i64) -> ServiceResult<Vec<ActivityLine>> {
        access::require(actor, Action::ReadAggregates)?;
        let mut c = self.db.reader().acquire().await?;
        Ok(store::recent(&mut c, limit.clamp(1, 500)).await?)
    }
}
