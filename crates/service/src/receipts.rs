//! The receipt of a field submission (ODK, Kobo, the API's submissions),
//! written in the same transaction as the records it makes, so a form sent
//! twice is applied once. The use cases that make records from a submission
//! (registration, assistance, visits) and the submission handling both use it.

use crate::error::{ServiceError, ServiceResult};
use passage_domain::date::Timestamp;
use passage_domain::ids::UserId;
use passage_storage::sealed::Keyring;
use passage_storage::submissions::{self as store, NewSubmission};
use sqlx::AnyConnection;

/// How a submission's receipt is written with the records it makes: a
/// first arrival inserts it; a data officer's retry settles the quarantined
/// one. Either fails (and so rolls back the records) if another request got
/// there first.
pub(crate) enum Receipt<'a> {
    First(NewSubmission<'a>),
    Retry { id: &'a str, by: UserId },
}

pub(crate) async fn keep_receipt(c: &mut AnyConnection, keys: &Keyring, receipt: &Receipt<'_>, record: &str) -> ServiceResult<()> {
    let kept = match receipt {
        Receipt::First(r) => {
            store::insert(c, keys, &NewSubmission { record_ref: Some(record), status: "applied", payload: "", ..*r }).await?
        }
        Receipt::Retry { id, by } => {
            let s = store::Settlement { status: "applied", record_ref: Some(record), reason: None, by: *by, at: Timestamp::now() };
            store::settle(c, keys, id, &s).await?
        }
    };
    if kept {
        Ok(())
    } else {
        Err(ServiceError::Conflict("this submission was already received"))
    }
}
