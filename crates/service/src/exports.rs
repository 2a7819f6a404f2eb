//! Exports of records to CSV and XLSX: case lists, assistance records and
//! activity records. The access model decides what an export holds: who
//! reads cases gets the cases they may see, with who the person is; an M&E
//! officer (pseudonymised records only) gets the same rows with stable
//! pseudonyms instead of references and no names, phones or exact dates of
//! birth; activities count people and carry no one's identity. An export is
//! read a page at a time, so the web layer streams it.

use crate::access::{self, Actor};
use crate::error::{ServiceError, ServiceResult};
use crate::Passage;
use passage_domain::policy::Permission;
use passage_storage::exports as store;
use passage_storage::records::Scope;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Cases,
    Assistance,
    Activities,
}

impl ExportKind {
    pub fn parse(s: &str) -> Option<ExportKind> {
        match s {
            "cases" => Some(ExportKind::Cases),
            "assistance" => Some(ExportKind::Assistance),
            "activities" => Some(ExportKind::Activities),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ExportKind::Cases => "cases",
            ExportKind::Assistance => "assistance",
            ExportKind::Activities => "activities",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Identified,
    Pseudonymised,
    Counts,
}

/// One export as this user may have it: its columns and their HXL hashtags.
pub struct ExportPlan {
    pub kind: ExportKind,
    pub columns: Vec<&'static str>,
    pub hxl: Vec<&'static str>,
    view: View,
    scope: Scope,
    salt: String,
}

/// Rows per page read from the database.
pub const PAGE: i64 = 1_000;

const CASE_HXL: [&str; 14] = [
    "#meta+case",
    "#org+office+code",
    "#sector+case+type",
    "#status+case",
    "#meta+sensitivity",
    "#severity+priority",
    "#date+opened",
    "#date+closed",
    "#beneficiary+name",
    "#beneficiary+sex",
    "#beneficiary+date+birth",
    "#meta+precision",
    "#country+code+nationality",
    "#contact+phone",
];
const PSEUDO_CASE_COLUMNS: [&str; 10] =
    ["case", "person", "sex", "birth_year", "nationality", "office", "kind", "status", "opened_on", "closed_on"];
const PSEUDO_CASE_HXL: [&str; 10] = [
    "#meta+case+pseudonym",
    "#beneficiary+id+pseudonym",
    "#beneficiary+sex",
    "#beneficiary+birth_year",
    "#country+code+nationality",
    "#org+office+code",
    "#sector+case+type",
    "#status+case",
    "#date+opened",
    "#date+closed",
];
const ASSISTANCE_HXL: [&str; 10] = [
    "#meta+case",
    "#org+office+code",
    "#service+type",
    "#date+provided",
    "#value+quantity+num",
    "#indicator+unit",
    "#loc+name",
    "#org+provider",
    "#value+cost+num",
    "#currency+code",
];
const ACTIVITY_HXL: [&str; 9] = [
    "#activity+type",
    "#org+office+code",
    "#date",
    "#activity+kind",
    "#activity+description",
    "#reached+num",
    "#reached+f+adults+num",
    "#reached+m+adults+num",
    "#reached+children+num",
];

/// Whether this user may export `kind` at all (in some form).
pub fn may_export(actor: &Actor, kind: ExportKind) -> bool {
    let rights = actor.rights();
    match kind {
        ExportKind::Cases | ExportKind::Assistance => {
            rights.can_somewhere(Permission::ReadCases) || rights.can_somewhere(Permission::ReadPseudonymised)
        }
        ExportKind::Activities => rights.can_somewhere(Permission::ReadAggregates) || rights.can_somewhere(Permission::WriteCases),
    }
}

impl Passage {
    /// What `kind` holds for this user, or why they may not have it.
    pub async fn export_plan(&self, actor: &Actor, kind: ExportKind) -> ServiceResult<ExportPlan> {
        let rights = actor.rights();
        let reads_cases = rights.can_somewhere(Permission::ReadCases);
        if !may_export(actor, kind) {
            return Err(ServiceError::Forbidden("export these records"));
        }
        // Who may export at all is `may_export`; here, what they get.
        let (view, columns, hxl): (View, Vec<&'static str>, Vec<&'static str>) = match kind {
            ExportKind::Cases if reads_cases => (View::Identified, store::CASE_COLUMNS.to_vec(), CASE_HXL.to_vec()),
            ExportKind::Cases => (View::Pseudonymised, PSEUDO_CASE_COLUMNS.to_vec(), PSEUDO_CASE_HXL.to_vec()),
            ExportKind::Assistance => {
                let mut columns = store::ASSISTANCE_COLUMNS[1..].to_vec();
                let mut hxl = ASSISTANCE_HXL.to_vec();
                if !reads_cases {
                    columns[0] = "case";
                    hxl[0] = "#meta+case+pseudonym";
                }
                (if reads_cases { View::Identified } else { View::Pseudonymised }, columns, hxl)
            }
            ExportKind::Activities => (View::Counts, store::ACTIVITY_COLUMNS.to_vec(), ACTIVITY_HXL.to_vec()),
        };
        let scope = if view == View::Pseudonymised {
            // Pseudonymised records of every case in the offices, restricted ones too: nothing in them says who.
            Scope { user: actor.id, cases: rights.offices(Permission::ReadPseudonymised), restricted: passage_domain::policy::Offices::All }
        } else {
            access::scope(actor)
        };
        let salt = if view == View::Pseudonymised {
            let mut c = self.db.replica().acquire().await?;
            passage_storage::privacy::setting_or_insert(&mut c, "pseudonym_salt", crate::auth::random_token).await?
        } else {
            String::new()
        };
        // Who took a copy of which records out of Passage is on the record.
        let mut tx = self.db.begin().await?;
        let view_name = match view {
            View::Identified => "identified",
            View::Pseudonymised => "pseudonymised",
            View::Counts => "counts",
        };
        crate::audit::record(
            &mut tx,
            Some(actor),
            "records.export",
            format!("export:{}", kind.name()),
            None,
            serde_json::json!({"view": [null, view_name]}),
        )
        .await?;
        tx.commit().await?;
        Ok(ExportPlan { kind, columns, hxl, view, scope, salt })
    }

    /// One page of an export, after the row key `after` ("" for the first);
    /// the key of the next page, if there is one.
    pub async fn export_page(&self, plan: &ExportPlan, after: &str) -> ServiceResult<(Vec<Vec<String>>, Option<String>)> {
        let mut c = self.db.replica().acquire().await?;
        Ok(match (plan.kind, plan.view) {
            (ExportKind::Cases, View::Pseudonymised) => {
                let rows = passage_storage::privacy::pseudonymised_cases(&mut c, &plan.scope.cases, after, PAGE).await?;
                let next = (rows.len() as i64 == PAGE).then(|| rows.last().map(|r| r.case.clone())).flatten();
                let out = rows
                    .into_iter()
                    .map(|r| {
                        vec![
                            crate::privacy::pseudonym(&plan.salt, "case", &r.case),
                            crate::privacy::pseudonym(&plan.salt, "person", &r.person),
                            r.sex,
                            r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                            r.nationality.unwrap_or_default(),
                            r.office,
                            r.kind.as_str().to_string(),
                            r.status.as_str().to_string(),
                            r.opened_on.to_string(),
                            r.closed_on.map(|d| d.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect();
                (out, next)
            }
            (ExportKind::Cases, _) => store::cases(&mut c, &plan.scope, after, PAGE).await?,
            (ExportKind::Assistance, view) => {
                let (rows, next) = store::assistance(&mut c, &plan.scope, after, PAGE).await?;
                let rows = rows
                    .into_iter()
                    .map(|mut r| {
                        let case_id = r.remove(0);
                        if view == View::Pseudonymised {
                            r[0] = crate::privacy::pseudonym(&plan.salt, "case", &case_id);
                            // Where someone was helped can say who they are.
                            r[6].clear();
                        }
                        r
                    })
                    .collect();
                (rows, next)
            }
            (ExportKind::Activities, _) => store::activities(&mut c, after, PAGE).await?,
        })
    }
}
