//! Storage for the service directory, the partner users of providers, and
//! referrals. Provider feedback is free text about a person: sealed.

use crate::records::*;
use crate::sealed::Keyring;
use crate::Result;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::{CaseId, ConsentId, UserId};
use passage_domain::referral::{ReferralStatus, ServiceKind, SharedField};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct ProviderRecord {
    pub id: String,
    pub organisation: String,
    pub services: Vec<ServiceKind>,
    pub places: String,
    pub languages: String,
    pub contact: String,
    pub opening_hours: String,
}

pub struct NewProvider<'a> {
    pub id: &'a str,
    pub organisation: &'a str,
    pub services: &'a [ServiceKind],
    pub places: &'a str,
    pub languages: &'a str,
    pub contact: &'a str,
    pub opening_hours: &'a str,
}

pub async fn insert_provider(c: &mut AnyConnection, p: &NewProvider<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_providers (id, organisation, services, places, languages, contact, opening_hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(p.id)
    .bind(p.organisation)
    .bind(join(p.services))
    .bind(p.places)
    .bind(p.languages)
    .bind(p.contact)
    .bind(p.opening_hours)
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

fn provider(r: &sqlx::any::AnyRow) -> Result<ProviderRecord> {
    Ok(ProviderRecord {
        id: text(r, "id")?,
        organisation: text(r, "organisation")?,
        services: list(&text(r, "services")?, ServiceKind::parse)?,
        places: text(r, "places")?,
        languages: text(r, "languages")?,
        contact: text(r, "contact")?,
        opening_hours: text(r, "opening_hours")?,
    })
}

pub async fn providers(c: &mut AnyConnection) -> Result<Vec<ProviderRecord>> {
    let rows = sqlx::query(
        "SELECT id, organisation, services, places, languages, contact, opening_hours FROM service_providers ORDER BY organisation",
    )
    .fetch_all(c)
    .await?;
    rows.iter().map(provider).collect()
}

pub async fn get_provider(c: &mut AnyConnection, id: &str) -> Result<Option<ProviderRecord>> {
    let r =
        sqlx::query("SELECT id, organisation, services, places, languages, contact, opening_hours FROM service_providers WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?;
    r.as_ref().map(provider).transpose()
}

pub async fn link_user(c: &mut AnyConnection, provider: &str, user: UserId) -> Result<()> {
    sqlx::query("INSERT INTO provider_users (provider_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(provider)
        .bind(user.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// The providers a partner user speaks for.
pub async fn providers_of_user(c: &mut AnyConnection, user: UserId) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT provider_id FROM provider_users WHERE user_id = $1").bind(user.to_string()).fetch_all(c).await?;
    rows.iter().map(|r| text(r, "provider_id")).collect()
}

/// The active (not withdrawn) data-sharing consent of a person for an organisation.
pub async fn sharing_consent(
    c: &mut AnyConnection,
    person: passage_domain::ids::PersonId,
    organisation: &str,
) -> Result<Option<ConsentId>> {
    let r = sqlx::query(
        "SELECT id FROM consents WHERE person_id = $1 AND kind = 'data_sharing' AND withdrawn_on IS NULL AND LOWER(partner) = LOWER($2) \
         ORDER BY given_on DESC LIMIT 1",
    )
    .bind(person.to_string())
    .bind(organisation.trim())
    .fetch_optional(c)
    .await?;
    r.map(|r| id(&r, "id")).transpose()
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralRecord {
    pub id: String,
    pub case_id: CaseId,
    pub reference: String,
    pub person_id: passage_domain::ids::PersonId,
    pub provider_id: String,
    pub organisation: String,
    pub service: ServiceKind,
    pub shared_fields: Vec<SharedField>,
    pub consent_active: bool,
    pub status: ReferralStatus,
    pub sent_on: CalendarDate,
    pub accepted_on: Option<CalendarDate>,
    pub closed_on: Option<CalendarDate>,
    pub feedback: Option<String>,
}

pub struct NewReferral<'a> {
    pub id: &'a str,
    pub case: CaseId,
    pub provider: &'a str,
    pub service: ServiceKind,
    pub fields: &'a [SharedField],
    pub consent: ConsentId,
    pub by: UserId,
}

pub async fn insert_referral(c: &mut AnyConnection, r: &NewReferral<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO referrals (id, case_id, provider_id, service, shared_fields, consent_id, status, sent_by, sent_on, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'sent', $7, $8, $9)",
    )
    .bind(r.id)
    .bind(r.case.to_string())
    .bind(r.provider)
    .bind(r.service.as_str())
    .bind(join(r.fields))
    .bind(r.consent.to_string())
    .bind(r.by.to_string())
    .bind(now.date().to_string())
    .bind(now.to_string())
    .execute(c)
    .await?;
    Ok(())
}

const REFERRAL_SELECT: &str = "SELECT r.id, r.case_id, c.reference, c.person_id, r.provider_id, sp.organisation, r.service, r.shared_fields, \
    (SELECT COUNT(*) FROM consents k WHERE k.id = r.consent_id AND k.withdrawn_on IS NULL) AS consent_active, r.status, r.sent_on, \
    r.accepted_on, r.closed_on, r.feedback FROM referrals r JOIN cases c ON c.id = r.case_id JOIN service_providers sp ON sp.id = r.provider_id";

fn referral(keys: &Keyring, r: &sqlx::any::AnyRow) -> Result<ReferralRecord> {
    let rid = text(r, "id")?;
    let feedback = opt_text(r, "feedback")?.map(|f| keys.open(&format!("referrals.feedback:{rid}"), &f)).transpose()?;
    Ok(ReferralRecord {
        case_id: id(r, "case_id")?,
        reference: text(r, "reference")?,
        person_id: id(r, "person_id")?,
        provider_id: text(r, "provider_id")?,
        organisation: text(r, "organisation")?,
        service: code(r, "service", ServiceKind::parse)?,
        shared_fields: list(&text(r, "shared_fields")?, SharedField::parse)?,
        consent_active: int(r, "consent_active")? > 0,
        status: code(r, "status", ReferralStatus::parse)?,
        sent_on: code(r, "sent_on", CalendarDate::parse)?,
        accepted_on: opt_date(r, "accepted_on")?,
        closed_on: opt_date(r, "closed_on")?,
        feedback,
        id: rid,
    })
}

pub async fn referrals_of_case(c: &mut AnyConnection, keys: &Keyring, case: CaseId) -> Result<Vec<ReferralRecord>> {
    let rows = sqlx::query(&format!("{REFERRAL_SELECT} WHERE r.case_id = $1 ORDER BY r.sent_on DESC, r.id"))
        .bind(case.to_string())
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| referral(keys, r)).collect()
}

pub async fn referrals_to(c: &mut AnyConnection, keys: &Keyring, providers: &[String]) -> Result<Vec<ReferralRecord>> {
    if providers.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::sql::Sql::new(&format!("{REFERRAL_SELECT} WHERE r.provider_id IN "));
    q.bind_list(providers.iter().cloned()).push(" ORDER BY r.sent_on DESC, r.id LIMIT 500");
    q.query().fetch_all(c).await?.iter().map(|r| referral(keys, r)).collect()
}

pub async fn get_referral(c: &mut AnyConnection, keys: &Keyring, id: &str) -> Result<Option<ReferralRecord>> {
    let r = sqlx::query(&format!("{REFERRAL_SELECT} WHERE r.id = $1")).bind(id).fetch_optional(c).await?;
    r.as_ref().map(|r| referral(keys, r)).transpose()
}

/// Overdue or not, the referrals of cases assigned to a user that are still open.
pub async fn open_referrals_of_assignee(c: &mut AnyConnection, keys: &Keyring, user: UserId) -> Result<Vec<ReferralRecord>> {
    let rows = sqlx::query(&format!(
        "{REFERRAL_SELECT} WHERE c.assigned_to = $1 AND r.status IN ('sent', 'accepted') ORDER BY r.sent_on LIMIT 200"
    ))
    .bind(user.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(|r| referral(keys, r)).collect()
}

pub async fn answer_referral(
    c: &mut AnyConnection,
    keys: &Keyring,
    id: &str,
    from: ReferralStatus,
    to: ReferralStatus,
    feedback: Option<&str>,
    now: Timestamp,
) -> Result<bool> {
    let sealed = feedback.map(|f| keys.seal(&format!("referrals.feedback:{id}"), f));
    let (accepted, closed) = match to {
        ReferralStatus::Accepted => (Some(now.date().to_string()), None),
        _ => (None, Some(now.date().to_string())),
    };
    let n = sqlx::query(
        "UPDATE referrals SET status = $1, accepted_on = COALESCE($2, accepted_on), closed_on = COALESCE($3, closed_on), \
         feedback = COALESCE($4, feedback), updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(to.as_str())
    .bind(accepted)
    .bind(closed)
    .bind(sealed)
    .bind(now.to_string())
    .bind(id)
    .bind(from.as_str())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n == 1)
}
