//! Referrals as use cases: the service directory (kept by administrators,
//! searched by everyone who works on cases), sending a person to a provider
//! with their consent to share named fields with that organisation, and the
//! partner's side — only the referrals sent to their organisation, and of
//! the person only the fields shared, while the consent stands.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::CaseId;
use passage_domain::policy::Permission;
use passage_domain::referral::{overdue, ReferralStatus, ServiceKind, SharedField};
use passage_domain::{FieldError, Invalid};
use passage_storage::referrals::{self as store, ProviderRecord, ReferralRecord};
use passage_storage::registry as reg;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Provider)]
pub struct ProviderInput {
    #[schema(schema_with = passage_domain::schema::text, required = true)]
    pub organisation: String,
    #[schema(schema_with = passage_domain::schema::code_list_nonempty::<passage_domain::referral::ServiceKind>, required = true)]
    pub services: Vec<String>,
    pub places: String,
    pub languages: String,
    pub contact: String,
    pub opening_hours: String,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = Referral)]
pub struct ReferralInput {
    pub provider_id: String,
    pub service: String,
    #[schema(schema_with = passage_domain::schema::code_list::<passage_domain::referral::SharedField>)]
    pub fields: Vec<String>,
}

/// A referral as its partner sees it: the person only through the shared
/// fields, and nothing of them once the consent is withdrawn.
#[derive(Debug, Serialize)]
pub struct PartnerReferral {
    pub id: String,
    pub service: ServiceKind,
    pub status: ReferralStatus,
    pub sent_on: CalendarDate,
    pub consent_withdrawn: bool,
    pub person: serde_json::Map<String, serde_json::Value>,
}

/// A referral as the case's readers see it, with whether it is overdue.
#[derive(Debug, Serialize)]
pub struct CaseReferral {
    #[serde(flatten)]
    pub referral: ReferralRecord,
    pub overdue: bool,
}

impl Passage {
    pub async fn add_provider(&self, actor: &Actor, input: &ProviderInput) -> ServiceResult<String> {
        access::require(actor, Action::ManageOffices)?;
        let mut inv = Invalid::default();
        let organisation = inv.take(passage_domain::text::required("organisation", &input.organisation, 200, false));
        let mut services = Vec::new();
        for s in input.services.iter().filter(|s| !s.trim().is_empty()) {
            if let Some(k) = inv.take(ServiceKind::parse("services", s.trim())) {
                services.push(k);
            }
        }
        if services.is_empty() && inv.is_empty() {
            inv.push(FieldError::new("services", "err-required"));
        }
        let field = |name: &str, v: &str, inv: &mut Invalid| {
            inv.take(passage_domain::text::clean(name, v, 500, false)).flatten().unwrap_or_default()
        };
        let places = field("places", &input.places, &mut inv);
        let languages = field("languages", &input.languages, &mut inv);
        let contact = field("contact", &input.contact, &mut inv);
        let hours = field("opening_hours", &input.opening_hours, &mut inv);
        inv.into_result()?;
        let id = passage_domain::ids::ProviderId::new().to_string();
        let organisation = organisation.expect("checked");
        let p = store::NewProvider {
            id: &id,
            organisation: &organisation,
            services: &services,
            places: &places,
            languages: &languages,
            contact: &contact,
            opening_hours: &hours,
        };
        let mut tx = self.db.begin().await?;
        store::insert_provider(&mut tx, &p, Timestamp::now()).await?;
        audit::record(
            &mut tx,
            Some(actor),
            "provider.create",
            format!("provider:{id}"),
            None,
            audit::created(&[("organisation", json!(organisation))]),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The directory, optionally only providers of a service in a place (a word of their places).
    pub async fn providers(&self, actor: &Actor, service: &str, place: &str) -> ServiceResult<Vec<ProviderRecord>> {
        access::require(actor, Action::ReadCases)?;
        let service = match service.trim() {
            "" => None,
            s => Some(ServiceKind::parse("service", s)?),
        };
        let place = place.trim().to_lowercase();
        let mut c = self.db.reader().acquire().await?;
        Ok(store::providers(&mut c)
            .await?
            .into_iter()
            .filter(|p| service.is_none_or(|s| p.services.contains(&s)))
            .filter(|p| place.is_empty() || p.places.to_lowercase().contains(&place))
            .collect())
    }

    /// Let a partner user speak for a provider (administrators).
    pub async fn link_partner(&self, actor: &Actor, provider: &str, username: &str) -> ServiceResult<()> {
        access::require(actor, Action::ManageUsers)?;
        let mut c = self.db.reader().acquire().await?;
        let p = store::get_provider(&mut c, provider.trim()).await?.ok_or(ServiceError::NotFound)?;
        let u = passage_storage::users::get_user_by_username(&mut c, &username.trim().to_lowercase()).await?;
        drop(c);
        let Some(u) = u else { return Err(FieldError::new("username", "err-unknown-user").into()) };
        let mut tx = self.db.begin().await?;
        store::link_user(&mut tx, &p.id, u.id).await?;
        audit::record(&mut tx, Some(actor), "provider.user", format!("provider:{}", p.id), None, json!({"user": [null, u.id]})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refer a case's person to a provider, sharing the named fields; the
    /// person must have consented to share with that organisation.
    pub async fn refer(&self, actor: &Actor, case: CaseId, input: &ReferralInput) -> ServiceResult<String> {
        access::require(actor, Action::WriteSomewhere)?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        access::require(actor, Action::WriteCases(case.office_id))?;
        let mut inv = Invalid::default();
        let provider = store::get_provider(&mut c, input.provider_id.trim()).await?;
        if provider.is_none() {
            inv.push(FieldError::new("provider_id", "err-unknown-provider"));
        }
        let service = inv.take(ServiceKind::parse("service", input.service.trim()));
        if let (Some(p), Some(s)) = (&provider, service) {
            if !p.services.contains(&s) {
                inv.push(FieldError::new("service", "err-provider-service"));
            }
        }
        let mut fields = Vec::new();
        for f in input.fields.iter().filter(|f| !f.trim().is_empty()) {
            if let Some(f) = inv.take(SharedField::parse("fields", f.trim())) {
                if !fields.contains(&f) {
                    fields.push(f);
                }
            }
        }
        let consent = match &provider {
            Some(p) => store::sharing_consent(&mut c, case.person_id, &p.organisation).await?,
            None => None,
        };
        if provider.is_some() && consent.is_none() {
            inv.push(FieldError::new("consent", "err-referral-consent"));
        }
        drop(c);
        inv.into_result()?;
        let (provider, service, consent) = (provider.expect("checked"), service.expect("checked"), consent.expect("checked"));
        let id = passage_domain::ids::ReferralId::new().to_string();
        let r = store::NewReferral { id: &id, case: case.id, provider: &provider.id, service, fields: &fields, consent, by: actor.id };
        let mut tx = self.db.begin().await?;
        store::insert_referral(&mut tx, &r, Timestamp::now()).await?;
        let changes = audit::created(&[("provider", json!(provider.id)), ("service", json!(service)), ("fields", json!(fields))]);
        audit::record(&mut tx, Some(actor), "referral.create", format!("case:{}", case.id), Some(case.person_id), changes).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn case_referrals(&self, actor: &Actor, case: CaseId) -> ServiceResult<Vec<CaseReferral>> {
        access::require(actor, Action::ReadCases)?;
        let mut c = self.db.reader().acquire().await?;
        let case = reg::get_case(&mut c, case, &access::scope(actor)).await?.ok_or(ServiceError::NotFound)?;
        let today = CalendarDate::today();
        Ok(store::referrals_of_case(&mut c, &self.keys, case.id)
            .await?
            .into_iter()
            .map(|r| CaseReferral { overdue: overdue(r.status, r.sent_on, r.accepted_on, today), referral: r })
            .collect())
    }

    /// The referrals sent to the partner's organisations.
    pub async fn partner_referrals(&self, actor: &Actor) -> ServiceResult<Vec<PartnerReferral>> {
        if !actor.rights().can_somewhere(Permission::ReadOwnReferrals) {
            return Err(ServiceError::Forbidden("read referrals as a partner"));
        }
        let mut c = self.db.reader().acquire().await?;
        let providers = store::providers_of_user(&mut c, actor.id).await?;
        let list = store::referrals_to(&mut c, &self.keys, &providers).await?;
        let mut out = Vec::with_capacity(list.len());
        for r in list {
            let person = if r.consent_active { self.shared_fields(&mut c, &r).await? } else { serde_json::Map::new() };
            out.push(PartnerReferral {
                id: r.id,
                service: r.service,
                status: r.status,
                sent_on: r.sent_on,
                consent_withdrawn: !r.consent_active,
                person,
            });
        }
        Ok(out)
    }

    /// Only the fields the person agreed to share.
    async fn shared_fields(
        &self,
        c: &mut sqlx::AnyConnection,
        r: &ReferralRecord,
    ) -> ServiceResult<serde_json::Map<String, serde_json::Value>> {
        let p = reg::get_person(c, &self.keys, r.person_id).await?.ok_or(ServiceError::NotFound)?;
        let mut m = serde_json::Map::new();
        for f in &r.shared_fields {
            let v = match f {
                SharedField::Name => json!(p.display_name),
                SharedField::Sex => json!(p.sex),
                SharedField::BirthYear => json!(p.birth_date.map(|b| b.year())),
                SharedField::Nationality => json!(p.nationality.map(|n| n.to_string())),
                SharedField::Phone => json!(p.phone),
                SharedField::Languages => json!(p.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>()),
                SharedField::Vulnerabilities => json!(reg::case_findings(c, r.case_id).await?),
            };
            m.insert(f.as_str().to_string(), v);
        }
        Ok(m)
    }

    /// The partner answers: accepted, declined (with why) or completed (with feedback).
    pub async fn answer_referral(&self, actor: &Actor, id: &str, to: &str, feedback: &str) -> ServiceResult<()> {
        if !actor.rights().can_somewhere(Permission::ReadOwnReferrals) {
            return Err(ServiceError::Forbidden("answer referrals as a partner"));
        }
        let mut c = self.db.reader().acquire().await?;
        let providers = store::providers_of_user(&mut c, actor.id).await?;
        let r = store::get_referral(&mut c, &self.keys, id.trim())
            .await?
            .filter(|r| providers.contains(&r.provider_id))
            .ok_or(ServiceError::NotFound)?;
        drop(c);
        let to = ReferralStatus::parse("status", to.trim())?;
        let feedback = passage_domain::text::clean("feedback", feedback, 2000, true)?;
        if to == ReferralStatus::Declined && feedback.is_none() {
            return Err(FieldError::new("feedback", "err-required").into());
        }
        if !r.status.can_become(to) {
            return Err(FieldError::new("status", "err-referral-transition")
                .with("from", r.status.as_str())
                .with("to", to.as_str())
                .into());
        }
        let mut tx = self.db.begin().await?;
        if !store::answer_referral(&mut tx, &self.keys, &r.id, r.status, to, feedback.as_deref(), Timestamp::now()).await? {
            return Err(ServiceError::Conflict("the referral changed meanwhile"));
        }
        let changes = json!({"status": [r.status, to], "feedback": [null, feedback.as_deref().map(audit::redacted)]});
        audit::record(&mut tx, Some(actor), "referral.answer", format!("case:{}", r.case_id), Some(r.person_id), changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Referrals of the actor's cases that are neither declined nor completed.
    pub async fn open_referrals(&self, actor: &Actor) -> ServiceResult<Vec<ReferralRecord>> {
        let mut c = self.db.reader().acquire().await?;
        Ok(store::open_referrals_of_assignee(&mut c, &self.keys, actor.id).await?)
    }
}
