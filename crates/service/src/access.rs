//! Where the policy meets the use cases. Every use case asks here before it
//! reads or writes; no page or handler decides on its own. The rules are in
//! `passage_domain::policy`; this module only turns a user into rights and a
//! refusal into the error the caller sees.

use crate::error::{ServiceError, ServiceResult};
use passage_domain::ids::OfficeId;
use passage_domain::policy::{Offices, Permission};
use passage_storage::records::{Scope, UserRecord};

/// Who is acting, and from where (the client's address, or `cli`): what
/// every use case receives, and what the audit trail records.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserRecord,
    pub source: String,
    /// Acting through an API token rather than a logged-in session: such an
    /// actor may not create or revoke tokens (a leaked narrow token must
    /// not mint a broader one).
    pub via_token: bool,
}

impl Actor {
    pub fn new(user: UserRecord, source: impl Into<String>) -> Actor {
        Actor { user, source: source.into(), via_token: false }
    }
}

impl std::ops::Deref for Actor {
    type Target = UserRecord;
    fn deref(&self) -> &UserRecord {
        &self.user
    }
}

/// Things a user may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read persons and cases (which ones: see [`scope`]).
    ReadCases,
    /// Register persons, open cases and record work on them in an office.
    WriteCases(OfficeId),
    /// The same in at least one office: what a role must have before any
    /// write is looked at (without it, 403 before any record is looked up).
    WriteSomewhere,
    ManageOffices,
    ManageUsers,
    ReadAudit,
    /// Figures that cannot single out a person: budgets, protected indicators.
    ReadAggregates,
    /// Review likely duplicates, merge persons and undo merges (of persons the user may see).
    MergePersons,
    /// Take and follow up calls at the hotline desk of an office.
    AnswerHotline(OfficeId),
    /// The same in at least one office.
    AnswerHotlineSomewhere,
    SendMessages,
    ApproveMessages,
}

impl Action {
    fn permission(self) -> (Permission, Option<OfficeId>) {
        match self {
            Action::ReadCases => (Permission::ReadCases, None),
            Action::WriteCases(o) => (Permission::WriteCases, Some(o)),
            Action::WriteSomewhere => (Permission::WriteCases, None),
            Action::ManageOffices => (Permission::ManageOffices, None),
            Action::ManageUsers => (Permission::ManageUsers, None),
            Action::ReadAudit => (Permission::ReadAudit, None),
            Action::ReadAggregates => (Permission::ReadAggregates, None),
            Action::MergePersons => (Permission::MergePersons, None),
            Action::AnswerHotline(o) => (Permission::AnswerHotline, Some(o)),
            Action::AnswerHotlineSomewhere => (Permission::AnswerHotline, None),
            Action::SendMessages => (Permission::SendMessages, None),
            Action::ApproveMessages => (Permission::ApproveMessages, None),
        }
    }
}

/// The records `user` may see, for storage queries.
pub fn scope(user: &UserRecord) -> Scope {
    Scope::of(&user.rights())
}

pub fn allowed(user: &UserRecord, action: Action) -> bool {
    let rights = user.rights();
    match action.permission() {
        (p, Some(office)) => rights.can(p, office),
        (p, None) => rights.can_somewhere(p),
    }
}

pub fn require(user: &UserRecord, action: Action) -> ServiceResult<()> {
    if allowed(user, action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(match action {
            Action::ReadCases => "read cases",
            Action::WriteCases(_) => "work on cases of this office",
            Action::WriteSomewhere => "work on cases",
            Action::ManageOffices => "manage offices",
            Action::ManageUsers => "manage users",
            Action::ReadAudit => "read the audit trail",
            Action::ReadAggregates => "read programme figures",
            Action::MergePersons => "review duplicates and merge persons",
            Action::AnswerHotline(_) => "take calls at this office's hotline desk",
            Action::AnswerHotlineSomewhere => "take calls at the hotline desk",
            Action::SendMessages => "send crisis messages",
            Action::ApproveMessages => "approve crisis messages",
        }))
    }
}

/// The offices where `user` may register persons and open cases, or `None` for all.
pub fn writable_offices(user: &UserRecord) -> Offices {
    user.rights().offices(Permission::WriteCases)
}
