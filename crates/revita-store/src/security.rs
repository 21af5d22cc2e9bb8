//! Rows of the security tables (migration 0005): users, API tokens and audit
//! entries as the store hands them out. Secrets are never stored in the
//! clear: these rows carry hashes, which the app layer makes and checks.

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Login name, unique.
    pub name: String,
    /// argon2id PHC string (algorithm, parameters, salt and hash).
    pub password_hash: String,
    /// A disabled user cannot log in or use tokens.
    pub disabled: bool,
    /// The user must choose a new password at the next login.
    pub must_change_password: bool,
    /// Optimistic-concurrency version: an update must name the version it
    /// read, and bumps it.
    pub version: i64,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A browser session (its token is known only to the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user_id: i64,
    /// The session's CSRF token, embedded in its forms.
    pub csrf: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// A personal API token (its secret is shown once and stored hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Store id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// The owner's label for it.
    pub name: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditEntry {
    /// Store id (0 for a new entry).
    pub id: i64,
    /// When, Unix seconds.
    pub at: i64,
    /// Who (user name, or `system`).
    pub actor: String,
    /// What, e.g. `import.observations`, `user.create`.
    pub action: String,
    /// Kind of object changed, e.g. `user`, `observations`.
    pub object_type: String,
    /// Which object (its code or id).
    pub object_id: String,
    /// The value before, as JSON, if any.
    pub before: Option<String>,
    /// The value after, as JSON, if any.
    pub after: Option<String>,
    /// The request that made the change.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
}

/// Filters for reading the audit log; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this kind of object.
    pub object_type: Option<String>,
    /// From this time on (Unix seconds).
    pub since: Option<i64>,
    /// Before this time (Unix seconds).
    pub until: Option<i64>,
}
