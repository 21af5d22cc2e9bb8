//! Who may do what, where: roles, grants of a role over a jurisdiction (a
//! region and everything below it), and the scope they give a user.
//!
//! Rules (revita's, from issue 4):
//! - admin: everything within its jurisdiction, users included;
//! - planner: read, and edit decisions (designations, plans, allocations);
//! - data-entry: read, and enter or import data;
//! - viewer: read;
//! - auditor: read everywhere, whatever its jurisdiction, and the audit log.
//!
//! Granting is bounded by the granter's own reach (issue 13): a grant may
//! be given only where the granter manages users, and a role that reads
//! everywhere (auditor) only by one who manages users everywhere; a user is
//! managed only by those who could have given every grant it holds, so that
//! no one edits an account above them.
//!
//! A user may hold several grants; an action is permitted if any grant
//! permits it for the region concerned. Regions are identified here by their
//! path from the root (the region last), so that no store is needed to
//! decide: "within" means the grant's region is on the path.

use std::fmt;

use crate::region::RegionCode;

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Administers users and everything else in its jurisdiction.
    Admin,
    /// Edits designations, plans and allocations.
    Planner,
    /// Enters and imports data.
    DataEntry,
    /// Reads.
    Viewer,
    /// Reads everything and the audit log.
    Auditor,
}

/// What a user wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See data and pages.
    Read,
    /// Enter or import observations, regions, boundaries.
    EditData,
    /// Change designations, plans, allocations.
    EditDecisions,
    /// Create, disable and grant users.
    ManageUsers,
    /// Browse and export the audit log.
    ReadAudit,
    /// See households' personal identifiers (names, ID numbers, phones)
    /// unmasked: the case workers who enter them, and administrators.
    ReadPersonal,
    /// Rename, move or re-level existing regions (issue 13: moving a
    /// region moves everything inside it, households included, into
    /// another jurisdiction): administrators only.
    RestructureRegions,
}

const ROLES: [(Role, &str); 5] = [
    (Role::Admin, "admin"),
    (Role::Planner, "planner"),
    (Role::DataEntry, "data_entry"),
    (Role::Viewer, "viewer"),
    (Role::Auditor, "auditor"),
];

impl Role {
    /// Parses the keyword (`admin`, `planner`, `data_entry`, `viewer`, `auditor`).
    pub fn parse(text: &str) -> Option<Role> {
        let text = text.trim().replace('-', "_");
        ROLES.iter().find(|(_, k)| *k == text).map(|(r, _)| *r)
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        ROLES.iter().find(|(r, _)| *r == self).map(|(_, k)| *k).expect("every role is in ROLES")
    }

    /// Whether the role may take the action (jurisdiction aside).
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Planner => matches!(action, Read | EditDecisions),
            Role::DataEntry => matches!(action, Read | EditData | ReadPersonal),
            Role::Viewer => action == Read,
            Role::Auditor => matches!(action, Read | ReadAudit),
        }
    }

    /// Whether the role acts everywhere whatever its jurisdiction.
    fn is_global(self, action: Action) -> bool {
        self.reads_everywhere() && matches!(action, Action::Read | Action::ReadAudit)
    }

    /// Whether the role reads everywhere whatever its jurisdiction (and so
    /// reaches further than any jurisdiction but the whole country).
    pub fn reads_everywhere(self) -> bool {
        self == Role::Auditor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role over a jurisdiction: the region and everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The jurisdiction's root region.
    pub scope: RegionCode,
}

/// Where an action is permitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Nowhere.
    Nowhere,
    /// Within these subtrees (none of them inside another).
    Within(Vec<RegionCode>),
    /// Everywhere.
    Everywhere,
}

impl Scope {
    /// Whether a region, given its path from the root (itself last), lies
    /// in the scope.
    pub fn covers(&self, path: &[RegionCode]) -> bool {
        match self {
            Scope::Nowhere => false,
            Scope::Everywhere => true,
            Scope::Within(roots) => path.iter().any(|r| roots.contains(r)),
        }
    }
}

/// Whether someone who manages users in `manages` (their
/// [`Action::ManageUsers`] scope, with a jurisdiction over the whole
/// country counted as [`Scope::Everywhere`]) may give `grant`, whose region
/// has the path `grant_path` (root first): the grant's region must lie in
/// their jurisdiction, and a role that reads everywhere needs a granter who
/// manages users everywhere.
pub fn may_grant(manages: &Scope, grant: &Grant, grant_path: &[RegionCode]) -> bool {
    if grant.role.reads_everywhere() { *manages == Scope::Everywhere } else { manages.covers(grant_path) }
}

/// Whether someone who manages users in `manages` may manage (edit, disable,
/// reset, grant more to) a user holding `grants` (each with its region's
/// path): only if they could have given every one of them. A user without
/// grants is managed only by those who manage users everywhere.
pub fn may_manage(manages: &Scope, grants: &[(Grant, Vec<RegionCode>)]) -> bool {
    if grants.is_empty() {
        return *manages == Scope::Everywhere;
    }
    grants.iter().all(|(g, path)| may_grant(manages, g, path))
}

/// A user's grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    grants: Vec<Grant>,
}

impl Access {
    /// Access from grants.
    pub fn new(grants: Vec<Grant>) -> Access {
        Access { grants }
    }

    /// The grants.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Whether some grant's role allows the action somewhere (what the
    /// navigation offers; each request still checks the place).
    pub fn may_anywhere(&self, action: Action) -> bool {
        self.grants.iter().any(|g| g.role.allows(action))
    }

    /// Where `action` is permitted. `path_of` gives a region's path from the
    /// root (itself last); it is used to drop roots inside other roots.
    pub fn scope(&self, action: Action, path_of: impl Fn(&RegionCode) -> Vec<RegionCode>) -> Scope {
        let permitting: Vec<&Grant> = self.grants.iter().filter(|g| g.role.allows(action)).collect();
        if permitting.iter().any(|g| g.role.is_global(action)) {
            return Scope::Everywhere;
        }
        let mut roots: Vec<RegionCode> = permitting.iter().map(|g| g.scope.clone()).collect();
        roots.sort();
        roots.dedup();
        let nested: Vec<bool> = roots
            .iter()
            .map(|r| {
                let path = path_of(r);
                path[..path.len().saturating_sub(1)].iter().any(|ancestor| roots.contains(ancestor))
            })
            .collect();
        let roots: Vec<RegionCode> = roots.into_iter().zip(nested).filter(|(_, n)| !n).map(|(r, _)| r).collect();
        if roots.is_empty() { Scope::Nowhere } else { Scope::Within(roots) }
    }

    /// Whether `action` is permitted on the region with this path from the
    /// root (itself last).
    pub fn permits(&self, action: Action, path: &[RegionCode]) -> bool {
        self.grants.iter().any(|g| g.role.allows(action) && (g.role.is_global(action) || path.contains(&g.scope)))
    }
}

#[cfg(test)]
mod tests;
