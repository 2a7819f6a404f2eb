//! Who may do what, as data. Each role is a fixed set of permissions (the
//! [`POLICY`] table); a user holds roles, each for a set of offices (a
//! [`Grant`]); their [`Rights`] are the union. One rule is not a table row:
//! a restricted case (trafficking, unaccompanied or separated child,
//! gender-based violence) is seen only by its assigned caseworker and by
//! holders of [`Permission::ReadRestricted`] in its office. The service layer
//! asks here before every read and write, and storage turns the same rights
//! into SQL, so a record a user may not see is never fetched at all. The
//! table is rendered for people by [`render_markdown`] (`docs/permissions.md`
//! and the admin page), so the documentation cannot drift from the code.

use crate::case::Sensitivity;
use crate::ids::{OfficeId, UserId};
use std::collections::BTreeSet;

code_enum!(
    /// What a user is there to do. A user may hold several, each for its own offices.
    Role {
        /// Registers persons and works their cases.
        Caseworker => "caseworker",
        /// A caseworker who may also see and handle the office's restricted cases.
        ProtectionOfficer => "protection_officer",
        /// Plans movements (charters, convoys) and their manifests.
        MovementOfficer => "movement_officer",
        /// Follows returnees' reintegration in their country of origin.
        ReintegrationOfficer => "reintegration_officer",
        /// Monitoring and evaluation: pseudonymised records and figures.
        MeOfficer => "me_officer",
        /// Managers and donors: figures only, after disclosure control.
        ProgrammeViewer => "programme_viewer",
        /// A user of a partner organisation: the referrals sent to it.
        Partner => "partner",
        /// Runs the system: offices, users, the audit trail.
        Admin => "admin",
    }
);

code_enum!(
    /// One thing a role allows, in the offices it is held for.
    Permission {
        /// See persons and cases with their identity (restricted cases excepted).
        ReadCases => "read_cases",
        /// See restricted cases too: identity and details.
        ReadRestricted => "read_restricted",
        /// Register persons, open cases, record screenings, assistance, notes, status and consent.
        WriteCases => "write_cases",
        /// Plan movements and manage their manifests.
        ManageMovements => "manage_movements",
        /// Record reintegration plans and monitoring visits.
        ManageReintegration => "manage_reintegration",
        /// Records without names, phones, documents, exact dates of birth or free text.
        ReadPseudonymised => "read_pseudonymised",
        /// Figures, after disclosure control.
        ReadAggregates => "read_aggregates",
        /// Referrals sent to the user's organisation, with only the fields the person consented to share.
        ReadOwnReferrals => "read_own_referrals",
        /// Export everything held about a person, or erase their identity, at their request.
        HandleDataRequests => "handle_data_requests",
        /// Create and change offices.
        ManageOffices => "manage_offices",
        /// Create, disable and re-scope users.
        ManageUsers => "manage_users",
        /// Browse the audit trail.
        ReadAudit => "read_audit",
        /// Review likely duplicate persons; merge them, and undo a merge.
        MergePersons => "merge_persons",
        /// Take calls at the hotline desk, follow them up and see the desk's hand-over list.
        AnswerHotline => "answer_hotline",
        /// Write crisis messages and send them to an audience (counts only: never the numbers or the names).
        SendMessages => "send_messages",
        /// Approve another user's broadcast above the size one sender may send alone.
        ApproveMessages => "approve_messages",
    }
);

use Permission as P;

/// The whole policy. Changing what a role may do is changing this table
/// (and `docs/permissions.md`, which a test keeps equal to its rendering).
pub const POLICY: &[(Role, &[Permission])] = &[
    (Role::Caseworker, &[P::ReadCases, P::WriteCases, P::ReadAggregates, P::AnswerHotline]),
    (
        Role::ProtectionOfficer,
        &[
            P::ReadCases,
            P::ReadRestricted,
            P::WriteCases,
            P::ReadAggregates,
            P::HandleDataRequests,
            P::MergePersons,
            P::AnswerHotline,
            P::SendMessages,
            P::ApproveMessages,
        ],
    ),
    (Role::MovementOfficer, &[P::ReadCases, P::ManageMovements, P::ReadAggregates, P::SendMessages]),
    (Role::ReintegrationOfficer, &[P::ReadCases, P::WriteCases, P::ManageReintegration, P::ReadAggregates]),
    (Role::MeOfficer, &[P::ReadPseudonymised, P::ReadAggregates]),
    (Role::ProgrammeViewer, &[P::ReadAggregates]),
    (Role::Partner, &[P::ReadOwnReferrals]),
    // Administrators run the system; they do not read restricted cases.
    (
        Role::Admin,
        &[
            P::ReadCases,
            P::WriteCases,
            P::ReadAggregates,
            P::HandleDataRequests,
            P::ManageOffices,
            P::ManageUsers,
            P::ReadAudit,
            P::MergePersons,
            P::AnswerHotline,
            P::SendMessages,
        ],
    ),
];

impl Role {
    pub fn permits(self, p: Permission) -> bool {
        POLICY.iter().any(|(r, ps)| *r == self && ps.contains(&p))
    }

    /// Roles whose holders must log in with a second factor.
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::Admin | Role::ProtectionOfficer)
    }
}

/// The offices a right reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offices {
    All,
    /// These offices only; empty means none.
    Only(BTreeSet<OfficeId>),
}

impl Offices {
    pub fn none() -> Offices {
        Offices::Only(BTreeSet::new())
    }

    pub fn contains(&self, office: OfficeId) -> bool {
        match self {
            Offices::All => true,
            Offices::Only(s) => s.contains(&office),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Offices::Only(s) if s.is_empty())
    }

    /// The offices in both.
    pub fn intersect(&self, other: &Offices) -> Offices {
        match (self, other) {
            (Offices::All, o) | (o, Offices::All) => o.clone(),
            (Offices::Only(a), Offices::Only(b)) => Offices::Only(a.intersection(b).copied().collect()),
        }
    }

    /// Whether every office of `self` is in `other`.
    pub fn within(&self, other: &Offices) -> bool {
        match (self, other) {
            (_, Offices::All) => true,
            (Offices::All, Offices::Only(_)) => false,
            (Offices::Only(a), Offices::Only(b)) => a.is_subset(b),
        }
    }

    /// Add the offices of `other`.
    pub fn union(&mut self, other: &Offices) {
        match (&mut *self, other) {
            (Offices::All, _) => {}
            (_, Offices::All) => *self = Offices::All,
            (Offices::Only(a), Offices::Only(b)) => a.extend(b.iter().copied()),
        }
    }
}

/// In JSON: `"all"`, or the list of office ids.
impl serde::Serialize for Offices {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Offices::All => s.serialize_str("all"),
            Offices::Only(set) => s.collect_seq(set.iter().map(|o| o.to_string())),
        }
    }
}

/// A role held for some offices.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    pub role: Role,
    pub offices: Offices,
}

impl Grant {
    /// A compact text form for storage: `role:all` or `role:<office id> <office id>…`.
    pub fn to_text(&self) -> String {
        match &self.offices {
            Offices::All => format!("{}:all", self.role.as_str()),
            Offices::Only(set) => format!("{}:{}", self.role.as_str(), set.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(" ")),
        }
    }

    /// The text form back; `None` when it is not one.
    pub fn from_text(s: &str) -> Option<Grant> {
        let (role, offices) = s.split_once(':')?;
        let role = Role::parse("role", role).ok()?;
        let offices = if offices == "all" {
            Offices::All
        } else {
            Offices::Only(offices.split_whitespace().map(|o| o.parse().ok()).collect::<Option<_>>()?)
        };
        Some(Grant { role, offices })
    }

    /// Of `held`, only what `limit` allows: each held role, for the offices
    /// both give it. How an API token's scope narrows its owner's grants at
    /// the moment of use, so that taking a role from a user takes it from
    /// their tokens too.
    pub fn narrow(held: &[Grant], limit: &[Grant]) -> Vec<Grant> {
        held.iter()
            .flat_map(|h| {
                limit
                    .iter()
                    .filter(move |l| l.role == h.role)
                    .map(move |l| Grant { role: h.role, offices: h.offices.intersect(&l.offices) })
            })
            .filter(|g| !g.offices.is_empty())
            .collect()
    }
}

/// What one user may do: the union of their grants.
#[derive(Debug, Clone)]
pub struct Rights {
    pub user: UserId,
    grants: Vec<Grant>,
}

impl Rights {
    pub fn new(user: UserId, grants: Vec<Grant>) -> Rights {
        Rights { user, grants }
    }

    /// Nobody: for disabled accounts.
    pub fn nothing(user: UserId) -> Rights {
        Rights { user, grants: Vec::new() }
    }

    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Where the user holds `p`.
    pub fn offices(&self, p: Permission) -> Offices {
        let mut out = Offices::none();
        for g in self.grants.iter().filter(|g| g.role.permits(p)) {
            out.union(&g.offices);
        }
        out
    }

    pub fn can(&self, p: Permission, office: OfficeId) -> bool {
        self.grants.iter().any(|g| g.role.permits(p) && g.offices.contains(office))
    }

    pub fn can_somewhere(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.permits(p) && !g.offices.is_empty())
    }

    /// The one rule that is not a table row: who may see a case.
    pub fn may_see_case(&self, office: OfficeId, sensitivity: Sensitivity, assigned_to: Option<UserId>) -> bool {
        self.can(P::ReadCases, office)
            && (sensitivity == Sensitivity::Normal || assigned_to == Some(self.user) || self.can(P::ReadRestricted, office))
    }

    /// Whether any grant needs a second factor at login.
    pub fn needs_second_factor(&self) -> bool {
        self.grants.iter().any(|g| g.role.needs_second_factor())
    }
}

/// The policy as a Markdown table, for `docs/permissions.md` and the admin page.
pub fn render_markdown() -> String {
    let mut s = String::from(
        "# Permissions\n\n\
         Generated from `crates/domain/src/policy.rs` (`passage permissions` prints it; a test keeps this file equal).\n\
         A user holds one or more roles, each for a set of offices (or all offices); a permission applies in the\n\
         offices its role is held for.\n\n",
    );
    s.push_str("| permission |");
    for (r, _) in POLICY {
        s.push_str(&format!(" {} |", r.as_str()));
    }
    s.push_str("\n|---|");
    for _ in POLICY {
        s.push_str("---|");
    }
    s.push('\n');
    for p in Permission::ALL {
        s.push_str(&format!("| `{}` |", p.as_str()));
        for (r, _) in POLICY {
            s.push_str(if r.permits(*p) { " yes |" } else { " |" });
        }
        s.push('\n');
    }
    s.push_str(
        "\n## Rules beyond the table\n\n\
         - **Restricted cases** (victims of trafficking, unaccompanied or separated children, survivors of gender-based\n  \
           violence, or any case a screening marked so; a case never becomes less restricted): only the assigned\n  \
           caseworker and holders of `read_restricted` in the case's office see them. Everyone else gets \"not found\",\n  \
           in search, counts and lists alike.\n\
         - **A person** is visible when at least one of their cases is.\n\
         - **Not found, not forbidden**: a record outside the reader's rights answers 404, exactly as a record that does\n  \
           not exist. 403 answers only what does not depend on the record: a role without the permission at all (an\n  \
           M&E officer reading any case), or an action the reader may not take on a record they can see.\n\
         - **Disabled accounts** hold no rights, whatever their grants.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(n: u8) -> OfficeId {
        OfficeId::from_uuid(uuid::Uuid::from_bytes([n; 16]))
    }

    #[test]
    fn every_role_is_in_the_table_once() {
        for r in Role::ALL {
            assert_eq!(POLICY.iter().filter(|(x, _)| x == r).count(), 1, "{r}");
        }
    }

    #[test]
    fn rights_are_the_union_of_grants_in_their_offices() {
        let me = UserId::new();
        let rights = Rights::new(
            me,
            vec![
                Grant { role: Role::Caseworker, offices: Offices::Only([office(1), office(2)].into()) },
                Grant { role: Role::ProtectionOfficer, offices: Offices::Only([office(2)].into()) },
            ],
        );
        assert!(rights.can(P::WriteCases, office(1)));
        assert!(!rights.can(P::WriteCases, office(3)));
        assert!(!rights.can(P::ReadRestricted, office(1)));
        assert!(rights.can(P::ReadRestricted, office(2)));
        assert_eq!(rights.offices(P::ReadCases), Offices::Only([office(1), office(2)].into()));
        assert!(!rights.can_somewhere(P::ManageUsers));
        // Restricted cases: the office's protection officer, or the assigned caseworker.
        assert!(!rights.may_see_case(office(1), Sensitivity::Restricted, None));
        assert!(rights.may_see_case(office(1), Sensitivity::Restricted, Some(me)));
        assert!(rights.may_see_case(office(2), Sensitivity::Restricted, None));
        assert!(!rights.may_see_case(office(3), Sensitivity::Normal, Some(me)), "assignment alone does not reach another office");
    }

    #[test]
    fn administrators_reach_every_office_but_not_restricted_cases() {
        let rights = Rights::new(UserId::new(), vec![Grant { role: Role::Admin, offices: Offices::All }]);
        assert_eq!(rights.offices(P::ReadCases), Offices::All);
        assert!(rights.may_see_case(office(9), Sensitivity::Normal, None));
        assert!(!rights.may_see_case(office(9), Sensitivity::Restricted, None));
        assert!(rights.needs_second_factor());
    }

    #[test]
    fn figures_only_roles_never_read_identities() {
        for r in [Role::MeOfficer, Role::ProgrammeViewer, Role::Partner] {
            assert!(!r.permits(P::ReadCases) && !r.permits(P::ReadRestricted), "{r}");
        }
    }

    #[test]
    fn a_token_never_reaches_further_than_its_owner() {
        let a: OfficeId = "01900000-0000-7000-8000-000000000001".parse().unwrap();
        let b: OfficeId = "01900000-0000-7000-8000-000000000002".parse().unwrap();
        let held = vec![
            Grant { role: Role::Caseworker, offices: Offices::Only([a].into()) },
            Grant { role: Role::MeOfficer, offices: Offices::All },
        ];
        let limit = vec![
            Grant { role: Role::Caseworker, offices: Offices::All },
            Grant { role: Role::MeOfficer, offices: Offices::Only([b].into()) },
            Grant { role: Role::Admin, offices: Offices::All },
        ];
        let got = Grant::narrow(&held, &limit);
        assert_eq!(
            got,
            vec![
                Grant { role: Role::Caseworker, offices: Offices::Only([a].into()) },
                Grant { role: Role::MeOfficer, offices: Offices::Only([b].into()) }
            ]
        );
        for g in &got {
            assert_eq!(Grant::from_text(&g.to_text()).as_ref(), Some(g));
        }
        assert_eq!(Grant::from_text("admin:all"), Some(Grant { role: Role::Admin, offices: Offices::All }));
        assert_eq!(Grant::from_text("nobody:all"), None);
        assert!(Offices::Only([a].into()).within(&Offices::All));
        assert!(!Offices::All.within(&Offices::Only([a].into())));
    }
}
