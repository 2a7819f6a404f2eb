//! Who may do what. Every use case asks here; no page decides on its own.
//! This is the seam where the full role model (protection officers,
//! sensitive cases, consent) plugs in.

use crate::error::{ServiceError, ServiceResult};
use passage_domain::ids::OfficeId;
use passage_domain::user::Role;
use passage_storage::records::{Scope, UserRecord};

/// Things a user may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read persons and cases in scope.
    ReadCases,
    /// Register persons, open cases and record work on them in an office.
    WriteCases(OfficeId),
    ManageOffices,
    ManageUsers,
}

pub fn scope(user: &UserRecord) -> Scope {
    match user.role {
        Role::Admin => Scope::All,
        Role::Caseworker => Scope::Offices(user.offices.clone()),
    }
}

pub fn allowed(user: &UserRecord, action: Action) -> bool {
    if !user.active {
        return false;
    }
    match (user.role, action) {
        (Role::Admin, _) => true,
        (Role::Caseworker, Action::ReadCases) => true,
        (Role::Caseworker, Action::WriteCases(office)) => user.offices.contains(&office),
        (Role::Caseworker, Action::ManageOffices | Action::ManageUsers) => false,
    }
}

pub fn require(user: &UserRecord, action: Action) -> ServiceResult<()> {
    if allowed(user, action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(match action {
            Action::ReadCases => "read cases",
            Action::WriteCases(_) => "work on cases of this office",
            Action::ManageOffices => "manage offices",
            Action::ManageUsers => "manage users",
        }))
    }
}
